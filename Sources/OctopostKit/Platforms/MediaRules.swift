/// The kinds of media octopost recognises, by extension and by content.
public enum MediaKind: String, Sendable, CaseIterable {
    case jpeg, png, gif, webp, heic, avif, mp4, mov, webm

    public var isVideo: Bool { self == .mp4 || self == .mov || self == .webm }

    /// From a path or URL's extension (query and fragment ignored).
    public static func fromExtension(_ path: String) -> MediaKind? {
        var p = Substring(path)
        if let q = p.firstIndex(where: { $0 == "?" || $0 == "#" }) { p = p[..<q] }
        guard let dot = p.lastIndex(of: "."), !p[dot...].contains("/") else { return nil }
        switch p[p.index(after: dot)...].lowercased() {
        case "jpg", "jpeg": return .jpeg
        case "png": return .png
        case "gif": return .gif
        case "webp": return .webp
        case "heic", "heif": return .heic
        case "avif": return .avif
        case "mp4", "m4v": return .mp4
        case "mov": return .mov
        case "webm": return .webm
        default: return nil
        }
    }

    /// From a file's first bytes (magic numbers).
    public static func sniff(_ head: [UInt8]) -> MediaKind? {
        func at(_ offset: Int, _ bytes: [UInt8]) -> Bool {
            head.count >= offset + bytes.count && Array(head[offset..<offset + bytes.count]) == bytes
        }
        if at(0, [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if at(0, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if at(0, Array("GIF87a".utf8)) || at(0, Array("GIF89a".utf8)) { return .gif }
        if at(0, Array("RIFF".utf8)) && at(8, Array("WEBP".utf8)) { return .webp }
        if at(0, [0x1A, 0x45, 0xDF, 0xA3]) { return .webm }
        if at(4, Array("ftyp".utf8)), head.count >= 12 {
            let brand = String(decoding: head[8..<12], as: UTF8.self)
            switch brand {
            case "heic", "heix", "mif1", "msf1", "heim", "heis", "hevc": return .heic
            case "avif", "avis": return .avif
            case "qt  ": return .mov
            default: return .mp4
            }
        }
        return nil
    }

    /// Whether content of kind `sniffed` is acceptable in a file named as `self`.
    public func accepts(_ sniffed: MediaKind) -> Bool {
        sniffed == self || (isVideo && sniffed.isVideo && sniffed != .webm && self != .webm)
    }
}

/// What a platform accepts as media (PLATFORMS.md §B of each platform).
public struct MediaLimits: Sendable {
    public enum Requirement: Sendable { case none, any, video }

    public var maxImages: Int
    public var imageKinds: Set<MediaKind>
    public var maxImageBytes: Int
    public var maxGIFBytes: Int?
    public var videoKinds: Set<MediaKind>
    public var maxVideoBytes: Int
    public var requirement: Requirement
    /// Longest alt text the platform stores, or nil when it takes none.
    public var altTextLimit: Int?
    /// The platform chains replies, so segments become a thread.
    public var supportsThreads: Bool

    public var allowsVideo: Bool { !videoKinds.isEmpty }
    public var allowsImages: Bool { maxImages > 0 }
}

extension Platform {
    private static let MB = 1_000_000
    private static let MiB = 1 << 20
    private static let webImages: Set<MediaKind> = [.jpeg, .png, .gif, .webp]

    public var mediaLimits: MediaLimits {
        switch self {
        case .twitter:
            MediaLimits(maxImages: 4, imageKinds: Self.webImages, maxImageBytes: 5 * Self.MB, maxGIFBytes: 15 * Self.MB,
                        videoKinds: [.mp4, .mov], maxVideoBytes: 512 * Self.MB, requirement: .none,
                        altTextLimit: 1000, supportsThreads: true)
        case .bluesky:
            MediaLimits(maxImages: 4, imageKinds: [.jpeg, .png, .gif, .webp, .heic, .avif], maxImageBytes: 2_000_000,
                        maxGIFBytes: nil, videoKinds: [.mp4], maxVideoBytes: 300_000_000, requirement: .none,
                        altTextLimit: 2000, supportsThreads: true)
        case .mastodon:
            MediaLimits(maxImages: 4, imageKinds: [.jpeg, .png, .gif, .webp, .heic, .avif], maxImageBytes: 16 * Self.MiB,
                        maxGIFBytes: nil, videoKinds: [.mp4, .mov, .webm], maxVideoBytes: 99 * Self.MiB,
                        requirement: .none, altTextLimit: 1500, supportsThreads: true)
        case .threads:
            MediaLimits(maxImages: 4, imageKinds: [.jpeg, .png], maxImageBytes: 8 * Self.MB, maxGIFBytes: nil,
                        videoKinds: [.mp4, .mov], maxVideoBytes: 1000 * Self.MB, requirement: .none,
                        altTextLimit: 1000, supportsThreads: true)
        case .linkedin:
            MediaLimits(maxImages: 4, imageKinds: [.jpeg, .png, .gif], maxImageBytes: 5 * Self.MB, maxGIFBytes: nil,
                        videoKinds: [.mp4], maxVideoBytes: 500 * Self.MB, requirement: .none, altTextLimit: nil,
                        supportsThreads: false)
        case .instagram:
            MediaLimits(maxImages: 4, imageKinds: [.jpeg], maxImageBytes: 8 * Self.MB, maxGIFBytes: nil,
                        videoKinds: [.mp4, .mov], maxVideoBytes: 300 * Self.MB, requirement: .any, altTextLimit: nil,
                        supportsThreads: false)
        case .facebook:
            MediaLimits(maxImages: 4, imageKinds: [.jpeg, .png, .gif, .webp], maxImageBytes: 10 * Self.MB,
                        maxGIFBytes: nil, videoKinds: [.mp4, .mov], maxVideoBytes: 1000 * Self.MB,
                        requirement: .none, altTextLimit: nil, supportsThreads: false)
        case .tiktok:
            MediaLimits(maxImages: 4, imageKinds: [.jpeg, .webp], maxImageBytes: 20 * Self.MB, maxGIFBytes: nil,
                        videoKinds: [.mp4, .mov, .webm], maxVideoBytes: 4000 * Self.MB, requirement: .any,
                        altTextLimit: nil, supportsThreads: false)
        case .youtube:
            MediaLimits(maxImages: 0, imageKinds: [], maxImageBytes: 0, maxGIFBytes: nil,
                        videoKinds: [.mp4, .mov, .webm], maxVideoBytes: Int.max, requirement: .video,
                        altTextLimit: nil, supportsThreads: false)
        case .discord:
            MediaLimits(maxImages: 4, imageKinds: Self.webImages, maxImageBytes: 10 * Self.MiB, maxGIFBytes: nil,
                        videoKinds: [.mp4, .mov, .webm], maxVideoBytes: 10 * Self.MiB, requirement: .none,
                        altTextLimit: 1024, supportsThreads: true)
        case .slack:
            MediaLimits(maxImages: 4, imageKinds: Self.webImages, maxImageBytes: 1000 * Self.MB, maxGIFBytes: nil,
                        videoKinds: [.mp4, .mov, .webm], maxVideoBytes: 1000 * Self.MB, requirement: .none,
                        altTextLimit: nil, supportsThreads: true)
        case .telegram:
            MediaLimits(maxImages: 4, imageKinds: [.jpeg, .png, .webp], maxImageBytes: 10 * Self.MB, maxGIFBytes: nil,
                        videoKinds: [.mp4, .mov], maxVideoBytes: 50 * Self.MB, requirement: .none, altTextLimit: nil,
                        supportsThreads: true)
        }
    }
}
