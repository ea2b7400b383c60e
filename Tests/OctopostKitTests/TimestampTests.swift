import Foundation
import Testing
@testable import OctopostKit

@Suite struct TimestampTests {
    @Test func rejectsImpossibleDates() {
        #expect(throws: Timestamp.ParseError.outOfRange("2026-02-30T09:00:00Z")) {
            try Timestamp.resolve("2026-02-30T09:00:00Z", timeZone: nil)
        }
        #expect(throws: Timestamp.ParseError.self) { try Timestamp.resolve("2025-02-29T09:00:00Z", timeZone: nil) }
        #expect((try? Timestamp.resolve("2028-02-29T09:00:00Z", timeZone: nil)) != nil)
    }

    @Test func offsetsAndFormatting() throws {
        let r = try Timestamp.resolve("2026-04-10T11:00:00+02:00", timeZone: nil)
        #expect(Timestamp.format(r.instant) == "2026-04-10T09:00:00Z")
        #expect(r.hadOffset)
    }

    @Test func naiveTimeInZoneIsDSTCorrect() throws {
        let berlin = TimeZone(identifier: "Europe/Berlin")
        let summer = try Timestamp.resolve("2026-07-01T09:00", timeZone: berlin)
        #expect(Timestamp.format(summer.instant) == "2026-07-01T07:00:00Z")
        let winter = try Timestamp.resolve("2026-01-01T09:00:00", timeZone: berlin)
        #expect(Timestamp.format(winter.instant) == "2026-01-01T08:00:00Z")
        // 2026-03-29 02:30 does not exist in Berlin; 2026-10-25 02:30 happens twice.
        #expect(throws: Timestamp.ParseError.self) { try Timestamp.resolve("2026-03-29T02:30:00", timeZone: berlin) }
        let twice = try Timestamp.resolve("2026-10-25T02:30:00", timeZone: berlin)
        #expect(twice.ambiguous)
        #expect(Timestamp.format(twice.instant) == "2026-10-25T00:30:00Z")
    }

    @Test func naiveWithoutZoneIsAnError() {
        #expect(throws: Timestamp.ParseError.self) { try Timestamp.resolve("2026-04-10T09:00:00", timeZone: nil) }
    }

    @Test func formattingNeverTraps() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: .infinity)) == "9999-12-31T23:59:59Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59Z")
    }
}

@Suite struct TimestampYearTests {
    @Test func yearZeroIsAnError() {
        #expect(throws: Timestamp.ParseError.yearOutOfRange("0000-01-01T00:00:00Z")) {
            try Timestamp.resolve("0000-01-01T00:00:00Z", timeZone: nil)
        }
        #expect(throws: Timestamp.ParseError.yearOutOfRange("0000-06-01T09:00")) {
            try Timestamp.parseFields("0000-06-01T09:00")
        }
    }

    @Test func anOffsetCannotCarryATimeOutOfYears0001To9999() throws {
        #expect(throws: Timestamp.ParseError.yearOutOfRange("0001-01-01T00:30:00+01:00")) {
            try Timestamp.resolve("0001-01-01T00:30:00+01:00", timeZone: nil)
        }
        #expect(throws: Timestamp.ParseError.yearOutOfRange("9999-12-31T23:30:00-01:00")) {
            try Timestamp.resolve("9999-12-31T23:30:00-01:00", timeZone: nil)
        }
        let first = try Timestamp.resolve("0001-01-01T00:00:00Z", timeZone: nil)
        #expect(Timestamp.format(first.instant) == "0001-01-01T00:00:00Z")
        let last = try Timestamp.resolve("9999-12-31T23:59:59.5Z", timeZone: nil)
        #expect(Timestamp.format(last.instant) == "9999-12-31T23:59:59Z")
        #expect(Timestamp.ParseError.yearOutOfRange("0000-01-01T00:00:00Z").description
            == "'0000-01-01T00:00:00Z' is outside the years 0001 to 9999")
    }
}
