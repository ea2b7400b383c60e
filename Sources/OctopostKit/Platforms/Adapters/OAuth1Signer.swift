import Crypto
import Foundation

/// OAuth 1.0a HMAC-SHA1 request signing (RFC 5849 §3.4; X "Creating a signature").
public struct OAuth1Signer: Sendable {
    public var consumerKey: String
    public var consumerSecret: String
    public var token: String
    public var tokenSecret: String

    public init(consumerKey: String, consumerSecret: String, token: String, tokenSecret: String) {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
        self.token = token
        self.tokenSecret = tokenSecret
    }

    /// 32 random bytes as 43 alphanumeric-ish characters (base64 without `+/=`), for the live environment.
    public static let randomNonce: @Sendable () -> String = {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().filter { $0.isLetter || $0.isNumber }
    }

    /// The `oauth_*` protocol parameters for one request.
    public func oauthParameters(nonce: String, timestamp: Int) -> [(String, String)] {
        [("oauth_consumer_key", consumerKey), ("oauth_nonce", nonce), ("oauth_signature_method", "HMAC-SHA1"),
         ("oauth_timestamp", String(timestamp)), ("oauth_token", token), ("oauth_version", "1.0")]
    }

    /// RFC 5849 §3.4.1: METHOD & encode(base URL) & encode(sorted, encoded parameters). `parameters` are the
    /// raw (decoded) query and form-body parameters plus the `oauth_*` ones; a JSON body is not signed.
    public static func signatureBaseString(method: String, url: URL, parameters: [(String, String)]) -> String {
        let pairs: [(String, String)] = parameters.map { (URLBuilder.percentEncode($0.0), URLBuilder.percentEncode($0.1)) }
        let sorted = pairs.sorted { (a: (String, String), b: (String, String)) -> Bool in a.0 == b.0 ? a.1 < b.1 : a.0 < b.0 }
        let encoded = sorted.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        return method.uppercased() + "&" + URLBuilder.percentEncode(baseURL(url)) + "&" + URLBuilder.percentEncode(encoded)
    }

    /// Scheme and host in lower case, default ports dropped, no query or fragment (RFC 5849 §3.4.1.2).
    public static func baseURL(_ url: URL) -> String {
        guard var c = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        c.scheme = c.scheme?.lowercased()
        c.host = c.host?.lowercased()
        if (c.scheme == "https" && c.port == 443) || (c.scheme == "http" && c.port == 80) { c.port = nil }
        c.query = nil
        c.fragment = nil
        if c.path.isEmpty { c.path = "/" }
        return c.string ?? url.absoluteString
    }

    /// The base64 HMAC-SHA1 of the base string under `encode(consumer secret)&encode(token secret)`.
    public func signature(baseString: String) -> String {
        let key = SymmetricKey(data: Data((URLBuilder.percentEncode(consumerSecret) + "&" + URLBuilder.percentEncode(tokenSecret)).utf8))
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: Data(baseString.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// The `Authorization: OAuth …` header for a request whose query (and form body, if any) are `parameters`.
    public func authorizationHeader(method: String, url: URL, parameters: [(String, String)] = [], nonce: String,
                                    timestamp: Int) -> String {
        let oauth = oauthParameters(nonce: nonce, timestamp: timestamp)
        var query: [(String, String)] = []
        if let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems {
            query = items.map { ($0.name, $0.value ?? "") }
        }
        let base = Self.signatureBaseString(method: method, url: url, parameters: query + parameters + oauth)
        let all = oauth + [("oauth_signature", signature(baseString: base))]
        return "OAuth " + all.sorted { $0.0 < $1.0 }
            .map { "\(URLBuilder.percentEncode($0.0))=\"\(URLBuilder.percentEncode($0.1))\"" }
            .joined(separator: ", ")
    }
}
