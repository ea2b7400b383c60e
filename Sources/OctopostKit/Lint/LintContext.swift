import Foundation

/// Everything a post rule may consult.
public struct LintContext: Sendable {
    public var config: Config
    public var media: any MediaInspector

    public init(config: Config, media: any MediaInspector) {
        self.config = config
        self.media = media
    }
}

/// One rule over one post. Rules return diagnostics; they never print.
public protocol PostRule: Sendable {
    func check(_ post: Post, in context: LintContext) -> [Diagnostic]
}

extension Post {
    func diagnostic(_ at: SourceLocation, _ severity: Severity = .error, rule: LintRule, platform: String? = nil,
                    _ message: String) -> Diagnostic {
        Diagnostic(file: source, location: at, severity: severity, rule: rule, platform: platform, message: message)
    }

    /// The option value for a platform key, if set.
    public func option(_ platform: Platform, _ key: String) -> OptionValue? { options[platform]?[key]?.value }
}
