/*
 * bench_ui.c - the chat screen's costs: the time from starting `mixchat`
 * in a pseudo-terminal to its first drawn screen, and the cost of laying
 * out (and of looking up the visible lines of) a 10,000-line conversation.
 */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "ui/view.h"
#include "util/buf.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define RUNS 10

/* Start bin in a pty; milliseconds until the status bar is drawn. */
static double
first_screen_ms(const char *bin, const char *home)
{
	struct winsize ws = { 30, 100, 0, 0 };
	char *slave, buf[8192], seen[65536];
	size_t nseen = 0;
	uint64_t t0;
	double ms = -1;
	int master, fd, status;
	pid_t pid;
	ssize_t n;
	struct pollfd p;

	if ((master = posix_openpt(O_RDWR | O_NOCTTY)) < 0 ||
	    grantpt(master) != 0 || unlockpt(master) != 0 ||
	    (slave = ptsname(master)) == NULL)
		return -1;
	ioctl(master, TIOCSWINSZ, &ws);
	t0 = time_mono_us();
	if ((pid = fork()) == 0) {
		setsid();
		if ((fd = open(slave, O_RDWR)) < 0)
			_exit(127);
		ioctl(fd, TIOCSCTTY, 0);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("TERM", "xterm-256color", 1);
		execl(bin, bin, "--home", home, (char *)NULL);
		_exit(127);
	}
	p.fd = master;
	p.events = POLLIN;
	while (poll(&p, 1, 5000) > 0) {
		if ((n = read(master, buf, sizeof buf)) <= 0)
			break;
		if (nseen + (size_t)n < sizeof seen - 1) {
			memcpy(seen + nseen, buf, (size_t)n);
			nseen += (size_t)n;
			seen[nseen] = '\0';
		}
		if (memmem(seen, nseen, "F1 keys", 7) != NULL) {
			ms = (double)(time_mono_us() - t0) / 1000.0;
			break;
		}
	}
	if (write(master, "\004", 1) != 1)
		kill(pid, SIGTERM);
	/* Drain until it exits. */
	while (poll(&p, 1, 2000) > 0 && read(master, buf, sizeof buf) > 0)
		;
	waitpid(pid, &status, 0);
	close(master);
	return ms;
}

static void
bench_first_screen(void)
{
	const char *bin = getenv("MIXCHAT_BIN");
	char home[] = "/tmp/mixchat-bench-ui.XXXXXX", cmd[128];
	double t[RUNS];
	int i, n = 0;

	if (bin == NULL || access(bin, X_OK) != 0) {
		printf("start to first screen: skipped (set MIXCHAT_BIN)\n");
		return;
	}
	if (mkdtemp(home) == NULL)
		return;
	for (i = 0; i < RUNS; i++) {
		t[n] = first_screen_ms(bin, home);
		if (t[n] >= 0)
			n++;
	}
	if (n > 0) {
		time_sort(t, (size_t)n);
		printf("start to first screen (pty, no provider, %d runs): "
		       "median %.1f ms, min %.1f ms, max %.1f ms\n",
		    n, t[n / 2], t[0], t[n - 1]);
	} else
		printf("start to first screen: the screen never appeared\n");
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", home);
}

static void
bench_layout(void)
{
	enum { NEX = 1000, LINES = 10 };
	struct app_exchange *ex = xcalloc(NEX, sizeof *ex);
	struct view v;
	struct buf b;
	char **replies = xcalloc(NEX, sizeof *replies);
	size_t i, j, total, sum = 0;
	uint64_t t0, t1, t2, t3, t4;
	const char *text;

	for (i = 0; i < NEX; i++) {
		buf_init(&b, 1 << 20);
		for (j = 0; j < LINES; j++)
			if (buf_printf(&b,
			        "Reply %zu line %zu: some **words**, `日本語` "
			        "and 😀 to wrap by *display width*%s",
			        i, j, j + 1 < LINES ? "\n" : "") != MC_OK)
				abort();
		ex[i].prompt = xasprintf("question number %zu", i);
		replies[i] = buf_detach(&b, &ex[i].reply_len);
		ex[i].reply = replies[i];
		ex[i].model = xstrdup("gpt-4.1-mini");
		ex[i].state = REPLY_DONE;
		ex[i].cost_usd = 0.00042;
		ex[i].latency_ms = 1300;
		ex[i].ttft_ms = 310;
		ex[i].tokens_out = 212;
		ex[i].rating = (int)(i % 6);
		ex[i].winner = -1;
		ex[i].version = 1;
	}
	view_init(&v, 95);
	t0 = time_mono_us();
	for (i = 0; i < NEX; i++)
		view_sync(&v, i, &ex[i]);
	total = view_total(&v);
	t1 = time_mono_us();
	/* A resize: everything is wrapped again. */
	view_set_width(&v, 55);
	for (i = 0; i < NEX; i++)
		view_sync(&v, i, &ex[i]);
	view_total(&v);
	t2 = time_mono_us();
	/* One frame: look up a screen of lines at 100 scroll positions. */
	for (j = 0; j < 100; j++)
		for (i = 0; i < 40; i++)
			if (view_line(&v, (j * 997 + i) % view_total(&v), &text,
			        NULL) != NULL)
				sum += (size_t)text[0];
	t3 = time_mono_us();
	/* Streaming: the last exchange changes 1,000 times. */
	for (j = 0; j < 1000; j++) {
		ex[NEX - 1].version++;
		view_sync(&v, NEX - 1, &ex[NEX - 1]);
		view_total(&v);
	}
	t4 = time_mono_us();
	printf("layout of %zu screen lines (%d exchanges of %d lines): "
	       "%.2f ms\n",
	    total, NEX, LINES, (t1 - t0) / 1000.0);
	printf("re-layout after a resize (95 -> 55 columns, %zu lines): "
	       "%.2f ms\n",
	    view_total(&v), (t2 - t1) / 1000.0);
	printf("visible-line look-up per 40-line frame: %.2f us\n",
	    (t3 - t2) / 100.0);
	printf("streaming update of the last reply + totals: %.2f us each\n",
	    (t4 - t3) / 1000.0);
	if (sum == 0)
		printf("(no text)\n");
	view_release(&v);
	for (i = 0; i < NEX; i++) {
		free(ex[i].prompt);
		free(replies[i]);
		free(ex[i].model);
	}
	free(ex);
	free(replies);
}

/* Tables: a reply of one that fits, and of one too wide (shown as text,
 * each line looked at once), at 250 and 1,000 rows (the most drawn as a
 * table): time per row should not grow with the table. */
static void
bench_tables(void)
{
	static const int sizes[] = { 250, 1000 };
	struct app_exchange ex;
	struct view v;
	struct buf b;
	size_t i, r;
	int wide;
	uint64_t t0;
	char *reply;

	for (wide = 0; wide < 2; wide++)
		for (i = 0; i < 2; i++) {
			buf_init(&b, 1 << 26);
			if (buf_addstr(&b, "| model | price |\n|---|--:|\n") !=
			    MC_OK)
				abort();
			for (r = 0; r < (size_t)sizes[i]; r++)
				if (buf_printf(&b, "| **m%zu** | %s |\n", r,
				        wide ? "a-cell-far-too-wide-for-the-"
				               "line-of-fifty-five-columns"
				             : "0.40") != MC_OK)
					abort();
			memset(&ex, 0, sizeof ex);
			ex.prompt = xstrdup("table");
			reply = buf_detach(&b, &ex.reply_len);
			ex.reply = reply;
			ex.state = REPLY_DONE;
			ex.winner = -1;
			ex.version = 1;
			view_init(&v, 55);
			t0 = time_mono_us();
			view_sync(&v, 0, &ex);
			printf("a %s table of %d rows: %.2f ms (%zu lines, "
			       "%.2f us a row)\n",
			    wide ? "too wide" : "fitting", sizes[i],
			    (time_mono_us() - t0) / 1000.0, view_total(&v),
			    (double)(time_mono_us() - t0) / sizes[i]);
			view_release(&v);
			free(ex.prompt);
			free(reply);
		}
}

int
main(void)
{
	bench_layout();
	bench_tables();
	bench_first_screen();
	return 0;
}
