/*
 * metrics.h - how a router is judged on a held-out split (`mixchat eval`):
 * RouterBench's AIQ and RouteLLM's APGR / CPT.  Pure computation; the exact
 * definitions are in docs/readme/router.md.
 */
#ifndef MIXCHAT_ROUTER_METRICS_H
#define MIXCHAT_ROUTER_METRICS_H

#include <stddef.h>

/* One operating point of a router: its mean cost and quality per prompt. */
struct metrics_point {
	double cost;
	double quality;
};

/*
 * metrics_aiq: the area under the non-decreasing upper convex hull of the
 * points over [c_lo, c_hi], divided by (c_hi - c_lo).  Left of the
 * cheapest point the hull is flat at its quality, right of the best point
 * flat at the best quality.  0 when n == 0 or c_hi <= c_lo.
 */
double metrics_aiq(
    const struct metrics_point *pts, size_t n, double c_lo, double c_hi);

/*
 * metrics_apgr: route the prompts with the highest pref[] to the strong
 * model first; for each share k/n of calls to it, PGR = (quality -
 * weak mean) / (strong mean - weak mean).  *apgr is the trapezoid area of
 * PGR over the share in [0, 1]; *cpt50 / *cpt80 the smallest share (in %)
 * whose PGR reaches 0.5 / 0.8 (100 when never).  qw, qs: each prompt's
 * quality from the weak and the strong model.
 */
void metrics_apgr(const double *pref, const double *qw, const double *qs,
    size_t n, double *apgr, double *cpt50, double *cpt80);

#endif
