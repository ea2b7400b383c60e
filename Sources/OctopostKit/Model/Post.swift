import Foundation

/// A media reference: a repository-relative path or an `https` URL, with its alt text.
public struct MediaItem: Sendable, Hashable {
    public var url: Located<String>
    public var altText: Located<String>?

    public init(url: Located<String>, altText: Located<String>? = nil) {
        self.url = url
        self.altText = altText
    }

    /// True when `url` is a remote URL rather than a path in the repository.
    public var isRemote: Bool { url.value.hasPrefix("https://") || url.value.hasPrefix("http://") }
}

public struct VideoItem: Sendable, Hashable {
    public var url: Located<String>
    public var thumbnailURL: Located<String>?

    public init(url: Located<String>, thumbnailURL: Located<String>? = nil) {
        self.url = url
        self.thumbnailURL = thumbnailURL
    }
}

public struct Media: Sendable, Hashable {
    public var images: [MediaItem] = []
    public var video: VideoItem?
    public var location: SourceLocation?

    public init(images: [MediaItem] = [], video: VideoItem? = nil, location: SourceLocation? = nil) {
        self.images = images
        self.video = video
        self.location = location
    }

    public var isEmpty: Bool { images.isEmpty && video == nil }
}

/// One reply of a thread (the body is segment 0 and is not stored here).
public struct Segment: Sendable, Hashable {
    public var content: Located<String>
    /// Images, or one video (a path whose extension is a video type).
    public var media: [MediaItem]
    public var location: SourceLocation

    public init(content: Located<String>, media: [MediaItem] = [], location: SourceLocation) {
        self.content = content
        self.media = media
        self.location = location
    }
}

/// A scheduled instant together with how it was written.
public struct Schedule: Sendable, Hashable {
    public var instant: Date
    public var raw: String
    /// False for a naive time read in the config's time zone.
    public var hadOffset: Bool

    public init(instant: Date, raw: String, hadOffset: Bool) {
        self.instant = instant
        self.raw = raw
        self.hadOffset = hadOffset
    }
}

/// A per-platform option value as written in front matter.
public enum OptionValue: Sendable, Hashable, CustomStringConvertible {
    case string(String)
    case bool(Bool)
    case int(Int)
    case list([String])

    public var description: String {
        switch self {
        case .string(let s): s
        case .bool(let b): String(b)
        case .int(let i): String(i)
        case .list(let l): "[" + l.joined(separator: ", ") + "]"
        }
    }
}

/// A post file, parsed. Every value keeps where it was written.
public struct Post: Sendable, Equatable {
    /// Repository-relative path of the file (`content/2026/04/launch.md`).
    public var source: String
    /// The post id: explicit `id:` or derived from the path under the content folder.
    public var id: String
    /// Where `id:` was written, when it was.
    public var idLocation: SourceLocation?
    public var platforms: [Located<PlatformTarget>]
    public var scheduledFor: Located<Schedule>?
    public var draft: Bool
    public var media: Media
    public var segments: [Segment]
    public var labels: [String]
    public var title: Located<String>?
    public var contentWarning: Located<String>?
    public var options: [Platform: [String: Located<OptionValue>]]
    /// Body text (segment 0), trimmed of leading and trailing blank lines, LF line endings.
    public var content: String
    /// Where the body starts.
    public var contentLocation: SourceLocation
    /// Where the `platforms` key was written (for post-wide platform diagnostics).
    public var platformsLocation: SourceLocation

    public init(source: String, id: String, idLocation: SourceLocation? = nil, platforms: [Located<PlatformTarget>],
                scheduledFor: Located<Schedule>? = nil, draft: Bool = false, media: Media = Media(),
                segments: [Segment] = [], labels: [String] = [], title: Located<String>? = nil,
                contentWarning: Located<String>? = nil, options: [Platform: [String: Located<OptionValue>]] = [:],
                content: String, contentLocation: SourceLocation, platformsLocation: SourceLocation = .start) {
        self.source = source
        self.id = id
        self.idLocation = idLocation
        self.platforms = platforms
        self.scheduledFor = scheduledFor
        self.draft = draft
        self.media = media
        self.segments = segments
        self.labels = labels
        self.title = title
        self.contentWarning = contentWarning
        self.options = options
        self.content = content
        self.contentLocation = contentLocation
        self.platformsLocation = platformsLocation
    }

    /// A post is a draft when `draft: true` or it has no `scheduled_for`.
    public var isDraft: Bool { draft || scheduledFor == nil }

    /// The thread's texts in order: the body, then every segment, with where each starts.
    public var parts: [(text: String, location: SourceLocation, media: [MediaItem])] {
        var result: [(String, SourceLocation, [MediaItem])] = [(content, contentLocation, media.images)]
        for segment in segments { result.append((segment.content.value, segment.content.location, segment.media)) }
        return result
    }
}
