import Foundation

/// One injected fault, taken by the next platform request that matches it (the `/__sandbox/*`
/// control routes never take faults).
///
/// Wire form (in `POST /__sandbox/faults` `next`): exactly one of
/// `{"status":503}`, `{"status":429,"retry_after":2}`, `{"hang":true}`, `{"garbage":true}`,
/// `{"html":true}`, `{"drop":true}`, `{"drop_after_commit":true}`, `{"echo":true,"pad":446}`,
/// `{"redirect":"http://127.0.0.1:9"}` (with `"after_commit":true`: after acting on the request),
/// `{"answer":"{\"id\":\"1{{authorization}}\"}"}`; optionally `"path"` (the fault applies only to
/// requests whose path contains it) and `"method"`; `garbage`, `html`, `echo`, `redirect` and `answer`
/// take an optional `"status"` (defaults 200, 502, 400, 307 and 200).
public struct SandboxFault: Sendable, Equatable, Codable {
    public enum Kind: Sendable, Equatable {
        /// Answer with this status in the platform's own error shape (429 in its rate-limit shape,
        /// with `retryAfter` seconds, default 1).
        case status(Int, retryAfter: Double?)
        /// Never answer; the connection stays open until the client gives up, `maxHang` passes or
        /// the emulator stops.
        case hang
        /// Answer with a body that is not JSON although it says it is.
        case garbage(status: Int)
        /// Answer with an HTML page (a proxy's or load balancer's error page).
        case html(status: Int)
        /// Close the connection without answering and without acting on the request.
        case drop
        /// Act on the request (the post is created and recorded) and then close the connection
        /// without answering: the crash window between "sent" and "answered".
        case dropAfterCommit
        /// A hostile or careless server: an error in the platform's shape whose message echoes the
        /// request's `Authorization` header and path (where Telegram keeps its token), after `pad`
        /// filler characters.
        case echo(status: Int, pad: Int)
        /// A redirect to `location` + the request's path and query, without acting on the request.
        case redirect(location: String, status: Int)
        /// Act on the request (the post is created and recorded), then answer with a redirect as
        /// `redirect` does: a `303 See Other` after a POST that was processed.
        case redirectAfterCommit(location: String, status: Int)
        /// A hostile server: answer with this body (JSON) and status, without acting on the request.
        /// `{{authorization}}` in it becomes the credential of the request's `Authorization` header
        /// (after its scheme) and `{{path}}` the request's path (where Telegram keeps its token).
        case answer(status: Int, body: String)
    }

    public var kind: Kind
    /// Only requests whose path contains this string take the fault.
    public var path: String?
    /// Only requests with this method (upper case) take the fault.
    public var method: String?

    public init(_ kind: Kind, path: String? = nil, method: String? = nil) {
        self.kind = kind
        self.path = path
        self.method = method?.uppercased()
    }

    func matches(method: String, path: String) -> Bool {
        if let m = self.method, m != method.uppercased() { return false }
        if let p = self.path, !path.contains(p) { return false }
        return true
    }

    enum CodingKeys: String, CodingKey {
        case status, retryAfter = "retry_after", hang, garbage, html, drop
        case dropAfterCommit = "drop_after_commit", path, method, echo, pad, redirect
        case afterCommit = "after_commit", answer
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let status = try c.decodeIfPresent(Int.self, forKey: .status)
        let flags: [(CodingKeys, Kind)] = [
            (.hang, .hang), (.garbage, .garbage(status: status ?? 200)), (.html, .html(status: status ?? 502)),
            (.drop, .drop), (.dropAfterCommit, .dropAfterCommit),
            (.echo, .echo(status: status ?? 400, pad: min(max(try c.decodeIfPresent(Int.self, forKey: .pad) ?? 0, 0), 100_000))),
        ]
        var chosen: [Kind] = []
        for (key, kind) in flags where try c.decodeIfPresent(Bool.self, forKey: key) == true {
            chosen.append(kind)
        }
        if let location = try c.decodeIfPresent(String.self, forKey: .redirect) {
            chosen.append(try c.decodeIfPresent(Bool.self, forKey: .afterCommit) == true
                ? .redirectAfterCommit(location: location, status: status ?? 303)
                : .redirect(location: location, status: status ?? 307))
        }
        if let body = try c.decodeIfPresent(String.self, forKey: .answer) {
            chosen.append(.answer(status: status ?? 200, body: body))
        }
        if chosen.count > 1 {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                debugDescription: "a fault has one kind: hang, garbage, html, drop, drop_after_commit, echo, redirect, answer or status"))
        }
        if let kind = chosen.first {
            self.kind = kind
        } else if let status {
            guard (100...599).contains(status) else {
                throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "status must be 100–599")
            }
            self.kind = .status(status, retryAfter: try c.decodeIfPresent(Double.self, forKey: .retryAfter))
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath,
                debugDescription: "a fault needs status, hang, garbage, html, drop or drop_after_commit"))
        }
        self.path = try c.decodeIfPresent(String.self, forKey: .path)
        self.method = try c.decodeIfPresent(String.self, forKey: .method)?.uppercased()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch kind {
        case .status(let s, let retryAfter):
            try c.encode(s, forKey: .status)
            try c.encodeIfPresent(retryAfter, forKey: .retryAfter)
        case .hang: try c.encode(true, forKey: .hang)
        case .garbage(let s): try c.encode(true, forKey: .garbage); try c.encode(s, forKey: .status)
        case .html(let s): try c.encode(true, forKey: .html); try c.encode(s, forKey: .status)
        case .drop: try c.encode(true, forKey: .drop)
        case .dropAfterCommit: try c.encode(true, forKey: .dropAfterCommit)
        case .echo(let s, let pad): try c.encode(true, forKey: .echo); try c.encode(s, forKey: .status); try c.encode(pad, forKey: .pad)
        case .redirect(let location, let s): try c.encode(location, forKey: .redirect); try c.encode(s, forKey: .status)
        case .redirectAfterCommit(let location, let s):
            try c.encode(location, forKey: .redirect); try c.encode(s, forKey: .status); try c.encode(true, forKey: .afterCommit)
        case .answer(let s, let body): try c.encode(body, forKey: .answer); try c.encode(s, forKey: .status)
        }
        try c.encodeIfPresent(path, forKey: .path)
        try c.encodeIfPresent(method, forKey: .method)
    }
}

/// A per-window request budget. When it is spent the emulator answers 429 in the platform's shape
/// until the window ends.
public struct RateLimitPolicy: Sendable, Equatable, Codable {
    public var limit: Int
    /// Window length in seconds.
    public var window: Double

    public init(limit: Int, window: Double) {
        self.limit = max(0, limit)
        self.window = max(0.001, window)
    }

    enum CodingKeys: String, CodingKey { case limit, window = "window_s" }
}

/// The body of `POST /__sandbox/faults`. Every field is optional; `next` replaces the queue
/// (`append: true` adds to it instead).
public struct SandboxFaultPlan: Sendable, Equatable, Codable {
    public var latencyMs: Int?
    public var next: [SandboxFault]?
    public var append: Bool?
    public var rateLimit: RateLimitPolicy?
    /// Seconds a `hang` lasts at most (it also ends when the emulator stops).
    public var maxHangS: Double?

    public init(latencyMs: Int? = nil, next: [SandboxFault]? = nil, append: Bool? = nil,
                rateLimit: RateLimitPolicy? = nil, maxHangS: Double? = nil) {
        self.latencyMs = latencyMs
        self.next = next
        self.append = append
        self.rateLimit = rateLimit
        self.maxHangS = maxHangS
    }

    enum CodingKeys: String, CodingKey {
        case latencyMs = "latency_ms", next, append, rateLimit = "rate_limit", maxHangS = "max_hang_s"
    }
}

/// One post an emulator created, as listed by `GET /__sandbox/posts`.
public struct SandboxPost: Sendable, Equatable, Codable {
    public var platform: String
    /// The platform's id (Bluesky: the `at://` URI).
    public var id: String
    public var text: String
    /// The id of the post this one replies to (Bluesky: the parent's `at://` URI).
    public var replyTo: String?
    /// Mastodon's `Idempotency-Key`, when one was sent.
    public var idempotencyKey: String?
    /// Bluesky's record key.
    public var rkey: String?
    /// RFC 3339, from the emulator's clock.
    public var createdAt: String
    /// Where it went: Telegram chat id, Discord channel or webhook id.
    public var channel: String?

    public init(platform: String, id: String, text: String, replyTo: String? = nil, idempotencyKey: String? = nil,
                rkey: String? = nil, createdAt: String, channel: String? = nil) {
        self.platform = platform
        self.id = id
        self.text = text
        self.replyTo = replyTo
        self.idempotencyKey = idempotencyKey
        self.rkey = rkey
        self.createdAt = createdAt
        self.channel = channel
    }

    enum CodingKeys: String, CodingKey {
        case platform, id, text, replyTo = "reply_to", idempotencyKey = "idempotency_key", rkey
        case createdAt = "created_at", channel
    }
}

/// Durations written `50ms`, `2s`, `1.5s`, `1m` or a bare number of milliseconds (for `--latency`).
public enum SandboxDuration {
    public static func parseSeconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let n = Double(t.dropLast(suffix.count)), n >= 0, n.isFinite else { return nil }
            return n * scale
        }
        guard let n = Double(t), n >= 0, n.isFinite else { return nil }
        return n / 1000
    }
}
