import Foundation

/// What happens to an entry after a failed request (SPEC §7).
public enum RetryDecision: Sendable, Equatable {
    /// `retrying`, taken again by a run at or after `at`; `retries` is the new count for the round.
    case retry(at: Date, retries: Int)
    /// `failed`.
    case fail
}

/// The retry schedule, as a pure function.
public enum RetryPolicy {
    /// - Parameters:
    ///   - retries: retries already scheduled in this round (`PlatformResult.retries`, 0 when absent).
    ///   - kind: transient failures are retried, permanent ones fail at once.
    ///   - delays: `retry.delays` from the config (default 1, 5, 15 minutes: at most three retries).
    ///   - notBefore: an instant the platform asked for (Retry-After, a rate-limit reset); the retry is
    ///     never earlier than it, and never earlier than the configured delay.
    public static func decide(retries: Int, kind: ErrorKind, delays: [TimeInterval], notBefore: Date?,
                              now: Date) -> RetryDecision {
        guard kind == .transient, retries >= 0, retries < delays.count else { return .fail }
        let byDelay = now.addingTimeInterval(delays[retries])
        return .retry(at: max(byDelay, notBefore ?? byDelay), retries: retries + 1)
    }
}

extension PlatformResult {
    /// Settles an entry nobody can confirm as `unknown`: no run holds it, nothing resends it by itself
    /// (`octopost retry` releases it). Segments already posted are kept.
    public mutating func markUnknown(_ message: String, kind: ErrorKind?) {
        status = .unknown
        success = false
        error = message
        errorKind = kind
        nextAttemptAt = nil
        runID = nil
        leaseUntil = nil
    }

    /// Records a failed request: `retrying` with `next_attempt_at`, or `failed`; the lease is released.
    /// `attempts` is not changed here (the claim counted the attempt).
    public mutating func recordFailure(_ message: String, kind: ErrorKind, notBefore: Date? = nil,
                                       delays: [TimeInterval], now: Date) {
        success = false
        error = message
        errorKind = kind
        runID = nil
        leaseUntil = nil
        switch RetryPolicy.decide(retries: retries ?? 0, kind: kind, delays: delays, notBefore: notBefore, now: now) {
        case .retry(let at, let count):
            status = .retrying
            nextAttemptAt = Timestamp.format(at)
            retries = count
        case .fail:
            status = .failed
            nextAttemptAt = nil
        }
    }
}
