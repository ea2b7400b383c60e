/// What a post file is, in one place (issue 7), for `lint`'s discovery, `lint --base`'s changes and
/// `sync`'s snapshot alike, so that sync never publishes a file lint did not read.
///
/// A post file is a `.md` file under the content folder whose path below that folder has no hidden part
/// (a name starting with '.', such as an editor's `.wip.md` or a `.drafts/` folder: those are skipped
/// everywhere, silently). It must be a regular file: a symbolic link (git mode 120000), a submodule, a
/// folder named `x.md` or a FIFO at such a path is reported (a lint error; sync skips it and says so),
/// never followed or read.
public enum PostFiles {
    /// Whether `path` (relative to the repository root) is where a post file lives.
    public static func isPostPath(_ path: String, contentDirectory: String) -> Bool {
        guard let below = relative(path, contentDirectory: contentDirectory),
              below.utf8.reversed().starts(with: "dm.".utf8) else { return false }
        return !RepoPath.hasHiddenPart(below)
    }

    /// Why what sits at a post path cannot be read as a post, or nil for a regular file (a post).
    public static func problem(_ kind: RepoEntryKind) -> (rule: LintRule, message: String)? {
        switch kind {
        case .file: nil
        case .missing: (.file, "the file does not exist")
        case .symlink:
            (.path, "is a symbolic link: a post file must be a regular file in the repository (octopost never follows links)")
        case .directory: (.file, "is a directory, not a post file")
        case .submodule: (.file, "is a git submodule, not a post file")
        case .other: (.file, "is not a regular file (a FIFO, socket or device cannot be a post)")
        }
    }

    static func normalized(_ directory: String) -> String {
        var d = directory
        while d.hasSuffix("/") { d.removeLast() }
        return d
    }

    /// `path` below the content folder, or nil when it is not inside it.
    static func relative(_ path: String, contentDirectory: String) -> String? {
        let prefix = Array((normalized(contentDirectory) + "/").utf8)
        guard path.utf8.starts(with: prefix) else { return nil }
        return String(decoding: path.utf8.dropFirst(prefix.count), as: UTF8.self)
    }
}
