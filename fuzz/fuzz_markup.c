/*
 * fuzz_markup.c - a reply line's inline Markdown on any bytes.
 *
 * Besides never crashing, it checks what markup.h promises: the line grows
 * by at most MARKUP_GROWTH bytes, every style is a MARKUP_* bit, valid
 * UTF-8 stays valid, and no byte other than a marker character is ever
 * dropped (each other byte value occurs as often in the output as in the
 * input, once the "• " of a list item is set aside) and none added.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ui/markup.h"
#include "util/utf8.h"

static int
is_marker(unsigned char c)
{
	return c != '\0' && strchr("*_`\\# -+", c) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char *out = malloc(size + MARKUP_GROWTH + 1);
	uint8_t *st = malloc(size + MARKUP_GROWTH + 1);
	size_t n, i, extra;
	long count[256] = { 0 };

	if (out == NULL || st == NULL)
		abort();
	n = markup_line(in, size, out, st);
	if (n > size + MARKUP_GROWTH)
		abort();
	for (i = 0; i < n; i++)
		if (st[i] & ~(MARKUP_STRONG | MARKUP_EMPH | MARKUP_CODE |
		                MARKUP_HEADING))
			abort();
	if (utf8_valid(in, size) && !utf8_valid(out, n))
		abort();
	for (i = 0; i < size; i++)
		count[(unsigned char)in[i]]++;
	for (i = 0; i < n; i++)
		count[(unsigned char)out[i]]--;
	/* A list item's "• " (E2 80 A2) is the one thing added. */
	extra =
	    count[0xe2] == 0 && count[0x80] == 0 && count[0xa2] == 0 ? 0 : 1;
	count[0xe2] += extra;
	count[0x80] += extra;
	count[0xa2] += extra;
	for (i = 0; i < 256; i++)
		if (count[i] < 0 ||
		    (count[i] != 0 && !is_marker((unsigned char)i)))
			abort();
	free(out);
	free(st);
	return 0;
}
