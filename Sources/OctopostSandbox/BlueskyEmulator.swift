import Foundation
import OctopostKit

/// Bluesky / an atproto PDS (lexicons `com.atproto.server.createSession`, `refreshSession`,
/// `com.atproto.repo.createRecord`, `uploadBlob`, `getRecord`, `listRecords`).
///
/// - `POST /xrpc/com.atproto.server.createSession {identifier, password}` → `{accessJwt, refreshJwt,
///   handle, did, active}`; a configured identifier/password that does not match →
///   401 `AuthenticationRequired`. `POST …refreshSession` with `Bearer <refreshJwt>`.
/// - `POST /xrpc/com.atproto.repo.createRecord {repo, collection, rkey?, record}` with
///   `Bearer <accessJwt>` (a token this emulator issued; others → 401 `InvalidToken`, none →
///   401 `AuthenticationRequired`) → `{uri, cid, commit, validationStatus}`. A post over 300
///   graphemes or 3000 UTF-8 bytes → 400 `InvalidRequest`. `reply.root`/`reply.parent` must be
///   strongRefs to records of this repo (uri and cid) → else 400 `InvalidRequest` (stricter than
///   a real PDS, which does not look replies up; the sandbox catches a wrong root/parent).
/// - A client-supplied `rkey` that already exists in the collection does NOT create a second
///   record: 400 `{"error":"InvalidRequest","message":"Record already exists: at://…"}`. (A real PDS
///   also refuses; its exact error has varied between versions, so an adapter that retries with a
///   deterministic rkey should treat any refusal as "look it up with getRecord".)
/// - `POST /xrpc/com.atproto.repo.uploadBlob` (raw body) → `{blob:{$type, ref:{$link}, mimeType, size}}`.
/// - `GET /xrpc/com.atproto.repo.getRecord?repo&collection&rkey` → `{uri, cid, value}` or
///   400 `RecordNotFound`; `GET …listRecords?repo&collection&limit&reverse` → `{records, cursor?}`,
///   newest first unless `reverse=true`.
/// - Every answer: `RateLimit-Limit/-Remaining/-Reset` (epoch s) and `RateLimit-Policy: N;w=S`;
///   429 adds `Retry-After` and `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`.
actor BlueskyEmulator: PlatformBehavior {
    nonisolated let platform: Platform = .bluesky
    nonisolated let defaultRateLimit = RateLimitPolicy(limit: 1666, window: 3600)
    static let maxSessions = 1000

    struct Record {
        var uri: String
        var cid: String
        var collection: String
        var rkey: String
        var value: JSON
    }

    private let configuration: EmulatorConfiguration
    /// Every record of every collection by its `at://` uri; only `app.bsky.feed.post` records are posts.
    var store = EmulatorStore<Record>()
    private var accessTokens: [String] = []
    private var refreshTokens: [String] = []
    private var handle = "sandbox.bsky.social"

    init(configuration: EmulatorConfiguration) {
        self.configuration = configuration
    }

    private var did: String { "did:plc:" + Self.didSuffix(handle) }

    func reset() {
        store.reset()
        accessTokens = []
        refreshTokens = []
    }

    func handle(_ request: SandboxRequest, now: Date) -> SandboxResponse {
        let s = request.segments
        guard s.count == 2, s[0] == "xrpc" else { return xrpcError(404, "MethodNotImplemented", "Method Not Implemented") }
        switch (request.method, s[1]) {
        case ("POST", "com.atproto.server.createSession"): return createSession(request)
        case ("POST", "com.atproto.server.refreshSession"): return refreshSession(request)
        case ("POST", "com.atproto.repo.createRecord"):
            if let denied = authenticate(request) { return denied }
            return createRecord(request, now: now)
        case ("POST", "com.atproto.repo.uploadBlob"):
            if let denied = authenticate(request) { return denied }
            let sequence = store.nextSequence()
            let mime = request.header("content-type") ?? "application/octet-stream"
            return .json(200, ["blob": [
                "$type": "blob", "ref": ["$link": .string(SandboxIDs.cid(request.body, salt: sequence))],
                "mimeType": .string(mime), "size": .int(request.body.count),
            ]])
        case ("GET", "com.atproto.repo.getRecord"): return getRecord(request)
        case ("GET", "com.atproto.repo.listRecords"): return listRecords(request)
        case (_, "com.atproto.server.createSession"), (_, "com.atproto.server.refreshSession"),
             (_, "com.atproto.repo.createRecord"), (_, "com.atproto.repo.uploadBlob"),
             (_, "com.atproto.repo.getRecord"), (_, "com.atproto.repo.listRecords"):
            return xrpcError(405, "InvalidRequest", "Incorrect HTTP method (\(request.method)) for xrpc method")
        default:
            return xrpcError(404, "MethodNotImplemented", "Method Not Implemented")
        }
    }

    // MARK: Sessions

    private func createSession(_ request: SandboxRequest) -> SandboxResponse {
        let body = request.bodyObject ?? [:]
        guard let identifier = body["identifier"]?.string, !identifier.isEmpty else {
            return xrpcError(400, "InvalidRequest", "Input must have the property \"identifier\"")
        }
        guard let password = body["password"]?.string, !password.isEmpty else {
            return xrpcError(400, "InvalidRequest", "Input must have the property \"password\"")
        }
        if let expected = configuration.account, identifier != expected, identifier != did {
            return xrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
        }
        if let expected = configuration.token, password != expected {
            return xrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
        }
        if !identifier.hasPrefix("did:"), !identifier.contains("@"), identifier.contains(".") {
            handle = identifier.lowercased()
        }
        return .json(200, issueSession())
    }

    private func refreshSession(_ request: SandboxRequest) -> SandboxResponse {
        guard let token = request.authorization(scheme: "Bearer") else {
            return xrpcError(401, "AuthenticationRequired", "Authentication Required")
        }
        guard let i = refreshTokens.firstIndex(of: token) else {
            return xrpcError(400, "ExpiredToken", "Token has been revoked")
        }
        refreshTokens.remove(at: i)
        return .json(200, issueSession())
    }

    private func issueSession() -> JSON {
        let sequence = store.nextSequence()
        let access = Self.fakeJWT(scope: "com.atproto.access", did: did, n: sequence)
        let refresh = Self.fakeJWT(scope: "com.atproto.refresh", did: did, n: sequence)
        accessTokens.append(access)
        refreshTokens.append(refresh)
        if accessTokens.count > Self.maxSessions { accessTokens.removeFirst(accessTokens.count - Self.maxSessions) }
        if refreshTokens.count > Self.maxSessions { refreshTokens.removeFirst(refreshTokens.count - Self.maxSessions) }
        return ["accessJwt": .string(access), "refreshJwt": .string(refresh), "handle": .string(handle),
                "did": .string(did), "active": true, "email": "sandbox@example.invalid", "emailConfirmed": true]
    }

    private func authenticate(_ request: SandboxRequest) -> SandboxResponse? {
        guard let token = request.authorization(scheme: "Bearer") else {
            return xrpcError(401, "AuthenticationRequired", "Authentication Required")
        }
        if refreshTokens.contains(token) {
            return xrpcError(400, "InvalidToken", "Invalid token type")
        }
        guard accessTokens.contains(token) else {
            return xrpcError(401, "InvalidToken", "Token could not be verified")
        }
        return nil
    }

    // MARK: Records

    private func createRecord(_ request: SandboxRequest, now: Date) -> SandboxResponse {
        guard let body = request.bodyObject, body.object != nil else {
            return xrpcError(400, "InvalidRequest", "Input must be an object")
        }
        guard let repo = body["repo"]?.string else {
            return xrpcError(400, "InvalidRequest", "Input must have the property \"repo\"")
        }
        guard repo == did || repo == handle else {
            return xrpcError(400, "InvalidRequest", "Could not find repo: \(repo)")
        }
        guard let collection = body["collection"]?.string, !collection.isEmpty else {
            return xrpcError(400, "InvalidRequest", "Input must have the property \"collection\"")
        }
        guard let record = body["record"], record.object != nil else {
            return xrpcError(400, "InvalidRequest", "Input must have the property \"record\"")
        }
        guard record["$type"]?.string == collection else {
            return xrpcError(400, "InvalidRequest", "Invalid $type: expected \(collection), got \(record["$type"]?.string ?? "nothing")")
        }
        var rkey = body["rkey"]?.string
        if let key = rkey, !Self.isValidRecordKey(key) {
            return xrpcError(400, "InvalidRequest", "Invalid record key: \(key)")
        }
        var replyTo: String?
        var text = ""
        if collection == "app.bsky.feed.post" {
            if let problem = validatePost(record) { return xrpcError(400, "InvalidRequest", "Invalid app.bsky.feed.post record: \(problem)") }
            text = record["text"]?.string ?? ""
            replyTo = record["reply"]?["parent"]?["uri"]?.string
        }
        let sequence = store.nextSequence()
        if rkey == nil { rkey = SandboxIDs.tid(now: now, sequence: sequence) }
        let key = rkey ?? ""
        let uri = "at://\(did)/\(collection)/\(key)"
        if store.contains(uri) {
            return xrpcError(400, "InvalidRequest", "Record already exists: \(uri)")
        }
        let cid = SandboxIDs.cid(record.data, salt: sequence)
        let post = collection == "app.bsky.feed.post"
            ? SandboxPost(platform: platform.rawValue, id: uri, text: text, replyTo: replyTo, rkey: key,
                          createdAt: SandboxTime.rfc3339(now))
            : nil
        store.add(Record(uri: uri, cid: cid, collection: collection, rkey: key, value: record), id: uri, post: post)
        return .json(200, ["uri": .string(uri), "cid": .string(cid),
                           "commit": ["cid": .string(SandboxIDs.cid(Data(uri.utf8), salt: -sequence)),
                                      "rev": .string(SandboxIDs.tid(now: now, sequence: sequence + 1))],
                           "validationStatus": "valid"])
    }

    /// The lexicon's rules for `app.bsky.feed.post` that octopost can break, in the PDS's words.
    private func validatePost(_ record: JSON) -> String? {
        guard let text = record["text"] else { return "Record must have the property \"text\"" }
        guard let string = text.string else { return "Record/text must be a string" }
        if string.count > 300 { return "Record/text must not be longer than 300 graphemes" }
        if string.utf8.count > 3000 { return "Record/text must not be longer than 3000 characters" }
        guard let createdAt = record["createdAt"]?.string else { return "Record must have the property \"createdAt\"" }
        if (try? Timestamp.resolve(createdAt, timeZone: nil)) == nil {
            return "Record/createdAt must be an valid atproto datetime (both RFC-3339 and ISO-8601)"
        }
        if let langs = record["langs"]?.array, langs.count > 3 { return "Record/langs must not have more than 3 elements" }
        if let reply = record["reply"] {
            for part in ["root", "parent"] {
                guard let ref = reply[part], let uri = ref["uri"]?.string, let cid = ref["cid"]?.string else {
                    return "Record/reply must have the property \"\(part)\" (uri and cid)"
                }
                guard let target = store[uri] else { return "Record/reply/\(part) not found: \(uri)" }
                guard target.cid == cid else { return "Record/reply/\(part) cid does not match \(uri)" }
            }
        }
        return nil
    }

    private func getRecord(_ request: SandboxRequest) -> SandboxResponse {
        guard let repo = request.query["repo"], let collection = request.query["collection"],
              let rkey = request.query["rkey"]
        else { return xrpcError(400, "InvalidRequest", "Params must have the properties \"repo\", \"collection\" and \"rkey\"") }
        guard repo == did || repo == handle else { return xrpcError(400, "InvalidRequest", "Could not find repo: \(repo)") }
        let uri = "at://\(did)/\(collection)/\(rkey)"
        guard let r = store[uri] else { return xrpcError(400, "RecordNotFound", "Could not locate record: \(uri)") }
        return .json(200, ["uri": .string(r.uri), "cid": .string(r.cid), "value": r.value])
    }

    private func listRecords(_ request: SandboxRequest) -> SandboxResponse {
        guard let repo = request.query["repo"], let collection = request.query["collection"] else {
            return xrpcError(400, "InvalidRequest", "Params must have the properties \"repo\" and \"collection\"")
        }
        guard repo == did || repo == handle else { return xrpcError(400, "InvalidRequest", "Could not find repo: \(repo)") }
        let limit = min(max(Int(request.query["limit"] ?? "") ?? 50, 1), 100)
        var list = store.records.filter { $0.collection == collection }.sorted { $0.rkey < $1.rkey }
        if request.query["reverse"] != "true" { list.reverse() }
        if let cursor = request.query["cursor"] {
            list = list.filter { request.query["reverse"] == "true" ? $0.rkey > cursor : $0.rkey < cursor }
        }
        let page = Array(list.prefix(limit))
        var answer: [String: JSON] = ["records": .array(page.map { ["uri": .string($0.uri), "cid": .string($0.cid), "value": $0.value] })]
        if list.count > limit, let last = page.last { answer["cursor"] = .string(last.rkey) }
        return .json(200, .object(answer))
    }

    // MARK: Shapes

    private func xrpcError(_ status: Int, _ error: String, _ message: String) -> SandboxResponse {
        .json(status, ["error": .string(error), "message": .string(message)])
    }

    nonisolated func errorResponse(status: Int, message: String) -> SandboxResponse {
        let name = switch status {
        case 400: "InvalidRequest"
        case 401: "AuthenticationRequired"
        case 413: "PayloadTooLarge"
        case 500: "InternalServerError"
        case 501: "MethodNotImplemented"
        case 502: "UpstreamFailure"
        case 503: "NotEnoughResources"
        case 504: "UpstreamTimeout"
        default: "InternalServerError"
        }
        return .json(status, ["error": .string(name), "message": .string(message)])
    }

    nonisolated func rateLimitHeaders(_ state: RateLimitState, now: Date) -> [(String, String)] {
        [("RateLimit-Limit", String(state.limit)), ("RateLimit-Remaining", String(state.remaining)),
         ("RateLimit-Reset", String(SandboxTime.epochSeconds(state.reset))),
         ("RateLimit-Policy", "\(state.limit);w=\(Int(state.window.rounded(.up)))")]
    }

    nonisolated func rateLimited(retryAfter: Double, state: RateLimitState, now: Date) -> SandboxResponse {
        var spent = state
        spent.remaining = 0
        spent.reset = now.addingTimeInterval(retryAfter)
        return .json(429, ["error": "RateLimitExceeded", "message": "Rate Limit Exceeded"],
                     headers: rateLimitHeaders(spent, now: now) + [("Retry-After", String(Int(retryAfter.rounded(.up))))])
    }

    // MARK: Helpers

    static func isValidRecordKey(_ key: String) -> Bool {
        guard (1...512).contains(key.utf8.count), key != ".", key != ".." else { return false }
        return key.utf8.allSatisfy { b in
            (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
                || b == 0x2E || b == 0x2D || b == 0x5F || b == 0x3A || b == 0x7E
        }
    }

    static func didSuffix(_ handle: String) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var out = ""
        for b in handle.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        while out.count < 24 {
            h = (h ^ (h >> 29)) &* 0xbf58_476d_1ce4_e5b9
            out.append(alphabet[Int(h & 31)])
        }
        return out
    }

    static func fakeJWT(scope: String, did: String, n: Int) -> String {
        func b64(_ s: String) -> String {
            Data(s.utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        }
        return b64("{\"typ\":\"at+jwt\",\"alg\":\"ES256K\"}") + "." + b64("{\"scope\":\"\(scope)\",\"sub\":\"\(did)\",\"jti\":\"sandbox-\(n)\"}") + ".c2FuZGJveA"
    }
}
