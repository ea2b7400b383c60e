import ArgumentParser
import Foundation
import OctopostKit

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Put failed, unknown or expired entries of a post back to pending (a ledger commit).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The post id, e.g. 2026/04/launch.")
    var id: String

    @Option(name: .customLong("platform"), help: "Only this platform (or NAME:ACCOUNT).")
    var platform: String?

    func run() throws {
        let env = LiveEnvironment()
        let now = try env.now(global)
        let repo = try RepositoryContext.open(global)
        // The id names a file under the ledger folder: checked as a post id before anything is opened.
        if let problem = PostID.problem(id) {
            throw CommandFailure("'\(id)' is not a post id: it \(problem)")
        }
        let store = LedgerStore(fileSystem: LocalFileSystem(root: repo.root), directory: repo.config.ledgerDirectory)
        let record: LedgerRecord
        do {
            guard let r = try store.load(id: id) else {
                throw CommandFailure("no ledger entry for '\(id)' (\(store.path(for: id))): nothing was published or failed yet", exitCode: 1)
            }
            record = r
        } catch let failure as CommandFailure { throw failure } catch {
            throw CommandFailure("\(error)")
        }
        let released: (record: LedgerRecord, released: [String])
        do { released = try LedgerRecord.release(record, platform: platform, now: now) } catch {
            throw CommandFailure(error.description, exitCode: 1)
        }
        let message = "octopost: retry \(id) on \(released.released.joined(separator: ", ")) [skip ci]"
        do {
            try store.write(released.record)
            guard let head = try repo.git.headCommit() else { throw GitError.failed("no commits yet") }
            _ = try repo.git.commit(changes: [store.path(for: id): released.record.encoded()], message: message,
                                    authorName: repo.config.git.authorName, authorEmail: repo.config.git.authorEmail,
                                    branch: repo.config.git.branch, parent: head)
        } catch {
            throw CommandFailure("\(error)")
        }
        Console.out("released \(released.released.joined(separator: ", ")) of \(id): the next sync publishes them")
    }
}
