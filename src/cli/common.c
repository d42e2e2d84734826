/*
 * common.c - what every subcommand shares: loading the config, messages.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/fs.h"
#include "util/glyph.h"
#include "util/log.h"
#include "util/xmalloc.h"
#include "vault/vault.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mixchat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mixchat %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(
	    stderr, "\nTry 'mixchat %s --help' for more information.\n", cmd);
	return EXIT_USAGE;
}

int
cli_load_config(const struct cli_global *g, struct config *cfg)
{
	char *cause = NULL;
	int rc;

	config_init(cfg);
	if (g->log_file != NULL && log_open(g->log_file) != MC_OK) {
		cli_error("%s: cannot open the log file", g->log_file);
		return EXIT_USAGE;
	}
	rc = config_set_paths(cfg, g->home, g->config_file, &cause);
	if (rc == MC_OK)
		rc = config_load(cfg, g->config_file != NULL, &cause);
	if (rc != MC_OK) {
		cli_error("%s", cause != NULL ? cause : mixchat_strerror(rc));
		free(cause);
		return rc == MC_ERR_USAGE ? EXIT_USAGE : EXIT_RUNTIME;
	}
	glyph_use((enum glyph_set)cfg->glyphs);
	return EXIT_OK;
}

bool
cli_wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

int
cli_read_prompt(const char *cmd, int argc, char **argv, struct buf *b)
{
	char *cause = NULL;
	int i, rc;

	if (argc > 1 && strcmp(argv[0], "-") == 0)
		return cli_usage_error(cmd,
		    "'-' reads the prompt from standard input and takes no "
		    "words after it (quote a prompt that starts with '- ')");
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0)) {
		if (argc == 0 && isatty(STDIN_FILENO))
			return cli_usage_error(cmd,
			    "no prompt: give it as an "
			    "argument or on standard input ('-')");
		rc = fs_read_file("-", b, &cause);
		if (rc != MC_OK) {
			cli_error("%s: standard input: %s", cmd,
			    rc == MC_ERR_LIMIT ? "prompt larger than 1 MiB"
			                       : mixchat_strerror(rc));
			free(cause);
			return EXIT_USAGE;
		}
	} else {
		for (i = 0; i < argc; i++) {
			if ((i > 0 && buf_addch(b, ' ') != MC_OK) ||
			    buf_addstr(b, argv[i]) != MC_OK)
				return cli_usage_error(
				    cmd, "prompt larger than 1 MiB");
		}
	}
	/* A NUL would cut the prompt short unseen (UTF-16 text is half
	 * NULs): refused, as invalid UTF-8 is. */
	if (b->len > 0 && memchr(b->data, '\0', b->len) != NULL)
		return cli_usage_error(cmd,
		    "the prompt contains a NUL byte (UTF-16 text? convert it: "
		    "iconv -f UTF-16 -t UTF-8)");
	/* Trailing white space (the newline of `echo x |`) is not content. */
	while (b->len > 0 && strchr(" \t\r\n", b->data[b->len - 1]) != NULL)
		b->data[--b->len] = '\0';
	if (b->data == NULL || b->data[strspn(b->data, " \t\r\n")] == '\0')
		return cli_usage_error(cmd, "the prompt is empty");
	return EXIT_OK;
}

int
cli_getopt(
    int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	/* The operands met so far (a command parses its options once). */
	static char **ops;
	static int nops;
	char in_order[64];
	int opt, i, tail;

	/* A leading '-': operands come back as option 1, in order, under
	 * any POSIXLY_CORRECT. */
	snprintf(in_order, sizeof in_order, "-:%s", shortopts);
	while ((opt = getopt_long(argc, argv, in_order, longopts, NULL)) == 1) {
		ops = xreallocarray(ops, (size_t)nops + 1, sizeof *ops);
		ops[nops++] = optarg;
	}
	if (opt != -1)
		return opt;
	/* The operands go just before what followed "--" (already at the
	 * end of argv), over slots whose options are read already. */
	tail = argc - optind;
	for (i = 0; i < nops; i++)
		argv[argc - tail - nops + i] = ops[i];
	optind = argc - tail - nops;
	free(ops);
	ops = NULL;
	nops = 0;
	return -1;
}

/*
 * How many words the option at argv[i] takes among cmd's options: 1, or 2
 * with its value in the next word; 0 when argv[i] is none of them (not
 * an option, unknown, "--", a value missing or given to a switch).  As
 * getopt_long reads it, but with strict a long name only whole: "--s"
 * in a prompt is no "--session".
 */
static int
cli_option_words(int argc, char **argv, int i, const char *shortopts,
    const struct option *longopts, bool strict)
{
	const char *w = argv[i], *eq, *s;
	size_t len;
	int j, found = -1;

	if (w[0] != '-' || w[1] == '\0' || strcmp(w, "--") == 0)
		return 0;
	if (w[1] == '-') {
		eq = strchr(w + 2, '=');
		len = eq != NULL ? (size_t)(eq - w - 2) : strlen(w + 2);
		for (j = 0; longopts[j].name != NULL; j++) {
			if (strncmp(longopts[j].name, w + 2, len) != 0)
				continue;
			if (longopts[j].name[len] == '\0') {
				found = j;
				break;
			}
			if (!strict)
				found = found == -1 ? j : -2; /* ambiguous */
		}
		if (found < 0)
			return 0;
		if (longopts[found].has_arg == no_argument)
			return eq == NULL ? 1 : 0;
		if (longopts[found].has_arg == optional_argument || eq != NULL)
			return 1;
		return i + 1 < argc ? 2 : 0;
	}
	for (s = w + 1; *s != '\0'; s++) {
		const char *o = strchr(shortopts, *s);

		if (o == NULL || *s == ':')
			return 0;
		/* "-mVALUE", or "-m VALUE". */
		if (o[1] == ':')
			return s[1] != '\0' ? 1 : i + 1 < argc ? 2 : 0;
	}
	return 1;
}

/*
 * Put argv in the order cli_getopt_words reads it: argv[0], the option
 * words, then the words of the prompt (the first "--" dropped).  Returns
 * how many option words there are; *argc is the new count.
 */
static int
cli_words_order(int *argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	char **tail;
	bool *opts_to_end;
	int i, n, p, q, ntail, last = *argc;

	/* The options before the prompt, as getopt reads them (an unknown
	 * one is its error to say). */
	for (i = 1; i < last && argv[i][0] == '-' && argv[i][1] != '\0' &&
	            strcmp(argv[i], "--") != 0;
	     i += n)
		if ((n = cli_option_words(
		         last, argv, i, shortopts, longopts, false)) == 0)
			n = 1;
	p = i;
	/* "--" ends the options wherever it stands: what follows it is
	 * the prompt's, as it came, and no option comes after the prompt. */
	for (; i < last && strcmp(argv[i], "--") != 0; i++)
		;
	if (i < last) {
		memmove(argv + i, argv + i + 1,
		    (size_t)(last - i - 1) * sizeof *argv);
		argv[--last] = NULL;
		*argc = last;
		return p - 1;
	}
	if (p == last)
		return p - 1;
	/* After the prompt's first word, only a run of options that goes
	 * on to the end of the line: opts_to_end[j], whether argv[j..last)
	 * reads wholly as options.  The earliest such run after p wins;
	 * the words before it are the prompt, dashes and all. */
	opts_to_end = xcalloc((size_t)last + 1, sizeof *opts_to_end);
	opts_to_end[last] = true;
	for (i = last - 1; i > p; i--) {
		n = cli_option_words(last, argv, i, shortopts, longopts, true);
		opts_to_end[i] = n > 0 && opts_to_end[i + n];
	}
	for (q = p + 1; !opts_to_end[q]; q++)
		;
	free(opts_to_end);
	/* argv[p..q) words, argv[q..last) options: swap the two. */
	ntail = last - q;
	if (ntail > 0) {
		tail = xreallocarray(NULL, (size_t)ntail, sizeof *tail);
		memcpy(tail, argv + q, (size_t)ntail * sizeof *tail);
		memmove(
		    argv + p + ntail, argv + p, (size_t)(q - p) * sizeof *argv);
		memcpy(argv + p, tail, (size_t)ntail * sizeof *tail);
		free(tail);
	}
	return p - 1 + ntail;
}

int
cli_getopt_words(int *argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	/* How many option words lead argv, once it is put in order. */
	static int nopts = -1;
	char spec[64];
	int opt;

	if (nopts < 0)
		nopts = cli_words_order(argc, argv, shortopts, longopts);
	/* '+': getopt reads the option words only, as they stand. */
	snprintf(spec, sizeof spec, "+:%s", shortopts);
	opt = getopt_long(1 + nopts, argv, spec, longopts, NULL);
	if (opt == -1) {
		optind = 1 + nopts;
		nopts = -1;
	}
	return opt;
}

int
cli_option_error(
    const char *cmd, int opt, char **argv, const struct option *longopts)
{
	const char *arg = argv[optind - 1], *eq = strchr(arg, '=');
	size_t i;

	if (opt == ':')
		return cli_usage_error(cmd, "option '%s' needs a value", arg);
	/* --budget=1: a known switch given a value. */
	for (i = 0; eq != NULL && strncmp(arg, "--", 2) == 0 &&
	            longopts[i].name != NULL;
	     i++)
		if (longopts[i].has_arg == no_argument &&
		    strlen(longopts[i].name) == (size_t)(eq - arg - 2) &&
		    strncmp(
		        longopts[i].name, arg + 2, (size_t)(eq - arg - 2)) == 0)
			return cli_usage_error(cmd,
			    "option '--%s' takes no value", longopts[i].name);
	return cli_usage_error(cmd, "unknown option '%s'", arg);
}

bool
cli_store_absent(const struct config *cfg)
{
	char *dir = config_data_path(cfg, "db");
	char *file = xasprintf("%s/data.mdb", dir);
	bool absent = fs_absent(file);

	free(file);
	free(dir);
	return absent;
}

void
cli_vault_names(const struct config *cfg, char ***names, size_t *n)
{
	char *path = config_data_path(cfg, "vault"), *cause = NULL;

	*names = NULL;
	*n = 0;
	if (vault_exists(path) &&
	    vault_list_names(path, names, n, &cause) != MC_OK) {
		free(cause);
		*names = NULL;
		*n = 0;
	}
	free(path);
}

void
cli_notice(void *ud, const char *message)
{
	(void)ud;
	fprintf(stderr, "mixchat: %s\n", message);
}

_Noreturn void
cli_die_of(int sig)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig); /* not reached */
}

/* Whether standard output is a pipe (or socket) nobody reads any more:
 * for a write error whose errno is gone (stdio reported it earlier). */
static bool
stdout_reader_gone(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

int
cli_stdout_done(const char *cmd, int rc)
{
	int err = 0;

	errno = 0;
	if (fflush(stdout) != 0)
		err = errno;
	else if (!ferror(stdout))
		return rc;
	if (err == EPIPE || (err == 0 && stdout_reader_gone()))
		cli_die_of(SIGPIPE);
	/* Failed earlier (a large write goes past the buffer), its errno
	 * gone: an empty write says it again where the device does
	 * (/dev/full); else the failure is said without one. */
	if (err == 0 && write(STDOUT_FILENO, "", 0) < 0)
		err = errno;
	/* A command that failed said why already (ask, export: theirs
	 * name what was lost). */
	if (rc != EXIT_OK)
		return rc;
	fprintf(stderr, "mixchat%s%s: writing to standard output failed%s%s\n",
	    cmd != NULL ? " " : "", cmd != NULL ? cmd : "",
	    err != 0 ? ": " : "", err != 0 ? strerror(err) : "");
	return EXIT_RUNTIME;
}
