import Foundation
import OctopostHTTP
import OctopostKit
import Testing
@testable import OctopostSandbox

@Suite struct FaultTests {
    let auth = ["Authorization": "Bearer t"]

    func post(_ h: Harness, _ text: String = "hello", timeout: TimeInterval = 10) async throws(HTTPTransportError) -> HTTPResponse {
        try await h.send("POST", "/api/v1/statuses", json: ["status": .string(text)], headers: auth, timeout: timeout)
    }

    @Test func statusFaultAnswersOnceInThePlatformsShapeAndPostsNothing() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.status(503, retryAfter: nil)))
            let r = try await post(h)
            #expect(r.status == 503)
            #expect(r.json["error"]?.string != nil)
            #expect(r.header("x-ratelimit-limit") != nil)
            #expect(try await h.posts().isEmpty)
            #expect(try await post(h).status == 200)
        }
    }

    @Test func fault429CarriesRetryAfterInEachPlatformsFormat() async throws {
        try await withEmulator(.telegram) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.status(429, retryAfter: 2)))
            let r = try await h.send("POST", "/bot1:t/sendMessage", json: ["chat_id": 1, "text": "x"])
            #expect(r.status == 429)
            #expect(r.json["parameters"]?["retry_after"]?.int == 2)
        }
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.status(429, retryAfter: 2)))
            let before = Date()
            let r = try await post(h)
            #expect(r.status == 429)
            let reset = try #require(r.header("x-ratelimit-reset"))
            let resolved = try Timestamp.resolve(reset, timeZone: nil).instant
            #expect(resolved.timeIntervalSince(before) > 1 && resolved.timeIntervalSince(before) < 10)
        }
        try await withEmulator(.discord) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.status(429, retryAfter: 2)))
            let r = try await h.send("POST", "/api/webhooks/1/t", json: ["content": "x"])
            #expect(r.status == 429)
            #expect(r.json["retry_after"] == .double(2) || r.json["retry_after"] == .int(2))
            #expect(r.header("retry-after") == "2")
        }
    }

    @Test func hangIsBoundedByTheClientTimeout() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.hang))
            let start = Date()
            await #expect(throws: HTTPTransportError.timeout) { try await post(h, timeout: 0.5) }
            #expect(Date().timeIntervalSince(start) < 5)
            #expect(try await h.posts().isEmpty)
            #expect(try await post(h).status == 200)
        }
    }

    @Test func hangEndsWhenTheEmulatorStops() async throws {
        let emulator = try await EmulatorServer.start(.mastodon)
        let h = Harness(emulator: emulator)
        await emulator.enqueue(SandboxFault(.hang))
        let start = Date()
        async let result: Result<HTTPResponse, HTTPTransportError> = {
            do throws(HTTPTransportError) { return .success(try await post(h, timeout: 30)) } catch { return .failure(error) }
        }()
        try await Task.sleep(nanoseconds: 300_000_000)
        await emulator.stop()
        let outcome = await result
        guard case .failure(let error) = outcome else {
            Issue.record("expected a transport error, got \(outcome)")
            return
        }
        #expect(error != .timeout)
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func garbageBodyIsNotJSON() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.garbage(status: 200)))
            let r = try await post(h)
            #expect(r.status == 200)
            #expect(r.header("content-type") == "application/json")
            #expect(JSON.parse(r.body) == nil)
            #expect(try await h.posts().isEmpty)
        }
    }

    @Test func htmlErrorPage() async throws {
        try await withEmulator(.bluesky) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.html(status: 502)))
            let r = try await h.send("POST", "/xrpc/com.atproto.server.createSession", json: ["identifier": "a.b", "password": "p"])
            #expect(r.status == 502)
            #expect(r.header("content-type") == "text/html")
            #expect(r.text.contains("<html>"))
        }
    }

    @Test func echoRepeatsTheAuthorizationAndRedirectIsHandedBackUnfollowed() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.echo(status: 422, pad: 3)),
                                     SandboxFault(.redirect(location: "http://127.0.0.1:9", status: 307)))
            let echoed = try await post(h)
            #expect(echoed.status == 422)
            #expect(echoed.json["error"]?.string == "xxxAuthorization: Bearer t (POST /api/v1/statuses)")
            // The live client never follows a redirect: the 3xx comes back as the answer.
            let moved = try await post(h)
            #expect(moved.status == 307)
            #expect(moved.header("location") == "http://127.0.0.1:9/api/v1/statuses")
            #expect(try await h.posts().isEmpty)
        }
    }

    @Test func echoAndRedirectFaultsOnTheWire() throws {
        let decode = { (text: String) in try JSONDecoder().decode(SandboxFault.self, from: Data(text.utf8)) }
        #expect(try decode(#"{"echo":true,"pad":4}"#).kind == .echo(status: 400, pad: 4))
        #expect(try decode(#"{"redirect":"http://127.0.0.1:9","status":308,"path":"x"}"#)
            == SandboxFault(.redirect(location: "http://127.0.0.1:9", status: 308), path: "x"))
        #expect(throws: (any Error).self) { try decode(#"{"echo":true,"redirect":"http://h"}"#) }
        for fault in [SandboxFault(.echo(status: 401, pad: 10)), SandboxFault(.redirect(location: "http://h", status: 302))] {
            #expect(try decode(String(decoding: JSONEncoder().encode(fault), as: UTF8.self)) == fault)
        }
    }

    @Test func answerFillsTheCredentialAndRedirectAfterCommitActsFirst() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.answer(status: 200, body: #"{"id":"1{{authorization}}","url":"{{path}}"}"#)),
                                     SandboxFault(.redirectAfterCommit(location: "http://127.0.0.1:9", status: 303)))
            let hostile = try await post(h)
            #expect(hostile.status == 200)
            #expect(hostile.json["id"]?.string == "1t" && hostile.json["url"]?.string == "/api/v1/statuses")
            #expect(try await h.posts().isEmpty, "an answer fault does not act")
            let seeOther = try await post(h)
            #expect(seeOther.status == 303)
            #expect(seeOther.header("location") == "http://127.0.0.1:9/api/v1/statuses")
            #expect(try await h.posts().count == 1, "the post was created before the redirect")
        }
    }

    @Test func answerAndRedirectAfterCommitOnTheWire() throws {
        let decode = { (text: String) in try JSONDecoder().decode(SandboxFault.self, from: Data(text.utf8)) }
        #expect(try decode(#"{"redirect":"http://h","after_commit":true}"#).kind == .redirectAfterCommit(location: "http://h", status: 303))
        #expect(try decode(#"{"answer":"{}","status":201}"#).kind == .answer(status: 201, body: "{}"))
        #expect(throws: (any Error).self) { try decode(#"{"answer":"{}","redirect":"http://h"}"#) }
        for fault in [SandboxFault(.redirectAfterCommit(location: "http://h", status: 301)), SandboxFault(.answer(status: 200, body: "{}"))] {
            #expect(try decode(String(decoding: JSONEncoder().encode(fault), as: UTF8.self)) == fault)
        }
    }

    @Test func dropClosesWithoutAnswerOrPost() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.drop))
            await #expect(throws: HTTPTransportError.self) { try await post(h) }
            #expect(try await h.posts().isEmpty)
        }
    }

    @Test func dropAfterCommitPostsButNeverAnswers() async throws {
        try await withEmulator(.twitter) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.dropAfterCommit))
            do throws(HTTPTransportError) {
                let r = try await h.send("POST", "/2/tweets", json: ["text": "crash window"], headers: ["Authorization": oauthHeader])
                Issue.record("expected no answer, got \(r.status)")
            } catch {
                if case .connection = error {} else { Issue.record("expected a connection error, got \(error)") }
            }
            let posts = try await h.posts()
            #expect(posts.map(\.text) == ["crash window"])
            // The post is findable by reading recent posts.
            let list = try await h.send("GET", "/2/users/\(XEmulator.userID)/tweets", headers: ["Authorization": oauthHeader])
            #expect(list.json["data"]?.array?.first?["id"]?.string == posts.first?.id)
        }
    }

    @Test func faultsConfiguredOverHTTP() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            let plan: JSON = ["latency_ms": 0, "next": [["status": 503], ["status": 429, "retry_after": 2], ["drop_after_commit": true]]]
            let set = try await h.send("POST", "/__sandbox/faults", json: plan)
            #expect(set.status == 200)
            #expect(set.json["next"]?.array?.count == 3)
            #expect(try await post(h, "a").status == 503)
            #expect(try await post(h, "b").status == 429)
            await #expect(throws: HTTPTransportError.self) { try await post(h, "c") }
            #expect(try await post(h, "d").status == 200)
            let posts = try await h.posts()
            #expect(posts.map(\.text) == ["c", "d"])
            let raw = try await h.send("GET", "/__sandbox/posts")
            let first = try #require(raw.json.array?.first)
            #expect(first["id"]?.string == posts[0].id)
            #expect(first["created_at"]?.string != nil)
            #expect(first["text"]?.string == "c")

            let reset = try await h.send("POST", "/__sandbox/reset")
            #expect(reset.status == 200)
            #expect(try await h.posts().isEmpty)

            let bad = try await h.send("POST", "/__sandbox/faults", json: ["next": [["hang": true, "drop": true]]])
            #expect(bad.status == 400)
            let unknown = try await h.send("POST", "/__sandbox/faults", json: ["next": [["nothing": true]]])
            #expect(unknown.status == 400)
        }
    }

    @Test func faultsCanTargetAPath() async throws {
        try await withEmulator(.bluesky) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.status(500, retryAfter: nil), path: "createRecord"))
            let session = try await h.send("POST", "/xrpc/com.atproto.server.createSession", json: ["identifier": "a.b", "password": "p"])
            #expect(session.status == 200)
            let jwt = try #require(session.json["accessJwt"]?.string)
            let did = try #require(session.json["did"]?.string)
            let r = try await h.send("POST", "/xrpc/com.atproto.repo.createRecord",
                                     json: ["repo": .string(did), "collection": "app.bsky.feed.post",
                                            "record": ["$type": "app.bsky.feed.post", "text": "x", "createdAt": "2026-04-10T09:00:00Z"]],
                                     headers: ["Authorization": "Bearer \(jwt)"])
            #expect(r.status == 500)
            #expect(r.json["error"]?.string == "InternalServerError")
        }
    }

    @Test func latencyDelaysEveryPlatformRequest() async throws {
        try await withEmulator(.discord) { (h: Harness) async throws in
            let set = try await h.send("POST", "/__sandbox/faults", json: ["latency_ms": 300])
            #expect(set.json["latency_ms"]?.int == 300)
            let start = Date()
            _ = try await h.send("POST", "/api/webhooks/1/t", json: ["content": "slow"])
            #expect(Date().timeIntervalSince(start) >= 0.3)
        }
    }
}

@Suite struct LiveHTTPClientTests {
    @Test func transportErrorsNeverCarryTheURL() async throws {
        let emulator = try await EmulatorServer.start(.telegram)
        let url = URL(string: "\(emulator.baseURL.absoluteString)/bot123456:SECRET-TOKEN-xyz/sendMessage")!
        await emulator.stop()
        let client = LiveHTTPClient()
        do {
            _ = try await client.send(HTTPRequest(method: "POST", url: url, body: Data("{}".utf8), timeout: 2))
            Issue.record("expected the closed port to refuse")
        } catch {
            guard case .notSent(let reason) = error else {
                Issue.record("a closed port is a request that was never sent: expected .notSent, got \(error)")
                return
            }
            #expect(!reason.contains("SECRET"))
            #expect(!reason.contains("127.0.0.1"))
            #expect(!reason.contains("bot"))
            #expect(!"\(error)".contains("SECRET"))
        }
    }

    @Test func droppedConnectionReasonHasNoToken() async throws {
        try await withEmulator(.discord) { (h: Harness) async throws in
            await h.emulator.enqueue(SandboxFault(.drop))
            do {
                _ = try await h.send("POST", "/api/webhooks/1/TOPSECRET-WEBHOOK-TOKEN?wait=true", json: ["content": "x"])
                Issue.record("expected a transport error")
            } catch {
                #expect(!"\(error)".contains("TOPSECRET"))
                #expect(!"\(error)".contains("webhooks"))
            }
        }
    }

    /// A request whose (reused) connection died is never re-sent: a re-sent POST would publish twice.
    @Test func aPOSTDroppedAfterEarlierRequestsIsNotResent() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            _ = try await h.send("GET", "/api/v2/instance")
            _ = try await h.send("POST", "/api/v1/statuses", json: ["status": "first"], headers: ["Authorization": "Bearer t"])
            await h.emulator.enqueue(SandboxFault(.dropAfterCommit))
            let start = Date()
            await #expect(throws: HTTPTransportError.self) {
                try await h.send("POST", "/api/v1/statuses", json: ["status": "second"], headers: ["Authorization": "Bearer t"],
                                 timeout: 10)
            }
            #expect(Date().timeIntervalSince(start) < 5)
            #expect(try await h.posts().map(\.text) == ["first", "second"])
        }
    }

    @Test func nonHTTPURLsAreInvalid() async throws {
        let client = LiveHTTPClient()
        await #expect(throws: HTTPTransportError.invalidURL) {
            try await client.send(HTTPRequest(method: "GET", url: URL(string: "file:///etc/passwd")!))
        }
    }

    @Test func headersComeBackLowerCased() async throws {
        try await withEmulator(.mastodon) { (h: Harness) async throws in
            let r = try await h.send("GET", "/api/v2/instance")
            #expect(r.status == 200)
            #expect(r.headers.keys.allSatisfy { $0 == $0.lowercased() })
            #expect(r.headers["x-ratelimit-limit"] == "300")
            #expect(r.json["configuration"]?["statuses"]?["max_characters"]?.int == 500)
        }
    }
}

@Suite struct SandboxTests {
    @Test func startsAllFiveOnTheirOwnPortsAndStops() async throws {
        let sandbox = try await Sandbox.start()
        let urls = sandbox.baseURLs
        #expect(Set(urls.keys) == [.mastodon, .bluesky, .telegram, .twitter, .discord])
        #expect(Set(urls.values.map(\.port)).count == 5)
        #expect(urls.values.allSatisfy { $0.host == "127.0.0.1" && $0.scheme == "http" && $0.path.isEmpty })
        let lines = sandbox.exportLines
        #expect(lines.contains("export OCTOPOST_MASTODON_API_BASE=\(urls[.mastodon]!.absoluteString)"))
        #expect(lines.contains("export OCTOPOST_TWITTER_API_BASE=\(urls[.twitter]!.absoluteString)"))
        #expect(lines.contains("export OCTOPOST_MASTODON_TOKEN=sandbox-token"))
        let client = LiveHTTPClient()
        let r = try await client.send(HTTPRequest(method: "GET", url: URL(string: urls[.bluesky]!.absoluteString + "/__sandbox/posts")!))
        #expect(r.status == 200)
        await sandbox.stop()
        await #expect(throws: HTTPTransportError.self) {
            try await client.send(HTTPRequest(method: "GET", url: URL(string: urls[.bluesky]!.absoluteString + "/__sandbox/posts")!, timeout: 2))
        }
    }

    @Test func refusesPlatformsWithoutAnEmulator() async throws {
        await #expect(throws: SandboxError.unsupported(.linkedin)) { try await Sandbox.start([.linkedin]) }
    }

    @Test func parsesLatencyDurations() {
        #expect(SandboxDuration.parseSeconds("50ms") == 0.05)
        #expect(SandboxDuration.parseSeconds("2s") == 2)
        #expect(SandboxDuration.parseSeconds("1m") == 60)
        #expect(SandboxDuration.parseSeconds("75") == 0.075)
        #expect(SandboxDuration.parseSeconds("fast") == nil)
    }
}
