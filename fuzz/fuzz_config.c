/*
 * fuzz_config.c - config.json merging on any bytes.
 */
#include "config.h"

#include <stdlib.h>

#include "config/config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char *cause = NULL;

	config_init(&cfg);
	if (config_load_text(&cfg, (const char *)data, size, "fuzz", &cause) !=
	    MC_OK)
		free(cause);
	config_release(&cfg);
	return 0;
}
