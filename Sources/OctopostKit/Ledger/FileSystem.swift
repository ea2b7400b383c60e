import Foundation

/// Why a file operation failed, with the path it was about.
public struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// The few file operations the ledger needs. Paths use '/' separators; relative paths are resolved by the
/// implementation (the live one against its root).
public protocol FileSystem: Sendable {
    /// A file's bytes, or nil when there is no such file.
    func read(_ path: String) throws(FileSystemError) -> [UInt8]?
    /// Replaces a file so that a reader sees the old bytes or the new ones, never a mix: a temporary file
    /// in the same directory, written and flushed to disk, then renamed over the target. Creates missing
    /// parent directories.
    func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileSystemError)
    /// Every regular file under `directory`, recursively, as paths relative to it, sorted. A missing
    /// directory lists as empty.
    func list(under directory: String) throws(FileSystemError) -> [String]
    /// Makes every write so far durable, when writes defer that (see `LocalFileSystem.deferSync`).
    func flush() throws(FileSystemError)
    /// `read` of each path, in order (see the default below).
    func readMany(_ paths: [String]) -> [Result<[UInt8]?, FileSystemError>]
}

extension FileSystem {
    public func flush() throws(FileSystemError) {}

    /// `read` of each path, in order. The live file system opens each folder once for the paths in it
    /// (sync reads one ledger file per post: 100,000 walks from the root otherwise).
    public func readMany(_ paths: [String]) -> [Result<[UInt8]?, FileSystemError>] {
        paths.map { path in Result { () throws(FileSystemError) in try read(path) } }
    }
}

/// A file system in memory, for tests and dry runs.
public final class InMemoryFileSystem: FileSystem, @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: [UInt8]]

    public init(files: [String: [UInt8]] = [:]) {
        self.files = files.reduce(into: [:]) { $0[Self.normalize($1.key)] = $1.value }
    }

    /// Every file's bytes by path.
    public var snapshot: [String: [UInt8]] { lock.withLock { files } }

    public func read(_ path: String) throws(FileSystemError) -> [UInt8]? {
        lock.withLock { files[Self.normalize(path)] }
    }

    public func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        let p = Self.normalize(path)
        guard !p.isEmpty, !p.hasSuffix("/") else { throw FileSystemError(path: path, reason: "not a file path") }
        lock.withLock { files[p] = bytes }
    }

    public func list(under directory: String) throws(FileSystemError) -> [String] {
        let dir = Self.normalize(directory)
        let prefix = dir.isEmpty ? "" : dir + "/"
        return lock.withLock { files.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } }
            .sorted()
    }

    static func normalize(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}
