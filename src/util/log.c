/*
 * log.c - the debug log (see log.h).
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "util/log.h"
#include "util/timeutil.h"

static FILE *log_file;

int
log_open(const char *path)
{
	int fd;

	log_close();
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return MC_ERR_IO;
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
	uint64_t us;

	if (log_file == NULL)
		return;
	us = time_mono_us();
	fprintf(log_file, "%llu.%06llu ", (unsigned long long)(us / 1000000),
	    (unsigned long long)(us % 1000000));
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
}
