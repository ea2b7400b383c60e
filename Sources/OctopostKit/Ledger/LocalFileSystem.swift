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

    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (root.hasSuffix("/") ? root + path : root + "/" + path)
    }

    public func read(_ path: String) throws(FileSystemError) -> [UInt8]? {
        let full = absolute(path)
        let fd = open(full, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure(path, "cannot open")
        }
        defer { close(fd) }
        var result: [UInt8] = []
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
        let full = absolute(path)
        guard let slash = full.lastIndex(of: "/") else { throw FileSystemError(path: path, reason: "not a file path") }
        let dir = String(full[..<slash])
        let name = String(full[full.index(after: slash)...])
        guard !name.isEmpty else { throw FileSystemError(path: path, reason: "not a file path") }
        try makeDirectories(dir, for: path)
        // A dot-name that never ends in `.json`, so a crash leaves nothing the ledger would load.
        let temp = "\(dir)/.\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path, "cannot create a temporary file in \(dir)") }
        var ok = false
        defer {
            if !ok { unlink(temp) }
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
        guard rename(temp, full) == 0 else { throw failure(path, "cannot rename the temporary file into place") }
        ok = true
        // Make the rename itself durable.
        if deferSync { return }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    public func list(under directory: String) throws(FileSystemError) -> [String] {
        let base = absolute(directory)
        var result: [String] = []
        func walk(_ dir: String, _ prefix: String) throws(FileSystemError) {
            guard let d = opendir(dir) else {
                if errno == ENOENT, prefix.isEmpty { return }
                throw failure(directory, "cannot list \(dir)")
            }
            defer { closedir(d) }
            var children: [(String, Bool)] = []
            while let entry = readdir(d) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                var st = stat()
                guard lstat(dir + "/" + name, &st) == 0 else { continue }
                let kind = st.st_mode & S_IFMT
                if kind == S_IFDIR { children.append((name, true)) } else if kind == S_IFREG { children.append((name, false)) }
            }
            for (name, isDir) in children {
                if isDir { try walk(dir + "/" + name, prefix + name + "/") } else { result.append(prefix + name) }
            }
        }
        try walk(base, "")
        return result.sorted()
    }

    private func makeDirectories(_ dir: String, for path: String) throws(FileSystemError) {
        var current = dir.hasPrefix("/") ? "" : "."
        for part in dir.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0, errno != EEXIST {
                throw failure(path, "cannot create directory \(current)")
            }
        }
    }

    private func failure(_ path: String, _ what: String) -> FileSystemError {
        FileSystemError(path: path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
