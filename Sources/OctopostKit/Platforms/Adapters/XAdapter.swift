import Foundation

/// X (PLATFORMS §1): `POST /2/tweets` signed with OAuth 1.0a user context.
public actor XAdapter: PlatformAdapter {
    public nonisolated let target: PlatformTarget
    public nonisolated var recoveryModes: [RecoveryMode] { [.lookup] }

    private let base: String
    private let signer: OAuth1Signer
    private let transport: AdapterTransport
    private let clock: AdapterClock
    private let nonce: @Sendable () -> String
    private var latest: RateLimitState?
    private var userID: String?

    public init(_ context: AdapterContext, clock: AdapterClock, nonce: @escaping @Sendable () -> String) throws(PublishError) {
        target = context.target
        let fields = ["API_KEY", "API_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"]
        let missing = fields.filter { !context.credentials.has($0) }
        guard missing.isEmpty, let key = context.credentials["API_KEY"], let secret = context.credentials["API_SECRET"],
              let token = context.credentials["ACCESS_TOKEN"], let tokenSecret = context.credentials["ACCESS_TOKEN_SECRET"] else {
            throw missingCredential(context.target, missing,
                                    hint: "the app's API key and secret and the account's access token and secret, with read and write permission")
        }
        signer = OAuth1Signer(consumerKey: key, consumerSecret: secret, token: token, tokenSecret: tokenSecret)
        base = context.apiBase?.absoluteString ?? "https://api.x.com"
        self.clock = clock
        self.nonce = nonce
        transport = AdapterTransport(client: context.http, credentials: context.credentials, platform: .twitter)
    }

    public func rateLimit() async -> RateLimitState? { latest }

    public func publish(_ part: OutgoingPart, of post: Post) async throws(PublishError) -> SegmentResult {
        var body: [String: JSONValue] = ["text": .string(part.text)]
        if let parent = part.parent { body["reply"] = ["in_reply_to_tweet_id": .string(parent.postID)] }
        if part.index == 0, let settings = post.stringOption(.twitter, "reply_settings") {
            body["reply_settings"] = .string(settings)
        }
        let json = try await call("POST", "/2/tweets", body: .object(body))
        guard let id = json["data"]?["id"]?.idString else {
            let detail = json["errors"]?[0]?["detail"]?.string ?? json["errors"]?[0]?["message"]?.string
            throw PublishError(.transient, "unexpected answer from X: no post id in the reply"
                + (detail.map { " (\(transport.redact($0)))" } ?? "") + "; will retry")
        }
        return SegmentResult(postID: id, postURL: "https://x.com/i/status/\(id)")
    }

    public func findExisting(_ part: OutgoingPart, of post: Post, since: Date) async throws(PublishError) -> SegmentResult? {
        let me = try await ownUserID()
        let json = try await call("GET", "/2/users/\(URLBuilder.percentEncode(me))/tweets", query: [
            ("max_results", "20"), ("start_time", ISO8601.seconds(since.addingTimeInterval(-120))),
            ("tweet.fields", "created_at,referenced_tweets"),
        ])
        let wanted = Self.comparable(part.text)
        for tweet in json["data"]?.array ?? [] {
            if let parent = part.parent {
                let replied = tweet["referenced_tweets"]?.array?.first { $0["type"]?.string == "replied_to" }?["id"]?.idString
                if replied != parent.postID { continue }
            }
            guard let id = tweet["id"]?.idString, Self.comparable(tweet["text"]?.string ?? "") == wanted else { continue }
            return SegmentResult(postID: id, postURL: "https://x.com/i/status/\(id)")
        }
        return nil
    }

    /// X shows links as t.co, escapes `&<>`, and may prefix replies with the @names replied to.
    static func comparable(_ text: String) -> String {
        var t = TextMatch.normalize(text)
        while t.hasPrefix("@"), let space = t.firstIndex(of: " ") { t = String(t[t.index(after: space)...]) }
        return t
    }

    private func ownUserID() async throws(PublishError) -> String {
        if let userID { return userID }
        guard let id = try await call("GET", "/2/users/me")["data"]?["id"]?.idString else {
            throw PublishError(.transient, "unexpected answer from X: /2/users/me has no id; will retry")
        }
        userID = id
        return id
    }

    private func call(_ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue? = nil)
        async throws(PublishError) -> JSONValue {
        guard let url = URLBuilder.url(base, path, query: query) else {
            throw PublishError(.permanent, "the X API URL is not valid; check \(Credentials.variableName(target, field: "API_BASE"))")
        }
        let now = clock.now()
        // The signature covers the URL X sees, so with API_BASE (sandbox, tests) the override host is signed.
        let auth = signer.authorizationHeader(method: method, url: url, nonce: nonce(),
                                              timestamp: Int(now.timeIntervalSince1970))
        var headers = ["Authorization": auth, "Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        let response = try await transport.send(HTTPRequest(method: method, url: url, headers: headers, body: body?.data))
        let remaining = RateLimitHeaders.int(response.header("x-rate-limit-remaining"))
        let reset = RateLimitHeaders.epoch(response.header("x-rate-limit-reset"))
        if remaining != nil || reset != nil { latest = RateLimitState(remaining: remaining, reset: reset) }
        if HTTPStatusClass.isSuccess(response.status) { return try transport.json(response, what: path) }
        throw classify(response, reset: reset)
    }

    /// PLATFORMS §1.E: problem JSON `{title, detail, type}` (older errors: `{errors:[{message, code}]}`).
    private func classify(_ response: HTTPResponse, reset: Date?) -> PublishError {
        let json = JSONValue.parse(response.body)
        let detail = json?["detail"]?.string ?? json?["errors"]?[0]?["message"]?.string
            ?? json?["errors"]?[0]?["detail"]?.string ?? json?["title"]?.string ?? json?["error"]?.string
        var message = transport.describe(response, reason: detail)
        let status = response.status
        if status == 429 {
            let capped = json?["type"]?.string?.contains("usage-capped") == true
            return PublishError(.transient, message + (capped ? "; the app's usage cap is reached, will retry after it resets"
                                                              : "; rate limited, will retry after the window resets"),
                                notBefore: reset, httpStatus: status)
        }
        if HTTPStatusClass.isTransient(status) { return PublishError(.transient, message + "; will retry", httpStatus: status) }
        let lower = (detail ?? "").lowercased()
        if status == 403, lower.contains("deleted or not visible") {
            // A reply to a post created a moment ago can race X's replication (PLATFORMS §1.E): try again shortly.
            return PublishError(.transient, message + "; the post replied to is not visible yet, will retry",
                                notBefore: clock.now().addingTimeInterval(30), httpStatus: status)
        }
        switch status {
        case 401:
            message += "; check \(Credentials.variableName(target, field: "API_KEY")), API_SECRET, ACCESS_TOKEN and "
                + "ACCESS_TOKEN_SECRET (regenerate the access token after changing app permissions)"
        case 403 where lower.contains("duplicate"):
            message += "; X refuses the same text twice: change the post's text"
        case 403 where lower.contains("reply"):
            message += "; X does not allow this reply (reply restrictions on this API tier)"
        default: break
        }
        return PublishError(.permanent, message, httpStatus: status)
    }
}

extension XAdapter: SecretHoldingAdapter {
    nonisolated var secrets: SecretRegistry { transport.secrets }
}
