/*
 * cli.h - the subcommands of the command line (DESIGN.md, "Command line").
 *
 * main.c parses the global options into a struct cli_global and hands the
 * rest of argv (argv[0] is the subcommand's name) to one cli_* function.
 * Each returns the process's exit code: 0 ok, 1 runtime failure, 2 usage
 * error, 3 vault locked or wrong passphrase.
 */
#ifndef MIXCHAT_CLI_H
#define MIXCHAT_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "config/config.h"
#include "util/buf.h"

#define EXIT_OK      0
#define EXIT_RUNTIME 1
#define EXIT_USAGE   2
#define EXIT_VAULT   3

struct cli_global {
	const char *home;        /* --home, or NULL */
	const char *config_file; /* --config, or NULL */
	const char *log_file;    /* --log, or NULL */
	const char *session;     /* --session (the chat's), or NULL */
};

/*
 * cli_load_config: set the folders and load config.json into cfg
 * (initialised here; the caller releases it).  On failure prints the
 * message on stderr and returns the exit code; 0 on success.
 */
int cli_load_config(const struct cli_global *g, struct config *cfg);

/* cli_error: print "mixchat: MESSAGE" on stderr. */
void cli_error(const char *fmt, ...) MC_PRINTF(1, 2);
/*
 * cli_read_prompt: the prompt of `ask` and `route` into b (made with a
 * 1 MiB limit): the words of argv joined by spaces, or standard input with
 * "-" or no argument (not from a terminal); trailing white space dropped.
 * EXIT_OK, or EXIT_USAGE after saying what is wrong (empty, too large).
 */
int cli_read_prompt(const char *cmd, int argc, char **argv, struct buf *b);

/*
 * cli_stdout_done: what a command (cmd; NULL: mixchat's own --help,
 * --version) wrote to standard output is flushed, and rc returned - or
 * it could not be written.  A reader that went away (`| head -1`) ends
 * mixchat quietly by SIGPIPE, as it ends any Unix filter; another failure
 * (a full disk, /dev/full) is said, naming cmd, and is exit 1 (a command
 * that failed already keeps its rc: it said why).  main() calls it after
 * every command but the chat.
 */
int cli_stdout_done(const char *cmd, int rc);
/* cli_die_of: end mixchat by signal sig (SIGINT, SIGTERM, SIGPIPE), its
 * default action restored, so that the shell sees what ended it (a loop
 * stops at Ctrl-C as it stops for curl or git).  Returns no more. */
_Noreturn void cli_die_of(int sig);

/* cli_notice: the app's notices (app_hooks.notice) on stderr as
 * "mixchat: MESSAGE", for every command. */
void cli_notice(void *ud, const char *message);
/* Whether cfg's data folder holds no store yet: a command that only
 * reads answers from nothing then, and creates nothing. */
bool cli_store_absent(const struct config *cfg);
/* cli_vault_names: the providers with a key in cfg's vault (their names
 * are readable unlocked); none when there is no vault or it is damaged.
 * Free with vault_names_free. */
void cli_vault_names(const struct config *cfg, char ***names, size_t *n);

/*
 * cli_getopt: getopt_long for the commands whose options may follow their
 * operands (`ask "$q" --json`), even under POSIXLY_CORRECT, which turns
 * GNU getopt's reordering off.  shortopts as getopt_long's, without a
 * leading '+' or '-'.  When it returns -1, argv[optind..argc) are the
 * operands in the order given (those after "--" last, as they came).
 */
int cli_getopt(int argc, char **argv, const char *shortopts,
    const struct option *longopts);
/*
 * cli_getopt_words: getopt_long for the commands whose operands are the
 * free words of a prompt (`ask`, `route`).  Options come before the
 * prompt; after the prompt's first word only a run of the command's
 * options that goes on to the end of the line is read as options (`ask
 * "$q" --json`), long names whole.  Any other word is the prompt's,
 * dashes and all: `ask what does ls -l do`.  The first "--" ends the
 * options wherever it stands (it is dropped: *argc shrinks).  When it returns -1, argv[optind..*argc) are
 * the prompt's words in the order given.
 */
int cli_getopt_words(int *argc, char **argv, const char *shortopts,
    const struct option *longopts);
/* cli_option_error: what cli_getopt's ':' (a value missing) or '?' (an
 * unknown option) means, said for cmd; EXIT_USAGE. */
int cli_option_error(
    const char *cmd, int opt, char **argv, const struct option *longopts);

/* cli_wants_help: whether -h or --help is among argv[1..] (before any
 * "--"), for the commands that read their arguments by hand. */
bool cli_wants_help(int argc, char **argv);
/* cli_usage_error: print "mixchat CMD: MESSAGE" and a --help hint; 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...) MC_PRINTF(2, 3);

int cli_ask(const struct cli_global *g, int argc, char **argv);
int cli_route(const struct cli_global *g, int argc, char **argv);
int cli_rate(const struct cli_global *g, int argc, char **argv);
int cli_ratings(const struct cli_global *g, int argc, char **argv);
int cli_keys(const struct cli_global *g, int argc, char **argv);
int cli_train(const struct cli_global *g, int argc, char **argv);
int cli_eval(const struct cli_global *g, int argc, char **argv);
int cli_stats(const struct cli_global *g, int argc, char **argv);
int cli_export(const struct cli_global *g, int argc, char **argv);
int cli_sessions(const struct cli_global *g, int argc, char **argv);
/* The interactive chat (src/ui). */
int cli_chat(const struct cli_global *g, int argc, char **argv);

#endif
