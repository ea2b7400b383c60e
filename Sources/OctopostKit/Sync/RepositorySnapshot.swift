import Crypto
import Foundation

/// The posts committed at one commit, parsed and linted, ready for the planner.
public struct PostSnapshot: Sendable {
    public var commit: String
    public var posts: [PlannedPost]
    /// Files that could not be parsed: reported and skipped (SPEC §7), never stopping the others.
    public var unparsed: [Diagnostic]
    public var unparsedSources: Set<String>

    /// Reads every post under the content folder as committed at `commit` (never the working tree),
    /// lints each, and records per target the first lint error (the entry then fails without a request).
    public static func load(git: any GitRepository, commit: String, config: Config) throws(GitError) -> PostSnapshot {
        // The same post files lint reads (`PostFiles`): hidden ones are not posts; a symbolic link or a
        // submodule at a post path is reported and skipped, never read.
        let entries = try git.listEntries(under: config.contentDirectory, at: commit)
            .filter { PostFiles.isPostPath($0.path, contentDirectory: config.contentDirectory) }
            .sorted { $0.path < $1.path }
        var files: [(String, [UInt8])] = []
        var refused: [Diagnostic] = []
        for entry in entries {
            if let problem = PostFiles.problem(entry.kind) {
                refused.append(Diagnostic(file: entry.path, rule: problem.rule, message: problem.message))
                continue
            }
            if let bytes = try git.readFile(entry.path, at: commit) { files.append((entry.path, bytes)) }
        }
        let linter = Linter(config: config, media: CommitMediaInspector(git: git, commit: commit))
        let results = ParallelMap.map(files) { file -> (PlannedPost?, [Diagnostic]) in
            let (path, bytes) = file
            let parsed = linter.lint(bytes: bytes, path: path)
            guard let post = parsed.post, !parsed.diagnostics.contains(where: { $0.severity == .error && $0.platform == nil }) else {
                return (nil, parsed.diagnostics.filter { $0.severity == .error })
            }
            var lintErrors: [PlatformTarget: String] = [:]
            for d in parsed.diagnostics where d.severity == .error {
                guard let key = d.platform, case .success(let target) = PlatformTarget.parse(key),
                      lintErrors[target] == nil else { continue }
                lintErrors[target] = "\(d.file):\(d.line):\(d.column): \(d.message) [\(d.rule)]"
            }
            return (PlannedPost(post: post, contentSHA256: sha256Hex(bytes), lintErrors: lintErrors), [])
        }
        var snapshot = PostSnapshot(commit: commit, posts: [], unparsed: refused, unparsedSources: Set(refused.map(\.file)))
        for (planned, diagnostics) in results {
            if let planned { snapshot.posts.append(planned) } else {
                snapshot.unparsed += diagnostics
                if let file = diagnostics.first?.file { snapshot.unparsedSources.insert(file) }
            }
        }
        return snapshot
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
