import Crypto
import Foundation

/// The posts committed at one commit, parsed and linted, ready for the planner.
public struct PostSnapshot: Sendable {
    public var commit: String
    public var posts: [PlannedPost]
    /// Files that could not be parsed: reported and skipped (SPEC §7), never stopping the others.
    public var unparsed: [Diagnostic]
    public var unparsedSources: Set<String>
    /// Post files taken from the cache of parsed posts (`PostCache`), not read or parsed again.
    public var fromCache = 0

    /// Reads every post under the content folder as committed at `commit` (never the working tree),
    /// lints each, and records per target the first lint error (the entry then fails without a request).
    ///
    /// Linear in the number of posts: the folder's tree is walked once and each file read by its blob id.
    /// With a `cache`, a file whose blob (and every media file its lint looked at) is unchanged since the
    /// run that cached it is not read or parsed again; the result is the same either way.
    public static func load(git: any GitRepository, commit: String, config: Config,
                            cache: PostCache? = nil) throws(GitError) -> PostSnapshot {
        // The same post files lint reads (`PostFiles`): hidden ones are not posts; a symbolic link or a
        // submodule at a post path is reported and skipped, never read.
        let entries = try git.listTree(under: config.contentDirectory, at: commit)
            .filter { PostFiles.isPostPath($0.path, contentDirectory: config.contentDirectory) }
            .sorted { $0.path < $1.path }
        let media = CommitMediaInspector(git: git, commit: commit)
        var cached = cache?.load() ?? []  // sorted by path, as `entries` are: merged, not hashed
        var next = 0
        // Per post file in order: an index into `cached` (>= 0), or -1 - an index into `files`.
        var slots: [Int] = []
        var files: [RepoTreeEntry] = []
        var refused: [Diagnostic] = []
        var hits = 0
        for entry in entries {
            if let problem = PostFiles.problem(entry.kind) {
                refused.append(Diagnostic(file: entry.path, rule: problem.rule, message: problem.message))
                continue
            }
            while next < cached.count, cached[next].path < entry.path { next += 1 }
            if let id = entry.blobID, next < cached.count, cached[next].path == entry.path, cached[next].blobID == id,
               cached[next].media.allSatisfy({ media.inspect($0.key) == $0.value }) {
                slots.append(next)
                hits += 1
                continue
            }
            slots.append(-1 - files.count)
            files.append(entry)
        }
        let linter = Linter(config: config, media: media)
        // Each file is read where it is parsed: the reads (one at a time in libgit2) overlap the parsing.
        let parsed = ParallelMap.map(files) { file -> Result<PostCache.Entry?, GitError> in
            let bytes: [UInt8]
            do throws(GitError) {
                guard let read = try git.readBlob(file, at: commit) else { return .success(nil) }
                bytes = read
            } catch {
                return .failure(error)
            }
            let recorder = RecordingMediaInspector(base: media)
            var linter = linter
            linter.context.media = recorder
            let result = Self.result(of: linter.lint(bytes: bytes, path: file.path), bytes: bytes)
            return .success(PostCache.Entry(path: file.path, blobID: file.blobID ?? "", media: recorder.inspected,
                                            result: result))
        }
        for case .failure(let error) in parsed { throw error }
        // Rewritten only when something changed: a file parsed, or a cached one gone.
        let save = cache != nil && (!files.isEmpty || hits != cached.count)
        var kept: [PostCache.Entry] = []

        var snapshot = PostSnapshot(commit: commit, posts: [], unparsed: refused, unparsedSources: Set(refused.map(\.file)))
        snapshot.fromCache = hits
        snapshot.posts.reserveCapacity(slots.count)
        for slot in slots {
            var entry = PostCache.Entry(path: "", blobID: "", media: [:], result: .unparsed([]))
            if slot < 0 {
                guard case .success(let read?) = parsed[-1 - slot] else { continue }  // gone from the object store
                entry = read
            } else if save {
                entry = cached[slot]
            } else {
                swap(&entry, &cached[slot])  // moved, not copied: 100,000 posts of retains at 100,000 posts
            }
            if save && !entry.blobID.isEmpty { kept.append(entry) }
            switch entry.takeResult() {
            case .post(let planned):
                snapshot.posts.append(planned)
            case .unparsed(let diagnostics):
                snapshot.unparsed += diagnostics
                if let file = diagnostics.first?.file { snapshot.unparsedSources.insert(file) }
            }
        }
        if save, let cache { cache.save(kept) }
        return snapshot
    }

    /// What the planner takes from one file's lint: the post with its lint errors per target, or the
    /// errors that keep it from being a post.
    static func result(of parsed: ParsedPost, bytes: [UInt8]) -> PostCache.Result {
        guard let post = parsed.post, !parsed.diagnostics.contains(where: { $0.severity == .error && $0.platform == nil }) else {
            return .unparsed(parsed.diagnostics.filter { $0.severity == .error })
        }
        var lintErrors: [PlatformTarget: String] = [:]
        for d in parsed.diagnostics where d.severity == .error {
            guard let key = d.platform, case .success(let target) = PlatformTarget.parse(key),
                  lintErrors[target] == nil else { continue }
            lintErrors[target] = "\(d.file):\(d.line):\(d.column): \(d.message) [\(d.rule)]"
        }
        return .post(PlannedPost(post: post, contentSHA256: sha256Hex(bytes), lintErrors: lintErrors))
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { b in
            let s = String(b, radix: 16)
            return b < 16 ? "0" + s : s
        }.joined()
    }
}

/// Media as committed: sync publishes what was merged, so media are checked at the same commit.
/// Only the object's header (size) and first bytes (type) are read: posts may share a media file of
/// hundreds of megabytes, and each path is inspected once per run. A symbolic link (mode 120000) at the
/// path or on the way to it is refused, as in the working tree: its blob is the link text, not a file.
public struct CommitMediaInspector: MediaInspector {
    public let git: any GitRepository
    public let commit: String
    /// Bytes `MediaKind.sniff` looks at.
    public static let headLength = 32
    private let cache = DirectoryMediaInspector.InspectionCache()

    public init(git: any GitRepository, commit: String) {
        self.git = git
        self.commit = commit
    }

    /// The first folder on the way to `path` that is a symbolic link, or nil when the link is `path` itself.
    private func linkOnTheWay(_ path: String) throws(GitError) -> String? {
        var folder = ""
        for part in RepoPath.split(path).dropLast() {
            folder = folder.isEmpty ? part : folder + "/" + part
            if try git.entryKind(folder, at: commit) == .symlink { return folder }
        }
        return nil
    }

    public func inspect(_ repoRelativePath: String) -> MediaInspection {
        cache.value(repoRelativePath) {
            do {
                switch try git.entryKind(repoRelativePath, at: commit) {
                case .missing: return .missing
                case .symlink: return .symlink(at: try linkOnTheWay(repoRelativePath) ?? repoRelativePath)
                case .file: break
                case .directory, .submodule, .other: return .notAFile
                }
                guard let file = try git.fileHead(repoRelativePath, at: commit, headLength: Self.headLength) else {
                    return .missing
                }
                return .file(size: file.size, head: file.head)
            } catch {
                return .unreadable
            }
        }
    }
}
