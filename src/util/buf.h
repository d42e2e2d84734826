/*
 * buf.h - a growable byte buffer with a hard maximum (after curl's dynbuf).
 *
 * A buf owns its memory.  It is always NUL-terminated (the NUL is not counted
 * in len) so its contents can be used as a C string when they are text.
 * Appending past `max` fails with MC_ERR_LIMIT and releases the buffer, so a
 * caller that ignores the size of untrusted input cannot grow it without
 * bound, and a half-filled buffer is never mistaken for a whole one.
 *
 *	struct buf b;
 *	buf_init(&b, 1 << 20);
 *	if (buf_add(&b, p, n) != 0) goto out;
 *	...
 *	buf_release(&b);
 */
#ifndef MIXCHAT_BUF_H
#define MIXCHAT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/error.h"

struct buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
	size_t max; /* most bytes it may hold, not counting the NUL */
};

/* buf_init: an empty buffer that may hold up to max bytes. */
void buf_init(struct buf *b, size_t max);
/* buf_release: free the contents; the buffer is empty and reusable. */
void buf_release(struct buf *b);
/* buf_reset: make it empty but keep its memory. */
void buf_reset(struct buf *b);
/* buf_add: append n bytes.  MC_ERR_LIMIT (and released) past max. */
int buf_add(struct buf *b, const void *p, size_t n) MC_WUR;
int buf_addstr(struct buf *b, const char *s) MC_WUR;
int buf_addch(struct buf *b, char c) MC_WUR;
int buf_printf(struct buf *b, const char *fmt, ...) MC_PRINTF(2, 3) MC_WUR;
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    MC_PRINTF(2, 0) MC_WUR;
/* buf_str: the contents as a string ("" when empty); owned by the buf. */
const char *buf_str(const struct buf *b);
/* buf_detach: hand the contents to the caller (free() them); buf is empty. */
char *buf_detach(struct buf *b, size_t *len);
/* buf_consume: drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);

#endif
