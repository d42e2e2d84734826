/*
 * exemplar.c - the router's memory of its training prompts' near
 * duplicates (see router_int.h, "exemplars").
 *
 * What it owns: for every prompt the router was fitted on, a MinHash
 * signature of its question block (ROUTER_SIG 8-bit values over the set
 * of its word unigrams and bigrams) and, per dataset model, what the
 * fitted predictors got wrong on it (quality - prediction, in 1/127ths);
 * plus an index by bands of the signature, rebuilt whenever the memory is
 * made or loaded, never stored.
 *
 * Why: the tag statistics and the hashed-word residual learn what a topic
 * or a word says about a model's quality; they cannot learn that *this*
 * passage (the one five history questions share) or *this* template
 * ("The CPI is calculated for each ___ by ___") trips one model up.  A
 * prompt whose signature agrees with k training prompts' on at least
 * ROUTER_EXEMPLAR_MIN_AGREE of ROUTER_SIG values (about 0.59 of their word
 * sets in common) gets
 * the mean of their errors added to its prediction, weighted as the mean
 * of k measurements that each correlate rho with it:
 *
 *	q(x) += k rho / (1 + (k - 1) rho) * mean_j err_j
 *
 * rho is measured at fit time, per tag, on the training prompts' own
 * pairs of near duplicates (the correlation of their errors, model by
 * model, shrunk toward 0 as if ROUTER_EXEMPLAR_PRIOR_PAIRS more pairs had
 * shown none), and is never below 0.  It matters: two MMLU questions on
 * one passage tend to trip a model up together (about 0.2 over MMLU, 0.86
 * for its repeated clinical questions), while Winogrande's twin sentences,
 * which differ in the word that flips the answer, do the opposite (about
 * -0.08: no correction).  A prompt with no near duplicate among the training
 * prompts (every chat prompt, in practice) is not touched.
 *
 * Signatures: each shingle is hashed once (to 32 bits); value k of the
 * signature is 8 bits of a mix of the smallest a_k * h + b_k (mod 2^32,
 * a_k odd: a permutation) over the shingles.  Two prompts agree on value
 * k with probability about their Jaccard overlap (plus 1/255 by chance:
 * an eighth of a value over 32).  The index keys each prompt under
 * ROUTER_SIG / 4 bands of four values: near duplicates share a band with
 * probability 1 - (1 - J^4)^8 (0.65 at J = 0.6, 0.99 at J = 0.8), and the
 * candidates a band yields are then checked on all 32.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "router/router_int.h"
#include "util/xmalloc.h"

#define BANDS     (ROUTER_SIG / 4)
#define SIG_EMPTY 0xffu /* no word at all: never matches */

/* Deterministic multipliers: splitmix64 from a fixed seed. */
static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Four 32-bit lanes (GCC and clang vector extensions): the values of the
 * signature are computed four at a time whatever the target. */
typedef uint32_t sig_vec __attribute__((vector_size(16)));
#define SIG_VECS (ROUTER_SIG / 4)

static sig_vec sig_a[SIG_VECS], sig_b[SIG_VECS];
static int sig_ready;

static void sig_pick(void);

static void
sig_init(void)
{
	uint64_t s = 0x5eed5eedull;
	int k;

	if (sig_ready)
		return;
	sig_pick();
	for (k = 0; k < ROUTER_SIG; k++) {
		sig_a[k / 4][k % 4] = (uint32_t)splitmix(&s) | 1u;
		sig_b[k / 4][k % 4] = (uint32_t)splitmix(&s);
	}
	sig_ready = 1;
}

static uint64_t
word_hash(const char *s, size_t n)
{
	uint64_t h = ROUTER_SIG_FNV_OFFSET;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h ^= c;
		h *= ROUTER_SIG_FNV_PRIME;
	}
	return h;
}

/* A final mix of a shingle's hash, so that related words do not give
 * related values. */
static uint32_t
sig_mix(uint64_t h64)
{
	h64 ^= h64 >> 33;
	h64 *= 0xff51afd7ed558ccdull;
	h64 ^= h64 >> 33;
	return (uint32_t)h64;
}

/* Lower mins by the n mixed shingle hashes in h. */
static void
sig_lower(sig_vec *mins, const uint32_t *h, size_t n)
{
	sig_vec v, lt;
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		for (k = 0; k < SIG_VECS; k++) {
			v = sig_a[k] * h[i] + sig_b[k];
			lt = (sig_vec)(v < mins[k]);
			mins[k] = (v & lt) | (mins[k] & ~lt);
		}
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The same with AVX2, eight lanes at a time with the minima kept in
 * registers (the x86-64 baseline has neither a 32-bit lane multiply nor
 * an unsigned minimum): the same values, several times faster, chosen
 * once at run time. */
__attribute__((target("avx2"))) static void
sig_lower_avx2(sig_vec *mins, const uint32_t *h, size_t n)
{
	__m256i a[SIG_VECS / 2], b[SIG_VECS / 2], m[SIG_VECS / 2], x;
	size_t i;
	int k;

	for (k = 0; k < SIG_VECS / 2; k++) {
		a[k] = _mm256_loadu_si256((const __m256i *)&sig_a[2 * k]);
		b[k] = _mm256_loadu_si256((const __m256i *)&sig_b[2 * k]);
		m[k] = _mm256_loadu_si256((const __m256i *)&mins[2 * k]);
	}
	for (i = 0; i < n; i++) {
		x = _mm256_set1_epi32((int)h[i]);
		for (k = 0; k < SIG_VECS / 2; k++)
			m[k] = _mm256_min_epu32(
			    m[k], _mm256_add_epi32(
			              _mm256_mullo_epi32(a[k], x), b[k]));
	}
	for (k = 0; k < SIG_VECS / 2; k++)
		_mm256_storeu_si256((__m256i *)&mins[2 * k], m[k]);
}

static void (*sig_lower_fn)(sig_vec *, const uint32_t *, size_t);

static void
sig_pick(void)
{
	__builtin_cpu_init();
	sig_lower_fn =
	    __builtin_cpu_supports("avx2") ? sig_lower_avx2 : sig_lower;
}
#else
static void (*sig_lower_fn)(sig_vec *, const uint32_t *, size_t) = sig_lower;

static void
sig_pick(void)
{
}
#endif

bool
router_signature_portable(bool on)
{
	bool faster;

	sig_init();
	sig_pick();
	faster = sig_lower_fn != sig_lower;
	if (on)
		sig_lower_fn = sig_lower;
	return faster;
}

void
router_sig_begin(struct router_sig_builder *b)
{
	int k;

	sig_init();
	for (k = 0; k < ROUTER_SIG; k++)
		b->mins[k] = UINT32_MAX;
	b->prev = 0;
	b->words = 0;
	b->n = 0;
}

/* The shingles are hashed a batch at a time; each batch then lowers the
 * minima. */
void
router_sig_word(struct router_sig_builder *b, uint64_t h)
{
	b->hs[b->n++] = sig_mix(h);
	if (b->words++ > 0)
		b->hs[b->n++] = sig_mix(b->prev * 0x9e3779b97f4a7c15ull ^ h);
	b->prev = h;
	if (b->n + 2 > sizeof b->hs / sizeof *b->hs) {
		sig_lower_fn((sig_vec *)b->mins, b->hs, b->n);
		b->n = 0;
	}
}

void
router_sig_end(struct router_sig_builder *b, uint8_t *sig)
{
	int k;

	sig_lower_fn((sig_vec *)b->mins, b->hs, b->n);
	b->n = 0;
	for (k = 0; k < ROUTER_SIG; k++) {
		/* 8 bits of the whole minimum (its top bits are mostly zero:
		 * it is the least of many), 0..254; SIG_EMPTY for no words. */
		uint32_t m = (b->mins[k] ^ (b->mins[k] >> 15)) * 0x2c1b3c6du;

		sig[k] =
		    b->words == 0 ? SIG_EMPTY : (uint8_t)((m >> 16) % 255u);
	}
}

void
router_signature(const char *s, size_t len, uint8_t *sig)
{
	struct router_sig_builder b;
	size_t i = 0, start;

	router_sig_begin(&b);
	while (i < len) {
		while (i < len && !router_word_byte((unsigned char)s[i]))
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && router_word_byte((unsigned char)s[i]))
			i++;
		router_sig_word(&b, word_hash(s + start, i - start));
	}
	router_sig_end(&b, sig);
}

static uint32_t
band_key(const uint8_t *sig, int band)
{
	const uint8_t *v = sig + 4 * band;

	return (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 |
	       (uint32_t)v[3] << 24;
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct router_band_entry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void
router_exemplars_index(struct router_exemplars *ex)
{
	uint32_t i, m;
	int b;

	for (b = 0; b < BANDS; b++) {
		free(ex->bands[b]);
		ex->bands[b] = xcalloc((size_t)ex->n + 1, sizeof *ex->bands[b]);
		m = 0;
		for (i = 0; i < ex->n; i++) {
			const uint8_t *sig = ex->sig + (size_t)i * ROUTER_SIG;

			if (sig[0] == SIG_EMPTY)
				continue;
			ex->bands[b][m].key = band_key(sig, b);
			ex->bands[b][m].id = i;
			m++;
		}
		qsort(ex->bands[b], m, sizeof *ex->bands[b], entry_cmp);
		ex->nband[b] = m;
	}
}

struct router_exemplars *
router_exemplars_new(uint32_t n, uint32_t ncols, const char *const *cols)
{
	struct router_exemplars *ex = xcalloc(1, sizeof *ex);
	uint32_t c;

	ex->n = n;
	ex->ncols = ncols;
	ex->cols = xcalloc((size_t)ncols + 1, sizeof *ex->cols);
	for (c = 0; c < ncols; c++)
		ex->cols[c] = xstrdup(cols[c]);
	ex->sig = xcalloc((size_t)n * ROUTER_SIG + 1, sizeof *ex->sig);
	ex->err = xcalloc((size_t)n * ncols + 1, sizeof *ex->err);
	ex->tag = xcalloc((size_t)n + 1, sizeof *ex->tag);
	ex->ntags = 1;
	return ex;
}

void
router_exemplars_free(struct router_exemplars *ex)
{
	uint32_t c;
	int b;

	if (ex == NULL)
		return;
	for (c = 0; c < ex->ncols; c++)
		free(ex->cols[c]);
	free(ex->cols);
	free(ex->sig);
	free(ex->err);
	free(ex->tag);
	for (b = 0; b < BANDS; b++)
		free(ex->bands[b]);
	free(ex);
}

struct router_exemplars *
router_exemplars_copy(const struct router_exemplars *ex)
{
	struct router_exemplars *c;

	if (ex == NULL)
		return NULL;
	c = router_exemplars_new(
	    ex->n, ex->ncols, (const char *const *)ex->cols);
	memcpy(c->sig, ex->sig, (size_t)ex->n * ROUTER_SIG * sizeof *c->sig);
	memcpy(c->err, ex->err, (size_t)ex->n * ex->ncols * sizeof *c->err);
	memcpy(c->tag, ex->tag, ex->n);
	c->ntags = ex->ntags;
	memcpy(c->rho, ex->rho, sizeof c->rho);
	router_exemplars_index(c);
	return c;
}

int8_t
router_exemplar_quantise(double err)
{
	double v = err * 127.0;

	if (v > 127)
		v = 127;
	if (v < -127)
		v = -127;
	return (int8_t)(v < 0 ? v - 0.5 : v + 0.5);
}

uint32_t
router_exemplars_match(const struct router_exemplars *ex, const uint8_t *sig,
    struct router_exemplar_match *out, uint32_t max)
{
	uint32_t nout = 0, lo, hi, mid, j, id, agree, key;
	int b, k;

	if (ex == NULL || ex->n == 0 || sig[0] == SIG_EMPTY)
		return 0;
	for (b = 0; b < BANDS; b++) {
		const struct router_band_entry *e = ex->bands[b];

		if (e == NULL)
			continue;
		key = band_key(sig, b);
		lo = 0;
		hi = ex->nband[b];
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (e[mid].key < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < ex->nband[b] && e[lo].key == key; lo++) {
			id = e[lo].id;
			for (j = 0; j < nout && out[j].id != id; j++)
				;
			if (j < nout)
				continue; /* found through an earlier band */
			agree = 0;
			for (k = 0; k < ROUTER_SIG; k++)
				agree += ex->sig[(size_t)id * ROUTER_SIG + k] ==
				         sig[k];
			if (agree < ROUTER_EXEMPLAR_MIN_AGREE)
				continue;
			if (nout == max)
				return nout;
			out[nout].id = id;
			out[nout].overlap = (double)agree / ROUTER_SIG;
			nout++;
		}
	}
	return nout;
}

double
router_exemplars_correction(const struct router_exemplars *ex,
    const struct router_exemplar_match *m, uint32_t nm, uint32_t col)
{
	double sum = 0, rho = 0, k = nm;
	uint32_t j;

	if (nm == 0 || col >= ex->ncols)
		return 0;
	for (j = 0; j < nm; j++) {
		sum += ex->err[(size_t)m[j].id * ex->ncols + col] / 127.0;
		rho += ex->rho[ex->tag[m[j].id]];
	}
	rho /= k;
	if (rho <= 0)
		return 0;
	/* The mean of k errors that correlate rho with this prompt's and
	 * with each other: its best linear weight (Spearman-Brown). */
	return k * rho / (1.0 + (k - 1.0) * rho) * (sum / k);
}

void
router_exemplars_measure(struct router_exemplars *ex)
{
	struct router_exemplar_match m[ROUTER_EXEMPLAR_MAX_MATCH];
	double sxy[ROUTER_MAX_TAGS] = { 0 }, sxx[ROUTER_MAX_TAGS] = { 0 };
	double var = 0, a, b;
	uint32_t i, j, c, nm, t;

	for (i = 0; i < ex->n; i++)
		for (c = 0; c < ex->ncols; c++) {
			a = ex->err[(size_t)i * ex->ncols + c] / 127.0;
			var += a * a;
		}
	var /= (double)ex->n * ex->ncols + 1e-12;
	for (i = 0; i < ex->n; i++) {
		nm =
		    router_exemplars_match(ex, ex->sig + (size_t)i * ROUTER_SIG,
		        m, ROUTER_EXEMPLAR_MAX_MATCH);
		t = ex->tag[i];
		for (j = 0; j < nm; j++) {
			if (m[j].id == i)
				continue;
			/* Each ordered pair once from each side: symmetric. */
			for (c = 0; c < ex->ncols; c++) {
				a = ex->err[(size_t)i * ex->ncols + c] / 127.0;
				b = ex->err[(size_t)m[j].id * ex->ncols + c] /
				    127.0;
				sxy[t] += a * b;
				sxx[t] += (a * a + b * b) / 2;
			}
		}
	}
	for (t = 0; t < ex->ntags; t++) {
		double r =
		    sxy[t] /
		    (sxx[t] + ROUTER_EXEMPLAR_PRIOR_PAIRS * ex->ncols * var +
		        1e-12);

		ex->rho[t] = (float)(r > 0 ? (r < 1 ? r : 1) : 0);
	}
}

int
router_exemplars_column(const struct router_exemplars *ex, const char *id)
{
	uint32_t c;

	if (ex == NULL)
		return -1;
	for (c = 0; c < ex->ncols; c++)
		if (strcmp(ex->cols[c], id) == 0)
			return (int)c;
	return -1;
}

void
router_forget_exemplars(struct router *r)
{
	router_exemplars_free(r->exemplars);
	r->exemplars = NULL;
}
