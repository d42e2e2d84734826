/*
 * dataset.h - routing datasets: JSONL, one prompt per line, in the format
 * of shared/data/routing (RouterBench subset, RouteLLM MMLU/GSM8K,
 * FrugalGPT).  This is the router layer's only file reading; the router
 * itself (router.c, fit.c) never touches a file.
 *
 * Per line (other fields are ignored):
 *   id (string), split ("train", "validation" or "test"), prompt (string),
 *   quality ({model: number in [0,1]}) - required;
 *   cost_usd ({model: number >= 0}) - required by eval;
 *   source, subject (string or null) - the tag label is subject, else
 *   source;
 *   out_tokens_est ({model: number}) or resp_chars ({model: number}) -
 *   response length (tokens, or characters / 4).
 * The models are those of the first line's `quality`; every later line must
 * give a quality and a cost for each of them, and no other model.
 */
#ifndef MIXCHAT_ROUTER_DATASET_H
#define MIXCHAT_ROUTER_DATASET_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

#define DATASET_MAX_BYTES  (1024u << 20) /* a whole file */
#define DATASET_MAX_LINE   (4u << 20)    /* one line */
#define DATASET_MAX_MODELS 64

struct dataset_row {
	char *id;
	char *split;
	char *tag;    /* subject, else source, else "all" */
	char *source; /* may be NULL */
	char *prompt;
	size_t len;
	double *quality;    /* [nmodels] */
	double *cost_usd;   /* [nmodels] */
	double *out_tokens; /* [nmodels] */
	double in_tokens;   /* ceil(prompt bytes / 4): what the router sees */
};

struct dataset {
	char *name; /* the file, for messages */
	char **models;
	size_t nmodels;
	struct dataset_row *rows;
	size_t nrows, cap;
	bool lengths; /* some row gave reply lengths (else each is 1) */
};

/* dataset_init / dataset_release: an empty dataset; free its contents. */
void dataset_init(struct dataset *ds, const char *name);
void dataset_release(struct dataset *ds);

/*
 * dataset_load: read path ("-" = stdin) into ds (initialised here; release
 * it even on failure).  When source is not NULL only rows of that source
 * are kept.  MC_ERR_PARSE with *cause "FILE:LINE: FIELD: problem" for a bad
 * line; MC_ERR_IO / MC_ERR_LIMIT for the file.
 */
int dataset_load(struct dataset *ds, const char *path, const char *source,
    char **cause) MC_WUR;

/*
 * dataset_parse_line: parse one line (len bytes, lineno for messages) and
 * append it to ds unless its source differs from `source` (NULL: keep).
 * Empty or blank lines are skipped.
 */
int dataset_parse_line(struct dataset *ds, const char *line, size_t len,
    size_t lineno, const char *source, char **cause) MC_WUR;

/*
 * dataset_prices: per-model USD per 1M input and output tokens that best
 * explain the rows' costs (least squares on in_tokens and out_tokens,
 * clamped at >= 0) on the rows where use[i] (all when use is NULL).  pin
 * and pout have nmodels entries.
 */
void dataset_prices(
    const struct dataset *ds, const bool *use, double *pin, double *pout);

/*
 * dataset_flat_price: model m's one USD per 1M tokens, input and output
 * alike, over the rows where use[i]: its total cost over its total tokens.
 * Where the rows give no reply lengths (ds->lengths false) this is the
 * only per-token reading of the costs: dataset_prices' "output price" is
 * then a charge per request (each reply counts as one token), which a
 * price tier would misread as a dear model's (a $0.00036 request would
 * be $360 per 1M output tokens).
 */
double dataset_flat_price(const struct dataset *ds, const bool *use, size_t m);

/*
 * dataset_fit: fit a router (router_fit) on the rows where use[i] (all rows
 * when use is NULL): the tags are the rows' labels sorted by name (past
 * ROUTER_MAX_TAGS, further labels count as unlabelled), the prices come
 * from dataset_prices().  *out is the caller's to router_free().
 */
struct router;
struct router_fit_options;
int dataset_fit(const struct dataset *ds, const bool *use,
    const struct router_fit_options *o, struct router **out,
    char **cause) MC_WUR;

/* dataset_model_index: index of a model, or -1. */
int dataset_model_index(const struct dataset *ds, const char *model);

#endif
