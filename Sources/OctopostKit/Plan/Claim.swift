import Foundation

/// One platform entry of one post.
public struct EntryRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var id: String
    /// The target key: `mastodon` or `mastodon:work`.
    public var target: String

    public init(id: String, target: String) {
        self.id = id
        self.target = target
    }

    public static func < (a: EntryRef, b: EntryRef) -> Bool { (a.id, a.target) < (b.id, b.target) }
    public var description: String { "\(id) \(target)" }
}

/// An entry that cannot be claimed: another run holds it, it is finished, or it is not in the ledger.
public struct ClaimError: Error, Sendable, Equatable, CustomStringConvertible {
    public var entry: EntryRef
    public var status: EntryStatus?

    public var description: String {
        guard let status else { return "cannot claim \(entry): no such ledger entry" }
        return "cannot claim \(entry): it is \(status.rawValue)" + (status == .publishing ? " by another run" : "")
    }
}

/// Leases: a run owns the entries it claimed until `lease_until` (SPEC §3, §7).
public enum Lease {
    /// Ten minutes after the claim or the last renewal.
    public static let duration: TimeInterval = 600

    /// Claims entries for `runID` (`PlatformResult.claim`: `publishing`, lease = now + 10 min). Claimable:
    /// `PlatformResult.isClaimable` — `pending`, `retrying`, or `publishing` whose lease ran out (an
    /// uncertain entry the plan chose to recover). Anything else throws and nothing is claimed.
    public static func claim(_ records: [String: LedgerRecord], entries: [EntryRef], runID: String,
                             now: Date) throws(ClaimError) -> [String: LedgerRecord] {
        var result = records
        let stamp = Timestamp.format(now)
        for ref in entries {
            guard var record = result[ref.id], var entry = record.platformResults[ref.target] else {
                throw ClaimError(entry: ref, status: nil)
            }
            guard entry.isClaimable(now: now) else { throw ClaimError(entry: ref, status: entry.status) }
            entry.claim(runID: runID, now: now)
            record.platformResults[ref.target] = entry
            record.refreshStatus()
            record.updatedAt = stamp
            result[ref.id] = record
        }
        return result
    }

    /// Extends the lease of every entry `runID` holds to now + 10 min (a run renews while it lives).
    /// Records where the run holds nothing are returned unchanged.
    public static func renew(_ records: [String: LedgerRecord], runID: String, now: Date) -> [String: LedgerRecord] {
        records.mapValues { record in
            var record = record
            var touched = false
            for (key, entry) in record.platformResults where entry.isHeld(by: runID) {
                record.platformResults[key]?.renewLease(now: now)
                touched = true
            }
            if touched { record.updatedAt = Timestamp.format(now) }
            return record
        }
    }
}
