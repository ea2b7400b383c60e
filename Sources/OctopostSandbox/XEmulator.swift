import Foundation
import OctopostKit

/// X API v2 (`POST /2/tweets`, `GET /2/users/me`, `GET /2/users/:id/tweets`, `GET /2/tweets/:id`).
///
/// - Auth: `Authorization: OAuth …` (1.0a user context) with `oauth_consumer_key`, `oauth_nonce`,
///   `oauth_signature`, `oauth_signature_method`, `oauth_timestamp`, `oauth_token`, `oauth_version`
///   (the signature is not verified). Missing or incomplete → 401 problem `Unauthorized`; a
///   `Bearer` token → 403 `Unsupported Authentication`; a configured `oauth_token`/consumer key that
///   does not match → 401.
/// - `POST /2/tweets {"text", "reply":{"in_reply_to_tweet_id"}}` → 201 `{"data":{"id","text"}}`;
///   over 280 weighted characters → 400 invalid-request; the same text as an earlier post →
///   403 duplicate content; replying to an unknown id → 403 "deleted or not visible".
/// - `GET /2/users/:id/tweets?max_results=&start_time=&end_time=&since_id=&until_id=&exclude=&tweet.fields=`
///   → `{"data":[{id,text,edit_history_tweet_ids,…}], "meta":{result_count,newest_id,oldest_id}}` newest
///   first (5–100, default 10). As on X, a post carries only the default fields (`id`, `text`,
///   `edit_history_tweet_ids`) plus those named in `tweet.fields`: `created_at` (`…T…:…:….000Z`),
///   `author_id`, `conversation_id` (the thread's first post), and for a reply `in_reply_to_user_id` and
///   `referenced_tweets: [{"type":"replied_to","id"}]` (left out entirely for a post that replies to nothing).
///   `GET /2/tweets/:id` takes the same `tweet.fields`; `GET /2/users/me` → `{"data":{id,name,username}}`.
/// - Every answer: `x-rate-limit-limit/-remaining/-reset` (epoch seconds); 429 problem
///   `Too Many Requests`. Default 100 per 15 minutes.
actor XEmulator: PlatformBehavior {
    nonisolated let platform: Platform = .twitter
    nonisolated let defaultRateLimit = RateLimitPolicy(limit: 100, window: 900)
    static let userID = "1500000000000000001"
    static let requiredOAuth = ["oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method",
                                "oauth_timestamp", "oauth_token", "oauth_version"]

    struct Tweet {
        var id: String
        var text: String
        var replyTo: String?
        var createdAt: Date
    }

    private let configuration: EmulatorConfiguration
    var store = EmulatorStore<Tweet>()

    init(configuration: EmulatorConfiguration) {
        self.configuration = configuration
    }

    func handle(_ request: SandboxRequest, now: Date) -> SandboxResponse {
        let s = request.segments
        guard s.first == "2" else { return problem(404, "Not Found Error", "Sorry, that page does not exist.", type: "about:blank") }
        if let denied = authenticate(request) { return denied }
        let rest = Array(s.dropFirst())
        if request.match("POST", ["tweets"], in: rest) != nil { return create(request, now: now) }
        if request.match("GET", ["users", "me"], in: rest) != nil {
            return .json(200, ["data": ["id": .string(Self.userID), "name": "Sandbox", "username": "sandbox"]])
        }
        if let c = request.match("GET", ["users", "*", "tweets"], in: rest) {
            let id = c[0]
            guard id == Self.userID else {
                return problem(404, "Not Found Error", "Could not find user with id: [\(id)].",
                               type: "https://api.twitter.com/2/problems/resource-not-found")
            }
            let limit = min(max(Int(request.query["max_results"] ?? "") ?? 10, 5), 100)
            let start = Self.instant(request.query["start_time"])
            let end = Self.instant(request.query["end_time"])
            let since = request.query["since_id"].flatMap { UInt64($0) }
            let until = request.query["until_id"].flatMap { UInt64($0) }
            let exclude = Set((request.query["exclude"] ?? "").split(separator: ",").map(String.init))
            let fields = Self.tweetFields(request)
            let page = store.records.reversed().filter { t in
                let time = t.createdAt.timeIntervalSince1970
                let id = UInt64(t.id) ?? 0
                if let start, time < start { return false }
                if let end, time >= end { return false }
                if let since, id <= since { return false }
                if let until, id >= until { return false }
                if exclude.contains("replies"), t.replyTo != nil { return false }
                return true
            }.prefix(limit)
            var meta: [String: JSON] = ["result_count": .int(page.count)]
            if let first = page.first, let last = page.last {
                meta["newest_id"] = .string(first.id)
                meta["oldest_id"] = .string(last.id)
            }
            var answer: [String: JSON] = ["meta": .object(meta)]
            if !page.isEmpty { answer["data"] = .array(page.map { json($0, fields: fields) }) }
            return .json(200, .object(answer))
        }
        if let c = request.match("GET", ["tweets", "*"], in: rest) {
            let id = c[0]
            guard let tweet = store[id] else {
                return .json(200, ["errors": [["value": .string(id), "detail": .string("Could not find tweet with id: [\(id)]."),
                                               "title": "Not Found Error", "resource_type": "tweet", "parameter": "id",
                                               "type": "https://api.twitter.com/2/problems/resource-not-found"]]])
            }
            return .json(200, ["data": json(tweet, fields: Self.tweetFields(request))])
        }
        return problem(404, "Not Found Error", "Sorry, that page does not exist.", type: "about:blank")
    }

    private func authenticate(_ request: SandboxRequest) -> SandboxResponse? {
        if request.authorization(scheme: "Bearer") != nil {
            return problem(403, "Unsupported Authentication",
                           "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                           type: "https://api.twitter.com/2/problems/unsupported-authentication")
        }
        guard let oauth = request.authorization(scheme: "OAuth") else { return unauthorized() }
        var params: [String: String] = [:]
        for part in oauth.split(separator: ",") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            let value = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            params[String(kv[0])] = value.removingPercentEncoding ?? value
        }
        for name in Self.requiredOAuth where (params[name] ?? "").isEmpty { return unauthorized() }
        if let token = configuration.token, params["oauth_token"] != token { return unauthorized() }
        if let key = configuration.account, params["oauth_consumer_key"] != key { return unauthorized() }
        return nil
    }

    private func unauthorized() -> SandboxResponse {
        problem(401, "Unauthorized", "Unauthorized", type: "about:blank")
    }

    private func create(_ request: SandboxRequest, now: Date) -> SandboxResponse {
        guard let body = request.bodyObject, body.object != nil else {
            return invalid("Request body is not valid JSON", parameter: "body")
        }
        guard let text = body["text"]?.string, !text.isEmpty else {
            return invalid("The `text` field is required when no media is given", parameter: "text")
        }
        let count = Counters.count(text, on: .twitter)
        guard count.isValid else {
            return invalid("text: Tweet text is too long (\(count.length)/280 weighted characters)", parameter: "text")
        }
        let replyTo = body["reply"]?["in_reply_to_tweet_id"]?.idString
        if let replyTo, !store.contains(replyTo) {
            return problem(403, "Forbidden", "You attempted to reply to a Tweet that is deleted or not visible to you.",
                           type: "about:blank")
        }
        if store.records.contains(where: { $0.text == text }) {
            return problem(403, "Forbidden", "You are not allowed to create a Tweet with duplicate content.",
                           type: "about:blank")
        }
        let id = SandboxIDs.snowflake(now: now, epochMs: 1_288_834_974_657, sequence: store.nextSequence())
        store.add(Tweet(id: id, text: text, replyTo: replyTo, createdAt: now), id: id,
                  post: SandboxPost(platform: platform.rawValue, id: id, text: text, replyTo: replyTo,
                                    createdAt: SandboxTime.rfc3339(now)))
        return .json(201, ["data": ["id": .string(id), "text": .string(text), "edit_history_tweet_ids": [.string(id)]]])
    }

    /// `start_time`/`end_time` (RFC 3339, `YYYY-MM-DDTHH:mm:ssZ`) as seconds since 1970.
    private static func instant(_ text: String?) -> TimeInterval? {
        guard let text, let resolved = try? Timestamp.resolve(text, timeZone: nil) else { return nil }
        return resolved.instant.timeIntervalSince1970
    }

    /// The `tweet.fields` asked for (comma separated, as X takes them).
    private static func tweetFields(_ request: SandboxRequest) -> Set<String> {
        Set((request.query["tweet.fields"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    /// A post as X returns it: the default fields, and only the optional ones requested.
    private func json(_ t: Tweet, fields: Set<String> = []) -> JSON {
        var out: [String: JSON] = ["id": .string(t.id), "text": .string(t.text), "edit_history_tweet_ids": [.string(t.id)]]
        if fields.contains("created_at") { out["created_at"] = .string(SandboxTime.rfc3339(t.createdAt)) }
        if fields.contains("author_id") { out["author_id"] = .string(Self.userID) }
        if fields.contains("conversation_id") { out["conversation_id"] = .string(conversationID(of: t)) }
        if let parent = t.replyTo {
            // Only the account's own posts exist here, so a reply is always to this user.
            if fields.contains("in_reply_to_user_id") { out["in_reply_to_user_id"] = .string(Self.userID) }
            if fields.contains("referenced_tweets") {
                out["referenced_tweets"] = [["type": "replied_to", "id": .string(parent)]]
            }
        }
        return .object(out)
    }

    /// The id of the post that started the thread `t` belongs to.
    private func conversationID(of t: Tweet) -> String {
        var current = t
        var seen: Set<String> = [t.id]
        while let parent = current.replyTo, let next = store[parent], seen.insert(parent).inserted { current = next }
        return current.id
    }

    private func invalid(_ message: String, parameter: String) -> SandboxResponse {
        .json(400, ["errors": [["parameters": .object([parameter: []]), "message": .string(message)]],
                    "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request"])
    }

    private func problem(_ status: Int, _ title: String, _ detail: String, type: String) -> SandboxResponse {
        .json(status, ["title": .string(title), "detail": .string(detail), "type": .string(type), "status": .int(status)])
    }

    nonisolated func errorResponse(status: Int, message: String) -> SandboxResponse {
        .json(status, ["title": .string(Pipeline.reasonPhrase(status)), "detail": .string(message), "type": "about:blank",
                       "status": .int(status)])
    }

    nonisolated func rateLimitHeaders(_ state: RateLimitState, now: Date) -> [(String, String)] {
        [("x-rate-limit-limit", String(state.limit)), ("x-rate-limit-remaining", String(state.remaining)),
         ("x-rate-limit-reset", String(SandboxTime.epochSeconds(state.reset)))]
    }

    nonisolated func rateLimited(retryAfter: Double, state: RateLimitState, now: Date) -> SandboxResponse {
        var spent = state
        spent.remaining = 0
        spent.reset = now.addingTimeInterval(retryAfter)
        return .json(429, ["title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429],
                     headers: rateLimitHeaders(spent, now: now))
    }
}
