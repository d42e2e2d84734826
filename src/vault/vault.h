/*
 * vault.h - the key vault: provider API keys encrypted with libsodium.
 *
 * One file, <data_dir>/vault, mode 0600, owned by the user.  It holds one
 * key per provider name.  The names are stored in plaintext in the file's
 * header, which is authenticated as associated data, so the chat and
 * `mixchat route` can see which providers have a key without asking for the
 * passphrase (vault_list_names); the keys are encrypted with
 * XChaCha20-Poly1305 under a key derived from the passphrase with Argon2id.
 * The on-disk format is drawn in format.h.
 *
 * Secrets (the passphrase, the derived key, every API key) live only in
 * guarded memory (struct secret, secmem.h) and stay NO_ACCESS while idle.
 *
 *	struct vault *v;
 *	rc = vault_open(path, pass, &v, &cause);	 (or vault_create)
 *	key = vault_get(v, "openai");
 *	secret_unlock_ro(key); ... use key->p ...; secret_lock(key);
 *	vault_close(v);
 *
 * Errors (every function that can fail sets *cause, freed by the caller):
 *	MC_ERR_NOTFOUND    no vault file
 *	MC_ERR_PERM        not a regular file, not ours, or group/world access
 *	MC_ERR_CORRUPT     truncated, damaged, tampered, or absurd parameters
 *	MC_ERR_VERSION     a format version this build does not read (named)
 *	MC_ERR_PASSPHRASE  wrong passphrase ("wrong passphrase")
 *	MC_ERR_IO, MC_ERR_FULL  reading or writing failed
 * A failed open never writes the file.
 */
#ifndef MIXCHAT_VAULT_H
#define MIXCHAT_VAULT_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"
#include "vault/secmem.h"

struct vault;

/*
 * The cost of the passphrase KDF (Argon2id) for a new vault.  The file
 * records the parameters, so opening always uses what the vault was made
 * with.  VAULT_COST_MIN is a testing aid (libsodium's minimum: no
 * protection against guessing); never use it for real keys.
 */
enum vault_cost {
	VAULT_COST_DEFAULT, /* libsodium MODERATE: 3 passes, 256 MiB */
	VAULT_COST_MIN,     /* 1 pass, 8 KiB: tests only */
};

/* Longest provider name, most entries, longest key. */
#define VAULT_NAME_MAX    64
#define VAULT_ENTRIES_MAX 256
#define VAULT_KEY_MAX     8192

/*
 * vault_cost_from_env: VAULT_COST_MIN when MIXCHAT_VAULT_KDF=min (a hidden
 * testing aid, honoured only when a vault is created; it carries no
 * secret), else VAULT_COST_DEFAULT.
 */
enum vault_cost vault_cost_from_env(void);

/* vault_exists: whether a vault file is at path. */
bool vault_exists(const char *path);

/*
 * vault_name_valid: whether name can name a vault entry: 1..VAULT_NAME_MAX
 * bytes of [A-Za-z0-9._-].
 */
bool vault_name_valid(const char *name);

/*
 * vault_list_names: the provider names in the vault at path, without the
 * passphrase.  The file is checked (permissions, checksum, format) but not
 * decrypted: a deliberately forged name list is only caught by vault_open.
 * On success *names is an array of *n strings, sorted; free with
 * vault_names_free(*names, *n).
 */
int vault_list_names(
    const char *path, char ***names, size_t *n, char **cause) MC_WUR;
/* vault_names_free: free what vault_list_names returned (NULL is fine). */
void vault_names_free(char **names, size_t n);

/*
 * vault_open: read and decrypt the vault at path with passphrase (not
 * taken: the caller still frees it).  On success *out is the open vault,
 * closed with vault_close().  See the error list above.
 */
int vault_open(const char *path, const struct secret *passphrase,
    struct vault **out, char **cause) MC_WUR;

/*
 * vault_create: a new, empty vault for path, protected by passphrase (not
 * taken), with a KDF of the given cost.  Nothing is written until
 * vault_save().  MC_ERR_EXISTS if a file is already at path.
 */
int vault_create(const char *path, const struct secret *passphrase,
    enum vault_cost cost, struct vault **out, char **cause) MC_WUR;

/* vault_path: the file the vault was opened from or will be saved to. */
const char *vault_path(const struct vault *v);

/* vault_count: the number of entries. */
size_t vault_count(const struct vault *v);
/* vault_name: the name of entry i (< vault_count), sorted; owned by v. */
const char *vault_name(const struct vault *v, size_t i);

/*
 * vault_get: the key stored for provider, or NULL.  Owned by the vault and
 * locked (NO_ACCESS): wrap a use in secret_unlock_ro() ... secret_lock().
 * Valid until the entry is replaced or removed or the vault closed.
 */
const struct secret *vault_get(const struct vault *v, const char *provider);

/*
 * vault_set: store key for provider, replacing any key it had.  The vault
 * takes ownership of key (and locks it), also on failure.  MC_ERR_USAGE for
 * an invalid name or an empty, too long or control-character key;
 * MC_ERR_LIMIT when the vault is full.  In memory only until vault_save().
 */
int vault_set(struct vault *v, const char *provider, struct secret *key,
    char **cause) MC_WUR;

/* vault_remove: drop provider's key; MC_ERR_NOTFOUND if it had none. */
int vault_remove(struct vault *v, const char *provider) MC_WUR;

/*
 * vault_save: encrypt the entries under a fresh random nonce and replace
 * the file atomically (temp file O_EXCL 0600, fsync, rename, fsync the
 * folder): a crash leaves the old vault or the new one.  Holds an
 * exclusive flock on PATH.lock while writing, and removes temporary files
 * left by killed writers.  MC_ERR_AGAIN, writing nothing, when another
 * process replaced the file since this vault was opened or created.
 */
int vault_save(struct vault *v, char **cause) MC_WUR;

/*
 * vault_passwd: protect the vault with new_passphrase (not taken): a new
 * salt and a new derived key, same KDF parameters.  In memory only: the
 * file keeps the old passphrase until vault_save() replaces it atomically.
 */
int vault_passwd(
    struct vault *v, const struct secret *new_passphrase, char **cause) MC_WUR;

/*
 * vault_fingerprint: 8 hex digits identifying a key without revealing it:
 * the start of BLAKE2b keyed with a fixed public label, over the key.  The
 * same key gives the same fingerprint in every vault.  buf holds 9 bytes.
 */
void vault_fingerprint(const struct secret *key, char buf[9]);

/*
 * vault_reload: take in what the vault file holds now, when it changed
 * since v last looked at it (its inode, size, times or mode: another
 * mixchat ran `keys add`, `remove` or `passwd`).  No passphrase is needed:
 * the file is decrypted with the key v derived from it at open, which v
 * keeps in guarded memory anyway; the passphrase itself is not kept.
 * *changed says whether the file had changed (false: nothing was read,
 * MC_OK).  With *changed:
 *	MC_OK              v holds the file's keys now (vault_get pointers
 *	                   taken before are gone)
 *	MC_ERR_PASSPHRASE  the file has another passphrase: v keeps only the
 *	                   keys whose names are still in it, as they were
 *	MC_ERR_NOTFOUND    the file was removed: v holds no key
 *	any other error    the file cannot be used (vault_open's errors): v
 *	                   holds no key
 * and *cause says which.  A later vault_save of v refuses (MC_ERR_AGAIN)
 * unless it was MC_OK.  Never writes the file.
 */
int vault_reload(struct vault *v, bool *changed, char **cause) MC_WUR;

/* vault_close: wipe and free everything (NULL is fine). */
void vault_close(struct vault *v);

#endif
