import Foundation
import Testing
@testable import OctopostKit

/// A fake platform: records every request and answers from a closure given the request and its number.
final class FakeAPI: Sendable {
    private let log = RequestLog()
    let client: ClosureHTTPClient

    init(_ respond: @escaping @Sendable (HTTPRequest, Int) throws(HTTPTransportError) -> HTTPResponse) {
        let log = self.log
        client = ClosureHTTPClient { (request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse in
            let n = await log.append(request)
            return try respond(request, n)
        }
    }

    var requests: [HTTPRequest] { get async { await log.requests } }
}

actor RequestLog {
    var requests: [HTTPRequest] = []
    func append(_ r: HTTPRequest) -> Int {
        requests.append(r)
        return requests.count - 1
    }
}

enum AFx {
    static let now = Date(timeIntervalSince1970: 1_775_000_000)  // 2026-03-31T23:33:20Z
    static let clock = AdapterClock.fixed(now)

    static func json(_ status: Int, _ value: JSONValue, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers.merging(["Content-Type": "application/json"]) { a, _ in a }, body: value.data)
    }

    static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "text/html"], body: Data(text.utf8))
    }

    static func body(_ request: HTTPRequest) -> JSONValue? { request.body.flatMap { JSONValue.parse($0) } }

    static func query(_ request: HTTPRequest) -> [String: String] {
        let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    static func post(_ platform: Platform, options: [String: OptionValue] = [:], contentWarning: String? = nil,
                     text: String = "hello") -> Post {
        Post(source: "content/a.md", id: "a", platforms: [Located(PlatformTarget(platform: platform), at: .start)],
             contentWarning: contentWarning.map { Located($0, at: .start) },
             options: options.isEmpty ? [:] : [platform: options.mapValues { Located($0, at: .start) }],
             content: text, contentLocation: .start)
    }

    static func part(_ index: Int = 0, _ text: String = "hello", parent: SegmentResult? = nil, root: SegmentResult? = nil,
                     key: String? = nil) -> OutgoingPart {
        OutgoingPart(index: index, text: text, parent: parent, root: root,
                     idempotencyKey: key ?? String(repeating: "ab", count: 31) + String(format: "%02x", index))
    }

    static func context(_ platform: Platform, _ credentials: [String: String], api: FakeAPI, apiBase: String? = nil,
                        account: Config.Account? = nil) -> AdapterContext {
        AdapterContext(target: PlatformTarget(platform: platform), account: account, credentials: Credentials(credentials),
                       http: api.client, apiBase: apiBase.flatMap { URL(string: $0) })
    }

    /// Runs a publish that must fail and returns its error.
    static func failure(_ body: () async throws(PublishError) -> SegmentResult) async -> PublishError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    /// No secret, and no percent-encoded form of one, in a text.
    static func expectNoSecrets(_ text: String, _ secrets: [String], sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for s in secrets {
            #expect(!text.contains(s), "secret leaked into: \(text)", sourceLocation: sourceLocation)
            if let e = s.addingPercentEncoding(withAllowedCharacters: .alphanumerics), e != s {
                #expect(!text.contains(e), "encoded secret leaked into: \(text)", sourceLocation: sourceLocation)
            }
        }
    }
}
