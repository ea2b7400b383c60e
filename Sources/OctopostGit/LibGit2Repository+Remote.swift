import CLibGit2
import Foundation
import OctopostKit

// Remotes: configuration, fetch and push.
extension LibGit2Repository {
    public func remoteExists(_ name: String) -> Bool {
        remoteURL(name) != nil
    }

    public func remoteURL(_ name: String) -> String? {
        lockedValue {
            var remote: OpaquePointer?
            guard git_remote_lookup(&remote, handle, name) == 0, let remote else { return nil }
            defer { git_remote_free(remote) }
            return git_remote_url(remote).map { String(cString: $0) }
        }
    }

    /// `http.extraheader` values plus `http.<url>.extraheader` values whose URL matches the remote
    /// (same scheme and host, case-insensitively; path prefix at a `/` boundary; user info ignored),
    /// ordered from system to local config as git does; an empty value clears what came before.
    public func configuredExtraHeaders(forRemote name: String) -> [String] {
        guard let url = remoteURL(name) else { return [] }
        let entries: [(name: String, value: String, level: Int32)] = lockedValue {
            var config: OpaquePointer?
            guard git_repository_config_snapshot(&config, handle) == 0, let config else { return [] }
            defer { git_config_free(config) }
            var iterator: OpaquePointer?
            guard git_config_iterator_glob_new(&iterator, config, "^http\\..*extraheader$") == 0, let iterator
            else { return [] }
            defer { git_config_iterator_free(iterator) }
            var found: [(String, String, Int32)] = []
            var entry: UnsafeMutablePointer<git_config_entry>?
            while git_config_next(&entry, iterator) == 0, let current = entry?.pointee {
                // Entries belong to the iterator: copy them out.
                found.append((String(cString: current.name), current.value.map { String(cString: $0) } ?? "",
                              current.level.rawValue))
            }
            return found
        }
        var headers: [String] = []
        // git reads system, then global, then local config; libgit2 iterates the other way round.
        let ordered = entries.enumerated().sorted { ($0.element.level, $0.offset) < ($1.element.level, $1.offset) }
        for (name, value, _) in ordered.map(\.element) {
            let applies: Bool
            if name == "http.extraheader" {
                applies = true
            } else {
                let pattern = String(name.dropFirst("http.".count).dropLast(".extraheader".count))
                applies = Self.urlMatches(pattern: pattern, url: url)
            }
            guard applies else { continue }
            if value.isEmpty { headers.removeAll() } else { headers.append(value) }
        }
        return headers
    }

    /// A much simplified `urlmatch` (git-config(1) `http.<url>.*`).
    static func urlMatches(pattern: String, url: String) -> Bool {
        func split(_ url: String) -> (scheme: String, host: String, path: String)? {
            guard let schemeEnd = url.range(of: "://") else { return nil }
            let scheme = url[..<schemeEnd.lowerBound].lowercased()
            var rest = url[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            var host = rest[..<authorityEnd]
            if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
            rest = rest[authorityEnd...]
            var path = String(rest)
            while path.hasSuffix("/") { path.removeLast() }
            return (scheme, host.lowercased(), path)
        }
        guard let p = split(pattern), let u = split(url), p.scheme == u.scheme, p.host == u.host else { return false }
        return p.path.isEmpty || u.path == p.path || u.path.hasPrefix(p.path + "/")
    }

    public func fetch(remote: String, branch: String, credentials: GitCredentials) throws(GitError) -> String? {
        try locked { () throws(GitError) -> String? in
            let refName = try validateBranchName(branch)
            let trackingName = "refs/remotes/\(remote)/\(branch)"
            let redact = Redactor(credentials: credentials)
            let remoteHandle = try lookupRemote(remote)
            defer { git_remote_free(remoteHandle) }
            try refuseCredentialsOverPlainHTTP(git_remote_url(remoteHandle), credentials: credentials,
                                               what: "cannot fetch '\(branch)' from remote '\(remote)'")
            let state = RemoteCallbackState(credentials: credentials, redact: redact)
            let headers = CStringArray(credentials.extraHeaders)
            defer { headers.free() }
            let refspecs = CStringArray(["+\(refName):\(trackingName)"])
            defer { refspecs.free() }
            let payload = Unmanaged.passUnretained(state).toOpaque()

            return try withExtendedLifetime(state) { () throws(GitError) -> String? in
                var connect = git_remote_connect_options()
                try check(git_remote_connect_options_init(&connect, UInt32(GIT_REMOTE_CONNECT_OPTIONS_VERSION)),
                          "connect options")
                state.install(on: &connect.callbacks, payload: payload)
                connect.custom_headers = headers.strarray
                try state.check(git_remote_connect_ext(remoteHandle, GIT_DIRECTION_FETCH, &connect),
                                "cannot connect to remote '\(remote)'")
                defer { git_remote_disconnect(remoteHandle) }

                // Does the remote have the branch at all?
                var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
                var count = 0
                try state.check(git_remote_ls(&heads, &count, remoteHandle), "cannot list remote '\(remote)'")
                let advertised = (0..<count).contains { i in
                    heads?[i].map { String(cString: $0.pointee.name) == refName } ?? false
                }
                guard advertised else {
                    var stale: OpaquePointer?
                    if git_reference_lookup(&stale, handle, trackingName) == 0, let stale {
                        _ = git_reference_delete(stale)
                        git_reference_free(stale)
                    }
                    return nil
                }

                var options = git_fetch_options()
                try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "fetch options")
                state.install(on: &options.callbacks, payload: payload)
                options.custom_headers = headers.strarray
                options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
                var specs = refspecs.strarray
                try state.check(git_remote_download(remoteHandle, &specs, &options),
                                "cannot fetch '\(branch)' from remote '\(remote)'")
                try state.check(git_remote_update_tips(remoteHandle, &options.callbacks, 1, GIT_REMOTE_DOWNLOAD_TAGS_NONE,
                                                       "fetch \(remote) \(branch)"),
                                "cannot update \(trackingName)")
                var oid = git_oid()
                try check(git_reference_name_to_id(&oid, handle, trackingName), "cannot read \(trackingName)")
                return Self.hex(&oid)
            }
        }
    }

    /// libgit2 1.5 checks fast-forwardness itself before sending (`GIT_ENONFASTFORWARD`, over HTTP
    /// too, whenever it has the remote's commit); a race lost after that shows up as a per-ref
    /// rejection in `push_update_reference`, which is mapped the same way.
    /// A push goes where `git push` sends it: the remote's push URL (`remote.<name>.pushurl`) when it has
    /// one, else its URL. When that is a local path (or `file://` URL) octopost pushes itself
    /// (`pushLocal`: compare-and-swap, the remote's hooks), as libgit2's local transport would overwrite a
    /// concurrent push and skip the hooks.
    public func push(remote: String, branch: String, credentials: GitCredentials) throws(GitError) {
        try locked { () throws(GitError) in
            let refName = try validateBranchName(branch)
            let redact = Redactor(credentials: credentials)
            let remoteHandle = try lookupRemote(remote)
            defer { git_remote_free(remoteHandle) }
            let pushURL = git_remote_pushurl(remoteHandle) ?? git_remote_url(remoteHandle)
            if let url = pushURL.map({ String(cString: $0) }), let path = Self.localPath(ofRemoteURL: url) {
                try pushLocal(remotePath: path, remote: remote, branch: branch, refName: refName)
                return
            }
            try refuseCredentialsOverPlainHTTP(pushURL,
                                               credentials: credentials,
                                               what: "cannot push '\(branch)' to remote '\(remote)'")
            let state = RemoteCallbackState(credentials: credentials, redact: redact)
            let headers = CStringArray(credentials.extraHeaders)
            defer { headers.free() }
            let refspecs = CStringArray(["\(refName):\(refName)"])  // no '+': never forced
            defer { refspecs.free() }

            var options = git_push_options()
            try check(git_push_options_init(&options, UInt32(GIT_PUSH_OPTIONS_VERSION)), "push options")
            state.install(on: &options.callbacks, payload: Unmanaged.passUnretained(state).toOpaque())
            options.custom_headers = headers.strarray
            var specs = refspecs.strarray
            let rc = withExtendedLifetime(state) { git_remote_push(remoteHandle, &specs, &options) }

            if rc == GIT_ENONFASTFORWARD.code || rc == GIT_ELOCKED.code {
                throw .nonFastForward(state.describe(lastErrorMessage(rc, redact: redact)))
            }
            try state.check(rc, "cannot push '\(branch)' to remote '\(remote)'")
            // The transport succeeded; the remote may still have refused the ref.
            if let rejection = state.rejections.first {
                let status = rejection.status.lowercased()
                // A ref lock held by another push (libgit2's local transport: "failed to create locked file";
                // git-receive-pack: "cannot lock ref", "failed to lock") is a lost race too: fetch and replan.
                if status.contains("non-fast-forward") || status.contains("fetch first")
                    || status.contains("not a fast forward") || status.contains("stale info")
                    || status.contains("locked file") || status.contains("cannot lock ref")
                    || status.contains("failed to lock")
                {
                    throw .nonFastForward(state.describe("\(rejection.ref): \(rejection.status)"))
                }
                throw .pushRejected(state.describe("remote '\(remote)' rejected \(rejection.ref): \(rejection.status)"))
            }
        }
    }

    /// Headers from `http.extraheader` and a password in the remote URL go out with the first request,
    /// before any credential callback could refuse them: over plain http to a host that is not loopback
    /// they would travel in clear text, so the operation stops before connecting.
    private func refuseCredentialsOverPlainHTTP(_ url: UnsafePointer<CChar>?, credentials: GitCredentials,
                                                what: @autoclosure () -> String) throws(GitError) {
        guard let url = url.map({ String(cString: $0) }), url.lowercased().hasPrefix("http://"),
              !CredentialTransport.allowsCredentials(url) else { return }
        let password = URLComponents(string: url)?.password.map { !$0.isEmpty } ?? false
        let host = URLComponents(string: url)?.host ?? "?"
        if !credentials.extraHeaders.isEmpty {
            throw .failed("\(what()): refusing to send the http.extraheader headers over plain http to '\(host)'; "
                + "use an https:// remote URL (plain http is allowed only for loopback hosts)")
        }
        if password {
            throw .failed("\(what()): refusing to send the password in the remote URL over plain http to '\(host)'; "
                + "use an https:// remote URL (plain http is allowed only for loopback hosts)")
        }
    }

    private func lookupRemote(_ name: String) throws(GitError) -> OpaquePointer {
        var remote: OpaquePointer?
        let rc = git_remote_lookup(&remote, handle, name)
        if rc == GIT_ENOTFOUND.code || rc == GIT_EINVALIDSPEC.code { throw .failed("no remote named '\(name)'") }
        try check(rc, "cannot read remote '\(name)'")
        guard let remote else { throw .failed("no remote named '\(name)'") }
        return remote
    }
}

/// State shared with libgit2's C callbacks through their payload pointer. Only touched on the
/// calling thread, during the call (libgit2 calls back synchronously).
final class RemoteCallbackState {
    let credentials: GitCredentials
    let redact: Redactor
    var credentialAttempts = 0
    var authenticationRefused = false
    /// The URL the token was refused for: plain http to a host that is not loopback.
    var insecureURL: String?
    /// `push_update_reference` reports: refs the remote refused, with its status text (redacted).
    var rejections: [(ref: String, status: String)] = []
    /// Text the remote printed (`remote: ...` lines: hook output, protection messages), redacted.
    var remoteMessages = ""

    init(credentials: GitCredentials, redact: Redactor) {
        self.credentials = credentials
        self.redact = redact
    }

    func install(on callbacks: inout git_remote_callbacks, payload: UnsafeMutableRawPointer) {
        callbacks.payload = payload
        callbacks.credentials = { out, url, _, allowedTypes, payload in
            guard let out, let payload else { return GIT_PASSTHROUGH.code }
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload).takeUnretainedValue()
            guard let token = state.credentials.token,
                  allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0
            else { return GIT_PASSTHROUGH.code }
            // The token goes only over https or to a loopback host (libgit2 asks with the URL it will send to).
            let target = url.map { String(cString: $0) } ?? ""
            guard CredentialTransport.allowsCredentials(target) else {
                state.insecureURL = target
                return GIT_EAUTH.code
            }
            // libgit2 asks again after a 401: the token was refused, stop instead of looping.
            state.credentialAttempts += 1
            if state.credentialAttempts > 1 {
                state.authenticationRefused = true
                return GIT_EAUTH.code
            }
            return git_credential_userpass_plaintext_new(out, state.credentials.user, token)
        }
        callbacks.push_update_reference = { refname, status, payload in
            guard let payload, let status else { return 0 }
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload).takeUnretainedValue()
            let ref = refname.map { String(cString: $0) } ?? "?"
            state.rejections.append((ref, state.redact(String(cString: status))))
            return 0
        }
        callbacks.sideband_progress = { text, length, payload in
            guard let payload, let text, length > 0 else { return 0 }
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: text, count: Int(length))
            state.remoteMessages += String(decoding: bytes, as: UTF8.self)
            return 0
        }
    }

    /// `message` plus what the remote printed (progress lines dropped).
    func describe(_ message: String) -> String {
        let lines = remoteMessages.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingSpaces() }
            .filter { !$0.isEmpty && !Self.isProgress($0) }
        guard !lines.isEmpty else { return message }
        return redact(message + "\n" + lines.map { "remote: " + $0 }.joined(separator: "\n"))
    }

    private static func isProgress(_ line: String) -> Bool {
        ["Counting objects", "Compressing objects", "Writing objects", "Resolving deltas", "Total ", "Enumerating objects"]
            .contains { line.hasPrefix($0) }
    }

    /// Like the global `check`, but names refused authentication and appends the remote's messages.
    @discardableResult
    func check(_ code: Int32, _ what: @autoclosure () -> String) throws(GitError) -> Int32 {
        guard code < 0 else { return code }
        if let insecureURL {
            let host = URLComponents(string: insecureURL)?.host ?? redact(insecureURL)
            let scheme = URLComponents(string: insecureURL)?.scheme ?? "this"
            throw GitError.failed(describe("\(what()): refusing to send OCTOPOST_GIT_TOKEN over \(scheme) to '\(host)': "
                + "a token goes only over https or to a loopback host; use an https:// remote URL"))
        }
        if authenticationRefused || code == GIT_EAUTH.code {
            let reason = credentials.token == nil
                ? "authentication required, and no token was given"
                : "authentication failed (the remote refused the credentials)"
            throw GitError.failed(describe("\(what()): \(reason)"))
        }
        throw GitError.failed(describe("\(what()): \(lastErrorMessage(code, redact: redact))"))
    }
}

/// A `git_strarray` of C copies of `strings`; call `free()` once done.
struct CStringArray {
    private let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: max(count, 1))
        for (i, string) in strings.enumerated() { pointers[i] = strdup(string) }
    }

    var strarray: git_strarray { git_strarray(strings: count == 0 ? nil : pointers, count: count) }

    func free() {
        for i in 0..<count { Foundation.free(pointers[i]) }
        pointers.deallocate()
    }
}
