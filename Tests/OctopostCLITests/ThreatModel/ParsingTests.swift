import Foundation
import OctopostKit
import OctopostSandbox
import Testing

/// Issue 7, items 4 and 17: hostile YAML is parsed within bounds, a signal ends a run that has not
/// started sending, and every message is in the user's words.
@Suite("Threat model: parsing and messages", .serialized)
struct ThreatModelParsingTests {
    /// Anchors k0…kN, each a list of eight aliases of the one before (8^N values written out), then
    /// `? *kN : 1`: a mapping key that Yams hashes by walking all of it.
    static func aliasBomb(levels: Int, indent: String = "") -> String {
        var lines = ["\(indent)a0: &k0 [x, x, x, x, x, x, x, x]"]
        for i in 1...levels {
            lines.append("\(indent)a\(i): &k\(i) [" + Array(repeating: "*k\(i - 1)", count: 8).joined(separator: ", ") + "]")
        }
        lines.append("\(indent)? *k\(levels)\n\(indent): 1")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A loopback port that accepts connections (the kernel's backlog) and never answers: a git remote
    /// that hangs. Closed when the value goes away.
    final class SilentServer {
        let fd: Int32
        let port: UInt16
        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            try #require(bound == 0 && listen(fd, 16) == 0, "cannot listen on 127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            self.port = UInt16(bigEndian: addr.sin_port)
        }
        deinit { close(fd) }
    }

    @Test("7.4 an alias bomb in a mapping key never hangs lint, plan or sync, and a signal ends a run before it sends",
          .timeLimit(.minutes(3)))
    func aliasBombAndSignals() async throws {
        // A 555-byte post: 8^9 values behind one key (over 10 minutes before), next to a post that is due.
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let bomb = "---\nplatforms: [mastodon]\nscheduled_for: \(at)\n" + Self.aliasBomb(levels: 9) + "---\nboom\n"
        let world = try await SyncWorld.start(posts: [
            "content/bomb.md": bomb,
            "content/ok.md": PostFile.make(platforms: ["mastodon"], at: at, body: "the post next to the bomb"),
        ], platforms: [.mastodon])

        let lint = try await Async.octopost(["lint", "--repo", world.path], timeout: 60)
        #expect(lint.seconds < 10, "lint took \(lint.seconds) s")
        #expect(lint.status == 1, "\(lint.stdout)\(lint.stderr)")
        // Line 14 is `? *k9`; the alias is at column 3.
        #expect(lint.stdout.contains("content/bomb.md:14:3: error: an alias (*k9) cannot be used in a field name"),
                "\(lint.stdout)")

        let plan = try await Async.octopost(["plan", "--repo", world.path], env: world.environment(), timeout: 60)
        #expect(plan.seconds < 10, "plan took \(plan.seconds) s")
        #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stdout.contains("due  ok → mastodon"), "\(plan.stdout)")
        #expect(plan.stderr.contains("skipped content/bomb.md:14:3"), "\(plan.stderr)")

        let sync = try await world.sync(timeout: 60)
        #expect(sync.seconds < 20, "sync took \(sync.seconds) s")
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(sync.stderr.contains("skipped content/bomb.md:14:3"), "\(sync.stderr)")
        #expect(await world.posts()["mastodon"]?.map(\.text) == ["the post next to the bomb"])
        await world.stop()

        // The same in octopost.yaml (43 s at six levels before), and aliases in its values, which the
        // secret scan walks one by one (over a minute at seven levels before).
        let valueBomb = "timezone: UTC\naccounts:\n  mastodon:\n"
            + Self.aliasBomb(levels: 7, indent: "    ").split(separator: "\n").dropLast(2).joined(separator: "\n") + "\n"
        for (config, expected) in [
            ("timezone: UTC\n" + Self.aliasBomb(levels: 6), "octopost.yaml:6:10: error: the aliases up to here (*k3) repeat"),
            (valueBomb, "octopost.yaml:8:14: error: the aliases up to here (*k3) repeat"),
            ("timezone: UTC\n" + Self.aliasBomb(levels: 1), "octopost.yaml:4:3: error: an alias (*k1) cannot be used in a field name"),
        ] {
            let repo = try TempRepo(config: config, files: [
                "content/a.md": PostFile.make(platforms: ["mastodon"], at: at, body: "a"),
            ])
            try repo.commit()
            for command in ["lint", "plan", "sync"] {
                let r = try await Async.octopost([command, "--repo", repo.path], timeout: 60)
                #expect(r.seconds < 10, "\(command) took \(r.seconds) s")
                #expect(r.status == 2, "\(command): \(r.stdout)\(r.stderr)")
                #expect((r.stdout + r.stderr).contains(expected), "\(command): \(r.stdout)\(r.stderr)")
            }
        }

        // SIGTERM (and SIGINT) before any request is in flight ends the run at once, whatever it is doing:
        // here it waits on a remote that never answers (before, the signal only set a flag nobody read
        // until the fetch gave up). Nothing is claimed, nothing sent; --watch exits 0 (SPEC §7).
        let silent = try SilentServer()
        let stuck = try await SyncWorld.start(posts: SyncEndToEndTests.simplePosts(["s"]), platforms: [.mastodon])
        try await Async.git(["remote", "add", "origin", "http://127.0.0.1:\(silent.port)/content.git"], in: stuck.path)
        let head = try await Async.git(["rev-parse", "HEAD"], in: stuck.path).stdout
        for (extra, signal, status) in [([String](), SIGTERM, Int32(143)), ([], SIGINT, 130), (["--watch"], SIGTERM, 0)] {
            let child = try stuck.spawnSync(["--push"] + extra)
            try await Task.sleep(nanoseconds: 1_500_000_000)
            #expect(child.signal(signal), "the run ended before the signal: \(child.stderrSoFar)")
            let sent = Date()
            let r = await child.wait(timeout: 30)
            #expect(Date().timeIntervalSince(sent) < 3, "\(extra) \(signal): ended \(Date().timeIntervalSince(sent)) s after the signal")
            #expect(r.status == status, "\(extra) \(signal): exit \(r.status): \(r.stderr)")
            #expect(!child.killedBySignal)
        }
        #expect(try await Async.git(["rev-parse", "HEAD"], in: stuck.path).stdout == head, "a claim was committed")
        #expect(Ledger.onDisk(stuck.path).isEmpty)
        #expect(await stuck.posts()["mastodon"]?.isEmpty == true)
        await stuck.stop()
    }

    /// Words of Swift rather than of the user: camelCase identifiers, enum payload dumps, module names.
    static func swiftInternals(_ text: String) -> [String] {
        let patterns = [#"\b[a-z]+[A-Z][a-z]+[A-Za-z]*\b"#, #"\b[a-zA-Z]+\([a-zA-Z]+: "#, #"Optional\("#,
                        #"\b(Swift|Foundation|OctopostKit)\."#]
        var found: [String] = []
        for p in patterns {
            let regex = try! NSRegularExpression(pattern: p)
            for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let r = Range(m.range, in: text) { found.append(String(text[r])) }
            }
        }
        return found
    }

    @Test("7.17 no message shows Swift internals, and year 0000 is never read as a time", .timeLimit(.minutes(2)))
    func messagesInTheUsersWords() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: [
            "content/a.md": PostFile.make(platforms: ["mastodon"], at: at, body: "first of two", extra: "id: same\n"),
            "content/b.md": PostFile.make(platforms: ["mastodon"], at: at, body: "second of two", extra: "id: same\n"),
            "content/c.md": PostFile.make(platforms: ["mastodon"], at: at, body: "its ledger is broken"),
            "ledger/c.json": "{ this is not json\n",
            "content/long.md": PostFile.make(platforms: ["mastodon"], at: at, body: String(repeating: "long ", count: 120)),
            "content/zero.md": "---\nplatforms: [mastodon]\nscheduled_for: 0000-01-01T00:00:00Z\n---\nthe year zero\n",
            "content/ok.md": PostFile.make(platforms: ["mastodon"], at: at, body: "an ordinary post"),
        ], platforms: [.mastodon])

        let lint = try await Async.octopost(["lint", "--repo", world.path])
        #expect(lint.status == 1)
        #expect(lint.stdout.contains(
            "content/zero.md:3:16: error: scheduled_for: '0000-01-01T00:00:00Z' is outside the years 0001 to 9999"),
            "\(lint.stdout)")

        let plan = try await Async.octopost(["plan", "--repo", world.path], env: world.environment())
        #expect(plan.status == 0, "\(plan.stderr)")
        let planText = plan.stdout + plan.stderr
        #expect(Self.swiftInternals(planText).isEmpty, "\(Self.swiftInternals(planText)) in:\n\(planText)")
        #expect(plan.stderr.contains("skipped same: the files content/a.md and content/b.md all have this id"), "\(planText)")
        #expect(plan.stderr.contains("skipped c: its ledger file cannot be read"), "\(planText)")
        #expect(plan.stdout.contains("long → mastodon  (breaks the platform's rules: "), "\(planText)")
        #expect(!planText.contains("0001-01-01") && !planText.contains("due  zero"), "\(planText)")

        let sync = try await world.sync()
        let syncText = sync.stdout + sync.stderr
        #expect(sync.status == 1, "the long post failed: \(syncText)")
        #expect(Self.swiftInternals(syncText).isEmpty, "\(Self.swiftInternals(syncText)) in:\n\(syncText)")
        #expect(sync.stderr.contains("note: skipped same: the files content/a.md and content/b.md all have this id"),
                "\(syncText)")
        #expect(sync.stderr.contains("note: skipped c: its ledger file cannot be read"), "\(syncText)")
        #expect(!syncText.contains("0001-01-01"), "\(syncText)")
        #expect(await world.posts()["mastodon"]?.map(\.text) == ["an ordinary post"])
        #expect(Ledger.onDisk(world.path)["zero"] == nil)

        // Nor as the run's clock.
        for (args, env) in [(["plan", "--now", "0000-01-01T00:00:00Z"], [String: String]()),
                            (["sync", "--dry-run"], ["OCTOPOST_NOW": "0000-06-01T00:00:00Z"])] {
            let r = try await Async.octopost(args + ["--repo", world.path], env: env)
            #expect(r.status == 2, "\(args): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("is outside the years 0001 to 9999"), "\(args): \(r.stderr)")
        }
        await world.stop()
    }
}
