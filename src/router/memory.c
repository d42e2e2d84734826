/*
 * memory.c - a per-model kernel ridge regression on the router's residuals
 * over the prompts a user rated (see memory.h).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "router/memory.h"
#include "util/xmalloc.h"

/*
 * The ridge candidates: params.ridge times these.  With auto_ridge the
 * memory picks the one under which the residuals are most likely (a
 * Gaussian process's marginal likelihood with the signal variance
 * profiled out, pooled over the models): residuals that nearby prompts
 * share get a weak ridge and move decisions fast (a user whose cheap
 * model fails at chemistry), residuals that are noise get a strong one
 * and leave decisions alone (right/wrong answers scattered over a
 * benchmark).
 */
#define MEMORY_NRIDGE 4 /* chol_append is written for four */
static const double memory_ridge_scale[MEMORY_NRIDGE] = { 1, 4, 16, 64 };

struct memory_entry {
	uint16_t *idx; /* hash buckets, ascending */
	float *val;    /* unit length over the buckets */
	uint32_t nnz;
	double residual;
	double weight;
};

struct memory_model {
	char *id;
	struct memory_entry *entries;
	size_t n;
	/* Lower-triangular Cholesky factor of K + lambda W^-1, row stride
	 * ROUTER_MEMORY_MAX: kept up to date as prompts come and go. */
	double *chol[MEMORY_NRIDGE];
	double *alpha;                /* dual coefficients; valid when !dirty */
	double fit[MEMORY_NRIDGE];    /* r' (K + rho W^-1)^-1 r */
	double logdet[MEMORY_NRIDGE]; /* log det (K + rho W^-1) / 2 */
	int ridge;                    /* which rho alpha is for */
	int dirty;
};

/* Which ridge the memory uses (kept behind a pointer: it is chosen
 * lazily, when a const memory is asked for a correction). */
struct memory_choice {
	int ridge;
	int dirty;
};

struct router_memory {
	struct memory_model *models;
	size_t nmodels;
	struct router_memory_params params;
	struct memory_choice *choice;
	/* The memory's record as a forecaster (see memory_weights): for
	 * every rating, the residual r it was then told, and what it had
	 * forecast before being told: o from the rated model's own prompts,
	 * t from the other models' (their mean).  Weighted sums of products. */
	double s_oo, s_ot, s_tt, s_ro, s_rt;
};

static double memory_raw_correction(const struct router_memory *m,
    struct memory_model *mm, const struct router_features *f);

static double memory_others(const struct router_memory *m,
    const struct memory_model *skip, const struct router_features *f);

void
router_memory_params_init(struct router_memory_params *p)
{
	p->ridge = ROUTER_MEMORY_LAMBDA;
	p->power = ROUTER_MEMORY_POWER;
	p->tag_weight = ROUTER_MEMORY_TAG_WEIGHT;
	p->auto_ridge = ROUTER_MEMORY_AUTO;
	p->share_prior = ROUTER_MEMORY_SHARE_PRIOR;
}

struct router_memory *
router_memory_new(void)
{
	struct router_memory *m = xcalloc(1, sizeof *m);

	router_memory_params_init(&m->params);
	m->choice = xcalloc(1, sizeof *m->choice);
	return m;
}

static void
entry_release(struct memory_entry *e)
{
	free(e->idx);
	free(e->val);
}

void
router_memory_free(struct router_memory *m)
{
	size_t i, j;

	if (m == NULL)
		return;
	for (i = 0; i < m->nmodels; i++) {
		for (j = 0; j < m->models[i].n; j++)
			entry_release(&m->models[i].entries[j]);
		free(m->models[i].entries);
		for (j = 0; j < MEMORY_NRIDGE; j++)
			free(m->models[i].chol[j]);
		free(m->models[i].alpha);
		free(m->models[i].id);
	}
	free(m->models);
	free(m->choice);
	free(m);
}

static struct memory_model *
memory_find(const struct router_memory *m, const char *model)
{
	size_t i;

	for (i = 0; i < m->nmodels; i++)
		if (strcmp(m->models[i].id, model) == 0)
			return &m->models[i];
	return NULL;
}

static int
cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/*
 * The kernel: the cosine raised to a power (5 by default), so that
 * prompts that merely share function words ("what is the") barely count
 * while close paraphrases count fully.  (An element-wise power of a Gram
 * matrix is still positive semi-definite: Schur's product theorem.)  Not
 * 3: with hundreds of rated prompts the faint similarities of unrelated
 * prompts added up to a correction (on validation, feedback on ARC
 * questions turned Winogrande decisions); at 5 they do not.
 */
static double
kernel(const struct router_memory *m, double cosine)
{
	double k = 1;
	int i;

	if (cosine <= 0)
		return 0;
	for (i = 0; i < m->params.power; i++)
		k *= cosine;
	return k;
}

/* Dot product of two sparse unit vectors (indices ascending). */
static double
entry_dot(const struct memory_entry *a, const struct memory_entry *b)
{
	uint32_t i = 0, j = 0;
	double d = 0;

	while (i < a->nnz && j < b->nnz) {
		if (a->idx[i] < b->idx[j])
			i++;
		else if (a->idx[i] > b->idx[j])
			j++;
		else
			d += (double)a->val[i++] * b->val[j++];
	}
	return d;
}

#define L(mm, i, j) (lf[(size_t)(i)*ROUTER_MEMORY_MAX + (j)])

#ifdef MEMORY_REFERENCE
/* The sweeps as they were before they were reordered for speed: the
 * reference tests/test_memory.c builds a second memory with (see
 * tests/memory_ref.c), which must agree with this one to the bit. */
static void
chol_append(const struct router_memory *m, struct memory_model *mm, size_t n)
{
	const struct memory_entry *e = &mm->entries[n];
	double row[ROUTER_MEMORY_MAX];
	size_t j, k;
	int g;

	for (j = 0; j < n; j++)
		row[j] = kernel(m, entry_dot(e, &mm->entries[j]));
	for (g = 0; g < MEMORY_NRIDGE; g++) {
		double *lf = mm->chol[g];
		double d =
		    1.0 + m->params.ridge * memory_ridge_scale[g] / e->weight;

		for (j = 0; j < n; j++) {
			double s = row[j];

			for (k = 0; k < j; k++)
				s -= L(mm, n, k) * L(mm, j, k);
			s /= L(mm, j, j);
			L(mm, n, j) = s;
			d -= s * s;
		}
		L(mm, n, n) = sqrt(d > 1e-12 ? d : 1e-12);
	}
}

static void
chol_drop_first(double *lf, size_t n)
{
	size_t i, k;
	double x[ROUTER_MEMORY_MAX];

	for (i = 1; i < n; i++)
		x[i] = L(mm, i, 0);
	for (k = 1; k < n; k++) {
		double lkk = L(mm, k, k), r = sqrt(lkk * lkk + x[k] * x[k]);
		double c = r / lkk, s = x[k] / lkk;

		L(mm, k, k) = r;
		for (i = k + 1; i < n; i++) {
			L(mm, i, k) = (L(mm, i, k) + s * x[i]) / c;
			x[i] = c * x[i] - s * L(mm, i, k);
		}
	}
	for (i = 1; i < n; i++)
		for (k = 1; k <= i; k++)
			L(mm, i - 1, k - 1) = L(mm, i, k);
}
#else
/*
 * Extend the factor by the row of entry n (the newest): solve
 * L y = k(entries, e_n), then the diagonal is what is left of
 * 1 + lambda / w_n.  The four factors side by side: each one's sums are
 * made in the same order as alone (the same bits), but four independent
 * sums do not wait on each other's additions.
 */
static void
chol_append(const struct router_memory *m, struct memory_model *mm, size_t n)
{
	const struct memory_entry *e = &mm->entries[n];
	double row[ROUTER_MEMORY_MAX], d[MEMORY_NRIDGE];
	size_t j, k, st = ROUTER_MEMORY_MAX;
	int g;

	for (j = 0; j < n; j++)
		row[j] = kernel(m, entry_dot(e, &mm->entries[j]));
	for (g = 0; g < MEMORY_NRIDGE; g++)
		d[g] =
		    1.0 + m->params.ridge * memory_ridge_scale[g] / e->weight;
	for (j = 0; j < n; j++) {
		const double *a0 = mm->chol[0] + j * st,
		             *a1 = mm->chol[1] + j * st,
		             *a2 = mm->chol[2] + j * st,
		             *a3 = mm->chol[3] + j * st;
		double *b0 = mm->chol[0] + n * st, *b1 = mm->chol[1] + n * st,
		       *b2 = mm->chol[2] + n * st, *b3 = mm->chol[3] + n * st;
		double s0 = row[j], s1 = row[j], s2 = row[j], s3 = row[j];

		for (k = 0; k < j; k++) {
			s0 -= b0[k] * a0[k];
			s1 -= b1[k] * a1[k];
			s2 -= b2[k] * a2[k];
			s3 -= b3[k] * a3[k];
		}
		b0[j] = s0 /= a0[j];
		b1[j] = s1 /= a1[j];
		b2[j] = s2 /= a2[j];
		b3[j] = s3 /= a3[j];
		d[0] -= s0 * s0;
		d[1] -= s1 * s1;
		d[2] -= s2 * s2;
		d[3] -= s3 * s3;
	}
	for (g = 0; g < MEMORY_NRIDGE; g++)
		mm->chol[g][n * st + n] = sqrt(d[g] > 1e-12 ? d[g] : 1e-12);
}

/*
 * Drop entry 0 from the factor: with L = [l00 0; l L11], the system
 * without it is L11 L11' + l l', a rank-one update of L11: column k's
 * rotation (made from its diagonal) then applies to every row below it.
 * Swept a block of MEMORY_DROP_ROWS rows at a time, each block through
 * all the columns before its end and then written one row up: every
 * element takes the same operations in the same order as in one sweep of
 * the whole matrix, so the factor is the same to the bit, but a block's
 * rows stay in cache (a column sweep of the whole matrix used one double
 * of every line it loaded) and its rows' rotations are independent of
 * each other (one row alone waits on its every division).
 */
#define MEMORY_DROP_ROWS 8

static void
chol_drop_first(double *lf, size_t n)
{
	double c[ROUTER_MEMORY_MAX], s[ROUTER_MEMORY_MAX], x[ROUTER_MEMORY_MAX];
	size_t i0, i1, i, k;

	for (i0 = 1; i0 < n; i0 = i1) {
		i1 = i0 + MEMORY_DROP_ROWS < n ? i0 + MEMORY_DROP_ROWS : n;
		for (i = i0; i < i1; i++)
			x[i] = L(mm, i, 0);
		for (k = 1; k < i1; k++) {
			if (k >= i0) {
				double lkk = L(mm, k, k),
				       r = sqrt(lkk * lkk + x[k] * x[k]);

				c[k] = r / lkk;
				s[k] = x[k] / lkk;
				L(mm, k, k) = r;
			}
			for (i = k + 1 > i0 ? k + 1 : i0; i < i1; i++) {
				L(mm, i, k) =
				    (L(mm, i, k) + s[k] * x[i]) / c[k];
				x[i] = c[k] * x[i] - s[k] * L(mm, i, k);
			}
		}
		for (i = i0; i < i1; i++)
			memcpy(&L(mm, i - 1, 0), &L(mm, i, 1), i * sizeof *lf);
	}
}

#endif /* MEMORY_REFERENCE */

/* Refactor a model's system from its entries (after new knobs). */
static void
chol_rebuild(const struct router_memory *m, struct memory_model *mm)
{
	size_t i;

	for (i = 0; i < mm->n; i++)
		chol_append(m, mm, i);
	mm->dirty = 1;
}

void
router_memory_set_params(
    struct router_memory *m, const struct router_memory_params *p)
{
	size_t i;

	m->params = *p;
	if (!(m->params.ridge >= 1e-3))
		m->params.ridge = 1e-3;
	if (m->params.power < 1)
		m->params.power = 1;
	if (m->params.power > 8)
		m->params.power = 8;
	if (!(m->params.tag_weight >= 0))
		m->params.tag_weight = 0;
	if (m->params.tag_weight > 1)
		m->params.tag_weight = 1;
	if (!(m->params.share_prior >= 1e-6))
		m->params.share_prior = 1e-6;
	if (m->params.share_prior > 1e6)
		m->params.share_prior = 1e6;
	for (i = 0; i < m->nmodels; i++)
		chol_rebuild(m, &m->models[i]);
	m->choice->dirty = 1;
}

void
router_memory_get_params(
    const struct router_memory *m, struct router_memory_params *p)
{
	*p = m->params;
}

/*
 * The vector the memory compares prompts by: the last block's namespace
 * alone when the features carry it (the question after any few-shot
 * examples; for a prompt of one block, the whole prompt), else the hashed
 * part of x.  Scattered into dense (zeroed by the caller); its buckets go
 * to idx; returns how many.
 */
static uint32_t
query_vector(const struct router_features *f, float *dense, uint16_t *idx)
{
	uint32_t i, k = 0;

	if (f->qnnz > 0) {
		for (i = 0; i < f->qnnz && i < ROUTER_HASH_DIM; i++) {
			if (f->qx[i] == 0 || f->qnz[i] >= ROUTER_HASH_DIM)
				continue;
			if (dense[f->qnz[i]] == 0)
				idx[k++] = f->qnz[i];
			dense[f->qnz[i]] += f->qx[i];
		}
		return k;
	}
	for (i = 0; i < f->nnz; i++) {
		/* nz may repeat a bucket (features read back from a store):
		 * each bucket once. */
		if (f->nz[i] < ROUTER_HASH_DIM && f->x[f->nz[i]] != 0 &&
		    dense[f->nz[i]] == 0) {
			idx[k++] = f->nz[i];
			dense[f->nz[i]] = f->x[f->nz[i]];
		}
	}
	return k;
}

void
router_memory_add(struct router_memory *m, const struct router_features *f,
    const char *model, double quality, double predicted, double weight)
{
	struct memory_model *mm;
	struct memory_entry e;
	float dense[ROUTER_HASH_DIM];
	double norm = 0;
	uint16_t idx[ROUTER_HASH_DIM];
	uint32_t i, k;

	memset(&e, 0, sizeof e);
	memset(dense, 0, sizeof dense);
	k = query_vector(f, dense, idx);
	e.idx = xcalloc(k + 1, sizeof *e.idx);
	e.val = xcalloc(k + 1, sizeof *e.val);
	memcpy(e.idx, idx, k * sizeof *idx);
	qsort(e.idx, k, sizeof *e.idx, cmp_u16);
	for (i = 0; i < k; i++) {
		e.val[i] = dense[e.idx[i]];
		norm += (double)e.val[i] * e.val[i];
	}
	if (k == 0 || norm <= 0 || !(weight > 0)) {
		entry_release(&e);
		return;
	}
	norm = sqrt(norm);
	for (i = 0; i < k; i++)
		e.val[i] = (float)(e.val[i] / norm);
	e.nnz = k;
	e.residual = quality - predicted;
	e.weight = weight > 1 ? 1 : weight;

	{
		double o = 0, t, w = e.weight, r = e.residual;

		mm = memory_find(m, model);
		if (mm != NULL && mm->n > 0)
			o = memory_raw_correction(m, mm, f);
		t = memory_others(m, mm, f);
		m->s_oo += w * o * o;
		m->s_ot += w * o * t;
		m->s_tt += w * t * t;
		m->s_ro += w * r * o;
		m->s_rt += w * r * t;
	}
	if (mm == NULL) {
		m->models =
		    xreallocarray(m->models, m->nmodels + 1, sizeof *m->models);
		mm = &m->models[m->nmodels++];
		memset(mm, 0, sizeof *mm);
		mm->id = xstrdup(model);
		mm->entries = xcalloc(ROUTER_MEMORY_MAX, sizeof *mm->entries);
		for (k = 0; k < MEMORY_NRIDGE; k++)
			mm->chol[k] = xcalloc(
			    (size_t)ROUTER_MEMORY_MAX * ROUTER_MEMORY_MAX,
			    sizeof *mm->chol[k]);
		mm->alpha = xcalloc(ROUTER_MEMORY_MAX, sizeof *mm->alpha);
	}
	if (mm->n == ROUTER_MEMORY_MAX) {
		int g;

		for (g = 0; g < MEMORY_NRIDGE; g++)
			chol_drop_first(mm->chol[g], mm->n);
		entry_release(&mm->entries[0]);
		memmove(mm->entries, mm->entries + 1,
		    (ROUTER_MEMORY_MAX - 1) * sizeof *mm->entries);
		mm->n--;
	}
	mm->entries[mm->n] = e;
	chol_append(m, mm, mm->n);
	mm->n++;
	mm->dirty = 1;
	m->choice->dirty = 1;
}

/* How well each ridge explains the residuals: fit = |L^-1 r|^2 and
 * half the log-determinant, for every factor. */
static void
memory_score(struct memory_model *mm)
{
	size_t n = mm->n, i, k;
	double y[ROUTER_MEMORY_MAX];
	int g;

	for (g = 0; g < MEMORY_NRIDGE; g++) {
		const double *lf = mm->chol[g];

		mm->fit[g] = 0;
		mm->logdet[g] = 0;
		for (i = 0; i < n; i++) {
			double s = mm->entries[i].residual;

			for (k = 0; k < i; k++)
				s -= L(mm, i, k) * y[k];
			y[i] = s / L(mm, i, i);
			mm->fit[g] += y[i] * y[i];
			mm->logdet[g] += log(L(mm, i, i));
		}
	}
	mm->dirty = 2; /* scored; alpha still to solve */
}

/* alpha = (L L')^-1 r by two triangular solves under ridge g. */
static void
memory_solve(struct memory_model *mm, int g)
{
	const double *lf = mm->chol[g];
	size_t n = mm->n, i, k;

	mm->dirty = 0;
	mm->ridge = g;
	for (i = 0; i < n; i++) { /* L y = r */
		double s = mm->entries[i].residual;

		for (k = 0; k < i; k++)
			s -= L(mm, i, k) * mm->alpha[k];
		mm->alpha[i] = s / L(mm, i, i);
	}
	for (i = n; i-- > 0;) { /* L' alpha = y */
		double s = mm->alpha[i];

		for (k = i + 1; k < n; k++)
			s -= L(mm, k, i) * mm->alpha[k];
		mm->alpha[i] = s / L(mm, i, i);
	}
}

/*
 * Pick the ridge (see memory_ridge_scale): the largest pooled log
 * marginal likelihood, -n/2 log(fit / n) - logdet summed over the models
 * (the signal variance profiled out per model).
 */
static void
memory_choose(const struct router_memory *m)
{
	double best = -INFINITY;
	size_t i;
	int g;

	m->choice->dirty = 0;
	if (!m->params.auto_ridge) {
		m->choice->ridge = 0;
		return;
	}
	for (i = 0; i < m->nmodels; i++)
		if (m->models[i].dirty == 1)
			memory_score(&m->models[i]);
	for (g = 0; g < MEMORY_NRIDGE; g++) {
		double ll = 0;

		for (i = 0; i < m->nmodels; i++) {
			const struct memory_model *mm = &m->models[i];
			double nn = (double)mm->n;

			if (mm->n == 0)
				continue;
			ll -= 0.5 * nn * log((mm->fit[g] + 1e-12) / nn) +
			      mm->logdet[g];
		}
		if (ll > best) {
			best = ll;
			m->choice->ridge = g;
		}
	}
}

/* The kernel ridge correction for model's memory mm, as solved. */
static double
memory_raw_correction(const struct router_memory *m, struct memory_model *mm,
    const struct router_features *f)
{
	float dense[ROUTER_HASH_DIM];
	uint16_t qidx[ROUTER_HASH_DIM];
	double norm = 0, delta = 0;
	size_t i;
	uint32_t j, nq;

	if (m->choice->dirty)
		memory_choose(m); /* lazily: after the knobs change */
	if (mm->dirty || mm->ridge != m->choice->ridge)
		memory_solve(mm, m->choice->ridge);
	memset(dense, 0, sizeof dense);
	nq = query_vector(f, dense, qidx);
	for (j = 0; j < nq; j++)
		norm += (double)dense[qidx[j]] * dense[qidx[j]];
	if (norm <= 0)
		return 0;
	norm = sqrt(norm);
	for (i = 0; i < mm->n; i++) {
		const struct memory_entry *e = &mm->entries[i];
		double k = 0;

		for (j = 0; j < e->nnz; j++)
			k += (double)e->val[j] * dense[e->idx[j]];
		delta += mm->alpha[i] * kernel(m, k / norm);
	}
	return delta;
}

/* The mean raw correction of the models other than skip that have
 * rated prompts (0 when none has). */
static double
memory_others(const struct router_memory *m, const struct memory_model *skip,
    const struct router_features *f)
{
	double sum = 0;
	size_t i, n = 0;

	for (i = 0; i < m->nmodels; i++) {
		if (&m->models[i] == skip || m->models[i].n == 0)
			continue;
		sum += memory_raw_correction(m, &m->models[i], f);
		n++;
	}
	return n > 0 ? sum / (double)n : 0;
}

/*
 * How the memory's raw corrections become a correction for model l:
 *
 *	delta_l(x) = a * own_l(x) + b * mean over the other models of own(x)
 *
 * where own_l is the kernel ridge fit to l's rated prompts.  a and b are
 * fitted by least squares to the memory's own record as a forecaster
 * (every residual against what the memory had forecast for that prompt
 * before it was told), shrunk toward a = 1, b = 0 by params.share_prior
 * (in units of a squared correction), and kept within [0, 1].  b is the
 * share of a lesson that holds for every model: a prompt that is simply
 * hard (right and wrong answers of all models fall together, as on a
 * benchmark) moves every model alike and changes no decision, while a
 * lesson about one model (the cheap one fails at chemistry, the others do
 * not) moves that model alone.  A forecaster that is no better than
 * chance gets a -> 0 and stops moving decisions.
 */
static void
memory_weights(const struct router_memory *m, double *a, double *b)
{
	double p = m->params.share_prior, a11, a12, a22, r1, r2, det;

	a11 = m->s_oo + p;
	a12 = m->s_ot;
	a22 = m->s_tt + p;
	r1 = m->s_ro + p;
	r2 = m->s_rt;
	det = a11 * a22 - a12 * a12;
	*a = (r1 * a22 - r2 * a12) / det;
	*b = (r2 * a11 - r1 * a12) / det;
	/* Within the box, one coefficient at a time given the other. */
	if (*b < 0 || *b > 1) {
		*b = *b < 0 ? 0 : 1;
		*a = (r1 - a12 * *b) / a11;
	}
	if (*a < 0 || *a > 1) {
		*a = *a < 0 ? 0 : 1;
		*b = (r2 - a12 * *a) / a22;
		*b = *b < 0 ? 0 : *b > 1 ? 1 : *b;
	}
	if (!isfinite(*a) || !isfinite(*b)) {
		*a = 1;
		*b = 0;
	}
}

double
router_memory_correction(const struct router_memory *m,
    const struct router_features *f, const char *model, size_t *used)
{
	struct memory_model *mm = memory_find(m, model);
	double a, b, own = 0;

	if (used != NULL)
		*used = mm != NULL ? mm->n : 0;
	memory_weights(m, &a, &b);
	if (mm != NULL && mm->n > 0)
		own = memory_raw_correction(m, mm, f);
	return a * own + (b > 0 ? b * memory_others(m, mm, f) : 0);
}

void
router_memory_apply(const struct router_memory *m, struct router_decision *d)
{
	double best = -INFINITY, a, b, sum = 0, *raw;
	size_t i, j, n = 0;

	if (d->features == NULL || m->nmodels == 0)
		return;
	/* Each model's raw correction once, then combined per candidate. */
	raw = xcalloc(m->nmodels, sizeof *raw);
	for (j = 0; j < m->nmodels; j++) {
		if (m->models[j].n == 0)
			continue;
		raw[j] = memory_raw_correction(m, &m->models[j], d->features);
		sum += raw[j];
		n++;
	}
	memory_weights(m, &a, &b);
	for (i = 0; i < d->ncandidates; i++) {
		struct router_candidate *c = &d->candidates[i];
		double own = 0, others = sum, q;
		size_t nothers = n;

		for (j = 0; j < m->nmodels; j++) {
			if (m->models[j].n > 0 &&
			    strcmp(m->models[j].id, c->model) == 0) {
				own = raw[j];
				others -= raw[j];
				nothers--;
				break;
			}
		}
		q = c->quality + a * own +
		    (nothers > 0 ? b * others / (double)nothers : 0);
		if (q < 0)
			q = 0;
		if (q > 1)
			q = 1;
		c->score += q - c->quality;
		c->quality = q;
	}
	free(raw);
	d->winner = -1;
	for (i = 0; i < d->ncandidates; i++) {
		if (d->candidates[i].excluded != ROUTER_OK)
			continue;
		if (d->candidates[i].score > best) {
			best = d->candidates[i].score;
			d->winner = (int)i;
		}
	}
}

size_t
router_memory_count(const struct router_memory *m, const char *model)
{
	const struct memory_model *mm;
	size_t i, n = 0;

	if (model != NULL)
		return (mm = memory_find(m, model)) != NULL ? mm->n : 0;
	for (i = 0; i < m->nmodels; i++)
		n += m->models[i].n;
	return n;
}
