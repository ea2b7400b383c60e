import Foundation

/// The adapters' view of time: injected, so tests never read the wall clock (STYLE: time is injected).
public struct AdapterClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    /// The live clock; only the CLI should pass this.
    public static let system = AdapterClock { Date() }
    public static func fixed(_ date: Date) -> AdapterClock { AdapterClock { date } }
}

/// HTTP status classes shared by every adapter (PLATFORMS §13).
public enum HTTPStatusClass {
    /// 408, 425, 429, 5xx (incl. Cloudflare's 522/524): try again later.
    public static func isTransient(_ status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || (500...599).contains(status)
    }

    public static func isSuccess(_ status: Int) -> Bool { (200...299).contains(status) }

    public static func kind(_ status: Int) -> ErrorKind { isTransient(status) ? .transient : .permanent }
}

/// Reading rate-limit and retry headers (PLATFORMS §13, "wait source").
public enum RateLimitHeaders {
    /// Unix epoch seconds, possibly with decimals (X, Bluesky, Discord).
    public static func epoch(_ value: String?) -> Date? {
        guard let value, let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds > 0 else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// An RFC 3339 / ISO-8601 instant with any fraction (Mastodon: microseconds).
    public static func iso8601(_ value: String?) -> Date? {
        guard let value else { return nil }
        return try? Timestamp.resolve(value.trimmingCharacters(in: .whitespaces), timeZone: nil).instant
    }

    /// `Retry-After`: delay seconds (decimals allowed) or an HTTP date.
    public static func retryAfter(_ value: String?, now: Date) -> Date? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Double(value), seconds >= 0 { return now.addingTimeInterval(seconds) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: value)
    }

    /// A delay in seconds from a body field (Telegram `retry_after`, Discord `retry_after`).
    public static func delay(_ seconds: Double?, now: Date) -> Date? {
        guard let seconds, seconds >= 0, seconds.isFinite else { return nil }
        return now.addingTimeInterval(seconds)
    }

    public static func int(_ value: String?) -> Int? {
        guard let value else { return nil }
        if let i = Int(value.trimmingCharacters(in: .whitespaces)) { return i }
        return Double(value.trimmingCharacters(in: .whitespaces)).map { Int($0) }
    }
}

/// Every secret one adapter knows: its environment credentials, and every secret it derives or
/// receives during the run (session tokens, refreshed tokens, signed Authorization headers, webhook
/// tokens). The adapter's transport consults it for every text it lets out.
final class SecretRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var known: Set<String> = []
    private var cached: Redactor

    init(_ secrets: [String] = []) {
        cached = Redactor([])
        register(secrets)
    }

    /// Adds secrets (short ones, under 4 characters, are ignored); the redactor finds their encoded forms.
    func register(_ secrets: [String]) {
        let added = Set(secrets.filter { $0.count >= 4 })
        lock.withLock {
            guard !added.isSubset(of: known) else { return }
            known.formUnion(added)
            cached = Redactor(Array(known))
        }
    }

    func register(_ secret: String) { register([secret]) }

    var redactor: Redactor { lock.withLock { cached } }

    /// The credentials a request carries: header values that authenticate and the URL's user info.
    func register(credentialsOf request: HTTPRequest) {
        var found: [String] = []
        for (name, value) in request.headers {
            switch name.lowercased() {
            case "authorization", "proxy-authorization":
                // `Scheme credential`: the credential is the secret (an echo then reads `Bearer <redacted>`).
                let parts = value.split(separator: " ", maxSplits: 1)
                if parts.count != 2 { found.append(value) }
                if parts.count == 2 {
                    let credential = parts[1].trimmingCharacters(in: .whitespaces)
                    found.append(credential)
                    // OAuth 1.0a: `oauth_signature="…"`, `oauth_token="…"` (percent-encoded in the header).
                    for pair in credential.split(separator: ",") {
                        let kv = pair.split(separator: "=", maxSplits: 1)
                        guard kv.count == 2 else { continue }
                        let key = kv[0].trimmingCharacters(in: .whitespaces)
                        guard key == "oauth_signature" || key == "oauth_token" else { continue }
                        let raw = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                        found.append(raw)
                        if let decoded = raw.removingPercentEncoding { found.append(decoded) }
                    }
                }
            case "cookie", "x-api-key":
                found.append(value)
            default: break
            }
        }
        if let c = URLComponents(url: request.url, resolvingAgainstBaseURL: false) {
            if let password = c.password { found.append(password) }
            if let user = c.user, c.password != nil { found.append(user + ":" + (c.password ?? "")) }
        }
        if !found.isEmpty { register(found) }
    }
}

/// The one path every adapter sends through: transport failures become transient errors whose text
/// went through the redactor, so no token in a URL can reach a message; the credentials of every
/// request are registered as secrets before it leaves; a redirect is an error, never followed (it
/// would carry tokens in URL paths and the post's body to wherever it points).
struct AdapterTransport: Sendable {
    let client: any HTTPClient
    let secrets: SecretRegistry
    let platform: Platform

    init(client: any HTTPClient, credentials: Credentials, extraSecrets: [String] = [], platform: Platform) {
        self.client = client
        self.secrets = SecretRegistry(credentials.secretValues(for: platform) + extraSecrets)
        self.platform = platform
    }

    /// The redactor as it stands now (secrets received later are added to it).
    var redact: Redactor { secrets.redactor }

    /// Registers a secret the adapter derived or received (a session token), before any text can hold it.
    func register(_ secret: String) { secrets.register(secret) }

    func send(_ request: HTTPRequest) async throws(PublishError) -> HTTPResponse {
        secrets.register(credentialsOf: request)
        let response: HTTPResponse
        do {
            response = try await client.send(request)
        } catch {
            let sentSomething = request.method != "GET"
            switch error {
            case .timeout:
                throw PublishError(.transient, "no answer from \(platform.displayName) (timed out)",
                                   uncertain: sentSomething)
            case .connection(let reason):
                throw PublishError(.transient, "the connection to \(platform.displayName) failed: \(redact(reason))",
                                   uncertain: sentSomething)
            case .notSent(let reason):
                throw PublishError(.transient, "could not reach \(platform.displayName): \(redact(reason)); will retry")
            case .invalidURL:
                throw PublishError(.permanent, "the \(platform.displayName) request URL is not valid; "
                    + "check OCTOPOST_\(platform.rawValue.uppercased())_API_BASE and the account settings")
            }
        }
        if (300...399).contains(response.status) { throw redirected(response, from: request) }
        return response
    }

    /// A 3xx is never followed (no platform documents one). Only 307 and 308, and any answer to a GET,
    /// say the request was not acted on: a 303 is how a server answers a POST it has processed, and a
    /// 301 or 302 may come from one that did. After a request that changes something those are a lost
    /// answer, uncertain as a timeout after sending is (SPEC §7: never a second post on a guess).
    private func redirected(_ response: HTTPResponse, from request: HTTPRequest) -> PublishError {
        let url = request.url
        var message = "\(platform.displayName) answered HTTP \(response.status)"
        if let location = response.header("Location")?.trimmingCharacters(in: .whitespaces), !location.isEmpty {
            let target = URL(string: location, relativeTo: url)?.absoluteURL
            let origin = target.map(Self.origin) ?? ""
            let sameOrigin = target != nil && origin == Self.origin(url)
            message += ", a redirect to \(String(redact(location).prefix(300)))"
                + (sameOrigin ? "" : " (another origin\(origin.isEmpty ? "" : ", \(redact(origin))"))")
        } else {
            message += ", a redirect"
        }
        message += "; octopost does not follow redirects, so nothing was sent there: check "
            + "OCTOPOST_\(platform.rawValue.uppercased())_API_BASE and the account's instance or service URL"
        let actedOn = !["GET", "HEAD"].contains(request.method.uppercased()) && ![307, 308].contains(response.status)
        guard actedOn else { return PublishError(.permanent, message, httpStatus: response.status) }
        return PublishError(.transient, message + " (\(platform.displayName) may have acted on the request before redirecting)",
                            httpStatus: response.status, uncertain: true)
    }

    /// `scheme://host[:port]` in lower case, default ports dropped.
    static func origin(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        let host = url.host?.lowercased() ?? ""
        var port = url.port
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { port = nil }
        return "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "")
    }

    /// The body as JSON, or a transient error: a 2xx whose body is not JSON (an HTML page from a proxy)
    /// says nothing about whether the post exists.
    func json(_ response: HTTPResponse, what: String = "") throws(PublishError) -> JSONValue {
        guard let value = JSONValue.parse(response.body) else {
            throw PublishError(.transient, "unexpected answer from \(platform.displayName)\(what.isEmpty ? "" : " (\(what))"): "
                + "not JSON (HTTP \(response.status))", httpStatus: response.status,
                uncertain: HTTPStatusClass.isSuccess(response.status))
        }
        return value
    }

    /// Longest platform reason kept in a message, counted after redaction.
    static let maxReasonLength = 500

    /// A message for a non-2xx answer: the platform's own words, redacted as a whole and only then cut
    /// (a cut first could leave the beginning of a secret that no longer matches it), else the status.
    func describe(_ response: HTTPResponse, reason: String?) -> String {
        let base = "\(platform.displayName) answered HTTP \(response.status)"
        guard let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else { return base }
        return base + ": " + String(redact(reason).prefix(Self.maxReasonLength))
    }
}

/// An adapter whose transport knows every secret it holds, derives or receives.
protocol SecretHoldingAdapter: PlatformAdapter {
    nonisolated var secrets: SecretRegistry { get }
}

/// What leaves an adapter, redacted with every secret it knows at that moment: the fields a server's
/// answer fills (post ids, URLs, cids), which a hostile or careless server can fill with the token it
/// was sent, and every error text. Only then do they reach the ledger, a commit or the output. Every
/// adapter the registry builds is wrapped in one.
struct RedactingAdapter: PlatformAdapter {
    let inner: any SecretHoldingAdapter

    init(_ inner: any SecretHoldingAdapter) { self.inner = inner }

    var target: PlatformTarget { inner.target }
    var recoveryModes: [RecoveryMode] { inner.recoveryModes }

    func publish(_ part: OutgoingPart, of post: Post) async throws(PublishError) -> SegmentResult {
        do throws(PublishError) {
            return redacted(try await inner.publish(part, of: post))
        } catch {
            throw redacted(error)
        }
    }

    func findExisting(_ part: OutgoingPart, of post: Post, since: Date) async throws(PublishError) -> SegmentResult? {
        do throws(PublishError) {
            return try await inner.findExisting(part, of: post, since: since).map(redacted)
        } catch {
            throw redacted(error)
        }
    }

    func rateLimit() async -> RateLimitState? { await inner.rateLimit() }

    func redacted(_ result: SegmentResult) -> SegmentResult {
        let redact = inner.secrets.redactor
        return SegmentResult(postID: redact(result.postID), postURL: result.postURL.map { redact($0) },
                             cid: result.cid.map { redact($0) })
    }

    func redacted(_ error: PublishError) -> PublishError {
        var e = error
        e.message = inner.secrets.redactor(e.message)
        return e
    }
}

extension Redactor {
    /// A redactor for secrets as written and as they appear percent-encoded in URLs.
    static func forSecrets(_ secrets: [String]) -> Redactor { Redactor(Array(forms(of: secrets))) }

    /// Each secret as written and percent-encoded the ways URLs and forms encode it.
    static func forms(of secrets: [String]) -> Set<String> {
        var all = Set<String>()
        for s in secrets where s.count >= 4 {
            all.insert(s)
            if let e = s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { all.insert(e) }
            if let e = s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) { all.insert(e) }
            if let e = s.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) { all.insert(e) }
            all.insert(URLBuilder.percentEncode(s))
        }
        return all
    }
}

extension Post {
    func boolOption(_ platform: Platform, _ key: String) -> Bool? {
        if case .bool(let b)? = option(platform, key) { return b }
        return nil
    }

    func stringOption(_ platform: Platform, _ key: String) -> String? {
        switch option(platform, key) {
        case .string(let s)?: s
        case .int(let i)?: String(i)
        default: nil
        }
    }

    func intOption(_ platform: Platform, _ key: String) -> Int? {
        switch option(platform, key) {
        case .int(let i)?: i
        case .string(let s)?: Int(s)
        default: nil
        }
    }

    func listOption(_ platform: Platform, _ key: String) -> [String]? {
        switch option(platform, key) {
        case .list(let l)?: l
        case .string(let s)?: [s]
        default: nil
        }
    }
}

enum URLBuilder {
    /// `base` + `path` + an encoded query (RFC 3986 unreserved kept).
    static func url(_ base: String, _ path: String, query: [(String, String)] = []) -> URL? {
        var text = base + path
        if !query.isEmpty {
            text += "?" + query.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)
    }

    /// RFC 3986 percent-encoding: everything but ALPHA / DIGIT / "-" / "." / "_" / "~".
    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case 0x41...0x5A, 0x61...0x7A, 0x30...0x39, 0x2D, 0x2E, 0x5F, 0x7E:
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}

enum ISO8601 {
    /// `2026-04-10T09:00:00.000Z` (UTC, milliseconds), the shape atproto records use.
    static func milliseconds(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = Int(ms - secs * 1000)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                   from: Date(timeIntervalSince1970: TimeInterval(secs)))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                      c.hour ?? 0, c.minute ?? 0, c.second ?? 0, millis)
    }

    /// `2026-04-10T09:00:00Z` (UTC, whole seconds), the shape X's `start_time` takes.
    static func seconds(_ date: Date) -> String {
        String(milliseconds(date).prefix(19)) + "Z"
    }
}

/// Compares a sent text with what a platform shows back (recovery lookups): HTML tags dropped, common
/// entities decoded, URLs and `@user@host` mentions reduced to what every platform keeps, whitespace collapsed.
enum TextMatch {
    static func normalize(_ text: String, html: Bool = false) -> String {
        var t = text
        if html {
            t = t.replacingOccurrences(of: "<br ?/?>", with: "\n", options: .regularExpression)
            t = t.replacingOccurrences(of: "</p>\\s*<p>", with: "\n\n", options: .regularExpression)
            t = t.replacingOccurrences(of: "<[^>]*>", with: "", options: .regularExpression)
        }
        for (entity, char) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"),
                               ("&amp;", "&")] {
            t = t.replacingOccurrences(of: entity, with: char)
        }
        t = t.replacingOccurrences(of: "https?://[^\\s]+", with: "<url>", options: .regularExpression)
        t = t.replacingOccurrences(of: "(^|\\s)@([A-Za-z0-9_]+)@[A-Za-z0-9.-]+", with: "$1@$2",
                                   options: .regularExpression)
        return t.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
