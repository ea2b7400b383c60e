import Foundation
import Testing

/// Runs the built `octopost` binary and external tools for end-to-end tests.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// The package root, from this file's path.
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The debug binary `swift build` made (scripts/test.sh builds before testing).
    static let binary: String = {
        for candidate in [".build/debug/octopost", ".build/x86_64-unknown-linux-gnu/debug/octopost",
                          ".build/aarch64-unknown-linux-gnu/debug/octopost"] {
            let path = packageRoot + "/" + candidate
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return packageRoot + "/.build/debug/octopost"
    }()

    /// Runs a program with a hard time limit; a hang is a test failure, not a stuck suite.
    static func run(_ executable: String, _ arguments: [String], cwd: String? = nil, env: [String: String] = [:],
                    stdin: String? = nil, timeout: Double = 60) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for key in environment.keys where key.hasPrefix("OCTOPOST_") { environment[key] = nil }
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        let outData = DataCollector(), errData = DataCollector()
        outPipe.fileHandleForReading.readabilityHandler = { outData.append($0.availableData) }
        errPipe.fileHandleForReading.readabilityHandler = { errData.append($0.availableData) }
        let start = Date()
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? inPipe.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("\(executable) \(arguments) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        outPipe.fileHandleForReading.readabilityHandler = nil
        errPipe.fileHandleForReading.readabilityHandler = nil
        outData.append(outPipe.fileHandleForReading.readDataToEndOfFile())
        errData.append(errPipe.fileHandleForReading.readDataToEndOfFile())
        return Result(status: process.terminationStatus, stdout: outData.string, stderr: errData.string,
                      seconds: Date().timeIntervalSince(start))
    }

    static func octopost(_ arguments: [String], cwd: String? = nil, env: [String: String] = [:], stdin: String? = nil,
                         timeout: Double = 60) throws -> Result {
        try #require(FileManager.default.isExecutableFile(atPath: binary),
                     "build octopost first (scripts/test.sh runs swift build before swift test)")
        return try run(binary, arguments, cwd: cwd, env: env, stdin: stdin, timeout: timeout)
    }

    @discardableResult
    static func git(_ arguments: [String], in dir: String) throws -> Result {
        let r = try run("/usr/bin/env", ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                                         "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"] + arguments,
                        cwd: dir)
        #expect(r.status == 0, "git \(arguments): \(r.stderr)")
        return r
    }
}

final class DataCollector: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    func append(_ d: Data) { lock.lock(); data.append(d); lock.unlock() }
    var string: String { lock.lock(); defer { lock.unlock() }; return String(decoding: data, as: UTF8.self) }
}

/// A temporary content repository on disk, removed when the test ends.
final class TempRepo {
    let path: String

    init(config: String = "timezone: Europe/Berlin\n", files: [String: String] = [:]) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try CLI.git(["init", "-q"], in: path)
        try write("octopost.yaml", config)
        for (name, text) in files { try write(name, text) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ relative: String, _ text: String) throws { try write(relative, Array(text.utf8)) }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func commit(_ message: String = "commit") throws {
        try CLI.git(["add", "-A"], in: path)
        try CLI.git(["commit", "-q", "-m", message, "--allow-empty"], in: path)
    }

    func lint(_ extra: [String] = [], env: [String: String] = [:]) throws -> CLI.Result {
        try CLI.octopost(["lint", "--repo", path] + extra, env: env)
    }
}

/// Small real media files.
enum Fixtures {
    /// A 1×1 PNG.
    static let png: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
        0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x02, 0x00,
        0x00, 0x05, 0x00, 0x01, 0xE9, 0xFA, 0xDC, 0xD8, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
        0xAE, 0x42, 0x60, 0x82,
    ]
}
