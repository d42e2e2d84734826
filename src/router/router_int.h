/*
 * router_int.h - the router's insides, shared by router.c (features,
 * decisions, learning), state.c (serialization) and fit.c (offline
 * fitting).  Not for other layers: they use router.h.
 */
#ifndef MIXCHAT_ROUTER_INT_H
#define MIXCHAT_ROUTER_INT_H

#include "router/router.h"

/* The tag classifier's constant SGD step (its weights are averaged over
 * the steps, fit.c): 0.5 on the validation folds of train among 0.25,
 * 0.5 and 1 (1 classifies better, 0.5 routes better). */
#define ROUTER_TAG_STEP 0.5
/* Pseudo-count of the shrinkage of a tag's mean toward the model's mean. */
#define ROUTER_SHRINK 20.0
/* A prior adopted by router_add_model counts as at most this many ratings
 * per tag, so the user's own ratings take over soon. */
#define ROUTER_PRIOR_CAP 20.0
/* The reply-length statistics of an adopted prior count as at most this
 * many replies per tag, and a tag's mean length is shrunk toward the
 * model's overall mean with this pseudo-count: real chat replies are far
 * longer than the datasets' answers, so the user's own replies must take
 * over the length (and so the cost) prediction within a few messages. */
#define ROUTER_LENGTH_CAP    4.0
#define ROUTER_LENGTH_SHRINK 4.0
/*
 * Robust length learning (router_learn_length): once the length statistics
 * behind a prompt's prediction weigh ROUTER_LENGTH_BAND_WEIGHT replies
 * (twice a capped prior: its first replies still move it freely, the
 * datasets' one-token answers being far from chat replies), a reply
 * counts as at most ROUTER_LENGTH_BAND times the prediction and at least
 * its 1/BAND.  One 12,000-token reply where a model writes 400 then moves
 * its prediction by at most (W + 4) / (W + 1) with W replies behind it,
 * and a lasting change is still learned: the band follows the prediction.
 * Chosen on the validation folds of train, never on test: band 4 among 2,
 * 4 and 8, weight 8 against 4 and none (none clipped the first replies
 * of a new tag against another tag's lengths).
 */
#define ROUTER_LENGTH_BAND        4.0
#define ROUTER_LENGTH_BAND_WEIGHT 8.0
/* LinUCB A = (1 + this) I for a model started from a prior. */
#define ROUTER_PRIOR_KAPPA 5.0
/*
 * alpha: the weight of LinUCB's uncertainty, in quality units (our score is
 * MixLLM's divided by lambda, so the paper's 0.01 does not carry over).
 * 0.1 on validation folds of train: a model starting from its price tier
 * (no prior) gets tried and learned, so learning beats not learning on all
 * four datasets from that start (at 0.01 GSM8K never explores GPT-4), while
 * from the fitted state the learned matrices are tight and nothing moves.
 */
#define ROUTER_DEFAULT_ALPHA   0.1
#define ROUTER_DEFAULT_BETA    0.1
#define ROUTER_DEFAULT_TTFT_MS 800.0
#define ROUTER_DEFAULT_TPS     60.0
/* Step size of the online residual update. */
#define ROUTER_ONLINE_LR 0.005

/* One model's learned profile (a candidate or a prior). */
struct router_profile {
	char *id;
	double price_in, price_out; /* USD per 1M tokens */
	double q0;                  /* mean quality: the shrinkage target */
	double len0;                /* mean response tokens */
	double n;                   /* how much feedback it has seen */
	uint32_t ntags;
	double qsum[ROUTER_MAX_TAGS], qw[ROUTER_MAX_TAGS];
	double lsum[ROUTER_MAX_TAGS], lw[ROUTER_MAX_TAGS];
	float w[ROUTER_DIM];        /* residual weights */
	uint32_t d;                 /* LinUCB dimension: 1 + ntags */
	double *ainv;               /* d x d, row-major */
	struct router_trees *trees; /* shape trees (fit); NULL: none */
	/* The shape line (fit): slopes of the shape numbers in
	 * ROUTER_SHAPE_LINE, in their raw units, and an offset (last);
	 * all 0: none. */
	float sw[ROUTER_NSHAPE + 1];
};

/*
 * The shape line: a linear term of the residual in the shape numbers that
 * count lengths and sizes (bits of ROUTER_SHAPE_LINE: the prompt's and the
 * question block's length, lines, numbers, distinct numbers, the largest
 * number, sentences, decimals), standardised in the fit and solved in the
 * residual ridge at ROUTER_SHAPE_SCALE (so their own ridge is the
 * residual's / SCALE^2).  Chosen on the validation folds of train, never
 * on test (fit.c).
 */
#define ROUTER_SHAPE_LINE  0x300387u
#define ROUTER_SHAPE_SCALE 0.3

/*
 * Shape trees (shape.c): per model, depth-3 regression trees whose sum is
 * added to the profile's predicted quality.  Their inputs: the prompt's
 * ROUTER_NSHAPE shape numbers, the tag classifier's largest probability,
 * and the profile's own prediction.  Fitted on the errors left out of
 * fold (fit.c); as many rounds, up to ROUTER_TREE_ROUNDS, as their own
 * cross-validation supports (often none).  Shrinkage, depth and leaf size
 * were chosen on the validation folds of train (MMLU), never on test.
 */
#define ROUTER_TREE_INPUTS      (ROUTER_NSHAPE + 2)
#define ROUTER_TREE_BINS        32
#define ROUTER_TREE_ROUNDS      100
#define ROUTER_TREE_LR          0.03
#define ROUTER_TREE_MIN_LEAF    20
#define ROUTER_TREE_FOLDS       5
#define ROUTER_TREE_PATIENCE    25
#define ROUTER_TREE_NESTED_ITER 4
#define ROUTER_TREE_MAX         1000 /* the most trees a state may hold */

#define ROUTER_TREE_NODES   7 /* internal nodes: 0, then 1-2, then 3-6 */
#define ROUTER_TREE_LEAVES  8
#define ROUTER_TREE_NOSPLIT 0xffu

struct router_trees {
	uint32_t n;    /* trees */
	uint8_t *feat; /* n x NODES: each node's input (NOSPLIT: go left) */
	float *thr;    /* n x NODES: right when the input is above it */
	float *leaf;   /* n x LEAVES */
};

/* The shape of prompt's question block, which starts at tail (from
 * router_last_block). */
void router_shape_features(
    const char *prompt, size_t len, size_t tail, float *out);
struct router_trees *router_trees_new(uint32_t n);
void router_trees_free(struct router_trees *t);
struct router_trees *router_trees_copy(const struct router_trees *t);
/* The trees' inputs for features f and the profile's prediction q. */
void router_trees_inputs(const struct router_features *f, double q, float *x);
double router_trees_eval(const struct router_trees *t, const float *x);
/* Trees fitted to y from X (n x ROUTER_TREE_INPUTS), as many rounds (up
 * to max_rounds) as cross-validation says generalise; NULL: none do. */
struct router_trees *router_trees_fit(const float *X, const double *y, size_t n,
    uint32_t max_rounds, double lr, size_t min_leaf);

/*
 * Exemplars (exemplar.c): the near duplicates among the training prompts.
 * A match needs ROUTER_EXEMPLAR_MIN_AGREE of the ROUTER_SIG signature
 * values (an estimated word-set overlap of 0.59; chosen on the validation
 * folds of train among 16, 19, 22, 25 and 28).  How much a
 * near duplicate's error says about a prompt's is measured per tag on the
 * training prompts' own pairs of near duplicates (their correlation), as
 * if ROUTER_EXEMPLAR_PRIOR_PAIRS more pairs had shown none.
 */
#define ROUTER_EXEMPLAR_MIN_AGREE   19
#define ROUTER_EXEMPLAR_PRIOR_PAIRS 10.0
#define ROUTER_EXEMPLAR_MAX_MATCH   64

struct router_band_entry {
	uint32_t key; /* four signature values */
	uint32_t id;
};

struct router_exemplars {
	uint32_t n;     /* training prompts */
	uint32_t ncols; /* dataset models */
	char **cols;    /* their ids */
	uint8_t *sig;   /* n x ROUTER_SIG */
	int8_t *err;    /* n x ncols: (quality - prediction) x 127 */
	uint8_t *tag;   /* n: each prompt's tag */
	uint32_t ntags;
	float rho[ROUTER_MAX_TAGS]; /* per tag: the errors' correlation
	                               between near duplicates, >= 0 */
	/* The index (not stored): per band, (key, id) sorted by key. */
	struct router_band_entry *bands[ROUTER_SIG / 4];
	uint32_t nband[ROUTER_SIG / 4];
};

struct router_exemplar_match {
	uint32_t id;
	double overlap; /* estimated Jaccard overlap of the word sets */
};

struct router_exemplars *router_exemplars_new(
    uint32_t n, uint32_t ncols, const char *const *cols);
void router_exemplars_free(struct router_exemplars *ex);
struct router_exemplars *router_exemplars_copy(
    const struct router_exemplars *ex);
/* Build the band index (after the signatures are filled in). */
void router_exemplars_index(struct router_exemplars *ex);
/* Measure rho: every prompt against the others (after the index). */
void router_exemplars_measure(struct router_exemplars *ex);
int8_t router_exemplar_quantise(double err);
/* The training prompts that sig nearly duplicates (at most max). */
uint32_t router_exemplars_match(const struct router_exemplars *ex,
    const uint8_t *sig, struct router_exemplar_match *out, uint32_t max);
/* What those matches say about column col's prediction. */
double router_exemplars_correction(const struct router_exemplars *ex,
    const struct router_exemplar_match *m, uint32_t nm, uint32_t col);
/* The column of model id, or -1. */
int router_exemplars_column(const struct router_exemplars *ex, const char *id);
/*
 * The predicted quality of every candidate (in r->models order) for f: the
 * profile's prediction corrected by the exemplars f nearly duplicates.
 */
void router_qualities(
    const struct router *r, const struct router_features *f, double *q);
/* The MinHash signature of the words of s (SIG_EMPTY values if none). */
void router_signature(const char *s, size_t len, uint8_t *sig);
/*
 * The same a word at a time, for a caller that reads the words anyway
 * (router_features_compute): begin, then each word's 64-bit FNV-1a hash
 * of its lower-cased bytes (ROUTER_SIG_FNV_*) in order, then end.
 */
#define ROUTER_SIG_FNV_OFFSET 0xcbf29ce484222325ull
#define ROUTER_SIG_FNV_PRIME  0x100000001b3ull
struct router_sig_builder {
	uint32_t mins[ROUTER_SIG] __attribute__((aligned(32)));
	uint32_t hs[256];
	uint64_t prev;
	size_t words, n;
};
void router_sig_begin(struct router_sig_builder *b);
void router_sig_word(struct router_sig_builder *b, uint64_t h);
void router_sig_end(struct router_sig_builder *b, uint8_t *sig);
/* Tests: compute signatures with the portable code (on) or the fastest
 * this processor has (off, the default).  Returns whether the two differ
 * here (false: no faster code on this processor). */
bool router_signature_portable(bool on);
/* Whether c belongs to a word: ASCII letters and digits, and every byte of
 * a UTF-8 sequence (the features' and the signatures' tokeniser). */
static inline int
router_word_byte(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26 ||
	       (unsigned char)(c - '0') < 10 || c >= 0x80;
}
/* Where the question block of a prompt starts (after its last blank
 * line, if enough follows). */
size_t router_last_block(const char *prompt, size_t len);

struct router {
	uint32_t ntags;
	char *tags[ROUTER_MAX_TAGS];
	float *tagw; /* ROUTER_DIM x ntags (feature-major); NULL: p = 1 */
	float tagb[ROUTER_MAX_TAGS];
	struct router_profile **priors;
	size_t npriors;
	struct router_profile **models;
	size_t nmodels;
	double alpha, beta;
	double online_lr; /* step of the online residual update */
	struct router_exemplars *exemplars; /* NULL: none */
};

/* A deep copy of a router (eval's learning vs frozen replay). */
struct router *router_copy(const struct router *r);
/* A router with one tag, no classifier, no priors, no candidates. */
struct router *router_new_empty(void);
/* The compiled-in priors (priors_data.c, made by `make router-priors`). */
extern const unsigned char router_priors_data[];
extern const size_t router_priors_size;

struct router_profile *router_profile_new(const char *id, uint32_t ntags);
void router_profile_free(struct router_profile *p);
struct router_profile *router_profile_copy(const struct router_profile *p);
/* A candidate's profile started from prior: the prior's statistics count
 * as at most ROUTER_PRIOR_CAP ratings per tag, A = (1 + KAPPA) I. */
struct router_profile *router_profile_adopt(
    const struct router_profile *prior, const char *id);
/* The predictions of profile p for features f. */
/* The candidate id's profile, or NULL. */
struct router_profile *router_find_profile(
    const struct router *r, const char *id);
/* The ratings' weight p's tag statistics hold at f's tags. */
double router_profile_evidence(
    const struct router_profile *p, const struct router_features *f);
/* router_learn with the tag statistics learning at stats_weight and the
 * residual and A_l at weight (both in (0, 1]). */
int router_learn_split(struct router *r, const struct router_features *f,
    const char *id, double quality, double stats_weight, double weight);
/* A rating corrected from old_quality to quality: the tag statistics
 * move by the difference at stats_weight (no new weight), the residual
 * steps toward quality at weight; A and the count stay. */
int router_correct_split(struct router *r, const struct router_features *f,
    const char *id, double old_quality, double quality, double stats_weight,
    double weight);
double router_profile_quality(
    const struct router_profile *p, const struct router_features *f);
/* The shape line's value for f (0 without shape numbers). */
double router_shape_line(
    const struct router_profile *p, const struct router_features *f);
double router_profile_base(
    const struct router_profile *p, const struct router_features *f);
double router_profile_out_tokens(
    const struct router_profile *p, const struct router_features *f);
double router_profile_uncertainty(
    const struct router_profile *p, const struct router_features *f);
/* A += w e e' on A^-1 by Sherman-Morrison. */
void router_profile_add_obs(
    struct router_profile *p, const struct router_features *f, double weight);
/* Hash the prompt into f->x / f->nz (no tags). */
void router_features_hash(
    const char *prompt, size_t len, struct router_features *f);
/* p(tag | x) into f->tag under r's classifier. */
void router_features_tag(const struct router *r, struct router_features *f);
/* Clear the tag set, classifier and priors (candidates kept). */
void router_clear_tags(struct router *r);
/* Replace the candidates' profiles: used after a state load. */
void router_reset_models(struct router *r);
/* A fingerprint of the tag set and feature layout, stored in blobs. */
uint32_t router_tag_fingerprint(const struct router *r);

void router_put_profile(
    struct buf *b, const struct router_profile *p, int *err);

#endif
