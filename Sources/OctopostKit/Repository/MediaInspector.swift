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
    /// The path (or a symlink on it) leads outside the repository.
    case outsideRepository
    case unreadable
}

/// Looks at media files for the linter; the live one reads the working tree.
public protocol MediaInspector: Sendable {
    func inspect(_ repoRelativePath: String) -> MediaInspection
}

/// Reads media from a directory on disk, refusing anything that resolves outside it. Posts share
/// media files, so each path is inspected once per run.
public struct DirectoryMediaInspector: MediaInspector {
    public let root: String
    private let resolvedRoot: String
    private let cache = InspectionCache()

    public init(root: String) {
        self.root = root
        self.resolvedRoot = Self.realPath(root) ?? root
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

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    public func inspect(_ repoRelativePath: String) -> MediaInspection {
        cache.value(repoRelativePath) { inspectUncached(repoRelativePath) }
    }

    private func inspectUncached(_ repoRelativePath: String) -> MediaInspection {
        let full = root + "/" + repoRelativePath
        var st = stat()
        guard lstat(full, &st) == 0 else { return .missing }
        guard let resolved = Self.realPath(full) else { return .missing }
        guard resolved == resolvedRoot || resolved.hasPrefix(resolvedRoot + "/") else { return .outsideRepository }
        guard stat(resolved, &st) == 0 else { return .missing }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return .notAFile }
        let fd = open(resolved, O_RDONLY)
        guard fd >= 0 else { return .unreadable }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 32)
        let n = head.withUnsafeMutableBytes { read(fd, $0.baseAddress, 32) }
        guard n >= 0 else { return .unreadable }
        return .file(size: Int(st.st_size), head: Array(head.prefix(n)))
    }
}
