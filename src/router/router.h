/*
 * router.h - the MixLLM routing engine (DESIGN.md, "The router").
 *
 * Pure computation: text and numbers in, a decision out.  No file, network
 * or terminal I/O happens behind these functions.
 *
 * What it holds:
 *   - a tag set (the domains/tasks learned from a routing dataset's
 *     `source`/`subject` labels) and a multinomial logistic tag classifier
 *     on hashed word n-gram features of the prompt;
 *   - a library of fitted profiles ("priors"), one per dataset model, that
 *     a configured model names with `prior`;
 *   - the candidates: for each configured model its prices, per-tag
 *     quality means (shrunk toward the model's mean), a ridge residual on
 *     the hashed features, per-tag mean response length and the LinUCB
 *     matrix A_l^-1 (kept by Sherman-Morrison) on e = [1, p(tag)...];
 *   - for a router fitted on a dataset, the exemplars: its training
 *     prompts' signatures and per-model errors, so that a near duplicate
 *     of one (the same passage, another question) is corrected by what
 *     the predictors got wrong there (exemplar.c).
 *
 * The decision for a prompt x and candidate l:
 *
 *	score_l = q_l(x) + alpha * sqrt(e' A_l^-1 e) - cost_l(x) / lambda
 *	          - beta * penalty_l
 *
 * which ranks exactly as MixLLM's lambda*q - c + alpha*u - beta*penalty
 * with alpha and beta expressed in quality units (so they mean the same at
 * every lambda).  lambda is the willingness to pay in USD per unit of
 * quality; penalty_l = exp((latency_l - tau) / tau) - 1 once the predicted
 * latency passes the tolerance tau.  A candidate whose predicted cost
 * exceeds what is left of the budget is excluded (a hard limit), as is one
 * rate-limited for longer than tau.
 *
 * Typical use (the app):
 *
 *	struct router *r = router_new();          (built-in priors loaded)
 *	router_add_model(r, "gpt-4.1-mini", 0.4, 1.6, "gpt-3.5-turbo-1106");
 *	router_context_init(&ctx, MODE_BALANCED);
 *	router_decide(r, prompt, len, &ctx, &d);
 *	... d.candidates[d.winner].model ...
 *	router_learn(r, &d.features, model, quality, 1.0);
 *	router_decision_release(&d);
 *	router_free(r);
 */
#ifndef MIXCHAT_ROUTER_H
#define MIXCHAT_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/buf.h"
#include "util/error.h"

/* Feature space: ROUTER_HASH_DIM buckets of hashed words, then
 * ROUTER_TEXT_DIM buckets of the question block's character n-grams and
 * shape tokens, then ROUTER_NDENSE dense features (length, digits,
 * numbers, ...) from ROUTER_DENSE_BASE on. */
#define ROUTER_HASH_DIM   2048
#define ROUTER_TEXT_DIM   4096
#define ROUTER_DENSE_BASE (ROUTER_HASH_DIM + ROUTER_TEXT_DIM)
#define ROUTER_NDENSE     8
#define ROUTER_DIM        (ROUTER_DENSE_BASE + ROUTER_NDENSE)
#define ROUTER_MAX_TAGS   64
#define ROUTER_MAX_MODELS 256
#define ROUTER_MAX_ID     200
/* Values in a prompt's MinHash signature (near-duplicate detection). */
#define ROUTER_SIG 32
/* Numbers describing the question block's shape (shape.c). */
#define ROUTER_NSHAPE 22

/*
 * lambda (USD per unit of quality) of the three modes.  Chosen for chat
 * replies of a few hundred tokens: balanced pays $0.003 for +0.1 of
 * predicted quality (a 400-token reply from a $15/M-output model over a
 * $1.6/M one needs about +0.18), budget needs +0.6 for the same step up,
 * quality takes the best model unless it costs dollars.
 */
#define ROUTER_LAMBDA_QUALITY  10.0
#define ROUTER_LAMBDA_BALANCED 0.03
#define ROUTER_LAMBDA_BUDGET   0.003

struct router;

/*
 * The query features of one prompt: what router_learn() needs to learn from
 * feedback on it.  x is dense (zeros where no n-gram hashed); nz lists the
 * non-zero entries of x.  tag holds p(tag | prompt).
 */
struct router_features {
	float x[ROUTER_DIM];
	uint16_t nz[ROUTER_DIM];
	uint32_t nnz;
	float tag[ROUTER_MAX_TAGS];
	uint32_t ntags;
	double in_tokens; /* estimated prompt tokens (chars / 4) */
	/* The last block's namespace alone (unit length, indices in the
	 * order hashed): what the per-user memory compares prompts by, so
	 * that shared few-shot examples do not make prompts look alike. */
	uint16_t qnz[ROUTER_HASH_DIM];
	float qx[ROUTER_HASH_DIM];
	uint32_t qnnz;
	/* The last block's MinHash signature, when the router holds
	 * exemplars to compare it with (has_sig). */
	uint8_t sig[ROUTER_SIG];
	bool has_sig;
	/* The question block's shape (router_shape_features), read by the
	 * fitted models' shape trees; has_shape is false for features
	 * unpacked from a rating stored before they existed. */
	float shape[ROUTER_NSHAPE];
	bool has_shape;
};

/* Per-model latency inputs of one decision (from the app's measurements). */
struct router_latency {
	const char *model;
	double ttft_ms;               /* time to first token */
	double tokens_per_s;          /* decode speed; <= 0: unknown */
	int64_t unavailable_until_ms; /* 429 Retry-After end; 0: none */
};

/*
 * What one decision depends on besides the prompt.  lambda > 0 overrides
 * the mode; budget_left_usd < 0 means no limit.  latency may be NULL
 * (defaults: 800 ms TTFT, 60 tokens/s).
 */
struct router_context {
	enum router_mode mode;
	double lambda; /* USD per unit of quality; <= 0: from mode */
	double latency_tolerance_ms; /* tau; <= 0: no latency penalty */
	double budget_left_usd;      /* < 0: no limit */
	/* Input tokens sent beside the prompt (a chat's earlier messages,
	 * the system prompt): priced as input for every candidate. */
	double context_in_tokens;
	int64_t now_ms; /* same clock as unavailable_until_ms */
	const struct router_latency *latency;
	size_t nlatency;
	const char *const
	    *skip; /* models ruled out (e.g. re-ask); may be NULL */
	size_t nskip;
	/* Models that could not be reached just now (their server did not
	 * answer); may be NULL. */
	const char *const *down;
	size_t ndown;
};

enum router_exclusion {
	ROUTER_OK = 0,
	ROUTER_OVER_BUDGET,
	ROUTER_RATE_LIMITED,
	ROUTER_SKIPPED,     /* named in ctx->skip */
	ROUTER_UNREACHABLE, /* named in ctx->down */
};

/* One candidate row of a decision.  model points into the router. */
struct router_candidate {
	const char *model;
	double quality;     /* predicted, 0..1 */
	double cost_usd;    /* predicted */
	double out_tokens;  /* predicted response length */
	double latency_ms;  /* predicted, including a rate-limit wait */
	double uncertainty; /* sqrt(e' A^-1 e) */
	double penalty;     /* latency penalty before beta */
	double score;
	enum router_exclusion excluded;
};

/*
 * A decision: one row per candidate (in the order models were added),
 * winner = index of the best row not excluded, or -1 when nothing fits the
 * budget.  Owns candidates and features; router_decision_release() frees
 * them.  Model names point into the router: do not keep a decision past
 * router_remove_model() of its models.
 */
struct router_decision {
	struct router_candidate *candidates;
	size_t ncandidates;
	int winner;
	double lambda;
	struct router_features *features;
};

/*
 * router_new: an empty router with the built-in priors (profiles of the
 * RouterBench models fitted on its train split, compiled in) loaded and no
 * candidates.  router_free() frees it (NULL is fine).
 */
struct router *router_new(void);
void router_free(struct router *r);

/*
 * router_forget_exemplars: drop the memory of the training prompts' near
 * duplicates (the built-in priors do without it: chat prompts are not
 * benchmark questions).
 */
void router_forget_exemplars(struct router *r);

/* router_lambda: the lambda of a mode. */
double router_lambda(enum router_mode mode);
/* router_exclusion_name: "over budget", "rate-limited", ... (static). */
const char *router_exclusion_name(enum router_exclusion e);

/*
 * router_add_model: add a candidate, prices in USD per 1M tokens.  It
 * starts from the profile named prior (a model of the loaded priors); when
 * prior is NULL or unknown, from a price-tier prior with high uncertainty
 * (A = I).  MC_ERR_EXISTS if id is already a candidate, MC_ERR_LIMIT past
 * ROUTER_MAX_MODELS or for an id longer than ROUTER_MAX_ID.
 */
int router_add_model(struct router *r, const char *id, double price_in,
    double price_out, const char *prior) MC_WUR;
/* router_remove_model: drop a candidate; MC_ERR_NOTFOUND if absent. */
int router_remove_model(struct router *r, const char *id) MC_WUR;
/* router_nmodels / router_model_id: the candidates, in order. */
size_t router_nmodels(const struct router *r);
const char *router_model_id(const struct router *r, size_t i);
/* router_has_prior: whether a prior profile of that name is loaded. */
bool router_has_prior(const struct router *r, const char *name);
/* router_prior_near: the loaded prior name was likely meant to be (a typo,
 * cut short, without its "org/"); NULL when none is near. */
const char *router_prior_near(const struct router *r, const char *name);
/* router_ntags / router_tag_name: the tag set. */
size_t router_ntags(const struct router *r);
const char *router_tag_name(const struct router *r, size_t i);

/*
 * router_set_params: alpha (weight of the LinUCB uncertainty) and beta
 * (weight of the latency penalty), both in quality units.  Defaults 0.01
 * and 0.1 (the paper's values).
 */
void router_set_params(struct router *r, double alpha, double beta);

/* router_context_init: defaults for mode (no budget, tau 15 s). */
void router_context_init(struct router_context *ctx, enum router_mode mode);

/*
 * router_features_compute: the features of a prompt (len bytes, not
 * necessarily NUL-terminated) under r's tag classifier, into *f.
 */
void router_features_compute(const struct router *r, const char *prompt,
    size_t len, struct router_features *f);

/*
 * router_decide: score every candidate for the prompt and pick the winner.
 * Fills *d (the caller releases it with router_decision_release()).
 * MC_ERR_NOTFOUND when there are no candidates (d is then empty);
 * MC_ERR_BUDGET when every candidate is excluded (d is filled, winner -1).
 */
int router_decide(const struct router *r, const char *prompt, size_t len,
    const struct router_context *ctx, struct router_decision *d) MC_WUR;
/*
 * router_decide_features: the same on features already computed (f is
 * copied into d).
 */
int router_decide_features(const struct router *r,
    const struct router_features *f, const struct router_context *ctx,
    struct router_decision *d) MC_WUR;
/* router_decision_release: free what a decision holds. */
void router_decision_release(struct router_decision *d);
/*
 * router_decision_next: the best row that is not excluded and is not the
 * model `skip` (the re-ask choice), or -1.
 */
int router_decision_next(const struct router_decision *d, const char *skip);

/*
 * router_learn: online update of model `id` from one piece of feedback,
 * quality in [0,1], weight in (0,1] (< 1 for soft signals such as a
 * re-ask): the tag statistics, the residual (one SGD step) and A_l (plus
 * weight * e e', via Sherman-Morrison on A_l^-1).  MC_ERR_NOTFOUND for an
 * unknown model, MC_ERR_USAGE for quality or weight out of range.
 */
int router_learn(struct router *r, const struct router_features *f,
    const char *id, double quality, double weight) MC_WUR;

/*
 * router_learn_length: online update of model `id`'s response-length
 * predictor from one real reply of out_tokens tokens to the prompt with
 * features f.  The reply counts like one more example of each of the
 * prompt's tags (weighted by p(tag)), on top of the evidence already held,
 * so a prior made of short multiple-choice answers moves quickly toward
 * the lengths the user's chats really have.  The update is in the model's
 * per-tag length statistics, which router_model_save() persists.
 * MC_ERR_NOTFOUND for an unknown model, MC_ERR_USAGE for a length that is
 * negative, not finite or over 10^7.
 */
int router_learn_length(struct router *r, const struct router_features *f,
    const char *id, double out_tokens) MC_WUR;

/* router_uncertainty: sqrt(e' A^-1 e) of model i for the features. */
double router_uncertainty(
    const struct router *r, size_t i, const struct router_features *f);

/*
 * Serialization.  Every blob is
 *
 *	+------+---------+------+-------------+---------+--------+
 *	| MXRT | version | kind | payload len | payload | CRC-32 |
 *	|  4   |  u16    | u16  |    u32      |   ...   |  u32   |
 *	+------+---------+------+-------------+---------+--------+
 *
 * little-endian, the CRC-32 (IEEE) over everything before it.  A blob whose
 * checksum, length, version or contents do not hold is rejected with
 * MC_ERR_CORRUPT / MC_ERR_VERSION and *cause set; the router is untouched.
 *
 * router_state_save: the whole learned state (tag set, tag classifier, and
 * every candidate's profile) appended to out.
 * router_state_load: replace the tag set, the classifier and the prior
 * library with a saved state's; the state's models become the priors that
 * `prior` names, and the current candidates are reset to their priors
 * (load per-model blobs after this).
 */
int router_state_save(const struct router *r, struct buf *out) MC_WUR;
int router_state_load(
    struct router *r, const void *data, size_t len, char **cause) MC_WUR;
/*
 * router_model_save / router_model_load: one candidate's learned state (for
 * the LMDB `router` database).  Load replaces the candidate's profile
 * (prices stay as configured); a blob made under another tag set is
 * MC_ERR_VERSION.  MC_ERR_NOTFOUND when id is not a candidate.
 */
int router_model_save(
    const struct router *r, const char *id, struct buf *out) MC_WUR;
int router_model_load(struct router *r, const char *id, const void *data,
    size_t len, char **cause) MC_WUR;
/* router_model_fits: whether a model blob is whole and made under r's tag
 * set (router_model_load would not refuse it for either). */
bool router_model_fits(const struct router *r, const void *data, size_t len);

/* router_crc32: CRC-32 (IEEE 802.3) of len bytes. */
uint32_t router_crc32(const void *data, size_t len);

#endif
