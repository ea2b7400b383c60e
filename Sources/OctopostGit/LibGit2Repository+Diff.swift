import CLibGit2
import OctopostKit

extension LibGit2Repository {
    /// Commit tree → working tree, through the index (like `git diff <commit>` plus untracked files).
    /// Untracked files are listed file by file; ignored files are not. Renames are found among
    /// deleted + added/untracked pairs at git's default 50% similarity, whether staged or not.
    public func changesToWorkTree(from commit: String) throws(GitError) -> [FileChange] {
        try locked { () throws(GitError) -> [FileChange] in
            guard !isBare else { throw .failed("a bare repository has no working tree") }
            let tree = try lookupTree(ofCommit: commit)
            defer { git_tree_free(tree) }

            var options = git_diff_options()
            try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "diff options")
            options.flags = GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
                | GIT_DIFF_INCLUDE_TYPECHANGE.rawValue

            var diff: OpaquePointer?
            try check(git_diff_tree_to_workdir_with_index(&diff, handle, tree, &options),
                      "cannot diff \(commit) against the working tree")
            guard let diff else { return [] }
            defer { git_diff_free(diff) }

            var find = git_diff_find_options()
            try check(git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), "rename options")
            find.flags = GIT_DIFF_FIND_RENAMES.rawValue | GIT_DIFF_FIND_FOR_UNTRACKED.rawValue
            try check(git_diff_find_similar(diff, &find), "cannot detect renames")

            var changes: [FileChange] = []
            for index in 0..<git_diff_num_deltas(diff) {
                guard let delta = git_diff_get_delta(diff, index)?.pointee else { continue }
                let oldPath = delta.old_file.path.map { String(cString: $0) }
                let newPath = delta.new_file.path.map { String(cString: $0) }
                switch delta.status {
                case GIT_DELTA_ADDED, GIT_DELTA_UNTRACKED, GIT_DELTA_COPIED:
                    changes.append(FileChange(kind: .added, oldPath: nil, newPath: newPath))
                case GIT_DELTA_DELETED:
                    changes.append(FileChange(kind: .deleted, oldPath: oldPath, newPath: nil))
                case GIT_DELTA_MODIFIED, GIT_DELTA_TYPECHANGE, GIT_DELTA_CONFLICTED:
                    changes.append(FileChange(kind: .modified, oldPath: oldPath, newPath: newPath))
                case GIT_DELTA_RENAMED:
                    changes.append(FileChange(kind: .renamed, oldPath: oldPath, newPath: newPath))
                default:
                    continue  // unmodified, ignored, unreadable
                }
            }
            return changes
        }
    }
}
