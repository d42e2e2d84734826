/*
 * command.c - the chat's slash commands: /why /model /models /budget /new
 * /sessions /rename /delete /search /export /copy /rate /reask /select
 * /theme /mouse /glyphs /notices /help /quit.  Each prints its answer as a
 * note in the chat pane (/help and /notices in a popup); a failure is an
 * error note, never an exit.  /rate, /reask and /select run what their
 * keys run (ui_rate, ui_reask, ui_select) and answer where the keys do,
 * on the status bar and the notice line; /delete asks y/n on the input
 * line first (command_confirm).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/format.h"
#include "cli/cli.h"
#include "ui/resource.h"
#include "ui/ui.h"
#include "util/buf.h"
#include "util/glyph.h"
#include "util/self.h"
#include "util/suggest.h"
#include "util/terms.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "vault/vault.h"

#define SEARCH_MAX 20

static const char help_text[] =
    "Commands:\n"
    "  /why              the router's table for the selected reply\n"
    "  /model NAME       always ask NAME;  /model auto: let the router "
    "choose\n"
    "  /models           every model: price, learned quality, ratings, "
    "latency\n"
    "  /budget [on|off]  today's spend, the daily budget, budget mode%s\n"
    "  /new              start a new conversation\n"
    "  /sessions [N]     list conversations; /sessions N resumes number N\n"
    "                    (/sessions ID: at that message; all: ask's too)\n"
    "  /rename NAME      name this conversation;  /delete [N]: delete it\n"
    "  /search WORDS     find messages in every conversation, 20 at a time\n"
    "                    (/search more: the 20 older than the last shown)\n"
    "  /export [FILE]    write this conversation as Markdown (JSON into a\n"
    "                    FILE.json; /export! FILE replaces a file there)\n"
    "  /copy             the selected reply to the clipboard%s\n"
    "  /rate SCORE [N]   rate the selected reply (or reply N) 1..5%s\n"
    "  /reask [N]        ask the next-best model again%s\n"
    "  /select N         pick reply N and scroll to it%s\n"
    "  /theme NAME       switch colours (default, light, solarized-dark, "
    "mono)\n"
    "  /mouse [on|off]   the wheel scrolls, a click selects a reply "
    "(Shift\n"
    "                    + drag still selects text)\n"
    "  /glyphs ascii     mixchat's own marks in ASCII (a Linux console, a\n"
    "                    CJK terminal);  /glyphs unicode: back\n"
    "  /notices          the warnings mixchat gave (budget, damaged "
    "records)\n"
    "  /help             this list;  %s\n"
    "  /quit             leave%s\n"
    "Start a message with // to send one that begins with /.";

/* ui_notice with a format: said on the notice line, which is in sight
 * however far the chat is scrolled (the reply commands keep the scroll,
 * as their keys do). */
static void notice_fmt(struct ui *ui, const char *fmt, ...) MC_PRINTF(2, 3);

static void
notice_fmt(struct ui *ui, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ui_notice(ui, msg);
	free(msg);
}

/* Add s to b cut to cols display columns (never inside a character, "…"
 * or "..." when cut, right after the last word kept: "about…", not
 * "about …"), not padded. */
static int
add_cut(struct buf *b, const char *s, size_t cols)
{
	size_t n = strlen(s), used, k,
	       ew = utf8_width(glyph->ellipsis, strlen(glyph->ellipsis));
	int rc;

	if (utf8_width(s, n) <= cols || cols <= ew)
		return buf_add(b, s, utf8_fit(s, n, cols, &used));
	k = utf8_fit(s, n, cols - ew, &used);
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	rc = buf_add(b, s, k);
	return rc == MC_OK ? buf_addstr(b, glyph->ellipsis) : rc;
}

/*
 * A search snippet cut to cols: the store marks with "…" where it left
 * text out at either end; in the ASCII set that mark is the set's own.
 */
static int
add_snippet(struct buf *b, const char *s, size_t cols)
{
	static const char mark[] = "\xe2\x80\xa6"; /* … */
	size_t n = strlen(s), m = sizeof mark - 1;
	bool head, tail;
	struct buf t;
	int rc;

	if (strcmp(glyph->ellipsis, mark) == 0)
		return add_cut(b, s, cols);
	head = n >= m && memcmp(s, mark, m) == 0;
	tail = n >= (head ? 2 : 1) * m && memcmp(s + n - m, mark, m) == 0;
	buf_init(&t, n + 16);
	rc = head ? buf_addstr(&t, glyph->ellipsis) : MC_OK;
	if (rc == MC_OK)
		rc = buf_add(&t, s + (head ? m : 0),
		    n - (head ? m : 0) - (tail ? m : 0));
	if (rc == MC_OK && tail)
		rc = buf_addstr(&t, glyph->ellipsis);
	if (rc == MC_OK)
		rc = add_cut(b, buf_str(&t), cols);
	buf_release(&t);
	return rc;
}

/*
 * The snippet s moved so that the first word of what was searched for is
 * in its first cols columns (a match far into a long message was cut
 * off the row): it starts a quarter of the row before the match, at a
 * space when one is near, after "…".  NULL when s shows it already.
 */
static char *
snippet_at_match(const char *s, const char *what, size_t cols)
{
	static const char mark[] = "\xe2\x80\xa6"; /* … */
	char *term;
	const char *at, *p, *t;
	size_t n = 0, lead, i, start;

	/* The first term, as the store read it: its snippet is cut there. */
	while ((t = terms_next(&what, &n)) != NULL && n == 0)
		;
	if (t == NULL || utf8_width(s, strlen(s)) <= cols)
		return NULL;
	term = xstrndup(t, n);
	terms_fold(term, n);
	at = terms_find(s, strlen(s), term, n);
	free(term);
	if (at == NULL ||
	    utf8_width(s, (size_t)(at - s)) + utf8_width(at, n) + 4 <= cols)
		return NULL;
	/* Back a quarter of the row from the match, on a character. */
	lead = cols / 4;
	start = (size_t)(at - s);
	for (i = 0; i < lead && start > 0; i++) {
		do
			start--;
		while (start > 0 && ((unsigned char)s[start] & 0xc0) == 0x80);
	}
	for (p = s + start; p < at && *p != ' '; p++)
		;
	if (p < at)
		start = (size_t)(p + 1 - s);
	return xasprintf("%s%s", mark, s + start);
}

/*
 * The length of the longest of the words (or "phrases", as the store
 * takes them) of folded, what was searched for case folded (terms_fold),
 * at s, case ignored as the store ignores it; 0 when none is there.
 */
static size_t
match_at(const char *s, size_t n, const char *folded)
{
	const char *p = folded, *t;
	size_t len, best = 0;

	while ((t = terms_next(&p, &len)) != NULL)
		if (len > best && terms_match(s, n, t, len))
			best = len;
	return best;
}

/*
 * Add the snippet s (as cut for its row) with each place one of what's
 * words is in it between VIEW_MARK_ON and VIEW_MARK_OFF, drawn
 * highlighted (ui_note_marked).  The marks take no column; the snippet's
 * own control bytes, which the view would drop anyway, go first so that
 * none is taken for a mark.
 */
static int
add_marked(struct buf *b, const char *s, const char *what)
{
	size_t n = strlen(s), i = 0, m;
	/* Folded as a whole: what splits it (blanks, quotes) is ASCII,
	 * which folding leaves in place, so its terms are the store's. */
	char *folded = xstrdup(what);
	int rc = MC_OK;

	terms_fold(folded, strlen(folded));
	while (i < n && rc == MC_OK) {
		if (s[i] == VIEW_MARK_ON || s[i] == VIEW_MARK_OFF) {
			i++;
			continue;
		}
		if ((m = match_at(s + i, n - i, folded)) > 0) {
			rc = buf_addch(b, VIEW_MARK_ON);
			if (rc == MC_OK)
				rc = buf_add(b, s + i, m);
			if (rc == MC_OK)
				rc = buf_addch(b, VIEW_MARK_OFF);
			i += m;
			continue;
		}
		rc = buf_addch(b, s[i++]);
	}
	free(folded);
	return rc;
}

/*
 * add_cut padded with spaces to cols: printf's %-20.20s counts bytes,
 * which cuts UTF-8 and misaligns CJK.
 */
static int
add_column(struct buf *b, const char *s, size_t cols)
{
	size_t before = b->len, used;
	int rc = add_cut(b, s, cols);

	used = utf8_width(b->data + before, b->len - before);
	while (rc == MC_OK && used++ < cols)
		rc = buf_addch(b, ' ');
	return rc;
}

/* The field width that pads s to cols display columns with printf's %*s,
 * which counts bytes ("±" is two). */
static int
pad_to(const char *s, int cols)
{
	size_t n = strlen(s);

	return cols + (int)(n - utf8_width(s, n));
}

/* A note's text, as build writes it: it depends on the set of marks in
 * use (util/glyph.h). */
typedef int (*note_text_fn)(struct ui *ui, const void *arg, struct buf *b);

/*
 * Add the note build writes (marked: with VIEW_MARK spans), written in
 * both sets of marks - build runs once more with the other set in use -
 * so that a /glyphs switch later shows it in that set, as it does the
 * replies (a /why table's ▶ becomes >, its ± +-).  The first build's
 * result; nothing is added when it fails.
 */
static int
note_both_sets(struct ui *ui, note_text_fn build, const void *arg, bool marked)
{
	struct buf b;
	bool ascii = glyph != &glyph_unicode;
	int rc;

	buf_init(&b, 1 << 20);
	rc = build(ui, arg, &b);
	if (rc == MC_OK) {
		if (marked)
			ui_note_marked(ui, buf_str(&b));
		else
			ui_note(ui, "%s", buf_str(&b));
		buf_reset(&b);
		glyph_use(ascii ? GLYPHS_UNICODE : GLYPHS_ASCII);
		if (build(ui, arg, &b) == MC_OK)
			ui_note_alt(ui, buf_str(&b), !ascii);
		glyph_use(ascii ? GLYPHS_ASCII : GLYPHS_UNICODE);
	}
	buf_release(&b);
	return rc;
}

/* /why's table for the exchange arg, into b. */
static int
why_text(struct ui *ui, const void *arg, struct buf *b)
{
	const struct app_exchange *ex = arg;
	char id[64];
	const char *verb;
	bool arriving;
	int rc = MC_OK;

	/* The id `mixchat rate` takes, once the reply is stored.  Still
	 * arriving, it has none yet: it "is answering", not "answered", and
	 * no number of another kind stands in for the id. */
	arriving = ex->state == REPLY_PENDING || ex->state == REPLY_STREAMING;
	if (ex->reply_id[0] != '\0')
		snprintf(id, sizeof id, "reply %s", ex->reply_id);
	else if (arriving)
		snprintf(id, sizeof id, "this message");
	else
		snprintf(id, sizeof id, "this reply (not stored)");
	/* Cancelled or failed before any text: the model was asked, it did
	 * not answer. */
	if (arriving)
		verb = "is answering";
	else if (ex->reply_len == 0 && ex->state != REPLY_DONE)
		verb = "was asked for";
	else
		verb = "answered";
	if (ex->pinned && !ex->not_sent)
		rc = buf_printf(b,
		    "%s %s %s because it is pinned (/model)%s; "
		    "the router's table:\n",
		    ex->model != NULL ? ex->model : "?", verb, id,
		    arriving ? " (the reply is still arriving)" : "");
	else if (ex->model == NULL || ex->not_sent) {
		/* Nothing was sent (nothing fitted the budget, every model
		 * was rate-limited): the table says why.  The message named
		 * by its words (it has no reply id). */
		const char *p = ex->prompt != NULL ? ex->prompt : "";
		size_t used = 0, line = strcspn(p, "\n"),
		       fit = utf8_fit(p, line, 40, &used), k = fit;

		/* Cut: the mark right after the last word kept. */
		while (k < strlen(p) && k > 0 && p[k - 1] == ' ')
			k--;
		rc = buf_printf(b,
		    "/why: no model was asked for \"%.*s%s\"; the router's "
		    "table:\n",
		    (int)k, p, fit < strlen(p) ? glyph->ellipsis : "");
	} else
		rc = buf_printf(b, "Why %s %s %s%s (highest score wins%s):\n",
		    ex->model, verb, id, ex->reask ? ", asked again" : "",
		    arriving ? "; the reply is still arriving" : "");
	/* `mixchat route` prints the same table; narrow, the uncertainty
	 * and then the latency give way.  Its rows are rows (VIEW_ROW): cut,
	 * not wrapped, should the pane be made narrower later. */
	if (rc == MC_OK) {
		struct buf table;
		const char *p, *nl;

		buf_init(&table, 1 << 20);
		rc = format_decision_table(ex, ui_chat_width(ui), &table);
		for (p = buf_str(&table); rc == MC_OK && *p != '\0';
		     p = nl + 1) {
			nl = strchr(p, '\n');
			if (nl == NULL)
				nl = p + strlen(p) - 1;
			rc = buf_printf(b, "%c%.*s\n", VIEW_ROW,
			    (int)(nl - p + (*nl != '\n')), p);
		}
		buf_release(&table);
	}
	return rc;
}

static void
cmd_why(struct ui *ui, const char *arg)
{
	long sel = ui->command_reply;
	const struct app_exchange *ex;

	if (sel < 0 || (ex = app_get(ui->app, (size_t)sel)) == NULL) {
		ui_note_error(ui, "/why: no reply yet; send a message first");
		return;
	}
	if (ex->ncandidates == 0) {
		if (ex->not_sent)
			ui_note(ui,
			    "/why: no model was asked for this message; "
			    "the router had none to choose from");
		else if (ex->pinned)
			ui_note(ui,
			    "/why: %s was chosen with /model; the "
			    "router was not asked",
			    ex->model != NULL ? ex->model : "the model");
		else
			ui_note(ui, "/why: the router kept no table for this "
			            "reply");
		return;
	}
	if (note_both_sets(ui, why_text, ex, false) != MC_OK)
		ui_note_error(ui, "/why: out of memory");
}

/* The usable models' names, those close to the name typed first, for a
 * /model that named none of them. */
static char *
model_names(struct ui *ui, const char *near)
{
	return app_usable_names(ui->app, near, 8, glyph->ellipsis);
}

static void
cmd_model(struct ui *ui, const char *arg)
{
	char *cause = NULL;
	int rc;

	if (arg[0] == '\0') {
		const char *p = app_pinned_model(ui->app);

		ui_note(ui,
		    "model: %s  (/model NAME to pin one, /model auto "
		    "to let the router choose)",
		    p != NULL ? p : "auto (the router chooses)");
		return;
	}
	/* What the notice line said about routing is past (a model that
	 * "the router will avoid", now pinned): what pinning says stays.
	 * A name that is no model (a typo) pins nothing and changes
	 * nothing on the notice line. */
	if (strcmp(arg, "auto") == 0 || config_find_model(ui->cfg, arg) != NULL)
		ui_notices_dismiss(ui);
	rc = app_pin_model(
	    ui->app, strcmp(arg, "auto") == 0 ? NULL : arg, &cause);
	if (rc == MC_ERR_NOTFOUND) {
		char *names = model_names(ui, arg);

		ui_note_error(ui,
		    "/model: no model named '%s'; use one of: %s "
		    "(/models lists them all)",
		    arg, names[0] != '\0' ? names : "none is set up");
		free(names);
		free(cause);
		return;
	}
	if (rc != MC_OK) {
		ui_note_error(ui, "/model: %s",
		    cause != NULL ? cause : mixchat_strerror(rc));
		free(cause);
		return;
	}
	if (strcmp(arg, "auto") == 0)
		ui_note(ui, "the router chooses the model again");
	else
		ui_note(ui,
		    "every message now goes to %s (/model auto undoes "
		    "it)",
		    arg);
}

/* The providers of the models that need a key, each once, as
 * "openai|anthropic": into provs, which the caller releases. */
static void
locked_providers(const struct app_model_info *m, size_t n, struct buf *provs)
{
	size_t i, j;

	buf_init(provs, 1 << 16);
	for (i = 0; i < n; i++) {
		if (m[i].usable)
			continue;
		for (j = 0; j < i; j++)
			if (!m[j].usable &&
			    strcmp(m[j].provider, m[i].provider) == 0)
				break;
		if (j == i && buf_printf(provs, "%s%s", provs->len ? "|" : "",
		                  m[i].provider) != MC_OK)
			break;
	}
}

/* Whether name is one of names[0..n-1]. */
static bool
name_in(char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Add name to the "|"-separated list l unless it is there. */
static int
list_add(struct buf *l, const char *name)
{
	const char *p = buf_str(l);
	size_t len = strlen(name);

	for (; *p != '\0'; p += strcspn(p, "|"), p += *p == '|')
		if (strncmp(p, name, len) == 0 &&
		    (p[len] == '|' || p[len] == '\0'))
			return MC_OK;
	return buf_printf(l, "%s%s", l->len ? "|" : "", name);
}

/* Add the "|"-separated list l to b as "a, b, c". */
static int
list_put(struct buf *b, const struct buf *l)
{
	const char *p = buf_str(l);
	size_t k;
	int rc = MC_OK;

	for (; rc == MC_OK && *p != '\0'; p += k + (p[k] == '|')) {
		k = strcspn(p, "|");
		rc = buf_printf(
		    b, "%s%.*s", p == buf_str(l) ? "" : ", ", (int)k, p);
	}
	return rc;
}

/*
 * Under /models' table: the catalog's models no key opens in this chat,
 * and what opens them.  A provider whose key is in the vault waits for
 * the vault (kept locked at the start: a restart and the passphrase), not
 * for `keys add`, which would only replace a key that is fine; a key
 * added since (by another mixchat) is taken in with the next message.
 * The providers that take a key but have no model here (OpenRouter,
 * whose models the user names) are named too, as `keys add` names them.
 * Several providers are named one after the other, so that a narrow pane
 * breaks the list between them, not inside a name.
 */
static int
models_without_key(
    struct ui *ui, const struct app_model_info *m, size_t n, struct buf *b)
{
	struct buf wait, need, other;
	char **names = NULL;
	size_t nnames = 0, i, j, nwait = 0, nneed = 0;
	bool unlocked = false;
	const char *problem = app_vault_problem(ui->app);
	int rc = MC_OK;

	cli_vault_names(ui->cfg, &names, &nnames);
	buf_init(&wait, 1 << 16);
	buf_init(&need, 1 << 16);
	buf_init(&other, 1 << 16);
	/* A model with its key from the vault answers: it is open. */
	for (i = 0; i < n; i++)
		if (m[i].usable && name_in(names, nnames, m[i].provider))
			unlocked = true;
	for (i = 0; i < n && rc == MC_OK; i++) {
		if (m[i].usable)
			continue;
		if (name_in(names, nnames, m[i].provider)) {
			nwait++;
			rc = list_add(&wait, m[i].provider);
		} else {
			nneed++;
			rc = list_add(&need, m[i].provider);
		}
	}
	for (i = 0; i < ui->cfg->nproviders && rc == MC_OK; i++) {
		const struct provider *p = &ui->cfg->providers[i];

		if (p->auth_none || name_in(names, nnames, p->name))
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(m[j].provider, p->name) == 0)
				break;
		if (j == n)
			rc = list_add(&other, p->name);
	}
	if (rc == MC_OK && nwait > 0) {
		if (strchr(buf_str(&wait), '|') == NULL)
			rc = buf_printf(b, "(%zu more models wait for %s's key",
			    nwait, buf_str(&wait));
		else {
			rc = buf_printf(
			    b, "(%zu more models wait for the keys of ", nwait);
			if (rc == MC_OK)
				rc = list_put(b, &wait);
		}
		if (rc == MC_OK && unlocked)
			rc = buf_printf(b, ", added to the vault since it was "
			                   "opened: the next message takes "
			                   "them in)\n");
		else if (rc == MC_OK)
			rc =
			    buf_printf(b, " in the vault, which stays locked "
			                  "in this chat: restart mixchat and "
			                  "type the passphrase to use them)\n");
	}
	if (rc == MC_OK && nneed > 0 && problem != NULL)
		rc = buf_printf(b,
		    "(%zu more models in the catalog need a "
		    "key, and the key vault cannot be used: "
		    "%s)\n",
		    nneed, problem);
	else if (rc == MC_OK && nneed > 0 &&
	         (strchr(buf_str(&need), '|') != NULL || other.len > 0)) {
		rc = buf_printf(b,
		    "(%zu more models in the catalog need a "
		    "key: %s keys add PROVIDER, one of ",
		    nneed, self_cmd());
		if (rc == MC_OK)
			rc = list_put(b, &need);
		if (rc == MC_OK && other.len > 0) {
			rc = buf_printf(b, "; or ");
			if (rc == MC_OK)
				rc = list_put(b, &other);
			if (rc == MC_OK)
				rc = buf_printf(b, ", whose models you name in "
				                   "config.json");
		}
		if (rc == MC_OK)
			rc = buf_printf(b, ")\n");
	} else if (rc == MC_OK && nneed > 0)
		rc = buf_printf(b,
		    "(%zu more models in the catalog need a "
		    "key: %s keys add %s)\n",
		    nneed, self_cmd(), buf_str(&need));
	buf_release(&wait);
	buf_release(&need);
	buf_release(&other);
	vault_names_free(names, nnames);
	return rc;
}

struct models_list {
	struct app_model_info *m;
	size_t n;
};

/* /models' table of the models in arg (a struct models_list), into b. */
static int
models_text(struct ui *ui, const void *arg, struct buf *b)
{
	const struct models_list *l = arg;
	const struct app_model_info *m = l->m;
	size_t n = l->n, i, locked = 0, outs;
	char in[32], out[32], ttft[32];
	bool show_lat, show_prov, show_rtgs, show_pm, show_in;
	int rc, mw = 5, room, tier, fixed = 0;

	/* The id column as wide as the longest id (12 to 40), within
	 * what the pane leaves beside the other columns: a longer id is cut
	 * with a mark.  Narrower than that, columns give way, least useful
	 * first, so that a row stays one line: the latency (15), the
	 * provider (10), the ratings (5), the quality's ± (3) and then the
	 * input price (8). */
	for (i = 0; i < n; i++)
		if (m[i].usable &&
		    (int)utf8_width(m[i].id, strlen(m[i].id)) > mw)
			mw = (int)utf8_width(m[i].id, strlen(m[i].id));
	if (mw < 12)
		mw = 12;
	if (mw > 40)
		mw = 40;
	room = (int)ui_chat_width(ui);
	for (tier = 0; tier < 5; tier++) {
		show_lat = tier < 1;
		show_prov = tier < 2;
		show_rtgs = tier < 3;
		show_pm = tier < 4;
		show_in = tier < 5;
		fixed = (show_lat ? 15 : 0) + (show_prov ? 10 : 0) +
		        (show_rtgs ? 5 : 0) + (show_pm ? 11 : 8) +
		        (show_in ? 8 : 0) + 8;
		if (room - fixed >= 12)
			break;
	}
	if (tier == 5) {
		/* The last to give way: the input price, and its room. */
		tier = 4;
		show_in = false;
		fixed -= 8;
	}
	if (mw > room - fixed)
		mw = room - fixed;
	if (mw < 5)
		mw = 5;
	/* Rows (VIEW_ROW): cut, not wrapped, in a narrower pane later. */
	rc = buf_addch(b, VIEW_ROW);
	if (rc == MC_OK)
		rc = add_column(b, "model", (size_t)mw);
	if (rc == MC_OK)
		rc = buf_printf(b, "%s%s %7s %*s%s%s\n",
		    show_prov ? " provider " : "", show_in ? "  $/M in" : "",
		    "$/M out", show_pm ? 10 : 7, "quality",
		    show_rtgs ? " rtgs" : "",
		    show_lat ? "  1st tok tok/s" : "");
	/* Usable models get a row; the rest of the catalog one line. */
	for (i = 0; i < n && rc == MC_OK; i++) {
		char quality[32], tps[16];

		if (!m[i].usable) {
			locked++;
			continue;
		}
		format_usd(m[i].price_in, in, sizeof in);
		format_usd(m[i].price_out, out, sizeof out);
		/* What the router assumes until a reply is timed is no
		 * measurement: "-". */
		if (m[i].ttft_measured)
			format_ms(m[i].ttft_ms, ttft, sizeof ttft);
		else
			snprintf(ttft, sizeof ttft, "-");
		if (m[i].tps_measured)
			snprintf(tps, sizeof tps, "%.0f", m[i].tokens_per_s);
		else
			snprintf(tps, sizeof tps, "-");
		if (m[i].quality >= 0 && show_pm)
			snprintf(quality, sizeof quality, "%.2f%s%.2f",
			    m[i].quality, glyph->pm,
			    m[i].uncertainty >= 0 ? m[i].uncertainty : 0.0);
		else if (m[i].quality >= 0)
			snprintf(quality, sizeof quality, "%.2f", m[i].quality);
		else
			snprintf(quality, sizeof quality, "-");
		rc = buf_addch(b, VIEW_ROW);
		if (rc == MC_OK)
			rc = add_column(b, m[i].id, (size_t)mw);
		if (rc == MC_OK && show_prov)
			rc = buf_printf(b, " %-9.9s", m[i].provider);
		if (rc == MC_OK && show_in)
			rc = buf_printf(b, " %7s", in);
		if (rc == MC_OK)
			rc = buf_printf(b, " %7s %*s", out,
			    pad_to(quality, show_pm ? 10 : 7), quality);
		if (rc == MC_OK && show_rtgs)
			rc = buf_printf(b, " %4d", m[i].ratings);
		if (rc == MC_OK && show_lat)
			rc = buf_printf(b, " %8s %5s", ttft, tps);
		if (rc == MC_OK)
			rc = buf_addch(b, '\n');
	}
	/* Those out of routing in this chat, and why (/why says it per
	 * message).  A refused key takes out every model of its provider:
	 * one item for them, where it comes first, not one a model. */
	for (i = 0, outs = 0; i < n && rc == MC_OK; i++) {
		size_t j, same = 0;
		bool seen = false;

		if (!m[i].usable || m[i].out == NULL)
			continue;
		if (strcmp(m[i].out, APP_OUT_KEY_REFUSED) == 0 ||
		    strcmp(m[i].out, APP_OUT_ACCESS_REFUSED) == 0) {
			for (j = 0; j < n; j++)
				if (m[j].usable && m[j].out != NULL &&
				    strcmp(m[j].out, m[i].out) == 0 &&
				    strcmp(m[j].provider, m[i].provider) == 0) {
					seen = seen || j < i;
					same++;
				}
		}
		if (seen)
			continue;
		if (same > 1)
			rc = buf_printf(b, "%s%s's %zu models (%s)",
			    outs++ == 0 ? "out of routing now: " : ", ",
			    m[i].provider, same, m[i].out);
		else
			rc = buf_printf(b, "%s%s (%s)",
			    outs++ == 0 ? "out of routing now: " : ", ",
			    m[i].id, m[i].out);
	}
	if (rc == MC_OK && outs > 0)
		rc = buf_addch(b, '\n');
	if (rc == MC_OK && locked > 0)
		rc = models_without_key(ui, m, n, b);
	return rc;
}

static void
cmd_models(struct ui *ui, const char *arg)
{
	struct app_model_info *m = NULL;
	size_t n = 0, i;
	int rc;

	rc = app_models(ui->app, &m, &n);
	if (rc != MC_OK) {
		ui_note_error(ui, "/models: %s", mixchat_strerror(rc));
		return;
	}
	if (n == 0) {
		ui_note(ui, "/models: no model is enabled");
		return;
	}
	/* None can answer: what to do, not a table's header over no row. */
	for (i = 0; i < n && !m[i].usable; i++)
		;
	if (i == n) {
		struct buf provs;

		locked_providers(m, n, &provs);
		ui_note(ui,
		    "/models: no provider is set up yet, so no model can "
		    "answer.  The catalog's %zu models need a key: quit "
		    "(Ctrl-D or /quit) and run  %s keys add %s  (or point "
		    "a model at a local server in %s, as the note at the start "
		    "shows)",
		    n, self_cmd(), provs.len ? buf_str(&provs) : "PROVIDER",
		    ui->cfg->config_file);
		buf_release(&provs);
		app_models_free(m, n);
		return;
	}
	{
		struct models_list l = { .m = m, .n = n };

		if (note_both_sets(ui, models_text, &l, false) != MC_OK)
			ui_note_error(ui, "/models: out of memory");
	}
	app_models_free(m, n);
}

static void
cmd_budget(struct ui *ui, const char *arg)
{
	char spent[32], limit[32];
	double budget = app_daily_budget(ui->app);

	if (strcmp(arg, "on") == 0)
		app_set_budget_mode(ui->app, true);
	else if (strcmp(arg, "off") == 0)
		app_set_budget_mode(ui->app, false);
	else if (arg[0] != '\0') {
		ui_note_error(ui,
		    "/budget: '%s'? use /budget, /budget on or "
		    "/budget off",
		    arg);
		return;
	}
	format_usd(app_spend_today(ui->app), spent, sizeof spent);
	format_usd(budget, limit, sizeof limit);
	ui_note(ui,
	    "spent today: %s of %s; budget mode %s (F2 toggles it for this "
	    "session; \"router\": {\"mode\": \"budget\"} in config.json "
	    "starts in it); routing: %s",
	    spent, budget > 0 ? limit : "no daily limit",
	    app_budget_mode(ui->app) ? "on" : "off", app_mode_name(ui->app));
}

static void
cmd_mouse(struct ui *ui, const char *arg)
{
	bool on;

	if (strcmp(arg, "on") == 0)
		on = true;
	else if (strcmp(arg, "off") == 0)
		on = false;
	else if (arg[0] == '\0')
		on = !ui->mouse;
	else {
		ui_note_error(
		    ui, "/mouse: '%s'? use /mouse on or /mouse off", arg);
		return;
	}
	if (!ui_set_mouse(ui, on)) {
		ui_note_error(ui, "/mouse: this terminal reports no mouse");
		return;
	}
	ui_note(ui,
	    on ? "mouse on: the wheel scrolls, a click selects a reply; hold "
	         "Shift to select text"
	       : "mouse off: the terminal selects text as usual");
}

static void
cmd_glyphs(struct ui *ui, const char *arg)
{
	enum glyph_set set;

	if (strcmp(arg, "ascii") == 0)
		set = GLYPHS_ASCII;
	else if (strcmp(arg, "unicode") == 0)
		set = GLYPHS_UNICODE;
	else if (arg[0] == '\0')
		set = glyph == &glyph_unicode ? GLYPHS_ASCII : GLYPHS_UNICODE;
	else {
		ui_note_error(ui,
		    "/glyphs: '%s'? use /glyphs ascii or /glyphs unicode", arg);
		return;
	}
	glyph_use(set);
	view_relayout(&ui->view);
	ui_note(ui,
	    "marks in %s for this session (\"glyphs\": \"%s\" in config.json "
	    "keeps them)",
	    set == GLYPHS_ASCII ? "ASCII" : "Unicode",
	    set == GLYPHS_ASCII ? "ascii" : "unicode");
}

static void
cmd_new(struct ui *ui, const char *arg)
{
	char *cause = NULL;
	int rc;

	if (*arg != '\0') {
		ui_note_error(ui, "/new takes nothing after it (// sends a "
		                  "message starting with /)");
		return;
	}
	/* As /sessions N: a reply still arriving is not cut off unseen. */
	if (app_busy(ui->app)) {
		ui_command_wait(
		    ui, "a reply is still arriving (Esc cancels it)");
		return;
	}
	rc = app_session_new(ui->app, &cause);
	if (rc != MC_OK) {
		ui_note_error(ui, "/new: %s",
		    cause != NULL ? cause : mixchat_strerror(rc));
		free(cause);
		return;
	}
	ui_reset_view(ui);
	ui_note(ui, "a new conversation");
}

/*
 * The saved conversations as /sessions lists them, titles cut to the
 * chat's width now; *n the rows of text (0: there is none).  The
 * conversations `mixchat ask` made on its own (a script's) are one line
 * at the end unless ui->sessions_all: else a day of scripted asks buries
 * the conversations one comes back to.
 */
static int
sessions_text(struct ui *ui, struct buf *b, size_t *n)
{
	struct app_session_info *all = NULL, **s;
	size_t i, k = 0, room, tb, iw = 1, want = 1, width, fixed = 0, nall = 0,
	          folded = 0;
	char when[32], msgs[32];
	int tier;
	time_t t;
	struct tm tm;
	int rc;

	*n = 0;
	if ((rc = app_sessions(ui->app, &all, &nall)) != MC_OK || nall == 0) {
		app_sessions_free(all, nall);
		return rc;
	}
	s = xcalloc(nall, sizeof *s);
	for (i = 0; i < nall; i++) {
		if (all[i].one_off && !ui->sessions_all)
			folded++;
		else
			s[k++] = &all[i];
	}
	rc = buf_printf(b, "Conversations (last used first; /sessions N "
	                   "resumes number N, mixchat export N writes it):\n");
	/* A title longer than the line is cut, not wrapped.  The title
	 * keeps 20 columns (or all of the longest) while columns give way
	 * beside it, least useful first: the number of messages (11), the
	 * year of the date (5), then the date (13). */
	for (i = 0; i < k; i++) {
		const char *title = s[i]->title != NULL ? s[i]->title : "";

		if (strlen(s[i]->id) > iw)
			iw = strlen(s[i]->id);
		tb = utf8_width(title, strcspn(title, "\n"));
		if (tb > want)
			want = tb;
	}
	if (want > 20)
		want = 20;
	width = ui_text_width(ui);
	for (tier = 0; tier < 3; tier++) {
		fixed = 2 + iw + (tier < 2 ? 18 - 5 * tier : 0) +
		        (tier < 1 ? 11 : 0) + 2;
		if (fixed + want <= width)
			break;
	}
	room = width > fixed ? width - fixed : 1;
	for (i = 0; i < k && rc == MC_OK; i++) {
		const char *title = s[i]->title != NULL ? s[i]->title : "";
		char *line;

		t = (time_t)(s[i]->updated_ms / 1000);
		localtime_r(&t, &tm);
		when[0] = '\0';
		if (tier < 2)
			strftime(when, sizeof when,
			    tier == 0 ? "  %Y-%m-%d %H:%M" : "  %m-%d %H:%M",
			    &tm);
		msgs[0] = '\0';
		if (tier == 0)
			snprintf(msgs, sizeof msgs, "  %4zu msg%s",
			    s[i]->messages, s[i]->messages == 1 ? " " : "s");
		/* A title of several lines: its first, marked cut. */
		tb = strcspn(title, "\n");
		line = xstrndup(title, tb);
		rc =
		    buf_printf(b, "  %*s%s%s  ", (int)iw, s[i]->id, when, msgs);
		if (rc == MC_OK)
			rc = add_cut(b, line, room);
		if (rc == MC_OK && title[tb] != '\0' &&
		    utf8_width(line, tb) < room)
			rc = buf_addstr(b, glyph->ellipsis);
		free(line);
		if (rc == MC_OK)
			rc = buf_addch(b, '\n');
	}
	if (rc == MC_OK && folded > 0)
		rc = buf_printf(b,
		    "  %s%zu one-question conversation%s from `mixchat ask`: "
		    "/sessions all lists them\n",
		    k > 0 ? "and " : "", folded, folded == 1 ? "" : "s");
	*n = k + (folded > 0);
	free(s);
	app_sessions_free(all, nall);
	return rc;
}

static int
sessions_regen(struct ui *ui, struct buf *b)
{
	size_t n;

	return sessions_text(ui, b, &n);
}

/* A line of the /sessions list that is a conversation: its number
 * first, after the indent; *id_len its length. */
static const char *
session_line_id(const char *line, size_t len, size_t *id_len)
{
	size_t i = 0, k;

	while (i < len && line[i] == ' ')
		i++;
	for (k = i; k < len && line[k] >= '0' && line[k] <= '9'; k++)
		;
	if (k == i || k + 2 > len || line[k] != ' ' || line[k + 1] != ' ')
		return NULL;
	*id_len = k - i;
	return line + i;
}

static bool
sessions_pickable(const char *line, size_t len)
{
	size_t n;

	return session_line_id(line, len, &n) != NULL;
}

static void cmd_sessions(struct ui *ui, const char *arg);

/* Enter on a conversation of the /sessions popup: /sessions N.  Refused
 * for now (a reply still arriving), the command waits in the input. */
static void
sessions_pick(struct ui *ui, const char *line, size_t len)
{
	size_t n;
	const char *id = session_line_id(line, len, &n);
	char *arg, *cmd;

	if (id == NULL)
		return;
	arg = xstrndup(id, n);
	ui_overlay_close(ui);
	ui->keep_command = false;
	cmd_sessions(ui, arg);
	cmd = xasprintf("/sessions %s", arg);
	ui_command_keep(ui, cmd);
	free(cmd);
	free(arg);
}

static void
cmd_sessions(struct ui *ui, const char *arg)
{
	size_t n = 0, i;
	struct buf b;
	char *cause = NULL;
	int rc;

	/* /sessions all: the conversations `mixchat ask` made on its own
	 * too (a conversation called "all" is resumed by its number). */
	ui->sessions_all = strcmp(arg, "all") == 0;
	/* N is the conversation's number, the one `mixchat export N` and
	 * `ask --session N` take (or its name); N.SEQ, a message's id as
	 * /search lists it, opens it there. */
	if (arg[0] != '\0' && !ui->sessions_all) {
		const char *dot = strchr(arg, '.');
		char *conv = NULL;
		long at = -1;

		if (dot != NULL && dot > arg && dot[1] != '\0' &&
		    strspn(arg, "0123456789") == (size_t)(dot - arg) &&
		    strspn(dot + 1, "0123456789") == strlen(dot + 1) &&
		    strlen(dot + 1) < 10) {
			conv = xstrndup(arg, (size_t)(dot - arg));
			at = atol(dot + 1);
		}
		rc = app_session_resume(
		    ui->app, conv != NULL ? conv : arg, &cause);
		free(conv);
		if (rc == MC_ERR_AGAIN) {
			ui_command_wait(ui, cause != NULL ? cause : "not now");
			free(cause);
			return;
		}
		if (rc != MC_OK) {
			ui_note_error(ui, "/sessions: %s",
			    cause != NULL ? cause : mixchat_strerror(rc));
			free(cause);
			return;
		}
		ui_reset_view(ui);
		/* Its messages are what Up walks now, as if typed. */
		for (i = 0; i < app_count(ui->app); i++) {
			const struct app_exchange *x = app_get(ui->app, i);

			if (x != NULL && x->prompt != NULL &&
			    !x->shares_message)
				editor_remember(&ui->ed, x->prompt);
		}
		if (at >= 0) {
			long x = app_find_message(ui->app, (uint32_t)at);

			/* The note first: selecting scrolls the pane over
			 * all of it. */
			if (x >= 0) {
				ui_note(ui, "resumed: %s, at %s",
				    app_session_title(ui->app), arg);
				ui_select(ui, x);
			} else
				ui_note(ui,
				    "resumed: %s (it has no message %s)",
				    app_session_title(ui->app), arg);
			return;
		}
		ui_note(ui, "resumed: %s", app_session_title(ui->app));
		return;
	}
	buf_init(&b, 1 << 20);
	rc = sessions_text(ui, &b, &n);
	if (rc != MC_OK)
		ui_note_error(ui, "/sessions: %s", mixchat_strerror(rc));
	else if (n == 0)
		ui_note(ui, "no saved conversations yet");
	/* A list taller than the pane goes in the popup, read from its
	 * top (the last used), not scrolled to its oldest end; laid out
	 * again when the window's width changes. */
	else if (n + 2 > (size_t)(ui->chat_rows > 0 ? ui->chat_rows : 20)) {
		ui_overlay_open(ui, "/sessions", buf_str(&b));
		ui->overlay.regen = sessions_regen;
		ui->overlay.pick = sessions_pick;
		ui->overlay.pickable = sessions_pickable;
		/* The cursor on the first conversation (under the
		 * heading). */
		ui->overlay.cursor = 0;
		while (ui_overlay_line(&ui->overlay, ui->overlay.cursor, &i) !=
		           NULL &&
		       !sessions_pickable(ui_overlay_line(&ui->overlay,
		                              ui->overlay.cursor, &i),
		           i))
			ui->overlay.cursor++;
	} else {
		/* Titles cut with the marks of both sets. */
		ui_note(ui, "%s", buf_str(&b));
		buf_reset(&b);
		glyph_use(
		    glyph == &glyph_unicode ? GLYPHS_ASCII : GLYPHS_UNICODE);
		rc = sessions_text(ui, &b, &n);
		glyph_use(
		    glyph == &glyph_unicode ? GLYPHS_ASCII : GLYPHS_UNICODE);
		if (rc == MC_OK)
			ui_note_alt(ui, buf_str(&b), glyph == &glyph_unicode);
	}
	buf_release(&b);
}

/*
 * The exchange a reply's number or id names: N as the status bar numbers
 * them ("reply N/M"), or its id ("5.3", as /why and `mixchat rate` name
 * it); -1 (with the notice said) when it names none here.
 */
static long
reply_arg(struct ui *ui, const char *cmd, const char *arg)
{
	size_t n = app_count(ui->app), i;
	char *end;
	long k;

	if (strchr(arg, '.') != NULL) {
		for (i = 0; i < n; i++)
			if (strcmp(app_get(ui->app, i)->reply_id, arg) == 0)
				return (long)i;
		notice_fmt(ui,
		    "/%s: reply %s is not in this conversation (mixchat "
		    "rate %s SCORE rates any reply)",
		    cmd, arg, arg);
		return -1;
	}
	k = strtol(arg, &end, 10);
	if (*end != '\0' || end == arg || k < 1 || (size_t)k > n) {
		if (n == 0)
			notice_fmt(ui, "/%s: there is no reply yet", cmd);
		else
			notice_fmt(ui,
			    "/%s: '%s' is no reply here: a number 1 to %zu, "
			    "as the status bar counts them (reply N/%zu), or "
			    "an id such as %s",
			    cmd, arg, n, n,
			    app_get(ui->app, n - 1)->reply_id[0] != '\0'
			        ? app_get(ui->app, n - 1)->reply_id
			        : "5.2");
		return -1;
	}
	return k - 1;
}

/* /rate SCORE [REPLY]: what Alt-SCORE does, on the reply the keys act on
 * or on the one named. */
static void
cmd_rate(struct ui *ui, const char *arg)
{
	const char *rest = arg + strcspn(arg, " \t");
	long at;

	if (!(arg[0] >= '1' && arg[0] <= '5') ||
	    (arg[1] != '\0' && arg[1] != ' ' && arg[1] != '\t')) {
		ui_notice(ui, "/rate SCORE [REPLY]: a score 1 (useless) to 5 "
		              "(perfect), then the reply's number or id when "
		              "not the one the keys act on");
		return;
	}
	rest += strspn(rest, " \t");
	if (rest[0] == '\0') {
		ui_rate_selected(ui, arg[0] - '0');
		return;
	}
	if ((at = reply_arg(ui, "rate", rest)) >= 0)
		ui_rate(ui, at, arg[0] - '0');
}

/* /reask [REPLY]: what Alt-R does. */
static void
cmd_reask(struct ui *ui, const char *arg)
{
	long at =
	    arg[0] != '\0' ? reply_arg(ui, "reask", arg) : ui_selected(ui);

	if (arg[0] == '\0' || at >= 0)
		ui_reask(ui, at);
}

/* /select N: reply N picked, as Alt-Up/Down would, and scrolled to. */
static void
cmd_select(struct ui *ui, const char *arg)
{
	long at;

	if (arg[0] == '\0') {
		ui_notice(ui, "/select N: the reply to pick, as the status bar "
		              "counts them (reply N/M), or its id");
		return;
	}
	if ((at = reply_arg(ui, "select", arg)) >= 0)
		ui_select(ui, at);
}

static void
cmd_rename(struct ui *ui, const char *arg)
{
	char *cause = NULL;
	int rc;

	if (arg[0] == '\0') {
		ui_note_error(ui, "/rename NAME: the name to give this "
		                  "conversation (/sessions NAME and mixchat "
		                  "export NAME find it by it)");
		return;
	}
	rc = app_session_rename(ui->app, arg, &cause);
	if (rc != MC_OK) {
		ui_note_error(ui, "/rename: %s",
		    cause != NULL ? cause : mixchat_strerror(rc));
		free(cause);
		return;
	}
	ui_note(ui,
	    "this conversation is called %s now (/sessions %s resumes it, "
	    "mixchat export '%s' writes it)",
	    app_session_title(ui->app), app_session_title(ui->app),
	    app_session_title(ui->app));
}

/* The conversation numbered (or named) which, as /sessions lists it;
 * false when there is none. */
static bool
session_info(struct ui *ui, const char *which, struct app_session_info *out)
{
	struct app_session_info *list = NULL;
	size_t n = 0, i, match = SIZE_MAX;

	if (app_sessions(ui->app, &list, &n) != MC_OK)
		return false;
	/* A number first, then the newest of a name: as the store finds
	 * one. */
	for (i = 0; i < n && match == SIZE_MAX; i++)
		if (strcmp(list[i].id, which) == 0)
			match = i;
	for (i = 0; i < n && match == SIZE_MAX; i++)
		if (list[i].name != NULL && strcmp(list[i].name, which) == 0)
			match = i;
	if (match != SIZE_MAX) {
		*out = list[match];
		list[match].name = list[match].title = NULL;
	}
	app_sessions_free(list, n);
	return match != SIZE_MAX;
}

int
command_find_session(
    struct ui *ui, const char *which, char *id, size_t size, char **cause)
{
	struct app_session_info *list = NULL, info;
	const char **words;
	const char *near;
	size_t n = 0, i, k = 0;

	id[0] = '\0';
	/* The one used last, as /sessions lists it first (not a script's
	 * one-off ask); none yet: the chat starts a new one. */
	if (strcmp(which, "last") == 0) {
		uint64_t last;

		if (app_session_find(ui->app, which, &last) == MC_OK)
			snprintf(id, size, "%llu", (unsigned long long)last);
		return MC_OK;
	}
	if (session_info(ui, which, &info)) {
		snprintf(id, size, "%s", info.id);
		free(info.name);
		free(info.title);
		return MC_OK;
	}
	/* A slip in a name: the name it likely meant (a title is no name:
	 * one typed whole gives its number; a number, no guess). */
	if (app_sessions(ui->app, &list, &n) != MC_OK)
		n = 0;
	for (i = 0; i < n; i++)
		if (list[i].name == NULL && list[i].title != NULL &&
		    strcasecmp(list[i].title, which) == 0) {
			*cause =
			    xasprintf("no conversation is named '%s'; "
			              "conversation %s begins so: give its "
			              "number",
			        which, list[i].id);
			app_sessions_free(list, n);
			return MC_ERR_NOTFOUND;
		}
	words = xcalloc(n + 1, sizeof *words);
	for (i = 0; i < n; i++)
		if (list[i].name != NULL)
			words[k++] = list[i].name;
	near = which[strspn(which, "0123456789")] == '\0'
	           ? NULL
	           : suggest_name(which, words, k);
	*cause = xasprintf("no conversation has the number or name '%s'%s%s%s "
	                   "(mixchat sessions lists them)",
	    which, near != NULL ? "; did you mean '" : "",
	    near != NULL ? near : "", near != NULL ? "'?" : "");
	free(words);
	app_sessions_free(list, n);
	return MC_ERR_NOTFOUND;
}

/*
 * /delete [N]: this conversation, or number (or name) N, with every
 * message of it, once y is pressed; the ratings stay with the router.
 */
static void
cmd_delete(struct ui *ui, const char *arg)
{
	struct app_session_info info;
	const char *which = arg[0] != '\0' ? arg : app_session_id(ui->app);
	char *title, last[32];

	/* last: the conversation used last, as -s last and `mixchat
	 * sessions rm last` take it. */
	if (which != NULL && strcmp(which, "last") == 0) {
		char *cause = NULL;

		if (command_find_session(
		        ui, which, last, sizeof last, &cause) != MC_OK ||
		    last[0] == '\0') {
			ui_note_error(ui, "/delete: %s",
			    cause != NULL ? cause
			                  : "there is no conversation "
			                    "yet");
			free(cause);
			return;
		}
		which = last;
	}
	if (which == NULL) {
		ui_note_error(ui,
		    "/delete: this conversation is not saved yet; "
		    "/delete N deletes conversation N "
		    "(/sessions lists them)");
		return;
	}
	if (!session_info(ui, which, &info)) {
		ui_note_error(ui,
		    "/delete: no conversation %s (/sessions "
		    "lists them)",
		    which);
		return;
	}
	/* As /new: a reply still arriving is not cut off unseen. */
	if (app_busy(ui->app) && app_session_id(ui->app) != NULL &&
	    strcmp(info.id, app_session_id(ui->app)) == 0) {
		ui_command_wait(
		    ui, "a reply is still arriving (Esc cancels it)");
		free(info.name);
		free(info.title);
		return;
	}
	title = xstrndup(info.title != NULL ? info.title : "",
	    strcspn(info.title != NULL ? info.title : "", "\n"));
	free(ui->confirm);
	free(ui->confirm_what);
	ui->confirm = xasprintf("delete conversation %s, \"%s\" (%zu "
	                        "message%s)? y deletes it, any other key "
	                        "keeps it ",
	    info.id, title, info.messages, info.messages == 1 ? "" : "s");
	ui->confirm_what = xstrdup(info.id);
	free(title);
	free(info.name);
	free(info.title);
}

void
command_confirm(struct ui *ui, bool yes)
{
	char *what = ui->confirm_what, *cause = NULL;
	const char *mine = app_session_id(ui->app);
	bool current = mine != NULL && strcmp(mine, what) == 0;
	size_t gone = 0;
	int rc;

	free(ui->confirm);
	ui->confirm = NULL;
	ui->confirm_what = NULL;
	ui->dirty = true;
	ui->scroll = 0;
	if (!yes) {
		ui_note(ui, "conversation %s is kept", what);
		free(what);
		return;
	}
	rc = app_session_delete(ui->app, what, &gone, &cause);
	if (rc != MC_OK) {
		ui_note_error(ui, "/delete: %s",
		    cause != NULL ? cause : mixchat_strerror(rc));
		free(cause);
		free(what);
		return;
	}
	if (current) {
		ui_reset_view(ui);
		ui->selected = -1;
	}
	ui_note(ui,
	    "deleted conversation %s (%zu message%s; what its ratings taught "
	    "the router stays)%s",
	    what, gone, gone == 1 ? "" : "s",
	    current ? ": this is a new conversation" : "");
	free(what);
}

struct search_list {
	const struct app_search_hit *h;
	size_t n;
	const char *what;
	size_t total, newer; /* app_search's counts */
};

/* /search's rows for the hits in arg (a struct search_list), the words
 * marked, into b. */
/* s without the view's mark bytes (VIEW_MARK_ON, VIEW_MARK_OFF, VIEW_ROW):
 * text of the user's going into a marked note (a title, the words
 * searched for) highlights nothing of its own.  The caller frees it. */
static char *
unmarked(const char *s)
{
	char *out = xstrdup(s), *o = out;

	for (; *s != '\0'; s++)
		if (*s != VIEW_MARK_ON && *s != VIEW_MARK_OFF && *s != VIEW_ROW)
			*o++ = *s;
	*o = '\0';
	return out;
}

static int
search_text(struct ui *ui, const void *arg_, struct buf *b)
{
	const struct search_list *l = arg_;
	const struct app_search_hit *h = l->h;
	const char *arg = l->what;
	char *shown_arg;
	size_t n = l->n, i, shown = l->n, fixed, room,
	       left = l->total > l->newer + n ? l->total - l->newer - n : 0;
	int rc, iw = 2, tw = 5;

	/* Columns as wide as what they hold: ids, then titles (to 24). */
	for (i = 0; i < shown; i++) {
		if ((int)strlen(h[i].reply_id) > iw)
			iw = (int)strlen(h[i].reply_id);
		if (h[i].session_title != NULL &&
		    (int)utf8_width(
		        h[i].session_title, strlen(h[i].session_title)) > tw)
			tw = (int)utf8_width(
			    h[i].session_title, strlen(h[i].session_title));
	}
	if (tw > 24)
		tw = 24;
	/* One row a match: the snippet takes what the note's indent (5),
	 * the id, the title and the labels (13) leave. */
	fixed = 5 + 13 + (size_t)iw + (size_t)tw;
	room = ui_chat_width(ui) > fixed + 8 ? ui_chat_width(ui) - fixed : 8;
	shown_arg = unmarked(arg);
	/* Which of them these are and what is left: /search more goes on
	 * until the oldest, said so. */
	if (l->newer == 0 && left == 0)
		rc = buf_printf(b,
		    "%zu match%s for '%s' (newest first; /sessions ID opens "
		    "one there):\n",
		    n, n == 1 ? "" : "es", shown_arg);
	else if (l->newer == 0)
		rc = buf_printf(b,
		    "the newest %zu of %zu matches for '%s' (/search more "
		    "shows the next %zu; /sessions ID opens one there):\n",
		    n, l->total, shown_arg,
		    left < SEARCH_MAX ? left : SEARCH_MAX);
	else if (left > 0)
		rc = buf_printf(b,
		    "matches %zu-%zu of %zu for '%s' (/search more shows the "
		    "next %zu; /sessions ID opens one there):\n",
		    l->newer + 1, l->newer + n, l->total, shown_arg,
		    left < SEARCH_MAX ? left : SEARCH_MAX);
	else
		rc = buf_printf(b,
		    "matches %zu-%zu of %zu for '%s', the oldest: that is "
		    "all (/sessions ID opens one there):\n",
		    l->newer + 1, l->newer + n, l->total, shown_arg);
	free(shown_arg);
	for (i = 0; i < shown && rc == MC_OK; i++) {
		char *title = unmarked(
		    h[i].session_title != NULL ? h[i].session_title : "");

		rc = buf_printf(b, "%c  %-*s  ", VIEW_ROW, iw, h[i].reply_id);
		if (rc == MC_OK)
			rc = add_column(b, title, (size_t)tw);
		free(title);
		if (rc == MC_OK)
			rc = buf_printf(
			    b, "  %-6s ", h[i].from_user ? "you:" : "reply:");
		if (rc == MC_OK) {
			const char *sn =
			    h[i].snippet != NULL ? h[i].snippet : "";
			char *moved = snippet_at_match(sn, arg, room);
			struct buf cut;

			buf_init(&cut, 1 << 16);
			rc =
			    add_snippet(&cut, moved != NULL ? moved : sn, room);
			if (rc == MC_OK)
				rc = add_marked(b, buf_str(&cut), arg);
			buf_release(&cut);
			free(moved);
		}
		if (rc == MC_OK)
			rc = buf_addch(b, '\n');
	}
	return rc;
}

/* Forget the /search that /search more would go on with. */
static void
search_forget(struct ui *ui)
{
	free(ui->search_words);
	ui->search_words = NULL;
	ui->search_done = false;
}

/*
 * /search WORDS: the newest SEARCH_MAX matches, and how many there are.
 * /search more: the next SEARCH_MAX of the last search, older than the
 * last it showed (messages written since count in its total but come
 * before it; a new /search shows them), until the oldest, said so.  A
 * new /search starts over; /search "more" looks for the word.
 */
static void
cmd_search(struct ui *ui, const char *arg)
{
	struct app_search_hit *h = NULL;
	size_t n = 0, total = 0, newer = 0;
	bool more = strcmp(arg, "more") == 0;
	const char *what = arg;
	char *shown;
	int rc;

	if (arg[0] == '\0') {
		ui_note_error(ui, "/search: what for? /search WORDS");
		return;
	}
	if (more && ui->search_words == NULL) {
		ui_note_error(ui, "/search more: no search to go on with: "
		                  "/search WORDS starts one (/search \"more\" "
		                  "looks for the word)");
		return;
	}
	if (more && ui->search_done) {
		shown = unmarked(ui->search_words);
		ui_note(ui,
		    "/search more: the last page for '%s' ended at the oldest "
		    "match; /search WORDS starts another search",
		    shown);
		free(shown);
		return;
	}
	if (more)
		what = ui->search_words;
	rc = app_search(ui->app, what, more ? &ui->search_at : NULL, SEARCH_MAX,
	    &h, &n, &total, &newer);
	if (rc == MC_ERR_USAGE) {
		/* No word in it after all ('""', a quote left open): the
		 * same as none. */
		ui_note_error(ui, "/search: what for? /search WORDS");
		return;
	}
	if (rc != MC_OK) {
		ui_note_error(ui, "/search: %s", mixchat_strerror(rc));
		return;
	}
	if (!more) {
		search_forget(ui);
		if (n > 0)
			ui->search_words = xstrdup(arg);
		what = ui->search_words != NULL ? ui->search_words : arg;
	}
	if (n == 0) {
		if (more) {
			/* What was left was deleted since. */
			shown = unmarked(what);
			ui_note(ui,
			    "/search more: no match for '%s' is left past "
			    "the last shown (%zu in all)",
			    shown, total);
			free(shown);
			ui->search_done = true;
		} else
			ui_note(ui, "/search: nothing matches '%s'", arg);
		app_search_free(h, n);
		return;
	}
	ui->search_at = h[n - 1].at;
	ui->search_done = newer + n >= total;
	{
		struct search_list l = { .h = h,
			.n = n,
			.what = what,
			.total = total,
			.newer = newer };

		if (note_both_sets(ui, search_text, &l, true) != MC_OK)
			ui_note_error(ui, "/search: out of memory");
	}
	app_search_free(h, n);
}

static void
export_to(struct ui *ui, const char *arg, bool replace)
{
	char *written = NULL, *cause = NULL;
	int rc;

	rc = app_export(
	    ui->app, arg[0] != '\0' ? arg : NULL, replace, &written, &cause);
	if (rc != MC_OK) {
		ui_note_error(ui, "/export: %s",
		    cause != NULL ? cause : mixchat_strerror(rc));
		free(cause);
		/* Refused for a file there: one edit to replace it. */
		if (rc == MC_ERR_EXISTS)
			ui->keep_command = true;
		return;
	}
	/* The export is what the store holds: a reply still arriving is
	 * stored when it ends. */
	ui_note(ui, "conversation written to %s%s",
	    written != NULL ? written : "?",
	    app_busy(ui->app) ? " (without the reply still arriving: "
	                        "/export again once it is done)"
	                      : "");
	free(written);
}

static void
cmd_export(struct ui *ui, const char *arg)
{
	export_to(ui, arg, false);
}

static void
cmd_export_replace(struct ui *ui, const char *arg)
{
	export_to(ui, arg, true);
}

static void
cmd_copy(struct ui *ui, const char *arg)
{
	(void)arg;
	ui_copy_reply(ui, ui->command_reply);
}

static void
cmd_theme(struct ui *ui, const char *arg)
{
	char *names, *mine;

	if (arg[0] == '\0') {
		names = resource_list("themes");
		mine =
		    resource_list_user(ui->cfg->config_dir, "themes", "theme");
		ui_note(ui,
		    "theme: %s  (built in: %s%s%s; /theme NAME switches)",
		    ui->theme.name, names, mine[0] != '\0' ? "; yours: " : "",
		    mine);
		free(mine);
		free(names);
		return;
	}
	if (ui->no_colour) {
		ui_note(ui, "NO_COLOR is set: staying with the mono theme");
		return;
	}
	/* A name that is no theme (a typo) keeps the one in use, and the
	 * theme it likely meant is named (any case: /theme Light). */
	{
		struct theme t;
		char *cause = NULL, *all, *w, *save = NULL;
		const char *words[64], *near = NULL;
		size_t n = 0;
		int rc;

		rc = resource_theme(ui->cfg->config_dir, arg, &t, &cause);
		if (rc == MC_ERR_NOTFOUND) {
			names = resource_list("themes");
			mine = resource_list_user(
			    ui->cfg->config_dir, "themes", "theme");
			all = xasprintf("%s, %s", names, mine);
			for (w = strtok_r(all, ", ", &save);
			     w != NULL && n < 64;
			     w = strtok_r(NULL, ", ", &save))
				words[n++] = w;
			near = suggest_name_nocase(arg, words, n);
			ui_note_error(ui, "/theme: %s; still %s%s%s%s",
			    cause != NULL ? cause : arg, ui->theme.name,
			    near != NULL ? ". Did you mean /theme " : "",
			    near != NULL ? near : "", near != NULL ? "?" : "");
			free(all);
			free(mine);
			free(names);
		} else if (rc != MC_OK)
			ui_note_error(ui, "/theme: %s; still %s",
			    cause != NULL ? cause : arg, ui->theme.name);
		free(cause); /* its bad lines: ui_set_theme says them */
		theme_release(&t);
		if (rc != MC_OK)
			return;
	}
	/* /theme lasts for the session: the config keeps the one to start
	 * with. */
	if (ui_set_theme(ui, arg)) {
		if (ui->cfg->theme != NULL && strcmp(ui->cfg->theme, arg) == 0)
			ui_note(ui, "theme: %s", arg);
		else
			ui_note(ui,
			    "theme: %s for this session; set \"theme\": "
			    "\"%s\" in config.json to keep it",
			    arg, arg);
	}
}

/* " (KEY)" for action as the map binds it, Alt- for M-, and ..5 after a
 * rating key's 1; "" when it is not bound. */
static void
help_hint(struct ui *ui, enum action action, char *out, size_t n)
{
	char key[32], next[32];

	ui_hint_key(&ui->km, action, key, sizeof key);
	out[0] = '\0';
	if (key[0] == '\0')
		return;
	snprintf(out, n, " (%s%s", strncmp(key, "M-", 2) == 0 ? "Alt-" : "",
	    key + (strncmp(key, "M-", 2) == 0 ? 2 : 0));
	if (action == ACT_RATE && key[strlen(key) - 1] == '1')
		strncat(out, "..5", n - strlen(out) - 1);
	if (action == ACT_SELECT_PREV) {
		ui_hint_key(&ui->km, ACT_SELECT_NEXT, next, sizeof next);
		if (next[0] != '\0' && strncmp(next, "M-", 2) == 0 &&
		    strncmp(key, "M-", 2) == 0) {
			strncat(out, "/", n - strlen(out) - 1);
			strncat(out, next + 2, n - strlen(out) - 1);
		}
	}
	strncat(out, ")", n - strlen(out) - 1);
}

static void
cmd_help(struct ui *ui, const char *arg)
{
	char *text, keys[64], key[32], budget[48], copy[48], quit[48];
	char rate[48], reask[48], pick[48];

	/* The keys named are the map's in force, as on the status bar. */
	ui_hint_key(&ui->km, ACT_BUDGET, key, sizeof key);
	snprintf(budget, sizeof budget, "%s%s%s", key[0] != '\0' ? " (" : "",
	    key, key[0] != '\0' ? ")" : "");
	ui_hint_key(&ui->km, ACT_COPY, key, sizeof key);
	snprintf(copy, sizeof copy, "%s%s%s", key[0] != '\0' ? " (" : "", key,
	    key[0] != '\0' ? ")" : "");
	ui_hint_key(&ui->km, ACT_QUIT, key, sizeof key);
	snprintf(quit, sizeof quit, "%s%s%s", key[0] != '\0' ? " (" : "", key,
	    key[0] != '\0' ? " does too)" : "");
	if (ui->help_key[0] != '\0')
		snprintf(keys, sizeof keys, "%s lists the keys", ui->help_key);
	else
		snprintf(keys, sizeof keys, "no key lists the keys");
	help_hint(ui, ACT_RATE, rate, sizeof rate);
	help_hint(ui, ACT_REASK, reask, sizeof reask);
	help_hint(ui, ACT_SELECT_PREV, pick, sizeof pick);
	text =
	    xasprintf(help_text, budget, copy, rate, reask, pick, keys, quit);
	ui_overlay_open(ui, "Commands", text);
	free(text);
}

static void
cmd_notices(struct ui *ui, const char *arg)
{
	struct buf b;
	size_t i;
	int rc = MC_OK;

	if (ui->nnotices == 0) {
		ui_note(ui, "/notices: nothing to report");
		return;
	}
	/* Each after the time it was given and a gap of two spaces: the
	 * popup hangs a long notice's rows under its text (after the
	 * first such gap), so that where each begins stands out. */
	buf_init(&b, 1 << 20);
	for (i = 0; i < ui->nnotices && rc == MC_OK; i++) {
		char when[16];
		struct tm tm;

		localtime_r(&ui->notice_time[i], &tm);
		strftime(when, sizeof when, "%H:%M", &tm);
		rc = buf_printf(&b, "%s  %s\n", when, ui->notices[i]);
	}
	if (rc == MC_OK)
		ui_overlay_open(ui, "Notices (oldest first)", buf_str(&b));
	buf_release(&b);
	ui_notices_dismiss(ui);
}

static void
cmd_quit(struct ui *ui, const char *arg)
{
	/* "/quit now please" is likely a message meant for the model. */
	if (*arg != '\0') {
		ui_note_error(ui, "/quit takes nothing after it (// sends a "
		                  "message starting with /)");
		return;
	}
	/* A message set aside for this command (Alt-/, vi's ':') is not
	 * lost to it unseen: it comes back (after the command, as always),
	 * and a /quit again means it. */
	if (ui->set_aside != NULL &&
	    (ui->quit_set_aside_said == NULL ||
	        strcmp(ui->quit_set_aside_said, ui->set_aside) != 0)) {
		char key[32];

		free(ui->quit_set_aside_said);
		ui->quit_set_aside_said = xstrdup(ui->set_aside);
		ui_hint_key(&ui->km, ACT_COMMAND, key, sizeof key);
		ui_note(ui,
		    "the message you set aside is back in the input, "
		    "unsent: /quit again%s%s%s to leave it",
		    key[0] != '\0' ? " (" : "", key,
		    key[0] != '\0' ? " quit)" : "");
		return;
	}
	ui->quit = true;
}

static const struct {
	const char *name;
	void (*fn)(struct ui *, const char *);
} commands[] = {
	{ "why", cmd_why },
	{ "model", cmd_model },
	{ "models", cmd_models },
	{ "budget", cmd_budget },
	{ "mouse", cmd_mouse },
	{ "glyphs", cmd_glyphs },
	{ "new", cmd_new },
	{ "sessions", cmd_sessions },
	{ "rename", cmd_rename },
	{ "delete", cmd_delete },
	{ "search", cmd_search },
	{ "export", cmd_export },
	{ "export!", cmd_export_replace },
	{ "copy", cmd_copy },
	{ "rate", cmd_rate },
	{ "reask", cmd_reask },
	{ "select", cmd_select },
	{ "theme", cmd_theme },
	{ "help", cmd_help },
	{ "notices", cmd_notices },
	{ "quit", cmd_quit },
	{ "exit", cmd_quit },
};

/*
 * Tab after a /command's start, after "/model " (a model's id), or after
 * "/search " while /search more has more to show: completed as a shell
 * completes a word.  One that fits goes in whole, with a blank after it;
 * several put in what they share, and when that adds nothing they are
 * listed on the notice line.  Nothing fits: nothing changes.  Returns
 * whether the input was one Tab completes (else Tab types a tab).
 */
bool
ui_complete(struct ui *ui)
{
	enum { NCOMMANDS = sizeof commands / sizeof commands[0] };
	const char *t = ui->ed.text, *sp = strchr(t, ' '), *typed;
	const char **names, **hit;
	size_t n = 0, k = 0, i, len, common;
	bool word;
	char *themes = NULL, *mine = NULL, *all = NULL, *save = NULL, *w;
	struct app_session_info *list = NULL;
	size_t nlist = 0;

	if (t[0] != '/' || t[1] == '/' || strchr(t, '\n') != NULL ||
	    strchr(t, '\t') != NULL || ui->ed.cursor != ui->ed.len)
		return false;
	/* After a command's name, its one word: a model's id, a theme's
	 * name, on or off, a conversation's name, /search's more. */
	word = sp != NULL && strchr(sp + 1, ' ') == NULL;
	if (sp != NULL && !word)
		return false;
#define IS(name)                             \
	((size_t)(sp - t) == strlen(name) && \
	    strncmp(t, name, strlen(name)) == 0)
	if (word && IS("/search")) {
		/* while there is more to show */
		if (ui->search_words == NULL || ui->search_done)
			return false;
		names = xcalloc(1, sizeof *names);
		names[n++] = "more";
	} else if (word && IS("/model")) {
		names = xcalloc(ui->cfg->nmodels + 1, sizeof *names);
		names[n++] = "auto";
		for (i = 0; i < ui->cfg->nmodels; i++)
			if (app_is_candidate(ui->app, ui->cfg->models[i].id))
				names[n++] = ui->cfg->models[i].id;
	} else if (word && IS("/mouse")) {
		names = xcalloc(2, sizeof *names);
		names[n++] = "on";
		names[n++] = "off";
	} else if (word && IS("/theme")) {
		themes = resource_list("themes");
		mine =
		    resource_list_user(ui->cfg->config_dir, "themes", "theme");
		all = xasprintf("%s, %s", themes, mine);
		names = xcalloc(strlen(all) / 2 + 2, sizeof *names);
		for (w = strtok_r(all, ", ", &save); w != NULL;
		     w = strtok_r(NULL, ", ", &save))
			names[n++] = w;
	} else if (word && (IS("/sessions") || IS("/delete"))) {
		if (app_sessions(ui->app, &list, &nlist) != MC_OK)
			nlist = 0;
		names = xcalloc(nlist + 3, sizeof *names);
		if (IS("/sessions"))
			names[n++] = "all";
		names[n++] = "last";
		for (i = 0; i < nlist; i++)
			if (list[i].name != NULL)
				names[n++] = list[i].name;
	} else if (word) {
		return false;
	} else {
		names = xcalloc(NCOMMANDS, sizeof *names);
		for (i = 0; i < NCOMMANDS; i++)
			/* /export! is /export's variant, not a word. */
			if (strchr(commands[i].name, '!') == NULL)
				names[n++] = commands[i].name;
	}
#undef IS
	typed = word ? sp + 1 : t + 1;
	len = strlen(typed);
	hit = xcalloc(n, sizeof *hit);
	for (i = 0; i < n; i++)
		if (strncmp(names[i], typed, len) == 0)
			hit[k++] = names[i];
	if (k > 0) {
		char *out;

		/* What every match shares, from the first. */
		common = strlen(hit[0]);
		for (i = 1; i < k; i++) {
			size_t j = 0;

			while (j < common && hit[i][j] == hit[0][j])
				j++;
			common = j;
		}
		out = xasprintf("%.*s%.*s%s", (int)(typed - t), t, (int)common,
		    hit[0], k == 1 ? " " : "");
		editor_set(&ui->ed, out);
		free(out);
		if (k > 1 && common == len) {
			struct buf b;

			buf_init(&b, 1 << 12);
			for (i = 0; i < k; i++)
				if (buf_printf(&b, "%s%s%s", i > 0 ? ", " : "",
				        word ? "" : "/", hit[i]) != MC_OK)
					break;
			ui_notice(ui, buf_str(&b));
			buf_release(&b);
		}
	}
	free(hit);
	free(names);
	free(themes);
	free(mine);
	free(all);
	app_sessions_free(list, nlist);
	return true;
}

/* Whether name is a command's; its index in *at. */
static bool
command_find(const char *name, size_t *at)
{
	size_t i;

	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(name, commands[i].name) == 0) {
			*at = i;
			return true;
		}
	return false;
}

/*
 * An unknown command: the commands its first len bytes begin (/ses is
 * /sessions; /se is /sessions or /search), else the nearest by a typo or
 * two, else the pointer to /help.
 */
static void
command_suggest(struct ui *ui, const char *name, size_t len)
{
	enum { NCOMMANDS = sizeof commands / sizeof commands[0] };
	const char *names[NCOMMANDS], *begun[NCOMMANDS], *near = NULL;
	char *typed = xstrndup(name, len);
	size_t i, n;
	struct buf b;

	for (i = 0; i < NCOMMANDS; i++) {
		names[i] = commands[i].name;
		/* /export! is /export's variant, not another command. */
		if (names[i][strlen(names[i]) - 1] == '!')
			names[i] = NULL;
	}
	n = suggest_prefixed(typed, names, NCOMMANDS, begun, NCOMMANDS);
	if (n == 0) {
		for (i = 0; i < NCOMMANDS; i++)
			names[i] = commands[i].name;
		near = suggest_nearest(typed, names, NCOMMANDS, 2);
		if (near != NULL) {
			begun[0] = near;
			n = 1;
		}
	}
	free(typed);
	if (n == 0) {
		ui_note_error(ui,
		    "unknown command /%s: type /help for the list (or "
		    "// to send a message starting with /)",
		    name);
		return;
	}
	buf_init(&b, 1 << 12);
	for (i = 0; i < n; i++)
		if (buf_printf(&b, "%s/%s",
		        i == 0       ? ""
		        : i + 1 == n ? " or "
		                     : ", ",
		        begun[i]) != MC_OK)
			break;
	ui_note_error(ui,
	    "unknown command /%s: did you mean %s? (/help lists them; // "
	    "sends a message starting with /)",
	    name, buf_str(&b));
	buf_release(&b);
}

void
command_run(struct ui *ui, const char *line)
{
	char *name, *arg, *end;
	size_t i;

	ui->in_view = ui_reply_in_view(ui); /* /why acts on it too */
	ui_selection_follow(ui);
	/* Taken before the chat scrolls down: /why and /copy act on the
	 * reply the keys act on, the one in sight. */
	ui->command_reply = ui_selected(ui);
	name = xstrdup(line + 1);
	/* Trim, then split the name from its argument. */
	end = name + strlen(name);
	while (end > name &&
	       (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t'))
		*--end = '\0';
	arg = name + strcspn(name, " \t\n");
	if (*arg != '\0') {
		*arg++ = '\0';
		while (*arg == ' ' || *arg == '\t' || *arg == '\n')
			arg++;
	}
	/* The answer is a note at the end of the chat: it scrolls down to
	 * it, but for /copy, which answers on the status bar and leaves
	 * the reader where they were. */
	if (strcmp(name, "copy") != 0 && strcmp(name, "rate") != 0 &&
	    strcmp(name, "reask") != 0 && strcmp(name, "select") != 0)
		ui->scroll = 0;
	if (command_find(name, &i)) {
		commands[i].fn(ui, arg);
		free(name);
		return;
	}
	/* "/why?" is /why: the question mark (or a full stop) is the
	 * sentence's, not the command's.  ('!' is the command's own, as in
	 * /export!.) */
	end = name + strlen(name);
	while (end > name && strchr("?.,;:", end[-1]) != NULL)
		end--;
	if (*end != '\0' && end > name) {
		char *bare = xstrndup(name, (size_t)(end - name));
		bool found = command_find(bare, &i);

		free(bare);
		if (found) {
			commands[i].fn(ui, arg);
			free(name);
			return;
		}
	}
	command_suggest(ui, name, (size_t)(end - name));
	free(name);
}
