import Foundation

/// What one emulator keeps between requests: its platform records in creation order, each found by
/// its id, the `SandboxPost` view of the posts among them (`GET /__sandbox/posts`, the `maxPosts` cap),
/// and the sequence that makes its ids unique.
///
/// `reset()` forgets records and posts but not the sequence, so an id given out before a reset is never
/// given out again. An emulator's own extra state (sessions, idempotency keys) stays in the emulator.
struct EmulatorStore<Record> {
    /// In creation order: the listing routes read them newest first with `reversed()`.
    private(set) var records: [Record] = []
    /// Every post created since the last reset, in order.
    private(set) var posts: [SandboxPost] = []
    private var positions: [String: Int] = [:]
    private var sequence = 0

    /// The record with this id, if one was added since the last reset.
    subscript(id: String) -> Record? { positions[id].map { records[$0] } }

    func contains(_ id: String) -> Bool { positions[id] != nil }

    /// Adds a record under `id`, and `post` to the posts when the record is one (Bluesky keeps other
    /// collections too).
    mutating func add(_ record: Record, id: String, post: SandboxPost?) {
        positions[id] = records.count
        records.append(record)
        if let post { posts.append(post) }
    }

    /// 1, 2, 3, … for the life of the emulator.
    mutating func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    mutating func reset() {
        records = []
        positions = [:]
        posts = []
    }
}
