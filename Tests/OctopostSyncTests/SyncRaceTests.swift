import Foundation
import OctopostGit
import Testing
@testable import OctopostKit

@Suite struct SyncRaceTests {
    let t0 = date("2026-05-01T09:00:30Z")

    @Test func theClaimReachesTheRemoteBeforeAnyRequest() async throws {
        let origin = try SyncRepo(posts: ["p": post("mastodon")])
        let bare = try origin.makeRemote()
        let fake = FakePlatforms()
        fake.behaviour["mastodon"] = { _ in
            let remoteLedger = (try? gitCLI(["--git-dir=\(bare)", "show", "main:ledger/p.json"], in: "/")) ?? ""
            return remoteLedger.contains("\"status\": \"publishing\"") ? nil : PublishError(.permanent, "claim not on the remote")
        }
        let report = try await origin.engine(now: t0, adapters: fake, push: true).run()
        #expect(report.count(.published) == 1, "\(report.entries)")
        let remoteLedger = try gitCLI(["--git-dir=\(bare)", "show", "main:ledger/p.json"], in: "/")
        #expect(remoteLedger.contains("\"status\": \"published\""))
        #expect(try gitCLI(["--git-dir=\(bare)", "log", "--format=%s", "main"], in: "/").hasPrefix("octopost: published 1 entry"))
    }

    @Test(arguments: 0..<3)
    func twoRunsRacingPublishEachEntryOnce(trial: Int) async throws {
        let posts = Dictionary(uniqueKeysWithValues: (0..<6).map { ("p\($0)", post("mastodon, bluesky", body: "Post \($0)")) })
        let origin = try SyncRepo(posts: posts)
        let bare = try origin.makeRemote()
        let a = try SyncRepo(cloning: bare)
        let b = try SyncRepo(cloning: bare)
        let fake = FakePlatforms()
        let engineA = try a.engine(now: t0, adapters: fake, push: true)
        let engineB = try b.engine(now: t0, adapters: fake, push: true)
        async let ra = engineA.run()
        async let rb = engineB.run()
        let (reportA, reportB) = try await (ra, rb)
        let published = reportA.count(.published) + reportB.count(.published)
        #expect(published == 12)
        let sent = fake.calls.map { "\($0.target) \($0.text)" }
        #expect(sent.count == 12)
        #expect(Set(sent).count == 12)
        // The remote's ledger agrees.
        for i in 0..<6 {
            let text = try gitCLI(["--git-dir=\(bare)", "show", "main:ledger/p\(i).json"], in: "/")
            let record = try LedgerRecord.decode(Array(text.utf8), file: "p\(i)")
            #expect(record.status == .published)
        }
    }

    @Test func aRemoteThatMovedIsCaughtUpBeforePlanning() async throws {
        let origin = try SyncRepo(posts: ["p": post("mastodon")])
        let bare = try origin.makeRemote()
        let other = try SyncRepo(cloning: bare)
        try other.write("content/q.md", post("mastodon", body: "Merged elsewhere"))
        try other.commitAll("add q")
        try gitCLI(["push", "-q", "origin", "main"], in: other.path)
        let fake = FakePlatforms()
        _ = try await origin.engine(now: t0, adapters: fake, push: true).run()
        #expect(Set(fake.calls.map(\.text)) == ["Hello", "Merged elsewhere"])
    }
}
