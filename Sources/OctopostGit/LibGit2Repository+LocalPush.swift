import CLibGit2
import Foundation
import OctopostKit

/// Pushing to a remote that is a path on this machine.
///
/// libgit2's local transport writes the remote's ref without compare-and-swap: two processes that both
/// checked "fast-forward" against the same old commit can both "succeed", the second overwriting the
/// first (seen in octopost's race tests). Sync's claim protocol needs a push that fails when the remote
/// moved, so for local remotes octopost does it itself: the remote repository fetches the commit from
/// this one into a temporary ref (objects only), then its branch is moved with
/// `git_reference_create_matching`, which holds the ref's lock file and checks the old value under it.
///
/// libgit2's local transport also skips the remote's hooks, which `git push` to the same path (or over
/// smart HTTP) runs. octopost runs them as git's receive-pack does: `pre-receive` (stdin
/// `<old> <new> <ref>`) and `update <ref> <old> <new>` after the objects arrived and before the ref moves,
/// either refusing → the push is refused with the hook's output; then `post-receive` and `post-update`.
/// These are the remote's own executables, the same ones `git push` would run for whoever may push
/// there; the remote is chosen in this clone's git config, never by the content octopost publishes.
/// They run in the remote's git directory with `GIT_DIR` set, without the pusher's `GIT_*` variables
/// and without any `OCTOPOST_*` variable (no secret reaches them).
extension LibGit2Repository {
    /// The remote's path when its URL is a local path or `file://` URL, else nil.
    static func localPath(ofRemoteURL url: String) -> String? {
        if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
        if url.contains("://") { return nil }
        // scp-like `host:path` is ssh; a path has no ':' before its first '/'.
        if let colon = url.firstIndex(of: ":"), url[..<colon].firstIndex(of: "/") == nil { return nil }
        return url
    }

    /// Call with the lock held.
    func pushLocal(remotePath: String, remote: String, branch: String, refName: String) throws(GitError) {
        let resolvedPath = remotePath.hasPrefix("/") ? remotePath : workTree + "/" + remotePath
        var local = git_oid()
        try check(git_reference_name_to_id(&local, handle, refName), "cannot read \(refName)")

        var remoteRepo: OpaquePointer?
        try check(git_repository_open(&remoteRepo, resolvedPath), "cannot open remote '\(remote)'")
        guard let remoteRepo else { throw .failed("cannot open remote '\(remote)'") }
        defer { git_repository_free(remoteRepo) }

        try refuseCheckedOutBranch(remoteRepo, refName: refName, remote: remote)

        var current = git_oid()
        let currentRC = git_reference_name_to_id(&current, remoteRepo, refName)
        let hasCurrent = currentRC == 0
        if !hasCurrent, currentRC != GIT_ENOTFOUND.code { try check(currentRC, "cannot read \(refName) on '\(remote)'") }
        if hasCurrent {
            if git_oid_equal(&current, &local) == 1 { return }
            // The remote's commit must be one we have and an ancestor of ours.
            var object: OpaquePointer?
            let known = git_object_lookup(&object, handle, &current, GIT_OBJECT_COMMIT) == 0
            if let object { git_object_free(object) }
            guard known, git_graph_descendant_of(handle, &local, &current) == 1 else {
                throw .nonFastForward("'\(remote)/\(branch)' has commits this repository does not have; fetch first")
            }
        }

        // Objects: the remote fetches our commit into a temporary ref.
        let temporary = "refs/octopost/incoming/\(UUID().uuidString)"
        var source: OpaquePointer?
        let gitDir = String(cString: git_repository_path(handle))
        try check(git_remote_create_anonymous(&source, remoteRepo, gitDir), "cannot reach this repository from '\(remote)'")
        guard let source else { throw .failed("cannot reach this repository from '\(remote)'") }
        defer { git_remote_free(source) }
        let specs = CStringArray(["+\(refName):\(temporary)"])
        defer { specs.free() }
        var options = git_fetch_options()
        try check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "fetch options")
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        var strarray = specs.strarray
        try check(git_remote_fetch(source, &strarray, &options, "octopost push"), "cannot copy commits to '\(remote)'")
        defer {
            var tmp: OpaquePointer?
            if git_reference_lookup(&tmp, remoteRepo, temporary) == 0, let tmp {
                _ = git_reference_delete(tmp)
                git_reference_free(tmp)
            }
        }

        // The remote's own checks, as receive-pack runs them (objects received, ref not yet moved).
        let hooks = RemoteHooks(remoteRepo)
        let zero = String(repeating: "0", count: 40)
        let old = hasCurrent ? Self.hex(&current) : zero
        let new = Self.hex(&local)
        try hooks.check("pre-receive", arguments: [], stdin: "\(old) \(new) \(refName)\n", remote: remote, refName: refName)
        try hooks.check("update", arguments: [refName, old, new], stdin: "", remote: remote, refName: refName)

        // The branch: compare-and-swap under the ref's lock.
        var updated: OpaquePointer?
        let rc: Int32 = hasCurrent
            ? git_reference_create_matching(&updated, remoteRepo, refName, &local, 1, &current, "octopost push")
            : git_reference_create(&updated, remoteRepo, refName, &local, 0, "octopost push")
        if let updated { git_reference_free(updated) }
        if rc == GIT_EMODIFIED.code || rc == GIT_ELOCKED.code || rc == GIT_EEXISTS.code {
            throw .nonFastForward("'\(remote)/\(branch)' moved while pushing")
        }
        try check(rc, "cannot update \(refName) on '\(remote)'")

        // After the update git runs these too; their outcome does not change the push.
        hooks.notify("post-receive", arguments: [], stdin: "\(old) \(new) \(refName)\n")
        hooks.notify("post-update", arguments: [refName], stdin: "")

        // Like git: the tracking ref now points at what was pushed.
        var tracking: OpaquePointer?
        if git_reference_create(&tracking, handle, "refs/remotes/\(remote)/\(branch)", &local, 1, "push") == 0, let tracking {
            git_reference_free(tracking)
        }
    }

    /// Like git's receive-pack: a non-bare remote's checked-out branch is not updated behind its
    /// working tree unless its `receive.denyCurrentBranch` says so.
    private func refuseCheckedOutBranch(_ remoteRepo: OpaquePointer, refName: String, remote: String) throws(GitError) {
        guard git_repository_is_bare(remoteRepo) == 0 else { return }
        var head: OpaquePointer?
        guard git_reference_lookup(&head, remoteRepo, "HEAD") == 0, let head else { return }
        defer { git_reference_free(head) }
        guard let target = git_reference_symbolic_target(head), String(cString: target) == refName else { return }
        var config: OpaquePointer?
        var setting = "refuse"
        if git_repository_config_snapshot(&config, remoteRepo) == 0, let config {
            var value: UnsafePointer<CChar>?
            if git_config_get_string(&value, config, "receive.denyCurrentBranch") == 0, let value {
                setting = String(cString: value).lowercased()
            }
            git_config_free(config)
        }
        if ["ignore", "warn", "false", "no", "off"].contains(setting) { return }
        throw .pushRejected("remote '\(remote)' refused \(refName): it is the checked-out branch of a non-bare "
            + "repository (receive.denyCurrentBranch)")
    }
}

/// The hooks of a repository octopost pushes to by path (see the extension above).
struct RemoteHooks {
    /// The remote's git directory, where git runs push hooks.
    let gitDirectory: String
    /// `core.hooksPath` (relative to the git directory) or `<common dir>/hooks`.
    let directory: String

    init(_ repository: OpaquePointer) {
        gitDirectory = String(cString: git_repository_path(repository))
        var configured: String?
        var config: OpaquePointer?
        if git_repository_config_snapshot(&config, repository) == 0, let config {
            var buffer = git_buf()
            if git_config_get_path(&buffer, config, "core.hooksPath") == 0, let ptr = buffer.ptr {
                configured = String(cString: ptr)
            }
            git_buf_dispose(&buffer)
            git_config_free(config)
        }
        git_error_clear()
        if let configured, !configured.isEmpty {
            directory = configured.hasPrefix("/") ? configured : gitDirectory + configured
        } else {
            directory = String(cString: git_repository_commondir(repository)) + "hooks"
        }
    }

    /// Runs a hook that may refuse the push: a non-zero exit → `.pushRejected` with its output.
    func check(_ name: String, arguments: [String], stdin: String, remote: String, refName: String) throws(GitError) {
        guard let result = run(name, arguments: arguments, stdin: stdin) else { return }
        guard result.status != 0 else { return }
        var message = "remote '\(remote)' refused \(refName): its \(name) hook declined"
        if !result.output.isEmpty { message += " (\(result.output))" }
        throw .pushRejected(message)
    }

    /// Runs a hook whose outcome does not matter (after the update).
    func notify(_ name: String, arguments: [String], stdin: String) {
        _ = run(name, arguments: arguments, stdin: stdin)
    }

    /// nil when the repository has no such executable hook (git skips those too). A hook that cannot be
    /// started counts as a refusal, like git's "cannot run hook".
    private func run(_ name: String, arguments: [String], stdin: String) -> (status: Int32, output: String)? {
        let path = directory + "/" + name
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(path, X_OK) == 0 else { return nil }
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("octopost-hook-\(UUID().uuidString)").path
        let inputPath = scratch + ".in", outputPath = scratch + ".out"
        defer {
            try? FileManager.default.removeItem(atPath: inputPath)
            try? FileManager.default.removeItem(atPath: outputPath)
        }
        guard FileManager.default.createFile(atPath: inputPath, contents: Data(stdin.utf8)),
              FileManager.default.createFile(atPath: outputPath, contents: nil),
              let input = FileHandle(forReadingAtPath: inputPath), let output = FileHandle(forWritingAtPath: outputPath)
        else { return (1, "cannot run the \(name) hook") }
        defer { try? input.close(); try? output.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: gitDirectory)
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("GIT_") && !key.hasPrefix("OCTOPOST_")
        }
        environment["GIT_DIR"] = gitDirectory.count > 1 && gitDirectory.hasSuffix("/")
            ? String(gitDirectory.dropLast()) : gitDirectory
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { return (1, "cannot run the \(name) hook") }
        process.waitUntilExit()
        let text = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        return (process.terminationStatus, Self.summary(text))
    }

    /// The hook's output on one line, at most 500 characters (its last ones: the reason comes last).
    static func summary(_ text: String) -> String {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        let joined = lines.joined(separator: "; ")
        return joined.count > 500 ? "…" + String(joined.suffix(499)) : joined
    }
}
