/*
 * fuzz_vault_header.c - the vault file parser (src/vault/format.c) on any
 * bytes.  To reach past the checksum, the input is tried twice: as is, and
 * with a valid checksum written over its last 32 bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "vault/format.h"

static void
parse(const unsigned char *data, size_t size)
{
	struct vault_header h;
	char *cause = NULL;

	if (vault_header_parse(data, size, "fuzz", &h, &cause) == MC_OK) {
		if (h.ct == NULL || h.ad_len + 4 > size ||
		    h.ct + h.ct_len > data + size)
			abort();
		vault_header_release(&h);
	} else {
		if (cause == NULL)
			abort();
		free(cause);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *copy;

	parse(data, size);
	if (size >= VAULT_SUM_BYTES && size <= VAULT_FILE_MAX) {
		copy = malloc(size);
		if (copy == NULL)
			abort();
		memcpy(copy, data, size);
		vault_checksum(copy, size);
		parse(copy, size);
		free(copy);
	}
	return 0;
}
