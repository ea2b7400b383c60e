/// Character classes of twitter-text's URL grammar, as predicates over UTF-16 code units
/// (twitter-text JS matches on UTF-16 code units, so a surrogate half is "some non-ASCII unit").
/// Ported from twitter-text v3 `js/src/regexp/*` (Apache-2.0); case-insensitive where the JS regex is.
enum TTChars {
    @inline(__always) static func isASCIILetter(_ c: UInt16) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    @inline(__always) static func isDigit(_ c: UInt16) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isASCIIAlnum(_ c: UInt16) -> Bool { isASCIILetter(c) || isDigit(c) }
    @inline(__always) static func isCyrillic(_ c: UInt16) -> Bool { c >= 0x0400 && c <= 0x04FF }

    /// `latinAccentChars`.
    static func isLatinAccent(_ c: UInt16) -> Bool {
        if c < 0xC0 { return false }
        if c <= 0xFF { return c != 0xD7 && c != 0xF7 }
        if c <= 0x024F { return true }
        switch c {
        case 0x0253, 0x0254, 0x0256, 0x0257, 0x0259, 0x025B, 0x0263, 0x0268, 0x026F, 0x0272, 0x0289, 0x028B, 0x02BB:
            return true
        case 0x0300...0x036F, 0x1E00...0x1EFF:
            return true
        default:
            return false
        }
    }

    /// `spacesGroup`.
    static func isSpace(_ c: UInt16) -> Bool {
        switch c {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x180E, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// `invalidCharsGroup`: U+FFFE, U+FEFF, U+FFFF make a post invalid.
    @inline(__always) static func isInvalid(_ c: UInt16) -> Bool { c == 0xFFFE || c == 0xFEFF || c == 0xFFFF }

    /// `directionalMarkersGroup`.
    static func isDirectional(_ c: UInt16) -> Bool {
        switch c {
        case 0x202A...0x202E, 0x061C, 0x200E, 0x200F, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `punct`: ! ' # % & ( ) * + , \ - . / : ; < = > ? @ [ ] ^ _ { | } ~ $ (not `"` nor backquote).
    static func isPunct(_ c: UInt16) -> Bool {
        switch c {
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
             0x3A, 0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x7B, 0x7C, 0x7D, 0x7E:
            return true
        default:
            return false
        }
    }

    /// `validDomainChars` = not `invalidDomainChars` (punct, spaces, invalid, directional).
    @inline(__always) static func isDomainChar(_ c: UInt16) -> Bool {
        if c < 0x80 { return !isPunct(c) && !isSpace(c) }
        return !(isSpace(c) || isInvalid(c) || isDirectional(c))
    }

    /// `validUrlPrecedingChars` first alternative: `[^A-Za-z0-9@＠$#＃ invalid]`.
    @inline(__always) static func isValidURLPreceding(_ c: UInt16) -> Bool {
        !(isASCIIAlnum(c) || c == 0x40 || c == 0xFF20 || c == 0x24 || c == 0x23 || c == 0xFF03 || isInvalid(c))
    }

    /// `validGeneralUrlPathChars`.
    static func isPathChar(_ c: UInt16) -> Bool {
        if c < 0x80 {
            if isASCIIAlnum(c) { return true }
            switch c {
            case 0x21, 0x2A, 0x27, 0x3B, 0x3A, 0x3D, 0x2B, 0x2C, 0x2E, 0x24, 0x2F, 0x25, 0x23, 0x5B, 0x5D, 0x2D, 0x5F, 0x7E,
                 0x40, 0x7C, 0x26:
                return true
            default:
                return false
            }
        }
        return c == 0x2013 || isCyrillic(c) || isLatinAccent(c)
    }

    /// `validUrlPathEndingChars` (single-character part).
    static func isPathEndingChar(_ c: UInt16) -> Bool {
        if c < 0x80 {
            return isASCIIAlnum(c) || c == 0x2B || c == 0x2D || c == 0x3D || c == 0x5F || c == 0x23 || c == 0x2F
        }
        return isCyrillic(c) || isLatinAccent(c)
    }

    /// `validUrlQueryChars`.
    static func isQueryChar(_ c: UInt16) -> Bool {
        if c >= 0x80 { return false }
        if isASCIIAlnum(c) { return true }
        switch c {
        case 0x21, 0x3F, 0x2A, 0x27, 0x40, 0x28, 0x29, 0x3B, 0x3A, 0x26, 0x3D, 0x2B, 0x24, 0x2F, 0x25, 0x23, 0x5B, 0x5D,
             0x2D, 0x5F, 0x2E, 0x2C, 0x7E, 0x7C:
            return true
        default:
            return false
        }
    }

    /// `validUrlQueryEndingChars`.
    static func isQueryEndingChar(_ c: UInt16) -> Bool {
        isASCIIAlnum(c) || c == 0x2D || c == 0x5F || c == 0x26 || c == 0x3D || c == 0x23 || c == 0x2F
    }

    /// The TLD lookahead `(?=[^0-9a-zA-Z@+-]|$)` fails on these.
    @inline(__always) static func blocksTLDEnd(_ c: UInt16) -> Bool {
        isASCIIAlnum(c) || c == 0x40 || c == 0x2B || c == 0x2D
    }

    /// `validAsciiDomain` label characters: `[-a-z0-9 latinAccentChars]`.
    @inline(__always) static func isASCIIDomainLabelChar(_ c: UInt16) -> Bool {
        isASCIIAlnum(c) || c == 0x2D || isLatinAccent(c)
    }
}
