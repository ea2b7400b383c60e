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
