/// Threads (interim: graphemes; emoji bytes and the link rule land with TwitterText).
public struct ThreadsCounter: PlatformCounter {
    public let platform = Platform.threads
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        PlatformCount(platform: platform, measures: [Measure("characters", text.count, limit: 500)])
    }
}
