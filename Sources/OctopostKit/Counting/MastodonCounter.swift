/// Mastodon (interim: graphemes of content warning + text; URL and mention rules land with TwitterText).
public struct MastodonCounter: PlatformCounter {
    public let platform = Platform.mastodon
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        let n = (context.contentWarning ?? "").count + text.count
        return PlatformCount(platform: platform, measures: [Measure("characters", n, limit: context.mastodonLimit)])
    }
}
