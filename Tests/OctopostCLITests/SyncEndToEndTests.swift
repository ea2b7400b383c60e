import Foundation
import OctopostKit
import OctopostSandbox
import Testing

/// End-to-end: the built binary against in-process emulators, trying to break SPEC §7's promise
/// (never a double post, never a lost result, never a leaked token).
@Suite(.serialized) struct SyncEndToEndTests {
    // MARK: 1. Crash safety

    /// SIGKILLs wanted across all trials (each trial kills 1–3 runs in a row, then lets one finish).
    static let targetKills = 30
    static let lease: TimeInterval = 601

    /// Eight due posts, threads among them; every part's text is unique so a duplicate shows at the emulator.
    static func crashPosts(at: String) -> [String: String] {
        [
            "content/p1.md": PostFile.make(platforms: ["mastodon", "bluesky", "telegram"], at: at, body: "p1 all three"),
            "content/p2.md": PostFile.make(platforms: ["mastodon", "bluesky"], at: at, body: "p2 thread part 1",
                                           segments: ["p2 thread part 2", "p2 thread part 3"]),
            "content/p3.md": PostFile.make(platforms: ["telegram"], at: at, body: "p3 thread part 1", segments: ["p3 thread part 2"]),
            "content/p4.md": PostFile.make(platforms: ["bluesky", "telegram"], at: at, body: "p4 two platforms"),
            "content/sub/p5.md": PostFile.make(platforms: ["mastodon"], at: at, body: "p5 thread part 1",
                                               segments: ["p5 thread part 2"]),
            "content/p6.md": PostFile.make(platforms: ["mastodon", "telegram", "bluesky"], at: at, body: "p6 thread part 1",
                                           segments: ["p6 thread part 2"]),
            "content/p7.md": PostFile.make(platforms: ["bluesky"], at: at, body: "p7 bluesky only"),
            "content/p8.md": PostFile.make(platforms: ["telegram", "mastodon"], at: at, body: "p8 telegram and mastodon",
                                           segments: ["p8 thread part 2", "p8 thread part 3"]),
        ]
    }

    static let crashLatency: [Platform: Double] = [.mastodon: 0.02, .bluesky: 0.03, .telegram: 0.04]

    static func crashWorld() async throws -> SyncWorld {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        return try await SyncWorld.start(posts: crashPosts(at: at), latency: crashLatency)
    }

    /// Where a killed run was, from its progress on stderr (`--verbose`).
    static func phase(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map(String.init)
        guard let planLine = lines.first(where: { $0.hasPrefix("plan: ") }) else { return "startup/plan" }
        guard let claimed = lines.firstIndex(where: { $0.hasPrefix("claimed ") }) else { return "claim commit" }
        if lines[claimed...].contains(where: { $0.hasPrefix("committed ") }) { return "after final commit" }
        let due = Int(planLine.dropFirst("plan: ".count).prefix { $0.isNumber }) ?? 0
        let finished = lines[claimed...].filter { $0.hasPrefix("  ") }.count
        return finished < due ? "publishing" : "final commit"
    }

    @Test(.timeLimit(.minutes(10))) func killedAtAnyInstantNeverPostsTwiceNorLosesAResult() async throws {
        // How long an undisturbed run takes, to spread the kills over it.
        let probe = try await Self.crashWorld()
        let clean = try await probe.sync(["--verbose"])
        await probe.stop()
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(Summary(clean.stdout)?.published == 15, "\(clean.stdout)")
        var duration = clean.seconds
        var kills = 0
        var phases: [String: Int] = [:]
        var lockSightings: [String] = []
        var trial = 0
        var rng = SystemRandomNumberGenerator()
        while kills < Self.targetKills && trial < Self.targetKills * 2 {
            trial += 1
            let world = try await Self.crashWorld()
            let killsThisTrial = 1 + trial % 3
            var run = 0
            var log: [String] = []
            var completed: CLI.Result?
            while completed == nil && run < 8 {
                let advance = Double(run) * Self.lease
                let child = try world.spawnSync(["--verbose"], advance: advance)
                if run < killsThisTrial {
                    // Half the kills anywhere in the run, half in its last third (the final commit is short).
                    let delay = kills % 2 == 0 ? Double.random(in: 0...(duration * 1.05), using: &rng)
                        : Double.random(in: (duration * 0.6)...(duration * 1.05), using: &rng)
                    try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
                    let sent = child.signal(SIGKILL)
                    let r = await child.wait(timeout: 60)
                    if sent && child.killedBySignal {
                        kills += 1
                        let p = Self.phase(r.stderr)
                        phases[p, default: 0] += 1
                        let locks = world.lockFiles()
                        if !locks.isEmpty { lockSightings.append("trial \(trial) run \(run) (\(p)): \(locks)") }
                        log.append("run \(run): killed at \(String(format: "%.3f", delay)) s (\(p)), locks \(locks)")
                    } else {
                        log.append("run \(run): finished before the kill (exit \(r.status))")
                        completed = r
                        // The probe ran slower than runs do now (a loaded machine): aim earlier.
                        duration = max(0.02, duration * 0.7)
                    }
                } else {
                    let r = await child.wait(timeout: 60)
                    log.append("run \(run): exit \(r.status)")
                    #expect(r.status == 0 || r.status == 1,
                            "trial \(trial) run \(run) failed after a kill: exit \(r.status)\n\(log.joined(separator: "\n"))\n\(r.stderr)")
                    if r.status != 0 && r.status != 1 { break }
                    completed = r
                }
                run += 1
            }
            guard let final = completed else {
                Issue.record("trial \(trial): no run completed\n\(log.joined(separator: "\n"))")
                await world.stop()
                continue
            }
            // Exit code: 1 exactly when this run turned an entry failed or unknown (SPEC §6).
            let summary = Summary(final.stdout)
            #expect(summary != nil, "\(final.stdout)")
            if let summary {
                #expect((final.status == 1) == (summary.failed + summary.unknown > 0),
                        "trial \(trial): exit \(final.status) for \(final.stdout)")
            }
            try await Self.checkPromise(world, trial: trial, log: log)
            await world.stop()
        }
        print("crash safety: \(trial) trials, \(kills) SIGKILLs; by phase: \(phases.sorted { $0.key < $1.key }); "
            + "undisturbed run \(String(format: "%.2f", duration)) s; lock files seen after kills: \(lockSightings)")
        #expect(kills >= Self.targetKills)
    }

    /// The promise, checked at the emulators and in the ledger after the last run of a trial.
    static func checkPromise(_ world: SyncWorld, trial: Int, log: [String]) async throws {
        let context = "trial \(trial):\n" + log.joined(separator: "\n")
        let posts = await world.posts()
        // No duplicates: one text once per platform account.
        for (platform, list) in posts {
            var seen: [String: Int] = [:]
            for p in list { seen[p.text, default: 0] += 1 }
            for (text, n) in seen where n > 1 { Issue.record("\(platform): '\(text)' posted \(n) times. \(context)") }
        }
        // Every entry final; published ones point at posts that exist.
        let disk = Ledger.onDisk(world.path)
        let committed = try await Ledger.committed(world.path)
        #expect(Set(disk.keys) == ["p1", "p2", "p3", "p4", "sub/p5", "p6", "p7", "p8"], "\(disk.keys) \(context)")
        var referenced: Set<String> = []
        var unknownTexts: Set<String> = []
        for (id, record) in disk {
            // Nothing lost: what is on disk is what is committed.
            #expect(committed[id].map(Ledger.parse).map { NSDictionary(dictionary: $0) } == NSDictionary(dictionary: record),
                    "ledger/\(id).json on disk differs from HEAD. \(context)\nHEAD: \(committed[id] ?? "absent")\ndisk: \(record)")
            for (platform, entry) in Ledger.entries(record) {
                let status = entry["status"] as? String
                let ids = Ledger.postIDs(entry)
                referenced.formUnion(ids)
                let held = Set((posts[platform] ?? []).map(\.id))
                switch status {
                case "published":
                    #expect(entry["post_id"] != nil, "\(id) \(platform): published without post_id. \(context)")
                    for pid in ids where !held.contains(pid) {
                        Issue.record("\(id) \(platform): ledger names \(pid), which \(platform) does not hold. \(context)")
                    }
                case "unknown" where platform == "telegram":
                    // Its texts start with the file's name ("p3 thread part 2").
                    unknownTexts.insert((id.split(separator: "/").last.map(String.init) ?? id) + " ")
                default:
                    Issue.record("\(id) \(platform): final status \(status ?? "nil"). \(context)\n\(entry)")
                }
            }
        }
        // Nothing lost: every post an emulator holds is in the ledger (telegram: unless its entry is unknown).
        for (platform, list) in posts {
            for p in list where !referenced.contains(p.id) {
                if platform == "telegram" && unknownTexts.contains(where: { p.text.hasPrefix($0) }) { continue }
                Issue.record("\(platform) holds '\(p.text)' (\(p.id)) but the ledger does not reference it. \(context)")
            }
        }
    }

    // MARK: 2. Races

    static let raceTrials = 12

    @Test(.timeLimit(.minutes(6))) func twoRunsPushingToOneRemotePublishEachEntryOnce() async throws {
        var outcomes: [String] = []
        for trial in 1...Self.raceTrials {
            let at = Timestamp.format(Date().addingTimeInterval(-60))
            var posts: [String: String] = [:]
            for i in 0..<6 {
                posts["content/r\(i).md"] = PostFile.make(platforms: ["mastodon", "bluesky", "telegram"], at: at,
                                                         body: "race r\(i) part 1", segments: i % 2 == 0 ? ["race r\(i) part 2"] : [])
            }
            let world = try await SyncWorld.start(posts: posts, latency: [.mastodon: 0.01, .bluesky: 0.01, .telegram: 0.01])
            let dir = try TempDir("octopost-race")
            let bare = dir.path + "/remote.git"
            try await Async.git(["clone", "-q", "--bare", world.path, bare], in: dir.path)
            try await Async.git(["clone", "-q", bare, dir.path + "/a"], in: dir.path)
            try await Async.git(["clone", "-q", bare, dir.path + "/b"], in: dir.path)
            let env = world.environment()
            let a = try Async.spawnOctopost(["sync", "--push", "--repo", dir.path + "/a"], env: env)
            let b = try Async.spawnOctopost(["sync", "--push", "--repo", dir.path + "/b"], env: env)
            let ra = await a.wait(timeout: 90)
            let rb = await b.wait(timeout: 90)
            #expect(ra.status == 0 && rb.status == 0, "trial \(trial): a \(ra.status) \(ra.stderr)\nb \(rb.status) \(rb.stderr)")
            let lost = [ra, rb].filter { $0.stderr.contains("another run got to the remote first") }.count
            outcomes.append("a: \(Summary(ra.stdout)?.published ?? -1), b: \(Summary(rb.stdout)?.published ?? -1), lost races \(lost)")

            // A transient failure in the race (a request timed out under load) leaves an entry retrying:
            // a later run from either clone finishes it, and must not send anything twice.
            if Summary(ra.stdout)?.retrying ?? 0 > 0 || Summary(rb.stdout)?.retrying ?? 0 > 0 {
                let settle = try await Async.octopost(["sync", "--push", "--repo", dir.path + "/a"],
                                                      env: world.environment(advance: 20 * 60), timeout: 90)
                #expect(settle.status == 0, "trial \(trial) settle: \(settle.stderr)")
                outcomes.append("settled: \(settle.stdout)")
            }
            let held = await world.posts()
            for (platform, list) in held {
                let texts = list.map(\.text)
                #expect(texts.count == Set(texts).count, "trial \(trial) \(platform): duplicates \(texts.sorted())")
                #expect(Set(texts).count == 9, "trial \(trial) \(platform): \(texts.sorted())")
            }
            let remote = try await Ledger.committed(bare, rev: "main", bare: true)
            #expect(remote.count == 6, "trial \(trial): remote ledger \(remote.keys.sorted())")
            for (id, text) in remote {
                let record = Ledger.parse(text)
                #expect(record["status"] as? String == "published", "trial \(trial): \(id) on the remote: \(text)")
                for (platform, entry) in Ledger.entries(record) {
                    let ids = Set((held[platform] ?? []).map(\.id))
                    #expect(Ledger.postIDs(entry).allSatisfy(ids.contains), "trial \(trial): \(id) \(platform) \(entry)")
                }
            }
            await world.stop()
        }
        print("races: \(Self.raceTrials) trials: \(outcomes)")
    }

    // MARK: 3. Secrets

    @Test(.timeLimit(.minutes(3))) func noSecretEverLeavesTheEnvironment() async throws {
        let telegramToken = "7312456789:AAHk3vQ9xZp2LmN8rT5wY1uE6oI4aS7dF0g"
        let telegramWrong = "6123456780:AAFqW8eR2tY6uI0oP4aS8dF2gH6jK0lZ4xC"
        let webhookID = "1298765432109876543", webhookToken = "Zq8xW3vB5nM1kL7jH2gF9dS4aP6oI0uY-tR3eE8wQ2zX5cV7bN1mK4lJ6hG9fD2sA"
        let webhookURL = "https://discord.com/api/webhooks/\(webhookID)/\(webhookToken)"
        let webhookWrong = "https://discord.com/api/webhooks/\(webhookID)/Wr0ngT0kenWr0ngT0kenWr0ngT0kenWr0ngT0kenWr0ngT0kenWr0ngT0ken12"
        let mastodonToken = "Xk9mQ2vL8pR4tW7yB3nC6jH1fG5dS0aZeU4iO8uY2tQ"
        let blueskyPassword = "h4x2-k9q7-m3w8-p5z1", blueskyWrong = "zz9q-ww8e-rr7t-yy6u"
        let xKey = "Vq3Lm8Xz2Rk7Tp4Wn9Yb5Hc1J", xSecret = "aB3dE5gH7jK9mN2pQ4sT6vX8zA1cE3gI5kM7oQ9sU1wY3"
        let xToken = "1500000000000000001-Rt5Yh8Kp2Wm6Qz9Lx3Vn7Bc4Jd1Fg", xTokenSecret = "Nz4Xq8Wk2Pm6Rt9Lv3Yb7Hc1Jd5Fg0Sa4Ke8Ti2Uo6"
        let gitToken = "ghp_R8x2Kq9Lm4Vt7Wn3Yb6Hc1Jd5Fg0Sa8Ke2Ti"
        let secrets = [telegramToken, telegramWrong, webhookURL, webhookToken, webhookWrong, mastodonToken, blueskyPassword,
                       blueskyWrong, xKey, xSecret, xToken, xTokenSecret, gitToken]

        let at = Timestamp.format(Date().addingTimeInterval(-60))
        var posts: [String: String] = [:]
        for (i, targets) in [["mastodon", "bluesky", "telegram", "twitter", "discord"],
                             ["telegram:alt", "discord:alt", "bluesky:alt"], ["mastodon", "telegram"], ["bluesky", "twitter"],
                             ["discord", "mastodon"], ["telegram", "bluesky"]].enumerated() {
            posts["content/s\(i).md"] = PostFile.make(platforms: targets, at: at, body: "secret test s\(i)",
                                                     segments: i == 2 ? ["secret test s\(i) part 2"] : [])
        }
        let config = "timezone: UTC\naccounts:\n  \"telegram:alt\": { chat_id: \"@octo_e2e\" }\n"
        let world = try await SyncWorld.start(
            config: config, posts: posts, platforms: [.mastodon, .bluesky, .telegram, .twitter, .discord],
            overrides: [
                .mastodon: EmulatorConfiguration(token: mastodonToken),
                .bluesky: EmulatorConfiguration(token: blueskyPassword, account: "octo.e2e.bsky.social"),
                .telegram: EmulatorConfiguration(token: telegramToken, account: "@octo_e2e"),
                .twitter: EmulatorConfiguration(token: xToken, account: xKey),
                .discord: EmulatorConfiguration(token: webhookToken, account: webhookID, maxHang: 2),
            ])
        let summaryFile = try TempDir("octopost-summary")
        var env = world.environment()
        for key in env.keys where !key.hasSuffix("_API_BASE") && key != "OCTOPOST_NOW" { env[key] = nil }
        env.merge([
            "OCTOPOST_TELEGRAM_BOT_TOKEN": telegramToken, "OCTOPOST_TELEGRAM_CHAT_ID": "@octo_e2e",
            "OCTOPOST_TELEGRAM_ALT_BOT_TOKEN": telegramWrong,
            "OCTOPOST_DISCORD_WEBHOOK_URL": webhookURL, "OCTOPOST_DISCORD_ALT_WEBHOOK_URL": webhookWrong,
            "OCTOPOST_MASTODON_TOKEN": mastodonToken,
            "OCTOPOST_BLUESKY_IDENTIFIER": "octo.e2e.bsky.social", "OCTOPOST_BLUESKY_APP_PASSWORD": blueskyPassword,
            "OCTOPOST_BLUESKY_ALT_IDENTIFIER": "octo.e2e.bsky.social", "OCTOPOST_BLUESKY_ALT_APP_PASSWORD": blueskyWrong,
            "OCTOPOST_TWITTER_API_KEY": xKey, "OCTOPOST_TWITTER_API_SECRET": xSecret,
            "OCTOPOST_TWITTER_ACCESS_TOKEN": xToken, "OCTOPOST_TWITTER_ACCESS_TOKEN_SECRET": xTokenSecret,
            "OCTOPOST_GIT_TOKEN": gitToken, "GITHUB_STEP_SUMMARY": summaryFile.path + "/summary.md",
        ]) { _, new in new }
        // Failing requests of every kind.
        await world.sandbox[.mastodon]?.enqueue(SandboxFault(.status(500, retryAfter: nil)), SandboxFault(.status(401, retryAfter: nil)))
        await world.sandbox[.telegram]?.enqueue(SandboxFault(.garbage(status: 200)), SandboxFault(.status(500, retryAfter: nil)))
        await world.sandbox[.twitter]?.enqueue(SandboxFault(.html(status: 502)))
        await world.sandbox[.discord]?.enqueue(SandboxFault(.hang))
        await world.sandbox[.bluesky]?.enqueue(SandboxFault(.garbage(status: 500), path: "createRecord"))

        var outputs: [String] = []
        let first = try await Async.octopost(["sync", "--verbose", "--repo", world.path], env: env, timeout: 90)
        outputs += [first.stdout, first.stderr]
        #expect(first.status == 1, "permanent failures (401s) make exit 1: \(first.stdout)\(first.stderr)")
        #expect(Summary(first.stdout).map { $0.published > 0 && $0.failed > 0 && $0.retrying > 0 } == true, "\(first.stdout)")
        // The retries, later, as JSON.
        await world.sandbox[.telegram]?.enqueue(SandboxFault(.status(500, retryAfter: nil)))
        env["OCTOPOST_NOW"] = Timestamp.format(world.t0.addingTimeInterval(120))
        let second = try await Async.octopost(["sync", "--verbose", "--format", "json", "--repo", world.path], env: env, timeout: 90)
        outputs += [second.stdout, second.stderr]
        #expect(second.status == 0 || second.status == 1, "\(second.stderr)")
        #expect((try? JSONSerialization.jsonObject(with: Data(second.stdout.utf8))) != nil, "json: \(second.stdout)")
        for extra in [["plan", "--verbose"], ["doctor", "--verbose"], ["plan", "--format", "json"],
                      ["sync", "--dry-run", "--verbose"]] {
            let r = try await Async.octopost(extra + ["--repo", world.path], env: env, timeout: 60)
            outputs += [r.stdout, r.stderr]
        }
        let ledgerText = Ledger.rawOnDisk(world.path).values.joined(separator: "\n")
        #expect(!ledgerText.isEmpty)
        let log = try await Async.git(["log", "-p", "--all", "--format=%H%n%an <%ae>%n%B"], in: world.path)
        let reflog = try await Async.git(["reflog", "--all"], in: world.path, check: false)
        let summary = (try? String(contentsOfFile: summaryFile.path + "/summary.md", encoding: .utf8)) ?? ""
        #expect(!summary.isEmpty)
        let places = ["stdout/stderr": outputs.joined(separator: "\n"), "ledger": ledgerText, "git log -p --all": log.stdout,
                      "reflog": reflog.stdout, "step summary": summary]
        for secret in secrets {
            for (name, text) in places {
                #expect(!text.contains(secret), "\(name) contains the secret \(secret)")
                #expect(!text.contains(String(secret.suffix(8))), "\(name) contains the tail of \(secret): \(String(secret.suffix(8)))")
            }
        }
        await world.stop()
    }

    // MARK: 4. Bad input

    static func simplePosts(_ ids: [String], platforms: [String] = ["mastodon"]) -> [String: String] {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        return Dictionary(uniqueKeysWithValues: ids.map { ("content/\($0).md", PostFile.make(platforms: platforms, at: at, body: "bad input \($0)")) })
    }

    @Test func aCorruptLedgerFileIsNamedAndTheOtherPostsStillPublish() async throws {
        var files = Self.simplePosts(["a", "b", "c"])
        files["ledger/b.json"] = "{ this is not json\n"
        files["ledger/c.json"] = "{\"id\": \"c\", \"content_sha256\": 5, \"platform_results\": [], \"source\": true}\n"
        let world = try await SyncWorld.start(posts: files, platforms: [.mastodon])
        let r = try await world.sync()
        #expect(r.stderr.contains("ledger/b.json"), "\(r.stderr)")
        #expect(r.stderr.contains("ledger/c.json"), "\(r.stderr)")
        #expect(Summary(r.stdout)?.published == 1, "\(r.stdout)")
        #expect(await world.posts()["mastodon"]?.map(\.text) == ["bad input a"])
        #expect(Ledger.rawOnDisk(world.path)["b"] == "{ this is not json\n")
        // Nothing failed or became unknown in this run: exit 0 (SPEC §6); the note is the signal.
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        print("corrupt ledger: exit \(r.status); stderr: \(r.stderr)")
        await world.stop()
    }

    @Test func aLedgerFileWhosePostWasDeletedIsKeptAndReported() async throws {
        let world = try await SyncWorld.start(posts: Self.simplePosts(["keep", "gone"]), platforms: [.mastodon])
        #expect(try await world.sync().status == 0)
        try FileManager.default.removeItem(atPath: world.path + "/content/gone.md")
        try await Async.git(["commit", "-qam", "delete gone"], in: world.path)
        let r = try await world.sync(advance: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("ledger/gone.json"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: world.path + "/ledger/gone.json"))
        #expect(try await Ledger.committed(world.path)["gone"] != nil)
        await world.stop()
    }

    @Test func aRemoteThatRefusesThePushExitsTwoAndSaysSo() async throws {
        let world = try await SyncWorld.start(posts: Self.simplePosts(["p"]), platforms: [.mastodon])
        let dir = try TempDir("octopost-refuse")
        // A non-bare remote with its branch checked out and receive.denyCurrentBranch=refuse.
        try await Async.git(["clone", "-q", world.path, dir.path + "/remote"], in: dir.path)
        try await Async.git(["config", "receive.denyCurrentBranch", "refuse"], in: dir.path + "/remote")
        try await Async.git(["remote", "add", "origin", dir.path + "/remote"], in: world.path)
        let before = try await Async.git(["rev-parse", "main"], in: dir.path + "/remote").stdout
        let r = try await world.sync(["--push"])
        let after = try await Async.git(["rev-parse", "main"], in: dir.path + "/remote").stdout
        print("denyCurrentBranch remote: exit \(r.status), remote moved: \(before != after); stderr: \(r.stderr)")
        #expect(r.status == 2, "exit \(r.status): \(r.stdout)\(r.stderr)")
        // libgit2's local transport refuses before receive.denyCurrentBranch is even consulted.
        #expect(r.stderr.contains("refused") || r.stderr.contains("cannot push"), "\(r.stderr)")
        #expect(before == after, "the remote's checked-out branch was moved")
        #expect(await world.posts()["mastodon"]?.isEmpty == true, "nothing may be sent when the claim cannot reach the remote")
        await world.stop()
    }

    @Test(.timeLimit(.minutes(3))) func garbageHTMLAndHangsAreRetryingNotACrash() async throws {
        let world = try await SyncWorld.start(posts: Self.simplePosts(["g", "h", "x"], platforms: ["mastodon"]), platforms: [.mastodon])
        await world.sandbox[.mastodon]?.enqueue(SandboxFault(.garbage(status: 200)), SandboxFault(.html(status: 502)),
                                                SandboxFault(.hang))
        let r = try await world.sync(["--format", "json"], timeout: 120)
        print("garbage/html/hang: exit \(r.status) after \(String(format: "%.1f", r.seconds)) s (no request-timeout option; a hang costs the 30 s default)")
        #expect(r.status == 0, "retrying is not a failure: \(r.stdout)\(r.stderr)")
        let doc = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
        #expect(doc?["retrying"] as? Int == 3, "\(r.stdout)")
        for (id, record) in Ledger.onDisk(world.path) {
            let entry = Ledger.entries(record)["mastodon"]
            // The 502 certainly failed: retrying. Garbage on a 200 and a hang may have been acted on: kept
            // `publishing` with the lease ended and no run holding it, for the next run to settle safely.
            switch entry?["status"] as? String {
            case "retrying": #expect(entry?["next_attempt_at"] != nil, "\(id): \(record)")
            case "publishing":
                #expect(entry?["run_id"] == nil, "\(id): \(record)")
                #expect(entry?["lease_until"] != nil)
            default: Issue.record("\(id): \(record)")
            }
        }
        // A later run publishes them, once each.
        let later = try await world.sync(advance: 120, timeout: 60)
        #expect(later.status == 0, "\(later.stderr)")
        let texts = await world.posts()["mastodon"]?.map(\.text) ?? []
        #expect(texts.sorted() == ["bad input g", "bad input h", "bad input x"], "\(texts)")
        await world.stop()
    }

    @Test func dryRunTouchesNothingAndSendsNothing() async throws {
        let world = try await SyncWorld.start(posts: Self.simplePosts(["d"], platforms: ["mastodon", "bluesky", "telegram"]))
        for e in world.sandbox.emulators.values { await e.enqueue(SandboxFault(.status(500, retryAfter: nil))) }
        let head = try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout
        let r = try await world.sync(["--dry-run"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("would publish d"), "\(r.stdout)")
        for (p, e) in world.sandbox.emulators { #expect(await e.pendingFaults().count == 1, "\(p) received a request") }
        #expect(try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout == head)
        #expect(!FileManager.default.fileExists(atPath: world.path + "/ledger"))
        #expect(try await Async.git(["status", "--porcelain"], in: world.path).stdout.isEmpty)
        await world.stop()
    }

    @Test func aBranchOtherThanGitBranchIsExitTwo() async throws {
        let world = try await SyncWorld.start(posts: Self.simplePosts(["w"]), platforms: [.mastodon])
        try await Async.git(["checkout", "-q", "-b", "feature"], in: world.path)
        let r = try await world.sync()
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("'main'") && r.stderr.contains("'feature'"), "\(r.stderr)")
        #expect(await world.posts()["mastodon"]?.isEmpty == true)
        let dry = try await world.sync(["--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        await world.stop()
    }

    @Test(.timeLimit(.minutes(3))) func sigtermFinishesInFlightCommitsAndExitsZero() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        var posts: [String: String] = [:]
        for i in 0..<6 {
            posts["content/t\(i).md"] = PostFile.make(platforms: ["mastodon", "telegram"], at: at, body: "term t\(i) part 1",
                                                     segments: ["term t\(i) part 2", "term t\(i) part 3"])
        }
        let world = try await SyncWorld.start(posts: posts, platforms: [.mastodon, .telegram],
                                              latency: [.mastodon: 0.4, .telegram: 0.4])
        let child = try world.spawnSync(["--verbose"])
        let deadline = Date().addingTimeInterval(30)
        while !child.stderrSoFar.contains("claimed ") && child.isRunning && Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(child.signal(SIGTERM), "the run ended before the signal")
        let r = await child.wait(timeout: 60)
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        #expect(r.stdout.contains("stopped by signal"), "\(r.stdout)")
        #expect(try await Async.git(["status", "--porcelain"], in: world.path).stdout.isEmpty, "results not committed")
        let committed = try await Ledger.committed(world.path)
        var published = 0
        for (id, text) in committed {
            for (platform, entry) in Ledger.entries(Ledger.parse(text)) {
                let status = entry["status"] as? String
                #expect(status == "published" || status == "pending", "\(id) \(platform): \(status ?? "nil")")
                if status == "published" { published += 1 }
            }
        }
        #expect(published < 12, "SIGTERM came too late to test anything")
        // Every post sent is in the committed ledger; the next run finishes without sending anything twice.
        let rest = try await world.sync(advance: 60)
        #expect(rest.status == 0, "\(rest.stderr)")
        for (platform, list) in await world.posts() {
            #expect(list.count == 18 && Set(list.map(\.text)).count == 18, "\(platform): \(list.map(\.text).sorted())")
        }
        await world.stop()
    }

    /// A run killed inside libgit2 leaves a lock file; the next run must not be stuck behind it forever.
    @Test(arguments: ["refs/heads/main.lock", "index.lock"])
    func aStaleLockFileFromAKilledRunDoesNotWedgeSync(lock: String) async throws {
        let world = try await SyncWorld.start(posts: Self.simplePosts(["l"]), platforms: [.mastodon])
        let lockPath = world.path + "/.git/" + lock
        FileManager.default.createFile(atPath: lockPath, contents: Data("0000000000000000000000000000000000000000\n".utf8))
        // As old as a killed run's would be when the next scheduled run comes.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: lockPath)
        let r = try await world.sync(advance: 0)
        print("stale \(lock): exit \(r.status); stderr: \(r.stderr)")
        let again = try await world.sync(advance: Self.lease)
        print("stale \(lock), next run: exit \(again.status); stderr: \(again.stderr)")
        #expect(r.status == 0 || again.status == 0, "sync is wedged by a stale \(lock): \(again.stderr)")
        #expect(await world.posts()["mastodon"]?.count == 1)
        await world.stop()
    }
}
