import CLibGit2
import Foundation
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
            guard var oid = try blobID(path, at: commit) else { return nil }
            var blob: OpaquePointer?
            try check(git_blob_lookup(&blob, handle, &oid), "cannot read '\(path)' in \(commit)")
            guard let blob else { return nil }
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
            return Array(UnsafeRawBufferPointer(start: raw, count: size))
        }
    }

    /// The size from the object's header (`git_odb_read_header` inflates only the header of a loose
    /// object and reads only the entry header, or a delta's header, in a pack); the first bytes from a
    /// stream of a loose object or an inflate of the start of a packed one. Only a blob stored as a
    /// delta (or in an alternate object store) is read whole, as libgit2 offers nothing smaller.
    public func fileHead(_ path: String, at commit: String, headLength: Int) throws(GitError) -> FileHead? {
        try locked { () throws(GitError) -> FileHead? in
            guard var oid = try blobID(path, at: commit) else { return nil }
            var odb: OpaquePointer?
            try check(git_repository_odb(&odb, handle), "cannot open the object database")
            guard let odb else { throw .failed("cannot open the object database") }
            defer { git_odb_free(odb) }
            var size = 0
            var type = GIT_OBJECT_INVALID
            try check(git_odb_read_header(&size, &type, odb, &oid), "cannot read '\(path)' in \(commit)")
            let wanted = min(max(headLength, 0), size)
            if wanted == 0 { return FileHead(size: size, head: []) }
            if let head = streamedHead(odb, &oid, length: wanted) ?? packedHead(oid, length: wanted) {
                return FileHead(size: size, head: head)
            }
            var object: OpaquePointer?
            try check(git_odb_read(&object, odb, &oid), "cannot read '\(path)' in \(commit)")
            guard let object else { throw .failed("cannot read '\(path)' in \(commit)") }
            defer { git_odb_object_free(object) }
            let count = min(wanted, git_odb_object_size(object))
            guard count > 0, let raw = git_odb_object_data(object) else { return FileHead(size: size, head: []) }
            return FileHead(size: size, head: Array(UnsafeRawBufferPointer(start: raw, count: count)))
        }
    }

    /// The blob id at `path` in a commit's tree; nil when there is no such path. Call with the lock held.
    private func blobID(_ path: String, at commit: String) throws(GitError) -> git_oid? {
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
        return git_tree_entry_id(entry).pointee
    }

    /// A loose object's first bytes through libgit2's read stream (it inflates as it goes); nil when no
    /// backend streams the object (libgit2 1.5 streams loose objects only).
    private func streamedHead(_ odb: OpaquePointer, _ oid: inout git_oid, length: Int) -> [UInt8]? {
        var stream: UnsafeMutablePointer<git_odb_stream>?
        var size = 0
        var type = GIT_OBJECT_INVALID
        guard git_odb_open_rstream(&stream, &size, &type, odb, &oid) == 0, let stream else {
            git_error_clear()
            return nil
        }
        defer { git_odb_stream_free(stream) }
        var head = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let n = head.withUnsafeMutableBytes { buffer in
                git_odb_stream_read(stream, buffer.baseAddress!.assumingMemoryBound(to: CChar.self) + filled, length - filled)
            }
            if n < 0 { git_error_clear(); return nil }
            if n == 0 { break }
            filled += Int(n)
        }
        return Array(head.prefix(filled))
    }

    /// A packed blob's first bytes, found through the pack indexes (version 2) of this repository's
    /// object store and inflated from the start of its entry; nil when it is not there or is a delta.
    private func packedHead(_ oid: git_oid, length: Int) -> [UInt8]? {
        let packDirectory = String(cString: git_repository_commondir(handle)) + "objects/pack"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: packDirectory) else { return nil }
        let id = withUnsafeBytes(of: oid.id) { Array($0.prefix(20)) }
        for name in names.sorted() where name.hasPrefix("pack-") && name.hasSuffix(".idx") {
            let base = packDirectory + "/" + String(name.dropLast(4))
            guard let offset = PackIndex.offset(of: id, indexPath: base + ".idx") else { continue }
            let fd = Glibc.open(base + ".pack", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var head = [UInt8](repeating: 0, count: length)
            let n = head.withUnsafeMutableBufferPointer { octopost_pack_blob_head(fd, off_t(offset), $0.baseAddress, length) }
            return n >= 0 ? Array(head.prefix(n)) : nil
        }
        return nil
    }

    public func entryKind(_ path: String, at commit: String) throws(GitError) -> RepoEntryKind {
        try locked { () throws(GitError) -> RepoEntryKind in
            let tree = try lookupTree(ofCommit: commit)
            defer { git_tree_free(tree) }
            let parts = Self.normalizedPath(path).split(separator: "/")
            if parts.isEmpty { return .directory }
            // Part by part, so that a link on the way (where git_tree_entry_bypath finds nothing) is named.
            var walked = ""
            for (n, part) in parts.enumerated() {
                walked = walked.isEmpty ? String(part) : walked + "/" + part
                var entry: OpaquePointer?
                let rc = git_tree_entry_bypath(&entry, tree, walked)
                if rc == GIT_ENOTFOUND.code { return .missing }
                try check(rc, "cannot look up '\(path)' in \(commit)")
                guard let entry else { return .missing }
                defer { git_tree_entry_free(entry) }
                let kind: RepoEntryKind = switch git_tree_entry_type(entry) {
                case GIT_OBJECT_TREE: .directory
                case GIT_OBJECT_COMMIT: .submodule
                case GIT_OBJECT_BLOB: git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK ? .symlink : .file
                default: .other
                }
                if n == parts.count - 1 || kind == .symlink { return kind }
                if kind != .directory { return .missing }
            }
            return .missing
        }
    }

    public func listFiles(under directory: String, at commit: String) throws(GitError) -> [String] {
        try listEntries(under: directory, at: commit).filter { $0.kind != .submodule }.map(\.path)
    }

    public func listEntries(under directory: String, at commit: String) throws(GitError) -> [(path: String, kind: RepoEntryKind)] {
        try listTree(under: directory, at: commit).map { ($0.path, $0.kind) }
    }

    public func listTree(under directory: String, at commit: String) throws(GitError) -> [RepoTreeEntry] {
        try locked { () throws(GitError) -> [RepoTreeEntry] in
            let root = try lookupTree(ofCommit: commit)
            defer { git_tree_free(root) }
            let prefix = Self.normalizedPath(directory)
            var entries: [RepoTreeEntry] = []
            if prefix.isEmpty {
                try collectEntries(in: root, prefix: "", into: &entries)
                return entries
            }
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
            try collectEntries(in: subtree, prefix: prefix + "/", into: &entries)
            return entries
        }
    }

    /// Reads the blob by the id `listTree` gave: no path lookup from the commit's root (which parses
    /// every tree on the way, each time: quadratic over a folder of many files).
    public func readBlob(_ entry: RepoTreeEntry, at commit: String) throws(GitError) -> [UInt8]? {
        guard let id = entry.blobID else { return try readFile(entry.path, at: commit) }
        return try locked { () throws(GitError) -> [UInt8]? in
            var oid = git_oid()
            guard git_oid_fromstr(&oid, id) == 0 else {
                git_error_clear()
                throw .failed("cannot read '\(entry.path)' in \(commit): bad object id")
            }
            var blob: OpaquePointer?
            let rc = git_blob_lookup(&blob, handle, &oid)
            if rc == GIT_ENOTFOUND.code { return nil }
            try check(rc, "cannot read '\(entry.path)' in \(commit)")
            guard let blob else { return nil }
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
            return Array(UnsafeRawBufferPointer(start: raw, count: size))
        }
    }

    /// Entries in `tree` but folders, depth first, in tree order, with their kind from the entry's mode.
    private func collectEntries(in tree: OpaquePointer, prefix: String, into entries: inout [RepoTreeEntry]) throws(GitError) {
        for index in 0..<git_tree_entrycount(tree) {
            guard let entry = git_tree_entry_byindex(tree, index) else { continue }
            let path = prefix + String(cString: git_tree_entry_name(entry))
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_BLOB:
                entries.append(RepoTreeEntry(path: path, kind: git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK ? .symlink : .file,
                                             blobID: Self.hex(git_tree_entry_id(entry))))
            case GIT_OBJECT_TREE:
                var subtree: OpaquePointer?
                try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "cannot read '\(path)'")
                guard let subtree else { continue }
                defer { git_tree_free(subtree) }
                try collectEntries(in: subtree, prefix: path + "/", into: &entries)
            case GIT_OBJECT_COMMIT:
                entries.append(RepoTreeEntry(path: path, kind: .submodule))
            default:
                continue
            }
        }
    }

    /// `./a//b/` → `a/b`; `.` and `` → ``.
    static func normalizedPath(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}

/// Looks an object up in a pack index file (format version 2: header, fan-out table, sorted ids, CRCs,
/// 32-bit offsets, 64-bit offsets) with a handful of positioned reads.
enum PackIndex {
    static func offset(of id: [UInt8], indexPath: String) -> UInt64? {
        guard id.count == 20 else { return nil }
        let fd = open(indexPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        func read(_ count: Int, at offset: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
            return n == count ? bytes : nil
        }
        func uint32(_ b: [UInt8], _ at: Int = 0) -> UInt32 {
            UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
        }
        guard let header = read(8, at: 0), header == [0xFF, 0x74, 0x4F, 0x63, 0, 0, 0, 2] else { return nil }
        guard let fanout = read(1024, at: 8) else { return nil }
        let total = Int(uint32(fanout, 255 * 4))
        let first = Int(id[0])
        var low = first == 0 ? 0 : Int(uint32(fanout, (first - 1) * 4))
        var high = Int(uint32(fanout, first * 4))
        guard low <= high, high <= total else { return nil }
        let names = 1032
        while low < high {
            let middle = (low + high) / 2
            guard let name = read(20, at: names + middle * 20) else { return nil }
            if name == id {
                let offsets = names + total * 24
                guard let small = read(4, at: offsets + middle * 4) else { return nil }
                let value = uint32(small)
                if value & 0x8000_0000 == 0 { return UInt64(value) }
                let large = offsets + total * 4 + Int(value & 0x7FFF_FFFF) * 8
                guard let big = read(8, at: large) else { return nil }
                return UInt64(uint32(big)) << 32 | UInt64(uint32(big, 4))
            }
            if name.lexicographicallyPrecedes(id) { low = middle + 1 } else { high = middle }
        }
        return nil
    }
}
