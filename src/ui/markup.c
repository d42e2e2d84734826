/*
 * markup.c - the inline Markdown of a reply line (see markup.h).
 *
 * One pass over the line with a recursive step for the text between a
 * pair of markers.  Looking for the partner of a marker is a scan to the
 * end of the text in hand; a scan that failed is remembered for that kind
 * of marker, so that a line of a thousand lone asterisks costs one scan,
 * not a thousand, and nesting is bounded: the work is linear in the line.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "ui/markup.h"
#include "util/glyph.h"

/* Pairs nested deeper than this are drawn as text. */
#define MARKUP_DEPTH 8
/* Backtick runs longer than this are text (no one writes them). */
#define MARKUP_TICKS 16

struct markup {
	const char *in;
	char *out;
	uint8_t *style;
	size_t len; /* bytes written */
};

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool
is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (unsigned char)c >= 0x80;
}

static void
emit(struct markup *m, const char *s, size_t n, uint8_t st)
{
	memcpy(m->out + m->len, s, n);
	memset(m->style + m->len, st, n);
	m->len += n;
}

static size_t
run_length(const char *s, size_t from, size_t end, char c)
{
	size_t i = from;

	while (i < end && s[i] == c)
		i++;
	return i - from;
}

/* The closing run of exactly k backticks in [from, end), or end. */
static size_t
find_ticks(const char *s, size_t from, size_t end, size_t k)
{
	size_t q = from, r;

	while (q < end) {
		if (s[q] != '`') {
			q++;
			continue;
		}
		r = run_length(s, q, end, '`');
		if (r == k)
			return q;
		q += r;
	}
	return end;
}

/* Slots of the memo of failed searches: '*' runs of 1..3, '_' runs of
 * 1..3, then backtick runs of 1..MARKUP_TICKS. */
#define MEMO_TICKS 6
#define MEMO_SLOTS (MEMO_TICKS + MARKUP_TICKS + 1)

/*
 * The closing run of k backticks for a run at p, within [p + k, end), or
 * end - remembering a failure in memo (a later run of k has no partner
 * either).
 */
static size_t
ticks_partner(const char *s, size_t p, size_t end, size_t k, size_t *memo)
{
	size_t q;

	if (k > MARKUP_TICKS || p >= memo[MEMO_TICKS + k])
		return end;
	q = find_ticks(s, p + k, end, k);
	if (q == end)
		memo[MEMO_TICKS + k] = p;
	return q;
}

/*
 * The closing run of k markers c for an opener ending at from, within
 * [from, end): a run of at least k that starts after a non-space (and, for
 * '_', is not followed by a letter or digit), not escaped and not inside
 * `code`.  Returns where its last k markers begin (a longer run keeps its
 * first markers inside, "*a **b***"), or end when there is none.
 */
static size_t
find_closer(
    const char *s, size_t from, size_t end, char c, size_t k, size_t *memo)
{
	size_t q = from, r, t;

	while (q < end) {
		if (s[q] == '\\' && q + 1 < end) {
			q += 2;
			continue;
		}
		if (s[q] == '`') {
			r = run_length(s, q, end, '`');
			t = ticks_partner(s, q, end, r, memo);
			q = t < end ? t + r : q + r;
			continue;
		}
		if (s[q] != c) {
			q++;
			continue;
		}
		r = run_length(s, q, end, c);
		if (r >= k && q > from && !is_space(s[q - 1]) &&
		    (c != '_' || q + r >= end || !is_alnum(s[q + r])))
			return q + r - k;
		q += r;
	}
	return end;
}

static bool
is_escapable(char c)
{
	return c != '\0' && strchr("\\`*_#+-.!()[]{}<>|~", c) != NULL;
}

/*
 * Draw [from, end) of the line with style st added, depth pairs deep.
 * no_pair[] remembers, per kind of marker, the first position from which
 * no partner exists before end (a later opener of that kind has none
 * either); it starts at end + 1 (unknown).
 */
static void
render(struct markup *m, size_t from, size_t end, uint8_t st, int depth)
{
	const char *s = m->in;
	size_t p = from, k, q, a, b;
	size_t no_pair[MEMO_SLOTS];
	size_t i, slot;
	/* Links: the first ']' after the last '[' looked at (so after any
	 * '[' before it too), and the stretch [url_from, url_stop] from which
	 * a destination runs into a space or the end before any ')'. */
	size_t close_at = from, url_from = end + 1, url_stop = end + 1;

	for (i = 0; i < sizeof no_pair / sizeof no_pair[0]; i++)
		no_pair[i] = end + 1;
	while (p < end) {
		char c = s[p];

		if (c == '[' && depth < MARKUP_DEPTH) {
			/* [text](url): the text drawn as a link, then (url). */
			size_t u, v;

			if (p >= close_at) {
				for (q = p + 1; q < end && s[q] != ']'; q++)
					if (s[q] == '\\' && q + 1 < end)
						q++;
				close_at = q < end ? q : end;
			}
			q = close_at;
			u = q + 2;
			v = u;
			if (q + 1 < end && s[q + 1] == '(' &&
			    !(u >= url_from && u <= url_stop)) {
				while (
				    v < end && s[v] != ')' && !is_space(s[v]))
					v++;
				if (v >= end || s[v] != ')') {
					url_from = u;
					url_stop = v;
				}
			}
			if (q + 1 < end && s[q + 1] == '(' && v < end &&
			    s[v] == ')' && v > u && q > p + 1) {
				render(m, p + 1, q, (uint8_t)(st | MARKUP_LINK),
				    depth + 1);
				emit(m, " (", 2, (uint8_t)(st | MARKUP_URL));
				emit(m, s + u, v - u,
				    (uint8_t)(st | MARKUP_URL));
				emit(m, ")", 1, (uint8_t)(st | MARKUP_URL));
				p = v + 1;
				close_at = p;
				continue;
			}
			emit(m, s + p, 1, st);
			p++;
			continue;
		}

		if (c == '\\' && p + 1 < end && is_escapable(s[p + 1])) {
			emit(m, s + p + 1, 1, st);
			p += 2;
			continue;
		}
		if (c == '`') {
			k = run_length(s, p, end, '`');
			q = ticks_partner(s, p, end, k, no_pair);
			if (q == end) {
				emit(m, s + p, k, st);
				p += k;
				continue;
			}
			/* "`` `x` ``": one space either side is padding. */
			a = p + k;
			b = q;
			if (b - a >= 2 && s[a] == ' ' && s[b - 1] == ' ' &&
			    run_length(s, a, b, ' ') != b - a) {
				a++;
				b--;
			}
			emit(m, s + a, b - a, (uint8_t)(st | MARKUP_CODE));
			p = q + k;
			continue;
		}
		if (c == '*' || c == '_') {
			size_t run = run_length(s, p, end, c);
			bool left_ok;

			k = run > 3 ? 3 : run;
			slot = (c == '*' ? 0 : 3) + k - 1;
			/* An opener: followed by a non-space; for '_', not
			 * inside a word. */
			left_ok = p + run < end && !is_space(s[p + run]) &&
			          (c == '*' || p == 0 || !is_alnum(s[p - 1]));
			if (run > 3 || !left_ok || depth >= MARKUP_DEPTH ||
			    p >= no_pair[slot]) {
				emit(m, s + p, run, st);
				p += run;
				continue;
			}
			q = find_closer(s, p + k, end, c, k, no_pair);
			if (q == end) {
				no_pair[slot] = p;
				emit(m, s + p, run, st);
				p += run;
				continue;
			}
			render(m, p + k, q,
			    (uint8_t)(st | (k >= 2 ? MARKUP_STRONG : 0) |
			              (k != 2 ? MARKUP_EMPH : 0)),
			    depth + 1);
			p = q + k;
			continue;
		}
		/* Plain text up to the next character that may be markup. */
		q = p + 1;
		while (q < end && s[q] != '\\' && s[q] != '`' && s[q] != '*' &&
		       s[q] != '_' && s[q] != '[')
			q++;
		emit(m, s + p, q - p, st);
		p = q;
	}
}

size_t
markup_line(const char *in, size_t n, char *out, uint8_t *style)
{
	struct markup m = { in, out, style, 0 };
	size_t p = 0, h;
	uint8_t st = 0;

	while (p < n && in[p] == ' ')
		p++;
	emit(&m, in, p, 0);
	/* "> quote": a bar, and the rest emphasised. */
	if (p <= 3 && p < n && in[p] == '>') {
		emit(&m, glyph->quote, strlen(glyph->quote), MARKUP_MARK);
		emit(&m, " ", 1, MARKUP_MARK);
		p++;
		if (p < n && in[p] == ' ')
			p++;
		st = MARKUP_EMPH;
		h = p;
		while (p < n && in[p] == ' ')
			p++;
		emit(&m, in + h, p - h, st);
	}
	/* "# Title" .. "###### Title" (at most three spaces before). */
	h = run_length(in, p, n, '#');
	if (h >= 1 && h <= 6 && p + h < n && in[p + h] == ' ') {
		p += h;
		while (p < n && in[p] == ' ')
			p++;
		st |= MARKUP_HEADING;
	} else if (p + 1 < n &&
	           (in[p] == '-' || in[p] == '*' || in[p] == '+') &&
	           in[p + 1] == ' ' &&
	           run_length(in, p + 2, n, ' ') < n - p - 2) {
		/* A list item (not "- - -", a rule, nor a lone "- "). */
		size_t j = p + 2;
		bool rule = true;

		for (; j < n; j++)
			if (in[j] != in[p] && in[j] != ' ')
				rule = false;
		if (!rule) {
			emit(&m, glyph->bullet, strlen(glyph->bullet),
			    st | MARKUP_MARK);
			emit(&m, " ", 1, st | MARKUP_MARK);
			p += 2;
		}
	}
	render(&m, p, n, st, 0);
	return m.len;
}

/* Whether s (at p, n bytes) starts with mark + " " drawn as a mark. */
static bool
starts_mark(
    const char *s, const uint8_t *style, size_t p, size_t n, const char *mark)
{
	size_t k = strlen(mark);

	return style != NULL && n - p > k && (style[p] & MARKUP_MARK) &&
	       memcmp(s + p, mark, k) == 0 && s[p + k] == ' ';
}

size_t
markup_hang(const char *s, const uint8_t *style, size_t n, size_t *bar)
{
	size_t p = 0, cols, d;

	*bar = 0;
	while (p < n && s[p] == ' ')
		p++;
	cols = p;
	if (starts_mark(s, style, p, n, glyph->quote)) {
		*bar = cols + 1;
		p += strlen(glyph->quote) + 1;
		cols += 2;
	}
	if (starts_mark(s, style, p, n, glyph->bullet))
		return cols + 2;
	/* "1. " .. "999) " */
	for (d = 0; p + d < n && d < 3 && s[p + d] >= '0' && s[p + d] <= '9';)
		d++;
	if (d > 0 && p + d + 1 < n && (s[p + d] == '.' || s[p + d] == ')') &&
	    s[p + d + 1] == ' ')
		return cols + d + 2;
	return cols;
}

size_t
markup_table_row(const char *s, size_t n, struct markup_cell *cells)
{
	size_t p = 0, start, end, ncells = 0, k, q, i;
	size_t memo[MEMO_SLOTS];

	for (i = 0; i < MEMO_SLOTS; i++)
		memo[i] = n + 1;
	while (p < n && s[p] == ' ')
		p++;
	if (p > 3 || p >= n || s[p] != '|')
		return 0;
	p++;
	while (p < n) {
		start = p;
		/* To the next '|' outside `code`, not after a backslash. */
		while (p < n && s[p] != '|') {
			if (s[p] == '\\' && p + 1 < n)
				p += 2;
			else if (s[p] == '`') {
				k = run_length(s, p, n, '`');
				q = ticks_partner(s, p, n, k, memo);
				p = q < n ? q + k : p + k;
			} else
				p++;
		}
		if (p > n)
			p = n;
		end = p;
		while (start < end && is_space(s[start]))
			start++;
		while (end > start && is_space(s[end - 1]))
			end--;
		/* The text after the last '|' is a cell only if not blank. */
		if (p >= n && start == end)
			break;
		if (ncells < MARKUP_MAX_CELLS) {
			cells[ncells].off = start;
			cells[ncells].len = end - start;
		}
		ncells++;
		if (p < n)
			p++; /* the '|' */
	}
	return ncells;
}

bool
markup_table_delimiter(const char *s, const struct markup_cell *cells,
    size_t ncells, enum markup_align *align)
{
	size_t i, j;

	if (ncells == 0)
		return false;
	for (i = 0; i < ncells; i++) {
		const char *c = s + cells[i].off;
		size_t len = cells[i].len, a = 0, b = len;
		bool left, right;

		if (len == 0)
			return false;
		left = c[0] == ':';
		right = len > 1 && c[len - 1] == ':';
		a = left ? 1 : 0;
		b = right ? len - 1 : len;
		if (a >= b)
			return false;
		for (j = a; j < b; j++)
			if (c[j] != '-')
				return false;
		align[i] = left && right ? MARKUP_CENTRE
		           : right       ? MARKUP_RIGHT
		                         : MARKUP_LEFT;
	}
	return true;
}
