/*
 * ask.c - `mixchat ask [--model M] [--budget] [--session S] [--json]
 * [PROMPT | -]`: one prompt, answered on stdout as it streams.
 *
 * The reply goes to stdout as it arrives and the footer line (model ·
 * $cost · latency (first token) · tokens · tok/s) to stderr; with --json a
 * single object is printed at the end instead.  The exchange is recorded
 * like a chat message: in a session of its own, or in --session NAME.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/self.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define ASK_MAX_PROMPT (1u << 20)

struct ask {
	struct app *app;
	bool json;
	bool sent;       /* the exchange below is this command's */
	size_t index;    /* its index (a resumed session's come first) */
	size_t printed;  /* bytes of its reply already written to stdout */
	bool out_gone;   /* stdout's reader went away (EPIPE) */
	int out_errno;   /* ... or why else writing to it failed */
	bool cancelled;  /* Ctrl-C stopped a reply */
	struct buf held; /* notices about a reply that ended, said after it */
	struct tty_text tty; /* stdout a terminal: the reply cleaned */
};

static volatile sig_atomic_t ask_interrupted;
/* The signal that stopped the reply (SIGINT, SIGTERM): once what came
 * is kept, ask dies of it (cli_die_of), so that a shell loop of asks
 * stops at Ctrl-C as it stops for curl. */
static volatile sig_atomic_t ask_signal;

static void
ask_on_signal(int sig)
{
	ask_interrupted = 1;
	ask_signal = sig;
}

static void
ask_changed(void *ud, size_t index)
{
	struct ask *a = ud;
	const struct app_exchange *ex = app_get(a->app, index);
	char *clean;
	size_t n;

	/* Resuming a session replays its old exchanges through this hook:
	 * only the new one is printed. */
	if (a->json || !a->sent || index != a->index || ex == NULL ||
	    ex->reply_len <= a->printed)
		return;
	if (a->out_gone)
		return;
	/* On a terminal, what it would obey is left out (tty_text). */
	clean = xmalloc(ex->reply_len - a->printed + 4);
	n = tty_text_clean(
	    &a->tty, ex->reply + a->printed, ex->reply_len - a->printed, clean);
	if (fwrite(clean, 1, n, stdout) != n || fflush(stdout) != 0) {
		/* Nobody reads the reply any more (`ask ... | head -c 3`):
		 * stop it as Ctrl-C does, so that what came is kept and
		 * booked, and nothing more is paid for. */
		a->out_errno = errno;
		a->out_gone = true;
		ask_interrupted = 1;
	}
	free(clean);
	a->printed = ex->reply_len;
}

/*
 * A notice the app gives once the reply has ended (the model is now
 * rate-limited, the day's budget is 80 % spent) is the consequence of
 * what the reply's error line and footer say: it is held and printed
 * after them (ask_say_held), not before its cause.
 */
static void
ask_notice(void *ud, const char *message)
{
	struct ask *a = ud;
	const struct app_exchange *ex =
	    a->sent ? app_get(a->app, a->index) : NULL;

	if (ex == NULL || ex->state == REPLY_PENDING ||
	    ex->state == REPLY_STREAMING ||
	    buf_printf(&a->held, "mixchat: %s\n", message) != MC_OK)
		cli_notice(ud, message);
}

static void
ask_say_held(struct ask *a)
{
	if (a->held.len > 0)
		fputs(buf_str(&a->held), stderr);
	buf_reset(&a->held);
}

static const char ask_help[] =
    "Usage: mixchat ask [--model M] [--budget] [--session S] [--json] "
    "[PROMPT | -]\n"
    "Route PROMPT to the best model for the money and stream its reply to\n"
    "standard output; the footer (model, cost, latency, tokens) goes to\n"
    "standard error.  The prompt is the words given, or standard input with\n"
    "'-' (or none given and standard input not a terminal).\n"
    "\n"
    "  -m, --model M     ask M, not the router's choice\n"
    "      --budget      route in budget mode\n"
    "  -s, --session S   go on with conversation S (a name, created on first\n"
    "                    use: not a number, 2.5, new or all; or a number as\n"
    "                    /sessions shows it, or last: the one used last,\n"
    "                    not a one-off ask); without it each ask is a\n"
    "                    conversation of its own\n"
    "      --json        no streaming: one JSON object at the end (reply_id,\n"
    "                    model, reply, cost_usd, ..., decision, error)\n"
    "      --            end of options, before a prompt starting with '-'\n"
    "\n"
    "Options come before the prompt, or all of them after it (ask \"$q\" -s\n"
    "work --json); any other word is part of the prompt, dashes and all\n"
    "(ask what does ls -l do).\n"
    "\n"
    "A refused key, or a model the provider forbids or lacks (401, 403,\n"
    "404), is said and the next-best model asked at once (not with --model).\n"
    "Ctrl-C (or SIGTERM) stops the reply and keeps what came; then ask\n"
    "ends by that signal, as curl does, so that a shell loop of asks stops\n"
    "(the shell sees 130, or 143).  A reader of the reply that goes away\n"
    "(| head -1) stops it too, quietly: what came is kept, and ask ends by\n"
    "SIGPIPE.  Exit status: 0 answered, 1 the provider failed, nothing fits\n"
    "today's budget, no model is set up, the reply could not be saved or\n"
    "written, 2 usage, 3 vault.\n";

/* How many other models `ask` tries after refusals that would come
 * again (app_refused_for_good). */
#define ASK_FALLBACKS 3

/* Run the app until the reply in flight ends; Ctrl-C stops it. */
static void
ask_wait(struct ask *a)
{
	while (app_busy(a->app)) {
		if (ask_interrupted) {
			app_cancel(a->app);
			ask_interrupted = 0;
			a->cancelled = true;
		}
		app_wait(a->app, NULL, 0, 200);
		app_process(a->app);
	}
}

int
cli_ask(const struct cli_global *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "budget", no_argument, NULL, 'b' },
		{ "session", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct app_hooks hooks = { ask_changed, ask_notice };
	const char *model = NULL, *session = NULL;
	const struct app_exchange *ex;
	struct config cfg;
	struct ask a;
	struct buf prompt;
	char *cause = NULL;
	bool budget = false, no_last = false;
	int opt, rc, tries, exit_code = EXIT_RUNTIME;

	memset(&a, 0, sizeof a);
	buf_init(&a.held, 1u << 16);
	tty_text_init(&a.tty, STDOUT_FILENO);
	/* Options before the prompt, or all together after it (`ask "$q"
	 * --json`); any other word is the prompt's, dashes and all
	 * (cli_getopt_words).  `--` ends them before a prompt that starts
	 * with '-'. */
	while ((opt = cli_getopt_words(&argc, argv, "hm:s:", options)) != -1) {
		switch (opt) {
		case 'm':
			model = optarg;
			break;
		case 'b':
			budget = true;
			break;
		case 's':
			session = optarg;
			break;
		case 'j':
			a.json = true;
			break;
		case 'h':
			fputs(ask_help, stdout);
			return EXIT_OK;
		default:
			return cli_option_error("ask", opt, argv, options);
		}
	}
	buf_init(&prompt, ASK_MAX_PROMPT);
	if ((rc = cli_read_prompt(
	         "ask", argc - optind, argv + optind, &prompt)) != EXIT_OK) {
		buf_release(&prompt);
		return rc;
	}
	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK) {
		buf_release(&prompt);
		return rc;
	}
	/* Nothing stored yet: nothing is made until a model is asked (a
	 * slip of the command line, no model set up, create nothing). */
	if ((rc = app_open_lazy(&cfg, &hooks, &a, &a.app, &cause)) != MC_OK)
		goto fail;
	app_recover_drafts(a.app);
	if (model != NULL && config_find_model(&cfg, model) == NULL) {
		/* A typo: the names that would do. */
		char *names = app_usable_names(a.app, model, 12, "...");

		exit_code = cli_usage_error("ask", "no model named '%s'%s%s%s",
		    model, names[0] != '\0' ? " (usable now: " : "", names,
		    names[0] != '\0' ? ")" : "");
		free(names);
		goto out;
	}
	/* Pinned first: a model whose provider needs no key never opens
	 * the vault (app_needs_unlock). */
	if (model != NULL && (rc = app_pin_model(a.app, model, &cause)) != 0)
		goto fail;
	if ((rc = cli_unlock(&cfg, a.app, false)) != EXIT_OK) {
		exit_code = rc;
		goto out;
	}
	app_set_budget_mode(a.app, budget || cfg.mode == MODE_BUDGET);
	if (session != NULL) {
		rc = app_session_named(a.app, session, &cause);
		/* --session last with nothing to go on with: this home's
		 * state, not a slip of the command line. */
		no_last = rc == MC_ERR_NOTFOUND;
	} else
		rc = app_session_new(a.app, &cause);
	if (rc != MC_OK)
		goto fail;
	/* Bytes that are not UTF-8 (a Latin-1 file, a binary hunk of `git
	 * diff`): sent as U+FFFD, and said, rather than the whole refused. */
	if (!utf8_valid(prompt.data, prompt.len)) {
		size_t n, bad;
		char *fixed = utf8_repair(prompt.data, prompt.len, &n, &bad);

		fprintf(stderr,
		    "mixchat: the prompt has %zu byte%s that %s not UTF-8; "
		    "each is sent as U+FFFD\n",
		    bad, bad == 1 ? "" : "s", bad == 1 ? "is" : "are");
		buf_reset(&prompt);
		if (buf_add(&prompt, fixed, n) != MC_OK) {
			free(fixed);
			rc = MC_ERR_LIMIT;
			cause = xstrdup("the prompt is too long");
			goto fail;
		}
		free(fixed);
	}
	a.index = app_count(a.app);
	a.sent = true;
	/* A closed stdout is a write error (ask_changed), not death. */
	signal(SIGPIPE, SIG_IGN);
	if ((rc = app_send(a.app, buf_str(&prompt), &cause)) != MC_OK) {
		/* Refused before it was sent (nothing fits the budget): with
		 * --json the refused exchange, with its error, is the answer. */
		if (a.json && app_count(a.app) > 0 &&
		    (ex = app_get(a.app, app_count(a.app) - 1)) != NULL &&
		    ex->prompt != NULL &&
		    strcmp(ex->prompt, buf_str(&prompt)) == 0 &&
		    ex->error != NULL) {
			cli_print_exchange_json(stdout, ex);
			fflush(stdout);
		}
		goto fail;
	}

	signal(SIGINT, ask_on_signal);
	signal(SIGTERM, ask_on_signal);
	ask_wait(&a);
	ex = app_get(a.app, app_count(a.app) - 1);
	/* A refusal that would come again (a refused key, a model the
	 * provider forbids or lacks) is no answer: the next-best model is
	 * asked at once, as M-r does in the chat, a few times at most.  Not
	 * for a model named with --model, nor after Ctrl-C. */
	for (tries = 0; model == NULL && tries < ASK_FALLBACKS && !a.out_gone &&
	                !a.cancelled && ex->other_can_answer &&
	                app_refused_for_good(a.app, app_count(a.app) - 1);
	     tries++) {
		if (!a.json)
			cli_error("%s; asking the next-best model", ex->error);
		ask_say_held(&a);
		a.index = app_count(a.app);
		a.printed = 0;
		if (app_reask(a.app, a.index - 1, &cause) != MC_OK) {
			free(cause);
			cause = NULL;
			break;
		}
		ask_wait(&a);
		ex = app_get(a.app, app_count(a.app) - 1);
	}
	if (!a.json && !a.out_gone && a.printed > 0 &&
	    ex->reply[ex->reply_len - 1] != '\n')
		putchar('\n');
	/* The reply's last line out before the footer goes to stderr: they
	 * may share one pipe (2>&1). */
	errno = 0;
	if (fflush(stdout) != 0 && !a.out_gone) {
		a.out_errno = errno;
		a.out_gone = true;
	}
	if (a.json)
		cli_print_exchange_json(stdout, ex);
	else if (!a.out_gone)
		cli_print_footer(stderr, ex);
	ask_say_held(&a);
	/* The reply went nowhere if stdout's reader is gone: not a
	 * success, even when it finished before the write failed. */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (!a.out_gone)
			a.out_errno = errno;
		a.out_gone = true;
	}
	if (a.out_gone && a.out_errno != EPIPE) {
		/* Said for what it is: not a cancel, and where the reply is.
		 * A reader that closed the pipe (`| head -1`) is no failure
		 * to tell: ask ends quietly, of SIGPIPE, below. */
		cli_error("writing the reply to standard output failed (%s); "
		          "what came is kept as reply %s (%s export "
		          "shows it)",
		    a.out_errno != 0 ? strerror(a.out_errno) : "write error",
		    ex->reply_id[0] != '\0' ? ex->reply_id : "?", self_cmd());
		if (!a.json)
			cli_print_footer_line(stderr, ex);
	}
	/* Answered but not kept (its conversation deleted meanwhile, the
	 * disk full): the notice said why; a script must not take it for
	 * a reply `rate last` can find. */
	exit_code =
	    ex->state == REPLY_DONE && !a.out_gone && ex->reply_id[0] != '\0'
	        ? EXIT_OK
	        : EXIT_RUNTIME;
	goto out;
fail:
	cli_error("%s", cause != NULL ? cause : mixchat_strerror(rc));
	/* Before the prompt was sent, "not found" is a word of the command
	 * line (--model, --session); once sending, it is this home with no
	 * model set up to answer: a runtime failure, not a usage error. */
	exit_code =
	    rc == MC_ERR_USAGE || (rc == MC_ERR_NOTFOUND && !a.sent && !no_last)
	        ? EXIT_USAGE
	    : rc == MC_ERR_LOCKED || rc == MC_ERR_PASSPHRASE ? EXIT_VAULT
	                                                     : EXIT_RUNTIME;
out:
	free(cause);
	ask_say_held(&a);
	/* What the app says while closing is said at once. */
	a.sent = false;
	app_close(a.app);
	buf_release(&a.held);
	rc = exit_code;
	config_release(&cfg);
	buf_release(&prompt);
	/* What came is kept and booked: now end as the signal (or the
	 * reader gone) would have ended a tool that keeps nothing. */
	if (ask_signal != 0)
		cli_die_of(ask_signal);
	if (a.out_gone && a.out_errno == EPIPE)
		cli_die_of(SIGPIPE);
	return rc;
}
