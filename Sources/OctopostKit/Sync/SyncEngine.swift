import Foundation

/// Why a run could not do its work (exit 2).
public enum SyncError: Error, Sendable, CustomStringConvertible {
    case wrongBranch(current: String?, expected: String)
    case git(GitError)
    case diverged(branch: String, remote: String)
    case pushRejected(String)
    case ledger(String)
    case raceNotSettled(attempts: Int)

    public var description: String {
        switch self {
        case .wrongBranch(let current, let expected):
            "sync publishes from '\(expected)' (git.branch) but the checked-out branch is "
                + (current.map { "'\($0)'" } ?? "none (detached HEAD)") + "; plan and --dry-run work anywhere"
        case .git(let e): e.description
        case .diverged(let branch, let remote):
            "'\(branch)' and '\(remote)/\(branch)' have diverged: octopost will not rewrite either; reconcile them by hand"
        case .pushRejected(let m):
            "the remote refused the ledger commit: \(m). If the branch is protected, allow the CI token to push "
                + "to it (or use a bot account that may), or set git.push: false"
        case .ledger(let m): m
        case .raceNotSettled(let n): "another run kept getting to the remote first (\(n) tries); try again later"
        }
    }
}

/// One sync run: plan → claim (commit, push) → publish → record (commit, push). SPEC §7.
public struct SyncEngine: Sendable {
    public var git: any GitRepository
    public var config: Config
    public var environment: [String: String]
    public var http: any HTTPClient
    public var adapters: AdapterFactory
    public var recovery: RecoveryCapability
    public var clock: @Sendable () -> Date
    public var sleep: @Sendable (TimeInterval) async -> Void
    public var runID: String
    public var push: Bool
    public var dryRun: Bool
    public var stop: StopFlag
    public var events: @Sendable (SyncEvent) -> Void
    public var perPlatformConcurrency = 8
    public var maxRaceAttempts = 8
    /// How often a long run renews its leases (commit, and push when pushing); nil: never.
    public var renewInterval: TimeInterval?
    /// Working-tree and branch updates run inside it, so that a signal never cuts one in half.
    public var updates = UpdateHold()
    /// Posts parsed by earlier runs (`PostCache`): a plan reads and parses only the files that changed.
    public var postCache: PostCache?

    public init(git: any GitRepository, config: Config, environment: [String: String], http: any HTTPClient,
                adapters: @escaping AdapterFactory, recovery: @escaping RecoveryCapability = Planner.defaultRecovery,
                clock: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (TimeInterval) async -> Void,
                runID: String, push: Bool, dryRun: Bool, stop: StopFlag = StopFlag(),
                events: @escaping @Sendable (SyncEvent) -> Void = { _ in }) {
        self.git = git
        self.config = config
        self.environment = environment
        self.http = http
        self.adapters = adapters
        self.recovery = recovery
        self.clock = clock
        self.sleep = sleep
        self.runID = runID
        self.push = push
        self.dryRun = dryRun
        self.stop = stop
        self.events = events
    }

    var store: LedgerStore {
        LedgerStore(fileSystem: LocalFileSystem(root: git.workTree, deferSync: true), directory: config.ledgerDirectory)
    }

    var credentials: GitCredentials {
        GitCredentials(token: environment["OCTOPOST_GIT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                       user: environment["OCTOPOST_GIT_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "x-access-token",
                       extraHeaders: git.configuredExtraHeaders(forRemote: config.git.remote))
    }

    /// What sync would do now, from the posts and the ledger committed at HEAD (`octopost plan`, `--dry-run`);
    /// the working tree's ledger only adds what a killed run left uncommitted (see `CommittedLedger`).
    public func plan() throws(SyncError) -> (Plan, PostSnapshot, CommittedLedger) {
        let head: String
        do {
            guard let h = try git.headCommit() else { throw SyncError.git(.failed("the repository has no commits yet")) }
            head = h
        } catch let e as SyncError { throw e } catch { throw .git(error as? GitError ?? .failed("\(error)")) }
        let snapshot: PostSnapshot
        do { snapshot = try PostSnapshot.load(git: git, commit: head, config: config, cache: postCache) } catch { throw .git(error) }
        let ledger = try CommittedLedger.load(git: git, commit: head, store: store,
                                              expecting: snapshot.posts.map(\.post.id))
        let plan = Planner(config: config, recovery: recovery).plan(
            posts: snapshot.posts, ledger: ledger.records, now: clock(), unreadableLedgerIDs: ledger.unusableIDs,
            unparsedSources: snapshot.unparsedSources)
        return (plan, snapshot, ledger)
    }

    public func run() async throws(SyncError) -> SyncReport {
        var report = SyncReport(runID: runID, now: clock())
        report.dryRun = dryRun
        let branch = config.git.branch
        let remote = config.git.remote
        if !dryRun {
            let current: String?
            do { current = try git.currentBranch() } catch { throw .git(error) }
            guard current == branch else { throw .wrongBranch(current: current, expected: branch) }
            if push { try catchUp(branch: branch, remote: remote) }
        }

        // Plan and claim; with a remote, the claim must reach it first.
        var attempt = 0
        var claimed: [String: LedgerRecord] = [:]
        var preClaim: [String: LedgerRecord] = [:]
        var planned: Plan
        var snapshot: PostSnapshot
        while true {
            attempt += 1
            let (p, s, ledger) = try plan()
            planned = p
            snapshot = s
            report.skippedFiles = s.unparsed
            report.orphans = p.orphans
            report.notes = ledger.problems + p.skipped.map { "skipped \($0.id): \($0.reason)" }
            events(.planned(due: p.due.count, transitions: p.transitions.count))
            if dryRun {
                report.entries = p.due.map { SyncEntryResult(id: $0.id, platform: $0.target.key, status: .pending) }
                return report
            }
            var records = ledger.records
            for (id, r) in p.records { records[id] = r }
            preClaim = records
            do {
                claimed = try Lease.claim(records, entries: p.due.map(\.ref), runID: runID, now: clock())
            } catch { throw .ledger("cannot claim \(error.entry): \(error.description)") }
            let head = snapshot.commit
            // A file one commit behind (a run was stopped between its claim commit and writing the file):
            // written back from the commit, so the working tree matches what the run plans from.
            for (id, bytes) in ledger.lagging.sorted(by: { $0.key < $1.key }) {
                let path = store.path(for: id)
                do { try store.fileSystem.writeAtomically(bytes, to: path) } catch {
                    throw .ledger("\(path): \(error.reason)")
                }
                report.notes.append("\(path) restored from the last commit (a run was stopped before writing it)")
            }
            // Results a killed run wrote to disk but never committed: the plan already trusts them, so they
            // ride along with this commit (otherwise a record with nothing left to do would never reach git).
            let touched = Set(p.records.keys).union(p.due.map(\.id)).union(ledger.recovered)
            if touched.isEmpty { return report }
            let message = claimMessage(p, before: ledger.records, recovered: ledger.recovered.count, files: touched.count)
            // Those results exist nowhere but on disk: a claim taken back must leave them there.
            let recoveredFiles = try onDisk(ledger.recovered)
            // Committed first, then written: a kill in between leaves a file one commit behind (restored by
            // the next run), never an uncommitted claim that looks like a run's results.
            let commit = try commitRecords(touched.sorted().compactMap { claimed[$0] }, message: message, parent: head,
                                           files: .afterCommit, keeping: recoveredFiles)
            report.commits.append(commit)
            if !push { break }
            do {
                try git.push(remote: remote, branch: branch, credentials: credentials)
                report.pushed = true
                events(.pushed(remote: remote, branch: branch))
                break
            } catch .nonFastForward {
                events(.raceLost(attempt: attempt))
                try takeBack(to: head, keeping: recoveredFiles)
                if attempt >= maxRaceAttempts { throw .raceNotSettled(attempts: attempt) }
                try catchUp(branch: branch, remote: remote)
            } catch .pushRejected(let m) {
                takeBackAfterFailure(to: head, keeping: recoveredFiles)
                throw .pushRejected(m)
            } catch {
                takeBackAfterFailure(to: head, keeping: recoveredFiles)
                throw .git(error)
            }
        }
        events(.claimed(planned.due.count, commit: report.commits.last ?? ""))
        for t in planned.transitions where [.expired, .failed, .unknown, .published].contains(t.to) {
            let e = claimed[t.entry.id]?.platformResults[t.entry.target]
            report.entries.append(SyncEntryResult(id: t.entry.id, platform: t.entry.target, status: t.to,
                                                  postURL: e?.postURL, error: e?.error))
        }

        // Publish.
        let book = LedgerBook(records: claimed, store: store, clock: clock)
        let posts = Dictionary(snapshot.posts.map { ($0.post.id, $0) }, uniquingKeysWith: { a, _ in a })
        let publisher = Publisher(book: book, config: config, clock: clock, sleep: sleep, stop: stop, events: events)
        let head = report.commits.last ?? snapshot.commit
        let ours = planned.due.map(\.ref)
        let engine = self
        let renewal: Task<Void, Never>? = renewInterval.map { interval in
            Task { await engine.renewLeases(every: interval, book: book, ours: ours) }
        }
        let results = await publishAll(planned.due, posts: posts, publisher: publisher, preClaim: preClaim, head: head)
        renewal?.cancel()
        await renewal?.value
        report.entries += results
        report.stoppedBySignal = stop.isSet

        // Record: one commit with every result, pushed.
        let touched = Set(planned.due.map(\.id))
        if !touched.isEmpty {
            let final = await book.records.filter { touched.contains($0.key) }
            let parent: String
            do { parent = try git.headCommit() ?? head } catch { throw .git(error) }
            report.commits += try await recordAndPush(final, ours: planned.due.map(\.ref), message: report.commitMessage,
                                                      parent: parent, book: book)
            report.pushed = push
        }
        return report
    }

    /// The working tree's bytes of these ledger files, by path.
    func onDisk(_ ids: Set<String>) throws(SyncError) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for id in ids {
            let path = store.path(for: id)
            do { files[path] = try store.fileSystem.read(path) } catch { throw .ledger("\(path): \(error.reason)") }
        }
        return files
    }

    /// Takes this run's last commit back: the branch and the working tree return to `commit`, then `files`
    /// (results a killed run left on disk, which the commit carried and nothing else holds) are written back,
    /// as the reset's checkout replaced them with their committed versions. One update: a signal waits.
    func takeBack(to commit: String, keeping files: [String: [UInt8]]) throws(SyncError) {
        try updates.during { () throws(SyncError) in
            do throws(GitError) { try git.resetBranch(config.git.branch, to: commit) } catch { throw .git(error) }
            try writeBack(files)
        }
    }

    /// `takeBack` on the way out of a failed run: a failure to reset is not the error to report (the next
    /// run copes with a commit that was not pushed), but results that cannot be written back are named.
    func takeBackAfterFailure(to commit: String, keeping files: [String: [UInt8]]) {
        updates.during {
            _ = try? git.resetBranch(config.git.branch, to: commit)
            do throws(SyncError) { try writeBack(files) } catch { events(.note("warning: \(error.description)")) }
        }
    }

    private func writeBack(_ files: [String: [UInt8]]) throws(SyncError) {
        var failed: [String] = []
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            do { try store.fileSystem.writeAtomically(bytes, to: path) } catch { failed.append("\(path): \(error.reason)") }
        }
        do { try store.fileSystem.flush() } catch { failed.append(error.description) }
        if !failed.isEmpty {
            throw .ledger("cannot write back the results an interrupted run left (" + failed.joined(separator: "; ")
                + "); they are in the ledger commits this run made (git reflog)")
        }
    }

    /// While the run lives, extends its leases so no other run takes its entries for uncertain ones.
    func renewLeases(every interval: TimeInterval, book: LedgerBook, ours: [EntryRef]) async {
        while !Task.isCancelled {
            await sleep(interval)
            if Task.isCancelled { return }
            // The book renews and writes inside its actor, so no result written meanwhile is overwritten;
            // the commit takes those bytes without touching the files again.
            let renewed = await book.renewLeases(runID: runID, now: clock())
            guard !renewed.isEmpty, let parent = try? git.headCommit() else { continue }
            let message = "octopost: renew the lease of run \(runID) [skip ci]"
            do {
                _ = try commitRecords(renewed.keys.sorted().compactMap { renewed[$0] }, message: message, parent: parent,
                                      files: .none)
                if push { try await pushWithRetries() }
            } catch {
                // Best effort: the final commit (and its race handling) records everything anyway.
                events(.note("warning: could not renew the lease on the remote: \(error)"))
            }
        }
    }

    /// Commits `records` on the branch and, when pushing, pushes. A lost race (the remote moved) fetches,
    /// lays this run's entries (`ours`) over the remote's version of each record, and tries again.
    func recordAndPush(_ records: [String: LedgerRecord], ours: [EntryRef], message: String, parent: String,
                       book: LedgerBook) async throws(SyncError) -> [String] {
        let branch = config.git.branch
        let remote = config.git.remote
        var current = records
        var parent = parent
        var commits: [String] = []
        for attempt in 1...maxRaceAttempts {
            commits.append(try commitRecords(current.keys.sorted().compactMap { current[$0] }, message: message,
                                             parent: parent))
            if !push { return commits }
            do {
                try await pushWithRetries()
                return commits
            } catch .nonFastForward {
                events(.raceLost(attempt: attempt))
            } catch .pushRejected(let m) {
                throw .pushRejected(m)
            } catch {
                throw .git(error)
            }
            let remoteHead: String
            do {
                guard let r = try git.fetch(remote: remote, branch: branch, credentials: credentials) else {
                    throw SyncError.pushRejected("the remote branch '\(branch)' disappeared")
                }
                remoteHead = r
            } catch let e as SyncError { throw e } catch { throw .git(error as? GitError ?? .failed("\(error)")) }
            // Their version of each record, with our entries laid over it.
            var merged: [String: LedgerRecord] = [:]
            for (id, mine) in current {
                let path = store.path(for: id)
                guard let bytes = try? git.readFile(path, at: remoteHead),
                      var theirs = try? LedgerRecord.decode(bytes, file: path) else {
                    merged[id] = mine
                    continue
                }
                for ref in ours where ref.id == id { theirs.platformResults[ref.target] = mine.platformResults[ref.target] }
                theirs.refreshStatus()
                theirs.updatedAt = mine.updatedAt
                if theirs.publishedAt == nil { theirs.publishedAt = mine.publishedAt }
                merged[id] = theirs
            }
            // The reset's checkout puts the remote's files in place of this run's results: they are written
            // again at once, in the same update (a signal waits; only a kill could fall in between).
            try updates.during { () throws(SyncError) in
                do throws(GitError) { try git.resetBranch(branch, to: remoteHead) } catch { throw .git(error) }
                for record in merged.values.sorted(by: { $0.id < $1.id }) {
                    do throws(LedgerError) { try store.write(record) } catch { throw .ledger(error.description) }
                }
            }
            await book.merge(merged)
            current = merged
            parent = remoteHead
        }
        throw .raceNotSettled(attempts: maxRaceAttempts)
    }

    /// Brings the local branch up to the remote's before planning (a fresh plan must see every claim).
    func catchUp(branch: String, remote: String) throws(SyncError) {
        do {
            guard git.remoteExists(remote) else { throw SyncError.pushRejected("no remote named '\(remote)' (git.remote)") }
            guard let remoteHead = try git.fetch(remote: remote, branch: branch, credentials: credentials) else { return }
            guard let local = try git.headCommit() else { return }
            if local == remoteHead { return }
            let base = try git.mergeBase(local, remoteHead)
            if base == local {
                // Working tree, index and branch move together: a signal waits for the end.
                try updates.during { () throws(GitError) in try git.fastForward(branch: branch, to: remoteHead) }
            } else if base != remoteHead {
                throw SyncError.diverged(branch: branch, remote: remote)
            }
        } catch let e as SyncError {
            throw e
        } catch {
            throw .git(error as? GitError ?? .failed("\(error)"))
        }
    }

    /// The claim commit's message: what it holds, counted by kind (never "record 0 …").
    func claimMessage(_ p: Plan, before: [String: LedgerRecord], recovered: Int, files: Int) -> String {
        func n(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
        var parts: [String] = []
        if !p.due.isEmpty { parts.append("claim \(n(p.due.count, "entry", "entries")) (run \(runID))") }
        if !p.transitions.isEmpty { parts.append("record \(n(p.transitions.count, "change", "changes"))") }
        let moved = p.records.filter { id, r in before[id].map { $0.source != r.source } ?? false }.count
        if moved > 0 { parts.append("note \(n(moved, "moved post file", "moved post files"))") }
        if recovered > 0 { parts.append("record \(n(recovered, "result", "results")) an interrupted run left uncommitted") }
        if parts.isEmpty { parts.append("update \(n(files, "ledger file", "ledger files"))") }
        return "octopost: " + parts.joined(separator: ", ") + " [skip ci]"
    }

    /// Pushes the branch; a network failure (not a refusal, not a lost race) is tried again twice, a few
    /// seconds apart, so a blip does not strand a run's results in a commit the CI runner throws away.
    func pushWithRetries() async throws(GitError) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try git.push(remote: config.git.remote, branch: config.git.branch, credentials: credentials)
                events(.pushed(remote: config.git.remote, branch: config.git.branch))
                return
            } catch .failed(let message) where attempt < 3 {
                events(.note("warning: push failed (\(message)); trying again"))
                await sleep(Double(attempt * 3))
            }
        }
    }

    /// When a commit writes its records' files to the working tree.
    enum FileWrites {
        /// Results: on disk first (a kill before the commit leaves them for the next run to record).
        case beforeCommit
        /// Claims: nothing was sent yet, so a kill before the commit must leave nothing behind.
        case afterCommit
        /// Already written (lease renewal: the book wrote them).
        case none
    }

    /// Writes each record's file (atomic) and commits exactly those files on the branch, as one update (a
    /// signal waits for the end). `keeping`: files to write back should a claim have to be taken back.
    func commitRecords(_ records: [LedgerRecord], message: String, parent: String,
                       files: FileWrites = .beforeCommit, keeping: [String: [UInt8]] = [:]) throws(SyncError) -> String {
        try updates.during { () throws(SyncError) -> String in
            try commitRecordsNow(records, message: message, parent: parent, files: files, keeping: keeping)
        }
    }

    private func commitRecordsNow(_ records: [LedgerRecord], message: String, parent: String, files: FileWrites,
                                  keeping: [String: [UInt8]]) throws(SyncError) -> String {
        var changes: [String: [UInt8]?] = [:]
        for record in records { changes[store.path(for: record.id)] = record.encoded() }
        func write() throws(SyncError) {
            for record in records {
                do { try store.write(record) } catch { throw .ledger(error.description) }
            }
            do { try store.fileSystem.flush() } catch { throw .ledger(error.description) }
        }
        switch files {
        case .beforeCommit: try write()
        case .none: do { try store.fileSystem.flush() } catch { throw .ledger(error.description) }
        case .afterCommit: break
        }
        let commit: String
        do {
            commit = try git.commit(changes: changes, message: message, authorName: config.git.authorName,
                                    authorEmail: config.git.authorEmail, branch: config.git.branch, parent: parent)
        } catch {
            throw .git(error)
        }
        if files == .afterCommit {
            do { try write() } catch {
                // Nothing was sent on this claim: take it back rather than leave it for a lease to settle.
                takeBackAfterFailure(to: parent, keeping: keeping)
                throw error
            }
        }
        events(.committed(commit, message: message))
        return commit
    }

    func publishAll(_ due: [PlanEntry], posts: [String: PlannedPost], publisher: Publisher,
                    preClaim: [String: LedgerRecord], head: String) async -> [SyncEntryResult] {
        // One adapter and one gate per target, shared by its entries (sessions and tokens reused).
        var adapters: [String: Result<any PlatformAdapter, PublishError>] = [:]
        var gates: [Platform: PlatformGate] = [:]
        let git = self.git
        for target in Set(due.map(\.target)) {
            let credentials = Credentials.resolve(target, environment: environment)
            let account = config.account(for: target)
            switch APIBase.resolve(target, account: account, environment: environment) {
            case .failure(let e):
                adapters[target.key] = .failure(PublishError(.permanent, e.description))
            case .success(let base):
                let context = AdapterContext(target: target, account: account, credentials: credentials, http: http,
                                             apiBase: base, readMedia: { path in try? git.readFile(path, at: head) })
                do {
                    // An unsupported platform says so first; then missing credentials name their variables.
                    let adapter = try self.adapters(context)
                    let missing = credentials.missing(for: target)
                    adapters[target.key] = missing.isEmpty ? .success(adapter) : .failure(PublishError(.permanent,
                        "missing credentials for \(target.key): set " + missing.joined(separator: ", ")
                            + " in the environment (octopost doctor lists what each platform needs)"))
                } catch {
                    adapters[target.key] = .failure(error)
                }
            }
            if gates[target.platform] == nil { gates[target.platform] = PlatformGate(limit: perPlatformConcurrency) }
        }
        let resolved = adapters
        let allGates = gates
        return await withTaskGroup(of: SyncEntryResult.self) { group in
            for entry in due {
                guard let planned = posts[entry.id] else { continue }
                let gate = allGates[entry.target.platform] ?? PlatformGate(limit: 1)
                let previous = preClaim[entry.id]?.platformResults[entry.ref.target]
                group.addTask {
                    switch resolved[entry.target.key] {
                    case .failure(let error)?:
                        return await publisher.fail(entry.ref, error, events: publisher.events)
                    case nil:
                        return await publisher.fail(entry.ref, PublishError(.permanent, "no adapter"), events: publisher.events)
                    case .success(let adapter)?:
                        await gate.acquire()
                        defer { Task { await gate.release() } }
                        if publisher.stop.isSet, let previous {
                            // Never started: give the entry back as it was before the claim.
                            await publisher.book.update(entry.ref, now: publisher.clock()) { $0 = previous }
                            return SyncEntryResult(id: entry.id, platform: entry.target.key, status: previous.status)
                        }
                        return await publisher.publish(entry, post: planned.post, contentSHA256: planned.contentSHA256,
                                                       adapter: adapter, gate: gate)
                    }
                }
            }
            var out: [SyncEntryResult] = []
            for await r in group { out.append(r) }
            return out.sorted { ($0.id, $0.platform) < ($1.id, $1.platform) }
        }
    }
}
