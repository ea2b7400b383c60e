import ArgumentParser
import Foundation

/// The `octopost` command: a publishing pipeline with git as the database.
public struct OctopostCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "octopost",
        abstract: "Publish Markdown posts from a git repository to twelve social platforms.",
        version: BuildInfo.versionLine,
        subcommands: [
            LintCommand.self, CountCommand.self, PlanCommand.self, SyncCommand.self, RetryCommand.self,
            DoctorCommand.self, SandboxCommand.self,
        ]
    )

    public init() {}
}

/// The executable's whole body.
public enum OctopostEntry {
    /// Runs the command line. Usage errors exit 2 (SPEC §6), not ArgumentParser's 64.
    public static func run() async {
        do {
            var command = try OctopostCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CommandFailure {
            // The one place a command's failure is printed (SPEC §6 exit codes).
            failure.report()
            OctopostCommand.exit(withError: ExitCode(failure.exitCode))
        } catch {
            let code = OctopostCommand.exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((OctopostCommand.fullMessage(for: error) + "\n").utf8))
                OctopostCommand.exit(withError: ExitCode(2))
            }
            OctopostCommand.exit(withError: error)
        }
    }
}
