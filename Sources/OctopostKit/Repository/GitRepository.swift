/// How a file differs between a commit and the working tree.
public struct FileChange: Sendable, Hashable {
    public enum Kind: String, Sendable { case added, modified, deleted, renamed }
    public var kind: Kind
    /// Path at the base commit (nil when added).
    public var oldPath: String?
    /// Path in the working tree (nil when deleted).
    public var newPath: String?

    public init(kind: Kind, oldPath: String?, newPath: String?) {
        self.kind = kind
        self.oldPath = oldPath
        self.newPath = newPath
    }
}

public enum GitError: Error, Sendable, Equatable, CustomStringConvertible {
    case notARepository(String)
    case unknownRef(String)
    case failed(String)
    case nonFastForward(String)
    case pushRejected(String)

    public var description: String {
        switch self {
        case .notARepository(let p): "not a git repository (or any parent up to /): \(p)"
        case .unknownRef(let r): "unknown revision '\(r)'"
        case .failed(let m): m
        case .nonFastForward(let m): "push rejected, the remote has newer commits: \(m)"
        case .pushRejected(let m): m
        }
    }
}

/// The git operations octopost needs. Implemented over libgit2 in OctopostGit; tests may fake it.
/// Paths are relative to the repository root with '/' separators; commits are hex object ids.
public protocol GitRepository: Sendable {
    /// Absolute path of the working tree root.
    var workTree: String { get }
    /// The checked-out branch's short name, or nil when HEAD is detached or unborn.
    func currentBranch() throws(GitError) -> String?
    /// Resolves a revision (`main`, `origin/main`, `HEAD~1`, an id) to a commit id.
    func resolveCommit(_ revision: String) throws(GitError) -> String
    func mergeBase(_ a: String, _ b: String) throws(GitError) -> String
    /// A file's bytes as committed, or nil when the commit has no such file.
    func readFile(_ path: String, at commit: String) throws(GitError) -> [UInt8]?
    /// A committed file's size and its first `headLength` bytes, or nil when the commit has no such file.
    /// The size comes from the object's header: a large file is never read whole to learn it.
    func fileHead(_ path: String, at commit: String, headLength: Int) throws(GitError) -> FileHead?
    /// What `path` is in a commit's tree, as git records it: a file (modes 100644, 100755), a symbolic link
    /// (120000: its blob is the link text, never content), a submodule, a folder, or missing. A symbolic link
    /// on the way to it is `.symlink` too, as on disk (`RepoDirectory.kind`).
    func entryKind(_ path: String, at commit: String) throws(GitError) -> RepoEntryKind
    /// Every file (blob) path under `directory` in a commit's tree, recursively.
    func listFiles(under directory: String, at commit: String) throws(GitError) -> [String]
    /// Every entry but folders under `directory` in a commit's tree, recursively, with what git records
    /// it as: a file (modes 100644, 100755), a symbolic link (120000) or a submodule (160000).
    func listEntries(under directory: String, at commit: String) throws(GitError) -> [(path: String, kind: RepoEntryKind)]
    /// `listEntries` with each blob's id, in one walk of the tree: what a caller reading every file of a
    /// folder needs to read them by id (`readBlob`) instead of looking each path up from the root again.
    func listTree(under directory: String, at commit: String) throws(GitError) -> [RepoTreeEntry]
    /// The bytes of an entry `listTree` returned for `commit`, or nil when the commit has no such file.
    func readBlob(_ entry: RepoTreeEntry, at commit: String) throws(GitError) -> [UInt8]?
    /// Changes from a commit's tree to the working tree (staged, unstaged and untracked files; renames found).
    func changesToWorkTree(from commit: String) throws(GitError) -> [FileChange]

    // MARK: Writing and the network (used by `sync`). Every branch update is compare-and-swap, so a
    // concurrent change is detected instead of overwritten.

    /// The commit HEAD points at, or nil when HEAD is unborn.
    func headCommit() throws(GitError) -> String?

    /// Creates a commit on `branch` whose tree is `parent`'s tree plus `changes` (path → new bytes,
    /// nil deletes the path), built in memory: the working tree is not read or written.
    /// The branch ref moves only if it still points at `parent` (nil: the branch must not exist yet);
    /// otherwise `GitError.failed("branch moved")` and the branch is left alone.
    /// When `branch` is checked out, the index entries of `changes` are updated too, so that once the
    /// caller has written the same bytes to the working files, `git status` is clean.
    /// Returns the new commit id.
    func commit(
        changes: [String: [UInt8]?], message: String, authorName: String, authorEmail: String,
        branch: String, parent: String?
    ) throws(GitError) -> String

    /// Whether a remote with this name is configured.
    func remoteExists(_ name: String) -> Bool
    /// The configured URL of a remote, or nil when there is no such remote.
    func remoteURL(_ name: String) -> String?
    /// Headers from `http.extraheader` and `http.<url>.extraheader` matching the remote's URL, in git's
    /// order (an empty value resets the list). The transport does not read them itself: pass them in
    /// `GitCredentials.extraHeaders`.
    func configuredExtraHeaders(forRemote name: String) -> [String]

    /// Fetches `refs/heads/<branch>` into `refs/remotes/<remote>/<branch>` and returns that commit,
    /// or nil when the remote has no such branch (a stale tracking ref is then deleted).
    func fetch(remote: String, branch: String, credentials: GitCredentials) throws(GitError) -> String?

    /// Pushes `refs/heads/<branch>` to the same name on the remote (never forced).
    /// The remote having newer commits → `.nonFastForward`; any other refusal (hooks, protected
    /// branches, `receive.denyCurrentBranch`) → `.pushRejected` with the remote's message.
    func push(remote: String, branch: String, credentials: GitCredentials) throws(GitError)

    /// Moves `branch` forward to `commit`, which must descend from the branch's commit (else
    /// `.nonFastForward`). When the branch is checked out the working tree and index are updated with a
    /// safe checkout: files with uncommitted changes are never overwritten (→ `.failed`, nothing moved).
    func fastForward(branch: String, to commit: String) throws(GitError)

    /// Points `branch` at `commit` whatever their relation (drops local commits, e.g. after a rejected
    /// push). Checked out: same safe checkout as `fastForward`, relative to the current HEAD tree.
    func resetBranch(_ branch: String, to commit: String) throws(GitError)
}

/// A committed file's size and first bytes (enough to tell its type by its magic number).
public struct FileHead: Sendable, Equatable {
    public var size: Int
    public var head: [UInt8]

    public init(size: Int, head: [UInt8]) {
        self.size = size
        self.head = head
    }
}

/// An entry of a commit's tree (not a folder): its path, what git records it as, and for a blob its id
/// (hex), which names its bytes: the same id, the same bytes.
public struct RepoTreeEntry: Sendable, Equatable {
    public var path: String
    public var kind: RepoEntryKind
    /// The blob's object id in hex; nil for a submodule, or when the repository cannot tell (test fakes).
    public var blobID: String?

    public init(path: String, kind: RepoEntryKind, blobID: String? = nil) {
        self.path = path
        self.kind = kind
        self.blobID = blobID
    }
}

extension GitRepository {
    /// For a repository without object ids (test fakes): the entries without ids.
    public func listTree(under directory: String, at commit: String) throws(GitError) -> [RepoTreeEntry] {
        try listEntries(under: directory, at: commit).map { RepoTreeEntry(path: $0.path, kind: $0.kind) }
    }

    /// For a repository without object ids (test fakes): reads the entry's path.
    public func readBlob(_ entry: RepoTreeEntry, at commit: String) throws(GitError) -> [UInt8]? {
        try readFile(entry.path, at: commit)
    }

    /// For repositories that can only read whole files (test fakes): reads the file and keeps the head.
    public func fileHead(_ path: String, at commit: String, headLength: Int) throws(GitError) -> FileHead? {
        guard let bytes = try readFile(path, at: commit) else { return nil }
        return FileHead(size: bytes.count, head: Array(bytes.prefix(headLength)))
    }

    /// For a repository that cannot tell file kinds apart (test fakes): every blob is a file.
    public func entryKind(_ path: String, at commit: String) throws(GitError) -> RepoEntryKind {
        try readFile(path, at: commit) == nil ? .missing : .file
    }

    /// For a repository that cannot tell file kinds apart (test fakes): every blob is a file.
    public func listEntries(under directory: String, at commit: String) throws(GitError) -> [(path: String, kind: RepoEntryKind)] {
        try listFiles(under: directory, at: commit).map { ($0, .file) }
    }
}

/// How to authenticate to a remote. The token and header values are secrets: they never appear in
/// `description`, in `GitError` messages or in logs.
public struct GitCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Password or access token for HTTP basic authentication; nil to attempt the remote without one.
    public var token: String?
    /// User name sent with `token` (GitHub accepts any non-empty name with a token).
    public var user: String
    /// Extra HTTP headers (`Name: value`) sent with every request, e.g. from `http.extraheader`.
    public var extraHeaders: [String]

    public init(token: String? = nil, user: String = "x-access-token", extraHeaders: [String] = []) {
        self.token = token
        self.user = user
        self.extraHeaders = extraHeaders
    }

    /// No token, no headers: enough for local and anonymous remotes.
    public static let none = GitCredentials()

    public var description: String {
        "GitCredentials(user: \(user), token: \(token == nil ? "none" : "***"), extraHeaders: \(redactedHeaders))"
    }

    public var debugDescription: String { description }

    /// `dump()` and debuggers see the same redacted view.
    public var customMirror: Mirror {
        Mirror(self, children: ["user": user, "token": token == nil ? "none" : "***", "extraHeaders": redactedHeaders])
    }

    /// Header names only (`Authorization: ***`).
    private var redactedHeaders: [String] {
        extraHeaders.map { header in
            guard let colon = header.firstIndex(of: ":") else { return "***" }
            return String(header[..<colon]) + ": ***"
        }
    }
}
