/*
 * suggest.h - "did you mean": the known word nearest a typo.
 *
 * Owns the edit distance (Levenshtein, over bytes) that the chat's
 * /commands and config.json's field names use to name what was meant, and
 * the words a prefix may stand for (a command typed short).
 */
#ifndef MIXCHAT_SUGGEST_H
#define MIXCHAT_SUGGEST_H

#include <stddef.h>

/* suggest_distance: the Levenshtein distance of a and b; 99 when either
 * is longer than 32 bytes (names, not text). */
size_t suggest_distance(const char *a, const char *b);

/*
 * suggest_nearest: of the n words (NULL entries skipped), the one nearest
 * word, if it is within max_distance edits (the first of equals); NULL
 * when none is.
 */
const char *suggest_nearest(
    const char *word, const char *const *words, size_t n, size_t max_distance);

/*
 * suggest_prefixed: of the n words (NULL entries skipped), those that
 * begin with prefix, longer than it: the first max of them into out (in
 * their order; the caller's array, pointers into words).  Returns how many
 * there are, which may be more than max.  An empty prefix begins none.
 */
size_t suggest_prefixed(const char *prefix, const char *const *words, size_t n,
    const char **out, size_t max);

/*
 * suggest_name: the name (a model, a provider, a prior) of the n that word
 * was likely meant to be: the nearest within 2 edits, else the only one
 * word begins (3 bytes or more), else the only one whose part after its
 * last '/' is within 2 edits of word, else the only one that has word
 * (3 bytes or more) as a part between '-', '_', '/' or '.'; NULL when
 * none.
 */
const char *suggest_name(const char *word, const char *const *words, size_t n);
/* suggest_name_nocase: the same for word in any ASCII case (the words
 * lower case): "Light" finds "light". */
const char *suggest_name_nocase(
    const char *word, const char *const *words, size_t n);

#endif
