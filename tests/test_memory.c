/*
 * test_memory.c - the per-user memory of rated prompts (router/memory.c):
 * the kernel ridge correction, explaining away shared words, re-picking
 * the winner, the cap on what is kept (the updated factor against one
 * built afresh), and the shared online policy (router/online.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "router/memory.h"
#include "router/online.h"
#include "router/router.h"
#include "test.h"

static struct router *r;

static struct router_features *
feat(const char *text)
{
	static struct router_features f[8];
	static int next;
	struct router_features *p = &f[next++ % 8];

	router_features_compute(r, text, strlen(text), p);
	return p;
}

/* A memory with a fixed ridge of 0.5 (the mechanism, not the defaults). */
static struct router_memory *
memory_fixed(void)
{
	struct router_memory *m = router_memory_new();
	struct router_memory_params mp;

	router_memory_params_init(&mp);
	mp.ridge = 0.5;
	mp.auto_ridge = 0;
	router_memory_set_params(m, &mp);
	return m;
}

TEST(one_rating_moves_its_prompt_not_others)
{
	struct router_memory *m = memory_fixed();
	const char *p = "In chemistry, what is a covalent bond?";
	size_t used;
	double d;

	router_memory_add(m, feat(p), "cheap", 0.0, 0.7, 1.0);
	d = router_memory_correction(m, feat(p), "cheap", &used);
	/* The same prompt: r / (1 + lambda). */
	CHECK_NEAR(d, -0.7 / 1.5, 1e-3);
	CHECK(used == 1);
	/* A prompt sharing (almost) no words: (almost) no correction. */
	d = router_memory_correction(
	    m, feat("Write a haiku about leaves"), "cheap", NULL);
	CHECK(fabs(d) < 0.01); /* next to -0.47 */
	/* Another model: nothing known. */
	CHECK(router_memory_correction(m, feat(p), "mid", &used) == 0);
	CHECK(used == 0);
	router_memory_free(m);
}

/* A word in good and bad answers alike takes no blame; one only in the
 * bad ones does. */
TEST(shared_words_are_explained_away)
{
	struct router_memory *m = memory_fixed();
	double chem, other;

	router_memory_add(m, feat("chemistry question: what is an acid"),
	    "cheap", 0.0, 0.7, 1.0);
	router_memory_add(m, feat("chemistry question: what is a base"),
	    "cheap", 0.0, 0.7, 1.0);
	router_memory_add(
	    m, feat("travel question: what is a visa"), "cheap", 1.0, 0.7, 1.0);
	router_memory_add(m, feat("travel question: what is a passport"),
	    "cheap", 1.0, 0.7, 1.0);
	chem = router_memory_correction(
	    m, feat("chemistry question: what is a salt"), "cheap", NULL);
	other = router_memory_correction(
	    m, feat("travel question: what is a hostel"), "cheap", NULL);
	CHECK(chem < -0.05);
	CHECK(other > 0.05);
	router_memory_free(m);
}

TEST(apply_picks_the_winner_again)
{
	struct router_memory *m = memory_fixed();
	struct router_candidate c[2];
	struct router_decision d;
	const char *p = "In chemistry, what is an isotope?";

	memset(c, 0, sizeof c);
	c[0].model = "cheap";
	c[0].quality = 0.70;
	c[0].score = 0.70;
	c[1].model = "mid";
	c[1].quality = 0.70;
	c[1].score = 0.66; /* dearer */
	memset(&d, 0, sizeof d);
	d.candidates = c;
	d.ncandidates = 2;
	d.winner = 0;
	d.features = feat(p);
	router_memory_add(m, feat(p), "cheap", 0.0, 0.7, 1.0);
	router_memory_apply(m, &d);
	CHECK(d.winner == 1);
	CHECK(c[0].quality < 0.3 && c[0].quality >= 0);
	CHECK_NEAR(c[0].score - c[0].quality, 0.0, 1e-9);
	/* An excluded candidate never wins. */
	c[1].excluded = ROUTER_OVER_BUDGET;
	router_memory_apply(m, &d);
	CHECK(d.winner == 0);
	router_memory_free(m);
}

TEST(keeps_the_newest)
{
	struct router_memory *m = router_memory_new();
	size_t i;

	for (i = 0; i < ROUTER_MEMORY_MAX + 10; i++)
		router_memory_add(
		    m, feat("a rated prompt"), "cheap", 1.0, 0.5, 1.0);
	CHECK(router_memory_count(m, "cheap") == ROUTER_MEMORY_MAX);
	CHECK(router_memory_count(m, NULL) == ROUTER_MEMORY_MAX);
	/* Many identical positives: the correction approaches +0.5. */
	CHECK(router_memory_correction(
	          m, feat("a rated prompt"), "cheap", NULL) > 0.49);
	router_memory_add(m, feat(""), "cheap", 1.0, 0.5, 1.0); /* no words */
	CHECK(router_memory_count(m, "cheap") == ROUTER_MEMORY_MAX);
	router_memory_free(m);
}

/* A prompt of its own for each i, sharing some words with its
 * neighbours. */
static struct router_features *
numbered(size_t i)
{
	char text[160];

	snprintf(text, sizeof text,
	    "question %zu about topic%zu and word%zu "
	    "with part%zu",
	    i, i % 7, i % 11, i % 5);
	return feat(text);
}

/* Dropping the oldest prompts updates the factor in place: it must give
 * what a memory built from the kept prompts alone gives. */
TEST(eviction_matches_a_fresh_solve)
{
	struct router_memory *a = router_memory_new();
	struct router_memory *b = router_memory_new();
	size_t i, extra = 40;

	for (i = 0; i < ROUTER_MEMORY_MAX + extra; i++) {
		double q = (i * 37 % 11) / 10.0;

		router_memory_add(a, numbered(i), "cheap", q, 0.5, 1.0);
		if (i >= extra)
			router_memory_add(b, numbered(i), "cheap", q, 0.5, 1.0);
	}
	CHECK(router_memory_count(a, "cheap") == ROUTER_MEMORY_MAX);
	for (i = 0; i < 20; i++) {
		double da = router_memory_correction(
		    a, numbered(i * 13), "cheap", NULL);
		double db = router_memory_correction(
		    b, numbered(i * 13), "cheap", NULL);

		CHECK_NEAR(da, db, 1e-6);
	}
	router_memory_free(a);
	router_memory_free(b);
}

/* New knobs re-solve: a stronger ridge moves an identical prompt by
 * r / (1 + ridge). */
TEST(params_resolve)
{
	struct router_memory *m = router_memory_new();
	struct router_memory_params mp;
	const char *p = "In chemistry, what is a covalent bond?";

	router_memory_add(m, feat(p), "cheap", 0.0, 0.7, 1.0);
	router_memory_get_params(m, &mp);
	CHECK_NEAR(mp.ridge, ROUTER_MEMORY_LAMBDA, 1e-12);
	mp.ridge = 4.0;
	router_memory_set_params(m, &mp);
	CHECK_NEAR(router_memory_correction(m, feat(p), "cheap", NULL),
	    -0.7 / 5.0, 1e-3);
	router_memory_free(m);
}

/* The shared policy: a rating teaches the memory (against the
 * prediction from before it) and the tag level at tag_weight, and the
 * decision is the router's corrected by the memory. */
TEST(online_policy)
{
	struct router *rr = router_new();
	struct router_memory *m = router_memory_new();
	struct router_context ctx;
	struct router_decision d1, d2;
	const char *p = "In chemistry, what is a covalent bond?";
	struct router_features *f = feat(p);
	double before, after;
	size_t i;

	CHECK(router_add_model(rr, "cheap", 0.15, 0.6, "gpt-3.5-turbo-1106") ==
	      MC_OK);
	CHECK(
	    router_add_model(rr, "mid", 3, 15, "gpt-3.5-turbo-1106") == MC_OK);
	before = router_online_base(rr, f, "cheap");
	CHECK(before > 0.3);
	CHECK(router_online_base(rr, f, "nobody") < 0);
	CHECK(router_online_learn(rr, m, f, "nobody", 0, 1) == MC_ERR_NOTFOUND);
	CHECK(router_online_learn(rr, m, f, "cheap", 2, 1) == MC_ERR_USAGE);
	CHECK(router_memory_count(m, NULL) == 0);
	CHECK(router_online_learn(rr, m, f, "cheap", 0, 1) == MC_OK);
	after = router_online_base(rr, f, "cheap");
	/* The tag level moved a little (weight 0.1), the memory a lot. */
	CHECK(after < before && after > before - 0.05);
	CHECK_NEAR(router_memory_correction(m, f, "cheap", NULL),
	    -before / (1 + ROUTER_MEMORY_LAMBDA), 1e-3);
	router_context_init(&ctx, MODE_BALANCED);
	CHECK(router_online_decide(rr, m, p, strlen(p), &ctx, &d1) == MC_OK);
	CHECK(router_decide(rr, p, strlen(p), &ctx, &d2) == MC_OK);
	router_memory_apply(m, &d2);
	CHECK(d1.winner == d2.winner);
	CHECK(strcmp(d1.candidates[d1.winner].model, "mid") == 0);
	for (i = 0; i < d1.ncandidates; i++)
		CHECK_NEAR(
		    d1.candidates[i].score, d2.candidates[i].score, 1e-12);
	router_decision_release(&d1);
	router_decision_release(&d2);
	/* Without a memory: the router alone, which still picks cheap. */
	CHECK(router_online_decide(rr, NULL, p, strlen(p), &ctx, &d1) == MC_OK);
	CHECK(strcmp(d1.candidates[d1.winner].model, "cheap") == 0);
	router_decision_release(&d1);
	router_memory_free(m);
	router_free(rr);
}

int
main(void)
{
	r = router_new();
	RUN(one_rating_moves_its_prompt_not_others);
	RUN(shared_words_are_explained_away);
	RUN(apply_picks_the_winner_again);
	RUN(keeps_the_newest);
	RUN(eviction_matches_a_fresh_solve);
	RUN(params_resolve);
	RUN(online_policy);
	router_free(r);
	return test_done();
}
