/// Matches twitter-text's `validGTLD | validCCTLD | validPunycode` alternation at a position.
enum TLDMatcher {
    /// Lower-cased TLD -> alternation rank (generic list first, then country list).
    static let rank: [String: Int] = {
        var table: [String: Int] = [:]
        table.reserveCapacity(TLDTable.generic.count + TLDTable.country.count)
        for (i, tld) in (TLDTable.generic + TLDTable.country).enumerated() where table[tld] == nil {
            table[tld] = i
        }
        return table
    }()

    /// Longest TLD in UTF-16 code units.
    static let maxLength: Int = (TLDTable.generic + TLDTable.country).map(\.utf16.count).max() ?? 0

    /// End of the TLD that twitter-text's regex picks at `start`, treating `limit` as the end of the string.
    /// Generic and country TLDs must be followed by a character outside `[0-9a-zA-Z@+-]` (or the end);
    /// among several candidates the earliest in alternation order wins. `xn--…` punycode comes last.
    static func match(_ u: [UInt16], at start: Int, limit: Int) -> Int? {
        guard start < limit else { return nil }
        var best: (rank: Int, end: Int)?
        var j = start
        let maxEnd = min(limit, start + maxLength)
        while j < maxEnd {
            let c = u[j]
            // TLD entries are made of letters; ASCII non-letters end every candidate.
            if c < 0x80 && !TTChars.isASCIILetter(c) { break }
            j += 1
            if j == limit || !TTChars.blocksTLDEnd(u[j]) {
                if let r = rank[key(u, start, j)], best == nil || r < best!.rank {
                    best = (r, j)
                }
            }
        }
        if let best { return best.end }
        // validPunycode: xn--[-0-9a-z]+ (no lookahead).
        if start + 4 < limit, u[start] | 0x20 == 0x78, u[start + 1] | 0x20 == 0x6E, u[start + 2] == 0x2D, u[start + 3] == 0x2D {
            var k = start + 4
            while k < limit, TTChars.isASCIIAlnum(u[k]) || u[k] == 0x2D { k += 1 }
            if k > start + 4 { return k }
        }
        return nil
    }

    private static func key(_ u: [UInt16], _ start: Int, _ end: Int) -> String {
        var ascii = true
        for k in start..<end where u[k] >= 0x80 { ascii = false; break }
        if ascii {
            return String(decoding: u[start..<end].lazy.map { TTChars.isASCIILetter($0) ? $0 | 0x20 : $0 }, as: UTF16.self)
        }
        return String(decoding: u[start..<end], as: UTF16.self).lowercased()
    }
}
