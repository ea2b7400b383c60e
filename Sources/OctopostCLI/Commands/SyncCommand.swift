import ArgumentParser
import Foundation
import OctopostGit
import OctopostHTTP
import OctopostKit

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Publish every due entry and commit the results to the ledger.",
        discussion: """
            Reads the posts committed on git.branch, claims the due entries in a ledger commit (pushed first \
            when pushing), publishes them, and commits every result with [skip ci]. Exit 0 when nothing \
            failed, 1 when an entry became failed or unknown, 2 on a usage, config or repository error.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .customLong("dry-run"), help: "Show what would be published; touch nothing.")
    var dryRun = false

    @Flag(inversion: .prefixedNo, help: "Push the ledger commits (default: git.push in octopost.yaml).")
    var push: Bool?

    @Flag(name: .customLong("sandbox"), help: "Publish a scratch copy to the built-in platform emulators, no accounts needed.")
    var sandbox = false

    @Flag(name: .customLong("watch"), help: "Repeat the due check every --interval until stopped.")
    var watch = false

    @Option(name: .customLong("interval"), help: "Time between --watch checks, e.g. 60s or 5m.")
    var interval: String = "60s"

    @Option(name: .customLong("format"), help: "text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard let seconds = DurationText.parse(interval), seconds >= 1 else {
            throw ValidationError("--interval must be a duration such as 60s or 5m")
        }
        if sandbox && push == true { throw ValidationError("--sandbox works on a scratch copy and never pushes") }
    }

    func run() async throws {
        let env = LiveEnvironment()
        let stop = StopFlag()
        let signals = SignalTrap(stop: stop, watch: watch)
        defer { signals.cancel() }
        // One sync per working tree, for the whole run (all of --watch); plan and --dry-run need none.
        let lock = try takeLock()
        defer { lock?.release() }
        var worst: Int32 = 0
        repeat {
            let code: Int32
            do {
                defer { signals.endWork() }
                code = try await runOnce(env: env, stop: stop, signals: signals)
            } catch let failure as CommandFailure where watch && failure.exitCode == 2 && !stop.isSet {
                // --watch keeps going through a failed tick (a fetch that timed out, a busy remote),
                // printing its error here. Config and branch errors repeat every tick, visibly.
                failure.report()
                Console.error("octopost: this check failed; next check in \(interval)")
                code = 2
            }
            worst = max(worst, code)
            if !watch || stop.isSet { break }
            let seconds = DurationText.parse(interval) ?? 60
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline, !stop.isSet { try? await Task.sleep(nanoseconds: 200_000_000) }
        } while !stop.isSet
        if watch { return }  // stopped by a signal: exit 0 after committing (SPEC §7)
        if worst != 0 { throw CommandFailure.exit(worst) }
    }

    /// The working tree's sync lock; nil for --dry-run and --sandbox (a scratch copy), or when the folder is
    /// not a repository (the run itself reports that). Held by another run: exit 2.
    func takeLock() throws -> WorkTreeLock? {
        if dryRun || sandbox { return nil }
        guard let git = try? LibGit2Repository.discover(from: global.repo ?? FileManager.default.currentDirectoryPath)
        else { return nil }
        do {
            return try WorkTreeLock.acquire(gitDirectory: git.gitDirectory)
        } catch {
            throw CommandFailure(error.description)
        }
    }

    /// One due check. Returns the exit code it calls for.
    func runOnce(env: LiveEnvironment, stop: StopFlag, signals: SignalTrap) async throws -> Int32 {
        var repo = try RepositoryContext.open(global)
        var environment = env.variables
        var now = try env.now(global)
        var sandboxSession: SandboxSession?
        if sandbox {
            let session = try await SandboxSession.start(copying: repo, quiet: global.quiet || format == .json)
            sandboxSession = session
            repo = session.repo
            for (k, v) in session.environment { environment[k] = v }
            now = session.now
        }
        defer { if let sandboxSession { Task { await sandboxSession.stop() } } }
        let shouldPush: Bool = {
            if sandbox { return false }
            if let push { return push }
            switch repo.config.git.push {
            case .always: return true
            case .never: return false
            case .auto: return repo.git.remoteExists(repo.config.git.remote)
            }
        }()
        let start = Date()
        let fixedNow = now
        let runID = RunID.make(now: fixedNow)
        let quiet = global.quiet || format == .json
        let verbose = global.verbose
        let engine = SyncEngine(
            git: repo.git, config: repo.config, environment: environment, http: LiveHTTPClient(),
            adapters: { context throws(PublishError) in
                try AdapterRegistry.factory(for: context.target.platform, clock: .system)(context)
            },
            recovery: { [environment] target in AdapterRegistry.recoveryModes(target, environment: environment) },
            clock: { fixedNow.addingTimeInterval(Date().timeIntervalSince(start)) },
            sleep: { seconds in try? await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9)) },
            runID: runID, push: shouldPush, dryRun: dryRun, stop: stop,
            events: { event in
                // The plan is made; the claim commit comes next.
                if case .planned = event { signals.beginWork() }
                if !quiet { SyncProgress.print(event, verbose: verbose) }
            })
        var engine2 = engine
        engine2.renewInterval = Lease.duration * 0.4
        engine2.updates = signals.updates
        engine2.postCache = repo.postCache
        let report: SyncReport
        do {
            report = try await engine2.run()
        } catch {
            throw CommandFailure(error.description)
        }
        switch format {
        case .json: Console.out(CanonicalJSON.render(report.jsonValue).trimmingCharacters(in: .newlines))
        case .text: SyncProgress.summary(report, dryRun: dryRun)
        }
        if let session = sandboxSession, !quiet { session.describe(report) }
        if !dryRun {
            StepSummary.append(report, environment: env.variables)
            await Webhook.send(report, repository: repo, environment: env.variables)
        }
        return report.hasFailures ? 1 : 0
    }
}

/// A run id: time-ordered and unique enough to tell runs apart in the ledger.
enum RunID {
    static func make(now: Date) -> String {
        let stamp = Timestamp.format(now).filter { $0.isNumber }
        let random = (0..<6).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        return "\(stamp)-\(random)"
    }
}

/// SIGINT/SIGTERM. Until a run starts its ledger work (the plan is made and the claim commit comes next)
/// nothing is in flight and nothing would be lost, so a signal ends the process at once (exit 0 under
/// --watch, SPEC §7; otherwise 128 + the signal), even in the middle of reading the posts or waiting on
/// the network. From the claim on, a signal sets the stop flag: requests in flight finish, then the run
/// commits. A second signal exits without waiting for requests. Either exit waits for a working-tree or
/// branch update under way (`updates`: a fast-forward, a commit, a claim taken back) to end, so the
/// working tree, the index and HEAD never disagree and no `index.lock` is left behind.
final class SignalTrap: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let lock = NSLock()
    private var working = false
    let updates = UpdateHold()

    init(stop: StopFlag, watch: Bool) {
        #if DEBUG
        Self.installMidwayPause()
        #endif
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self, updates] in
                // The lock is held until the exit is settled, so a run cannot begin its ledger work meanwhile:
                // an exit waiting for an update runs as that update ends, before the run goes on.
                lock.lock()
                if !working {
                    updates.whenIdle {
                        FileHandle.standardError.write(Data("octopost: stopped; nothing was in flight\n".utf8))
                        exit(watch ? 0 : 128 + sig)
                    }
                    lock.unlock()
                    return
                }
                lock.unlock()
                if stop.isSet {
                    // A second signal: the user insists. Exit without waiting for requests.
                    updates.whenIdle { exit(130) }
                    return
                }
                stop.set()
                FileHandle.standardError.write(Data("octopost: stopping after the requests in flight…\n".utf8))
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The run is about to claim entries: from now on a signal lets it finish and commit.
    func beginWork() { lock.withLock { working = true } }

    /// Between --watch checks: nothing in flight again.
    func endWork() { lock.withLock { working = false } }

    func cancel() { sources.forEach { $0.cancel() } }

    #if DEBUG
    /// Tests only (debug builds): `OCTOPOST_TEST_MIDWAY_PAUSE=<seconds>` stops every fast-forward and reset
    /// between the working tree's checkout and the branch's move, so a test can signal a run right there.
    private static func installMidwayPause() {
        guard let text = ProcessInfo.processInfo.environment["OCTOPOST_TEST_MIDWAY_PAUSE"],
              let seconds = Double(text), seconds > 0 else { return }
        LibGit2Repository.midwayPause = { what in
            FileHandle.standardError.write(Data("octopost: test pause midway through \(what)\n".utf8))
            Thread.sleep(forTimeInterval: seconds)
        }
    }
    #endif
}

enum SyncProgress {
    static func print(_ event: SyncEvent, verbose: Bool) {
        switch event {
        case .planned(let due, let transitions):
            Console.error("plan: \(due) due entr\(due == 1 ? "y" : "ies"), \(transitions) other change\(transitions == 1 ? "" : "s")")
        case .claimed(let n, let commit):
            if n > 0 { Console.error("claimed \(n) entr\(n == 1 ? "y" : "ies") (\(commit.prefix(8)))") }
        case .raceLost(let attempt):
            Console.error("another run got to the remote first; fetching and planning again (try \(attempt + 1))")
        case .entryFinished(let r):
            let detail = r.postURL ?? r.error ?? r.nextAttemptAt.map { "next attempt \($0)" } ?? ""
            Console.error("  \(r.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(r.id) → \(r.platform)  \(detail)")
        case .committed(let commit, let message):
            if verbose { Console.error("committed \(commit.prefix(8)): \(message)") }
        case .pushed(let remote, let branch):
            if verbose { Console.error("pushed to \(remote)/\(branch)") }
        case .note(let text):
            Console.error(text)
        }
    }

    static func summary(_ report: SyncReport, dryRun: Bool) {
        if dryRun {
            if report.entries.isEmpty { Console.out("nothing is due") }
            for e in report.entries { Console.out("would publish \(e.id) → \(e.platform)") }
            return
        }
        for d in report.skippedFiles { Console.error("skipped \(d.formatted)") }
        for id in report.orphans { Console.error("note: ledger/\(id).json has no post file any more (kept)") }
        for n in report.notes { Console.error("note: \(n)") }
        Console.out("\(report.count(.published)) published, \(report.count(.failed)) failed, "
            + "\(report.count(.retrying)) retrying, \(report.count(.unknown)) unknown, \(report.count(.expired)) expired"
            + (report.stoppedBySignal ? " (stopped by signal)" : ""))
    }
}

/// `$GITHUB_STEP_SUMMARY`: a Markdown table of the run, appended when the variable is set.
enum StepSummary {
    static func append(_ report: SyncReport, environment: [String: String]) {
        guard let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty else { return }
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else {
            Console.error("warning: cannot write GITHUB_STEP_SUMMARY")
            return
        }
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        handle.write(Data(report.markdownSummary.utf8))
    }
}
