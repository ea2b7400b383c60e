import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One sync at a time per working tree: an exclusive `flock` on `octopost-sync.pid` in the working tree's
/// git folder (not `*.lock`, which git and octopost treat as removable leftovers),
/// holding the owner's pid for the message. The kernel drops the lock when its process ends, however it
/// ends (a crash, SIGKILL), so a stale file never blocks the next run; the file itself is never deleted
/// (deleting a lock file lets two runs lock two different files).
public final class WorkTreeLock: @unchecked Sendable {
    /// The lock file's name inside the git folder.
    public static let fileName = "octopost-sync.pid"

    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Another process holds it; its pid when the file says.
        case held(pid: Int32?)
        case io(path: String, detail: String)

        public var description: String {
            switch self {
            case .held(let pid):
                "another octopost sync is running in this working tree" + (pid.map { " (pid \($0))" } ?? "")
                    + "; wait for it to finish"
            case .io(let path, let detail): "\(path): cannot take the sync lock: \(detail)"
            }
        }
    }

    private let lock = NSLock()
    private var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { release() }

    /// Takes the lock of the working tree whose git folder is `gitDirectory`, or throws at once when
    /// another process holds it (never waits).
    public static func acquire(gitDirectory: String, pid: Int32 = getpid()) throws(Failure) -> WorkTreeLock {
        let path = gitDirectory + "/" + fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw .io(path: path, detail: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            defer { close(fd) }
            guard code == EWOULDBLOCK else { throw .io(path: path, detail: String(cString: strerror(code))) }
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, buffer.count, 0)
            let text = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
            throw .held(pid: Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let text = Array("\(pid)\n".utf8)
        if ftruncate(fd, 0) != 0 || pwrite(fd, text, text.count, 0) != text.count {
            let detail = String(cString: strerror(errno))
            close(fd)
            throw .io(path: path, detail: detail)
        }
        return WorkTreeLock(fd: fd)
    }

    /// Gives the lock back (also done by the kernel when the process ends). Idempotent.
    public func release() {
        lock.withLock {
            guard fd >= 0 else { return }
            _ = ftruncate(fd, 0)
            close(fd)
            fd = -1
        }
    }
}
