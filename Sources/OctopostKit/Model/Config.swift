import Foundation
import Yams

/// `octopost.yaml` (SPEC §4).
public struct Config: Sendable {
    public enum PushMode: String, Sendable { case auto, always = "true", never = "false" }

    public struct Git: Sendable {
        public var branch = "main"
        public var push = PushMode.auto
        public var remote = "origin"
        public var authorName = "octopost"
        public var authorEmail = "octopost@localhost"
        public init() {}
    }

    /// Non-secret settings of one account (`mastodon` or `mastodon:work`).
    public struct Account: Sendable, Equatable {
        public var instance: String?
        public var maxCharacters: Int?
        public var service: String?
        public var settings: [String: String] = [:]
        public init() {}
    }

    public var contentDirectory = "content"
    public var ledgerDirectory = "ledger"
    public var timeZone: TimeZone?
    public var git = Git()
    public var retryDelays: [TimeInterval] = [60, 300, 900]
    public var staleAfter: TimeInterval = 7 * 86_400
    public var accounts: [String: Account] = [:]

    public init() {}

    /// Settings for a target: its own `NAME:ACCOUNT` entry, else nothing (accounts do not inherit).
    public func account(for target: PlatformTarget) -> Account? { accounts[target.key] }

    /// The Mastodon character limit for a target (per instance, default 500).
    public func mastodonLimit(for target: PlatformTarget) -> Int {
        account(for: target)?.maxCharacters ?? 500
    }
}

/// What reading `octopost.yaml` found.
public struct ConfigLoadResult: Sendable {
    public var config: Config
    /// Problems that make the config unusable (exit 2).
    public var errors: [Diagnostic]
    /// Lint findings in the config (a literal secret: exit 1).
    public var findings: [Diagnostic]
}

public enum ConfigLoader {
    public static let fileName = "octopost.yaml"
    static let topKeys = ["content", "ledger", "timezone", "git", "retry", "stale_after", "accounts"]
    static let gitKeys = ["branch", "push", "remote", "author"]
    public static let accountKeys = ["instance", "max_characters", "service", "chat_id", "channel", "channel_id",
                                     "page_id", "user_id", "author", "handle", "message_thread_id", "api_base"]

    public static func load(bytes: [UInt8], path: String = fileName) -> ConfigLoadResult {
        var result = ConfigLoadResult(config: Config(), errors: [], findings: [])
        func fail(_ loc: SourceLocation, _ rule: LintRule, _ message: String) {
            result.errors.append(Diagnostic(file: path, location: loc, rule: rule, message: message))
        }
        var start = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
        if let bad = FrontMatterSplitter.firstInvalidUTF8(bytes, from: start) {
            fail(SourceLocation(line: FrontMatterSplitter.lineNumber(of: bad, in: bytes), column: 1), .encoding,
                 "the config is not valid UTF-8")
            return result
        }
        let text = String(decoding: bytes[start...], as: UTF8.self)
        var walker = Walker(path: path, lineOffset: 0, timeZone: nil)
        let root: Node?
        // The secret scan below walks every value, aliases included: they are bounded here.
        do { root = try Walker.compose(text, aliasBudget: YAMLBounds.configAliasBudget) } catch {
            result.errors.append(walker.yamlDiagnostic(error, what: fileName))
            return result
        }
        guard let root else { return result }
        scanSecrets(root, keyPath: [], walker: walker, into: &result.findings)
        guard let map = root.mapping else {
            fail(walker.location(root), .type, "octopost.yaml must be a map of settings")
            return result
        }
        var config = Config()
        for (k, v) in map {
            let key = k.scalar?.string ?? ""
            let loc = walker.location(v)
            switch key {
            case "content", "ledger":
                guard let s = v.scalar?.string, !walker.isNull(v) else {
                    fail(loc, .type, "'\(key)' must be a folder path inside the repository")
                    continue
                }
                let folder = s.hasSuffix("/") ? String(s.dropLast()) : s
                if let problem = PostID.folderProblem(folder) {
                    fail(loc, .path, "'\(key)' must be a folder path inside the repository: '\(s)' \(problem)")
                    continue
                }
                if key == "content" { config.contentDirectory = folder } else { config.ledgerDirectory = folder }
            case "timezone":
                guard let s = v.scalar?.string, !walker.isNull(v) else {
                    fail(loc, .type, "'timezone' must be an IANA name such as Europe/Berlin")
                    continue
                }
                guard let zone = ianaZone(s) else {
                    fail(loc, .timezone, "unknown time zone '\(s)'\(Suggest.hint(for: s, in: TimeZone.knownTimeZoneIdentifiers)); use an IANA name such as Europe/Berlin")
                    continue
                }
                config.timeZone = zone
            case "git":
                guard let gm = v.mapping else { fail(loc, .type, "'git' must be a map"); continue }
                for (gk, gv) in gm {
                    let gkey = gk.scalar?.string ?? ""
                    let gloc = walker.location(gv)
                    switch gkey {
                    case "branch", "remote":
                        guard let s = gv.scalar?.string, !s.isEmpty, !walker.isNull(gv) else {
                            fail(gloc, .type, "'git.\(gkey)' must be a name"); continue
                        }
                        if gkey == "branch" { config.git.branch = s } else { config.git.remote = s }
                    case "push":
                        guard let s = gv.scalar?.string, let mode = Config.PushMode(rawValue: s.lowercased()) else {
                            fail(gloc, .type, "'git.push' must be auto, true or false"); continue
                        }
                        config.git.push = mode
                    case "author":
                        guard let am = gv.mapping else { fail(gloc, .type, "'git.author' must be {name, email}"); continue }
                        for (ak, av) in am {
                            let akey = ak.scalar?.string ?? ""
                            guard let s = av.scalar?.string, !s.isEmpty else {
                                fail(walker.location(av), .type, "'git.author.\(akey)' must be text"); continue
                            }
                            switch akey {
                            case "name": config.git.authorName = s
                            case "email": config.git.authorEmail = s
                            default: fail(walker.location(ak), .unknownKey, "unknown key 'git.author.\(akey)'"
                                + Suggest.hint(for: akey, in: ["name", "email"]))
                            }
                        }
                    default:
                        fail(walker.location(gk), .unknownKey,
                             "unknown key 'git.\(gkey)'\(Suggest.hint(for: gkey, in: gitKeys))")
                    }
                }
            case "retry":
                guard let rm = v.mapping else { fail(loc, .type, "'retry' must be a map with 'delays'"); continue }
                for (rk, rv) in rm {
                    guard rk.scalar?.string == "delays" else {
                        fail(walker.location(rk), .unknownKey, "unknown key 'retry.\(rk.scalar?.string ?? "")' (did you mean 'delays'?)")
                        continue
                    }
                    guard let seq = rv.sequence else {
                        fail(walker.location(rv), .type, "'retry.delays' must be a list such as [1m, 5m, 15m]"); continue
                    }
                    var delays: [TimeInterval] = []
                    for item in seq {
                        guard let s = item.scalar?.string, let d = DurationText.parse(s), d > 0, d <= 31_622_400 else {
                            fail(walker.location(item), .type, "retry delay must be a duration such as 90s, 5m or 1h (at most a year)")
                            continue
                        }
                        delays.append(d)
                    }
                    config.retryDelays = delays
                }
            case "stale_after":
                guard let s = v.scalar?.string, let d = DurationText.parse(s), d > 0, d <= 31_622_400 else {
                    fail(loc, .type, "'stale_after' must be a duration such as 7d or 48h (at most a year)"); continue
                }
                config.staleAfter = d
            case "accounts":
                guard let am = v.mapping else { fail(loc, .type, "'accounts' must be a map keyed by platform"); continue }
                for (ak, av) in am {
                    let name = ak.scalar?.string ?? ""
                    let akLoc = walker.location(ak)
                    guard case .success = PlatformTarget.parse(name) else {
                        fail(akLoc, .platform, "'accounts.\(name)': keys are NAME or NAME:ACCOUNT with NAME one of "
                            + Platform.allCases.map(\.rawValue).joined(separator: ", ")
                            + Suggest.hint(for: name, in: Platform.allCases.map(\.rawValue)))
                        continue
                    }
                    guard let settings = av.mapping else {
                        if !walker.isNull(av) { fail(walker.location(av), .type, "'accounts.\(name)' must be a map") }
                        continue
                    }
                    var account = Config.Account()
                    for (sk, sv) in settings {
                        let skey = sk.scalar?.string ?? ""
                        let sloc = walker.location(sv)
                        if SecretScan.isCredentialKey(skey) { continue } // reported by scanSecrets
                        guard accountKeys.contains(skey) else {
                            fail(walker.location(sk), .unknownKey, "unknown key 'accounts.\(name).\(skey)'"
                                + Suggest.hint(for: skey, in: accountKeys))
                            continue
                        }
                        guard let value = sv.scalar?.string, !walker.isNull(sv) else {
                            fail(sloc, .type, "'accounts.\(name).\(skey)' must be a single value"); continue
                        }
                        switch skey {
                        case "max_characters":
                            guard let n = Int(value), n > 0, n <= 1_000_000 else {
                                fail(sloc, .type, "'accounts.\(name).max_characters' must be a positive whole number")
                                continue
                            }
                            account.maxCharacters = n
                        case "instance", "service", "api_base":
                            guard let url = URL(string: value), CredentialTransport.isAllowedHTTP(url) else {
                                fail(sloc, .type, "'accounts.\(name).\(skey)' must be an https:// URL "
                                    + "(http:// only for loopback hosts)")
                                continue
                            }
                            if skey == "instance" { account.instance = value } else if skey == "service" {
                                account.service = value
                            }
                            account.settings[skey] = value
                        default:
                            account.settings[skey] = value
                        }
                    }
                    config.accounts[name] = account
                }
            default:
                fail(walker.location(k), .unknownKey, "unknown key '\(key)'\(Suggest.hint(for: key, in: topKeys))")
            }
        }
        result.config = config
        return result
    }

    static func ianaZone(_ name: String) -> TimeZone? {
        if name == "UTC" || name == "Etc/UTC" { return TimeZone(identifier: "UTC") }
        guard TimeZone.knownTimeZoneIdentifiers.contains(name) else { return nil }
        return TimeZone(identifier: name)
    }

    static func scanSecrets(_ node: Node, keyPath: [String], walker: Walker, into findings: inout [Diagnostic]) {
        switch node {
        case .mapping(let map):
            for (k, v) in map {
                let key = k.scalar?.string ?? ""
                let path = keyPath + [key]
                if SecretScan.isCredentialKey(key), !walker.isNull(v) {
                    findings.append(Diagnostic(
                        file: walker.path, location: walker.location(v), rule: .secret,
                        message: "'\(path.joined(separator: "."))' holds a literal secret: remove it from octopost.yaml, "
                            + "rotate it if this was committed, and set it in the environment"
                            + SecretScan.variableHint(keyPath: path)))
                } else {
                    scanSecrets(v, keyPath: path, walker: walker, into: &findings)
                }
            }
        case .sequence(let seq):
            for (i, item) in seq.enumerated() {
                scanSecrets(item, keyPath: keyPath + ["\(i)"], walker: walker, into: &findings)
            }
        case .scalar(let s):
            if let kind = SecretScan.tokenShape(s.string) {
                findings.append(Diagnostic(
                    file: walker.path, location: walker.location(node), rule: .secret,
                    message: "'\(keyPath.joined(separator: "."))' looks like a \(kind): secrets never live in "
                        + "octopost.yaml; rotate it if this was committed, and set it in the environment"))
            }
        case .alias: break
        }
    }
}

/// Recognising secrets without ever echoing them.
public enum SecretScan {
    static let credentialWords = ["token", "secret", "password", "app_password", "api_key", "access_token",
                                  "webhook_url", "apikey", "passwd"]

    public static func isCredentialKey(_ key: String) -> Bool {
        let k = key.lowercased()
        return credentialWords.contains { k == $0 || k.hasSuffix("_" + $0) || k.hasPrefix($0 + "_") }
    }

    static func variableHint(keyPath: [String]) -> String {
        guard keyPath.count == 3, keyPath[0] == "accounts" else { return "" }
        let target = keyPath[1].split(separator: ":").map { $0.uppercased() }
        let field = keyPath[2].uppercased()
        return " (OCTOPOST_" + (target + [field]).joined(separator: "_") + ")"
    }

    /// The kind of token a value looks like, or nil.
    public static func tokenShape(_ value: String) -> String? {
        let v = value.trimmingCharacters(in: .whitespaces)
        let u = Array(v.utf8)
        func isTokenChar(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
        }
        // Telegram bot token: digits ':' 30+ token characters.
        if let colon = u.firstIndex(of: 0x3A), colon >= 6, colon <= 12,
           u[..<colon].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), u.count - colon - 1 >= 30,
           u[(colon + 1)...].allSatisfy(isTokenChar) {
            return "Telegram bot token"
        }
        // Slack tokens: xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxe-
        if v.count >= 15, v.hasPrefix("xox"), u.count > 4, u[4] == 0x2D,
           [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "p"), UInt8(ascii: "r"), UInt8(ascii: "s"),
            UInt8(ascii: "e")].contains(u[3]) {
            return "Slack token"
        }
        // JWT: three base64url parts, the first two starting with eyJ ('{"').
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 3, parts[0].hasPrefix("eyJ"), parts[1].hasPrefix("eyJ"), parts[2].count >= 10,
           parts.allSatisfy({ $0.utf8.allSatisfy(isTokenChar) }) {
            return "JSON Web Token"
        }
        return nil
    }
}
