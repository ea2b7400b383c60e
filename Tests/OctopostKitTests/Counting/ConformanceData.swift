import Foundation
import Testing
import Yams
@testable import OctopostKit

/// Loads conformance vectors from ../shared/conformance (beside the package, when present) or from the
/// committed subset in Fixtures/conformance-subset.
enum ConformanceData {
    /// package root/../shared/conformance, from this file's location.
    static let sharedRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Counting
        .deletingLastPathComponent()  // OctopostKitTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("../shared/conformance").standardizedFileURL

    static var sharedAvailable: Bool {
        FileManager.default.fileExists(atPath: sharedRoot.appendingPathComponent("twitter-text/conformance_validate.yml").path)
    }

    static var subsetRoot: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/conformance-subset")
    }

    struct YAMLCase: Sendable, CustomTestStringConvertible {
        var section: String
        var description: String
        var text: String
        var expected: [String: Int]  // weighted sections (valid as 0/1)
        var expectedBool: Bool?
        var expectedList: [String]?
        var testDescription: String { "\(section): \(description)" }
    }

    /// `tests.<section>[]` of a twitter-text conformance YAML file.
    static func cases(in file: URL, sections: [String]) throws -> [YAMLCase] {
        let yaml = try String(contentsOf: file, encoding: .utf8)
        guard let root = try Yams.load(yaml: yaml) as? [String: Any], let tests = root["tests"] as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        var out: [YAMLCase] = []
        for section in sections {
            guard let list = tests[section] as? [[String: Any]] else { throw CocoaError(.fileReadCorruptFile) }
            for item in list {
                let text = item["text"] as? String ?? String(describing: item["text"] ?? "")
                var c = YAMLCase(section: section, description: item["description"] as? String ?? "", text: text, expected: [:])
                switch item["expected"] {
                case let dict as [String: Any]:
                    for (k, v) in dict {
                        if let b = v as? Bool { c.expected[k] = b ? 1 : 0 } else if let i = v as? Int { c.expected[k] = i }
                    }
                case let b as Bool: c.expectedBool = b
                case let list as [Any]: c.expectedList = list.map { "\($0)" }
                default: break
                }
                out.append(c)
            }
        }
        return out
    }

    struct MastodonCase: Sendable, Decodable, CustomTestStringConvertible {
        var id: String
        var spoiler_text: String
        var text: String
        var max: Int
        var expect_valid: Bool
        var testDescription: String { id }
    }

    static func mastodonCases(in file: URL) throws -> [MastodonCase] {
        struct File: Decodable { var cases: [MastodonCase] }
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: file)).cases
    }

    // MARK: Checks shared by the shared-folder and subset suites

    static func checkWeighted(_ c: YAMLCase) {
        let r = TwitterText.parseTweet(c.text, configuration: .v3)
        let actual: [String: Int] = [
            "weightedLength": r.weightedLength, "valid": r.valid ? 1 : 0, "permillage": r.permillage,
            "displayRangeStart": r.displayRangeStart, "displayRangeEnd": r.displayRangeEnd,
            "validRangeStart": r.validRangeStart, "validRangeEnd": r.validRangeEnd,
        ]
        #expect(c.expected.count == 7, "\(c.testDescription): malformed case")
        #expect(actual == c.expected, "\(c.testDescription)")
    }

    static func checkURLValidity(_ c: YAMLCase) {
        let requireProtocol = c.section != "urls_without_protocol"
        #expect(c.expectedBool != nil)
        #expect(TwitterText.isValidURL(c.text, requireProtocol: requireProtocol) == c.expectedBool, "\(c.testDescription)")
    }

    static func checkExtraction(_ c: YAMLCase) {
        #expect(c.expectedList != nil)
        #expect(TwitterText.extractURLs(in: c.text).map(\.url) == c.expectedList, "\(c.testDescription)")
    }

    static func checkMastodon(_ c: MastodonCase) {
        let count = MastodonCounter().count(c.text, context: CountContext(contentWarning: c.spoiler_text, mastodonLimit: c.max))
        #expect(count.isValid == c.expect_valid, "\(c.id): counted \(count.length)/\(c.max)")
    }

    static let weightedSections = ["WeightedTweetsWithDiscountedEmojiCounterTest", "UnicodeDirectionalMarkerCounterTest"]
    static let urlSections = ["urls", "urls_without_protocol"]
}
