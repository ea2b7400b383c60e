import Foundation

/// twitter-text `isValidUrl` (js/src/isValidUrl.js): RFC 3986-shaped validation of a whole string as a URL.
/// Not on the counting path (parseTweet never calls it), so it keeps twitter-text's regexes verbatim in
/// ICU syntax; ICU and JS share leftmost-first backtracking, which `isValidMatch` depends on
/// (the first match must be the whole string: e.g. `http://1.2.3.45/` is rejected because the IPv4 octet
/// alternation matches `4` first).
enum URLValidator {
    private static let unreserved = "[a-z\\u0400-\\u04FF0-9\\-._~]"
    private static let pctEncoded = "(?:%[0-9a-f]{2})"
    private static let subDelims = "[!$&'()*+,;=]"
    private static let pchar = "(?:\(unreserved)|\(pctEncoded)|\(subDelims)|[:|@])"
    private static let userinfo = "(?:\(unreserved)|\(pctEncoded)|\(subDelims)|:)*"
    private static let decOctet = "(?:[0-9]|(?:[1-9][0-9])|(?:1[0-9]{2})|(?:2[0-4][0-9])|(?:25[0-5]))"
    private static let ipv4 = "(?:\(decOctet)(?:\\.\(decOctet)){3})"
    private static let ipv6 = "(?:\\[[a-f0-9:\\.]+\\])"
    private static let ip = "(?:\(ipv4)|\(ipv6))"
    private static let nonASCII = "[^\\u0000-\\u007f]"
    private static let unicodeSubDomainSegment =
        "(?:(?:[a-z0-9]|\(nonASCII))(?:(?:[a-z0-9_\\-]|\(nonASCII))*(?:[a-z0-9]|\(nonASCII)))?)"
    private static let unicodeDomainSegment =
        "(?:(?:[a-z0-9]|\(nonASCII))(?:(?:[a-z0-9\\-]|\(nonASCII))*(?:[a-z0-9]|\(nonASCII)))?)"
    private static let unicodeDomainTld =
        "(?:(?:[a-z]|\(nonASCII))(?:(?:[a-z0-9\\-]|\(nonASCII))*(?:[a-z0-9]|\(nonASCII)))?)"
    private static let unicodeDomain =
        "(?:(?:\(unicodeSubDomainSegment)\\.)*(?:\(unicodeDomainSegment)\\.)\(unicodeDomainTld))"
    private static let subDomainSegment = "(?:[a-z0-9](?:[a-z0-9_\\-]*[a-z0-9])?)"
    private static let domainSegment = "(?:[a-z0-9](?:[a-z0-9\\-]*[a-z0-9])?)"
    private static let domainTld = "(?:[a-z](?:[a-z0-9\\-]*[a-z0-9])?)"
    private static let domain = "(?:(?:\(subDomainSegment)\\.)*(?:\(domainSegment)\\.)\(domainTld))"
    private static let port = "[0-9]{1,5}"

    private struct Compiled: @unchecked Sendable {  // NSRegularExpression is immutable and thread-safe
        let unencoded, scheme, path, query, unicodeAuthority, authority: NSRegularExpression
    }

    private static let compiled: Compiled = {
        func re(_ p: String) -> NSRegularExpression {
            // The patterns are constants; a failure here is a programming error caught by the tests.
            try! NSRegularExpression(pattern: p, options: [.caseInsensitive])
        }
        return Compiled(
            unencoded: re("^(?:([^:/?#]+):\\/\\/)?([^/?#]*)([^?#]*)(?:\\?([^#]*))?(?:#(.*))?$"),
            scheme: re("(?:[a-z][a-z0-9+\\-.]*)"),
            path: re("(\\/\(pchar)*)*"),
            query: re("(\(pchar)|\\/|\\?)*"),
            unicodeAuthority: re("(?:(\(userinfo))@)?(\(ip)|\(unicodeDomain))(?::(\(port)))?"),
            authority: re("(?:(\(userinfo))@)?(\(ip)|\(domain))(?::(\(port)))?")
        )
    }()

    /// `isValidMatch`: the first match of `regex` in `string` is the whole string (an absent optional part passes).
    private static func isValidMatch(_ string: String?, _ regex: NSRegularExpression, optional: Bool = false) -> Bool {
        guard let string else { return optional }
        if optional && string.isEmpty { return true }
        let ns = string as NSString
        guard let m = regex.firstMatch(in: string, range: NSRange(location: 0, length: ns.length)) else { return false }
        return m.range.location == 0 && m.range.length == ns.length
    }

    static func isValid(_ url: String, unicodeDomains: Bool, requireProtocol: Bool) -> Bool {
        guard !url.isEmpty else { return false }
        let ns = url as NSString
        guard let parts = compiled.unencoded.firstMatch(in: url, range: NSRange(location: 0, length: ns.length)),
              parts.range.length == ns.length else { return false }
        func group(_ i: Int) -> String? {
            let r = parts.range(at: i)
            return r.location == NSNotFound ? nil : ns.substring(with: r)
        }
        let scheme = group(1), authority = group(2), path = group(3), query = group(4), fragment = group(5)
        if requireProtocol {
            guard isValidMatch(scheme, compiled.scheme), let s = scheme?.lowercased(), s == "http" || s == "https"
            else { return false }
        }
        guard isValidMatch(path ?? "", compiled.path),
              isValidMatch(query, compiled.query, optional: true),
              isValidMatch(fragment, compiled.query, optional: true) else { return false }
        return isValidMatch(authority ?? "", unicodeDomains ? compiled.unicodeAuthority : compiled.authority)
    }
}
