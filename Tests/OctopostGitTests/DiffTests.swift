import Foundation
import OctopostGit
import OctopostKit
import Testing

@Suite struct DiffTests {
    @Test func changesToTheWorkingTree() throws {
        let fx = try GitFixture()
        let base = try fx.makeRepo(files: [
            "posts/keep.md": "keep\n",
            "posts/edit.md": "before\n",
            "posts/gone.md": "gone\n",
            "posts/moved.md": String(repeating: "a long enough body to be similar\n", count: 10),
            "posts/staged-move.md": String(repeating: "another body, also long enough\n", count: 10),
            ".gitignore": "*.tmp\n",
        ])
        try fx.write("repo/posts/edit.md", "after\n")  // unstaged modification
        try fx.remove("repo/posts/gone.md")  // unstaged deletion
        try FileManager.default.createDirectory(atPath: fx.path("repo/posts/2026"), withIntermediateDirectories: true)
        try fx.git("repo", "mv", "posts/staged-move.md", "posts/2026/staged-move.md")  // staged rename
        try fx.remove("repo/posts/moved.md")  // unstaged rename: deleted + untracked
        try fx.write("repo/posts/renamed.md", String(repeating: "a long enough body to be similar\n", count: 10))
        try fx.write("repo/drafts/deep/new.md", "new\n")  // untracked, in an untracked directory
        try fx.write("repo/posts/staged.md", "staged\n")
        try fx.git("repo", "add", "posts/staged.md")  // staged addition
        try fx.write("repo/scratch.tmp", "ignored\n")

        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let changes = Set(try repo.changesToWorkTree(from: base))
        #expect(changes == [
            FileChange(kind: .modified, oldPath: "posts/edit.md", newPath: "posts/edit.md"),
            FileChange(kind: .deleted, oldPath: "posts/gone.md", newPath: nil),
            FileChange(kind: .renamed, oldPath: "posts/staged-move.md", newPath: "posts/2026/staged-move.md"),
            FileChange(kind: .renamed, oldPath: "posts/moved.md", newPath: "posts/renamed.md"),
            FileChange(kind: .added, oldPath: nil, newPath: "drafts/deep/new.md"),
            FileChange(kind: .added, oldPath: nil, newPath: "posts/staged.md"),
        ])
    }

    @Test func cleanTreeAndOlderBase() throws {
        let fx = try GitFixture()
        let first = try fx.makeRepo(files: ["a.md": "a\n"])
        try fx.commitFiles("repo", ["b.md": "b\n"], message: "add b")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.changesToWorkTree(from: "HEAD") == [])
        #expect(try repo.changesToWorkTree(from: first) == [FileChange(kind: .added, oldPath: nil, newPath: "b.md")])
        #expect(throws: GitError.unknownRef("nope")) { try repo.changesToWorkTree(from: "nope") }
    }
}
