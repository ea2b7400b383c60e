import Crypto
import Foundation

/// The completion event POSTed to `OCTOPOST_WEBHOOK_URL` (SPEC §5).
public enum WebhookEvent {
    /// The sync JSON plus `"event": "sync.completed"`, `run_id` and `repository`.
    public static func body(_ report: SyncReport, repository: String) -> [UInt8] {
        guard case .object(var fields) = report.jsonValue else { return [] }
        fields["event"] = .string("sync.completed")
        fields["run_id"] = .string(report.runID)
        fields["repository"] = .string(repository)
        return Array(CanonicalJSON.render(.object(fields)).utf8)
    }

    /// `sha256=<hex HMAC-SHA256 of the raw body under the secret>`.
    public static func signature(body: [UInt8], secret: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + mac.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }

    /// A repository name fit to share: the remote URL without credentials, else the folder name.
    public static func repositoryName(remoteURL: String?, workTree: String) -> String {
        if let remoteURL, var c = URLComponents(string: remoteURL), c.host != nil {
            c.user = nil
            c.password = nil
            return c.string ?? remoteURL
        }
        if let remoteURL, !remoteURL.contains("@") { return remoteURL }
        return URL(fileURLWithPath: workTree).lastPathComponent
    }
}
