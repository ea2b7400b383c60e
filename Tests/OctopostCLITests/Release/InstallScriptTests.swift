import Foundation
import Testing

/// scripts/install.sh against a local release (file:// and a loopback HTTP server): the right archive
/// installs; a checksum mismatch, a missing archive, a wrong version and an unsupported platform are each
/// refused in one line, with nothing installed and the downloaded binary never run.
@Suite("Release: install script") struct InstallScriptTests {
    static let script = CLI.packageRoot + "/scripts/install.sh"

    func install(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run("/bin/bash", [Self.script] + arguments, env: ["HOME": NSTemporaryDirectory()], timeout: 120)
    }

    @Test("the right archive from a file:// URL is installed, checked and runs")
    func installsFromFileURL() throws {
        let release = try FakeRelease()
        let dir = release.folder("bin")
        let r = try install(["--version", "1.2.3", "--base-url", release.baseURL, "--dir", dir, "--arch", "x86_64"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .newlines) == dir + "/octopost")
        #expect(r.stderr.contains("sha256 " + (try release.sha256())))
        let run = try CLI.run(dir + "/octopost", [])
        #expect(run.stdout.hasPrefix("1.2.3 (commit "))
    }

    @Test("a v-prefixed version, an arm64 machine, a pinned SHA-256 and a loopback HTTP server")
    func installsOverLoopbackHTTP() throws {
        let release = try FakeRelease(version: "2.0.0-rc.1", arch: "arm64")
        let server = try LoopbackFileServer(serving: release.root + "/releases")
        let dir = release.folder("bin")
        let r = try install(["--version", "v2.0.0-rc.1", "--base-url", "http://127.0.0.1:\(server.port)/",
                             "--dir", dir, "--arch", "aarch64", "--sha256", try release.sha256().uppercased()])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.isExecutableFile(atPath: dir + "/octopost"))

        // A release that is not there: the server answers 404.
        let missing = try install(["--version", "2.0.1", "--base-url", "http://127.0.0.1:\(server.port)",
                                   "--dir", release.folder("other"), "--arch", "arm64"])
        #expect(missing.status == 1)
        #expect(missing.errorLines.count == 1, "\(missing.stderr)")
        #expect(missing.stderr.contains("has no archive for linux-arm64"))
    }

    @Test("a checksum mismatch is refused: nothing installed, the binary never runs")
    func checksumMismatchRefused() throws {
        let release = try FakeRelease()
        // The archive is replaced after its .sha256 was published.
        try Data("not the archive".utf8).write(to: URL(fileURLWithPath: release.archivePath))
        let dir = release.folder("bin")
        let r = try install(["--version", "1.2.3", "--base-url", release.baseURL, "--dir", dir, "--arch", "x86_64"])
        #expect(r.status == 1)
        #expect(r.errorLines.count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("install: error: checksum mismatch for octopost-1.2.3-linux-x86_64.tar.gz"))
        #expect(r.stderr.contains("nothing was installed"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/octopost"))
        #expect(!release.standInRan)
    }

    @Test("a pinned SHA-256 that differs is refused even when the .sha256 file agrees")
    func pinnedChecksumRefused() throws {
        let release = try FakeRelease()
        let dir = release.folder("bin")
        let r = try install(["--version", "1.2.3", "--base-url", release.baseURL, "--dir", dir, "--arch", "x86_64",
                             "--sha256", String(repeating: "ab", count: 32)])
        #expect(r.status == 1)
        #expect(r.errorLines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("checksum mismatch") && r.stderr.contains("--sha256 says"))
        #expect(!release.standInRan)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test("a missing archive, a malformed version and no download location each fail in one line")
    func wrongVersionAndMissingArchive() throws {
        let release = try FakeRelease()
        let dir = release.folder("bin")
        let cases: [([String], String)] = [
            (["--version", "1.2.4", "--base-url", release.baseURL], "octopost 1.2.4 has no archive for linux-x86_64 at file://"),
            (["--version", "latest", "--base-url", release.baseURL], "'latest' is not a release version"),
            (["--version", "1.2", "--base-url", release.baseURL], "'1.2' is not a release version"),
            (["--base-url", release.baseURL], "no version given"),
            (["--version", "1.2.3"], "no download location"),
            (["--version", "1.2.3", "--repo", "not a repo"], "is not OWNER/NAME"),
        ]
        for (arguments, message) in cases {
            let r = try install(arguments + ["--dir", dir, "--arch", "x86_64"])
            #expect(r.status == 1, "\(arguments)")
            #expect(r.errorLines.count == 1, "\(arguments): \(r.stderr)")
            #expect(r.stderr.hasPrefix("install: error: ") && r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test("an unsupported operating system or architecture is refused before any download")
    func unsupportedPlatformRefused() throws {
        let release = try FakeRelease()
        for (glibc, message) in [("2.35", "this machine's glibc is 2.35; the octopost archive needs 2.36 or later"),
                                 ("", "this Linux has no glibc")] {
            // OCTOPOST_GLIBC_VERSION stands for what getconf says; empty falls back to getconf, so the
            // musl case uses a getconf that knows no glibc.
            var env = ["HOME": NSTemporaryDirectory(), "OCTOPOST_GLIBC_VERSION": glibc]
            if glibc.isEmpty {
                let fakeBin = release.folder("musl-bin")
                try FileManager.default.createDirectory(atPath: fakeBin, withIntermediateDirectories: true)
                try "#!/bin/sh\nexit 1\n".write(toFile: fakeBin + "/getconf", atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakeBin + "/getconf")
                env["PATH"] = fakeBin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            }
            let r = try CLI.run("/bin/bash", [Self.script, "--version", "1.2.3", "--base-url", release.baseURL,
                                              "--dir", release.folder("bin"), "--arch", "x86_64"], env: env)
            #expect(r.status == 1)
            #expect(r.errorLines.count == 1 && r.stderr.contains(message), "\(r.stderr)")
            #expect(!release.standInRan)
        }
        let cases: [([String], String)] = [
            (["--os", "Darwin"], "no octopost archive for macOS"),
            (["--os", "MINGW64_NT-10.0"], "octopost does not run on Windows"),
            (["--os", "FreeBSD"], "no octopost archive for the operating system 'FreeBSD'"),
            (["--arch", "riscv64"], "no octopost archive for the architecture 'riscv64'"),
        ]
        for (arguments, message) in cases {
            // The download location does not exist: reaching it would be a different error.
            let r = try install(["--version", "1.2.3", "--base-url", "file:///nonexistent", "--dir", release.folder("bin")]
                + arguments)
            #expect(r.status == 1, "\(arguments)")
            #expect(r.errorLines.count == 1, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        }
    }

    @Test("an archive whose binary is another version is refused")
    func mislabelledArchiveRefused() throws {
        let release = try FakeRelease(claims: "9.9.9")
        let dir = release.folder("bin")
        let r = try install(["--version", "1.2.3", "--base-url", release.baseURL, "--dir", dir, "--arch", "x86_64"])
        #expect(r.status == 1)
        #expect(r.errorLines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("holds octopost '9.9.9 (commit 0123456789ab)'"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/octopost"))
    }

    @Test("release.sh refuses a malformed version before building anything")
    func releaseScriptRejectsBadVersion() throws {
        let r = try CLI.run("/bin/bash", [CLI.packageRoot + "/scripts/release.sh", "1.2"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("version '1.2' is not MAJOR.MINOR.PATCH"))
    }

    @Test("octopost --version names the version and the commit")
    func versionFlag() throws {
        let r = try CLI.octopost(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout == "0.0.0-dev (commit unknown)\n")
    }
}
