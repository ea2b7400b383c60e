import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Paths inside the repository are checked here and nowhere else (issue 7): post ids, the content and
/// ledger folders of octopost.yaml, `retry`'s id and `lint`'s PATH arguments, and every file octopost
/// reads or writes in the working tree.
///
/// A repository path is relative, uses '/' between its parts, and has no empty, `.` or `..` part and no
/// part git itself refuses to track (`.git` in any case, with trailing dots or spaces, its NTFS short name
/// `git~1` or an NTFS stream suffix, or with the code points HFS+ ignores; git's `verify_path`,
/// `is_ntfs_dotgit` and `is_hfs_dotgit`). On disk, no part of it may be a symbolic link: files are opened
/// one folder at a time from the repository root, never following a link (`RepoDirectory`).
public enum RepoPath {
    /// Why `path` cannot name something inside the repository, or nil when it can. The text completes a
    /// sentence about the path: `'a/.git/b' has a part git refuses to track ('.git')`.
    public static func problem(_ path: String) -> String? {
        if isPlainASCII(path) { return nil }
        if path.isEmpty { return "is empty" }
        if path.utf8.first == UInt8(ascii: "/") { return "must be relative to the repository, not start with '/'" }
        if path.utf8.contains(0) { return "contains a NUL character" }
        if path.utf8.contains(UInt8(ascii: "\\")) { return "contains '\\', which git refuses in paths (use '/')" }
        for part in split(path) {
            if part.isEmpty { return "has an empty path segment ('//' or a '/' at the end)" }
            if part == "." || part == ".." { return "has a '\(part)' path segment" }
            if isGitDirectoryName(part) {
                return part == ".git" ? "has a '.git' part (git's own folder), which git refuses to track"
                    : "has a part '\(part)' that git reads as '.git' (its own folder) and refuses to track"
            }
        }
        return nil
    }

    /// True for the common case the checks below all pass without building strings: ASCII, not starting
    /// with '/', no NUL or '\\', every part non-empty, not `.` or `..`, and not starting with `.g`/`.G`
    /// or `g`/`G` (the only starts of a name git reads as `.git`). Anything else takes the full checks.
    static func isPlainASCII(_ path: String) -> Bool {
        var partLength = 0
        var partStart: (UInt8, UInt8) = (0, 0)
        for byte in path.utf8 {
            if byte >= 0x80 || byte == 0 || byte == UInt8(ascii: "\\") { return false }
            if byte == UInt8(ascii: "/") {
                if !plainPart(partLength, partStart) { return false }
                partLength = 0
                continue
            }
            if partLength == 0 { partStart.0 = byte } else if partLength == 1 { partStart.1 = byte }
            partLength += 1
        }
        return plainPart(partLength, partStart)
    }

    private static func plainPart(_ length: Int, _ start: (UInt8, UInt8)) -> Bool {
        let dot = UInt8(ascii: ".")
        if length == 0 { return false }
        if start.0 == dot && (length == 1 || (length == 2 && start.1 == dot)) { return false }
        let first = start.0 | 0x20, second = start.1 | 0x20
        if first == UInt8(ascii: "g") { return false }
        if start.0 == dot && length >= 2 && second == UInt8(ascii: "g") { return false }
        return true
    }

    /// Whether one path part names git's folder in a spelling git refuses on some file system: `.git`
    /// in any case followed only by dots or spaces (or an NTFS `:stream`), `git~1` likewise, or `.git`
    /// with HFS+'s ignorable code points mixed in.
    public static func isGitDirectoryName(_ part: some StringProtocol) -> Bool {
        // ASCII (nearly every name): no HFS+-ignorable code point, and lower-casing is per byte.
        if part.utf8.allSatisfy({ $0 < 0x80 }) {
            let lower = part.utf8.map { $0 >= 65 && $0 <= 90 ? $0 | 0x20 : $0 }
            for stem in [Array(".git".utf8), Array("git~1".utf8)] where lower.starts(with: stem) {
                let rest = lower.dropFirst(stem.count).drop { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: " ") }
                if rest.isEmpty || rest.first == UInt8(ascii: ":") { return true }
            }
            return false
        }
        let lower = Array(String(part).lowercased().unicodeScalars)
        for stem in [".git", "git~1"] {
            let s = Array(stem.unicodeScalars)
            guard lower.count >= s.count, Array(lower[0..<s.count]) == s else { continue }
            var rest = lower[s.count...]
            while let c = rest.first, c == "." || c == " " { rest = rest.dropFirst() }
            if rest.isEmpty || rest.first == ":" { return true }
        }
        // HFS+ ignores these code points when comparing names (git's next_hfs_char).
        let visible = String(part).unicodeScalars.filter { !hfsIgnorable($0.value) }
        return String(String.UnicodeScalarView(visible)).lowercased() == ".git"
    }

    static func hfsIgnorable(_ v: UInt32) -> Bool {
        (0x200C...0x200F).contains(v) || (0x202A...0x202E).contains(v) || (0x206A...0x206F).contains(v) || v == 0xFEFF
    }

    /// Whether a path part is hidden: it starts with '.' (byte-wise). Hidden files and folders are never
    /// posts, listings of the ledger folder skip them (an interrupted write is `.name.tmp-…`), and no post
    /// id has such a part (`PostID`).
    public static func isHidden(_ part: some StringProtocol) -> Bool { part.utf8.first == UInt8(ascii: ".") }

    /// Whether a part of `path` is empty or hidden (`isHidden`): the one filter for post files and ledger files.
    public static func hasHiddenPart(_ path: String) -> Bool { split(path).contains { $0.isEmpty || isHidden($0) } }

    /// `path` split at every '/' byte, as git splits it (Swift's `split` on characters would not split
    /// at a '/' followed by a combining code point such as U+200C).
    public static func split(_ path: String) -> [String] {
        path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// What a path names in the working tree, looked at without following a symbolic link.
public enum RepoEntryKind: Sendable, Equatable {
    case missing, file, directory, symlink, other
    /// A commit in a git tree (a submodule); never seen on disk as such.
    case submodule
}

/// Why a path in the working tree could not be used.
public struct RepoPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The path itself breaks a rule of `RepoPath.problem`.
        case invalid(String)
        /// `at` (the path or a folder on the way to it) is a symbolic link.
        case symlink(at: String)
        /// `at` is a file (or something else) where a folder is needed.
        case notADirectory(at: String)
        /// A folder on the way does not exist.
        case missing(at: String)
        /// The system refused: what was being done and its error text.
        case system(String)
    }

    public var path: String
    public var reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .invalid(let p): "'\(path)' \(p)"
        case .symlink(let at):
            "\(at) is a symbolic link: octopost never reads or writes through a link in the repository "
                + "(replace it with a real \(at == path ? "file or folder" : "folder"))"
        case .notADirectory(let at): "\(at) is not a folder"
        case .missing(let at): "\(at) does not exist"
        case .system(let m): "\(path): \(m)"
        }
    }
}

/// The working tree, opened one part at a time from its root with `O_NOFOLLOW`, so that no symbolic
/// link anywhere on a path is ever followed and nothing outside the repository is read or written.
public struct RepoDirectory: Sendable {
    /// The repository root (trusted as given: it is the repository the user pointed at).
    public let root: String

    public init(root: String) {
        self.root = root
    }

    /// A file descriptor of the folder `path` ("" for the root), to be closed by the caller. With
    /// `create`, missing folders are made (`mkdirat`). A missing folder without `create` is nil.
    public func openDirectory(_ path: String, create: Bool = false) throws(RepoPathError) -> Int32? {
        var parts: [String] = []
        if !path.isEmpty {
            if let p = RepoPath.problem(path) { throw RepoPathError(path: path, reason: .invalid(p)) }
            parts = RepoPath.split(path)
        }
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0, errno == ENOENT {
            // The root is trusted as given; a missing one is empty, or made when writing.
            guard create, (try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)) != nil
            else { return nil }
            fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        }
        guard fd >= 0 else { throw RepoPathError(path: root, reason: .system("cannot open: \(Self.errorText())")) }
        var walked = ""
        for part in parts {
            walked = walked.isEmpty ? part : walked + "/" + part
            var next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, create {
                if mkdirat(fd, part, 0o755) != 0, errno != EEXIST {
                    let e = RepoPathError(path: path, reason: .system("cannot create folder \(walked): \(Self.errorText())"))
                    close(fd)
                    throw e
                }
                next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let err = errno
                let kind = Self.kind(in: fd, part)
                close(fd)
                if err == ENOENT { return nil }
                switch kind {
                case .symlink: throw RepoPathError(path: path, reason: .symlink(at: walked))
                case .file, .other: throw RepoPathError(path: path, reason: .notADirectory(at: walked))
                default: throw RepoPathError(path: path, reason: .system("cannot open \(walked): \(String(cString: strerror(err)))"))
                }
            }
            close(fd)
            fd = next
        }
        return fd
    }

    /// What `path` is, without following a link at its end or anywhere before it. A link on the way is
    /// reported as `.symlink` too (the path cannot be used either way).
    public func kind(_ path: String) throws(RepoPathError) -> RepoEntryKind {
        guard let (dir, name) = try parent(path) else { return .missing }
        defer { close(dir) }
        return Self.kind(in: dir, name)
    }

    /// Opens the file `path` for reading (`O_NOFOLLOW`, non-blocking so a FIFO never hangs), or nil when
    /// it does not exist. A link at the end or on the way is an error; so is anything but a regular file.
    public func openFile(_ path: String) throws(RepoPathError) -> Int32? {
        guard let (dir, name) = try parent(path) else { return nil }
        defer { close(dir) }
        return try Self.openFile(in: dir, name, path: path)
    }

    /// `openFile` of `name` in the open folder `dir`; `path` (the whole path) names it in errors.
    public static func openFile(in dir: Int32, _ name: String, path: String) throws(RepoPathError) -> Int32? {
        switch Self.kind(in: dir, name) {
        case .missing: return nil
        case .symlink: throw RepoPathError(path: path, reason: .symlink(at: path))
        case .directory: throw RepoPathError(path: path, reason: .system("is a folder, not a file"))
        case .other, .submodule: throw RepoPathError(path: path, reason: .system("is not a regular file"))
        case .file: break
        }
        let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            if errno == ELOOP { throw RepoPathError(path: path, reason: .symlink(at: path)) }
            throw RepoPathError(path: path, reason: .system("cannot open: \(Self.errorText())"))
        }
        // What was opened, not what was looked at a moment before: the name may have been replaced since.
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw RepoPathError(path: path, reason: .system("is not a regular file"))
        }
        return fd
    }

    /// The open folder holding `path` and the last part's name, or nil when a folder on the way is missing.
    public func parent(_ path: String, create: Bool = false) throws(RepoPathError) -> (Int32, String)? {
        if let p = RepoPath.problem(path) { throw RepoPathError(path: path, reason: .invalid(p)) }
        var parts = RepoPath.split(path)
        let name = parts.removeLast()
        let folder = parts.joined(separator: "/")
        do {
            guard let fd = try openDirectory(folder, create: create) else { return nil }
            return (fd, name)
        } catch {
            throw RepoPathError(path: path, reason: error.reason)
        }
    }

    /// The kind of `name` inside the open folder `dir` (`fstatat` without following).
    public static func kind(in dir: Int32, _ name: String) -> RepoEntryKind {
        var st = stat()
        guard fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
