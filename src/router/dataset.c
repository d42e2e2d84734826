/*
 * dataset.c - reading routing datasets (JSONL) with errors that name the
 * file, the line and the field.  See dataset.h for the format.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router/dataset.h"
#include "router/fit.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xmalloc.h"

void
dataset_init(struct dataset *ds, const char *name)
{
	memset(ds, 0, sizeof *ds);
	ds->name = xstrdup(name != NULL ? name : "dataset");
}

static void
row_release(struct dataset_row *row)
{
	free(row->id);
	free(row->split);
	free(row->tag);
	free(row->source);
	free(row->prompt);
	free(row->quality);
	free(row->cost_usd);
	free(row->out_tokens);
}

void
dataset_release(struct dataset *ds)
{
	size_t i;

	for (i = 0; i < ds->nrows; i++)
		row_release(&ds->rows[i]);
	free(ds->rows);
	for (i = 0; i < ds->nmodels; i++)
		free(ds->models[i]);
	free(ds->models);
	free(ds->name);
	memset(ds, 0, sizeof *ds);
}

int
dataset_model_index(const struct dataset *ds, const char *model)
{
	size_t i;

	for (i = 0; i < ds->nmodels; i++)
		if (strcmp(ds->models[i], model) == 0)
			return (int)i;
	return -1;
}

/* The splits a row may be in. */
static const char *const splits[] = { "train", "validation", "test", NULL };

static int
bad(char **cause, const struct dataset *ds, size_t lineno, const char *field,
    const char *what)
{
	*cause = xasprintf("%s:%zu: %s: %s", ds->name, lineno, field, what);
	return MC_ERR_PARSE;
}

static const char *
get_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Read {model: number} for every model into out; lo/hi bound the value. */
static int
get_per_model(const struct dataset *ds, const cJSON *o, const char *key,
    double lo, double hi, double *out, size_t lineno, char **cause)
{
	const cJSON *obj = cJSON_GetObjectItemCaseSensitive(o, key), *v;
	char *field;
	size_t m;
	int rc;

	if (!cJSON_IsObject(obj))
		return bad(cause, ds, lineno, key,
		    obj == NULL ? "missing" : "not an object of numbers");
	for (m = 0; m < ds->nmodels; m++) {
		v = cJSON_GetObjectItemCaseSensitive(obj, ds->models[m]);
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
		    v->valuedouble < lo || v->valuedouble > hi) {
			field = xasprintf("%s.%s", key, ds->models[m]);
			rc = bad(cause, ds, lineno, field,
			    v == NULL            ? "missing"
			    : !cJSON_IsNumber(v) ? "not a number"
			                         : "out of range");
			free(field);
			return rc;
		}
		out[m] = v->valuedouble;
	}
	/* A model the dataset does not have would be dropped unseen. */
	for (v = obj->child; v != NULL; v = v->next)
		if (v->string != NULL &&
		    dataset_model_index(ds, v->string) < 0) {
			field = xasprintf("%s.%s", key, v->string);
			rc = bad(cause, ds, lineno, field,
			    "not one of the dataset's models (those of the "
			    "first row's quality)");
			free(field);
			return rc;
		}
	return MC_OK;
}

int
dataset_parse_line(struct dataset *ds, const char *line, size_t len,
    size_t lineno, const char *source, char **cause)
{
	struct dataset_row row;
	cJSON *root = NULL, *q, *v;
	const char *id, *split, *prompt, *src, *subject;
	char *name, *jcause = NULL;
	size_t i, m;
	int rc;

	memset(&row, 0, sizeof row);
	for (i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			break;
	if (i == len)
		return MC_OK;
	name = xasprintf("%s:%zu", ds->name, lineno);
	rc = json_parse(
	    line, len, DATASET_MAX_LINE, false, name, &root, &jcause);
	if (rc != MC_OK) {
		/* "FILE:LINE: invalid JSON at column N" (or too large). */
		*cause = jcause != NULL
		             ? jcause
		             : xasprintf("%s: invalid JSON or too long", name);
		free(name);
		return MC_ERR_PARSE;
	}
	free(name);
	if (!cJSON_IsObject(root)) {
		rc = bad(cause, ds, lineno, "(line)", "not a JSON object");
		goto out;
	}
	/* The labels are optional, but one of another type is a mistake,
	 * not "no label". */
	for (i = 0; i < 2; i++) {
		const char *key = i == 0 ? "source" : "subject";
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(root, key);

		if (l != NULL && !cJSON_IsString(l) && !cJSON_IsNull(l)) {
			rc = bad(cause, ds, lineno, key, "not a string");
			goto out;
		}
	}
	src = get_str(root, "source");
	if (source != NULL && (src == NULL || strcmp(src, source) != 0)) {
		rc = MC_OK;
		goto out;
	}
	if ((id = get_str(root, "id")) == NULL) {
		rc = bad(cause, ds, lineno, "id", "missing or not a string");
		goto out;
	}
	if ((split = get_str(root, "split")) == NULL) {
		rc = bad(cause, ds, lineno, "split", "missing or not a string");
		goto out;
	}
	/* A split misspelt ("tst") would leave its row out unseen. */
	for (i = 0; splits[i] != NULL; i++)
		if (strcmp(split, splits[i]) == 0)
			break;
	if (splits[i] == NULL) {
		/* Quoted when it is short and plain: it is the file's. */
		bool plain = strlen(split) <= 32;
		char *what;

		for (i = 0; plain && split[i] != '\0'; i++)
			plain = split[i] >= ' ' && split[i] <= '~';
		what = xasprintf("%s%s%snot a split (train, validation or "
		                 "test)",
		    plain ? "'" : "", plain ? split : "", plain ? "' is " : "");
		rc = bad(cause, ds, lineno, "split", what);
		free(what);
		goto out;
	}
	if ((prompt = get_str(root, "prompt")) == NULL) {
		rc =
		    bad(cause, ds, lineno, "prompt", "missing or not a string");
		goto out;
	}
	q = cJSON_GetObjectItemCaseSensitive(root, "quality");
	if (!cJSON_IsObject(q) || q->child == NULL) {
		rc = bad(cause, ds, lineno, "quality",
		    q == NULL ? "missing" : "not an object of model scores");
		goto out;
	}
	if (ds->nmodels == 0) {
		for (v = q->child; v != NULL; v = v->next) {
			if (ds->nmodels == DATASET_MAX_MODELS) {
				rc = bad(cause, ds, lineno, "quality",
				    "too many models");
				goto out;
			}
			if (v->string == NULL || *v->string == '\0' ||
			    dataset_model_index(ds, v->string) >= 0) {
				rc = bad(cause, ds, lineno, "quality",
				    "empty or repeated model name");
				goto out;
			}
			ds->models = xreallocarray(
			    ds->models, ds->nmodels + 1, sizeof *ds->models);
			ds->models[ds->nmodels++] = xstrdup(v->string);
		}
	}
	row.quality = xcalloc(ds->nmodels, sizeof *row.quality);
	row.cost_usd = xcalloc(ds->nmodels, sizeof *row.cost_usd);
	row.out_tokens = xcalloc(ds->nmodels, sizeof *row.out_tokens);
	rc = get_per_model(
	    ds, root, "quality", 0, 1, row.quality, lineno, cause);
	if (rc != MC_OK)
		goto out;
	rc = get_per_model(
	    ds, root, "cost_usd", 0, 1e6, row.cost_usd, lineno, cause);
	if (rc != MC_OK)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(root, "out_tokens_est");
	if (cJSON_IsObject(v)) {
		rc = get_per_model(ds, root, "out_tokens_est", 0, 1e9,
		    row.out_tokens, lineno, cause);
		ds->lengths = true;
	} else if (cJSON_IsObject(
	               cJSON_GetObjectItemCaseSensitive(root, "resp_chars"))) {
		ds->lengths = true;
		rc = get_per_model(ds, root, "resp_chars", 0, 1e10,
		    row.out_tokens, lineno, cause);
		for (m = 0; m < ds->nmodels; m++)
			row.out_tokens[m] = ceil(row.out_tokens[m] / 4.0);
	} else
		for (m = 0; m < ds->nmodels; m++)
			row.out_tokens[m] = 1.0;
	if (rc != MC_OK)
		goto out;
	subject = get_str(root, "subject");
	row.id = xstrdup(id);
	row.split = xstrdup(split);
	row.source = src != NULL ? xstrdup(src) : NULL;
	row.tag = xstrdup(subject != NULL ? subject
	                  : src != NULL   ? src
	                                  : "all");
	row.len = strlen(prompt);
	row.prompt = xstrndup(prompt, row.len);
	row.in_tokens = ceil((double)row.len / 4.0);
	ds->rows =
	    xgrowarray(ds->rows, &ds->cap, ds->nrows + 1, sizeof *ds->rows);
	ds->rows[ds->nrows++] = row;
	memset(&row, 0, sizeof row);
out:
	row_release(&row);
	cJSON_Delete(root);
	return rc;
}

int
dataset_load(
    struct dataset *ds, const char *path, const char *source, char **cause)
{
	struct buf b;
	const char *p, *end, *nl;
	size_t lineno = 0;
	int rc;

	dataset_init(ds, strcmp(path, "-") == 0 ? "(stdin)" : path);
	buf_init(&b, DATASET_MAX_BYTES);
	rc = fs_read_file(path, &b, cause);
	if (rc != MC_OK)
		goto out;
	p = b.data != NULL ? b.data : "";
	end = p + b.len;
	/* The shipped datasets are .jsonl.gz: say so, not "a NUL byte". */
	if (b.len >= 2 && (unsigned char)p[0] == 0x1f &&
	    (unsigned char)p[1] == 0x8b) {
		*cause =
		    xasprintf("%s: gzip-compressed; decompress it on the "
		              "way in: gzip -dc FILE | mixchat ... --data -",
		        ds->name);
		rc = MC_ERR_PARSE;
		goto out;
	}
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		lineno++;
		rc = dataset_parse_line(
		    ds, p, (size_t)(nl - p), lineno, source, cause);
		if (rc != MC_OK)
			goto out;
		p = nl + 1;
	}
	if (ds->nrows == 0) {
		*cause = source != NULL
		             ? xasprintf("%s: no rows of source '%s'", ds->name,
		                   source)
		             : xasprintf("%s: no rows", ds->name);
		rc = MC_ERR_PARSE;
	}
out:
	buf_release(&b);
	return rc;
}

double
dataset_flat_price(const struct dataset *ds, const bool *use, size_t m)
{
	double tok = 0, cost = 0;
	size_t i;

	for (i = 0; i < ds->nrows; i++) {
		if (use != NULL && !use[i])
			continue;
		tok += ds->rows[i].in_tokens + ds->rows[i].out_tokens[m];
		cost += ds->rows[i].cost_usd[m];
	}
	return tok > 0 ? cost * 1e6 / tok : 0;
}

void
dataset_prices(
    const struct dataset *ds, const bool *use, double *pin, double *pout)
{
	size_t m, i;

	for (m = 0; m < ds->nmodels; m++) {
		double saa = 0, sab = 0, sbb = 0, sac = 0, sbc = 0, det, a, b;
		double x, y, c;

		for (i = 0; i < ds->nrows; i++) {
			const struct dataset_row *r = &ds->rows[i];

			if (use != NULL && !use[i])
				continue;
			x = r->in_tokens / 1e6;
			y = r->out_tokens[m] / 1e6;
			c = r->cost_usd[m];
			saa += x * x;
			sab += x * y;
			sbb += y * y;
			sac += x * c;
			sbc += y * c;
		}
		det = saa * sbb - sab * sab;
		a = b = -1;
		if (det > 1e-12 * saa * sbb && det > 0) {
			a = (sac * sbb - sbc * sab) / det;
			b = (sbc * saa - sac * sab) / det;
		}
		if (a < 0 || b < 0) {
			/* One flat price explains it best. */
			a = b = dataset_flat_price(ds, use, m);
		}
		pin[m] = a;
		pout[m] = b;
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
dataset_fit(const struct dataset *ds, const bool *use,
    const struct router_fit_options *o, struct router **out, char **cause)
{
	const char **all = xcalloc(ds->nrows + 1, sizeof *all);
	const char *tags[ROUTER_MAX_TAGS];
	struct router_example *ex = xcalloc(ds->nrows + 1, sizeof *ex);
	double *pin = xcalloc(ds->nmodels + 1, sizeof *pin);
	double *pout = xcalloc(ds->nmodels + 1, sizeof *pout);
	const char *const *hit;
	size_t i, n = 0, ntags = 0;
	int rc;

	for (i = 0; i < ds->nrows; i++)
		if (use == NULL || use[i])
			all[n++] = ds->rows[i].tag;
	qsort(all, n, sizeof *all, cmp_str);
	for (i = 0; i < n && ntags < ROUTER_MAX_TAGS; i++)
		if (ntags == 0 || strcmp(tags[ntags - 1], all[i]) != 0)
			tags[ntags++] = all[i];
	n = 0;
	for (i = 0; i < ds->nrows; i++) {
		const struct dataset_row *row = &ds->rows[i];

		if (use != NULL && !use[i])
			continue;
		ex[n].prompt = row->prompt;
		ex[n].len = row->len;
		hit = bsearch(&row->tag, tags, ntags, sizeof *tags, cmp_str);
		ex[n].tag = hit != NULL ? (int)(hit - tags) : -1;
		ex[n].quality = row->quality;
		ex[n].out_tokens = row->out_tokens;
		n++;
	}
	dataset_prices(ds, use, pin, pout);
	rc = router_fit((const char *const *)ds->models, pin, pout, ds->nmodels,
	    tags, ntags, ex, n, o, out, cause);
	free(all);
	free(ex);
	free(pin);
	free(pout);
	return rc;
}
