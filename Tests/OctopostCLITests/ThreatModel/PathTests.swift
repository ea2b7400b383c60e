import Foundation
import OctopostKit
import OctopostSandbox
import Testing

/// Issue 7, paths: a hostile repository (a pull request anyone may open) names paths that lead into
/// `.git`, out of the repository through a symbolic link or `..`, or hides a post where lint does not
/// look. Each test is the attack as it was run, with the built binary on a temporary repository.
@Suite("Threat model: paths", .serialized) struct ThreatModelPathTests {
    static func due() -> String { Timestamp.format(Date().addingTimeInterval(-60)) }

    static func post(_ body: String, extra: String = "") -> String {
        PostFile.make(platforms: ["mastodon"], at: due(), body: body, extra: extra)
    }

    /// Every file below `dir`, recursively (to prove nothing was written there).
    static func files(under dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).sorted()
    }

    static func mastodonTexts(_ world: SyncWorld) async -> [String] {
        (await world.posts()["mastodon"] ?? []).map(\.text).sorted()
    }

    @Test("7.2 a symbolic link under ledger/ never makes sync write outside the repository")
    func symlinkUnderLedger() async throws {
        // A folder inside the ledger is a link to a folder outside the repository.
        let outside = try TempDir("octopost-outside")
        let world = try await SyncWorld.start(posts: [
            "content/a.md": Self.post("post a"),
            "content/x/victim.md": Self.post("post x victim"),
        ], platforms: [.mastodon], commit: false)
        try FileManager.default.createDirectory(atPath: world.path + "/ledger", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: world.path + "/ledger/x", withDestinationPath: outside.path)
        try await Async.git(["add", "-A"], in: world.path)
        try await Async.git(["commit", "-q", "-m", "posts and a linked ledger folder"], in: world.path)

        let r = try await world.sync()
        #expect(Self.files(under: outside.path).isEmpty, "written outside the repository: \(Self.files(under: outside.path))")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("ledger/x is a symbolic link"), "\(r.stderr)")
        #expect(await Self.mastodonTexts(world) == ["post a"], "the other post is still published")
        #expect(try await Ledger.committed(world.path).keys.sorted() == ["a"])
        await world.stop()

        // The ledger folder itself is a link: nothing can be recorded, so nothing is published (exit 2).
        let outside2 = try TempDir("octopost-outside")
        let world2 = try await SyncWorld.start(posts: ["content/a.md": Self.post("post a")], platforms: [.mastodon],
                                               commit: false)
        try FileManager.default.createSymbolicLink(atPath: world2.path + "/ledger", withDestinationPath: outside2.path)
        try await Async.git(["add", "-A"], in: world2.path)
        try await Async.git(["commit", "-q", "-m", "posts and a linked ledger"], in: world2.path)
        let r2 = try await world2.sync()
        #expect(r2.status == 2, "\(r2.stdout)\(r2.stderr)")
        #expect(r2.stderr.contains("ledger is a symbolic link"), "\(r2.stderr)")
        #expect(Self.files(under: outside2.path).isEmpty, "written outside: \(Self.files(under: outside2.path))")
        #expect(await Self.mastodonTexts(world2).isEmpty)
        await world2.stop()
    }

    @Test("7.3 a post id with a .git part is a located lint error and never blocks the other posts")
    func dotGitIDs() async throws {
        let ids = ["x/.git/config", ".git/x", "a/.GIT/b", "a/.git./b", "a/git~1/b", "a/.git::$INDEX_ALLOCATION/b"]
        var files = ["content/good.md": Self.post("the good post")]
        for (n, id) in ids.enumerated() { files["content/evil\(n).md"] = Self.post("evil \(n)", extra: "id: \"\(id)\"\n") }
        let world = try await SyncWorld.start(posts: files, platforms: [.mastodon])

        // lint: an error at the id field (line 4, column 5) of each file.
        let lint = try await Async.octopost(["lint", "--repo", world.path, "--format", "json"], env: world.environment())
        #expect(lint.status == 1, "\(lint.stdout)\(lint.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any]
        let diagnostics = doc?["diagnostics"] as? [[String: Any]] ?? []
        for n in ids.indices {
            let d = diagnostics.first { $0["file"] as? String == "content/evil\(n).md" }
            #expect(d?["rule"] as? String == "id" && d?["line"] as? Int == 4 && d?["column"] as? Int == 5,
                    "\(ids[n]): \(String(describing: d))")
        }
        #expect(!diagnostics.contains { $0["file"] as? String == "content/good.md" })

        // sync: the good post is published, each bad one skipped and named; no claim is left behind.
        let r = try await world.sync()
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(!r.stderr.contains("invalid path"), "\(r.stderr)")
        for n in ids.indices { #expect(r.stderr.contains("skipped content/evil\(n).md:4:5"), "\(r.stderr)") }
        #expect(await Self.mastodonTexts(world) == ["the good post"])
        #expect(Ledger.onDisk(world.path).keys.sorted() == ["good"])
        let status = try await Async.git(["status", "--porcelain"], in: world.path)
        #expect(status.stdout.isEmpty, "uncommitted: \(status.stdout)")
        let fsck = try await Async.git(["fsck", "--no-progress"], in: world.path, check: false)
        #expect(fsck.status == 0, "\(fsck.stderr)")
        await world.stop()
    }

    @Test("7.8 a ledger or content folder inside .git is a config error and nothing is written there")
    func ledgerInsideDotGit() async throws {
        let world = try await SyncWorld.start(posts: ["content/a.md": Self.post("post a")], platforms: [.mastodon])
        let refsBefore = Self.files(under: world.path + "/.git/refs")
        for (key, folder) in [("ledger", ".git/refs"), ("ledger", ".git"), ("ledger", "state/.GIT"), ("ledger", "x/.git. "),
                              ("content", ".git"), ("ledger", "../elsewhere"), ("ledger", "/tmp")] {
            try world.repo.write("octopost.yaml", "timezone: UTC\n\(key): \"\(folder)\"\n")
            let r = try await world.sync()
            #expect(r.status == 2, "\(key): \(folder): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("octopost.yaml:2:"), "\(key): \(folder): \(r.stderr)")
            #expect(r.stderr.contains("'\(key)' must be a folder path inside the repository"), "\(r.stderr)")
            let lint = try await Async.octopost(["lint", "--repo", world.path], env: world.environment())
            #expect(lint.status == 2, "\(key): \(folder): \(lint.stderr)")
        }
        #expect(Self.files(under: world.path + "/.git/refs") == refsBefore)
        #expect(await Self.mastodonTexts(world).isEmpty)
        let fsck = try await Async.git(["fsck", "--no-progress"], in: world.path, check: false)
        #expect(fsck.status == 0, "\(fsck.stderr)")
        await world.stop()
    }

    @Test("7.12a retry never opens a file outside the repository")
    func retryOutside() async throws {
        let world = try await SyncWorld.start(posts: ["content/a.md": Self.post("post a")], platforms: [.mastodon])
        #expect(try await world.sync().status == 0)  // the ledger folder exists, so `ledger/../..` resolves
        // A FIFO outside the repository, where `ledger/../../<dir>/victim.json` leads: opening it would block.
        let outside = try TempDir("octopost-outside")
        #expect(mkfifo(outside.path + "/victim.json", 0o644) == 0)
        let name = URL(fileURLWithPath: outside.path).lastPathComponent
        #expect(URL(fileURLWithPath: world.path).deletingLastPathComponent().path
            == URL(fileURLWithPath: outside.path).deletingLastPathComponent().path)
        let headBefore = try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout
        for id in ["../../\(name)/victim", "a/../../../\(name)/victim", "/\(outside.path)/victim", ".git/config"] {
            let r = try await Async.octopost(["retry", id, "--repo", world.path], env: world.environment(), timeout: 15)
            #expect(r.status == 2, "\(id): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("is not a post id"), "\(id): \(r.stderr)")
        }
        #expect(try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout == headBefore)
        await world.stop()
    }

    @Test("7.12b lint never reads a file through a symbolic link to outside the repository")
    func lintThroughLinkedFolder() async throws {
        let outside = try TempDir("octopost-outside")
        try "---\nplatforms: [mastodon]\nleaked_marker: 1\n---\nsecret\n".write(toFile: outside.path + "/victim.md",
                                                                              atomically: true, encoding: .utf8)
        let repo = try TempRepo(config: "timezone: UTC\n", files: ["content/a.md": Self.post("post a")])
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/content/link", withDestinationPath: outside.path)
        try repo.commit()
        for argument in [repo.path + "/content/link/victim.md", repo.path + "/content/link",
                         repo.path + "/content/link/../link/victim.md"] {
            let r = try repo.lint([argument])
            #expect(r.status == 2, "\(argument): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("content/link is a symbolic link"), "\(argument): \(r.stderr)")
            #expect(!(r.stdout + r.stderr).contains("leaked_marker"), "read outside: \(r.stdout)")
        }
        // A path into .git is not a post path either.
        let git = try repo.lint([repo.path + "/.git/config"])
        #expect(git.status == 2, "\(git.stdout)\(git.stderr)")
        // Without arguments the linked folder is not walked, and the rest is linted.
        let all = try repo.lint()
        #expect(all.status == 0, "\(all.stdout)\(all.stderr)")
        #expect(!(all.stdout + all.stderr).contains("leaked_marker"))
        #expect(all.stderr.contains("1 file linted"), "\(all.stderr)")
    }

    @Test("7.16 sync never publishes a post file that lint did not read")
    func onlyWhatLintReads() async throws {
        let world = try await SyncWorld.start(posts: [
            "content/ok.md": Self.post("ok post"),
            "content/.wip.md": Self.post("hidden wip"),
            "content/.drafts/x.md": Self.post("hidden folder"),
            "content/real/target.md": Self.post("target of a link"),
        ], platforms: [.mastodon], commit: false)
        // A link to a post file (git mode 120000), and a submodule entry (160000) named like a post.
        try FileManager.default.createSymbolicLink(atPath: world.path + "/content/link.md",
                                                   withDestinationPath: "real/target.md")
        try await Async.git(["add", "-A"], in: world.path)
        try await Async.git(["commit", "-q", "-m", "posts"], in: world.path)
        let head = try await Async.git(["rev-parse", "HEAD"], in: world.path).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try await Async.git(["update-index", "--add", "--cacheinfo", "160000,\(head),content/module.md"], in: world.path)
        try await Async.git(["commit", "-q", "-m", "a submodule named like a post"], in: world.path)

        // What lint reads without errors.
        let lint = try await Async.octopost(["lint", "--repo", world.path, "--format", "json"], env: world.environment())
        let doc = try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any]
        let diagnostics = doc?["diagnostics"] as? [[String: Any]] ?? []
        let flagged = Set(diagnostics.filter { $0["severity"] as? String == "error" }.compactMap { $0["file"] as? String })
        #expect(flagged == ["content/link.md"], "\(lint.stdout)")
        #expect(doc?["files"] as? Int == 3, "ok.md, real/target.md and link.md: \(lint.stdout)")

        let r = try await world.sync()
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        // Only the two regular post files lint read cleanly went out; the link and the submodule are named.
        #expect(await Self.mastodonTexts(world) == ["ok post", "target of a link"])
        #expect(r.stderr.contains("skipped content/link.md"), "\(r.stderr)")
        #expect(r.stderr.contains("skipped content/module.md"), "\(r.stderr)")
        #expect(!(r.stdout + r.stderr).contains("wip"), "\(r.stderr)")
        #expect(Ledger.onDisk(world.path).keys.sorted() == ["ok", "real/target"])
        await world.stop()
    }

    @Test("7.12d a linked octopost.yaml is never read")
    func linkedConfig() async throws {
        // A pull request commits octopost.yaml as a link to a file outside the repository (a CI runner's
        // gh credentials, say): whatever octopost says about that file's keys would reach the CI log.
        let outside = try TempDir("octopost-outside")
        try "github.com:\n  oauth_token: gho_leakedToken\ntimezone: Leaked/ZoneValue\n"
            .write(toFile: outside.path + "/hosts.yml", atomically: true, encoding: .utf8)
        let world = try await SyncWorld.start(posts: ["content/a.md": Self.post("post a")], platforms: [.mastodon],
                                              commit: false)
        try FileManager.default.removeItem(atPath: world.path + "/octopost.yaml")
        try FileManager.default.createSymbolicLink(atPath: world.path + "/octopost.yaml",
                                                   withDestinationPath: outside.path + "/hosts.yml")
        try await Async.git(["add", "-A"], in: world.path)
        try await Async.git(["commit", "-q", "-m", "a linked config"], in: world.path)

        let lint = try await Async.octopost(["lint", "--repo", world.path], env: world.environment())
        let sync = try await world.sync()
        for (command, r) in [("lint", lint), ("sync", sync)] {
            #expect(r.status == 2, "\(command): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains("octopost.yaml is a symbolic link"), "\(command): \(r.stderr)")
            for leaked in ["github.com", "Leaked", "gho_"] {
                #expect(!(r.stdout + r.stderr).contains(leaked), "\(command) read the linked file: \(r.stderr)")
            }
        }
        #expect(await Self.mastodonTexts(world).isEmpty)

        // A FIFO named octopost.yaml is refused, never waited on.
        try FileManager.default.removeItem(atPath: world.path + "/octopost.yaml")
        #expect(mkfifo(world.path + "/octopost.yaml", 0o644) == 0)
        let fifo = try await Async.octopost(["lint", "--repo", world.path], env: world.environment(), timeout: 15)
        #expect(fifo.status == 2 && fifo.stderr.contains("octopost.yaml"), "\(fifo.stderr)")

        // A config file the user names with --config is read as given, wherever it is.
        try "timezone: UTC\n".write(toFile: outside.path + "/chosen.yaml", atomically: true, encoding: .utf8)
        let chosen = try await Async.octopost(["lint", "--repo", world.path, "--config", outside.path + "/chosen.yaml"],
                                              env: world.environment())
        #expect(chosen.status == 0, "\(chosen.stdout)\(chosen.stderr)")
        await world.stop()
    }

    @Test("7.12e a linked media file is never opened")
    func linkedMedia() async throws {
        // lint: links in the working tree, to git's index, to a real PNG inside the repository, and a linked
        // folder leading outside it. Each is a media-path error naming the link; none is opened and sniffed.
        let outside = try TempDir("octopost-outside")
        try Data(Fixtures.png).write(to: URL(fileURLWithPath: outside.path + "/z.png"))
        let image = { (url: String) in "media:\n  images:\n    - url: \(url)\n      alt_text: a picture\n" }
        let repo = try TempRepo(config: "timezone: UTC\n", files: [
            "content/index.md": Self.post("index", extra: image("media/x.png")),
            "content/inside.md": Self.post("inside", extra: image("media/y.png")),
            "content/folder.md": Self.post("folder", extra: image("media/sub/z.png")),
            "content/real.md": Self.post("real", extra: image("media/real.png")),
        ])
        try repo.write("media/real.png", Fixtures.png)
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/media/x.png", withDestinationPath: "../.git/index")
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/media/y.png", withDestinationPath: "real.png")
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/media/sub", withDestinationPath: outside.path)
        try repo.commit()
        let lint = try repo.lint(["--format", "json"])
        #expect(lint.status == 1, "\(lint.stdout)\(lint.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any]
        let diagnostics = doc?["diagnostics"] as? [[String: Any]] ?? []
        for (file, link) in [("index", "media/x.png"), ("inside", "media/y.png"), ("folder", "media/sub")] {
            let d = diagnostics.filter { $0["file"] as? String == "content/\(file).md" && $0["severity"] as? String == "error" }
            #expect(d.count == 1 && d.first?["rule"] as? String == "media-path", "\(file): \(d)")
            #expect((d.first?["message"] as? String)?.contains("\(link) is a symbolic link") == true, "\(file): \(d)")
        }
        #expect(!diagnostics.contains { $0["file"] as? String == "content/real.md" && $0["severity"] as? String == "error" })

        // sync: a media path committed as a symbolic link (git mode 120000) whose link text is a PNG. Read as
        // a blob, the link text would pass as the image; the post is skipped, the other one is published.
        let world = try await SyncWorld.start(posts: [
            "content/plain.md": Self.post("plain post"),
            "content/pic.md": Self.post("post with a linked image", extra: image("media/x.png")),
        ], platforms: [.mastodon])
        let blob = try FileManager.default.temporaryDirectory.appendingPathComponent("octopost-blob-\(UUID().uuidString)")
        try Data(Fixtures.png).write(to: blob)
        defer { try? FileManager.default.removeItem(at: blob) }
        let sha = try await Async.git(["hash-object", "-w", blob.path], in: world.path).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try await Async.git(["update-index", "--add", "--cacheinfo", "120000,\(sha),media/x.png"], in: world.path)
        try await Async.git(["commit", "-q", "-m", "a linked image"], in: world.path)
        let r = try await world.sync()
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("skipped content/pic.md"), "\(r.stderr)")
        #expect(r.stderr.contains("media/x.png is a symbolic link"), "\(r.stderr)")
        #expect(await Self.mastodonTexts(world) == ["plain post"])
        #expect(Ledger.onDisk(world.path).keys.sorted() == ["plain"])
        await world.stop()
    }

    @Test("7.12f a post id with a hidden part is refused as a hidden file is")
    func hiddenIDs() async throws {
        // `a/.x` would be written to ledger/a/.x.json, which listings and orphan checks skip as hidden.
        let ids = ["a/.x", ".x", "a/.b/c"]
        var files = ["content/good.md": Self.post("the good post")]
        for (n, id) in ids.enumerated() { files["content/hidden\(n).md"] = Self.post("hidden \(n)", extra: "id: \"\(id)\"\n") }
        let world = try await SyncWorld.start(posts: files, platforms: [.mastodon])
        let lint = try await Async.octopost(["lint", "--repo", world.path, "--format", "json"], env: world.environment())
        #expect(lint.status == 1, "\(lint.stdout)\(lint.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(lint.stdout.utf8)) as? [String: Any]
        let diagnostics = doc?["diagnostics"] as? [[String: Any]] ?? []
        for n in ids.indices {
            let d = diagnostics.first { $0["file"] as? String == "content/hidden\(n).md" }
            #expect(d?["rule"] as? String == "id" && d?["line"] as? Int == 4, "\(ids[n]): \(String(describing: d))")
            #expect((d?["message"] as? String)?.contains("starting with '.'") == true, "\(String(describing: d))")
        }
        let r = try await world.sync()
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        for n in ids.indices { #expect(r.stderr.contains("skipped content/hidden\(n).md:4:5"), "\(r.stderr)") }
        #expect(await Self.mastodonTexts(world) == ["the good post"])
        #expect(Self.files(under: world.path + "/ledger") == ["good.json"])
        #expect(try await Async.octopost(["retry", "a/.x", "--repo", world.path], env: world.environment()).status == 2)
        await world.stop()
    }

    @Test("7.12g lint never passes over a content folder it cannot open")
    func unreadableFolder() throws {
        // sync reads posts from git, so a folder lint could not open holds posts sync would publish unlinted.
        let repo = try TempRepo(config: "timezone: UTC\n", files: [
            "content/a.md": Self.post("post a"),
            "content/locked/b.md": Self.post("post b", extra: "unknown_field: 1\n"),
        ])
        try repo.commit()
        #expect(chmod(repo.path + "/content/locked", 0) == 0)
        defer { chmod(repo.path + "/content/locked", 0o755) }
        // As root, drop the capabilities that let root open any folder, so the permission bits count.
        let drop = ["--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search"]
        let r = getuid() == 0
            ? try CLI.run("/usr/bin/setpriv", drop + [CLI.binary, "lint", "--repo", repo.path])
            : try repo.lint()
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("content/locked"), "\(r.stderr)")
        #expect(!r.stderr.contains("1 file linted"), "\(r.stderr)")
    }
}
