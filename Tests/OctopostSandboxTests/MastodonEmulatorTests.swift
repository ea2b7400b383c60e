import Foundation
import OctopostKit
import OctopostHTTP
import Testing
@testable import OctopostSandbox

@Suite struct MastodonEmulatorTests {
    let auth = ["Authorization": "Bearer sandbox-token"]

    @Test func createsAStatusShapedLikeMastodons() async throws {
        try await withEmulator(.mastodon) { h in
            let r = try await h.send("POST", "/api/v1/statuses", json: ["status": "Hello from octopost", "visibility": "unlisted"],
                                     headers: auth)
            #expect(r.status == 200)
            let id = try #require(r.json["id"]?.string)
            #expect(!id.isEmpty && Int(id) != nil)
            #expect(r.json["url"]?.string == "\(h.base.absoluteString)/@sandbox/\(id)")
            #expect(r.json["visibility"]?.string == "unlisted")
            #expect(r.json["content"]?.string == "<p>Hello from octopost</p>")
            // Rate-limit headers, the reset in ISO 8601 with microseconds.
            #expect(r.header("x-ratelimit-limit") == "300")
            #expect(r.header("x-ratelimit-remaining") == "299")
            let reset = try #require(r.header("x-ratelimit-reset"))
            #expect(reset.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) != nil, "\(reset)")
            let posts = try await h.posts()
            #expect(posts.map(\.id) == [id])
            #expect(posts.first?.text == "Hello from octopost")
        }
    }

    @Test func acceptsFormBodies() async throws {
        try await withEmulator(.mastodon) { h in
            let r = try await h.send("POST", "/api/v1/statuses", form: "status=a+form%20post&visibility=private", headers: auth)
            #expect(r.status == 200)
            #expect(r.json["visibility"]?.string == "private")
            #expect(try await h.posts().first?.text == "a form post")
        }
    }

    @Test func rejectsTextOverTheInstanceLimit() async throws {
        try await withEmulator(.mastodon) { h in
            let ok = try await h.send("POST", "/api/v1/statuses", json: ["status": .string(String(repeating: "a", count: 500))], headers: auth)
            #expect(ok.status == 200)
            let r = try await h.send("POST", "/api/v1/statuses", json: ["status": .string(String(repeating: "a", count: 501))], headers: auth)
            #expect(r.status == 422)
            #expect(r.text == #"{"error":"Validation failed: Text character limit of 500 exceeded"}"#)
            // The content warning shares the budget.
            let cw = try await h.send("POST", "/api/v1/statuses", json: ["status": .string(String(repeating: "b", count: 251)),
                                                                       "spoiler_text": .string(String(repeating: "c", count: 250))], headers: auth)
            #expect(cw.status == 422)
            #expect(try await h.posts().count == 1)
        }
    }

    @Test func checksTheToken() async throws {
        try await withEmulator(.mastodon, EmulatorConfiguration(token: "right")) { h in
            let missing = try await h.send("POST", "/api/v1/statuses", json: ["status": "x"])
            #expect(missing.status == 401)
            #expect(missing.json["error"]?.string == "This method requires an authenticated user")
            let wrong = try await h.send("POST", "/api/v1/statuses", json: ["status": "x"], headers: ["Authorization": "Bearer wrong"])
            #expect(wrong.status == 401)
            #expect(wrong.text == #"{"error":"The access token is invalid"}"#)
            let right = try await h.send("POST", "/api/v1/statuses", json: ["status": "x"], headers: ["Authorization": "Bearer right"])
            #expect(right.status == 200)
        }
    }

    @Test func threadsByInReplyToID() async throws {
        try await withEmulator(.mastodon) { h in
            let first = try await h.send("POST", "/api/v1/statuses", json: ["status": "1/2"], headers: auth)
            let firstID = try #require(first.json["id"]?.string)
            let second = try await h.send("POST", "/api/v1/statuses", json: ["status": "2/2", "in_reply_to_id": .string(firstID)], headers: auth)
            #expect(second.status == 200)
            #expect(second.json["in_reply_to_id"]?.string == firstID)
            let unknown = try await h.send("POST", "/api/v1/statuses", json: ["status": "x", "in_reply_to_id": "999"], headers: auth)
            #expect(unknown.status == 404)
            #expect(unknown.json["error"]?.string == "Record not found")
            let posts = try await h.posts()
            #expect(posts.map(\.replyTo) == [nil, firstID])
        }
    }

    @Test func idempotencyKeyReturnsTheSameStatus() async throws {
        try await withEmulator(.mastodon) { h in
            var headers = auth
            headers["Idempotency-Key"] = "post-2026-04-launch"
            let a = try await h.send("POST", "/api/v1/statuses", json: ["status": "once"], headers: headers)
            let b = try await h.send("POST", "/api/v1/statuses", json: ["status": "once"], headers: headers)
            #expect(a.status == 200 && b.status == 200)
            #expect(a.json["id"] == b.json["id"])
            headers["Idempotency-Key"] = "another"
            let c = try await h.send("POST", "/api/v1/statuses", json: ["status": "once"], headers: headers)
            #expect(c.json["id"] != a.json["id"])
            let posts = try await h.posts()
            #expect(posts.map(\.idempotencyKey) == ["post-2026-04-launch", "another"])
        }
    }

    @Test func idempotencyKeyExpiresAfterAnHour() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_775_811_600))
        try await withEmulator(.mastodon, EmulatorConfiguration(now: { clock.now })) { h in
            let headers = auth.merging(["Idempotency-Key": "k"]) { a, _ in a }
            let a = try await h.send("POST", "/api/v1/statuses", json: ["status": "x"], headers: headers)
            clock.advance(3601)
            let b = try await h.send("POST", "/api/v1/statuses", json: ["status": "x"], headers: headers)
            #expect(a.json["id"] != b.json["id"])
            #expect(try await h.posts().count == 2)
        }
    }

    @Test func readsRecentStatuses() async throws {
        try await withEmulator(.mastodon) { h in
            for text in ["one", "two", "three"] {
                _ = try await h.send("POST", "/api/v1/statuses", json: ["status": .string(text)], headers: auth)
            }
            let me = try await h.send("GET", "/api/v1/accounts/verify_credentials", headers: auth)
            let id = try #require(me.json["id"]?.string)
            let list = try await h.send("GET", "/api/v1/accounts/\(id)/statuses?limit=2", headers: auth)
            #expect(list.status == 200)
            #expect(list.json.array?.compactMap { $0["content"]?.string } == ["<p>three</p>", "<p>two</p>"])
            let noAuth = try await h.send("GET", "/api/v1/accounts/verify_credentials")
            #expect(noAuth.status == 401)
        }
    }

    @Test func answers429WhenTheBudgetIsSpent() async throws {
        try await withEmulator(.mastodon, EmulatorConfiguration(rateLimit: RateLimitPolicy(limit: 2, window: 300))) { h in
            _ = try await h.send("POST", "/api/v1/statuses", json: ["status": "a"], headers: auth)
            let second = try await h.send("POST", "/api/v1/statuses", json: ["status": "b"], headers: auth)
            #expect(second.header("x-ratelimit-remaining") == "0")
            let third = try await h.send("POST", "/api/v1/statuses", json: ["status": "c"], headers: auth)
            #expect(third.status == 429)
            #expect(third.json["error"]?.string == "Too many requests")
            #expect(third.header("x-ratelimit-remaining") == "0")
            #expect(third.header("retry-after") == nil)
            #expect(try await h.posts().count == 2)
        }
    }
}

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current += seconds; lock.unlock() }
}
