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

    /// The values of the fields that are secrets on `platform` (for redaction of error text, logs and
    /// answers): not those that only name the account or where to post (`Platform.publicCredentialFields`),
    /// which public URLs show (a Bluesky handle, a Discord channel id).
    public func secretValues(for platform: Platform) -> [String] {
        fields.filter { !platform.publicCredentialFields.contains($0.key) && $0.value.count >= 4 }.map(\.value)
    }

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

/// Replaces every secret in a text with a mark, so errors, logs and anything a server answered never
/// carry one (Telegram and Discord put tokens in URLs). Run it on the whole text before any cut: a
/// secret cut in half is no longer found by its full value.
///
/// A known secret is found in the forms a server or a URL gives back: as written (ASCII letters in any
/// case), percent-encoded with upper- or lower-case hex, once or twice, whole or in part; and base64 or
/// base64url-encoded at any of the three byte alignments (inside a longer encoded text such as a Basic
/// header). A beginning of a token-shaped secret, which is what a server that cuts its echo shows, is
/// redacted from `partialLength` characters on anywhere, and from `shortPartialLength` on where the
/// text stops there and the piece cannot be an ordinary word (it holds a digit and a letter, or an
/// upper-case letter after the first character).
///
/// Besides the known secrets it removes what looks like a credential whoever it belongs to: JSON Web
/// Tokens (`eyJ…`), the value after `Bearer`/`Basic`/`Bot`/`OAuth`, OAuth 1.0a
/// `oauth_signature`/`oauth_token` values, and the user info of URLs (`https://user:pass@host` →
/// `https://***@host`).
public struct Redactor: Sendable {
    static let mark = "<redacted>"
    /// Shortest beginning of a token-shaped secret that is redacted wherever it stands.
    static let partialLength = 12
    /// Shortest beginning redacted where the text ends it (a server's cut) and it is no ordinary word.
    static let shortPartialLength = 6

    /// One form of a secret, compared with ASCII letters folded to lower case.
    struct Pattern: Sendable, Equatable {
        let bytes: [UInt8]
        /// Whether beginnings of it count (token-shaped secrets of `partialLength + 4` or more).
        let prefixes: Bool
        /// The shortest beginning that is no ordinary word, at least `shortPartialLength` (nil: none).
        let shortFrom: Int?
    }

    let patterns: [Pattern]

    public init(_ secrets: [String]) {
        var patterns: [Pattern] = []
        var seen = Set<[UInt8]>()
        for s in Set(secrets.filter { $0.count >= 4 }).sorted() {
            let token = s.count >= Self.partialLength + 4 && Self.isTokenShaped(s)
            for form in [s] + Self.base64Fragments(of: s) {
                let pattern = Pattern(bytes: form.utf8.map(Self.fold), prefixes: token,
                                      shortFrom: token ? Self.firstUnwordlike(form) : nil)
                if seen.insert(pattern.bytes).inserted { patterns.append(pattern) }
            }
        }
        self.patterns = patterns
    }

    public func callAsFunction(_ text: String) -> String {
        Self.redactShapes(patterns.isEmpty ? text : redactKnown(text))
    }

    /// One word of token characters (no spaces, no `/`): a beginning of it is as telling as the whole.
    static func isTokenShaped(_ s: String) -> Bool {
        s.unicodeScalars.allSatisfy { c in
            c.isASCII && (CharacterSet.alphanumerics.contains(c) || "-_.~+=:".unicodeScalars.contains(c))
        }
    }

    // MARK: known secrets

    static func fold(_ b: UInt8) -> UInt8 { (0x41...0x5A).contains(b) ? b | 0x20 : b }

    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
    }

    /// The length from which a beginning of `form` cannot be an ordinary word: it holds a digit and a
    /// letter, or an upper-case letter after its first character.
    static func firstUnwordlike(_ form: String) -> Int? {
        var digit = false, letter = false, innerUpper = false
        for (i, b) in form.utf8.enumerated() {
            if (0x30...0x39).contains(b) { digit = true }
            if (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) { letter = true }
            if i > 0, (0x41...0x5A).contains(b) { innerUpper = true }
            if i + 1 >= shortPartialLength, (digit && letter) || innerUpper { return i + 1 }
        }
        return nil
    }

    /// The base64 and base64url characters that depend on `secret` alone when it is encoded at each of
    /// the three byte offsets of a longer text (`Basic base64(user:token)`, a base64 blob): the
    /// characters that also hold bits of the bytes around it are left out. Only for secrets of 8 bytes
    /// or more, and pieces of 8 characters or more, so that no short run is taken for one.
    static func base64Fragments(of secret: String) -> [String] {
        let bytes = Array(secret.utf8)
        guard bytes.count >= 8 else { return [] }
        var out: [String] = []
        for offset in 0..<3 {
            let encoded = (Data(repeating: 0, count: offset) + Data(bytes)).base64EncodedString()
            let chars = Array(encoded)
            let first = (offset * 8 + 5) / 6
            let last = (offset + bytes.count) * 8 / 6
            guard last - first >= 8 else { continue }
            let piece = String(chars[first..<last])
            out.append(piece)
            let url = String(piece.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
            if url != piece { out.append(url) }
        }
        return out
    }

    /// A text's bytes folded to lower case, each with the range of original bytes it stands for.
    struct View {
        var bytes: [UInt8]
        var starts: [Int]
        var ends: [Int]

        init(_ original: [UInt8]) {
            bytes = original.map(Redactor.fold)
            starts = Array(original.indices)
            ends = original.indices.map { $0 + 1 }
        }

        private init(bytes: [UInt8], starts: [Int], ends: [Int]) {
            self.bytes = bytes
            self.starts = starts
            self.ends = ends
        }

        static func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: b - 0x30
            case 0x61...0x66: b - 0x61 + 10
            default: nil
            }
        }

        /// `%xx` (hex in either case) decoded; nil when there is none.
        func percentDecoded() -> View? {
            guard bytes.contains(0x25) else { return nil }
            var out = View(bytes: [], starts: [], ends: [])
            var decodedAny = false
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0x25, i + 2 < bytes.count, let hi = Self.hex(bytes[i + 1]), let lo = Self.hex(bytes[i + 2]) {
                    out.bytes.append(Redactor.fold(hi << 4 | lo))
                    out.starts.append(starts[i])
                    out.ends.append(ends[i + 2])
                    decodedAny = true
                    i += 3
                } else {
                    out.bytes.append(bytes[i])
                    out.starts.append(starts[i])
                    out.ends.append(ends[i])
                    i += 1
                }
            }
            return decodedAny ? out : nil
        }
    }

    /// Where `pattern` or a telling beginning of it stands in `view`, as ranges of original bytes.
    static func matches(of pattern: Pattern, in view: View) -> [Range<Int>] {
        let p = pattern.bytes, t = view.bytes
        let probe = pattern.prefixes ? min(shortPartialLength, p.count) : p.count
        guard probe > 0, t.count >= probe else { return [] }
        var found: [Range<Int>] = []
        var i = 0
        while i + probe <= t.count {
            guard t[i] == p[0] else { i += 1; continue }
            var j = 1
            while j < p.count, i + j < t.count, t[i + j] == p[j] { j += 1 }
            let whole = j == p.count
            let long = pattern.prefixes && j >= partialLength
            let cut = pattern.prefixes && pattern.shortFrom.map { j >= $0 } == true
                && (i + j == t.count || !isAlphanumeric(t[i + j]))
            if whole || long || cut {
                found.append(view.starts[i]..<view.ends[i + j - 1])
                i += j
            } else {
                i += 1
            }
        }
        return found
    }

    func redactKnown(_ text: String) -> String {
        let original = Array(text.utf8)
        var views = [View(original)]
        while views.count < 3, let decoded = views[views.count - 1].percentDecoded() { views.append(decoded) }
        var spans: [Range<Int>] = []
        for view in views {
            for pattern in patterns { spans += Self.matches(of: pattern, in: view) }
        }
        guard !spans.isEmpty else { return text }
        spans.sort { $0.lowerBound < $1.lowerBound }
        var out: [UInt8] = []
        var at = 0
        var k = 0
        while k < spans.count {
            var span = spans[k]
            k += 1
            while k < spans.count, spans[k].lowerBound <= span.upperBound {
                span = span.lowerBound..<max(span.upperBound, spans[k].upperBound)
                k += 1
            }
            out += original[at..<span.lowerBound]
            out += Array(Self.mark.utf8)
            at = span.upperBound
        }
        out += original[at...]
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: shapes

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
