import Foundation
import OctopostGit
import Testing
@testable import OctopostKit

/// The cache of parsed posts (issue 8): used only for the same blob, config, build and media; anything
/// else is a miss, never an error; it lives in the git folder.
@Suite struct PostCacheTests {
    static let config = "timezone: Europe/Berlin\n"
    static let posts = [
        "a": post("mastodon, bluesky", body: "First post"),
        "b": post("twitter", at: "2026-05-02 10:00", body: "Naive time, read in Berlin"),
        "c": post("bluesky", body: String(repeating: "x", count: 400)),  // over Bluesky's limit: a lint error
        "d": "---\nplatforms: [mastodon\n---\nbroken\n",  // does not parse
        "e": post("mastodon", body: "With an image", extra: "media:\n  images:\n    - url: media/a.png\n      alt_text: A dot\n"),
    ]

    struct Loaded {
        var snapshot: PostSnapshot
        var git: LibGit2Repository
    }

    static func load(_ repo: SyncRepo, configBytes: String = config, buildID: String = "test",
                     fileSystem: (any FileSystem)? = nil) throws -> Loaded {
        let git = try LibGit2Repository.open(at: repo.path)
        let loaded = ConfigLoader.load(bytes: Array((repo.read("octopost.yaml") ?? "").utf8))
        let cache = PostCache(fileSystem: fileSystem ?? LocalFileSystem(root: git.gitDirectory, deferSync: true),
                              configBytes: Array(configBytes.utf8), buildID: buildID)
        let head = try #require(try git.headCommit())
        return Loaded(snapshot: try PostSnapshot.load(git: git, commit: head, config: loaded.config, cache: cache), git: git)
    }

    static func uncached(_ repo: SyncRepo) throws -> PostSnapshot {
        let git = try LibGit2Repository.open(at: repo.path)
        let loaded = ConfigLoader.load(bytes: Array((repo.read("octopost.yaml") ?? "").utf8))
        return try PostSnapshot.load(git: git, commit: try #require(try git.headCommit()), config: loaded.config)
    }

    static func makeRepo() throws -> SyncRepo {
        let repo = try SyncRepo(config: config, posts: posts)
        try repo.write("media/a.png", "")
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 40)
        try Data(png).write(to: URL(fileURLWithPath: repo.path + "/media/a.png"))
        try repo.commitAll("media")
        return repo
    }

    static func expectSame(_ a: PostSnapshot, _ b: PostSnapshot) {
        #expect(a.posts == b.posts)
        #expect(a.unparsed == b.unparsed)
        #expect(a.unparsedSources == b.unparsedSources)
    }

    @Test func aSecondLoadIsServedFromTheCacheWithTheSameResult() throws {
        let repo = try Self.makeRepo()
        let cold = try Self.load(repo)
        #expect(cold.snapshot.fromCache == 0)
        #expect(cold.snapshot.posts.count == 4 && cold.snapshot.unparsed.count == 1)
        #expect(FileManager.default.fileExists(atPath: cold.git.gitDirectory + "/" + PostCache.defaultPath))
        let warm = try Self.load(repo)
        #expect(warm.snapshot.fromCache == 5)
        Self.expectSame(warm.snapshot, cold.snapshot)
        Self.expectSame(warm.snapshot, try Self.uncached(repo))
        // The lint error and the unparsable file come back from the cache as they were.
        #expect(warm.snapshot.posts.first { $0.post.id == "c" }?.lintErrors.isEmpty == false)
        #expect(warm.snapshot.unparsedSources == ["content/d.md"])
    }

    @Test func aChangedFileIsParsedAgain() throws {
        let repo = try Self.makeRepo()
        _ = try Self.load(repo)
        try repo.write("content/a.md", post("mastodon", body: "Edited"))
        try repo.commitAll("edit")
        let warm = try Self.load(repo)
        #expect(warm.snapshot.fromCache == 4)
        #expect(warm.snapshot.posts.first { $0.post.id == "a" }?.post.content == "Edited")
        Self.expectSame(warm.snapshot, try Self.uncached(repo))
        // A deleted post leaves the cache too.
        try FileManager.default.removeItem(atPath: repo.path + "/content/b.md")
        try repo.commitAll("delete")
        let after = try Self.load(repo)
        #expect(after.snapshot.fromCache == 4 && !after.snapshot.posts.contains { $0.post.id == "b" })
        #expect(try Self.load(repo).snapshot.fromCache == 4)
    }

    @Test func aChangedMediaFileIsLintedAgain() throws {
        let repo = try Self.makeRepo()
        let cold = try Self.load(repo)
        #expect(cold.snapshot.posts.first { $0.post.id == "e" }?.lintErrors.isEmpty == true)
        try repo.write("media/a.png", "not an image at all")
        try repo.commitAll("media replaced")
        let warm = try Self.load(repo)
        #expect(warm.snapshot.fromCache == 4)
        // A media file that is not one keeps the post from being published at all.
        #expect(!warm.snapshot.posts.contains { $0.post.id == "e" } && warm.snapshot.unparsedSources.contains("content/e.md"))
        Self.expectSame(warm.snapshot, try Self.uncached(repo))
    }

    @Test func anotherConfigOrBuildIgnoresTheCache() throws {
        let repo = try Self.makeRepo()
        _ = try Self.load(repo)
        #expect(try Self.load(repo, configBytes: Self.config + "# changed\n").snapshot.fromCache == 0)
        // ... and rewrites it for the new config, which the old one then misses.
        #expect(try Self.load(repo, configBytes: Self.config + "# changed\n").snapshot.fromCache == 5)
        #expect(try Self.load(repo).snapshot.fromCache == 0)
        #expect(try Self.load(repo, buildID: "another build").snapshot.fromCache == 0)
        #expect(try Self.load(repo, buildID: "another build").snapshot.fromCache == 5)
    }

    @Test func aCorruptTruncatedOrForeignCacheIsIgnoredAndRebuilt() throws {
        let repo = try Self.makeRepo()
        let cold = try Self.load(repo)
        let file = cold.git.gitDirectory + "/" + PostCache.defaultPath
        let good = try #require(FileManager.default.contents(atPath: file))
        var flipped = [UInt8](good)
        flipped[flipped.count - 10] ^= 0x5A
        var otherVersion = [UInt8](good)
        otherVersion[PostCache.magic.count] ^= 0xFF  // the fingerprint: another format version, build or config
        let damaged: [[UInt8]] = [[], Array("garbage".utf8), Array(good.prefix(good.count / 2)), flipped, otherVersion,
                                  Array(good) + [0]]
        for bytes in damaged {
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            let loaded = try Self.load(repo)
            #expect(loaded.snapshot.fromCache == 0)
            Self.expectSame(loaded.snapshot, cold.snapshot)
            #expect(try Self.load(repo).snapshot.fromCache == 5, "rebuilt")
        }
        // A cache that cannot be written is no error either.
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createDirectory(atPath: file, withIntermediateDirectories: true)
        let unwritable = try Self.load(repo)
        #expect(unwritable.snapshot.fromCache == 0)
        Self.expectSame(unwritable.snapshot, cold.snapshot)
    }

    @Test func theCacheLivesInTheGitFolderAndIsNeverCommitted() throws {
        let repo = try Self.makeRepo()
        let loaded = try Self.load(repo)
        #expect(loaded.git.gitDirectory.hasSuffix("/.git"))
        #expect(try gitCLI(["status", "--porcelain", "--ignored"], in: repo.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/octopost"))
    }

    @Test func everyFieldSurvivesTheEncoding() throws {
        let at = { (l: Int) in SourceLocation(line: l, column: l + 1) }
        var p = Post(source: "content/x.md", id: "posts/x", idLocation: at(2),
                     platforms: [Located(PlatformTarget(platform: .mastodon, account: "work"), at: at(3)),
                                 Located(PlatformTarget(platform: .youtube), at: at(4))],
                     scheduledFor: Located(Schedule(instant: Date(timeIntervalSinceReferenceDate: 797_000_000.125),
                                                    raw: "2026-04-10 09:00", hadOffset: false), at: at(5)),
                     draft: true,
                     media: Media(images: [MediaItem(url: Located("media/a.png", at: at(6)), altText: Located("Ä 👩‍💻", at: at(7)))],
                                  video: VideoItem(url: Located("https://v/1.mp4", at: at(8)), thumbnailURL: nil), location: at(9)),
                     segments: [Segment(content: Located("reply", at: at(10)),
                                        media: [MediaItem(url: Located("media/b.jpg", at: at(11)))], location: at(12))],
                     labels: ["launch", "q2"], title: Located("Title", at: at(13)), contentWarning: nil,
                     options: [.mastodon: ["visibility": Located(.string("unlisted"), at: at(14)),
                                           "sensitive": Located(.bool(true), at: at(15))],
                               .youtube: ["tags": Located(.list(["a", "b"]), at: at(16))],
                               .telegram: ["message_thread_id": Located(.int(-42), at: at(17))]],
                     content: "Body\nwith two lines", contentLocation: at(18), platformsLocation: at(19))
        p.title = Located("Title", at: at(13))
        // Every stored field is encoded: a new one must be added to ByteWriter/ByteReader.post (and
        // PostCache.formatVersion raised), or a cached post would silently lose it.
        #expect(Mirror(reflecting: p).children.count == 15)
        #expect(Mirror(reflecting: p.media).children.count == 3 && Mirror(reflecting: p.segments[0]).children.count == 3)
        let entries = [
            PostCache.Entry(path: "content/x.md", blobID: "abc", media: ["media/a.png": .file(size: 1 << 40, head: [1, 2, 3]),
                                                                         "media/b.jpg": .missing, "m/c": .notAFile,
                                                                         "m/d": .symlink(at: "m"), "m/e": .unreadable,
                                                                         "m/f": .invalidPath("has a .git part")],
                            result: .post(PlannedPost(post: p, contentSHA256: "sha",
                                                      lintErrors: [PlatformTarget(platform: .youtube): "too long"]))),
            PostCache.Entry(path: "content/y.md", blobID: "def", media: [:],
                            result: .unparsed([Diagnostic(file: "content/y.md", location: at(1), severity: .error, rule: .yaml,
                                                          platform: nil, message: "bad"),
                                               Diagnostic(file: "content/y.md", severity: .warning, rule: .thread, platform: "x",
                                                          message: "")])),
        ] + (0..<1500).map { i in
            PostCache.Entry(path: "content/n\(i).md", blobID: "\(i)", media: [:],
                            result: .post(PlannedPost(post: Post(source: "content/n\(i).md", id: "n\(i)", platforms: [],
                                                                 content: "", contentLocation: .start), contentSHA256: "")))
        }
        let fs = InMemoryFileSystem()
        let cache = PostCache(fileSystem: fs, configBytes: [], buildID: "b")
        #expect(cache.save(entries))
        let back = Dictionary(uniqueKeysWithValues: cache.load().map { ($0.path, $0) })
        #expect(back.count == entries.count)
        for e in entries { #expect(back[e.path] == e) }
    }
}
