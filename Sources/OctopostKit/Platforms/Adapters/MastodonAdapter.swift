import Foundation

/// Mastodon: `POST {instance}/api/v1/statuses` with a deterministic `Idempotency-Key` (PLATFORMS §3).
public actor MastodonAdapter: PlatformAdapter {
    public nonisolated let target: PlatformTarget
    public nonisolated var recoveryModes: [RecoveryMode] { [.idempotent(window: RecoveryMode.mastodonWindow), .lookup] }

    private let base: String
    private let token: String
    private let transport: AdapterTransport
    private let clock: AdapterClock
    private var latest: RateLimitState?
    private var accountID: String?

    public init(_ context: AdapterContext, clock: AdapterClock) throws(PublishError) {
        target = context.target
        guard let base = context.apiBase else {
            throw PublishError(.permanent, "\(context.target.key): no Mastodon instance; set accounts.\"\(context.target.key)\".instance "
                + "in octopost.yaml (e.g. https://mastodon.social) or \(Credentials.variableName(context.target, field: "API_BASE"))")
        }
        guard let token = context.credentials["TOKEN"] else {
            throw PublishError(.permanent, "\(context.target.key): missing \(Credentials.variableName(context.target, field: "TOKEN")) "
                + "(an access token with the write:statuses scope)")
        }
        self.base = base.absoluteString
        self.token = token
        self.clock = clock
        transport = AdapterTransport(client: context.http, credentials: context.credentials, platform: .mastodon)
    }

    public func rateLimit() async -> RateLimitState? { latest }

    public func publish(_ part: OutgoingPart, of post: Post) async throws(PublishError) -> SegmentResult {
        var body: [String: JSONValue] = ["status": .string(part.text)]
        if let parent = part.parent { body["in_reply_to_id"] = .string(parent.postID) }
        if let cw = post.contentWarning?.value, !cw.isEmpty { body["spoiler_text"] = .string(cw) }
        if let visibility = post.stringOption(.mastodon, "visibility") { body["visibility"] = .string(visibility) }
        if let language = post.stringOption(.mastodon, "language") { body["language"] = .string(language) }
        if let sensitive = post.boolOption(.mastodon, "sensitive") { body["sensitive"] = .bool(sensitive) }
        guard let url = URLBuilder.url(base, "/api/v1/statuses") else { throw invalidBase() }
        let request = HTTPRequest(method: "POST", url: url, headers: headers(json: true, idempotencyKey: part.idempotencyKey),
                                  body: JSONValue.object(body).data)
        let response = try await send(request)
        let json = try transport.json(response, what: "new status")
        guard let id = json["id"]?.idString else {
            throw PublishError(.transient, "unexpected answer from Mastodon: no status id in the reply; will retry",
                               httpStatus: response.status)
        }
        return SegmentResult(postID: id, postURL: json["url"]?.string ?? json["uri"]?.string)
    }

    public func findExisting(_ part: OutgoingPart, of post: Post, since: Date) async throws(PublishError) -> SegmentResult? {
        let me = try await ownAccountID()
        guard let url = URLBuilder.url(base, "/api/v1/accounts/\(URLBuilder.percentEncode(me))/statuses",
                                       query: [("limit", "40"), ("exclude_reblogs", "true")]) else { throw invalidBase() }
        let response = try await send(HTTPRequest(method: "GET", url: url, headers: headers(json: false)))
        guard let statuses = try transport.json(response, what: "recent statuses").array else {
            throw PublishError(.transient, "unexpected answer from Mastodon: the status list is not a list; will retry")
        }
        let wanted = TextMatch.normalize(part.text)
        let earliest = since.addingTimeInterval(-120)
        for status in statuses {
            if let created = RateLimitHeaders.iso8601(status["created_at"]?.string), created < earliest { continue }
            if let parent = part.parent, status["in_reply_to_id"]?.idString != parent.postID { continue }
            let shown = status["text"]?.string.map { TextMatch.normalize($0) }
                ?? TextMatch.normalize(status["content"]?.string ?? "", html: true)
            guard shown == wanted, let id = status["id"]?.idString else { continue }
            return SegmentResult(postID: id, postURL: status["url"]?.string ?? status["uri"]?.string)
        }
        return nil
    }

    private func ownAccountID() async throws(PublishError) -> String {
        if let accountID { return accountID }
        guard let url = URLBuilder.url(base, "/api/v1/accounts/verify_credentials") else { throw invalidBase() }
        let response = try await send(HTTPRequest(method: "GET", url: url, headers: headers(json: false)))
        guard let id = try transport.json(response, what: "account").idStringField("id") else {
            throw PublishError(.transient, "unexpected answer from Mastodon: verify_credentials has no account id; will retry")
        }
        accountID = id
        return id
    }

    private func headers(json: Bool, idempotencyKey: String? = nil) -> [String: String] {
        var h = ["Authorization": "Bearer \(token)", "Accept": "application/json"]
        if json { h["Content-Type"] = "application/json" }
        if let idempotencyKey { h["Idempotency-Key"] = idempotencyKey }
        return h
    }

    private func invalidBase() -> PublishError {
        PublishError(.permanent, "\(target.key): the Mastodon instance URL is not valid; check accounts.\"\(target.key)\".instance")
    }

    /// Sends, records the rate-limit headers, and classifies any non-2xx answer (PLATFORMS §3.E).
    private func send(_ request: HTTPRequest) async throws(PublishError) -> HTTPResponse {
        let response = try await transport.send(request)
        let remaining = RateLimitHeaders.int(response.header("X-RateLimit-Remaining"))
        let reset = RateLimitHeaders.iso8601(response.header("X-RateLimit-Reset"))
        if remaining != nil || reset != nil { latest = RateLimitState(remaining: remaining, reset: reset) }
        guard !HTTPStatusClass.isSuccess(response.status) else { return response }
        let body = JSONValue.parse(response.body)
        let reason = [body?["error"]?.string, body?["error_description"]?.string].compactMap { $0 }.joined(separator: ": ")
        var message = transport.describe(response, reason: reason)
        switch response.status {
        case 401: message += "; the access token is invalid or revoked: create a new one and update "
            + Credentials.variableName(target, field: "TOKEN")
        case 403: message += "; the account cannot post (disabled, unconfirmed or missing write:statuses scope)"
        case 404: message += "; check the instance URL and that the reply target still exists"
        case 422: message += "; the instance rejected the status"
        case 429: message += "; rate limited, will retry after the window resets"
        default: if HTTPStatusClass.isTransient(response.status) { message += "; will retry" }
        }
        throw PublishError(HTTPStatusClass.kind(response.status), message,
                           notBefore: response.status == 429 ? reset : nil, httpStatus: response.status)
    }
}

extension JSONValue {
    func idStringField(_ key: String) -> String? { self[key]?.idString }
}

extension MastodonAdapter: SecretHoldingAdapter {
    nonisolated var secrets: SecretRegistry { transport.secrets }
}
