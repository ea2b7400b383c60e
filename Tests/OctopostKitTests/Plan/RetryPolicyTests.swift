import Foundation
import Testing
@testable import OctopostKit

@Suite struct RetryPolicyTests {
    let now = Fx.t("2026-04-10T09:00:00Z")
    let delays = Config().retryDelays

    @Test func defaultScheduleIsOneFiveFifteenMinutesThenFailed() {
        var entry = PlatformResult(status: .publishing, attempts: 1)
        var clock = now
        var seen: [String] = []
        for _ in 0..<3 {
            entry.recordFailure("HTTP 503", kind: .transient, delays: delays, now: clock)
            #expect(entry.status == .retrying)
            seen.append(entry.nextAttemptAt ?? "-")
            clock = Fx.t(entry.nextAttemptAt!)
            entry.attempts += 1
        }
        #expect(seen == ["2026-04-10T09:01:00Z", "2026-04-10T09:06:00Z", "2026-04-10T09:21:00Z"])
        entry.recordFailure("HTTP 503", kind: .transient, delays: delays, now: clock)
        #expect(entry.status == .failed)
        #expect(entry.nextAttemptAt == nil)
        #expect(entry.errorKind == .transient)
        #expect(entry.error == "HTTP 503")
        #expect(entry.retries == 3)
    }

    @Test func pureDecisions() {
        #expect(RetryPolicy.decide(retries: 0, kind: .transient, delays: delays, notBefore: nil, now: now)
            == .retry(at: now.addingTimeInterval(60), retries: 1))
        #expect(RetryPolicy.decide(retries: 2, kind: .transient, delays: delays, notBefore: nil, now: now)
            == .retry(at: now.addingTimeInterval(900), retries: 3))
        #expect(RetryPolicy.decide(retries: 3, kind: .transient, delays: delays, notBefore: nil, now: now) == .fail)
        #expect(RetryPolicy.decide(retries: 0, kind: .permanent, delays: delays, notBefore: nil, now: now) == .fail)
        #expect(RetryPolicy.decide(retries: 0, kind: .transient, delays: [], notBefore: nil, now: now) == .fail)
    }

    @Test func retryAfterLaterThanTheDelayWins() {
        let later = now.addingTimeInterval(3600)
        #expect(RetryPolicy.decide(retries: 0, kind: .transient, delays: delays, notBefore: later, now: now)
            == .retry(at: later, retries: 1))
        // An earlier Retry-After never shortens the configured delay.
        #expect(RetryPolicy.decide(retries: 1, kind: .transient, delays: delays, notBefore: now.addingTimeInterval(10), now: now)
            == .retry(at: now.addingTimeInterval(300), retries: 2))
        var entry = PlatformResult(status: .publishing, attempts: 1)
        entry.runID = "r"
        entry.leaseUntil = "2026-04-10T09:10:00Z"
        entry.recordFailure("429", kind: .transient, notBefore: later, delays: delays, now: now)
        #expect(entry.nextAttemptAt == "2026-04-10T10:00:00Z")
        #expect(entry.runID == nil && entry.leaseUntil == nil)
    }

    @Test func permanentFailsAtOnce() {
        var entry = PlatformResult(status: .publishing, attempts: 1)
        entry.recordFailure("Token expired", kind: .permanent, notBefore: now.addingTimeInterval(60), delays: delays, now: now)
        #expect(entry.status == .failed)
        #expect(entry.nextAttemptAt == nil)
        #expect(entry.retries == nil)
    }
}
