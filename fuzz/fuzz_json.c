/*
 * fuzz_json.c - json_parse() and json_locate() on any bytes.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "util/json.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *root = NULL;
	char *cause = NULL;

	if (json_parse((const char *)data, size, 1 << 20, true, "fuzz", &root,
		&cause) == MC_OK)
		cJSON_Delete(root);
	free(cause);
	(void)json_locate((const char *)data, size, "models[1].price");
	(void)json_locate((const char *)data, size, "a.b[0]");
	return 0;
}
