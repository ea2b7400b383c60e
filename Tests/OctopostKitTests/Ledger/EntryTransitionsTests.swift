import Foundation
import Testing
@testable import OctopostKit

/// Each transition of the ledger entry sets exactly the fields its state needs, and nothing else.
@Suite struct EntryTransitionsTests {
    let now = Fx.t("2026-04-10T09:00:00Z")
    let parts = [SegmentResult(postID: "p1", postURL: "https://m.example/p1"), SegmentResult(postID: "p2")]

    /// An entry with every field set to a value no transition writes, so any field a transition
    /// touches shows up as changed.
    var full: PlatformResult {
        var e = PlatformResult(status: .retrying, attempts: 3)
        e.success = true
        e.postID = "old-id"
        e.postURL = "https://old.example/1"
        e.segments = [SegmentResult(postID: "s0")]
        e.error = "old error"
        e.errorKind = .permanent
        e.nextAttemptAt = "2026-04-10T08:00:00Z"
        e.runID = "old-run"
        e.leaseUntil = "2026-04-10T08:01:00Z"
        e.firstAttemptAt = "2026-04-10T07:00:00Z"
        e.publishedAt = "2026-04-10T07:30:00Z"
        e.retries = 2
        e.contentSHA256 = "abc"
        return e
    }

    /// The names of the stored fields that differ.
    func changed(_ a: PlatformResult, _ b: PlatformResult) -> Set<String> {
        let left = Mirror(reflecting: a).children, right = Mirror(reflecting: b).children
        return Set(zip(left, right).compactMap { l, r in
            String(describing: l.value) == String(describing: r.value) ? nil : l.label
        })
    }

    @Test func claimSetsTheLeaseRunAndCountsTheAttempt() {
        var e = full
        e.firstAttemptAt = nil
        let before = e
        e.claim(runID: "run-7", now: now)
        #expect(changed(before, e) == ["status", "success", "runID", "leaseUntil", "firstAttemptAt", "attempts", "nextAttemptAt"])
        #expect(e.status == .publishing && !e.success && e.runID == "run-7" && e.attempts == 4)
        #expect(e.leaseUntil == "2026-04-10T09:10:00Z" && e.firstAttemptAt == "2026-04-10T09:00:00Z" && e.nextAttemptAt == nil)
        // A round's first attempt is kept.
        var again = full
        again.claim(runID: "run-8", now: now)
        #expect(again.firstAttemptAt == "2026-04-10T07:00:00Z")
        #expect(!changed(full, again).contains("firstAttemptAt"))
    }

    @Test func renewLeaseMovesOnlyTheLease() {
        var e = full
        e.renewLease(now: now)
        #expect(changed(full, e) == ["leaseUntil"])
        #expect(e.leaseUntil == "2026-04-10T09:10:00Z")
        #expect(e.leaseUntilDate == now.addingTimeInterval(Lease.duration))
    }

    @Test func recordPostedChangesOnlyTheSegments() {
        var e = full
        e.recordPosted(parts)
        #expect(changed(full, e) == ["segments"])
        #expect(e.segments == parts)
    }

    @Test func publishSetsIdsPartsAndTimeAndClearsTheRound() {
        var e = full
        e.publish(parts, at: now)
        #expect(changed(full, e) == ["status", "postID", "postURL", "segments", "error", "errorKind", "nextAttemptAt",
                                     "runID", "leaseUntil", "publishedAt"])
        #expect(e.status == .published && e.success)
        #expect(e.postID == "p1" && e.postURL == "https://m.example/p1" && e.segments == parts)
        #expect(e.error == nil && e.errorKind == nil && e.nextAttemptAt == nil && e.runID == nil && e.leaseUntil == nil)
        #expect(e.publishedAt == "2026-04-10T09:00:00Z" && e.publishedDate == now)
        #expect(e.attempts == 3 && e.retries == 2 && e.firstAttemptAt == "2026-04-10T07:00:00Z")
    }

    @Test func completeThreadKeepsIdsAndPublishedTime() {
        var e = full
        e.completeThread()
        #expect(changed(full, e) == ["status", "error", "errorKind", "nextAttemptAt", "runID", "leaseUntil"])
        #expect(e.status == .published && e.success && e.postID == "old-id")
        var fresh = full
        fresh.postID = nil
        fresh.postURL = nil
        fresh.segments = parts
        let before = fresh
        fresh.completeThread()
        #expect(changed(before, fresh) == ["status", "postID", "postURL", "error", "errorKind", "nextAttemptAt", "runID", "leaseUntil"])
        #expect(fresh.postID == "p1" && fresh.postURL == "https://m.example/p1")
    }

    @Test func retrySchedulesTheNextAttemptAndReleasesTheLease() {
        var e = full
        e.retry("HTTP 503", kind: .transient, at: now.addingTimeInterval(60), retries: 3)
        #expect(changed(full, e) == ["success", "error", "errorKind", "nextAttemptAt", "retries", "runID", "leaseUntil"])
        #expect(e.status == .retrying && !e.success && e.error == "HTTP 503" && e.errorKind == .transient)
        #expect(e.nextAttemptAt == "2026-04-10T09:01:00Z" && e.nextAttemptDate == now.addingTimeInterval(60) && e.retries == 3)
        #expect(e.runID == nil && e.leaseUntil == nil)
    }

    @Test func failKeepsRetriesAndReleasesTheLease() {
        var e = full
        e.fail("Token expired", kind: .permanent)
        #expect(changed(full, e) == ["status", "success", "error", "nextAttemptAt", "runID", "leaseUntil"])
        #expect(e.status == .failed && e.error == "Token expired" && e.errorKind == .permanent && e.retries == 2)
    }

    @Test func recordFailureIsRetryOrFail() {
        var retried = full
        retried.retries = nil
        var expected = retried
        retried.recordFailure("HTTP 503", kind: .transient, delays: [60, 300], now: now)
        expected.retry("HTTP 503", kind: .transient, at: now.addingTimeInterval(60), retries: 1)
        #expect(retried == expected)
        var failed = full
        var expectedFail = full
        failed.recordFailure("HTTP 503", kind: .transient, delays: [60, 300], now: now)  // retries 2 of 2: spent
        expectedFail.fail("HTTP 503", kind: .transient)
        #expect(failed == expectedFail)
    }

    @Test func failBeforeSendingLeavesTheLeaseFields() {
        var e = full
        e.errorKind = .transient
        let before = e
        e.failBeforeSending("312/300 graphemes")
        #expect(changed(before, e) == ["status", "success", "error", "errorKind", "nextAttemptAt", "retries"])
        #expect(e.status == .failed && e.errorKind == .permanent && e.retries == nil)
    }

    @Test func keepUncertainEndsTheLeaseNow() {
        var e = full
        e.keepUncertain("timed out", posted: parts, retries: 3, now: now)
        #expect(changed(full, e) == ["status", "success", "error", "errorKind", "segments", "retries", "runID", "leaseUntil",
                                     "nextAttemptAt"])
        #expect(e.status == .publishing && e.errorKind == .transient && e.leaseUntil == "2026-04-10T09:00:00Z")
        #expect(e.runID == nil && e.nextAttemptAt == nil && e.segments == parts)
        var none = full
        none.keepUncertain("timed out", posted: [], retries: 1, now: now)
        #expect(none.segments == nil)
    }

    @Test func markUnknownKeepsTheSegmentsUnlessGiven() {
        var e = full
        e.markUnknown("lost", kind: nil)
        #expect(changed(full, e) == ["status", "success", "error", "errorKind", "nextAttemptAt", "runID", "leaseUntil"])
        #expect(e.status == .unknown && e.errorKind == nil && e.segments == full.segments)
        var posted = full
        posted.markUnknown("lost", kind: .transient, posted: parts)
        #expect(changed(full, posted) == ["status", "success", "error", "errorKind", "nextAttemptAt", "runID", "leaseUntil", "segments"])
        #expect(posted.segments == parts)
        var none = full
        none.markUnknown("lost", kind: .transient, posted: [])
        #expect(none.segments == nil)
    }

    @Test func stopBetweenPartsHandsTheEntryBack() {
        var e = full
        e.stopBetweenParts(posted: parts)
        #expect(changed(full, e) == ["status", "segments", "runID", "leaseUntil"])
        #expect(e.status == .pending && e.segments == parts && e.error == "old error" && e.retries == 2)
    }

    @Test func expireRecordsWhy() {
        var e = PlatformResult()
        e.expire("scheduled too long ago")
        #expect(e == { var x = PlatformResult(status: .expired); x.error = "scheduled too long ago"; return x }())
        var f = full
        f.expire("late")
        #expect(changed(full, f) == ["status", "success", "error"])
    }

    @Test func releaseClearsTheRoundAndKeepsWhatWasSent() {
        var e = full
        e.release()
        #expect(changed(full, e) == ["status", "success", "error", "errorKind", "nextAttemptAt", "runID", "leaseUntil",
                                     "firstAttemptAt", "retries"])
        #expect(e.status == .pending && e.attempts == 3 && e.segments == full.segments && e.postID == "old-id")
        #expect(e.contentSHA256 == "abc" && e.publishedAt == full.publishedAt)
    }

    @Test func guards() {
        var e = PlatformResult(status: .publishing)
        e.leaseUntil = "2026-04-10T09:05:00Z"
        e.runID = "r"
        #expect(!e.isClaimable(now: now) && e.isClaimable(now: now.addingTimeInterval(300)))
        #expect(e.isHeld(by: "r") && !e.isHeld(by: "other"))
        for status in EntryStatus.allCases {
            #expect(PlatformResult(status: status).isReleasable == [.failed, .unknown, .expired].contains(status))
            #expect(PlatformResult(status: status).isClaimable(now: now) == [.pending, .retrying, .publishing].contains(status))
        }
    }

    /// The stored strings are the ledger's timestamps, so the file's bytes are those of SPEC §3.
    @Test func datesAreStoredAsLedgerTimestamps() {
        var e = PlatformResult()
        e.claim(runID: "r", now: now)
        let record = LedgerRecord(id: "a", source: "content/a.md", contentSHA256: "x", platformResults: ["mastodon": e],
                                  updatedAt: "2026-04-10T09:00:00Z")
        let text = String(decoding: record.encoded(), as: UTF8.self)
        #expect(text.contains("\"lease_until\": \"2026-04-10T09:10:00Z\""))
        #expect(text.contains("\"first_attempt_at\": \"2026-04-10T09:00:00Z\""))
        #expect(e.firstAttemptDate == now)
    }
}
