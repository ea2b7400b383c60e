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
        // Shorter pieces are too common to be telling.
        #expect(r("Mq7Xk2vL9 is fine") == "Mq7Xk2vL9 is fine")
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
