import Foundation
import Testing
@testable import OctopostKit

@Suite struct ClaimTests {
    let now = Fx.t("2026-04-10T09:00:00Z")

    @Test func claimSetsLeaseRunAndFirstAttempt() throws {
        let records = ["a": Fx.record("a", ["mastodon": Fx.entry(.pending), "bluesky": Fx.entry(.retrying, attempts: 1, next: "2026-04-10T08:59:00Z")])]
        let claimed = try Lease.claim(records, entries: [EntryRef(id: "a", target: "mastodon"), EntryRef(id: "a", target: "bluesky")],
                                      runID: "run-7", now: now)
        let m = try #require(claimed["a"]?.platformResults["mastodon"])
        #expect(m.status == .publishing)
        #expect(m.runID == "run-7")
        #expect(m.leaseUntil == "2026-04-10T09:10:00Z")
        #expect(m.firstAttemptAt == "2026-04-10T09:00:00Z")
        #expect(m.attempts == 1)
        let b = try #require(claimed["a"]?.platformResults["bluesky"])
        #expect(b.attempts == 2)
        #expect(b.nextAttemptAt == nil)
        #expect(claimed["a"]?.status == .publishing)
        #expect(claimed["a"]?.updatedAt == "2026-04-10T09:00:00Z")
    }

    @Test func claimKeepsFirstAttemptAndTakesOverAnExpiredLease() throws {
        let records = ["a": Fx.record("a", ["mastodon": Fx.entry(.publishing, attempts: 1, lease: "2026-04-10T08:50:00Z", first: "2026-04-10T08:40:00Z")])]
        let claimed = try Lease.claim(records, entries: [EntryRef(id: "a", target: "mastodon")], runID: "new", now: now)
        #expect(claimed["a"]?.platformResults["mastodon"]?.firstAttemptAt == "2026-04-10T08:40:00Z")
        #expect(claimed["a"]?.platformResults["mastodon"]?.runID == "new")
    }

    @Test func refusesHeldFinishedOrMissingEntries() {
        let records = ["a": Fx.record("a", ["mastodon": Fx.entry(.publishing, lease: "2026-04-10T09:05:00Z"), "bluesky": Fx.entry(.published)])]
        #expect(throws: ClaimError(entry: EntryRef(id: "a", target: "mastodon"), status: .publishing)) {
            try Lease.claim(records, entries: [EntryRef(id: "a", target: "mastodon")], runID: "r", now: now)
        }
        #expect(throws: ClaimError(entry: EntryRef(id: "a", target: "bluesky"), status: .published)) {
            try Lease.claim(records, entries: [EntryRef(id: "a", target: "bluesky")], runID: "r", now: now)
        }
        #expect(throws: ClaimError(entry: EntryRef(id: "b", target: "bluesky"), status: nil)) {
            try Lease.claim(records, entries: [EntryRef(id: "b", target: "bluesky")], runID: "r", now: now)
        }
    }

    @Test func renewExtendsOnlyThisRunsLeases() {
        let records = ["a": Fx.record("a", ["mastodon": Fx.entry(.publishing, lease: "2026-04-10T09:01:00Z", run: "me"),
                                            "bluesky": Fx.entry(.publishing, lease: "2026-04-10T09:01:00Z", run: "other")]),
                       "b": Fx.record("b", ["twitter": Fx.entry(.pending)])]
        let renewed = Lease.renew(records, runID: "me", now: now.addingTimeInterval(300))
        #expect(renewed["a"]?.platformResults["mastodon"]?.leaseUntil == "2026-04-10T09:15:00Z")
        #expect(renewed["a"]?.platformResults["bluesky"]?.leaseUntil == "2026-04-10T09:01:00Z")
        #expect(renewed["b"] == records["b"])
    }
}

@Suite struct ReleaseTests {
    let now = Fx.t("2026-04-12T09:00:00Z")

    @Test func releasesFailedUnknownAndExpiredKeepingHistory() throws {
        var unknown = Fx.entry(.unknown, attempts: 2, first: "2026-04-10T09:00:00Z", segments: 1)
        unknown.error = "a run stopped"
        var failed = Fx.entry(.failed, attempts: 4)
        failed.retries = 3
        let record = Fx.record("a", ["mastodon": unknown, "linkedin": failed, "bluesky": Fx.entry(.expired),
                                     "twitter": Fx.entry(.published, attempts: 1)])
        let (updated, released) = try LedgerRecord.release(record, platform: nil, now: now)
        #expect(released == ["bluesky", "linkedin", "mastodon"])
        let m = try #require(updated.platformResults["mastodon"])
        #expect(m.status == .pending && m.error == nil && m.firstAttemptAt == nil)
        #expect(m.attempts == 2)
        #expect(m.segments?.count == 1)
        let l = try #require(updated.platformResults["linkedin"])
        #expect(l.attempts == 4 && l.retries == nil && l.errorKind == nil)
        #expect(updated.platformResults["twitter"] == record.platformResults["twitter"])
        #expect(updated.status == .publishing)
        #expect(updated.updatedAt == "2026-04-12T09:00:00Z")
    }

    @Test func platformFilterMatchesKeyOrAllAccounts() throws {
        let record = Fx.record("a", ["mastodon": Fx.entry(.failed), "mastodon:work": Fx.entry(.failed), "bluesky": Fx.entry(.failed)])
        #expect(try LedgerRecord.release(record, platform: "mastodon", now: now).released == ["mastodon", "mastodon:work"])
        #expect(try LedgerRecord.release(record, platform: "mastodon:work", now: now).released == ["mastodon:work"])
    }

    @Test func errorsWhenNothingIsReleasable() {
        let record = Fx.record("a", ["mastodon": Fx.entry(.published), "bluesky": Fx.entry(.retrying)])
        #expect(throws: ReleaseError.nothingToRelease(id: "a", statuses: ["mastodon": .published, "bluesky": .retrying])) {
            try LedgerRecord.release(record, platform: nil, now: now)
        }
        #expect(throws: ReleaseError.noSuchPlatform(id: "a", platform: "twitter", known: ["bluesky", "mastodon"])) {
            try LedgerRecord.release(record, platform: "twitter", now: now)
        }
    }
}
