/*
 * fuzz_store_record.c - every store record decoder (src/store/record.c) on
 * any bytes: each must reject or decode without reading outside the input,
 * and what it decodes must encode again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "store/record.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store_session ss;
	struct store_message m;
	struct store_rating r;
	struct store_spend sp;
	struct store_latency lat;
	struct store_refusal ref;
	const char *text;
	const void *blob;
	size_t len;
	int64_t created;
	int role;
	char *k;
	struct buf b;

	buf_init(&b, 64u << 20);
	if (record_session_decode(data, size, &ss) == MC_OK) {
		if (record_session_encode(&ss, &b) != MC_OK)
			abort();
		store_session_release(&ss);
	}
	buf_reset(&b);
	if (record_message_decode(data, size, &m) == MC_OK) {
		if (record_message_encode(&m, &b) != MC_OK || b.len != size ||
		    memcmp(b.data, data, size) != 0)
			abort();
		store_message_release(&m);
	}
	if (record_message_peek(data, size, &role, &created, &text, &len) ==
	        MC_OK &&
	    len > size)
		abort();
	buf_reset(&b);
	if (record_rating_decode(data, size, &r) == MC_OK) {
		if (record_rating_encode(&r, &b) != MC_OK)
			abort();
		record_rating_release(&r);
	}
	if (record_router_decode(data, size, &blob, &len) == MC_OK &&
	    len > size)
		abort();
	memset(&sp, 0, sizeof sp);
	if (record_spend_decode(data, size, &sp) == MC_OK && size != 29)
		abort();
	if (record_latency_decode(data, size, &lat) == MC_OK && size != 29)
		abort();
	buf_reset(&b);
	if (record_refusal_decode(data, size, &ref) == MC_OK &&
	    (record_refusal_encode(&ref, &b) != MC_OK || b.len != size ||
	        memcmp(b.data, data, size) != 0))
		abort();
	k = record_key_text("messages", data, size);
	free(k);
	k = record_key_text("spend", data, size);
	free(k);
	k = record_key_text("ratings", data, size);
	free(k);
	buf_release(&b);
	return 0;
}
