/*
 * editor.h - the input line: editing, multi-line messages, history (no
 * curses).
 *
 * The text is UTF-8; the cursor is a byte offset that always sits on a
 * character boundary.  A message may hold newlines (Alt-Enter).  Sent
 * messages go into the history, which Up and Down walk.  As in readline
 * and zsh, the walk keeps what you change: the draft typed before the
 * first Up, and a message of the history edited and then left, come back
 * as you left them when the walk returns to them; sending (editor_take)
 * ends the walk, the history's messages as they were and the text sent
 * added after them.
 */
#ifndef MIXCHAT_UI_EDITOR_H
#define MIXCHAT_UI_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#define EDITOR_MAX     (1024 * 1024) /* bytes in one message */
#define EDITOR_HISTORY 500           /* messages remembered */

struct editor {
	char *text; /* NUL-terminated */
	size_t len, cap;
	size_t cursor;
	char **history; /* oldest first */
	char **edited;  /* per message of the history: the walk's edit of
	                   it, or NULL (until the next editor_take) */
	size_t nhistory;
	size_t hpos;        /* == nhistory when not walking the history */
	char *draft;        /* the text typed before walking the history */
	size_t recalled_at; /* the cursor where the history walk left it */
};

struct editor_row {
	size_t off, len; /* bytes of text on one screen row */
};

void editor_init(struct editor *e);
void editor_release(struct editor *e);
/* editor_set: replace the text (cursor at the end). */
void editor_set(struct editor *e, const char *s);
/* editor_insert: insert n bytes at the cursor; false past EDITOR_MAX. */
bool editor_insert(struct editor *e, const char *s, size_t n);
/* editor_remember: add s to the history (not a repeat of the last). */
void editor_remember(struct editor *e, const char *s);
/* editor_take: the text (caller frees), remembered in the history; the
 * walk's edits and draft are dropped. */
char *editor_take(struct editor *e);
bool editor_empty(const struct editor *e);

void editor_left(struct editor *e);
void editor_right(struct editor *e);
void editor_home(struct editor *e); /* start of the cursor's line */
void editor_end(struct editor *e);  /* end of the cursor's line */
void editor_word_left(struct editor *e);
void editor_word_right(struct editor *e);
/* vi's w, b and e: the start of the next word, the start of this or the
 * word before, the end of this or the next word; a word is a run of
 * letters, digits and '_' (and any character not ASCII), or a run of
 * other signs, as in vi.  With big, vi's W, B and E: a WORD is a run of
 * anything but blanks. */
void editor_word_next(struct editor *e, bool big);
void editor_word_prev(struct editor *e, bool big);
void editor_word_end(struct editor *e, bool big);
/* editor_onto_char: vi's normal mode, where the cursor sits on a
 * character: past the last one of its line, onto it (an empty line
 * keeps it). */
void editor_onto_char(struct editor *e);
void editor_delete_back(struct editor *e);
void editor_delete_forward(struct editor *e);
void editor_delete_word_back(struct editor *e);
void editor_kill_line(struct editor *e);
void editor_kill_to_start(struct editor *e);
/* editor_line_up / editor_line_down: the cursor to the line above or below
 * in a message of several lines, at the same column; false on the first
 * (last) line, where Up (Down) walks the history instead. */
bool editor_line_up(struct editor *e);
bool editor_line_down(struct editor *e);
/* editor_history_prev/next: walk the history; false at either end.  The
 * text left is kept (as the draft, or as the edit of that message) and
 * the one arrived at is shown as last left. */
bool editor_history_prev(struct editor *e);
/* editor_just_recalled: whether the text is a message of the history as
 * the walk put it there (with an earlier edit of it, if any), not edited
 * and the cursor not moved since: Up
 * and Down then go on through the history, whatever its lines (a
 * recalled 300-line paste is passed in one press, not 300). */
bool editor_just_recalled(const struct editor *e);
bool editor_history_next(struct editor *e);

/* editor_width: the columns n bytes of text take in the input: display
 * widths, a tab VIEW_TAB_COLS as in the chat pane. */
size_t editor_width(const char *s, size_t n);

/*
 * editor_wrap: the text as screen rows of width columns (newlines and
 * display widths honoured, a tab as editor_width counts it).  Returns the rows (caller frees) and sets *n,
 * and *row / *col to the cursor's place.  Always at least one row.
 */
struct editor_row *editor_wrap(
    const struct editor *e, size_t width, size_t *n, size_t *row, size_t *col);

#endif
