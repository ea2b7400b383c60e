import Foundation
import OctopostGit
import OctopostKit
import Testing

@Suite struct RemoteTests {
    /// A bare `remote.git` seeded from `repo`, and a `repo` whose `origin` is it (file path URL).
    func makeRemote(_ fx: GitFixture) throws -> String {
        let base = try fx.makeRepo(files: ["posts/a.md": "a\n"])
        try fx.git("", "init", "-q", "--bare", "-b", "main", "remote.git")
        try fx.git("repo", "remote", "add", "origin", fx.path("remote.git"))
        try fx.git("repo", "push", "-q", "origin", "main")
        return base
    }

    func commit(_ repo: LibGit2Repository, _ path: String, _ text: String) throws -> String {
        try repo.commit(changes: [path: text.bytes], message: "write \(path)", authorName: "Octo",
                        authorEmail: "octo@example.invalid", branch: "main", parent: try repo.resolveCommit("main"))
    }

    @Test func remoteConfiguration() throws {
        let fx = try GitFixture()
        _ = try makeRemote(fx)
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(repo.remoteExists("origin"))
        #expect(!repo.remoteExists("upstream"))
        #expect(repo.remoteURL("origin") == fx.path("remote.git"))
        #expect(repo.remoteURL("upstream") == nil)
        #expect(throws: GitError.failed("no remote named 'upstream'")) {
            try repo.push(remote: "upstream", branch: "main", credentials: .none)
        }
    }

    @Test func pushesToABareRemote() throws {
        let fx = try GitFixture()
        _ = try makeRemote(fx)
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let id = try commit(repo, "posts/b.md", "b\n")
        try repo.push(remote: "origin", branch: "main", credentials: .none)
        #expect(try fx.git("", "--git-dir=\(fx.path("remote.git"))", "log", "-1", "--format=%H %s", "main") == "\(id) write posts/b.md")
        #expect(try repo.resolveCommit("origin/main") == id)  // tracking ref updated by the push
        // Pushing again is a no-op, not an error.
        try repo.push(remote: "origin", branch: "main", credentials: .none)
    }

    @Test func pushesANewBranch() throws {
        let fx = try GitFixture()
        _ = try makeRemote(fx)
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let id = try repo.commit(changes: ["s.json": "{}".bytes], message: "state", authorName: "Octo",
                                 authorEmail: "octo@example.invalid", branch: "state", parent: nil)
        try repo.push(remote: "origin", branch: "state", credentials: .none)
        #expect(try fx.git("", "--git-dir=\(fx.path("remote.git"))", "rev-parse", "state") == id)
    }

    @Test func racingClonesGetNonFastForwardThenRecover() throws {
        let fx = try GitFixture()
        _ = try makeRemote(fx)
        try fx.git("", "clone", "-q", fx.path("remote.git"), "other")
        let mine = try LibGit2Repository.open(at: fx.path("repo"))
        let theirs = try LibGit2Repository.open(at: fx.path("other"))

        let theirCommit = try commit(theirs, "posts/theirs.md", "theirs\n")
        try theirs.push(remote: "origin", branch: "main", credentials: .none)

        _ = try commit(mine, "posts/mine.md", "mine\n")
        do {
            try mine.push(remote: "origin", branch: "main", credentials: .none)
            Issue.record("expected the second push to be rejected")
        } catch {
            guard case .nonFastForward = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(try fx.git("", "--git-dir=\(fx.path("remote.git"))", "rev-parse", "main") == theirCommit)

        // The fetch-replan loop: fetch, reset onto theirs, redo the commit, push.
        #expect(try mine.fetch(remote: "origin", branch: "main", credentials: .none) == theirCommit)
        #expect(try mine.resolveCommit("origin/main") == theirCommit)
        try mine.resetBranch("main", to: theirCommit)
        #expect(fx.read("repo/posts/theirs.md") == "theirs\n")
        let replanned = try commit(mine, "posts/mine.md", "mine\n")
        try fx.write("repo/posts/mine.md", "mine\n")
        try mine.push(remote: "origin", branch: "main", credentials: .none)
        #expect(try fx.git("", "--git-dir=\(fx.path("remote.git"))", "rev-parse", "main") == replanned)
        #expect(try fx.git("repo", "status", "--porcelain") == "")
    }

    @Test func fetchReportsMissingBranches() throws {
        let fx = try GitFixture()
        let base = try makeRemote(fx)
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.fetch(remote: "origin", branch: "main", credentials: .none) == base)
        #expect(try repo.fetch(remote: "origin", branch: "nope", credentials: .none) == nil)
        // A branch deleted on the remote: nil, and the stale tracking ref goes too.
        try fx.git("", "--git-dir=\(fx.path("remote.git"))", "branch", "gone", "main")
        #expect(try repo.fetch(remote: "origin", branch: "gone", credentials: .none) == base)
        try fx.git("", "--git-dir=\(fx.path("remote.git"))", "branch", "-D", "gone")
        #expect(try repo.fetch(remote: "origin", branch: "gone", credentials: .none) == nil)
        #expect(throws: GitError.unknownRef("origin/gone")) { try repo.resolveCommit("origin/gone") }
    }

    @Test func fetchFromAnEmptyRemote() throws {
        let fx = try GitFixture()
        try fx.makeRepo()
        try fx.git("", "init", "-q", "--bare", "-b", "main", "empty.git")
        try fx.git("repo", "remote", "add", "origin", fx.path("empty.git"))
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.fetch(remote: "origin", branch: "main", credentials: .none) == nil)
    }

    /// Local remotes (plain paths and file:// URLs) are pushed by octopost itself with a
    /// compare-and-swap, running the remote's hooks as receive-pack would (tested end to end in the
    /// threat-model suite, 7.11); a non-bare remote's checked-out branch is refused as git's
    /// `receive.denyCurrentBranch` does.
    @Test func localPushRefusesACheckedOutBranch() throws {
        let fx = try GitFixture()
        _ = try makeRemote(fx)
        try fx.git("", "clone", "-q", fx.path("remote.git"), "nonbare")
        try fx.git("repo", "remote", "add", "nonbare", fx.path("nonbare"))
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let before = try fx.git("nonbare", "rev-parse", "main")
        _ = try commit(repo, "posts/c.md", "c\n")
        do {
            try repo.push(remote: "nonbare", branch: "main", credentials: .none)
            Issue.record("the push went through")
        } catch .pushRejected(let message) {
            #expect(message.contains("receive.denyCurrentBranch"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(try fx.git("nonbare", "rev-parse", "main") == before)
    }

    /// A push goes where `git push` sends it, the push URL: here a local path (octopost's own local push,
    /// with the remote's hooks and compare-and-swap) while the fetch URL is https, which a push never contacts.
    @Test func pushGoesToALocalPushURL() throws {
        let fx = try GitFixture()
        _ = try makeRemote(fx)
        let bare = fx.path("remote.git")
        try fx.git("repo", "remote", "set-url", "origin", "https://example.invalid/content.git")
        try fx.git("repo", "remote", "set-url", "--push", "origin", bare)
        try fx.write("remote.git/hooks/pre-receive", "#!/bin/sh\necho 'refused at the push URL' >&2\nexit 1\n")
        #expect(chmod(bare + "/hooks/pre-receive", 0o755) == 0)
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let before = try fx.git("", "--git-dir=\(bare)", "rev-parse", "main")
        let id = try commit(repo, "posts/p.md", "p\n")
        do {
            try repo.push(remote: "origin", branch: "main", credentials: .none)
            Issue.record("the push went through")
        } catch .pushRejected(let message) {
            #expect(message.contains("pre-receive") && message.contains("refused at the push URL"), "\(message)")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(try fx.git("", "--git-dir=\(bare)", "rev-parse", "main") == before)
        try fx.remove("remote.git/hooks/pre-receive")
        try repo.push(remote: "origin", branch: "main", credentials: .none)
        #expect(try fx.git("", "--git-dir=\(bare)", "rev-parse", "main") == id)
    }

    /// Two pushes from the same old remote commit: exactly one wins, the other is non-fast-forward
    /// (the local transport of libgit2 would let both "succeed").
    @Test func localPushIsCompareAndSwap() throws {
        let fx = try GitFixture()
        _ = try makeRemote(fx)
        try fx.git("", "clone", "-q", fx.path("remote.git"), "other")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let other = try LibGit2Repository.open(at: fx.path("other"))
        _ = try commit(repo, "posts/a2.md", "a\n")
        _ = try commit(other, "posts/b2.md", "b\n")
        try repo.push(remote: "origin", branch: "main", credentials: .none)
        #expect(throws: GitError.self) { try other.push(remote: "origin", branch: "main", credentials: .none) }
        let remoteHead = try fx.git("", "--git-dir=" + fx.path("remote.git"), "rev-parse", "main")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(remoteHead == (try repo.resolveCommit("main")))
        #expect(try fx.git("", "--git-dir=" + fx.path("remote.git"), "for-each-ref", "refs/octopost").isEmpty)
    }
}

/// Credentials that go out with the first request (http.extraheader, a password in the URL) are refused
/// before connecting when the remote is plain http to a host that is not loopback. No traffic: the
/// check comes before any name lookup or connection.
@Suite struct PlainHTTPCredentialTests {
    @Test func headersAndURLPasswordsAreNotSentOverPlainHTTPToARemoteHost() throws {
        let fx = try GitFixture()
        _ = try fx.makeRepo(files: ["posts/a.md": "a\n"])
        try fx.git("repo", "remote", "add", "origin", "http://example.invalid/content.git")
        try fx.git("repo", "remote", "add", "withpassword", "http://octo:pw-123456@example.invalid/content.git")
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let headers = GitCredentials(extraHeaders: ["Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="])
        let attempts: [() throws -> Void] = [{ _ = try repo.fetch(remote: "origin", branch: "main", credentials: headers) },
                                             { try repo.push(remote: "origin", branch: "main", credentials: headers) }]
        for attempt in attempts {
            do {
                try attempt()
                Issue.record("the headers would have gone out over plain http")
            } catch {
                let message = "\(error)"
                #expect(message.contains("refusing to send the http.extraheader headers over plain http to 'example.invalid'"),
                        "\(message)")
                #expect(!message.contains("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="))
            }
        }
        do {
            try repo.push(remote: "withpassword", branch: "main", credentials: .none)
            Issue.record("the URL's password would have gone out over plain http")
        } catch {
            #expect("\(error)".contains("refusing to send the password in the remote URL over plain http"), "\(error)")
            #expect(!"\(error)".contains("pw-123456"))
        }
    }
}
