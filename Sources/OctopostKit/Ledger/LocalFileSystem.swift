import COctopostSys
import Foundation
#if canImport(Glibc)
import Glibc
private let sysRead = Glibc.read
private let sysWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let sysRead = Darwin.read
private let sysWrite = Darwin.write
#endif

/// The real file system, with relative paths resolved against `root` (the repository's work tree).
///
/// Every write is atomic (temporary file, rename). By default each is also made durable at once
/// (fsync of the file and of its folder). With `deferSync`, writes are renamed into place at once,
/// so a killed process never loses one, and `flush()` makes all of them durable with one `syncfs`:
/// sync writes a result per request and flushes within 100 ms and before every commit, because two
/// fsyncs per write cost more than the requests themselves (~4.6 ms each here, 1,600 per 600 entries).
public struct LocalFileSystem: FileSystem {
    public let root: String
    public let deferSync: Bool

    public init(root: String, deferSync: Bool = false) {
        self.root = root
        self.deferSync = deferSync
    }

    public func flush() throws(FileSystemError) {
        guard deferSync else { return }
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(root, "cannot open") }
        defer { close(fd) }
        guard octopost_syncfs(fd) == 0 else { throw failure(root, "cannot flush to disk") }
    }

    /// Opens files and folders one part at a time from the root, never following a symbolic link, so a
    /// link committed under the ledger folder (or the folder itself being one) cannot send a write
    /// outside the repository (issue 7). Paths are repository paths (`RepoPath`): relative, no `..`.
    var tree: RepoDirectory { RepoDirectory(root: root) }

    public func read(_ path: String) throws(FileSystemError) -> [UInt8]? {
        let opened: Int32?
        do { opened = try tree.openFile(path) } catch { throw Self.refusal(path, error) }
        guard let fd = opened else { return nil }
        return try readAll(fd, path)
    }

    /// The same as `read` of each path, with each folder opened once for a run of paths in it (sorted
    /// paths: once per folder), never more than one folder open at a time.
    public func readMany(_ paths: [String]) -> [Result<[UInt8]?, FileSystemError>] {
        var folder: (path: String, fd: Result<Int32?, RepoPathError>)?
        defer { if case .success(let fd?) = folder?.fd { close(fd) } }
        return paths.map { path -> Result<[UInt8]?, FileSystemError> in
            if let p = RepoPath.problem(path) {
                return .failure(Self.refusal(path, RepoPathError(path: path, reason: .invalid(p))))
            }
            // Split at the last '/' byte, as `RepoPath.split` splits.
            let utf8 = path.utf8
            let slash = utf8.lastIndex(of: UInt8(ascii: "/"))
            let name = slash.map { String(decoding: utf8[utf8.index(after: $0)...], as: UTF8.self) } ?? path
            let parent = slash.map { String(decoding: utf8[..<$0], as: UTF8.self) } ?? ""
            if folder?.path != parent {
                if case .success(let fd?) = folder?.fd { close(fd) }
                folder = (parent, Result { () throws(RepoPathError) in try tree.openDirectory(parent) })
            }
            let dir: Int32
            switch folder!.fd {
            case .failure(let error): return .failure(Self.refusal(path, RepoPathError(path: path, reason: error.reason)))
            case .success(nil): return .success(nil)
            case .success(let fd?): dir = fd
            }
            do {
                guard let fd = try RepoDirectory.openFile(in: dir, name, path: path) else { return .success(nil) }
                return .success(try readAll(fd, path))
            } catch let error as RepoPathError {
                return .failure(Self.refusal(path, error))
            } catch let error as FileSystemError {
                return .failure(error)
            } catch {
                return .failure(FileSystemError(path: path, reason: "\(error)"))
            }
        }
    }

    /// Reads an open file to its end and closes it.
    private func readAll(_ fd: Int32, _ path: String) throws(FileSystemError) -> [UInt8] {
        defer { close(fd) }
        var result: [UInt8] = []
        var st = stat()
        if fstat(fd, &st) == 0, st.st_size > 0 { result.reserveCapacity(Int(st.st_size)) }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { sysRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read")
            }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
        }
        return result
    }

    public func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        let opened: (Int32, String)?
        do { opened = try tree.parent(path, create: true) } catch { throw Self.refusal(path, error) }
        guard let (dir, name) = opened else { throw FileSystemError(path: path, reason: "cannot create its folder") }
        defer { close(dir) }
        switch RepoDirectory.kind(in: dir, name) {
        case .missing, .file: break
        case .symlink: throw Self.refusal(path, RepoPathError(path: path, reason: .symlink(at: path)))
        default: throw FileSystemError(path: path, reason: "is not a regular file")
        }
        // A dot-name that never ends in `.json`, so a crash leaves nothing the ledger would load.
        let temp = ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(dir, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file beside it") }
        var ok = false
        defer {
            if !ok { unlinkat(dir, temp, 0) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { sysWrite(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = failure(path, "cannot write")
                close(fd)
                throw e
            }
            written += n
        }
        if !deferSync, fsync(fd) != 0 {
            let e = failure(path, "cannot flush to disk")
            close(fd)
            throw e
        }
        guard close(fd) == 0 else { throw failure(path, "cannot close") }
        // renameat replaces the name in this folder; it never follows a link at the target.
        guard renameat(dir, temp, dir, name) == 0 else { throw failure(path, "cannot rename the temporary file into place") }
        ok = true
        // Make the rename itself durable.
        if !deferSync { _ = fsync(dir) }
    }

    /// Regular files below the folder. A symbolic link below it is listed too (as a path), so that reading
    /// it fails by name instead of the link being silently ignored; links are never followed.
    public func list(under directory: String) throws(FileSystemError) -> [String] {
        let opened: Int32?
        do { opened = try tree.openDirectory(directory) } catch { throw Self.refusal(directory, error) }
        guard let top = opened else { return [] }
        var result: [String] = []
        func walk(_ fd: Int32, _ prefix: String) throws(FileSystemError) {
            // fdopendir takes the descriptor over (closedir closes it).
            guard let d = fdopendir(fd) else {
                close(fd)
                throw failure(directory, "cannot list \(prefix.isEmpty ? directory : directory + "/" + prefix)")
            }
            defer { closedir(d) }
            let dfd = dirfd(d)
            var children: [(String, RepoEntryKind)] = []
            while let entry = readdir(d) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let kind = RepoDirectory.kind(in: dfd, name)
                if kind == .directory || kind == .file || kind == .symlink { children.append((name, kind)) }
            }
            for (name, kind) in children {
                if kind == .directory {
                    let sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard sub >= 0 else { throw failure(directory, "cannot open \(directory)/\(prefix)\(name)") }
                    try walk(sub, prefix + name + "/")
                } else {
                    result.append(prefix + name)
                }
            }
        }
        try walk(top, "")
        return result.sorted()
    }

    static func refusal(_ path: String, _ error: RepoPathError) -> FileSystemError {
        switch error.reason {
        case .system(let m): FileSystemError(path: path, reason: m)
        default: FileSystemError(path: path, reason: error.description)
        }
    }

    private func failure(_ path: String, _ what: String) -> FileSystemError {
        FileSystemError(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
