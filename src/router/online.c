/*
 * online.c - the learning policy of live use, shared by the app and
 * `mixchat eval --online` (see online.h).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "router/online.h"
#include "router/router_int.h"
#include "util/xmalloc.h"

int
router_online_decide(const struct router *r, const struct router_memory *m,
    const char *prompt, size_t len, const struct router_context *ctx,
    struct router_decision *d)
{
	int rc = router_decide(r, prompt, len, ctx, d);

	if (rc == MC_ERR_NOTFOUND)
		return rc;
	if (m != NULL)
		router_memory_apply(m, d);
	return d->winner < 0 ? MC_ERR_BUDGET : MC_OK;
}

/*
 * What the router itself predicts for model on f: its profile, corrected
 * by the fit's near duplicates when it has them (router_qualities) - the
 * quality a decision compares.  The memory's residuals are taken against
 * this, so that a lesson the near duplicates already taught is not added
 * a second time.
 */
double
router_online_base(
    const struct router *r, const struct router_features *f, const char *model)
{
	double *q;
	double v = -1;
	size_t i;

	if (router_find_profile(r, model) == NULL)
		return -1;
	q = xcalloc(r->nmodels, sizeof *q);
	router_qualities(r, f, q);
	for (i = 0; i < r->nmodels; i++)
		if (strcmp(r->models[i]->id, model) == 0)
			v = q[i];
	free(q);
	return v;
}

/*
 * The weight at which a rating of p teaches its tag statistics: weight *
 * tag_weight, but for a model that knows little of this prompt's tags (one
 * started from its price tier) up to the rating's whole weight, falling
 * linearly to nothing as the statistics gather ROUTER_PRIOR_CAP ratings'
 * worth - what a model with a prior starts with.  Such a model then
 * learns from its first ratings as fast as their evidence allows, instead
 * of needing some 200 of them to move halfway from its price guess; one
 * with a prior or a fit learns as before.
 */
static double
stats_weight(const struct router_profile *p, const struct router_features *f,
    double weight, double tag_weight)
{
	double fresh = 1.0 - router_profile_evidence(p, f) / ROUTER_PRIOR_CAP;
	double w = weight * tag_weight;

	if (weight * fresh > w)
		w = weight * fresh;
	return w > 1 ? 1 : w;
}

int
router_online_learn(struct router *r, struct router_memory *m,
    const struct router_features *f, const char *model, double quality,
    double weight)
{
	struct router_memory_params mp;
	const struct router_profile *p = router_find_profile(r, model);
	double base;
	int rc;

	if (p == NULL)
		return MC_ERR_NOTFOUND;
	base = router_online_base(r, f, model);
	if (!(quality >= 0 && quality <= 1) || !(weight > 0 && weight <= 1))
		return MC_ERR_USAGE;
	router_memory_params_init(&mp);
	if (m != NULL)
		router_memory_get_params(m, &mp);
	if (mp.tag_weight > 0) {
		rc = router_learn_split(r, f, model, quality,
		    stats_weight(p, f, weight, mp.tag_weight),
		    weight * mp.tag_weight);
		if (rc != MC_OK)
			return rc;
	}
	if (m != NULL)
		router_memory_add(m, f, model, quality, base, weight);
	return MC_OK;
}

int
router_online_correct(struct router *r, const struct router_features *f,
    const char *model, double old_quality, double quality, double weight)
{
	struct router_memory_params mp;
	const struct router_profile *p = router_find_profile(r, model);

	if (p == NULL)
		return MC_ERR_NOTFOUND;
	if (!(quality >= 0 && quality <= 1) ||
	    !(old_quality >= 0 && old_quality <= 1) ||
	    !(weight > 0 && weight <= 1))
		return MC_ERR_USAGE;
	router_memory_params_init(&mp);
	if (mp.tag_weight <= 0)
		return MC_OK;
	return router_correct_split(r, f, model, old_quality, quality,
	    stats_weight(p, f, weight, mp.tag_weight), weight * mp.tag_weight);
}

float *
router_features_pack(const struct router_features *f, size_t *n)
{
	float *v = xcalloc(2 * ((size_t)f->nnz + f->ntags + f->qnnz +
	                           ROUTER_SIG + ROUTER_NSHAPE + 1),
	    sizeof *v);
	uint32_t i;
	size_t k = 0;

	v[k++] = (float)ROUTER_PACK_LAYOUT;
	v[k++] = 2;
	for (i = 0; i < f->nnz; i++) {
		v[k++] = (float)f->nz[i];
		v[k++] = f->x[f->nz[i]];
	}
	for (i = 0; i < f->ntags; i++) {
		v[k++] = (float)(ROUTER_PACK_TAGS + i);
		v[k++] = f->tag[i];
	}
	for (i = 0; i < f->qnnz; i++) {
		v[k++] = (float)(ROUTER_PACK_QUERY + f->qnz[i]);
		v[k++] = f->qx[i];
	}
	for (i = 0; f->has_sig && i < ROUTER_SIG; i++) {
		v[k++] = (float)(ROUTER_PACK_SIG + i);
		v[k++] = (float)f->sig[i] / 16.0f;
	}
	for (i = 0; f->has_shape && i < ROUTER_NSHAPE; i++) {
		v[k++] = (float)(ROUTER_PACK_SHAPE + i);
		v[k++] = f->shape[i];
	}
	*n = k;
	return v;
}

/* The first layout: words [0, 2048), 8 dense features, then the tags. */
#define PACK_V1_WORDS 2048
#define PACK_V1_DENSE 8

bool
router_features_unpack(const float *v, size_t n, struct router_features *f)
{
	size_t i = 0;
	bool v1 = true;
	uint64_t sigs = 0;   /* which signature values were read */
	uint64_t shapes = 0; /* which shape numbers */

	memset(f, 0, sizeof *f);
	if (v == NULL || n % 2 != 0)
		return false;
	if (n >= 2 && v[0] == (float)ROUTER_PACK_LAYOUT) {
		if (v[1] != 2)
			return false;
		v1 = false;
		i = 2;
	}
	for (; i < n; i += 2) {
		double idx = v[i];

		/* Every feature lies in [0, 2]; leave room, refuse nonsense. */
		if (!(idx >= 0) || idx != floor(idx) ||
		    !(v[i + 1] >= 0 && v[i + 1] <= 16))
			return false;
		if (v1 && idx >= PACK_V1_WORDS) {
			/* Onto today's places of the dense features and tags. */
			if (idx < PACK_V1_WORDS + PACK_V1_DENSE)
				idx += ROUTER_DENSE_BASE - PACK_V1_WORDS;
			else if (idx < PACK_V1_WORDS + PACK_V1_DENSE +
			                   ROUTER_MAX_TAGS)
				idx += ROUTER_PACK_TAGS - PACK_V1_WORDS -
				       PACK_V1_DENSE;
			else
				return false;
		}
		if (idx < ROUTER_DIM) {
			/* A zero is no feature; a bucket repeated keeps its
			 * last value and is listed once. */
			if (v[i + 1] == 0)
				continue;
			if (f->x[(size_t)idx] == 0)
				f->nz[f->nnz++] = (uint16_t)idx;
			f->x[(size_t)idx] = v[i + 1];
		} else if (idx >= ROUTER_PACK_TAGS &&
		           idx < ROUTER_PACK_TAGS + ROUTER_MAX_TAGS) {
			size_t t = (size_t)(idx - ROUTER_PACK_TAGS);

			f->tag[t] = v[i + 1];
			if (t + 1 > f->ntags)
				f->ntags = (uint32_t)t + 1;
		} else if (!v1 && idx >= ROUTER_PACK_QUERY &&
		           idx < ROUTER_PACK_QUERY + ROUTER_HASH_DIM) {
			if (f->qnnz >= ROUTER_HASH_DIM)
				return false;
			f->qnz[f->qnnz] = (uint16_t)(idx - ROUTER_PACK_QUERY);
			f->qx[f->qnnz++] = v[i + 1];
		} else if (!v1 && idx >= ROUTER_PACK_SIG &&
		           idx < ROUTER_PACK_SIG + ROUTER_SIG) {
			size_t k = (size_t)(idx - ROUTER_PACK_SIG);
			double s = (double)v[i + 1] * 16.0;

			if (s != floor(s) || s > 255)
				return false;
			f->sig[k] = (uint8_t)s;
			sigs |= 1ull << k;
		} else if (!v1 && idx >= ROUTER_PACK_SHAPE &&
		           idx < ROUTER_PACK_SHAPE + ROUTER_PACK_SHAPE_ROOM) {
			size_t k = (size_t)(idx - ROUTER_PACK_SHAPE);

			/* Numbers of another version's shape: not ours. */
			if (k < ROUTER_NSHAPE) {
				f->shape[k] = v[i + 1];
				shapes |= 1ull << k;
			} else
				shapes |= 1ull << 63;
		} else
			return false;
	}
#if ROUTER_NSHAPE > 62
#error "the shape numbers are tracked in a 64-bit mask"
#endif
	/* A shape not exactly ours (another version's) is left out: the
	 * rating keeps its words and tags, and is predicted without trees. */
	f->has_shape = shapes == (1ull << ROUTER_NSHAPE) - 1;
	if (!f->has_shape)
		memset(f->shape, 0, sizeof f->shape);
#if ROUTER_SIG > 63
#error "the signature's values are tracked in a 64-bit mask"
#endif
	if (sigs != 0 && sigs != (1ull << ROUTER_SIG) - 1)
		return false;
	f->has_sig = sigs != 0;
	return f->nnz > 0;
}
