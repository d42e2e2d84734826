/*
 * store_int.h - what the store's own files share (never included outside
 * src/store): the struct store, and the transaction runners that replay a
 * write after growing a full map.
 */
#ifndef MIXCHAT_STORE_INT_H
#define MIXCHAT_STORE_INT_H

#include <lmdb.h>

#include "store/store.h"

struct store {
	MDB_env *env;
	MDB_dbi meta, sessions, messages, ratings, router, spend, latency;
	char *dir;
	size_t mapsize;
	char *error; /* the last failure, for store_strerror() */
	void (*warn)(void *, const char *);
	void *warn_arg;
	unsigned long damaged;
	bool readonly; /* opened by store_open_read in a read-only folder */
	/* The ratings generation ("rgen") the last write transaction found
	 * and left, when it changed a rating (store_ratings_gen_last). */
	bool gen_bumped;
	uint64_t gen_before, gen_after;
	/* The damaged records said already (their db and key's CRC-32):
	 * each is said once a session, however often it is read. */
	uint32_t said[64];
	unsigned nsaid;
};

/*
 * A transaction body: called with an open transaction; returns 0, an
 * enum mc_err, or an LMDB error code (MDB_* or errno) from the call that
 * failed.  A write body may be run several times (replayed after the map
 * grew), so it must only write its results through arg at the end or
 * overwrite them on each run.
 */
/* store_lmdb_trouble: whether a body's code is LMDB's or the system's
 * (MDB_* codes are < -30000, errno values > 0), not an enum mc_err (-1
 * to -99): the transaction is then unusable and must end with it. */
static inline bool
store_lmdb_trouble(int rc)
{
	return rc > 0 || rc <= -100;
}
/*
 * store_txn_write: run fn in a write transaction and commit it; on
 * MDB_MAP_FULL abort, double the map and replay (STORE_GROW_RETRIES).
 * store_txn_read: run fn in a read-only transaction and end it.
 * Both return an enum mc_err and set the store's error text on failure.
 */
int store_txn_write(struct store *s, const char *what,
    int (*fn)(struct store *, MDB_txn *, void *), void *arg) MC_WUR;
int store_txn_read(struct store *s, const char *what,
    int (*fn)(struct store *, MDB_txn *, void *), void *arg) MC_WUR;
/*
 * store_txn_begin_read: a read-only transaction left open for the caller,
 * who ends it with mdb_txn_abort: for a read that hands out records a few
 * at a time (store_ratings_read).  0 or an LMDB code.
 * store_txn_result: a body's code as store_txn_read returns it (an enum
 * mc_err; the store's error text set on failure).
 */
int store_txn_begin_read(struct store *s, MDB_txn **txn) MC_WUR;
int store_txn_result(struct store *s, const char *what, int rc) MC_WUR;

/* store_set_error: replace the error text (printf style). */
void store_set_error(struct store *s, const char *fmt, ...) MC_PRINTF(2, 3);
/* store_hold_drop_in: delete a taken hold in txn (store_reply_finish's,
 * with the cost it held booked); 0 or an LMDB code. */
int store_hold_drop_in(struct store *s, MDB_txn *txn, struct store_hold *hold);

/*
 * A writer of records that outlive the call that made them (drafts,
 * budget holds): its pid, its start time (clock ticks since boot, from
 * /proc; 0 when unknown) and a random token, so that a pid used again
 * (after a reboot, in another container) is never taken for it.
 * store_writer_me: this process (a forked child is its own).
 * store_writer_alive: whether w may still be at work: it is this process
 * (its token), or its pid lives and started when w did (when both can
 * be read).
 */
struct store_writer {
	uint32_t pid;
	uint64_t start, token;
};
const struct store_writer *store_writer_me(void);
bool store_writer_alive(const struct store_writer *w);

/* store_report_damaged: report a damaged record (db, key) and count it. */
void store_report_damaged(
    struct store *s, const char *db, const void *key, size_t klen, int err);
/* store_model_ok: whether id can be a key (1..STORE_MODEL_MAX bytes). */
int store_model_ok(const char *id);

#endif
