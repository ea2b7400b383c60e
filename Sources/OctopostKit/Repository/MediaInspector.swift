import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What octopost can tell about a media file referenced by a post.
public enum MediaInspection: Sendable, Equatable {
    /// A regular file inside the repository: its size and first bytes.
    case file(size: Int, head: [UInt8])
    case missing
    case notAFile
    /// The path, or the folder `at` on the way to it, is a symbolic link: never followed, in the working
    /// tree or in git (a link is committed as its link text, mode 120000).
    case symlink(at: String)
    /// Not a repository path (`RepoPath.problem`); the text completes a sentence about the path.
    case invalidPath(String)
    case unreadable
}

/// Looks at media files for the linter; the live one reads the working tree.
public protocol MediaInspector: Sendable {
    func inspect(_ repoRelativePath: String) -> MediaInspection
}

/// Reads media from the working tree, opened one folder at a time from the repository root without
/// following a symbolic link (`RepoDirectory`), as every file octopost reads there. Posts share media
/// files, so each path is inspected once per run.
public struct DirectoryMediaInspector: MediaInspector {
    /// The repository root.
    public let root: String
    /// Bytes `MediaKind.sniff` looks at.
    public static let headLength = 32
    private let cache = InspectionCache()

    public init(root: String) {
        self.root = root
    }

    final class InspectionCache: @unchecked Sendable {
        private let lock = NSLock()
        private var entries: [String: MediaInspection] = [:]
        func value(_ path: String, _ make: () -> MediaInspection) -> MediaInspection {
            if let hit = lock.withLock({ entries[path] }) { return hit }
            let made = make()
            lock.withLock { entries[path] = made }
            return made
        }
    }

    public func inspect(_ repoRelativePath: String) -> MediaInspection {
        cache.value(repoRelativePath) { inspectUncached(repoRelativePath) }
    }

    private func inspectUncached(_ path: String) -> MediaInspection {
        let tree = RepoDirectory(root: root)
        let fd: Int32
        do {
            switch try tree.kind(path) {
            case .missing: return .missing
            case .symlink: return .symlink(at: path)
            case .file: break
            case .directory, .other, .submodule: return .notAFile
            }
            // openFile checks again what it opened (the name may have changed since): a regular file.
            guard let opened = try tree.openFile(path) else { return .missing }
            fd = opened
        } catch {
            switch error.reason {
            case .symlink(let at): return .symlink(at: at)
            case .invalid(let problem): return .invalidPath(problem)
            case .missing, .notADirectory: return .missing
            case .system: return .unreadable
            }
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .unreadable }
        var head = [UInt8](repeating: 0, count: Self.headLength)
        var filled = 0
        while filled < head.count {
            let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { return .unreadable }
            if n == 0 { break }
            filled += n
        }
        return .file(size: Int(st.st_size), head: Array(head.prefix(filled)))
    }
}
