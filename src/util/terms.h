/*
 * terms.h - the words a search is for, as /search and the store read
 * them: words between blanks, or "a phrase" in double quotes (its spaces
 * kept; a quote left open runs to the end), compared without ASCII case.
 * One reading for both, so a highlighted match is what the store found.
 */
#ifndef MIXCHAT_TERMS_H
#define MIXCHAT_TERMS_H

#include <stddef.h>

/* terms_next: the next term at *p: its start, its length in *len (0 for
 * ""), *p moved past it; NULL when no term is left. */
const char *terms_next(const char **p, size_t *len);
/* terms_fold: ASCII lower case of a byte (UTF-8 bytes are left alone). */
static inline unsigned char
terms_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

#endif
