/*
 * test_memory.c - the per-user memory of rated prompts (router/memory.c):
 * the kernel ridge correction, explaining away shared words, re-picking
 * the winner, and the cap on what is kept.
 */
#include "config.h"

#include <math.h>

#include "router/memory.h"
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

TEST(one_rating_moves_its_prompt_not_others)
{
	struct router_memory *m = router_memory_new();
	const char *p = "In chemistry, what is a covalent bond?";
	size_t used;
	double d;

	router_memory_add(m, feat(p), "cheap", 0.0, 0.7, 1.0);
	d = router_memory_correction(m, feat(p), "cheap", &used);
	/* The same prompt: r / (1 + lambda). */
	CHECK_NEAR(d, -0.7 / (1 + ROUTER_MEMORY_LAMBDA), 1e-3);
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
	struct router_memory *m = router_memory_new();
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
	struct router_memory *m = router_memory_new();
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

int
main(void)
{
	r = router_new();
	RUN(one_rating_moves_its_prompt_not_others);
	RUN(shared_words_are_explained_away);
	RUN(apply_picks_the_winner_again);
	RUN(keeps_the_newest);
	router_free(r);
	return test_done();
}
