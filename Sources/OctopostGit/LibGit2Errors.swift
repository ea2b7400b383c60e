import CLibGit2
import Foundation
import OctopostKit

/// Removes secrets from text that may reach an error message: known secret strings (tokens, header
/// lines and values) and the user-info part of any URL (`https://user:token@host` → `https://***@host`).
struct Redactor: Sendable {
    private var secrets: [String]

    init(secrets: [String] = []) {
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    init(credentials: GitCredentials) {
        var secrets: [String] = []
        if let token = credentials.token {
            secrets.append(token)
            secrets.append(Redactor.base64("\(credentials.user):\(token)"))
        }
        for header in credentials.extraHeaders {
            secrets.append(header)
            if let colon = header.firstIndex(of: ":") {
                let value = header[header.index(after: colon)...].trimmingSpaces()
                secrets.append(value)
                // `Authorization: Basic xyz`: the credential part alone may be echoed too.
                if let space = value.firstIndex(of: " ") {
                    secrets.append(value[value.index(after: space)...].trimmingSpaces())
                }
            }
        }
        self.init(secrets: secrets)
    }

    func callAsFunction(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) {
            text = text.replacing(secret, with: "***")
        }
        // Then what OctopostKit redacts everywhere: the beginning of a token a remote cut, credential
        // shapes (`Bearer …`, JWTs) and URL user info.
        return OctopostKit.Redactor(secrets)(text)
    }

    private static func base64(_ string: String) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let bytes = Array(string.utf8)
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
            out.append(table[Int(b0 >> 2)])
            out.append(table[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(i + 1 < bytes.count ? table[Int((b1 & 0x0f) << 2 | b2 >> 6)] : "=")
            out.append(i + 2 < bytes.count ? table[Int(b2 & 0x3f)] : "=")
            i += 3
        }
        return out
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

/// libgit2's last error message for this thread (redacted), or a generic text with the code.
func lastErrorMessage(_ code: Int32, redact: Redactor = Redactor()) -> String {
    if let error = git_error_last(), let message = error.pointee.message {
        return redact(String(cString: message))
    }
    return "libgit2 error \(code)"
}

/// Throws `.failed("<what>: <libgit2 message>")` when `code` is negative; returns it otherwise.
@discardableResult
func check(_ code: Int32, _ what: @autoclosure () -> String, redact: Redactor = Redactor()) throws(GitError) -> Int32 {
    if code < 0 {
        throw GitError.failed("\(what()): \(lastErrorMessage(code, redact: redact))")
    }
    return code
}

extension git_error_code {
    /// The raw value as returned by libgit2 functions.
    var code: Int32 { rawValue }
}
