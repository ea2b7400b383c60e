import Foundation

/// Updates a signal must not cut in half: the working tree, the index and a branch moving together
/// (fast-forward, taking a commit back) and a commit with the files it writes. Killed in the middle of
/// one, a run would leave the working tree at one commit and HEAD at another, or `index.lock` behind.
///
/// The CLI's signal handler asks for its exit with `whenIdle`: at once when no update is under way
/// (a network wait, reading posts: nothing is lost), otherwise the moment the last one ends. Network
/// waits and parsing are never held.
public final class UpdateHold: @unchecked Sendable {
    private let lock = NSLock()
    private var depth = 0
    private var deferred: (@Sendable () -> Void)?

    public init() {}

    /// Whether an update is under way.
    public var isHeld: Bool { lock.withLock { depth > 0 } }

    /// Runs `body` as one update: an action asked for meanwhile waits until it (and every other update
    /// under way, on any thread) has ended. Sections nest.
    public func during<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.withLock { depth += 1 }
        defer { release() }
        return try body()
    }

    /// Runs `action` now when no update is under way, otherwise as the last one ends. It runs with the
    /// hold's lock taken, so no update can start until it returns (meant for `exit`). Asked again while
    /// one waits, the first one stands.
    public func whenIdle(_ action: @escaping @Sendable () -> Void) {
        lock.lock()
        defer { lock.unlock() }
        if depth == 0 {
            action()
        } else if deferred == nil {
            deferred = action
        }
    }

    private func release() {
        lock.lock()
        defer { lock.unlock() }
        depth -= 1
        if depth == 0, let action = deferred {
            deferred = nil
            action()
        }
    }
}
