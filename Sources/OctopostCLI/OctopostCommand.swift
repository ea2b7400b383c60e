import ArgumentParser

/// The `octopost` command: a publishing pipeline with git as the database.
public struct OctopostCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "octopost",
        abstract: "Publish Markdown posts from a git repository to twelve social platforms.",
        subcommands: [CountCommand.self]
    )

    public init() {}
}

/// The executable's whole body.
public enum OctopostEntry {
    public static func run() async {
        await OctopostCommand.main()
    }
}
