/*
 * glyph.h - the marks mixchat draws itself (separators, the prompt, rules,
 * boxes, stars, the spinner), in one of two sets: Unicode, the default,
 * and ASCII, for terminals that cannot show the Unicode ones or show them
 * two columns wide (a Linux console, a CJK terminal that treats
 * "ambiguous" characters as wide, a locale that is not UTF-8).  Every
 * mark of a set is one display column, but for `sep`, `ellipsis`, `pm`
 * and `arrows`, which callers measure.  Text from models and users is
 * never changed.
 */
#ifndef MIXCHAT_GLYPH_H
#define MIXCHAT_GLYPH_H

#include <stdbool.h>

struct glyphs {
	const char *sep;                /* between fields: " · " */
	const char *ellipsis;           /* a cut: "…" */
	const char *prompt;             /* the input line: "›" */
	const char *more;               /* the input scrolled: "…" */
	const char *more_below;         /* ... and rows below shown: "…" */
	const char *quote;              /* a quote's bar: "▎" */
	const char *selected;           /* the selected reply's margin: "▌" */
	const char *hline;              /* rules and box edges: "─" */
	const char *vline;              /* table columns and box edges: "│" */
	const char *cross;              /* a table rule's column: "┼" */
	const char *tl, *tr, *bl, *br;  /* box corners */
	const char *star_on, *star_off; /* a rating: "★" "☆" */
	const char *failed;             /* a failed reply: "✗" */
	const char *bullet;             /* a list item: "•" */
	const char *winner;             /* /why's winner: "▶" */
	const char *pm;                 /* plus or minus: "±" */
	const char *arrows;             /* the popup's scroll keys: "↑↓" */
	const char *const *spinner;
	int nspinner;
};

enum glyph_set { GLYPHS_AUTO, GLYPHS_UNICODE, GLYPHS_ASCII };

/* The set in use (Unicode until glyph_use() says otherwise). */
extern const struct glyphs *glyph;
/* The Unicode set, whatever is in use: for files (an exported
 * conversation is Markdown, not a screen). */
extern const struct glyphs glyph_unicode;

/*
 * glyph_use: switch to a set; GLYPHS_AUTO is ASCII when the environment's
 * locale (LC_ALL, LC_CTYPE, LANG) is not UTF-8, else Unicode.  The
 * process's locale is left as it was.
 */
void glyph_use(enum glyph_set set);

/* glyph_set_from_name: "auto", "unicode" or "ascii"; -1 for anything
 * else. */
int glyph_set_from_name(const char *name);

#endif
