import Foundation
import OctopostKit
import OctopostHTTP
import Testing
@testable import OctopostSandbox

@Suite struct BlueskyEmulatorTests {
    /// Logs in; returns the Authorization header and the DID.
    func login(_ h: Harness) async throws -> ([String: String], String) {
        let r = try await h.send("POST", "/xrpc/com.atproto.server.createSession",
                                 json: ["identifier": "sandbox.bsky.social", "password": "app-pass"])
        #expect(r.status == 200)
        let jwt = try #require(r.json["accessJwt"]?.string)
        #expect(r.json["refreshJwt"]?.string?.isEmpty == false)
        #expect(r.json["handle"]?.string == "sandbox.bsky.social")
        let did = try #require(r.json["did"]?.string)
        #expect(did.hasPrefix("did:plc:"))
        return (["Authorization": "Bearer \(jwt)"], did)
    }

    func post(_ text: String, did: String, rkey: String? = nil, reply: JSON? = nil) -> JSON {
        var record: [String: JSON] = ["$type": "app.bsky.feed.post", "text": .string(text), "createdAt": "2026-04-10T09:00:00.000Z"]
        if let reply { record["reply"] = reply }
        var body: [String: JSON] = ["repo": .string(did), "collection": "app.bsky.feed.post", "record": .object(record)]
        if let rkey { body["rkey"] = .string(rkey) }
        return .object(body)
    }

    @Test func createsRecordsAndReadsThemBack() async throws {
        try await withEmulator(.bluesky) { h in
            let (auth, did) = try await login(h)
            let r = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord", json: post("hello", did: did), headers: auth)
            #expect(r.status == 200)
            let uri = try #require(r.json["uri"]?.string)
            #expect(uri.hasPrefix("at://\(did)/app.bsky.feed.post/"))
            let cid = try #require(r.json["cid"]?.string)
            #expect(cid.hasPrefix("bafyrei"))
            let rkey = String(uri.split(separator: "/").last!)
            #expect(rkey.count == 13)
            // RateLimit-* headers on every answer.
            #expect(r.header("ratelimit-limit") == "1666")
            #expect(r.header("ratelimit-policy") == "1666;w=3600")
            #expect(Int(r.header("ratelimit-reset") ?? "") != nil)

            let got = try await h.send("GET", "/xrpc/com.atproto.repo.getRecord?repo=\(did)&collection=app.bsky.feed.post&rkey=\(rkey)")
            #expect(got.status == 200)
            #expect(got.json["cid"]?.string == cid)
            #expect(got.json["value"]?["text"]?.string == "hello")
            let missing = try await h.send("GET", "/xrpc/com.atproto.repo.getRecord?repo=\(did)&collection=app.bsky.feed.post&rkey=nope")
            #expect(missing.status == 400)
            #expect(missing.json["error"]?.string == "RecordNotFound")

            _ = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord", json: post("second", did: did), headers: auth)
            let list = try await h.send("GET", "/xrpc/com.atproto.repo.listRecords?repo=\(did)&collection=app.bsky.feed.post&limit=10")
            #expect(list.json["records"]?.array?.compactMap { $0["value"]?["text"]?.string } == ["second", "hello"])
        }
    }

    @Test func rejectsPostsOver300Graphemes() async throws {
        try await withEmulator(.bluesky) { h in
            let (auth, did) = try await login(h)
            let family = "👨‍👩‍👧‍👦"
            let ok = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord",
                                      json: post(String(repeating: "a", count: 300), did: did), headers: auth)
            #expect(ok.status == 200)
            let r = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord",
                                     json: post(String(repeating: "a", count: 301), did: did), headers: auth)
            #expect(r.status == 400)
            #expect(r.json["error"]?.string == "InvalidRequest")
            #expect(r.json["message"]?.string == "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes")
            // 120 family emoji: 120 graphemes but 3000 bytes → still fine; 121 → over 3000 bytes.
            let bytes = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord",
                                         json: post(String(repeating: family, count: 121), did: did), headers: auth)
            #expect(bytes.status == 400)
            #expect(try await h.posts().count == 1)
        }
    }

    @Test func aSecondCreateWithTheSameRkeyDoesNotPostAgain() async throws {
        try await withEmulator(.bluesky) { h in
            let (auth, did) = try await login(h)
            let a = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord", json: post("once", did: did, rkey: "3lsandbox2222"),
                                     headers: auth)
            #expect(a.status == 200)
            #expect(a.json["uri"]?.string == "at://\(did)/app.bsky.feed.post/3lsandbox2222")
            let b = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord", json: post("once", did: did, rkey: "3lsandbox2222"),
                                     headers: auth)
            #expect(b.status == 400)
            #expect(b.json["error"]?.string == "InvalidRequest")
            #expect(b.json["message"]?.string?.hasPrefix("Record already exists") == true)
            let posts = try await h.posts()
            #expect(posts.count == 1)
            #expect(posts.first?.rkey == "3lsandbox2222")
        }
    }

    @Test func requiresAnIssuedAccessToken() async throws {
        try await withEmulator(.bluesky, EmulatorConfiguration(token: "app-pass", account: "sandbox.bsky.social")) { h in
            let none = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord", json: post("x", did: "did:plc:x"))
            #expect(none.status == 401)
            #expect(none.json["error"]?.string == "AuthenticationRequired")
            let forged = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord", json: post("x", did: "did:plc:x"),
                                          headers: ["Authorization": "Bearer forged"])
            #expect(forged.status == 401)
            #expect(forged.json["error"]?.string == "InvalidToken")
            let badPassword = try await h.send("POST", "/xrpc/com.atproto.server.createSession",
                                               json: ["identifier": "sandbox.bsky.social", "password": "wrong"])
            #expect(badPassword.status == 401)
            #expect(badPassword.json["error"]?.string == "AuthenticationRequired")
            let (auth, did) = try await login(h)
            let ok = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord", json: post("x", did: did), headers: auth)
            #expect(ok.status == 200)
        }
    }

    @Test func refreshSessionIssuesANewAccessToken() async throws {
        try await withEmulator(.bluesky) { h in
            let s = try await h.send("POST", "/xrpc/com.atproto.server.createSession", json: ["identifier": "sandbox.bsky.social", "password": "p"])
            let refresh = try #require(s.json["refreshJwt"]?.string)
            let r = try await h.send("POST", "/xrpc/com.atproto.server.refreshSession", headers: ["Authorization": "Bearer \(refresh)"])
            #expect(r.status == 200)
            #expect(r.json["accessJwt"]?.string != s.json["accessJwt"]?.string)
            let again = try await h.send("POST", "/xrpc/com.atproto.server.refreshSession", headers: ["Authorization": "Bearer \(refresh)"])
            #expect(again.status == 400)
            #expect(again.json["error"]?.string == "ExpiredToken")
        }
    }

    @Test func repliesNeedExistingRootAndParent() async throws {
        try await withEmulator(.bluesky) { h in
            let (auth, did) = try await login(h)
            let root = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord", json: post("1/2", did: did), headers: auth)
            let ref: JSON = ["uri": root.json["uri"] ?? nil, "cid": root.json["cid"] ?? nil]
            let reply = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord",
                                         json: post("2/2", did: did, reply: ["root": ref, "parent": ref]), headers: auth)
            #expect(reply.status == 200)
            let ghost: JSON = ["uri": .string("at://\(did)/app.bsky.feed.post/3lnothere2222"), "cid": "bafyreighost"]
            let bad = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord",
                                       json: post("x", did: did, reply: ["root": ref, "parent": ghost]), headers: auth)
            #expect(bad.status == 400)
            #expect(bad.json["error"]?.string == "InvalidRequest")
            let posts = try await h.posts()
            #expect(posts.map(\.replyTo) == [nil, root.json["uri"]?.string])
        }
    }

    @Test func uploadsBlobs() async throws {
        try await withEmulator(.bluesky) { h in
            let (auth, _) = try await login(h)
            let r = try await h.client.send(HTTPRequest(method: "POST", url: h.url("/xrpc/com.atproto.repo.uploadBlob"),
                                                        headers: auth.merging(["Content-Type": "image/png"]) { a, _ in a },
                                                        body: Data(repeating: 7, count: 1000)))
            #expect(r.status == 200)
            #expect(r.json["blob"]?["mimeType"]?.string == "image/png")
            #expect(r.json["blob"]?["size"]?.int == 1000)
            #expect(r.json["blob"]?["ref"]?["$link"]?.string?.hasPrefix("bafyrei") == true)
        }
    }

    @Test func answers429WithRetryAfterWhenTheBudgetIsSpent() async throws {
        try await withEmulator(.bluesky, EmulatorConfiguration(rateLimit: RateLimitPolicy(limit: 1, window: 60))) { h in
            _ = try await login(h)
            let r = try await h.send("POST", "/xrpc/com.atproto.server.createSession", json: ["identifier": "a.b", "password": "p"])
            #expect(r.status == 429)
            #expect(r.json["error"]?.string == "RateLimitExceeded")
            #expect(r.header("ratelimit-remaining") == "0")
            let retry = try #require(Int(r.header("retry-after") ?? ""))
            #expect((1...60).contains(retry))
        }
    }
}
