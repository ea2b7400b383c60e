import Foundation
import OctopostKit
import OctopostSandbox
import Testing

/// A child process waited on without blocking a thread: the emulators share the test process's
/// cooperative pool (two threads on a two-core machine), so every wait here is a `Task.sleep` poll.
final class Child: @unchecked Sendable {
    let process = Process()
    let arguments: [String]
    /// Output goes to files, not pipes: no reader threads, and a killed child leaves nothing half-read.
    private let outPath: String, errPath: String
    let started = Date()
    /// Foundation's `Process.run` is not safe to call from several threads at once (seen crashing in memcpy).
    private static let spawnLock = NSLock()

    init(_ executable: String, _ arguments: [String], cwd: String? = nil, env: [String: String] = [:]) throws {
        self.arguments = arguments
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-child-\(UUID().uuidString)").path
        outPath = base + ".out"
        errPath = base + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for key in environment.keys where key.hasPrefix("OCTOPOST_") || key == "GITHUB_STEP_SUMMARY" {
            environment[key] = nil
        }
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let out = FileHandle(forWritingAtPath: outPath), err = FileHandle(forWritingAtPath: errPath)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        defer { try? out?.close(); try? err?.close() }
        try Self.spawnLock.withLock { try process.run() }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }

    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }
    /// What the process wrote to stderr so far.
    var stderrSoFar: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }

    /// Sends a signal if the process still runs; true when it was sent.
    @discardableResult
    func signal(_ sig: Int32) -> Bool {
        guard process.isRunning else { return false }
        return kill(process.processIdentifier, sig) == 0
    }

    /// Waits for the exit; past `timeout` the process is killed and the test fails.
    func wait(timeout: Double) async -> CLI.Result {
        let deadline = started.addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 5_000_000) }
        var timedOut = false
        if process.isRunning {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(nanoseconds: 5_000_000) }
        }
        let read = { (path: String) in
            String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        let result = CLI.Result(status: process.terminationStatus, stdout: read(outPath), stderr: read(errPath),
                                seconds: Date().timeIntervalSince(started))
        if timedOut { Issue.record("\(arguments) did not finish within \(timeout) s; stderr: \(result.stderr)") }
        return result
    }

    var killedBySignal: Bool { process.terminationReason == .uncaughtSignal }
}

enum Async {
    /// Runs a program to completion (bounded).
    static func run(_ executable: String, _ arguments: [String], cwd: String? = nil, env: [String: String] = [:],
                    timeout: Double = 60) async throws -> CLI.Result {
        try await Child(executable, arguments, cwd: cwd, env: env).wait(timeout: timeout)
    }

    @discardableResult
    static func git(_ arguments: [String], in dir: String, check: Bool = true) async throws -> CLI.Result {
        let r = try await run("/usr/bin/env", ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com",
                                               "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"] + arguments,
                              cwd: dir, timeout: 60)
        if check { #expect(r.status == 0, "git \(arguments): \(r.stderr)") }
        return r
    }

    static func octopost(_ arguments: [String], cwd: String? = nil, env: [String: String] = [:],
                         timeout: Double = 60) async throws -> CLI.Result {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.binary), "build octopost first")
        return try await run(CLI.binary, arguments, cwd: cwd, env: env, timeout: timeout)
    }

    static func spawnOctopost(_ arguments: [String], cwd: String? = nil, env: [String: String] = [:]) throws -> Child {
        try #require(FileManager.default.isExecutableFile(atPath: CLI.binary), "build octopost first")
        return try Child(CLI.binary, arguments, cwd: cwd, env: env)
    }
}

/// The emulators' clock: real time plus an offset the test moves with octopost's `OCTOPOST_NOW`, so
/// the platform's idempotency window and post timestamps agree with octopost's view of time.
final class SharedOffset: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: TimeInterval = 0
    var value: TimeInterval {
        get { lock.withLock { seconds } }
        set { lock.withLock { seconds = newValue } }
    }
}

/// A temporary content repository plus its own emulators.
final class SyncWorld {
    let repo: TempRepo
    let sandbox: Sandbox
    let offset: SharedOffset
    /// octopost's clock for the first run: real time, whole seconds.
    let t0: Date
    var path: String { repo.path }

    static func start(config: String = SyncWorld.defaultConfig, posts: [String: String],
                      platforms: Set<Platform> = [.mastodon, .bluesky, .telegram],
                      latency: [Platform: Double] = [:], overrides: [Platform: EmulatorConfiguration] = [:],
                      commit: Bool = true) async throws -> SyncWorld {
        let repo = try TempRepo(config: config, files: posts)
        if commit { try await Async.git(["add", "-A"], in: repo.path); try await Async.git(["commit", "-q", "-m", "posts"], in: repo.path) }
        let offset = SharedOffset()
        var configs: [Platform: EmulatorConfiguration] = [:]
        for p in platforms {
            var c = overrides[p] ?? EmulatorConfiguration()
            c.latency = latency[p] ?? c.latency
            c.now = { Date().addingTimeInterval(offset.value) }
            configs[p] = c
        }
        let sandbox = try await Sandbox.start(platforms, overrides: configs)
        return SyncWorld(repo: repo, sandbox: sandbox, offset: offset)
    }

    private init(repo: TempRepo, sandbox: Sandbox, offset: SharedOffset) {
        self.repo = repo
        self.sandbox = sandbox
        self.offset = offset
        self.t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
    }

    func stop() async { await sandbox.stop() }

    static let defaultConfig = "timezone: UTC\n"

    /// The environment for a run at `t0 + advance` (the emulators' clock moves along).
    func environment(advance: TimeInterval = 0, extra: [String: String] = [:]) -> [String: String] {
        offset.value = advance
        var env: [String: String] = [:]
        for (k, v) in sandbox.environment { env[k] = v }
        env["OCTOPOST_NOW"] = Timestamp.format(t0.addingTimeInterval(advance))
        for (k, v) in extra { env[k] = v }
        return env
    }

    func spawnSync(_ extra: [String] = [], advance: TimeInterval = 0, env: [String: String] = [:]) throws -> Child {
        try Async.spawnOctopost(["sync", "--repo", path] + extra, env: environment(advance: advance, extra: env))
    }

    func sync(_ extra: [String] = [], advance: TimeInterval = 0, env: [String: String] = [:],
              timeout: Double = 60) async throws -> CLI.Result {
        try await spawnSync(extra, advance: advance, env: env).wait(timeout: timeout)
    }

    /// Every post the emulators hold, by platform.
    func posts() async -> [String: [SandboxPost]] {
        var out: [String: [SandboxPost]] = [:]
        for (p, e) in sandbox.emulators { out[p.rawValue] = await e.posts() }
        return out
    }

    /// Lock files libgit2 or git left under .git.
    func lockFiles() -> [String] { Ledger.lockFiles(gitDir: path + "/.git") }

    var scheduledForPast: String { Timestamp.format(t0.addingTimeInterval(-60)) }
}

/// Reading ledger files and git state from the outside (JSON, git CLI): the test does not trust octopost's types.
enum Ledger {
    static func lockFiles(gitDir: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: gitDir) else { return [] }
        var found: [String] = []
        while let f = e.nextObject() as? String {
            if !f.hasPrefix("objects/") && f.hasSuffix(".lock") { found.append(f) }
        }
        return found.sorted()
    }

    /// `ledger/**.json` in the working tree, by id.
    static func onDisk(_ repo: String) -> [String: [String: Any]] {
        var out: [String: [String: Any]] = [:]
        let root = repo + "/ledger"
        guard let e = FileManager.default.enumerator(atPath: root) else { return [:] }
        while let f = e.nextObject() as? String {
            guard f.hasSuffix(".json"), !f.split(separator: "/").contains(where: { $0.hasPrefix(".") }) else { continue }
            let data = FileManager.default.contents(atPath: root + "/" + f) ?? Data()
            out[String(f.dropLast(5))] = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? ["__invalid": true]
        }
        return out
    }

    /// Raw bytes of every ledger file in the working tree.
    static func rawOnDisk(_ repo: String) -> [String: String] {
        var out: [String: String] = [:]
        let root = repo + "/ledger"
        guard let e = FileManager.default.enumerator(atPath: root) else { return [:] }
        while let f = e.nextObject() as? String {
            guard f.hasSuffix(".json") else { continue }
            out[String(f.dropLast(5))] = String(decoding: FileManager.default.contents(atPath: root + "/" + f) ?? Data(),
                                                as: UTF8.self)
        }
        return out
    }

    /// The ledger as committed at `rev` (`main`, `HEAD`), read with the git CLI; `gitDir` for bare repos.
    static func committed(_ repo: String, rev: String = "HEAD", bare: Bool = false) async throws -> [String: String] {
        let dirArgs = bare ? ["--git-dir=\(repo)"] : ["-C", repo]
        let list = try await Async.git(dirArgs + ["ls-tree", "-r", "--name-only", rev, "--", "ledger/"], in: "/", check: false)
        var out: [String: String] = [:]
        for path in list.stdout.split(separator: "\n").map(String.init) where path.hasSuffix(".json") {
            let show = try await Async.git(dirArgs + ["show", "\(rev):\(path)"], in: "/")
            out[String(path.dropFirst("ledger/".count).dropLast(5))] = show.stdout
        }
        return out
    }

    static func parse(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    static func entries(_ record: [String: Any]) -> [String: [String: Any]] {
        record["platform_results"] as? [String: [String: Any]] ?? [:]
    }

    /// Every post id the entry references (post_id and each segment's).
    static func postIDs(_ entry: [String: Any]) -> [String] {
        var ids: [String] = []
        if let id = entry["post_id"] as? String { ids.append(id) }
        for s in entry["segments"] as? [[String: Any]] ?? [] { if let id = s["post_id"] as? String { ids.append(id) } }
        return ids
    }
}

/// Post files.
enum PostFile {
    static func make(platforms: [String], at: String, body: String, segments: [String] = [], extra: String = "") -> String {
        var s = "---\nplatforms: [\(platforms.joined(separator: ", "))]\nscheduled_for: \(at)\n"
        if !segments.isEmpty {
            s += "segments:\n" + segments.map { "  - content: \"\($0)\"\n" }.joined()
        }
        return s + extra + "---\n\(body)\n"
    }
}

/// `N published, N failed, N retrying, N unknown, N expired` from the text summary.
struct Summary: Equatable {
    var published = 0, failed = 0, retrying = 0, unknown = 0, expired = 0

    init?(_ stdout: String) {
        guard let line = stdout.split(separator: "\n").last(where: { $0.contains(" published, ") }) else { return nil }
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard numbers.count >= 5 else { return nil }
        (published, failed, retrying, unknown, expired) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4])
    }
}

/// A temporary directory removed when the value goes away.
final class TempDir {
    let path: String
    init(_ prefix: String = "octopost-e2e") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}
