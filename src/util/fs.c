/*
 * fs.c - bounded reads, atomic replacement, folders (see fs.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/log.h"
#include "util/xmalloc.h"

int
fs_read_fd(int fd, struct buf *b)
{
	char chunk[65536];
	ssize_t n;
	int rc;

	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return MC_ERR_IO;
		}
		if (n == 0)
			return MC_OK;
		if ((rc = buf_add(b, chunk, (size_t)n)) != MC_OK)
			return rc;
	}
}

int
fs_read_file(const char *path, struct buf *b, char **cause)
{
	int fd, rc;
	size_t max = b->max;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? MC_ERR_NOTFOUND : MC_ERR_IO;
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return rc;
	}
	rc = fs_read_fd(fd, b);
	if (rc == MC_ERR_LIMIT)
		*cause = xasprintf("%s: larger than %zu bytes", path, max);
	else if (rc != MC_OK)
		*cause = xasprintf("%s: %s", path, strerror(errno));
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

int
fs_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == ENOSPC || errno == EDQUOT ? MC_ERR_FULL
			                                          : MC_ERR_IO;
		}
		c += w;
		n -= (size_t)w;
	}
	return MC_OK;
}

int
fs_fsync_dir(const char *path)
{
	char *copy, *dir;
	int fd, rc = MC_OK;

	copy = xstrdup(path);
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		rc = MC_ERR_IO;
	else {
		if (fsync(fd) != 0 && errno != EINVAL)
			rc = MC_ERR_IO;
		close(fd);
	}
	free(copy);
	return rc;
}

int
fs_write_atomic(
    const char *path, const void *data, size_t len, mode_t mode, char **cause)
{
	char *tmp;
	int fd, rc;

	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0 && errno == EEXIST) {
		/* Left by a crashed run with our pid: it was never renamed. */
		unlink(tmp);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	}
	if (fd < 0) {
		/* Named as the caller knows it: the temporary is ours. */
		*cause = xasprintf("%s: %s", path, strerror(errno));
		free(tmp);
		return errno == ENOSPC ? MC_ERR_FULL : MC_ERR_IO;
	}
	rc = fs_write_all(fd, data, len);
	if (rc == MC_OK && fchmod(fd, mode) != 0)
		rc = MC_ERR_IO;
	if (rc == MC_OK && fsync(fd) != 0)
		rc = MC_ERR_IO;
	if (close(fd) != 0 && rc == MC_OK)
		rc = MC_ERR_IO;
	if (rc == MC_OK && rename(tmp, path) != 0)
		rc = MC_ERR_IO;
	if (rc != MC_OK) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return rc;
	}
	free(tmp);
	/* The new file is in place whatever happens now: a folder that
	 * cannot be synced makes it less sure to survive a power cut, not
	 * unwritten, and saying "not saved" of it would be false (a vault
	 * would then take its own write for another's). */
	if (fs_fsync_dir(path) != MC_OK)
		log_debug("%s: fsync of its folder failed: %s", path,
		    strerror(errno));
	return MC_OK;
}

int
fs_mkdir_p(const char *path, mode_t mode, char **cause)
{
	char *copy, *p;
	struct stat st;

	copy = xstrdup(path);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, mode) != 0 && errno != EEXIST) {
			*cause = xasprintf("%s: %s", copy, strerror(errno));
			free(copy);
			return MC_ERR_IO;
		}
		*p = '/';
	}
	if (mkdir(copy, mode) != 0 && errno != EEXIST) {
		*cause = xasprintf("%s: %s", copy, strerror(errno));
		free(copy);
		return MC_ERR_IO;
	}
	if (stat(copy, &st) != 0 || !S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s: not a folder", copy);
		free(copy);
		return MC_ERR_IO;
	}
	free(copy);
	return MC_OK;
}

int
fs_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int
fs_absent(const char *path)
{
	struct stat st;

	return stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}
