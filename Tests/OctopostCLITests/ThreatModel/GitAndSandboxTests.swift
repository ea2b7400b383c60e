import Foundation
import OctopostKit
import OctopostSandbox
import Testing

/// Issue 7, items 9, 11 and 15 (and 4b, 11b): a repository whose media are huge, a local remote whose hooks
/// say no (also when it is the push URL), a signal in the middle of a fast-forward, and an X emulator that must answer as X does so that recovery after a kill finds what landed.
@Suite("Threat model: git and the sandbox", .serialized) struct ThreatModelGitAndSandboxTests {
    // MARK: 7.9

    @Test("7.9 a 400 MB committed media file used by 16 posts is never read whole by plan or sync",
          .timeLimit(.minutes(5)))
    func hugeMediaIsSizedFromItsHeader() async throws {
        let blobSize = 400 << 20
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        var posts: [String: String] = [:]
        for i in 0..<16 {
            posts["content/v\(i).md"] = PostFile.make(platforms: ["twitter", "mastodon"], at: at, body: "big video \(i)",
                                                     extra: "media:\n  video:\n    url: media/big.mp4\n")
        }
        let world = try await SyncWorld.start(posts: posts, platforms: [.twitter, .mastodon], commit: false)
        // A real mp4 header, then zeros up to 400 MB (a sparse file: quick to make, compresses well).
        let media = world.path + "/media/big.mp4"
        try FileManager.default.createDirectory(atPath: world.path + "/media", withIntermediateDirectories: true)
        var header: [UInt8] = [0, 0, 0, 0x20] + Array("ftypisom".utf8) + [0, 0, 2, 0] + Array("isomiso2avc1mp41".utf8)
        header += [UInt8](repeating: 0, count: 32 - header.count % 32)
        _ = FileManager.default.createFile(atPath: media, contents: Data(header))
        #expect(truncate(media, off_t(blobSize)) == 0)
        try await Async.git(["add", "-A"], in: world.path)
        try await Async.git(["commit", "-q", "-m", "posts and a big video"], in: world.path)

        let env = world.environment()
        // Loose object (as `git add` stores it), then packed (as a CI clone holds it).
        for layout in ["loose", "packed"] {
            if layout == "packed" { try await Async.git(["repack", "-a", "-d", "-q"], in: world.path) }
            let plan = try await Measured.run(CLI.binary, ["plan", "--repo", world.path], env: env)
            print("7.9 plan (\(layout)): \(plan.seconds) s, peak \(plan.maxRSS >> 20) MB; exit \(plan.status)")
            #expect(plan.status == 0, "\(plan.stdout)\(plan.stderr)")
            #expect(plan.maxRSS < blobSize / 4, "plan (\(layout)) peaked at \(plan.maxRSS >> 20) MB for a 400 MB file")
            #expect(plan.seconds < 20, "plan (\(layout)) took \(plan.seconds) s")
            // The size and the type were still learnt: X takes the video, Mastodon's 99 MiB limit refuses it.
            #expect(!plan.stdout.contains("not a valid mp4"), "\(plan.stdout)")
            #expect(plan.stdout.contains("419.4 MB"), "the size is not reported: \(plan.stdout)")
        }

        let sync = try await Measured.run(CLI.binary, ["sync", "--repo", world.path], env: env)
        print("7.9 sync (packed): \(sync.seconds) s, peak \(sync.maxRSS >> 20) MB; exit \(sync.status)\n\(sync.stdout)")
        #expect(sync.maxRSS < blobSize / 4, "sync peaked at \(sync.maxRSS >> 20) MB for a 400 MB file")
        // Every post still goes out where the video fits (as text: octopost does not upload media yet).
        let sent = await world.posts()
        #expect(Set((sent["twitter"] ?? []).map(\.text)) == Set((0..<16).map { "big video \($0)" }), "\(sync.stdout)\(sync.stderr)")
        #expect(sent["mastodon"]?.isEmpty ?? true)
        for (id, record) in Ledger.onDisk(world.path) {
            let entries = Ledger.entries(record)
            #expect(entries["twitter"]?["status"] as? String == "published", "\(id): \(record)")
            let mastodon = entries["mastodon"]
            #expect(mastodon?["status"] as? String == "failed", "\(id): \(record)")
        }
        await world.stop()
    }

    // MARK: 7.11

    @Test("7.11 a local bare remote whose pre-receive hook refuses the push is never moved past it",
          .timeLimit(.minutes(3)))
    func localRemoteHooksAreHonoured() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: ["content/a.md": PostFile.make(platforms: ["mastodon"], at: at, body: "hooked a")],
                                              platforms: [.mastodon])
        let dir = try TempDir("octopost-hooks")
        let bare = dir.path + "/remote.git"
        try await Async.git(["clone", "-q", "--bare", world.path, bare], in: dir.path)
        try await Async.git(["remote", "add", "origin", bare], in: world.path)
        try await Async.git(["fetch", "-q", "origin"], in: world.path)

        // First an accepting pre-receive and update hook that record what git would give them.
        let log = dir.path + "/hooks.log"
        let accept = "#!/bin/sh\necho \"$(basename \"$0\") args=$* dir=$GIT_DIR secret=${OCTOPOST_MASTODON_TOKEN:-none}\" >> \(log)\n"
            + "[ \"$(basename \"$0\")\" = pre-receive ] && cat >> \(log)\nexit 0\n"
        for hook in ["pre-receive", "update", "post-receive"] { try Self.install(hook, accept, in: bare) }
        let before = try await Async.git(["--git-dir=\(bare)", "rev-parse", "main"], in: dir.path).stdout
        let first = try await world.sync(["--push"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(await world.posts()["mastodon"]?.map(\.text) == ["hooked a"])
        let seen = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        print("7.11 hooks saw:\n\(seen)")
        let oldHead = before.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(seen.contains("pre-receive args= "), "\(seen)")
        #expect(seen.contains("\(oldHead) "), "pre-receive's stdin names the old commit: \(seen)")
        #expect(seen.contains("update args=refs/heads/main \(oldHead) "), "\(seen)")
        #expect(seen.contains("post-receive"), "\(seen)")
        // Every hook that ran says it saw no secret (and the token appears nowhere in what they saw).
        let secrets = seen.components(separatedBy: "secret=").dropFirst().map { $0.prefix { !$0.isWhitespace } }
        #expect(secrets.count >= 3 && secrets.allSatisfy { $0 == "none" }, "a hook saw octopost's secrets: \(seen)")
        let token = try #require(world.sandbox.environment.first { $0.name == "OCTOPOST_MASTODON_TOKEN" }?.value)
        #expect(!token.isEmpty && !seen.contains(token), "a hook saw octopost's secrets: \(seen)")

        // A new post reaches the remote; then its hook refuses every push: the post must not be claimed
        // on the remote, nor sent.
        try world.repo.write("content/b.md", PostFile.make(platforms: ["mastodon"], at: at, body: "hooked b"))
        try await Async.git(["add", "-A"], in: world.path)
        try await Async.git(["commit", "-q", "-m", "post b"], in: world.path)
        try await Async.git(["push", "-q", "origin", "main"], in: world.path)
        try Self.install("pre-receive", "#!/bin/sh\necho 'pushes to main are frozen for the release' >&2\nexit 1\n", in: bare)
        let remoteBefore = try await Async.git(["--git-dir=\(bare)", "rev-parse", "main"], in: dir.path).stdout
        let refused = try await world.sync(["--push"], advance: 60)
        let remoteAfter = try await Async.git(["--git-dir=\(bare)", "rev-parse", "main"], in: dir.path).stdout
        print("7.11 refused: exit \(refused.status); stderr: \(refused.stderr)")
        #expect(refused.status == 2, "exit \(refused.status): \(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("pre-receive"), "\(refused.stderr)")
        #expect(refused.stderr.contains("pushes to main are frozen for the release"), "\(refused.stderr)")
        #expect(remoteBefore == remoteAfter, "the hook refused but the remote branch moved")
        #expect(await world.posts()["mastodon"]?.map(\.text) == ["hooked a"], "a post went out without its claim on the remote")

        // An update hook that refuses is honoured the same way.
        try Self.install("pre-receive", "#!/bin/sh\nexit 0\n", in: bare)
        try Self.install("update", "#!/bin/sh\necho \"no updates to $1\" >&2\nexit 1\n", in: bare)
        let byUpdate = try await world.sync(["--push"], advance: 120)
        #expect(byUpdate.status == 2, "exit \(byUpdate.status): \(byUpdate.stderr)")
        #expect(byUpdate.stderr.contains("update hook") && byUpdate.stderr.contains("no updates to refs/heads/main"),
                "\(byUpdate.stderr)")
        #expect(try await Async.git(["--git-dir=\(bare)", "rev-parse", "main"], in: dir.path).stdout == remoteBefore)
        #expect(await world.posts()["mastodon"]?.map(\.text) == ["hooked a"])
        await world.stop()
    }

    // MARK: 7.11b

    @Test("7.11b a push URL that is a local path is where the claim goes, with its hooks, never the fetch URL",
          .timeLimit(.minutes(3)))
    func localPushURLIsHonoured() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: ["content/a.md": PostFile.make(platforms: ["mastodon"], at: at, body: "push url a")],
                                              platforms: [.mastodon])
        let dir = try TempDir("octopost-pushurl")
        let fetchFrom = dir.path + "/A.git", pushTo = dir.path + "/B.git"
        for bare in [fetchFrom, pushTo] { try await Async.git(["clone", "-q", "--bare", world.path, bare], in: dir.path) }
        try await Async.git(["remote", "add", "origin", fetchFrom], in: world.path)
        try await Async.git(["remote", "set-url", "--push", "origin", pushTo], in: world.path)
        try await Async.git(["fetch", "-q", "origin"], in: world.path)
        let head = { (bare: String) async throws -> String in
            try await Async.git(["--git-dir=\(bare)", "rev-parse", "main"], in: dir.path).stdout
        }
        let (aBefore, bBefore) = (try await head(fetchFrom), try await head(pushTo))

        // The attack: `git push` would go to B, whose hook refuses; A would take anything.
        try Self.install("pre-receive", "#!/bin/sh\necho 'B is frozen for the release' >&2\nexit 1\n", in: pushTo)
        let refused = try await world.sync(["--push"])
        print("7.11b refused: exit \(refused.status); stderr: \(refused.stderr)")
        #expect(refused.status == 2, "exit \(refused.status): \(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("pre-receive") && refused.stderr.contains("B is frozen for the release"),
                "\(refused.stderr)")
        #expect(try await head(fetchFrom) == aBefore, "the claim went to the fetch URL")
        #expect(try await head(pushTo) == bBefore)
        #expect(await world.posts()["mastodon"]?.isEmpty ?? true, "a post went out without its claim on the remote")

        // B takes pushes again: the claim and the result go there (and only there), the post goes out once.
        try FileManager.default.removeItem(atPath: pushTo + "/hooks/pre-receive")
        let next = try await world.sync(["--push"], advance: 60)
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(await world.posts()["mastodon"]?.map(\.text) == ["push url a"])
        #expect(try await head(pushTo) == (try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout))
        #expect(try await head(fetchFrom) == aBefore, "the fetch URL was pushed to")
        await world.stop()
    }

    // MARK: 7.4b

    @Test("7.4b a signal during a fast-forward before the claim never leaves the working tree and HEAD apart",
          .timeLimit(.minutes(3)))
    func signalWaitsForAFastForward() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: ["content/a.md": PostFile.make(platforms: ["mastodon"], at: at, body: "ff a")],
                                              platforms: [.mastodon])
        let dir = try TempDir("octopost-ff-signal")
        let bare = dir.path + "/remote.git", other = dir.path + "/other"
        try await Async.git(["clone", "-q", "--bare", world.path, bare], in: dir.path)
        try await Async.git(["remote", "add", "origin", bare], in: world.path)
        try await Async.git(["fetch", "-q", "origin"], in: world.path)
        try await Async.git(["clone", "-q", bare, other], in: dir.path)

        // Each round: the remote moves on (another clone adds a post), then a run is signalled while its
        // fast-forward has written the working tree but not yet moved the branch (a debug-build pause holds
        // it exactly there). Under --watch the check that follows behaves the same.
        for (round, (extra, signal, status)) in [([String](), SIGTERM, Int32(143)), (["--watch"], SIGINT, 0)].enumerated() {
            try Data(PostFile.make(platforms: ["mastodon"], at: at, body: "ff \(round)").utf8)
                .write(to: URL(fileURLWithPath: other + "/content/n\(round).md"))
            try await Async.git(["add", "-A"], in: other)
            try await Async.git(["commit", "-qm", "post n\(round)"], in: other)
            try await Async.git(["push", "-q", "origin", "main"], in: other)
            let remoteHead = try await Async.git(["--git-dir=\(bare)", "rev-parse", "main"], in: dir.path).stdout

            let child = try world.spawnSync(["--push"] + extra, env: ["OCTOPOST_TEST_MIDWAY_PAUSE": "2"])
            let deadline = Date().addingTimeInterval(30)
            while !child.stderrSoFar.contains("midway through a fast-forward") && child.isRunning && Date() < deadline {
                try await Task.sleep(nanoseconds: 5_000_000)
            }
            #expect(child.signal(signal), "the run ended before the signal: \(child.stderrSoFar)")
            let r = await child.wait(timeout: 30)
            print("7.4b \(extra) \(signal): exit \(r.status); stderr: \(r.stderr)")
            #expect(r.status == status, "\(extra) \(signal): exit \(r.status): \(r.stderr)")
            #expect(!child.killedBySignal)
            // The fast-forward finished before the exit: HEAD at the remote's commit, nothing staged or
            // changed, no lock left; and the run stopped before its claim: nothing committed, nothing sent.
            #expect(try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout == remoteHead,
                    "the signal cut the fast-forward: HEAD stayed behind the working tree")
            let porcelain = try await Async.git(["status", "--porcelain"], in: world.path).stdout
            #expect(porcelain.isEmpty, "the working tree and HEAD disagree:\n\(porcelain)")
            #expect(world.lockFiles().isEmpty, "\(world.lockFiles())")
            #expect(FileManager.default.fileExists(atPath: world.path + "/content/n\(round).md"))
            #expect(await world.posts()["mastodon"]?.isEmpty ?? true)
        }

        // The next run goes ahead normally.
        let next = try await world.sync(["--push"], advance: 60)
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(Set(await world.posts()["mastodon"]?.map(\.text) ?? []) == ["ff a", "ff 0", "ff 1"])
        await world.stop()
    }

    static func install(_ hook: String, _ script: String, in bare: String) throws {
        let path = bare + "/hooks/" + hook
        try FileManager.default.createDirectory(atPath: bare + "/hooks", withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: path)
        _ = FileManager.default.createFile(atPath: path, contents: Data(script.utf8), attributes: [.posixPermissions: 0o755])
    }

    // MARK: 7.15

    @Test("7.15 a thread reply that landed on X before a kill is found, not resent (no duplicate-content failure)",
          .timeLimit(.minutes(3)))
    func xRecoveryFindsALandedReply() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let post = PostFile.make(platforms: ["twitter"], at: at, body: "x thread part 1",
                                 segments: ["x thread part 2", "x thread part 3"])
        let world = try await SyncWorld.start(posts: ["content/t.md": post], platforms: [.twitter])
        let first = try await world.sync()
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let landed = await world.posts()["twitter"] ?? []
        #expect(landed.map(\.text) == ["x thread part 1", "x thread part 2", "x thread part 3"])

        // The state a run killed right after part 3 landed leaves: the entry `publishing` under its
        // (now expired) lease, with only parts 1 and 2 recorded.
        let path = world.path + "/ledger/t.json"
        var record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var results = try #require(record["platform_results"] as? [String: Any])
        var entry = try #require(results["twitter"] as? [String: Any])
        let segments = try #require(entry["segments"] as? [[String: Any]])
        #expect(segments.count == 3)
        entry["status"] = "publishing"
        entry["segments"] = Array(segments.prefix(2))
        entry["run_id"] = "killed-run"
        entry["lease_until"] = Timestamp.format(world.t0.addingTimeInterval(60))
        for key in ["post_id", "post_url", "published_at"] { entry[key] = nil }
        entry["success"] = false
        results["twitter"] = entry
        record["platform_results"] = results
        record["status"] = "publishing"
        record["published_at"] = nil
        try JSONSerialization.data(withJSONObject: record, options: [.prettyPrinted, .sortedKeys])
            .write(to: URL(fileURLWithPath: path))
        try await Async.git(["commit", "-qam", "a run killed mid-thread"], in: world.path)

        let next = try await world.sync(advance: 15 * 60)
        print("7.15 recovery: exit \(next.status)\n\(next.stdout)\(next.stderr)")
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        let after = await world.posts()["twitter"] ?? []
        #expect(after.map(\.id) == landed.map(\.id), "X now holds \(after.map(\.text))")
        let committed = Ledger.parse(try await Ledger.committed(world.path)["t"] ?? "")
        let recovered = try #require(Ledger.entries(committed)["twitter"])
        #expect(recovered["status"] as? String == "published", "\(recovered)")
        #expect(Ledger.postIDs(recovered).suffix(3) == landed.map(\.id)[...], "\(recovered)")
        #expect(!next.stdout.contains("change the post"), "\(next.stdout)")
        await world.stop()
    }
}

/// Runs a program under GNU time and reports its own peak resident memory. (`wait4` or
/// `getrusage(RUSAGE_CHILDREN)` from this process would not do: `posix_spawn` starts the child with
/// `vfork`, and Linux then records this test process's own high-water mark as the child's at `exec`;
/// GNU time `fork`s, so the figure is octopost's alone. scripts/setup.sh installs it.)
enum Measured {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
        /// Peak resident set size in bytes.
        var maxRSS: Int
    }

    static func run(_ executable: String, _ arguments: [String], env: [String: String], timeout: Double = 120) async throws -> Result {
        try #require(FileManager.default.isExecutableFile(atPath: executable), "build octopost first")
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "install GNU time (scripts/setup.sh)")
        let dir = try TempDir("octopost-measured")
        let report = dir.path + "/rss"
        let r = try await Async.run("/usr/bin/time", ["-f", "%M", "-o", report, executable] + arguments, env: env, timeout: timeout)
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        let kilobytes = text.split(whereSeparator: \.isNewline).last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let rss = try #require(kilobytes, "no figure from GNU time: \(text)")
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: r.seconds, maxRSS: rss * 1024)
    }
}
