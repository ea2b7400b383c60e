import Foundation

/// Why `octopost retry` released nothing.
public enum ReleaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The post has no entry for the platform asked.
    case noSuchPlatform(id: String, platform: String, known: [String])
    /// No entry is `failed`, `unknown` or `expired`; `statuses` says what they are.
    case nothingToRelease(id: String, statuses: [String: EntryStatus])

    public var description: String {
        switch self {
        case .noSuchPlatform(let id, let p, let known):
            "\(id) has no entry for '\(p)' (it has: \(known.joined(separator: ", ")))"
        case .nothingToRelease(let id, let statuses):
            "nothing to retry in \(id): "
                + statuses.keys.sorted().map { "\($0) is \(statuses[$0]?.rawValue ?? "?")" }.joined(separator: ", ")
                + " (only failed, unknown or expired entries can be retried)"
        }
    }
}

extension LedgerRecord {
    /// `octopost retry ID [--platform P]`: puts `failed`, `unknown` and `expired` entries back to `pending`.
    /// `platform` is a target key (`mastodon:work`) or a platform name, which matches all its accounts
    /// (`mastodon` matches `mastodon` and `mastodon:work`); nil matches every entry.
    /// A released entry keeps `attempts` (every request ever made) and the thread `segments` already posted
    /// (a retry resumes after them); the error, lease, retry count and first-attempt time are cleared, so it
    /// gets a fresh retry schedule and idempotency window. Returns the released target keys, sorted.
    public static func release(_ record: LedgerRecord, platform: String?, now: Date)
        throws(ReleaseError) -> (record: LedgerRecord, released: [String]) {
        let keys = record.platformResults.keys.sorted().filter { key in
            guard let platform else { return true }
            return key == platform || (!platform.contains(":") && key.hasPrefix(platform + ":"))
        }
        if let platform, keys.isEmpty {
            throw .noSuchPlatform(id: record.id, platform: platform, known: record.platformResults.keys.sorted())
        }
        var updated = record
        var released: [String] = []
        for key in keys {
            guard var entry = updated.platformResults[key], entry.isReleasable else { continue }
            entry.release()
            updated.platformResults[key] = entry
            released.append(key)
        }
        guard !released.isEmpty else {
            throw .nothingToRelease(id: record.id,
                                    statuses: keys.reduce(into: [:]) { $0[$1] = record.platformResults[$1]?.status })
        }
        updated.refreshStatus()
        updated.updatedAt = Timestamp.format(now)
        return (updated, released)
    }
}
