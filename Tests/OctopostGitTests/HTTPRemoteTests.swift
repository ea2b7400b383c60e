import Foundation
import OctopostGit
import OctopostKit
import Testing

/// A smart-HTTP git server for one test: python3's http.server in front of `git http-backend`
/// (so receive-pack and its hooks really run). Optionally demands Basic credentials and a header.
final class GitHTTPServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    init(fixture: GitFixture, basicAuth: String = "", requiredHeader: String = "") throws {
        let script = fixture.path("server.py")
        try Data(Self.script.utf8).write(to: URL(fileURLWithPath: script))
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [script, fixture.root, basicAuth, requiredHeader]
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints its port once listening.
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureError.git("http server", "did not start")
        }
        self.port = port
    }

    deinit {
        // SIGKILL: the child may inherit a signal mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func url(_ repository: String) -> String { "http://127.0.0.1:\(port)/\(repository)" }

    static let script = #"""
import base64, http.server, os, subprocess, sys
root, basic, required = sys.argv[1], sys.argv[2], sys.argv[3]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def reply(self, status, headers, body):
        self.send_response(status)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def handle_any(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                n = int(self.rfile.readline().strip().split(b";")[0], 16)
                if n == 0:
                    self.rfile.readline(); break
                body += self.rfile.read(n); self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if basic and self.headers.get("Authorization", "") != "Basic " + base64.b64encode(basic.encode()).decode():
            return self.reply(401, [("WWW-Authenticate", 'Basic realm="test"')], b"")
        if required:
            name, value = required.split(":", 1)
            if (self.headers.get(name.strip()) or "") != value.strip():
                return self.reply(403, [], b"missing header")
        path, _, query = self.path.partition("?")
        env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
                   QUERY_STRING=query, REQUEST_METHOD=self.command, REMOTE_USER="tester", REMOTE_ADDR="127.0.0.1",
                   CONTENT_TYPE=self.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(body)))
        if self.headers.get("Content-Encoding"): env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        sep = b"\r\n\r\n" if b"\r\n\r\n" in out else b"\n\n"
        head, _, payload = out.partition(sep)
        status, headers = 200, []
        for line in head.replace(b"\r\n", b"\n").split(b"\n"):
            k, _, v = line.decode().partition(":")
            if k.lower() == "status": status = int(v.split()[0])
            elif k.lower() not in ("content-length", "transfer-encoding", ""): headers.append((k, v.strip()))
        self.reply(status, headers, payload)
    do_GET = do_POST = handle_any

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
}

@Suite(.enabled(if: GitHTTPServer.available, "needs /usr/bin/python3 for the smart-HTTP server"))
struct HTTPRemoteTests {
    /// `remote.git` (bare, served over HTTP) seeded from `repo`, whose `origin` is the HTTP URL.
    func setUp(_ fx: GitFixture, basicAuth: String = "", requiredHeader: String = "") throws
        -> (GitHTTPServer, LibGit2Repository)
    {
        try fx.makeRepo(files: ["posts/a.md": "a\n"])
        try fx.git("", "init", "-q", "--bare", "-b", "main", "remote.git")
        try fx.git("repo", "push", "-q", fx.path("remote.git"), "main")
        let server = try GitHTTPServer(fixture: fx, basicAuth: basicAuth, requiredHeader: requiredHeader)
        try fx.git("repo", "remote", "add", "origin", server.url("remote.git"))
        return (server, try LibGit2Repository.open(at: fx.path("repo")))
    }

    func commit(_ repo: LibGit2Repository, _ path: String) throws -> String {
        try repo.commit(changes: [path: "x\n".bytes], message: "write \(path)", authorName: "Octo",
                        authorEmail: "octo@example.invalid", branch: "main", parent: try repo.resolveCommit("main"))
    }

    @Test func pushAndFetchOverHTTP() throws {
        let fx = try GitFixture()
        let (server, repo) = try setUp(fx)
        let id = try commit(repo, "posts/b.md")
        try repo.push(remote: "origin", branch: "main", credentials: .none)
        #expect(try fx.git("", "--git-dir=\(fx.path("remote.git"))", "rev-parse", "main") == id)
        #expect(try repo.fetch(remote: "origin", branch: "main", credentials: .none) == id)
        #expect(try repo.fetch(remote: "origin", branch: "nope", credentials: .none) == nil)
        withExtendedLifetime(server) {}
    }

    @Test func preReceiveHookRejectionIsPushRejected() throws {
        let fx = try GitFixture()
        let (server, repo) = try setUp(fx)
        let hook = fx.path("remote.git/hooks/pre-receive")
        try fx.write("remote.git/hooks/pre-receive", "#!/bin/sh\necho 'GH006: Protected branch update failed for refs/heads/main.' >&2\nexit 1\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook)
        let before = try fx.git("", "--git-dir=\(fx.path("remote.git"))", "rev-parse", "main")
        _ = try commit(repo, "posts/b.md")
        do {
            try repo.push(remote: "origin", branch: "main", credentials: .none)
            Issue.record("expected the hook to reject the push")
        } catch {
            guard case .pushRejected(let message) = error else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains("pre-receive hook declined"))
            #expect(message.contains("Protected branch update failed"))
        }
        #expect(try fx.git("", "--git-dir=\(fx.path("remote.git"))", "rev-parse", "main") == before)
        withExtendedLifetime(server) {}
    }

    @Test func nonFastForwardOverHTTP() throws {
        let fx = try GitFixture()
        let (server, repo) = try setUp(fx)
        try fx.git("", "clone", "-q", server.url("remote.git"), "other")
        let theirs = try fx.commitFiles("other", ["t.md": "t\n"], message: "theirs")
        try fx.git("other", "push", "-q", "origin", "main")
        _ = try commit(repo, "posts/mine.md")
        do {
            try repo.push(remote: "origin", branch: "main", credentials: .none)
            Issue.record("expected a non-fast-forward rejection")
        } catch {
            guard case .nonFastForward = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(try repo.fetch(remote: "origin", branch: "main", credentials: .none) == theirs)
    }

    @Test func credentialsAndHeadersAreSentButNeverShown() throws {
        let fx = try GitFixture()
        let token = "tok-SECRET-123"
        let header = "X-Octopost-Test: hdr-SECRET-456"
        let (server, repo) = try setUp(fx, basicAuth: "x-access-token:\(token)", requiredHeader: header)
        let good = GitCredentials(token: token, extraHeaders: [header])
        let id = try commit(repo, "posts/b.md")
        try repo.push(remote: "origin", branch: "main", credentials: good)
        #expect(try fx.git("", "--git-dir=\(fx.path("remote.git"))", "rev-parse", "main") == id)
        #expect(try repo.fetch(remote: "origin", branch: "main", credentials: good) == id)

        let attempts: [GitCredentials] = [
            GitCredentials(token: "tok-WRONG-789", extraHeaders: [header]),  // 401 twice
            GitCredentials(token: token, extraHeaders: ["X-Octopost-Test: hdr-WRONG-000"]),  // 403
            GitCredentials(token: nil, extraHeaders: [header]),  // 401, no token to offer
            GitCredentials(token: token, extraHeaders: ["malformed-hdr-SECRET-000"]),  // refused by libgit2
        ]
        for credentials in attempts {
            var message = ""
            do {
                try repo.push(remote: "origin", branch: "main", credentials: credentials)
                _ = try commit(repo, "posts/again-\(UUID().uuidString).md")
                Issue.record("expected \(credentials) to fail")
            } catch {
                message = "\(error)"
            }
            #expect(!message.isEmpty)
            for secret in ["SECRET", "WRONG", "tok-", "hdr-"] {
                #expect(!message.contains(secret), "leaked in: \(message)")
            }
            #expect(!"\(credentials)".contains("SECRET") && !"\(credentials)".contains("WRONG"))
        }
        withExtendedLifetime(server) {}
    }
}
