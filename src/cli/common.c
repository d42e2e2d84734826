/*
 * common.c - what every subcommand shares: loading the config, messages.
 */
#include "config.h"

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
