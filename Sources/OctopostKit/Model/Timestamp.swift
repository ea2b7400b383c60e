import Foundation

/// Strict RFC 3339 parsing, written out because Foundation's `ISO8601DateFormatter` silently
/// rolls `2026-02-30` over into March.
public enum Timestamp {
    public struct Fields: Sendable, Equatable {
        public var year, month, day, hour, minute, second: Int
        public var nanosecond: Int
        /// Seconds east of UTC, or nil for a naive (offset-less) time.
        public var offsetSeconds: Int?
    }

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case malformed(String)
        case outOfRange(String)
        case nonexistentLocalTime(String, zone: String)
        case unknownTimeZone(String)
        /// Year 0000, or an offset that carries the instant out of years 0001–9999 (which octopost writes).
        case yearOutOfRange(String)

        public var description: String {
            switch self {
            case .malformed(let s):
                "'\(s)' is not an RFC 3339 time (expected e.g. 2026-04-10T09:00:00Z or 2026-04-10T09:00:00+02:00)"
            case .outOfRange(let s): "'\(s)' is not a real date or time"
            case .nonexistentLocalTime(let s, let zone): "'\(s)' does not exist in \(zone) (the clocks skip it)"
            case .unknownTimeZone(let z): "unknown time zone '\(z)' (use an IANA name such as Europe/Berlin)"
            case .yearOutOfRange(let s): "'\(s)' is outside the years 0001 to 9999"
            }
        }
    }

    /// Parses `YYYY-MM-DD[T ]HH:MM[:SS[.frac]][Z|±HH:MM]`. Seconds may be omitted (people write 09:00).
    public static func parseFields(_ text: String) throws(ParseError) -> Fields {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) throws(ParseError) -> Int {
            guard i + n <= b.count else { throw .malformed(text) }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30 && c <= 0x39 else { throw .malformed(text) }
                v = v * 10 + Int(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) throws(ParseError) {
            guard i < b.count, b[i] == c else { throw .malformed(text) }
            i += 1
        }
        let year = try digits(4); try expect(0x2D)
        let month = try digits(2); try expect(0x2D)
        let day = try digits(2)
        guard i < b.count, b[i] == 0x54 || b[i] == 0x74 || b[i] == 0x20 else { throw .malformed(text) }
        i += 1
        let hour = try digits(2); try expect(0x3A)
        let minute = try digits(2)
        var second = 0
        var nano = 0
        if i < b.count, b[i] == 0x3A {
            i += 1
            second = try digits(2)
            if i < b.count, b[i] == 0x2E {
                i += 1
                var scale = 100_000_000
                let start = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                    nano += Int(b[i] - 0x30) * scale
                    scale /= 10
                    i += 1
                }
                guard i > start else { throw .malformed(text) }
            }
        }
        var offset: Int?
        if i < b.count {
            switch b[i] {
            case 0x5A, 0x7A: offset = 0; i += 1
            case 0x2B, 0x2D:
                let sign = b[i] == 0x2D ? -1 : 1
                i += 1
                let oh = try digits(2); try expect(0x3A)
                let om = try digits(2)
                guard oh <= 23, om <= 59 else { throw .outOfRange(text) }
                offset = sign * (oh * 3600 + om * 60)
            default: throw .malformed(text)
            }
        }
        guard i == b.count else { throw .malformed(text) }
        guard year >= 1 else { throw .yearOutOfRange(text) }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { throw .outOfRange(text) }
        return Fields(year: year, month: month, day: day, hour: hour, minute: minute, second: min(second, 59),
                      nanosecond: nano, offsetSeconds: offset)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Seconds since 1970 of the fields read as UTC (days-from-civil, proleptic Gregorian).
    static func epochSeconds(_ f: Fields) -> Int {
        let y = f.month <= 2 ? f.year - 1 : f.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (f.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + f.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return days * 86_400 + f.hour * 3600 + f.minute * 60 + f.second
    }

    /// The result of reading a time: the instant, and whether the local time was ambiguous (DST fall-back).
    public struct Resolved: Sendable, Equatable {
        public var instant: Date
        public var hadOffset: Bool
        public var ambiguous: Bool
    }

    /// Parses an RFC 3339 time. A naive time is read in `timeZone` (DST-correct: a skipped local time is an
    /// error, a repeated one takes the earlier instant and says so); without a zone a naive time is an error.
    public static func resolve(_ text: String, timeZone: TimeZone?) throws(ParseError) -> Resolved {
        let resolved = try resolveUnbounded(text, timeZone: timeZone)
        let seconds = resolved.instant.timeIntervalSince1970
        guard seconds >= firstInstant, seconds < lastInstant + 1 else { throw .yearOutOfRange(text) }
        return resolved
    }

    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, in seconds since 1970: the times octopost can write.
    static let firstInstant: Double = -62_135_596_800
    static let lastInstant: Double = 253_402_300_799

    private static func resolveUnbounded(_ text: String, timeZone: TimeZone?) throws(ParseError) -> Resolved {
        let f = try parseFields(text)
        let local = epochSeconds(f)
        let frac = Double(f.nanosecond) / 1e9
        if let offset = f.offsetSeconds {
            return Resolved(instant: Date(timeIntervalSince1970: Double(local - offset) + frac), hadOffset: true,
                            ambiguous: false)
        }
        guard let zone = timeZone else { throw .malformed(text) }
        var candidates: [Int] = []
        for probe in [local - 86_400, local, local + 86_400] {
            let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(probe)))
            let candidate = local - offset
            if zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(candidate))) == offset,
               !candidates.contains(candidate) {
                candidates.append(candidate)
            }
        }
        guard let first = candidates.min() else { throw .nonexistentLocalTime(text, zone: zone.identifier) }
        return Resolved(instant: Date(timeIntervalSince1970: Double(first) + frac), hadOffset: false,
                        ambiguous: candidates.count > 1)
    }

    /// `2026-04-10T09:00:00Z` (whole seconds, UTC), the form octopost writes.
    public static func format(_ date: Date) -> String {
        // Clamped to years 0001–9999: a huge Retry-After or delay must never trap.
        let raw = date.timeIntervalSince1970
        let bounded = raw.isFinite ? min(max(raw, firstInstant), lastInstant) : lastInstant
        let total = Int(bounded.rounded(.down))
        var days = total / 86_400
        var secs = total % 86_400
        if secs < 0 { secs += 86_400; days -= 1 }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func p(_ v: Int, _ w: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(p(y, 4))-\(p(m))-\(p(d))T\(p(secs / 3600)):\(p(secs % 3600 / 60)):\(p(secs % 60))Z"
    }
}

/// A duration written `90s`, `5m`, `1h`, `7d` (or a combination such as `1h30m`).
public enum DurationText {
    public static func parse(_ text: String) -> TimeInterval? {
        var total = 0.0
        var number = ""
        var sawUnit = false
        for ch in text.trimmingCharacters(in: .whitespaces) {
            if ch.isASCII, ch.isNumber { number.append(ch); continue }
            guard let n = Double(number) else { return nil }
            switch ch {
            case "s": total += n
            case "m": total += n * 60
            case "h": total += n * 3600
            case "d": total += n * 86_400
            case "w": total += n * 604_800
            default: return nil
            }
            number = ""
            sawUnit = true
        }
        guard number.isEmpty, sawUnit else { return nil }
        return total
    }
}
