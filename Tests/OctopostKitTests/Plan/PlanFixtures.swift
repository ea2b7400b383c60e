import Foundation
@testable import OctopostKit

enum Fx {
    static func t(_ s: String) -> Date { try! Timestamp.resolve(s, timeZone: nil).instant }

    static func target(_ key: String) -> PlatformTarget { try! PlatformTarget.parse(key).get() }

    static func post(_ id: String, _ targets: [String], at: String?, draft: Bool = false, segments: Int = 0,
                     source: String? = nil) -> Post {
        Post(source: source ?? "content/\(id).md", id: id,
             platforms: targets.map { Located(target($0), at: .start) },
             scheduledFor: at.map { Located(Schedule(instant: t($0), raw: $0, hadOffset: true), at: .start) },
             draft: draft,
             segments: (0..<segments).map { _ in Segment(content: Located("reply", at: .start), location: .start) },
             content: "hello", contentLocation: .start)
    }

    static func planned(_ id: String, _ targets: [String], at: String?, sha: String = "sha1", draft: Bool = false,
                        segments: Int = 0, lint: [String: String] = [:]) -> PlannedPost {
        PlannedPost(post: post(id, targets, at: at, draft: draft, segments: segments), contentSHA256: sha,
                    lintErrors: Dictionary(uniqueKeysWithValues: lint.map { (target($0.key), $0.value) }))
    }

    static func record(_ id: String, sha: String = "sha1", _ entries: [String: PlatformResult]) -> LedgerRecord {
        var r = LedgerRecord(id: id, source: "content/\(id).md", contentSHA256: sha, platformResults: entries,
                             updatedAt: "2026-04-01T00:00:00Z")
        r.refreshStatus()
        return r
    }

    static func entry(_ status: EntryStatus, attempts: Int = 0, next: String? = nil, lease: String? = nil,
                      first: String? = nil, segments: Int = 0, run: String? = nil) -> PlatformResult {
        var e = PlatformResult(status: status, attempts: attempts)
        e.nextAttemptAt = next
        e.leaseUntil = lease
        e.firstAttemptAt = first
        e.runID = run ?? (status == .publishing ? "old-run" : nil)
        if segments > 0 { e.segments = (0..<segments).map { SegmentResult(postID: "p\($0)", postURL: "https://x/p\($0)") } }
        if status == .failed { e.error = "boom"; e.errorKind = .permanent }
        return e
    }

    static let planner = Planner(config: Config())
}
