/*
 * fuzz_keymap.c - the key-map file parser and key names on any bytes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ui/keymap.h"
#include "util/xmalloc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keymap km;
	char *cause = NULL, *desc, name[64];
	char *s = xstrndup((const char *)data, size);
	size_t i, m;

	keymap_init(&km, "fuzz");
	/* *cause is set on MC_OK too (a key bound twice is a warning). */
	if (keymap_parse(&km, (const char *)data, size, "fuzz", &cause) !=
	    MC_OK) {
	}
	free(cause);
	/* Every binding's name reads back as the same key. */
	for (m = 0; m < KEYMAP_NMODES; m++) {
		for (i = 0; i < km.nbindings[m]; i++) {
			keymap_key_name(
			    km.bindings[m][i].key, name, sizeof name);
			if (keymap_key_from_name(name) != km.bindings[m][i].key)
				abort();
		}
	}
	desc = keymap_describe(&km);
	free(desc);
	(void)keymap_key_from_name(s);
	free(s);
	keymap_release(&km);
	return 0;
}
