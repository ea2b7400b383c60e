import ArgumentParser
import Foundation
import OctopostKit

/// Options every command takes (SPEC §6).
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("repo"), help: "The content repository (default: the git root above the working directory).")
    var repo: String?

    @Option(name: .customLong("config"), help: "The config file (default: octopost.yaml at the repository root).")
    var config: String?

    @Option(name: .customLong("now"), help: "An RFC 3339 instant used as the current time (also OCTOPOST_NOW).")
    var now: String?

    @Flag(name: .customLong("quiet"), help: "Print only findings and errors.")
    var quiet = false

    @Flag(name: .customLong("verbose"), help: "Print more detail.")
    var verbose = false
}

/// Output formats of `lint`.
enum LintFormat: String, ExpressibleByArgument, CaseIterable {
    case text, github, json, sarif
}

/// Output formats of commands with text and JSON output.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
