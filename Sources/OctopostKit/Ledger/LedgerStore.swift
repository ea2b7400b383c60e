import Foundation

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

    /// The id a file below the folder (a path relative to it, as `FileSystem.list` gives) holds a record
    /// of, or nil when it is not a ledger file: not `*.json`, or hidden (`RepoPath.hasHiddenPart`: an
    /// interrupted write is `.name.tmp-…`; no id has a hidden part).
    public static func id(ofFile relative: String) -> String? {
        guard relative.hasSuffix(".json"), !RepoPath.hasHiddenPart(relative) else { return nil }
        return String(relative.dropLast(5))
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
