/*
 * output.h - what the subcommands print about a reply.
 */
#ifndef MIXCHAT_OUTPUT_H
#define MIXCHAT_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "app/app.h"
#include "config/config.h"

/*
 * A model's text on its way to a terminal (`ask`, `export`): what a
 * terminal would obey is left out - C0 controls but newline and tab (ESC
 * and so every escape sequence's start, CR, BEL), DEL, C1 controls and the
 * bidirectional overrides - as the chat screen leaves them out, so that a
 * reply cannot clear the screen, move the cursor, retitle the window or
 * set the clipboard (OSC 52).  Text going to a file or a pipe is written
 * as it came.  A character split between two writes is held until it is
 * whole.
 */
struct tty_text {
	bool on;      /* the stream is a terminal: clean */
	char held[4]; /* the start of a character cut by the last write */
	size_t nheld;
};
/* tty_text_init: on when fd is a terminal. */
void tty_text_init(struct tty_text *t, int fd);
/* tty_text_clean: s (n bytes) as it goes out, into out (room for n + 4
 * bytes); returns how many bytes out holds. */
size_t tty_text_clean(struct tty_text *t, const char *s, size_t n, char *out);

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
