/*
 * utf8.c - UTF-8 decoding and display width (see utf8.h).
 */
#include "config.h"

#include <wchar.h>

#include "util/utf8.h"
#include "util/xmalloc.h"

/* Whether the C library's widths (the locale's, as curses counts them)
 * come first: utf8_locale_widths. */
static bool locale_widths;

struct range {
	uint32_t first, last;
};

/* Zero-width: combining marks, joiners, variation selectors. */
static const struct range zero_width[] = {
	{ 0x0300, 0x036f },
	{ 0x0483, 0x0489 },
	{ 0x0591, 0x05bd },
	{ 0x0610, 0x061a },
	{ 0x064b, 0x065f },
	{ 0x0670, 0x0670 },
	{ 0x06d6, 0x06dc },
	{ 0x0900, 0x0902 },
	{ 0x093a, 0x093a },
	{ 0x093c, 0x093c },
	{ 0x0941, 0x0948 },
	{ 0x094d, 0x094d },
	{ 0x0e31, 0x0e31 },
	{ 0x0e34, 0x0e3a },
	{ 0x0e47, 0x0e4e },
	{ 0x1ab0, 0x1aff },
	{ 0x1dc0, 0x1dff },
	{ 0x200b, 0x200f },
	{ 0x202a, 0x202e },
	{ 0x2060, 0x2064 },
	{ 0x20d0, 0x20ff },
	{ 0xfe00, 0xfe0f },
	{ 0xfe20, 0xfe2f },
	{ 0xfeff, 0xfeff },
	{ 0xe0000, 0xe0fff },
};

/* Two columns: East Asian Wide and Fullwidth, emoji presentation. */
static const struct range wide[] = {
	{ 0x1100, 0x115f },
	{ 0x231a, 0x231b },
	{ 0x2329, 0x232a },
	{ 0x23e9, 0x23ec },
	{ 0x23f0, 0x23f0 },
	{ 0x23f3, 0x23f3 },
	{ 0x25fd, 0x25fe },
	{ 0x2614, 0x2615 },
	{ 0x2648, 0x2653 },
	{ 0x267f, 0x267f },
	{ 0x2693, 0x2693 },
	{ 0x26a1, 0x26a1 },
	{ 0x26aa, 0x26ab },
	{ 0x26bd, 0x26be },
	{ 0x26c4, 0x26c5 },
	{ 0x26ce, 0x26ce },
	{ 0x26d4, 0x26d4 },
	{ 0x26ea, 0x26ea },
	{ 0x26f2, 0x26f3 },
	{ 0x26f5, 0x26f5 },
	{ 0x26fa, 0x26fa },
	{ 0x26fd, 0x26fd },
	{ 0x2705, 0x2705 },
	{ 0x270a, 0x270b },
	{ 0x2728, 0x2728 },
	{ 0x274c, 0x274c },
	{ 0x274e, 0x274e },
	{ 0x2753, 0x2755 },
	{ 0x2757, 0x2757 },
	{ 0x2795, 0x2797 },
	{ 0x27b0, 0x27b0 },
	{ 0x27bf, 0x27bf },
	{ 0x2b1b, 0x2b1c },
	{ 0x2b50, 0x2b50 },
	{ 0x2b55, 0x2b55 },
	{ 0x2e80, 0x303e },
	{ 0x3041, 0x33ff },
	{ 0x3400, 0x4dbf },
	{ 0x4e00, 0x9fff },
	{ 0xa000, 0xa4cf },
	{ 0xa960, 0xa97f },
	{ 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff },
	{ 0xfe10, 0xfe19 },
	{ 0xfe30, 0xfe6f },
	{ 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 },
	{ 0x16fe0, 0x16fe4 },
	{ 0x17000, 0x18cff },
	{ 0x1b000, 0x1b16f },
	{ 0x1f004, 0x1f004 },
	{ 0x1f0cf, 0x1f0cf },
	{ 0x1f18e, 0x1f18e },
	{ 0x1f191, 0x1f19a },
	{ 0x1f200, 0x1f251 },
	{ 0x1f260, 0x1f265 },
	{ 0x1f300, 0x1f320 },
	{ 0x1f32d, 0x1f335 },
	{ 0x1f337, 0x1f37c },
	{ 0x1f37e, 0x1f393 },
	{ 0x1f3a0, 0x1f3ca },
	{ 0x1f3cf, 0x1f3d3 },
	{ 0x1f3e0, 0x1f3f0 },
	{ 0x1f3f4, 0x1f3f4 },
	{ 0x1f3f8, 0x1f43e },
	{ 0x1f440, 0x1f440 },
	{ 0x1f442, 0x1f4fc },
	{ 0x1f4ff, 0x1f53d },
	{ 0x1f54b, 0x1f54e },
	{ 0x1f550, 0x1f567 },
	{ 0x1f57a, 0x1f57a },
	{ 0x1f595, 0x1f596 },
	{ 0x1f5a4, 0x1f5a4 },
	{ 0x1f5fb, 0x1f64f },
	{ 0x1f680, 0x1f6c5 },
	{ 0x1f6cc, 0x1f6cc },
	{ 0x1f6d0, 0x1f6d2 },
	{ 0x1f6d5, 0x1f6d7 },
	{ 0x1f6dc, 0x1f6df },
	{ 0x1f6eb, 0x1f6ec },
	{ 0x1f6f4, 0x1f6fc },
	{ 0x1f7e0, 0x1f7eb },
	{ 0x1f7f0, 0x1f7f0 },
	{ 0x1f90c, 0x1f93a },
	{ 0x1f93c, 0x1f945 },
	{ 0x1f947, 0x1f9ff },
	{ 0x1fa70, 0x1faff },
	{ 0x20000, 0x2fffd },
	{ 0x30000, 0x3fffd },
};

static int
in_table(uint32_t cp, const struct range *t, size_t n)
{
	size_t lo = 0, hi = n;

	if (cp < t[0].first || cp > t[n - 1].last)
		return 0;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp > t[mid].last)
			lo = mid + 1;
		else if (cp < t[mid].first)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

size_t
utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c;
	size_t len, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		c = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		c = u[0] & 0x0f;
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		c = u[0] & 0x07;
	} else
		goto bad;
	if (n < len)
		goto bad;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return len;
bad:
	*cp = UTF8_REPLACEMENT;
	return 1;
}

size_t
utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = UTF8_REPLACEMENT;
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

int
utf8_cpwidth(uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		return 0;
	if (cp < 0x300)
		return 1;
	if (locale_widths) {
		int w = wcwidth((wchar_t)cp);

		if (w >= 0)
			return w > 2 ? 2 : w;
	}
	if (in_table(cp, zero_width, sizeof zero_width / sizeof zero_width[0]))
		return 0;
	if (in_table(cp, wide, sizeof wide / sizeof wide[0]))
		return 2;
	return 1;
}

void
utf8_locale_widths(bool on)
{
	locale_widths = on;
}

size_t
utf8_width_tabs(const char *s, size_t n, size_t tab)
{
	size_t i = 0, w = 0;
	uint32_t cp;

	while (i < n) {
		i += utf8_decode(s + i, n - i, &cp);
		w += cp == '\t' ? tab : (size_t)utf8_cpwidth(cp);
	}
	return w;
}

size_t
utf8_width(const char *s, size_t n)
{
	return utf8_width_tabs(s, n, 0);
}

char *
utf8_repair(const char *s, size_t n, size_t *out_len, size_t *bad)
{
	char *out = xmalloc(n * 3 + 1), *o = out;
	size_t i = 0, k, turned = 0;
	uint32_t cp;

	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		/* A replacement from one byte is a bad byte (a U+FFFD that
		 * was there takes three). */
		if (cp == UTF8_REPLACEMENT && k == 1)
			turned++;
		o += utf8_encode(cp, o);
		i += k;
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	if (bad != NULL)
		*bad = turned;
	return out;
}

bool
utf8_valid(const char *s, size_t n)
{
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = utf8_decode(s + i, n - i, &cp);
		if (cp == UTF8_REPLACEMENT &&
		    !(len == 3 && (unsigned char)s[i] == 0xef &&
		        (unsigned char)s[i + 1] == 0xbf &&
		        (unsigned char)s[i + 2] == 0xbd))
			return false;
		i += len;
	}
	return true;
}

size_t
utf8_fit(const char *s, size_t n, size_t cols, size_t *used)
{
	size_t i = 0, w = 0, len;
	uint32_t cp;
	int cw;

	while (i < n) {
		len = utf8_decode(s + i, n - i, &cp);
		cw = utf8_cpwidth(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += len;
	}
	if (used != NULL)
		*used = w;
	return i;
}
