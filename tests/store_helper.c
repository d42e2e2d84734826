/*
 * store_helper.c - writes a small known history into a store for the
 * shell scenarios (tests/store_cli.sh): store_helper DIR.
 *
 *   session 1 "first":  user "Hello there", reply by m-cheap ($0.001,
 *                       today), rated 4 with a router state for m-cheap
 *   session 2 (no name): user "Second question\n...", reply by m-big
 *                       ($0.02, today, TTFT 250 ms, 2 s) with an error
 *   and 1.5 USD of m-big spend on 2001-01-01 (in the total only).
 *
 * store_helper --spend DIR: books $0.0001234567 1,000 times today, half
 * for m-noise, half for m-noise2 (as doubles the sum is off by more than
 * cJSON's shortest form hides).
 *
 * store_helper --days DIR: spend on ten days of January 2001: on day D
 * (1..9) $0.01 * D for m-a; on the 9th also m-b $0.5, m-c $0.003, m-d
 * $0.002 and m-e $0.001; on the 10th only a free call (m-free, $0).
 *
 * store_helper --refusals DIR [MS]: print the refusals kept (model, kind,
 * key fingerprint or "-", age in whole minutes), one a line; with MS,
 * first make each MS milliseconds older (a day passing, for the tests).
 *
 * store_helper --named DIR NAME: a conversation named NAME (as an older
 * mixchat let "last" be named), with one message; prints its number.
 *
 * store_helper --damage-state DIR MODEL: MODEL's stored router state made
 * unreadable (the next start learns it again from the ratings).
 *
 * store_helper --dump DIR: print what the router learned, to compare two
 * stores byte for byte: each model's state (its length and FNV-1a hash), then
 * each rating in the order made (its key's time, model, score, source,
 * pending, superseded, origin, prompt and its features' hash).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "util/timeutil.h"

static void
must(int rc, const char *what)
{
	if (rc != MC_OK) {
		fprintf(stderr, "store_helper: %s failed (%d)\n", what, rc);
		exit(1);
	}
}

/* FNV-1a: a state blob ends in its own CRC-32, whose CRC is a constant. */
static uint64_t
fnv(const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t h = 14695981039346656037u;

	while (n-- > 0)
		h = (h ^ *c++) * 1099511628211u;
	return h;
}

static int
dump(struct store *s)
{
	struct store_router_state *st;
	struct store_rating *list;
	size_t i, n;

	if (store_router_list(s, &st, &n) != MC_OK)
		return 1;
	for (i = 0; i < n; i++)
		printf("state %s %zu %016" PRIx64 "\n", st[i].model, st[i].len,
		    fnv(st[i].blob, st[i].len));
	store_router_free(st, n);
	if (store_ratings_list(s, &list, &n) != MC_OK)
		return 1;
	for (i = 0; i < n; i++)
		printf("rating %" PRId64 " %s %d %d %d %d %s %s %016" PRIx64
		       "\n",
		    list[i].key_ms, list[i].model ? list[i].model : "-",
		    list[i].score, list[i].source, list[i].pending,
		    list[i].superseded, list[i].origin ? list[i].origin : "-",
		    list[i].prompt ? list[i].prompt : "-",
		    fnv(list[i].features,
		        list[i].nfeatures * sizeof *list[i].features));
	store_ratings_free(list, n);
	store_close(s);
	return 0;
}

static int
refusals(struct store *s, const char *older)
{
	struct store_refusal *list;
	int64_t now = time_wall_ms();
	size_t n, i;

	must(store_refusals_list(s, &list, &n), "refusals");
	for (i = 0; i < n; i++) {
		if (older != NULL) {
			list[i].since_ms -= strtoll(older, NULL, 10);
			must(store_refusals_put(s, &list[i], 1), "refusal");
		}
		printf("%s %d %s %lld\n", list[i].model, list[i].kind,
		    list[i].key_fp[0] != '\0' ? list[i].key_fp : "-",
		    (long long)((now - list[i].since_ms) / 60000));
	}
	store_refusals_free(list, n);
	store_close(s);
	return 0;
}

int
main(int argc, char **argv)
{
	struct store *s = NULL;
	struct store_message m;
	struct store_rating r;
	struct store_spend_add add;
	struct store_latency lat = { 250, 80, 3, 0 };
	char *cause = NULL;
	uint64_t a, b;
	uint32_t seq;
	int64_t now = time_wall_ms();

	/* A conversation named as mixchat no longer lets one be named
	 * ("last", "new": an older release's data), with one message. */
	if (argc == 4 && strcmp(argv[1], "--named") == 0) {
		store_test_nosync = 1;
		if (store_open(argv[2], &s, &cause) != MC_OK) {
			fprintf(stderr, "store_helper: %s\n", cause);
			return 1;
		}
		must(store_session_new(s, argv[3], &a), "session");
		memset(&m, 0, sizeof m);
		m.session = a;
		m.role = STORE_ROLE_USER;
		m.text = (char *)(uintptr_t) "in a conversation named so";
		m.created_ms = now;
		must(store_message_append(s, &m, &seq), "message");
		printf("%llu\n", (unsigned long long)a);
		store_close(s);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--spend") == 0) {
		int i;

		store_test_nosync = 1;
		if (store_open(argv[2], &s, &cause) != MC_OK) {
			fprintf(stderr, "store_helper: %s\n", cause);
			return 1;
		}
		must(store_session_new(s, NULL, &a), "session");
		memset(&m, 0, sizeof m);
		memset(&add, 0, sizeof add);
		m.session = a;
		m.role = STORE_ROLE_ASSISTANT;
		m.text = (char *)(uintptr_t) "x";
		m.model = (char *)(uintptr_t) "m-noise";
		m.created_ms = now;
		add.day = time_day(now);
		add.usd = 0.0001234567;
		for (i = 0; i < 1000; i++) {
			m.model =
			    (char *)(uintptr_t)(i % 2 ? "m-noise2" : "m-noise");
			must(store_reply_finish(s, &m, &add, NULL, &seq),
			    "spend");
		}
		store_close(s);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--days") == 0) {
		static const struct {
			uint32_t day;
			const char *model;
			double usd;
		} book[] = {
			{ 20010109, "m-b", 0.5 },
			{ 20010109, "m-c", 0.003 },
			{ 20010109, "m-d", 0.002 },
			{ 20010109, "m-e", 0.001 },
			{ 20010110, "m-free", 0 },
		};
		size_t i;

		store_test_nosync = 1;
		if (store_open(argv[2], &s, &cause) != MC_OK) {
			fprintf(stderr, "store_helper: %s\n", cause);
			return 1;
		}
		must(store_session_new(s, NULL, &a), "session");
		memset(&m, 0, sizeof m);
		memset(&add, 0, sizeof add);
		m.session = a;
		m.role = STORE_ROLE_ASSISTANT;
		m.text = (char *)(uintptr_t) "x";
		m.created_ms = now;
		for (i = 1; i <= 9; i++) {
			m.model = (char *)(uintptr_t) "m-a";
			add.day = 20010100 + (uint32_t)i;
			add.usd = 0.01 * (double)i;
			must(store_reply_finish(s, &m, &add, NULL, &seq),
			    "spend");
		}
		for (i = 0; i < sizeof book / sizeof book[0]; i++) {
			m.model = (char *)(uintptr_t)book[i].model;
			add.day = book[i].day;
			add.usd = book[i].usd;
			must(store_reply_finish(s, &m, &add, NULL, &seq),
			    "spend");
		}
		store_close(s);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--dump") == 0) {
		if (store_open(argv[2], &s, &cause) != MC_OK) {
			fprintf(stderr, "store_helper: %s\n", cause);
			return 1;
		}
		return dump(s);
	}
	/* A model's stored state made unreadable: the next start learns it
	 * again from the ratings, from where config.json starts it. */
	if (argc == 4 && strcmp(argv[1], "--damage-state") == 0) {
		if (store_open(argv[2], &s, &cause) != MC_OK) {
			fprintf(stderr, "store_helper: %s\n", cause);
			return 1;
		}
		must(store_test_put_raw(
		         s, "router", argv[3], strlen(argv[3]), "damaged", 7),
		    "damage-state");
		store_close(s);
		return 0;
	}
	if (argc >= 3 && argc <= 4 && strcmp(argv[1], "--refusals") == 0) {
		if (store_open(argv[2], &s, &cause) != MC_OK) {
			fprintf(stderr, "store_helper: %s\n", cause);
			return 1;
		}
		return refusals(s, argc == 4 ? argv[3] : NULL);
	}
	if (argc != 2) {
		fprintf(stderr,
		    "usage: store_helper DIR | --spend DIR | --days DIR | "
		    "--refusals DIR [MS] | --dump DIR | --damage-state DIR "
		    "MODEL\n");
		return 2;
	}
	if (store_open(argv[1], &s, &cause) != MC_OK) {
		fprintf(stderr, "store_helper: %s\n", cause);
		return 1;
	}
	must(store_session_new(s, "first", &a), "session");
	memset(&m, 0, sizeof m);
	m.session = a;
	m.role = STORE_ROLE_USER;
	m.text = (char *)(uintptr_t) "Hello there";
	m.created_ms = now - 60000;
	must(store_message_append(s, &m, &seq), "append");
	m.role = STORE_ROLE_ASSISTANT;
	m.text = (char *)(uintptr_t) "General Kenobi";
	m.model = (char *)(uintptr_t) "m-cheap";
	m.cost_usd = 0.001;
	m.ttft_ms = 100;
	m.latency_ms = 500;
	m.tokens_in = 10;
	m.tokens_out = 20;
	m.decision_json = (char *)(uintptr_t) "{\"chosen\":\"m-cheap\"}";
	m.created_ms = now - 59000;
	add.day = time_day(now);
	add.model = NULL;
	add.usd = 0.001;
	add.tokens_in = 10;
	add.tokens_out = 20;
	must(store_reply_finish(s, &m, &add, NULL, &seq), "reply");
	memset(&r, 0, sizeof r);
	r.session = a;
	r.seq = seq;
	r.score = 4;
	r.source = STORE_SOURCE_CLI;
	r.model = (char *)(uintptr_t) "m-cheap";
	r.time_ms = now;
	must(store_rating_commit(s, &r, "m-cheap", "0123456789", 10, &cause),
	    "rating");

	must(store_session_new(s, NULL, &b), "session");
	memset(&m, 0, sizeof m);
	m.session = b;
	m.role = STORE_ROLE_USER;
	m.text = (char *)(uintptr_t) "Second question\nwith two lines";
	m.created_ms = now - 1000;
	must(store_message_append(s, &m, &seq), "append");
	m.role = STORE_ROLE_ASSISTANT;
	m.text = (char *)(uintptr_t) "A partial answ";
	m.model = (char *)(uintptr_t) "m-big";
	m.cost_usd = 0.02;
	m.ttft_ms = 250;
	m.latency_ms = 2000;
	m.tokens_out = 300;
	m.error = (char *)(uintptr_t) "connection reset";
	m.created_ms = now;
	add.usd = 0.02;
	add.tokens_in = 30;
	add.tokens_out = 300;
	must(store_reply_finish(s, &m, &add, &lat, &seq), "reply");
	add.day = 20010101;
	add.model = "m-big";
	add.usd = 1.5;
	m.error = NULL;
	must(store_reply_finish(s, &m, &add, NULL, &seq), "old spend");
	store_close(s);
	return 0;
}
