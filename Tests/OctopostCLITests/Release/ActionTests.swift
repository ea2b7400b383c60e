import Foundation
import Testing

/// The GitHub Action (action.yml, whose steps are scripts/action.sh) run as the runner runs it, against
/// a local release, and the YAML of the action, the workflows and the templates against their schemas.
@Suite("Release: GitHub Action and templates") struct ActionTests {
    static let actionScript = CLI.packageRoot + "/scripts/action.sh"

    /// A runner's environment: its files for outputs and PATH, a tool cache, and the action's checkout
    /// at …/_actions/acme/octopost/REF (so the action's own tag is REF).
    final class Runner {
        let root: String
        let actionPath: String
        init(ref: String = "v1.2.3") throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-runner-\(UUID().uuidString)").path
            actionPath = root + "/_actions/acme/octopost/" + ref
            for dir in [actionPath, root + "/tool-cache", root + "/temp"] {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            }
            for file in ["output", "path"] { FileManager.default.createFile(atPath: root + "/" + file, contents: nil) }
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        var env: [String: String] {
            ["GITHUB_OUTPUT": root + "/output", "GITHUB_PATH": root + "/path", "RUNNER_TOOL_CACHE": root + "/tool-cache",
             "RUNNER_TEMP": root + "/temp", "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "GITHUB_ACTION_PATH": actionPath,
             "ACTION_REF": "", "ACTION_REPOSITORY": ""]
        }

        func step(_ verb: String, _ extra: [String: String] = [:]) throws -> CLI.Result {
            try CLI.run("/bin/bash", [ActionTests.actionScript, verb], env: env.merging(extra) { $1 }, timeout: 120)
        }

        /// The outputs the steps wrote so far (the last value of each name wins, as on GitHub).
        var outputs: [String: String] {
            let text = (try? String(contentsOfFile: root + "/output", encoding: .utf8)) ?? ""
            var result: [String: String] = [:]
            for line in text.split(separator: "\n") {
                guard let eq = line.firstIndex(of: "=") else { continue }
                result[String(line[..<eq])] = String(line[line.index(after: eq)...])
            }
            return result
        }

        func clearOutputs() { FileManager.default.createFile(atPath: root + "/output", contents: nil) }
    }

    /// The steps' environment for install, from resolve's outputs.
    func installEnv(_ runner: Runner, _ extra: [String: String] = [:]) -> [String: String] {
        let o = runner.outputs
        return ["RESOLVED_MODE": o["mode"] ?? "", "RESOLVED_VERSION": o["version"] ?? "", "RESOLVED_ARCH": o["arch"] ?? "",
                "RESOLVED_REPOSITORY": o["repository"] ?? ""].merging(extra) { $1 }
    }

    /// A stand-in octopost that prints its arguments one a line and then what `sync` prints, and exits 1.
    func fakeOctopost(in runner: Runner, json: Bool = false) throws -> String {
        let path = runner.root + "/fake-octopost"
        let summary = json ? #"{"entries":[{"status":"published"}],"expired":0,"failed":1,"published":3,"retrying":2,"unknown":0}"#
            : "3 published, 1 failed, 2 retrying, 0 unknown, 0 expired"
        try "#!/bin/sh\nfor a; do echo \"[$a]\"; done\necho '\(summary)'\nexit 1\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test("the action installs the release of its own tag, checked, into the tool cache and onto PATH")
    func installsItsOwnTag() throws {
        let release = try FakeRelease()
        let runner = try Runner(ref: "v1.2.3")
        let resolve = try runner.step("resolve")
        #expect(resolve.status == 0, "\(resolve.stdout)")
        #expect(runner.outputs["mode"] == "archive" && runner.outputs["version"] == "1.2.3")
        #expect(runner.outputs["repository"] == "acme/octopost" && runner.outputs["arch"] == "x86_64")

        let install = try runner.step("install", installEnv(runner, ["INPUT_DOWNLOAD_URL": release.baseURL]))
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        let binary = runner.root + "/tool-cache/octopost/1.2.3/x86_64/octopost"
        #expect(runner.outputs["path"] == binary)
        #expect(runner.outputs["version"] == "1.2.3")
        let path = try String(contentsOfFile: runner.root + "/path", encoding: .utf8)
        #expect(path == runner.root + "/tool-cache/octopost/1.2.3/x86_64\n")
        let marker = try String(contentsOfFile: runner.root + "/tool-cache/octopost/1.2.3/x86_64.complete", encoding: .utf8)
        #expect(marker.trimmingCharacters(in: .newlines) == (try release.sha256()))

        // The next job on this runner takes it from the tool cache: no download (the location is gone).
        let again = try runner.step("install", installEnv(runner, ["INPUT_DOWNLOAD_URL": "file:///nonexistent"]))
        #expect(again.status == 0, "\(again.stdout)")
        #expect(again.stdout.contains("from the tool cache"))
    }

    @Test("an explicit version wins over the action's ref; an arm64 runner gets the arm64 archive")
    func explicitVersionAndArm64() throws {
        let release = try FakeRelease(version: "1.3.0", arch: "arm64")
        let runner = try Runner(ref: "main")
        let resolve = try runner.step("resolve", ["INPUT_VERSION": "v1.3.0", "RUNNER_ARCH": "ARM64"])
        #expect(resolve.status == 0, "\(resolve.stdout)")
        #expect(runner.outputs["mode"] == "archive" && runner.outputs["arch"] == "arm64")
        let install = try runner.step("install", installEnv(runner, ["INPUT_DOWNLOAD_URL": release.baseURL,
                                                                     "INPUT_SHA256": try release.sha256()]))
        #expect(install.status == 0, "\(install.stdout)")
        #expect(runner.outputs["version"] == "1.3.0")
    }

    @Test("a checksum mismatch fails the step in one line and leaves nothing to run")
    func checksumMismatch() throws {
        let release = try FakeRelease()
        try "0000000000000000000000000000000000000000000000000000000000000000  x.tar.gz\n"
            .write(toFile: release.checksumPath, atomically: true, encoding: .utf8)
        let runner = try Runner()
        _ = try runner.step("resolve")
        let install = try runner.step("install", installEnv(runner, ["INPUT_DOWNLOAD_URL": release.baseURL]))
        #expect(install.status == 1)
        let errors = install.stdout.split(separator: "\n").filter { $0.hasPrefix("::error::") }
        #expect(errors.count == 1, "\(install.stdout)")
        #expect(errors.first?.contains("checksum mismatch for octopost-1.2.3-linux-x86_64.tar.gz") == true)
        #expect(!FileManager.default.fileExists(atPath: runner.root + "/tool-cache/octopost/1.2.3/x86_64/octopost"))
        #expect(!FileManager.default.fileExists(atPath: runner.root + "/tool-cache/octopost/1.2.3/x86_64.complete"))
        #expect(runner.outputs["path"] == nil)
        #expect(!release.standInRan)
    }

    @Test("a missing archive fails the step in one line that names the version and what to do")
    func missingArchive() throws {
        let release = try FakeRelease()
        let runner = try Runner()
        _ = try runner.step("resolve", ["INPUT_VERSION": "1.9.0"])
        let install = try runner.step("install", installEnv(runner, ["INPUT_DOWNLOAD_URL": release.baseURL]))
        #expect(install.status == 1)
        let errors = install.stdout.split(separator: "\n").filter { $0.hasPrefix("::error::") }
        #expect(errors.count == 1, "\(install.stdout)")
        #expect(errors.first?.contains("octopost 1.9.0 has no archive for linux-x86_64") == true)
        #expect(errors.first?.contains("check that release 1.9.0 exists") == true)
    }

    @Test("a wrong version, a Windows runner and a runner no archive fits fail in one line at resolve")
    func badInputsAtResolve() throws {
        let cases: [(String, [String: String], String)] = [
            ("v1.2.3", ["INPUT_VERSION": "latest"], "version 'latest' is not a release version"),
            ("v1.2.3", ["INPUT_VERSION": "1.2"], "version '1.2' is not a release version"),
            ("v1.2.3", ["RUNNER_OS": "Windows"], "octopost does not run on Windows runners"),
            ("v1.2.3", ["RUNNER_OS": "macOS", "INPUT_FROM_SOURCE": "never"], "no octopost archive for macOS X64 runners"),
            ("v1.2.3", ["RUNNER_ARCH": "ARM", "INPUT_FROM_SOURCE": "never"], "no octopost archive for Linux ARM runners"),
            ("v1.2.3", ["OCTOPOST_GLIBC_VERSION": "2.35", "INPUT_FROM_SOURCE": "never"],
             "the octopost archive needs glibc 2.36 or later and this runner has 2.35"),
            ("main", ["INPUT_FROM_SOURCE": "never"], "the action's ref 'main' is not a release tag"),
            ("v1.2.3", ["INPUT_FROM_SOURCE": "sometimes"], "from-source is 'sometimes'"),
            // No archive fits and there is no source at the action's path to build.
            ("v1.2.3", ["RUNNER_OS": "macOS"], "no octopost archive fits this macOS X64 runner and there is no source"),
        ]
        for (ref, env, message) in cases {
            let runner = try Runner(ref: ref)
            let r = try runner.step("resolve", env)
            #expect(r.status == 1, "\(env)")
            let errors = r.stdout.split(separator: "\n").filter { $0.hasPrefix("::error::octopost action: ") }
            #expect(errors.count == 1 && errors.first?.contains(message) == true, "\(env): \(r.stdout)")
            #expect(runner.outputs["mode"] == nil)
        }
    }

    @Test("a fork used at a branch, or a macOS runner, builds the action's own source")
    func sourceFallback() throws {
        for (ref, env) in [("my-branch", [String: String]()), ("v1.2.3", ["RUNNER_OS": "macOS"]),
                           ("v1.2.3", ["INPUT_FROM_SOURCE": "always"])] {
            let runner = try Runner(ref: ref)
            try "// swift-tools-version: 6.0\n".write(toFile: runner.actionPath + "/Package.swift", atomically: true, encoding: .utf8)
            let r = try runner.step("resolve", env)
            #expect(r.status == 0, "\(ref) \(env): \(r.stdout)")
            #expect(runner.outputs["mode"] == "source", "\(ref) \(env)")
            #expect(runner.outputs["source-key"]?.count == 16)
        }
        // A version other than the action's ref cannot come from its source.
        let runner = try Runner(ref: "v1.2.3")
        try "// swift-tools-version: 6.0\n".write(toFile: runner.actionPath + "/Package.swift", atomically: true, encoding: .utf8)
        let r = try runner.step("resolve", ["RUNNER_OS": "macOS", "INPUT_VERSION": "1.0.0"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("the source build is of the action's own ref (v1.2.3), not version 1.0.0"))
    }

    @Test("run passes the arguments as shell words without expanding them and sets the sync outputs")
    func runCommand() throws {
        let runner = try Runner()
        let marker = runner.root + "/expanded"
        for json in [false, true] {
            runner.clearOutputs()
            let fake = try fakeOctopost(in: runner, json: json)
            let r = try runner.step("run", ["OCTOPOST_BIN": fake, "INPUT_COMMAND": "sync",
                                            "INPUT_ARGS": "--push --note 'two words' $(touch \(marker)) *"])
            #expect(r.status == 1, "octopost's exit code is the step's")
            #expect(r.stdout.hasPrefix("[sync]\n[--push]\n[--note]\n[two words]\n[$(touch]\n[\(marker))]\n[*]\n"), "\(r.stdout)")
            let o = runner.outputs
            #expect(o["exit-code"] == "1")
            #expect(o["published"] == "3" && o["failed"] == "1" && o["retrying"] == "2" && o["unknown"] == "0"
                    && o["expired"] == "0", "\(o)")
            let saved = try String(contentsOfFile: try #require(o["output-file"]), encoding: .utf8)
            #expect(saved == r.stdout)
        }
        #expect(!FileManager.default.fileExists(atPath: marker))

        let unbalanced = try runner.step("run", ["OCTOPOST_BIN": "/bin/true", "INPUT_COMMAND": "lint", "INPUT_ARGS": "--base 'main"])
        #expect(unbalanced.status == 1 && unbalanced.stdout.contains("::error::octopost action: args has an unmatched quote"))
        let badCommand = try runner.step("run", ["OCTOPOST_BIN": "/bin/true", "INPUT_COMMAND": "lint; rm -rf /"])
        #expect(badCommand.status == 1 && badCommand.stdout.contains("is not an octopost subcommand"))
    }

    // MARK: - YAML against the schemas

    static let setupHint = "check-jsonschema is needed: run scripts/setup.sh"

    func checkJSONSchema(_ schema: String, _ files: [String]) throws -> CLI.Result {
        try CLI.run("/usr/bin/env", ["check-jsonschema", "--builtin-schema", schema] + files, timeout: 120)
    }

    @Test("action.yml is a valid composite action, and the check catches a broken one")
    func actionSchema() throws {
        let probe = try CLI.run("/usr/bin/env", ["check-jsonschema", "--version"])
        try #require(probe.status == 0, Comment(rawValue: Self.setupHint))
        let action = CLI.packageRoot + "/action.yml"
        let r = try checkJSONSchema("vendor.github-actions", [action])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let text = try String(contentsOfFile: action, encoding: .utf8)
        #expect(text.contains("using: composite"))
        for verb in ["resolve", "install", "run"] {
            #expect(text.contains("scripts/action.sh\" \(verb)"), "action.yml runs scripts/action.sh \(verb)")
        }

        // A composite step without `shell:` is invalid: the schema check must say so.
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("action-\(UUID().uuidString).yml").path
        defer { try? FileManager.default.removeItem(atPath: broken) }
        try text.replacingOccurrences(of: "      shell: bash\n", with: "").write(toFile: broken, atomically: true, encoding: .utf8)
        let bad = try checkJSONSchema("vendor.github-actions", [broken])
        #expect(bad.status != 0, "a composite action without shell: passed the schema check")
    }

    @Test("the release workflow and the templates are valid GitHub workflows and GitLab CI files")
    func workflowSchemas() throws {
        let probe = try CLI.run("/usr/bin/env", ["check-jsonschema", "--version"])
        try #require(probe.status == 0, Comment(rawValue: Self.setupHint))
        let root = CLI.packageRoot
        let github = [".github/workflows/release.yml", "ci/github/octopost-lint.yml", "ci/github/octopost-preview.yml",
                      "ci/github/octopost-sync.yml", "ci/from-source/github/octopost-lint.yml",
                      "ci/from-source/github/octopost-sync.yml"].map { root + "/" + $0 }
        let r = try checkJSONSchema("vendor.github-workflows", github)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let gitlab = ["ci/gitlab/octopost-lint.gitlab-ci.yml", "ci/gitlab/octopost-sync.gitlab-ci.yml",
                      "ci/from-source/gitlab/octopost-lint.gitlab-ci.yml",
                      "ci/from-source/gitlab/octopost-sync.gitlab-ci.yml"].map { root + "/" + $0 }
        let g = try checkJSONSchema("vendor.gitlab-ci", gitlab)
        #expect(g.status == 0, "\(g.stdout)\(g.stderr)")
        // The GitHub templates use the action, not a source build.
        for file in github where file.contains("/ci/github/") {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains("uses: OWNER/octopost@v") && !text.contains("swift build"), "\(file)")
        }
    }

    @Test("the GitLab templates' download lines install a checked archive and stop at a mismatch")
    func gitlabDownload() throws {
        for template in ["ci/gitlab/octopost-lint.gitlab-ci.yml", "ci/gitlab/octopost-sync.gitlab-ci.yml"] {
            let text = try String(contentsOfFile: CLI.packageRoot + "/" + template, encoding: .utf8)
            let lines = text.split(separator: "\n").map(String.init)
            let start = try #require(lines.firstIndex { $0.contains("- archive=") }, "\(template)")
            let end = try #require(lines.firstIndex { $0.contains("octopost --version") }, "\(template)")
            let commands = lines[start...end].filter { $0.hasPrefix("    - ") }.map { String($0.dropFirst(6)) }
            for tamper in [false, true] {
                let release = try FakeRelease(version: "1.0.0")
                if tamper { try Data("evil".utf8).write(to: URL(fileURLWithPath: release.archivePath)) }
                let work = release.folder("job")
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
                let script = (["set -e", "OCTOPOST_VERSION=1.0.0", "OCTOPOST_RELEASES=\(release.baseURL)", "OCTOPOST_SHA256="]
                    + commands).joined(separator: "\n")
                    .replacingOccurrences(of: "/opt/octopost", with: release.folder("opt"))
                    .replacingOccurrences(of: "$(uname -m | sed 's/aarch64/arm64/')", with: "x86_64")
                let r = try CLI.run("/bin/bash", ["-c", script], cwd: work)
                if tamper {
                    #expect(r.status != 0, "\(template): a tampered archive was accepted")
                    #expect(!release.standInRan && !FileManager.default.fileExists(atPath: release.folder("opt") + "/octopost"))
                } else {
                    #expect(r.status == 0, "\(template): \(r.stderr)")
                    #expect(r.stdout.contains("1.0.0 (commit "), "\(template)")
                }
            }
        }
    }
}
