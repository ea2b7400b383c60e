import Foundation
import OctopostKit

/// Discord (API v10: `resources/webhook`, `resources/message`, `topics/rate-limits`).
///
/// - Webhook: `POST /api/webhooks/{id}/{token}[?wait=true][&thread_id=]` (also under `/api/v10/`),
///   no auth header → with `wait=true` 200 and the message, otherwise 204 and no body;
///   `GET …/{id}/{token}/messages/{message_id}` → the message. A configured webhook id that does not
///   match → 404 `Unknown Webhook` (10015); a configured token that does not match → 401
///   `Invalid Webhook Token` (50027). Webhooks cannot reply: `message_reference` is ignored there.
/// - Bot: `POST /api/v10/channels/{id}/messages` with `Authorization: Bot <token>`;
///   `message_reference: {message_id}` must name a message of that channel (else 400 50035
///   `REPLIES_UNKNOWN_MESSAGE`); `GET /api/v10/channels/{id}/messages?limit=` (newest first, ≤ 100).
///   Missing or wrong token → 401 `{"message":"401: Unauthorized","code":0}`; another channel than a
///   configured one → 404 `Unknown Channel` (10003).
/// - Content over 2000 characters → 400 `Invalid Form Body` (50035, `BASE_TYPE_MAX_LENGTH`); empty →
///   400 `Cannot send an empty message` (50006).
/// - Every answer: `X-RateLimit-Limit/-Remaining/-Reset` (epoch s, decimals)/`-Reset-After`/`-Bucket`;
///   429 adds `Retry-After`, `X-RateLimit-Scope: user` and `{message, retry_after, global}`. Default 5 per 2 s.
actor DiscordEmulator: PlatformBehavior {
    nonisolated let platform: Platform = .discord
    nonisolated let defaultRateLimit = RateLimitPolicy(limit: 5, window: 2)
    static let discordEpochMs: Int64 = 1_420_070_400_000
    static let webhookChannel = "100000000000000001"

    struct Message {
        var id: String
        var channel: String
        var content: String
        var embeds: JSON
        var replyTo: String?
        var webhookID: String?
        var timestamp: Date
    }

    private let configuration: EmulatorConfiguration
    var store = EmulatorStore<Message>()

    init(configuration: EmulatorConfiguration) {
        self.configuration = configuration
    }

    func handle(_ request: SandboxRequest, now: Date) -> SandboxResponse {
        var s = request.segments
        guard s.first == "api" else { return fail(404, "404: Not Found", code: 0) }
        s.removeFirst()
        if let v = s.first, v.hasPrefix("v"), Int(v.dropFirst()) != nil { s.removeFirst() }
        if let c = request.match("POST", ["webhooks", "*", "*"], in: s) {
            let (id, token) = (c[0], c[1])
            if let denied = checkWebhook(id: id, token: token) { return denied }
            let wait = request.query["wait"]?.lowercased() == "true"
            let thread = request.query["thread_id"]
            switch create(request, channel: thread ?? Self.webhookChannel, webhookID: id, allowReply: false, now: now) {
            case .success(let message): return wait ? .json(200, json(message)) : SandboxResponse(status: 204)
            case .failure(let response): return response
            }
        }
        if let c = request.match("GET", ["webhooks", "*", "*", "messages", "*"], in: s) {
            if let denied = checkWebhook(id: c[0], token: c[1]) { return denied }
            guard let message = store[c[2]], message.webhookID == c[0] else { return fail(404, "Unknown Message", code: 10008) }
            return .json(200, json(message))
        }
        if let c = request.match("POST", ["channels", "*", "messages"], in: s) {
            if let denied = checkBot(request, channel: c[0]) { return denied }
            switch create(request, channel: c[0], webhookID: nil, allowReply: true, now: now) {
            case .success(let message): return .json(200, json(message))
            case .failure(let response): return response
            }
        }
        if let c = request.match("GET", ["channels", "*", "messages"], in: s) {
            if let denied = checkBot(request, channel: c[0]) { return denied }
            let limit = min(max(Int(request.query["limit"] ?? "") ?? 50, 1), 100)
            let list = store.records.reversed().filter { $0.channel == c[0] }.prefix(limit)
            return .json(200, .array(list.map(json)))
        }
        if let c = request.match("GET", ["channels", "*", "messages", "*"], in: s) {
            if let denied = checkBot(request, channel: c[0]) { return denied }
            guard let message = store[c[1]], message.channel == c[0] else { return fail(404, "Unknown Message", code: 10008) }
            return .json(200, json(message))
        }
        return fail(404, "404: Not Found", code: 0)
    }

    private func checkWebhook(id: String, token: String) -> SandboxResponse? {
        if let expected = configuration.account, id != expected { return fail(404, "Unknown Webhook", code: 10015) }
        if token.isEmpty { return fail(401, "Invalid Webhook Token", code: 50027) }
        if let expected = configuration.token, token != expected { return fail(401, "Invalid Webhook Token", code: 50027) }
        return nil
    }

    private func checkBot(_ request: SandboxRequest, channel: String) -> SandboxResponse? {
        guard let token = request.authorization(scheme: "Bot") else { return fail(401, "401: Unauthorized", code: 0) }
        if let expected = configuration.token, token != expected { return fail(401, "401: Unauthorized", code: 0) }
        if let expected = configuration.account, channel != expected { return fail(404, "Unknown Channel", code: 10003) }
        return nil
    }

    private enum Created {
        case success(Message)
        case failure(SandboxResponse)
    }

    private func create(_ request: SandboxRequest, channel: String, webhookID: String?, allowReply: Bool, now: Date) -> Created {
        var body = request.bodyObject
        if let payload = body?["payload_json"]?.string { body = JSON.parse(Data(payload.utf8)) }
        guard let body, body.object != nil else { return .failure(fail(400, "Cannot send an empty message", code: 50006)) }
        let content = body["content"]?.string ?? ""
        let embeds = body["embeds"]?.array ?? []
        if content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, embeds.isEmpty {
            return .failure(fail(400, "Cannot send an empty message", code: 50006))
        }
        if Counters.count(content, on: .discord).length > 2000 {
            return .failure(formError(field: "content", code: "BASE_TYPE_MAX_LENGTH", message: "Must be 2000 or fewer in length."))
        }
        if embeds.count > 10 {
            return .failure(formError(field: "embeds", code: "BASE_TYPE_MAX_LENGTH", message: "Must be 10 or fewer in length."))
        }
        var replyTo: String?
        if allowReply, let ref = body["message_reference"], let target = ref["message_id"]?.idString {
            guard let message = store[target], message.channel == channel else {
                if ref["fail_if_not_exists"]?.bool == false {
                    replyTo = nil
                    return .success(store(content: content, embeds: .array(embeds), channel: channel, replyTo: nil,
                                          webhookID: webhookID, now: now))
                }
                return .failure(formError(field: "message_reference", code: "REPLIES_UNKNOWN_MESSAGE", message: "Unknown message"))
            }
            replyTo = target
        }
        return .success(store(content: content, embeds: .array(embeds), channel: channel, replyTo: replyTo,
                              webhookID: webhookID, now: now))
    }

    private func store(content: String, embeds: JSON, channel: String, replyTo: String?, webhookID: String?, now: Date) -> Message {
        let id = SandboxIDs.snowflake(now: now, epochMs: Self.discordEpochMs, sequence: store.nextSequence())
        let message = Message(id: id, channel: channel, content: content, embeds: embeds, replyTo: replyTo,
                              webhookID: webhookID, timestamp: now)
        store.add(message, id: id, post: SandboxPost(platform: platform.rawValue, id: id, text: content, replyTo: replyTo,
                                                      createdAt: SandboxTime.rfc3339(now),
                                                      channel: webhookID.map { "webhook:\($0)" } ?? channel))
        return message
    }

    private func json(_ m: Message) -> JSON {
        var o: [String: JSON] = [
            "id": .string(m.id), "type": .int(m.replyTo == nil ? 0 : 19), "content": .string(m.content),
            "channel_id": .string(m.channel),
            "author": m.webhookID.map { ["id": .string($0), "username": "Sandbox Webhook", "bot": true, "discriminator": "0000"] }
                ?? ["id": "200000000000000001", "username": "sandbox-bot", "bot": true, "discriminator": "0"],
            "timestamp": .string(SandboxTime.rfc3339(m.timestamp, fractionDigits: 6).replacingOccurrences(of: "Z", with: "+00:00")),
            "edited_timestamp": nil, "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": m.embeds, "pinned": false, "flags": 0, "components": [],
        ]
        if let w = m.webhookID { o["webhook_id"] = .string(w) }
        if let r = m.replyTo {
            o["message_reference"] = ["type": 0, "channel_id": .string(m.channel), "message_id": .string(r)]
            if var parent = store[r] {
                parent.replyTo = nil
                o["referenced_message"] = json(parent)
            }
        }
        return .object(o)
    }

    private func formError(field: String, code: String, message: String) -> SandboxResponse {
        .json(400, ["message": "Invalid Form Body", "code": 50035,
                    "errors": [field: ["_errors": [["code": .string(code), "message": .string(message)]]]]])
    }

    private func fail(_ status: Int, _ message: String, code: Int) -> SandboxResponse {
        .json(status, ["message": .string(message), "code": .int(code)])
    }

    nonisolated func errorResponse(status: Int, message: String) -> SandboxResponse {
        .json(status, ["message": .string("\(status): \(message)"), "code": 0])
    }

    nonisolated func rateLimitHeaders(_ state: RateLimitState, now: Date) -> [(String, String)] {
        let resetAfter = max(0, state.reset.timeIntervalSince(now))
        return [("X-RateLimit-Limit", String(state.limit)), ("X-RateLimit-Remaining", String(state.remaining)),
                ("X-RateLimit-Reset", String(format: "%.3f", state.reset.timeIntervalSince1970)),
                ("X-RateLimit-Reset-After", String(format: "%.3f", resetAfter)),
                ("X-RateLimit-Bucket", "5a4bd8ff2b7d6c1e0f3a9b8c7d6e5f40")]
    }

    nonisolated func rateLimited(retryAfter: Double, state: RateLimitState, now: Date) -> SandboxResponse {
        var spent = state
        spent.remaining = 0
        spent.reset = now.addingTimeInterval(retryAfter)
        let seconds = (retryAfter * 1000).rounded(.up) / 1000
        return .json(429, ["message": "You are being rate limited.", "retry_after": .double(seconds), "global": false],
                     headers: rateLimitHeaders(spent, now: now)
                        + [("Retry-After", String(Int(retryAfter.rounded(.up)))), ("X-RateLimit-Scope", "user")])
    }
}
