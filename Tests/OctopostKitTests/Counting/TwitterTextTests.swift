import Testing
@testable import OctopostKit

@Suite struct TwitterTextTests {
    func weight(_ s: String) -> Int { TwitterText.parseTweet(s).weightedLength }

    @Test func codePointWeights() {
        #expect(weight("Hello") == 5)
        #expect(weight("你好世界") == 8)  // CJK weighs 2
        #expect(weight("Привет") == 6)  // Cyrillic is in 0–4351
        #expect(weight("\u{2014}\u{2019}") == 2)  // general punctuation ranges weigh 1
        #expect(weight("\u{2122}") == 2)  // ™ is text, outside the ranges
    }

    @Test func emojiSequencesWeighTwo() {
        #expect(weight("👨‍👩‍👧‍👦") == 2)  // ZWJ family
        #expect(weight("🇺🇸") == 2)  // flag
        #expect(weight("🇺") == 2)  // lone regional indicator
        #expect(weight("1️⃣") == 2)  // keycap with FE0F
        #expect(weight("#⃣") == 2)  // keycap without FE0F
        #expect(weight("👍🏽") == 2)  // skin tone
        #expect(weight("🏳️‍⚧️") == 2)
        #expect(weight("🏴󠁧󠁢󠁳󠁣󠁴󠁿") == 2)  // tag sequence
        #expect(weight("©") == 1 && weight("®") == 1)  // bare © ® are text
        #expect(weight("©️") == 2)
        #expect(weight("1") == 1 && weight("#") == 1)
        #expect(weight("a👍b") == 4)
    }

    @Test func urlsCountTwentyThree() {
        #expect(weight("http://example.com/a/very/long/path/that/goes/on?and=on&on=1") == 23)
        #expect(weight("see example.com") == 4 + 23)  // protocol-less with a known TLD
        #expect(weight("see example.invalid") == 19)  // not a TLD: plain text
        #expect(weight("foo/example.com") == 15)  // preceded by '/', not extracted without protocol
        #expect(weight("https://t.co/abc123 x") == 25)
        #expect(weight("例えば example.jp です") == 6 + 1 + 23 + 1 + 4)
    }

    @Test func normalisationAndRanges() {
        let decomposed = "e\u{301}"  // NFC: é, one code point weighing 1
        let r = TwitterText.parseTweet(decomposed)
        #expect(r.weightedLength == 1)
        #expect(r.displayRangeEnd == 1)
        #expect(r.validRangeEnd == 1)  // index into the original, un-normalised text
        #expect(weight("\u{212B}") == 1)  // ANGSTROM SIGN is NFC U+00C5 (weight 1): the quick check must not skip it
        #expect(weight("A\u{30A}") == 1)
        #expect(weight("\u{F900}") == 2)  // CJK compatibility ideograph -> U+8C48
        let empty = TwitterText.parseTweet("")
        #expect(!empty.valid && empty.weightedLength == 0 && empty.displayRangeEnd == 0)
    }

    @Test func invalidCharacters() {
        let r = TwitterText.parseTweet("abc\u{FFFE}")
        #expect(!r.valid)
        #expect(r.hasInvalidCharacters)
        #expect(TwitterText.hasInvalidCharacters("x\u{FEFF}"))
        #expect(!TwitterText.hasInvalidCharacters("x\u{202A}y"))
    }

    @Test func urlExtractionRanges() {
        let text = "Go → https://example.com/a_(b). ok www.test.org"
        let urls = TwitterText.extractURLs(in: text)
        #expect(urls.map(\.url) == ["https://example.com/a_(b)", "www.test.org"])
        #expect(urls.map(\.hasProtocol) == [true, false])
        #expect(text[urls[0].range(in: text)] == "https://example.com/a_(b)")
        #expect(urls[0].utf16Range == 5..<30)
        #expect(TwitterText.extractURLs(in: text, withoutProtocol: false).map(\.url) == ["https://example.com/a_(b)"])
        #expect(TwitterText.extractURLs(in: "x.com:8080/p?q=1&r=").map(\.url) == ["x.com:8080/p?q=1&r="])
        #expect(TwitterText.extractURLs(in: "mail me@example.com").isEmpty)  // "@" is not a valid preceding character
        #expect(TwitterText.extractURLs(in: "no urls here.").isEmpty)
    }

    @Test func overlongLabelIsNotAURL() {
        let label = String(repeating: "a", count: 64)
        #expect(TwitterText.extractURLs(in: "\(label).com").isEmpty)
        #expect(TwitterText.extractURLs(in: "\(label.dropLast()).com").count == 1)
    }

    @Test func mentions() {
        let t = TwitterText.extractMentions(in: "hi @alice and @bob_1! me@example.com RT@carol")
        #expect(t.map(\.username) == ["alice", "bob_1", "carol"])
        let f = TwitterText.extractMentions(in: "cc @alice@mastodon.social and @bob.", style: .fediverse)
        #expect(f.map(\.username) == ["alice", "bob"])
        #expect(f.map(\.domain) == ["mastodon.social", nil])
        let text = "cc @alice@mastodon.social"
        #expect(text[f[0].range(in: text)] == "@alice@mastodon.social")
        #expect(TwitterText.extractMentions(in: "a=@x /@y", style: .fediverse).isEmpty)
    }

    @Test func urlValidation() {
        #expect(TwitterText.isValidURL("https://example.com/path?q=1#frag"))
        #expect(!TwitterText.isValidURL("ftp://example.com/"))
        #expect(!TwitterText.isValidURL("example.com"))
        #expect(TwitterText.isValidURL("example.com", requireProtocol: false))
    }

    @Test func emojiHelper() {
        #expect(TwitterText.isEmoji("👍🏽"))
        #expect(TwitterText.isEmoji("©️"))
        #expect(!TwitterText.isEmoji("©"))
        #expect(!TwitterText.isEmoji("7"))
        #expect(TwitterText.isEmoji("7️⃣"))
    }
}
