/// How serious a finding is.
public enum Severity: String, Sendable, Codable, Comparable {
    case warning, error

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
}

/// One finding, located in a file. The core emits these; only the CLI formats and prints them.
public struct Diagnostic: Sendable, Codable, Hashable {
    /// Path relative to the repository root.
    public var file: String
    public var line: Int
    public var column: Int
    public var severity: Severity
    /// The rule; encoded as its id, e.g. `length`, `unknown-key`.
    public var rule: LintRule
    public var platform: String?
    public var message: String

    public init(file: String, location: SourceLocation = .start, severity: Severity = .error, rule: LintRule,
                platform: String? = nil, message: String) {
        self.file = file
        self.line = location.line
        self.column = location.column
        self.severity = severity
        self.rule = rule
        self.platform = platform
        self.message = message
    }

    public var location: SourceLocation { SourceLocation(line: line, column: column) }

    /// `content/a.md:3:12: error: twitter: 291/280 characters [length]`
    public var formatted: String {
        let prefix = platform.map { "\($0): " } ?? ""
        return "\(file):\(line):\(column): \(severity.rawValue): \(prefix)\(message) [\(rule)]"
    }
}

extension Array where Element == Diagnostic {
    public var errorCount: Int { filter { $0.severity == .error }.count }
    public var warningCount: Int { filter { $0.severity == .warning }.count }

    /// Stable order: file, line, column, then rule.
    public func sortedForOutput() -> [Diagnostic] {
        sorted { a, b in
            if a.file != b.file { return a.file < b.file }
            if a.line != b.line { return a.line < b.line }
            if a.column != b.column { return a.column < b.column }
            if a.rule != b.rule { return a.rule < b.rule }
            return a.message < b.message
        }
    }
}
