/// Media exist inside the repository, are what their names say, and meet each platform's count,
/// type and size limits; platforms that need media get it; images carry alt text.
public struct MediaRule: PostRule {
    public init() {}

    /// One referenced file, inspected once for all platforms.
    struct Item {
        var url: Located<String>
        var altText: Located<String>?
        var kind: MediaKind?
        var size: Int?
        var isVideo: Bool { kind?.isVideo ?? false }
    }

    public func check(_ post: Post, in context: LintContext) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var cache: [String: Item] = [:]

        func resolve(_ url: Located<String>, alt: Located<String>?) -> Item? {
            if var known = cache[url.value] {
                known.url = url
                known.altText = alt
                return known
            }
            var item = Item(url: url, altText: alt, kind: MediaKind.fromExtension(url.value))
            let path = url.value
            if path.hasPrefix("https://") {
                // Remote: the platform fetches it; type from the extension when there is one.
            } else if path.hasPrefix("http://") || path.contains("://") {
                out.append(post.diagnostic(url.location, rule: .mediaPath,
                    "media URL '\(path)' must use https:// (or be a path inside the repository)"))
                return nil
            } else if path.hasPrefix("/") || path.hasPrefix("~") {
                out.append(post.diagnostic(url.location, rule: .mediaPath,
                    "media path '\(path)' is absolute: use a path relative to the repository root, e.g. media/launch.png"))
                return nil
            } else if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) {
                out.append(post.diagnostic(url.location, rule: .mediaPath,
                    "media path '\(path)' uses '..': paths are relative to the repository root and stay inside it"))
                return nil
            } else if let problem = RepoPath.problem(path) {
                // The one path check (`RepoPath`), in lint and sync alike: no `.git` part, no empty or `.` part.
                out.append(post.diagnostic(url.location, rule: .mediaPath, "media path '\(path)' \(problem)"))
                return nil
            } else {
                switch context.media.inspect(path) {
                case .missing:
                    out.append(post.diagnostic(url.location, rule: .mediaMissing,
                        "media file '\(path)' does not exist (paths are relative to the repository root)"))
                    return nil
                case .symlink(let at):
                    let link = RepoPathError(path: path, reason: .symlink(at: at))
                    out.append(post.diagnostic(url.location, rule: .mediaPath, "media path '\(path)' is not read: \(link)"))
                    return nil
                case .invalidPath(let problem):
                    out.append(post.diagnostic(url.location, rule: .mediaPath, "media path '\(path)' \(problem)"))
                    return nil
                case .notAFile:
                    out.append(post.diagnostic(url.location, rule: .mediaPath, "media path '\(path)' is not a file"))
                    return nil
                case .unreadable:
                    out.append(post.diagnostic(url.location, rule: .mediaMissing, "media file '\(path)' cannot be read"))
                    return nil
                case .file(let size, let head):
                    item.size = size
                    let sniffed = MediaKind.sniff(head)
                    switch (item.kind, sniffed) {
                    case (nil, nil):
                        out.append(post.diagnostic(url.location, rule: .mediaType,
                            "media file '\(path)' is not an image or video octopost knows (jpeg, png, gif, webp, heic, avif, mp4, mov, webm)"))
                        return nil
                    case (nil, let s?):
                        item.kind = s
                    case (let named?, let s?) where !named.accepts(s):
                        out.append(post.diagnostic(url.location, rule: .mediaType,
                            "media file '\(path)' is named .\(named.rawValue) but holds \(s.rawValue) data"))
                        item.kind = s
                    case (let named?, nil):
                        out.append(post.diagnostic(url.location, rule: .mediaType,
                            "media file '\(path)' is named .\(named.rawValue) but is not a valid \(named.rawValue) file"))
                        return nil
                    default: break
                    }
                }
            }
            cache[path] = item
            return item
        }

        // Resolve each group once: the body's media, then each segment's.
        var groups: [(location: SourceLocation, items: [Item], index: Int)] = []
        var bodyItems: [Item] = []
        for image in post.media.images {
            if let i = resolve(image.url, alt: image.altText) { bodyItems.append(i) }
        }
        if let video = post.media.video, var i = resolve(video.url, alt: nil) {
            if i.kind == nil { i.kind = .mp4 }
            if !i.isVideo {
                out.append(post.diagnostic(video.url.location, rule: .mediaType,
                    "media.video '\(video.url.value)' is not a video (mp4, mov or webm)"))
            } else {
                bodyItems.append(i)
            }
            if let thumb = video.thumbnailURL, let t = resolve(thumb, alt: nil), t.isVideo {
                out.append(post.diagnostic(thumb.location, rule: .mediaType, "thumbnail_url must be an image"))
            }
        }
        groups.append((post.media.location ?? post.contentLocation, bodyItems, 0))
        for (n, segment) in post.segments.enumerated() {
            var items: [Item] = []
            for m in segment.media { if let i = resolve(m.url, alt: m.altText) { items.append(i) } }
            let videos = items.filter(\.isVideo).count
            if videos > 1 || (videos == 1 && items.count > 1) {
                out.append(post.diagnostic(segment.location, rule: .mediaMix,
                    "segment \(n + 1) has \(items.count) media with \(videos) video(s): a segment carries up to 4 images or 1 video"))
            }
            groups.append((segment.location, items, n + 1))
        }

        // Alt text: once per image.
        for group in groups {
            for item in group.items where !item.isVideo {
                if item.altText == nil || item.altText?.value.isEmpty == true {
                    out.append(post.diagnostic(item.url.location, .warning, rule: .altText,
                        "image '\(item.url.value)' has no alt_text: people using screen readers will not know what it shows"))
                }
            }
        }

        for located in post.platforms {
            let target = located.value
            let platform = target.platform
            let limits = platform.mediaLimits
            let name = platform.displayName
            let sent = limits.supportsThreads ? groups : Array(groups.prefix(1))
            switch limits.requirement {
            case .any where groups[0].items.isEmpty:
                out.append(post.diagnostic(post.platformsLocation, rule: .mediaRequired, platform: target.key,
                    "\(name) needs an image or a video in 'media'"))
            case .video where !groups[0].items.contains(where: \.isVideo):
                out.append(post.diagnostic(post.platformsLocation, rule: .mediaRequired, platform: target.key,
                    "\(name) needs a video in 'media.video'"))
            default: break
            }
            for group in sent {
                let images = group.items.filter { !$0.isVideo }
                let videos = group.items.filter(\.isVideo)
                if !images.isEmpty, !limits.allowsImages {
                    out.append(post.diagnostic(images[0].url.location, rule: .mediaType, platform: target.key,
                        "\(name) does not take images here"))
                } else if images.count > limits.maxImages {
                    out.append(post.diagnostic(group.location, rule: .mediaCount, platform: target.key,
                        "\(images.count) images; \(name) takes at most \(limits.maxImages)"))
                }
                if !videos.isEmpty, !limits.allowsVideo {
                    out.append(post.diagnostic(videos[0].url.location, rule: .mediaType, platform: target.key,
                        "\(name) does not take videos"))
                }
                for item in group.items {
                    guard let kind = item.kind else { continue }
                    let allowed = kind.isVideo ? limits.videoKinds : limits.imageKinds
                    if !allowed.isEmpty, !allowed.contains(kind) {
                        out.append(post.diagnostic(item.url.location, rule: .mediaType, platform: target.key,
                            "\(name) does not accept \(kind.rawValue) \(kind.isVideo ? "videos" : "images") (accepts "
                                + allowed.map(\.rawValue).sorted().joined(separator: ", ") + ")"))
                    }
                    if let size = item.size {
                        let max = kind.isVideo ? limits.maxVideoBytes : (kind == .gif ? limits.maxGIFBytes ?? limits.maxImageBytes : limits.maxImageBytes)
                        if size > max {
                            out.append(post.diagnostic(item.url.location, rule: .mediaSize, platform: target.key,
                                "'\(item.url.value)' is \(Self.human(size)); \(name) takes at most \(Self.human(max))"))
                        }
                    }
                    if let alt = item.altText, let altMax = limits.altTextLimit, alt.value.count > altMax {
                        out.append(post.diagnostic(alt.location, rule: .altText, platform: target.key,
                            "alt text is \(alt.value.count)/\(altMax) characters"))
                    }
                }
            }
        }
        return out
    }

    static func human(_ bytes: Int) -> String {
        if bytes >= 1_000_000 { return "\(Double(bytes / 100_000) / 10) MB" }
        if bytes >= 1000 { return "\(Double(bytes / 100) / 10) kB" }
        return "\(bytes) bytes"
    }
}
