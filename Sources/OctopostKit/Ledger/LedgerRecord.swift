import Foundation

/// A platform entry's state in the ledger (SPEC §3).
public enum EntryStatus: String, Sendable, Codable, CaseIterable {
    case pending, publishing, published, retrying, failed, expired, unknown
}

/// The derived status of a post (SPEC §2).
public enum PostStatus: String, Sendable, Codable, CaseIterable {
    case draft, scheduled, publishing, published
    case partiallyPublished = "partially_published"
    case failed
}

/// How an error should be treated.
public enum ErrorKind: String, Sendable, Codable {
    case transient, permanent
}

/// One posted part of a thread.
public struct SegmentResult: Sendable, Codable, Equatable {
    public var postID: String
    public var postURL: String?
    /// Extra identifiers a platform needs to reply to this part (Bluesky cid), never secrets.
    public var cid: String?

    enum CodingKeys: String, CodingKey {
        case postID = "post_id", postURL = "post_url", cid
    }

    public init(postID: String, postURL: String? = nil, cid: String? = nil) {
        self.postID = postID
        self.postURL = postURL
        self.cid = cid
    }
}

/// One platform's result for a post: the keys `success`, `post_id`, `post_url`, `error` mirror the
/// Octopost API's `platform_results`.
public struct PlatformResult: Sendable, Codable, Equatable {
    public var status: EntryStatus
    public var success: Bool
    public var attempts: Int
    public var postID: String?
    public var postURL: String?
    public var segments: [SegmentResult]?
    public var error: String?
    public var errorKind: ErrorKind?
    public var nextAttemptAt: String?
    public var runID: String?
    public var leaseUntil: String?
    /// When the first request for this entry was sent (Mastodon's idempotency window counts from it).
    public var firstAttemptAt: String?
    public var publishedAt: String?
    /// Transient-failure retries already scheduled in the current round (absent: none). `attempts` counts
    /// every request ever made and is never reset; this is reset when an entry goes back to `pending`
    /// (`octopost retry`, edit and retry), so a released entry gets the full retry schedule again.
    public var retries: Int?
    /// SHA-256 of the post file this entry was sent with, where that differs from the record's
    /// `content_sha256` (which is pinned to what was published first): a post edited after part of it was
    /// published sends the new file to its failed entries, and each entry keeps what it sent.
    public var contentSHA256: String?

    enum CodingKeys: String, CodingKey {
        case status, success, attempts, segments, error, retries
        case contentSHA256 = "content_sha256"
        case postID = "post_id", postURL = "post_url", errorKind = "error_kind", nextAttemptAt = "next_attempt_at"
        case runID = "run_id", leaseUntil = "lease_until", firstAttemptAt = "first_attempt_at"
        case publishedAt = "published_at"
    }

    public init(status: EntryStatus = .pending, attempts: Int = 0) {
        self.status = status
        self.success = status == .published
        self.attempts = attempts
    }
}

/// `ledger/<id>.json`: everything octopost knows about one post's publishing.
public struct LedgerRecord: Sendable, Codable, Equatable {
    public var id: String
    public var source: String
    public var contentSHA256: String
    public var platformResults: [String: PlatformResult]
    public var status: PostStatus
    public var publishedAt: String?
    public var updatedAt: String

    enum CodingKeys: String, CodingKey {
        case id, source, status
        case contentSHA256 = "content_sha256", platformResults = "platform_results", publishedAt = "published_at"
        case updatedAt = "updated_at"
    }

    public init(id: String, source: String, contentSHA256: String, platformResults: [String: PlatformResult] = [:],
                status: PostStatus = .scheduled, publishedAt: String? = nil, updatedAt: String) {
        self.id = id
        self.source = source
        self.contentSHA256 = contentSHA256
        self.platformResults = platformResults
        self.status = status
        self.publishedAt = publishedAt
        self.updatedAt = updatedAt
    }

    /// Decodes a ledger file. `file` names it in errors (`ledger/2026/04/launch.json`). Unknown keys are
    /// ignored (a newer octopost may add some); wrong types, unknown statuses and malformed timestamps are
    /// errors, never a crash.
    public static func decode(_ bytes: [UInt8], file: String) throws(LedgerError) -> LedgerRecord {
        try LedgerCoding.decode(bytes, file: file)
    }

    /// The ledger file's bytes (SPEC §3): sorted keys, two-space indentation, `"key": value`, one key per
    /// line, absent values omitted, a final newline.
    public func encoded() -> [UInt8] {
        LedgerCoding.encode(self)
    }

    /// Recomputes `status` from the entries (the record does not know whether its post is a draft).
    public mutating func refreshStatus() {
        status = Self.deriveStatus(platformResults.values.map(\.status))
    }

    /// The post status derived from the entries (SPEC §2).
    public static func deriveStatus(_ entries: [EntryStatus]) -> PostStatus {
        if entries.isEmpty { return .scheduled }
        if entries.allSatisfy({ $0 == .pending }) { return .scheduled }
        if entries.allSatisfy({ $0 == .published }) { return .published }
        let done: Set<EntryStatus> = [.published, .failed, .expired, .unknown]
        if entries.contains(where: { $0 == .publishing || $0 == .retrying })
            || (entries.contains(.pending) && entries.contains(where: { done.contains($0) })) {
            return .publishing
        }
        if entries.contains(.published) { return .partiallyPublished }
        return .failed
    }
}
