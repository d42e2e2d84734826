/*
 * terms.h - the words a search is for, as /search and the store read
 * them: words between blanks, or "a phrase" in double quotes (its spaces
 * kept; a quote left open runs to the end), compared without case.
 * One reading and one comparison for both, so a highlighted match is
 * what the store found.
 *
 * Case is folded by a table of its own, not the C library's locale (the
 * store does not depend on setlocale): a capital letter of ASCII, Latin-1,
 * Latin Extended-A and -B, Greek, Cyrillic, Armenian and Latin Extended
 * Additional (Vietnamese) is taken as its small letter, when that small
 * letter's UTF-8 is as long as the capital's (Unicode's simple case
 * folding, less the few that change length: İ, ẞ, ſ).
 * Folded text is then as long as the text: a match's bytes in the folded
 * text are its bytes in the text.
 */
#ifndef MIXCHAT_TERMS_H
#define MIXCHAT_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* terms_next: the next term at *p: its start, its length in *len (0 for
 * ""), *p moved past it; NULL when no term is left. */
const char *terms_next(const char **p, size_t *len);
/* terms_fold_cp: the code point c with its case folded (see above);
 * c itself when it has no other case, or one of another length. */
uint32_t terms_fold_cp(uint32_t c);
/*
 * terms_fold_at: the character at s (n >= 1 bytes) case folded into out
 * (4 bytes room); returns how many bytes it took and wrote (the same).
 * A byte that starts no character is copied as it is.
 */
size_t terms_fold_at(const char *s, size_t n, char *out);
/* terms_fold: n bytes of s case folded in place (the same length). */
void terms_fold(char *s, size_t n);
/*
 * terms_match: whether the n bytes at s begin with the term w (wn bytes,
 * already folded with terms_fold), case ignored.  A match is always wn
 * bytes of s.
 */
bool terms_match(const char *s, size_t n, const char *w, size_t wn);
/* terms_find: the first place in h (hn bytes) the folded term w (wn > 0
 * bytes) is, case ignored; NULL when it is not there. */
const char *terms_find(const char *h, size_t hn, const char *w, size_t wn);

#endif
