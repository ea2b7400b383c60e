#ifndef OCTOPOST_SYS_H
#define OCTOPOST_SYS_H
/// syncfs(2): flush the file system holding `fd` (glibc declares it only under _GNU_SOURCE,
/// which Swift's Glibc module does not see). Returns 0 or -1 with errno; 0 where unsupported
/// after a full sync().
int octopost_syncfs(int fd);
#endif
