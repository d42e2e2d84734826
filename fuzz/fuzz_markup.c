/*
 * fuzz_markup.c - a reply line's inline Markdown on any bytes.
 *
 * Besides never crashing, it checks what markup.h promises: the line grows
 * by at most MARKUP_GROWTH bytes, every style is a MARKUP_* bit, valid
 * UTF-8 stays valid, and no byte other than a marker character is ever
 * dropped (each other byte value occurs as often in the output as in the
 * input, once the "• " of a list item and the "▎ " of a quote are set
 * aside) and none added.  The
 * same bytes as a table row stay within their cells' bounds, and as a
 * whole reply laid out by the view (tables included) no line is wider
 * than the view.  The same holds with the ASCII marks (util/glyph.h),
 * where a quote's bar is "| " and a list item's "* ".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ui/markup.h"
#include "ui/view.h"
#include "util/glyph.h"
#include "util/utf8.h"

static int
is_marker(unsigned char c)
{
	return c != '\0' && strchr("*_`\\# -+>[]", c) != NULL;
}

static void
check_table(const char *in, size_t size)
{
	struct markup_cell cells[MARKUP_MAX_CELLS];
	enum markup_align align[MARKUP_MAX_CELLS];
	size_t n = markup_table_row(in, size, cells), i;

	if (n > size)
		abort(); /* every cell takes a byte at least (its '|') */
	if (n > MARKUP_MAX_CELLS)
		n = MARKUP_MAX_CELLS; /* only these are filled in */
	for (i = 0; i < n; i++)
		if (cells[i].off > size || cells[i].len > size - cells[i].off)
			abort();
	if (markup_table_delimiter(in, cells, n, align))
		for (i = 0; i < n; i++)
			if (align[i] != MARKUP_LEFT &&
			    align[i] != MARKUP_RIGHT &&
			    align[i] != MARKUP_CENTRE)
				abort();
}

static void
check_view(const char *in, size_t size)
{
	struct app_exchange ex;
	struct view v;
	const struct view_line *l;
	const char *text;
	char prompt[] = "fuzz", *reply = malloc(size + 1);
	size_t width = size > 0 ? 4 + (unsigned char)in[0] % 60 : 10, i;

	if (reply == NULL)
		abort();
	memcpy(reply, in, size);
	reply[size] = '\0';
	memset(&ex, 0, sizeof ex);
	ex.prompt = prompt;
	ex.reply = reply;
	ex.reply_len = size;
	ex.state = REPLY_DONE;
	ex.winner = -1;
	ex.version = 1;
	view_init(&v, width);
	view_sync(&v, 0, &ex);
	for (i = 0; i < view_total(&v); i++) {
		l = view_line(&v, i, &text, NULL);
		if (l->kind == VIEW_REPLY &&
		    l->indent + utf8_width(text, l->len) > width)
			abort();
	}
	view_release(&v);
	free(reply);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char *out = malloc(size + MARKUP_GROWTH + 1);
	uint8_t *st = malloc(size + MARKUP_GROWTH + 1);
	size_t n, i;
	long count[256] = { 0 }, nb, nq;

	if (out == NULL || st == NULL)
		abort();
	n = markup_line(in, size, out, st);
	if (n > size + MARKUP_GROWTH)
		abort();
	for (i = 0; i < n; i++)
		if (st[i] & ~(MARKUP_STRONG | MARKUP_EMPH | MARKUP_CODE |
		                MARKUP_HEADING | MARKUP_LINK | MARKUP_URL |
		                MARKUP_MARK))
			abort();
	if (utf8_valid(in, size) && !utf8_valid(out, n))
		abort();
	check_table(in, size);
	check_view(in, size);
	for (i = 0; i < size; i++)
		count[(unsigned char)in[i]]++;
	for (i = 0; i < n; i++)
		count[(unsigned char)out[i]]--;
	/* What may be added: a list item's "• " (E2 80 A2) and a quote's
	 * "▎ " (E2 96 8E), once each. */
	nb = -count[0xa2];
	nq = -count[0x8e];
	if (nb < 0 || nb > 1 || nq < 0 || nq > 1)
		abort();
	count[0xe2] += nb + nq;
	count[0x80] += nb;
	count[0xa2] += nb;
	count[0x96] += nq;
	count[0x8e] += nq;
	/* Spaces come and go: ">quote" is drawn "▎ quote", "[a](u)" is
	 * drawn "a (u)". */
	count[' '] = 0;
	for (i = 0; i < 256; i++)
		if (count[i] < 0 ||
		    (count[i] != 0 && !is_marker((unsigned char)i)))
			abort();
	/* The ASCII marks: one '|' (a quote's bar) and one '*' (a list
	 * item's) may be added; the view keeps its width. */
	glyph_use(GLYPHS_ASCII);
	n = markup_line(in, size, out, st);
	if (n > size + MARKUP_GROWTH)
		abort();
	if (utf8_valid(in, size) && !utf8_valid(out, n))
		abort();
	memset(count, 0, sizeof count);
	for (i = 0; i < size; i++)
		count[(unsigned char)in[i]]++;
	for (i = 0; i < n; i++)
		count[(unsigned char)out[i]]--;
	if (count['|'] < -1 || count['*'] < -1)
		abort();
	count['|'] = 0;
	if (count['*'] < 0)
		count['*'] = 0;
	count[' '] = 0;
	for (i = 0; i < 256; i++)
		if (count[i] < 0 ||
		    (count[i] != 0 && !is_marker((unsigned char)i)))
			abort();
	check_view(in, size);
	glyph_use(GLYPHS_UNICODE);
	free(out);
	free(st);
	return 0;
}
