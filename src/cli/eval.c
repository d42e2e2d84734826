/*
 * eval.c - `mixchat eval`: fit the router on a dataset's train split, route
 * every test prompt across a sweep of lambda, and report the quality-cost
 * curve, AIQ, the cost at 97.25 % of the reference model's quality,
 * APGR/CPT for two-model data, the oracle and the best single model, the
 * routing time, and (--online F) learning from bandit feedback against a
 * frozen router.  Definitions: docs/readme/router.md.
 */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/cli.h"
#include "router/dataset.h"
#include "router/fit.h"
#include "router/metrics.h"
#include "router/online.h"
#include "router/router_int.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define NLAMBDA 89 /* 1e-8 .. 1e3 USD per unit of quality, 8 per decade */

struct eval_opts {
	const char *data, *ref, *source;
	double online; /* < 0: off */
	double lambda; /* operating point of --online */
	bool json, no_tags, no_exemplars, no_trees, validate;
};

/* Per test prompt and model: what the router predicts. */
struct eval_pred {
	size_t n, nm;
	double *q, *c, *u; /* [n * nm] */
};

static double
lambda_at(int i)
{
	return pow(10.0, -8.0 + i / 8.0);
}

static int
pick(const struct eval_pred *p, size_t row, double lambda, double alpha)
{
	double best = -INFINITY, s;
	size_t m;
	int win = 0;

	for (m = 0; m < p->nm; m++) {
		size_t k = row * p->nm + m;

		s = p->q[k] + alpha * p->u[k] - p->c[k] / lambda;
		if (s > best) {
			best = s;
			win = (int)m;
		}
	}
	return win;
}

static cJSON *
json_point(double q, double c, double qref, double cref)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "quality", q);
	cJSON_AddNumberToObject(o, "cost_usd", c);
	cJSON_AddNumberToObject(o, "quality_pct", 100.0 * q / qref);
	cJSON_AddNumberToObject(o, "cost_pct", 100.0 * c / cref);
	return o;
}

/* Where both copies of an online replay start from. */
enum online_start {
	START_FIT,   /* the router fitted on train, as it is */
	START_PRIOR, /* each model adopted from its fitted profile as a
	              * configured model is: at most ROUTER_PRIOR_CAP ratings'
	              * weight per tag (router_profile_adopt) */
	START_TIER,  /* each model as a configured model with no (or an
	              * unknown) prior starts: from its price tier, knowing
	              * nothing of the tags, the classifier kept */
};

/* Quality and cost sums of one copy over the three parts of a replay. */
struct online_sums {
	double q_all, c_all, q_stream, c_stream, q_after, c_after;
};

/* Running sums of a sample: its size, sum and sum of squares. */
struct sample {
	double n, sum, sq;
};

static void
sample_add(struct sample *s, double v)
{
	s->n++;
	s->sum += v;
	s->sq += v * v;
}

/* The sample's variance (n - 1 in the denominator; 0 below two). */
static double
sample_var(const struct sample *s)
{
	double mean, var;

	if (s->n < 2)
		return 0;
	mean = s->sum / s->n;
	var = (s->sq - s->n * mean * mean) / (s->n - 1);
	return var > 0 ? var : 0;
}

/*
 * The paired difference of utility, learning - frozen, prompt by prompt:
 * its mean and standard error say whether "learning beats not learning"
 * is more than the luck of a few prompts (a struct sample of the
 * differences).
 */
static void
paired_add(struct sample *p, double learning, double frozen)
{
	sample_add(p, learning - frozen);
}

/* The standard error of the mean difference (0 below two prompts). */
static double
paired_se(const struct sample *p)
{
	return p->n >= 2 ? sqrt(sample_var(p) / p->n) : 0;
}

/*
 * What the paired gain says: "wins" or "loses" when it is more than two
 * standard errors from 0, "no difference" when the two copies did the
 * same on every prompt, else "within noise".
 */
static const char *
paired_verdict(const struct sample *p)
{
	double mean = p->n > 0 ? p->sum / p->n : 0, se = paired_se(p);

	if (p->sq == 0)
		return "no difference";
	if (se > 0 && mean > 2 * se)
		return "wins";
	if (se > 0 && mean < -2 * se)
		return "loses";
	return "within noise";
}

/* The mean and standard error of p as "<prefix>utility_gain[_se]", and
 * its verdict as "<prefix>verdict". */
static void
paired_json(cJSON *o, const char *prefix, const struct sample *p)
{
	char key[64];

	/* Over no prompts there is no gain to report (null), not 0. */
	snprintf(key, sizeof key, "%sutility_gain", prefix);
	if (p->n > 0)
		cJSON_AddNumberToObject(o, key, p->sum / p->n);
	else
		cJSON_AddNullToObject(o, key);
	snprintf(key, sizeof key, "%sutility_gain_se", prefix);
	if (p->n > 0)
		cJSON_AddNumberToObject(o, key, paired_se(p));
	else
		cJSON_AddNullToObject(o, key);
	snprintf(key, sizeof key, "%sverdict", prefix);
	if (p->n > 0)
		cJSON_AddStringToObject(o, key, paired_verdict(p));
	else
		cJSON_AddNullToObject(o, key);
}

static void
paired_print(const char *what, const struct sample *p)
{
	if (p->n == 0) {
		printf("  %s: n/a (no prompts)\n", what);
		return;
	}
	printf("  %s: utility %+.4f +/- %.4f (standard error, paired over "
	       "%.0f prompts): %s\n",
	    what, p->n > 0 ? p->sum / p->n : 0, paired_se(p), p->n,
	    paired_verdict(p));
}

/* The learner's knobs from the environment (developer knobs for tuning
 * on --validate; undocumented). */
static void
online_params(struct router_memory *m)
{
	struct router_memory_params mp;

	router_memory_params_init(&mp);
	if (getenv("MIXCHAT_MEM_RIDGE") != NULL)
		mp.ridge = atof(getenv("MIXCHAT_MEM_RIDGE"));
	if (getenv("MIXCHAT_MEM_POWER") != NULL)
		mp.power = atoi(getenv("MIXCHAT_MEM_POWER"));
	if (getenv("MIXCHAT_MEM_AUTO") != NULL)
		mp.auto_ridge = atoi(getenv("MIXCHAT_MEM_AUTO"));
	if (getenv("MIXCHAT_TAG_WEIGHT") != NULL)
		mp.tag_weight = atof(getenv("MIXCHAT_TAG_WEIGHT"));
	if (getenv("MIXCHAT_MEM_SHARE") != NULL)
		mp.share_prior = atof(getenv("MIXCHAT_MEM_SHARE"));
	router_memory_set_params(m, &mp);
}

/* The context of every replay: balanced mode at lambda, no latency
 * penalty. */
static void
replay_context(struct router_context *ctx, double lambda)
{
	router_context_init(ctx, MODE_BALANCED);
	ctx->lambda = lambda;
	ctx->latency_tolerance_ms = 0;
}

/*
 * The dataset model the router (corrected by memory, when not NULL)
 * chooses for row, as the app decides; -1 when none.  *d holds the
 * decision either way: the caller releases it.
 */
static int
online_choose(const struct router *r, const struct router_memory *memory,
    const struct dataset *ds, const struct dataset_row *row,
    const struct router_context *ctx, struct router_decision *d)
{
	if (router_online_decide(r, memory, row->prompt, row->len, ctx, d) !=
	        MC_OK ||
	    d->winner < 0)
		return -1;
	return dataset_model_index(ds, d->candidates[d->winner].model);
}

/* Teach r and memory what model m got on row (its quality and reply
 * length), exactly as the app learns from a rating and a reply. */
static void
online_teach(struct router *r, struct router_memory *memory,
    const struct dataset *ds, const struct dataset_row *row,
    const struct router_decision *d, int m)
{
	if (router_online_learn(r, memory, d->features, ds->models[m],
	        row->quality[m], 1.0) != MC_OK ||
	    router_learn_length(
	        r, d->features, ds->models[m], row->out_tokens[m]) != MC_OK)
		abort();
}

/*
 * The fair online comparison.  Two copies of the same start state replay
 * the test rows in file order at the same lambda; after each of the first
 * `nonline` rows the learning copy is told the chosen model's quality and
 * reply length (bandit feedback: nothing about the other models) and
 * learns exactly as the app does from a rating and a reply
 * (router_online_learn with weight 1, router_learn_length); it decides as
 * the app does (router_online_decide: the router corrected by the
 * memory).  The frozen copy never changes and has no memory.  Quality and
 * real cost are summed over the whole replay, the rows with feedback
 * (stream) and the rest (after); the paired gain over the whole replay
 * and over the rows after the feedback.
 */
static void
online_replay(const struct router *fitted, enum online_start start,
    const struct dataset *ds, const bool *use, const size_t *test, size_t ntest,
    size_t nonline, double lambda, struct online_sums *learning,
    struct online_sums *frozen, struct sample *paired, struct sample *after)
{
	struct router *copy[2];
	struct router_memory *memory = router_memory_new();
	struct router_context ctx;
	struct router_decision d;
	size_t i, k;
	int pass;

	online_params(memory);
	memset(learning, 0, sizeof *learning);
	memset(frozen, 0, sizeof *frozen);
	memset(paired, 0, sizeof *paired);
	memset(after, 0, sizeof *after);
	for (pass = 0; pass < 2; pass++) {
		copy[pass] = router_copy(fitted);
		/* A configured model's profile carries no exemplars (they
		 * are the dataset's, keyed by its model names). */
		if (start != START_FIT)
			router_forget_exemplars(copy[pass]);
		if (start == START_TIER) {
			size_t nm = copy[pass]->nmodels;
			struct router_profile **old =
			    xcalloc(nm + 1, sizeof *old);

			/* Re-add every model without a prior: its price tier,
			 * from per-token prices (dataset_flat_price says why
			 * when the rows give no reply lengths). */
			memcpy(old, copy[pass]->models, nm * sizeof *old);
			copy[pass]->nmodels = 0;
			for (k = 0; k < nm; k++) {
				double pin = old[k]->price_in,
				       pout = old[k]->price_out;
				int m = dataset_model_index(ds, old[k]->id);

				if (!ds->lengths && m >= 0)
					pin = pout = dataset_flat_price(
					    ds, use, (size_t)m);
				if (router_add_model(copy[pass], old[k]->id,
				        pin, pout, NULL) != MC_OK)
					abort();
				router_profile_free(old[k]);
			}
			free(old);
			continue;
		}
		if (start != START_PRIOR)
			continue;
		for (k = 0; k < copy[pass]->nmodels; k++) {
			struct router_profile *adopted = router_profile_adopt(
			    copy[pass]->models[k], copy[pass]->models[k]->id);

			router_profile_free(copy[pass]->models[k]);
			copy[pass]->models[k] = adopted;
		}
	}
	replay_context(&ctx, lambda);
	for (i = 0; i < ntest; i++) {
		const struct dataset_row *row = &ds->rows[test[i]];
		double u[2];
		int decided = 0;

		for (pass = 0; pass < 2; pass++) {
			struct online_sums *s = pass == 0 ? learning : frozen;
			double q, c;
			int m;

			m = online_choose(copy[pass], pass == 0 ? memory : NULL,
			    ds, row, &ctx, &d);
			if (m < 0) {
				router_decision_release(&d);
				continue;
			}
			q = row->quality[m];
			c = row->cost_usd[m];
			u[pass] = q - c / lambda;
			decided++;
			s->q_all += q;
			s->c_all += c;
			if (i < nonline) {
				s->q_stream += q;
				s->c_stream += c;
			} else {
				s->q_after += q;
				s->c_after += c;
			}
			if (pass == 0 && i < nonline)
				online_teach(copy[0], memory, ds, row, &d, m);
			router_decision_release(&d);
		}
		if (decided == 2)
			paired_add(paired, u[0], u[1]);
		if (decided == 2 && i >= nonline)
			paired_add(after, u[0], u[1]);
	}
	for (pass = 0; pass < 2; pass++) {
		struct online_sums *s = pass == 0 ? learning : frozen;

		s->q_all /= (double)ntest;
		s->c_all /= (double)ntest;
		if (nonline > 0) {
			s->q_stream /= (double)nonline;
			s->c_stream /= (double)nonline;
		}
		if (ntest > nonline) {
			s->q_after /= (double)(ntest - nonline);
			s->c_after /= (double)(ntest - nonline);
		}
		router_free(copy[pass]);
	}
	router_memory_free(memory);
}

/* key_which = v, or null when it is a mean over no prompts. */
static void
mean_json(cJSON *o, const char *key, const char *which, double v, size_t n)
{
	char k[64];

	snprintf(k, sizeof k, "%s_%s", key, which);
	if (n > 0)
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void
online_json(cJSON *o, const char *which, const struct online_sums *s,
    double lambda, size_t nstream, size_t nafter)
{
	/* What the router maximises: quality - cost / lambda. */
	mean_json(o, "utility", which, s->q_all - s->c_all / lambda, 1);
	mean_json(o, "after_utility", which, s->q_after - s->c_after / lambda,
	    nafter);
	mean_json(o, "quality", which, s->q_all, 1);
	mean_json(o, "cost_usd", which, s->c_all, 1);
	mean_json(o, "stream_quality", which, s->q_stream, nstream);
	mean_json(o, "stream_cost_usd", which, s->c_stream, nstream);
	mean_json(o, "after_quality", which, s->q_after, nafter);
	mean_json(o, "after_cost_usd", which, s->c_after, nafter);
}

/*
 * The full-information ceiling of a replay: `refit`, fitted on the rows
 * of `base` plus the feedback rows with every model's quality on them
 * (far more than bandit feedback ever tells), against `base`, fitted
 * without them; the paired utility gain over `rows`.  A learner that can
 * only be told the chosen model's quality cannot expect to gain more;
 * when this ceiling is within its standard error of zero, no learner can
 * show a gain on this data.
 */
static void
online_ceiling(const struct router *base, const struct router *refit,
    const struct dataset *ds, const size_t *rows, size_t nrows, double lambda,
    struct sample *p)
{
	const struct router *r[2] = { base, refit };
	struct router_context ctx;
	struct router_decision d;
	size_t i;
	int k;

	memset(p, 0, sizeof *p);
	replay_context(&ctx, lambda);
	for (i = 0; i < nrows; i++) {
		const struct dataset_row *row = &ds->rows[rows[i]];
		double u[2];

		for (k = 0; k < 2; k++) {
			int m = online_choose(r[k], NULL, ds, row, &ctx, &d);

			router_decision_release(&d);
			if (m < 0)
				break;
			u[k] = row->quality[m] - row->cost_usd[m] / lambda;
		}
		if (k == 2)
			paired_add(p, u[1], u[0]);
	}
}

/* `fitted` fitted again with the first nonline test rows added to its
 * training rows, its developer knobs kept; NULL when the fit fails. */
static struct router *
refit_with(const struct router *fitted, const struct dataset *ds,
    const bool *use, const struct router_fit_options *fo, const size_t *test,
    size_t nonline)
{
	bool *more = xcalloc(ds->nrows + 1, sizeof *more);
	struct router *r = NULL;
	char *cause = NULL;
	size_t i;

	memcpy(more, use, ds->nrows * sizeof *more);
	for (i = 0; i < nonline; i++)
		more[test[i]] = true;
	if (dataset_fit(ds, more, fo, &r, &cause) == MC_OK) {
		r->alpha = fitted->alpha;
		r->online_lr = fitted->online_lr;
	}
	free(cause);
	free(more);
	return r;
}

/* --online F: the replays from the fitted state ("online"), the capped
 * priors ("online_prior") and the price tiers ("online_tier"), printed
 * or added to out; for the fitted state, its full-information ceiling. */
static void
eval_online(const struct router *fitted, const struct dataset *ds,
    const bool *use, const struct router_fit_options *fo, const size_t *test,
    size_t ntest, double frac, double lambda, cJSON *out, bool json)
{
	static const char *const names[3] = { "online", "online_prior",
		"online_tier" };
	static const char *const starts[3] = { "fit", "prior", "tier" };
	static const char *const start_words[3] = { "fitted state",
		"capped priors", "price tiers (no prior)" };
	struct online_sums l, f;
	struct sample pd, pa, ceiling;
	size_t nonline = (size_t)(frac * (double)ntest);
	struct router *refit = refit_with(fitted, ds, use, fo, test, nonline);
	int k;

	if (refit != NULL)
		online_ceiling(fitted, refit, ds, test + nonline,
		    ntest - nonline, lambda, &ceiling);
	router_free(refit);
	for (k = 0; k < 3; k++) {
		online_replay(fitted,
		    k == 0   ? START_FIT
		    : k == 1 ? START_PRIOR
		             : START_TIER,
		    ds, use, test, ntest, nonline, lambda, &l, &f, &pd, &pa);
		if (json) {
			cJSON *o = cJSON_AddObjectToObject(out, names[k]);

			cJSON_AddStringToObject(o, "start", starts[k]);
			cJSON_AddNumberToObject(o, "fraction", frac);
			cJSON_AddNumberToObject(o, "lambda", lambda);
			cJSON_AddNumberToObject(
			    o, "n_feedback", (double)nonline);
			cJSON_AddNumberToObject(
			    o, "n_after", (double)(ntest - nonline));
			online_json(o, "learning", &l, lambda, nonline,
			    ntest - nonline);
			online_json(
			    o, "frozen", &f, lambda, nonline, ntest - nonline);
			paired_json(o, "", &pd);
			paired_json(o, "after_", &pa);
			if (k == 0 && refit != NULL)
				paired_json(o, "ceiling_after_", &ceiling);
			continue;
		}
		printf("\nonline from the %s (lambda %g): feedback on the "
		       "first %zu of %zu prompts\n",
		    start_words[k], lambda, nonline, ntest);
		/* Which prompts each column is over, above its name: the
		 * feedback's (stream_*) and the rest's (after_*). */
		printf("  %-9s %-31s %13s  %-31s\n", "",
		    "----------- all prompts -------", "with feedback",
		    "------ after the feedback -----");
		printf("  %-9s %9s %11s %9s %13s  %9s %11s %9s\n", "",
		    "quality", "cost_usd", "utility", "quality", "quality",
		    "cost_usd", "utility");
		printf("  %-9s %9.4f %11.6f %9.4f %13.4f  %9.4f %11.6f %9.4f\n",
		    "learning", l.q_all, l.c_all, l.q_all - l.c_all / lambda,
		    l.q_stream, l.q_after, l.c_after,
		    l.q_after - l.c_after / lambda);
		printf("  %-9s %9.4f %11.6f %9.4f %13.4f  %9.4f %11.6f %9.4f\n",
		    "frozen", f.q_all, f.c_all, f.q_all - f.c_all / lambda,
		    f.q_stream, f.q_after, f.c_after,
		    f.q_after - f.c_after / lambda);
		paired_print("learning - frozen", &pd);
		paired_print("  after the feedback", &pa);
		if (k == 0 && refit != NULL)
			paired_print("  ceiling after (refitted with every "
			             "model's quality)",
			    &ceiling);
	}
}

/*
 * Continual training, as MixLLM evaluates it: the router is fitted offline
 * on a (1 - F) share of `train` (chosen by the CRC-32 of each row's id);
 * the other F share of `train` then arrives as a stream in file order, and
 * only the learning copy is told the chosen model's quality and reply
 * length for each streamed prompt (bandit feedback, learned exactly as the
 * app learns).  Both copies then route every `test` prompt without
 * learning; quality and cost are summed there.  Nothing of `test` is ever
 * fed back.  *ceiling is what `fitted`, the router fitted on all of
 * `train` (every model's quality on the streamed prompts too), gains on
 * `test` over the offline share's router.
 */
static int
online_partial(const struct router *fitted, const struct dataset *ds,
    const bool *use, const struct router_fit_options *fo, const size_t *test,
    size_t ntest, double frac, double lambda, struct online_sums *learning,
    struct online_sums *frozen, struct sample *paired, struct sample *ceiling,
    size_t *nstream)
{
	struct router *base = NULL, *copy[2];
	struct router_memory *memory;
	struct router_context ctx;
	struct router_decision d;
	bool *offline;
	char *cause = NULL;
	size_t i;
	int pass, rc, m;

	memset(learning, 0, sizeof *learning);
	memset(frozen, 0, sizeof *frozen);
	memset(paired, 0, sizeof *paired);
	*nstream = 0;
	offline = xcalloc(ds->nrows + 1, sizeof *offline);
	for (i = 0; i < ds->nrows; i++) {
		if (!use[i])
			continue;
		if (router_crc32(ds->rows[i].id, strlen(ds->rows[i].id)) %
		        1000 >=
		    (uint32_t)(frac * 1000))
			offline[i] = true;
		else
			(*nstream)++;
	}
	rc = dataset_fit(ds, offline, fo, &base, &cause);
	if (rc != MC_OK) {
		free(cause);
		free(offline);
		return rc;
	}
	base->alpha = fitted->alpha; /* the developer knobs kept */
	base->online_lr = fitted->online_lr;
	online_ceiling(base, fitted, ds, test, ntest, lambda, ceiling);
	memory = router_memory_new();
	online_params(memory);
	copy[0] = router_copy(base);
	copy[1] = router_copy(base);
	replay_context(&ctx, lambda);
	for (i = 0; i < ds->nrows; i++) {
		const struct dataset_row *row = &ds->rows[i];

		if (!use[i] || offline[i])
			continue;
		m = online_choose(copy[0], memory, ds, row, &ctx, &d);
		if (m >= 0)
			online_teach(copy[0], memory, ds, row, &d, m);
		router_decision_release(&d);
	}
	for (i = 0; i < ntest; i++) {
		const struct dataset_row *row = &ds->rows[test[i]];
		double u[2];
		int decided = 0;

		for (pass = 0; pass < 2; pass++) {
			struct online_sums *sum = pass == 0 ? learning : frozen;

			m = online_choose(copy[pass], pass == 0 ? memory : NULL,
			    ds, row, &ctx, &d);
			if (m >= 0) {
				sum->q_all += row->quality[m] / (double)ntest;
				sum->c_all += row->cost_usd[m] / (double)ntest;
				u[pass] =
				    row->quality[m] - row->cost_usd[m] / lambda;
				decided++;
			}
			router_decision_release(&d);
		}
		if (decided == 2)
			paired_add(paired, u[0], u[1]);
	}
	learning->q_after = learning->q_all;
	learning->c_after = learning->c_all;
	frozen->q_after = frozen->q_all;
	frozen->c_after = frozen->c_all;
	router_free(copy[0]);
	router_free(copy[1]);
	router_free(base);
	router_memory_free(memory);
	free(offline);
	return MC_OK;
}

/* --online F, MixLLM's continual training: printed or added to out. */
static void
eval_partial(const struct router *fitted, const struct dataset *ds,
    const bool *use, const struct router_fit_options *fo, const size_t *test,
    size_t ntest, double frac, double lambda, cJSON *out, bool json)
{
	struct online_sums l, f;
	struct sample pd, ceiling;
	size_t nstream;

	if (online_partial(fitted, ds, use, fo, test, ntest, frac, lambda, &l,
	        &f, &pd, &ceiling, &nstream) != MC_OK)
		return;
	if (json) {
		cJSON *o = cJSON_AddObjectToObject(out, "online_partial");

		cJSON_AddStringToObject(o, "start", "partial");
		cJSON_AddNumberToObject(o, "fraction", frac);
		cJSON_AddNumberToObject(o, "lambda", lambda);
		cJSON_AddNumberToObject(o, "n_stream", (double)nstream);
		/* The streamed prompts are train's, not scored (no stream
		 * means); all of test comes after them. */
		online_json(o, "learning", &l, lambda, 0, ntest);
		online_json(o, "frozen", &f, lambda, 0, ntest);
		paired_json(o, "", &pd);
		if (ceiling.n > 0)
			paired_json(o, "ceiling_", &ceiling);
		return;
	}
	printf("\ncontinual training (lambda %g): fitted on %.0f %% of train, "
	       "%zu train prompts streamed with feedback, scored on the %zu "
	       "test prompts\n",
	    lambda, 100 * (1 - frac), nstream, ntest);
	printf("  %-9s %9s %11s %9s\n", "", "quality", "cost_usd", "utility");
	printf("  %-9s %9.4f %11.6f %9.4f\n", "learning", l.q_all, l.c_all,
	    l.q_all - l.c_all / lambda);
	printf("  %-9s %9.4f %11.6f %9.4f\n", "frozen", f.q_all, f.c_all,
	    f.q_all - f.c_all / lambda);
	paired_print("learning - frozen", &pd);
	if (ceiling.n > 0)
		paired_print("  ceiling (fitted on all of train)", &ceiling);
}

/*
 * How much of a result is the luck of the test prompts: the metrics
 * recomputed on EVAL_RESAMPLES resamples (with replacement) of the test
 * prompts, the router's decisions held fixed, and their standard
 * deviation reported as the standard error.  The reference's and the
 * cheapest model's costs are taken from each resample, as the metric
 * itself takes them.  A fixed seed: the same run prints the same figures.
 */
#define EVAL_RESAMPLES 200

struct eval_sample_ctx {
	const struct eval_pred *p;
	const struct dataset *ds;
	const size_t *test;
	size_t ntest;
	double alpha;
	int ref, cheap, strong; /* strong: APGR's (two models) */
};

/* xorshift64*: a small deterministic generator for the resamples. */
static uint64_t
resample_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* The standard deviation of a metric over the resamples as key (null
 * below two resamples that define it). */
static void
sample_sd_json(cJSON *o, const char *key, const struct sample *mo)
{
	if (mo->n < 2)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, sqrt(sample_var(mo)));
}

/* The metrics of one resample (rows: indices into the test prompts;
 * choice: the router's pick per lambda and test prompt). */
static void
eval_one_sample(const struct eval_sample_ctx *x, const size_t *rows,
    const int *choice, struct sample *aiq, struct sample *at,
    struct sample *apgr, double *scratch)
{
	struct metrics_point pts[NLAMBDA];
	const struct dataset_row *row;
	double qref = 0, cref = 0, clo = 0, best = -1;
	size_t i, n = x->ntest, nm = x->p->nm;
	int k;

	for (i = 0; i < n; i++) {
		row = &x->ds->rows[x->test[rows[i]]];
		qref += row->quality[x->ref] / (double)n;
		cref += row->cost_usd[x->ref] / (double)n;
		clo += row->cost_usd[x->cheap] / (double)n;
	}
	for (k = 0; k < NLAMBDA; k++) {
		double q = 0, c = 0;

		for (i = 0; i < n; i++) {
			int w = choice[(size_t)k * n + rows[i]];

			row = &x->ds->rows[x->test[rows[i]]];
			q += row->quality[w];
			c += row->cost_usd[w];
		}
		pts[k].quality = q / (double)n;
		pts[k].cost = c / (double)n;
		if (cref > 0 && pts[k].quality >= 0.9725 * qref &&
		    (best < 0 || pts[k].cost / cref < best))
			best = pts[k].cost / cref;
	}
	/* A resample where a metric is not defined (the reference no
	 * dearer than the cheapest model; no quality gap) is left out. */
	if (cref > clo)
		sample_add(aiq, metrics_aiq(pts, NLAMBDA, clo, cref));
	if (best >= 0)
		sample_add(at, 100.0 * best);
	if (nm == 2) {
		int s = x->strong, w = 1 - s;
		double *pref = scratch, *qw = scratch + n,
		       *qs = scratch + 2 * n;
		double a, c50, c80, gap = 0;

		for (i = 0; i < n; i++) {
			size_t j = rows[i];

			row = &x->ds->rows[x->test[j]];
			pref[i] = x->p->q[j * nm + s] +
			          x->alpha * x->p->u[j * nm + s] -
			          x->p->q[j * nm + w] -
			          x->alpha * x->p->u[j * nm + w];
			qw[i] = row->quality[w];
			qs[i] = row->quality[s];
			gap += qs[i] - qw[i];
		}
		if (gap > 0) {
			metrics_apgr(pref, qw, qs, n, &a, &c50, &c80);
			sample_add(apgr, a);
		}
	}
}

/*
 * A share (0..1) as a percentage with as few decimals as keep a share
 * below 1 under "100" and one above 0 over "0": 0.995 is "99.5", not
 * "100".
 */
static const char *
pct_text(double share, char *buf, size_t n)
{
	double p = 100 * share;
	int d;

	for (d = 0; d < 6; d++) {
		snprintf(buf, n, "%.*f", d, p);
		if ((p >= 100 || atof(buf) < 100) && (p <= 0 || atof(buf) > 0))
			break;
	}
	return buf;
}

/* A standard error of the "bootstrap" object for the text, "n/a" when
 * the resamples could not give one. */
static const char *
se_text(const cJSON *boot, const char *key, int decimals, char *buf, size_t n)
{
	const cJSON *v = cJSON_GetObjectItem(boot, key);

	if (!cJSON_IsNumber(v))
		return "n/a";
	snprintf(buf, n, "%.*f", decimals, v->valuedouble);
	return buf;
}

/*
 * The "bootstrap" object of eval's JSON: resamples, aiq_se,
 * cost_pct_at_97_25_se and the share of resamples that reach 97.25 %
 * (cost_pct_at_97_25_reached), apgr_se (null but for two models).  For
 * two models x->strong is the dearer one, as APGR has it.
 */
static cJSON *
eval_bootstrap(const struct eval_sample_ctx *x)
{
	struct sample aiq = { 0, 0, 0 }, at = { 0, 0, 0 }, apgr = { 0, 0, 0 };
	size_t n = x->ntest, i, b;
	int *choice = xcalloc((size_t)NLAMBDA * n, sizeof *choice);
	size_t *rows = xcalloc(n, sizeof *rows);
	double *scratch = xcalloc(3 * n, sizeof *scratch);
	uint64_t seed = 0x6d69786368617431ull;
	cJSON *o = cJSON_CreateObject();
	int k;

	for (k = 0; k < NLAMBDA; k++)
		for (i = 0; i < n; i++)
			choice[(size_t)k * n + i] =
			    pick(x->p, i, lambda_at(k), x->alpha);
	for (b = 0; b < EVAL_RESAMPLES; b++) {
		for (i = 0; i < n; i++)
			rows[i] = (size_t)(resample_next(&seed) % n);
		eval_one_sample(x, rows, choice, &aiq, &at, &apgr, scratch);
	}
	cJSON_AddNumberToObject(o, "resamples", EVAL_RESAMPLES);
	sample_sd_json(o, "aiq_se", &aiq);
	sample_sd_json(o, "cost_pct_at_97_25_se", &at);
	cJSON_AddNumberToObject(
	    o, "cost_pct_at_97_25_reached", at.n / EVAL_RESAMPLES);
	if (x->p->nm == 2)
		sample_sd_json(o, "apgr_se", &apgr);
	else
		cJSON_AddNullToObject(o, "apgr_se");
	free(choice);
	free(rows);
	free(scratch);
	return o;
}

static int
eval_run(const struct eval_opts *o)
{
	struct dataset ds;
	struct router_fit_options fo;
	struct router *r = NULL;
	struct router_features *f = NULL;
	struct eval_pred p;
	bool *use = NULL;
	size_t *test = NULL, ntest = 0, ntrain = 0, i, m, nm;
	double *mq = NULL, *mc = NULL, *times = NULL, qref, cref, clo;
	double oq = 0, oc = 0, aiq, at9725 = -1, alpha, t0;
	struct metrics_point pts[NLAMBDA];
	double curve_q[NLAMBDA], curve_c[NLAMBDA];
	size_t tag_hits = 0, near_dups = 0;
	uint32_t fold = 0;
	int ref = -1, best = 0, cheap = 0, k, rc, ret = EXIT_RUNTIME;
	char *cause = NULL;
	cJSON *out = NULL, *arr, *boot = NULL;
	char sebuf[32], pctbuf[32], figures[96], shown[96];

	memset(&p, 0, sizeof p);
	if (getenv("MIXCHAT_VAL_FOLD") != NULL) /* developer knob */
		fold = (uint32_t)atoi(getenv("MIXCHAT_VAL_FOLD")) % 5;
	rc = dataset_load(&ds, o->data, o->source, &cause);
	if (rc != MC_OK) {
		cli_error("%s", cause);
		goto out;
	}
	nm = ds.nmodels;
	use = xcalloc(ds.nrows + 1, sizeof *use);
	test = xcalloc(ds.nrows + 1, sizeof *test);
	for (i = 0; i < ds.nrows; i++) {
		const struct dataset_row *row = &ds.rows[i];
		bool train = strcmp(row->split, "train") == 0;

		if (o->validate) {
			/* A fifth of train, by a hash of the id, stands in
			 * for test: tuning never looks at test. */
			if (!train)
				continue;
			if (router_crc32(row->id, strlen(row->id)) % 5 == fold)
				train = false;
			else {
				use[i] = true;
				ntrain++;
				continue;
			}
			test[ntest++] = i;
			continue;
		}
		if (train) {
			use[i] = true;
			ntrain++;
		} else if (strcmp(row->split, "test") == 0)
			test[ntest++] = i;
	}
	if (ntrain == 0 || ntest == 0) {
		cli_error("%s: needs rows of split 'train' and 'test' (found "
		          "%zu and %zu)",
		    ds.name, ntrain, ntest);
		goto out;
	}
	router_fit_options_init(&fo);
	fo.tags = !o->no_tags;
	fo.exemplars = !o->no_exemplars;
	fo.trees = !o->no_trees;
	/* Developer knobs for tuning on --validate (undocumented). */
	if (getenv("MIXCHAT_FIT_L2") != NULL)
		fo.l2 = atof(getenv("MIXCHAT_FIT_L2"));
	if (getenv("MIXCHAT_FIT_LR") != NULL)
		fo.lr = atof(getenv("MIXCHAT_FIT_LR"));
	if (getenv("MIXCHAT_FIT_DENSE") != NULL)
		fo.dense_l2 = atof(getenv("MIXCHAT_FIT_DENSE"));
	if (getenv("MIXCHAT_FIT_TAG_EPOCHS") != NULL)
		fo.tag_epochs = atoi(getenv("MIXCHAT_FIT_TAG_EPOCHS"));
	if (getenv("MIXCHAT_FIT_EPOCHS") != NULL)
		fo.epochs = atoi(getenv("MIXCHAT_FIT_EPOCHS"));
	if (getenv("MIXCHAT_FIT_RIDGE") != NULL)
		fo.ridge = atof(getenv("MIXCHAT_FIT_RIDGE"));
	if (getenv("MIXCHAT_FIT_SHAPE") != NULL)
		fo.shape_scale = atof(getenv("MIXCHAT_FIT_SHAPE"));
	rc = dataset_fit(&ds, use, &fo, &r, &cause);
	if (rc != MC_OK) {
		cli_error("%s", cause);
		goto out;
	}
	/* Developer knobs of the online learner (undocumented). */
	if (getenv("MIXCHAT_ALPHA") != NULL)
		r->alpha = atof(getenv("MIXCHAT_ALPHA"));
	if (getenv("MIXCHAT_ONLINE_LR") != NULL)
		r->online_lr = atof(getenv("MIXCHAT_ONLINE_LR"));
	alpha = r->alpha;

	/* Predictions for every test prompt, and the time of a whole
	 * decision (features included). */
	f = xmalloc(sizeof *f);
	p.n = ntest;
	p.nm = nm;
	p.q = xcalloc(ntest * nm, sizeof *p.q);
	p.c = xcalloc(ntest * nm, sizeof *p.c);
	p.u = xcalloc(ntest * nm, sizeof *p.u);
	times = xcalloc(ntest, sizeof *times);
	for (i = 0; i < ntest; i++) {
		const struct dataset_row *row = &ds.rows[test[i]];
		struct router_context ctx;
		struct router_decision d;

		router_context_init(&ctx, MODE_BALANCED);
		t0 = time_mono_usf();
		rc = router_decide(r, row->prompt, row->len, &ctx, &d);
		times[i] = time_mono_usf() - t0;
		if (rc != MC_OK && rc != MC_ERR_BUDGET) {
			router_decision_release(&d);
			cli_error("routing failed: %s", mixchat_strerror(rc));
			goto out;
		}
		/* The decision's own features: computed once, timed above. */
		memcpy(f, d.features, sizeof *f);
		router_decision_release(&d);
		{
			uint32_t t, bt = 0;

			for (t = 1; t < f->ntags; t++)
				if (f->tag[t] > f->tag[bt])
					bt = t;
			if (strcmp(router_tag_name(r, bt), row->tag) == 0)
				tag_hits++;
		}
		{
			struct router_exemplar_match one;

			if (f->has_sig && router_exemplars_match(r->exemplars,
			                      f->sig, &one, 1) > 0)
				near_dups++;
		}
		router_qualities(r, f, p.q + i * nm);
		for (m = 0; m < nm; m++) {
			const struct router_profile *pr = r->models[m];
			double out_tok = router_profile_out_tokens(pr, f);

			p.u[i * nm + m] = router_profile_uncertainty(pr, f);
			p.c[i * nm + m] = (f->in_tokens * pr->price_in +
			                      out_tok * pr->price_out) /
			                  1e6;
		}
	}
	time_sort(times, ntest);

	/* Single models, the reference, the oracle. */
	mq = xcalloc(nm, sizeof *mq);
	mc = xcalloc(nm, sizeof *mc);
	for (i = 0; i < ntest; i++) {
		const struct dataset_row *row = &ds.rows[test[i]];
		int om = 0;

		for (m = 0; m < nm; m++) {
			mq[m] += row->quality[m] / (double)ntest;
			mc[m] += row->cost_usd[m] / (double)ntest;
			if (row->quality[m] > row->quality[om] ||
			    (row->quality[m] == row->quality[om] &&
			        row->cost_usd[m] < row->cost_usd[om]))
				om = (int)m;
		}
		oq += row->quality[om] / (double)ntest;
		oc += row->cost_usd[om] / (double)ntest;
	}
	for (m = 0; m < nm; m++) {
		if (mc[m] > mc[ref < 0 ? 0 : ref] || ref < 0)
			ref = (int)m;
		if (mq[m] > mq[best] || (mq[m] == mq[best] && mc[m] < mc[best]))
			best = (int)m;
		if (mc[m] < mc[cheap])
			cheap = (int)m;
	}
	if (o->ref != NULL && (ref = dataset_model_index(&ds, o->ref)) < 0) {
		cli_error("%s: --ref %s is not a model of the dataset", ds.name,
		    o->ref);
		ret = EXIT_USAGE; /* a bad argument, not a bad file */
		goto out;
	}
	qref = mq[ref];
	cref = mc[ref];
	clo = mc[cheap];

	for (k = 0; k < NLAMBDA; k++) {
		double q = 0, c = 0;

		for (i = 0; i < ntest; i++) {
			int w = pick(&p, i, lambda_at(k), alpha);

			q += ds.rows[test[i]].quality[w];
			c += ds.rows[test[i]].cost_usd[w];
		}
		curve_q[k] = q / (double)ntest;
		curve_c[k] = c / (double)ntest;
		pts[k].quality = curve_q[k];
		pts[k].cost = curve_c[k];
		if (curve_q[k] >= 0.9725 * qref &&
		    (at9725 < 0 || curve_c[k] / cref < at9725))
			at9725 = curve_c[k] / cref;
	}
	aiq = metrics_aiq(pts, NLAMBDA, clo, cref);

	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "data", ds.name);
	if (o->source != NULL)
		cJSON_AddStringToObject(out, "source", o->source);
	cJSON_AddBoolToObject(out, "tags", !o->no_tags);
	cJSON_AddBoolToObject(out, "exemplars", !o->no_exemplars);
	cJSON_AddBoolToObject(out, "trees", !o->no_trees);
	cJSON_AddBoolToObject(out, "validate", o->validate);
	cJSON_AddNumberToObject(out, "n_train", (double)ntrain);
	cJSON_AddNumberToObject(out, "n_test", (double)ntest);
	cJSON_AddNumberToObject(out, "n_tags", (double)r->ntags);
	/* With one tag there is nothing to tell apart. */
	if (r->ntags > 1)
		cJSON_AddNumberToObject(
		    out, "tag_accuracy", (double)tag_hits / (double)ntest);
	else
		cJSON_AddNullToObject(out, "tag_accuracy");
	cJSON_AddNumberToObject(out, "n_near_duplicates", (double)near_dups);
	cJSON_AddStringToObject(out, "ref_model", ds.models[ref]);
	cJSON_AddNumberToObject(out, "ref_quality", qref);
	cJSON_AddNumberToObject(out, "ref_cost_usd", cref);
	arr = cJSON_AddArrayToObject(out, "curve");
	for (k = 0; k < NLAMBDA; k++) {
		cJSON *pt = json_point(curve_q[k], curve_c[k], qref, cref);

		cJSON_AddNumberToObject(pt, "lambda", lambda_at(k));
		cJSON_AddItemToArray(arr, pt);
	}
	if (at9725 >= 0)
		cJSON_AddNumberToObject(
		    out, "cost_pct_at_97_25", 100.0 * at9725);
	else
		cJSON_AddNullToObject(out, "cost_pct_at_97_25");
	/* AIQ is an area over [cheapest, reference]: with no width (the
	 * reference is the cheapest model) there is none, not 0. */
	if (cref > clo)
		cJSON_AddNumberToObject(out, "aiq", aiq);
	else
		cJSON_AddNullToObject(out, "aiq");
	{
		struct metrics_point sp[DATASET_MAX_MODELS];

		for (m = 0; m < nm; m++) {
			sp[m].cost = mc[m];
			sp[m].quality = mq[m];
		}
		if (cref > clo)
			cJSON_AddNumberToObject(out, "aiq_single_models",
			    metrics_aiq(sp, nm, clo, cref));
		else
			cJSON_AddNullToObject(out, "aiq_single_models");
	}
	{
		struct eval_sample_ctx x;

		x.p = &p;
		x.ds = &ds;
		x.test = test;
		x.ntest = ntest;
		x.alpha = alpha;
		x.ref = ref;
		x.strong = nm == 2 && mc[1] >= mc[0] ? 1 : 0;
		x.cheap = cheap;
		boot = eval_bootstrap(&x);
	}
	if (nm == 2) {
		int s = mc[0] > mc[1] ? 0 : 1, w = 1 - s;
		double *pref = xcalloc(ntest, sizeof *pref);
		double *qw = xcalloc(ntest, sizeof *qw);
		double *qs = xcalloc(ntest, sizeof *qs);
		double apgr, c50, c80;

		for (i = 0; i < ntest; i++) {
			pref[i] = p.q[i * nm + s] + alpha * p.u[i * nm + s] -
			          p.q[i * nm + w] - alpha * p.u[i * nm + w];
			qw[i] = ds.rows[test[i]].quality[w];
			qs[i] = ds.rows[test[i]].quality[s];
		}
		metrics_apgr(pref, qw, qs, ntest, &apgr, &c50, &c80);
		cJSON_AddNumberToObject(out, "apgr", apgr);
		cJSON_AddNumberToObject(out, "cpt50", c50);
		cJSON_AddNumberToObject(out, "cpt80", c80);
		cJSON_AddStringToObject(out, "strong_model", ds.models[s]);
		cJSON_AddStringToObject(out, "weak_model", ds.models[w]);
		free(pref);
		free(qw);
		free(qs);
	} else {
		cJSON_AddNullToObject(out, "apgr");
		cJSON_AddNullToObject(out, "cpt50");
		cJSON_AddNullToObject(out, "cpt80");
	}
	cJSON_AddItemToObject(out, "bootstrap", boot);
	cJSON_AddItemToObject(out, "oracle", json_point(oq, oc, qref, cref));
	{
		cJSON *b = json_point(mq[best], mc[best], qref, cref);

		cJSON_AddStringToObject(b, "model", ds.models[best]);
		cJSON_AddItemToObject(out, "best_single", b);
	}
	arr = cJSON_AddArrayToObject(out, "models");
	for (m = 0; m < nm; m++) {
		cJSON *b = json_point(mq[m], mc[m], qref, cref);

		cJSON_AddStringToObject(b, "model", ds.models[m]);
		cJSON_AddItemToArray(arr, b);
	}
	cJSON_AddNumberToObject(out, "route_us_median", times[ntest / 2]);
	cJSON_AddNumberToObject(
	    out, "route_us_p99", times[(size_t)((double)(ntest - 1) * 0.99)]);

	if (o->json) {
		if (o->online >= 0) {
			eval_online(r, &ds, use, &fo, test, ntest, o->online,
			    o->lambda, out, true);
			eval_partial(r, &ds, use, &fo, test, ntest, o->online,
			    o->lambda, out, true);
		}
		char *s = cJSON_PrintUnformatted(out);

		puts(s);
		free(s);
	} else {
		printf("%s: %zu train, %zu %s prompts, %zu model%s, %u "
		       "tag%s%s%s%s\n",
		    ds.name, ntrain, ntest, o->validate ? "validation" : "test",
		    nm, nm == 1 ? "" : "s", r->ntags, r->ntags == 1 ? "" : "s",
		    o->no_tags ? " (tags off)" : "",
		    o->no_exemplars ? " (exemplars off)" : "",
		    o->no_trees ? " (shape trees off)" : "");
		if (r->ntags > 1)
			printf("tags: the most likely tag is the row's label "
			       "for %.1f%% of the prompts\n",
			    100.0 * (double)tag_hits / (double)ntest);
		else
			printf("tags: one for every prompt (%s)\n",
			    o->no_tags ? "--no-tags"
			               : "the data has a single label");
		if (r->exemplars != NULL)
			printf("exemplars: %zu of the prompts nearly duplicate "
			       "a training prompt\n",
			    near_dups);
		printf("reference %s: quality %.4f, cost $%.6f per prompt\n\n",
		    ds.models[ref], qref, cref);
		printf("%12s %9s %11s %9s %9s\n", "lambda", "quality",
		    "cost_usd", "quality%", "cost%");
		/* A row where the figures shown change: decisions that
		 * move the cost by $1e-7 a prompt print as the row before. */
		shown[0] = '\0';
		for (k = 0; k < NLAMBDA; k++) {
			snprintf(figures, sizeof figures,
			    "%9.4f %11.6f %8.2f%% %8.2f%%", curve_q[k],
			    curve_c[k], 100 * curve_q[k] / qref,
			    100 * curve_c[k] / cref);
			if (strcmp(figures, shown) == 0)
				continue;
			printf("%12.3g %s\n", lambda_at(k), figures);
			memcpy(shown, figures, sizeof shown);
		}
		if (cref > clo)
			printf("\nAIQ %.4f (single models' hull %.4f) over "
			       "$%.6f .. $%.6f\n",
			    aiq,
			    cJSON_GetNumberValue(
			        cJSON_GetObjectItem(out, "aiq_single_models")),
			    clo, cref);
		else
			printf("\nAIQ n/a: the reference ($%.6f) is no dearer "
			       "than the cheapest model\n",
			    cref);
		printf("  +/- %s (standard error: %d resamples of the "
		       "%s prompts, decisions fixed)\n",
		    se_text(boot, "aiq_se", 4, sebuf, sizeof sebuf),
		    EVAL_RESAMPLES, o->validate ? "validation" : "test");
		if (at9725 >= 0)
			printf("97.25%% of the reference's quality at %.2f%% "
			       "of its cost (+/- %s; reached in %s%% of "
			       "the resamples)\n",
			    100 * at9725,
			    se_text(boot, "cost_pct_at_97_25_se", 2, sebuf,
			        sizeof sebuf),
			    pct_text(cJSON_GetNumberValue(cJSON_GetObjectItem(
			                 boot, "cost_pct_at_97_25_reached")),
			        pctbuf, sizeof pctbuf));
		else
			printf("97.25%% of the reference's quality: never "
			       "reached\n");
		if (nm == 2)
			printf("APGR %.4f +/- %s, CPT(50%%) %.2f%%, "
			       "CPT(80%%) %.2f%% (calls to %s)\n",
			    cJSON_GetNumberValue(
			        cJSON_GetObjectItem(out, "apgr")),
			    se_text(boot, "apgr_se", 4, sebuf, sizeof sebuf),
			    cJSON_GetNumberValue(
			        cJSON_GetObjectItem(out, "cpt50")),
			    cJSON_GetNumberValue(
			        cJSON_GetObjectItem(out, "cpt80")),
			    ds.models[mc[0] > mc[1] ? 0 : 1]);
		printf("oracle: quality %.4f (%.2f%%), cost $%.6f (%.2f%%)\n",
		    oq, 100 * oq / qref, oc, 100 * oc / cref);
		printf("best single model %s: quality %.4f, cost $%.6f\n",
		    ds.models[best], mq[best], mc[best]);
		printf("route: median %.1f us, p99 %.1f us per prompt\n",
		    times[ntest / 2],
		    times[(size_t)((double)(ntest - 1) * 0.99)]);
		if (o->online >= 0) {
			eval_online(r, &ds, use, &fo, test, ntest, o->online,
			    o->lambda, out, false);
			eval_partial(r, &ds, use, &fo, test, ntest, o->online,
			    o->lambda, out, false);
		}
	}
	ret = EXIT_OK;
out:
	cJSON_Delete(out);
	free(cause);
	free(use);
	free(test);
	free(mq);
	free(mc);
	free(times);
	free(p.q);
	free(p.c);
	free(p.u);
	free(f);
	router_free(r);
	dataset_release(&ds);
	return ret;
}

int
cli_eval(const struct cli_global *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "ref", required_argument, NULL, 'r' },
		{ "online", required_argument, NULL, 'o' },
		{ "lambda", required_argument, NULL, 'L' },
		{ "source", required_argument, NULL, 's' },
		{ "no-tags", no_argument, NULL, 'T' },
		{ "no-exemplars", no_argument, NULL, 'X' },
		{ "no-trees", no_argument, NULL, 'S' },
		{ "validate", no_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct eval_opts o;
	char *end;
	bool lambda_set = false, online_set = false;
	int opt;

	memset(&o, 0, sizeof o);
	o.online = -1;
	o.lambda = ROUTER_LAMBDA_BALANCED;
	opterr = 0;
	while ((opt = cli_getopt(argc, argv, "h", options)) != -1) {
		switch (opt) {
		case 'd':
			o.data = optarg;
			break;
		case 'r':
			o.ref = optarg;
			break;
		case 's':
			o.source = optarg;
			break;
		case 'o':
			online_set = true;
			o.online = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    !(o.online >= 0 && o.online <= 1))
				return cli_usage_error("eval",
				    "--online %s: "
				    "give a fraction from 0 to 1",
				    optarg);
			break;
		case 'L':
			o.lambda = strtod(optarg, &end);
			lambda_set = true;
			if (end == optarg || *end != '\0' || !(o.lambda > 0) ||
			    !isfinite(o.lambda))
				return cli_usage_error("eval",
				    "--lambda %s: "
				    "give a positive number (USD per unit of "
				    "quality)",
				    optarg);
			break;
		case 'T':
			o.no_tags = true;
			break;
		case 'X':
			o.no_exemplars = true;
			break;
		case 'S':
			o.no_trees = true;
			break;
		case 'V':
			o.validate = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			printf(
			    "Usage: mixchat eval --data FILE|- [--ref MODEL] "
			    "[--source NAME]\n"
			    "                    [--online F [--lambda L]] [--no-tags] "
			    "[--no-exemplars]\n"
			    "                    [--no-trees] [--validate] [--json]\n"
			    "Fit the router on the train rows of a routing "
			    "dataset, route every\n"
			    "test prompt across a sweep of lambda and print "
			    "quality and cost\n"
			    "(also as %% of the reference), the cost at "
			    "97.25 %% of its quality,\n"
			    "AIQ, APGR and CPT for two models, the oracle, "
			    "the best single model\n"
			    "and the routing time.  Nothing is stored.\n"
			    "\n"
			    "      --data FILE     the dataset ('-': standard "
			    "input)\n"
			    "      --ref MODEL     the reference (default: "
			    "the costliest model)\n"
			    "      --source NAME   only the rows of that "
			    "source\n"
			    "      --online F      also replay the prompts "
			    "in order, learning from\n"
			    "                      the chosen model's quality "
			    "for the first F of\n"
			    "                      them; learning against "
			    "not learning\n"
			    "      --lambda L      the replay's lambda "
			    "(default: the balanced mode's)\n"
			    "      --no-tags, --no-exemplars, --no-trees   "
			    "ablations, as for train\n"
			    "      --validate      report on a fifth of train "
			    "held out, not on test\n"
			    "                      (tune with this; never on "
			    "test)\n"
			    "      --json          one JSON object\n"
			    "\n"
			    "Exit status: 0 ok, 1 a malformed line or no "
			    "test rows, 2 usage.\n");
			return EXIT_OK;
		default:
			return cli_option_error("eval", opt, argv, options);
		}
	}
	if (optind < argc)
		return cli_usage_error(
		    "eval", "%s: unexpected argument", argv[optind]);
	if (o.data == NULL)
		return cli_usage_error("eval",
		    "--data FILE is required (a "
		    "routing dataset in JSONL, '-' for stdin)");
	/* The curve sweeps every lambda: one is for the online replay. */
	if (lambda_set && !online_set)
		return cli_usage_error("eval",
		    "--lambda sets the online replay's lambda: give it with "
		    "--online F");
	(void)g;
	return eval_run(&o);
}
