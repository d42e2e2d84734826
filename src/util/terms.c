/*
 * terms.c - reading a search's words and comparing them without case (see
 * terms.h).
 */
#include "config.h"

#include <string.h>

#include "util/terms.h"
#include "util/utf8.h"

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

/*
 * The capitals folded, in order: each code point from first to last (every
 * other one where step is 2: the capitals of alternating pairs, Ā ā Ă ă)
 * folds to itself plus delta.  Taken from Unicode 14's CaseFolding.txt
 * (its C and S lines) for the blocks terms.h names, leaving out a folding
 * that changes a character's UTF-8 length (U+0130 İ, U+1E9E ẞ; ſ, whose
 * fold is 's').  A test compares it with the C library's towlower for the
 * letters of those blocks.
 */
static const struct fold_range {
	uint16_t first, last;
	int16_t delta;
	uint8_t step;
} fold_ranges[] = {
	{ 0x0041, 0x005a, 32, 1 },
	{ 0x00b5, 0x00b5, 775, 1 },
	{ 0x00c0, 0x00d6, 32, 1 },
	{ 0x00d8, 0x00de, 32, 1 },
	{ 0x0100, 0x012e, 1, 2 },
	{ 0x0132, 0x0136, 1, 2 },
	{ 0x0139, 0x0147, 1, 2 },
	{ 0x014a, 0x0176, 1, 2 },
	{ 0x0178, 0x0178, -121, 1 },
	{ 0x0179, 0x017d, 1, 2 },
	{ 0x0181, 0x0181, 210, 1 },
	{ 0x0182, 0x0184, 1, 2 },
	{ 0x0186, 0x0186, 206, 1 },
	{ 0x0187, 0x0187, 1, 1 },
	{ 0x0189, 0x018a, 205, 1 },
	{ 0x018b, 0x018b, 1, 1 },
	{ 0x018e, 0x018e, 79, 1 },
	{ 0x018f, 0x018f, 202, 1 },
	{ 0x0190, 0x0190, 203, 1 },
	{ 0x0191, 0x0191, 1, 1 },
	{ 0x0193, 0x0193, 205, 1 },
	{ 0x0194, 0x0194, 207, 1 },
	{ 0x0196, 0x0196, 211, 1 },
	{ 0x0197, 0x0197, 209, 1 },
	{ 0x0198, 0x0198, 1, 1 },
	{ 0x019c, 0x019c, 211, 1 },
	{ 0x019d, 0x019d, 213, 1 },
	{ 0x019f, 0x019f, 214, 1 },
	{ 0x01a0, 0x01a4, 1, 2 },
	{ 0x01a6, 0x01a6, 218, 1 },
	{ 0x01a7, 0x01a7, 1, 1 },
	{ 0x01a9, 0x01a9, 218, 1 },
	{ 0x01ac, 0x01ac, 1, 1 },
	{ 0x01ae, 0x01ae, 218, 1 },
	{ 0x01af, 0x01af, 1, 1 },
	{ 0x01b1, 0x01b2, 217, 1 },
	{ 0x01b3, 0x01b5, 1, 2 },
	{ 0x01b7, 0x01b7, 219, 1 },
	{ 0x01b8, 0x01b8, 1, 1 },
	{ 0x01bc, 0x01bc, 1, 1 },
	{ 0x01c4, 0x01c4, 2, 1 },
	{ 0x01c5, 0x01c5, 1, 1 },
	{ 0x01c7, 0x01c7, 2, 1 },
	{ 0x01c8, 0x01c8, 1, 1 },
	{ 0x01ca, 0x01ca, 2, 1 },
	{ 0x01cb, 0x01db, 1, 2 },
	{ 0x01de, 0x01ee, 1, 2 },
	{ 0x01f1, 0x01f1, 2, 1 },
	{ 0x01f2, 0x01f4, 1, 2 },
	{ 0x01f6, 0x01f6, -97, 1 },
	{ 0x01f7, 0x01f7, -56, 1 },
	{ 0x01f8, 0x021e, 1, 2 },
	{ 0x0220, 0x0220, -130, 1 },
	{ 0x0222, 0x0232, 1, 2 },
	{ 0x023b, 0x023b, 1, 1 },
	{ 0x023d, 0x023d, -163, 1 },
	{ 0x0241, 0x0241, 1, 1 },
	{ 0x0243, 0x0243, -195, 1 },
	{ 0x0244, 0x0244, 69, 1 },
	{ 0x0245, 0x0245, 71, 1 },
	{ 0x0246, 0x024e, 1, 2 },
	{ 0x0370, 0x0372, 1, 2 },
	{ 0x0376, 0x0376, 1, 1 },
	{ 0x037f, 0x037f, 116, 1 },
	{ 0x0386, 0x0386, 38, 1 },
	{ 0x0388, 0x038a, 37, 1 },
	{ 0x038c, 0x038c, 64, 1 },
	{ 0x038e, 0x038f, 63, 1 },
	{ 0x0391, 0x03a1, 32, 1 },
	{ 0x03a3, 0x03ab, 32, 1 },
	{ 0x03c2, 0x03c2, 1, 1 },
	{ 0x03cf, 0x03cf, 8, 1 },
	{ 0x03d0, 0x03d0, -30, 1 },
	{ 0x03d1, 0x03d1, -25, 1 },
	{ 0x03d5, 0x03d5, -15, 1 },
	{ 0x03d6, 0x03d6, -22, 1 },
	{ 0x03d8, 0x03ee, 1, 2 },
	{ 0x03f0, 0x03f0, -54, 1 },
	{ 0x03f1, 0x03f1, -48, 1 },
	{ 0x03f4, 0x03f4, -60, 1 },
	{ 0x03f5, 0x03f5, -64, 1 },
	{ 0x03f7, 0x03f7, 1, 1 },
	{ 0x03f9, 0x03f9, -7, 1 },
	{ 0x03fa, 0x03fa, 1, 1 },
	{ 0x03fd, 0x03ff, -130, 1 },
	{ 0x0400, 0x040f, 80, 1 },
	{ 0x0410, 0x042f, 32, 1 },
	{ 0x0460, 0x0480, 1, 2 },
	{ 0x048a, 0x04be, 1, 2 },
	{ 0x04c0, 0x04c0, 15, 1 },
	{ 0x04c1, 0x04cd, 1, 2 },
	{ 0x04d0, 0x052e, 1, 2 },
	{ 0x0531, 0x0556, 48, 1 },
	{ 0x1e00, 0x1e94, 1, 2 },
	{ 0x1e9b, 0x1e9b, -58, 1 },
	{ 0x1ea0, 0x1efe, 1, 2 },
};

uint32_t
terms_fold_cp(uint32_t c)
{
	size_t lo = 0, hi = sizeof fold_ranges / sizeof fold_ranges[0], mid;
	const struct fold_range *r;

	if (c < 0x80)
		return c >= 'A' && c <= 'Z' ? c + 32 : c;
	if (c > fold_ranges[hi - 1].last)
		return c;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		r = &fold_ranges[mid];
		if (c < r->first)
			hi = mid;
		else if (c > r->last)
			lo = mid + 1;
		else if ((c - r->first) % r->step != 0)
			return c;
		else
			return (uint32_t)((int32_t)c + r->delta);
	}
	return c;
}

size_t
terms_fold_at(const char *s, size_t n, char *out)
{
	unsigned char b = (unsigned char)s[0];
	uint32_t cp, f;
	size_t len;
	char enc[4];

	if (b < 0x80) {
		out[0] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
		return 1;
	}
	len = utf8_decode(s, n, &cp);
	f = terms_fold_cp(cp);
	/* The table keeps lengths; the check keeps a bad byte a byte. */
	if (f != cp && cp != UTF8_REPLACEMENT && utf8_encode(f, enc) == len)
		memcpy(out, enc, len);
	else
		memcpy(out, s, len);
	return len;
}

void
terms_fold(char *s, size_t n)
{
	size_t i = 0;

	while (i < n)
		i += terms_fold_at(s + i, n - i, s + i);
}

/* Whether the wn bytes at s (wn of them there) are the folded w: ASCII
 * compared in line, the rest a character at a time. */
static bool
match_folded(const char *s, const char *w, size_t wn)
{
	size_t j = 0, k;
	unsigned char c;
	char f[4];

	while (j < wn) {
		c = (unsigned char)s[j];
		if (c < 0x80) {
			if ((c >= 'A' && c <= 'Z' ? c + 32 : c) !=
			    (unsigned char)w[j])
				return false;
			j++;
			continue;
		}
		k = terms_fold_at(s + j, wn - j, f);
		if (memcmp(f, w + j, k) != 0)
			return false;
		j += k;
	}
	return true;
}

bool
terms_match(const char *s, size_t n, const char *w, size_t wn)
{
	return wn > 0 && wn <= n && match_folded(s, w, wn);
}

const char *
terms_find(const char *h, size_t hn, const char *w, size_t wn)
{
	unsigned char lo = (unsigned char)w[0], up;
	size_t i;

	if (wn == 0 || wn > hn)
		return NULL;
	if (lo >= 0x80) {
		/* A capital's first byte may differ from its small
		 * letter's (Ѐ, ѐ): each place is tried. */
		for (i = 0; i + wn <= hn; i++)
			if (match_folded(h + i, w, wn))
				return h + i;
		return NULL;
	}
	/* An ASCII first letter: only an ASCII byte folds to it (no fold
	 * here changes a length), in one of two cases. */
	up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 32) : lo;
	for (i = 0; i + wn <= hn; i++)
		if (((unsigned char)h[i] == lo || (unsigned char)h[i] == up) &&
		    match_folded(h + i + 1, w + 1, wn - 1))
			return h + i;
	return NULL;
}
