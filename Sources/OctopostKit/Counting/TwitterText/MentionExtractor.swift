/// @-mention scanners over UTF-16 code units.
enum MentionExtractor {
    struct Match {
        var start: Int  // the '@'
        var end: Int
        var usernameEnd: Int  // end of the local part (== end without a domain)
    }

    @inline(__always) private static func isAt(_ c: UInt16) -> Bool { c == 0x40 || c == 0xFF20 }
    @inline(__always) private static func isNameChar(_ c: UInt16) -> Bool { TTChars.isASCIIAlnum(c) || c == 0x5F }

    /// twitter-text `endMentionMatch`: a mention followed by an at sign, a Latin accented letter or `://` is not one.
    private static func endsBadly(_ u: [UInt16], _ k: Int) -> Bool {
        guard k < u.count else { return false }
        let c = u[k]
        if isAt(c) || TTChars.isLatinAccent(c) { return true }
        return c == 0x3A && k + 2 < u.count && u[k + 1] == 0x2F && u[k + 2] == 0x2F
    }

    /// twitter-text `extractMentionsOrListsWithIndices` (mentions only; a `/list` suffix is not part of the range):
    /// `(validMentionPrecedingChars)[@＠]([a-zA-Z0-9_]{1,20})`.
    static func twitter(_ u: [UInt16]) -> [Match] {
        var out: [Match] = []
        let n = u.count
        var i = 0
        while i < n {
            guard isAt(u[i]), precedingAllowsTwitterMention(u, i) else { i += 1; continue }
            var k = i + 1
            while k < n, k - i - 1 < 20, isNameChar(u[k]) { k += 1 }
            guard k > i + 1 else { i += 1; continue }
            var end = k
            // Optional list slug: /[a-zA-Z][a-zA-Z0-9_-]{0,24} (consumed by the regex before the end check).
            if end + 1 < n, u[end] == 0x2F, TTChars.isASCIILetter(u[end + 1]) {
                var l = end + 2
                while l < n, l - end - 2 < 24, isNameChar(u[l]) || u[l] == 0x2D { l += 1 }
                end = l
            }
            if !endsBadly(u, end) { out.append(Match(start: i, end: k, usernameEnd: k)) }
            i = end
        }
        return out
    }

    /// `validMentionPrecedingChars`: `^|[^a-zA-Z0-9_!#$%&*@＠]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?`.
    private static func precedingAllowsTwitterMention(_ u: [UInt16], _ i: Int) -> Bool {
        if i == 0 { return true }
        let p = u[i - 1]
        let blocked = TTChars.isASCIIAlnum(p) || p == 0x5F || p == 0x21 || p == 0x23 || p == 0x24 || p == 0x25
            || p == 0x26 || p == 0x2A || isAt(p)
        if !blocked { return true }
        // "RT@user": (?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt) right before the at sign (":" is never blocked).
        guard i >= 2, p | 0x20 == 0x74, u[i - 2] | 0x20 == 0x72 else { return false }
        if i == 2 { return true }
        let b = u[i - 3]
        return !(TTChars.isASCIIAlnum(b) || b == 0x5F || b == 0x2B || b == 0x7E || b == 0x2E || b == 0x2D)
    }

    /// Fediverse mentions as Mastodon recognises them (`Account::MENTION_RE`):
    /// `(?<![=/[:word:]])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@([[:word:]]+(?:[.-]+[[:word:]]+)*))?`, then twitter-text's
    /// `endMentionMatch`. A domain longer than 253 characters or with a label over 63 is not a host,
    /// so the text is not a mention (Mastodon counts it in full).
    static func fediverse(_ u: [UInt16]) -> [Match] {
        var out: [Match] = []
        let n = u.count
        var i = 0
        while i < n {
            guard u[i] == 0x40, i == 0 || !(u[i - 1] == 0x3D || u[i - 1] == 0x2F || isWordUnit(u, i - 1)) else {
                i += 1
                continue
            }
            guard let nameEnd = dottedRun(u, from: i + 1, isChar: isNameChar) else { i += 1; continue }
            var end = nameEnd
            if nameEnd + 1 < n, u[nameEnd] == 0x40,
               let domainEnd = dottedRun(u, from: nameEnd + 1, isChar: { TTChars.isASCIIAlnum($0) || $0 == 0x5F || $0 >= 0x80 && isWordUnitValue($0) }) {
                guard hostIsPlausible(u, nameEnd + 1, domainEnd) else { i = domainEnd; continue }
                end = domainEnd
            }
            if !endsBadly(u, end) { out.append(Match(start: i, end: end, usernameEnd: nameEnd)) }
            i = end
        }
        return out
    }

    /// `X+(?:[.-]+X+)*`: end of the run, nil when it does not start with X.
    private static func dottedRun(_ u: [UInt16], from start: Int, isChar: (UInt16) -> Bool) -> Int? {
        let n = u.count
        var k = start
        while k < n, isChar(u[k]) { k += 1 }
        guard k > start else { return nil }
        var end = k
        while end < n, u[end] == 0x2E || u[end] == 0x2D {
            var s = end
            while s < n, u[s] == 0x2E || u[s] == 0x2D { s += 1 }
            var e = s
            while e < n, isChar(u[e]) { e += 1 }
            guard e > s else { break }
            end = e
        }
        return end
    }

    private static func hostIsPlausible(_ u: [UInt16], _ start: Int, _ end: Int) -> Bool {
        guard end - start <= 253 else { return false }
        var labelStart = start
        for k in start...end where k == end || u[k] == 0x2E {
            if k - labelStart > 63 { return false }
            labelStart = k + 1
        }
        return true
    }

    /// Ruby `[[:word:]]` (letters, marks, numbers, connector punctuation) for the unit at `i`.
    private static func isWordUnit(_ u: [UInt16], _ i: Int) -> Bool {
        let c = u[i]
        if c < 0x80 { return TTChars.isASCIIAlnum(c) || c == 0x5F }
        if c >= 0xDC00 && c <= 0xDFFF, i > 0, let (s, _) = EmojiMatcher.scalar(u, i - 1, u.count) { return isWordScalar(s) }
        return isWordUnitValue(c)
    }

    private static func isWordUnitValue(_ c: UInt16) -> Bool {
        if c < 0x80 { return TTChars.isASCIIAlnum(c) || c == 0x5F }
        if c >= 0xD800 && c <= 0xDFFF { return true }  // astral letters: accept the surrogate halves
        guard let s = Unicode.Scalar(UInt32(c)) else { return false }
        return isWordScalar(s)
    }

    private static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation:
            return true
        default:
            return false
        }
    }
}
