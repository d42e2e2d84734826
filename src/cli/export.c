/*
 * export.c - `mixchat export [SESSION] [--format md|json]`: one
 * conversation (by number or name; default the most recently updated) on
 * standard output, with each reply's model, cost and latency.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app/format.h"
#include "cli/cli.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xmalloc.h"

static const char *
role_name(int role)
{
	switch (role) {
	case STORE_ROLE_USER:
		return "user";
	case STORE_ROLE_ASSISTANT:
		return "assistant";
	default:
		return "system";
	}
}

static int
print_json(
    const struct store_session *ss, const struct store_message *list, size_t n)
{
	cJSON *root = cJSON_CreateObject(), *sj, *arr, *o, *dec;
	char id[STORE_REPLY_ID_MAX], *text, *cause = NULL;
	size_t i;

	sj = cJSON_AddObjectToObject(root, "session");
	cJSON_AddNumberToObject(sj, "id", (double)ss->id);
	if (ss->name)
		cJSON_AddStringToObject(sj, "name", ss->name);
	else
		cJSON_AddNullToObject(sj, "name");
	if (ss->title)
		cJSON_AddStringToObject(sj, "title", ss->title);
	else
		cJSON_AddNullToObject(sj, "title");
	cJSON_AddNumberToObject(sj, "created_ms", (double)ss->created_ms);
	cJSON_AddNumberToObject(sj, "updated_ms", (double)ss->updated_ms);
	arr = cJSON_AddArrayToObject(root, "messages");
	for (i = 0; i < n; i++) {
		const struct store_message *m = &list[i];

		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		store_reply_id_format(m->session, m->seq, id, sizeof id);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddNumberToObject(o, "seq", m->seq);
		cJSON_AddStringToObject(o, "role", role_name(m->role));
		cJSON_AddStringToObject(o, "text", m->text);
		cJSON_AddNumberToObject(o, "created_ms", (double)m->created_ms);
		if (m->role != STORE_ROLE_ASSISTANT)
			continue;
		if (m->model)
			cJSON_AddStringToObject(o, "model", m->model);
		else
			cJSON_AddNullToObject(o, "model");
		cJSON_AddNumberToObject(o, "cost_usd", m->cost_usd);
		/* Not measured (no text came, or kept from a draft after
		 * mixchat ended): null, not a made-up 0. */
		if (m->ttft_ms > 0 || (m->latency_ms > 0 && m->text != NULL &&
		                          m->text[0] != '\0'))
			cJSON_AddNumberToObject(o, "ttft_ms", m->ttft_ms);
		else
			cJSON_AddNullToObject(o, "ttft_ms");
		if (m->latency_ms > 0)
			cJSON_AddNumberToObject(o, "latency_ms", m->latency_ms);
		else
			cJSON_AddNullToObject(o, "latency_ms");
		cJSON_AddNumberToObject(o, "wait_ms", m->wait_ms);
		cJSON_AddNumberToObject(o, "tokens_in", m->tokens_in);
		cJSON_AddNumberToObject(o, "tokens_out", m->tokens_out);
		cJSON_AddBoolToObject(
		    o, "tokens_estimated", m->tokens_estimated);
		if (m->rating > 0)
			cJSON_AddNumberToObject(o, "rating", m->rating);
		else
			cJSON_AddNullToObject(o, "rating");
		if (m->error)
			cJSON_AddStringToObject(o, "error", m->error);
		dec = NULL;
		if (m->decision_json != NULL &&
		    json_parse(m->decision_json, strlen(m->decision_json),
		        JSON_MAX_DEFAULT, false, "decision", &dec,
		        &cause) == MC_OK)
			cJSON_AddItemToObject(o, "decision", dec);
		free(cause);
		cause = NULL;
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (text == NULL)
		return EXIT_RUNTIME;
	printf("%s\n", text);
	free(text);
	return EXIT_OK;
}

int
cli_export(const struct cli_global *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct store_message *list = NULL;
	struct store_session ss;
	struct store *s = NULL;
	struct config cfg;
	const char *format = "md", *which = NULL;
	char *dir = NULL, *cause = NULL;
	uint64_t id;
	size_t n = 0;
	int opt, rc;

	memset(&ss, 0, sizeof ss);
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+f:h", options, NULL)) != -1) {
		switch (opt) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			fputs(
			    "Usage: mixchat export [SESSION] [--format "
			    "md|json]\n"
			    "Write a conversation to standard output: SESSION "
			    "is its number (as\n"
			    "/sessions shows it) or name; without it, the "
			    "latest.\n"
			    "\n"
			    "  -f, --format md|json   Markdown (the default) "
			    "or JSON\n",
			    stdout);
			return EXIT_OK;
		default:
			return cli_usage_error("export", "%s '%s'",
			    optopt == 'f' ? "needs a value:" : "unknown option",
			    argv[optind - 1]);
		}
	}
	if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0)
		return cli_usage_error(
		    "export", "--format must be md or json, not '%s'", format);
	if (optind < argc)
		which = argv[optind++];
	/* GNU getopt stops at SESSION ("+"): take options after it too. */
	while (optind < argc) {
		if (strcmp(argv[optind], "--format") == 0 &&
		    optind + 1 < argc) {
			format = argv[optind + 1];
			optind += 2;
		} else if (strncmp(argv[optind], "--format=", 9) == 0)
			format = argv[optind++] + 9;
		else
			return cli_usage_error(
			    "export", "unexpected argument '%s'", argv[optind]);
		if (strcmp(format, "md") != 0 && strcmp(format, "json") != 0)
			return cli_usage_error("export",
			    "--format must be md or json, not '%s'", format);
	}
	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK) {
		config_release(&cfg);
		return rc;
	}
	rc = EXIT_RUNTIME;
	dir = config_data_path(&cfg, "db");
	/* Nothing stored yet: no conversation, and nothing is created. */
	if (!cli_store_absent(&cfg) && store_open(dir, &s, &cause) != MC_OK) {
		cli_error("%s", cause);
		goto out;
	}
	if (s == NULL ||
	    (which != NULL ? store_session_find(s, which, &id) != MC_OK
	                   : store_session_latest(s, &id) != MC_OK)) {
		if (which != NULL)
			cli_error("no conversation has the number or name "
			          "'%s'",
			    which);
		else
			cli_error("there is no conversation yet: start one "
			          "with `mixchat` or `mixchat ask`");
		goto out;
	}
	if (store_session_get(s, id, &ss) != MC_OK ||
	    store_messages(s, id, &list, &n) != MC_OK) {
		cli_error("%s", store_strerror(s));
		goto out;
	}
	if (strcmp(format, "json") == 0)
		rc = print_json(&ss, list, n);
	else {
		struct buf b;

		buf_init(&b, 256u << 20);
		if (format_conversation_md(&ss, list, n, &b) != MC_OK ||
		    fs_write_all(1, b.data, b.len) != MC_OK) {
			cli_error("cannot write the conversation");
			rc = EXIT_RUNTIME;
		} else
			rc = EXIT_OK;
		buf_release(&b);
	}
out:
	store_messages_free(list, n);
	store_session_release(&ss);
	store_close(s);
	free(cause);
	free(dir);
	config_release(&cfg);
	return rc;
}
