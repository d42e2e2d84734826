/*
 * passphrase.h - getting a passphrase or an API key from the user, straight
 * into guarded memory.
 *
 * Never from argv or the environment.  A passphrase comes from, in order:
 * a file descriptor the caller names (--passphrase-fd N: one line), the
 * configured vault.passphrase_command (run with /bin/sh -c; the first line
 * of its standard output), or the terminal (/dev/tty, echo off, restored
 * on SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGTSTP).  Lines are read one byte at a
 * time, so two reads from the same descriptor take two lines and nothing
 * after them.  A trailing "\n" (and "\r") is stripped.
 *
 * Every secret returned is locked (NO_ACCESS); free it with secret_free().
 * Call secmem_harden_process() before any of these.
 */
#ifndef MIXCHAT_PASSPHRASE_H
#define MIXCHAT_PASSPHRASE_H

#include <stdbool.h>

#include "config/config.h"
#include "util/error.h"
#include "vault/secmem.h"

/* Longest passphrase accepted, in bytes. */
#define PASSPHRASE_MAX 1024

/*
 * passphrase_get: a passphrase, from fd (>= 0), else cfg's
 * passphrase_command (cfg may be NULL to skip it, e.g. for a new
 * passphrase), else the terminal with prompt.  confirm asks the terminal
 * twice and compares (only for the terminal: a descriptor or command is
 * read once).  Errors: MC_ERR_LOCKED when there is no source or it gives
 * nothing ("no passphrase: run in a terminal, or set
 * vault.passphrase_command (the keys commands also take --passphrase-fd
 * N)"), MC_ERR_CANCELLED when Ctrl-C (SIGINT) ends the terminal's
 * prompt ("passphrase entry cancelled"), MC_ERR_USAGE for an empty
 * passphrase or two
 * that differ (without confirm, MC_ERR_USAGE is an empty one only: Enter
 * alone at the terminal, or an empty line), MC_ERR_LIMIT when longer than
 * PASSPHRASE_MAX.  When the command has not answered within 300 ms and
 * standard error is a terminal, a line there says what is waited for.
 */
int passphrase_get(const struct config *cfg, int fd, const char *prompt,
    bool confirm, struct secret **out, char **cause) MC_WUR;

/*
 * passphrase_blame: after a wrong passphrase that passphrase_get(cfg, fd,
 * ...) read, add to *cause (replaced, freed by the caller) where it came
 * from when it was not typed: the descriptor, or vault.passphrase_command
 * (named with cfg's config file, and what to do after `keys passwd`).
 */
void passphrase_blame(const struct config *cfg, int fd, char **cause);

/*
 * passphrase_read_key: an API key for provider: from the terminal with echo
 * off when standard input is a terminal, else the first line of standard
 * input.  MC_ERR_USAGE when empty; MC_ERR_LIMIT past max bytes.
 */
int passphrase_read_key(
    const char *provider, size_t max, struct secret **out, char **cause) MC_WUR;

/*
 * passphrase_read_line: one line from fd into a new locked secret of at
 * most max bytes (newline stripped).  *eof is set when the descriptor
 * ended before any byte.  MC_ERR_LIMIT past max, MC_ERR_IO on a read error.
 */
int passphrase_read_line(
    int fd, size_t max, struct secret **out, bool *eof) MC_WUR;

#endif
