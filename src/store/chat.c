/*
 * chat.c - conversations in the store: sessions, messages, reply ids, the
 * newest reply, and history search.  Key and value layouts: record.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/record.h"
#include "store/store_int.h"
#include "util/buf.h"
#include "util/terms.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define TITLE_MAX   60
#define SNIPPET_MAX 80
#define VALUE_MAX   (STORE_TEXT_MAX * 2 + 4096)

/* Sessions. */

void
store_session_release(struct store_session *ss)
{
	free(ss->name);
	free(ss->title);
	ss->name = NULL;
	ss->title = NULL;
}

void
store_sessions_free(struct store_session *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_session_release(&list[i]);
	free(list);
}

static int
put_record(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
    const struct buf *b)
{
	MDB_val k = { klen, (void *)(uintptr_t)key };
	MDB_val d = { b->len, b->data };

	return mdb_put(txn, dbi, &k, &d, 0);
}

/* session_load: decode session id within txn; damaged ones reported. */
static int
session_load(
    struct store *s, MDB_txn *txn, uint64_t id, struct store_session *out)
{
	unsigned char key[8];
	MDB_val k = { 8, key }, d;
	int rc;

	record_key_session(id, key);
	rc = mdb_get(txn, s->sessions, &k, &d);
	if (rc != 0)
		return rc;
	rc = record_session_decode(d.mv_data, d.mv_size, out);
	if (rc != MC_OK) {
		store_report_damaged(s, "sessions", key, 8, rc);
		store_set_error(s, "session %" PRIu64 " is damaged", id);
		return MC_ERR_CORRUPT;
	}
	out->id = id;
	return 0;
}

static int
session_save(struct store *s, MDB_txn *txn, const struct store_session *ss)
{
	unsigned char key[8];
	struct buf b;
	int rc;

	buf_init(&b, 2 * STORE_TEXT_MAX);
	record_key_session(ss->id, key);
	rc = record_session_encode(ss, &b);
	if (rc == MC_OK)
		rc = put_record(txn, s->sessions, key, 8, &b);
	buf_release(&b);
	return rc;
}

struct session_new_ctx {
	const char *name;
	uint64_t id;
};

static int session_list_body(struct store *s, MDB_txn *txn, void *arg);

struct session_list_ctx {
	struct store_session *list;
	size_t n, cap;
};

#define META_NEXT_SESSION "next_session"

/* session_next_id: the number a new session takes: one past the highest
 * there is, and never one a deleted session had (meta "next_session"). */
static int
session_next_id(struct store *s, MDB_txn *txn, uint64_t *id)
{
	MDB_cursor *cur;
	MDB_val k, d;
	uint64_t next = 0;
	int rc, i;

	if ((rc = mdb_cursor_open(txn, s->sessions, &cur)) != 0)
		return rc;
	rc = mdb_cursor_get(cur, &k, &d, MDB_LAST);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		*id = 1;
	else if (rc == 0 && k.mv_size == 8)
		*id = record_key_session_id(k.mv_data) + 1;
	else
		return rc != 0 ? rc : MDB_CORRUPTED;
	k.mv_size = sizeof META_NEXT_SESSION - 1;
	k.mv_data = (void *)(uintptr_t)META_NEXT_SESSION;
	rc = mdb_get(txn, s->meta, &k, &d);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	if (d.mv_size != 8) {
		store_report_damaged(
		    s, "meta", k.mv_data, k.mv_size, MC_ERR_CORRUPT);
		return 0;
	}
	for (i = 7; i >= 0; i--)
		next = (next << 8) | ((const unsigned char *)d.mv_data)[i];
	if (next > *id)
		*id = next;
	return 0;
}

static int
session_new_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct session_new_ctx *c = arg;
	struct store_session ss;
	int rc;

	/* Replayed after the map grew: nothing of the last run counts. */
	c->id = 0;
	if (c->name != NULL) {
		/* Named meanwhile by another process: that one (the newest
		 * of that name, as store_session_find takes). */
		struct session_list_ctx l = { NULL, 0, 0 };
		size_t i;

		rc = session_list_body(s, txn, &l);
		for (i = l.n; rc == 0 && i-- > 0;)
			if (l.list[i].name != NULL &&
			    strcmp(l.list[i].name, c->name) == 0) {
				c->id = l.list[i].id;
				break;
			}
		store_sessions_free(l.list, l.n);
		if (rc != 0 || c->id != 0)
			return rc;
	}

	if ((rc = session_next_id(s, txn, &c->id)) != 0)
		return rc;
	memset(&ss, 0, sizeof ss);
	ss.id = c->id;
	ss.created_ms = ss.updated_ms = time_wall_ms();
	ss.name = (char *)(uintptr_t)c->name;
	ss.title = (char *)(uintptr_t)c->name;
	return session_save(s, txn, &ss);
}

int
store_session_new(struct store *s, const char *name, uint64_t *id)
{
	struct session_new_ctx c = { name, 0 };
	int rc;

	if (name != NULL && (name[0] == '\0' || strlen(name) > 1024)) {
		store_set_error(s, "a session name must have 1 to 1024 bytes");
		return MC_ERR_USAGE;
	}
	rc = store_txn_write(s, "creating a session", session_new_body, &c);
	if (rc == MC_OK)
		*id = c.id;
	return rc;
}

struct session_get_ctx {
	uint64_t id;
	struct store_session *out;
};

static int
session_get_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct session_get_ctx *c = arg;

	return session_load(s, txn, c->id, c->out);
}

int
store_session_get(struct store *s, uint64_t id, struct store_session *out)
{
	struct session_get_ctx c = { id, out };

	memset(out, 0, sizeof *out);
	return store_txn_read(s, "reading a session", session_get_body, &c);
}

/*
 * session_from_cli: ss->from_cli, from its messages' flags: read from its
 * first message on until one was not sent by `mixchat ask` (a chat's
 * conversation stops at its first).  A damaged message counts as the
 * chat's: the conversation is listed, not folded away.
 */
static int
session_from_cli(struct store *s, MDB_txn *txn, struct store_session *ss)
{
	unsigned char key[8];
	MDB_cursor *cur;
	MDB_val k = { sizeof key, key }, d;
	uint64_t session;
	uint32_t seq;
	bool cli = false;
	int rc, op, role;

	ss->from_cli = false;
	if (ss->nmessages == 0)
		return 0;
	record_key_session(ss->id, key);
	if ((rc = mdb_cursor_open(txn, s->messages, &cur)) != 0)
		return rc;
	for (op = MDB_SET_RANGE;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size != KEY_MESSAGE_LEN)
			break;
		record_key_message_parse(k.mv_data, &session, &seq);
		if (session != ss->id)
			break;
		if (record_message_origin(d.mv_data, d.mv_size, &role, &cli) !=
		    MC_OK)
			cli = false;
		if (!cli)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	ss->from_cli = cli;
	return 0;
}

static int
session_list_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct session_list_ctx *c = arg;
	struct store_session ss;
	MDB_cursor *cur;
	MDB_val k, d;
	int rc, op;

	if ((rc = mdb_cursor_open(txn, s->sessions, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size != 8 || (rc = record_session_decode(d.mv_data,
		                           d.mv_size, &ss)) != MC_OK) {
			store_report_damaged(s, "sessions", k.mv_data,
			    k.mv_size, k.mv_size != 8 ? MC_ERR_CORRUPT : rc);
			continue;
		}
		ss.id = record_key_session_id(k.mv_data);
		if ((rc = session_from_cli(s, txn, &ss)) != 0) {
			store_session_release(&ss);
			break;
		}
		c->list =
		    xgrowarray(c->list, &c->cap, c->n + 1, sizeof *c->list);
		c->list[c->n++] = ss;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_session_list(struct store *s, struct store_session **list, size_t *n)
{
	struct session_list_ctx c = { NULL, 0, 0 };
	int rc;

	rc = store_txn_read(s, "listing sessions", session_list_body, &c);
	if (rc != MC_OK) {
		store_sessions_free(c.list, c.n);
		c.list = NULL;
		c.n = 0;
	}
	*list = c.list;
	*n = c.n;
	return rc;
}

static int
parse_u64(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (text[0] < '0' || text[0] > '9')
		return MC_ERR_PARSE;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return MC_ERR_PARSE;
	*out = v;
	return MC_OK;
}

int
store_session_find(struct store *s, const char *name_or_id, uint64_t *id)
{
	struct store_session *list, ss;
	size_t n, i;
	uint64_t want;
	int rc;

	if (parse_u64(name_or_id, &want) == MC_OK &&
	    store_session_get(s, want, &ss) == MC_OK) {
		store_session_release(&ss);
		*id = want;
		return MC_OK;
	}
	rc = store_session_list(s, &list, &n);
	if (rc != MC_OK)
		return rc;
	rc = MC_ERR_NOTFOUND;
	for (i = n; i-- > 0;) {
		if (list[i].name != NULL &&
		    strcmp(list[i].name, name_or_id) == 0) {
			*id = list[i].id;
			rc = MC_OK;
			break;
		}
	}
	store_sessions_free(list, n);
	if (rc == MC_ERR_NOTFOUND)
		store_set_error(
		    s, "no session has the number or name '%s'", name_or_id);
	return rc;
}

int
store_session_latest(struct store *s, uint64_t *id)
{
	struct store_session *list;
	size_t n, i, best = 0;
	int rc;

	rc = store_session_list(s, &list, &n);
	if (rc != MC_OK)
		return rc;
	for (i = 1; i < n; i++)
		if (list[i].updated_ms >= list[best].updated_ms)
			best = i;
	if (n == 0) {
		store_set_error(s, "there is no conversation yet");
		rc = MC_ERR_NOTFOUND;
	} else
		*id = list[best].id;
	store_sessions_free(list, n);
	return rc;
}

struct session_rename_ctx {
	uint64_t id;
	const char *name;
};

static int
session_rename_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct session_rename_ctx *c = arg;
	struct session_list_ctx l = { NULL, 0, 0 };
	struct store_session ss;
	size_t i;
	int rc;

	rc = session_list_body(s, txn, &l);
	for (i = 0; rc == 0 && i < l.n; i++)
		if (l.list[i].id != c->id && l.list[i].name != NULL &&
		    strcmp(l.list[i].name, c->name) == 0) {
			store_set_error(s,
			    "conversation %" PRIu64 " is called '%s' already",
			    l.list[i].id, c->name);
			rc = MC_ERR_EXISTS;
		}
	store_sessions_free(l.list, l.n);
	if (rc != 0)
		return rc;
	if ((rc = session_load(s, txn, c->id, &ss)) != 0)
		return rc;
	free(ss.name);
	free(ss.title);
	ss.name = xstrdup(c->name);
	ss.title = xstrdup(c->name);
	rc = session_save(s, txn, &ss);
	store_session_release(&ss);
	return rc;
}

int
store_session_rename(struct store *s, uint64_t id, const char *name)
{
	struct session_rename_ctx c = { .id = id, .name = name };
	int rc;

	if (name == NULL || name[0] == '\0' || strlen(name) > 1024) {
		store_set_error(s, "a session name must have 1 to 1024 bytes");
		return MC_ERR_USAGE;
	}
	rc = store_txn_write(s, "renaming a session", session_rename_body, &c);
	if (rc == MC_ERR_NOTFOUND)
		store_set_error(s, "session %" PRIu64 " does not exist", id);
	return rc;
}

struct session_delete_ctx {
	uint64_t id;
	uint32_t last_seq;
	store_prompt_fn prompt_of;
	void *ud;
	size_t nmessages;
};

/* Each rating keyed under the session given its prompt when it keeps
 * none: its message goes, and an export would lose what was asked. */
static int
delete_keep_prompts(struct store *s, MDB_txn *txn, struct session_delete_ctx *c)
{
	unsigned char key[8];
	MDB_cursor *cur;
	MDB_val k = { sizeof key, key }, d;
	struct {
		unsigned char key[KEY_RATING_LEN];
		struct buf value;
	} *put = NULL;
	size_t nput = 0, cap = 0, i;
	int rc, op;

	record_key_session(c->id, key);
	if ((rc = mdb_cursor_open(txn, s->ratings, &cur)) != 0)
		return rc;
	for (op = MDB_SET_RANGE;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		struct store_rating r;
		const char *prompt;

		if (k.mv_size < 8 || record_key_session_id(k.mv_data) != c->id)
			break;
		if (k.mv_size != KEY_RATING_LEN ||
		    record_rating_decode(d.mv_data, d.mv_size, &r) != MC_OK)
			continue; /* reported by whoever lists them */
		prompt = r.prompt == NULL && c->prompt_of != NULL
		             ? c->prompt_of(c->ud, r.seq)
		             : NULL;
		if (prompt != NULL) {
			r.prompt = xstrdup(prompt);
			put = xgrowarray(put, &cap, nput + 1, sizeof *put);
			memcpy(put[nput].key, k.mv_data, KEY_RATING_LEN);
			buf_init(&put[nput].value, VALUE_MAX);
			if (record_rating_encode(&r, &put[nput].value) != MC_OK)
				buf_release(&put[nput].value);
			else
				nput++;
		}
		record_rating_release(&r);
	}
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND)
		rc = 0;
	for (i = 0; i < nput; i++) {
		if (rc == 0)
			rc = put_record(txn, s->ratings, put[i].key,
			    KEY_RATING_LEN, &put[i].value);
		buf_release(&put[i].value);
	}
	free(put);
	return rc;
}

/* The newest reply anywhere (by the time it was made), for meta
 * last_reply, or none: 0 and *session 0. */
static int
newest_reply(struct store *s, MDB_txn *txn, uint64_t *session, uint32_t *seq)
{
	MDB_cursor *cur;
	MDB_val k, d;
	const char *text;
	size_t tlen;
	int64_t created, best = INT64_MIN;
	int rc, op, role;

	*session = 0;
	*seq = 0;
	if ((rc = mdb_cursor_open(txn, s->messages, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size != KEY_MESSAGE_LEN ||
		    record_message_peek(d.mv_data, d.mv_size, &role, &created,
		        &text, &tlen) != MC_OK ||
		    role != STORE_ROLE_ASSISTANT || created < best)
			continue;
		best = created;
		record_key_message_parse(k.mv_data, session, seq);
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
session_delete_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct session_delete_ctx *c = arg;
	struct store_session ss;
	unsigned char key[8], next[8], last[12];
	MDB_cursor *cur;
	MDB_val k = { sizeof key, key }, d;
	MDB_val nk = { sizeof META_NEXT_SESSION - 1,
		(void *)(uintptr_t)META_NEXT_SESSION };
	MDB_val lk = { 10, (void *)(uintptr_t) "last_reply" };
	uint64_t id, lsession = 0;
	uint32_t lseq = 0;
	int rc, op, i;

	c->nmessages = 0;
	if ((rc = session_load(s, txn, c->id, &ss)) != 0)
		return rc;
	i = ss.last_seq != c->last_seq;
	store_session_release(&ss);
	if (i) {
		store_set_error(s,
		    "conversation %" PRIu64 " changed meanwhile (another "
		    "mixchat wrote into it)",
		    c->id);
		return MC_ERR_AGAIN;
	}
	/* The number is not given again: a draft or a rating of it, a
	 * script's "ask --session N", never lands in another one. */
	if ((rc = session_next_id(s, txn, &id)) != 0)
		return rc;
	for (i = 0; i < 8; i++)
		next[i] = (unsigned char)(id >> (8 * i));
	d.mv_size = sizeof next;
	d.mv_data = next;
	if ((rc = mdb_put(txn, s->meta, &nk, &d, 0)) != 0)
		return rc;
	if ((rc = delete_keep_prompts(s, txn, c)) != 0)
		return rc;
	record_key_session(c->id, key);
	if ((rc = mdb_cursor_open(txn, s->messages, &cur)) != 0)
		return rc;
	for (op = MDB_SET_RANGE;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size < 8 || record_key_session_id(k.mv_data) != c->id)
			break;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
		c->nmessages++;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	k.mv_size = sizeof key;
	k.mv_data = key;
	if ((rc = mdb_del(txn, s->sessions, &k, NULL)) != 0)
		return rc;
	/* `mixchat rate last` rates a reply that is still there. */
	rc = mdb_get(txn, s->meta, &lk, &d);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0)
		return rc;
	for (i = 7; d.mv_size == 12 && i >= 0; i--)
		lsession =
		    (lsession << 8) | ((const unsigned char *)d.mv_data)[i];
	if (d.mv_size == 12 && lsession != c->id)
		return 0;
	if ((rc = newest_reply(s, txn, &lsession, &lseq)) != 0)
		return rc;
	if (lsession == 0)
		return mdb_del(txn, s->meta, &lk, NULL);
	for (i = 0; i < 8; i++)
		last[i] = (unsigned char)(lsession >> (8 * i));
	for (i = 0; i < 4; i++)
		last[8 + i] = (unsigned char)(lseq >> (8 * i));
	d.mv_size = sizeof last;
	d.mv_data = last;
	return mdb_put(txn, s->meta, &lk, &d, 0);
}

int
store_session_delete(struct store *s, uint64_t id, uint32_t last_seq,
    store_prompt_fn prompt_of, void *ud, size_t *nmessages)
{
	struct session_delete_ctx c = {
		.id = id, .last_seq = last_seq, .prompt_of = prompt_of, .ud = ud
	};
	int rc;

	rc = store_txn_write(s, "deleting a session", session_delete_body, &c);
	if (rc == MC_ERR_NOTFOUND)
		store_set_error(s, "session %" PRIu64 " does not exist", id);
	if (rc == MC_OK && nmessages != NULL)
		*nmessages = c.nmessages;
	return rc;
}

/* Messages. */

void
store_message_release(struct store_message *m)
{
	free(m->text);
	free(m->model);
	free(m->decision_json);
	free(m->error);
	m->text = m->model = m->decision_json = m->error = NULL;
}

void
store_messages_free(struct store_message *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_message_release(&list[i]);
	free(list);
}

/* make_title: the first line of text, at most TITLE_MAX bytes of UTF-8;
 * one cut ends at a word when one ends in its last third, and says so
 * with an ellipsis. */
static char *
make_title(const char *text)
{
	size_t len, k;
	bool cut = false;

	while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
		text++;
	len = strcspn(text, "\r\n");
	if (len > TITLE_MAX) {
		cut = true;
		len = TITLE_MAX;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
		for (k = len; k > TITLE_MAX * 2 / 3; k--)
			if (text[k] == ' ' || text[k] == '\t') {
				len = k;
				break;
			}
	}
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len == 0)
		return NULL;
	return cut ? xasprintf("%.*s\xe2\x80\xa6", (int)len, text)
	           : xstrndup(text, len);
}

/* append_in: append msg to its session inside txn; *seq gets its seq. */
static int
append_in(struct store *s, MDB_txn *txn, const struct store_message *msg,
    uint32_t *seq)
{
	struct store_session ss;
	struct store_message m = *msg;
	unsigned char key[KEY_MESSAGE_LEN];
	struct buf b;
	int rc;

	rc = session_load(s, txn, msg->session, &ss);
	if (rc == MDB_NOTFOUND) {
		store_set_error(
		    s, "session %" PRIu64 " does not exist", msg->session);
		return MC_ERR_NOTFOUND;
	}
	if (rc != 0)
		return rc;
	if (ss.last_seq == UINT32_MAX) {
		store_session_release(&ss);
		return MC_ERR_LIMIT;
	}
	m.seq = ss.last_seq + 1;
	m.rating = 0;
	if (m.created_ms == 0)
		m.created_ms = time_wall_ms();
	buf_init(&b, VALUE_MAX);
	rc = record_message_encode(&m, &b);
	if (rc == MC_OK) {
		record_key_message(m.session, m.seq, key);
		rc = put_record(txn, s->messages, key, sizeof key, &b);
	}
	buf_release(&b);
	if (rc == 0) {
		ss.last_seq = m.seq;
		ss.nmessages++;
		if (m.created_ms > ss.updated_ms)
			ss.updated_ms = m.created_ms;
		if (ss.title == NULL && m.role == STORE_ROLE_USER &&
		    m.text != NULL)
			ss.title = make_title(m.text);
		rc = session_save(s, txn, &ss);
	}
	store_session_release(&ss);
	if (rc == 0)
		*seq = m.seq;
	return rc;
}

static int
check_message(struct store *s, const struct store_message *m)
{
	if (m->text != NULL && strlen(m->text) > STORE_TEXT_MAX) {
		store_set_error(s,
		    "a message of %zu bytes is too long to keep "
		    "(at most %zu)",
		    strlen(m->text), STORE_TEXT_MAX);
		return MC_ERR_LIMIT;
	}
	if (m->role < STORE_ROLE_USER || m->role > STORE_ROLE_SYSTEM) {
		store_set_error(s, "a message has no valid role (%d)", m->role);
		return MC_ERR_USAGE;
	}
	return MC_OK;
}

struct append_ctx {
	const struct store_message *msg;
	const struct store_spend_add *spend;
	const struct store_latency *lat;
	uint32_t seq;
	bool gone; /* out (reply_body): its conversation was deleted */
};

static int
append_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct append_ctx *c = arg;

	return append_in(s, txn, c->msg, &c->seq);
}

int
store_message_append(
    struct store *s, const struct store_message *msg, uint32_t *seq)
{
	struct append_ctx c = { .msg = msg };
	int rc;

	if ((rc = check_message(s, msg)) != MC_OK)
		return rc;
	rc = store_txn_write(s, "saving a message", append_body, &c);
	if (rc == MC_OK)
		*seq = c.seq;
	return rc;
}

static int
spend_add_in(struct store *s, MDB_txn *txn, const struct store_spend_add *a,
    const char *model)
{
	unsigned char key[KEY_SPEND_MAX];
	struct store_spend sp;
	MDB_val k, d;
	struct buf b;
	size_t klen;
	int rc;

	klen = record_key_spend(a->day, model, key);
	if (klen == 0)
		return MC_ERR_USAGE;
	k.mv_size = klen;
	k.mv_data = key;
	memset(&sp, 0, sizeof sp);
	rc = mdb_get(txn, s->spend, &k, &d);
	if (rc == 0 &&
	    record_spend_decode(d.mv_data, d.mv_size, &sp) != MC_OK) {
		store_report_damaged(s, "spend", key, klen, MC_ERR_CORRUPT);
		memset(&sp, 0, sizeof sp);
	} else if (rc != 0 && rc != MDB_NOTFOUND)
		return rc;
	sp.usd += a->usd;
	sp.tokens_in += a->tokens_in;
	sp.tokens_out += a->tokens_out;
	sp.calls++;
	buf_init(&b, 256);
	rc = record_spend_encode(&sp, &b);
	if (rc == MC_OK)
		rc = put_record(txn, s->spend, key, klen, &b);
	buf_release(&b);
	return rc;
}

static int
latency_put_in(struct store *s, MDB_txn *txn, const char *model,
    const struct store_latency *lat)
{
	struct buf b;
	int rc;

	buf_init(&b, 256);
	rc = record_latency_encode(lat, &b);
	if (rc == MC_OK)
		rc = put_record(txn, s->latency, model, strlen(model), &b);
	buf_release(&b);
	return rc;
}

static int
reply_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct append_ctx *c = arg;
	const char *model;
	unsigned char last[12];
	MDB_val k = { 10, (void *)(uintptr_t) "last_reply" }, d = { 12, last };
	int rc, i;

	/* Its conversation deleted while it came (`sessions rm`, another
	 * chat's /delete): the text goes with it, but what it cost is
	 * booked all the same, and its hold and draft let go. */
	c->gone = false;
	if ((rc = append_in(s, txn, c->msg, &c->seq)) == MC_ERR_NOTFOUND)
		c->gone = true;
	else if (rc != 0)
		return rc;
	if (c->spend != NULL) {
		model =
		    c->spend->model != NULL ? c->spend->model : c->msg->model;
		if ((rc = spend_add_in(s, txn, c->spend, model)) != 0)
			return rc;
		if (c->spend->hold != NULL &&
		    (rc = store_hold_drop_in(s, txn, c->spend->hold)) != 0)
			return rc;
		if (c->spend->draft != NULL && c->spend->draft->saved) {
			MDB_val dk = { STORE_DRAFT_KEY, c->spend->draft->key };

			rc = mdb_del(txn, s->meta, &dk, NULL);
			if (rc != 0 && rc != MDB_NOTFOUND)
				return rc;
		}
	}
	if (c->lat != NULL &&
	    (rc = latency_put_in(s, txn, c->msg->model, c->lat)) != 0)
		return rc;
	if (c->gone)
		return 0;
	for (i = 0; i < 8; i++)
		last[i] = (unsigned char)(c->msg->session >> (8 * i));
	for (i = 0; i < 4; i++)
		last[8 + i] = (unsigned char)(c->seq >> (8 * i));
	return mdb_put(txn, s->meta, &k, &d, 0);
}

int
store_reply_finish(struct store *s, const struct store_message *reply,
    const struct store_spend_add *spend, const struct store_latency *lat,
    uint32_t *seq)
{
	struct append_ctx c = {
		.msg = reply, .spend = spend, .lat = lat, .seq = 0
	};
	const char *model;
	int rc;

	if ((rc = check_message(s, reply)) != MC_OK)
		return rc;
	model =
	    spend != NULL && spend->model != NULL ? spend->model : reply->model;
	if ((spend != NULL && !store_model_ok(model)) ||
	    (lat != NULL && !store_model_ok(reply->model))) {
		store_set_error(s, "a reply's model id must have 1 to %d bytes",
		    STORE_MODEL_MAX);
		return MC_ERR_USAGE;
	}
	rc = store_txn_write(s, "saving a reply", reply_body, &c);
	if (rc == MC_OK && !c.gone)
		*seq = c.seq;
	if (rc == MC_OK && spend != NULL && spend->hold != NULL)
		spend->hold->taken = false; /* dropped with the booking */
	if (rc == MC_OK && spend != NULL && spend->draft != NULL)
		spend->draft->saved = false;
	if (rc == MC_OK && c.gone) {
		store_set_error(s,
		    "conversation %" PRIu64 " was deleted while the reply "
		    "came (its cost is counted)",
		    reply->session);
		return MC_ERR_NOTFOUND;
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Drafts of replies still arriving (store.h). */

/*
 * A draft's value: pid u32, session u64, the writer's start time (clock
 * ticks since boot, 0 unknown) u64, its token u64, the time of the save
 * (ms) i64, all native order; then the message record.
 */
#define DRAFT_HEAD 36
/* A draft not saved again for this long has no process streaming it
 * (net gives up on a silent stream after a minute). */
#define DRAFT_STALE_MS (15 * 60 * 1000LL)

/* Whether the writer of a draft may still be streaming it. */
static bool
draft_writer_alive(const unsigned char *head, int64_t now)
{
	struct store_writer w;
	int64_t saved;

	memcpy(&w.pid, head, 4);
	memcpy(&w.start, head + 12, 8);
	memcpy(&w.token, head + 20, 8);
	memcpy(&saved, head + 28, 8);
	/* Not saved again for so long: nobody streams it, unless it is
	 * this process's own. */
	if (now - saved > DRAFT_STALE_MS && w.token != store_writer_me()->token)
		return false;
	return store_writer_alive(&w);
}

struct draft_ctx {
	struct store_draft *d;
	const struct buf *value;
	size_t n;
	uint64_t session; /* recovered: the last one's place */
	uint32_t seq;
};

static int
draft_save_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct draft_ctx *c = arg;
	MDB_val k = { STORE_DRAFT_KEY, c->d->key },
	        v = { c->value->len, c->value->data };

	return mdb_put(txn, s->meta, &k, &v, 0);
}

int
store_draft_save(
    struct store *s, struct store_draft *d, const struct store_message *m)
{
	static uint32_t count;
	int64_t now = time_wall_ms();
	const struct store_writer *me;
	struct draft_ctx c;
	struct buf b;
	int rc, i;

	if ((rc = check_message(s, m)) != MC_OK)
		return rc;
	me = store_writer_me();
	if (!d->saved) {
		memcpy(d->key, "draft", 5);
		count++;
		for (i = 0; i < 8; i++)
			d->key[5 + i] =
			    (unsigned char)(me->token >> (56 - 8 * i));
		for (i = 0; i < 4; i++)
			d->key[13 + i] = (unsigned char)(count >> (24 - 8 * i));
	}
	buf_init(&b, VALUE_MAX);
	/* The record leaves its session to its key: said apart. */
	rc = buf_add(&b, &me->pid, 4);
	if (rc == MC_OK)
		rc = buf_add(&b, &m->session, 8);
	if (rc == MC_OK)
		rc = buf_add(&b, &me->start, 8);
	if (rc == MC_OK)
		rc = buf_add(&b, &me->token, 8);
	if (rc == MC_OK)
		rc = buf_add(&b, &now, 8);
	if (rc == MC_OK)
		rc = record_message_encode(m, &b);
	if (rc != MC_OK) {
		buf_release(&b);
		store_set_error(s, "a draft of %zu bytes is too long to keep",
		    m->text != NULL ? strlen(m->text) : 0);
		return MC_ERR_LIMIT;
	}
	c.d = d;
	c.value = &b;
	c.n = 0;
	rc = store_txn_write(s, "saving a draft", draft_save_body, &c);
	buf_release(&b);
	if (rc == MC_OK)
		d->saved = true;
	return rc;
}

/* Count (count != NULL) or recover the drafts whose writer is gone. */
static int
drafts_walk(struct store *s, MDB_txn *txn, struct draft_ctx *c, bool write)
{
	int64_t now = time_wall_ms();
	MDB_cursor *cur;
	MDB_val k = { 5, (void *)(uintptr_t) "draft" }, d;
	int rc, op;

	c->n = 0;
	if ((rc = mdb_cursor_open(txn, s->meta, &cur)) != 0)
		return rc;
	for (op = MDB_SET_RANGE;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		struct store_message m;
		uint64_t session = 0;
		uint32_t seq;
		int arc;

		if (k.mv_size < 5 || memcmp(k.mv_data, "draft", 5) != 0)
			break;
		if (!write) { /* counting every draft */
			c->n++;
			continue;
		}
		if (d.mv_size >= DRAFT_HEAD &&
		    draft_writer_alive(d.mv_data, now))
			continue;
		memset(&m, 0, sizeof m);
		if (d.mv_size < DRAFT_HEAD ||
		    record_message_decode((const char *)d.mv_data + DRAFT_HEAD,
		        d.mv_size - DRAFT_HEAD, &m) != MC_OK) {
			store_report_damaged(
			    s, "meta", k.mv_data, k.mv_size, MC_ERR_CORRUPT);
		} else {
			memcpy(&session, (const char *)d.mv_data + 4, 8);
			if (m.error == NULL)
				m.error = xstrdup(
				    m.text == NULL || m.text[0] == '\0'
				        ? "interrupted: mixchat ended before "
				          "any reply came"
				        : "interrupted: mixchat ended before "
				          "the reply finished");
			m.session = session;
			arc = append_in(s, txn, &m, &seq);
			store_message_release(&m);
			/* LMDB's own trouble (MDB_MAP_FULL is < 0 too): the
			 * whole transaction is retried, on a grown map. */
			if (store_lmdb_trouble(arc)) {
				rc = arc;
				break;
			}
			/* Its conversation gone, or it cannot be kept: let
			 * it go, and recover the others. */
			if (arc == 0) {
				c->n++;
				c->session = session;
				c->seq = seq;
			}
		}
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int
drafts_recover_body(struct store *s, MDB_txn *txn, void *arg)
{
	return drafts_walk(s, txn, arg, true);
}

static int
drafts_count_body(struct store *s, MDB_txn *txn, void *arg)
{
	return drafts_walk(s, txn, arg, false);
}

int
store_drafts_recover(struct store *s, size_t *n)
{
	return store_drafts_recover_last(s, n, NULL, NULL);
}

int
store_drafts_recover_last(
    struct store *s, size_t *n, uint64_t *session, uint32_t *seq)
{
	struct draft_ctx c = { .n = 0 };
	int rc;

	*n = 0;
	/* Looked for first in a read transaction: most starts find none,
	 * and take no writer's lock for them. */
	if ((rc = store_txn_read(
	         s, "looking for drafts", drafts_count_body, &c)) != MC_OK ||
	    c.n == 0)
		return rc;
	c.n = 0; /* counted again as recovered */
	rc = store_txn_write(s, "recovering drafts", drafts_recover_body, &c);
	if (rc == MC_OK) {
		*n = c.n;
		if (session != NULL)
			*session = c.session;
		if (seq != NULL)
			*seq = c.seq;
	}
	return rc;
}

size_t
store_drafts_count(struct store *s)
{
	struct draft_ctx c = { .n = 0 };

	return store_txn_read(s, "counting drafts", drafts_count_body, &c) ==
	               MC_OK
	           ? c.n
	           : 0;
}

struct messages_ctx {
	uint64_t session;
	uint32_t seq;
	struct store_message *list;
	size_t n, cap;
};

static int
messages_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct messages_ctx *c = arg;
	unsigned char key[KEY_MESSAGE_LEN];
	struct store_message m;
	MDB_cursor *cur;
	MDB_val k = { sizeof key, key }, d;
	uint64_t session;
	uint32_t seq;
	int rc, op;

	record_key_message(c->session, 0, key);
	if ((rc = mdb_cursor_open(txn, s->messages, &cur)) != 0)
		return rc;
	for (op = MDB_SET_RANGE;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size != KEY_MESSAGE_LEN) {
			store_report_damaged(s, "messages", k.mv_data,
			    k.mv_size, MC_ERR_CORRUPT);
			continue;
		}
		record_key_message_parse(k.mv_data, &session, &seq);
		if (session != c->session)
			break;
		rc = record_message_decode(d.mv_data, d.mv_size, &m);
		if (rc != MC_OK) {
			store_report_damaged(
			    s, "messages", k.mv_data, k.mv_size, rc);
			continue;
		}
		m.session = session;
		m.seq = seq;
		c->list =
		    xgrowarray(c->list, &c->cap, c->n + 1, sizeof *c->list);
		c->list[c->n++] = m;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

int
store_messages(
    struct store *s, uint64_t session, struct store_message **list, size_t *n)
{
	struct messages_ctx c;
	int rc;

	memset(&c, 0, sizeof c);
	c.session = session;
	rc = store_txn_read(s, "reading messages", messages_body, &c);
	if (rc != MC_OK) {
		store_messages_free(c.list, c.n);
		c.list = NULL;
		c.n = 0;
	}
	*list = c.list;
	*n = c.n;
	return rc;
}

struct message_get_ctx {
	uint64_t session;
	uint32_t seq;
	struct store_message *out;
};

static int
message_get_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct message_get_ctx *c = arg;
	unsigned char key[KEY_MESSAGE_LEN];
	MDB_val k = { sizeof key, key }, d;
	int rc;

	record_key_message(c->session, c->seq, key);
	if ((rc = mdb_get(txn, s->messages, &k, &d)) != 0)
		return rc;
	rc = record_message_decode(d.mv_data, d.mv_size, c->out);
	if (rc != MC_OK) {
		store_report_damaged(s, "messages", key, sizeof key, rc);
		store_set_error(s, "message %" PRIu64 ".%" PRIu32 " is damaged",
		    c->session, c->seq);
		return MC_ERR_CORRUPT;
	}
	c->out->session = c->session;
	c->out->seq = c->seq;
	return 0;
}

int
store_message_get(
    struct store *s, uint64_t session, uint32_t seq, struct store_message *out)
{
	struct message_get_ctx c = { session, seq, out };

	memset(out, 0, sizeof *out);
	return store_txn_read(s, "reading a message", message_get_body, &c);
}

/* Reply ids. */

void
store_reply_id_format(uint64_t session, uint32_t seq, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 ".%" PRIu32, session, seq);
}

int
store_reply_id_parse(const char *text, uint64_t *session, uint32_t *seq)
{
	const char *dot = strchr(text, '.');
	char head[32];
	uint64_t a, b;

	if (dot == NULL || (size_t)(dot - text) >= sizeof head)
		return MC_ERR_PARSE;
	memcpy(head, text, (size_t)(dot - text));
	head[dot - text] = '\0';
	if (parse_u64(head, &a) != MC_OK || parse_u64(dot + 1, &b) != MC_OK ||
	    a == 0 || b == 0 || b > UINT32_MAX)
		return MC_ERR_PARSE;
	*session = a;
	*seq = (uint32_t)b;
	return MC_OK;
}

struct last_ctx {
	uint64_t session;
	uint32_t seq;
};

static int
last_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct last_ctx *c = arg;
	MDB_val k = { 10, (void *)(uintptr_t) "last_reply" }, d;
	const unsigned char *p;
	int rc, i;

	if ((rc = mdb_get(txn, s->meta, &k, &d)) != 0)
		return rc;
	if (d.mv_size != 12) {
		store_report_damaged(
		    s, "meta", k.mv_data, k.mv_size, MC_ERR_CORRUPT);
		return MDB_NOTFOUND;
	}
	p = d.mv_data;
	c->session = 0;
	c->seq = 0;
	for (i = 7; i >= 0; i--)
		c->session = (c->session << 8) | p[i];
	for (i = 3; i >= 0; i--)
		c->seq = (c->seq << 8) | p[8 + i];
	return 0;
}

int
store_last_reply(struct store *s, uint64_t *session, uint32_t *seq)
{
	struct last_ctx c = { 0, 0 };
	int rc;

	rc = store_txn_read(s, "finding the last reply", last_body, &c);
	if (rc == MC_ERR_NOTFOUND)
		store_set_error(s, "there is no reply yet");
	if (rc == MC_OK) {
		*session = c.session;
		*seq = c.seq;
	}
	return rc;
}

/* Search. */

void
store_hits_free(struct store_hit *hits, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(hits[i].snippet);
	free(hits);
}

struct word {
	char *w; /* case folded (terms_fold) */
	size_t len;
};

/* ci_find: the first place word (folded) is in h, case ignored. */
static const char *
ci_find(const char *h, size_t hn, const struct word *w)
{
	return terms_find(h, hn, w->w, w->len);
}

struct match {
	uint64_t session;
	uint32_t seq;
	int role;
	int64_t created_ms;
};

/*
 * The walk keeps the page's matches only (at most max: a heap whose top
 * is the oldest kept, which a newer match replaces) and counts the rest:
 * a search of a long history holds max positions, not one a match.
 */
struct search_ctx {
	struct word *words;
	size_t nwords, max;
	bool has_after;
	struct match after;
	struct match *m; /* the heap: m[0] the oldest of the n kept */
	size_t n, cap;
	size_t total, newer;
	struct store_hit *hits;
	size_t nhits;
};

static int
match_cmp(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->created_ms != y->created_ms)
		return x->created_ms > y->created_ms ? -1 : 1;
	if (x->session != y->session)
		return x->session > y->session ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq > y->seq ? -1 : 1;
	return 0;
}

/* Sift m[i] down the heap of n (the oldest on top: match_cmp's last). */
static void
heap_down(struct match *m, size_t n, size_t i)
{
	struct match t;
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			return;
		if (c + 1 < n && match_cmp(&m[c + 1], &m[c]) > 0)
			c++;
		if (match_cmp(&m[c], &m[i]) <= 0)
			return;
		t = m[i];
		m[i] = m[c];
		m[c] = t;
		i = c;
	}
}

/* A match found: counted, and kept when it is among the page's max. */
static void
search_keep(struct search_ctx *c, const struct match *x)
{
	size_t i, p;
	struct match t;

	c->total++;
	if (c->has_after && match_cmp(x, &c->after) <= 0) {
		c->newer++;
		return;
	}
	if (c->max == 0)
		return;
	if (c->n < c->max) {
		/* Up from the bottom. */
		c->m = xgrowarray(c->m, &c->cap, c->n + 1, sizeof *c->m);
		c->m[c->n] = *x;
		for (i = c->n++; i > 0; i = p) {
			p = (i - 1) / 2;
			if (match_cmp(&c->m[i], &c->m[p]) <= 0)
				break;
			t = c->m[i];
			c->m[i] = c->m[p];
			c->m[p] = t;
		}
	} else if (match_cmp(x, &c->m[0]) < 0) {
		c->m[0] = *x;
		heap_down(c->m, c->n, 0);
	}
}

static bool
snippet_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/*
 * snippet: about SNIPPET_MAX bytes around at, cut at word boundaries
 * where a space is near (else on UTF-8 boundaries), "…" where the text
 * goes on; white space as single spaces.
 */
static char *
snippet(const char *text, size_t len, const char *at)
{
	size_t pos = (size_t)(at - text), start, end, i, k, n = 0;
	bool space = false;
	char *out;

	start = pos > SNIPPET_MAX / 4 ? pos - SNIPPET_MAX / 4 : 0;
	/* Near the end, the room after it goes before: a short message
	 * whole, not cut for nothing. */
	if (len - start < SNIPPET_MAX)
		start = len > SNIPPET_MAX ? len - SNIPPET_MAX : 0;
	/* From the start of a word: the first after a space before the
	 * match, if there is one. */
	if (start > 0) {
		for (k = start; k <= pos && !snippet_space(text[k - 1]); k++)
			;
		if (k <= pos)
			start = k;
	}
	while (start > 0 && ((unsigned char)text[start] & 0xc0) == 0x80)
		start--;
	end = start + SNIPPET_MAX < len ? start + SNIPPET_MAX : len;
	/* To the end of a word: back to a space after the match. */
	if (end < len) {
		for (k = end; k > pos + 1 && !snippet_space(text[k]); k--)
			;
		if (k > pos + 1)
			end = k;
	}
	while (end < len && ((unsigned char)text[end] & 0xc0) == 0x80)
		end--;
	while (end > start && snippet_space(text[end - 1]))
		end--;
	while (start < end && snippet_space(text[start]))
		start++;
	out = xmalloc(end - start + 8);
	/* "…" only where text is left out, not white space alone. */
	for (k = 0; k < start && snippet_space(text[k]); k++)
		;
	if (k < start) {
		memcpy(out, "\xe2\x80\xa6", 3); /* … */
		n = 3;
	}
	for (i = start; i < end; i++) {
		if (snippet_space(text[i])) {
			space = true;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = false;
		out[n++] = text[i];
	}
	for (k = end; k < len && snippet_space(text[k]); k++)
		;
	if (k < len) {
		memcpy(out + n, "\xe2\x80\xa6", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

static int
search_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct search_ctx *c = arg;
	unsigned char key[KEY_MESSAGE_LEN];
	MDB_cursor *cur;
	MDB_val k, d;
	struct match x;
	const char *text, *at = NULL;
	size_t tlen, i;
	int64_t created;
	int rc, op, role;

	if ((rc = mdb_cursor_open(txn, s->messages, &cur)) != 0)
		return rc;
	for (op = MDB_FIRST;
	     (rc = mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op)) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size != KEY_MESSAGE_LEN ||
		    record_message_peek(d.mv_data, d.mv_size, &role, &created,
		        &text, &tlen) != MC_OK) {
			store_report_damaged(s, "messages", k.mv_data,
			    k.mv_size, MC_ERR_CORRUPT);
			continue;
		}
		for (i = 0; i < c->nwords; i++)
			if (ci_find(text, tlen, &c->words[i]) == NULL)
				break;
		if (i < c->nwords)
			continue;
		memset(&x, 0, sizeof x);
		record_key_message_parse(k.mv_data, &x.session, &x.seq);
		x.role = role;
		x.created_ms = created;
		search_keep(c, &x);
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND)
		return rc;
	if (c->n > 1)
		qsort(c->m, c->n, sizeof *c->m, match_cmp);
	c->hits = xcalloc(c->n > 0 ? c->n : 1, sizeof *c->hits);
	for (i = 0; i < c->n; i++) {
		record_key_message(c->m[i].session, c->m[i].seq, key);
		k.mv_size = sizeof key;
		k.mv_data = key;
		if ((rc = mdb_get(txn, s->messages, &k, &d)) != 0 ||
		    record_message_peek(d.mv_data, d.mv_size, &role, &created,
		        &text, &tlen) != MC_OK)
			continue;
		at = ci_find(text, tlen, &c->words[0]);
		c->hits[c->nhits].session = c->m[i].session;
		c->hits[c->nhits].seq = c->m[i].seq;
		c->hits[c->nhits].role = role;
		c->hits[c->nhits].created_ms = created;
		c->hits[c->nhits].snippet =
		    snippet(text, tlen, at != NULL ? at : text);
		c->nhits++;
	}
	return 0;
}

int
store_search(struct store *s, const char *words, const struct store_hit *after,
    size_t max, struct store_hit **hits, size_t *n,
    struct store_search_tally *tally)
{
	struct search_ctx c;
	const char *p = words, *t;
	size_t len, i;
	int rc;

	*hits = NULL;
	*n = 0;
	if (tally != NULL)
		memset(tally, 0, sizeof *tally);
	memset(&c, 0, sizeof c);
	c.max = max;
	if (after != NULL) {
		c.has_after = true;
		c.after.created_ms = after->created_ms;
		c.after.session = after->session;
		c.after.seq = after->seq;
	}
	/* Words, or "a phrase" in double quotes (its spaces kept; a quote
	 * left open runs to the end). */
	while ((t = terms_next(&p, &len)) != NULL) {
		if (len > 0) {
			c.words = xreallocarray(
			    c.words, c.nwords + 1, sizeof *c.words);
			c.words[c.nwords].w = xstrndup(t, len);
			c.words[c.nwords].len = len;
			terms_fold(c.words[c.nwords].w, len);
			c.nwords++;
		}
	}
	if (c.nwords == 0) {
		store_set_error(s, "search for what? give one or more words");
		rc = MC_ERR_USAGE;
		goto out;
	}
	rc = store_txn_read(s, "searching messages", search_body, &c);
	if (rc == MC_OK) {
		*hits = c.hits;
		*n = c.nhits;
		if (tally != NULL) {
			tally->total = c.total;
			tally->newer = c.newer;
		}
		c.hits = NULL;
		c.nhits = 0;
	}
out:
	store_hits_free(c.hits, c.nhits);
	for (i = 0; i < c.nwords; i++)
		free(c.words[i].w);
	free(c.words);
	free(c.m);
	return rc;
}
