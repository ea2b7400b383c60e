import Foundation
import Testing
@testable import OctopostKit

@Suite struct ConfigLoaderTests {
    func load(_ text: String) -> ConfigLoadResult { ConfigLoader.load(bytes: Array(text.utf8)) }

    @Test func readsEverything() throws {
        let r = load("""
        content: posts
        ledger: status
        timezone: Europe/Berlin
        git:
          branch: publish
          push: false
          remote: upstream
          author: {name: bot, email: bot@example.com}
        retry:
          delays: [30s, 2m]
        stale_after: 2d
        accounts:
          mastodon: {instance: https://mastodon.social, max_characters: 1000}
          "mastodon:work": {instance: https://hachyderm.io}
          telegram: {chat_id: "@chan"}
        """)
        #expect(r.errors.isEmpty, "\(r.errors.map(\.formatted))")
        #expect(r.findings.isEmpty)
        let c = r.config
        #expect(c.contentDirectory == "posts")
        #expect(c.ledgerDirectory == "status")
        #expect(c.timeZone?.identifier == "Europe/Berlin")
        #expect(c.git.branch == "publish")
        #expect(c.git.push == .never)
        #expect(c.git.authorEmail == "bot@example.com")
        #expect(c.retryDelays == [30, 120])
        #expect(c.staleAfter == 172_800)
        #expect(c.mastodonLimit(for: PlatformTarget(platform: .mastodon)) == 1000)
        #expect(c.mastodonLimit(for: PlatformTarget(platform: .mastodon, account: "work")) == 500)
        #expect(c.accounts["telegram"]?.settings["chat_id"] == "@chan")
    }

    @Test func wrongTypesAndUnknownKeysAreErrorsWithLines() {
        let r = load("timezone: Mars/Olympus\ngit:\n  push: sometimes\nretry: {delays: [soon]}\nstale_after: forever\ncontnet: x\n")
        let lines = r.errors.map(\.line).sorted()
        #expect(lines == [1, 3, 4, 5, 6], "\(r.errors.map(\.formatted))")
        #expect(r.errors.contains { $0.message.contains("did you mean 'content'") })
    }

    @Test func syntaxErrorNamesTheLine() {
        let r = load("timezone: UTC\naccounts: [\n")
        #expect(r.errors.first?.rule == .yaml)
        #expect(r.errors.first?.line == 3)
    }

    @Test func literalSecretsAreFoundAndNeverEchoed() {
        let secret = "s3cr3t-value-that-must-not-leak"
        let bot = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"
        let slack = "xoxb-1234567890-abcdefghijklmnop"
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
        let r = load("""
        accounts:
          mastodon: {instance: https://m.example, token: \(secret)}
          telegram: {chat_id: "\(bot)"}
          slack: {channel: "\(slack)"}
          "bluesky:me": {handle: "\(jwt)"}
        """)
        #expect(r.errors.isEmpty, "\(r.errors.map(\.formatted))")
        #expect(r.findings.count == 4)
        #expect(r.findings.allSatisfy { $0.rule == .secret && $0.severity == .error })
        for f in r.findings {
            for s in [secret, bot, slack, jwt] {
                #expect(!f.formatted.contains(s))
                #expect(!f.formatted.contains(String(s.suffix(6))))
            }
        }
        #expect(r.findings.contains { $0.message.contains("OCTOPOST_MASTODON_TOKEN") })
    }

    @Test func loopbackMeansLoopback() {
        #expect(CredentialTransport.isLoopback("127.0.0.1"))
        #expect(CredentialTransport.isLoopback("127.1.2.3"))
        #expect(CredentialTransport.isLoopback("localhost"))
        #expect(CredentialTransport.isLoopback("::1"))
        #expect(!CredentialTransport.isLoopback("127.example.com"))
        #expect(!CredentialTransport.isLoopback("127.0.0.1.evil.net"))
        #expect(!CredentialTransport.isLoopback("10.0.0.1"))
        #expect(load("accounts:\n  mastodon: {instance: \"http://127.example.com\"}\n").errors.count == 1)
        #expect(load("retry: {delays: [99999999999999999999s]}\n").errors.count == 1)
    }

    @Test func aSyntaxErrorNamesTheConfigNotAFrontMatter() {
        let r = load("timezone: [UTC\n")
        #expect(r.errors.count == 1)
        #expect(r.errors.first?.message.hasPrefix("octopost.yaml is not valid YAML") == true, "\(r.errors)")
    }
}
