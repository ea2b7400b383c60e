import Foundation

/// How a platform lets octopost recover an entry whose run died with the request in flight (SPEC §7).
public enum RecoveryMode: Sendable, Equatable {
    /// The server drops a repeated request carrying the same key, for `window` after the first attempt
    /// (Mastodon's `Idempotency-Key`: kept one hour, so 55 minutes from `first_attempt_at`).
    case idempotent(window: TimeInterval)
    /// The post's record key is derived from the entry, so a repeat cannot create a second post (Bluesky).
    case deterministicKey
    /// The adapter can read the account's recent posts: look for the post first, send only if absent.
    case lookup

    /// Mastodon keeps an idempotency key for one hour; octopost relies on it for 55 minutes.
    public static let mastodonWindow: TimeInterval = 55 * 60
}

/// A platform's recovery modes in order of preference; an empty list means none (the entry becomes
/// `unknown`). Adapters declare theirs; `Planner.defaultRecovery` knows Mastodon and Bluesky.
public typealias RecoveryCapability = @Sendable (PlatformTarget) -> [RecoveryMode]

/// A post as committed on the branch, with what the planner needs to know about it.
public struct PlannedPost: Sendable, Equatable {
    public var post: Post
    /// SHA-256 (hex) of the post file's bytes.
    public var contentSHA256: String
    /// Lint errors per target (the first message), for targets whose rules the post breaks.
    public var lintErrors: [PlatformTarget: String]

    public init(post: Post, contentSHA256: String, lintErrors: [PlatformTarget: String] = [:]) {
        self.post = post
        self.contentSHA256 = contentSHA256
        self.lintErrors = lintErrors
    }
}

/// One entry sync should publish now.
public struct PlanEntry: Sendable, Equatable {
    public var id: String
    public var target: PlatformTarget
    public var scheduledFor: Date
    /// The attempt this will be: the entry's `attempts` + 1.
    public var attempt: Int
    /// Thread parts already posted (`segments` in the entry): publishing resumes after them. 0: from the start.
    public var postedSegments: Int
    /// Set when the entry's lease ran out without a result: how to send it again safely
    /// (`.lookup`: look for the post on the account first).
    public var recovery: RecoveryMode?

    public init(id: String, target: PlatformTarget, scheduledFor: Date, attempt: Int, postedSegments: Int = 0,
                recovery: RecoveryMode? = nil) {
        self.id = id
        self.target = target
        self.scheduledFor = scheduledFor
        self.attempt = attempt
        self.postedSegments = postedSegments
        self.recovery = recovery
    }

    public var ref: EntryRef { EntryRef(id: id, target: target.key) }
    public var isResume: Bool { postedSegments > 0 }
    public var lookupFirst: Bool { recovery == .lookup }
}

/// A ledger change the plan makes without sending anything.
public struct Transition: Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        /// The post is due and the entry was not in the ledger: recorded `pending`.
        case firstSeen
        /// First seen more than `stale_after` past `scheduled_for`: `expired`.
        case stale
        /// A `failed` entry whose post file changed: back to `pending` (edit and retry).
        case edited
        /// The post breaks this platform's rules: `failed` (permanent) with the lint message.
        case lint(String)
        /// The lease ran out without a result and the platform offers no safe way to resend: `unknown`.
        case leaseExpired
        /// Every thread part is already recorded: `published`.
        case threadComplete
    }

    public var entry: EntryRef
    public var from: EntryStatus?
    public var to: EntryStatus
    public var reason: Reason

    public init(entry: EntryRef, from: EntryStatus?, to: EntryStatus, reason: Reason) {
        self.entry = entry
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// A post the planner left alone, and why.
public struct SkippedPost: Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        /// Its ledger file cannot be read: what was sent is unknown, so nothing is sent.
        case unreadableLedger
        /// Two post files claim this id.
        case duplicateID(sources: [String])
    }

    public var id: String
    public var reason: Reason
}

/// What sync would do now (`octopost plan`), and the ledger changes it makes without requests.
public struct Plan: Sendable, Equatable {
    public var now: Date
    /// Entries to publish, ordered by scheduled time, id, target.
    public var due: [PlanEntry]
    /// Ledger changes made without any request, in post order.
    public var transitions: [Transition]
    /// Every record the plan created or changed, as it must be written (transitions applied, `content_sha256`,
    /// `source`, `status` and `updated_at` brought up to date). Due entries are not claimed here.
    public var records: [String: LedgerRecord]
    /// Ledger ids whose post file is gone: reported, never an error, never deleted.
    public var orphans: [String]
    /// Entries of targets no longer in their post's `platforms`: left as they are, reported.
    public var removedTargets: [EntryRef]
    /// Entries another run holds (`publishing`, lease still running).
    public var inFlight: [EntryRef]
    public var skipped: [SkippedPost]

    /// `octopost plan --format json` (SPEC §6): `{"now", "entries": [{"id", "platform", "scheduled_for", "attempt"}]}`.
    public var jsonValue: JSONValue {
        .object([
            "now": .string(Timestamp.format(now)),
            "entries": .array(due.map { e in
                .object(["id": .string(e.id), "platform": .string(e.target.key),
                         "scheduled_for": .string(Timestamp.format(e.scheduledFor)), "attempt": .int(e.attempt)])
            }),
        ])
    }
}

/// Decides what is due and what changes in the ledger (SPEC §7). Pure: `now` is passed in.
///
/// Decisions:
/// - A record is created only when its post is due (`scheduled_for` <= now); future posts and drafts
///   leave the ledger untouched. Creating the entry is "first seen": an entry more than `stale_after` past
///   `scheduled_for` at that moment is created `expired`. An entry already in the ledger is never expired
///   later because time passed (it was seen in time; and `octopost retry` on an expired entry must stick).
/// - `content_sha256` records what was published: once anything of the post is out (an entry `published`,
///   or a thread part recorded in `segments`) it never changes. Edit and retry still works then: a `failed`
///   entry whose content differs from the file goes back to `pending`, and an entry that sends a file other
///   than the pinned one carries its own `content_sha256` (so each published entry says what it sent).
///   Before anything is out, an edit updates the record's hash only together with an entry it concerns:
///   `failed` entries go back to `pending`, or an entry is due and will send the new content. `unknown` and
///   `expired` entries stay as they are. So an entry that fails again with the new content waits for the
///   next edit or `octopost retry`.
/// - Lint errors fail `pending` and `retrying` due entries; uncertain (lease-expired) entries are recovered
///   regardless, since their first request may already have arrived.
/// - A lease that ran out (`lease_until` <= now) uses the first applicable recovery mode: `idempotent` only
///   while now < `first_attempt_at` + window; `deterministicKey` and `lookup` always. None: `unknown`.
public struct Planner: Sendable {
    public var retryDelays: [TimeInterval]
    public var staleAfter: TimeInterval
    public var recovery: RecoveryCapability

    public init(config: Config, recovery: @escaping RecoveryCapability = Planner.defaultRecovery) {
        self.retryDelays = config.retryDelays
        self.staleAfter = config.staleAfter
        self.recovery = recovery
    }

    /// Mastodon: idempotency keys within 55 minutes; Bluesky: deterministic record keys; others: none.
    public static let defaultRecovery: RecoveryCapability = { target in
        switch target.platform {
        case .mastodon: [.idempotent(window: RecoveryMode.mastodonWindow)]
        case .bluesky: [.deterministicKey]
        default: []
        }
    }

    /// - Parameters:
    ///   - posts: the posts committed on the branch that parsed.
    ///   - ledger: the records by id.
    ///   - unreadableLedgerIDs: ids whose ledger file exists but cannot be read; their posts are skipped.
    ///   - unparsedSources: post files that could not be parsed; a record whose `source` is one of them is
    ///     not reported as an orphan.
    public func plan(posts: [PlannedPost], ledger: [String: LedgerRecord], now: Date,
                     unreadableLedgerIDs: Set<String> = [], unparsedSources: Set<String> = []) -> Plan {
        var plan = Plan(now: now, due: [], transitions: [], records: [:], orphans: [], removedTargets: [],
                        inFlight: [], skipped: [])
        let byID = PostsByID(posts)
        let stamp = Timestamp.format(now)
        for id in byID.first.keys.sorted() {
            if byID.count(id) > 1 {
                plan.skipped.append(SkippedPost(id: id, reason: .duplicateID(sources: byID.sources(id))))
                continue
            }
            if unreadableLedgerIDs.contains(id) {
                plan.skipped.append(SkippedPost(id: id, reason: .unreadableLedger))
                continue
            }
            planPost(posts[byID.first[id]!], record: ledger[id], now: now, stamp: stamp, into: &plan)
        }
        plan.orphans = ledger.keys.filter { id in
            guard byID.first[id] == nil, let record = ledger[id] else { return false }
            return !unparsedSources.contains(record.source)
        }.sorted()
        settleAbandoned(ledger: ledger, posts: byID, now: now, skip: unreadableLedgerIDs, into: &plan)
        plan.due.sort { ($0.scheduledFor, $0.id, $0.target.key) < ($1.scheduledFor, $1.id, $1.target.key) }
        return plan
    }

    /// An entry whose lease ran out while its post no longer asks for it (the file was deleted, made a
    /// draft, unscheduled, or the platform removed) is never sent again, so it cannot stay `publishing`:
    /// it becomes `unknown` for a human (SPEC §7: nothing is left unsettled once its lease is over).
    private func settleAbandoned(ledger: [String: LedgerRecord], posts: PostsByID, now: Date,
                                 skip: Set<String>, into plan: inout Plan) {
        for id in ledger.keys.sorted() where !skip.contains(id) {
            guard var record = plan.records[id] ?? ledger[id] else { continue }
            if posts.count(id) > 1 { continue }  // duplicate ids: skipped until fixed
            let post = posts.first[id].map { posts.posts[$0].post }
            let wanted: Set<String> = post.map { p in
                p.isDraft ? [] : Set(p.platforms.map(\.value.key))
            } ?? []
            var changed = false
            for key in record.platformResults.keys.sorted() where !wanted.contains(key) {
                guard var entry = record.platformResults[key], entry.status == .publishing,
                      entry.leaseUntilDate.map({ $0 <= now }) ?? true else { continue }
                entry.markUnknown("a run ended without a result for this entry, and the post no longer asks for it "
                    + "(deleted, a draft, or the platform removed): check \(key) by hand", kind: entry.errorKind)
                record.platformResults[key] = entry
                plan.transitions.append(Transition(entry: EntryRef(id: id, target: key), from: .publishing, to: .unknown,
                                                   reason: .leaseExpired))
                changed = true
            }
            if changed {
                record.refreshStatus()
                record.updatedAt = Timestamp.format(now)
                plan.records[id] = record
            }
        }
    }

    /// The posts by id without copying them into a list per id (100,000 lists of one at 100,000 posts).
    struct PostsByID {
        let posts: [PlannedPost]
        /// The index of each id's first post.
        var first: [String: Int] = [:]
        /// Ids that more than one post claims, with every index.
        var shared: [String: [Int]] = [:]

        init(_ posts: [PlannedPost]) {
            self.posts = posts
            first.reserveCapacity(posts.count)
            for (i, p) in posts.enumerated() {
                if let j = first[p.post.id] { shared[p.post.id, default: [j]].append(i) } else { first[p.post.id] = i }
            }
        }

        /// How many posts claim `id`.
        func count(_ id: String) -> Int { first[id] == nil ? 0 : shared[id]?.count ?? 1 }

        func sources(_ id: String) -> [String] { (shared[id] ?? []).map { posts[$0].post.source }.sorted() }
    }

    private func planPost(_ planned: PlannedPost, record existing: LedgerRecord?, now: Date, stamp: String,
                          into plan: inout Plan) {
        let post = planned.post
        guard !post.isDraft, let scheduled = post.scheduledFor?.value.instant else { return }
        let isDue = scheduled <= now
        if existing == nil && !isDue { return }
        let dueBefore = plan.due.count  // entries of this post are appended after it (ids are unique here)
        var record = existing ?? LedgerRecord(id: post.id, source: post.source, contentSHA256: planned.contentSHA256,
                                              updatedAt: stamp)
        var changed = existing == nil
        var targets: [PlatformTarget] = []
        for t in post.platforms.map(\.value) where !targets.contains(t) { targets.append(t) }
        let keys = Set(targets.map(\.key))

        func transition(_ key: String, _ from: EntryStatus?, _ to: EntryStatus, _ reason: Transition.Reason) {
            plan.transitions.append(Transition(entry: EntryRef(id: post.id, target: key), from: from, to: to, reason: reason))
            changed = true
        }

        if record.source != post.source {
            record.source = post.source
            changed = true
        }
        // Anything of the post already out pins the record's content_sha256 (what was published).
        let pinned = record.platformResults.values.contains { $0.status == .published || !($0.segments ?? []).isEmpty }
        let edited = !pinned && record.contentSHA256 != planned.contentSHA256
        for key in record.platformResults.keys.sorted() where keys.contains(key) {
            guard var entry = record.platformResults[key], entry.status == .failed else { continue }
            // Edit and retry: a failed entry goes back to pending when the file differs from what it sent.
            if pinned ? (entry.contentSHA256 ?? record.contentSHA256) == planned.contentSHA256 : !edited { continue }
            entry.release()
            if pinned { entry.contentSHA256 = planned.contentSHA256 }
            record.platformResults[key] = entry
            transition(key, .failed, .pending, .edited)
        }
        for key in record.platformResults.keys.sorted() where !keys.contains(key) {
            plan.removedTargets.append(EntryRef(id: post.id, target: key))
        }

        let threadParts = 1 + post.segments.count
        for target in targets {
            let key = target.key
            let ref = EntryRef(id: post.id, target: key)
            // What the publisher sends to this platform: the whole thread, or the body alone.
            let parts = target.platform.mediaLimits.supportsThreads ? threadParts : 1
            var entry: PlatformResult
            if let known = record.platformResults[key] {
                entry = known
            } else {
                guard isDue else { continue }
                if now.timeIntervalSince(scheduled) > staleAfter {
                    entry = PlatformResult()
                    entry.expire("scheduled for \(Timestamp.format(scheduled)), more than \(Self.describe(staleAfter)) before octopost first saw it; run `octopost retry \(post.id) --platform \(key)` to publish it anyway")
                    record.platformResults[key] = entry
                    transition(key, nil, .expired, .stale)
                    continue
                }
                entry = PlatformResult(status: .pending)
                record.platformResults[key] = entry
                transition(key, nil, .pending, .firstSeen)
            }
            guard isDue else { continue }
            let posted = entry.segments?.count ?? 0

            var recovery: RecoveryMode?
            switch entry.status {
            case .pending:
                break
            case .retrying:
                if let next = entry.nextAttemptDate, next > now { continue }
            case .publishing:
                if let lease = entry.leaseUntilDate, lease > now {
                    plan.inFlight.append(ref)
                    continue
                }
                if posted < parts, let mode = recoveryMode(for: target, entry: entry, now: now) {
                    recovery = mode
                } else if posted < parts {
                    let from = entry.status
                    entry.markUnknown("a run stopped while sending this to \(target.platform.displayName) and octopost cannot ask whether it arrived; check the account, then run `octopost retry \(post.id) --platform \(key)` if it is not there", kind: nil)
                    record.platformResults[key] = entry
                    transition(key, from, .unknown, .leaseExpired)
                    continue
                }
            case .published, .failed, .expired, .unknown:
                continue
            }

            if posted >= parts, entry.segments?.first != nil {
                // Every part is recorded: the run died after the last one, before saying so.
                let from = entry.status
                entry.completeThread()
                record.platformResults[key] = entry
                transition(key, from, .published, .threadComplete)
                continue
            }
            if recovery == nil, let message = planned.lintErrors[target] {
                let from = entry.status
                entry.failBeforeSending(message)
                record.platformResults[key] = entry
                transition(key, from, .failed, .lint(message))
                continue
            }
            if pinned && recovery == nil && posted == 0 {
                // What this entry will send, where the record's pinned hash does not say it.
                let sends = planned.contentSHA256 == record.contentSHA256 ? nil : planned.contentSHA256
                if entry.contentSHA256 != sends {
                    entry.contentSHA256 = sends
                    record.platformResults[key] = entry
                    changed = true
                }
            }
            plan.due.append(PlanEntry(id: post.id, target: target, scheduledFor: scheduled, attempt: entry.attempts + 1,
                                      postedSegments: posted, recovery: recovery))
        }

        // The new content goes out with this record's next claim or reset, and only then is it recorded.
        if edited && (changed || plan.due.count > dueBefore) {
            record.contentSHA256 = planned.contentSHA256
            changed = true
        }
        if changed {
            record.refreshStatus()
            if record.status == .published || record.status == .partiallyPublished, record.publishedAt == nil {
                record.publishedAt = record.platformResults.values.compactMap(\.publishedAt).min() ?? stamp
            }
            record.updatedAt = stamp
            plan.records[post.id] = record
        }
    }

    private func recoveryMode(for target: PlatformTarget, entry: PlatformResult, now: Date) -> RecoveryMode? {
        for mode in recovery(target) {
            switch mode {
            case .idempotent(let window):
                if let first = entry.firstAttemptDate, now < first.addingTimeInterval(window) { return mode }
            case .deterministicKey, .lookup:
                return mode
            }
        }
        return nil
    }

    static func describe(_ interval: TimeInterval) -> String {
        let s = Int(interval)
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}
