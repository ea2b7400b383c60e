/// The twelve platforms octopost publishes to. The raw value is the name used in front matter,
/// the config, the ledger and environment variables (upper-cased).
public enum Platform: String, CaseIterable, Sendable, Codable, Comparable, Hashable {
    case twitter, bluesky, mastodon, linkedin, threads, instagram, facebook, tiktok, youtube, discord, slack, telegram

    public static func < (lhs: Platform, rhs: Platform) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Human name for messages.
    public var displayName: String {
        switch self {
        case .twitter: "X"
        case .bluesky: "Bluesky"
        case .mastodon: "Mastodon"
        case .linkedin: "LinkedIn"
        case .threads: "Threads"
        case .instagram: "Instagram"
        case .facebook: "Facebook"
        case .tiktok: "TikTok"
        case .youtube: "YouTube"
        case .discord: "Discord"
        case .slack: "Slack"
        case .telegram: "Telegram"
        }
    }

    /// Credential fields read from `OCTOPOST_<NAME>[_<ACCOUNT>]_<FIELD>` (SPEC §5).
    /// `required` lists alternatives: any one complete group is enough.
    public var credentialFields: [String] {
        switch self {
        case .twitter: ["API_KEY", "API_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"]
        case .bluesky: ["IDENTIFIER", "APP_PASSWORD"]
        case .mastodon: ["TOKEN"]
        case .linkedin: ["TOKEN", "AUTHOR", "REFRESH_TOKEN", "CLIENT_ID", "CLIENT_SECRET"]
        case .threads: ["TOKEN", "USER_ID"]
        case .instagram: ["TOKEN", "USER_ID"]
        case .facebook: ["PAGE_TOKEN", "PAGE_ID"]
        case .tiktok: ["TOKEN", "REFRESH_TOKEN", "CLIENT_KEY", "CLIENT_SECRET"]
        case .youtube: ["TOKEN", "REFRESH_TOKEN", "CLIENT_ID", "CLIENT_SECRET"]
        case .discord: ["WEBHOOK_URL", "BOT_TOKEN", "CHANNEL_ID"]
        case .slack: ["TOKEN", "CHANNEL"]
        case .telegram: ["BOT_TOKEN", "CHAT_ID"]
        }
    }

    /// Credential fields that name the account or where to post rather than prove who posts: they show
    /// in public URLs (`bsky.app/profile/<handle>`, `discord.com/channels/<guild>/<channel>/…`,
    /// `t.me/<chat>/…`), so they are not redacted. Every other field is a secret.
    public var publicCredentialFields: Set<String> {
        switch self {
        case .twitter, .mastodon: []
        case .bluesky: ["IDENTIFIER"]
        case .linkedin: ["AUTHOR", "CLIENT_ID"]
        case .threads, .instagram: ["USER_ID"]
        case .facebook: ["PAGE_ID"]
        case .tiktok: ["CLIENT_KEY"]
        case .youtube: ["CLIENT_ID"]
        case .discord: ["CHANNEL_ID"]
        case .slack: ["CHANNEL"]
        case .telegram: ["CHAT_ID"]
        }
    }

    /// Groups of credential fields, any one of which is a complete set.
    public var credentialGroups: [[String]] {
        switch self {
        case .twitter: [["API_KEY", "API_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"]]
        case .bluesky: [["IDENTIFIER", "APP_PASSWORD"]]
        case .mastodon: [["TOKEN"]]
        case .linkedin: [["TOKEN", "AUTHOR"], ["REFRESH_TOKEN", "CLIENT_ID", "CLIENT_SECRET", "AUTHOR"]]
        case .threads, .instagram: [["TOKEN", "USER_ID"]]
        case .facebook: [["PAGE_TOKEN", "PAGE_ID"]]
        case .tiktok: [["TOKEN"], ["REFRESH_TOKEN", "CLIENT_KEY", "CLIENT_SECRET"]]
        case .youtube: [["TOKEN"], ["REFRESH_TOKEN", "CLIENT_ID", "CLIENT_SECRET"]]
        case .discord: [["WEBHOOK_URL"], ["BOT_TOKEN", "CHANNEL_ID"]]
        case .slack: [["TOKEN", "CHANNEL"]]
        // The chat may also come from `accounts.telegram.chat_id` in the config; the adapter checks it.
        case .telegram: [["BOT_TOKEN"]]
        }
    }
}

/// One publishing target of a post: `NAME` or `NAME:ACCOUNT`.
public struct PlatformTarget: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let platform: Platform
    public let account: String?

    public init(platform: Platform, account: String? = nil) {
        self.platform = platform
        self.account = account
    }

    /// The key used in the ledger and in `accounts`: `mastodon` or `mastodon:work`.
    public var key: String { account.map { "\(platform.rawValue):\($0)" } ?? platform.rawValue }
    public var description: String { key }

    public static func < (lhs: PlatformTarget, rhs: PlatformTarget) -> Bool { lhs.key < rhs.key }

    /// Parses `NAME` or `NAME:ACCOUNT` (ACCOUNT matches `[a-z0-9_]+`).
    public static func parse(_ text: String) -> Result<PlatformTarget, PlatformTargetError> {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        guard let platform = Platform(rawValue: name) else { return .failure(.unknownPlatform(name)) }
        guard parts.count == 2 else { return .success(PlatformTarget(platform: platform)) }
        let account = String(parts[1])
        guard isValidAccount(account) else { return .failure(.invalidAccount(account)) }
        return .success(PlatformTarget(platform: platform, account: account))
    }

    public static func isValidAccount(_ account: String) -> Bool {
        !account.isEmpty && account.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}

public enum PlatformTargetError: Error, Equatable, Sendable {
    case unknownPlatform(String)
    case invalidAccount(String)
}
