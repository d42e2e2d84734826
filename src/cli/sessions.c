/*
 * sessions.c - `mixchat sessions [--all] [--json]`, `sessions rm SESSION`,
 * `sessions rename SESSION NAME`: the conversations as /sessions lists
 * them (last used first; the one-question conversations `mixchat ask` made
 * on its own folded away unless --all), for scripts to find one, and the
 * chat's /delete and /rename from the shell.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "app/app.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "store/store.h"
#include "util/self.h"
#include "util/xmalloc.h"

static const char sessions_usage[] =
    "Usage: mixchat sessions [--all] [--json]\n"
    "       mixchat sessions rm SESSION\n"
    "       mixchat sessions rename SESSION NAME\n"
    "List the conversations, last used first: number, last used, messages\n"
    "and title (its name when it has one).  SESSION is a number as the list\n"
    "shows it, a name, or last (the one used last, not a one-off ask).  rm\n"
    "deletes a conversation and its messages (its ratings stay with the\n"
    "router); rename gives it a name that export, /sessions and ask\n"
    "--session find it by (not a number, a message's id such as 2.5,\n"
    "last, new or all).\n"
    "\n"
    "  -a, --all    the one-question conversations `mixchat ask` made "
    "on its\n"
    "               own too (without --session; left out otherwise)\n"
    "  -j, --json   a JSON array: id, name, title, messages, created_ms,\n"
    "               updated_ms, from_ask\n"
    "\n"
    "Exit status: 0 ok, 1 no such conversation or the database cannot be\n"
    "read or written, 2 usage.\n";

/* Open the store of cfg into *s; NULL (and 0) when nothing is stored
 * yet: there is no conversation, and nothing is created. */
static int
open_store(const struct config *cfg, bool reader, struct store **s)
{
	char *dir, *cause = NULL;
	int rc = EXIT_OK;

	*s = NULL;
	if (cli_store_absent(cfg))
		return EXIT_OK;
	dir = config_data_path(cfg, "db");
	if ((reader ? store_open_read(dir, s, &cause)
	            : store_open(dir, s, &cause)) != MC_OK) {
		cli_error("%s", cause);
		rc = EXIT_RUNTIME;
	}
	free(cause);
	free(dir);
	return rc;
}

/* s cleaned for a terminal (stdout), as export cleans a conversation;
 * caller frees. */
static char *
for_terminal(const char *s)
{
	struct tty_text tty;
	size_t n = strcspn(s, "\n"), len;
	char *out = xmalloc(n + 8);

	tty_text_init(&tty, 1);
	len = tty_text_clean(&tty, s, n, out);
	out[len] = '\0';
	return out;
}

static int
list_text(const struct app_session_info *list, size_t n, bool all)
{
	size_t i, iw = 1, folded = 0;
	char when[32];
	struct tm tm;
	time_t t;

	/* Said on stderr, as export says it: stdout stays empty for a
	 * script that counts the lines. */
	if (n == 0) {
		cli_error("there is no conversation yet: start one with `%s` "
		          "or `%s ask`",
		    self_cmd(), self_cmd());
		return EXIT_OK;
	}
	for (i = 0; i < n; i++)
		if (strlen(list[i].id) > iw)
			iw = strlen(list[i].id);
	for (i = 0; i < n; i++) {
		char *title;

		if (list[i].one_off && !all) {
			folded++;
			continue;
		}
		t = (time_t)(list[i].updated_ms / 1000);
		localtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
		title =
		    for_terminal(list[i].title != NULL ? list[i].title : "");
		printf("%*s  %s  %4zu msg%s  %s\n", (int)iw, list[i].id, when,
		    list[i].messages, list[i].messages == 1 ? " " : "s", title);
		free(title);
	}
	/* Said apart: standard output stays one conversation a line. */
	if (folded > 0)
		cli_error("%s%zu one-question conversation%s from `mixchat "
		          "ask` not listed: --all lists them",
		    folded < n ? "and " : "", folded, folded == 1 ? "" : "s");
	return EXIT_OK;
}

static int
list_json(const struct app_session_info *list, size_t n, bool all)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	char *text;
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i].one_off && !all)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", strtod(list[i].id, NULL));
		if (list[i].name != NULL)
			cJSON_AddStringToObject(o, "name", list[i].name);
		else
			cJSON_AddNullToObject(o, "name");
		cJSON_AddStringToObject(
		    o, "title", list[i].title != NULL ? list[i].title : "");
		cJSON_AddNumberToObject(
		    o, "messages", (double)list[i].messages);
		cJSON_AddNumberToObject(
		    o, "created_ms", (double)list[i].created_ms);
		cJSON_AddNumberToObject(
		    o, "updated_ms", (double)list[i].updated_ms);
		cJSON_AddBoolToObject(o, "from_ask", list[i].one_off);
		cJSON_AddItemToArray(arr, o);
	}
	text = cJSON_Print(arr);
	cJSON_Delete(arr);
	printf("%s\n", text);
	free(text);
	return EXIT_OK;
}

/* The conversation which names (a number or a name) in s into *id, as
 * export finds one; EXIT_RUNTIME after saying so when there is none. */
static int
find_session(struct store *s, const char *which, uint64_t *id)
{
	uint64_t named;

	/* A conversation an older mixchat let be named "last": rm and
	 * rename, which ask nothing, do not guess which one is meant. */
	if (s != NULL && strcmp(which, "last") == 0 &&
	    store_session_find(s, which, &named) == MC_OK &&
	    app_session_find_in(s, which, id) == MC_OK && named != *id) {
		cli_error("a conversation is named 'last' (number %llu), and "
		          "last is also the one used last (number %llu): give "
		          "the number",
		    (unsigned long long)named, (unsigned long long)*id);
		return EXIT_USAGE;
	}
	if (app_session_find_in(s, which, id) != MC_OK) {
		/* "last": the one used last, as mixchat -s last takes it. */
		if (strcmp(which, "last") == 0)
			cli_error("no conversation was used last yet (one-off "
			          "asks are not: mixchat sessions --all lists "
			          "them)");
		else
			cli_error("no conversation has the number or name '%s' "
			          "(mixchat sessions lists them)",
			    which);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int
sessions_rm(struct store *s, const char *which)
{
	struct store_session ss;
	char *cause = NULL, *title;
	size_t gone = 0;
	uint64_t id;
	int rc;

	if ((rc = find_session(s, which, &id)) != EXIT_OK)
		return rc;
	memset(&ss, 0, sizeof ss);
	if (store_session_get(s, id, &ss) != MC_OK) {
		cli_error("%s", store_strerror(s));
		return EXIT_RUNTIME;
	}
	if (app_session_delete_in(s, id, &gone, &cause) != MC_OK) {
		cli_error("%s", cause);
		free(cause);
		store_session_release(&ss);
		return EXIT_RUNTIME;
	}
	title = for_terminal(ss.title != NULL ? ss.title : "");
	printf("deleted conversation %" PRIu64 ", \"%s\" (%zu message%s; "
	       "its ratings stay)\n",
	    id, title, gone, gone == 1 ? "" : "s");
	free(title);
	store_session_release(&ss);
	return EXIT_OK;
}

static int
sessions_rename(struct store *s, const char *which, const char *name)
{
	char *cause = NULL;
	uint64_t id;
	int rc;

	if ((rc = find_session(s, which, &id)) != EXIT_OK)
		return rc;
	rc = app_session_rename_in(s, id, name, &cause);
	if (rc == MC_ERR_USAGE) {
		rc = cli_usage_error("sessions", "%s", cause);
		free(cause);
		return rc;
	}
	if (rc != MC_OK) {
		cli_error("%s", cause);
		free(cause);
		return EXIT_RUNTIME;
	}
	printf("conversation %" PRIu64 " is called '%s' now\n", id, name);
	return EXIT_OK;
}

int
cli_sessions(const struct cli_global *g, int argc, char **argv)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct app_session_info *list = NULL;
	struct store *s = NULL;
	struct config cfg;
	const char *verb = NULL;
	bool all = false, json = false;
	size_t n = 0;
	int opt, rc;

	opterr = 0;
	while ((opt = cli_getopt(argc, argv, "ajh", options)) != -1) {
		switch (opt) {
		case 'a':
			all = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(sessions_usage, stdout);
			return EXIT_OK;
		default:
			return cli_option_error("sessions", opt, argv, options);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0) {
		verb = argv[0];
		if (strcmp(verb, "rm") == 0 && argc != 2)
			return cli_usage_error("sessions",
			    "rm takes one SESSION (a number or name)");
		else if (strcmp(verb, "rename") == 0 && argc != 3)
			return cli_usage_error("sessions",
			    "rename takes SESSION and the NAME to give it");
		else if (strcmp(verb, "rm") != 0 && strcmp(verb, "rename") != 0)
			return cli_usage_error("sessions",
			    "'%s' is not rm or rename; without either, "
			    "sessions lists the conversations",
			    verb);
		if (all || json)
			return cli_usage_error("sessions",
			    "--all and --json are for the list, not %s", verb);
	}
	if ((rc = cli_load_config(g, &cfg)) != EXIT_OK) {
		config_release(&cfg);
		return rc;
	}
	if ((rc = open_store(&cfg, verb == NULL, &s)) != EXIT_OK)
		goto out;
	if (verb != NULL && strcmp(verb, "rm") == 0)
		rc = sessions_rm(s, argv[1]);
	else if (verb != NULL)
		rc = sessions_rename(s, argv[1], argv[2]);
	else if (s != NULL && app_sessions_in(s, &list, &n) != MC_OK) {
		cli_error("%s", store_strerror(s));
		rc = EXIT_RUNTIME;
	} else
		rc = json ? list_json(list, n, all) : list_text(list, n, all);
	app_sessions_free(list, n);
out:
	store_close(s);
	config_release(&cfg);
	return rc;
}
