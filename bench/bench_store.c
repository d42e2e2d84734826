/*
 * bench_store.c - the store's speed where a user could feel it:
 *   - ratings committed per second, synchronous (each one transaction
 *     with a 4 KiB router state, as store_rating_commit does in the app);
 *   - the same, 512 a transaction (store_ratings_commit_many, as
 *     `mixchat ratings import` commits them);
 *   - messages appended per second, synchronous;
 *   - history search over 100,000 messages (loaded without fsync, which
 *     does not change what a search reads).
 * Prints its figures; asserts nothing about time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

static const char *vocab[] = { "the", "router", "model", "quality", "cost",
	"latency", "budget", "token", "reply", "question", "answer", "python",
	"list", "sort", "function", "error", "memory", "stream", "user",
	"rating", "prompt", "cache", "vector", "matrix", "learn", "kernel",
	"file", "thread", "socket", "buffer", "Tree", "Graph" };

static struct store *
open_store(const char *dir)
{
	struct store *s = NULL;
	char *cause = NULL;

	if (store_open(dir, &s, &cause) != MC_OK) {
		fprintf(stderr, "bench_store: %s\n", cause);
		exit(1);
	}
	return s;
}

/* A learner that learns nothing: its state is a 4 KiB blob. */
static int
bench_begin(void *ud, const char *model, const void *state, size_t len)
{
	(void)ud;
	(void)model;
	(void)state;
	(void)len;
	return MC_OK;
}

static int
bench_learn(void *ud, size_t i)
{
	(void)ud;
	(void)i;
	return MC_OK;
}

static int
bench_save(void *ud, const char *model, struct buf *out)
{
	(void)model;
	return buf_add(out, ud, 4096);
}

static void
make_text(char *buf, size_t size, unsigned int *seed)
{
	size_t len = 0;
	const char *w;

	while (len + 16 < size && len < 200) {
		w = vocab[rand_r(seed) % (sizeof vocab / sizeof vocab[0])];
		len += (size_t)snprintf(buf + len, size - len, "%s ", w);
	}
	if (rand_r(seed) % 1000 == 0)
		len += (size_t)snprintf(buf + len, size - len, "zanzibar ");
	buf[len > 0 ? len - 1 : 0] = '\0';
}

int
main(void)
{
	char tmpl[] = "/tmp/mixchat-bench-store.XXXXXX", dir[300], text[300];
	struct store *s;
	struct store_message m;
	struct store_rating r;
	struct store_hit *hits;
	struct store_search_tally tally;
	unsigned char blob[4096];
	char *cause = NULL, *cmd;
	unsigned int seed = 1;
	uint64_t session, t0, t;
	uint32_t seq;
	size_t n, i, q;
	const char *queries[] = { "zanzibar", "router", "latency budget",
		"TREE graph kernel", "nothing-like-this" };
	int nratings = 0, nmsgs = 0;

	if (mkdtemp(tmpl) == NULL)
		return 1;
	snprintf(dir, sizeof dir, "%s/db", tmpl);
	s = open_store(dir);
	if (store_session_new(s, NULL, &session) != MC_OK)
		return 1;
	memset(blob, 7, sizeof blob);

	/* ratings, synchronous, for about two seconds */
	memset(&r, 0, sizeof r);
	r.session = session;
	r.seq = 1;
	r.score = 4;
	r.source = STORE_SOURCE_KEYSTROKE;
	r.model = (char *)(uintptr_t) "gpt-4.1-mini";
	t0 = time_mono_us();
	do {
		r.time_ms = time_wall_ms();
		if (store_rating_commit(s, &r, "gpt-4.1-mini", blob,
		        sizeof blob, &cause) != MC_OK) {
			fprintf(stderr, "bench_store: %s\n", cause);
			return 1;
		}
		nratings++;
		t = time_mono_us() - t0;
	} while (t < 2000000 || nratings < 20);
	printf("ratings committed (synchronous, 4 KiB router state): "
	       "%d in %.2f s = %.0f/s\n",
	    nratings, t / 1e6, nratings / (t / 1e6));

	/* ratings, synchronous, 512 a transaction */
	{
		struct store_rating lot[512];
		const char *models[512];
		struct store_learner learner = { bench_begin, bench_learn,
			bench_save, blob };
		int nlot = 0;

		for (i = 0; i < 512; i++) {
			lot[i] = r;
			models[i] = r.model;
		}
		t0 = time_mono_us();
		do {
			for (i = 0; i < 512; i++)
				lot[i].time_ms = time_wall_ms();
			if (store_ratings_commit_many(s, lot, models, 512,
			        &learner, &cause) != MC_OK) {
				fprintf(stderr, "bench_store: %s\n", cause);
				return 1;
			}
			nlot += 512;
			t = time_mono_us() - t0;
		} while (t < 2000000 || nlot < 2048);
		printf("ratings committed 512 a transaction (synchronous, "
		       "4 KiB router state): %d in %.2f s = %.0f/s\n",
		    nlot, t / 1e6, nlot / (t / 1e6));
	}

	/* messages, synchronous */
	memset(&m, 0, sizeof m);
	m.session = session;
	m.role = STORE_ROLE_USER;
	t0 = time_mono_us();
	do {
		make_text(text, sizeof text, &seed);
		m.text = text;
		if (store_message_append(s, &m, &seq) != MC_OK) {
			fprintf(stderr, "bench_store: %s\n", store_strerror(s));
			return 1;
		}
		nmsgs++;
		t = time_mono_us() - t0;
	} while (t < 2000000 || nmsgs < 20);
	printf("messages appended (synchronous, ~200 B): %d in %.2f s = "
	       "%.0f/s\n",
	    nmsgs, t / 1e6, nmsgs / (t / 1e6));
	store_close(s);

	/* search over 100,000 messages in 100 sessions */
	store_test_nosync = 1;
	s = open_store(dir);
	t0 = time_mono_us();
	for (i = (size_t)nmsgs; i < 100000; i++) {
		if (i % 1000 == 0 &&
		    store_session_new(s, NULL, &session) != MC_OK)
			return 1;
		make_text(text, sizeof text, &seed);
		m.session = session;
		m.role = i % 2 ? STORE_ROLE_ASSISTANT : STORE_ROLE_USER;
		m.text = text;
		if (store_message_append(s, &m, &seq) != MC_OK) {
			fprintf(stderr, "bench_store: %s\n", store_strerror(s));
			return 1;
		}
	}
	printf("loaded to 100000 messages without fsync in %.2f s\n",
	    (time_mono_us() - t0) / 1e6);
	store_close(s);
	store_test_nosync = 0;
	s = open_store(dir);
	for (q = 0; q < sizeof queries / sizeof queries[0]; q++) {
		uint64_t best = UINT64_MAX;
		int rep;

		for (rep = 0; rep < 3; rep++) {
			t0 = time_mono_us();
			if (store_search(s, queries[q], NULL, 50, &hits, &n,
			        &tally) != MC_OK)
				return 1;
			t = time_mono_us() - t0;
			if (t < best)
				best = t;
			store_hits_free(hits, n);
		}
		printf("search over 100000 messages for \"%s\": %zu hits "
		       "shown (max 50) of %zu, best of 3: %.1f ms\n",
		    queries[q], n, tally.total, best / 1000.0);
	}
	store_close(s);
	cmd = xasprintf("rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpl);
	free(cmd);
	return 0;
}
