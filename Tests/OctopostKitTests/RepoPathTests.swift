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
        // A hidden part, as in a hidden file: its ledger file would be skipped by every listing.
        #expect(PostID.problem("a/.x")?.contains("starting with '.'") == true)
        #expect(PostID.problem("a/x.y") == nil)
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
        #expect(parsed.diagnostics.contains { $0.rule == .id && $0.line == 1 })
    }

    @Test func configRefusesFoldersInsideDotGit() {
        let r = ConfigLoader.load(bytes: Array("timezone: UTC\nledger: .git/refs\n".utf8))
        #expect(r.errors.first?.line == 2)
        #expect(r.errors.first?.message.contains("must be a folder path inside the repository") == true)
        let ok = ConfigLoader.load(bytes: Array("ledger: state/\n".utf8))
        #expect(ok.errors.isEmpty && ok.config.ledgerDirectory == "state")
        // The folders may be hidden (the hidden rule is for ids and the files below the folders).
        let hidden = ConfigLoader.load(bytes: Array("ledger: .octopost/ledger\n".utf8))
        #expect(hidden.errors.isEmpty && hidden.config.ledgerDirectory == ".octopost/ledger")
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
        // The post whose file would be there is unreadable (CommittedLedgerTests: that post is skipped).
        #expect(throws: LedgerError.self) { try LedgerStore(fileSystem: fs).load(id: "x/a") }
        #expect(try LedgerStore(fileSystem: fs).load(id: "b") == nil)
    }

    @Test func aLinkedLedgerFolderOrFileIsRefused() throws {
        defer { cleanUp() }
        try FileManager.default.createSymbolicLink(atPath: root + "/ledger", withDestinationPath: outside)
        let fs = LocalFileSystem(root: root)
        #expect(throws: FileSystemError.self) { try fs.list(under: "ledger") }
        #expect(throws: LedgerError.self) { try LedgerStore(fileSystem: fs).load(id: "a") }
        try FileManager.default.removeItem(atPath: root + "/ledger")
        try FileManager.default.createDirectory(atPath: root + "/ledger", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: outside + "/v.json"))
        try FileManager.default.createSymbolicLink(atPath: root + "/ledger/v.json", withDestinationPath: outside + "/v.json")
        #expect(try fs.list(under: "ledger") == ["v.json"])
        #expect(throws: FileSystemError.self) { try fs.read("ledger/v.json") }
        #expect(throws: FileSystemError.self) { try fs.writeAtomically([1], to: "ledger/v.json") }
        #expect(try String(contentsOfFile: outside + "/v.json", encoding: .utf8) == "{}")
    }

    @Test func mediaAreNeverOpenedThroughALink() throws {
        defer { cleanUp() }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        try FileManager.default.createDirectory(atPath: root + "/media", withIntermediateDirectories: true)
        try Data(png).write(to: URL(fileURLWithPath: root + "/media/real.png"))
        try Data(png).write(to: URL(fileURLWithPath: outside + "/z.png"))
        try FileManager.default.createSymbolicLink(atPath: root + "/media/link.png", withDestinationPath: "real.png")
        try FileManager.default.createSymbolicLink(atPath: root + "/media/sub", withDestinationPath: outside)
        #expect(mkfifo(root + "/media/fifo.png", 0o644) == 0)
        let media = DirectoryMediaInspector(root: root)
        #expect(media.inspect("media/real.png") == .file(size: png.count, head: png))
        #expect(media.inspect("media/link.png") == .symlink(at: "media/link.png"))
        #expect(media.inspect("media/sub/z.png") == .symlink(at: "media/sub"))
        #expect(media.inspect("media/fifo.png") == .notAFile)
        #expect(media.inspect("media/none.png") == .missing)
        #expect(media.inspect("media/real.png/x.png") == .missing)
        if case .invalidPath = media.inspect(".git/config") {} else { Issue.record("a path into .git is inspected") }
        // The file system reads only regular files, and never waits on a FIFO.
        #expect(throws: FileSystemError.self) { try LocalFileSystem(root: root).read("media/fifo.png") }
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
