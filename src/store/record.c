/*
 * record.c - encoding and decoding of the store's keys and values; the
 * layouts are drawn in record.h.  Owns no state.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/record.h"
#include "util/crc32.h"
#include "util/xmalloc.h"

#define STR_NULL 0xffffffffu

/* Writing. */

static int
put_u8(struct buf *b, unsigned int v)
{
	unsigned char c = (unsigned char)v;

	return buf_add(b, &c, 1);
}

static int
put_u32(struct buf *b, uint32_t v)
{
	unsigned char x[4];
	int i;

	for (i = 0; i < 4; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return buf_add(b, x, 4);
}

static int
put_u64(struct buf *b, uint64_t v)
{
	unsigned char x[8];
	int i;

	for (i = 0; i < 8; i++)
		x[i] = (unsigned char)(v >> (8 * i));
	return buf_add(b, x, 8);
}

static int
put_f64(struct buf *b, double d)
{
	uint64_t v;

	memcpy(&v, &d, sizeof v);
	return put_u64(b, v);
}

static int
put_str(struct buf *b, const char *s)
{
	size_t len;
	int rc;

	if (s == NULL)
		return put_u32(b, STR_NULL);
	len = strlen(s);
	if (len >= STR_NULL)
		return MC_ERR_LIMIT;
	rc = put_u32(b, (uint32_t)len);
	if (rc != MC_OK)
		return rc;
	return buf_add(b, s, len);
}

/* Reading: every get checks what is left and latches `bad`. */

struct reader {
	const unsigned char *p;
	size_t left;
	int bad;
};

static const unsigned char *
take(struct reader *r, size_t n)
{
	const unsigned char *p;

	if (r->bad || n > r->left) {
		r->bad = 1;
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	return p;
}

static unsigned int
get_u8(struct reader *r)
{
	const unsigned char *p = take(r, 1);

	return p != NULL ? p[0] : 0;
}

static uint32_t
get_u32(struct reader *r)
{
	const unsigned char *p = take(r, 4);
	uint32_t v = 0;
	int i;

	if (p == NULL)
		return 0;
	for (i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t
get_u64(struct reader *r)
{
	const unsigned char *p = take(r, 8);
	uint64_t v = 0;
	int i;

	if (p == NULL)
		return 0;
	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static double
get_f64(struct reader *r)
{
	uint64_t v = get_u64(r);
	double d;

	memcpy(&d, &v, sizeof d);
	return d;
}

/* get_str_ref: a pointer into the record; *isnull for a NULL string. */
static const char *
get_str_ref(struct reader *r, size_t *len, int *isnull)
{
	uint32_t n = get_u32(r);
	const unsigned char *p;

	*len = 0;
	*isnull = 0;
	if (r->bad)
		return NULL;
	if (n == STR_NULL) {
		*isnull = 1;
		return NULL;
	}
	if (n > STORE_TEXT_MAX) {
		r->bad = 1;
		return NULL;
	}
	p = take(r, n);
	/* No string the store writes holds a NUL: one that does is
	 * damage (and would read back shorter than it was written). */
	if (p != NULL && memchr(p, '\0', n) != NULL) {
		r->bad = 1;
		return NULL;
	}
	*len = n;
	return (const char *)p;
}

static char *
get_str(struct reader *r)
{
	const char *p;
	size_t len;
	int isnull;

	p = get_str_ref(r, &len, &isnull);
	if (r->bad || isnull)
		return NULL;
	return xstrndup(p, len);
}

/* start: check the version byte. */
static int
start(struct reader *r, const void *p, size_t n)
{
	unsigned int v;

	r->p = p;
	r->left = n;
	r->bad = 0;
	v = get_u8(r);
	if (r->bad)
		return MC_ERR_CORRUPT;
	if (v != RECORD_VERSION)
		return v > RECORD_VERSION ? MC_ERR_VERSION : MC_ERR_CORRUPT;
	return MC_OK;
}

static int
finish(const struct reader *r)
{
	return r->bad || r->left != 0 ? MC_ERR_CORRUPT : MC_OK;
}

/* Keys. */

static void
be_put(unsigned char *out, uint64_t v, int bytes)
{
	int i;

	for (i = bytes - 1; i >= 0; i--) {
		out[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t
be_get(const unsigned char *in, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v = (v << 8) | in[i];
	return v;
}

void
record_key_session(uint64_t id, unsigned char out[8])
{
	be_put(out, id, 8);
}

uint64_t
record_key_session_id(const unsigned char in[8])
{
	return be_get(in, 8);
}

void
record_key_message(
    uint64_t session, uint32_t seq, unsigned char out[KEY_MESSAGE_LEN])
{
	be_put(out, session, 8);
	be_put(out + 8, seq, 4);
}

void
record_key_message_parse(
    const unsigned char in[KEY_MESSAGE_LEN], uint64_t *session, uint32_t *seq)
{
	*session = be_get(in, 8);
	*seq = (uint32_t)be_get(in + 8, 4);
}

void
record_key_rating(uint64_t session, uint32_t seq, int64_t time_ms,
    unsigned char out[KEY_RATING_LEN])
{
	be_put(out, session, 8);
	be_put(out + 8, seq, 4);
	be_put(out + 12, (uint64_t)time_ms ^ ((uint64_t)1 << 63), 8);
}

int64_t
record_key_rating_time(const unsigned char in[KEY_RATING_LEN])
{
	uint64_t v = 0;
	int i;

	for (i = 12; i < KEY_RATING_LEN; i++)
		v = v << 8 | in[i];
	return (int64_t)(v ^ ((uint64_t)1 << 63));
}

size_t
record_key_spend(
    uint32_t day, const char *model, unsigned char out[KEY_SPEND_MAX])
{
	size_t len = strlen(model);

	if (len == 0 || len > STORE_MODEL_MAX)
		return 0;
	be_put(out, day, 4);
	memcpy(out + 4, model, len);
	return 4 + len;
}

char *
record_key_text(const char *db, const void *key, size_t klen)
{
	const unsigned char *k = key;
	struct buf b;
	size_t i;
	uint64_t session;
	uint32_t seq;

	if (strcmp(db, "messages") == 0 && klen == KEY_MESSAGE_LEN) {
		record_key_message_parse(k, &session, &seq);
		return xasprintf("%llu.%lu", (unsigned long long)session,
		    (unsigned long)seq);
	}
	if (strcmp(db, "ratings") == 0 && klen == KEY_RATING_LEN)
		return xasprintf("%llu.%lu@%lld",
		    (unsigned long long)be_get(k, 8),
		    (unsigned long)be_get(k + 8, 4),
		    (long long)(be_get(k + 12, 8) ^ ((uint64_t)1 << 63)));
	if (strcmp(db, "sessions") == 0 && klen == 8)
		return xasprintf("%llu", (unsigned long long)be_get(k, 8));
	buf_init(&b, 4096);
	if (strcmp(db, "spend") == 0 && klen > 4) {
		if (buf_printf(&b, "%lu/", (unsigned long)be_get(k, 4)) != 0)
			return xstrdup("?");
		k += 4;
		klen -= 4;
	}
	for (i = 0; i < klen && i < 300; i++) {
		int rc = (k[i] >= 0x20 && k[i] < 0x7f && k[i] != '\\')
		             ? buf_addch(&b, (char)k[i])
		             : buf_printf(&b, "\\x%02x", k[i]);

		if (rc != 0)
			return xstrdup("?");
	}
	return buf_detach(&b, NULL);
}

/* Sessions. */

int
record_session_encode(const struct store_session *ss, struct buf *b)
{
	int rc;

	if ((rc = put_u8(b, RECORD_VERSION)) != 0 ||
	    (rc = put_u64(b, (uint64_t)ss->created_ms)) != 0 ||
	    (rc = put_u64(b, (uint64_t)ss->updated_ms)) != 0 ||
	    (rc = put_u32(b, ss->nmessages)) != 0 ||
	    (rc = put_u32(b, ss->last_seq)) != 0 ||
	    (rc = put_str(b, ss->name)) != 0 ||
	    (rc = put_str(b, ss->title)) != 0)
		return rc;
	return MC_OK;
}

int
record_session_decode(const void *p, size_t n, struct store_session *out)
{
	struct reader r;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	out->created_ms = (int64_t)get_u64(&r);
	out->updated_ms = (int64_t)get_u64(&r);
	out->nmessages = get_u32(&r);
	out->last_seq = get_u32(&r);
	out->name = get_str(&r);
	out->title = get_str(&r);
	if ((rc = finish(&r)) != MC_OK)
		store_session_release(out);
	return rc;
}

/* Messages. */

int
record_message_encode(const struct store_message *m, struct buf *b)
{
	int rc;

	if (m->rating < 0 || m->rating > 5 || m->role < 1 || m->role > 255)
		return MC_ERR_USAGE;
	/* Flag 2: the retry wait follows the fixed part; a reply without
	 * one is written as before it existed.  Flag 4: sent by `mixchat
	 * ask` (a message typed in the chat is written as before). */
	if ((rc = put_u8(b, RECORD_VERSION)) != 0 ||
	    (rc = put_u8(b, (unsigned int)m->role)) != 0 ||
	    (rc = put_u8(b, (m->tokens_estimated ? 1u : 0u) |
	                        (m->wait_ms > 0 ? 2u : 0u) |
	                        (m->from_cli ? 4u : 0u))) != 0 ||
	    (rc = put_u8(b, (unsigned int)m->rating)) != 0 ||
	    (rc = put_u32(b, (uint32_t)m->tokens_in)) != 0 ||
	    (rc = put_u32(b, (uint32_t)m->tokens_out)) != 0 ||
	    (rc = put_f64(b, m->cost_usd)) != 0 ||
	    (rc = put_f64(b, m->ttft_ms)) != 0 ||
	    (rc = put_f64(b, m->latency_ms)) != 0 ||
	    (rc = put_u64(b, (uint64_t)m->created_ms)) != 0 ||
	    (m->wait_ms > 0 && (rc = put_f64(b, m->wait_ms)) != 0) ||
	    (rc = put_str(b, m->text != NULL ? m->text : "")) != 0 ||
	    (rc = put_str(b, m->model)) != 0 ||
	    (rc = put_str(b, m->decision_json)) != 0 ||
	    (rc = put_str(b, m->error)) != 0)
		return rc;
	return MC_OK;
}

/* message_head: the fixed part, shared by decode and peek. */
static void
message_head(struct reader *r, struct store_message *out)
{
	unsigned int flags;

	out->role = (int)get_u8(r);
	flags = get_u8(r);
	out->tokens_estimated = (flags & 1) != 0;
	out->from_cli = (flags & 4) != 0;
	out->rating = (int)get_u8(r);
	out->tokens_in = (int)get_u32(r);
	out->tokens_out = (int)get_u32(r);
	out->cost_usd = get_f64(r);
	out->ttft_ms = get_f64(r);
	out->latency_ms = get_f64(r);
	out->created_ms = (int64_t)get_u64(r);
	if (flags & 2)
		out->wait_ms = get_f64(r);
	if (flags > 7 || out->rating > 5 || out->role == 0 ||
	    ((flags & 2) && !(out->wait_ms > 0)))
		r->bad = 1;
}

int
record_message_decode(const void *p, size_t n, struct store_message *out)
{
	struct reader r;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	message_head(&r, out);
	out->text = get_str(&r);
	out->model = get_str(&r);
	out->decision_json = get_str(&r);
	out->error = get_str(&r);
	if (out->text == NULL)
		r.bad = 1;
	if ((rc = finish(&r)) != MC_OK)
		store_message_release(out);
	return rc;
}

int
record_message_origin(const void *p, size_t n, int *role, bool *from_cli)
{
	struct store_message head;
	struct reader r;
	int rc;

	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	memset(&head, 0, sizeof head);
	message_head(&r, &head);
	if (r.bad)
		return MC_ERR_CORRUPT;
	*role = head.role;
	*from_cli = head.from_cli;
	return MC_OK;
}

int
record_message_peek(const void *p, size_t n, int *role, int64_t *created_ms,
    const char **text, size_t *text_len)
{
	struct store_message head;
	struct reader r;
	int rc, isnull;

	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	memset(&head, 0, sizeof head);
	message_head(&r, &head);
	*text = get_str_ref(&r, text_len, &isnull);
	if (r.bad || isnull)
		return MC_ERR_CORRUPT;
	*role = head.role;
	*created_ms = head.created_ms;
	return MC_OK;
}

/* Ratings. */

int
record_rating_encode(const struct store_rating *r, struct buf *b)
{
	size_t i;
	int rc;

	if (r->score < 1 || r->score > 5 || r->source < 0 ||
	    r->source > RECORD_SOURCE_MASK || r->nfeatures > 1000000 ||
	    (r->nfeatures > 0 && r->features == NULL))
		return MC_ERR_USAGE;
	if ((rc = put_u8(b, RECORD_VERSION)) != 0 ||
	    (rc = put_u8(b, (unsigned int)r->score)) != 0 ||
	    (rc = put_u8(b, (unsigned int)r->source |
	                        (r->pending ? RECORD_SOURCE_PENDING : 0))) !=
	        0 ||
	    (rc = put_u64(b, r->session)) != 0 ||
	    (rc = put_u32(b, r->seq)) != 0 ||
	    (rc = put_u64(b, (uint64_t)r->time_ms)) != 0 ||
	    (rc = put_str(b, r->model)) != 0 ||
	    (rc = put_u32(b, (uint32_t)r->nfeatures)) != 0)
		return rc;
	for (i = 0; i < r->nfeatures; i++) {
		uint32_t v;

		memcpy(&v, &r->features[i], sizeof v);
		if ((rc = put_u32(b, v)) != 0)
			return rc;
	}
	/* Optional, last: a record without them is complete. */
	if (r->prompt != NULL && (rc = put_str(b, r->prompt)) != 0)
		return rc;
	if (r->prompt != NULL && r->origin != NULL &&
	    (rc = put_str(b, r->origin)) != 0)
		return rc;
	return MC_OK;
}

void
record_rating_release(struct store_rating *r)
{
	free(r->model);
	free(r->prompt);
	free(r->origin);
	/* features was allocated by record_rating_decode */
	free((void *)(uintptr_t)r->features);
	memset(r, 0, sizeof *r);
}

/* A rating's record into out; its features only with features (else
 * out->features NULL, out->nfeatures what the record holds).  Either
 * way every length is checked: a record that decodes without its
 * features decodes with them. */
static int
rating_decode(const void *p, size_t n, struct store_rating *out, bool features)
{
	struct reader r;
	uint32_t nf, i;
	float *f = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	out->score = (int)get_u8(&r);
	out->source = (int)get_u8(&r);
	out->pending = (out->source & RECORD_SOURCE_PENDING) != 0;
	out->source &= RECORD_SOURCE_MASK;
	out->session = get_u64(&r);
	out->seq = get_u32(&r);
	out->time_ms = (int64_t)get_u64(&r);
	out->model = get_str(&r);
	nf = get_u32(&r);
	if (out->score < 1 || out->score > 5 || nf > r.left / 4)
		r.bad = 1;
	if (!r.bad && !features) {
		(void)take(&r, (size_t)nf * 4);
		out->nfeatures = nf;
	} else if (!r.bad && nf > 0) {
		f = xreallocarray(NULL, nf, sizeof *f);
		for (i = 0; i < nf; i++) {
			uint32_t v = get_u32(&r);

			memcpy(&f[i], &v, sizeof v);
		}
		out->features = f;
		out->nfeatures = nf;
	}
	if (!r.bad && r.left > 0)
		out->prompt = get_str(&r);
	if (!r.bad && r.left > 0)
		out->origin = get_str(&r);
	if ((rc = finish(&r)) != MC_OK)
		record_rating_release(out);
	return rc;
}

int
record_rating_decode(const void *p, size_t n, struct store_rating *out)
{
	return rating_decode(p, n, out, true);
}

int
record_rating_decode_head(const void *p, size_t n, struct store_rating *out)
{
	return rating_decode(p, n, out, false);
}

/* Router state. */

int
record_router_encode(const void *blob, size_t len, struct buf *b)
{
	int rc;

	if (len > STORE_BLOB_MAX)
		return MC_ERR_LIMIT;
	if ((rc = put_u8(b, RECORD_VERSION)) != 0 ||
	    (rc = put_u32(b, (uint32_t)len)) != 0 ||
	    (rc = buf_add(b, blob, len)) != 0 ||
	    (rc = put_u32(b, record_crc32(blob, len))) != 0)
		return rc;
	return MC_OK;
}

int
record_router_decode(const void *p, size_t n, const void **blob, size_t *len)
{
	struct reader r;
	const unsigned char *data;
	uint32_t l, crc;
	int rc;

	*blob = NULL;
	*len = 0;
	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	l = get_u32(&r);
	data = take(&r, l);
	crc = get_u32(&r);
	if ((rc = finish(&r)) != MC_OK)
		return rc;
	if (crc != record_crc32(data, l))
		return MC_ERR_CORRUPT;
	*blob = data;
	*len = l;
	return MC_OK;
}

/* Spend and latency. */

int
record_spend_encode(const struct store_spend *sp, struct buf *b)
{
	int rc;

	if ((rc = put_u8(b, RECORD_VERSION)) != 0 ||
	    (rc = put_f64(b, sp->usd)) != 0 ||
	    (rc = put_u64(b, sp->tokens_in)) != 0 ||
	    (rc = put_u64(b, sp->tokens_out)) != 0 ||
	    (rc = put_u32(b, sp->calls)) != 0)
		return rc;
	return MC_OK;
}

int
record_spend_decode(const void *p, size_t n, struct store_spend *out)
{
	struct reader r;
	int rc;

	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	out->usd = get_f64(&r);
	out->tokens_in = get_u64(&r);
	out->tokens_out = get_u64(&r);
	out->calls = get_u32(&r);
	return finish(&r);
}

int
record_latency_encode(const struct store_latency *l, struct buf *b)
{
	int rc;

	if ((rc = put_u8(b, RECORD_VERSION)) != 0 ||
	    (rc = put_f64(b, l->ttft_ms)) != 0 ||
	    (rc = put_f64(b, l->tokens_per_s)) != 0 ||
	    (rc = put_u32(b, l->samples)) != 0 ||
	    (rc = put_u64(b, (uint64_t)l->unavailable_until_ms)) != 0)
		return rc;
	return MC_OK;
}

int
record_latency_decode(const void *p, size_t n, struct store_latency *out)
{
	struct reader r;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	out->ttft_ms = get_f64(&r);
	out->tokens_per_s = get_f64(&r);
	out->samples = get_u32(&r);
	out->unavailable_until_ms = (int64_t)get_u64(&r);
	return finish(&r);
}

int
record_refusal_encode(const struct store_refusal *r, struct buf *b)
{
	size_t fplen = strlen(r->key_fp);
	int rc;

	if (r->kind < STORE_REFUSED_KEY || r->kind > STORE_REFUSED_GONE ||
	    (fplen != 0 && fplen != 8) || strlen(r->route) != 8 ||
	    r->since_ms <= 0)
		return MC_ERR_USAGE;
	if ((rc = put_u8(b, RECORD_VERSION)) != 0 ||
	    (rc = put_u8(b, (unsigned int)r->kind)) != 0 ||
	    (rc = put_u64(b, (uint64_t)r->since_ms)) != 0)
		return rc;
	/* Eight bytes either way: no key is eight NULs. */
	if ((rc = buf_add(b, "\0\0\0\0\0\0\0\0", 8 - fplen)) != 0 ||
	    (rc = buf_add(b, r->key_fp, fplen)) != 0 ||
	    (rc = buf_add(b, r->route, 8)) != 0)
		return rc;
	return MC_OK;
}

/* Whether the 8 bytes at p are lower-case hex digits. */
static bool
hex8(const char *p)
{
	int i;

	for (i = 0; i < 8; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		        (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

int
record_refusal_decode(const void *p, size_t n, struct store_refusal *out)
{
	struct reader r;
	size_t i;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = start(&r, p, n)) != MC_OK)
		return rc;
	out->kind = (int)get_u8(&r);
	out->since_ms = (int64_t)get_u64(&r);
	if (r.bad || r.left != 16)
		return MC_ERR_CORRUPT;
	memcpy(out->key_fp, r.p, 8);
	out->key_fp[8] = '\0';
	memcpy(out->route, r.p + 8, 8);
	out->route[8] = '\0';
	if (out->kind < STORE_REFUSED_KEY || out->kind > STORE_REFUSED_GONE ||
	    out->since_ms <= 0 || !hex8(out->route))
		return MC_ERR_CORRUPT;
	if (out->key_fp[0] == '\0') {
		/* No key: all eight NULs. */
		for (i = 1; i < 8; i++)
			if (r.p[i] != 0)
				return MC_ERR_CORRUPT;
		return MC_OK;
	}
	return hex8(out->key_fp) ? MC_OK : MC_ERR_CORRUPT;
}

uint32_t
record_crc32(const void *p, size_t n)
{
	return crc32_ieee(p, n);
}
