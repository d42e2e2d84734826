/*
 * router.c - the MixLLM decision: prompt features, per-model predictions,
 * the meta-decision score, budget and rate-limit exclusion, online
 * learning, and the candidate list (add/remove).  Pure computation.
 *
 * Features: the prompt's words (lower-cased ASCII letter/digit runs; other
 * bytes >= 0x80 count as letters) as unigrams and bigrams, hashed (FNV-1a)
 * into ROUTER_HASH_DIM buckets in two namespaces: the whole prompt, and its
 * last block (the text after the last blank line: the question after any
 * few-shot examples).  Two more namespaces describe that block: its
 * character 3- to 5-grams, and shape tokens (its length, numbers,
 * sentences, marks such as % / $ =, binned: difficulty rather than topic).
 * Each namespace is L2-normalised on log(1 + count) and weighted.  Eight
 * dense features follow (length, numbers, digits, lines, ...).
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "router/router_int.h"
#include "util/suggest.h"
#include "util/xmalloc.h"

#define FNV_OFFSET 2166136261u
#define FNV_PRIME  16777619u

struct router_profile *
router_profile_new(const char *id, uint32_t ntags)
{
	struct router_profile *p = xcalloc(1, sizeof *p);
	uint32_t i;

	p->id = xstrdup(id);
	p->ntags = ntags;
	p->d = ntags + 1;
	p->ainv = xcalloc((size_t)p->d * p->d, sizeof *p->ainv);
	for (i = 0; i < p->d; i++)
		p->ainv[i * p->d + i] = 1.0;
	p->q0 = 0.5;
	p->len0 = 200.0;
	return p;
}

void
router_profile_free(struct router_profile *p)
{
	if (p == NULL)
		return;
	free(p->id);
	free(p->ainv);
	router_trees_free(p->trees);
	free(p);
}

struct router_profile *
router_profile_copy(const struct router_profile *p)
{
	struct router_profile *c = xmalloc(sizeof *c);

	memcpy(c, p, sizeof *c);
	c->id = xstrdup(p->id);
	c->ainv = xmalloc((size_t)p->d * p->d * sizeof *c->ainv);
	memcpy(c->ainv, p->ainv, (size_t)p->d * p->d * sizeof *c->ainv);
	c->trees = router_trees_copy(p->trees);
	return c;
}

double
router_profile_base(
    const struct router_profile *p, const struct router_features *f)
{
	double q = 0;
	uint32_t t;

	for (t = 0; t < p->ntags && t < f->ntags; t++)
		q += f->tag[t] * (p->qsum[t] + ROUTER_SHRINK * p->q0) /
		     (p->qw[t] + ROUTER_SHRINK);
	return q;
}

double
router_shape_line(
    const struct router_profile *p, const struct router_features *f)
{
	double q = p->sw[ROUTER_NSHAPE];
	uint32_t k;

	if (!f->has_shape)
		return 0;
	for (k = 0; k < ROUTER_NSHAPE; k++)
		q += (double)p->sw[k] * f->shape[k];
	return q;
}

double
router_profile_quality(
    const struct router_profile *p, const struct router_features *f)
{
	double q = router_profile_base(p, f);
	uint32_t k;

	for (k = 0; k < f->nnz; k++)
		q += (double)p->w[f->nz[k]] * f->x[f->nz[k]];
	q += router_shape_line(p, f);
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	if (p->trees != NULL && f->has_shape) {
		float x[ROUTER_TREE_INPUTS];

		router_trees_inputs(f, q, x);
		q += router_trees_eval(p->trees, x);
		q = q < 0 ? 0 : q > 1 ? 1 : q;
	}
	return q;
}

double
router_profile_out_tokens(
    const struct router_profile *p, const struct router_features *f)
{
	double n = 0, maxp = 0, conf = 1;
	uint32_t t;

	for (t = 0; t < p->ntags && t < f->ntags; t++) {
		n += f->tag[t] * (p->lsum[t] + ROUTER_LENGTH_SHRINK * p->len0) /
		     (p->lw[t] + ROUTER_LENGTH_SHRINK);
		if (f->tag[t] > maxp)
			maxp = f->tag[t];
	}
	/* A prompt that matches no tag well (a chat message far from the
	 * datasets' tasks) leans toward the model's overall mean length,
	 * which every observed reply moves. */
	if (f->ntags > 2)
		conf = (maxp - 1.0 / f->ntags) / (0.5 - 1.0 / f->ntags);
	if (conf < 0)
		conf = 0;
	if (conf > 1)
		conf = 1;
	return conf * n + (1.0 - conf) * p->len0;
}

/* e = [1, p(tag)...] of length p->d. */
static void
profile_e(
    const struct router_profile *p, const struct router_features *f, double *e)
{
	uint32_t i;

	e[0] = 1.0;
	for (i = 1; i < p->d; i++)
		e[i] = i - 1 < f->ntags ? f->tag[i - 1] : 0.0;
}

double
router_profile_uncertainty(
    const struct router_profile *p, const struct router_features *f)
{
	double e[ROUTER_MAX_TAGS + 1], s = 0, row;
	uint32_t i, j;

	profile_e(p, f, e);
	for (i = 0; i < p->d; i++) {
		if (e[i] == 0)
			continue;
		row = 0;
		for (j = 0; j < p->d; j++)
			row += p->ainv[i * p->d + j] * e[j];
		s += e[i] * row;
	}
	return s > 0 ? sqrt(s) : 0.0;
}

void
router_profile_add_obs(
    struct router_profile *p, const struct router_features *f, double weight)
{
	double e[ROUTER_MAX_TAGS + 1], v[ROUTER_MAX_TAGS + 1], denom;
	uint32_t i, j, d = p->d;

	/* (A + w e e')^-1 = A^-1 - w (A^-1 e)(e' A^-1) / (1 + w e' A^-1 e);
	 * A^-1 is symmetric, so v = A^-1 e serves both sides. */
	profile_e(p, f, e);
	for (i = 0; i < d; i++) {
		v[i] = 0;
		for (j = 0; j < d; j++)
			v[i] += p->ainv[i * d + j] * e[j];
	}
	denom = 1.0;
	for (i = 0; i < d; i++)
		denom += weight * e[i] * v[i];
	for (i = 0; i < d; i++)
		for (j = 0; j < d; j++)
			p->ainv[i * d + j] -= weight * v[i] * v[j] / denom;
}

/* Features. */

static uint32_t
hash_bytes(uint32_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h ^= c;
		h *= FNV_PRIME;
	}
	return h;
}

static uint32_t
hash_mix(uint32_t a, uint32_t b)
{
	a ^= b + 0x9e3779b9u + (a << 6) + (a >> 2);
	a ^= a >> 15;
	a *= 0x2c1b3c6du;
	a ^= a >> 12;
	return a;
}

/* Count word hash h and, after the first word, the bigram (prev, h) into
 * namespace ns of acc, recording new buckets. */
static void
word_buckets(uint32_t h, uint32_t prev, int have_prev, uint32_t ns, float *acc,
    uint16_t *nz, uint32_t *nnz)
{
	uint32_t idx = hash_mix(h, ns) & (ROUTER_HASH_DIM - 1);

	if (acc[idx] == 0)
		nz[(*nnz)++] = (uint16_t)idx;
	acc[idx] += 1.0f;
	if (!have_prev)
		return;
	idx = hash_mix(prev, h) & (ROUTER_HASH_DIM - 1);
	if (acc[idx] == 0)
		nz[(*nnz)++] = (uint16_t)idx;
	acc[idx] += 1.0f;
}

/*
 * Add the words of the whole prompt (namespace ns, into acc/nz/nnz) and
 * those of its question block from tail on (namespace bns, into bacc/bnz/
 * bnnz) in one pass: a word at or after tail is in both (the byte before
 * tail is a newline, so no word straddles it), each hashed in its own
 * namespace, the block's bigrams starting afresh at tail.
 */
static void
hash_words(const char *s, size_t len, size_t tail, uint32_t ns, float *acc,
    uint16_t *nz, uint32_t *nnz, uint32_t bns, float *bacc, uint16_t *bnz,
    uint32_t *bnnz, struct router_sig_builder *sb)
{
	uint32_t prev = 0, bprev = 0, h, bh;
	uint64_t sh;
	size_t i = 0, start, j;
	int have_prev = 0, have_bprev = 0;

	while (i < len) {
		while (i < len && !router_word_byte((unsigned char)s[i]))
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && router_word_byte((unsigned char)s[i]))
			i++;
		if (start < tail) {
			h = hash_bytes(FNV_OFFSET ^ ns, s + start, i - start);
			word_buckets(h, prev, have_prev, ns, acc, nz, nnz);
			prev = h;
			have_prev = 1;
			continue;
		}
		/* Both namespaces' FNV-1a chains in one loop, and the
		 * signature's when it is wanted (two loops: a router without
		 * exemplars pays no 64-bit multiply a byte). */
		h = FNV_OFFSET ^ ns;
		bh = FNV_OFFSET ^ bns;
		if (sb == NULL)
			for (j = start; j < i; j++) {
				unsigned char c = (unsigned char)s[j];

				if (c >= 'A' && c <= 'Z')
					c = (unsigned char)(c - 'A' + 'a');
				h = (h ^ c) * FNV_PRIME;
				bh = (bh ^ c) * FNV_PRIME;
			}
		else {
			sh = ROUTER_SIG_FNV_OFFSET;
			for (j = start; j < i; j++) {
				unsigned char c = (unsigned char)s[j];

				if (c >= 'A' && c <= 'Z')
					c = (unsigned char)(c - 'A' + 'a');
				h = (h ^ c) * FNV_PRIME;
				bh = (bh ^ c) * FNV_PRIME;
				sh = (sh ^ c) * ROUTER_SIG_FNV_PRIME;
			}
			router_sig_word(sb, sh);
		}
		word_buckets(h, prev, have_prev, ns, acc, nz, nnz);
		word_buckets(bh, bprev, have_bprev, bns, bacc, bnz, bnnz);
		prev = h;
		bprev = bh;
		have_prev = have_bprev = 1;
	}
}

/* The weights of the namespaces (each L2-normalised): words of the whole
 * prompt, words of the question block, its character n-grams, its shape
 * tokens.  Chosen on validation folds of train (MMLU, GSM8K, RouterBench). */
#define NS_WORDS  0.7071
#define NS_BLOCK  0.7071
#define NS_CHARS  1.0
#define NS_SHAPE  1.4
#define NGRAM_MIN 3
#define NGRAM_MAX 5
#define CHAR_SEED 1u
/* Character n-grams cover at most the last this many bytes of the
 * question block (the cost of a decision on long prompts). */
#define CHAR_CAP 1024

static void
text_bucket(uint32_t h, float *acc, uint16_t *nz, uint32_t *nnz)
{
	uint32_t idx = ROUTER_HASH_DIM + (h & (ROUTER_TEXT_DIM - 1));

	if (acc[idx] == 0)
		nz[(*nnz)++] = (uint16_t)idx;
	acc[idx] += 1.0f;
}

/* The shape tokens of feature k in bin b: "k is b", and "k is at least
 * c" for c = 1..b (thermometer), so that a trend over the bins is
 * learned by few weights (on validation: GSM8K APGR +0.006). */
static void
shape_token(uint32_t k, uint32_t b, float *acc, uint16_t *nz, uint32_t *nnz)
{
	uint32_t c;

	text_bucket(hash_mix(hash_mix(0x3c3c3c3u, k), b), acc, nz, nnz);
	for (c = 1; c <= b; c++)
		text_bucket(hash_mix(hash_mix(0x4d4d4d4u, k), c), acc, nz, nnz);
}

static uint32_t
log2_bin(double v, uint32_t cap)
{
	uint32_t b = 0;

	while (v >= 1.0 && b < cap) {
		v /= 2.0;
		b++;
	}
	return b;
}

/* What the dense features count in the question block (hash_shape reads
 * it for them too). */
struct block_counts {
	uint32_t digits, runs, maxrun, qmarks, upper, lines;
};

/* Shape tokens of the question block: its length, numbers, sentences,
 * marks (difficulty rather than topic), binned; and its counts for the
 * dense features into bc. */
static void
hash_shape(const char *s, size_t len, float *acc, uint16_t *nz, uint32_t *nnz,
    struct block_counts *bc)
{
	uint32_t numbers = 0, decimals = 0, sentences = 0, words = 0, run = 0;
	uint32_t pct = 0, slash = 0, dollar = 0, ops = 0, lines = 0, maxrun = 0;
	uint32_t digits = 0, runs = 0, qmarks = 0, upper = 0;
	size_t i;
	int inword = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9') {
			digits++;
			runs += run == 0;
			if (run++ == 0 &&
			    !(i > 0 && (s[i - 1] == '.' || s[i - 1] == ',')))
				numbers++;
			if (run > maxrun)
				maxrun = run;
		} else
			run = 0;
		if (c == '.' && i > 0 && i + 1 < len && s[i - 1] >= '0' &&
		    s[i - 1] <= '9' && s[i + 1] >= '0' && s[i + 1] <= '9')
			decimals++;
		if ((c == '.' || c == '?' || c == '!') &&
		    (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\n'))
			sentences++;
		if (c == '%')
			pct++;
		if (c == '/')
			slash++;
		if (c == '$')
			dollar++;
		if (c == '+' || c == '*' || c == '=' || c == '^')
			ops++;
		if (c == '\n')
			lines++;
		if (c == '?')
			qmarks++;
		if (c >= 'A' && c <= 'Z')
			upper++;
		if (router_word_byte(c)) {
			if (!inword)
				words++;
			inword = 1;
		} else
			inword = 0;
	}
	shape_token(0, log2_bin((double)words, 12), acc, nz, nnz);
	shape_token(1, numbers > 15 ? 15 : numbers, acc, nz, nnz);
	shape_token(2, sentences > 12 ? 12 : sentences, acc, nz, nnz);
	shape_token(3, decimals > 4 ? 4 : decimals, acc, nz, nnz);
	shape_token(4, pct > 3 ? 3 : pct, acc, nz, nnz);
	shape_token(5, slash > 3 ? 3 : slash, acc, nz, nnz);
	shape_token(6, dollar > 3 ? 3 : dollar, acc, nz, nnz);
	shape_token(7, ops > 4 ? 4 : ops, acc, nz, nnz);
	shape_token(8, log2_bin((double)lines, 8), acc, nz, nnz);
	shape_token(9, maxrun > 7 ? 7 : maxrun, acc, nz, nnz);
	bc->digits = digits;
	bc->runs = runs;
	bc->maxrun = maxrun;
	bc->qmarks = qmarks;
	bc->upper = upper;
	bc->lines = lines;
}

/* Add the character n-grams (NGRAM_MIN..NGRAM_MAX bytes, lower-cased,
 * whitespace runs as one space) of text into acc: they catch notation
 * (math, code) and the morphology of terms that words miss. */
static void
hash_chars(const char *s, size_t len, uint32_t ns, float *acc, uint16_t *nz,
    uint32_t *nnz)
{
	uint64_t win = 0; /* the last 8 bytes, the newest lowest */
	uint32_t h, idx, m = *nnz;
	size_t i;
	int have = 0, g, space = 1;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			if (space)
				continue;
			c = ' ';
			space = 1;
		} else
			space = 0;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		win = win << 8 | c;
		if (have < NGRAM_MAX)
			have++;
		/* The n-grams ending here, hashed from their last byte
		 * backwards so that each extends the one before. */
		h = FNV_OFFSET ^ ns;
		for (g = 1; g <= have; g++) {
			h ^= (uint32_t)(win >> (8 * (g - 1))) & 0xffu;
			h *= FNV_PRIME;
			if (g < NGRAM_MIN)
				continue;
			/* The top bits of a multiplicative hash. */
			idx = ROUTER_HASH_DIM +
			      (((h ^ (h >> 16)) * 0x9e3779b1u) >> 16 &
			          (ROUTER_TEXT_DIM - 1));
			/* Branch-free: a new bucket is kept by counting it. */
			nz[m] = (uint16_t)idx;
			m += acc[idx] == 0;
			acc[idx] += 1.0f;
		}
	}
	*nnz = m;
}

/*
 * Normalise the namespace in acc (its n buckets listed in nz) to unit
 * length on log(1 + count), add it times scale into x, and, when qf is
 * not NULL, keep it alone in qf->qnz/qx.
 */
static void
normalise_namespace(float *acc, const uint16_t *nz, uint32_t n, float *x,
    uint16_t *xnz, uint32_t *xnnz, double scale, struct router_features *qf)
{
	double norm = 0;
	uint32_t k;
	float v;

	for (k = 0; k < n; k++) {
		/* Most counts are 1: spare them the logarithm. */
		acc[nz[k]] =
		    acc[nz[k]] == 1.0f ? 0.693147181f : logf(1.0f + acc[nz[k]]);
		norm += (double)acc[nz[k]] * acc[nz[k]];
	}
	if (norm <= 0)
		return;
	norm = 1.0 / sqrt(norm);
	for (k = 0; k < n; k++) {
		v = acc[nz[k]] * (float)norm;
		if (qf != NULL) {
			qf->qnz[qf->qnnz] = nz[k];
			qf->qx[qf->qnnz++] = v;
		}
		if (x[nz[k]] == 0)
			xnz[(*xnnz)++] = nz[k];
		x[nz[k]] += v * (float)scale;
		acc[nz[k]] = 0;
	}
}

size_t
router_last_block(const char *prompt, size_t len)
{
	size_t i;

	/* After the last blank line, if it says enough: from newline to
	 * newline backwards (memrchr), a newline at i - 1 after another. */
	for (i = len; i > 1;) {
		const char *nl = memrchr(prompt, '\n', i);

		if (nl == NULL)
			break;
		i = (size_t)(nl - prompt) + 1;
		if (i > 1 && prompt[i - 2] == '\n' && len - i >= 20)
			return i;
		i--;
	}
	return 0;
}

/* router_features_hash, for a prompt whose question block starts at
 * tail; with sb, the block's words also go to a signature. */
static void
features_hash(const char *prompt, size_t len, size_t tail,
    struct router_features *f, struct router_sig_builder *sb)
{
	float acc[ROUTER_DENSE_BASE], bacc[ROUTER_HASH_DIM];
	uint16_t nz[ROUTER_DENSE_BASE], bnz[ROUTER_HASH_DIM];
	uint32_t n = 0, bn = 0, lines, k;
	struct block_counts bc;
	size_t i, ct;

	memset(f->x, 0, sizeof f->x);
	memset(acc, 0, sizeof acc);
	memset(bacc, 0, sizeof bacc);
	f->nnz = 0;
	f->ntags = 0;
	f->qnnz = 0;

	f->has_sig = false;

	hash_words(prompt, len, tail, 0x1234567u, acc, nz, &n, 0x7654321u, bacc,
	    bnz, &bn, sb);
	normalise_namespace(acc, nz, n, f->x, f->nz, &f->nnz, NS_WORDS, NULL);
	normalise_namespace(bacc, bnz, bn, f->x, f->nz, &f->nnz, NS_BLOCK, f);
	n = 0;
	ct = len - tail > CHAR_CAP ? len - CHAR_CAP : tail;
	hash_chars(prompt + ct, len - ct, CHAR_SEED, acc, nz, &n);
	normalise_namespace(acc, nz, n, f->x, f->nz, &f->nnz, NS_CHARS, NULL);
	n = 0;
	hash_shape(prompt + tail, len - tail, acc, nz, &n, &bc);
	normalise_namespace(acc, nz, n, f->x, f->nz, &f->nnz, NS_SHAPE, NULL);

	lines = 1 + bc.lines;
	for (i = 0; i < tail; i++)
		if (prompt[i] == '\n')
			lines++;
	{
		double tl = (double)(len - tail);
		float dense[ROUTER_NDENSE];

		dense[0] = (float)(log1p((double)len) / 10.0);
		dense[1] = (float)(log1p(tl) / 10.0);
		dense[2] = (float)(log1p((double)bc.runs) / 4.0);
		dense[3] = (float)(tl > 0 ? 5.0 * bc.digits / tl : 0.0);
		dense[4] = (float)(bc.maxrun / 8.0);
		dense[5] = (float)(bc.qmarks > 4 ? 1.0 : bc.qmarks / 4.0);
		dense[6] = (float)(tl > 0 ? 5.0 * bc.upper / tl : 0.0);
		dense[7] = (float)(log1p((double)lines) / 6.0);
		for (k = 0; k < ROUTER_NDENSE; k++) {
			if (dense[k] > 2.0f)
				dense[k] = 2.0f;
			if (dense[k] != 0) {
				f->x[ROUTER_DENSE_BASE + k] = dense[k];
				f->nz[f->nnz++] =
				    (uint16_t)(ROUTER_DENSE_BASE + k);
			}
		}
	}
	f->in_tokens = ceil((double)len / 4.0);
	router_shape_features(prompt, len, tail, f->shape);
	f->has_shape = true;
}

void
router_features_hash(const char *prompt, size_t len, struct router_features *f)
{
	features_hash(prompt, len, router_last_block(prompt, len), f, NULL);
}

void
router_features_tag(const struct router *r, struct router_features *f)
{
	double z[ROUTER_MAX_TAGS], m, s;
	uint32_t t, k;

	f->ntags = r->ntags;
	if (r->tagw == NULL || r->ntags <= 1) {
		for (t = 0; t < r->ntags; t++)
			f->tag[t] = 1.0f / (float)r->ntags;
		return;
	}
	for (t = 0; t < r->ntags; t++)
		z[t] = r->tagb[t];
	for (k = 0; k < f->nnz; k++) {
		const float *w = r->tagw + (size_t)f->nz[k] * r->ntags;
		double v = f->x[f->nz[k]];

		for (t = 0; t < r->ntags; t++)
			z[t] += (double)w[t] * v;
	}
	m = z[0];
	for (t = 1; t < r->ntags; t++)
		if (z[t] > m)
			m = z[t];
	s = 0;
	for (t = 0; t < r->ntags; t++) {
		z[t] = exp(z[t] - m);
		s += z[t];
	}
	for (t = 0; t < r->ntags; t++)
		f->tag[t] = (float)(z[t] / s);
}

void
router_features_compute(const struct router *r, const char *prompt, size_t len,
    struct router_features *f)
{
	struct router_sig_builder sb;
	size_t tail = router_last_block(prompt, len);

	if (r->exemplars == NULL) {
		features_hash(prompt, len, tail, f, NULL);
		router_features_tag(r, f);
		return;
	}
	router_sig_begin(&sb);
	features_hash(prompt, len, tail, f, &sb);
	router_sig_end(&sb, f->sig);
	f->has_sig = true;
	router_features_tag(r, f);
}

/* The router. */

struct router *
router_new_empty(void)
{
	struct router *r = xcalloc(1, sizeof *r);

	r->ntags = 1;
	r->tags[0] = xstrdup("all");
	r->alpha = ROUTER_DEFAULT_ALPHA;
	r->beta = ROUTER_DEFAULT_BETA;
	r->online_lr = ROUTER_ONLINE_LR;
	return r;
}

struct router *
router_new(void)
{
	struct router *r = router_new_empty();
	char *cause = NULL;

	if (router_priors_size > 0 && router_state_load(r, router_priors_data,
	                                  router_priors_size, &cause) != MC_OK)
		free(cause); /* a build without priors routes by price tier */
	return r;
}

struct router *
router_copy(const struct router *r)
{
	struct router *c = xcalloc(1, sizeof *c);
	size_t i;

	c->ntags = r->ntags;
	for (i = 0; i < r->ntags; i++)
		c->tags[i] = xstrdup(r->tags[i]);
	if (r->tagw != NULL) {
		c->tagw =
		    xmalloc((size_t)r->ntags * ROUTER_DIM * sizeof *c->tagw);
		memcpy(c->tagw, r->tagw,
		    (size_t)r->ntags * ROUTER_DIM * sizeof *c->tagw);
	}
	memcpy(c->tagb, r->tagb, sizeof c->tagb);
	c->priors = xcalloc(r->npriors + 1, sizeof *c->priors);
	for (i = 0; i < r->npriors; i++)
		c->priors[i] = router_profile_copy(r->priors[i]);
	c->npriors = r->npriors;
	c->models = xcalloc(r->nmodels + 1, sizeof *c->models);
	for (i = 0; i < r->nmodels; i++)
		c->models[i] = router_profile_copy(r->models[i]);
	c->nmodels = r->nmodels;
	c->alpha = r->alpha;
	c->beta = r->beta;
	c->online_lr = r->online_lr;
	c->exemplars = router_exemplars_copy(r->exemplars);
	return c;
}

void
router_clear_tags(struct router *r)
{
	size_t i;

	for (i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	r->ntags = 0;
	free(r->tagw);
	r->tagw = NULL;
	for (i = 0; i < r->npriors; i++)
		router_profile_free(r->priors[i]);
	free(r->priors);
	r->priors = NULL;
	r->npriors = 0;
}

void
router_free(struct router *r)
{
	size_t i;

	if (r == NULL)
		return;
	router_clear_tags(r);
	for (i = 0; i < r->nmodels; i++)
		router_profile_free(r->models[i]);
	free(r->models);
	router_exemplars_free(r->exemplars);
	free(r);
}

double
router_lambda(enum router_mode mode)
{
	switch (mode) {
	case MODE_QUALITY:
		return ROUTER_LAMBDA_QUALITY;
	case MODE_BUDGET:
		return ROUTER_LAMBDA_BUDGET;
	case MODE_BALANCED:
	default:
		return ROUTER_LAMBDA_BALANCED;
	}
}

const char *
router_exclusion_name(enum router_exclusion e)
{
	switch (e) {
	case ROUTER_OK:
		return "";
	case ROUTER_OVER_BUDGET:
		return "over budget";
	case ROUTER_RATE_LIMITED:
		return "rate-limited";
	case ROUTER_SKIPPED:
		return "skipped";
	case ROUTER_UNREACHABLE:
		return "unreachable";
	}
	return "?";
}

static int
find_model(const struct router *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nmodels; i++)
		if (strcmp(r->models[i]->id, id) == 0)
			return (int)i;
	return -1;
}

struct router_profile *
router_find_profile(const struct router *r, const char *id)
{
	int i = find_model(r, id);

	return i < 0 ? NULL : r->models[i];
}

static const struct router_profile *
find_prior(const struct router *r, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < r->npriors; i++)
		if (strcmp(r->priors[i]->id, name) == 0)
			return r->priors[i];
	return NULL;
}

bool
router_has_prior(const struct router *r, const char *name)
{
	return find_prior(r, name) != NULL;
}

const char *
router_prior_near(const struct router *r, const char *name)
{
	const char **names, *near;
	size_t i;

	if (name == NULL || r->npriors == 0)
		return NULL;
	names = xreallocarray(NULL, r->npriors, sizeof *names);
	for (i = 0; i < r->npriors; i++)
		names[i] = r->priors[i]->id;
	near = suggest_name(name, names, r->npriors);
	free(names);
	return near;
}

/* A profile for a model without a known prior: by its price tier. */
static struct router_profile *
profile_from_price(
    const struct router *r, const char *id, double pin, double pout)
{
	struct router_profile *p = router_profile_new(id, r->ntags);
	double blended = (pin + 2.0 * pout) / 3.0;

	if (blended < 0.5)
		p->q0 = 0.60;
	else if (blended < 2.0)
		p->q0 = 0.70;
	else if (blended < 8.0)
		p->q0 = 0.78;
	else
		p->q0 = 0.85;
	p->len0 = 300.0;
	return p;
}

/* A candidate's profile from a prior: its statistics capped so that the
 * user's own ratings soon outweigh them (router_int.h). */
struct router_profile *
router_profile_adopt(const struct router_profile *prior, const char *id)
{
	struct router_profile *p = router_profile_copy(prior);
	uint32_t t, i;
	double s;

	free(p->id);
	p->id = xstrdup(id);
	for (t = 0; t < p->ntags; t++) {
		if (p->qw[t] > ROUTER_PRIOR_CAP) {
			s = ROUTER_PRIOR_CAP / p->qw[t];
			p->qsum[t] *= s;
			p->qw[t] *= s;
		}
		if (p->lw[t] > ROUTER_LENGTH_CAP) {
			s = ROUTER_LENGTH_CAP / p->lw[t];
			p->lsum[t] *= s;
			p->lw[t] *= s;
		}
	}
	memset(p->ainv, 0, (size_t)p->d * p->d * sizeof *p->ainv);
	for (i = 0; i < p->d; i++)
		p->ainv[i * p->d + i] = 1.0 / (1.0 + ROUTER_PRIOR_KAPPA);
	p->n = 0;
	return p;
}

int
router_add_model(struct router *r, const char *id, double price_in,
    double price_out, const char *prior)
{
	const struct router_profile *pp;
	struct router_profile *p;

	if (id == NULL || *id == '\0' || strlen(id) > ROUTER_MAX_ID)
		return MC_ERR_LIMIT;
	if (find_model(r, id) >= 0)
		return MC_ERR_EXISTS;
	if (r->nmodels >= ROUTER_MAX_MODELS)
		return MC_ERR_LIMIT;
	pp = find_prior(r, prior);
	if (pp != NULL)
		p = router_profile_adopt(pp, id);
	else
		p = profile_from_price(r, id, price_in, price_out);
	p->price_in = price_in;
	p->price_out = price_out;
	r->models = xreallocarray(r->models, r->nmodels + 1, sizeof *r->models);
	r->models[r->nmodels++] = p;
	return MC_OK;
}

int
router_remove_model(struct router *r, const char *id)
{
	int i = find_model(r, id);

	if (i < 0)
		return MC_ERR_NOTFOUND;
	router_profile_free(r->models[i]);
	memmove(r->models + i, r->models + i + 1,
	    (r->nmodels - (size_t)i - 1) * sizeof *r->models);
	r->nmodels--;
	return MC_OK;
}

size_t
router_nmodels(const struct router *r)
{
	return r->nmodels;
}

const char *
router_model_id(const struct router *r, size_t i)
{
	return i < r->nmodels ? r->models[i]->id : NULL;
}

size_t
router_ntags(const struct router *r)
{
	return r->ntags;
}

const char *
router_tag_name(const struct router *r, size_t i)
{
	return i < r->ntags ? r->tags[i] : NULL;
}

void
router_set_params(struct router *r, double alpha, double beta)
{
	r->alpha = alpha;
	r->beta = beta;
}

void
router_context_init(struct router_context *ctx, enum router_mode mode)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->mode = mode;
	ctx->latency_tolerance_ms = 15000.0;
	ctx->budget_left_usd = -1.0;
}

static const struct router_latency *
find_latency(const struct router_context *ctx, const char *id)
{
	size_t i;

	for (i = 0; i < ctx->nlatency; i++)
		if (ctx->latency[i].model != NULL &&
		    strcmp(ctx->latency[i].model, id) == 0)
			return &ctx->latency[i];
	return NULL;
}

static int
named_in(const char *const *list, size_t n, const char *id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] != NULL && strcmp(list[i], id) == 0)
			return 1;
	return 0;
}

static int
is_skipped(const struct router_context *ctx, const char *id)
{
	return named_in(ctx->skip, ctx->nskip, id);
}

double
router_uncertainty(
    const struct router *r, size_t i, const struct router_features *f)
{
	return i < r->nmodels ? router_profile_uncertainty(r->models[i], f)
	                      : 0.0;
}

/* Has p ever seen a reply's length (from a fit, a prior or live use)? */
static bool
profile_knows_length(const struct router_profile *p)
{
	uint32_t t;

	for (t = 0; t < p->ntags; t++)
		if (p->lw[t] > 0)
			return true;
	return false;
}

/*
 * The predicted reply length of every candidate.  A model that has never
 * seen a reply (one started from its price tier) borrows the mean of what
 * the models that have predict for this prompt: a reply's length follows
 * the prompt more than the model, and the tier's flat guess would
 * overprice a dear model on short tasks so much that it is never tried,
 * and so never learns better.  With no such model, the tier's guess.
 */
static void
decide_lengths(const struct router *r, const struct router_features *f,
    struct router_candidate *c)
{
	double sum = 0;
	size_t i, n = 0;

	for (i = 0; i < r->nmodels; i++) {
		c[i].out_tokens = router_profile_out_tokens(r->models[i], f);
		if (profile_knows_length(r->models[i])) {
			sum += c[i].out_tokens;
			n++;
		}
	}
	if (n == 0 || n == r->nmodels)
		return;
	for (i = 0; i < r->nmodels; i++)
		if (!profile_knows_length(r->models[i]))
			c[i].out_tokens = sum / (double)n;
}

void
router_qualities(
    const struct router *r, const struct router_features *f, double *q)
{
	struct router_exemplar_match match[ROUTER_EXEMPLAR_MAX_MATCH];
	uint32_t nmatch = 0;
	size_t i;
	int col;

	if (r->exemplars != NULL && f->has_sig)
		nmatch = router_exemplars_match(
		    r->exemplars, f->sig, match, ROUTER_EXEMPLAR_MAX_MATCH);
	for (i = 0; i < r->nmodels; i++) {
		q[i] = router_profile_quality(r->models[i], f);
		if (nmatch == 0 || (col = router_exemplars_column(
		                        r->exemplars, r->models[i]->id)) < 0)
			continue;
		q[i] += router_exemplars_correction(
		    r->exemplars, match, nmatch, (uint32_t)col);
		q[i] = q[i] < 0 ? 0 : q[i] > 1 ? 1 : q[i];
	}
}

int
router_decide_features(const struct router *r, const struct router_features *f,
    const struct router_context *ctx, struct router_decision *d)
{
	double lambda, tau, best = -INFINITY, ttft, tps, wait, *q;
	const struct router_latency *lat;
	size_t i;

	memset(d, 0, sizeof *d);
	d->winner = -1;
	if (r->nmodels == 0)
		return MC_ERR_NOTFOUND;
	lambda = ctx->lambda > 0 ? ctx->lambda : router_lambda(ctx->mode);
	d->lambda = lambda;
	tau = ctx->latency_tolerance_ms;
	d->features = xmalloc(sizeof *d->features);
	memcpy(d->features, f, sizeof *f);
	d->candidates = xcalloc(r->nmodels, sizeof *d->candidates);
	d->ncandidates = r->nmodels;
	decide_lengths(r, f, d->candidates);
	q = xcalloc(r->nmodels, sizeof *q);
	router_qualities(r, f, q);
	for (i = 0; i < r->nmodels; i++) {
		const struct router_profile *p = r->models[i];
		struct router_candidate *c = &d->candidates[i];

		c->model = p->id;
		c->quality = q[i];
		c->cost_usd =
		    ((f->in_tokens + ctx->context_in_tokens) * p->price_in +
		        c->out_tokens * p->price_out) /
		    1e6;
		c->uncertainty = router_profile_uncertainty(p, f);
		lat = find_latency(ctx, p->id);
		ttft = lat != NULL && lat->ttft_ms > 0 ? lat->ttft_ms
		                                       : ROUTER_DEFAULT_TTFT_MS;
		tps = lat != NULL && lat->tokens_per_s > 0 ? lat->tokens_per_s
		                                           : ROUTER_DEFAULT_TPS;
		wait = lat != NULL && lat->unavailable_until_ms > ctx->now_ms
		           ? (double)(lat->unavailable_until_ms - ctx->now_ms)
		           : 0.0;
		c->latency_ms = wait + ttft + 1000.0 * c->out_tokens / tps;
		c->penalty = 0;
		if (tau > 0 && c->latency_ms > tau) {
			double z = (c->latency_ms - tau) / tau;

			c->penalty = expm1(z > 50 ? 50 : z);
		}
		c->score = c->quality + r->alpha * c->uncertainty -
		           c->cost_usd / lambda - r->beta * c->penalty;
		if (is_skipped(ctx, p->id))
			c->excluded = ROUTER_SKIPPED;
		else if (named_in(ctx->down, ctx->ndown, p->id))
			c->excluded = ROUTER_UNREACHABLE;
		else if (ctx->budget_left_usd >= 0 &&
		         c->cost_usd > ctx->budget_left_usd)
			c->excluded = ROUTER_OVER_BUDGET;
		else if (wait > 0 && (tau <= 0 || wait > tau))
			c->excluded = ROUTER_RATE_LIMITED;
		if (c->excluded == ROUTER_OK && c->score > best) {
			best = c->score;
			d->winner = (int)i;
		}
	}
	free(q);
	return d->winner < 0 ? MC_ERR_BUDGET : MC_OK;
}

int
router_decide(const struct router *r, const char *prompt, size_t len,
    const struct router_context *ctx, struct router_decision *d)
{
	struct router_features *f = xmalloc(sizeof *f);
	int rc;

	router_features_compute(r, prompt, len, f);
	rc = router_decide_features(r, f, ctx, d);
	free(f);
	return rc;
}

void
router_decision_release(struct router_decision *d)
{
	free(d->candidates);
	free(d->features);
	memset(d, 0, sizeof *d);
	d->winner = -1;
}

int
router_decision_next(const struct router_decision *d, const char *skip)
{
	double best = -INFINITY;
	int win = -1;
	size_t i;

	for (i = 0; i < d->ncandidates; i++) {
		const struct router_candidate *c = &d->candidates[i];

		if (c->excluded != ROUTER_OK)
			continue;
		if (skip != NULL && strcmp(c->model, skip) == 0)
			continue;
		if (c->score > best) {
			best = c->score;
			win = (int)i;
		}
	}
	return win;
}

/* Per-tag counts v of p (qw, lw), weighted by f's tag probabilities. */
static double
tag_weighted(const struct router_profile *p, const struct router_features *f,
    const double *v)
{
	double sum = 0;
	uint32_t t;

	for (t = 0; t < p->ntags && t < f->ntags; t++)
		sum += f->tag[t] * v[t];
	return sum;
}

double
router_profile_evidence(
    const struct router_profile *p, const struct router_features *f)
{
	return tag_weighted(p, f, p->qw);
}

int
router_learn(struct router *r, const struct router_features *f, const char *id,
    double quality, double weight)
{
	return router_learn_split(r, f, id, quality, weight, weight);
}

int
router_learn_split(struct router *r, const struct router_features *f,
    const char *id, double quality, double stats_weight, double weight)
{
	struct router_profile *p;
	double q, err, step;
	uint32_t t, k;
	int i = find_model(r, id);

	if (i < 0)
		return MC_ERR_NOTFOUND;
	if (!(quality >= 0 && quality <= 1) || !(weight > 0 && weight <= 1) ||
	    !(stats_weight > 0 && stats_weight <= 1))
		return MC_ERR_USAGE;
	p = r->models[i];
	q = router_profile_quality(p, f);
	for (t = 0; t < p->ntags && t < f->ntags; t++) {
		p->qsum[t] += stats_weight * f->tag[t] * quality;
		p->qw[t] += stats_weight * f->tag[t];
	}
	/* One SGD step on the residual toward what the prediction missed
	 * (a step sized by the evidence held was tried: on validation it
	 * learned too little from a fitted state). */
	err = quality - q;
	step = r->online_lr * weight * err;
	for (k = 0; k < f->nnz; k++)
		p->w[f->nz[k]] += (float)(step * f->x[f->nz[k]]);
	router_profile_add_obs(p, f, weight);
	p->n += weight;
	return MC_OK;
}

int
router_correct_split(struct router *r, const struct router_features *f,
    const char *id, double old_quality, double quality, double stats_weight,
    double weight)
{
	struct router_profile *p;
	double step;
	uint32_t t, k;
	int i = find_model(r, id);

	if (i < 0)
		return MC_ERR_NOTFOUND;
	if (!(quality >= 0 && quality <= 1) ||
	    !(old_quality >= 0 && old_quality <= 1) ||
	    !(weight > 0 && weight <= 1) ||
	    !(stats_weight > 0 && stats_weight <= 1))
		return MC_ERR_USAGE;
	p = r->models[i];
	for (t = 0; t < p->ntags && t < f->ntags; t++)
		p->qsum[t] +=
		    stats_weight * f->tag[t] * (quality - old_quality);
	step = r->online_lr * weight * (quality - router_profile_quality(p, f));
	for (k = 0; k < f->nnz; k++)
		p->w[f->nz[k]] += (float)(step * f->x[f->nz[k]]);
	return MC_OK;
}

/* The weight of the length statistics behind p's prediction for f: its
 * replies' (or prior's) count on the prompt's tags. */
static double
profile_length_weight(
    const struct router_profile *p, const struct router_features *f)
{
	return tag_weighted(p, f, p->lw);
}

int
router_learn_length(struct router *r, const struct router_features *f,
    const char *id, double out_tokens)
{
	struct router_profile *p;
	double total = 0, x = out_tokens, pred, lo, hi;
	uint32_t t;
	int i = find_model(r, id);

	if (i < 0)
		return MC_ERR_NOTFOUND;
	if (!(out_tokens >= 0 && out_tokens <= 1e7))
		return MC_ERR_USAGE;
	p = r->models[i];
	/* Once the prediction rests on some weight for this prompt, a reply
	 * counts as at most ROUTER_LENGTH_BAND times it (at least 1 token)
	 * and at least its 1/BAND: one very long reply moves the mean by a
	 * bounded factor, while a lasting change moves the band with it. */
	if (profile_length_weight(p, f) >= ROUTER_LENGTH_BAND_WEIGHT - 1e-6) {
		pred = router_profile_out_tokens(p, f);
		lo = pred / ROUTER_LENGTH_BAND;
		hi = ROUTER_LENGTH_BAND * (pred > 1.0 ? pred : 1.0);
		x = x < lo ? lo : x > hi ? hi : x;
	}
	/* The overall mean moves as one more reply among all those behind
	 * the per-tag statistics. */
	for (t = 0; t < p->ntags; t++)
		total += p->lw[t];
	p->len0 += (x - p->len0) / (total + 1.0);
	for (t = 0; t < p->ntags && t < f->ntags; t++) {
		p->lsum[t] += f->tag[t] * x;
		p->lw[t] += f->tag[t];
	}
	return MC_OK;
}
