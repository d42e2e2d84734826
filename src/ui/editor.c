/*
 * editor.c - the input line (see editor.h).  Owns cursor movement by
 * characters and words, the history (with the walk's edits of it, kept
 * apart from the messages as sent) and the wrapping of a long message.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui/editor.h"
#include "ui/view.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

void
editor_init(struct editor *e)
{
	memset(e, 0, sizeof *e);
	e->cap = 64;
	e->text = xmalloc(e->cap);
	e->text[0] = '\0';
}

void
editor_release(struct editor *e)
{
	size_t i;

	for (i = 0; i < e->nhistory; i++) {
		free(e->history[i]);
		free(e->edited[i]);
	}
	free(e->history);
	free(e->edited);
	free(e->draft);
	free(e->text);
	memset(e, 0, sizeof *e);
}

static void
editor_reserve(struct editor *e, size_t n)
{
	if (e->len + n + 1 <= e->cap)
		return;
	e->cap = (e->len + n + 1) * 2;
	e->text = xrealloc(e->text, e->cap);
}

void
editor_set(struct editor *e, const char *s)
{
	size_t n = strlen(s);

	e->len = 0;
	editor_reserve(e, n);
	memcpy(e->text, s, n + 1);
	e->len = n;
	e->cursor = n;
}

bool
editor_insert(struct editor *e, const char *s, size_t n)
{
	if (e->len + n > EDITOR_MAX)
		return false;
	editor_reserve(e, n);
	memmove(e->text + e->cursor + n, e->text + e->cursor,
	    e->len - e->cursor + 1);
	memcpy(e->text + e->cursor, s, n);
	e->len += n;
	e->cursor += n;
	return true;
}

bool
editor_empty(const struct editor *e)
{
	return e->len == 0;
}

void
editor_remember(struct editor *e, const char *s)
{
	if (*s == '\0' ||
	    (e->nhistory > 0 && strcmp(e->history[e->nhistory - 1], s) == 0))
		return;
	if (e->nhistory == EDITOR_HISTORY) {
		free(e->history[0]);
		free(e->edited[0]);
		memmove(e->history, e->history + 1,
		    (e->nhistory - 1) * sizeof *e->history);
		memmove(e->edited, e->edited + 1,
		    (e->nhistory - 1) * sizeof *e->edited);
		e->nhistory--;
	}
	e->history =
	    xreallocarray(e->history, e->nhistory + 1, sizeof *e->history);
	e->edited =
	    xreallocarray(e->edited, e->nhistory + 1, sizeof *e->edited);
	e->history[e->nhistory] = xstrdup(s);
	e->edited[e->nhistory] = NULL;
	e->nhistory++;
	e->hpos = e->nhistory;
}

/* The walk is over: its edits go, the history is as sent. */
static void
editor_walk_end(struct editor *e)
{
	size_t i;

	for (i = 0; i < e->nhistory; i++) {
		free(e->edited[i]);
		e->edited[i] = NULL;
	}
	free(e->draft);
	e->draft = NULL;
	e->hpos = e->nhistory;
}

char *
editor_take(struct editor *e)
{
	char *s = xstrdup(e->text);

	editor_remember(e, s);
	editor_walk_end(e);
	editor_set(e, "");
	return s;
}

/* The start of the code point before offset i. */
static size_t
prev_cp(const char *s, size_t i)
{
	if (i == 0)
		return 0;
	i--;
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/*
 * Whether code point cp belongs to the character that prev (the code
 * point before it) is part of: a mark or modifier of no width of its own
 * (an accent written as U+0301, a variation selector, an emoji's skin
 * tone), or whatever follows a zero-width joiner (the people of a family
 * emoji); never to a control character such as a newline.  The cursor
 * moves, and Backspace deletes, by such characters: an accent never ends
 * up on the letter before, nor a skin tone alone.
 */
static bool
joins(uint32_t prev, uint32_t cp)
{
	if (prev < 0x20 || (prev >= 0x7f && prev < 0xa0) || cp < 0x300)
		return false; /* nor a newline, nor a letter, after a joiner */
	/* A skin tone has a width of its own (two columns, as the C
	 * library and curses count it) but is no character alone. */
	return utf8_cpwidth(cp) == 0 || prev == 0x200d ||
	       (cp >= 0x1f3fb && cp <= 0x1f3ff);
}

/* The start of the character before offset i. */
static size_t
prev_char(const char *s, size_t i)
{
	uint32_t cp, before;
	size_t k = prev_cp(s, i), j;

	while (k > 0) {
		(void)utf8_decode(s + k, i - k, &cp);
		j = prev_cp(s, k);
		(void)utf8_decode(s + j, k - j, &before);
		if (!joins(before, cp))
			break;
		k = j;
	}
	return k;
}

/* The end of the character at offset i. */
static size_t
next_char(const char *s, size_t len, size_t i)
{
	uint32_t prev, cp;
	size_t n;

	if (i >= len)
		return len;
	i += utf8_decode(s + i, len - i, &prev);
	while (i < len) {
		n = utf8_decode(s + i, len - i, &cp);
		if (!joins(prev, cp))
			break;
		prev = cp;
		i += n;
	}
	return i;
}

void
editor_left(struct editor *e)
{
	e->cursor = prev_char(e->text, e->cursor);
}

void
editor_right(struct editor *e)
{
	e->cursor = next_char(e->text, e->len, e->cursor);
}

void
editor_home(struct editor *e)
{
	while (e->cursor > 0 && e->text[e->cursor - 1] != '\n')
		e->cursor--;
}

void
editor_end(struct editor *e)
{
	while (e->cursor < e->len && e->text[e->cursor] != '\n')
		e->cursor++;
}

static bool
is_word(char c)
{
	return c != ' ' && c != '\n' && c != '\t';
}

void
editor_word_left(struct editor *e)
{
	while (e->cursor > 0 && !is_word(e->text[e->cursor - 1]))
		e->cursor--;
	while (e->cursor > 0 && is_word(e->text[e->cursor - 1]))
		e->cursor--;
	/* Never stop inside a character. */
	while (
	    e->cursor > 0 && ((unsigned char)e->text[e->cursor] & 0xc0) == 0x80)
		e->cursor--;
}

void
editor_word_right(struct editor *e)
{
	while (e->cursor < e->len && !is_word(e->text[e->cursor]))
		e->cursor++;
	while (e->cursor < e->len && is_word(e->text[e->cursor]))
		e->cursor++;
}

/* vi's classes of character for w, b and e: blanks, word characters
 * (letters, digits, '_', and anything not ASCII), and punctuation. */
static int
vi_class(char c)
{
	if (c == ' ' || c == '\t' || c == '\n')
		return 0;
	if ((unsigned char)c >= 0x80 || c == '_' || (c >= '0' && c <= '9') ||
	    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return 2;
}

/* vi's W, B and E see only blanks and the rest: a WORD is a run of
 * anything but blanks. */
static int
vi_big_class(char c)
{
	return vi_class(c) == 0 ? 0 : 1;
}

static void
word_next(struct editor *e, int (*cls)(char))
{
	int c = cls(e->text[e->cursor]);

	if (c != 0)
		while (e->cursor < e->len && cls(e->text[e->cursor]) == c)
			e->cursor++;
	while (e->cursor < e->len && cls(e->text[e->cursor]) == 0)
		e->cursor++;
}

static void
word_prev(struct editor *e, int (*cls)(char))
{
	int c;

	if (e->cursor == 0)
		return;
	e->cursor = prev_char(e->text, e->cursor);
	while (e->cursor > 0 && cls(e->text[e->cursor]) == 0)
		e->cursor--;
	c = cls(e->text[e->cursor]);
	while (e->cursor > 0 && cls(e->text[e->cursor - 1]) == c)
		e->cursor--;
}

static void
word_end(struct editor *e, int (*cls)(char))
{
	size_t end;
	int c;

	e->cursor = next_char(e->text, e->len, e->cursor);
	while (e->cursor < e->len && cls(e->text[e->cursor]) == 0)
		e->cursor++;
	if (e->cursor == e->len)
		return;
	c = cls(e->text[e->cursor]);
	end = e->cursor;
	while (end < e->len && cls(e->text[end]) == c)
		end++;
	e->cursor = prev_char(e->text, end);
}

void
editor_word_next(struct editor *e, bool big)
{
	word_next(e, big ? vi_big_class : vi_class);
}

void
editor_word_prev(struct editor *e, bool big)
{
	word_prev(e, big ? vi_big_class : vi_class);
}

void
editor_word_end(struct editor *e, bool big)
{
	word_end(e, big ? vi_big_class : vi_class);
}

void
editor_onto_char(struct editor *e)
{
	if ((e->cursor == e->len || e->text[e->cursor] == '\n') &&
	    e->cursor > 0 && e->text[e->cursor - 1] != '\n')
		e->cursor = prev_char(e->text, e->cursor);
}

static void
editor_cut(struct editor *e, size_t from, size_t to)
{
	memmove(e->text + from, e->text + to, e->len - to + 1);
	e->len -= to - from;
	e->cursor = from;
}

void
editor_delete_back(struct editor *e)
{
	if (e->cursor > 0)
		editor_cut(e, prev_char(e->text, e->cursor), e->cursor);
}

void
editor_delete_forward(struct editor *e)
{
	if (e->cursor < e->len)
		editor_cut(e, e->cursor, next_char(e->text, e->len, e->cursor));
}

void
editor_delete_word_back(struct editor *e)
{
	size_t end = e->cursor;

	editor_word_left(e);
	editor_cut(e, e->cursor, end);
}

void
editor_kill_line(struct editor *e)
{
	size_t end = e->cursor;

	while (end < e->len && e->text[end] != '\n')
		end++;
	if (end == e->cursor && end < e->len)
		end++; /* at the end of a line: join the next one */
	editor_cut(e, e->cursor, end);
}

void
editor_kill_to_start(struct editor *e)
{
	size_t end = e->cursor;

	editor_home(e);
	editor_cut(e, e->cursor, end);
}

/* The columns of one character in the input: a tab is VIEW_TAB_COLS, as
 * the chat pane draws it (curses would take it to the next multiple of
 * 8). */
static size_t
char_width(uint32_t cp)
{
	return cp == '\t' ? VIEW_TAB_COLS : (size_t)utf8_cpwidth(cp);
}

size_t
editor_width(const char *s, size_t n)
{
	return utf8_width_tabs(s, n, VIEW_TAB_COLS);
}

/* The bytes of s (n bytes) that fit in cols columns, never a character
 * past them. */
static size_t
editor_fit(const char *s, size_t n, size_t cols)
{
	size_t i = 0, w = 0, l, cw;
	uint32_t cp;

	while (i < n) {
		l = utf8_decode(s + i, n - i, &cp);
		cw = char_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += l;
	}
	return i;
}

/* The start of the line that holds byte at (a line ends at '\n'). */
static size_t
line_start(const struct editor *e, size_t at)
{
	while (at > 0 && e->text[at - 1] != '\n')
		at--;
	return at;
}

/* Put the cursor on the line starting at start, col columns in (or at
 * its end when it is shorter). */
static void
cursor_to_column(struct editor *e, size_t start, size_t col)
{
	size_t len = strcspn(e->text + start, "\n");

	e->cursor = start + editor_fit(e->text + start, len, col);
}

bool
editor_line_up(struct editor *e)
{
	size_t ls = line_start(e, e->cursor);
	size_t col = editor_width(e->text + ls, e->cursor - ls);

	if (ls == 0)
		return false;
	cursor_to_column(e, line_start(e, ls - 1), col);
	return true;
}

bool
editor_line_down(struct editor *e)
{
	size_t ls = line_start(e, e->cursor);
	size_t col = editor_width(e->text + ls, e->cursor - ls);
	const char *nl = memchr(e->text + e->cursor, '\n', e->len - e->cursor);

	if (nl == NULL)
		return false;
	cursor_to_column(e, (size_t)(nl - e->text) + 1, col);
	return true;
}

/* What the walk shows for position pos: the draft at the end, else the
 * message with its edit, if any. */
static const char *
editor_walk_text(const struct editor *e, size_t pos)
{
	if (pos >= e->nhistory)
		return e->draft != NULL ? e->draft : "";
	return e->edited[pos] != NULL ? e->edited[pos] : e->history[pos];
}

/* Leave position hpos of the walk, keeping its text as it is now. */
static void
editor_walk_leave(struct editor *e)
{
	char **keep;

	if (e->hpos >= e->nhistory)
		keep = &e->draft;
	else
		keep = &e->edited[e->hpos];
	free(*keep);
	*keep = NULL;
	if (e->hpos >= e->nhistory || strcmp(e->text, e->history[e->hpos]) != 0)
		*keep = xstrdup(e->text);
}

/* Arrive at position pos of the walk: its text, the cursor at the end. */
static void
editor_walk_arrive(struct editor *e, size_t pos)
{
	e->hpos = pos;
	editor_set(e, editor_walk_text(e, pos));
	e->recalled_at = e->cursor;
}

bool
editor_history_prev(struct editor *e)
{
	if (e->hpos == 0)
		return false;
	editor_walk_leave(e);
	editor_walk_arrive(e, e->hpos - 1);
	return true;
}

bool
editor_just_recalled(const struct editor *e)
{
	return e->hpos < e->nhistory && e->cursor == e->recalled_at &&
	       strcmp(e->text, editor_walk_text(e, e->hpos)) == 0;
}

bool
editor_history_next(struct editor *e)
{
	if (e->hpos >= e->nhistory)
		return false;
	editor_walk_leave(e);
	editor_walk_arrive(e, e->hpos + 1);
	return true;
}

struct editor_row *
editor_wrap(
    const struct editor *e, size_t width, size_t *n, size_t *row, size_t *col)
{
	struct editor_row *rows = NULL;
	size_t nrows = 0, cap = 0, pos = 0, end, take, r;
	const char *nl;

	if (width == 0)
		width = 1;
	for (;;) {
		nl = memchr(e->text + pos, '\n', e->len - pos);
		end = nl != NULL ? (size_t)(nl - e->text) : e->len;
		do {
			take = editor_fit(e->text + pos, end - pos, width);
			/* A character wider than the row goes alone. */
			if (take == 0 && pos < end)
				take = next_char(e->text, end, pos) - pos;
			/* Cut inside a word: the row ends after the word
			 * before it (its space kept on the row, so every
			 * byte has a place for the cursor).  Cut at a space
			 * (the word fills the row): the space stays on this
			 * row, past its edge, and the next row starts at the
			 * next word, as in the chat pane. */
			if (pos + take < end && e->text[pos + take] == ' ')
				take++;
			else if (pos + take < end) {
				size_t k = take;

				while (k > 0 && e->text[pos + k - 1] != ' ')
					k--;
				if (k > 0)
					take = k;
			}
			rows = xgrowarray(rows, &cap, nrows + 1, sizeof *rows);
			rows[nrows].off = pos;
			rows[nrows].len = take;
			nrows++;
			pos += take;
		} while (pos < end);
		if (nl == NULL)
			break;
		pos = end + 1;
	}
	/* The cursor's row: the last one starting at or before it. */
	*row = 0;
	for (r = 0; r < nrows; r++)
		if (rows[r].off <= e->cursor)
			*row = r;
	*col =
	    editor_width(e->text + rows[*row].off, e->cursor - rows[*row].off);
	/* Past a full row: at the end of the text, on a new row; before a
	 * newline, or on a space past the edge, on the row's last column. */
	if (*col >= width && (*row != nrows - 1 || e->cursor < e->len))
		*col = width - 1;
	else if (*col >= width) {
		if (nrows == cap) {
			cap = cap + 1;
			rows = xreallocarray(rows, cap, sizeof *rows);
		}
		rows[nrows].off = e->len;
		rows[nrows].len = 0;
		nrows++;
		(*row)++;
		*col = 0;
	}
	*n = nrows;
	return rows;
}
