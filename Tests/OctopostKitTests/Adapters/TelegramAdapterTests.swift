import Foundation
import Testing
@testable import OctopostKit

@Suite("TelegramAdapter")
struct TelegramAdapterTests {
    static let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

    func adapter(_ api: FakeAPI, chat: String? = "-1001234567890", settings: [String: String] = [:]) throws -> TelegramAdapter {
        var creds = ["BOT_TOKEN": Self.token]
        if let chat { creds["CHAT_ID"] = chat }
        var account = Config.Account()
        account.settings = settings
        return try TelegramAdapter(AFx.context(.telegram, creds, api: api, account: account), clock: AFx.clock)
    }

    static func ok(_ id: Int, chat: JSONValue = ["id": -1001234567890, "type": "supergroup"]) -> HTTPResponse {
        AFx.json(200, ["ok": true, "result": ["message_id": .int(id), "chat": chat, "text": "x"]])
    }

    @Test func sendsPlainTextWithOptions() async throws {
        let api = FakeAPI { _, _ in Self.ok(42) }
        let post = AFx.post(.telegram, options: ["disable_notification": .bool(true), "protect_content": .bool(true),
                                                 "disable_link_preview": .bool(true), "message_thread_id": .int(7)])
        let result = try await adapter(api).publish(AFx.part(1, "hi *there*", parent: SegmentResult(postID: "41")), of: post)
        #expect(result == SegmentResult(postID: "42", postURL: nil))
        let r = try #require(await api.requests.first)
        #expect(r.method == "POST")
        #expect(r.url.absoluteString == "https://api.telegram.org/bot\(Self.token)/sendMessage")
        #expect(AFx.body(r) == ["chat_id": .int(-1001234567890), "text": "hi *there*", "reply_parameters": ["message_id": 41],
                                "disable_notification": true, "protect_content": true,
                                "link_preview_options": ["is_disabled": true], "message_thread_id": 7])
        #expect(AFx.body(r)?["parse_mode"] == nil)
    }

    @Test func publicChannelGetsALinkAndChatIDFallsBackToTheAccount() async throws {
        let api = FakeAPI { _, _ in Self.ok(5, chat: ["id": -100777, "type": "channel", "username": "mychannel"]) }
        let a = try adapter(api, chat: nil, settings: ["chat_id": "@mychannel"])
        let result = try await a.publish(AFx.part(), of: AFx.post(.telegram))
        #expect(result.postURL == "https://t.me/mychannel/5")
        #expect(AFx.body(await api.requests[0])?["chat_id"] == "@mychannel")
    }

    @Test func missingChatIsPermanent() {
        #expect(throws: PublishError.self) { _ = try adapter(FakeAPI { _, _ in Self.ok(1) }, chat: nil) }
    }

    @Test func migratedGroupIsRetriedOnceWithTheNewID() async throws {
        let api = FakeAPI { r, n in
            n == 0 ? AFx.json(400, ["ok": false, "error_code": 400,
                                    "description": "Bad Request: group chat was upgraded to a supergroup chat",
                                    "parameters": ["migrate_to_chat_id": -1009999]])
                : Self.ok(8)
        }
        let a = try adapter(api, chat: "-4242")
        #expect(try await a.publish(AFx.part(), of: AFx.post(.telegram)).postID == "8")
        _ = try await a.publish(AFx.part(), of: AFx.post(.telegram))
        let ids = await api.requests.map { AFx.body($0)?["chat_id"] }
        #expect(ids == [.int(-4242), .int(-1009999), .int(-1009999)])
    }

    @Test func tooManyRequestsWaitsRetryAfter() async throws {
        let api = FakeAPI { _, _ in
            AFx.json(429, ["ok": false, "error_code": 429, "description": "Too Many Requests: retry after 35",
                           "parameters": ["retry_after": 35]])
        }
        let a = try adapter(api)
        let e = await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.telegram)) }
        #expect(e?.kind == .transient)
        #expect(e?.notBefore == AFx.now.addingTimeInterval(35))
    }

    @Test(arguments: [(401, "Unauthorized"), (403, "Forbidden: bot was kicked from the channel chat"),
                      (400, "Bad Request: message is too long"), (400, "Bad Request: chat not found")])
    func clientErrorsArePermanentWithDescriptionAndNoToken(status: Int, description: String) async throws {
        // A hostile description echoing the request URL must not leak the token either.
        let echo = description + " (POST /bot\(Self.token)/sendMessage)"
        let api = FakeAPI { _, _ in AFx.json(status, ["ok": false, "error_code": .int(status), "description": .string(echo)]) }
        let a = try adapter(api)
        let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.telegram)) })
        #expect(e.kind == .permanent)
        #expect(e.message.contains(description))
        AFx.expectNoSecrets(e.message, [Self.token, "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"])
    }

    @Test func transportErrorsNeverShowTheTokenURL() async throws {
        let encoded = Self.token.replacingOccurrences(of: ":", with: "%3A")
        for failure in [HTTPTransportError.connection("could not connect to https://api.telegram.org/bot\(Self.token)/sendMessage"),
                        .connection("bad url https://api.telegram.org/bot\(encoded)/sendMessage"), .timeout] {
            let api = FakeAPI { (_, _) throws(HTTPTransportError) in throw failure }
            let a = try adapter(api)
            let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.telegram)) })
            #expect(e.kind == .transient)
            AFx.expectNoSecrets(e.message, [Self.token, encoded])
        }
        let html = FakeAPI { _, _ in AFx.text(502, "<html>Bad Gateway</html>") }
        let h = try adapter(html)
        let e = await AFx.failure { () async throws(PublishError) in try await h.publish(AFx.part(), of: AFx.post(.telegram)) }
        #expect(e?.kind == .transient)
    }

    @Test func noRecovery() throws {
        #expect(try adapter(FakeAPI { _, _ in Self.ok(1) }).recoveryModes.isEmpty)
    }
}
