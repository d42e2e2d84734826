/*
 * route.c - `mixchat route [--budget] [--explain] [--json] PROMPT`: show the
 * router's decision for the configured models without calling any
 * provider: per candidate the predicted quality, cost, latency,
 * uncertainty and score, the exclusions, and the winner.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "router/router.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/*
 * route_build_context: everything a decision needs besides the prompt,
 * from the config.  Latency inputs are the router's defaults and today's
 * spend is taken as zero until the store feeds measured values here.
 */
static void
route_build_context(
    const struct config *cfg, bool budget, struct router_context *ctx)
{
	router_context_init(ctx, budget ? MODE_BUDGET : cfg->mode);
	ctx->latency_tolerance_ms = cfg->latency_tolerance_ms;
	ctx->budget_left_usd =
	    cfg->daily_budget_usd > 0 ? cfg->daily_budget_usd : -1.0;
	ctx->now_ms = time_wall_ms();
}

/* Add the candidates: the models the user configured, else the catalog. */
static int
route_add_models(const struct config *cfg, struct router *r)
{
	size_t i, pass;
	int rc;

	for (pass = 0; pass < 2 && router_nmodels(r) == 0; pass++) {
		if (pass == 1)
			fprintf(stderr,
			    "mixchat: no models configured in %s; "
			    "routing over the built-in catalog\n",
			    cfg->config_file != NULL ? cfg->config_file
			                             : "config.json");
		for (i = 0; i < cfg->nmodels; i++) {
			const struct model *m = &cfg->models[i];
			const struct provider *p =
			    config_find_provider(cfg, m->provider);

			if (!m->enabled)
				continue;
			if (pass == 0 && !(m->user || (p != NULL && p->user)))
				continue;
			rc = router_add_model(
			    r, m->id, m->price_in, m->price_out, m->prior);
			if (rc != MC_OK && rc != MC_ERR_EXISTS)
				return rc;
		}
	}
	return MC_OK;
}

static void
route_print_text(const struct router *r, const struct router_decision *d,
    const struct config *cfg, bool explain)
{
	size_t i;

	if (explain) {
		const struct router_features *f = d->features;

		printf("lambda %g USD per unit of quality; score = quality + "
		       "alpha*uncertainty - cost/lambda - beta*penalty\n",
		    d->lambda);
		printf("tags:");
		for (i = 0; i < f->ntags; i++)
			if (f->tag[i] >= 0.01f)
				printf(" %s %.2f", router_tag_name(r, i),
				    (double)f->tag[i]);
		printf("\nprompt: %.0f tokens (estimated)\n\n", f->in_tokens);
	}
	printf("%-32s %7s %10s %9s %7s %8s  %s\n", "model", "quality",
	    "cost_usd", "latency", "uncert", "score", "");
	for (i = 0; i < d->ncandidates; i++) {
		const struct router_candidate *c = &d->candidates[i];

		printf("%-32s %7.3f %10.6f %7.1fs %7.3f %8.4f  %s\n", c->model,
		    c->quality, c->cost_usd, c->latency_ms / 1000.0,
		    c->uncertainty, c->score,
		    (int)i == d->winner ? "<- chosen"
		                        : router_exclusion_name(c->excluded));
	}
	if (d->winner >= 0)
		printf("\nroute to %s (mode %s)\n",
		    d->candidates[d->winner].model,
		    config_mode_name(cfg->mode));
}

static void
route_print_json(
    const struct router *r, const struct router_decision *d, const char *mode)
{
	cJSON *o = cJSON_CreateObject(), *arr, *tags;
	char *s;
	size_t i;

	if (d->winner >= 0)
		cJSON_AddStringToObject(
		    o, "model", d->candidates[d->winner].model);
	else
		cJSON_AddNullToObject(o, "model");
	cJSON_AddStringToObject(o, "mode", mode);
	cJSON_AddNumberToObject(o, "lambda", d->lambda);
	arr = cJSON_AddArrayToObject(o, "candidates");
	for (i = 0; i < d->ncandidates; i++) {
		const struct router_candidate *c = &d->candidates[i];
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "model", c->model);
		cJSON_AddNumberToObject(e, "quality", c->quality);
		cJSON_AddNumberToObject(e, "cost_usd", c->cost_usd);
		cJSON_AddNumberToObject(e, "latency_ms", c->latency_ms);
		cJSON_AddNumberToObject(e, "uncertainty", c->uncertainty);
		cJSON_AddNumberToObject(e, "score", c->score);
		if (c->excluded != ROUTER_OK)
			cJSON_AddStringToObject(
			    e, "excluded", router_exclusion_name(c->excluded));
		else
			cJSON_AddFalseToObject(e, "excluded");
		cJSON_AddItemToArray(arr, e);
	}
	tags = cJSON_AddObjectToObject(o, "tags");
	for (i = 0; i < d->features->ntags; i++)
		cJSON_AddNumberToObject(
		    tags, router_tag_name(r, i), (double)d->features->tag[i]);
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
		{ NULL, 0, NULL, 0 },
	};
	bool budget = false, explain = false, json = false;
	struct router_context ctx;
	struct router_decision d;
	struct router *r = NULL;
	struct config cfg;
	struct buf prompt, st;
	char *cause = NULL, *path = NULL;
	int opt, rc, ret;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
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
		default:
			return cli_usage_error(
			    "route", "%s: unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("route", "give one PROMPT ('-' reads "
		                                "standard input)");
	if ((ret = cli_load_config(g, &cfg)) != EXIT_OK)
		return ret;
	ret = EXIT_RUNTIME;
	memset(&d, 0, sizeof d);
	buf_init(&prompt, 16u << 20);
	buf_init(&st, 256u << 20);
	if (strcmp(argv[optind], "-") == 0) {
		if (fs_read_file("-", &prompt, &cause) != MC_OK) {
			cli_error("%s", cause);
			goto out;
		}
	} else if (buf_addstr(&prompt, argv[optind]) != MC_OK) {
		cli_error("the prompt is too long (limit 16 MB)");
		goto out;
	}
	r = router_new();
	/* A state from `mixchat train` replaces the built-in priors. */
	path = config_data_path(&cfg, "router.state");
	if (fs_exists(path)) {
		if (fs_read_file(path, &st, &cause) != MC_OK ||
		    router_state_load(r, st.data, st.len, &cause) != MC_OK) {
			cli_error(
			    "%s: %s (using the built-in priors)", path, cause);
			free(cause);
			cause = NULL;
		}
	}
	if ((rc = route_add_models(&cfg, r)) != MC_OK) {
		cli_error("cannot add the configured models: %s",
		    mixchat_strerror(rc));
		goto out;
	}
	route_build_context(&cfg, budget, &ctx);
	rc = router_decide(r, buf_str(&prompt), prompt.len, &ctx, &d);
	if (rc == MC_ERR_NOTFOUND) {
		cli_error("no enabled models to route to: add one to %s",
		    cfg.config_file);
		goto out;
	}
	if (json)
		route_print_json(
		    r, &d, config_mode_name(budget ? MODE_BUDGET : cfg.mode));
	else
		route_print_text(r, &d, &cfg, explain);
	if (rc == MC_ERR_BUDGET) {
		cli_error("nothing fits what is left of today's budget "
		          "($%.4f): raise budget.daily_usd in %s",
		    ctx.budget_left_usd, cfg.config_file);
		goto out;
	}
	ret = EXIT_OK;
out:
	router_decision_release(&d);
	router_free(r);
	free(path);
	free(cause);
	buf_release(&prompt);
	buf_release(&st);
	config_release(&cfg);
	return ret;
}
