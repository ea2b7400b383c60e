import Foundation
import OctopostKit

/// A temporary directory with helpers to build repositories through the git CLI (tests only).
/// Git runs with `-C <dir>` in a child process: the test process's working directory never changes.
/// The directory is removed when the fixture is released.
final class GitFixture: @unchecked Sendable {
    let root: String

    init() throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory()).resolvingSymlinksInPath().path
        root = base + "/octopost-git-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    /// Runs git in `directory` (relative to the fixture root), returns trimmed stdout; throws on failure.
    @discardableResult
    func git(_ directory: String, _ arguments: String...) throws -> String {
        try run(directory, arguments).output
    }

    func run(_ directory: String, _ arguments: [String]) throws -> (output: String, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.isEmpty ? root : path(directory)] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_AUTHOR_NAME"] = "Fixture"
        environment["GIT_AUTHOR_EMAIL"] = "fixture@example.invalid"
        environment["GIT_COMMITTER_NAME"] = "Fixture"
        environment["GIT_COMMITTER_EMAIL"] = "fixture@example.invalid"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if process.terminationStatus != 0 {
            throw FixtureError.git(arguments.joined(separator: " "), String(decoding: errData, as: UTF8.self))
        }
        return (output, process.terminationStatus)
    }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: path(relative))
    }

    /// `git init -b main` in `name` with an initial commit of `files`; returns the commit id.
    @discardableResult
    func makeRepo(_ name: String = "repo", files: [String: String] = ["README.md": "hello\n"]) throws -> String {
        try FileManager.default.createDirectory(atPath: path(name), withIntermediateDirectories: true)
        try git(name, "init", "-q", "-b", "main")
        return try commitFiles(name, files, message: "initial")
    }

    /// Writes `files` in repository `name`, commits all changes, returns the new commit id.
    @discardableResult
    func commitFiles(_ name: String, _ files: [String: String], message: String) throws -> String {
        for (file, text) in files { try write("\(name)/\(file)", text) }
        try git(name, "add", "-A")
        try git(name, "commit", "-q", "--allow-empty", "-m", message)
        return try git(name, "rev-parse", "HEAD")
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case git(String, String)
    var description: String {
        switch self {
        case .git(let args, let stderr): "git \(args) failed: \(stderr)"
        }
    }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}
