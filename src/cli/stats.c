/*
 * stats.c - `mixchat stats [--json]`: spend today, this month and in all
 * (by model and in total), calls, mean latency, ratings (count and mean by
 * model), and what the router has learned per model.  Reads the store at
 * <data_dir>/db; an empty or absent store gives zeros.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "router/router.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/*
 * What the router has learned about a model: its predicted quality for a
 * neutral prompt as its prior had it and as it is now (after every rating
 * absorbed), and its current LinUCB uncertainty.  NAN when unknown (a
 * model no longer in the configuration).
 */
struct learned {
	double q_prior, q_now, uncertainty;
};

static double
stats_predict(struct router *r, const char *model, double *uncertainty)
{
	struct router_context ctx;
	struct router_decision d;
	double q = NAN;
	size_t i;

	router_context_init(&ctx, MODE_QUALITY);
	memset(&d, 0, sizeof d);
	if (router_decide(r, "", 0, &ctx, &d) == MC_OK) {
		for (i = 0; i < d.ncandidates; i++) {
			if (strcmp(d.candidates[i].model, model) != 0)
				continue;
			q = d.candidates[i].quality;
			*uncertainty = d.candidates[i].uncertainty;
		}
	}
	router_decision_release(&d);
	return q;
}

static void
stats_learned(const struct config *cfg, struct store *s, const char *id,
    struct learned *l)
{
	const struct model *m = config_find_model(cfg, id);
	struct router *r;
	struct buf b;
	char *path, *cause = NULL;

	l->q_prior = l->q_now = l->uncertainty = NAN;
	if (m == NULL)
		return;
	r = router_new();
	buf_init(&b, 64u << 20);
	path = config_data_path(cfg, "router.state");
	if (fs_exists(path) &&
	    (fs_read_file(path, &b, &cause) != MC_OK ||
	        router_state_load(r, b.data, b.len, &cause) != MC_OK)) {
		free(cause);
		cause = NULL;
	}
	free(path);
	buf_release(&b);
	if (router_add_model(r, m->id, m->price_in, m->price_out, m->prior) ==
	    MC_OK) {
		l->q_prior = stats_predict(r, id, &l->uncertainty);
		l->q_now = l->q_prior;
		buf_init(&b, 64u << 20);
		if (store_router_get(s, id, &b) == MC_OK &&
		    router_model_load(r, id, b.data, b.len, &cause) == MC_OK)
			l->q_now = stats_predict(r, id, &l->uncertainty);
		free(cause);
		buf_release(&b);
	}
	router_free(r);
}

struct totals {
	uint32_t calls, ratings, timed;
	double today, month, total;
	double rating_sum, latency_sum;
};

static void
add_totals(struct totals *t, const struct store_model_stats *ms)
{
	t->calls += ms->calls;
	t->today += ms->spend_today;
	t->month += ms->spend_month;
	t->total += ms->spend_total;
	t->ratings += ms->ratings;
	t->rating_sum += ms->mean_rating * ms->ratings;
	t->timed += ms->timed;
	t->latency_sum += ms->mean_latency_ms * ms->timed;
}

/* model_ttft: the running estimate, else the mean of replies; <0 none. */
static double
model_ttft(const struct store_model_stats *ms)
{
	if (ms->has_latency && ms->latency.samples > 0)
		return ms->latency.ttft_ms;
	if (ms->timed > 0)
		return ms->mean_ttft_ms;
	return -1;
}

static cJSON *
spend_json(double today, double month, double total)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "today", today);
	cJSON_AddNumberToObject(o, "month", month);
	cJSON_AddNumberToObject(o, "total", total);
	return o;
}

static void
add_number_or_null(cJSON *o, const char *key, double v, bool have)
{
	if (have)
		cJSON_AddNumberToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static int
print_json(const struct store_model_stats *list, const struct learned *ls,
    size_t n, const struct totals *t)
{
	cJSON *root = cJSON_CreateObject(), *models, *m, *learned;
	double u, ttft;
	char *text;
	size_t i;

	cJSON_AddNumberToObject(root, "calls", t->calls);
	cJSON_AddItemToObject(
	    root, "spend_usd", spend_json(t->today, t->month, t->total));
	cJSON_AddNumberToObject(root, "ratings", t->ratings);
	add_number_or_null(root, "mean_rating",
	    t->ratings ? t->rating_sum / t->ratings : 0, t->ratings > 0);
	add_number_or_null(root, "latency_ms",
	    t->timed ? t->latency_sum / t->timed : 0, t->timed > 0);
	models = cJSON_AddObjectToObject(root, "models");
	for (i = 0; i < n; i++) {
		const struct store_model_stats *ms = &list[i];

		m = cJSON_AddObjectToObject(models, ms->model);
		cJSON_AddNumberToObject(m, "calls", ms->calls);
		cJSON_AddItemToObject(m, "spend_usd",
		    spend_json(
		        ms->spend_today, ms->spend_month, ms->spend_total));
		cJSON_AddNumberToObject(m, "tokens_in", (double)ms->tokens_in);
		cJSON_AddNumberToObject(
		    m, "tokens_out", (double)ms->tokens_out);
		cJSON_AddNumberToObject(m, "ratings", ms->ratings);
		add_number_or_null(
		    m, "mean_rating", ms->mean_rating, ms->ratings > 0);
		ttft = model_ttft(ms);
		add_number_or_null(m, "ttft_ms", ttft, ttft >= 0);
		add_number_or_null(
		    m, "latency_ms", ms->mean_latency_ms, ms->timed > 0);
		add_number_or_null(m, "tokens_per_s", ms->latency.tokens_per_s,
		    ms->has_latency && ms->latency.tokens_per_s > 0);
		learned = cJSON_AddObjectToObject(m, "learned");
		cJSON_AddNumberToObject(
		    learned, "ratings_absorbed", ms->ratings);
		add_number_or_null(learned, "state_bytes",
		    (double)ms->router_bytes, ms->has_router);
		u = ls[i].uncertainty;
		add_number_or_null(learned, "uncertainty", u, !isnan(u));
		add_number_or_null(learned, "quality_prior", ls[i].q_prior,
		    !isnan(ls[i].q_prior));
		add_number_or_null(
		    learned, "quality_now", ls[i].q_now, !isnan(ls[i].q_now));
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (text == NULL)
		return EXIT_RUNTIME;
	printf("%s\n", text);
	free(text);
	return EXIT_OK;
}

static void
fmt_ms(char *buf, size_t size, double ms, bool have)
{
	if (!have)
		snprintf(buf, size, "-");
	else if (ms >= 1000)
		snprintf(buf, size, "%.1f s", ms / 1000);
	else
		snprintf(buf, size, "%.0f ms", ms);
}

static int
print_text(const struct store_model_stats *list, const struct learned *ls,
    size_t n, const struct totals *t)
{
	char lat[32], ttft[32], mean[16], learned[64];
	double u, tt;
	size_t i;

	printf("Spend: $%.4f today, $%.4f this month, $%.4f in all\n", t->today,
	    t->month, t->total);
	fmt_ms(lat, sizeof lat, t->timed ? t->latency_sum / t->timed : 0,
	    t->timed > 0);
	printf("Calls: %lu (mean latency %s)\n", (unsigned long)t->calls, lat);
	if (t->ratings > 0)
		printf("Ratings: %lu (mean %.2f)\n", (unsigned long)t->ratings,
		    t->rating_sum / t->ratings);
	else
		printf("Ratings: 0\n");
	if (n == 0) {
		printf("\nNo model has been used or rated yet.\n");
		return EXIT_OK;
	}
	printf("\n%-24s %6s %10s %10s %10s %9s %8s %7s %5s  %s\n", "MODEL",
	    "CALLS", "TODAY", "MONTH", "TOTAL", "LATENCY", "TTFT", "RATINGS",
	    "MEAN", "LEARNED");
	for (i = 0; i < n; i++) {
		const struct store_model_stats *ms = &list[i];

		fmt_ms(lat, sizeof lat, ms->mean_latency_ms, ms->timed > 0);
		tt = model_ttft(ms);
		fmt_ms(ttft, sizeof ttft, tt, tt >= 0);
		if (ms->ratings > 0)
			snprintf(mean, sizeof mean, "%.2f", ms->mean_rating);
		else
			snprintf(mean, sizeof mean, "-");
		u = ls[i].uncertainty;
		if (!ms->has_router)
			snprintf(learned, sizeof learned, "%s",
			    ms->ratings > 0 ? "no state saved" : "prior only");
		else if (!isnan(u))
			snprintf(learned, sizeof learned,
			    "%lu absorbed, quality %.2f->%.2f, ±%.2f",
			    (unsigned long)ms->ratings, ls[i].q_prior,
			    ls[i].q_now, u);
		else
			snprintf(learned, sizeof learned,
			    "%lu absorbed, state %zu B",
			    (unsigned long)ms->ratings, ms->router_bytes);
		printf("%-24s %6lu %10.4f %10.4f %10.4f %9s %8s %7lu %5s  %s\n",
		    ms->model, (unsigned long)ms->calls, ms->spend_today,
		    ms->spend_month, ms->spend_total, lat, ttft,
		    (unsigned long)ms->ratings, mean, learned);
	}
	return EXIT_OK;
}

int
cli_stats(const struct cli_global *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_model_stats *list = NULL;
	struct learned *ls = NULL;
	struct store *s = NULL;
	struct config cfg;
	struct totals t;
	char *dir = NULL, *cause = NULL;
	bool json = false;
	size_t n = 0, i;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("Usage: mixchat stats [--json]\n");
			return EXIT_OK;
		default:
			return cli_usage_error(
			    "stats", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(
		    "stats", "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK) {
		config_release(&cfg);
		return rc;
	}
	dir = config_data_path(&cfg, "db");
	if (store_open(dir, &s, &cause) != MC_OK) {
		cli_error("%s", cause);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (store_model_stats(s, time_day(time_wall_ms()), &list, &n) !=
	    MC_OK) {
		cli_error("%s", store_strerror(s));
		rc = EXIT_RUNTIME;
		goto out;
	}
	memset(&t, 0, sizeof t);
	for (i = 0; i < n; i++)
		add_totals(&t, &list[i]);
	ls = xcalloc(n + 1, sizeof *ls);
	for (i = 0; i < n; i++)
		stats_learned(&cfg, s, list[i].model, &ls[i]);
	rc = json ? print_json(list, ls, n, &t) : print_text(list, ls, n, &t);
	free(ls);
out:
	store_model_stats_free(list, n);
	store_close(s);
	free(cause);
	free(dir);
	config_release(&cfg);
	return rc;
}
