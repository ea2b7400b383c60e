import Foundation

/// Why a publish failed, classified for the retry policy.
public struct PublishError: Error, Sendable, Equatable {
    public var kind: ErrorKind
    /// The platform's own reason and what to do; never a secret.
    public var message: String
    /// The platform said not to try before this instant (Retry-After, rate-limit reset).
    public var notBefore: Date?
    public var httpStatus: Int?
    /// The request may have been acted on although no usable answer came (a timeout or a dropped
    /// connection after sending, a 2xx that is not the expected JSON). Resending is safe only where the
    /// platform deduplicates or can be asked; elsewhere the entry becomes `unknown` (SPEC §7: never twice).
    public var uncertain: Bool

    public init(_ kind: ErrorKind, _ message: String, notBefore: Date? = nil, httpStatus: Int? = nil,
                uncertain: Bool = false) {
        self.kind = kind
        self.message = message
        self.notBefore = notBefore
        self.httpStatus = httpStatus
        self.uncertain = uncertain
    }
}

/// What a platform's rate-limit headers say about the rest of the window.
public struct RateLimitState: Sendable, Equatable {
    public var remaining: Int?
    public var reset: Date?
    public init(remaining: Int?, reset: Date?) {
        self.remaining = remaining
        self.reset = reset
    }
}

/// One part of a thread to send: the body is index 0.
public struct OutgoingPart: Sendable {
    public var index: Int
    public var text: String
    public var media: [MediaItem]
    /// The previous part's result (reply target) and the thread's first part (Bluesky root).
    public var parent: SegmentResult?
    public var root: SegmentResult?
    /// Stable across runs for the same entry and part: `sha256(id|target|index)` in hex.
    public var idempotencyKey: String

    public init(index: Int, text: String, media: [MediaItem] = [], parent: SegmentResult? = nil,
                root: SegmentResult? = nil, idempotencyKey: String) {
        self.index = index
        self.text = text
        self.media = media
        self.parent = parent
        self.root = root
        self.idempotencyKey = idempotencyKey
    }
}

/// What an adapter gets to build itself: never more than its own target's settings and secrets.
public struct AdapterContext: Sendable {
    public var target: PlatformTarget
    public var account: Config.Account?
    public var credentials: Credentials
    public var http: any HTTPClient
    /// `OCTOPOST_<NAME>_API_BASE` (or the account's instance/service), replacing scheme and host.
    public var apiBase: URL?
    /// Reads a media file of the repository (for uploads).
    public var readMedia: @Sendable (String) -> [UInt8]?

    public init(target: PlatformTarget, account: Config.Account?, credentials: Credentials, http: any HTTPClient,
                apiBase: URL?, readMedia: @escaping @Sendable (String) -> [UInt8]? = { _ in nil }) {
        self.target = target
        self.account = account
        self.credentials = credentials
        self.http = http
        self.apiBase = apiBase
        self.readMedia = readMedia
    }
}

/// One platform's API. One file per platform; adding a platform is one new file plus its line in
/// `AdapterRegistry`. Adapters are shared by every entry of their target in a run, so they cache
/// sessions and tokens (Bluesky allows 30 createSession calls per 5 minutes).
public protocol PlatformAdapter: Sendable {
    var target: PlatformTarget { get }
    /// How an entry whose lease ran out without a result can be settled, in order of preference
    /// (empty: it becomes `unknown`). See `Planner`.
    var recoveryModes: [RecoveryMode] { get }

    /// Sends one part; returns its id and URL. Throws a classified error.
    func publish(_ part: OutgoingPart, of post: Post) async throws(PublishError) -> SegmentResult

    /// For `.lookup` recovery: the part if it is already on the account, else nil.
    func findExisting(_ part: OutgoingPart, of post: Post, since: Date) async throws(PublishError) -> SegmentResult?

    /// The latest rate-limit state seen, so the publisher slows down only when the platform says so.
    func rateLimit() async -> RateLimitState?
}

extension PlatformAdapter {
    public func findExisting(_ part: OutgoingPart, of post: Post, since: Date) async throws(PublishError) -> SegmentResult? {
        nil
    }
    public func rateLimit() async -> RateLimitState? { nil }
}
