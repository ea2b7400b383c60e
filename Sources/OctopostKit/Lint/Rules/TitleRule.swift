/// Platforms that need a title get one that fits (YouTube title; TikTok photo title; Discord thread name).
public struct TitleRule: PostRule {
    public init() {}

    public func check(_ post: Post, in context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for located in post.platforms {
            let target = located.value
            switch target.platform {
            case .youtube:
                guard let title = post.title else {
                    out.append(post.diagnostic(post.platformsLocation, rule: .title, platform: target.key,
                        "YouTube needs a 'title' (at most \(YouTubeCounter.titleLimit) characters)"))
                    continue
                }
                out += issues(title, on: .youtube, key: target.key, in: post)
            case .tiktok where !post.media.images.isEmpty:
                if let title = post.title { out += issues(title, on: .tiktok, key: target.key, in: post) }
            default:
                continue
            }
        }
        return out
    }

    private func issues(_ title: Located<String>, on platform: Platform, key: String, in post: Post) -> [Diagnostic] {
        let result = Counters.count(title.value, on: platform, context: CountContext(hasMedia: true, isTitle: true))
        var out: [Diagnostic] = []
        for m in result.measures where !m.isValid {
            out.append(post.diagnostic(title.location, rule: .title, platform: key,
                m.value < m.minimum ? "the title is empty" : "title is \(m.value)/\(m.limit) \(m.unit)"))
        }
        for p in result.problems { out.append(post.diagnostic(title.location, rule: .content, platform: key, p)) }
        return out
    }
}
