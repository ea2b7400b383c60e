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
    /// Every file (blob) path under `directory` in a commit's tree, recursively.
    func listFiles(under directory: String, at commit: String) throws(GitError) -> [String]
    /// Changes from a commit's tree to the working tree (staged, unstaged and untracked files; renames found).
    func changesToWorkTree(from commit: String) throws(GitError) -> [FileChange]
}
