/*
 * state.c - the router's learned state as bytes: the whole state (tag set,
 * tag classifier, every profile) and one model's profile, each a versioned
 * blob with a CRC-32 (the layout is drawn in router.h).  Loading checks
 * every length and value before anything in the router changes.
 *
 * Payload of a state blob (kind 1):
 *
 *	u32 dim | u32 ntags | ntags x (u16 len, bytes) | u8 has_classifier
 *	[dim x ntags f32 weights (feature-major), ntags f32 biases] | u32 nmodels | profiles
 *	| u32 nexemplars [u32 ncols | ncols x (u16 len, id) | u32 ntags |
 *	ntags x f32 rho | nexemplars x u8 tag | nexemplars x ROUTER_SIG u8 |
 *	nexemplars x ncols i8]
 *
 * (Version 1 had no exemplar section; it is still read.)
 *
 * Payload of a model blob (kind 2):
 *
 *	u32 tag fingerprint | profile
 *
 * A profile: u16 idlen, id | f64 price_in, price_out, q0, len0, n |
 * u32 ntags | ntags x f64 qsum, qw, lsum, lw | dim x f32 residual |
 * u32 d | d x d f64 A^-1 | u32 ntrees | ntrees x (7 x u8 input,
 * 7 x f32 threshold, 8 x f32 leaf) (ROUTER_TREE_NODES, _LEAVES) |
 * (ROUTER_NSHAPE + 1) x f32 shape line (slopes, offset).
 *
 * (Versions 1 and 2 had no shape trees, 1 to 3 no shape line: it is 0.
 * A model blob's trees and line are checked but not taken: the model
 * keeps those of its prior.)
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "router/router_int.h"
#include "util/crc32.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define STATE_MAGIC   "MXRT"
#define STATE_VERSION 4 /* 2: exemplars; 3: shape trees; 4: shape line */
#define KIND_STATE    1
#define KIND_MODEL    2
#define HEADER_LEN    12

uint32_t
router_crc32(const void *data, size_t len)
{
	return crc32_ieee(data, len);
}

/* Writers: any failure is remembered in *err and later writes are no-ops. */

static void
put_bytes(struct buf *b, const void *p, size_t n, int *err)
{
	if (*err == 0 && buf_add(b, p, n) != MC_OK)
		*err = MC_ERR_LIMIT;
}

static void
put_u16(struct buf *b, uint32_t v, int *err)
{
	unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	put_bytes(b, c, 2, err);
}

static void
put_u32(struct buf *b, uint32_t v, int *err)
{
	unsigned char c[4];
	int i;

	for (i = 0; i < 4; i++)
		c[i] = (unsigned char)(v >> (8 * i));
	put_bytes(b, c, 4, err);
}

static void
put_f32(struct buf *b, float f, int *err)
{
	uint32_t v;

	memcpy(&v, &f, 4);
	put_u32(b, v, err);
}

static void
put_f64(struct buf *b, double f, int *err)
{
	uint64_t v;

	memcpy(&v, &f, 8);
	put_u32(b, (uint32_t)v, err);
	put_u32(b, (uint32_t)(v >> 32), err);
}

static void
put_str(struct buf *b, const char *s, int *err)
{
	size_t n = strlen(s);

	put_u16(b, (uint32_t)n, err);
	put_bytes(b, s, n, err);
}

void
router_put_profile(struct buf *b, const struct router_profile *p, int *err)
{
	uint32_t t, k;

	put_str(b, p->id, err);
	put_f64(b, p->price_in, err);
	put_f64(b, p->price_out, err);
	put_f64(b, p->q0, err);
	put_f64(b, p->len0, err);
	put_f64(b, p->n, err);
	put_u32(b, p->ntags, err);
	for (t = 0; t < p->ntags; t++) {
		put_f64(b, p->qsum[t], err);
		put_f64(b, p->qw[t], err);
		put_f64(b, p->lsum[t], err);
		put_f64(b, p->lw[t], err);
	}
	for (k = 0; k < ROUTER_DIM; k++)
		put_f32(b, p->w[k], err);
	put_u32(b, p->d, err);
	for (k = 0; k < p->d * p->d; k++)
		put_f64(b, p->ainv[k], err);
	/* More trees than a reader takes would make a state never read. */
	if (p->trees != NULL && p->trees->n > ROUTER_TREE_MAX && *err == 0)
		*err = MC_ERR_LIMIT;
	put_u32(b, p->trees != NULL ? p->trees->n : 0, err);
	for (k = 0; p->trees != NULL && k < p->trees->n; k++) {
		const size_t nd = ROUTER_TREE_NODES, lv = ROUTER_TREE_LEAVES;
		uint32_t j;

		put_bytes(b, p->trees->feat + k * nd, nd, err);
		for (j = 0; j < nd; j++)
			put_f32(b, p->trees->thr[k * nd + j], err);
		for (j = 0; j < lv; j++)
			put_f32(b, p->trees->leaf[k * lv + j], err);
	}
	for (k = 0; k <= ROUTER_NSHAPE; k++)
		put_f32(b, p->sw[k], err);
}

static void
put_exemplars(struct buf *b, const struct router_exemplars *ex, int *err)
{
	size_t i, n;

	put_u32(b, ex != NULL ? ex->n : 0, err);
	if (ex == NULL || ex->n == 0)
		return;
	put_u32(b, ex->ncols, err);
	for (i = 0; i < ex->ncols; i++)
		put_str(b, ex->cols[i], err);
	put_u32(b, ex->ntags, err);
	for (i = 0; i < ex->ntags; i++)
		put_f32(b, ex->rho[i], err);
	put_bytes(b, ex->tag, ex->n, err);
	n = (size_t)ex->n * ROUTER_SIG;
	put_bytes(b, ex->sig, n, err);
	put_bytes(b, ex->err, (size_t)ex->n * ex->ncols, err);
}

/* Wrap payload in the header and CRC; appends to out. */
static int
put_blob(struct buf *out, uint32_t kind, const struct buf *payload)
{
	size_t start = out->len;
	uint32_t crc;
	int err = 0;

	put_bytes(out, STATE_MAGIC, 4, &err);
	put_u16(out, STATE_VERSION, &err);
	put_u16(out, kind, &err);
	put_u32(out, (uint32_t)payload->len, &err);
	put_bytes(out, payload->data, payload->len, &err);
	if (err != 0)
		return err;
	crc = router_crc32(out->data + start, out->len - start);
	put_u32(out, crc, &err);
	return err;
}

uint32_t
router_tag_fingerprint(const struct router *r)
{
	uint32_t h = router_crc32("dim", 3), t;
	uint32_t dim = ROUTER_DIM;

	h ^= router_crc32(&dim, sizeof dim);
	for (t = 0; t < r->ntags; t++)
		h = h * 31u + router_crc32(r->tags[t], strlen(r->tags[t]));
	return h;
}

int
router_state_save(const struct router *r, struct buf *out)
{
	struct buf pl;
	uint32_t t, k;
	size_t i;
	int err = 0;

	buf_init(&pl, 64u << 20);
	put_u32(&pl, ROUTER_DIM, &err);
	put_u32(&pl, r->ntags, &err);
	for (t = 0; t < r->ntags; t++)
		put_str(&pl, r->tags[t], &err);
	put_bytes(&pl, r->tagw != NULL ? "\1" : "\0", 1, &err);
	if (r->tagw != NULL) {
		for (k = 0; k < r->ntags * ROUTER_DIM; k++)
			put_f32(&pl, r->tagw[k], &err);
		for (t = 0; t < r->ntags; t++)
			put_f32(&pl, r->tagb[t], &err);
	}
	put_u32(&pl, (uint32_t)r->nmodels, &err);
	for (i = 0; i < r->nmodels; i++)
		router_put_profile(&pl, r->models[i], &err);
	put_exemplars(&pl, r->exemplars, &err);
	if (err == 0)
		err = put_blob(out, KIND_STATE, &pl);
	buf_release(&pl);
	return err;
}

int
router_model_save(const struct router *r, const char *id, struct buf *out)
{
	struct buf pl;
	size_t i;
	int err = 0;

	for (i = 0; i < r->nmodels; i++)
		if (strcmp(r->models[i]->id, id) == 0)
			break;
	if (i == r->nmodels)
		return MC_ERR_NOTFOUND;
	buf_init(&pl, 16u << 20);
	put_u32(&pl, router_tag_fingerprint(r), &err);
	router_put_profile(&pl, r->models[i], &err);
	if (err == 0)
		err = put_blob(out, KIND_MODEL, &pl);
	buf_release(&pl);
	return err;
}

/* Readers: bounds-checked; a short read sets r->bad. */

struct reader {
	const unsigned char *p;
	size_t len, off;
	int bad;
	uint32_t version; /* of the blob */
};

static const unsigned char *
get_bytes(struct reader *rd, size_t n)
{
	const unsigned char *p;

	if (rd->bad || n > rd->len - rd->off) {
		rd->bad = 1;
		return NULL;
	}
	p = rd->p + rd->off;
	rd->off += n;
	return p;
}

static uint32_t
get_u16(struct reader *rd)
{
	const unsigned char *c = get_bytes(rd, 2);

	return c == NULL ? 0 : (uint32_t)c[0] | (uint32_t)c[1] << 8;
}

static uint32_t
get_u32(struct reader *rd)
{
	const unsigned char *c = get_bytes(rd, 4);

	return c == NULL ? 0
	                 : (uint32_t)c[0] | (uint32_t)c[1] << 8 |
	                       (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
}

static float
get_f32(struct reader *rd)
{
	uint32_t v = get_u32(rd);
	float f;

	memcpy(&f, &v, 4);
	if (!isfinite(f)) {
		rd->bad = 1;
		return 0;
	}
	return f;
}

static double
get_f64(struct reader *rd)
{
	uint64_t v = get_u32(rd);
	double f;

	v |= (uint64_t)get_u32(rd) << 32;
	memcpy(&f, &v, 8);
	if (!isfinite(f)) {
		rd->bad = 1;
		return 0;
	}
	return f;
}

static char *
get_str(struct reader *rd, size_t max)
{
	uint32_t n = get_u16(rd);
	const unsigned char *s;

	if (n == 0 || n > max) {
		rd->bad = 1;
		return NULL;
	}
	if ((s = get_bytes(rd, n)) == NULL)
		return NULL;
	if (memchr(s, '\0', n) != NULL) {
		rd->bad = 1;
		return NULL;
	}
	return xstrndup((const char *)s, n);
}

/* A profile's shape trees (version 3 on), NULL for none or rd->bad. */
static struct router_trees *
get_trees(struct reader *rd)
{
	const size_t nd = ROUTER_TREE_NODES, lv = ROUTER_TREE_LEAVES;
	const size_t bytes = nd + 4 * nd + 4 * lv; /* one tree */
	struct router_trees *t;
	const unsigned char *feat;
	uint32_t n = get_u32(rd), k, j;

	if (rd->bad || n == 0)
		return NULL;
	/* Refuse a count the blob cannot hold before allocating for it. */
	if (n > ROUTER_TREE_MAX || (size_t)n * bytes > rd->len - rd->off) {
		rd->bad = 1;
		return NULL;
	}
	t = router_trees_new(n);
	for (k = 0; k < n && !rd->bad; k++) {
		if ((feat = get_bytes(rd, nd)) == NULL)
			break;
		for (j = 0; j < nd; j++) {
			if (feat[j] >= ROUTER_TREE_INPUTS &&
			    feat[j] != ROUTER_TREE_NOSPLIT)
				rd->bad = 1;
			t->feat[k * nd + j] = feat[j];
			t->thr[k * nd + j] = get_f32(rd);
		}
		for (j = 0; j < lv; j++) {
			float v = get_f32(rd);

			/* A leaf moves a quality in [0, 1] by less than 1. */
			if (!(v > -1 && v < 1))
				rd->bad = 1;
			t->leaf[k * lv + j] = v;
		}
	}
	if (rd->bad) {
		router_trees_free(t);
		return NULL;
	}
	return t;
}

static struct router_profile *
get_profile(struct reader *rd, uint32_t ntags)
{
	struct router_profile *p;
	char *id;
	uint32_t t, k;
	double pin, pout, q0, len0, n;

	if ((id = get_str(rd, ROUTER_MAX_ID)) == NULL)
		return NULL;
	pin = get_f64(rd);
	pout = get_f64(rd);
	q0 = get_f64(rd);
	len0 = get_f64(rd);
	n = get_f64(rd);
	if (get_u32(rd) != ntags || rd->bad) {
		rd->bad = 1;
		free(id);
		return NULL;
	}
	p = router_profile_new(id, ntags);
	free(id);
	p->price_in = pin;
	p->price_out = pout;
	p->q0 = q0;
	p->len0 = len0;
	p->n = n;
	for (t = 0; t < ntags; t++) {
		p->qsum[t] = get_f64(rd);
		p->qw[t] = get_f64(rd);
		p->lsum[t] = get_f64(rd);
		p->lw[t] = get_f64(rd);
		if (p->qw[t] < 0 || p->lw[t] < 0)
			rd->bad = 1;
	}
	for (k = 0; k < ROUTER_DIM && !rd->bad; k++)
		p->w[k] = get_f32(rd);
	if (get_u32(rd) != p->d)
		rd->bad = 1;
	for (k = 0; k < p->d * p->d && !rd->bad; k++)
		p->ainv[k] = get_f64(rd);
	if (rd->version >= 3 && !rd->bad)
		p->trees = get_trees(rd);
	for (k = 0; rd->version >= 4 && k <= ROUTER_NSHAPE && !rd->bad; k++) {
		p->sw[k] = get_f32(rd);
		if (!isfinite(p->sw[k]))
			rd->bad = 1;
	}
	if (pin < 0 || pout < 0 || n < 0 || len0 < 0)
		rd->bad = 1;
	if (rd->bad) {
		router_profile_free(p);
		return NULL;
	}
	return p;
}

/* The exemplar section, or NULL (none, or rd->bad set). */
static struct router_exemplars *
get_exemplars(struct reader *rd)
{
	struct router_exemplars *ex;
	char *cols[ROUTER_MAX_MODELS];
	uint32_t n, ncols, c, i, ntags;
	float rho[ROUTER_MAX_TAGS];
	const unsigned char *e, *tag = NULL;

	n = get_u32(rd);
	if (rd->bad || n == 0)
		return NULL;
	ncols = get_u32(rd);
	if (ncols == 0 || ncols > ROUTER_MAX_MODELS) {
		rd->bad = 1;
		return NULL;
	}
	for (c = 0; c < ncols; c++)
		if ((cols[c] = get_str(rd, ROUTER_MAX_ID)) == NULL)
			break;
	ntags = get_u32(rd);
	if (ntags == 0 || ntags > ROUTER_MAX_TAGS)
		rd->bad = 1;
	for (i = 0; i < ntags && !rd->bad; i++) {
		rho[i] = get_f32(rd);
		if (!(rho[i] >= 0 && rho[i] <= 1))
			rd->bad = 1;
	}
	/* Every byte must be there before anything that size is made. */
	if (!rd->bad && (uint64_t)n * (1 + ROUTER_SIG + ncols) ==
	                    (uint64_t)(rd->len - rd->off)) {
		tag = get_bytes(rd, n);
		for (i = 0; i < n; i++)
			if (tag[i] >= ntags)
				rd->bad = 1;
	} else
		rd->bad = 1;
	if (c < ncols || rd->bad) {
		rd->bad = 1;
		while (c > 0)
			free(cols[--c]);
		return NULL;
	}
	ex = router_exemplars_new(n, ncols, (const char *const *)cols);
	for (c = 0; c < ncols; c++)
		free(cols[c]);
	ex->ntags = ntags;
	memcpy(ex->rho, rho, ntags * sizeof *rho);
	memcpy(ex->tag, tag, n);
	if ((e = get_bytes(rd, (size_t)n * ROUTER_SIG)) != NULL)
		memcpy(ex->sig, e, (size_t)n * ROUTER_SIG);
	if ((e = get_bytes(rd, (size_t)n * ncols)) != NULL)
		memcpy(ex->err, e, (size_t)n * ncols);
	router_exemplars_index(ex);
	return ex;
}

/* Check the header and CRC; sets *payload to the reader over it. */
static int
open_blob(const void *data, size_t len, uint32_t kind, struct reader *rd,
    char **cause)
{
	const unsigned char *p = data;
	uint32_t plen, crc, version, k;
	struct reader h;

	if (len < HEADER_LEN + 4 || memcmp(p, STATE_MAGIC, 4) != 0) {
		*cause = xstrdup("router state: not a mixchat router state "
		                 "(bad magic or too short); retrain with "
		                 "`mixchat train`");
		return MC_ERR_CORRUPT;
	}
	h.p = p;
	h.len = len;
	h.off = 4;
	h.bad = 0;
	version = get_u16(&h);
	k = get_u16(&h);
	plen = get_u32(&h);
	if ((size_t)plen != len - HEADER_LEN - 4) {
		*cause = xasprintf("router state: truncated or padded (%zu "
		                   "bytes, header says %zu); retrain with "
		                   "`mixchat train`",
		    len, (size_t)plen + HEADER_LEN + 4);
		return MC_ERR_CORRUPT;
	}
	h.off = len - 4;
	crc = get_u32(&h);
	if (crc != router_crc32(p, len - 4)) {
		*cause = xstrdup("router state: checksum mismatch (the data "
		                 "is corrupt); retrain with `mixchat train`");
		return MC_ERR_CORRUPT;
	}
	if (version < 1 || version > STATE_VERSION) {
		*cause = xasprintf("router state: format version %u, this "
		                   "mixchat reads %u; retrain with `mixchat "
		                   "train`",
		    version, STATE_VERSION);
		return MC_ERR_VERSION;
	}
	if (k != kind) {
		*cause = xstrdup(
		    kind == KIND_STATE
		        ? "router state: this is one model's state, not a "
		          "whole router state"
		        : "router state: this is a whole router state, not one "
		          "model's");
		return MC_ERR_CORRUPT;
	}
	rd->p = p + HEADER_LEN;
	rd->len = plen;
	rd->off = 0;
	rd->bad = 0;
	rd->version = version;
	return MC_OK;
}

int
router_state_load(struct router *r, const void *data, size_t len, char **cause)
{
	struct reader rd;
	char *tags[ROUTER_MAX_TAGS];
	float *tagw = NULL, tagb[ROUTER_MAX_TAGS];
	struct router_profile **profiles = NULL;
	struct router_exemplars *ex = NULL;
	uint32_t ntags = 0, nmodels = 0, t, k, i, j;
	const unsigned char *flag;
	int rc;

	rc = open_blob(data, len, KIND_STATE, &rd, cause);
	if (rc != MC_OK)
		return rc;
	if (get_u32(&rd) != ROUTER_DIM) {
		*cause = xstrdup("router state: made with another feature "
		                 "layout; retrain with `mixchat train`");
		return MC_ERR_VERSION;
	}
	ntags = get_u32(&rd);
	if (ntags == 0 || ntags > ROUTER_MAX_TAGS)
		rd.bad = 1;
	for (t = 0; t < ntags && !rd.bad; t++)
		if ((tags[t] = get_str(&rd, 200)) == NULL)
			break;
	ntags = rd.bad ? t : ntags;
	flag = get_bytes(&rd, 1);
	if (flag != NULL && *flag > 1)
		rd.bad = 1;
	if (flag != NULL && *flag == 1 && !rd.bad) {
		tagw = xmalloc((size_t)ntags * ROUTER_DIM * sizeof *tagw);
		for (k = 0; k < ntags * ROUTER_DIM && !rd.bad; k++)
			tagw[k] = get_f32(&rd);
		for (t = 0; t < ntags && !rd.bad; t++)
			tagb[t] = get_f32(&rd);
	}
	nmodels = get_u32(&rd);
	if (nmodels > ROUTER_MAX_MODELS)
		rd.bad = 1;
	if (!rd.bad)
		profiles = xcalloc(nmodels + 1, sizeof *profiles);
	for (i = 0; i < nmodels && !rd.bad; i++) {
		profiles[i] = get_profile(&rd, ntags);
		for (j = 0; j < i && profiles[i] != NULL; j++)
			if (strcmp(profiles[j]->id, profiles[i]->id) == 0)
				rd.bad = 1;
	}
	if (!rd.bad && rd.version >= 2)
		ex = get_exemplars(&rd);
	if (!rd.bad && rd.off != rd.len)
		rd.bad = 1;
	if (rd.bad) {
		router_exemplars_free(ex);
		for (t = 0; t < ntags; t++)
			free(tags[t]);
		free(tagw);
		for (i = 0; profiles != NULL && i < nmodels; i++)
			router_profile_free(profiles[i]);
		free(profiles);
		*cause = xstrdup("router state: malformed contents behind a "
		                 "valid checksum; retrain with `mixchat "
		                 "train`");
		return MC_ERR_CORRUPT;
	}
	router_clear_tags(r);
	r->ntags = ntags;
	for (t = 0; t < ntags; t++)
		r->tags[t] = tags[t];
	r->tagw = tagw;
	if (tagw != NULL)
		memcpy(r->tagb, tagb, ntags * sizeof *tagb);
	r->priors = profiles;
	r->npriors = nmodels;
	router_exemplars_free(r->exemplars);
	r->exemplars = ex;
	router_reset_models(r);
	return MC_OK;
}

void
router_reset_models(struct router *r)
{
	size_t i, n = r->nmodels;
	struct router_profile **old = r->models;

	r->models = NULL;
	r->nmodels = 0;
	for (i = 0; i < n; i++) {
		/* The prices stay; the profile comes from the new priors. */
		if (router_add_model(r, old[i]->id, old[i]->price_in,
		        old[i]->price_out, old[i]->id) != MC_OK)
			log_debug("router: could not keep %s", old[i]->id);
		router_profile_free(old[i]);
	}
	free(old);
}

bool
router_model_fits(const struct router *r, const void *data, size_t len)
{
	struct reader rd;
	char *cause = NULL;
	bool fits;

	if (open_blob(data, len, KIND_MODEL, &rd, &cause) != MC_OK) {
		free(cause);
		return false;
	}
	fits = get_u32(&rd) == router_tag_fingerprint(r) && !rd.bad;
	return fits;
}

int
router_model_load(struct router *r, const char *id, const void *data,
    size_t len, char **cause)
{
	struct router_profile *p;
	struct reader rd;
	size_t i;
	int rc;

	for (i = 0; i < r->nmodels; i++)
		if (strcmp(r->models[i]->id, id) == 0)
			break;
	if (i == r->nmodels) {
		*cause = xasprintf("router: %s is not a configured model", id);
		return MC_ERR_NOTFOUND;
	}
	rc = open_blob(data, len, KIND_MODEL, &rd, cause);
	if (rc != MC_OK)
		return rc;
	if (get_u32(&rd) != router_tag_fingerprint(r)) {
		*cause = xasprintf("router state of %s: made under another "
		                   "tag set; %s starts from its prior",
		    id, id);
		return MC_ERR_VERSION;
	}
	p = get_profile(&rd, r->ntags);
	if (p == NULL || rd.off != rd.len) {
		router_profile_free(p);
		*cause = xasprintf("router state of %s: malformed contents "
		                   "behind a valid checksum",
		    id);
		return MC_ERR_CORRUPT;
	}
	free(p->id);
	p->id = xstrdup(id);
	p->price_in = r->models[i]->price_in;
	p->price_out = r->models[i]->price_out;
	/* The shape trees and line are fitted, never learned from ratings:
	 * the model keeps those it has now, from its prior (so a release
	 * with refitted priors reaches a user's rated models too). */
	router_trees_free(p->trees);
	p->trees = r->models[i]->trees;
	r->models[i]->trees = NULL;
	memcpy(p->sw, r->models[i]->sw, sizeof p->sw);
	router_profile_free(r->models[i]);
	r->models[i] = p;
	return MC_OK;
}
