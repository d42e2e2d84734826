/*
 * env.c - the LMDB environment: opening it (stale readers, named
 * databases, schema stamp / check / migration), the transaction runners
 * that grow a full map and replay, error texts and damaged-record
 * reports.  The only file that calls mdb_env_*.
 *
 * meta database:
 *
 *   "schema"     -> u32 LE   the schema the data was written with
 *   "created"    -> i64 LE   ms since the epoch, when first opened
 *   "last_reply" -> u64 LE session | u32 LE seq  (chat.c)
 *   "hold" pid time n -> a reply in flight's predicted cost (learn.c)
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/record.h"
#include "store/store_int.h"
#include "util/crc32.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

size_t store_test_mapsize;
int store_test_nosync;

void
store_set_error(struct store *s, const char *fmt, ...)
{
	va_list ap;

	free(s->error);
	va_start(ap, fmt);
	s->error = xvasprintf(fmt, ap);
	va_end(ap);
}

const char *
store_strerror(const struct store *s)
{
	return s->error != NULL ? s->error : "no error";
}

static void
warn_stderr(void *arg, const char *msg)
{
	fprintf(stderr, "mixchat: %s\n", msg);
}

void
store_set_warn(struct store *s, void (*fn)(void *, const char *), void *arg)
{
	s->warn = fn != NULL ? fn : warn_stderr;
	s->warn_arg = arg;
}

unsigned long
store_damaged(const struct store *s)
{
	return s->damaged;
}

size_t
store_map_size(const struct store *s)
{
	return s->mapsize;
}

void
store_report_damaged(
    struct store *s, const char *db, const void *key, size_t klen, int err)
{
	char *k, *msg;
	uint32_t id =
	    crc32_ieee(key, klen) ^ crc32_ieee(db, strlen(db)) * 2654435761u;
	unsigned i;

	for (i = 0; i < s->nsaid && i < 64; i++)
		if (s->said[i] == id)
			return; /* said already */
	s->said[s->nsaid++ % 64] = id;
	k = record_key_text(db, key, klen);
	msg = xasprintf("%s/%s record %s %s; skipped (the rest of the data "
	                "is unaffected)",
	    s->dir, db, k,
	    err == MC_ERR_VERSION ? "was written by a newer mixchat"
	                          : "is damaged");
	log_debug("%s", msg);
	s->warn(s->warn_arg, msg);
	s->damaged++;
	free(msg);
	free(k);
}

int
store_model_ok(const char *id)
{
	size_t len;

	if (id == NULL)
		return 0;
	len = strlen(id);
	return len > 0 && len <= STORE_MODEL_MAX;
}

/* mc_from_mdb: an enum mc_err for an LMDB / errno code; error text set. */
static int
mc_from_mdb(struct store *s, const char *what, int rc)
{
	if (rc < 0 && !store_lmdb_trouble(rc))
		return rc; /* already an enum mc_err from a body */
	switch (rc) {
	case MDB_NOTFOUND:
		return MC_ERR_NOTFOUND;
	case MDB_MAP_FULL:
		store_set_error(s,
		    "%s: the database map in %s is full and "
		    "could not grow further (%zu MiB); free disk space or "
		    "move old data away",
		    what, s->dir, s->mapsize >> 20);
		return MC_ERR_FULL;
	case ENOSPC:
	case EDQUOT:
		store_set_error(s,
		    "%s: the disk holding %s is full; free some "
		    "space and try again",
		    what, s->dir);
		return MC_ERR_FULL;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
		store_set_error(s,
		    "%s: the database in %s is damaged (%s); "
		    "move it away to start afresh",
		    what, s->dir, mdb_strerror(rc));
		return MC_ERR_CORRUPT;
	case MDB_VERSION_MISMATCH:
		store_set_error(s,
		    "%s: the database in %s was made by another "
		    "LMDB version (%s)",
		    what, s->dir, mdb_strerror(rc));
		return MC_ERR_VERSION;
	default:
		store_set_error(
		    s, "%s: %s: %s", what, s->dir, mdb_strerror(rc));
		return MC_ERR_IO;
	}
}

/* grow: double the map (after whatever another process made it). */
static int
grow(struct store *s)
{
	MDB_envinfo info;
	size_t size;
	int rc;

	if (mdb_env_info(s->env, &info) != 0)
		info.me_mapsize = s->mapsize;
	size = info.me_mapsize > s->mapsize ? info.me_mapsize : s->mapsize;
	size *= 2;
	rc = mdb_env_set_mapsize(s->env, size);
	if (rc != 0)
		return rc;
	log_debug("store: map grown to %zu bytes", size);
	s->mapsize = size;
	return 0;
}

/* adopt: another process grew the map; take its size. */
static int
adopt(struct store *s)
{
	MDB_envinfo info;
	int rc;

	rc = mdb_env_set_mapsize(s->env, 0);
	if (rc == 0 && mdb_env_info(s->env, &info) == 0)
		s->mapsize = info.me_mapsize;
	return rc;
}

int
store_txn_write(struct store *s, const char *what,
    int (*fn)(struct store *, MDB_txn *, void *), void *arg)
{
	MDB_txn *txn;
	int rc, attempt;

	if (s->readonly) {
		store_set_error(s,
		    "%s: %s can only be read (its folder is read-only to "
		    "you); nothing was written",
		    what, s->dir);
		return MC_ERR_PERM;
	}
	for (attempt = 0;; attempt++) {
		s->gen_bumped = false; /* (per attempt: one may be replayed) */
		rc = mdb_txn_begin(s->env, NULL, 0, &txn);
		if (rc == MDB_MAP_RESIZED && attempt < STORE_GROW_RETRIES) {
			if ((rc = adopt(s)) != 0)
				break;
			continue;
		}
		if (rc != 0)
			break;
		rc = fn(s, txn, arg);
		if (rc == 0)
			rc = mdb_txn_commit(txn); /* frees txn either way */
		else
			mdb_txn_abort(txn);
		if (rc == MDB_MAP_FULL && attempt < STORE_GROW_RETRIES) {
			if ((rc = grow(s)) != 0)
				break;
			continue;
		}
		break;
	}
	return rc == 0 ? MC_OK : mc_from_mdb(s, what, rc);
}

/* A read-only transaction begun (after adopting a map another process
 * grew); 0 or an LMDB code. */
static int
begin_read(struct store *s, MDB_txn **txn)
{
	int rc, attempt;

	for (attempt = 0;; attempt++) {
		rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
		if (rc == MDB_MAP_RESIZED && attempt < STORE_GROW_RETRIES) {
			if ((rc = adopt(s)) != 0)
				return rc;
			continue;
		}
		return rc;
	}
}

int
store_txn_read(struct store *s, const char *what,
    int (*fn)(struct store *, MDB_txn *, void *), void *arg)
{
	MDB_txn *txn;
	int rc;

	if ((rc = begin_read(s, &txn)) == 0) {
		rc = fn(s, txn, arg);
		mdb_txn_abort(txn);
	}
	return rc == 0 ? MC_OK : mc_from_mdb(s, what, rc);
}

int
store_txn_begin_read(struct store *s, MDB_txn **txn)
{
	int rc = begin_read(s, txn);

	if (rc != 0)
		*txn = NULL;
	return rc;
}

int
store_txn_result(struct store *s, const char *what, int rc)
{
	return rc == 0 ? MC_OK : mc_from_mdb(s, what, rc);
}

/* Opening. */

struct open_ctx {
	uint32_t found; /* the schema on disk, 0 for a new environment */
};

/*
 * Migrations: migrate[v] turns schema v into v + 1 inside the opening
 * transaction.  Schema 1 is the first, so there is none yet; the loop in
 * open_body runs them in order when STORE_SCHEMA grows.
 */
static int (*const migrate[STORE_SCHEMA + 1])(struct store *, MDB_txn *);

static int
put_schema(struct store *s, MDB_txn *txn, uint32_t v)
{
	unsigned char b[4];
	MDB_val k = { 6, (void *)(uintptr_t) "schema" }, d = { 4, b };
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return mdb_put(txn, s->meta, &k, &d, 0);
}

static int
open_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct open_ctx *ctx = arg;
	MDB_val k = { 6, (void *)(uintptr_t) "schema" }, d;
	unsigned char created[8];
	int64_t now;
	uint32_t v;
	int rc, i;

	if ((rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &s->meta)) != 0 ||
	    (rc = mdb_dbi_open(txn, "sessions", MDB_CREATE, &s->sessions)) ||
	    (rc = mdb_dbi_open(txn, "messages", MDB_CREATE, &s->messages)) ||
	    (rc = mdb_dbi_open(txn, "ratings", MDB_CREATE, &s->ratings)) ||
	    (rc = mdb_dbi_open(txn, "router", MDB_CREATE, &s->router)) ||
	    (rc = mdb_dbi_open(txn, "spend", MDB_CREATE, &s->spend)) ||
	    (rc = mdb_dbi_open(txn, "latency", MDB_CREATE, &s->latency)))
		return rc;
	ctx->found = 0;
	rc = mdb_get(txn, s->meta, &k, &d);
	if (rc == MDB_NOTFOUND) {
		now = time_wall_ms();
		for (i = 0; i < 8; i++)
			created[i] = (unsigned char)((uint64_t)now >> (8 * i));
		k.mv_size = 7;
		k.mv_data = (void *)(uintptr_t) "created";
		d.mv_size = 8;
		d.mv_data = created;
		if ((rc = mdb_put(txn, s->meta, &k, &d, 0)) != 0)
			return rc;
		return put_schema(s, txn, STORE_SCHEMA);
	}
	if (rc != 0)
		return rc;
	if (d.mv_size != 4) {
		store_set_error(s,
		    "%s: the schema record is damaged (%zu "
		    "bytes); move the folder away to start afresh",
		    s->dir, d.mv_size);
		return MC_ERR_CORRUPT;
	}
	v = 0;
	for (i = 3; i >= 0; i--)
		v = (v << 8) | ((const unsigned char *)d.mv_data)[i];
	ctx->found = v;
	if (v > STORE_SCHEMA) {
		store_set_error(s,
		    "%s was written by a newer mixchat (data "
		    "schema %lu; this mixchat reads up to %d): upgrade mixchat, "
		    "or use another data folder (--home)",
		    s->dir, (unsigned long)v, STORE_SCHEMA);
		return MC_ERR_VERSION;
	}
	if (v == 0) {
		store_set_error(s,
		    "%s: the schema record says 0; move the "
		    "folder away to start afresh",
		    s->dir);
		return MC_ERR_CORRUPT;
	}
	for (; v < STORE_SCHEMA; v++) {
		if (migrate[v] == NULL)
			return MC_ERR_INTERNAL;
		if ((rc = migrate[v](s, txn)) != 0)
			return rc;
		log_debug("store: migrated schema %lu to %lu", (unsigned long)v,
		    (unsigned long)v + 1);
	}
	if (ctx->found != STORE_SCHEMA)
		return put_schema(s, txn, STORE_SCHEMA);
	return 0;
}

/*
 * Opening to read only (store_open_read on a folder the user cannot
 * write): the named databases must be there and the schema this
 * mixchat's own, since a migration would write.  The read transaction
 * is committed, not aborted, so the handles it opened stay open.
 */
static int
open_read(struct store *s)
{
	MDB_txn *txn;
	MDB_val k = { 6, (void *)(uintptr_t) "schema" }, d;
	uint32_t v = 0;
	int rc, i;

	if ((rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) != 0)
		return mc_from_mdb(s, "opening the store", rc);
	if ((rc = mdb_dbi_open(txn, "meta", 0, &s->meta)) != 0 ||
	    (rc = mdb_dbi_open(txn, "sessions", 0, &s->sessions)) ||
	    (rc = mdb_dbi_open(txn, "messages", 0, &s->messages)) ||
	    (rc = mdb_dbi_open(txn, "ratings", 0, &s->ratings)) ||
	    (rc = mdb_dbi_open(txn, "router", 0, &s->router)) ||
	    (rc = mdb_dbi_open(txn, "spend", 0, &s->spend)) ||
	    (rc = mdb_dbi_open(txn, "latency", 0, &s->latency)) ||
	    (rc = mdb_get(txn, s->meta, &k, &d)) != 0) {
		mdb_txn_abort(txn);
		if (rc == MDB_NOTFOUND) {
			store_set_error(s,
			    "%s holds no mixchat data, and its folder is "
			    "read-only to you",
			    s->dir);
			return MC_ERR_NOTFOUND;
		}
		return mc_from_mdb(s, "opening the store", rc);
	}
	if (d.mv_size == 4)
		for (i = 3; i >= 0; i--)
			v = (v << 8) | ((const unsigned char *)d.mv_data)[i];
	if ((rc = mdb_txn_commit(txn)) != 0)
		return mc_from_mdb(s, "opening the store", rc);
	if (v != STORE_SCHEMA) {
		store_set_error(s,
		    v > STORE_SCHEMA
		        ? "%s was written by a newer mixchat (data schema "
		          "%lu; this mixchat reads %d): upgrade mixchat"
		    : v == 0 ? "%s: the schema record is damaged (%lu; "
		               "this mixchat reads %d)"
		             : "%s was written by an older mixchat (data "
		               "schema %lu; this mixchat reads %d) and must "
		               "be upgraded, which its read-only folder "
		               "does not allow: copy it somewhere writable",
		    s->dir, (unsigned long)v, STORE_SCHEMA);
		return v > STORE_SCHEMA ? MC_ERR_VERSION : MC_ERR_CORRUPT;
	}
	return MC_OK;
}

/*
 * A data file may end before its last page number: pages taken and freed
 * in one transaction are never written (LMDB's own copy trims to the file
 * for that).  Such a file is whole when every missing page is on the free
 * list.  The free list is read under a guard: in a file truly cut short
 * it may itself lie past the end, where a read faults (SIGBUS).
 */
static sigjmp_buf tail_jmp;
static MDB_txn *tail_txn; /* these two survive the jump */
static MDB_cursor *tail_cur;

static void
tail_fault(int sig)
{
	(void)sig;
	siglongjmp(tail_jmp, 1);
}

static bool
tail_is_free(MDB_env *env, uint64_t have, uint64_t last)
{
	struct sigaction sa, old_bus, old_segv;
	MDB_val k, d;
	volatile uint64_t found = 0;
	volatile bool ok = false;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tail_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old_bus);
	sigaction(SIGSEGV, &sa, &old_segv);
	tail_txn = NULL;
	tail_cur = NULL;
	if (sigsetjmp(tail_jmp, 1) == 0 &&
	    mdb_txn_begin(env, NULL, MDB_RDONLY, &tail_txn) == 0 &&
	    mdb_cursor_open(tail_txn, 0 /* the free list */, &tail_cur) == 0) {
		while (mdb_cursor_get(tail_cur, &k, &d, MDB_NEXT) == 0) {
			const size_t *ids = d.mv_data;
			size_t j, n;

			if (d.mv_size < sizeof *ids)
				continue;
			n = ids[0];
			for (j = 1;
			     j <= n && (j + 1) * sizeof *ids <= d.mv_size; j++)
				if (ids[j] >= have && ids[j] <= last)
					found++;
		}
		ok = found >= last + 1 - have;
	}
	sigaction(SIGBUS, &old_bus, NULL);
	sigaction(SIGSEGV, &old_segv, NULL);
	if (tail_cur != NULL)
		mdb_cursor_close(tail_cur);
	if (tail_txn != NULL)
		mdb_txn_abort(tail_txn);
	tail_cur = NULL;
	tail_txn = NULL;
	return ok;
}

/* Why the folder cannot be written, for an open that failed with
 * EACCES or EROFS; "" when it can (a file in it is the trouble). */
static const char *
why_unwritable(const char *dir, int rc)
{
	if (rc == EROFS)
		return " (its file system is mounted read-only: `mixchat "
		       "sessions`, `export` and `stats` can still read it)";
	if (rc == EACCES && access(dir, W_OK) != 0)
		return " (the folder is read-only to you: `mixchat sessions`, "
		       "`export` and `stats` can still read it)";
	return rc == EACCES ? " (check the permissions of the folder and "
	                      "the files in it)"
	                    : "";
}

static int
open_env(struct store *s, const char *dir, unsigned flags)
{
	int rc;

	if ((rc = mdb_env_create(&s->env)) != 0 ||
	    (rc = mdb_env_set_maxdbs(s->env, 8)) != 0 ||
	    (rc = mdb_env_set_mapsize(s->env, s->mapsize)) != 0)
		return rc;
	rc = mdb_env_open(s->env, dir,
	    flags | MDB_NOTLS | (store_test_nosync ? MDB_NOSYNC : 0), 0600);
	if (rc != 0) {
		mdb_env_close(s->env);
		s->env = NULL;
	}
	return rc;
}

static int
store_open_as(
    const char *dir, bool may_read_only, struct store **out, char **cause)
{
	struct store *s;
	struct open_ctx ctx;
	MDB_envinfo info;
	unsigned flags;
	int rc, dead = 0;

	*out = NULL;
	s = xcalloc(1, sizeof *s);
	s->dir = xstrdup(dir);
	s->warn = warn_stderr;
	s->mapsize =
	    store_test_mapsize != 0 ? store_test_mapsize : STORE_MAP_INITIAL;
	rc = fs_mkdir_p(dir, 0700, cause);
	if (rc != MC_OK)
		goto out;
	rc = open_env(s, dir, 0);
	/* A folder the user cannot write (a backup, a read-only mount):
	 * read it when the caller only reads, with LMDB's lock file if it
	 * can be written, else without (nobody can be writing there but
	 * its owner: said). */
	if ((rc == EACCES || rc == EROFS) && may_read_only &&
	    (rc = open_env(s, dir, MDB_RDONLY)) != 0 &&
	    (rc == EACCES || rc == EROFS) &&
	    (rc = open_env(s, dir, MDB_RDONLY | MDB_NOLOCK)) == 0)
		s->warn(s->warn_arg,
		    "reading the data folder without LMDB's lock file "
		    "(read-only to you): should its owner's mixchat write "
		    "there meanwhile, this read could be torn");
	if (rc != 0) {
		*cause = xasprintf("%s: cannot open the database: %s%s", dir,
		    mdb_strerror(rc),
		    rc == EACCES || rc == EROFS ? why_unwritable(dir, rc)
		    : rc == MDB_INVALID ? " (not an LMDB database; move it "
		                          "away to start afresh)"
		                        : "");
		rc = rc == MDB_INVALID            ? MC_ERR_CORRUPT
		     : rc == MDB_VERSION_MISMATCH ? MC_ERR_VERSION
		                                  : MC_ERR_IO;
		goto out;
	}
	if (mdb_env_info(s->env, &info) == 0)
		s->mapsize = info.me_mapsize;
	/* A file shorter than the pages its meta page counts (truncated by
	 * a full disk or a bad copy) would fault on the first read of a
	 * missing page: refuse it, by name, touching nothing. */
	{
		MDB_stat st;
		struct stat fst;
		char *file = xasprintf("%s/data.mdb", dir);
		uint64_t need;

		if (mdb_env_info(s->env, &info) == 0 &&
		    mdb_env_stat(s->env, &st) == 0 && stat(file, &fst) == 0) {
			need = ((uint64_t)info.me_last_pgno + 1) * st.ms_psize;
			if ((uint64_t)fst.st_size < need &&
			    !tail_is_free(s->env,
			        (uint64_t)fst.st_size / st.ms_psize,
			        (uint64_t)info.me_last_pgno)) {
				*cause = xasprintf(
				    "%s is cut short (%lld bytes; its pages "
				    "need %llu): restore it from a backup, "
				    "or move the folder away to start "
				    "afresh; nothing was changed",
				    file, (long long)fst.st_size,
				    (unsigned long long)need);
				free(file);
				rc = MC_ERR_CORRUPT;
				goto out;
			}
		}
		free(file);
	}
	if (mdb_env_get_flags(s->env, &flags) == 0 && (flags & MDB_RDONLY)) {
		s->readonly = true;
		if ((rc = open_read(s)) != MC_OK) {
			*cause = xstrdup(store_strerror(s));
			goto out;
		}
		*out = s;
		return MC_OK;
	}
	/* A crashed process leaves its reader slot behind: clear it. */
	if (mdb_reader_check(s->env, &dead) == 0 && dead > 0)
		log_debug("store: cleared %d stale reader(s)", dead);
	rc = store_txn_write(s, "opening the store", open_body, &ctx);
	if (rc != MC_OK) {
		*cause = xstrdup(store_strerror(s));
		goto out;
	}
	*out = s;
	return MC_OK;
out:
	store_close(s);
	return rc;
}

int
store_open(const char *dir, struct store **out, char **cause)
{
	return store_open_as(dir, false, out, cause);
}

int
store_open_read(const char *dir, struct store **out, char **cause)
{
	return store_open_as(dir, true, out, cause);
}

bool
store_read_only(const struct store *s)
{
	return s != NULL && s->readonly;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->env != NULL)
		mdb_env_close(s->env);
	free(s->dir);
	free(s->error);
	free(s);
}

/* Test hook. */

struct raw_ctx {
	MDB_dbi dbi;
	MDB_val k, d;
};

static int
raw_body(struct store *s, MDB_txn *txn, void *arg)
{
	struct raw_ctx *c = arg;

	return mdb_put(txn, c->dbi, &c->k, &c->d, 0);
}

int
store_test_put_raw(struct store *s, const char *db, const void *key,
    size_t klen, const void *val, size_t vlen)
{
	struct raw_ctx c;
	const char *names[] = { "meta", "sessions", "messages", "ratings",
		"router", "spend", "latency" };
	MDB_dbi dbis[] = { s->meta, s->sessions, s->messages, s->ratings,
		s->router, s->spend, s->latency };
	size_t i;

	for (i = 0; i < 7; i++)
		if (strcmp(db, names[i]) == 0)
			break;
	if (i == 7)
		return MC_ERR_USAGE;
	c.dbi = dbis[i];
	c.k.mv_size = klen;
	c.k.mv_data = (void *)(uintptr_t)key;
	c.d.mv_size = vlen;
	c.d.mv_data = (void *)(uintptr_t)val;
	return store_txn_write(s, "test", raw_body, &c);
}
