import Testing
@testable import OctopostKit

@Suite struct TwitterCounterTests {
    let counter = TwitterCounter()

    @Test func limitsAndMinimum() {
        let long = String(repeating: "a", count: 281)
        #expect(!counter.count(long, context: CountContext()).isValid)
        let premium = counter.count(long, context: CountContext(longPost: true))
        #expect(premium.isValid && premium.limit == 25_000)
        #expect(!counter.count("", context: CountContext()).isValid)
        #expect(counter.count("", context: CountContext(hasMedia: true)).isValid)
        #expect(counter.count("日本語 https://example.com/x", context: CountContext()).length == 6 + 1 + 23)
        #expect(counter.platform == .twitter)
    }

    @Test func invalidCharacterIsAProblem() {
        let c = counter.count("hi\u{FEFF}", context: CountContext())
        #expect(c.problems.count == 1)
        #expect(!c.isValid)
        #expect(counter.count("hi", context: CountContext()).problems.isEmpty)
    }
}

@Suite struct MastodonCounterTests {
    let counter = MastodonCounter()

    @Test func urlsAndMentions() {
        #expect(counter.count("see https://example.com/a/long/path/here/ok", context: CountContext()).length == 4 + 23)
        #expect(counter.count("see example.com", context: CountContext()).length == 15)  // no protocol: not discounted
        #expect(counter.count("hi @alice@example.social!", context: CountContext()).length == 3 + 6 + 1)
        #expect(counter.count("hi @alice!", context: CountContext()).length == 10)
        #expect(MastodonCounter.countableText("a http://x.org b") == "a " + String(repeating: "x", count: 23) + " b")
    }

    @Test func contentWarningAndGraphemes() {
        let c = counter.count("👨‍👩‍👧‍👦🇺🇸", context: CountContext(contentWarning: "CW", mastodonLimit: 4))
        #expect(c.length == 4)
        #expect(c.isValid)
        #expect(!counter.count("abc", context: CountContext(contentWarning: "CW", mastodonLimit: 4)).isValid)
        #expect(counter.count("x", context: CountContext(mastodonLimit: 1000)).limit == 1000)
    }
}

@Suite struct ThreadsCounterTests {
    let counter = ThreadsCounter()

    @Test func emojiCountBytes() {
        #expect(counter.count("hello", context: CountContext()).length == 5)
        #expect(counter.count("日本", context: CountContext()).length == 2)
        #expect(counter.count("e\u{301}", context: CountContext()).length == 1)
        #expect(counter.count("👍", context: CountContext()).length == 4)
        #expect(counter.count("👨‍👩‍👧‍👦", context: CountContext()).length == 25)
        #expect(counter.count("🇺🇸", context: CountContext()).length == 8)
        #expect(counter.count("©", context: CountContext()).length == 1)
        #expect(counter.count("1️⃣", context: CountContext()).length == 7)
    }

    @Test func uniqueLinks() {
        let five = (1...5).map { "https://e\($0).com" }.joined(separator: " ")
        let c5 = counter.count(five + " https://e1.com", context: CountContext())
        #expect(c5.measures[1] == Measure("links", 5, limit: 5))
        #expect(c5.isValid)
        #expect(!counter.count(five + " e6.org", context: CountContext()).isValid)
        #expect(!counter.count(String(repeating: "a", count: 501), context: CountContext()).isValid)
    }
}
