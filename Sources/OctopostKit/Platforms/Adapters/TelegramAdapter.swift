import Foundation

/// Telegram Bot API (PLATFORMS §12): `POST /bot<token>/sendMessage`, plain text. The token sits in the URL
/// path, so every text that leaves this adapter goes through the redactor.
public actor TelegramAdapter: PlatformAdapter {
    public nonisolated let target: PlatformTarget
    /// A bot cannot read back what it sent: an uncertain entry becomes `unknown`.
    public nonisolated var recoveryModes: [RecoveryMode] { [] }

    private let base: String
    private let token: String
    private var chatID: JSONValue
    private let defaultThreadID: Int?
    private let transport: AdapterTransport
    private let clock: AdapterClock

    public init(_ context: AdapterContext, clock: AdapterClock) throws(PublishError) {
        target = context.target
        guard let token = context.credentials["BOT_TOKEN"] else {
            throw missingCredential(context.target, ["BOT_TOKEN"], hint: "the token @BotFather gave the bot")
        }
        guard let chat = context.credentials["CHAT_ID"] ?? context.account?.settings["chat_id"], !chat.isEmpty else {
            throw PublishError(.permanent, "\(context.target.key): no chat to post to; set "
                + "\(Credentials.variableName(context.target, field: "CHAT_ID")) or accounts.\"\(context.target.key)\".chat_id "
                + "(a numeric chat id or @channelusername)")
        }
        self.token = token
        chatID = Int(chat).map(JSONValue.int) ?? .string(chat)
        defaultThreadID = context.account?.settings["message_thread_id"].flatMap { Int($0) }
        base = context.apiBase?.absoluteString ?? "https://api.telegram.org"
        self.clock = clock
        transport = AdapterTransport(client: context.http, credentials: context.credentials, platform: .telegram)
    }

    public func publish(_ part: OutgoingPart, of post: Post) async throws(PublishError) -> SegmentResult {
        var migrated = false
        while true {
            var body: [String: JSONValue] = ["chat_id": chatID, "text": .string(part.text)]
            if let parent = part.parent {
                guard let id = Int(parent.postID) else {
                    throw PublishError(.permanent, "cannot reply on Telegram: the previous part's id '\(parent.postID)' "
                        + "is not a message id")
                }
                body["reply_parameters"] = ["message_id": .int(id)]
            }
            if post.boolOption(.telegram, "disable_link_preview") == true { body["link_preview_options"] = ["is_disabled": true] }
            if let b = post.boolOption(.telegram, "disable_notification") { body["disable_notification"] = .bool(b) }
            if let b = post.boolOption(.telegram, "protect_content") { body["protect_content"] = .bool(b) }
            if let thread = post.intOption(.telegram, "message_thread_id") ?? defaultThreadID {
                body["message_thread_id"] = .int(thread)
            }
            guard let url = URL(string: "\(base)/bot\(token)/sendMessage") else {
                throw PublishError(.permanent, "the Telegram API URL is not valid; check "
                    + Credentials.variableName(target, field: "API_BASE"))
            }
            let response = try await transport.send(HTTPRequest(method: "POST", url: url,
                headers: ["Content-Type": "application/json", "Accept": "application/json"], body: JSONValue.object(body).data))
            let json = JSONValue.parse(response.body)
            if HTTPStatusClass.isSuccess(response.status), json?["ok"]?.bool == true {
                guard let message = json?["result"], let id = message["message_id"]?.int else {
                    throw PublishError(.transient, "unexpected answer from Telegram: no message_id in the result; will retry")
                }
                return SegmentResult(postID: String(id), postURL: publicURL(chat: message["chat"], messageID: id))
            }
            if HTTPStatusClass.isSuccess(response.status), json == nil {
                throw PublishError(.transient, "unexpected answer from Telegram: not JSON (HTTP \(response.status)); will retry",
                                   httpStatus: response.status)
            }
            if !migrated, let newChat = json?["parameters"]?["migrate_to_chat_id"]?.int {
                // The group became a supergroup: its id changed. Send once more to the new id (and keep it for the run).
                chatID = .int(newChat)
                migrated = true
                continue
            }
            throw classify(response, json: json)
        }
    }

    private func publicURL(chat: JSONValue?, messageID: Int) -> String? {
        let username = chat?["username"]?.string ?? chatID.string.flatMap { $0.hasPrefix("@") ? String($0.dropFirst()) : nil }
        guard let username, !username.isEmpty, chat?["type"]?.string.map({ $0 == "channel" || $0 == "supergroup" }) ?? true
        else { return nil }
        return "https://t.me/\(username)/\(messageID)"
    }

    /// PLATFORMS §12.E: `{"ok":false,"error_code":N,"description":"…","parameters":{…}}`.
    private func classify(_ response: HTTPResponse, json: JSONValue?) -> PublishError {
        let status = json?["error_code"]?.int ?? response.status
        var message = transport.describe(HTTPResponse(status: status), reason: json?["description"]?.string)
        if status == 429 || HTTPStatusClass.isTransient(status) {
            let wait = RateLimitHeaders.delay(json?["parameters"]?["retry_after"]?.double, now: clock.now())
                ?? RateLimitHeaders.retryAfter(response.header("Retry-After"), now: clock.now())
            return PublishError(.transient, message + "; will retry", notBefore: status == 429 ? wait : nil, httpStatus: status)
        }
        switch status {
        case 401, 404:
            message += "; the bot token is invalid or revoked: check \(Credentials.variableName(target, field: "BOT_TOKEN"))"
        case 403: message += "; the bot cannot post in this chat (blocked, removed, or not an administrator of the channel)"
        default: break
        }
        return PublishError(.permanent, message, httpStatus: status)
    }
}

extension TelegramAdapter: SecretHoldingAdapter {
    nonisolated var secrets: SecretRegistry { transport.secrets }
}
