import Foundation
import OctopostKit

/// Turns a lint result into one output format. One type per format.
protocol LintReporter {
    func render(_ diagnostics: [Diagnostic], files: Int) -> String
}

extension LintFormat {
    func reporter(color: Bool) -> any LintReporter {
        switch self {
        case .text: TextLintReporter(color: color)
        case .github: GitHubLintReporter()
        case .json: JSONLintReporter()
        case .sarif: SARIFLintReporter()
        }
    }
}

/// `content/a.md:3:12: error: twitter: 291/280 characters [length]`, one a line.
struct TextLintReporter: LintReporter {
    var color: Bool

    func render(_ diagnostics: [Diagnostic], files: Int) -> String {
        diagnostics.map { d in
            guard color else { return d.formatted }
            let paint = d.severity == .error ? "\u{1B}[31m" : "\u{1B}[33m"
            let prefix = d.platform.map { "\($0): " } ?? ""
            return "\u{1B}[1m\(d.file):\(d.line):\(d.column):\u{1B}[0m \(paint)\(d.severity.rawValue):\u{1B}[0m "
                + "\(prefix)\(d.message) [\(d.rule)]"
        }.joined(separator: "\n")
    }

    static func summary(_ diagnostics: [Diagnostic], files: Int) -> String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(plural(files, "file")) linted: \(plural(diagnostics.errorCount, "error")), "
            + plural(diagnostics.warningCount, "warning")
    }
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
struct GitHubLintReporter: LintReporter {
    func render(_ diagnostics: [Diagnostic], files: Int) -> String {
        diagnostics.map { d in
            let prefix = d.platform.map { "\($0): " } ?? ""
            let props = "file=\(Self.property(d.file)),line=\(d.line),col=\(d.column),title=\(Self.property("octopost [\(d.rule)]"))"
            return "::\(d.severity.rawValue) \(props)::\(Self.data(prefix + d.message))"
        }.joined(separator: "\n")
    }

    static func data(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}

/// SPEC §6: `{"files", "errors", "warnings", "diagnostics": [...]}`.
struct JSONLintReporter: LintReporter {
    struct Document: Encodable {
        var files: Int
        var errors: Int
        var warnings: Int
        var diagnostics: [Diagnostic]
    }

    func render(_ diagnostics: [Diagnostic], files: Int) -> String {
        let doc = Document(files: files, errors: diagnostics.errorCount, warnings: diagnostics.warningCount,
                           diagnostics: diagnostics)
        return JSONOutput.string(doc)
    }
}

enum JSONOutput {
    static func string(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
