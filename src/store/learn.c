/*
 * learn.c - what the store keeps for the router and the budget: ratings
 * (committed together with the router's new state), router state blobs,
 * latency estimates, spend, and the per-model summary for `mixchat stats`;
 * the ratings listed in the order made, with their features or (a read
 * kept open, struct store_ratings) one rating's at a time.  Key and value
 * layouts: record.h.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "store/record.h"
#include "store/store_int.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define VALUE_MAX (STORE_TEXT_MAX * 2 + 4096)

static int
put_buf(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
    const struct buf *b, unsigned int flags)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val d = { b->len, b->data };

	return mdb_put(txn, dbi, &k, &d, flags);
}

/* Ratings. */

struct rating_ctx {
	const struct store_rating *r;
	const char *router_model;
	const void *blob;
	size_t blob_len;
	store_learn_fn learn; /* or NULL: blob as given */
	void *learn_ud;
	int64_t drop_ms;         /* > 0: the re-ask lesson keyed so goes */
	const char *drop_prompt; /* ... if it is one of r->model on this */
	bool *drop_found;        /* out, before learn runs: it is there */
	int64_t key_ms;          /* out: the time in the rating's key */
};

/* Whether the rating keyed (0, 0, ms) is a learned re-ask lesson of model
 * on prompt: the one store_rating_commit_replace may delete. */
static bool
reask_at(struct store *s, MDB_txn *txn, int64_t ms, const char *model,
    const char *prompt)
{
	unsigned char key[KEY_RATING_LEN];
	MDB_val k = { sizeof key, key }, d;
	struct store_rating r;
	bool ok;

	record_key_rating(0, 0, ms, key);
	if (mdb_get(txn, s->ratings, &k, &d) != 0 ||
	    record_rating_decode(d.mv_data, d.mv_size, &r) != MC_OK)
		return false;
	ok = r.source == STORE_SOURCE_REASK && !r.pending && r.model != NULL &&
	     r.prompt != NULL && model != NULL && prompt != NULL &&
	     strcmp(r.model, model) == 0 && strcmp(r.prompt, prompt) == 0;
	record_rating_release(&r);
	return ok;
}

/* set_message_rating: the message's latest rating; absent is fine. */
static int
set_message_rating(
    struct store *s, MDB_txn *txn, uint64_t session, uint32_t seq, int score)
{
	unsigned char key[KEY_MESSAGE_LEN];
	MDB_val k = { sizeof key, key }, d;
	struct store_message m;
	struct buf b;
	int rc;

	record_key_message(session, seq, key);
	rc = mdb_get(txn, s->messages, &k, &d);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	rc = record_message_decode(d.mv_data, d.mv_size, &m);
	if (rc != MC_OK) {
		store_report_damaged(s, "messages", key, sizeof key, rc);
		return 0;
	}
	m.rating = score;
	buf_init(&b, VALUE_MAX);
	rc = record_message_encode(&m, &b);
	if (rc == MC_OK)
		rc = put_buf(txn, s->messages, key, sizeof key, &b, 0);
	buf_release(&b);
	store_message_release(&m);
	return rc;
}

/*
 * The time to key a new rating of (session, seq) at: t when that key is
 * free and after the reply's other ratings, else the first free
 * millisecond after them — found by walking the
 * run of taken keys with a cursor, not by a lookup per millisecond.
 */
static int64_t
rating_free_time(
    struct store *s, MDB_txn *txn, uint64_t session, uint32_t seq, int64_t t)
{
	unsigned char probe[KEY_RATING_LEN];
	MDB_cursor *cur;
	MDB_val k, v;
	int rc;

	if (mdb_cursor_open(txn, s->ratings, &cur) != 0)
		return t;
	/* After the reply's latest rating, whatever the clock says: a
	 * correction made after the clock stepped back still keys after
	 * the rating it corrects (the key order says which is latest). */
	if (session != 0 && seq < UINT32_MAX) {
		record_key_rating(session, seq + 1, INT64_MIN, probe);
		k.mv_data = probe;
		k.mv_size = sizeof probe;
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV)
		             : mdb_cursor_get(cur, &k, &v, MDB_LAST);
		record_key_rating(session, seq, 0, probe);
		if (rc == 0 && k.mv_size == KEY_RATING_LEN &&
		    memcmp(k.mv_data, probe, 12) == 0) {
			int64_t last = record_key_rating_time(k.mv_data);

			if (last >= t && last < INT64_MAX)
				t = last + 1;
		}
	}
	record_key_rating(session, seq, t, probe);
	k.mv_data = probe;
	k.mv_size = sizeof probe;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	while (rc == 0 && t < INT64_MAX) {
		record_key_rating(session, seq, t, probe);
		if (k.mv_size != KEY_RATING_LEN ||
		    memcmp(k.mv_data, probe, KEY_RATING_LEN) != 0)
			break; /* t is free */
		t++;
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	return t;
}

/* learn refused to make a state (put_learned_state). */
#define LEARN_REFUSED (-1000)

/*
 * c->router_model's new state, in txn: made by c->learn from the state
 * stored now, in this very transaction (LMDB has one writer: what another
 * process learned is built on, never overwritten), or c->blob as given.
 * LEARN_REFUSED when learn says no: nothing is written.
 */
static int
put_learned_state(struct store *s, MDB_txn *txn, const struct rating_ctx *c)
{
	struct buf b;
	int rc;

	if (c->learn != NULL) {
		MDB_val k = { strlen(c->router_model),
			(void *)(uintptr_t)c->router_model },
		        d;
		const void *cur = NULL;
		size_t cur_len = 0;
		struct buf out;

		rc = mdb_get(txn, s->router, &k, &d);
		if (rc == 0 && record_router_decode(d.mv_data, d.mv_size, &cur,
		                   &cur_len) != MC_OK)
			cur = NULL; /* damaged: starts from the given state */
		else if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
		buf_init(&out, STORE_BLOB_MAX);
		if (c->learn(c->learn_ud, cur, cur_len, &out) != MC_OK) {
			buf_release(&out);
			return LEARN_REFUSED;
		}
		buf_init(&b, STORE_BLOB_MAX + 64);
		rc = record_router_encode(out.data, out.len, &b);
		buf_release(&out);
	} else {
		buf_init(&b, STORE_BLOB_MAX + 64);
		rc = record_router_encode(c->blob, c->blob_len, &b);
	}
	if (rc == MC_OK)
		rc = put_buf(txn, s->router, c->router_model,
		    strlen(c->router_model), &b, 0);
	buf_release(&b);
	return rc;
}

/*
 * r stored under its reply's key at its time (or the first free
 * millisecond after), its message's latest rating set; its key into key.
 */
/*
 * r as it is stored, into kept: a rating of a reply whose conversation is
 * gone keeps its prompt (prompt_if_gone), as store_session_delete gives
 * those made before; without one (none given) `ratings export` leaves it
 * out.  kept shares r's strings.
 */
static int
rating_as_kept(struct store *s, MDB_txn *txn, const struct store_rating *r,
    struct store_rating *kept)
{
	*kept = *r;
	if (r->session != 0 && r->prompt == NULL) {
		unsigned char mk[KEY_MESSAGE_LEN];
		MDB_val k = { sizeof mk, mk }, d;
		int rc;

		record_key_message(r->session, r->seq, mk);
		rc = mdb_get(txn, s->messages, &k, &d);
		if (rc == MDB_NOTFOUND)
			kept->prompt = (char *)(uintptr_t)r->prompt_if_gone;
		else if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * meta "rgen": a count bumped by every transaction that changes a rating
 * (one stored, settled, deleted), so a long-running process tells in one
 * read whether the ratings its memory was built from are still all
 * (store_ratings_gen).
 */
static int
bump_ratings_gen(struct store *s, MDB_txn *txn)
{
	MDB_val k = { 4, (void *)(uintptr_t) "rgen" }, d;
	uint64_t g = 0;
	int rc;

	if (s->gen_bumped) /* once a transaction is enough */
		return 0;
	rc = mdb_get(txn, s->meta, &k, &d);
	if (rc == 0 && d.mv_size == sizeof g)
		memcpy(&g, d.mv_data, sizeof g);
	else if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	s->gen_before = g;
	g++;
	d.mv_size = sizeof g;
	d.mv_data = &g;
	if ((rc = mdb_put(txn, s->meta, &k, &d, 0)) == 0) {
		s->gen_after = g;
		s->gen_bumped = true;
	}
	return rc;
}

bool
store_ratings_gen_last(const struct store *s, uint64_t *before, uint64_t *after)
{
	if (!s->gen_bumped)
		return false;
	*before = s->gen_before;
	*after = s->gen_after;
	return true;
}

static int
ratings_gen_body(struct store *s, MDB_txn *txn, void *arg)
{
	MDB_val k = { 4, (void *)(uintptr_t) "rgen" }, d;
	uint64_t *g = arg;
	int rc = mdb_get(txn, s->meta, &k, &d);

	*g = 0;
	if (rc == 0 && d.mv_size == sizeof *g)
		memcpy(g, d.mv_data, sizeof *g);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_ratings_gen(struct store *s, uint64_t *gen)
{
	return store_txn_read(s, "reading ratings", ratings_gen_body, gen);
}

static int
put_rating(struct store *s, MDB_txn *txn, const struct store_rating *r,
    unsigned char *key)
{
	int64_t t = r->time_ms;
	struct store_rating kept;
	struct buf b;
	int rc, tries;

	if ((rc = rating_as_kept(s, txn, r, &kept)) != 0)
		return rc;
	buf_init(&b, VALUE_MAX);
	rc = record_rating_encode(&kept, &b);
	/* Two ratings of one reply in one millisecond: the later one is
	 * keyed at the next free millisecond; the value keeps the true
	 * time. */
	if (rc == 0)
		t = rating_free_time(s, txn, r->session, r->seq, t);
	for (tries = 0; rc == 0 && tries < 1000; tries++, t++) {
		record_key_rating(r->session, r->seq, t, key);
		rc = put_buf(
		    txn, s->ratings, key, KEY_RATING_LEN, &b, MDB_NOOVERWRITE);
		if (rc != MDB_KEYEXIST)
			break;
		rc = 0;
	}
	buf_release(&b);
	if (rc == 0)
		rc = bump_ratings_gen(s, txn);
	if (rc != 0)
		return rc;
	if (tries == 1000)
		return MC_ERR_EXISTS;
	return set_message_rating(s, txn, r->session, r->seq, r->score);
}

static int
rating_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct rating_ctx *c = arg;
	unsigned char key[KEY_RATING_LEN];
	struct buf b;
	int rc;

	bool drop = false;

	c->key_ms = 0;
	rc = put_rating(s, txn, c->r, key);
	/* The lesson to replace must still be there, and be that lesson
	 * (another mixchat's rating may have replaced it): the learner is
	 * told before it learns, and corrects nothing when it is not. */
	if (rc == 0 && c->drop_ms > 0)
		drop =
		    reask_at(s, txn, c->drop_ms, c->r->model, c->drop_prompt);
	if (c->drop_found != NULL)
		*c->drop_found = drop;
	if (rc != 0 || c->router_model == NULL)
		return rc;
	rc = put_learned_state(s, txn, c);
	/* Learned: only then is the lesson replaced, and the key said. */
	if (rc == 0) {
		c->key_ms = record_key_rating_time(key);
		if (drop) {
			unsigned char dk[KEY_RATING_LEN];
			MDB_val k = { sizeof dk, dk };

			record_key_rating(0, 0, c->drop_ms, dk);
			rc = mdb_del(txn, s->ratings, &k, NULL);
			if (rc == 0)
				rc = bump_ratings_gen(s, txn);
		}
		return rc;
	}
	if (rc == LEARN_REFUSED && !c->r->pending) {
		/* The stored state could not take it (another tag set,
		 * since another mixchat ran `train`): kept pending, so that
		 * the next start learns it into the state stored then. */
		struct store_rating r;

		if ((rc = rating_as_kept(s, txn, c->r, &r)) != 0)
			return rc;
		r.pending = true;
		buf_init(&b, VALUE_MAX);
		rc = record_rating_encode(&r, &b);
		if (rc == 0)
			rc = put_buf(txn, s->ratings, key, sizeof key, &b, 0);
		buf_release(&b);
		return rc;
	}
	return rc == LEARN_REFUSED ? 0 : rc;
}

/* Checks made before a rating's transaction. */
static int
rating_check(const struct store_rating *r, const char *router_model,
    size_t blob_len, char **cause)
{
	if (r->score < 1 || r->score > 5) {
		*cause = xasprintf("a rating must be 1 to 5, not %d", r->score);
		return MC_ERR_USAGE;
	}
	if ((r->model != NULL && !store_model_ok(r->model)) ||
	    (router_model != NULL && !store_model_ok(router_model))) {
		*cause = xasprintf(
		    "a model id must have 1 to %d bytes", STORE_MODEL_MAX);
		return MC_ERR_USAGE;
	}
	if (router_model != NULL && blob_len > STORE_BLOB_MAX) {
		*cause = xasprintf("the router state for %s is too large "
		                   "(%zu bytes)",
		    router_model, blob_len);
		return MC_ERR_LIMIT;
	}
	return MC_OK;
}

/* One rating commit: the checks, then one write transaction. */
static int
rating_commit(struct store *s, struct rating_ctx *c, char **cause)
{
	int rc;

	rc = rating_check(c->r, c->router_model, c->blob_len, cause);
	if (rc != MC_OK)
		return rc;
	rc = store_txn_write(s, "saving a rating", rating_body, c);
	if (rc != MC_OK)
		*cause = xstrdup(store_strerror(s));
	return rc;
}

int
store_rating_commit_learn(struct store *s, const struct store_rating *r,
    const char *router_model_id, store_learn_fn learn, void *ud, char **cause)
{
	return store_rating_commit_replace(
	    s, r, router_model_id, learn, ud, 0, NULL, NULL, NULL, cause);
}

int
store_rating_commit_replace(struct store *s, const struct store_rating *r,
    const char *router_model_id, store_learn_fn learn, void *ud,
    int64_t drop_ms, const char *drop_prompt, bool *drop_found, int64_t *key_ms,
    char **cause)
{
	struct rating_ctx c = { .r = r,
		.router_model = router_model_id,
		.learn = learn,
		.learn_ud = ud,
		.drop_ms = drop_ms,
		.drop_prompt = drop_prompt,
		.drop_found = drop_found };
	int rc = rating_commit(s, &c, cause);

	if (key_ms != NULL)
		*key_ms = rc == MC_OK ? c.key_ms : 0;
	return rc;
}

int
store_rating_commit(struct store *s, const struct store_rating *r,
    const char *router_model_id, const void *router_blob, size_t blob_len,
    char **cause)
{
	struct rating_ctx c = { .r = r,
		.router_model = router_model_id,
		.blob = router_blob,
		.blob_len = blob_len };

	return rating_commit(s, &c, cause);
}

/*
 * Many ratings in one transaction (store_ratings_commit_many): the learner
 * is handed each model's state once, learns its ratings one after another
 * and gives the state back once, at the end.  Nothing outside the
 * transaction sees a state between two ratings, so the end is what a
 * commit a rating stores, without a state encoded, written (and an fsync)
 * a rating.
 */
struct many_state {
	const char *model;
	bool begun; /* the learner holds its state */
	bool dirty; /* learned in this transaction: to write */
};

struct many_ctx {
	const struct store_rating *list;
	const char *const *router_models;
	size_t n;
	const struct store_learner *learner;
	struct many_state *st;
	size_t nst, stcap;
};

/* The model's entry, its state handed to the learner at its first use. */
static int
many_state_of(struct store *s, MDB_txn *txn, struct many_ctx *c,
    const char *model, struct many_state **out)
{
	MDB_val k = { strlen(model), (void *)(uintptr_t)model }, d;
	struct many_state *e;
	const void *blob = NULL;
	size_t i, len = 0;
	int rc;

	for (i = 0; i < c->nst; i++)
		if (strcmp(c->st[i].model, model) == 0) {
			*out = &c->st[i];
			return 0;
		}
	rc = mdb_get(txn, s->router, &k, &d);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	/* Damaged: starts from the learner's own, as put_learned_state. */
	if (rc == 0 &&
	    record_router_decode(d.mv_data, d.mv_size, &blob, &len) != MC_OK) {
		blob = NULL;
		len = 0;
	}
	c->st = xgrowarray(c->st, &c->stcap, c->nst + 1, sizeof *c->st);
	e = &c->st[c->nst++];
	e->model = model;
	e->begun = c->learner->begin(c->learner->ud, model, blob, len) == MC_OK;
	e->dirty = false;
	*out = e;
	return 0;
}

static int
many_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct many_ctx *c = arg;
	unsigned char key[KEY_RATING_LEN];
	struct many_state *e;
	struct buf b, out;
	size_t i;
	int rc = 0;

	c->nst = 0; /* a retried transaction starts again */
	for (i = 0; rc == 0 && i < c->n; i++) {
		struct store_rating r = c->list[i];
		const char *model = c->router_models[i];

		if (model != NULL) {
			if ((rc = many_state_of(s, txn, c, model, &e)) != 0)
				break;
			/* Refused, as rating_body: kept pending. */
			if (e->begun &&
			    c->learner->learn(c->learner->ud, i) == MC_OK)
				e->dirty = true;
			else
				r.pending = true;
		}
		rc = put_rating(s, txn, &r, key);
	}
	for (i = 0; rc == 0 && i < c->nst; i++) {
		e = &c->st[i];
		if (!e->dirty)
			continue;
		buf_init(&out, STORE_BLOB_MAX);
		buf_init(&b, STORE_BLOB_MAX + 64);
		rc = c->learner->save(c->learner->ud, e->model, &out);
		if (rc == MC_OK)
			rc = record_router_encode(out.data, out.len, &b);
		if (rc == MC_OK)
			rc = put_buf(
			    txn, s->router, e->model, strlen(e->model), &b, 0);
		buf_release(&b);
		buf_release(&out);
	}
	return rc;
}

int
store_ratings_commit_many(struct store *s, const struct store_rating *list,
    const char *const *router_models, size_t n,
    const struct store_learner *learner, char **cause)
{
	struct many_ctx c = { list, router_models, n, learner, NULL, 0, 0 };
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if ((rc = rating_check(&list[i], router_models[i], 0, cause)) !=
		    MC_OK)
			return rc;
	if (n == 0)
		return MC_OK;
	rc = store_txn_write(s, "saving ratings", many_body, &c);
	if (rc != MC_OK)
		*cause = xstrdup(store_strerror(s));
	free(c.st);
	return rc;
}

/* store_rating_settle's transaction. */
static int
settle_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct rating_ctx *c = arg;
	unsigned char key[KEY_RATING_LEN];
	MDB_val k = { sizeof key, key }, d;
	struct store_rating now;
	struct buf b;
	int rc;

	record_key_rating(c->r->session, c->r->seq, c->r->key_ms, key);
	if ((rc = mdb_get(txn, s->ratings, &k, &d)) != 0)
		return rc;
	if (record_rating_decode(d.mv_data, d.mv_size, &now) != MC_OK)
		return MC_ERR_NOTFOUND; /* damaged since: left alone */
	if (!now.pending) {
		record_rating_release(&now);
		return MC_ERR_NOTFOUND;
	}
	now.pending = false;
	buf_init(&b, VALUE_MAX);
	rc = record_rating_encode(&now, &b);
	record_rating_release(&now);
	if (rc == MC_OK)
		rc = put_buf(txn, s->ratings, key, sizeof key, &b, 0);
	buf_release(&b);
	if (rc == 0)
		rc = bump_ratings_gen(s, txn);
	if (rc != 0)
		return rc;
	rc = put_learned_state(s, txn, c);
	return rc == LEARN_REFUSED ? MC_ERR_NOTFOUND : rc;
}

int
store_rating_settle(struct store *s, const struct store_rating *r,
    const char *router_model_id, store_learn_fn learn, void *ud, char **cause)
{
	struct rating_ctx c = { .r = r,
		.router_model = router_model_id,
		.learn = learn,
		.learn_ud = ud };
	int rc;

	if (!store_model_ok(router_model_id)) {
		*cause = xasprintf(
		    "a model id must have 1 to %d bytes", STORE_MODEL_MAX);
		return MC_ERR_USAGE;
	}
	rc = store_txn_write(s, "learning a kept rating", settle_body, &c);
	if (rc != MC_OK && rc != MC_ERR_NOTFOUND)
		*cause = xstrdup(store_strerror(s));
	return rc;
}

void
store_ratings_free(struct store_rating *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		record_rating_release(&list[i]);
	free(list);
}

struct ratings_ctx {
	struct store_rating *list;
	size_t n, cap;
	/* With a read kept open (store_ratings_read): each rating's record,
	 * in the transaction's pages, to decode its features from. */
	MDB_val *raw;
	size_t rawcap;
	bool keep_raw;
};

/*
 * Every rating in key order, decoded (its features only with features),
 * handed to visit (which keeps it or releases it) with its record; a
 * damaged one is reported and skipped.  visit returns true to stop.  The
 * ratings tied to no reply (session 0) come first.
 */
static int
ratings_walk(struct store *s, MDB_txn *txn, bool features,
    bool (*visit)(
        const MDB_val *k, const MDB_val *d, struct store_rating *r, void *ud),
    void *ud)
{
	struct store_rating r;
	MDB_cursor *cur;
	MDB_val k, d;
	int rc, op;

	if ((rc = mdb_cursor_open(txn, s->ratings, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		rc = features
		         ? record_rating_decode(d.mv_data, d.mv_size, &r)
		         : record_rating_decode_head(d.mv_data, d.mv_size, &r);
		if (rc != MC_OK) {
			store_report_damaged(
			    s, "ratings", k.mv_data, k.mv_size, rc);
			continue;
		}
		if (k.mv_size == KEY_RATING_LEN)
			r.key_ms = record_key_rating_time(k.mv_data);
		if (visit(&k, &d, &r, ud))
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : rc;
}

static bool
ratings_keep(
    const MDB_val *k, const MDB_val *d, struct store_rating *r, void *ud)
{
	struct ratings_ctx *c = ud;

	(void)k;
	c->list = xgrowarray(c->list, &c->cap, c->n + 1, sizeof *c->list);
	if (c->keep_raw) {
		c->raw =
		    xgrowarray(c->raw, &c->rawcap, c->n + 1, sizeof *c->raw);
		c->raw[c->n] = *d;
	}
	c->list[c->n++] = *r;
	return false;
}

/* By origin, model and prompt, then as made (time, then key order). */
static int
cmp_origin(const void *a, const void *b)
{
	const struct store_rating *x = *(const struct store_rating *const *)a,
	                          *y = *(const struct store_rating *const *)b;
	int d;

	if ((d = (x->source == STORE_SOURCE_REASK) -
	         (y->source == STORE_SOURCE_REASK)) != 0 ||
	    (d = strcmp(x->origin, y->origin)) != 0 ||
	    (d = strcmp(x->model != NULL ? x->model : "",
	         y->model != NULL ? y->model : "")) != 0 ||
	    (d = strcmp(x->prompt, y->prompt)) != 0)
		return d;
	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	return x < y ? -1 : x > y;
}

/*
 * Mark the ratings of list (in key order) that a later one replaced: of a
 * reply's ratings (adjacent in key order, oldest first) all but its last;
 * of imported ratings of one reply elsewhere (the same origin, model and
 * prompt: a rating there and its correction, imported from two exports)
 * all but the latest made; of re-ask lessons of one reply here (two
 * mixchats re-asked it at once) all but the latest.
 */
static void
ratings_mark_superseded(struct store_rating *list, size_t n)
{
	struct store_rating **imp;
	size_t i, m = 0;

	for (i = 0; i + 1 < n; i++)
		list[i].superseded = list[i].session != 0 &&
		                     list[i].session == list[i + 1].session &&
		                     list[i].seq == list[i + 1].seq;
	imp = xcalloc(n + 1, sizeof *imp);
	for (i = 0; i < n; i++)
		if (list[i].session == 0 && list[i].origin != NULL &&
		    list[i].prompt != NULL)
			imp[m++] = &list[i];
	qsort(imp, m, sizeof *imp, cmp_origin);
	for (i = 0; i + 1 < m; i++)
		if ((imp[i]->source == STORE_SOURCE_REASK) ==
		        (imp[i + 1]->source == STORE_SOURCE_REASK) &&
		    strcmp(imp[i]->origin, imp[i + 1]->origin) == 0 &&
		    strcmp(imp[i]->model != NULL ? imp[i]->model : "",
		        imp[i + 1]->model != NULL ? imp[i + 1]->model : "") ==
		        0 &&
		    strcmp(imp[i]->prompt, imp[i + 1]->prompt) == 0)
			imp[i]->superseded = true;
	free(imp);
}

struct rating_when {
	int64_t time_ms;
	size_t rank; /* in key order */
};

/* By the time they were made; ties in key order (the order stored). */
static int
cmp_rating_made(const void *a, const void *b)
{
	const struct rating_when *x = a, *y = b;

	if (x->time_ms != y->time_ms)
		return x->time_ms < y->time_ms ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Reorder list[0..n) by the time the ratings were made, and raw (when
 * not NULL) with it. */
static void
ratings_sort_made(struct store_rating *list, MDB_val *raw, size_t n)
{
	struct rating_when *w = xcalloc(n + 1, sizeof *w);
	struct store_rating *sorted = xcalloc(n + 1, sizeof *sorted);
	MDB_val *rs = raw != NULL ? xcalloc(n + 1, sizeof *rs) : NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		w[i].time_ms = list[i].time_ms;
		w[i].rank = i;
	}
	qsort(w, n, sizeof *w, cmp_rating_made);
	for (i = 0; i < n; i++) {
		sorted[i] = list[w[i].rank];
		if (rs != NULL)
			rs[i] = raw[w[i].rank];
	}
	memcpy(list, sorted, n * sizeof *list);
	if (rs != NULL)
		memcpy(raw, rs, n * sizeof *raw);
	free(rs);
	free(sorted);
	free(w);
}

/*
 * The ratings of txn as store_ratings_list gives them: in the order made,
 * the superseded marked.  On failure c holds none.
 */
static int
ratings_collect(
    struct store *s, MDB_txn *txn, bool features, struct ratings_ctx *c)
{
	int rc = ratings_walk(s, txn, features, ratings_keep, c);

	if (rc != 0) {
		store_ratings_free(c->list, c->n);
		free(c->raw);
		c->list = NULL;
		c->raw = NULL;
		c->n = 0;
		return rc;
	}
	ratings_mark_superseded(c->list, c->n);
	/*
	 * The keys group ratings by conversation; whoever replays them (the
	 * router's memory at start-up, an export) wants the order they were
	 * made, which is what the memory saw live.
	 */
	if (c->n > 1)
		ratings_sort_made(c->list, c->raw, c->n);
	return 0;
}

static int
ratings_body(struct store *s, MDB_txn *txn, void *arg)
{
	return ratings_collect(s, txn, true, arg);
}

int
store_ratings_list(struct store *s, struct store_rating **list, size_t *n)
{
	struct ratings_ctx c = { .list = NULL };
	int rc;

	rc = store_txn_read(s, "reading ratings", ratings_body, &c);
	*list = c.list;
	*n = c.n;
	return rc;
}

struct store_ratings {
	MDB_txn *txn;
	struct store_rating *list;
	MDB_val *raw; /* list[i]'s record, in txn's pages */
	size_t n;
};

int
store_ratings_read(struct store *s, struct store_ratings **rd,
    struct store_rating **list, size_t *n)
{
	struct ratings_ctx c = { .keep_raw = rd != NULL };
	MDB_txn *txn;
	int rc;

	*list = NULL;
	*n = 0;
	if (rd != NULL)
		*rd = NULL;
	if ((rc = store_txn_begin_read(s, &txn)) == 0 &&
	    (rc = ratings_collect(s, txn, false, &c)) != 0)
		mdb_txn_abort(txn);
	if (rc != 0)
		return store_txn_result(s, "reading ratings", rc);
	if (rd == NULL) {
		mdb_txn_abort(txn);
		free(c.raw);
	} else {
		*rd = xmalloc(sizeof **rd);
		**rd = (struct store_ratings){
			.txn = txn, .list = c.list, .raw = c.raw, .n = c.n
		};
	}
	*list = c.list;
	*n = c.n;
	return MC_OK;
}

int
store_ratings_features(struct store_ratings *rd, size_t i)
{
	struct store_rating r;
	int rc;

	if (rd == NULL || i >= rd->n)
		return MC_ERR_USAGE;
	if (rd->list[i].features != NULL)
		return MC_OK;
	/* It decoded without its features in this transaction: it does
	 * with them. */
	rc = record_rating_decode(rd->raw[i].mv_data, rd->raw[i].mv_size, &r);
	if (rc != MC_OK)
		return rc;
	rd->list[i].features = r.features;
	rd->list[i].nfeatures = r.nfeatures;
	r.features = NULL;
	record_rating_release(&r);
	return MC_OK;
}

void
store_rating_features_drop(struct store_rating *r)
{
	free((void *)(uintptr_t)r->features);
	r->features = NULL;
}

void
store_ratings_end(struct store_ratings *rd)
{
	if (rd == NULL)
		return;
	mdb_txn_abort(rd->txn);
	free(rd->raw);
	free(rd);
}

/* The latest re-ask soft lesson of model on prompt (store_reask_find). */
struct reask_ctx {
	const char *model, *prompt, *reply_id;
	int64_t key_ms;
};

static bool
reask_visit(
    const MDB_val *k, const MDB_val *d, struct store_rating *r, void *ud)
{
	struct reask_ctx *c = ud;
	const unsigned char *key = k->mv_data;
	size_t i;

	(void)d;
	for (i = 0; i < 8 && k->mv_size == KEY_RATING_LEN && key[i] == 0; i++)
		;
	if (k->mv_size == KEY_RATING_LEN && i < 8) {
		record_rating_release(r);
		return true; /* past session 0 */
	}
	if (k->mv_size == KEY_RATING_LEN &&
	    store_reask_of(r, c->model, c->prompt, c->reply_id))
		c->key_ms = r->key_ms;
	record_rating_release(r);
	return false;
}

static int
reask_body(struct store *s, MDB_txn *txn, void *arg)
{
	return ratings_walk(s, txn, false, reask_visit, arg);
}

bool
store_reask_of(const struct store_rating *r, const char *model,
    const char *prompt, const char *reply_id)
{
	if (r->source != STORE_SOURCE_REASK || r->pending || r->model == NULL ||
	    r->prompt == NULL || model == NULL || prompt == NULL ||
	    strcmp(r->model, model) != 0 || strcmp(r->prompt, prompt) != 0)
		return false;
	/* Made since lessons name their reply: that reply's alone. */
	return r->origin == NULL || reply_id == NULL ||
	       strcmp(r->origin, reply_id) == 0;
}

int
store_reask_find(struct store *s, const char *model, const char *prompt,
    const char *reply_id, int64_t *key_ms)
{
	struct reask_ctx c = { model, prompt, reply_id, 0 };
	int rc;

	*key_ms = 0;
	rc = store_txn_read(s, "reading ratings", reask_body, &c);
	if (rc == MC_OK)
		*key_ms = c.key_ms;
	return rc == MC_OK && c.key_ms == 0 ? MC_ERR_NOTFOUND : rc;
}

/* Router state. */

struct router_ctx {
	const char *model;
	const void *blob;
	size_t len;
	struct buf *out;
	struct store_router_state *list;
	size_t n, cap;
};

static int
router_get_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct router_ctx *c = arg;
	MDB_val k = { strlen(c->model), (void *)(uintptr_t)c->model }, d;
	const void *blob;
	size_t len;
	int rc;

	if ((rc = mdb_get(txn, s->router, &k, &d)) != 0)
		return rc;
	rc = record_router_decode(d.mv_data, d.mv_size, &blob, &len);
	if (rc != MC_OK) {
		store_report_damaged(s, "router", k.mv_data, k.mv_size, rc);
		store_set_error(s,
		    "the router state of %s is damaged; it "
		    "starts afresh",
		    c->model);
		return MC_ERR_CORRUPT;
	}
	return buf_add(c->out, blob, len);
}

int
store_router_get(struct store *s, const char *model_id, struct buf *out)
{
	struct router_ctx c;

	if (!store_model_ok(model_id))
		return MC_ERR_USAGE;
	memset(&c, 0, sizeof c);
	c.model = model_id;
	c.out = out;
	buf_reset(out);
	return store_txn_read(s, "reading router state", router_get_body, &c);
}

struct stamps_ctx {
	const char *const *models;
	size_t n;
	uint64_t *stamps;
};

static int
stamps_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct stamps_ctx *c = arg;
	size_t i;

	for (i = 0; i < c->n; i++) {
		MDB_val k = { strlen(c->models[i]),
			(void *)(uintptr_t)c->models[i] },
		        d;
		const unsigned char *p;
		int rc = mdb_get(txn, s->router, &k, &d);

		c->stamps[i] = 0;
		if (rc == MDB_NOTFOUND)
			continue;
		if (rc != 0)
			return rc;
		/* Its size and the state's own checksum, which ends the
		 * state (router/state.c), before the record's checksum of it
		 * (record.c; that one, of data ending in its own CRC, is the
		 * same for every state). */
		if (d.mv_size < 12)
			continue;
		p = (const unsigned char *)d.mv_data + d.mv_size - 8;
		c->stamps[i] = (uint64_t)d.mv_size << 32 | (uint64_t)p[0] |
		               (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
		               (uint64_t)p[3] << 24;
	}
	return 0;
}

uint64_t
store_router_stamp_of(const void *blob, size_t len)
{
	const unsigned char *p = (const unsigned char *)blob + len - 4;

	if (len < 4)
		return 0;
	/* As stamps_body reads it: the record is the state and 9 bytes
	 * (record_router_encode: version, length, state, checksum). */
	return (uint64_t)(len + 9) << 32 | (uint64_t)p[0] |
	       (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24;
}

int
store_router_stamps(
    struct store *s, const char *const *models, size_t n, uint64_t *stamps)
{
	struct stamps_ctx c = { models, n, stamps };

	return store_txn_read(s, "reading router state", stamps_body, &c);
}

static int
router_put_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct router_ctx *c = arg;
	struct buf b;
	int rc;

	buf_init(&b, STORE_BLOB_MAX + 64);
	rc = record_router_encode(c->blob, c->len, &b);
	if (rc == MC_OK)
		rc = put_buf(txn, s->router, c->model, strlen(c->model), &b, 0);
	buf_release(&b);
	return rc;
}

int
store_router_put(
    struct store *s, const char *model_id, const void *blob, size_t len)
{
	struct router_ctx c;

	if (!store_model_ok(model_id) || len > STORE_BLOB_MAX)
		return MC_ERR_USAGE;
	memset(&c, 0, sizeof c);
	c.model = model_id;
	c.blob = blob;
	c.len = len;
	return store_txn_write(s, "saving router state", router_put_body, &c);
}

static int
router_update_body(struct store *s, MDB_txn *txn, void *arg)
{
	int rc = put_learned_state(s, txn, arg);

	return rc == LEARN_REFUSED ? MC_ERR_EXISTS : rc;
}

int
store_router_update(
    struct store *s, const char *model_id, store_learn_fn learn, void *ud)
{
	struct rating_ctx c = {
		.router_model = model_id, .learn = learn, .learn_ud = ud
	};

	if (!store_model_ok(model_id))
		return MC_ERR_USAGE;
	return store_txn_write(
	    s, "saving router state", router_update_body, &c);
}

void
store_router_free(struct store_router_state *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].model);
		free(list[i].blob);
	}
	free(list);
}

static int
router_list_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct router_ctx *c = arg;
	MDB_cursor *cur;
	MDB_val k, d;
	const void *blob;
	size_t len;
	int rc, op;

	if ((rc = mdb_cursor_open(txn, s->router, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		rc = record_router_decode(d.mv_data, d.mv_size, &blob, &len);
		if (rc != MC_OK || k.mv_size == 0 ||
		    k.mv_size > STORE_MODEL_MAX) {
			store_report_damaged(s, "router", k.mv_data, k.mv_size,
			    rc != MC_OK ? rc : MC_ERR_CORRUPT);
			continue;
		}
		c->list =
		    xgrowarray(c->list, &c->cap, c->n + 1, sizeof *c->list);
		c->list[c->n].model = xstrndup(k.mv_data, k.mv_size);
		c->list[c->n].blob = xmalloc(len > 0 ? len : 1);
		memcpy(c->list[c->n].blob, blob, len);
		c->list[c->n].len = len;
		c->n++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_router_list(struct store *s, struct store_router_state **list, size_t *n)
{
	struct router_ctx c;
	int rc;

	memset(&c, 0, sizeof c);
	rc = store_txn_read(s, "reading router state", router_list_body, &c);
	if (rc != MC_OK) {
		store_router_free(c.list, c.n);
		c.list = NULL;
		c.n = 0;
	}
	*list = c.list;
	*n = c.n;
	return rc;
}

/* Latency. */

struct latency_ctx {
	const char *model;
	struct store_latency *lat;
};

static int
latency_get_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct latency_ctx *c = arg;
	MDB_val k = { strlen(c->model), (void *)(uintptr_t)c->model }, d;
	int rc;

	if ((rc = mdb_get(txn, s->latency, &k, &d)) != 0)
		return rc;
	rc = record_latency_decode(d.mv_data, d.mv_size, c->lat);
	if (rc != MC_OK) {
		store_report_damaged(s, "latency", k.mv_data, k.mv_size, rc);
		return MDB_NOTFOUND;
	}
	return 0;
}

int
store_latency_get(
    struct store *s, const char *model_id, struct store_latency *out)
{
	struct latency_ctx c = { model_id, out };

	memset(out, 0, sizeof *out);
	if (!store_model_ok(model_id))
		return MC_ERR_USAGE;
	return store_txn_read(s, "reading latency", latency_get_body, &c);
}

static int
latency_put_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct latency_ctx *c = arg;
	struct buf b;
	int rc;

	buf_init(&b, 256);
	rc = record_latency_encode(c->lat, &b);
	if (rc == MC_OK)
		rc =
		    put_buf(txn, s->latency, c->model, strlen(c->model), &b, 0);
	buf_release(&b);
	return rc;
}

int
store_latency_put(
    struct store *s, const char *model_id, const struct store_latency *lat)
{
	struct latency_ctx c = { model_id,
		(struct store_latency *)(uintptr_t)lat };

	if (!store_model_ok(model_id))
		return MC_ERR_USAGE;
	return store_txn_write(s, "saving latency", latency_put_body, &c);
}

/* Refusals. */

/*
 * Where each model's learned state started (meta "start" model -> its
 * prior's name, "" for its price tier): a state learned from another
 * start than config.json names now is learned again from the ratings.
 */
#define START_PREFIX "start"
#define START_PLEN   (sizeof START_PREFIX - 1)

struct start_ctx {
	const char *const *models;
	size_t n;
	char **starts; /* get: out */
	const char *const *put;
};

/* A meta key of a model's: prefix (plen bytes), then its id, into key;
 * its length. */
static size_t
meta_model_key(const char *prefix, size_t plen, const char *model, char *key)
{
	size_t len = strlen(model);

	memcpy(key, prefix, plen);
	memcpy(key + plen, model, len);
	return plen + len;
}

static size_t
start_key(const char *model, char *key)
{
	return meta_model_key(START_PREFIX, START_PLEN, model, key);
}

static int
start_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct start_ctx *c = arg;
	char key[START_PLEN + STORE_MODEL_MAX];
	MDB_val k, d;
	size_t i;
	int rc;

	for (i = 0; i < c->n; i++) {
		k.mv_size = start_key(c->models[i], key);
		k.mv_data = key;
		if (c->put != NULL) {
			d.mv_size = strlen(c->put[i]);
			d.mv_data = (void *)(uintptr_t)c->put[i];
			if ((rc = mdb_put(txn, s->meta, &k, &d, 0)) != 0)
				return rc;
			continue;
		}
		free(c->starts[i]);
		c->starts[i] = NULL;
		rc = mdb_get(txn, s->meta, &k, &d);
		if (rc == MDB_NOTFOUND)
			continue;
		if (rc != 0)
			return rc;
		if (d.mv_size <= STORE_MODEL_MAX &&
		    memchr(d.mv_data, '\0', d.mv_size) == NULL)
			c->starts[i] = xstrndup(d.mv_data, d.mv_size);
	}
	return 0;
}

int
store_model_starts(
    struct store *s, const char *const *models, size_t n, char **starts)
{
	struct start_ctx c = { models, n, starts, NULL };
	size_t i;

	for (i = 0; i < n; i++) {
		starts[i] = NULL;
		if (!store_model_ok(models[i]))
			return MC_ERR_USAGE;
	}
	return store_txn_read(
	    s, "reading where states started", start_body, &c);
}

int
store_model_starts_put(struct store *s, const char *const *models,
    const char *const *starts, size_t n)
{
	struct start_ctx c = { models, n, NULL, starts };
	size_t i;

	for (i = 0; i < n; i++)
		if (!store_model_ok(models[i]) ||
		    strlen(starts[i]) > STORE_MODEL_MAX)
			return MC_ERR_USAGE;
	if (n == 0)
		return MC_OK;
	return store_txn_write(
	    s, "keeping where states started", start_body, &c);
}

#define REFUSED_PREFIX "refused"
#define REFUSED_PLEN   (sizeof REFUSED_PREFIX - 1)

struct refusal_ctx {
	const struct store_refusal *put; /* n of them, for a put */
	const char *const *drop;         /* n of them, for a drop */
	struct store_refusal *list;      /* read */
	size_t n, cap;
};

/* The meta key of model's refusal into key (REFUSED_PLEN + its length). */
static size_t
refusal_key(const char *model, char *key)
{
	return meta_model_key(REFUSED_PREFIX, REFUSED_PLEN, model, key);
}

static int
refusal_put_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct refusal_ctx *c = arg;
	char key[REFUSED_PLEN + STORE_MODEL_MAX];
	struct buf b;
	MDB_val k, d;
	size_t i;
	int rc = MC_OK;

	buf_init(&b, 64);
	for (i = 0; i < c->n && rc == MC_OK; i++) {
		buf_reset(&b);
		if ((rc = record_refusal_encode(&c->put[i], &b)) != MC_OK)
			break;
		k.mv_size = refusal_key(c->put[i].model, key);
		k.mv_data = key;
		d.mv_size = b.len;
		d.mv_data = b.data;
		rc = mdb_put(txn, s->meta, &k, &d, 0);
	}
	buf_release(&b);
	return rc;
}

int
store_refusals_put(struct store *s, const struct store_refusal *list, size_t n)
{
	struct refusal_ctx c = { list, NULL, NULL, n, 0 };
	size_t i;

	for (i = 0; i < n; i++)
		if (!store_model_ok(list[i].model))
			return MC_ERR_USAGE;
	if (n == 0)
		return MC_OK;
	return store_txn_write(s, "keeping a refusal", refusal_put_body, &c);
}

static int
refusal_drop_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct refusal_ctx *c = arg;
	char key[REFUSED_PLEN + STORE_MODEL_MAX];
	MDB_val k;
	size_t i;
	int rc;

	for (i = 0; i < c->n; i++) {
		k.mv_size = refusal_key(c->drop[i], key);
		k.mv_data = key;
		rc = mdb_del(txn, s->meta, &k, NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return rc;
	}
	return 0;
}

int
store_refusals_drop(struct store *s, const char *const *models, size_t n)
{
	struct refusal_ctx c = { NULL, models, NULL, n, 0 };
	size_t i;

	for (i = 0; i < n; i++)
		if (!store_model_ok(models[i]))
			return MC_ERR_USAGE;
	if (n == 0)
		return MC_OK;
	return store_txn_write(
	    s, "forgetting a refusal", refusal_drop_body, &c);
}

static int
refusals_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct refusal_ctx *c = arg;
	MDB_cursor *cur;
	MDB_val k = { REFUSED_PLEN, (void *)(uintptr_t)REFUSED_PREFIX }, d;
	int rc, op;

	if ((rc = mdb_cursor_open(txn, s->meta, &cur)) != 0)
		return rc;
	for (op = MDB_SET_RANGE;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		struct store_refusal r;
		size_t mlen;
		int drc;

		if (k.mv_size < REFUSED_PLEN ||
		    memcmp(k.mv_data, REFUSED_PREFIX, REFUSED_PLEN) != 0)
			break;
		mlen = k.mv_size - REFUSED_PLEN;
		drc = record_refusal_decode(d.mv_data, d.mv_size, &r);
		if (drc != MC_OK || mlen == 0 || mlen > STORE_MODEL_MAX ||
		    memchr((const char *)k.mv_data + REFUSED_PLEN, '\0',
		        mlen) != NULL) {
			store_report_damaged(s, "meta", k.mv_data, k.mv_size,
			    drc != MC_OK ? drc : MC_ERR_CORRUPT);
			continue;
		}
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 8;
			c->list =
			    xreallocarray(c->list, c->cap, sizeof *c->list);
		}
		r.model =
		    xstrndup((const char *)k.mv_data + REFUSED_PLEN, mlen);
		c->list[c->n++] = r;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_refusals_list(struct store *s, struct store_refusal **list, size_t *n)
{
	struct refusal_ctx c = { NULL, NULL, NULL, 0, 0 };
	int rc;

	rc = store_txn_read(s, "reading refusals", refusals_body, &c);
	if (rc != MC_OK) {
		store_refusals_free(c.list, c.n);
		c.list = NULL;
		c.n = 0;
	}
	*list = c.list;
	*n = c.n;
	return rc;
}

void
store_refusals_free(struct store_refusal *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i].model);
	free(list);
}

/* Spend. */

void
store_spend_free(struct store_spend *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i].model);
	free(list);
}

struct spend_ctx {
	struct store_spend *list;
	size_t n, cap;
};

static int
spend_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct spend_ctx *c = arg;
	struct store_spend sp;
	const unsigned char *kp;
	MDB_cursor *cur;
	MDB_val k, d;
	int rc, op;

	if ((rc = mdb_cursor_open(txn, s->spend, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		memset(&sp, 0, sizeof sp);
		if (k.mv_size <= 4 || k.mv_size > KEY_SPEND_MAX ||
		    (rc = record_spend_decode(d.mv_data, d.mv_size, &sp)) !=
		        MC_OK) {
			store_report_damaged(
			    s, "spend", k.mv_data, k.mv_size, MC_ERR_CORRUPT);
			continue;
		}
		kp = k.mv_data;
		sp.day = (uint32_t)kp[0] << 24 | (uint32_t)kp[1] << 16 |
		         (uint32_t)kp[2] << 8 | kp[3];
		sp.model = xstrndup((const char *)kp + 4, k.mv_size - 4);
		c->list =
		    xgrowarray(c->list, &c->cap, c->n + 1, sizeof *c->list);
		c->list[c->n++] = sp;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_spend_list(struct store *s, struct store_spend **list, size_t *n)
{
	struct spend_ctx c = { NULL, 0, 0 };
	int rc;

	rc = store_txn_read(s, "reading spend", spend_body, &c);
	if (rc != MC_OK) {
		store_spend_free(c.list, c.n);
		c.list = NULL;
		c.n = 0;
	}
	*list = c.list;
	*n = c.n;
	return rc;
}

struct spend_day_ctx {
	uint32_t day;
	double usd;
};

static int
spend_day_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct spend_day_ctx *c = arg;
	unsigned char key[4];
	struct store_spend sp;
	MDB_cursor *cur;
	MDB_val k = { 4, key }, d;
	int rc, op;

	key[0] = (unsigned char)(c->day >> 24);
	key[1] = (unsigned char)(c->day >> 16);
	key[2] = (unsigned char)(c->day >> 8);
	key[3] = (unsigned char)c->day;
	c->usd = 0;
	if ((rc = mdb_cursor_open(txn, s->spend, &cur)) != 0)
		return rc;
	for (op = MDB_SET_RANGE;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size < 4 || memcmp(k.mv_data, key, 4) != 0)
			break;
		if (record_spend_decode(d.mv_data, d.mv_size, &sp) != MC_OK) {
			store_report_damaged(
			    s, "spend", k.mv_data, k.mv_size, MC_ERR_CORRUPT);
			continue;
		}
		c->usd += sp.usd;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_spend_day(struct store *s, uint32_t day, double *usd)
{
	struct spend_day_ctx c = { day, 0 };
	int rc;

	rc = store_txn_read(s, "reading spend", spend_day_body, &c);
	*usd = rc == MC_OK ? c.usd : 0;
	return rc;
}

/* Holds (store.h).  Key: "hold" | pid u32 BE | time ms u64 BE | n u32 BE;
 * value: day u32 | usd f64 | time ms i64 | its writer (store_writer): pid
 * u32, start u64, token u64; native order.  A value of HOLD_VALUE_OLD
 * bytes (written before holds named their writer by more than its pid)
 * ends with the pid. */

#define HOLD_VALUE     40
#define HOLD_VALUE_OLD 24

struct hold_ctx {
	uint32_t day;
	double usd, budget;
	double spent, held; /* out */
	double usd_max;     /* hold up to this much of what is left */
	double usd_held;    /* out: what the hold holds */
	struct store_hold *hold;
	bool write;
};

/* Whether a hold (its value, of either size) still counts at now. */
static bool
hold_live(const unsigned char *v, size_t len, int64_t now)
{
	struct store_writer w = { 0, 0, 0 };
	int64_t t;

	memcpy(&t, v + 12, 8);
	memcpy(&w.pid, v + 20, 4);
	/* However long its reply streams, while its writer lives; but not
	 * past a day, where no start time could be read to tell a pid used
	 * again from the writer. */
	if (now - t > STORE_HOLD_MAX_MS || t - now > STORE_HOLD_MAX_MS)
		return false;
	/* An old hold names its writer by pid alone (start unknown). */
	if (len == HOLD_VALUE) {
		memcpy(&w.start, v + 24, 8);
		memcpy(&w.token, v + 32, 8);
	}
	return store_writer_alive(&w);
}

static int
hold_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct hold_ctx *c = arg;
	struct spend_day_ctx sd = { c->day, 0 };
	int64_t now = time_wall_ms();
	MDB_cursor *cur;
	MDB_val k = { 4, (void *)(uintptr_t) "hold" }, d;
	unsigned char value[HOLD_VALUE];
	int rc, op;

	if ((rc = spend_day_body(s, txn, &sd)) != 0)
		return rc;
	c->spent = sd.usd;
	c->held = 0;
	if ((rc = mdb_cursor_open(txn, s->meta, &cur)) != 0)
		return rc;
	for (op = MDB_SET_RANGE;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		uint32_t day;
		double usd;

		if (k.mv_size < 4 || memcmp(k.mv_data, "hold", 4) != 0)
			break;
		if (d.mv_size != HOLD_VALUE && d.mv_size != HOLD_VALUE_OLD)
			continue;
		memcpy(&day, d.mv_data, 4);
		memcpy(&usd, (const char *)d.mv_data + 4, 8);
		if (!hold_live(d.mv_data, d.mv_size, now)) {
			/* Its process died before booking: let it go. */
			if (c->write && (rc = mdb_cursor_del(cur, 0)) != 0)
				break;
			continue;
		}
		(void)day; /* booked on the day it ends: counted today */
		if (usd > 0)
			c->held += usd;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND && rc != 0)
		return rc;
	if (!c->write)
		return 0;
	/* A request that costs nothing (a local model) is never refused:
	 * spend past the budget (a provider's overrun, a budget lowered
	 * today) leaves nothing for the others, not for it. */
	if (c->budget > 0 && c->usd > 0 &&
	    c->spent + c->held + c->usd > c->budget + 1e-12)
		return MC_ERR_BUDGET;
	/* What the request may spend at most, as far as what is left
	 * allows: the holds of the next requests see it.  Kept apart from
	 * usd, which a transaction run again must check afresh. */
	c->usd_held = c->usd;
	if (c->budget > 0 && c->usd_max > c->usd) {
		double avail = c->budget - c->spent - c->held;

		c->usd_held = c->usd_max < avail ? c->usd_max : avail;
		if (c->usd_held < c->usd)
			c->usd_held = c->usd;
	}
	{
		static uint32_t n;
		const struct store_writer *me = store_writer_me();
		uint32_t pid = me->pid;
		unsigned char *key = c->hold->key;
		MDB_val hk = { STORE_HOLD_KEY, key },
		        hv = { HOLD_VALUE, value };
		int i;

		memcpy(key, "hold", 4);
		for (i = 0; i < 4; i++)
			key[4 + i] = (unsigned char)(pid >> (24 - 8 * i));
		for (i = 0; i < 8; i++)
			key[8 + i] =
			    (unsigned char)((uint64_t)now >> (56 - 8 * i));
		n++;
		for (i = 0; i < 4; i++)
			key[16 + i] = (unsigned char)(n >> (24 - 8 * i));
		memcpy(value, &c->day, 4);
		memcpy(value + 4, &c->usd_held, 8);
		memcpy(value + 12, &now, 8);
		memcpy(value + 20, &pid, 4);
		memcpy(value + 24, &me->start, 8);
		memcpy(value + 32, &me->token, 8);
		return mdb_put(txn, s->meta, &hk, &hv, 0);
	}
}

int
store_hold_take(struct store *s, uint32_t day, double usd, double budget,
    double *left, struct store_hold *hold)
{
	return store_hold_take_upto(s, day, usd, 0, budget, left, NULL, hold);
}

int
store_hold_take_upto(struct store *s, uint32_t day, double usd, double usd_max,
    double budget, double *left, double *held, struct store_hold *hold)
{
	struct hold_ctx c = { .day = day,
		.usd = usd > 0 ? usd : 0,
		.budget = budget,
		.usd_max = usd_max,
		.hold = hold,
		.write = true };
	int rc;

	memset(hold, 0, sizeof *hold);
	rc = store_txn_write(s, "holding the budget", hold_body, &c);
	if ((rc == MC_ERR_BUDGET || rc == MC_OK) && left != NULL) {
		*left = budget - c.spent - c.held;
		if (*left < 0)
			*left = 0;
	}
	if (rc == MC_OK)
		hold->taken = true;
	if (held != NULL)
		*held = rc == MC_OK ? c.usd_held : 0;
	return rc;
}

int
store_hold_drop_in(struct store *s, MDB_txn *txn, struct store_hold *hold)
{
	MDB_val k = { STORE_HOLD_KEY, hold->key };
	int rc;

	if (hold == NULL || !hold->taken)
		return 0;
	rc = mdb_del(txn, s->meta, &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
hold_release_body(struct store *s, MDB_txn *txn, void *arg)
{
	return store_hold_drop_in(s, txn, arg);
}

void
store_hold_release(struct store *s, struct store_hold *hold)
{
	if (hold == NULL || !hold->taken)
		return;
	/* Not released (a full disk): it stops counting when this process
	 * ends. */
	if (store_txn_write(s, "releasing a hold", hold_release_body, hold) !=
	    MC_OK)
		log_debug(
		    "a budget hold was not released: %s", store_strerror(s));
	hold->taken = false;
}

int
store_spend_day_held(struct store *s, uint32_t day, double *usd)
{
	struct hold_ctx c = { .day = day, .write = false };
	int rc;

	rc = store_txn_read(s, "reading spend", hold_body, &c);
	*usd = rc == MC_OK ? c.spent + c.held : 0;
	return rc;
}

/* Per-model summary. */

void
store_model_stats_free(struct store_model_stats *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(list[i].model);
	free(list);
}

struct stats_ctx {
	uint32_t today;
	struct store_model_stats *list;
	size_t n, cap;
	double *rating_sum;
	double *latency_sum, *ttft_sum;
};

/* stats_model: the element of model (len bytes), added when new. */
static struct store_model_stats *
stats_model(struct stats_ctx *c, const char *model, size_t len)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strlen(c->list[i].model) == len &&
		    memcmp(c->list[i].model, model, len) == 0)
			return &c->list[i];
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->list = xreallocarray(c->list, c->cap, sizeof *c->list);
		c->rating_sum =
		    xreallocarray(c->rating_sum, c->cap, sizeof *c->rating_sum);
		c->latency_sum = xreallocarray(
		    c->latency_sum, c->cap, sizeof *c->latency_sum);
		c->ttft_sum =
		    xreallocarray(c->ttft_sum, c->cap, sizeof *c->ttft_sum);
	}
	memset(&c->list[c->n], 0, sizeof c->list[c->n]);
	c->list[c->n].model = xstrndup(model, len);
	c->rating_sum[c->n] = 0;
	c->latency_sum[c->n] = 0;
	c->ttft_sum[c->n] = 0;
	return &c->list[c->n++];
}

static int
stats_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct stats_ctx *c = arg;
	struct store_model_stats *ms;
	struct store_spend sp;
	struct store_message m;
	MDB_cursor *cur = NULL;
	MDB_val k, d;
	const void *blob;
	size_t len, i;
	uint32_t day;
	int rc, op;

	for (i = 0; i < c->n; i++)
		free(c->list[i].model);
	c->n = 0;
	/* spend */
	if ((rc = mdb_cursor_open(txn, s->spend, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		const unsigned char *kp = k.mv_data;

		if (k.mv_size <= 4 || k.mv_size > KEY_SPEND_MAX ||
		    record_spend_decode(d.mv_data, d.mv_size, &sp) != MC_OK) {
			store_report_damaged(
			    s, "spend", k.mv_data, k.mv_size, MC_ERR_CORRUPT);
			continue;
		}
		day = (uint32_t)kp[0] << 24 | (uint32_t)kp[1] << 16 |
		      (uint32_t)kp[2] << 8 | kp[3];
		ms = stats_model(c, (const char *)kp + 4, k.mv_size - 4);
		ms->calls += sp.calls;
		ms->spend_total += sp.usd;
		if (day / 100 == c->today / 100)
			ms->spend_month += sp.usd;
		if (day == c->today)
			ms->spend_today += sp.usd;
		ms->tokens_in += sp.tokens_in;
		ms->tokens_out += sp.tokens_out;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	/* replies */
	if ((rc = mdb_cursor_open(txn, s->messages, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (record_message_decode(d.mv_data, d.mv_size, &m) != MC_OK) {
			store_report_damaged(s, "messages", k.mv_data,
			    k.mv_size, MC_ERR_CORRUPT);
			continue;
		}
		if (m.role == STORE_ROLE_ASSISTANT && m.model != NULL &&
		    store_model_ok(m.model)) {
			ms = stats_model(c, m.model, strlen(m.model));
			ms->replies++;
			/* Timed: replies that brought text (a failure's
			 * time says nothing of the model's speed). */
			if (m.latency_ms > 0 && m.ttft_ms > 0) {
				ms->timed++;
				c->latency_sum[ms - c->list] += m.latency_ms;
				c->ttft_sum[ms - c->list] += m.ttft_ms;
			}
		}
		store_message_release(&m);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	/* ratings: those that count (a corrected one does not) */
	{
		struct ratings_ctx rl = { .list = NULL };

		/* Counts: the features are not decoded. */
		rc = ratings_walk(s, txn, false, ratings_keep, &rl);
		ratings_mark_superseded(rl.list, rl.n);
		for (i = 0; rc == 0 && i < rl.n; i++) {
			const struct store_rating *rt = &rl.list[i];

			if (rt->superseded || !store_model_ok(rt->model))
				continue;
			ms = stats_model(c, rt->model, strlen(rt->model));
			if (rt->pending)
				ms->pending++;
			if (rt->source == STORE_SOURCE_REASK)
				ms->reasks++;
			else {
				ms->ratings++;
				c->rating_sum[ms - c->list] += rt->score;
			}
		}
		store_ratings_free(rl.list, rl.n);
		if (rc != 0)
			return rc;
	}
	/* latency */
	if ((rc = mdb_cursor_open(txn, s->latency, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		struct store_latency lat;

		if (k.mv_size == 0 || k.mv_size > STORE_MODEL_MAX ||
		    record_latency_decode(d.mv_data, d.mv_size, &lat) !=
		        MC_OK) {
			store_report_damaged(
			    s, "latency", k.mv_data, k.mv_size, MC_ERR_CORRUPT);
			continue;
		}
		ms = stats_model(c, k.mv_data, k.mv_size);
		ms->has_latency = true;
		ms->latency = lat;
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	/* router */
	if ((rc = mdb_cursor_open(txn, s->router, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size == 0 || k.mv_size > STORE_MODEL_MAX ||
		    record_router_decode(d.mv_data, d.mv_size, &blob, &len) !=
		        MC_OK) {
			store_report_damaged(
			    s, "router", k.mv_data, k.mv_size, MC_ERR_CORRUPT);
			continue;
		}
		ms = stats_model(c, k.mv_data, k.mv_size);
		ms->has_router = true;
		ms->router_bytes = len;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
stats_cmp(const void *a, const void *b)
{
	const struct store_model_stats *x = a, *y = b;

	return strcmp(x->model, y->model);
}

int
store_model_stats(
    struct store *s, uint32_t today, struct store_model_stats **list, size_t *n)
{
	struct stats_ctx c;
	size_t i;
	int rc;

	memset(&c, 0, sizeof c);
	c.today = today;
	rc = store_txn_read(s, "reading statistics", stats_body, &c);
	for (i = 0; rc == MC_OK && i < c.n; i++) {
		struct store_model_stats *ms = &c.list[i];

		if (ms->timed > 0) {
			ms->mean_latency_ms = c.latency_sum[i] / ms->timed;
			ms->mean_ttft_ms = c.ttft_sum[i] / ms->timed;
		}
		if (ms->ratings > 0)
			ms->mean_rating = c.rating_sum[i] / ms->ratings;
	}
	free(c.rating_sum);
	free(c.latency_sum);
	free(c.ttft_sum);
	if (rc != MC_OK) {
		store_model_stats_free(c.list, c.n);
		c.list = NULL;
		c.n = 0;
	} else if (c.n > 0)
		qsort(c.list, c.n, sizeof *c.list, stats_cmp);
	*list = c.list;
	*n = c.n;
	return rc;
}
