/*
 * screen.c - the only file that includes curses: starting and stopping the
 * terminal, colours from the theme, reading keys as keymap.h codes, and
 * drawing the title bar, the chat pane, the status bar and the input.
 *
 * Drawing is a function of struct ui: every frame erases and draws what
 * is on screen (curses sends only the cells that changed), so a resize or
 * a redraw in the middle of a streaming reply cannot leave garbage.
 */
#include "config.h"

#define NCURSES_WIDECHAR 1
#include <curses.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "app/format.h"
#include "ui/markup.h"
#include "ui/ui.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/glyph.h"
#include "util/self.h"
#include "util/timeutil.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

/* Curses codes for the bracketed paste markers (define_key). */
#define CODE_PASTE_START (KEY_MAX + 2001)
#define CODE_PASTE_END   (KEY_MAX + 2002)
/* ... and for the xterm forms of the extended keys below. */
#define CODE_XTERM_BASE (KEY_MAX + 2100)

/*
 * Alt and Ctrl with the arrows and their neighbours: learnt from terminfo
 * (its name for each), and in the form xterm, tmux and GNU screen send
 * whatever terminfo says: TERM=screen's entry names none of them, and
 * each Alt-Up there typed "1;3A" into the message.
 */
static const struct {
	const char *cap;   /* terminfo name of an extended key */
	const char *xterm; /* what xterm sends for it */
	uint32_t key;
} extended_keys[] = {
	{ "kUP3", "\033[1;3A", KEYC_UP | KEYC_META },
	{ "kDN3", "\033[1;3B", KEYC_DOWN | KEYC_META },
	{ "kLFT3", "\033[1;3D", KEYC_LEFT | KEYC_META },
	{ "kRIT3", "\033[1;3C", KEYC_RIGHT | KEYC_META },
	{ "kHOM3", "\033[1;3H", KEYC_HOME | KEYC_META },
	{ "kEND3", "\033[1;3F", KEYC_END | KEYC_META },
	{ "kPRV3", "\033[5;3~", KEYC_PPAGE | KEYC_META },
	{ "kNXT3", "\033[6;3~", KEYC_NPAGE | KEYC_META },
	{ "kDC3", "\033[3;3~", KEYC_DC | KEYC_META },
	{ "kUP5", "\033[1;5A", KEYC_UP | KEYC_CTRL },
	{ "kDN5", "\033[1;5B", KEYC_DOWN | KEYC_CTRL },
	{ "kLFT5", "\033[1;5D", KEYC_LEFT | KEYC_CTRL },
	{ "kRIT5", "\033[1;5C", KEYC_RIGHT | KEYC_CTRL },
	{ "kHOM5", "\033[1;5H", KEYC_HOME | KEYC_CTRL },
	{ "kEND5", "\033[1;5F", KEYC_END | KEYC_CTRL },
	{ "kPRV5", "\033[5;5~", KEYC_PPAGE | KEYC_CTRL },
	{ "kNXT5", "\033[6;5~", KEYC_NPAGE | KEYC_CTRL },
	{ "kDC5", "\033[3;5~", KEYC_DC | KEYC_CTRL },
};
static int extended_codes[sizeof extended_keys / sizeof extended_keys[0]];

static attr_t styles[TH__COUNT];
static bool started;

/*
 * Inside tmux, OSC 52 reaches the clipboard only with `set-clipboard on`:
 * its default (external) drops what a program sends.  So the text also
 * goes to tmux itself, `tmux load-buffer -w -` (its paste buffer, and the
 * clipboard as tmux would set it; without -w on a tmux older than 3.2).
 * No shell: the text is written to its standard input.
 */
static bool
tmux_buffer(const char *s, size_t n, bool w)
{
	int fds[2], status = 0;
	bool wrote;
	pid_t pid;

	if (pipe(fds) != 0)
		return false;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		signal(SIGPIPE, SIG_DFL);
		dup2(fds[0], STDIN_FILENO);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		close(fds[0]);
		close(fds[1]);
		if (w)
			execlp("tmux", "tmux", "load-buffer", "-w", "-",
			    (char *)NULL);
		else
			execlp(
			    "tmux", "tmux", "load-buffer", "-", (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	wrote = fs_write_all(fds[1], s, n) == MC_OK;
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return wrote && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool
screen_clipboard(const char *s, size_t n)
{
	char *enc = xmalloc(base64_len(n) + 1);

	base64_encode(s, n, enc);
	printf("\033]52;c;%s\a", enc);
	fflush(stdout);
	free(enc);
	return getenv("TMUX") != NULL &&
	       (tmux_buffer(s, n, true) || tmux_buffer(s, n, false));
}

int
screen_colours(void)
{
	return started && has_colors() ? COLORS : 0;
}

void
screen_apply_theme(struct ui *ui)
{
	int i, ncolours = screen_colours();
	struct theme_style drawn[TH__COUNT], *s;
	attr_t a;

	/* As the terminal draws each: its colours, readable (theme_draw). */
	theme_draw(&ui->theme, ui->no_colour ? 0 : ncolours, drawn);
	for (i = 0; i < TH__COUNT; i++) {
		s = &drawn[i];
		a = 0;
		if (s->attrs & THEME_BOLD)
			a |= A_BOLD;
		if (s->attrs & THEME_DIM)
			a |= A_DIM;
		if (s->attrs & THEME_UNDERLINE)
			a |= A_UNDERLINE;
		if (s->attrs & THEME_REVERSE)
			a |= A_REVERSE;
#ifdef A_ITALIC
		if (s->attrs & THEME_ITALIC)
			a |= A_ITALIC;
#endif
		if (!ui->no_colour && ncolours >= 8 && i + 1 < COLOR_PAIRS &&
		    init_pair((short)(i + 1), s->fg, s->bg) == OK)
			a |= COLOR_PAIR(i + 1);
		styles[i] = a;
	}
	/* Every cell erase() and clrtoeol() blank, and every character
	 * drawn without colours (the popup's margin), takes the theme's
	 * background; the next frame erases all with it, so a /theme
	 * switch leaves no cell of the old one. */
	if (started)
		bkgdset(' ' | (styles[TH_BACKGROUND] & A_COLOR));
}

static bool mouse_on;
static int click_row = -1, click_col = -1;

static void
on_exit_endwin(void)
{
	if (started && !isendwin()) {
		printf("\033[?2004l");
		fflush(stdout);
		endwin();
	}
}

bool
screen_mouse(bool on)
{
	mmask_t want = on ? BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	                        | BUTTON5_PRESSED
#endif
	                  : 0;

	if (!started)
		return false;
	if (mousemask(want, NULL) == 0 && on) {
		mouse_on = false;
		return false;
	}
	/* Report a click at once, not after waiting for a double click. */
	mouseinterval(0);
	mouse_on = on;
	return true;
}

void
screen_last_click(int *row, int *col)
{
	*row = click_row;
	*col = click_col;
}

static volatile sig_atomic_t continued;

static void
on_sigcont(int sig)
{
	(void)sig;
	continued = 1;
}

bool
screen_suspend(struct ui *ui)
{
	struct sigaction dfl, old, cont, oldcont;

	if (!started)
		return false;
	if (mouse_on)
		mousemask(0, NULL);
	printf("\033[?2004l");
	fflush(stdout);
	endwin();
	/* Stop as a shell's Ctrl-Z would; curses's own SIGTSTP handler
	 * (if any) is set aside so the screen is left and restored once. */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	memset(&cont, 0, sizeof cont);
	cont.sa_handler = on_sigcont;
	sigemptyset(&cont.sa_mask);
	continued = 0;
	sigaction(SIGCONT, &cont, &oldcont);
	sigaction(SIGTSTP, &dfl, &old);
	kill(0, SIGTSTP);
	sigaction(SIGTSTP, &old, NULL);
	sigaction(SIGCONT, &oldcont, NULL);
	/* Continued (or never stopped: a process group without job
	 * control - orphaned, POSIX says - discards the signal). */
	printf("\033[?2004h");
	fflush(stdout);
	if (mouse_on)
		screen_mouse(true);
	screen_resize(ui);
	return continued != 0;
}

int
screen_run_editor(struct ui *ui, const char *editor, const char *path)
{
	int status = -1;
	pid_t pid;

	struct sigaction ign, dfl, oint, oquit, otstp;
	char *cmd;

	if (mouse_on)
		mousemask(0, NULL);
	printf("\033[?2004l");
	fflush(stdout);
	endwin();
	/* The terminal is the editor's: its Ctrl-C and Ctrl-\ are for it
	 * (as git does), not a reason for the chat to quit or dump core. */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	/* Its Ctrl-Z stops the whole job: the chat stops with it and, on
	 * fg, goes on waiting, not drawing over the editor (curses' own
	 * handler would redraw the chat on SIGCONT). */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &otstp);
	/* $EDITOR is shell words, as git takes it ("code -w", a quoted
	 * path with blanks); the file is passed apart. */
	cmd = xasprintf("%s \"$@\"", editor);
	if ((pid = fork()) == 0) {
		/* As the shell would start it: signals as they come. */
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, "sh", path, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	sigaction(SIGTSTP, &otstp, NULL);
	printf("\033[?2004h");
	fflush(stdout);
	if (mouse_on)
		screen_mouse(true);
	screen_resize(ui);
	return pid < 0               ? -1
	       : WIFEXITED(status)   ? WEXITSTATUS(status)
	       : WIFSIGNALED(status) ? 128 + WTERMSIG(status)
	                             : -1;
}

int
screen_start(struct ui *ui, char **cause)
{
	size_t i;
	const char *cap;

	setlocale(LC_ALL, "");
	if (strstr(setlocale(LC_CTYPE, NULL), "UTF-8") == NULL &&
	    strstr(setlocale(LC_CTYPE, NULL), "utf8") == NULL) {
		/* The text is UTF-8 whatever the environment says. */
		if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
			setlocale(LC_CTYPE, "en_US.UTF-8");
	}
	/* Lay text out by the widths curses draws it with. */
	if (strstr(setlocale(LC_CTYPE, NULL), "UTF-8") != NULL ||
	    strstr(setlocale(LC_CTYPE, NULL), "utf8") != NULL)
		utf8_locale_widths(true);
	set_escdelay(25);
	if (newterm(NULL, stdout, stdin) == NULL) {
		*cause = xasprintf("cannot use the terminal '%s': set TERM "
		                   "to your terminal's type",
		    getenv("TERM") != NULL ? getenv("TERM") : "(unset)");
		return MC_ERR_USAGE;
	}
	/* A terminal that cannot move its cursor (TERM=dumb: an editor's
	 * shell buffer) would show one line written over and over. */
	cap = tigetstr("cup");
	if (cap == NULL || cap == (char *)-1) {
		endwin();
		*cause = xasprintf("this terminal (TERM=%s) cannot show the "
		                   "chat: it cannot move its cursor; `%s ask` "
		                   "works anywhere",
		    getenv("TERM") != NULL ? getenv("TERM") : "(unset)",
		    self_cmd());
		return MC_ERR_USAGE;
	}
	started = true;
	atexit(on_exit_endwin);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	intrflush(stdscr, FALSE);
	meta(stdscr, TRUE);
	if (has_colors() && !ui->no_colour) {
		start_color();
		use_default_colors();
	}
	for (i = 0; i < sizeof extended_keys / sizeof extended_keys[0]; i++) {
		cap = tigetstr(extended_keys[i].cap);
		extended_codes[i] = -1;
		if (cap != NULL && cap != (char *)-1)
			extended_codes[i] = key_defined(cap);
		/* xterm's form too, unless terminfo gave it a code. */
		if (key_defined(extended_keys[i].xterm) <= 0)
			define_key(
			    extended_keys[i].xterm, CODE_XTERM_BASE + (int)i);
	}
	/* Home and End as tmux, screen and the Linux console send them. */
	define_key("\033[1~", KEY_HOME);
	define_key("\033[4~", KEY_END);
	define_key("\033[H", KEY_HOME);
	define_key("\033[F", KEY_END);
	define_key("\033OH", KEY_HOME);
	define_key("\033OF", KEY_END);
	define_key("\033[200~", CODE_PASTE_START);
	define_key("\033[201~", CODE_PASTE_END);
	/* Ask for bracketed paste (xterm, tmux, and most others). */
	printf("\033[?2004h");
	fflush(stdout);
	getmaxyx(stdscr, ui->rows, ui->cols);
	screen_apply_theme(ui);
	return MC_OK;
}

void
screen_stop(void)
{
	on_exit_endwin();
	started = false;
}

void
screen_size(struct ui *ui)
{
	if (started)
		getmaxyx(stdscr, ui->rows, ui->cols);
}

void
screen_resize(struct ui *ui)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, ui->rows, ui->cols);
	clearok(curscr, TRUE);
}

/* A key from what curses returned. */
static uint32_t
translate(int r, wint_t ch)
{
	size_t i;

	if (r == KEY_CODE_YES) {
		if (ch >= KEY_F(1) && ch <= KEY_F(12))
			return KEYC_F1 + (ch - KEY_F(1));
		switch (ch) {
		case KEY_UP:
			return KEYC_UP;
		case KEY_DOWN:
			return KEYC_DOWN;
		case KEY_LEFT:
			return KEYC_LEFT;
		case KEY_RIGHT:
			return KEYC_RIGHT;
		case KEY_HOME:
			return KEYC_HOME;
		case KEY_END:
			return KEYC_END;
		case KEY_PPAGE:
			return KEYC_PPAGE;
		case KEY_NPAGE:
			return KEYC_NPAGE;
		case KEY_IC:
			return KEYC_IC;
		case KEY_DC:
			return KEYC_DC;
		case KEY_BACKSPACE:
			return KEYC_BSPACE;
		case KEY_ENTER:
			return KEYC_ENTER;
		case KEY_BTAB:
			return KEYC_BTAB;
		case KEY_RESIZE:
			return KEYC_RESIZE;
		case CODE_PASTE_START:
			return KEYC_PASTE_START;
		case CODE_PASTE_END:
			return KEYC_PASTE_END;
		case KEY_MOUSE: {
			MEVENT ev;

			if (getmouse(&ev) != OK)
				return KEYC_NONE;
			if (ev.bstate & BUTTON4_PRESSED)
				return KEYC_WHEEL_UP;
#ifdef BUTTON5_PRESSED
			if (ev.bstate & BUTTON5_PRESSED)
				return KEYC_WHEEL_DOWN;
#endif
			if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED)) {
				click_row = ev.y;
				click_col = ev.x;
				return KEYC_CLICK;
			}
			return KEYC_NONE;
		}
		case KEY_SLEFT:
			return KEYC_LEFT; /* shift is not told apart */
		case KEY_SRIGHT:
			return KEYC_RIGHT;
		}
		for (i = 0; i < sizeof extended_keys / sizeof extended_keys[0];
		     i++)
			if ((extended_codes[i] > 0 &&
			        (wint_t)extended_codes[i] == ch) ||
			    ch == (wint_t)(CODE_XTERM_BASE + (int)i))
				return extended_keys[i].key;
		return KEYC_NONE;
	}
	switch (ch) {
	case '\r':
		return KEYC_ENTER;
	case '\t':
		return KEYC_TAB;
	case 127:
		return KEYC_BSPACE;
	case 27:
		return KEYC_ESCAPE;
	}
	if (ch >= 1 && ch <= 26)
		return ('a' + ch - 1) | KEYC_CTRL;
	/* C-\ C-] C-^ C-_ (which C-/ sends too: undo) */
	if (ch >= 0x1c && ch <= 0x1f)
		return (uint32_t) "\\]^_"[ch - 0x1c] | KEYC_CTRL;
	if (ch < 0x20)
		return KEYC_NONE;
	return (uint32_t)ch;
}

/*
 * Esc [ with more at once: a control sequence curses does not know (a key
 * this terminal's terminfo does not name, Shift-F1, a colour code in a
 * paste).  Its parameters and final byte go with it, not into the text
 * as "1;2P" or "31m"; a byte that cannot be part of it is read again.
 */
static uint32_t
skip_csi(void)
{
	wint_t ch;
	int r;

	while ((r = get_wch(&ch)) != ERR) {
		if (r == OK && ch >= 0x20 && ch <= 0x3f)
			continue; /* parameters and intermediates */
		if (r == KEY_CODE_YES)
			ungetch((int)ch); /* not of it: a key of its own */
		else if (ch < 0x40 || ch > 0x7e)
			unget_wch(ch);
		break;
	}
	return KEYC_NONE;
}

void
screen_bell(void)
{
	if (beep() == ERR)
		(void)flash();
}

uint32_t
screen_read_key(void)
{
	wint_t ch, ch2;
	int r, r2;
	uint32_t key;

	/* An event that means nothing here (a mouse button's release) is
	 * no reason to stop reading: curses may hold the key typed after
	 * it, which would wait for the next poll timeout (a second). */
	do {
		r = get_wch(&ch);
		if (r == ERR)
			return KEYC_NONE;
		key = translate(r, ch);
	} while (key == KEYC_NONE); /* ends: each read takes input */
	if (key != KEYC_ESCAPE)
		return key;
	/* Esc then a key at once is Alt + that key (xterm's meta sends). */
	r2 = get_wch(&ch2);
	if (r2 == ERR)
		return KEYC_ESCAPE;
	if (r2 == OK && ch2 == '[')
		return skip_csi();
	key = translate(r2, ch2);
	if (key == KEYC_NONE || key == KEYC_PASTE_START ||
	    key == KEYC_PASTE_END || key == KEYC_RESIZE)
		return key;
	return key | KEYC_META;
}

/* Draw n bytes of s at (y, x) in at most cols columns; returns columns. */
static size_t
put_text(int y, int x, const char *s, size_t n, size_t cols, attr_t a)
{
	size_t used, fit;

	if (cols == 0 || n == 0)
		return 0;
	fit = utf8_fit(s, n, cols, &used);
	attrset(a);
	mvaddnstr(y, x, s, (int)fit);
	return used;
}

static size_t
put_str(int y, int x, const char *s, size_t cols, attr_t a)
{
	return put_text(y, x, s, strlen(s), cols, a);
}

/* s at (y, x) if all of it fits before column cols (else nothing): a
 * status bar part is read whole or not at all.  Returns columns. */
static size_t
put_whole(int y, size_t x, const char *s, size_t cols, attr_t a)
{
	size_t w = utf8_width(s, strlen(s));

	if (x >= cols || w > cols - x)
		return 0;
	return put_str(y, (int)x, s, w, a);
}

static void
fill_row(int y, attr_t a)
{
	attrset(a);
	move(y, 0);
	hline(' ', COLS);
}

/*
 * The title bar narrows in one fixed order, so a narrower window never
 * shows a part a wider one dropped: the conversation's name first keeps
 * TITLE_WANT_COLS (or all it needs), then the parts give way, the least
 * useful first: the program's name, the routing mode, the "pinned: "
 * before the pinned model (the status bar says PINNED too), the count's
 * word; then the pinned model is cut with an ellipsis down to
 * TITLE_PIN_MIN_COLS; only then is the name cut below TITLE_WANT_COLS,
 * and never to nothing.  Each part only shrinks as the window does.
 */
#define TITLE_WANT_COLS    60
#define TITLE_PIN_MIN_COLS 8
enum title_step {
	TITLE_ALL,
	TITLE_NO_NAME,  /* "mixchat · " gone */
	TITLE_NO_MODE,  /* the routing mode gone */
	TITLE_NO_LABEL, /* "pinned: " gone */
	TITLE_NO_WORD,  /* "2", not "2 messages" */
	TITLE_PIN_CUT,  /* the pinned model cut to what is left */
};

/* s (n bytes) cut to cols columns with an ellipsis at the end, and no
 * blank before it ("hello world…", not "hello world …"). */
static void
title_cut(char *buf, size_t bufsz, const char *s, size_t n, size_t cols)
{
	size_t ew = utf8_width(glyph->ellipsis, strlen(glyph->ellipsis));
	size_t w = utf8_width(s, n);
	bool mark = w > cols && cols > ew;

	/* Too narrow for the mark ("..." in 2 columns): cut without it,
	 * rather than to nothing. */
	if (w > cols) {
		n = utf8_fit(s, n, mark ? cols - ew : cols, NULL);
		while (n > 0 && s[n - 1] == ' ')
			n--;
	}
	snprintf(buf, bufsz, "%.*s%s", (int)n, s, mark ? glyph->ellipsis : "");
}

/*
 * The title bar's parts beside the conversation's name at step, the
 * pinned model in at most pincols columns.  Returns the columns they
 * take, with the two the count keeps from the edge.
 */
/* At most 4 bytes a column and the mark: within title_parts' buffer. */
#define TITLE_PIN_MAX_COLS 60

static size_t
title_parts(struct ui *ui, enum title_step step, size_t pincols, size_t nmsg,
    char *head, size_t headsz, char *tail, size_t tailsz, char *right,
    size_t rightsz)
{
	const char *pinned = app_pinned_model(ui->app);
	char pin[256] = "";

	if (pinned != NULL)
		title_cut(pin, sizeof pin, pinned, strlen(pinned), pincols);
	snprintf(head, headsz, "%s%s", step >= TITLE_NO_NAME ? " " : " mixchat",
	    step >= TITLE_NO_NAME ? "" : glyph->sep);
	snprintf(tail, tailsz, "%s%s%s%s%s",
	    step >= TITLE_NO_MODE ? "" : glyph->sep,
	    step >= TITLE_NO_MODE ? "" : app_mode_name(ui->app),
	    pinned != NULL ? glyph->sep : "",
	    pinned != NULL && step < TITLE_NO_LABEL ? "pinned: " : "", pin);
	if (step >= TITLE_NO_WORD)
		snprintf(right, rightsz, "%zu ", nmsg);
	else
		snprintf(right, rightsz, "%zu %s ", nmsg,
		    nmsg == 1 ? "message" : "messages");
	return utf8_width(head, strlen(head)) + utf8_width(tail, strlen(tail)) +
	       strlen(right) + 2;
}

static void
draw_title(struct ui *ui, int y)
{
	char head[64], tail[512], right[128], name[1024], left[2048];
	const char *title = app_session_title(ui->app);
	const char *pinned = app_pinned_model(ui->app);
	size_t used, cols = (size_t)ui->cols, fixed, room, tw, tb, i;
	size_t nmsg = 0, want, pinw, pincols, least;
	enum title_step step;

	fill_row(y, styles[TH_TITLE]);
	/* Messages as /sessions and `mixchat export` count them: the
	 * stored ones, yours and the replies (a re-ask is one more reply,
	 * not a message of yours; a refused message's record is one). */
	for (i = 0; i < app_count(ui->app); i++) {
		const struct app_exchange *ex = app_get(ui->app, i);

		if (ex == NULL)
			continue;
		nmsg += (!ex->shares_message && ex->message_stored) +
		        (ex->reply_id[0] != '\0');
	}
	title = title != NULL ? title : "";
	tb = strcspn(title, "\n");
	tw = utf8_width(title, tb);
	want = tw < TITLE_WANT_COLS ? tw : TITLE_WANT_COLS;
	pinw = pinned != NULL ? utf8_width(pinned, strlen(pinned)) : 0;
	/* What title_parts' buffer holds: a longer id is cut with its mark
	 * at any width. */
	if (pinw > TITLE_PIN_MAX_COLS)
		pinw = TITLE_PIN_MAX_COLS;
	least = pinw < TITLE_PIN_MIN_COLS ? pinw : TITLE_PIN_MIN_COLS;

	/* The first step that leaves the name the columns it wants. */
	pincols = pinw;
	for (step = TITLE_ALL; step < TITLE_PIN_CUT; step++) {
		fixed = title_parts(ui, step, pincols, nmsg, head, sizeof head,
		    tail, sizeof tail, right, sizeof right);
		if (fixed + want <= cols)
			break;
	}
	if (step == TITLE_PIN_CUT) {
		/* The pin has what the name does not want, down to least. */
		fixed -= pinw;
		room = cols > fixed + want ? cols - fixed - want : 0;
		pincols = room > least ? room : least;
		fixed = title_parts(ui, step, pincols, nmsg, head, sizeof head,
		    tail, sizeof tail, right, sizeof right);
	}
	room = cols > fixed ? cols - fixed : 0;
	/* Past the first step the name keeps what it wants, no more: the
	 * columns a part gave way leave a gap, so a narrower bar never
	 * shows more of the name than a wider one. */
	if (step > TITLE_ALL && room > want)
		room = want;
	/* Never a name cut to nothing (and a bar starting with "·"). */
	if (room < 2 && tw > 0)
		room = tw < 2 ? tw : 2;
	title_cut(name, sizeof name, title, tb, room);
	snprintf(left, sizeof left, "%s%s%s", head, name,
	    tw > 0 || tail[0] == '\0' ? tail : tail + strlen(glyph->sep));
	used = put_str(y, 0, left, cols, styles[TH_TITLE]);
	if (used + strlen(right) + 2 <= cols)
		put_str(y, ui->cols - (int)strlen(right), right, strlen(right),
		    styles[TH_TITLE]);
}

/*
 * How long the reply in flight (last) has gone without a change: no new
 * text, no new state, no retry wait begun or ended.  The clock starts
 * again at each change.
 */
static uint64_t
quiet_ms(struct ui *ui, const struct app_exchange *last, bool retrying)
{
	uint64_t now = time_mono_ms();
	size_t at = app_count(ui->app);

	if (last == NULL || ui->quiet_at != at ||
	    ui->quiet_state != (int)last->state ||
	    ui->quiet_len != last->reply_len || ui->quiet_retry != retrying) {
		ui->quiet_at = at;
		ui->quiet_state = last != NULL ? (int)last->state : -1;
		ui->quiet_len = last != NULL ? last->reply_len : 0;
		ui->quiet_retry = retrying;
		ui->quiet_since_ms = now;
	}
	return now - ui->quiet_since_ms;
}

static void
draw_status(struct ui *ui, int y)
{
	char buf[256], spent[32], limit[32];
	const struct app_exchange *ex = NULL;
	size_t x = 0, cols = (size_t)ui->cols, n = app_count(ui->app), i, w;
	/* Narrow: the model and "today" give way.  A reply selected (or in
	 * sight, scrolled up) is named at the end, and which reply a rating
	 * key will hit matters more than the last reply's model: on a
	 * half-width pane they give way to it. */
	bool narrow = cols < 64 ||
	              (cols < 100 && (ui->selected >= 0 ||
	                                 (ui->scroll > 0 && ui->in_view >= 0)));
	double spend = app_spend_today(ui->app),
	       budget = app_daily_budget(ui->app);
	bool warn;

	fill_row(y, styles[TH_STATUS]);
	ui->shown_spend = spend;
	for (i = n; i > 0; i--) {
		ex = app_get(ui->app, i - 1);
		if (ex != NULL && ex->model != NULL && !ex->not_sent)
			break;
		ex = NULL;
	}
	if (app_busy(ui->app)) {
		const struct app_exchange *last = app_get(ui->app, n - 1);
		double left;
		long status;

		/* Waiting out a 429 or a 5xx says so, and for how long. */
		if (app_retry_wait(ui->app, &left, &status)) {
			(void)quiet_ms(ui, last, true);
			snprintf(buf, sizeof buf,
			    " %s retrying in %.0f s (HTTP %ld) ",
			    glyph->spinner[ui->spinner %
			                   (unsigned)glyph->nspinner],
			    left / 1000.0 + 0.5, status);
		} else {
			bool pending =
			    last != NULL && last->state == REPLY_PENDING;
			uint64_t quiet = quiet_ms(ui, last, false);

			/* A slow provider, a stalled stream: how long it has
			 * been, and the way out. */
			if (quiet >= UI_QUIET_MS)
				snprintf(buf, sizeof buf,
				    " %s %s %llu s%s%s%s ",
				    glyph->spinner[ui->spinner %
				                   (unsigned)glyph->nspinner],
				    pending ? "waiting" : "no word for",
				    (unsigned long long)(quiet / 1000),
				    ui->cancel_key[0] != '\0' ? glyph->sep : "",
				    ui->cancel_key,
				    ui->cancel_key[0] != '\0' ? " cancels"
				                              : "");
			else
				snprintf(buf, sizeof buf, " %s %s ",
				    glyph->spinner[ui->spinner %
				                   (unsigned)glyph->nspinner],
				    pending ? "waiting" : "streaming");
		}
		x += put_str(y, (int)x, buf, cols - x, styles[TH_SPINNER]);
	} else
		ui->quiet_at = 0;
	if (ui->km.has_normal) {
		snprintf(buf, sizeof buf, " %s ",
		    ui->mode == KEYMAP_NORMAL ? "NORMAL" : "INSERT");
		x += put_str(y, (int)x, buf, cols - x, styles[TH_STATUS]);
	}
	/* A message set aside for a command (vi's ':', Alt-/): where it
	 * went, and the way back. */
	if (ui->set_aside != NULL &&
	    (editor_empty(&ui->ed) || ui->ed.text[0] == '/')) {
		snprintf(buf, sizeof buf, " message set aside%s%s%s ",
		    ui->cancel_key[0] != '\0' ? glyph->sep : "", ui->cancel_key,
		    ui->cancel_key[0] != '\0' ? " brings it back" : "");
		x += put_str(y, (int)x, buf, cols - x, styles[TH_SPINNER]);
	} else if (ui->set_aside != NULL) {
		/* Something else typed in its place: Esc leaves that be. */
		snprintf(buf, sizeof buf,
		    " message set aside%sback when this is sent or cleared ",
		    glyph->sep);
		x += put_str(y, (int)x, buf, cols - x, styles[TH_SPINNER]);
	}
	/* C-r's words, where a search is on (as bash's prompt says). */
	if (ui->ed.searching) {
		snprintf(buf, sizeof buf, " search: %s%s ", ui->ed.query,
		    ui->ed.search_failed ? " (not found)" : "");
		x += put_str(y, (int)x, buf, cols - x, styles[TH_SPINNER]);
	}
	/* Narrow: the model is in the footers; the spend, the warning and
	 * -MORE- are not, so they keep the room. */
	/* Nothing before the first reply; and a pinned model is named once,
	 * by PINNED. */
	if (!narrow && ex != NULL &&
	    (app_pinned_model(ui->app) == NULL ||
	        strcmp(app_pinned_model(ui->app), ex->model) != 0)) {
		snprintf(buf, sizeof buf, " [%s] ", ex->model);
		x += put_str(y, (int)x, buf, cols - x, styles[TH_STATUS]);
	}
	/* A confirmation, where the eye is, before what can wait. */
	if (ui->flash != NULL) {
		snprintf(buf, sizeof buf, " %s ", ui->flash);
		x += put_str(y, (int)x, buf, cols - x, styles[TH_SPINNER]);
	}
	if (app_pinned_model(ui->app) != NULL) {
		/* Narrow, the model's name gives way (the title bar and the
		 * footers name it) to the reply a rating key will hit. */
		if (narrow)
			snprintf(buf, sizeof buf, " PINNED ");
		else
			snprintf(buf, sizeof buf, " PINNED %s ",
			    app_pinned_model(ui->app));
		x += put_str(y, (int)x, buf, cols - x, styles[TH_BUDGET]);
	}
	if (app_budget_mode(ui->app))
		x +=
		    put_str(y, (int)x, " BUDGET ", cols - x, styles[TH_BUDGET]);
	format_usd_under(spend, budget, spent, sizeof spent);
	warn = budget > 0 && spend >= 0.8 * budget;
	if (budget > 0) {
		format_usd(budget, limit, sizeof limit);
		/* The colour alone is lost on mono terminals: say it too. */
		if (spend >= budget)
			snprintf(buf, sizeof buf, " ! %s / %s%s ", spent, limit,
			    narrow ? " spent" : " today: budget spent");
		else if (warn)
			/* Rounded down, as the notice says it: 99.7 % is not
			 * yet "100 %". */
			snprintf(buf, sizeof buf, " ! %s / %s%s (%.0f %%) ",
			    spent, limit, narrow ? "" : " today",
			    floor(100.0 * spend / budget));
		else
			snprintf(buf, sizeof buf, " %s / %s%s ", spent, limit,
			    narrow ? "" : " today");
	} else
		snprintf(
		    buf, sizeof buf, " %s%s ", spent, narrow ? "" : " today");
	/* Whole parts only: "$0.00483 /" cut before its limit misleads.
	 * Too narrow for it all, the spend alone; and alone too when the
	 * limit would leave no room to name the selected reply. */
	{
		size_t reserve = 0;

		if (ui->selected >= 0 || (ui->scroll > 0 && ui->in_view >= 0)) {
			char sel[48];

			snprintf(sel, sizeof sel, " reply %ld/%zu ",
			    (ui->selected >= 0 ? ui->selected : ui->in_view) +
			        1,
			    n);
			reserve = strlen(sel);
		}
		if (utf8_width(buf, strlen(buf)) + reserve > cols - x)
			snprintf(
			    buf, sizeof buf, " %s%s ", warn ? "! " : "", spent);
	}
	x += put_whole(
	    y, x, buf, cols, warn ? styles[TH_STATUS_WARN] : styles[TH_STATUS]);
	if (ui->scroll > 0) {
		snprintf(buf, sizeof buf, " -MORE(%zu)- ", ui->scroll);
		x += put_whole(y, x, buf, cols, styles[TH_MORE]);
	}
	if (ui->selected >= 0 || (ui->scroll > 0 && ui->in_view >= 0)) {
		long at = ui->selected >= 0 ? ui->selected : ui->in_view;
		const struct app_exchange *in = app_get(ui->app, (size_t)at);

		/* Its place, and the id `mixchat rate` and the notices
		 * ("reply 4.2 rated 4/5") name it by, once it is stored. */
		if (in != NULL && in->reply_id[0] != '\0')
			snprintf(buf, sizeof buf, " reply %ld/%zu%s%s ", at + 1,
			    n, glyph->sep, in->reply_id);
		/* No id yet, or no room for it: the place alone. */
		if (in == NULL || in->reply_id[0] == '\0' || x >= cols ||
		    utf8_width(buf, strlen(buf)) > cols - x)
			snprintf(buf, sizeof buf, " reply %ld/%zu ", at + 1, n);
		x += put_whole(y, x, buf, cols, styles[TH_STATUS]);
	}

	/* The help key as the key map binds it, or none. */
	if (ui->help_key[0] != '\0')
		snprintf(buf, sizeof buf, "%s keys%s/help ", ui->help_key,
		    glyph->sep);
	else
		snprintf(buf, sizeof buf, "/help ");
	w = utf8_width(buf, strlen(buf));
	if (x + w + 1 < cols)
		put_str(y, (int)(cols - w), buf, w, styles[TH_STATUS]);
}

static enum theme_element
line_style(enum view_kind kind)
{
	switch (kind) {
	case VIEW_PROMPT:
		return TH_PROMPT;
	case VIEW_REPLY:
		return TH_REPLY;
	case VIEW_CODE:
		return TH_CODE;
	case VIEW_FENCE:
		return TH_FENCE;
	case VIEW_FOOTER:
	case VIEW_THINK:
		return TH_FOOTER;
	case VIEW_ERROR:
		return TH_ERROR;
	case VIEW_NOTE:
		return TH_NOTE;
	case VIEW_NOTE_ERROR:
		return TH_NOTE_ERROR;
	case VIEW_RULE:
		return TH_FENCE;
	case VIEW_BLANK:
		break;
	}
	return TH_REPLY;
}

/*
 * The curses attributes of reply text styled st (MARKUP_* bits): the
 * colours of the most specific element, with the attributes of the others
 * added (strong text inside a heading stays a heading, and bold).
 */
static attr_t
markup_attr(uint8_t st)
{
	attr_t a = styles[TH_REPLY], extra = 0;

	if (st & (MARKUP_RULE | MARKUP_URL))
		return styles[TH_FENCE];
	if (st & MARKUP_CODE)
		a = styles[TH_INLINE_CODE];
	else if (st & MARKUP_LINK)
		a = styles[TH_LINK];
	else if (st & MARKUP_HEADING)
		a = styles[TH_HEADING];
	else if (st & MARKUP_STRONG)
		a = styles[TH_STRONG];
	else if (st & MARKUP_EMPH)
		a = styles[TH_EMPH];
	if (st & MARKUP_STRONG)
		extra |= styles[TH_STRONG] & A_ATTRIBUTES & ~A_COLOR;
	if (st & MARKUP_EMPH)
		extra |= styles[TH_EMPH] & A_ATTRIBUTES & ~A_COLOR;
	return a | extra;
}

/* A reply line with styled runs; returns the columns used. */
static size_t
put_styled(
    int y, int x, const char *s, const uint8_t *st, size_t n, size_t cols)
{
	size_t i = 0, j, used = 0;

	while (i < n && used < cols) {
		j = i + 1;
		while (j < n && st[j] == st[i])
			j++;
		used += put_text(y, x + (int)used, s + i, j - i, cols - used,
		    markup_attr(st[i]));
		i = j;
	}
	return used;
}

static void
draw_chat(struct ui *ui, int top, int height)
{
	size_t total = view_total(&ui->view), first, i, x0, width;
	const struct view_line *line;
	const struct view_block *b;
	const char *text;
	long sel;
	int y;

	if (height <= 0)
		return;
	x0 = ui->bare ? 0 : UI_GUTTER;
	width = (size_t)ui->cols > x0 ? (size_t)ui->cols - x0 : 0;
	if (ui->anchored) {
		size_t at =
		    view_line_at(&ui->view, ui->anchor_block, ui->anchor_off);

		ui->anchored = false;
		ui->scroll = at + (size_t)height < total
		                 ? total - at - (size_t)height
		                 : 0;
	}
	if (ui->scroll > total)
		ui->scroll = total;
	/* The reply the keys act on is marked: the one selected, all of
	 * it; else, scrolled up, the footer of the one in sight (a mark
	 * down the whole of a long reply being read would be noise). */
	ui->chat_rows = height;
	ui->in_view = ui_reply_in_view(ui);
	ui_selection_follow(ui);
	sel = ui->selected >= 0 ? ui->selected : ui->in_view;
	/* The bottom row shows line total - 1 - scroll. */
	if (total - ui->scroll >= (size_t)height)
		first = total - ui->scroll - (size_t)height;
	else
		first = 0;
	for (y = 0; y < height; y++) {
		i = first + (size_t)y;
		if (i >= total - ui->scroll)
			break;
		line = view_line(&ui->view, i, &text, &b);
		if (line == NULL)
			break;
		if (!ui->bare) {
			if (line->kind == VIEW_PROMPT &&
			    (line->flags & VIEW_FIRST))
				put_str(top + y, 0, " you ", UI_GUTTER,
				    styles[TH_USER]);
			else if ((line->kind == VIEW_NOTE ||
			             line->kind == VIEW_NOTE_ERROR) &&
			         (line->flags & VIEW_FIRST))
				put_str(top + y, 0, " -!- ", UI_GUTTER,
				    styles[line->kind == VIEW_NOTE
				               ? TH_NOTE
				               : TH_NOTE_ERROR]);
			if (!b->note && sel >= 0 && (size_t)sel == b->index &&
			    line->kind != VIEW_BLANK &&
			    line->kind != VIEW_PROMPT &&
			    (ui->selected >= 0 || line->kind == VIEW_FOOTER))
				put_str(top + y, 1, glyph->selected, 1,
				    styles[TH_SELECTED]);
		}
		if (line->kind == VIEW_CODE || line->kind == VIEW_FENCE) {
			attrset(styles[line_style(line->kind)]);
			move(top + y, (int)x0);
			hline(' ', (int)width);
		}
		if (line->kind == VIEW_RULE) {
			size_t k;

			attrset(styles[TH_FENCE]);
			move(top + y, (int)x0);
			for (k = 0; k < width; k++)
				addstr(glyph->hline);
			continue;
		}
		if (line->kind == VIEW_FOOTER && line->mark < line->len) {
			size_t used = put_text(top + y, (int)x0, text,
			    line->mark, width, styles[TH_FOOTER]);

			put_text(top + y, (int)(x0 + used), text + line->mark,
			    line->len - line->mark, width - used,
			    styles[TH_RATING]);
		} else if (line->kind == VIEW_REPLY &&
		           (b->style != NULL || line->indent > 0)) {
			size_t in = line->indent < width ? line->indent : 0;

			/* A wrapped list item or quote hangs under its text. */
			if (line->bar > 0 && line->bar <= in)
				put_str(top + y, (int)(x0 + line->bar - 1),
				    glyph->quote, 1, styles[TH_REPLY]);
			if (b->style != NULL)
				put_styled(top + y, (int)(x0 + in), text,
				    b->style + line->off, line->len,
				    width - in);
			else
				put_text(top + y, (int)(x0 + in), text,
				    line->len, width - in, styles[TH_REPLY]);
		} else {
			/* A wrapped line of a note, a message or code keeps
			 * its line's indent (view.c); what a /search matched
			 * is drawn as selected. */
			size_t in = line->indent < width ? line->indent : 0, k,
			       j, used = 0;
			attr_t a = styles[line_style(line->kind)];

			for (k = 0; k < line->len && b->note &&
			            b->style != NULL && used < width - in;
			     k = j) {
				for (j = k + 1; j < line->len &&
				                b->style[line->off + j] ==
				                    b->style[line->off + k];
				     j++)
					;
				used += put_text(top + y, (int)(x0 + in + used),
				    text + k, j - k, width - in - used,
				    b->style[line->off + k] & VIEW_MATCH
				        ? styles[TH_SELECTED]
				        : a);
			}
			if (!b->note || b->style == NULL)
				put_text(top + y, (int)(x0 + in), text,
				    line->len, width - in, a);
		}
	}
}

static int
input_rows_wanted(struct ui *ui, size_t width)
{
	struct editor_row *rows;
	size_t n, r, c;

	if (ui->paste_ask != NULL || ui->confirm != NULL)
		return 1;
	rows = editor_wrap(&ui->ed, width, &n, &r, &c);
	free(rows);
	if (n > UI_INPUT_MAX_ROWS)
		n = UI_INPUT_MAX_ROWS;
	return (int)n;
}

/* One row of the input: as put_text, but a tab is VIEW_TAB_COLS spaces,
 * the columns editor_wrap gave it (curses would go to a multiple of 8). */
static void
put_input_row(int y, int x, const char *s, size_t n, size_t cols, attr_t a)
{
	size_t i = 0, run, used = 0, k;

	while (i < n && used < cols) {
		run = strcspn(s + i, "\t");
		if (run > n - i)
			run = n - i;
		used += put_text(y, x + (int)used, s + i, run, cols - used, a);
		i += run;
		if (i < n && s[i] == '\t') {
			attrset(a);
			for (k = 0; k < VIEW_TAB_COLS && used < cols; k++)
				mvaddch(y, x + (int)used++, ' ');
			i++;
		}
	}
}

static void
draw_input(struct ui *ui, int top, int height)
{
	struct editor_row *rows;
	size_t n, r, c, first, i, width;
	char buf[128];
	int y;

	width = ui->cols > 3 ? (size_t)ui->cols - 2 : 1;
	attrset(styles[TH_INPUT]);
	for (y = 0; y < height; y++) {
		move(top + y, 0);
		clrtoeol();
	}
	if (ui->paste_ask != NULL) {
		snprintf(buf, sizeof buf, "paste %zu lines? (y/n) ",
		    ui->paste_lines);
		put_str(top, 0, buf, (size_t)ui->cols, styles[TH_STATUS_WARN]);
		move(top, (int)utf8_width(buf, strlen(buf)));
		return;
	}
	if (ui->confirm != NULL) {
		size_t w = utf8_width(ui->confirm, strlen(ui->confirm));

		put_str(top, 0, ui->confirm, (size_t)ui->cols,
		    styles[TH_STATUS_WARN]);
		move(top,
		    (int)(w < (size_t)ui->cols ? w : (size_t)ui->cols - 1));
		return;
	}
	rows = editor_wrap(&ui->ed, width, &n, &r, &c);
	first = 0;
	if (r >= (size_t)height)
		first = r - (size_t)height + 1;
	put_str(top, 0, first == 0 ? glyph->prompt : glyph->more, 1,
	    styles[TH_INPUT_PROMPT]);
	put_str(top, 1, " ", 1, styles[TH_INPUT_PROMPT]);
	/* Rows below what is shown are marked too, on the last row: a
	 * pasted log looked 8 lines long. */
	if (height > 1 && first + (size_t)height < n)
		put_str(top + height - 1, 0, glyph->more_below, 1,
		    styles[TH_INPUT_PROMPT]);
	/* A /command kept until it can run is drawn selected: typing
	 * replaces it. */
	for (i = first; i < n && i < first + (size_t)height; i++)
		put_input_row(top + (int)(i - first), 2,
		    ui->ed.text + rows[i].off, rows[i].len, width,
		    ui->command_kept ? styles[TH_INPUT] | A_REVERSE
		                     : styles[TH_INPUT]);
	free(rows);
	move(top + (int)(r - first), 2 + (int)c);
}

/* The notice line's rows at most: a long notice takes up to three rows
 * of a tall pane, so that on any width a notice is read whole unless it
 * truly does not fit (then /notices has it). */
#define NOTICE_ROWS_MAX 3

/* The notice line's rows and its tail, as notice_layout breaks them. */
struct notice_layout {
	struct {
		size_t off, len;
	} row[NOTICE_ROWS_MAX];
	size_t nrows;
	bool cut;      /* the text did not fit: the last row ends in … */
	char tail[64]; /* right-aligned on the last row, or "" */
};

/* How many bytes of s (n bytes) the row takes in cols columns: broken at
 * a space when one is not too far back. */
static size_t
notice_break(const char *s, size_t n, size_t cols)
{
	size_t used, cut = utf8_fit(s, n, cols, &used), sp;

	if (cut < n && s[cut] != ' ') {
		sp = cut;
		while (sp > 0 && s[sp - 1] != ' ')
			sp--;
		if (sp > cut / 2)
			cut = sp;
	}
	return cut;
}

/*
 * The latest notice broken into rows of width columns (after " ! " or its
 * indent), as few as hold it whole with its tail (how many more came) on
 * the last, at most max; when max rows do not hold it, it is cut on the
 * last one and the tail says /notices has the rest.
 */
static void
notice_layout(struct ui *ui, size_t width, size_t max, struct notice_layout *l)
{
	const char *text = ui->notices[ui->nnotices - 1];
	size_t n = strlen(text), more = ui->notices_unseen - 1, k, pos, tw;
	size_t ew = utf8_width(glyph->ellipsis, strlen(glyph->ellipsis));

	memset(l, 0, sizeof *l);
	if (max > NOTICE_ROWS_MAX)
		max = NOTICE_ROWS_MAX;
	if (max < 1)
		max = 1;
	if (more > 0)
		snprintf(
		    l->tail, sizeof l->tail, " (+%zu more: /notices) ", more);
	tw = strlen(l->tail);
	for (k = 1; k <= max; k++) {
		l->nrows = 0;
		pos = 0;
		while (l->nrows + 1 < k) {
			while (pos < n && text[pos] == ' ')
				pos++;
			l->row[l->nrows].off = pos;
			l->row[l->nrows].len =
			    notice_break(text + pos, n - pos, width);
			pos += l->row[l->nrows++].len;
		}
		while (pos < n && text[pos] == ' ')
			pos++;
		l->row[l->nrows].off = pos;
		l->row[l->nrows++].len = n - pos;
		if (utf8_width(text + pos, n - pos) + tw <= width)
			return;
	}
	/* Cut on the last row, and said so. */
	l->cut = true;
	if (more > 0)
		snprintf(l->tail, sizeof l->tail,
		    " (rest, +%zu more: /notices) ", more);
	else
		snprintf(l->tail, sizeof l->tail, " (rest: /notices) ");
	tw = strlen(l->tail);
	if (tw + ew + 8 > width) { /* too narrow to say it: the text first */
		tw = 0;
		l->tail[0] = '\0';
	}
	k = l->nrows - 1;
	if (width > tw + ew) {
		l->row[k].len = notice_break(
		    text + l->row[k].off, l->row[k].len, width - tw - ew);
		while (l->row[k].len > 0 &&
		       text[l->row[k].off + l->row[k].len - 1] == ' ')
			l->row[k].len--;
	}
}

/* The notice line, laid out by notice_layout, from row y down. */
static void
draw_notice(struct ui *ui, int y, const struct notice_layout *l)
{
	const char *text = ui->notices[ui->nnotices - 1];
	size_t cols = (size_t)ui->cols, x, i, tw = strlen(l->tail);
	attr_t a = styles[TH_STATUS_WARN];

	for (i = 0; i < l->nrows; i++, y++) {
		fill_row(y, a);
		x = put_str(y, 0, i == 0 ? " ! " : "   ", cols, a);
		if (x >= cols)
			continue;
		x += put_text(y, (int)x, text + l->row[i].off, l->row[i].len,
		    cols - x, a);
		if (i + 1 < l->nrows)
			continue;
		if (l->cut && x < cols)
			x += put_str(y, (int)x, glyph->ellipsis, cols - x, a);
		if (tw > 0 && tw < cols && x <= cols - tw)
			put_str(y, (int)(cols - tw), l->tail, tw, a);
	}
}

struct overlay_row {
	size_t off, len;
	size_t indent; /* columns before it: a wrapped line's hanging indent */
	size_t line;   /* the line of the text it shows part of */
};

/*
 * Where the rows after a long line's first start: under its description
 * ("  /why   the router's table ...": under "the"), else under its first
 * character; so long as 12 columns are left for the text (a narrow
 * popup kept the hang to half its width, and its descriptions wrapped
 * to the first column, among the names); in a popup too narrow for
 * that, two columns in from the line's start.
 */
static size_t
overlay_hang(const char *line, size_t len, size_t width)
{
	size_t i = 0, hang, lead;

	while (i < len && line[i] == ' ')
		i++;
	hang = lead = i;
	/* The description: after the first gap of two spaces or more. */
	while (i + 1 < len && !(line[i] == ' ' && line[i + 1] == ' '))
		i++;
	while (i + 1 < len && line[i] == ' ')
		i++;
	if (i + 1 < len)
		hang = utf8_width(line, i);
	if (hang + 12 <= width)
		return hang;
	/* Too narrow for that: a little under the line's own start, so the
	 * rows that go on still stand out from the names. */
	return lead + 2 + 12 <= width ? lead + 2 : 0;
}

/* The popup's text wrapped to width columns; *n gets the rows. */
static struct overlay_row *
overlay_wrap(const char *text, size_t width, size_t *n)
{
	struct overlay_row *rows = NULL;
	size_t len = strlen(text), pos = 0, cap = 0, end, take, skip, hang,
	       indent, line = 0;
	const char *nl;

	*n = 0;
	for (;;) {
		nl = memchr(text + pos, '\n', len - pos);
		end = nl != NULL ? (size_t)(nl - text) : len;
		hang = overlay_hang(text + pos, end - pos, width);
		indent = 0;
		do {
			take = skip = 0;
			if (end > pos)
				take = view_wrap_next(text + pos, end - pos,
				    width - indent, true, &skip);
			rows = xgrowarray(rows, &cap, *n + 1, sizeof *rows);
			rows[*n].off = pos;
			rows[*n].indent = indent;
			rows[*n].line = line;
			rows[(*n)++].len = take;
			pos += take + skip;
			indent = hang;
		} while (pos < end);
		if (nl == NULL)
			break;
		pos = end + 1;
		line++;
	}
	return rows;
}

static void
hrule(int y, int x, size_t n, attr_t a)
{
	size_t i;

	attrset(a);
	for (i = 0; i < n; i++)
		mvaddstr(y, x + (int)i, glyph->hline);
}

/*
 * The popup, centred over the chat pane (top, height): a frame with the
 * title on top, what closes it at the bottom, and where the view is when
 * the text is longer than the pane; a blank margin keeps the chat's text
 * off the frame.
 */
/*
 * The column where a double-width character starts that covers both
 * columns x - 1 and x of row y, or -1.  A popup's edge must not cut one
 * in two: curses would keep the character and the border both, and the
 * terminal shows neither right (a border missing, text lost after the
 * popup closes).  Walks the row from its start, so that a character's
 * second cell is never taken for a first.
 */
static int
wide_across(int y, int x)
{
	cchar_t c;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t a;
	short pair;
	int col = 0, w;

	while (col < x) {
		w = 1;
		if (mvin_wch(y, col, &c) != ERR &&
		    getcchar(&c, wc, &a, &pair, NULL) != ERR && wc[0] != 0) {
			w = wcwidth(wc[0]);
			if (w < 1)
				w = 1;
		}
		if (col + w > x)
			return col;
		col += w;
	}
	return -1;
}

static void
draw_overlay(struct ui *ui, int top, int height)
{
	struct ui_overlay *o = &ui->overlay;
	struct overlay_row *rows;
	size_t cols = (size_t)ui->cols, inner, want = 0, n, i, w, shown;
	int bw, bh, x0, y0, y, left, mx0, mx1, my0, my1;
	bool edge[512];
	char title[128], hint[160], where[64] = "";
	attr_t frame = styles[TH_NOTE], body = styles[TH_REPLY];

	if (height < 3 || cols < 12)
		return;
	/* The widest line decides the width, up to the window's. */
	inner = cols - 6;
	rows = overlay_wrap(o->text, inner, &n);
	for (i = 0; i < n; i++) {
		w = rows[i].indent +
		    utf8_width(o->text + rows[i].off, rows[i].len);
		if (w > want)
			want = w;
	}
	snprintf(title, sizeof title, " %s ", o->title);
	if (want < utf8_width(title, strlen(title)) + 2)
		want = utf8_width(title, strlen(title)) + 2;
	if (want < 36)
		want = 36;
	if (want > inner)
		want = inner;
	/* Centred: as many columns left of the frame as right. */
	if ((cols - want) % 2 != 0 && want < inner)
		want++;
	bw = (int)want + 4;
	bh = (int)n + 2 < height ? (int)n + 2 : height;
	shown = (size_t)bh - 2;
	o->rows = n;
	o->height = shown;
	if (o->pick != NULL && o->follow) {
		size_t crow = 0, heading = 0;

		o->follow = false;
		while (crow < n && rows[crow].line < o->cursor)
			crow++;
		/* The rows above the first entry: its heading. */
		while (heading < n && !o->pickable(o->text + rows[heading].off,
		                          rows[heading].len))
			heading++;
		if (crow < o->scroll)
			o->scroll = crow;
		else if (crow >= o->scroll + shown)
			o->scroll = crow - shown + 1;
		if (crow == heading && crow < shown)
			o->scroll = 0;
	}
	if (o->scroll + shown > n)
		o->scroll = n > shown ? n - shown : 0;
	o->shown_lines = 0;
	for (i = o->scroll; i < n && i < o->scroll + shown; i++)
		if (i == o->scroll || rows[i].line != rows[i - 1].line)
			o->shown_lines++;
	x0 = ((int)cols - bw) / 2;
	y0 = top + (height - bh) / 2;
	/* A blank margin around the frame, so no chat text touches it: a
	 * column each side (the frame is at most cols - 2 wide), and a row
	 * above and below when the pane has them. */
	my0 = y0 > top ? y0 - 1 : y0;
	my1 = y0 + bh < top + height ? y0 + bh + 1 : y0 + bh;
	mx0 = x0 > 0 ? x0 - 1 : x0;
	mx1 = x0 + bw < (int)cols ? x0 + bw + 1 : x0 + bw;
	/* No double-width character of the chat cut by the margin's edges:
	 * the one across the left edge is blanked, then the margin's cells
	 * (left to right, so no half of one is left to take a border with
	 * it), and the second half of the one across the right edge after
	 * the popup is drawn. */
	attrset(A_NORMAL);
	for (y = my0; y < my1; y++) {
		left = wide_across(y, mx0);
		if (left >= 0)
			mvaddch(y, left, ' ');
		edge[y - my0 < 512 ? y - my0 : 511] = wide_across(y, mx1) >= 0;
		mvhline(y, mx0, ' ', mx1 - mx0);
	}

	attrset(frame);
	mvaddstr(y0, x0, glyph->tl);
	hrule(y0, x0 + 1, (size_t)bw - 2, frame);
	mvaddstr(y0, x0 + bw - 1, glyph->tr);
	put_str(y0, x0 + 2, title, (size_t)bw - 4, styles[TH_PROMPT]);
	for (y = 1; y < bh - 1; y++) {
		attrset(frame);
		mvaddstr(y0 + y, x0, glyph->vline);
		attrset(body);
		move(y0 + y, x0 + 1);
		hline(' ', bw - 2);
		attrset(frame);
		mvaddstr(y0 + y, x0 + bw - 1, glyph->vline);
		i = o->scroll + (size_t)(y - 1);
		if (i >= n)
			continue;
		if (o->pick != NULL && rows[i].line == o->cursor) {
			/* The entry Enter picks, across the popup. */
			attrset(styles[TH_SELECTED] | A_REVERSE);
			move(y0 + y, x0 + 1);
			hline(' ', bw - 2);
			put_text(y0 + y, x0 + 2 + (int)rows[i].indent,
			    o->text + rows[i].off, rows[i].len,
			    want - rows[i].indent,
			    styles[TH_SELECTED] | A_REVERSE);
		} else
			put_text(y0 + y, x0 + 2 + (int)rows[i].indent,
			    o->text + rows[i].off, rows[i].len,
			    want - rows[i].indent, body);
	}
	attrset(frame);
	mvaddstr(y0 + bh - 1, x0, glyph->bl);
	hrule(y0 + bh - 1, x0 + 1, (size_t)bw - 2, frame);
	mvaddstr(y0 + bh - 1, x0 + bw - 1, glyph->br);
	attrset(A_NORMAL);
	for (y = my0; y < my1 && y - my0 < 512; y++)
		if (edge[y - my0] && mx1 < (int)cols)
			mvaddch(y, mx1, ' ');
	if (n > shown && o->pick != NULL) {
		/* Counted in entries (conversations), not rows: the heading
		 * and a wrapped entry's second row are none. */
		size_t k, entries = 0, before = 0, last = 0, first;

		for (k = 0; k < n; k++) {
			if ((k > 0 && rows[k].line == rows[k - 1].line) ||
			    !o->pickable(o->text + rows[k].off, rows[k].len))
				continue;
			entries++;
			if (k < o->scroll)
				before = entries;
			if (k < o->scroll + shown)
				last = entries;
		}
		/* The window may start inside an entry (its second row):
		 * that entry is the first in sight. */
		first = before + 1;
		if (first > 1 && o->scroll > 0 &&
		    rows[o->scroll].line == rows[o->scroll - 1].line)
			first--;
		if (last < first)
			last = first;
		snprintf(where, sizeof where, "%zu-%zu of %zu", first, last,
		    entries);
	} else if (n > shown)
		snprintf(where, sizeof where, "%zu-%zu of %zu", o->scroll + 1,
		    o->scroll + shown, n);
	/*
	 * Where the view is, the keys, what closes the popup; narrow, the
	 * same words less the keys that move, then where the view is alone
	 * ("1-15 of 46 · Esc closes", never another form).
	 */
	if (where[0] == '\0')
		snprintf(hint, sizeof hint, " Esc or q closes ");
	else
		snprintf(hint, sizeof hint, " %s%s%s%s%s%s ", where, glyph->sep,
		    glyph->arrows,
		    o->pick != NULL ? " Enter opens" : " PgUp PgDn", glyph->sep,
		    o->pick != NULL ? "Esc closes" : "Esc or q closes");
	w = utf8_width(hint, strlen(hint));
	if (w + 4 > (size_t)bw && where[0] != '\0') {
		snprintf(hint, sizeof hint, " %s%s%s%sEsc closes ", where,
		    glyph->sep, o->pick != NULL ? "Enter opens" : "",
		    o->pick != NULL ? glyph->sep : "");
		w = utf8_width(hint, strlen(hint));
		if (w + 4 > (size_t)bw) {
			snprintf(hint, sizeof hint, " %s ", where);
			w = utf8_width(hint, strlen(hint));
		}
	}
	if (w + 4 <= (size_t)bw)
		put_str(y0 + bh - 1, x0 + bw - 2 - (int)w, hint, w, frame);
	free(rows);
}

void
screen_draw(struct ui *ui)
{
	int top = 0, bottom, input_h, chat_h, status_y = -1;
	size_t width, scroll_before;
	long in_view_before;

	if (!started)
		return;
	getmaxyx(stdscr, ui->rows, ui->cols);
	width = ui->cols > 3 ? (size_t)ui->cols - 2 : 1;
	if (ui_chat_width(ui) != ui->view.width) {
		size_t total = view_total(&ui->view), h = (size_t)ui->chat_rows;

		/* Scrolled up: the line at the top stays at the top. */
		ui->anchored =
		    ui->scroll > 0 &&
		    view_line_pos(&ui->view,
		        total > ui->scroll + h ? total - ui->scroll - h : 0,
		        &ui->anchor_block, &ui->anchor_off);
		view_set_width(&ui->view, ui_chat_width(ui));
		ui_sync(ui);
	}
	erase();
	input_h = input_rows_wanted(ui, width);
	if (input_h > ui->rows)
		input_h = ui->rows;
	bottom = ui->rows - input_h;
	if (!ui->bare && ui->rows >= 4) {
		draw_title(ui, 0);
		top = 1;
		bottom--;
		status_y = bottom;
		draw_status(ui, bottom);
		if (ui->notices_unseen > 0 && ui->nnotices > 0 &&
		    bottom - top >= 3 && ui->cols > 3) {
			struct notice_layout nl;
			/* A notice longer than the row takes two or three,
			 * when the pane can spare them. */
			size_t max = bottom - top >= 12  ? 3
			             : bottom - top >= 8 ? 2
			                                 : 1;

			notice_layout(ui, (size_t)ui->cols - 3, max, &nl);
			bottom -= (int)nl.nrows;
			draw_notice(ui, bottom, &nl);
		}
	}
	chat_h = bottom - top;
	ui->chat_top = top;
	ui->chat_rows = chat_h;
	scroll_before = ui->scroll;
	in_view_before = ui->in_view;
	draw_chat(ui, top, chat_h);
	/* A resize while scrolled up puts the scroll right only now (the
	 * line read stays on top): the status bar's -MORE(n)- with it, and
	 * which reply is in view. */
	if (status_y >= 0 &&
	    (ui->scroll != scroll_before || ui->in_view != in_view_before))
		draw_status(ui, status_y);
	if (ui->overlay.open)
		draw_overlay(ui, top, chat_h);
	draw_input(ui, ui->rows - input_h, input_h);
	if (ui->full_redraw) {
		clearok(curscr, TRUE);
		ui->full_redraw = false;
	}
	refresh();
}
