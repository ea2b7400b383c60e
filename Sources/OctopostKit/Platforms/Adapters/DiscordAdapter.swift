import Foundation

/// Discord (PLATFORMS §10): an incoming webhook (`WEBHOOK_URL`, itself a secret) or a bot
/// (`BOT_TOKEN` + `CHANNEL_ID`). Webhooks cannot reply: the parts of a thread follow one another, inside
/// the forum thread the first part created when `thread_name` is set.
public actor DiscordAdapter: PlatformAdapter {
    enum Mode: Sendable {
        /// Path and query of the webhook URL (`/api/webhooks/{id}/{token}`), with the host to send to.
        case webhook(base: String, path: String, query: [URLQueryItem])
        case bot(base: String, token: String, channelID: String)
    }

    public nonisolated let target: PlatformTarget
    public nonisolated var recoveryModes: [RecoveryMode] {
        if case .bot = mode { return [.lookup] }
        return []
    }

    private nonisolated let mode: Mode
    private let transport: AdapterTransport
    private let clock: AdapterClock
    private var latest: RateLimitState?
    private var botUserID: String?

    public init(_ context: AdapterContext, clock: AdapterClock) throws(PublishError) {
        target = context.target
        self.clock = clock
        if let webhook = context.credentials["WEBHOOK_URL"] {
            guard let c = URLComponents(string: webhook), let scheme = c.scheme, let host = c.host,
                  let url = c.url, CredentialTransport.isAllowedHTTP(url), c.path.contains("/webhooks/") else {
                throw PublishError(.permanent, "\(context.target.key): \(Credentials.variableName(context.target, field: "WEBHOOK_URL")) "
                    + "is not a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>)")
            }
            let origin = context.apiBase?.absoluteString ?? "\(scheme)://\(host)\(c.port.map { ":\($0)" } ?? "")"
            mode = .webhook(base: origin, path: c.path, query: c.queryItems ?? [])
            let pieces = c.path.split(separator: "/").map(String.init)
            transport = AdapterTransport(client: context.http, credentials: context.credentials,
                                         extraSecrets: [c.path] + pieces.suffix(1), platform: .discord)
        } else if let token = context.credentials["BOT_TOKEN"] {
            guard let channel = context.credentials["CHANNEL_ID"] ?? context.account?.settings["channel_id"] else {
                throw missingCredential(context.target, ["CHANNEL_ID"], hint: "the id of the channel the bot posts to")
            }
            mode = .bot(base: context.apiBase?.absoluteString ?? "https://discord.com", token: token, channelID: channel)
            transport = AdapterTransport(client: context.http, credentials: context.credentials, platform: .discord)
        } else {
            throw PublishError(.permanent, "\(context.target.key): missing \(Credentials.variableName(context.target, field: "WEBHOOK_URL")), "
                + "or \(Credentials.variableName(context.target, field: "BOT_TOKEN")) and "
                + "\(Credentials.variableName(context.target, field: "CHANNEL_ID"))")
        }
    }

    public func rateLimit() async -> RateLimitState? { latest }

    public func publish(_ part: OutgoingPart, of post: Post) async throws(PublishError) -> SegmentResult {
        var body: [String: JSONValue] = ["content": .string(part.text)]
        let request: HTTPRequest
        switch mode {
        case .webhook(let base, let path, let query):
            var items = query.filter { $0.name != "wait" }.map { ($0.name, $0.value ?? "") } + [("wait", "true")]
            if part.index == 0, let name = post.stringOption(.discord, "thread_name") { body["thread_name"] = .string(name) }
            if part.index > 0, let thread = (part.root ?? part.parent)?.cid, !items.contains(where: { $0.0 == "thread_id" }) {
                items.append(("thread_id", thread))
            }
            if let username = post.stringOption(.discord, "username") { body["username"] = .string(username) }
            guard let url = URLBuilder.url(base, path, query: items) else { throw invalidURL() }
            request = HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json"],
                                  body: JSONValue.object(body).data)
        case .bot(let base, let token, let channel):
            if let parent = part.parent {
                body["message_reference"] = ["message_id": .string(parent.postID), "fail_if_not_exists": false]
            }
            guard let url = URLBuilder.url(base, "/api/v10/channels/\(URLBuilder.percentEncode(channel))/messages") else {
                throw invalidURL()
            }
            request = HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json",
                                                                      "Authorization": "Bot \(token)"],
                                  body: JSONValue.object(body).data)
        }
        let json = try await send(request)
        guard let id = json["id"]?.idString else {
            throw PublishError(.transient, "unexpected answer from Discord: no message id in the reply; will retry")
        }
        return result(json, id: id, createdThread: part.index == 0 && body["thread_name"] != nil)
    }

    public func findExisting(_ part: OutgoingPart, of post: Post, since: Date) async throws(PublishError) -> SegmentResult? {
        guard case .bot(let base, let token, let channel) = mode else { return nil }
        if botUserID == nil {
            guard let url = URLBuilder.url(base, "/api/v10/users/@me") else { throw invalidURL() }
            botUserID = try await send(HTTPRequest(method: "GET", url: url, headers: ["Authorization": "Bot \(token)"]))["id"]?.idString
        }
        guard let url = URLBuilder.url(base, "/api/v10/channels/\(URLBuilder.percentEncode(channel))/messages",
                                       query: [("limit", "50")]) else { throw invalidURL() }
        let messages = try await send(HTTPRequest(method: "GET", url: url, headers: ["Authorization": "Bot \(token)"]))
        let earliest = since.addingTimeInterval(-120)
        for message in messages.array ?? [] {
            guard message["author"]?["id"]?.idString == botUserID, message["content"]?.string == part.text,
                  let id = message["id"]?.idString else { continue }
            if let ts = RateLimitHeaders.iso8601(message["timestamp"]?.string), ts < earliest { continue }
            if let parent = part.parent, message["message_reference"]?["message_id"]?.idString != parent.postID { continue }
            return result(message, id: id, createdThread: false)
        }
        return nil
    }

    private func result(_ message: JSONValue, id: String, createdThread: Bool) -> SegmentResult {
        let channel = message["channel_id"]?.idString
        var url: String?
        if let guild = message["guild_id"]?.idString, let channel { url = "https://discord.com/channels/\(guild)/\(channel)/\(id)" }
        // In a forum, a webhook's first message creates a thread whose id is the message's channel: the
        // following parts are sent into it (`thread_id`), so keep it with the part.
        return SegmentResult(postID: id, postURL: url, cid: createdThread ? channel : nil)
    }

    private func invalidURL() -> PublishError {
        PublishError(.permanent, "the Discord request URL is not valid; check the webhook URL and "
            + Credentials.variableName(target, field: "API_BASE"))
    }

    private func send(_ request: HTTPRequest) async throws(PublishError) -> JSONValue {
        let response = try await transport.send(request)
        let remaining = RateLimitHeaders.int(response.header("X-RateLimit-Remaining"))
        let reset = RateLimitHeaders.epoch(response.header("X-RateLimit-Reset"))
            ?? response.header("X-RateLimit-Reset-After").flatMap(Double.init).map { clock.now().addingTimeInterval($0) }
        if remaining != nil || reset != nil { latest = RateLimitState(remaining: remaining, reset: reset) }
        if HTTPStatusClass.isSuccess(response.status) { return try transport.json(response, what: "message") }
        throw classify(response)
    }

    /// PLATFORMS §10.E: `{message, code, retry_after?, global?}`.
    private func classify(_ response: HTTPResponse) -> PublishError {
        let json = JSONValue.parse(response.body)
        let status = response.status
        var message = transport.describe(response, reason: json?["message"]?.string)
        if status == 429 {
            let wait = RateLimitHeaders.delay(json?["retry_after"]?.double, now: clock.now())
                ?? RateLimitHeaders.retryAfter(response.header("Retry-After"), now: clock.now())
            return PublishError(.transient, message + "; rate limited, will retry", notBefore: wait, httpStatus: status)
        }
        if HTTPStatusClass.isTransient(status) { return PublishError(.transient, message + "; will retry", httpStatus: status) }
        switch (mode, status) {
        case (.webhook, 401), (.webhook, 404):
            message += "; the webhook was deleted or its URL is wrong: create a new webhook and update "
                + Credentials.variableName(target, field: "WEBHOOK_URL")
        case (.bot, 401):
            message += "; the bot token is invalid: check \(Credentials.variableName(target, field: "BOT_TOKEN"))"
        case (.bot, 403):
            message += "; the bot lacks permission in the channel (View Channel, Send Messages, Read Message History)"
        case (.bot, 404):
            message += "; unknown channel: check \(Credentials.variableName(target, field: "CHANNEL_ID"))"
        default: break
        }
        return PublishError(.permanent, message, httpStatus: status)
    }
}

extension DiscordAdapter: SecretHoldingAdapter {
    nonisolated var secrets: SecretRegistry { transport.secrets }
}
