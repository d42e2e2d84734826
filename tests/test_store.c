/*
 * test_store.c - the LMDB store: every record type round trip, sessions,
 * replies with spend and latency, ratings with router state, search, map
 * growth, two writer processes, a writer killed with SIGKILL hundreds of
 * times, a damaged value, a newer schema.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lmdb.h>
#include <time.h>

#include "store/record.h"
#include "store/store.h"
#include "test.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

static char *
dbdir(const char *name)
{
	return xasprintf("%s/%s", test_tmpdir(), name);
}

static struct store *
open_or_die(const char *dir)
{
	struct store *s = NULL;
	char *cause = NULL;

	if (store_open(dir, &s, &cause) != MC_OK) {
		printf("store_open %s: %s\n", dir, cause);
		exit(99);
	}
	return s;
}

/* Warnings are collected instead of printed. */
static char warned[4096];

static void
collect_warn(void *arg, const char *msg)
{
	size_t len = strlen(warned);

	snprintf(warned + len, sizeof warned - len, "%s\n", msg);
}

TEST(record_codecs_round_trip)
{
	struct store_message m, m2;
	struct store_session ss, ss2;
	struct store_rating r, r2;
	struct store_latency l = { 310.5, 160.25, 7, 1234567 }, l2;
	struct store_spend sp = { 0, NULL, 0.5, 10, 20, 3 }, sp2;
	float feat[3] = { 1.5f, -2.0f, 0.25f };
	const void *blob;
	size_t len;
	struct buf b;

	buf_init(&b, 1 << 20);
	memset(&ss, 0, sizeof ss);
	ss.created_ms = 5;
	ss.updated_ms = 9;
	ss.nmessages = 2;
	ss.last_seq = 2;
	ss.title = (char *)(uintptr_t) "héllo";
	CHECK(record_session_encode(&ss, &b) == MC_OK);
	CHECK(record_session_decode(b.data, b.len, &ss2) == MC_OK);
	CHECK(ss2.name == NULL && ss2.created_ms == 5 && ss2.last_seq == 2);
	CHECK_STR(ss2.title, "héllo");
	store_session_release(&ss2);
	/* every truncation of a valid record is refused */
	for (len = 0; len < b.len; len++)
		CHECK(record_session_decode(b.data, len, &ss2) != MC_OK);
	b.data[0] = 2;
	CHECK(record_session_decode(b.data, b.len, &ss2) == MC_ERR_VERSION);

	buf_reset(&b);
	memset(&m, 0, sizeof m);
	m.role = STORE_ROLE_ASSISTANT;
	m.text = (char *)(uintptr_t) "the answer";
	m.model = (char *)(uintptr_t) "gpt-4.1-mini";
	m.tokens_in = 12;
	m.tokens_out = 200;
	m.tokens_estimated = true;
	m.cost_usd = 0.00042;
	m.ttft_ms = 310;
	m.latency_ms = 1300;
	m.created_ms = 1700000000000;
	m.decision_json = (char *)(uintptr_t) "{\"x\":1}";
	m.rating = 4;
	CHECK(record_message_encode(&m, &b) == MC_OK);
	CHECK(record_message_decode(b.data, b.len, &m2) == MC_OK);
	CHECK_STR(m2.text, "the answer");
	CHECK_STR(m2.model, "gpt-4.1-mini");
	CHECK_STR(m2.decision_json, "{\"x\":1}");
	CHECK(m2.error == NULL && m2.tokens_estimated && m2.rating == 4);
	CHECK(m2.tokens_out == 200 && m2.cost_usd == 0.00042);
	CHECK(m2.created_ms == 1700000000000 && m2.ttft_ms == 310);
	CHECK(m2.wait_ms == 0);
	store_message_release(&m2);
	/* A retry wait is kept, in 8 bytes more; without one the record
	 * is byte for byte as before the wait was (older mixchats read it). */
	{
		struct buf w;
		size_t without = b.len;

		buf_init(&w, 1 << 16);
		m.wait_ms = 2000.5;
		CHECK(record_message_encode(&m, &w) == MC_OK);
		CHECK(w.len == without + 8);
		CHECK(record_message_decode(w.data, w.len, &m2) == MC_OK);
		CHECK(m2.wait_ms == 2000.5 && m2.latency_ms == 1300);
		CHECK_STR(m2.text, "the answer");
		store_message_release(&m2);
		m.wait_ms = 0;
		buf_release(&w);
	}
	for (len = 0; len < b.len; len++)
		CHECK(record_message_decode(b.data, len, &m2) != MC_OK);
	CHECK(buf_addch(&b, 'x') == MC_OK); /* trailing bytes */
	CHECK(record_message_decode(b.data, b.len, &m2) == MC_ERR_CORRUPT);
	/* A NUL inside a string is damage: it would read back shorter than
	 * it was written (found by fuzz_store_record). */
	{
		char *hit = memmem(b.data, b.len, "gpt", 3);

		CHECK(hit != NULL);
		if (hit != NULL) {
			hit[1] = '\0';
			CHECK(record_message_decode(b.data, b.len - 1, &m2) ==
			      MC_ERR_CORRUPT);
		}
	}

	buf_reset(&b);
	memset(&r, 0, sizeof r);
	r.session = 3;
	r.seq = 4;
	r.score = 5;
	r.source = STORE_SOURCE_KEYSTROKE;
	r.model = (char *)(uintptr_t) "m";
	r.time_ms = 42;
	r.features = feat;
	r.nfeatures = 3;
	CHECK(record_rating_encode(&r, &b) == MC_OK);
	CHECK(record_rating_decode(b.data, b.len, &r2) == MC_OK);
	CHECK(r2.session == 3 && r2.seq == 4 && r2.score == 5 &&
	      r2.time_ms == 42 && r2.nfeatures == 3);
	CHECK(r2.features != NULL && r2.features[1] == -2.0f);
	CHECK(r2.prompt == NULL);
	record_rating_release(&r2);
	for (len = 0; len < b.len; len++)
		CHECK(record_rating_decode(b.data, len, &r2) != MC_OK);
	/* A rating tied to no message keeps its prompt; the record without
	 * it (as older ones were written) still reads, with none. */
	{
		size_t plain = b.len;

		buf_reset(&b);
		r.session = 0;
		r.seq = 0;
		r.prompt = (char *)(uintptr_t) "what is an isotope?";
		CHECK(record_rating_encode(&r, &b) == MC_OK);
		CHECK(b.len == plain + 4 + strlen(r.prompt));
		CHECK(record_rating_decode(b.data, b.len, &r2) == MC_OK);
		CHECK(r2.prompt != NULL &&
		      strcmp(r2.prompt, "what is an isotope?") == 0);
		record_rating_release(&r2);
		CHECK(record_rating_decode(b.data, plain, &r2) == MC_OK);
		CHECK(r2.prompt == NULL && r2.nfeatures == 3);
		record_rating_release(&r2);
		for (len = plain + 1; len < b.len; len++)
			CHECK(record_rating_decode(b.data, len, &r2) ==
			      MC_ERR_CORRUPT);
		r.prompt = NULL;
	}

	buf_reset(&b);
	CHECK(record_router_encode("state!", 6, &b) == MC_OK);
	CHECK(record_router_decode(b.data, b.len, &blob, &len) == MC_OK);
	CHECK(len == 6 && memcmp(blob, "state!", 6) == 0);
	b.data[7] ^= 1; /* one bit of the blob: the checksum catches it */
	CHECK(
	    record_router_decode(b.data, b.len, &blob, &len) == MC_ERR_CORRUPT);

	buf_reset(&b);
	CHECK(record_spend_encode(&sp, &b) == MC_OK);
	memset(&sp2, 0, sizeof sp2);
	CHECK(record_spend_decode(b.data, b.len, &sp2) == MC_OK);
	CHECK(sp2.usd == 0.5 && sp2.tokens_out == 20 && sp2.calls == 3);
	buf_reset(&b);
	CHECK(record_latency_encode(&l, &b) == MC_OK);
	CHECK(record_latency_decode(b.data, b.len, &l2) == MC_OK);
	CHECK(l2.ttft_ms == 310.5 && l2.tokens_per_s == 160.25 &&
	      l2.samples == 7 && l2.unavailable_until_ms == 1234567);
	CHECK(record_latency_decode(b.data, b.len - 1, &l2) != MC_OK);
	buf_release(&b);
	CHECK(record_crc32("123456789", 9) == 0xcbf43926u);
}

static uint32_t
add_msg(struct store *s, uint64_t session, int role, const char *text)
{
	struct store_message m;
	uint32_t seq = 0;

	memset(&m, 0, sizeof m);
	m.session = session;
	m.role = role;
	m.text = (char *)(uintptr_t)text;
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	return seq;
}

TEST(sessions_messages_replies)
{
	char *dir = dbdir("chat");
	struct store *s = open_or_die(dir);
	struct store_session *list, ss;
	struct store_message *msgs, m, reply;
	struct store_spend_add add = { 20250102, NULL, 0.25, 100, 50, NULL,
		NULL };
	struct store_latency lat = { 300, 150, 1, 0 }, lat2;
	struct store_spend *spend;
	char id[STORE_REPLY_ID_MAX];
	uint64_t a, b, found, session;
	uint32_t seq;
	size_t n;
	double usd;

	CHECK(store_session_latest(s, &found) == MC_ERR_NOTFOUND);
	CHECK(store_last_reply(s, &session, &seq) == MC_ERR_NOTFOUND);
	CHECK(store_session_new(s, NULL, &a) == MC_OK && a == 1);
	CHECK(store_session_new(s, "work", &b) == MC_OK && b == 2);
	/* A name taken meanwhile gives that session: one a name. */
	CHECK(store_session_new(s, "work", &found) == MC_OK && found == 2);
	CHECK(add_msg(s, a, STORE_ROLE_USER, "\n  What is LMDB?\nmore") == 1);
	CHECK(add_msg(s, a, STORE_ROLE_USER, "second") == 2);

	memset(&reply, 0, sizeof reply);
	reply.session = a;
	reply.role = STORE_ROLE_ASSISTANT;
	reply.text = (char *)(uintptr_t) "A B-tree store.";
	reply.model = (char *)(uintptr_t) "m1";
	reply.cost_usd = 0.25;
	reply.ttft_ms = 300;
	reply.latency_ms = 900;
	CHECK(store_reply_finish(s, &reply, &add, &lat, &seq) == MC_OK);
	CHECK(seq == 3);
	CHECK(store_reply_finish(s, &reply, &add, NULL, &seq) == MC_OK);
	CHECK(seq == 4);
	CHECK(store_last_reply(s, &session, &seq) == MC_OK);
	CHECK(session == a && seq == 4);

	CHECK(store_messages(s, a, &msgs, &n) == MC_OK);
	CHECK(n == 4);
	if (n == 4) {
		CHECK(msgs[0].seq == 1 && msgs[0].role == STORE_ROLE_USER);
		CHECK_STR(msgs[2].model, "m1");
		CHECK(msgs[2].latency_ms == 900 && msgs[2].created_ms > 0);
	}
	store_messages_free(msgs, n);
	CHECK(store_messages(s, b, &msgs, &n) == MC_OK && n == 0);
	store_messages_free(msgs, n);
	CHECK(store_message_get(s, a, 3, &m) == MC_OK);
	CHECK_STR(m.text, "A B-tree store.");
	store_message_release(&m);
	CHECK(store_message_get(s, a, 9, &m) == MC_ERR_NOTFOUND);

	/* the title comes from the first user message's first line */
	CHECK(store_session_get(s, a, &ss) == MC_OK);
	CHECK_STR(ss.title, "What is LMDB?");
	CHECK(ss.nmessages == 4 && ss.last_seq == 4);
	store_session_release(&ss);
	CHECK(store_session_list(s, &list, &n) == MC_OK && n == 2);
	if (n == 2)
		CHECK_STR(list[1].title, "work");
	store_sessions_free(list, n);

	CHECK(store_session_find(s, "work", &found) == MC_OK && found == b);
	CHECK(store_session_find(s, "1", &found) == MC_OK && found == a);
	CHECK(store_session_find(s, "nope", &found) == MC_ERR_NOTFOUND);
	CHECK(strstr(store_strerror(s), "nope") != NULL);
	CHECK(store_session_latest(s, &found) == MC_OK && found == a);
	add_msg(s, b, STORE_ROLE_USER, "later");
	CHECK(store_session_latest(s, &found) == MC_OK && found == b);

	/* spend and latency booked with the replies */
	CHECK(store_spend_day(s, 20250102, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.5, 1e-12);
	CHECK(store_spend_day(s, 20250103, &usd) == MC_OK && usd == 0);
	CHECK(store_spend_list(s, &spend, &n) == MC_OK && n == 1);
	if (n == 1) {
		CHECK(spend[0].calls == 2 && spend[0].tokens_in == 200);
		CHECK_STR(spend[0].model, "m1");
		CHECK(spend[0].day == 20250102);
	}
	store_spend_free(spend, n);
	CHECK(store_latency_get(s, "m1", &lat2) == MC_OK);
	CHECK(lat2.ttft_ms == 300 && lat2.samples == 1);
	lat2.unavailable_until_ms = 99;
	CHECK(store_latency_put(s, "m1", &lat2) == MC_OK);
	CHECK(store_latency_get(s, "m1", &lat2) == MC_OK);
	CHECK(lat2.unavailable_until_ms == 99);
	CHECK(store_latency_get(s, "m2", &lat2) == MC_ERR_NOTFOUND);

	/* a message for a session that does not exist */
	memset(&m, 0, sizeof m);
	m.session = 77;
	m.role = STORE_ROLE_USER;
	m.text = (char *)(uintptr_t) "x";
	CHECK(store_message_append(s, &m, &seq) == MC_ERR_NOTFOUND);

	/* reply ids */
	store_reply_id_format(12, 34, id, sizeof id);
	CHECK_STR(id, "12.34");
	CHECK(store_reply_id_parse("12.34", &session, &seq) == MC_OK);
	CHECK(session == 12 && seq == 34);
	CHECK(store_reply_id_parse("12", &session, &seq) == MC_ERR_PARSE);
	CHECK(store_reply_id_parse("12.x", &session, &seq) == MC_ERR_PARSE);
	CHECK(store_reply_id_parse("-1.2", &session, &seq) == MC_ERR_PARSE);
	CHECK(store_reply_id_parse("1.99999999999", &session, &seq) ==
	      MC_ERR_PARSE);
	store_close(s);

	/* everything survives a reopen */
	s = open_or_die(dir);
	CHECK(store_last_reply(s, &session, &seq) == MC_OK && seq == 4);
	store_close(s);
	free(dir);
}

TEST(ratings_and_router_state)
{
	char *dir = dbdir("ratings");
	struct store *s = open_or_die(dir);
	struct store_rating r, *list;
	struct store_router_state *states;
	struct store_message m;
	struct store_model_stats *ms;
	float feat[2] = { 0.5f, 2.0f };
	char *cause = NULL;
	const char *m1[1] = { "m1" };
	uint64_t session, gen, g0, g1, stamp, stamp2;
	uint32_t seq;
	struct buf b;
	size_t n;

	CHECK(store_ratings_gen(s, &gen) == MC_OK && gen == 0);
	CHECK(store_session_new(s, NULL, &session) == MC_OK);
	add_msg(s, session, STORE_ROLE_USER, "q");
	memset(&m, 0, sizeof m);
	m.session = session;
	m.role = STORE_ROLE_ASSISTANT;
	m.text = (char *)(uintptr_t) "a";
	m.model = (char *)(uintptr_t) "m1";
	CHECK(store_reply_finish(s, &m, NULL, NULL, &seq) == MC_OK);

	memset(&r, 0, sizeof r);
	r.session = session;
	r.seq = seq;
	r.score = 4;
	r.source = STORE_SOURCE_KEYSTROKE;
	r.model = (char *)(uintptr_t) "m1";
	r.time_ms = 1000;
	r.features = feat;
	r.nfeatures = 2;
	CHECK(store_rating_commit(s, &r, "m1", "v1", 2, &cause) == MC_OK);
	/* Each rating moves the generation, and says from what to what. */
	CHECK(store_ratings_gen_last(s, &g0, &g1) && g0 == 0 && g1 == 1);
	CHECK(store_ratings_gen(s, &gen) == MC_OK && gen == 1);
	r.score = 2; /* same reply, same millisecond: both kept */
	CHECK(store_rating_commit(s, &r, "m1", "v22", 3, &cause) == MC_OK);
	CHECK(store_ratings_gen_last(s, &g0, &g1) && g0 == 1 && g1 == 2);
	/* A write that changes no rating says none. */
	CHECK(store_router_put(s, "m1", "state three", 11) == MC_OK);
	CHECK(!store_ratings_gen_last(s, &g0, &g1));
	CHECK(store_ratings_gen(s, &gen) == MC_OK && gen == 2);
	/* A state's stamp is what the bytes written say it is, and moves
	 * with its contents at the same size. */
	CHECK(store_router_put(s, "m1", "state ABCD", 10) == MC_OK);
	CHECK(store_router_stamps(s, m1, 1, &stamp) == MC_OK);
	CHECK(stamp != 0 && stamp == store_router_stamp_of("state ABCD", 10));
	CHECK(store_router_put(s, "m1", "state ABCE", 10) == MC_OK);
	CHECK(store_router_stamps(s, m1, 1, &stamp2) == MC_OK);
	CHECK(stamp2 != stamp &&
	      stamp2 == store_router_stamp_of("state ABCE", 10));
	CHECK(store_router_put(s, "m1", "v22", 3) == MC_OK);
	r.score = 9;
	CHECK(
	    store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_ERR_USAGE);
	CHECK(cause != NULL && strstr(cause, "1 to 5") != NULL);
	free(cause);

	CHECK(store_message_get(s, session, seq, &m) == MC_OK);
	CHECK(m.rating == 2);
	store_message_release(&m);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 2);
	if (n == 2) {
		CHECK(list[0].score == 4 && list[1].score == 2);
		CHECK(list[0].time_ms == 1000 && list[1].time_ms == 1000);
		CHECK(list[1].nfeatures == 2 && list[1].features[1] == 2.0f);
		/* The reply's later rating replaced the earlier one. */
		CHECK(list[0].superseded && !list[1].superseded);
	}
	store_ratings_free(list, n);

	buf_init(&b, 1024);
	CHECK(store_router_get(s, "m1", &b) == MC_OK);
	CHECK(b.len == 3 && memcmp(b.data, "v22", 3) == 0);
	CHECK(store_router_get(s, "m9", &b) == MC_ERR_NOTFOUND);
	CHECK(store_router_put(s, "m2", "xyz", 3) == MC_OK);
	buf_release(&b);
	CHECK(store_router_list(s, &states, &n) == MC_OK && n == 2);
	if (n == 2) {
		CHECK_STR(states[1].model, "m2");
		CHECK(states[1].len == 3 &&
		      memcmp(states[1].blob, "xyz", 3) == 0);
	}
	store_router_free(states, n);

	CHECK(store_model_stats(s, 20250101, &ms, &n) == MC_OK && n == 2);
	if (n == 2) {
		CHECK_STR(ms[0].model, "m1");
		/* Counted once, at its latest score. */
		CHECK(ms[0].ratings == 1 && ms[0].mean_rating == 2.0);
		CHECK(ms[0].replies == 1 && ms[0].has_router);
		CHECK(ms[0].router_bytes == 3 && !ms[1].has_latency);
	}
	store_model_stats_free(ms, n);
	store_close(s);
	free(dir);
}

/* Append text to session at created_ms; its seq. */
static uint32_t
add_at(struct store *s, uint64_t session, int64_t created_ms, const char *text)
{
	struct store_message m;
	uint32_t seq = 0;

	memset(&m, 0, sizeof m);
	m.session = session;
	m.role = STORE_ROLE_USER;
	m.created_ms = created_ms;
	m.text = (char *)(uintptr_t)text;
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	return seq;
}

/* Whether hit a comes before hit b, newest first (as the store orders). */
static bool
hit_before(const struct store_hit *a, const struct store_hit *b)
{
	if (a->created_ms != b->created_ms)
		return a->created_ms > b->created_ms;
	if (a->session != b->session)
		return a->session > b->session;
	return a->seq > b->seq;
}

TEST(search_pages_through_every_match)
{
	char *dir = dbdir("search_pages");
	struct store *s = open_or_die(dir);
	struct store_search_tally t;
	struct store_hit *hits, *all, last;
	uint64_t id[3];
	size_t n, nall, seen = 0, page, i, k;
	bool ordered = true, same = true;
	char text[64];
	int64_t when;

	for (i = 0; i < 3; i++)
		CHECK(store_session_new(s, NULL, &id[i]) == MC_OK);
	/* 57 matches over three conversations, written in no order of time
	 * (some at the same millisecond), between others that do not. */
	for (i = 0; i < 57; i++) {
		when = 1000 + (int64_t)((i * 37) % 50) * 10;
		snprintf(text, sizeof text, "Needle number %zu", i);
		add_at(s, id[i % 3], when, text);
		add_at(s, id[(i + 1) % 3], when + 1, "hay only");
	}
	CHECK(store_search(s, "needle", NULL, 100, &all, &nall, &t) == MC_OK &&
	      nall == 57 && t.total == 57 && t.newer == 0);
	for (i = 1; i < nall; i++)
		ordered = ordered && hit_before(&all[i - 1], &all[i]);
	CHECK(ordered);
	/* Page by page, each after the last hit of the one before: every
	 * match once, in the same order, the counts saying where. */
	memset(&last, 0, sizeof last);
	for (page = 0; page < 4; page++) {
		CHECK(store_search(s, "NEEDLE", page > 0 ? &last : NULL, 20,
		          &hits, &n, &t) == MC_OK);
		CHECK(t.total == 57 && t.newer == seen);
		CHECK(n == (page < 2 ? 20 : page == 2 ? 17 : 0));
		for (k = 0; k < n && seen + k < nall; k++)
			same =
			    same && hits[k].session == all[seen + k].session &&
			    hits[k].seq == all[seen + k].seq &&
			    strcmp(hits[k].snippet, all[seen + k].snippet) == 0;
		if (n > 0) {
			last = hits[n - 1];
			last.snippet = NULL;
		}
		seen += n;
		store_hits_free(hits, n);
	}
	CHECK(same && seen == 57);
	/* The history changes between pages: a newer match counts in the
	 * total and comes before the page, not into it; the next page is
	 * still the one after the last hit shown. */
	last = all[19];
	last.snippet = NULL;
	add_at(s, id[0], 9000, "a needle written later");
	CHECK(store_search(s, "needle", &last, 20, &hits, &n, &t) == MC_OK);
	CHECK(t.total == 58 && t.newer == 21 && n == 20);
	if (n == 20)
		CHECK(hits[0].session == all[20].session &&
		      hits[0].seq == all[20].seq);
	store_hits_free(hits, n);
	/* The last hit shown gone: the page goes on from where it was. */
	{
		struct store_session ss;
		uint64_t gone = all[19].session;
		size_t before = 0, left = 0, dropped = 0;

		for (i = 0; i < nall; i++)
			if (all[i].session == gone)
				*(i < 20 ? &before : &left) += 1;
		CHECK(store_session_get(s, gone, &ss) == MC_OK);
		CHECK(store_session_delete(
		          s, gone, ss.last_seq, NULL, NULL, &dropped) == MC_OK);
		store_session_release(&ss);
		CHECK(store_search(s, "needle", &last, 100, &hits, &n, &t) ==
		      MC_OK);
		CHECK(n == 37 - left);
		CHECK(t.total == 58 - before - left - (gone == id[0]));
		for (k = 0; k < n; k++)
			CHECK(hits[k].session != gone &&
			      !hit_before(&hits[k], &last));
		store_hits_free(hits, n);
	}
	store_hits_free(all, nall);
	/* Counting alone. */
	CHECK(store_search(s, "hay", NULL, 0, &hits, &n, &t) == MC_OK &&
	      n == 0 && t.total > 0);
	store_hits_free(hits, n);
	store_close(s);
	free(dir);
}

TEST(search_folds_case_beyond_ascii)
{
	char *dir = dbdir("search_fold");
	struct store *s = open_or_die(dir);
	struct store_search_tally t;
	struct store_hit *hits;
	uint64_t id;
	size_t n;

	CHECK(store_session_new(s, NULL, &id) == MC_OK);
	add_at(s, id, 1000, "Das ist ÜBER alles");
	add_at(s, id, 2000, "Ταξίδι στην ΑΘΗΝΑ");
	add_at(s, id, 3000, "Поездка в Москва");
	add_at(s, id, 4000, "ŁÓDŹ i Kraków");
	CHECK(store_search(s, "über", NULL, 10, &hits, &n, &t) == MC_OK &&
	      n == 1 && t.total == 1);
	if (n == 1)
		CHECK_STR(hits[0].snippet, "Das ist ÜBER alles");
	store_hits_free(hits, n);
	CHECK(store_search(s, "αθηνα", NULL, 10, &hits, &n, NULL) == MC_OK &&
	      n == 1);
	store_hits_free(hits, n);
	CHECK(store_search(s, "МОСКВА поездка", NULL, 10, &hits, &n, NULL) ==
	          MC_OK &&
	      n == 1);
	store_hits_free(hits, n);
	CHECK(store_search(s, "łódź KRAKÓW", NULL, 10, &hits, &n, NULL) ==
	          MC_OK &&
	      n == 1);
	store_hits_free(hits, n);
	CHECK(store_search(s, "uber", NULL, 10, &hits, &n, NULL) == MC_OK &&
	      n == 0);
	store_hits_free(hits, n);
	store_close(s);
	free(dir);
}

TEST(search_newest_first)
{
	char *dir = dbdir("search");
	struct store *s = open_or_die(dir);
	struct store_message m;
	struct store_hit *hits;
	uint64_t a, b;
	uint32_t seq;
	size_t n;

	CHECK(store_session_new(s, NULL, &a) == MC_OK);
	CHECK(store_session_new(s, NULL, &b) == MC_OK);
	memset(&m, 0, sizeof m);
	m.role = STORE_ROLE_USER;
	m.session = b;
	m.created_ms = 1000;
	m.text = (char *)(uintptr_t) "The Quick brown fox";
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	m.session = a;
	m.created_ms = 2000;
	m.text = (char *)(uintptr_t) "a quick\nBROWN dog, née";
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	m.created_ms = 3000;
	m.text = (char *)(uintptr_t) "quick only";
	CHECK(store_message_append(s, &m, &seq) == MC_OK);

	CHECK(store_search(s, " QUICK  brown ", NULL, 10, &hits, &n, NULL) ==
	      MC_OK);
	CHECK(n == 2);
	if (n == 2) {
		CHECK(hits[0].session == a && hits[0].seq == 1);
		CHECK(hits[1].session == b);
		CHECK(strstr(hits[0].snippet, "quick BROWN") != NULL);
	}
	store_hits_free(hits, n);
	CHECK(store_search(s, "quick", NULL, 1, &hits, &n, NULL) == MC_OK &&
	      n == 1);
	if (n == 1)
		CHECK_STR(hits[0].snippet, "quick only");
	store_hits_free(hits, n);
	CHECK(store_search(s, "née", NULL, 5, &hits, &n, NULL) == MC_OK &&
	      n == 1);
	store_hits_free(hits, n);
	/* "A phrase" is one term, its space kept: "quick brown" is in one
	 * message only (the other has a newline between the words). */
	CHECK(store_search(s, "\"Quick Brown\"", NULL, 10, &hits, &n, NULL) ==
	          MC_OK &&
	      n == 1);
	if (n == 1)
		CHECK(hits[0].session == b);
	store_hits_free(hits, n);
	CHECK(store_search(s, "dog \"quick\nbrown", NULL, 10, &hits, &n,
	          NULL) == MC_OK &&
	      n == 1);
	if (n == 1)
		CHECK(hits[0].session == a);
	store_hits_free(hits, n);
	CHECK(store_search(s, "\"\" \"", NULL, 10, &hits, &n, NULL) ==
	      MC_ERR_USAGE);
	/* A match deep in a long message: the snippet starts and ends at
	 * whole words, with "…" where the text goes on, white space as one
	 * space. */
	m.created_ms = 4000;
	m.text = (char *)(uintptr_t) "Alpha beta gamma delta epsilon zeta "
	                             "eta theta iota kappa lambda mu nu xi "
	                             "omicron pi rho\n\nsigma  BANANA tau "
	                             "upsilon phi chi psi omega and then a "
	                             "great many more words that run on past "
	                             "the snippet's end for sure";
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	/* White space around the text is no text left out: no "…"; the
	 * only space before the match just before it: the match starts it. */
	m.created_ms = 4001;
	m.text = (char *)(uintptr_t) "\n\nA plantain is a starchy fruit.\n\n";
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	CHECK(store_search(s, "plantain", NULL, 5, &hits, &n, NULL) == MC_OK &&
	      n == 1);
	if (n == 1)
		CHECK_STR(hits[0].snippet, "A plantain is a starchy fruit.");
	store_hits_free(hits, n);
	m.created_ms = 4002;
	m.text = (char *)(uintptr_t) "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-bbb "
	                             "kumquat split, and then words that run "
	                             "on for many more bytes than a snippet "
	                             "holds";
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	CHECK(store_search(s, "kumquat", NULL, 5, &hits, &n, NULL) == MC_OK &&
	      n == 1);
	if (n == 1)
		CHECK(strncmp(hits[0].snippet, "\xe2\x80\xa6kumquat split, and",
		          strlen("\xe2\x80\xa6kumquat split, and")) == 0);
	store_hits_free(hits, n);
	/* A short message is shown whole, the match near its end or not. */
	m.created_ms = 4003;
	m.text = (char *)(uintptr_t) "mock reply to: question 54 plain words "
	                             "zebra54";
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	CHECK(store_search(s, "zebra54", NULL, 5, &hits, &n, NULL) == MC_OK &&
	      n == 1);
	if (n == 1)
		CHECK_STR(hits[0].snippet,
		    "mock reply to: question 54 plain words zebra54");
	store_hits_free(hits, n);
	CHECK(store_search(s, "banana", NULL, 5, &hits, &n, NULL) == MC_OK &&
	      n == 1);
	if (n == 1) {
		const char *sn = hits[0].snippet;
		size_t sl = strlen(sn);

		CHECK(strncmp(sn, "\xe2\x80\xa6", 3) == 0);
		CHECK(sl > 6 && strcmp(sn + sl - 3, "\xe2\x80\xa6") == 0);
		CHECK(strstr(sn, "sigma BANANA tau") != NULL);
		/* Whole words: the first after the "…" and the last before
		 * the other are words of the text, not parts of one. */
		{
			static const char *const words[] = { "omicron", "pi",
				"rho", "sigma", "omega", "and", "then", "a",
				"great", "many", "more", "words", "that", "run",
				"on", "past", "the" };
			size_t w, first = strcspn(sn + 3, " ");
			const char *last = sn + sl - 3;
			bool f = false, l = false;

			while (last > sn && last[-1] != ' ')
				last--;
			for (w = 0; w < sizeof words / sizeof *words; w++) {
				f = f ||
				    (strlen(words[w]) == first &&
				        strncmp(sn + 3, words[w], first) == 0);
				l = l || (strlen(words[w]) ==
				                 (size_t)(sn + sl - 3 - last) &&
				             strncmp(last, words[w],
				                 strlen(words[w])) == 0);
			}
			CHECK(f);
			CHECK(l);
		}
	}
	store_hits_free(hits, n);
	CHECK(store_search(s, "okapi", NULL, 5, &hits, &n, NULL) == MC_OK &&
	      n == 0);
	store_hits_free(hits, n);
	CHECK(store_search(s, "  ", NULL, 5, &hits, &n, NULL) == MC_ERR_USAGE);
	store_close(s);
	free(dir);
}

TEST(map_full_grows)
{
	char *dir = dbdir("grow");
	struct store *s;
	struct store_message *msgs;
	size_t before, n, i;
	char *big = xmalloc(20001);
	uint64_t id;
	uint32_t seq;

	store_test_mapsize = 256 * 1024;
	s = open_or_die(dir);
	before = store_map_size(s);
	CHECK(before == 256 * 1024);
	CHECK(store_session_new(s, NULL, &id) == MC_OK);
	memset(big, 'x', 20000);
	big[20000] = '\0';
	for (i = 0; i < 100; i++)
		add_msg(s, id, STORE_ROLE_USER, big);
	CHECK(store_map_size(s) > 2 * before);
	CHECK(store_messages(s, id, &msgs, &n) == MC_OK && n == 100);
	store_messages_free(msgs, n);
	store_close(s);
	/* reopening with the small map adopts the grown file's size */
	s = open_or_die(dir);
	CHECK(store_map_size(s) > 2 * before);
	add_msg(s, id, STORE_ROLE_USER, big);
	CHECK(store_session_latest(s, &id) == MC_OK);
	CHECK(store_message_append(s,
	          &(struct store_message){
	              .session = id, .role = STORE_ROLE_USER, .text = big },
	          &seq) == MC_OK);
	CHECK(seq == 102);
	store_close(s);
	store_test_mapsize = 0;
	free(big);
	free(dir);
}

/* commit_ratings: a child's loop; time_ms = first, first + 1, ... */
static void
commit_ratings(const char *dir, int64_t first, int count, int ackfd)
{
	struct store *s = NULL;
	struct store_rating r;
	char *cause = NULL;
	int64_t t;
	int i;

	if (store_open(dir, &s, &cause) != MC_OK) {
		printf("child: %s\n", cause);
		_exit(2);
	}
	t = -1; /* "open": the parent starts its clock now */
	if (ackfd >= 0 && write(ackfd, &t, sizeof t) != sizeof t)
		_exit(4);
	memset(&r, 0, sizeof r);
	r.session = 1;
	r.seq = 2;
	r.score = 3;
	r.source = STORE_SOURCE_CLI;
	r.model = (char *)(uintptr_t) "m";
	for (i = 0; count < 0 || i < count; i++) {
		t = first + i;
		r.time_ms = t;
		if (store_rating_commit(s, &r, "m", &t, sizeof t, &cause) !=
		    MC_OK) {
			printf("child: %s\n", cause);
			_exit(3);
		}
		if (ackfd >= 0 && write(ackfd, &t, sizeof t) != sizeof t)
			_exit(4);
	}
	store_close(s);
	_exit(0);
}

/* have_times: which of want[] are in the ratings db (as time_ms). */
static size_t
count_present(struct store *s, const int64_t *want, size_t nwant)
{
	struct store_rating *list;
	size_t n, i, j, found = 0;

	if (store_ratings_list(s, &list, &n) != MC_OK)
		return 0;
	for (i = 0, j = 0; i < nwant; i++) {
		while (j < n && list[j].time_ms < want[i])
			j++;
		if (j < n && list[j].time_ms == want[i])
			found++;
	}
	store_ratings_free(list, n);
	return found;
}

TEST(two_writer_processes)
{
	char *dir = dbdir("two");
	struct store *s = open_or_die(dir);
	int64_t want[120];
	pid_t pid[2];
	int i, status, good = 1;

	store_close(s);
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			commit_ratings(dir, 1000000 * (i + 1), 60, -1);
	}
	for (i = 0; i < 2; i++)
		if (waitpid(pid[i], &status, 0) != pid[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			good = 0;
	CHECK(good);
	for (i = 0; i < 120; i++)
		want[i] = 1000000 * (i / 60 + 1) + i % 60;
	s = open_or_die(dir);
	CHECK(count_present(s, want, 120) == 120);
	store_close(s);
	free(dir);
}

/* A draft not saved yet, and its message: model's reply so far. */
static void
draft_msg(struct store_draft *d, struct store_message *m, uint64_t sid,
    const char *model, const char *text)
{
	memset(d, 0, sizeof *d);
	memset(m, 0, sizeof *m);
	m->session = sid;
	m->role = STORE_ROLE_ASSISTANT;
	m->model = (char *)(uintptr_t)model;
	m->text = (char *)(uintptr_t)text;
}

/*
 * Drafts: one saved by a process that then dies is appended to its
 * conversation at the next recovery, marked interrupted, once; one whose
 * reply is booked goes with the booking; a live process's is left alone.
 */
TEST(drafts_of_a_dead_process_are_kept_once)
{
	char *dir = dbdir("drafts");
	struct store *s = open_or_die(dir);
	struct store_message m, *msgs;
	struct store_draft d;
	struct store_spend_add add = { 20250102, NULL, 0.01, 1, 1, NULL, NULL };
	uint64_t sid;
	uint32_t seq;
	size_t n = 0, nm = 0;
	pid_t pid;
	int status;

	CHECK(store_session_new(s, NULL, &sid) == MC_OK);
	add_msg(s, sid, STORE_ROLE_USER, "tell me a long story");
	store_close(s);
	pid = fork();
	if (pid == 0) {
		struct store *c = open_or_die(dir);

		draft_msg(&d, &m, sid, "m1", "once upon");
		if (store_draft_save(c, &d, &m) != MC_OK)
			_exit(1);
		m.text = (char *)(uintptr_t) "once upon a time";
		_exit(store_draft_save(c, &d, &m) == MC_OK ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	s = open_or_die(dir);
	/* A draft of this (live) process is left alone. */
	draft_msg(&d, &m, sid, "m2", "still arriving");
	CHECK(store_draft_save(s, &d, &m) == MC_OK && d.saved);
	CHECK(store_drafts_recover(s, &n) == MC_OK && n == 1);
	CHECK(store_messages(s, sid, &msgs, &nm) == MC_OK && nm == 2);
	if (nm == 2) {
		CHECK_STR(msgs[1].text, "once upon a time");
		CHECK_STR(msgs[1].model, "m1");
		CHECK(msgs[1].error != NULL &&
		      strstr(msgs[1].error, "interrupted") != NULL);
	}
	store_messages_free(msgs, nm);
	CHECK(store_drafts_recover(s, &n) == MC_OK && n == 0);
	CHECK(store_drafts_count(s) == 1);
	/* Booked, the live one's draft goes with the booking. */
	add.draft = &d;
	m.text = (char *)(uintptr_t) "still arriving, and done";
	CHECK(store_reply_finish(s, &m, &add, NULL, &seq) == MC_OK);
	CHECK(!d.saved);
	CHECK(store_drafts_count(s) == 0);
	store_close(s);
	/* Another process's draft, while that process lives, is left
	 * alone; once it is gone, kept. */
	{
		int go[2];
		char c = 0;

		CHECK(pipe(go) == 0);
		pid = fork();
		if (pid == 0) {
			struct store *w = open_or_die(dir);

			close(go[1]);
			draft_msg(&d, &m, sid, "m3", "the other one");
			if (store_draft_save(w, &d, &m) != MC_OK)
				_exit(1);
			store_close(w);
			_exit(read(go[0], &c, 1) == 1 ? 0 : 2);
		}
		close(go[0]);
		s = open_or_die(dir);
		n = 0;
		while (store_drafts_count(s) == 0 && n++ < 200)
			usleep(10000);
		CHECK(store_drafts_recover(s, &n) == MC_OK && n == 0);
		CHECK(write(go[1], "x", 1) == 1);
		close(go[1]);
		CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		      WEXITSTATUS(status) == 0);
		CHECK(store_drafts_recover(s, &n) == MC_OK && n == 1);
		CHECK(store_drafts_count(s) == 0);
	}
	CHECK(store_messages(s, sid, &msgs, &nm) == MC_OK && nm == 4);
	store_messages_free(msgs, nm);
	store_close(s);
	free(dir);
}

/*
 * A write replayed on a grown map starts afresh: a named session made as
 * the map fills is there, under its name (the replay once returned the
 * first run's id, never written); a draft recovered into a full map grows
 * it (the full map once ended the recovery with MDB_BAD_TXN).
 */
TEST(map_full_replays_start_afresh)
{
	char *dir = dbdir("replay");
	struct store *s;
	struct store_session ss;
	struct store_message m, *msgs;
	struct store_draft d;
	char name[80], *big;
	uint64_t id, sid;
	size_t i, n = 0, nm = 0, grown = 0, before;
	int bad = 0, status;
	pid_t pid;

	store_test_mapsize = 64 * 1024;
	s = open_or_die(dir);
	for (i = 0; i < 400 && !bad; i++) {
		before = store_map_size(s);
		snprintf(name, sizeof name,
		    "conversation %04zu, with a name "
		    "long enough to fill pages",
		    i);
		if (store_session_new(s, name, &id) != MC_OK) {
			bad = 1;
			break;
		}
		grown += store_map_size(s) > before;
		if (store_session_get(s, id, &ss) != MC_OK) {
			printf("  session %zu: id %llu not there\n", i,
			    (unsigned long long)id);
			bad = 1;
			break;
		}
		if (ss.name == NULL || strcmp(ss.name, name) != 0)
			bad = 1;
		store_session_release(&ss);
	}
	CHECK(!bad);
	CHECK(grown >= 2);
	store_close(s);
	free(dir);

	dir = dbdir("replay-draft");
	store_test_mapsize = 256 * 1024;
	s = open_or_die(dir);
	CHECK(store_session_new(s, NULL, &sid) == MC_OK);
	store_close(s);
	big = xmalloc(120001);
	memset(big, 'x', 120000);
	big[120000] = '\0';
	pid = fork();
	if (pid == 0) {
		struct store *c = open_or_die(dir);

		draft_msg(&d, &m, sid, "m1", big);
		_exit(store_draft_save(c, &d, &m) == MC_OK ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	s = open_or_die(dir);
	before = store_map_size(s);
	CHECK(store_drafts_count(s) == 1);
	CHECK(store_drafts_recover(s, &n) == MC_OK && n == 1);
	CHECK(store_drafts_count(s) == 0);
	CHECK(store_map_size(s) > before);
	CHECK(store_messages(s, sid, &msgs, &nm) == MC_OK && nm == 1);
	if (nm == 1)
		CHECK(msgs[0].text != NULL && strlen(msgs[0].text) == 120000);
	store_messages_free(msgs, nm);
	store_close(s);
	store_test_mapsize = 0;
	free(big);
	free(dir);
}

TEST(sigkill_writer_loses_nothing_acknowledged)
{
	char *dir = dbdir("crash");
	struct store *s = open_or_die(dir);
	int64_t *acked = NULL, t, blobval;
	size_t nacked = 0, cap = 0, round_first;
	int rounds = 0, bad_open = 0, bad_router = 0, status;
	uint64_t deadline = time_mono_ms() + 12000;
	struct buf b;
	pid_t pid;
	int fd[2];

	store_close(s);
	srand((unsigned int)time(NULL));
	while (rounds < 300 && time_mono_ms() < deadline) {
		if (pipe(fd) != 0)
			break;
		pid = fork();
		if (pid == 0) {
			close(fd[0]);
			commit_ratings(
			    dir, (int64_t)rounds * 100000, -1, fd[1]);
		}
		close(fd[1]);
		/* Most rounds kill among the commits, one in eight while the
		 * child is still opening the environment. */
		if (rand() % 8 != 0 && read(fd[0], &t, sizeof t) == sizeof t &&
		    t != -1)
			bad_open++;
		usleep((useconds_t)(rand() % 15000));
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		round_first = nacked;
		while (read(fd[0], &t, sizeof t) == sizeof t) {
			if (t == -1)
				continue;
			if (nacked == cap) {
				cap = cap ? cap * 2 : 1024;
				acked =
				    xreallocarray(acked, cap, sizeof *acked);
			}
			acked[nacked++] = t;
		}
		close(fd[0]);
		/* the environment opens cleanly and the router state is at
		 * least as new as the last acknowledged rating */
		s = NULL;
		{
			char *cause = NULL;

			if (store_open(dir, &s, &cause) != MC_OK) {
				printf("round %d: %s\n", rounds, cause);
				free(cause);
				bad_open++;
				rounds++;
				continue;
			}
		}
		buf_init(&b, 64);
		if (nacked > round_first) {
			if (store_router_get(s, "m", &b) != MC_OK ||
			    b.len != sizeof blobval)
				bad_router++;
			else {
				memcpy(&blobval, b.data, sizeof blobval);
				if (blobval < acked[nacked - 1])
					bad_router++;
			}
		}
		buf_release(&b);
		store_close(s);
		rounds++;
	}
	printf("  %d rounds, %zu acknowledged ratings\n", rounds, nacked);
	CHECK(rounds >= 100);
	CHECK(bad_open == 0);
	CHECK(bad_router == 0);
	s = open_or_die(dir);
	CHECK(count_present(s, acked, nacked) == nacked);
	store_close(s);
	free(acked);
	free(dir);
}

TEST(damaged_value_reported_and_skipped)
{
	char *dir = dbdir("damaged");
	struct store *s = open_or_die(dir);
	struct store_message *msgs;
	struct store_hit *hits;
	struct store_session *list;
	unsigned char key[KEY_MESSAGE_LEN];
	uint64_t id;
	size_t n;

	store_set_warn(s, collect_warn, NULL);
	CHECK(store_session_new(s, NULL, &id) == MC_OK);
	add_msg(s, id, STORE_ROLE_USER, "one");
	add_msg(s, id, STORE_ROLE_USER, "two");
	add_msg(s, id, STORE_ROLE_USER, "three");
	record_key_message(id, 2, key);
	CHECK(store_test_put_raw(s, "messages", key, sizeof key,
	          "\x01\x01\x00\x00\x05", 5) == MC_OK);
	warned[0] = '\0';
	CHECK(store_messages(s, id, &msgs, &n) == MC_OK && n == 2);
	if (n == 2) {
		CHECK_STR(msgs[0].text, "one");
		CHECK_STR(msgs[1].text, "three");
	}
	store_messages_free(msgs, n);
	CHECK(strstr(warned, "messages record 1.2 is damaged") != NULL);
	CHECK(store_damaged(s) == 1);
	warned[0] = '\0';
	CHECK(
	    store_search(s, "t", NULL, 10, &hits, &n, NULL) == MC_OK && n == 1);
	store_hits_free(hits, n);
	/* Read again, it is skipped again but said once a session. */
	CHECK(warned[0] == '\0' && store_damaged(s) == 1);
	/* a damaged session and a record from a newer mixchat */
	CHECK(store_test_put_raw(s, "sessions", "\0\0\0\0\0\0\0\x09", 8,
	          "\x07zzz", 4) == MC_OK);
	warned[0] = '\0';
	CHECK(store_session_list(s, &list, &n) == MC_OK && n == 1);
	store_sessions_free(list, n);
	CHECK(
	    strstr(warned, "sessions record 9 was written by a newer") != NULL);
	store_close(s);
	free(dir);
}

TEST(long_title_cut_at_a_word)
{
	char *dir = dbdir("title");
	struct store *s = open_or_die(dir);
	static const char *const cases[][2] = {
		/* A long first line is cut at a word, and says so. */
		{ "line 1: the quick brown fox jumps over the lazy dog "
		  "\xe4\xb8\xad\xe6\x96\x87 and then some more words\nline 2",
		    "line 1: the quick brown fox jumps over the lazy dog "
		    "\xe4\xb8\xad\xe6\x96\x87\xe2\x80\xa6" },
		/* No word ends in its last third: cut where it must be. */
		{ "0123456789012345678901234567890123456789"
		  "0123456789012345678901234567890123456789",
		    "012345678901234567890123456789"
		    "012345678901234567890123456789\xe2\x80\xa6" },
	};
	struct store_session ss;
	uint64_t c;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK(store_session_new(s, NULL, &c) == MC_OK);
		add_msg(s, c, STORE_ROLE_USER, cases[i][0]);
		CHECK(store_session_get(s, c, &ss) == MC_OK);
		CHECK_STR(ss.title, cases[i][1]);
		store_session_release(&ss);
	}
	store_close(s);
	free(dir);
}

TEST(refusals_kept_listed_dropped)
{
	char *dir = dbdir("refusals");
	struct store *s = open_or_die(dir);
	struct store_refusal r[2], *list;
	char big[STORE_MODEL_MAX + 2];
	const char *drop[2];
	size_t n;

	store_set_warn(s, collect_warn, NULL);
	CHECK(store_refusals_list(s, &list, &n) == MC_OK && n == 0);
	store_refusals_free(list, n);
	memset(r, 0, sizeof r);
	r[0].model = (char *)(uintptr_t) "gpt-4o";
	r[0].kind = STORE_REFUSED_KEY;
	r[0].since_ms = 1700000000123LL;
	strcpy(r[0].key_fp, "0a1b2c3d");
	strcpy(r[0].route, "89abcdef");
	r[1].model = (char *)(uintptr_t) "ghost";
	r[1].kind = STORE_REFUSED_GONE;
	r[1].since_ms = 5;
	r[1].key_fp[0] = '\0'; /* a provider without keys */
	strcpy(r[1].route, "00000001");
	CHECK(store_refusals_put(s, r, 2) == MC_OK); /* one transaction */
	/* Replaced, not added: one a model. */
	r[1].kind = STORE_REFUSED_ACCESS;
	r[1].since_ms = 6;
	CHECK(store_refusals_put(s, &r[1], 1) == MC_OK);
	/* A draft and a hold share the meta database: not refusals. */
	CHECK(store_test_put_raw(s, "meta", "refuse", 6, "x", 1) == MC_OK);
	CHECK(store_test_put_raw(s, "meta", "refusez", 7, "x", 1) == MC_OK);
	CHECK(store_refusals_list(s, &list, &n) == MC_OK && n == 2);
	if (n == 2) {
		CHECK_STR(list[0].model, "ghost");
		CHECK(list[0].kind == STORE_REFUSED_ACCESS);
		CHECK(list[0].since_ms == 6);
		CHECK_STR(list[0].key_fp, "");
		CHECK_STR(list[0].route, "00000001");
		CHECK_STR(list[1].model, "gpt-4o");
		CHECK(list[1].kind == STORE_REFUSED_KEY);
		CHECK(list[1].since_ms == 1700000000123LL);
		CHECK_STR(list[1].key_fp, "0a1b2c3d");
		CHECK_STR(list[1].route, "89abcdef");
	}
	store_refusals_free(list, n);
	/* Bad input is refused, never written, and nothing of its batch. */
	r[1].kind = 4;
	CHECK(store_refusals_put(s, r, 2) == MC_ERR_USAGE);
	r[1].kind = STORE_REFUSED_KEY;
	strcpy(r[1].key_fp, "0a1b");
	CHECK(store_refusals_put(s, &r[1], 1) == MC_ERR_USAGE);
	r[1].key_fp[0] = '\0';
	r[1].since_ms = 0;
	CHECK(store_refusals_put(s, &r[1], 1) == MC_ERR_USAGE);
	r[1].since_ms = 7;
	r[1].route[3] = '\0';
	CHECK(store_refusals_put(s, &r[1], 1) == MC_ERR_USAGE);
	memset(big, 'm', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	strcpy(r[1].route, "00000001");
	r[1].model = big;
	CHECK(store_refusals_put(s, &r[1], 1) == MC_ERR_USAGE);
	drop[0] = big;
	CHECK(store_refusals_drop(s, drop, 1) == MC_ERR_USAGE);
	CHECK(store_refusals_list(s, &list, &n) == MC_OK && n == 2);
	if (n == 2)
		CHECK(list[1].since_ms == 1700000000123LL &&
		      list[0].kind == STORE_REFUSED_ACCESS);
	store_refusals_free(list, n);
	/* Dropped; dropping what is not there is no error. */
	drop[0] = "gpt-4o";
	drop[1] = "never-kept";
	CHECK(store_refusals_drop(s, drop, 2) == MC_OK);
	CHECK(store_refusals_drop(s, drop, 2) == MC_OK);
	/* Damaged ones - a fingerprint that is no hex, a time that is no
	 * time (it overflowed the app's arithmetic) - are said, left out. */
	CHECK(store_test_put_raw(s, "meta", "refusedbad", 10,
	          "\x01\x01\0\0\0\0\0\0\0\x01ZZZZZZZZ00000000", 26) == MC_OK);
	CHECK(store_test_put_raw(s, "meta", "refusedold", 10,
	          "\x01\x03\0\0\0\0\0\0\0\x80\0\0\0\0\0\0\0\0"
	          "00000000",
	          26) == MC_OK);
	warned[0] = '\0';
	CHECK(store_refusals_list(s, &list, &n) == MC_OK && n == 1);
	if (n == 1)
		CHECK_STR(list[0].model, "ghost");
	store_refusals_free(list, n);
	CHECK(strstr(warned, "meta record") != NULL);
	CHECK(strstr(warned, "damaged") != NULL);
	CHECK(store_damaged(s) == 2);
	store_close(s);
	free(dir);
}

TEST(newer_schema_refused)
{
	char *dir = dbdir("schema");
	struct store *s = open_or_die(dir);
	char *cause = NULL;

	CHECK(store_test_put_raw(s, "meta", "schema", 6, "\x63\0\0\0", 4) ==
	      MC_OK);
	store_close(s);
	s = NULL;
	CHECK(store_open(dir, &s, &cause) == MC_ERR_VERSION);
	CHECK(s == NULL);
	CHECK(cause != NULL && strstr(cause, "newer mixchat") != NULL &&
	      strstr(cause, "schema 99") != NULL);
	free(cause);
	free(dir);
}

/* A data file may end before its last page (pages taken and freed in one
 * transaction are never written): that file is whole and opens; the same
 * file cut short of pages in use is refused by name, and not read past
 * its end (which would fault). */
static bool
file_short_of_pages(MDB_env *env, const char *dir)
{
	MDB_envinfo info;
	MDB_stat st;
	struct stat fst;
	char *f = xasprintf("%s/data.mdb", dir);
	bool r = mdb_env_info(env, &info) == 0 && mdb_env_stat(env, &st) == 0 &&
	         stat(f, &fst) == 0 &&
	         (uint64_t)fst.st_size <
	             ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;

	free(f);
	return r;
}

TEST(short_but_whole_file_opens)
{
	char *dir = dbdir("shortwhole"), *cause = NULL, *f;
	static char big[20000];
	struct store *s = NULL;
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, d;
	char kb[32];
	bool made = false;
	int t, o;

	CHECK(mkdir(dir, 0700) == 0);
	srand(7);
	memset(big, 'a', sizeof big);
	/* Raw LMDB writes of the kind that leave such a file (one found
	 * with a fixed seed): values grown, shrunk and deleted. */
	CHECK(mdb_env_create(&env) == 0);
	CHECK(mdb_env_set_maxdbs(env, 8) == 0);
	CHECK(mdb_env_set_mapsize(env, 1u << 28) == 0);
	CHECK(mdb_env_open(env, dir, MDB_NOTLS, 0600) == 0);
	for (t = 0; t < 300 && !made; t++) {
		int ops;

		CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0);
		CHECK(mdb_dbi_open(txn, "x", MDB_CREATE, &dbi) == 0);
		ops = rand() % 50 + 1;
		for (o = 0; o < ops; o++) {
			snprintf(kb, sizeof kb, "key%06d", rand() % 300);
			k.mv_data = kb;
			k.mv_size = strlen(kb);
			if (rand() % 3 == 0) {
				(void)mdb_del(txn, dbi, &k, NULL);
				continue;
			}
			d.mv_data = big;
			d.mv_size = rand() % 4 == 0
			                ? (size_t)(rand() % 20000)
			                : (size_t)(rand() % 500 + 1);
			CHECK(mdb_put(txn, dbi, &k, &d, 0) == 0);
		}
		CHECK(mdb_txn_commit(txn) == 0);
		made = file_short_of_pages(env, dir);
	}
	mdb_env_close(env);
	if (!made) {
		/* LMDB laid the pages out otherwise: nothing to check. */
		printf("  (no short file was made: the check is not run)\n");
		free(dir);
		return;
	}
	CHECK(store_open(dir, &s, &cause) == MC_OK);
	store_close(s);
	s = NULL;
	free(cause);
	cause = NULL;
	f = xasprintf("%s/data.mdb", dir);
	CHECK(truncate(f, 12288) == 0);
	CHECK(store_open(dir, &s, &cause) == MC_ERR_CORRUPT);
	CHECK(cause != NULL && strstr(cause, "is cut short") != NULL);
	free(cause);
	free(f);
	free(dir);
}

/* Thousands of ratings of one reply in one millisecond (an import, a
 * script): every one is kept, none refused. */
TEST(many_ratings_in_one_millisecond)
{
	char *dir = dbdir("burst");
	struct store *s = open_or_die(dir);
	struct store_rating r, *list = NULL;
	char model[] = "m", *cause = NULL;
	size_t n = 0;
	int i, failed = 0;

	memset(&r, 0, sizeof r);
	r.score = 3;
	r.source = STORE_SOURCE_IMPORT;
	r.model = model;
	r.time_ms = 1700000000000;
	for (i = 0; i < 3000; i++) {
		if (store_rating_commit(s, &r, NULL, NULL, 0, &cause) !=
		    MC_OK) {
			failed++;
			free(cause);
			cause = NULL;
		}
	}
	CHECK(failed == 0);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK);
	CHECK(n == 3000);
	for (i = 0; i < (int)n; i++)
		if (list[i].time_ms != r.time_ms)
			failed++;
	CHECK(failed == 0); /* the value keeps the true time */
	store_ratings_free(list, n);
	store_close(s);
	free(dir);
}

/*
 * store_ratings_commit_many: a lot of ratings in one transaction, retried
 * afresh when the map fills (the learner begins again on the state stored
 * before it); a rating its model's learner refuses, or given without a
 * model to learn, is kept pending or as given; each model's state is
 * written once, at the end.  The learner here counts: its state is a
 * 4 KiB blob whose first word is the sum of the indexes it learned.
 */
struct counting_learner {
	uint32_t held; /* the state the learner holds */
	size_t begins;
};

static int
count_begin(void *ud, const char *model, const void *state, size_t len)
{
	struct counting_learner *c = ud;

	c->begins++;
	if (strcmp(model, "refused") == 0)
		return MC_ERR_VERSION;
	c->held = 0;
	if (state != NULL && len >= sizeof c->held)
		memcpy(&c->held, state, sizeof c->held);
	return MC_OK;
}

static int
count_learn(void *ud, size_t i)
{
	struct counting_learner *c = ud;

	c->held += (uint32_t)i + 1;
	return MC_OK;
}

static int
count_save(void *ud, const char *model, struct buf *out)
{
	struct counting_learner *c = ud;
	unsigned char blob[4096];

	(void)model;
	memset(blob, 0x5a, sizeof blob);
	memcpy(blob, &c->held, sizeof c->held);
	return buf_add(out, blob, sizeof blob);
}

TEST(ratings_committed_many_in_one_transaction)
{
	char *dir, *cause = NULL, m_learn[] = "learned",
	           m_refused[] = "refused";
	struct counting_learner c = { 0, 0 };
	struct store_learner learner = { count_begin, count_learn, count_save,
		&c };
	struct store_rating lot[300], *list = NULL;
	const char *models[300];
	struct store *s;
	struct buf state;
	uint32_t sum = 0, want = 0;
	size_t i, n = 0, before, lots;
	int bad = 0;

	store_test_mapsize = 64 * 1024;
	dir = dbdir("many");
	s = open_or_die(dir);
	before = store_map_size(s);
	for (lots = 0; lots < 3; lots++) {
		for (i = 0; i < 300; i++) {
			memset(&lot[i], 0, sizeof lot[i]);
			lot[i].score = 1 + (int)(i % 5);
			lot[i].source = STORE_SOURCE_IMPORT;
			lot[i].time_ms =
			    1700000000000 + (int64_t)(lots * 300 + i);
			lot[i].model = i % 3 == 2 ? m_refused : m_learn;
			/* Every fifth given as it is (pending). */
			lot[i].pending = i % 5 == 4;
			models[i] = lot[i].pending ? NULL : lot[i].model;
			if (!lot[i].pending && i % 3 != 2)
				want += (uint32_t)i + 1;
		}
		CHECK(store_ratings_commit_many(
		          s, lot, models, 300, &learner, &cause) == MC_OK);
	}
	/* The map filled: a lot began again, more than once a lot. */
	CHECK(store_map_size(s) > before);
	CHECK(c.begins > 3 * 2);
	buf_init(&state, 1u << 20);
	CHECK(
	    store_router_get(s, m_learn, &state) == MC_OK && state.len == 4096);
	if (state.len >= sizeof sum)
		memcpy(&sum, state.data, sizeof sum);
	CHECK(sum == want); /* each rating learned once, in a lot retried */
	buf_reset(&state);
	CHECK(
	    store_router_get(s, m_refused, &state) != MC_OK || state.len == 0);
	buf_release(&state);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK);
	CHECK(n == 900);
	for (i = 0; i < n; i++) {
		size_t k = (size_t)(list[i].time_ms - 1700000000000) % 300;

		if (list[i].pending != (k % 5 == 4 || k % 3 == 2))
			bad++;
	}
	CHECK(bad == 0);
	store_ratings_free(list, n);
	/* A rating the store refuses refuses the lot: nothing stored. */
	lot[7].score = 9;
	CHECK(store_ratings_commit_many(
	          s, lot, models, 300, &learner, &cause) == MC_ERR_USAGE);
	free(cause);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 900);
	store_ratings_free(list, n);
	store_close(s);
	store_test_mapsize = 0;
	free(dir);
}

/*
 * A rating given its prompt_if_gone keeps that prompt only when its
 * message is gone (its conversation deleted by another mixchat since the
 * reply was shown): an export can carry it on.  A rating of a message
 * that is there keeps none (the message has it).
 */
/* A learner that refuses every rating (as a stored state of another tag
 * set does): the rating is kept pending. */
static int
refuse_learn(void *ud, const void *stored, size_t len, struct buf *out)
{
	(void)ud;
	(void)stored;
	(void)len;
	(void)out;
	return MC_ERR_USAGE;
}

TEST(rating_of_a_deleted_conversation_keeps_its_prompt)
{
	char *dir = dbdir("gone");
	struct store *s = open_or_die(dir);
	struct store_rating r, *list = NULL;
	char model[] = "m";
	char *cause = NULL;
	uint64_t here, gone;
	size_t n = 0;

	CHECK(store_session_new(s, NULL, &here) == MC_OK);
	CHECK(store_session_new(s, NULL, &gone) == MC_OK);
	add_msg(s, here, STORE_ROLE_USER, "a question kept");
	add_msg(s, here, STORE_ROLE_ASSISTANT, "its answer");
	add_msg(s, gone, STORE_ROLE_USER, "a question deleted");
	add_msg(s, gone, STORE_ROLE_ASSISTANT, "its answer");
	CHECK(store_session_delete(s, gone, 2, NULL, NULL, NULL) == MC_OK);
	memset(&r, 0, sizeof r);
	r.source = STORE_SOURCE_KEYSTROKE;
	r.model = model;
	r.score = 4;
	r.seq = 2;
	r.session = here;
	r.time_ms = 1000;
	r.prompt_if_gone = "a question kept";
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	r.session = gone;
	r.time_ms = 2000;
	r.prompt_if_gone = "a question deleted";
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	/* Kept pending (the stored state would not take it): the prompt
	 * all the same. */
	r.seq = 4;
	r.time_ms = 3000;
	CHECK(store_rating_commit_learn(
	          s, &r, "m", refuse_learn, NULL, &cause) == MC_OK);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 3);
	if (n == 3) {
		CHECK(list[0].session == here && list[0].prompt == NULL);
		CHECK(list[1].session == gone && list[1].prompt != NULL &&
		      strcmp(list[1].prompt, "a question deleted") == 0);
		CHECK(list[2].session == gone && list[2].pending &&
		      list[2].prompt != NULL &&
		      strcmp(list[2].prompt, "a question deleted") == 0);
	}
	store_ratings_free(list, n);
	store_close(s);
	free(dir);
}

/*
 * Ratings come back in the order they were made, not grouped by
 * conversation: a later rating of an older conversation (resumed) comes
 * after an earlier one of a newer conversation.  The router's memory is
 * rebuilt from this list at start-up and its record of its own forecasts
 * depends on the order; an export replayed by import keeps it too.
 */
TEST(ratings_listed_in_the_order_made)
{
	char *dir = dbdir("order");
	struct store *s = open_or_die(dir);
	struct store_rating r, *list = NULL;
	char model[] = "m";
	char *cause = NULL;
	uint64_t old_session, new_session;
	/* the times the four ratings were made */
	int64_t when[4] = { 5000, 6000, 7000, 7000 };
	size_t n = 0;

	CHECK(store_session_new(s, NULL, &old_session) == MC_OK);
	CHECK(store_session_new(s, NULL, &new_session) == MC_OK);
	CHECK(old_session < new_session);
	memset(&r, 0, sizeof r);
	r.source = STORE_SOURCE_CLI;
	r.model = model;
	/* Made first: the new conversation at 5000 and 6000 ... */
	r.session = new_session;
	r.seq = 1;
	r.score = 1;
	r.time_ms = when[0];
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	r.score = 2;
	r.time_ms = when[1];
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	/* ... then the old one, resumed, at 7000; then the new one again in
	 * the same millisecond (stored after it). */
	r.session = old_session;
	r.score = 3;
	r.time_ms = when[2];
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	r.session = new_session;
	r.score = 4;
	r.time_ms = when[3];
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);

	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 4);
	if (n == 4) {
		CHECK(list[0].score == 1 && list[0].session == new_session);
		CHECK(list[1].score == 2 && list[1].time_ms == 6000);
		CHECK(list[2].score == 3 && list[2].session == old_session);
		CHECK(list[3].score == 4 && list[3].time_ms == 7000);
	}
	store_ratings_free(list, n);
	store_close(s);
	free(dir);
}

/* Whether two ratings are the same but for their features. */
static bool
same_rating_head(const struct store_rating *a, const struct store_rating *b)
{
	return a->session == b->session && a->seq == b->seq &&
	       a->score == b->score && a->source == b->source &&
	       a->time_ms == b->time_ms && a->key_ms == b->key_ms &&
	       a->pending == b->pending && a->superseded == b->superseded &&
	       a->nfeatures == b->nfeatures &&
	       strcmp(a->model != NULL ? a->model : "-",
	           b->model != NULL ? b->model : "-") == 0 &&
	       strcmp(a->prompt != NULL ? a->prompt : "-",
	           b->prompt != NULL ? b->prompt : "-") == 0 &&
	       strcmp(a->origin != NULL ? a->origin : "-",
	           b->origin != NULL ? b->origin : "-") == 0;
}

/*
 * store_ratings_read lists what store_ratings_list does, in the same
 * order, without the features; store_ratings_features then gives each
 * rating's, to the bit, from the record it was listed from (a start
 * decodes only the ratings it replays).  Ratings stored out of the order
 * made (keys by conversation; imports out of time order), corrected,
 * pending, and one damaged record (skipped by both).
 */
TEST(ratings_read_features_one_at_a_time)
{
	char *dir = dbdir("read");
	struct store *s = open_or_die(dir);
	struct store_rating r, *all = NULL, *list = NULL;
	struct store_ratings *rd = NULL;
	unsigned char key[KEY_RATING_LEN];
	char model[] = "m", other[] = "o", prompt[16], origin[] = "9.1";
	char *cause = NULL;
	float feat[40];
	uint64_t old_session, new_session;
	size_t n = 0, nall = 0, i, k, decoded = 0;

	store_set_warn(s, collect_warn, NULL);
	CHECK(store_session_new(s, NULL, &old_session) == MC_OK);
	CHECK(store_session_new(s, NULL, &new_session) == MC_OK);
	memset(&r, 0, sizeof r);
	for (i = 0; i < 30; i++) {
		for (k = 0; k < 2 + i; k++)
			feat[k] = (float)(i * 100 + k) / 7.0f;
		r.features = feat;
		r.nfeatures = 2 + i;
		r.score = 1 + (int)(i % 5);
		r.model = i % 3 ? model : other;
		r.pending = i % 7 == 3;
		/* Later in time, earlier in key order, and back. */
		r.time_ms = 10000 + 1000 * (int64_t)((i * 7) % 30);
		r.source = i % 4 == 1 ? STORE_SOURCE_REASK : STORE_SOURCE_CLI;
		r.prompt = NULL;
		r.origin = NULL;
		if (i % 3 == 0) {
			/* Imported: every third one corrects a reply. */
			snprintf(prompt, sizeof prompt, "p%zu", i % 9);
			r.session = 0;
			r.seq = 0;
			r.source = STORE_SOURCE_IMPORT;
			r.prompt = prompt;
			r.origin = origin;
		} else {
			r.session = i % 2 ? new_session : old_session;
			r.seq = 1 + (uint32_t)(i % 5); /* some corrected */
		}
		CHECK(
		    store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	}
	/* A record whose features run past its end. */
	record_key_rating(old_session, 77, 5000, key);
	CHECK(store_test_put_raw(s, "ratings", key, sizeof key,
	          "\x01\x03\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
	          "\x01\0\0\0m\x09\0\0\0",
	          32) == MC_OK);

	CHECK(store_ratings_list(s, &all, &nall) == MC_OK && nall == 30);
	CHECK(strstr(warned, "is damaged") != NULL);
	CHECK(store_ratings_read(s, &rd, &list, &n) == MC_OK && n == nall);
	for (i = 0; i < n && i < nall; i++) {
		CHECK(same_rating_head(&list[i], &all[i]));
		CHECK(list[i].features == NULL);
	}
	/* Newest first, every other one: any order, any of them. */
	for (i = n; i-- > 0;) {
		if (i % 2)
			continue;
		CHECK(store_ratings_features(rd, i) == MC_OK);
		CHECK(list[i].nfeatures == all[i].nfeatures &&
		      list[i].features != NULL &&
		      memcmp(list[i].features, all[i].features,
		          all[i].nfeatures * sizeof *all[i].features) == 0);
		decoded++;
		if (i % 4 == 0)
			store_rating_features_drop(&list[i]);
	}
	CHECK(decoded == 15);
	CHECK(store_ratings_features(rd, n) == MC_ERR_USAGE);
	store_ratings_end(rd);
	/* The list outlives the read; the store can be written again. */
	CHECK(list[2].features != NULL && list[1].features == NULL);
	r.session = new_session;
	r.seq = 40;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	store_ratings_free(list, n);
	/* Without a read kept: the ratings alone. */
	CHECK(store_ratings_read(s, NULL, &list, &n) == MC_OK && n == 31);
	for (i = 0, k = 0; i < n; i++)
		k += list[i].features == NULL;
	CHECK(k == 31);
	store_ratings_free(list, n);
	store_ratings_free(all, nall);
	store_close(s);
	free(dir);
}

/* A learn callback for settle: the stored state with "+" after it. */
static int
append_plus(void *ud, const void *stored, size_t len, struct buf *out)
{
	int *calls = ud;

	(*calls)++;
	if (stored != NULL && buf_add(out, stored, len) != 0)
		return MC_ERR_NOMEM;
	return buf_add(out, "+", 1) == 0 ? MC_OK : MC_ERR_NOMEM;
}

TEST(pending_rating_settled_once)
{
	char *dir = dbdir("pending");
	struct store *s = open_or_die(dir);
	struct store_rating r, *list = NULL;
	struct store_model_stats *ms;
	char model[] = "gone";
	char *cause = NULL;
	int calls = 0;
	struct buf b;
	size_t n = 0;

	memset(&r, 0, sizeof r);
	r.session = 7;
	r.seq = 2;
	r.score = 5;
	r.source = STORE_SOURCE_CLI;
	r.model = model;
	r.time_ms = 4000;
	r.pending = true;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	r.time_ms = 4000; /* the same key time, bumped to 4001 */
	r.score = 3;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	CHECK(store_model_stats(s, 20250101, &ms, &n) == MC_OK && n == 1);
	if (n == 1) /* the corrected one no longer waits either */
		CHECK(ms[0].ratings == 1 && ms[0].pending == 1);
	store_model_stats_free(ms, n);

	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 2);
	if (n == 2) {
		CHECK(list[0].pending && list[1].pending);
		CHECK(list[1].time_ms == 4000 && list[1].key_ms == 4001);
		CHECK(list[1].source == STORE_SOURCE_CLI);
		/* A learner that refuses writes nothing: still pending. */
		CHECK(store_rating_settle(s, &list[1], model, refuse_learn,
		          NULL, &cause) == MC_ERR_NOTFOUND);
		CHECK(store_rating_settle(s, &list[1], model, append_plus,
		          &calls, &cause) == MC_OK);
		/* Settled once: a second settle (another process's) finds
		 * nothing to do and writes nothing. */
		CHECK(store_rating_settle(s, &list[1], model, append_plus,
		          &calls, &cause) == MC_ERR_NOTFOUND);
		CHECK(calls == 1);
	}
	store_ratings_free(list, n);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 2);
	if (n == 2)
		CHECK(
		    list[0].pending && !list[1].pending && list[1].score == 3);
	store_ratings_free(list, n);
	buf_init(&b, 1024);
	CHECK(store_router_get(s, model, &b) == MC_OK);
	CHECK(b.len == 1 && memcmp(b.data, "+", 1) == 0);
	buf_release(&b);
	CHECK(store_model_stats(s, 20250101, &ms, &n) == MC_OK && n == 1);
	if (n == 1)
		CHECK(ms[0].ratings == 1 && ms[0].pending == 0);
	store_model_stats_free(ms, n);
	store_close(s);
	free(dir);
}

TEST(correction_after_clock_steps_back)
{
	char *dir = dbdir("clockback");
	struct store *s = open_or_die(dir);
	struct store_rating r, *list = NULL;
	struct store_model_stats *ms;
	char model[] = "m";
	char *cause = NULL;
	size_t n = 0;

	memset(&r, 0, sizeof r);
	r.session = 3;
	r.seq = 4;
	r.source = STORE_SOURCE_KEYSTROKE;
	r.model = model;
	r.score = 1;
	r.time_ms = 9000;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	/* Another reply's rating, keyed right after it. */
	r.seq = 5;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	/* The clock steps back a second; the first reply is corrected. */
	r.seq = 4;
	r.score = 5;
	r.time_ms = 8000;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 3);
	for (size_t i = 0; i < n; i++) {
		if (list[i].seq != 4)
			continue;
		/* The correction is the reply's latest: the key says so. */
		CHECK(list[i].score == 5
		          ? !list[i].superseded && list[i].time_ms == 8000 &&
		                list[i].key_ms == 9001
		          : list[i].superseded);
	}
	store_ratings_free(list, n);
	CHECK(store_model_stats(s, 20250101, &ms, &n) == MC_OK && n == 1);
	if (n == 1) /* 5 and 1: the correction counts, not the first */
		CHECK(ms[0].ratings == 2 && ms[0].mean_rating == 3.0);
	store_model_stats_free(ms, n);
	store_close(s);
	free(dir);
}

TEST(budget_holds)
{
	char *dir = dbdir("holds");
	struct store *s = open_or_die(dir);
	struct store_hold a, b, c;
	struct store_message m;
	struct store_spend_add add;
	unsigned char key[STORE_HOLD_KEY], val[24];
	uint32_t seq, day = 20250301, dead = 0x7ffffff0u;
	int64_t now = time_wall_ms();
	double left = -1, usd = 0, big = 5.0;
	uint64_t session;

	/* 1.00 budget: 0.40 and 0.40 fit, a third 0.40 does not. */
	CHECK(store_hold_take(s, day, 0.40, 1.0, &left, &a) == MC_OK);
	CHECK(store_hold_take(s, day, 0.40, 1.0, &left, &b) == MC_OK);
	CHECK(store_hold_take(s, day, 0.40, 1.0, &left, &c) == MC_ERR_BUDGET);
	CHECK_NEAR(left, 0.20, 1e-9);
	CHECK(!c.taken);
	CHECK(store_spend_day_held(s, day, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.80, 1e-9);
	/* A hold counts whatever day it was taken on: its reply is booked
	 * on the day it ends (past midnight: the next). */
	CHECK(store_spend_day_held(s, day + 1, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.80, 1e-9);

	/* a's reply is booked at 0.30: its hold goes, its cost counts. */
	CHECK(store_session_new(s, NULL, &session) == MC_OK);
	memset(&m, 0, sizeof m);
	m.session = session;
	m.role = STORE_ROLE_ASSISTANT;
	m.text = (char *)(uintptr_t) "x";
	m.model = (char *)(uintptr_t) "m";
	memset(&add, 0, sizeof add);
	add.day = day;
	add.model = "m";
	add.usd = 0.30;
	add.hold = &a;
	CHECK(store_reply_finish(s, &m, &add, NULL, &seq) == MC_OK);
	/* Dropped in the booking's transaction: never counted twice. */
	CHECK(!a.taken);
	CHECK(store_spend_day_held(s, day, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.70, 1e-9);
	CHECK(store_hold_take(s, day, 0.25, 1.0, &left, &c) == MC_OK);
	store_hold_release(s, &b);
	store_hold_release(s, &c);
	store_hold_release(s, &c); /* twice is nothing */
	CHECK(store_spend_day_held(s, day, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.30, 1e-9);

	/* A hold left by a process that died, and one too old: neither
	 * counts, and the next take deletes them. */
	memset(key, 0, sizeof key);
	memcpy(key, "hold", 4);
	key[4] = (unsigned char)(dead >> 24);
	key[5] = (unsigned char)(dead >> 16);
	key[6] = (unsigned char)(dead >> 8);
	key[7] = (unsigned char)dead;
	memcpy(val, &day, 4);
	memcpy(val + 4, &big, 8);
	memcpy(val + 12, &now, 8);
	memcpy(val + 20, &dead, 4);
	CHECK(store_test_put_raw(s, "meta", key, sizeof key, val, 24) == MC_OK);
	{
		uint32_t me = (uint32_t)getpid();
		int64_t old = now - STORE_HOLD_MAX_MS - 1000;

		key[19] = 1;
		memcpy(val + 12, &old, 8);
		memcpy(val + 20, &me, 4);
		CHECK(store_test_put_raw(s, "meta", key, sizeof key, val, 24) ==
		      MC_OK);
	}
	CHECK(store_spend_day_held(s, day, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.30, 1e-9);
	/* A reply that has streamed for 11 minutes: its process lives, its
	 * hold counts. */
	{
		uint32_t me = (uint32_t)getpid();
		int64_t long_ago = now - 11 * 60 * 1000;
		double small = 0.05;

		key[19] = 2;
		memcpy(val + 4, &small, 8);
		memcpy(val + 12, &long_ago, 8);
		memcpy(val + 20, &me, 4);
		CHECK(store_test_put_raw(s, "meta", key, sizeof key, val, 24) ==
		      MC_OK);
	}
	CHECK(store_spend_day_held(s, day, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.35, 1e-9);
	CHECK(store_hold_take(s, day, 0.70, 1.0, &left, &a) == MC_ERR_BUDGET);
	CHECK(store_hold_take(s, day, 0.60, 1.0, &left, &a) == MC_OK);
	store_hold_release(s, &a);
	/* With no budget a hold is only counted. */
	CHECK(store_hold_take(s, day, 9.0, 0, &left, &a) == MC_OK);
	store_hold_release(s, &a);
	store_close(s);
	free(dir);
}

/*
 * Forge the holds in dir's meta database (the store closed), as a pid
 * used again would leave them: a hold of another pid now names me, as if
 * its dead writer's pid were this process's; and a copy of a hold of me
 * claims another start time and token.
 */
static void
holds_forge(const char *dir, uint32_t me)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k = { 4, (void *)(uintptr_t) "hold" }, d;
	unsigned char key[STORE_HOLD_KEY], mine[40], val[40];
	size_t nmine = 0;
	uint32_t pid;
	uint64_t v;
	int op;

	CHECK(mdb_env_create(&env) == 0);
	CHECK(mdb_env_set_maxdbs(env, 8) == 0);
	CHECK(mdb_env_set_mapsize(env, 1u << 30) == 0);
	CHECK(mdb_env_open(env, dir, MDB_NOTLS, 0600) == 0);
	CHECK(mdb_txn_begin(env, NULL, 0, &txn) == 0);
	CHECK(mdb_dbi_open(txn, "meta", 0, &dbi) == 0);
	CHECK(mdb_cursor_open(txn, dbi, &cur) == 0);
	for (op = MDB_SET_RANGE;
	     mdb_cursor_get(cur, &k, &d, (MDB_cursor_op)op) == 0;
	     op = MDB_NEXT) {
		if (k.mv_size < 4 || memcmp(k.mv_data, "hold", 4) != 0)
			break;
		if (k.mv_size != STORE_HOLD_KEY || d.mv_size < 24 ||
		    d.mv_size > sizeof val)
			continue;
		memcpy(val, d.mv_data, d.mv_size);
		memcpy(&pid, val + 20, 4);
		if (pid != me) {
			memcpy(val + 20, &me, 4);
			d.mv_data = val;
			CHECK(mdb_cursor_put(cur, &k, &d, MDB_CURRENT) == 0);
		} else if (d.mv_size == sizeof mine) {
			memcpy(key, k.mv_data, sizeof key);
			memcpy(mine, val, sizeof mine);
			nmine = sizeof mine;
		}
	}
	mdb_cursor_close(cur);
	if (nmine > 0) {
		memcpy(&v, mine + 24, 8);
		v++;
		memcpy(mine + 24, &v, 8);
		memcpy(&v, mine + 32, 8);
		v ^= 1;
		memcpy(mine + 32, &v, 8);
		key[STORE_HOLD_KEY - 1] ^= 0x80;
		k.mv_data = key;
		k.mv_size = sizeof key;
		d.mv_data = mine;
		d.mv_size = nmine;
		CHECK(mdb_put(txn, dbi, &k, &d, 0) == 0);
	}
	CHECK(mdb_txn_commit(txn) == 0);
	mdb_env_close(env);
}

/*
 * A hold names its writer as a draft does.  Another live process's hold
 * counts; once that process is gone its hold does not, even when its pid
 * is a live process's again (a reboot, another container: the pid alone
 * kept it counting for a day); nor does one that claims this process's
 * pid with another start time.
 */
TEST(hold_of_a_pid_used_again_does_not_count)
{
	char *dir = dbdir("holds-pid");
	struct store *s = open_or_die(dir);
	struct store_hold h;
	uint32_t day = 20250302;
	double usd = -1;
	int go[2], ready[2], status;
	char c = 0;
	pid_t pid;

	if (access("/proc/self/stat", R_OK) != 0) {
		printf("  skipped: no /proc to read start times from\n");
		store_close(s);
		free(dir);
		return;
	}
	/* This process's own hold, left taken. */
	CHECK(store_hold_take(s, day, 0.10, 0, NULL, &h) == MC_OK);
	store_close(s);
	CHECK(pipe(go) == 0 && pipe(ready) == 0);
	pid = fork();
	if (pid == 0) {
		struct store *w = open_or_die(dir);

		close(go[1]);
		close(ready[0]);
		if (store_hold_take(w, day, 0.25, 0, NULL, &h) != MC_OK)
			_exit(1);
		store_close(w);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		_exit(read(go[0], &c, 1) == 1 ? 0 : 3);
	}
	close(go[0]);
	close(ready[1]);
	CHECK(read(ready[0], &c, 1) == 1);
	close(ready[0]);
	s = open_or_die(dir);
	CHECK(store_spend_day_held(s, day, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.35, 1e-9);
	store_close(s);
	CHECK(write(go[1], "x", 1) == 1);
	close(go[1]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	/* The child's pid is this process's now; this one's pid is claimed
	 * by a hold of another start. */
	holds_forge(dir, (uint32_t)getpid());
	s = open_or_die(dir);
	CHECK(store_spend_day_held(s, day, &usd) == MC_OK);
	CHECK_NEAR(usd, 0.10, 1e-9);
	store_hold_release(s, &h);
	CHECK(store_spend_day_held(s, day, &usd) == MC_OK);
	CHECK_NEAR(usd, 0, 1e-9);
	store_close(s);
	free(dir);
}

TEST(imported_ratings_of_one_reply_count_once)
{
	char *dir = dbdir("origin");
	struct store *s = open_or_die(dir);
	struct store_rating r, *list = NULL;
	struct store_model_stats *ms;
	char model[] = "m", prompt[] = "an ester?", other[] = "a ketone?";
	char origin[] = "1.2";
	char *cause = NULL;
	size_t n = 0, i, counted = 0;

	memset(&r, 0, sizeof r);
	r.source = STORE_SOURCE_IMPORT;
	r.model = model;
	r.prompt = prompt;
	r.origin = origin;
	/* Imported out of order: Tuesday's correction, then Monday's. */
	r.score = 2;
	r.time_ms = 2000;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	r.score = 4;
	r.time_ms = 1000;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	/* The same id from another home, on another prompt: another reply. */
	r.prompt = other;
	r.score = 5;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 3);
	for (i = 0; i < n; i++) {
		CHECK_STR(list[i].origin, "1.2");
		if (!list[i].superseded)
			counted++;
		if (list[i].score == 4)
			CHECK(list[i].superseded); /* the older of the two */
	}
	CHECK(counted == 2);
	store_ratings_free(list, n);
	CHECK(store_model_stats(s, 20250101, &ms, &n) == MC_OK && n == 1);
	if (n == 1) /* 2 and 5, not 4 */
		CHECK(ms[0].ratings == 2 && ms[0].mean_rating == 3.5);
	store_model_stats_free(ms, n);
	store_close(s);
	free(dir);
}

/* A learn callback that copies "new" (store_router_update's). */
static int
learn_new(void *ud, const void *stored, size_t len, struct buf *out)
{
	(void)ud;
	(void)stored;
	(void)len;
	return buf_add(out, "new", 3) == 0 ? MC_OK : MC_ERR_NOMEM;
}

TEST(refused_learning_keeps_the_rating_pending)
{
	char *dir = dbdir("refused");
	struct store *s = open_or_die(dir);
	struct store_rating r, *list = NULL;
	char model[] = "m";
	char *cause = NULL;
	struct buf b;
	size_t n = 0;

	CHECK(store_router_put(s, model, "old", 3) == MC_OK);
	memset(&r, 0, sizeof r);
	r.session = 4;
	r.seq = 2;
	r.score = 4;
	r.source = STORE_SOURCE_KEYSTROKE;
	r.model = model;
	r.time_ms = 1000;
	/* The stored state refuses the lesson (another tag set): the
	 * rating is kept pending, to be learned at the next start, and the
	 * state is left as it was. */
	CHECK(store_rating_commit_learn(
	          s, &r, model, refuse_learn, NULL, &cause) == MC_OK);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK && n == 1);
	if (n == 1)
		CHECK(list[0].pending && list[0].score == 4);
	store_ratings_free(list, n);
	buf_init(&b, 64);
	CHECK(store_router_get(s, model, &b) == MC_OK);
	CHECK(b.len == 3 && memcmp(b.data, "old", 3) == 0);
	/* store_router_update: a learner that keeps the stored state writes
	 * nothing (MC_ERR_EXISTS); one that makes a state replaces it. */
	CHECK(
	    store_router_update(s, model, refuse_learn, NULL) == MC_ERR_EXISTS);
	CHECK(store_router_get(s, model, &b) == MC_OK);
	CHECK(b.len == 3 && memcmp(b.data, "old", 3) == 0);
	CHECK(store_router_update(s, model, learn_new, NULL) == MC_OK);
	CHECK(store_router_get(s, model, &b) == MC_OK);
	CHECK(b.len == 3 && memcmp(b.data, "new", 3) == 0);
	buf_release(&b);
	store_close(s);
	free(dir);
}

/*
 * A user's rating replaces a re-ask's soft lesson only when the record at
 * the key given is still that lesson (a learned re-ask of the rated model
 * on that prompt), and only once the rating is learned: the learner is
 * told whether it is there before it learns.
 */
TEST(rating_replaces_only_its_soft_lesson)
{
	char *dir = dbdir("replace");
	struct store *s = open_or_die(dir);
	struct store_rating soft, r, *list = NULL;
	char model[] = "m", other[] = "o", prompt[] = "why is the sky blue";
	char *cause = NULL;
	int64_t soft_ms = 0, key_ms = 0;
	bool found = true;
	size_t n = 0, i, nsoft;

	memset(&soft, 0, sizeof soft);
	soft.score = 2;
	soft.source = STORE_SOURCE_REASK;
	soft.model = model;
	soft.prompt = prompt;
	soft.time_ms = 5000;
	CHECK(store_rating_commit_replace(s, &soft, model, learn_new, NULL, 0,
	          NULL, NULL, &soft_ms, &cause) == MC_OK);
	CHECK(soft_ms == 5000);
	memset(&r, 0, sizeof r);
	r.session = 7;
	r.seq = 2;
	r.score = 5;
	r.source = STORE_SOURCE_KEYSTROKE;
	r.time_ms = 6000;
	/* Another model's rating, or another prompt: not that lesson. */
	r.model = other;
	CHECK(store_rating_commit_replace(s, &r, other, learn_new, NULL,
	          soft_ms, prompt, &found, &key_ms, &cause) == MC_OK);
	CHECK(!found && key_ms == 6000);
	r.model = model;
	r.seq = 4;
	CHECK(store_rating_commit_replace(s, &r, model, learn_new, NULL,
	          soft_ms, "another prompt", &found, NULL, &cause) == MC_OK);
	CHECK(!found);
	/* Refused by the stored state: kept pending, the lesson stays. */
	r.seq = 6;
	found = false;
	CHECK(store_rating_commit_replace(s, &r, model, refuse_learn, NULL,
	          soft_ms, prompt, &found, &key_ms, &cause) == MC_OK);
	CHECK(found && key_ms == 0);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK);
	for (i = nsoft = 0; i < n; i++)
		nsoft += list[i].source == STORE_SOURCE_REASK;
	CHECK(n == 4 && nsoft == 1);
	store_ratings_free(list, n);
	/* Its own: replaced; asked again, nothing is there to replace. */
	r.seq = 8;
	CHECK(store_rating_commit_replace(s, &r, model, learn_new, NULL,
	          soft_ms, prompt, &found, NULL, &cause) == MC_OK);
	CHECK(found);
	CHECK(store_ratings_list(s, &list, &n) == MC_OK);
	for (i = nsoft = 0; i < n; i++)
		nsoft += list[i].source == STORE_SOURCE_REASK;
	CHECK(n == 4 && nsoft == 0);
	store_ratings_free(list, n);
	r.seq = 10;
	CHECK(store_rating_commit_replace(s, &r, model, learn_new, NULL,
	          soft_ms, prompt, &found, NULL, &cause) == MC_OK);
	CHECK(!found);
	store_close(s);
	free(dir);
}

/* A message of session, sent by `ask` (cli) or typed in the chat. */
static uint32_t
add_msg_from(
    struct store *s, uint64_t session, int role, const char *text, bool cli)
{
	struct store_message m;
	uint32_t seq = 0;

	memset(&m, 0, sizeof m);
	m.session = session;
	m.role = role;
	m.text = (char *)(uintptr_t)text;
	m.model =
	    role == STORE_ROLE_ASSISTANT ? (char *)(uintptr_t) "m1" : NULL;
	m.from_cli = cli;
	CHECK(store_message_append(s, &m, &seq) == MC_OK);
	return seq;
}

static const struct store_session *
listed(const struct store_session *list, size_t n, uint64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i].id == id)
			return &list[i];
	return NULL;
}

TEST(messages_from_the_command_line)
{
	char *dir = dbdir("fromcli");
	struct store *s = open_or_die(dir);
	struct store_session *list;
	struct store_message m;
	uint64_t one, chat, mixed, born, empty;
	size_t n;
	struct buf b;

	/* The flag round-trips; a message without it is written as before
	 * (flags 0), so older records read as the chat's. */
	buf_init(&b, 1 << 16);
	memset(&m, 0, sizeof m);
	m.role = STORE_ROLE_USER;
	m.text = (char *)(uintptr_t) "q";
	CHECK(record_message_encode(&m, &b) == MC_OK);
	CHECK(b.len > 3 && ((unsigned char *)b.data)[2] == 0);
	buf_reset(&b);
	m.from_cli = true;
	CHECK(record_message_encode(&m, &b) == MC_OK);
	CHECK(((unsigned char *)b.data)[2] == 4);
	memset(&m, 0, sizeof m);
	CHECK(record_message_decode(b.data, b.len, &m) == MC_OK);
	CHECK(m.from_cli);
	store_message_release(&m);
	((unsigned char *)b.data)[2] = 8; /* a flag no mixchat writes */
	CHECK(record_message_decode(b.data, b.len, &m) != MC_OK);
	buf_release(&b);

	CHECK(store_session_new(s, NULL, &one) == MC_OK);
	add_msg_from(s, one, STORE_ROLE_USER, "scripted", true);
	add_msg_from(s, one, STORE_ROLE_ASSISTANT, "answer", true);
	CHECK(store_session_new(s, NULL, &chat) == MC_OK);
	add_msg_from(s, chat, STORE_ROLE_USER, "typed", false);
	add_msg_from(s, chat, STORE_ROLE_ASSISTANT, "answer", false);
	add_msg_from(s, chat, STORE_ROLE_USER, "ask --session 2", true);
	CHECK(store_session_new(s, NULL, &born) == MC_OK);
	add_msg_from(s, born, STORE_ROLE_USER, "scripted", true);
	add_msg_from(s, born, STORE_ROLE_ASSISTANT, "answer", true);
	/* Opened in the chat and re-asked there: the chat's now. */
	add_msg_from(s, born, STORE_ROLE_ASSISTANT, "again", false);
	CHECK(store_session_new(s, NULL, &empty) == MC_OK);
	CHECK(store_session_new(s, NULL, &mixed) == MC_OK);
	add_msg_from(s, mixed, STORE_ROLE_USER, "scripted", true);

	CHECK(store_session_list(s, &list, &n) == MC_OK && n == 5);
	CHECK(listed(list, n, one) && listed(list, n, one)->from_cli);
	CHECK(listed(list, n, chat) && !listed(list, n, chat)->from_cli);
	CHECK(listed(list, n, born) && !listed(list, n, born)->from_cli);
	CHECK(listed(list, n, empty) && !listed(list, n, empty)->from_cli);
	CHECK(listed(list, n, mixed) && listed(list, n, mixed)->from_cli);
	store_sessions_free(list, n);
	CHECK(store_message_get(s, chat, 3, &m) == MC_OK && m.from_cli);
	store_message_release(&m);
	CHECK(store_message_get(s, chat, 1, &m) == MC_OK && !m.from_cli);
	store_message_release(&m);
	store_close(s);
	free(dir);
}

TEST(session_renamed)
{
	char *dir = dbdir("rename");
	struct store *s = open_or_die(dir);
	struct store_session ss;
	uint64_t a, b, found;

	CHECK(store_session_new(s, NULL, &a) == MC_OK);
	add_msg(s, a, STORE_ROLE_USER, "Traceback (most recent call last):");
	CHECK(store_session_new(s, "work", &b) == MC_OK);
	CHECK(store_session_rename(s, a, "parser bug") == MC_OK);
	CHECK(store_session_get(s, a, &ss) == MC_OK);
	CHECK_STR(ss.name, "parser bug");
	CHECK_STR(ss.title, "parser bug");
	CHECK(ss.nmessages == 1);
	store_session_release(&ss);
	CHECK(
	    store_session_find(s, "parser bug", &found) == MC_OK && found == a);
	/* One conversation a name: another's is refused, its own is fine. */
	CHECK(store_session_rename(s, a, "work") == MC_ERR_EXISTS);
	CHECK(strstr(store_strerror(s), "2") != NULL);
	CHECK(store_session_rename(s, b, "work") == MC_OK);
	CHECK(store_session_rename(s, 99, "x") == MC_ERR_NOTFOUND);
	CHECK(store_session_rename(s, a, "") == MC_ERR_USAGE);
	/* A session made with a name taken by a rename: that one. */
	CHECK(
	    store_session_new(s, "parser bug", &found) == MC_OK && found == a);
	store_close(s);
	free(dir);
}

static const char *
prompt_of_test(void *ud, uint32_t seq)
{
	(void)ud;
	return seq == 2 ? "what was asked" : NULL;
}

TEST(session_deleted_ratings_kept)
{
	char *dir = dbdir("delete");
	struct store *s = open_or_die(dir);
	struct store_session *list, ss;
	struct store_message *msgs;
	struct store_rating r, *rl;
	float feat[2] = { 0.5f, 2.0f };
	char *cause = NULL;
	uint64_t a, b, c, session;
	uint32_t seq;
	size_t n, gone = 0;

	CHECK(store_session_new(s, NULL, &a) == MC_OK);
	add_msg(s, a, STORE_ROLE_USER, "keep me");
	add_msg_from(s, a, STORE_ROLE_ASSISTANT, "kept", false);
	CHECK(store_session_new(s, NULL, &b) == MC_OK);
	add_msg(s, b, STORE_ROLE_USER, "what was asked");
	add_msg_from(s, b, STORE_ROLE_ASSISTANT, "answer", false);
	{
		struct store_message m;

		memset(&m, 0, sizeof m);
		m.session = b;
		m.role = STORE_ROLE_ASSISTANT;
		m.text = (char *)(uintptr_t) "newest";
		m.model = (char *)(uintptr_t) "m1";
		CHECK(store_reply_finish(s, &m, NULL, NULL, &seq) == MC_OK);
	}
	CHECK(store_last_reply(s, &session, &seq) == MC_OK && session == b);

	/* Rated, then corrected; another reply's rating kept pending. */
	memset(&r, 0, sizeof r);
	r.session = b;
	r.seq = 2;
	r.score = 2;
	r.source = STORE_SOURCE_KEYSTROKE;
	r.model = (char *)(uintptr_t) "m1";
	r.time_ms = 1000;
	r.features = feat;
	r.nfeatures = 2;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	r.score = 5;
	r.time_ms = 2000;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	r.seq = 3;
	r.score = 3;
	r.pending = true;
	r.time_ms = 3000;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);
	r.session = a;
	r.seq = 2;
	r.pending = false;
	r.time_ms = 4000;
	CHECK(store_rating_commit(s, &r, NULL, NULL, 0, &cause) == MC_OK);

	/* Written into meanwhile: nothing goes. */
	CHECK(store_session_delete(s, b, 2, prompt_of_test, NULL, &gone) ==
	      MC_ERR_AGAIN);
	CHECK(store_messages(s, b, &msgs, &n) == MC_OK && n == 3);
	store_messages_free(msgs, n);
	CHECK(store_session_delete(s, 99, 0, NULL, NULL, &gone) ==
	      MC_ERR_NOTFOUND);

	CHECK(store_session_delete(s, b, 3, prompt_of_test, NULL, &gone) ==
	      MC_OK);
	CHECK(gone == 3);
	CHECK(store_session_get(s, b, &ss) == MC_ERR_NOTFOUND);
	CHECK(store_messages(s, b, &msgs, &n) == MC_OK && n == 0);
	store_messages_free(msgs, n);
	CHECK(store_session_find(s, "2", &session) == MC_ERR_NOTFOUND);
	/* The other conversation is untouched. */
	CHECK(store_messages(s, a, &msgs, &n) == MC_OK && n == 2);
	store_messages_free(msgs, n);
	CHECK(store_session_list(s, &list, &n) == MC_OK && n == 1);
	store_sessions_free(list, n);
	/* `rate last` finds a reply that is still there. */
	CHECK(store_last_reply(s, &session, &seq) == MC_OK);
	CHECK(session == a && seq == 2);

	/* Every rating stays, as it was learned: the correction still
	 * replaces the first, the pending one is still pending, and the
	 * ratings of the deleted replies carry their prompt. */
	CHECK(store_ratings_list(s, &rl, &n) == MC_OK && n == 4);
	if (n == 4) {
		CHECK(rl[0].session == b && rl[0].seq == 2 && rl[0].superseded);
		CHECK(rl[1].score == 5 && !rl[1].superseded);
		CHECK_STR(rl[0].prompt, "what was asked");
		CHECK_STR(rl[1].prompt, "what was asked");
		CHECK(rl[1].nfeatures == 2 && rl[1].features[1] == 2.0f);
		CHECK(rl[2].pending && rl[2].prompt == NULL);
		CHECK(rl[3].session == a && rl[3].prompt == NULL);
	}
	store_ratings_free(rl, n);

	/* Its number is not given again, even after a reopen. */
	store_close(s);
	s = open_or_die(dir);
	CHECK(store_session_new(s, NULL, &c) == MC_OK && c == b + 1);
	CHECK(store_session_delete(s, c, 0, NULL, NULL, NULL) == MC_OK);
	CHECK(store_session_delete(s, a, 2, NULL, NULL, NULL) == MC_OK);
	CHECK(store_last_reply(s, &session, &seq) == MC_ERR_NOTFOUND);
	CHECK(store_session_new(s, NULL, &c) == MC_OK && c == b + 2);
	store_close(s);
	free(dir);
}

int
main(void)
{
	RUN(record_codecs_round_trip);
	RUN(sessions_messages_replies);
	RUN(ratings_and_router_state);
	RUN(search_newest_first);
	RUN(search_pages_through_every_match);
	RUN(search_folds_case_beyond_ascii);
	RUN(map_full_grows);
	RUN(two_writer_processes);
	RUN(map_full_replays_start_afresh);
	RUN(drafts_of_a_dead_process_are_kept_once);
	RUN(sigkill_writer_loses_nothing_acknowledged);
	RUN(damaged_value_reported_and_skipped);
	RUN(long_title_cut_at_a_word);
	RUN(refusals_kept_listed_dropped);
	RUN(newer_schema_refused);
	RUN(many_ratings_in_one_millisecond);
	RUN(ratings_committed_many_in_one_transaction);
	RUN(rating_of_a_deleted_conversation_keeps_its_prompt);
	RUN(ratings_listed_in_the_order_made);
	RUN(pending_rating_settled_once);
	RUN(correction_after_clock_steps_back);
	RUN(budget_holds);
	RUN(hold_of_a_pid_used_again_does_not_count);
	RUN(imported_ratings_of_one_reply_count_once);
	RUN(refused_learning_keeps_the_rating_pending);
	RUN(rating_replaces_only_its_soft_lesson);
	RUN(ratings_read_features_one_at_a_time);
	RUN(short_but_whole_file_opens);
	RUN(messages_from_the_command_line);
	RUN(session_renamed);
	RUN(session_deleted_ratings_kept);
	return test_done();
}
