import Foundation
import OctopostGit
import Testing
@testable import OctopostKit

/// What a working-tree ledger file that differs from HEAD may be (issue 7.1).
@Suite struct CommittedLedgerTests {
    static let stamp = "2026-04-10T09:00:00Z"

    static func record(_ entries: [String: PlatformResult], sha: String = "sha", source: String = "content/p.md") -> LedgerRecord {
        var r = LedgerRecord(id: "p", source: source, contentSHA256: sha, platformResults: entries, updatedAt: stamp)
        r.refreshStatus()
        return r
    }

    static func entry(_ status: EntryStatus, attempts: Int = 1, run: String? = nil, segments: Int = 0) -> PlatformResult {
        var e = PlatformResult(status: status, attempts: attempts)
        e.runID = run
        if status == .publishing { e.leaseUntil = "2026-04-10T09:10:00Z" }
        if status == .published { e.postID = "1" }
        if segments > 0 { e.segments = (0..<segments).map { SegmentResult(postID: "\($0)") } }
        return e
    }

    static let claimed = record(["mastodon": entry(.publishing, run: "r1"), "telegram": entry(.published)])

    @Test(arguments: [
        entry(.published), entry(.failed), entry(.retrying), entry(.unknown),
        entry(.publishing, run: "r1", segments: 1), entry(.publishing, run: nil),
        entry(.pending, attempts: 0),  // given back before sending (stopped by a signal)
    ])
    func resultsARunWritesAreRecorded(_ result: PlatformResult) {
        var disk = Self.claimed
        disk.platformResults["mastodon"] = result
        disk.refreshStatus()
        #expect(CommittedLedger.unexplained(from: Self.claimed, to: disk) == nil)
        var ledger = CommittedLedger()
        ledger.add(id: "p", path: "ledger/p.json", committed: Self.claimed.encoded(), onDisk: disk.encoded(), previous: nil)
        #expect(ledger.recovered == ["p"] && ledger.records["p"] == disk && ledger.problems.isEmpty)
    }

    @Test func handEditsAreRefusedAndNamed() {
        var cases: [(LedgerRecord, String)] = []
        var r = Self.claimed
        r.platformResults["telegram"] = Self.entry(.pending, attempts: 0)  // published → pending
        cases.append((r, "platform_results.telegram: published in the last commit, pending here"))
        r = Self.claimed
        r.platformResults["mastodon"] = Self.entry(.pending, attempts: 1)  // publishing → pending, not given back
        cases.append((r, "platform_results.mastodon: publishing in the last commit, pending here"))
        r = Self.claimed
        r.platformResults["mastodon"] = Self.entry(.publishing, attempts: 1, run: "r2")
        cases.append((r, "claimed by another run"))
        r = Self.claimed
        r.platformResults["telegram"] = nil
        cases.append((r, "platform_results.telegram is missing"))
        r = Self.claimed
        r.contentSHA256 = "other"
        cases.append((r, "content_sha256"))
        for (disk, words) in cases {
            let why = CommittedLedger.unexplained(from: Self.claimed, to: disk)
            #expect(why?.contains(words) == true, "\(why ?? "nil")")
            var ledger = CommittedLedger()
            ledger.add(id: "p", path: "ledger/p.json", committed: Self.claimed.encoded(), onDisk: disk.encoded(), previous: nil)
            #expect(ledger.unusableIDs == ["p"] && ledger.records.isEmpty)
            #expect(ledger.problems.first?.contains("git checkout -- ledger/p.json") == true)
        }
    }

    @Test func deletedUntrackedAndLaggingFiles() {
        let head = Self.claimed.encoded()
        var ledger = CommittedLedger()
        // Deleted, and the commit before had it too: a human's deletion.
        ledger.add(id: "p", path: "ledger/p.json", committed: head, onDisk: nil, previous: .some(Self.record([:]).encoded()))
        #expect(ledger.unusableIDs == ["p"])
        #expect(ledger.problems.first?.contains("deleted") == true)
        // Absent, and absent one commit earlier: the claim commit was made, the file not yet written.
        ledger = CommittedLedger()
        ledger.add(id: "p", path: "ledger/p.json", committed: head, onDisk: nil, previous: .some(nil))
        #expect(ledger.unusableIDs.isEmpty && ledger.lagging["p"] == head && ledger.records["p"] == Self.claimed)
        // One commit behind with results: a run recorded an earlier run's results in its claim commit
        // (they are in HEAD) and was stopped before writing the file.
        var progress = Self.claimed
        progress.platformResults["mastodon"] = Self.entry(.publishing, run: "r1", segments: 1)
        var reclaimed = progress
        reclaimed.platformResults["mastodon"] = Self.entry(.publishing, attempts: 2, run: "r2", segments: 1)
        reclaimed.platformResults["telegram"] = Self.entry(.unknown)
        ledger = CommittedLedger()
        ledger.add(id: "p", path: "ledger/p.json", committed: reclaimed.encoded(), onDisk: progress.encoded(),
                   previous: .some(head))
        #expect(ledger.unusableIDs.isEmpty && ledger.records["p"] == reclaimed && ledger.lagging["p"] != nil)
        // A file git does not hold.
        ledger = CommittedLedger()
        ledger.add(id: "p", path: "ledger/p.json", committed: nil, onDisk: head, previous: nil)
        #expect(ledger.unusableIDs == ["p"] && ledger.problems.first?.contains("not committed") == true)
    }

    static func record(id: String) -> LedgerRecord {
        LedgerRecord(id: id, source: "content/\(id).md", contentSHA256: "00",
                     platformResults: ["bluesky": PlatformResult()], updatedAt: stamp)
    }

    @Test func readsEveryCommittedRecordAndSkipsHiddenAndOtherFiles() throws {
        let repo = try SyncRepo(posts: [:])
        let store = LedgerStore(fileSystem: LocalFileSystem(root: repo.path))
        try store.write(Self.record(id: "2026/04/launch"))
        try store.write(Self.record(id: "good"))
        try repo.write("ledger/bad.json", "{oops")
        try repo.write("ledger/README.md", "A")
        try repo.write("ledger/.good.json.tmp-1", "{")  // an interrupted write
        try repo.write("ledger/a/.x.json", "{")
        try repo.commitAll("ledger")
        let git = try LibGit2Repository.open(at: repo.path)
        let ledger = try CommittedLedger.load(git: git, commit: try #require(try git.headCommit()), store: store)
        #expect(ledger.records.keys.sorted() == ["2026/04/launch", "good"])
        #expect(ledger.records["good"] == Self.record(id: "good"))
        // One broken file makes that post unusable; the others still load.
        #expect(ledger.unusableIDs == ["bad"])
        #expect(ledger.problems.count == 1 && ledger.problems.first?.contains("ledger/bad.json") == true, "\(ledger.problems)")
    }

    @Test func aLinkOnTheWaySkipsThatPostAndALinkedLedgerFolderStopsTheRun() throws {
        let repo = try SyncRepo(posts: [:])
        let outside = tempDir("outside")
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createDirectory(atPath: repo.path + "/ledger", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/ledger/x", withDestinationPath: outside)
        try repo.commitAll("a linked folder under the ledger")
        let git = try LibGit2Repository.open(at: repo.path)
        let head = try #require(try git.headCommit())
        let store = LedgerStore(fileSystem: LocalFileSystem(root: repo.path))
        // A post whose file would be written through the link is unusable (skipped); the other is planned.
        let ledger = try CommittedLedger.load(git: git, commit: head, store: store, expecting: ["x/a", "b"])
        #expect(ledger.unusableIDs == ["x/a"])
        #expect(ledger.problems.first?.contains("ledger/x is a symbolic link") == true, "\(ledger.problems)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        // The ledger folder itself a link: nothing can be recorded, the run stops.
        try FileManager.default.removeItem(atPath: repo.path + "/ledger")
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/ledger", withDestinationPath: outside)
        #expect(throws: SyncError.self) { try CommittedLedger.load(git: git, commit: head, store: store) }
    }

    @Test func aSecondLockOnOneWorkingTreeIsRefusedAndTheFirstReleasesIt() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try WorkTreeLock.acquire(gitDirectory: dir, pid: 4242)
        #expect(throws: WorkTreeLock.Failure.held(pid: 4242)) { try WorkTreeLock.acquire(gitDirectory: dir) }
        #expect(WorkTreeLock.Failure.held(pid: 4242).description
            .hasPrefix("another octopost sync is running in this working tree (pid 4242)"))
        first.release()
        let second = try WorkTreeLock.acquire(gitDirectory: dir)
        second.release()
    }
}
