import Foundation

/// Every record read from the ledger folder, and the files that could not be read.
public struct LedgerSnapshot: Sendable, Equatable {
    /// Records by id (the path under the ledger folder without `.json`).
    public var records: [String: LedgerRecord]
    /// Files that exist but cannot be used. Their ids are in `unreadableIDs`: sync must not publish those
    /// posts (it cannot know what was already sent), but the other posts go on.
    public var errors: [LedgerError]
    public var unreadableIDs: Set<String>

    public init(records: [String: LedgerRecord] = [:], errors: [LedgerError] = [], unreadableIDs: Set<String> = []) {
        self.records = records
        self.errors = errors
        self.unreadableIDs = unreadableIDs
    }
}

/// `ledger/<id>.json`, one file per post, over a `FileSystem`.
public struct LedgerStore: Sendable {
    public let fileSystem: any FileSystem
    /// The ledger folder, relative to the repository root (`ledger`).
    public let directory: String

    public init(fileSystem: any FileSystem, directory: String = "ledger") {
        self.fileSystem = fileSystem
        self.directory = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
    }

    /// The file of a post id: `ledger/2026/04/launch.json`.
    public func path(for id: String) -> String { "\(directory)/\(id).json" }

    /// Reads every `*.json` file under the folder (hidden files, such as interrupted writes, are skipped).
    /// A file that cannot be read or decoded is collected in `errors`, never thrown: one broken file must
    /// not stop the other posts. Only a folder that cannot be listed throws (the ledger folder being a
    /// symbolic link, for one: exit 2).
    ///
    /// `expecting`: the ids of the posts about to be planned. One without a file is checked too, so that
    /// a symbolic link on the way to where its file would be written (`ledger/2026 -> /elsewhere`) makes
    /// that post unreadable (skipped, reported) instead of failing the claim of every post.
    public func loadAll(expecting ids: some Sequence<String> = [String]()) throws(LedgerError) -> LedgerSnapshot {
        let files: [String]
        do { files = try fileSystem.list(under: directory) } catch {
            throw .io(file: directory, detail: error.reason)
        }
        var snapshot = LedgerSnapshot()
        for file in files where file.hasSuffix(".json") {
            if file.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            let id = String(file.dropLast(5))
            do {
                if let record = try load(id: id) { snapshot.records[id] = record }
            } catch {
                snapshot.errors.append(error)
                snapshot.unreadableIDs.insert(id)
            }
        }
        for id in ids where snapshot.records[id] == nil && !snapshot.unreadableIDs.contains(id) {
            do { _ = try load(id: id) } catch {
                snapshot.errors.append(error)
                snapshot.unreadableIDs.insert(id)
            }
        }
        return snapshot
    }

    /// One post's record, or nil when it has none. An id that is not a valid post id is an error, never a
    /// path to open (`retry ../../elsewhere` reads nothing).
    public func load(id: String) throws(LedgerError) -> LedgerRecord? {
        let path = path(for: id)
        if let problem = PostID.problem(id) { throw .io(file: path, detail: "'\(id)' is not a post id: it \(problem)") }
        let bytes: [UInt8]?
        do { bytes = try fileSystem.read(path) } catch { throw .io(file: path, detail: error.reason) }
        guard let bytes else { return nil }
        let record = try LedgerRecord.decode(bytes, file: path)
        guard record.id == id else { throw .idMismatch(file: path, expected: id, found: record.id) }
        return record
    }

    /// Writes one record atomically to `ledger/<record.id>.json`.
    public func write(_ record: LedgerRecord) throws(LedgerError) {
        let path = path(for: record.id)
        if let problem = PostID.problem(record.id) {
            throw .invalidRecord(file: path, field: "id", detail: "'\(record.id)' \(problem)")
        }
        do { try fileSystem.writeAtomically(record.encoded(), to: path) } catch {
            throw .io(file: path, detail: error.reason)
        }
    }
}
