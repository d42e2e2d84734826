/*
 * secmem.h - guarded memory for secrets (API keys, passphrases, derived
 * keys), on libsodium's sodium_malloc().
 *
 * A struct secret's bytes live in a guarded allocation: guard pages around
 * it, mlock'd, and wiped on free.  Keep it NO_ACCESS while idle
 * (secret_lock) and open it for reading just around a use
 * (secret_unlock_ro ... secret_lock).  Never copy a secret into ordinary
 * memory: not a cJSON tree, not a log line, not LMDB, not argv or environ.
 * The bytes are NUL-terminated (len does not count the NUL).
 */
#ifndef MIXCHAT_SECMEM_H
#define MIXCHAT_SECMEM_H

#include <stddef.h>

#include "util/error.h"

struct secret {
	char *p; /* sodium_malloc'd, len + 1 bytes */
	size_t len;
};

/* secmem_init: initialise libsodium; call once before any secret. */
int secmem_init(void) MC_WUR;
/*
 * secmem_harden_process: no core dumps, not ptrace-able or dumpable.  Call
 * before any secret is read.
 */
int secmem_harden_process(void) MC_WUR;
/*
 * secmem_wipe_stack: zero SECMEM_STACK_WIPE bytes of the stack below the
 * caller's frame, where a crypto call on a secret just left its state
 * (BLAKE2b's block buffer, ChaCha's key schedule).  Call it right after
 * such a call returns (libsodium 1.0.18 has no sodium_stackzero).
 */
#define SECMEM_STACK_WIPE (16 * 1024)
void secmem_wipe_stack(void);
/* secret_new: a zeroed secret of len bytes, readable and writable. */
struct secret *secret_new(size_t len);
/* secret_from: a new secret holding a copy of n bytes at p. */
struct secret *secret_from(const void *p, size_t n);
/* secret_free: wipe and free (NULL is fine). */
void secret_free(struct secret *s);
/* secret_lock: make it inaccessible until the next unlock. */
void secret_lock(const struct secret *s);
/* secret_unlock_ro: make it readable. */
void secret_unlock_ro(const struct secret *s);
/* secret_unlock_rw: make it readable and writable. */
void secret_unlock_rw(const struct secret *s);
/* secret_equal: constant-time comparison of two secrets' bytes. */
int secret_equal(const struct secret *a, const struct secret *b);

#endif
