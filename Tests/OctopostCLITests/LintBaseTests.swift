import Foundation
import Testing

/// `lint --base REF`: what a pull request may do to posts the ledger at REF knows.
@Suite struct LintBaseTests {
    static func ledger(_ id: String, source: String, status: String) -> String {
        let success = status == "published"
        return """
        {
          "content_sha256": "0",
          "id": "\(id)",
          "platform_results": {
            "mastodon": {
              "attempts": 1,
              \(success ? "\"post_id\": \"1\",\n      \"post_url\": \"https://m.example/@a/1\"," : "\"error\": \"boom\",\n      \"error_kind\": \"permanent\",")
              "status": "\(status)",
              "success": \(success)
            }
          },
          "source": "\(source)",
          "status": "\(success ? "published" : "failed")",
          "updated_at": "2026-05-01T09:00:00Z"
        }

        """
    }

    static func post(_ body: String, at time: String = "2026-05-01T09:00:00Z", id: String? = nil) -> String {
        "---\n" + (id.map { "id: \($0)\n" } ?? "") + "platforms: [mastodon]\nscheduled_for: \(time)\n---\n\(body)\n"
    }

    /// main: a published post, a failed post, a scheduled future post; then a feature branch.
    func makeRepo() throws -> TempRepo {
        let repo = try TempRepo(config: "timezone: UTC\n", files: [
            "content/pub.md": Self.post("Published"),
            "content/fail.md": Self.post("Failed"),
            "content/later.md": Self.post("Later", at: "2027-01-01T09:00:00Z"),
            "ledger/pub.json": Self.ledger("pub", source: "content/pub.md", status: "published"),
            "ledger/fail.json": Self.ledger("fail", source: "content/fail.md", status: "failed"),
        ])
        try repo.commit("main")
        try CLI.git(["checkout", "-q", "-b", "feature"], in: repo.path)
        return repo
    }

    func lint(_ repo: TempRepo) throws -> [[String: Any]] {
        let r = try repo.lint(["--base", "main", "--format", "json"], env: ["OCTOPOST_NOW": "2026-06-01T00:00:00Z"])
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return doc?["diagnostics"] as? [[String: Any]] ?? []
    }

    @Test func editingAPublishedPostIsAnError() throws {
        let repo = try makeRepo()
        try repo.write("content/pub.md", Self.post("Published, edited"))
        let d = try lint(repo)
        #expect(d.contains { $0["rule"] as? String == "published-immutable" && $0["file"] as? String == "content/pub.md" })
    }

    @Test func editingAFailedPostIsAllowed() throws {
        let repo = try makeRepo()
        try repo.write("content/fail.md", Self.post("Failed, fixed"))
        #expect(try lint(repo).isEmpty)
    }

    @Test func aNewPostInThePastIsAnError() throws {
        let repo = try makeRepo()
        try repo.write("content/new.md", Self.post("New", at: "2026-05-20T09:00:00Z"))
        try repo.write("content/future.md", Self.post("Future", at: "2027-05-20T09:00:00Z"))
        let d = try lint(repo)
        #expect(d.filter { $0["rule"] as? String == "past-schedule" }.compactMap { $0["file"] as? String } == ["content/new.md"])
        #expect(d.first?["line"] as? Int == 3)
    }

    @Test func movingAPublishedPostNeedsItsID() throws {
        let repo = try makeRepo()
        try CLI.git(["mv", "content/pub.md", "content/moved.md"], in: repo.path)
        let d = try lint(repo)
        #expect(d.contains { $0["rule"] as? String == "moved-published" && ($0["message"] as? String)?.contains("id: pub") == true })
        try repo.write("content/moved.md", Self.post("Published", id: "pub"))
        let kept = try lint(repo)
        #expect(kept.isEmpty, "a move that keeps the id is clean: \(kept)")
        // Moving and editing it is still an edit of a published post.
        try repo.write("content/moved.md", Self.post("Published, and edited", id: "pub"))
        #expect(try lint(repo).contains { $0["rule"] as? String == "published-immutable" })
    }

    @Test func deletingAPublishedPostWarns() throws {
        let repo = try makeRepo()
        try FileManager.default.removeItem(atPath: repo.path + "/content/pub.md")
        let r = try repo.lint(["--base", "main"], env: ["OCTOPOST_NOW": "2026-06-01T00:00:00Z"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("content/pub.md:1:1: warning:"))
        #expect(r.stdout.contains("[deleted-published]"))
    }

    @Test func anUnknownBaseIsExitTwo() throws {
        let repo = try makeRepo()
        let r = try repo.lint(["--base", "no-such-branch"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no-such-branch"))
    }
}
