import Foundation
import Testing
@testable import OctopostKit

@Suite struct RepoPathTests {
    @Test(arguments: [
        ".git", ".GIT", "x/.git/config", "a/.GiT/b", "a/.git./b", "a/.git . ./b", "git~1", "a/GIT~1/b",
        ".git::$INDEX_ALLOCATION", "a/\u{200C}.git/b", "a/.g\u{200D}it", "a/.\u{FEFF}GIT",
    ])
    func refusesEverySpellingOfDotGit(_ path: String) {
        #expect(RepoPath.problem(path) != nil, "\(path)")
    }

    @Test(arguments: ["", "/etc/passwd", "a//b", "a/", "./a", "a/../../b", "..", "a\\b", "a\u{0}b"])
    func refusesPathsThatAreNotInsideTheRepository(_ path: String) {
        #expect(RepoPath.problem(path) != nil, "\(path)")
    }

    @Test(arguments: ["a", "2026/04/launch", ".github/x", "a/.gitignore", "a/.gitx", "a/git~2", "a/xgit", "a/.git-notes", "a.git"])
    func acceptsOrdinaryPaths(_ path: String) {
        #expect(RepoPath.problem(path) == nil, "\(path)")
    }

    @Test func postIDsAreRepositoryPaths() {
        #expect(PostID.problem("x/.git/config") != nil)
        #expect(PostID.problem("../../outside/victim") != nil)
        #expect(PostID.problem("2026/04/launch") == nil)
    }

    @Test func postFilesAreOneDefinition() {
        #expect(PostFiles.isPostPath("content/a.md", contentDirectory: "content"))
        #expect(PostFiles.isPostPath("content/2026/a.md", contentDirectory: "content/"))
        #expect(!PostFiles.isPostPath("content/.wip.md", contentDirectory: "content"))
        #expect(!PostFiles.isPostPath("content/.drafts/a.md", contentDirectory: "content"))
        #expect(!PostFiles.isPostPath("content/a.txt", contentDirectory: "content"))
        #expect(!PostFiles.isPostPath("other/a.md", contentDirectory: "content"))
        #expect(PostFiles.problem(.file) == nil)
        #expect(PostFiles.problem(.symlink) != nil && PostFiles.problem(.submodule) != nil)
    }

    @Test func derivedIDsAreCheckedToo() {
        let parsed = PostParser().parse(bytes: Array("---\nplatforms: [bluesky]\n---\nhi\n".utf8), path: "content/a b.md")
        #expect(parsed.diagnostics.contains { $0.rule == "id" && $0.line == 1 })
    }

    @Test func configRefusesFoldersInsideDotGit() {
        let r = ConfigLoader.load(bytes: Array("timezone: UTC\nledger: .git/refs\n".utf8))
        #expect(r.errors.first?.line == 2)
        #expect(r.errors.first?.message.contains("must be a folder path inside the repository") == true)
        let ok = ConfigLoader.load(bytes: Array("ledger: state/\n".utf8))
        #expect(ok.errors.isEmpty && ok.config.ledgerDirectory == "state")
    }
}

/// The live file system never follows a symbolic link, anywhere on a path.
@Suite struct LocalFileSystemLinkTests {
    let root: String
    let outside: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-links-\(UUID().uuidString)").path
        root = base + "/repo"
        outside = base + "/outside"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: root).deletingLastPathComponent().path) }

    @Test func aLinkedFolderIsNeverWrittenThrough() throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(atPath: root + "/ledger", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/ledger/x", withDestinationPath: outside)
        let fs = LocalFileSystem(root: root)
        #expect(throws: FileSystemError.self) { try fs.writeAtomically([1], to: "ledger/x/a.json") }
        #expect(throws: FileSystemError.self) { try fs.read("ledger/x/a.json") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        // The post whose file would be there is unreadable; the others load.
        let store = LedgerStore(fileSystem: fs)
        let snapshot = try store.loadAll(expecting: ["x/a", "b"])
        #expect(snapshot.unreadableIDs == ["x/a"])
        #expect(snapshot.errors.first?.description.contains("ledger/x is a symbolic link") == true)
    }

    @Test func aLinkedLedgerFolderOrFileIsRefused() throws {
        defer { cleanUp() }
        try FileManager.default.createSymbolicLink(atPath: root + "/ledger", withDestinationPath: outside)
        let fs = LocalFileSystem(root: root)
        #expect(throws: FileSystemError.self) { try fs.list(under: "ledger") }
        #expect(throws: LedgerError.self) { try LedgerStore(fileSystem: fs).loadAll() }
        try FileManager.default.removeItem(atPath: root + "/ledger")
        try FileManager.default.createDirectory(atPath: root + "/ledger", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: outside + "/v.json"))
        try FileManager.default.createSymbolicLink(atPath: root + "/ledger/v.json", withDestinationPath: outside + "/v.json")
        #expect(try fs.list(under: "ledger") == ["v.json"])
        #expect(throws: FileSystemError.self) { try fs.read("ledger/v.json") }
        #expect(throws: FileSystemError.self) { try fs.writeAtomically([1], to: "ledger/v.json") }
        #expect(try String(contentsOfFile: outside + "/v.json", encoding: .utf8) == "{}")
    }

    @Test func pathsOutsideTheRepositoryAreRefused() throws {
        defer { cleanUp() }
        let fs = LocalFileSystem(root: root)
        #expect(throws: FileSystemError.self) { try fs.writeAtomically([1], to: "../outside/a.json") }
        #expect(throws: FileSystemError.self) { try fs.writeAtomically([1], to: outside + "/a.json") }
        #expect(throws: FileSystemError.self) { try fs.writeAtomically([1], to: ".git/a.json") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty)
        try fs.writeAtomically([1], to: "ledger/2026/a.json")
        #expect(try fs.read("ledger/2026/a.json") == [1])
    }
}
