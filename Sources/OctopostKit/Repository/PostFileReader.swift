import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why a post file could not be read.
public enum FileReadProblem: Error, Sendable, Equatable {
    case missing, directory, unreadable(String), outsideRepository, tooLarge(Int)

    public var message: String {
        switch self {
        case .missing: "the file does not exist"
        case .directory: "is a directory, not a post file"
        case .unreadable(let why): "cannot be read: \(why)"
        case .outsideRepository: "is a symlink that leads outside the repository"
        case .tooLarge(let n):
            "the file is \(n) bytes; a post file may be at most \(FrontMatterSplitter.maxFileSize) bytes"
        }
    }
}

/// Reads post files; the live one reads a directory on disk.
public protocol PostFileReader: Sendable {
    func read(_ repoRelativePath: String) -> Result<[UInt8], FileReadProblem>
}

public struct DirectoryPostReader: PostFileReader {
    public let root: String
    private let resolvedRoot: String

    public init(root: String) {
        self.root = root
        self.resolvedRoot = DirectoryMediaInspector.realPath(root) ?? root
    }

    public func read(_ repoRelativePath: String) -> Result<[UInt8], FileReadProblem> {
        let full = root + "/" + repoRelativePath
        var st = stat()
        guard lstat(full, &st) == 0 else { return .failure(.missing) }
        var path = full
        if (st.st_mode & S_IFMT) == S_IFLNK {
            guard let resolved = DirectoryMediaInspector.realPath(full) else { return .failure(.missing) }
            guard resolved.hasPrefix(resolvedRoot + "/") else { return .failure(.outsideRepository) }
            path = resolved
            guard stat(path, &st) == 0 else { return .failure(.missing) }
        }
        if (st.st_mode & S_IFMT) == S_IFDIR { return .failure(.directory) }
        // Never open a FIFO, socket or device: reading one could block forever.
        guard (st.st_mode & S_IFMT) == S_IFREG else { return .failure(.unreadable("not a regular file")) }
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
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
