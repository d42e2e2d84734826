/*
 * utf8.h - UTF-8 decoding and terminal display width.
 *
 * Widths follow Unicode's East Asian Width (W and F are two columns),
 * emoji presentation sequences are two columns, combining marks and
 * zero-width characters take none.  The table is built in, so widths do not
 * depend on the process's locale: the screen and the tests agree.
 */
#ifndef MIXCHAT_UTF8_H
#define MIXCHAT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xfffd

/*
 * utf8_decode: decode one character from s (at most n bytes).  Returns the
 * number of bytes it used (1 to 4); invalid or truncated sequences use one
 * byte and give U+FFFD.  n must be at least 1.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* utf8_encode: write cp into out (4 bytes room); returns bytes written. */
size_t utf8_encode(uint32_t cp, char *out);
/* utf8_cpwidth: columns a code point takes: 0, 1 or 2 (controls: 0). */
int utf8_cpwidth(uint32_t cp);
/*
 * utf8_locale_widths: take the widths of the C library (wcwidth, in the
 * current UTF-8 locale) before the built-in tables.  The screen turns it
 * on: curses moves its cursor by those, and a layout that counted an
 * emoji's skin tone as 0 columns where curses counts 2 ran a line past
 * the edge.  Off (the tables alone), widths are the same on every machine.
 */
void utf8_locale_widths(bool on);
/* utf8_width: columns a string of n bytes takes. */
size_t utf8_width(const char *s, size_t n);
/* utf8_width_tabs: the same, a tab taking tab columns. */
size_t utf8_width_tabs(const char *s, size_t n, size_t tab);
/* utf8_valid: whether n bytes are well-formed UTF-8. */
bool utf8_valid(const char *s, size_t n);
/*
 * utf8_repair: n bytes of s as well-formed UTF-8, each byte that is not
 * part of a character turned into U+FFFD (NUL-terminated; *out_len its
 * length, free it).  *bad (may be NULL): how many were turned.
 */
char *utf8_repair(const char *s, size_t n, size_t *out_len, size_t *bad);
/*
 * utf8_fit: how many bytes of s (n bytes) fit in cols columns without
 * splitting a character; *used gets the columns they take (may be NULL).
 */
size_t utf8_fit(const char *s, size_t n, size_t cols, size_t *used);

#endif
