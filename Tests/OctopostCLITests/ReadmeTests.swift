import Foundation
import OctopostKit
import Testing

/// The README is part of the contract: its option table and its first commands must stay true.
@Suite struct ReadmeTests {
    let readme = (try? String(contentsOfFile: CLI.packageRoot + "/README.md", encoding: .utf8)) ?? ""

    @Test func listsEveryPlatformOption() {
        let rows = readme.split(separator: "\n").filter { $0.hasPrefix("| ") }
        for platform in Platform.allCases {
            for spec in platform.optionSpecs {
                let found = rows.contains { row in
                    let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                    return cells.count >= 2 && cells[0] == platform.rawValue && cells[1].contains("`\(spec.key)`")
                }
                #expect(found, "README lacks the option \(platform.rawValue).\(spec.key)")
            }
        }
    }

    /// Generated-doc drift: the README's rule table is `LintRule.markdownTable`, byte for byte. A rule
    /// added, renamed or re-described in `LintRule` fails here until the table is regenerated.
    @Test func listsEveryLintRuleAsTheEnumDescribesIt() throws {
        let begin = "<!-- lint-rules: generated from LintRule; do not edit by hand -->\n"
        let end = "\n<!-- end lint-rules -->"
        let start = try #require(readme.range(of: begin), "README lacks the lint rules table")
        let stop = try #require(readme.range(of: end, range: start.upperBound..<readme.endIndex))
        let table = String(readme[start.upperBound..<stop.lowerBound])
        #expect(table == LintRule.markdownTable,
                "README's lint rule table drifted from LintRule; replace it with:\n\(LintRule.markdownTable)")
    }

    @Test func startsWithTheTwoCommands() throws {
        let block = try #require(readme.components(separatedBy: "```").dropFirst().first)
        let commands = block.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        #expect(commands == ["./scripts/demo.sh", "./scripts/test.sh"])
        for c in commands { #expect(FileManager.default.isExecutableFile(atPath: CLI.packageRoot + "/" + c)) }
        let ci = try String(contentsOfFile: CLI.packageRoot + "/.ci/run", encoding: .utf8)
        #expect(ci.contains("./scripts/test.sh"))
    }
}
