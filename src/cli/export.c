/*
 * export.c - `mixchat export [SESSION] [--format md|json]`: one
 * conversation (by number or name; default the most recently updated) on
 * standard output, with each reply's model, cost and latency.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app/app.h"
#include "app/format.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/self.h"
#include "util/xmalloc.h"

int
cli_export(const struct cli_global *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_message *list = NULL;
	struct store_session ss;
	struct store *s = NULL;
	struct config cfg;
	const char *format = "md", *which = NULL;
	char *dir = NULL, *cause = NULL;
	uint64_t id;
	size_t n = 0;
	int opt, rc;

	memset(&ss, 0, sizeof ss);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+f:h", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(
			    "Usage: mixchat export [SESSION] [--format "
			    "md|json]\n"
			    "Write a conversation to standard output: SESSION "
			    "is its number (as\n"
			    "/sessions shows it), its name, or last (the one "
			    "used last, as mixchat\n"
			    "-s last takes it: not a one-off ask); without it, "
			    "the latest of all.\n"
			    "\n"
			    "  -f, --format md|json   Markdown (the default) "
			    "or JSON\n"
			    "\n"
			    "Exit status: 0 ok, 1 no conversation yet, SESSION "
			    "names none, or the\n"
			    "database cannot be read, 2 a bad option or "
			    "format.\n",
			    stdout);
			return EXIT_OK;
		default:
			return cli_usage_error("export", "%s '%s'",
			    optopt == 'f' ? "needs a value:" : "unknown option",
			    argv[optind - 1]);
		}
	}
	if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error(
		    "export", "--format must be md or json, not '%s'", format);
	if (optind < argc)
		which = argv[optind++];
	/* GNU getopt stops at SESSION ("+"): take options after it too. */
	while (optind < argc) {
		if ((strcmp(argv[optind], "--format") == 0 ||
		        strcmp(argv[optind], "-f") == 0) &&
		    optind + 1 < argc) {
			format = argv[optind + 1];
			optind += 2;
		} else if (strncmp(argv[optind], "--format=", 9) == 0)
			format = argv[optind++] + 9;
		else if (strncmp(argv[optind], "-f", 2) == 0 &&
		         argv[optind][2] != '\0')
			format = argv[optind++] + 2; /* -fjson */
		else
			return cli_usage_error(
			    "export", "unexpected argument '%s'", argv[optind]);
		if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0)
			return cli_usage_error("export",
			    "--format must be md or json, not '%s'", format);
	}
	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK) {
		config_release(&cfg);
		return rc;
	}
	rc = EXIT_RUNTIME;
	dir = config_data_path(&cfg, "db");
	/* Nothing stored yet: no conversation, and nothing is created. */
	if (!cli_store_absent(&cfg) &&
	    store_open_read(dir, &s, &cause) != MC_OK) {
		cli_error("%s", cause);
		goto out;
	}
	if (s == NULL ||
	    (which != NULL ? app_session_find_in(s, which, &id) != MC_OK
	                   : store_session_latest(s, &id) != MC_OK)) {
		/* "last": the one used last, as mixchat -s last takes it;
		 * a one-off ask is the latest, not the last. */
		if (which != NULL && strcmp(which, "last") == 0)
			cli_error("no conversation was used last yet (one-off "
			          "asks are not; `%s export` alone writes "
			          "the latest of all)",
			    self_cmd());
		else if (which != NULL)
			cli_error("no conversation has the number or name "
			          "'%s'",
			    which);
		else
			cli_error("there is no conversation yet: start one "
			          "with `%s` or `%s ask`",
			    self_cmd(), self_cmd());
		goto out;
	}
	if (store_session_get(s, id, &ss) != MC_OK ||
	    store_messages(s, id, &list, &n) != MC_OK) {
		cli_error("%s", store_strerror(s));
		goto out;
	}
	{
		struct buf b;

		buf_init(&b, 256u << 20);
		struct tty_text tty;
		char *clean = NULL;
		size_t len = 0;

		/* JSON escapes every control; Markdown on a terminal is
		 * cleaned as `ask` cleans a reply (tty_text). */
		tty_text_init(&tty, 1);
		rc = strcmp(format, "json") == 0
		         ? format_conversation_json(&ss, list, n, &b)
		         : format_conversation_md(&ss, list, n, &b);
		if (rc == MC_OK) {
			clean = xmalloc(b.len + 4);
			len = tty_text_clean(&tty, b.data, b.len, clean);
		}
		if (rc != MC_OK || fs_write_all(1, clean, len) != MC_OK) {
			cli_error("cannot write the conversation");
			rc = EXIT_RUNTIME;
		} else
			rc = EXIT_OK;
		free(clean);
		buf_release(&b);
	}
out:
	store_messages_free(list, n);
	store_session_release(&ss);
	store_close(s);
	free(cause);
	free(dir);
	config_release(&cfg);
	return rc;
}
