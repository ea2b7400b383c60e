import Foundation
import OctopostGit
import Testing
@testable import OctopostKit

/// Runs git (the CLI) to build fixtures; the product itself never shells out.
@discardableResult
func gitCLI(_ args: [String], in dir: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main",
                   "-c", "commit.gpgsign=false"] + args
    p.currentDirectoryURL = URL(fileURLWithPath: dir)
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    if p.terminationStatus != 0 {
        Issue.record("git \(args) failed: \(String(decoding: errData, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}

func tempDir(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A content repository with posts committed on main.
final class SyncRepo: @unchecked Sendable {
    let path: String
    var cleanup: [String] = []

    init(config: String = "timezone: UTC\n", posts: [String: String]) throws {
        path = tempDir("sync")
        cleanup.append(path)
        try gitCLI(["init", "-q"], in: path)
        try write("octopost.yaml", config)
        for (name, text) in posts { try write("content/\(name).md", text) }
        try commitAll("posts")
    }

    /// A clone of `remote` (a bare repository path).
    init(cloning remote: String) throws {
        let parent = tempDir("clone")
        path = parent + "/work"
        cleanup.append(parent)
        try gitCLI(["clone", "-q", remote, path], in: parent)
    }

    deinit { for p in cleanup { try? FileManager.default.removeItem(atPath: p) } }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path + "/" + relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: path + "/" + relative).map { String(decoding: $0, as: UTF8.self) }
    }

    func commitAll(_ message: String) throws {
        try gitCLI(["add", "-A"], in: path)
        try gitCLI(["commit", "-q", "-m", message], in: path)
    }

    func log() throws -> [String] {
        try gitCLI(["log", "--format=%s"], in: path).split(separator: "\n").map(String.init)
    }

    func record(_ id: String) throws -> LedgerRecord? {
        guard let text = read("ledger/\(id).json") else { return nil }
        return try LedgerRecord.decode(Array(text.utf8), file: id)
    }

    /// Makes a bare remote from this repository and sets it as `origin`.
    func makeRemote() throws -> String {
        let bare = tempDir("remote") + "/remote.git"
        cleanup.append((bare as NSString).deletingLastPathComponent)
        try gitCLI(["clone", "-q", "--bare", path, bare], in: path)
        try gitCLI(["remote", "add", "origin", bare], in: path)
        try gitCLI(["fetch", "-q", "origin"], in: path)
        try gitCLI(["branch", "-q", "--set-upstream-to=origin/main", "main"], in: path)
        return bare
    }

    func engine(now: Date, adapters: FakePlatforms, environment: [String: String] = FakePlatforms.credentials,
                push: Bool = false, dryRun: Bool = false, recovery: RecoveryCapability? = nil,
                stop: StopFlag = StopFlag()) throws -> SyncEngine {
        let git = try LibGit2Repository.open(at: path)
        let loaded = ConfigLoader.load(bytes: Array((read("octopost.yaml") ?? "").utf8))
        #expect(loaded.errors.isEmpty)
        return SyncEngine(git: git, config: loaded.config, environment: environment,
                          http: ClosureHTTPClient { _ throws(HTTPTransportError) in throw .connection("no network in tests") },
                          adapters: { context throws(PublishError) in FakeAdapter(target: context.target, platforms: adapters) },
                          // The planner learns each fake platform's recovery modes, as the CLI does from the registry.
                          recovery: recovery ?? { target in adapters.modes[target.key] ?? Planner.defaultRecovery(target) },
                          clock: { now }, sleep: { _ in }, runID: "run-\(UUID().uuidString.prefix(6))", push: push,
                          dryRun: dryRun, stop: stop)
    }
}

/// Scriptable platforms: every call is recorded; behaviour per target.
final class FakePlatforms: @unchecked Sendable {
    static let credentials = [
        "OCTOPOST_MASTODON_TOKEN": "mastodon-secret-token", "OCTOPOST_BLUESKY_IDENTIFIER": "me.bsky.social",
        "OCTOPOST_BLUESKY_APP_PASSWORD": "bluesky-app-password", "OCTOPOST_TELEGRAM_BOT_TOKEN": "123:telegram-secret",
        "OCTOPOST_TELEGRAM_CHAT_ID": "@chan", "OCTOPOST_SLACK_TOKEN": "xoxb-slack-secret", "OCTOPOST_SLACK_CHANNEL": "C1",
    ]

    struct Call: Sendable { var target: String; var index: Int; var text: String; var parent: String?; var key: String }

    private let lock = NSLock()
    private var _calls: [Call] = []
    private var counter = 0
    /// Answers by target key: an error to throw, or nil for success (default).
    var behaviour: [String: @Sendable (OutgoingPart) -> PublishError?] = [:]
    var existing: [String: SegmentResult] = [:]
    /// How long each request takes.
    var delay: TimeInterval = 0
    /// Recovery modes by target key (default: none).
    var modes: [String: [RecoveryMode]] = [:]

    var calls: [Call] { lock.withLock { _calls } }

    func publish(_ target: String, _ part: OutgoingPart) throws(PublishError) -> SegmentResult {
        let n: Int = lock.withLock {
            _calls.append(Call(target: target, index: part.index, text: part.text, parent: part.parent?.postID,
                               key: part.idempotencyKey))
            counter += 1
            return counter
        }
        if let b = lock.withLock({ behaviour[target] }), let error = b(part) { throw error }
        return SegmentResult(postID: "\(target)-\(n)", postURL: "https://\(target).example/p/\(n)")
    }
}

struct FakeAdapter: PlatformAdapter {
    let target: PlatformTarget
    let platforms: FakePlatforms
    var recoveryModes: [RecoveryMode] { platforms.modes[target.key] ?? [] }

    func publish(_ part: OutgoingPart, of post: Post) async throws(PublishError) -> SegmentResult {
        if platforms.delay > 0 { try? await Task.sleep(nanoseconds: UInt64(platforms.delay * 1e9)) }
        return try platforms.publish(target.key, part)
    }

    func findExisting(_ part: OutgoingPart, of post: Post, since: Date) async throws(PublishError) -> SegmentResult? {
        platforms.existing[part.idempotencyKey]
    }
}

func date(_ s: String) -> Date { try! Timestamp.resolve(s, timeZone: nil).instant }

func post(_ platforms: String, at time: String? = "2026-05-01T09:00:00Z", body: String = "Hello", extra: String = "") -> String {
    "---\nplatforms: [\(platforms)]\n" + (time.map { "scheduled_for: \($0)\n" } ?? "") + extra + "---\n\(body)\n"
}
