/*
 * output.c - what the subcommands print about a reply (see output.h).
 */
#include "config.h"

#include <stdlib.h>

#include "app/format.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "util/json.h"

void
cli_print_footer(FILE *f, const struct app_exchange *ex)
{
	char line[512];

	if (ex->error != NULL)
		fprintf(f, "mixchat: %s\n", ex->error);
	format_footer(ex, line, sizeof line);
	if (line[0] != '\0')
		fprintf(f, "%s\n", line);
}

static cJSON *
decision_json(const struct app_exchange *ex)
{
	cJSON *d = cJSON_CreateObject(), *list, *c;
	size_t i;

	cJSON_AddStringToObject(d, "model", ex->model ? ex->model : "");
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
		cJSON_AddItemToArray(list, c);
	}
	return d;
}

void
cli_print_exchange_json(FILE *f, const struct app_exchange *ex)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	cJSON_AddStringToObject(o, "reply_id", ex->reply_id);
	cJSON_AddStringToObject(o, "model", ex->model ? ex->model : "");
	cJSON_AddStringToObject(o, "reply", ex->reply);
	cJSON_AddNumberToObject(o, "cost_usd", ex->cost_usd);
	cJSON_AddNumberToObject(o, "ttft_ms", ex->ttft_ms);
	cJSON_AddNumberToObject(o, "latency_ms", ex->latency_ms);
	cJSON_AddNumberToObject(o, "tokens_in", ex->tokens_in);
	cJSON_AddNumberToObject(o, "tokens_out", ex->tokens_out);
	cJSON_AddBoolToObject(o, "tokens_estimated", ex->tokens_estimated);
	cJSON_AddItemToObject(o, "decision", decision_json(ex));
	if (ex->error != NULL)
		cJSON_AddStringToObject(o, "error", ex->error);
	text = cJSON_PrintUnformatted(o);
	fprintf(f, "%s\n", text);
	free(text);
	cJSON_Delete(o);
}

int
cli_unlock(const struct config *cfg, struct app *app)
{
	/* Wired to the vault's passphrase sources when the vault lands. */
	return EXIT_OK;
}
