/*
 * log.c - the debug log (see log.h).
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/timeutil.h"

static FILE *log_file;

int
log_open(const char *path)
{
	struct stat st;
	int fd;

	log_close();
	/* The log names URLs and errors: it is the user's alone.  Not
	 * through a symlink (one planted where the log goes would make
	 * mixchat append wherever it points), and a file that already
	 * exists with a wider mode is narrowed to 0600. */
	fd = open(
	    path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return MC_ERR_IO;
	if (fstat(fd, &st) != 0 ||
	    (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 &&
	        fchmod(fd, 0600) != 0)) {
		close(fd);
		return MC_ERR_IO;
	}
	if ((log_file = fdopen(fd, "a")) == NULL) {
		close(fd);
		return MC_ERR_IO;
	}
	setvbuf(log_file, NULL, _IOLBF, 0);
	return MC_OK;
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;
	uint64_t ms;
	time_t t;
	struct tm tm;
	char when[32];

	if (log_file == NULL)
		return;
	/* Local wall time, to the millisecond: what a user compares with
	 * the clock when something went wrong. */
	ms = (uint64_t)time_wall_ms();
	t = (time_t)(ms / 1000);
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		when[0] = '\0';
	fprintf(log_file, "%s.%03u ", when, (unsigned)(ms % 1000));
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
}
