/*
 * test_memory.c - the per-user memory of rated prompts (router/memory.c):
 * the kernel ridge correction, explaining away shared words, re-picking
 * the winner, the cap on what is kept (the updated factor against one
 * built afresh), and the shared online policy (router/online.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router/memory.h"
#include "router/online.h"
#include "router/router.h"
#include "test.h"

static struct router *r;

/* tests/memory_ref.c: memory.c with the sweeps as first written. */
struct router_memory *ref_memory_new(void);
void ref_memory_free(struct router_memory *m);
void ref_memory_add(struct router_memory *m, const struct router_features *f,
    const char *model, double quality, double predicted, double weight);
double ref_memory_correction(const struct router_memory *m,
    const struct router_features *f, const char *model, size_t *used);

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

/*
 * Prompts are compared by their last block: the same few-shot examples in
 * front of two different questions do not make the questions alike, and
 * the same question behind other examples is still the same question.
 */
TEST(few_shot_examples_do_not_count)
{
	static const char shots[] =
	    "Question: Which gas do plants take in to make food?\n"
	    "A. oxygen B. carbon dioxide C. nitrogen D. helium\n"
	    "Answer: B\n\n"
	    "Question: What force pulls objects toward the Earth?\n"
	    "A. magnetism B. friction C. gravity D. tension\n"
	    "Answer: C\n\n";
	static const char other_shots[] =
	    "Question: How many legs does a spider have?\n"
	    "A. six B. eight C. ten D. four\n"
	    "Answer: B\n\n";
	const char *q1 = "Question: Which planet is closest to the Sun?\n"
	                 "A. Venus B. Mercury C. Mars D. Earth\nAnswer:";
	const char *q2 = "Question: What do you call a baby kangaroo?\n"
	                 "A. kit B. calf C. joey D. cub\nAnswer:";
	char a[1024], b[1024], c[1024];
	struct router_memory *m = memory_fixed();
	double same, other;

	snprintf(a, sizeof a, "%s%s", shots, q1);
	snprintf(b, sizeof b, "%s%s", shots, q2);
	snprintf(c, sizeof c, "%s%s", other_shots, q1);
	router_memory_add(m, feat(a), "cheap", 0.0, 0.7, 1.0);
	/* The same examples, another question: next to nothing (the whole
	 * prompts share most of their words). */
	other = router_memory_correction(m, feat(b), "cheap", NULL);
	CHECK(fabs(other) < 0.05);
	/* The same question behind other examples: the full lesson. */
	same = router_memory_correction(m, feat(c), "cheap", NULL);
	CHECK_NEAR(same, -0.7 / 1.5, 1e-3);
	router_memory_free(m);
}

/* A chemistry question, one of many alike. */
static struct router_features *
chemistry(size_t i)
{
	static const char *const what[] = { "charge", "mass", "shape",
		"polarity", "bond angle", "boiling point", "colour" };
	static const char *const of[] = { "water", "ammonia", "methane",
		"ozone", "benzene", "ethanol", "carbon dioxide" };
	char text[160];

	snprintf(text, sizeof text, "In chemistry, what is the %s of %s?",
	    what[i % 7], of[i / 7 % 7]);
	return feat(text);
}

/*
 * What the memory learns about one model reaches the others as far as its
 * record shows the lessons to be shared: when every model fails the same
 * questions (hard questions), a model never tried there is expected to
 * fail them too and no decision turns on it; when one model fails where
 * another succeeds, the lesson stays with the model that failed.
 */
TEST(shared_lessons_reach_every_model)
{
	struct router_memory *shared = router_memory_new();
	struct router_memory *own = router_memory_new();
	struct router_features *probe;
	double cheap, mid, exp_shared, exp_own;
	size_t i;

	for (i = 0; i < 40; i++) {
		const char *model = i % 2 ? "mid" : "cheap";

		router_memory_add(shared, chemistry(i), model, 0.0, 0.7, 1.0);
		router_memory_add(
		    own, chemistry(i), model, i % 2 ? 1.0 : 0.0, 0.7, 1.0);
	}
	probe = chemistry(45);
	exp_shared = router_memory_correction(shared, probe, "exp", NULL);
	cheap = router_memory_correction(shared, probe, "cheap", NULL);
	CHECK(cheap < -0.2);
	CHECK(exp_shared < 0.4 * cheap); /* a good part of the lesson */
	cheap = router_memory_correction(own, probe, "cheap", NULL);
	mid = router_memory_correction(own, probe, "mid", NULL);
	exp_own = router_memory_correction(own, probe, "exp", NULL);
	CHECK(cheap < -0.2);
	CHECK(mid > 0.05);
	CHECK(fabs(exp_own) < 0.05); /* no lesson for a model not tried */
	router_memory_free(shared);
	router_memory_free(own);
}

/*
 * The features kept with a rating bring the memory back as it was: a
 * memory rebuilt from packed features corrects exactly as the one taught
 * live; pairs kept before the last block was kept still unpack.
 */
TEST(packed_features_rebuild_the_memory)
{
	const char *p = "Answer: B\n\nQuestion: Which planet is closest "
	                "to the Sun?\nA. Venus B. Mercury\nAnswer:";
	struct router_memory *live = router_memory_new();
	struct router_memory *rebuilt = router_memory_new();
	struct router_features *f = feat(p), *g = malloc(sizeof *g);
	float *v;
	size_t n;

	CHECK(f->qnnz > 0);
	v = router_features_pack(f, &n);
	CHECK(router_features_unpack(v, n, g));
	CHECK(g->nnz == f->nnz && g->qnnz == f->qnnz && g->ntags == f->ntags);
	router_memory_add(live, f, "cheap", 0.0, 0.7, 1.0);
	router_memory_add(rebuilt, g, "cheap", 0.0, 0.7, 1.0);
	CHECK_NEAR(router_memory_correction(live, f, "cheap", NULL),
	    router_memory_correction(rebuilt, f, "cheap", NULL), 1e-9);
	/* The first layout (no layout pair): words, 8 dense features at
	 * 2048.., tags at 2056..; read onto today's places, no last block. */
	{
		float *v1 = calloc(2 * ((size_t)f->nnz + f->ntags), sizeof *v1);
		size_t k = 0;
		uint32_t j;
		int dense = 0, misread = 0;

		for (j = 0; j < f->nnz; j++) {
			uint16_t b = f->nz[j];

			if (b < ROUTER_HASH_DIM) {
				v1[k++] = b;
				v1[k++] = f->x[b];
			} else if (b >= ROUTER_DENSE_BASE) {
				v1[k++] = (float)(2048 + b - ROUTER_DENSE_BASE);
				v1[k++] = f->x[b];
			}
		}
		for (j = 0; j < f->ntags; j++) {
			v1[k++] = (float)(2056 + j);
			v1[k++] = f->tag[j];
		}
		CHECK(router_features_unpack(v1, k, g));
		CHECK(g->qnnz == 0 && g->ntags == f->ntags);
		for (j = 0; j < f->ntags; j++)
			CHECK(g->tag[j] == f->tag[j]);
		for (j = 0; j < ROUTER_NDENSE; j++) {
			CHECK(g->x[ROUTER_DENSE_BASE + j] ==
			      f->x[ROUTER_DENSE_BASE + j]);
			dense += g->x[ROUTER_DENSE_BASE + j] != 0;
		}
		CHECK(dense > 0);
		for (j = ROUTER_HASH_DIM; j < ROUTER_DENSE_BASE; j++)
			misread += g->x[j] != 0;
		CHECK(misread == 0); /* nothing read as character n-grams */
		free(v1);
	}
	/* A bucket repeated (more times than there are word buckets) is
	 * one feature, and the memory takes it safely. */
	{
		size_t k, reps = 2 * ROUTER_HASH_DIM + 4;
		float *dup = calloc(2 * reps, sizeof *dup);
		struct router_memory *m = router_memory_new();

		for (k = 0; k < reps; k++) {
			dup[2 * k] = 7;
			dup[2 * k + 1] = 0.5f;
		}
		CHECK(router_features_unpack(dup, 2 * reps, g));
		CHECK(g->nnz == 1);
		router_memory_add(m, g, "cheap", 0.0, 0.7, 1.0);
		CHECK(router_memory_correction(m, g, "cheap", NULL) < -0.1);
		router_memory_free(m);
		free(dup);
	}
	/* A layout not known is refused. */
	v[1] = 3;
	CHECK(!router_features_unpack(v, n, g));
	v[1] = 2;
	/* Nonsense is refused: a value out of range, an odd length. */
	v[3] = -1;
	CHECK(!router_features_unpack(v, n, g));
	CHECK(!router_features_unpack(v, n - 1, g));
	free(v);
	free(g);
	router_memory_free(live);
	router_memory_free(rebuilt);
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
	/* A share prior out of range is held in range: corrections stay
	 * numbers (an unbounded one made them NaN). */
	mp.share_prior = INFINITY;
	router_memory_set_params(m, &mp);
	router_memory_get_params(m, &mp);
	CHECK(mp.share_prior <= 1e6);
	router_memory_add(
	    m, feat("In chemistry, what is an ion?"), "mid", 1.0, 0.5, 1.0);
	CHECK(isfinite(router_memory_correction(m, feat(p), "cheap", NULL)));
	CHECK(isfinite(router_memory_correction(m, feat(p), "exp", NULL)));
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

/* A model started from its price tier learns from its first ratings at
 * their whole weight; one adopted from a prior (and the tier model once
 * it holds a prior's worth of ratings) at tag_weight. */
TEST(fresh_model_learns_at_full_weight)
{
	struct router *rr = router_new();
	const char *p = "In chemistry, what is a covalent bond?";
	struct router_features *f = feat(p);
	double b0, b1, p0, p1, first, later;
	int i;

	CHECK(router_add_model(rr, "fresh", 3, 15, NULL) == MC_OK);
	CHECK(router_add_model(rr, "known", 3, 15, "gpt-3.5-turbo-1106") ==
	      MC_OK);
	b0 = router_online_base(rr, f, "fresh");
	p0 = router_online_base(rr, f, "known");
	CHECK(router_online_learn(rr, NULL, f, "fresh", 0, 1) == MC_OK);
	CHECK(router_online_learn(rr, NULL, f, "known", 0, 1) == MC_OK);
	b1 = router_online_base(rr, f, "fresh");
	p1 = router_online_base(rr, f, "known");
	first = b0 - b1;
	/* One rating against the tier's 20 pseudo-ratings: about 1/21 of
	 * the way to 0; the prior model moves by a tenth of its share. */
	CHECK(first > 0.5 * b0 / 21);
	CHECK(first > 5 * (p0 - p1));
	CHECK(p1 < p0);
	/* A soft rating (a re-ask, weight 0.3) moves a fresh model less. */
	CHECK(router_add_model(rr, "soft", 3, 15, NULL) == MC_OK);
	b0 = router_online_base(rr, f, "soft");
	CHECK(router_online_learn(rr, NULL, f, "soft", 0, 0.3) == MC_OK);
	CHECK(b0 - router_online_base(rr, f, "soft") < 0.5 * first);
	/* Past a prior's worth of ratings, the fresh model learns at the
	 * tag weight too. */
	for (i = 0; i < 30; i++)
		CHECK(router_online_learn(rr, NULL, f, "fresh", 1, 1) == MC_OK);
	b0 = router_online_base(rr, f, "fresh");
	CHECK(router_online_learn(rr, NULL, f, "fresh", 0, 1) == MC_OK);
	later = b0 - router_online_base(rr, f, "fresh");
	CHECK(later > 0 && later < first / 5);
	router_free(rr);
}

/*
 * The memory's Cholesky sweeps were reordered for speed (by row blocks,
 * the four ridges side by side); every number must stay what the plain
 * sweeps make, to the bit: 960 ratings of three models (each past its
 * 256 kept prompts, so prompts are dropped too), taught to both, their
 * corrections compared along the way and at the end.
 */
TEST(fast_sweeps_match_the_reference_to_the_bit)
{
	static const char *const models[] = { "cheap", "mid", "expensive" };
	static const char *const words[] = { "chemistry", "carbon", "bond",
		"python", "list", "haiku", "autumn", "capital", "france",
		"integral", "physics", "force", "history", "poem", "code",
		"sort", "graph", "guitar", "bread", "oven", "travel", "train",
		"what", "is", "the", "why", "how" };
	struct router_memory *fast = router_memory_new(),
	                     *ref = ref_memory_new();
	unsigned long x = 12345;
	size_t i, j, mismatches = 0, compared = 0, moved = 0;

	for (i = 0; i < 960; i++) {
		char text[400];
		size_t len = 0, nw;
		double q, pred, w, a, b;
		const char *model = models[i % 3];
		struct router_features *f;

		x = x * 6364136223846793005UL + 1442695040888963407UL;
		nw = 3 + (x >> 33) % 12;
		for (j = 0; j < nw; j++) {
			x = x * 6364136223846793005UL + 1442695040888963407UL;
			len += (size_t)snprintf(text + len, sizeof text - len,
			    "%s ",
			    words[(x >> 33) % (sizeof words / sizeof *words)]);
		}
		/* The cheap model fails at chemistry, the others at poems;
		 * a rating in five is noise. */
		if ((x >> 20) % 5 == 0)
			q = (double)((x >> 24) % 5) / 4;
		else if (i % 3 == 0)
			q = strstr(text, "chemistry") || strstr(text, "bond")
			        ? 0
			        : 1;
		else
			q = strstr(text, "poem") || strstr(text, "haiku")
			        ? 0.25
			        : 0.75;
		pred = 0.3 + (double)((x >> 40) % 50) / 100;
		w = (x >> 50) % 7 == 0 ? 0.3 : 1.0;
		f = feat(text);
		router_memory_add(fast, f, model, q, pred, w);
		ref_memory_add(ref, f, model, q, pred, w);
		if (i % 37 != 0 && i != 959)
			continue;
		for (j = 0; j < 3; j++) {
			a = router_memory_correction(fast, f, models[j], NULL);
			b = ref_memory_correction(ref, f, models[j], NULL);
			compared++;
			moved += fabs(a) > 1e-3;
			if (memcmp(&a, &b, sizeof a) != 0)
				mismatches++;
		}
	}
	CHECK(router_memory_count(fast, NULL) == 3 * ROUTER_MEMORY_MAX);
	CHECK(compared > 60);
	CHECK(moved > compared / 2); /* the memory is at work */
	CHECK(mismatches == 0);
	router_memory_free(fast);
	ref_memory_free(ref);
}

int
main(void)
{
	r = router_new();
	RUN(one_rating_moves_its_prompt_not_others);
	RUN(few_shot_examples_do_not_count);
	RUN(shared_lessons_reach_every_model);
	RUN(packed_features_rebuild_the_memory);
	RUN(shared_words_are_explained_away);
	RUN(apply_picks_the_winner_again);
	RUN(keeps_the_newest);
	RUN(eviction_matches_a_fresh_solve);
	RUN(fast_sweeps_match_the_reference_to_the_bit);
	RUN(params_resolve);
	RUN(online_policy);
	RUN(fresh_model_learns_at_full_weight);
	router_free(r);
	return test_done();
}
