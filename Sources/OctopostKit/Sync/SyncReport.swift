import Foundation

/// One entry's outcome in a run.
public struct SyncEntryResult: Sendable, Equatable {
    public var id: String
    public var platform: String
    public var status: EntryStatus
    public var postURL: String?
    public var error: String?
    public var nextAttemptAt: String?
}

/// What a sync run did (SPEC §6 `sync` JSON).
public struct SyncReport: Sendable {
    public var runID: String
    public var now: Date
    public var entries: [SyncEntryResult] = []
    /// Files that could not be parsed (skipped).
    public var skippedFiles: [Diagnostic] = []
    public var orphans: [String] = []
    public var commits: [String] = []
    public var pushed = false
    public var dryRun = false
    public var stoppedBySignal = false
    public var notes: [String] = []

    public init(runID: String, now: Date) {
        self.runID = runID
        self.now = now
    }

    public func count(_ status: EntryStatus) -> Int { entries.filter { $0.status == status }.count }

    /// Exit 1 when an entry became failed or unknown in this run (SPEC §6).
    public var hasFailures: Bool { entries.contains { $0.status == .failed || $0.status == .unknown } }

    public var jsonValue: JSONValue {
        .object([
            "published": .int(count(.published)), "failed": .int(count(.failed)), "retrying": .int(count(.retrying)),
            "unknown": .int(count(.unknown)), "expired": .int(count(.expired)),
            "entries": .array(entries.map { e in
                var o: [String: JSONValue] = ["id": .string(e.id), "platform": .string(e.platform),
                                              "status": .string(e.status.rawValue)]
                if let u = e.postURL { o["post_url"] = .string(u) }
                if let err = e.error { o["error"] = .string(err) }
                if let n = e.nextAttemptAt { o["next_attempt_at"] = .string(n) }
                return .object(o)
            }),
        ])
    }

    /// The commit message: says what happened and never triggers another pipeline.
    public var commitMessage: String {
        var parts: [String] = []
        let published = count(.published)
        parts.append("published \(published) entr\(published == 1 ? "y" : "ies")")
        for s in [EntryStatus.failed, .retrying, .unknown, .expired] where count(s) > 0 {
            parts.append("\(count(s)) \(s.rawValue)")
        }
        return "octopost: " + parts.joined(separator: ", ") + " [skip ci]"
    }

    /// A Markdown summary for `$GITHUB_STEP_SUMMARY`.
    public var markdownSummary: String {
        var lines = ["### octopost sync", "",
                     "\(count(.published)) published, \(count(.failed)) failed, \(count(.retrying)) retrying, "
                         + "\(count(.unknown)) unknown, \(count(.expired)) expired", ""]
        if !entries.isEmpty {
            lines += ["| post | platform | status | link or error |", "|---|---|---|---|"]
            for e in entries {
                let detail = e.postURL.map { "[\($0)](\($0))" } ?? e.error.map { Self.cell($0) }
                    ?? e.nextAttemptAt.map { "next attempt \($0)" } ?? ""
                lines.append("| \(Self.cell(e.id)) | \(e.platform) | \(e.status.rawValue) | \(detail) |")
            }
        }
        for d in skippedFiles { lines.append("- skipped `\(d.file)`: \(Self.cell(d.message))") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
