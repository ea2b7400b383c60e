import Foundation
import OctopostKit
import Testing
@testable import OctopostSandbox

/// `GET /2/users/:id/tweets` and `GET /2/tweets/:id` answer with the fields X returns for the
/// `tweet.fields` asked for, so that octopost's recovery (which looks for a landed reply by its
/// `referenced_tweets`) is tested against what X really sends.
@Suite struct XTimelineTests {
    let auth = ["Authorization": oauthHeader]

    @Test func timelineCarriesTheRequestedTweetFields() async throws {
        try await withEmulator(.twitter) { h in
            let root = try await h.send("POST", "/2/tweets", json: ["text": "root"], headers: auth)
            let rootID = try #require(root.json["data"]?["id"]?.string)
            let reply = try await h.send("POST", "/2/tweets", json: ["text": "reply", "reply": ["in_reply_to_tweet_id": .string(rootID)]],
                                         headers: auth)
            let replyID = try #require(reply.json["data"]?["id"]?.string)
            let deeper = try await h.send("POST", "/2/tweets", json: ["text": "deeper", "reply": ["in_reply_to_tweet_id": .string(replyID)]],
                                          headers: auth)
            let deeperID = try #require(deeper.json["data"]?["id"]?.string)
            let uid = XEmulator.userID

            // Default fields only: id, text, edit_history_tweet_ids.
            let plain = try await h.send("GET", "/2/users/\(uid)/tweets", headers: auth)
            let first = try #require(plain.json["data"]?.array?.first?.object)
            #expect(Set(first.keys) == ["id", "text", "edit_history_tweet_ids"])

            let fields = "created_at,referenced_tweets,conversation_id,author_id,in_reply_to_user_id"
            let r = try await h.send("GET", "/2/users/\(uid)/tweets?tweet.fields=\(fields)", headers: auth)
            let tweets = try #require(r.json["data"]?.array)
            #expect(tweets.compactMap { $0["id"]?.string } == [deeperID, replyID, rootID])
            #expect(tweets[0]["referenced_tweets"]?[0]?["type"]?.string == "replied_to")
            #expect(tweets[0]["referenced_tweets"]?[0]?["id"]?.string == replyID)
            #expect(tweets[1]["referenced_tweets"]?[0]?["id"]?.string == rootID)
            #expect(tweets[2]["referenced_tweets"] == nil, "a post that replies to nothing has no referenced_tweets")
            #expect(tweets.allSatisfy { $0["conversation_id"]?.string == rootID })
            #expect(tweets.allSatisfy { $0["author_id"]?.string == uid })
            #expect(tweets[0]["in_reply_to_user_id"]?.string == uid && tweets[2]["in_reply_to_user_id"] == nil)
            let created = try #require(tweets[0]["created_at"]?.string)
            #expect(created.hasSuffix("Z") && created.contains(".") && (try? Timestamp.resolve(created, timeZone: nil)) != nil)

            // exclude=replies, since_id, and the single-post lookup with the same fields.
            let noReplies = try await h.send("GET", "/2/users/\(uid)/tweets?exclude=replies", headers: auth)
            #expect(noReplies.json["data"]?.array?.compactMap { $0["id"]?.string } == [rootID])
            let since = try await h.send("GET", "/2/users/\(uid)/tweets?since_id=\(replyID)", headers: auth)
            #expect(since.json["data"]?.array?.compactMap { $0["id"]?.string } == [deeperID])
            let one = try await h.send("GET", "/2/tweets/\(replyID)?tweet.fields=referenced_tweets", headers: auth)
            #expect(one.json["data"]?["referenced_tweets"]?[0]?["id"]?.string == rootID)
        }
    }

    @Test func startAndEndTimeBoundTheTimeline() async throws {
        try await withEmulator(.twitter) { h in
            _ = try await h.send("POST", "/2/tweets", json: ["text": "now"], headers: auth)
            let uid = XEmulator.userID
            let later = Timestamp.format(Date().addingTimeInterval(3600))
            let earlier = Timestamp.format(Date().addingTimeInterval(-3600))
            let after = try await h.send("GET", "/2/users/\(uid)/tweets?start_time=\(later)", headers: auth)
            #expect(after.json["data"] == nil && after.json["meta"]?["result_count"]?.int == 0)
            let within = try await h.send("GET", "/2/users/\(uid)/tweets?start_time=\(earlier)&end_time=\(later)", headers: auth)
            #expect(within.json["data"]?.array?.count == 1)
        }
    }
}
