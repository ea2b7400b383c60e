import Foundation

extension PostStatus {
    /// A post's status (SPEC §2), from its file and its ledger record. `draft` comes from the post only
    /// (`draft: true` or no `scheduled_for`), whatever the ledger says. Otherwise each of the post's current
    /// targets counts with its ledger entry's status, or `pending` when it has none yet (no record is written
    /// before a post is due). Entries of targets removed from the post no longer count.
    public static func derive(post: Post, record: LedgerRecord?) -> PostStatus {
        if post.isDraft { return .draft }
        var seen = Set<String>()
        var statuses: [EntryStatus] = []
        for target in post.platforms.map(\.value) where seen.insert(target.key).inserted {
            statuses.append(record?.platformResults[target.key]?.status ?? .pending)
        }
        return LedgerRecord.deriveStatus(statuses)
    }
}

extension PlatformResult {
    /// `next_attempt_at` as an instant (nil when absent; the loader rejects malformed values).
    public var nextAttemptDate: Date? { nextAttemptAt.flatMap(Self.instant) }
    public var leaseUntilDate: Date? { leaseUntil.flatMap(Self.instant) }
    public var firstAttemptDate: Date? { firstAttemptAt.flatMap(Self.instant) }

    static func instant(_ text: String) -> Date? { try? Timestamp.resolve(text, timeZone: nil).instant }

    /// Clears everything that belongs to one attempt round, keeping `attempts`, published `segments` and
    /// ids: the state of an entry sent back to `pending`.
    mutating func resetToPending() {
        status = .pending
        success = false
        error = nil
        errorKind = nil
        nextAttemptAt = nil
        runID = nil
        leaseUntil = nil
        firstAttemptAt = nil
        retries = nil
    }
}
