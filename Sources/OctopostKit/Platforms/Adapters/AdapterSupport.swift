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

/// The one path every adapter sends through: transport failures become transient errors whose text
/// went through the redactor, so no token in a URL can reach a message.
struct AdapterTransport: Sendable {
    let client: any HTTPClient
    let redact: Redactor
    let platform: Platform

    init(client: any HTTPClient, credentials: Credentials, extraSecrets: [String] = [], platform: Platform) {
        self.client = client
        self.redact = Redactor.forSecrets(credentials.secretValues + extraSecrets)
        self.platform = platform
    }

    func send(_ request: HTTPRequest) async throws(PublishError) -> HTTPResponse {
        do {
            return try await client.send(request)
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

    /// A message for a non-2xx answer: the platform's own words (redacted), else the status.
    func describe(_ response: HTTPResponse, reason: String?) -> String {
        let base = "\(platform.displayName) answered HTTP \(response.status)"
        guard let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else { return base }
        return base + ": " + redact(String(reason.prefix(500)))
    }
}

extension Redactor {
    /// A redactor for secrets as written and as they appear percent-encoded in URLs.
    static func forSecrets(_ secrets: [String]) -> Redactor {
        var all = Set<String>()
        for s in secrets where s.count >= 4 {
            all.insert(s)
            if let e = s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { all.insert(e) }
            if let e = s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) { all.insert(e) }
            if let e = s.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) { all.insert(e) }
        }
        return Redactor(Array(all))
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
