/*
 * fs.h - files: bounded reads, atomic replacement, folders.
 *
 * fs_write_atomic() is the only way mixchat replaces a file that must never
 * be half-written (after redis): a temporary file beside the target created
 * with O_EXCL and the final mode, written, fsync'd, renamed over the target,
 * and the folder fsync'd.  A crash at any point leaves the old file or the
 * new one.
 */
#ifndef MIXCHAT_FS_H
#define MIXCHAT_FS_H

#include <stddef.h>
#include <sys/types.h>

#include "util/buf.h"
#include "util/error.h"

/*
 * fs_read_file: read all of path into b (initialised by the caller; its max
 * bounds the size).  "-" reads standard input.  Sets *cause on failure.
 */
int fs_read_file(const char *path, struct buf *b, char **cause) MC_WUR;
/* fs_read_fd: read an open descriptor to EOF into b. */
int fs_read_fd(int fd, struct buf *b) MC_WUR;
/* fs_write_atomic: replace path with len bytes of data, mode `mode`. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
    char **cause) MC_WUR;
/* fs_fsync_dir: fsync the folder holding path. */
int fs_fsync_dir(const char *path) MC_WUR;
/* fs_mkdir_p: create a folder and its parents (mode for the new ones). */
int fs_mkdir_p(const char *path, mode_t mode, char **cause) MC_WUR;
/* fs_exists: whether path exists. */
int fs_exists(const char *path);
/* fs_absent: whether path is known not to be there (a folder on the way
 * that cannot be searched is not absence: opening it says why). */
int fs_absent(const char *path);
/* fs_write_all: write n bytes to fd, retrying short writes and EINTR. */
int fs_write_all(int fd, const void *p, size_t n) MC_WUR;

#endif
