/*
 * terms.c - reading a search's words (see terms.h).
 */
#include "config.h"

#include <string.h>

#include "util/terms.h"

const char *
terms_next(const char **p, size_t *len)
{
	const char *s = *p, *q = NULL;

	s += strspn(s, " \t\r\n");
	if (*s == '\0') {
		*p = s;
		return NULL;
	}
	if (*s == '"') {
		q = strchr(++s, '"');
		*len = q != NULL ? (size_t)(q - s) : strlen(s);
	} else
		*len = strcspn(s, " \t\r\n");
	*p = s + *len + (q != NULL);
	return s;
}
