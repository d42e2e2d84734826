/*
 * main.c - parse the global options and dispatch to a subcommand.
 *
 * Nothing else lives here: every subcommand is a cli_* function (src/cli,
 * and the chat in src/ui), built into libmixchat.a with the rest.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config/config.h"
#include "util/self.h"
#include "util/suggest.h"

static const char usage_text[] =
    "Usage: mixchat [--home DIR] [--config FILE] [--log FILE] [COMMAND [ARGS]]\n"
    "       mixchat [-s|--session N|NAME|last|new] (the chat, in that "
    "conversation)\n"
    "\n"
    "A terminal chat that routes every message to the model that gives the\n"
    "best answer for the money and the wait you accept (MixLLM routing).\n"
    "\n"
    "Commands:\n"
    "  (none)                     open the interactive chat\n"
    "  ask [--model M] [--budget] [--session S] [--json] [PROMPT | -]\n"
    "                             answer one prompt on stdout (footer on stderr)\n"
    "  route [--budget] [--explain] [--json] [PROMPT | -]\n"
    "                             show the routing decision; calls no provider\n"
    "  rate REPLY_ID|last SCORE   rate a reply 1 (useless) .. 5 (perfect)\n"
    "  ratings import FILE | export\n"
    "                             move ratings (JSONL) in or out\n"
    "  keys add PROVIDER | list [--names-only] | remove PROVIDER | passwd\n"
    "       [--passphrase-fd N]   manage the encrypted key vault\n"
    "  train --data FILE|- [--split NAME] [--source NAME] [--no-tags]\n"
    "        [--no-exemplars] [--no-trees] [--out FILE] [--format state|c]\n"
    "                             fit the router from a routing dataset\n"
    "  eval --data FILE|- [--ref MODEL] [--source NAME]\n"
    "       [--online F [--lambda L]] [--no-tags] [--no-exemplars]\n"
    "       [--no-trees] [--validate] [--json]\n"
    "                             fit on train, report the test split\n"
    "  stats [--json]             spend, ratings and what the router learned\n"
    "  export [SESSION] [--format md|json]\n"
    "                             write a conversation (default: the latest)\n"
    "  sessions [--all] [--json] | rm SESSION | rename SESSION NAME\n"
    "                             list, delete or name conversations\n"
    "\n"
    "Options:\n"
    "  --home DIR      keep config, data and vault in DIR (or MIXCHAT_HOME)\n"
    "  --config FILE   read FILE instead of config.json\n"
    "  --log FILE      append a debug log to FILE: decisions, requests,\n"
    "                  outcomes, ratings (never keys, prompts or replies)\n"
    "  -s, --session S start the chat in conversation S: its number, its\n"
    "                  name, last (the one used last) or new (a new\n"
    "                  one, whatever config.json's \"resume\" says)\n"
    "  -h, --help      show this help and exit\n"
    "  -V, --version   show the version and exit\n"
    "\n"
    "Without --home, config lives in $XDG_CONFIG_HOME/mixchat and data in\n"
    "$XDG_DATA_HOME/mixchat.  A dataset path of '-' reads standard input.\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage error, 3 vault locked or\n"
    "wrong passphrase; ended by a signal as Unix tools are: Ctrl-C (ask,\n"
    "the passphrase prompt) 130, SIGTERM 143, a reader gone (| head) 141.\n";

struct command {
	const char *name;
	int (*fn)(const struct cli_global *, int, char **);
};

static const struct command commands[] = {
	{ "ask", cli_ask },
	{ "route", cli_route },
	{ "rate", cli_rate },
	{ "ratings", cli_ratings },
	{ "keys", cli_keys },
	{ "train", cli_train },
	{ "eval", cli_eval },
	{ "stats", cli_stats },
	{ "export", cli_export },
	{ "sessions", cli_sessions },
	{ "chat", cli_chat },
};

/*
 * Started with standard input, output or error closed (`mixchat ask ...
 * >&-`, a daemon), the next file opened would take its number, and a
 * reply or a footer written "to stdout" would land in the database: each
 * closed one is /dev/null instead (as ssh and cron do it).  When that
 * cannot be opened, nothing is safe to open: stop.
 */
static void
standard_fds_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EXIT_RUNTIME);
	}
}

/*
 * The usage, and where this mixchat keeps its files now (--home and
 * MIXCHAT_HOME as far as they are known): what a user new to it looks
 * for first.
 */
static void
usage(const struct cli_global *g)
{
	struct config cfg;
	char *cause = NULL;

	fputs(usage_text, stdout);
	memset(&cfg, 0, sizeof cfg);
	if (config_set_paths(&cfg, g->home, g->config_file, &cause) == MC_OK)
		printf("\nHere: the config is %s;\nconversations, ratings "
		       "and the key vault are in %s.\n",
		    cfg.config_file, cfg.data_dir);
	free(cause);
	free(cfg.home);
	free(cfg.config_dir);
	free(cfg.data_dir);
	free(cfg.config_file);
}

static bool
is_command(const char *name)
{
	size_t i;

	if (strcmp(name, "help") == 0)
		return true;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(name, commands[i].name) == 0)
			return true;
	return false;
}

/* Whether s goes into a suggested command line as it is (no quotes). */
static bool
shell_word(const char *s)
{
	return *s != '\0' &&
	       s[strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
	                   "XYZ0123456789._-+/:@")] == '\0';
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "home", required_argument, NULL, 'H' },
		{ "config", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "session", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_global g;
	size_t i;
	int opt;

	standard_fds_open();
	memset(&g, 0, sizeof g);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hVs:", options, NULL)) != -1) {
		switch (opt) {
		case 'H':
		case 'c':
		case 'l':
			/* An empty name (an unset shell variable) is no
			 * file: said as such, not as "Is a directory". */
			if (*optarg == '\0') {
				fprintf(stderr,
				    "mixchat: --%s: the name is empty\n",
				    opt == 'H'   ? "home"
				    : opt == 'c' ? "config"
				                 : "log");
				return EXIT_USAGE;
			}
			if (opt == 'H')
				g.home = optarg;
			else if (opt == 'c')
				g.config_file = optarg;
			else
				g.log_file = optarg;
			break;
		case 's':
			g.session = optarg;
			break;
		case 'h':
			usage(&g);
			return cli_stdout_done(NULL, EXIT_OK);
		case 'V':
			printf("mixchat %s\n", PACKAGE_VERSION);
			return cli_stdout_done(NULL, EXIT_OK);
		default: {
			/* Name the option as it was typed: --home, not -H. */
			const char *arg = argv[optind - 1];
			int len = (int)strcspn(arg, "=");

			if (strncmp(arg, "--", 2) != 0 && optopt == 's')
				fprintf(stderr, "mixchat: -s needs a value\n");
			else if (strncmp(arg, "--", 2) != 0)
				fprintf(stderr,
				    "mixchat: -%c: unknown option\n",
				    optopt != 0 ? optopt : '?');
			else if (optopt != 0 && strchr("Hcls", optopt))
				fprintf(stderr, "mixchat: %.*s needs a value\n",
				    len, arg);
			else if (optopt != 0 && strchr("hV", optopt))
				fprintf(stderr,
				    "mixchat: %.*s takes no value\n", len, arg);
			else
				fprintf(stderr,
				    "mixchat: %.*s: unknown option\n", len,
				    arg);
			fprintf(stderr, "Try 'mixchat --help' for more "
			                "information.\n");
			return EXIT_USAGE;
		}
		}
	}
	argc -= optind;
	argv += optind;
	/* Advice to run a command names the same folders. */
	self_set(g.home, g.config_file);
	if (argc == 0)
		return cli_chat(&g, 0, NULL);
	/* The chat's: `ask` has a --session of its own, after its name;
	 * `export` takes the conversation as its argument; the others
	 * have none. */
	if (g.session != NULL && strcmp(argv[0], "chat") != 0 &&
	    is_command(argv[0])) {
		const char *q = shell_word(g.session) ? "" : "'";

		if (strcmp(argv[0], "ask") == 0)
			fprintf(stderr,
			    "mixchat: --session before a command is the "
			    "chat's; put it after the command: %s ask "
			    "--session %s%s%s\n",
			    self_cmd(), q, g.session, q);
		else if (strcmp(argv[0], "export") == 0)
			fprintf(stderr,
			    "mixchat: --session before a command is the "
			    "chat's; export takes the conversation as its "
			    "argument: %s export %s%s%s\n",
			    self_cmd(), q, g.session, q);
		else
			fprintf(stderr,
			    "mixchat: --session is the chat's: it goes "
			    "without a command (%s --session %s%s%s "
			    "opens the chat in that conversation); %s has "
			    "no --session\n",
			    self_cmd(), q, g.session, q, argv[0]);
		return EXIT_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		usage(&g);
		return cli_stdout_done(NULL, EXIT_OK);
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			optind = 0; /* reset getopt for the subcommand */
			/* What it printed is out, or its failure said (a
			 * full disk); a reader gone ends it quietly.  The
			 * chat's screen is not standard output's text. */
			if (commands[i].fn == cli_chat)
				return cli_chat(&g, argc, argv);
			return cli_stdout_done(
			    argv[0], commands[i].fn(&g, argc, argv));
		}
	}
	{
		const char *names[sizeof commands / sizeof commands[0] + 1];
		const char *near;

		for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
			names[i] = commands[i].name;
		names[i++] = "help";
		near = suggest_name(argv[0], names, i);
		fprintf(stderr,
		    "mixchat: '%s' is not a command%s%s%s\n"
		    "Try 'mixchat --help' for the list of commands.\n",
		    argv[0], near != NULL ? "; did you mean '" : ".",
		    near != NULL ? near : "", near != NULL ? "'?" : "");
	}
	return EXIT_USAGE;
}
