import Foundation
import Testing
@testable import OctopostKit

@Suite struct LedgerWriterTests {
    static func sample() -> LedgerRecord {
        var bluesky = PlatformResult(status: .published, attempts: 1)
        bluesky.postID = "at://did:plc:abc/app.bsky.feed.post/3l1"
        bluesky.postURL = "https://bsky.app/profile/me/post/3l1"
        bluesky.segments = [SegmentResult(postID: "at://did:plc:abc/app.bsky.feed.post/3l1", postURL: "https://bsky.app/profile/me/post/3l1")]
        var linkedin = PlatformResult(status: .failed, attempts: 1)
        linkedin.error = "Token expired. Reconnect your LinkedIn account."
        linkedin.errorKind = .permanent
        var mastodon = PlatformResult(status: .retrying, attempts: 2)
        mastodon.error = "HTTP 503 from mastodon.social"
        mastodon.errorKind = .transient
        mastodon.nextAttemptAt = "2026-04-10T09:06:41Z"
        return LedgerRecord(id: "2026/04/launch", source: "content/2026/04/launch.md", contentSHA256: "ab12",
                            platformResults: ["bluesky": bluesky, "linkedin": linkedin, "mastodon": mastodon],
                            status: .partiallyPublished, publishedAt: "2026-04-10T09:00:41Z",
                            updatedAt: "2026-04-10T09:00:43Z")
    }

    static let golden = """
    {
      "content_sha256": "ab12",
      "id": "2026/04/launch",
      "platform_results": {
        "bluesky": {
          "attempts": 1,
          "post_id": "at://did:plc:abc/app.bsky.feed.post/3l1",
          "post_url": "https://bsky.app/profile/me/post/3l1",
          "segments": [
            {
              "post_id": "at://did:plc:abc/app.bsky.feed.post/3l1",
              "post_url": "https://bsky.app/profile/me/post/3l1"
            }
          ],
          "status": "published",
          "success": true
        },
        "linkedin": {
          "attempts": 1,
          "error": "Token expired. Reconnect your LinkedIn account.",
          "error_kind": "permanent",
          "status": "failed",
          "success": false
        },
        "mastodon": {
          "attempts": 2,
          "error": "HTTP 503 from mastodon.social",
          "error_kind": "transient",
          "next_attempt_at": "2026-04-10T09:06:41Z",
          "status": "retrying",
          "success": false
        }
      },
      "published_at": "2026-04-10T09:00:41Z",
      "source": "content/2026/04/launch.md",
      "status": "partially_published",
      "updated_at": "2026-04-10T09:00:43Z"
    }

    """

    @Test func writesTheSpecFormatByteForByte() {
        let bytes = Self.sample().encoded()
        #expect(String(decoding: bytes, as: UTF8.self) == Self.golden)
        #expect(bytes.last == 0x0A)
    }

    @Test func roundTrips() throws {
        let record = Self.sample()
        let decoded = try LedgerRecord.decode(record.encoded(), file: "ledger/x.json")
        #expect(decoded == record)
        #expect(decoded.encoded() == record.encoded())
    }

    @Test func roundTripsEveryOptionalField() throws {
        var entry = PlatformResult(status: .publishing, attempts: 3)
        entry.runID = "run-1"
        entry.leaseUntil = "2026-04-10T09:10:00Z"
        entry.firstAttemptAt = "2026-04-10T09:00:00Z"
        entry.publishedAt = "2026-04-10T09:00:05Z"
        entry.retries = 2
        entry.segments = [SegmentResult(postID: "1", cid: "bafy")]
        let record = LedgerRecord(id: "a", source: "content/a.md", contentSHA256: "00",
                                  platformResults: ["mastodon:work": entry], status: .publishing, updatedAt: "2026-04-10T09:00:00Z")
        let text = String(decoding: record.encoded(), as: UTF8.self)
        #expect(text.contains("\"mastodon:work\": {"))
        #expect(text.contains("\"retries\": 2,"))
        #expect(text.contains("\"cid\": \"bafy\","))
        #expect(try LedgerRecord.decode(record.encoded(), file: "f") == record)
    }

    @Test func handWrittenTreeMatchesCodableKeys() throws {
        // The writer builds its tree by hand; Codable (used by `show --format json`) must say the same.
        var record = Self.sample()
        record.platformResults["mastodon"]?.retries = 1
        record.platformResults["mastodon"]?.runID = "r"
        let viaCodable = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(record))
        #expect(viaCodable == record.jsonValue)
    }

    @Test func omitsNilsAndEscapesOnlyWhatJSONRequires() {
        let record = LedgerRecord(id: "a", source: "content/a.md", contentSHA256: "00", platformResults: [:],
                                  status: .scheduled, updatedAt: "2026-04-10T09:00:00Z")
        let text = String(decoding: record.encoded(), as: UTF8.self)
        #expect(text == "{\n  \"content_sha256\": \"00\",\n  \"id\": \"a\",\n  \"platform_results\": {},\n  \"source\": \"content/a.md\",\n  \"status\": \"scheduled\",\n  \"updated_at\": \"2026-04-10T09:00:00Z\"\n}\n")
        #expect(!text.contains("published_at"))
        let escaped = CanonicalJSON.render(.object(["k": .string("a/b \"q\" \\ é 🐙\n\t\u{01}")]))
        #expect(escaped == "{\n  \"k\": \"a/b \\\"q\\\" \\\\ é 🐙\\n\\t\\u0001\"\n}\n")
    }

    @Test func sortsKeysByCodePointAndRendersEmptyContainers() {
        let value = JSONValue.object(["b": .array([]), "B": .int(1), "a": .array([.int(1), .bool(true), .null]), "mastodon:work": .object([:]), "mastodon": .double(2)])
        #expect(CanonicalJSON.render(value) == """
        {
          "B": 1,
          "a": [
            1,
            true,
            null
          ],
          "b": [],
          "mastodon": 2,
          "mastodon:work": {}
        }

        """)
    }

    @Test func jsonValueKeepsBoolsAndIntegersApart() throws {
        let v = try JSONDecoder().decode(JSONValue.self, from: Data("[1, true, 0, false, 1.5, \"x\"]".utf8))
        #expect(v == .array([.int(1), .bool(true), .int(0), .bool(false), .double(1.5), .string("x")]))
    }
}

@Suite struct LedgerDecodingTests {
    func error(_ text: String) -> LedgerError? {
        do { _ = try LedgerRecord.decode(Array(text.utf8), file: "ledger/a.json"); return nil } catch { return error }
    }

    static let valid = """
    {"content_sha256": "00", "id": "a", "source": "content/a.md", "status": "publishing", "updated_at": "2026-04-10T09:00:00Z",
     "platform_results": {"mastodon": {"attempts": 1, "status": "retrying", "success": false, "next_attempt_at": "2026-04-10T09:01:00Z"}}}
    """

    @Test func toleratesUnknownKeys() throws {
        let text = Self.valid.replacingOccurrences(of: "\"id\": \"a\",", with: "\"id\": \"a\", \"note\": \"hi\",")
            .replacingOccurrences(of: "\"attempts\": 1,", with: "\"attempts\": 1, \"future_key\": [1],")
        let record = try LedgerRecord.decode(Array(text.utf8), file: "ledger/a.json")
        #expect(record.platformResults["mastodon"]?.status == .retrying)
        #expect(!String(decoding: record.encoded(), as: UTF8.self).contains("note"))
    }

    @Test func invalidJSONNamesTheFile() {
        let e = error("{\"id\": ")
        guard case .invalidJSON(let file, _)? = e else { Issue.record("got \(String(describing: e))"); return }
        #expect(file == "ledger/a.json")
        #expect(e!.description.hasPrefix("ledger/a.json: not a valid ledger file"))
        #expect(error("")?.description.contains("the file is empty") == true)
        #expect(error("[1]")?.description.contains("top level") == true)
    }

    @Test func unknownStatusSaysWhatIsAllowed() {
        let e = error(Self.valid.replacingOccurrences(of: "\"retrying\"", with: "\"publshed\""))
        #expect(e == .invalidRecord(file: "ledger/a.json", field: "platform_results.mastodon.status",
                                    detail: "unknown value 'publshed' (expected one of pending, publishing, published, retrying, failed, expired, unknown)"))
        let top = error(Self.valid.replacingOccurrences(of: "\"publishing\"", with: "\"done\""))
        #expect(top?.description.contains("status: unknown value 'done'") == true)
    }

    @Test func wrongTypesAndMissingKeys() {
        let e = error(Self.valid.replacingOccurrences(of: "\"attempts\": 1", with: "\"attempts\": \"one\""))
        #expect(e == .invalidRecord(file: "ledger/a.json", field: "platform_results.mastodon.attempts",
                                    detail: "expected an integer, found the string \"one\""))
        let missing = error(Self.valid.replacingOccurrences(of: "\"source\": \"content/a.md\",", with: ""))
        #expect(missing == .invalidRecord(file: "ledger/a.json", field: "", detail: "missing key 'source'"))
        let results = error(Self.valid.replacingOccurrences(of: "\"platform_results\": {", with: "\"platform_results\": [{").replacingOccurrences(of: "}}}", with: "}}]}"))
        #expect(results?.description.contains("platform_results") == true)
    }

    @Test func malformedValuesAreErrors() {
        #expect(error(Self.valid.replacingOccurrences(of: "2026-04-10T09:01:00Z", with: "soon"))
            == .invalidRecord(file: "ledger/a.json", field: "platform_results.mastodon.next_attempt_at",
                              detail: "'soon' is not an RFC 3339 time with an offset"))
        #expect(error(Self.valid.replacingOccurrences(of: "\"attempts\": 1", with: "\"attempts\": -1"))?.description
            .contains("attempts: must not be negative") == true)
        #expect(error(Self.valid.replacingOccurrences(of: "\"mastodon\"", with: "\"myspace\""))?.description
            .contains("not a platform target") == true)
    }
}
