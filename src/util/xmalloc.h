/*
 * xmalloc.h - allocation that cannot fail.
 *
 * Out of memory is not a condition mixchat recovers from: these abort with a
 * message instead of returning NULL.  Everything they return is freed with
 * free().
 */
#ifndef MIXCHAT_XMALLOC_H
#define MIXCHAT_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

#include "util/error.h"

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/*
 * xgrowarray: make room for `need` elements of `size` bytes in p, whose
 * capacity *cap grows by doubling (from 16).  Returns the (maybe moved)
 * array; the caller stores it back.
 */
void *xgrowarray(void *p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* xasprintf: a formatted string the caller frees. */
char *xasprintf(const char *fmt, ...) MC_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) MC_PRINTF(1, 0);

#endif
