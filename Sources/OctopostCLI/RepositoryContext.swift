import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import OctopostGit
import OctopostKit

/// A content repository opened for a command: its root, config and git handle.
struct RepositoryContext {
    let root: String
    let config: Config
    let configFindings: [Diagnostic]
    let configPath: String
    let git: any GitRepository
    /// The config file's bytes as read (the cache of parsed posts depends on them); nil: no cache.
    var configBytes: [UInt8]? = nil

    /// The cache of parsed posts in the git folder (`.git/octopost/cache/posts.bin`), for plan and sync.
    var postCache: PostCache? {
        guard let configBytes, let gitDirectory = (git as? LibGit2Repository)?.gitDirectory else { return nil }
        return PostCache(fileSystem: LocalFileSystem(root: gitDirectory, deferSync: true), configBytes: configBytes,
                         buildID: Self.buildID)
    }

    /// Names this octopost build (the executable's device, inode, size and modification time), so that a
    /// cache written by another build, whose rules may differ, is not used.
    static let buildID: String = {
        var st = stat()
        guard stat("/proc/self/exe", &st) == 0 else { return "unknown-\(UInt64.random(in: 0...UInt64.max))" }
        return "\(st.st_dev):\(st.st_ino):\(st.st_size):\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }()

    /// Finds the repository (`--repo` or the git root above the working directory) and reads its config.
    /// Problems are exit 2 with a message naming the file and line.
    static func open(_ options: GlobalOptions) throws -> RepositoryContext {
        let start = options.repo ?? FileManager.default.currentDirectoryPath
        let git: any GitRepository
        do {
            git = try LibGit2Repository.discover(from: start)
        } catch {
            throw CommandFailure(error.description)
        }
        let root = git.workTree
        let shown: String
        let bytes: [UInt8]
        if let given = options.config {
            // A config file the user names is read as given (it is their choice, not the repository's).
            let configPath = given.hasPrefix("/") ? given : FileManager.default.currentDirectoryPath + "/" + given
            shown = displayPath(configPath, root: root)
            guard let data = FileManager.default.contents(atPath: configPath) else {
                if FileManager.default.fileExists(atPath: configPath) { throw CommandFailure("\(shown): cannot be read") }
                throw CommandFailure("\(shown) not found: a content repository has an octopost.yaml at its root "
                    + "(octopost init creates one)")
            }
            bytes = [UInt8](data)
        } else {
            // The repository's own octopost.yaml is a file in the repository like any other: opened without
            // following a symbolic link (`RepoDirectory`), so a link committed in its place reads nothing.
            shown = ConfigLoader.fileName
            let read: [UInt8]?
            do { read = try LocalFileSystem(root: root).read(ConfigLoader.fileName) } catch {
                throw CommandFailure(error.reason.hasPrefix(shown + " ") ? error.reason : "\(shown): \(error.reason)")
            }
            guard let read else {
                throw CommandFailure("\(shown) not found: a content repository has an octopost.yaml at its root "
                    + "(octopost init creates one)")
            }
            bytes = read
        }
        let loaded = ConfigLoader.load(bytes: bytes, path: shown)
        if !loaded.errors.isEmpty {
            throw CommandFailure(lines: loaded.errors.map(\.formatted))
        }
        return RepositoryContext(root: root, config: loaded.config, configFindings: loaded.findings, configPath: shown,
                                 git: git, configBytes: bytes)
    }

    static func displayPath(_ path: String, root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// Repository-relative paths of the post files to lint: the post files (`PostFiles`) under the content
    /// folder, or in the given folders, plus the given files as named. Every argument is checked as a
    /// repository path (`RepoPath`): inside the repository, no `.git` part, no symbolic link on the way.
    func postPaths(_ arguments: [String]) throws -> [String] {
        let cwd = FileManager.default.currentDirectoryPath
        let tree = RepoDirectory(root: root)
        var paths: [String] = []
        if arguments.isEmpty {
            return try PostDiscovery.postFiles(under: config.contentDirectory, tree: tree,
                                               contentDirectory: config.contentDirectory, shown: config.contentDirectory)
        }
        for argument in arguments {
            let absolute = argument.hasPrefix("/") ? argument : cwd + "/" + argument
            let normalized = URL(fileURLWithPath: absolute).standardizedFileURL.path
            guard normalized == root || normalized.hasPrefix(root + "/") else {
                throw CommandFailure("\(argument) is outside the repository \(root)")
            }
            let relative = normalized == root ? "" : String(normalized.dropFirst(root.count + 1))
            if relative.isEmpty {
                paths += try PostDiscovery.postFiles(under: "", tree: tree, contentDirectory: config.contentDirectory,
                                                     shown: argument)
                continue
            }
            let kind: RepoEntryKind
            do throws(RepoPathError) {
                if let problem = RepoPath.problem(relative) { throw RepoPathError(path: relative, reason: .invalid(problem)) }
                kind = try tree.kind(relative)
            } catch {
                throw CommandFailure("\(argument): \(error.description)")
            }
            switch kind {
            case .missing:
                throw CommandFailure("\(argument): no such file or folder")
            case .symlink:
                throw CommandFailure("\(argument): \(RepoPathError(path: relative, reason: .symlink(at: relative)).description)")
            case .directory where !relative.hasSuffix(".md"):
                paths += try PostDiscovery.postFiles(under: relative, tree: tree, contentDirectory: config.contentDirectory,
                                                     shown: argument)
            default:
                // A file named on the command line is linted as given; the reader reports a link, a FIFO or
                // a folder named x.md.
                paths.append(relative)
            }
        }
        return Array(Set(paths)).sorted()
    }
}

/// Finds post files (`PostFiles`) below a folder of the repository: opened from the root one folder at a
/// time, never following a symbolic link (readdir, using the entry type the directory already holds
/// instead of a stat per file). Hidden entries are skipped, as they are everywhere.
enum PostDiscovery {
    /// Exit 2 when the folder itself cannot be opened safely (a symbolic link, say); a missing one is empty.
    static func postFiles(under folder: String, tree: RepoDirectory, contentDirectory: String,
                          shown: String) throws -> [String] {
        // Post files live only under the content folder: a folder holding it is walked from there.
        let folder = folder.isEmpty || contentDirectory.hasPrefix(folder + "/") ? contentDirectory : folder
        let fd: Int32?
        do { fd = try tree.openDirectory(folder) } catch {
            throw CommandFailure("\(shown): \(error.description)")
        }
        guard let fd else { return [] }
        var out: [String] = []
        do { try walk(fd, prefix: folder, into: &out) } catch {
            // A folder lint cannot read may hold posts sync reads from git: never pass over it in silence.
            throw CommandFailure("\(error.description): its posts cannot be linted")
        }
        return out.filter { PostFiles.isPostPath($0, contentDirectory: contentDirectory) }
    }

    /// Takes `fd` over (closed here). A folder that cannot be opened or listed is an error naming it.
    private static func walk(_ fd: Int32, prefix: String, into out: inout [String]) throws(RepoPathError) {
        guard let dir = fdopendir(fd) else {
            let e = RepoPathError(path: prefix, reason: .system("cannot list this folder (\(String(cString: strerror(errno))))"))
            close(fd)
            throw e
        }
        defer { closedir(dir) }
        let dfd = dirfd(dir)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if RepoPath.isHidden(name) { continue }
            let relative = prefix.isEmpty ? name : prefix + "/" + name
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) { isDirectory = RepoDirectory.kind(in: dfd, name) == .directory }
            if name.utf8.reversed().starts(with: "dm.".utf8) { out.append(relative) }  // a link, FIFO or folder named x.md is reported by the reader
            if isDirectory {
                let sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if sub < 0 {
                    if errno == ENOENT { continue }  // removed since it was listed
                    throw RepoPathError(path: relative, reason: .system("cannot open this folder (\(String(cString: strerror(errno))))"))
                }
                try walk(sub, prefix: relative, into: &out)
            }
        }
    }
}
