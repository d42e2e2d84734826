/*
 * fuzz_stream.c - each API's stream decoder (openai, anthropic, gemini,
 * ollama: chosen by the first byte's low bits; its next bit reads the
 * body as one JSON answer, as for a server that ignores "stream": true)
 * on any bytes, in pieces whose size comes from the second byte.  The text handed out must always be valid
 * UTF-8.
 */
#include "config.h"

#include <stdlib.h>

#include "fuzz.h"
#include "net/stream.h"
#include "util/utf8.h"

static void
text(void *ud, const char *t, size_t len)
{
	(void)ud;
	if (len == 0 || !utf8_valid(t, len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream st;
	enum provider_api api;
	size_t piece, i;

	if (size < 2)
		return 0;
	api = (enum provider_api)(data[0] % 4);
	piece = (size_t)data[1] % 64 + 1;
	data += 2;
	size -= 2;
	stream_init(&st, api, text, NULL);
	if (data[-2] & 4)
		stream_whole(&st);
	for (i = 0; i < size; i += piece)
		if (stream_feed(&st, (const char *)data + i,
		        size - i < piece ? size - i : piece) != MC_OK)
			break;
	(void)!stream_finish(&st);
	stream_release(&st);
	return 0;
}
