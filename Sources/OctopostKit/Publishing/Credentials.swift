import Foundation

/// A target's secrets, read from the environment (SPEC §5). Never printed: `description` is redacted.
public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let fields: [String: String]

    public init(_ fields: [String: String]) { self.fields = fields }

    public subscript(_ field: String) -> String? {
        guard let v = fields[field], !v.isEmpty else { return nil }
        return v
    }

    public func has(_ field: String) -> Bool { self[field] != nil }

    /// Every secret value (for redaction of error text and logs).
    public var secretValues: [String] { fields.values.filter { $0.count >= 4 } }

    public var description: String { "Credentials(" + fields.keys.sorted().map { "\($0)=<redacted>" }.joined(separator: ", ") + ")" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// `OCTOPOST_<NAME>_<FIELD>` or `OCTOPOST_<NAME>_<ACCOUNT>_<FIELD>`.
    public static func variableName(_ target: PlatformTarget, field: String) -> String {
        var parts = ["OCTOPOST", target.platform.rawValue.uppercased()]
        if let account = target.account { parts.append(account.uppercased()) }
        parts.append(field)
        return parts.joined(separator: "_")
    }

    /// Reads a target's fields from an environment dictionary.
    public static func resolve(_ target: PlatformTarget, environment: [String: String]) -> Credentials {
        var found: [String: String] = [:]
        for field in target.platform.credentialFields {
            if let v = environment[variableName(target, field: field)], !v.isEmpty { found[field] = v }
        }
        return Credentials(found)
    }

    /// The variables still missing for the first complete credential group, or [] when complete.
    public func missing(for target: PlatformTarget) -> [String] {
        let groups = target.platform.credentialGroups
        if groups.contains(where: { $0.allSatisfy(has) }) { return [] }
        let best = groups.min { a, b in a.filter { !has($0) }.count < b.filter { !has($0) }.count } ?? []
        return best.filter { !has($0) }.map { Self.variableName(target, field: $0) }
    }
}

/// Replaces every secret in a text with a mark, so errors and logs never carry one (Telegram and
/// Discord put tokens in URLs).
public struct Redactor: Sendable {
    private let secrets: [String]
    public init(_ secrets: [String]) { self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count } }
    public func callAsFunction(_ text: String) -> String {
        var t = text
        for s in secrets where t.contains(s) { t = t.replacingOccurrences(of: s, with: "<redacted>") }
        return t
    }
}

/// Where a target's API lives: `OCTOPOST_<NAME>_API_BASE`, else the account's instance or service, else
/// the platform's public host. Plain http only for loopback hosts.
public enum APIBase {
    public static func resolve(_ target: PlatformTarget, account: Config.Account?, environment: [String: String])
        -> Result<URL?, APIBaseError> {
        let names = [Credentials.variableName(target, field: "API_BASE"),
                     "OCTOPOST_\(target.platform.rawValue.uppercased())_API_BASE"]
        let raw = names.lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
            ?? account?.settings["api_base"] ?? account?.instance ?? account?.service
        guard let raw else { return .success(nil) }
        guard var components = URLComponents(string: raw), let scheme = components.scheme?.lowercased(),
              let host = components.host, !host.isEmpty else { return .failure(.invalid(raw)) }
        if scheme == "http", !ConfigLoader.isLoopback(host) { return .failure(.insecure(raw)) }
        guard scheme == "https" || scheme == "http" else { return .failure(.invalid(raw)) }
        if components.path.hasSuffix("/") { components.path.removeLast() }
        return .success(components.url)
    }

    public enum APIBaseError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalid(String), insecure(String)
        public var description: String {
            switch self {
            case .invalid(let s): "API base '\(s)' is not a URL such as https://api.example.com"
            case .insecure(let s): "API base '\(s)' uses plain http; that is allowed only for loopback hosts"
            }
        }
    }

    /// `base` with the scheme and host (and any path prefix) of `override`, if set.
    public static func url(_ path: String, default base: String, override: URL?) -> URL? {
        if let override { return URL(string: override.absoluteString + path) }
        return URL(string: base + path)
    }
}
