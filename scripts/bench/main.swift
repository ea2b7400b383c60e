// Timing loop for TwitterText.parseTweet (not a test). Build and run:
//   swiftc -O scripts/bench/main.swift Sources/OctopostKit/Counting/TwitterText/*.swift -o /tmp/tt-bench && /tmp/tt-bench
import Foundation

let posts: [String] = [
    "Shipping octopost 0.3 today 🎉 lint + publish social posts from git. Details at https://example.com/blog/octopost-0-3 and docs on example.org/docs — thanks @alice and @bob for the reviews! #swift #opensource",
    "故人西辞黄鹤楼，烟花三月下扬州。孤帆远影碧空尽，唯见长江天际流。朱雀桥边野草花，乌衣巷口夕阳斜。旧时王谢堂前燕，飞入寻常百姓家。朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。see www.example.cn",
    String(repeating: "Plain ASCII text with a few words, punctuation; and numbers 12345. ", count: 4),
    "Family 👨‍👩‍👧‍👦 flags 🇺🇸🇫🇷 keycaps 1️⃣2️⃣ skin 👍🏽 café naïve e\u{301} — mixed text with a link http://t.co/abc123 and more words to reach typical length for a post here.",
]
for p in posts { _ = TwitterText.parseTweet(p) }  // warm up
for p in posts {
    let iterations = 20_000
    let start = DispatchTime.now().uptimeNanoseconds
    var sink = 0
    for _ in 0..<iterations { sink &+= TwitterText.parseTweet(p).weightedLength }
    let ns = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(iterations)
    print(String(format: "%6.2f µs/post  (%3d UTF-16 units, weighted %d)  %@", ns / 1000, p.utf16.count, sink / iterations,
                 String(p.prefix(30))))
}
