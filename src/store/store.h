/*
 * store.h - everything mixchat keeps: one LMDB environment in
 * <data_dir>/db with the named databases of DESIGN.md ("Storage").
 *
 *	meta      schema version, created-at, pointer to the newest reply
 *	sessions  one record per conversation
 *	messages  every message of every conversation
 *	ratings   every rating with the features the router learned from
 *	router    each model's learned state (opaque blob from src/router)
 *	spend     USD, tokens and calls per local day and model
 *	latency   each model's running TTFT / throughput and 429 cool-down
 *
 * The key and value layouts are drawn in record.h (values) and beside the
 * code that builds the keys (chat.c, learn.c, env.c).
 *
 * Rules every function here keeps:
 *  - each public write function is ONE committed, synchronous write
 *    transaction (default LMDB flags): when it returns MC_OK the event
 *    survives a crash or power cut;
 *  - no transaction is held between calls, so a process may wait for the
 *    user for as long as it likes and a second mixchat process on the same
 *    data folder reads and writes safely;
 *  - when the map fills (MDB_MAP_FULL) the transaction is aborted, the map
 *    doubled and the transaction replayed (at most STORE_GROW_RETRIES
 *    times); MC_ERR_FULL after that or when the disk is full;
 *  - a damaged record (bad length, unknown record version, bad checksum)
 *    is reported through the warning hook with its database and key and
 *    skipped; reading never crashes on what is on disk.
 *
 * A failed call returns an enum mc_err; store_strerror(s) then says what
 * happened in the user's words (owned by the store, valid until the next
 * call).  A struct store is used by one thread at a time.
 */
#ifndef MIXCHAT_STORE_H
#define MIXCHAT_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

/* The schema this build writes; older ones are migrated at open. */
#define STORE_SCHEMA 1
/* The initial map (grown by doubling when full). */
#define STORE_MAP_INITIAL  ((size_t)1 << 30)
#define STORE_GROW_RETRIES 10
/* Longest model id kept as (part of) a key. */
#define STORE_MODEL_MAX 256
/* Longest text of one message, and of a router blob. */
#define STORE_TEXT_MAX ((size_t)16 << 20)
#define STORE_BLOB_MAX ((size_t)64 << 20)

struct store;

enum store_role {
	STORE_ROLE_USER = 1,
	STORE_ROLE_ASSISTANT = 2,
	STORE_ROLE_SYSTEM = 3,
};

enum store_source {
	STORE_SOURCE_KEYSTROKE = 1,
	STORE_SOURCE_REASK = 2,
	STORE_SOURCE_IMPORT = 3,
	STORE_SOURCE_CLI = 4,
};

/*
 * store_open: open (creating it 0700 when absent) the environment in dir,
 * normally <data_dir>/db.  Clears stale reader slots, creates the named
 * databases, stamps or checks the schema (a newer one is refused with
 * MC_ERR_VERSION, an older one migrated).  On success *out is the store
 * (free with store_close); on failure *cause says why (caller frees).
 */
int store_open(const char *dir, struct store **out, char **cause) MC_WUR;
/*
 * store_open_read: store_open for a caller that only reads (sessions,
 * export, stats).  Where the folder cannot be written it opens the
 * environment read-only instead (without LMDB's lock file when that
 * cannot be written either, said through the warning hook); every write
 * to such a store then fails with MC_ERR_PERM, and a schema that would
 * need migrating is refused.
 */
int store_open_read(const char *dir, struct store **out, char **cause) MC_WUR;
/* store_read_only: whether s was opened read-only by store_open_read. */
bool store_read_only(const struct store *s);
/* store_close: close the environment and free s.  NULL is fine. */
void store_close(struct store *s);
/* store_strerror: the last failure in the user's words; owned by s. */
const char *store_strerror(const struct store *s);
/*
 * store_set_warn: where damaged-record reports go (default: stderr, as
 * "mixchat: ..." lines).  fn gets a message it must not keep.
 */
void store_set_warn(
    struct store *s, void (*fn)(void *, const char *), void *arg);
/* store_damaged: how many damaged records were reported and skipped. */
unsigned long store_damaged(const struct store *s);
/* store_map_size: the current map size in bytes (grows when full). */
size_t store_map_size(const struct store *s);

/* Sessions. ------------------------------------------------------------ */

struct store_session {
	uint64_t id; /* 1, 2, ... in order of creation */
	char *name;  /* given with --session / at creation, or NULL */
	char *title; /* name, else from the first user message; or NULL */
	int64_t created_ms;
	int64_t updated_ms;
	uint32_t nmessages;
	uint32_t last_seq; /* seq of the newest message, 0 when none */
	/* Set by store_session_list: it has messages, and `mixchat ask`
	 * sent every one of them (store_message.from_cli). */
	bool from_cli;
};

/* store_session_new: a new empty session; name may be NULL.  A name a
 * session has already (another process gave it one meanwhile: two `ask
 * --session NAME` at once) gives that session's id instead, checked in
 * the same write transaction: one conversation a name. */
int store_session_new(struct store *s, const char *name, uint64_t *id) MC_WUR;
/*
 * store_session_find: a session by its number ("12") or its name; the
 * newest one when several share a name.  MC_ERR_NOTFOUND when none.
 */
int store_session_find(
    struct store *s, const char *name_or_id, uint64_t *id) MC_WUR;
/* store_session_latest: the most recently updated session; NOTFOUND. */
int store_session_latest(struct store *s, uint64_t *id) MC_WUR;
/* store_session_get: one session into *out (release it); NOTFOUND. */
int store_session_get(
    struct store *s, uint64_t id, struct store_session *out) MC_WUR;
/*
 * store_session_list: every session, oldest first.  *list is an array
 * the caller frees with store_sessions_free(*list, *n).
 */
int store_session_list(
    struct store *s, struct store_session **list, size_t *n) MC_WUR;
void store_session_release(struct store_session *ss);
void store_sessions_free(struct store_session *list, size_t n);
/*
 * store_session_rename: session id is called name from now on (its name
 * and its title), in one transaction.  MC_ERR_NOTFOUND when there is no
 * such session; MC_ERR_EXISTS when another one has that name (one
 * conversation a name); MC_ERR_USAGE for a name of no or over 1024 bytes.
 * What a name may be besides (not a number, no control characters) is the
 * app's to say.
 */
int store_session_rename(struct store *s, uint64_t id, const char *name) MC_WUR;
/*
 * store_session_delete: in ONE transaction, session id's record and every
 * message of it deleted.  Its ratings stay (the router learned them, and
 * `ratings export` carries them): each one that keeps no prompt of its own
 * is given prompt_of(ud, seq), the text of the message that reply seq
 * answered (NULL: none; owned by ud), so that an export still has it.  No
 * number is given again to a new session (meta "next_session"); the
 * newest reply (store_last_reply) is found again when it was in it.
 * MC_ERR_NOTFOUND: no such session; MC_ERR_AGAIN: its newest message is
 * no longer last_seq (another mixchat wrote into it since the caller
 * read it): nothing is deleted.  *nmessages (may be NULL) how many
 * messages went.
 */
typedef const char *(*store_prompt_fn)(void *ud, uint32_t seq);
int store_session_delete(struct store *s, uint64_t id, uint32_t last_seq,
    store_prompt_fn prompt_of, void *ud, size_t *nmessages) MC_WUR;

/* Messages. ------------------------------------------------------------ */

struct store_message {
	uint64_t session;
	uint32_t seq; /* 1, 2, ... within the session; set by the store */
	int role;     /* enum store_role */
	char *text;
	char *model; /* who answered (assistant), or NULL */
	int tokens_in, tokens_out;
	bool tokens_estimated;
	double cost_usd;
	double ttft_ms, latency_ms;
	double wait_ms; /* of latency_ms, waiting out a 429 or 5xx to retry */
	int64_t created_ms;
	char *decision_json; /* the router's table as JSON text, or NULL */
	char *error;         /* why the reply failed / was cut, or NULL */
	int rating;          /* 0 none, 1..5 the latest rating */
	/* Sent by `mixchat ask` (the message and its reply), not in the
	 * chat: the chat's Up leaves such messages out.  Records written
	 * before it was kept read false. */
	bool from_cli;
};

/* What one reply adds to a day's spend (store_reply_finish). */
struct store_hold;
struct store_draft;

struct store_spend_add {
	uint32_t day;      /* local YYYYMMDD (time_day()) */
	const char *model; /* NULL: the reply's model */
	double usd;
	uint64_t tokens_in, tokens_out;
	/* The reply's budget hold (store_hold_take), or NULL: released in
	 * the transaction that books its cost, so that no other mixchat
	 * sees the cost twice (booked and held). */
	struct store_hold *hold;
	/* The reply's draft (store_draft_save), or NULL: dropped in the same
	 * transaction, so a reply is never both stored and recovered. */
	struct store_draft *draft;
};

/* A model's running latency estimates (app computes, store keeps). */
struct store_latency {
	double ttft_ms;
	double tokens_per_s;
	uint32_t samples;
	int64_t unavailable_until_ms; /* 429 cool-down; 0 none */
};

/*
 * store_message_append: append msg (a user message sent) to msg->session
 * in its own transaction; msg->seq and msg->rating are ignored, the new
 * seq goes to *seq.  Sets the session's title from the first user message
 * when it has none.  MC_ERR_NOTFOUND when the session does not exist.
 */
int store_message_append(
    struct store *s, const struct store_message *msg, uint32_t *seq) MC_WUR;
/*
 * store_reply_finish: in ONE transaction append the reply (as
 * store_message_append), add spend (may be NULL) to the day + model record
 * (usd, tokens, calls + 1), write lat (may be NULL) as the model's latency
 * record, and make the reply the newest for store_last_reply().
 */
int store_reply_finish(struct store *s, const struct store_message *reply,
    const struct store_spend_add *spend, const struct store_latency *lat,
    uint32_t *seq) MC_WUR;
/*
 * store_messages: every message of a session in order; free with
 * store_messages_free(*list, *n).  Damaged ones are reported and skipped.
 */
int store_messages(struct store *s, uint64_t session,
    struct store_message **list, size_t *n) MC_WUR;
/* store_message_get: one message into *out (release it); NOTFOUND. */
int store_message_get(struct store *s, uint64_t session, uint32_t seq,
    struct store_message *out) MC_WUR;
void store_message_release(struct store_message *m);
void store_messages_free(struct store_message *list, size_t n);

/*
 * Reply ids: a reply is (session, seq), shown to users as "SESSION.SEQ".
 * store_reply_id_format writes it into buf (size >= STORE_REPLY_ID_MAX).
 * store_reply_id_parse accepts exactly that form; MC_ERR_PARSE otherwise.
 */
#define STORE_REPLY_ID_MAX 32
void store_reply_id_format(
    uint64_t session, uint32_t seq, char *buf, size_t size);
int store_reply_id_parse(
    const char *text, uint64_t *session, uint32_t *seq) MC_WUR;
/* store_last_reply: the newest assistant message anywhere; NOTFOUND. */
int store_last_reply(struct store *s, uint64_t *session, uint32_t *seq) MC_WUR;

/* Search. -------------------------------------------------------------- */

struct store_hit {
	uint64_t session;
	uint32_t seq;
	int role;
	int64_t created_ms;
	char *snippet; /* about 80 bytes of text around the first word */
};

/* How many messages a search matched, for a page of them. */
struct store_search_tally {
	size_t total; /* every message that matches */
	size_t newer; /* of those, the ones at `after` or newer: the page's
	               * first hit is match newer + 1 of total */
};

/*
 * store_search: messages whose text holds every word of `words` (split at
 * white space; case ignored as util/terms.h says), newest first, at most
 * max of them: a page.  after (NULL: from the newest) is the last hit of
 * the page before (its created_ms, session and seq are read): the page
 * holds the matches older than it, so messages written or deleted since
 * shift no match into a page twice or past every page.  *tally (may be
 * NULL) gets the counts.  Every message is read, one at a time; only the
 * page's max are kept.  *hits is freed with store_hits_free(*hits, *n).
 * MC_ERR_USAGE when words has none.
 */
int store_search(struct store *s, const char *words,
    const struct store_hit *after, size_t max, struct store_hit **hits,
    size_t *n, struct store_search_tally *tally) MC_WUR;
void store_hits_free(struct store_hit *hits, size_t n);

/* Ratings and the router's learned state. ------------------------------- */

struct store_rating {
	uint64_t session;
	uint32_t seq;
	int score;  /* 1..5 */
	int source; /* enum store_source */
	char *model;
	int64_t time_ms;
	const float *features; /* what the router learned from; may be NULL */
	size_t nfeatures;
	/* The prompt's text when the rating is tied to no stored message (a
	 * re-ask's soft lesson, an imported rating, a rating of a deleted
	 * conversation: store_session_delete), so an export can carry it
	 * on; NULL otherwise.  Records written before it have none. */
	char *prompt;
	/* Given to store a rating: the prompt to keep (as prompt) should its
	 * conversation be gone when the rating is stored (deleted by another
	 * mixchat since the reply was shown).  Not stored itself. */
	const char *prompt_if_gone;
	/* An imported rating's reply id in the home it was made in (with its
	 * model and prompt, what tells a correction made there from another
	 * rating); NULL otherwise. */
	char *origin;
	/* Kept but not learned yet: its model was no candidate when it was
	 * made (no key, or not in the config).  The router learns it when
	 * the model is one again (store_rating_settle). */
	bool pending;
	/* Set by store_ratings_list: a later rating of the same reply
	 * replaced this one (a corrected rating), so it no longer counts. */
	bool superseded;
	/* Set by store_ratings_list: the time in its key (time_ms, or a
	 * millisecond or so after it when that key was taken). */
	int64_t key_ms;
};

/*
 * store_rating_commit: in ONE transaction store the rating, set the
 * message's latest rating (when the message exists) and, when
 * router_model_id is not NULL, replace that model's router state with
 * blob_len bytes of router_blob.  The router has already learned; after
 * MC_OK both are on disk.  *cause says why on failure (caller frees).
 */
int store_rating_commit(struct store *s, const struct store_rating *r,
    const char *router_model_id, const void *router_blob, size_t blob_len,
    char **cause) MC_WUR;
/*
 * store_rating_commit_learn: the same, but the model's new state is made
 * inside the transaction by learn(ud, stored, len, out) from the state
 * stored at that moment (stored NULL when there is none or it is
 * damaged): two processes rating at once each build on the other's
 * state.  learn may run more than once (the transaction is retried when
 * the map grows): it must depend only on its arguments.  Anything but
 * MC_OK from it stores the rating alone.
 */
typedef int (*store_learn_fn)(
    void *ud, const void *stored, size_t len, struct buf *out);
int store_rating_commit_learn(struct store *s, const struct store_rating *r,
    const char *router_model_id, store_learn_fn learn, void *ud,
    char **cause) MC_WUR;
/*
 * store_reask_find: the key time of the latest re-ask soft lesson (a
 * learned rating of source STORE_SOURCE_REASK, in session 0) of model on
 * prompt, re-asking reply_id (a lesson names the reply it re-asked in
 * origin; one stored before that matches any), for
 * store_rating_commit_replace; MC_ERR_NOTFOUND when there is none.
 */
int store_reask_find(struct store *s, const char *model, const char *prompt,
    const char *reply_id, int64_t *key_ms) MC_WUR;
/* store_reask_of: whether r is such a lesson (store_reask_find's test). */
bool store_reask_of(const struct store_rating *r, const char *model,
    const char *prompt, const char *reply_id);
/*
 * store_rating_commit_replace: store_rating_commit_learn, and in the same
 * transaction the re-ask's soft lesson keyed at drop_ms (when > 0) that
 * the user's own rating of the reply replaces is deleted - if it is still
 * there and is a learned re-ask lesson of r->model on drop_prompt, which
 * *drop_found (when not NULL) tells learn before it runs, and only once
 * learn has succeeded (a rating kept pending replaces nothing).  *key_ms
 * (when not NULL) gets the time in the new rating's key (its time_ms, or
 * a millisecond or so after) when it was learned, else 0.
 */
int store_rating_commit_replace(struct store *s, const struct store_rating *r,
    const char *router_model_id, store_learn_fn learn, void *ud,
    int64_t drop_ms, const char *drop_prompt, bool *drop_found, int64_t *key_ms,
    char **cause) MC_WUR;
/*
 * store_ratings_commit_many: n ratings in ONE write transaction, in order,
 * each as store_rating_commit_learn commits it (router_models[i] NULL:
 * list[i] alone, as given), with each model's state read once and written
 * once: one write (and one fsync) for the lot.  The learner holds the
 * states meanwhile: begin hands it a model's state in the transaction
 * (NULL when there is none or it is damaged) before its first rating,
 * learn(ud, i) teaches it rating i, save gives the state to write.
 * Anything but MC_OK from begin or learn keeps the rating pending (from
 * begin: every rating of that model).  The transaction may be retried (the
 * map grows): begin is then called again, on the states stored before it.
 */
struct store_learner {
	int (*begin)(
	    void *ud, const char *model, const void *state, size_t len);
	int (*learn)(void *ud, size_t i);
	int (*save)(void *ud, const char *model, struct buf *out);
	void *ud;
};
int store_ratings_commit_many(struct store *s, const struct store_rating *list,
    const char *const *router_models, size_t n,
    const struct store_learner *learner, char **cause) MC_WUR;
/*
 * store_rating_settle: a pending rating r (as store_ratings_list gave it)
 * learned at last: in ONE transaction its record loses the pending mark
 * and, as store_rating_commit_learn does, learn makes router_model_id's
 * new state from the state stored then.  MC_ERR_NOTFOUND: the rating is
 * gone or no longer pending (another mixchat settled it first); nothing
 * is written then.
 */
int store_rating_settle(struct store *s, const struct store_rating *r,
    const char *router_model_id, store_learn_fn learn, void *ud,
    char **cause) MC_WUR;
/*
 * store_ratings_list: every rating, in the order they were made (by
 * time_ms; ties in the order stored).  Each element owns
 * its model and features; free with store_ratings_free(*list, *n).
 */
int store_ratings_list(
    struct store *s, struct store_rating **list, size_t *n) MC_WUR;
void store_ratings_free(struct store_rating *list, size_t n);
/*
 * store_ratings_read: the same list, without the features (each element's
 * features NULL, its nfeatures the count its record holds), which are
 * most of a rating's bytes: a start replays each model's last ratings
 * only, and a count needs none.  With rd NULL that is all.  Otherwise the
 * read stays open in *rd, on the same state of the store, and
 * store_ratings_features(*rd, i) gives (*list)[i] its features (owned by
 * the list, as store_ratings_list's: store_rating_features_drop frees
 * them early); store_ratings_end(*rd) ends the read (the list stays, for
 * store_ratings_free).  Between the two nothing else of the store may be
 * called: a write, or a read that finds the map grown by another process,
 * remaps it under the records the read hands out.
 */
struct store_ratings;
int store_ratings_read(struct store *s, struct store_ratings **rd,
    struct store_rating **list, size_t *n) MC_WUR;
int store_ratings_features(struct store_ratings *rd, size_t i) MC_WUR;
void store_rating_features_drop(struct store_rating *r);
void store_ratings_end(struct store_ratings *rd);

/*
 * store_model_starts: where each of the n models' learned states started
 * (its prior's name, "" for its price tier), as store_model_starts_put
 * kept it; starts[i] NULL when none is kept (caller frees each).
 */
int store_model_starts(
    struct store *s, const char *const *models, size_t n, char **starts) MC_WUR;
int store_model_starts_put(struct store *s, const char *const *models,
    const char *const *starts, size_t n) MC_WUR;
/*
 * store_ratings_gen: a number that changes whenever a rating is stored,
 * settled or deleted (0 before any): what a long-running process compares
 * to know its memory of rated prompts misses another's rating.
 */
int store_ratings_gen(struct store *s, uint64_t *gen) MC_WUR;
/* store_ratings_gen_last: when the last write transaction (committed)
 * changed a rating, the generation it found and the one it left. */
bool store_ratings_gen_last(
    const struct store *s, uint64_t *before, uint64_t *after);
/*
 * store_router_stamps: for each of the n models, a number that changes
 * whenever its stored router state does (its size and checksum; 0 when
 * none is stored), read in one transaction without copying a state:
 * what a long-running process compares to see another's learning.
 */
int store_router_stamps(struct store *s, const char *const *models, size_t n,
    uint64_t *stamps) MC_WUR;
/* store_router_stamp_of: the stamp a state of len bytes has once stored
 * (for what this process wrote, without reading it back). */
uint64_t store_router_stamp_of(const void *blob, size_t len);
/* store_router_get: the model's state blob into out (its max bounds it). */
int store_router_get(
    struct store *s, const char *model_id, struct buf *out) MC_WUR;
/*
 * store_router_update: in one write transaction, learn(ud, stored, len,
 * out) makes the model's new state from the one stored then (NULL when
 * none or damaged), as store_rating_commit_learn does; anything but MC_OK
 * from it leaves the stored state as it is (MC_ERR_EXISTS then).
 */
int store_router_update(struct store *s, const char *model_id,
    store_learn_fn learn, void *ud) MC_WUR;
/* store_router_put: replace the model's state (one transaction). */
int store_router_put(
    struct store *s, const char *model_id, const void *blob, size_t len) MC_WUR;

struct store_router_state {
	char *model;
	void *blob;
	size_t len;
};

/*
 * store_router_list: every model's state, to load the router at start-up.
 * Free with store_router_free(*list, *n).
 */
int store_router_list(
    struct store *s, struct store_router_state **list, size_t *n) MC_WUR;
void store_router_free(struct store_router_state *list, size_t n);

/* Latency and spend. --------------------------------------------------- */

/* store_latency_get: the model's record into *out; NOTFOUND when none. */
int store_latency_get(
    struct store *s, const char *model_id, struct store_latency *out) MC_WUR;
/* store_latency_put: replace it (also for a 429 cool-down alone). */
int store_latency_put(struct store *s, const char *model_id,
    const struct store_latency *lat) MC_WUR;

/*
 * Refusals: a provider's "no" that would come again - the key refused
 * (401), the model refused to this key (403) or unknown (404) - kept so
 * that the next mixchat (a chat started again, the next `ask` of a script)
 * does not spend a request to hear it again.  One a model, under
 * "refused" + its id in the meta database; the app decides when one no
 * longer holds (the key changed, a day went by, the model answered).
 * The key is named by its fingerprint only (vault_fingerprint: 8 hex
 * digits of a labelled hash, as `keys list` shows): never the key.
 */
enum store_refusal_kind {
	STORE_REFUSED_KEY = 1,    /* its provider refused the key */
	STORE_REFUSED_ACCESS = 2, /* the key may not use the model */
	STORE_REFUSED_GONE = 3,   /* the provider has no such model */
};

struct store_refusal {
	char *model;
	int kind;         /* enum store_refusal_kind */
	int64_t since_ms; /* > 0 */
	char key_fp[9];   /* the key refused or used; "" for no key */
	char route[9];    /* 8 hex digits naming where the model was asked
	                     (the app's hash of its provider, API and URL) */
};

/* store_refusals_put: keep the n refusals of list (each replacing its
 * model's) in one transaction. */
int store_refusals_put(
    struct store *s, const struct store_refusal *list, size_t n) MC_WUR;
/* store_refusals_drop: forget the n models' refusals in one transaction;
 * MC_OK for a model that had none. */
int store_refusals_drop(
    struct store *s, const char *const *models, size_t n) MC_WUR;
/*
 * store_refusals_list: every refusal kept, by model id; a damaged one is
 * reported (store_set_warn) and left out.  Free with
 * store_refusals_free(*list, *n).
 */
int store_refusals_list(
    struct store *s, struct store_refusal **list, size_t *n) MC_WUR;
void store_refusals_free(struct store_refusal *list, size_t n);

struct store_spend {
	uint32_t day; /* YYYYMMDD */
	char *model;
	double usd;
	uint64_t tokens_in, tokens_out;
	uint32_t calls;
};

/* store_spend_day: total USD spent on a day (0 when nothing). */
int store_spend_day(struct store *s, uint32_t day, double *usd) MC_WUR;

/*
 * Holds: the predicted cost of a request in flight, counted against the
 * daily budget until its reply is booked, so that several mixchats on one
 * data folder (`ask` run four at a time) cannot each spend what is left.
 * A hold lives in the meta database until released; one whose process
 * is gone no longer counts (and is deleted by the next store_hold_take),
 * nor one older than STORE_HOLD_MAX_MS.  It names its writer as a draft
 * does (pid, start time and token), so a dead writer's pid used again
 * (after a reboot, in another container) does not keep it counting.
 * A hold counts whatever day it was taken on: a reply is booked on the
 * day it ends, which may be the next.
 */
#define STORE_HOLD_MAX_MS (24 * 60 * 60 * 1000LL)
#define STORE_HOLD_KEY    20

struct store_hold {
	unsigned char key[STORE_HOLD_KEY];
	bool taken;
};

/*
 * store_hold_take: in one write transaction, count day's spend and the
 * live holds; when budget > 0 and they and usd exceed it,
 * MC_ERR_BUDGET; else the hold of usd is stored in *hold.  Either way
 * *left is what was not spent or held before it (>= 0).
 */
int store_hold_take(struct store *s, uint32_t day, double usd, double budget,
    double *left, struct store_hold *hold) MC_WUR;
/* store_hold_take_upto: the same, but what is held is as much of what is
 * left as usd_max (at least usd, or MC_ERR_BUDGET); *held says how much
 * (NULL: not wanted). */
int store_hold_take_upto(struct store *s, uint32_t day, double usd,
    double usd_max, double budget, double *left, double *held,
    struct store_hold *hold) MC_WUR;
/* store_hold_release: the hold no longer counts (its reply is booked, or
 * it was never sent); one not taken is nothing to do. */
void store_hold_release(struct store *s, struct store_hold *hold);
/*
 * Drafts: the text of a reply still arriving, saved every few seconds by
 * the process streaming it (store_draft_save), so that a mixchat killed
 * mid-reply (kill -9, a crash, the machine off) loses at most those
 * seconds.  A draft whose process is gone is appended to its conversation
 * as an interrupted reply by the next mixchat that opens the data
 * (store_drafts_recover); a reply booked drops its draft with the booking
 * (store_spend_add.draft).  Key "draft" + the writer's random token + a
 * count; the value names the writer by pid, start time and token, so a pid
 * used again (a reboot, a container) is never taken for it.
 */
#define STORE_DRAFT_KEY 17

struct store_draft {
	unsigned char key[STORE_DRAFT_KEY];
	bool saved;
};

/* store_draft_save: save (or replace) m, the reply so far, as d. */
int store_draft_save(struct store *s, struct store_draft *d,
    const struct store_message *m) MC_WUR;
/*
 * store_drafts_recover: every draft whose process is gone appended to its
 * conversation (its error, if it has none, says it was interrupted) and
 * deleted, in one transaction; *n how many were appended.
 */
int store_drafts_recover(struct store *s, size_t *n) MC_WUR;
/* store_drafts_recover_last: the same, and the place of the last one
 * appended (session, seq: its reply id) when *n > 0. */
int store_drafts_recover_last(
    struct store *s, size_t *n, uint64_t *session, uint32_t *seq) MC_WUR;
/* store_drafts_count: how many drafts are stored, live or not (tests). */
size_t store_drafts_count(struct store *s);
/* store_spend_day_held: day's spend plus the live holds. */
int store_spend_day_held(struct store *s, uint32_t day, double *usd) MC_WUR;
/*
 * store_spend_list: every day + model record, by day then model.  Free
 * with store_spend_free(*list, *n).
 */
int store_spend_list(
    struct store *s, struct store_spend **list, size_t *n) MC_WUR;
void store_spend_free(struct store_spend *list, size_t n);

/* Per-model summary for `mixchat stats`. ------------------------------- */

struct store_model_stats {
	char *model;
	uint32_t calls; /* replies booked in spend */
	double spend_today, spend_month, spend_total;
	uint64_t tokens_in, tokens_out;
	uint32_t replies;       /* assistant messages recorded */
	uint32_t timed;         /* of those, how many had a latency */
	double mean_latency_ms; /* over the timed replies; 0 when none */
	double mean_ttft_ms;
	uint32_t ratings;   /* the user's ratings (re-asks aside) */
	double mean_rating; /* over those */
	uint32_t reasks;    /* re-asks: absorbed as soft negatives too */
	uint32_t pending;   /* of the ratings and re-asks, how many are kept
	                       but not learned yet */
	bool has_latency;
	struct store_latency latency;
	bool has_router;
	size_t router_bytes;
};

/*
 * store_model_stats: one read pass over spend, messages, ratings, latency
 * and router; one element per model seen anywhere, sorted by id.  today is
 * the local YYYYMMDD (the month is today / 100).  Free with
 * store_model_stats_free(*list, *n).
 */
int store_model_stats(struct store *s, uint32_t today,
    struct store_model_stats **list, size_t *n) MC_WUR;
void store_model_stats_free(struct store_model_stats *list, size_t n);

/* Test hooks (tests/test_store*.c only). -------------------------------- */

/* When not 0, store_open maps this many bytes instead of 1 GiB. */
extern size_t store_test_mapsize;
/* When not 0, store_open opens without fsync (MDB_NOSYNC): benchmarks'
 * bulk loading only, never the program. */
extern int store_test_nosync;
/* store_test_put_raw: write raw bytes under a key of a named database. */
int store_test_put_raw(struct store *s, const char *db, const void *key,
    size_t klen, const void *val, size_t vlen) MC_WUR;

#endif
