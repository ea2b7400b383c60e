/// X: twitter-text v3 weighted length (`TwitterText.parseTweet`, config v3): NFC, URLs 23, emoji sequences 2,
/// code points weighing 1 or 2. Limit 280, or 25,000 for Premium long posts; media allows an empty text.
public struct TwitterCounter: PlatformCounter {
    public let platform = Platform.twitter
    public static let limit = 280
    public static let longPostLimit = 25_000
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        let parsed = TwitterText.parseTweet(text)
        var problems: [String] = []
        if parsed.hasInvalidCharacters {
            problems.append("X rejects text containing U+FFFE, U+FEFF or U+FFFF")
        }
        return PlatformCount(platform: platform, measures: [
            Measure("characters", parsed.weightedLength, limit: context.longPost ? Self.longPostLimit : Self.limit,
                    minimum: context.hasMedia ? 0 : 1),
        ], problems: problems)
    }
}
