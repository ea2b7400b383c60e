/// Threads: 500 characters where a non-emoji grapheme counts 1 and an emoji grapheme counts its UTF-8
/// byte length (Meta's wording; the per-grapheme reading is the stricter one, PLATFORMS.md §4), and at
/// most 5 distinct links (with or without protocol, as twitter-text extracts them).
public struct ThreadsCounter: PlatformCounter {
    public let platform = Platform.threads
    public static let limit = 500
    public static let linkLimit = 5
    public init() {}

    public func count(_ text: String, context: CountContext) -> PlatformCount {
        PlatformCount(platform: platform, measures: [
            Measure("characters", Self.characters(text), limit: Self.limit, minimum: context.hasMedia ? 0 : 1),
            Measure("links", Self.uniqueLinkCount(text), limit: Self.linkLimit),
        ])
    }

    static func characters(_ text: String) -> Int {
        var n = 0
        for ch in text {
            // Only clusters with a scalar at or above U+00A9, or a keycap, can be emoji.
            let first = ch.unicodeScalars.first!.value
            if (first >= 0xA9 || ch.unicodeScalars.count > 1) && TwitterText.isEmoji(ch) {
                n += ch.utf8.count
            } else {
                n += 1
            }
        }
        return n
    }

    static func uniqueLinkCount(_ text: String) -> Int {
        guard text.utf16.contains(0x2E) else { return 0 }
        return Set(TwitterText.extractURLs(in: text).map { $0.url.lowercased() }).count
    }
}
