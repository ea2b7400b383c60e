import Foundation
import Testing
@testable import OctopostKit

/// The TypeScript SDK's detection vectors (PLATFORMS §2.D): every case of the shared conformance file when it
/// is present, and always the subset kept in the fixtures.
@Suite("BlueskyRichText")
struct BlueskyRichTextTests {
    struct Vectors: Decodable {
        struct Segments: Decodable { var cases: [SegmentCase] }
        struct SegmentCase: Decodable { var input: String; var segments: [[String]] }
        struct Tags: Decodable { var cases: [TagCase] }
        struct TagCase: Decodable {
            var input: String
            var tags: [String]
            var indices: [Index]
        }
        struct Index: Decodable, Equatable { var byteStart: Int; var byteEnd: Int }
        var segments: Segments
        var tags: Tags
        var cashtags: Tags
    }

    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let subset = testsDirectory.appendingPathComponent("Fixtures/conformance-subset/atproto/richtext-detection.json")
    /// Package root/../shared/conformance.
    static let shared = testsDirectory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/conformance/atproto/richtext-detection.json")

    static func load(_ url: URL) throws -> Vectors {
        try JSONDecoder().decode(Vectors.self, from: Data(contentsOf: url))
    }

    /// Mentions resolve to `did:fake:<handle>` as in the SDK's test; tags show with an empty value.
    static func segments(_ text: String) -> [[String]] {
        let facets = BlueskyRichText.detect(text)
        return BlueskyRichText.segments(text, facets: facets).map { piece in
            switch piece.facet?.feature {
            case nil: [piece.text]
            case .mention(let handle)?: [piece.text, "did:fake:\(handle)"]
            case .resolvedMention(let did)?: [piece.text, did]
            case .link(let uri)?: [piece.text, uri]
            case .tag?: [piece.text, ""]
            }
        }
    }

    static func tags(_ text: String) -> (tags: [String], indices: [Vectors.Index]) {
        var tags: [String] = []
        var indices: [Vectors.Index] = []
        for f in BlueskyRichText.detect(text) {
            if case .tag(let t) = f.feature {
                tags.append(t)
                indices.append(.init(byteStart: f.byteStart, byteEnd: f.byteEnd))
            }
        }
        return (tags, indices)
    }

    func check(_ vectors: Vectors) {
        for c in vectors.segments.cases {
            #expect(Self.segments(c.input) == c.segments, "segments of \(c.input.debugDescription)")
        }
        for c in vectors.tags.cases + vectors.cashtags.cases {
            let got = Self.tags(c.input)
            #expect(got.tags == c.tags, "tags of \(c.input.debugDescription)")
            #expect(got.indices == c.indices, "byte ranges of \(c.input.debugDescription)")
        }
    }

    @Test func fixtureSubset() throws {
        let v = try Self.load(Self.subset)
        #expect(v.segments.cases.count >= 15 && v.tags.cases.count >= 15 && v.cashtags.cases.count >= 10)
        check(v)
        #expect(FileManager.default.fileExists(atPath: Self.subset.deletingLastPathComponent()
            .appendingPathComponent("LICENSE-MIT.txt").path))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: shared.path), "the shared conformance folder is absent"))
    func sharedConformanceFile() throws {
        let v = try Self.load(Self.shared)
        #expect(v.segments.cases.count + v.tags.cases.count + v.cashtags.cases.count == 97)
        check(v)
    }

    @Test func offsetsAreUTF8Bytes() {
        let text = "héllo 👨‍👩‍👧 #tag https://a.com @b.test"
        let facets = BlueskyRichText.detect(text)
        let bytes = Array(text.utf8)
        let slices = facets.map { String(decoding: bytes[$0.byteStart..<$0.byteEnd], as: UTF8.self) }
        #expect(slices == ["#tag", "https://a.com", "@b.test"])
    }
}
