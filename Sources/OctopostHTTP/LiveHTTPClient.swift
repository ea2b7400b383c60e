import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OctopostKit

/// The live `HTTPClient`, over async-http-client (SwiftNIO).
///
/// Chosen over URLSession: on Linux, URLSession (libcurl) lost about one request in 600 under 24
/// concurrent requests against a loopback server that answered every one of them to curl (they timed
/// out), and it silently re-sends a request whose kept-alive connection died, which for a POST can
/// publish twice. async-http-client never re-sends a request it has started to send.
///
/// Transport failures never carry the URL: Telegram and Discord put tokens in their paths, so a reason
/// is a fixed phrase chosen from the error, never the library's description.
///
/// Redirects are never followed: a 3xx comes back to the caller as an answer. Following one would send
/// the request's URL path (Telegram's bot token, a Discord webhook's token) and its body to wherever the
/// server points; async-http-client drops only the Authorization and Cookie headers on the way.
public struct LiveHTTPClient: OctopostKit.HTTPClient {
    /// Largest answer read; platform answers are small JSON documents.
    public static let maxBodyBytes = 16 << 20

    /// The shared client's settings with redirects turned off. Never shut down (it lives as long as
    /// the process, like `HTTPClient.shared`).
    static let client: AsyncHTTPClient.HTTPClient = {
        var configuration = AsyncHTTPClient.HTTPClient.Configuration.singletonConfiguration
        configuration.redirectConfiguration = .disallow
        return AsyncHTTPClient.HTTPClient(eventLoopGroup: AsyncHTTPClient.HTTPClient.defaultEventLoopGroup,
                                          configuration: configuration)
    }()

    public init() {}

    public func send(_ request: OctopostKit.HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              request.url.host != nil
        else { throw .invalidURL }
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        let deadline = TimeAmount.milliseconds(Int64(max(0.001, request.timeout) * 1000))
        do {
            let response = try await Self.client.execute(outgoing, timeout: deadline)
            let buffer = try await response.body.collect(upTo: Self.maxBodyBytes)
            var headers: [String: String] = [:]
            for (name, value) in response.headers {
                let key = name.lowercased()
                headers[key] = headers[key].map { $0 + ", " + value } ?? value
            }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Data(buffer.readableBytesView))
        } catch {
            throw Self.transportError(error)
        }
    }

    static func transportError(_ error: any Error) -> HTTPTransportError {
        if let e = error as? HTTPClientError {
            if [.connectTimeout, .getConnectionFromPoolTimeout].contains(e) {
                return .notSent("could not connect in time")
            }
            if [.deadlineExceeded, .readTimeout, .writeTimeout].contains(e) { return .timeout }
            if e == .remoteConnectionClosed { return .connection("the connection closed before an answer came") }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(e) { return .invalidURL }
            if e == .bodyLengthMismatch { return .connection("the answer was cut short") }
            return .connection("the request failed (\(Self.kind(e)))")
        }
        if error is NIOTooManyBytesError { return .connection("the answer is larger than \(maxBodyBytes) bytes") }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return .notSent("connection refused")
            case ECONNRESET: return .connection("connection reset")
            case ETIMEDOUT: return .timeout
            default: return .connection("network error (errno \(e.errnoCode))")
            }
        }
        if error is CancellationError { return .connection("cancelled") }
        // SwiftNIO's connect failure (NIOPosix.NIOConnectionError: every address refused or unreachable).
        if String(describing: type(of: error)) == "NIOConnectionError" { return .notSent("could not connect") }
        return .connection("the request failed")
    }

    /// The error's case name alone (no associated text, which could hold a host or path).
    static func kind(_ error: HTTPClientError) -> String {
        let text = String(describing: error)
        return String(text.prefix { $0.isLetter || $0 == "." }.suffix(40))
    }
}
