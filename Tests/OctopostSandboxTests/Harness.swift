import Foundation
import OctopostHTTP
import OctopostKit
import Testing
@testable import OctopostSandbox

/// One emulator on its own port, driven by the live URLSession client.
struct Harness {
    let emulator: EmulatorServer
    let client = LiveHTTPClient()

    var base: URL { emulator.baseURL }

    func url(_ path: String) -> URL { URL(string: base.absoluteString + path)! }

    func send(_ method: String, _ path: String, json: JSON? = nil, form: String? = nil, headers: [String: String] = [:],
              timeout: TimeInterval = 30) async throws(HTTPTransportError) -> HTTPResponse {
        var h = headers
        var body: Data?
        if let json {
            body = json.data
            h["Content-Type"] = "application/json"
        } else if let form {
            body = Data(form.utf8)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        }
        return try await client.send(HTTPRequest(method: method, url: url(path), headers: h, body: body, timeout: timeout))
    }

    func posts() async throws -> [SandboxPost] {
        let r = try await send("GET", "/__sandbox/posts")
        #expect(r.status == 200)
        return try JSONDecoder().decode([SandboxPost].self, from: r.body)
    }
}

func withEmulator(_ platform: Platform, _ configuration: EmulatorConfiguration = EmulatorConfiguration(),
                  _ body: (Harness) async throws -> Void) async throws {
    let emulator = try await EmulatorServer.start(platform, configuration: configuration)
    do {
        try await body(Harness(emulator: emulator))
    } catch {
        await emulator.stop()
        throw error
    }
    await emulator.stop()
}

extension HTTPResponse {
    var json: JSON { JSON.parse(body) ?? .null }
}

let oauthHeader = "OAuth oauth_consumer_key=\"sandbox-api-key\", oauth_nonce=\"n0nce\", oauth_signature=\"c2ln%3D\", "
    + "oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"1775811600\", oauth_token=\"sandbox-access-token\", oauth_version=\"1.0\""
