import ArgumentParser
import Foundation
import OctopostKit

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the config, the branch and remote, and that every platform in use has its credentials.",
        discussion: "Never prints a secret: only which variables are set or missing. Exit 1 when something needs fixing.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let env = LiveEnvironment()
        let repo = try RepositoryContext.open(global)
        var problems = 0
        func ok(_ s: String) { Console.out("ok       \(s)") }
        func bad(_ s: String) { problems += 1; Console.out("problem  \(s)") }

        ok("config \(repo.configPath) reads")
        for d in repo.configFindings { bad(d.formatted) }
        let branch = (try? repo.git.currentBranch()) ?? nil
        if branch == repo.config.git.branch {
            ok("on branch '\(repo.config.git.branch)' (git.branch)")
        } else {
            bad("sync publishes from '\(repo.config.git.branch)' but the checked-out branch is '\(branch ?? "detached")'")
        }
        let remote = repo.config.git.remote
        if repo.git.remoteExists(remote) {
            ok("remote '\(remote)' exists; git.push: \(repo.config.git.push.rawValue)")
        } else if repo.config.git.push == .always {
            bad("git.push is true but there is no remote '\(remote)'")
        } else {
            ok("no remote '\(remote)': ledger commits stay local")
        }

        // Every target the posts use, and every configured account.
        let paths: [String]
        do { paths = try repo.postPaths([]) } catch {
            // A content folder that cannot be walked is said, and the other checks go on.
            (error as? CommandFailure)?.report()
            paths = []
        }
        let report = Linter(config: repo.config, media: DirectoryMediaInspector(root: repo.root))
            .lint(paths: paths, reader: DirectoryPostReader(root: repo.root))
        var targets = Set(report.posts.flatMap { $0.platforms.map(\.value) })
        for key in repo.config.accounts.keys { if case .success(let t) = PlatformTarget.parse(key) { targets.insert(t) } }
        if targets.isEmpty { ok("no post names a platform yet") }
        for target in targets.sorted() {
            let name = target.key
            guard AdapterRegistry.supported.contains(target.platform) else {
                bad("\(name): octopost cannot publish to \(target.platform.displayName) yet")
                continue
            }
            let credentials = Credentials.resolve(target, environment: env.variables)
            let missing = credentials.missing(for: target)
            if !missing.isEmpty {
                bad("\(name): set " + missing.joined(separator: ", "))
                continue
            }
            switch APIBase.resolve(target, account: repo.config.account(for: target), environment: env.variables) {
            case .failure(let e): bad("\(name): \(e.description)")
            case .success(let base):
                let set = target.platform.credentialFields.filter(credentials.has)
                    .map { Credentials.variableName(target, field: $0) }
                // An API base may carry user info (`https://user:pass@host`): never printed.
                let api = base.map { "; API at " + CredentialTransport.displayURL($0.absoluteString) } ?? ""
                ok("\(name): " + set.joined(separator: ", ") + " set" + api)
            }
        }
        if report.errors > 0 { bad("\(report.errors) lint error(s) in the posts: run octopost lint") }
        if problems > 0 { throw CommandFailure.exit(1) }
    }
}
