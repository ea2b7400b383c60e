import ArgumentParser
import Foundation
import OctopostGit
import OctopostKit
import OctopostSandbox

/// `sync --sandbox`: a scratch copy of the repository, the built-in emulators, and a clock set just
/// past the latest `scheduled_for`, so every non-draft post is due (SPEC §7).
struct SandboxSession: Sendable {
    let repo: RepositoryContext
    let sandbox: Sandbox
    let environment: [String: String]
    let now: Date
    let scratch: String

    static func start(copying original: RepositoryContext, quiet: Bool) async throws -> SandboxSession {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("octopost-sandbox-\(UUID().uuidString.prefix(8))").path
        let copy = scratch + "/" + URL(fileURLWithPath: original.root).lastPathComponent
        do {
            try fm.createDirectory(atPath: copy, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: original.root)
            where !(name.hasPrefix(".build") || name == ".swiftpm") {
                try fm.copyItem(atPath: original.root + "/" + name, toPath: copy + "/" + name)
            }
        } catch {
            throw CommandFailure("cannot make the sandbox's scratch copy in \(scratch): \(error.localizedDescription)")
        }
        let git: any GitRepository
        do { git = try LibGit2Repository.open(at: copy) } catch {
            throw CommandFailure(error.description)
        }
        var config = original.config
        // The scratch copy publishes from whatever is checked out, never pushes, and nothing is stale.
        if let branch = try? git.currentBranch() { config.git.branch = branch }
        config.git.push = .never
        config.staleAfter = .greatestFiniteMagnitude
        let repo = RepositoryContext(root: copy, config: config, configFindings: original.configFindings,
                                     configPath: original.configPath, git: git)
        // The clock: just past the latest scheduled_for of a committed, non-draft post.
        var latest = Date(timeIntervalSince1970: 0)
        if let head = try? git.headCommit(), let snapshot = try? PostSnapshot.load(git: git, commit: head, config: config) {
            for p in snapshot.posts where !p.post.isDraft {
                if let t = p.post.scheduledFor?.value.instant, t > latest { latest = t }
            }
        }
        let sandbox: Sandbox
        do { sandbox = try await Sandbox.start() } catch {
            throw CommandFailure("cannot start the platform emulators: \(error)")
        }
        var environment: [String: String] = [:]
        for (name, value) in sandbox.environment { environment[name] = value }
        // Accounts (`mastodon:work`) get the same dummy credentials as their platform's default account.
        let accounts = Set(original.config.accounts.keys).union(
            (try? git.headCommit()).flatMap { head in try? PostSnapshot.load(git: git, commit: head, config: config) }?
                .posts.flatMap { $0.post.platforms.map(\.value.key) } ?? [])
        for key in accounts {
            guard case .success(let target) = PlatformTarget.parse(key), target.account != nil else { continue }
            for (field, value) in Sandbox.dummyCredentials(target.platform) {
                environment[Credentials.variableName(target, field: field)] = value
            }
        }
        if !quiet {
            Console.error("sandbox: scratch copy at \(copy)")
            Console.error("sandbox: emulators for " + sandbox.baseURLs.keys.map(\.rawValue).sorted().joined(separator: ", ")
                + "; clock set to \(Timestamp.format(latest.addingTimeInterval(1)))")
        }
        return SandboxSession(repo: repo, sandbox: sandbox, environment: environment, now: latest.addingTimeInterval(1),
                              scratch: scratch)
    }

    func stop() async { await sandbox.stop() }

    /// Where to look: the ledger commit in the scratch copy.
    func describe(_ report: SyncReport) {
        Console.error("sandbox: ledger written to \(repo.root)/\(repo.config.ledgerDirectory)/; "
            + "see it with: git -C \(repo.root) log --stat -3")
    }
}
