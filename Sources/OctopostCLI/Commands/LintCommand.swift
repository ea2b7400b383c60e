import ArgumentParser
import Foundation
import OctopostKit

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check posts, media and config against every platform's rules.",
        discussion: "Exit 0 when clean (warnings allowed), 1 when a finding is an error, 2 on a usage, config or repository error.\n\n"
            + "Rules (each finding ends with its id in brackets):\n"
            + LintRule.allCases.map { "  \($0.rawValue): \($0.summary)" }.joined(separator: "\n"))

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Post files or folders (default: every .md under the content folder).")
    var paths: [String] = []

    @Option(name: .customLong("base"), help: "The pull request's target (e.g. origin/main): also check what the change does to published posts.")
    var base: String?

    @Option(name: .customLong("format"), help: "text, github, json or sarif.")
    var format: LintFormat = .text

    func run() throws {
        let env = LiveEnvironment()
        let now = try env.now(global)
        let repo = try RepositoryContext.open(global)
        let paths = try repo.postPaths(self.paths)
        let linter = Linter(config: repo.config, media: DirectoryMediaInspector(root: repo.root))
        let report = linter.lint(paths: paths, reader: DirectoryPostReader(root: repo.root))
        var diagnostics = report.diagnostics + repo.configFindings
        if let base {
            do {
                let rules = ChangeAwareRules(git: repo.git, config: repo.config, now: now)
                diagnostics += try rules.check(base: base, current: report.posts)
            } catch {
                throw CommandFailure("--base \(base): \(error.description)")
            }
        }
        diagnostics = diagnostics.sortedForOutput()
        let files = report.files + (repo.configFindings.isEmpty ? 0 : 1)
        let output = format.reporter(color: env.useColor).render(diagnostics, files: files)
        if !output.isEmpty { Console.out(output) }
        if format == .text, !global.quiet {
            Console.error(TextLintReporter.summary(diagnostics, files: files))
        }
        if diagnostics.errorCount > 0 { throw CommandFailure.exit(1) }
    }
}
