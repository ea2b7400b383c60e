import Foundation
import Testing
@testable import OctopostKit

/// Every case of the shared conformance data, when ../shared/conformance exists beside the package.
@Suite("Conformance (shared folder)", .enabled(if: ConformanceData.sharedAvailable, "../shared/conformance is absent"))
struct SharedConformanceTests {
    static var validate: URL { ConformanceData.sharedRoot.appendingPathComponent("twitter-text/conformance_validate.yml") }

    @Test func weightedV3() throws {
        let cases = try ConformanceData.cases(in: Self.validate, sections: ConformanceData.weightedSections)
        #expect(cases.count == 24)
        for c in cases { ConformanceData.checkWeighted(c) }
    }

    @Test func urlValidation() throws {
        let cases = try ConformanceData.cases(in: Self.validate, sections: ConformanceData.urlSections)
        #expect(cases.count == 29)
        for c in cases { ConformanceData.checkURLValidity(c) }
    }

    @Test func tldExtraction() throws {
        let file = ConformanceData.sharedRoot.appendingPathComponent("twitter-text/conformance_tlds.yml")
        let cases = try ConformanceData.cases(in: file, sections: ["country", "generic"])
        #expect(cases.count == 1574)
        for c in cases { ConformanceData.checkExtraction(c) }
    }

    @Test func mastodonStatusLength() throws {
        let cases = try ConformanceData.mastodonCases(
            in: ConformanceData.sharedRoot.appendingPathComponent("mastodon/status-length-cases.json"))
        #expect(cases.count == 10)
        for c in cases { ConformanceData.checkMastodon(c) }
    }
}

/// The committed subset (Fixtures/conformance-subset): always runs.
@Suite("Conformance (committed subset)")
struct SubsetConformanceTests {
    static var root: URL { ConformanceData.subsetRoot }

    @Test func weightedV3() throws {
        let cases = try ConformanceData.cases(in: Self.root.appendingPathComponent("twitter-text/validate-subset.yml"),
                                              sections: ConformanceData.weightedSections)
        #expect(cases.count == 24)
        for c in cases { ConformanceData.checkWeighted(c) }
    }

    @Test func urlValidation() throws {
        let cases = try ConformanceData.cases(in: Self.root.appendingPathComponent("twitter-text/validate-subset.yml"),
                                              sections: ConformanceData.urlSections)
        #expect(cases.count == 20)
        for c in cases { ConformanceData.checkURLValidity(c) }
    }

    @Test func tldExtraction() throws {
        let cases = try ConformanceData.cases(in: Self.root.appendingPathComponent("twitter-text/tlds-subset.yml"),
                                              sections: ["country", "generic"])
        #expect(cases.count == 16)
        for c in cases { ConformanceData.checkExtraction(c) }
    }

    @Test func mastodonStatusLength() throws {
        let cases = try ConformanceData.mastodonCases(in: Self.root.appendingPathComponent("mastodon/status-length-cases.json"))
        #expect(cases.count == 10)
        for c in cases { ConformanceData.checkMastodon(c) }
    }

    @Test func licenseKeptBesideTwitterTextData() {
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("twitter-text/LICENSE").path))
    }
}
