/*
 * theme.c - theme files and colour reduction (see theme.h).  Owns the text
 * format of themes/NAME.theme, the fallback styles when a theme is broken,
 * what "default" means in a theme with its own background, and how each
 * element is drawn, readable, on a terminal with 8 or 16 colours.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/theme.h"
#include "util/suggest.h"
#include "util/xmalloc.h"

#define THEME_MAX_REPORTED 10 /* bad lines named; the rest counted */

static const char *const element_names[TH__COUNT] = {
	[TH_TITLE] = "title",
	[TH_STATUS] = "status",
	[TH_STATUS_WARN] = "status-warn",
	[TH_BUDGET] = "budget",
	[TH_MORE] = "more",
	[TH_SPINNER] = "spinner",
	[TH_USER] = "user",
	[TH_PROMPT] = "prompt",
	[TH_MODEL] = "model",
	[TH_REPLY] = "reply",
	[TH_CODE] = "code",
	[TH_FENCE] = "fence",
	[TH_STRONG] = "strong",
	[TH_EMPH] = "emph",
	[TH_INLINE_CODE] = "inline-code",
	[TH_HEADING] = "heading",
	[TH_LINK] = "link",
	[TH_FOOTER] = "footer",
	[TH_RATING] = "rating",
	[TH_ERROR] = "error",
	[TH_NOTE] = "note",
	[TH_NOTE_ERROR] = "note-error",
	[TH_SELECTED] = "selected",
	[TH_INPUT] = "input",
	[TH_INPUT_PROMPT] = "input-prompt",
	[TH_BACKGROUND] = "background",
};

static const char *const colour_names[16] = { "black", "red", "green", "yellow",
	"blue", "magenta", "cyan", "white", "bright-black", "bright-red",
	"bright-green", "bright-yellow", "bright-blue", "bright-magenta",
	"bright-cyan", "bright-white" };

/* The built-in default theme (themes/default.theme says the same). */
static const struct theme_style default_styles[TH__COUNT] = {
	[TH_TITLE] = { 15, 4, THEME_BOLD },
	[TH_STATUS] = { 15, 8, 0 },
	[TH_STATUS_WARN] = { 0, 3, THEME_BOLD },
	[TH_BUDGET] = { 0, 2, THEME_BOLD },
	[TH_MORE] = { 11, 8, THEME_BOLD },
	[TH_SPINNER] = { 14, 8, THEME_BOLD },
	[TH_USER] = { 12, -1, THEME_BOLD },
	[TH_PROMPT] = { -1, -1, THEME_BOLD },
	[TH_MODEL] = { 10, -1, THEME_BOLD },
	[TH_REPLY] = { -1, -1, 0 },
	[TH_CODE] = { 14, -1, 0 },
	[TH_FENCE] = { 8, -1, 0 },
	[TH_STRONG] = { -1, -1, THEME_BOLD },
	[TH_EMPH] = { -1, -1, THEME_ITALIC },
	[TH_INLINE_CODE] = { 14, -1, 0 },
	[TH_HEADING] = { -1, -1, THEME_BOLD | THEME_UNDERLINE },
	[TH_LINK] = { 12, -1, THEME_UNDERLINE },
	[TH_FOOTER] = { 8, -1, 0 },
	[TH_RATING] = { 11, -1, 0 },
	[TH_ERROR] = { 9, -1, THEME_BOLD },
	[TH_NOTE] = { 6, -1, 0 },
	[TH_NOTE_ERROR] = { 9, -1, 0 },
	[TH_SELECTED] = { 11, -1, THEME_BOLD },
	[TH_INPUT] = { -1, -1, 0 },
	[TH_INPUT_PROMPT] = { 12, -1, THEME_BOLD },
	[TH_BACKGROUND] = { -1, -1, 0 },
};

void
theme_init(struct theme *t, const char *name)
{
	t->name = xstrdup(name != NULL ? name : "default");
	memcpy(t->styles, default_styles, sizeof t->styles);
	t->has_background = false;
}

void
theme_release(struct theme *t)
{
	free(t->name);
	t->name = NULL;
}

void
theme_resolve(
    const struct theme *t, enum theme_element e, struct theme_style *out)
{
	*out = t->styles[e];
	if (!t->has_background) {
		/* A theme from before the background element is drawn as it
		 * was: its reply colours fill the screen, and default is the
		 * terminal's. */
		if (e == TH_BACKGROUND) {
			out->fg = t->styles[TH_REPLY].fg;
			out->bg = t->styles[TH_REPLY].bg;
		}
		return;
	}
	if (out->fg == THEME_DEFAULT_COLOUR)
		out->fg = t->styles[TH_BACKGROUND].fg;
	if (out->bg == THEME_DEFAULT_COLOUR)
		out->bg = t->styles[TH_BACKGROUND].bg;
}

const char *
theme_element_name(enum theme_element e)
{
	if ((int)e < 0 || e >= TH__COUNT)
		return "?";
	return element_names[e];
}

int
theme_element_from_name(const char *s)
{
	int i;

	for (i = 0; i < TH__COUNT; i++)
		if (strcmp(s, element_names[i]) == 0)
			return i;
	return -1;
}

int
theme_colour_from_name(const char *s)
{
	char *end;
	long v;
	int i;

	if (strcmp(s, "default") == 0)
		return THEME_DEFAULT_COLOUR;
	for (i = 0; i < 16; i++)
		if (strcmp(s, colour_names[i]) == 0)
			return i;
	if (strncmp(s, "colour", 6) == 0)
		s += 6;
	else if (strncmp(s, "color", 5) == 0)
		s += 5;
	else
		return -2;
	if (*s < '0' || *s > '9')
		return -2;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 255)
		return -2;
	return (int)v;
}

/* The 16 basic colours as xterm draws them, for nearest-colour matching. */
static const uint8_t basic_rgb[16][3] = { { 0, 0, 0 }, { 205, 0, 0 },
	{ 0, 205, 0 }, { 205, 205, 0 }, { 0, 0, 238 }, { 205, 0, 205 },
	{ 0, 205, 205 }, { 229, 229, 229 }, { 127, 127, 127 }, { 255, 0, 0 },
	{ 0, 255, 0 }, { 255, 255, 0 }, { 92, 92, 255 }, { 255, 0, 255 },
	{ 0, 255, 255 }, { 255, 255, 255 } };

static void
colour_rgb(int c, int rgb[3])
{
	static const int steps[6] = { 0, 95, 135, 175, 215, 255 };
	int i;

	if (c < 16) {
		for (i = 0; i < 3; i++)
			rgb[i] = basic_rgb[c][i];
	} else if (c < 232) {
		c -= 16;
		rgb[0] = steps[c / 36];
		rgb[1] = steps[(c / 6) % 6];
		rgb[2] = steps[c % 6];
	} else
		rgb[0] = rgb[1] = rgb[2] = 8 + (c - 232) * 10;
}

int
theme_reduce(int colour, int ncolours, bool *bold)
{
	int rgb[3], best = 0, i, limit, d, bestd = -1;

	*bold = false;
	if (colour < 0 || ncolours >= 256)
		return colour;
	if (colour >= 16) {
		colour_rgb(colour, rgb);
		limit = 16;
		for (i = 0; i < limit; i++) {
			d = (rgb[0] - basic_rgb[i][0]) *
			        (rgb[0] - basic_rgb[i][0]) +
			    (rgb[1] - basic_rgb[i][1]) *
			        (rgb[1] - basic_rgb[i][1]) +
			    (rgb[2] - basic_rgb[i][2]) *
			        (rgb[2] - basic_rgb[i][2]);
			if (bestd < 0 || d < bestd) {
				bestd = d;
				best = i;
			}
		}
		colour = best;
	}
	if (ncolours < 16 && colour >= 8) {
		*bold = true;
		colour -= 8;
	}
	return colour;
}

/*
 * Contrast, as WCAG measures it: (L1 + 0.05) / (L2 + 0.05) of the two
 * colours' relative luminances, 1 (the same) to 21 (black on white).  A
 * default colour is a dark terminal's: black under, light grey text.
 */
#define THEME_CONTRAST_WANTED 3.0 /* WCAG's least for large text */
#define THEME_CONTRAST_LEAST  1.5 /* below it, even if the theme says so */
#define THEME_DIMMER          0.8 /* fainter than the reply text: dim */

static void
drawn_rgb(int c, bool fg, int rgb[3])
{
	if (c >= 0) {
		colour_rgb(c, rgb);
		return;
	}
	rgb[0] = rgb[1] = rgb[2] = fg ? 229 : 0;
}

static double
luminance(const int rgb[3])
{
	static const double weight[3] = { 0.2126, 0.7152, 0.0722 };
	double l = 0, v;
	int i;

	for (i = 0; i < 3; i++) {
		v = rgb[i] / 255.0;
		v = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
		l += weight[i] * v;
	}
	return l;
}

static double
rgb_contrast(const int a[3], const int b[3])
{
	double la = luminance(a), lb = luminance(b);

	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

double
theme_contrast(int fg, int bg)
{
	int a[3], b[3];

	drawn_rgb(fg, true, a);
	drawn_rgb(bg, false, b);
	return rgb_contrast(a, b);
}

/* A grey: its channels within a few steps of each other. */
static bool
rgb_grey(const int rgb[3])
{
	int lo = rgb[0], hi = rgb[0], i;

	for (i = 1; i < 3; i++) {
		if (rgb[i] < lo)
			lo = rgb[i];
		if (rgb[i] > hi)
			hi = rgb[i];
	}
	return hi - lo <= 24;
}

/*
 * readable_colour: of the terminal's colours (the first 8, 16 or 256),
 * the nearest to want (rgb) that has contrast against bg; a grey stays a
 * grey (so the text of a status bar is not turned red).  None has it:
 * the one with the most.
 */
static int
readable_colour(const int want[3], int bg, int ncolours, double contrast)
{
	int n = ncolours >= 256 ? 256 : ncolours >= 16 ? 16 : 8;
	int i, j, rgb[3], bgrgb[3], best = -1, most = 0, d, bestd = 0;
	bool grey = rgb_grey(want);
	double c, mostc = 0;

	drawn_rgb(bg, false, bgrgb);
	for (i = 0; i < n; i++) {
		colour_rgb(i, rgb);
		if (grey && !rgb_grey(rgb))
			continue;
		c = rgb_contrast(rgb, bgrgb);
		if (c > mostc) {
			mostc = c;
			most = i;
		}
		if (c < contrast)
			continue;
		for (d = 0, j = 0; j < 3; j++)
			d += (rgb[j] - want[j]) * (rgb[j] - want[j]);
		if (best < 0 || d < bestd) {
			best = i;
			bestd = d;
		}
	}
	return best >= 0 ? best : most;
}

/*
 * draw_style: s (resolved) in the terminal's colours, on bg_forced when
 * it is not -2.  The foreground keeps the contrast the theme gave it, up
 * to THEME_CONTRAST_WANTED, counted without the bold an 8-colour terminal
 * may show bright (many don't); one that lost it is the readable colour
 * nearest the theme's, or on the terminal's own background (which may be
 * dark or light) the terminal's own text colour.  *bright: the bold is
 * only an 8-colour terminal's stand-in for a bright colour.
 */
static void
draw_style(const struct theme_style *s, int ncolours, int bg_forced,
    struct theme_style *out, bool *bright)
{
	bool bold, unused;
	int fg, bg, want[3];
	double wanted;

	*out = *s;
	*bright = false;
	if (ncolours < 8) {
		out->fg = out->bg = THEME_DEFAULT_COLOUR;
		return;
	}
	fg = theme_reduce(s->fg, ncolours, &bold);
	bg = bg_forced != -2 ? bg_forced
	                     : theme_reduce(s->bg, ncolours, &unused);
	if (bold && !(s->attrs & THEME_BOLD)) {
		out->attrs |= THEME_BOLD;
		*bright = true;
	}
	if (fg != THEME_DEFAULT_COLOUR || bg != THEME_DEFAULT_COLOUR) {
		wanted = theme_contrast(s->fg, s->bg);
		if (wanted > THEME_CONTRAST_WANTED)
			wanted = THEME_CONTRAST_WANTED;
		if (wanted < THEME_CONTRAST_LEAST)
			wanted = THEME_CONTRAST_LEAST;
		if (theme_contrast(fg, bg) < wanted) {
			drawn_rgb(s->fg, true, want);
			fg = bg == THEME_DEFAULT_COLOUR
			         ? THEME_DEFAULT_COLOUR
			         : readable_colour(want, bg, ncolours, wanted);
			if (*bright)
				out->attrs &= (uint8_t)~THEME_BOLD;
			*bright = false;
		}
	}
	out->fg = (int16_t)fg;
	out->bg = (int16_t)bg;
}

void
theme_draw(
    const struct theme *t, int ncolours, struct theme_style out[TH__COUNT])
{
	struct theme_style s[TH__COUNT];
	bool bright[TH__COUNT];
	int e, fgrgb[3];
	int16_t swap;
	double text;
	bool unused;

	for (e = 0; e < TH__COUNT; e++)
		theme_resolve(t, (enum theme_element)e, &s[e]);
	for (e = 0; e < TH__COUNT; e++) {
		/* What sits in the status bar is on its background as drawn. */
		if ((e == TH_MORE || e == TH_SPINNER) &&
		    s[e].bg == s[TH_STATUS].bg)
			draw_style(&s[e], ncolours, out[TH_STATUS].bg, &out[e],
			    &bright[e]);
		else
			draw_style(&s[e], ncolours, -2, &out[e], &bright[e]);
		/* A bar (title, status) the theme sets apart from its own
		 * background but the terminal has no other colour for is
		 * drawn reversed, a bar still. */
		if ((e == TH_TITLE || e == TH_STATUS) && t->has_background &&
		    s[e].bg != s[TH_BACKGROUND].bg && out[e].fg >= 0 &&
		    out[e].bg >= 0 &&
		    out[e].bg ==
		        theme_reduce(s[TH_BACKGROUND].bg, ncolours, &unused)) {
			if (bright[e])
				out[e].attrs &= (uint8_t)~THEME_BOLD;
			bright[e] = false;
			swap = out[e].fg;
			out[e].fg = out[e].bg;
			out[e].bg = swap;
		}
	}
	/* A grey the theme draws fainter than the reply text (a footer, a
	 * fence) but the terminal only has the text's colour for is dim. */
	text = theme_contrast(s[TH_REPLY].fg, s[TH_REPLY].bg);
	for (e = 0; e < TH__COUNT; e++) {
		if (e == TH_REPLY || e == TH_BACKGROUND || s[e].fg < 0 ||
		    ncolours < 8)
			continue;
		colour_rgb(s[e].fg, fgrgb);
		if (!rgb_grey(fgrgb) || out[e].fg != out[TH_REPLY].fg ||
		    out[e].bg != out[TH_REPLY].bg ||
		    theme_contrast(s[e].fg, s[e].bg) >= text * THEME_DIMMER)
			continue;
		out[e].attrs |= THEME_DIM;
		if (bright[e])
			out[e].attrs &= (uint8_t)~THEME_BOLD;
	}
}

/* The words a theme line may hold, for "did you mean". */
static const char *const colour_words[17] = { "default", "black", "red",
	"green", "yellow", "blue", "magenta", "cyan", "white", "bright-black",
	"bright-red", "bright-green", "bright-yellow", "bright-blue",
	"bright-magenta", "bright-cyan", "bright-white" };
static const char *const attr_words[6] = { "bold", "dim", "underline",
	"reverse", "italic", "none" };

/* ": did you mean 'NAME'?" for the word of words nearest word (within 2
 * edits; any case), or "" (static: one use per call of bad_line). */
static const char *
did_you_mean(const char *word, const char *const *words, size_t n)
{
	static char s[64];
	const char *near = suggest_name_nocase(word, words, n);

	if (near == NULL)
		return "";
	snprintf(s, sizeof s, ": did you mean '%s'?", near);
	return s;
}

/* One more bad line for *cause (problems_add), the first THEME_MAX_REPORTED named. */
#define bad_line(cause, nbad, ...) \
	problems_add(cause, nbad, THEME_MAX_REPORTED, __VA_ARGS__)
#define bad_lines_end(cause, nbad) problems_end(cause, nbad, THEME_MAX_REPORTED)

int
theme_parse(struct theme *t, const char *text, size_t len, const char *name,
    char **cause)
{
	size_t pos = 0, end, lineno = 0, nbad = 0;
	char *line = NULL, *words[12], *p;
	const char *nl;
	int n, e, fg, bg, i;
	uint8_t attrs;

	*cause = NULL;
	while (pos < len) {
		nl = memchr(text + pos, '\n', len - pos);
		end = nl != NULL ? (size_t)(nl - text) : len;
		lineno++;
		if (memchr(text + pos, '\0', end - pos) != NULL) {
			bad_line(cause, &nbad,
			    "%s:%zu: a NUL byte (is it a text file?)", name,
			    lineno);
			pos = end + 1;
			continue;
		}
		free(line);
		line = xstrndup(text + pos, end - pos);
		pos = end + 1;
		n = 0;
		p = line;
		while (*p != '\0' && n < 12) {
			while (*p == ' ' || *p == '\t' || *p == '\r')
				p++;
			if (*p == '\0' || *p == '#')
				break;
			words[n++] = p;
			while (
			    *p != '\0' && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			if (*p != '\0')
				*p++ = '\0';
		}
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		/* A bad line is named and left out; the others apply. */
		if (n == 12 && *p != '\0' && *p != '#') {
			bad_line(cause, &nbad,
			    "%s:%zu: too many words ('%.40s' and on): an "
			    "element, two colours and at most 9 attributes",
			    name, lineno, p);
			continue;
		}
		if (n == 0)
			continue;
		if (n < 3) {
			bad_line(cause, &nbad,
			    "%s:%zu: expected 'ELEMENT FOREGROUND BACKGROUND "
			    "[ATTRIBUTES]'",
			    name, lineno);
			continue;
		}
		if ((e = theme_element_from_name(words[0])) < 0) {
			bad_line(cause, &nbad, "%s:%zu: unknown element '%s'%s",
			    name, lineno, words[0],
			    did_you_mean(words[0], element_names, TH__COUNT));
			continue;
		}
		fg = theme_colour_from_name(words[1]);
		bg = theme_colour_from_name(words[2]);
		if (fg == -2 || bg == -2) {
			p = fg == -2 ? words[1] : words[2];
			bad_line(cause, &nbad,
			    "%s:%zu: %s: unknown colour '%s'%s (a name, "
			    "colour0..colour255 or default)",
			    name, lineno, words[0], p,
			    did_you_mean(p, colour_words, 17));
			continue;
		}
		attrs = 0;
		for (i = 3; i < n; i++) {
			if (strcmp(words[i], "bold") == 0)
				attrs |= THEME_BOLD;
			else if (strcmp(words[i], "dim") == 0)
				attrs |= THEME_DIM;
			else if (strcmp(words[i], "underline") == 0)
				attrs |= THEME_UNDERLINE;
			else if (strcmp(words[i], "reverse") == 0)
				attrs |= THEME_REVERSE;
			else if (strcmp(words[i], "italic") == 0)
				attrs |= THEME_ITALIC;
			else if (strcmp(words[i], "none") != 0)
				break;
		}
		if (i < n) {
			bad_line(cause, &nbad,
			    "%s:%zu: %s: unknown attribute '%s'%s", name,
			    lineno, words[0], words[i],
			    did_you_mean(words[i], attr_words, 6));
			continue;
		}
		/* Attributes under everything would be on everything. */
		if (e == TH_BACKGROUND && attrs != 0) {
			bad_line(cause, &nbad,
			    "%s:%zu: background: colours only (no "
			    "attributes)",
			    name, lineno);
			continue;
		}
		if (e == TH_BACKGROUND)
			t->has_background = true;
		t->styles[e].fg = (int16_t)fg;
		t->styles[e].bg = (int16_t)bg;
		t->styles[e].attrs = attrs;
	}
	bad_lines_end(cause, nbad);
	free(line);
	return nbad > 0 ? MC_ERR_PARSE : MC_OK;
}
