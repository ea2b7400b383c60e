/// The `options:` keys each platform accepts in front matter, with their types.
/// The README and `schemas/post.schema.json` list the same keys; a test keeps them in step.
public struct OptionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case string
        case bool
        case int(ClosedRange<Int>)
        case oneOf([String])
        case stringList(maxCount: Int)
    }

    public var key: String
    public var kind: Kind
    public var help: String

    public init(_ key: String, _ kind: Kind, _ help: String) {
        self.key = key
        self.kind = kind
        self.help = help
    }
}

extension Platform {
    public var optionSpecs: [OptionSpec] {
        switch self {
        case .twitter:
            [OptionSpec("reply_settings", .oneOf(["following", "mentionedUsers", "subscribers", "verified"]),
                        "who may reply (X API reply_settings)"),
             OptionSpec("long_post", .bool, "the account has X Premium: allow up to 25,000 weighted characters")]
        case .bluesky:
            [OptionSpec("langs", .stringList(maxCount: 3), "BCP-47 language tags (at most 3)")]
        case .mastodon:
            [OptionSpec("visibility", .oneOf(["public", "unlisted", "private", "direct"]), "status visibility"),
             OptionSpec("language", .string, "ISO 639 language code"),
             OptionSpec("sensitive", .bool, "mark media as sensitive")]
        case .linkedin:
            [OptionSpec("visibility", .oneOf(["PUBLIC", "CONNECTIONS", "LOGGED_IN"]), "post visibility")]
        case .threads:
            [OptionSpec("reply_control", .oneOf(["everyone", "accounts_you_follow", "mentioned_only"]),
                        "who may reply"),
             OptionSpec("topic_tag", .string, "one topic tag")]
        case .instagram:
            [OptionSpec("share_to_feed", .bool, "also show a reel in the feed"),
             OptionSpec("location_id", .string, "a Facebook Page id used as location")]
        case .facebook:
            [OptionSpec("link", .string, "a URL to attach as the link preview")]
        case .tiktok:
            [OptionSpec("privacy_level",
                        .oneOf(["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"]),
                        "who can see the post"),
             OptionSpec("disable_comment", .bool, "turn comments off"),
             OptionSpec("disable_duet", .bool, "turn duets off"),
             OptionSpec("disable_stitch", .bool, "turn stitches off"),
             OptionSpec("video_cover_timestamp_ms", .int(0...600_000), "frame used as the cover")]
        case .youtube:
            [OptionSpec("privacy_status", .oneOf(["public", "unlisted", "private"]), "video privacy"),
             OptionSpec("category_id", .string, "YouTube category id, e.g. \"28\""),
             OptionSpec("tags", .stringList(maxCount: 500), "video tags (500 characters in all)"),
             OptionSpec("made_for_kids", .bool, "self-declared made for kids")]
        case .discord:
            [OptionSpec("thread_name", .string, "create a forum thread with this name"),
             OptionSpec("username", .string, "override the webhook's user name")]
        case .slack:
            [OptionSpec("unfurl_links", .bool, "show link previews"),
             OptionSpec("reply_broadcast", .bool, "also show thread replies in the channel")]
        case .telegram:
            [OptionSpec("disable_notification", .bool, "send silently"),
             OptionSpec("protect_content", .bool, "forbid forwarding and saving"),
             OptionSpec("disable_link_preview", .bool, "no link preview"),
             OptionSpec("message_thread_id", .int(1...Int(Int32.max)), "forum topic id")]
        }
    }
}
