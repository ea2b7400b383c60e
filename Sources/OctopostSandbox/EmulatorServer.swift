import FlyingFox
import FlyingSocks
import Foundation
import OctopostKit

/// One platform emulator on a loopback HTTP server (127.0.0.1, an ephemeral port unless one is given).
///
/// Every platform request goes through the same steps: latency, then the next matching fault,
/// then the rate-limit budget (429 in the platform's shape when spent), then the platform's own
/// handler; the platform's rate-limit headers go on every answer. The control routes under
/// `/__sandbox/` skip all of that:
///
/// - `POST /__sandbox/faults` with a `SandboxFaultPlan` (`latency_ms`, `next`, `append`,
///   `rate_limit: {limit, window_s}`, `max_hang_s`); `GET /__sandbox/faults` shows the state.
/// - `GET /__sandbox/posts`: every post created, in order (a JSON array of `SandboxPost`).
/// - `POST /__sandbox/reset`: forgets posts, sessions, idempotency keys, faults, the window.
public final class EmulatorServer: Sendable {
    public let platform: Platform
    /// `http://127.0.0.1:PORT`: what `OCTOPOST_<NAME>_API_BASE` is set to.
    public let baseURL: URL
    public let port: UInt16

    private let server: HTTPServer
    private let runTask: Task<Void, any Error>
    let control: EmulatorControl
    let behavior: any PlatformBehavior

    private init(platform: Platform, baseURL: URL, port: UInt16, server: HTTPServer, runTask: Task<Void, any Error>,
                 control: EmulatorControl, behavior: any PlatformBehavior) {
        self.platform = platform
        self.baseURL = baseURL
        self.port = port
        self.server = server
        self.runTask = runTask
        self.control = control
        self.behavior = behavior
    }

    /// The platforms that have an emulator.
    public static let supportedPlatforms: [Platform] = [.mastodon, .bluesky, .telegram, .twitter, .discord]

    /// Starts the emulator of `platform` on 127.0.0.1:`port` (0: an ephemeral port).
    public static func start(_ platform: Platform, configuration: EmulatorConfiguration = EmulatorConfiguration(),
                             port: UInt16 = 0) async throws -> EmulatorServer {
        let behavior: any PlatformBehavior
        switch platform {
        case .mastodon: behavior = MastodonEmulator(configuration: configuration)
        case .bluesky: behavior = BlueskyEmulator(configuration: configuration)
        case .telegram: behavior = TelegramEmulator(configuration: configuration)
        case .twitter: behavior = XEmulator(configuration: configuration)
        case .discord: behavior = DiscordEmulator(configuration: configuration)
        default: throw SandboxError.unsupported(platform)
        }
        let control = EmulatorControl(configuration: configuration,
                                      rateLimit: configuration.rateLimit ?? behavior.defaultRateLimit)
        let address = try sockaddr_in.inet(ip4: "127.0.0.1", port: port)
        let pipeline = Pipeline(behavior: behavior, control: control, configuration: configuration)
        // The handler timeout only bounds handlers (latency included); hangs and drops happen after it.
        let server = HTTPServer(address: address, timeout: 600, logger: .disabled, handler: pipeline)
        let runTask = Task { try await server.run() }
        do {
            try await server.waitUntilListening(timeout: 10)
        } catch {
            runTask.cancel()
            throw SandboxError.cannotListen(port: port)
        }
        guard case .ip4(_, let boundPort)? = await server.listeningAddress,
              let url = URL(string: "http://127.0.0.1:\(boundPort)")
        else {
            await server.stop(timeout: 0)
            runTask.cancel()
            throw SandboxError.cannotListen(port: port)
        }
        return EmulatorServer(platform: platform, baseURL: url, port: boundPort, server: server, runTask: runTask,
                              control: control, behavior: behavior)
    }

    /// Stops listening, ends every open connection (hangs included) and waits for the server.
    public func stop() async {
        await control.markStopped()
        await server.stop(timeout: 0)
        runTask.cancel()
        _ = await runTask.result
    }

    // MARK: Faults and state, from code (the same as the HTTP control routes)

    public func apply(_ plan: SandboxFaultPlan) async { await control.apply(plan) }
    public func enqueue(_ faults: SandboxFault...) async { await control.apply(SandboxFaultPlan(next: faults, append: true)) }
    public func setLatency(seconds: Double) async { await control.apply(SandboxFaultPlan(latencyMs: Int(seconds * 1000))) }
    public func setRateLimit(_ policy: RateLimitPolicy) async { await control.apply(SandboxFaultPlan(rateLimit: policy)) }
    public func pendingFaults() async -> [SandboxFault] { await control.faults }
    public func posts() async -> [SandboxPost] { await behavior.posts }

    public func reset() async {
        await control.reset()
        await behavior.reset()
    }
}

public enum SandboxError: Error, Equatable, CustomStringConvertible {
    case unsupported(Platform)
    case cannotListen(port: UInt16)

    public var description: String {
        switch self {
        case .unsupported(let p): "the sandbox has no emulator for \(p.rawValue)"
        case .cannotListen(let port): port == 0 ? "cannot listen on 127.0.0.1" : "cannot listen on 127.0.0.1:\(port) (in use?)"
        }
    }
}

/// Faults, latency and the rate-limit window of one emulator.
actor EmulatorControl {
    static let maxQueuedFaults = 1000

    private let configuration: EmulatorConfiguration
    private let defaultRateLimit: RateLimitPolicy
    private(set) var faults: [SandboxFault] = []
    private(set) var latency: Double
    private(set) var maxHang: Double
    private(set) var rateLimit: RateLimitPolicy
    private var windowStart: Date?
    private var used = 0
    private(set) var stopped = false

    init(configuration: EmulatorConfiguration, rateLimit: RateLimitPolicy) {
        self.configuration = configuration
        self.defaultRateLimit = rateLimit
        self.latency = max(0, configuration.latency)
        self.maxHang = max(0, configuration.maxHang)
        self.rateLimit = rateLimit
    }

    func apply(_ plan: SandboxFaultPlan) {
        if let ms = plan.latencyMs { latency = Double(min(max(ms, 0), 60_000)) / 1000 }
        if let next = plan.next {
            faults = plan.append == true ? faults + next : next
            if faults.count > Self.maxQueuedFaults { faults = Array(faults.prefix(Self.maxQueuedFaults)) }
        }
        if let policy = plan.rateLimit {
            rateLimit = policy
            windowStart = nil
            used = 0
        }
        if let hang = plan.maxHangS { maxHang = min(max(hang, 0), 3600) }
    }

    func reset() {
        faults = []
        latency = max(0, configuration.latency)
        maxHang = max(0, configuration.maxHang)
        rateLimit = configuration.rateLimit ?? defaultRateLimit
        windowStart = nil
        used = 0
    }

    func markStopped() { stopped = true }

    /// Removes and returns the first queued fault that matches.
    func takeFault(method: String, path: String) -> SandboxFault? {
        guard let index = faults.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
        return faults.remove(at: index)
    }

    /// Spends one request of the window; `allowed` is false when the budget was already spent.
    func consume(now: Date) -> (allowed: Bool, state: RateLimitState) {
        if let start = windowStart, now.timeIntervalSince(start) >= rateLimit.window {
            windowStart = nil
        }
        if windowStart == nil {
            windowStart = now
            used = 0
        }
        let start = windowStart ?? now
        let reset = start.addingTimeInterval(rateLimit.window)
        let allowed = used < rateLimit.limit
        if allowed { used += 1 }
        let state = RateLimitState(limit: rateLimit.limit, remaining: max(0, rateLimit.limit - used), reset: reset,
                                   window: rateLimit.window)
        return (allowed, state)
    }

    /// The window as it stands, without spending.
    func peek(now: Date) -> RateLimitState {
        if let start = windowStart, now.timeIntervalSince(start) < rateLimit.window {
            return RateLimitState(limit: rateLimit.limit, remaining: max(0, rateLimit.limit - used),
                                  reset: start.addingTimeInterval(rateLimit.window), window: rateLimit.window)
        }
        return RateLimitState(limit: rateLimit.limit, remaining: rateLimit.limit,
                              reset: now.addingTimeInterval(rateLimit.window), window: rateLimit.window)
    }

    var snapshot: JSON {
        let faultList: [JSON] = faults.compactMap { fault in
            (try? JSONEncoder().encode(fault)).flatMap(JSON.parse)
        }
        return [
            "latency_ms": .int(Int(latency * 1000)),
            "max_hang_s": .double(maxHang),
            "next": .array(faultList),
            "rate_limit": ["limit": .int(rateLimit.limit), "window_s": .double(rateLimit.window)],
        ]
    }
}

/// The FlyingFox handler: control routes, then latency → fault → budget → platform.
struct Pipeline: HTTPHandler {
    static let maxBodyBytes = 8 * 1024 * 1024

    let behavior: any PlatformBehavior
    let control: EmulatorControl
    let configuration: EmulatorConfiguration

    func handleRequest(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        let body: Data
        do {
            body = try await Self.readBody(request)
        } catch {
            return Self.encode(behavior.errorResponse(status: 413, message: "request body too large"))
        }
        var headers: [String: String] = [:]
        for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
        var query: [String: String] = [:]
        for item in request.query where query[item.name] == nil { query[item.name] = item.value }
        let sandboxRequest = SandboxRequest(method: request.method.rawValue, path: request.path, query: query,
                                            headers: headers, body: body)
        if sandboxRequest.path == "/__sandbox" || sandboxRequest.path.hasPrefix("/__sandbox/") {
            return Self.encode(await controlResponse(sandboxRequest))
        }
        return await platformResponse(sandboxRequest)
    }

    private func platformResponse(_ request: SandboxRequest) async -> FlyingFox.HTTPResponse {
        let latency = await control.latency
        if latency > 0 {
            try? await Task.sleep(nanoseconds: UInt64(latency * 1_000_000_000))
        }
        let now = configuration.now()
        if let fault = await control.takeFault(method: request.method, path: request.path) {
            let state = await control.peek(now: now)
            switch fault.kind {
            case .status(429, let retryAfter):
                return Self.encode(behavior.rateLimited(retryAfter: retryAfter ?? 1, state: state, now: now))
            case .status(let status, _):
                var answer = behavior.errorResponse(status: status, message: "sandbox fault: HTTP \(status)")
                answer.headers += behavior.rateLimitHeaders(state, now: now)
                return Self.encode(answer)
            case .garbage(let status):
                let garbage = Data("{\"id\": \"12\u{0}\u{7}<<truncated".utf8) + Data([0xFF, 0xFE, 0x00, 0x7B])
                return Self.encode(SandboxResponse(status: status, headers: [("Content-Type", "application/json")],
                                                   body: garbage))
            case .html(let status):
                let html = "<!DOCTYPE html><html><head><title>\(status) Bad Gateway</title></head><body><center><h1>\(status) Bad Gateway</h1></center><hr><center>nginx</center></body></html>\n"
                return Self.encode(SandboxResponse(status: status, headers: [("Content-Type", "text/html")],
                                                   body: Data(html.utf8)))
            case .hang:
                return FlyingFox.HTTPResponse(webSocket: Hang(seconds: await control.maxHang))
            case .drop:
                return FlyingFox.HTTPResponse(webSocket: Drop())
            case .dropAfterCommit:
                _ = await behaviorResponse(request, now: now)
                return FlyingFox.HTTPResponse(webSocket: Drop())
            case .echo(let status, let pad):
                let echoed = String(repeating: "x", count: pad) + "Authorization: " + (request.header("authorization") ?? "none")
                    + " (\(request.method) \(request.path))"
                return Self.encode(behavior.errorResponse(status: status, message: echoed))
            case .redirect(let location, let status):
                return Self.encode(Self.redirect(request, to: location, status: status))
            case .redirectAfterCommit(let location, let status):
                _ = await behaviorResponse(request, now: now)
                return Self.encode(Self.redirect(request, to: location, status: status))
            case .answer(let status, let body):
                let credential = request.header("authorization").map { value in
                    value.split(separator: " ", maxSplits: 1).last.map(String.init) ?? value
                } ?? ""
                let filled = body.replacingOccurrences(of: "{{authorization}}", with: credential)
                    .replacingOccurrences(of: "{{path}}", with: request.path)
                return Self.encode(SandboxResponse(status: status, headers: [("Content-Type", "application/json")],
                                                   body: Data(filled.utf8)))
            }
        }
        return Self.encode(await behaviorResponse(request, now: now))
    }

    /// A redirect to `location` + the request's path and query.
    private static func redirect(_ request: SandboxRequest, to location: String, status: Int) -> SandboxResponse {
        let query = request.query.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        let target = location + request.path + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        return SandboxResponse(status: status, headers: [("Location", target)])
    }

    /// Budget, capacity, then the platform's handler; rate-limit headers on the answer.
    private func behaviorResponse(_ request: SandboxRequest, now: Date) async -> SandboxResponse {
        let (allowed, state) = await control.consume(now: now)
        guard allowed else {
            return behavior.rateLimited(retryAfter: max(0.001, state.reset.timeIntervalSince(now)), state: state, now: now)
        }
        var answer: SandboxResponse
        if request.method == "POST", await behavior.posts.count >= configuration.maxPosts {
            answer = behavior.errorResponse(status: 503, message: "the sandbox holds \(configuration.maxPosts) posts; POST /__sandbox/reset")
        } else {
            answer = await behavior.handle(request, now: now)
        }
        answer.headers += behavior.rateLimitHeaders(state, now: now)
        return answer
    }

    private func controlResponse(_ request: SandboxRequest) async -> SandboxResponse {
        switch (request.method, request.path) {
        case ("POST", "/__sandbox/faults"):
            let plan: SandboxFaultPlan
            do {
                plan = try JSONDecoder().decode(SandboxFaultPlan.self, from: request.body.isEmpty ? Data("{}".utf8) : request.body)
            } catch {
                return .json(400, ["error": "invalid fault plan", "message": .string(Self.describe(error))])
            }
            await control.apply(plan)
            return .json(200, await control.snapshot)
        case ("GET", "/__sandbox/faults"):
            return .json(200, await control.snapshot)
        case ("GET", "/__sandbox/posts"):
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(await behavior.posts)) ?? Data("[]".utf8)
            return SandboxResponse(status: 200, headers: [("Content-Type", "application/json")], body: data)
        case ("POST", "/__sandbox/reset"):
            await control.reset()
            await behavior.reset()
            return .json(200, ["ok": true])
        case (_, "/__sandbox/faults"), (_, "/__sandbox/posts"), (_, "/__sandbox/reset"):
            return .json(405, ["error": "method not allowed"])
        default:
            return .json(404, ["error": "unknown sandbox route", "routes": [
                "POST /__sandbox/faults", "GET /__sandbox/faults", "GET /__sandbox/posts", "POST /__sandbox/reset",
            ]])
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted(let c)?: return c.debugDescription
        case .keyNotFound(let k, _)?: return "missing \(k.stringValue)"
        case .typeMismatch(_, let c)?: return "wrong type at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        case .valueNotFound(_, let c)?: return "missing value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "not JSON"
        }
    }

    static func readBody(_ request: FlyingFox.HTTPRequest) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBodyBytes {
            throw SandboxBodyTooLarge()
        }
        var data = Data()
        for try await chunk in request.bodySequence {
            data.append(chunk)
            if data.count > maxBodyBytes { throw SandboxBodyTooLarge() }
        }
        return data
    }

    static func encode(_ response: SandboxResponse) -> FlyingFox.HTTPResponse {
        var headers = HTTPHeaders()
        for (name, value) in response.headers { headers.addValue(value, for: HTTPHeader(name)) }
        return FlyingFox.HTTPResponse(statusCode: HTTPStatusCode(response.status, phrase: reasonPhrase(response.status)),
                                      headers: headers, body: response.body)
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }
}

struct SandboxBodyTooLarge: Error {}

/// Closes the connection without a byte of answer: FlyingFox asks a WebSocket handler for its
/// frames before it writes the upgrade response, so throwing here closes the socket unanswered.
struct Drop: WSHandler {
    struct Dropped: Error {}
    func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        throw Dropped()
    }
}

/// Never answers: waits (cancellably: the emulator's stop cancels it) and then closes unanswered.
struct Hang: WSHandler {
    let seconds: Double
    func makeFrames(for client: AsyncThrowingStream<WSFrame, any Error>) async throws -> AsyncStream<WSFrame> {
        try? await Task.sleep(nanoseconds: UInt64(max(0, min(seconds, 3600)) * 1_000_000_000))
        throw Drop.Dropped()
    }
}
