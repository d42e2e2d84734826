/*
 * editor.c - the input line (see editor.h).  Owns cursor movement by
 * characters and words, the history (with the walk's edits of it, kept
 * apart from the messages as sent), the kill buffer and the undo steps,
 * vi's operators, and the wrapping of a long message.  Every change of
 * the text goes through editor_replace, which keeps its undo step.
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
	for (i = 0; i < e->nundo; i++)
		free(e->undo[i].old);
	free(e->undo);
	free(e->history);
	free(e->edited);
	free(e->draft);
	free(e->kill);
	free(e->query);
	free(e->before_search);
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

static void
undo_drop_oldest(struct editor *e)
{
	e->undobytes -= e->undo[0].oldlen;
	free(e->undo[0].old);
	memmove(e->undo, e->undo + 1, (e->nundo - 1) * sizeof *e->undo);
	e->nundo--;
}

static void
undo_clear(struct editor *e)
{
	while (e->nundo > 0) {
		e->nundo--;
		free(e->undo[e->nundo].old);
	}
	e->undobytes = 0;
}

/* Keep an undo step: oldlen bytes old (now the step's) at at were
 * replaced by newlen bytes, the cursor at cursor before.  The oldest
 * steps go when there are too many, or they hold too much. */
static void
undo_keep(struct editor *e, size_t at, char *old, size_t oldlen, size_t newlen,
    size_t cursor)
{
	while (e->nundo > 0 && (e->nundo >= EDITOR_UNDO ||
	                           e->undobytes + oldlen > EDITOR_UNDO_BYTES))
		undo_drop_oldest(e);
	e->undo =
	    xgrowarray(e->undo, &e->undocap, e->nundo + 1, sizeof *e->undo);
	e->undo[e->nundo++] = (struct editor_undo){
		.at = at,
		.old = old,
		.oldlen = oldlen,
		.newlen = newlen,
		.cursor = cursor,
	};
	e->undobytes += oldlen;
}

/* The undo step of replacing oldlen bytes at at by newlen bytes (before
 * doing it: the cursor and the old bytes are read now). */
static void
undo_push(struct editor *e, size_t at, size_t oldlen, size_t newlen)
{
	char *old = NULL;

	if (oldlen > 0) {
		old = xmalloc(oldlen);
		memcpy(old, e->text + at, oldlen);
	}
	undo_keep(e, at, old, oldlen, newlen, e->cursor);
}

/* Bytes from..to become the n bytes of s (never inside the text). */
static void
splice(struct editor *e, size_t from, size_t to, const char *s, size_t n)
{
	size_t cut = to - from;

	if (n > cut)
		editor_reserve(e, n - cut);
	memmove(e->text + from + n, e->text + to, e->len - to + 1);
	if (n > 0)
		memcpy(e->text + from, s, n);
	e->len = e->len - cut + n;
}

/* An edit, kept for undo: bytes from..to become s, the cursor after it. */
static void
editor_replace(
    struct editor *e, size_t from, size_t to, const char *s, size_t n)
{
	undo_push(e, from, to - from, n);
	splice(e, from, to, s, n);
	e->cursor = from + n;
}

void
editor_set(struct editor *e, const char *s)
{
	size_t n = strlen(s);

	undo_clear(e);
	if (e->searching) { /* a new text: the search is over */
		free(e->query);
		free(e->before_search);
		e->query = e->before_search = NULL;
		e->querylen = 0;
		e->searching = e->search_failed = false;
	}
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
	if (n > 0)
		editor_replace(e, e->cursor, e->cursor, s, n);
	return true;
}

void
editor_key(struct editor *e)
{
	e->last_op = e->op;
	e->op = EDITOR_OP_OTHER;
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

bool
editor_type(struct editor *e, const char *s, size_t n)
{
	struct editor_undo *u = e->nundo > 0 ? &e->undo[e->nundo - 1] : NULL;
	/* A word typed after a blank starts a step of its own. */
	bool word_starts = n > 0 && is_word(s[0]) && e->cursor > 0 &&
	                   !is_word(e->text[e->cursor - 1]);

	if (e->len + n > EDITOR_MAX)
		return false;
	if (e->last_op == EDITOR_OP_TYPE && u != NULL && u->oldlen == 0 &&
	    u->at + u->newlen == e->cursor && !word_starts) {
		splice(e, e->cursor, e->cursor, s, n);
		e->cursor += n;
		u->newlen += n;
	} else if (!editor_insert(e, s, n))
		return false;
	e->op = EDITOR_OP_TYPE;
	return true;
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

/* The start of the line that holds byte at (a line ends at '\n'). */
static size_t
line_start(const struct editor *e, size_t at)
{
	while (at > 0 && e->text[at - 1] != '\n')
		at--;
	return at;
}

void
editor_message_start(struct editor *e)
{
	e->cursor = 0;
}

void
editor_message_end(struct editor *e)
{
	e->cursor = e->len;
}

static void
editor_cut(struct editor *e, size_t from, size_t to)
{
	if (from < to)
		editor_replace(e, from, to, "", 0);
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

/* Whether a kill now adds to the kill buffer: the key before killed. */
static bool
kill_appends(const struct editor *e)
{
	return e->last_op == EDITOR_OP_KILL ||
	       e->last_op == EDITOR_OP_KILL_START;
}

/* Bytes from..to into the kill buffer: in place of what it held, or
 * added to it (before it, for text before the cursor, as readline). */
static void
kill_store(struct editor *e, size_t from, size_t to, bool append)
{
	size_t n = to - from;

	if (!append)
		e->kill_chain = false; /* a kill after another key */
	if (n == 0)
		return; /* nothing killed: the buffer is left as it was */
	if (!e->kill_chain || e->kill == NULL)
		e->killlen = 0;
	e->kill = xrealloc(e->kill, e->killlen + n + 1);
	if (from < e->cursor) {
		memmove(e->kill + n, e->kill, e->killlen);
		memcpy(e->kill, e->text + from, n);
	} else
		memcpy(e->kill + e->killlen, e->text + from, n);
	e->killlen += n;
	e->kill[e->killlen] = '\0';
	e->kill_lines = false;
	e->kill_chain = true;
}

static void
kill_text(struct editor *e, size_t from, size_t to, bool append)
{
	kill_store(e, from, to, append);
	editor_cut(e, from, to);
	e->op = EDITOR_OP_KILL;
}

void
editor_delete_word_back(struct editor *e)
{
	size_t end = e->cursor, from;

	editor_word_left(e);
	from = e->cursor;
	e->cursor = end; /* a kill backwards: added in front */
	kill_text(e, from, end, kill_appends(e));
}

void
editor_kill_word(struct editor *e)
{
	size_t start = e->cursor, end;

	editor_word_right(e);
	end = e->cursor;
	e->cursor = start;
	kill_text(e, start, end, kill_appends(e));
}

void
editor_kill_line(struct editor *e)
{
	size_t end = e->cursor;

	while (end < e->len && e->text[end] != '\n')
		end++;
	if (end == e->cursor && end < e->len)
		end++; /* at the end of a line: join the next one */
	kill_text(e, e->cursor, end, kill_appends(e));
}

void
editor_kill_to_start(struct editor *e)
{
	size_t end = e->cursor, from;

	if (e->last_op == EDITOR_OP_KILL_START)
		editor_kill_message(e);
	else {
		editor_home(e);
		from = e->cursor;
		e->cursor = end; /* a kill backwards: added in front */
		kill_text(e, from, end, kill_appends(e));
	}
	e->op = EDITOR_OP_KILL_START;
}

void
editor_kill_message(struct editor *e)
{
	size_t pre = e->cursor, post = e->len - e->cursor, n;
	char *k;

	if (!kill_appends(e) || !e->kill_chain || e->kill == NULL) {
		kill_text(e, 0, e->len, false);
		return;
	}
	/* What the key before killed was at the cursor: the buffer gets the
	 * message as it was before it. */
	n = pre + e->killlen + post;
	k = xmalloc(n + 1);
	memcpy(k, e->text, pre);
	memcpy(k + pre, e->kill, e->killlen);
	memcpy(k + pre + e->killlen, e->text + e->cursor, post);
	k[n] = '\0';
	free(e->kill);
	e->kill = k;
	e->killlen = n;
	e->kill_lines = false;
	editor_cut(e, 0, e->len);
	e->op = EDITOR_OP_KILL;
}

bool
editor_yank(struct editor *e)
{
	if (e->kill == NULL || e->killlen == 0)
		return false;
	return editor_insert(e, e->kill, e->killlen);
}

bool
editor_put(struct editor *e, bool after)
{
	size_t at;
	char *s;

	if (e->kill == NULL || (e->killlen == 0 && !e->kill_lines) ||
	    (e->killlen == 0 && e->len == 0) ||
	    e->len + e->killlen + 1 > EDITOR_MAX)
		return false;
	if (e->kill_lines && e->len > 0) {
		/* A line: below or above the cursor's, the cursor at its
		 * start. */
		s = xmalloc(e->killlen + 1);
		if (after) {
			editor_end(e);
			at = e->cursor + 1;
			s[0] = '\n';
			memcpy(s + 1, e->kill, e->killlen);
		} else {
			editor_home(e);
			at = e->cursor;
			memcpy(s, e->kill, e->killlen);
			s[e->killlen] = '\n';
		}
		editor_replace(e, e->cursor, e->cursor, s, e->killlen + 1);
		free(s);
		e->cursor = at;
		return true;
	}
	if (after && e->cursor < e->len && e->text[e->cursor] != '\n')
		editor_right(e);
	editor_replace(e, e->cursor, e->cursor, e->kill, e->killlen);
	if (e->kill_lines)
		e->cursor -= e->killlen; /* into an empty message */
	else
		e->cursor = prev_char(e->text, e->cursor);
	return true;
}

void
editor_transpose(struct editor *e)
{
	size_t ls = line_start(e, e->cursor), a, b, c;
	char *s;

	if (e->cursor == ls)
		return;
	if (e->cursor == e->len || e->text[e->cursor] == '\n') {
		c = e->cursor;
		b = prev_char(e->text, c);
		if (b == ls)
			return;
		a = prev_char(e->text, b);
	} else {
		a = prev_char(e->text, e->cursor);
		b = e->cursor;
		c = next_char(e->text, e->len, b);
	}
	s = xmalloc(c - a);
	memcpy(s, e->text + b, c - b);
	memcpy(s + (c - b), e->text + a, b - a);
	editor_replace(e, a, c, s, c - a);
	free(s);
}

bool
editor_undo(struct editor *e)
{
	struct editor_undo *u;

	/* The steps describe the text before a search showed another: the
	 * search is over first (as any key but its own ends it). */
	editor_search_end(e, true);
	if (e->nundo == 0)
		return false;
	u = &e->undo[--e->nundo];
	splice(e, u->at, u->at + u->newlen, u->old, u->oldlen);
	e->cursor = u->cursor <= e->len ? u->cursor : e->len;
	e->undobytes -= u->oldlen;
	free(u->old);
	return true;
}

void
editor_search_begin(struct editor *e)
{
	if (e->searching)
		return;
	e->searching = true;
	e->search_failed = false;
	free(e->query);
	e->query = xstrdup("");
	e->querylen = 0;
	e->found = e->nhistory;
	e->before_search = xstrndup(e->text, e->len);
	e->before_cursor = e->cursor;
}

/* Show text (n bytes) in the input, no undo step: the search's own. */
static void
search_show(struct editor *e, const char *text, size_t n, size_t cursor)
{
	splice(e, 0, e->len, text, n);
	e->cursor = cursor;
}

/* The newest message from index from down that holds the words: shown,
 * the cursor on them. */
static bool
search_from(struct editor *e, size_t from)
{
	const char *hit;
	size_t i;

	e->search_failed = false;
	if (e->querylen == 0)
		return true;
	for (i = from + 1; i-- > 0;) {
		if (i >= e->nhistory)
			continue;
		hit = strstr(e->history[i], e->query);
		if (hit != NULL) {
			e->found = i;
			search_show(e, e->history[i], strlen(e->history[i]),
			    (size_t)(hit - e->history[i]));
			return true;
		}
	}
	e->search_failed = true;
	return false;
}

bool
editor_search_type(struct editor *e, const char *s, size_t n)
{
	if (!e->searching)
		return false;
	e->query = xrealloc(e->query, e->querylen + n + 1);
	memcpy(e->query + e->querylen, s, n);
	e->querylen += n;
	e->query[e->querylen] = '\0';
	/* The message shown still holds it, or an older one. */
	return search_from(
	    e, e->found < e->nhistory ? e->found : e->nhistory - 1);
}

bool
editor_search_older(struct editor *e)
{
	if (!e->searching || e->querylen == 0)
		return false;
	if (e->found >= e->nhistory) /* none shown yet */
		return search_from(e, e->nhistory - 1);
	if (e->found == 0) {
		e->search_failed = true;
		return false;
	}
	return search_from(e, e->found - 1);
}

void
editor_search_back(struct editor *e)
{
	if (!e->searching || e->querylen == 0)
		return;
	e->querylen = prev_char(e->query, e->querylen);
	e->query[e->querylen] = '\0';
	e->found = e->nhistory;
	if (e->querylen == 0) {
		e->search_failed = false;
		search_show(e, e->before_search, strlen(e->before_search),
		    e->before_cursor);
	} else
		(void)search_from(e, e->nhistory - 1);
}

void
editor_search_end(struct editor *e, bool accept)
{
	size_t n;

	if (!e->searching)
		return;
	n = strlen(e->before_search);
	if (!accept)
		search_show(e, e->before_search, n, e->before_cursor);
	if (accept &&
	    (n != e->len || memcmp(e->text, e->before_search, n) != 0)) {
		/* One undo step brings back what was in the input. */
		undo_keep(e, 0, e->before_search, n, e->len, e->before_cursor);
		e->before_search = NULL;
	}
	free(e->before_search);
	e->before_search = NULL;
	free(e->query);
	e->query = NULL;
	e->querylen = 0;
	e->searching = false;
	e->search_failed = false;
}

/* vi's dd and cc: the cursor's line into the kill buffer, as a line; dd
 * takes it out (with a newline), cc empties it. */
static void
vi_cut_line(struct editor *e, size_t ls, size_t le, bool change)
{
	e->cursor = ls;
	if (ls < le)
		kill_store(e, ls, le, false);
	else { /* an empty line: p puts an empty line */
		free(e->kill);
		e->kill = xstrdup("");
		e->killlen = 0;
	}
	e->kill_lines = true;
	if (change)
		editor_cut(e, ls, le);
	else if (le < e->len)
		editor_cut(e, ls, le + 1);
	else if (ls > 0) {
		editor_cut(e, ls - 1, le);
		e->cursor = line_start(e, e->cursor);
	} else
		editor_cut(e, 0, e->len);
}

bool
editor_vi_cut(struct editor *e, enum editor_motion m, bool big, bool change)
{
	int (*cls)(char) = big ? vi_big_class : vi_class;
	size_t start = e->cursor, ls = line_start(e, start), from, to;
	size_t le = start + strcspn(e->text + start, "\n");
	int c;

	switch (m) {
	case EDITOR_MOTION_WORD_NEXT:
		from = start;
		if (change && start < le && cls(e->text[start]) != 0) {
			/* cw, on a word: to its end, its blanks kept. */
			c = cls(e->text[start]);
			for (to = start; to < le && cls(e->text[to]) == c; to++)
				;
		} else {
			word_next(e, cls);
			to = e->cursor < le ? e->cursor : le;
		}
		break;
	case EDITOR_MOTION_WORD_PREV:
		word_prev(e, cls);
		from = e->cursor;
		to = start;
		break;
	case EDITOR_MOTION_WORD_END:
		word_end(e, cls);
		from = start;
		to = next_char(e->text, e->len, e->cursor);
		break;
	case EDITOR_MOTION_LINE_END:
		from = start;
		to = le;
		break;
	case EDITOR_MOTION_LINE_START:
		from = ls;
		to = start;
		break;
	case EDITOR_MOTION_LEFT:
		from = start > ls ? prev_char(e->text, start) : start;
		to = start;
		break;
	case EDITOR_MOTION_RIGHT:
		from = start;
		to = next_char(e->text, le, start);
		break;
	case EDITOR_MOTION_LINE:
	default:
		vi_cut_line(e, ls, le, change);
		e->op = EDITOR_OP_OTHER;
		return true;
	}
	e->cursor = start;
	if (from >= to)
		return false;
	kill_text(e, from, to, false);
	e->op = EDITOR_OP_OTHER; /* vi's register: the next cut replaces it */
	return true;
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
