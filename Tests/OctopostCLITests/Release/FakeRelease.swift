import Foundation
import Testing

/// A release laid out as GitHub serves it (`releases/vVERSION/octopost-VERSION-linux-ARCH.tar.gz` and its
/// `.sha256`) in a temporary folder, with a tiny stand-in for the binary: a shell script that prints its
/// version and leaves a mark when it runs, so a test can tell whether an unverified binary ever ran.
final class FakeRelease {
    let root: String
    let version: String
    let arch: String
    /// The stand-in touches this file when it runs.
    var ranMarker: String { root + "/stand-in-ran" }
    var baseURL: String { "file://" + root + "/releases" }
    var name: String { "octopost-\(version)-linux-\(arch)" }
    var archivePath: String { root + "/releases/v\(version)/\(name).tar.gz" }
    var checksumPath: String { archivePath + ".sha256" }

    /// `claims`: the version the stand-in prints (a broken release prints another one).
    init(version: String = "1.2.3", arch: String = "x86_64", claims: String? = nil) throws {
        self.version = version
        self.arch = arch
        root = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-release-\(UUID().uuidString)").path
        let stage = root + "/stage/" + "octopost-\(version)-linux-\(arch)"
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/releases/v\(version)", withIntermediateDirectories: true)
        let script = "#!/bin/sh\ntouch '\(root)/stand-in-ran'\necho '\(claims ?? version) (commit 0123456789ab)'\n"
        try script.write(toFile: stage + "/octopost", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stage + "/octopost")
        let tar = try CLI.run("/usr/bin/env", ["tar", "-C", root + "/stage", "-czf", archivePath, "octopost-\(version)-linux-\(arch)"])
        try #require(tar.status == 0, "tar: \(tar.stderr)")
        try writeChecksum(of: archivePath)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// The archive's SHA-256, as sha256sum prints it.
    func sha256() throws -> String {
        let r = try CLI.run("/usr/bin/env", ["sha256sum", archivePath])
        return String(r.stdout.prefix(64))
    }

    func writeChecksum(of path: String) throws {
        let line = try sha256() + "  " + URL(fileURLWithPath: path).lastPathComponent + "\n"
        try line.write(toFile: checksumPath, atomically: true, encoding: .utf8)
    }

    /// A fresh folder under the release's root (removed with it).
    func folder(_ name: String) -> String { root + "/" + name }

    var standInRan: Bool { FileManager.default.fileExists(atPath: ranMarker) }
}

/// A loopback HTTP server (Python's http.server on 127.0.0.1, an ephemeral port) serving a folder; it
/// stops by itself after a minute at most (and is killed when the test is done).
final class LoopbackFileServer {
    let server: LoopbackPython
    var port: Int { server.port }

    init(serving folder: String) throws {
        let script = """
        import functools, http.server, sys, threading
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        print(server.server_address[1], flush=True)
        threading.Timer(60, server.shutdown).start()
        server.serve_forever()
        """
        server = try LoopbackPython(script: script, arguments: [folder])
    }
}

extension CLI.Result {
    /// The non-empty lines of stderr.
    var errorLines: [Substring] { stderr.split(separator: "\n").filter { !$0.isEmpty } }
}
