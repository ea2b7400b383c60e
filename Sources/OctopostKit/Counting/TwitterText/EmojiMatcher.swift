/// Emoji sequences as twemoji-parser 14 (the extractor twitter-text v3 uses) matches them, approximated
/// structurally over Unicode properties instead of its generated list of RGI sequences:
/// - keycaps `[0-9#*] FE0F? 20E3`;
/// - a pair of regional indicators (a flag), or a lone regional indicator;
/// - a tag sequence `1F3F4 [E0020–E007E]+ E007F`;
/// - an emoji scalar (Emoji=Yes minus `0-9 # *` and bare `© ® ™`, which twemoji treats as text unless
///   followed by FE0F) with optional FE0F / skin-tone modifier, then any `ZWJ element` continuations.
/// Differences from the generated list: every RI pair counts as a flag, every tag sequence as one emoji,
/// and any emoji ZWJ chain as one sequence (twemoji only joins RGI sequences of Unicode 14).
enum EmojiMatcher {
    /// UTF-16 length of the emoji sequence starting at `i`, or 0 when none starts there.
    static func matchLength(_ u: [UInt16], at i: Int) -> Int {
        matchLength(u, at: i, end: u.count)
    }

    static func matchLength(_ u: [UInt16], at i: Int, end n: Int) -> Int {
        let c = u[i]
        // Fast path: below U+00A9 only keycap bases can start an emoji.
        if c < 0xA9 {
            guard c == 0x23 || c == 0x2A || (c >= 0x30 && c <= 0x39) else { return 0 }
            var j = i + 1
            if j < n, u[j] == 0xFE0F { j += 1 }
            return j < n && u[j] == 0x20E3 ? j + 1 - i : 0
        }
        if c < 0x2000 && c != 0xA9 && c != 0xAE { return 0 }
        guard let (s, len) = scalar(u, i, n) else { return 0 }
        let v = s.value
        if v >= 0x1F1E6 && v <= 0x1F1FF {
            if let (s2, _) = scalar(u, i + 2, n), s2.value >= 0x1F1E6, s2.value <= 0x1F1FF { return 4 }
            return 2
        }
        if v == 0x1F3F4 {
            var j = i + 2
            var tags = 0
            while let (t, _) = scalar(u, j, n), t.value >= 0xE0020, t.value <= 0xE007E { j += 2; tags += 1 }
            if tags > 0, let (t, _) = scalar(u, j, n), t.value == 0xE007F { return j + 2 - i }
        }
        guard isElementStart(s, u, i + len, n) else { return 0 }
        var j = elementEnd(s, u, i + len, n)
        while j + 1 < n, u[j] == 0x200D, let (next, nlen) = scalar(u, j + 1, n), isElementStart(next, u, j + 1 + nlen, n),
              !isRegionalIndicator(next) {
            j = elementEnd(next, u, j + 1 + nlen, n)
        }
        return j - i
    }

    @inline(__always) static func isRegionalIndicator(_ s: Unicode.Scalar) -> Bool {
        s.value >= 0x1F1E6 && s.value <= 0x1F1FF
    }

    /// Whether `s` (whose next unit is at `after`) starts an emoji element.
    private static func isElementStart(_ s: Unicode.Scalar, _ u: [UInt16], _ after: Int, _ n: Int) -> Bool {
        let v = s.value
        if v < 0x80 { return false }
        if v == 0xA9 || v == 0xAE || v == 0x2122 { return after < n && u[after] == 0xFE0F }
        return s.properties.isEmoji
    }

    private static func elementEnd(_ s: Unicode.Scalar, _ u: [UInt16], _ after: Int, _ n: Int) -> Int {
        var j = after
        if j < n, u[j] == 0xFE0F { j += 1 }
        if s.properties.isEmojiModifierBase, let (m, mlen) = scalar(u, j, n), m.value >= 0x1F3FB, m.value <= 0x1F3FF {
            j += mlen
            if j < n, u[j] == 0xFE0F { j += 1 }
        }
        return j
    }

    @inline(__always) static func scalar(_ u: [UInt16], _ i: Int, _ n: Int) -> (Unicode.Scalar, Int)? {
        guard i < n else { return nil }
        let c = u[i]
        if c >= 0xD800 && c <= 0xDBFF, i + 1 < n, u[i + 1] >= 0xDC00, u[i + 1] <= 0xDFFF {
            let v = 0x10000 + ((UInt32(c) - 0xD800) << 10) + (UInt32(u[i + 1]) - 0xDC00)
            return Unicode.Scalar(v).map { ($0, 2) }
        }
        return Unicode.Scalar(UInt32(c)).map { ($0, 1) }
    }

    /// Whether a grapheme cluster (given as its scalars) begins with an emoji sequence.
    static func isEmoji(_ character: Character) -> Bool {
        let units = Array(character.utf16)
        return matchLength(units, at: 0) > 0
    }
}
