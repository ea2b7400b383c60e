import Foundation

/// One HTTP request. Adapters build these; the client sends them.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    /// Header names as written; values may hold secrets: never log them.
    public var headers: [String: String]
    public var body: Data?
    public var timeout: TimeInterval

    public init(method: String, url: URL, headers: [String: String] = [:], body: Data? = nil, timeout: TimeInterval = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// One HTTP response, headers keyed in lower case.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Failures below HTTP: no answer at all.
public enum HTTPTransportError: Error, Sendable, Equatable {
    /// No answer in time: the request may have arrived and been acted on.
    case timeout
    /// The connection failed after it was made: the request may have arrived.
    case connection(String)
    /// No connection could be made: the request certainly did not arrive.
    case notSent(String)
    case invalidURL
}

/// The one seam every platform adapter talks through. Live: URLSession; tests: closures or loopback servers.
public protocol HTTPClient: Sendable {
    func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse
}

/// A client made of a closure (test doubles).
public struct ClosureHTTPClient: HTTPClient {
    let handler: @Sendable (HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse
    public init(_ handler: @escaping @Sendable (HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse) {
        self.handler = handler
    }
    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        try await handler(request)
    }
}
