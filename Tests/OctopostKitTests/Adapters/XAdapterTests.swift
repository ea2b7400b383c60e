import Foundation
import Testing
@testable import OctopostKit

@Suite("XAdapter")
struct XAdapterTests {
    static let creds = ["API_KEY": "xvz1evFS4wEEPTGEFPHBog", "API_SECRET": "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                        "ACCESS_TOKEN": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                        "ACCESS_TOKEN_SECRET": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"]
    static let signer = OAuth1Signer(consumerKey: creds["API_KEY"]!, consumerSecret: creds["API_SECRET"]!,
                                     token: creds["ACCESS_TOKEN"]!, tokenSecret: creds["ACCESS_TOKEN_SECRET"]!)

    func adapter(_ api: FakeAPI) throws -> XAdapter {
        try XAdapter(AFx.context(.twitter, Self.creds, api: api), clock: AFx.clock, nonce: { "fixednonce123" })
    }

    /// The worked example of X's "Creating a signature" page (same keys, nonce, timestamp and parameters).
    @Test func signatureMatchesTheDocumentedExample() throws {
        let url = try #require(URL(string: "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"))
        let params = [("include_entities", "true"), ("status", "Hello Ladies + Gentlemen, a signed OAuth request!")]
            + Self.signer.oauthParameters(nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", timestamp: 1_318_622_958)
        let base = OAuth1Signer.signatureBaseString(method: "post", url: url, parameters: params)
        #expect(base == "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26"
            + "oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26"
            + "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-"
            + "GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520"
            + "Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521")
        #expect(Self.signer.signature(baseString: base) == "hCtSmYh+iHYCEqBWrE7C7hYmtUk=")
        // The header form: the query parameter is read from the URL, the form body is passed in.
        let header = Self.signer.authorizationHeader(method: "POST", url: url,
                                                     parameters: [("status", "Hello Ladies + Gentlemen, a signed OAuth request!")],
                                                     nonce: "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", timestamp: 1_318_622_958)
        #expect(header == "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", "
            + "oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", "
            + "oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", "
            + "oauth_version=\"1.0\"")
    }

    @Test func percentEncodingFollowsRFC3986() {
        #expect(URLBuilder.percentEncode("Ladies + Gentlemen, ☃ ~-._*") == "Ladies%20%2B%20Gentlemen%2C%20%E2%98%83%20~-._%2A")
    }

    @Test func postsASignedJSONTweetAndAReply() async throws {
        let api = FakeAPI { _, _ in AFx.json(201, ["data": ["id": "1445880548472328192", "text": "x"]]) }
        let a = try adapter(api)
        let r0 = try await a.publish(AFx.part(0, "hello"), of: AFx.post(.twitter, options: ["reply_settings": .string("following")]))
        #expect(r0 == SegmentResult(postID: "1445880548472328192", postURL: "https://x.com/i/status/1445880548472328192"))
        _ = try await a.publish(AFx.part(1, "second", parent: r0), of: AFx.post(.twitter))
        let requests = await api.requests
        #expect(requests.map(\.method) == ["POST", "POST"])
        #expect(requests.allSatisfy { $0.url.absoluteString == "https://api.x.com/2/tweets" })
        #expect(AFx.body(requests[0]) == ["text": "hello", "reply_settings": "following"])
        #expect(AFx.body(requests[1]) == ["text": "second", "reply": ["in_reply_to_tweet_id": "1445880548472328192"]])
        // The JSON body is not signed: the header is the signature of method, URL and oauth_* only.
        let expected = Self.signer.authorizationHeader(method: "POST", url: URL(string: "https://api.x.com/2/tweets")!,
                                                       nonce: "fixednonce123", timestamp: Int(AFx.now.timeIntervalSince1970))
        #expect(requests[0].headers["Authorization"] == expected)
        #expect(requests[0].headers["Content-Type"] == "application/json")
    }

    @Test func rateLimitResetIsEpochSeconds() async throws {
        let api = FakeAPI { _, _ in
            AFx.json(429, ["title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429],
                     headers: ["x-rate-limit-limit": "100", "x-rate-limit-remaining": "0", "x-rate-limit-reset": "1775000900"])
        }
        let a = try adapter(api)
        let e = await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.twitter)) }
        #expect(e?.kind == .transient)
        #expect(e?.notBefore == Date(timeIntervalSince1970: 1_775_000_900))
        #expect(await a.rateLimit() == RateLimitState(remaining: 0, reset: Date(timeIntervalSince1970: 1_775_000_900)))
    }

    @Test(arguments: [
        (403, "You are not allowed to create a Tweet with duplicate content.", ErrorKind.permanent),
        (403, "Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.", .permanent),
        (401, "Unauthorized", .permanent),
        (400, "Invalid Request: One or more parameters to your request was invalid.", .permanent),
        (403, "You attempted to reply to a Tweet that is deleted or not visible to you.", .transient),
        (503, "Service Unavailable", .transient),
    ])
    func problemDetailsAreClassified(status: Int, detail: String, kind: ErrorKind) async throws {
        let api = FakeAPI { _, _ in AFx.json(status, ["title": "Forbidden", "detail": .string(detail), "type": "about:blank"]) }
        let a = try adapter(api)
        let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.twitter)) })
        #expect(e.kind == kind)
        #expect(e.message.contains(detail))
        AFx.expectNoSecrets(e.message, Array(Self.creds.values))
    }

    @Test func garbageAndTransportErrorsAreTransientAndRedacted() async throws {
        let answers: [Result<HTTPResponse, HTTPTransportError>] = [
            .success(AFx.text(200, "<!DOCTYPE html><html>Something went wrong</html>")),
            .failure(.connection("TLS failure for oauth_token=\(Self.creds["ACCESS_TOKEN"]!)")),
        ]
        for answer in answers {
            let api = FakeAPI { (_, _) throws(HTTPTransportError) in try answer.get() }
            let a = try adapter(api)
            let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.twitter)) })
            #expect(e.kind == .transient)
            AFx.expectNoSecrets(e.message, Array(Self.creds.values))
        }
    }

    @Test func findExistingLooksAtOwnRecentPosts() async throws {
        let api = FakeAPI { r, _ in
            switch r.url.path {
            case "/2/users/me": return AFx.json(200, ["data": ["id": "2244994945", "username": "me"]])
            case "/2/users/2244994945/tweets":
                return AFx.json(200, ["data": [
                    ["id": "1", "text": "something else"],
                    ["id": "2", "text": "Launch day &amp; more: https://t.co/abc123",
                     "referenced_tweets": [["type": "replied_to", "id": "99"]]],
                ]])
            default: return AFx.json(404, ["title": "Not Found"])
            }
        }
        let a = try adapter(api)
        let part = AFx.part(1, "Launch day & more: https://example.com/launch", parent: SegmentResult(postID: "99"))
        let found = try await a.findExisting(part, of: AFx.post(.twitter), since: AFx.now.addingTimeInterval(-300))
        #expect(found == SegmentResult(postID: "2", postURL: "https://x.com/i/status/2"))
        let list = try #require(await api.requests.last)
        #expect(AFx.query(list)["start_time"] == "2026-03-31T23:26:20Z")
        #expect(list.headers["Authorization"]?.hasPrefix("OAuth ") == true)
        // The query is part of the signature base string.
        let header = Self.signer.authorizationHeader(method: "GET", url: list.url, nonce: "fixednonce123",
                                                     timestamp: Int(AFx.now.timeIntervalSince1970))
        #expect(list.headers["Authorization"] == header)
        #expect(try await a.findExisting(AFx.part(0, "nope"), of: AFx.post(.twitter), since: AFx.now) == nil)
        #expect(a.recoveryModes == [.lookup])
    }

    @Test func missingCredentialsAreNamed() {
        #expect {
            _ = try XAdapter(AFx.context(.twitter, ["API_KEY": "k"], api: FakeAPI { _, _ in AFx.json(200, [:]) }),
                             clock: AFx.clock, nonce: { "n" })
        } throws: { error in
            let m = (error as? PublishError)?.message ?? ""
            return m.contains("OCTOPOST_TWITTER_API_SECRET") && m.contains("OCTOPOST_TWITTER_ACCESS_TOKEN_SECRET")
                && !m.contains("OCTOPOST_TWITTER_API_KEY,")
        }
    }
}
