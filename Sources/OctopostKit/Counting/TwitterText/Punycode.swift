/// RFC 3492 Punycode, only as far as twitter-text needs it: the length of a label's ASCII form.
/// twitter-text (`lib/idna.js`) rejects a URL whose domain has a label whose `punycode.toASCII`
/// form is empty or longer than 63 characters.
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    /// Length of punycode.js `toASCII(label)`: the label split on the IDNA dot separators
    /// (. 。 ． ｡), each non-ASCII part encoded as `xn--…`, joined by dots.
    static func asciiLength(ofLabel label: ArraySlice<UInt16>) -> Int? {
        var total = 0
        var partStart = label.startIndex
        var parts = 0
        var i = label.startIndex
        while true {
            let atEnd = i == label.endIndex
            if atEnd || isSeparator(label[i]) {
                guard let n = partLength(label[partStart..<i]) else { return nil }
                total += n
                parts += 1
                if atEnd { break }
                partStart = i + 1
            }
            i += 1
        }
        return total + (parts - 1)
    }

    @inline(__always) private static func isSeparator(_ c: UInt16) -> Bool {
        c == 0x2E || c == 0x3002 || c == 0xFF0E || c == 0xFF61
    }

    private static func partLength(_ part: ArraySlice<UInt16>) -> Int? {
        if part.allSatisfy({ $0 < 0x80 }) { return part.count }
        // Code points (punycode.js ucs2decode keeps lone surrogates as code points).
        var cps: [Int] = []
        cps.reserveCapacity(part.count)
        var i = part.startIndex
        while i < part.endIndex {
            let c = Int(part[i])
            if c >= 0xD800, c <= 0xDBFF, i + 1 < part.endIndex, part[i + 1] >= 0xDC00, part[i + 1] <= 0xDFFF {
                cps.append(((c - 0xD800) << 10) + Int(part[i + 1]) - 0xDC00 + 0x10000)
                i += 2
            } else {
                cps.append(c)
                i += 1
            }
        }
        guard let encoded = encodedLength(cps) else { return nil }
        return 4 + encoded
    }

    /// Number of characters `punycode.encode` outputs for these code points (nil on overflow).
    static func encodedLength(_ input: [Int]) -> Int? {
        var n = initialN, delta = 0, bias = initialBias
        let basicLength = input.reduce(0) { $0 + ($1 < 0x80 ? 1 : 0) }
        var output = basicLength
        var handled = basicLength
        if basicLength > 0 { output += 1 }  // delimiter
        let maxInt = Int(Int32.max)
        while handled < input.count {
            var m = maxInt
            for c in input where c >= n && c < m { m = c }
            let inc = (m - n) * (handled + 1)
            if m - n > (maxInt - delta) / (handled + 1) { return nil }
            delta += inc
            n = m
            for c in input {
                if c < n {
                    delta += 1
                    if delta > maxInt { return nil }
                }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output += 1
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output += 1
                    bias = adapt(delta, handled + 1, handled == basicLength)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }

    private static func adapt(_ delta: Int, _ numPoints: Int, _ firstTime: Bool) -> Int {
        var d = firstTime ? delta / damp : delta >> 1
        d += d / numPoints
        var k = 0
        while d > ((base - tMin) * tMax) >> 1 {
            d /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * d / (d + skew)
    }
}
