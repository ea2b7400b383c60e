import Foundation
import OctopostGit
import Testing
@testable import OctopostKit

@Suite struct SyncEngineTests {
    let t0 = date("2026-05-01T09:00:30Z")

    @Test func publishesWhatIsDueAndLeavesTheRest() async throws {
        let repo = try SyncRepo(posts: [
            "due": post("mastodon, bluesky"),
            "future": post("mastodon", at: "2026-06-01T09:00:00Z"),
            "draft": post("mastodon", at: nil),
            "off": post("mastodon", extra: "draft: true\n"),
        ])
        let fake = FakePlatforms()
        let report = try await repo.engine(now: t0, adapters: fake).run()
        #expect(report.count(.published) == 2)
        #expect(!report.hasFailures)
        #expect(Set(fake.calls.map(\.target)) == ["mastodon", "bluesky"])
        let record = try #require(try repo.record("due"))
        #expect(record.status == .published)
        #expect(record.platformResults["mastodon"]?.postURL?.hasPrefix("https://mastodon.example/p/") == true)
        #expect(record.platformResults["mastodon"]?.success == true)
        #expect(record.platformResults["mastodon"]?.runID == nil)
        #expect(record.publishedAt == "2026-05-01T09:00:30Z")
        #expect(try repo.record("future") == nil)
        #expect(try repo.record("draft") == nil)
        #expect(try repo.record("off") == nil)
        let log = try repo.log()
        #expect(log[0] == "octopost: published 2 entries [skip ci]")
        #expect(log[1].hasPrefix("octopost: claim 2 entries"))
        #expect(log[1].hasSuffix("[skip ci]"))
        #expect(try gitCLI(["status", "--porcelain"], in: repo.path).isEmpty)
        // Nothing is sent twice.
        let again = try await repo.engine(now: t0.addingTimeInterval(3600), adapters: fake).run()
        #expect(again.entries.isEmpty)
        #expect(fake.calls.count == 2)
    }

    @Test func platformsAreIndependentAndFailuresClassified() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon, bluesky, slack")])
        let fake = FakePlatforms()
        fake.behaviour["bluesky"] = { _ in PublishError(.permanent, "Invalid app password") }
        fake.behaviour["slack"] = { _ in PublishError(.transient, "HTTP 503 from slack.com") }
        let report = try await repo.engine(now: t0, adapters: fake).run()
        #expect(report.hasFailures)
        let r = try #require(try repo.record("p"))
        #expect(r.platformResults["mastodon"]?.status == .published)
        #expect(r.platformResults["bluesky"]?.status == .failed)
        #expect(r.platformResults["bluesky"]?.error == "Invalid app password")
        #expect(r.platformResults["bluesky"]?.errorKind == .permanent)
        #expect(r.platformResults["slack"]?.status == .retrying)
        #expect(r.platformResults["slack"]?.nextAttemptAt == "2026-05-01T09:01:30Z")
        #expect(r.status == .publishing)
        #expect(try repo.log()[0] == "octopost: published 1 entry, 1 failed, 1 retrying [skip ci]")
    }

    @Test func retryScheduleThenFailed() async throws {
        let repo = try SyncRepo(posts: ["p": post("slack")])
        let fake = FakePlatforms()
        fake.behaviour["slack"] = { _ in PublishError(.transient, "timeout") }
        var now = t0
        var expected = ["2026-05-01T09:01:30Z", "2026-05-01T09:06:31Z", "2026-05-01T09:21:32Z"]
        for step in 0..<4 {
            let report = try await repo.engine(now: now, adapters: fake).run()
            let e = try #require(try repo.record("p")?.platformResults["slack"])
            if step < 3 {
                #expect(e.status == .retrying)
                #expect(e.nextAttemptAt == expected.removeFirst())
                #expect(!report.hasFailures)
                // Not due before next_attempt_at: a run in between sends nothing.
                let early = try await repo.engine(now: now.addingTimeInterval(30), adapters: fake).run()
                #expect(early.entries.isEmpty)
                now = try #require(e.nextAttemptDate).addingTimeInterval(1)
            } else {
                #expect(e.status == .failed)
                #expect(report.hasFailures)
                #expect(e.attempts == 4)
            }
        }
        #expect(fake.calls.count == 4)
    }

    @Test func rateLimitResetLaterThanTheDelayWins() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon")])
        let fake = FakePlatforms()
        let reset = t0.addingTimeInterval(900)
        fake.behaviour["mastodon"] = { _ in PublishError(.transient, "HTTP 429", notBefore: reset) }
        _ = try await repo.engine(now: t0, adapters: fake).run()
        #expect(try repo.record("p")?.platformResults["mastodon"]?.nextAttemptAt == Timestamp.format(reset))
    }

    @Test func threadResumesAfterTheLastPartThatSucceeded() async throws {
        let repo = try SyncRepo(posts: ["t": post("mastodon", extra: "segments:\n  - content: two\n  - content: three\n")])
        let fake = FakePlatforms()
        fake.behaviour["mastodon"] = { part in
            part.index == 1 ? PublishError(.transient, "HTTP 502") : nil
        }
        _ = try await repo.engine(now: t0, adapters: fake).run()
        let first = try #require(try repo.record("t")?.platformResults["mastodon"])
        #expect(first.status == .retrying)
        #expect(first.segments?.count == 1)
        fake.behaviour["mastodon"] = nil
        _ = try await repo.engine(now: t0.addingTimeInterval(120), adapters: fake).run()
        let done = try #require(try repo.record("t")?.platformResults["mastodon"])
        #expect(done.status == .published)
        #expect(done.segments?.count == 3)
        #expect(fake.calls.map(\.index) == [0, 1, 1, 2])
        #expect(fake.calls[2].parent == first.segments?[0].postID)
        #expect(fake.calls[3].parent == fake.calls[2].parent.map { _ in done.segments![1].postID })
    }

    @Test func stalePostsExpireInsteadOfFlooding() async throws {
        let repo = try SyncRepo(posts: ["old": post("mastodon", at: "2026-04-01T09:00:00Z"), "new": post("mastodon")])
        let fake = FakePlatforms()
        let report = try await repo.engine(now: t0, adapters: fake).run()
        #expect(try repo.record("old")?.platformResults["mastodon"]?.status == .expired)
        #expect(report.count(.expired) == 1)
        #expect(fake.calls.count == 1)
        #expect(!report.hasFailures)
    }

    @Test func editingAFailedPostRetriesIt() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon")])
        let fake = FakePlatforms()
        fake.behaviour["mastodon"] = { _ in PublishError(.permanent, "Validation failed") }
        _ = try await repo.engine(now: t0, adapters: fake).run()
        #expect(try repo.record("p")?.platformResults["mastodon"]?.status == .failed)
        // Unchanged: waits.
        fake.behaviour["mastodon"] = nil
        let idle = try await repo.engine(now: t0.addingTimeInterval(60), adapters: fake).run()
        #expect(idle.entries.isEmpty)
        try repo.write("content/p.md", post("mastodon", body: "Hello, fixed"))
        try repo.commitAll("fix the post")
        _ = try await repo.engine(now: t0.addingTimeInterval(120), adapters: fake).run()
        #expect(try repo.record("p")?.platformResults["mastodon"]?.status == .published)
        #expect(fake.calls.last?.text == "Hello, fixed")
    }

    @Test func dryRunTouchesNothing() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon")])
        let fake = FakePlatforms()
        let before = try repo.log()
        let report = try await repo.engine(now: t0, adapters: fake, dryRun: true).run()
        #expect(report.entries.count == 1)
        #expect(fake.calls.isEmpty)
        #expect(try repo.log() == before)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/ledger"))
    }

    @Test func uncommittedEditsAreNotPublished() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon")])
        try repo.write("content/p.md", post("mastodon", body: "Not merged yet"))
        try repo.write("content/new.md", post("mastodon"))
        let fake = FakePlatforms()
        _ = try await repo.engine(now: t0, adapters: fake).run()
        #expect(fake.calls.map(\.text) == ["Hello"])
    }

    @Test func lintErrorsFailWithoutARequest() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon, bluesky", body: String(repeating: "x", count: 400))])
        let fake = FakePlatforms()
        let report = try await repo.engine(now: t0, adapters: fake).run()
        let r = try #require(try repo.record("p"))
        #expect(r.platformResults["bluesky"]?.status == .failed)
        #expect(r.platformResults["bluesky"]?.error?.contains("400/300 graphemes") == true)
        #expect(r.platformResults["mastodon"]?.status == .published)
        #expect(fake.calls.map(\.target) == ["mastodon"])
        #expect(report.hasFailures)
    }

    @Test func missingCredentialsFailPermanentlyAndNameTheVariable() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon")])
        let report = try await repo.engine(now: t0, adapters: FakePlatforms(), environment: [:]).run()
        let e = try #require(try repo.record("p")?.platformResults["mastodon"])
        #expect(e.status == .failed)
        #expect(e.error?.contains("OCTOPOST_MASTODON_TOKEN") == true)
        #expect(report.hasFailures)
    }

    @Test func secretsNeverReachTheLedgerOrCommits() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon, telegram, slack")])
        let fake = FakePlatforms()
        fake.behaviour["telegram"] = { _ in PublishError(.permanent, "Unauthorized") }
        _ = try await repo.engine(now: t0, adapters: fake).run()
        let history = try gitCLI(["log", "-p", "--all"], in: repo.path)
        for secret in FakePlatforms.credentials.values where secret.count > 8 {
            #expect(!history.contains(secret))
        }
    }

    @Test func wrongBranchIsRefused() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon")])
        try gitCLI(["checkout", "-q", "-b", "feature"], in: repo.path)
        await #expect(throws: SyncError.self) { try await repo.engine(now: t0, adapters: FakePlatforms()).run() }
    }

    @Test func expiredLeaseWithoutRecoveryBecomesUnknown() async throws {
        let repo = try SyncRepo(posts: ["p": post("slack")])
        let fake = FakePlatforms()
        // A run claimed the entry and died before any result.
        let stop = StopFlag()
        _ = stop
        let engine = try repo.engine(now: t0, adapters: fake, dryRun: true)
        let (plan, _, _) = try engine.plan()
        var records = plan.records
        records = try Lease.claim(records, entries: plan.due.map(\.ref), runID: "dead", now: t0)
        let store = LedgerStore(fileSystem: LocalFileSystem(root: repo.path))
        for r in records.values { try store.write(r) }
        try repo.commitAll("octopost: claim [skip ci]")
        // Inside the lease: nothing happens.
        let inside = try await repo.engine(now: t0.addingTimeInterval(60), adapters: fake).run()
        #expect(inside.entries.isEmpty)
        let after = try await repo.engine(now: t0.addingTimeInterval(601), adapters: fake).run()
        #expect(after.count(.unknown) == 1)
        #expect(after.hasFailures)
        #expect(fake.calls.isEmpty)
        #expect(try repo.record("p")?.platformResults["slack"]?.status == .unknown)
    }

    @Test func aLongRunRenewsItsLease() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon")])
        let fake = FakePlatforms()
        fake.delay = 0.6
        var engine = try repo.engine(now: t0, adapters: fake)
        engine.sleep = { seconds in try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
        engine.renewInterval = 0.2
        let report = try await engine.run()
        #expect(report.count(.published) == 1)
        let log = try repo.log()
        #expect(log.contains { $0.hasPrefix("octopost: renew the lease of run") })
        #expect(log[0] == "octopost: published 1 entry [skip ci]")
        #expect(try gitCLI(["status", "--porcelain"], in: repo.path).isEmpty)
    }

    /// A run killed after writing a result and before its final commit: the next run commits that result,
    /// even when the record has nothing left to do (found end to end, SyncEndToEndTests).
    @Test func resultsAKilledRunLeftOnDiskAreCommittedByTheNextRun() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon"), "q": post("mastodon", body: "Other")])
        let fake = FakePlatforms()
        _ = try await repo.engine(now: t0, adapters: fake).run()
        // Simulate the kill: the last commit (the results) never happened; the files on disk stay.
        try gitCLI(["reset", "-q", "--soft", "HEAD~1"], in: repo.path)
        try gitCLI(["reset", "-q"], in: repo.path)
        #expect(!(try gitCLI(["status", "--porcelain"], in: repo.path)).isEmpty)
        let again = try await repo.engine(now: t0.addingTimeInterval(601), adapters: fake).run()
        #expect(again.entries.isEmpty)
        #expect(fake.calls.count == 2)
        #expect(try gitCLI(["status", "--porcelain"], in: repo.path).isEmpty)
        #expect(try repo.log()[0] == "octopost: record 2 results an interrupted run left uncommitted [skip ci]")
        let committed = try gitCLI(["show", "HEAD:ledger/p.json"], in: repo.path)
        #expect(committed.contains("\"status\": \"published\""))
    }

    /// A lost answer (timeout after sending): resent only where that cannot post twice, and the check is
    /// made again when the resend happens (Mastodon's window may have passed by then).
    @Test func aLostAnswerIsResentOnlyWhereThatIsSafe() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon, bluesky, telegram, slack")])
        let fake = FakePlatforms()
        fake.modes = ["mastodon": [.idempotent(window: RecoveryMode.mastodonWindow), .lookup], "bluesky": [.deterministicKey],
                      "slack": [.lookup]]
        let lost = PublishError(.transient, "no answer (timed out)", uncertain: true)
        for target in ["mastodon", "bluesky", "telegram", "slack"] { fake.behaviour[target] = { _ in lost } }
        var engine = try repo.engine(now: t0, adapters: fake)
        engine.sleep = { _ in }
        let report = try await engine.run()
        let r = try #require(try repo.record("p"))
        for target in ["mastodon", "bluesky", "slack"] {
            // Uncertain: kept for the next run to settle, never a plain retry.
            #expect(r.platformResults[target]?.status == .publishing, "\(target)")
            #expect(r.platformResults[target]?.runID == nil)
        }
        #expect(r.platformResults["telegram"]?.status == .unknown)
        #expect(r.platformResults["telegram"]?.error?.contains("octopost retry p --platform telegram") == true)
        #expect(report.hasFailures)
        // An hour later (past Mastodon's window): Mastodon and Slack look first; here the lost requests
        // never arrived, so they are sent; Bluesky resends with its derived key; Telegram is left alone.
        for target in ["mastodon", "bluesky", "telegram", "slack"] { fake.behaviour[target] = nil }
        _ = try await repo.engine(now: t0.addingTimeInterval(3600), adapters: fake).run()
        let calls = Dictionary(grouping: fake.calls, by: \.target).mapValues(\.count)
        #expect(calls == ["mastodon": 2, "bluesky": 2, "slack": 2, "telegram": 1])
        let keys = fake.calls.filter { $0.target == "bluesky" }.map(\.key)
        #expect(Set(keys).count == 1, "the resend carries the first attempt's key")
        #expect(try repo.record("p")?.platformResults["telegram"]?.status == .unknown)
        #expect(try repo.record("p")?.platformResults["mastodon"]?.status == .published)
    }

    /// The lost request did arrive: past the window, the lookup finds it and nothing is sent again.
    @Test func aLostAnswerThatArrivedIsFoundNotResent() async throws {
        let repo = try SyncRepo(posts: ["p": post("mastodon")])
        let fake = FakePlatforms()
        fake.modes = ["mastodon": [.idempotent(window: RecoveryMode.mastodonWindow), .lookup]]
        fake.behaviour["mastodon"] = { _ in PublishError(.transient, "no answer (timed out)", uncertain: true) }
        var engine = try repo.engine(now: t0, adapters: fake)
        engine.sleep = { _ in }
        _ = try await engine.run()
        let key = Publisher.idempotencyKey(id: "p", target: "mastodon", index: 0, round: Timestamp.format(t0))
        fake.existing[key] = SegmentResult(postID: "arrived-1", postURL: "https://m.example/arrived-1")
        fake.behaviour["mastodon"] = nil
        _ = try await repo.engine(now: t0.addingTimeInterval(3600), adapters: fake).run()
        #expect(fake.calls.count == 1)
        #expect(try repo.record("p")?.platformResults["mastodon"]?.postID == "arrived-1")
    }

    @Test func aLostAnswerFoundOnTheAccountIsPublished() async throws {
        let repo = try SyncRepo(posts: ["p": post("slack")])
        let fake = FakePlatforms()
        fake.modes = ["slack": [.lookup]]
        let key = Publisher.idempotencyKey(id: "p", target: "slack", index: 0, round: Timestamp.format(t0))
        fake.existing[key] = SegmentResult(postID: "found-1", postURL: "https://slack.example/found-1")
        fake.behaviour["slack"] = { _ in PublishError(.transient, "connection dropped", uncertain: true) }
        var engine = try repo.engine(now: t0, adapters: fake)
        engine.sleep = { _ in }
        _ = try await engine.run()
        let e = try #require(try repo.record("p")?.platformResults["slack"])
        #expect(e.status == .published)
        #expect(e.postID == "found-1")
    }

    /// A run died mid-request and the post was then made a draft: the entry cannot stay `publishing`.
    @Test func anAbandonedEntryOfADraftBecomesUnknown() async throws {
        let repo = try SyncRepo(posts: ["p": post("slack")])
        let fake = FakePlatforms()
        let engine = try repo.engine(now: t0, adapters: fake, dryRun: true)
        let (plan, _, _) = try engine.plan()
        let claimed = try Lease.claim(plan.records, entries: plan.due.map(\.ref), runID: "dead", now: t0)
        let store = LedgerStore(fileSystem: LocalFileSystem(root: repo.path))
        for r in claimed.values { try store.write(r) }
        try repo.write("content/p.md", post("slack", extra: "draft: true\n"))
        try repo.commitAll("make it a draft")
        let report = try await repo.engine(now: t0.addingTimeInterval(601), adapters: fake).run()
        #expect(try repo.record("p")?.platformResults["slack"]?.status == .unknown)
        #expect(report.count(.unknown) == 1)
        #expect(fake.calls.isEmpty)
    }
}
