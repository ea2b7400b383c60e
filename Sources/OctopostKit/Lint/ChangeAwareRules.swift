import Foundation

/// The rules of `lint --base REF` (SPEC §6): what a pull request may change, given what the ledger at
/// REF says was already published.
public struct ChangeAwareRules: Sendable {
    public var git: any GitRepository
    public var config: Config
    public var parser: PostParser
    public var now: Date

    public init(git: any GitRepository, config: Config, now: Date) {
        self.git = git
        self.config = config
        self.parser = PostParser(contentDirectory: config.contentDirectory, timeZone: config.timeZone)
        self.now = now
    }

    /// `current`: the working tree's posts, already parsed by the linter.
    public func check(base revision: String, current: [Post]) throws(GitError) -> [Diagnostic] {
        let baseCommit = try git.resolveCommit(revision)
        let head = try git.resolveCommit("HEAD")
        let mergeBase = try git.mergeBase(baseCommit, head)
        let content = config.contentDirectory
        // One definition of a post file for lint, lint --base and sync (`PostFiles`).
        func isPost(_ path: String?) -> Bool { path.map { PostFiles.isPostPath($0, contentDirectory: content) } ?? false }
        let changes = try git.changesToWorkTree(from: mergeBase).filter { isPost($0.oldPath) || isPost($0.newPath) }
        let bySource = Dictionary(current.map { ($0.source, $0) }, uniquingKeysWith: { a, _ in a })

        var out: [Diagnostic] = []
        for change in changes {
            let old: (post: Post, bytes: [UInt8])? = try change.oldPath.flatMap { path throws(GitError) in
                guard isPost(path), let bytes = try git.readFile(path, at: mergeBase),
                      let post = parser.parse(bytes: bytes, path: path).post else { return nil }
                return (post, bytes)
            }
            let oldStatus = try old.flatMap { o throws(GitError) in try status(of: o.post.id, at: baseCommit) }

            guard let newPath = change.newPath, isPost(newPath) else {
                // Deleted (or moved out of the content folder).
                if let old, let s = oldStatus, s == .published || s == .partiallyPublished || s == .publishing {
                    out.append(Diagnostic(file: old.post.source, severity: .warning, rule: .deletedPublished,
                        message: "deleting post '\(old.post.id)', which is \(s.rawValue): the copies on the platforms stay "
                            + "(delete them there), and its ledger entry is kept"))
                }
                continue
            }
            guard let post = bySource[newPath] else { continue }  // unparsable: already reported
            let newStatus = try status(of: post.id, at: baseCommit)

            if let old, old.post.id != post.id, let s = oldStatus, s != .scheduled {
                out.append(Diagnostic(file: newPath, location: post.idLocation ?? .start, rule: .movedPublished,
                    message: "this post was '\(old.post.id)' (\(s.rawValue)) and now has id '\(post.id)': "
                        + "add 'id: \(old.post.id)' to keep its ledger entry, or it would be published again"))
                continue
            }
            // What the post says, not its bytes: a move that adds `id:` to keep the ledger entry is no edit.
            let contentChanged = old.map { Self.fingerprint($0.post) != Self.fingerprint(post) } ?? true
            let effectiveStatus = newStatus ?? oldStatus
            if let s = effectiveStatus, s == .published || s == .publishing, contentChanged {
                out.append(Diagnostic(file: newPath, rule: .publishedImmutable,
                    message: "post '\(post.id)' is \(s.rawValue): published posts are immutable here; "
                        + "edit them on the platform (or duplicate this post as a new one)"))
                continue
            }
            if let schedule = post.scheduledFor, !post.draft, schedule.value.instant <= now,
               effectiveStatus == nil || effectiveStatus == .scheduled {
                out.append(Diagnostic(file: newPath, location: schedule.location, rule: .pastSchedule,
                    message: "scheduled_for \(schedule.value.raw) is already past: this post would publish the moment "
                        + "it merges; set a future time, or remove scheduled_for to keep it a draft"))
            }
        }
        return out
    }

    /// Everything a post publishes, without where it is written or its `id:` line.
    static func fingerprint(_ post: Post) -> String {
        var parts: [String] = [post.content, post.platforms.map(\.value.key).joined(separator: ","),
                               post.scheduledFor?.value.raw ?? "", String(post.draft), post.labels.joined(separator: ","),
                               post.title?.value ?? "", post.contentWarning?.value ?? ""]
        parts += post.media.images.map { "\($0.url.value)|\($0.altText?.value ?? "")" }
        parts.append((post.media.video?.url.value ?? "") + "|" + (post.media.video?.thumbnailURL?.value ?? ""))
        for segment in post.segments {
            parts.append(segment.content.value)
            parts += segment.media.map { "\($0.url.value)|\($0.altText?.value ?? "")" }
        }
        for (platform, options) in post.options.sorted(by: { $0.key < $1.key }) {
            parts += options.sorted { $0.key < $1.key }.map { "\(platform.rawValue).\($0.key)=\($0.value.value)" }
        }
        return parts.joined(separator: "\u{1F}")
    }

    func status(of id: String, at commit: String) throws(GitError) -> PostStatus? {
        guard PostID.problem(id) == nil else { return nil }
        let path = config.ledgerDirectory + "/" + id + ".json"
        guard let bytes = try git.readFile(path, at: commit),
              let record = try? LedgerRecord.decode(bytes, file: path) else { return nil }
        return LedgerRecord.deriveStatus(record.platformResults.values.map(\.status))
    }
}
