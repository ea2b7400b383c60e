import Foundation
import OctopostKit

/// What an emulator sees of one request.
public struct SandboxRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Lower-cased names.
    public var headers: [String: String]
    public var body: Data

    public init(method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:],
                body: Data = Data()) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Path components without empty ones: `/api/v1/statuses` → `["api", "v1", "statuses"]`.
    var segments: [String] { path.split(separator: "/").map(String.init) }

    /// The body as JSON, or as a form when it is `application/x-www-form-urlencoded`.
    var bodyObject: JSON? {
        let type = header("content-type")?.lowercased() ?? ""
        if type.contains("application/x-www-form-urlencoded") { return FormBody.parse(body) }
        if body.isEmpty { return nil }
        return JSON.parse(body)
    }

    /// `Authorization: <scheme> <credentials>` → credentials, when the scheme matches (case-insensitive).
    func authorization(scheme: String) -> String? {
        guard let value = header("authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == scheme.lowercased() else { return nil }
        let credentials = parts[1].trimmingCharacters(in: .whitespaces)
        return credentials.isEmpty ? nil : credentials
    }
}

/// An emulator's answer.
public struct SandboxResponse: Sendable {
    public var status: Int
    /// In order; a name may repeat.
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ value: JSON, headers: [(String, String)] = []) -> SandboxResponse {
        SandboxResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
                        body: value.data)
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Settings of one emulator.
public struct EmulatorConfiguration: Sendable {
    /// The one credential accepted; nil accepts any non-empty one. Mastodon: the bearer token;
    /// Bluesky: the app password; Telegram: the bot token; X: the OAuth 1.0a `oauth_token`;
    /// Discord: the bot token and the webhook token.
    public var token: String?
    /// The one account accepted; nil accepts any. Bluesky: the identifier; Telegram: the chat id;
    /// Discord: the channel id and the webhook id; X: the `oauth_consumer_key`; Mastodon: unused.
    public var account: String?
    /// nil: the platform's default budget.
    public var rateLimit: RateLimitPolicy?
    /// Added before every platform request is handled.
    public var latency: Double
    /// Longest a `hang` fault lasts (it also ends when the emulator stops).
    public var maxHang: Double
    /// Mastodon: the instance's `max_characters`.
    public var maxCharacters: Int
    /// Most posts kept; past it, creating answers 503 until `/__sandbox/reset`.
    public var maxPosts: Int
    /// The emulator's clock (timestamps, rate-limit windows, idempotency expiry).
    public var now: @Sendable () -> Date

    public init(token: String? = nil, account: String? = nil, rateLimit: RateLimitPolicy? = nil, latency: Double = 0,
                maxHang: Double = 120, maxCharacters: Int = 500, maxPosts: Int = 10_000,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.token = token
        self.account = account
        self.rateLimit = rateLimit
        self.latency = latency
        self.maxHang = maxHang
        self.maxCharacters = maxCharacters
        self.maxPosts = maxPosts
        self.now = now
    }
}

/// Where a rate-limit window stands after a request.
public struct RateLimitState: Sendable, Equatable {
    public var limit: Int
    public var remaining: Int
    public var reset: Date
    public var window: Double
}

/// What each platform emulator provides to the shared server machinery.
protocol PlatformBehavior: Actor {
    /// What the emulator keeps of one created message, status, tweet or record.
    associatedtype Record
    nonisolated var platform: Platform { get }
    nonisolated var defaultRateLimit: RateLimitPolicy { get }
    /// Answers one platform request (after latency, faults and the rate limit).
    func handle(_ request: SandboxRequest, now: Date) -> SandboxResponse
    var store: EmulatorStore<Record> { get set }
    var posts: [SandboxPost] { get }
    /// Forgets what was created (by default the store; emulators with sessions or keys forget those too).
    func reset()
    /// The platform's error body for a status (faults, 503 when full).
    nonisolated func errorResponse(status: Int, message: String) -> SandboxResponse
    /// Headers added to every answer.
    nonisolated func rateLimitHeaders(_ state: RateLimitState, now: Date) -> [(String, String)]
    /// The platform's 429.
    nonisolated func rateLimited(retryAfter: Double, state: RateLimitState, now: Date) -> SandboxResponse
}

extension PlatformBehavior {
    var posts: [SandboxPost] { store.posts }

    func reset() { store.reset() }

    nonisolated func rateLimitHeaders(_ state: RateLimitState, now: Date) -> [(String, String)] { [] }
}

/// Timestamps as the platforms write them.
enum SandboxTime {
    /// `2026-04-10T09:00:00.123Z` (digits: 3) or with microseconds (digits: 6).
    static func rfc3339(_ date: Date, fractionDigits: Int = 3) -> String {
        let whole = Timestamp.format(date)
        guard fractionDigits > 0 else { return whole }
        let seconds = date.timeIntervalSince1970
        let scale = pow(10.0, Double(fractionDigits))
        let fraction = Int(((seconds - seconds.rounded(.down)) * scale).rounded(.down))
        var digits = String(fraction)
        digits = String(repeating: "0", count: max(0, fractionDigits - digits.count)) + digits
        return String(whole.dropLast()) + "." + digits + "Z"
    }

    static func epochSeconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970.rounded(.up)) }
}

/// Ids that look like the platform's: snowflakes (X, Discord), Mastodon's, TIDs (Bluesky).
enum SandboxIDs {
    /// A 64-bit time-ordered id: milliseconds since `epochMs` shifted left 22, plus a sequence.
    static func snowflake(now: Date, epochMs: Int64, sequence: Int) -> String {
        let ms = Int64(now.timeIntervalSince1970 * 1000) - epochMs
        return String((max(ms, 0) << 22) | Int64(sequence & 0x3F_FFFF))
    }

    private static let tidAlphabet = Array("234567abcdefghijklmnopqrstuvwxyz")

    /// An atproto TID: 13 base32-sortable characters of (microseconds << 10 | clock id).
    static func tid(now: Date, sequence: Int) -> String {
        let micros = UInt64(max(0, now.timeIntervalSince1970 * 1_000_000)) &+ UInt64(sequence)
        var value = (micros << 10) & 0x7FFF_FFFF_FFFF_FFFF | UInt64(sequence & 0x3FF)
        var chars: [Character] = []
        for _ in 0..<13 {
            chars.append(tidAlphabet[Int(value & 31)])
            value >>= 5
        }
        return String(chars.reversed())
    }

    /// A CID-looking string (`bafyrei…`, 59 characters) derived from the content.
    static func cid(_ content: Data, salt: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var out = "bafyrei"
        var round = UInt64(bitPattern: Int64(salt))
        for byte in content { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        while out.count < 59 {
            round &+= 1
            var h = hash ^ (round &* 0x9E37_79B9_7F4A_7C15)
            h = (h ^ (h >> 33)) &* 0xff51_afd7_ed55_8ccd
            for _ in 0..<12 where out.count < 59 {
                out.append(tidAlphabet[Int(h & 31)])
                h >>= 5
            }
        }
        return out
    }
}

extension SandboxRequest {
    /// Matches `method` and a path pattern of segments where `*` captures one segment:
    /// `match("GET", ["api", "v1", "accounts", "*", "statuses"])` → `["<id>"]` or nil.
    func match(_ method: String, _ pattern: [String], in segments: [String]? = nil) -> [String]? {
        guard self.method == method else { return nil }
        return Self.match(segments ?? self.segments, pattern)
    }

    static func match(_ segments: [String], _ pattern: [String]) -> [String]? {
        guard segments.count == pattern.count else { return nil }
        var captures: [String] = []
        for (segment, expected) in zip(segments, pattern) {
            if expected == "*" { captures.append(segment) } else if segment != expected { return nil }
        }
        return captures
    }
}
