import Foundation
import OctopostKit
import Testing

/// `LintRule` is the one list of rule ids (SPEC §6 output): ids in the shape users filter on, and a
/// one-line summary and a rationale for each (SARIF and the README print them).
@Suite struct LintRuleIDTests {
    @Test func idsAreLowercaseWordsJoinedByHyphens() {
        for rule in LintRule.allCases {
            #expect(rule.rawValue.wholeMatch(of: /[a-z]+(-[a-z]+)*/) != nil, "\(rule.rawValue)")
            #expect("\(rule)" == rule.rawValue, "interpolation prints the id")
        }
    }

    @Test func everyRuleHasOneLineSummaryAndRationale() {
        for rule in LintRule.allCases {
            for text in [rule.summary, rule.rationale] {
                #expect(!text.isEmpty && !text.contains("\n") && !text.contains("|") && text.hasSuffix("."), "\(rule.rawValue): \(text)")
            }
            #expect(rule.summary != rule.rationale)
        }
    }

    @Test func diagnosticsEncodeTheRuleAsItsID() throws {
        let d = Diagnostic(file: "content/a.md", rule: .unknownKey, message: "m")
        #expect(d.formatted == "content/a.md:1:1: error: m [unknown-key]")
        let json = String(decoding: try JSONEncoder().encode(d), as: UTF8.self)
        #expect(json.contains(#""rule":"unknown-key""#))
    }

    @Test func countedMeasuresMapToTheirRules() {
        #expect(["characters", "graphemes", "bytes"].map(LintRule.init(measureUnit:)) == [.length, .length, .length])
        #expect(["links", "hashtags", "mentions"].map(LintRule.init(measureUnit:)) == [.links, .hashtags, .mentions])
    }
}
