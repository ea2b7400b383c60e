import ArgumentParser
import Foundation
import OctopostKit

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Show what sync would publish now, without publishing.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("format"), help: "text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let env = LiveEnvironment()
        let now = try env.now(global)
        let repo = try RepositoryContext.open(global)
        var engine = SyncEngine(
            git: repo.git, config: repo.config, environment: env.variables, http: ClosureHTTPClient { _ throws(HTTPTransportError) in
                throw .connection("plan sends nothing")
            },
            adapters: { _ throws(PublishError) in throw PublishError(.permanent, "plan sends nothing") },
            recovery: { [variables = env.variables] target in
                AdapterRegistry.recoveryModes(target, environment: variables)
            },
            clock: { now }, sleep: { _ in }, runID: "plan", push: false,
            dryRun: true)
        engine.postCache = repo.postCache
        let plan: Plan
        let snapshot: PostSnapshot
        let ledger: CommittedLedger
        do { (plan, snapshot, ledger) = try engine.plan() } catch {
            throw CommandFailure(error.description)
        }
        switch format {
        case .json:
            Console.out(CanonicalJSON.render(plan.jsonValue).trimmingCharacters(in: .newlines))
        case .text:
            // One write for the whole listing (a line per write is 100,000 system calls at 100,000 posts).
            var lines: [String] = []
            lines.append("now: \(Timestamp.format(plan.now))")
            if plan.due.isEmpty { lines.append("nothing is due") }
            for e in plan.due {
                var line = "due  \(e.id) → \(e.target.key)  scheduled \(Timestamp.format(e.scheduledFor)), attempt \(e.attempt)"
                if e.isResume { line += ", resumes after part \(e.postedSegments)" }
                if let r = e.recovery { line += ", recovering (\(r))" }
                lines.append(line)
            }
            for t in plan.transitions {
                lines.append("\(String((t.to.rawValue + "        ").prefix(8))) \(t.entry.id) → \(t.entry.target)  (\(t.reason))")
            }
            for r in plan.inFlight { lines.append("in flight  \(r.id) → \(r.target) (another run holds it)") }
            for id in plan.orphans { lines.append("orphan  ledger/\(id).json: its post file is gone (kept)") }
            Console.out(lines.joined(separator: "\n"))
            for d in snapshot.unparsed { Console.error("skipped \(d.formatted)") }
            for s in plan.skipped { Console.error("skipped \(s.id): \(s.reason)") }
        }
        // Ledger files sync will not use (unreadable, or changed by hand): their posts are skipped.
        for problem in ledger.problems { Console.error("note: \(problem)") }
        // Done: exit without releasing every parsed post one by one (a tenth of a warm plan's time at
        // 100,000 posts). Output is written unbuffered, so nothing is lost.
        Foundation.exit(0)
    }
}
