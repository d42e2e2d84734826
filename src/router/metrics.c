/*
 * metrics.c - AIQ (RouterBench) and APGR / CPT (RouteLLM); see metrics.h.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "router/metrics.h"
#include "util/xmalloc.h"

static int
cmp_point(const void *a, const void *b)
{
	const struct metrics_point *p = a, *q = b;

	if (p->cost != q->cost)
		return p->cost < q->cost ? -1 : 1;
	if (p->quality != q->quality)
		return p->quality > q->quality ? -1 : 1;
	return 0;
}

/* The hull's value at cost c (h: nh vertices, increasing cost). */
static double
hull_at(const struct metrics_point *h, size_t nh, double c)
{
	size_t i;

	if (c <= h[0].cost)
		return h[0].quality;
	for (i = 1; i < nh; i++) {
		if (c <= h[i].cost) {
			double t =
			    (c - h[i - 1].cost) / (h[i].cost - h[i - 1].cost);

			return h[i - 1].quality +
			       t * (h[i].quality - h[i - 1].quality);
		}
	}
	return h[nh - 1].quality;
}

double
metrics_aiq(const struct metrics_point *pts, size_t n, double c_lo, double c_hi)
{
	struct metrics_point *p, *h;
	size_t i, nh = 0, best;
	double area = 0, prev_c, prev_q, c, q;

	if (n == 0 || !(c_hi > c_lo))
		return 0;
	p = xmalloc(n * sizeof *p);
	memcpy(p, pts, n * sizeof *p);
	qsort(p, n, sizeof *p, cmp_point);
	/* Upper hull (Andrew's monotone chain, left to right). */
	h = xmalloc(n * sizeof *h);
	for (i = 0; i < n; i++) {
		if (nh > 0 && p[i].cost == h[nh - 1].cost)
			continue; /* same cost: the better one came first */
		while (nh >= 2) {
			const struct metrics_point *a = &h[nh - 2],
			                           *b = &h[nh - 1];
			double cross =
			    (b->cost - a->cost) * (p[i].quality - a->quality) -
			    (b->quality - a->quality) * (p[i].cost - a->cost);

			if (cross < 0)
				break;
			nh--;
		}
		h[nh++] = p[i];
	}
	/* Non-decreasing: flat after the best vertex. */
	best = 0;
	for (i = 1; i < nh; i++)
		if (h[i].quality > h[best].quality)
			best = i;
	nh = best + 1;
	/* Exact integral of the piecewise-linear curve over [c_lo, c_hi]. */
	prev_c = c_lo;
	prev_q = hull_at(h, nh, c_lo);
	for (i = 0; i <= nh; i++) {
		c = i < nh ? h[i].cost : c_hi;
		if (c <= prev_c)
			continue;
		if (c > c_hi)
			c = c_hi;
		q = hull_at(h, nh, c);
		area += (c - prev_c) * (q + prev_q) / 2;
		prev_c = c;
		prev_q = q;
		if (c >= c_hi)
			break;
	}
	if (prev_c < c_hi)
		area += (c_hi - prev_c) * prev_q;
	free(p);
	free(h);
	return area / (c_hi - c_lo);
}

static const double *sort_pref;

static int
cmp_pref(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;

	if (sort_pref[i] != sort_pref[j])
		return sort_pref[i] > sort_pref[j] ? -1 : 1;
	return i < j ? -1 : i > j;
}

void
metrics_apgr(const double *pref, const double *qw, const double *qs, size_t n,
    double *apgr, double *cpt50, double *cpt80)
{
	size_t *order, i;
	double mw = 0, ms = 0, q, pgr, prev, area = 0, gap;

	*apgr = 0;
	*cpt50 = *cpt80 = 100;
	if (n == 0)
		return;
	for (i = 0; i < n; i++) {
		mw += qw[i];
		ms += qs[i];
	}
	gap = (ms - mw) / (double)n;
	if (gap <= 0)
		return;
	order = xmalloc(n * sizeof *order);
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_pref = pref;
	qsort(order, n, sizeof *order, cmp_pref);
	q = mw;
	prev = 0;
	for (i = 0; i < n; i++) {
		q += qs[order[i]] - qw[order[i]];
		pgr = (q / (double)n - mw / (double)n) / gap;
		area += (prev + pgr) / 2 / (double)n;
		if (pgr >= 0.5 && *cpt50 == 100)
			*cpt50 = 100.0 * (double)(i + 1) / (double)n;
		if (pgr >= 0.8 && *cpt80 == 100)
			*cpt80 = 100.0 * (double)(i + 1) / (double)n;
		prev = pgr;
	}
	*apgr = area;
	free(order);
}
