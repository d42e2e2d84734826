/*
 * fit.h - fitting a router offline from a routing dataset's examples
 * (`mixchat train`, `mixchat eval`).  Pure computation.
 *
 * The fit learns, from examples that carry every model's quality and
 * response length:
 *   - the tag classifier (multinomial logistic regression on the hashed
 *     features, SGD) from each example's tag label, when opts.tags;
 *   - per model and tag: the sums behind the shrunk mean quality and mean
 *     response length;
 *   - per model: the residual (ridge regression on the hashed features,
 *     exact by conjugate gradients, or by SGD when ridge = 0; target =
 *     quality - tag-mean prediction), with the shape line (a few shape
 *     numbers, standardised) solved in the same ridge, and the LinUCB
 *     A^-1 after every training example;
 *   - when opts.exemplars, every example's signature and what the fitted
 *     predictors got wrong on it, per model (exemplar.c).
 */
#ifndef MIXCHAT_ROUTER_FIT_H
#define MIXCHAT_ROUTER_FIT_H

#include <stdbool.h>
#include <stddef.h>

#include "router/router.h"

struct router_example {
	const char *prompt;
	size_t len;
	int tag;                  /* index into the tag names; -1: none */
	const double *quality;    /* [nmodels], 0..1 */
	const double *out_tokens; /* [nmodels] */
};

struct router_fit_options {
	bool tags;       /* learn tags; false: one tag for everything */
	bool exemplars;  /* keep the training prompts' near duplicates */
	bool trees;      /* fit the shape trees */
	double l2;       /* residual L2 per step */
	double lr;       /* residual step size */
	int epochs;      /* residual epochs */
	int tag_epochs;  /* classifier epochs */
	double dense_l2; /* ridge of the dense features, x n; 0: off */
	double ridge;    /* residual by ridge (CG) with this L2; 0: SGD */
	int ridge_iter;  /* its conjugate-gradient iterations */
	/* The shape line's scale in the residual ridge (router_int.h,
	 * ROUTER_SHAPE_LINE); 0: no shape line. */
	double shape_scale;
};

/* router_fit_options_init: the defaults (tuned on a validation part of
 * the train split, never on test). */
void router_fit_options_init(struct router_fit_options *o);

/*
 * router_fit: a new router (no built-in priors) whose candidates are the
 * dataset's nmodels models with the given prices (USD per 1M tokens),
 * fitted on n examples.  tags (ntags names, ntags <= ROUTER_MAX_TAGS) are
 * the labels the examples' tag indexes refer to.  *out is the caller's to
 * router_free().  MC_ERR_USAGE with *cause for bad sizes.
 */
/* Tests: fit with the portable loops (on) or the fastest this processor
 * has (off, the default).  Returns whether this processor has faster ones
 * (false: the two are the same code here). */
bool router_fit_portable(bool on);

int router_fit(const char *const *models, const double *price_in,
    const double *price_out, size_t nmodels, const char *const *tags,
    size_t ntags, const struct router_example *ex, size_t n,
    const struct router_fit_options *o, struct router **out,
    char **cause) MC_WUR;

#endif
