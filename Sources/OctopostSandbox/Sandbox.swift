import Foundation
import OctopostKit

/// A set of running platform emulators (`octopost sandbox`, `sync --sandbox`, tests).
public final class Sandbox: Sendable {
    /// Each running emulator by platform.
    public let emulators: [Platform: EmulatorServer]

    /// `OCTOPOST_<NAME>_API_BASE` for each platform.
    public var baseURLs: [Platform: URL] { emulators.mapValues(\.baseURL) }

    private init(emulators: [Platform: EmulatorServer]) {
        self.emulators = emulators
    }

    /// Starts one emulator for each platform given (in `EmulatorServer.supportedPlatforms` order).
    /// `firstPort` 0 gives every emulator an ephemeral port; otherwise they take consecutive ports
    /// from it. On any failure the ones already started are stopped.
    public static func start(_ platforms: Set<Platform> = Set(EmulatorServer.supportedPlatforms), firstPort: UInt16 = 0,
                             configuration: EmulatorConfiguration = EmulatorConfiguration(),
                             overrides: [Platform: EmulatorConfiguration] = [:]) async throws -> Sandbox {
        let ordered = EmulatorServer.supportedPlatforms.filter(platforms.contains)
        if let unsupported = platforms.subtracting(ordered).sorted().first { throw SandboxError.unsupported(unsupported) }
        var started: [Platform: EmulatorServer] = [:]
        do {
            for (offset, platform) in ordered.enumerated() {
                let port: UInt16 = firstPort == 0 ? 0 : firstPort &+ UInt16(offset)
                if firstPort != 0, port < firstPort { throw SandboxError.cannotListen(port: port) }
                started[platform] = try await EmulatorServer.start(platform, configuration: overrides[platform] ?? configuration,
                                                                   port: port)
            }
        } catch {
            for emulator in started.values { await emulator.stop() }
            throw error
        }
        return Sandbox(emulators: started)
    }

    public subscript(platform: Platform) -> EmulatorServer? { emulators[platform] }

    /// Stops every emulator (open hangs end).
    public func stop() async {
        await withTaskGroup(of: Void.self) { group in
            for emulator in emulators.values { group.addTask { await emulator.stop() } }
        }
    }

    /// The environment that points octopost at these emulators: `OCTOPOST_<NAME>_API_BASE` and
    /// dummy credentials the emulators accept, in a stable order.
    public var environment: [(name: String, value: String)] {
        EmulatorServer.supportedPlatforms.compactMap { p in emulators[p].map { (p, $0) } }.flatMap { platform, emulator in
            let prefix = "OCTOPOST_\(platform.rawValue.uppercased())_"
            return [(prefix + "API_BASE", emulator.baseURL.absoluteString)]
                + Self.dummyCredentials(platform).map { (prefix + $0.0, $0.1) }
        }
    }

    /// `export NAME=value` lines for a shell (values are shell-safe: no quoting needed).
    public var exportLines: [String] { environment.map { "export \($0.name)=\($0.value)" } }

    /// Credentials the emulators accept (any non-empty value is accepted unless configured).
    public static func dummyCredentials(_ platform: Platform) -> [(String, String)] {
        switch platform {
        case .twitter:
            [("API_KEY", "sandbox-api-key"), ("API_SECRET", "sandbox-api-secret"),
             ("ACCESS_TOKEN", "sandbox-access-token"), ("ACCESS_TOKEN_SECRET", "sandbox-access-token-secret")]
        case .bluesky: [("IDENTIFIER", "sandbox.bsky.social"), ("APP_PASSWORD", "sandbox-app-password")]
        case .mastodon: [("TOKEN", "sandbox-token")]
        case .discord: [("BOT_TOKEN", "sandbox-bot-token"), ("CHANNEL_ID", "100000000000000001")]
        case .telegram: [("BOT_TOKEN", "123456789:sandbox-bot-token"), ("CHAT_ID", "@octopost_sandbox")]
        default: []
        }
    }
}
