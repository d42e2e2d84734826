/*
 * route.c - `mixchat route [--budget] [--explain] [--json] PROMPT`: show the
 * router's decision without calling any provider: per candidate the
 * predicted quality, cost, latency, uncertainty and score, the exclusions,
 * and the winner.
 *
 * It asks the app exactly as the chat does, so it sees the same models
 * (a key in the vault or "auth": "none"), today's spend against the daily
 * budget, each model's measured latency and rate-limit cool-down, and
 * everything the router has learned from ratings.  With no model set up it
 * shows the models named in config.json, else the built-in catalog, and
 * says so on stderr.
 */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app/app.h"
#include "app/format.h"
#include "cli/cli.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/glyph.h"
#include "util/utf8.h"

#define ROUTE_MAX_TAGS 64

static void
route_print_text(const struct app *app, const struct app_exchange *ex,
    const char *mode, bool explain)
{
	const char *names[ROUTE_MAX_TAGS];
	double p[ROUTE_MAX_TAGS];
	struct buf table;
	size_t i, n;

	if (explain) {
		printf("mode %s, lambda %g USD per unit of quality; score = "
		       "quality + alpha*uncertainty - cost/lambda - "
		       "beta*latency penalty\n",
		    mode, ex->lambda);
		n = app_explain_tags(app, ex, names, p, ROUTE_MAX_TAGS);
		printf("tags:");
		for (i = 0; i < n; i++)
			if (p[i] >= 0.01)
				printf(" %s %.2f", names[i], p[i]);
		printf("\n\n");
	}
	/* The chat's /why table, all its columns. */
	buf_init(&table, 1 << 20);
	if (format_decision_table(ex, SIZE_MAX, &table) == MC_OK)
		fputs(buf_str(&table), stdout);
	buf_release(&table);
	if (ex->winner >= 0)
		printf("\nroute to %s (mode %s)\n",
		    ex->candidates[ex->winner].model, mode);
}

static void
route_print_json(
    const struct app *app, const struct app_exchange *ex, const char *mode)
{
	const char *names[ROUTE_MAX_TAGS];
	double p[ROUTE_MAX_TAGS];
	cJSON *o, *tags;
	size_t i, n;
	char *s;

	/* The chat's own table ("model" first: scripts read it plainly). */
	o = format_decision_json(ex);
	cJSON_AddStringToObject(o, "mode", mode);
	cJSON_AddNumberToObject(o, "lambda", ex->lambda);
	tags = cJSON_AddObjectToObject(o, "tags");
	n = app_explain_tags(app, ex, names, p, ROUTE_MAX_TAGS);
	for (i = 0; i < n; i++)
		cJSON_AddNumberToObject(tags, names[i], p[i]);
	s = cJSON_PrintUnformatted(o);
	puts(s);
	free(s);
	cJSON_Delete(o);
}

int
cli_route(const struct cli_global *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "budget", no_argument, NULL, 'b' },
		{ "explain", no_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct app_hooks hooks = { NULL, cli_notice };
	bool budget = false, explain = false, json = false;
	struct app_exchange *ex = NULL;
	struct app *app = NULL;
	struct config cfg;
	struct buf prompt;
	const char *why;
	char *cause = NULL;
	int opt, rc, ret;

	opterr = 0;
	while ((opt = cli_getopt_words(&argc, argv, "h", options)) != -1) {
		switch (opt) {
		case 'b':
			budget = true;
			break;
		case 'e':
			explain = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(
			    "Usage: mixchat route [--budget] [--explain] "
			    "[--json] [PROMPT | -]\n"
			    "Show which model a message would go to, and why; "
			    "no provider is called.\n"
			    "\n"
			    "      --budget    as in budget mode\n"
			    "      --explain   above the table, the mode, lambda, "
			    "the score's formula\n"
			    "                  and the prompt's tags\n"
			    "      --json      one JSON object: model, mode, "
			    "lambda, candidates, tags\n"
			    "\n"
			    "Prints every candidate with its predicted quality, "
			    "cost, latency,\n"
			    "uncertainty and score, and marks the one chosen.  "
			    "The prompt is the\n"
			    "words given, or standard input with '-'; options "
			    "come before it, or\n"
			    "all of them after it, as for ask.\n"
			    "Exit status: 0 a model was chosen, 1 nothing fits "
			    "today's budget, 2 usage.\n",
			    stdout);
			return EXIT_OK;
		default:
			return cli_option_error("route", opt, argv, options);
		}
	}
	/* The prompt as `ask` reads it: the same decision for the same
	 * words. */
	buf_init(&prompt, 1u << 20);
	if ((ret = cli_read_prompt(
	         "route", argc - optind, argv + optind, &prompt)) != EXIT_OK) {
		buf_release(&prompt);
		return ret;
	}
	if ((ret = cli_load_config(g, &cfg)) != EXIT_OK) {
		buf_release(&prompt);
		return ret;
	}
	ret = EXIT_RUNTIME;
	/* route stores nothing: on a fresh home it creates nothing. */
	if ((rc = app_open_reader(&cfg, &hooks, NULL, &app, &cause)) != MC_OK) {
		cli_error("%s", cause ? cause : mixchat_strerror(rc));
		goto out;
	}
	if ((why = app_route_fallback(app)) != NULL)
		fprintf(stderr, "mixchat: %s\n", why);
	app_set_budget_mode(app, budget || cfg.mode == MODE_BUDGET);
	rc = app_explain(app, buf_str(&prompt), &ex, &cause);
	if (rc == MC_ERR_NOTFOUND) {
		cli_error("no enabled models to route to: add one to %s",
		    cfg.config_file);
		goto out;
	}
	if (json)
		route_print_json(app, ex, app_mode_name(app));
	else
		route_print_text(app, ex, app_mode_name(app), explain);
	if (rc != MC_OK) {
		cli_error("%s", cause ? cause : mixchat_strerror(rc));
		goto out;
	}
	ret = EXIT_OK;
out:
	app_explain_free(ex);
	app_close(app);
	free(cause);
	buf_release(&prompt);
	config_release(&cfg);
	return ret;
}
