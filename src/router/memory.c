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
	double *alpha; /* dual coefficients; valid when !dirty */
	int dirty;
};

struct router_memory {
	struct memory_model *models;
	size_t nmodels;
};

struct router_memory *
router_memory_new(void)
{
	return xcalloc(1, sizeof(struct router_memory));
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
		free(m->models[i].alpha);
		free(m->models[i].id);
	}
	free(m->models);
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

void
router_memory_add(struct router_memory *m, const struct router_features *f,
    const char *model, double quality, double predicted, double weight)
{
	struct memory_model *mm;
	struct memory_entry e;
	double norm = 0;
	uint32_t i, k = 0;

	memset(&e, 0, sizeof e);
	e.idx = xcalloc(f->nnz + 1, sizeof *e.idx);
	e.val = xcalloc(f->nnz + 1, sizeof *e.val);
	for (i = 0; i < f->nnz; i++) {
		if (f->nz[i] < ROUTER_HASH_DIM && f->x[f->nz[i]] != 0)
			e.idx[k++] = f->nz[i];
	}
	qsort(e.idx, k, sizeof *e.idx, cmp_u16);
	for (i = 0; i < k; i++) {
		e.val[i] = f->x[e.idx[i]];
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

	if ((mm = memory_find(m, model)) == NULL) {
		m->models =
		    xreallocarray(m->models, m->nmodels + 1, sizeof *m->models);
		mm = &m->models[m->nmodels++];
		memset(mm, 0, sizeof *mm);
		mm->id = xstrdup(model);
		mm->entries = xcalloc(ROUTER_MEMORY_MAX, sizeof *mm->entries);
	}
	if (mm->n == ROUTER_MEMORY_MAX) {
		entry_release(&mm->entries[0]);
		memmove(mm->entries, mm->entries + 1,
		    (ROUTER_MEMORY_MAX - 1) * sizeof *mm->entries);
		mm->n--;
	}
	mm->entries[mm->n++] = e;
	mm->dirty = 1;
}

/*
 * The kernel: the cosine raised to ROUTER_MEMORY_POWER, so that prompts
 * that merely share function words ("what is the") barely count while
 * close paraphrases count fully.  (An element-wise power of a Gram matrix
 * is still positive semi-definite: Schur's product theorem.)
 */
static double
kernel(double cosine)
{
	double k = 1;
	int i;

	if (cosine <= 0)
		return 0;
	for (i = 0; i < ROUTER_MEMORY_POWER; i++)
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

/*
 * Solve (K + lambda W^-1) alpha = r by Cholesky.  The matrix is symmetric
 * positive definite (a Gram matrix plus a positive diagonal).
 */
static void
memory_solve(struct memory_model *mm)
{
	size_t n = mm->n, i, j, k;
	double *a, *y;

	free(mm->alpha);
	mm->alpha = xcalloc(n + 1, sizeof *mm->alpha);
	mm->dirty = 0;
	if (n == 0)
		return;
	a = xcalloc(n * n, sizeof *a);
	y = xcalloc(n, sizeof *y);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			a[i * n + j] = a[j * n + i] = kernel(
			    entry_dot(&mm->entries[i], &mm->entries[j]));
		a[i * n + i] =
		    1.0 + ROUTER_MEMORY_LAMBDA / mm->entries[i].weight;
	}
	/* In place: the lower triangle becomes L with L L' = A. */
	for (j = 0; j < n; j++) {
		double d = a[j * n + j];

		for (k = 0; k < j; k++)
			d -= a[j * n + k] * a[j * n + k];
		d = sqrt(d > 1e-12 ? d : 1e-12);
		a[j * n + j] = d;
		for (i = j + 1; i < n; i++) {
			double s = a[i * n + j];

			for (k = 0; k < j; k++)
				s -= a[i * n + k] * a[j * n + k];
			a[i * n + j] = s / d;
		}
	}
	for (i = 0; i < n; i++) { /* L y = r */
		double s = mm->entries[i].residual;

		for (k = 0; k < i; k++)
			s -= a[i * n + k] * y[k];
		y[i] = s / a[i * n + i];
	}
	for (i = n; i-- > 0;) { /* L' alpha = y */
		double s = y[i];

		for (k = i + 1; k < n; k++)
			s -= a[k * n + i] * mm->alpha[k];
		mm->alpha[i] = s / a[i * n + i];
	}
	free(a);
	free(y);
}

double
router_memory_correction(const struct router_memory *m,
    const struct router_features *f, const char *model, size_t *used)
{
	struct memory_model *mm = memory_find(m, model);
	double norm = 0, delta = 0;
	size_t i;
	uint32_t j;

	if (used != NULL)
		*used = 0;
	if (mm == NULL || mm->n == 0)
		return 0;
	if (mm->dirty)
		memory_solve(mm); /* lazily: a rebuild adds many at once */
	for (j = 0; j < f->nnz; j++)
		if (f->nz[j] < ROUTER_HASH_DIM)
			norm += (double)f->x[f->nz[j]] * f->x[f->nz[j]];
	if (norm <= 0)
		return 0;
	norm = sqrt(norm);
	for (i = 0; i < mm->n; i++) {
		const struct memory_entry *e = &mm->entries[i];
		double k = 0;

		for (j = 0; j < e->nnz; j++)
			k += (double)e->val[j] * f->x[e->idx[j]];
		delta += mm->alpha[i] * kernel(k / norm);
	}
	if (used != NULL)
		*used = mm->n;
	return delta;
}

void
router_memory_apply(const struct router_memory *m, struct router_decision *d)
{
	double best = -INFINITY;
	size_t i;

	if (d->features == NULL)
		return;
	for (i = 0; i < d->ncandidates; i++) {
		struct router_candidate *c = &d->candidates[i];
		double q = c->quality + router_memory_correction(
		                            m, d->features, c->model, NULL);

		if (q < 0)
			q = 0;
		if (q > 1)
			q = 1;
		c->score += q - c->quality;
		c->quality = q;
	}
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
