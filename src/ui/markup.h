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
 *	\*                 -> "*" (a backslash keeps a marker literal)
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

#include <stddef.h>
#include <stdint.h>

/* Style bits of a byte of drawn text. */
#define MARKUP_STRONG  0x1
#define MARKUP_EMPH    0x2
#define MARKUP_CODE    0x4
#define MARKUP_HEADING 0x8

/* The most a line can grow: "- " becomes "• " (two bytes more). */
#define MARKUP_GROWTH 2

/*
 * markup_line: rewrite the n bytes of one line (no '\n') into out, with the
 * style of each output byte in style.  out and style must hold n +
 * MARKUP_GROWTH bytes; they may not overlap in.  Only ASCII markers are
 * removed, so valid UTF-8 stays valid.  Returns the output length.
 */
size_t markup_line(const char *in, size_t n, char *out, uint8_t *style);

#endif
