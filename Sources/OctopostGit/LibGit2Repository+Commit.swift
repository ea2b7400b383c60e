import CLibGit2
import Foundation
import OctopostKit

// Writing: commits built in memory, compare-and-swap branch updates, fast-forward and reset.
extension LibGit2Repository {
    public func commit(
        changes: [String: [UInt8]?], message: String, authorName: String, authorEmail: String,
        branch: String, parent: String?
    ) throws(GitError) -> String {
        try locked { () throws(GitError) -> String in
            let refName = try validateBranchName(branch)
            removeStaleLocks(refName)
            let writes = try changes.map { (path, bytes) throws(GitError) -> (String, [UInt8]?) in
                (try Self.validatedTreePath(path), bytes)
            }.sorted { $0.0 < $1.0 }

            // The parent, resolved once; its id is the compare-and-swap expectation.
            var parentCommit: OpaquePointer?
            defer { if let parentCommit { git_commit_free(parentCommit) } }
            if let parent { parentCommit = try lookupCommit(parent) }

            // An in-memory index (no file, no repository): parent tree + the writes.
            var indexPointer: OpaquePointer?
            try check(git_index_new(&indexPointer), "cannot create an in-memory index")
            guard let index = indexPointer else { throw .failed("cannot create an in-memory index") }
            defer { git_index_free(index) }
            if let parentCommit {
                var tree: OpaquePointer?
                try check(git_commit_tree(&tree, parentCommit), "cannot read the parent tree")
                defer { git_tree_free(tree) }
                try check(git_index_read_tree(index, tree), "cannot load the parent tree")
            }
            var entries: [(path: String, oid: git_oid, mode: UInt32)?] = []
            for (path, bytes) in writes {
                if let bytes {
                    var blob = git_oid()
                    try check(bytes.withUnsafeBytes { git_blob_create_from_buffer(&blob, handle, $0.baseAddress, $0.count) },
                              "cannot store '\(path)'")
                    // Keep an executable bit the parent had; everything else is a regular file.
                    let previous = git_index_get_bypath(index, path, 0)?.pointee.mode
                    let mode = previous == GIT_FILEMODE_BLOB_EXECUTABLE.rawValue
                        ? GIT_FILEMODE_BLOB_EXECUTABLE.rawValue : GIT_FILEMODE_BLOB.rawValue
                    try Self.addEntry(index, path: path, oid: blob, mode: mode, size: bytes.count)
                    entries.append((path, blob, mode))
                } else {
                    _ = git_index_remove(index, path, 0)  // absent already: nothing to delete
                    entries.append(nil)
                }
            }
            var treeOid = git_oid()
            try check(git_index_write_tree_to(&treeOid, index, handle), "cannot write the new tree")
            var tree: OpaquePointer?
            try check(git_tree_lookup(&tree, handle, &treeOid), "cannot read the new tree")
            defer { git_tree_free(tree) }

            var signature: UnsafeMutablePointer<git_signature>?
            try check(git_signature_now(&signature, authorName, authorEmail), "invalid author '\(authorName) <\(authorEmail)>'")
            defer { git_signature_free(signature) }

            var commitOid = git_oid()
            var parents: [OpaquePointer?] = parentCommit.map { [$0] } ?? []
            let rc = parents.withUnsafeMutableBufferPointer { buffer in
                octopost_git_commit_create(&commitOid, handle, nil, signature, signature, message, tree,
                                           buffer.count, buffer.baseAddress)
            }
            try check(rc, "cannot create the commit")

            try moveBranch(refName, to: commitOid, expecting: parentCommit.map { git_commit_id($0).pointee },
                           logMessage: "commit: \(message.prefix { $0 != "\n" })")

            // The checked-out branch: keep the index in step for the touched paths only.
            if isCheckedOut(branch) {
                try updateRepositoryIndex(writes.map(\.0), entries: entries)
            }
            return Self.hex(&commitOid)
        }
    }

    public func fastForward(branch: String, to commit: String) throws(GitError) {
        try locked { () throws(GitError) in
            let refName = try validateBranchName(branch)
            removeStaleLocks(refName)
            var target = try commitOid(commit)
            var current = try branchTip(refName)
            guard var currentOid = current else {
                throw .failed("branch '\(branch)' does not exist")
            }
            if git_oid_equal(&currentOid, &target) == 1 { return }
            let descends = git_graph_descendant_of(handle, &target, &currentOid)
            try check(descends, "cannot compare \(commit) with '\(branch)'")
            guard descends == 1 else {
                throw .nonFastForward("'\(branch)' is not an ancestor of \(Self.hex(&target))")
            }
            try checkoutIfCheckedOut(branch, target: target)
            #if DEBUG
            Self.midwayPause?("a fast-forward")
            #endif
            current = currentOid
            try moveBranch(refName, to: target, expecting: current, logMessage: "fast-forward")
        }
    }

    public func resetBranch(_ branch: String, to commit: String) throws(GitError) {
        try locked { () throws(GitError) in
            let refName = try validateBranchName(branch)
            removeStaleLocks(refName)
            let target = try commitOid(commit)
            let current = try branchTip(refName)
            try checkoutIfCheckedOut(branch, target: target)
            #if DEBUG
            Self.midwayPause?("a reset")
            #endif
            try moveBranch(refName, to: target, expecting: current, logMessage: "reset: moving to \(Self.hexCopy(target))")
        }
    }

    #if DEBUG
    /// Tests only (debug builds): called between the working tree's checkout and the branch's move in
    /// `fastForward` and `resetBranch`, so an end-to-end test can stop a run right there.
    nonisolated(unsafe) public static var midwayPause: (@Sendable (String) -> Void)?
    #endif

    // MARK: - Helpers (lock held)

    /// A lock file no git operation holds this long: a run (octopost's, or git's) was killed inside it.
    /// Without this, every later sync would fail on it until a human deleted it.
    static let staleLockAge: TimeInterval = 600

    /// Removes `<ref>.lock` and `index.lock` when they are older than `staleLockAge` (a live operation holds
    /// a lock for milliseconds; a lease is ten minutes).
    func removeStaleLocks(_ refName: String, now: Date = Date()) {
        let fm = FileManager.default
        for path in [gitDirectory + "/" + refName + ".lock", gitDirectory + "/index.lock"] {
            guard let modified = (try? fm.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > Self.staleLockAge else { continue }
            try? fm.removeItem(atPath: path)
        }
    }

    /// The commit `refName` points at, or nil when the ref does not exist.
    private func branchTip(_ refName: String) throws(GitError) -> git_oid? {
        var oid = git_oid()
        let rc = git_reference_name_to_id(&oid, handle, refName)
        if rc == GIT_ENOTFOUND.code { return nil }
        try check(rc, "cannot read \(refName)")
        return oid
    }

    /// Compare-and-swap: `refName` := `target` only if it is still `expected` (nil: must not exist).
    private func moveBranch(_ refName: String, to target: git_oid, expecting expected: git_oid?,
                            logMessage: String) throws(GitError) {
        var target = target
        var reference: OpaquePointer?
        let rc: Int32
        if var expected {
            rc = git_reference_create_matching(&reference, handle, refName, &target, 1, &expected, logMessage)
        } else {
            rc = git_reference_create(&reference, handle, refName, &target, 0, logMessage)
        }
        defer { if let reference { git_reference_free(reference) } }
        // EMODIFIED: moved since; ENOTFOUND: deleted since; EEXISTS: created since.
        if rc == GIT_EMODIFIED.code || rc == GIT_ENOTFOUND.code || rc == GIT_EEXISTS.code {
            throw .failed("branch moved")
        }
        try check(rc, "cannot update \(refName)")
    }

    /// Safe checkout of `target` when `branch` is checked out (HEAD's tree is the baseline, so files
    /// with local modifications conflict instead of being overwritten). Writes the index.
    private func checkoutIfCheckedOut(_ branch: String, target: git_oid) throws(GitError) {
        guard isCheckedOut(branch) else { return }
        var target = target
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &target), "cannot read \(Self.hex(&target))")
        defer { git_commit_free(commit) }
        var options = git_checkout_options()
        try check(git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)), "checkout options")
        options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
        let rc = git_checkout_tree(handle, commit, &options)
        if rc == GIT_ECONFLICT.code {
            throw .failed("local changes to files in the working tree would be overwritten; commit or stash them first")
        }
        try check(rc, "cannot check out \(Self.hex(&target))")
    }

    /// Mirrors in-memory index writes into the repository's index file (stat data left empty, so git
    /// re-hashes those files on the next status and finds them clean once the caller has written them).
    private func updateRepositoryIndex(_ paths: [String], entries: [(path: String, oid: git_oid, mode: UInt32)?])
        throws(GitError)
    {
        var indexPointer: OpaquePointer?
        try check(git_repository_index(&indexPointer, handle), "commit created, but cannot open the index")
        guard let index = indexPointer else { return }
        defer { git_index_free(index) }
        try check(git_index_read(index, 0), "commit created, but cannot read the index")
        for (path, entry) in zip(paths, entries) {
            if let entry {
                try Self.addEntry(index, path: path, oid: entry.oid, mode: entry.mode, size: 0)
            } else {
                _ = git_index_remove(index, path, 0)
            }
        }
        try check(git_index_write(index), "commit created, but cannot write the index")
    }

    private static func addEntry(_ index: OpaquePointer, path: String, oid: git_oid, mode: UInt32, size: Int)
        throws(GitError)
    {
        let rc = path.withCString { cPath in
            var entry = git_index_entry()
            entry.mode = mode
            entry.id = oid
            entry.file_size = UInt32(truncatingIfNeeded: size)
            entry.path = cPath
            return git_index_add(index, &entry)
        }
        try check(rc, "cannot stage '\(path)'")
    }

    /// Repository-relative file path without empty, `.`, `..` or `.git` components.
    static func validatedTreePath(_ path: String) throws(GitError) -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.lowercased() == ".git" }),
              !path.contains("\0")
        else { throw .failed("invalid path '\(path)'") }
        return path
    }

    static func hexCopy(_ oid: git_oid) -> String {
        var oid = oid
        return hex(&oid)
    }
}
