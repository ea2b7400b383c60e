/// Every text a platform will receive fits that platform's counting rules: the body, each segment of
/// a thread, with the content warning where it shares the budget.
public struct LengthRule: PostRule {
    public init() {}

    public func check(_ post: Post, in context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for located in post.platforms {
            let target = located.value
            let platform = target.platform
            let limits = platform.mediaLimits
            let counter = Counters.counter(for: platform)
            let parts = post.parts
            let sent = limits.supportsThreads ? parts : Array(parts.prefix(1))
            for (index, part) in sent.enumerated() {
                // YouTube and TikTok photo posts: the body is a description with its own limit.
                var countContext = CountContext(
                    hasMedia: index == 0 ? !post.media.isEmpty : !part.media.isEmpty,
                    contentWarning: platform == .mastodon ? post.contentWarning?.value : nil,
                    mastodonLimit: context.config.mastodonLimit(for: target),
                    longPost: post.option(.twitter, "long_post") == .bool(true))
                if platform == .youtube || platform == .tiktok { countContext.hasMedia = true }
                var result = counter.count(part.text, context: countContext)
                if platform == .tiktok, index == 0, !post.media.images.isEmpty, !result.measures.isEmpty {
                    result.measures[0].limit = TikTokCounter.photoDescriptionLimit
                }
                let whereText = index == 0 ? "" : " in segment \(index)"
                for measure in result.measures where !measure.isValid {
                    let message = measure.value < measure.minimum
                        ? "the text\(whereText) is empty; \(platform.displayName) needs at least \(measure.minimum) \(measure.unit)"
                        : "\(measure.value)/\(measure.limit) \(measure.unit)\(whereText)"
                    out.append(post.diagnostic(part.location, rule: LintRule(measureUnit: measure.unit),
                        platform: target.key, message))
                }
                for problem in result.problems {
                    out.append(post.diagnostic(part.location, rule: .content, platform: target.key, problem + whereText))
                }
                for advice in result.advisories {
                    out.append(post.diagnostic(part.location, .warning, rule: .advice, platform: target.key,
                                               advice + whereText))
                }
            }
            if !limits.supportsThreads, let first = post.segments.first {
                out.append(post.diagnostic(first.location, .warning, rule: .thread, platform: target.key,
                    "\(platform.displayName) has no threads: only the body is posted there, not the \(post.segments.count) segment(s)"))
            }
        }
        return out
    }
}
