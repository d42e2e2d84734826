/*
 * format.c - checking and parsing a vault file (layout in format.h).
 *
 * Pure parsing over untrusted bytes, no KDF and no decryption: the fuzz
 * target drives it directly.  The order of the checks matters: magic, then
 * the keyless checksum (so a flipped byte anywhere is "damaged", never
 * misread), then the version (so a newer file is named), then the fields.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/xmalloc.h"
#include "vault/format.h"
#include "vault/vault.h"

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | (unsigned)p[1];
}

void
vault_checksum(unsigned char *data, size_t len)
{
	crypto_generichash(data + len - VAULT_SUM_BYTES, VAULT_SUM_BYTES, data,
	    len - VAULT_SUM_BYTES, NULL, 0);
}

static int
checksum_ok(const unsigned char *data, size_t len)
{
	unsigned char sum[VAULT_SUM_BYTES];

	crypto_generichash(
	    sum, sizeof sum, data, len - VAULT_SUM_BYTES, NULL, 0);
	return sodium_memcmp(sum, data + len - VAULT_SUM_BYTES, sizeof sum) ==
	       0;
}

void
vault_header_release(struct vault_header *h)
{
	size_t i;

	for (i = 0; i < h->nnames; i++)
		free(h->names[i]);
	free(h->names);
	h->names = NULL;
	h->nnames = 0;
}

static int
damaged(const char *name, const char *what, char **cause)
{
	*cause = xasprintf("the vault %s is damaged (%s): it was not changed; "
	                   "restore it from a backup, or move it away and add "
	                   "the keys again",
	    name, what);
	return MC_ERR_CORRUPT;
}

int
vault_header_parse(const unsigned char *data, size_t len, const char *name,
    struct vault_header *h, char **cause)
{
	const unsigned char *p, *end;
	size_t i, n, nlen;
	int rc;

	memset(h, 0, sizeof *h);
	if (sodium_init() < 0)
		return MC_ERR_INTERNAL;
	if (len < 8 || memcmp(data, VAULT_MAGIC, 8) != 0) {
		*cause = xasprintf("%s is not a mixchat vault (no MIXVAULT "
		                   "signature): it was not changed; move it "
		                   "away if it is not yours",
		    name);
		return MC_ERR_CORRUPT;
	}
	if (len > VAULT_FILE_MAX)
		return damaged(name, "larger than any vault", cause);
	if (len < VAULT_FIXED_BYTES + 4 + VAULT_TAG_BYTES + VAULT_SUM_BYTES)
		return damaged(name, "truncated", cause);
	if (!checksum_ok(data, len))
		return damaged(
		    name, "checksum mismatch: truncated or altered", cause);
	h->version = get16(data + 8);
	if (h->version != VAULT_VERSION) {
		*cause = xasprintf("the vault %s has format version %u; this "
		                   "mixchat reads version %d: upgrade mixchat",
		    name, h->version, VAULT_VERSION);
		return MC_ERR_VERSION;
	}
	if (data[10] != VAULT_KDF_ARGON2ID13 || data[11] != 0)
		return damaged(name, "unknown KDF algorithm", cause);
	h->opslimit = get32(data + 12);
	h->mem_kib = get32(data + 16);
	if (h->opslimit < VAULT_OPS_MIN || h->opslimit > VAULT_OPS_MAX ||
	    h->mem_kib < VAULT_MEM_KIB_MIN || h->mem_kib > VAULT_MEM_KIB_MAX) {
		*cause =
		    xasprintf("the vault %s asks for absurd KDF parameters "
		              "(%lu passes, %lu KiB; allowed %d..%d passes, "
		              "%u..%u KiB): refused before running the "
		              "KDF; the file was not changed",
		        name, (unsigned long)h->opslimit,
		        (unsigned long)h->mem_kib, VAULT_OPS_MIN, VAULT_OPS_MAX,
		        VAULT_MEM_KIB_MIN, VAULT_MEM_KIB_MAX);
		return MC_ERR_CORRUPT;
	}
	memcpy(h->salt, data + 20, VAULT_SALT_BYTES);
	memcpy(h->check, data + 36, VAULT_CHECK_BYTES);
	memcpy(h->nonce, data + 52, VAULT_NONCE_BYTES);
	n = get16(data + 76);
	if (n > VAULT_ENTRIES_MAX) {
		rc = damaged(name, "too many names", cause);
		goto out;
	}
	p = data + VAULT_FIXED_BYTES;
	end = data + len - VAULT_SUM_BYTES;
	h->names = xcalloc(n == 0 ? 1 : n, sizeof *h->names);
	for (i = 0; i < n; i++) {
		if (p >= end) {
			rc = damaged(name, "name list cut short", cause);
			goto out;
		}
		nlen = *p++;
		if (nlen > (size_t)(end - p)) {
			rc = damaged(name, "name list cut short", cause);
			goto out;
		}
		h->names[i] = xstrndup((const char *)p, nlen);
		h->nnames++;
		p += nlen;
		if (strlen(h->names[i]) != nlen ||
		    !vault_name_valid(h->names[i])) {
			rc = damaged(name, "invalid provider name", cause);
			goto out;
		}
		if (i > 0 && strcmp(h->names[i - 1], h->names[i]) >= 0) {
			rc = damaged(name, "names out of order", cause);
			goto out;
		}
	}
	if ((size_t)(end - p) < 4) {
		rc = damaged(name, "truncated", cause);
		goto out;
	}
	h->ct_len = get32(p);
	p += 4;
	h->ad_len = (size_t)(p - data);
	if (h->ct_len != (size_t)(end - p) || h->ct_len < VAULT_TAG_BYTES) {
		rc = damaged(name, "ciphertext length mismatch", cause);
		goto out;
	}
	h->ct = p;
	return MC_OK;
out:
	vault_header_release(h);
	return rc;
}
