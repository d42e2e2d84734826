/*
 * app.c - the conversation controller (see app.h).
 *
 * What it owns:
 *  - the conversation: an array of exchanges, each with the private state
 *    the public struct app_exchange does not show (the router's features
 *    for the prompt, the transfer in flight, the stored sequence numbers);
 *  - the layers below it, opened once: the store (<data_dir>/db), the
 *    router (built-in priors, then <data_dir>/router.state from `mixchat
 *    train`, then each model's learned state from the store), the net, and
 *    the vault once unlocked;
 *  - the policy that ties them: which models are usable (a key in the vault
 *    or "auth": "none"), what is left of today's budget, the latency
 *    estimates fed to the router, and what a rating or a re-ask teaches it.
 *
 * Every user-visible event is one store transaction: the user's message
 * when it is sent; the reply (with its spend and the model's latency) when
 * it ends; a rating with the router state it changed.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "app/app.h"
#include "app/format.h"
#include "net/net.h"
#include "router/memory.h"
#include "router/online.h"
#include "router/router.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/crc32.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/log.h"
#include "util/self.h"
#include "util/suggest.h"
#include "util/timeutil.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "vault/vault.h"

/* How many earlier exchanges are sent along as context. */
#define APP_HISTORY 20
/* Longest reply kept (a runaway stream is cut here). */
#define APP_REPLY_MAX (16u << 20)
/* How often a reply still arriving is saved as a draft (store.h). */
#define APP_DRAFT_MS 2000
/* Weight of a re-ask as a soft negative for the first model. */
#define APP_REASK_WEIGHT 0.3
/* Running latency estimates: weight of the newest sample. */
#define APP_LATENCY_EWMA 0.3
/* How long a model whose server did not answer sits out. */
#define APP_DOWN_MS 60000
/* How long a refusal that would come again (a key, 403, 404) holds, kept
 * in the store for the next mixchat too, unless the key changes or the
 * model answers. */
#define APP_REFUSED_MS (24 * 60 * 60 * 1000LL)

/* Why a model sits out (app_down_*). */
enum down_kind {
	DOWN_SERVER, /* its provider's server did not answer: a minute */
	DOWN_FAILED, /* it failed with a 5xx after net's retries: a minute */
	DOWN_SILENT, /* its server took the request, then sent nothing for
	                net's idle limit: a minute */
	DOWN_KEY,    /* its provider refused the key (401): a day, kept */
	DOWN_ACCESS, /* the key may not use it (403): a day, kept */
	DOWN_GONE,   /* its provider has no such model (404): a day, kept */
};

/* A model that failed so that the next message should not go to it. */
struct app_down {
	char *model;
	int64_t until_ms;
	enum down_kind kind;
};

struct exchange {
	struct app_exchange pub;
	struct router_features *features; /* NULL until routed */
	struct net_transfer *transfer;    /* while in flight */
	struct buf text;                  /* the reply as it arrives */
	uint32_t user_seq;
	uint32_t reply_seq;
	bool soft_taught; /* its re-ask's soft negative is learned */
	/* Stopped at budget_cap: its error line says so, but it is no
	 * failure (kept in its decision record as "budget_capped"). */
	bool capped;
	int64_t soft_key_ms;    /* that lesson's rating is keyed so (0: unknown,
	                        or replaced by the user's rating) */
	uint64_t start_ms;      /* wall clock when sent */
	struct store_hold hold; /* its predicted cost, held until booked */
	double budget_left;     /* of today's budget held for it; < 0: none */
	/* The hold took all it asked for (its prediction and a whole
	 * max_output_tokens more): the budget needs no cap on its reply. */
	bool hold_whole;
	int budget_cap; /* output tokens that fit in it, when fewer than
	                       max_output_tokens; 0: no such cap */
	struct store_draft draft; /* the reply so far, saved now and then */
	uint64_t draft_ms;        /* monotonic time of the last save */
	size_t draft_len;         /* bytes of text it saved */
	struct app *app;
};

struct app {
	const struct config *cfg;
	struct app_hooks hooks;
	void *ud;

	struct store *store;
	/* app_open_lazy on a home with nothing stored: no store yet; the
	 * first app_send makes it (app_store_create). */
	bool store_on_send;
	struct router *router;
	struct router_memory *memory; /* what this user's ratings taught */
	bool memory_ready; /* built from the store (at the first decision) */
	/* The stored states the router holds (store_router_stamps), one a
	 * router model: another mixchat's learning shows as a change. */
	uint64_t *stamps;
	size_t nstamps;
	uint64_t ratings_seen; /* store_ratings_gen the memory was built at */
	struct net *net;
	struct vault *vault;
	char **vault_names;
	size_t nvault_names;
	bool vault_damaged;      /* its names could not be read */
	bool vault_kept_locked;  /* Enter alone at the prompt: local only */
	char *vault_problem;     /* why it cannot be used, NULL when it can */
	char *fallback_note;     /* app_route_fallback's words, or NULL */
	bool vault_problem_late; /* found by a reload, said as a notice */
	int vault_rc;            /* and the error that said so */
	/* The vault file as app_open (or the last change noticed) found it
	 * while no vault is open: app_vault_refresh tells a change. */
	bool vault_seen_ok;
	struct stat vault_seen;

	struct exchange **ex;
	size_t nex;
	struct exchange *inflight;

	uint64_t session; /* 0: created at the first message */
	char *session_name;
	char *session_title;

	bool budget_mode;
	/* The budget notices given: 1 at 80 %, 2 at 100 %, on day
	 * budget_day (time_day). */
	int budget_warned;
	uint32_t budget_day;
	char *pinned;
	size_t nusable;
	/* Models sitting out after their server did not answer (app_down_*):
	 * this process only, so a restarted server is tried at once by the
	 * next `ask`. */
	struct app_down *down;
	size_t ndown;
	bool refusals_read; /* the store's kept refusals (app_refusals_read) */
	bool interactive;   /* the chat (app_set_interactive), not one `ask` */
};

/* ------------------------------------------------------------------ */
/* Which models can be asked. */

static void MC_PRINTF(2, 3) app_notice(struct app *app, const char *fmt, ...);
static void app_settle_pending(struct app *app);
static void app_save_draft(struct exchange *x);
static char *app_decision_text(const struct exchange *x);

bool
app_config_model_usable(const struct config *cfg, char *const *vault_names,
    size_t nnames, const struct model *m)
{
	const struct provider *p;
	size_t i;

	if (!m->enabled)
		return false;
	p = config_find_provider(cfg, m->provider);
	if (p == NULL)
		return false;
	if (p->auth_none)
		return p->user || m->user;
	for (i = 0; i < nnames; i++)
		if (strcmp(vault_names[i], p->name) == 0)
			return true;
	return false;
}

static bool
app_model_usable(const struct app *app, const struct model *m)
{
	return app_config_model_usable(
	    app->cfg, app->vault_names, app->nvault_names, m);
}

/*
 * A configured model the router routes between whose prior it does not
 * hold (a typo, or a router.state trained on other data) silently starts
 * from its price tier: said in one notice, naming the first few.
 */
static void
app_note_priors(const struct router *r, const struct config *cfg,
    void (*notice)(void *ud, const char *message), void *ud)
{
	struct buf missing;
	char *path, *msg, line[32], where[4096];
	const char *near;
	size_t i, j, n = 0;
	int first_line = 0;

	if (notice == NULL)
		return;
	buf_init(&missing, 4096);
	for (i = 0; i < cfg->nmodels; i++) {
		const struct model *m = &cfg->models[i];

		if (m->prior == NULL || *m->prior == '\0' ||
		    router_has_prior(r, m->prior))
			continue;
		for (j = 0; j < router_nmodels(r); j++)
			if (strcmp(router_model_id(r, j), m->id) == 0)
				break;
		if (j == router_nmodels(r))
			continue;
		/* Where config.json names it (the first leads the notice,
		 * as a config error does), and the prior likely meant. */
		if (n == 0 && m->prior_line > 0)
			first_line = m->prior_line;
		if (n > 0 && m->prior_line > 0)
			snprintf(line, sizeof line, ", line %d", m->prior_line);
		else
			line[0] = '\0';
		near = router_prior_near(r, m->prior);
		if (n < 3 && buf_printf(&missing, "%s%s (prior \"%s\"%s%s%s%s)",
		                 n > 0 ? ", " : "", m->id, m->prior, line,
		                 near != NULL ? "; did you mean \"" : "",
		                 near != NULL ? near : "",
		                 near != NULL ? "\"?" : "") != MC_OK)
			log_debug("router: prior notice too long");
		n++;
	}
	if (n > 0) {
		path = config_data_path(cfg, "router.state");
		if (first_line > 0)
			snprintf(where, sizeof where, "%s:%d: ",
			    cfg->config_file != NULL ? cfg->config_file
			                             : "config.json",
			    first_line);
		else
			where[0] = '\0';
		msg = xasprintf("%s%s%s: no such prior among the router's "
		                "profiles (%s); %s from %s price tier",
		    where, buf_str(&missing), n > 3 ? " and more" : "",
		    fs_exists(path) ? "router.state" : "the built-in priors",
		    n > 1 ? "they start" : "it starts",
		    n > 1 ? "their" : "its");
		notice(ud, msg);
		free(msg);
		free(path);
	}
	buf_release(&missing);
}

/* Why a candidate's stored state was not loaded (app_relearn). */
enum relearn {
	RELEARN_NO,      /* it was: nothing to do */
	RELEARN_MISSING, /* the store keeps none */
	RELEARN_TAGS,    /* made under another tag set */
	RELEARN_DAMAGED, /* damaged */
	RELEARN_PRIOR,   /* started from another prior than config names */
};

static bool app_prompt_of(struct store *s, uint64_t session, uint32_t seq,
    struct store_message *prompt);

/*
 * The features a stored rating teaches, under r: its prompt's, computed
 * again (the tag set may have changed since), or when the prompt is gone
 * the features kept with the rating.
 */
static bool
app_rating_features(const struct router *r, struct store *s,
    const struct store_rating *rt, struct router_features *f)
{
	struct store_message prompt;
	const char *text = rt->prompt;
	bool ok;

	memset(&prompt, 0, sizeof prompt);
	if (text == NULL && rt->session != 0 &&
	    app_prompt_of(s, rt->session, rt->seq, &prompt))
		text = prompt.text;
	if (text != NULL) {
		router_features_compute(r, text, strlen(text), f);
		ok = true;
	} else
		ok = router_features_unpack(rt->features, rt->nfeatures, f);
	store_message_release(&prompt);
	return ok;
}

/*
 * The candidates whose stored state was not loaded (why[k] not
 * RELEARN_NO) but who have learned ratings are learned again from them:
 * from the prior (or price tier) they start from, every rating that
 * counts (not corrected since, not pending), oldest first, as it was
 * learned then.  Ratings are the record of what the user taught; a state
 * is only what they made under one tag set.  With save the new state is
 * stored, over one that cannot be used.
 */
/*
 * Whether ratings a and b rate one reply: the same stored reply, or the
 * same reply elsewhere (both imported, with its origin, model and prompt;
 * a re-ask's lesson names a reply here in its origin, not one elsewhere).
 */
static bool
app_same_reply(const struct store_rating *a, const struct store_rating *b)
{
	if (a->session != 0)
		return b->session == a->session && b->seq == a->seq;
	return b->session == 0 && a->source != STORE_SOURCE_REASK &&
	       b->source != STORE_SOURCE_REASK && a->origin != NULL &&
	       b->origin != NULL && a->model != NULL && b->model != NULL &&
	       a->prompt != NULL && b->prompt != NULL &&
	       strcmp(a->origin, b->origin) == 0 &&
	       strcmp(a->model, b->model) == 0 &&
	       strcmp(a->prompt, b->prompt) == 0;
}

/* Where a rating stands among its reply's: key order for a stored reply
 * (store_ratings_list's supersession), the time made for an import. */
static int64_t
app_reply_order(const struct store_rating *r)
{
	return r->session != 0 ? r->key_ms : r->time_ms;
}

/*
 * Whether list[i] is what a relearn replays: a rating the router learned
 * (not pending) that no later learned rating of the same reply replaced.
 * A reply corrected while its model was no candidate keeps its learned
 * rating here, and the pending correction is settled on top of it.
 */
static bool
app_rating_learned_last(const struct store_rating *list, size_t n, size_t i)
{
	size_t j;

	if (list[i].pending)
		return false;
	if (!list[i].superseded)
		return true;
	for (j = 0; j < n; j++)
		if (j != i && !list[j].pending &&
		    app_same_reply(&list[i], &list[j]) &&
		    app_reply_order(&list[j]) > app_reply_order(&list[i]))
			return false;
	return true;
}

/* A relearned state to store: over one the router cannot use, never
 * over one it can (another mixchat stored it meanwhile: it is taken). */
struct relearn_ctx {
	struct router *r;
	const char *model;
	const struct buf *blob;
	const struct buf *stale; /* the state from another start, or NULL */
};

static int
app_relearn_in_txn(void *ud, const void *stored, size_t len, struct buf *out)
{
	struct relearn_ctx *c = ud;
	char *cause = NULL;

	/* (The state from another start is of no use, though it loads.) */
	if (stored != NULL &&
	    !(c->stale != NULL && c->stale->len == len &&
	        memcmp(c->stale->data, stored, len) == 0) &&
	    router_model_load(c->r, c->model, stored, len, &cause) == MC_OK)
		return MC_ERR_EXISTS;
	free(cause);
	buf_reset(out);
	return buf_add(out, c->blob->data, c->blob->len) == 0 ? MC_OK
	                                                      : MC_ERR_NOMEM;
}

static void
app_relearn(struct router *r, struct store *s, const enum relearn *why,
    const struct buf *stale, bool save,
    void (*notice)(void *ud, const char *message), void *ud)
{
	struct store_rating *list = NULL;
	struct router_features *f = NULL;
	size_t nm = router_nmodels(r), k, i, n = 0, count;
	struct buf blob;

	for (k = 0; k < nm && why[k] == RELEARN_NO; k++)
		;
	if (k == nm || store_ratings_list(s, &list, &n) != MC_OK)
		return;
	f = xmalloc(sizeof *f);
	buf_init(&blob, 64u << 20);
	for (k = 0; k < nm; k++) {
		/* (Copied: a state another mixchat stored is loaded in
		 * place of this model's, freeing its id.) */
		char *id = xstrdup(router_model_id(r, k));

		if (why[k] == RELEARN_NO) {
			free(id);
			continue;
		}
		count = 0;
		for (i = 0; i < n; i++) {
			const struct store_rating *rt = &list[i];

			if (rt->model == NULL || strcmp(rt->model, id) != 0 ||
			    !app_rating_learned_last(list, n, i) ||
			    !app_rating_features(r, s, rt, f))
				continue;
			if (router_online_learn(r, NULL, f, id,
			        app_rating_quality(rt),
			        rt->source == STORE_SOURCE_REASK
			            ? APP_REASK_WEIGHT
			            : 1.0) == MC_OK)
				count++;
		}
		/* Nothing to learn again, but the state stored is of no
		 * use: the prior stands for it, so that what waits (a
		 * pending rating) can be learned into it. */
		if (count == 0 && why[k] == RELEARN_MISSING) {
			free(id);
			continue;
		}
		if (save) {
			struct relearn_ctx rc = { r, id, &blob,
				why[k] == RELEARN_PRIOR ? &stale[k] : NULL };

			buf_reset(&blob);
			if (router_model_save(r, id, &blob) != MC_OK ||
			    store_router_update(
			        s, id, app_relearn_in_txn, &rc) != MC_OK)
				log_debug("relearned state of %s not stored "
				          "(another mixchat stored one first)",
				    id);
		}
		if (count == 0) {
			free(id);
			continue;
		}
		if (notice != NULL) {
			char *msg = xasprintf(
			    "what %s learned was %s: learned again from its "
			    "%zu rating%s",
			    id,
			    why[k] == RELEARN_TAGS
			        ? "made under another tag set (router.state "
			          "changed)"
			    : why[k] == RELEARN_PRIOR
			        ? "started from another prior than config.json "
			          "names now"
			    : why[k] == RELEARN_DAMAGED
			        ? "damaged in the store"
			        : "missing from the store",
			    count, count == 1 ? "" : "s");

			notice(ud, msg);
			free(msg);
		}
		free(id);
	}
	buf_release(&blob);
	free(f);
	store_ratings_free(list, n);
}

/* Where config.json starts model id's state now: its prior's name when the
 * router has that prior, "" for its price tier. */
static const char *
app_model_start(
    const struct config *cfg, const struct router *r, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nmodels; i++)
		if (strcmp(cfg->models[i].id, id) == 0)
			return cfg->models[i].prior != NULL &&
			               router_has_prior(r, cfg->models[i].prior)
			           ? cfg->models[i].prior
			           : "";
	return "";
}

size_t
app_router_load(struct router *r, const struct config *cfg, struct store *s,
    char *const *vault_names, size_t nnames, bool learned, bool save,
    void (*notice)(void *ud, const char *message), void *ud)
{
	struct store_router_state *list = NULL;
	struct buf b, *stale;
	char *path, *cause = NULL, **starts;
	char **ids;
	const char **cur;
	size_t i, k, n = 0, nm, usable = 0;
	enum relearn *why;

	path = config_data_path(cfg, "router.state");
	buf_init(&b, 64u << 20);
	if (fs_exists(path)) {
		if (fs_read_file(path, &b, &cause) != MC_OK ||
		    router_state_load(r, b.data, b.len, &cause) != MC_OK) {
			char *msg = xasprintf("%s: not used: %s", path,
			    cause ? cause : "unreadable");

			if (notice != NULL)
				notice(ud, msg);
			free(msg);
		}
		free(cause);
		cause = NULL;
	}
	buf_release(&b);
	free(path);

	for (i = 0; i < cfg->nmodels; i++) {
		const struct model *m = &cfg->models[i];

		if (!app_config_model_usable(cfg, vault_names, nnames, m))
			continue;
		if (router_add_model(
		        r, m->id, m->price_in, m->price_out, m->prior) == MC_OK)
			usable++;
	}
	app_note_priors(r, cfg, notice, ud);
	if (!learned || s == NULL || store_router_list(s, &list, &n) != MC_OK)
		return usable;
	nm = router_nmodels(r);
	why = xcalloc(nm + 1, sizeof *why);
	for (i = 0; i < nm; i++)
		why[i] = RELEARN_MISSING;
	/* Where each state started, and where config.json starts it now. */
	ids = xcalloc(nm + 1, sizeof *ids);
	cur = xcalloc(nm + 1, sizeof *cur);
	starts = xcalloc(nm + 1, sizeof *starts);
	stale = xcalloc(nm + 1, sizeof *stale);
	for (k = 0; k < nm; k++) {
		/* (Copied: a state loaded replaces its model's profile.) */
		ids[k] = xstrdup(router_model_id(r, k));
		cur[k] = app_model_start(cfg, r, ids[k]);
		buf_init(&stale[k], 64u << 20);
	}
	if (store_model_starts(s, (const char *const *)ids, nm, starts) !=
	    MC_OK)
		for (k = 0; k < nm; k++) {
			free(starts[k]);
			starts[k] = NULL;
		}
	for (i = 0; i < n; i++) {
		int rc;

		for (k = 0; k < nm; k++)
			if (strcmp(ids[k], list[i].model) == 0)
				break;
		/* Learned from another start (its prior changed in
		 * config.json): kept aside, and learned again.  (Under
		 * another tag set, that is said of it first.) */
		if (k < nm && starts[k] != NULL &&
		    strcmp(starts[k], cur[k]) != 0 &&
		    router_model_fits(r, list[i].blob, list[i].len)) {
			why[k] = RELEARN_PRIOR;
			if (buf_add(&stale[k], list[i].blob, list[i].len) != 0)
				log_debug("state of %s too large", ids[k]);
			continue;
		}
		rc = router_model_load(
		    r, list[i].model, list[i].blob, list[i].len, &cause);
		if (rc != MC_OK && cause != NULL)
			log_debug("router state of %s not loaded: %s",
			    list[i].model, cause);
		if (k < nm)
			why[k] = rc == MC_OK            ? RELEARN_NO
			         : rc == MC_ERR_VERSION ? RELEARN_TAGS
			                                : RELEARN_DAMAGED;
		free(cause);
		cause = NULL;
	}
	store_router_free(list, n);
	app_relearn(r, s, why, stale, save, notice, ud);
	/* Where the states start now, kept for the next start (a new model,
	 * a prior changed, data from before this was kept). */
	if (save) {
		const char **pid = xcalloc(nm + 1, sizeof *pid),
		           **pst = xcalloc(nm + 1, sizeof *pst);
		size_t np = 0;

		for (k = 0; k < nm; k++)
			if (starts[k] == NULL ||
			    strcmp(starts[k], cur[k]) != 0) {
				pid[np] = ids[k];
				pst[np++] = cur[k];
			}
		if (store_model_starts_put(s, pid, pst, np) != MC_OK)
			log_debug("where the states start: not kept");
		free(pid);
		free(pst);
	}
	for (k = 0; k < nm; k++) {
		free(starts[k]);
		free(ids[k]);
		buf_release(&stale[k]);
	}
	free(starts);
	free(stale);
	free(cur);
	free(ids);
	free(why);
	return usable;
}

/* Damaged records go to the user as notices, not onto the screen. */
static void
app_store_warn(void *ud, const char *message)
{
	struct app *app = ud;

	log_debug("store: %s", message);
	if (app->hooks.notice != NULL)
		app->hooks.notice(app->ud, message);
}

static void app_sync_states(struct app *app);

static int
app_open_store(const struct config *cfg, const struct app_hooks *hooks,
    void *ud, bool create, struct app **out, char **cause)
{
	struct app *app;
	char *path, *file;
	bool absent;
	int rc;

	*out = NULL;
	path = config_data_path(cfg, "db");
	file = xasprintf("%s/data.mdb", path);
	absent = !create && fs_absent(file);
	free(file);
	free(path);
	if (!absent && (rc = config_ensure_dirs(cfg, cause)) != MC_OK)
		return rc;
	app = xcalloc(1, sizeof *app);
	app->cfg = cfg;
	if (hooks != NULL)
		app->hooks = *hooks;
	app->ud = ud;
	app->budget_mode = cfg->mode == MODE_BUDGET;

	/* Nothing stored yet and nothing to store (`route`): no store, and
	 * no folder made for one. */
	if (!absent) {
		path = config_data_path(cfg, "db");
		rc = store_open(path, &app->store, cause);
		free(path);
		if (rc != MC_OK)
			goto fail;
		store_set_warn(app->store, app_store_warn, app);
	}

	path = config_data_path(cfg, "vault");
	app->vault_seen_ok = lstat(path, &app->vault_seen) == 0;
	if (vault_exists(path)) {
		rc = vault_list_names(
		    path, &app->vault_names, &app->nvault_names, cause);
		if (rc != MC_OK) {
			/* A damaged vault: its keys are out of use, said so,
			 * and what needs no key (a local model, a rating,
			 * an export) still works.  `mixchat keys` says
			 * more and never overwrites it. */
			app_notice(app, "%s; no key from it is used%s%s%s",
			    *cause != NULL ? *cause : path,
			    rc == MC_ERR_PERM ? "" : " (",
			    rc == MC_ERR_PERM ? "" : self_cmd(),
			    rc == MC_ERR_PERM ? "" : " keys list says more)");
			app->vault_problem =
			    *cause != NULL ? *cause
			                   : xstrdup(mixchat_strerror(rc));
			app->vault_rc = rc;
			*cause = NULL;
			app->vault_names = NULL;
			app->nvault_names = 0;
			app->vault_damaged = true;
		}
	}
	free(path);

	app->router = router_new();
	app->nusable =
	    app_router_load(app->router, cfg, app->store, app->vault_names,
	        app->nvault_names, true, true, app->hooks.notice, app->ud);
	app_settle_pending(app);
	/* The states as the router was built from them: what another
	 * mixchat stores later is loaded before a decision. */
	app_sync_states(app);
	/* Built from the ratings at the first decision (app_memory_ready):
	 * `rate` and `ratings` never decide, and a long record of ratings
	 * takes a while to replay. */
	app->memory = router_memory_new();
	if ((rc = net_new(&app->net)) != MC_OK) {
		*cause = xstrdup("cannot start the network layer (libcurl)");
		goto fail;
	}
	*out = app;
	return MC_OK;
fail:
	app_close(app);
	return rc;
}

int
app_open(const struct config *cfg, const struct app_hooks *hooks, void *ud,
    struct app **out, char **cause)
{
	return app_open_store(cfg, hooks, ud, true, out, cause);
}

int
app_open_reader(const struct config *cfg, const struct app_hooks *hooks,
    void *ud, struct app **out, char **cause)
{
	return app_open_store(cfg, hooks, ud, false, out, cause);
}

int
app_open_lazy(const struct config *cfg, const struct app_hooks *hooks, void *ud,
    struct app **out, char **cause)
{
	int rc = app_open_store(cfg, hooks, ud, false, out, cause);

	if (rc == MC_OK && (*out)->store == NULL)
		(*out)->store_on_send = true;
	return rc;
}

/* The store app_open_lazy put off, made now that a message is about to
 * be stored: its folders (0700) and the database, as app_open makes
 * them.  Nothing was stored, so nothing read at the start is stale. */
static int
app_store_create(struct app *app, char **cause)
{
	char *path;
	int rc;

	if ((rc = config_ensure_dirs(app->cfg, cause)) != MC_OK)
		return rc;
	path = config_data_path(app->cfg, "db");
	rc = store_open(path, &app->store, cause);
	free(path);
	if (rc != MC_OK)
		return rc;
	store_set_warn(app->store, app_store_warn, app);
	app->store_on_send = false;
	return MC_OK;
}

/* The router's table of x, gone (before a new one takes its place). */
static void
exchange_clear_candidates(struct exchange *x)
{
	size_t i;

	for (i = 0; i < x->pub.ncandidates; i++) {
		free(x->pub.candidates[i].model);
		free(x->pub.candidates[i].excluded);
	}
	free(x->pub.candidates);
	x->pub.candidates = NULL;
	x->pub.ncandidates = 0;
	x->pub.winner = -1;
}

static void
exchange_free(struct exchange *x)
{
	if (x->app != NULL)
		store_hold_release(x->app->store, &x->hold);
	free(x->pub.prompt);
	free(x->pub.model);
	free(x->pub.error);
	exchange_clear_candidates(x);
	buf_release(&x->text);
	free(x->features);
	free(x);
}

static void
app_clear_conversation(struct app *app)
{
	size_t i;

	app_cancel(app);
	for (i = 0; i < app->nex; i++)
		exchange_free(app->ex[i]);
	free(app->ex);
	app->ex = NULL;
	app->nex = 0;
	free(app->session_name);
	free(app->session_title);
	app->session_name = NULL;
	app->session_title = NULL;
	app->session = 0;
}

void
app_close(struct app *app)
{
	if (app == NULL)
		return;
	app_clear_conversation(app);
	net_free(app->net);
	router_memory_free(app->memory);
	router_free(app->router);
	free(app->stamps);
	vault_close(app->vault);
	vault_names_free(app->vault_names, app->nvault_names);
	free(app->vault_problem);
	free(app->fallback_note);
	store_close(app->store);
	free(app->pinned);
	while (app->ndown > 0)
		free(app->down[--app->ndown].model);
	free(app->down);
	free(app);
}

bool
app_needs_unlock(const struct app *app)
{
	size_t i;

	if (app->vault != NULL)
		return false;
	if (app->pinned != NULL) {
		const struct model *m =
		    config_find_model(app->cfg, app->pinned);
		const struct provider *p =
		    m != NULL ? config_find_provider(app->cfg, m->provider)
		              : NULL;

		return p != NULL && !p->auth_none;
	}
	for (i = 0; i < app->cfg->nmodels; i++) {
		const struct model *m = &app->cfg->models[i];
		const struct provider *p;

		if (!app_model_usable(app, m))
			continue;
		p = config_find_provider(app->cfg, m->provider);
		if (!p->auth_none)
			return true;
	}
	return false;
}

const char *
app_wanted_key(const struct app *app)
{
	size_t i, k;

	for (i = 0; i < app->cfg->nmodels; i++) {
		const struct model *m = &app->cfg->models[i];
		const struct provider *p =
		    config_find_provider(app->cfg, m->provider);

		if (!m->enabled || p == NULL || p->auth_none ||
		    !(m->user || p->user))
			continue;
		for (k = 0; k < app->nvault_names; k++)
			if (strcmp(app->vault_names[k], p->name) == 0)
				break;
		if (k == app->nvault_names)
			return p->name;
	}
	return NULL;
}

char *
app_idle_keys(const struct app *app)
{
	struct buf b;
	char *out;
	size_t i, k;

	buf_init(&b, 4096);
	for (i = 0; i < app->nvault_names; i++) {
		for (k = 0; k < app->cfg->nmodels; k++)
			if (app->cfg->models[k].enabled &&
			    strcmp(app->cfg->models[k].provider,
			        app->vault_names[i]) == 0)
				break;
		if (k == app->cfg->nmodels &&
		    buf_printf(&b, "%s%s", b.len > 0 ? ", " : "",
		        app->vault_names[i]) != MC_OK)
			break;
	}
	out = b.len > 0 ? xstrdup(buf_str(&b)) : NULL;
	buf_release(&b);
	return out;
}

int
app_unlock(struct app *app, const struct secret *passphrase, char **cause)
{
	char *path = config_data_path(app->cfg, "vault");
	int rc;

	rc = vault_open(path, passphrase, &app->vault, cause);
	free(path);
	return rc;
}

const char *
app_vault_problem(const struct app *app)
{
	return app->vault_problem;
}

size_t
app_keyless_models(const struct app *app)
{
	const struct model *m;
	const struct provider *p;
	size_t i, n = 0;

	for (i = 0; i < app->cfg->nmodels; i++) {
		m = &app->cfg->models[i];
		if (app->pinned != NULL && strcmp(m->id, app->pinned) != 0)
			continue;
		p = config_find_provider(app->cfg, m->provider);
		if (p != NULL && p->auth_none && app_model_usable(app, m))
			n++;
	}
	return n;
}

/*
 * The router again, for the vault's provider names as they are now
 * (app_vault_refresh, app_keep_locked), as app_open builds it; the
 * learned states come from the store, where every rating is.
 */
static void
app_reload_router(struct app *app)
{
	router_free(app->router);
	app->router = router_new();
	app->nusable = app_router_load(app->router, app->cfg, app->store,
	    app->vault_names, app->nvault_names, true, false, NULL, NULL);
	/* A rating kept for a model that had no key is learned now that it
	 * may have one, as at the start. */
	app_settle_pending(app);
	router_memory_free(app->memory);
	app->memory = router_memory_new();
	app->memory_ready = false;
	free(app->stamps);
	app->stamps = NULL;
	app_sync_states(app);
}

/* Take names (n of them) as the vault's provider names; the router
 * follows when they are not the ones it was built for. */
static void
app_set_vault_names(struct app *app, char **names, size_t n)
{
	bool same = n == app->nvault_names;
	size_t i;

	for (i = 0; same && i < n; i++)
		same = strcmp(names[i], app->vault_names[i]) == 0;
	vault_names_free(app->vault_names, app->nvault_names);
	app->vault_names = names;
	app->nvault_names = n;
	if (!same)
		app_reload_router(app);
}

void
app_keep_locked(struct app *app)
{
	app_set_vault_names(app, NULL, 0);
	app->vault_kept_locked = true;
	app_notice(app, "the vault stays locked: only the models that need "
	                "no key answer (restart mixchat to use its keys)");
}

/* Whether a and b describe one file, unchanged (a `keys` command writes a
 * new file and renames it over the old one; chmod changes the ctime). */
static bool
app_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/*
 * Before a request: when the vault file changed since it was read (`mixchat
 * keys add`, `remove` or `passwd` in another terminal), its keys as they
 * are now, so that a rotated key is sent and a removed one is not.  An open
 * vault reads it again with the key derived at unlock (vault_reload: no
 * passphrase); one that was not opened (locked, absent or unusable at the
 * start) cannot: the user is told to restart.
 */
static void app_down_forget_keys(
    struct app *app, char (*before)[9], char **names, size_t n);

static void
app_vault_refresh(struct app *app)
{
	char *cause = NULL, **names, (*fps)[9];
	struct stat st;
	bool changed, now;
	size_t i, n;
	int rc;

	if (app->vault == NULL) {
		char *path = config_data_path(app->cfg, "vault");

		now = lstat(path, &st) == 0;
		free(path);
		if (now == app->vault_seen_ok &&
		    (!now || app_same_file(&st, &app->vault_seen)))
			return;
		app->vault_seen_ok = now;
		if (now)
			app->vault_seen = st;
		app_notice(app, "the vault changed: restart mixchat to use "
		                "the new keys");
		return;
	}
	/* The keys' fingerprints before, to tell which keys changed. */
	n = vault_count(app->vault);
	names = xcalloc(n + 1, sizeof *names);
	fps = xcalloc(n + 1, sizeof *fps);
	for (i = 0; i < n; i++) {
		names[i] = xstrdup(vault_name(app->vault, i));
		vault_fingerprint(vault_get(app->vault, names[i]), fps[i]);
	}
	rc = vault_reload(app->vault, &changed, &cause);
	if (changed)
		/* A key refused before may be the one just replaced. */
		app_down_forget_keys(app, fps, names, n);
	vault_names_free(names, n);
	free(fps);
	if (!changed)
		return;
	n = vault_count(app->vault);
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++)
		names[i] = xstrdup(vault_name(app->vault, i));
	app_set_vault_names(app, names, n);
	free(app->vault_problem);
	app->vault_problem = NULL;
	app->vault_problem_late = false;
	app->vault_damaged = false;
	if (rc == MC_OK)
		app_notice(app, "the vault changed: its keys were read again "
		                "and are used from this message on");
	else if (rc == MC_ERR_PASSPHRASE)
		app_notice(app,
		    "%s: restart mixchat to use the new keys (a key "
		    "removed from it is no longer used)",
		    cause);
	else if (rc == MC_ERR_NOTFOUND)
		app_notice(app, "%s: its keys are no longer used", cause);
	else {
		app_notice(app, "%s; no key from it is used", cause);
		app->vault_problem = cause;
		app->vault_problem_late = true;
		app->vault_rc = rc;
		app->vault_damaged = true;
		cause = NULL;
	}
	free(cause);
}

size_t
app_usable_models(const struct app *app)
{
	return app->nusable;
}

size_t
app_count(const struct app *app)
{
	return app->nex;
}

const struct app_exchange *
app_get(const struct app *app, size_t index)
{
	return index < app->nex ? &app->ex[index]->pub : NULL;
}

static void
app_changed(struct app *app, struct exchange *x)
{
	size_t i;

	x->pub.version++;
	x->pub.reply = buf_str(&x->text);
	x->pub.reply_len = x->text.len;
	if (app->hooks.changed == NULL)
		return;
	for (i = 0; i < app->nex; i++) {
		if (app->ex[i] == x) {
			app->hooks.changed(app->ud, i);
			return;
		}
	}
}

static void MC_PRINTF(2, 3) app_notice(struct app *app, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	log_debug("notice: %s", msg);
	if (app->hooks.notice != NULL)
		app->hooks.notice(app->ud, msg);
	free(msg);
}

/* ------------------------------------------------------------------ */
/* Budget and latency. */

double
app_spend_today(const struct app *app)
{
	double usd = 0;

	if (app->store == NULL || store_spend_day(app->store,
	                              time_day(time_wall_ms()), &usd) != MC_OK)
		return 0;
	return usd;
}

double
app_daily_budget(const struct app *app)
{
	return app->cfg->daily_budget_usd;
}

static double
app_budget_left(const struct app *app)
{
	double left;

	double held = 0;

	if (app->cfg->daily_budget_usd <= 0)
		return -1;
	/* What other replies in flight (another mixchat's too) hold is not
	 * left either. */
	if (app->store == NULL || store_spend_day_held(app->store,
	                              time_day(time_wall_ms()), &held) != MC_OK)
		held = app_spend_today(app);
	left = app->cfg->daily_budget_usd - held;
	return left > 0 ? left : 0;
}

/* The router's latency inputs: measured where we have them. */
static struct router_latency *
app_latency(struct app *app, size_t *n)
{
	struct router_latency *lat;
	struct store_latency sl;
	size_t i, nm = router_nmodels(app->router);

	lat = xcalloc(nm ? nm : 1, sizeof *lat);
	for (i = 0; i < nm; i++) {
		lat[i].model = router_model_id(app->router, i);
		lat[i].ttft_ms = 800;
		lat[i].tokens_per_s = 60;
		if (app->store != NULL &&
		    store_latency_get(app->store, lat[i].model, &sl) == MC_OK) {
			if (sl.samples > 0) {
				lat[i].ttft_ms = sl.ttft_ms;
				if (sl.tokens_per_s > 0)
					lat[i].tokens_per_s = sl.tokens_per_s;
			}
			lat[i].unavailable_until_ms = sl.unavailable_until_ms;
		}
	}
	*n = nm;
	return lat;
}

/*
 * Tell the user once a day when the spend passes 80 % of the daily budget,
 * and again when it passes all of it (one reply can do both: the notice
 * then says the budget is spent, not 80 %); cost is what the reply just
 * booked cost.
 */
static int
budget_level(double spent, double budget)
{
	return spent >= budget ? 2 : spent >= 0.8 * budget ? 1 : 0;
}

static void
app_budget_notice(struct app *app, double cost)
{
	double budget = app->cfg->daily_budget_usd, spent;
	uint32_t today = (uint32_t)time_day(time_wall_ms());
	char a[32], b[32];
	int level;

	if (budget <= 0)
		return;
	if (app->budget_day != today) {
		app->budget_day = today;
		app->budget_warned = 0;
	}
	spent = app_spend_today(app);
	level = budget_level(spent, budget);
	/* Said when a reply crosses the line, not by every reply beyond it:
	 * each `mixchat ask` is a new process (and the status bar shows the
	 * share all the time). */
	if (level <= app->budget_warned ||
	    level <= budget_level(spent - cost, budget))
		return;
	app->budget_warned = level;
	format_usd_under(spent, budget, a, sizeof a);
	format_usd(budget, b, sizeof b);
	if (level == 2)
		app_notice(app,
		    "today's budget is spent (%s of %s): until tomorrow only "
		    "a free model (price 0) is asked; budget.daily_usd in "
		    "config.json raises the limit",
		    a, b);
	else
		/* Rounded down: 99.7 % is not yet "100 %". */
		app_notice(app, "%.0f %% of today's budget is spent (%s of %s)",
		    floor(100.0 * spent / budget), a, b);
}

static void
app_book_latency(struct app *app, const char *model,
    const struct net_result *res, struct store_latency *out)
{
	struct store_latency sl;

	memset(&sl, 0, sizeof sl);
	if (store_latency_get(app->store, model, &sl) != MC_OK)
		memset(&sl, 0, sizeof sl);
	if (res->err == MC_OK && res->ttft_ms > 0) {
		/* Under 50 ms of decoding says nothing about the speed. */
		double tps = res->latency_ms - res->wait_ms - res->ttft_ms >= 50
		                 ? res->tokens_per_s
		                 : 0;

		if (sl.samples == 0) {
			sl.ttft_ms = res->ttft_ms;
			sl.tokens_per_s = tps;
		} else {
			sl.ttft_ms +=
			    APP_LATENCY_EWMA * (res->ttft_ms - sl.ttft_ms);
			if (tps > 0)
				sl.tokens_per_s =
				    sl.tokens_per_s > 0
				        ? sl.tokens_per_s +
				              APP_LATENCY_EWMA *
				                  (tps - sl.tokens_per_s)
				        : tps;
		}
		sl.samples++;
	}
	if (res->retry_after_ms > 0)
		sl.unavailable_until_ms = time_wall_ms() + res->retry_after_ms;
	else if (res->err == MC_OK)
		sl.unavailable_until_ms = 0;
	*out = sl;
}

/*
 * Before a model's state is learned into and saved: take the one stored
 * now, which another mixchat on the same data folder (a `mixchat rate`
 * beside the chat) may have moved since this one loaded it; saving ours
 * over it would undo what that one learned.  What is not stored (a model
 * never learned) stays as it is.
 */
static void
app_refresh_model(struct app *app, const char *model)
{
	struct buf blob;
	char *cause = NULL;

	buf_init(&blob, 64u << 20);
	if (store_router_get(app->store, model, &blob) == MC_OK &&
	    blob.len > 0 &&
	    router_model_load(
	        app->router, model, blob.data, blob.len, &cause) != MC_OK)
		log_debug("router state of %s not refreshed: %s", model,
		    cause != NULL ? cause : "?");
	free(cause);
	buf_release(&blob);
}

/* The router's model ids, copied (a state loaded may replace its model);
 * *n of them.  Free with app_ids_free. */
static char **
app_router_ids(const struct app *app, size_t *n)
{
	char **ids;
	size_t i;

	*n = router_nmodels(app->router);
	ids = xcalloc(*n + 1, sizeof *ids);
	for (i = 0; i < *n; i++)
		ids[i] = xstrdup(router_model_id(app->router, i));
	return ids;
}

static void
app_ids_free(char **ids, size_t n)
{
	while (n > 0)
		free(ids[--n]);
	free(ids);
}

/* The memory of rated prompts built again from the store, and the
 * ratings generation it was built at. */
static void
app_memory_rebuild(struct app *app)
{
	if (app->store == NULL ||
	    store_ratings_gen(app->store, &app->ratings_seen) != MC_OK)
		app->ratings_seen = 0;
	router_memory_free(app->memory);
	app->memory = router_memory_new();
	app_rebuild_memory(app->router, app->memory, app->store);
}

/*
 * What other mixchats learned since this one read the states (`mixchat
 * rate`, `ratings import`, a second chat): each model whose stored state
 * changed is loaded again (a reply's length lesson changes it too), and
 * the memory of rated prompts is rebuilt when the ratings changed, so a
 * chat left open routes as `mixchat route` does.  The first call takes
 * the states as they are (the router was just built from them).
 */
static void
app_sync_states(struct app *app)
{
	char **ids;
	uint64_t *now, gen;
	size_t n, i;

	if (app->store == NULL)
		return;
	ids = app_router_ids(app, &n);
	now = xcalloc(n + 1, sizeof *now);
	if (store_router_stamps(app->store, (const char *const *)ids, n, now) !=
	    MC_OK) {
		free(now);
		app_ids_free(ids, n);
		return;
	}
	if (app->stamps != NULL && app->nstamps == n) {
		for (i = 0; i < n; i++) {
			if (now[i] == app->stamps[i])
				continue;
			if (now[i] != 0)
				app_refresh_model(app, ids[i]);
		}
	}
	free(app->stamps);
	app->stamps = now;
	app->nstamps = n;
	app_ids_free(ids, n);
	if (app->memory_ready && store_ratings_gen(app->store, &gen) == MC_OK &&
	    gen != app->ratings_seen)
		app_memory_rebuild(app);
}

/* After this process stored model's state, learned inside the store's
 * transaction on the state stored then: the stamp of the bytes it wrote
 * (not read back: another mixchat may have stored since) is the one
 * seen, and the router holds that state. */
static void
app_stamp_set(struct app *app, const char *model, uint64_t stamp)
{
	size_t i;

	if (app->stamps == NULL || stamp == 0)
		return;
	for (i = 0; i < app->nstamps && i < router_nmodels(app->router); i++)
		if (strcmp(router_model_id(app->router, i), model) == 0)
			app->stamps[i] = stamp;
}

/* A reply's length lesson, learned in the store's transaction on the
 * state stored then (a plain put of the state loaded before overwrote a
 * rating another mixchat stored in between). */
struct length_ctx {
	struct router *r;
	const char *model;
	const struct router_features *f;
	long tokens;
	const struct buf *before; /* the state here, for none stored */
	uint64_t stamp;           /* out: what was written */
};

static int
app_length_in_txn(void *ud, const void *stored, size_t len, struct buf *out)
{
	struct length_ctx *c = ud;
	char *cause = NULL;
	int rc;

	rc = router_model_load(c->r, c->model,
	    stored != NULL ? stored : c->before->data,
	    stored != NULL ? len : c->before->len, &cause);
	free(cause);
	if (rc == MC_OK)
		rc = router_learn_length(c->r, c->f, c->model, c->tokens);
	if (rc != MC_OK)
		return rc;
	buf_reset(out);
	if ((rc = router_model_save(c->r, c->model, out)) == MC_OK)
		c->stamp = store_router_stamp_of(out->data, out->len);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Routing. */

static const char *app_down_reason(const struct app *app, const char *id);

static void
exchange_set_candidates(struct exchange *x, const struct router_decision *d)
{
	size_t i;

	exchange_clear_candidates(x);
	x->pub.candidates = xcalloc(
	    d->ncandidates ? d->ncandidates : 1, sizeof *x->pub.candidates);
	x->pub.ncandidates = d->ncandidates;
	for (i = 0; i < d->ncandidates; i++) {
		const struct router_candidate *c = &d->candidates[i];
		struct app_candidate *a = &x->pub.candidates[i];

		a->model = xstrdup(c->model);
		a->quality = c->quality;
		a->cost_usd = c->cost_usd;
		a->latency_ms = c->latency_ms;
		a->uncertainty = c->uncertainty;
		a->score = c->score;
		a->excluded =
		    c->excluded != ROUTER_OK
		        ? xstrdup(c->excluded == ROUTER_UNREACHABLE
		                      ? app_down_reason(x->app, c->model)
		                      : router_exclusion_name(c->excluded))
		        : NULL;
	}
	x->pub.winner = d->winner;
}

/* A stored reply's decision (format_decision_json's object plus
 * app_decision_text's keys) back into x, for /why after a restart.  A
 * missing or odd table leaves x without one. */
static void
exchange_restore_decision(struct exchange *x, const cJSON *d)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(d, "candidates");
	const cJSON *c;
	size_t n = 0;

	exchange_clear_candidates(x);
	x->pub.pinned = json_get_bool(d, "pinned", false);
	x->pub.lambda = json_get_number(d, "lambda", 0);
	x->capped = json_get_bool(d, "budget_capped", false);
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) <= 0)
		return;
	x->pub.candidates = xcalloc(
	    (size_t)cJSON_GetArraySize(list), sizeof *x->pub.candidates);
	cJSON_ArrayForEach(c, list) {
		struct app_candidate *a = &x->pub.candidates[n];
		const char *model = json_get_string(c, "model");
		const char *excluded = json_get_string(c, "excluded");

		if (model == NULL)
			continue;
		a->model = xstrdup(model);
		a->quality = json_get_number(c, "quality", 0);
		a->cost_usd = json_get_number(c, "cost_usd", 0);
		a->latency_ms = json_get_number(c, "latency_ms", 0);
		a->uncertainty = json_get_number(c, "uncertainty", 0);
		a->score = json_get_number(c, "score", 0);
		a->excluded = excluded != NULL ? xstrdup(excluded) : NULL;
		if (json_get_bool(c, "winner", false))
			x->pub.winner = (int)n;
		n++;
	}
	x->pub.ncandidates = n;
}

/*
 * Why no model can answer, in the user's terms: the budget (and what is
 * left of it), rate limits, or every model having answered already (a
 * re-ask) - whichever ruled the candidates out.
 */
/* What replies in flight (this mixchat's or another's) hold of today's
 * budget: not spent yet, and not left either. */
static double
app_budget_held(const struct app *app)
{
	uint32_t day = time_day(time_wall_ms());
	double spent = 0, held = 0;

	if (app->store == NULL ||
	    store_spend_day(app->store, day, &spent) != MC_OK ||
	    store_spend_day_held(app->store, day, &held) != MC_OK)
		return 0;
	return held > spent ? held - spent : 0;
}

/* The way out of a budget refusal: wait for the replies in flight when
 * they hold part of it (raising the budget is not the only way then). */
static char *
app_budget_advice(const struct app *app, const char *raise)
{
	double held = app_budget_held(app);
	char h[32];

	if (held < 1e-12)
		return xstrdup(raise);
	format_usd(held, h, sizeof h);
	return xasprintf("replies other mixchats are waiting for hold %s of "
	                 "it: try again when they are done, or %s",
	    h, raise);
}

/* The wait until the first of d's rate-limited candidates is free again,
 * as people say it (time_wait_text), into wait. */
static void
app_first_free(const struct app *app, const struct router_decision *d,
    char *wait, size_t n)
{
	int64_t now = time_wall_ms(), first = 0;
	struct store_latency sl;
	size_t i;

	for (i = 0; i < d->ncandidates; i++)
		if (d->candidates[i].excluded == ROUTER_RATE_LIMITED &&
		    app->store != NULL &&
		    store_latency_get(
		        app->store, d->candidates[i].model, &sl) == MC_OK &&
		    sl.unavailable_until_ms > now &&
		    (first == 0 || sl.unavailable_until_ms < first))
			first = sl.unavailable_until_ms;
	time_wait_text(first > now ? first - now : 1000, wait, n);
}

static char *
app_why_none(const struct app *app, const struct router_decision *d,
    double left_usd, double context_in_tokens)
{
	size_t i, budget = 0, limited = 0, skipped = 0;
	char left[32], daily[32], cost[32], *advice, *out;
	const struct router_candidate *cheapest = NULL;

	for (i = 0; i < d->ncandidates; i++) {
		if (d->candidates[i].excluded == ROUTER_OVER_BUDGET &&
		    (cheapest == NULL ||
		        d->candidates[i].cost_usd < cheapest->cost_usd))
			cheapest = &d->candidates[i];
		if (d->candidates[i].excluded == ROUTER_OVER_BUDGET)
			budget++;
		else if (d->candidates[i].excluded == ROUTER_RATE_LIMITED)
			limited++;
		else if (d->candidates[i].excluded == ROUTER_SKIPPED)
			skipped++;
	}
	format_usd(left_usd, left, sizeof left);
	format_usd(app->cfg->daily_budget_usd, daily, sizeof daily);
	if (budget == 0 && limited > 0) {
		char wait[48];

		app_first_free(app, d, wait, sizeof wait);
		/* A re-ask passes over the models that answered already:
		 * said, or "every model" would be untrue. */
		if (skipped > 0)
			return xasprintf(
			    "%zu model%s answered this message "
			    "already and the other%s %s "
			    "rate-limited: the first is free again "
			    "in %s",
			    skipped, skipped == 1 ? "" : "s",
			    limited == 1 ? "" : "s",
			    limited == 1 ? "is" : "are", wait);
		return xasprintf("every model that could answer is "
		                 "rate-limited: the first is free again in %s",
		    wait);
	}
	if (budget == 0 && limited == 0 && skipped > 0)
		return xstrdup("every model has been asked this message "
		               "already");
	advice = app_budget_advice(
	    app, "raise budget.daily_usd in config.json (read at start)");
	if (limited > 0)
		out = xasprintf("nothing fits: %zu model%s over what is left "
		                "of today's budget (%s of %s), %zu "
		                "rate-limited just now; %s or wait",
		    budget, budget == 1 ? "" : "s", left, daily, limited,
		    advice);
	else if (cheapest == NULL)
		out = xasprintf("nothing fits what is left of today's "
		                "budget (%s of %s): %s",
		    left, daily, advice);
	else {
		/* What the cheapest would cost, and where that comes from
		 * when the conversation so far is most of it: a new one is
		 * offered only when it would fit what is left. */
		double in = d->features != NULL
		                ? d->features->in_tokens + context_in_tokens
		                : context_in_tokens;
		bool fresh_fits = false;

		for (i = 0; i < d->ncandidates && context_in_tokens > 0; i++) {
			const struct router_candidate *c = &d->candidates[i];
			const struct model *m;

			if (c->excluded != ROUTER_OVER_BUDGET ||
			    (m = config_find_model(app->cfg, c->model)) == NULL)
				continue;
			if (c->cost_usd -
			        context_in_tokens * m->price_in / 1e6 <=
			    left_usd)
				fresh_fits = true;
		}
		format_usd(cheapest->cost_usd, cost, sizeof cost);
		out = xasprintf(
		    "nothing fits what is left of today's budget (%s of %s): "
		    "the cheapest, %s, would cost about %s (~%.0f token%s in, "
		    "~%.0f out)%s; %s",
		    left, daily, cheapest->model, cost, in,
		    in >= 0.5 && in < 1.5 ? "" : "s", cheapest->out_tokens,
		    !fresh_fits || context_in_tokens < 200 ||
		            context_in_tokens < cheapest->out_tokens
		        ? ""
		    : app->interactive ? ", the conversation so far included: "
		                         "/new starts a cheaper one that fits"
		                       : ", the conversation so far included: "
		                         "a new one would fit",
		    advice);
	}
	free(advice);
	return out;
}

/*
 * Is e's answer one the conversation goes on from: finished, or stopped
 * part way (Esc, or an error mid-stream) with text the user read?  A part
 * that is all thought (an unclosed <think> block) is not an answer.
 */
static bool
app_context_answer(const struct exchange *e, bool *partial)
{
	size_t tl, skip;
	bool closed;

	*partial = e->pub.state != REPLY_DONE;
	if (e->pub.model == NULL || e->pub.not_sent)
		return false;
	if (!*partial)
		return true;
	if ((e->pub.state != REPLY_CANCELLED && e->pub.state != REPLY_ERROR) ||
	    e->pub.reply == NULL)
		return false;
	if (format_think_block(e->pub.reply, strlen(e->pub.reply), &tl, &skip,
	        &closed) == NULL)
		skip = 0;
	else if (!closed)
		return false;
	/* White space alone is no answer (and some APIs refuse it). */
	return e->pub.reply[skip + strspn(e->pub.reply + skip, " \t\r\n")] !=
	       '\0';
}

/*
 * The conversation sent before x's message, into msgs (room for
 * 2 x APP_HISTORY): each earlier message once, with its latest finished
 * answer (a re-ask replaces the answer it re-asked), or, when it has
 * none, the part of an answer stopped part way that the user read, at
 * most APP_HISTORY of them.  x's own message and anything after it (a
 * re-ask of an older message) are not context.  Returns the count.
 */
static size_t
app_context(
    const struct app *app, const struct exchange *x, struct net_message *msgs)
{
	const struct exchange **ctx;
	uint32_t *seqs;
	bool *part;
	size_t i, n = 0, first, nctx = 0;

	ctx = xcalloc(app->nex + 1, sizeof *ctx);
	part = xcalloc(app->nex + 1, sizeof *part);
	for (i = 0; i < app->nex && app->ex[i] != x; i++) {
		const struct exchange *e = app->ex[i];
		bool partial;
		size_t k;

		if (!app_context_answer(e, &partial) ||
		    (x->user_seq != 0 && e->user_seq >= x->user_seq))
			continue;
		for (k = 0; k < nctx; k++)
			if (e->user_seq != 0 && ctx[k]->user_seq == e->user_seq)
				break;
		/* A later answer to the same message wins, but a part
		 * never replaces a finished one. */
		if (k < nctx && partial && !part[k])
			continue;
		ctx[k] = e;
		part[k] = partial;
		if (k == nctx)
			nctx++;
	}
	free(part);
	/* In the order the messages were written, not answered: a message
	 * refused before it was sent has its first answer from a re-ask,
	 * after the messages that followed it.  A stable insertion sort by
	 * seq; one not stored (no seq) keeps its place after the one before
	 * it. */
	seqs = xcalloc(nctx + 1, sizeof *seqs);
	for (i = 0; i < nctx; i++)
		seqs[i] = ctx[i]->user_seq != 0 ? ctx[i]->user_seq
		          : i > 0               ? seqs[i - 1]
		                                : 0;
	for (i = 1; i < nctx; i++) {
		const struct exchange *e = ctx[i];
		uint32_t key = seqs[i];
		size_t j = i;

		while (j > 0 && seqs[j - 1] > key) {
			ctx[j] = ctx[j - 1];
			seqs[j] = seqs[j - 1];
			j--;
		}
		ctx[j] = e;
		seqs[j] = key;
	}
	free(seqs);
	first = nctx > APP_HISTORY ? nctx - APP_HISTORY : 0;
	for (i = first; i < nctx; i++) {
		msgs[n].role = "user";
		msgs[n++].text = ctx[i]->pub.prompt;
		/* A reasoning model's <think> block is not the answer: the
		 * model is sent what it answered, not what it thought. */
		size_t tl, skip = 0;
		const char *reply = ctx[i]->pub.reply;
		bool closed;

		/* Only a closed block with an answer after it: an empty
		 * message would be refused by some APIs. */
		if (format_think_block(
		        reply, strlen(reply), &tl, &skip, &closed) == NULL ||
		    !closed || skip >= strlen(reply))
			skip = 0;
		msgs[n].role = "assistant";
		msgs[n++].text = reply + skip;
	}
	free(ctx);
	return n;
}

/* The tokens sent beside x's message (its context and the system
 * prompt), estimated as the router estimates a prompt's: bytes / 4. */
static double
app_context_tokens(const struct app *app, const struct exchange *x)
{
	struct net_message *msgs = xcalloc(2 * APP_HISTORY + 1, sizeof *msgs);
	size_t i, n = app_context(app, x, msgs), bytes = 0;

	for (i = 0; i < n; i++)
		bytes += msgs[i].text != NULL ? strlen(msgs[i].text) : 0;
	if (app->cfg->system_prompt != NULL)
		bytes += strlen(app->cfg->system_prompt);
	free(msgs);
	return ceil((double)bytes / 4.0);
}

/* The memory of rated prompts, replayed from the store once, when the
 * first decision needs it (or earlier: app_prepare). */
static void
app_memory_ready(struct app *app)
{
	if (app->memory_ready)
		return;
	app_memory_rebuild(app);
	app->memory_ready = true;
}

static void app_refusals_read(struct app *app);

void
app_prepare(struct app *app)
{
	app_refusals_read(app);
	app_memory_ready(app);
}

/* Whether a kind of failure takes out every model of the provider. */
static bool
down_provider_wide(enum down_kind kind)
{
	return kind == DOWN_SERVER || kind == DOWN_KEY;
}

/* Model id sits out until until_ms for kind (an entry added or
 * replaced). */
static void
app_down_set(
    struct app *app, const char *id, enum down_kind kind, int64_t until_ms)
{
	size_t k;

	for (k = 0; k < app->ndown; k++)
		if (strcmp(app->down[k].model, id) == 0)
			break;
	if (k == app->ndown) {
		app->down =
		    xreallocarray(app->down, app->ndown + 1, sizeof *app->down);
		app->down[app->ndown++].model = xstrdup(id);
	}
	app->down[k].until_ms = until_ms;
	app->down[k].kind = kind;
}

/* Whether a kind of failure is kept in the store (app_refusals_keep). */
static bool
down_kept(enum down_kind kind)
{
	return kind == DOWN_KEY || kind == DOWN_ACCESS || kind == DOWN_GONE;
}

/* The fingerprint of the key model's provider is asked with now, into fp
 * ("" when none is: no vault open, no key, a provider without keys). */
static void
app_key_fp(const struct app *app, const char *model, char fp[9])
{
	const struct model *m = config_find_model(app->cfg, model);
	const struct secret *key = m != NULL && app->vault != NULL
	                               ? vault_get(app->vault, m->provider)
	                               : NULL;

	fp[0] = '\0';
	if (key != NULL)
		vault_fingerprint(key, fp);
}

/* Where model is asked, in 8 hex digits (a CRC-32 of its provider's name,
 * API and base_url): a kept refusal holds only there - a base_url fixed
 * after a 404 is a new place to ask. */
static void
app_route_fp(const struct app *app, const char *model, char out[9])
{
	const struct model *m = config_find_model(app->cfg, model);
	const struct provider *p =
	    m != NULL ? config_find_provider(app->cfg, m->provider) : NULL;
	char *where = p != NULL ? xasprintf("%s\n%s\n%s", p->name,
	                              config_api_name(p->api), p->base_url)
	                        : xstrdup("");

	snprintf(out, 9, "%08" PRIx32, crc32_ieee(where, strlen(where)));
	free(where);
}

/* Keep the refusal of kind for the n models ids in the store for the next
 * mixchat, in one transaction.  Only a help: a store that fails here
 * costs the next mixchat one request. */
static void
app_refusals_keep(struct app *app, const char *const *ids, size_t n,
    enum down_kind kind, int64_t since)
{
	struct store_refusal *list = xcalloc(n + 1, sizeof *list);
	size_t i;

	for (i = 0; i < n; i++) {
		list[i].model = (char *)(uintptr_t)ids[i];
		list[i].kind = kind == DOWN_KEY      ? STORE_REFUSED_KEY
		               : kind == DOWN_ACCESS ? STORE_REFUSED_ACCESS
		                                     : STORE_REFUSED_GONE;
		list[i].since_ms = since;
		app_key_fp(app, ids[i], list[i].key_fp);
		app_route_fp(app, ids[i], list[i].route);
	}
	if (store_refusals_put(app->store, list, n) != MC_OK)
		log_debug("refusals not kept: %s", store_strerror(app->store));
	free(list);
}

/* Forget the kept refusals of the n models ids, in one transaction. */
static void
app_refusals_forget(struct app *app, const char *const *ids, size_t n)
{
	if (n > 0 && store_refusals_drop(app->store, ids, n) != MC_OK)
		log_debug(
		    "refusals not forgotten: %s", store_strerror(app->store));
}

/*
 * model answered: what is kept of a refusal of it, or of its provider's
 * key, no longer holds - whatever this mixchat knows (another one may
 * have kept it since this one read them, or a later failure may have
 * taken its place here).  A read, and a write only when there is one.
 */
static void
app_refusals_answered(struct app *app, const char *model)
{
	const struct model *m = config_find_model(app->cfg, model);
	struct store_refusal *list;
	const char **ids;
	size_t n, i, k = 0;

	if (store_refusals_list(app->store, &list, &n) != MC_OK || n == 0)
		return;
	ids = xcalloc(n, sizeof *ids);
	for (i = 0; i < n; i++) {
		const struct model *o =
		    config_find_model(app->cfg, list[i].model);

		if (strcmp(list[i].model, model) == 0 ||
		    (list[i].kind == STORE_REFUSED_KEY && m != NULL &&
		        o != NULL && strcmp(o->provider, m->provider) == 0))
			ids[k++] = list[i].model;
	}
	app_refusals_forget(app, ids, k);
	free(ids);
	store_refusals_free(list, n);
}

/*
 * A model failed before any text came, so that asking it again now would
 * fail the same: its server did not answer (the connection was refused
 * or timed out) or failed with a 5xx after net's retries - then it sits
 * out for APP_DOWN_MS, a server that is started or mended is tried again
 * soon - or the provider refused the key (401), the model (403), or has
 * no such model (404) - then for APP_REFUSED_MS, kept in the store so that
 * the next mixchat knows it too (app_refusals_read): that does not mend
 * itself, but a key replaced does (app_down_forget_keys).  A connection or
 * a key takes every model of the provider out with it.  A reply from the
 * provider ends it (app_down_clear).
 */
static void
app_down_mark(struct app *app, const char *model, enum down_kind kind)
{
	const struct model *m = config_find_model(app->cfg, model);
	bool provider_wide = down_provider_wide(kind);
	int64_t now = time_wall_ms();
	int64_t until =
	    kind == DOWN_SERVER || kind == DOWN_FAILED || kind == DOWN_SILENT
	        ? now + APP_DOWN_MS
	        : now + APP_REFUSED_MS;
	const char **kept = xcalloc(app->cfg->nmodels + 1, sizeof *kept);
	size_t i, nkept = 0;

	for (i = 0; i < app->cfg->nmodels; i++) {
		const struct model *o = &app->cfg->models[i];

		if (strcmp(o->id, model) != 0 &&
		    !(provider_wide && m != NULL &&
		        strcmp(o->provider, m->provider) == 0))
			continue;
		app_down_set(app, o->id, kind, until);
		/* Kept for the models that could be asked: not a disabled
		 * catalog model of the provider. */
		if (down_kept(kind) &&
		    (strcmp(o->id, model) == 0 || app_model_usable(app, o)))
			kept[nkept++] = o->id;
	}
	app_refusals_keep(app, kept, nkept, kind, now);
	free(kept);
}

static void
app_down_clear(struct app *app, const char *model)
{
	const struct model *m = config_find_model(app->cfg, model);
	size_t k = 0;

	/* The model is back, and so are its provider's server and key: the
	 * models out because the server did not answer or the key was
	 * refused are back too; one out for its own 5xx, 403 or 404 is
	 * not. */
	while (k < app->ndown) {
		const struct model *o =
		    config_find_model(app->cfg, app->down[k].model);

		if (strcmp(app->down[k].model, model) == 0 ||
		    (down_provider_wide(app->down[k].kind) && m != NULL &&
		        o != NULL && strcmp(o->provider, m->provider) == 0)) {
			free(app->down[k].model);
			app->down[k] = app->down[--app->ndown];
		} else
			k++;
	}
	app_refusals_answered(app, model);
}

/* Why model id sits out, for the candidate table ("unreachable" as the
 * router names it, when it does not). */
static const char *
app_down_reason(const struct app *app, const char *id)
{
	size_t k;

	for (k = 0; k < app->ndown; k++)
		if (strcmp(app->down[k].model, id) == 0)
			switch (app->down[k].kind) {
			case DOWN_SERVER:
				break;
			case DOWN_FAILED:
				return "failed";
			case DOWN_SILENT:
				return "no answer";
			case DOWN_KEY: {
				/* A server that takes no key refused all. */
				const struct model *m =
				    config_find_model(app->cfg, id);
				const struct provider *p =
				    m != NULL ? config_find_provider(
				                    app->cfg, m->provider)
				              : NULL;

				return p != NULL && p->auth_none
				           ? APP_OUT_ACCESS_REFUSED
				           : APP_OUT_KEY_REFUSED;
			}
			case DOWN_ACCESS:
				return "no access";
			case DOWN_GONE:
				return "no such model";
			}
	return router_exclusion_name(ROUTER_UNREACHABLE);
}

/* The vault's keys were read again: the models out for a refusal that
 * would come again (a key, 403, 404) are candidates again if their
 * provider's key is not the one refused (its fingerprint is not among
 * before's n names and fingerprints); so is what is kept of it. */
static void
app_down_forget_keys(struct app *app, char (*before)[9], char **names, size_t n)
{
	const char **gone = xcalloc(app->ndown + 1, sizeof *gone);
	size_t k = 0, i, ngone = 0;

	while (k < app->ndown) {
		const struct model *m =
		    config_find_model(app->cfg, app->down[k].model);
		const struct secret *key =
		    m != NULL ? vault_get(app->vault, m->provider) : NULL;
		bool same = false;
		char fp[9];

		if (down_kept(app->down[k].kind) && key != NULL) {
			vault_fingerprint(key, fp);
			for (i = 0; i < n && !same; i++)
				same = strcmp(names[i], m->provider) == 0 &&
				       strcmp(before[i], fp) == 0;
		}
		/* A key removed: its models are no candidates anyway.  A
		 * new key may be let use a model the old one was not (some
		 * providers answer 404 for a model a key may not see). */
		if (down_kept(app->down[k].kind) && key != NULL && !same) {
			gone[ngone++] = app->down[k].model;
			app->down[k] = app->down[--app->ndown];
		} else
			k++;
	}
	app_refusals_forget(app, gone, ngone);
	for (i = 0; i < ngone; i++)
		free((char *)(uintptr_t)gone[i]);
	free(gone);
}

long
app_find_message(const struct app *app, uint32_t seq)
{
	size_t i;

	for (i = 0; i < app->nex; i++)
		if (app->ex[i]->reply_seq == seq)
			return (long)i;
	for (i = 0; i < app->nex; i++)
		if (app->ex[i]->user_seq == seq)
			return (long)i;
	return -1;
}

bool
app_refused_for_good(const struct app *app, size_t index)
{
	const struct exchange *x = index < app->nex ? app->ex[index] : NULL;
	size_t k;

	if (x == NULL || x->pub.model == NULL || x->pub.state != REPLY_ERROR ||
	    x->text.len > 0)
		return false;
	for (k = 0; k < app->ndown; k++)
		if (strcmp(app->down[k].model, x->pub.model) == 0)
			return app->down[k].kind == DOWN_KEY ||
			       app->down[k].kind == DOWN_ACCESS ||
			       app->down[k].kind == DOWN_GONE;
	return false;
}

/* Whether model id is sitting out at now. */
static bool
app_is_down(const struct app *app, const char *id, int64_t now)
{
	size_t k;

	for (k = 0; k < app->ndown; k++)
		if (app->down[k].until_ms > now &&
		    strcmp(app->down[k].model, id) == 0)
			return true;
	return false;
}

/* How many candidates are neither in skip nor sitting out now. */
static size_t
app_down_others(const struct app *app, const char *const *skip, size_t nskip)
{
	int64_t now = time_wall_ms();
	size_t i, j, n = 0;

	for (i = 0; i < router_nmodels(app->router); i++) {
		const char *id = router_model_id(app->router, i);
		bool out = app_is_down(app, id, now);

		for (j = 0; j < nskip && !out; j++)
			out = skip[j] != NULL && strcmp(skip[j], id) == 0;
		if (!out)
			n++;
	}
	return n;
}

/*
 * The models sitting out now, for the router to pass over - unless every
 * candidate not in skip is one of them: then all are tried again (the
 * user may have just started the server).  The list points into
 * app->down; *n its length.
 */
static const char **
app_down_list(struct app *app, const char *const *skip, size_t nskip, size_t *n)
{
	int64_t now = time_wall_ms();
	const char **list;
	size_t k;

	*n = 0;
	if (app->ndown == 0 || app_down_others(app, skip, nskip) == 0)
		return NULL;
	list = xcalloc(app->ndown, sizeof *list);
	for (k = 0; k < app->ndown; k++)
		if (app->down[k].until_ms > now)
			list[(*n)++] = app->down[k].model;
	return list;
}

/*
 * The refusals an earlier mixchat kept (app_refusals_keep), once the key
 * each was for is at hand (the vault open, or a provider without keys):
 * one still holds when its model is set up, it is less than
 * APP_REFUSED_MS old, its provider's key is the one refused and the
 * model is asked where it was (app_route_fp) - then the model sits out
 * for the rest of that time, and the user is told (the chat's notice
 * line, or `ask`'s standard error).  One that no longer holds is
 * forgotten, as is one a day old whatever its model.  Read once; before
 * the vault is unlocked, what needs its keys waits for the next call.
 */
static void
app_refusals_read(struct app *app)
{
	struct store_refusal *list;
	struct buf said;
	const char **keys = NULL, **gone;
	int64_t now = time_wall_ms();
	size_t n, i, k, nsaid = 0, nkeys = 0, ngone = 0;
	bool waiting = false, any_key = false, any_keyed = false,
	     any_access = false;
	char fp[9], route[9];

	if (app->refusals_read)
		return;
	if (app->store == NULL ||
	    store_refusals_list(app->store, &list, &n) != MC_OK) {
		app->refusals_read = true;
		return;
	}
	buf_init(&said, 4096);
	gone = xcalloc(n + 1, sizeof *gone);
	for (i = 0; i < n; i++) {
		const struct store_refusal *r = &list[i];
		const struct model *m = config_find_model(app->cfg, r->model);
		const struct provider *p =
		    m != NULL ? config_find_provider(app->cfg, m->provider)
		              : NULL;
		enum down_kind kind = r->kind == STORE_REFUSED_KEY ? DOWN_KEY
		                      : r->kind == STORE_REFUSED_ACCESS
		                          ? DOWN_ACCESS
		                          : DOWN_GONE;

		/* A day old (or from a clock far ahead): gone, whatever its
		 * model (since_ms > 0: no overflow). */
		if (r->since_ms > now + 60000 ||
		    now - r->since_ms >= APP_REFUSED_MS) {
			gone[ngone++] = r->model;
			continue;
		}
		/* Not set up now, or without its key: kept for when it is. */
		if (m == NULL || p == NULL || !app_model_usable(app, m))
			continue;
		if (!p->auth_none && app->vault == NULL) {
			waiting = true;
			continue;
		}
		app_key_fp(app, m->id, fp);
		app_route_fp(app, m->id, route);
		if (strcmp(fp, r->key_fp) != 0 ||
		    strcmp(route, r->route) != 0) {
			gone[ngone++] = r->model;
			continue;
		}
		for (k = 0; k < app->ndown; k++)
			if (strcmp(app->down[k].model, m->id) == 0)
				break;
		if (k < app->ndown && app->down[k].until_ms > now)
			continue; /* known already */
		app_down_set(app, m->id, kind, r->since_ms + APP_REFUSED_MS);
		if (kind == DOWN_KEY && !p->auth_none)
			any_key = true;
		else if (kind == DOWN_KEY)
			any_access = true;
		else if (!p->auth_none)
			any_keyed = true;
		/* A key refused is said once for its provider's models. */
		if (kind == DOWN_KEY) {
			for (k = 0; k < nkeys; k++)
				if (strcmp(keys[k], m->provider) == 0)
					break;
			if (k < nkeys)
				continue;
			keys = xreallocarray(keys, nkeys + 1, sizeof *keys);
			keys[nkeys++] = m->provider;
		}
		if (nsaid++ < 4 &&
		    (kind == DOWN_KEY
		            ? buf_printf(&said, "%s%s's models (%s refused)",
		                  nsaid > 1 ? ", " : "", m->provider,
		                  p->auth_none ? "access" : "key")
		            : buf_printf(&said, "%s%s (%s)",
		                  nsaid > 1 ? ", " : "", m->id,
		                  app_down_reason(app, m->id))) != MC_OK)
			log_debug("refusals: notice too long");
	}
	free(keys);
	app_refusals_forget(app, gone, ngone);
	free(gone);
	store_refusals_free(list, n);
	if (nsaid > 4 && buf_printf(&said, " and %zu more", nsaid - 4) != MC_OK)
		log_debug("refusals: notice too long");
	/* When no model is left, all are tried again: said so, for the
	 * refusal likely comes again (a key to replace). */
	if (nsaid > 0 && app_down_others(app, NULL, 0) > 0)
		app_notice(app,
		    "out of routing, as refused to an earlier mixchat in the "
		    "last day: %s; /models lists them (%s, or a reply when one "
		    "is asked by name, brings one back)",
		    buf_str(&said),
		    any_key || any_keyed ? "a new key"
		    : any_access         ? "its server's access settings fixed"
		                         : "a model id fixed in config.json");
	else if (nsaid > 0)
		app_notice(app,
		    "refused to an earlier mixchat in the last day: %s; asked "
		    "all the same, as no other model is left (%s%s)",
		    buf_str(&said), any_key || any_keyed ? self_cmd() : "",
		    any_key ? " keys add replaces a refused key"
		    : any_keyed
		        ? " keys add gives a key that may use it; a model id "
		          "fixed in config.json is asked again at once"
		    : any_access
		        ? "its server refused access: its own access settings, "
		          "or its base_url in config.json, are what to check"
		        : "a model id fixed in config.json, or the model "
		          "made available on its server, is asked again at "
		          "once");
	buf_release(&said);
	app->refusals_read = !waiting;
}

/*
 * Where the vault's problem was said, for an error that points to it: on
 * stderr and on the chat's first screen it is above; one a running chat
 * found (the vault changed under it) is on the notice line, below the
 * conversation.
 */
static const char *
app_vault_problem_where(const struct app *app)
{
	if (app->interactive && app->vault_problem_late)
		return "see the notice line";
	return "said above";
}

/*
 * The routing mode now: budget mode when on; off, the configured mode -
 * but balanced when that is "budget" (F2 turned it off for the session).
 */
static enum router_mode
app_mode(const struct app *app)
{
	if (app->budget_mode)
		return MODE_BUDGET;
	return app->cfg->mode == MODE_BUDGET ? MODE_BALANCED : app->cfg->mode;
}

/*
 * Route x->pub.prompt: fills candidates and features and picks the model
 * (the pinned one, or the router's winner among those not in skip).
 */
static int
app_route(struct app *app, struct exchange *x, const char *const *skip,
    size_t nskip, char **cause)
{
	struct router_context ctx;
	struct router_decision d;
	struct router_latency *lat;
	const char **down;
	size_t nlat, ndown;
	int rc;

	app_refusals_read(app);
	/* First: a state loaded replaces its model's profile, whose id the
	 * latency and down lists below point at. */
	app_memory_ready(app);
	app_sync_states(app);
	router_context_init(&ctx, app_mode(app));
	ctx.latency_tolerance_ms = app->cfg->latency_tolerance_ms;
	ctx.budget_left_usd = app_budget_left(app);
	ctx.now_ms = time_wall_ms();
	lat = app_latency(app, &nlat);
	ctx.latency = lat;
	ctx.nlatency = nlat;
	ctx.skip = skip;
	ctx.nskip = nskip;
	down = app_down_list(app, skip, nskip, &ndown);
	ctx.down = down;
	ctx.ndown = ndown;
	/* What the request carries beside the message costs too: in a long
	 * conversation it is most of the input (and of the budget). */
	ctx.context_in_tokens = app_context_tokens(app, x);
	memset(&d, 0, sizeof d);
	rc = router_online_decide(app->router, app->memory, x->pub.prompt,
	    strlen(x->pub.prompt), &ctx, &d);
	/* The models still in were ruled out too (the budget, a rate
	 * limit): then the one sitting out is tried again rather than
	 * nothing sent. */
	if (rc == MC_ERR_BUDGET && ndown > 0) {
		router_decision_release(&d);
		memset(&d, 0, sizeof d);
		ctx.down = NULL;
		ctx.ndown = 0;
		rc = router_online_decide(app->router, app->memory,
		    x->pub.prompt, strlen(x->pub.prompt), &ctx, &d);
	}
	free(lat);
	free(down);
	if (rc == MC_ERR_NOTFOUND && app->vault_problem != NULL) {
		/* `keys add` would refuse the vault too: the vault first. */
		*cause = xasprintf("nothing can answer: the models set up "
		                   "need keys from the vault, which cannot "
		                   "be used (%s)",
		    app_vault_problem_where(app));
		router_decision_release(&d);
		return app->vault_rc;
	}
	if (rc == MC_ERR_NOTFOUND) {
		char *idle = app_idle_keys(app);

		*cause =
		    idle != NULL
		        ? xasprintf("no model is set up: the vault holds "
		                    "a key for %s, but no model uses it "
		                    "(name its models in config.json)",
		              idle)
		    : app_wanted_key(app) != NULL
		        ? xasprintf("no model is set up: the models %s "
		                    "names need a key for %s: run `%s keys "
		                    "add %s`",
		              app->cfg->config_file != NULL
		                  ? app->cfg->config_file
		                  : "config.json",
		              app_wanted_key(app), self_cmd(),
		              app_wanted_key(app))
		        : xasprintf("no model is set up: add a key with "
		                    "`%s keys add PROVIDER` or a local "
		                    "model in config.json",
		              self_cmd());
		free(idle);
		router_decision_release(&d);
		return MC_ERR_NOTFOUND;
	}
	if (rc == MC_ERR_BUDGET)
		d.winner = -1;
	exchange_set_candidates(x, &d);
	x->pub.lambda = d.lambda;
	if (d.features != NULL) {
		x->features = xmalloc(sizeof *x->features);
		memcpy(x->features, d.features, sizeof *x->features);
	}
	if (app->pinned != NULL) {
		size_t i;

		x->pub.pinned = true;
		x->pub.winner = -1;
		x->pub.model = xstrdup(app->pinned);
		/* The budget is a hard limit for a pinned model too. */
		for (i = 0; i < d.ncandidates; i++) {
			if (strcmp(d.candidates[i].model, app->pinned) == 0 &&
			    d.candidates[i].excluded == ROUTER_OVER_BUDGET) {
				char cost[32], left[32], *advice;

				format_usd(d.candidates[i].cost_usd, cost,
				    sizeof cost);
				format_usd(
				    ctx.budget_left_usd, left, sizeof left);
				advice = app_budget_advice(app,
				    "raise budget.daily_usd or pick a cheaper "
				    "model");
				*cause = xasprintf("%s would cost about %s, "
				                   "more than is left of "
				                   "today's budget (%s): %s",
				    app->pinned, cost, left, advice);
				free(advice);
				router_decision_release(&d);
				return MC_ERR_BUDGET;
			}
		}
		log_debug("route: %s (pinned)", app->pinned);
		router_decision_release(&d);
		return MC_OK;
	}
	if (rc == MC_ERR_BUDGET || d.winner < 0) {
		log_debug(
		    "route: no model fits (%zu candidates)", d.ncandidates);
		*cause = app_why_none(
		    app, &d, ctx.budget_left_usd, ctx.context_in_tokens);
		router_decision_release(&d);
		return MC_ERR_BUDGET;
	}
	x->pub.model = xstrdup(d.candidates[d.winner].model);
	log_debug("route: %s (mode %s, lambda %g, score %.4f, quality %.3f, "
	          "cost $%.6f, %zu candidates)",
	    x->pub.model, app_mode_name(app), d.lambda,
	    d.candidates[d.winner].score, d.candidates[d.winner].quality,
	    d.candidates[d.winner].cost_usd, d.ncandidates);
	router_decision_release(&d);
	return MC_OK;
}

/* ------------------------------------------------------------------ */
/* Sending and streaming. */

static int
app_ensure_session(struct app *app, char **cause)
{
	int rc;

	if (app->session != 0)
		return MC_OK;
	rc = store_session_new(app->store, app->session_name, &app->session);
	if (rc != MC_OK)
		*cause = xasprintf("cannot start a conversation: %s",
		    store_strerror(app->store));
	return rc;
}

static void
app_on_text(void *ud, const char *text, size_t len)
{
	struct exchange *x = ud;
	size_t room = APP_REPLY_MAX - x->text.len;

	if (len > room) {
		/* A runaway reply: keep what fits (whole characters). */
		while (room > 0 && ((unsigned char)text[room] & 0xc0) == 0x80)
			room--;
		if (buf_add(&x->text, text, room) != MC_OK)
			abort(); /* cannot happen: room fits */
		free(x->pub.error);
		x->pub.error = xstrdup("the reply was longer than 16 MiB and "
		                       "was cut there");
		if (x->transfer != NULL)
			net_cancel(x->transfer);
		app_changed(x->app, x);
		return;
	}
	if (buf_add(&x->text, text, len) != MC_OK)
		abort(); /* cannot happen: checked above */
	x->pub.state = REPLY_STREAMING;
	if (x->transfer != NULL)
		app_save_draft(x);
	app_changed(x->app, x);
}

/*
 * Every APP_DRAFT_MS while a reply streams, what came of it is saved as a
 * draft: were this process killed, the next mixchat appends it to the
 * conversation as an interrupted reply (store_drafts_recover).
 */
static void
app_save_draft(struct exchange *x)
{
	static char no_text[1];
	struct store_message m;
	uint64_t now = time_mono_ms();

	/* A long reply is saved less often: each save writes all of it.
	 * The first words are saved as they come (the draft made at the
	 * send holds none). */
	if (x->app->session == 0 || x->pub.model == NULL ||
	    (now - x->draft_ms < APP_DRAFT_MS + x->text.len / 1024 &&
	        !(x->draft_len == 0 && x->text.len > 0)))
		return;
	x->draft_ms = now;
	x->draft_len = x->text.len;
	memset(&m, 0, sizeof m);
	m.session = x->app->session;
	m.role = STORE_ROLE_ASSISTANT;
	m.from_cli = !x->app->interactive;
	m.text = x->text.data != NULL ? x->text.data : no_text;
	m.model = x->pub.model;
	m.created_ms = time_wall_ms();
	m.decision_json = app_decision_text(x);
	if (store_draft_save(x->app->store, &x->draft, &m) != MC_OK)
		log_debug("the reply so far was not saved: %s",
		    store_strerror(x->app->store));
	free(m.decision_json);
}

/* The decision as stored with the reply: the router's table, its lambda,
 * the user message it answers (its seq: the order of the messages does
 * not say it when an older one was re-asked, or when two mixchats wrote
 * to one conversation) and whether it is a re-ask. */
static char *
app_decision_text(const struct exchange *x)
{
	cJSON *d = format_decision_json(&x->pub);
	char *s;

	cJSON_AddNumberToObject(d, "lambda", x->pub.lambda);
	if (x->user_seq != 0)
		cJSON_AddNumberToObject(d, "reply_to", x->user_seq);
	cJSON_AddBoolToObject(d, "reask", x->pub.reask);
	if (x->capped)
		cJSON_AddBoolToObject(d, "budget_capped", true);
	s = cJSON_PrintUnformatted(d);

	cJSON_Delete(d);
	return s;
}

/*
 * Whether a candidate other than x's model could answer x (the hint under
 * a failed reply): one the router did not rule out, and when the failure
 * was the key's (auth: a 401 or 403), one behind another provider.
 */
static bool
app_other_can_answer(const struct app *app, const struct exchange *x, bool auth)
{
	const struct model *m = config_find_model(app->cfg, x->pub.model), *o;
	size_t i;

	if (x->pub.ncandidates == 0)
		return true;
	for (i = 0; i < x->pub.ncandidates; i++) {
		const struct app_candidate *c = &x->pub.candidates[i];

		if (c->excluded != NULL ||
		    strcmp(c->model, x->pub.model) == 0 ||
		    app_is_down(app, c->model, time_wall_ms()))
			continue;
		o = config_find_model(app->cfg, c->model);
		if (auth && m != NULL && o != NULL &&
		    strcmp(m->provider, o->provider) == 0)
			continue;
		return true;
	}
	return false;
}

/*
 * x's model failed with res before any text: a failure that the next
 * message would meet again takes the model (or its provider's models) out
 * of routing (app_down_mark), and the chat is told so.
 */
static void
app_down_after(
    struct app *app, struct exchange *x, const struct net_result *res)
{
	const struct model *cm = config_find_model(app->cfg, x->pub.model);
	const struct provider *cp =
	    cm != NULL ? config_find_provider(app->cfg, cm->provider) : NULL;
	const char *pname = cm != NULL ? cm->provider : x->pub.model;
	enum down_kind kind;

	if (res->key_rejected)
		kind = DOWN_KEY;
	else if (res->http_status == 403)
		kind = DOWN_ACCESS;
	else if (res->http_status == 404)
		kind = DOWN_GONE;
	else if (res->err == MC_ERR_NETWORK && res->http_status == 0)
		/* A connection refused or never made is the server's (all
		 * its models); one taken and then left silent may be this
		 * model's alone (a local server loading it, say). */
		kind = res->connected ? DOWN_SILENT : DOWN_SERVER;
	else if (res->http_status >= 500)
		kind = DOWN_FAILED;
	else
		return;
	app_down_mark(app, x->pub.model, kind);
	/* The models out with it (its provider's) cannot answer instead
	 * either: no "Alt-R asks the next-best model" then. */
	if (x->pub.other_can_answer)
		x->pub.other_can_answer = app_other_can_answer(app, x, false);
	/* Said only where it holds: in the chat (each `ask` starts afresh),
	 * and when another model is left to route to; when none is, that
	 * they are all tried again. */
	if (app->pinned != NULL || !app->interactive)
		return;
	if (app_down_others(app, NULL, 0) == 0) {
		/* Named for what failed: the provider when it was its
		 * server or its key, not the one model asked. */
		if (router_nmodels(app->router) > 1 && kind == DOWN_SERVER)
			app_notice(app,
			    "%s could not be reached and no model is left in "
			    "routing: the next message tries them all again",
			    pname);
		else if (router_nmodels(app->router) > 1 && kind == DOWN_KEY)
			app_notice(app,
			    "%s refused the %s and no model is left in "
			    "routing: the next message tries them all again",
			    pname,
			    cp != NULL && cp->auth_none ? "request" : "key");
		else if (router_nmodels(app->router) > 1)
			app_notice(app,
			    "no model is left in routing after %s failed: the "
			    "next message tries them all again",
			    x->pub.model);
		return;
	}
	switch (kind) {
	case DOWN_SERVER:
		app_notice(app,
		    "%s could not be reached: for a minute the router asks "
		    "its models only when no other model fits",
		    pname);
		break;
	case DOWN_FAILED:
		app_notice(app,
		    "%s failed: for a minute the router asks it only when no "
		    "other model fits",
		    x->pub.model);
		break;
	case DOWN_SILENT:
		app_notice(app,
		    "%s did not answer: for a minute the router asks it only "
		    "when no other model fits",
		    x->pub.model);
		break;
	case DOWN_KEY:
		if (cp != NULL && cp->auth_none)
			app_notice(app,
			    "%s refused access: the router asks its models "
			    "only when no other model fits",
			    pname);
		else
			app_notice(app,
			    "%s refused the key: the router asks its models "
			    "only when no other model fits (`%s keys add "
			    "%s` replaces the key)",
			    pname, self_cmd(), pname);
		break;
	case DOWN_ACCESS:
	case DOWN_GONE:
		app_notice(app,
		    kind == DOWN_GONE
		        ? "%s has no model %s: the router asks it only when no "
		          "other model fits (\"enabled\": false in config.json "
		          "takes it out)"
		        : "%s refused %s to this key: the router asks it only "
		          "when no other model fits (\"enabled\": false in "
		          "config.json takes it out)",
		    pname, x->pub.model);
		break;
	}
}

static void
app_on_done(void *ud, const struct net_result *res)
{
	struct exchange *x = ud;
	struct app *app = x->app;
	struct store_message m;
	struct store_spend_add spend;
	struct store_latency lat;
	char first[48];
	uint32_t seq = 0;
	bool capped;

	x->transfer = NULL;
	if (app->inflight == x)
		app->inflight = NULL;
	/* No text, no first token: a failure's time is not a speed. */
	x->pub.ttft_ms = x->text.len > 0 ? res->ttft_ms : 0;
	x->pub.latency_ms = res->latency_ms;
	x->pub.wait_ms = res->wait_ms;
	x->pub.tokens_in = res->tokens_in;
	x->pub.tokens_out = res->tokens_out;
	x->pub.tokens_estimated = res->tokens_estimated;
	x->pub.cost_usd = res->cost_usd;
	/* A request refused before any text (401, 429, ...) is not billed. */
	if (res->err != MC_OK && x->text.len == 0 && res->tokens_out == 0) {
		x->pub.cost_usd = 0;
		x->pub.tokens_in = 0;
	}
	if (res->err == MC_OK && x->pub.error == NULL)
		x->pub.state = REPLY_DONE;
	else if (res->err == MC_ERR_CANCELLED) {
		x->pub.state = REPLY_CANCELLED;
		if (x->pub.error == NULL)
			x->pub.error = xstrdup("cancelled");
		/* Stopped because it was going wrong, often: the re-ask
		 * hint, as under a failure (and as when resumed). */
		x->pub.other_can_answer = app_other_can_answer(app, x, false);
	} else {
		x->pub.state = REPLY_ERROR;
		if (x->pub.error == NULL)
			x->pub.error = xstrdup(
			    res->message != NULL ? res->message
			                         : mixchat_strerror(res->err));
		x->pub.other_can_answer =
		    app_other_can_answer(app, x, res->key_rejected);
	}
	/* Stopped by the cap that keeps the budget a hard limit: said on
	 * the reply itself (and kept with it, for an export), or it reads
	 * as the model's own ending.  The reply is no failure. */
	capped = x->budget_cap > 0 && res->tokens_out >= x->budget_cap;
	if (capped && x->pub.state == REPLY_DONE) {
		char left[32];

		x->capped = true;
		format_usd(x->budget_left, left, sizeof left);
		x->pub.error = xasprintf("stopped at %d token%s: what was "
		                         "left of today's budget (%s) pays "
		                         "for no more",
		    x->budget_cap, x->budget_cap == 1 ? "" : "s", left);
	}

	snprintf(first, sizeof first, " (first token %.0f ms)", x->pub.ttft_ms);
	log_debug("reply: %s %s: %.0f ms%s, %ld+%ld "
	          "tokens%s, $%.6f%s%s",
	    x->pub.model,
	    x->pub.state == REPLY_DONE        ? "done"
	    : x->pub.state == REPLY_CANCELLED ? "cancelled"
	                                      : "failed",
	    res->latency_ms, x->text.len > 0 ? first : "", (long)res->tokens_in,
	    (long)res->tokens_out, res->tokens_estimated ? " (estimated)" : "",
	    x->pub.cost_usd, x->pub.error != NULL ? ": " : "",
	    x->pub.error != NULL ? x->pub.error : "");
	memset(&m, 0, sizeof m);
	m.session = app->session;
	m.role = STORE_ROLE_ASSISTANT;
	m.from_cli = !app->interactive;
	m.text = x->text.data;
	m.model = x->pub.model;
	m.tokens_in = res->tokens_in;
	m.tokens_out = res->tokens_out;
	m.tokens_estimated = res->tokens_estimated;
	m.cost_usd = x->pub.cost_usd;
	m.ttft_ms = x->pub.ttft_ms;
	m.latency_ms = res->latency_ms;
	m.wait_ms = res->wait_ms;
	m.created_ms = time_wall_ms();
	m.decision_json = app_decision_text(x);
	m.error = x->pub.error;
	memset(&spend, 0, sizeof spend);
	spend.day = time_day(m.created_ms);
	spend.model = x->pub.model;
	spend.usd = x->pub.cost_usd;
	spend.tokens_in = res->tokens_in > 0 ? (uint64_t)res->tokens_in : 0;
	spend.tokens_out = res->tokens_out > 0 ? (uint64_t)res->tokens_out : 0;
	spend.hold = &x->hold;
	spend.draft = &x->draft;
	app_book_latency(app, x->pub.model, res, &lat);
	if (store_reply_finish(app->store, &m, &spend, &lat, &seq) == MC_OK) {
		x->reply_seq = seq;
		store_reply_id_format(
		    app->session, seq, x->pub.reply_id, sizeof x->pub.reply_id);
	} else
		app_notice(app, "the reply could not be saved: %s",
		    store_strerror(app->store));
	free(m.decision_json);
	/* The reply's length teaches the model's length (so cost) predictor,
	 * on the state stored now, in the store's transaction.  A reply
	 * stopped by the budget's cap says nothing of how long the model
	 * writes: not learned (it would make the model look cheap). */
	if (res->err == MC_OK && res->tokens_out > 0 && x->features != NULL &&
	    !capped) {
		struct buf before;
		struct length_ctx lc = { .r = app->router,
			.model = x->pub.model,
			.f = x->features,
			.tokens = (long)res->tokens_out,
			.before = &before };

		buf_init(&before, 64u << 20);
		/* (No state here: not a candidate now, nothing to learn.) */
		if (router_model_save(app->router, x->pub.model, &before) !=
		    MC_OK)
			;
		else if (store_router_update(app->store, x->pub.model,
		             app_length_in_txn, &lc) != MC_OK)
			log_debug("router state of %s not saved: %s",
			    x->pub.model, store_strerror(app->store));
		else
			/* Its own: not loaded again at the next decision. */
			app_stamp_set(app, x->pub.model, lc.stamp);
		buf_release(&before);
	}
	if (res->err == MC_OK)
		app_down_clear(app, x->pub.model);
	else if (res->err != MC_ERR_CANCELLED && x->text.len == 0)
		app_down_after(app, x, res);
	if (res->err == MC_ERR_AGAIN && res->retry_after_ms > 0) {
		char wait[48];

		/* Rounded up, as the error line says it: a wait of 200 ms is
		 * not "0 s". */
		time_wait_text(res->retry_after_ms, wait, sizeof wait);
		/* Another model only where there is one to use. */
		app_notice(app,
		    app->pinned != NULL || app->nusable < 2
		        ? "%s is rate-limited for %s"
		        : "%s is rate-limited for %s: the router "
		          "will use another model until then",
		    x->pub.model, wait);
	}

	app_budget_notice(app, x->pub.cost_usd);
	app_changed(app, x);
}

static struct exchange *
app_new_exchange(struct app *app, const char *prompt)
{
	struct exchange *x = xcalloc(1, sizeof *x);

	x->app = app;
	x->pub.prompt = xstrdup(prompt);
	x->pub.winner = -1;
	x->budget_left = -1;
	buf_init(&x->text, APP_REPLY_MAX);
	if (buf_add(&x->text, "", 0) != MC_OK) /* allocates: data != NULL */
		abort();
	x->pub.reply = buf_str(&x->text);
	app->ex = xreallocarray(app->ex, app->nex + 1, sizeof *app->ex);
	app->ex[app->nex++] = x;
	return x;
}

/* Start the transfer for x (already routed and recorded). */
/*
 * Hold x's predicted cost against the daily budget until its reply is
 * booked (store.h, "holds"): the decision saw what was left a moment
 * ago, and another mixchat on the same data may have sent a request
 * since.  MC_ERR_BUDGET, said, when that one took what x needed.
 */
static int
app_hold(struct app *app, struct exchange *x, char **cause)
{
	const struct model *m = config_find_model(app->cfg, x->pub.model);
	double usd = 0, worst, left = 0, held = 0;
	char cost[32], rest[32];
	size_t i;
	int rc;

	x->budget_left = -1;
	x->hold_whole = false;
	if (app->cfg->daily_budget_usd <= 0)
		return MC_OK;
	for (i = 0; i < x->pub.ncandidates; i++)
		if (strcmp(x->pub.candidates[i].model, x->pub.model) == 0)
			usd = x->pub.candidates[i].cost_usd;
	/* Held: what the reply may spend at most (its prediction, and a
	 * whole max_output_tokens more), as far as what is left allows;
	 * at least the prediction.  Requests in flight together then
	 * share what is left instead of each spending all of it. */
	worst = usd + (m != NULL ? (double)app->cfg->max_output_tokens *
	                               m->price_out / 1e6
	                         : 0);
	rc = store_hold_take_upto(app->store, time_day(time_wall_ms()), usd,
	    worst, app->cfg->daily_budget_usd, &left, &held, &x->hold);
	if (rc == MC_ERR_BUDGET) {
		format_usd(usd, cost, sizeof cost);
		format_usd(left, rest, sizeof rest);
		*cause = xasprintf("%s would cost about %s, more than is left "
		                   "of today's budget (%s) beside the replies "
		                   "other mixchats are waiting for: try again "
		                   "when they are done",
		    x->pub.model, cost, rest);
		return rc;
	}
	if (rc != MC_OK)
		log_debug(
		    "budget hold not taken: %s", store_strerror(app->store));
	else {
		x->budget_left = held;
		x->hold_whole = held >= worst - 1e-12;
	}
	return MC_OK;
}

/*
 * The daily budget is a hard limit: the router only sends a message whose
 * predicted cost fits what is left, and a reply longer than predicted is
 * stopped where it would pass it.  The output tokens that what is left
 * pays for after the request's input (estimated as net does, 4 bytes a
 * token), when fewer than max_output_tokens; 0 when no cap is needed.
 */
static int
app_budget_cap(const struct app *app, const struct exchange *x,
    const struct model *m, const struct net_request *req)
{
	double in_bytes = 0, room;
	size_t i;

	/* Room for the whole reply was held: no cap.  (The estimate below
	 * counts the input more dearly than the router's prediction does:
	 * in a long conversation it cut a reply to 1 token with most of the
	 * budget left.) */
	if (x->budget_left < 0 || m->price_out <= 0 || x->hold_whole)
		return 0;
	for (i = 0; i < req->nmessages; i++)
		in_bytes += (double)strlen(req->messages[i].text);
	if (req->system != NULL)
		in_bytes += (double)strlen(req->system);
	/* And a few tokens a message that APIs add around it (roles, turn
	 * markers), so that the estimate errs on the side of the budget. */
	room = (x->budget_left -
	           (in_bytes / 4 + 8.0 * ((double)req->nmessages + 1)) *
	               m->price_in / 1e6) *
	       1e6 / m->price_out;
	if (room >= (double)app->cfg->max_output_tokens)
		return 0;
	return room < 1 ? 1 : (int)room;
}

/*
 * What x's request needs before anything of it is stored or sent: its
 * model set up, its provider's key, and its predicted cost held against
 * the daily budget (once: app_send takes it before the message is
 * stored, so that a message refused here is not left in a conversation
 * without its refusal).  *key is the key, NULL for a provider without.
 */
static int
app_ready(struct app *app, struct exchange *x, const struct secret **key,
    char **cause)
{
	const struct model *m = config_find_model(app->cfg, x->pub.model);
	const struct provider *p =
	    m != NULL ? config_find_provider(app->cfg, m->provider) : NULL;

	*key = NULL;
	if (m == NULL || p == NULL) {
		*cause = xasprintf("no model named %s", x->pub.model);
		return MC_ERR_NOTFOUND;
	}
	if (!p->auth_none) {
		if (app->vault == NULL) {
			*cause = xasprintf("the vault is locked: %s's key is "
			                   "needed",
			    p->name);
			return MC_ERR_LOCKED;
		}
		*key = vault_get(app->vault, p->name);
		if (*key == NULL) {
			*cause = xasprintf("no key for %s: run `%s keys "
			                   "add %s`",
			    p->name, self_cmd(), p->name);
			return MC_ERR_LOCKED;
		}
	}
	return x->hold.taken ? MC_OK : app_hold(app, x, cause);
}

static int
app_start(struct app *app, struct exchange *x, char **cause)
{
	struct net_callbacks cb = { app_on_text, app_on_done };
	const struct model *m;
	const struct provider *p;
	struct net_message *msgs;
	struct net_request req;
	size_t n;
	int rc;

	memset(&req, 0, sizeof req);
	if ((rc = app_ready(app, x, &req.key, cause)) != MC_OK)
		return rc;
	m = config_find_model(app->cfg, x->pub.model);
	p = config_find_provider(app->cfg, m->provider);
	req.provider = p;
	req.model = m;
	req.system = app->cfg->system_prompt;
	req.max_tokens = app->cfg->max_output_tokens;
	msgs = xcalloc(2 * APP_HISTORY + 1, sizeof *msgs);
	n = app_context(app, x, msgs);
	msgs[n].role = "user";
	msgs[n++].text = x->pub.prompt;
	req.messages = msgs;
	req.nmessages = n;
	if ((x->budget_cap = app_budget_cap(app, x, m, &req)) > 0)
		req.max_tokens = x->budget_cap;
	x->start_ms = time_wall_ms();
	x->pub.state = REPLY_PENDING;
	/* The URL and model, never the key or the text (nor a secret in
	 * the URL: user:password@ and the query are left out). */
	{
		char url[512];

		format_url_public(p->base_url, url, sizeof url);
		log_debug("request: %s via %s (%s API, %s), %zu messages",
		    m->id, p->name, config_api_name(p->api), url, n);
	}
	rc = net_start(app->net, &req, &cb, x, &x->transfer, cause);
	free(msgs);
	if (rc != MC_OK) {
		store_hold_release(app->store, &x->hold);
		log_debug("request: %s not started: %s", m->id,
		    *cause != NULL ? *cause : mixchat_strerror(rc));
		return rc;
	}
	app->inflight = x;
	/* A draft at once, before any text: killed while it waits, the
	 * next mixchat keeps the message answered "interrupted" (and
	 * Alt-R can ask it again), not a message with nothing under it. */
	app_save_draft(x);
	return MC_OK;
}

/*
 * Keep x, refused before it was sent, in the store as any message is (the
 * chat only: `ask`'s message is still in the user's shell): its message
 * unless stored already, then a reply record with no model, nothing spent
 * or timed, its error line and the router's table (for /why after a
 * restart).  Nothing is booked or learned.  When the store cannot take it,
 * it stays on screen only, and the notice line says so.
 *
 *   user      seq N    the message
 *   assistant seq N+1  model NULL, text "", error, decision {reply_to: N}
 */
static void
app_keep_refused(struct app *app, struct exchange *x)
{
	struct store_message m;
	char *cause = NULL;
	uint32_t seq = 0;
	int rc;

	if (!app->interactive)
		return;
	if ((rc = app_ensure_session(app, &cause)) != MC_OK)
		goto fail;
	memset(&m, 0, sizeof m);
	m.session = app->session;
	m.created_ms = time_wall_ms();
	if (x->user_seq == 0) {
		m.role = STORE_ROLE_USER;
		m.text = x->pub.prompt;
		if ((rc = store_message_append(app->store, &m, &x->user_seq)) !=
		    MC_OK)
			goto fail_store;
		x->pub.message_stored = true;
	}
	m.role = STORE_ROLE_ASSISTANT;
	m.text = (char *)(uintptr_t) "";
	m.error = x->pub.error;
	m.decision_json = app_decision_text(x);
	rc = store_message_append(app->store, &m, &seq);
	free(m.decision_json);
	if (rc != MC_OK)
		goto fail_store;
	x->reply_seq = seq;
	store_reply_id_format(
	    app->session, seq, x->pub.reply_id, sizeof x->pub.reply_id);
	return;

fail_store:
	cause = xstrdup(store_strerror(app->store));
fail:
	app_notice(app, "the refused message is on screen only: %s", cause);
	free(cause);
}

/*
 * Fail x, not sent, with an error line kept in the conversation (and,
 * with keep, in the store: app_keep_refused).
 */
static int
app_fail(
    struct app *app, struct exchange *x, int rc, const char *cause, bool keep)
{
	x->pub.state = REPLY_ERROR;
	free(x->pub.error);
	x->pub.error = xstrdup(cause);
	x->pub.not_sent = true;
	/* No model was asked: M-r would ask the router afresh, not the
	 * next-best model after one that failed. */
	x->pub.other_can_answer = false;
	if (keep)
		app_keep_refused(app, x);
	app_changed(app, x);
	return rc;
}

int
app_send(struct app *app, const char *text, char **cause)
{
	struct exchange *x;
	struct store_message m;
	int rc;

	if (app->inflight != NULL) {
		*cause = xstrdup("a reply is still arriving (Esc cancels it)");
		return MC_ERR_AGAIN;
	}
	app_vault_refresh(app);
	if (text[strspn(text, " \t\r\n")] == '\0') {
		*cause = xstrdup("the message is empty");
		return MC_ERR_USAGE;
	}
	if (!utf8_valid(text, strlen(text))) {
		*cause = xstrdup("the message is not valid UTF-8");
		return MC_ERR_USAGE;
	}
	x = app_new_exchange(app, text);
	if ((rc = app_route(app, x, NULL, 0, cause)) != MC_OK)
		return app_fail(app, x, rc, *cause, true);
	/* A model will be asked: the store is needed from here on (a
	 * failure before this, no model set up, created nothing). */
	if (app->store_on_send && (rc = app_store_create(app, cause)) != MC_OK)
		return app_fail(app, x, rc, *cause, true);
	/* Refused for want of a key or of budget: before it is stored (the
	 * chat keeps it with its refusal; `ask`'s is in the user's shell). */
	{
		const struct secret *key;

		if ((rc = app_ready(app, x, &key, cause)) != MC_OK)
			return app_fail(app, x, rc, *cause, true);
	}
	/* The store refused it: the error line says so. */
	if ((rc = app_ensure_session(app, cause)) != MC_OK) {
		store_hold_release(app->store, &x->hold);
		return app_fail(app, x, rc, *cause, false);
	}
	memset(&m, 0, sizeof m);
	m.session = app->session;
	m.role = STORE_ROLE_USER;
	/* `ask`'s: its prompts stay out of the chat's Up (it is in the
	 * user's shell history), its one-off conversations out of
	 * /sessions' list. */
	m.from_cli = !app->interactive;
	m.text = x->pub.prompt;
	m.created_ms = time_wall_ms();
	rc = store_message_append(app->store, &m, &x->user_seq);
	if (rc == MC_ERR_NOTFOUND)
		/* Deleted meanwhile (`sessions rm`, another chat's /delete):
		 * its number is never given again, so nothing can go on it. */
		*cause = xasprintf("conversation %llu was deleted (by another "
		                   "mixchat), so the message was not sent%s",
		    (unsigned long long)app->session,
		    app->interactive ? ": /new starts a new conversation, "
		                       "and Up brings the message back"
		                     : "");
	else if (rc != MC_OK)
		*cause = xasprintf("the message could not be saved, so it was "
		                   "not sent: %s",
		    store_strerror(app->store));
	if (rc != MC_OK) {
		store_hold_release(app->store, &x->hold);
		return app_fail(app, x, rc, *cause, false);
	}
	x->pub.message_stored = true;
	if ((rc = app_start(app, x, cause)) != MC_OK)
		return app_fail(app, x, rc, *cause, true);
	app_changed(app, x);
	return MC_OK;
}

int
app_explain(
    struct app *app, const char *text, struct app_exchange **out, char **cause)
{
	struct exchange *x = xcalloc(1, sizeof *x);
	int rc;

	x->app = app;
	x->pub.prompt = xstrdup(text);
	x->pub.winner = -1;
	buf_init(&x->text, 1);
	if (buf_add(&x->text, "", 0) != MC_OK)
		abort();
	x->pub.reply = buf_str(&x->text);
	rc = app_route(app, x, NULL, 0, cause);
	*out = &x->pub;
	return rc;
}

void
app_explain_free(struct app_exchange *ex)
{
	/* pub is the first member of struct exchange. */
	if (ex != NULL)
		exchange_free((struct exchange *)(void *)ex);
}

size_t
app_explain_tags(const struct app *app, const struct app_exchange *ex,
    const char **names, double *p, size_t max)
{
	const struct exchange *x = (const struct exchange *)(const void *)ex;
	size_t i, n = 0;

	if (x->features == NULL)
		return 0;
	for (i = 0; i < x->features->ntags && n < max; i++) {
		names[n] = router_tag_name(app->router, i);
		p[n++] = x->features->tag[i];
	}
	return n;
}

const char *
app_route_fallback(struct app *app)
{
	size_t i, pass;

	if (router_nmodels(app->router) > 0)
		return NULL;
	for (pass = 0; pass < 2 && router_nmodels(app->router) == 0; pass++) {
		for (i = 0; i < app->cfg->nmodels; i++) {
			const struct model *m = &app->cfg->models[i];
			const struct provider *p =
			    config_find_provider(app->cfg, m->provider);

			if (!m->enabled || p == NULL)
				continue;
			if (pass == 0 && !m->user && !p->user)
				continue;
			if (router_add_model(app->router, m->id, m->price_in,
			        m->price_out, m->prior) != MC_OK)
				continue;
		}
		if (router_nmodels(app->router) > 0)
			app_note_priors(
			    app->router, app->cfg, app->hooks.notice, app->ud);
		if (router_nmodels(app->router) > 0 && pass == 0)
			return "no key for the models in config.json yet: "
			       "showing what the router would do with them";
		if (router_nmodels(app->router) > 0) {
			free(app->fallback_note);
			app->fallback_note = xasprintf(
			    "no models set up: routing over the built-in "
			    "catalog (add a key with `%s keys add PROVIDER`)",
			    self_cmd());
			return app->fallback_note;
		}
	}
	return NULL;
}

bool
app_cancel(struct app *app)
{
	if (app->inflight == NULL || app->inflight->transfer == NULL)
		return false;
	net_cancel(app->inflight->transfer);
	return true;
}

void
app_recover_drafts(struct app *app)
{
	size_t n = 0;
	uint64_t session = 0;
	uint32_t seq = 0;
	char id[STORE_REPLY_ID_MAX];

	if (app->store == NULL) /* nothing stored yet, no draft either */
		return;
	if (store_drafts_recover_last(app->store, &n, &session, &seq) !=
	        MC_OK ||
	    n == 0)
		return;
	/* Where to find it: the chat starts a new conversation. */
	store_reply_id_format(session, seq, id, sizeof id);
	app_notice(app,
	    "kept %zu reply%s cut off when mixchat ended before %s "
	    "finished (%sreply %s: /sessions %s opens it)",
	    n, n == 1 ? "" : "s", n == 1 ? "it" : "they",
	    n == 1 ? "" : "the last, ", id, id);
}

void
app_set_interactive(struct app *app, bool on)
{
	app->interactive = on;
}

bool
app_busy(const struct app *app)
{
	return app->inflight != NULL;
}

int
app_wait(struct app *app, struct pollfd *extra, unsigned nextra, int timeout_ms)
{
	/* curl_multi_poll takes no negative timeout: "forever" is a minute
	 * (the caller loops). */
	if (timeout_ms < 0)
		timeout_ms = 60000;
	return net_wait(app->net, extra, nextra, timeout_ms);
}

void
app_process(struct app *app)
{
	net_perform(app->net);
}

/* ------------------------------------------------------------------ */
/* Learning. */

/* The router's features for x's prompt (computed again after a resume). */
static const struct router_features *
app_features(struct app *app, struct exchange *x)
{
	if (x->features == NULL) {
		x->features = xmalloc(sizeof *x->features);
		router_features_compute(app->router, x->pub.prompt,
		    strlen(x->pub.prompt), x->features);
	}
	return x->features;
}

/* A rating of score (1..5) as a quality label (0..1). */
static double
app_score_quality(int score)
{
	return (score - 1) / 4.0;
}

double
app_predicted_quality(
    const struct router *r, const struct router_features *f, const char *model)
{
	struct router_context ctx;
	struct router_decision d;
	double q = -1;
	size_t i;

	router_context_init(&ctx, MODE_QUALITY);
	memset(&d, 0, sizeof d);
	if (router_decide_features(r, f, &ctx, &d) == MC_OK ||
	    d.ncandidates > 0) {
		for (i = 0; i < d.ncandidates; i++)
			if (strcmp(d.candidates[i].model, model) == 0)
				q = d.candidates[i].quality;
	}
	router_decision_release(&d);
	return q;
}

/*
 * store_ratings_list gives the ratings in the order they were made: the
 * memory's record of its own forecasts depends on that order, as it did
 * live.  Of each model only the last APP_MEMORY_REPLAY ratings are
 * replayed: the memory keeps ROUTER_MEMORY_MAX of them, and as many
 * before those measure how well it forecasts.  Replaying a model's every
 * rating refactors the full memory once a rating (2.8 ms each, measured:
 * bench_router), which made a start with 2,000 ratings of one model take
 * seconds; now it is bounded.
 */
#define APP_MEMORY_REPLAY (2 * ROUTER_MEMORY_MAX)

void
app_rebuild_memory(
    const struct router *r, struct router_memory *m, struct store *s)
{
	struct store_rating *list = NULL;
	struct store_ratings *rd;
	struct router_features *f;
	struct {
		const char *model;
		size_t count;
	} seen[64];
	bool *replay;
	size_t i, k, n = 0, nseen = 0;

	/* Only the ratings replayed have their features decoded (they are
	 * most of a rating's bytes), one at a time. */
	if (s == NULL || store_ratings_read(s, &rd, &list, &n) != MC_OK)
		return;
	/* Newest first: which ratings are their model's last ones. */
	replay = xcalloc(n + 1, sizeof *replay);
	for (i = n; i-- > 0;) {
		if (list[i].model == NULL || list[i].superseded)
			continue;
		for (k = 0; k < nseen && strcmp(seen[k].model, list[i].model);
		     k++)
			;
		if (k == nseen && nseen < 64) {
			seen[nseen].model = list[i].model;
			seen[nseen++].count = 0;
		}
		replay[i] = k == 64 || seen[k].count++ < APP_MEMORY_REPLAY;
	}
	f = xmalloc(sizeof *f);
	for (i = 0; i < n; i++) {
		double base, q, w;
		bool ok;

		/* A corrected rating no longer counts. */
		if (!replay[i] || list[i].model == NULL || list[i].superseded ||
		    store_ratings_features(rd, i) != MC_OK)
			continue;
		ok = router_features_unpack(
		    list[i].features, list[i].nfeatures, f);
		store_rating_features_drop(&list[i]);
		if (!ok)
			continue;
		base = app_predicted_quality(r, f, list[i].model);
		if (base < 0)
			continue; /* not a candidate now */
		q = app_rating_quality(&list[i]);
		w = list[i].source == STORE_SOURCE_REASK ? APP_REASK_WEIGHT
		                                         : 1.0;
		router_memory_add(m, f, list[i].model, q, base, w);
	}
	store_ratings_end(rd);
	free(replay);
	free(f);
	store_ratings_free(list, n);
}

double
app_rating_quality(const struct store_rating *r)
{
	return r->source == STORE_SOURCE_REASK ? 0
	                                       : app_score_quality(r->score);
}

/* A rating's lesson for a model's state, made inside the store's write
 * transaction from the state stored then (store_rating_commit_learn). */
struct learn_ctx {
	struct app *app;
	const struct router_features *f;
	const char *model;
	double quality, weight;
	double old_quality; /* a corrected rating's; < 0: a new rating */
	/* > 0: a first rating that replaces its reply's re-ask soft lesson
	 * (quality 0 at this weight): that lesson is corrected to the
	 * rating, and the rest of the rating's weight learned. */
	double soft_weight;
	/* Set by the store before it learns (store_rating_commit_replace):
	 * whether the soft lesson's record is there to replace; when it is
	 * not (gone with another mixchat's rating), nothing is corrected. */
	bool soft_found;
	const struct buf *before;
	uint64_t stamp; /* out: the state written (store_router_stamp_of) */
};

/* What one rating teaches model c->model of r (m: the memory, or NULL). */
static int
app_learn_step(
    struct router *r, struct router_memory *m, const struct learn_ctx *c)
{
	int rc;

	if (c->old_quality >= 0)
		return router_online_correct(
		    r, c->f, c->model, c->old_quality, c->quality, c->weight);
	if (c->soft_weight > 0 && c->soft_found) {
		rc = router_online_correct(
		    r, c->f, c->model, 0.0, c->quality, c->soft_weight);
		if (rc != MC_OK)
			return rc;
		return router_online_learn(r, NULL, c->f, c->model, c->quality,
		    c->weight - c->soft_weight);
	}
	return router_online_learn(r, m, c->f, c->model, c->quality, c->weight);
}

static int
app_learn_in_txn(void *ud, const void *stored, size_t len, struct buf *out)
{
	struct learn_ctx *c = ud;
	char *cause = NULL;
	int rc;

	rc = router_model_load(c->app->router, c->model,
	    stored != NULL ? stored : c->before->data,
	    stored != NULL ? len : c->before->len, &cause);
	free(cause);
	if (rc != MC_OK)
		return rc;
	rc = app_learn_step(c->app->router, NULL, c);
	if (rc != MC_OK)
		return rc;
	buf_reset(out);
	if ((rc = router_model_save(c->app->router, c->model, out)) == MC_OK)
		c->stamp = store_router_stamp_of(out->data, out->len);
	return rc;
}

/*
 * Store a rating and teach the router it, in one transaction.  old_score
 * > 0: the reply had that rating and the user corrected it; the router
 * learns the correction (router_online_correct) and the memory of rated
 * prompts is rebuilt from the store, where the old rating no longer
 * counts.  soft_ms > 0: a first rating of a reply whose re-ask taught a
 * soft lesson, the rating keyed at soft_ms: the user's rating replaces it
 * (app_learn_step), that record is deleted in the same transaction and
 * the memory rebuilt.  *key_ms (when not NULL): the time in the new
 * rating's key, 0 when it was not stored.
 */
static int
app_learn_commit_ex(struct app *app, const struct router_features *f,
    uint64_t session, uint32_t seq, const char *prompt, const char *model,
    int score, int old_score, int source, double quality, double weight,
    int64_t time_ms, const char *origin, int64_t soft_ms,
    const char *soft_prompt, int64_t *key_ms, char **cause)
{
	struct store_rating r;
	struct learn_ctx lc;
	struct buf blob;
	float *pairs;
	size_t npairs;
	uint64_t gen0, gen1;
	bool learned = false;
	int rc;

	buf_init(&blob, 64u << 20);
	app_refresh_model(app, model);
	/* The state before this rating: what the store's transaction starts
	 * from when nothing is stored for the model yet. */
	memset(&lc, 0, sizeof lc);
	lc.app = app;
	lc.f = f;
	lc.model = model;
	lc.quality = quality;
	lc.weight = weight;
	lc.old_quality = old_score > 0 ? app_score_quality(old_score) : -1;
	lc.soft_weight =
	    old_score <= 0 && soft_ms > 0 && weight > APP_REASK_WEIGHT
	        ? APP_REASK_WEIGHT
	        : 0;
	/* Live, as if the lesson were there; inside the transaction the store
	 * says whether it is (the state learned there is the one kept). */
	lc.soft_found = lc.soft_weight > 0;
	lc.before = &blob;
	/* The policy shared with `mixchat eval --online` (router/online.h):
	 * the memory learns here, once; the model's state is learned again
	 * inside the store's transaction, on the state stored then. */
	if (router_model_save(app->router, model, &blob) == MC_OK &&
	    app_learn_step(app->router, app->memory_ready ? app->memory : NULL,
	        &lc) == MC_OK)
		learned = true;
	pairs = router_features_pack(f, &npairs);
	memset(&r, 0, sizeof r);
	r.session = session;
	r.seq = seq;
	r.score = score;
	r.source = source;
	r.model = xstrdup(model);
	r.time_ms = time_ms > 0 ? time_ms : time_wall_ms();
	r.features = pairs;
	r.nfeatures = npairs;
	/* Its model is no candidate now: kept, and learned when it is one
	 * again (app_settle_pending). */
	r.pending = !learned;
	/* Tied to no message: the record keeps the prompt for an export. */
	r.prompt = session == 0 && prompt != NULL ? xstrdup(prompt) : NULL;
	/* And should its conversation have been deleted meanwhile. */
	r.prompt_if_gone = session != 0 ? prompt : NULL;
	r.origin = r.prompt != NULL && origin != NULL ? xstrdup(origin) : NULL;
	/* A soft lesson is replaced only by a rating learned: one kept
	 * pending leaves it in the state, and its record with it. */
	if (key_ms != NULL)
		*key_ms = 0;
	rc = learned
	         ? store_rating_commit_replace(app->store, &r, model,
	               app_learn_in_txn, &lc, lc.soft_weight > 0 ? soft_ms : 0,
	               soft_prompt, &lc.soft_found, key_ms, cause)
	         : store_rating_commit(app->store, &r, NULL, NULL, 0, cause);
	if (rc == MC_OK && learned)
		app_stamp_set(app, model, lc.stamp);
	if (rc == MC_OK && (old_score > 0 || lc.soft_weight > 0) &&
	    app->memory_ready)
		app_memory_rebuild(app);
	else if (rc == MC_OK && app->memory_ready &&
	         store_ratings_gen_last(app->store, &gen0, &gen1) &&
	         gen0 == app->ratings_seen)
		/* The memory held every rating before this one, which it
		 * learned here: it holds them all.  (Another mixchat's came
		 * in between: the next decision rebuilds it.) */
		app->ratings_seen = gen1;
	log_debug("%s: %s, score %d (quality %.2f, weight %.2f)%s%s",
	    source == STORE_SOURCE_REASK ? "re-ask" : "rating", model, score,
	    quality, weight, learned ? ", learned" : ", not learned",
	    rc == MC_OK ? "" : ", not committed");
	free(pairs);
	free(r.model);
	free(r.prompt);
	free(r.origin);
	buf_release(&blob);
	return rc;
}

static int
app_learn_commit(struct app *app, const struct router_features *f,
    uint64_t session, uint32_t seq, const char *prompt, const char *model,
    int score, int old_score, int source, double quality, double weight,
    int64_t time_ms, const char *origin, char **cause)
{
	return app_learn_commit_ex(app, f, session, seq, prompt, model, score,
	    old_score, source, quality, weight, time_ms, origin, 0, NULL, NULL,
	    cause);
}

/*
 * The latest learned rating of the reply list[i] rates, when list[i]
 * corrects one: its quality, or -1 (a first rating, or the rating of no
 * reply).
 */
static double
app_learned_before(const struct store_rating *list, size_t n, size_t i)
{
	const struct store_rating *best = NULL;
	size_t j;

	for (j = 0; j < n; j++)
		if (j != i && !list[j].pending &&
		    app_same_reply(&list[i], &list[j]) &&
		    app_reply_order(&list[j]) < app_reply_order(&list[i]) &&
		    (best == NULL ||
		        app_reply_order(&list[j]) > app_reply_order(best)))
			best = &list[j];
	return best != NULL ? app_score_quality(best->score) : -1;
}

/*
 * Ratings kept but not learned, because their model was no candidate
 * when they were made (its key was missing, or it was not in the
 * config), are learned now that it is one: oldest first, each in one
 * transaction with the model's new state (store_rating_settle), exactly
 * as it would have been learned then.  A corrected one teaches only its
 * latest score, as the correction of the reply's learned rating if it
 * has one.  Another mixchat settling the same rating first wins: this
 * one takes the state it stored.
 */
static void
app_settle_pending(struct app *app)
{
	struct store_rating *list = NULL;
	struct store_ratings *rd;
	struct router_features *f;
	struct learn_ctx lc;
	struct buf blob;
	size_t i, n = 0, settled = 0;
	const char *last = NULL;
	bool several = false;

	/* Every start comes here: the features only of what may be learned
	 * (a few ratings), taken before anything is written. */
	if (app->store == NULL ||
	    store_ratings_read(app->store, &rd, &list, &n) != MC_OK)
		return;
	for (i = 0; i < n; i++)
		if (list[i].pending && !list[i].superseded &&
		    store_ratings_features(rd, i) != MC_OK)
			log_debug("a kept rating's features cannot be read");
	store_ratings_end(rd);
	f = xmalloc(sizeof *f);
	buf_init(&blob, 64u << 20);
	for (i = 0; i < n; i++) {
		const struct store_rating *r = &list[i];
		char *cause = NULL;
		int rc;

		if (!r->pending || r->superseded ||
		    !app_is_candidate(app, r->model) ||
		    !app_rating_features(app->router, app->store, r, f))
			continue;
		app_refresh_model(app, r->model);
		memset(&lc, 0, sizeof lc);
		lc.app = app;
		lc.f = f;
		lc.model = r->model;
		lc.quality = app_rating_quality(r);
		lc.weight =
		    r->source == STORE_SOURCE_REASK ? APP_REASK_WEIGHT : 1.0;
		lc.old_quality = app_learned_before(list, n, i);
		lc.before = &blob;
		buf_reset(&blob);
		if (router_model_save(app->router, r->model, &blob) != MC_OK)
			continue;
		rc = store_rating_settle(
		    app->store, r, r->model, app_learn_in_txn, &lc, &cause);
		if (rc == MC_OK) {
			settled++;
			several = several ||
			          (last != NULL && strcmp(last, r->model) != 0);
			last = r->model;
		} else if (rc != MC_ERR_NOTFOUND) {
			log_debug("a kept rating of %s is not learned: %s",
			    r->model, cause != NULL ? cause : "?");
		}
		/* What is stored now, whoever learned it. */
		app_refresh_model(app, r->model);
		free(cause);
	}
	if (settled > 0)
		app_notice(app,
		    "learned %zu rating%s kept while %s %s not set up", settled,
		    settled == 1 ? "" : "s", several ? "their models" : last,
		    several ? "were" : "was");
	buf_release(&blob);
	free(f);
	store_ratings_free(list, n);
}

int
app_rate(struct app *app, size_t index, int score, char **cause)
{
	struct exchange *x;
	int rc;

	if (index >= app->nex) {
		*cause = xstrdup("there is no reply to rate");
		return MC_ERR_NOTFOUND;
	}
	if (score < 1 || score > 5) {
		*cause = xasprintf("a rating is 1 to 5, not %d", score);
		return MC_ERR_USAGE;
	}
	x = app->ex[index];
	/* No model answered it: nothing to learn about one. */
	if (x->pub.not_sent) {
		*cause = xstrdup("that message was not sent: no model answered "
		                 "it");
		return MC_ERR_USAGE;
	}
	if (x->pub.model == NULL || x->pub.state == REPLY_PENDING ||
	    x->pub.state == REPLY_STREAMING) {
		*cause = xstrdup("that reply has not finished yet");
		return MC_ERR_AGAIN;
	}
	/* Ended, but not kept (its conversation deleted meanwhile, a full
	 * disk): a rating would have no reply to belong to. */
	if (x->pub.reply_id[0] == '\0') {
		*cause = xstrdup("that reply could not be saved (its error "
		                 "line says why), so it cannot be rated");
		return MC_ERR_USAGE;
	}
	/* An outage (401, 429, 500, no connection) says nothing about how
	 * well the model answers: only text that arrived can be rated - or
	 * an empty reply the model finished (and was paid for): that is
	 * an answer, and a poor one to learn from. */
	if (x->text.len == 0 && x->pub.state != REPLY_DONE) {
		*cause =
		    xasprintf("%s sent no reply to rate (Alt-R asks another "
		              "model)",
		        x->pub.model);
		return MC_ERR_USAGE;
	}
	/* The rating as stored: another mixchat (`mixchat rate`, a second
	 * chat) may have changed it since this one showed it. */
	{
		struct store_message m;

		if (store_message_get(
		        app->store, app->session, x->reply_seq, &m) == MC_OK) {
			if (m.rating != x->pub.rating) {
				x->pub.rating = m.rating;
				app_changed(app, x);
			}
			store_message_release(&m);
		}
	}
	/* One rating a reply: the same again teaches nothing (a key held,
	 * pressed twice); another score corrects it. */
	if (x->pub.rating == score) {
		*cause = xasprintf(
		    "reply %s is already rated %d/5", x->pub.reply_id, score);
		return MC_ERR_EXISTS;
	}
	/* A first rating after a re-ask replaces its soft lesson: the user
	 * has said how good the reply was. */
	rc = app_learn_commit_ex(app, app_features(app, x), app->session,
	    x->reply_seq, x->pub.prompt, x->pub.model, score, x->pub.rating,
	    STORE_SOURCE_KEYSTROKE, app_score_quality(score), 1.0, 0, NULL,
	    x->pub.rating == 0 && x->soft_taught ? x->soft_key_ms : 0,
	    x->pub.prompt, NULL, cause);
	if (rc != MC_OK)
		return rc;
	x->soft_key_ms = 0;
	x->pub.rating = score;
	app_changed(app, x);
	return MC_OK;
}

int
app_reask(struct app *app, size_t index, char **cause)
{
	struct exchange *x, *orig;
	const char **skip;
	size_t nskip = 0, i;
	char *dummy = NULL;
	int rc;

	if (app->inflight != NULL) {
		*cause = xstrdup("a reply is still arriving (Esc cancels it)");
		return MC_ERR_AGAIN;
	}
	if (index >= app->nex || (app->ex[index]->pub.model == NULL &&
	                             !app->ex[index]->pub.not_sent)) {
		*cause = xstrdup("there is no reply to ask again");
		return MC_ERR_NOTFOUND;
	}
	app_vault_refresh(app);
	orig = app->ex[index];
	/* A message refused before it was sent is asked as the router sees
	 * it now (after /budget off, a raised budget, a key added), its
	 * reply tied to the stored message; one the store could not keep
	 * would leave a reply without its message. */
	if (orig->pub.not_sent && orig->user_seq == 0) {
		*cause = xstrdup("that message was not saved: Up brings it "
		                 "back to send again");
		return MC_ERR_NOTFOUND;
	}
	/* Every model that already answered this prompt is skipped (a
	 * refused message was answered by none). */
	skip = xcalloc(app->nex + 1, sizeof *skip);
	for (i = 0; i < app->nex; i++) {
		if (strcmp(app->ex[i]->pub.prompt, orig->pub.prompt) == 0 &&
		    app->ex[i]->pub.model != NULL && !app->ex[i]->pub.not_sent)
			skip[nskip++] = app->ex[i]->pub.model;
	}
	x = app_new_exchange(app, orig->pub.prompt);
	x->pub.shares_message = true;
	/* A re-ask only when a model was asked this message before: the
	 * first answer of a refused one is its first asking. */
	x->pub.reask = !orig->pub.not_sent;
	for (i = 0; i + 1 < app->nex && !x->pub.reask; i++)
		if (app->ex[i]->user_seq == orig->user_seq &&
		    app->ex[i]->pub.model != NULL && !app->ex[i]->pub.not_sent)
			x->pub.reask = true;
	/* Before routing: the context (and so the cost) is the
	 * conversation before its message, not the answer asked again. */
	x->user_seq = orig->user_seq;
	{
		char *pinned = app->pinned;

		/* A re-ask asks the router; a message no model has answered
		 * yet goes where a first send would: to the pinned model. */
		if (x->pub.reask)
			app->pinned = NULL;
		rc = app_route(app, x, skip, nskip, cause);
		app->pinned = pinned;
	}
	free(skip);
	if (rc == MC_OK)
		rc = app_start(app, x, cause);
	if (rc != MC_OK) {
		/* Nothing was asked: no exchange stays behind (the caller
		 * shows *cause), so the selection and ratings are as they
		 * were. */
		app->nex--;
		exchange_free(x);
		return rc;
	}
	/* Asked: a soft negative for the first model's answer, once, unless
	 * the user rated it; none when no answer came (an outage is no
	 * lesson), when the answer did not finish (a dropped connection, a
	 * provider's error mid-stream, Esc: what came is not the model's
	 * whole answer) or when the re-ask was refused (nothing was asked). */
	if (orig->pub.rating == 0 && orig->pub.reply_id[0] != '\0' &&
	    !orig->pub.reask && orig->text.len > 0 &&
	    orig->pub.state == REPLY_DONE && !orig->soft_taught &&
	    store_reask_find(app->store, orig->pub.model, orig->pub.prompt,
	        orig->pub.reply_id, &orig->soft_key_ms) == MC_OK)
		/* Another mixchat on this conversation re-asked it first:
		 * taught once. */
		orig->soft_taught = true;
	else if (orig->pub.rating == 0 && orig->pub.reply_id[0] != '\0' &&
	         !orig->pub.reask && orig->text.len > 0 &&
	         orig->pub.state == REPLY_DONE && !orig->soft_taught) {
		/* Not tied to the reply (session 0): the store would show it
		 * as the reply's rating, and the user gave none.  It names
		 * the reply in origin, so that only its rating replaces it. */
		orig->soft_key_ms = 0;
		if (app_learn_commit_ex(app, app_features(app, orig), 0, 0,
		        orig->pub.prompt, orig->pub.model, 2, 0,
		        STORE_SOURCE_REASK, 0.0, APP_REASK_WEIGHT, 0,
		        orig->pub.reply_id, 0, NULL, &orig->soft_key_ms,
		        &dummy) != MC_OK)
			free(dummy);
		else
			orig->soft_taught = true;
	}
	app_changed(app, x);
	return MC_OK;
}

/* ------------------------------------------------------------------ */
/* Settings. */

void
app_set_budget_mode(struct app *app, bool on)
{
	app->budget_mode = on;
}

bool
app_budget_mode(const struct app *app)
{
	return app->budget_mode;
}

int
app_pin_model(struct app *app, const char *model, char **cause)
{
	const struct model *m;
	struct store_latency sl;
	char wait[48];

	if (model == NULL || strcmp(model, "auto") == 0) {
		free(app->pinned);
		app->pinned = NULL;
		return MC_OK;
	}
	if ((m = config_find_model(app->cfg, model)) == NULL) {
		*cause =
		    xasprintf("no model named %s (/models lists them)", model);
		return MC_ERR_NOTFOUND;
	}
	if (!app_model_usable(app, m)) {
		const struct provider *p =
		    config_find_provider(app->cfg, m->provider);

		if (!m->enabled)
			*cause = xasprintf("%s is disabled (\"enabled\": false "
			                   "in config.json)",
			    model);
		else if (p == NULL || p->auth_none)
			*cause = xasprintf("%s: its provider %s is not set up "
			                   "in config.json",
			    model, m->provider);
		else if (app->vault_damaged)
			*cause = xasprintf("%s needs a key for %s, and the "
			                   "key vault cannot be used (%s)",
			    model, m->provider, app_vault_problem_where(app));
		else if (app->vault_kept_locked)
			*cause = xasprintf("%s needs a key for %s, and the "
			                   "vault stays locked in this chat: "
			                   "restart mixchat and give the "
			                   "passphrase to use it",
			    model, m->provider);
		else
			*cause = xasprintf("%s needs a key for %s: run "
			                   "`%s keys add %s`",
			    model, m->provider, self_cmd(), m->provider);
		return MC_ERR_USAGE;
	}
	free(app->pinned);
	app->pinned = xstrdup(model);
	/* Pinned all the same (the user may know better), but told. */
	app_refusals_read(app);
	if (app_is_down(app, model, time_wall_ms()))
		app_notice(app,
		    "%s is out of routing (%s): "
		    "pinned, it is asked anyway",
		    model, app_down_reason(app, model));
	else if (app->store != NULL &&
	         store_latency_get(app->store, model, &sl) == MC_OK &&
	         sl.unavailable_until_ms > time_wall_ms()) {
		/* A 429's Retry-After runs: sent, not held, and said so. */
		time_wait_text(sl.unavailable_until_ms - time_wall_ms(), wait,
		    sizeof wait);
		app_notice(app,
		    "%s is rate-limited for %s more: pinned, a message is "
		    "sent to it all the same (not held), and its provider "
		    "will likely refuse it until then",
		    model, wait);
	}
	return MC_OK;
}

const char *
app_pinned_model(const struct app *app)
{
	return app->pinned;
}

const char *
app_mode_name(const struct app *app)
{
	return config_mode_name(app_mode(app));
}

/* ------------------------------------------------------------------ */
/* Models, sessions, search, export. */

int
app_models(struct app *app, struct app_model_info **out, size_t *n)
{
	struct store_model_stats *stats = NULL;
	struct app_model_info *list;
	struct router_features f;
	size_t i, j, nstats = 0, k = 0;

	app_refusals_read(app);
	/* Nothing stored yet (app_open_lazy): nothing spent or timed. */
	if (app->store == NULL ||
	    store_model_stats(
	        app->store, time_day(time_wall_ms()), &stats, &nstats) != MC_OK)
		nstats = 0;
	router_features_compute(app->router, "", 0, &f);
	list = xcalloc(app->cfg->nmodels + 1, sizeof *list);
	for (i = 0; i < app->cfg->nmodels; i++) {
		const struct model *m = &app->cfg->models[i];
		struct app_model_info *mi;

		if (!m->enabled)
			continue;
		mi = &list[k++];
		mi->id = xstrdup(m->id);
		mi->provider = xstrdup(m->provider);
		mi->price_in = m->price_in;
		mi->price_out = m->price_out;
		mi->usable = app_model_usable(app, m);
		mi->out = app_is_down(app, m->id, time_wall_ms())
		              ? app_down_reason(app, m->id)
		              : NULL;
		mi->quality = -1;
		mi->uncertainty = -1;
		mi->ttft_ms = 800;
		mi->tokens_per_s = 60;
		for (j = 0; j < router_nmodels(app->router); j++) {
			if (strcmp(router_model_id(app->router, j), m->id) == 0)
				mi->uncertainty =
				    router_uncertainty(app->router, j, &f);
		}
		for (j = 0; j < nstats; j++) {
			if (strcmp(stats[j].model, m->id) != 0)
				continue;
			/* Absorbed: the ratings and the re-asks' lessons. */
			mi->ratings = (int)(stats[j].ratings + stats[j].reasks);
			/* A 429's Retry-After is running (a far one is a day
			 * at most): out of routing too, and said. */
			if (mi->out == NULL && stats[j].has_latency &&
			    stats[j].latency.unavailable_until_ms >
			        time_wall_ms())
				mi->out =
				    router_exclusion_name(ROUTER_RATE_LIMITED);
			if (stats[j].has_latency &&
			    stats[j].latency.samples > 0) {
				mi->ttft_ms = stats[j].latency.ttft_ms;
				mi->ttft_measured = true;
				/* No speed measured yet (replies too short):
				 * the router's default, as it uses it. */
				if (stats[j].latency.tokens_per_s > 0) {
					mi->tokens_per_s =
					    stats[j].latency.tokens_per_s;
					mi->tps_measured = true;
				}
			}
		}
	}
	/* Predicted quality for a neutral prompt, from one decision. */
	if (router_nmodels(app->router) > 0) {
		struct router_context ctx;
		struct router_decision d;

		router_context_init(&ctx, MODE_QUALITY);
		memset(&d, 0, sizeof d);
		if (router_decide_features(app->router, &f, &ctx, &d) ==
		    MC_OK) {
			for (i = 0; i < d.ncandidates; i++)
				for (j = 0; j < k; j++)
					if (strcmp(list[j].id,
					        d.candidates[i].model) == 0)
						list[j].quality =
						    d.candidates[i].quality;
		}
		router_decision_release(&d);
	}
	store_model_stats_free(stats, nstats);
	*out = list;
	*n = k;
	return MC_OK;
}

void
app_models_free(struct app_model_info *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].id);
		free(list[i].provider);
	}
	free(list);
}

/* By last activity, newest first; then by number, highest first. */
static int
cmp_session_recent(const void *a, const void *b)
{
	const struct app_session_info *x = a, *y = b;
	unsigned long long ix = strtoull(x->id, NULL, 10),
	                   iy = strtoull(y->id, NULL, 10);

	if (x->updated_ms != y->updated_ms)
		return x->updated_ms > y->updated_ms ? -1 : 1;
	return ix > iy ? -1 : ix < iy;
}

int
app_sessions(struct app *app, struct app_session_info **out, size_t *n)
{
	return app_sessions_in(app->store, out, n);
}

int
app_sessions_in(struct store *s, struct app_session_info **out, size_t *n)
{
	struct store_session *list = NULL;
	struct app_session_info *res;
	size_t i, count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = store_session_list(s, &list, &count)) != MC_OK)
		return rc;
	res = xcalloc(count + 1, sizeof *res);
	for (i = 0; i < count; i++) {
		const struct store_session *ss = &list[count - 1 - i];

		snprintf(res[i].id, sizeof res[i].id, "%llu",
		    (unsigned long long)ss->id);
		res[i].title = xstrdup(ss->title  ? ss->title
		                       : ss->name ? ss->name
		                                  : "(empty)");
		res[i].name = ss->name != NULL ? xstrdup(ss->name) : NULL;
		res[i].created_ms = ss->created_ms;
		res[i].updated_ms = ss->updated_ms;
		res[i].messages = ss->nmessages;
		/* Named (ask --session NAME, /rename): one the user means
		 * to find again. */
		res[i].one_off = ss->from_cli && ss->name == NULL;
	}
	store_sessions_free(list, count);
	/* The one used last first: the date shown is the last activity. */
	qsort(res, count, sizeof *res, cmp_session_recent);
	*out = res;
	*n = count;
	return MC_OK;
}

/* A message for the input's history: what was asked, and when. */
struct recent {
	char *text;
	int64_t time_ms;
	size_t seq; /* as read: ties keep the order they were written in */
};

static const struct store_session *sort_sessions;

static int
cmp_session_updated(const void *a, const void *b)
{
	const struct store_session *x = &sort_sessions[*(const size_t *)a],
	                           *y = &sort_sessions[*(const size_t *)b];

	if (x->updated_ms != y->updated_ms)
		return x->updated_ms > y->updated_ms ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static int
cmp_recent_newest(const void *a, const void *b)
{
	const struct recent *x = a, *y = b;

	if (x->time_ms != y->time_ms)
		return x->time_ms > y->time_ms ? -1 : 1;
	return x->seq > y->seq ? -1 : x->seq < y->seq;
}

size_t
app_recent_prompts(struct app *app, size_t max, char ***out)
{
	struct store_session *list = NULL;
	struct store_message *msgs;
	struct recent *got = NULL;
	size_t i, j, n = 0, count = 0, cap = 0, nm, *order, nread = 0;
	char **texts;

	if (max == 0 || store_session_list(app->store, &list, &n) != MC_OK)
		n = 0;
	/* Conversations last written first: a message typed into an old
	 * conversation resumed is among the newest. */
	order = xcalloc(n + 1, sizeof *order);
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_sessions = list;
	qsort(order, n, sizeof *order, cmp_session_updated);
	for (i = 0; i < n; i++) {
		const struct store_session *ss = &list[order[i]];

		/* Enough, and no older conversation holds a newer one. */
		if (count >= max && ss->updated_ms < got[max - 1].time_ms)
			break;
		if (ss->from_cli ||
		    store_messages(app->store, ss->id, &msgs, &nm) != MC_OK)
			continue;
		for (j = 0; j < nm; j++)
			if (msgs[j].role == STORE_ROLE_USER &&
			    !msgs[j].from_cli && msgs[j].text != NULL &&
			    msgs[j].text[0] != '\0') {
				got = xgrowarray(
				    got, &cap, count + 1, sizeof *got);
				got[count].time_ms = msgs[j].created_ms;
				got[count].seq = nread++;
				got[count++].text = xstrdup(msgs[j].text);
			}
		store_messages_free(msgs, nm);
		/* Newest first, so that got[max - 1] is the oldest kept. */
		if (count > 1)
			qsort(got, count, sizeof *got, cmp_recent_newest);
		while (count > max)
			free(got[--count].text);
	}
	store_sessions_free(list, n);
	free(order);
	/* Oldest first, as the history is kept. */
	texts = xcalloc(count + 1, sizeof *texts);
	for (i = 0; i < count; i++)
		texts[i] = got[count - 1 - i].text;
	free(got);
	*out = texts;
	return count;
}

void
app_sessions_free(struct app_session_info *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].name);
		free(list[i].title);
	}
	free(list);
}

int
app_session_new(struct app *app, char **cause)
{
	app_clear_conversation(app);
	return MC_OK;
}

/* Whether s holds an ASCII control character (C0 or DEL). */
static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int
app_session_find_in(struct store *s, const char *which, uint64_t *id)
{
	struct app_session_info *list = NULL;
	size_t n = 0, i;
	int rc = MC_ERR_NOTFOUND;

	if (s == NULL)
		return MC_ERR_NOTFOUND;
	if (strcmp(which, "last") != 0)
		return store_session_find(s, which, id);
	/* Listed the one used last first, as /sessions shows them. */
	if (app_sessions_in(s, &list, &n) != MC_OK)
		return MC_ERR_IO;
	for (i = 0; i < n && rc != MC_OK; i++)
		if (!list[i].one_off) {
			*id = strtoull(list[i].id, NULL, 10);
			rc = MC_OK;
		}
	app_sessions_free(list, n);
	return rc;
}

int
app_session_find(struct app *app, const char *which, uint64_t *id)
{
	return app_session_find_in(app->store, which, id);
}

/* What "last" found nothing to go on with says. */
static char *
no_last(void)
{
	return xstrdup("there is no conversation to go on with yet (last is "
	               "the one used last, not a one-off ask: mixchat "
	               "sessions lists them)");
}

static const char *name_refusal(const char *name);

int
app_session_named(struct app *app, const char *name, char **cause)
{
	const char *why;
	uint64_t id;
	int rc;

	rc = app_session_find(app, name, &id);
	if (rc == MC_OK)
		return app_session_resume(app, name, cause);
	if (rc == MC_ERR_NOTFOUND && strcmp(name, "last") == 0) {
		*cause = no_last();
		return MC_ERR_NOTFOUND;
	}
	/* Blanks around a name are a slip (" 5", "notes "): the name without
	 * them, as a shell user meant it. */
	if (rc == MC_ERR_NOTFOUND && *name != '\0' &&
	    (strchr(" \t", name[0]) != NULL ||
	        strchr(" \t", name[strlen(name) - 1]) != NULL)) {
		size_t lead = strspn(name, " \t"), len = strlen(name);
		char *trimmed;

		while (len > lead && strchr(" \t", name[len - 1]) != NULL)
			len--;
		if (len > lead) {
			trimmed = xstrndup(name + lead, len - lead);
			rc = app_session_named(app, trimmed, cause);
			free(trimmed);
			return rc;
		}
	}
	if (rc != MC_ERR_NOTFOUND) {
		*cause = xstrdup(store_strerror(app->store));
		return rc;
	}
	if (strcmp(name, "new") == 0) {
		*cause = xstrdup("'new' is no name for a conversation (mixchat "
		                 "-s new means a new one): without --session, "
		                 "ask starts a new conversation");
		return MC_ERR_USAGE;
	}
	/* A number names the conversation of that number: a conversation
	 * named "18" would later be taken for conversation 18.  A name is
	 * also something a heading can show: not blank, one line. */
	if (*name != '\0' && name[strspn(name, "0123456789")] == '\0') {
		*cause = xasprintf("no conversation %s; a new conversation "
		                   "needs a name that is not a number",
		    name);
		return MC_ERR_USAGE;
	}
	/* The rest of what /rename and `sessions rename` refuse (all, a
	 * message's id, a blank): one rule for a name however it is
	 * given. */
	if ((why = name_refusal(name)) != NULL) {
		*cause = xstrdup(why);
		return MC_ERR_USAGE;
	}
	app_clear_conversation(app);
	app->session_name = xstrdup(name);
	return MC_OK;
}

/* Why name cannot name a conversation, or NULL when it can. */
static const char *
name_refusal(const char *name)
{
	if (*name != '\0' && name[strspn(name, "0123456789")] == '\0')
		return "a conversation's name may not be a number: it would "
		       "be taken for the conversation of that number";
	if (strcmp(name, "last") == 0)
		return "a conversation may not be called 'last': it means the "
		       "one used last (mixchat -s last, ask --session last, "
		       "export last)";
	if (strcmp(name, "new") == 0)
		return "a conversation may not be called 'new': mixchat -s new "
		       "means a new conversation";
	if (strcmp(name, "all") == 0)
		return "a conversation may not be called 'all': /sessions all "
		       "lists every conversation";
	/* "2.5" is a message's id: /sessions 2.5 opens conversation 2 there. */
	{
		size_t a = strspn(name, "0123456789");

		if (a > 0 && name[a] == '.' &&
		    name[a + 1 + strspn(name + a + 1, "0123456789")] == '\0' &&
		    name[a + 1] != '\0')
			return "a conversation's name may not look like a "
			       "message's id (N.M): /sessions N.M opens "
			       "conversation N at message M";
	}
	if (name[strspn(name, " \t")] == '\0' || has_control(name))
		return "a conversation name must not be blank or hold control "
		       "characters";
	return NULL;
}

int
app_session_rename_in(
    struct store *s, uint64_t id, const char *name, char **cause)
{
	const char *why;
	char *trimmed;
	size_t lead = strspn(name, " \t"), len = strlen(name);
	int rc;

	/* Blanks around it are a slip, as for ask --session. */
	while (len > lead && strchr(" \t", name[len - 1]) != NULL)
		len--;
	trimmed = xstrndup(name + lead, len - lead);
	if ((why = name_refusal(trimmed)) != NULL) {
		*cause = xstrdup(why);
		free(trimmed);
		return MC_ERR_USAGE;
	}
	rc = store_session_rename(s, id, trimmed);
	if (rc != MC_OK)
		*cause = xstrdup(store_strerror(s));
	free(trimmed);
	return rc;
}

int
app_session_rename(struct app *app, const char *name, char **cause)
{
	struct store_session ss;
	const char *why;
	int rc;

	/* Nothing stored yet: the conversation takes the name when its
	 * first message makes it, as ask --session NAME names one. */
	if (app->session == 0) {
		uint64_t other;

		if ((why = name_refusal(name)) != NULL) {
			*cause = xstrdup(why);
			return MC_ERR_USAGE;
		}
		if (store_session_find(app->store, name, &other) == MC_OK) {
			*cause = xasprintf(
			    "conversation %llu is called '%s' already",
			    (unsigned long long)other, name);
			return MC_ERR_EXISTS;
		}
		free(app->session_name);
		free(app->session_title);
		app->session_name = xstrdup(name);
		app->session_title = NULL;
		return MC_OK;
	}
	if ((rc = app_session_rename_in(
	         app->store, app->session, name, cause)) != MC_OK)
		return rc;
	if (store_session_get(app->store, app->session, &ss) == MC_OK) {
		free(app->session_name);
		free(app->session_title);
		app->session_name = ss.name ? xstrdup(ss.name) : NULL;
		app->session_title = ss.title ? xstrdup(ss.title) : NULL;
		store_session_release(&ss);
	}
	return MC_OK;
}

/* The prompts of a conversation's replies, for the ratings that outlive
 * it (store_session_delete). */
struct reply_prompts {
	struct store_message *msgs;
	size_t n;
};

/* The text of the message reply seq answered: the one its decision
 * names, else the nearest user message before it (as app_prompt_of). */
static const char *
reply_prompt_of(void *ud, uint32_t seq)
{
	struct reply_prompts *p = ud;
	uint32_t of = 0;
	int reask;
	size_t i, at;

	for (at = 0; at < p->n && p->msgs[at].seq != seq; at++)
		;
	if (at == p->n)
		return NULL;
	(void)format_reply_link(p->msgs[at].decision_json, &of, &reask, NULL);
	for (i = 0; of >= 1 && of < seq && i < at; i++)
		if (p->msgs[i].seq == of && p->msgs[i].role == STORE_ROLE_USER)
			return p->msgs[i].text;
	for (i = at; i-- > 0;)
		if (p->msgs[i].role == STORE_ROLE_USER)
			return p->msgs[i].text;
	return NULL;
}

int
app_session_delete_in(
    struct store *s, uint64_t id, size_t *nmessages, char **cause)
{
	struct reply_prompts p = { .msgs = NULL, .n = 0 };
	struct store_session ss;
	int rc;

	if ((rc = store_session_get(s, id, &ss)) != MC_OK) {
		*cause = rc == MC_ERR_NOTFOUND
		             ? xasprintf("there is no conversation %llu",
		                   (unsigned long long)id)
		             : xstrdup(store_strerror(s));
		return rc;
	}
	rc = store_messages(s, id, &p.msgs, &p.n);
	if (rc == MC_OK)
		rc = store_session_delete(
		    s, id, ss.last_seq, reply_prompt_of, &p, nmessages);
	if (rc != MC_OK)
		*cause = xstrdup(store_strerror(s));
	store_messages_free(p.msgs, p.n);
	store_session_release(&ss);
	return rc;
}

int
app_session_delete(
    struct app *app, const char *which, size_t *nmessages, char **cause)
{
	uint64_t id = app->session;
	int rc;

	if (which != NULL &&
	    store_session_find(app->store, which, &id) != MC_OK) {
		*cause = xasprintf(
		    "no conversation %s (/sessions lists them)", which);
		return MC_ERR_NOTFOUND;
	}
	if (id == 0) {
		*cause = xstrdup("this conversation is not saved yet: "
		                 "there is nothing to delete");
		return MC_ERR_NOTFOUND;
	}
	if (id == app->session && app->inflight != NULL) {
		*cause = xstrdup("a reply is still arriving (Esc cancels it)");
		return MC_ERR_AGAIN;
	}
	if ((rc = app_session_delete_in(app->store, id, nmessages, cause)) !=
	    MC_OK)
		return rc;
	if (id == app->session)
		app_clear_conversation(app);
	return MC_OK;
}

static int app_session_load(struct app *app, uint64_t sid, char **cause);

int
app_session_resume(struct app *app, const char *id, char **cause)
{
	uint64_t sid;
	int rc;

	if (app->inflight != NULL) {
		*cause = xstrdup("a reply is still arriving (Esc cancels it)");
		return MC_ERR_AGAIN;
	}
	rc = app_session_find(app, id, &sid);
	if (rc != MC_OK) {
		*cause = strcmp(id, "last") == 0
		             ? no_last()
		             : xasprintf("no conversation %s (/sessions lists "
		                         "them)",
		                   id);
		return rc;
	}
	return app_session_load(app, sid, cause);
}

int
app_catch_up(struct app *app, size_t *added, char **cause)
{
	struct store_session ss;
	size_t i, known = 0, stored;
	int rc;

	*added = 0;
	if (app->session == 0 || app->inflight != NULL ||
	    store_session_get(app->store, app->session, &ss) != MC_OK)
		return MC_OK;
	stored = ss.nmessages;
	store_session_release(&ss);
	/* The messages this chat holds, counted (not its highest number:
	 * two writers interleave, and one's message may sit below the
	 * other's last): each message once (a re-ask shares its message),
	 * each reply stored. */
	for (i = 0; i < app->nex; i++) {
		if (app->ex[i]->user_seq > 0 && !app->ex[i]->pub.shares_message)
			known++;
		if (app->ex[i]->reply_seq > 0)
			known++;
	}
	if (stored <= known)
		return MC_OK;
	if ((rc = app_session_load(app, app->session, cause)) != MC_OK)
		return rc;
	*added = stored - known;
	return MC_OK;
}

/* The conversation sid, from the store, in place of the one shown. */
static int
app_session_load(struct app *app, uint64_t sid, char **cause)
{
	struct store_message *msgs = NULL;
	struct store_session ss;
	struct exchange *x = NULL;
	cJSON *decision;
	char *dcause = NULL;
	uint32_t reply_to;
	int reask;
	size_t i, n = 0;
	int rc;

	if ((rc = store_messages(app->store, sid, &msgs, &n)) != MC_OK) {
		*cause = xstrdup(store_strerror(app->store));
		return rc;
	}
	app_clear_conversation(app);
	app->session = sid;
	if (store_session_get(app->store, sid, &ss) == MC_OK) {
		app->session_name = ss.name ? xstrdup(ss.name) : NULL;
		app->session_title = ss.title ? xstrdup(ss.title) : NULL;
		store_session_release(&ss);
	}
	for (i = 0; i < n; i++) {
		const struct store_message *m = &msgs[i];

		if (m->role == STORE_ROLE_USER) {
			x = app_new_exchange(app, m->text ? m->text : "");
			x->user_seq = m->seq;
			x->pub.message_stored = true;
			x->pub.state = REPLY_DONE;
			continue;
		}
		if (m->role != STORE_ROLE_ASSISTANT)
			continue;
		decision = NULL;
		if (m->decision_json != NULL &&
		    json_parse(m->decision_json, strlen(m->decision_json),
		        JSON_MAX_DEFAULT, false, "decision", &decision,
		        &dcause) != MC_OK) {
			free(dcause); /* shown as no table, as before */
			dcause = NULL;
			decision = NULL;
		}
		format_reply_link_tree(decision, &reply_to, &reask);
		if (reply_to != 0) {
			/* It names its message: the exchange of that message
			 * if it has no reply yet (two mixchats in one
			 * conversation interleave), else a re-ask of it (an
			 * older one may be re-asked after later turns, a
			 * refused one once the budget allows). */
			struct exchange *of = NULL;
			size_t k;

			for (k = 0; k < app->nex; k++)
				if (app->ex[k]->user_seq == reply_to &&
				    !app->ex[k]->pub.shares_message) {
					of = app->ex[k];
					break;
				}
			if (of != NULL && of->reply_seq == 0)
				x = of;
			else {
				x = app_new_exchange(
				    app, of != NULL ? of->pub.prompt : "");
				x->user_seq = reply_to;
				x->pub.shares_message = true;
				/* Not a re-ask: the first answer of a message
				 * refused before it was sent. */
				x->pub.reask = reask != 0;
			}
		} else if (x == NULL || x->reply_seq != 0) {
			/* Older records: a second reply to the same message
			 * is a re-ask of the one before it. */
			const struct exchange *of = x;

			x = app_new_exchange(
			    app, of != NULL ? of->pub.prompt : "");
			x->user_seq = of != NULL ? of->user_seq : 0;
			x->pub.shares_message = true;
			x->pub.reask = true;
		}
		exchange_restore_decision(x, decision);
		cJSON_Delete(decision);
		if (m->text != NULL)
			app_on_text(x, m->text, strlen(m->text));
		x->pub.model = m->model ? xstrdup(m->model) : NULL;
		/* app_on_text may have cut a stored reply over the limit
		 * and said so: the stored error first, else that. */
		if (m->error != NULL) {
			free(x->pub.error);
			x->pub.error = xstrdup(m->error);
		}
		/* A reply the budget's cap stopped ended well, as it did
		 * live: its error line is the cap's. */
		x->pub.state = x->pub.error == NULL || x->capped ? REPLY_DONE
		                                                 : REPLY_ERROR;
		/* No model and an error: refused before it was sent, as the
		 * chat showed it (app_keep_refused). */
		x->pub.not_sent = x->pub.model == NULL &&
		                  x->pub.error != NULL && x->text.len == 0 &&
		                  m->tokens_out <= 0;
		/* Whether the key was refused is not kept: the table says. */
		if (x->pub.state == REPLY_ERROR && x->pub.model != NULL)
			x->pub.other_can_answer =
			    app_other_can_answer(app, x, false);
		x->pub.cost_usd = m->cost_usd;
		x->pub.ttft_ms = m->ttft_ms;
		x->pub.latency_ms = m->latency_ms;
		x->pub.wait_ms = m->wait_ms;
		x->pub.tokens_in = m->tokens_in;
		x->pub.tokens_out = m->tokens_out;
		x->pub.tokens_estimated = m->tokens_estimated;
		x->pub.rating = m->rating;
		x->reply_seq = m->seq;
		store_reply_id_format(
		    sid, m->seq, x->pub.reply_id, sizeof x->pub.reply_id);
		x->pub.reply = buf_str(&x->text);
		x->pub.reply_len = x->text.len;
	}
	store_messages_free(msgs, n);
	/* A reply whose re-ask already taught its soft lesson (a re-ask
	 * rating of that reply: its id, model and prompt) is not taught it
	 * again. */
	{
		struct store_rating *rl = NULL;
		size_t nr = 0, k;

		if (store_ratings_read(app->store, NULL, &rl, &nr) == MC_OK) {
			for (k = 0; k < nr; k++) {
				if (rl[k].source != STORE_SOURCE_REASK ||
				    rl[k].pending || rl[k].model == NULL ||
				    rl[k].prompt == NULL)
					continue;
				for (i = 0; i < app->nex; i++) {
					struct exchange *e = app->ex[i];

					if (!e->pub.reask &&
					    store_reask_of(&rl[k], e->pub.model,
					        e->pub.prompt,
					        e->pub.reply_id)) {
						e->soft_taught = true;
						e->soft_key_ms = rl[k].key_ms;
					}
				}
			}
			store_ratings_free(rl, nr);
		}
	}
	return MC_OK;
}

bool
app_is_candidate(const struct app *app, const char *model)
{
	size_t i;

	for (i = 0; model != NULL && i < router_nmodels(app->router); i++)
		if (strcmp(router_model_id(app->router, i), model) == 0)
			return true;
	return false;
}

bool
app_retry_wait(const struct app *app, double *left_ms, long *http_status)
{
	return app->inflight != NULL &&
	       net_transfer_waiting(
	           app->inflight->transfer, left_ms, http_status);
}

const char *
app_session_id(const struct app *app)
{
	static char id[24];

	if (app->session == 0)
		return NULL;
	snprintf(id, sizeof id, "%llu", (unsigned long long)app->session);
	return id;
}

const char *
app_session_title(const struct app *app)
{
	if (app->session_title != NULL)
		return app->session_title;
	if (app->session_name != NULL)
		return app->session_name;
	if (app->nex > 0)
		return app->ex[0]->pub.prompt;
	return "new conversation";
}

int
app_search(struct app *app, const char *words,
    const struct app_search_at *after, size_t max, struct app_search_hit **out,
    size_t *n, size_t *total, size_t *newer)
{
	struct store_hit *hits = NULL, from;
	struct store_search_tally tally;
	struct app_search_hit *res;
	struct store_session ss;
	size_t i, count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (after != NULL) {
		memset(&from, 0, sizeof from);
		from.created_ms = after->created_ms;
		from.session = after->session;
		from.seq = after->seq;
	}
	if ((rc = store_search(app->store, words, after != NULL ? &from : NULL,
	         max, &hits, &count, &tally)) != MC_OK)
		return rc;
	if (total != NULL)
		*total = tally.total;
	if (newer != NULL)
		*newer = tally.newer;
	res = xcalloc(count + 1, sizeof *res);
	for (i = 0; i < count; i++) {
		res[i].at.created_ms = hits[i].created_ms;
		res[i].at.session = hits[i].session;
		res[i].at.seq = hits[i].seq;
		store_reply_id_format(hits[i].session, hits[i].seq,
		    res[i].reply_id, sizeof res[i].reply_id);
		res[i].from_user = hits[i].role == STORE_ROLE_USER;
		res[i].snippet =
		    xstrdup(hits[i].snippet ? hits[i].snippet : "");
		if (store_session_get(app->store, hits[i].session, &ss) ==
		    MC_OK) {
			res[i].session_title = xstrdup(ss.title  ? ss.title
			                               : ss.name ? ss.name
			                                         : "");
			store_session_release(&ss);
		} else
			res[i].session_title = xstrdup("");
	}
	store_hits_free(hits, count);
	*out = res;
	*n = count;
	return MC_OK;
}

void
app_search_free(struct app_search_hit *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].session_title);
		free(list[i].snippet);
	}
	free(list);
}

/*
 * Whether the file at path is an earlier Markdown export of the
 * conversation whose export is md: the same title and "Session N ·
 * started TIME" at its head (the message count after them grows).
 */
static bool
export_is_earlier(const char *path, const char *md, size_t len)
{
	static const char sep[] = " \xc2\xb7 "; /* " · " */
	static const char started[] = " \xc2\xb7 started ";
	const char *s = memmem(md, len, "\n\nSession ", 10), *st, *end;
	char head[4096];
	size_t n, want;
	ssize_t got;
	int fd;

	if (s == NULL ||
	    (st = memmem(s, len - (size_t)(s - md), started,
	         sizeof started - 1)) == NULL ||
	    (end = memmem(st + sizeof started - 1,
	         len - (size_t)(st + sizeof started - 1 - md), sep,
	         sizeof sep - 1)) == NULL)
		return false;
	want = (size_t)(end - md);
	if (want > sizeof head)
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	for (n = 0; n < want; n += (size_t)got)
		if ((got = read(fd, head + n, want - n)) <= 0)
			break;
	close(fd);
	return n == want && memcmp(head, md, want) == 0;
}

/*
 * The export written into the named pipe path, for the program reading
 * it.  Never waited on for long (the chat has one thread): opened without
 * waiting (ENXIO: no reader), written without blocking, and given up when
 * the reader takes nothing for EXPORT_PIPE_IDLE_MS, or has not taken it
 * all in EXPORT_PIPE_TOTAL_MS (a reader that takes a little now and then
 * would hold the chat still for as long as it likes).
 */
#define EXPORT_PIPE_IDLE_MS  3000
#define EXPORT_PIPE_TOTAL_MS 8000
static int
export_into_pipe(const char *path, const char *data, size_t len, char **cause)
{
	struct pollfd p;
	size_t done = 0;
	ssize_t n;
	int fd, idle = 0;
	uint64_t start = time_mono_ms();

	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*cause = errno == ENXIO
		             ? xasprintf("%s is a pipe that no program reads "
		                         "now: start its reader first",
		                   path)
		             : xasprintf("%s: %s", path, strerror(errno));
		return MC_ERR_IO;
	}
	while (done < len) {
		n = write(fd, data + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			idle = 0;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			*cause = xasprintf("%s: %s (%zu of %zu bytes taken)",
			    path, strerror(errno), done, len);
			close(fd);
			return MC_ERR_IO;
		}
		if (idle >= EXPORT_PIPE_IDLE_MS) {
			*cause =
			    xasprintf("the program reading %s took nothing "
			              "for %d s: stopped after %zu of %zu "
			              "bytes",
			        path, EXPORT_PIPE_IDLE_MS / 1000, done, len);
			close(fd);
			return MC_ERR_IO;
		}
		if (time_mono_ms() - start >= EXPORT_PIPE_TOTAL_MS) {
			*cause = xasprintf("the program reading %s took too "
			                   "long (%d s, the chat waiting): "
			                   "stopped after %zu of %zu bytes",
			    path, EXPORT_PIPE_TOTAL_MS / 1000, done, len);
			close(fd);
			return MC_ERR_IO;
		}
		p.fd = fd;
		p.events = POLLOUT;
		p.revents = 0;
		if (poll(&p, 1, 100) == 0)
			idle += 100;
	}
	close(fd);
	return MC_OK;
}

int
app_export(struct app *app, const char *path, bool replace, char **written,
    char **cause)
{
	struct store_message *list = NULL;
	struct store_session ss;
	struct buf b;
	const char *home = getenv("HOME");
	char *cwd = NULL;
	size_t n = 0;
	bool existed, json;
	struct stat st;
	mode_t mode = 0600;
	size_t wlen;
	int rc;

	if (app->session == 0 || app->nex == 0) {
		*cause =
		    xstrdup("the conversation is empty: nothing to export");
		return MC_ERR_NOTFOUND;
	}
	buf_init(&b, 256u << 20);
	/* ~/ is the home folder, as in a shell; a bare name lands in the
	 * folder mixchat was started in, said in full. */
	if (path != NULL && strncmp(path, "~/", 2) == 0 && home == NULL) {
		*cause = xstrdup("~/ is the home folder, and HOME is not set: "
		                 "give the whole path");
		buf_release(&b);
		return MC_ERR_USAGE;
	}
	if (path != NULL && strncmp(path, "~/", 2) == 0)
		*written = xasprintf("%s/%s", home, path + 2);
	else if (path != NULL && path[0] == '/')
		*written = xstrdup(path);
	else {
		cwd = getcwd(NULL, 0);
		if (path == NULL)
			*written = xasprintf("%s/mixchat-%llu.md",
			    cwd != NULL ? cwd : ".",
			    (unsigned long long)app->session);
		else
			*written =
			    xasprintf("%s/%s", cwd != NULL ? cwd : ".", path);
		free(cwd);
	}
	/* A link is written through, to the file it names: replacing the
	 * link itself would leave that file as it was. */
	if (lstat(*written, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(*written, NULL);

		if (real == NULL) {
			/* It names nothing (yet): writing would put a file
			 * where the link is, not where it points. */
			*cause = xasprintf("%s is a symbolic link to a file "
			                   "that is not there (%s): give the "
			                   "file's own path",
			    *written, strerror(errno));
			free(*written);
			*written = NULL;
			buf_release(&b);
			return MC_ERR_NOTFOUND;
		}
		free(*written);
		*written = xstrdup(real);
		free(real);
	}
	/* A folder, as cp takes one: the file goes in it, under the name
	 * an export without FILE has (renaming the folder would fail, and
	 * a careful user who names a folder means "put it there"). */
	if (stat(*written, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t len = strlen(*written);
		char *in;

		while (len > 1 && (*written)[len - 1] == '/')
			len--;
		in = xasprintf("%.*s/mixchat-%llu.md", (int)len, *written,
		    (unsigned long long)app->session);
		free(*written);
		*written = in;
	}
	/* What is stored, as `mixchat export` writes it: JSON into a file
	 * named .json (--format json), else Markdown. */
	wlen = strlen(*written);
	json = wlen >= 5 && strcasecmp(*written + wlen - 5, ".json") == 0;
	memset(&ss, 0, sizeof ss);
	if (store_session_get(app->store, app->session, &ss) != MC_OK ||
	    store_messages(app->store, app->session, &list, &n) != MC_OK) {
		*cause = xasprintf("cannot read the conversation: %s",
		    store_strerror(app->store));
		store_session_release(&ss);
		rc = MC_ERR_IO;
		goto fail;
	}
	rc = json ? format_conversation_json(&ss, list, n, &b)
	          : format_conversation_md(&ss, list, n, &b);
	store_messages_free(list, n);
	store_session_release(&ss);
	if (rc != MC_OK) {
		*cause = xstrdup("the conversation is too large to export");
		goto fail;
	}
	/* A named pipe is written into (a program reads it), never
	 * replaced; a device or a socket is nothing to export to: renaming
	 * a file over it would take it away. */
	if (stat(*written, &st) == 0 && !S_ISREG(st.st_mode)) {
		rc = S_ISFIFO(st.st_mode)
		         ? export_into_pipe(*written, b.data, b.len, cause)
		         : MC_ERR_USAGE;
		if (rc == MC_ERR_USAGE)
			*cause = xasprintf("%s is not a file (a device or a "
			                   "socket): give a file's name",
			    *written);
		buf_release(&b);
		if (rc != MC_OK) {
			free(*written);
			*written = NULL;
			return rc;
		}
		{
			char *w = xasprintf("%s (a pipe)", *written);

			free(*written);
			*written = w;
		}
		return MC_OK;
	}
	existed = fs_exists(*written);
	/* Our own name is replaced only when it is an earlier export of
	 * this conversation: another home's conversation of the same
	 * number, or a file the user happens to call so, is kept, and the
	 * export takes the next free name (mixchat-1-2.md). */
	if (existed && path == NULL && !replace &&
	    !export_is_earlier(*written, b.data, b.len)) {
		char *base = xstrndup(*written, strlen(*written) - 3);
		int k;

		for (k = 2; k < 1000; k++) {
			char *next = xasprintf("%s-%d.md", base, k);

			if (!fs_exists(next) ||
			    export_is_earlier(next, b.data, b.len)) {
				free(*written);
				*written = next;
				break;
			}
			free(next);
		}
		free(base);
		if (k == 1000) {
			/* No free name left: the user's file is not the one
			 * to give way. */
			*cause = xasprintf("%s is not an export of this "
			                   "conversation, and mixchat-N-2.md "
			                   "to -999.md are taken: give a FILE",
			    *written);
			free(*written);
			*written = NULL;
			buf_release(&b);
			return MC_ERR_EXISTS;
		}
		existed = fs_exists(*written);
	}
	/* A file the user named is never lost to a slip: replaced only
	 * when asked to (our own name is an earlier export of this; in a
	 * folder the user named, it may be another home's). */
	if (existed && path != NULL && !replace) {
		*cause = xasprintf(
		    "%s is already there: /export! replaces it", *written);
		free(*written);
		*written = NULL;
		buf_release(&b);
		return MC_ERR_EXISTS;
	}
	/* Private like the rest of the data: it holds the conversation; a
	 * file replaced keeps the mode it had. */
	if (existed && stat(*written, &st) == 0)
		mode = st.st_mode & 07777;
	rc = fs_write_atomic(*written, b.data, b.len, mode, cause);
	buf_release(&b);
	if (rc != MC_OK) {
		free(*written);
		*written = NULL;
		return rc;
	}
	if (existed) {
		char *w =
		    xasprintf("%s (it replaced the file there)", *written);

		free(*written);
		*written = w;
	}
	return MC_OK;
fail:
	free(*written);
	*written = NULL;
	buf_release(&b);
	return rc;
}

/*
 * How close id is to a name typed (for a typo's suggestions): the length
 * of their common start, ignoring case, or near's length when id holds
 * near whole; 0 below 3 characters (no more than chance).
 */
static size_t
app_name_closeness(const char *id, const char *near)
{
	size_t k = 0;

	while (id[k] != '\0' && near[k] != '\0' &&
	       tolower((unsigned char)id[k]) == tolower((unsigned char)near[k]))
		k++;
	if (near[0] != '\0' && strstr(id, near) != NULL && strlen(near) > k)
		k = strlen(near);
	return k >= 3 ? k : 0;
}

char *
app_usable_names(
    struct app *app, const char *near, size_t max, const char *ellipsis)
{
	struct app_model_info *m = NULL;
	size_t n = 0, i, shown = 0, *order, *close;
	struct buf b;
	int rc;

	if (app_models(app, &m, &n) != MC_OK)
		return xstrdup("");
	/* The closest to near first, the rest in the catalog's order (a
	 * stable insertion sort: n is the catalog's size). */
	order = xcalloc(n + 1, sizeof *order);
	close = xcalloc(n + 1, sizeof *close);
	for (i = 0; i < n; i++) {
		size_t j = i;

		close[i] = near != NULL ? app_name_closeness(m[i].id, near) : 0;
		while (j > 0 && close[order[j - 1]] < close[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	buf_init(&b, 4096);
	rc = MC_OK;
	for (i = 0; i < n && rc == MC_OK; i++) {
		size_t k = order[i];

		if (!m[k].usable)
			continue;
		if (shown == max) {
			rc = buf_printf(&b, ", %s", ellipsis);
			break;
		}
		rc = buf_printf(&b, "%s%s", shown > 0 ? ", " : "", m[k].id);
		shown++;
	}
	free(order);
	free(close);
	app_models_free(m, n);
	return buf_detach(&b, NULL);
}

/* ------------------------------------------------------------------ */
/* Ratings from the command line and in JSONL. */

/*
 * The user's message that the reply (session, seq) answers: the one its
 * decision names (a re-ask of an older message, app_decision_text), else
 * the nearest one before it.  *prompt is zeroed when there is none;
 * release it either way.
 */
static bool
app_prompt_of(struct store *s, uint64_t session, uint32_t seq,
    struct store_message *prompt)
{
	struct store_message reply;
	uint32_t of = 0, i;
	int reask;

	memset(prompt, 0, sizeof *prompt);
	if (store_message_get(s, session, seq, &reply) == MC_OK) {
		(void)format_reply_link(reply.decision_json, &of, &reask, NULL);
		store_message_release(&reply);
	}
	if (of >= 1 && of < seq) {
		if (store_message_get(s, session, of, prompt) == MC_OK &&
		    prompt->role == STORE_ROLE_USER)
			return true;
		store_message_release(prompt);
		memset(prompt, 0, sizeof *prompt);
	}
	for (i = seq; i > 1; i--) {
		if (store_message_get(s, session, i - 1, prompt) != MC_OK) {
			memset(prompt, 0, sizeof *prompt);
			continue;
		}
		if (prompt->role == STORE_ROLE_USER)
			return true;
		store_message_release(prompt);
		memset(prompt, 0, sizeof *prompt);
	}
	return false;
}

/* Learn from a stored reply: its prompt is the message before it. */
static int
app_rate_stored(struct app *app, uint64_t session, uint32_t seq, int score,
    int source, char **model, int *old_score, char **cause)
{
	struct store_message reply, prompt;
	struct router_features *f;
	char id[STORE_REPLY_ID_MAX];
	int64_t soft_ms;
	size_t i;
	int rc;

	store_reply_id_format(session, seq, id, sizeof id);
	memset(&reply, 0, sizeof reply);
	memset(&prompt, 0, sizeof prompt);
	rc = store_message_get(app->store, session, seq, &reply);
	if (rc == MC_OK && reply.role == STORE_ROLE_USER) {
		/* Your own message: its reply is the next one, most often. */
		store_message_release(&reply);
		*cause = xasprintf("%llu.%u is your message, not a reply (its "
		                   "reply is usually %llu.%u)",
		    (unsigned long long)session, seq,
		    (unsigned long long)session, seq + 1);
		return MC_ERR_USAGE;
	}
	if (rc == MC_OK && reply.role == STORE_ROLE_ASSISTANT &&
	    reply.model == NULL && reply.error != NULL) {
		/* Refused before it was sent (app_keep_refused). */
		store_message_release(&reply);
		*cause =
		    xasprintf("%llu.%u was not sent: no model answered it, "
		              "so there is nothing to rate",
		        (unsigned long long)session, seq);
		return MC_ERR_USAGE;
	}
	if (rc != MC_OK || reply.role != STORE_ROLE_ASSISTANT ||
	    reply.model == NULL) {
		if (rc == MC_OK)
			store_message_release(&reply);
		*cause = xasprintf(
		    "no reply %llu.%u", (unsigned long long)session, seq);
		return MC_ERR_NOTFOUND;
	}
	/* As in the chat (app_rate): an outage is no lesson; an empty
	 * reply the model finished is. */
	if ((reply.text == NULL || reply.text[0] == '\0') &&
	    reply.error != NULL) {
		*cause = xasprintf("%s sent no reply to rate in %llu.%u",
		    reply.model, (unsigned long long)session, seq);
		store_message_release(&reply);
		return MC_ERR_USAGE;
	}
	if (model != NULL)
		*model = NULL;
	if (old_score != NULL)
		*old_score = reply.rating;
	if (reply.rating == score) {
		*cause = xasprintf("reply %llu.%u is already rated %d/5",
		    (unsigned long long)session, seq, score);
		store_message_release(&reply);
		return MC_ERR_EXISTS;
	}
	app_prompt_of(app->store, session, seq, &prompt);
	f = xmalloc(sizeof *f);
	router_features_compute(app->router, prompt.text ? prompt.text : "",
	    prompt.text ? strlen(prompt.text) : 0, f);
	/* As in the chat: a first rating replaces the soft lesson a re-ask
	 * of this reply taught its model. */
	if (reply.rating != 0 || prompt.text == NULL ||
	    store_reask_find(
	        app->store, reply.model, prompt.text, id, &soft_ms) != MC_OK)
		soft_ms = 0;
	rc = app_learn_commit_ex(app, f, session, seq, prompt.text, reply.model,
	    score, reply.rating, source, app_score_quality(score), 1.0, 0, NULL,
	    soft_ms, prompt.text, NULL, cause);
	free(f);
	if (rc == MC_OK) {
		if (model != NULL)
			*model = xstrdup(reply.model);
		for (i = 0; i < app->nex; i++) {
			if (app->session == session &&
			    app->ex[i]->reply_seq == seq) {
				app->ex[i]->pub.rating = score;
				app_changed(app, app->ex[i]);
			}
		}
	}
	store_message_release(&reply);
	store_message_release(&prompt);
	return rc;
}

int
app_rate_id(struct app *app, const char *reply_id, int score, char **model,
    int *old_score, char *reply_id_out, size_t id_size, char **cause)
{
	uint64_t session;
	uint32_t seq;
	int rc;

	if (score < 1 || score > 5) {
		*cause = xasprintf("a rating is 1 to 5, not %d", score);
		return MC_ERR_USAGE;
	}
	if (strcmp(reply_id, "last") == 0) {
		rc = app != NULL ? store_last_reply(app->store, &session, &seq)
		                 : MC_ERR_NOTFOUND;
		if (rc != MC_OK) {
			*cause = xstrdup("there is no reply to rate yet");
			return MC_ERR_NOTFOUND;
		}
	} else if (store_reply_id_parse(reply_id, &session, &seq) != MC_OK) {
		*cause = xasprintf("'%s' is not a reply id (SESSION.SEQ, as "
		                   "`mixchat ask --json` prints, or 'last')",
		    reply_id);
		return MC_ERR_USAGE;
	} else if (app == NULL) {
		*cause = xasprintf(
		    "no reply %llu.%u", (unsigned long long)session, seq);
		return MC_ERR_NOTFOUND;
	}
	rc = app_rate_stored(app, session, seq, score, STORE_SOURCE_CLI, model,
	    old_score, cause);
	if (rc == MC_OK && reply_id_out != NULL)
		store_reply_id_format(session, seq, reply_id_out, id_size);
	return rc;
}

static const char *
app_source_name(int source)
{
	switch (source) {
	case STORE_SOURCE_KEYSTROKE:
		return "keystroke";
	case STORE_SOURCE_REASK:
		return "reask";
	case STORE_SOURCE_IMPORT:
		return "import";
	case STORE_SOURCE_CLI:
		return "cli";
	}
	return "unknown";
}

int
app_ratings_export(
    struct app *app, int fd, size_t *count, size_t *lacking, char **cause)
{
	struct store_rating *list = NULL;
	struct store_message prompt;
	size_t i, n = 0;
	int rc;

	*count = 0;
	*lacking = 0;
	if ((rc = store_ratings_list(app->store, &list, &n)) != MC_OK) {
		*cause = xstrdup(store_strerror(app->store));
		return rc;
	}
	for (i = 0; i < n; i++) {
		cJSON *o;
		char id[STORE_REPLY_ID_MAX], *line;

		/* What the router learned: a corrected rating is not. */
		if (list[i].superseded)
			continue;
		o = cJSON_CreateObject();
		/* A rating tied to no reply (a re-ask's lesson, an import)
		 * has no id, and carries its own prompt. */
		store_reply_id_format(
		    list[i].session, list[i].seq, id, sizeof id);
		if (list[i].session != 0)
			cJSON_AddStringToObject(o, "reply_id", id);
		else if (list[i].origin != NULL &&
		         list[i].source != STORE_SOURCE_REASK)
			/* Imported: the id it has where it was made, so that
			 * its correction there is known as one further on.
			 * (A re-ask's lesson names the reply it re-asked here,
			 * which means nothing elsewhere.) */
			cJSON_AddStringToObject(o, "reply_id", list[i].origin);
		else
			cJSON_AddNullToObject(o, "reply_id");
		cJSON_AddStringToObject(
		    o, "model", list[i].model ? list[i].model : "");
		cJSON_AddNumberToObject(o, "score", list[i].score);
		cJSON_AddStringToObject(
		    o, "source", app_source_name(list[i].source));
		cJSON_AddNumberToObject(o, "time_ms", (double)list[i].time_ms);
		/* The prompt, so another machine can learn from it too. */
		if (app_prompt_of(
		        app->store, list[i].session, list[i].seq, &prompt) &&
		    prompt.text != NULL)
			cJSON_AddStringToObject(o, "prompt", prompt.text);
		else if (list[i].prompt != NULL)
			cJSON_AddStringToObject(o, "prompt", list[i].prompt);
		else {
			store_message_release(&prompt);
			cJSON_Delete(o);
			(*lacking)++;
			continue;
		}
		store_message_release(&prompt);
		line = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		rc = fs_write_all(fd, line, strlen(line));
		if (rc == MC_OK)
			rc = fs_write_all(fd, "\n", 1);
		free(line);
		if (rc != MC_OK) {
			*cause = xasprintf(
			    "writing the ratings failed: %s", strerror(errno));
			break;
		}
		(*count)++;
	}
	store_ratings_free(list, n);
	return rc;
}

/* Whether a JSON text holds a \u0000 escape (not an escaped backslash
 * followed by "u0000"). */
static bool
json_has_nul_escape(const char *s)
{
	const char *p;
	size_t slashes;

	for (p = s; (p = strchr(p, '\\')) != NULL;) {
		for (slashes = 0; p[slashes] == '\\'; slashes++)
			;
		p += slashes;
		if (slashes % 2 == 1 && (*p == 'u' || *p == 'U') &&
		    strncmp(p + 1, "0000", 4) == 0)
			return true;
	}
	return false;
}

/*
 * An import's ratings go to the store APP_IMPORT_BATCH at a time, each lot
 * in one write transaction (store_ratings_commit_many): a transaction, and
 * an fsync, a rating made 10,000 ratings take a minute.  Each rating is
 * learned inside the transaction from its model's state there, as
 * app_learn_commit does, so the states stored are the ones a commit a
 * rating stores; a crash leaves whole lots, never half a rating.
 */
#define APP_IMPORT_BATCH 512
/* And at most this many bytes of prompts and features a lot: a lot of
 * long prompts (up to 1 MiB a line) held the write lock for seconds,
 * and a chat beside it froze meanwhile. */
#define APP_IMPORT_BYTES (4u << 20)

struct import_model {
	const char *model;
	struct buf before; /* its state before the lot (none: not a model the
	                      router holds) */
};

struct import_batch {
	struct app *app;
	struct store_rating list[APP_IMPORT_BATCH];
	const char *models[APP_IMPORT_BATCH];
	struct router_features *f; /* APP_IMPORT_BATCH of them */
	struct {
		double quality, weight, old_quality;
	} item[APP_IMPORT_BATCH];
	size_t n;
	size_t bytes; /* of the lot's prompts and features */
	/* The time stamped on the last line without one: each gets its own
	 * millisecond at once (the store would walk a run of taken keys to
	 * find one, for every line: quadratic). */
	int64_t last_stamp;
	struct import_model *m;
	size_t nm, mcap;
};

/*
 * The lot's learner (store_learner): the router holds each model's state
 * from begin to save, and learns each rating on it as app_learn_in_txn
 * does on the state it loads (a state saved and loaded again is the same
 * state, to the bit).
 */
static int
app_import_begin(void *ud, const char *model, const void *state, size_t len)
{
	struct import_batch *b = ud;
	char *cause = NULL;
	size_t k;
	int rc;

	if (state == NULL) {
		/* None stored: from the state before the lot. */
		for (k = 0; k < b->nm && strcmp(b->m[k].model, model) != 0; k++)
			;
		if (k == b->nm || b->m[k].before.len == 0)
			return MC_ERR_NOTFOUND;
		state = b->m[k].before.data;
		len = b->m[k].before.len;
	}
	rc = router_model_load(b->app->router, model, state, len, &cause);
	free(cause);
	return rc;
}

static int
app_import_learn(void *ud, size_t i)
{
	struct import_batch *b = ud;
	struct router *r = b->app->router;
	const char *model = b->list[i].model;

	return b->item[i].old_quality >= 0
	           ? router_online_correct(r, &b->f[i], model,
	                 b->item[i].old_quality, b->item[i].quality,
	                 b->item[i].weight)
	           : router_online_learn(r, NULL, &b->f[i], model,
	                 b->item[i].quality, b->item[i].weight);
}

static int
app_import_save(void *ud, const char *model, struct buf *out)
{
	struct import_batch *b = ud;

	return router_model_save(b->app->router, model, out);
}

/* A rating into the lot (the prompt's features already in b->f[b->n]). */
static void
app_import_add(struct import_batch *b, const char *prompt, const char *model,
    int score, int old_score, bool reask, int64_t time_ms, const char *origin)
{
	struct store_rating *r = &b->list[b->n];
	size_t k;

	memset(r, 0, sizeof *r);
	r->model = xstrdup(model);
	for (k = 0; k < b->nm && strcmp(b->m[k].model, model) != 0; k++)
		;
	if (k == b->nm) {
		b->m = xgrowarray(b->m, &b->mcap, b->nm + 1, sizeof *b->m);
		memset(&b->m[k], 0, sizeof b->m[k]);
		b->m[k].model = r->model; /* lives as long as the lot */
		buf_init(&b->m[k].before, 64u << 20);
		if (router_model_save(b->app->router, model, &b->m[k].before) !=
		    MC_OK)
			buf_reset(&b->m[k].before);
		b->nm++;
	}
	b->item[b->n].quality = reask ? 0.0 : app_score_quality(score);
	b->item[b->n].weight = reask ? APP_REASK_WEIGHT : 1.0;
	b->item[b->n].old_quality =
	    !reask && old_score > 0 ? app_score_quality(old_score) : -1;
	r->score = score;
	r->source = reask ? STORE_SOURCE_REASK : STORE_SOURCE_IMPORT;
	if (time_ms > 0)
		r->time_ms = time_ms;
	else {
		r->time_ms = time_wall_ms();
		if (r->time_ms <= b->last_stamp)
			r->time_ms = b->last_stamp + 1;
		b->last_stamp = r->time_ms;
	}
	r->features = router_features_pack(&b->f[b->n], &r->nfeatures);
	r->prompt = xstrdup(prompt);
	b->bytes += r->nfeatures * sizeof *r->features + strlen(prompt);
	r->origin = !reask && origin != NULL ? xstrdup(origin) : NULL;
	b->models[b->n] = r->model;
	b->n++;
}

/* A rating imported: counted, with what its model is now. */
static void import_unknown(struct app_import_counts *count, const char *model);

static void
app_import_counted(
    struct app *app, const char *model, struct app_import_counts *count)
{
	count->imported++;
	if (!app_is_candidate(app, model))
		count->not_learned++;
	if (config_find_model(app->cfg, model) == NULL)
		import_unknown(count, model);
}

/* The lot emptied. */
static void
app_import_release(struct import_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		free(b->list[i].model);
		free((float *)(uintptr_t)b->list[i].features);
		free(b->list[i].prompt);
		free(b->list[i].origin);
	}
	for (i = 0; i < b->nm; i++)
		buf_release(&b->m[i].before);
	b->n = b->nm = 0;
	b->bytes = 0;
}

/* The lot committed, counted and emptied (emptied on failure too). */
static int
app_import_flush(
    struct import_batch *b, struct app_import_counts *count, char **cause)
{
	struct store_learner learner = { app_import_begin, app_import_learn,
		app_import_save, b };
	size_t i;
	int rc;

	rc = store_ratings_commit_many(
	    b->app->store, b->list, b->models, b->n, &learner, cause);
	for (i = 0; rc == MC_OK && i < b->n; i++)
		app_import_counted(b->app, b->list[i].model, count);
	app_import_release(b);
	return rc;
}

/*
 * An index of an import's dated ratings (those here, or those this run
 * imported) by time or by the reply id they had where made: a line is
 * looked up, not compared with every rating (10,000 lines made 10^8
 * comparisons).  A bucket lists its ratings in the order added, so the
 * first of equal times wins, as in a walk of them all.
 */
struct import_index {
	size_t mask;
	size_t *head,
	    *tail;    /* a bucket's first and last rating + 1 (0: none) */
	size_t *next; /* a rating's next one in its bucket + 1 */
};

static void
import_index_init(struct import_index *x, size_t n)
{
	size_t nb = 64;

	while (nb < 2 * n)
		nb *= 2;
	x->mask = nb - 1;
	x->head = xcalloc(nb, sizeof *x->head);
	x->tail = xcalloc(nb, sizeof *x->tail);
	x->next = xcalloc(n + 1, sizeof *x->next);
}

static void
import_index_add(struct import_index *x, uint64_t h, size_t k)
{
	size_t b = h & x->mask;

	x->next[k] = 0;
	if (x->tail[b] == 0)
		x->head[b] = k + 1;
	else
		x->next[x->tail[b] - 1] = k + 1;
	x->tail[b] = k + 1;
}

/* The first rating + 1 in h's bucket (0: none); then x->next[k]. */
static size_t
import_index_first(const struct import_index *x, uint64_t h)
{
	return x->head[h & x->mask];
}

static void
import_index_free(struct import_index *x)
{
	free(x->head);
	free(x->tail);
	free(x->next);
}

static uint64_t
import_hash_time(int64_t t)
{
	uint64_t h = (uint64_t)t * 0x9e3779b97f4a7c15u;

	return h ^ (h >> 29);
}

static uint64_t
import_hash_str(const char *s)
{
	uint64_t h = 14695981039346656037u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* One more imported rating for a model nothing names: counted, and its
 * name kept when it is a new one and there is room (else more said). */
static void
import_unknown(struct app_import_counts *count, const char *model)
{
	size_t i;

	count->unknown++;
	for (i = 0; i < count->unknown_names; i++)
		if (strncmp(count->unknown_model[i], model,
		        sizeof count->unknown_model[i] - 1) == 0)
			return;
	if (count->unknown_names == APP_IMPORT_NAMES) {
		count->unknown_more = true;
		return;
	}
	snprintf(count->unknown_model[count->unknown_names++],
	    sizeof count->unknown_model[0], "%s", model);
}

/* The fields of a rating's line, as ratings export writes them. */
static const char *const import_fields[] = { "reply_id", "model", "score",
	"source", "time_ms", "prompt" };
#define IMPORT_NFIELDS (sizeof import_fields / sizeof import_fields[0])

/* The first field of line o that a rating does not have, or NULL. */
static const char *
import_odd_field(const cJSON *o)
{
	const cJSON *t;
	size_t i;

	for (t = o->child; t != NULL; t = t->next) {
		for (i = 0; i < IMPORT_NFIELDS; i++)
			if (strcmp(t->string, import_fields[i]) == 0)
				break;
		if (i == IMPORT_NFIELDS)
			return t->string;
	}
	return NULL;
}

/* Whether s may be shown as a field's name: short, UTF-8, no control
 * characters (a file can hold anything). */
static bool
import_showable(const char *s)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return n > 0 && n < 40 && utf8_valid(s, n);
}

/* A hint for a line without field: the line's field that is likely a
 * slip for it, as " (the line has \"scroe\": a typo?)", or "". */
static char *
import_typo_hint(const cJSON *o, const char *field)
{
	const cJSON *t;

	if (cJSON_GetObjectItemCaseSensitive(o, field) != NULL)
		return xstrdup(""); /* there, only wrong */
	for (t = o->child; t != NULL; t = t->next)
		if (import_showable(t->string) &&
		    suggest_name_nocase(t->string, &field, 1) != NULL)
			return xasprintf(
			    " (the line has \"%s\": a typo?)", t->string);
	return xstrdup("");
}

int
app_ratings_import(struct app *app, const char *path,
    struct app_import_counts *count, app_progress_fn progress, void *ud,
    char **cause)
{
	struct import_batch *batch;
	struct import_index have_t, have_o, seen_t, seen_o;
	struct buf b;
	struct router_features *f;
	struct store_rating *have = NULL;
	/* The dated lines imported by this run: a line repeated in the
	 * file is a duplicate too. */
	struct seen {
		int64_t time_ms;
		int score;
		char *model, *prompt, *origin;
	} *seen = NULL;
	size_t nseen = 0, seencap = 0;
	const char *p, *end, *nl;
	char *name;
	size_t lineno, nhave = 0, j, k, lines = 0, done = 0;
	int rc = MC_OK, pass;

	memset(count, 0, sizeof *count);
	buf_init(&b, 256u << 20);
	if ((rc = fs_read_file(path, &b, cause)) != MC_OK) {
		buf_release(&b);
		return rc;
	}
	/* What is here already: a line that repeats one (the same file
	 * imported twice) is skipped, not counted twice. */
	if (store_ratings_list(app->store, &have, &nhave) != MC_OK) {
		have = NULL;
		nhave = 0;
	}
	import_index_init(&have_t, nhave);
	import_index_init(&have_o, nhave);
	for (k = 0; k < nhave; k++) {
		import_index_add(&have_t, import_hash_time(have[k].time_ms), k);
		if (have[k].origin != NULL &&
		    have[k].source != STORE_SOURCE_REASK)
			import_index_add(
			    &have_o, import_hash_str(have[k].origin), k);
	}
	memset(&seen_t, 0, sizeof seen_t);
	memset(&seen_o, 0, sizeof seen_o);
	name = xstrdup(strcmp(path, "-") == 0 ? "standard input" : path);
	f = xmalloc(sizeof *f);
	batch = xcalloc(1, sizeof *batch);
	batch->app = app;
	batch->f = xmalloc(APP_IMPORT_BATCH * sizeof *batch->f);
	/* Pass 0 checks every line, pass 1 imports: a bad line anywhere
	 * imports nothing, so the file fixed and imported again counts
	 * each rating once (an undated one could not be recognised). */
	for (pass = 0; pass < 2 && rc == MC_OK; pass++) {
		if (pass == 1) {
			/* Of the lines imported, at most every one. */
			import_index_init(&seen_t, lines);
			import_index_init(&seen_o, lines);
			if (progress != NULL && lines > 0)
				progress(ud, 0, lines);
		}
		p = b.data != NULL ? b.data : "";
		end = p + b.len;
		for (lineno = 1; rc == MC_OK && p < end;
		     lineno++, p = nl < end ? nl + 1 : end) {
			cJSON *o = NULL;
			const cJSON *t;
			const char *model = NULL, *prompt = NULL,
			           *source = NULL, *origin = NULL;
			int old_score = 0;
			double when = 0, score = -1;
			char *where, *line;
			bool dup = false;

			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			line = xstrndup(p, (size_t)(nl - p));
			/* Blank: its every byte (a NUL is not blank). */
			if (strspn(line, " \t\r") == (size_t)(nl - p)) {
				free(line);
				continue;
			}
			where = xasprintf("%s:%zu", name, lineno);
			/* Its every byte: a NUL in it is named (json_parse),
			 * not the end of the line. */
			rc = json_parse(p, (size_t)(nl - p), 1u << 20, false,
			    where, &o, cause);
			/* Too large is a bad line like any other (exit 2). */
			if (rc == MC_ERR_LIMIT)
				rc = MC_ERR_PARSE;
			/* cJSON ends a string at an escaped NUL: the prompt
			 * would be cut short unseen. */
			if (rc == MC_OK && json_has_nul_escape(line)) {
				*cause = xasprintf(
				    "%s: a \\u0000 (NUL) in a "
				    "string: a prompt cannot hold one",
				    where);
				rc = MC_ERR_PARSE;
			}
			free(line);
			if (rc == MC_OK && !cJSON_IsObject(o)) {
				*cause =
				    xasprintf("%s: not a JSON object", where);
				rc = MC_ERR_PARSE;
			}
			if (rc == MC_OK && pass == 0) {
				const char *odd = import_odd_field(o);

				if (odd != NULL && count->odd_lines++ == 0) {
					count->odd_line = lineno;
					snprintf(count->odd_field,
					    sizeof count->odd_field, "%s",
					    import_showable(odd) ? odd : "");
					count->odd_near = suggest_name_nocase(
					    odd, import_fields, IMPORT_NFIELDS);
				}
			}
			if (rc == MC_OK) {
				model = json_get_string(o, "model");
				prompt = json_get_string(o, "prompt");
				source = json_get_string(o, "source");
				origin = json_get_string(o, "reply_id");
				t = cJSON_GetObjectItemCaseSensitive(
				    o, "reply_id");
				score = json_get_number(o, "score", -1);
				when = json_get_number(o, "time_ms", 0);
				if (t != NULL && !cJSON_IsNull(t) &&
				    (origin == NULL || *origin == '\0' ||
				        strlen(origin) >= STORE_REPLY_ID_MAX)) {
					*cause =
					    xasprintf("%s: reply_id: "
					              "expected the reply's "
					              "id, or null",
					        where);
					rc = MC_ERR_PARSE;
				}
				t = cJSON_GetObjectItemCaseSensitive(
				    o, "time_ms");
				if (rc != MC_OK)
					;
				else if (t != NULL && !cJSON_IsNumber(t) &&
				         !cJSON_IsNull(t)) {
					*cause =
					    xasprintf("%s: time_ms: "
					              "expected a number "
					              "(milliseconds since "
					              "1970)",
					        where);
					rc = MC_ERR_PARSE;
				} else if (source != NULL &&
				           strcmp(source, "keystroke") != 0 &&
				           strcmp(source, "cli") != 0 &&
				           strcmp(source, "import") != 0 &&
				           strcmp(source, "reask") != 0) {
					*cause =
					    xasprintf("%s: source: "
					              "expected keystroke, "
					              "cli, import or reask",
					        where);
					rc = MC_ERR_PARSE;
				} else if (when < 0 || when > 4102444800000.0 ||
				           when != floor(when)) {
					*cause = xasprintf("%s: time_ms: "
					                   "expected "
					                   "milliseconds since "
					                   "1970",
					    where);
					rc = MC_ERR_PARSE;
				} else if (model == NULL || *model == '\0' ||
				           strlen(model) > STORE_MODEL_MAX ||
				           !utf8_valid(model, strlen(model))) {
					char *hint =
					    import_typo_hint(o, "model");

					*cause =
					    xasprintf("%s: model: expected "
					              "the id of the model "
					              "rated (1 to %d bytes)%s",
					        where, STORE_MODEL_MAX, hint);
					free(hint);
					rc = MC_ERR_PARSE;
				} else if (score < 1 || score > 5 ||
				           score != floor(score)) {
					char *hint =
					    import_typo_hint(o, "score");

					*cause =
					    xasprintf("%s: score: expected "
					              "a whole number 1 to 5%s",
					        where, hint);
					free(hint);
					rc = MC_ERR_PARSE;
				} else if (prompt == NULL ||
				           strlen(prompt) > STORE_TEXT_MAX) {
					char *hint =
					    import_typo_hint(o, "prompt");

					*cause =
					    xasprintf("%s: prompt: expected "
					              "the text of the rated "
					              "prompt%s",
					        where, hint);
					free(hint);
					rc = MC_ERR_PARSE;
				} else if (!utf8_valid(
				               prompt, strlen(prompt))) {
					/* As `ask` refuses it: an export
					 * would write it as bad JSON. */
					*cause =
					    xasprintf("%s: prompt: not "
					              "valid UTF-8 (convert "
					              "the file to UTF-8)",
					        where);
					rc = MC_ERR_PARSE;
				}
			}
			/* Pass 0 only checks: what is here matters to pass 1. */
			if (rc == MC_OK && pass == 0) {
				lines++;
				cJSON_Delete(o);
				free(where);
				continue;
			}
			for (j = rc == MC_OK && when > 0
			             ? import_index_first(&have_t,
			                   import_hash_time((int64_t)when))
			             : 0;
			     !dup && j != 0; j = have_t.next[j - 1]) {
				k = j - 1;
				dup =
				    have[k].time_ms == (int64_t)when &&
				    have[k].score == (int)score &&
				    have[k].model != NULL &&
				    strcmp(have[k].model, model) == 0 &&
				    /* Its prompt, when the record keeps one. */
				    (have[k].prompt == NULL ||
				        strcmp(have[k].prompt, prompt) == 0);
			}
			for (j = rc == MC_OK && when > 0
			             ? import_index_first(&seen_t,
			                   import_hash_time((int64_t)when))
			             : 0;
			     !dup && j != 0; j = seen_t.next[j - 1]) {
				k = j - 1;
				dup = seen[k].time_ms == (int64_t)when &&
				      seen[k].score == (int)score &&
				      strcmp(seen[k].model, model) == 0 &&
				      strcmp(seen[k].prompt, prompt) == 0;
			}
			/* The same reply rated elsewhere (its id there, its
			 * model and prompt), imported before: a later rating is
			 * its correction there, an earlier one is already
			 * replaced. */
			if (rc == MC_OK && !dup && origin != NULL && when > 0 &&
			    (source == NULL || strcmp(source, "reask") != 0)) {
				uint64_t h = import_hash_str(origin);
				int64_t last = -1;

				for (j = import_index_first(&have_o, h); j != 0;
				     j = have_o.next[j - 1]) {
					k = j - 1;
					if (have[k].session == 0 &&
					    have[k].origin != NULL &&
					    have[k].time_ms > last &&
					    strcmp(have[k].origin, origin) ==
					        0 &&
					    have[k].model != NULL &&
					    strcmp(have[k].model, model) == 0 &&
					    have[k].prompt != NULL &&
					    strcmp(have[k].prompt, prompt) ==
					        0) {
						last = have[k].time_ms;
						old_score = have[k].score;
					}
				}
				for (j = import_index_first(&seen_o, h); j != 0;
				     j = seen_o.next[j - 1]) {
					k = j - 1;
					if (seen[k].origin != NULL &&
					    seen[k].time_ms > last &&
					    strcmp(seen[k].origin, origin) ==
					        0 &&
					    strcmp(seen[k].model, model) == 0 &&
					    strcmp(seen[k].prompt, prompt) ==
					        0) {
						last = seen[k].time_ms;
						old_score = seen[k].score;
					}
				}
				if (last >= (int64_t)when)
					dup = true; /* this or a later one */
				else if (last < 0)
					old_score = 0;
			}
			if (rc == MC_OK && dup)
				count->duplicates++;
			if (rc == MC_OK && !dup) {
				/* A re-ask's soft lesson stays one. */
				bool reask = source != NULL &&
				             strcmp(source, "reask") == 0;

				if (app->memory_ready) {
					/* The memory learns each one live: a
					 * commit a rating. */
					router_features_compute(app->router,
					    prompt, strlen(prompt), f);
					rc = app_learn_commit(app, f, 0, 0,
					    prompt, model, (int)score,
					    reask ? 0 : old_score,
					    reask ? STORE_SOURCE_REASK
					          : STORE_SOURCE_IMPORT,
					    reask
					        ? 0.0
					        : app_score_quality((int)score),
					    reask ? APP_REASK_WEIGHT : 1.0,
					    (int64_t)when,
					    reask ? NULL : origin, cause);
					if (rc == MC_OK)
						app_import_counted(
						    app, model, count);
				} else {
					router_features_compute(app->router,
					    prompt, strlen(prompt),
					    &batch->f[batch->n]);
					app_import_add(batch, prompt, model,
					    (int)score, old_score, reask,
					    (int64_t)when, origin);
				}
				if (rc == MC_OK && when > 0) {
					seen = xgrowarray(seen, &seencap,
					    nseen + 1, sizeof *seen);
					seen[nseen].time_ms = (int64_t)when;
					seen[nseen].score = (int)score;
					seen[nseen].origin =
					    origin != NULL ? xstrdup(origin)
					                   : NULL;
					seen[nseen].prompt = xstrdup(prompt);
					seen[nseen].model = xstrdup(model);
					import_index_add(&seen_t,
					    import_hash_time((int64_t)when),
					    nseen);
					if (origin != NULL)
						import_index_add(&seen_o,
						    import_hash_str(origin),
						    nseen);
					nseen++;
				}
			}
			if (rc == MC_OK)
				done++;
			if (rc == MC_OK &&
			    (batch->n == APP_IMPORT_BATCH ||
			        batch->bytes >= APP_IMPORT_BYTES ||
			        done == lines)) {
				rc = app_import_flush(batch, count, cause);
				if (rc == MC_OK && progress != NULL)
					progress(ud, done, lines);
			}
			cJSON_Delete(o);
			free(where);
		}
	}
	app_import_release(batch); /* an error: the lot is not committed */
	import_index_free(&have_t);
	import_index_free(&have_o);
	import_index_free(&seen_t);
	import_index_free(&seen_o);
	free(batch->f);
	free(batch->m);
	free(batch);
	for (k = 0; k < nseen; k++) {
		free(seen[k].model);
		free(seen[k].prompt);
		free(seen[k].origin);
	}
	free(seen);
	store_ratings_free(have, nhave);
	free(f);
	free(name);
	buf_release(&b);
	return rc;
}
