/// Mastodon's `StatusLengthValidator`: grapheme clusters of `spoiler_text + countable(text)`, where
/// countable text replaces each URL with a protocol (twitter-text extraction without protocol-less URLs;
/// over-long URLs are not extracted) by 23 characters and each `@user@domain` mention by `@user`.
/// Overlapping entities keep the earliest. The limit is the instance's `max_characters`.
public struct MastodonCounter: PlatformCounter {
    public let platform = Platform.mastodon
    public static let charactersReservedPerURL = 23
    public init() {}

    public func count(_ text: String, context: CountContext) -> PlatformCount {
        let n = ((context.contentWarning ?? "") + Self.countableText(text)).count
        return PlatformCount(platform: platform, measures: [Measure("characters", n, limit: context.mastodonLimit)])
    }

    /// The text as Mastodon counts it: URLs as 23 `x`, remote mentions as their local part.
    public static func countableText(_ text: String) -> String {
        guard text.utf16.contains(0x3A) || text.utf16.contains(0x40) else { return text }
        enum Kind { case url, mention(String) }
        var entities: [(range: Range<Int>, kind: Kind)] = []
        for url in TwitterText.extractURLs(in: text, withoutProtocol: false) { entities.append((url.utf16Range, .url)) }
        for m in TwitterText.extractMentions(in: text, style: .fediverse) {
            entities.append((m.utf16Range, .mention("@" + m.username)))
        }
        guard !entities.isEmpty else { return text }
        entities.sort { $0.range.lowerBound < $1.range.lowerBound }
        let units = Array(text.utf16)
        var out = ""
        var cursor = 0
        for entity in entities where entity.range.lowerBound >= cursor {
            out += String(decoding: units[cursor..<entity.range.lowerBound], as: UTF16.self)
            switch entity.kind {
            case .url: out += String(repeating: "x", count: charactersReservedPerURL)
            case .mention(let local): out += local
            }
            cursor = entity.range.upperBound
        }
        out += String(decoding: units[cursor...], as: UTF16.self)
        return out
    }
}
