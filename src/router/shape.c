/*
 * shape.c - the prompt's shape and the small boosted trees that read it
 * (see router_int.h, "shape trees").
 *
 * What it owns: ROUTER_NSHAPE numbers that describe how a prompt's
 * question block is built rather than what it is about (how long, how
 * many lines and answer options, how many and how large the numbers,
 * operators, a NOT or EXCEPT, "Statement 1", "all of the above", words
 * of arithmetic such as "half" or "remaining"), and, per model, a fixed
 * sequence of depth-3 regression trees fitted at training time on them,
 * on the tag classifier's confidence and on the model's own predicted
 * quality.  The trees' sum is added to the model's predicted quality.
 *
 * Why: the tag statistics and the hashed n-grams are linear in what the
 * prompt says; whether a model gets a question right also depends on
 * interactions of its shape (a long question with numeric options, in a
 * subject where the model is already weak) that a linear residual cannot
 * express.  The trees are fitted to the residuals the predictors leave
 * on prompts they were *not* fitted on (out of fold, fit.c), so they
 * learn what the predictors get wrong on new prompts, not how they
 * overfit their own.  Measured on the validation folds of train (README).
 *
 * Fitting is by squared loss, shrinkage ROUTER_TREE_LR, each split chosen
 * on at most ROUTER_TREE_BINS quantile bins of every input, with at least
 * ROUTER_TREE_MIN_LEAF examples on each side.  Deterministic: the same
 * examples give the same trees.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "router/router_int.h"
#include "util/xmalloc.h"

#define NODES   ROUTER_TREE_NODES
#define LEAVES  ROUTER_TREE_LEAVES
#define NOSPLIT ROUTER_TREE_NOSPLIT

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The words that count, and which shape number each adds to; fold: any
 * case (else as written: NOT, EXCEPT, roman numerals).  Sorted by
 * length: the words of length n start at words_at[n]. */
static const struct shape_word {
	const char *w;
	uint8_t len, slot, fold;
} shape_words[] = {
	{ "II", 2, 15, 0 },
	{ "IV", 2, 15, 0 },
	{ "NOT", 3, 13, 0 },
	{ "III", 3, 15, 0 },
	{ "per", 3, 18, 1 },
	{ "half", 4, 17, 1 },
	{ "each", 4, 18, 1 },
	{ "rest", 4, 19, 1 },
	{ "left", 4, 19, 1 },
	{ "LEAST", 5, 13, 0 },
	{ "FALSE", 5, 13, 0 },
	{ "twice", 5, 17, 1 },
	{ "times", 5, 17, 1 },
	{ "ratio", 5, 17, 1 },
	{ "every", 5, 18, 1 },
	{ "EXCEPT", 6, 13, 0 },
	{ "percent", 7, 17, 1 },
	{ "average", 7, 17, 1 },
	{ "fraction", 8, 17, 1 },
	{ "incorrect", 9, 13, 0 },
	{ "remaining", 9, 19, 1 },
};
static const uint8_t words_at[11] = { 0, 0, 0, 2, 5, 9, 15, 16, 18, 19, 21 };

/* Whether the n bytes at s are lower (n bytes of lower-case ASCII) in
 * any case: strncasecmp without the call, for ASCII. */
static bool
ascii_caseeq(const char *s, const char *lower, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)lower[i])
			return false;
	}
	return true;
}

/* Count word w (n ASCII letters) into v. */
static void
count_word(const char *w, size_t n, double *v)
{
	size_t k, i;

	if (n < 2 || n > 9)
		return;
	for (k = words_at[n]; k < words_at[n + 1]; k++) {
		const struct shape_word *sw = &shape_words[k];

		/* Letters only: | 0x20 is ASCII's lower case. */
		for (i = 0; i < n; i++)
			if ((sw->fold ? w[i] | 0x20 : w[i]) != sw->w[i])
				break;
		if (i == n) {
			v[sw->slot]++;
			return;
		}
	}
}

/* Whether line s (n bytes) starts as an answer option: "A. ", "A) ",
 * "(A) ", for a capital letter A-H; *skip is the label's length. */
static int
option_line(const char *s, size_t n, size_t *skip)
{
	if (n >= 3 && s[0] >= 'A' && s[0] <= 'H' &&
	    (s[1] == '.' || s[1] == ')') && s[2] == ' ') {
		*skip = 3;
		return 1;
	}
	if (n >= 4 && s[0] == '(' && s[1] >= 'A' && s[1] <= 'H' &&
	    s[2] == ')' && s[3] == ' ') {
		*skip = 4;
		return 1;
	}
	return 0;
}

static double
squash(double v)
{
	return log1p(v > 0 ? v : 0);
}

void
router_shape_features(const char *p, size_t len, size_t tail, float *out)
{
	uint32_t seen[64];
	double v[ROUTER_NSHAPE] = { 0 };
	size_t i, j, n, skip, optlen;
	size_t nseen = 0, maxopt = 0, lines = 0, options = 0, numopts = 0;
	size_t optchars = 0, numbers = 0, decimals = 0, sentences = 0;
	double maxnum = 0;
	int allof = 0, stmt = 0;

	/* Line by line through the question block. */
	for (i = tail; i < len; i = j + 1) {
		int isopt;
		size_t digits = 0, letters = 0;

		const char *nl = memchr(p + i, '\n', len - i);

		j = nl != NULL ? (size_t)(nl - p) : len;
		n = j - i;
		lines++;
		isopt = option_line(p + i, n, &skip);
		if (isopt) {
			options++;
			optlen = n - skip;
			optchars += optlen;
			if (optlen > maxopt)
				maxopt = optlen;
			for (size_t k = i + skip; k < j; k++) {
				digits += p[k] >= '0' && p[k] <= '9';
				letters += is_alpha((unsigned char)p[k]);
			}
			numopts += digits > 0 && letters <= digits;
		} else
			for (size_t k = i; k < j; k++)
				if ((p[k] == '.' || p[k] == '?' ||
				        p[k] == '!') &&
				    (k + 1 == j || p[k + 1] == ' '))
					sentences++;
	}
	/* Numbers, symbols and words. */
	for (i = tail; i < len;) {
		unsigned char c = (unsigned char)p[i];

		if (c >= '0' && c <= '9') {
			double x = 0;
			uint32_t h = 2166136261u;
			int dec = 0;

			for (j = i;
			     j < len &&
			     ((p[j] >= '0' && p[j] <= '9') ||
			         (p[j] == '.' && j + 1 < len &&
			             p[j + 1] >= '0' && p[j + 1] <= '9'));
			     j++) {
				if (p[j] == '.')
					dec = 1;
				else if (!dec)
					x = x * 10 + (p[j] - '0');
				h = (h ^ (unsigned char)p[j]) * 16777619u;
			}
			numbers++;
			decimals += dec;
			if (x > maxnum)
				maxnum = x;
			for (n = 0; n < nseen && seen[n] != h; n++)
				;
			if (n == nseen && nseen < 64)
				seen[nseen++] = h;
			i = j;
			continue;
		}
		if (is_alpha(c)) {
			for (j = i; j < len && is_alpha((unsigned char)p[j]);
			     j++)
				;
			n = j - i;
			count_word(p + i, n, v);
			if (n == 1 && p[i] == 'I' && j < len && p[j] == '.')
				v[15]++;
			if (n == 9 && strncmp(p + i, "Statement", 9) == 0)
				stmt = 1;
			if (j < len && p[j] != ' ')
				; /* "all of the above" needs the space */
			else if ((n == 3 && ascii_caseeq(p + i, "all", 3)) ||
			         (n == 4 &&
			             (ascii_caseeq(p + i, "none", 4) ||
			                 ascii_caseeq(p + i, "both", 4))))
				if (len - j > 12 &&
				    (ascii_caseeq(p + j, " of the above", 13) ||
				        (len - j > 16 &&
				            ascii_caseeq(p + j,
				                " of the following", 17))))
					allof = 1;
			i = j;
			continue;
		}
		v[10] += c == '%';
		v[11] += c == '$';
		v[12] +=
		    c == '=' || c == '+' || c == '*' || c == '/' || c == '^';
		i++;
	}
	v[0] = squash((double)len);
	v[1] = squash((double)(len - tail));
	v[2] = squash((double)lines);
	v[3] = (double)options;
	v[4] = squash((double)optchars);
	v[5] = squash((double)maxopt);
	v[6] = (double)numopts;
	v[7] = squash((double)numbers);
	v[8] = squash((double)nseen);
	v[9] = log10(1 + maxnum);
	v[10] = squash(v[10]);
	v[11] = squash(v[11]);
	v[12] = squash(v[12]);
	v[13] = v[13] > 0;
	v[14] = stmt;
	v[15] = v[15] > 0;
	v[16] = allof;
	v[17] = squash(v[17]);
	v[18] = squash(v[18]);
	v[19] = squash(v[19]);
	v[20] = squash((double)sentences);
	v[21] = squash((double)decimals);
	/* Kept within [0, 16]: the range a packed feature may take. */
	for (i = 0; i < ROUTER_NSHAPE; i++)
		out[i] = (float)(v[i] < 0 ? 0 : v[i] > 16 ? 16 : v[i]);
}

/* ---- trees ---- */

struct router_trees *
router_trees_new(uint32_t n)
{
	struct router_trees *t = xcalloc(1, sizeof *t);

	t->n = n;
	t->feat = xcalloc((size_t)n * NODES + 1, sizeof *t->feat);
	t->thr = xcalloc((size_t)n * NODES + 1, sizeof *t->thr);
	t->leaf = xcalloc((size_t)n * LEAVES + 1, sizeof *t->leaf);
	return t;
}

void
router_trees_free(struct router_trees *t)
{
	if (t == NULL)
		return;
	free(t->feat);
	free(t->thr);
	free(t->leaf);
	free(t);
}

struct router_trees *
router_trees_copy(const struct router_trees *t)
{
	struct router_trees *c;

	if (t == NULL)
		return NULL;
	c = router_trees_new(t->n);
	memcpy(c->feat, t->feat, (size_t)t->n * NODES);
	memcpy(c->thr, t->thr, (size_t)t->n * NODES * sizeof *t->thr);
	memcpy(c->leaf, t->leaf, (size_t)t->n * LEAVES * sizeof *t->leaf);
	return c;
}

/* Tree k's value at x. */
static double
tree_value(const struct router_trees *t, uint32_t k, const float *x)
{
	const uint8_t *feat = t->feat + (size_t)k * NODES;
	const float *thr = t->thr + (size_t)k * NODES;
	uint32_t node = 0, d;

	for (d = 0; d < 3; d++) {
		int right = feat[node] != NOSPLIT &&
		            feat[node] < ROUTER_TREE_INPUTS &&
		            x[feat[node]] > thr[node];

		node = 2 * node + 1 + (uint32_t)right;
	}
	return t->leaf[(size_t)k * LEAVES + (node - NODES)];
}

double
router_trees_eval(const struct router_trees *t, const float *x)
{
	double s = 0;
	uint32_t k;

	if (t == NULL)
		return 0;
	for (k = 0; k < t->n; k++)
		s += tree_value(t, k, x);
	return s;
}

void
router_trees_inputs(const struct router_features *f, double q, float *x)
{
	float m = 0;
	uint32_t t;

	memcpy(x, f->shape, ROUTER_NSHAPE * sizeof *x);
	for (t = 0; t < f->ntags; t++)
		if (f->tag[t] > m)
			m = f->tag[t];
	x[ROUTER_NSHAPE] = m;
	x[ROUTER_NSHAPE + 1] = (float)q;
}

/* Per input: the sorted distinct cut values (at most BINS - 1) and each
 * example's bin. */
struct binned {
	float cut[ROUTER_TREE_INPUTS][ROUTER_TREE_BINS];
	uint32_t ncut[ROUTER_TREE_INPUTS];
	uint8_t *bin; /* n x INPUTS */
	size_t n;
};

static int
cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

static void
bin_inputs(const float *X, size_t n, struct binned *b)
{
	float *col = xmalloc((n + 1) * sizeof *col);
	size_t i, k;
	uint32_t c, nc;

	b->bin = xcalloc(n * ROUTER_TREE_INPUTS + 1, 1);
	b->n = n;
	for (k = 0; k < ROUTER_TREE_INPUTS; k++) {
		for (i = 0; i < n; i++)
			col[i] = X[i * ROUTER_TREE_INPUTS + k];
		qsort(col, n, sizeof *col, cmp_float);
		/* Cuts at the quantiles, each between two distinct values:
		 * bin c holds the values <= cut[c]. */
		nc = 0;
		for (c = 1; c < ROUTER_TREE_BINS && n > 0; c++) {
			size_t at = c * n / ROUTER_TREE_BINS;
			float v = col[at > 0 ? at - 1 : 0];

			if (v >= col[n - 1])
				break;
			if (nc == 0 || v > b->cut[k][nc - 1])
				b->cut[k][nc++] = v;
		}
		b->ncut[k] = nc;
		for (i = 0; i < n; i++) {
			float v = X[i * ROUTER_TREE_INPUTS + k];

			uint32_t lo = 0, hi = nc;

			/* The first cut >= v (nc: above them all). */
			while (lo < hi) {
				c = (lo + hi) / 2;
				if (b->cut[k][c] < v)
					lo = c + 1;
				else
					hi = c;
			}
			c = lo;
			b->bin[i * ROUTER_TREE_INPUTS + k] = (uint8_t)c;
		}
	}
	free(col);
}

/*
 * Split the examples idx[0..n) at node: the input and cut that most
 * reduce the squared error of g, with at least min_leaf on each side.
 * Returns the count that goes left (idx reordered: left ones first), or
 * 0 with *feat = NOSPLIT when no split is allowed.
 */
static size_t
split_node(const struct binned *b, const double *g, uint32_t *idx, size_t n,
    size_t min_leaf, uint8_t *feat, float *thr)
{
	double sum[ROUTER_TREE_INPUTS][ROUTER_TREE_BINS];
	uint32_t cnt[ROUTER_TREE_INPUTS][ROUTER_TREE_BINS];
	double total = 0, best = 1e-12, gain;
	size_t i, nl, bestk = 0, bestc = 0, l, r;
	uint32_t k, c;

	*feat = NOSPLIT;
	*thr = 0;
	if (n < 2 * min_leaf)
		return 0;
	/* One pass over the examples fills every input's histogram. */
	memset(sum, 0, sizeof sum);
	memset(cnt, 0, sizeof cnt);
	for (i = 0; i < n; i++) {
		const uint8_t *row =
		    b->bin + (size_t)idx[i] * ROUTER_TREE_INPUTS;
		double gi = g[idx[i]];

		total += gi;
		for (k = 0; k < ROUTER_TREE_INPUTS; k++) {
			sum[k][row[k]] += gi;
			cnt[k][row[k]]++;
		}
	}
	for (k = 0; k < ROUTER_TREE_INPUTS; k++) {
		double sl = 0;

		nl = 0;
		for (c = 0; c < b->ncut[k]; c++) {
			sl += sum[k][c];
			nl += cnt[k][c];
			if (nl < min_leaf || n - nl < min_leaf)
				continue;
			gain = sl * sl / (double)nl +
			       (total - sl) * (total - sl) / (double)(n - nl) -
			       total * total / (double)n;
			if (gain > best) {
				best = gain;
				bestk = k;
				bestc = c;
				*feat = (uint8_t)k;
			}
		}
	}
	if (*feat == NOSPLIT)
		return 0;
	*thr = b->cut[bestk][bestc];
	/* Partition: bin <= bestc to the left. */
	l = 0;
	r = n;
	while (l < r) {
		if (b->bin[(size_t)idx[l] * ROUTER_TREE_INPUTS + bestk] <=
		    bestc)
			l++;
		else {
			uint32_t t = idx[l];

			idx[l] = idx[--r];
			idx[r] = t;
		}
	}
	return l;
}

/* One tree grown on idx[0..m) to the gradient g (updated). */
static void
grow_tree(const struct binned *b, double *g, uint32_t *idx, size_t m, double lr,
    size_t min_leaf, uint8_t *feat, float *thr, float *leaf)
{
	/* Per node: its examples idx[lo[node]..hi). */
	size_t lo[NODES + LEAVES], hi[NODES + LEAVES], i, nl;
	uint32_t node;

	lo[0] = 0;
	hi[0] = m;
	for (node = 0; node < NODES; node++) {
		nl = split_node(b, g, idx + lo[node], hi[node] - lo[node],
		    min_leaf, &feat[node], &thr[node]);
		/* No split: everything goes left (x > thr is never asked of
		 * NOSPLIT). */
		if (feat[node] == NOSPLIT)
			nl = hi[node] - lo[node];
		lo[2 * node + 1] = lo[node];
		hi[2 * node + 1] = lo[node] + nl;
		lo[2 * node + 2] = lo[node] + nl;
		hi[2 * node + 2] = hi[node];
	}
	for (node = NODES; node < NODES + LEAVES; node++) {
		double s = 0;
		size_t c = hi[node] - lo[node];

		for (i = lo[node]; i < hi[node]; i++)
			s += g[idx[i]];
		leaf[node - NODES] = c > 0 ? (float)(lr * s / (double)c) : 0.0f;
		for (i = lo[node]; i < hi[node]; i++)
			g[idx[i]] -= leaf[node - NODES];
	}
}

/*
 * Fit the trees to y from X (n x ROUTER_TREE_INPUTS).  How many rounds
 * generalise is found first by ROUTER_TREE_FOLDS-fold cross-validation of
 * the trees themselves: the folds grow in step, and the held-out squared
 * error after each round is summed over them; growing stops once
 * ROUTER_TREE_PATIENCE rounds have not bettered the best, and the count
 * with the least error is fitted on all of X.  NULL when that count is 0
 * (no tree would help).  The bins (quantiles of X, which never see y) are
 * shared by the folds.
 */
struct router_trees *
router_trees_fit(const float *X, const double *y, size_t n, uint32_t max_rounds,
    double lr, size_t min_leaf)
{
	const size_t K = ROUTER_TREE_FOLDS;
	double *g = xmalloc((K * n + 1) * sizeof *g);
	double *s = xcalloc(n + 1, sizeof *s), best = 0;
	double *err = xcalloc((size_t)max_rounds + 1, sizeof *err);
	uint32_t *idx = xmalloc((n + 1) * sizeof *idx), r, pick = 0;
	uint8_t feat[NODES];
	float thr[NODES], leaf[LEAVES];
	struct router_trees *t = NULL, one;
	struct binned b;
	size_t k, e, m;

	one.n = 1;
	one.feat = feat;
	one.thr = thr;
	one.leaf = leaf;
	bin_inputs(X, n, &b);
	for (k = 0; k < K; k++)
		for (e = 0; e < n; e++)
			g[k * n + e] = y[e];
	for (e = 0; e < n; e++) {
		err[0] += y[e] * y[e];
	}
	best = err[0];
	for (r = 0; r < max_rounds && r < pick + ROUTER_TREE_PATIENCE; r++) {
		for (k = 0; k < K; k++) {
			m = 0;
			for (e = 0; e < n; e++)
				if (e % K != k)
					idx[m++] = (uint32_t)e;
			grow_tree(&b, g + k * n, idx, m, lr, min_leaf, feat,
			    thr, leaf);
			for (e = k; e < n; e += K) {
				s[e] += tree_value(
				    &one, 0, X + e * ROUTER_TREE_INPUTS);
				err[r + 1] += (y[e] - s[e]) * (y[e] - s[e]);
			}
		}
		if (err[r + 1] < best) {
			best = err[r + 1];
			pick = r + 1;
		}
	}
	if (pick > 0) {
		t = router_trees_new(pick);
		for (e = 0; e < n; e++) {
			idx[e] = (uint32_t)e;
			g[e] = y[e];
		}
		for (r = 0; r < pick; r++)
			grow_tree(&b, g, idx, n, lr, min_leaf,
			    t->feat + (size_t)r * NODES,
			    t->thr + (size_t)r * NODES,
			    t->leaf + (size_t)r * LEAVES);
	}
	free(b.bin);
	free(g);
	free(s);
	free(err);
	free(idx);
	return t;
}
