/*
 * stats.c - `mixchat stats [--json]`: spend today, this month and in all
 * (by model and in total), spend per day and model (the last days with any
 * in the table, every one in JSON), calls, mean latency, ratings (count and
 * mean by model), and what the router has learned per model: for any
 * prompt, and on the prompts the user rated (the router and its memory of
 * rated prompts rebuilt as the app does, app_rebuild_memory).  Reads the store at
 * <data_dir>/db; an empty or absent store gives zeros.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "app/app.h"
#include "app/format.h"
#include "cli/cli.h"
#include "router/memory.h"
#include "router/online.h"
#include "router/router.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/glyph.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"
#include "vault/vault.h"

/*
 * What the router has learned about a model, as predicted quality (0..1)
 * before any rating (its prior or price tier) and now (every rating
 * absorbed): for a neutral prompt, from its own state alone; and on the
 * prompts it was rated on, with the memory of rated prompts too, as how
 * far off the ratings the predictions were - the lessons of a few ratings
 * are about prompts like those (bad at chemistry, good at the rest), so
 * that is where they show, and they pull prompts both ways.  Also its
 * current LinUCB uncertainty.  NAN when unknown (a model the chat would
 * not ask now).
 */
struct learned {
	double q_prior, q_now, uncertainty;
	size_t rated; /* prompts (not re-asks) */
	/* Over them: the mean prediction, before and now, the mean of the
	 * ratings, and how far off the predictions were (mean |prediction -
	 * rating|) before and now. */
	double rated_prior, rated_now, rated_label, off_prior, off_now;
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

/*
 * The router the chat would build (app_router_load): its usable models,
 * from their priors or price tiers and, with learned, what the store
 * keeps of them.
 */
static struct router *
stats_router(const struct config *cfg, struct store *s, char *const *names,
    size_t nnames, bool learned)
{
	struct router *r = router_new();

	/* A damaged router.state is named, as route and the chat do (once:
	 * with the learned router). */
	app_router_load(r, cfg, s, names, nnames, learned, false,
	    learned ? cli_notice : NULL, NULL);
	return r;
}

/* The means over each model's rated prompts (struct learned). */
static void
stats_rated(const struct router *before, const struct router *now,
    const struct router_memory *mem, struct store *s,
    const struct store_model_stats *list, struct learned *ls, size_t n)
{
	struct store_rating *ratings = NULL;
	struct store_ratings *rd = NULL;
	struct router_features *f = xmalloc(sizeof *f);
	size_t nr = 0, i, k;
	double qb, qn, label;
	bool ok;

	/* Each rating's features decoded when its turn comes, not all at
	 * once (they are most of a rating's bytes). */
	if (store_ratings_read(s, &rd, &ratings, &nr) != MC_OK)
		nr = 0;
	for (k = 0; k < nr; k++) {
		struct store_rating *rt = &ratings[k];

		if (rt->model == NULL || rt->source == STORE_SOURCE_REASK ||
		    rt->superseded || store_ratings_features(rd, k) != MC_OK)
			continue;
		ok = router_features_unpack(rt->features, rt->nfeatures, f);
		store_rating_features_drop(rt);
		if (!ok)
			continue;
		for (i = 0; i < n && strcmp(list[i].model, rt->model) != 0; i++)
			;
		if (i == n)
			continue;
		qb = app_predicted_quality(before, f, rt->model);
		qn = app_predicted_quality(now, f, rt->model);
		if (qb < 0 || qn < 0)
			continue; /* not a candidate now */
		qn += router_memory_correction(mem, f, rt->model, NULL);
		qn = qn < 0 ? 0 : qn > 1 ? 1 : qn;
		label = app_rating_quality(rt);
		ls[i].rated++;
		ls[i].rated_prior += qb;
		ls[i].rated_now += qn;
		ls[i].rated_label += label;
		ls[i].off_prior += fabs(qb - label);
		ls[i].off_now += fabs(qn - label);
	}
	for (i = 0; i < n; i++) {
		if (ls[i].rated == 0)
			continue;
		ls[i].rated_prior /= (double)ls[i].rated;
		ls[i].rated_now /= (double)ls[i].rated;
		ls[i].rated_label /= (double)ls[i].rated;
		ls[i].off_prior /= (double)ls[i].rated;
		ls[i].off_now /= (double)ls[i].rated;
	}
	store_ratings_end(rd);
	store_ratings_free(ratings, nr);
	free(f);
}

static void
stats_learned(const struct config *cfg, struct store *s,
    const struct store_model_stats *list, struct learned *ls, size_t n)
{
	char **names;
	size_t nnames, i;
	struct router *before, *now;
	struct router_memory *mem = router_memory_new();
	double u;

	/* Which providers have a key: the names are readable unlocked. */
	cli_vault_names(cfg, &names, &nnames);
	before = stats_router(cfg, s, names, nnames, false);
	now = stats_router(cfg, s, names, nnames, true);
	app_rebuild_memory(now, mem, s);
	for (i = 0; i < n; i++) {
		u = NAN;
		ls[i].q_prior = stats_predict(before, list[i].model, &u);
		u = NAN;
		ls[i].q_now = stats_predict(now, list[i].model, &u);
		ls[i].uncertainty = u;
	}
	stats_rated(before, now, mem, s, list, ls, n);
	router_memory_free(mem);
	router_free(before);
	router_free(now);
	vault_names_free(names, nnames);
}

/* How many days with spend the table shows (--json has them all). */
#define STATS_TABLE_DAYS 7
/* How many models a day's line names, the most spent on first. */
#define STATS_DAY_MODELS 3

/*
 * One day with spend: its records in the store's spend list (by day, then
 * model) are spend[first..first + n).
 */
struct day_spend {
	uint32_t day; /* YYYYMMDD */
	double usd;
	size_t first, n;
};

/*
 * The days of spend (store_spend_list: one record a day and model, booked
 * as each reply ends) that cost anything, newest first, into *days (free
 * it); how many.  A day of free calls only (a local model) spent nothing.
 */
static size_t
stats_days(
    const struct store_spend *spend, size_t nspend, struct day_spend **days)
{
	size_t i, j, n = 0;
	double usd;

	*days = xcalloc(nspend + 1, sizeof **days);
	for (i = nspend; i > 0; i = j) {
		usd = 0;
		for (j = i; j > 0 && spend[j - 1].day == spend[i - 1].day; j--)
			usd += spend[j - 1].usd;
		if (!(usd > 0))
			continue;
		(*days)[n++] = (struct day_spend){
			.day = spend[i - 1].day,
			.usd = usd,
			.first = j,
			.n = i - j,
		};
	}
	return n;
}

/* "2026-11-30" for 20261130. */
static void
fmt_day(char *buf, size_t size, uint32_t day)
{
	snprintf(buf, size, "%04u-%02u-%02u", (unsigned)(day / 10000),
	    (unsigned)(day / 100 % 100), (unsigned)(day % 100));
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

/* USD to the nano-dollar: a sum of many small costs is 13.7843364, not
 * 13.784336399999678 (cJSON prints the shortest form that reads back). */
static double
usd_round(double usd)
{
	return round(usd * 1e9) / 1e9;
}

static cJSON *
spend_json(double today, double month, double total)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "today", usd_round(today));
	cJSON_AddNumberToObject(o, "month", usd_round(month));
	cJSON_AddNumberToObject(o, "total", usd_round(total));
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
    size_t n, const struct totals *t, const struct store_spend *spend,
    const struct day_spend *days, size_t ndays)
{
	cJSON *root = cJSON_CreateObject(), *models, *m, *learned, *arr, *d,
	      *by;
	double u, ttft;
	char *text, day[16];
	size_t i, k;

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
		cJSON_AddNumberToObject(m, "reasks", ms->reasks);
		cJSON_AddNumberToObject(learned, "ratings_absorbed",
		    (double)ms->ratings + ms->reasks - ms->pending);
		cJSON_AddNumberToObject(
		    learned, "ratings_pending", (double)ms->pending);
		add_number_or_null(learned, "state_bytes",
		    (double)ms->router_bytes, ms->has_router);
		u = ls[i].uncertainty;
		add_number_or_null(learned, "uncertainty", u, !isnan(u));
		add_number_or_null(learned, "quality_prior", ls[i].q_prior,
		    !isnan(ls[i].q_prior));
		add_number_or_null(
		    learned, "quality_now", ls[i].q_now, !isnan(ls[i].q_now));
		if (ls[i].rated > 0) {
			cJSON *rp =
			    cJSON_AddObjectToObject(learned, "rated_prompts");

			cJSON_AddNumberToObject(rp, "n", (double)ls[i].rated);
			cJSON_AddNumberToObject(
			    rp, "quality_prior", ls[i].rated_prior);
			cJSON_AddNumberToObject(
			    rp, "quality_now", ls[i].rated_now);
			cJSON_AddNumberToObject(
			    rp, "rating_quality", ls[i].rated_label);
			cJSON_AddNumberToObject(
			    rp, "off_prior", ls[i].off_prior);
			cJSON_AddNumberToObject(rp, "off_now", ls[i].off_now);
		} else
			cJSON_AddNullToObject(learned, "rated_prompts");
	}
	/* Every day that cost anything, newest first, with its models. */
	arr = cJSON_AddArrayToObject(root, "days");
	for (i = 0; i < ndays; i++) {
		d = cJSON_CreateObject();
		fmt_day(day, sizeof day, days[i].day);
		cJSON_AddStringToObject(d, "day", day);
		cJSON_AddNumberToObject(d, "spend_usd", usd_round(days[i].usd));
		by = cJSON_AddObjectToObject(d, "by_model");
		for (k = days[i].first; k < days[i].first + days[i].n; k++)
			if (spend[k].usd > 0)
				cJSON_AddNumberToObject(by, spend[k].model,
				    usd_round(spend[k].usd));
		cJSON_AddItemToArray(arr, d);
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

/*
 * The last days with spend, newest first, one a line: the day, its total
 * and the models it went to, the most spent on first (a few, then how
 * many more).
 */
static void
print_days(
    const struct store_spend *spend, const struct day_spend *days, size_t ndays)
{
	const struct store_spend *top[STATS_DAY_MODELS];
	char day[16], usd[32], each[32];
	size_t i, k, j, ntop, more;

	printf("\nSpend per day (newest first):\n");
	for (i = 0; i < ndays && i < STATS_TABLE_DAYS; i++) {
		fmt_day(day, sizeof day, days[i].day);
		format_usd(days[i].usd, usd, sizeof usd);
		printf("%-12s %10s  ", day, usd);
		ntop = more = 0;
		for (k = days[i].first; k < days[i].first + days[i].n; k++) {
			if (!(spend[k].usd > 0))
				continue;
			/* Kept in order, the most first. */
			for (j = ntop; j > 0 && top[j - 1]->usd < spend[k].usd;
			     j--)
				if (j < STATS_DAY_MODELS)
					top[j] = top[j - 1];
			if (j < STATS_DAY_MODELS) {
				top[j] = &spend[k];
				if (ntop < STATS_DAY_MODELS)
					ntop++;
				else
					more++;
			} else
				more++;
		}
		for (j = 0; j < ntop; j++) {
			format_usd(top[j]->usd, each, sizeof each);
			printf(
			    "%s%s %s", j > 0 ? ", " : "", top[j]->model, each);
		}
		if (more > 0)
			printf(" and %zu more", more);
		printf("\n");
	}
	if (ndays > STATS_TABLE_DAYS)
		printf("... and %zu earlier day%s (stats --json lists them "
		       "all)\n",
		    ndays - STATS_TABLE_DAYS,
		    ndays - STATS_TABLE_DAYS == 1 ? "" : "s");
}

static int
print_text(const struct store_model_stats *list, const struct learned *ls,
    size_t n, const struct totals *t, const struct store_spend *spend,
    const struct day_spend *days, size_t ndays)
{
	char lat[32], ttft[32], mean[16], any[32], rated[64];
	char today[32], month[32], total[32];
	double u, tt;
	size_t i;

	/* As the chat says amounts: $0.001954 is not "$0.0020". */
	format_usd(t->today, today, sizeof today);
	format_usd(t->month, month, sizeof month);
	format_usd(t->total, total, sizeof total);
	printf(
	    "Spend: %s today, %s this month, %s in all\n", today, month, total);
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
	printf("\n%-24s %6s %10s %10s %10s %9s %8s %7s %5s\n", "MODEL", "CALLS",
	    "TODAY", "MONTH", "TOTAL", "LATENCY", "TTFT", "RATINGS", "MEAN");
	for (i = 0; i < n; i++) {
		const struct store_model_stats *ms = &list[i];

		fmt_ms(lat, sizeof lat, ms->mean_latency_ms, ms->timed > 0);
		tt = model_ttft(ms);
		fmt_ms(ttft, sizeof ttft, tt, tt >= 0);
		if (ms->ratings > 0)
			snprintf(mean, sizeof mean, "%.2f", ms->mean_rating);
		else
			snprintf(mean, sizeof mean, "-");
		format_usd(ms->spend_today, today, sizeof today);
		format_usd(ms->spend_month, month, sizeof month);
		format_usd(ms->spend_total, total, sizeof total);
		printf("%-24s %6lu %10s %10s %10s %9s %8s %7lu %5s\n",
		    ms->model, (unsigned long)ms->calls, today, month, total,
		    lat, ttft, (unsigned long)ms->ratings, mean);
	}
	if (ndays > 0)
		print_days(spend, days, ndays);
	printf("\nWhat the router learned (predicted quality 0..1, before any "
	       "rating -> now;\non the prompts you rated, how far off your "
	       "ratings it was):\n");
	printf("%-24s %8s  %-14s %-26s %s\n", "MODEL", "ABSORBED", "ANY PROMPT",
	    "THE PROMPTS YOU RATED", "UNCERTAINTY");
	for (i = 0; i < n; i++) {
		const struct store_model_stats *ms = &list[i];

		u = ls[i].uncertainty;
		if (isnan(ls[i].q_now)) {
			printf("%-24s %8lu  not a candidate now", ms->model,
			    (unsigned long)ms->ratings + ms->reasks -
			        ms->pending);
			if (ms->has_router)
				printf(" (state %zu B kept)", ms->router_bytes);
			if (ms->pending > 0)
				printf("; %lu more to learn when it is one",
				    (unsigned long)ms->pending);
			printf("\n");
			continue;
		}
		snprintf(any, sizeof any, "%.2f -> %.2f", ls[i].q_prior,
		    ls[i].q_now);
		if (ls[i].rated > 0)
			snprintf(rated, sizeof rated,
			    "off by %.2f -> %.2f (%zu)", ls[i].off_prior,
			    ls[i].off_now, ls[i].rated);
		else
			snprintf(rated, sizeof rated, "-");
		printf("%-24s %8lu  %-14s %-26s %s%.2f", ms->model,
		    (unsigned long)ms->ratings + ms->reasks - ms->pending, any,
		    rated, glyph->pm, u);
		if (ms->pending > 0)
			printf("  (%lu more at the next start)",
			    (unsigned long)ms->pending);
		printf("\n");
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
	struct store_spend *spend = NULL;
	struct day_spend *days = NULL;
	struct learned *ls = NULL;
	struct store *s = NULL;
	struct config cfg;
	struct totals t;
	char *dir = NULL, *cause = NULL;
	bool json = false;
	size_t n = 0, nspend = 0, ndays, i;
	int opt, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs("Usage: mixchat stats [--json]\n"
			      "Spend (today, this month, in all, and per day "
			      "and model), calls and\n"
			      "latency, ratings, and per model what the router "
			      "learned from them.\n"
			      "\n"
			      "      --json   one JSON object instead of the "
			      "tables\n"
			      "\n"
			      "Exit status: 0 ok (nothing stored yet "
			      "included), 1 the database or\n"
			      "config.json cannot be read, 2 usage.\n",
			    stdout);
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
	/* Nothing stored yet: nothing to show, and nothing is created. */
	if (!cli_store_absent(&cfg) &&
	    store_open_read(dir, &s, &cause) != MC_OK) {
		cli_error("%s", cause);
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (s != NULL && store_model_stats(
	                     s, time_day(time_wall_ms()), &list, &n) != MC_OK) {
		cli_error("%s", store_strerror(s));
		rc = EXIT_RUNTIME;
		goto out;
	}
	if (s != NULL && store_spend_list(s, &spend, &nspend) != MC_OK) {
		cli_error("%s", store_strerror(s));
		rc = EXIT_RUNTIME;
		goto out;
	}
	ndays = stats_days(spend, nspend, &days);
	memset(&t, 0, sizeof t);
	for (i = 0; i < n; i++)
		add_totals(&t, &list[i]);
	ls = xcalloc(n + 1, sizeof *ls);
	if (s != NULL)
		stats_learned(&cfg, s, list, ls, n);
	else {
		/* Nothing stored: a damaged router.state is named all the
		 * same, as route names it. */
		char **names;
		size_t nnames;

		cli_vault_names(&cfg, &names, &nnames);
		router_free(stats_router(&cfg, NULL, names, nnames, true));
		vault_names_free(names, nnames);
	}
	rc = json ? print_json(list, ls, n, &t, spend, days, ndays)
	          : print_text(list, ls, n, &t, spend, days, ndays);
	free(ls);
out:
	free(days);
	store_spend_free(spend, nspend);
	store_model_stats_free(list, n);
	store_close(s);
	free(cause);
	free(dir);
	config_release(&cfg);
	return rc;
}
