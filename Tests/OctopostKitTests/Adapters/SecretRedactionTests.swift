import Foundation
import Testing
@testable import OctopostKit

/// Redaction of every secret (environment, derived, received) before any cut, and where credentials may travel.
@Suite("Secret redaction and credential transport")
struct SecretRedactionTests {
    // MARK: Redactor

    @Test func knownSecretsAndTheirBeginningsAreRedacted() {
        let token = "Mq7Xk2vL9pR4tW8yB3nC6jH1fG5dS0aZ"
        let r = Redactor.forSecrets([token])
        #expect(r("token \(token) end") == "token <redacted> end")
        // A server that cut its echo shows only a beginning of the token.
        #expect(r("echo: \(token.prefix(20))") == "echo: <redacted>")
        #expect(r("echo: \(token.prefix(12))…") == "echo: <redacted>…")
        // Shorter beginnings where the text stops (a server's cut), down to 6 characters.
        #expect(r("echo: \(token.prefix(11))…") == "echo: <redacted>…")
        #expect(r("invalid token Mq7Xk2") == "invalid token <redacted>")
        // Not inside a longer word, and not 5 characters.
        #expect(r("Mq7Xk2vL9zz is another") == "Mq7Xk2vL9zz is another")
        #expect(r("Mq7Xk is fine") == "Mq7Xk is fine")
    }

    @Test func aBeginningThatIsAnOrdinaryWordIsKept() {
        // The sandbox's app password starts with a word that its handle also starts with.
        let r = Redactor.forSecrets(["sandbox-app-password"])
        #expect(r("https://bsky.app/profile/sandbox.bsky.social/post/3k") == "https://bsky.app/profile/sandbox.bsky.social/post/3k")
        #expect(r("cut: sandbox-app-pa") == "cut: <redacted>")
        #expect(Redactor.firstUnwordlike("sandbox-app-password") == nil)
        #expect(Redactor.firstUnwordlike("abcdefGh") == 7)
        #expect(Redactor.firstUnwordlike("7312456789:AAHk") == 12)
    }

    @Test func percentEncodingInEitherCaseOnceOrTwice() {
        let token = "7312456789:AAHk3vQ9xZp2LmN8rT5wY1uE6oI4aS7dF0g"
        let r = Redactor([token])
        for encoded in ["7312456789%3aAAHk3vQ9xZp2LmN8rT5wY1uE6oI4aS7dF0g", "7312456789%3AAAHk3vQ9xZp2LmN8rT5wY1uE6oI4aS7dF0g",
                        "7312456789%253aAAHk3vQ9xZp2LmN8rT5wY1uE6oI4aS7dF0g",
                        "%37%33%31%32456789%3a%41AHk3vQ9xZp2LmN8rT5wY1uE6oI4aS7dF0g",
                        token.lowercased(), token.uppercased()] {
            #expect(r("path=/bot\(encoded)/sendMessage") == "path=/bot<redacted>/sendMessage", "\(encoded)")
        }
        // A cut of the encoded form: its beginning decodes to 12+ characters of the token.
        #expect(r("lower=7312456789%3aAAHk3…") == "lower=<redacted>…")
        // Other percent-encoded text stays as it was.
        #expect(r("q=a%20b%3Ac") == "q=a%20b%3Ac")
    }

    @Test func base64AndBase64URLAtEveryAlignment() {
        let token = "Zq8xW3vB5nM1kL7jH2gF9dS4aP6oI0uY-tR3eE8wQ2zX5cV7bN1mK4lJ6hG9fD2sA"
        let r = Redactor([token])
        for lead in ["", "x", "xy", "user:", "Bot "] {
            let plain = Data((lead + token + "!").utf8)
            let standard = plain.base64EncodedString()
            let url = standard.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            for encoded in [standard, url] {
                let out = r("b64=\(encoded) end")
                #expect(out.contains("<redacted>") && out.hasSuffix(" end"), "'\(lead)': \(out)")
                // What is left holds no 8 characters of the encoded token.
                let inner = Redactor.base64Fragments(of: token)
                for fragment in inner { #expect(!out.contains(fragment.prefix(8)), "'\(lead)': \(out)") }
            }
        }
        // Short secrets get no base64 forms: 8 characters could be anything.
        #expect(Redactor.base64Fragments(of: "abc-1234").allSatisfy { $0.count >= 8 })
        #expect(Redactor.base64Fragments(of: "abc-123").isEmpty)
    }

    // MARK: What a server answers on success

    /// The answer a hostile server gives to a post: the token it was sent, in the id and the URL.
    @Test func tokensInASuccessAnswerAreRedactedBeforeTheyLeaveTheAdapter() async throws {
        let token = "Mq7Xk2vL9pR4tW8yB3nC6jH1fG5dS0aZeU4iO8uY"
        let api = FakeAPI { r, _ in
            let sent = String((r.headers["Authorization"] ?? "").dropFirst("Bearer ".count))
            let status: JSONValue = ["id": .string("1\(sent)"), "url": .string("https://m.example/@me/\(sent)"), "content": "<p>hello</p>"]
            switch (r.method, r.url.path) {
            case ("GET", "/api/v1/accounts/verify_credentials"): return AFx.json(200, ["id": "42"])
            case ("GET", _): return AFx.json(200, [status])
            default: return AFx.json(200, status)
            }
        }
        let adapter = try AdapterRegistry.factory(for: .mastodon, clock: AFx.clock)(
            AFx.context(.mastodon, ["TOKEN": token], api: api, apiBase: "https://m.example"))
        let result = try await adapter.publish(AFx.part(), of: AFx.post(.mastodon))
        #expect(result == SegmentResult(postID: "1<redacted>", postURL: "https://m.example/@me/<redacted>"))
        // And the same status found by a lookup (recovery after a lost answer).
        let found = try await adapter.findExisting(AFx.part(), of: AFx.post(.mastodon), since: AFx.now)
        #expect(found == result)
    }

    /// A handle, a channel id and a chat name are not secrets: the URLs that show them stay whole.
    @Test func publicCredentialFieldsSurviveInURLs() async throws {
        let credentials = Credentials(["IDENTIFIER": "me.bsky.social", "APP_PASSWORD": "abcd-efgh-ijkl-mnop"])
        #expect(credentials.secretValues(for: .bluesky) == ["abcd-efgh-ijkl-mnop"])
        #expect(Credentials(["BOT_TOKEN": "bot-token-1", "CHANNEL_ID": "100000000000000001"]).secretValues(for: .discord)
            == ["bot-token-1"])
        #expect(Credentials(["BOT_TOKEN": "1:abcdef", "CHAT_ID": "@my_channel"]).secretValues(for: .telegram) == ["1:abcdef"])
        for platform in Platform.allCases {
            #expect(platform.publicCredentialFields.isSubset(of: Set(platform.credentialFields)), "\(platform)")
            #expect(!platform.publicCredentialFields.contains { $0.contains("TOKEN") || $0.contains("SECRET") || $0.contains("PASSWORD") })
        }

        let bluesky = FakeAPI { r, _ in
            switch r.url.path {
            case "/xrpc/com.atproto.server.createSession":
                AFx.json(200, ["accessJwt": "sess-access-7Hq2Lm9Xv4Tp8Wn3", "refreshJwt": "sess-refresh-5Bc1Jd6Fg0Sa8Ke2",
                               "did": "did:plc:abc", "handle": "me.bsky.social"])
            default:
                AFx.json(200, ["uri": "at://did:plc:abc/app.bsky.feed.post/3kabc", "cid": "bafyreiabc"])
            }
        }
        let sky = try AdapterRegistry.factory(for: .bluesky, clock: AFx.clock)(AFx.context(.bluesky, [
            "IDENTIFIER": "me.bsky.social", "APP_PASSWORD": "abcd-efgh-ijkl-mnop"], api: bluesky))
        let posted = try await sky.publish(AFx.part(), of: AFx.post(.bluesky))
        #expect(posted.postURL == "https://bsky.app/profile/me.bsky.social/post/3kabc")

        let discord = FakeAPI { _, _ in
            AFx.json(200, ["id": "5", "channel_id": "100000000000000001", "guild_id": "300000000000000003"])
        }
        let bot = try AdapterRegistry.factory(for: .discord, clock: AFx.clock)(AFx.context(.discord, [
            "BOT_TOKEN": "Zq8xW3vB5nM1kL7jH2gF9dS4", "CHANNEL_ID": "100000000000000001"], api: discord))
        let message = try await bot.publish(AFx.part(), of: AFx.post(.discord))
        #expect(message.postURL == "https://discord.com/channels/300000000000000003/100000000000000001/5")
    }

    @Test func aBase64EchoInAnErrorIsRedacted() async throws {
        let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        let encoded = Data("x\(token)".utf8).base64EncodedString()
        let api = FakeAPI { _, _ in
            AFx.json(400, ["ok": false, "error_code": 400, "description": .string("Bad Request: b64=\(encoded)")])
        }
        let adapter = try AdapterRegistry.factory(for: .telegram, clock: AFx.clock)(
            AFx.context(.telegram, ["BOT_TOKEN": token, "CHAT_ID": "-100"], api: api))
        let error = try #require(await AFx.failure { () async throws(PublishError) -> SegmentResult in
            try await adapter.publish(AFx.part(), of: AFx.post(.telegram))
        })
        // Left: the characters that also hold bits of the "x" before it.
        #expect(error.message.hasSuffix("b64=\(encoded.prefix(2))<redacted>"), "\(error.message)")
    }

    @Test func credentialShapesAreRedactedWhoeverTheyBelongTo() {
        let r = Redactor([])
        let jwt = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmFiYyJ9.c2lnbmF0dXJl"
        #expect(r("Authorization: Bearer \(jwt)") == "Authorization: Bearer <redacted>")
        #expect(r("cut: \(jwt.prefix(30))") == "cut: <redacted>")
        #expect(r("Authorization: Bearer Zq8xW3vB5nM1kL7jH2gF9dS4") == "Authorization: Bearer <redacted>")
        #expect(r(#"OAuth oauth_consumer_key="k", oauth_signature="a%2Bb%3D", oauth_token="1-abc""#)
            == #"OAuth oauth_consumer_key="k", oauth_signature="<redacted>", oauth_token="<redacted>""#)
        #expect(r("see https://octo:hunter2@api.example.com/x and http://h/y")
            == "see https://***@api.example.com/x and http://h/y")
        // Ordinary words after those names stay.
        #expect(r("Basic authentication is required; Bot permissions missing")
            == "Basic authentication is required; Bot permissions missing")
    }

    // MARK: Where credentials may travel

    @Test func credentialsOnlyOverHTTPSOrToLoopback() {
        for allowed in ["https://api.example.com", "https://10.0.0.1/x", "http://127.0.0.1:8080", "http://127.1.2.3",
                        "http://localhost:9/x", "http://[::1]:80/", "http://user:pw@127.0.0.1/x", "HTTP://LOCALHOST"] {
            #expect(CredentialTransport.allowsCredentials(allowed), "\(allowed)")
        }
        for refused in ["http://example.invalid/repo.git", "http://0.0.0.0:9/x", "http://10.0.0.1", "http://127.example.com",
                        "http://127.0.0.1.evil.net", "http://localhost.evil.net", "http://192.168.1.1",
                        "ssh://git@github.com/o/r.git", "git@github.com:o/r.git", "ftp://127.0.0.1.x", "not a url"] {
            #expect(!CredentialTransport.allowsCredentials(refused), "\(refused)")
        }
        #expect(CredentialTransport.isAllowedHTTP(URL(string: "http://127.0.0.1:9")!))
        #expect(!CredentialTransport.isAllowedHTTP(URL(string: "ftp://127.0.0.1")!))
        #expect(!CredentialTransport.isAllowedHTTP(URL(string: "http://discord.com/api/webhooks/1/x")!))
    }

    @Test func apiBaseErrorsNeverShowUserInfo() {
        let target = PlatformTarget(platform: .mastodon)
        let result = APIBase.resolve(target, account: nil,
                                     environment: ["OCTOPOST_MASTODON_API_BASE": "http://me:s3cret@m.example.com"])
        guard case .failure(let e) = result else { Issue.record("plain http to a remote host is refused"); return }
        #expect(e.description == "API base 'http://***@m.example.com' uses plain http; that is allowed only for loopback hosts")
    }

    // MARK: Derived and received secrets

    /// Session tokens that look like nothing in particular: only the registry can know them.
    @Test func blueskySessionTokensEchoedByThePlatformAreRedacted() async throws {
        let access = "sess-access-7Hq2Lm9Xv4Tp8Wn3", refresh = "sess-refresh-5Bc1Jd6Fg0Sa8Ke2"
        let api = FakeAPI { r, _ in
            switch r.url.path {
            case "/xrpc/com.atproto.server.createSession":
                return AFx.json(200, ["accessJwt": .string(access), "refreshJwt": .string(refresh), "did": "did:plc:abc"])
            default:
                let auth = r.headers["Authorization"] ?? ""
                return AFx.json(400, ["error": "InvalidRequest",
                                      "message": .string("bad request with \(auth); refresh with \(refresh); cut \(access.prefix(14))")])
            }
        }
        let adapter = try BlueskyAdapter(AFx.context(.bluesky, ["IDENTIFIER": "me.bsky.social", "APP_PASSWORD": "abcd-efgh-ijkl-mnop"],
                                                     api: api), clock: AFx.clock)
        let error = try #require(await AFx.failure { () async throws(PublishError) -> SegmentResult in
            try await adapter.publish(AFx.part(), of: AFx.post(.bluesky))
        })
        AFx.expectNoSecrets(error.message, [access, refresh, String(access.prefix(12))])
        #expect(error.message.contains("bad request with Bearer <redacted>"), "\(error.message)")
    }

    @Test func theReasonIsRedactedBeforeItIsCut() async throws {
        let token = "Mq7Xk2vL9pR4tW8yB3nC6jH1fG5dS0aZeU4iO8uY2tQrV5bN7mK1"
        let api = FakeAPI { r, _ in
            let echoed = String(repeating: "x", count: 446) + "Authorization: " + (r.headers["Authorization"] ?? "")
            return AFx.json(422, ["error": .string(echoed)])
        }
        let adapter = try MastodonAdapter(AFx.context(.mastodon, ["TOKEN": token], api: api, apiBase: "https://m.example"),
                                          clock: AFx.clock)
        let error = try #require(await AFx.failure { () async throws(PublishError) -> SegmentResult in
            try await adapter.publish(AFx.part(), of: AFx.post(.mastodon))
        })
        for n in stride(from: 8, through: token.count, by: 4) {
            #expect(!error.message.contains(token.prefix(n)), "\(n) characters of the token in: \(error.message)")
        }
        #expect(error.message.contains("Authorization: Bearer <redacted>"))
    }

    @Test func xSignaturesEchoedAreRedacted() async throws {
        let api = FakeAPI { r, _ in AFx.json(400, ["detail": .string("you sent: \(r.headers["Authorization"] ?? "")")]) }
        let adapter = try XAdapter(AFx.context(.twitter, ["API_KEY": "ck-123456", "API_SECRET": "cs-123456",
                                                          "ACCESS_TOKEN": "1-at-123456", "ACCESS_TOKEN_SECRET": "ats-123456"],
                                               api: api), clock: AFx.clock, nonce: { "nonce12345" })
        let error = try #require(await AFx.failure { () async throws(PublishError) -> SegmentResult in
            try await adapter.publish(AFx.part(), of: AFx.post(.twitter))
        })
        let sent = try #require(await api.requests.first?.headers["Authorization"])
        let signature = try #require(sent.split(separator: ",").first { $0.contains("oauth_signature=") }?
            .split(separator: "\"").dropFirst().first.map(String.init))
        AFx.expectNoSecrets(error.message, [sent, signature, signature.removingPercentEncoding ?? signature])
    }

    // MARK: Redirects

    /// 303 is how a server answers a POST it has processed; 301 and 302 may come from one that did.
    @Test(arguments: [300, 301, 302, 303, 307, 308])
    func aRedirectAfterAPostIsALostAnswerUnless307Or308(status: Int) async throws {
        let api = FakeAPI { _, _ in HTTPResponse(status: status, headers: ["Location": "https://m.example/api/v1/statuses/1"]) }
        let adapter = try MastodonAdapter(AFx.context(.mastodon, ["TOKEN": "tok-en-123456"], api: api, apiBase: "https://m.example"),
                                          clock: AFx.clock)
        let error = try #require(await AFx.failure { () async throws(PublishError) -> SegmentResult in
            try await adapter.publish(AFx.part(), of: AFx.post(.mastodon))
        })
        let certain = status == 307 || status == 308
        #expect(error.uncertain == !certain && error.kind == (certain ? .permanent : .transient), "\(error)")
        #expect(error.httpStatus == status)
        #expect(error.message.contains("may have acted on the request") == !certain, "\(error.message)")
        #expect(await api.requests.count == 1, "sent once, not followed")

        // A GET changes nothing: any redirect of a lookup is a plain failure.
        let lookup = try #require(await AFx.failure { () async throws(PublishError) -> SegmentResult in
            try await adapter.findExisting(AFx.part(), of: AFx.post(.mastodon), since: AFx.now) ?? SegmentResult(postID: "none")
        })
        #expect(!lookup.uncertain && lookup.kind == .permanent)
    }

    @Test func aRedirectIsAnErrorNamingWhereItPointedWithoutTheToken() async throws {
        let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
        let api = FakeAPI { r, _ in
            HTTPResponse(status: 307, headers: ["Location": "https://evil.example/bot\(token)/sendMessage"])
        }
        let adapter = try TelegramAdapter(AFx.context(.telegram, ["BOT_TOKEN": token, "CHAT_ID": "-100"], api: api),
                                          clock: AFx.clock)
        let error = try #require(await AFx.failure { () async throws(PublishError) -> SegmentResult in
            try await adapter.publish(AFx.part(), of: AFx.post(.telegram))
        })
        #expect(error.kind == .permanent && !error.uncertain && error.httpStatus == 307)
        #expect(error.message.hasPrefix("Telegram answered HTTP 307, a redirect to https://evil.example/bot<redacted>/sendMessage "
            + "(another origin, https://evil.example); octopost does not follow redirects"), "\(error.message)")
        AFx.expectNoSecrets(error.message, [token])
        #expect(await api.requests.count == 1, "sent once, not followed")
    }
}
