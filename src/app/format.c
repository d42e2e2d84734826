/*
 * format.c - numbers for people (see format.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "app/format.h"
#include "util/glyph.h"

void
format_usd(double usd, char *out, size_t n)
{
	if (usd < 0)
		usd = 0;
	if (usd == 0)
		snprintf(out, n, "$0");
	else if (usd >= 1)
		snprintf(out, n, "$%.2f", usd);
	else if (usd >= 0.01)
		snprintf(out, n, "$%.4f", usd);
	else if (usd >= 0.000001)
		snprintf(out, n, "$%.6f", usd);
	else
		snprintf(out, n, "$%.2g", usd);
	/* $0.000420 -> $0.00042, $0.2000 -> $0.20: trailing zeros go, but
	 * two decimals stay. */
	if (strchr(out, '.') != NULL && strchr(out, 'e') == NULL && usd < 1) {
		size_t len = strlen(out);
		size_t keep = (size_t)(strchr(out, '.') - out) + 3;

		while (len > keep && out[len - 1] == '0')
			out[--len] = '\0';
	}
}

void
format_ms(double ms, char *out, size_t n)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(out, n, "%.0f ms", ms);
	else if (ms < 60000)
		snprintf(out, n, "%.1f s", ms / 1000);
	else
		snprintf(out, n, "%d min %d s", (int)(ms / 60000),
		    (int)(ms / 1000) % 60);
}

int
format_no_reply(const struct glyphs *g, const char *model, double latency_ms,
    char *out, size_t n)
{
	char total[32];

	format_ms(latency_ms, total, sizeof total);
	return snprintf(out, n, "%s%sno reply (%s)", model, g->sep, total);
}

void
format_footer(
    const struct glyphs *g, const struct app_exchange *ex, char *out, size_t n)
{
	char cost[32], total[32], first[32];
	double secs;

	out[0] = '\0';
	if (ex->model == NULL)
		return;
	if (ex->state == REPLY_PENDING || ex->state == REPLY_STREAMING) {
		snprintf(out, n, "%s%s%s", ex->model, g->sep, g->ellipsis);
		return;
	}
	if (ex->state == REPLY_ERROR && ex->reply_len == 0 &&
	    ex->tokens_out <= 0) {
		/* Nothing came back: no speed or token count to report. */
		format_no_reply(g, ex->model, ex->latency_ms, out, n);
		return;
	}
	format_ms(ex->latency_ms, total, sizeof total);
	format_usd(ex->cost_usd, cost, sizeof cost);
	format_ms(ex->ttft_ms, first, sizeof first);
	secs = ex->latency_ms / 1000.0;
	snprintf(out, n, "%s%s%s%s%s (first token %s)%s%s%d tok%s%.0f tok/s",
	    ex->model, g->sep, cost, g->sep, total, first, g->sep,
	    ex->tokens_estimated ? "~" : "", ex->tokens_out, g->sep,
	    secs > 0 ? ex->tokens_out / secs : 0.0);
}

cJSON *
format_decision_json(const struct app_exchange *ex)
{
	cJSON *d = cJSON_CreateObject(), *list, *c;
	size_t i;

	if (ex->model != NULL)
		cJSON_AddStringToObject(d, "model", ex->model);
	else
		cJSON_AddNullToObject(d, "model");
	cJSON_AddBoolToObject(d, "pinned", ex->pinned);
	list = cJSON_AddArrayToObject(d, "candidates");
	for (i = 0; i < ex->ncandidates; i++) {
		const struct app_candidate *a = &ex->candidates[i];

		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "model", a->model);
		cJSON_AddNumberToObject(c, "quality", a->quality);
		cJSON_AddNumberToObject(c, "cost_usd", a->cost_usd);
		cJSON_AddNumberToObject(c, "latency_ms", a->latency_ms);
		cJSON_AddNumberToObject(c, "uncertainty", a->uncertainty);
		cJSON_AddNumberToObject(c, "score", a->score);
		if (a->excluded != NULL)
			cJSON_AddStringToObject(c, "excluded", a->excluded);
		else
			cJSON_AddNullToObject(c, "excluded");
		cJSON_AddBoolToObject(c, "winner", (int)i == ex->winner);
		cJSON_AddItemToArray(list, c);
	}
	return d;
}
