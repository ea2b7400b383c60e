/// Top-level domains that make a bare `example.com` a link and `@name.tld` a mention in Bluesky rich
/// text: the same IANA root-zone list twitter-text's URL rules use (`TLDTable`, generated from
/// twitter-text's `tld_lib.yml`), so both platforms agree on what a domain is.
enum BlueskyTLDs {
    static let all: Set<String> = Set(TLDTable.generic + TLDTable.country)
}
