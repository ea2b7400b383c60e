import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a post file could not be read.
public enum FileReadProblem: Error, Sendable, Equatable {
    case missing, directory, unreadable(String), tooLarge(Int)
    /// The file, or the folder `at` on the way to it, is a symbolic link (never followed).
    case symlink(at: String?)
    /// Not a repository path (`RepoPath.problem`).
    case invalidPath(String)
    /// Something at a post path that is not a post file (`PostFiles.problem`).
    case notAPostFile(String)

    public var message: String {
        switch self {
        case .missing: "the file does not exist"
        case .directory: "is a directory, not a post file"
        case .unreadable(let why): "cannot be read: \(why)"
        case .symlink(nil): PostFiles.problem(.symlink)?.message ?? "is a symbolic link"
        case .symlink(let at?): "is inside \(at), a symbolic link: octopost never follows links in the repository"
        case .invalidPath(let p): p
        case .notAPostFile(let m): m
        case .tooLarge(let n):
            "the file is \(n) bytes; a post file may be at most \(FrontMatterSplitter.maxFileSize) bytes"
        }
    }
}

/// Reads post files; the live one reads a directory on disk.
public protocol PostFileReader: Sendable {
    func read(_ repoRelativePath: String) -> Result<[UInt8], FileReadProblem>
}

/// Post files in the working tree, opened from the repository root one folder at a time without
/// following a symbolic link (`RepoDirectory`): what lint reads is a regular file inside the repository,
/// as sync reads it from git (`PostFiles`).
public struct DirectoryPostReader: PostFileReader {
    public let root: String

    public init(root: String) {
        self.root = root
    }

    public func read(_ repoRelativePath: String) -> Result<[UInt8], FileReadProblem> {
        let tree = RepoDirectory(root: root)
        let fd: Int32
        do {
            // One walk from the root to the file's folder (what `kind` and then `openFile` each did).
            guard let (dir, name) = try tree.parent(repoRelativePath) else { return .failure(.missing) }
            defer { close(dir) }
            let kind = RepoDirectory.kind(in: dir, name)
            if kind == .directory { return .failure(.directory) }
            if kind == .symlink { return .failure(.symlink(at: nil)) }
            if kind != .file, let problem = PostFiles.problem(kind) {
                return .failure(kind == .missing ? .missing : .notAPostFile(problem.message))
            }
            let opened = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            if opened < 0 {
                if errno == ENOENT { return .failure(.missing) }
                if errno == ELOOP { return .failure(.symlink(at: nil)) }
                return .failure(.unreadable("cannot open: \(RepoDirectory.errorText())"))
            }
            fd = opened
        } catch {
            switch error.reason {
            case .symlink(let at): return .failure(.symlink(at: at == repoRelativePath ? nil : at))
            case .invalid(let p): return .failure(.invalidPath(p))
            case .missing: return .failure(.missing)
            case .notADirectory(let at): return .failure(.unreadable("\(at) is not a folder"))
            case .system(let m): return .failure(.unreadable(m))
            }
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        // Never read a FIFO, socket or device: reading one could block forever.
        guard (st.st_mode & S_IFMT) == S_IFREG else { return .failure(.unreadable("not a regular file")) }
        let size = Int(st.st_size)
        if size > FrontMatterSplitter.maxFileSize { return .failure(.tooLarge(size)) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, size - done) }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(String(cString: strerror(errno))))
            }
            if n == 0 { break }
            done += n
        }
        if done < size { bytes.removeLast(size - done) }
        return .success(bytes)
    }
}
