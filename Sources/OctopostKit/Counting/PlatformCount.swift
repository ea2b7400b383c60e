/// What a counter needs to know beyond the text.
public struct CountContext: Sendable, Equatable {
    /// The part carries media (Telegram counts a caption, not a message).
    public var hasMedia: Bool
    /// Mastodon: the content warning shares the limit.
    public var contentWarning: String?
    /// Mastodon: the instance's `max_characters`.
    public var mastodonLimit: Int
    /// X Premium long posts (`options.twitter.long_post`).
    public var longPost: Bool
    /// The text is a title (YouTube title, TikTok photo title) rather than a body.
    public var isTitle: Bool

    public init(hasMedia: Bool = false, contentWarning: String? = nil, mastodonLimit: Int = 500, longPost: Bool = false,
                isTitle: Bool = false) {
        self.hasMedia = hasMedia
        self.contentWarning = contentWarning
        self.mastodonLimit = mastodonLimit
        self.longPost = longPost
        self.isTitle = isTitle
    }
}

/// One measured quantity and its bounds: `291/280 characters`.
public struct Measure: Sendable, Equatable, Codable {
    public var unit: String
    public var value: Int
    public var limit: Int
    public var minimum: Int

    public init(_ unit: String, _ value: Int, limit: Int, minimum: Int = 0) {
        self.unit = unit
        self.value = value
        self.limit = limit
        self.minimum = minimum
    }

    public var isValid: Bool { value >= minimum && value <= limit }
}

/// A platform's verdict on one text.
public struct PlatformCount: Sendable, Equatable {
    public var platform: Platform
    /// The first measure is the platform's headline length; others are further limits (bytes, links, hashtags).
    public var measures: [Measure]
    /// Rule breaks that are not counts (a forbidden character), as messages.
    public var problems: [String]
    /// Advisory findings (Instagram's hashtag cap in the app).
    public var advisories: [String]

    public init(platform: Platform, measures: [Measure], problems: [String] = [], advisories: [String] = []) {
        self.platform = platform
        self.measures = measures
        self.problems = problems
        self.advisories = advisories
    }

    public var length: Int { measures.first?.value ?? 0 }
    public var limit: Int { measures.first?.limit ?? 0 }
    public var isValid: Bool { problems.isEmpty && measures.allSatisfy(\.isValid) }
}

/// Counts a text the way one platform does.
public protocol PlatformCounter: Sendable {
    var platform: Platform { get }
    func count(_ text: String, context: CountContext) -> PlatformCount
}

/// The counter of every platform.
public enum Counters {
    public static func counter(for platform: Platform) -> any PlatformCounter {
        switch platform {
        case .twitter: TwitterCounter()
        case .bluesky: BlueskyCounter()
        case .mastodon: MastodonCounter()
        case .threads: ThreadsCounter()
        case .linkedin: LinkedInCounter()
        case .instagram: InstagramCounter()
        case .facebook: FacebookCounter()
        case .tiktok: TikTokCounter()
        case .youtube: YouTubeCounter()
        case .discord: DiscordCounter()
        case .slack: SlackCounter()
        case .telegram: TelegramCounter()
        }
    }

    public static func count(_ text: String, on platform: Platform, context: CountContext = CountContext()) -> PlatformCount {
        counter(for: platform).count(text, context: context)
    }
}
