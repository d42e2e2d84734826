/*
 * app.h - the conversation controller: route, send, stream, record, learn.
 *
 * The app owns one conversation (a session in the store) as a list of
 * exchanges: a user's message and the reply to it.  app_send() asks the
 * router for a model, records the message, and starts the transfer; as text
 * arrives the exchange grows and the `changed` hook fires; when it ends the
 * reply, its cost and latency and the router's decision are committed to
 * the store in one transaction.  app_rate() turns a keystroke into a
 * quality label, teaches the router, and commits the rating together with
 * the router state it changed.
 *
 * The app knows no curses: the chat screen (src/ui) and `mixchat ask`
 * (src/cli) both drive it.  One thread: the caller's loop calls app_wait()
 * (which also wakes for the caller's own file descriptors: the terminal, a
 * signal pipe) and then app_process().
 */
#ifndef MIXCHAT_APP_H
#define MIXCHAT_APP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/error.h"

struct app;
struct secret;

enum app_reply_state {
	REPLY_PENDING,   /* routed, waiting for the first token */
	REPLY_STREAMING, /* text is arriving */
	REPLY_DONE,      /* finished and stored */
	REPLY_ERROR,     /* ended with an error line (text so far kept) */
	REPLY_CANCELLED, /* the user pressed Esc (text so far kept) */
};

/* One row of the router's table (/why, `route --explain`). */
struct app_candidate {
	char *model;
	double quality;     /* predicted, 0..1 */
	double cost_usd;    /* predicted */
	double latency_ms;  /* predicted */
	double uncertainty; /* LinUCB width */
	double score;
	char *excluded; /* why it was not a candidate, or NULL */
};

/* A user's message and the reply to it. */
struct app_exchange {
	char *prompt;
	const char *reply; /* text so far, valid UTF-8, never NULL */
	size_t reply_len;
	char *model; /* who answered (or is answering); NULL before routing */
	enum app_reply_state state;
	char *error; /* the error line, or NULL */
	double cost_usd;
	double ttft_ms;    /* from the attempt that answered */
	double latency_ms; /* all of it, retry waits included */
	double wait_ms;    /* waiting to retry (429, 5xx) before that attempt */
	int tokens_in;
	int tokens_out;
	bool tokens_estimated;
	int rating;  /* 0 = not rated, else 1..5 */
	bool pinned; /* the model was chosen with /model or --model */
	/* Asked again with the next-best model: a model was asked this
	 * message before (not the first answer of a message refused before
	 * it was sent, which no model was asked). */
	bool reask;
	/* Its message is an earlier exchange's (a re-ask, or the answer of
	 * a message refused before it was sent): counted and drawn once. */
	bool shares_message;
	/* Failed, and another candidate could answer: not one behind the
	 * same refused key (a 401 or 403 of a provider they share). */
	bool other_can_answer;
	/* Refused before it was sent (nothing fits the budget, no model set
	 * up, the vault locked): no model was asked, nothing was spent.  In
	 * the chat it is stored all the same (the message and a reply record
	 * with no model and the error line); model may name the pinned or
	 * routed one that was not asked. */
	bool not_sent;
	/* The message is in the store (a re-ask's: its first asking's). */
	bool message_stored;
	char reply_id[32]; /* "SESSION.SEQ" once stored, else "" */
	struct app_candidate *candidates;
	size_t ncandidates;
	int winner;       /* index into candidates, -1 when pinned/none */
	double lambda;    /* the router's willingness to pay (USD/quality) */
	uint64_t version; /* bumped on every change (for redraw caches) */
};

struct app_hooks {
	/* An exchange changed: text arrived, it finished, it was rated. */
	void (*changed)(void *ud, size_t index);
	/* A one-line message for the user (warnings, budget at 80 %, ...). */
	void (*notice)(void *ud, const char *message);
};

/* Models as /models shows them. */
struct app_model_info {
	char *id;
	char *provider;
	double price_in, price_out; /* USD per 1M tokens */
	double quality;             /* the router's current mean estimate */
	double uncertainty;
	int ratings;    /* ratings absorbed */
	double ttft_ms; /* measured (or the default estimate) */
	double tokens_per_s;
	bool ttft_measured, tps_measured; /* false: the router's default */
	bool usable;                      /* provider has a key or needs none */
	const char *out; /* why it sits out of routing now (app_down_*), as
			    /why's table names it, or NULL */
};

/* app_model_info.out of a model whose provider refused the key (401):
 * every model of that provider is out for it. */
#define APP_OUT_KEY_REFUSED "key refused"
/* The same from a server that takes no key: its access settings. */
#define APP_OUT_ACCESS_REFUSED "access refused"

struct app_session_info {
	char id[24];
	char *name;  /* given with ask --session or /rename, or NULL */
	char *title; /* the name, else its first message's first line */
	int64_t created_ms;
	int64_t updated_ms;
	size_t messages;
	/* Made by `mixchat ask` without --session and never written into
	 * otherwise: /sessions folds these into one line. */
	bool one_off;
};

/* Where a hit is in a search's order (newest first): the next page of
 * /search starts after the last hit shown. */
struct app_search_at {
	int64_t created_ms;
	uint64_t session;
	uint32_t seq;
};

struct app_search_hit {
	char reply_id[32]; /* "SESSION.SEQ" of the message */
	char *session_title;
	bool from_user;
	char *snippet;
	struct app_search_at at;
};

/*
 * app_open: the controller for cfg (which must outlive it): opens the store
 * in cfg->data_dir, loads the router's learned state and the names of the
 * providers in the vault.  Does not ask for the passphrase (app_unlock).
 * hooks (may be NULL) are called from app_process().
 */
int app_open(const struct config *cfg, const struct app_hooks *hooks, void *ud,
    struct app **out, char **cause) MC_WUR;
/*
 * app_open_reader: the same for a command that stores nothing (`route`):
 * when nothing is stored yet (no database in the data folder) it opens
 * no store and creates no folder; the router then has the built-in priors
 * (or router.state) and nothing learned, spent, timed or refused.  Only
 * deciding (app_explain) is for such an app.
 */
int app_open_reader(const struct config *cfg, const struct app_hooks *hooks,
    void *ud, struct app **out, char **cause) MC_WUR;
/*
 * app_open_lazy: as app_open_reader, for a command that stores only once
 * it sends (`ask`): with nothing stored yet, the store and its folders
 * are made by app_send once a model is chosen, so that a command that
 * fails before (a usage error, no model set up) creates nothing.
 */
int app_open_lazy(const struct config *cfg, const struct app_hooks *hooks,
    void *ud, struct app **out, char **cause) MC_WUR;
/*
 * app_config_model_usable: whether model m of cfg can be asked: enabled,
 * and its provider needs no key (and the user set it up) or has one among
 * the vault's provider names.
 */
struct model;
bool app_config_model_usable(const struct config *cfg, char *const *vault_names,
    size_t nnames, const struct model *m);
/*
 * app_router_load: load into r what app_open loads: cfg's router.state
 * (notice, may be NULL, hears when it is not used), every usable model from
 * its prior or price tier and, with learned, the states the store keeps.
 * A model whose stored state is missing or cannot be used (made under
 * another tag set, after `mixchat train` changed router.state; damaged)
 * while it has learned ratings is learned again from them, each on its
 * prompt's features under r (notice says so); with save, its new state
 * is stored.  Returns the number of usable models.  `mixchat stats`
 * builds the chat's router with it.
 */
struct router;
struct store;
size_t app_router_load(struct router *r, const struct config *cfg,
    struct store *s, char *const *vault_names, size_t nnames, bool learned,
    bool save, void (*notice)(void *ud, const char *message), void *ud);
/*
 * app_rebuild_memory: teach m every rating the store s keeps, in the order
 * they were made, each against r's prediction for its prompt: how
 * app_open restores what the ratings taught (`mixchat stats` does the
 * same to show it).
 */
struct router_features;
struct router_memory;
struct store_rating;
void app_rebuild_memory(
    const struct router *r, struct router_memory *m, struct store *s);
/* app_predicted_quality: r's own prediction (without the memory) of
 * model's quality for f; < 0 when model is not a candidate. */
double app_predicted_quality(
    const struct router *r, const struct router_features *f, const char *model);
/* app_rating_quality: the quality label a rating teaches (0..1; a re-ask
 * is 0, learned at a lower weight). */
double app_rating_quality(const struct store_rating *r);
/* app_prepare: build now what the first decision needs (the memory of
 * rated prompts: up to half a second with many ratings), while nobody
 * waits for a reply; else the first message pays for it.  `rate`,
 * `ratings` and `stats` never need it and never call this. */
void app_prepare(struct app *app);
/* app_close: cancel what is in flight and free everything (NULL is ok). */
void app_close(struct app *app);

/* app_retry_wait: whether the reply in flight waits to retry (a 429 or a
 * 5xx), how long yet and for which HTTP status (for the status bar). */
bool app_retry_wait(const struct app *app, double *left_ms, long *http_status);

/* app_needs_unlock: whether a usable provider's key is in the vault (with
 * a model pinned, whether that model's provider needs one). */
bool app_needs_unlock(const struct app *app);
/*
 * app_wanted_key: the provider of a model config.json names (enabled)
 * whose key is not in the vault, or NULL: the key to add first.
 */
const char *app_wanted_key(const struct app *app);
/*
 * app_idle_keys: the providers whose key is in the vault but which no
 * enabled model names (OpenRouter, whose models the user names), as one
 * ", "-separated string (caller frees), or NULL when there is none.
 */
char *app_idle_keys(const struct app *app);
/* app_unlock: open the vault with the passphrase (3: wrong passphrase). */
int app_unlock(
    struct app *app, const struct secret *passphrase, char **cause) MC_WUR;
/*
 * app_vault_problem: why the vault that exists cannot be used (unsafe
 * permissions, damaged, unknown version: vault_list_names' message), or
 * NULL when it can or there is none.  Owned by app.
 */
const char *app_vault_problem(const struct app *app);
/*
 * app_keyless_models: how many usable models need no key (a local
 * server): what can answer with the vault locked (with a model pinned,
 * 1 when that one needs none).
 */
size_t app_keyless_models(const struct app *app);
/*
 * app_keep_locked: go on without the vault (the user gave no passphrase):
 * only the models that need no key are candidates; a notice says so.
 */
void app_keep_locked(struct app *app);
/* app_usable_models: how many models can be asked (0: nothing set up). */
size_t app_usable_models(const struct app *app);

/* The conversation: exchanges 0..count-1, oldest first. */
size_t app_count(const struct app *app);
const struct app_exchange *app_get(const struct app *app, size_t index);

/*
 * app_send: route text (or use the pinned model) and start the reply.
 * First, when the vault file changed since it was read (keys added,
 * rotated or removed by another mixchat), its keys as they are now are
 * taken in (app_reask does the same); a notice says so.
 */
int app_send(struct app *app, const char *text, char **cause) MC_WUR;
/*
 * app_explain: route text as app_send would, without sending or recording
 * anything (`mixchat route`).  *out is a new exchange outside the
 * conversation, with model (NULL when nothing fits), candidates and winner;
 * free it with app_explain_free().  A budget or empty-router error is
 * returned with *cause and *out still filled when it was routed.
 */
int app_explain(struct app *app, const char *text, struct app_exchange **out,
    char **cause) MC_WUR;
void app_explain_free(struct app_exchange *ex);
/*
 * app_explain_tags: the router's tag probabilities for a routed exchange:
 * up to max (name, p) pairs, names owned by the app; returns how many.
 */
size_t app_explain_tags(const struct app *app, const struct app_exchange *ex,
    const char **names, double *p, size_t max);
/*
 * app_route_fallback: when no model is usable (no key, no local server),
 * let the router consider the models named in config.json, else the whole
 * catalog, so `mixchat route` can show what it would do.  Returns a
 * sentence saying which (static), or NULL when models were usable.
 */
const char *app_route_fallback(struct app *app);

/*
 * app_refused_for_good: whether exchange index failed, before any text,
 * in a way that asking its model again would meet again (a refused key,
 * a model the provider forbids or lacks): its model now sits out for the
 * session.  `ask` then asks the next-best model at once.
 */
bool app_refused_for_good(const struct app *app, size_t index);
/* app_find_message: the exchange holding the message seq of the open
 * conversation (its reply, or its message's first asking); -1 if none. */
long app_find_message(const struct app *app, uint32_t seq);
/* app_reask: ask exchange index again with the next-best model. */
int app_reask(struct app *app, size_t index, char **cause) MC_WUR;
/* app_cancel: stop the reply in flight; false when none was. */
bool app_cancel(struct app *app);
/* app_busy: whether a reply is in flight. */
bool app_busy(const struct app *app);
/* app_rate: rate exchange index 1..5: learned and committed on return. */
int app_rate(struct app *app, size_t index, int score, char **cause) MC_WUR;

/* Budget mode (F2), the pinned model (/model NAME | auto), spend. */
void app_set_budget_mode(struct app *app, bool on);
bool app_budget_mode(const struct app *app);
int app_pin_model(struct app *app, const char *model, char **cause) MC_WUR;
const char *app_pinned_model(const struct app *app);
double app_spend_today(const struct app *app);
double app_daily_budget(const struct app *app);
const char *app_mode_name(const struct app *app);

/* The event loop: wait for the network or any of extra, then process. */
int app_wait(
    struct app *app, struct pollfd *extra, unsigned nextra, int timeout_ms);
void app_process(struct app *app);

/* /models: every enabled model; free with app_models_free. */
int app_models(struct app *app, struct app_model_info **out, size_t *n) MC_WUR;
void app_models_free(struct app_model_info *list, size_t n);

/* Sessions: list (last used first), start a new one, resume one.
 * app_sessions_in: the list of store s (`mixchat sessions`). */
int app_sessions(
    struct app *app, struct app_session_info **out, size_t *n) MC_WUR;
int app_sessions_in(
    struct store *s, struct app_session_info **out, size_t *n) MC_WUR;
void app_sessions_free(struct app_session_info *list, size_t n);
/*
 * app_recent_prompts: the user's last max messages over the saved
 * conversations (the newest conversations first, until max), oldest
 * first: what Up recalls in a new chat.  Those `mixchat ask` sent are left
 * out: a script's hundred prompts would push out what was typed here.
 * Free each and the array.
 */
size_t app_recent_prompts(struct app *app, size_t max, char ***out);
int app_session_new(struct app *app, char **cause) MC_WUR;
/*
 * app_session_find_in: the conversation which names in store s (NULL:
 * nothing stored yet) into *id: its number, its name, or "last" - the one
 * used last as /sessions lists it first, not a one-off of `mixchat ask`
 * (what `mixchat -s last`, `ask --session last`, `export last`, `/sessions
 * last` and `sessions rm|rename last` mean).  MC_ERR_NOTFOUND when none.
 * app_session_find: the same in app's store.
 */
int app_session_find_in(
    struct store *s, const char *which, uint64_t *id) MC_WUR;
int app_session_find(struct app *app, const char *which, uint64_t *id) MC_WUR;
int app_session_resume(struct app *app, const char *id, char **cause) MC_WUR;
/*
 * app_session_rename: call this conversation name (/rename): what
 * export, /sessions NAME and ask --session find it by.  Before its first
 * message, it takes the name when that makes it.  MC_ERR_USAGE: a number,
 * blank, control characters; MC_ERR_EXISTS: another conversation has it.
 * app_session_rename_in: the same for conversation id of store s (`mixchat
 * sessions rename`).
 */
int app_session_rename(struct app *app, const char *name, char **cause) MC_WUR;
int app_session_rename_in(
    struct store *s, uint64_t id, const char *name, char **cause) MC_WUR;
/*
 * app_session_delete: delete conversation which (its number or name; NULL:
 * this one) with every message of it, in one transaction; its ratings stay
 * with the prompts they rated (ratings export keeps them).  This one
 * deleted, the chat is a new conversation.  *nmessages how many messages
 * went.  MC_ERR_NOTFOUND: none such (or this one is not saved yet);
 * MC_ERR_AGAIN: its reply is still arriving, or another mixchat wrote
 * into it meanwhile.  app_session_delete_in: the same for conversation id
 * of store s (`mixchat sessions rm`).
 */
int app_session_delete(
    struct app *app, const char *which, size_t *nmessages, char **cause) MC_WUR;
int app_session_delete_in(
    struct store *s, uint64_t id, size_t *nmessages, char **cause) MC_WUR;
/*
 * app_catch_up: when another mixchat (a second chat, `ask --session`) has
 * added messages to this conversation since it was loaded, load it again
 * from the store, so that what is sent next goes with them as context;
 * *added: how many (0: nothing to do).  Not while a reply arrives.
 */
int app_catch_up(struct app *app, size_t *added, char **cause) MC_WUR;
const char *app_session_title(const struct app *app);
/* app_session_id: the conversation's number as /sessions lists it, or NULL
 * before its first message (static storage, valid until the next call). */
const char *app_session_id(const struct app *app);

/*
 * /search WORDS: a page of the messages that hold them, newest first: at
 * most max hits older than after (NULL: from the newest).  *total (may be
 * NULL): how many match in all; *newer (may be NULL): how many of them come
 * before the page (the first hit is match *newer + 1).  Free with _free.
 */
int app_search(struct app *app, const char *words,
    const struct app_search_at *after, size_t max, struct app_search_hit **out,
    size_t *n, size_t *total, size_t *newer) MC_WUR;
void app_search_free(struct app_search_hit *list, size_t n);

/*
 * app_session_named: continue the session called name (or numbered
 * so, or "last": app_session_find_in), creating it on first use (`mixchat
 * ask --session NAME`); a new one's name may not be a number, blank, hold
 * control characters, or be "last" or "new" (MC_ERR_USAGE).  "last" when
 * no conversation is there to go on with: MC_ERR_NOTFOUND.
 */
int app_session_named(struct app *app, const char *name, char **cause) MC_WUR;

/*
 * app_rate_id: rate a stored reply by its id ("SESSION.SEQ" or "last"),
 * exactly as the keystroke does (`mixchat rate`).  *model gets who
 * answered it (caller frees; may be NULL); *old_score (may be NULL) the
 * rating it had, 0 for none; reply_id_out (id_size bytes, may be NULL)
 * the id rated, "last" resolved.  A reply that never came
 * (no text) cannot be rated (MC_ERR_USAGE).  app NULL: nothing is stored
 * yet (no store was opened): the id is checked, and there is no reply.
 */
int app_rate_id(struct app *app, const char *reply_id, int score, char **model,
    int *old_score, char *reply_id_out, size_t id_size, char **cause) MC_WUR;

/* Ratings as JSONL, one object a line (`mixchat ratings export|import`).
 * A rating whose prompt is nowhere (made, by an earlier mixchat, after its
 * conversation was deleted) is left out, counted in *lacking: import
 * would refuse the whole file for it. */
int app_ratings_export(struct app *app, int fd, size_t *count, size_t *lacking,
    char **cause) MC_WUR;
#define APP_IMPORT_NAMES 3
struct app_import_counts {
	size_t imported;    /* stored (and learned, but...) */
	size_t not_learned; /* ...these, for models that are no candidate now */
	size_t duplicates; /* skipped: already here (same time, model, score) */
	/* Of not_learned, those for a model neither config.json nor the
	 * catalog names (a typo, or another user's model); the first
	 * APP_IMPORT_NAMES distinct such names, and whether there are more
	 * distinct names than those. */
	size_t unknown;
	size_t unknown_names;
	char unknown_model[APP_IMPORT_NAMES][64];
	bool unknown_more;
	/* Lines with a field no rating has ("scroe", or one a newer mixchat
	 * writes): imported without it, and the first such field named with
	 * its line (a name not fit to print is "" here). */
	size_t odd_lines;
	size_t odd_line;
	char odd_field[48];
	const char *odd_near; /* the field it may be a slip for, or NULL */
};
/*
 * app_ratings_import: every line of path checked, then each imported (a
 * lot of them in one store transaction); progress, when not NULL, hears
 * after each lot how many of the file's ratings are done (imported or
 * skipped) of how many.
 */
typedef void (*app_progress_fn)(void *ud, size_t done, size_t total);
int app_ratings_import(struct app *app, const char *path,
    struct app_import_counts *count, app_progress_fn progress, void *ud,
    char **cause) MC_WUR;

/* app_usable_names: the ids of the models that can be asked, "a, b, c",
 * those closest to near first (a common start, or near inside them; NULL:
 * the catalog's order), the first max of them and ellipsis after (caller
 * frees). */
char *app_usable_names(
    struct app *app, const char *near, size_t max, const char *ellipsis);

/*
 * app_recover_drafts: the replies a killed mixchat was streaming, as far
 * as their last draft, appended to their conversations (marked
 * interrupted), with a notice; for the commands that go on with a
 * conversation (the chat, ask), not the ones that only read.
 */
void app_recover_drafts(struct app *app);

/* app_set_interactive: this app is the chat, which lives on after a
 * reply (notices about the next messages are worth giving). */
void app_set_interactive(struct app *app, bool on);

/* app_is_candidate: whether the router can route to model now (enabled,
 * with its key): what a rating of it is learned into. */
bool app_is_candidate(const struct app *app, const char *model);

/*
 * app_export: write the stored conversation as Markdown, as `mixchat
 * export` prints it (format_conversation_md), or as JSON when the file's
 * name ends in .json (format_conversation_json, as `mixchat export
 * --format json` prints it), to path (NULL: a file named
 * after the session in the current folder, an earlier export of it
 * replaced; "~/" is the home folder; a folder gets that file in it),
 * mode 0600; *written gets the full
 * path, and says so when it replaced a file (caller frees).  A path that
 * names a file already there is refused (MC_ERR_EXISTS) unless replace;
 * the file replaced keeps its mode.
 */
int app_export(struct app *app, const char *path, bool replace, char **written,
    char **cause) MC_WUR;

#endif
