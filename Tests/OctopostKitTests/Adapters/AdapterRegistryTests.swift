import Foundation
import Testing
@testable import OctopostKit

@Suite("AdapterRegistry")
struct AdapterRegistryTests {
    static let complete: [Platform: [String: String]] = [
        .mastodon: ["TOKEN": "tok-en"], .bluesky: ["IDENTIFIER": "me.test", "APP_PASSWORD": "pass-word"],
        .telegram: ["BOT_TOKEN": "1:abcd", "CHAT_ID": "5"],
        .twitter: ["API_KEY": "a-key", "API_SECRET": "a-sec", "ACCESS_TOKEN": "a-tok", "ACCESS_TOKEN_SECRET": "a-tsec"],
        .discord: ["WEBHOOK_URL": "https://discord.com/api/webhooks/1/tok"],
    ]

    @Test(arguments: Platform.allCases)
    func everyPlatformHasAnAnswer(platform: Platform) throws {
        let api = FakeAPI { _, _ in AFx.json(200, [:]) }
        let context = AFx.context(platform, Self.complete[platform] ?? [:], api: api,
                                  apiBase: platform == .mastodon ? "https://m.example" : nil)
        let factory = AdapterRegistry.factory(for: platform, clock: AFx.clock)
        if AdapterRegistry.supported.contains(platform) {
            let adapter = try factory(context)
            #expect(adapter.target.platform == platform)
        } else {
            #expect {
                _ = try factory(context)
            } throws: { error in
                let e = error as? PublishError
                return e?.kind == .permanent && e?.message.hasPrefix("octopost cannot publish to \(platform.displayName) yet") == true
            }
        }
    }

    @Test func missingCredentialsArePermanentAndNamed() {
        for platform in AdapterRegistry.supported {
            let context = AFx.context(platform, [:], api: FakeAPI { _, _ in AFx.json(200, [:]) }, apiBase: "https://h.example")
            #expect {
                _ = try AdapterRegistry.factory(for: platform, clock: AFx.clock)(context)
            } throws: { error in
                let e = error as? PublishError
                return e?.kind == .permanent && e?.message.contains("OCTOPOST_\(platform.rawValue.uppercased())_") == true
            }
        }
    }

    @Test func contextReadsAPIBaseAndInstance() throws {
        let api = FakeAPI { _, _ in AFx.json(200, [:]) }
        var account = Config.Account()
        account.instance = "https://hachyderm.io/"
        let target = PlatformTarget(platform: .mastodon, account: "work")
        let env = ["OCTOPOST_MASTODON_WORK_TOKEN": "t0ken"]
        let fromInstance = try AdapterRegistry.context(for: target, account: account, environment: env, http: api.client).get()
        #expect(fromInstance.apiBase?.absoluteString == "https://hachyderm.io")
        #expect(fromInstance.credentials["TOKEN"] == "t0ken")
        let overridden = try AdapterRegistry.context(for: target, account: account,
                                                     environment: env.merging(["OCTOPOST_MASTODON_API_BASE": "http://localhost:8080"]) { a, _ in a },
                                                     http: api.client).get()
        #expect(overridden.apiBase?.absoluteString == "http://localhost:8080")
        let insecure = AdapterRegistry.context(for: target, account: nil, environment: ["OCTOPOST_MASTODON_API_BASE": "http://evil.example"],
                                               http: api.client)
        guard case .failure(let e) = insecure else { Issue.record("plain http to a remote host was accepted"); return }
        #expect(e.kind == .permanent && e.message.contains("loopback"))
    }

    @Test func recoveryModesMatchTheAdapters() throws {
        let api = FakeAPI { _, _ in AFx.json(200, [:]) }
        for platform in AdapterRegistry.supported {
            let context = AFx.context(platform, Self.complete[platform] ?? [:], api: api, apiBase: "https://h.example")
            let adapter = try AdapterRegistry.factory(for: platform, clock: AFx.clock)(context)
            let env = (Self.complete[platform] ?? [:]).reduce(into: [String: String]()) {
                $0[Credentials.variableName(PlatformTarget(platform: platform), field: $1.key)] = $1.value
            }
            #expect(AdapterRegistry.recoveryModes(PlatformTarget(platform: platform), environment: env) == adapter.recoveryModes)
        }
    }
}
