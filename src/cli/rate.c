/*
 * rate.c - `mixchat rate REPLY_ID|last SCORE`: rate a reply from the shell,
 * exactly as the Alt-1..5 keystroke does: the router learns from it and the
 * rating is committed with the router's new state before this returns.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli.h"
#include "store/store.h"

int
cli_rate(const struct cli_global *g, int argc, char **argv)
{
	struct config cfg;
	struct app_hooks hooks = { NULL, cli_notice };
	struct app *app = NULL;
	char *cause = NULL, *model = NULL, *end, id[STORE_REPLY_ID_MAX];
	char was[32] = "";
	long score;
	int rc, old = 0;

	if (cli_wants_help(argc, argv)) {
		fputs("Usage: mixchat rate REPLY_ID|last SCORE\n"
		      "Rate a reply as Alt-1..5 does: the router learns from "
		      "it at once.\n"
		      "SCORE is 1 (useless) .. 5 (perfect); another score "
		      "later corrects it.\n"
		      "REPLY_ID is SESSION.SEQ, as `mixchat ask --json` and "
		      "/why show it;\n"
		      "'last' is the newest reply in any conversation.\n"
		      "\n"
		      "Exit status: 0 rated (or the same score again), 1 no "
		      "such reply (or the\n"
		      "store failed), 2 usage: a bad SCORE or REPLY_ID, a "
		      "message of yours,\n"
		      "a reply that never came or a message not sent.\n",
		    stdout);
		return EXIT_OK;
	}
	if (argc != 3)
		return cli_usage_error("rate", "expected REPLY_ID|last and a "
		                               "SCORE from 1 to 5");
	/* One digit, 1 to 5: " 4" and "4 " alike are a slip, not a 4. */
	score = strtol(argv[2], &end, 10);
	if (argv[2][0] < '1' || argv[2][0] > '5' || argv[2][1] != '\0' ||
	    *end != '\0')
		return cli_usage_error(
		    "rate", "SCORE must be 1 to 5, not '%s'", argv[2]);
	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK)
		return rc;
	/* Nothing stored yet: no reply to rate, and nothing is created
	 * (app_rate_id with no app still names a bad id as one). */
	rc = cli_store_absent(&cfg)
	         ? MC_OK
	         : app_open(&cfg, &hooks, NULL, &app, &cause);
	if (rc == MC_OK)
		rc = app_rate_id(app, argv[1], (int)score, &model, &old, id,
		    sizeof id, &cause);
	/* A second score corrects the first, as Alt-1..5 says it does. */
	if (rc == MC_OK && old > 0)
		snprintf(was, sizeof was, ", was %d/5", old);
	if (rc == MC_OK && app_is_candidate(app, model))
		printf("rated %s (%s) %ld/5%s: the router has learned it\n", id,
		    model, score, was);
	else if (rc == MC_OK)
		printf("rated %s (%s) %ld/5%s: kept; %s is not a candidate now "
		       "(disabled, removed or without a key), so the router "
		       "learns it when it is one again\n",
		    id, model, score, was, model);
	else if (rc == MC_ERR_EXISTS) {
		/* The same score again: nothing new, and nothing wrong. */
		printf("%s: nothing new to learn\n", cause);
		rc = MC_OK;
	} else
		fprintf(stderr, "mixchat rate: %s\n",
		    cause ? cause : mixchat_strerror(rc));
	free(model);
	free(cause);
	app_close(app);
	config_release(&cfg);
	if (rc == MC_OK)
		return EXIT_OK;
	return rc == MC_ERR_USAGE ? EXIT_USAGE : EXIT_RUNTIME;
}
