/*
 * fuzz_sse.c - the SSE decoder (or, built with -DFUZZ_NDJSON as
 * fuzz_ndjson, the NDJSON decoder) on any bytes, fed in pieces whose sizes
 * come from the first byte.
 */
#include "config.h"

#include "fuzz.h"
#include "net/sse.h"

static int
count(void *ud, const char *a, const char *b, size_t len)
{
	(void)a;
	(void)b;
	(void)len;
	(*(size_t *)ud)++;
	return MC_OK;
}

static int
count_line(void *ud, const char *line, size_t len)
{
	(void)line;
	(void)len;
	(*(size_t *)ud)++;
	return MC_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t piece, i, n = 0;
	const char *p = (const char *)data;
	int rc = MC_OK;

	if (size == 0)
		return 0;
	piece = (size_t)data[0] % 17 + 1;
	p++;
	size--;
#ifdef FUZZ_NDJSON
	struct ndjson d;

	(void)count;
	ndjson_init(&d, 4096, count_line, &n);
	for (i = 0; i < size && rc == MC_OK; i += piece)
		rc =
		    ndjson_feed(&d, p + i, size - i < piece ? size - i : piece);
	if (ndjson_finish(&d) != rc && rc == MC_OK)
		n++;
	ndjson_release(&d);
#else
	struct sse s;

	(void)count_line;
	sse_init(&s, 4096, count, &n);
	for (i = 0; i < size && rc == MC_OK; i += piece)
		rc = sse_feed(&s, p + i, size - i < piece ? size - i : piece);
	if (sse_finish(&s) != rc && rc == MC_OK)
		n++;
	sse_release(&s);
#endif
	return 0;
}
