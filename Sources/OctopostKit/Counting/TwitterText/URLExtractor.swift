/// A hand-written port of twitter-text v3 `extractUrlsWithIndices` (js/src/extractUrlsWithIndices.js and the
/// `extractUrl` regex it runs), over UTF-16 code units so indices agree with the JS implementation.
///
/// The regex is `(validUrlPrecedingChars)((https?://)?(validDomain)(?::port)?(/validUrlPath*)?(\?query)?)`,
/// applied globally (each search resumes after the previous match, accepted or not).
struct URLExtractor {
    struct Match {
        /// UTF-16 offsets of the entity in the scanned text.
        var start: Int
        var end: Int
        /// UTF-16 length of twitter-text's `url` string (parseTweet skips this many units; it can differ
        /// from `end - start` for a protocol-less URL whose domain held a non-ASCII prefix).
        var urlLength: Int
        var hasProtocol: Bool
    }

    static let maxURLLength = 4096
    static let maxTcoSlugLength = 40

    let u: [UInt16]
    let n: Int
    private var labelDots: [Int] = []
    private var labelUnderscoreFree: [Bool] = []
    /// Scanning a label from any start inside [failFrom, failUntil) fails the same way (keeps CJK runs linear).
    private var failFrom = 0, failUntil = 0

    init(_ units: [UInt16]) {
        u = units
        n = units.count
        labelDots.reserveCapacity(8)
    }

    mutating func extract(withoutProtocol: Bool) -> [Match] {
        // twitter-text's cheap precheck: no '.' (or ':' when a protocol is required) means no URL.
        let needle: UInt16 = withoutProtocol ? 0x2E : 0x3A
        guard u.contains(needle) else { return [] }
        var results: [Match] = []
        var p = 0
        while p < n {
            guard let m = matchAt(p) else { p += 1; continue }
            p = max(m.urlEnd, p + 1)
            accept(m, withoutProtocol: withoutProtocol, into: &results)
        }
        return results
    }

    // MARK: - The regex

    private struct RawMatch {
        var beforeStart: Int
        var urlStart: Int
        var protocolEnd: Int  // == urlStart when there is no protocol
        var domainEnd: Int
        var pathStart: Int?  // index of the '/' starting $7
        var urlEnd: Int
    }

    /// The leftmost match whose `$2` (preceding char) begins at `p`: first the one-character alternative,
    /// then (only at the start of the text) the empty `^` alternative.
    private mutating func matchAt(_ p: Int) -> RawMatch? {
        if TTChars.isValidURLPreceding(u[p]), p + 1 < n, let m = matchURL(at: p + 1, beforeStart: p) { return m }
        if p == 0 { return matchURL(at: 0, beforeStart: 0) }
        return nil
    }

    private mutating func matchURL(at q: Int, beforeStart: Int) -> RawMatch? {
        var domainStart = q
        if let pe = protocolEnd(at: q), let de = matchDomain(at: pe) {
            domainStart = pe
            return finish(beforeStart: beforeStart, urlStart: q, protocolEnd: domainStart, domainEnd: de)
        }
        guard let de = matchDomain(at: domainStart) else { return nil }
        return finish(beforeStart: beforeStart, urlStart: q, protocolEnd: q, domainEnd: de)
    }

    private func finish(beforeStart: Int, urlStart: Int, protocolEnd: Int, domainEnd: Int) -> RawMatch {
        var pos = domainEnd
        // (?::([0-9]+))?
        if pos + 1 < n, u[pos] == 0x3A, TTChars.isDigit(u[pos + 1]) {
            pos += 2
            while pos < n, TTChars.isDigit(u[pos]) { pos += 1 }
        }
        var pathStart: Int?
        if pos < n, u[pos] == 0x2F {
            pathStart = pos
            pos = pathEnd(from: pos + 1)
        }
        if pos < n, u[pos] == 0x3F {
            var k = pos + 1
            var lastEnding = -1
            while k < n, TTChars.isQueryChar(u[k]) {
                if TTChars.isQueryEndingChar(u[k]) { lastEnding = k }
                k += 1
            }
            if lastEnding >= 0 { pos = lastEnding + 1 }
        }
        return RawMatch(beforeStart: beforeStart, urlStart: urlStart, protocolEnd: protocolEnd, domainEnd: domainEnd,
                        pathStart: pathStart, urlEnd: pos)
    }

    /// `https?://`, case-insensitive.
    private func protocolEnd(at q: Int) -> Int? {
        guard q + 7 <= n, u[q] | 0x20 == 0x68, u[q + 1] | 0x20 == 0x74, u[q + 2] | 0x20 == 0x74, u[q + 3] | 0x20 == 0x70
        else { return nil }
        var k = q + 4
        if u[k] | 0x20 == 0x73 { k += 1 }
        guard k + 3 <= n, u[k] == 0x3A, u[k + 1] == 0x2F, u[k + 2] == 0x2F else { return nil }
        return k + 3
    }

    /// `validSubdomain* validDomainName (validGTLD | validCCTLD | validPunycode)`.
    /// Labels are fully determined by the dots; the greedy `validSubdomain*` backs off one label at a time.
    private mutating func matchDomain(at q: Int) -> Int? {
        guard q < n, TTChars.isDomainChar(u[q]) else { return nil }
        if q > failFrom && q < failUntil { return nil }
        labelDots.removeAll(keepingCapacity: true)
        labelUnderscoreFree.removeAll(keepingCapacity: true)
        var pos = q
        while pos < n, TTChars.isDomainChar(u[pos]) {
            var k = pos + 1
            var hasUnderscore = false
            while k < n {
                let c = u[k]
                if c == 0x5F { hasUnderscore = true } else if c != 0x2D, !TTChars.isDomainChar(c) { break }
                k += 1
            }
            // The label must end with a domain char and be followed by '.'.
            guard k < n, u[k] == 0x2E, TTChars.isDomainChar(u[k - 1]) else { break }
            labelDots.append(k)
            labelUnderscoreFree.append(!hasUnderscore)
            pos = k + 1
        }
        var m = labelDots.count - 1
        while m >= 0 {
            if labelUnderscoreFree[m], let end = TLDMatcher.match(u, at: labelDots[m] + 1, limit: n) { return end }
            m -= 1
        }
        // A later start inside the same first label sees the same labels after it and a first label that is a
        // suffix of this one, so it fails too, unless this first label was only rejected for an underscore.
        if labelDots.isEmpty || labelUnderscoreFree[0] {
            failFrom = q
            var k = q
            while k < n, TTChars.isDomainChar(u[k]) || u[k] == 0x2D || u[k] == 0x5F { k += 1 }
            failUntil = k
        }
        return nil
    }

    /// `(/validUrlPath*)` after the '/': the longest run of path characters and balanced-paren groups
    /// that ends with a path-ending character or a paren group (possibly empty).
    private func pathEnd(from start: Int) -> Int {
        var pos = start
        var good = start
        while pos < n {
            let c = u[pos]
            if TTChars.isPathChar(c) {
                pos += 1
                if TTChars.isPathEndingChar(c) { good = pos }
            } else if c == 0x28, let e = balancedParensEnd(at: pos) {
                pos = e
                good = pos
            } else {
                break
            }
        }
        return good
    }

    /// `validUrlBalancedParens` at an opening paren: `\( (G+ | G* \( G+ \) G*) \)`.
    private func balancedParensEnd(at open: Int) -> Int? {
        var k = open + 1
        let runStart = k
        while k < n, TTChars.isPathChar(u[k]) { k += 1 }
        guard k < n else { return nil }
        if u[k] == 0x29 { return k > runStart ? k + 1 : nil }
        guard u[k] == 0x28 else { return nil }
        k += 1
        let innerStart = k
        while k < n, TTChars.isPathChar(u[k]) { k += 1 }
        guard k < n, k > innerStart, u[k] == 0x29 else { return nil }
        k += 1
        while k < n, TTChars.isPathChar(u[k]) { k += 1 }
        guard k < n, u[k] == 0x29 else { return nil }
        return k + 1
    }

    // MARK: - extractUrlsWithIndices post-processing

    private func accept(_ m: RawMatch, withoutProtocol: Bool, into results: inout [Match]) {
        let hasProtocol = m.protocolEnd > m.urlStart
        let protocolLength = hasProtocol ? m.protocolEnd - m.urlStart : 8  // DEFAULT_PROTOCOL "https://"
        guard domainIsValid(m.protocolEnd, m.domainEnd),
              protocolLength + (m.urlEnd - m.urlStart) <= Self.maxURLLength else { return }
        if hasProtocol {
            var end = m.urlEnd
            if let slugEnd = tcoSlugEnd(m) {
                if slugEnd - (m.protocolEnd + 5) > Self.maxTcoSlugLength { return }
                end = slugEnd
            }
            results.append(Match(start: m.urlStart, end: end, urlLength: end - m.urlStart, hasProtocol: true))
            return
        }
        guard withoutProtocol else { return }
        if m.beforeStart < m.urlStart {
            let b = u[m.beforeStart]  // invalidUrlWithoutProtocolPrecedingChars: [-_./]$
            if b == 0x2D || b == 0x5F || b == 0x2E || b == 0x2F { return }
        }
        // Every ASCII-only domain inside the matched domain becomes a URL; the last one takes the path.
        var i = m.urlStart
        var lastIndex: Int?
        var lastASCIIEnd = 0
        while i < m.domainEnd {
            if let e = asciiDomainEnd(at: i, limit: m.domainEnd) {
                results.append(Match(start: i, end: e, urlLength: e - i, hasProtocol: false))
                lastIndex = results.count - 1
                lastASCIIEnd = e
                i = e
            } else {
                i += 1
            }
        }
        if let last = lastIndex, m.pathStart != nil {
            let asciiLength = lastASCIIEnd - results[last].start
            results[last].urlLength = asciiLength + (m.urlEnd - m.domainEnd)
            results[last].end = m.urlEnd
        }
    }

    /// `validAsciiDomain` at `i` within the domain: `(?:[-a-z0-9 latin]+\.)+ (gTLD|ccTLD|punycode)`.
    private func asciiDomainEnd(at i: Int, limit: Int) -> Int? {
        var dots: [Int] = []
        var pos = i
        while pos < limit {
            var k = pos
            while k < limit, TTChars.isASCIIDomainLabelChar(u[k]) { k += 1 }
            guard k > pos, k < limit, u[k] == 0x2E else { break }
            dots.append(k)
            pos = k + 1
        }
        for dot in dots.reversed() {
            if let e = TLDMatcher.match(u, at: dot + 1, limit: limit) { return e }
        }
        return nil
    }

    /// `idna.toAscii(domain)` must succeed: no `xn--` domain with non-ASCII content, every label 1…63
    /// characters once punycode-encoded.
    private func domainIsValid(_ start: Int, _ end: Int) -> Bool {
        if end - start >= 4, u[start] == 0x78, u[start + 1] == 0x6E, u[start + 2] == 0x2D, u[start + 3] == 0x2D {
            // `domain.match(validAsciiDomain)` anywhere in the domain.
            var found = false
            var i = start
            while i < end, !found {
                if asciiDomainEnd(at: i, limit: end) != nil { found = true }
                i += 1
            }
            if !found { return false }
        }
        var labelStart = start
        var k = start
        while k <= end {
            if k == end || u[k] == 0x2E {
                guard let len = Punycode.asciiLength(ofLabel: u[labelStart..<k]), len >= 1, len <= 63 else { return false }
                labelStart = k + 1
            }
            k += 1
        }
        return true
    }

    /// `^https?://t\.co/([a-z0-9]+)` (case-insensitive): end of the slug, or nil when the URL is not a t.co link.
    private func tcoSlugEnd(_ m: RawMatch) -> Int? {
        let d = m.protocolEnd
        guard d + 5 < m.urlEnd, u[d] | 0x20 == 0x74, u[d + 1] == 0x2E, u[d + 2] | 0x20 == 0x63, u[d + 3] | 0x20 == 0x6F,
              u[d + 4] == 0x2F, TTChars.isASCIIAlnum(u[d + 5]) else { return nil }
        var k = d + 5
        while k < m.urlEnd, TTChars.isASCIIAlnum(u[k]) { k += 1 }
        return k
    }
}
