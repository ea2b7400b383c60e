import Foundation
import OctopostKit
import OctopostSandbox
import Testing

/// Issue 7, threat model: a hostile server (or a careless one) must never obtain or make octopost
/// write down a secret. Each test is the attack as it was run against the old build: the hostile
/// input, the built `octopost` binary on a temporary repository with the emulators, and the check
/// that the secret went nowhere while the other posts still went out.
@Suite("Threat model: secrets and transport", .serialized)
struct ThreatModelSecretsTests {
    /// Every text a run leaves behind: its output, the ledger files and the whole git history.
    static func everything(_ world: SyncWorld, outputs: [CLI.Result]) async throws -> [String: String] {
        let log = try await Async.git(["log", "-p", "--all", "--format=%H%n%B"], in: world.path)
        return ["stdout/stderr": outputs.map { $0.stdout + "\n" + $0.stderr }.joined(separator: "\n"),
                "ledger": Ledger.rawOnDisk(world.path).values.joined(separator: "\n"),
                "git log -p --all": log.stdout]
    }

    /// Every `length`-character piece of `secret`: none may appear anywhere.
    static func pieces(of secret: String, length: Int = 8) -> [String] {
        let chars = Array(secret)
        guard chars.count > length else { return [secret] }
        return (0...(chars.count - length)).map { String(chars[$0..<($0 + length)]) }
    }

    static func entry(_ world: SyncWorld, _ id: String, _ target: String) -> [String: Any] {
        Ledger.entries(Ledger.onDisk(world.path)[id] ?? [:])[target] ?? [:]
    }

    // MARK: 7.5

    @Test("7.5 an error body that echoes the Authorization header never puts the Bluesky session token in the ledger, a commit or the output",
          .timeLimit(.minutes(2)))
    func echoedSessionToken() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: [
            "content/sky.md": PostFile.make(platforms: ["bluesky"], at: at, body: "to bluesky"),
            "content/toot.md": PostFile.make(platforms: ["mastodon"], at: at, body: "to mastodon"),
        ], platforms: [.bluesky, .mastodon])
        // The server answers createRecord with an error that repeats the request's Authorization header.
        await world.sandbox[.bluesky]?.enqueue(SandboxFault(.echo(status: 400, pad: 0), path: "createRecord"))
        let r = try await world.sync()
        #expect(r.status == 1, "the echoed error fails the entry: \(r.stdout)\(r.stderr)")

        let sky = Self.entry(world, "sky", "bluesky")
        let message = sky["error"] as? String ?? sky["message"] as? String ?? "\(sky)"
        #expect(sky["status"] as? String == "failed", "\(sky)")
        // The platform's words are kept, the token is not.
        #expect(message.contains("Authorization: Bearer <redacted>"), "\(message)")
        // The emulator's session tokens are JWTs (`eyJ…`); the session was created in this run, so
        // the only way to know it is from the run's own traffic.
        for (place, text) in try await Self.everything(world, outputs: [r]) {
            #expect(!text.contains("eyJ"), "\(place) holds a session token: \(text)")
        }
        // The other post still went out.
        #expect(Self.entry(world, "toot", "mastodon")["status"] as? String == "published")
        #expect(await world.posts()["mastodon"]?.count == 1)
        await world.stop()
    }

    // MARK: 7.6

    @Test("7.6 an error padded so the cut falls inside an echoed token leaves no piece of OCTOPOST_MASTODON_TOKEN anywhere",
          .timeLimit(.minutes(2)))
    func paddedEchoCutBeforeRedaction() async throws {
        let token = "Mq7Xk2vL9pR4tW8yB3nC6jH1fG5dS0aZeU4iO8uY2tQrV5bN7mK1"
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: [
            "content/toot.md": PostFile.make(platforms: ["mastodon"], at: at, body: "to mastodon"),
            "content/tg.md": PostFile.make(platforms: ["telegram"], at: at, body: "to telegram"),
        ], platforms: [.mastodon, .telegram], overrides: [.mastodon: EmulatorConfiguration(token: token)])
        // 446 filler characters + "Authorization: Bearer " (22): the token starts at character 468 of
        // the platform's message, so a cut at 500 keeps its first 32 characters.
        await world.sandbox[.mastodon]?.enqueue(SandboxFault(.echo(status: 422, pad: 446), path: "statuses"))
        let r = try await world.sync(env: ["OCTOPOST_MASTODON_TOKEN": token])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")

        let toot = Self.entry(world, "toot", "mastodon")
        #expect(toot["status"] as? String == "failed", "\(toot)")
        let everything = try await Self.everything(world, outputs: [r])
        for (place, text) in everything {
            for piece in Self.pieces(of: token) {
                #expect(!text.contains(piece), "\(place) holds '\(piece)' of the Mastodon token")
            }
        }
        #expect(everything["ledger"]?.contains("Authorization: Bearer <redacted>") == true,
                "the message keeps the platform's words up to the secret: \(toot)")
        #expect(Self.entry(world, "tg", "telegram")["status"] as? String == "published")
        await world.stop()
    }

    // MARK: 7.5b

    @Test("7.5b a server that answers a post with the token in its id and URL gets no token into the ledger, a commit or the output; a handle and a channel id stay",
          .timeLimit(.minutes(2)))
    func tokenInASuccessAnswer() async throws {
        let mastodonToken = "Mq7Xk2vL9pR4tW8yB3nC6jH1fG5dS0aZeU4iO8uY2tQrV5bN7mK1"
        let botToken = "MTI5ODc2NTQzMjEwOTg3NjU0Mw.Gx7Hq2.Lm9Xv4Tp8Wn3Yb6Hc1Jd5Fg0Sa8Ke2Tz"
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: [
            "content/toot.md": PostFile.make(platforms: ["mastodon"], at: at, body: "to mastodon"),
            "content/sky.md": PostFile.make(platforms: ["bluesky"], at: at, body: "to bluesky"),
            "content/dc.md": PostFile.make(platforms: ["discord"], at: at, body: "to discord"),
        ], platforms: [.mastodon, .bluesky, .discord])
        // Each server answers the post with success, and with the credential it was sent (Bluesky: the
        // session token) in the id, the URL, the uri and the cid.
        await world.sandbox[.mastodon]?.enqueue(SandboxFault(.answer(status: 200, body: #"""
            {"id":"1{{authorization}}","url":"https://m.example/@me/{{authorization}}","uri":"https://m.example/users/me/statuses/{{authorization}}"}
            """#), path: "statuses", method: "POST"))
        await world.sandbox[.bluesky]?.enqueue(SandboxFault(.answer(status: 200, body: #"""
            {"uri":"at://did:plc:x/app.bsky.feed.post/{{authorization}}","cid":"{{authorization}}"}
            """#), path: "createRecord"))
        await world.sandbox[.discord]?.enqueue(SandboxFault(.answer(status: 200, body: #"""
            {"id":"5{{authorization}}","channel_id":"100000000000000001","guild_id":"300000000000000003"}
            """#), path: "messages", method: "POST"))
        let r = try await world.sync(env: ["OCTOPOST_MASTODON_TOKEN": mastodonToken, "OCTOPOST_DISCORD_BOT_TOKEN": botToken,
                                           "OCTOPOST_DISCORD_CHANNEL_ID": "100000000000000001"])
        #expect(r.status == 0, "the server said success: \(r.stdout)\(r.stderr)")

        let pieces = Self.pieces(of: mastodonToken) + Self.pieces(of: botToken) + ["eyJ"]  // the Bluesky session is a JWT
        for (place, text) in try await Self.everything(world, outputs: [r]) {
            let leaked = pieces.filter(text.contains)
            #expect(leaked.isEmpty, "\(place) holds \(leaked)")
        }
        let toot = Self.entry(world, "toot", "mastodon")
        #expect(toot["status"] as? String == "published" && toot["post_id"] as? String == "1<redacted>", "\(toot)")
        #expect(toot["post_url"] as? String == "https://m.example/@me/<redacted>", "\(toot)")
        // What names the account or the channel is no secret: the URLs keep it.
        let sky = Self.entry(world, "sky", "bluesky")
        #expect(sky["status"] as? String == "published", "\(sky)")
        #expect(sky["post_url"] as? String == "https://bsky.app/profile/sandbox.bsky.social/post/<redacted>", "\(sky)")
        let dc = Self.entry(world, "dc", "discord")
        #expect(dc["post_url"] as? String == "https://discord.com/channels/300000000000000003/100000000000000001/5<redacted>", "\(dc)")
        await world.stop()
    }

    // MARK: 7.6b

    /// The characters of `encoded` that hold the secret alone (not the bytes around it): 4 off each end.
    static func encodedPieces(_ encoded: String) -> [String] {
        pieces(of: String(encoded.dropFirst(4).dropLast(4)))
    }

    @Test("7.6b an error that echoes a token percent-encoded in lower case, in base64 or base64url, or cut short leaves no piece of it anywhere",
          .timeLimit(.minutes(2)))
    func otherEncodingsOfTheToken() async throws {
        let telegramToken = "7312456789:AAHk3vQ9xZp2LmN8rT5wY1uE6oI4aS7dF0g"
        let mastodonToken = "Mq7Xk2vL9pR4tW8yB3nC6jH1fG5dS0aZeU4iO8uY2tQrV5bN7mK1"
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: [
            "content/tg.md": PostFile.make(platforms: ["telegram"], at: at, body: "to telegram"),
            "content/toot.md": PostFile.make(platforms: ["mastodon"], at: at, body: "to mastodon"),
            "content/sky.md": PostFile.make(platforms: ["bluesky"], at: at, body: "to bluesky"),
        ], platforms: [.telegram, .mastodon, .bluesky], overrides: [.telegram: EmulatorConfiguration(token: telegramToken)])
        // What a .NET server writes (UrlEncode: lower-case hex), the path it was asked for, and the token
        // in base64 inside a longer value at each alignment, standard and URL-safe.
        let lower = "7312456789%3a" + telegramToken.dropFirst(11)
        let b64 = Data("x\(telegramToken)".utf8).base64EncodedString()
        let b64url = Data("ab\(telegramToken)!".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        let basic = Data("bot:\(telegramToken)".utf8).base64EncodedString()
        let description = "Bad Request: lower=\(lower) path=/bot\(lower)/sendMessage b64=\(b64) b64url=\(b64url) basic=\(basic)"
        await world.sandbox[.telegram]?.enqueue(SandboxFault(.answer(status: 400, body:
            #"{"ok":false,"error_code":400,"description":"\#(description)"}"#), path: "sendMessage"))
        // A server that cuts what it echoes to 11 and to 8 characters.
        await world.sandbox[.mastodon]?.enqueue(SandboxFault(.answer(status: 422, body:
            #"{"error":"token \#(mastodonToken.prefix(11))… is not valid (\#(mastodonToken.prefix(8)))"}"#), path: "statuses"))
        let r = try await world.sync(env: ["OCTOPOST_TELEGRAM_BOT_TOKEN": telegramToken, "OCTOPOST_MASTODON_TOKEN": mastodonToken])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")

        let tg = Self.entry(world, "tg", "telegram"), toot = Self.entry(world, "toot", "mastodon")
        #expect(tg["status"] as? String == "failed" && toot["status"] as? String == "failed", "\(tg)\n\(toot)")
        // The platform's words stay, the token in every form does not.
        #expect((tg["error"] as? String)?.contains("Bad Request: lower=<redacted> path=/bot<redacted>/sendMessage b64=") == true, "\(tg)")
        #expect((toot["error"] as? String)?.contains("token <redacted>… is not valid (<redacted>)") == true, "\(toot)")
        let forms = Self.pieces(of: telegramToken) + Self.pieces(of: String(lower))
            + [b64, b64url, basic].flatMap(Self.encodedPieces) + [String(mastodonToken.prefix(8))]
        for (place, text) in try await Self.everything(world, outputs: [r]) {
            let leaked = forms.filter(text.contains)
            #expect(leaked.isEmpty, "\(place) holds \(leaked)")
        }
        #expect(Self.entry(world, "sky", "bluesky")["status"] as? String == "published")
        await world.stop()
    }

    // MARK: 7.7

    /// A git smart-HTTP stand-in that demands Basic credentials for everything (401) and writes every
    /// Authorization header it receives to a file, so the test sees what a real server would get.
    final class AuthRecorder: @unchecked Sendable {
        let server: LoopbackPython
        var port: Int { server.port }
        let log: String
        static var available: Bool { LoopbackPython.available }

        init(dir: String) throws {
            log = dir + "/authorization.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            server = try LoopbackPython(script: Self.script, arguments: [log])
        }

        /// `path host` lines, one per request, with the Authorization header if any.
        var requests: [String] { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        static let script = #"""
import http.server, sys
log = sys.argv[1]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n: self.rfile.read(n)
        with open(log, "a") as f:
            f.write("%s %s authorization=%s\n" % (self.command, self.path, self.headers.get("Authorization", "")))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()
    do_GET = do_POST = handle_any
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""#
    }

    @Test("7.7 OCTOPOST_GIT_TOKEN is never sent over plain http to a host that is not loopback",
          .enabled(if: AuthRecorder.available, "needs /usr/bin/python3"), .timeLimit(.minutes(2)))
    func gitTokenOverPlainHTTP() async throws {
        let gitToken = "ghp_Q7x2Kq9Lm4Vt7Wn3Yb6Hc1Jd5Fg0Sa8Ke2Tz"
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: [
            "content/toot.md": PostFile.make(platforms: ["mastodon"], at: at, body: "to mastodon"),
        ], platforms: [.mastodon])
        let dir = try TempDir("octopost-recorder")
        let recorder = try AuthRecorder(dir: dir.path)

        // `0.0.0.0` is not a loopback name in octopost's sense (127.0.0.0/8, ::1, localhost), yet on
        // Linux a connection to it reaches this machine: the recorder sees what a remote host would
        // have received, and no packet leaves the machine.
        try await Async.git(["remote", "add", "origin", "http://0.0.0.0:\(recorder.port)/content.git"], in: world.path)
        let refused = try await world.sync(["--push"], env: ["OCTOPOST_GIT_TOKEN": gitToken])
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("refusing to send OCTOPOST_GIT_TOKEN over http to '0.0.0.0'"),
                "the reason is given: \(refused.stderr)")
        #expect(refused.stderr.contains("https://"), "and what to do: \(refused.stderr)")
        let basic = Data("x-access-token:\(gitToken)".utf8).base64EncodedString()
        #expect(!recorder.requests.isEmpty, "the remote was asked (it answered 401)")
        for line in recorder.requests {
            #expect(line.hasSuffix("authorization="), "credentials reached a non-loopback remote: \(line)")
            #expect(!line.contains(basic) && !line.contains(gitToken))
        }
        #expect(!(refused.stdout + refused.stderr).contains(gitToken))

        // The same server as a loopback remote does get the token: the recorder would have seen it.
        try await Async.git(["remote", "set-url", "origin", "http://127.0.0.1:\(recorder.port)/content.git"], in: world.path)
        let loopback = try await world.sync(["--push"], env: ["OCTOPOST_GIT_TOKEN": gitToken])
        #expect(loopback.status == 2, "the recorder refuses every token: \(loopback.stderr)")
        #expect(recorder.requests.contains { $0.contains("authorization=Basic \(basic)") },
                "over loopback the token is offered: \(recorder.requests)")
        await world.stop()
    }

    // MARK: 7.10

    @Test("7.10 a redirect to another origin is not followed: no bot or webhook token and no post body goes there",
          .timeLimit(.minutes(2)))
    func redirectToAnotherOrigin() async throws {
        let telegramToken = "7312456789:AAHk3vQ9xZp2LmN8rT5wY1uE6oI4aS7dF0g"
        let webhookID = "1298765432109876543", webhookToken = "Zq8xW3vB5nM1kL7jH2gF9dS4aP6oI0uY-tR3eE8wQ2zX5cV7bN1mK4lJ6hG9fD2sA"
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: [
            "content/tg.md": PostFile.make(platforms: ["telegram"], at: at, body: "secret body for telegram"),
            "content/dc.md": PostFile.make(platforms: ["discord"], at: at, body: "secret body for discord"),
            "content/toot.md": PostFile.make(platforms: ["mastodon"], at: at, body: "to mastodon"),
        ], platforms: [.telegram, .discord, .mastodon], overrides: [
            .telegram: EmulatorConfiguration(token: telegramToken),
            .discord: EmulatorConfiguration(token: webhookToken, account: webhookID),
        ])
        // Where the hostile API base points: emulators on other ports (another origin) that accept anything.
        let elsewhere = try await Sandbox.start([.telegram, .discord])
        let telegramElsewhere = try #require(elsewhere[.telegram]?.baseURL.absoluteString)
        let discordElsewhere = try #require(elsewhere[.discord]?.baseURL.absoluteString)
        await world.sandbox[.telegram]?.enqueue(SandboxFault(.redirect(location: telegramElsewhere, status: 307)))
        await world.sandbox[.discord]?.enqueue(SandboxFault(.redirect(location: discordElsewhere, status: 308)))

        let r = try await world.sync(env: [
            "OCTOPOST_TELEGRAM_BOT_TOKEN": telegramToken,
            "OCTOPOST_DISCORD_BOT_TOKEN": "", "OCTOPOST_DISCORD_CHANNEL_ID": "",
            "OCTOPOST_DISCORD_WEBHOOK_URL": "https://discord.com/api/webhooks/\(webhookID)/\(webhookToken)",
        ])
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")

        // Nothing arrived at the other origin.
        #expect(await elsewhere[.telegram]?.posts().isEmpty == true, "the Telegram post was sent to the redirect target")
        #expect(await elsewhere[.discord]?.posts().isEmpty == true, "the Discord post was sent to the redirect target")
        let delivered = await world.posts()
        #expect(delivered["telegram"]?.isEmpty == true && delivered["discord"]?.isEmpty == true, "\(delivered)")

        // The entries say what happened and where it pointed, without the tokens.
        for (id, target, origin) in [("tg", "telegram", telegramElsewhere), ("dc", "discord", discordElsewhere)] {
            let entry = Self.entry(world, id, target)
            let text = "\(entry)"
            #expect(entry["status"] as? String == "failed", "\(id): \(entry)")
            #expect(text.contains("redirect") && text.contains(origin), "\(id): \(text)")
        }
        for (place, text) in try await Self.everything(world, outputs: [r]) {
            for secret in [telegramToken, webhookToken] {
                for piece in Self.pieces(of: secret, length: 10) { #expect(!text.contains(piece), "\(place) holds '\(piece)'") }
            }
        }
        #expect(Self.entry(world, "toot", "mastodon")["status"] as? String == "published")
        await elsewhere.stop()
        await world.stop()
    }

    // MARK: 7.10b

    @Test("7.10b a 303 after a post went through is a lost answer, not a failure to send again: no second post",
          .timeLimit(.minutes(2)))
    func seeOtherAfterAPost() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let world = try await SyncWorld.start(posts: [
            "content/toot.md": PostFile.make(platforms: ["mastodon"], at: at, body: "to mastodon"),
            "content/tg.md": PostFile.make(platforms: ["telegram"], at: at, body: "to telegram"),
            "content/sky.md": PostFile.make(platforms: ["bluesky"], at: at, body: "to bluesky"),
        ], platforms: [.mastodon, .telegram, .bluesky])
        // Both servers create the post, then answer "303 See Other" (pointing at themselves).
        for platform in [Platform.mastodon, .telegram] {
            let base = try #require(world.sandbox[platform]?.baseURL.absoluteString)
            await world.sandbox[platform]?.enqueue(SandboxFault(.redirectAfterCommit(location: base, status: 303), method: "POST"))
        }
        let first = try await world.sync()
        #expect(first.status == 1, "telegram cannot be asked: unknown, exit 1: \(first.stdout)\(first.stderr)")
        let tg = Self.entry(world, "tg", "telegram")
        #expect(tg["status"] as? String == "unknown", "not failed (a retry would post again): \(tg)")
        #expect((tg["error"] as? String)?.contains("HTTP 303") == true, "\(tg)")
        let toot = Self.entry(world, "toot", "mastodon")
        #expect(toot["status"] as? String == "publishing", "kept for a checked resend: \(toot)")

        // The next run resends with the same Idempotency-Key: Mastodon answers with the status it made.
        let second = try await world.sync(advance: 5)
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(Self.entry(world, "toot", "mastodon")["status"] as? String == "published")
        #expect(Self.entry(world, "tg", "telegram")["status"] as? String == "unknown")
        let posts = await world.posts()
        #expect(posts["mastodon"]?.count == 1 && posts["telegram"]?.count == 1, "one post each: \(posts)")
        #expect(Self.entry(world, "sky", "bluesky")["status"] as? String == "published")
        await world.stop()
    }

    // MARK: 7.12c

    @Test("7.12c doctor never prints the user info of an API base")
    func doctorHidesUserInfo() async throws {
        let at = Timestamp.format(Date().addingTimeInterval(-60))
        let repo = try TempRepo(config: "timezone: UTC\n", files: [
            "content/a.md": PostFile.make(platforms: ["mastodon", "telegram"], at: at, body: "hello"),
        ])
        try repo.commit()
        let r = try CLI.octopost(["doctor", "--repo", repo.path], env: [
            "OCTOPOST_MASTODON_TOKEN": "tok-123456",
            "OCTOPOST_MASTODON_API_BASE": "http://octo:PASSWORD1@127.0.0.1:9/api-prefix",
            "OCTOPOST_TELEGRAM_BOT_TOKEN": "1:abcdef", "OCTOPOST_TELEGRAM_CHAT_ID": "@x",
            // Refused (plain http, not loopback): the refusal quotes the URL, without its user info.
            "OCTOPOST_TELEGRAM_API_BASE": "http://octo:PASSWORD2@api.example.invalid",
        ])
        let out = r.stdout + r.stderr
        #expect(!out.contains("PASSWORD1") && !out.contains("PASSWORD2") && !out.contains("octo:"), "\(out)")
        #expect(out.contains("API at http://***@127.0.0.1:9/api-prefix"), "the base is still shown: \(out)")
        #expect(out.contains("'http://***@api.example.invalid' uses plain http"), "\(out)")
    }
}
