import Foundation
import Testing
@testable import OctopostKit

@Suite struct PlannerTests {
    let now = Fx.t("2026-04-10T09:00:00Z")
    let planner = Fx.planner

    @Test func newDuePostGetsAPendingRecordAndIsDue() throws {
        let plan = planner.plan(posts: [Fx.planned("a", ["mastodon", "mastodon:work"], at: "2026-04-10T08:59:00Z")],
                                ledger: [:], now: now)
        #expect(plan.due.map(\.target.key) == ["mastodon", "mastodon:work"])
        #expect(plan.due.allSatisfy { $0.attempt == 1 && $0.recovery == nil && !$0.isResume })
        #expect(plan.transitions.map(\.reason) == [.firstSeen, .firstSeen])
        let record = try #require(plan.records["a"])
        #expect(record.platformResults.mapValues(\.status) == ["mastodon": .pending, "mastodon:work": .pending])
        #expect(record.contentSHA256 == "sha1")
        #expect(record.status == .scheduled)
        #expect(record.updatedAt == "2026-04-10T09:00:00Z")
    }

    @Test func dueExactlyAtNowButNotASecondEarlier() {
        #expect(planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T09:00:00Z")], ledger: [:], now: now).due.count == 1)
        let future = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T09:00:01Z")], ledger: [:], now: now)
        #expect(future.due.isEmpty && future.records.isEmpty && future.transitions.isEmpty)
    }

    @Test func draftsAreUntouched() {
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-01T09:00:00Z", draft: true),
                                        Fx.planned("b", ["bluesky"], at: nil)],
                                ledger: ["a": Fx.record("a", ["bluesky": Fx.entry(.pending)])], now: now)
        #expect(plan.due.isEmpty && plan.records.isEmpty && plan.transitions.isEmpty && plan.orphans.isEmpty)
    }

    @Test func retryingIsDueOnlyOnceItsTimeComes() {
        let ledger = ["a": Fx.record("a", ["mastodon": Fx.entry(.retrying, attempts: 2, next: "2026-04-10T09:00:00Z"),
                                           "bluesky": Fx.entry(.retrying, attempts: 1, next: "2026-04-10T09:00:01Z")])]
        let plan = planner.plan(posts: [Fx.planned("a", ["mastodon", "bluesky"], at: "2026-04-10T08:00:00Z")], ledger: ledger, now: now)
        #expect(plan.due.map(\.target.key) == ["mastodon"])
        #expect(plan.due.first?.attempt == 3)
        #expect(plan.records.isEmpty)
    }

    @Test func staleWhenFirstSeenBecomesExpired() throws {
        let sevenDaysAndASecond = "2026-04-03T08:59:59Z"
        let plan = planner.plan(posts: [Fx.planned("old", ["bluesky"], at: sevenDaysAndASecond),
                                        Fx.planned("edge", ["bluesky"], at: "2026-04-03T09:00:00Z")], ledger: [:], now: now)
        #expect(plan.due.map(\.id) == ["edge"])
        #expect(plan.transitions.contains(Transition(entry: EntryRef(id: "old", target: "bluesky"), from: nil, to: .expired, reason: .stale)))
        let record = try #require(plan.records["old"])
        #expect(record.platformResults["bluesky"]?.status == .expired)
        #expect(record.platformResults["bluesky"]?.error?.contains("octopost retry old --platform bluesky") == true)
        #expect(record.status == .failed)
        // A custom stale_after.
        var config = Config()
        config.staleAfter = 3600
        let short = Planner(config: config).plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T07:59:00Z")], ledger: [:], now: now)
        #expect(short.records["a"]?.platformResults["bluesky"]?.status == .expired)
    }

    @Test func aPendingEntrySeenBeforeIsNotExpiredLater() {
        // Seen in time (or released by `octopost retry`): time passing alone never expires it.
        let ledger = ["a": Fx.record("a", ["bluesky": Fx.entry(.pending)])]
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-03-01T09:00:00Z")], ledger: ledger, now: now)
        #expect(plan.due.map(\.id) == ["a"])
        #expect(plan.transitions.isEmpty)
    }

    @Test func aTargetAddedToAnExistingRecordIsFirstSeenThen() {
        let ledger = ["a": Fx.record("a", ["bluesky": Fx.entry(.published, attempts: 1)])]
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky", "twitter"], at: "2026-03-01T09:00:00Z")], ledger: ledger, now: now)
        #expect(plan.due.isEmpty)
        #expect(plan.records["a"]?.platformResults["twitter"]?.status == .expired)
        #expect(plan.records["a"]?.platformResults["bluesky"]?.status == .published)
        #expect(plan.records["a"]?.status == .partiallyPublished)
    }

    @Test func editedFailedEntryGoesBackToPendingAndIsDue() throws {
        let ledger = ["a": Fx.record("a", sha: "old", ["linkedin": Fx.entry(.failed, attempts: 1), "bluesky": Fx.entry(.expired),
                                                       "mastodon": Fx.entry(.unknown, attempts: 1)])]
        let plan = planner.plan(posts: [Fx.planned("a", ["linkedin", "bluesky", "mastodon"], at: "2026-04-10T08:00:00Z", sha: "new")],
                                ledger: ledger, now: now)
        #expect(plan.transitions == [Transition(entry: EntryRef(id: "a", target: "linkedin"), from: .failed, to: .pending, reason: .edited)])
        #expect(plan.due.map(\.target.key) == ["linkedin"])
        #expect(plan.due.first?.attempt == 2)
        let record = try #require(plan.records["a"])
        #expect(record.contentSHA256 == "new")
        #expect(record.platformResults["linkedin"]?.error == nil)
        #expect(record.platformResults["mastodon"]?.status == .unknown)
        #expect(record.status == .publishing)
    }

    /// Issue 7.14: once anything of a post is out, its `content_sha256` is the record of what was published.
    @Test func anEditAfterPublishingNeverChangesTheRecordsHash() {
        var thread = Fx.entry(.retrying, attempts: 1)
        thread.segments = [SegmentResult(postID: "1")]
        let ledger = [
            "a": Fx.record("a", sha: "old", ["linkedin": Fx.entry(.failed, attempts: 1), "bluesky": Fx.entry(.published, attempts: 1)]),
            "b": Fx.record("b", sha: "old", ["mastodon": Fx.entry(.published, attempts: 1)]),
            "c": Fx.record("c", sha: "old", ["slack": Fx.entry(.failed, attempts: 1), "mastodon": thread]),
        ]
        let plan = planner.plan(posts: [Fx.planned("a", ["linkedin", "bluesky"], at: "2026-04-10T08:00:00Z", sha: "new"),
                                        Fx.planned("b", ["mastodon"], at: "2026-04-10T08:00:00Z", sha: "new"),
                                        Fx.planned("c", ["slack", "mastodon"], at: "2026-04-10T08:00:00Z", sha: "new", segments: 1)],
                                ledger: ledger, now: now)
        #expect(plan.records["b"] == nil, "a published post's edit changes nothing")
        #expect(plan.records["a"]?.contentSHA256 == "old" && plan.records["c"]?.contentSHA256 == "old")
        #expect(plan.records["a"]?.platformResults["bluesky"] == ledger["a"]?.platformResults["bluesky"])
        // Edit and retry still works: the failed entries go back to pending and say what they will send.
        #expect(plan.transitions.map(\.entry) == [EntryRef(id: "a", target: "linkedin"), EntryRef(id: "c", target: "slack")])
        #expect(plan.records["a"]?.platformResults["linkedin"]?.contentSHA256 == "new")
        #expect(plan.records["c"]?.platformResults["slack"]?.contentSHA256 == "new")
        // The thread part already posted resumes; its entry carries no hash of its own (part 0 went out as "old").
        #expect(plan.records["c"]?.platformResults["mastodon"]?.contentSHA256 == nil)
        #expect(Set(plan.due.map(\.ref)) == [EntryRef(id: "a", target: "linkedin"), EntryRef(id: "c", target: "slack"),
                                              EntryRef(id: "c", target: "mastodon")])
    }

    /// An entry that failed again with the edited content waits for the next edit: no retry loop.
    @Test func anEntryThatFailedWithTheEditedFileWaits() {
        var failed = Fx.entry(.failed, attempts: 2)
        failed.contentSHA256 = "new"
        let ledger = ["a": Fx.record("a", sha: "old", ["linkedin": failed, "bluesky": Fx.entry(.published, attempts: 1)])]
        let same = planner.plan(posts: [Fx.planned("a", ["linkedin", "bluesky"], at: "2026-04-10T08:00:00Z", sha: "new")],
                                ledger: ledger, now: now)
        #expect(same.records.isEmpty && same.due.isEmpty && same.transitions.isEmpty)
        let again = planner.plan(posts: [Fx.planned("a", ["linkedin", "bluesky"], at: "2026-04-10T08:00:00Z", sha: "newer")],
                                 ledger: ledger, now: now)
        #expect(again.transitions.map(\.to) == [.pending])
        #expect(again.records["a"]?.platformResults["linkedin"]?.contentSHA256 == "newer")
        #expect(again.records["a"]?.contentSHA256 == "old")
        // Back to the first-published file: the entry sends exactly what the record says, so no hash of its own.
        let back = planner.plan(posts: [Fx.planned("a", ["linkedin", "bluesky"], at: "2026-04-10T08:00:00Z", sha: "old")],
                                ledger: ledger, now: now)
        #expect(back.due.map(\.target.key) == ["linkedin"])
        #expect(back.records["a"]?.platformResults["linkedin"]?.contentSHA256 == nil)
    }

    /// An edit of a post nothing of which is out yet is recorded with the claim that sends it, never alone.
    @Test func anEditBeforePublishingIsRecordedWithItsClaim() {
        let ledger = ["a": Fx.record("a", sha: "old", ["mastodon": Fx.entry(.retrying, attempts: 1, next: "2026-04-10T09:30:00Z")]),
                      "b": Fx.record("b", sha: "old", ["mastodon": Fx.entry(.retrying, attempts: 1, next: "2026-04-10T08:01:00Z")])]
        let plan = planner.plan(posts: [Fx.planned("a", ["mastodon"], at: "2026-04-10T08:00:00Z", sha: "new"),
                                        Fx.planned("b", ["mastodon"], at: "2026-04-10T08:00:00Z", sha: "new")],
                                ledger: ledger, now: now)
        #expect(plan.records["a"] == nil, "not due yet: nothing to commit")
        #expect(plan.due.map(\.id) == ["b"])
        #expect(plan.records["b"]?.contentSHA256 == "new")
    }

    @Test func unchangedFailedEntryWaits() {
        let ledger = ["a": Fx.record("a", ["linkedin": Fx.entry(.failed, attempts: 1)])]
        let plan = planner.plan(posts: [Fx.planned("a", ["linkedin"], at: "2026-04-10T08:00:00Z")], ledger: ledger, now: now)
        #expect(plan.due.isEmpty && plan.transitions.isEmpty && plan.records.isEmpty)
    }

    @Test func publishedIsNeverPlannedAgainEvenWhenEdited() {
        let ledger = ["a": Fx.record("a", sha: "old", ["bluesky": Fx.entry(.published, attempts: 1)])]
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T08:00:00Z", sha: "new")], ledger: ledger, now: now)
        #expect(plan.due.isEmpty)
        #expect(plan.transitions.isEmpty)
        // Nothing changes at all: content_sha256 keeps recording what was published (issue 7.14).
        #expect(plan.records["a"] == nil)
    }

    @Test func lintErrorFailsTheDueEntryWithoutARequest() throws {
        let ledger = ["b": Fx.record("b", ["twitter": Fx.entry(.retrying, attempts: 1, next: "2026-04-10T08:59:00Z")])]
        let plan = planner.plan(posts: [Fx.planned("a", ["twitter", "bluesky"], at: "2026-04-10T08:00:00Z", lint: ["twitter": "twitter: 291/280 characters"]),
                                        Fx.planned("b", ["twitter"], at: "2026-04-10T08:00:00Z", lint: ["twitter": "too long"])],
                                ledger: ledger, now: now)
        #expect(plan.due.map(\.ref) == [EntryRef(id: "a", target: "bluesky")])
        let a = try #require(plan.records["a"]?.platformResults["twitter"])
        #expect(a.status == .failed && a.errorKind == .permanent && a.error == "twitter: 291/280 characters" && a.attempts == 0)
        #expect(plan.records["b"]?.platformResults["twitter"]?.status == .failed)
        #expect(plan.transitions.contains(Transition(entry: EntryRef(id: "b", target: "twitter"), from: .retrying, to: .failed, reason: .lint("too long"))))
    }

    @Test func threadResumesAfterThePostedSegments() {
        let ledger = ["a": Fx.record("a", ["bluesky": Fx.entry(.retrying, attempts: 1, next: "2026-04-10T08:59:00Z", segments: 2)])]
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T08:00:00Z", segments: 3)], ledger: ledger, now: now)
        #expect(plan.due.first?.postedSegments == 2)
        #expect(plan.due.first?.isResume == true)
    }

    @Test func aThreadWithEveryPartRecordedIsPublished() throws {
        let ledger = ["a": Fx.record("a", ["bluesky": Fx.entry(.publishing, attempts: 1, lease: "2026-04-10T08:50:00Z", segments: 3)])]
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T08:00:00Z", segments: 2)], ledger: ledger, now: now)
        #expect(plan.due.isEmpty)
        let entry = try #require(plan.records["a"]?.platformResults["bluesky"])
        #expect(entry.status == .published && entry.success && entry.postID == "p0" && entry.runID == nil)
        #expect(plan.records["a"]?.status == .published)
        #expect(plan.records["a"]?.publishedAt == "2026-04-10T09:00:00Z")
    }

    @Test func aLiveLeaseIsLeftToItsRun() {
        let ledger = ["a": Fx.record("a", ["twitter": Fx.entry(.publishing, attempts: 1, lease: "2026-04-10T09:00:01Z")])]
        let plan = planner.plan(posts: [Fx.planned("a", ["twitter"], at: "2026-04-10T08:00:00Z")], ledger: ledger, now: now)
        #expect(plan.due.isEmpty && plan.records.isEmpty)
        #expect(plan.inFlight == [EntryRef(id: "a", target: "twitter")])
    }

    @Test func orphansAreReportedNotDeleted() {
        let ledger = ["gone": Fx.record("gone", ["bluesky": Fx.entry(.published)]),
                      "broken": Fx.record("broken", ["bluesky": Fx.entry(.published)]),
                      "a": Fx.record("a", ["bluesky": Fx.entry(.published)])]
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T08:00:00Z")], ledger: ledger, now: now,
                                unparsedSources: ["content/broken.md"])
        #expect(plan.orphans == ["gone"])
        #expect(plan.records["gone"] == nil)
    }

    @Test func removedTargetsAreLeftAsTheyAreAndReported() {
        let ledger = ["a": Fx.record("a", ["bluesky": Fx.entry(.published), "twitter": Fx.entry(.retrying, attempts: 1, next: "2026-04-10T08:00:00Z")])]
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T08:00:00Z")], ledger: ledger, now: now)
        #expect(plan.removedTargets == [EntryRef(id: "a", target: "twitter")])
        #expect(plan.due.isEmpty && plan.records.isEmpty)
    }

    @Test func unreadableLedgerAndDuplicateIDsAreSkipped() {
        let plan = planner.plan(posts: [Fx.planned("a", ["bluesky"], at: "2026-04-10T08:00:00Z"),
                                        PlannedPost(post: Fx.post("d", ["bluesky"], at: "2026-04-10T08:00:00Z", source: "content/x.md"), contentSHA256: "1"),
                                        PlannedPost(post: Fx.post("d", ["bluesky"], at: "2026-04-10T08:00:00Z", source: "content/y.md"), contentSHA256: "2")],
                                ledger: [:], now: now, unreadableLedgerIDs: ["a"])
        #expect(plan.due.isEmpty && plan.records.isEmpty)
        #expect(plan.skipped == [SkippedPost(id: "a", reason: .unreadableLedger),
                                 SkippedPost(id: "d", reason: .duplicateID(sources: ["content/x.md", "content/y.md"]))])
    }

    @Test func movedFileUpdatesTheSource() {
        let ledger = ["a": Fx.record("a", ["bluesky": Fx.entry(.published)])]
        let moved = PlannedPost(post: Fx.post("a", ["bluesky"], at: "2026-04-10T08:00:00Z", source: "content/2026/a.md"), contentSHA256: "sha1")
        let plan = planner.plan(posts: [moved], ledger: ledger, now: now)
        #expect(plan.records["a"]?.source == "content/2026/a.md")
        #expect(plan.due.isEmpty)
    }

    @Test func dueIsOrderedByScheduleThenIDThenTarget() {
        let plan = planner.plan(posts: [Fx.planned("b", ["twitter", "bluesky"], at: "2026-04-10T08:00:00Z"),
                                        Fx.planned("a", ["twitter"], at: "2026-04-10T08:30:00Z"),
                                        Fx.planned("c", ["slack"], at: "2026-04-10T08:00:00Z")], ledger: [:], now: now)
        #expect(plan.due.map(\.ref.description) == ["b bluesky", "b twitter", "c slack", "a twitter"])
    }

    @Test func planJSONMatchesTheSpecShape() {
        let plan = planner.plan(posts: [Fx.planned("a", ["mastodon:work"], at: "2026-04-10T08:00:00Z")], ledger: [:], now: now)
        #expect(CanonicalJSON.render(plan.jsonValue) == """
        {
          "entries": [
            {
              "attempt": 1,
              "id": "a",
              "platform": "mastodon:work",
              "scheduled_for": "2026-04-10T08:00:00Z"
            }
          ],
          "now": "2026-04-10T09:00:00Z"
        }

        """)
    }
}

@Suite struct LeaseRecoveryTests {
    let now = Fx.t("2026-04-10T10:00:00Z")

    func plan(_ target: String, first: String?, modes: [RecoveryMode]? = nil, lease: String = "2026-04-10T09:59:59Z",
              segments: Int = 0) -> Plan {
        let planner = modes.map { m in Planner(config: Config(), recovery: { _ in m }) } ?? Fx.planner
        let ledger = ["a": Fx.record("a", [target: Fx.entry(.publishing, attempts: 1, lease: lease, first: first, segments: segments)])]
        return planner.plan(posts: [Fx.planned("a", [target], at: "2026-04-10T09:00:00Z", segments: 2)], ledger: ledger, now: now)
    }

    @Test func mastodonInsideFiftyFiveMinutesIsRetriedWithTheSameKey() {
        let p = plan("mastodon", first: "2026-04-10T09:05:01Z")
        #expect(p.due.first?.recovery == .idempotent(window: 3300))
        #expect(p.due.first?.attempt == 2)
        #expect(p.records.isEmpty)
    }

    @Test func mastodonOutsideFiftyFiveMinutesBecomesUnknown() throws {
        let p = plan("mastodon", first: "2026-04-10T09:05:00Z")
        #expect(p.due.isEmpty)
        let entry = try #require(p.records["a"]?.platformResults["mastodon"])
        #expect(entry.status == .unknown && entry.runID == nil && entry.leaseUntil == nil)
        #expect(entry.error?.contains("octopost retry a --platform mastodon") == true)
        #expect(p.transitions == [Transition(entry: EntryRef(id: "a", target: "mastodon"), from: .publishing, to: .unknown, reason: .leaseExpired)])
        #expect(p.records["a"]?.status == .failed)
        // Without a recorded first attempt the window cannot be trusted.
        #expect(plan("mastodon", first: nil).due.isEmpty)
    }

    @Test func mastodonOutsideTheWindowFallsBackToLookupWhenDeclared() {
        let p = plan("mastodon", first: "2026-04-10T08:00:00Z", modes: [.idempotent(window: 3300), .lookup])
        #expect(p.due.first?.recovery == .lookup)
        #expect(p.due.first?.lookupFirst == true)
    }

    @Test func blueskyDeterministicKeyIsAlwaysRetried() {
        #expect(plan("bluesky", first: "2026-04-01T00:00:00Z").due.first?.recovery == .deterministicKey)
    }

    @Test func noRecoveryMeansUnknownAndLeaseBoundaryIsInclusive() {
        #expect(plan("twitter", first: "2026-04-10T09:59:00Z").records["a"]?.platformResults["twitter"]?.status == .unknown)
        // lease_until == now: the lease is over.
        #expect(plan("twitter", first: nil, lease: "2026-04-10T10:00:00Z").records["a"]?.platformResults["twitter"]?.status == .unknown)
    }

    @Test func uncertainThreadResumesWithRecovery() {
        let p = plan("bluesky", first: "2026-04-10T09:00:00Z", segments: 1)
        #expect(p.due.first?.postedSegments == 1)
        #expect(p.due.first?.recovery == .deterministicKey)
    }

    @Test func lookupRecoveryIgnoresLintBecauseTheFirstRequestMayHaveArrived() {
        let planner = Planner(config: Config(), recovery: { _ in [.lookup] })
        let ledger = ["a": Fx.record("a", ["threads": Fx.entry(.publishing, attempts: 1, lease: "2026-04-10T09:50:00Z")])]
        let p = planner.plan(posts: [Fx.planned("a", ["threads"], at: "2026-04-10T09:00:00Z", lint: ["threads": "too long"])],
                             ledger: ledger, now: now)
        #expect(p.due.first?.recovery == .lookup)
        #expect(p.transitions.isEmpty)
    }
}

@Suite struct StatusDerivationTests {
    @Test func table() {
        typealias S = EntryStatus
        #expect(LedgerRecord.deriveStatus([.pending, .pending]) == .scheduled)
        #expect(LedgerRecord.deriveStatus([.pending, .published]) == .publishing)
        #expect(LedgerRecord.deriveStatus([.retrying, .failed]) == .publishing)
        #expect(LedgerRecord.deriveStatus([.publishing, .published]) == .publishing)
        #expect(LedgerRecord.deriveStatus([.published, .published]) == .published)
        #expect(LedgerRecord.deriveStatus([.published, .failed, .expired, .unknown]) == .partiallyPublished)
        #expect(LedgerRecord.deriveStatus([.failed, .expired, .unknown]) == .failed)
        #expect(LedgerRecord.deriveStatus([.pending, .failed]) == .publishing)
    }

    @Test func draftsComeFromThePostAndMissingEntriesArePending() {
        let record = Fx.record("a", ["bluesky": Fx.entry(.published)])
        #expect(PostStatus.derive(post: Fx.post("a", ["bluesky"], at: "2026-04-10T09:00:00Z", draft: true), record: record) == .draft)
        #expect(PostStatus.derive(post: Fx.post("a", ["bluesky"], at: nil), record: nil) == .draft)
        #expect(PostStatus.derive(post: Fx.post("a", ["bluesky"], at: "2026-04-10T09:00:00Z"), record: nil) == .scheduled)
        #expect(PostStatus.derive(post: Fx.post("a", ["bluesky", "twitter"], at: "2026-04-10T09:00:00Z"), record: record) == .publishing)
        #expect(PostStatus.derive(post: Fx.post("a", ["bluesky"], at: "2026-04-10T09:00:00Z"), record: record) == .published)
    }
}
