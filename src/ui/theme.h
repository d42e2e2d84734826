/*
 * theme.h - colour themes and their file format (no curses).
 *
 * A theme gives each element of the screen a foreground, a background and
 * attributes.  Theme files (themes/NAME.theme; themes/default.theme documents
 * the format) have one element per line:
 *
 *	# element   foreground   background   attributes...
 *	title       white        blue         bold
 *	footer      colour244    default      dim
 *
 * Colours: default, black, red, green, yellow, blue, magenta, cyan, white,
 * bright-black .. bright-white (8..15), colour0 .. colour255 (or color).
 * Attributes: bold, dim, underline, reverse, italic, none.  Elements a
 * file does not name keep the built-in default theme's style.  On a
 * terminal with fewer colours, theme_reduce() maps each colour to the
 * nearest one it has and theme_draw() keeps each element readable there.
 *
 * The background element (colours only) is the theme's own ground: every
 * cell nothing else colours takes it (blank rows, cleared lines, margins),
 * and a "default" colour in the theme's other lines means its colour, not
 * the terminal's (theme_resolve).  So a light theme is light on a dark
 * terminal too.  A theme that does not name it (one written before it
 * existed) is drawn as it was: its reply colours fill the screen, and
 * "default" is the terminal's.
 */
#ifndef MIXCHAT_UI_THEME_H
#define MIXCHAT_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum theme_element {
	TH_TITLE,        /* the title bar */
	TH_STATUS,       /* the status bar */
	TH_STATUS_WARN,  /* spend at 80 % of the daily budget or more */
	TH_BUDGET,       /* BUDGET in the status bar */
	TH_MORE,         /* -MORE(n)- */
	TH_SPINNER,      /* the spinner while a reply streams */
	TH_USER,         /* the "you" label */
	TH_PROMPT,       /* the user's message */
	TH_MODEL,        /* the reply's label */
	TH_REPLY,        /* reply text */
	TH_CODE,         /* code block lines */
	TH_FENCE,        /* ``` lines */
	TH_STRONG,       /* **strong** text in a reply */
	TH_EMPH,         /* *emphasised* text in a reply */
	TH_INLINE_CODE,  /* `code` inside a reply line */
	TH_HEADING,      /* a "# heading" line of a reply */
	TH_LINK,         /* the text of a [link](url) in a reply */
	TH_FOOTER,       /* model · cost · latency ... */
	TH_RATING,       /* ★★★★☆ 4/5 */
	TH_ERROR,        /* error line under a reply */
	TH_NOTE,         /* messages from mixchat */
	TH_NOTE_ERROR,   /* failures reported by mixchat */
	TH_SELECTED,     /* the mark beside the selected reply */
	TH_INPUT,        /* the input line */
	TH_INPUT_PROMPT, /* the "›" before it */
	TH_BACKGROUND,   /* under everything; what "default" means */
	TH__COUNT,
};

#define THEME_DEFAULT_COLOUR (-1)

#define THEME_BOLD      0x1
#define THEME_DIM       0x2
#define THEME_UNDERLINE 0x4
#define THEME_REVERSE   0x8
#define THEME_ITALIC    0x10

struct theme_style {
	int16_t fg, bg; /* 0..255 or THEME_DEFAULT_COLOUR */
	uint8_t attrs;  /* THEME_* */
};

struct theme {
	char *name;
	struct theme_style styles[TH__COUNT];
	bool has_background; /* the file named the background element */
};

/* theme_init: the built-in default theme's styles, named name. */
void theme_init(struct theme *t, const char *name);
/* theme_release: free what the theme holds. */
void theme_release(struct theme *t);
/*
 * theme_parse: apply the lines of text (len bytes) to t.  Bad lines are
 * left out and the others applied: it then returns MC_ERR_PARSE with
 * *cause "NAME:LINE: what is wrong" (caller frees), a line for each (the
 * first 10; then "and N more").
 */
int theme_parse(struct theme *t, const char *text, size_t len, const char *name,
    char **cause) MC_WUR;
/*
 * theme_resolve: element e's style as drawn: when the theme names a
 * background, each "default" colour is the background's (which may itself
 * be default: the terminal's own).  For TH_BACKGROUND: the file's
 * background, else the reply's colours.
 */
void theme_resolve(
    const struct theme *t, enum theme_element e, struct theme_style *out);
/* theme_element_name / theme_element_from_name: "title" <-> TH_TITLE. */
const char *theme_element_name(enum theme_element e);
int theme_element_from_name(const char *s);
/* theme_colour_from_name: 0..255, THEME_DEFAULT_COLOUR, or -2 (unknown). */
int theme_colour_from_name(const char *s);
/*
 * theme_reduce: colour (0..255) as the nearest of the first ncolours (8 or
 * 16; 256 or more returns it unchanged).  *bold is set when an 8-colour
 * terminal shows a bright colour as bold.
 */
int theme_reduce(int colour, int ncolours, bool *bold);
/*
 * theme_draw: each element's style as a terminal of ncolours (8, 16, 256;
 * fewer: no colours) draws it, resolved (theme_resolve) and reduced, and
 * readable: no foreground that reduces onto its background or loses the
 * contrast the theme gave it (up to 3:1, WCAG's least for large text,
 * counted without the bold an 8-colour terminal may or may not show
 * bright) -- it takes the nearest colour that has it, on the terminal's
 * own background its own text colour.  A title or status bar that melts
 * into the theme's background is reversed; a grey fainter than the reply
 * text that gets the text's colour is dim.  The bold of a bright colour
 * on 8 colours is in attrs.
 */
void theme_draw(
    const struct theme *t, int ncolours, struct theme_style out[TH__COUNT]);
/* theme_contrast: WCAG contrast (1..21) of two colours (0..255; default is
 * a dark terminal's: light grey text on black). */
double theme_contrast(int fg, int bg);

#endif
