import Foundation
import Testing
@testable import OctopostKit

@Suite struct PostParserTests {
    let parser = PostParser(contentDirectory: "content", timeZone: TimeZone(identifier: "Europe/Berlin"))

    func parse(_ text: String, path: String = "content/2026/04/launch.md") -> ParsedPost {
        parser.parse(bytes: Array(text.utf8), path: path)
    }

    @Test func readsEveryField() throws {
        let parsed = parse("""
        ---
        platforms: [twitter, "mastodon:work"]
        scheduled_for: 2026-04-10T09:00:00Z
        media:
          images:
            - url: media/launch.png
              alt_text: Screenshot
        segments:
          - content: https://rulebook.app
          - content: |
              Second reply
            media_urls: [media/a.png, {url: media/b.png, alt_text: B}]
        labels: [launch, q2]
        title: Launch
        content_warning: spoilers
        options:
          mastodon: {visibility: unlisted}
          twitter: {long_post: true}
        ---

        I shipped a new app.

        """)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics.map(\.formatted))")
        let post = try #require(parsed.post)
        #expect(post.id == "2026/04/launch")
        #expect(post.platforms.map(\.value.key) == ["twitter", "mastodon:work"])
        #expect(post.platforms[1].location == SourceLocation(line: 2, column: 22))
        #expect(Timestamp.format(try #require(post.scheduledFor).value.instant) == "2026-04-10T09:00:00Z")
        #expect(post.media.images.first?.altText?.value == "Screenshot")
        #expect(post.segments.count == 2)
        #expect(post.segments[1].content.value == "Second reply")
        #expect(post.segments[1].media.count == 2)
        #expect(post.segments[0].content.location.line == 9)
        #expect(post.labels == ["launch", "q2"])
        #expect(post.title?.value == "Launch")
        #expect(post.contentWarning?.value == "spoilers")
        #expect(post.options[.mastodon]?["visibility"]?.value == .string("unlisted"))
        #expect(post.option(.twitter, "long_post") == .bool(true))
        #expect(post.content == "I shipped a new app.")
        #expect(post.contentLocation.line == 21)
        #expect(!post.isDraft)
    }

    @Test func acceptsCRLFAndBOM() throws {
        let text = "\u{FEFF}---\r\nplatforms: [bluesky]\r\nid: custom/id\r\n---\r\n\r\nLine one\r\nLine two\r\n"
        let parsed = parse(text)
        #expect(parsed.diagnostics.isEmpty)
        let post = try #require(parsed.post)
        #expect(post.content == "Line one\nLine two")
        #expect(post.id == "custom/id")
        #expect(post.idLocation?.line == 3)
        #expect(post.contentLocation.line == 6)
    }

    @Test(arguments: [
        ("", "front-matter", 1),
        ("Just text\n", "front-matter", 1),
        ("---\nplatforms: [x]\n", "front-matter", 1),
        ("---\nplatforms: [bluesky\n---\nhi\n", "yaml", 3),
        ("---\nplatforms: [bluesky]\n  bad: indent\n---\nhi\n", "yaml", 3),
        ("---\n---\nhi\n", "front-matter", 2),
        ("---\n- a\n- b\n---\nhi\n", "front-matter", 2),
    ])
    func structuralErrors(text: String, rule: String, line: Int) {
        let parsed = parse(text)
        let first = parsed.diagnostics.first
        #expect(first?.rule.rawValue == rule, "\(parsed.diagnostics.map(\.formatted))")
        #expect(first?.line == line)
        #expect(first?.severity == .error)
    }

    @Test func encodingErrorsNameTheLine() {
        var bytes = Array("---\nplatforms: [bluesky]\n---\nok\n".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        let bad = parser.parse(bytes: bytes, path: "content/a.md").diagnostics
        #expect(bad.first?.rule == .encoding)
        #expect(bad.first?.line == 5)
        let nul = parser.parse(bytes: Array("---\nplatforms: [bluesky]\n---\nx\u{0}y\n".utf8), path: "content/a.md")
        #expect(nul.diagnostics.first?.rule == .encoding)
        #expect(nul.diagnostics.first?.line == 4)
    }

    @Test func tooLargeFileIsRefusedWithoutParsing() {
        let big = Array("---\nplatforms: [bluesky]\n---\n".utf8) + [UInt8](repeating: 0x61, count: 10_000_000)
        let parsed = parser.parse(bytes: big, path: "content/big.md")
        #expect(parsed.diagnostics.map(\.rule) == [.fileSize])
    }

    @Test func aliasBombStaysBounded() {
        var yaml = "---\nplatforms: [bluesky]\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...20 { yaml += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        yaml += "labels: *a20\n---\nhi\n"
        let start = Date()
        let parsed = parse(yaml)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(parsed.diagnostics.contains { $0.rule == .unknownKey })
        #expect(parsed.diagnostics.contains { $0.rule == .type && $0.message.contains("labels") })
    }

    @Test func wrongTypesInEveryField() {
        let parsed = parse("""
        ---
        id: [a]
        platforms: twitter
        scheduled_for: [1]
        draft: maybe
        media: [a]
        segments: {content: x}
        labels: label
        title: {a: b}
        content_warning: [x]
        options: [x]
        ---
        hi
        """)
        let typed = parsed.diagnostics.filter { $0.rule == .type }.map(\.line).sorted()
        #expect(typed == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "\(parsed.diagnostics.map(\.formatted))")
    }

    @Test func unknownKeysSuggest() {
        let parsed = parse("---\nplatforms: [twitter]\nschedule_for: 2026-04-10T09:00:00Z\n---\nhi\n")
        let d = parsed.diagnostics.first { $0.rule == .unknownKey }
        #expect(d?.message.contains("did you mean 'scheduled_for'") == true)
        #expect(d?.line == 3)
    }

    @Test func platformNamesAndAccounts() {
        let parsed = parse("---\nplatforms: [twiter, mastodon:Work, bluesky, bluesky]\n---\nhi\n")
        let messages = parsed.diagnostics.map(\.message)
        #expect(messages.contains { $0.contains("unknown platform 'twiter'") && $0.contains("did you mean 'twitter'") })
        #expect(messages.contains { $0.contains("account 'Work'") })
        #expect(parsed.diagnostics.contains { $0.rule == .duplicatePlatform && $0.column == 45 })
    }

    @Test func naiveTimesNeedAZone() throws {
        let noZone = PostParser(contentDirectory: "content", timeZone: nil)
        let parsed = noZone.parse(bytes: Array("---\nplatforms: [slack]\nscheduled_for: 2026-04-10 09:00\n---\nhi\n".utf8),
                                  path: "content/a.md")
        #expect(parsed.diagnostics.first?.rule == .timezone)
        #expect(parsed.diagnostics.first?.line == 3)
        let zoned = parse("---\nplatforms: [slack]\nscheduled_for: 2026-04-10 09:00\n---\nhi\n")
        let post = try #require(zoned.post)
        #expect(zoned.diagnostics.isEmpty)
        #expect(Timestamp.format(try #require(post.scheduledFor).value.instant) == "2026-04-10T07:00:00Z")
        let bad = parse("---\nplatforms: [slack]\nscheduled_for: 2026-02-30T09:00:00Z\n---\nhi\n")
        #expect(bad.diagnostics.first?.rule == .scheduledFor)
    }

    @Test func mediaAndSegmentLimits() {
        let images = (1...5).map { "    - {url: media/\($0).png, alt_text: x}" }.joined(separator: "\n")
        let parsed = parse("---\nplatforms: [bluesky]\nmedia:\n  images:\n\(images)\n  video: {url: media/v.mp4}\n---\nhi\n")
        let rules = Set(parsed.diagnostics.map(\.rule))
        #expect(rules.contains(.mediaCount))
        #expect(rules.contains(.mediaMix))
        let segs = (1...25).map { "  - content: s\($0)" }.joined(separator: "\n")
        let thread = parse("---\nplatforms: [bluesky]\nsegments:\n\(segs)\n---\nhi\n")
        #expect(thread.diagnostics.contains { $0.rule == .segmentCount })
    }

    @Test func optionsAreCheckedPerPlatform() {
        let parsed = parse("""
        ---
        platforms: [mastodon, youtube]
        options:
          mastodon: {visibilty: public}
          youtube: {privacy_status: secret}
          myspace: {a: b}
        ---
        hi
        """)
        let messages = parsed.diagnostics.map(\.message)
        #expect(messages.contains { $0.contains("no option 'visibilty'") && $0.contains("did you mean 'visibility'") })
        #expect(messages.contains { $0.contains("'secret'") && $0.contains("public, unlisted, private") })
        #expect(messages.contains { $0.contains("unknown platform 'myspace'") })
    }

    @Test func idsMustBeSafePaths() {
        let parsed = parse("---\nid: ../../etc/passwd\nplatforms: [slack]\n---\nhi\n")
        #expect(parsed.diagnostics.first?.rule == .id)
    }
}
