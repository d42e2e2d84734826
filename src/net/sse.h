/*
 * sse.h - an incremental decoder for server-sent events (text/event-stream)
 * and for newline-delimited JSON (application/x-ndjson).
 *
 * Both take bytes as they come off the network, in pieces of any size (a
 * piece may end inside a line, inside a "\r\n" pair or inside a UTF-8
 * character) and call back once per complete event or line.  The SSE rules
 * are WHATWG's as the official OpenAI and Anthropic SDKs implement them:
 * lines end with "\n", "\r\n" or "\r"; a line starting with ':' is a comment
 * (OpenRouter's ": OPENROUTER PROCESSING", DeepSeek's ": keep-alive"); one
 * space after "field:" is dropped; several data lines join with "\n"; a
 * blank line dispatches the event.  A line longer than the decoder's max
 * ends decoding with MC_ERR_LIMIT.
 */
#ifndef MIXCHAT_NET_SSE_H
#define MIXCHAT_NET_SSE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/*
 * An event: name is "" when the event had no "event:" line; data is
 * NUL-terminated (len does not count the NUL).  Return MC_OK to go on; any
 * other value stops decoding and is returned by sse_feed().
 */
typedef int (*sse_event_fn)(
    void *ud, const char *name, const char *data, size_t len);

struct sse {
	struct buf line;  /* the line being read */
	struct buf data;  /* data lines of the event being read */
	struct buf event; /* its "event:" name */
	bool has_data;
	bool skip_lf; /* the last line ended with '\r' */
	int err;      /* sticky: once set, every feed returns it */
	sse_event_fn fn;
	void *ud;
};

/* sse_init: a decoder whose lines and events may be up to max bytes. */
void sse_init(struct sse *s, size_t max, sse_event_fn fn, void *ud);
/* sse_release: free its buffers. */
void sse_release(struct sse *s);
/*
 * sse_feed: decode n more bytes.  Returns MC_OK, MC_ERR_LIMIT (a line or
 * event too long) or the first non-zero value a callback returned; after a
 * failure every later call returns the same value.
 */
int sse_feed(struct sse *s, const char *p, size_t n) MC_WUR;

/*
 * sse_finish: at end of input, take a last line that had no line end and
 * dispatch an event that had no blank line after it (recorded streams end
 * so).  Returns like sse_feed.
 */
int sse_finish(struct sse *s) MC_WUR;

/* A line of NDJSON, without its "\n" (and "\r"); never empty. */
typedef int (*ndjson_line_fn)(void *ud, const char *line, size_t len);

struct ndjson {
	struct buf line;
	int err;
	ndjson_line_fn fn;
	void *ud;
};

/* ndjson_init: a decoder whose lines may be up to max bytes. */
void ndjson_init(struct ndjson *d, size_t max, ndjson_line_fn fn, void *ud);
/* ndjson_release: free its buffer. */
void ndjson_release(struct ndjson *d);
/* ndjson_feed: like sse_feed, one callback per non-blank line. */
int ndjson_feed(struct ndjson *d, const char *p, size_t n) MC_WUR;
/*
 * ndjson_finish: at end of input, hand over a last line that had no "\n".
 * Returns like ndjson_feed.
 */
int ndjson_finish(struct ndjson *d) MC_WUR;

#endif
