import Foundation
import Testing

/// `octopost plan` keeps a cache of parsed posts in the git folder (issue 8); its output is the same
/// with the cache, without it, and after a change that the cache only partly covers.
@Suite("plan: the cache of parsed posts") struct PlanCacheEndToEndTests {
    static func post(_ platforms: String, _ time: String?, _ body: String, extra: String = "") -> String {
        "---\nplatforms: [\(platforms)]\n" + (time.map { "scheduled_for: \($0)\n" } ?? "") + extra + "---\n\(body)\n"
    }

    @Test func planOutputIsIdenticalWithAndWithoutTheCache() throws {
        let repo = try TempRepo(files: [
            "content/2026/04/due.md": Self.post("mastodon, bluesky", "2026-04-30T09:00:00Z", "Due now"),
            "content/2026/04/naive.md": Self.post("twitter", "2026-04-30 10:00", "A naive time, in Berlin"),
            "content/2026/04/long.md": Self.post("bluesky", "2026-04-30T09:00:00Z", String(repeating: "x", count: 400)),
            "content/2026/04/broken.md": "---\nplatforms: [mastodon\n---\nbroken\n",
            "content/2026/05/later.md": Self.post("mastodon", "2026-06-01T09:00:00Z", "Not yet"),
            "content/2026/05/draft.md": Self.post("mastodon", nil, "A draft"),
            "content/2026/04/image.md": Self.post("mastodon", "2026-04-29T09:00:00Z", "With an image",
                                                  extra: "media:\n  images:\n    - url: media/dot.png\n      alt_text: A dot\n"),
        ])
        try repo.write("media/dot.png", Fixtures.png)
        try repo.commit("posts")
        let cache = repo.path + "/.git/octopost/cache/posts.bin"
        func plan(_ format: String) throws -> CLI.Result {
            try CLI.octopost(["plan", "--repo", repo.path, "--now", "2026-05-01T12:00:00Z", "--format", format])
        }
        func same(_ a: CLI.Result, _ b: CLI.Result, _ what: String) {
            #expect(a.status == b.status, "\(what): exit status")
            #expect(a.stdout == b.stdout, "\(what): standard output")
            #expect(a.stderr == b.stderr, "\(what): standard error")
        }
        for format in ["text", "json"] {
            try? FileManager.default.removeItem(atPath: cache)
            let cold = try plan(format)
            #expect(cold.status == 0, "\(cold.stderr)")
            #expect(FileManager.default.fileExists(atPath: cache), "the cache is written in the git folder")
            let warm = try plan(format)
            same(warm, cold, "warm \(format)")
        }
        let text = try plan("text")
        #expect(text.stdout.contains("due  2026/04/due → mastodon"))
        #expect(text.stdout.contains("failed   2026/04/long → bluesky"))
        #expect(text.stderr.contains("skipped content/2026/04/broken.md"))

        // A change the cache covers only in part: one post edited, the image replaced by a text file.
        try repo.write("content/2026/04/due.md", Self.post("mastodon, bluesky", "2026-04-30T09:00:00Z", "Edited"))
        try repo.write("media/dot.png", "no longer an image")
        try repo.commit("edit")
        let partly = try plan("text")
        try FileManager.default.removeItem(atPath: cache)
        let fresh = try plan("text")
        same(partly, fresh, "after a change")
        #expect(!text.stderr.contains("image.md") && fresh.stderr.contains("skipped content/2026/04/image.md"),
                "the replaced image fails the post's lint: \(fresh.stderr)")

        // Corrupt: ignored, rebuilt, the same output.
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: cache))
        same(try plan("text"), fresh, "corrupt cache")
        same(try plan("text"), fresh, "rebuilt cache")
        // Never committed, never in the working tree.
        #expect(try CLI.git(["status", "--porcelain", "--ignored"], in: repo.path).stdout.isEmpty)
    }
}
