import Foundation
import Testing
@testable import OctopostKit

@Suite struct LedgerStoreTests {
    func record(_ id: String) -> LedgerRecord {
        LedgerRecord(id: id, source: "content/\(id).md", contentSHA256: "00",
                     platformResults: ["bluesky": PlatformResult()], updatedAt: "2026-04-10T09:00:00Z")
    }

    @Test func writesAndLoadsByIDInMemory() throws {
        let fs = InMemoryFileSystem()
        let store = LedgerStore(fileSystem: fs, directory: "ledger")
        try store.write(record("2026/04/launch"))
        try store.write(record("b"))
        #expect(fs.snapshot.keys.sorted() == ["ledger/2026/04/launch.json", "ledger/b.json"])
        let snapshot = try store.loadAll()
        #expect(snapshot.records.keys.sorted() == ["2026/04/launch", "b"])
        #expect(snapshot.records["b"] == record("b"))
        #expect(snapshot.errors.isEmpty)
    }

    @Test func aBrokenFileIsReportedAndTheOthersStillLoad() throws {
        let fs = InMemoryFileSystem(files: ["ledger/bad.json": Array("{oops".utf8), "ledger/README.md": [0x41],
                                            "ledger/.good.json.tmp-1": [0x7B]])
        let store = LedgerStore(fileSystem: fs)
        try store.write(record("good"))
        let snapshot = try store.loadAll()
        #expect(snapshot.records.keys.sorted() == ["good"])
        #expect(snapshot.unreadableIDs == ["bad"])
        #expect(snapshot.errors.map(\.file) == ["ledger/bad.json"])
    }

    @Test func idMustMatchThePath() throws {
        let fs = InMemoryFileSystem(files: ["ledger/x.json": record("y").encoded()])
        #expect(throws: LedgerError.idMismatch(file: "ledger/x.json", expected: "x", found: "y")) {
            try LedgerStore(fileSystem: fs).load(id: "x")
        }
    }

    @Test func liveFileSystemWritesAtomicallyAndLists() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-ledger-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fs = LocalFileSystem(root: root)
        let store = LedgerStore(fileSystem: fs)
        #expect(try store.loadAll().records.isEmpty)
        try store.write(record("2026/04/launch"))
        var changed = record("2026/04/launch")
        changed.contentSHA256 = "ff"
        try store.write(changed)
        #expect(try fs.list(under: "ledger") == ["2026/04/launch.json"])
        #expect(try fs.read("ledger/2026/04/launch.json") == changed.encoded())
        #expect(try store.loadAll().records["2026/04/launch"] == changed)
        #expect(try fs.read("ledger/missing.json") == nil)
    }
}
