import Foundation

/// Bluesky (AT Protocol, PLATFORMS §2): one session per run shared by every entry (createSession is limited
/// to 30 per 5 minutes), refreshed on `ExpiredToken`; posts are created with a record key derived from the
/// part's idempotency key, so repeating a request whose answer was lost cannot make a second post.
public actor BlueskyAdapter: PlatformAdapter {
    public nonisolated let target: PlatformTarget
    public nonisolated var recoveryModes: [RecoveryMode] { [.deterministicKey] }

    struct Session: Sendable {
        var accessJwt: String
        var refreshJwt: String
        var did: String
        var handle: String?
        var generation: Int
    }

    private let service: String
    private let identifier: String
    private let password: String
    private let transport: AdapterTransport
    private let clock: AdapterClock
    private var session: Session?
    private var login: Task<Result<Session, PublishError>, Never>?
    /// A login that failed for good (bad password, 2FA, takedown) or was rate limited: not retried this run.
    private var loginFailure: PublishError?
    private var generation = 0
    private var handles: [String: String?] = [:]
    private var latest: RateLimitState?

    public init(_ context: AdapterContext, clock: AdapterClock) throws(PublishError) {
        target = context.target
        guard let identifier = context.credentials["IDENTIFIER"], let password = context.credentials["APP_PASSWORD"] else {
            throw missingCredential(context.target, ["IDENTIFIER", "APP_PASSWORD"].filter { !context.credentials.has($0) },
                                    hint: "the account's handle or email and an app password from Settings → App passwords")
        }
        service = context.apiBase?.absoluteString ?? "https://bsky.social"
        self.identifier = identifier
        self.password = password
        self.clock = clock
        transport = AdapterTransport(client: context.http, credentials: context.credentials, platform: .bluesky)
    }

    public func rateLimit() async -> RateLimitState? { latest }

    // MARK: publishing

    public func publish(_ part: OutgoingPart, of post: Post) async throws(PublishError) -> SegmentResult {
        let current = try await ensureSession()
        var record: [String: JSONValue] = [
            "$type": "app.bsky.feed.post",
            "text": .string(part.text),
            "createdAt": .string(ISO8601.milliseconds(clock.now())),
        ]
        if let langs = post.listOption(.bluesky, "langs"), !langs.isEmpty { record["langs"] = .array(langs.map { .string($0) }) }
        let facets = try await resolvedFacets(part.text)
        if !facets.isEmpty { record["facets"] = .array(facets.map(\.json)) }
        if let parent = part.parent {
            let root = part.root ?? parent
            record["reply"] = ["root": try strongRef(root, role: "first"), "parent": try strongRef(parent, role: "previous")]
        }
        let rkey = BlueskyTID.derive(from: part.idempotencyKey)
        let body: JSONValue = ["repo": .string(current.did), "collection": "app.bsky.feed.post", "rkey": .string(rkey),
                               "record": .object(record)]
        do throws(PublishError) {
            let json = try await xrpc("POST", "com.atproto.repo.createRecord", body: body)
            guard let uri = json["uri"]?.string, let cid = json["cid"]?.string else {
                throw PublishError(.transient, "unexpected answer from Bluesky: createRecord returned no uri/cid; will retry")
            }
            return result(uri: uri, cid: cid)
        } catch {
            // A repeated key: the PDS answers 500 today (atproto#4728 adds an explicit error). Whatever it says, a
            // record under our key with our text means an earlier attempt went through.
            guard mightAlreadyExist(error) else { throw error }
            guard let existing = try? await existingRecord(rkey: rkey) else { throw error }
            guard existing.text == part.text else {
                throw PublishError(.permanent, "Bluesky already has a different record under key \(rkey) "
                    + "(\(existing.uri)); octopost will not overwrite it")
            }
            return result(uri: existing.uri, cid: existing.cid)
        }
    }

    private func mightAlreadyExist(_ error: PublishError) -> Bool {
        if let status = error.httpStatus, (500...599).contains(status) { return true }
        let m = error.message.lowercased()
        return error.httpStatus.map { (400...499).contains($0) } == true && (m.contains("exist") || m.contains("duplicate"))
    }

    private func existingRecord(rkey: String) async throws(PublishError) -> (uri: String, cid: String, text: String)? {
        let did = try await ensureSession().did
        let json = try await xrpc("GET", "com.atproto.repo.getRecord",
                                  query: [("repo", did), ("collection", "app.bsky.feed.post"), ("rkey", rkey)])
        guard let uri = json["uri"]?.string, let cid = json["cid"]?.string else { return nil }
        return (uri, cid, json["value"]?["text"]?.string ?? "")
    }

    private func result(uri: String, cid: String) -> SegmentResult {
        let rkey = uri.split(separator: "/").last.map(String.init) ?? ""
        var profile = session?.did ?? ""
        if let handle = session?.handle, !handle.isEmpty, handle != "handle.invalid" { profile = handle }
        return SegmentResult(postID: uri, postURL: "https://bsky.app/profile/\(profile)/post/\(rkey)", cid: cid)
    }

    private func strongRef(_ ref: SegmentResult, role: String) throws(PublishError) -> JSONValue {
        guard let cid = ref.cid, !cid.isEmpty, ref.postID.hasPrefix("at://") else {
            throw PublishError(.permanent, "cannot reply on Bluesky: the ledger has no uri/cid for the \(role) post of the "
                + "thread (post_id \(ref.postID)); fix the ledger entry's segments or retry the whole thread")
        }
        return ["uri": .string(ref.postID), "cid": .string(cid)]
    }

    /// Detected facets with mentions resolved to DIDs; a handle that does not resolve loses its facet.
    private func resolvedFacets(_ text: String) async throws(PublishError) -> [BlueskyFacet] {
        var out: [BlueskyFacet] = []
        for var facet in BlueskyRichText.detect(text) {
            if case .mention(let handle) = facet.feature {
                guard let did = try await resolve(handle: handle) else { continue }
                facet.feature = .resolvedMention(did: did)
            }
            out.append(facet)
        }
        return out
    }

    private func resolve(handle: String) async throws(PublishError) -> String? {
        if let cached = handles[handle] { return cached }
        guard let url = URLBuilder.url(service, "/xrpc/com.atproto.identity.resolveHandle", query: [("handle", handle)]) else {
            return nil
        }
        let response = try await transport.send(HTTPRequest(method: "GET", url: url, headers: ["Accept": "application/json"]))
        record(response)
        if HTTPStatusClass.isTransient(response.status) { throw classify(response, call: "resolveHandle") }
        let did = HTTPStatusClass.isSuccess(response.status) ? JSONValue.parse(response.body)?["did"]?.string : nil
        handles[handle] = .some(did)
        return did
    }

    // MARK: session

    private func ensureSession() async throws(PublishError) -> Session {
        if let session { return session }
        if let loginFailure { throw loginFailure }
        let task: Task<Result<Session, PublishError>, Never>
        if let login {
            task = login
        } else {
            task = Task { await self.createSession() }
            login = task
        }
        let outcome = await task.value
        login = nil
        switch outcome {
        case .success(let s):
            if session == nil || session!.generation < s.generation { session = s }
            return session ?? s
        case .failure(let e):
            if e.kind == .permanent || e.httpStatus == 429 { loginFailure = e }
            throw e
        }
    }

    private func createSession() async -> Result<Session, PublishError> {
        do throws(PublishError) {
            guard let url = URLBuilder.url(service, "/xrpc/com.atproto.server.createSession") else {
                throw PublishError(.permanent, "the Bluesky service URL is not valid; check accounts.\"\(target.key)\".service")
            }
            let body: JSONValue = ["identifier": .string(identifier), "password": .string(password)]
            let response = try await transport.send(HTTPRequest(method: "POST", url: url,
                headers: ["Content-Type": "application/json", "Accept": "application/json"], body: body.data))
            record(response)
            guard HTTPStatusClass.isSuccess(response.status) else { throw classify(response, call: "createSession") }
            return .success(try makeSession(transport.json(response, what: "createSession")))
        } catch {
            return .failure(error)
        }
    }

    private func makeSession(_ json: JSONValue) throws(PublishError) -> Session {
        // Secrets the moment they arrive: any later error text that echoes them is redacted.
        for key in ["accessJwt", "refreshJwt"] { if let token = json[key]?.string { transport.register(token) } }
        guard let access = json["accessJwt"]?.string, let refresh = json["refreshJwt"]?.string,
              let did = json["did"]?.string else {
            throw PublishError(.transient, "unexpected answer from Bluesky: the session has no tokens or did; will retry")
        }
        generation += 1
        return Session(accessJwt: access, refreshJwt: refresh, did: did, handle: json["handle"]?.string, generation: generation)
    }

    /// After `ExpiredToken`: refresh once (unless another request already did), else log in again.
    private func renewSession(after used: Session) async throws(PublishError) -> Session {
        if let session, session.generation != used.generation { return session }
        session = nil
        guard let url = URLBuilder.url(service, "/xrpc/com.atproto.server.refreshSession") else { return try await ensureSession() }
        let response = try await transport.send(HTTPRequest(method: "POST", url: url,
            headers: ["Authorization": "Bearer \(used.refreshJwt)", "Accept": "application/json"]))
        record(response)
        if HTTPStatusClass.isSuccess(response.status) {
            let fresh = try makeSession(transport.json(response, what: "refreshSession"))
            session = fresh
            return fresh
        }
        let name = JSONValue.parse(response.body)?["error"]?.string
        if response.status == 401 || name == "ExpiredToken" || name == "InvalidToken" { return try await ensureSession() }
        throw classify(response, call: "refreshSession")
    }

    // MARK: XRPC

    /// An authenticated XRPC call; refreshes the session once on `ExpiredToken`.
    private func xrpc(_ method: String, _ nsid: String, query: [(String, String)] = [], body: JSONValue? = nil)
        async throws(PublishError) -> JSONValue {
        var current = try await ensureSession()
        for attempt in 0..<2 {
            guard let url = URLBuilder.url(service, "/xrpc/\(nsid)", query: query) else {
                throw PublishError(.permanent, "the Bluesky service URL is not valid; check accounts.\"\(target.key)\".service")
            }
            var headers = ["Authorization": "Bearer \(current.accessJwt)", "Accept": "application/json"]
            if body != nil { headers["Content-Type"] = "application/json" }
            let response = try await transport.send(HTTPRequest(method: method, url: url, headers: headers, body: body?.data))
            record(response)
            if HTTPStatusClass.isSuccess(response.status) { return try transport.json(response, what: nsid) }
            let name = JSONValue.parse(response.body)?["error"]?.string
            if attempt == 0, (response.status == 400 || response.status == 401), name == "ExpiredToken" {
                current = try await renewSession(after: current)
                continue
            }
            throw classify(response, call: nsid)
        }
        throw PublishError(.transient, "Bluesky kept answering ExpiredToken after a session refresh; will retry")
    }

    private func record(_ response: HTTPResponse) {
        let remaining = RateLimitHeaders.int(response.header("RateLimit-Remaining"))
        let reset = RateLimitHeaders.epoch(response.header("RateLimit-Reset"))
        if remaining != nil || reset != nil { latest = RateLimitState(remaining: remaining, reset: reset) }
    }

    /// PLATFORMS §2.E: XRPC errors are `{"error": Name, "message": …}`.
    private func classify(_ response: HTTPResponse, call: String) -> PublishError {
        let json = JSONValue.parse(response.body)
        let name = json?["error"]?.string
        let reason = [name, json?["message"]?.string].compactMap { $0 }.joined(separator: ": ")
        var message = transport.describe(response, reason: reason) + " (\(call))"
        let status = response.status
        if status == 429 {
            let wait = RateLimitHeaders.retryAfter(response.header("Retry-After"), now: clock.now())
                ?? RateLimitHeaders.epoch(response.header("RateLimit-Reset"))
            return PublishError(.transient, message + "; rate limited, will retry after the window resets",
                                notBefore: wait, httpStatus: status)
        }
        if HTTPStatusClass.isTransient(status) { return PublishError(.transient, message + "; will retry", httpStatus: status) }
        switch name {
        case "AuthFactorTokenRequired":
            message += "; the account asks for an email code: use an app password (Settings → App passwords) in "
                + Credentials.variableName(target, field: "APP_PASSWORD")
        case "AccountTakedown": message += "; the account has been taken down"
        default:
            if call == "createSession" && status == 401 {
                message += "; check \(Credentials.variableName(target, field: "IDENTIFIER")) and "
                    + "\(Credentials.variableName(target, field: "APP_PASSWORD"))"
            } else if status == 401 || name == "InvalidToken" || name == "ExpiredToken" {
                message += "; the session was rejected: check the app password"
            }
        }
        return PublishError(.permanent, message, httpStatus: status)
    }
}

extension BlueskyAdapter: SecretHoldingAdapter {
    nonisolated var secrets: SecretRegistry { transport.secrets }
}
