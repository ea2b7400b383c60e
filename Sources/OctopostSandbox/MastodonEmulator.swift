import Foundation
import OctopostKit

/// Mastodon (docs `methods/statuses.md`, `methods/accounts.md`, `api/rate-limits.md`).
///
/// - `POST /api/v1/statuses` (JSON or form): `status`, `in_reply_to_id`, `spoiler_text`, `visibility`,
///   `language`; `Authorization: Bearer …`; `Idempotency-Key` (same key within an hour → the same
///   status again, nothing new posted). Over `max_characters` (CW + text, counted like Mastodon) →
///   422 `{"error":"Validation failed: Text character limit of 500 exceeded"}`; unknown
///   `in_reply_to_id` → 404 `{"error":"Record not found"}`; `media_ids` → 422 (no media emulation).
/// - `GET /api/v1/statuses/:id`, `GET /api/v1/accounts/verify_credentials`,
///   `GET /api/v1/accounts/:id/statuses?limit=` (newest first, ≤ 40), `GET /api/v2/instance`.
/// - Auth: missing → 401 `{"error":"This method requires an authenticated user"}`; wrong →
///   401 `{"error":"The access token is invalid"}`.
/// - Every answer: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset` (ISO 8601 with
///   microseconds); 429 `{"error":"Too many requests"}` without `Retry-After`. Default 300 per 5 min.
actor MastodonEmulator: PlatformBehavior {
    nonisolated let platform: Platform = .mastodon
    nonisolated let defaultRateLimit = RateLimitPolicy(limit: 300, window: 300)
    static let accountID = "109000000000000001"
    static let idempotencyWindow: TimeInterval = 3600

    struct Status {
        var id: String
        var text: String
        var spoiler: String
        var visibility: String
        var language: String?
        var inReplyTo: String?
        var createdAt: Date
    }

    private let configuration: EmulatorConfiguration
    var store = EmulatorStore<Status>()
    private var idempotency: [String: (statusID: String, at: Date)] = [:]

    init(configuration: EmulatorConfiguration) {
        self.configuration = configuration
    }

    func reset() {
        store.reset()
        idempotency = [:]
    }

    func handle(_ request: SandboxRequest, now: Date) -> SandboxResponse {
        let s = request.segments
        let host = "http://" + (request.header("host") ?? "127.0.0.1")
        if request.match("POST", ["api", "v1", "statuses"]) != nil {
            if let denied = authenticate(request) { return denied }
            return createStatus(request, now: now, host: host)
        }
        if let c = request.match("GET", ["api", "v1", "statuses", "*"]) {
            guard let status = store[c[0]] else { return notFound() }
            return .json(200, json(status, host: host))
        }
        if request.match("GET", ["api", "v1", "accounts", "verify_credentials"]) != nil {
            if let denied = authenticate(request) { return denied }
            var account = accountJSON(host: host)
            if case .object(var o) = account {
                o["source"] = ["privacy": "public", "sensitive": false, "note": ""]
                account = .object(o)
            }
            return .json(200, account)
        }
        if let c = request.match("GET", ["api", "v1", "accounts", "*", "statuses"]) {
            guard c[0] == Self.accountID else { return notFound() }
            let limit = min(max(Int(request.query["limit"] ?? "") ?? 20, 1), 40)
            let excludeReplies = request.query["exclude_replies"] == "true"
            let list = store.records.reversed().filter { !excludeReplies || $0.inReplyTo == nil }.prefix(limit)
            return .json(200, .array(list.map { json($0, host: host) }))
        }
        if request.match("GET", ["api", "v2", "instance"]) != nil {
            return .json(200, [
                "domain": "127.0.0.1", "title": "octopost sandbox", "version": "4.5.0",
                "configuration": [
                    "statuses": ["max_characters": .int(configuration.maxCharacters), "max_media_attachments": 4,
                                 "characters_reserved_per_url": 23],
                ],
            ])
        }
        _ = s
        return .json(404, ["error": "Not Found"])
    }

    private func authenticate(_ request: SandboxRequest) -> SandboxResponse? {
        guard let token = request.authorization(scheme: "Bearer") else {
            return .json(401, ["error": "This method requires an authenticated user"])
        }
        if let expected = configuration.token, token != expected {
            return .json(401, ["error": "The access token is invalid"])
        }
        return nil
    }

    private func createStatus(_ request: SandboxRequest, now: Date, host: String) -> SandboxResponse {
        let token = request.authorization(scheme: "Bearer") ?? ""
        let key = request.header("idempotency-key").flatMap { $0.isEmpty ? nil : $0 }
        idempotency = idempotency.filter { now.timeIntervalSince($0.value.at) < Self.idempotencyWindow }
        if let key, let seen = idempotency[token + "\u{0}" + key], let status = store[seen.statusID] {
            return .json(200, json(status, host: host))
        }
        let params = request.bodyObject ?? [:]
        let text = params["status"]?.string ?? ""
        let spoiler = params["spoiler_text"]?.string ?? ""
        let visibility = params["visibility"]?.string ?? "public"
        if let media = params["media_ids"]?.array, !media.isEmpty {
            return validation("Media attachments are not emulated by the sandbox")
        }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return validation("Text can't be blank")
        }
        guard ["public", "unlisted", "private", "direct"].contains(visibility) else {
            return validation("Visibility is not included in the list")
        }
        let count = Counters.count(text, on: .mastodon,
                                   context: CountContext(contentWarning: spoiler.isEmpty ? nil : spoiler,
                                                         mastodonLimit: configuration.maxCharacters))
        guard count.length <= configuration.maxCharacters else {
            return validation("Text character limit of \(configuration.maxCharacters) exceeded")
        }
        let replyTo = params["in_reply_to_id"]?.idString.flatMap { $0.isEmpty ? nil : $0 }
        if let replyTo, !store.contains(replyTo) { return notFound() }
        let sequence = store.nextSequence()
        let ms = Int64(now.timeIntervalSince1970 * 1000)
        let id = String((ms << 16) | Int64(sequence & 0xFFFF))
        let status = Status(id: id, text: text, spoiler: spoiler, visibility: visibility,
                            language: params["language"]?.string, inReplyTo: replyTo, createdAt: now)
        store.add(status, id: id, post: SandboxPost(platform: platform.rawValue, id: id, text: text, replyTo: replyTo,
                                                    idempotencyKey: key, createdAt: SandboxTime.rfc3339(now)))
        if let key { idempotency[token + "\u{0}" + key] = (id, now) }
        return .json(200, json(status, host: host))
    }

    private func validation(_ message: String) -> SandboxResponse {
        .json(422, ["error": .string("Validation failed: \(message)")])
    }

    private func notFound() -> SandboxResponse { .json(404, ["error": "Record not found"]) }

    private func accountJSON(host: String) -> JSON {
        [
            "id": .string(Self.accountID), "username": "sandbox", "acct": "sandbox", "display_name": "Sandbox",
            "url": .string("\(host)/@sandbox"), "locked": false, "bot": false,
            "created_at": "2026-01-01T00:00:00.000Z", "note": "", "followers_count": 0, "following_count": 0,
            "statuses_count": .int(store.records.count),
        ]
    }

    private func json(_ status: Status, host: String) -> JSON {
        let escaped = status.text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\n", with: "<br>")
        return [
            "id": .string(status.id),
            "created_at": .string(SandboxTime.rfc3339(status.createdAt)),
            "in_reply_to_id": .optional(status.inReplyTo),
            "in_reply_to_account_id": status.inReplyTo == nil ? .null : .string(Self.accountID),
            "sensitive": .bool(!status.spoiler.isEmpty),
            "spoiler_text": .string(status.spoiler),
            "visibility": .string(status.visibility),
            "language": .optional(status.language),
            "uri": .string("\(host)/users/sandbox/statuses/\(status.id)"),
            "url": .string("\(host)/@sandbox/\(status.id)"),
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
            "content": .string("<p>\(escaped)</p>"),
            "reblog": nil, "poll": nil, "card": nil,
            "application": ["name": "octopost", "website": nil],
            "account": accountJSON(host: host),
            "media_attachments": [], "mentions": [], "tags": [], "emojis": [],
        ]
    }

    nonisolated func errorResponse(status: Int, message: String) -> SandboxResponse {
        .json(status, ["error": .string(message)])
    }

    nonisolated func rateLimitHeaders(_ state: RateLimitState, now: Date) -> [(String, String)] {
        [("X-RateLimit-Limit", String(state.limit)), ("X-RateLimit-Remaining", String(state.remaining)),
         ("X-RateLimit-Reset", SandboxTime.rfc3339(state.reset, fractionDigits: 6))]
    }

    nonisolated func rateLimited(retryAfter: Double, state: RateLimitState, now: Date) -> SandboxResponse {
        var spent = state
        spent.remaining = 0
        spent.reset = now.addingTimeInterval(retryAfter)
        return .json(429, ["error": "Too many requests"], headers: rateLimitHeaders(spent, now: now))
    }
}
