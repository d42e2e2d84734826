/*
 * ratings.c - `mixchat ratings import FILE | export`: move or pool what the
 * router learned, as JSONL (one rating a line: reply_id, model, score,
 * source, time_ms, prompt).  Import teaches the router every line, in
 * order, and stores each as a rating of source "import"; a bad line stops
 * the import naming the file, the line and the field; every line is
 * checked before any is imported.  On a terminal, standard error shows how
 * far the import is, on one line said again in place (and wiped before the
 * count); elsewhere it says only the count, as it always did.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"

/* n with a comma between thousands: "10,000". */
static void
group_digits(size_t n, char *out, size_t size)
{
	char digits[32];
	size_t len, i, o = 0;

	len = (size_t)snprintf(digits, sizeof digits, "%zu", n);
	for (i = 0; i < len && o + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* app_progress_fn: "importing ratings: 4,000 of 10,000" in place. */
static void
ratings_progress(void *ud, size_t done, size_t total)
{
	int *shown = ud;
	char a[32], b[32];

	group_digits(done, a, sizeof a);
	group_digits(total, b, sizeof b);
	*shown = fprintf(stderr, "\rimporting ratings: %s of %s", a, b) - 1;
}

int
cli_ratings(const struct cli_global *g, int argc, char **argv)
{
	struct config cfg;
	struct app_hooks hooks = { NULL, cli_notice };
	struct app *app = NULL;
	char *cause = NULL;
	size_t count = 0, lacking = 0;
	struct app_import_counts ic;
	bool import;
	int rc, shown = 0;

	if (cli_wants_help(argc, argv)) {
		fputs(
		    "Usage: mixchat ratings import FILE | export\n"
		    "Move what the router learned from your ratings, as "
		    "JSON lines.\n"
		    "\n"
		    "  export        every rating that counts, in the order "
		    "made, to\n"
		    "                standard output (reply_id, model, score, "
		    "source,\n"
		    "                time_ms, prompt)\n"
		    "  import FILE   learn and keep each line of FILE ('-': "
		    "standard input);\n"
		    "                every line is checked before any is "
		    "imported, and a\n"
		    "                rating already here is skipped\n"
		    "\n"
		    "Exit status: 0 ok, 1 FILE or the store cannot be read "
		    "or written,\n"
		    "2 usage, or a bad line of FILE (named FILE:LINE: FIELD; "
		    "nothing is\n"
		    "imported then).\n",
		    stdout);
		return EXIT_OK;
	}
	if (argc == 3 && strcmp(argv[1], "import") == 0)
		import = true;
	else if (argc == 2 && strcmp(argv[1], "export") == 0)
		import = false;
	else
		return cli_usage_error("ratings", "expected 'import FILE' or "
		                                  "'export'");
	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK)
		return rc;
	if (!import && cli_store_absent(&cfg)) {
		/* Nothing stored yet: nothing to export, nothing created. */
		fprintf(stderr, "exported 0 rating(s)\n");
		config_release(&cfg);
		return EXIT_OK;
	}
	rc = app_open(&cfg, &hooks, NULL, &app, &cause);
	if (rc == MC_OK && import) {
		rc = app_ratings_import(app, argv[2], &ic,
		    isatty(STDERR_FILENO) ? ratings_progress : NULL, &shown,
		    &cause);
		count = ic.imported;
		if (shown > 0) /* the progress line wiped */
			fprintf(stderr, "\r%*s\r", shown, "");
	} else if (rc == MC_OK)
		rc = app_ratings_export(
		    app, STDOUT_FILENO, &count, &lacking, &cause);
	/* A field no rating has: ignored (a newer mixchat may write one),
	 * but a slip ("time" for time_ms) should not pass unseen. */
	if (rc == MC_OK && import && ic.odd_lines > 0) {
		fprintf(stderr, "mixchat ratings: %s:%zu: ",
		    strcmp(argv[2], "-") == 0 ? "standard input" : argv[2],
		    ic.odd_line);
		if (ic.odd_field[0] != '\0')
			fprintf(stderr, "\"%s\" is ", ic.odd_field);
		else
			fputs("a field there is ", stderr);
		if (ic.odd_near != NULL)
			fprintf(stderr,
			    "not a field of a rating (%s, a typo?): ignored",
			    ic.odd_near);
		else
			fprintf(stderr,
			    "not a field of a rating (reply_id, model, score, "
			    "source, time_ms, prompt): ignored");
		if (ic.odd_lines > 1)
			fprintf(stderr, "; %zu more line(s) with such a field",
			    ic.odd_lines - 1);
		fputc('\n', stderr);
	}
	if (rc == MC_OK) {
		fprintf(stderr, "%s %zu rating(s)",
		    import ? "imported" : "exported", count);
		if (!import && lacking > 0)
			fprintf(stderr,
			    "; left out %zu whose prompt is lost (rated after "
			    "their conversation was deleted)",
			    lacking);
		if (import && ic.duplicates > 0)
			fprintf(stderr, "; skipped %zu already here",
			    ic.duplicates);
		/* (Those for a model nothing knows are among those not
		 * learned: counted once, apart.) */
		if (import && ic.not_learned > ic.unknown)
			fprintf(stderr,
			    "; %zu of them for models that are not candidates "
			    "now (disabled, removed or without a key): kept, "
			    "and learned when they are candidates again",
			    ic.not_learned - ic.unknown);
		/* A name nothing knows may be a typo in the file. */
		if (import && ic.unknown > 0) {
			size_t i;

			fprintf(stderr,
			    "; %zu %sfor %s config.json and the catalog do not "
			    "name (",
			    ic.unknown,
			    ic.not_learned > ic.unknown ? "" : "of them ",
			    ic.unknown_names > 1 ? "models" : "a model");
			for (i = 0; i < ic.unknown_names; i++)
				fprintf(stderr, "%s%s", i > 0 ? ", " : "",
				    ic.unknown_model[i]);
			/* Kept like any rating of a model not set up: say
			 * what would ever teach it, a typo never will. */
			fprintf(stderr,
			    "%s): kept, and learned only once a model of "
			    "%s is set up (a typo in the file?)",
			    ic.unknown_more ? ", ..." : "",
			    ic.unknown_names > 1 ? "such an id" : "that id");
		}
		fputc('\n', stderr);
	} else {
		if (import && count > 0)
			fprintf(stderr,
			    "mixchat: imported %zu rating(s) "
			    "before the error\n",
			    count);
		fprintf(stderr, "mixchat ratings: %s%s\n",
		    cause ? cause : mixchat_strerror(rc),
		    import && count == 0 && rc == MC_ERR_PARSE
		        ? " (nothing was imported: every line is checked "
		          "first)"
		        : "");
	}
	free(cause);
	app_close(app);
	config_release(&cfg);
	if (rc == MC_OK)
		return EXIT_OK;
	return rc == MC_ERR_PARSE || rc == MC_ERR_USAGE ? EXIT_USAGE
	                                                : EXIT_RUNTIME;
}
