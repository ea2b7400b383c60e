import CLibGit2
import Foundation
import OctopostKit

/// `GitRepository` over libgit2 (1.5). One instance owns one `git_repository` handle.
///
/// libgit2 objects are not thread-safe per repository, so every call that touches the handle (or
/// anything loaded from it) runs under `lock`; that is what makes the `@unchecked Sendable` honest.
/// The lock is recursive so that public methods can call each other.
public final class LibGit2Repository: GitRepository, @unchecked Sendable {
    let handle: OpaquePointer
    private let lock = NSRecursiveLock()
    public let workTree: String
    /// Path of the `.git` directory (or of the repository itself when bare).
    public let gitDirectory: String
    public let isBare: Bool

    /// `git_libgit2_init` exactly once per process (a global `let` initialiser is atomic); never shut down.
    private static let libraryInitialized: Bool = git_libgit2_init() >= 0

    private init(handle: OpaquePointer) {
        self.handle = handle
        self.isBare = git_repository_is_bare(handle) == 1
        self.gitDirectory = Self.trimmingSlash(String(cString: git_repository_path(handle)))
        if let workdir = git_repository_workdir(handle) {
            self.workTree = Self.trimmingSlash(String(cString: workdir))
        } else {
            self.workTree = gitDirectory
        }
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the repository containing `path` (searching upwards, like `git` itself).
    public static func discover(from path: String) throws(GitError) -> LibGit2Repository {
        try ensureInitialized()
        var buf = git_buf()
        defer { git_buf_dispose(&buf) }
        let rc = git_repository_discover(&buf, path, 0, nil)
        if rc == GIT_ENOTFOUND.code { throw .notARepository(path) }
        try check(rc, "cannot search for a repository from \(path)")
        return try open(at: String(cString: buf.ptr))
    }

    /// Opens the repository at exactly `path` (a working tree root, a `.git` directory or a bare repository).
    public static func open(at path: String) throws(GitError) -> LibGit2Repository {
        try ensureInitialized()
        var handle: OpaquePointer?
        let rc = git_repository_open_ext(&handle, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        if rc == GIT_ENOTFOUND.code { throw .notARepository(path) }
        try check(rc, "cannot open repository at \(path)")
        guard let handle else { throw .notARepository(path) }
        return LibGit2Repository(handle: handle)
    }

    private static func ensureInitialized() throws(GitError) {
        guard libraryInitialized else { throw .failed("libgit2 failed to initialise") }
    }

    private static func trimmingSlash(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// Runs `body` holding the repository lock.
    func locked<T>(_ body: () throws(GitError) -> T) throws(GitError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Non-throwing variant for the `Bool`/optional queries.
    func lockedValue<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

// MARK: - Small helpers shared by the extensions (call them with the lock held)

extension LibGit2Repository {
    static func hex(_ oid: UnsafePointer<git_oid>) -> String {
        String(cString: git_oid_tostr_s(oid))
    }

    /// Resolves a revision and peels it to a commit object; the caller frees it with `git_commit_free`.
    func lookupCommit(_ revision: String) throws(GitError) -> OpaquePointer {
        var object: OpaquePointer?
        let rc = git_revparse_single(&object, handle, revision)
        guard rc == 0, let object else {
            if rc == GIT_ENOTFOUND.code || rc == GIT_EAMBIGUOUS.code || rc == GIT_EINVALIDSPEC.code {
                throw .unknownRef(revision)
            }
            throw .failed("cannot resolve '\(revision)': \(lastErrorMessage(rc))")
        }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else {
            throw .unknownRef(revision)
        }
        return commit
    }

    func commitOid(_ revision: String) throws(GitError) -> git_oid {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        return git_commit_id(commit).pointee
    }

    /// The commit's root tree; the caller frees it with `git_tree_free`.
    func lookupTree(ofCommit revision: String) throws(GitError) -> OpaquePointer {
        let commit = try lookupCommit(revision)
        defer { git_commit_free(commit) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commit), "cannot read the tree of \(revision)")
        guard let tree else { throw .failed("cannot read the tree of \(revision)") }
        return tree
    }

    /// The full name HEAD points at symbolically (`refs/heads/main`), born or not; nil when detached.
    func headTargetName() -> String? {
        var head: OpaquePointer?
        guard git_reference_lookup(&head, handle, "HEAD") == 0, let head else { return nil }
        defer { git_reference_free(head) }
        guard git_reference_type(head) == GIT_REFERENCE_SYMBOLIC, let target = git_reference_symbolic_target(head)
        else { return nil }
        return String(cString: target)
    }

    /// Whether `refs/heads/<branch>` is the branch checked out in this (non-bare) working tree.
    func isCheckedOut(_ branch: String) -> Bool {
        !isBare && headTargetName() == "refs/heads/\(branch)"
    }

    func validateBranchName(_ branch: String) throws(GitError) -> String {
        let name = "refs/heads/\(branch)"
        var valid: Int32 = 0
        guard !branch.isEmpty, git_reference_name_is_valid(&valid, name) == 0, valid == 1 else {
            throw .failed("invalid branch name '\(branch)'")
        }
        return name
    }
}
