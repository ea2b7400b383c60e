import Foundation
import OctopostHTTP
import OctopostKit

/// Sends the completion event when `OCTOPOST_WEBHOOK_URL` is set; a failure warns, never fails the run.
enum Webhook {
    static func send(_ report: SyncReport, repository repo: RepositoryContext, environment: [String: String]) async {
        guard let raw = environment["OCTOPOST_WEBHOOK_URL"], !raw.isEmpty else { return }
        let redact = Redactor([raw, environment["OCTOPOST_WEBHOOK_SECRET"] ?? ""])
        guard let url = URL(string: raw), CredentialTransport.isAllowedHTTP(url) else {
            Console.error("warning: OCTOPOST_WEBHOOK_URL must be an https URL (http only for loopback); event not sent")
            return
        }
        let name = WebhookEvent.repositoryName(remoteURL: repo.git.remoteURL(repo.config.git.remote), workTree: repo.root)
        let body = WebhookEvent.body(report, repository: name)
        var headers = ["Content-Type": "application/json", "User-Agent": "octopost"]
        if let secret = environment["OCTOPOST_WEBHOOK_SECRET"], !secret.isEmpty {
            headers["X-Octopost-Signature-256"] = WebhookEvent.signature(body: body, secret: secret)
        }
        let request = HTTPRequest(method: "POST", url: url, headers: headers, body: Data(body), timeout: 15)
        do {
            let response = try await LiveHTTPClient().send(request)
            if !(200..<300).contains(response.status) {
                Console.error("warning: the webhook answered HTTP \(response.status)")
            }
        } catch {
            let why = switch error {
            case .timeout: "no answer within 15 seconds"
            case .connection(let reason): "the connection failed (\(reason))"
            case .notSent(let reason): reason
            case .invalidURL: "OCTOPOST_WEBHOOK_URL is not a valid URL"
            }
            Console.error(redact("warning: the webhook could not be reached: \(why)"))
        }
    }
}
