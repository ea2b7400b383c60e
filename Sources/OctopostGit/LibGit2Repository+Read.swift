import CLibGit2
import OctopostKit

// The read side: refs, commits, trees and blobs.
extension LibGit2Repository {
    public func currentBranch() throws(GitError) -> String? {
        try locked { () throws(GitError) -> String? in
            if git_repository_head_detached(handle) == 1 { return nil }
            var head: OpaquePointer?
            let rc = git_repository_head(&head, handle)
            if rc == GIT_EUNBORNBRANCH.code || rc == GIT_ENOTFOUND.code { return nil }
            try check(rc, "cannot read HEAD")
            guard let head else { return nil }
            defer { git_reference_free(head) }
            guard git_reference_is_branch(head) == 1 else { return nil }
            return String(cString: git_reference_shorthand(head))
        }
    }

    public func headCommit() throws(GitError) -> String? {
        try locked { () throws(GitError) -> String? in
            var head: OpaquePointer?
            let rc = git_repository_head(&head, handle)
            if rc == GIT_EUNBORNBRANCH.code || rc == GIT_ENOTFOUND.code { return nil }
            try check(rc, "cannot read HEAD")
            guard let head else { return nil }
            defer { git_reference_free(head) }
            var commit: OpaquePointer?
            try check(git_reference_peel(&commit, head, GIT_OBJECT_COMMIT), "HEAD is not a commit")
            guard let commit else { return nil }
            defer { git_object_free(commit) }
            return Self.hex(git_object_id(commit))
        }
    }

    public func resolveCommit(_ revision: String) throws(GitError) -> String {
        try locked { () throws(GitError) -> String in
            var oid = try commitOid(revision)
            return Self.hex(&oid)
        }
    }

    public func mergeBase(_ a: String, _ b: String) throws(GitError) -> String {
        try locked { () throws(GitError) -> String in
            var one = try commitOid(a)
            var two = try commitOid(b)
            var base = git_oid()
            let rc = git_merge_base(&base, handle, &one, &two)
            if rc == GIT_ENOTFOUND.code { throw .failed("'\(a)' and '\(b)' have no common ancestor") }
            try check(rc, "cannot compute the merge base of '\(a)' and '\(b)'")
            return Self.hex(&base)
        }
    }

    public func readFile(_ path: String, at commit: String) throws(GitError) -> [UInt8]? {
        try locked { () throws(GitError) -> [UInt8]? in
            let tree = try lookupTree(ofCommit: commit)
            defer { git_tree_free(tree) }
            var entry: OpaquePointer?
            let rc = git_tree_entry_bypath(&entry, tree, Self.normalizedPath(path))
            if rc == GIT_ENOTFOUND.code { return nil }
            try check(rc, "cannot look up '\(path)' in \(commit)")
            guard let entry else { return nil }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_BLOB else {
                throw .failed("'\(path)' is a directory (or submodule) in \(commit), not a file")
            }
            var blob: OpaquePointer?
            try check(git_blob_lookup(&blob, handle, git_tree_entry_id(entry)), "cannot read '\(path)' in \(commit)")
            guard let blob else { return nil }
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
            return Array(UnsafeRawBufferPointer(start: raw, count: size))
        }
    }

    public func listFiles(under directory: String, at commit: String) throws(GitError) -> [String] {
        try locked { () throws(GitError) -> [String] in
            let root = try lookupTree(ofCommit: commit)
            defer { git_tree_free(root) }
            let prefix = Self.normalizedPath(directory)
            if prefix.isEmpty { return try collectBlobs(in: root, prefix: "") }
            var entry: OpaquePointer?
            let rc = git_tree_entry_bypath(&entry, root, prefix)
            if rc == GIT_ENOTFOUND.code { return [] }
            try check(rc, "cannot look up '\(directory)' in \(commit)")
            guard let entry else { return [] }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
            var subtree: OpaquePointer?
            try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "cannot read '\(directory)'")
            guard let subtree else { return [] }
            defer { git_tree_free(subtree) }
            return try collectBlobs(in: subtree, prefix: prefix + "/")
        }
    }

    public func listEntries(under directory: String, at commit: String) throws(GitError) -> [(path: String, kind: RepoEntryKind)] {
        try locked { () throws(GitError) -> [(path: String, kind: RepoEntryKind)] in
            let root = try lookupTree(ofCommit: commit)
            defer { git_tree_free(root) }
            let prefix = Self.normalizedPath(directory)
            if prefix.isEmpty { return try collectEntries(in: root, prefix: "") }
            var entry: OpaquePointer?
            let rc = git_tree_entry_bypath(&entry, root, prefix)
            if rc == GIT_ENOTFOUND.code { return [] }
            try check(rc, "cannot look up '\(directory)' in \(commit)")
            guard let entry else { return [] }
            defer { git_tree_entry_free(entry) }
            guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else { return [] }
            var subtree: OpaquePointer?
            try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "cannot read '\(directory)'")
            guard let subtree else { return [] }
            defer { git_tree_free(subtree) }
            return try collectEntries(in: subtree, prefix: prefix + "/")
        }
    }

    /// Blob paths in `tree`, depth first, in tree order (sorted by name). Submodules are skipped.
    private func collectBlobs(in tree: OpaquePointer, prefix: String) throws(GitError) -> [String] {
        try collectEntries(in: tree, prefix: prefix).filter { $0.kind != .submodule }.map(\.path)
    }

    /// Entries in `tree` but folders, depth first, in tree order, with their kind from the entry's mode.
    private func collectEntries(in tree: OpaquePointer, prefix: String) throws(GitError) -> [(path: String, kind: RepoEntryKind)] {
        var entries: [(path: String, kind: RepoEntryKind)] = []
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let path = prefix + String(cString: git_tree_entry_name(entry))
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB:
                entries.append((path, git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK ? .symlink : .file))
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "cannot read '\(path)'")
                guard let subtree else { continue }
                defer { git_tree_free(subtree) }
                entries += try collectEntries(in: subtree, prefix: path + "/")
            case GIT_OBJECT_COMMIT:
                entries.append((path, .submodule))
            default:
                continue
            }
        }
        return entries
    }

    /// `./a//b/` → `a/b`; `.` and `` → ``.
    static func normalizedPath(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
