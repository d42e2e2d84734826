/*
 * config.h - configuration: folders, providers, the model catalog, router,
 * budget, vault, theme and key map settings.
 *
 * config_load() starts from the built-in catalog (catalog.c: providers and
 * current models with dated prices) and merges the user's config.json over
 * it: a provider or model named again overrides the fields it gives, a new
 * name extends the catalog.  Errors name the file, the line and the field.
 *
 * Folders: --home DIR (or MIXCHAT_HOME) holds config.json, the data (LMDB)
 * and the vault together; otherwise config lives in
 * $XDG_CONFIG_HOME/mixchat (~/.config/mixchat) and data in
 * $XDG_DATA_HOME/mixchat (~/.local/share/mixchat).
 */
#ifndef MIXCHAT_CONFIG_H
#define MIXCHAT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

enum provider_api {
	API_OPENAI,    /* Chat Completions and every compatible server */
	API_ANTHROPIC, /* Messages */
	API_GEMINI,    /* streamGenerateContent?alt=sse */
	API_OLLAMA,    /* native /api/chat NDJSON */
};

struct provider {
	char *name; /* also the vault entry holding its key */
	enum provider_api api;
	char *base_url; /* without a trailing slash */
	bool auth_none; /* "auth": "none": no key, never asks the vault */
	bool auth_user; /* "auth" is set in the user's config.json (else
	                   auth_none is the built-in catalog's) */
	bool user;      /* named in the user's config.json */
	int timeout_s;  /* "timeout_s": how long a request may get nothing
	                   from it; 0: net's default (60 s) */
};

struct model {
	char *id;         /* as sent to the provider and shown to the user */
	char *provider;   /* a struct provider name */
	double price_in;  /* USD per 1M input tokens */
	double price_out; /* USD per 1M output tokens */
	double price_cached_in; /* USD per 1M cached input tokens; <0: none */
	char *prior;    /* routing-data model whose profile it starts from */
	int prior_line; /* the line of its "prior" in config.json; 0: not
	                   given there */
	bool enabled;   /* false: "enabled": false in config.json */
	bool user;      /* named in the user's config.json */
};

enum router_mode {
	MODE_QUALITY,
	MODE_BALANCED,
	MODE_BUDGET,
};

struct config {
	char *home;        /* --home / MIXCHAT_HOME, or NULL */
	char *config_dir;  /* folder of config.json, themes/, keys/ */
	char *data_dir;    /* folder of the LMDB data and the vault */
	char *config_file; /* the config.json read (may not exist) */
	bool config_found; /* whether config_file existed */

	struct provider *providers;
	size_t nproviders;
	struct model *models;
	size_t nmodels;

	enum router_mode mode;
	double latency_tolerance_ms;
	double daily_budget_usd; /* 0: no daily limit */
	char *passphrase_command;
	char *theme;
	char *keys;
	bool mouse;          /* the chat takes the wheel and clicks */
	int glyphs;          /* enum glyph_set: GLYPHS_AUTO unless set */
	char *system_prompt; /* may be NULL */
	int max_output_tokens;
	/* The chat's prose wraps at most this many columns wide (0: the
	 * pane's width); code blocks and tables take the pane's. */
	int reading_width;
	/* The chat starts in the conversation used last (-s new: a new
	 * one). */
	bool resume;
	/* The terminal bell rings when a reply that took at least this
	 * many seconds ends (0: never). */
	int bell_after_s;
};

/* The chat's reading width by default: prose much wider than this is
 * hard to follow from one line's end to the next one's start. */
#define CONFIG_READING_WIDTH 100

/* The date of the built-in price table. */
extern const char config_catalog_date[];

/* config_init: a config holding the built-in defaults only. */
void config_init(struct config *cfg);
/* config_release: free everything a config holds. */
void config_release(struct config *cfg);

/*
 * config_set_paths: choose the folders.  home (may be NULL) is --home; when
 * NULL, MIXCHAT_HOME is tried, then the XDG folders.  file (may be NULL) is
 * --config.  Does not create anything.
 */
int config_set_paths(struct config *cfg, const char *home, const char *file,
    char **cause) MC_WUR;

/*
 * config_load: read cfg->config_file (when it exists; an explicit --config
 * that does not exist is an error) and merge it over the defaults.
 * MC_ERR_PARSE with *cause "FILE:LINE: FIELD: what is wrong" on bad input.
 */
int config_load(struct config *cfg, bool must_exist, char **cause) MC_WUR;

/*
 * config_load_text: merge a config.json given as text (name is used in
 * messages).  For tests and fuzzing.
 */
int config_load_text(struct config *cfg, const char *text, size_t len,
    const char *name, char **cause) MC_WUR;

/* config_ensure_dirs: create the data folder (0700): what mixchat
 * writes.  The config folder is the user's, made only by the chat (its
 * first-run hint asks for a config.json there). */
int config_ensure_dirs(const struct config *cfg, char **cause) MC_WUR;
int config_ensure_config_dir(const struct config *cfg, char **cause) MC_WUR;

/* Look-ups; NULL when absent.  Owned by the config. */
struct provider *config_find_provider(
    const struct config *cfg, const char *name);
struct model *config_find_model(const struct config *cfg, const char *id);

/* The API's name in config.json, and back (-1 when unknown). */
const char *config_api_name(enum provider_api api);
int config_api_from_name(const char *name);
const char *config_mode_name(enum router_mode mode);
int config_mode_from_name(const char *name);

/*
 * config_host_is_loopback: whether a URL's host is this computer (localhost,
 * ::1, 127.x.y.z): the one place plain http:// may go.  Shared by
 * config.json's base_url check and net's before each request.
 */
bool config_host_is_loopback(const char *host);

/* config_data_path: data_dir + "/" + name; the caller frees it. */
char *config_data_path(const struct config *cfg, const char *name);

#endif
