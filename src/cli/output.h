/*
 * output.h - what the subcommands print about a reply.
 */
#ifndef MIXCHAT_OUTPUT_H
#define MIXCHAT_OUTPUT_H

#include <stdio.h>

#include "app/app.h"
#include "config/config.h"

/* cli_print_footer: the footer line (and an error line) of a reply. */
void cli_print_footer(FILE *f, const struct app_exchange *ex);
/* cli_print_footer_line: the footer line alone (its error said apart). */
void cli_print_footer_line(FILE *f, const struct app_exchange *ex);
/*
 * cli_print_exchange_json: `ask --json`: reply_id, model, reply, cost_usd,
 * ttft_ms, latency_ms, tokens_in, tokens_out, tokens_estimated, decision,
 * and error when it failed.
 */
void cli_print_exchange_json(FILE *f, const struct app_exchange *ex);
/*
 * cli_unlock: when the app needs the vault, get the passphrase (terminal,
 * passphrase_command) and unlock; returns an exit code (3 on failure).
 * At the terminal a wrong or empty passphrase is asked again, three tries
 * in all; when some model needs no key, Enter alone goes on without the
 * vault (app_keep_locked) instead.  always: ask even when no model
 * would use a key from it (the chat, where a passphrase typed by habit
 * would otherwise be sent as a message).
 */
int cli_unlock(const struct config *cfg, struct app *app, bool always);

#endif
