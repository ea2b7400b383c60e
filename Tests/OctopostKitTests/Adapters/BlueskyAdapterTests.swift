import Foundation
import Testing
@testable import OctopostKit

@Suite("BlueskyAdapter")
struct BlueskyAdapterTests {
    static let password = "abcd-efgh-ijkl-mnop"
    static let did = "did:plc:abc123"

    /// A PDS: sessions, records (kept by rkey), handle resolution; `hook` can override any answer.
    final class PDS: Sendable {
        let api: FakeAPI
        init(hook: @escaping @Sendable (HTTPRequest, Int) -> HTTPResponse? = { _, _ in nil }) {
            api = FakeAPI { r, n in
                if let answer = hook(r, n) { return answer }
                switch r.url.path {
                case "/xrpc/com.atproto.server.createSession":
                    return AFx.json(200, ["accessJwt": "access-1", "refreshJwt": "refresh-1", "did": .string(BlueskyAdapterTests.did),
                                          "handle": "me.bsky.social"])
                case "/xrpc/com.atproto.server.refreshSession":
                    return AFx.json(200, ["accessJwt": "access-2", "refreshJwt": "refresh-2", "did": .string(BlueskyAdapterTests.did),
                                          "handle": "me.bsky.social"])
                case "/xrpc/com.atproto.identity.resolveHandle":
                    let handle = AFx.query(r)["handle"] ?? ""
                    return handle == "alice.test" ? AFx.json(200, ["did": "did:plc:alice"])
                        : AFx.json(400, ["error": "InvalidRequest", "message": "Unable to resolve handle"])
                case "/xrpc/com.atproto.repo.createRecord":
                    let rkey = AFx.body(r)?["rkey"]?.string ?? "?"
                    return AFx.json(200, ["uri": .string("at://\(BlueskyAdapterTests.did)/app.bsky.feed.post/\(rkey)"),
                                          "cid": .string("cid-\(rkey)")],
                                    headers: ["RateLimit-Limit": "5000", "RateLimit-Remaining": "4997",
                                              "RateLimit-Reset": "1775003600"])
                default:
                    return AFx.json(404, ["error": "NotFound"])
                }
            }
        }
        var requests: [HTTPRequest] { get async { await api.requests } }
        func calls(_ nsid: String) async -> [HTTPRequest] { await requests.filter { $0.url.path == "/xrpc/\(nsid)" } }
    }

    func adapter(_ pds: PDS, base: String? = nil) throws -> BlueskyAdapter {
        try BlueskyAdapter(AFx.context(.bluesky, ["IDENTIFIER": "me.bsky.social", "APP_PASSWORD": Self.password],
                                       api: pds.api, apiBase: base), clock: AFx.clock)
    }

    @Test func createsTheRecordWithFacetsLangsAndDeterministicKey() async throws {
        let pds = PDS()
        let a = try adapter(pds)
        let text = "Hi @alice.test and @nobody.test, see example.com/x! #launch"
        let post = AFx.post(.bluesky, options: ["langs": .list(["en", "de"])])
        let result = try await a.publish(AFx.part(0, text, key: "k0"), of: post)
        let rkey = BlueskyTID.derive(from: "k0")
        #expect(result == SegmentResult(postID: "at://\(Self.did)/app.bsky.feed.post/\(rkey)",
                                        postURL: "https://bsky.app/profile/me.bsky.social/post/\(rkey)", cid: "cid-\(rkey)"))
        let session = try #require(await pds.calls("com.atproto.server.createSession").first)
        #expect(session.url.absoluteString == "https://bsky.social/xrpc/com.atproto.server.createSession")
        #expect(AFx.body(session) == ["identifier": "me.bsky.social", "password": .string(Self.password)])
        let create = try #require(await pds.calls("com.atproto.repo.createRecord").first)
        #expect(create.method == "POST")
        #expect(create.headers["Authorization"] == "Bearer access-1")
        let facets: JSONValue = [
            ["index": ["byteStart": 3, "byteEnd": 14],
             "features": [["$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"]]],
            ["index": ["byteStart": 37, "byteEnd": 50],
             "features": [["$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x"]]],
            ["index": ["byteStart": 52, "byteEnd": 59], "features": [["$type": "app.bsky.richtext.facet#tag", "tag": "launch"]]],
        ]
        #expect(AFx.body(create) == [
            "repo": .string(Self.did), "collection": "app.bsky.feed.post", "rkey": .string(rkey),
            "record": ["$type": "app.bsky.feed.post", "text": .string(text), "createdAt": "2026-03-31T23:33:20.000Z",
                       "langs": ["en", "de"], "facets": facets],
        ])
        #expect(await a.rateLimit() == RateLimitState(remaining: 4997, reset: Date(timeIntervalSince1970: 1_775_003_600)))
    }

    @Test func oneSessionForManyPostsEvenConcurrently() async throws {
        let pds = PDS()
        let a = try adapter(pds)
        try await withThrowingTaskGroup(of: SegmentResult.self) { group in
            for i in 0..<6 { group.addTask { try await a.publish(AFx.part(0, "post \(i)", key: "k\(i)"), of: AFx.post(.bluesky)) } }
            for try await _ in group {}
        }
        _ = try await a.publish(AFx.part(0, "later", key: "k9"), of: AFx.post(.bluesky))
        #expect(await pds.calls("com.atproto.server.createSession").count == 1)
        #expect(await pds.calls("com.atproto.repo.createRecord").count == 7)
    }

    @Test func repliesCarryRootAndParentStrongRefs() async throws {
        let pds = PDS()
        let a = try adapter(pds)
        let root = SegmentResult(postID: "at://\(Self.did)/app.bsky.feed.post/3aaaaaaaaaaaa", cid: "cidroot")
        let parent = SegmentResult(postID: "at://\(Self.did)/app.bsky.feed.post/3bbbbbbbbbbbb", cid: "cidparent")
        _ = try await a.publish(AFx.part(2, "third", parent: parent, root: root), of: AFx.post(.bluesky))
        let body = try #require(AFx.body(await pds.calls("com.atproto.repo.createRecord")[0]))
        #expect(body["record"]?["reply"] == [
            "root": ["uri": "at://did:plc:abc123/app.bsky.feed.post/3aaaaaaaaaaaa", "cid": "cidroot"],
            "parent": ["uri": "at://did:plc:abc123/app.bsky.feed.post/3bbbbbbbbbbbb", "cid": "cidparent"],
        ])
        let noCid = await AFx.failure { () async throws(PublishError) in
            try await a.publish(AFx.part(1, "x", parent: SegmentResult(postID: "at://x/y/z")), of: AFx.post(.bluesky))
        }
        #expect(noCid?.kind == .permanent)
    }

    @Test func expiredTokenRefreshesOnceAndRetries() async throws {
        let pds = PDS { r, _ in
            if r.url.path.hasSuffix("createRecord"), r.headers["Authorization"] == "Bearer access-1" {
                return AFx.json(400, ["error": "ExpiredToken", "message": "Token has expired"])
            }
            return nil
        }
        let a = try adapter(pds)
        _ = try await a.publish(AFx.part(0, "x", key: "k"), of: AFx.post(.bluesky))
        let refresh = try #require(await pds.calls("com.atproto.server.refreshSession").first)
        #expect(refresh.headers["Authorization"] == "Bearer refresh-1")
        let creates = await pds.calls("com.atproto.repo.createRecord")
        #expect(creates.map { $0.headers["Authorization"] } == ["Bearer access-1", "Bearer access-2"])
        #expect(await pds.calls("com.atproto.server.createSession").count == 1)
    }

    @Test func anExistingRecordUnderTheKeyIsSuccess() async throws {
        let rkey = BlueskyTID.derive(from: "k")
        let pds = PDS { r, _ in
            switch r.url.path {
            case "/xrpc/com.atproto.repo.createRecord":
                return AFx.json(500, ["error": "InternalServerError", "message": "Internal Server Error"])
            case "/xrpc/com.atproto.repo.getRecord":
                #expect(AFx.query(r) == ["repo": BlueskyAdapterTests.did, "collection": "app.bsky.feed.post", "rkey": rkey])
                return AFx.json(200, ["uri": .string("at://\(BlueskyAdapterTests.did)/app.bsky.feed.post/\(rkey)"), "cid": "cidX",
                                      "value": ["text": "same text"]])
            default: return nil
            }
        }
        let a = try adapter(pds)
        let result = try await a.publish(AFx.part(0, "same text", key: "k"), of: AFx.post(.bluesky))
        #expect(result.cid == "cidX")
        #expect(result.postID.hasSuffix("/\(rkey)"))
        let other = await AFx.failure { () async throws(PublishError) in
            try await a.publish(AFx.part(0, "different text", key: "k"), of: AFx.post(.bluesky))
        }
        #expect(other?.kind == .permanent)
    }

    @Test func aServerErrorWithoutRecordStaysTransient() async throws {
        let pds = PDS { r, _ in
            switch r.url.path {
            case "/xrpc/com.atproto.repo.createRecord": return AFx.json(502, ["error": "UpstreamFailure"])
            case "/xrpc/com.atproto.repo.getRecord": return AFx.json(400, ["error": "RecordNotFound"])
            default: return nil
            }
        }
        let a = try adapter(pds)
        let e = await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.bluesky)) }
        #expect(e?.kind == .transient && e?.httpStatus == 502)
    }

    @Test func badPasswordIsPermanentAndNotRetriedInTheRun() async throws {
        let pds = PDS { r, _ in
            r.url.path.hasSuffix("createSession")
                ? AFx.json(401, ["error": "AuthenticationRequired", "message": "Invalid identifier or password"]) : nil
        }
        let a = try adapter(pds)
        for _ in 0..<3 {
            let e = await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.bluesky)) }
            #expect(e?.kind == .permanent)
            #expect(e?.message.contains("Invalid identifier or password") == true)
            #expect(e?.message.contains("OCTOPOST_BLUESKY_APP_PASSWORD") == true)
            AFx.expectNoSecrets(e?.message ?? "", [Self.password])
        }
        #expect(await pds.calls("com.atproto.server.createSession").count == 1)
    }

    @Test func rateLimitPrefersRetryAfterThenReset() async throws {
        for (headers, expected) in [(["Retry-After": "120", "RateLimit-Reset": "1775009999"], AFx.now.addingTimeInterval(120)),
                                    (["RateLimit-Reset": "1775009999"], Date(timeIntervalSince1970: 1_775_009_999))] {
            let pds = PDS { r, _ in
                r.url.path.hasSuffix("createRecord")
                    ? AFx.json(429, ["error": "RateLimitExceeded", "message": "Rate Limit Exceeded"], headers: headers) : nil
            }
            let a = try adapter(pds)
            let e = await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.bluesky)) }
            #expect(e?.kind == .transient)
            #expect(e?.notBefore == expected)
        }
    }

    @Test func validationErrorsArePermanentAndServiceComesFromAPIBase() async throws {
        let pds = PDS { r, _ in
            r.url.path.hasSuffix("createRecord")
                ? AFx.json(400, ["error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record: text too long"]) : nil
        }
        let a = try adapter(pds, base: "http://127.0.0.1:8123")
        let e = await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.bluesky)) }
        #expect(e?.kind == .permanent && e?.message.contains("text too long") == true)
        #expect(await pds.requests.allSatisfy { $0.url.absoluteString.hasPrefix("http://127.0.0.1:8123/xrpc/") })
    }

    @Test func tidIsDeterministicValidAndDistinct() {
        let a = BlueskyTID.derive(from: "e3b0c442-index-0")
        #expect(a == BlueskyTID.derive(from: "e3b0c442-index-0"))
        #expect(a != BlueskyTID.derive(from: "e3b0c442-index-1"))
        let keys = (0..<500).map { BlueskyTID.derive(from: "key-\($0)") }
        #expect(Set(keys).count == 500)
        #expect(keys.allSatisfy(BlueskyTID.isValid))
        #expect(BlueskyTID.encode(0) == "2222222222222")
        #expect(BlueskyTID.encode(UInt64(Int64.max)) == "bzzzzzzzzzzzz")
        #expect(!BlueskyTID.isValid("kzzzzzzzzzzzz") && !BlueskyTID.isValid("222222222222"))
        // Timestamps stay between 2023 and mid-2027: never far in the future.
        for k in keys {
            var v: UInt64 = 0
            for c in k { v = v << 5 | UInt64(BlueskyTID.alphabet.firstIndex(of: c)!) }
            let seconds = Double(v >> 10) / 1_000_000
            #expect(seconds >= 1_672_531_200 && seconds < 1_672_531_200 + 4.5 * 365.25 * 86_400)
        }
    }

    @Test func recoveryIsTheDeterministicKey() throws {
        #expect(try adapter(PDS()).recoveryModes == [.deterministicKey])
    }
}
