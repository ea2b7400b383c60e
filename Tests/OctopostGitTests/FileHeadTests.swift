import Foundation
import OctopostGit
import OctopostKit
import Testing

/// `fileHead` learns a committed file's size and first bytes without reading it whole; it must agree
/// with `readFile` however the object is stored: loose, packed whole, packed as a delta, in several packs.
@Suite struct FileHeadTests {
    /// Text files of assorted sizes, two of them near-copies so that a repack stores one as a delta.
    static func files() -> [String: String] {
        let big = (0..<4000).map { "line \($0) of a long media-like file\n" }.joined()
        return [
            "empty": "", "tiny": "abc", "exact": String(repeating: "x", count: 32),
            "media/big.bin": big, "media/big-copy.bin": big + "one more line\n",
            "media/other.bin": String(repeating: "0123456789abcdef", count: 5000),
        ]
    }

    static func expectAgreement(_ repo: LibGit2Repository, _ paths: [String], _ layout: String) throws {
        for path in paths {
            let bytes = try #require(try repo.readFile(path, at: "HEAD"))
            for length in [0, 4, 32, 100_000] {
                let head = try #require(try repo.fileHead(path, at: "HEAD", headLength: length))
                #expect(head.size == bytes.count, "\(layout) \(path)")
                #expect(head.head == Array(bytes.prefix(length)), "\(layout) \(path) head \(length)")
            }
        }
    }

    @Test func agreesWithReadFileLoosePackedAndDeltified() throws {
        let fx = try GitFixture()
        try fx.makeRepo(files: Self.files())
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        let paths = Self.files().keys.sorted()
        try Self.expectAgreement(repo, paths, "loose")

        // One pack, deltas searched hard: big-copy.bin (or big.bin) becomes a delta of the other.
        try fx.git("repo", "repack", "-a", "-d", "-f", "-q", "--window=50", "--depth=10")
        let verify = try fx.git("repo", "verify-pack", "-v",
                                try FileManager.default.contentsOfDirectory(atPath: fx.path("repo/.git/objects/pack"))
                                    .first { $0.hasSuffix(".idx") }.map { fx.path("repo/.git/objects/pack/" + $0) } ?? "")
        #expect(verify.contains("blob") && verify.split(separator: "\n").contains { $0.contains("blob") && $0.split(separator: " ").count > 6 },
                "expected a deltified blob: \(verify)")
        let packed = try LibGit2Repository.open(at: fx.path("repo"))
        try Self.expectAgreement(packed, paths, "packed")

        // A second pack beside the first, and a loose object beside both.
        try fx.commitFiles("repo", ["media/second.bin": String(repeating: "second pack ", count: 1000)], message: "second")
        try fx.git("repo", "repack", "-d", "-q")
        try fx.commitFiles("repo", ["media/loose.bin": "\u{89}PNG loose"], message: "loose")
        let mixed = try LibGit2Repository.open(at: fx.path("repo"))
        try Self.expectAgreement(mixed, paths + ["media/second.bin", "media/loose.bin"], "mixed")
    }

    @Test func missingAndDirectories() throws {
        let fx = try GitFixture()
        try fx.makeRepo(files: ["media/a.png": "a"])
        let repo = try LibGit2Repository.open(at: fx.path("repo"))
        #expect(try repo.fileHead("media/none.png", at: "HEAD", headLength: 32) == nil)
        #expect(try repo.fileHead("nowhere/a.png", at: "HEAD", headLength: 32) == nil)
        #expect(throws: GitError.self) { try repo.fileHead("media", at: "HEAD", headLength: 32) }
        #expect(throws: GitError.unknownRef("nope")) { try repo.fileHead("media/a.png", at: "nope", headLength: 32) }
    }
}
