import Foundation
import OctopostKit

/// SARIF 2.1.0, for GitHub code scanning.
struct SARIFLintReporter: LintReporter {
    struct Log: Encodable {
        var schema = "https://json.schemastore.org/sarif-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }
    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
        var originalUriBaseIds = ["%SRCROOT%": URIBase(uri: "file:///")]
        var columnKind = "unicodeCodePoints"
    }
    struct URIBase: Encodable { var uri: String? = nil; var description: Message? = Message(text: "The repository root") }
    struct Tool: Encodable { var driver: Driver }
    struct Driver: Encodable {
        var name = "octopost"
        var informationUri = "https://github.com/octopost/octopost"
        var rules: [Rule]
    }
    struct Rule: Encodable {
        var id: String
        var name: String
        var shortDescription: Message
        var fullDescription: Message
        var defaultConfiguration: Configuration
    }
    struct Configuration: Encodable { var level: String }
    struct Message: Encodable { var text: String }
    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Message
        var locations: [Location]
    }
    struct Location: Encodable { var physicalLocation: PhysicalLocation }
    struct PhysicalLocation: Encodable { var artifactLocation: ArtifactLocation; var region: Region }
    struct ArtifactLocation: Encodable { var uri: String; var uriBaseId = "%SRCROOT%" }
    struct Region: Encodable { var startLine: Int; var startColumn: Int }

    func render(_ diagnostics: [Diagnostic], files: Int) -> String {
        // The rules that fired, each described by `LintRule` (the README's rule table is the same list).
        let fired = Array(Set(diagnostics.map(\.rule))).sorted()
        let rules = fired.map { rule in
            let severity = diagnostics.first { $0.rule == rule }?.severity ?? .error
            return Rule(id: rule.rawValue, name: rule.rawValue.split(separator: "-").map { $0.capitalized }.joined(),
                        shortDescription: Message(text: rule.summary), fullDescription: Message(text: rule.rationale),
                        defaultConfiguration: Configuration(level: severity == .error ? "error" : "warning"))
        }
        let results = diagnostics.map { d in
            Result(ruleId: d.rule.rawValue, ruleIndex: fired.firstIndex(of: d.rule) ?? 0,
                   level: d.severity == .error ? "error" : "warning",
                   message: Message(text: (d.platform.map { "\($0): " } ?? "") + d.message),
                   locations: [Location(physicalLocation: PhysicalLocation(
                       artifactLocation: ArtifactLocation(uri: Self.uri(d.file)),
                       region: Region(startLine: max(1, d.line), startColumn: max(1, d.column))))])
        }
        var run = Run(tool: Tool(driver: Driver(rules: rules)), results: results)
        run.originalUriBaseIds = ["%SRCROOT%": URIBase(uri: nil)]
        return JSONOutput.string(Log(runs: [run]))
    }

    /// A relative URI reference: percent-encode what a path may hold that a URI may not.
    static func uri(_ path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: ":")
        return path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
    }
}
