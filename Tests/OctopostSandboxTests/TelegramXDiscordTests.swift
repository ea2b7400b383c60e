import Foundation
import OctopostKit
import OctopostHTTP
import Testing
@testable import OctopostSandbox

@Suite struct TelegramEmulatorTests {
    let path = "/bot123456:secret-token/sendMessage"

    @Test func sendsMessagesAndReplies() async throws {
        try await withEmulator(.telegram) { h in
            let r = try await h.send("POST", path, json: ["chat_id": "@octopost_sandbox", "text": "hello"])
            #expect(r.status == 200)
            #expect(r.json["ok"] == true)
            let id = try #require(r.json["result"]?["message_id"]?.int)
            #expect(r.json["result"]?["chat"]?["type"]?.string == "channel")
            #expect(r.json["result"]?["chat"]?["username"]?.string == "octopost_sandbox")
            let reply = try await h.send("POST", path, json: ["chat_id": "@octopost_sandbox", "text": "2/2",
                                                              "reply_parameters": ["message_id": .int(id)]])
            #expect(reply.status == 200)
            #expect(reply.json["result"]?["reply_to_message"]?["message_id"]?.int == id)
            let unknown = try await h.send("POST", path, json: ["chat_id": "@octopost_sandbox", "text": "x",
                                                                "reply_parameters": ["message_id": 999]])
            #expect(unknown.status == 400)
            #expect(unknown.json["description"]?.string == "Bad Request: message to be replied not found")
            let posts = try await h.posts()
            #expect(posts.map(\.replyTo) == [nil, String(id)])
            #expect(posts.first?.channel == "@octopost_sandbox")
        }
    }

    @Test func rejectsMessagesOver4096Characters() async throws {
        try await withEmulator(.telegram) { h in
            let ok = try await h.send("POST", path, json: ["chat_id": 42, "text": .string(String(repeating: "😀", count: 4096))])
            #expect(ok.status == 200)
            let r = try await h.send("POST", path, json: ["chat_id": 42, "text": .string(String(repeating: "a", count: 4097))])
            #expect(r.status == 400)
            #expect(r.text == #"{"description":"Bad Request: message is too long","error_code":400,"ok":false}"#)
            // Markup does not count.
            let html = "<b>" + String(repeating: "a", count: 4096) + "</b>"
            let markup = try await h.send("POST", path, json: ["chat_id": 42, "text": .string(html), "parse_mode": "HTML"])
            #expect(markup.status == 200)
        }
    }

    @Test func checksTheBotToken() async throws {
        try await withEmulator(.telegram, EmulatorConfiguration(token: "123456:secret-token")) { h in
            let wrong = try await h.send("POST", "/bot1:other/sendMessage", json: ["chat_id": 1, "text": "x"])
            #expect(wrong.status == 401)
            #expect(wrong.text == #"{"description":"Unauthorized","error_code":401,"ok":false}"#)
            let none = try await h.send("POST", "/bot/sendMessage", json: ["chat_id": 1, "text": "x"])
            #expect(none.status == 404)
            let right = try await h.send("POST", path, json: ["chat_id": 1, "text": "x"])
            #expect(right.status == 200)
        }
    }

    @Test func answers429WithRetryAfterInTheBody() async throws {
        try await withEmulator(.telegram, EmulatorConfiguration(rateLimit: RateLimitPolicy(limit: 1, window: 30))) { h in
            _ = try await h.send("POST", path, json: ["chat_id": 1, "text": "a"])
            let r = try await h.send("POST", path, json: ["chat_id": 1, "text": "b"])
            #expect(r.status == 429)
            #expect(r.json["error_code"]?.int == 429)
            let retry = try #require(r.json["parameters"]?["retry_after"]?.int)
            #expect((1...30).contains(retry))
            #expect(r.json["description"]?.string == "Too Many Requests: retry after \(retry)")
        }
    }
}

@Suite struct XEmulatorTests {
    let auth = ["Authorization": oauthHeader]

    @Test func createsTweetsWith201() async throws {
        try await withEmulator(.twitter) { h in
            let r = try await h.send("POST", "/2/tweets", json: ["text": "hello"], headers: auth)
            #expect(r.status == 201)
            let id = try #require(r.json["data"]?["id"]?.string)
            #expect(Int(id) != nil)
            #expect(r.json["data"]?["text"]?.string == "hello")
            #expect(r.header("x-rate-limit-limit") == "100")
            #expect(r.header("x-rate-limit-remaining") == "99")
            let reset = try #require(Double(r.header("x-rate-limit-reset") ?? ""))
            #expect(reset > Date().timeIntervalSince1970 && reset < Date().timeIntervalSince1970 + 901)
        }
    }

    @Test func requiresOAuth1UserContext() async throws {
        try await withEmulator(.twitter) { h in
            let none = try await h.send("POST", "/2/tweets", json: ["text": "x"])
            #expect(none.status == 401)
            #expect(none.json["title"]?.string == "Unauthorized")
            let partial = try await h.send("POST", "/2/tweets", json: ["text": "x"],
                                           headers: ["Authorization": "OAuth oauth_consumer_key=\"k\", oauth_token=\"t\""])
            #expect(partial.status == 401)
            let bearer = try await h.send("POST", "/2/tweets", json: ["text": "x"], headers: ["Authorization": "Bearer app-only"])
            #expect(bearer.status == 403)
            #expect(try await h.posts().isEmpty)
        }
    }

    @Test func rejectsDuplicatesTooLongAndUnknownReplies() async throws {
        try await withEmulator(.twitter) { h in
            let first = try await h.send("POST", "/2/tweets", json: ["text": "same"], headers: auth)
            let id = try #require(first.json["data"]?["id"]?.string)
            let dup = try await h.send("POST", "/2/tweets", json: ["text": "same"], headers: auth)
            #expect(dup.status == 403)
            #expect(dup.json["detail"]?.string == "You are not allowed to create a Tweet with duplicate content.")
            let long = try await h.send("POST", "/2/tweets", json: ["text": .string(String(repeating: "あ", count: 141))], headers: auth)
            #expect(long.status == 400)
            #expect(long.json["type"]?.string == "https://api.twitter.com/2/problems/invalid-request")
            let reply = try await h.send("POST", "/2/tweets", json: ["text": "2/2", "reply": ["in_reply_to_tweet_id": .string(id)]],
                                         headers: auth)
            #expect(reply.status == 201)
            let orphan = try await h.send("POST", "/2/tweets", json: ["text": "3", "reply": ["in_reply_to_tweet_id": "1"]], headers: auth)
            #expect(orphan.status == 403)
            #expect(try await h.posts().map(\.replyTo) == [nil, id])
        }
    }

    @Test func listsTheUsersRecentTweets() async throws {
        try await withEmulator(.twitter) { h in
            for t in ["a", "b", "c"] { _ = try await h.send("POST", "/2/tweets", json: ["text": .string(t)], headers: auth) }
            let me = try await h.send("GET", "/2/users/me", headers: auth)
            let uid = try #require(me.json["data"]?["id"]?.string)
            let r = try await h.send("GET", "/2/users/\(uid)/tweets?max_results=5", headers: auth)
            #expect(r.json["data"]?.array?.compactMap { $0["text"]?.string } == ["c", "b", "a"])
            #expect(r.json["meta"]?["result_count"]?.int == 3)
        }
    }

    @Test func answers429WhenTheBudgetIsSpent() async throws {
        try await withEmulator(.twitter, EmulatorConfiguration(rateLimit: RateLimitPolicy(limit: 1, window: 900))) { h in
            _ = try await h.send("POST", "/2/tweets", json: ["text": "a"], headers: auth)
            let r = try await h.send("POST", "/2/tweets", json: ["text": "b"], headers: auth)
            #expect(r.status == 429)
            #expect(r.json["title"]?.string == "Too Many Requests")
            #expect(r.header("x-rate-limit-remaining") == "0")
            #expect(Int(r.header("x-rate-limit-reset") ?? "") != nil)
        }
    }
}

@Suite struct DiscordEmulatorTests {
    let bot = ["Authorization": "Bot sandbox-bot-token"]

    @Test func webhookWaitReturnsTheMessageAndWithoutWait204() async throws {
        try await withEmulator(.discord) { h in
            let r = try await h.send("POST", "/api/webhooks/111/tok?wait=true", json: ["content": "hello"])
            #expect(r.status == 200)
            #expect(r.json["content"]?.string == "hello")
            #expect(r.json["webhook_id"]?.string == "111")
            let id = try #require(r.json["id"]?.string)
            #expect(r.header("x-ratelimit-bucket") != nil)
            #expect(Double(r.header("x-ratelimit-reset-after") ?? "") != nil)
            let silent = try await h.send("POST", "/api/webhooks/111/tok", json: ["content": "quiet"])
            #expect(silent.status == 204)
            #expect(silent.body.isEmpty)
            let fetched = try await h.send("GET", "/api/webhooks/111/tok/messages/\(id)")
            #expect(fetched.json["content"]?.string == "hello")
            #expect(try await h.posts().map(\.text) == ["hello", "quiet"])
        }
    }

    @Test func botMessagesReplyAndList() async throws {
        try await withEmulator(.discord) { h in
            let first = try await h.send("POST", "/api/v10/channels/42/messages", json: ["content": "1/2"], headers: bot)
            #expect(first.status == 200)
            let id = try #require(first.json["id"]?.string)
            let reply = try await h.send("POST", "/api/v10/channels/42/messages",
                                         json: ["content": "2/2", "message_reference": ["message_id": .string(id)]], headers: bot)
            #expect(reply.status == 200)
            #expect(reply.json["message_reference"]?["message_id"]?.string == id)
            #expect(reply.json["type"]?.int == 19)
            let unknown = try await h.send("POST", "/api/v10/channels/42/messages",
                                           json: ["content": "x", "message_reference": ["message_id": "5"]], headers: bot)
            #expect(unknown.status == 400)
            #expect(unknown.json["code"]?.int == 50035)
            let list = try await h.send("GET", "/api/v10/channels/42/messages?limit=10", headers: bot)
            #expect(list.json.array?.compactMap { $0["content"]?.string } == ["2/2", "1/2"])
            let noAuth = try await h.send("POST", "/api/v10/channels/42/messages", json: ["content": "x"])
            #expect(noAuth.status == 401)
            #expect(noAuth.text == #"{"code":0,"message":"401: Unauthorized"}"#)
        }
    }

    @Test func rejectsContentOver2000AndEmpty() async throws {
        try await withEmulator(.discord) { h in
            let long = try await h.send("POST", "/api/webhooks/1/t?wait=true", json: ["content": .string(String(repeating: "a", count: 2001))])
            #expect(long.status == 400)
            #expect(long.json["errors"]?["content"]?["_errors"]?.array?.first?["code"]?.string == "BASE_TYPE_MAX_LENGTH")
            let empty = try await h.send("POST", "/api/webhooks/1/t?wait=true", json: ["content": ""])
            #expect(empty.status == 400)
            #expect(empty.json["code"]?.int == 50006)
            let ok = try await h.send("POST", "/api/webhooks/1/t?wait=true", json: ["content": .string(String(repeating: "a", count: 2000))])
            #expect(ok.status == 200)
        }
    }

    @Test func checksConfiguredWebhookAndToken() async throws {
        try await withEmulator(.discord, EmulatorConfiguration(token: "tok", account: "111")) { h in
            #expect(try await h.send("POST", "/api/webhooks/222/tok", json: ["content": "x"]).status == 404)
            let bad = try await h.send("POST", "/api/webhooks/111/nope", json: ["content": "x"])
            #expect(bad.status == 401)
            #expect(bad.json["code"]?.int == 50027)
            #expect(try await h.send("POST", "/api/webhooks/111/tok", json: ["content": "x"]).status == 204)
        }
    }

    @Test func answers429WithRetryAfter() async throws {
        try await withEmulator(.discord, EmulatorConfiguration(rateLimit: RateLimitPolicy(limit: 1, window: 10))) { h in
            _ = try await h.send("POST", "/api/webhooks/1/t", json: ["content": "a"])
            let r = try await h.send("POST", "/api/webhooks/1/t", json: ["content": "b"])
            #expect(r.status == 429)
            let retry = try #require(r.json["retry_after"].flatMap { j -> Double? in
                if case .double(let d) = j { return d }
                return j.int.map(Double.init)
            })
            #expect(retry > 0 && retry <= 10)
            #expect(r.json["global"] == false)
            #expect(r.header("retry-after") != nil)
            #expect(r.header("x-ratelimit-remaining") == "0")
            #expect(r.header("x-ratelimit-scope") == "user")
        }
    }
}
