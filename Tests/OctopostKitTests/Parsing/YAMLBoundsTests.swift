import Foundation
import Testing
@testable import OctopostKit

@Suite struct YAMLBoundsTests {
    @Test func anAliasAsAMappingKeyIsALocatedError() throws {
        let v = try #require(YAMLBounds.check("a: &k x\n? *k\n: 1\n"))
        #expect(v.line == 2 && v.column == 3)
        #expect(v.message == "an alias (*k) cannot be used in a field name: write the name out")
        // Also in flow style, and inside a key that is itself a list or map.
        #expect(YAMLBounds.check("a: &k x\nb: {*k : 1}\n")?.line == 2)
        #expect(YAMLBounds.check("a: &k [x]\n? [y, *k]\n: 1\n")?.column == 7)
        #expect(YAMLBounds.check("a: &k [x]\n? {y: [*k]}\n: 1\n") != nil)
    }

    @Test func aliasesAsValuesAreLeftAloneUnlessABudgetIsGiven() {
        var text = "a0: &k0 [x, x, x, x, x, x, x, x]\n"
        for i in 1...9 { text += "a\(i): &k\(i) [" + Array(repeating: "*k\(i - 1)", count: 8).joined(separator: ", ") + "]\n" }
        text += "b: *k9\nc: {d: *k0}\n"
        #expect(YAMLBounds.check(text) == nil)
        let v = YAMLBounds.check(text, aliasBudget: 10_000)
        #expect(v?.line == 5, "k4 (8^5 values) is where 10000 is crossed")
        #expect(v?.message.hasPrefix("the aliases up to here (*k3) repeat more than 10000 values") == true)
        #expect(YAMLBounds.check("a: &k [x, y]\nb: *k\nc: *k\n", aliasBudget: 10) == nil)
    }

    @Test func whatIsNotAnAliasOrNotYAMLIsLeftToTheParser() {
        #expect(YAMLBounds.check("title: a * b\nx: '*k'\n") == nil)
        #expect(YAMLBounds.check("? *undefined\n: 1\n") != nil)  // still never a key
        #expect(YAMLBounds.check("a: *undefined\n") == nil)
        #expect(YAMLBounds.check("a: [*k\n") == nil)
    }

    @Test func aPostAndTheConfigReportItWhereItIs() {
        let post = PostParser().parse(bytes: Array("---\nplatforms: [mastodon]\nx: &k a\n? *k\n: 1\n---\nhi\n".utf8),
                                      path: "content/p.md")
        #expect(post.post == nil)
        #expect(post.diagnostics.map(\.formatted) == [
            "content/p.md:4:3: error: an alias (*k) cannot be used in a field name: write the name out [yaml]",
        ])
        let config = ConfigLoader.load(bytes: Array("timezone: UTC\nx: &k a\n? *k\n: 1\n".utf8))
        #expect(config.errors.map(\.formatted) == [
            "octopost.yaml:3:3: error: an alias (*k) cannot be used in a field name: write the name out [yaml]",
        ])
    }
}
