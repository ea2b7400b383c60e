import Foundation

/// One rich-text facet of a Bluesky post (`app.bsky.richtext.facet`): UTF-8 byte range, end exclusive.
public struct BlueskyFacet: Sendable, Equatable {
    public enum Feature: Sendable, Equatable {
        case link(uri: String)
        /// Detected with the handle; `BlueskyAdapter` resolves it to a DID or drops the facet.
        case mention(handle: String)
        case resolvedMention(did: String)
        /// Without the leading `#`; cashtags are `$TICKER`.
        case tag(String)
    }

    public var byteStart: Int
    public var byteEnd: Int
    public var feature: Feature

    public init(byteStart: Int, byteEnd: Int, feature: Feature) {
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.feature = feature
    }

    var json: JSONValue {
        let feature: JSONValue = switch self.feature {
        case .link(let uri): ["$type": "app.bsky.richtext.facet#link", "uri": .string(uri)]
        case .mention(let handle): ["$type": "app.bsky.richtext.facet#mention", "did": .string(handle)]
        case .resolvedMention(let did): ["$type": "app.bsky.richtext.facet#mention", "did": .string(did)]
        case .tag(let tag): ["$type": "app.bsky.richtext.facet#tag", "tag": .string(tag)]
        }
        return ["index": ["byteStart": .int(byteStart), "byteEnd": .int(byteEnd)], "features": [feature]]
    }
}

/// Detects links, mentions, hashtags and cashtags the way the atproto TypeScript SDK does
/// (`packages/api/src/rich-text/detection.ts` and `util.ts`; PLATFORMS §2.D). The SDK runs JavaScript
/// regular expressions over UTF-16; these are the same expressions in ICU syntax (NSRegularExpression
/// also works on UTF-16), with JavaScript's `\s`, ASCII `\d` and ASCII `\b` spelled out, since ICU's
/// are Unicode-wide. Offsets are converted from UTF-16 to UTF-8 at the end.
public enum BlueskyRichText {
    /// JavaScript's `\s` (WhiteSpace + LineTerminator).
    private static let space = "\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF"
    private static let zeroWidth = "\\u00AD\\u2060\\u200A\\u200B\\u200C\\u200D\\u20E2"

    private static func regex(_ pattern: String, _ options: NSRegularExpression.Options = []) -> NSRegularExpression {
        // The patterns are constants, not user input; the conformance tests compile every one.
        // swiftlint:disable:next force_try
        try! NSRegularExpression(pattern: pattern, options: options)
    }

    private static var mention: NSRegularExpression {
        regex("(^|[\(space)]|\\()(@)([a-zA-Z0-9.-]+)"
            + "(?:(?<=[A-Za-z0-9_])(?![A-Za-z0-9_])|(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]))")
    }
    private static var link: NSRegularExpression {
        regex("(^|[\(space)]|\\()(([hH][tT][tT][pP][sS]?://[^\(space)]+)"
            + "|((?<domain>[a-zA-Z][a-zA-Z0-9]*(\\.[a-zA-Z0-9]+)+)[^\(space)]*))", [.anchorsMatchLines])
    }
    private static var tag: NSRegularExpression {
        regex("(^|[\(space)])[#\\uFF03]((?!\\uFE0F)[^\(space)\(zeroWidth)]*[^0-9\(space)\\p{P}\(zeroWidth)]+"
            + "[^\(space)\(zeroWidth)]*)?")
    }
    private static var cashtag: NSRegularExpression {
        regex("(^|[\(space)]|\\()\\$([A-Za-z][A-Za-z0-9]{0,4})(?=$|[\(space)]|\\p{P})")
    }
    private static var trailingPunctuation: NSRegularExpression { regex("\\p{P}+$") }

    /// Facets in text order, mentions still carrying their handles. Overlapping facets are dropped
    /// (the lexicon forbids them); the first in text order wins.
    public static func detect(_ text: String) -> [BlueskyFacet] {
        let ns = text as NSString
        let whole = NSRange(location: 0, length: ns.length)
        var found: [(start: Int, end: Int, feature: BlueskyFacet.Feature)] = []  // UTF-16 offsets

        for m in mention.matches(in: text, range: whole) {
            let handle = ns.substring(with: m.range(at: 3))
            guard isValidDomain(handle) || handle.hasSuffix(".test") else { continue }
            let start = m.range(at: 3).location - 1
            found.append((start, start + m.range(at: 3).length + 1, .mention(handle: handle)))
        }
        for m in link.matches(in: text, range: whole) {
            var uri = ns.substring(with: m.range(at: 2))
            if !uri.hasPrefix("http") {
                let domainRange = m.range(withName: "domain")
                guard domainRange.location != NSNotFound, isValidDomain(ns.substring(with: domainRange)) else { continue }
                uri = "https://" + uri
            }
            let start = m.range(at: 2).location
            var end = start + m.range(at: 2).length
            if let last = uri.last, ".,;:!?".contains(last) {
                uri.removeLast()
                end -= 1
            }
            if uri.hasSuffix(")") && !uri.contains("(") {
                uri.removeLast()
                end -= 1
            }
            found.append((start, end, .link(uri: uri)))
        }
        for m in tag.matches(in: text, range: whole) {
            guard m.range(at: 2).location != NSNotFound else { continue }
            var value = ns.substring(with: m.range(at: 2)).trimmingCharacters(in: .whitespacesAndNewlines)
            let vns = value as NSString
            value = trailingPunctuation.stringByReplacingMatches(in: value, range: NSRange(location: 0, length: vns.length),
                                                                 withTemplate: "")
            let length = value.utf16.count
            guard length > 0, length <= 64 else { continue }
            let start = m.range(at: 0).location + m.range(at: 1).length
            found.append((start, start + 1 + length, .tag(value)))
        }
        for m in cashtag.matches(in: text, range: whole) {
            let start = m.range(at: 0).location + m.range(at: 1).length
            let ticker = ns.substring(with: m.range(at: 2)).uppercased()
            found.append((start, start + 1 + m.range(at: 2).length, .tag("$" + ticker)))
        }

        found.sort { $0.start < $1.start }
        var result: [BlueskyFacet] = []
        var lastEnd = 0
        for f in found where f.start >= lastEnd && f.end > f.start {
            result.append(BlueskyFacet(byteStart: utf8Offset(text, utf16: f.start), byteEnd: utf8Offset(text, utf16: f.end),
                                       feature: f.feature))
            lastEnd = f.end
        }
        return result
    }

    /// The text cut at facet boundaries (plain parts have no facet), as the SDK's `segments()` does.
    public static func segments(_ text: String, facets: [BlueskyFacet]) -> [(text: String, facet: BlueskyFacet?)] {
        let bytes = Array(text.utf8)
        var out: [(String, BlueskyFacet?)] = []
        var cursor = 0
        func slice(_ a: Int, _ b: Int) -> String { String(decoding: bytes[a..<b], as: UTF8.self) }
        for f in facets.sorted(by: { $0.byteStart < $1.byteStart }) where f.byteStart >= cursor && f.byteEnd <= bytes.count {
            if f.byteStart > cursor { out.append((slice(cursor, f.byteStart), nil)) }
            out.append((slice(f.byteStart, f.byteEnd), f))
            cursor = f.byteEnd
        }
        if cursor < bytes.count { out.append((slice(cursor, bytes.count), nil)) }
        return out
    }

    /// The SDK's `isValidDomain`: the last label is a known TLD (case-sensitive, as in the SDK).
    static func isValidDomain(_ domain: String) -> Bool {
        guard let dot = domain.lastIndex(of: ".") else { return false }
        return BlueskyTLDs.all.contains(String(domain[domain.index(after: dot)...]))
    }

    private static func utf8Offset(_ text: String, utf16 offset: Int) -> Int {
        let index = String.Index(utf16Offset: offset, in: text)
        return text.utf8.distance(from: text.utf8.startIndex, to: index)
    }
}
