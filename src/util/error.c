/*
 * error.c - descriptions of the project's error codes, and the list of a
 * file's bad lines (problems_add).
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>

#include "util/error.h"
#include "util/xmalloc.h"

const char *
mixchat_strerror(int err)
{
	switch (err) {
	case MC_OK:
		return "success";
	case MC_ERR_NOMEM:
		return "out of memory";
	case MC_ERR_IO:
		return "input/output error";
	case MC_ERR_PARSE:
		return "malformed input";
	case MC_ERR_USAGE:
		return "bad usage";
	case MC_ERR_LIMIT:
		return "size limit reached";
	case MC_ERR_NOTFOUND:
		return "not found";
	case MC_ERR_EXISTS:
		return "already exists";
	case MC_ERR_PERM:
		return "unsafe permissions";
	case MC_ERR_CORRUPT:
		return "corrupt or tampered data";
	case MC_ERR_VERSION:
		return "unsupported format version";
	case MC_ERR_LOCKED:
		return "vault is locked";
	case MC_ERR_PASSPHRASE:
		return "wrong passphrase";
	case MC_ERR_PROVIDER:
		return "provider error";
	case MC_ERR_NETWORK:
		return "network error";
	case MC_ERR_BUDGET:
		return "daily budget exhausted";
	case MC_ERR_CANCELLED:
		return "cancelled";
	case MC_ERR_FULL:
		return "storage full";
	case MC_ERR_AGAIN:
		return "temporarily unavailable";
	case MC_ERR_INTERNAL:
		return "internal error";
	}
	return "unknown error";
}

void
problems_add(char **cause, size_t *n, size_t max, const char *fmt, ...)
{
	va_list ap;
	char *s, *joined;

	if (++*n > max)
		return;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (*cause == NULL) {
		*cause = s;
		return;
	}
	joined = xasprintf("%s\n%s", *cause, s);
	free(*cause);
	free(s);
	*cause = joined;
}

void
problems_end(char **cause, size_t n, size_t max)
{
	char *joined;

	if (n <= max || *cause == NULL)
		return;
	joined = xasprintf("%s\nand %zu more", *cause, n - max);
	free(*cause);
	*cause = joined;
}
