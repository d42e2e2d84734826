/*
 * test_ui.c - the chat screen's pure parts: wrapping by display width,
 * the layout of a conversation (code blocks, footer, rating, errors, 10,000
 * lines), a reply's inline Markdown, key maps, themes, the built-in copies of the data files, and the
 * input editor.
 */
#include "config.h"

#include <sys/stat.h>

#include "test.h"
#include "ui/builtin.h"
#include "ui/editor.h"
#include "ui/keymap.h"
#include "ui/markup.h"
#include "ui/resource.h"
#include "ui/theme.h"
#include "ui/view.h"
#include "util/glyph.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

/* Wrap s at width into '|'-joined lines. */
static char *
wrap_all(const char *s, size_t width, bool words)
{
	struct buf b;
	size_t n = strlen(s), pos = 0, take, skip;

	buf_init(&b, 1 << 20);
	while (pos < n) {
		take = view_wrap_next(s + pos, n - pos, width, words, &skip);
		if (b.len > 0 && buf_addch(&b, '|') != MC_OK)
			abort();
		if (buf_add(&b, s + pos, take) != MC_OK)
			abort();
		pos += take + skip;
	}
	return b.data != NULL ? buf_detach(&b, NULL) : xstrdup("");
}

TEST(wrap_breaks_at_spaces)
{
	char *s;

	s = wrap_all("the quick brown fox jumps", 10, true);
	CHECK_STR(s, "the quick|brown fox|jumps");
	free(s);
	/* A word longer than the line is split. */
	s = wrap_all("abcdefghijkl xy", 5, true);
	CHECK_STR(s, "abcde|fghij|kl xy");
	free(s);
	/* Without words (code), it breaks exactly at the width. */
	s = wrap_all("the quick brown", 4, false);
	CHECK_STR(s, "the |quic|k br|own");
	free(s);
}

TEST(wrap_cjk_and_emoji_by_display_width)
{
	char *s;

	/* Each CJK character is two columns: two fit in 5 columns. */
	s = wrap_all("日本語のテキスト", 5, true);
	CHECK_STR(s, "日本|語の|テキ|スト");
	free(s);
	s = wrap_all("😀😀😀", 3, true);
	CHECK_STR(s, "😀|😀|😀");
	free(s);
	/* A wide character on a one-column line still goes alone. */
	s = wrap_all("日x", 1, true);
	CHECK_STR(s, "日|x");
	free(s);
	/* Lines may break between CJK characters without a space. */
	s = wrap_all("hello日本", 7, true);
	CHECK_STR(s, "hello日|本");
	free(s);
}

/* Strings the exchanges point at, freed at the end. */
static char *pool[64];
static size_t npool;

static char *
S(const char *s)
{
	if (npool == sizeof pool / sizeof pool[0])
		abort();
	return pool[npool++] = xstrdup(s);
}

static void
exchange_init(struct app_exchange *ex, const char *prompt, const char *reply)
{
	memset(ex, 0, sizeof *ex);
	ex->prompt = S(prompt);
	ex->reply = S(reply);
	ex->reply_len = strlen(reply);
	ex->winner = -1;
	ex->state = REPLY_DONE;
	ex->version = 1;
}

/* The text of every line of the view, '\n'-joined, kinds as a letter. */
static char *
view_dump(struct view *v)
{
	static const char kinds[] = "PRCFfENnBHT";
	struct buf b;
	const struct view_line *line;
	const char *text;
	size_t i, k, total = view_total(v);

	buf_init(&b, 1 << 24);
	for (i = 0; i < total; i++) {
		line = view_line(v, i, &text, NULL);

		/* A hanging line: its indent as spaces, a quote's bar. */
		if (buf_addch(&b, kinds[line->kind]) != MC_OK ||
		    buf_addch(&b, ':') != MC_OK)
			abort();
		for (k = 0; k < line->indent; k++)
			if (buf_addstr(&b, line->bar == k + 1 ? "▎" : " ") !=
			    MC_OK)
				abort();
		if (buf_add(&b, text, line->len) != MC_OK ||
		    buf_addch(&b, '\n') != MC_OK)
			abort();
	}
	return b.data != NULL ? buf_detach(&b, NULL) : xstrdup("");
}

TEST(view_lays_out_an_exchange)
{
	struct view v;
	struct app_exchange ex;
	char *dump;

	exchange_init(&ex, "sort a list?",
	    "Use sorted:\n```python\nxs = sorted(xs)\n```\nDone.");
	ex.model = S("gpt-4.1-mini");
	ex.state = REPLY_DONE;
	ex.cost_usd = 0.00042;
	ex.latency_ms = 1300;
	ex.ttft_ms = 310;
	ex.tokens_out = 208;
	view_init(&v, 100);
	CHECK(view_sync(&v, 0, &ex));
	dump = view_dump(&v);
	CHECK_STR(dump,
	    "P:sort a list?\n"
	    "R:Use sorted:\n"
	    "F:```python\n"
	    "C:xs = sorted(xs)\n"
	    "F:```\n"
	    "R:Done.\n"
	    "f:gpt-4.1-mini · $0.00042 · 1.3 s (first token 310 ms) "
	    "· 208 tok · 160 tok/s\n"
	    "B:\n");
	free(dump);
	/* A reasoning model's <think> block: apart and dim (footer lines),
	 * without its tags; the answer after it as the reply. */
	{
		struct view v3;
		struct app_exchange e3;
		char *d3;

		exchange_init(&e3, "q",
		    "<think>\nI reason about it.\n</think>\n\nThe answer is 42.");
		e3.model = S("m");
		view_init(&v3, 100);
		CHECK(view_sync(&v3, 0, &e3));
		d3 = view_dump(&v3);
		CHECK(
		    strncmp(d3,
		        "P:q\nT:thinking:\nT:I reason about it.\nR:The "
		        "answer is 42.\nf:m ",
		        strlen("P:q\nT:thinking:\nT:I reason about it.\nR:The "
		               "answer is 42.\nf:m ")) == 0);
		CHECK(strstr(d3, "<think>") == NULL);
		free(d3);
		/* Finished but never closed: text that merely starts so. */
		e3.reply = "<think> is a tag some models write";
		e3.reply_len = strlen(e3.reply);
		e3.version++;
		CHECK(view_sync(&v3, 0, &e3));
		d3 = view_dump(&v3);
		CHECK(strstr(d3, "R:<think> is a tag some models write\n") !=
		      NULL);
		CHECK(strstr(d3, "thinking:") == NULL);
		free(d3);
		view_release(&v3);
	}
	/* Blank lines at the end of a finished reply are not drawn. */
	{
		struct view v2;
		struct app_exchange e2;
		char *d2;

		exchange_init(&e2, "q", "text\n\n\n  \n");
		e2.model = S("m");
		view_init(&v2, 100);
		CHECK(view_sync(&v2, 0, &e2));
		d2 = view_dump(&v2);
		CHECK(strncmp(d2, "P:q\nR:text\nf:m ", 15) == 0);
		free(d2);
		view_release(&v2);
	}
	/* Same version: nothing to do.  A rating: the footer shows it. */
	CHECK(!view_sync(&v, 0, &ex));
	ex.rating = 4;
	ex.version++;
	CHECK(view_sync(&v, 0, &ex));
	dump = view_dump(&v);
	CHECK(strstr(dump, "160 tok/s · ★★★★☆ 4/5\n") != NULL);
	free(dump);
	/* The rating is marked for its own colour. */
	{
		const char *text;
		const struct view_line *l = view_line(&v, 6, &text, NULL);

		CHECK(l->kind == VIEW_FOOTER);
		CHECK(l->mark < l->len);
		CHECK(strncmp(text + l->mark, "★★★★☆", strlen("★★★★☆")) == 0);
	}
	/* Narrow: the footer breaks between fields, not inside one; the
	 * separator ends the line broken (when it fits), and no line
	 * starts with one. */
	view_set_width(&v, 30);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "f:gpt-4.1-mini · $0.00042 ·\n"
	                   "f:1.3 s (first token 310 ms) ·\n"
	                   "f:208 tok · 160 tok/s ·\n"
	                   "f:★★★★☆ 4/5\n") != NULL);
	CHECK(strstr(dump, "f:·") == NULL);
	free(dump);
	{
		const char *text;
		const struct view_line *l = NULL;
		size_t i;

		for (i = 0; i < view_total(&v); i++) {
			l = view_line(&v, i, &text, NULL);
			if (strncmp(text, "★", strlen("★")) == 0)
				break;
		}
		CHECK(i < view_total(&v));
		CHECK(l->kind == VIEW_FOOTER && l->mark == 0);
	}
	/* Too narrow for the separator after "1.3 s (first token 310
	 * ms)" (26 columns): dropped at the break, not moved down. */
	view_set_width(&v, 27);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "f:1.3 s (first token 310 ms)\n"
	                   "f:208 tok · 160 tok/s ·\n") != NULL);
	CHECK(strstr(dump, "f:·") == NULL);
	free(dump);
	/* Narrower than that field: broken before its parenthesis, never
	 * between "310" and "ms". */
	view_set_width(&v, 24);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "f:1.3 s\n"
	                   "f:(first token 310 ms)\n") != NULL);
	free(dump);
	view_release(&v);
}

/*
 * A line drawn by markup_line, each styled run as <LETTERS>text</>
 * (s strong, e emph, c code, h heading, l link, u its url).
 */
static char *
md(const char *in)
{
	size_t n = strlen(in), len, i, j;
	char *out = xmalloc(n + MARKUP_GROWTH + 1);
	uint8_t *st = xmalloc(n + MARKUP_GROWTH + 1);
	struct buf b;

	len = markup_line(in, n, out, st);
	CHECK(len <= n + MARKUP_GROWTH);
	/* The marks' own bit is for markup_hang (view_lays_out_tables). */
	for (i = 0; i < len; i++)
		st[i] &= (uint8_t)~MARKUP_MARK;
	buf_init(&b, 1 << 20);
	for (i = 0; i < len; i = j) {
		for (j = i; j < len && st[j] == st[i]; j++)
			;
		if (st[i] != 0 && buf_printf(&b, "<%s%s%s%s%s%s>",
		                      st[i] & MARKUP_STRONG ? "s" : "",
		                      st[i] & MARKUP_EMPH ? "e" : "",
		                      st[i] & MARKUP_CODE ? "c" : "",
		                      st[i] & MARKUP_HEADING ? "h" : "",
		                      st[i] & MARKUP_LINK ? "l" : "",
		                      st[i] & MARKUP_URL ? "u" : "") != MC_OK)
			abort();
		if (buf_add(&b, out + i, j - i) != MC_OK ||
		    (st[i] != 0 && buf_add(&b, "</>", 3) != MC_OK))
			abort();
	}
	free(out);
	free(st);
	return b.data != NULL ? buf_detach(&b, NULL) : xstrdup("");
}

#define CHECK_MD(in, want)             \
	do {                           \
		char *got_ = md(in);   \
		CHECK_STR(got_, want); \
		free(got_);            \
	} while (0)

TEST(markup_draws_inline_markdown)
{
	CHECK_MD("The capital is **Paris**.", "The capital is <s>Paris</>.");
	CHECK_MD("__strong__ and *emph* and _emph_",
	    "<s>strong</> and <e>emph</> and <e>emph</>");
	CHECK_MD("***both*** done", "<se>both</> done");
	CHECK_MD("*a **b***", "<e>a </><se>b</>");
	CHECK_MD("**bold `code` bold**", "<s>bold </><sc>code</><s> bold</>");
	CHECK_MD(
	    "call `qsort()` or ``a ` b``", "call <c>qsort()</> or <c>a ` b</>");
	CHECK_MD("inside `*no* **markup**` here",
	    "inside <c>*no* **markup**</> here");
	CHECK_MD("## Step **two**", "<h>Step </><sh>two</>");
	CHECK_MD("#hashtag, not a heading", "#hashtag, not a heading");
	CHECK_MD("- item", "• item");
	CHECK_MD("  * nested *item*", "  • nested <e>item</>");
	CHECK_MD("+ plus", "• plus");
	CHECK_MD("1. numbered stays", "1. numbered stays");
	/* Text, not markup: every character kept. */
	CHECK_MD("snake_case_name and __init__.py's x__y",
	    "snake_case_name and <s>init</>.py's x__y");
	CHECK_MD("2 * 3 * 4, *.c and *.h", "2 * 3 * 4, *.c and *.h");
	CHECK_MD("**unclosed bold", "**unclosed bold");
	CHECK_MD("`unclosed code", "`unclosed code");
	CHECK_MD("** spaced **", "** spaced **");
	CHECK_MD("\\*literal\\* and \\`tick\\`", "*literal* and `tick`");
	CHECK_MD("- - -", "- - -");
	CHECK_MD("-", "-");
	CHECK_MD("- ", "- ");
	CHECK_MD("", "");
	CHECK_MD("日本語 **太字** `コード`", "日本語 <s>太字</> <c>コード</>");
	CHECK_MD("see [the docs](https://x.org/a_b) now",
	    "see <l>the docs</><u> (https://x.org/a_b)</> now");
	CHECK_MD("[**bold** link](u)", "<sl>bold</><l> link</><u> (u)</>");
	CHECK_MD("[not a link] (u) and [x](has space) and [](u) and [a]()",
	    "[not a link] (u) and [x](has space) and [](u) and [a]()");
	CHECK_MD("[a\\]b](u)", "<l>a]b</><u> (u)</>");
	CHECK_MD("*a \\*", "*a *");
	CHECK_MD("*a `b*` c*", "<e>a </><ec>b*</><e> c</>");
	CHECK_MD("**a `**` b**", "<s>a </><sc>**</><s> b</>");
	CHECK_MD("> a **quoted** line", "▎ <e>a </><se>quoted</><e> line</>");
	CHECK_MD(">no space", "▎ <e>no space</>");
	CHECK_MD("> - quoted item", "▎ <e>• quoted item</>");
}

TEST(markup_splits_table_rows)
{
	struct markup_cell c[MARKUP_MAX_CELLS];
	enum markup_align al[MARKUP_MAX_CELLS];
	const char *row = "| a | `x | y` | b \\| c |  |";
	const char *delim = "|:--|--:|:-:|---|";
	size_t n;

	n = markup_table_row(row, strlen(row), c);
	CHECK(n == 4);
	CHECK(c[0].len == 1 && row[c[0].off] == 'a');
	CHECK(c[1].len == 7 && strncmp(row + c[1].off, "`x | y`", 7) == 0);
	CHECK(c[2].len == 6 && strncmp(row + c[2].off, "b \\| c", 6) == 0);
	CHECK(c[3].len == 0);
	/* No trailing '|': the last cell still counts. */
	CHECK(markup_table_row("| a | b", 7, c) == 2);
	CHECK(markup_table_row("a | b", 5, c) == 0);
	CHECK(markup_table_row("    | indented code", 19, c) == 0);
	n = markup_table_row(delim, strlen(delim), c);
	CHECK(n == 4);
	CHECK(markup_table_delimiter(delim, c, n, al));
	CHECK(al[0] == MARKUP_LEFT && al[1] == MARKUP_RIGHT &&
	      al[2] == MARKUP_CENTRE && al[3] == MARKUP_LEFT);
	n = markup_table_row(row, strlen(row), c);
	CHECK(!markup_table_delimiter(row, c, n, al));
	CHECK(markup_table_row("|-|:|", 5, c) == 2);
	CHECK(!markup_table_delimiter("|-|:|", c, 2, al));
}

/* Lay out reply as exchange 0 of v (a new version each time); its dump. */
static char *
relayout(struct view *v, const char *reply)
{
	static uint64_t version = 1000;
	struct app_exchange ex;

	exchange_init(&ex, "q", reply);
	ex.version = ++version;
	view_sync(v, 0, &ex);
	return view_dump(v);
}

TEST(view_lays_out_tables)
{
	struct view v;
	struct app_exchange ex;
	const struct view_block *b;
	const struct view_line *l;
	const char *text;
	char *dump;
	const char *reply = "Prices:\n"
	                    "| Model | USD |\n"
	                    "|---|--:|\n"
	                    "| **mini** | 0.4 |\n"
	                    "| 日本語 | 12.50 |\n"
	                    "Done.";

	exchange_init(&ex, "q", reply);
	view_init(&v, 40);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK_STR(dump, "P:q\n"
	                "R:Prices:\n"
	                "R:Model  │   USD\n"
	                "R:───────┼──────\n"
	                "R:mini   │   0.4\n"
	                "R:日本語 │ 12.50\n"
	                "R:Done.\n"
	                "B:\n");
	free(dump);
	/* The header is bold, the rules drawn as rules, **mini** bold. */
	l = view_line(&v, 2, &text, &b);
	CHECK(b->style[l->off] == MARKUP_STRONG);
	CHECK(b->style[l->off + strlen("Model  ")] == MARKUP_RULE);
	l = view_line(&v, 4, &text, &b);
	CHECK(b->style[l->off] == MARKUP_STRONG);
	CHECK(b->style[l->off + strlen("mini")] == 0);
	/* Too wide for the line: the rows are text, wrapped as usual. */
	view_set_width(&v, 12);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "R:| Model |\n") != NULL);
	CHECK(strstr(dump, "│") == NULL);
	free(dump);
	view_release(&v);
	/* While it streams: a header alone is text until its delimiter row
	 * arrives; then a table with no rows yet. */
	exchange_init(&ex, "q", "| a | b |");
	view_init(&v, 40);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK_STR(dump, "P:q\nR:| a | b |\nB:\n");
	free(dump);
	dump = relayout(&v, "| a | b |\n|---|---|");
	CHECK_STR(dump, "P:q\nR:a │ b\nR:──┼──\nB:\n");
	free(dump);
	/* While the reply streams, a table at its end is text: its columns
	 * are laid out once, when it ends (or the reply does), not again
	 * with each wider cell. */
	ex.reply = "| Method | Copies |\n|---|---|\n| memcpy | 1 |\n| m";
	ex.reply_len = strlen(ex.reply);
	ex.state = REPLY_STREAMING;
	ex.version = 77;
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK_STR(dump, "P:q\n"
	                "R:| Method | Copies |\n"
	                "R:|---|---|\n"
	                "R:| memcpy | 1 |\n"
	                "R:| m\n"
	                "B:\n");
	free(dump);
	ex.reply = "| Method | Copies |\n|---|---|\n| memcpy | 1 |\n\nNext";
	ex.reply_len = strlen(ex.reply);
	ex.version++;
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK_STR(dump, "P:q\n"
	                "R:Method │ Copies\n"
	                "R:───────┼───────\n"
	                "R:memcpy │ 1\n"
	                "R:\n"
	                "R:Next\n"
	                "B:\n");
	free(dump);
	ex.reply = "| Method | Copies |\n|---|---|\n| memcpy | 1 |\n";
	ex.reply_len = strlen(ex.reply);
	ex.state = REPLY_DONE;
	ex.version++;
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK_STR(dump, "P:q\n"
	                "R:Method │ Copies\n"
	                "R:───────┼───────\n"
	                "R:memcpy │ 1\n"
	                "B:\n");
	free(dump);
	/* Wrapped list items and quotes hang under their text; a quote's
	 * bar is repeated. */
	view_set_width(&v, 12);
	dump = relayout(&v,
	    "- one two three four\n  12. alpha beta gamma\n> quoted words "
	    "wrap here");
	CHECK_STR(dump, "P:q\n"
	                "R:• one two\n"
	                "R:  three four\n"
	                "R:  12. alpha\n"
	                "R:      beta\n"
	                "R:      gamma\n"
	                "R:▎ quoted\n"
	                "R:▎ words wrap\n"
	                "R:▎ here\n"
	                "B:\n");
	free(dump);
	view_set_width(&v, 40);
	/* The same with the ASCII marks; a reply's own "| " at the start of
	 * a line is its text, not a quote: it does not hang. */
	glyph_use(GLYPHS_ASCII);
	view_set_width(&v, 12);
	dump = relayout(&v,
	    "- one two three four\n> quoted words wrap here\n| a pipe "
	    "not a table");
	CHECK_STR(dump, "P:q\n"
	                "R:* one two\n"
	                "R:  three four\n"
	                "R:| quoted\n"
	                "R:▎ words wrap\n"
	                "R:▎ here\n"
	                "R:| a pipe not\n"
	                "R:a table\n"
	                "B:\n");
	free(dump);
	glyph_use(GLYPHS_UNICODE);
	view_set_width(&v, 40);
	/* A rule across the line. */
	view_set_width(&v, 6);
	dump = relayout(&v, "above\n\n---\n* * *\nbelow --- here");
	CHECK_STR(dump, "P:q\nR:above\nR:\nH:\nH:\nR:below\nR:---\n"
	                "R:here\nB:\n");
	free(dump);
	view_set_width(&v, 40);
	/* Setext headings: the line above "===" or "---" is a heading, the
	 * underline goes; under a list item or a blank line it is not. */
	dump = relayout(&v, "Title\n=====\nbody\nSub\n---\n- item\n---\n===");
	CHECK_STR(dump, "P:q\nR:Title\nR:body\nR:Sub\nR:• item\nH:\nR:===\n"
	                "B:\n");
	free(dump);
	l = view_line(&v, 1, &text, &b);
	CHECK(b->style != NULL && b->style[l->off] == MARKUP_HEADING &&
	      b->style[l->off + 4] == MARKUP_HEADING);
	l = view_line(&v, 2, &text, &b);
	CHECK(b->style[l->off] == 0); /* body */
	l = view_line(&v, 3, &text, &b);
	CHECK(b->style[l->off] == MARKUP_HEADING); /* Sub */
	/* Nothing is dropped: a row with more cells than the header, or a
	 * table of more than MARKUP_MAX_CELLS columns, is shown as text. */
	dump = relayout(&v, "| a | b |\n|---|---|\n| 1 | 2 | kept |");
	CHECK(strstr(dump, "kept") != NULL);
	CHECK(strstr(dump, "│") == NULL);
	free(dump);
	{
		struct buf wide;
		size_t c;

		buf_init(&wide, 1 << 20);
		for (c = 0; c < MARKUP_MAX_CELLS + 2; c++)
			CHECK(buf_printf(&wide, "|%zu", c % 10) == MC_OK);
		CHECK(buf_addstr(&wide, "|\n") == MC_OK);
		for (c = 0; c < MARKUP_MAX_CELLS + 2; c++)
			CHECK(buf_addstr(&wide, "|-") == MC_OK);
		CHECK(buf_addstr(&wide, "|") == MC_OK);
		view_set_width(&v, 400);
		dump = relayout(&v, buf_str(&wide));
		CHECK(strstr(dump, "│") == NULL);
		CHECK(strstr(dump, "|3|4|") != NULL);
		free(dump);
		buf_release(&wide);
		view_set_width(&v, 40);
	}
	/* Lines ending in CR LF make a table too; a short row has no
	 * trailing blanks. */
	dump = relayout(&v, "| a | b |\r\n|---|---|\r\n| 1 | |\r\n");
	CHECK_STR(dump, "P:q\nR:a │ b\nR:──┼──\nR:1\nB:\n");
	free(dump);
	/* A control character the screen drops can change how a row splits:
	 * the drawn row decides ("``" once the \x01 is gone). */
	view_set_width(&v, 8);
	free(relayout(&v, "| Mo\n|:--\n|:`- | 0.`\x01`4 |\n"));
	{
		size_t i;
		const struct view_line *t;

		for (i = 0; i < view_total(&v); i++) {
			t = view_line(&v, i, &text, NULL);
			CHECK(utf8_width(text, t->len) <= 8);
		}
	}
	view_set_width(&v, 40);
	/* A table too wide for the line is text, each of its lines once:
	 * 2,000 rows whose delimiter-like cells would each start a table. */
	{
		struct buf big;
		size_t r, total;

		buf_init(&big, 1 << 24);
		for (r = 0; r < 2000; r++)
			CHECK(buf_printf(&big, "|%0200d|\n", 0) == MC_OK);
		for (r = 0; r < big.len; r++)
			if (big.data[r] == '0')
				big.data[r] = '-';
		free(relayout(&v, buf_str(&big)));
		total = view_total(&v);
		/* 2,000 rows of 202 columns wrapped at 40: 6 lines each
		 * (the newline at its end draws no empty line). */
		CHECK(total == 1 + 2000 * 6 + 1);
		buf_release(&big);
	}
	/* Bidirectional overrides and isolates never reach the screen
	 * (they could reorder what is read); other text stays. */
	dump = relayout(
	    &v, "x \xe2\x80\xaerevo\xe2\x80\xac y \xe2\x81\xa6i\xe2\x81\xa9 z");
	CHECK(strstr(dump, "x revo y i z") != NULL);
	CHECK(strstr(dump, "\xe2\x80\xae") == NULL &&
	      strstr(dump, "\xe2\x81\xa6") == NULL);
	free(dump);
	/* A delimiter with another number of cells: not a table. */
	dump = relayout(&v, "| a | b |\n|---|\n| c | d |");
	CHECK(strstr(dump, "R:| a | b |\n") != NULL);
	free(dump);
	view_release(&v);
}

TEST(markup_is_linear_on_hostile_lines)
{
	/* 200,000 lone openers: one failed scan per kind, not one each. */
	size_t n = 200000, i, len;
	char *in = xmalloc(n + 1), *out = xmalloc(n + MARKUP_GROWTH + 1);
	uint8_t *st = xmalloc(n + MARKUP_GROWTH + 1);

	for (i = 0; i < n; i += 2) {
		in[i] = "*_`"[(i / 2) % 3];
		in[i + 1] = 'x';
	}
	in[n] = '\0';
	len = markup_line(in, n, out, st);
	CHECK(len <= n + MARKUP_GROWTH);
	/* Lone '[' and destinations that never close: one scan each. */
	for (i = 0; i < n; i++)
		in[i] = i % 5 == 0   ? '['
		        : i % 5 == 2 ? ']'
		        : i % 5 == 3 ? '('
		                     : 'x';
	len = markup_line(in, n, out, st);
	CHECK(len <= n + MARKUP_GROWTH);
	/* Nesting past the limit is text, not a deeper call. */
	for (i = 0; i < n / 2; i++)
		in[i] = "*_"[i % 2];
	in[n / 2] = 'x';
	for (i = n / 2 + 1; i < n; i++)
		in[i] = "_*"[(i - n / 2 - 1) % 2];
	len = markup_line(in, n, out, st);
	CHECK(len <= n + MARKUP_GROWTH);
	free(in);
	free(out);
	free(st);
}

TEST(view_draws_reply_markdown_but_keeps_the_prompt)
{
	struct view v;
	struct app_exchange ex;
	const struct view_block *b;
	const struct view_line *l;
	const char *text;
	char *dump;

	exchange_init(&ex, "say **hi**",
	    "# Answer\nThe capital is **Paris**.\n```\n**x** `y`\n```");
	view_init(&v, 100);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK_STR(dump, "P:say **hi**\n"
	                "R:Answer\n"
	                "R:The capital is Paris.\n"
	                "F:```\n"
	                "C:**x** `y`\n"
	                "F:```\n"
	                "B:\n");
	free(dump);
	l = view_line(&v, 2, &text, &b);
	CHECK(b->style != NULL);
	CHECK(b->style[l->off] == 0);
	CHECK(b->style[l->off + strlen("The capital is ")] == MARKUP_STRONG);
	CHECK(b->style[l->off + strlen("The capital is Paris")] == 0);
	l = view_line(&v, 1, &text, &b);
	CHECK(b->style[l->off] == MARKUP_HEADING);
	/* Wrapped, the style stays with its bytes. */
	view_set_width(&v, 8);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "R:Paris.\n") != NULL);
	free(dump);
	{
		size_t i;

		l = NULL;
		for (i = 0; i < view_total(&v); i++) {
			const struct view_line *t = view_line(&v, i, &text, &b);

			if (t->len == 6 && strncmp(text, "Paris.", 6) == 0)
				l = t;
		}
	}
	CHECK(l != NULL);
	CHECK(l != NULL && b->style[l->off] == MARKUP_STRONG);
	CHECK(l != NULL && b->style[l->off + 5] == 0);
	view_release(&v);
}

/*
 * A wrapped line of code: its continuation rows start with the
 * continuation mark at the code block's indent, not at the code's own
 * indent (they would read as lines of code); the reply keeps the line
 * whole, and a line's place survives a resize.
 */
TEST(view_marks_wrapped_code_lines)
{
	struct view v;
	struct app_exchange ex;
	const struct view_line *l;
	const char *text;
	char *dump;
	size_t i, blk, off;
	const char *reply =
	    "Reverse:\n"
	    "```python\n"
	    "def rev(xs):\n"
	    "    return [xs[i] for i in range(len(xs) - 1, -1, -1)]  # a "
	    "very long comment line\n"
	    "```\n"
	    "- in a list:\n"
	    "  ```\n"
	    "      abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz\n"
	    "  ```\n"
	    "needle";

	exchange_init(&ex, "q", reply);
	view_init(&v, 40);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK_STR(dump, "P:q\n"
	                "R:Reverse:\n"
	                "F:```python\n"
	                "C:def rev(xs):\n"
	                "C:    return [xs[i] for i in range(len(xs)\n"
	                "C:↪ - 1, -1, -1)]  # a very long comment\n"
	                "C:↪ line\n"
	                "F:```\n"
	                "R:• in a list:\n"
	                "F:  ```\n"
	                "C:      abcdefghijklmnopqrstuvwxyzabcdefgh\n"
	                "C:  ↪ ijklmnopqrstuvwxyz\n"
	                "F:  ```\n"
	                "R:needle\n"
	                "B:\n");
	free(dump);
	l = view_line(&v, 5, &text, NULL);
	CHECK(l->kind == VIEW_CODE && (l->flags & VIEW_CONT) &&
	      l->mark == strlen("↪ "));
	/* The reply /copy gives is the code as written. */
	CHECK(ex.reply_len == strlen(reply) && strcmp(ex.reply, reply) == 0);
	/* A line's place, taken at one width, is the same line at another
	 * (the marks before it come and go with the width). */
	CHECK(view_line_pos(&v, 13, &blk, &off));
	view_set_width(&v, 100);
	view_sync(&v, 0, &ex);
	view_line(&v, view_line_at(&v, blk, off), &text, NULL);
	CHECK(strncmp(text, "needle", 6) == 0);
	dump = view_dump(&v);
	CHECK(strstr(dump, "↪") == NULL);
	free(dump);
	view_set_width(&v, 40);
	view_sync(&v, 0, &ex);
	CHECK(view_line_pos(&v, 11, &blk, &off));
	view_set_width(&v, 30);
	view_sync(&v, 0, &ex);
	l = view_line(&v, view_line_at(&v, blk, off), &text, NULL);
	CHECK(l->kind == VIEW_CODE && strncmp(text, "↪ ", 4) == 0 &&
	      memmem(text, l->len, "lmnop", 5) != NULL);
	/* The ASCII marks: "> ". */
	glyph_use(GLYPHS_ASCII);
	view_relayout(&v);
	view_set_width(&v, 40);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(
	    strstr(dump, "C:> - 1, -1, -1)]  # a very long comment\n") != NULL);
	free(dump);
	glyph_use(GLYPHS_UNICODE);
	/* Too narrow for marks: wrapped as it was. */
	view_set_width(&v, 5);
	view_sync(&v, 0, &ex);
	for (i = 0; i < view_total(&v); i++) {
		l = view_line(&v, i, &text, NULL);
		CHECK(!(l->flags & VIEW_CONT));
	}
	view_release(&v);
	/* An indent wider than the row: cut by characters, not an empty
	 * first row and the indent lost. */
	exchange_init(
	    &ex, "q", "```\n                    xy = 1 and some more\n```");
	view_init(&v, 16);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "C:\n") == NULL);
	CHECK(strstr(dump, "C:        ") != NULL);
	if (strstr(dump, "C:\n") != NULL)
		printf("%s", dump);
	free(dump);
	view_release(&v);
}

TEST(view_error_line_and_clean_text)
{
	struct view v;
	struct app_exchange ex;
	char *dump;

	exchange_init(&ex, "hi", "partial \x1b[31mred\x07 text\tx");
	ex.model = S("m");
	ex.state = REPLY_ERROR;
	ex.error = S("openai: HTTP 500");
	ex.version = 3;
	view_init(&v, 40);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	/* Escapes and bells are dropped, a tab becomes spaces. */
	CHECK(strchr(dump, '\x1b') == NULL && strchr(dump, '\x07') == NULL);
	CHECK(strstr(dump, "R:partial [31mred text    x\n") != NULL);
	CHECK(strstr(dump, "E:✗ openai: HTTP 500\n") != NULL);
	free(dump);
	/* A long error hangs under its text, not under the mark; so do the
	 * error's own further lines. */
	ex.error = S("rate limited by mock (HTTP 429): retry after 120 s\n"
	             "(mock said: slow down)");
	ex.version++;
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "E:✗ rate limited by mock (HTTP 429): retry\n"
	                   "E:  after 120 s\n"
	                   "E:  (mock said: slow down)\n") != NULL);
	free(dump);
	view_release(&v);
}

TEST(view_marks_pinned_reask_and_failed_replies)
{
	struct view v;
	struct app_exchange ex;
	char *dump;

	exchange_init(&ex, "hi", "hello");
	ex.model = S("mid");
	ex.cost_usd = 0.00042;
	ex.latency_ms = 1300;
	ex.ttft_ms = 310;
	ex.tokens_out = 208;
	ex.pinned = true;
	view_init(&v, 100);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	/* The mark goes with the model's name, so a wrap keeps them together. */
	CHECK(strstr(dump, "f:mid (pinned) · $0.00042 · 1.3 s") != NULL);
	free(dump);
	ex.pinned = false;
	ex.reask = true;
	ex.shares_message = true;
	ex.version++;
	view_set_width(&v, 16);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "P:asked again: hi\n") != NULL);
	CHECK(strstr(dump, "f:mid (re-ask) ·\nf:$0.00042 ·\n") != NULL);
	free(dump);
	/* The first answer of a message refused before it was sent: no model
	 * was asked it before, so it is no re-ask. */
	ex.reask = false;
	ex.version++;
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK(strstr(dump, "P:in reply to: hi\n") != NULL);
	CHECK(strstr(dump, "asked again") == NULL);
	CHECK(strstr(dump, "(re-ask)") == NULL);
	CHECK(strstr(dump, "f:mid · $0.00042 ·\n") != NULL);
	free(dump);
	ex.shares_message = false;
	/* Nothing came back: no tokens or speed, the error under the prompt. */
	exchange_init(&ex, "hi", "");
	ex.model = S("mid");
	ex.state = REPLY_ERROR;
	ex.error = S("rate limited by mock (HTTP 429): retry after 120 s");
	ex.latency_ms = 8;
	ex.cost_usd = 0.00004;
	ex.version = 9;
	view_set_width(&v, 100);
	view_sync(&v, 0, &ex);
	dump = view_dump(&v);
	CHECK_STR(dump, "P:hi\n"
	                "E:✗ rate limited by mock (HTTP 429): retry after "
	                "120 s\n"
	                "f:mid · no reply (8 ms)\n"
	                "B:\n");
	free(dump);
	view_release(&v);
}

TEST(keymap_describe_groups_keys_by_action)
{
	struct keymap km;
	char *desc, *cause = NULL, *chat, *edit;
	int rc;

	rc = resource_keymap(NULL, "default", &km, &cause);
	CHECK(rc == MC_OK);
	desc = keymap_describe(&km);
	/* Each action once, with all its keys. */
	CHECK(strstr(desc, "  Esc, Ctrl-C ") != NULL);
	/* Keys wider than the column take a row of their own. */
	CHECK(strstr(desc, "\n  Alt-Enter, Ctrl-J\n") != NULL);
	/* Said as the README and the hints say keys, not as keys files
	 * write them. */
	CHECK(
	    strstr(desc, "  Alt-R ") != NULL && strstr(desc, "  M-r ") == NULL);
	CHECK(strstr(desc, "A keys file writes Alt-R as M-r") != NULL);
	/* The chat's keys first, then those that edit the message. */
	chat = strstr(desc, "ask again with the next-best model");
	edit = strstr(desc, "Editing the message:");
	CHECK(chat != NULL && edit != NULL && chat < edit);
	CHECK(strstr(edit, "word left") != NULL);
	CHECK(strstr(desc, "word left") > edit);
	/* The keys' column is as wide as the longest keys: every
	 * description starts in one column, one blank after them. */
	{
		const char *line = desc, *nl;
		size_t p, d, col = 0, least = 99, lines = 0;

		for (; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
			if (strncmp(line, "  ", 2) != 0)
				continue;
			/* The keys end at a blank not after a comma. */
			for (p = 2; line + p < nl; p++)
				if (line[p] == ' ' && line[p - 1] != ',')
					break;
			for (d = p; line + d < nl && line[d] == ' '; d++)
				;
			/* Keys on a row of their own, or the row under them. */
			if (line + d == nl || p == 2)
				continue;
			if (col == 0)
				col = d;
			CHECK(d == col);
			if (d - p < least)
				least = d - p;
			lines++;
		}
		CHECK(lines > 20);
		CHECK(least == 1);
	}
	free(desc);
	keymap_release(&km);
}

TEST(view_lines_never_exceed_the_width)
{
	static const char *const parts[] = { "word ", "日本語", "😀", "ü", "x",
		"  ", "longlonglongword", "\n", "한국어 ", "e\xcc\x81" };
	struct view v;
	struct app_exchange ex;
	struct buf b;
	const struct view_line *line;
	const char *text;
	size_t width, i, total, bad = 0;
	unsigned seed = 12345;

	buf_init(&b, 1 << 20);
	for (i = 0; i < 2000; i++) {
		seed = seed * 1103515245 + 12345;
		if (buf_addstr(&b, parts[(seed >> 16) % 10]) != MC_OK)
			abort();
	}
	exchange_init(&ex, "q", buf_str(&b));
	for (width = 1; width <= 41; width += 4) {
		view_init(&v, width);
		view_sync(&v, 0, &ex);
		total = view_total(&v);
		for (i = 0; i < total; i++) {
			line = view_line(&v, i, &text, NULL);
			if (utf8_width(text, line->len) > width &&
			    !(width < 2 && line->len <= 4))
				bad++;
			if (!utf8_valid(text, line->len))
				bad++;
		}
		view_release(&v);
	}
	CHECK(bad == 0);
	buf_release(&b);
}

TEST(view_ten_thousand_lines_and_notes)
{
	struct view v;
	struct app_exchange ex[2];
	struct buf b;
	const struct view_line *line;
	const struct view_block *blk;
	const char *text;
	size_t i, total;

	buf_init(&b, 1 << 24);
	for (i = 0; i < 10000; i++)
		if (buf_printf(&b, "line %zu\n", i) != MC_OK)
			abort();
	exchange_init(&ex[0], "many lines", buf_str(&b));
	exchange_init(&ex[1], "and one more", "ok");
	view_init(&v, 60);
	view_sync(&v, 0, &ex[0]);
	view_add_note(&v, VIEW_NOTE, "a note\nof two lines");
	view_sync(&v, 1, &ex[1]);
	total = view_total(&v);
	/* prompt + 10,000 + blank (the newline at the end draws no empty
	 * line), note 2 + blank, prompt + reply + blank. */
	CHECK(total == 1 + 10000 + 1 + 3 + 3);
	line = view_line(&v, 1 + 9999, &text, &blk);
	CHECK(line != NULL && line->len == 9 &&
	      memcmp(text, "line 9999", 9) == 0);
	CHECK(blk->index == 0 && !blk->note);
	line = view_line(&v, 10003, &text, &blk);
	CHECK(line != NULL && blk->note && line->kind == VIEW_NOTE);
	CHECK(view_exchange_line(&v, 1) == 10005);
	CHECK(view_exchange_end(&v, 1) == total);
	CHECK(view_line(&v, total, &text, NULL) == NULL);
	/* Narrower: "line 1234" no longer fits 5 columns. */
	view_set_width(&v, 5);
	view_sync(&v, 0, &ex[0]);
	view_sync(&v, 1, &ex[1]);
	CHECK(view_total(&v) > total + 9000);
	view_release(&v);
	buf_release(&b);
}

TEST(keymap_default_and_vi_maps)
{
	struct keymap km;
	const struct binding *b;
	char *cause = NULL, *desc, name[32];
	int rc;

	rc = resource_keymap(NULL, "default", &km, &cause);
	CHECK(rc == MC_OK && cause == NULL);
	b = keymap_lookup(&km, KEYMAP_INSERT, '4' | KEYC_META);
	CHECK(b != NULL && b->action == ACT_RATE && b->arg == 4);
	b = keymap_lookup(&km, KEYMAP_INSERT, KEYC_F2);
	CHECK(b != NULL && b->action == ACT_BUDGET);
	b = keymap_lookup(&km, KEYMAP_INSERT, KEYC_ENTER | KEYC_META);
	CHECK(b != NULL && b->action == ACT_NEWLINE);
	b = keymap_lookup(&km, KEYMAP_INSERT, KEYC_UP | KEYC_META);
	CHECK(b != NULL && b->action == ACT_SELECT_PREV);
	/* readline's C-b moves (nothing else takes it); C-o is free. */
	b = keymap_lookup(&km, KEYMAP_INSERT, 'b' | KEYC_CTRL);
	CHECK(b != NULL && b->action == ACT_CURSOR_LEFT);
	CHECK(keymap_lookup(&km, KEYMAP_INSERT, 'o' | KEYC_CTRL) == NULL);
	b = keymap_lookup(&km, KEYMAP_INSERT, '_' | KEYC_CTRL);
	CHECK(b != NULL && b->action == ACT_UNDO);
	b = keymap_lookup(&km, KEYMAP_INSERT, 'u' | KEYC_CTRL | KEYC_META);
	CHECK(b != NULL && b->action == ACT_KILL_MESSAGE);
	CHECK(!km.has_normal);
	desc = keymap_describe(&km);
	CHECK(strstr(desc, "Alt-4") != NULL && strstr(desc, "F2") != NULL);
	/* Keys as printed on the keyboard, not tmux's BSpace and DC; the
	 * closing lines each a line of their own (no hang under a gap). */
	CHECK(strstr(desc, "  Backspace, Ctrl-H") != NULL);
	CHECK(strstr(desc, "  Delete ") != NULL);
	CHECK(
	    strstr(desc, "  BSpace") == NULL && strstr(desc, "  DC ") == NULL);
	CHECK(
	    strstr(desc, "Type /help for the commands.\nA keys file") != NULL);
	free(desc);
	/* The key a failed reply names, and none once it is unbound. */
	CHECK(keymap_key_for(&km, KEYMAP_INSERT, ACT_REASK, name, sizeof name));
	CHECK_STR(name, "M-r");
	CHECK(keymap_parse(&km, "M-r none", 8, "k", &cause) == MC_OK);
	CHECK(
	    !keymap_key_for(&km, KEYMAP_INSERT, ACT_REASK, name, sizeof name));
	keymap_release(&km);

	rc = resource_keymap(NULL, "vi", &km, &cause);
	CHECK(rc == MC_OK && cause == NULL);
	CHECK(km.has_normal);
	b = keymap_lookup(&km, KEYMAP_INSERT, KEYC_ESCAPE);
	CHECK(b != NULL && b->action == ACT_NORMAL_MODE);
	b = keymap_lookup(&km, KEYMAP_NORMAL, '4');
	CHECK(b != NULL && b->action == ACT_RATE && b->arg == 4);
	b = keymap_lookup(&km, KEYMAP_NORMAL, 'd');
	CHECK(b != NULL && b->action == ACT_VI_DELETE);
	b = keymap_lookup(&km, KEYMAP_NORMAL, 'u');
	CHECK(b != NULL && b->action == ACT_UNDO);
	/* vi's C-b and C-f page the chat, as they did. */
	b = keymap_lookup(&km, KEYMAP_NORMAL, 'b' | KEYC_CTRL);
	CHECK(b != NULL && b->action == ACT_SCROLL_UP);
	keymap_release(&km);
}

TEST(keymap_readline_and_vi_editing_names)
{
	/* C-/ is C-_, as terminals send it. */
	CHECK(keymap_key_from_name("C-/") == ('_' | KEYC_CTRL));
	CHECK(keymap_key_from_name("C-_") == ('_' | KEYC_CTRL));
	CHECK(keymap_key_from_name("C-M-u") == ('u' | KEYC_CTRL | KEYC_META));
	CHECK(keymap_action_from_name("kill-message") == ACT_KILL_MESSAGE);
	CHECK(keymap_action_from_name("vi-delete") == ACT_VI_DELETE);
	CHECK(keymap_action_from_name("history-search") == ACT_HISTORY_SEARCH);
}

TEST(keymap_names_and_errors)
{
	struct keymap km;
	const struct binding *b;
	char name[32], *cause = NULL, *desc;
	static const char bad[] = "# ok\nF5 budget\nC-x frobnicate\n";
	uint32_t keys[] = { 'x', 'x' | KEYC_CTRL, KEYC_UP | KEYC_META, KEYC_F12,
		KEYC_ENTER | KEYC_META, ' ', 0xe9 };
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		keymap_key_name(keys[i], name, sizeof name);
		CHECK(keymap_key_from_name(name) == keys[i]);
	}
	CHECK(keymap_key_from_name("C-X") == ('x' | KEYC_CTRL));
	CHECK(keymap_key_from_name("M-") == KEYC_NONE);
	CHECK(keymap_key_from_name("ab") == KEYC_NONE);
	keymap_init(&km, "t");
	CHECK(keymap_parse(&km, bad, strlen(bad), "my.keys", &cause) ==
	      MC_ERR_PARSE);
	CHECK_STR(cause, "my.keys:3: unknown action 'frobnicate'");
	free(cause);
	/* The line before the bad one was read. */
	CHECK(keymap_lookup(&km, KEYMAP_INSERT, KEYC_F5) != NULL);
	/* Every bad line is named at once, the good ones read; past ten,
	 * how many more; a key bound twice names the line before. */
	{
		struct buf kb;
		int k;

		buf_init(&kb, 1 << 16);
		CHECK(buf_addstr(&kb, "F6 bogus\nF7 budget\nF8 x y z\n") ==
		      MC_OK);
		for (k = 0; k < 12; k++)
			CHECK(buf_printf(&kb, "Nope%d send\n", k) == MC_OK);
		CHECK(buf_addstr(&kb, "M-1 rate 1\nM-1 rate 2\n") == MC_OK);
		CHECK(keymap_parse(&km, buf_str(&kb), kb.len, "k", &cause) ==
		      MC_ERR_PARSE);
		CHECK(cause != NULL && strncmp(cause,
		                           "k:1: unknown action 'bogus'\nk:3: "
		                           "expected",
		                           40) == 0);
		CHECK(cause != NULL &&
		      strstr(cause, "k:11: unknown key 'Nope7'") != NULL);
		CHECK(cause != NULL && strstr(cause, "Nope8") == NULL);
		CHECK(cause != NULL &&
		      strcmp(cause + strlen(cause) - 11, "\nand 5 more") == 0);
		free(cause);
		CHECK(keymap_lookup(&km, KEYMAP_INSERT, KEYC_F7) != NULL);
		kb.len = 0;
		CHECK(buf_addstr(&kb, "M-1 rate 1\nM-1 rate 2\n") == MC_OK);
		CHECK(keymap_parse(&km, buf_str(&kb), kb.len, "k", &cause) ==
		      MC_OK);
		CHECK_STR(cause, "k:2: M-1 was bound to rate 1 on line 1");
		free(cause);
		buf_release(&kb);
	}
	CHECK(keymap_parse(&km, "M-1 rate 9", 10, "k", &cause) == MC_ERR_PARSE);
	CHECK(strstr(cause, "k:1: rate") != NULL);
	free(cause);
	CHECK(keymap_parse(&km, "F5 none", 7, "k", &cause) == MC_OK);
	CHECK(keymap_lookup(&km, KEYMAP_INSERT, KEYC_F5) == NULL);
	CHECK(keymap_parse(&km, "F5 send\0 x\nC-d quit\n", 19, "k", &cause) ==
	      MC_ERR_PARSE);
	CHECK_STR(cause, "k:1: a NUL byte (is it a text file?)");
	free(cause);
	/* The wheel scrolls a count of lines; a count out of range is named. */
	CHECK(keymap_parse(&km, "WheelUp scroll-line-up 3", 24, "k", &cause) ==
	      MC_OK);
	b = keymap_lookup(&km, KEYMAP_INSERT, KEYC_WHEEL_UP);
	CHECK(b != NULL && b->action == ACT_SCROLL_LINE_UP && b->arg == 3);
	keymap_key_name(KEYC_WHEEL_UP, name, sizeof name);
	CHECK_STR(name, "WheelUp");
	CHECK(keymap_parse(&km, "C-y scroll-line-up 1", 20, "k", &cause) ==
	      MC_OK);
	b = keymap_lookup(&km, KEYMAP_INSERT, 'y' | KEYC_CTRL);
	CHECK(b != NULL && b->arg == 0); /* one line: as without a count */
	CHECK(keymap_parse(&km, "WheelDown scroll-line-down 0", 28, "k",
	          &cause) == MC_ERR_PARSE);
	CHECK_STR(cause,
	    "k:1: scroll-line-down: '0' is not a number of lines 1..100");
	free(cause);
	desc = keymap_describe(&km);
	CHECK(strstr(desc, "WheelUp") != NULL &&
	      strstr(strstr(desc, "WheelUp"), " scroll up 3 lines") != NULL);
	free(desc);
	keymap_release(&km);
}

TEST(themes_parse_and_reduce)
{
	static const char *const names[] = { "default", "light",
		"solarized-dark", "mono" };
	struct theme t;
	char *cause = NULL;
	bool bold;
	size_t i;
	static const char bad[] = "title white blue bold\nstatus pink black\n";

	for (i = 0; i < 4; i++) {
		CHECK(resource_theme(NULL, names[i], &t, &cause) == MC_OK);
		theme_release(&t);
	}
	CHECK(resource_theme(NULL, "mono", &t, &cause) == MC_OK);
	CHECK(t.styles[TH_TITLE].fg == THEME_DEFAULT_COLOUR);
	CHECK(t.styles[TH_TITLE].attrs & THEME_REVERSE);
	theme_release(&t);
	theme_init(&t, "x");
	CHECK(theme_parse(&t, bad, strlen(bad), "x.theme", &cause) ==
	      MC_ERR_PARSE);
	CHECK_STR(cause, "x.theme:2: status: unknown colour 'pink' (a name, "
	                 "colour0..colour255 or default)");
	free(cause);
	CHECK(t.styles[TH_TITLE].fg == 7 && t.styles[TH_TITLE].bg == 4);
	/* Three bad lines: all three named at once, the good ones applied. */
	{
		static const char three[] = "nosuch red blue\ntitle red "
		                            "green\nstatus pink black\nfooter "
		                            "red\n";

		CHECK(theme_parse(&t, three, strlen(three), "x.theme",
		          &cause) == MC_ERR_PARSE);
		CHECK_STR(cause,
		    "x.theme:1: unknown element 'nosuch'\nx.theme:3: status: "
		    "unknown colour 'pink' (a name, colour0..colour255 or "
		    "default)\nx.theme:4: expected 'ELEMENT FOREGROUND "
		    "BACKGROUND [ATTRIBUTES]'");
		free(cause);
		CHECK(t.styles[TH_TITLE].fg == 1 && t.styles[TH_TITLE].bg == 2);
	}
	/* More words than a line can hold, and a NUL byte (a file that is
	 * not text), are named, not read past. */
	{
		static const char many[] = "title red blue bold bold bold bold "
		                           "bold bold bold bold bold GARBAGE\n";
		static const char nul[] = "title red blue\nstatus \0 x\n";

		CHECK(theme_parse(&t, many, strlen(many), "x.theme", &cause) ==
		      MC_ERR_PARSE);
		CHECK(cause != NULL &&
		      strncmp(cause, "x.theme:1: too many words ('GARBAGE'",
		          36) == 0);
		free(cause);
		CHECK(theme_parse(&t, nul, sizeof nul - 1, "x.theme", &cause) ==
		      MC_ERR_PARSE);
		CHECK_STR(cause, "x.theme:2: a NUL byte (is it a text file?)");
		free(cause);
	}
	/* A misspelt word: the one meant named (any case). */
	{
		static const char typos[] = "reply bleu default\n"
		                            "footr red default\n"
		                            "note bright-black default blod\n";

		CHECK(theme_parse(&t, typos, strlen(typos), "x.theme",
		          &cause) == MC_ERR_PARSE);
		CHECK_STR(cause,
		    "x.theme:1: reply: unknown colour 'bleu': did you mean "
		    "'blue'? (a name, colour0..colour255 or default)\n"
		    "x.theme:2: unknown element 'footr': did you mean "
		    "'footer'?\n"
		    "x.theme:3: note: unknown attribute 'blod': did you mean "
		    "'bold'?");
		free(cause);
	}
	theme_release(&t);
	CHECK(theme_colour_from_name("colour255") == 255);
	CHECK(theme_colour_from_name("color256") == -2);
	CHECK(theme_colour_from_name("bright-red") == 9);
	/* 256 -> 16 -> 8. */
	CHECK(theme_reduce(196, 16, &bold) == 9 && !bold);
	CHECK(theme_reduce(196, 8, &bold) == 1 && bold);
	CHECK(theme_reduce(21, 16, &bold) == 4);
	CHECK(theme_reduce(232, 16, &bold) == 0);
	CHECK(theme_reduce(255, 16, &bold) == 7);
	CHECK(theme_reduce(231, 16, &bold) == 15);
	CHECK(theme_reduce(100, 256, &bold) == 100);
	CHECK(theme_reduce(-1, 8, &bold) == -1);
}

/*
 * Every built-in theme is readable on 8, 16 and 256 colours: after the
 * reduction no element's foreground is its background, none loses the
 * contrast the theme gave it (up to 3:1, counted without the bold an
 * 8-colour terminal may not show bright), and the terminal's own text
 * colour is only used on its own background.  light and solarized-dark
 * name their background, so they are the same on a light terminal.
 */
TEST(themes_readable_on_few_colours)
{
	static const char *const names[] = { "default", "light",
		"solarized-dark", "mono" };
	static const int depths[] = { 8, 16, 256 };
	struct theme t;
	struct theme_style d[TH__COUNT], r;
	char *cause = NULL;
	size_t i, k;
	int e;
	double want;

	for (i = 0; i < 4; i++) {
		CHECK(resource_theme(NULL, names[i], &t, &cause) == MC_OK);
		for (k = 0; k < 3; k++) {
			theme_draw(&t, depths[k], d);
			for (e = 0; e < TH__COUNT; e++) {
				theme_resolve(&t, (enum theme_element)e, &r);
				want = theme_contrast(r.fg, r.bg);
				if (want > 3)
					want = 3;
				if (d[e].fg == THEME_DEFAULT_COLOUR &&
				    d[e].bg == THEME_DEFAULT_COLOUR)
					continue;
				if (d[e].fg == d[e].bg ||
				    theme_contrast(d[e].fg, d[e].bg) < want ||
				    d[e].fg == THEME_DEFAULT_COLOUR ||
				    (depths[k] < 16 && d[e].fg > 7) ||
				    (depths[k] < 256 && d[e].fg > 15))
					fprintf(stderr,
					    "  %s on %d: %s %d/%d\n", names[i],
					    depths[k],
					    theme_element_name(
					        (enum theme_element)e),
					    d[e].fg, d[e].bg);
				CHECK(d[e].fg != d[e].bg);
				CHECK(d[e].fg != THEME_DEFAULT_COLOUR);
				CHECK(theme_contrast(d[e].fg, d[e].bg) >= want);
				CHECK(depths[k] >= 16 || d[e].fg <= 7);
				CHECK(depths[k] >= 256 || d[e].fg <= 15);
			}
		}
		theme_release(&t);
	}

	/* solarized-dark on 8 colours (tmux's TERM=screen): base0 on
	 * base03 both reduce to black; the text is white on black, the status bar
	 * (base02, black too) reversed, a bar still. */
	CHECK(resource_theme(NULL, "solarized-dark", &t, &cause) == MC_OK);
	theme_draw(&t, 8, d);
	CHECK(d[TH_REPLY].fg == 7 && d[TH_REPLY].bg == 0);
	CHECK(!(d[TH_REPLY].attrs & (THEME_BOLD | THEME_DIM)));
	CHECK(d[TH_FOOTER].fg == 7 && d[TH_FOOTER].bg == 0);
	CHECK(d[TH_FOOTER].attrs == THEME_DIM); /* fainter than the reply */
	CHECK(d[TH_BACKGROUND].fg == 7 && d[TH_BACKGROUND].bg == 0);
	CHECK(d[TH_STATUS].fg == 0 && d[TH_STATUS].bg == 7);
	CHECK(d[TH_MORE].bg == 7 && d[TH_SPINNER].bg == 7);
	CHECK(d[TH_NOTE].bg == 0 && d[TH_NOTE].fg != 0);
	/* On 256 colours: the footer dimmer than the reply text, still
	 * read; the notes readable (4.5:1, not the 3:1 of Solarized's
	 * violet). */
	theme_draw(&t, 256, d);
	CHECK(theme_contrast(d[TH_FOOTER].fg, d[TH_FOOTER].bg) <
	      theme_contrast(d[TH_REPLY].fg, d[TH_REPLY].bg));
	CHECK(theme_contrast(d[TH_FOOTER].fg, d[TH_FOOTER].bg) >= 3);
	CHECK(theme_contrast(d[TH_NOTE].fg, d[TH_NOTE].bg) >= 4.5);
	CHECK(d[TH_REPLY].fg == 244 && d[TH_REPLY].bg == 234);
	theme_release(&t);

	/* default on 8: bright-black (the footer, fences) is no black on the
	 * terminal's own background, which may be black: the terminal's own
	 * text colour, dim; blue (too dark on black) the text colour too;
	 * the colours that read on black kept. */
	CHECK(resource_theme(NULL, "default", &t, &cause) == MC_OK);
	theme_draw(&t, 8, d);
	CHECK(d[TH_FOOTER].fg == THEME_DEFAULT_COLOUR &&
	      d[TH_FOOTER].attrs == THEME_DIM);
	CHECK(d[TH_FENCE].fg == THEME_DEFAULT_COLOUR &&
	      d[TH_FENCE].attrs == THEME_DIM);
	CHECK(d[TH_USER].fg == THEME_DEFAULT_COLOUR &&
	      d[TH_USER].attrs == THEME_BOLD);
	CHECK(d[TH_NOTE].fg == 6 && d[TH_CODE].fg == 6);
	CHECK(d[TH_MODEL].fg == 2 && (d[TH_MODEL].attrs & THEME_BOLD));
	theme_draw(&t, 16, d);
	CHECK(d[TH_FOOTER].fg == 8 && d[TH_FOOTER].attrs == 0);
	CHECK(d[TH_USER].fg == 12);
	theme_draw(&t, 0, d); /* no colours: attributes only */
	CHECK(d[TH_TITLE].fg == THEME_DEFAULT_COLOUR &&
	      d[TH_TITLE].attrs == THEME_BOLD);
	theme_release(&t);

	/* light on 8: the status bar (light grey, white here like the
	 * background) reversed; the notes (teal: cyan on white is 1.6:1)
	 * blue. */
	CHECK(resource_theme(NULL, "light", &t, &cause) == MC_OK);
	theme_draw(&t, 8, d);
	CHECK(d[TH_REPLY].fg == 0 && d[TH_REPLY].bg == 7);
	CHECK(d[TH_STATUS].fg == 7 && d[TH_STATUS].bg == 0);
	CHECK(d[TH_NOTE].fg == 4 && d[TH_NOTE].bg == 7);
	CHECK(d[TH_FOOTER].fg == 0 && d[TH_FOOTER].attrs == THEME_DIM);
	theme_release(&t);

	/* A theme of one's own: a foreground the same as its background
	 * (even on 256) or one the reduction puts on it; a grey stays a
	 * grey. */
	{
		static const char mine[] = "reply colour250 colour255\n"
		                           "note colour196 colour196\n"
		                           "status colour250 colour7\n";

		theme_init(&t, "x");
		CHECK(theme_parse(&t, mine, strlen(mine), "x.theme", &cause) ==
		      MC_OK);
		theme_draw(&t, 256, d);
		CHECK(d[TH_NOTE].bg == 196 && d[TH_NOTE].fg != 196);
		CHECK(theme_contrast(d[TH_NOTE].fg, 196) >= 1.5);
		CHECK(
		    d[TH_REPLY].fg == 250); /* faint: the theme's own choice */
		theme_draw(&t, 16, d);
		CHECK(d[TH_REPLY].bg == 7 && d[TH_REPLY].fg == 8);
		CHECK(d[TH_STATUS].bg == 7 && d[TH_STATUS].fg == 8);
		theme_release(&t);
	}
}

/*
 * A theme's background: every default colour in it is the background's
 * (light.theme on a dark terminal); a theme without one is drawn as it
 * was (its reply colours fill the screen, default is the terminal's); a
 * background with attributes is a bad line.
 */
TEST(theme_background)
{
	struct theme t;
	struct theme_style s;
	char *cause = NULL;
	static const char own[] = "reply colour235 default\n"
	                          "user default colour25 bold\n"
	                          "background colour18 colour231\n";
	static const char old[] = "reply colour244 colour234\n";
	static const char bad[] = "background red blue bold\n"
	                          "background nosuch blue\n";

	theme_init(&t, "x");
	CHECK(theme_parse(&t, own, strlen(own), "x.theme", &cause) == MC_OK);
	theme_resolve(&t, TH_REPLY, &s);
	CHECK(s.fg == 235 && s.bg == 231 && s.attrs == 0);
	theme_resolve(&t, TH_USER, &s);
	CHECK(s.fg == 18 && s.bg == 25 && s.attrs == THEME_BOLD);
	/* An element the file leaves out: the default theme's, on it. */
	theme_resolve(&t, TH_INPUT, &s);
	CHECK(s.fg == 18 && s.bg == 231);
	theme_resolve(&t, TH_TITLE, &s);
	CHECK(s.fg == 15 && s.bg == 4);
	theme_resolve(&t, TH_BACKGROUND, &s);
	CHECK(s.fg == 18 && s.bg == 231 && s.attrs == 0);
	theme_release(&t);

	theme_init(&t, "x");
	CHECK(theme_parse(&t, old, strlen(old), "x.theme", &cause) == MC_OK);
	theme_resolve(&t, TH_BACKGROUND, &s);
	CHECK(s.fg == 244 && s.bg == 234);
	theme_resolve(&t, TH_INPUT, &s);
	CHECK(s.fg == THEME_DEFAULT_COLOUR && s.bg == THEME_DEFAULT_COLOUR);
	theme_release(&t);

	theme_init(&t, "x");
	CHECK(theme_parse(&t, bad, strlen(bad), "x.theme", &cause) ==
	      MC_ERR_PARSE);
	CHECK_STR(cause, "x.theme:1: background: colours only (no "
	                 "attributes)\nx.theme:2: background: unknown colour "
	                 "'nosuch' (a name, colour0..colour255 or default)");
	free(cause);
	CHECK(!t.has_background);
	theme_resolve(&t, TH_BACKGROUND, &s);
	CHECK(s.fg == THEME_DEFAULT_COLOUR && s.bg == THEME_DEFAULT_COLOUR);
	theme_release(&t);

	/* The built-in themes: light and solarized-dark say their own. */
	CHECK(resource_theme(NULL, "light", &t, &cause) == MC_OK);
	theme_resolve(&t, TH_REPLY, &s);
	CHECK(s.bg == 231);
	theme_resolve(&t, TH_INPUT_PROMPT, &s);
	CHECK(s.fg == 25 && s.bg == 231);
	theme_release(&t);
	CHECK(resource_theme(NULL, "solarized-dark", &t, &cause) == MC_OK);
	theme_resolve(&t, TH_BACKGROUND, &s);
	CHECK(s.bg == 234);
	theme_release(&t);
	CHECK(resource_theme(NULL, "default", &t, &cause) == MC_OK);
	theme_resolve(&t, TH_REPLY, &s);
	CHECK(s.fg == THEME_DEFAULT_COLOUR && s.bg == THEME_DEFAULT_COLOUR);
	theme_release(&t);
}

TEST(user_files_override_built_in_ones)
{
	const char *dir = test_tmpdir();
	char path[1024], *cause = NULL;
	struct theme t;
	struct keymap km;

	snprintf(path, sizeof path, "%s/themes", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof path, "%s/themes/mono.theme", dir);
	CHECK(fs_write_atomic(path, "title red green\n", 16, 0600, &cause) ==
	      MC_OK);
	CHECK(resource_theme(dir, "mono", &t, &cause) == MC_OK);
	CHECK(t.styles[TH_TITLE].fg == 1 && t.styles[TH_TITLE].bg == 2);
	theme_release(&t);
	/* A user theme with bad lines: every one named at once (file:line),
	 * the good lines in use, the rest of the elements the default's. */
	{
		static const char three[] = "# x\ntitle red\nstatus red "
		                            "green\nmore pink blue\nfooter "
		                            "red blue blink\n";

		CHECK(fs_write_atomic(
		          path, three, strlen(three), 0600, &cause) == MC_OK);
	}
	CHECK(resource_theme(dir, "mono", &t, &cause) == MC_OK);
	CHECK(cause != NULL &&
	      strstr(cause, "themes/mono.theme:2: expected") != NULL);
	CHECK(cause != NULL && strstr(cause, "\n") != NULL &&
	      strstr(cause, "mono.theme:4: more: unknown colour 'pink'") !=
	          NULL &&
	      strstr(cause,
	          "mono.theme:5: footer: unknown attribute 'blink'") != NULL);
	free(cause);
	CHECK(t.styles[TH_STATUS].fg == 1 && t.styles[TH_STATUS].bg == 2);
	CHECK(t.styles[TH_TITLE].bg == 4);
	theme_release(&t);
	/* Your own themes, listed beside the built-in ones. */
	snprintf(path, sizeof path, "%s/themes/mine.theme", dir);
	CHECK(fs_write_atomic(path, "title red green\n", 16, 0600, &cause) ==
	      MC_OK);
	{
		char *mine = resource_list_user(dir, "themes", "theme");

		CHECK_STR(mine, "mine, mono");
		free(mine);
		mine = resource_list_user(dir, "keys", "keys");
		CHECK_STR(mine, "");
		free(mine);
	}
	CHECK(resource_theme(dir, "nosuch", &t, &cause) == MC_ERR_NOTFOUND);
	CHECK(strstr(cause, "solarized-dark") != NULL);
	CHECK(strstr(cause, "yours: mine, mono") != NULL);
	free(cause);
	theme_release(&t);
	CHECK(resource_theme(dir, "../etc", &t, &cause) == MC_ERR_USAGE);
	free(cause);
	theme_release(&t);
	/* A broken key map falls back to the default map. */
	snprintf(path, sizeof path, "%s/keys", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof path, "%s/keys/mine.keys", dir);
	CHECK(fs_write_atomic(path, "Nope send\n", 10, 0600, &cause) == MC_OK);
	CHECK(resource_keymap(dir, "mine", &km, &cause) == MC_ERR_PARSE);
	CHECK(strstr(cause, "keys/mine.keys:1: unknown key 'Nope'") != NULL);
	free(cause);
	CHECK(keymap_lookup(&km, KEYMAP_INSERT, KEYC_F2) != NULL);
	keymap_release(&km);
	/* A key map with bad lines is used without them; each is named. */
	{
		static const char some[] = "Enter send\nF13 budget\nC-d "
		                           "quit\nF2 frobnicate\nF3 budget\n";
		static const char twice[] = "Enter send\nC-d quit\nF2 "
		                            "budget\nC-d redraw\n";

		CHECK(fs_write_atomic(path, some, strlen(some), 0600, &cause) ==
		      MC_OK);
		CHECK(resource_keymap(dir, "mine", &km, &cause) == MC_OK);
		CHECK(cause != NULL &&
		      strstr(cause, "mine.keys:2: unknown key 'F13'") != NULL &&
		      strstr(cause, "mine.keys:4: unknown action "
		                    "'frobnicate'") != NULL);
		free(cause);
		CHECK(keymap_lookup(&km, KEYMAP_INSERT, KEYC_F3) != NULL);
		CHECK(keymap_lookup(&km, KEYMAP_INSERT, KEYC_F2) == NULL);
		keymap_release(&km);
		/* C-d bound twice: the line that took quit away is named. */
		CHECK(fs_write_atomic(
		          path, twice, strlen(twice), 0600, &cause) == MC_OK);
		CHECK(
		    resource_keymap(dir, "mine", &km, &cause) == MC_ERR_PARSE);
		CHECK(cause != NULL &&
		      strstr(cause, "mine.keys:4: C-d was bound to quit on "
		                    "line 2\n") != NULL &&
		      strstr(cause, "no key quits (quit)") != NULL);
		free(cause);
		keymap_release(&km);
	}
}

TEST(built_in_copies_match_the_files)
{
	const char *src = getenv("MIXCHAT_SRCDIR");
	char path[1024], *cause = NULL;
	struct buf b;
	size_t i, n = 0;

	if (src == NULL)
		src = ".";
	for (i = 0; builtin_files[i].path != NULL; i++) {
		snprintf(
		    path, sizeof path, "%s/%s", src, builtin_files[i].path);
		buf_init(&b, 1 << 20);
		if (fs_read_file(path, &b, &cause) != MC_OK) {
			printf("%s\n", cause);
			free(cause);
			CHECK(0);
			continue;
		}
		CHECK_STR(buf_str(&b), builtin_files[i].text);
		buf_release(&b);
		n++;
	}
	CHECK(n == 6);
}

/* The cursor and Backspace take a character with its marks: an accent
 * written apart (e + U+0301), an emoji with its skin tone, a family of
 * people joined by U+200D. */
TEST(editor_moves_by_whole_characters)
{
	struct editor e;

	editor_init(&e);
	/* "abe\u0301Z": Left twice is before the accented e, not between
	 * the e and its accent; Backspace takes the b. */
	editor_set(&e, "abe\xcc\x81Z");
	editor_end(&e);
	editor_left(&e);
	editor_left(&e);
	editor_delete_back(&e);
	CHECK_STR(e.text, "ae\xcc\x81Z");
	/* Delete takes the e with its accent. */
	editor_delete_forward(&e);
	CHECK_STR(e.text, "aZ");
	/* "x\U0001F44D\U0001F3FDy": the thumb and its tone are one. */
	editor_set(&e, "x\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbdy");
	editor_end(&e);
	editor_left(&e);
	editor_left(&e);
	editor_delete_back(&e);
	CHECK_STR(e.text, "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbdy");
	editor_end(&e);
	editor_left(&e);
	editor_delete_back(&e);
	CHECK_STR(e.text, "y");
	/* man ZWJ woman ZWJ girl, then a: Backspace after the family takes
	 * all of it at once. */
	editor_set(&e, "\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"
	               "\xe2\x80\x8d\xf0\x9f\x91\xa7"
	               "a");
	editor_end(&e);
	editor_left(&e);
	editor_delete_back(&e);
	CHECK_STR(e.text, "a");
	/* A newline is never part of the character before it. */
	editor_set(&e, "e\n\xcc\x81");
	editor_end(&e);
	editor_left(&e);
	CHECK(e.cursor == 2);
	/* Nor after a joiner: Backspace at the start of the second line of
	 * "ab<ZWJ>\ncd" takes the newline alone. */
	editor_set(&e, "ab\xe2\x80\x8d\ncd");
	editor_home(&e);
	CHECK(e.cursor == 6);
	editor_delete_back(&e);
	CHECK_STR(e.text, "ab\xe2\x80\x8d"
	                  "cd");
	/* The c is no part of the joiner's character; the b is. */
	editor_left(&e);
	CHECK(e.cursor == 1);
	editor_release(&e);
}

TEST(editor_moves_by_vi_words)
{
	struct editor e;

	editor_init(&e);
	/* w: the start of the next word, not the space after this one;
	 * punctuation is a word of its own, as in vi. */
	editor_set(&e, "one two, th\xc3\xa9  x");
	e.cursor = 0;
	editor_word_next(&e, false);
	CHECK(e.cursor == 4);
	editor_word_next(&e, false);
	CHECK(e.cursor == 7); /* the comma */
	editor_word_next(&e, false);
	CHECK(e.cursor == 9);
	editor_word_next(&e, false);
	CHECK(e.cursor == 15);
	editor_word_next(&e, false);
	CHECK(e.cursor == e.len);
	/* b: the start of this word, then of the one before. */
	e.cursor = 11; /* the é */
	editor_word_prev(&e, false);
	CHECK(e.cursor == 9);
	editor_word_prev(&e, false);
	CHECK(e.cursor == 7);
	editor_word_prev(&e, false);
	CHECK(e.cursor == 4);
	e.cursor = 5;
	editor_word_prev(&e, false);
	CHECK(e.cursor == 4);
	e.cursor = 0;
	editor_word_prev(&e, false);
	CHECK(e.cursor == 0);
	/* e: the last character of this word or the next, é whole. */
	e.cursor = 0;
	editor_word_end(&e, false);
	CHECK(e.cursor == 2);
	editor_word_end(&e, false);
	CHECK(e.cursor == 6);
	editor_word_end(&e, false);
	CHECK(e.cursor == 7);
	editor_word_end(&e, false);
	CHECK(e.cursor == 11);
	/* W, B, E: words between blanks, punctuation inside them. */
	editor_set(&e, "a.b/c  d,e \xc3\xa9"
	               "f");
	e.cursor = 0;
	editor_word_next(&e, true);
	CHECK(e.cursor == 7);
	editor_word_next(&e, true);
	CHECK(e.cursor == 11);
	editor_word_prev(&e, true);
	CHECK(e.cursor == 7);
	editor_word_prev(&e, true);
	CHECK(e.cursor == 0);
	editor_word_end(&e, true);
	CHECK(e.cursor == 4);
	editor_word_end(&e, true);
	CHECK(e.cursor == 9);
	editor_word_end(&e, true);
	CHECK(e.cursor == 13); /* the f after the é */
	/* Normal mode's cursor: past the end of a line, onto its last
	 * character (a whole one); an empty line keeps it. */
	editor_set(&e, "ab\xc3\xa9\n\ncd");
	editor_onto_char(&e);
	CHECK(e.cursor == 7);
	e.cursor = 4;
	editor_onto_char(&e);
	CHECK(e.cursor == 2);
	e.cursor = 5;
	editor_onto_char(&e);
	CHECK(e.cursor == 5);
	editor_release(&e);
}

TEST(editor_edits_utf8_and_keeps_history)
{
	struct editor e;
	struct editor_row *rows;
	size_t n, r, c;
	char *s;

	editor_init(&e);
	CHECK(editor_insert(&e, "héllo 日本", strlen("héllo 日本")));
	editor_left(&e);
	editor_delete_back(&e);
	CHECK_STR(e.text, "héllo 本");
	editor_home(&e);
	editor_right(&e);
	editor_right(&e);
	editor_delete_back(&e);
	CHECK_STR(e.text, "hllo 本");
	editor_end(&e);
	editor_delete_word_back(&e);
	CHECK_STR(e.text, "hllo ");
	s = editor_take(&e);
	CHECK_STR(s, "hllo ");
	free(s);
	CHECK(editor_empty(&e));
	editor_set(&e, "second");
	free(editor_take(&e));
	editor_set(&e, "draft");
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "second");
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "hllo ");
	CHECK(!editor_history_prev(&e));
	CHECK(editor_history_next(&e));
	CHECK(editor_history_next(&e));
	CHECK_STR(e.text, "draft");
	/* Up and Down move between the lines of a message, at the same
	 * column (in display columns: 日 is two), then give way to the
	 * history at the first and last line. */
	editor_set(&e, "first line\n日本\nthird line");
	CHECK(e.cursor == e.len);
	CHECK(editor_line_up(&e));
	CHECK(e.cursor == strlen("first line\n日本"));
	CHECK(editor_line_up(&e));
	CHECK(e.cursor == strlen("firs"));
	CHECK(!editor_line_up(&e));
	CHECK(editor_line_down(&e));
	CHECK(e.cursor == strlen("first line\n日本"));
	CHECK(editor_line_down(&e));
	CHECK(e.cursor == strlen("first line\n日本\nthir"));
	CHECK(!editor_line_down(&e));
	/* A message of several lines just recalled from the history: Up
	 * and Down go on through the history (not through its lines, a
	 * press each); once the cursor moves or the text changes, through
	 * its lines again. */
	free(editor_take(&e));
	editor_set(&e, "one\ntwo\nthree");
	free(editor_take(&e));
	editor_set(&e, "last");
	free(editor_take(&e));
	CHECK(!editor_just_recalled(&e));
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "last");
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "one\ntwo\nthree");
	CHECK(editor_just_recalled(&e));
	CHECK(editor_history_next(&e));
	CHECK_STR(e.text, "last");
	CHECK(editor_history_prev(&e));
	CHECK(editor_just_recalled(&e));
	editor_left(&e);
	CHECK(!editor_just_recalled(&e));
	CHECK(editor_line_up(&e));
	editor_right(&e);
	editor_insert(&e, "!", 1);
	CHECK(!editor_just_recalled(&e));
	editor_set(&e, "");
	editor_release(&e);
	editor_init(&e);
	/* As in readline: a message of the history edited, then left, is
	 * shown as edited when the walk comes back to it, and so is the
	 * draft at the bottom; sending ends the walk, the history as sent
	 * with the text sent after it. */
	editor_set(&e, "q4");
	free(editor_take(&e));
	editor_set(&e, "q5");
	free(editor_take(&e));
	editor_set(&e, "my draft");
	CHECK(editor_history_prev(&e));
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "q4");
	editor_insert(&e, " edited", 7);
	CHECK(editor_history_next(&e));
	CHECK_STR(e.text, "q5");
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "q4 edited");
	CHECK(editor_just_recalled(&e));
	CHECK(editor_history_next(&e));
	CHECK(editor_history_next(&e));
	CHECK_STR(e.text, "my draft");
	CHECK(editor_history_prev(&e));
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "q4 edited");
	/* Edited back to the message as sent: nothing kept. */
	editor_delete_word_back(&e);
	editor_delete_back(&e);
	CHECK(editor_history_next(&e));
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "q4");
	CHECK(!e.edited[0]);
	editor_insert(&e, "!", 1);
	s = editor_take(&e);
	CHECK_STR(s, "q4!");
	free(s);
	CHECK(e.nhistory == 3);
	CHECK_STR(e.history[0], "q4");
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "q4!");
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "q5");
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "q4");
	CHECK(editor_history_next(&e));
	CHECK(editor_history_next(&e));
	CHECK(editor_history_next(&e));
	CHECK_STR(e.text, "");
	/* Several lines: the edit is kept from the first or last line
	 * too. */
	editor_set(&e, "alpha\nbeta");
	free(editor_take(&e));
	CHECK(editor_history_prev(&e));
	CHECK(editor_just_recalled(&e));
	editor_insert(&e, "X", 1);
	CHECK(!editor_just_recalled(&e));
	CHECK(editor_line_up(&e));
	editor_insert(&e, "Y", 1);
	CHECK(!editor_line_up(&e));
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "q4!");
	CHECK(editor_history_next(&e));
	CHECK_STR(e.text, "alphaY\nbetaX");
	CHECK(editor_history_next(&e));
	CHECK_STR(e.text, "");
	CHECK(editor_history_prev(&e));
	CHECK_STR(e.text, "alphaY\nbetaX");
	editor_set(&e, "");
	/* Wrapping with a newline and a wide character at the edge. */
	editor_set(&e, "abcd\n日本語");
	rows = editor_wrap(&e, 4, &n, &r, &c);
	CHECK(n == 3);
	CHECK(r == 2 && c == 2);
	free(rows);
	editor_set(&e, "abcd");
	rows = editor_wrap(&e, 4, &n, &r, &c);
	CHECK(n == 2 && r == 1 && c == 0);
	free(rows);
	/* Words are not cut: a row ends after the space before the word
	 * that does not fit; a word longer than a row is cut. */
	editor_set(&e, "the quick brown fox");
	rows = editor_wrap(&e, 12, &n, &r, &c);
	CHECK(n == 2);
	CHECK(n == 2 && rows[0].off == 0 && rows[0].len == 10 &&
	      rows[1].off == 10 && rows[1].len == 9);
	CHECK(r == 1 && c == 9);
	free(rows);
	editor_set(&e, "abcdefghij klm");
	rows = editor_wrap(&e, 6, &n, &r, &c);
	CHECK(n == 3 && rows[0].len == 6 && rows[1].len == 5);
	free(rows);
	/* A word that fills the row: its space stays on the row, past the
	 * edge, and the next row starts at the next word (it started with
	 * the space).  The cursor on that space is on the row's last
	 * column; after it, on the next row. */
	editor_set(&e, "abc de");
	rows = editor_wrap(&e, 3, &n, &r, &c);
	CHECK(n == 2 && rows[0].len == 4 && rows[1].off == 4);
	CHECK(r == 1 && c == 2);
	free(rows);
	e.cursor = 3;
	rows = editor_wrap(&e, 3, &n, &r, &c);
	CHECK(r == 0 && c == 2);
	free(rows);
	e.cursor = 4;
	rows = editor_wrap(&e, 3, &n, &r, &c);
	CHECK(r == 1 && c == 0);
	free(rows);
	editor_set(&e, "abc ");
	rows = editor_wrap(&e, 3, &n, &r, &c);
	CHECK(n == 2 && rows[0].len == 4 && r == 1 && c == 0);
	free(rows);
	e.cursor = 3;
	rows = editor_wrap(&e, 3, &n, &r, &c);
	CHECK(r == 0 && c == 2);
	free(rows);
	/* A tab takes the chat pane's VIEW_TAB_COLS columns, in the
	 * wrapping and the cursor's column alike. */
	editor_set(&e, "a\tb");
	CHECK(editor_width(e.text, e.len) == 2 + VIEW_TAB_COLS);
	rows = editor_wrap(&e, 10, &n, &r, &c);
	CHECK(n == 1 && r == 0 && c == 2 + VIEW_TAB_COLS);
	free(rows);
	rows = editor_wrap(&e, 4, &n, &r, &c);
	CHECK(n == 3 && rows[0].len == 1 && rows[1].len == 1);
	free(rows);
	editor_set(&e, "a\tb\nabcdefgh");
	CHECK(editor_line_up(&e));
	CHECK(e.cursor == 3);
	editor_set(&e, "one\ntwo three");
	editor_home(&e);
	editor_kill_line(&e);
	CHECK_STR(e.text, "one\n");
	editor_release(&e);
}

int
main(void)
{
	RUN(wrap_breaks_at_spaces);
	RUN(wrap_cjk_and_emoji_by_display_width);
	RUN(view_lays_out_an_exchange);
	RUN(markup_draws_inline_markdown);
	RUN(markup_is_linear_on_hostile_lines);
	RUN(markup_splits_table_rows);
	RUN(view_lays_out_tables);
	RUN(view_draws_reply_markdown_but_keeps_the_prompt);
	RUN(view_marks_wrapped_code_lines);
	RUN(view_error_line_and_clean_text);
	RUN(view_marks_pinned_reask_and_failed_replies);
	RUN(keymap_describe_groups_keys_by_action);
	RUN(view_lines_never_exceed_the_width);
	RUN(view_ten_thousand_lines_and_notes);
	RUN(keymap_default_and_vi_maps);
	RUN(keymap_readline_and_vi_editing_names);
	RUN(keymap_names_and_errors);
	RUN(themes_parse_and_reduce);
	RUN(theme_background);
	RUN(themes_readable_on_few_colours);
	RUN(user_files_override_built_in_ones);
	RUN(built_in_copies_match_the_files);
	RUN(editor_moves_by_whole_characters);
	RUN(editor_moves_by_vi_words);
	RUN(editor_edits_utf8_and_keeps_history);
	while (npool > 0)
		free(pool[--npool]);
	return test_done();
}
