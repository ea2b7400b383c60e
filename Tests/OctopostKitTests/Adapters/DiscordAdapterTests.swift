import Foundation
import Testing
@testable import OctopostKit

@Suite("DiscordAdapter")
struct DiscordAdapterTests {
    static let webhook = "https://discord.com/api/webhooks/1234567890/s3cr3t-W3bh00k-T0k3n_abcdef"
    static let botToken = "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs"

    func webhookAdapter(_ api: FakeAPI, base: String? = nil) throws -> DiscordAdapter {
        try DiscordAdapter(AFx.context(.discord, ["WEBHOOK_URL": Self.webhook], api: api, apiBase: base), clock: AFx.clock)
    }

    func botAdapter(_ api: FakeAPI) throws -> DiscordAdapter {
        try DiscordAdapter(AFx.context(.discord, ["BOT_TOKEN": Self.botToken, "CHANNEL_ID": "555"], api: api), clock: AFx.clock)
    }

    static func message(_ id: String, channel: String = "555") -> HTTPResponse {
        AFx.json(200, ["id": .string(id), "channel_id": .string(channel), "content": "x"],
                 headers: ["X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4", "X-RateLimit-Reset": "1775000001.5"])
    }

    @Test func webhookWaitsForTheMessageAndCreatesAForumThread() async throws {
        let api = FakeAPI { _, n in Self.message(n == 0 ? "900" : "901", channel: "777") }
        let a = try webhookAdapter(api)
        let post = AFx.post(.discord, options: ["thread_name": .string("Launch"), "username": .string("octopost")])
        let first = try await a.publish(AFx.part(0, "hello"), of: post)
        #expect(first == SegmentResult(postID: "900", postURL: nil, cid: "777"))
        _ = try await a.publish(AFx.part(1, "more", parent: first, root: first), of: post)
        let requests = await api.requests
        #expect(requests[0].method == "POST")
        #expect(requests[0].url.absoluteString == Self.webhook + "?wait=true")
        #expect(requests[0].headers["Authorization"] == nil)
        #expect(AFx.body(requests[0]) == ["content": "hello", "thread_name": "Launch", "username": "octopost"])
        #expect(requests[1].url.absoluteString == Self.webhook + "?wait=true&thread_id=777")
        #expect(AFx.body(requests[1]) == ["content": "more", "username": "octopost"])
        #expect(await a.rateLimit() == RateLimitState(remaining: 4, reset: Date(timeIntervalSince1970: 1_775_000_001.5)))
        #expect(a.recoveryModes.isEmpty)
    }

    @Test func apiBaseReplacesTheWebhookHost() async throws {
        let api = FakeAPI { _, _ in Self.message("1") }
        _ = try await webhookAdapter(api, base: "http://127.0.0.1:9000").publish(AFx.part(), of: AFx.post(.discord))
        #expect(await api.requests[0].url.absoluteString
            == "http://127.0.0.1:9000/api/webhooks/1234567890/s3cr3t-W3bh00k-T0k3n_abcdef?wait=true")
    }

    @Test func deletedWebhookIsPermanentAndNeverShowsItsURL() async throws {
        let api = FakeAPI { r, _ in
            AFx.json(404, ["message": .string("Unknown Webhook \(r.url.absoluteString)"), "code": 10015])
        }
        for base in [nil, "http://127.0.0.1:9000"] {
            let a = try webhookAdapter(api, base: base)
            let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.discord)) })
            #expect(e.kind == .permanent)
            #expect(e.message.contains("Unknown Webhook") && e.message.contains("OCTOPOST_DISCORD_WEBHOOK_URL"))
            AFx.expectNoSecrets(e.message, [Self.webhook, "s3cr3t-W3bh00k-T0k3n_abcdef"])
        }
        let down = FakeAPI { (_, _) throws(HTTPTransportError) in throw .connection("connect to \(Self.webhook)?wait=true failed") }
        let d = try webhookAdapter(down)
        let e = try #require(await AFx.failure { () async throws(PublishError) in try await d.publish(AFx.part(), of: AFx.post(.discord)) })
        #expect(e.kind == .transient)
        AFx.expectNoSecrets(e.message, [Self.webhook, "s3cr3t-W3bh00k-T0k3n_abcdef"])
    }

    @Test func tooManyRequestsUsesRetryAfterFromBodyThenHeader() async throws {
        let cases: [(HTTPResponse, Date)] = [
            (AFx.json(429, ["message": "You are being rate limited.", "retry_after": .double(1.25), "global": false]),
             AFx.now.addingTimeInterval(1.25)),
            (AFx.json(429, ["message": "You are being rate limited."], headers: ["Retry-After": "7"]), AFx.now.addingTimeInterval(7)),
        ]
        for (answer, expected) in cases {
            let a = try botAdapter(FakeAPI { _, _ in answer })
            let e = await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.discord)) }
            #expect(e?.kind == .transient)
            #expect(e?.notBefore == expected)
        }
    }

    @Test func botPostsToTheChannelAndRepliesWithAMessageReference() async throws {
        let api = FakeAPI { _, _ in Self.message("1001") }
        let a = try botAdapter(api)
        _ = try await a.publish(AFx.part(1, "reply", parent: SegmentResult(postID: "1000")), of: AFx.post(.discord))
        let r = try #require(await api.requests.first)
        #expect(r.url.absoluteString == "https://discord.com/api/v10/channels/555/messages")
        #expect(r.headers["Authorization"] == "Bot \(Self.botToken)")
        #expect(AFx.body(r) == ["content": "reply", "message_reference": ["message_id": "1000", "fail_if_not_exists": false]])
        #expect(a.recoveryModes == [.lookup])
    }

    @Test(arguments: [(401, ErrorKind.permanent), (403, .permanent), (400, .permanent), (502, .transient), (408, .transient)])
    func botErrorClasses(status: Int, kind: ErrorKind) async throws {
        let a = try botAdapter(FakeAPI { _, _ in AFx.json(status, ["message": "Missing Access", "code": 50001]) })
        let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.discord)) })
        #expect(e.kind == kind)
        AFx.expectNoSecrets(e.message, [Self.botToken])
    }

    @Test func botLookupFindsItsOwnMessage() async throws {
        let api = FakeAPI { r, _ in
            switch r.url.path {
            case "/api/v10/users/@me": return AFx.json(200, ["id": "42", "bot": true])
            case "/api/v10/channels/555/messages":
                return AFx.json(200, [
                    ["id": "7", "content": "hello", "author": ["id": "13"], "timestamp": "2026-03-31T23:30:00.000000+00:00"],
                    ["id": "8", "content": "hello", "author": ["id": "42"], "timestamp": "2026-03-31T23:31:00.000000+00:00"],
                ])
            default: return AFx.json(404, ["message": "Unknown"])
            }
        }
        let a = try botAdapter(api)
        #expect(try await a.findExisting(AFx.part(), of: AFx.post(.discord), since: AFx.now.addingTimeInterval(-600))?.postID == "8")
        #expect(try await a.findExisting(AFx.part(0, "other"), of: AFx.post(.discord), since: AFx.now) == nil)
    }
}
