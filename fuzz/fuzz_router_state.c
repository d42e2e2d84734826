/*
 * fuzz_router_state.c - the router-state deserializer on any bytes: as a
 * whole state, and as one model's blob.  Inputs whose checksum is wrong
 * only reach the header checks, so the bytes are also tried with a
 * recomputed CRC-32 to reach the payload parser.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "router/router_int.h"

static void
try_blob(const uint8_t *data, size_t size)
{
	struct router *r = router_new_empty();
	struct router_context ctx;
	struct router_decision d;
	char *cause = NULL;

	if (router_state_load(r, data, size, &cause) != MC_OK)
		free(cause);
	cause = NULL;
	if (router_add_model(r, "gpt-4-1106-preview", 10, 30,
	        "gpt-4-1106-preview") == MC_OK &&
	    router_model_load(r, "gpt-4-1106-preview", data, size, &cause) !=
	        MC_OK)
		free(cause);
	router_context_init(&ctx, MODE_BALANCED);
	if (router_decide(r, "hello", 5, &ctx, &d) == MC_OK)
		router_decision_release(&d);
	else
		router_decision_release(&d);
	router_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint32_t crc;

	try_blob(data, size);
	if (size < 16)
		return 0;
	copy = malloc(size);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	crc = router_crc32(copy, size - 4);
	copy[size - 4] = (uint8_t)crc;
	copy[size - 3] = (uint8_t)(crc >> 8);
	copy[size - 2] = (uint8_t)(crc >> 16);
	copy[size - 1] = (uint8_t)(crc >> 24);
	try_blob(copy, size);
	free(copy);
	return 0;
}
