/*
 * online.c - the learning policy of live use, shared by the app and
 * `mixchat eval --online` (see online.h).
 */
#include "config.h"

#include <string.h>

#include "router/online.h"
#include "router/router_int.h"

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

double
router_online_base(
    const struct router *r, const struct router_features *f, const char *model)
{
	size_t i;

	for (i = 0; i < r->nmodels; i++)
		if (strcmp(r->models[i]->id, model) == 0)
			return router_profile_quality(r->models[i], f);
	return -1;
}

int
router_online_learn(struct router *r, struct router_memory *m,
    const struct router_features *f, const char *model, double quality,
    double weight)
{
	struct router_memory_params mp;
	double base = router_online_base(r, f, model);
	int rc;

	if (base < 0)
		return MC_ERR_NOTFOUND;
	if (!(quality >= 0 && quality <= 1) || !(weight > 0 && weight <= 1))
		return MC_ERR_USAGE;
	router_memory_params_init(&mp);
	if (m != NULL)
		router_memory_get_params(m, &mp);
	if (mp.tag_weight > 0) {
		rc = router_learn(r, f, model, quality, weight * mp.tag_weight);
		if (rc != MC_OK)
			return rc;
	}
	if (m != NULL)
		router_memory_add(m, f, model, quality, base, weight);
	return MC_OK;
}
