#ifndef OCTOPOST_CLIBGIT2_SHIM_H
#define OCTOPOST_CLIBGIT2_SHIM_H
#include <git2.h>

/* Variadic libgit2 functions cannot be called from Swift: fixed-arity wrappers. */
static inline int octopost_git_commit_create(
    git_oid *id, git_repository *repo, const char *update_ref,
    const git_signature *author, const git_signature *committer,
    const char *message, const git_tree *tree,
    size_t parent_count, const git_commit **parents) {
    return git_commit_create(id, repo, update_ref, author, committer, NULL, message, tree, parent_count, parents);
}

static inline int octopost_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
#endif
