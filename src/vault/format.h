/*
 * format.h - the vault file's layout, and its parser (internal to
 * src/vault, the tests and the fuzz target).
 *
 * Version 1, all integers big-endian:
 *
 *	 offset  size  field
 *	+------+------+-------------------------------------------------+
 *	|    0 |    8 | magic "MIXVAULT"                                |
 *	|    8 |    2 | format version (1)                              |
 *	|   10 |    1 | KDF algorithm (2 = Argon2id v1.3)               |
 *	|   11 |    1 | reserved, 0                                     |
 *	|   12 |    4 | KDF opslimit (passes)                           |
 *	|   16 |    4 | KDF memlimit in KiB                             |
 *	|   20 |   16 | salt (random, new on every passphrase change)   |
 *	|   36 |   16 | passphrase check (KDF subkey 2, see below)      |
 *	|   52 |   24 | nonce (random, new on every save)               |
 *	|   76 |    2 | number of names N (<= 256)                      |
 *	|   78 |  ... | N x { length (1 byte, 1..64), name bytes }      |
 *	|    H |    4 | ciphertext length C                             |
 *	+------+------+-------------------------------------------------+  <- the
 *	|  H+4 |    C | XChaCha20-Poly1305 ciphertext + 16-byte tag     |  header,
 *	+------+------+-------------------------------------------------+  bytes
 *	| end-32 | 32 | BLAKE2b-256 of every byte before it             |  0..H+4,
 *	+------+------+-------------------------------------------------+  is the AD
 *
 *	plaintext = for each name, in header order:
 *	            { key length (2 bytes), key bytes }
 *
 * The KDF output (32 bytes, Argon2id over the passphrase and salt) is a
 * master key; crypto_kdf subkey 1 ("mcvault1") encrypts, subkey 2 is the
 * passphrase check.  A check that does not match means a wrong passphrase
 * (the file is left alone); a check that matches with a ciphertext that
 * does not authenticate means tampering.  The trailing checksum is keyless:
 * it catches damage and truncation before the KDF runs and lets
 * vault_list_names() trust the names against accidents; forgery is caught
 * by the AEAD, whose associated data is the whole header.  Every version
 * keeps the magic, the version field and the trailing checksum where they
 * are, so an unknown version is named rather than called damage.
 * Names are sorted and unique.
 */
#ifndef MIXCHAT_VAULT_FORMAT_H
#define MIXCHAT_VAULT_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define VAULT_MAGIC          "MIXVAULT"
#define VAULT_VERSION        1
#define VAULT_KDF_ARGON2ID13 2
#define VAULT_SALT_BYTES     16
#define VAULT_CHECK_BYTES    16
#define VAULT_NONCE_BYTES    24
#define VAULT_TAG_BYTES      16
#define VAULT_SUM_BYTES      32
#define VAULT_FIXED_BYTES    78 /* magic .. number of names */
/* The largest file a valid vault can be (a little over 2 MiB). */
#define VAULT_FILE_MAX (4u << 20)

/*
 * KDF parameters a header may carry.  Anything outside is refused before
 * the KDF runs: a forged header must not make us allocate gigabytes or spin
 * for hours.  libsodium's SENSITIVE level (4 passes, 1 GiB) is the top.
 */
#define VAULT_OPS_MIN     1
#define VAULT_OPS_MAX     10
#define VAULT_MEM_KIB_MIN 8          /* 8 KiB, libsodium's minimum */
#define VAULT_MEM_KIB_MAX (1u << 20) /* 1 GiB */

struct vault_header {
	unsigned version;
	uint32_t opslimit;
	uint32_t mem_kib;
	unsigned char salt[VAULT_SALT_BYTES];
	unsigned char check[VAULT_CHECK_BYTES];
	unsigned char nonce[VAULT_NONCE_BYTES];
	char **names; /* nnames strings, sorted */
	size_t nnames;
	size_t ad_len;           /* bytes 0 .. H+4: the associated data */
	const unsigned char *ct; /* points into the parsed bytes */
	size_t ct_len;           /* including the tag */
};

/*
 * vault_header_parse: check and parse a whole vault file held in data
 * (len bytes).  name is used in messages.  On success h holds the fields
 * (release with vault_header_release; ct points into data).  Errors:
 * MC_ERR_CORRUPT (truncated, damaged, malformed, absurd KDF parameters),
 * MC_ERR_VERSION (a version other than 1, named).  Sets *cause.
 */
int vault_header_parse(const unsigned char *data, size_t len, const char *name,
    struct vault_header *h, char **cause) MC_WUR;
/* vault_header_release: free what vault_header_parse allocated. */
void vault_header_release(struct vault_header *h);
/*
 * vault_checksum: compute the trailing checksum of a file of len bytes
 * (len >= VAULT_SUM_BYTES) into its last VAULT_SUM_BYTES.  For writers and
 * for tests that forge a header.
 */
void vault_checksum(unsigned char *data, size_t len);

#endif
