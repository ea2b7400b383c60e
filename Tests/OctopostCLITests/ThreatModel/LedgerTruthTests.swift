import Foundation
import OctopostKit
import OctopostSandbox
import Testing

/// Issue 7, items 1 (and 1b), 13 and 14: the committed ledger is the one source of truth for a run; one sync at a
/// time per working tree; the record of what was published is never rewritten.
@Suite("Threat model: ledger truth and concurrent runs", .serialized)
struct ThreatModelLedgerTruthTests {
    static func posts(_ ids: [String], platforms: [String] = ["mastodon"], at: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: ids.map {
            ("content/\($0).md", PostFile.make(platforms: platforms, at: at, body: "ledger truth \($0)"))
        })
    }

    static func texts(_ world: SyncWorld, _ platform: String) async -> [String] {
        (await world.posts()[platform] ?? []).map(\.text).sorted()
    }

    static func subjects(_ path: String) async throws -> [String] {
        try await Async.git(["log", "--format=%s"], in: path).stdout.split(separator: "\n").map(String.init)
    }

    @Test("7.1 a ledger file deleted or edited in the working tree never publishes its post again",
          .timeLimit(.minutes(3)))
    func deletedOrEditedLedgerFileNeverRepublishes() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: Self.posts(["a", "b"], at: at), platforms: [.mastodon])
        let first = try await world.sync()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(await Self.texts(world, "mastodon") == ["ledger truth a", "ledger truth b"])

        // The attack: a.json deleted, b.json's entry edited back to pending, neither committed.
        try FileManager.default.removeItem(atPath: world.path + "/ledger/a.json")
        let bPath = world.path + "/ledger/b.json"
        var b = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bPath))) as? [String: Any])
        var entries = Ledger.entries(b)
        entries["mastodon"]?["status"] = "pending"
        entries["mastodon"]?["success"] = false
        b["platform_results"] = entries
        try JSONSerialization.data(withJSONObject: b, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: bPath))
        // Another post merged meanwhile: it must still go out.
        try Data(PostFile.make(platforms: ["mastodon"], at: at, body: "ledger truth c").utf8)
            .write(to: URL(fileURLWithPath: world.path + "/content/c.md"))
        try await Async.git(["add", "content/c.md"], in: world.path)
        try await Async.git(["commit", "-qm", "post c"], in: world.path)

        let second = try await world.sync(advance: 60)
        print("7.1 refused: exit \(second.status); stderr: \(second.stderr)")
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(await Self.texts(world, "mastodon") == ["ledger truth a", "ledger truth b", "ledger truth c"],
                "a post was published twice: \(second.stderr)")
        // Each refusal names the file and the way out.
        #expect(second.stderr.contains("ledger/a.json") && second.stderr.contains("git checkout -- ledger/a.json"),
                "\(second.stderr)")
        #expect(second.stderr.contains("ledger/b.json") && second.stderr.contains("platform_results.mastodon"),
                "\(second.stderr)")
        // HEAD still says both were published; the hand changes were neither committed nor overwritten.
        let committed = try await Ledger.committed(world.path)
        for id in ["a", "b", "c"] {
            #expect(Ledger.entries(Ledger.parse(committed[id] ?? ""))["mastodon"]?["status"] as? String == "published", "\(id)")
        }
        #expect(!FileManager.default.fileExists(atPath: world.path + "/ledger/a.json"))

        // Restored as the message says: the next run is quiet and sends nothing.
        try await Async.git(["checkout", "--", "ledger/a.json", "ledger/b.json"], in: world.path)
        let third = try await world.sync(advance: 120)
        #expect(third.status == 0 && !third.stderr.contains("ledger/"), "\(third.stderr)")
        #expect(await Self.texts(world, "mastodon").count == 3)
        await world.stop()
    }

    @Test("7.1b results a killed run left on disk are never erased when the claim carrying them cannot be pushed",
          .timeLimit(.minutes(3)))
    func recoveredResultsSurviveARefusedClaim() async throws {
        // Telegram: nothing can find a message that was sent, so a lost result is an `unknown` for a human.
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: Self.posts(["a"], platforms: ["telegram"], at: at), platforms: [.telegram])
        let dir = try TempDir("octopost-claim-refused")
        let bare = dir.path + "/remote.git"
        try await Async.git(["clone", "-q", "--bare", world.path, bare], in: dir.path)
        try await Async.git(["remote", "add", "origin", bare], in: world.path)
        try await Async.git(["fetch", "-q", "origin"], in: world.path)
        let first = try await world.sync(["--push"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let sent = try #require(await world.posts()["telegram"]?.first)

        // The state a run killed right after Telegram answered leaves: HEAD (and the remote) say `publishing`
        // under its lease; the working tree holds the answer, which exists nowhere else.
        let path = world.path + "/ledger/a.json"
        let result = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var entries = Ledger.entries(result)
        #expect(entries["telegram"]?["post_id"] as? String == sent.id)
        entries["telegram"]?["run_id"] = "killed-run"
        var claim = result
        var claimed = try #require(entries["telegram"])
        claimed["status"] = "publishing"
        claimed["lease_until"] = Timestamp.format(world.t0.addingTimeInterval(60))
        claimed["success"] = false
        for key in ["post_id", "post_url", "published_at"] { claimed[key] = nil }
        claim["platform_results"] = ["telegram": claimed]
        claim["status"] = "publishing"
        claim["published_at"] = nil
        try JSONSerialization.data(withJSONObject: claim, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
        // Another post is due in the same run, so the claim commit has work of its own too.
        try world.repo.write("content/b.md", PostFile.make(platforms: ["telegram"], at: at, body: "ledger truth b"))
        try await Async.git(["add", "-A"], in: world.path)
        try await Async.git(["commit", "-qm", "a run killed after telegram answered; post b"], in: world.path)
        try await Async.git(["push", "-q", "origin", "main"], in: world.path)
        var killed = result
        killed["platform_results"] = entries
        try JSONSerialization.data(withJSONObject: killed, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
        let head = try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout

        func onDisk() -> [String: Any] { Ledger.entries(Ledger.onDisk(world.path)["a"] ?? [:])["telegram"] ?? [:] }

        // The attack: the remote refuses the claim commit (its hook), then cannot be reached at all.
        try ThreatModelGitAndSandboxTests.install("pre-receive", "#!/bin/sh\necho 'frozen for the release' >&2\nexit 1\n", in: bare)
        let refused = try await world.sync(["--push"], advance: 60)
        print("7.1b refused: exit \(refused.status); stderr: \(refused.stderr)")
        #expect(refused.status == 2 && refused.stderr.contains("frozen for the release"), "\(refused.stdout)\(refused.stderr)")
        #expect(onDisk()["status"] as? String == "published" && onDisk()["post_id"] as? String == sent.id,
                "the result a killed run left was erased: \(onDisk())")
        #expect(try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout == head, "the claim was not taken back")
        try await Async.git(["config", "remote.origin.pushurl", dir.path + "/gone.git"], in: world.path)
        let unreachable = try await world.sync(["--push"], advance: 90)
        #expect(unreachable.status == 2, "\(unreachable.stdout)\(unreachable.stderr)")
        #expect(onDisk()["status"] as? String == "published" && onDisk()["post_id"] as? String == sent.id,
                "the result a killed run left was erased: \(onDisk())")
        #expect(await world.posts()["telegram"]?.count == 1, "a post went out without its claim on the remote")

        // The remote takes pushes again: the result is recorded as it was, b goes out once, a never again.
        try await Async.git(["config", "--unset", "remote.origin.pushurl"], in: world.path)
        try FileManager.default.removeItem(atPath: bare + "/hooks/pre-receive")
        let next = try await world.sync(["--push"], advance: 120)
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(await Self.texts(world, "telegram") == ["ledger truth a", "ledger truth b"], "\(next.stderr)")
        let committed = Ledger.entries(Ledger.parse(try await Ledger.committed(bare, rev: "main", bare: true)["a"] ?? ""))
        #expect(committed["telegram"]?["status"] as? String == "published", "\(committed)")
        #expect(committed["telegram"]?["post_id"] as? String == sent.id, "\(committed)")
        #expect(try await Async.git(["status", "--porcelain"], in: world.path).stdout.isEmpty)
        await world.stop()
    }

    @Test("7.13 a second sync on the same working tree never runs beside the first", .timeLimit(.minutes(4)))
    func secondSyncOnOneWorkingTreeExitsTwo() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: Self.posts(["s0", "s1", "s2", "s3"], at: at), platforms: [.mastodon],
                                              latency: [.mastodon: 0.5])
        let winner = try world.spawnSync(["--verbose"])
        let deadline = Date().addingTimeInterval(30)
        while !winner.stderrSoFar.contains("claimed ") && winner.isRunning && Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(winner.isRunning, "the first run ended too early to test anything: \(winner.stderrSoFar)")
        let loser = try await world.sync()
        let dry = try await world.sync(["--dry-run"])
        let w = await winner.wait(timeout: 60)
        #expect(loser.status == 2, "\(loser.stdout)\(loser.stderr)")
        #expect(loser.stderr.contains("another octopost sync is running in this working tree (pid \(winner.pid))"),
                "\(loser.stderr)")
        #expect(dry.status == 0, "plan and --dry-run take no lock: \(dry.stderr)")
        #expect(w.status == 0, "\(w.stderr)")
        #expect(Summary(w.stdout)?.published == 4, "\(w.stdout)")
        #expect(await Self.texts(world, "mastodon") == ["ledger truth s0", "ledger truth s1", "ledger truth s2", "ledger truth s3"])
        // The loser committed nothing: no half-finished results of the winner's recorded as "interrupted".
        let log = try await Self.subjects(world.path)
        #expect(!log.contains { $0.contains("interrupted") }, "\(log)")
        #expect(try await Async.git(["status", "--porcelain"], in: world.path).stdout.isEmpty)

        // --watch holds the lock for its whole life.
        let watcher = try world.spawnSync(["--watch", "--interval", "1s"], advance: 60)
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let beside = try await world.sync(advance: 60)
        #expect(beside.status == 2 && beside.stderr.contains("(pid \(watcher.pid))"), "\(beside.stderr)")
        watcher.signal(SIGTERM)
        _ = await watcher.wait(timeout: 30)

        // A run killed holding the lock leaves it stale, never stuck: the next run goes ahead.
        try Data(PostFile.make(platforms: ["mastodon"], at: at, body: "ledger truth k").utf8)
            .write(to: URL(fileURLWithPath: world.path + "/content/k.md"))
        try await Async.git(["add", "content/k.md"], in: world.path)
        try await Async.git(["commit", "-qm", "post k"], in: world.path)
        let killed = try world.spawnSync(["--verbose"], advance: 120)
        while !killed.stderrSoFar.contains("claimed ") && killed.isRunning { try await Task.sleep(nanoseconds: 5_000_000) }
        #expect(killed.signal(SIGKILL))
        _ = await killed.wait(timeout: 30)
        let after = try await world.sync(advance: 120 + 601)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(!after.stderr.contains("another octopost sync"), "\(after.stderr)")
        #expect(await Self.texts(world, "mastodon").filter { $0 == "ledger truth k" }.count == 1)
        await world.stop()
    }

    @Test("7.14 editing a published post never rewrites the record of what was published", .timeLimit(.minutes(3)))
    func editingAPublishedPostKeepsItsContentHash() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        var files = Self.posts(["e"], at: at)
        // m: published on Mastodon, failed on Telegram (a permanent 401).
        files["content/m.md"] = PostFile.make(platforms: ["mastodon", "telegram"], at: at, body: "ledger truth m")
        let world = try await SyncWorld.start(posts: files, platforms: [.mastodon, .telegram])
        await world.sandbox[.telegram]?.enqueue(SandboxFault(.status(401, retryAfter: nil)))
        let first = try await world.sync()
        #expect(first.status == 1, "the telegram 401 fails: \(first.stdout)\(first.stderr)")
        let before = try await Ledger.committed(world.path)
        #expect(Ledger.entries(Ledger.parse(before["m"] ?? ""))["telegram"]?["status"] as? String == "failed")
        let commitsBefore = try await Self.subjects(world.path).count

        // The edit, merged after publishing.
        for id in ["e", "m"] {
            try Data(PostFile.make(platforms: id == "m" ? ["mastodon", "telegram"] : ["mastodon"], at: at,
                                   body: "ledger truth \(id), edited").utf8)
                .write(to: URL(fileURLWithPath: world.path + "/content/\(id).md"))
        }
        try await Async.git(["commit", "-qam", "edit published posts"], in: world.path)
        let second = try await world.sync(advance: 60)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")

        let after = try await Ledger.committed(world.path)
        for id in ["e", "m"] {
            let was = Ledger.parse(before[id] ?? ""), now = Ledger.parse(after[id] ?? "")
            #expect(now["content_sha256"] as? String == was["content_sha256"] as? String, "\(id): \(after[id] ?? "")")
            #expect(Ledger.entries(now)["mastodon"]?["post_id"] as? String == Ledger.entries(was)["mastodon"]?["post_id"] as? String)
            #expect(Ledger.entries(now)["mastodon"]?["content_sha256"] == nil, "the published entry says nothing new")
        }
        #expect(after["e"] == before["e"], "e: the record changed:\n\(before["e"] ?? "")\n\(after["e"] ?? "")")
        #expect(await Self.texts(world, "mastodon") == ["ledger truth e", "ledger truth m"], "republished")
        // Edit and retry (SPEC §7): m's failed Telegram entry goes out with the edited file, and says so.
        #expect(await Self.texts(world, "telegram") == ["ledger truth m, edited"])
        let telegram = Ledger.entries(Ledger.parse(after["m"] ?? ""))["telegram"]
        #expect(telegram?["status"] as? String == "published")
        let edited = try [UInt8](Data(contentsOf: URL(fileURLWithPath: world.path + "/content/m.md")))
        #expect(telegram?["content_sha256"] as? String == PostSnapshot.sha256Hex(edited))
        // Commits say what they hold: the claim of the one retried entry and its result; never "record 0 …".
        let log = try await Self.subjects(world.path)
        #expect(log.count == commitsBefore + 3, "\(log)")
        #expect(!log.contains { $0.contains("record 0") }, "\(log)")
        #expect(try await Async.git(["status", "--porcelain"], in: world.path).stdout.isEmpty)
        await world.stop()
    }
}
