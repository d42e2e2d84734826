/*
 * memory.h - what one user's ratings taught the router about prompts like
 * theirs: a per-model kernel ridge regression on the residuals of the
 * router's predictions.
 *
 * The tag-level predictors (router.c) learn slowly and globally: in live
 * chat most prompts fall under one or two tags, so a handful of ratings
 * cannot tell "cheap is bad at chemistry" from "cheap is bad".  The memory
 * keeps every rated prompt of a model (the hashed words of its last
 * block, unit length: the question after any few-shot examples, which
 * would otherwise make every prompt of a benchmark look alike), with the
 * residual r = rated quality - the quality the router predicted when it
 * routed it, and fits
 *
 *	own(x) = k(x)' (K + lambda W^-1)^-1 r
 *
 * where k(x) holds the kernel (cosine similarity to the fifth) of x and each
 * rated prompt, K theirs to one another and W their weights (a re-ask counts less than a
 * keystroke).  Shared function words are explained away by the solve:
 * a word present in good and bad replies alike gets no blame; a word only
 * in the bad ones does.  The Cholesky factor of each model's system is
 * kept and updated as prompts come and go (O(n^2) per rating).
 *
 * The correction for model l is a * own_l(x) + b * (the mean of the other
 * models' own(x)), with a and b fitted to the memory's record as a
 * forecaster (memory.c): lessons that hold for every model (a hard
 * question) move every model and change no decision; lessons about one
 * model move that one.  Pure computation: no I/O.  The app rebuilds the
 * memory at start-up from the ratings kept in the store.
 */
#ifndef MIXCHAT_ROUTER_MEMORY_H
#define MIXCHAT_ROUTER_MEMORY_H

#include <stddef.h>

#include "router/router.h"

/* Rated prompts kept per model (the oldest go first). */
#define ROUTER_MEMORY_MAX 256
/* The kernel is cosine^power over the hashed word features. */
#define ROUTER_MEMORY_POWER 5
/* Ridge strength: one identical rated prompt moves a prediction by
 * r / (1 + lambda). */
#define ROUTER_MEMORY_LAMBDA 4.0
/* Weight of one rating in the router's tag-level predictors
 * (router_online_learn): chat prompts mostly fall under one or two tags,
 * so a rating there moves the model's estimate for everything; the memory
 * carries the prompt-specific lesson at full weight. */
#define ROUTER_MEMORY_TAG_WEIGHT 0.1
/* Whether the memory picks its own ridge from the residuals. */
#define ROUTER_MEMORY_AUTO 1
/* How strongly the share of a lesson that reaches the other models (and
 * the trust in the memory's own corrections) is held at its start (none,
 * full) before the memory's record says otherwise; in units of a squared
 * correction, so 0.2 is about five corrections of 0.2. */
#define ROUTER_MEMORY_SHARE_PRIOR 0.2

/* The learner's knobs (router_memory_params_init gives the defaults). */
struct router_memory_params {
	double ridge;       /* lambda of the kernel ridge, > 0 */
	int power;          /* kernel = cosine^power, 1..8 */
	double tag_weight;  /* weight of a rating in router_learn, 0..1 */
	int auto_ridge;     /* pick ridge x 1, 4, 16 or 64 by marginal
	                    * likelihood (memory.c); 0: ridge as given */
	double share_prior; /* > 0: see ROUTER_MEMORY_SHARE_PRIOR */
};

struct router_memory;

/* router_memory_new: an empty memory; router_memory_free() frees it. */
struct router_memory *router_memory_new(void);
void router_memory_free(struct router_memory *m);

/* router_memory_params_init: the defaults (the ROUTER_MEMORY_* values). */
void router_memory_params_init(struct router_memory_params *p);
/*
 * router_memory_set_params / router_memory_get_params: the learner's
 * knobs; setting them re-solves every model's regression (the record of
 * forecasts behind a and b is kept as it is: set the knobs before the
 * first rating).  Values out of range are clamped.
 */
void router_memory_set_params(
    struct router_memory *m, const struct router_memory_params *p);
void router_memory_get_params(
    const struct router_memory *m, struct router_memory_params *p);

/*
 * router_memory_add: remember that model answered the prompt with features
 * f with quality `quality` (0..1) where the router had predicted
 * `predicted`; weight in (0, 1].  Prompts with no word features are not
 * kept.
 */
void router_memory_add(struct router_memory *m, const struct router_features *f,
    const char *model, double quality, double predicted, double weight);

/*
 * router_memory_correction: the predicted correction to model's quality for
 * features f: a times its own fit plus b times the mean of the other
 * models' fits (memory.c), so a model with no rated prompts of its own
 * still gets the share of the others' lessons that the memory's record
 * says holds for every model (0 when nothing is remembered); *used (may
 * be NULL) gets how many rated prompts of model's own it stands on.
 */
double router_memory_correction(const struct router_memory *m,
    const struct router_features *f, const char *model, size_t *used);

/*
 * router_memory_apply: add each candidate's correction to its predicted
 * quality (kept within 0..1) and score, and pick the winner again among
 * the candidates not excluded.
 */
void router_memory_apply(
    const struct router_memory *m, struct router_decision *d);

/* router_memory_count: rated prompts kept for model (NULL: all models). */
size_t router_memory_count(const struct router_memory *m, const char *model);

#endif
