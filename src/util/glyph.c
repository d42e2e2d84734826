/*
 * glyph.c - the two sets of marks (see glyph.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/glyph.h"

static const char *const spinner_unicode[] = { "⠋", "⠙", "⠹", "⠸", "⠼", "⠴",
	"⠦", "⠧", "⠇", "⠏" };
static const char *const spinner_ascii[] = { "|", "/", "-", "\\" };

const struct glyphs glyph_unicode = {
	.sep = " · ",
	.ellipsis = "…",
	.prompt = "›",
	.more = "…",
	.more_below = "…",
	.quote = "▎",
	.selected = "▌",
	.hline = "─",
	.vline = "│",
	.cross = "┼",
	.tl = "┌",
	.tr = "┐",
	.bl = "└",
	.br = "┘",
	.star_on = "★",
	.star_off = "☆",
	.failed = "✗",
	.bullet = "•",
	.winner = "▶",
	.pm = "±",
	.arrows = "↑↓",
	.spinner = spinner_unicode,
	.nspinner = 10,
};

static const struct glyphs set_ascii = {
	.sep = " | ",
	.ellipsis = "...",
	.prompt = ">",
	.more = "<",
	.more_below = "v",
	.quote = "|",
	.selected = "|",
	.hline = "-",
	.vline = "|",
	.cross = "+",
	.tl = "+",
	.tr = "+",
	.bl = "+",
	.br = "+",
	.star_on = "*",
	.star_off = "-",
	.failed = "!",
	.bullet = "*",
	.winner = ">",
	.pm = "+-",
	.arrows = "Up/Down",
	.spinner = spinner_ascii,
	.nspinner = 4,
};

const struct glyphs *glyph = &glyph_unicode;

/*
 * Whether the environment says the terminal takes UTF-8: the first of
 * LC_ALL, LC_CTYPE and LANG that is set names UTF-8 (as tmux decides; a
 * locale need not be installed for its name to say so).
 */
static bool
environment_is_utf8(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		v = getenv(vars[i]);
		if (v != NULL && *v != '\0')
			return strcasestr(v, "UTF-8") != NULL ||
			       strcasestr(v, "UTF8") != NULL;
	}
	return false;
}

void
glyph_use(enum glyph_set set)
{
	if (set == GLYPHS_AUTO)
		set = environment_is_utf8() ? GLYPHS_UNICODE : GLYPHS_ASCII;
	glyph = set == GLYPHS_ASCII ? &set_ascii : &glyph_unicode;
}

int
glyph_set_from_name(const char *name)
{
	if (strcmp(name, "auto") == 0)
		return GLYPHS_AUTO;
	if (strcmp(name, "unicode") == 0)
		return GLYPHS_UNICODE;
	if (strcmp(name, "ascii") == 0)
		return GLYPHS_ASCII;
	return -1;
}
