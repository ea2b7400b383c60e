import Foundation
import OctopostKit

/// Telegram Bot API 10.1.
///
/// - `POST /bot<token>/sendMessage` (JSON or form): `chat_id`, `text`, `parse_mode`,
///   `reply_parameters {message_id, allow_sending_without_reply}` (the legacy `reply_to_message_id`
///   is honoured too) → `{"ok":true,"result":{message_id, from, chat, date, text, reply_to_message?}}`.
///   Text over 4096 Unicode scalars after markup removal → 400 "Bad Request: message is too long";
///   empty → 400 "Bad Request: message text is empty"; replying to an unknown message of that chat →
///   400 "Bad Request: message to be replied not found"; another chat than a configured one →
///   400 "Bad Request: chat not found".
/// - `GET|POST /bot<token>/getMe`.
/// - A token other than a configured one → 401 `{"ok":false,"error_code":401,"description":"Unauthorized"}`;
///   no token (`/bot/sendMessage`) → 404 "Not Found", as Telegram answers.
/// - Telegram sends no rate-limit headers; 429 is `{"ok":false,"error_code":429,"description":
///   "Too Many Requests: retry after N","parameters":{"retry_after":N}}`. Default 30 per second.
/// - The Bot API cannot read a chat's history, so there is no listing route (use `/__sandbox/posts`).
actor TelegramEmulator: PlatformBehavior {
    nonisolated let platform: Platform = .telegram
    nonisolated let defaultRateLimit = RateLimitPolicy(limit: 30, window: 1)

    struct Message {
        var id: Int
        var chat: String
        var text: String
        var date: Int
        var replyTo: Int?
    }

    private let configuration: EmulatorConfiguration
    /// Message ids count from 1 in each chat, so the store's key is the chat and the id.
    var store = EmulatorStore<Message>()
    private var nextID: [String: Int] = [:]

    init(configuration: EmulatorConfiguration) {
        self.configuration = configuration
    }

    func reset() {
        store.reset()
        nextID = [:]
    }

    /// Message ids are integers, so the last `/` separates them from any chat id.
    private static func key(chat: String, id: Int) -> String { chat + "/" + String(id) }

    func handle(_ request: SandboxRequest, now: Date) -> SandboxResponse {
        let s = request.segments
        guard s.count == 2, s[0].hasPrefix("bot") else { return fail(404, "Not Found") }
        let token = String(s[0].dropFirst(3))
        guard !token.isEmpty else { return fail(404, "Not Found") }
        if let expected = configuration.token, token != expected { return fail(401, "Unauthorized") }
        switch s[1].lowercased() {
        case "sendmessage":
            guard request.method == "POST" || request.method == "GET" else { return fail(404, "Not Found") }
            var params = request.bodyObject ?? [:]
            if case .object(var o) = params {
                for (k, v) in request.query where o[k] == nil { o[k] = .string(v) }
                params = .object(o)
            }
            return sendMessage(params, now: now)
        case "getme":
            return .json(200, ["ok": true, "result": Self.bot])
        default:
            return fail(404, "Not Found: method not found")
        }
    }

    static let bot: JSON = ["id": 7_000_000_001, "is_bot": true, "first_name": "Sandbox Bot", "username": "sandbox_bot"]

    private func sendMessage(_ params: JSON, now: Date) -> SandboxResponse {
        guard let chat = params["chat_id"]?.idString, !chat.isEmpty else { return fail(400, "Bad Request: chat_id is empty") }
        if let expected = configuration.account, chat != expected { return fail(400, "Bad Request: chat not found") }
        let text = params["text"]?.string ?? ""
        let parseMode = params["parse_mode"]?.string
        let visible = Self.visibleText(text, parseMode: parseMode)
        if visible.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return fail(400, "Bad Request: message text is empty")
        }
        if Counters.count(visible, on: .telegram).length > 4096 || visible.unicodeScalars.count > 4096 {
            return fail(400, "Bad Request: message is too long")
        }
        var replyParameters = params["reply_parameters"]
        if let raw = replyParameters?.string { replyParameters = JSON.parse(Data(raw.utf8)) }
        var replyTo = replyParameters?["message_id"]?.int ?? params["reply_to_message_id"]?.int
        let allowWithout = replyParameters?["allow_sending_without_reply"]?.bool ?? params["allow_sending_without_reply"]?.bool ?? false
        if let r = replyTo, !store.contains(Self.key(chat: chat, id: r)) {
            if allowWithout { replyTo = nil } else { return fail(400, "Bad Request: message to be replied not found") }
        }
        let id = (nextID[chat] ?? 0) + 1
        nextID[chat] = id
        let message = Message(id: id, chat: chat, text: visible, date: Int(now.timeIntervalSince1970), replyTo: replyTo)
        store.add(message, id: Self.key(chat: chat, id: id),
                  post: SandboxPost(platform: platform.rawValue, id: String(id), text: text, replyTo: replyTo.map(String.init),
                                    createdAt: SandboxTime.rfc3339(now), channel: chat))
        return .json(200, ["ok": true, "result": json(message, nested: true)])
    }

    private func json(_ m: Message, nested: Bool) -> JSON {
        var o: [String: JSON] = ["message_id": .int(m.id), "from": Self.bot, "chat": Self.chat(m.chat), "date": .int(m.date),
                                 "text": .string(m.text)]
        if nested, let r = m.replyTo, let parent = store[Self.key(chat: m.chat, id: r)] {
            o["reply_to_message"] = json(parent, nested: false)
        }
        return .object(o)
    }

    /// A chat object for an id: `@name` is a channel, negative ids groups, positive ids private chats.
    static func chat(_ id: String) -> JSON {
        if id.hasPrefix("@") {
            let name = String(id.dropFirst())
            var h = 0
            for b in name.utf8 { h = (h &* 31 &+ Int(b)) % 1_000_000_000 }
            return ["id": .int(-1_001_000_000_000 - abs(h)), "type": "channel", "title": .string(name), "username": .string(name)]
        }
        let n = Int(id) ?? 0
        if n < 0 {
            return ["id": .int(n), "type": id.hasPrefix("-100") ? "supergroup" : "group", "title": "Sandbox group"]
        }
        return ["id": .int(n), "type": "private", "first_name": "Sandbox"]
    }

    /// The text as Telegram counts it: after HTML or Markdown markup is parsed away.
    static func visibleText(_ text: String, parseMode: String?) -> String {
        switch parseMode?.lowercased() {
        case "html":
            var out = ""
            var inTag = false
            for ch in text {
                if ch == "<" { inTag = true; continue }
                if ch == ">", inTag { inTag = false; continue }
                if !inTag { out.append(ch) }
            }
            return out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
        case "markdownv2", "markdown":
            var out = ""
            var escaped = false
            for ch in text {
                if escaped { out.append(ch); escaped = false; continue }
                if ch == "\\" { escaped = true; continue }
                if "*_~`|".contains(ch) { continue }
                out.append(ch)
            }
            return out
        default:
            return text
        }
    }

    private func fail(_ code: Int, _ description: String) -> SandboxResponse {
        .json(code, ["ok": false, "error_code": .int(code), "description": .string(description)])
    }

    nonisolated func errorResponse(status: Int, message: String) -> SandboxResponse {
        .json(status, ["ok": false, "error_code": .int(status), "description": .string(message)])
    }

    nonisolated func rateLimited(retryAfter: Double, state: RateLimitState, now: Date) -> SandboxResponse {
        let seconds = max(1, Int(retryAfter.rounded(.up)))
        return .json(429, ["ok": false, "error_code": 429, "description": .string("Too Many Requests: retry after \(seconds)"),
                           "parameters": ["retry_after": .int(seconds)]])
    }
}
