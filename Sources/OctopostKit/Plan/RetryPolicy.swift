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
