/*
 * net.c - transfers on libcurl's multi interface (see net.h): start,
 * stream, retry, cancel, and the numbers of each reply.
 *
 * A transfer's life:
 *
 *	net_start ──▶ in the multi ──first body byte──▶ streaming ──▶ done
 *	                 │   ▲                              (never retried)
 *	     error status│   │ due
 *	                 ▼   │
 *	              waiting (backoff / Retry-After)
 *
 * The status decides at the first body byte: a 2xx body goes to the
 * stream decoder, anything else is kept (up to ERRBODY_MAX) as the error
 * body.  A callback never touches the multi handle: libcurl forbids it, so
 * a cancel asked from inside a callback only marks the transfer, the write
 * callback then refuses the bytes and the finish happens when curl returns.
 */
#include "config.h"

#include <math.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "net/net.h"
#include "net/request.h"
#include "net/stream.h"
#include "util/buf.h"
#include "util/self.h"
#include "util/timeutil.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define ERRBODY_MAX (64 * 1024)
/* The longest Retry-After taken as it is: a day (a daily quota); the
 * app keeps the model out that long, and a server's "1e300" or "inf"
 * is no reason to keep it out for longer. */
#define NET_RETRY_AFTER_MAX_MS ((int64_t)24 * 3600 * 1000)
/* A reply that has its end marker, on a body the server keeps open:
 * how long the client waits for the rest (the body's own end, which lets
 * curl keep the connection) before it ends the reply, well. */
#define NET_DONE_GRACE_US 250000u

struct net {
	CURLM *multi;
	struct net_transfer *transfers;
	bool in_curl; /* inside curl_multi_perform: callbacks may run */
	int max_retries, base_ms, cap_ms, retry_after_cap_ms;
	int connect_ms, idle_s;
	unsigned seed;
};

struct net_transfer {
	struct net *net;
	struct net_transfer *next;
	CURL *easy;
	struct curl_slist *headers;
	const char *key; /* the key's bytes in its header (headers), or NULL:
			    masked wherever a provider's words echo it */
	size_t key_len;
	char *url, *body;
	char *provider_name, *model_id;
	bool auth_none;        /* the provider takes no key from us */
	bool plain_http;       /* http:// (to loopback): never via a proxy */
	char refused_peer[64]; /* plain http:// resolved off this computer */
	int idle_s;            /* the idle guard: its provider's, or net's */
	bool key_rejected;     /* the server refused the credentials */
	enum provider_api api;
	double price_in, price_out, price_cached_in;
	struct net_callbacks cb;
	void *ud;

	struct stream stream;
	struct buf errbody;
	bool body_started, error_mode;
	bool in_multi, waiting, cancelled, finishing;
	long wait_status; /* the HTTP status being waited out */
	int attempts;
	uint64_t start_us, first_text_us, end_us, due_us;
	uint64_t attempt_us; /* when the last attempt was sent */
	uint64_t last_io_us; /* the idle guard's clock */
	int64_t retry_after_ms;
	bool no_retry; /* x-should-retry: false */
	int est_in;
	char errbuf[CURL_ERROR_SIZE];
};

static bool curl_ready;

#ifdef __GLIBC__
/*
 * libcurl's own memory, wiped when it is freed.  curl builds each request
 * (the key's header line in it) in buffers of its own and frees them as
 * they were: with these, every block curl frees or outgrows is zeroed
 * first, its size from malloc_usable_size().  They sit on the C library's
 * malloc, so memory curl got before curl_global_init_mem (none, here)
 * or hands to us (curl_free) is all one.  What curl's libraries allocate
 * themselves (OpenSSL's record buffers, nghttp2's header tables) is not
 * covered: see net.h.
 */
static void
wipe_free(void *p)
{
	if (p != NULL) {
		explicit_bzero(p, malloc_usable_size(p));
		free(p);
	}
}

static void *
wipe_malloc(size_t n)
{
	return malloc(n);
}

static void *
wipe_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

/* Never libc's realloc: a block it moves is freed unwiped. */
static void *
wipe_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		wipe_free(p);
		return NULL;
	}
	old = malloc_usable_size(p);
	if (n <= old)
		return p;
	if ((q = malloc(n)) == NULL)
		return NULL;
	memcpy(q, p, old);
	wipe_free(p);
	return q;
}

static char *
wipe_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}
#endif

int
net_estimate_tokens(const char *text, size_t len)
{
	size_t ascii = 0, other = 0, i = 0;

	while (i < len) {
		if ((unsigned char)text[i] < 0x80) {
			ascii++;
			i++;
		} else {
			uint32_t cp;

			i += utf8_decode(text + i, len - i, &cp);
			other++;
		}
	}
	return (int)ceil((double)ascii / 4.0 + (double)other * 0.7);
}

int
net_new(struct net **out)
{
	struct net *net;

	*out = NULL;
	if (!curl_ready) {
#ifdef __GLIBC__
		if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, wipe_malloc,
		        wipe_free, wipe_realloc, wipe_strdup,
		        wipe_calloc) != CURLE_OK)
			return MC_ERR_INTERNAL;
#else
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return MC_ERR_INTERNAL;
#endif
		curl_ready = true;
	}
	net = xcalloc(1, sizeof *net);
	if ((net->multi = curl_multi_init()) == NULL) {
		free(net);
		return MC_ERR_INTERNAL;
	}
	net->max_retries = 2;
	net->base_ms = 500;
	net->cap_ms = 8000;
	net->retry_after_cap_ms = 20000;
	net->connect_ms = 10000;
	net->idle_s = 60;
	net->seed = (unsigned)time_mono_us();
	*out = net;
	return MC_OK;
}

void
net_set_retry(struct net *net, int max_retries, int base_ms, int cap_ms,
    int retry_after_cap_ms)
{
	net->max_retries = max_retries < 0 ? 0 : max_retries;
	net->base_ms = base_ms < 0 ? 0 : base_ms;
	net->cap_ms = cap_ms < 0 ? 0 : cap_ms;
	net->retry_after_cap_ms =
	    retry_after_cap_ms < 0 ? 0 : retry_after_cap_ms;
}

void
net_set_timeouts(struct net *net, int connect_ms, int idle_s)
{
	net->connect_ms = connect_ms > 0 ? connect_ms : 10000;
	net->idle_s = idle_s > 0 ? idle_s : 60;
}

/* Free a transfer: the key in the header list is wiped first. */
/* The raw error body may hold a key the provider echoed: wiped, then
 * gone. */
static void
errbody_forget(struct net_transfer *t)
{
	if (t->errbody.data != NULL)
		explicit_bzero(t->errbody.data, t->errbody.len);
	buf_release(&t->errbody);
}

static void
transfer_free(struct net_transfer *t)
{
	struct curl_slist *h;

	if (t->easy != NULL)
		curl_easy_cleanup(t->easy);
	for (h = t->headers; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(t->headers);
	stream_release(&t->stream);
	errbody_forget(t);
	free(t->url);
	free(t->body);
	free(t->provider_name);
	free(t->model_id);
	free(t);
}

static void
unlink_transfer(struct net_transfer *t)
{
	struct net_transfer **pp;

	for (pp = &t->net->transfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

static double
ms_between(uint64_t a_us, uint64_t b_us)
{
	return b_us > a_us ? (double)(b_us - a_us) / 1000.0 : 0.0;
}

/* The reply's numbers from the usage (or the estimate) and the prices. */
static void
fill_numbers(struct net_transfer *t, struct net_result *res)
{
	const struct stream_usage *u = &t->stream.usage;
	uint64_t end = t->end_us ? t->end_us : time_mono_us();
	double in, out, cached, pin = t->price_in / 1e6,
	                        pout = t->price_out / 1e6;
	double pcached =
	    t->price_cached_in >= 0 ? t->price_cached_in / 1e6 : pin;

	/* Waiting out a 429 or a 5xx before the last attempt is the
	 * service's unavailability, not this model's speed: the first
	 * token is timed from the attempt that answered. */
	res->latency_ms = ms_between(t->start_us, end);
	/* No retry, no wait: the first attempt's own start is a few µs
	 * after the transfer's. */
	res->wait_ms = t->attempts > 1 && t->attempt_us > t->start_us
	                   ? ms_between(t->start_us, t->attempt_us)
	                   : 0;
	res->ttft_ms =
	    t->first_text_us
	        ? ms_between(t->attempt_us ? t->attempt_us : t->start_us,
	              t->first_text_us)
	        : res->latency_ms - res->wait_ms;
	if (t->api == API_ANTHROPIC) {
		in = (double)u->in;
		res->tokens_in = (int)(u->in + u->cache_read + u->cache_write);
		res->cost_usd = in * pin + (double)u->cache_read * 0.1 * pin +
		                (double)u->cache_write * 1.25 * pin;
	} else {
		in = (double)u->in;
		cached = (double)(u->cached_in < u->in ? u->cached_in : u->in);
		res->tokens_in = (int)u->in;
		res->cost_usd = (in - cached) * pin + cached * pcached;
	}
	if (!u->have_in) {
		res->tokens_in = t->est_in;
		res->cost_usd = (double)t->est_in * pin;
		res->tokens_estimated = true;
	}
	out = (double)u->out;
	if (!u->have_out) {
		/* Every 4 bytes of text a token: cheap and conservative. */
		out = (double)((t->stream.text_bytes + 3) / 4);
		res->tokens_estimated = true;
	}
	res->tokens_out = (int)out;
	res->cost_usd += out * pout;
	if (u->have_cost)
		res->cost_usd = u->cost; /* OpenRouter bills what it says */
	/* A whole answer came at once: its speed is not measured. */
	if (t->first_text_us && end > t->first_text_us && res->tokens_out > 0 &&
	    !t->stream.whole)
		res->tokens_per_s = (double)res->tokens_out * 1000.0 /
		                    ms_between(t->first_text_us, end);
	res->attempts = t->attempts;
}

/* End a transfer: out of the multi, on_done, freed. */
static void
transfer_finish(struct net_transfer *t, int err, char *message, bool truncated)
{
	struct net *net = t->net;
	struct net_result res;
	long status = 0;

	t->finishing = true;
	if (t->in_multi) {
		curl_multi_remove_handle(net->multi, t->easy);
		t->in_multi = false;
	}
	unlink_transfer(t);
	memset(&res, 0, sizeof res);
	if (t->easy != NULL && curl_easy_getinfo(t->easy,
	                           CURLINFO_RESPONSE_CODE, &status) == CURLE_OK)
		res.http_status = (int)status;
	{
		curl_off_t connect_us = 0;

		res.connected =
		    res.http_status != 0 ||
		    (t->easy != NULL &&
		        curl_easy_getinfo(t->easy, CURLINFO_CONNECT_TIME_T,
		            &connect_us) == CURLE_OK &&
		        connect_us > 0);
	}
	fill_numbers(t, &res);
	if (message != NULL) {
		/* What the caller shows, logs and stores: no terminal
		 * controls, no key (a provider may echo it; libcurl's
		 * words as well). */
		char *clean = request_clean_text(
		    message, strlen(message), t->key, t->key_len);

		explicit_bzero(message, strlen(message));
		free(message);
		message = clean;
	}
	res.err = err;
	res.message = message;
	res.truncated = truncated;
	res.key_rejected = t->key_rejected;
	res.retry_after_ms = err == MC_OK ? 0 : t->retry_after_ms;
	if (t->cb.on_done != NULL)
		t->cb.on_done(t->ud, &res);
	free(message);
	transfer_free(t);
}

static void
on_stream_text(void *ud, const char *text, size_t len)
{
	struct net_transfer *t = ud;

	if (t->cancelled)
		return;
	if (t->first_text_us == 0)
		t->first_text_us = time_mono_us();
	if (t->cb.on_text != NULL)
		t->cb.on_text(t->ud, text, len);
}

/* Whether a 200's body is one JSON answer: a server that ignored
 * "stream": true (Ollama's stream is JSON lines under that label). */
static bool
answer_is_json(struct net_transfer *t)
{
	const char *ct = NULL;

	if (t->api == API_OLLAMA ||
	    curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct) !=
	        CURLE_OK ||
	    ct == NULL)
		return false;
	return strncasecmp(ct, "application/json", 16) == 0 &&
	       (ct[16] == '\0' || ct[16] == ';' || ct[16] == ' ');
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct net_transfer *t = ud;
	size_t len = size * n;
	long status = 0;
	int rc;

	if (t->cancelled)
		return 0;
	t->last_io_us = time_mono_us();
	if (!t->body_started) {
		t->body_started = true;
		(void)curl_easy_getinfo(
		    t->easy, CURLINFO_RESPONSE_CODE, &status);
		t->error_mode = status < 200 || status >= 300;
		if (!t->error_mode && answer_is_json(t))
			stream_whole(&t->stream);
	}
	if (t->error_mode) {
		if (t->errbody.len + len <= ERRBODY_MAX &&
		    buf_add(&t->errbody, p, len) != MC_OK)
			buf_init(&t->errbody, ERRBODY_MAX);
		return len;
	}
	rc = stream_feed(&t->stream, p, len);
	if (t->stream.done && t->end_us == 0)
		t->end_us = time_mono_us();
	if (rc != MC_OK || t->cancelled)
		return 0; /* abort: the finish reports why */
	return len;
}

/* The delay a Retry-After header asks for, in ms; 0 when none. */
static int64_t
parse_retry_after(const char *v, bool in_ms)
{
	char *end;
	double d = strtod(v, &end);

	while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
		end++;
	if (end != v && *end == '\0') {
		if (!in_ms)
			d *= 1000.0;
		if (!(d > 0)) /* negative, or not a number */
			return 0;
		/* "1e300" or "inf": long, and no undefined cast. */
		return d < NET_RETRY_AFTER_MAX_MS ? (int64_t)d
		                                  : NET_RETRY_AFTER_MAX_MS;
	}
	if (!in_ms) {
		time_t when = curl_getdate(v, NULL);
		time_t now = time(NULL);

		/* A date far ahead (a typo, a quota "until 2099") is
		 * no reason to leave a model for years: a day at most. */
		if (when > now)
			return when - now < NET_RETRY_AFTER_MAX_MS / 1000
			           ? (int64_t)(when - now) * 1000
			           : NET_RETRY_AFTER_MAX_MS;
	}
	return 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct net_transfer *t = ud;
	size_t len = size * n;
	char line[256];
	size_t k = len < sizeof line - 1 ? len : sizeof line - 1;
	int64_t ms;

	t->last_io_us = time_mono_us();
	memcpy(line, p, k);
	line[k] = '\0';
	if (strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue, or a retry). */
		t->retry_after_ms = 0;
		t->no_retry = false;
	} else if (strncasecmp(line, "retry-after-ms:", 15) == 0) {
		if ((ms = parse_retry_after(line + 15, true)) > 0)
			t->retry_after_ms = ms;
	} else if (strncasecmp(line, "retry-after:", 12) == 0) {
		/* retry-after-ms, when also sent, is the finer one. */
		if ((ms = parse_retry_after(line + 12, false)) > 0 &&
		    (t->retry_after_ms == 0 || t->retry_after_ms > ms + 1000 ||
		        ms > t->retry_after_ms + 1000))
			t->retry_after_ms = ms;
	} else if (strncasecmp(line, "x-should-retry:", 15) == 0) {
		const char *v = line + 15;

		while (*v == ' ')
			v++;
		if (strncasecmp(v, "false", 5) == 0)
			t->no_retry = true;
	}
	return len;
}

/*
 * The last guard for plain http://: the URL's host was checked as a
 * loopback address or localhost, and here the address curl is about to
 * connect to must be one too (127/8, ::1, ::ffff:127/104), whatever
 * resolved it.  Refused: no socket, and the transfer says why.
 */
static curl_socket_t
open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct net_transfer *t = ud;
	bool loopback = false;

	(void)purpose;
	if (a->family == AF_INET) {
		const struct sockaddr_in *in = (const void *)&a->addr;

		loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
		if (!loopback)
			inet_ntop(AF_INET, &in->sin_addr, t->refused_peer,
			    sizeof t->refused_peer);
	} else if (a->family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)&a->addr;
		const struct in6_addr *x = &in6->sin6_addr;

		loopback = IN6_IS_ADDR_LOOPBACK(x) ||
		           (IN6_IS_ADDR_V4MAPPED(x) && x->s6_addr[12] == 127);
		if (!loopback)
			inet_ntop(AF_INET6, x, t->refused_peer,
			    sizeof t->refused_peer);
	} else
		snprintf(t->refused_peer, sizeof t->refused_peer,
		    "address family %d", a->family);
	if (!loopback)
		return CURL_SOCKET_BAD;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static int
transfer_setup(struct net_transfer *t)
{
	CURL *e = t->easy;
	struct net *net = t->net;

	if (curl_easy_setopt(e, CURLOPT_URL, t->url) != CURLE_OK)
		return MC_ERR_INTERNAL;
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85: the _STR form */
	if (curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK)
		return MC_ERR_INTERNAL;
#else
	if (curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	        (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK)
		return MC_ERR_INTERNAL;
#endif
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)net->connect_ms);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(
	    e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(t->body));
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	/*
	 * Proxies: libcurl takes them from the environment (https_proxy,
	 * all_proxy, no_proxy), which users behind a corporate proxy need
	 * for https://: the proxy sees a CONNECT and then only TLS.  Plain
	 * http:// goes only to this computer, and through a proxy the whole
	 * request, key included, would travel in clear to the proxy: it
	 * never uses one.
	 */
	if (t->plain_http &&
	    (curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK ||
	        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket) !=
	            CURLE_OK ||
	        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t) != CURLE_OK))
		return MC_ERR_INTERNAL;
	return MC_OK;
}

/* Add the key's header, copied once from guarded memory into curl's list. */
static int
add_auth_header(
    struct net_transfer *t, const char *prefix, const struct secret *key)
{
	size_t plen = strlen(prefix);
	struct secret *h;
	struct curl_slist *l;

	h = secret_new(plen + key->len);
	memcpy(h->p, prefix, plen);
	secret_unlock_ro(key);
	memcpy(h->p + plen, key->p, key->len);
	secret_lock(key);
	h->p[plen + key->len] = '\0';
	l = curl_slist_append(t->headers, h->p);
	secret_free(h);
	if (l == NULL)
		return MC_ERR_NOMEM;
	t->headers = l;
	while (l->next != NULL)
		l = l->next;
	t->key = l->data + plen;
	t->key_len = key->len;
	return MC_OK;
}

static void
add_header(struct net_transfer *t, const char *h)
{
	struct curl_slist *l = curl_slist_append(t->headers, h);

	if (l == NULL) {
		fprintf(stderr, "mixchat: out of memory\n");
		abort();
	}
	t->headers = l;
}

static int
transfer_submit(struct net_transfer *t)
{
	t->body_started = false;
	t->error_mode = false;
	t->retry_after_ms = 0;
	t->no_retry = false;
	t->errbuf[0] = '\0';
	t->refused_peer[0] = '\0';
	errbody_forget(t);
	t->attempts++;
	t->last_io_us = time_mono_us();
	t->attempt_us = t->last_io_us;
	if (curl_multi_add_handle(t->net->multi, t->easy) != CURLM_OK)
		return MC_ERR_INTERNAL;
	t->in_multi = true;
	t->waiting = false;
	return MC_OK;
}

int
net_start(struct net *net, const struct net_request *req,
    const struct net_callbacks *cb, void *ud, struct net_transfer **out,
    char **cause)
{
	struct net_transfer *t;
	const char *auth = NULL;
	size_t i;
	int rc;

	*out = NULL;
	t = xcalloc(1, sizeof *t);
	t->net = net;
	t->api = req->provider->api;
	t->provider_name = xstrdup(req->provider->name);
	t->idle_s = req->provider->timeout_s > 0 ? req->provider->timeout_s
	                                         : net->idle_s;
	t->auth_none = req->provider->auth_none;
	t->model_id = xstrdup(req->model->id);
	t->price_in = req->model->price_in;
	t->price_out = req->model->price_out;
	t->price_cached_in = req->model->price_cached_in;
	t->cb = *cb;
	t->ud = ud;
	stream_init(&t->stream, t->api, on_stream_text, t);
	buf_init(&t->errbody, ERRBODY_MAX);
	rc = request_build(req, &t->url, &t->body, &auth, cause);
	if (rc != MC_OK)
		goto out;
	t->plain_http = strncasecmp(t->url, "http://", 7) == 0;
	if (!req->provider->auth_none && req->key == NULL) {
		*cause =
		    xasprintf("no key for %s: run `%s keys add %s` "
		              "(or set \"auth\": \"none\" for a local server)",
		        t->provider_name, self_cmd(), t->provider_name);
		rc = MC_ERR_LOCKED;
		goto out;
	}
	/* Estimated input, for when the server sends no usage. */
	t->est_in = 3;
	for (i = 0; i < req->nmessages; i++)
		t->est_in += 3 + net_estimate_tokens(req->messages[i].text,
		                     strlen(req->messages[i].text));
	if (req->system != NULL)
		t->est_in +=
		    3 + net_estimate_tokens(req->system, strlen(req->system));
	add_header(t, "Content-Type: application/json");
	add_header(t, t->api == API_OLLAMA ? "Accept: application/x-ndjson"
	                                   : "Accept: text/event-stream");
	add_header(t, "Expect:"); /* no 100-continue round trip */
	if (t->api == API_ANTHROPIC)
		add_header(t, "anthropic-version: 2023-06-01");
	if (req->key != NULL && auth != NULL &&
	    (rc = add_auth_header(t, auth, req->key)) != MC_OK) {
		*cause = xstrdup("out of memory");
		goto out;
	}
	if ((t->easy = curl_easy_init()) == NULL ||
	    transfer_setup(t) != MC_OK) {
		*cause = xstrdup("could not set up the transfer (libcurl)");
		rc = MC_ERR_INTERNAL;
		goto out;
	}
	t->start_us = time_mono_us();
	if ((rc = transfer_submit(t)) != MC_OK) {
		*cause = xstrdup("could not start the transfer (libcurl)");
		goto out;
	}
	t->next = net->transfers;
	net->transfers = t;
	*out = t;
	/* Let curl start connecting without waiting for the caller's poll. */
	return MC_OK;
out:
	transfer_free(t);
	return rc;
}

void
net_cancel(struct net_transfer *t)
{
	if (t == NULL || t->finishing)
		return;
	t->cancelled = true;
	if (t->net->in_curl)
		return; /* finished as soon as curl returns */
	transfer_finish(t, MC_ERR_CANCELLED, xstrdup("cancelled"),
	    t->body_started && !t->error_mode);
}

static bool
status_retryable(long status)
{
	return status == 408 || status == 409 || status == 429 || status >= 500;
}

static int
backoff_ms(struct net *net, int attempt)
{
	double d = (double)net->base_ms * pow(2.0, attempt - 1);
	double jitter =
	    0.75 + 0.25 * (double)(rand_r(&net->seed) % 1000) / 1000.0;

	if (d > net->cap_ms)
		d = net->cap_ms;
	return (int)(d * jitter);
}

/* A transfer curl has finished with (result): retry it, or end it. */
/* "PROVIDER: WHAT: the reply was cut short", or, when the provider's own
 * words end a sentence, "PROVIDER: WHAT The reply was cut short." (no
 * ".:" between them). */
static char *
cut_short_message(const char *provider, const char *what)
{
	size_t n = what != NULL ? strlen(what) : 0;

	if (n > 0 && strchr(".!?", what[n - 1]) != NULL)
		return xasprintf(
		    "%s: %s The reply was cut short.", provider, what);
	return xasprintf("%s: %s: the reply was cut short", provider,
	    what != NULL ? what : "?");
}

/*
 * A 200 whose body is not a reply stream: a web UI's page where the API
 * was meant (base_url points at the wrong place), or a whole JSON answer
 * from a server that ignores "stream": true.  Judged by the Content-Type,
 * and only when the body gave no text: the words for it, or NULL.
 */
static char *
not_a_stream_message(struct net_transfer *t, CURLcode result)
{
	const char *ct = NULL;
	char *clean, *pub, *msg, *semi;

	/* A whole answer the connection cut is the connection's failure,
	 * said as one (and retried as one), not the server's shape. */
	if (!t->body_started || t->error_mode || t->first_text_us != 0 ||
	    (t->stream.whole && result != CURLE_OK))
		return NULL;
	if (curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct) !=
	        CURLE_OK ||
	    ct == NULL || *ct == '\0')
		return NULL;
	if (strncasecmp(ct, "text/event-stream", 17) == 0 ||
	    strncasecmp(ct, "application/x-ndjson", 20) == 0 ||
	    (t->api == API_OLLAMA &&
	        strncasecmp(ct, "application/json", 16) == 0))
		return NULL;
	/* The server's words: masked and made safe to show. */
	clean = request_clean_text(ct, strlen(ct), t->key, t->key_len);
	if ((semi = strchr(clean, ';')) != NULL)
		*semi = '\0'; /* "; charset=utf-8" says nothing here */
	pub = request_public_url(t->url);
	if (strncasecmp(clean, "text/html", 9) == 0)
		msg = xasprintf("%s answered with an HTML page (%s), not a "
		                "reply stream: %s is not the API's address; "
		                "check %s's base_url in config.json",
		    t->provider_name, clean, pub, t->provider_name);
	else if (strncasecmp(clean, "application/json", 16) == 0)
		/* Read whole (stream_whole): this one was not an answer. */
		msg = xasprintf("%s answered without streaming (%s), and "
		                "not with a reply mixchat can read: %s; "
		                "check %s's \"api\" and base_url (%s) in "
		                "config.json",
		    t->provider_name, clean,
		    t->stream.message != NULL ? t->stream.message : "no text",
		    t->provider_name, pub);
	else
		msg = xasprintf("%s answered with %s, not a reply stream: "
		                "check %s's base_url (%s) in config.json",
		    t->provider_name, clean, t->provider_name, pub);
	free(pub);
	free(clean);
	return msg;
}

/* Whether url's host is this computer (127.0.0.0/8, ::1, localhost). */
static bool
url_host_local(const char *url)
{
	const char *h = strstr(url, "://");

	if (h == NULL)
		return false;
	h += 3;
	return strncmp(h, "127.", 4) == 0 || strncmp(h, "[::1]", 5) == 0 ||
	       strncasecmp(h, "localhost", 9) == 0;
}

static void
transfer_done(struct net_transfer *t, CURLcode result)
{
	struct net *net = t->net;
	long status = 0;
	int err;
	char *msg, *body, *pub;

	if (t->cancelled) {
		transfer_finish(t, MC_ERR_CANCELLED, xstrdup("cancelled"),
		    t->body_started && !t->error_mode);
		return;
	}
	(void)curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	if (t->end_us == 0)
		t->end_us = time_mono_us();
	if (status >= 300 && (t->error_mode || !t->body_started)) {
		int64_t wait = t->retry_after_ms;

		if (status_retryable(status) && !t->no_retry &&
		    t->attempts <= net->max_retries &&
		    wait <= net->retry_after_cap_ms) {
			if (wait <= 0)
				wait = backoff_ms(net, t->attempts);
			curl_multi_remove_handle(net->multi, t->easy);
			t->in_multi = false;
			t->waiting = true;
			t->wait_status = status;
			t->due_us = time_mono_us() + (uint64_t)wait * 1000;
			t->end_us = 0;
			return;
		}
		/* A provider may echo the key it got: masked before the
		 * body is parsed. */
		body = request_clean_text(
		    buf_str(&t->errbody), t->errbody.len, t->key, t->key_len);
		errbody_forget(t);
		msg = request_error(t->api, t->provider_name, t->model_id,
		    t->url, status, body, strlen(body), t->retry_after_ms,
		    t->key, t->key_len, &err, &t->key_rejected);
		free(body);
		if (t->auth_none && status == 401) {
			/* No key of ours was involved: `keys add` is no help. */
			free(msg);
			msg =
			    xasprintf("%s refused the request (HTTP 401); it "
			              "is set up with \"auth\": \"none\", so "
			              "check the server's own access settings",
			        t->provider_name);
		}
		transfer_finish(t, err, msg, false);
		return;
	}
	if (t->stream.err != MC_OK) {
		if ((msg = not_a_stream_message(t, result)) != NULL) {
			transfer_finish(t, MC_ERR_PROVIDER, msg, false);
			return;
		}
		msg = cut_short_message(t->provider_name, t->stream.message);
		transfer_finish(t,
		    t->stream.err == MC_ERR_PARSE ? MC_ERR_PARSE
		                                  : MC_ERR_PROVIDER,
		    msg, true);
		return;
	}
	if (!t->stream.done) {
		/*
		 * The last event may come out only now, and its text goes to
		 * on_text, which may cancel: as in curl's callbacks, that
		 * cancel waits until the callback has returned (net.h).
		 */
		net->in_curl = true;
		/* A whole answer cut short is not decoded: what came is not
		 * all of it. */
		err = t->stream.whole && result != CURLE_OK
		          ? MC_OK
		          : stream_finish(&t->stream);
		net->in_curl = false;
		if (t->cancelled) {
			transfer_finish(t, MC_ERR_CANCELLED,
			    xstrdup("cancelled"), !t->error_mode);
			return;
		}
		if (err == MC_ERR_PROVIDER && t->stream.whole) {
			/* A whole answer that is an error: its words. */
			msg = xasprintf("%s: %s", t->provider_name,
			    t->stream.message != NULL ? t->stream.message
			                              : "error");
			transfer_finish(t, MC_ERR_PROVIDER, msg, false);
			return;
		}
		if (err != MC_OK) {
			if ((msg = not_a_stream_message(t, result)) != NULL) {
				transfer_finish(t, MC_ERR_PROVIDER, msg, false);
				return;
			}
			msg = cut_short_message(
			    t->provider_name, t->stream.message);
			transfer_finish(t, MC_ERR_PARSE, msg, true);
			return;
		}
	}
	if (t->stream.done) {
		transfer_finish(t, MC_OK, NULL, false);
		return;
	}
	if ((msg = not_a_stream_message(t, result)) != NULL) {
		transfer_finish(t, MC_ERR_PROVIDER, msg, false);
		return;
	}
	if (result == CURLE_OK) {
		msg = xasprintf("%s: connection closed before the reply "
		                "finished",
		    t->provider_name);
	} else if (!t->body_started && t->refused_peer[0] != '\0') {
		pub = request_public_url(t->url);
		msg = xasprintf("refused to send plain http:// to %s: its host "
		                "resolved to %s, not this computer; plain "
		                "http:// is only for 127.0.0.1, ::1 and "
		                "localhost (use https:// in its base_url)",
		    pub, t->refused_peer);
		free(pub);
	} else if (!t->body_started) {
		/* What to look at, by what failed and where: a server on
		 * this computer is the user's to run; one away may be out of
		 * reach (no network). */
		bool local = url_host_local(t->url);
		const char *hint =
		    result == CURLE_COULDNT_CONNECT && local
		        ? "is its server running, at the port its base_url in "
		          "config.json says?"
		    : result == CURLE_COULDNT_CONNECT
		        ? "no network, or its server is down or not at the "
		          "address its base_url says"
		    : result == CURLE_COULDNT_RESOLVE_HOST
		        ? "no network, or a wrong host name in its base_url"
		    : (result == CURLE_SSL_CONNECT_ERROR ||
		          result == CURLE_OPERATION_TIMEDOUT) &&
		            local && strncmp(t->url, "https://", 8) == 0
		        ? "a server without TLS (most local ones) needs "
		          "http:// in its base_url in config.json"
		    : result == CURLE_OPERATION_TIMEDOUT
		        ? "it did not answer: no network, or its server is "
		          "down"
		        : "check its base_url in config.json";

		pub = request_public_url(t->url);
		msg = xasprintf("could not reach %s at %s: %s (%s)",
		    t->provider_name, pub,
		    t->errbuf[0] ? t->errbuf : curl_easy_strerror(result),
		    hint);
		free(pub);
	} else if (result == CURLE_OPERATION_TIMEDOUT) {
		msg = xasprintf("%s sent nothing for %d s: the reply %s",
		    t->provider_name, t->idle_s,
		    t->first_text_us != 0 ? "was cut short" : "never came");
	} else {
		msg = xasprintf("%s: the connection broke (%s): the reply was "
		                "cut short",
		    t->provider_name,
		    t->errbuf[0] ? t->errbuf : curl_easy_strerror(result));
	}
	transfer_finish(t, MC_ERR_NETWORK, msg, t->body_started);
}

void
net_perform(struct net *net)
{
	struct net_transfer *t, *next;
	CURLMsg *m;
	int still, left;
	bool again = true;

	while (again) {
		again = false;
		net->in_curl = true;
		(void)curl_multi_perform(net->multi, &still);
		net->in_curl = false;
		while ((m = curl_multi_info_read(net->multi, &left)) != NULL) {
			if (m->msg != CURLMSG_DONE)
				continue;
			t = NULL;
			(void)curl_easy_getinfo(
			    m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
			if (t != NULL)
				transfer_done(t, m->data.result);
		}
		/*
		 * The idle guard.  curl's own low-speed check averages over a
		 * window of seconds, so a burst hides a stall: keep our own.
		 */
		for (t = net->transfers; t != NULL; t = next) {
			uint64_t now = time_mono_us();

			next = t->next;
			/* The reply is whole, and the server keeps the body
			 * open after its end marker: it ends here, well. */
			if (t->in_multi && !t->cancelled && !t->finishing &&
			    t->stream.done && !t->error_mode &&
			    now - t->last_io_us > NET_DONE_GRACE_US) {
				transfer_finish(t, MC_OK, NULL, false);
				next = net->transfers; /* list changed */
				continue;
			}
			if (t->in_multi && !t->cancelled && !t->finishing &&
			    now - t->last_io_us >
			        (uint64_t)t->idle_s * 1000000u) {
				bool started =
				    t->body_started && !t->error_mode;

				t->end_us = now;
				transfer_finish(t, MC_ERR_NETWORK,
				    started ? xasprintf("%s sent nothing for "
				                        "%d s: the reply %s",
				                  t->provider_name, t->idle_s,
				                  t->first_text_us != 0
				                      ? "was cut short"
				                      : "never came")
				            : xasprintf("%s did not answer "
				                        "within %d s",
				                  t->provider_name, t->idle_s),
				    started);
				next = net->transfers; /* list changed */
			}
		}
		/* Cancels asked for from inside callbacks. */
		for (t = net->transfers; t != NULL; t = next) {
			next = t->next;
			if (t->cancelled && !t->finishing) {
				transfer_finish(t, MC_ERR_CANCELLED,
				    xstrdup("cancelled"),
				    t->body_started && !t->error_mode);
				next = net->transfers; /* list changed */
			}
		}
		for (t = net->transfers; t != NULL; t = t->next) {
			if (t->waiting && t->due_us <= time_mono_us()) {
				if (transfer_submit(t) != MC_OK) {
					t->waiting = false;
					transfer_finish(t, MC_ERR_INTERNAL,
					    xstrdup("could not restart the "
					            "transfer (libcurl)"),
					    false);
				}
				again = true;
				break;
			}
		}
	}
}

int
net_wait(struct net *net, struct pollfd *extra, unsigned nextra, int timeout_ms)
{
	struct curl_waitfd *wfd = NULL;
	struct net_transfer *t;
	uint64_t now = time_mono_us();
	unsigned i;
	CURLMcode mc;

	for (t = net->transfers; t != NULL; t = t->next) {
		uint64_t due =
		    t->waiting ? t->due_us
		    : t->stream.done
		        ? t->last_io_us + NET_DONE_GRACE_US + 1000
		        : t->last_io_us + (uint64_t)t->idle_s * 1000000u + 1000;
		int64_t ms =
		    due > now ? (int64_t)((due - now + 999) / 1000) : 0;

		if (ms < timeout_ms)
			timeout_ms = (int)ms;
	}
	if (nextra > 0) {
		wfd = xcalloc(nextra, sizeof *wfd);
		for (i = 0; i < nextra; i++) {
			wfd[i].fd = extra[i].fd;
			wfd[i].events = (short)extra[i].events;
		}
	}
	mc = curl_multi_poll(net->multi, wfd, nextra, timeout_ms, NULL);
	for (i = 0; i < nextra; i++)
		extra[i].revents = (short)wfd[i].revents;
	free(wfd);
	return mc == CURLM_OK ? MC_OK : MC_ERR_INTERNAL;
}

unsigned
net_running(const struct net *net)
{
	const struct net_transfer *t;
	unsigned n = 0;

	for (t = net->transfers; t != NULL; t = t->next)
		n++;
	return n;
}

void
net_wakeup(struct net *net)
{
	(void)curl_multi_wakeup(net->multi);
}

int
net_run_until_done(struct net *net, int timeout_ms)
{
	uint64_t deadline = time_mono_ms() + (uint64_t)timeout_ms;
	int rc;

	net_perform(net);
	while (net_running(net) > 0) {
		uint64_t now = time_mono_ms();

		if (now >= deadline) {
			while (net->transfers != NULL)
				net_cancel(net->transfers);
			break;
		}
		rc = net_wait(net, NULL, 0,
		    (int)(deadline - now < 100 ? deadline - now : 100));
		if (rc != MC_OK)
			return rc;
		net_perform(net);
	}
	return MC_OK;
}

void
net_free(struct net *net)
{
	if (net == NULL)
		return;
	while (net->transfers != NULL)
		net_cancel(net->transfers);
	curl_multi_cleanup(net->multi);
	free(net);
}

bool
net_transfer_waiting(
    const struct net_transfer *t, double *left_ms, long *http_status)
{
	uint64_t now = time_mono_us();

	if (t == NULL || !t->waiting)
		return false;
	*left_ms = t->due_us > now ? (double)(t->due_us - now) / 1000.0 : 0;
	*http_status = t->wait_status;
	return true;
}
