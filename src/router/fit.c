/*
 * fit.c - offline fitting of the router from a dataset's examples (see
 * fit.h): tag classifier, per-tag statistics, residuals, LinUCB matrices.
 * Deterministic: the same examples give the same bytes (the shipped priors
 * are checked against a re-fit).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "router/fit.h"
#include "router/router_int.h"
#include "util/xmalloc.h"

/* An example's features, kept sparse. */
struct sparse {
	uint32_t nnz;
	uint16_t *idx;
	float *val;
	float tag[ROUTER_MAX_TAGS];
	float shape[ROUTER_NSHAPE];
};

void
router_fit_options_init(struct router_fit_options *o)
{
	memset(o, 0, sizeof *o);
	o->tags = true;
	o->exemplars = true;
	o->trees = true;
	o->l2 = 0.5;
	o->lr = 0.005;
	o->epochs = 2;
	o->tag_epochs = 16;
	o->dense_l2 = 0;
	o->ridge = 40;
	o->ridge_iter = 50;
	o->shape_scale = ROUTER_SHAPE_SCALE;
}

/* A deterministic permutation (xorshift, fixed seed per epoch). */
static void
shuffle(size_t *perm, size_t n, uint32_t seed)
{
	uint32_t s = seed * 2654435761u + 1;
	size_t i, j, t;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n; i > 1; i--) {
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		j = s % i;
		t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
}

static void
sparse_to_features(
    const struct sparse *sp, uint32_t ntags, struct router_features *f)
{
	uint32_t k;

	/* Only the entries that matter: callers read x through nz. */
	f->nnz = sp->nnz;
	for (k = 0; k < sp->nnz; k++) {
		f->nz[k] = sp->idx[k];
		f->x[sp->idx[k]] = sp->val[k];
	}
	f->ntags = ntags;
	memcpy(f->tag, sp->tag, sizeof f->tag);
	memcpy(f->shape, sp->shape, sizeof f->shape);
	f->has_shape = true;
}

/*
 * The exemplars: every example's signature and what the fitted predictors
 * got wrong on it, model by model (exemplar.c).
 */
static void
fit_exemplars(struct router *r, struct sparse *sp,
    const struct router_example *ex, size_t n, struct router_features *f)
{
	const char **cols = xcalloc(r->nmodels + 1, sizeof *cols);
	struct router_exemplars *x;
	size_t e, l, tail;
	uint32_t k, best;

	for (l = 0; l < r->nmodels; l++)
		cols[l] = r->models[l]->id;
	x = router_exemplars_new((uint32_t)n, (uint32_t)r->nmodels, cols);
	free(cols);
	for (e = 0; e < n; e++) {
		tail = router_last_block(ex[e].prompt, ex[e].len);
		router_signature(ex[e].prompt + tail, ex[e].len - tail,
		    x->sig + e * ROUTER_SIG);
		sparse_to_features(&sp[e], r->ntags, f);
		best = 0;
		for (k = 1; k < r->ntags; k++)
			if (f->tag[k] > f->tag[best])
				best = k;
		x->tag[e] =
		    (uint8_t)(ex[e].tag >= 0 ? (uint32_t)ex[e].tag : best);
		for (l = 0; l < r->nmodels; l++)
			x->err[e * r->nmodels + l] = router_exemplar_quantise(
			    ex[e].quality[l] -
			    router_profile_quality(r->models[l], f));
		for (k = 0; k < f->nnz; k++)
			f->x[f->nz[k]] = 0;
	}
	x->ntags = r->ntags;
	router_exemplars_index(x);
	router_exemplars_measure(x);
	r->exemplars = x;
}

/*
 * The tag classifier: softmax regression on the hashed features by SGD at
 * a constant step, o->tag_epochs passes, and the mean of the weights
 * after every step (Polyak averaging) kept rather than the last ones.
 * The mean is kept lazily: with w_c the weights after c steps and d_s
 * the s-th step, the mean of w_1..w_c is w_c - sum (s - 1) d_s / c, so u
 * sums (s - 1) d_s over the (few) weights each step touches.  On the
 * validation folds of train, against the last weights at a step 1/(1 +
 * epoch) over 8 epochs: MMLU APGR 0.6982 -> 0.7005 (4 of 5 folds),
 * RouterBench AIQ 0.8540 -> 0.8552 (5 of 5); an L2 penalty (1e-4) and a
 * temperature (0.6, 1.5) on the averaged weights lost on both.
 */
static void
fit_tags(struct router *r, struct sparse *sp, const struct router_example *ex,
    size_t n, const struct router_fit_options *o)
{
	uint32_t T = r->ntags, t, k;
	double z[ROUTER_MAX_TAGS], g[ROUTER_MAX_TAGS], ub[ROUTER_MAX_TAGS], m,
	    s, steps = 0, d;
	double *u = xcalloc((size_t)T * ROUTER_DIM, sizeof *u);
	size_t *perm = xmalloc((n + 1) * sizeof *perm), e, i, j;
	int epoch;

	/* Feature-major (ROUTER_DIM x T): each non-zero feature touches one
	 * contiguous row of T weights. */
	r->tagw = xcalloc((size_t)T * ROUTER_DIM, sizeof *r->tagw);
	memset(r->tagb, 0, sizeof r->tagb);
	memset(ub, 0, sizeof ub);
	for (epoch = 0; epoch < o->tag_epochs; epoch++) {
		shuffle(perm, n, 1000u + (uint32_t)epoch);
		for (i = 0; i < n; i++) {
			e = perm[i];
			if (ex[e].tag < 0)
				continue;
			for (t = 0; t < T; t++)
				z[t] = r->tagb[t];
			for (k = 0; k < sp[e].nnz; k++) {
				const float *w =
				    r->tagw + (size_t)sp[e].idx[k] * T;
				double v = sp[e].val[k];

				for (t = 0; t < T; t++)
					z[t] += (double)w[t] * v;
			}
			m = z[0];
			for (t = 1; t < T; t++)
				if (z[t] > m)
					m = z[t];
			s = 0;
			for (t = 0; t < T; t++) {
				z[t] = exp(z[t] - m);
				s += z[t];
			}
			for (t = 0; t < T; t++) {
				g[t] = ROUTER_TAG_STEP *
				       (((int)t == ex[e].tag ? 1.0 : 0.0) -
				           z[t] / s);
				r->tagb[t] += (float)g[t];
				ub[t] += steps * g[t];
			}
			for (k = 0; k < sp[e].nnz; k++) {
				size_t row = (size_t)sp[e].idx[k] * T;
				float *w = r->tagw + row;
				double v = sp[e].val[k];

				for (t = 0; t < T; t++) {
					d = g[t] * v;
					w[t] += (float)d;
					u[row + t] += steps * d;
				}
			}
			steps += 1.0;
		}
	}
	if (steps > 0) {
		for (j = 0; j < (size_t)T * ROUTER_DIM; j++)
			r->tagw[j] -= (float)(u[j] / steps);
		for (t = 0; t < T; t++)
			r->tagb[t] -= (float)(ub[t] / steps);
	}
	free(u);
	free(perm);
}

/* Solve the d x d system a x = b in place (Gauss-Jordan, partial
 * pivoting); a singular system leaves x = 0. */
static void
solve(double *a, double *b, double *x, int d)
{
	int i, j, k, piv;
	double t;

	for (k = 0; k < d; k++) {
		piv = k;
		for (i = k + 1; i < d; i++)
			if (fabs(a[i * d + k]) > fabs(a[piv * d + k]))
				piv = i;
		if (fabs(a[piv * d + k]) < 1e-12) {
			for (i = 0; i < d; i++)
				x[i] = 0;
			return;
		}
		for (j = 0; j < d; j++) {
			t = a[k * d + j];
			a[k * d + j] = a[piv * d + j];
			a[piv * d + j] = t;
		}
		t = b[k];
		b[k] = b[piv];
		b[piv] = t;
		for (i = 0; i < d; i++) {
			if (i == k)
				continue;
			t = a[i * d + k] / a[k * d + k];
			for (j = k; j < d; j++)
				a[i * d + j] -= t * a[k * d + j];
			b[i] -= t * b[k];
		}
	}
	for (i = 0; i < d; i++)
		x[i] = b[i] / a[i * d + i];
}

static void
fit_dense(struct router *r, const struct sparse *sp,
    const struct router_example *ex, size_t n,
    const struct router_fit_options *o, struct router_features *f)
{
	enum { D = ROUTER_NDENSE };
	double a[D * D], b[D], w[D], x[D], res;
	size_t l, e;
	uint32_t k;
	int i, j;

	if (o->dense_l2 <= 0)
		return;
	for (l = 0; l < r->nmodels; l++) {
		struct router_profile *p = r->models[l];

		memset(a, 0, sizeof a);
		memset(b, 0, sizeof b);
		for (e = 0; e < n; e++) {
			sparse_to_features(&sp[e], r->ntags, f);
			for (i = 0; i < D; i++)
				x[i] = f->x[ROUTER_DENSE_BASE + i];
			res = ex[e].quality[l] - router_profile_base(p, f);
			for (i = 0; i < D; i++) {
				b[i] += x[i] * res;
				for (j = 0; j < D; j++)
					a[i * D + j] += x[i] * x[j];
			}
			for (k = 0; k < f->nnz; k++)
				f->x[f->nz[k]] = 0;
		}
		for (i = 0; i < D; i++)
			a[i * D + i] += o->dense_l2 * (double)n;
		solve(a, b, w, D);
		for (i = 0; i < D; i++)
			p->w[ROUTER_DENSE_BASE + i] = (float)w[i];
	}
}

/*
 * The ridge fit's two products, out += X'y and out = (X'X + ridge I) v, for
 * the n examples (features below dim), L columns (models) at once: y and xp
 * (an n x L scratch) example-major, out and v feature-major dim x L.  Their
 * inner step is o[l] += a * y[l] over the L columns; where the processor
 * has AVX2 it is done four columns at a time - each element multiplied,
 * then added, as the plain loop does (no fused multiply-add), so that the
 * fit is the same bytes on every processor (the shipped priors are checked
 * against a re-fit).
 */
#define FIT_PRODUCTS(SUFFIX, AXPY, ATTR)                                       \
	ATTR static void xt_add##SUFFIX(const struct sparse *sp, size_t n,     \
	    uint32_t dim, size_t L, const double *y, double *out)              \
	{                                                                      \
		size_t e;                                                      \
		uint32_t k;                                                    \
                                                                               \
		for (e = 0; e < n; e++)                                        \
			for (k = 0; k < sp[e].nnz; k++)                        \
				if (sp[e].idx[k] < dim)                        \
					AXPY(out + (size_t)sp[e].idx[k] * L,   \
					    (double)sp[e].val[k], y + e * L,   \
					    L);                                \
	}                                                                      \
                                                                               \
	ATTR static void apply_a##SUFFIX(const struct sparse *sp, size_t n,    \
	    uint32_t dim, size_t L, double ridge, const double *v, double *xp, \
	    double *out)                                                       \
	{                                                                      \
		size_t e, j;                                                   \
		uint32_t k;                                                    \
                                                                               \
		for (e = 0; e < n; e++) {                                      \
			memset(xp + e * L, 0, L * sizeof *xp);                 \
			for (k = 0; k < sp[e].nnz; k++)                        \
				if (sp[e].idx[k] < dim)                        \
					AXPY(xp + e * L, (double)sp[e].val[k], \
					    v + (size_t)sp[e].idx[k] * L, L);  \
		}                                                              \
		for (j = 0; j < dim * L; j++)                                  \
			out[j] = ridge * v[j];                                 \
		xt_add##SUFFIX(sp, n, dim, L, xp, out);                        \
	}

static inline __attribute__((always_inline)) void
axpy_plain(double *o, double a, const double *y, size_t L)
{
	size_t l;

	for (l = 0; l < L; l++)
		o[l] += a * y[l];
}

FIT_PRODUCTS(_plain, axpy_plain, )

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

static inline __attribute__((always_inline, target("avx2"))) void
axpy_avx2(double *o, double a, const double *y, size_t L)
{
	__m256d av = _mm256_set1_pd(a);
	size_t l = 0;

	for (; l + 4 <= L; l += 4)
		_mm256_storeu_pd(
		    o + l, _mm256_add_pd(_mm256_loadu_pd(o + l),
		               _mm256_mul_pd(av, _mm256_loadu_pd(y + l))));
	for (; l < L; l++)
		o[l] += a * y[l];
}

FIT_PRODUCTS(_avx2, axpy_avx2, __attribute__((target("avx2"))))

/* -1: not yet asked; 0: the plain loops; 1: AVX2. */
static int fit_simd = -1;

static bool
fit_avx2(void)
{
	if (fit_simd < 0) {
		__builtin_cpu_init();
		fit_simd = __builtin_cpu_supports("avx2") ? 1 : 0;
	}
	return fit_simd == 1;
}

bool
router_fit_portable(bool on)
{
	fit_simd = -1;
	if (on) {
		bool had = fit_avx2();

		fit_simd = 0;
		return had;
	}
	return fit_avx2();
}
#define xt_add(sp, n, dim, L, y, out)                    \
	(fit_avx2() ? xt_add_avx2(sp, n, dim, L, y, out) \
	            : xt_add_plain(sp, n, dim, L, y, out))
#define apply_a(sp, n, dim, L, ridge, v, xp, out)                    \
	(fit_avx2() ? apply_a_avx2(sp, n, dim, L, ridge, v, xp, out) \
	            : apply_a_plain(sp, n, dim, L, ridge, v, xp, out))
#else
#define xt_add  xt_add_plain
#define apply_a apply_a_plain

bool
router_fit_portable(bool on)
{
	return false;
}
#endif

/*
 * The examples' hashed features with the shape line's columns appended:
 * column ROUTER_DENSE_BASE + s holds shape number s (one of
 * ROUTER_SHAPE_LINE) standardised over these examples, times scale; the
 * mean and the standard deviation (0: a constant number, left out) go to
 * mu and sd.
 */
static struct sparse *
shape_columns(
    const struct sparse *sp, size_t n, double scale, double *mu, double *sd)
{
	const uint32_t hdim = ROUTER_DENSE_BASE;
	struct sparse *xs = xcalloc(n + 1, sizeof *xs);
	size_t e;
	uint32_t s, k, m;

	for (s = 0; s < ROUTER_NSHAPE; s++) {
		double a = 0, b = 0;

		mu[s] = sd[s] = 0;
		if (!(ROUTER_SHAPE_LINE & (1u << s)))
			continue;
		for (e = 0; e < n; e++) {
			a += sp[e].shape[s];
			b += (double)sp[e].shape[s] * sp[e].shape[s];
		}
		mu[s] = a / (double)n;
		b = b / (double)n - mu[s] * mu[s];
		sd[s] = b > 1e-12 ? sqrt(b) : 0;
	}
	for (e = 0; e < n; e++) {
		xs[e].idx = xmalloc(
		    (sp[e].nnz + ROUTER_NSHAPE + 1) * sizeof *xs[e].idx);
		xs[e].val = xmalloc(
		    (sp[e].nnz + ROUTER_NSHAPE + 1) * sizeof *xs[e].val);
		m = 0;
		for (k = 0; k < sp[e].nnz; k++)
			if (sp[e].idx[k] < hdim) {
				xs[e].idx[m] = sp[e].idx[k];
				xs[e].val[m++] = sp[e].val[k];
			}
		for (s = 0; s < ROUTER_NSHAPE; s++)
			if (sd[s] > 0) {
				xs[e].idx[m] = (uint16_t)(hdim + s);
				xs[e].val[m++] =
				    (float)(scale * (sp[e].shape[s] - mu[s]) /
				            sd[s]);
			}
		xs[e].nnz = m;
	}
	return xs;
}

/*
 * The residual of every model as a ridge regression on the hashed
 * features, (X'X + ridge I) w = X'r with r = quality - the tag base,
 * solved by conjugate gradients (from w = 0, or warm from another fit's
 * weights), all models in step so that
 * each iteration reads the examples once.  Exact ridge beat the SGD
 * (strong L2 per step, 2 epochs) on validation folds of train: MMLU and
 * GSM8K APGR, RouterBench AIQ.
 *
 * The shape line is solved in the same system, as o->shape_scale times
 * the standardised shape numbers (a ridge of ridge / scale^2 on them),
 * and kept in each profile in the numbers' raw units with an offset.
 * On the validation folds of train, against none: GSM8K APGR 0.6537 ->
 * 0.6695 (4 of 5 folds), MMLU 0.7006 -> 0.6982, RouterBench AIQ 0.8552
 * -> 0.8550, OVERRULING 0.9373 -> 0.9360 (each within a fold's
 * bootstrap error: 0.026, 0.014, 0.011).  All 22 shape numbers lost
 * MMLU (0.6929 at scale 1; one line per tag, 0.6981 at 0.3) and gained
 * GSM8K less (0.6656 at 0.3); the eight times each tag's probability,
 * one line per tag, measured as the one line (MMLU 0.7001, RouterBench
 * 0.8546; docs/ARCHITECTURE.md has the rest).
 */
static void
fit_ridge(struct router *r, const struct sparse *sp,
    const struct router_example *ex, size_t n,
    const struct router_fit_options *o, struct router_features *f,
    const struct router *warm)
{
	const uint32_t hdim = ROUTER_DENSE_BASE;
	const bool line = o->shape_scale > 0;
	const uint32_t dim = hdim + (line ? ROUTER_NSHAPE : 0);
	size_t L = r->nmodels, l, e, j;
	/* Example-major n x L and feature-major dim x L. */
	double *xp = xcalloc(n * L + 1, sizeof *xp);
	double *w = xcalloc(dim * L, sizeof *w),
	       *g = xcalloc(dim * L, sizeof *g);
	double *p = xcalloc(dim * L, sizeof *p),
	       *ap = xcalloc(dim * L, sizeof *ap);
	double *rr = xcalloc(L, sizeof *rr), *pap = xcalloc(L, sizeof *pap);
	double *rr1 = xcalloc(L, sizeof *rr1), *rr0 = xcalloc(L, sizeof *rr0);
	double mu[ROUTER_NSHAPE], sd[ROUTER_NSHAPE];
	/* The design matrix: the hashed features, and the line's columns. */
	struct sparse *xs = NULL;
	const struct sparse *x = sp;
	uint32_t k, s;
	int it, live;

	if (line)
		x = xs = shape_columns(sp, n, o->shape_scale, mu, sd);

	/* g = X'r (the gradient at w = 0), p = g. */
	for (e = 0; e < n; e++) {
		sparse_to_features(&sp[e], r->ntags, f);
		for (l = 0; l < L; l++)
			xp[e * L + l] = ex[e].quality[l] -
			                router_profile_base(r->models[l], f);
		for (k = 0; k < f->nnz; k++)
			f->x[f->nz[k]] = 0;
	}
	xt_add(x, n, dim, L, xp, g);
	for (j = 0; j < dim; j++)
		for (l = 0; l < L; l++)
			rr0[l] += g[j * L + l] * g[j * L + l];
	/* From warm's weights (a fit on more of the same examples), when
	 * given: g = X'r - (X'X + ridge I) w.  Done at the same |g| as from
	 * 0, in fewer steps. */
	if (warm != NULL) {
		for (l = 0; l < L; l++) {
			for (j = 0; j < hdim; j++)
				w[j * L + l] = warm->models[l]->w[j];
			for (s = 0; line && s < ROUTER_NSHAPE; s++)
				w[(hdim + s) * L + l] = warm->models[l]->sw[s] *
				                        sd[s] / o->shape_scale;
		}
		apply_a(x, n, dim, L, o->ridge, w, xp, ap);
		for (j = 0; j < dim * L; j++)
			g[j] -= ap[j];
	}
	memcpy(p, g, dim * L * sizeof *p);
	for (j = 0; j < dim; j++)
		for (l = 0; l < L; l++)
			rr[l] += g[j * L + l] * g[j * L + l];
	for (it = 0; it < o->ridge_iter; it++) {
		/* Done when |g| < 1e-3 |g0|: finer changes no ranking on
		 * validation (8 iterations instead of 12-20). */
		live = 0;
		for (l = 0; l < L; l++)
			live |= rr[l] > 1e-6 * rr0[l] && rr[l] > 1e-30;
		if (!live)
			break;
		apply_a(x, n, dim, L, o->ridge, p, xp, ap);
		for (l = 0; l < L; l++)
			pap[l] = rr1[l] = 0;
		for (j = 0; j < dim; j++)
			for (l = 0; l < L; l++)
				pap[l] += p[j * L + l] * ap[j * L + l];
		for (j = 0; j < dim; j++)
			for (l = 0; l < L; l++) {
				double a = pap[l] > 0 ? rr[l] / pap[l] : 0;

				w[j * L + l] += a * p[j * L + l];
				g[j * L + l] -= a * ap[j * L + l];
				rr1[l] += g[j * L + l] * g[j * L + l];
			}
		for (j = 0; j < dim; j++)
			for (l = 0; l < L; l++)
				p[j * L + l] =
				    g[j * L + l] +
				    (rr[l] > 0 ? rr1[l] / rr[l] : 0) *
				        p[j * L + l];
		memcpy(rr, rr1, L * sizeof *rr);
	}
	for (l = 0; l < L; l++) {
		float *sw = r->models[l]->sw;
		double off = 0, c;

		for (j = 0; j < hdim; j++)
			r->models[l]->w[j] = (float)w[j * L + l];
		memset(sw, 0, sizeof r->models[l]->sw);
		for (s = 0; line && s < ROUTER_NSHAPE; s++)
			if (sd[s] > 0) {
				c = w[(hdim + s) * L + l] * o->shape_scale /
				    sd[s];
				sw[s] = (float)c;
				off -= c * mu[s];
			}
		sw[ROUTER_NSHAPE] = (float)off;
	}
	for (e = 0; xs != NULL && e < n; e++) {
		free(xs[e].idx);
		free(xs[e].val);
	}
	free(xs);
	free(xp);
	free(w);
	free(g);
	free(p);
	free(ap);
	free(rr);
	free(pap);
	free(rr1);
	free(rr0);
}

/*
 * Every model's profile from the examples: the per-tag statistics from the
 * labels (the predicted tag when an example has none), LinUCB's A^-1 (when
 * linucb), then the residuals: first the dense features (length, numbers,
 * ...: they carry difficulty rather than topic) by closed-form ridge, then
 * the hashed n-grams by ridge (or by SGD, ridge = 0) on what is left.  The
 * examples' tag probabilities are in sp already.
 */
static void
fit_profiles(struct router *r, const char *const *models,
    const double *price_in, const double *price_out, size_t nmodels,
    struct sparse *sp, const struct router_example *ex, size_t n,
    const struct router_fit_options *o, struct router_features *f,
    const struct router *warm)
{
	size_t *perm = NULL, i, e, l;
	uint32_t t, k;
	int epoch;

	/* Per-model tag statistics from the labels (the predicted tag when
	 * an example has none), and LinUCB's A^-1. */
	for (l = 0; l < nmodels; l++) {
		struct router_profile *p =
		    router_profile_new(models[l], r->ntags);
		double qs = 0, ls = 0;

		p->price_in = price_in[l];
		p->price_out = price_out[l];
		for (e = 0; e < n; e++) {
			qs += ex[e].quality[l];
			ls += ex[e].out_tokens[l];
			for (t = 0; t < r->ntags; t++) {
				double pt = r->ntags == 1 ? 1.0
				            : ex[e].tag >= 0
				                ? (ex[e].tag == (int)t)
				                : sp[e].tag[t];

				p->qsum[t] += pt * ex[e].quality[l];
				p->qw[t] += pt;
				p->lsum[t] += pt * ex[e].out_tokens[l];
				p->lw[t] += pt;
			}
			if (warm != NULL)
				continue;
			sparse_to_features(&sp[e], r->ntags, f);
			router_profile_add_obs(p, f, 1.0);
			for (k = 0; k < f->nnz; k++)
				f->x[f->nz[k]] = 0;
		}
		p->q0 = qs / (double)n;
		p->len0 = ls / (double)n;
		p->n = (double)n;
		r->models =
		    xreallocarray(r->models, r->nmodels + 1, sizeof *r->models);
		r->models[r->nmodels++] = p;
	}

	/* Residuals: first the dense features (length, numbers, ...: they
	 * carry difficulty rather than topic) by closed-form ridge, then the
	 * hashed n-grams by ridge (or by SGD, ridge = 0) on what is left. */
	fit_dense(r, sp, ex, n, o, f);
	perm = xmalloc((n + 1) * sizeof *perm);
	if (o->ridge > 0)
		fit_ridge(r, sp, ex, n, o, f, warm);
	for (epoch = 0; o->ridge <= 0 && epoch < o->epochs; epoch++) {
		double lr = o->lr / (1.0 + epoch);

		shuffle(perm, n, 7u + (uint32_t)epoch);
		for (i = 0; i < n; i++) {
			e = perm[i];
			sparse_to_features(&sp[e], r->ntags, f);
			for (l = 0; l < nmodels; l++) {
				struct router_profile *p = r->models[l];
				double pred = router_profile_base(p, f), err;

				for (k = 0; k < f->nnz; k++)
					pred += (double)p->w[f->nz[k]] *
					        f->x[f->nz[k]];
				err = ex[e].quality[l] - pred;
				for (k = 0; k < f->nnz; k++) {
					float *w = &p->w[f->nz[k]];

					if (f->nz[k] >= ROUTER_DENSE_BASE)
						continue;
					*w +=
					    (float)(lr * (err * f->x[f->nz[k]] -
					                     o->l2 * *w));
				}
			}
			for (k = 0; k < f->nnz; k++)
				f->x[f->nz[k]] = 0;
		}
	}

	free(perm);
}

/*
 * The shape trees of every model (shape.c), fitted to what the predictors
 * get wrong on prompts they were not fitted on: the examples are cut into
 * ROUTER_TREE_FOLDS folds (by index), the tag statistics and residuals
 * fitted again without each fold predict it, and each model's trees learn
 * from the shape, the tag confidence and that prediction its error less
 * the mean error of all the models on the prompt: a shift every model
 * shares changes no decision, so the trees spend nothing on it (fitting
 * the error itself lost 0.012 of GSM8K's APGR on the validation folds;
 * this gains 0.004 on MMLU's, every fold).  The nested fits start from
 * the full fit's residual weights and take ROUTER_TREE_NESTED_ITER steps
 * (the same validation figures as converged ones, at 40 % of the time).
 * The tag probabilities are the full classifier's: nested classifiers
 * cost five times the fit and measured the same.
 */
static void
fit_trees(struct router *r, const struct sparse *sp,
    const struct router_example *ex, size_t n,
    const struct router_fit_options *o, struct router_features *f)
{
	const size_t K = ROUTER_TREE_FOLDS, L = r->nmodels;
	const char **ids;
	double *pin, *pout, *oof, *y;
	struct sparse *ssp;
	struct router_example *sex;
	struct router *rt;
	struct router_fit_options no;
	float *X;
	size_t e, l, m, k;
	uint32_t t, j;

	/* A lone model's error less the models' mean is 0: nothing to fit. */
	if (n < K * 2 * ROUTER_TREE_MIN_LEAF || L < 2)
		return;
	no = *o;
	if (no.ridge_iter > ROUTER_TREE_NESTED_ITER)
		no.ridge_iter = ROUTER_TREE_NESTED_ITER;
	ids = xcalloc(L + 1, sizeof *ids);
	pin = xcalloc(L + 1, sizeof *pin);
	pout = xcalloc(L + 1, sizeof *pout);
	for (l = 0; l < L; l++) {
		ids[l] = r->models[l]->id;
		pin[l] = r->models[l]->price_in;
		pout[l] = r->models[l]->price_out;
	}
	oof = xcalloc(n * L + 1, sizeof *oof);
	ssp = xcalloc(n, sizeof *ssp);
	sex = xcalloc(n, sizeof *sex);
	for (k = 0; k < K; k++) {
		m = 0;
		for (e = 0; e < n; e++)
			if (e % K != k) {
				ssp[m] = sp[e];
				sex[m++] = ex[e];
			}
		rt = router_new_empty();
		if (r->ntags > 1) {
			free(rt->tags[0]);
			rt->ntags = r->ntags;
			for (t = 0; t < r->ntags; t++)
				rt->tags[t] = xstrdup(r->tags[t]);
		}
		fit_profiles(rt, ids, pin, pout, L, ssp, sex, m, &no, f, r);
		for (e = k; e < n; e += K) {
			sparse_to_features(&sp[e], r->ntags, f);
			for (l = 0; l < L; l++)
				oof[e * L + l] =
				    router_profile_quality(rt->models[l], f);
			for (j = 0; j < f->nnz; j++)
				f->x[f->nz[j]] = 0;
		}
		router_free(rt);
	}
	free(ssp);
	free(sex);
	X = xcalloc(n * ROUTER_TREE_INPUTS + 1, sizeof *X);
	y = xcalloc(n + 1, sizeof *y);
	for (l = 0; l < L; l++) {
		for (e = 0; e < n; e++) {
			double mean = 0;
			size_t c;

			for (c = 0; c < L; c++)
				mean += ex[e].quality[c] - oof[e * L + c];
			mean /= (double)L;
			sparse_to_features(&sp[e], r->ntags, f);
			router_trees_inputs(
			    f, oof[e * L + l], X + e * ROUTER_TREE_INPUTS);
			y[e] = ex[e].quality[l] - oof[e * L + l] - mean;
			for (j = 0; j < f->nnz; j++)
				f->x[f->nz[j]] = 0;
		}
		r->models[l]->trees = router_trees_fit(X, y, n,
		    ROUTER_TREE_ROUNDS, ROUTER_TREE_LR, ROUTER_TREE_MIN_LEAF);
	}
	free(X);
	free(y);
	free(oof);
	free(ids);
	free(pin);
	free(pout);
}

int
router_fit(const char *const *models, const double *price_in,
    const double *price_out, size_t nmodels, const char *const *tags,
    size_t ntags, const struct router_example *ex, size_t n,
    const struct router_fit_options *o, struct router **out, char **cause)
{
	struct router *r = NULL;
	struct router_features *f = NULL;
	struct sparse *sp = NULL;
	size_t e;
	uint32_t t, k;
	int rc = MC_OK;

	*out = NULL;
	if (nmodels == 0 || nmodels > ROUTER_MAX_MODELS || n == 0 ||
	    ntags > ROUTER_MAX_TAGS) {
		*cause = xasprintf("cannot fit a router on %zu examples of "
		                   "%zu models with %zu tags (limits: %d "
		                   "models, %d tags)",
		    n, nmodels, ntags, ROUTER_MAX_MODELS, ROUTER_MAX_TAGS);
		return MC_ERR_USAGE;
	}
	r = router_new_empty();
	if (o->tags && ntags > 1) {
		free(r->tags[0]);
		r->ntags = (uint32_t)ntags;
		for (t = 0; t < ntags; t++)
			r->tags[t] = xstrdup(tags[t]);
	}

	/* Features of every example, kept sparse. */
	f = xcalloc(1, sizeof *f);
	sp = xcalloc(n, sizeof *sp);
	for (e = 0; e < n; e++) {
		router_features_hash(ex[e].prompt, ex[e].len, f);
		sp[e].nnz = f->nnz;
		sp[e].idx = xmalloc((f->nnz + 1) * sizeof *sp[e].idx);
		sp[e].val = xmalloc((f->nnz + 1) * sizeof *sp[e].val);
		for (k = 0; k < f->nnz; k++) {
			sp[e].idx[k] = f->nz[k];
			sp[e].val[k] = f->x[f->nz[k]];
		}
		memcpy(sp[e].shape, f->shape, sizeof sp[e].shape);
	}
	if (r->ntags > 1)
		fit_tags(r, sp, ex, n, o);
	memset(f->x, 0, sizeof f->x);
	for (e = 0; e < n; e++) {
		sparse_to_features(&sp[e], 0, f);
		router_features_tag(r, f);
		memcpy(sp[e].tag, f->tag, sizeof sp[e].tag);
		for (k = 0; k < f->nnz; k++)
			f->x[f->nz[k]] = 0;
	}

	fit_profiles(
	    r, models, price_in, price_out, nmodels, sp, ex, n, o, f, NULL);
	if (o->trees)
		fit_trees(r, sp, ex, n, o, f);

	if (o->exemplars)
		fit_exemplars(r, sp, ex, n, f);
	for (e = 0; e < n; e++) {
		free(sp[e].idx);
		free(sp[e].val);
	}
	free(sp);
	free(f);
	*out = r;
	return rc;
}
