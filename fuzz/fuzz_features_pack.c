/*
 * fuzz_features_pack.c - the features kept with a rating, as the app
 * reads them back from the store to rebuild the memory
 * (router_features_unpack): any bytes as (index, value) float pairs.
 * What unpacks must pack back to the same pairs in the same order, and
 * must be safe to teach the memory and to ask it for a correction.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "router/memory.h"
#include "router/online.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(float), m;
	float *v, *back;
	struct router_features *f;
	struct router_memory *mem;
	double d;

	v = malloc(n * sizeof *v + 1);
	f = malloc(sizeof *f);
	if (v == NULL || f == NULL)
		abort();
	memcpy(v, data, n * sizeof *v);
	if (router_features_unpack(v, n, f)) {
		/* What is read and written back reads back the same. */
		struct router_features *g = malloc(sizeof *g);
		float *again;
		size_t m2;

		if (g == NULL)
			abort();
		back = router_features_pack(f, &m);
		if (!router_features_unpack(back, m, g))
			abort();
		again = router_features_pack(g, &m2);
		if (m2 != m || memcmp(again, back, m * sizeof *back) != 0)
			abort();
		free(again);
		free(back);
		free(g);
		mem = router_memory_new();
		router_memory_add(mem, f, "a", 0.0, 0.5, 1.0);
		router_memory_add(mem, f, "b", 1.0, 0.5, 0.5);
		d = router_memory_correction(mem, f, "a", NULL);
		if (isnan(d))
			abort();
		router_memory_free(mem);
	}
	free(v);
	free(f);
	return 0;
}
