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
        #expect(try store.load(id: "2026/04/launch") == record("2026/04/launch"))
        #expect(try store.load(id: "b") == record("b"))
        #expect(try store.load(id: "c") == nil)
    }

    @Test func onlyJSONFilesWithoutAHiddenPartHoldRecords() {
        #expect(LedgerStore.id(ofFile: "2026/04/launch.json") == "2026/04/launch")
        for file in ["README.md", ".good.json.tmp-1", "a/.x.json", ".x.json", ".drafts/a.json", "a.json/"] {
            #expect(LedgerStore.id(ofFile: file) == nil, "\(file)")
        }
        // No post id could name a hidden file.
        for id in ["a/.x", ".x", "a/.b/c"] { #expect(PostID.problem(id)?.contains("starting with '.'") == true, "\(id)") }
        #expect(throws: LedgerError.self) { try LedgerStore(fileSystem: InMemoryFileSystem()).load(id: "a/.x") }
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
        #expect(try fs.list(under: "ledger").isEmpty)
        try store.write(record("2026/04/launch"))
        var changed = record("2026/04/launch")
        changed.contentSHA256 = "ff"
        try store.write(changed)
        #expect(try fs.list(under: "ledger") == ["2026/04/launch.json"])
        #expect(try fs.read("ledger/2026/04/launch.json") == changed.encoded())
        #expect(try store.load(id: "2026/04/launch") == changed)
        #expect(try fs.read("ledger/missing.json") == nil)
    }
}
