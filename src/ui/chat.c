/*
 * chat.c - `mixchat` with no command: the interactive chat screen.
 *
 * Owns the event loop (one thread, one poll: the terminal, a self-pipe
 * for SIGWINCH/SIGINT/SIGTERM/SIGHUP, and the app's network descriptors
 * through app_wait), the dispatch of keys to actions, bracketed paste,
 * the vault prompt before curses starts, and what happens without a
 * terminal.  Drawing is in screen.c, slash commands in command.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "ui/resource.h"
#include "ui/ui.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/self.h"
#include "util/timeutil.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "vault/vault.h"

#define SPINNER_MS 100
/* Idle wake-up: app_wait is not given -1 (curl_multi_poll refuses it). */
#define IDLE_MS 1000
/* A paste the terminal does not bracket (ui.paste_guess): the wait for a
 * key behind an Enter, and how long after a pasted line's end an Enter
 * is still one. */
#define PASTE_GUESS_WAIT_MS 15
#define PASTE_GUESS_MS      150

static int signal_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	char c = sig == SIGWINCH ? 'W' : 'Q';
	int saved = errno;

	/* A full pipe means a wake-up is already pending. */
	if (signal_pipe[1] != -1 && write(signal_pipe[1], &c, 1) < 0)
		errno = saved;
	errno = saved;
}

static int
signals_start(void)
{
	struct sigaction sa;
	int i;

	if (pipe(signal_pipe) != 0)
		return -1;
	for (i = 0; i < 2; i++) {
		fcntl(signal_pipe[i], F_SETFL,
		    fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A write to a pipe whose reader is gone (tmux load-buffer exiting
	 * early) is an error to handle, not a reason to die mid-screen. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void
signals_stop(void)
{
	signal(SIGWINCH, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (signal_pipe[0] != -1) {
		close(signal_pipe[0]);
		close(signal_pipe[1]);
	}
	signal_pipe[0] = signal_pipe[1] = -1;
}

static void MC_PRINTF(3, 0)
    ui_vnote(struct ui *ui, enum view_kind kind, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap);
	size_t len = strlen(s);

	/* A table's last newline would only add an empty line. */
	while (len > 0 && s[len - 1] == '\n')
		s[--len] = '\0';
	view_add_note(&ui->view, kind, s);
	free(s);
	ui->dirty = true;
}

void
ui_note(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vnote(ui, VIEW_NOTE, fmt, ap);
	va_end(ap);
}

/* A copy of a note's text without its trailing newlines. */
static char *
note_trimmed(const char *text)
{
	size_t len = strlen(text);

	while (len > 0 && text[len - 1] == '\n')
		len--;
	return xstrndup(text, len);
}

void
ui_note_alt(struct ui *ui, const char *text, bool ascii)
{
	char *s = note_trimmed(text); /* as the note itself was */

	view_note_alt(&ui->view, s, ascii);
	free(s);
}

void
ui_note_marked(struct ui *ui, const char *text)
{
	char *s = note_trimmed(text);

	view_add_marked_note(&ui->view, VIEW_NOTE, s);
	free(s);
	ui->dirty = true;
}

void
ui_note_error(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ui_vnote(ui, VIEW_NOTE_ERROR, fmt, ap);
	va_end(ap);
}

/*
 * A problem found at start (a theme's or key map's bad lines, one a
 * line): in the chat, and each line in /notices too, which would
 * otherwise have nothing to report.  Not again on the notice line.
 */
static void
startup_problem(
    struct ui *ui, const char *what, const char *cause, const char *tail)
{
	size_t unseen = ui->notices_unseen, l;
	char *s;

	ui_note_error(ui, "%s: %s%s", what, cause, tail);
	for (;;) {
		l = strcspn(cause, "\n");
		s = xasprintf("%s: %.*s%s", what, (int)l, cause,
		    cause[l] == '\0' && tail[0] == ';' ? tail : "");
		ui_notice(ui, s);
		free(s);
		if (cause[l] == '\0')
			break;
		cause += l + 1;
	}
	ui->notices_unseen = unseen;
}

void
ui_overlay_open(struct ui *ui, const char *title, const char *text)
{
	size_t len = strlen(text);

	ui_overlay_close(ui);
	/* Trailing newlines would only add empty rows. */
	while (len > 0 && text[len - 1] == '\n')
		len--;
	ui->overlay.open = true;
	ui->overlay.title = xstrdup(title);
	ui->overlay.text = xstrndup(text, len);
	ui->overlay.scroll = 0;
	ui->overlay.rows = 0;
	ui->overlay.height = 0;
	ui->dirty = true;
}

void
ui_overlay_close(struct ui *ui)
{
	free(ui->overlay.title);
	free(ui->overlay.text);
	memset(&ui->overlay, 0, sizeof ui->overlay);
	ui->dirty = true;
}

/*
 * A notice as one clean line: whatever the app or a damaged record hands
 * over, control characters (terminal escapes) never reach the screen and
 * bad UTF-8 becomes U+FFFD.
 */
static char *
notice_clean(const char *s)
{
	size_t n = strlen(s), i = 0, l, o = 0;
	char *out = xmalloc(n * 3 + 1); /* U+FFFD: 3 bytes for 1 */
	uint32_t cp;

	while (i < n) {
		l = utf8_decode(s + i, n - i, &cp);
		if (cp == '\n' || cp == '\t' || cp == '\r')
			out[o++] = ' ';
		else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			;
		else if (cp == UTF8_REPLACEMENT && l == 1)
			o += utf8_encode(cp, out + o);
		else {
			memcpy(out + o, s + i, l);
			o += l;
		}
		i += l;
	}
	out[o] = '\0';
	return out;
}

void
ui_notice(struct ui *ui, const char *message)
{
	size_t i;

	if (ui->nnotices == UI_NOTICES_MAX) {
		free(ui->notices[0]);
		for (i = 1; i < UI_NOTICES_MAX; i++) {
			ui->notices[i - 1] = ui->notices[i];
			ui->notice_busy[i - 1] = ui->notice_busy[i];
			ui->notice_time[i - 1] = ui->notice_time[i];
		}
		ui->nnotices--;
	}
	ui->notice_busy[ui->nnotices] = false;
	ui->notice_time[ui->nnotices] = time(NULL);
	ui->notices[ui->nnotices++] = notice_clean(message);
	if (ui->notices_unseen < ui->nnotices)
		ui->notices_unseen++;
	ui->dirty = true;
}

void
ui_notice_busy(struct ui *ui, const char *message)
{
	char *clean = notice_clean(message);
	bool same = ui->nnotices > 0 && ui->notice_busy[ui->nnotices - 1] &&
	            strcmp(ui->notices[ui->nnotices - 1], clean) == 0;

	free(clean);
	/* Enter pressed again and again while a reply arrives: one notice,
	 * not fifty pushing the others out of /notices. */
	if (same) {
		if (ui->notices_unseen == 0)
			ui->notices_unseen = 1;
		ui->dirty = true;
		return;
	}
	ui_notice(ui, message);
	ui->notice_busy[ui->nnotices - 1] = true;
}

/* Notice k, gone from the notice line and /notices. */
static void
notice_remove(struct ui *ui, size_t k)
{
	size_t i;

	if (k >= ui->nnotices - ui->notices_unseen)
		ui->notices_unseen--;
	free(ui->notices[k]);
	for (i = k + 1; i < ui->nnotices; i++) {
		ui->notices[i - 1] = ui->notices[i];
		ui->notice_busy[i - 1] = ui->notice_busy[i];
		ui->notice_time[i - 1] = ui->notice_time[i];
	}
	ui->nnotices--;
	ui->dirty = true;
}

/* The notices that waited for the reply in flight, gone (it has ended);
 * the others stay as they were, seen or not. */
static void
ui_notices_drop_busy(struct ui *ui)
{
	size_t k = 0;

	while (k < ui->nnotices) {
		if (!ui->notice_busy[k]) {
			k++;
			continue;
		}
		notice_remove(ui, k);
	}
}

/* The input no longer holds a kept /command as it was kept (it ran, or
 * was replaced or edited): the notice that said so goes. */
static void
kept_command_end(struct ui *ui)
{
	size_t k;

	ui->command_kept = false;
	if (ui->kept_notice == NULL)
		return;
	for (k = ui->nnotices; k-- > 0;)
		if (ui->notice_busy[k] &&
		    strcmp(ui->notices[k], ui->kept_notice) == 0) {
			notice_remove(ui, k);
			break;
		}
	free(ui->kept_notice);
	ui->kept_notice = NULL;
}

void
ui_notices_dismiss(struct ui *ui)
{
	if (ui->notices_unseen > 0)
		ui->dirty = true;
	ui->notices_unseen = 0;
}

size_t
ui_chat_width(const struct ui *ui)
{
	size_t gutter = ui->bare ? 0 : UI_GUTTER;

	if (ui->cols <= (int)gutter + 2)
		return 1;
	/* One column kept free on the right: a wide character never wraps. */
	return (size_t)ui->cols - gutter - (ui->bare ? 0 : 1);
}

size_t
ui_text_width(const struct ui *ui)
{
	size_t w = ui_chat_width(ui);

	return ui->view.measure > 0 && ui->view.measure < w ? ui->view.measure
	                                                    : w;
}

void
ui_sync(struct ui *ui)
{
	size_t n = app_count(ui->app), i, before, after;

	if (n < ui->view.nexchanges)
		view_clear(&ui->view);
	before = view_total(&ui->view);
	for (i = 0; i < n; i++)
		if (view_sync(&ui->view, i, app_get(ui->app, i)))
			ui->dirty = true;
	after = view_total(&ui->view);
	/* Scrolled up: keep the same lines on screen as text arrives. */
	if (ui->scroll > 0 && after > before)
		ui->scroll += after - before;
	ui->last_total = after;
}

void
ui_reset_view(struct ui *ui)
{
	view_clear(&ui->view);
	ui->scroll = 0;
	ui->selected = -1;
	ui->in_view = -1;
	ui_sync(ui);
	ui->dirty = true;
}

bool
ui_set_theme(struct ui *ui, const char *name)
{
	struct theme t;
	char *cause = NULL;
	bool ok = true;

	if (resource_theme(ui->cfg->config_dir, name, &t, &cause) != MC_OK) {
		ui_note_error(ui, "theme: %s; using the default theme",
		    cause != NULL ? cause : name);
		ok = false;
	} else if (cause != NULL)
		ui_note_error(
		    ui, "theme: %s\n(the rest of the theme is in use)", cause);
	free(cause);
	theme_release(&ui->theme);
	ui->theme = t;
	screen_apply_theme(ui);
	ui->full_redraw = true;
	ui->dirty = true;
	return ok;
}

bool
ui_set_mouse(struct ui *ui, bool on)
{
	if (!screen_mouse(on))
		return false;
	ui->mouse = on;
	return true;
}

long
ui_selected(const struct ui *ui)
{
	size_t n = app_count(ui->app);

	if (n == 0)
		return -1;
	if (ui->selected >= 0 && (size_t)ui->selected < n)
		return ui->selected;
	/* Scrolled up, the keys act on the reply in sight, never on one
	 * off screen below it. */
	if (ui->scroll > 0 && ui->in_view >= 0 && (size_t)ui->in_view < n)
		return ui->in_view;
	return (long)n - 1;
}

static void scroll_to_selected(struct ui *ui);

void
ui_select(struct ui *ui, long index)
{
	if (index < 0 || (size_t)index >= app_count(ui->app))
		return;
	ui_sync(ui);
	ui->selected = index;
	scroll_to_selected(ui);
	ui->dirty = true;
}

/*
 * The lowest reply whose footer (where its rating shows) is in sight;
 * with no footer in sight (a reply taller than the pane), the reply at
 * the bottom.
 */
long
ui_reply_in_view(struct ui *ui)
{
	size_t total = view_total(&ui->view), h, bottom, i;
	const struct view_line *line;
	const struct view_block *b;
	const char *text;
	long any = -1;

	if (ui->scroll == 0 || ui->chat_rows <= 0 || ui->scroll >= total)
		return -1;
	h = (size_t)ui->chat_rows;
	bottom = total - ui->scroll; /* one past the last line shown */
	for (i = bottom; i-- > (bottom > h ? bottom - h : 0);) {
		line = view_line(&ui->view, i, &text, &b);
		if (line == NULL || b == NULL || b->note ||
		    line->kind == VIEW_PROMPT || line->kind == VIEW_BLANK)
			continue;
		if (line->kind == VIEW_FOOTER)
			return (long)b->index;
		if (any < 0)
			any = (long)b->index;
	}
	return any;
}

/* Whether a line of exchange index's reply (its text, footer or error
 * line: not the message above it) is in the chat pane. */
static bool
reply_in_sight(struct ui *ui, size_t index)
{
	size_t total = view_total(&ui->view), h, bottom, i;
	const struct view_line *line;
	const struct view_block *b;
	const char *text;

	if (ui->chat_rows <= 0 || ui->scroll >= total)
		return false;
	h = (size_t)ui->chat_rows;
	bottom = total - ui->scroll; /* one past the last line shown */
	for (i = bottom; i-- > (bottom > h ? bottom - h : 0);) {
		line = view_line(&ui->view, i, &text, &b);
		if (line != NULL && b != NULL && !b->note &&
		    b->index == index && line->kind != VIEW_PROMPT &&
		    line->kind != VIEW_BLANK)
			return true;
	}
	return false;
}

void
ui_selection_follow(struct ui *ui)
{
	if (ui->selected < 0 || ui->chat_rows <= 0)
		return;
	if ((size_t)ui->selected >= app_count(ui->app) ||
	    !reply_in_sight(ui, (size_t)ui->selected))
		ui->selected = -1;
}

static void
on_changed(void *ud, size_t index)
{
	struct ui *ui = ud;
	const struct app_exchange *ex;

	ui->dirty = true;
	/* Rating it: a rating other than the one given is the stored one
	 * app_rate read, the score it corrects. */
	if (ui->rating_at == index + 1 &&
	    (ex = app_get(ui->app, index)) != NULL &&
	    ex->rating != ui->rating_score)
		ui->rating_old = ex->rating;
}

static void
on_notice(void *ud, const char *message)
{
	struct ui *ui = ud;

	/*
	 * The notice line, not the chat: a run of damaged records must not
	 * push the conversation away, and notices come from app_open too,
	 * before the chat pane exists.
	 */
	ui_notice(ui, message);
}

static size_t
scroll_max(struct ui *ui)
{
	size_t total = view_total(&ui->view);
	size_t h = ui->chat_rows > 0 ? (size_t)ui->chat_rows : 1;

	return total > h ? total - h : 0;
}

static void
scroll_by(struct ui *ui, long lines)
{
	long s = (long)ui->scroll + lines;

	if (s < 0)
		s = 0;
	if ((size_t)s > scroll_max(ui))
		s = (long)scroll_max(ui);
	ui->scroll = (size_t)s;
}

/* Scroll so that the selected exchange is on screen. */
static void
scroll_to_selected(struct ui *ui)
{
	long sel = ui_selected(ui);
	size_t total = view_total(&ui->view), start, end, h, bottom, top;

	if (sel < 0)
		return;
	h = ui->chat_rows > 0 ? (size_t)ui->chat_rows : 1;
	start = view_exchange_line(&ui->view, (size_t)sel);
	end = view_exchange_end(&ui->view, (size_t)sel);
	bottom = total - ui->scroll; /* one past the last line shown */
	top = bottom > h ? bottom - h : 0;
	if (start >= top && end <= bottom)
		return;
	if (end - start >= h || start < top)
		ui->scroll = total - (start + h < total ? start + h : total);
	else
		ui->scroll = total - end;
	if (ui->scroll > scroll_max(ui))
		ui->scroll = scroll_max(ui);
}

/*
 * The message written in the user's editor ($VISUAL, else $EDITOR, else
 * vi), as git and shells offer: the draft goes to a private temporary
 * file, the editor runs on the whole terminal, and what it saved comes
 * back as the draft (its last newlines left out).  An editor that fails
 * (or one not found) leaves the draft as it was, and says so.
 */
static void
edit_external(struct ui *ui)
{
	const char *ed = getenv("VISUAL"), *tmp = getenv("TMPDIR");
	char *path, *cause = NULL;
	struct buf b;
	bool wrote, keep = false;
	int fd, st;

	/* The editor holds the whole terminal until it exits: a reply
	 * arriving meanwhile would stall, and be timed as slow. */
	if (app_busy(ui->app)) {
		ui_notice(ui, "a reply is arriving: the editor opens once it "
		              "is done (or Esc cancels it)");
		return;
	}
	if (ed == NULL || *ed == '\0')
		ed = getenv("EDITOR");
	if (ed == NULL || *ed == '\0')
		ed = "vi";
	path = xasprintf("%s/mixchat-message-XXXXXX.md",
	    tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	if ((fd = mkstemps(path, 3)) < 0) {
		char *m = xasprintf(
		    "no file for the editor: %s: %s", path, strerror(errno));

		ui_notice(ui, m);
		free(m);
		free(path);
		return;
	}
	wrote = fs_write_all(fd, ui->ed.text, ui->ed.len) == MC_OK;
	if (close(fd) != 0 || !wrote) {
		char *m = xasprintf("no room for the draft in %s: the editor "
		                    "was not started",
		    path);

		ui_notice(ui, m);
		free(m);
		unlink(path);
		free(path);
		return;
	}
	st = screen_run_editor(ui, ed, path);
	buf_init(&b, EDITOR_MAX);
	if (st != 0) {
		/* What it saved before it failed is the user's: kept, not
		 * deleted, unless it is the draft as it was. */
		bool same;

		if (fs_read_file(path, &b, &cause) == MC_OK)
			same = b.len == ui->ed.len &&
			       (b.len == 0 ||
			           memcmp(b.data, ui->ed.text, b.len) == 0);
		else /* gone (nothing to keep), or too big to read */
			same = access(path, F_OK) != 0;
		char *m = xasprintf("the editor (%s) %s: the message is as "
		                    "it was%s%s",
		    ed,
		    st == 127 ? "could not be started (set VISUAL or EDITOR)"
		              : "failed",
		    same ? "" : "; what it saved is kept in ",
		    same ? "" : path);

		free(cause);
		ui_notice(ui, m);
		free(m);
		if (!same)
			keep = true;
	} else if (fs_read_file(path, &b, &cause) != MC_OK) {
		char *m = xasprintf("the editor's file could not be read "
		                    "back: %s; your text is kept there",
		    cause);

		ui_notice(ui, m);
		free(m);
		free(cause);
		keep = true;
	} else {
		size_t n = b.len, fixed;
		char *text;

		while (
		    n > 0 && (b.data[n - 1] == '\n' || b.data[n - 1] == '\r'))
			n--;
		text =
		    utf8_repair(b.data != NULL ? b.data : "", n, &fixed, NULL);
		editor_set(&ui->ed, text);
		free(text);
	}
	buf_release(&b);
	if (!keep)
		unlink(path);
	free(path);
	ui->dirty = true;
}

/* The message set aside by vi's ':' comes back when the input is empty
 * (or holds only the '/' the key put there). */
static void
restore_set_aside(struct ui *ui)
{
	if (ui->set_aside == NULL ||
	    !(editor_empty(&ui->ed) || strcmp(ui->ed.text, "/") == 0))
		return;
	editor_set(&ui->ed, ui->set_aside);
	if (ui->set_aside_cursor <= ui->ed.len)
		ui->ed.cursor = ui->set_aside_cursor;
	free(ui->set_aside);
	ui->set_aside = NULL;
	ui->dirty = true;
}

/* Whether text holds more than one line once the white space at its end
 * is left out. */
static bool
several_lines(const char *text)
{
	size_t n = strlen(text);

	while (n > 0 && strchr(" \t\r\n", text[n - 1]) != NULL)
		n--;
	return memchr(text, '\n', n) != NULL;
}

void
ui_command_wait(struct ui *ui, const char *why)
{
	ui->keep_command = true;
	free(ui->keep_why);
	ui->keep_why = xstrdup(why);
}

void
ui_command_keep(struct ui *ui, const char *line)
{
	/* Refused while a reply arrives: one Enter runs it later. */
	if (ui->keep_command && editor_empty(&ui->ed)) {
		editor_set(&ui->ed, line);
		if (ui->keep_why != NULL) {
			char *msg = xasprintf("%s is kept in the input: %s; "
			                      "Enter runs it once it is done, "
			                      "typing replaces it",
			    line, ui->keep_why);

			/* On the notice line, gone when the reply ends (as a
			 * message's "not sent"), once however often Enter is
			 * pressed meanwhile. */
			ui_notice_busy(ui, msg);
			free(ui->kept_notice);
			ui->kept_notice = notice_clean(msg);
			free(msg);
			ui->command_kept = true;
		}
	}
	ui->keep_command = false;
	free(ui->keep_why);
	ui->keep_why = NULL;
}

static void
send_input(struct ui *ui)
{
	char *text, *cause = NULL;
	const char *send;
	size_t before;
	int rc;

	if (editor_empty(&ui->ed))
		return;
	/* Only spaces and newlines: nothing to ask (and nothing to pay). */
	if (ui->ed.text[strspn(ui->ed.text, " \t\r\n")] == '\0') {
		free(editor_take(&ui->ed));
		ui->dirty = true;
		return;
	}
	/* A command is one line: a paste of several that starts with '/'
	 * (a path in a stack trace) is a message. */
	if (ui->ed.text[0] == '/' && ui->ed.text[1] != '/' &&
	    !several_lines(ui->ed.text)) {
		text = editor_take(&ui->ed);
		ui->keep_command = false;
		kept_command_end(ui);
		command_run(ui, text);
		ui_command_keep(ui, text);
		free(text);
		restore_set_aside(ui);
		ui->dirty = true;
		return;
	}
	/* Another mixchat wrote into this conversation meanwhile: its
	 * messages are shown, and go with this one as context. */
	{
		size_t added = 0;

		if (app_catch_up(ui->app, &added, &cause) != MC_OK) {
			free(cause);
			cause = NULL;
		} else if (added > 0) {
			ui_reset_view(ui);
			ui_note(ui,
			    "%zu message%s from another mixchat came into this "
			    "conversation; yours follows %s",
			    added, added == 1 ? "" : "s",
			    added == 1 ? "it" : "them");
		}
	}
	send = ui->ed.text[0] == '/' && ui->ed.text[1] == '/' ? ui->ed.text + 1
	                                                      : ui->ed.text;
	before = app_count(ui->app);
	/* What the notice line said is past; what the send itself says
	 * (the vault changed, a model sits out) stays. */
	ui_notices_dismiss(ui);
	rc = app_send(ui->app, send, &cause);
	if (rc != MC_OK && app_count(ui->app) > before) {
		/*
		 * Refused after routing (nothing fits the budget): the app
		 * keeps it with its error line under it; saying it again in a
		 * note, with the text still in the input, would be noise.  Up
		 * brings the text back.
		 */
		free(cause);
		free(editor_take(&ui->ed));
		ui->scroll = 0;
		ui->selected = -1;
		ui_sync(ui);
		return;
	}
	if (rc != MC_OK) {
		/* The message stays in the input to try again.  Waiting for
		 * the reply in flight is said on the notice line, gone when
		 * that reply ends (a note stayed in the conversation). */
		char *msg = xasprintf("not sent: %s",
		    cause != NULL ? cause : mixchat_strerror(rc));

		if (rc == MC_ERR_AGAIN)
			ui_notice_busy(ui, msg);
		else
			ui_note_error(ui, "%s", msg);
		free(msg);
		free(cause);
		return;
	}
	free(editor_take(&ui->ed));
	restore_set_aside(ui);
	ui->scroll = 0;
	ui->selected = -1;
	ui_sync(ui);
}

void
ui_copy_selected(struct ui *ui)
{
	ui_copy_reply(ui, ui_selected(ui));
}

void
ui_copy_reply(struct ui *ui, long sel)
{
	const struct app_exchange *ex =
	    sel >= 0 ? app_get(ui->app, (size_t)sel) : NULL;
	size_t n;
	char msg[160];
	bool in_tmux;

	if (ex == NULL) {
		ui_notice(ui, "nothing to copy yet: copying takes a reply");
		return;
	}
	if (ex->reply == NULL || ex->reply_len == 0) {
		/* On the notice line: the chat's end may be off screen. */
		snprintf(msg, sizeof msg, "nothing to copy: %s has no text",
		    ex->reply_id[0] != '\0' ? ex->reply_id : "this reply");
		ui_notice(ui, msg);
		return;
	}
	n = ex->reply_len;
	if (n > UI_COPY_MAX) {
		/* Terminals drop longer sequences; cut at a character. */
		n = UI_COPY_MAX;
		while (n > 0 && ((unsigned char)ex->reply[n] & 0xc0) == 0x80)
			n--;
	}
	in_tmux = screen_clipboard(ex->reply, n);
	if (n < ex->reply_len)
		snprintf(msg, sizeof msg,
		    "copied the first %zu KB of the reply (%zu KB): terminals "
		    "take no more",
		    n / 1024, ex->reply_len / 1024);
	else {
		/* A confirmation, not a warning: on the status bar. */
		free(ui->flash);
		/* Still arriving: it has no id yet, and more is coming. */
		if (ex->state == REPLY_PENDING || ex->state == REPLY_STREAMING)
			ui->flash = xasprintf("copied the reply so far (%zu "
			                      "bytes; it is still arriving)%s",
			    n, in_tmux ? ", and to tmux" : "");
		else
			ui->flash = xasprintf("reply %s copied (%zu bytes)%s",
			    ex->reply_id[0] != '\0' ? ex->reply_id : "?", n,
			    in_tmux ? ", and to tmux" : "");
		return;
	}
	ui_notice(ui, msg);
}

void
ui_rate(struct ui *ui, long sel, int score)
{
	char *cause = NULL;
	int rc, old;

	if (sel < 0) {
		ui_notice(ui, "nothing to rate yet: ratings go to a reply");
		return;
	}
	/* app_rate reads the rating as stored first (another mixchat may
	 * have changed it): on_changed takes what it read. */
	ui->rating_at = (size_t)sel + 1;
	ui->rating_score = score;
	ui->rating_old = app_get(ui->app, (size_t)sel)->rating;
	rc = app_rate(ui->app, (size_t)sel, score, &cause);
	old = ui->rating_old;
	ui->rating_at = 0;
	/* Said on the status bar: the reply's footer may be off screen. */
	free(ui->flash);
	ui->flash = NULL;
	if (rc == MC_OK &&
	    !app_is_candidate(ui->app, app_get(ui->app, (size_t)sel)->model)) {
		/* Kept, not learned: as `mixchat rate` says it. */
		const struct app_exchange *ex = app_get(ui->app, (size_t)sel);
		char was[32] = "", *msg;

		if (old > 0)
			snprintf(was, sizeof was, ", was %d/5", old);
		msg = xasprintf("reply %s rated %d/5%s: kept; %s is not a "
		                "candidate now (disabled, removed or without a "
		                "key), so the router learns it when it is one "
		                "again",
		    ex->reply_id, score, was, ex->model);

		ui_notice(ui, msg);
		free(msg);
	} else if (rc == MC_OK && old > 0)
		ui->flash = xasprintf("reply %s: %d/5, was %d/5",
		    app_get(ui->app, (size_t)sel)->reply_id, score, old);
	else if (rc == MC_OK)
		ui->flash = xasprintf("reply %s rated %d/5",
		    app_get(ui->app, (size_t)sel)->reply_id, score);
	else if (rc == MC_ERR_EXISTS)
		ui->flash = xstrdup(cause);
	else {
		/* The notice line, not the chat's end: scrolled up, a note
		 * there would go unseen and the key seem to do nothing. */
		char *msg = xasprintf("rating not saved: %s",
		    cause != NULL ? cause : mixchat_strerror(rc));

		if (rc == MC_ERR_AGAIN)
			ui_notice_busy(ui, msg);
		else
			ui_notice(ui, msg);
		free(msg);
	}
	free(cause);
	ui_sync(ui);
}

void
ui_rate_selected(struct ui *ui, int score)
{
	long sel = ui_selected(ui);

	/* Nothing picked, at the end: a message refused before it was sent
	 * has no answer to rate; the newest answer is meant. */
	if (sel >= 0 && ui->selected < 0 && ui->scroll == 0)
		while (sel > 0 && app_get(ui->app, (size_t)sel)->not_sent)
			sel--;
	ui_rate(ui, sel, score);
}

void
ui_reask(struct ui *ui, long sel)
{
	char *cause = NULL;
	int rc;

	if (sel < 0) {
		ui_notice(ui, "nothing to ask again yet");
		return;
	}
	/* As sending does: what the notice line said is past; what the
	 * re-ask itself says stays. */
	ui_notices_dismiss(ui);
	rc = app_reask(ui->app, (size_t)sel, &cause);
	if (rc != MC_OK) {
		char *msg = xasprintf("could not ask again: %s",
		    cause != NULL ? cause : mixchat_strerror(rc));

		if (rc == MC_ERR_AGAIN)
			ui_notice_busy(ui, msg);
		else
			ui_notice(ui, msg);
		free(msg);
		free(cause);
		return;
	}
	ui->scroll = 0;
	ui->selected = -1;
	ui_sync(ui);
}

static void
do_action(struct ui *ui, enum action action, int arg)
{
	char *text;
	long sel;
	size_t n = app_count(ui->app);

	/* Keys read in one go come before the next draw: the reply in
	 * view as the last key left the scroll. */
	ui->in_view = ui_reply_in_view(ui);
	ui_selection_follow(ui);

	switch (action) {
	case ACT_NONE:
	case ACT__COUNT:
		break;
	case ACT_SEND:
		/* A line of a paste the terminal did not bracket: kept in
		 * the message, not sent line by line (ui_loop decides). */
		if (ui->enter_in_burst) {
			if (!ui->burst_swallow) {
				editor_insert(&ui->ed, "\n", 1);
				ui->burst_until =
				    time_mono_ms() + PASTE_GUESS_MS;
			}
			ui->burst_swallow = false;
			break;
		}
		send_input(ui);
		/* As after bash's vi accept-line: the next message starts
		 * in insert mode, never in normal mode. */
		ui->mode = KEYMAP_INSERT;
		break;
	case ACT_NEWLINE:
		editor_insert(&ui->ed, "\n", 1);
		break;
	case ACT_HISTORY_PREV:
		/* In a message of several lines Up moves up a line first,
		 * but for one just recalled from the history. */
		if (editor_just_recalled(&ui->ed) || !editor_line_up(&ui->ed))
			editor_history_prev(&ui->ed);
		break;
	case ACT_HISTORY_NEXT:
		if (editor_just_recalled(&ui->ed) || !editor_line_down(&ui->ed))
			editor_history_next(&ui->ed);
		break;
	case ACT_SCROLL_UP:
		scroll_by(ui, ui->chat_rows > 2 ? ui->chat_rows - 1 : 1);
		break;
	case ACT_SCROLL_DOWN:
		scroll_by(ui, -(ui->chat_rows > 2 ? ui->chat_rows - 1 : 1));
		break;
	case ACT_SCROLL_LINE_UP:
		scroll_by(ui, arg > 0 ? arg : 1);
		break;
	case ACT_SCROLL_LINE_DOWN:
		scroll_by(ui, arg > 0 ? -arg : -1);
		break;
	case ACT_SCROLL_TOP:
		ui->scroll = scroll_max(ui);
		break;
	case ACT_SCROLL_BOTTOM:
		ui->scroll = 0;
		break;
	case ACT_RATE:
		ui_rate_selected(ui, arg);
		break;
	case ACT_SELECT_PREV:
		sel = ui_selected(ui);
		if (sel > 0)
			ui->selected = sel - 1;
		scroll_to_selected(ui);
		break;
	case ACT_SELECT_NEXT:
		/* From the reply in view too, as Alt-Up goes. */
		sel = ui_selected(ui);
		if (sel >= 0 && (size_t)sel + 1 < n) {
			ui->selected = sel + 1;
			scroll_to_selected(ui);
		} else {
			/* Nothing below: back to the newest, at the end (a
			 * tall last reply was scrolled up to its start, away
			 * from the footer being read). */
			ui->selected = -1;
			ui->scroll = 0;
		}
		break;
	case ACT_BUDGET:
		app_set_budget_mode(ui->app, !app_budget_mode(ui->app));
		break;
	case ACT_REASK:
		ui_reask(ui, ui_selected(ui));
		break;
	case ACT_SUSPEND:
		if (!screen_suspend(ui))
			ui_notice(ui,
			    "not suspended: no shell with job control "
			    "started mixchat, so there is none to "
			    "return to");
		ui->full_redraw = true;
		break;
	case ACT_CANCEL:
	case ACT_DISMISS:
		/* Esc with nothing in flight: notice line, then selection,
		 * then back to the end (a reply scrolled out of sight is no
		 * longer selected: Esc still brings the newest back).
		 * dismiss (vi's normal-mode Esc, pressed twice by habit)
		 * leaves the reply in flight alone. */
		/* A command given up (Alt-/, vi's ':'): the message set
		 * aside for it comes back, as Esc gives up a vi ':' - before
		 * a reply in flight is cancelled, as the status bar says. */
		if (ui->set_aside != NULL &&
		    (editor_empty(&ui->ed) || ui->ed.text[0] == '/')) {
			/* What was typed of it Up finds, as in vim. */
			if (strcmp(ui->ed.text, "/") != 0 &&
			    !editor_empty(&ui->ed))
				editor_remember(&ui->ed, ui->ed.text);
			editor_set(&ui->ed, "");
			restore_set_aside(ui);
		} else if (action == ACT_CANCEL && app_cancel(ui->app))
			;
		else if (ui->notices_unseen > 0)
			ui_notices_dismiss(ui);
		else if (ui->selected >= 0 || ui->scroll > 0) {
			ui->selected = -1;
			ui->scroll = 0;
		}
		ui_sync(ui);
		break;
	case ACT_REDRAW:
		ui->full_redraw = true;
		break;
	case ACT_QUIT:
		/* As in a shell: it ends on an empty line; with a draft it
		 * deletes the character under the cursor, so a long
		 * unsent message is never lost to one key. */
		if (editor_empty(&ui->ed) && ui->set_aside != NULL) {
			/* The input looks empty, but a message is set aside
			 * (vi's ':'): it comes back, not lost to one key. */
			restore_set_aside(ui);
			break;
		}
		if (editor_empty(&ui->ed)) {
			ui->quit = true;
			break;
		}
		if (ui->ed.cursor < ui->ed.len)
			editor_delete_forward(&ui->ed);
		else
			ui_note(ui, "your message is not sent yet: Ctrl-D "
			            "quits on an empty line (/quit now)");
		break;
	case ACT_BARE:
		ui->bare = !ui->bare;
		ui->full_redraw = true;
		break;
	case ACT_COPY:
		ui_copy_selected(ui);
		break;
	case ACT_HELP_KEYS:
		text = keymap_describe(&ui->km);
		ui_overlay_open(ui, "Keys", text);
		free(text);
		break;
	case ACT_CURSOR_LEFT:
		editor_left(&ui->ed);
		break;
	case ACT_CURSOR_RIGHT:
		editor_right(&ui->ed);
		break;
	case ACT_CURSOR_HOME:
		editor_home(&ui->ed);
		break;
	case ACT_CURSOR_END:
		editor_end(&ui->ed);
		break;
	case ACT_MESSAGE_START:
		editor_message_start(&ui->ed);
		break;
	case ACT_MESSAGE_END:
		editor_message_end(&ui->ed);
		break;
	case ACT_WORD_LEFT:
		editor_word_left(&ui->ed);
		break;
	case ACT_WORD_RIGHT:
		editor_word_right(&ui->ed);
		break;
	case ACT_DELETE_BACK:
		editor_delete_back(&ui->ed);
		break;
	case ACT_WORD_NEXT:
	case ACT_BIGWORD_NEXT:
		editor_word_next(&ui->ed, action == ACT_BIGWORD_NEXT);
		break;
	case ACT_WORD_PREV:
	case ACT_BIGWORD_PREV:
		editor_word_prev(&ui->ed, action == ACT_BIGWORD_PREV);
		break;
	case ACT_WORD_END:
	case ACT_BIGWORD_END:
		editor_word_end(&ui->ed, action == ACT_BIGWORD_END);
		break;
	case ACT_DELETE_FORWARD:
		if (ui->mode == KEYMAP_NORMAL) {
			/* vi's x: at the end too, and into the kill buffer
			 * (xp swaps two characters) */
			editor_onto_char(&ui->ed);
			editor_vi_cut(
			    &ui->ed, EDITOR_MOTION_RIGHT, false, false);
		} else
			editor_delete_forward(&ui->ed);
		break;
	case ACT_DELETE_WORD_BACK:
		editor_delete_word_back(&ui->ed);
		break;
	case ACT_KILL_WORD:
		editor_kill_word(&ui->ed);
		break;
	case ACT_KILL_LINE:
		if (ui->mode == KEYMAP_NORMAL) /* vi's D: never the newline */
			editor_vi_cut(
			    &ui->ed, EDITOR_MOTION_LINE_END, false, false);
		else
			editor_kill_line(&ui->ed);
		break;
	case ACT_KILL_TO_START:
		editor_kill_to_start(&ui->ed);
		break;
	case ACT_KILL_MESSAGE:
		editor_kill_message(&ui->ed);
		break;
	case ACT_YANK:
	case ACT_YANK_AFTER:
		if (ui->mode == KEYMAP_NORMAL)
			editor_put(&ui->ed, action == ACT_YANK_AFTER);
		else
			editor_yank(&ui->ed);
		break;
	case ACT_UNDO:
		if (!editor_undo(&ui->ed)) {
			free(ui->flash);
			ui->flash = xstrdup("nothing to undo");
		}
		break;
	case ACT_TRANSPOSE:
		editor_transpose(&ui->ed);
		break;
	case ACT_VI_DELETE:
	case ACT_VI_CHANGE:
		ui->vi_op = action; /* the next key says how far */
		break;
	case ACT_CHANGE_TO_END:
		editor_vi_cut(&ui->ed, EDITOR_MOTION_LINE_END, false, true);
		ui->mode = KEYMAP_INSERT;
		break;
	case ACT_EDIT_EXTERNAL:
		edit_external(ui);
		break;
	case ACT_HISTORY_SEARCH:
		editor_search_begin(&ui->ed);
		break;
	case ACT_INSERT_MODE:
		ui->mode = KEYMAP_INSERT;
		break;
	case ACT_APPEND:
		editor_right(&ui->ed);
		ui->mode = KEYMAP_INSERT;
		break;
	case ACT_APPEND_END:
		editor_end(&ui->ed);
		ui->mode = KEYMAP_INSERT;
		break;
	case ACT_INSERT_START:
		editor_home(&ui->ed);
		ui->mode = KEYMAP_INSERT;
		break;
	case ACT_NORMAL_MODE:
		if (ui->km.has_normal)
			ui->mode = KEYMAP_NORMAL;
		/* A ':' given up: the message comes back. */
		restore_set_aside(ui);
		break;
	case ACT_COMMAND:
		/* As in vim, ':' leaves the text being written alone: it is
		 * set aside, and back once the command has run. */
		/* A /command being typed is kept as it is; anything else,
		 * "//..." and a pasted text of several lines starting with
		 * '/' too (Enter sends them as messages), is set aside. */
		if (ui->ed.text[0] == '/' && ui->ed.text[1] != '/' &&
		    !several_lines(ui->ed.text)) {
			ui->mode = KEYMAP_INSERT;
			break;
		}
		if (!editor_empty(&ui->ed)) {
			/* One set aside before it: Up finds it. */
			if (ui->set_aside != NULL) {
				editor_remember(&ui->ed, ui->set_aside);
				free(ui->set_aside);
			}
			ui->set_aside = xstrdup(ui->ed.text);
			ui->set_aside_cursor = ui->ed.cursor;
		}
		editor_set(&ui->ed, "/");
		ui->mode = KEYMAP_INSERT;
		break;
	}
	/* As in vi, normal mode's cursor is on a character: $ and x reach
	 * the last one, not the place past it. */
	if (ui->mode == KEYMAP_NORMAL &&
	    ((action >= ACT_CURSOR_LEFT && action <= ACT_CHANGE_TO_END) ||
	        action == ACT_NORMAL_MODE))
		editor_onto_char(&ui->ed);
	ui->dirty = true;
}

static size_t
count_lines(const char *s, size_t n)
{
	size_t lines = 1, i;

	for (i = 0; i < n; i++)
		if (s[i] == '\n' && i + 1 < n)
			lines++;
	return lines;
}

static void
paste_insert(struct ui *ui, const char *s, size_t n)
{
	/* Over a /command kept selected: the paste replaces it. */
	if (ui->command_kept) {
		editor_set(&ui->ed, "");
		kept_command_end(ui);
	}
	if (!editor_insert(&ui->ed, s, n))
		ui_note_error(ui,
		    "the paste is too long for one message "
		    "(at most %d bytes)",
		    EDITOR_MAX);
}

static void
paste_end(struct ui *ui)
{
	size_t len = ui->paste.len;
	const char *s = buf_str(&ui->paste);

	ui->pasting = false;
	if (ui->paste_dropped) {
		ui->paste_dropped = false;
		buf_reset(&ui->paste);
		return;
	}
	/* A trailing newline would only add an empty line. */
	while (len > 0 && s[len - 1] == '\n')
		len--;
	ui->paste_lines = count_lines(s, len);
	if (ui->paste_lines > UI_PASTE_ASK_LINES) {
		free(ui->paste_ask);
		ui->paste_ask = xstrndup(s, len);
	} else
		paste_insert(ui, s, len);
	buf_reset(&ui->paste);
}

static void
paste_key(struct ui *ui, uint32_t key)
{
	char enc[4];
	size_t n;

	/* CR LF (text from Windows, a web page) is one line break. */
	if (key == ('j' | KEYC_CTRL) && ui->paste_cr) {
		ui->paste_cr = false;
		return;
	}
	ui->paste_cr = key == KEYC_ENTER;
	if (key == KEYC_ENTER || key == ('j' | KEYC_CTRL))
		n = (enc[0] = '\n', 1);
	else if (key == KEYC_TAB)
		n = (enc[0] = '\t', 1);
	else if (key < KEYC_BASE && key >= 0x20)
		n = utf8_encode(key, enc);
	else
		return;
	if (ui->paste_dropped)
		return;
	if (buf_add(&ui->paste, enc, n) != MC_OK) {
		/* Past the limit the buffer is released: drop the paste, and
		 * swallow the rest of it up to its closing bracket (taken as
		 * typed keys, its newlines would send its lines). */
		ui->paste_dropped = true;
		ui_note_error(ui,
		    "the paste is too long for one message "
		    "(at most %d bytes)",
		    EDITOR_MAX);
	}
}

/* A left click in the chat pane selects the reply under it. */
static void
click(struct ui *ui)
{
	size_t total = view_total(&ui->view), h, first, i;
	const struct view_line *line;
	const struct view_block *b;
	const char *text;
	int row, col;

	screen_last_click(&row, &col);
	if (ui->chat_rows <= 0 || row < ui->chat_top ||
	    row >= ui->chat_top + ui->chat_rows)
		return;
	h = (size_t)ui->chat_rows;
	/* As draw_chat: the bottom row shows line total - 1 - scroll. */
	first = total - ui->scroll >= h ? total - ui->scroll - h : 0;
	i = first + (size_t)(row - ui->chat_top);
	if (i >= total - ui->scroll)
		return;
	line = view_line(&ui->view, i, &text, &b);
	if (line == NULL || b == NULL || b->note)
		return;
	ui->selected = (long)b->index;
}

const char *
ui_overlay_line(const struct ui_overlay *o, size_t i, size_t *len)
{
	const char *s = o->text, *nl;

	while (s != NULL && i > 0) {
		nl = strchr(s, '\n');
		s = nl != NULL ? nl + 1 : NULL;
		i--;
	}
	if (s == NULL || (*s == '\0' && s != o->text && s[-1] == '\n'))
		return NULL;
	*len = strcspn(s, "\n");
	return s;
}

static bool
overlay_pickable(const struct ui_overlay *o, size_t i)
{
	size_t len;
	const char *l = ui_overlay_line(o, i, &len);

	return l != NULL && o->pickable(l, len);
}

/*
 * The cursor of a list popup moved by delta entries (to the first or the
 * last with a large one).
 */
static void
overlay_move(struct ui_overlay *o, long delta)
{
	size_t i = o->cursor, len;

	while (delta != 0) {
		size_t next = delta < 0 ? i - 1 : i + 1;

		if ((delta < 0 && i == 0) ||
		    (delta > 0 && ui_overlay_line(o, next, &len) == NULL))
			break;
		i = next;
		if (overlay_pickable(o, i)) {
			o->cursor = i;
			delta += delta < 0 ? 1 : -1;
		}
	}
	/* The draw scrolls it into sight (it knows the rows). */
	o->follow = true;
}

/* Keys of a list popup: move the cursor, pick with Enter. */
static bool
overlay_pick_key(struct ui *ui, uint32_t key)
{
	struct ui_overlay *o = &ui->overlay;
	/* A page of entries, as many as the last draw showed (an entry
	 * may take two rows when narrow). */
	long page = o->shown_lines > 1 ? (long)o->shown_lines - 1 : 1;
	const char *line;
	char *copy;
	size_t len;

	switch (key) {
	case KEYC_UP:
	case 'k':
		overlay_move(o, -1);
		return true;
	case KEYC_DOWN:
	case 'j':
		overlay_move(o, 1);
		return true;
	case KEYC_WHEEL_UP: /* the cursor goes with the list */
		overlay_move(o, -3);
		return true;
	case KEYC_WHEEL_DOWN:
		overlay_move(o, 3);
		return true;
	case KEYC_PPAGE:
	case 'b':
		overlay_move(o, -page);
		return true;
	case KEYC_NPAGE:
	case ' ':
		overlay_move(o, page);
		return true;
	case KEYC_HOME:
	case 'g':
		overlay_move(o, -(long)1e9);
		return true;
	case KEYC_END:
	case 'G':
		overlay_move(o, (long)1e9);
		return true;
	case KEYC_ENTER:
		line = ui_overlay_line(o, o->cursor, &len);
		if (line == NULL || !o->pickable(line, len))
			return true;
		copy = xstrndup(line, len);
		o->pick(ui, copy, len);
		free(copy);
		return true;
	}
	return false;
}

/* Keys while the popup is open: scroll it, close it, or quit. */
static void
overlay_key(struct ui *ui, uint32_t key)
{
	const struct binding *b = keymap_lookup(&ui->km, ui->mode, key);
	struct ui_overlay *o = &ui->overlay;
	size_t page = o->height > 1 ? o->height - 1 : 1;
	size_t last = o->rows > o->height ? o->rows - o->height : 0;

	if (o->pick != NULL && overlay_pick_key(ui, key))
		return;

	if (b != NULL && b->action == ACT_QUIT) {
		if (editor_empty(&ui->ed))
			ui->quit = true;
		else {
			ui_overlay_close(ui);
			ui_note(ui, "your message is not sent yet: Ctrl-D "
			            "quits on an empty line (/quit now)");
		}
		return;
	}
	switch (key) {
	case KEYC_ESCAPE:
	case KEYC_ENTER:
	case KEYC_F1:
	case 'q':
	case 'Q':
		ui_overlay_close(ui);
		return;
	case KEYC_UP:
	case 'k':
		if (o->scroll > 0)
			o->scroll--;
		return;
	case KEYC_DOWN:
	case 'j':
		if (o->scroll < last)
			o->scroll++;
		return;
	case KEYC_WHEEL_UP:
		o->scroll = o->scroll > 3 ? o->scroll - 3 : 0;
		return;
	case KEYC_WHEEL_DOWN:
		o->scroll = o->scroll + 3 < last ? o->scroll + 3 : last;
		return;
	case KEYC_PPAGE:
	case 'b':
		o->scroll = o->scroll > page ? o->scroll - page : 0;
		return;
	case KEYC_NPAGE:
	case ' ':
		o->scroll = o->scroll + page < last ? o->scroll + page : last;
		return;
	case KEYC_HOME:
	case 'g':
		o->scroll = 0;
		return;
	case KEYC_END:
	case 'G':
		o->scroll = last;
		return;
	}
	/* The key that opened it (F1, or a rebinding) closes it too. */
	if (b != NULL && b->action == ACT_HELP_KEYS)
		ui_overlay_close(ui);
}

/*
 * A key on a /command kept in the input until it can run (selected, as
 * ui_command_keep left it): as on a selection, typed text replaces it and
 * a deleting key takes it whole; a motion (or the history, or vi's modes)
 * starts editing it; Enter runs it; the other keys (scrolling, Esc on the
 * reply, rating) leave it as it is.
 */
static void
kept_command_key(struct ui *ui, const struct binding *b, uint32_t key)
{
	bool typed = b == NULL && ui->mode == KEYMAP_INSERT &&
	             ((key >= 0x20 && key < KEYC_BASE) || key == KEYC_TAB);

	if (typed ||
	    (b != NULL &&
	        (b->action == ACT_DELETE_BACK ||
	            b->action == ACT_DELETE_FORWARD ||
	            b->action == ACT_DELETE_WORD_BACK ||
	            b->action == ACT_KILL_WORD || b->action == ACT_KILL_LINE ||
	            b->action == ACT_KILL_TO_START ||
	            b->action == ACT_KILL_MESSAGE || b->action == ACT_YANK ||
	            b->action == ACT_YANK_AFTER))) {
		editor_set(&ui->ed, "");
		kept_command_end(ui);
		return;
	}
	if (b == NULL)
		return;
	if (b->action == ACT_NEWLINE || b->action == ACT_HISTORY_PREV ||
	    b->action == ACT_HISTORY_NEXT || b->action == ACT_COMMAND ||
	    (b->action >= ACT_CURSOR_LEFT && b->action <= ACT_HISTORY_SEARCH) ||
	    (b->action >= ACT_INSERT_MODE && b->action <= ACT_NORMAL_MODE))
		kept_command_end(ui);
}

/* The key after vi's d or c: a motion says how far it goes (d again,
 * or c, the whole line); any other key gives the operator up, as Esc. */
static void
vi_operate(struct ui *ui, const struct binding *b)
{
	enum action op = ui->vi_op;
	enum editor_motion m;
	bool big = false, change = op == ACT_VI_CHANGE;

	ui->vi_op = ACT_NONE;
	if (b == NULL)
		return;
	switch (b->action) {
	case ACT_BIGWORD_NEXT:
		big = true; /* FALLTHROUGH */
	case ACT_WORD_NEXT:
		m = EDITOR_MOTION_WORD_NEXT;
		break;
	case ACT_BIGWORD_PREV:
		big = true; /* FALLTHROUGH */
	case ACT_WORD_PREV:
		m = EDITOR_MOTION_WORD_PREV;
		break;
	case ACT_BIGWORD_END:
		big = true; /* FALLTHROUGH */
	case ACT_WORD_END:
		m = EDITOR_MOTION_WORD_END;
		break;
	case ACT_CURSOR_END:
		m = EDITOR_MOTION_LINE_END;
		break;
	case ACT_CURSOR_HOME:
		m = EDITOR_MOTION_LINE_START;
		break;
	case ACT_CURSOR_LEFT:
		m = EDITOR_MOTION_LEFT;
		break;
	case ACT_CURSOR_RIGHT:
		m = EDITOR_MOTION_RIGHT;
		break;
	case ACT_VI_DELETE:
	case ACT_VI_CHANGE:
		if (b->action != op)
			return;
		m = EDITOR_MOTION_LINE;
		break;
	default:
		return;
	}
	editor_vi_cut(&ui->ed, m, big, change);
	if (change)
		ui->mode = KEYMAP_INSERT;
	else
		editor_onto_char(&ui->ed);
}

/*
 * A key during C-r's search: typed text searches, C-r again goes to an
 * older message, Backspace takes a character back; Enter takes the
 * message found into the input (not sent), Esc or C-g puts back what was
 * there.  Any other key takes the message found too, then does what it
 * does (false).
 */
static bool
search_key(struct ui *ui, const struct binding *b, uint32_t key)
{
	char enc[4];

	if (b != NULL && b->action == ACT_HISTORY_SEARCH)
		editor_search_older(&ui->ed);
	else if (key == KEYC_ESCAPE || key == ('g' | KEYC_CTRL))
		editor_search_end(&ui->ed, false);
	else if (key == KEYC_ENTER)
		editor_search_end(&ui->ed, true);
	else if (key == KEYC_BSPACE ||
	         (b != NULL && b->action == ACT_DELETE_BACK))
		editor_search_back(&ui->ed);
	else if (b == NULL && key >= 0x20 && key < KEYC_BASE)
		editor_search_type(&ui->ed, enc, utf8_encode(key, enc));
	else {
		editor_search_end(&ui->ed, true);
		return false;
	}
	return true;
}

static void
handle_key(struct ui *ui, uint32_t key)
{
	const struct binding *b;
	char enc[4];

	ui->dirty = true;
	if (key == KEYC_RESIZE) {
		/* curses resized itself (or resizeterm() told us it did). */
		screen_size(ui);
		/* A list's cursor is kept in sight at the new size (its
		 * entries may wrap to more rows now). */
		ui->overlay.follow = true;
		if (ui->overlay.open && ui->overlay.regen != NULL) {
			struct buf text;

			/* Laid out for the new width, read where it was. */
			buf_init(&text, 1 << 20);
			if (ui->overlay.regen(ui, &text) == MC_OK) {
				size_t len = text.len;

				while (len > 0 && text.data[len - 1] == '\n')
					len--;
				free(ui->overlay.text);
				ui->overlay.text =
				    xstrndup(buf_str(&text), len);
			}
			buf_release(&text);
		}
		return;
	}
	free(ui->flash);
	ui->flash = NULL;
	editor_key(&ui->ed); /* consecutive kills, typing: one undo step */
	if (key == KEYC_PASTE_START) {
		/* Pasted into the message C-r found: the search is over. */
		editor_search_end(&ui->ed, true);
		ui->pasting = true;
		ui->paste_dropped = false;
		ui->paste_cr = false;
		buf_reset(&ui->paste);
		return;
	}
	if (ui->pasting) {
		if (key == KEYC_PASTE_END)
			paste_end(ui);
		else
			paste_key(ui, key);
		return;
	}
	if (key == KEYC_PASTE_END)
		return;
	if (key == KEYC_CLICK) {
		if (!ui->overlay.open && ui->paste_ask == NULL &&
		    ui->confirm == NULL)
			click(ui);
		return;
	}
	if (ui->overlay.open) {
		overlay_key(ui, key);
		return;
	}
	if (ui->paste_ask != NULL) {
		if (key == 'y' || key == 'Y' || key == KEYC_ENTER)
			paste_insert(ui, ui->paste_ask, strlen(ui->paste_ask));
		else
			ui_note(
			    ui, "paste of %zu lines dropped", ui->paste_lines);
		free(ui->paste_ask);
		ui->paste_ask = NULL;
		return;
	}
	if (ui->confirm != NULL) {
		command_confirm(ui, key == 'y' || key == 'Y');
		return;
	}
	b = keymap_lookup(&ui->km, ui->mode, key);
	/* vi's insert mode: Esc and a key at once (a fast "Esc :", tmux's
	 * escape-time) reads as Alt and that key; unbound, it is what was
	 * typed, as in vim and bash's vi mode. */
	if (b == NULL && ui->km.has_normal && ui->mode == KEYMAP_INSERT &&
	    (key & KEYC_META) != 0 && !ui->ed.searching &&
	    ui->vi_op == ACT_NONE) {
		handle_key(ui, KEYC_ESCAPE);
		handle_key(ui, key & ~KEYC_META);
		return;
	}
	if (ui->ed.searching && search_key(ui, b, key))
		return;
	if (ui->vi_op != ACT_NONE) {
		vi_operate(ui, b);
		return;
	}
	if (ui->command_kept)
		kept_command_key(ui, b, key);
	if (b != NULL) {
		do_action(ui, b->action, b->arg);
		return;
	}
	if (ui->mode == KEYMAP_INSERT && key >= 0x20 && key < KEYC_BASE)
		editor_type(&ui->ed, enc, utf8_encode(key, enc));
	else if (ui->mode == KEYMAP_INSERT && key == KEYC_TAB &&
	         !ui_complete(ui))
		/* Unbound, Tab types a tab, as a paste of one does (code);
		 * after a /command's start it completes it. */
		editor_type(&ui->ed, "\t", 1);
}

static void
drain_signals(struct ui *ui)
{
	char c[64];
	ssize_t n, i;

	while ((n = read(signal_pipe[0], c, sizeof c)) > 0) {
		for (i = 0; i < n; i++) {
			if (c[i] == 'W') {
				screen_resize(ui);
				ui->dirty = true;
			} else
				ui->quit = true;
		}
	}
}

#define NO_PROVIDER_TEXT                                                        \
	"No provider is set up yet, so nobody can answer.  To add one:\n"       \
	"  - quit (Ctrl-D or /quit) and run:   %s keys add openai\n"            \
	"    (or anthropic, gemini, mistral, ...: /models names them all)\n"    \
	"  - or point a model at a local server: write in\n"                    \
	"    %s\n"                                                              \
	"    (a new file can be just this)\n"                                   \
	"    { \"providers\": { \"local\": { \"api\": \"openai\", "             \
	"\"auth\": \"none\",\n"                                                 \
	"          \"base_url\": \"http://127.0.0.1:11434/v1\" } },\n"          \
	"      \"models\": [ { \"id\": \"llama3.2\", \"provider\": \"local\", " \
	"\"price\": [0, 0] } ] }\n"                                             \
	"then start mixchat again."

/* Whether the terminal hung up (checked apart from app_wait's revents). */
static bool
terminal_gone(void)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };

	if (poll(&p, 1, 0) < 0)
		return false;
	return (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/*
 * Whether an Enter just read is a line's end in a paste, on a terminal
 * that does not bracket pastes: more keys are right behind it (they came
 * in the same write, or come within PASTE_GUESS_WAIT_MS: no hand types
 * that fast), or a paste was guessed a moment ago (its last line's Enter,
 * with nothing behind it).
 */
static bool
enter_in_burst(struct ui *ui)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	/* curses reads a byte at a time: what is behind the Enter is still
	 * the terminal's, to be seen by poll. */
	if (poll(&p, 1, PASTE_GUESS_WAIT_MS) > 0 && (p.revents & POLLIN) != 0)
		return true;
	/* The paste's last Enter: its line is in; the message waits for
	 * the user's own Enter (no empty line left under it). */
	if (time_mono_ms() < ui->burst_until) {
		ui->burst_until = 0;
		ui->burst_swallow = true;
		return true;
	}
	return false;
}

/*
 * A reply that took long has ended: ring the bell ("bell_after_s"), for a
 * user who went to another window meanwhile.  Not for one the user
 * stopped with Esc: they are here.
 */
static void
reply_bell(struct ui *ui, uint64_t took_ms)
{
	const struct app_exchange *ex;
	size_t n = app_count(ui->app);

	if (ui->cfg->bell_after_s <= 0 ||
	    took_ms < (uint64_t)ui->cfg->bell_after_s * 1000)
		return;
	if (n > 0 && (ex = app_get(ui->app, n - 1)) != NULL &&
	    ex->state == REPLY_CANCELLED)
		return;
	screen_bell();
}

static void
ui_loop(struct ui *ui)
{
	struct pollfd pfd[2];
	uint64_t last_spin = time_mono_ms(), last_spend = last_spin, now;
	uint64_t busy_since = 0;
	bool was_busy = false;
	uint32_t key;
	int timeout, nkeys, idle_ms = IDLE_MS;
	bool prepared = false;
	/* Tests stretch the idle wake-up, so that a key left waiting for it
	 * (instead of read at once) shows as a key never read. */
	const char *test_idle = getenv("MIXCHAT_TEST_IDLE_MS");

	if (test_idle != NULL && atoi(test_idle) > 0)
		idle_ms = atoi(test_idle);

	while (!ui->quit) {
		ui_sync(ui);
		if (ui->dirty) {
			screen_draw(ui);
			ui->dirty = false;
		}
		/* Once the first screen is up, while the user starts to type
		 * (keys wait in the terminal meanwhile). */
		if (!prepared) {
			app_prepare(ui->app);
			prepared = true;
		}
		timeout = app_busy(ui->app) ? SPINNER_MS : idle_ms;
		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		pfd[1].fd = signal_pipe[0];
		pfd[1].events = POLLIN;
		pfd[1].revents = 0;
		(void)app_wait(ui->app, pfd, 2, timeout);
		if (pfd[1].revents & POLLIN)
			drain_signals(ui);
		app_process(ui->app);
		/* What waited for the reply in flight is past once it ends:
		 * that notice goes, the others stay as they were. */
		if (!app_busy(ui->app))
			ui_notices_drop_busy(ui);
		if (app_busy(ui->app) && !was_busy)
			busy_since = time_mono_ms();
		else if (!app_busy(ui->app) && was_busy)
			reply_bell(ui, time_mono_ms() - busy_since);
		was_busy = app_busy(ui->app);
		if (terminal_gone())
			ui->quit = true;
		/*
		 * Read everything curses has, not only what poll saw; but not
		 * forever: a terminal that went away can keep curses busy.
		 */
		nkeys = 0;
		while (!ui->quit && nkeys++ < 4096 &&
		       (key = screen_read_key()) != KEYC_NONE) {
			ui->enter_in_burst = ui->paste_guess &&
			                     key == KEYC_ENTER &&
			                     !ui->pasting && enter_in_burst(ui);
			handle_key(ui, key);
			ui->enter_in_burst = false;
		}
		now = time_mono_ms();
		/* Another mixchat (an `ask`, a second chat) spends from the
		 * same budget: the status bar follows, without a key. */
		if (!app_busy(ui->app) &&
		    now - last_spend >= (uint64_t)IDLE_MS) {
			last_spend = now;
			if (app_spend_today(ui->app) != ui->shown_spend)
				ui->dirty = true;
		}
		if (app_busy(ui->app) && now - last_spin >= SPINNER_MS) {
			ui->spinner++;
			last_spin = now;
			ui->dirty = true;
		}
	}
}

/*
 * Ask for the vault passphrase before curses takes the terminal: from
 * vault.passphrase_command, else the terminal with echo off (cli_unlock,
 * which also makes the process non-dumpable first).
 */
static int
unlock_vault(struct config *cfg, struct app *app, bool always)
{
	return cli_unlock(cfg, app, always);
}

void
ui_hint_key(const struct keymap *km, enum action action, char *out, size_t n)
{
	char key[32];

	out[0] = '\0';
	if (!keymap_key_for(km, KEYMAP_INSERT, action, key, sizeof key) &&
	    !keymap_key_for(km, KEYMAP_NORMAL, action, key, sizeof key))
		return;
	if (key[0] == 'C' && key[1] == '-' && key[2] != '\0' && key[3] == '\0')
		snprintf(out, n, "Ctrl-%c", toupper((unsigned char)key[2]));
	else if (key[0] == 'M' && key[1] == '-' && key[2] >= 'a' &&
	         key[2] <= 'z' && key[3] == '\0')
		snprintf(out, n, "Alt-%c", toupper((unsigned char)key[2]));
	else
		snprintf(out, n, "%s", key);
}

/*
 * `mixchat` with no terminal (a pipe, a cron job, CI): it says what to
 * do and ends, and creates and writes nothing - no folders, no database,
 * no recovered drafts.  Which models could answer comes from config.json
 * and the vault's provider names (readable unlocked), as in app_open.
 */
static int
chat_without_terminal(const struct config *cfg)
{
	char **names;
	size_t nnames, i, usable = 0;

	cli_vault_names(cfg, &names, &nnames);
	for (i = 0; i < cfg->nmodels; i++)
		if (app_config_model_usable(
		        cfg, names, nnames, &cfg->models[i]))
			usable++;
	/* Keys with no model to use them (OpenRouter's models are named by
	 * the user): that is what is missing, not a provider. */
	for (i = 0; usable == 0 && i < nnames; i++) {
		size_t k;

		for (k = 0; k < cfg->nmodels; k++)
			if (cfg->models[k].enabled &&
			    strcmp(cfg->models[k].provider, names[i]) == 0)
				break;
		if (k == cfg->nmodels) {
			printf("mixchat: the vault holds a key for %s, but no "
			       "model uses it: name its models in %s\n",
			    names[i], cfg->config_file);
			vault_names_free(names, nnames);
			return EXIT_OK;
		}
	}
	vault_names_free(names, nnames);
	if (usable == 0) {
		char *path = config_data_path(cfg, "vault"), *cause = NULL;
		int rc = MC_OK;

		/* There but unusable: that first, not `keys add`. */
		if (vault_exists(path) && (rc = vault_list_names(path, &names,
		                               &nnames, &cause)) == MC_OK)
			vault_names_free(names, nnames);
		free(path);
		if (rc != MC_OK) {
			cli_error("%s; until it is fixed, nothing set up can "
			          "answer (the models need keys from it)",
			    cause != NULL ? cause : mixchat_strerror(rc));
			free(cause);
			return EXIT_RUNTIME;
		}
		printf("mixchat: no provider is set up yet.  Add one with:\n"
		       "  %s keys add openai        (or anthropic, "
		       "gemini, ...)\n"
		       "or point a model at a local server in %s\n",
		    self_cmd(), cfg->config_file);
		return EXIT_OK;
	}
	cli_error(
	    "the chat needs a terminal; use `%s ask` in scripts", self_cmd());
	return EXIT_USAGE;
}

int
cli_chat(const struct cli_global *g, int argc, char **argv)
{
	struct config cfg;
	struct ui ui;
	struct app_hooks hooks = { on_changed, on_notice };
	char *cause = NULL;
	const char *nc;
	int rc, exit_code = EXIT_OK;
	bool theme_ok = true, keys_ok = true;
	char *theme_cause = NULL, *keys_cause = NULL, *idle = NULL;
	const char *session = g->session;
	char resume[32] = "";
	bool quiet_last = false;

	/* `mixchat chat --session S` as `mixchat --session S`. */
	if (argc == 3 &&
	    (strcmp(argv[1], "--session") == 0 || strcmp(argv[1], "-s") == 0))
		session = argv[2];
	else if (argc == 2 && strncmp(argv[1], "--session=", 10) == 0)
		session = argv[1] + 10;
	else if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	                          strcmp(argv[1], "-h") == 0)) {
		printf("Usage: mixchat [chat] [-s|--session N|NAME|last|new]\n"
		       "Open the interactive chat, in conversation S when "
		       "given (its number, its\nname, last: the one used "
		       "last, or new).  mixchat --help lists the\ncommands "
		       "and options; in the chat, F1 the keys and /help the "
		       "commands.\n");
		return EXIT_OK;
	} else if (argc > 1) {
		fprintf(stderr, "mixchat chat: takes only --session S\n"
		                "Try 'mixchat --help' for more information.\n");
		return EXIT_USAGE;
	}
	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK)
		return rc;
	/* "resume": true goes on with the last conversation unless the
	 * command line says which; -s new is a new one either way.  Only
	 * a -s last that finds nothing says so: a first start with resume
	 * set is simply a new conversation. */
	if (session != NULL && strcmp(session, "new") == 0)
		session = NULL;
	else if (session == NULL && cfg.resume) {
		session = "last";
		quiet_last = true;
	}
	memset(&ui, 0, sizeof ui);
	ui.cfg = &cfg;
	/* Terminals known not to bracket a paste: GNU screen before 5.0
	 * (not tmux inside it, which does) and the Linux console. */
	{
		const char *sty = getenv("STY"), *tmux = getenv("TMUX"),
		           *term = getenv("TERM");

		ui.paste_guess =
		    (sty != NULL && *sty != '\0' &&
		        (tmux == NULL || *tmux == '\0')) ||
		    (term != NULL && strncmp(term, "linux", 5) == 0);
	}
	ui.selected = -1;
	ui.in_view = -1;
	ui.command_reply = -1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		exit_code = chat_without_terminal(&cfg);
		config_release(&cfg);
		return exit_code;
	}
	/* Where the first-run hint asks for a config.json. */
	if (config_ensure_config_dir(&cfg, &cause) != MC_OK) {
		log_debug("%s", cause != NULL ? cause : "config folder");
		free(cause);
		cause = NULL;
	}
	rc = app_open(&cfg, &hooks, &ui, &ui.app, &cause);
	if (rc != MC_OK) {
		cli_error("%s", cause != NULL ? cause : mixchat_strerror(rc));
		free(cause);
		config_release(&cfg);
		return EXIT_RUNTIME;
	}
	app_set_interactive(ui.app, true);
	app_recover_drafts(ui.app);
	/* --session S: found before anything is asked or drawn, so that a
	 * slip is said in the shell (and the passphrase not asked for). */
	if (session != NULL && command_find_session(&ui, session, resume,
	                           sizeof resume, &cause) != MC_OK) {
		cli_error("--session: %s", cause);
		free(cause);
		exit_code = EXIT_USAGE;
		goto out_app;
	}
	/* Keys in the vault but no model for them: the passphrase is asked
	 * for all the same, as the user expects (typed by habit into the
	 * chat, it would be a message). */
	if (!app_needs_unlock(ui.app) && app_usable_models(ui.app) == 0)
		idle = app_idle_keys(ui.app);
	if ((app_needs_unlock(ui.app) || idle != NULL) &&
	    (exit_code = unlock_vault(&cfg, ui.app, idle != NULL)) != EXIT_OK)
		goto out_app;

	nc = getenv("NO_COLOR");
	ui.no_colour = nc != NULL && nc[0] != '\0';
	if (resource_theme(cfg.config_dir,
	        ui.no_colour        ? "mono"
	        : cfg.theme != NULL ? cfg.theme
	                            : "default",
	        &ui.theme, &theme_cause) != MC_OK)
		theme_ok = false;
	if (resource_keymap(cfg.config_dir,
	        cfg.keys != NULL ? cfg.keys : "default", &ui.km,
	        &keys_cause) != MC_OK)
		keys_ok = false;
	editor_init(&ui.ed);
	/* Up recalls what you asked in earlier chats too, as a shell's
	 * history does. */
	{
		char **recent = NULL;
		size_t nrecent = app_recent_prompts(ui.app, 200, &recent), i;

		for (i = 0; i < nrecent; i++) {
			editor_remember(&ui.ed, recent[i]);
			free(recent[i]);
		}
		free(recent);
	}
	buf_init(&ui.paste, EDITOR_MAX);
	if (signals_start() != 0) {
		cli_error("cannot create a pipe: %s", strerror(errno));
		exit_code = EXIT_RUNTIME;
		goto out_ui;
	}
	if (screen_start(&ui, &cause) != MC_OK) {
		cli_error("%s", cause);
		free(cause);
		exit_code = EXIT_RUNTIME;
		goto out_ui;
	}
	view_init(&ui.view, ui_chat_width(&ui));
	/* The reading width: prose no wider (the text stays left, by its
	 * labels, as in a pager); at least 20 columns. */
	if (cfg.reading_width > 0)
		view_set_measure(&ui.view,
		    cfg.reading_width < 20 ? 20 : (size_t)cfg.reading_width);
	if (cfg.mouse && !ui_set_mouse(&ui, true))
		ui_note_error(
		    &ui, "\"mouse\": true, but this terminal reports no mouse");
	{
		char key[32], hint[96];

		/* Said as the README and /help say keys: Alt-R, not M-r. */
		ui_hint_key(&ui.km, ACT_REASK, key, sizeof key);
		if (key[0] != '\0') {
			snprintf(hint, sizeof hint,
			    "%s asks the next-best model", key);
			view_set_error_hint(&ui.view, hint);
		}
	}
	ui_hint_key(&ui.km, ACT_HELP_KEYS, ui.help_key, sizeof ui.help_key);
	ui_hint_key(&ui.km, ACT_QUIT, ui.quit_key, sizeof ui.quit_key);
	ui_hint_key(&ui.km, ACT_CANCEL, ui.cancel_key, sizeof ui.cancel_key);
	/* --session S: as /sessions S would; the start-up notices after
	 * it, where the eye is (resuming lays the chat pane out afresh). */
	if (resume[0] != '\0') {
		char *line = xasprintf("/sessions %s", resume);

		command_run(&ui, line);
		free(line);
	} else if (session != NULL && !quiet_last)
		ui_note(&ui, "--session last: there is no earlier conversation "
		             "to go on with; this is a new one");
	ui_note(&ui,
	    "mixchat %s: type a message and press Enter.  "
	    "%s%s/help the commands, /sessions your earlier conversations; "
	    "%s%s.",
	    PACKAGE_VERSION, ui.help_key,
	    ui.help_key[0] != '\0' ? " lists the keys, " : "",
	    ui.quit_key[0] != '\0' ? ui.quit_key : "/quit",
	    ui.quit_key[0] != '\0' ? " quits" : " leaves");
	if (theme_cause != NULL)
		startup_problem(&ui, "theme", theme_cause,
		    theme_ok ? "\n(the rest of the theme is in use)"
		             : "; using the default theme");
	if (keys_cause != NULL)
		startup_problem(&ui, "keys", keys_cause,
		    keys_ok ? "\n(the rest of the key map is in use)"
		            : "; using the default keys");
	/* A vault that is there but cannot be used is why, first: not the
	 * first-run advice, whose `keys add` would refuse it too. */
	if (app_vault_problem(ui.app) != NULL)
		ui_note_error(&ui,
		    "The key vault cannot be used: %s.\nUntil it is fixed "
		    "(then start mixchat again), %s.",
		    app_vault_problem(ui.app),
		    app_usable_models(ui.app) > 0
		        ? "only the models that need no key answer"
		        : "nobody can answer: the models set up need keys "
		          "from it");
	else if (app_usable_models(ui.app) == 0 && idle != NULL)
		ui_note_error(&ui,
		    "The vault holds a key for %s, but no model uses it: "
		    "name the models to ask in %s, e.g.\n"
		    "  { \"models\": [ { \"id\": \"MODEL\", \"provider\": "
		    "\"%.*s\", \"price\": [IN, OUT] } ] }\n"
		    "(price: USD per million tokens), then start mixchat again.",
		    idle, cfg.config_file, (int)strcspn(idle, ","), idle);
	else if (app_usable_models(ui.app) == 0 &&
	         app_wanted_key(ui.app) != NULL)
		ui_note_error(&ui,
		    "The models %s names need a key for %s, and the vault "
		    "holds none: quit (Ctrl-D or /quit) and run\n"
		    "  %s keys add %s\n"
		    "then start mixchat again.",
		    cfg.config_file, app_wanted_key(ui.app), self_cmd(),
		    app_wanted_key(ui.app));
	else if (app_usable_models(ui.app) == 0)
		ui_note(&ui, NO_PROVIDER_TEXT, self_cmd(), cfg.config_file);
	ui.dirty = true;
	ui_loop(&ui);
	/* A reply still arriving when the chat ends (/quit, the terminal
	 * closed, SIGTERM) is stopped as Esc stops it: what came of it is
	 * kept in the conversation and its cost booked. */
	if (app_cancel(ui.app))
		app_process(ui.app);
	screen_stop();
	view_release(&ui.view);
out_ui:
	signals_stop();
	free(theme_cause);
	free(keys_cause);
	free(ui.paste_ask);
	free(ui.confirm);
	free(ui.confirm_what);
	free(ui.search_words);
	buf_release(&ui.paste);
	editor_release(&ui.ed);
	free(ui.set_aside);
	free(ui.quit_set_aside_said);
	free(ui.keep_why);
	free(ui.kept_notice);
	keymap_release(&ui.km);
	theme_release(&ui.theme);
out_app:
	free(idle);
	ui_overlay_close(&ui);
	while (ui.nnotices > 0)
		free(ui.notices[--ui.nnotices]);
	free(ui.flash);
	app_close(ui.app);
	config_release(&cfg);
	return exit_code;
}
