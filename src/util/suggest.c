/*
 * suggest.c - "did you mean" (see suggest.h).
 */
#include "config.h"

#include <string.h>

#include "util/suggest.h"

size_t
suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, t;
	size_t row[33];

	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			t = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < t)
				t = row[j] + 1;
			if (row[j - 1] + 1 < t)
				t = row[j - 1] + 1;
			row[j] = t;
			prev = cur;
		}
	}
	return row[lb];
}

const char *
suggest_nearest(
    const char *word, const char *const *words, size_t n, size_t max_distance)
{
	const char *near = NULL;
	size_t best = max_distance + 1, d, i;

	for (i = 0; i < n; i++) {
		if (words[i] == NULL)
			continue;
		if ((d = suggest_distance(word, words[i])) < best) {
			best = d;
			near = words[i];
		}
	}
	return near;
}

size_t
suggest_prefixed(const char *prefix, const char *const *words, size_t n,
    const char **out, size_t max)
{
	size_t len = strlen(prefix), found = 0, i;

	if (len == 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (words[i] == NULL || strlen(words[i]) <= len ||
		    strncmp(words[i], prefix, len) != 0)
			continue;
		if (found < max)
			out[found] = words[i];
		found++;
	}
	return found;
}

const char *
suggest_name(const char *word, const char *const *words, size_t n)
{
	const char *near, *found = NULL, *base;
	size_t len = strlen(word), i, count = 0;

	if ((near = suggest_nearest(word, words, n, 2)) != NULL)
		return near;
	/* Cut short: "gpt-4-1106" for "gpt-4-1106-preview". */
	if (len >= 3 && suggest_prefixed(word, words, n, &found, 1) == 1)
		return found;
	/* Without its organisation: "mixtral-8x7b-chat". */
	for (i = 0; i < n; i++) {
		if (words[i] == NULL || (base = strrchr(words[i], '/')) == NULL)
			continue;
		if (suggest_distance(word, base + 1) <= 2) {
			found = words[i];
			count++;
		}
	}
	if (count == 1)
		return found;
	/* One of its parts: "dark" for "solarized-dark", "usd" for
	 * "daily_usd". */
	count = 0;
	for (i = 0; len >= 3 && i < n; i++) {
		const char *p = words[i];

		while (p != NULL && *p != '\0') {
			size_t k = strcspn(p, "-_/.");

			if (k == len && strncmp(p, word, len) == 0) {
				found = words[i];
				count++;
				break;
			}
			p += k;
			if (*p != '\0')
				p++;
		}
	}
	return count == 1 ? found : NULL;
}

const char *
suggest_name_nocase(const char *word, const char *const *words, size_t n)
{
	char lower[33];
	size_t i;

	for (i = 0; word[i] != '\0' && i + 1 < sizeof lower; i++)
		lower[i] = word[i] >= 'A' && word[i] <= 'Z'
		               ? (char)(word[i] - 'A' + 'a')
		               : word[i];
	lower[i] = '\0';
	return suggest_name(lower, words, n);
}
