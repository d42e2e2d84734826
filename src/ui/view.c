/*
 * view.c - the conversation laid out into screen lines (see view.h).
 *
 * Owns wrapping by display width, fenced code blocks, the inline Markdown
 * of replies (drawn by ui/markup.c), the footer and
 * rating line of each reply, and the cache that lets a 10,000-line
 * conversation be drawn by looking up only the lines on screen.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/format.h"
#include "ui/markup.h"
#include "ui/view.h"
#include "util/glyph.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

size_t
view_wrap_next(const char *s, size_t n, size_t width, bool words, size_t *skip)
{
	size_t i = 0, cols = 0, brk = 0, l;
	uint32_t cp;
	int w;
	bool prev_space = false;

	*skip = 0;
	if (width == 0)
		width = 1;
	while (i < n) {
		l = utf8_decode(s + i, n - i, &cp);
		w = utf8_cpwidth(cp);
		if (cp == ' ' && words) {
			if (!prev_space)
				brk = i;
			prev_space = true;
			/* Spaces at a break are dropped, so never overflow. */
			cols += 1;
			i += l;
			if (cols > width) {
				/* Break here: skip the run of spaces. */
				while (i < n && s[i] == ' ')
					i++;
				*skip = i - brk;
				return brk;
			}
			continue;
		}
		if (cols + (size_t)w > width) {
			if (words && brk > 0) {
				size_t j = brk;

				while (j < n && s[j] == ' ')
					j++;
				*skip = j - brk;
				return brk;
			}
			if (i == 0)
				return l; /* wider than the line: alone */
			return i;
		}
		if (words && w == 2 && i > 0 && !prev_space)
			brk = i; /* a break may come before a wide char */
		prev_space = false;
		cols += w;
		i += l;
		if (words && w == 2)
			brk = i;
	}
	return n;
}

static void
block_reset(struct view_block *b)
{
	b->text_len = 0;
	b->nlines = 0;
}

/* Append n bytes to the block's text; returns their offset. */
static size_t
block_add_text(struct view_block *b, const char *p, size_t n)
{
	size_t off = b->text_len;

	if (b->text_len + n + 1 > b->text_cap) {
		b->text_cap = (b->text_len + n + 1) * 2;
		if (b->text_cap < 256)
			b->text_cap = 256;
		b->text = xrealloc(b->text, b->text_cap);
		if (b->style != NULL)
			b->style = xrealloc(b->style, b->text_cap);
	}
	if (b->style != NULL)
		memset(b->style + b->text_len, 0, n + 1);
	memcpy(b->text + b->text_len, p, n);
	b->text_len += n;
	b->text[b->text_len] = '\0';
	return off;
}

static struct view_line *
block_add_line(struct view_block *b, enum view_kind kind, size_t off,
    size_t len, int flags)
{
	struct view_line *line;

	b->lines =
	    xgrowarray(b->lines, &b->lines_cap, b->nlines + 1, sizeof *line);
	line = &b->lines[b->nlines++];
	line->off = (uint32_t)off;
	line->len = (uint32_t)len;
	line->mark = (uint32_t)len;
	line->kind = (uint8_t)kind;
	line->flags = (uint8_t)flags;
	line->indent = line->bar = 0;
	return line;
}

/*
 * A row of a table in a note (VIEW_ROW), the block's last text at off:
 * wider than width, cut with the ellipsis (after the last column that
 * fits, blanks before the mark dropped) instead of wrapped.
 */
static void
block_cut_row(struct view_block *b, size_t width, enum view_kind kind,
    size_t off, size_t len, int flags)
{
	const char *e = glyph->ellipsis;
	size_t el = strlen(e), ew = utf8_width(e, el), used = 0, fit;

	if (utf8_width(b->text + off, len) > width && width > ew) {
		fit = utf8_fit(b->text + off, len, width - ew, &used);
		while (fit > 0 && b->text[off + fit - 1] == ' ')
			fit--;
		b->text_len = off + fit;
		(void)block_add_text(b, e, el);
		len = fit + el;
	}
	block_add_line(b, kind, off, len, flags);
}

/*
 * Copy one source line (no '\n') into the block's text, cleaned: tabs
 * become spaces, control characters (a stream could carry terminal
 * escapes) and bidirectional overrides are dropped, bad UTF-8 becomes
 * U+FFFD.  Returns its offset and
 * sets *len.
 */
static size_t
block_add_clean(struct view_block *b, const char *s, size_t n, size_t *len)
{
	size_t off = b->text_len, i = 0, l, start;
	uint32_t cp;
	char enc[4];

	while (i < n) {
		start = i;
		/* Runs of plain printable ASCII are copied at once. */
		while (i < n && (unsigned char)s[i] >= 0x20 &&
		       (unsigned char)s[i] < 0x7f)
			i++;
		if (i > start)
			block_add_text(b, s + start, i - start);
		if (i >= n)
			break;
		l = utf8_decode(s + i, n - i, &cp);
		if (cp == '\t')
			block_add_text(b, "    ", VIEW_TAB_COLS);
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			;
		/* Bidirectional overrides and isolates would let a reply
		 * reorder what is seen ("Trojan Source"): dropped too. */
		else if ((cp >= 0x202a && cp <= 0x202e) ||
		         (cp >= 0x2066 && cp <= 0x2069))
			;
		else if (cp == UTF8_REPLACEMENT && l == 1)
			block_add_text(b, enc, utf8_encode(cp, enc));
		else
			block_add_text(b, s + i, l);
		i += l;
	}
	*len = b->text_len - off;
	return off;
}

/*
 * A line of a marked note (view_add_marked_note): cleaned as
 * block_add_clean does, the VIEW_MARK_ON .. VIEW_MARK_OFF spans styled
 * VIEW_MATCH and their marks gone.
 */
static size_t
block_add_marked(struct view_block *b, const char *s, size_t n, size_t *len)
{
	size_t off = b->text_len, i = 0, run, l, k;
	bool on = false;

	while (i < n) {
		for (run = i; run < n && s[run] != VIEW_MARK_ON &&
		              s[run] != VIEW_MARK_OFF;
		     run++)
			;
		k = block_add_clean(b, s + i, run - i, &l);
		if (on && l > 0) {
			if (b->style == NULL)
				b->style = xcalloc(b->text_cap, 1);
			memset(b->style + k, VIEW_MATCH, l);
		}
		if (run < n)
			on = s[run] == VIEW_MARK_ON;
		i = run + 1;
	}
	*len = b->text_len - off;
	return off;
}

/* Append n bytes of text with their styles; returns their offset. */
static size_t
block_add_styled(
    struct view_block *b, const char *text, const uint8_t *st, size_t n)
{
	size_t off = block_add_text(b, text, n);

	if (b->style == NULL)
		b->style = xcalloc(b->text_cap, 1);
	memcpy(b->style + off, st, n);
	return off;
}

/*
 * Draw the inline Markdown of the reply line at [off, off+len), the last
 * text of the block: its markers go, its bytes get their styles.  Returns
 * the line's new length.
 */
static size_t
block_markup(struct view_block *b, size_t off, size_t len)
{
	char *out = xmalloc(len + MARKUP_GROWTH + 1);
	uint8_t *st = xmalloc(len + MARKUP_GROWTH + 1);
	size_t n = markup_line(b->text + off, len, out, st), i;
	bool styled = false;

	for (i = 0; i < n && !styled; i++)
		styled = st[i] != 0;
	if (n != len || memcmp(out, b->text + off, n) != 0 || styled) {
		b->text_len = off;
		if (styled)
			block_add_styled(b, out, st, n);
		else
			block_add_text(b, out, n);
	}
	free(out);
	free(st);
	return n;
}

/* Append ch (one character) times times, styled st. */
static void
block_add_repeat(struct view_block *b, const char *ch, size_t times, uint8_t st)
{
	size_t k, l = strlen(ch), off;

	for (k = 0; k < times; k++) {
		off = block_add_text(b, ch, l);
		if (b->style == NULL)
			b->style = xcalloc(b->text_cap, 1);
		memset(b->style + off, st, l);
	}
}

/* One row of a table being laid out: its cells drawn (markup_line). */
struct table_row {
	char *text;
	uint8_t *style;
	size_t ncells;
	struct markup_cell *cells; /* into text */
	size_t *width;             /* display columns of each cell */
};

/* Clean and draw the row at s (n bytes) into r (its first
 * MARKUP_MAX_CELLS cells); returns how many cells it has. */
static size_t
table_row_draw(
    struct view_block *b, const char *s, size_t n, struct table_row *r)
{
	struct markup_cell raw[MARKUP_MAX_CELLS];
	size_t off, len, i, at = 0, count;
	char *clean;

	off = block_add_clean(b, s, n, &len);
	clean = xmalloc(len + 1);
	memcpy(clean, b->text + off, len);
	b->text_len = off;
	count = markup_table_row(clean, len, raw);
	r->ncells = count > MARKUP_MAX_CELLS ? MARKUP_MAX_CELLS : count;
	r->text = xmalloc(len + MARKUP_GROWTH * r->ncells + 1);
	r->style = xmalloc(len + MARKUP_GROWTH * r->ncells + 1);
	r->cells = xcalloc(r->ncells + 1, sizeof *r->cells);
	r->width = xcalloc(r->ncells + 1, sizeof *r->width);
	for (i = 0; i < r->ncells; i++) {
		r->cells[i].off = at;
		r->cells[i].len = markup_line(clean + raw[i].off, raw[i].len,
		    r->text + at, r->style + at);
		r->width[i] = utf8_width(r->text + at, r->cells[i].len);
		at += r->cells[i].len;
	}
	free(clean);
	return count;
}

/* A longer table is shown as its text. */
#define VIEW_TABLE_MAX_ROWS 1000

/*
 * A GitHub table at s: a header row, a delimiter row with as many cells,
 * then rows, laid out in aligned columns with the header in bold.  Returns
 * the bytes of s the table spans (0 when s does not start one).  *as_text
 * is set when those lines are to be laid out as text instead: the table is
 * wider than width, a row has more cells than the header, or it is longer
 * than VIEW_TABLE_MAX_ROWS - nothing of it is ever dropped - or, with
 * streaming, it reaches the end of s (more of it may come).
 */
static size_t
block_add_table(struct view_block *b, size_t width, const char *s, size_t n,
    bool streaming, int *flags, bool *as_text)
{
	struct markup_cell cells[MARKUP_MAX_CELLS];
	enum markup_align align[MARKUP_MAX_CELLS];
	struct table_row *rows = NULL;
	size_t nrows = 0, cap = 0, pos = 0, end, ncols = 0, i, c, total, k;
	size_t colw[MARKUP_MAX_CELLS] = { 0 }, last, at, count;
	const char *nl;
	bool table = false;

	*as_text = false;
	/* The header and the delimiter row. */
	for (k = 0; k < 2; k++) {
		nl = memchr(s + pos, '\n', n - pos);
		end = nl != NULL ? (size_t)(nl - s) : n;
		i = markup_table_row(s + pos, end - pos, cells);
		if (i == 0)
			goto out;
		if (k == 0) {
			if (nl == NULL)
				goto out; /* a header alone, so far */
			ncols = i;
		} else if (i != ncols || (ncols <= MARKUP_MAX_CELLS &&
		                             !markup_table_delimiter(
		                                 s + pos, cells, ncols, align)))
			goto out;
		pos = nl != NULL ? end + 1 : n;
	}
	table = true;
	if (ncols > MARKUP_MAX_CELLS)
		*as_text = true;
	/* The rows: the header, then from pos on until a line that is not
	 * one (all of them are the table's, drawn or not). */
	for (at = 0;;) {
		nl = memchr(s + at, '\n', n - at);
		end = nl != NULL ? (size_t)(nl - s) : n;
		count = markup_table_row(s + at, end - at, cells);
		if (count == 0)
			break;
		if (count > ncols || nrows >= VIEW_TABLE_MAX_ROWS)
			*as_text = true;
		/* Cleaned of control characters, a row may split otherwise:
		 * what counts is what would be drawn. */
		if (!*as_text) {
			rows = xgrowarray(rows, &cap, nrows + 1, sizeof *rows);
			if (table_row_draw(
			        b, s + at, end - at, &rows[nrows++]) > ncols)
				*as_text = true;
		}
		at = at == 0 ? pos : nl != NULL ? end + 1 : n;
		pos = at;
		if (at >= n)
			break;
	}
	if (streaming && pos >= n)
		*as_text = true;
	if (*as_text)
		goto out;
	for (i = 0; i < nrows; i++)
		for (c = 0; c < rows[i].ncells; c++)
			if (rows[i].width[c] > colw[c])
				colw[c] = rows[i].width[c];
	total = 3 * (ncols - 1);
	for (c = 0; c < ncols; c++)
		total += colw[c] > 0 ? colw[c] : 1;
	if (total > width) {
		*as_text = true;
		goto out;
	}
	for (i = 0; i < nrows; i++) {
		size_t off = b->text_len;

		/* The last cell with text: no blanks after it. */
		for (last = rows[i].ncells;
		     last > 0 && rows[i].width[last - 1] == 0;)
			last--;
		for (c = 0; c < last; c++) {
			size_t w = rows[i].width[c],
			       pad = (colw[c] > 0 ? colw[c] : 1) - w,
			       before = align[c] == MARKUP_RIGHT    ? pad
			                : align[c] == MARKUP_CENTRE ? pad / 2
			                                            : 0;
			const struct markup_cell *cl = &rows[i].cells[c];

			if (c > 0) {
				block_add_repeat(b, " ", 1, 0);
				block_add_repeat(
				    b, glyph->vline, 1, MARKUP_RULE);
				block_add_repeat(b, " ", 1, 0);
			}
			block_add_repeat(b, " ", before, 0);
			k = block_add_styled(b, rows[i].text + cl->off,
			    rows[i].style + cl->off, cl->len);
			if (i == 0) /* the header */
				for (; k < b->text_len; k++)
					b->style[k] |= MARKUP_STRONG;
			if (c + 1 < last)
				block_add_repeat(b, " ", pad - before, 0);
		}
		block_add_line(b, VIEW_REPLY, off, b->text_len - off, *flags);
		*flags = 0;
		if (i > 0)
			continue;
		/* The rule under the header: ────┼──── */
		off = b->text_len;
		for (c = 0; c < ncols; c++) {
			if (c > 0) {
				block_add_repeat(
				    b, glyph->hline, 1, MARKUP_RULE);
				block_add_repeat(
				    b, glyph->cross, 1, MARKUP_RULE);
				block_add_repeat(
				    b, glyph->hline, 1, MARKUP_RULE);
			}
			block_add_repeat(b, glyph->hline,
			    colw[c] > 0 ? colw[c] : 1, MARKUP_RULE);
		}
		block_add_line(b, VIEW_REPLY, off, b->text_len - off, 0);
	}
out:
	for (i = 0; i < nrows; i++) {
		free(rows[i].text);
		free(rows[i].style);
		free(rows[i].cells);
		free(rows[i].width);
	}
	free(rows);
	return table ? pos : 0;
}

/*
 * Wrap the cleaned text at [off, off+len) into lines of kind; the lines
 * after the first start hang columns in (with a quote's bar at column
 * bar - 1 when bar > 0).
 */
static void
block_wrap_at(struct view_block *b, size_t width, enum view_kind kind,
    size_t off, size_t len, bool words, int flags, size_t hang, size_t bar)
{
	size_t pos = 0, take, skip, w = width;
	struct view_line *line;

	if (len == 0) {
		block_add_line(b, kind, off, 0, flags);
		return;
	}
	while (pos < len) {
		take = view_wrap_next(
		    b->text + off + pos, len - pos, w, words, &skip);
		line = block_add_line(b, kind, off + pos, take, flags);
		if (pos > 0) {
			line->indent = (uint8_t)hang;
			line->bar = (uint8_t)bar;
		}
		flags = 0;
		pos += take + skip;
		w = width - hang;
	}
}

static void
block_wrap(struct view_block *b, size_t width, enum view_kind kind, size_t off,
    size_t len, bool words, int flags)
{
	block_wrap_at(b, width, kind, off, len, words, flags, 0, 0);
}

const char *
view_code_mark(void)
{
	return glyph == &glyph_unicode ? "↪ " : "> ";
}

/*
 * A line of code wider than the line: its continuation rows start at the
 * code block's indent (hang) with the continuation mark, so that they do
 * not read as lines of code of their own - not at the line's own indent,
 * which is the code's.  It breaks at a space when it can (the spaces at
 * the break are kept in the text, not drawn), inside a word when it must.
 * The marks are in the view's text only: the reply, which /copy gives, is
 * left whole.
 */
static void
block_wrap_code(struct view_block *b, size_t width, size_t off, size_t len,
    int flags, size_t hang)
{
	const char *mark = view_code_mark();
	size_t ml = strlen(mark), mw = utf8_width(mark, ml), pos, take, skip;
	size_t w = width, at;
	struct view_line *line;
	char *src;

	if (hang > width / 2 || hang > UINT8_MAX)
		hang = 0;
	if (utf8_width(b->text + off, len) <= width || hang + mw + 4 > width) {
		/* It fits; or the line is too narrow for marks. */
		block_wrap_at(
		    b, width, VIEW_CODE, off, len, false, flags, hang, 0);
		return;
	}
	src = xmalloc(len);
	memcpy(src, b->text + off, len);
	b->text_len = off;
	for (pos = 0; pos < len; pos += take + skip) {
		take = view_wrap_next(src + pos, len - pos, w, true, &skip);
		/* Nothing but blanks fit (an indent wider than the row): cut
		 * by characters instead, the indent kept on the first row. */
		if (take == 0 && skip < len - pos)
			take = view_wrap_next(
			    src + pos, len - pos, w, false, &skip);
		if (pos == 0) {
			at = block_add_text(b, src, take + skip);
			block_add_line(b, VIEW_CODE, at, take, flags);
			w = width - hang - mw;
			continue;
		}
		at = block_add_text(b, mark, ml);
		block_add_text(b, src + pos, take + skip);
		line = block_add_line(b, VIEW_CODE, at, ml + take, VIEW_CONT);
		line->indent = (uint8_t)hang;
		line->mark = (uint32_t)ml;
	}
	free(src);
}

/*
 * The error line under a failed reply ("✗ " and the error): its rows
 * after the first hang under the text after the mark, so that the mark
 * stands out alone.
 */
static void
block_add_error(struct view_block *b, size_t width, const char *msg)
{
	size_t hang = utf8_width(glyph->failed, strlen(glyph->failed)) + 1;
	size_t n = strlen(msg), pos = 0, end, off, len, at, take, skip;
	size_t w = width;
	struct view_line *line;
	const char *nl;
	int flags = VIEW_FIRST;

	if (hang > width / 2)
		hang = 0;
	for (;;) {
		nl = memchr(msg + pos, '\n', n - pos);
		end = nl != NULL ? (size_t)(nl - msg) : n;
		off = block_add_clean(b, msg + pos, end - pos, &len);
		at = 0;
		do {
			take = view_wrap_next(
			    b->text + off + at, len - at, w, true, &skip);
			line = block_add_line(
			    b, VIEW_ERROR, off + at, take, flags);
			if (flags == 0)
				line->indent = (uint8_t)hang;
			flags = 0;
			w = width - hang;
			at += take + skip;
		} while (at < len);
		if (nl == NULL)
			break;
		pos = end + 1;
	}
}

/*
 * A line of plain text (a note, a message of yours) or of code: its
 * continuation lines keep its own indent, and for a "- " or "* " item
 * hang after the mark, so a wrapped step of a how-to (or a long line of
 * indented code) stays in its place; at most half the width.
 */
static void
block_wrap_indented(struct view_block *b, size_t width, enum view_kind kind,
    size_t off, size_t len, bool words, int flags)
{
	const char *t = b->text + off;
	size_t hang = 0;

	while (hang < len && t[hang] == ' ')
		hang++;
	if (words && hang + 1 < len && (t[hang] == '-' || t[hang] == '*') &&
	    t[hang + 1] == ' ')
		hang += 2;
	if (hang >= len || hang > width / 2 || hang > UINT8_MAX)
		hang = 0;
	block_wrap_at(b, width, kind, off, len, words, flags, hang, 0);
}

/*
 * A reply line: its continuation lines hang under its text (a list item's
 * after its bullet, a quote's after its bar, which they repeat) while the
 * line keeps at least half the width for text.
 */
static void
block_wrap_hanging(struct view_block *b, size_t width, enum view_kind kind,
    size_t off, size_t len, int flags)
{
	size_t bar, hang = markup_hang(b->text + off,
	                b->style != NULL ? b->style + off : NULL, len, &bar);

	if (hang > width / 2 || hang > UINT8_MAX)
		hang = bar = 0;
	block_wrap_at(b, width, kind, off, len, true, flags, hang, bar);
}

/* A thematic break: three or more of '-', '*' or '_' alone (spaces
 * between allowed). */
static bool
is_rule(const char *s, size_t n)
{
	size_t i, marks = 0;
	char c = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		if (s[i] != '-' && s[i] != '*' && s[i] != '_')
			return false;
		if (c != 0 && s[i] != c)
			return false;
		c = s[i];
		marks++;
	}
	return marks >= 3;
}

/* A setext underline: up to three spaces, then "===" or "---" (three or
 * more of one), then spaces only. */
static bool
is_underline(const char *s, size_t n)
{
	size_t i = 0, marks = 0;
	char c;

	while (i < n && i < 3 && s[i] == ' ')
		i++;
	if (i >= n || (s[i] != '=' && s[i] != '-'))
		return false;
	for (c = s[i]; i < n && s[i] == c; i++)
		marks++;
	while (i < n && s[i] == ' ')
		i++;
	return i == n && marks >= 3;
}

/* Whether a reply line is a paragraph's text: not blank, not a list item,
 * quote or heading (a setext underline under it makes it a heading). */
static bool
is_paragraph_text(const char *s, size_t n)
{
	size_t i = 0, start;

	while (i < n && s[i] == ' ')
		i++;
	if (i == n || s[i] == '#' || s[i] == '>' || s[i] == '|')
		return false;
	if ((s[i] == '-' || s[i] == '*' || s[i] == '+') && i + 1 < n &&
	    s[i + 1] == ' ')
		return false;
	start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	/* "1. item", "2) item" */
	return !(i > start && i < n && (s[i] == '.' || s[i] == ')') &&
	         (i + 1 == n || s[i + 1] == ' '));
}

/*
 * Lay out text (n bytes, may hold newlines) as paragraphs of kind.  While
 * a reply streams, a table that reaches the end of the text so far is
 * still arriving: it is shown as its text until it ends (or the reply
 * does), not laid out again in other columns as each wider cell comes.
 */
static void
block_add_paragraphs(struct view_block *b, size_t width, enum view_kind kind,
    const char *s, size_t n, bool markdown, bool streaming)
{
	size_t pos = 0, end, off, len, i, took, text_until = 0, code_indent = 0;
	size_t para_off = 0, para_len = 0;
	int flags = VIEW_FIRST;
	bool in_code = false, as_text, para = false, text, row;
	const char *nl;
	size_t prose =
	    b->measure > 0 && b->measure < width ? b->measure : width;

	while (pos <= n) {
		if (markdown && !in_code && pos < n && pos >= text_until &&
		    (took = block_add_table(b, width, s + pos, n - pos,
		         streaming, &flags, &as_text)) > 0) {
			if (as_text) {
				/* Its lines as text, not looked at again. */
				text_until = pos + took;
			} else {
				pos += took;
				/* After a last '\n', an empty line, as text. */
				if (pos >= n && s[pos - 1] != '\n')
					break;
				continue;
			}
		}
		nl = memchr(s + pos, '\n', n - pos);
		end = nl != NULL ? (size_t)(nl - s) : n;
		row = !markdown && pos < end && s[pos] == VIEW_ROW;
		off = b->marked ? block_add_marked(b, s + pos, end - pos, &len)
		                : block_add_clean(b, s + pos, end - pos, &len);
		i = 0;
		while (i < len && b->text[off + i] == ' ')
			i++;
		text = false;
		if (markdown && len - i >= 3 &&
		    memcmp(b->text + off + i, "```", 3) == 0) {
			in_code = !in_code;
			code_indent = i;
			block_wrap(
			    b, width, VIEW_FENCE, off, len, false, flags);
		} else if (in_code)
			block_wrap_code(b, width, off, len, flags, code_indent);
		else if (markdown && para && is_underline(b->text + off, len)) {
			/* "Title" then "=====" (or "-----"): the title is a
			 * heading, the underline goes. */
			if (b->style == NULL)
				b->style = xcalloc(b->text_cap, 1);
			for (i = 0; i < para_len; i++)
				b->style[para_off + i] |= MARKUP_HEADING;
			b->text_len = off;
		} else if (markdown && is_rule(b->text + off, len)) {
			/* "---": a rule across the line, drawn by the screen
			 * (no text: a reply of rules costs no more to keep). */
			b->text_len = off;
			block_add_line(b, VIEW_RULE, off, 0, flags);
		} else {
			if (markdown) {
				text = is_paragraph_text(b->text + off, len);
				len = block_markup(b, off, len);
				para_off = off;
				para_len = len;
				block_wrap_hanging(
				    b, prose, kind, off, len, flags);
			} else if (row)
				block_cut_row(b, width, kind, off, len, flags);
			else
				block_wrap_indented(
				    b, prose, kind, off, len, true, flags);
		}
		para = text;
		flags = 0;
		if (nl == NULL)
			break;
		pos = end + 1;
	}
}

/*
 * The footer breaks between its " · " fields when it is wider than the
 * line, so that "160 tok/s" never ends up as "160" and "tok/s".  A line
 * broken there ends with the separator ("$0.00042 ·"), when it fits, so
 * that it reads as going on; the next line starts with the next field,
 * never with a separator.
 */
static void
block_wrap_footer(struct view_block *b, size_t width, size_t off, size_t len)
{
	const char *sep = glyph->sep;
	size_t seplen = strlen(sep), start = 0, end, pos, w, tail;
	const char *t, *hit;
	int flags = VIEW_FIRST;

	/* The separator without its trailing blanks: " ·". */
	tail = seplen;
	while (tail > 0 && sep[tail - 1] == ' ')
		tail--;
	while (start < len) {
		/* Take fields while they fit. */
		end = start;
		pos = start;
		for (;;) {
			t = b->text + off;
			hit = memmem(t + pos, len - pos, sep, seplen);
			pos = hit != NULL ? (size_t)(hit - t) : len;
			w = utf8_width(t + start, pos - start);
			if (w > width && end > start)
				break;
			end = pos;
			if (w > width || hit == NULL)
				break;
			pos += seplen;
		}
		if (utf8_width(b->text + off + start, end - start) > width) {
			/* One field wider than the line: broken before its
			 * "(first token ...)" first, so that the figure and
			 * its unit stay together; then wrapped as text. */
			const char *f = b->text + off + start;
			const char *paren = memmem(f, end - start, " (", 2);
			size_t head = paren != NULL ? (size_t)(paren - f) : 0;

			if (head > 0 && utf8_width(f, head) <= width) {
				block_add_line(
				    b, VIEW_FOOTER, off + start, head, flags);
				block_wrap(b, width, VIEW_FOOTER,
				    off + start + head + 1,
				    end - start - head - 1, true, 0);
			} else
				block_wrap(b, width, VIEW_FOOTER, off + start,
				    end - start, true, flags);
		} else if (end < len && utf8_width(b->text + off + start,
		                            end - start + tail) <= width)
			block_add_line(b, VIEW_FOOTER, off + start,
			    end - start + tail, flags);
		else
			block_add_line(
			    b, VIEW_FOOTER, off + start, end - start, flags);
		flags = 0;
		start = end;
		/* At a break (end is where a separator starts), the
		 * separator is at the end of the line above or dropped. */
		if (start < len && start + seplen <= len &&
		    memcmp(b->text + off + start, sep, seplen) == 0)
			start += seplen;
		while (start < len && b->text[off + start] == ' ')
			start++;
	}
}

static void
block_layout_exchange(struct view_block *b, size_t width,
    const struct app_exchange *ex, const char *hint)
{
	char footer[512], rating[64];
	size_t off, len, first, i, full;
	struct view_line *line;
	int r;

	block_reset(b);
	b->version = ex->version;
	/* Its message, error and footer lines are prose: at the reading
	 * width (block_add_paragraphs gives code and tables the whole). */
	full = width;
	if (b->measure > 0 && b->measure < width)
		width = b->measure;
	if (ex->shares_message && ex->prompt != NULL) {
		/* The message is on screen above, with its first answer (or
		 * its refusal, when it was not sent then): one row says which
		 * was asked again, or answered now (a long paste is not drawn
		 * twice), with no "you" (it is not a new message). */
		const char *again =
		    ex->reask ? "asked again: " : "in reply to: ";
		size_t n = strcspn(ex->prompt, "\n"), l, used, ew;

		off = block_add_text(b, again, strlen(again));
		block_add_clean(b, ex->prompt, n, &l);
		l += strlen(again);
		ew = utf8_width(glyph->ellipsis, strlen(glyph->ellipsis));
		if (width > ew + 1 && (utf8_width(b->text + off, l) > width ||
		                          ex->prompt[n] != '\0')) {
			l = utf8_fit(b->text + off, l, width - ew, &used);
			/* The mark right after the last word kept. */
			while (l > 0 && b->text[off + l - 1] == ' ')
				l--;
			b->text_len = off + l;
			block_add_text(
			    b, glyph->ellipsis, strlen(glyph->ellipsis));
			l = b->text_len - off;
		}
		block_add_line(b, VIEW_PROMPT, off, l, 0);
	} else
		block_add_paragraphs(b, full, VIEW_PROMPT, ex->prompt,
		    ex->prompt != NULL ? strlen(ex->prompt) : 0, false, false);
	if (ex->reply != NULL && ex->reply_len > 0) {
		/* Blank lines at a finished reply's end are not drawn (while
		 * it streams they may be a paragraph's start). */
		size_t rl = ex->reply_len, skip = 0, tl;
		bool closed;
		const char *think =
		    format_think_block(ex->reply, rl, &tl, &skip, &closed);

		/* Unclosed once finished: text that merely starts so. */
		if (think != NULL && !closed && ex->state != REPLY_STREAMING) {
			think = NULL;
			skip = 0;
		}

		/* A reasoning model's <think> block (local models through
		 * Ollama): drawn dim and apart, without its tags. */
		if (think != NULL) {
			block_add_paragraphs(b, full, VIEW_THINK,
			    "thinking:", strlen("thinking:"), false, false);
			if (tl > 0)
				block_add_paragraphs(b, full, VIEW_THINK, think,
				    tl, false, false);
		}

		while (
		    ex->state != REPLY_STREAMING && rl > 0 &&
		    (ex->reply[rl - 1] == '\n' || ex->reply[rl - 1] == '\r' ||
		        ex->reply[rl - 1] == ' ' || ex->reply[rl - 1] == '\t'))
			rl--;
		if (rl > skip)
			block_add_paragraphs(b, full, VIEW_REPLY,
			    ex->reply + skip, rl - skip, true,
			    ex->state == REPLY_STREAMING);
	}
	if (ex->state == REPLY_ERROR || ex->error != NULL) {
		char *msg = xasprintf("%s %s", glyph->failed,
		    ex->error != NULL ? ex->error : "the reply failed");

		block_add_error(b, width, msg);
		free(msg);
		/* A model was asked and failed: another one may answer -
		 * unless the router's table had no other candidate (or only
		 * ones behind the same refused key). */
		if ((ex->state == REPLY_ERROR ||
		        ex->state == REPLY_CANCELLED) &&
		    ex->model != NULL && hint != NULL && ex->other_can_answer)
			block_add_paragraphs(b, full, VIEW_FOOTER, hint,
			    strlen(hint), false, false);
	} else if (ex->state == REPLY_CANCELLED)
		block_add_paragraphs(b, full, VIEW_ERROR,
		    "cancelled (the text so far is kept)",
		    strlen("cancelled (the text so far is kept)"), false,
		    false);
	format_footer(glyph, ex, footer, sizeof footer);
	/* Refused before it was sent: no model was asked, nothing timed or
	 * spent; the error line says it all (as when resumed). */
	if (ex->not_sent)
		footer[0] = '\0';
	if (footer[0] == '\0' && (ex->state == REPLY_PENDING))
		snprintf(footer, sizeof footer, "routing %s", glyph->ellipsis);
	if ((ex->pinned || ex->reask) && ex->model != NULL) {
		/*
		 * "mid (pinned) · $0.0004 · ...": the mark stays with the
		 * model's name when the footer wraps.
		 */
		size_t ml = strlen(ex->model), fl = strlen(footer);
		const char *mark = ex->pinned ? " (pinned)" : " (re-ask)";

		if (strncmp(footer, ex->model, ml) == 0 &&
		    fl + strlen(mark) + 1 < sizeof footer) {
			memmove(footer + ml + strlen(mark), footer + ml,
			    fl - ml + 1);
			memcpy(footer + ml, mark, strlen(mark));
		}
	}
	rating[0] = '\0';
	if (ex->rating >= 1 && ex->rating <= 5) {
		len = 0;
		for (r = 1; r <= 5; r++)
			len += (size_t)snprintf(rating + len,
			    sizeof rating - len, "%s",
			    r <= ex->rating ? glyph->star_on : glyph->star_off);
		snprintf(
		    rating + len, sizeof rating - len, " %d/5", ex->rating);
	}
	if (footer[0] != '\0') {
		off = block_add_clean(b, footer, strlen(footer), &len);
		first = b->nlines;
		block_wrap_footer(b, width, off, len);
		if (rating[0] != '\0') {
			line = &b->lines[b->nlines - 1];
			i = utf8_width(b->text + line->off, line->len);
			if (i + utf8_width(glyph->sep, strlen(glyph->sep)) +
			        utf8_width(rating, strlen(rating)) <=
			    width) {
				block_add_text(
				    b, glyph->sep, strlen(glyph->sep));
				line->mark =
				    line->len + (uint32_t)strlen(glyph->sep);
				block_add_text(b, rating, strlen(rating));
				line->len = (uint32_t)(b->text_len - line->off);
			} else {
				/* On a line of its own, the separator at the
				 * end of the line above when it fits there
				 * (as the footer's other breaks). */
				size_t tail = strlen(glyph->sep);

				while (tail > 0 && glyph->sep[tail - 1] == ' ')
					tail--;
				if (line->off + line->len == b->text_len &&
				    i + utf8_width(glyph->sep, tail) <= width) {
					block_add_text(b, glyph->sep, tail);
					line->len += (uint32_t)tail;
				}
				off = block_add_text(b, rating, strlen(rating));
				line = block_add_line(
				    b, VIEW_FOOTER, off, strlen(rating), 0);
				line->mark = 0;
			}
		}
		(void)first;
	}
	block_add_line(b, VIEW_BLANK, b->text_len, 0, 0);
}

static void
block_layout_note(struct view_block *b, size_t width)
{
	const char *src = b->source;

	/* Written in both sets of marks: the one in use. */
	if (b->alt != NULL && b->alt_ascii == (glyph != &glyph_unicode))
		src = b->alt;
	block_reset(b);
	block_add_paragraphs(
	    b, width, b->note_kind, src, strlen(src), false, false);
	block_add_line(b, VIEW_BLANK, b->text_len, 0, 0);
}

void
view_init(struct view *v, size_t width)
{
	memset(v, 0, sizeof *v);
	v->width = width > 0 ? width : 1;
}

void
view_clear(struct view *v)
{
	size_t i;

	for (i = 0; i < v->nblocks; i++) {
		free(v->blocks[i].source);
		free(v->blocks[i].alt);
		free(v->blocks[i].text);
		free(v->blocks[i].style);
		free(v->blocks[i].lines);
	}
	v->nblocks = 0;
	v->nexchanges = 0;
	v->total = 0;
	v->dirty = true;
}

void
view_release(struct view *v)
{
	view_clear(v);
	free(v->blocks);
	free(v->by_exchange);
	free(v->starts);
	free(v->error_hint);
	memset(v, 0, sizeof *v);
}

static struct view_block *
view_new_block(struct view *v)
{
	struct view_block *b;

	v->blocks = xgrowarray(v->blocks, &v->cap, v->nblocks + 1, sizeof *b);
	b = &v->blocks[v->nblocks++];
	memset(b, 0, sizeof *b);
	v->dirty = true;
	return b;
}

void
view_relayout(struct view *v)
{
	size_t i;

	for (i = 0; i < v->nblocks; i++)
		if (!v->blocks[i].note)
			v->blocks[i].version = UINT64_MAX;
		else if (v->blocks[i].alt != NULL) {
			/* Now in the other set's marks (or back). */
			v->total -= v->blocks[i].nlines;
			block_layout_note(&v->blocks[i], v->width);
			v->total += v->blocks[i].nlines;
		}
	v->dirty = true;
}

void
view_set_error_hint(struct view *v, const char *hint)
{
	free(v->error_hint);
	v->error_hint = hint != NULL ? xstrdup(hint) : NULL;
	view_relayout(v);
}

void
view_set_width(struct view *v, size_t width)
{
	size_t i;

	if (width == 0)
		width = 1;
	if (width == v->width)
		return;
	v->width = width;
	/* Exchanges are laid out again by the next view_sync. */
	for (i = 0; i < v->nblocks; i++) {
		if (v->blocks[i].note) {
			v->total -= v->blocks[i].nlines;
			v->blocks[i].measure = v->measure;
			block_layout_note(&v->blocks[i], width);
			v->total += v->blocks[i].nlines;
		} else
			v->blocks[i].version = UINT64_MAX;
	}
	v->dirty = true;
}

void
view_set_measure(struct view *v, size_t measure)
{
	size_t width = v->width;

	if (measure == v->measure)
		return;
	v->measure = measure;
	/* view_set_width lays out everything again when the width moves. */
	v->width = 0;
	view_set_width(v, width);
}

size_t
view_text_width(const struct view *v)
{
	return v->measure > 0 && v->measure < v->width ? v->measure : v->width;
}

bool
view_sync(struct view *v, size_t index, const struct app_exchange *ex)
{
	struct view_block *b;

	if (ex == NULL || index > v->nexchanges)
		return false;
	if (index == v->nexchanges) {
		b = view_new_block(v);
		b->index = index;
		b->version = UINT64_MAX;
		v->by_exchange = xreallocarray(
		    v->by_exchange, index + 1, sizeof *v->by_exchange);
		v->by_exchange[index] = v->nblocks - 1;
		v->nexchanges++;
	} else
		b = &v->blocks[v->by_exchange[index]];
	if (b->version == ex->version && b->nlines > 0)
		return false;
	v->total -= b->nlines;
	b->measure = v->measure;
	block_layout_exchange(b, v->width, ex, v->error_hint);
	v->total += b->nlines;
	v->dirty = true;
	return true;
}

static void
add_note(struct view *v, enum view_kind kind, const char *text, bool marked)
{
	struct view_block *b = view_new_block(v);

	b->note = true;
	b->marked = marked;
	b->note_kind = kind;
	b->source = xstrdup(text);
	b->measure = v->measure;
	block_layout_note(b, v->width);
	v->total += b->nlines;
}

void
view_add_note(struct view *v, enum view_kind kind, const char *text)
{
	add_note(v, kind, text, false);
}

void
view_add_marked_note(struct view *v, enum view_kind kind, const char *text)
{
	add_note(v, kind, text, true);
}

void
view_note_alt(struct view *v, const char *text, bool ascii)
{
	struct view_block *b;

	if (v->nblocks == 0 || !(b = &v->blocks[v->nblocks - 1])->note)
		return;
	free(b->alt);
	b->alt = xstrdup(text);
	b->alt_ascii = ascii;
}

static void
view_update_starts(struct view *v)
{
	size_t i, at = 0;

	if (!v->dirty)
		return;
	if (v->starts_cap < v->nblocks + 1) {
		v->starts_cap = (v->nblocks + 1) * 2;
		v->starts =
		    xreallocarray(v->starts, v->starts_cap, sizeof *v->starts);
	}
	for (i = 0; i < v->nblocks; i++) {
		v->starts[i] = at;
		at += v->blocks[i].nlines;
	}
	v->starts[v->nblocks] = at;
	v->total = at;
	v->dirty = false;
}

size_t
view_total(struct view *v)
{
	view_update_starts(v);
	return v->total;
}

const struct view_line *
view_line(struct view *v, size_t i, const char **text,
    const struct view_block **block)
{
	size_t lo = 0, hi, mid;
	const struct view_block *b;
	const struct view_line *line;

	view_update_starts(v);
	if (i >= v->total || v->nblocks == 0)
		return NULL;
	/* The last block whose start is <= i. */
	hi = v->nblocks;
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (v->starts[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	while (lo + 1 < v->nblocks && v->starts[lo + 1] <= i)
		lo++; /* skip empty blocks */
	b = &v->blocks[lo];
	line = &b->lines[i - v->starts[lo]];
	if (text != NULL)
		*text = b->text != NULL ? b->text + line->off : "";
	if (block != NULL)
		*block = b;
	return line;
}

size_t
view_exchange_line(struct view *v, size_t index)
{
	view_update_starts(v);
	if (index >= v->nexchanges)
		return v->total;
	return v->starts[v->by_exchange[index]];
}

size_t
view_exchange_end(struct view *v, size_t index)
{
	view_update_starts(v);
	if (index >= v->nexchanges)
		return v->total;
	return v->starts[v->by_exchange[index] + 1];
}

bool
view_line_pos(struct view *v, size_t i, size_t *block, size_t *off)
{
	const struct view_block *b;
	const struct view_line *line = view_line(v, i, NULL, &b);
	size_t k, marks = 0;

	if (line == NULL)
		return false;
	*block = (size_t)(b - v->blocks);
	/* The continuation marks before it depend on the width: not
	 * counted, so that the byte is the same at any width. */
	for (k = 0; &b->lines[k] != line; k++)
		if (b->lines[k].flags & VIEW_CONT)
			marks += b->lines[k].mark;
	*off = line->off - marks;
	return true;
}

size_t
view_line_at(struct view *v, size_t block, size_t off)
{
	const struct view_block *b;
	size_t k, marks = 0;

	view_update_starts(v);
	if (block >= v->nblocks)
		return v->total;
	b = &v->blocks[block];
	/* The last line of the block that starts at or before off (off
	 * not counting the continuation marks, as view_line_pos). */
	for (k = 0; k + 1 < b->nlines; k++) {
		if (b->lines[k].flags & VIEW_CONT)
			marks += b->lines[k].mark;
		if (b->lines[k + 1].off - marks > off)
			break;
	}
	return v->starts[block] + k;
}
