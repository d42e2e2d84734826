/*
 * test_router.c - the router engine: LinUCB's Sherman-Morrison update
 * against a direct inverse, decisions on hand-made predictors, budget and
 * rate-limit exclusion, the latency penalty, add/remove, online learning,
 * state and model blobs (round trip, corruption), the metrics and the
 * dataset-line parser.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "router/dataset.h"
#include "router/fit.h"
#include "router/metrics.h"
#include "router/online.h"
#include "router/router_int.h"
#include "test.h"
#include "util/xmalloc.h"

/* Invert a d x d matrix by Gauss-Jordan with partial pivoting. */
static void
invert(const double *a, double *inv, int d)
{
	double m[20][40];
	int i, j, k, piv;

	for (i = 0; i < d; i++)
		for (j = 0; j < 2 * d; j++)
			m[i][j] = j < d ? a[i * d + j] : (j - d == i);
	for (k = 0; k < d; k++) {
		piv = k;
		for (i = k + 1; i < d; i++)
			if (fabs(m[i][k]) > fabs(m[piv][k]))
				piv = i;
		for (j = 0; j < 2 * d; j++) {
			double t = m[k][j];

			m[k][j] = m[piv][j];
			m[piv][j] = t;
		}
		for (j = 2 * d - 1; j >= 0; j--)
			m[k][j] /= m[k][k];
		for (i = 0; i < d; i++) {
			double f = m[i][k];

			if (i == k)
				continue;
			for (j = 0; j < 2 * d; j++)
				m[i][j] -= f * m[k][j];
		}
	}
	for (i = 0; i < d; i++)
		for (j = 0; j < d; j++)
			inv[i * d + j] = m[i][j + d];
}

TEST(linucb_matches_direct_inverse)
{
	struct router_profile *p = router_profile_new("m", 4);
	struct router_features *f = xcalloc(1, sizeof *f);
	double a[25], inv[25], e[5], maxdiff = 0, u2 = 0;
	uint32_t s = 12345;
	int n, i, j, d = 5;

	CHECK(p->d == 5);
	memset(a, 0, sizeof a);
	for (i = 0; i < d; i++)
		a[i * d + i] = 1.0;
	f->ntags = 4;
	for (n = 0; n < 50; n++) {
		double w = n % 3 == 0 ? 0.3 : 1.0, sum = 0;

		for (i = 0; i < 4; i++) {
			s = s * 1103515245u + 12345u;
			f->tag[i] = (float)((s >> 16) % 1000) / 1000.0f;
			sum += f->tag[i];
		}
		for (i = 0; i < 4; i++)
			f->tag[i] = (float)(f->tag[i] / sum);
		e[0] = 1;
		for (i = 0; i < 4; i++)
			e[i + 1] = f->tag[i];
		for (i = 0; i < d; i++)
			for (j = 0; j < d; j++)
				a[i * d + j] += w * e[i] * e[j];
		router_profile_add_obs(p, f, w);
	}
	invert(a, inv, d);
	for (i = 0; i < d * d; i++)
		if (fabs(inv[i] - p->ainv[i]) > maxdiff)
			maxdiff = fabs(inv[i] - p->ainv[i]);
	CHECK(maxdiff < 1e-9);
	for (i = 0; i < d; i++)
		for (j = 0; j < d; j++)
			u2 += e[i] * inv[i * d + j] * e[j];
	CHECK_NEAR(router_profile_uncertainty(p, f), sqrt(u2), 1e-9);
	/* More data, less uncertainty. */
	CHECK(router_profile_uncertainty(p, f) < 0.5);
	router_profile_free(p);
	free(f);
}

/* Two hand-made candidates: "big" (quality 0.9, $10/$30 per 1M) and
 * "small" (quality 0.5, $0.1/$0.1), 100 response tokens each. */
static struct router *
hand_router(void)
{
	struct router *r = router_new_empty();
	size_t i;

	CHECK(router_add_model(r, "big", 10, 30, NULL) == MC_OK);
	CHECK(router_add_model(r, "small", 0.1, 0.1, NULL) == MC_OK);
	for (i = 0; i < 2; i++) {
		r->models[i]->q0 = i == 0 ? 0.9 : 0.5;
		r->models[i]->len0 = 100;
	}
	r->alpha = 0;
	return r;
}

TEST(decision_on_hand_made_predictors)
{
	struct router *r = hand_router();
	struct router_context ctx;
	struct router_decision d;
	const char *prompt = "12345678"; /* 2 tokens */
	double cbig = (2 * 10 + 100 * 30) / 1e6,
	       csmall = (2 * 0.1 + 100 * 0.1) / 1e6;

	router_context_init(&ctx, MODE_BALANCED);
	ctx.latency_tolerance_ms = 0;
	ctx.lambda = 1.0; /* pays $1 per unit of quality: big wins */
	CHECK(router_decide(r, prompt, 8, &ctx, &d) == MC_OK);
	CHECK(d.ncandidates == 2);
	CHECK(d.winner == 0);
	CHECK_STR(d.candidates[0].model, "big");
	CHECK_NEAR(d.candidates[0].quality, 0.9, 1e-12);
	CHECK_NEAR(d.candidates[0].cost_usd, cbig, 1e-12);
	CHECK_NEAR(d.candidates[1].cost_usd, csmall, 1e-12);
	CHECK_NEAR(d.candidates[0].score, 0.9 - cbig / 1.0, 1e-12);
	CHECK_NEAR(d.candidates[1].score, 0.5 - csmall / 1.0, 1e-12);
	CHECK(router_decision_next(&d, "big") == 1);
	router_decision_release(&d);

	/* Break-even: lambda = (cbig - csmall) / 0.4. */
	ctx.lambda = 0.9 * (cbig - csmall) / 0.4;
	CHECK(router_decide(r, prompt, 8, &ctx, &d) == MC_OK);
	CHECK(d.winner == 1);
	router_decision_release(&d);
	ctx.lambda = 1.1 * (cbig - csmall) / 0.4;
	CHECK(router_decide(r, prompt, 8, &ctx, &d) == MC_OK);
	CHECK(d.winner == 0);
	router_decision_release(&d);

	/* The modes order lambda. */
	CHECK(router_lambda(MODE_BUDGET) < router_lambda(MODE_BALANCED));
	CHECK(router_lambda(MODE_BALANCED) < router_lambda(MODE_QUALITY));

	/* A skipped model (re-ask) is never the winner. */
	{
		const char *skip[] = { "big" };

		ctx.lambda = 1.0;
		ctx.skip = skip;
		ctx.nskip = 1;
		CHECK(router_decide(r, prompt, 8, &ctx, &d) == MC_OK);
		CHECK(d.winner == 1);
		CHECK(d.candidates[0].excluded == ROUTER_SKIPPED);
		router_decision_release(&d);
	}
	router_free(r);
}

TEST(budget_is_a_hard_limit)
{
	struct router *r = hand_router();
	struct router_context ctx;
	struct router_decision d;

	router_context_init(&ctx, MODE_QUALITY);
	ctx.latency_tolerance_ms = 0;
	ctx.budget_left_usd = 0.001; /* big costs ~0.003 */
	CHECK(router_decide(r, "12345678", 8, &ctx, &d) == MC_OK);
	CHECK(d.winner == 1);
	CHECK(d.candidates[0].excluded == ROUTER_OVER_BUDGET);
	CHECK_STR(
	    router_exclusion_name(d.candidates[0].excluded), "over budget");
	CHECK(d.candidates[1].excluded == ROUTER_OK);
	router_decision_release(&d);

	ctx.budget_left_usd = 0;
	CHECK(router_decide(r, "12345678", 8, &ctx, &d) == MC_ERR_BUDGET);
	CHECK(d.winner == -1);
	CHECK(d.ncandidates == 2);
	CHECK(router_decision_next(&d, NULL) == -1);
	router_decision_release(&d);

	ctx.budget_left_usd = -1; /* no limit */
	CHECK(router_decide(r, "12345678", 8, &ctx, &d) == MC_OK);
	CHECK(d.winner == 0);
	router_decision_release(&d);
	router_free(r);
}

TEST(latency_penalty_and_rate_limit)
{
	struct router *r = hand_router();
	struct router_context ctx;
	struct router_decision d;
	struct router_latency lat[2];

	memset(lat, 0, sizeof lat);
	lat[0].model = "big";
	lat[0].ttft_ms = 500;
	lat[0].tokens_per_s = 10; /* 100 tokens: 10.5 s */
	lat[1].model = "small";
	lat[1].ttft_ms = 100;
	lat[1].tokens_per_s = 1000;
	router_context_init(&ctx, MODE_QUALITY);
	ctx.lambda = 1e6;
	ctx.latency = lat;
	ctx.nlatency = 2;
	ctx.latency_tolerance_ms = 30000;
	CHECK(router_decide(r, "12345678", 8, &ctx, &d) == MC_OK);
	CHECK_NEAR(d.candidates[0].latency_ms, 10500, 1e-6);
	CHECK(d.candidates[0].penalty == 0);
	CHECK(d.winner == 0);
	router_decision_release(&d);

	/* tau 2.1 s: big is 4 tau late, exp(4) - 1 = 53.6, beta 0.1. */
	ctx.latency_tolerance_ms = 2100;
	CHECK(router_decide(r, "12345678", 8, &ctx, &d) == MC_OK);
	CHECK_NEAR(d.candidates[0].penalty, expm1(4.0), 1e-9);
	CHECK(d.winner == 1);
	router_decision_release(&d);

	/* A 429 with Retry-After past tau: rate-limited, excluded. */
	ctx.latency_tolerance_ms = 30000;
	ctx.now_ms = 1000000;
	lat[0].unavailable_until_ms = ctx.now_ms + 60000;
	CHECK(router_decide(r, "12345678", 8, &ctx, &d) == MC_OK);
	CHECK(d.candidates[0].excluded == ROUTER_RATE_LIMITED);
	CHECK(d.winner == 1);
	router_decision_release(&d);
	/* A short wait only adds to the latency. */
	lat[0].unavailable_until_ms = ctx.now_ms + 1000;
	CHECK(router_decide(r, "12345678", 8, &ctx, &d) == MC_OK);
	CHECK(d.candidates[0].excluded == ROUTER_OK);
	CHECK_NEAR(d.candidates[0].latency_ms, 11500, 1e-6);
	router_decision_release(&d);
	router_free(r);
}

TEST(add_and_remove_models)
{
	struct router *r = router_new();
	struct router_context ctx;
	struct router_decision d;

	CHECK(router_nmodels(r) == 0);
	router_context_init(&ctx, MODE_BALANCED);
	CHECK(router_decide(r, "hi", 2, &ctx, &d) == MC_ERR_NOTFOUND);
	router_decision_release(&d);
	CHECK(router_add_model(r, "a", 1, 2, NULL) == MC_OK);
	CHECK(router_add_model(r, "b", 3, 15, "gpt-4-1106-preview") == MC_OK);
	CHECK(router_add_model(r, "c", 0.1, 0.4, "no-such-prior") == MC_OK);
	CHECK(router_add_model(r, "a", 1, 2, NULL) == MC_ERR_EXISTS);
	CHECK(router_nmodels(r) == 3);
	CHECK(router_remove_model(r, "b") == MC_OK);
	CHECK(router_remove_model(r, "b") == MC_ERR_NOTFOUND);
	CHECK(router_nmodels(r) == 2);
	CHECK_STR(router_model_id(r, 0), "a");
	CHECK_STR(router_model_id(r, 1), "c");
	CHECK(router_decide(r, "hi", 2, &ctx, &d) == MC_OK);
	CHECK(d.ncandidates == 2);
	CHECK_STR(d.candidates[1].model, "c");
	router_decision_release(&d);
	/* A price-tier prior starts uncertain: A = I. */
	CHECK(r->models[0]->ainv[0] == 1.0);
	router_free(r);
}

TEST(builtin_priors)
{
	struct router *r = router_new();
	struct router_context ctx;
	struct router_decision d;
	const char *prompt = "def add(a, b):\n    \"\"\"Write a python "
	                     "function that adds two numbers.\"\"\"\n";

	if (router_priors_size == 0) {
		router_free(r);
		return;
	}
	CHECK(router_has_prior(r, "gpt-4-1106-preview"));
	CHECK(router_has_prior(r, "mistralai/mistral-7b-chat"));
	CHECK(router_ntags(r) >= 3);
	CHECK(router_add_model(r, "strong", 10, 30, "gpt-4-1106-preview") ==
	      MC_OK);
	CHECK(router_add_model(
	          r, "weak", 10, 30, "mistralai/mistral-7b-chat") == MC_OK);
	router_context_init(&ctx, MODE_QUALITY);
	CHECK(router_decide(r, prompt, strlen(prompt), &ctx, &d) == MC_OK);
	/* Same prices: the better prior wins, and starts less uncertain
	 * than a model without one. */
	CHECK(d.winner == 0);
	CHECK(d.candidates[0].quality > d.candidates[1].quality);
	CHECK(d.candidates[0].uncertainty < 1.0);
	router_decision_release(&d);
	router_free(r);
}

/* Synthetic data: tag "maths" prompts talk about numbers, "poems" about
 * roses; model "m" is good at maths only, "p" at poems only. */
static struct router *
synthetic_fit(void)
{
	static const char *maths[] = { "add 3 and 4 numbers sum",
		"multiply 12 by 7 numbers product", "divide 81 by 9 numbers",
		"subtract 5 from 19 numbers difference" };
	static const char *poems[] = { "a poem about roses and love",
		"write verses on roses in spring", "sonnet of roses at dusk",
		"rhyme about red roses and rain" };
	static const double qm[2] = { 1, 0 }, qp[2] = { 0, 1 },
	                    len[2] = { 10, 20 };
	const char *models[] = { "m", "p" }, *tags[] = { "maths", "poems" };
	double pin[2] = { 1, 1 }, pout[2] = { 1, 1 };
	struct router_example ex[8];
	struct router_fit_options o;
	struct router *r = NULL;
	char *cause = NULL;
	int i;

	for (i = 0; i < 8; i++) {
		ex[i].prompt = i < 4 ? maths[i] : poems[i - 4];
		ex[i].len = strlen(ex[i].prompt);
		ex[i].tag = i < 4 ? 0 : 1;
		ex[i].quality = i < 4 ? qm : qp;
		ex[i].out_tokens = len;
	}
	router_fit_options_init(&o);
	o.tag_epochs = 20;
	CHECK(router_fit(models, pin, pout, 2, tags, 2, ex, 8, &o, &r,
	          &cause) == MC_OK);
	free(cause);
	return r;
}

TEST(fit_learns_tags)
{
	struct router *r = synthetic_fit();
	struct router_context ctx;
	struct router_decision d;

	CHECK(router_ntags(r) == 2);
	router_context_init(&ctx, MODE_QUALITY);
	CHECK(
	    router_decide(r, "sum the numbers 8 and 9", 23, &ctx, &d) == MC_OK);
	CHECK(d.features->tag[0] > 0.7f);
	CHECK_STR(d.candidates[d.winner].model, "m");
	router_decision_release(&d);
	CHECK(router_decide(r, "roses poem", 10, &ctx, &d) == MC_OK);
	CHECK(d.features->tag[1] > 0.7f);
	CHECK_STR(d.candidates[d.winner].model, "p");
	router_decision_release(&d);
	router_free(r);
}

/*
 * The tag classifier keeps the mean of its weights over its steps.  Two
 * copies of one prompt x of tag 0, one epoch, step s: the first step
 * (from 0, p = 1/2) moves tag 0's weights and bias by s/2 x, the second
 * by h = s (1 - sigmoid(s a)), a = 1 + |x|^2, so the mean of the two
 * iterates is (s/2 + h/2) x and the margin of tag 0 over tag 1 is
 * (s + h) a (the last iterate would give (s + 2h) a).
 */
TEST(tag_classifier_averages_its_steps)
{
	static const char *const prompt = "integrate the polynomial x^2 + 3x";
	static const double q[2] = { 1, 0 }, len[2] = { 10, 10 };
	const char *models[] = { "a", "b" }, *tags[] = { "maths", "poems" };
	const double pin[2] = { 1, 1 }, pout[2] = { 1, 1 };
	struct router_example ex[2];
	struct router_fit_options o;
	struct router_features *f = xcalloc(1, sizeof *f);
	struct router *r = NULL;
	char *cause = NULL;
	double a = 1, h, want;
	uint32_t k;
	int i;

	for (i = 0; i < 2; i++) {
		ex[i].prompt = prompt;
		ex[i].len = strlen(prompt);
		ex[i].tag = 0;
		ex[i].quality = q;
		ex[i].out_tokens = len;
	}
	router_fit_options_init(&o);
	o.tag_epochs = 1;
	o.trees = false;
	o.exemplars = false;
	CHECK(router_fit(models, pin, pout, 2, tags, 2, ex, 2, &o, &r,
	          &cause) == MC_OK);
	router_features_hash(prompt, strlen(prompt), f);
	for (k = 0; k < f->nnz; k++)
		a += (double)f->x[f->nz[k]] * f->x[f->nz[k]];
	router_features_tag(r, f);
	h = ROUTER_TAG_STEP * (1 - 1 / (1 + exp(-ROUTER_TAG_STEP * a)));
	want = 1 / (1 + exp(-(ROUTER_TAG_STEP + h) * a));
	CHECK(fabs(f->tag[0] - want) < 1e-4);
	CHECK(fabs(f->tag[0] + f->tag[1] - 1) < 1e-5);
	free(f);
	free(cause);
	router_free(r);
}

TEST(online_learning_moves_predictions)
{
	struct router *r = hand_router();
	struct router_features *f = xcalloc(1, sizeof *f);
	double before, after, ub, ua;
	int i;

	router_features_compute(r, "hello there", 11, f);
	before = router_profile_quality(r->models[0], f);
	ub = router_uncertainty(r, 0, f);
	for (i = 0; i < 30; i++)
		CHECK(router_learn(r, f, "big", 0.0, 1.0) == MC_OK);
	after = router_profile_quality(r->models[0], f);
	ua = router_uncertainty(r, 0, f);
	CHECK(after < before - 0.2);
	CHECK(ua < ub);
	/* A soft signal moves it less. */
	before = router_profile_quality(r->models[1], f);
	CHECK(router_learn(r, f, "small", 1.0, 0.2) == MC_OK);
	CHECK(router_profile_quality(r->models[1], f) > before);
	CHECK(router_learn(r, f, "nope", 1.0, 1.0) == MC_ERR_NOTFOUND);
	CHECK(router_learn(r, f, "big", 1.5, 1.0) == MC_ERR_USAGE);
	CHECK(router_learn(r, f, "big", 0.5, 0.0) == MC_ERR_USAGE);
	free(f);
	router_free(r);
}

TEST(a_corrected_rating_counts_as_its_new_score)
{
	struct router *r = hand_router(), *direct, *once;
	struct router_features *f = xcalloc(1, sizeof *f);
	const struct router_profile *p;
	uint32_t t;
	int i;

	router_features_compute(r, "hello there", 11, f);
	/* A model past its first ratings (a fresh one learns its first
	 * ones at more weight, which a correction matches only roughly). */
	for (i = 0; i < 400; i++)
		CHECK(
		    router_online_learn(r, NULL, f, "big", 0.5, 1.0) == MC_OK);
	CHECK(router_profile_evidence(router_find_profile(r, "big"), f) >
	      ROUTER_PRIOR_CAP);
	direct = router_copy(r);
	once = router_copy(r);
	/* Rated 1.0, then corrected to 0.0: the tag statistics end where a
	 * single rating of 0.0 puts them, with one rating's weight (not
	 * two), and LinUCB's A saw one observation. */
	CHECK(router_online_learn(r, NULL, f, "big", 1.0, 1.0) == MC_OK);
	CHECK(router_online_correct(r, f, "big", 1.0, 0.0, 1.0) == MC_OK);
	CHECK(router_online_learn(direct, NULL, f, "big", 0.0, 1.0) == MC_OK);
	p = router_find_profile(r, "big");
	for (t = 0; t < p->ntags; t++) {
		CHECK_NEAR(p->qsum[t],
		    router_find_profile(direct, "big")->qsum[t], 1e-9);
		CHECK_NEAR(
		    p->qw[t], router_find_profile(direct, "big")->qw[t], 1e-9);
	}
	CHECK_NEAR(p->n, router_find_profile(direct, "big")->n, 1e-12);
	CHECK_NEAR(router_uncertainty(r, 0, f),
	    router_uncertainty(direct, 0, f), 1e-12);
	/* Its prediction moved down, below where the first rating had it. */
	CHECK(router_online_learn(once, NULL, f, "big", 1.0, 1.0) == MC_OK);
	CHECK(router_profile_quality(r->models[0], f) <
	      router_profile_quality(once->models[0], f));
	CHECK(router_online_correct(r, f, "nope", 1, 0, 1) == MC_ERR_NOTFOUND);
	CHECK(router_online_correct(r, f, "big", 1, 2, 1) == MC_ERR_USAGE);
	free(f);
	router_free(r);
	router_free(direct);
	router_free(once);
}

/* Real chat replies are long while the built-in priors predict short
 * multiple-choice answers: the length predictor follows the replies
 * quickly, and the learned length survives a model blob round trip. */
TEST(learn_length_follows_replies)
{
	struct router *r = router_new(), *r2 = router_new();
	struct router_features *f = xcalloc(1, sizeof *f);
	struct buf mb;
	char *cause = NULL;
	const char *prompt = "Explain how a hash table handles collisions.";
	double before, after;
	int i;

	buf_init(&mb, 1u << 22);
	CHECK(router_add_model(r, "m", 1, 2, "gpt-4-1106-preview") == MC_OK);
	CHECK(router_add_model(r2, "m", 1, 2, "gpt-4-1106-preview") == MC_OK);
	router_features_compute(r, prompt, strlen(prompt), f);
	before = router_profile_out_tokens(r->models[0], f);
	for (i = 0; i < 20; i++)
		CHECK(router_learn_length(r, f, "m", 600.0) == MC_OK);
	after = router_profile_out_tokens(r->models[0], f);
	/* 20 replies against a prior worth at most 20 (+ shrinkage): at
	 * least a third of the way from the prior to 600. */
	CHECK(after > before + (600.0 - before) / 3.0);
	CHECK(after < 600.0 + 1e-9);
	CHECK(router_learn_length(r, f, "nope", 10) == MC_ERR_NOTFOUND);
	CHECK(router_learn_length(r, f, "m", -1) == MC_ERR_USAGE);
	CHECK(router_learn_length(r, f, "m", NAN) == MC_ERR_USAGE);
	CHECK(router_model_save(r, "m", &mb) == MC_OK);
	CHECK(router_model_load(r2, "m", mb.data, mb.len, &cause) == MC_OK);
	CHECK_NEAR(router_profile_out_tokens(r2->models[0], f), after, 1e-9);
	free(cause);
	buf_release(&mb);
	free(f);
	router_free(r);
	router_free(r2);
}

/* A router of one tag whose model "m" has length statistics of `weight`
 * replies of `len` tokens (as a fit or a capped prior leaves them). */
static struct router *
length_router(double len, double weight, struct router_features *f)
{
	struct router *r = router_new_empty();
	const char *prompt = "Explain how a hash table handles collisions.";

	CHECK(router_add_model(r, "m", 1, 2, NULL) == MC_OK);
	r->models[0]->len0 = len;
	r->models[0]->lsum[0] = weight * len;
	r->models[0]->lw[0] = weight;
	router_features_compute(r, prompt, strlen(prompt), f);
	return r;
}

/* One very long reply where a model writes about 400 tokens moves its
 * predicted length by a bounded factor: once W >= 8 replies' weight is
 * behind the prediction, a reply counts as at most ROUTER_LENGTH_BAND (4)
 * times it, so the prediction grows at most (W + 4) / (W + 1) times:
 * 1.33 for W = 8, 1.15 for W = 20.  A plain mean took it from 400 to
 * 1,689 (x 4.2) and to 952 (x 2.4); now 533 and 457. */
TEST(learn_length_one_long_reply_is_bounded)
{
	struct router_features *f = xcalloc(1, sizeof *f);
	struct router *r;
	const char *prompt = "Explain how a hash table handles collisions.";
	double weights[2] = { 8.0, 20.0 }, bound[2] = { 1.34, 1.15 }, before,
	       after;
	int k, i;

	for (k = 0; k < 2; k++) {
		r = length_router(400, weights[k], f);
		before = router_profile_out_tokens(r->models[0], f);
		CHECK_NEAR(before, 400, 1e-9);
		CHECK(router_learn_length(r, f, "m", 12000) == MC_OK);
		after = router_profile_out_tokens(r->models[0], f);
		CHECK(after > before);
		CHECK(after <= bound[k] * before);
		/* ... and ordinary replies bring it back. */
		for (i = 0; i < 20; i++)
			CHECK(router_learn_length(r, f, "m", 400) == MC_OK);
		CHECK(router_profile_out_tokens(r->models[0], f) < 1.15 * 400);
		router_free(r);
	}
	/* A chat after the built-in prior: 20 replies of 400 tokens, then
	 * one of 12,000 (x 1.12; a plain mean: x 2.2). */
	r = router_new();
	CHECK(router_add_model(r, "m", 1, 2, "gpt-4-1106-preview") == MC_OK);
	router_features_compute(r, prompt, strlen(prompt), f);
	for (i = 0; i < 20; i++)
		CHECK(router_learn_length(r, f, "m", 400) == MC_OK);
	before = router_profile_out_tokens(r->models[0], f);
	CHECK(router_learn_length(r, f, "m", 12000) == MC_OK);
	after = router_profile_out_tokens(r->models[0], f);
	CHECK(after <= 1.15 * before);
	router_free(r);
	free(f);
}

/* A lasting change is learned: 30 replies of 2,000 tokens take a model
 * that wrote 400 (8 replies' weight, so the band applies from the first)
 * nearly as far as a plain mean does (to 1,663); 30 of 50 take it down
 * as far. */
TEST(learn_length_sustained_change_is_learned)
{
	struct router_features *f = xcalloc(1, sizeof *f);
	struct router *r = length_router(400, 8, f);
	double up = (8 * 400 + 30 * 2000) / 38.0,
	       down = (8 * 400 + 30 * 50) / 38.0;
	int i;

	for (i = 0; i < 30; i++)
		CHECK(router_learn_length(r, f, "m", 2000) == MC_OK);
	CHECK(router_profile_out_tokens(r->models[0], f) >
	      400 + 0.9 * (up - 400));
	router_free(r);
	r = length_router(400, 8, f);
	for (i = 0; i < 30; i++)
		CHECK(router_learn_length(r, f, "m", 50) == MC_OK);
	CHECK(router_profile_out_tokens(r->models[0], f) <
	      down + 0.1 * (400 - down));
	router_free(r);
	free(f);
}

/* A model that has never seen a reply predicts the length the others
 * predict for the prompt (so a dear model is not overpriced on short
 * tasks by a flat guess, and never tried); with no model knowing, each
 * keeps its own guess; one reply and it predicts its own. */
TEST(unseen_model_borrows_reply_length)
{
	struct router *r = hand_router();
	struct router_features *f = xcalloc(1, sizeof *f);
	struct router_context ctx;
	struct router_decision d;
	const char *prompt = "What is 12 times 7?";
	double small_len;
	int i;

	router_context_init(&ctx, MODE_BALANCED);
	router_features_compute(r, prompt, strlen(prompt), f);
	CHECK(router_decide_features(r, f, &ctx, &d) == MC_OK);
	CHECK_NEAR(d.candidates[0].out_tokens, 100, 1e-9);
	CHECK_NEAR(d.candidates[1].out_tokens, 100, 1e-9);
	router_decision_release(&d);
	for (i = 0; i < 5; i++)
		CHECK(router_learn_length(r, f, "small", 10) == MC_OK);
	small_len = router_profile_out_tokens(r->models[1], f);
	CHECK(small_len < 60);
	CHECK(router_decide_features(r, f, &ctx, &d) == MC_OK);
	CHECK_NEAR(d.candidates[1].out_tokens, small_len, 1e-9);
	CHECK_NEAR(d.candidates[0].out_tokens, small_len, 1e-9);
	CHECK_NEAR(d.candidates[0].cost_usd,
	    (f->in_tokens * 10 + small_len * 30) / 1e6, 1e-12);
	router_decision_release(&d);
	CHECK(router_learn_length(r, f, "big", 400) == MC_OK);
	CHECK(router_decide_features(r, f, &ctx, &d) == MC_OK);
	CHECK_NEAR(d.candidates[0].out_tokens,
	    router_profile_out_tokens(r->models[0], f), 1e-9);
	CHECK(d.candidates[0].out_tokens > small_len + 50);
	router_decision_release(&d);
	free(f);
	router_free(r);
}

TEST(state_round_trip_and_corruption)
{
	struct router *r = synthetic_fit(), *r2 = router_new_empty();
	struct router_context ctx;
	struct router_decision d1, d2;
	struct buf b, mb;
	char *cause = NULL;
	const char *q = "multiply the numbers 6 and 6";
	size_t i;

	buf_init(&b, 64u << 20);
	buf_init(&mb, 64u << 20);
	CHECK(router_state_save(r, &b) == MC_OK);
	CHECK(b.len > 1000 && memcmp(b.data, "MXRT", 4) == 0);

	/* Every truncation and a flipped byte anywhere are rejected, and the
	 * router is left as it was. */
	for (i = 0; i < b.len; i += 997) {
		CHECK(router_state_load(r2, b.data, i, &cause) != MC_OK);
		free(cause);
		cause = NULL;
	}
	for (i = 0; i < b.len; i += 1009) {
		b.data[i] ^= 0x20;
		CHECK(router_state_load(r2, b.data, b.len, &cause) ==
		          MC_ERR_CORRUPT ||
		      i == 4 || i == 5);
		free(cause);
		cause = NULL;
		b.data[i] ^= 0x20;
	}
	b.data[b.len / 2] ^= 1;
	CHECK(router_state_load(r2, b.data, b.len, &cause) == MC_ERR_CORRUPT);
	CHECK(cause != NULL && strstr(cause, "checksum") != NULL);
	free(cause);
	cause = NULL;
	b.data[b.len / 2] ^= 1;
	CHECK(router_ntags(r2) == 1);

	CHECK(router_state_load(r2, b.data, b.len, &cause) == MC_OK);
	CHECK(router_ntags(r2) == 2);
	CHECK(router_has_prior(r2, "m") && router_has_prior(r2, "p"));
	/* Candidates taken from their priors decide like the original. */
	CHECK(router_add_model(r2, "m", 1, 1, "m") == MC_OK);
	CHECK(router_add_model(r2, "p", 1, 1, "p") == MC_OK);
	router_context_init(&ctx, MODE_QUALITY);
	CHECK(router_decide(r, q, strlen(q), &ctx, &d1) == MC_OK);
	CHECK(router_decide(r2, q, strlen(q), &ctx, &d2) == MC_OK);
	CHECK(d1.winner == d2.winner);
	CHECK_NEAR(d1.features->tag[0], d2.features->tag[0], 1e-7);
	router_decision_release(&d2);

	/* One model's blob: exact round trip of its profile. */
	CHECK(router_model_save(r, "m", &mb) == MC_OK);
	CHECK(router_model_save(r, "zz", &mb) == MC_ERR_NOTFOUND);
	CHECK(router_model_load(r2, "m", mb.data, mb.len, &cause) == MC_OK);
	CHECK(router_decide(r2, q, strlen(q), &ctx, &d2) == MC_OK);
	CHECK_NEAR(d1.candidates[0].quality, d2.candidates[0].quality, 1e-7);
	CHECK_NEAR(
	    d1.candidates[0].uncertainty, d2.candidates[0].uncertainty, 1e-12);
	router_decision_release(&d1);
	router_decision_release(&d2);
	mb.data[20] ^= 4;
	CHECK(router_model_load(r2, "m", mb.data, mb.len, &cause) ==
	      MC_ERR_CORRUPT);
	free(cause);
	cause = NULL;
	mb.data[20] ^= 4;
	CHECK(router_model_load(r2, "m", mb.data, mb.len - 1, &cause) ==
	      MC_ERR_CORRUPT);
	free(cause);
	cause = NULL;
	/* A whole state is not a model blob. */
	CHECK(router_model_load(r2, "m", b.data, b.len, &cause) ==
	      MC_ERR_CORRUPT);
	free(cause);
	cause = NULL;
	/* A model blob made under another tag set is refused. */
	{
		struct router *other = hand_router();

		CHECK(router_model_load(other, "big", mb.data, mb.len,
		          &cause) == MC_ERR_VERSION);
		free(cause);
		cause = NULL;
		router_free(other);
	}
	buf_release(&b);
	buf_release(&mb);
	router_free(r);
	router_free(r2);
}

/* Words w<seed>x0 .. w<seed>x<n-1>, space-separated, into out. */
static void
words(char *out, size_t size, int seed, int n)
{
	size_t len = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n && len + 16 < size; i++)
		len += (size_t)snprintf(
		    out + len, size - len, "%sw%dx%d", i ? " " : "", seed, i);
}

static unsigned
agreement(const uint8_t *a, const uint8_t *b)
{
	unsigned k, n = 0;

	for (k = 0; k < ROUTER_SIG; k++)
		n += a[k] == b[k];
	return n;
}

TEST(signatures_see_near_duplicates)
{
	char a[2048], b[2048], c[2048];
	uint8_t sa[ROUTER_SIG], sb[ROUTER_SIG], sc[ROUTER_SIG];

	words(a, sizeof a, 1, 60);
	memcpy(b, a, sizeof a);
	b[strlen(b) - 1] = 'x'; /* the last word differs */
	words(c, sizeof c, 2, 60);
	router_signature(a, strlen(a), sa);
	router_signature(b, strlen(b), sb);
	router_signature(c, strlen(c), sc);
	/* Same words in another case and spacing: the same signature. */
	{
		char d[2048];
		uint8_t sd[ROUTER_SIG];
		size_t i;

		for (i = 0; a[i] != '\0'; i++)
			d[i] = a[i] == ' '                  ? '\n'
			       : a[i] >= 'a' && a[i] <= 'z' ? (char)(a[i] - 32)
			                                    : a[i];
		d[i] = '\0';
		router_signature(d, i, sd);
		CHECK(agreement(sa, sd) == ROUTER_SIG);
	}
	/* 117 of 119 shingles shared: nearly every value agrees. */
	CHECK(agreement(sa, sb) >= ROUTER_EXEMPLAR_MIN_AGREE);
	CHECK(agreement(sa, sc) <= 3);
	router_signature("  ,; ", 5, sc);
	CHECK(sc[0] == 0xff && sc[ROUTER_SIG - 1] == 0xff);
}

/* The vector code for signatures (AVX2) gives the portable code's values:
 * over texts of 0 to 1,500 words (more than one batch of shingles) and
 * with bytes of every kind. */
TEST(signatures_are_the_same_on_every_processor)
{
	static char text[12000];
	uint8_t fast[ROUTER_SIG], slow[ROUTER_SIG];
	uint32_t seed = 7;
	size_t len, i, n;
	unsigned same = 0;

	if (!router_signature_portable(false)) {
		printf("# skip: this processor has only the portable code\n");
		return;
	}
	for (n = 0; n < 1500; n = n * 2 + 1) {
		len = 0;
		for (i = 0; i < n && len + 8 < sizeof text; i++) {
			size_t k, w = 1 + i % 7;

			for (k = 0; k < w; k++) {
				seed = seed * 1103515245u + 12345u;
				text[len++] =
				    (char)(k == 0 && i % 11 == 0
				               ? 0xc3 /* UTF-8 */
				               : 'a' + (seed >> 16) % 26);
			}
			text[len++] = i % 5 == 4 ? '\n' : ' ';
		}
		router_signature(text, len, fast);
		CHECK(router_signature_portable(true));
		router_signature(text, len, slow);
		router_signature_portable(false);
		CHECK(memcmp(fast, slow, sizeof fast) == 0);
		same += memcmp(fast, slow, sizeof fast) == 0;
	}
	CHECK(same == 11);
}

/* A decision's features, whose signature is taken from the words the
 * feature pass reads, are those of the features and the signature made
 * apart: over prompts with blank lines (a question block), numbers, tabs,
 * CR LF, UTF-8 and stray bytes. */
TEST(features_in_one_pass_are_the_parts)
{
	static const char *const bits[] = { "What", "is", "12.5%", "of", "\n\n",
		"Answer:", "A.", "caf\xc3\xa9", "\t", "\r\n", "x=3;", "\xff",
		"NOT", "?", "Statement", "1", "\n", "all of the above", "half",
		"$40", "(B)" };
	struct router *r = synthetic_fit();
	struct router_features *f = xcalloc(1, sizeof *f),
	                       *g = xcalloc(1, sizeof *g);
	uint8_t sig[ROUTER_SIG];
	char p[4096];
	uint32_t seed = 3;
	size_t len, tail;
	int i, w, same = 0;

	CHECK(r != NULL && r->exemplars != NULL);
	for (i = 0; i < 300 && r != NULL && r->exemplars != NULL; i++) {
		len = 0;
		for (w = 0; w < 1 + i * 2 && len + 40 < sizeof p; w++) {
			seed = seed * 1103515245u + 12345u;
			len += (size_t)snprintf(p + len, sizeof p - len, "%s ",
			    bits[(seed >> 16) % (sizeof bits / sizeof *bits)]);
		}
		router_features_compute(r, p, len, f);
		router_features_hash(p, len, g);
		router_features_tag(r, g);
		tail = router_last_block(p, len);
		router_signature(p + tail, len - tail, sig);
		same += f->has_sig && f->nnz == g->nnz &&
		        memcmp(f->x, g->x, sizeof f->x) == 0 &&
		        memcmp(f->nz, g->nz, f->nnz * sizeof *f->nz) == 0 &&
		        f->qnnz == g->qnnz &&
		        memcmp(f->qx, g->qx, f->qnnz * sizeof *f->qx) == 0 &&
		        memcmp(f->qnz, g->qnz, f->qnnz * sizeof *f->qnz) == 0 &&
		        memcmp(f->tag, g->tag, sizeof f->tag) == 0 &&
		        memcmp(f->shape, g->shape, sizeof f->shape) == 0 &&
		        memcmp(f->sig, sig, sizeof sig) == 0;
	}
	CHECK(same == 300);
	free(f);
	free(g);
	router_free(r);
}

/* router_last_block jumps from newline to newline: the same block as a
 * byte by byte look back, on strings of newlines and letters. */
TEST(last_block_is_after_the_last_blank_line)
{
	char p[80];
	uint32_t seed = 5;
	size_t len, i, want;
	int n, same = 0;

	for (n = 0; n < 2000; n++) {
		len = (size_t)n % sizeof p;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			p[i] = (seed >> 16) % 4 == 0 ? '\n' : 'a';
		}
		for (want = len; want > 1; want--)
			if (p[want - 1] == '\n' && p[want - 2] == '\n' &&
			    len - want >= 20)
				break;
		if (want <= 1)
			want = 0;
		same += router_last_block(p, len) == want;
	}
	CHECK(same == 2000);
}

/* The fit's AVX2 loops give the portable loops' bytes: six models (a
 * vector of four columns and two more), 60 prompts of random words. */
TEST(fit_is_the_same_on_every_processor)
{
	enum { NM = 6, NE = 60 };
	static const char *const models[NM] = { "a", "b", "c", "d", "e", "f" };
	static const char *const tags[2] = { "x", "y" };
	double pin[NM] = { 1, 2, 3, 4, 5, 6 }, pout[NM] = { 2, 3, 4, 5, 6, 7 };
	double q[NE][NM], len[NE][NM];
	struct router_example ex[NE];
	char text[NE][200];
	struct router_fit_options o;
	struct router *r[2] = { NULL, NULL };
	struct buf b[2];
	char *cause = NULL;
	uint32_t seed = 11;
	int i, k, w;

	for (i = 0; i < NE; i++) {
		size_t n = 0;

		for (w = 0; w < 12; w++) {
			seed = seed * 1103515245u + 12345u;
			n += (size_t)snprintf(text[i] + n, sizeof text[i] - n,
			    "w%u ", (seed >> 16) % 40);
		}
		for (k = 0; k < NM; k++) {
			seed = seed * 1103515245u + 12345u;
			q[i][k] = (double)((seed >> 16) % 100) / 99.0;
			len[i][k] = 10 + (seed >> 8) % 300;
		}
		ex[i].prompt = text[i];
		ex[i].len = n;
		ex[i].tag = i % 2;
		ex[i].quality = q[i];
		ex[i].out_tokens = len[i];
	}
	if (!router_fit_portable(false)) {
		printf("# skip: this processor has only the portable loops\n");
		return;
	}
	for (k = 0; k < 2; k++) {
		router_fit_options_init(&o);
		CHECK(router_fit_portable(k == 1) || k == 0);
		CHECK(router_fit(models, pin, pout, NM, tags, 2, ex, NE, &o,
		          &r[k], &cause) == MC_OK);
		free(cause);
		cause = NULL;
		buf_init(&b[k], 64u << 20);
		CHECK(router_state_save(r[k], &b[k]) == MC_OK);
	}
	router_fit_portable(false);
	CHECK(b[0].len == b[1].len && b[0].len > 0 &&
	      memcmp(b[0].data, b[1].data, b[0].len) == 0);
	for (k = 0; k < 2; k++) {
		buf_release(&b[k]);
		router_free(r[k]);
	}
}

/*
 * Twenty unrelated prompts both models answer, and four that share one
 * passage (each with its own question) that the cheap model "a" fails and
 * "b" does not.  A new question on that passage goes to "b"; one that is
 * not goes to the cheaper "a"; without the exemplars, both go to "a".
 */
static struct router *
passage_fit(char (*text)[600], struct router_example *ex)
{
	static const double both[2] = { 1, 1 }, only_b[2] = { 0, 1 },
	                    len[2] = { 10, 10 };
	const char *models[] = { "a", "b" }, *tags[] = { "all" };
	double pin[2] = { 1, 1 }, pout[2] = { 1, 2 };
	struct router_fit_options o;
	struct router *r = NULL;
	char *cause = NULL, passage[400];
	int i;

	words(passage, sizeof passage, 99, 40);
	for (i = 0; i < 24; i++) {
		if (i < 20)
			words(text[i], 600, 100 + i, 40);
		else
			snprintf(text[i], 600, "%s\nquestion q%d about it?",
			    passage, i);
		ex[i].prompt = text[i];
		ex[i].len = strlen(text[i]);
		ex[i].tag = 0;
		ex[i].quality = i < 20 ? both : only_b;
		ex[i].out_tokens = len;
	}
	router_fit_options_init(&o);
	o.tags = false;
	/* The passage questions differ from the others in shape too (two
	 * lines, a question mark), which the shape line would learn: this
	 * is about what only the exemplars see. */
	o.shape_scale = 0;
	CHECK(router_fit(models, pin, pout, 2, tags, 1, ex, 24, &o, &r,
	          &cause) == MC_OK);
	free(cause);
	return r;
}

TEST(exemplars_route_near_duplicates)
{
	static char text[24][600];
	struct router_example ex[24];
	struct router *r = passage_fit(text, ex), *r2 = router_new_empty();
	struct router_context ctx;
	struct router_decision d;
	struct router_features *f = xmalloc(sizeof *f);
	char passage[400], near[600], other[600], *cause = NULL;
	double q[2], q_other[2];
	struct buf b;

	words(passage, sizeof passage, 99, 40);
	snprintf(near, sizeof near, "%s\nquestion q77 about it?", passage);
	words(other, sizeof other, 500, 40);
	router_context_init(&ctx, MODE_BALANCED);
	ctx.lambda = 1e-5 / 0.35; /* b's extra $1e-5: 0.35 of quality */
	CHECK(r->exemplars != NULL && r->exemplars->n == 24);

	router_features_compute(r, near, strlen(near), f);
	router_qualities(r, f, q);
	router_features_compute(r, other, strlen(other), f);
	router_qualities(r, f, q_other);
	CHECK(q[0] < q_other[0] - 0.3); /* "a" fails on that passage */
	CHECK(router_decide(r, near, strlen(near), &ctx, &d) == MC_OK);
	CHECK_STR(d.candidates[d.winner].model, "b");
	router_decision_release(&d);
	CHECK(router_decide(r, other, strlen(other), &ctx, &d) == MC_OK);
	CHECK_STR(d.candidates[d.winner].model, "a");
	router_decision_release(&d);

	/* They travel with the state: saved, loaded, the same choice. */
	buf_init(&b, 64u << 20);
	CHECK(router_state_save(r, &b) == MC_OK);
	CHECK(router_state_load(r2, b.data, b.len, &cause) == MC_OK);
	CHECK(r2->exemplars != NULL && r2->exemplars->n == 24 &&
	      r2->exemplars->ncols == 2);
	CHECK(memcmp(r2->exemplars->sig, r->exemplars->sig,
	          24 * ROUTER_SIG * sizeof *r->exemplars->sig) == 0);
	CHECK(memcmp(r2->exemplars->err, r->exemplars->err, 48) == 0);
	CHECK(router_add_model(r2, "a", 1, 1, "a") == MC_OK);
	CHECK(router_add_model(r2, "b", 1, 2, "b") == MC_OK);
	CHECK(router_decide(r2, near, strlen(near), &ctx, &d) == MC_OK);
	CHECK_STR(d.candidates[d.winner].model, "b");
	router_decision_release(&d);

	/* A section cut short behind a valid checksum is refused. */
	{
		size_t plen = b.len - 16 - 1;
		uint32_t crc;

		b.data[8] = (char)(plen & 0xff);
		b.data[9] = (char)((plen >> 8) & 0xff);
		b.data[10] = (char)((plen >> 16) & 0xff);
		b.data[11] = (char)((plen >> 24) & 0xff);
		crc = router_crc32(b.data, b.len - 5);
		memcpy(b.data + b.len - 5, &crc, 4); /* little-endian host */
		CHECK(router_state_load(r2, b.data, b.len - 1, &cause) ==
		      MC_ERR_CORRUPT);
		CHECK(cause != NULL && strstr(cause, "malformed") != NULL);
		free(cause);
		cause = NULL;
	}
	buf_release(&b);

	/* A rating takes the memory's residual against what the router
	 * predicted - near duplicates included: rated at that very
	 * quality, the passage question teaches the memory nothing, where
	 * against the bare profile it would count the passage twice. */
	{
		struct router_memory *m = router_memory_new();
		struct router *rc = router_copy(r);

		router_features_compute(r, near, strlen(near), f);
		CHECK_NEAR(router_online_base(r, f, "a"), q[0], 1e-12);
		CHECK(router_profile_quality(r->models[0], f) > q[0] + 0.3);
		CHECK(router_online_learn(rc, m, f, "a", q[0], 1) == MC_OK);
		CHECK(router_memory_count(m, NULL) == 1);
		CHECK_NEAR(router_memory_correction(m, f, "a", NULL), 0, 1e-9);
		router_memory_free(m);
		router_free(rc);
	}
	/* The features kept with a rating keep the signature, so that the
	 * memory rebuilt from the store takes the same residual. */
	{
		struct router_features *g = xmalloc(sizeof *g);
		size_t nv, k, sig_at = 0;
		float *v;

		CHECK(f->has_sig);
		v = router_features_pack(f, &nv);
		CHECK(router_features_unpack(v, nv, g));
		CHECK(g->has_sig && memcmp(g->sig, f->sig, ROUTER_SIG) == 0);
		CHECK_NEAR(router_online_base(r, g, "a"), q[0], 1e-6);
		for (k = 0; k < nv; k += 2)
			if (v[k] == (float)ROUTER_PACK_SIG)
				sig_at = k;
		CHECK(sig_at > 0);
		v[sig_at + 1] = 0.01f; /* not a sixteenth */
		CHECK(!router_features_unpack(v, nv, g));
		/* Without any of it (a rating kept before signatures were):
		 * read, with no signature.  One value missing: refused,
		 * never half a signature. */
		CHECK(router_features_unpack(v, sig_at, g) && !g->has_sig);
		memmove(
		    v + sig_at, v + sig_at + 2, (nv - sig_at - 2) * sizeof *v);
		CHECK(!router_features_unpack(v, nv - 2, g));
		free(v);
		free(g);
	}

	/* Without them the passage question goes to the cheaper "a" (the
	 * hashed-word residual learns a little of the passage: 0.70). */
	router_forget_exemplars(r);
	CHECK(router_decide(r, near, strlen(near), &ctx, &d) == MC_OK);
	CHECK_STR(d.candidates[d.winner].model, "a");
	router_decision_release(&d);
	free(f);
	router_free(r);
	router_free(r2);
}

/* The bytes of a profile's shape line, at its end. */
#define LINE ((ROUTER_NSHAPE + 1) * 4)

/* Rewrite the whole-state blob b (version 4 or 3, no trees, no shape line,
 * no classifier weights beyond ntags x ROUTER_DIM) as version to (3 or
 * 2): each profile without its shape line, and for 2 its tree count.
 * Profiles of ids, in order. */
static void
downgrade(
    struct buf *b, const char *const *ids, size_t nids, uint32_t ntags, int to)
{
	size_t off = 12, i, j, plen;
	uint32_t t, d = 1 + ntags, crc;
	const unsigned char *p = (const unsigned char *)b->data;
	int from = p[4];

	off += 4 + 4; /* dim, ntags */
	for (t = 0; t < ntags; t++)
		off += 2 + (size_t)(p[off] | p[off + 1] << 8);
	if (p[off++] == 1)
		off += (size_t)ntags * ROUTER_DIM * 4 + ntags * 4;
	off += 4; /* nmodels */
	for (i = 0; i < nids; i++) {
		off += 2 + strlen(ids[i]) + 5 * 8 + 4 + (size_t)ntags * 32 +
		       (size_t)ROUTER_DIM * 4 + 4 + (size_t)d * d * 8;
		/* The tree count, 0, and from version 4 the line, all 0. */
		CHECK(p[off] == 0 && p[off + 1] == 0 && p[off + 2] == 0 &&
		      p[off + 3] == 0);
		if (from >= 4) {
			for (j = 0; j < LINE; j++)
				CHECK(p[off + 4 + j] == 0);
			memmove(b->data + off + 4, b->data + off + 4 + LINE,
			    b->len - off - 4 - LINE);
			b->len -= LINE;
		}
		if (to <= 2) {
			memmove(
			    b->data + off, b->data + off + 4, b->len - off - 4);
			b->len -= 4;
		} else
			off += 4;
	}
	plen = b->len - 16;
	b->data[4] = (char)to;
	b->data[8] = (char)(plen & 0xff);
	b->data[9] = (char)((plen >> 8) & 0xff);
	b->data[10] = (char)((plen >> 16) & 0xff);
	b->data[11] = (char)((plen >> 24) & 0xff);
	crc = router_crc32(b->data, 12 + plen);
	memcpy(b->data + 12 + plen, &crc, 4);
}

/* Whether r2 predicts as r does. */
static void
same_predictions(struct router *r, struct router *r2)
{
	struct router_features *f = xcalloc(1, sizeof *f);
	double q1[2], q2[2];

	CHECK(router_ntags(r2) == 2 && router_has_prior(r2, "m"));
	CHECK(router_add_model(r2, "m", 1, 1, "m") == MC_OK);
	CHECK(router_add_model(r2, "p", 1, 1, "p") == MC_OK);
	router_features_compute(r, "add 2 and 2", 11, f);
	router_qualities(r, f, q1);
	router_qualities(r2, f, q2);
	CHECK_NEAR(q1[0], q2[0], 1e-6);
	CHECK_NEAR(q1[1], q2[1], 1e-6);
	free(f);
}

TEST(state_versions_1_to_3_still_load)
{
	struct router *r = synthetic_fit(), *r2 = router_new_empty();
	static const char *const ids[] = { "m", "p" };
	struct buf b;
	char *cause = NULL;
	size_t plen, i;
	uint32_t crc;

	/* Eight examples are too few for shape trees: the profiles end in
	 * a tree count of 0, which version 2 did not have.  A state from
	 * before the shape line has none: r's is cleared, so that r2 read
	 * from the old versions must predict as r does. */
	router_forget_exemplars(r);
	for (i = 0; i < 2; i++)
		memset(r->models[i]->sw, 0, sizeof r->models[i]->sw);
	buf_init(&b, 64u << 20);
	CHECK(router_state_save(r, &b) == MC_OK);
	CHECK(b.data[4] == 4 && b.data[5] == 0);
	downgrade(&b, ids, 2, 2, 3);
	CHECK(router_state_load(r2, b.data, b.len, &cause) == MC_OK);
	free(cause);
	cause = NULL;
	same_predictions(r, r2);
	router_free(r2);
	r2 = router_new_empty();
	downgrade(&b, ids, 2, 2, 2);
	CHECK(router_state_load(r2, b.data, b.len, &cause) == MC_OK);
	free(cause);
	cause = NULL;
	same_predictions(r, r2);
	router_free(r2);
	r2 = router_new_empty();

	/* A version-2 state without exemplars ends in their count, 0: the
	 * same state in version 1 is that without the count. */
	plen = b.len - 16 - 4;
	b.data[4] = 1;
	b.data[8] = (char)(plen & 0xff);
	b.data[9] = (char)((plen >> 8) & 0xff);
	b.data[10] = (char)((plen >> 16) & 0xff);
	b.data[11] = (char)((plen >> 24) & 0xff);
	crc = router_crc32(b.data, 12 + plen);
	memcpy(b.data + 12 + plen, &crc, 4);
	CHECK(router_state_load(r2, b.data, 16 + plen, &cause) == MC_OK);
	free(cause);
	CHECK(router_ntags(r2) == 2 && router_has_prior(r2, "m"));
	CHECK(r2->exemplars == NULL);
	buf_release(&b);
	router_free(r);
	router_free(r2);
}

/* A prompt of the tree test: six words seen nowhere else, then maybe
 * five numbers, then maybe four answer options. */
static char *
tree_prompt(uint32_t *seed, bool numbers, bool options)
{
	char *p = xmalloc(256);
	size_t n = 0;
	int i;

	for (i = 0; i < 6; i++) {
		*seed = *seed * 1103515245u + 12345u;
		n += (size_t)snprintf(p + n, 256 - n, "%sq%c%c%c%c",
		    i ? " " : "", 'a' + (*seed >> 8) % 26,
		    'a' + (*seed >> 13) % 26, 'a' + (*seed >> 18) % 26,
		    'a' + (*seed >> 23) % 26);
	}
	for (i = 0; numbers && i < 5; i++) {
		*seed = *seed * 1103515245u + 12345u;
		n += (size_t)snprintf(
		    p + n, 256 - n, " %u", (*seed >> 9) % 900 + 10);
	}
	if (options)
		snprintf(
		    p + n, 256 - n, "\nA. red\nB. blue\nC. green\nD. gold");
	return p;
}

TEST(shape_features_read_the_question)
{
	static const char q[] =
	    "Examples first.\n\nWhich of these is NOT prime? Statement 1 "
	    "says half of 12.5 is 6.25.\nA. 4\nB. 9\nC. all of the above\n"
	    "D. 21";
	float v[ROUTER_NSHAPE], w[ROUTER_NSHAPE];

	router_shape_features(q, strlen(q), router_last_block(q, strlen(q)), v);
	CHECK_NEAR(v[3], 4, 1e-6);         /* answer options */
	CHECK_NEAR(v[6], 3, 1e-6);         /* numeric ones: A, B, D */
	CHECK_NEAR(v[7], log1p(6), 1e-6);  /* 1 12.5 6.25 4 9 21 */
	CHECK_NEAR(v[9], log10(22), 1e-6); /* the largest: 21 */
	CHECK_NEAR(v[13], 1, 1e-6);        /* NOT */
	CHECK_NEAR(v[14], 1, 1e-6);        /* Statement 1 */
	CHECK_NEAR(v[16], 1, 1e-6);        /* all of the above */
	CHECK_NEAR(v[17], log1p(1), 1e-6); /* half */
	CHECK_NEAR(v[21], log1p(2), 1e-6); /* 12.5 and 6.25 */
	/* Only the last block counts: the examples before it change
	 * nothing but the whole length. */
	router_shape_features(q + 17, strlen(q + 17),
	    router_last_block(q + 17, strlen(q + 17)), w);
	CHECK(memcmp(v + 1, w + 1, sizeof v - sizeof *v) == 0);
	CHECK(v[0] > w[0]);
	/* "not" in lower case is no emphasis; a prompt ending in "all" reads
	 * nothing past its end. */
	router_shape_features("is it not so? all", 17, 0, v);
	CHECK(v[13] == 0 && v[16] == 0 && v[3] == 0);
}

/*
 * Model "b"'s blob mb with, at off, a float leaf (byte 0) or the byte
 * (leaf 0), resealed with its CRC and loaded into r; mb is put back.
 */
static int
load_patched(struct router *r, struct buf *mb, size_t off, int byte, float leaf)
{
	char save[4], *cause = NULL;
	uint32_t crc;
	int rc;

	memcpy(save, mb->data + off, 4);
	if (leaf != 0)
		memcpy(mb->data + off, &leaf, 4);
	else
		mb->data[off] = (char)byte;
	crc = router_crc32(mb->data, mb->len - 4);
	memcpy(mb->data + mb->len - 4, &crc, 4);
	rc = router_model_load(r, "b", mb->data, mb->len, &cause);
	if (rc != MC_OK)
		CHECK(cause != NULL && strstr(cause, "malformed") != NULL);
	free(cause);
	memcpy(mb->data + off, save, 4);
	crc = router_crc32(mb->data, mb->len - 4);
	memcpy(mb->data + mb->len - 4, &crc, 4);
	return rc;
}

TEST(shape_trees_learn_what_words_cannot)
{
	enum { N = 600, HELD = 40 };
	static const double easy[2] = { 1, 0.6 }, hard[2] = { 0, 0.6 },
	                    len[2] = { 10, 10 };
	const char *models[] = { "a", "b" }, *tags[] = { "all" };
	double pin[2] = { 1, 1 }, pout[2] = { 1, 1 }, gap[2][2] = { { 0 } };
	double q[2], q2[2];
	struct router_example *ex = xcalloc(N, sizeof *ex);
	struct router_features *f = xcalloc(1, sizeof *f);
	struct router_fit_options o;
	struct router *r[2] = { NULL, NULL }, *r2 = router_new_empty();
	struct buf b, mb;
	char *prompts[N], *cause = NULL;
	uint32_t seed = 7;
	int i, k, c;

	/* Model a fails exactly when the prompt has numbers or options but
	 * not both: no word and neither shape alone says so (each shows a
	 * at 0.5 either way), so a linear residual cannot learn it. */
	for (i = 0; i < N; i++) {
		bool nu = i % 2, op = (i / 2) % 2;

		prompts[i] = tree_prompt(&seed, nu, op);
		ex[i].prompt = prompts[i];
		ex[i].len = strlen(prompts[i]);
		ex[i].tag = -1;
		ex[i].quality = nu != op ? hard : easy;
		ex[i].out_tokens = len;
	}
	for (k = 0; k < 2; k++) {
		router_fit_options_init(&o);
		o.trees = k == 1;
		o.exemplars = false;
		CHECK(router_fit(models, pin, pout, 2, tags, 1, ex, N, &o,
		          &r[k], &cause) == MC_OK);
		free(cause);
		cause = NULL;
	}
	CHECK(r[0]->models[0]->trees == NULL);
	CHECK(r[1]->models[0]->trees != NULL && r[1]->models[1]->trees != NULL);
	/* On new prompts of each kind: a's predicted lead over b. */
	for (i = 0; i < HELD; i++) {
		bool nu = i % 2, op = (i / 2) % 2;
		char *p = tree_prompt(&seed, nu, op);

		for (k = 0; k < 2; k++) {
			router_features_compute(r[k], p, strlen(p), f);
			router_qualities(r[k], f, q);
			gap[k][nu != op] += (q[0] - q[1]) / (HELD / 2);
		}
		free(p);
	}
	/* Truth: +0.4 on easy prompts, -0.6 on hard ones.  Without trees
	 * the n-grams where numbers meet options catch a part of it (0.10
	 * and -0.30); with them the lead follows the truth. */
	CHECK(fabs(gap[0][0] - 0.4) + fabs(gap[0][1] + 0.6) > 0.3);
	CHECK(fabs(gap[1][0] - 0.4) < 0.1 && fabs(gap[1][1] + 0.6) < 0.1);

	/* The trees go with the state and with each model's blob: a router
	 * loaded from them predicts the same. */
	buf_init(&b, 64u << 20);
	buf_init(&mb, 64u << 20);
	CHECK(router_state_save(r[1], &b) == MC_OK);
	CHECK(router_state_load(r2, b.data, b.len, &cause) == MC_OK);
	free(cause);
	cause = NULL;
	for (c = 0; c < 2; c++) {
		CHECK(
		    router_add_model(r2, models[c], 1, 1, models[c]) == MC_OK);
		mb.len = 0;
		CHECK(router_model_save(r[1], models[c], &mb) == MC_OK);
		CHECK(router_model_load(
		          r2, models[c], mb.data, mb.len, &cause) == MC_OK);
		free(cause);
		cause = NULL;
	}
	router_features_compute(r[1], prompts[1], strlen(prompts[1]), f);
	router_qualities(r[1], f, q);
	router_features_compute(r2, prompts[1], strlen(prompts[1]), f);
	router_qualities(r2, f, q2);
	CHECK_NEAR(q[0], q2[0], 1e-9);
	CHECK_NEAR(q[1], q2[1], 1e-9);
	/* A model's stored state takes its trees from its prior, not from
	 * the blob (they are fitted, never learned): a's blob loaded as b
	 * keeps b's trees. */
	mb.len = 0;
	CHECK(router_model_save(r[1], "a", &mb) == MC_OK);
	CHECK(router_model_load(r2, "b", mb.data, mb.len, &cause) == MC_OK);
	{
		const struct router_trees *tb = r2->models[1]->trees,
		                          *ob = r[1]->models[1]->trees;

		CHECK(tb != NULL && ob != NULL && tb->n == ob->n &&
		      memcmp(tb->leaf, ob->leaf,
		          ob->n * ROUTER_TREE_LEAVES * sizeof *ob->leaf) == 0);
	}
	/* A leaf pushing a quality by 1 or more is not a tree we wrote;
	 * nor is a split on an input there is not.  (The last leaf of the
	 * last tree is 4 bytes before the shape line, which is LINE bytes
	 * before the CRC; the tree's first node 67.) */
	CHECK(load_patched(r2, &mb, mb.len - 8 - LINE, 0, 1.5f) ==
	      MC_ERR_CORRUPT);
	CHECK(load_patched(r2, &mb, mb.len - 4 - LINE - 67, ROUTER_TREE_INPUTS,
	          0) == MC_ERR_CORRUPT);
	CHECK(load_patched(r2, &mb, mb.len - 4 - LINE - 67, 0, 0) == MC_OK);
	/* The shape goes with a rating's features too; a rating stored
	 * before it (no shape numbers) is read without. */
	{
		struct router_features *g = xmalloc(sizeof *g);
		size_t nv, at = 0, j;
		float *v;

		CHECK(f->has_shape);
		v = router_features_pack(f, &nv);
		CHECK(router_features_unpack(v, nv, g) && g->has_shape);
		CHECK(memcmp(g->shape, f->shape, sizeof f->shape) == 0);
		for (j = 0; j < nv; j += 2)
			if (v[j] == (float)ROUTER_PACK_SHAPE)
				at = j;
		CHECK(at > 0);
		CHECK(router_features_unpack(v, at, g) && !g->has_shape);
		/* Part of a shape, or another version's: the rating is read
		 * (words and tags) without one; past the room, refused. */
		CHECK(router_features_unpack(v, nv - 2, g) && !g->has_shape &&
		      g->nnz == f->nnz);
		v[nv - 2] = (float)(ROUTER_PACK_SHAPE + ROUTER_NSHAPE + 3);
		CHECK(router_features_unpack(v, nv, g) && !g->has_shape);
		v[nv - 2] = (float)(ROUTER_PACK_SHAPE + ROUTER_PACK_SHAPE_ROOM);
		CHECK(!router_features_unpack(v, nv, g));
		free(v);
		free(g);
	}
	buf_release(&b);
	buf_release(&mb);
	for (i = 0; i < N; i++)
		free(prompts[i]);
	free(ex);
	free(f);
	router_free(r[0]);
	router_free(r[1]);
	router_free(r2);
}

/* A prompt of k numbers after six words seen nowhere else. */
static char *
line_prompt(uint32_t *seed, int k)
{
	char *p = tree_prompt(seed, false, false);
	size_t n = strlen(p);
	int i;

	for (i = 0; i < k; i++) {
		*seed = *seed * 1103515245u + 12345u;
		n += (size_t)snprintf(
		    p + n, 256 - n, " %u", (*seed >> 9) % 900 + 10);
	}
	return p;
}

TEST(shape_line_carries_a_count_beyond_what_was_seen)
{
	enum { N = 400, HELD = 40 };
	static double qa[5];
	static const double qb[1] = { 0.5 }, len[2] = { 10, 10 };
	const char *models[] = { "a", "b" }, *tags[] = { "all" };
	double pin[2] = { 1, 1 }, pout[2] = { 1, 1 }, err[2] = { 0, 0 };
	double quality[5][2], q[2], q2[2];
	struct router_example *ex = xcalloc(N, sizeof *ex);
	struct router_features *f = xcalloc(1, sizeof *f);
	struct router_fit_options o;
	struct router *r[2] = { NULL, NULL }, *r2 = router_new_empty();
	struct buf b, mb;
	char *prompts[N], *cause = NULL;
	uint32_t seed = 11;
	int i, k, c;

	/* Model a does worse the more numbers a question holds: 0.9 less
	 * 0.35 log(1 + k) for 0 to 4 numbers; b is 0.5 throughout. */
	for (k = 0; k < 5; k++) {
		qa[k] = 0.9 - 0.35 * log1p(k);
		quality[k][0] = qa[k];
		quality[k][1] = qb[0];
	}
	for (i = 0; i < N; i++) {
		prompts[i] = line_prompt(&seed, i % 5);
		ex[i].prompt = prompts[i];
		ex[i].len = strlen(prompts[i]);
		ex[i].tag = -1;
		ex[i].quality = quality[i % 5];
		ex[i].out_tokens = len;
	}
	for (k = 0; k < 2; k++) {
		router_fit_options_init(&o);
		if (k == 0)
			o.shape_scale = 0;
		o.trees = false;
		o.exemplars = false;
		CHECK(router_fit(models, pin, pout, 2, tags, 1, ex, N, &o,
		          &r[k], &cause) == MC_OK);
		free(cause);
		cause = NULL;
	}
	for (c = 0; c < 2; c++) {
		CHECK(r[0]->models[c]->sw[ROUTER_NSHAPE] == 0);
		CHECK(r[1]->models[c]->sw[3] == 0); /* options: not a line's */
	}
	CHECK(r[1]->models[0]->sw[7] < 0); /* how many numbers */
	/* On new prompts of 7 numbers, more than any seen: a's lead over
	 * b is 0.4 - 0.35 log 8 = -0.33.  Words and binned shape tokens
	 * know nothing past 4 numbers (their error: 0.29); the line
	 * carries the count on, shrunk by its ridge (0.09). */
	for (i = 0; i < HELD; i++) {
		char *p = line_prompt(&seed, 7);

		for (k = 0; k < 2; k++) {
			router_features_compute(r[k], p, strlen(p), f);
			router_qualities(r[k], f, q);
			err[k] +=
			    fabs(q[0] - q[1] - (0.4 - 0.35 * log(8))) / HELD;
		}
		free(p);
	}
	CHECK(err[0] > 0.2);
	CHECK(err[1] < 0.12);

	/* The line goes with the state; a model's own blob takes its
	 * prior's (fitted, never learned from ratings). */
	buf_init(&b, 64u << 20);
	buf_init(&mb, 64u << 20);
	CHECK(router_state_save(r[1], &b) == MC_OK);
	CHECK(router_state_load(r2, b.data, b.len, &cause) == MC_OK);
	free(cause);
	cause = NULL;
	for (c = 0; c < 2; c++)
		CHECK(
		    router_add_model(r2, models[c], 1, 1, models[c]) == MC_OK);
	router_features_compute(r[1], prompts[3], strlen(prompts[3]), f);
	router_qualities(r[1], f, q);
	router_features_compute(r2, prompts[3], strlen(prompts[3]), f);
	router_qualities(r2, f, q2);
	CHECK_NEAR(q[0], q2[0], 1e-9);
	CHECK_NEAR(q[1], q2[1], 1e-9);
	CHECK(router_model_save(r[1], "a", &mb) == MC_OK);
	CHECK(router_model_load(r2, "b", mb.data, mb.len, &cause) == MC_OK);
	CHECK(memcmp(r2->models[1]->sw, r[1]->models[1]->sw,
	          sizeof r2->models[1]->sw) == 0);
	/* A line that is not a number is not one we wrote. */
	{
		float nan = NAN;
		uint32_t crc;

		memcpy(mb.data + mb.len - 8, &nan, 4);
		crc = router_crc32(mb.data, mb.len - 4);
		memcpy(mb.data + mb.len - 4, &crc, 4);
		CHECK(router_model_load(r2, "b", mb.data, mb.len, &cause) ==
		      MC_ERR_CORRUPT);
		free(cause);
	}
	buf_release(&b);
	buf_release(&mb);
	for (i = 0; i < N; i++)
		free(prompts[i]);
	free(ex);
	free(f);
	router_free(r[0]);
	router_free(r[1]);
	router_free(r2);
}

TEST(metrics)
{
	struct metrics_point pts[3] = { { 1, 0.5 }, { 3, 0.9 }, { 2, 0.6 } };
	double pref[4] = { 4, 3, 2, 1 }, qw[4] = { 0, 0, 1, 1 },
	       qs[4] = { 1, 1, 1, 1 }, apgr, c50, c80;

	/* Hull (1,.5)-(3,.9); (2,.6) lies under it: area over [1,3] is
	 * (0.5 + 0.9) / 2 * 2 = 1.4, normalised 0.7. */
	CHECK_NEAR(metrics_aiq(pts, 3, 1, 3), 0.7, 1e-12);
	/* Flat after the best point: over [1,5] (1.4 + 0.9*2) / 4. */
	CHECK_NEAR(metrics_aiq(pts, 3, 1, 5), 0.8, 1e-12);
	/* Perfect ranking: the gap (2 of 4 prompts) is recovered after half
	 * the calls: PGR 0, .5, 1, 1, 1 -> area 0.8125. */
	metrics_apgr(pref, qw, qs, 4, &apgr, &c50, &c80);
	CHECK_NEAR(apgr, (0.25 + 0.75 + 1 + 1) / 4, 1e-12);
	CHECK_NEAR(c50, 25, 1e-12);
	CHECK_NEAR(c80, 50, 1e-12);
	/* The worst ranking. */
	pref[0] = 0;
	pref[1] = -1;
	metrics_apgr(pref, qw, qs, 4, &apgr, &c50, &c80);
	CHECK(apgr < 0.5);
}

TEST(dataset_lines)
{
	struct dataset ds;
	char *cause = NULL;
	const char *ok = "{\"id\":\"a\",\"split\":\"train\",\"source\":\"s\","
	                 "\"prompt\":\"hi\",\"quality\":{\"x\":1,\"y\":0},"
	                 "\"cost_usd\":{\"x\":0.1,\"y\":0.2}}";
	const char *missing = "{\"id\":\"b\",\"split\":\"test\","
	                      "\"prompt\":\"hi\",\"quality\":{\"x\":1},"
	                      "\"cost_usd\":{\"x\":0.1,\"y\":0.2}}";
	const char *range = "{\"id\":\"b\",\"split\":\"test\","
	                    "\"prompt\":\"hi\",\"quality\":{\"x\":1,\"y\":2},"
	                    "\"cost_usd\":{\"x\":0.1,\"y\":0.2}}";

	dataset_init(&ds, "d.jsonl");
	CHECK(
	    dataset_parse_line(&ds, ok, strlen(ok), 1, NULL, &cause) == MC_OK);
	CHECK(ds.nrows == 1 && ds.nmodels == 2);
	CHECK_STR(ds.rows[0].tag, "s");
	CHECK(dataset_parse_line(&ds, "  ", 2, 2, NULL, &cause) == MC_OK);
	CHECK(dataset_parse_line(&ds, missing, strlen(missing), 3, NULL,
	          &cause) == MC_ERR_PARSE);
	CHECK_STR(cause, "d.jsonl:3: quality.y: missing");
	free(cause);
	CHECK(dataset_parse_line(&ds, range, strlen(range), 4, NULL, &cause) ==
	      MC_ERR_PARSE);
	CHECK_STR(cause, "d.jsonl:4: quality.y: out of range");
	free(cause);
	CHECK(dataset_parse_line(&ds, "{\"id\":", 6, 5, NULL, &cause) ==
	      MC_ERR_PARSE);
	CHECK(cause != NULL && strncmp(cause,
	                           "d.jsonl:5: invalid JSON at "
	                           "column ",
	                           30) == 0);
	free(cause);
	CHECK(dataset_parse_line(&ds, "{\"id\":3}", 8, 6, NULL, &cause) ==
	      MC_ERR_PARSE);
	CHECK_STR(cause, "d.jsonl:6: id: missing or not a string");
	free(cause);
	/* Another source is skipped, not an error. */
	CHECK(dataset_parse_line(&ds, ok, strlen(ok), 7, "other", &cause) ==
	      MC_OK);
	CHECK(ds.nrows == 1);
	/* What would be dropped unseen is an error: a split misspelt, a
	 * model the first row does not have. */
	{
		static const struct {
			const char *line, *said;
		} wrong[] = {
			{ "{\"id\":\"c\",\"split\":\"tst\",\"prompt\":\"hi\","
			  "\"quality\":{\"x\":1,\"y\":0},"
			  "\"cost_usd\":{\"x\":0.1,\"y\":0.2}}",
			    "d.jsonl:8: split: 'tst' is not a split (train, "
			    "validation or test)" },
			{ "{\"id\":\"c\",\"split\":\"a\\nb\",\"prompt\":\"hi\","
			  "\"quality\":{\"x\":1,\"y\":0},"
			  "\"cost_usd\":{\"x\":0.1,\"y\":0.2}}",
			    "d.jsonl:8: split: not a split (train, "
			    "validation or test)" },
			{ "{\"id\":\"c\",\"split\":\"test\",\"prompt\":\"hi\","
			  "\"quality\":{\"x\":1,\"y\":0,\"z\":1},"
			  "\"cost_usd\":{\"x\":0.1,\"y\":0.2}}",
			    "d.jsonl:8: quality.z: not one of the dataset's "
			    "models (those of the first row's quality)" },
			{ "{\"id\":\"c\",\"split\":\"test\",\"prompt\":\"hi\","
			  "\"quality\":{\"x\":1,\"y\":0},"
			  "\"cost_usd\":{\"x\":0.1,\"z\":0.3,\"y\":0.2}}",
			    "d.jsonl:8: cost_usd.z: not one of the dataset's "
			    "models (those of the first row's quality)" },
		};
		const char *val =
		    "{\"id\":\"v\",\"split\":\"validation\","
		    "\"prompt\":\"hi\",\"quality\":{\"x\":1,"
		    "\"y\":0},\"cost_usd\":{\"x\":0.1,\"y\":0.2}}";
		size_t k;

		for (k = 0; k < sizeof wrong / sizeof wrong[0]; k++) {
			CHECK(dataset_parse_line(&ds, wrong[k].line,
			          strlen(wrong[k].line), 8, NULL,
			          &cause) == MC_ERR_PARSE);
			CHECK_STR(cause, wrong[k].said);
			free(cause);
			cause = NULL;
		}
		CHECK(dataset_parse_line(
		          &ds, val, strlen(val), 9, NULL, &cause) == MC_OK);
		CHECK(ds.nrows == 2);
	}
	dataset_release(&ds);
}

/* A request-billed model and a token-billed one, rows without reply
 * lengths: the two-part fit reads the first's charge as an output price;
 * the flat price is per token for both. */
TEST(dataset_prices_without_lengths)
{
	struct dataset ds;
	char *cause = NULL;
	char line[256];
	double pin[2], pout[2], tok = 0, creq = 0, ctok = 0;
	int i;

	dataset_init(&ds, "p.jsonl");
	for (i = 0; i < 4; i++) {
		/* Prompts of 8, 16, 24, 32 bytes: 2, 4, 6, 8 tokens. */
		double n = 2.0 * (i + 1);

		/* $360 + $0.1 per 1M input tokens; $3 + $0.01. */
		double req = (360 + 0.1 * n) / 1e6, per = (0.01 + 3 * n) / 1e6;

		snprintf(line, sizeof line,
		    "{\"id\":\"r%d\",\"split\":\"train\",\"prompt\":\"%.*s\","
		    "\"quality\":{\"req\":1,\"tok\":1},"
		    "\"cost_usd\":{\"req\":%.12f,\"tok\":%.12f}}",
		    i, (int)(n * 4), "abcdefghabcdefghabcdefghabcdefgh", req,
		    per);
		CHECK(dataset_parse_line(&ds, line, strlen(line), (size_t)i + 1,
		          NULL, &cause) == MC_OK);
		tok += n + 1;
		creq += req;
		ctok += per;
	}
	CHECK(!ds.lengths);
	dataset_prices(&ds, NULL, pin, pout);
	CHECK(fabs(pin[0] - 0.1) < 1e-6 && fabs(pout[0] - 360.0) < 1e-6);
	CHECK(fabs(pin[1] - 3.0) < 1e-6 && fabs(pout[1] - 0.01) < 1e-6);
	/* (in + 2 out) / 3 would be $240 and $1.007; per token they are
	 * $60.1 and $2.5. */
	CHECK(fabs(dataset_flat_price(&ds, NULL, 0) - creq * 1e6 / tok) < 1e-9);
	CHECK(fabs(dataset_flat_price(&ds, NULL, 1) - ctok * 1e6 / tok) < 1e-9);
	CHECK(dataset_flat_price(&ds, NULL, 1) > 2.0);
	/* One row with lengths says the file has them. */
	snprintf(line, sizeof line,
	    "{\"id\":\"r9\",\"split\":\"train\",\"prompt\":\"abcd\","
	    "\"quality\":{\"req\":1,\"tok\":1},"
	    "\"cost_usd\":{\"req\":0.00036,\"tok\":0.000003},"
	    "\"out_tokens_est\":{\"req\":5,\"tok\":5}}");
	CHECK(dataset_parse_line(&ds, line, strlen(line), 9, NULL, &cause) ==
	      MC_OK);
	CHECK(ds.lengths);
	dataset_release(&ds);
}

int
main(void)
{
	RUN(linucb_matches_direct_inverse);
	RUN(decision_on_hand_made_predictors);
	RUN(budget_is_a_hard_limit);
	RUN(latency_penalty_and_rate_limit);
	RUN(add_and_remove_models);
	RUN(builtin_priors);
	RUN(fit_learns_tags);
	RUN(tag_classifier_averages_its_steps);
	RUN(online_learning_moves_predictions);
	RUN(a_corrected_rating_counts_as_its_new_score);
	RUN(learn_length_follows_replies);
	RUN(learn_length_one_long_reply_is_bounded);
	RUN(learn_length_sustained_change_is_learned);
	RUN(unseen_model_borrows_reply_length);
	RUN(state_round_trip_and_corruption);
	RUN(signatures_see_near_duplicates);
	RUN(signatures_are_the_same_on_every_processor);
	RUN(fit_is_the_same_on_every_processor);
	RUN(features_in_one_pass_are_the_parts);
	RUN(last_block_is_after_the_last_blank_line);
	RUN(exemplars_route_near_duplicates);
	RUN(state_versions_1_to_3_still_load);
	RUN(shape_features_read_the_question);
	RUN(shape_trees_learn_what_words_cannot);
	RUN(shape_line_carries_a_count_beyond_what_was_seen);
	RUN(metrics);
	RUN(dataset_lines);
	RUN(dataset_prices_without_lengths);
	return test_done();
}
