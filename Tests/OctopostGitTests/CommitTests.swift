import Foundation
import OctopostGit
import OctopostKit
import Testing

@Suite struct CommitTests {
    @Test func commitsInMemoryAndKeepsTheIndexInStep() throws {
        let fx = try GitFixture()
        let base = try fx.makeRepo(files: ["posts/a.md": "a\n", "posts/old.md": "old\n", "README.md": "r\n"])
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let id = try repo.commit(
            changes: ["posts/a.md": "a2\n".bytes, "posts/old.md": nil, "ledger/2026/x.json": "{}\n".bytes],
            message: "octopost: sync\n\nbody", authorName: "Octo Post", authorEmail: "bot@example.invalid",
            branch: "main", parent: base)

        #expect(try repo.resolveCommit("main") == id)
        #expect(try fx.git("repo", "rev-parse", "HEAD~1") == base)
        #expect(try fx.git("repo", "log", "-1", "--format=%an <%ae>|%cn|%s") == "Octo Post <bot@example.invalid>|Octo Post|octopost: sync")
        #expect(try repo.readFile("posts/a.md", at: id)?.text == "a2\n")
        #expect(try repo.readFile("posts/old.md", at: id) == nil)
        #expect(try repo.readFile("ledger/2026/x.json", at: id)?.text == "{}\n")
        #expect(try repo.readFile("README.md", at: id)?.text == "r\n")
        // The working tree was not touched...
        #expect(fx.read("repo/posts/a.md") == "a\n")
        #expect(fx.read("repo/ledger/2026/x.json") == nil)
        // ...and once the caller writes the same bytes, everything is clean.
        try fx.write("repo/posts/a.md", "a2\n")
        try fx.remove("repo/posts/old.md")
        try fx.write("repo/ledger/2026/x.json", "{}\n")
        #expect(try fx.git("repo", "status", "--porcelain") == "")
        #expect(try repo.changesToWorkTree(from: "HEAD") == [])
    }

    @Test func staleParentIsRejected() throws {
        let fx = try GitFixture()
        let base = try fx.makeRepo()
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let first = try repo.commit(changes: ["a.md": "1\n".bytes], message: "one", authorName: "A",
                                    authorEmail: "a@example.invalid", branch: "main", parent: base)
        #expect(throws: GitError.failed("branch moved")) {
            try repo.commit(changes: ["a.md": "2\n".bytes], message: "two", authorName: "A",
                            authorEmail: "a@example.invalid", branch: "main", parent: base)
        }
        #expect(try repo.resolveCommit("main") == first)
        // A branch that exists is not "new" either.
        #expect(throws: GitError.failed("branch moved")) {
            try repo.commit(changes: [:], message: "root", authorName: "A", authorEmail: "a@example.invalid",
                            branch: "main", parent: nil)
        }
        #expect(try repo.resolveCommit("main") == first)
    }

    @Test func commitsToAnotherBranchWithoutTouchingTheIndex() throws {
        let fx = try GitFixture()
        let base = try fx.makeRepo(files: ["a.md": "a\n"])
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let root = try repo.commit(changes: ["state.json": "{}\n".bytes], message: "root", authorName: "A",
                                   authorEmail: "a@example.invalid", branch: "octopost-state", parent: nil)
        #expect(try repo.listFiles(under: "", at: root) == ["state.json"])
        #expect(try fx.git("repo", "rev-list", "--count", "octopost-state") == "1")
        #expect(try repo.resolveCommit("main") == base)
        #expect(try fx.git("repo", "status", "--porcelain") == "")
        #expect(try repo.currentBranch() == "main")
    }

    @Test func keepsTheExecutableBit() throws {
        let fx = try GitFixture()
        try fx.makeRepo(files: ["run.sh": "#!/bin/sh\n"])
        try fx.git("repo", "update-index", "--chmod=+x", "run.sh")
        try fx.git("repo", "commit", "-q", "-m", "exec")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let id = try repo.commit(changes: ["run.sh": "#!/bin/sh\necho\n".bytes, "new.sh": "x\n".bytes],
                                 message: "m", authorName: "A", authorEmail: "a@example.invalid",
                                 branch: "main", parent: try repo.headCommit())
        #expect(try fx.git("repo", "ls-tree", id, "run.sh").hasPrefix("100755 "))
        #expect(try fx.git("repo", "ls-tree", id, "new.sh").hasPrefix("100644 "))
    }

    @Test func rejectsBadPathsAndBranches() throws {
        let fx = try GitFixture()
        let base = try fx.makeRepo()
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        for path in ["", "/abs", "a/../b", "a//b", ".git/config", "./a"] {
            #expect(throws: GitError.self) {
                try repo.commit(changes: [path: [1]], message: "m", authorName: "A", authorEmail: "a@example.invalid",
                                branch: "main", parent: base)
            }
        }
        #expect(throws: GitError.self) {
            try repo.commit(changes: [:], message: "m", authorName: "A", authorEmail: "a@example.invalid",
                            branch: "bad..name", parent: base)
        }
        #expect(try repo.resolveCommit("main") == base)
    }

    @Test func fastForwardAndResetUpdateTheCheckedOutTree() throws {
        let fx = try GitFixture()
        let base = try fx.makeRepo(files: ["a.md": "a\n"])
        try fx.git("repo", "checkout", "-q", "-b", "other")
        let ahead = try fx.commitFiles("repo", ["a.md": "a2\n", "b.md": "b\n"], message: "ahead")
        try fx.git("repo", "checkout", "-q", "main")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))

        try repo.fastForward(branch: "main", to: ahead)
        #expect(try repo.resolveCommit("main") == ahead)
        #expect(fx.read("repo/a.md") == "a2\n")
        #expect(fx.read("repo/b.md") == "b\n")
        #expect(try fx.git("repo", "status", "--porcelain") == "")

        // Backwards is not a fast-forward.
        #expect(throws: GitError.self) { try repo.fastForward(branch: "main", to: base) }
        #expect(try repo.resolveCommit("main") == ahead)

        // Reset refuses to overwrite local edits, then works once they are gone.
        try fx.write("repo/b.md", "edited\n")
        #expect(throws: GitError.self) { try repo.resetBranch("main", to: base) }
        #expect(try repo.resolveCommit("main") == ahead)
        #expect(fx.read("repo/b.md") == "edited\n")
        try fx.write("repo/b.md", "b\n")
        try repo.resetBranch("main", to: base)
        #expect(try repo.resolveCommit("main") == base)
        #expect(fx.read("repo/a.md") == "a\n")
        #expect(fx.read("repo/b.md") == nil)
        #expect(try fx.git("repo", "status", "--porcelain") == "")
    }

    @Test func fastForwardRejectsDivergence() throws {
        let fx = try GitFixture()
        try fx.makeRepo()
        try fx.git("repo", "checkout", "-q", "-b", "side")
        let side = try fx.commitFiles("repo", ["s.md": "s\n"], message: "side")
        try fx.git("repo", "checkout", "-q", "main")
        try fx.commitFiles("repo", ["m.md": "m\n"], message: "main")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let before = try repo.resolveCommit("main")
        do {
            try repo.fastForward(branch: "main", to: side)
            Issue.record("expected a non-fast-forward error")
        } catch {
            guard case .nonFastForward = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(try repo.resolveCommit("main") == before)
    }
}
