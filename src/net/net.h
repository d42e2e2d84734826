/*
 * net.h - talking to providers: streamed replies over libcurl's multi
 * interface, in one thread, driven by the caller's event loop.
 *
 * The net layer owns the HTTP side of a reply: it builds each API's request
 * (request.c), sends it with TLS verification always on, decodes the stream
 * (stream.c), hands visible text to the caller as it arrives, and at the end
 * reports the reply's numbers: time to first token, total latency, tokens in
 * and out (from the API's usage, or estimated and marked so), cost from the
 * catalog price, tokens per second.  <curl/curl.h> is included from
 * src/net/ only.
 *
 * Event loop use (one thread; the screen never blocks on the network):
 *
 *	struct net *net;
 *	struct net_transfer *t;
 *	if (net_new(&net) != 0) ...
 *	if (net_start(net, &req, &cb, ud, &t, &cause) != 0) ...
 *	while (net_running(net) > 0) {
 *		struct pollfd fds[2] = { terminal, signal self-pipe };
 *		if (net_wait(net, fds, 2, 1000) != 0) ...
 *		if (fds[0].revents) ... a key: maybe net_cancel(t)
 *		net_perform(net);      fires on_text / on_done
 *	}
 *	net_free(net);
 *
 * Faults, in the user's words (struct net_result.message):
 *	401 (gemini: 400 API_KEY_INVALID)  "key rejected by openai (HTTP 401):
 *	                                   run `mixchat keys add openai`"
 *	404   "model X is unknown to openai (HTTP 404): check the model id ..."
 *	429   "rate limited by openai (HTTP 429): retry after N s"; err
 *	      MC_ERR_AGAIN and retry_after_ms set, so the router can treat the
 *	      model as unavailable until then
 *	in-stream error  the provider's message, the text so far kept,
 *	      truncated = true
 *	EOF without the API's end marker  "connection closed before the reply
 *	      finished", truncated = true
 *	Esc / SIGINT  net_cancel(): MC_ERR_CANCELLED at once
 * Retries happen only before the first body byte of a stream, on 408, 409,
 * 429, 5xx and 529, with capped, jittered exponential backoff, honouring
 * Retry-After (retry-after-ms, retry-after seconds or HTTP date) and
 * x-should-retry: false.  A Retry-After longer than the cap is not waited
 * for: the error is returned with retry_after_ms.  A stream that has started
 * is never retried.  Plain http:// is refused except to loopback
 * (127.0.0.0/8, ::1, localhost) and never goes through a proxy (the key
 * would reach the proxy in clear); https:// uses the environment's proxy
 * (https_proxy, all_proxy, no_proxy) as curl does, through a CONNECT
 * tunnel.  Redirects are not followed.
 */
#ifndef MIXCHAT_NET_H
#define MIXCHAT_NET_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/error.h"
#include "vault/secmem.h"

struct net;
struct net_transfer;

/* One turn of the conversation. */
struct net_message {
	const char *role; /* "user" | "assistant" */
	const char *text;
};

/*
 * What to ask.  Everything is borrowed: it must stay valid until net_start
 * returns (net copies what it keeps).  The key leaves guarded memory for
 * its header in the transfer's curl_slist, wiped when the transfer ends;
 * curl copies that line into the request it builds, in buffers that net's
 * allocator (curl_global_init_mem, on glibc) zeroes when curl frees them.
 * Not covered: what libcurl's own libraries keep (OpenSSL's record
 * buffers, which encrypt in place; over HTTP/2, nghttp2's header tables),
 * CPU registers, and the kernel's socket buffers.
 */
struct net_request {
	const struct provider *provider;
	const struct model *model;
	const struct net_message *messages;
	size_t nmessages;
	const char *system; /* may be NULL */
	int max_tokens;     /* <= 0: the API's default (anthropic: 4096) */
	const struct secret *key; /* NULL when provider->auth_none */
};

/* The numbers and outcome of one reply. */
struct net_result {
	int err;           /* MC_OK or an mc_err */
	int http_status;   /* the last HTTP status, 0 when none came */
	bool key_rejected; /* the server refused the credentials: a 401, or
			      a body saying the key is invalid */
	bool connected;    /* the server took the connection (an answer
			      may not have come: a stall) */
	char *message;     /* user-facing error line, NULL on success; owned by
			    net, valid during on_done only */
	int64_t retry_after_ms; /* from a 429/503/529 Retry-After, else 0 */
	double ttft_ms;    /* the answering attempt's start to the first text */
	double latency_ms; /* start to the end marker (or the end), waits
			      for retries included */
	double wait_ms;    /* start to the answering attempt (retry waits) */
	int tokens_in, tokens_out;
	bool tokens_estimated; /* no usage from the API: ~4 chars a token */
	double cost_usd;       /* catalog price x tokens; OpenRouter's cost */
	double tokens_per_s;   /* tokens_out over first text to end; 0 n/a */
	bool truncated;        /* the reply was cut short; text kept */
	int attempts;          /* requests sent, retries included */
};

struct net_callbacks {
	/* Each piece of visible text, valid UTF-8, as it arrives. */
	void (*on_text)(void *ud, const char *text, size_t len);
	/*
	 * Exactly once per transfer, from net_perform() or net_cancel().  The
	 * transfer is freed right after it returns: do not use its pointer
	 * again.  It may call net_start() for a new transfer.
	 */
	void (*on_done)(void *ud, const struct net_result *res);
};

/*
 * net_new: a net with its own CURLM.  Calls curl_global_init the first
 * time.  Free with net_free().
 */
int net_new(struct net **out) MC_WUR;
/*
 * net_free: cancel what is still running (each on_done is called with
 * MC_ERR_CANCELLED) and free everything.  NULL is fine.
 */
void net_free(struct net *net);

/*
 * net_set_retry: retry policy.  max_retries (default 2) retries after the
 * first try; the backoff before retry n is min(base_ms * 2^n, cap_ms) times
 * a jitter in [0.75, 1] (defaults 500 ms, 8000 ms); a Retry-After of more
 * than retry_after_cap_ms (default 20000) is handed back instead of waited.
 * Tests use small values.
 */
void net_set_retry(struct net *net, int max_retries, int base_ms, int cap_ms,
    int retry_after_cap_ms);
/*
 * net_set_timeouts: connect timeout (default 10000 ms) and the idle guard:
 * a transfer receiving nothing for idle_s seconds (default 60) is ended.
 */
void net_set_timeouts(struct net *net, int connect_ms, int idle_s);

/*
 * net_start: send req and stream the reply to cb.  On success *out is the
 * transfer (valid until its on_done returns) and callbacks follow from
 * net_perform().  On failure (bad base_url, plain http to a remote host,
 * no key) returns MC_ERR_USAGE / MC_ERR_LOCKED with *cause set (caller
 * frees) and calls nothing.
 */
int net_start(struct net *net, const struct net_request *req,
    const struct net_callbacks *cb, void *ud, struct net_transfer **out,
    char **cause) MC_WUR;

/*
 * net_cancel: stop a transfer at once, without waiting for the network:
 * on_done reports MC_ERR_CANCELLED before net_cancel returns.  Called from
 * inside a callback (on_text of any transfer) it takes effect as soon as
 * that callback returns, within the same net_perform().
 */
void net_cancel(struct net_transfer *t);

/*
 * net_wait: sleep until network activity, one of the caller's extra fds is
 * ready (their revents are set, as poll() would), net_wakeup(), a retry is
 * due, or timeout_ms passes.  Returns MC_OK or MC_ERR_INTERNAL.
 */
int net_wait(struct net *net, struct pollfd *extra, unsigned nextra,
    int timeout_ms) MC_WUR;
/* net_perform: move the transfers on and fire their callbacks. */
void net_perform(struct net *net);
/* net_running: transfers not finished yet (waiting retries included). */
unsigned net_running(const struct net *net);
/* net_wakeup: make a net_wait in progress return (signal-safe: no). */
void net_wakeup(struct net *net);

/*
 * net_run_until_done: a blocking loop for scripts and tests: wait and
 * perform until nothing runs or timeout_ms passes (then the remaining
 * transfers are cancelled).  Returns MC_OK or MC_ERR_INTERNAL.
 */
int net_run_until_done(struct net *net, int timeout_ms) MC_WUR;

/*
 * net_estimate_tokens: the ~4 characters a token estimate used when a
 * server sends no usage (non-ASCII characters count 0.7 each).
 */
int net_estimate_tokens(const char *text, size_t len);

/*
 * net_transfer_waiting: whether t is waiting to retry (after a 429's
 * Retry-After or a 5xx's backoff); *left_ms is how long yet, *http_status
 * the status it waits out.  For a status line that says why it waits.
 */
bool net_transfer_waiting(
    const struct net_transfer *t, double *left_ms, long *http_status);

#endif
