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
/// Discord put tokens in URLs). Run it on the whole text before any cut: a secret cut in half is no
/// longer found by its full value.
///
/// Besides the known secrets (and, for token-shaped ones, any run of at least `partialLength`
/// characters of their beginning, which is what a server that cuts its echo shows), it removes what
/// looks like a credential whoever it belongs to: JSON Web Tokens (`eyJ…`), the value after
/// `Bearer`/`Basic`/`Bot`/`OAuth`, OAuth 1.0a `oauth_signature`/`oauth_token` values, and the user
/// info of URLs (`https://user:pass@host` → `https://***@host`).
public struct Redactor: Sendable {
    static let mark = "<redacted>"
    /// Shortest beginning of a token-shaped secret that is redacted on its own.
    static let partialLength = 12

    private let secrets: [String]
    private let prefixes: [String]

    public init(_ secrets: [String]) {
        let unique = Set(secrets.filter { $0.count >= 4 })
        self.secrets = unique.sorted { $0.count > $1.count || ($0.count == $1.count && $0 < $1) }
        self.prefixes = self.secrets.filter { $0.count >= Self.partialLength + 4 && Self.isTokenShaped($0) }
    }

    public func callAsFunction(_ text: String) -> String {
        var t = text
        for s in secrets where t.contains(s) { t = t.replacingOccurrences(of: s, with: Self.mark) }
        for s in prefixes { t = Self.redactBeginnings(of: s, in: t) }
        return Self.redactShapes(t)
    }

    /// One word of token characters (no spaces, no `/`): a beginning of it is as telling as the whole.
    static func isTokenShaped(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { c in
            c.isASCII && (CharacterSet.alphanumerics.contains(c) || "-_.~+=:".unicodeScalars.contains(c))
        }
    }

    /// Every run of `partialLength` or more characters that `secret` starts with.
    static func redactBeginnings(of secret: String, in text: String) -> String {
        let probe = String(secret.prefix(partialLength))
        guard text.contains(probe) else { return text }
        var out = ""
        var rest = Substring(text)
        while let r = rest.range(of: probe) {
            out += rest[..<r.lowerBound]
            var i = r.upperBound
            var j = secret.index(secret.startIndex, offsetBy: probe.count)
            while i < rest.endIndex, j < secret.endIndex, rest[i] == secret[j] {
                i = rest.index(after: i)
                j = secret.index(after: j)
            }
            out += mark
            rest = rest[i...]
        }
        return out + rest
    }

    nonisolated(unsafe) private static let shapes: [(NSRegularExpression, String)] = [
        // A JSON Web Token, whole or cut: base64url of `{"` then more base64url, dot-separated parts.
        (#"eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}"#, mark),
        // `Authorization: Bearer <token>` echoed: the credential after the scheme (it holds a digit).
        (#"(?i)\b(bearer|basic|bot|oauth)(\s+)(?=[^\s",]*[0-9])[A-Za-z0-9._~+/=:-]{16,}"#, "$1$2" + mark),
        // OAuth 1.0a header parameters that are secret or derived from secrets.
        (#"\b(oauth_(?:signature|token))=("?)[^",&\s]+"#, "$1=$2" + mark),
    ].compactMap { pattern, template in
        (try? NSRegularExpression(pattern: pattern)).map { ($0, template) }
    }

    static func redactShapes(_ text: String) -> String {
        var t = text
        for (regex, template) in shapes {
            t = regex.stringByReplacingMatches(in: t, range: NSRange(t.startIndex..., in: t), withTemplate: template)
        }
        return stripURLUserInfo(t)
    }

    /// `scheme://user:pass@host/...` → `scheme://***@host/...` everywhere in `text`.
    public static func stripURLUserInfo(_ text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: "://") {
            out += rest[..<range.upperBound]
            rest = rest[range.upperBound...]
            let authorityEnd = rest.firstIndex { "/?# '\"\n\t<>".contains($0) } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                out += "***"
                rest = rest[at...]
            }
        }
        return out + rest
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
        guard scheme == "https" || scheme == "http" else { return .failure(.invalid(raw)) }
        guard CredentialTransport.allowsCredentials(scheme: scheme, host: host) else { return .failure(.insecure(raw)) }
        if components.path.hasSuffix("/") { components.path.removeLast() }
        return .success(components.url)
    }

    public enum APIBaseError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalid(String), insecure(String)
        public var description: String {
            switch self {
            case .invalid(let s): "API base '\(Redactor.stripURLUserInfo(s))' is not a URL such as https://api.example.com"
            case .insecure(let s):
                "API base '\(Redactor.stripURLUserInfo(s))' uses plain http; that is allowed only for loopback hosts"
            }
        }
    }

    /// `base` with the scheme and host (and any path prefix) of `override`, if set.
    public static func url(_ path: String, default base: String, override: URL?) -> URL? {
        if let override { return URL(string: override.absoluteString + path) }
        return URL(string: base + path)
    }
}
