import Foundation
import Testing
@testable import OctopostKit

/// Media files that exist only in memory.
struct FakeMedia: MediaInspector {
    var files: [String: MediaInspection]
    func inspect(_ path: String) -> MediaInspection { files[path] ?? .missing }

    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16]
    static let mp4: [UInt8] = [0, 0, 0, 0x20] + Array("ftypisom".utf8)
}

@Suite struct LintRuleTests {
    var config = Config()
    var media = FakeMedia(files: [
        "media/a.png": .file(size: 1000, head: FakeMedia.png),
        "media/big.png": .file(size: 3_000_000, head: FakeMedia.png),
        "media/photo.jpg": .file(size: 1000, head: FakeMedia.jpeg),
        "media/fake.png": .file(size: 1000, head: FakeMedia.jpeg),
        "media/clip.mp4": .file(size: 5_000_000, head: FakeMedia.mp4),
        "media/escape.png": .symlink(at: "media/escape.png"),
        "media/dir.png": .notAFile,
    ])

    func lint(_ text: String) -> [Diagnostic] {
        Linter(config: config, media: media).lint(bytes: Array(text.utf8), path: "content/p.md").diagnostics
    }

    @Test func lengthPerPlatformAndSegmentWithLocation() {
        let long = String(repeating: "a", count: 281)
        let d = lint("---\nplatforms: [twitter, bluesky, mastodon]\nsegments:\n  - content: ok\n  - content: \(long)\n---\nshort\n")
        let twitter = d.filter { $0.platform == "twitter" && $0.rule == .length }
        #expect(twitter.count == 1)
        #expect(twitter.first?.message == "281/280 characters in segment 2")
        #expect(twitter.first?.line == 5)
        #expect(twitter.first?.column == 14)
        #expect(d.filter { $0.rule == .length }.count == 1, "\(d.map(\.formatted))")
    }

    @Test func blueskyHasTwoLimits() {
        let text = String(repeating: "😀", count: 301)
        let d = lint("---\nplatforms: [bluesky]\n---\n\(text)\n")
        #expect(Set(d.filter { $0.rule == .length }.map(\.message)) == ["301/300 graphemes"])
        let bytes = String(repeating: "ab", count: 10) + String(repeating: "𒀀", count: 280)
        let byteDiag = lint("---\nplatforms: [bluesky]\n---\n\(bytes)\n")
        #expect(byteDiag.contains { $0.message == "\(bytes.utf8.count)/3000 bytes" } == (bytes.utf8.count > 3000))
    }

    @Test mutating func mastodonLimitComesFromTheAccount() {
        config.accounts["mastodon:big"] = {
            var a = Config.Account()
            a.maxCharacters = 1000
            return a
        }()
        let text = String(repeating: "x", count: 600)
        let d = lint("---\nplatforms: [mastodon, \"mastodon:big\"]\n---\n\(text)\n")
        #expect(d.filter { $0.rule == .length }.map(\.platform) == ["mastodon"])
    }

    @Test func telegramCaptionLimitWithMedia() {
        let text = String(repeating: "y", count: 1500)
        let withMedia = lint("---\nplatforms: [telegram]\nmedia:\n  images: [{url: media/a.png, alt_text: a}]\n---\n\(text)\n")
        #expect(withMedia.contains { $0.message == "1500/1024 characters" })
        #expect(lint("---\nplatforms: [telegram]\n---\n\(text)\n").isEmpty)
    }

    @Test func mediaPathsStayInsideTheRepository() {
        let d = lint("""
        ---
        platforms: [mastodon]
        media:
          images:
            - {url: ../secret.png, alt_text: a}
            - {url: /etc/passwd.png, alt_text: a}
            - {url: media/escape.png, alt_text: a}
            - {url: media/nope.png, alt_text: a}
        ---
        hi
        """)
        #expect(d.filter { $0.rule == .mediaPath }.map(\.line) == [5, 6, 7])
        #expect(d.filter { $0.rule == .mediaMissing }.map(\.line) == [8])
        #expect(d.contains { $0.line == 7 && $0.message.contains("media/escape.png is a symbolic link") })
        // The one path check (RepoPath), before anything is looked at.
        let checked = lint("---\nplatforms: [mastodon]\nmedia:\n  images:\n    - {url: .git/index.png, alt_text: a}\n"
            + "    - {url: ./media/a.png, alt_text: a}\n---\nhi\n")
        #expect(checked.filter { $0.rule == .mediaPath }.map(\.line) == [5, 6])
        #expect(checked.contains { $0.line == 5 && $0.message.contains("'.git'") })
    }

    @Test func mediaTypeSizeAndAltText() {
        let d = lint("""
        ---
        platforms: [bluesky, instagram]
        media:
          images:
            - {url: media/big.png}
            - {url: media/fake.png, alt_text: a}
        ---
        hi
        """)
        #expect(d.contains { $0.rule == .mediaSize && $0.platform == "bluesky" && $0.line == 5 })
        #expect(d.contains { $0.rule == .mediaType && $0.message.contains("named .png but holds jpeg") })
        #expect(d.contains { $0.rule == .mediaType && $0.platform == "instagram" && $0.message.contains("png") })
        #expect(d.contains { $0.rule == .altText && $0.severity == .warning && $0.line == 5 })
    }

    @Test func platformsThatNeedMediaOrATitleSaySo() {
        let d = lint("---\nplatforms: [instagram, tiktok, youtube]\n---\nhi\n")
        #expect(Set(d.filter { $0.rule == .mediaRequired }.compactMap(\.platform)) == ["instagram", "tiktok", "youtube"])
        #expect(d.contains { $0.rule == .title && $0.platform == "youtube" })
        let ok = lint("---\nplatforms: [youtube, tiktok]\ntitle: A demo\nmedia:\n  video: {url: media/clip.mp4}\n---\nWatch this\n")
        #expect(ok.isEmpty, "\(ok.map(\.formatted))")
        let angle = lint("---\nplatforms: [youtube]\ntitle: A <demo>\nmedia:\n  video: {url: media/clip.mp4}\n---\nhi\n")
        #expect(angle.contains { $0.rule == .content && $0.line == 3 })
    }

    @Test func threadsOnlyWhereThePlatformHasThem() {
        let d = lint("---\nplatforms: [linkedin, bluesky]\nsegments:\n  - content: more\n---\nhi\n")
        #expect(d.map(\.rule) == [.thread])
        #expect(d.first?.severity == .warning)
        #expect(d.first?.platform == "linkedin")
    }

    @Test func duplicateIDsAcrossFiles() {
        let parser = PostParser()
        let a = parser.parse(bytes: Array("---\nid: same\nplatforms: [slack]\n---\na\n".utf8), path: "content/a.md").post!
        let b = parser.parse(bytes: Array("---\nid: same\nplatforms: [slack]\n---\nb\n".utf8), path: "content/b.md").post!
        let d = DuplicateIDRule.check([a, b])
        #expect(d.map(\.file).sorted() == ["content/a.md", "content/b.md"])
        #expect(d.allSatisfy { $0.line == 2 })
    }

    @Test func unusedOptionsWarn() {
        let d = lint("---\nplatforms: [slack]\noptions:\n  mastodon: {visibility: public}\n---\nhi\n")
        #expect(d.map(\.rule) == [.unusedOption])
    }

    struct FakeReader: PostFileReader {
        var files: [String: Result<[UInt8], FileReadProblem>]
        func read(_ path: String) -> Result<[UInt8], FileReadProblem> { files[path] ?? .failure(.missing) }
    }

    /// An unreadable file (permissions; as root the real one cannot be made) is named, the rest linted.
    @Test func unreadableFilesAreReportedAndTheRestLinted() {
        let reader = FakeReader(files: [
            "content/locked.md": .failure(.unreadable("Permission denied")),
            "content/ok.md": .success(Array("---\nplatforms: [slack]\n---\nhi\n".utf8)),
        ])
        let report = Linter(config: config, media: media).lint(paths: ["content/locked.md", "content/ok.md"], reader: reader)
        #expect(report.files == 2)
        #expect(report.posts.map(\.source) == ["content/ok.md"])
        #expect(report.diagnostics.map(\.formatted) == ["content/locked.md:1:1: error: cannot be read: Permission denied [file]"])
    }
}
