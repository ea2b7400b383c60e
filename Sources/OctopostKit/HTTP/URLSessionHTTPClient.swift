import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The live `HTTPClient`: one shared `URLSession`, a timeout per request, no connection reuse.
///
/// Transport failures never carry the URL: Telegram and Discord put tokens in their paths, so an
/// error reason is a fixed phrase chosen from the `URLError` code, never the system's description.
public struct URLSessionHTTPClient: HTTPClient {
    /// One session for the whole process: no cache, no cookies, no credential store.
    static let sharedSession: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCredentialStorage = nil
        return URLSession(configuration: configuration)
    }()

    private let session: URLSession

    public init() {
        self.session = Self.sharedSession
    }

    public func send(_ request: HTTPRequest) async throws(HTTPTransportError) -> HTTPResponse {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              request.url.host != nil
        else { throw .invalidURL }
        var urlRequest = URLRequest(url: request.url, cachePolicy: .reloadIgnoringLocalCacheData,
                                    timeoutInterval: request.timeout)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers {
            urlRequest.setValue(value, forHTTPHeaderField: name)
        }
        // No connection reuse: when a kept-alive connection dies under a request, libcurl (URLSession on
        // Linux) silently re-sends it on a fresh one, and a re-sent POST can publish twice (or, when the
        // body cannot be rewound, hang until the timeout). A new connection per request costs a
        // handshake; at-most-once is worth more.
        if !request.headers.keys.contains(where: { $0.lowercased() == "connection" }) {
            urlRequest.setValue("close", forHTTPHeaderField: "Connection")
        }
        urlRequest.httpBody = request.body

        let result = await Self.perform(urlRequest, on: session, deadline: request.timeout)
        switch result {
        case .success(let (data, response)):
            var headers: [String: String] = [:]
            for (key, value) in response.allHeaderFields {
                guard let name = key as? String else { continue }
                headers[name.lowercased()] = value as? String ?? String(describing: value)
            }
            return HTTPResponse(status: response.statusCode, headers: headers, body: data)
        case .failure(let error):
            throw error
        }
    }

    /// Runs one data task. `URLRequest.timeoutInterval` is an idle timeout; a hard deadline a little
    /// past it cancels a task that trickles or that the platform's URL loading never times out.
    static func perform(_ request: URLRequest, on session: URLSession, deadline: TimeInterval) async
        -> Result<(Data, HTTPURLResponse), HTTPTransportError>
    {
        let box = TaskBox()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<(Data, HTTPURLResponse), HTTPTransportError>, Never>) in
                let once = ResumeOnce(continuation)
                let task = session.dataTask(with: request) { data, response, error in
                    if let error {
                        once.resume(.failure(Self.transportError(error)))
                    } else if let http = response as? HTTPURLResponse {
                        once.resume(.success((data ?? Data(), http)))
                    } else {
                        once.resume(.failure(.connection("the server's answer is not HTTP")))
                    }
                }
                box.set(task)
                task.resume()
                let grace = max(deadline, 0) + 1
                DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
                    once.resume(.failure(.timeout))
                    task.cancel()
                }
            }
        } onCancel: {
            box.cancel()
        }
    }

    /// Maps a URL loading failure to a transport error whose reason names no URL.
    static func transportError(_ error: any Error) -> HTTPTransportError {
        guard let urlError = error as? URLError else {
            return .connection("transport failure")
        }
        switch urlError.code {
        case .timedOut: return .timeout
        case .cancelled: return .connection("request cancelled")
        case .cannotFindHost, .dnsLookupFailed: return .connection("cannot resolve the host")
        case .cannotConnectToHost: return .connection("cannot connect to the host (connection refused)")
        case .networkConnectionLost: return .connection("the connection was closed before a complete answer")
        case .notConnectedToInternet: return .connection("not connected to the network")
        case .badServerResponse: return .connection("the server's answer is not valid HTTP")
        case .zeroByteResource: return .connection("the server closed the connection without answering")
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
             .clientCertificateRequired:
            return .connection("TLS handshake failed")
        case .badURL, .unsupportedURL: return .invalidURL
        case .httpTooManyRedirects, .redirectToNonExistentLocation: return .connection("too many redirects")
        case .cannotDecodeRawData, .cannotDecodeContentData, .cannotParseResponse:
            return .connection("the server's answer cannot be decoded")
        case .dataLengthExceedsMaximum: return .connection("the answer is too large")
        default: return .connection("network error \(urlError.code.rawValue)")
        }
    }
}

/// Resumes a continuation at most once (the completion handler and the deadline race).
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Never>?

    init(_ continuation: CheckedContinuation<T, Never>) { self.continuation = continuation }

    func resume(_ value: T) {
        lock.lock()
        let c = continuation
        continuation = nil
        lock.unlock()
        c?.resume(returning: value)
    }
}

/// Holds the data task so that cancelling the Swift task cancels it.
private final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var cancelled = false

    func set(_ task: URLSessionDataTask) {
        lock.lock()
        self.task = task
        let c = cancelled
        lock.unlock()
        if c { task.cancel() }
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let t = task
        lock.unlock()
        t?.cancel()
    }
}
