/*
 * memory.h - what one user's ratings taught the router about prompts like
 * theirs: a per-model kernel ridge regression on the residuals of the
 * router's predictions.
 *
 * The tag-level predictors (router.c) learn slowly and globally: in live
 * chat most prompts fall under one or two tags, so a handful of ratings
 * cannot tell "cheap is bad at chemistry" from "cheap is bad".  The memory
 * keeps every rated prompt of a model (its hashed word features, unit
 * length), with the residual r = rated quality - the quality the router
 * predicted when it routed it, and predicts a correction for a new prompt
 *
 *	delta(x) = k(x)' (K + lambda W^-1)^-1 r
 *
 * where k(x) holds the kernel (cosine similarity cubed) of x and each
 * rated prompt, K
 * theirs to one another and W their weights (a re-ask counts less than a
 * keystroke).  Shared function words are explained away by the solve:
 * a word present in good and bad replies alike gets no blame; a word only
 * in the bad ones does.  Pure computation: no I/O.  The app rebuilds the
 * memory at start-up from the ratings kept in the store.
 */
#ifndef MIXCHAT_ROUTER_MEMORY_H
#define MIXCHAT_ROUTER_MEMORY_H

#include <stddef.h>

#include "router/router.h"

/* Rated prompts kept per model (the oldest go first). */
#define ROUTER_MEMORY_MAX 256
/* The kernel is cosine^POWER over the hashed word features. */
#ifndef ROUTER_MEMORY_POWER
#define ROUTER_MEMORY_POWER 3
#endif
/* Ridge strength: one identical rated prompt moves a prediction by
 * r / (1 + lambda). */
#define ROUTER_MEMORY_LAMBDA 0.5

struct router_memory;

/* router_memory_new: an empty memory; router_memory_free() frees it. */
struct router_memory *router_memory_new(void);
void router_memory_free(struct router_memory *m);

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
 * features f (0 when the model has no rated prompts); *used (may be NULL)
 * gets how many rated prompts it stands on.
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
