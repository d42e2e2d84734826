/*
 * log.h - the debug log.
 *
 * Off unless log_open() was called (mixchat --log FILE).  Lines are
 * timestamped and appended: the router's decisions, each request (model,
 * provider, URL) and its outcome (timing, tokens, cost, error), ratings,
 * and the store's and router's events.  Never log a secret or a
 * conversation: keys, passphrases, Authorization headers, prompts and
 * replies are not passed to these functions anywhere.
 */
#ifndef MIXCHAT_LOG_H
#define MIXCHAT_LOG_H

#include "util/error.h"

/* log_open: start logging to path (appended, mode 0600: an existing file
 * is narrowed to it; a symlink is refused). */
int log_open(const char *path) MC_WUR;
void log_close(void);
void log_debug(const char *fmt, ...) MC_PRINTF(1, 2);

#endif
