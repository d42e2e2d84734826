/*
 * markup.h - the inline Markdown of a reply line, drawn rather than shown
 * (no curses).
 *
 * Models answer in Markdown.  Outside ``` blocks (view.c handles those) a
 * reply line is rewritten for the screen: the markers go and the text
 * they mark gets a style, one byte of style per byte of text:
 *
 *	# Title            -> "Title", heading
 *	**strong** __strong__ -> "strong", strong
 *	*emph*  _emph_     -> "emph", emphasised
 *	`code`  ``a ` b``  -> "code", inline code (nothing inside is markup)
 *	- item  * item  + item -> "• item"
 *	[text](url)        -> "text (url)", the text as a link, the url dim
 *	\*                 -> "*" (a backslash keeps a marker literal)
 *	> quote            -> "▎ quote", emphasised
 *
 * and a GitHub table (a header row, a row of | --- | :-: |, then rows) is
 * laid out in aligned columns by view.c, each cell split off here.
 *
 * A marker is only taken as one when its partner is on the same line, and
 * follows CommonMark's flanking rule in spirit: an opener is followed by
 * a non-space, a closer preceded by one, and an underscore inside a word
 * (snake_case, __init__ inside an identifier) is text.  Anything else
 * stays as it came, so no character of the reply is ever lost, only
 * markers that were matched.  The stored reply, `ask`, `export` and the
 * ratings keep the model's text untouched: this is drawing only.
 */
#ifndef MIXCHAT_UI_MARKUP_H
#define MIXCHAT_UI_MARKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Style bits of a byte of drawn text. */
#define MARKUP_STRONG  0x1
#define MARKUP_EMPH    0x2
#define MARKUP_CODE    0x4
#define MARKUP_HEADING 0x8
#define MARKUP_RULE    0x10 /* a table's rules (drawn like a ``` line) */
#define MARKUP_LINK    0x20 /* a link's text */
#define MARKUP_URL     0x40 /* " (url)" after it (drawn like a ``` line) */
#define MARKUP_MARK \
	0x80 /* a quote's bar or a list item's bullet: put
                             * there by markup_line, not the reply's text */

/* The most a line can grow: ">" becomes "▎ " (three bytes more when no
 * space followed it) and "- " becomes "• " (two more). */
#define MARKUP_GROWTH 5

/*
 * markup_line: rewrite the n bytes of one line (no '\n') into out, with the
 * style of each output byte in style.  out and style must hold n +
 * MARKUP_GROWTH bytes; they may not overlap in.  Only ASCII markers are
 * removed, so valid UTF-8 stays valid.  Returns the output length.
 */
size_t markup_line(const char *in, size_t n, char *out, uint8_t *style);

/*
 * markup_hang: how far the continuation lines of a drawn line (markup_line's
 * output s, with its styles) are indented so that they hang under its
 * text: its indentation, a quote's "▎ " and a list item's "• " (those
 * markup_line put there: MARKUP_MARK, so that a reply's own "| " or "* "
 * in the ASCII marks is not taken for one) or "12. ".  *bar gets the
 * column of a quote's bar plus one (0: not a quote).  style may be NULL:
 * no marks.
 */
size_t markup_hang(const char *s, const uint8_t *style, size_t n, size_t *bar);

/* The most cells of a table laid out in columns (a wider one is text). */
#define MARKUP_MAX_CELLS 32

/* How a table column is aligned (its delimiter cell: ---, :--, --:, :-:). */
enum markup_align { MARKUP_LEFT, MARKUP_RIGHT, MARKUP_CENTRE };

/*
 * markup_table_row: whether the n bytes of s are a table row ('|' first,
 * after at most three spaces) and if so split it into cells: cell i is the
 * cells[i].len bytes at s + cells[i].off, without the spaces around it; only
 * the first MARKUP_MAX_CELLS are filled in.  A '|' inside `code` or after a
 * backslash does not split.  Returns the number of cells (more than
 * MARKUP_MAX_CELLS for a row too wide to lay out), 0 when s is not a row.
 */
struct markup_cell {
	size_t off, len;
};
size_t markup_table_row(const char *s, size_t n, struct markup_cell *cells);

/*
 * markup_table_delimiter: whether the row's cells are a delimiter row
 * (each cell dashes with an optional ':' either end); fills align[]
 * (ncells of them).
 */
bool markup_table_delimiter(const char *s, const struct markup_cell *cells,
    size_t ncells, enum markup_align *align);

#endif
