import Foundation

/// A Swift port of twitter-text v3 (twitter/twitter-text@30e2430, Apache-2.0): `parseTweet` weighted length,
/// URL and mention extraction, URL validation. Hand-written scanners over UTF-16 code units; no regular
/// expressions on the counting path.
public enum TwitterText {
    // MARK: Configuration

    /// A twitter-text weighting configuration (`config/v3.json`).
    public struct Configuration: Sendable, Equatable {
        public struct WeightRange: Sendable, Equatable {
            public var range: ClosedRange<UInt32>
            public var weight: Int
            public init(_ range: ClosedRange<UInt32>, weight: Int) {
                self.range = range
                self.weight = weight
            }
        }

        public var maxWeightedTweetLength: Int
        public var scale: Int
        public var defaultWeight: Int
        public var transformedURLLength: Int
        public var emojiParsingEnabled: Bool
        public var ranges: [WeightRange]

        public init(maxWeightedTweetLength: Int, scale: Int, defaultWeight: Int, transformedURLLength: Int,
                    emojiParsingEnabled: Bool, ranges: [WeightRange]) {
            self.maxWeightedTweetLength = maxWeightedTweetLength
            self.scale = scale
            self.defaultWeight = defaultWeight
            self.transformedURLLength = transformedURLLength
            self.emojiParsingEnabled = emojiParsingEnabled
            self.ranges = ranges
        }

        /// `config/v3.json`: the configuration X counts with.
        public static let v3 = Configuration(
            maxWeightedTweetLength: 280, scale: 100, defaultWeight: 200, transformedURLLength: 23, emojiParsingEnabled: true,
            ranges: [
                WeightRange(0...4351, weight: 100), WeightRange(8192...8205, weight: 100),
                WeightRange(8208...8223, weight: 100), WeightRange(8242...8247, weight: 100),
            ])

        /// `config/v2.json`: v3 without emoji parsing.
        public static let v2: Configuration = {
            var c = v3
            c.emojiParsingEnabled = false
            return c
        }()

        /// The weight of one UTF-16 code unit (a low surrogate falls outside every range, as in twitter-text).
        @inline(__always) func weight(of unit: UInt16) -> Int {
            let v = UInt32(unit)
            for r in ranges where r.range.contains(v) { return r.weight }
            return defaultWeight
        }
    }

    // MARK: parseTweet

    /// The result of `parseTweet`. Range ends are inclusive UTF-16 indices into the original text.
    public struct ParseResult: Sendable, Equatable {
        public var weightedLength: Int
        public var valid: Bool
        public var permillage: Int
        public var displayRangeStart: Int
        public var displayRangeEnd: Int
        public var validRangeStart: Int
        public var validRangeEnd: Int
        /// The text holds U+FFFE, U+FEFF or U+FFFF (twitter-text checks each position it steps on).
        public var hasInvalidCharacters: Bool

        public init(weightedLength: Int, valid: Bool, permillage: Int, displayRangeStart: Int, displayRangeEnd: Int,
                    validRangeStart: Int, validRangeEnd: Int, hasInvalidCharacters: Bool) {
            self.weightedLength = weightedLength
            self.valid = valid
            self.permillage = permillage
            self.displayRangeStart = displayRangeStart
            self.displayRangeEnd = displayRangeEnd
            self.validRangeStart = validRangeStart
            self.validRangeEnd = validRangeEnd
            self.hasInvalidCharacters = hasInvalidCharacters
        }
    }

    /// twitter-text `parseTweet`: NFC, then URLs (with and without protocol) weigh `transformedURLLength`,
    /// emoji sequences `defaultWeight`, everything else its code point's weight.
    public static func parseTweet(_ text: String, configuration config: Configuration = .v3) -> ParseResult {
        let originalLength = text.utf16.count
        let units = nfcUTF16(text)
        let n = units.count
        var extractor = URLExtractor(units)
        let urls = extractor.extract(withoutProtocol: true)

        let maxScaled = config.maxWeightedTweetLength * config.scale
        let urlWeight = config.transformedURLLength * config.scale
        var weighted = 0
        var validDisplayIndex = 0
        var valid = true
        var urlIndex = 0
        var i = 0
        while i < n {
            while urlIndex < urls.count, urls[urlIndex].start < i { urlIndex += 1 }
            if urlIndex < urls.count, urls[urlIndex].start == i {
                weighted += urlWeight
                i += urls[urlIndex].urlLength - 1
                urlIndex += 1
            } else if config.emojiParsingEnabled, case let len = EmojiMatcher.matchLength(units, at: i, end: n), len > 0 {
                weighted += config.defaultWeight
                i += len - 1
            } else {
                let c = units[i]
                if c >= 0xD800, c <= 0xDBFF, i + 1 < n, units[i + 1] >= 0xDC00, units[i + 1] <= 0xDFFF { i += 1 }
                weighted += config.weight(of: units[i])
            }
            if valid, i < n, TTChars.isInvalid(units[i]) { valid = false }
            if valid && weighted <= maxScaled { validDisplayIndex = i }
            i += 1
        }
        let hasInvalid = !valid
        let length = weighted / config.scale
        valid = valid && length > 0 && length <= config.maxWeightedTweetLength
        let permillage = Int((Double(length) / Double(config.maxWeightedTweetLength) * 1000).rounded(.down))
        return ParseResult(
            weightedLength: length, valid: valid, permillage: permillage,
            displayRangeStart: 0, displayRangeEnd: originalLength > 0 ? originalLength - 1 : 0,
            validRangeStart: 0, validRangeEnd: validDisplayIndex + (originalLength - n),
            hasInvalidCharacters: hasInvalid)
    }

    /// NFC form as UTF-16. Foundation's normalisation costs ~5 µs a post, so it is skipped when every scalar
    /// is NFC-stable on its own: canonical combining class 0 and NFC_QC=Yes (the quick-check algorithm of
    /// UAX #15). The ranges below are conservative (no combining marks, no singletons such as U+2126 or
    /// CJK compatibility ideographs, no conjoining jamo); any other scalar sends the text to Foundation.
    static func nfcUTF16(_ text: String) -> [UInt16] {
        let units = Array(text.utf16)
        var i = 0
        let n = units.count
        while i < n {
            let c = units[i]
            if c < 0x300 { i += 1; continue }
            var v = UInt32(c)
            if c >= 0xD800, c <= 0xDBFF, i + 1 < n, units[i + 1] >= 0xDC00, units[i + 1] <= 0xDFFF {
                v = 0x10000 + ((v - 0xD800) << 10) + (UInt32(units[i + 1]) - 0xDC00)
                i += 1
            }
            guard isNFCStable(v) else { return Array(text.precomposedStringWithCanonicalMapping.utf16) }
            i += 1
        }
        return units
    }

    @inline(__always) static func isNFCStable(_ v: UInt32) -> Bool {
        switch v {
        case 0x0400...0x0482, 0x048A...0x052F,  // Cyrillic, without the combining marks
             0x2002...0x20CF, 0x2100...0x2125, 0x2127...0x2129, 0x212C...0x2328, 0x232B...0x2ADB, 0x2ADD...0x2BFF,
             0x3000...0x3029, 0x3030...0x3098, 0x309B...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3,
             0xFE00...0xFE0F, 0xFF00...0xFFFF,
             0x1F000...0x1FAFF, 0xE0000...0xE007F:
            return true
        default:
            return false
        }
    }

    // MARK: Entities

    /// A URL found in a text. Offsets are UTF-16 offsets into the text that was scanned.
    public struct URLEntity: Sendable, Equatable {
        public var url: String
        public var utf16Range: Range<Int>
        public var hasProtocol: Bool

        public init(url: String, utf16Range: Range<Int>, hasProtocol: Bool) {
            self.url = url
            self.utf16Range = utf16Range
            self.hasProtocol = hasProtocol
        }

        /// The entity's range as `String.Index`es of `text` (the string it was extracted from).
        public func range(in text: String) -> Range<String.Index> {
            String.Index(utf16Offset: utf16Range.lowerBound, in: text)..<String.Index(utf16Offset: utf16Range.upperBound, in: text)
        }
    }

    /// twitter-text `extractUrlsWithIndices`. `withoutProtocol: false` is Mastodon's
    /// `extract_url_without_protocol: false`: only `http://` / `https://` URLs.
    /// The text is scanned as given (not normalised), so ranges index it directly.
    public static func extractURLs(in text: String, withoutProtocol: Bool = true) -> [URLEntity] {
        let units = Array(text.utf16)
        var extractor = URLExtractor(units)
        return extractor.extract(withoutProtocol: withoutProtocol).map { m in
            URLEntity(url: String(decoding: units[m.start..<m.end], as: UTF16.self), utf16Range: m.start..<m.end,
                      hasProtocol: m.hasProtocol)
        }
    }

    /// An @-mention: `@user` or, in fediverse style, `@user@domain`.
    public struct MentionEntity: Sendable, Equatable {
        /// The local part, without the at sign.
        public var username: String
        /// The instance domain of a fediverse mention.
        public var domain: String?
        /// UTF-16 offsets of the whole mention, at sign included.
        public var utf16Range: Range<Int>

        public init(username: String, domain: String?, utf16Range: Range<Int>) {
            self.username = username
            self.domain = domain
            self.utf16Range = utf16Range
        }

        public func range(in text: String) -> Range<String.Index> {
            String.Index(utf16Offset: utf16Range.lowerBound, in: text)..<String.Index(utf16Offset: utf16Range.upperBound, in: text)
        }
    }

    public enum MentionStyle: Sendable {
        /// twitter-text: `@name`, 1–20 of `[A-Za-z0-9_]`, also after `RT`.
        case twitter
        /// Mastodon: `@user` or `@user@domain` (`Account::MENTION_RE`).
        case fediverse
    }

    public static func extractMentions(in text: String, style: MentionStyle = .twitter) -> [MentionEntity] {
        let units = Array(text.utf16)
        let matches = style == .twitter ? MentionExtractor.twitter(units) : MentionExtractor.fediverse(units)
        return matches.map { m in
            MentionEntity(
                username: String(decoding: units[(m.start + 1)..<m.usernameEnd], as: UTF16.self),
                domain: m.end > m.usernameEnd ? String(decoding: units[(m.usernameEnd + 1)..<m.end], as: UTF16.self) : nil,
                utf16Range: m.start..<m.end)
        }
    }

    // MARK: Validation helpers

    /// twitter-text `isValidUrl(url, unicodeDomains, requireProtocol)`.
    public static func isValidURL(_ url: String, unicodeDomains: Bool = true, requireProtocol: Bool = true) -> Bool {
        URLValidator.isValid(url, unicodeDomains: unicodeDomains, requireProtocol: requireProtocol)
    }

    /// Whether the text holds a character that makes a post invalid (U+FFFE, U+FEFF, U+FFFF).
    public static func hasInvalidCharacters(_ text: String) -> Bool {
        text.utf16.contains(where: TTChars.isInvalid)
    }

    /// Whether a grapheme cluster starts with an emoji sequence in twemoji's sense (bare © ® ™ and digits are text).
    public static func isEmoji(_ character: Character) -> Bool {
        EmojiMatcher.isEmoji(character)
    }
}
