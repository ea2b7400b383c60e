#ifndef OCTOPOST_CLIBGIT2_SHIM_H
#define OCTOPOST_CLIBGIT2_SHIM_H
#include <git2.h>
#include <zlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

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

/* The first `out_len` bytes of the object stored at `offset` of an open pack file, inflating only
 * what they need (libgit2 1.5 has no bounded read of a packed object). Returns the number of bytes
 * written to `out` (fewer when the object is shorter), -2 when the object is stored as a delta or is
 * not a blob (the caller then asks libgit2), -1 on a read or zlib error. */
static inline ssize_t octopost_pack_blob_head(int fd, off_t offset, unsigned char *out, size_t out_len) {
    unsigned char header[32];
    ssize_t got = pread(fd, header, sizeof header, offset);
    if (got <= 0) return -1;
    unsigned char c = header[0];
    int type = (c >> 4) & 7;
    size_t used = 1;
    while (c & 0x80) {
        if (used >= (size_t)got) return -1;
        c = header[used++];
    }
    if (type != 3) return -2; /* OBJ_BLOB; deltas (6, 7) are resolved by libgit2 */
    if (out_len == 0) return 0;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) return -1;
    unsigned char chunk[4096];
    off_t at = offset + (off_t)used;
    zs.next_out = out;
    zs.avail_out = (uInt)out_len;
    int rc = Z_OK;
    while (zs.avail_out > 0 && rc != Z_STREAM_END) {
        if (zs.avail_in == 0) {
            ssize_t n = pread(fd, chunk, sizeof chunk, at);
            if (n <= 0) { inflateEnd(&zs); return -1; }
            at += n;
            zs.next_in = chunk;
            zs.avail_in = (uInt)n;
        }
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) { inflateEnd(&zs); return -1; }
    }
    ssize_t produced = (ssize_t)(out_len - zs.avail_out);
    inflateEnd(&zs);
    return produced;
}
#endif
