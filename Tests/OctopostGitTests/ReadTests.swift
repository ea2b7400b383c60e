import Foundation
import OctopostGit
import OctopostKit
import Testing

@Suite struct ReadTests {
    @Test func discoversFromASubdirectory() throws {
        let fx = try GitFixture()
        try fx.makeRepo(files: ["posts/2026/a.md": "a\n"])
        let repo = try LibGit2Repository.discover(from: fx.path("repo/posts/2026"))
        #expect(repo.workTree == fx.path("repo"))
        #expect(try repo.currentBranch() == "main")
    }

    @Test func entryKindsAsGitRecordsThem() throws {
        let fx = try GitFixture()
        _ = try fx.makeRepo(files: ["media/a.png": "png\n", "media/real/b.png": "png\n"])
        try FileManager.default.createSymbolicLink(atPath: fx.path("repo/media/link.png"), withDestinationPath: "a.png")
        try FileManager.default.createSymbolicLink(atPath: fx.path("repo/media/sub"), withDestinationPath: "real")
        try fx.git("repo", "add", "-A")
        try fx.git("repo", "commit", "-q", "-m", "links")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let head = try #require(try repo.headCommit())
        #expect(try repo.entryKind("media/a.png", at: head) == .file)
        #expect(try repo.entryKind("media/link.png", at: head) == .symlink)
        #expect(try repo.entryKind("media/sub", at: head) == .symlink)
        #expect(try repo.entryKind("media/sub/b.png", at: head) == .symlink, "a link on the way")
        #expect(try repo.entryKind("media/real", at: head) == .directory)
        #expect(try repo.entryKind("media/none.png", at: head) == .missing)
        #expect(try repo.entryKind("media/a.png/x", at: head) == .missing)
        // The link's blob is its link text: a reader that asked for it as a file would get "a.png".
        #expect(try repo.readFile("media/link.png", at: head) == Array("a.png".utf8))
    }

    @Test func notARepository() throws {
        let fx = try GitFixture()
        try FileManager.default.createDirectory(atPath: fx.path("plain/sub"), withIntermediateDirectories: true)
        #expect(throws: GitError.notARepository(fx.path("plain/sub"))) {
            try LibGit2Repository.discover(from: fx.path("plain/sub"))
        }
        #expect(throws: GitError.notARepository(fx.path("plain"))) {
            try LibGit2Repository.open(at: fx.path("plain"))
        }
    }

    @Test func headBranchDetachedAndUnborn() throws {
        let fx = try GitFixture()
        try FileManager.default.createDirectory(atPath: fx.path("empty"), withIntermediateDirectories: true)
        try fx.git("empty", "init", "-q", "-b", "main")
        let empty = try LibGit2Repository.open(at: fx.path("empty"))
        #expect(try empty.currentBranch() == nil)
        #expect(try empty.headCommit() == nil)

        let first = try fx.makeRepo()
        let second = try fx.commitFiles("repo", ["b.md": "b\n"], message: "second")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.headCommit() == second)
        try fx.git("repo", "checkout", "-q", "--detach", first)
        #expect(try repo.currentBranch() == nil)
        #expect(try repo.headCommit() == first)
        try fx.git("repo", "checkout", "-q", "-b", "feature")
        #expect(try repo.currentBranch() == "feature")
    }

    @Test func resolvesRevisions() throws {
        let fx = try GitFixture()
        let first = try fx.makeRepo()
        let second = try fx.commitFiles("repo", ["b.md": "b\n"], message: "second")
        try fx.git("repo", "tag", "-a", "v1", "-m", "annotated", first)
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.resolveCommit("main") == second)
        #expect(try repo.resolveCommit("HEAD~1") == first)
        #expect(try repo.resolveCommit(String(first.prefix(10))) == first)
        #expect(try repo.resolveCommit("v1") == first)  // annotated tag peeled to its commit
        #expect(throws: GitError.unknownRef("nope")) { try repo.resolveCommit("nope") }
        let tree = try fx.git("repo", "rev-parse", "HEAD^{tree}")
        #expect(throws: GitError.unknownRef(tree)) { try repo.resolveCommit(tree) }
    }

    @Test func readsFilesAtACommit() throws {
        let fx = try GitFixture()
        let first = try fx.makeRepo(files: ["posts/a.md": "one\n"])
        try fx.commitFiles("repo", ["posts/a.md": "two\n"], message: "edit")
        try fx.write("repo/posts/a.md", "uncommitted\n")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.readFile("posts/a.md", at: first)?.text == "one\n")
        #expect(try repo.readFile("posts/a.md", at: "HEAD")?.text == "two\n")
        #expect(try repo.readFile("posts/missing.md", at: "HEAD") == nil)
        #expect(try repo.readFile("nowhere/a.md", at: "HEAD") == nil)
        #expect(throws: GitError.self) { try repo.readFile("posts", at: "HEAD") }
        #expect(throws: GitError.unknownRef("nope")) { try repo.readFile("posts/a.md", at: "nope") }
    }

    @Test func readsEmptyAndBinaryFiles() throws {
        let fx = try GitFixture()
        try fx.makeRepo(files: ["empty": ""])
        try FileManager.default.createFile(atPath: fx.path("repo/bin"), contents: Data([0, 255, 10, 0]))
        try fx.git("repo", "add", "bin")
        try fx.git("repo", "commit", "-q", "-m", "binary")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.readFile("empty", at: "HEAD") == [])
        #expect(try repo.readFile("bin", at: "HEAD") == [0, 255, 10, 0])
    }

    @Test func listsFilesRecursively() throws {
        let fx = try GitFixture()
        try fx.makeRepo(files: [
            "README.md": "r\n", "posts/a.md": "a\n", "posts/2026/b.md": "b\n", "posts/2026/img/c.png": "c",
            "postscript.md": "not under posts\n",
        ])
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.listFiles(under: "posts", at: "HEAD") == ["posts/2026/b.md", "posts/2026/img/c.png", "posts/a.md"])
        #expect(try repo.listFiles(under: "posts/", at: "HEAD") == ["posts/2026/b.md", "posts/2026/img/c.png", "posts/a.md"])
        #expect(try repo.listFiles(under: "posts/2026/img", at: "HEAD") == ["posts/2026/img/c.png"])
        #expect(try repo.listFiles(under: "", at: "HEAD").count == 5)
        #expect(try repo.listFiles(under: "drafts", at: "HEAD") == [])
        #expect(try repo.listFiles(under: "README.md", at: "HEAD") == [])
    }

    @Test func mergeBaseOfDivergedBranches() throws {
        let fx = try GitFixture()
        try fx.makeRepo()
        let base = try fx.commitFiles("repo", ["a.md": "a\n"], message: "base")
        try fx.git("repo", "checkout", "-q", "-b", "feature")
        let feature = try fx.commitFiles("repo", ["f.md": "f\n"], message: "feature")
        try fx.git("repo", "checkout", "-q", "main")
        try fx.commitFiles("repo", ["m.md": "m\n"], message: "main moves")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.mergeBase("main", "feature") == base)
        #expect(try repo.mergeBase(feature, base) == base)
        #expect(throws: GitError.unknownRef("nope")) { try repo.mergeBase("main", "nope") }
    }

    @Test func concurrentReadsShareOneHandle() async throws {
        let fx = try GitFixture()
        try fx.makeRepo(files: ["posts/a.md": "a\n", "posts/b.md": "b\n"])
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var n = 0
                    for _ in 0..<20 {
                        n += try repo.listFiles(under: "posts", at: "HEAD").count
                        n += try repo.readFile("posts/a.md", at: "main")?.count ?? 0
                    }
                    return n
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: 80, count: 16))
    }
}
