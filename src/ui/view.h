/*
 * view.h - the conversation laid out into screen lines (no curses).
 *
 * The chat pane shows a list of blocks: one per exchange (the user's
 * message, the reply, its footer and error line) and the notes mixchat
 * itself prints (/help, /models, hints).  Each block keeps its own copy of
 * the text, cleaned of control characters and wrapped by display width
 * (util/utf8.h: CJK and emoji take two columns), and remembers the
 * exchange's version so that only what changed is laid out again: while a
 * reply streams, only its block is rebuilt.  Drawing is then a look-up of
 * the lines that are on screen.
 *
 *	struct view v;
 *	view_init(&v, 80);
 *	view_sync(&v, i, app_get(app, i));	(for each changed exchange)
 *	view_add_note(&v, VIEW_NOTE, "hello");
 *	for (i = top; i < top + rows; i++) line = view_line(&v, i, &text, &b);
 *	view_release(&v);
 */
#ifndef MIXCHAT_UI_VIEW_H
#define MIXCHAT_UI_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

enum view_kind {
	VIEW_PROMPT,     /* the user's message */
	VIEW_REPLY,      /* reply text */
	VIEW_CODE,       /* a line inside a ``` block */
	VIEW_FENCE,      /* the ``` line itself */
	VIEW_FOOTER,     /* model · $cost · latency ... (and the rating) */
	VIEW_ERROR,      /* the error line under a failed reply */
	VIEW_NOTE,       /* a message from mixchat */
	VIEW_NOTE_ERROR, /* a message from mixchat about a failure */
	VIEW_BLANK,      /* the gap after a block */
	VIEW_RULE,       /* a "---" of a reply: a rule across (no text) */
	VIEW_THINK,      /* a reasoning model's <think> block, drawn dim as
	                    the footer is, but not the footer: above the
	                    answer, it is no mark of the reply in view */
};

#define VIEW_FIRST 0x1 /* first line of the prompt / reply / note */
/* A continuation row of a wrapped line of code: it starts with the
 * continuation mark (VIEW_CODE_MARK, line->mark bytes of it), which is in
 * the view's text only - not in the reply, so /copy gives the line whole. */
#define VIEW_CONT 0x2

struct view_line {
	uint32_t off; /* into the block's text */
	uint32_t len; /* bytes */
	/* VIEW_FOOTER: byte where the rating starts (or len); VIEW_CONT:
	 * bytes of the continuation mark the line starts with. */
	uint32_t mark;
	uint8_t kind;  /* enum view_kind */
	uint8_t flags; /* VIEW_FIRST, VIEW_CONT */
	/* A wrapped list item or quote: the text starts indent columns in,
	 * and with bar > 0 a quote's bar is drawn at column bar - 1. */
	uint8_t indent, bar;
};

struct view_block {
	bool note;        /* a note rather than an exchange */
	bool marked;      /* a note with spans marked (view_add_marked_note) */
	size_t measure;   /* its prose wraps at this (<= the view's width) */
	size_t index;     /* the exchange's index (exchanges only) */
	uint64_t version; /* the exchange's version when laid out */
	enum view_kind note_kind;
	char *source; /* a note's text as given */
	/* The same note with the other set's marks (view_note_alt), shown
	 * while that set is in use (/glyphs), or NULL; alt_ascii: it is
	 * the ASCII one. */
	char *alt;
	bool alt_ascii;
	char *text; /* cleaned text the lines point into */
	size_t text_len, text_cap;
	/* MARKUP_* bits of each byte of text (ui/markup.h), or NULL while the
	 * block has no styled text. */
	uint8_t *style;
	struct view_line *lines;
	size_t nlines, lines_cap;
};

struct view {
	struct view_block *blocks;
	size_t nblocks, cap;
	size_t *by_exchange; /* exchange index -> block */
	size_t nexchanges;
	size_t *starts; /* first line of each block (valid unless dirty) */
	size_t starts_cap;
	bool dirty;
	size_t total; /* lines in all blocks */
	size_t width; /* columns the text is wrapped to */
	/* The reading width: prose wraps at most this wide (0: width);
	 * code blocks and tables take all of width. */
	size_t measure;
	/* Said under a failed reply ("M-r asks the next-best model"), or
	 * NULL. */
	char *error_hint;
};

/* view_init: an empty view wrapping text to width columns. */
void view_init(struct view *v, size_t width);
/* view_release: free every block. */
void view_release(struct view *v);
/* view_clear: forget every block and exchange (a new or resumed session). */
void view_clear(struct view *v);
/* view_set_width: wrap to a new width (lays out everything again). */
void view_set_width(struct view *v, size_t width);
/*
 * view_set_measure: the reading width, at most this many columns of prose
 * (0: the view's width); a ``` block or a table still takes the whole
 * width, as wrapping code or breaking a table would lose more than a long
 * line does.  Lays out everything again when it changes.
 */
void view_set_measure(struct view *v, size_t measure);
/* view_text_width: the columns prose wraps at now. */
size_t view_text_width(const struct view *v);
/* view_relayout: lay the exchanges out again at their next view_sync
 * (after a change of the marks, util/glyph.h), and the notes written in
 * both sets of marks now. */
void view_relayout(struct view *v);
/*
 * view_set_error_hint: what to say under a reply that failed, so the user
 * knows the way on (copied; NULL for nothing).
 */
void view_set_error_hint(struct view *v, const char *hint);
/*
 * view_sync: make exchange index (0 .. the number seen so far) show ex as
 * it is now.  A new index appends a block; a known one is laid out again
 * only when ex->version changed.  Returns whether anything changed.
 */
bool view_sync(struct view *v, size_t index, const struct app_exchange *ex);
/* view_add_note: append a note (text may hold newlines; copied). */
void view_add_note(struct view *v, enum view_kind kind, const char *text);
/* view_note_alt: the last note (added just now) as text with the other
 * glyph set's marks (ascii: the ASCII set's): a /glyphs switch shows it
 * in that set, laid out again (a table's ▶ becomes >, its columns as
 * wide as that set's marks make them). */
void view_note_alt(struct view *v, const char *text, bool ascii);
/*
 * view_add_marked_note: a note whose spans between VIEW_MARK_ON and
 * VIEW_MARK_OFF (the marks not shown) are styled VIEW_MATCH in the
 * block's style: what a /search matched, drawn highlighted.  Any other
 * note drops those bytes as the control characters they are.
 */
#define VIEW_MARK_ON  '\x01'
#define VIEW_MARK_OFF '\x02'
/* At the start of a note's line: a row of a table (/models, /why,
 * /search), cut with the ellipsis at the pane's edge rather than wrapped,
 * so that a table laid out for a wider pane keeps its rows after the
 * terminal is made narrower.  Not shown. */
#define VIEW_ROW   '\x03'
#define VIEW_MATCH 0x1 /* a note's only style: a match */
void view_add_marked_note(
    struct view *v, enum view_kind kind, const char *text);
/* view_total: the number of screen lines. */
size_t view_total(struct view *v);
/*
 * view_line: screen line i (< view_total).  *text gets its bytes (line->len
 * of them, not NUL-terminated) and *block (may be NULL) its block; both are
 * owned by the view and valid until the next change.
 */
/* view_line_pos: where line i is (its block and the byte its text starts
 * at, not counting the continuation marks before it, which come and go
 * with the width), to find it again once the view is laid out anew (a
 * resize). */
bool view_line_pos(struct view *v, size_t i, size_t *block, size_t *off);
/* view_line_at: the line of block that holds byte off. */
size_t view_line_at(struct view *v, size_t block, size_t off);
const struct view_line *view_line(struct view *v, size_t i, const char **text,
    const struct view_block **block);
/* view_exchange_line: the first line of exchange index's block. */
size_t view_exchange_line(struct view *v, size_t index);
/* view_exchange_end: the line after exchange index's block. */
size_t view_exchange_end(struct view *v, size_t index);

/* The mark that starts a continuation row of a wrapped line of code, in
 * the marks in use (util/glyph.h): "↪ ", or "> " in ASCII. */
const char *view_code_mark(void);

/* The columns a tab takes, in the chat pane and the input alike (a fixed
 * width, not tab stops: a message reads the same in both). */
#define VIEW_TAB_COLS 4

/*
 * view_wrap_next: how many bytes of s (n bytes) go on the next line of at
 * most width columns.  With words, lines break after spaces and around
 * wide characters when they can; a word longer than the line is split.  A
 * character is never split.  *skip gets the bytes to skip after the line
 * (the spaces at a break).  Returns at least one character's bytes when n
 * is not 0.
 */
size_t view_wrap_next(
    const char *s, size_t n, size_t width, bool words, size_t *skip);

#endif
