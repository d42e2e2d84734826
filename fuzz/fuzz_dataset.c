/*
 * fuzz_dataset.c - the routing-dataset line parser on any bytes: each input
 * is split into lines and parsed as a dataset file would be.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "router/dataset.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dataset ds;
	const char *p = (const char *)data, *end = p + size, *nl;
	char *cause = NULL;
	size_t lineno = 0;

	dataset_init(&ds, "fuzz");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		lineno++;
		if (dataset_parse_line(&ds, p, (size_t)(nl - p), lineno,
		        lineno % 2 ? NULL : "arc-challenge", &cause) != MC_OK) {
			free(cause);
			cause = NULL;
			break;
		}
		p = nl + 1;
	}
	if (ds.nrows > 0) {
		double pin[DATASET_MAX_MODELS], pout[DATASET_MAX_MODELS];

		dataset_prices(&ds, NULL, pin, pout);
	}
	dataset_release(&ds);
	return 0;
}
