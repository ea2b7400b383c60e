import Foundation

/// Where a credential may travel: over https to any host, or over anything to a loopback host
/// (127.0.0.0/8 written as a dotted address, `::1`, `localhost`). The one rule for API bases, webhook
/// URLs, the completion webhook and git remotes.
public enum CredentialTransport {
    /// Loopback hosts, where plain http is allowed (tests, the sandbox). A name such as
    /// `127.example.com` or `localhost.evil.net` is not loopback.
    public static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { p in !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isASCII) && UInt8(p) != nil }
    }

    /// True when a credential may be sent to `scheme://host`: https, or a loopback host.
    public static func allowsCredentials(scheme: String?, host: String?) -> Bool {
        guard let scheme = scheme?.lowercased(), let host, !host.isEmpty else { return false }
        return scheme == "https" || isLoopback(host)
    }

    public static func allowsCredentials(_ url: URL) -> Bool {
        allowsCredentials(scheme: url.scheme, host: url.host)
    }

    /// For URLs as text (git remotes): false for anything that does not parse as `scheme://host…`.
    public static func allowsCredentials(_ url: String) -> Bool {
        guard let c = URLComponents(string: url) else { return false }
        return allowsCredentials(scheme: c.scheme, host: c.host)
    }

    /// An http(s) URL the HTTP client may use with credentials: https, or http to a loopback host.
    public static func isAllowedHTTP(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http" else { return false }
        return allowsCredentials(url)
    }

    /// `url` with any user info removed (`https://user:pass@host/x` → `https://***@host/x`), for output.
    public static func displayURL(_ url: String) -> String { Redactor.stripURLUserInfo(url) }
}
