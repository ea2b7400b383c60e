/// Platforms whose limits are a plain count of some unit. Each documents its unit and source
/// (PLATFORMS.md §5–§12).

/// Bluesky: 300 graphemes AND 3000 UTF-8 bytes (lexicon `app.bsky.feed.post`, `maxGraphemes`/`maxLength`).
/// An empty text is allowed when the post has an embed (media).
public struct BlueskyCounter: PlatformCounter {
    public let platform = Platform.bluesky
    public static let maxGraphemes = 300
    public static let maxBytes = 3000
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        PlatformCount(platform: platform, measures: [
            Measure("graphemes", text.count, limit: Self.maxGraphemes, minimum: context.hasMedia ? 0 : 1),
            Measure("bytes", text.utf8.count, limit: Self.maxBytes),
        ])
    }
}

/// LinkedIn: `commentary` up to 3000 characters. Counted in UTF-16 code units, the stricter reading
/// (LinkedIn documents "characters" without a unit); a text lint passes is never cut.
public struct LinkedInCounter: PlatformCounter {
    public let platform = Platform.linkedin
    public static let limit = 3000
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        PlatformCount(platform: platform, measures: [
            Measure("characters", text.utf16.count, limit: Self.limit, minimum: context.hasMedia ? 0 : 1),
        ])
    }
}

/// Facebook Page posts: `message` up to 63,206 characters (UTF-16, the stricter reading).
public struct FacebookCounter: PlatformCounter {
    public let platform = Platform.facebook
    public static let limit = 63_206
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        PlatformCount(platform: platform, measures: [
            Measure("characters", text.utf16.count, limit: Self.limit, minimum: context.hasMedia ? 0 : 1),
        ])
    }
}

/// TikTok: video caption 2200 UTF-16 code units; photo post title 90, description 4000.
public struct TikTokCounter: PlatformCounter {
    public let platform = Platform.tiktok
    public static let captionLimit = 2200
    public static let photoTitleLimit = 90
    public static let photoDescriptionLimit = 4000
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        let limit = context.isTitle ? Self.photoTitleLimit : Self.captionLimit
        return PlatformCount(platform: platform, measures: [Measure("characters", text.utf16.count, limit: limit)])
    }
}

/// YouTube: title 100 characters (required), description 5000 UTF-8 bytes; neither may contain `<` or `>`.
public struct YouTubeCounter: PlatformCounter {
    public let platform = Platform.youtube
    public static let titleLimit = 100
    public static let descriptionByteLimit = 5000
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        var problems: [String] = []
        if text.utf8.contains(0x3C) || text.utf8.contains(0x3E) {
            problems.append("YouTube does not allow '<' or '>' in a \(context.isTitle ? "title" : "description")")
        }
        let measure = context.isTitle
            ? Measure("characters", text.unicodeScalars.count, limit: Self.titleLimit, minimum: 1)
            : Measure("bytes", text.utf8.count, limit: Self.descriptionByteLimit)
        return PlatformCount(platform: platform, measures: [measure], problems: problems)
    }
}

/// Discord: message `content` up to 2000 characters (Unicode scalars).
public struct DiscordCounter: PlatformCounter {
    public let platform = Platform.discord
    public static let limit = 2000
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        PlatformCount(platform: platform, measures: [
            Measure("characters", text.unicodeScalars.count, limit: Self.limit, minimum: context.hasMedia ? 0 : 1),
        ])
    }
}

/// Slack: `chat.postMessage` text is truncated past 40,000 characters.
public struct SlackCounter: PlatformCounter {
    public let platform = Platform.slack
    public static let limit = 40_000
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        PlatformCount(platform: platform, measures: [
            Measure("characters", text.unicodeScalars.count, limit: Self.limit, minimum: context.hasMedia ? 0 : 1),
        ])
    }
}

/// Telegram: message text 1–4096, caption 0–1024, counted in Unicode scalars (one live measurement,
/// PLATFORMS.md §12); octopost sends plain text, so there is no markup to discount.
public struct TelegramCounter: PlatformCounter {
    public let platform = Platform.telegram
    public static let textLimit = 4096
    public static let captionLimit = 1024
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        let n = text.unicodeScalars.count
        let measure = context.hasMedia
            ? Measure("characters", n, limit: Self.captionLimit)
            : Measure("characters", n, limit: Self.textLimit, minimum: 1)
        return PlatformCount(platform: platform, measures: [measure])
    }
}

/// Instagram: caption 2200 characters (UTF-16), at most 30 hashtags and 20 @-mentions; the app now
/// caps hashtags at 5, so more than 5 is advised against.
public struct InstagramCounter: PlatformCounter {
    public let platform = Platform.instagram
    public static let captionLimit = 2200
    public static let hashtagLimit = 30
    public static let hashtagAdvice = 5
    public static let mentionLimit = 20
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        let hashtags = Self.tokens(in: text, sigil: "#")
        let mentions = Self.tokens(in: text, sigil: "@")
        var advisories: [String] = []
        if hashtags > Self.hashtagAdvice {
            advisories.append("\(hashtags) hashtags: Instagram's app now keeps at most \(Self.hashtagAdvice)")
        }
        return PlatformCount(platform: platform, measures: [
            Measure("characters", text.utf16.count, limit: Self.captionLimit),
            Measure("hashtags", hashtags, limit: Self.hashtagLimit),
            Measure("mentions", mentions, limit: Self.mentionLimit),
        ], advisories: advisories)
    }

    /// Counts `#word` / `@word` tokens that start a word.
    static func tokens(in text: String, sigil: Character) -> Int {
        var count = 0
        var previous: Character = " "
        var pendingSigil = false
        for ch in text {
            if pendingSigil {
                if ch.isLetter || ch.isNumber || ch == "_" { count += 1 }
                pendingSigil = false
            }
            if ch == sigil, !(previous.isLetter || previous.isNumber || previous == "_" || previous == sigil) {
                pendingSigil = true
            }
            previous = ch
        }
        return count
    }
}
