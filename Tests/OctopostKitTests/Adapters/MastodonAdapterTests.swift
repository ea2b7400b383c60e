import Foundation
import Testing
@testable import OctopostKit

@Suite("MastodonAdapter")
struct MastodonAdapterTests {
    let token = "mastodon-secret-token-123"

    func adapter(_ api: FakeAPI, base: String? = "https://m.example") throws -> MastodonAdapter {
        try MastodonAdapter(AFx.context(.mastodon, ["TOKEN": token], api: api, apiBase: base), clock: AFx.clock)
    }

    @Test func publishesWithExactRequest() async throws {
        let api = FakeAPI { _, _ in AFx.json(200, ["id": "10911", "url": "https://m.example/@me/10911", "uri": "x"]) }
        let post = AFx.post(.mastodon, options: ["visibility": .string("unlisted"), "language": .string("de"),
                                                 "sensitive": .bool(true)], contentWarning: "spoilers")
        let result = try await adapter(api).publish(AFx.part(0, "Hallo Welt", key: "key-0"), of: post)
        #expect(result == SegmentResult(postID: "10911", postURL: "https://m.example/@me/10911"))
        let r = try #require(await api.requests.first)
        #expect(r.method == "POST")
        #expect(r.url.absoluteString == "https://m.example/api/v1/statuses")
        #expect(r.headers["Authorization"] == "Bearer \(token)")
        #expect(r.headers["Idempotency-Key"] == "key-0")
        #expect(r.headers["Content-Type"] == "application/json")
        #expect(AFx.body(r) == ["status": "Hallo Welt", "spoiler_text": "spoilers", "visibility": "unlisted",
                                "language": "de", "sensitive": true])
    }

    @Test func replyCarriesInReplyToID() async throws {
        let api = FakeAPI { _, _ in AFx.json(200, ["id": "2", "url": "https://m.example/@me/2"]) }
        _ = try await adapter(api).publish(AFx.part(1, "second", parent: SegmentResult(postID: "109")), of: AFx.post(.mastodon))
        let body = try #require(AFx.body(await api.requests[0]))
        #expect(body == ["status": "second", "in_reply_to_id": "109"])
    }

    @Test func missingInstanceIsPermanentAndSaysWhatToSet() {
        let api = FakeAPI { _, _ in AFx.json(200, [:]) }
        #expect {
            _ = try adapter(api, base: nil)
        } throws: { error in
            let e = error as? PublishError
            return e?.kind == .permanent && e!.message.contains("instance") && e!.message.contains("OCTOPOST_MASTODON_API_BASE")
        }
    }

    @Test(arguments: [(401, "The access token is invalid"), (403, "Your login is currently disabled"),
                      (404, "Record not found"), (422, "Validation failed: Text character limit of 500 exceeded")])
    func clientErrorsArePermanentWithThePlatformText(status: Int, text: String) async throws {
        let api = FakeAPI { _, _ in AFx.json(status, ["error": .string(text)]) }
        let a = try adapter(api)
        let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.mastodon)) })
        #expect(e.kind == .permanent)
        #expect(e.httpStatus == status)
        #expect(e.message.contains(text))
        AFx.expectNoSecrets(e.message, [token])
    }

    @Test func rateLimitUsesTheISOResetHeader() async throws {
        let api = FakeAPI { _, _ in
            AFx.json(429, ["error": "Too many requests"], headers: ["X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                                                                   "X-RateLimit-Reset": "2026-04-01T00:05:00.123456Z"])
        }
        let a = try adapter(api)
        let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.mastodon)) })
        let reset = try Timestamp.resolve("2026-04-01T00:05:00.123456Z", timeZone: nil).instant
        #expect(e.kind == .transient)
        #expect(abs((e.notBefore ?? .distantPast).timeIntervalSince(reset)) < 0.001)
        #expect(await a.rateLimit() == RateLimitState(remaining: 0, reset: e.notBefore))
    }

    @Test func serverErrorsGarbageAndTransportFailuresAreTransient() async throws {
        let answers: [Result<HTTPResponse, HTTPTransportError>] = [
            .success(AFx.json(503, ["error": "Remote data could not be fetched"])),
            .success(AFx.text(200, "<html>Welcome to nginx</html>")),
            .failure(.timeout),
            .failure(.connection("https://m.example/api/v1/statuses?access_token=\(token) refused")),
        ]
        for answer in answers {
            let api = FakeAPI { (_, _) throws(HTTPTransportError) in try answer.get() }
            let a = try adapter(api)
            let e = try #require(await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.mastodon)) })
            #expect(e.kind == .transient, "\(e.message)")
            AFx.expectNoSecrets(e.message, [token])
        }
        let api = FakeAPI { _, _ in AFx.text(200, "<html>oops</html>") }
        let a = try adapter(api)
        let e = await AFx.failure { () async throws(PublishError) in try await a.publish(AFx.part(), of: AFx.post(.mastodon)) }
        #expect(e?.message.contains("unexpected answer from Mastodon") == true && e?.message.contains("not JSON") == true)
    }

    @Test func findExistingMatchesTheHTMLOfOwnRecentStatuses() async throws {
        let api = FakeAPI { r, _ in
            switch r.url.path {
            case "/api/v1/accounts/verify_credentials": return AFx.json(200, ["id": "77", "username": "me"])
            case "/api/v1/accounts/77/statuses":
                return AFx.json(200, [
                    ["id": "1", "created_at": "2026-03-31T23:30:00.000Z", "in_reply_to_id": .null,
                     "content": "<p>other</p>", "url": "https://m.example/@me/1"],
                    ["id": "2", "created_at": "2026-03-31T23:31:00.000Z", "in_reply_to_id": "100",
                     "content": "<p>Hi <span class=\"h-card\"><a href=\"https://x.social/@bob\" class=\"u-url mention\">@<span>bob</span></a></span> &amp; see <a href=\"https://example.com/a\"><span class=\"invisible\">https://</span><span>example.com/a</span></a></p>",
                     "url": "https://m.example/@me/2"],
                ])
            default: return AFx.json(404, ["error": "not found"])
            }
        }
        let a = try adapter(api)
        let part = AFx.part(1, "Hi @bob@x.social & see https://example.com/a", parent: SegmentResult(postID: "100"))
        let found = try await a.findExisting(part, of: AFx.post(.mastodon), since: AFx.now.addingTimeInterval(-600))
        #expect(found == SegmentResult(postID: "2", postURL: "https://m.example/@me/2"))
        let requests = await api.requests
        #expect(requests.map(\.method) == ["GET", "GET"])
        #expect(requests.allSatisfy { $0.headers["Authorization"] == "Bearer \(token)" })
        let missing = try await a.findExisting(AFx.part(0, "never sent"), of: AFx.post(.mastodon), since: AFx.now)
        #expect(missing == nil)
        #expect(await api.requests.count == 3)  // the account id is cached
    }

    @Test func recoveryModes() throws {
        let a = try adapter(FakeAPI { _, _ in AFx.json(200, [:]) })
        #expect(a.recoveryModes == [.idempotent(window: RecoveryMode.mastodonWindow), .lookup])
    }
}
