/// Options for a platform the post does not go to are probably a mistake.
public struct OptionsRule: PostRule {
    public init() {}

    public func check(_ post: Post, in context: LintContext) -> [Diagnostic] {
        let used = Set(post.platforms.map(\.value.platform))
        var out: [Diagnostic] = []
        for (platform, values) in post.options where !used.contains(platform) {
            let at = values.values.map(\.location).min() ?? post.platformsLocation
            out.append(post.diagnostic(at, .warning, rule: .unusedOption, platform: platform.rawValue,
                "options for \(platform.rawValue) are set but \(platform.rawValue) is not in 'platforms'"))
        }
        return out
    }
}
