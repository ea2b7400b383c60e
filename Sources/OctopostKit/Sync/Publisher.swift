import Crypto
import Foundation

/// The in-memory ledger of a run; every change is written to its file at once (atomic), so a result
/// a platform returned is on disk before anything else happens.
actor LedgerBook {
    private(set) var records: [String: LedgerRecord]
    let store: LedgerStore
    private(set) var writeErrors: [String] = []
    private var lastFlush = Date.distantPast
    /// Longest time a written result may wait before it is made durable.
    static let flushInterval: TimeInterval = 0.1

    /// Time since the run started, for pacing flushes (the engine's clock).
    let clock: @Sendable () -> Date

    init(records: [String: LedgerRecord], store: LedgerStore, clock: @escaping @Sendable () -> Date) {
        self.records = records
        self.store = store
        self.clock = clock
    }

    func record(_ id: String) -> LedgerRecord? { records[id] }

    func entry(_ ref: EntryRef) -> PlatformResult? { records[ref.id]?.platformResults[ref.target] }

    /// Applies a change to one entry and writes the record's file.
    func update(_ ref: EntryRef, now: Date, _ change: @Sendable (inout PlatformResult) -> Void) {
        guard var record = records[ref.id], var entry = record.platformResults[ref.target] else { return }
        change(&entry)
        record.platformResults[ref.target] = entry
        record.refreshStatus()
        record.updatedAt = Timestamp.format(now)
        if entry.status == .published, record.publishedAt == nil { record.publishedAt = entry.publishedAt }
        records[ref.id] = record
        do { try store.write(record) } catch { writeErrors.append("\(error)") }
        if clock().timeIntervalSince(lastFlush) >= Self.flushInterval { flush() }
    }

    /// Makes every result written so far durable (one syncfs).
    func flush() {
        lastFlush = clock()
        do { try store.fileSystem.flush() } catch { writeErrors.append("\(error)") }
    }

    /// Takes records merged with a remote's (after a lost push race) as the run's own.
    func merge(_ new: [String: LedgerRecord]) { for (id, r) in new { records[id] = r } }

    /// Extends the lease of every entry `runID` still holds (SPEC §3: renewed while the run lives),
    /// writes those files, and returns the renewed records.
    func renewLeases(runID: String, now: Date) -> [String: LedgerRecord] {
        let held = records.filter { $0.value.platformResults.values.contains { $0.isHeld(by: runID) } }
        let renewed = Lease.renew(held, runID: runID, now: now)
        for (id, record) in renewed {
            records[id] = record
            do { try store.write(record) } catch { writeErrors.append("\(error)") }
        }
        return renewed
    }
}

/// Bounds concurrency per platform and slows a platform down only when it says its window is spent.
actor PlatformGate {
    let limit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// No request before this instant (a 429, or rate-limit headers with nothing remaining).
    private(set) var blockedUntil: Date?

    init(limit: Int) { self.limit = limit }

    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }

    func block(until date: Date) {
        if blockedUntil.map({ date > $0 }) ?? true { blockedUntil = date }
    }

    func note(_ state: RateLimitState?, now: Date) {
        guard let state, let remaining = state.remaining, remaining <= 0, let reset = state.reset, reset > now else { return }
        block(until: reset)
    }
}

/// Sends due entries: concurrently, each platform independent, each thread part by part.
struct Publisher: Sendable {
    var book: LedgerBook
    var config: Config
    var clock: @Sendable () -> Date
    var sleep: @Sendable (TimeInterval) async -> Void
    /// Longest wait for a rate-limit window inside a run; later resets become `retrying`.
    var maxRateLimitWait: TimeInterval = 30
    var stop: StopFlag
    var events: @Sendable (SyncEvent) -> Void

    /// Publishes one entry, recording every part as it is sent.
    func publish(_ entry: PlanEntry, post: Post, contentSHA256: String, adapter: any PlatformAdapter,
                 gate: PlatformGate) async -> SyncEntryResult {
        let ref = entry.ref
        let key = entry.target.key
        let limits = entry.target.platform.mediaLimits
        let parts = limits.supportsThreads ? post.parts : Array(post.parts.prefix(1))
        var done = await book.entry(ref)?.segments ?? []
        // The key must not change between a request whose answer was lost and its resend: it is fixed by
        // the round's first attempt (set at the claim, kept until the entry is released or edited).
        let round = await book.entry(ref)?.firstAttemptAt ?? contentSHA256

        func outgoing(_ index: Int) -> OutgoingPart {
            let p = parts[index]
            return OutgoingPart(index: index, text: p.text, media: p.media,
                                parent: done.last, root: done.first,
                                idempotencyKey: Self.idempotencyKey(id: post.id, target: key, index: index, round: round))
        }

        if entry.lookupFirst, done.count < parts.count {
            let since = (await book.entry(ref)?.firstAttemptDate ?? clock()).addingTimeInterval(-3600)
            while done.count < parts.count {
                let found: SegmentResult?
                do { found = try await adapter.findExisting(outgoing(done.count), of: post, since: since) } catch {
                    // Could not look: still uncertain, never a blind resend.
                    return await keepUncertain(ref, error, posted: done)
                }
                guard let found else { break }
                done.append(found)
                let saved = done
                await book.update(ref, now: clock()) { $0.recordPosted(saved) }
            }
        }

        while done.count < parts.count {
            if stop.isSet {
                // Stopped between parts: leave the entry to the next run, which resumes after `done`.
                let saved = done
                await book.update(ref, now: clock()) { $0.stopBetweenParts(posted: saved) }
                return SyncEntryResult(id: ref.id, platform: key, status: .pending)
            }
            if let until = await gate.blockedUntil, until > clock() {
                let wait = until.timeIntervalSince(clock())
                if wait > maxRateLimitWait {
                    return await fail(ref, PublishError(.transient, "\(entry.target.platform.displayName) rate limit: "
                        + "window spent until \(Timestamp.format(until))", notBefore: until), events: events)
                }
                await sleep(wait)
            }
            let part = outgoing(done.count)
            let result: SegmentResult
            do {
                result = try await adapter.publish(part, of: post)
            } catch {
                if let notBefore = error.notBefore { await gate.block(until: notBefore) }
                await gate.note(await adapter.rateLimit(), now: clock())
                guard error.uncertain else { return await fail(ref, error, events: events) }
                switch await settle(part, of: post, ref: ref, adapter: adapter) {
                case .found(let existing):
                    result = existing
                case .resendable:
                    return await keepUncertain(ref, error, posted: done)
                case .unknown:
                    return await markUnknown(ref, error, platform: entry.target.platform, posted: done)
                }
            }
            await gate.note(await adapter.rateLimit(), now: clock())
            done.append(result)
            if done.count == parts.count { break }  // the final write below records it, at once
            let saved = done
            await book.update(ref, now: clock()) { $0.recordPosted(saved) }
        }

        let now = clock()
        let final = done
        await book.update(ref, now: now) { $0.publish(final, at: now) }
        let result = SyncEntryResult(id: ref.id, platform: key, status: .published, postURL: final.first?.postURL)
        events(.entryFinished(result))
        return result
    }

    enum Settlement { case found(SegmentResult), resendable, unknown }

    /// A request whose answer was lost may have been acted on. Resend only where that cannot make a
    /// second post (the platform deduplicates the key); else look for it on the account; else nobody
    /// can tell, and the entry becomes `unknown` for a human (SPEC §7: at most once).
    func settle(_ part: OutgoingPart, of post: Post, ref: EntryRef, adapter: any PlatformAdapter) async -> Settlement {
        let now = clock()
        let first = await book.entry(ref)?.firstAttemptDate ?? now
        for mode in adapter.recoveryModes {
            switch mode {
            case .deterministicKey:
                return .resendable
            case .idempotent(let window) where now < first.addingTimeInterval(window):
                return .resendable
            case .idempotent:
                continue
            case .lookup:
                // Twice, a moment apart: a post may take a moment to show on the account. A lookup that
                // fails leaves it uncertain (the next run looks first again).
                for attempt in 0..<2 {
                    if attempt > 0 { await sleep(2) }
                    do {
                        if let found = try await adapter.findExisting(part, of: post, since: first.addingTimeInterval(-3600)) {
                            return .found(found)
                        }
                    } catch {
                        return .resendable
                    }
                }
                return .resendable
            }
        }
        return .unknown
    }

    /// A lost answer that a later run can settle safely: the entry stays `publishing` with its lease
    /// ended, so the planner applies the platform's recovery again when it is resent (the idempotency
    /// window checked then, a lookup first, or `unknown`), never a plain retry. After as many tries as
    /// the retry schedule allows, it becomes `unknown`.
    func keepUncertain(_ ref: EntryRef, _ error: PublishError, posted: [SegmentResult]) async -> SyncEntryResult {
        let now = clock()
        let tries = (await book.entry(ref)?.retries ?? 0) + 1
        guard tries <= config.retryDelays.count else {
            return await markUnknown(ref, error, platform: Platform(rawValue: String(ref.target.prefix { $0 != ":" })) ?? .mastodon,
                                     posted: posted)
        }
        let kept = posted
        let message = error.message + " (the next run checks before resending)"
        await book.update(ref, now: now) { $0.keepUncertain(message, posted: kept, retries: tries, now: now) }
        let result = SyncEntryResult(id: ref.id, platform: ref.target, status: .retrying, error: error.message)
        events(.entryFinished(result))
        return result
    }

    func markUnknown(_ ref: EntryRef, _ error: PublishError, platform: Platform, posted: [SegmentResult]) async
        -> SyncEntryResult {
        let message = "\(error.message): the request may have reached \(platform.displayName) and \(platform.displayName) "
            + "cannot be asked; check there, then `octopost retry \(ref.id) --platform \(ref.target)` if it is missing"
        let kept = posted
        let kind = error.kind
        await book.update(ref, now: clock()) { $0.markUnknown(message, kind: kind, posted: kept) }
        let result = SyncEntryResult(id: ref.id, platform: ref.target, status: .unknown, error: message)
        events(.entryFinished(result))
        return result
    }

    func fail(_ ref: EntryRef, _ error: PublishError, events: @Sendable (SyncEvent) -> Void) async -> SyncEntryResult {
        let delays = config.retryDelays
        let now = clock()
        await book.update(ref, now: now) { e in
            e.recordFailure(error.message, kind: error.kind, notBefore: error.notBefore, delays: delays, now: now)
        }
        let entry = await book.entry(ref)
        let result = SyncEntryResult(id: ref.id, platform: ref.target, status: entry?.status ?? .failed,
                                     error: error.message, nextAttemptAt: entry?.nextAttemptAt)
        events(.entryFinished(result))
        return result
    }

    /// Stable for an entry's part within a round of attempts (`round`: the round's `first_attempt_at`):
    /// the resend after a lost answer carries the same key even if the file changed meanwhile.
    static func idempotencyKey(id: String, target: String, index: Int, round: String) -> String {
        PostSnapshot.sha256Hex(Array("\(id)|\(target)|\(index)|\(round)".utf8))
    }
}

/// Set by SIGINT/SIGTERM: no new request starts; requests in flight finish.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    public var isSet: Bool { lock.withLock { value } }
    public func set() { lock.withLock { value = true } }
}

/// Progress, for the terminal.
public enum SyncEvent: Sendable {
    case planned(due: Int, transitions: Int)
    case claimed(Int, commit: String)
    case raceLost(attempt: Int)
    case entryFinished(SyncEntryResult)
    case committed(String, message: String)
    case pushed(remote: String, branch: String)
    case note(String)
}
