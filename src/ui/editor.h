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
 *
 * Killed text (C-w, C-u, C-k, M-d, vi's d and c) goes to the kill buffer,
 * as in readline: kills one right after another (no other key between)
 * make one piece of text, and yank (C-y, vi's p) puts it back.  Each edit
 * is kept for undo as what it replaced and the length it put there (not
 * a copy of the whole text: undoing a 300-line paste costs no copy of
 * it); typing is one step a word.  The caller says when a key begins
 * (editor_key): that is what tells consecutive kills, and typing, apart.
 */
#ifndef MIXCHAT_UI_EDITOR_H
#define MIXCHAT_UI_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#define EDITOR_MAX        (1024 * 1024)    /* bytes in one message */
#define EDITOR_HISTORY    500              /* messages remembered */
#define EDITOR_UNDO       200              /* undo steps kept */
#define EDITOR_UNDO_BYTES (4 * EDITOR_MAX) /* text the undo steps hold */

/* What the key being handled did, for the next key (see editor_key). */
enum editor_op {
	EDITOR_OP_OTHER,
	EDITOR_OP_TYPE,       /* typed text (editor_type) */
	EDITOR_OP_KILL,       /* killed text into the kill buffer */
	EDITOR_OP_KILL_START, /* editor_kill_to_start */
};

/* One edit, for undo: at byte at, old (oldlen bytes) was replaced by
 * newlen bytes; the cursor was at cursor before it. */
struct editor_undo {
	size_t at;
	char *old;
	size_t oldlen, newlen;
	size_t cursor;
};

/* The stretch a vi operator (d, c) covers: from the cursor to where the
 * motion goes (w b e $ 0 h l), or the cursor's whole line (dd, cc). */
enum editor_motion {
	EDITOR_MOTION_WORD_NEXT,
	EDITOR_MOTION_WORD_PREV,
	EDITOR_MOTION_WORD_END,
	EDITOR_MOTION_LINE_END,
	EDITOR_MOTION_LINE_START,
	EDITOR_MOTION_LEFT,
	EDITOR_MOTION_RIGHT,
	EDITOR_MOTION_LINE,
};

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
	char *kill;         /* the kill buffer (NULL: nothing killed yet) */
	size_t killlen;
	bool kill_lines;          /* killed by vi's dd or cc: p puts a line */
	bool kill_chain;          /* it holds what the kills in a row killed */
	struct editor_undo *undo; /* oldest first */
	size_t nundo, undocap, undobytes;
	enum editor_op op, last_op; /* this key's, the key before's */
	/* C-r's search (editor_search_begin): its words, the message of the
	 * history shown (nhistory: none yet), whether the words last typed
	 * found none, and the text and cursor before it began. */
	bool searching, search_failed;
	char *query;
	size_t querylen, found;
	char *before_search;
	size_t before_cursor;
};

struct editor_row {
	size_t off, len; /* bytes of text on one screen row */
};

void editor_init(struct editor *e);
void editor_release(struct editor *e);
/* editor_set: replace the text (cursor at the end); the undo steps go. */
void editor_set(struct editor *e, const char *s);
/* editor_insert: insert n bytes at the cursor; false past EDITOR_MAX. */
bool editor_insert(struct editor *e, const char *s, size_t n);
/* editor_type: insert typed text; a word typed is one undo step. */
bool editor_type(struct editor *e, const char *s, size_t n);
/* editor_key: a key begins (call before each key is handled). */
void editor_key(struct editor *e);
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
/* The message's first and last byte (M-<, M->). */
void editor_message_start(struct editor *e);
void editor_message_end(struct editor *e);
/* The kills: into the kill buffer, after (before, killing backwards) what
 * the key before killed, if it did. */
void editor_delete_word_back(struct editor *e);
void editor_kill_word(struct editor *e); /* to the end of the word (M-d) */
/* editor_kill_line: to the end of the line; at its end, the newline. */
void editor_kill_line(struct editor *e);
/* editor_kill_to_start: to the start of the line; right after another
 * editor_kill_to_start (C-u C-u), the whole message. */
void editor_kill_to_start(struct editor *e);
/* editor_kill_message: the whole message, whatever its lines (with what
 * the key before killed, in its place: yanked, the message is whole). */
void editor_kill_message(struct editor *e);
/* editor_yank: the kill buffer at the cursor, the cursor after it; false
 * when it is empty or the message would be too long. */
bool editor_yank(struct editor *e);
/* editor_put: vi's p (after) and P: the kill buffer after or before the
 * cursor's character, the cursor on its last one; a line killed by dd
 * goes below or above the cursor's line, the cursor at its start. */
bool editor_put(struct editor *e, bool after);
/* editor_transpose: readline's C-t: the characters before and under the
 * cursor swap, and the cursor moves past them; at the end of a line, the
 * two before it.  Never across lines. */
void editor_transpose(struct editor *e);
/* editor_undo: take back the last edit (false when there is none). */
bool editor_undo(struct editor *e);
/*
 * The history search (C-r, as bash's reverse-i-search): the input shows
 * the newest message sent that holds the words typed so far, the cursor
 * on them; editor_search_older goes on to an older one.  Ending it
 * accepted leaves that message in the input to edit (one undo step brings
 * back what was there); cancelled, the input is as before.  The
 * functions but editor_search_begin do nothing when no search is on.
 */
void editor_search_begin(struct editor *e);
/* editor_search_type: n more bytes of words; false when none matches. */
bool editor_search_type(struct editor *e, const char *s, size_t n);
bool editor_search_older(struct editor *e);
/* editor_search_back: the last character of the words taken back. */
void editor_search_back(struct editor *e);
void editor_search_end(struct editor *e, bool accept);

/* editor_vi_cut: vi's d (change false) or c with motion m (big: W B E),
 * into the kill buffer (in place of what it held).  The cursor is left
 * where the text went, for vi's c; the caller puts it onto a character
 * for d.  False when the motion covers nothing. */
bool editor_vi_cut(
    struct editor *e, enum editor_motion m, bool big, bool change);
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
