/*
 * output.c - what the subcommands print about a reply (see output.h).
 */
#include "config.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/format.h"
#include "cli/cli.h"
#include "cli/output.h"
#include "util/json.h"
#include "util/utf8.h"
#include "util/xmalloc.h"
#include "vault/passphrase.h"
#include "vault/secmem.h"

void
cli_print_footer_line(FILE *f, const struct app_exchange *ex)
{
	char line[512];

	format_footer(glyph, ex, line, sizeof line);
	if (line[0] != '\0')
		fprintf(f, "%s\n", line);
}

void
tty_text_init(struct tty_text *t, int fd)
{
	t->on = isatty(fd) == 1;
	t->nheld = 0;
}

/* Bytes of the UTF-8 character that lead starts; 1 for a byte that
 * starts none (it is dropped). */
static size_t
tty_char_len(unsigned char lead)
{
	return lead < 0xc0   ? 1
	       : lead < 0xe0 ? 2
	       : lead < 0xf0 ? 3
	       : lead < 0xf8 ? 4
	                     : 1;
}

/* Whether the whole character c (len bytes) may go to a terminal. */
static bool
tty_char_ok(const char *c, size_t len)
{
	unsigned char b = (unsigned char)c[0];
	uint32_t cp;

	if (len == 1)
		return (b >= 0x20 && b < 0x7f) || b == '\n' || b == '\t';
	if (utf8_decode(c, len, &cp) != len)
		return false;
	return !(cp >= 0x80 && cp < 0xa0) && !(cp >= 0x202a && cp <= 0x202e) &&
	       !(cp >= 0x2066 && cp <= 0x2069);
}

size_t
tty_text_clean(struct tty_text *t, const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0, want;

	if (!t->on) {
		memcpy(out, s, n);
		return n;
	}
	while (i < n) {
		if (t->nheld == 0) {
			want = tty_char_len((unsigned char)s[i]);
			if (want == 1 || (unsigned char)s[i] < 0xc0) {
				if (tty_char_ok(s + i, 1))
					out[o++] = s[i];
				i++;
				continue;
			}
		} else
			want = tty_char_len((unsigned char)t->held[0]);
		/* A character of several bytes: gathered, then judged. */
		while (t->nheld < want && i < n) {
			if (t->nheld > 0 &&
			    ((unsigned char)s[i] & 0xc0) != 0x80)
				break; /* cut short: dropped */
			t->held[t->nheld++] = s[i++];
		}
		if (t->nheld < want && i < n)
			t->nheld = 0; /* a broken character */
		else if (t->nheld == want) {
			if (tty_char_ok(t->held, want)) {
				memcpy(out + o, t->held, want);
				o += want;
			}
			t->nheld = 0;
		}
	}
	return o;
}

void
cli_print_footer(FILE *f, const struct app_exchange *ex)
{
	if (ex->error != NULL)
		fprintf(f, "mixchat: %s\n", ex->error);
	cli_print_footer_line(f, ex);
}

void
cli_print_exchange_json(FILE *f, const struct app_exchange *ex)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	/* Nothing recorded (refused before it was sent): null, as in the
	 * decision, not an empty string a script would take for an id. */
	if (ex->reply_id[0] != '\0')
		cJSON_AddStringToObject(o, "reply_id", ex->reply_id);
	else
		cJSON_AddNullToObject(o, "reply_id");
	/* model: who answered; nobody when it was refused before it was
	 * sent (a pinned model over the budget: decision.model names it). */
	if (ex->model != NULL && !(ex->reply_id[0] == '\0' &&
	                             ex->error != NULL && ex->latency_ms <= 0))
		cJSON_AddStringToObject(o, "model", ex->model);
	else
		cJSON_AddNullToObject(o, "model");
	cJSON_AddStringToObject(o, "reply", ex->reply);
	cJSON_AddNumberToObject(o, "cost_usd", ex->cost_usd);
	/* No text came: there was no first token to time. */
	if (ex->reply_len == 0)
		cJSON_AddNullToObject(o, "ttft_ms");
	else
		cJSON_AddNumberToObject(o, "ttft_ms", ex->ttft_ms);
	cJSON_AddNumberToObject(o, "latency_ms", ex->latency_ms);
	cJSON_AddNumberToObject(o, "tokens_in", ex->tokens_in);
	cJSON_AddNumberToObject(o, "tokens_out", ex->tokens_out);
	cJSON_AddBoolToObject(o, "tokens_estimated", ex->tokens_estimated);
	cJSON_AddItemToObject(o, "decision", format_decision_json(ex));
	if (ex->error != NULL)
		cJSON_AddStringToObject(o, "error", ex->error);
	text = cJSON_PrintUnformatted(o);
	fprintf(f, "%s\n", text);
	free(text);
	cJSON_Delete(o);
}

int
cli_unlock(const struct config *cfg, struct app *app, bool always)
{
	struct secret *pass = NULL;
	char *cause = NULL;
	const char *prompt = "mixchat: vault passphrase: ";
	bool command = cfg->passphrase_command != NULL &&
	               cfg->passphrase_command[0] != '\0';
	bool local;
	int rc, tries;

	if (!always && !app_needs_unlock(app))
		return EXIT_OK;
	if (secmem_harden_process() != MC_OK) {
		cli_error("cannot disable core dumps: refusing to read the "
		          "passphrase");
		return EXIT_RUNTIME;
	}
	/* With a model that needs no key (a local server), Enter alone goes
	 * on without the vault; the prompt says so. */
	local = !command && app_keyless_models(app) > 0;
	if (local)
		prompt = "mixchat: vault passphrase (Enter alone: local "
		         "models only): ";
	/* Typed at the terminal, a slip gets two more tries, as sudo gives;
	 * a passphrase_command would only say the same again. */
	for (tries = 0;; tries++) {
		rc = passphrase_get(cfg, -1, prompt, false, &pass, &cause);
		if (rc == MC_ERR_USAGE && !command) {
			/* Enter alone (passphrase_get's only usage error
			 * without confirm). */
			free(cause);
			cause = NULL;
			if (local) {
				app_keep_locked(app);
				return EXIT_OK;
			}
			cause = xstrdup("empty passphrase");
			rc = MC_ERR_PASSPHRASE;
		} else if (rc == MC_OK)
			rc = app_unlock(app, pass, &cause);
		secret_free(pass);
		pass = NULL;
		if (rc != MC_ERR_PASSPHRASE || tries == 2 || command)
			break;
		fprintf(stderr, "mixchat: %s: try again\n",
		    cause != NULL ? cause : mixchat_strerror(rc));
		free(cause);
		cause = NULL;
	}
	if (rc == MC_OK)
		return EXIT_OK;
	if (rc == MC_ERR_PASSPHRASE)
		passphrase_blame(cfg, -1, &cause);
	cli_error("%s", cause != NULL ? cause : mixchat_strerror(rc));
	free(cause);
	/* Ctrl-C at the prompt is an interrupt, as anywhere in a shell: the
	 * process dies of it once it is said, so that a loop of asks
	 * stops there (the terminal's echo is back; nothing was unlocked,
	 * nothing is half written). */
	if (rc == MC_ERR_CANCELLED) {
		fflush(stderr);
		signal(SIGINT, SIG_DFL);
		raise(SIGINT);
	}
	/* Ctrl-C at the prompt leaves the vault locked, as no passphrase
	 * does. */
	return rc == MC_ERR_PASSPHRASE || rc == MC_ERR_LOCKED ||
	               rc == MC_ERR_CANCELLED
	           ? EXIT_VAULT
	           : EXIT_RUNTIME;
}
