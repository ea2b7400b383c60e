import Foundation

/// X: twitter-text v3 weighted length (interim: weights only; URL and emoji rules land with TwitterText).
public struct TwitterCounter: PlatformCounter {
    public let platform = Platform.twitter
    public init() {}
    public func count(_ text: String, context: CountContext) -> PlatformCount {
        var w = 0
        for s in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            let v = s.value
            w += (v <= 4351 || (8192...8205).contains(v) || (8208...8223).contains(v) || (8242...8247).contains(v)) ? 1 : 2
        }
        return PlatformCount(platform: platform, measures: [Measure("characters", w, limit: context.longPost ? 25_000 : 280, minimum: context.hasMedia ? 0 : 1)])
    }
}
