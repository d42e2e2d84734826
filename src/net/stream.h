/*
 * stream.h - a provider's streamed reply, decoded: the visible text, the
 * usage numbers, the end marker and in-stream errors, for each of the four
 * APIs (openai and every compatible server, anthropic, gemini, ollama).
 *
 * Pure: no I/O.  net.c feeds it the body bytes as they arrive; the tests,
 * the fuzz targets and the benchmark feed it recorded streams.
 *
 * What ends a reply, per API (shared/reference/providers.md §9):
 *	openai     "data: [DONE]"
 *	anthropic  "event: message_stop"
 *	gemini     a frame with candidates[].finishReason (the server then
 *	           closes; there is no terminator; frames after it, such as
 *	           a usage-only one, are still read)
 *	ollama     a line with "done": true
 * A server that ignores "stream": true answers with one JSON object (the
 * API's non-streamed response; for gemini, a JSON array of frames):
 * stream_whole switches the decoder to keep the body and decode it whole
 * at stream_finish.
 * An in-stream error (openai/OpenRouter/vLLM {"error":...}, anthropic
 * "event: error", gemini {"error":...}, ollama {"error":"..."}) stops the
 * decoder with MC_ERR_PROVIDER; bad JSON stops it with MC_ERR_PARSE.
 */
#ifndef MIXCHAT_NET_STREAM_H
#define MIXCHAT_NET_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "net/sse.h"
#include "util/buf.h"
#include "util/error.h"

/* Longest SSE event or NDJSON line accepted. */
#define STREAM_MAX_EVENT (4u << 20)

/* Usage as the API reported it (fields not sent stay 0 / false). */
struct stream_usage {
	long in;          /* input tokens (anthropic: uncached only) */
	long out;         /* output tokens, reasoning/thinking included */
	long cached_in;   /* openai/gemini: subset of in; deepseek hits */
	long cache_read;  /* anthropic: cache_read_input_tokens */
	long cache_write; /* anthropic: cache_creation_input_tokens */
	bool have_in, have_out;
	double cost; /* OpenRouter's usage.cost (USD) */
	bool have_cost;
};

/* Called with each non-empty piece of visible text (valid UTF-8). */
typedef void (*stream_text_fn)(void *ud, const char *text, size_t len);

struct stream {
	enum provider_api api;
	struct sse sse;
	struct ndjson nd;
	stream_text_fn on_text;
	void *ud;
	struct stream_usage usage;
	bool done;     /* the API's end marker arrived */
	int err;       /* MC_OK, MC_ERR_PROVIDER, MC_ERR_PARSE, MC_ERR_LIMIT */
	char *message; /* what went wrong, in the provider's words */
	size_t text_bytes; /* visible text so far */
	size_t events;     /* events / lines decoded */
	bool whole;        /* one JSON answer, kept in body until the end */
	struct buf body;
};

/* stream_init: a decoder for api calling on_text(ud, ...) for text. */
void stream_init(
    struct stream *st, enum provider_api api, stream_text_fn on_text, void *ud);
/* stream_whole: the body is one JSON answer, not a stream (before the
 * first stream_feed). */
void stream_whole(struct stream *st);
/* stream_release: free what it holds (message too). */
void stream_release(struct stream *st);
/*
 * stream_feed: decode n more body bytes.  Returns MC_OK, or the error that
 * stopped decoding (also in st->err, with st->message); bytes after the end
 * marker (but for gemini) or an error are ignored.
 */
int stream_feed(struct stream *st, const char *p, size_t n) MC_WUR;
/*
 * stream_finish: the body ended.  Decodes a last line or event that had
 * no line end or blank line after it.  Returns st->err.
 */
int stream_finish(struct stream *st) MC_WUR;

#endif
