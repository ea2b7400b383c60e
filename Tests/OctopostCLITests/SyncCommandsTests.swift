import Foundation
import OctopostKit
import OctopostSandbox
import Testing

/// `retry`, `sync --sandbox`, `--watch`, the webhook and the step summary, through the binary.
@Suite(.serialized) struct SyncCommandsTests {
    @Test func retryReleasesAFailedEntryAndTheNextSyncPublishesIt() async throws {
        let world = try await SyncWorld.start(posts: SyncEndToEndTests.simplePosts(["r"], platforms: ["telegram"]),
                                              platforms: [.telegram])
        await world.sandbox[.telegram]?.enqueue(SandboxFault(.status(403, retryAfter: nil)))
        let first = try await world.sync()
        #expect(first.status == 1, "\(first.stdout)\(first.stderr)")
        #expect(Summary(first.stdout)?.failed == 1)
        // Unchanged and failed: the next run leaves it alone.
        let idle = try await world.sync(advance: 120)
        #expect(Summary(idle.stdout)?.published == 0)
        let retry = try await Async.octopost(["retry", "r", "--repo", world.path], env: world.environment(advance: 180))
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(retry.stdout.contains("released telegram"))
        let log = try await Async.git(["log", "-1", "--format=%s"], in: world.path).stdout
        #expect(log.hasPrefix("octopost: retry r on telegram") && log.contains("[skip ci]"), "\(log)")
        let again = try await world.sync(advance: 240)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Summary(again.stdout)?.published == 1)
        #expect(await world.posts()["telegram"]?.count == 1)
        // Nothing left to release.
        let nothing = try await Async.octopost(["retry", "r", "--repo", world.path], env: world.environment(advance: 300))
        #expect(nothing.status == 1)
        await world.stop()
    }

    @Test func sandboxSyncPublishesAScratchCopyAndLeavesTheRepositoryAlone() async throws {
        let repo = try TempRepo(config: "timezone: UTC\n", files: [
            "content/a.md": "---\nplatforms: [mastodon, bluesky]\nscheduled_for: 2031-01-01T09:00:00Z\n---\nHello from the sandbox\n",
            "content/b.md": "---\nplatforms: [telegram, twitter, discord]\nscheduled_for: 2030-01-01T09:00:00Z\nsegments:\n  - content: part two\n---\nA thread\n",
            "content/draft.md": "---\nplatforms: [mastodon]\n---\nNot yet\n",
        ])
        try repo.commit("posts")
        let before = try await Async.git(["rev-parse", "HEAD"], in: repo.path).stdout
        let r = try await Async.octopost(["sync", "--sandbox", "--repo", repo.path, "--format", "json"], timeout: 120)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(doc["published"] as? Int == 5, "\(r.stdout)")
        #expect((doc["entries"] as? [[String: Any]])?.allSatisfy { $0["post_url"] != nil || $0["platform"] as? String == "discord" } == true)
        #expect(try await Async.git(["rev-parse", "HEAD"], in: repo.path).stdout == before)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/ledger"))
    }

    @Test(.timeLimit(.minutes(2))) func watchRepeatsUntilSignalledThenExitsZero() async throws {
        let world = try await SyncWorld.start(posts: SyncEndToEndTests.simplePosts(["w1"], platforms: ["mastodon"]),
                                              platforms: [.mastodon])
        let child = try world.spawnSync(["--watch", "--interval", "1s"])
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, child.stderrSoFar.components(separatedBy: "plan: ").count < 3 {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(child.signal(SIGTERM))
        let r = await child.wait(timeout: 30)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.components(separatedBy: "plan: ").count >= 3, "at least two due checks: \(r.stderr)")
        #expect(await world.posts()["mastodon"]?.count == 1)
        await world.stop()
    }

    @Test func webhookIsSignedAndTheStepSummaryWritten() async throws {
        let world = try await SyncWorld.start(posts: SyncEndToEndTests.simplePosts(["h"], platforms: ["mastodon"]),
                                              platforms: [.mastodon])
        let dir = try TempDir("octopost-webhook")
        // A one-request receiver, independent of octopost: it writes the raw body and the signature header.
        let server = """
        import http.server, sys
        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers['Content-Length']))
                open(sys.argv[1] + '/body', 'wb').write(body)
                open(sys.argv[1] + '/signature', 'w').write(self.headers.get('X-Octopost-Signature-256', ''))
                self.send_response(204); self.end_headers()
            def log_message(self, *a): pass
        s = http.server.HTTPServer(('127.0.0.1', 0), H)
        open(sys.argv[1] + '/port', 'w').write(str(s.server_port))
        s.handle_request()
        """
        try Data(server.utf8).write(to: URL(fileURLWithPath: dir.path + "/server.py"))
        let receiver = Process()
        receiver.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        receiver.arguments = ["python3", dir.path + "/server.py", dir.path]
        try receiver.run()
        defer { if receiver.isRunning { receiver.terminate() } }
        var port = ""
        for _ in 0..<100 where port.isEmpty {
            port = (try? String(contentsOfFile: dir.path + "/port", encoding: .utf8)) ?? ""
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        try #require(!port.isEmpty, "the receiver did not start")
        let summaryFile = dir.path + "/summary.md"
        let r = try await world.sync(env: [
            "OCTOPOST_WEBHOOK_URL": "http://127.0.0.1:\(port)/hook", "OCTOPOST_WEBHOOK_SECRET": "webhook-secret",
            "GITHUB_STEP_SUMMARY": summaryFile,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let body = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/body"))
        let event = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(event["event"] as? String == "sync.completed")
        #expect(event["published"] as? Int == 1)
        #expect((event["run_id"] as? String)?.isEmpty == false)
        #expect(event["repository"] as? String != nil)
        let signature = try String(contentsOfFile: dir.path + "/signature", encoding: .utf8)
        let expected = try await Async.run("/usr/bin/env", ["python3", "-c",
            "import hmac, hashlib, sys; print('sha256=' + hmac.new(b'webhook-secret', open(sys.argv[1], 'rb').read(), hashlib.sha256).hexdigest())",
            dir.path + "/body"])
        #expect(signature == expected.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let summary = try String(contentsOfFile: summaryFile, encoding: .utf8)
        #expect(summary.contains("### octopost sync"))
        #expect(summary.contains("| h | mastodon | published |"))
        await world.stop()
    }
}
