import Foundation

/// The ledger entry's state machine (SPEC §3, §7): every change of a platform entry's state is one of
/// these named transitions, and each sets exactly the fields its state needs. Nothing else in
/// OctopostKit assigns `status`, `success`, `error`, `error_kind`, `next_attempt_at`, `run_id`,
/// `lease_until`, `first_attempt_at`, `published_at`, `retries` or `segments` by hand.
///
/// Dates come in typed (`Date`) and are stored as the ledger's timestamp strings (`Timestamp.format`),
/// so the JSON layout and bytes are those of SPEC §3; the `…Date` accessors read them back.
///
///     (new) ──expire──▶ expired                     (new) ──▶ pending
///     pending | retrying | publishing (lease over) ──claim──▶ publishing
///     publishing ──publish──▶ published      publishing ──recordFailure──▶ retrying | failed
///     publishing ──keepUncertain──▶ publishing (lease ended)   publishing ──stopBetweenParts──▶ pending
///     publishing ──markUnknown──▶ unknown    pending | retrying ──failBeforeSending──▶ failed
///     publishing (every part recorded) ──completeThread──▶ published
///     failed | unknown | expired ──release──▶ pending
extension PlatformResult {
    // MARK: Typed dates

    /// `next_attempt_at` as an instant (nil when absent; the loader rejects malformed values).
    public var nextAttemptDate: Date? { nextAttemptAt.flatMap(Self.instant) }
    public var leaseUntilDate: Date? { leaseUntil.flatMap(Self.instant) }
    public var firstAttemptDate: Date? { firstAttemptAt.flatMap(Self.instant) }
    public var publishedDate: Date? { publishedAt.flatMap(Self.instant) }

    static func instant(_ text: String) -> Date? { try? Timestamp.resolve(text, timeZone: nil).instant }

    // MARK: Guards

    /// Whether a run may claim this entry at `now`: `pending`, `retrying`, or `publishing` whose lease ran
    /// out (an uncertain entry the plan chose to recover).
    public func isClaimable(now: Date) -> Bool {
        let leaseOver = leaseUntilDate.map { $0 <= now } ?? true
        return status == .pending || status == .retrying || (status == .publishing && leaseOver)
    }

    /// Whether `runID` holds this entry (it is `publishing` under that run's lease).
    public func isHeld(by runID: String) -> Bool { status == .publishing && self.runID == runID }

    /// Whether `octopost retry` may send this entry back to `pending`.
    public var isReleasable: Bool { [.failed, .unknown, .expired].contains(status) }

    // MARK: Transitions

    /// `publishing` for `runID` until now + `Lease.duration`. `first_attempt_at` is set when absent (kept
    /// when present: an idempotency window counts from the round's first request), `attempts` counted (a
    /// claimed entry is about to be sent; a run killed mid-request still counts), and the stale
    /// `next_attempt_at` cleared. The caller checks `isClaimable(now:)` first.
    public mutating func claim(runID: String, now: Date) {
        status = .publishing
        success = false
        self.runID = runID
        leaseUntil = Timestamp.format(now.addingTimeInterval(Lease.duration))
        if firstAttemptAt == nil { firstAttemptAt = Timestamp.format(now) }
        attempts += 1
        nextAttemptAt = nil
    }

    /// Extends the lease of a held entry to now + `Lease.duration` (a run renews while it lives).
    public mutating func renewLease(now: Date) {
        leaseUntil = Timestamp.format(now.addingTimeInterval(Lease.duration))
    }

    /// Records the parts posted so far (a thread in progress, or found on the account), so a later run
    /// resumes after them. The state does not change.
    public mutating func recordPosted(_ segments: [SegmentResult]) {
        self.segments = segments
    }

    /// `published` with every part: the ids are the first part's, the lease and any error are cleared.
    public mutating func publish(_ segments: [SegmentResult], at now: Date) {
        settlePublished()
        postID = segments.first?.postID
        postURL = segments.first?.postURL
        self.segments = segments
        publishedAt = Timestamp.format(now)
    }

    /// `published` found by the planner: every part is already recorded (the run died after the last one,
    /// before saying so). Ids already set are kept, else they are the first part's; `published_at` is not
    /// known and stays as it is. The caller checks that `segments` covers every part.
    public mutating func completeThread() {
        settlePublished()
        let first = segments?.first
        postID = postID ?? first?.postID
        postURL = postURL ?? first?.postURL
    }

    private mutating func settlePublished() {
        status = .published
        success = true
        error = nil
        errorKind = nil
        nextAttemptAt = nil
        runID = nil
        leaseUntil = nil
    }

    /// Records a failed request: `retrying` with `next_attempt_at` (RetryPolicy's schedule), or `failed`;
    /// the lease is released. `attempts` is not changed here (the claim counted the attempt).
    public mutating func recordFailure(_ message: String, kind: ErrorKind, notBefore: Date? = nil,
                                       delays: [TimeInterval], now: Date) {
        switch RetryPolicy.decide(retries: retries ?? 0, kind: kind, delays: delays, notBefore: notBefore, now: now) {
        case .retry(let at, let count): retry(message, kind: kind, at: at, retries: count)
        case .fail: fail(message, kind: kind)
        }
    }

    /// `retrying`: a run takes it again at or after `at`; `retries` is the round's new count. The lease is
    /// released.
    public mutating func retry(_ message: String, kind: ErrorKind, at: Date, retries: Int) {
        status = .retrying
        success = false
        error = message
        errorKind = kind
        nextAttemptAt = Timestamp.format(at)
        self.retries = retries
        runID = nil
        leaseUntil = nil
    }

    /// `failed` after a request: nothing resends it by itself. The lease is released; `retries` is kept.
    public mutating func fail(_ message: String, kind: ErrorKind) {
        settle(.failed, message, kind: kind)
    }

    /// `failed` before anything was sent (the post does not pass lint for this platform): a permanent
    /// error, and the retry round is over. The entry is `pending` or `retrying`, so no run holds it and the
    /// lease fields are left as they are.
    public mutating func failBeforeSending(_ message: String) {
        status = .failed
        success = false
        error = message
        errorKind = .permanent
        nextAttemptAt = nil
        retries = nil
    }

    /// A lost answer that a later run can settle safely: the entry stays `publishing` with its lease ended
    /// now (so the planner applies the platform's recovery again, never a plain retry), the parts posted
    /// so far kept, and `retries` counting the try.
    public mutating func keepUncertain(_ message: String, posted: [SegmentResult], retries: Int, now: Date) {
        status = .publishing
        success = false
        error = message
        errorKind = .transient
        segments = posted.isEmpty ? nil : posted
        self.retries = retries
        runID = nil
        leaseUntil = Timestamp.format(now)
        nextAttemptAt = nil
    }

    /// Settles an entry nobody can confirm as `unknown`: no run holds it, nothing resends it by itself
    /// (`octopost retry` releases it). Segments already posted are kept.
    public mutating func markUnknown(_ message: String, kind: ErrorKind?) {
        settle(.unknown, message, kind: kind)
    }

    /// A final state with its error: no retry scheduled, no run holds the entry.
    private mutating func settle(_ final: EntryStatus, _ message: String, kind: ErrorKind?) {
        status = final
        success = false
        error = message
        errorKind = kind
        nextAttemptAt = nil
        runID = nil
        leaseUntil = nil
    }

    /// `unknown`, recording the parts known to be posted (none: no `segments`).
    public mutating func markUnknown(_ message: String, kind: ErrorKind?, posted: [SegmentResult]) {
        markUnknown(message, kind: kind)
        segments = posted.isEmpty ? nil : posted
    }

    /// The run was asked to stop between parts: back to `pending` for the next run, which resumes after
    /// `posted`; the lease is given up, the round (error, retries, first attempt) kept.
    public mutating func stopBetweenParts(posted: [SegmentResult]) {
        status = .pending
        segments = posted.isEmpty ? nil : posted
        runID = nil
        leaseUntil = nil
    }

    /// `expired`: first seen too long after it was due (SPEC §7); `octopost retry` publishes it anyway.
    public mutating func expire(_ message: String) {
        status = .expired
        success = false
        error = message
    }

    /// Back to `pending` (`octopost retry`, or edit and retry): clears everything that belongs to one
    /// attempt round, keeping `attempts`, the posted `segments` and ids, so the entry gets a fresh retry
    /// schedule and idempotency window.
    public mutating func release() {
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
