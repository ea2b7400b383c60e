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

    /// Finds the repository (`--repo` or the git root above the working directory) and reads its config.
    /// Problems are exit 2 with a message naming the file and line.
    static func open(_ options: GlobalOptions) throws -> RepositoryContext {
        let start = options.repo ?? FileManager.default.currentDirectoryPath
        let git: any GitRepository
        do {
            git = try LibGit2Repository.discover(from: start)
        } catch {
            Console.error("error: \(error.description)")
            throw ExitCode(2)
        }
        let root = git.workTree
        let configPath = options.config.map { p in p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p }
            ?? root + "/" + ConfigLoader.fileName
        guard let data = FileManager.default.contents(atPath: configPath) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: configPath, isDirectory: &isDir) {
                Console.error("error: \(displayPath(configPath, root: root)): cannot be read")
            } else {
                Console.error("error: \(displayPath(configPath, root: root)) not found: a content repository has an "
                    + "octopost.yaml at its root (octopost init creates one)")
            }
            throw ExitCode(2)
        }
        let shown = displayPath(configPath, root: root)
        let loaded = ConfigLoader.load(bytes: [UInt8](data), path: shown)
        if !loaded.errors.isEmpty {
            for d in loaded.errors { Console.error(d.formatted) }
            throw ExitCode(2)
        }
        return RepositoryContext(root: root, config: loaded.config, configFindings: loaded.findings, configPath: shown,
                                 git: git)
    }

    static func displayPath(_ path: String, root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// Repository-relative paths of the post files to lint: every `.md` under the content folder, or
    /// the given files and folders.
    func postPaths(_ arguments: [String]) throws -> [String] {
        let fm = FileManager.default
        let cwd = fm.currentDirectoryPath
        let roots = arguments.isEmpty ? [root + "/" + config.contentDirectory] : arguments.map {
            $0.hasPrefix("/") ? $0 : cwd + "/" + $0
        }
        var paths: [String] = []
        for absolute in roots {
            let normalized = URL(fileURLWithPath: absolute).standardizedFileURL.path
            guard normalized == root || normalized.hasPrefix(root + "/") else {
                Console.error("error: \(absolute) is outside the repository \(root)")
                throw ExitCode(2)
            }
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: normalized, isDirectory: &isDir) else {
                if arguments.isEmpty { continue }  // no content folder yet: nothing to lint
                Console.error("error: \(absolute): no such file or folder")
                throw ExitCode(2)
            }
            let relative = normalized == root ? "" : String(normalized.dropFirst(root.count + 1))
            if !isDir.boolValue || (!arguments.isEmpty && normalized.hasSuffix(".md") && isDir.boolValue) {
                paths.append(relative)
                continue
            }
            paths += PostDiscovery.markdownFiles(under: normalized).map { relative.isEmpty ? $0 : relative + "/" + $0 }
        }
        return paths.sorted()
    }
}

/// Finds `.md` files below a folder without following symlinked folders (readdir, using the entry
/// type the directory already holds instead of a stat per file). Hidden entries are skipped.
enum PostDiscovery {
    static func markdownFiles(under directory: String) -> [String] {
        var out: [String] = []
        walk(directory, prefix: "", into: &out)
        return out
    }

    private static func walk(_ path: String, prefix: String, into out: inout [String]) {
        guard let dir = opendir(path) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name.hasPrefix(".") { continue }
            let relative = prefix.isEmpty ? name : prefix + "/" + name
            var type = entry.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                if lstat(path + "/" + name, &st) == 0 {
                    type = (st.st_mode & S_IFMT) == S_IFDIR ? UInt8(DT_DIR) : UInt8(DT_REG)
                }
            }
            if name.hasSuffix(".md") { out.append(relative) }  // a folder named x.md is reported by the reader
            if type == UInt8(DT_DIR) { walk(path + "/" + name, prefix: relative, into: &out) }
        }
    }
}
