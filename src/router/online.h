/*
 * online.h - the learning policy of live use, in one place: how a rating
 * teaches the router and its memory, and how a decision uses both.  The
 * app (src/app/app.c) and `mixchat eval --online` (src/cli/eval.c) both
 * call these, so what eval measures is what the app does.
 *
 * A rating of model l on a prompt x with quality q and weight w:
 *   1. the memory remembers x with the residual q - q_l(x), where q_l(x)
 *      is the router's own prediction before this rating;
 *   2. the tag-level predictors learn it at w * tag_weight
 *      (router_learn; tag_weight is a knob of the memory, 0.1 by default),
 *      except that a model whose tag statistics hold less than a prior's
 *      ROUTER_PRIOR_CAP ratings at x's tags (one started from its price
 *      tier) counts the rating in them at up to its whole weight w.
 * A decision is router_decide's, with each candidate's predicted quality
 * corrected by the memory and the winner picked again.  After every reply
 * the caller also calls router_learn_length() with its real length.
 */
#ifndef MIXCHAT_ROUTER_ONLINE_H
#define MIXCHAT_ROUTER_ONLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "router/memory.h"
#include "router/router.h"

/*
 * router_online_decide: the decision for a prompt (len bytes) as the app
 * makes it: router_decide() then router_memory_apply() (m may be NULL: no
 * memory).  Fills *d (the caller releases it with
 * router_decision_release()).  MC_ERR_NOTFOUND when there are no
 * candidates; MC_ERR_BUDGET when every candidate is excluded (d is filled,
 * winner -1).
 */
int router_online_decide(const struct router *r, const struct router_memory *m,
    const char *prompt, size_t len, const struct router_context *ctx,
    struct router_decision *d) MC_WUR;

/*
 * router_online_base: the router's own prediction (without the memory)
 * of model's quality for f, or -1 when model is not a candidate.
 */
double router_online_base(
    const struct router *r, const struct router_features *f, const char *model);

/*
 * router_online_learn: teach r and m one rating of model on the prompt
 * with features f: quality in [0, 1], weight in (0, 1] (less than 1 for a
 * soft signal such as a re-ask).  The memory keeps the residual against
 * the prediction from before the rating; the tag-level predictors learn
 * at weight * tag_weight (a fresh model's tag statistics at up to weight,
 * see above).  m may be NULL.  MC_ERR_NOTFOUND for a model
 * that is not a candidate, MC_ERR_USAGE for quality or weight out of
 * range; r and m are then unchanged.
 */
/*
 * router_online_correct: a rating of model on f changed from old_quality
 * to quality (the user corrected it).  The tag statistics move as if it
 * had been quality all along (the same weight the rating had, give or
 * take what the statistics gathered since), and the residual takes one
 * step toward it; no new observation is counted (LinUCB's A and the
 * count stay).  The memory of rated prompts is the caller's to rebuild
 * from the stored ratings, where the corrected one no longer counts.
 */
int router_online_correct(struct router *r, const struct router_features *f,
    const char *model, double old_quality, double quality,
    double weight) MC_WUR;
int router_online_learn(struct router *r, struct router_memory *m,
    const struct router_features *f, const char *model, double quality,
    double weight) MC_WUR;

/*
 * router_features_pack: the features as kept with a rating, so that the
 * memory can be rebuilt from the store: (index, value) pairs of floats —
 * first (ROUTER_PACK_LAYOUT, 2), the layout; then the features of x
 * (index < ROUTER_DIM), the tag probabilities (ROUTER_PACK_TAGS + tag)
 * the last block's words (ROUTER_PACK_QUERY + bucket) and, when f has
 * one, its near-duplicate signature (ROUTER_PACK_SIG + k, value k / 16:
 * all ROUTER_SIG of them, so that a rebuilt memory takes its residuals
 * against the same prediction as the live one did) and its shape
 * (ROUTER_PACK_SHAPE + k, all ROUTER_NSHAPE numbers, for the shape
 * trees; indexes up to ROUTER_PACK_SHAPE_ROOM are kept for the shapes of
 * other versions).  A rating whose shape is missing, partial or another
 * version's is read without one, and predicted without trees.  The offsets
 * do not depend on ROUTER_DIM, so a change of the feature space leaves
 * the tags and the last block readable.  *n gets the number of floats;
 * free() the result.
 * router_features_unpack: back; false when v does not make features
 * (odd length, an index out of range, a value outside [0, 16], no
 * features of x, a signature value not a sixteenth or one missing).  Pairs without the layout pair are the first layout
 * (mixchat 0.1 before the character features: words < 2048, then 8
 * dense features, then the tags); they are read as such, without a last
 * block, and the memory compares those prompts by their word features.
 */
#define ROUTER_PACK_TAGS       1048576.0
#define ROUTER_PACK_QUERY      2097152.0
#define ROUTER_PACK_LAYOUT     3145728.0
#define ROUTER_PACK_SIG        4194304.0
#define ROUTER_PACK_SHAPE      5242880.0
#define ROUTER_PACK_SHAPE_ROOM 64

float *router_features_pack(const struct router_features *f, size_t *n);
bool router_features_unpack(
    const float *v, size_t n, struct router_features *f) MC_WUR;

#endif
