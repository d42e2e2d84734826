/*
 * mock_provider.c - a fake LLM provider on loopback for every test in the
 * project.  It owns nothing but itself: a small HTTP/1.1 server that speaks
 * the four APIs of shared/reference/providers.md byte-faithfully and can
 * inject every fault the net layer must survive.
 *
 * Usage:
 *	tests/mock_provider [--script FILE] [--log FILE] [--stdin-eof]
 *
 * Binds 127.0.0.1 on a random port, prints "PORT\n" on stdout (flushed) and
 * serves until killed (SIGTERM), or until its stdin reaches EOF when
 * --stdin-eof is given.  One thread per connection; every response ends
 * with "Connection: close".
 *
 * Paths (the API is chosen by the path):
 *	POST .../chat/completions                    openai (any prefix)
 *	POST /v1/messages                            anthropic
 *	POST .../models/{model}:streamGenerateContent gemini (SSE, CRLF)
 *	POST .../models/{model}:generateContent       gemini, not streamed
 *	POST /api/chat                               ollama (NDJSON)
 * A reply is streamed when the request asks for it ("stream": true; gemini
 * by path; ollama unless "stream": false).
 *
 * --script FILE: a JSON array of rules, first match wins.  Match fields (all
 * optional): "model", "prompt_contains" (in the last user message), "api".
 * Actions: "reply" (text, streamed as tokens of up to 4 bytes), "fixture"
 * (a file replayed byte for byte as the body; "content_type" sets its
 * Content-Type instead of the API's stream type), "status" (HTTP status with
 * the provider's real error body), "retry_after" (seconds, may be
 * fractional: sends retry-after and, when fractional, retry-after-ms),
 * "retry_after_header" (the retry-after header's value as it is, instead),
 * "fail_times" (the faults apply to the first N matching requests only),
 * "delay_ms" (before the headers), "drip_ms" (between events),
 * "chunk_bytes" (split every write at that size, 1 allowed),
 * "disconnect_after_bytes" (close after that many body bytes),
 * "linger_ms" (after the whole body, keep the connection open that long
 * before closing it: a server that does not end the body at its end
 * marker),
 * "malformed" (bad JSON half way), "midstream_error" (the API's in-stream
 * error half way, then close), "usage": false (no usage), "comments"
 * (OpenRouter/DeepSeek ":" comment lines), "error_message" (the message
 * of the "status" error body and of the "midstream_error" event instead
 * of the provider's own; "{auth}" in it becomes the request's credential
 * header value, as a provider that reflects what it got).  Without a matching rule the
 * reply is "mock reply to: " and the first 40 bytes of the prompt, with
 * usage numbers (prompt: sum of ceil(bytes/4)+3 per message, +3; completion:
 * the number of tokens sent).
 *
 * --log FILE: appends one JSON line per request before answering it:
 * {"n":N,"method":..,"path":..,"api":..,"model":..,
 *  "headers":{lower-case name: value,...},"body":"..."}.
 *
 * docs/mock_provider.md has the same with examples.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xmalloc.h"

#define MOCK_MAX_HEAD (64 * 1024)
#define MOCK_MAX_BODY (16u << 20)

enum mock_api { M_OPENAI, M_ANTHROPIC, M_GEMINI, M_OLLAMA, M_NONE };
static const char *const mock_api_names[] = { "openai", "anthropic", "gemini",
	"ollama", "none" };

struct mock_rule {
	char *model, *prompt_contains, *api;
	char *reply, *fixture, *retry_after_header, *error_message;
	char *content_type; /* the 200's Content-Type instead of the API's */
	int status;
	double retry_after;
	int fail_times;
	int delay_ms, drip_ms, chunk_bytes;
	long disconnect_after;
	int linger_ms;
	bool malformed, midstream_error, no_usage, comments;
	int hits;
};

static struct mock_rule *rules;
static size_t nrules;
static int log_fd = -1;
static int request_count;
static pthread_mutex_t mock_lock = PTHREAD_MUTEX_INITIALIZER;

/* One response being written: the fault knobs that shape the bytes. */
struct mock_out {
	int fd;
	int chunk_bytes, drip_ms;
	long disconnect_after; /* body bytes; <0: never */
	long body_sent;
	int linger_ms; /* after the body, before the close */
	bool in_body;
	bool dead;
};

struct mock_req {
	char method[16];
	char path[2048];
	struct buf head; /* raw header lines */
	char *body;
	size_t body_len;
	cJSON *json; /* the parsed body or NULL */
	enum mock_api api;
	char model[256];
	bool stream, include_usage;
	char *prompt; /* last user message, owned */
	int prompt_tokens;
	int max_out; /* the request's output limit, as each API names it; 0 */
};

static void
sleep_ms(int ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
raw_write(struct mock_out *o, const char *p, size_t n)
{
	while (n > 0 && !o->dead) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			o->dead = true;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Write n bytes honouring chunk_bytes and disconnect_after_bytes. */
static void
out_write(struct mock_out *o, const char *p, size_t n)
{
	while (n > 0 && !o->dead) {
		size_t k = n;

		if (o->chunk_bytes > 0 && k > (size_t)o->chunk_bytes)
			k = (size_t)o->chunk_bytes;
		if (o->in_body && o->disconnect_after >= 0) {
			long left = o->disconnect_after - o->body_sent;

			if (left <= 0) {
				o->dead = true;
				return;
			}
			if ((long)k > left)
				k = (size_t)left;
		}
		raw_write(o, p, k);
		if (o->in_body)
			o->body_sent += (long)k;
		p += k;
		n -= k;
		if (o->chunk_bytes > 0 && n > 0)
			usleep(20); /* let each piece leave as its own read */
	}
	if (o->in_body && o->disconnect_after >= 0 &&
	    o->body_sent >= o->disconnect_after)
		o->dead = true;
}

/* An event of the body: drip before it (not before the first). */
static void
out_event(struct mock_out *o, const char *p, size_t n, bool *first)
{
	if (!*first)
		sleep_ms(o->drip_ms);
	*first = false;
	out_write(o, p, n);
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 402:
		return "Payment Required";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 413:
		return "Payload Too Large";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	case 529:
		return "Site Overloaded";
	default:
		return "Error";
	}
}

static const char *
content_type(enum mock_api api, bool stream)
{
	if (!stream)
		return "application/json";
	if (api == M_OLLAMA)
		return "application/x-ndjson";
	if (api == M_ANTHROPIC)
		return "text/event-stream; charset=utf-8";
	return "text/event-stream";
}

/* Status line and headers; content_length < 0: close-delimited body. */
static void
out_head(struct mock_out *o, int status, const char *ctype, long content_length,
    const char *extra)
{
	struct buf h;

	buf_init(&h, MOCK_MAX_HEAD);
	if (buf_printf(&h,
	        "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	        "Cache-Control: no-cache\r\nConnection: close\r\n",
	        status, status_text(status), ctype) != 0)
		goto out;
	if (content_length >= 0 &&
	    buf_printf(&h, "Content-Length: %ld\r\n", content_length) != 0)
		goto out;
	if (extra != NULL && buf_addstr(&h, extra) != 0)
		goto out;
	if (buf_addstr(&h, "\r\n") != 0)
		goto out;
	out_write(o, h.data, h.len);
	o->in_body = true;
out:
	buf_release(&h);
}

/* ---- request parsing ---------------------------------------------- */

static const char *
req_header(const struct mock_req *r, const char *name)
{
	static __thread char value[1024];
	const char *p = buf_str(&r->head);
	size_t nlen = strlen(name);

	while (*p != '\0') {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > nlen && p[nlen] == ':' &&
		    strncasecmp(p, name, nlen) == 0) {
			const char *v = p + nlen + 1;
			size_t vl;

			while (*v == ' ' || *v == '\t')
				v++;
			vl = len - (size_t)(v - p);
			if (vl >= sizeof value)
				vl = sizeof value - 1;
			memcpy(value, v, vl);
			value[vl] = '\0';
			return value;
		}
		p += len;
		if (*p == '\r')
			p += 2;
	}
	return NULL;
}

static int
estimate_tokens(const char *s)
{
	return s ? (int)((strlen(s) + 3) / 4) + 3 : 3;
}

static void
take_messages(struct mock_req *r, const cJSON *msgs, bool gemini)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, msgs) {
		const char *role = json_get_string(m, "role");
		const char *text = NULL;

		if (gemini) {
			const cJSON *parts = cJSON_GetObjectItem(m, "parts");
			const cJSON *p0 = cJSON_GetArrayItem(parts, 0);

			text = json_get_string(p0, "text");
		} else {
			text = json_get_string(m, "content");
		}
		r->prompt_tokens += estimate_tokens(text);
		if (role != NULL && strcmp(role, "user") == 0 && text) {
			free(r->prompt);
			r->prompt = xstrdup(text);
		}
	}
}

static void
req_classify(struct mock_req *r)
{
	const char *p = r->path, *q;
	char *cause = NULL;
	const cJSON *so, *sys;

	r->api = M_NONE;
	if ((q = strstr(p, "/models/")) != NULL && strchr(q, ':') != NULL) {
		const char *m = q + 8, *colon = strchr(m, ':');
		size_t n = (size_t)(colon - m);

		r->api = M_GEMINI;
		if (n >= sizeof r->model)
			n = sizeof r->model - 1;
		memcpy(r->model, m, n);
		r->model[n] = '\0';
		r->stream = strncmp(colon, ":streamGenerateContent", 22) == 0;
	} else if (strcmp(p, "/api/chat") == 0) {
		r->api = M_OLLAMA;
	} else if (strcmp(p, "/v1/messages") == 0) {
		r->api = M_ANTHROPIC;
	} else {
		size_t len = strlen(p);

		if (len >= 17 && strcmp(p + len - 17, "/chat/completions") == 0)
			r->api = M_OPENAI;
	}
	if (r->body_len > 0 &&
	    json_parse(r->body, r->body_len, MOCK_MAX_BODY, false, "request",
	        &r->json, &cause) != MC_OK) {
		free(cause);
		r->json = NULL;
	}
	if (r->json == NULL)
		return;
	if (r->api != M_GEMINI) {
		const char *m = json_get_string(r->json, "model");

		snprintf(r->model, sizeof r->model, "%s", m ? m : "");
	}
	switch (r->api) {
	case M_OPENAI:
		r->stream = json_get_bool(r->json, "stream", false);
		so = cJSON_GetObjectItem(r->json, "stream_options");
		r->include_usage = json_get_bool(so, "include_usage", false);
		take_messages(
		    r, cJSON_GetObjectItem(r->json, "messages"), false);
		break;
	case M_ANTHROPIC:
		r->stream = json_get_bool(r->json, "stream", false);
		sys = cJSON_GetObjectItem(r->json, "system");
		if (cJSON_IsString(sys))
			r->prompt_tokens += estimate_tokens(sys->valuestring);
		take_messages(
		    r, cJSON_GetObjectItem(r->json, "messages"), false);
		break;
	case M_GEMINI:
		sys = cJSON_GetObjectItem(r->json, "systemInstruction");
		if (sys != NULL) {
			const cJSON *p0 = cJSON_GetArrayItem(
			    cJSON_GetObjectItem(sys, "parts"), 0);

			r->prompt_tokens +=
			    estimate_tokens(json_get_string(p0, "text"));
		}
		take_messages(
		    r, cJSON_GetObjectItem(r->json, "contents"), true);
		break;
	case M_OLLAMA:
		r->stream = json_get_bool(r->json, "stream", true);
		take_messages(
		    r, cJSON_GetObjectItem(r->json, "messages"), false);
		break;
	case M_NONE:
		break;
	}
	r->prompt_tokens += 3;
	{
		/* A reply is cut at the request's output limit, as a
		 * provider does. */
		const cJSON *lim = NULL;

		if (r->api == M_GEMINI)
			lim = cJSON_GetObjectItem(
			    cJSON_GetObjectItem(r->json, "generationConfig"),
			    "maxOutputTokens");
		else if (r->api == M_OLLAMA)
			lim = cJSON_GetObjectItem(
			    cJSON_GetObjectItem(r->json, "options"),
			    "num_predict");
		else if ((lim = cJSON_GetObjectItem(
		              r->json, "max_completion_tokens")) == NULL)
			lim = cJSON_GetObjectItem(r->json, "max_tokens");
		if (cJSON_IsNumber(lim) && lim->valuedouble >= 1 &&
		    lim->valuedouble < 1e9)
			r->max_out = (int)lim->valuedouble;
	}
}

/* Read the request head and its Content-Length body.  0 on success. */
static int
req_read(int fd, struct mock_req *r)
{
	struct buf in;
	char chunk[8192], *end = NULL;
	const char *cl;
	size_t head_len, want;
	int rc = -1;

	buf_init(&in, MOCK_MAX_HEAD + MOCK_MAX_BODY);
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		if (buf_add(&in, chunk, (size_t)n) != 0)
			goto out;
		if ((end = strstr(in.data, "\r\n\r\n")) != NULL)
			break;
		if (in.len > MOCK_MAX_HEAD)
			goto out;
	}
	head_len = (size_t)(end - in.data) + 4;
	{
		char *sp1 = memchr(in.data, ' ', head_len), *sp2, *eol;

		eol = strstr(in.data, "\r\n");
		if (sp1 == NULL || sp1 > eol)
			goto out;
		sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
		if (sp2 == NULL)
			goto out;
		snprintf(r->method, sizeof r->method, "%.*s",
		    (int)(sp1 - in.data), in.data);
		snprintf(r->path, sizeof r->path, "%.*s", (int)(sp2 - sp1 - 1),
		    sp1 + 1);
		if (buf_add(&r->head, eol + 2, (size_t)(end - eol)) != 0)
			goto out;
	}
	cl = req_header(r, "content-length");
	want = cl ? strtoul(cl, NULL, 10) : 0;
	if (want > MOCK_MAX_BODY)
		goto out;
	/* curl waits a second for this on bodies over 1 KiB unless told. */
	if (in.len - head_len < want && req_header(r, "expect") != NULL &&
	    write(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25) != 25)
		goto out;
	while (in.len - head_len < want) {
		ssize_t n = read(fd, chunk, sizeof chunk);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		if (buf_add(&in, chunk, (size_t)n) != 0)
			goto out;
	}
	r->body = xmalloc(want + 1);
	memcpy(r->body, in.data + head_len, want);
	r->body[want] = '\0';
	r->body_len = want;
	rc = 0;
out:
	buf_release(&in);
	return rc;
}

static void
req_log(const struct mock_req *r, int n)
{
	cJSON *o, *h;
	const char *p;
	char *line;

	if (log_fd < 0)
		return;
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", n);
	cJSON_AddStringToObject(o, "method", r->method);
	cJSON_AddStringToObject(o, "path", r->path);
	cJSON_AddStringToObject(o, "api", mock_api_names[r->api]);
	cJSON_AddStringToObject(o, "model", r->model);
	h = cJSON_AddObjectToObject(o, "headers");
	for (p = buf_str(&r->head); *p != '\0';) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *colon = memchr(p, ':', len);

		if (colon != NULL) {
			char *name = xstrndup(p, (size_t)(colon - p));
			const char *v = colon + 1;
			char *val, *c;

			while (*v == ' ')
				v++;
			val = xstrndup(v, len - (size_t)(v - p));
			for (c = name; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
			cJSON_AddStringToObject(h, name, val);
			free(name);
			free(val);
		}
		p += len;
		if (*p == '\r')
			p += 2;
	}
	cJSON_AddStringToObject(o, "body", r->body ? r->body : "");
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (line != NULL) {
		size_t len = strlen(line);
		char *l2 = xmalloc(len + 2);

		memcpy(l2, line, len);
		l2[len] = '\n';
		pthread_mutex_lock(&mock_lock);
		if (write(log_fd, l2, len + 1) < 0)
			perror("mock_provider: log");
		pthread_mutex_unlock(&mock_lock);
		free(l2);
		free(line);
	}
}

/* ---- responses ------------------------------------------------------ */

struct mock_plan {
	const char *reply;
	const char *fixture;
	int status;
	double retry_after;
	bool malformed, midstream_error, usage, comments;
	const char *error_message; /* the rule's, "{auth}" not expanded */
};

/* Split text into tokens of up to 4 bytes, not splitting a character. */
static size_t
next_token(const char *s, size_t len)
{
	size_t k = len < 4 ? len : 4;

	while (k < len && ((unsigned char)s[k] & 0xc0) == 0x80)
		k++;
	return k;
}

static size_t
count_tokens(const char *s)
{
	size_t n = 0, len = strlen(s), i = 0;

	while (i < len) {
		i += next_token(s + i, len - i);
		n++;
	}
	return n;
}

static void
send_json_event(struct mock_out *o, enum mock_api api, const char *event,
    cJSON *obj, bool *first)
{
	char *js = cJSON_PrintUnformatted(obj);
	char *ev;

	if (api == M_ANTHROPIC)
		ev = xasprintf("event: %s\ndata: %s\n\n", event, js);
	else if (api == M_GEMINI)
		ev = xasprintf("data: %s\r\n\r\n", js);
	else if (api == M_OLLAMA)
		ev = xasprintf("%s\n", js);
	else
		ev = xasprintf("data: %s\n\n", js);
	out_event(o, ev, strlen(ev), first);
	free(ev);
	free(js);
	cJSON_Delete(obj);
}

static void
send_raw_event(struct mock_out *o, const char *ev, bool *first)
{
	out_event(o, ev, strlen(ev), first);
}

static const char *
malformed_event(enum mock_api api)
{
	switch (api) {
	case M_ANTHROPIC:
		return "event: content_block_delta\ndata: {\"type\":"
		       "\"content_block_delta\",\"index\":0,\"delta\":{\"type\""
		       ":\"text_delta\",\"text\":\n\n";
	case M_GEMINI:
		return "data: {\"candidates\":[{\"content\":\r\n\r\n";
	case M_OLLAMA:
		return "{\"model\":\"m\",\"message\":{\"content\":\n";
	default:
		return "data: {\"id\":\"chatcmpl-mock\",\"choices\":[{\"delta\""
		       ":{\"content\":\"oops\"\n\n";
	}
}

static const char *
midstream_error_event(enum mock_api api)
{
	switch (api) {
	case M_ANTHROPIC:
		return "event: error\ndata: {\"type\": \"error\", \"error\": "
		       "{\"type\": \"overloaded_error\", \"message\": "
		       "\"Overloaded\"}}\n\n";
	case M_GEMINI:
		return "data: {\"error\":{\"code\":503,\"message\":\"The model "
		       "is overloaded. Please try again later.\",\"status\":"
		       "\"UNAVAILABLE\"}}\r\n\r\n";
	case M_OLLAMA:
		return "{\"error\":\"an error was encountered while running "
		       "the model\"}\n";
	default:
		return "data: {\"error\":{\"message\":\"The server had an error "
		       "while processing your request\",\"type\":"
		       "\"server_error\",\"param\":null,\"code\":null}}\n\n";
	}
}

/* The rule's error_message with "{auth}" replaced by the request's
 * credential header value (Authorization, x-api-key or x-goog-api-key),
 * as a JSON string literal. */
static char *
error_message_json(const struct mock_req *r, const char *msg)
{
	static const char *const names[] = { "authorization", "x-api-key",
		"x-goog-api-key" };
	const char *auth = NULL, *at;
	struct buf b;
	cJSON *str;
	char *out;
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0] && auth == NULL; i++)
		auth = req_header(r, names[i]);
	buf_init(&b, MOCK_MAX_HEAD);
	while ((at = strstr(msg, "{auth}")) != NULL) {
		if (buf_add(&b, msg, (size_t)(at - msg)) != 0 ||
		    buf_addstr(&b, auth != NULL ? auth : "") != 0)
			break;
		msg = at + 6;
	}
	if (buf_addstr(&b, msg) != 0)
		buf_release(&b);
	str = cJSON_CreateString(buf_str(&b));
	out = cJSON_PrintUnformatted(str);
	cJSON_Delete(str);
	buf_release(&b);
	return out;
}

/* The API's in-stream error event with the message msg (JSON). */
static char *
midstream_error_custom(enum mock_api api, const char *msg)
{
	switch (api) {
	case M_ANTHROPIC:
		return xasprintf("event: error\ndata: {\"type\": \"error\", "
		                 "\"error\": {\"type\": \"overloaded_error\", "
		                 "\"message\": %s}}\n\n",
		    msg);
	case M_GEMINI:
		return xasprintf("data: {\"error\":{\"code\":503,\"message\":"
		                 "%s,\"status\":\"UNAVAILABLE\"}}\r\n\r\n",
		    msg);
	case M_OLLAMA:
		return xasprintf("{\"error\":%s}\n", msg);
	default:
		return xasprintf("data: {\"error\":{\"message\":%s,\"type\":"
		                 "\"server_error\",\"param\":null,\"code\":"
		                 "null}}\n\n",
		    msg);
	}
}

static cJSON *
openai_chunk(const struct mock_req *r)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", "chatcmpl-mock");
	cJSON_AddStringToObject(o, "object", "chat.completion.chunk");
	cJSON_AddNumberToObject(o, "created", 1727346168);
	cJSON_AddStringToObject(o, "model", r->model);
	cJSON_AddStringToObject(o, "system_fingerprint", "fp_mock");
	return o;
}

static cJSON *
openai_choice(
    cJSON *chunk, const char *role, const char *content, const char *finish)
{
	cJSON *choices = cJSON_AddArrayToObject(chunk, "choices");
	cJSON *c = cJSON_CreateObject(), *d;

	cJSON_AddItemToArray(choices, c);
	cJSON_AddNumberToObject(c, "index", 0);
	d = cJSON_AddObjectToObject(c, "delta");
	if (role != NULL)
		cJSON_AddStringToObject(d, "role", role);
	if (content != NULL)
		cJSON_AddStringToObject(d, "content", content);
	cJSON_AddNullToObject(c, "logprobs");
	if (finish != NULL)
		cJSON_AddStringToObject(c, "finish_reason", finish);
	else
		cJSON_AddNullToObject(c, "finish_reason");
	return chunk;
}

static void
add_openai_usage(cJSON *o, int in, int out)
{
	cJSON *u = cJSON_AddObjectToObject(o, "usage");

	cJSON_AddNumberToObject(u, "prompt_tokens", in);
	cJSON_AddNumberToObject(u, "completion_tokens", out);
	cJSON_AddNumberToObject(u, "total_tokens", in + out);
}

static void
stream_tokens(struct mock_out *o, const struct mock_req *r,
    const struct mock_plan *pl, bool *first)
{
	const char *text = pl->reply;
	size_t len = strlen(text), i = 0, ntok = count_tokens(text), k = 0;
	int in = r->prompt_tokens, out = (int)ntok;
	cJSON *ev, *x, *y;
	char piece[64];

	/* Preamble. */
	if (r->api == M_OPENAI) {
		if (pl->comments)
			send_raw_event(o, ": OPENROUTER PROCESSING\n\n", first);
		send_json_event(o, r->api, NULL,
		    openai_choice(openai_chunk(r), "assistant", "", NULL),
		    first);
	} else if (r->api == M_ANTHROPIC) {
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "type", "message_start");
		x = cJSON_AddObjectToObject(ev, "message");
		cJSON_AddStringToObject(x, "id", "msg_mock");
		cJSON_AddStringToObject(x, "type", "message");
		cJSON_AddStringToObject(x, "role", "assistant");
		cJSON_AddArrayToObject(x, "content");
		cJSON_AddStringToObject(x, "model", r->model);
		cJSON_AddNullToObject(x, "stop_reason");
		cJSON_AddNullToObject(x, "stop_sequence");
		if (pl->usage) {
			y = cJSON_AddObjectToObject(x, "usage");
			cJSON_AddNumberToObject(y, "input_tokens", in);
			cJSON_AddNumberToObject(
			    y, "cache_creation_input_tokens", 0);
			cJSON_AddNumberToObject(
			    y, "cache_read_input_tokens", 0);
			cJSON_AddNumberToObject(y, "output_tokens", 1);
		}
		send_json_event(o, r->api, "message_start", ev, first);
		send_raw_event(o,
		    "event: content_block_start\ndata: {\"type\":"
		    "\"content_block_start\",\"index\":0,\"content_block\":"
		    "{\"type\":\"text\",\"text\":\"\"}}\n\n",
		    first);
		send_raw_event(
		    o, "event: ping\ndata: {\"type\": \"ping\"}\n\n", first);
	}
	while (i < len && !o->dead) {
		size_t n = next_token(text + i, len - i);

		if (k == ntok / 2 && k > 0) {
			if (pl->malformed)
				send_raw_event(
				    o, malformed_event(r->api), first);
			if (pl->midstream_error && pl->error_message) {
				char *m =
				    error_message_json(r, pl->error_message);
				char *e = midstream_error_custom(r->api, m);

				send_raw_event(o, e, first);
				free(e);
				free(m);
				return;
			}
			if (pl->midstream_error) {
				send_raw_event(
				    o, midstream_error_event(r->api), first);
				return;
			}
		}
		if (n >= sizeof piece)
			n = sizeof piece - 1;
		memcpy(piece, text + i, n);
		piece[n] = '\0';
		i += n;
		k++;
		if (pl->comments && r->api == M_OPENAI && k > 1)
			send_raw_event(o, ": keep-alive\n\n", first);
		switch (r->api) {
		case M_OPENAI:
			send_json_event(o, r->api, NULL,
			    openai_choice(openai_chunk(r), NULL, piece, NULL),
			    first);
			break;
		case M_ANTHROPIC:
			ev = cJSON_CreateObject();
			cJSON_AddStringToObject(
			    ev, "type", "content_block_delta");
			cJSON_AddNumberToObject(ev, "index", 0);
			x = cJSON_AddObjectToObject(ev, "delta");
			cJSON_AddStringToObject(x, "type", "text_delta");
			cJSON_AddStringToObject(x, "text", piece);
			send_json_event(
			    o, r->api, "content_block_delta", ev, first);
			break;
		case M_GEMINI:
			ev = cJSON_CreateObject();
			x = cJSON_AddArrayToObject(ev, "candidates");
			y = cJSON_CreateObject();
			cJSON_AddItemToArray(x, y);
			x = cJSON_AddObjectToObject(y, "content");
			{
				cJSON *parts =
				    cJSON_AddArrayToObject(x, "parts");
				cJSON *p = cJSON_CreateObject();

				cJSON_AddStringToObject(p, "text", piece);
				cJSON_AddItemToArray(parts, p);
			}
			cJSON_AddStringToObject(x, "role", "model");
			if (i >= len)
				cJSON_AddStringToObject(
				    y, "finishReason", "STOP");
			cJSON_AddNumberToObject(y, "index", 0);
			if (pl->usage) {
				x = cJSON_AddObjectToObject(
				    ev, "usageMetadata");
				cJSON_AddNumberToObject(
				    x, "promptTokenCount", in);
				cJSON_AddNumberToObject(
				    x, "candidatesTokenCount", (double)k);
				cJSON_AddNumberToObject(
				    x, "totalTokenCount", in + (double)k);
			}
			cJSON_AddStringToObject(ev, "modelVersion", r->model);
			send_json_event(o, r->api, NULL, ev, first);
			break;
		case M_OLLAMA:
			ev = cJSON_CreateObject();
			cJSON_AddStringToObject(ev, "model", r->model);
			cJSON_AddStringToObject(
			    ev, "created_at", "2025-07-07T20:22:19.19314Z");
			x = cJSON_AddObjectToObject(ev, "message");
			cJSON_AddStringToObject(x, "role", "assistant");
			cJSON_AddStringToObject(x, "content", piece);
			cJSON_AddFalseToObject(ev, "done");
			send_json_event(o, r->api, NULL, ev, first);
			break;
		case M_NONE:
			break;
		}
	}
	if (o->dead)
		return;
	/* Epilogue. */
	switch (r->api) {
	case M_OPENAI:
		send_json_event(o, r->api, NULL,
		    openai_choice(openai_chunk(r), NULL, NULL, "stop"), first);
		if (r->include_usage && pl->usage) {
			ev = openai_chunk(r);
			cJSON_AddArrayToObject(ev, "choices");
			add_openai_usage(ev, in, out);
			send_json_event(o, r->api, NULL, ev, first);
		}
		send_raw_event(o, "data: [DONE]\n\n", first);
		break;
	case M_ANTHROPIC:
		send_raw_event(o,
		    "event: content_block_stop\ndata: {\"type\":"
		    "\"content_block_stop\",\"index\":0}\n\n",
		    first);
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "type", "message_delta");
		x = cJSON_AddObjectToObject(ev, "delta");
		cJSON_AddStringToObject(x, "stop_reason", "end_turn");
		cJSON_AddNullToObject(x, "stop_sequence");
		if (pl->usage) {
			x = cJSON_AddObjectToObject(ev, "usage");
			cJSON_AddNumberToObject(x, "output_tokens", out);
		}
		send_json_event(o, r->api, "message_delta", ev, first);
		send_raw_event(o,
		    "event: message_stop\ndata: {\"type\":"
		    "\"message_stop\"}\n\n",
		    first);
		break;
	case M_OLLAMA:
		ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "model", r->model);
		cJSON_AddStringToObject(
		    ev, "created_at", "2025-07-07T20:22:19.19314Z");
		x = cJSON_AddObjectToObject(ev, "message");
		cJSON_AddStringToObject(x, "role", "assistant");
		cJSON_AddStringToObject(x, "content", "");
		cJSON_AddStringToObject(ev, "done_reason", "stop");
		cJSON_AddTrueToObject(ev, "done");
		cJSON_AddNumberToObject(ev, "total_duration", 182242375);
		cJSON_AddNumberToObject(ev, "load_duration", 41295167);
		if (pl->usage) {
			cJSON_AddNumberToObject(ev, "prompt_eval_count", in);
			cJSON_AddNumberToObject(
			    ev, "prompt_eval_duration", 24573166);
			cJSON_AddNumberToObject(ev, "eval_count", out);
			cJSON_AddNumberToObject(ev, "eval_duration", 115959084);
		}
		send_json_event(o, r->api, NULL, ev, first);
		break;
	default:
		break;
	}
}

/* The whole (not streamed) reply object of each API. */
static char *
whole_reply(const struct mock_req *r, const struct mock_plan *pl)
{
	int in = r->prompt_tokens, out = (int)count_tokens(pl->reply);
	cJSON *o = cJSON_CreateObject(), *x, *y, *z;
	char *s;

	switch (r->api) {
	case M_OPENAI:
		cJSON_AddStringToObject(o, "id", "chatcmpl-mock");
		cJSON_AddStringToObject(o, "object", "chat.completion");
		cJSON_AddNumberToObject(o, "created", 1727346142);
		cJSON_AddStringToObject(o, "model", r->model);
		x = cJSON_AddArrayToObject(o, "choices");
		y = cJSON_CreateObject();
		cJSON_AddItemToArray(x, y);
		cJSON_AddNumberToObject(y, "index", 0);
		z = cJSON_AddObjectToObject(y, "message");
		cJSON_AddStringToObject(z, "role", "assistant");
		cJSON_AddStringToObject(z, "content", pl->reply);
		cJSON_AddStringToObject(y, "finish_reason", "stop");
		if (pl->usage)
			add_openai_usage(o, in, out);
		break;
	case M_ANTHROPIC:
		cJSON_AddStringToObject(o, "model", r->model);
		cJSON_AddStringToObject(o, "id", "msg_mock");
		cJSON_AddStringToObject(o, "type", "message");
		cJSON_AddStringToObject(o, "role", "assistant");
		x = cJSON_AddArrayToObject(o, "content");
		y = cJSON_CreateObject();
		cJSON_AddItemToArray(x, y);
		cJSON_AddStringToObject(y, "type", "text");
		cJSON_AddStringToObject(y, "text", pl->reply);
		cJSON_AddStringToObject(o, "stop_reason", "end_turn");
		if (pl->usage) {
			x = cJSON_AddObjectToObject(o, "usage");
			cJSON_AddNumberToObject(x, "input_tokens", in);
			cJSON_AddNumberToObject(x, "output_tokens", out);
		}
		break;
	case M_GEMINI:
		x = cJSON_AddArrayToObject(o, "candidates");
		y = cJSON_CreateObject();
		cJSON_AddItemToArray(x, y);
		z = cJSON_AddObjectToObject(y, "content");
		x = cJSON_AddArrayToObject(z, "parts");
		cJSON_AddItemToArray(x, cJSON_CreateObject());
		cJSON_AddStringToObject(
		    cJSON_GetArrayItem(x, 0), "text", pl->reply);
		cJSON_AddStringToObject(z, "role", "model");
		cJSON_AddStringToObject(y, "finishReason", "STOP");
		if (pl->usage) {
			x = cJSON_AddObjectToObject(o, "usageMetadata");
			cJSON_AddNumberToObject(x, "promptTokenCount", in);
			cJSON_AddNumberToObject(x, "candidatesTokenCount", out);
			cJSON_AddNumberToObject(x, "totalTokenCount", in + out);
		}
		break;
	default:
		cJSON_AddStringToObject(o, "model", r->model);
		x = cJSON_AddObjectToObject(o, "message");
		cJSON_AddStringToObject(x, "role", "assistant");
		cJSON_AddStringToObject(x, "content", pl->reply);
		cJSON_AddStringToObject(o, "done_reason", "stop");
		cJSON_AddTrueToObject(o, "done");
		if (pl->usage) {
			cJSON_AddNumberToObject(o, "prompt_eval_count", in);
			cJSON_AddNumberToObject(o, "eval_count", out);
		}
		break;
	}
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* The provider's real error body for a status. */
static char *
error_body(const struct mock_req *r, int status)
{
	const char *type, *msg, *code = "null";

	switch (r->api) {
	case M_ANTHROPIC:
		switch (status) {
		case 400:
			type = "invalid_request_error";
			msg = "invalid request";
			break;
		case 401:
			type = "authentication_error";
			msg = "invalid x-api-key";
			break;
		case 403:
			type = "permission_error";
			msg =
			    "Your API key does not have permission to use the specified resource.";
			break;
		case 404:
			type = "not_found_error";
			msg = "model: not found";
			break;
		case 413:
			type = "request_too_large";
			msg =
			    "Request exceeds the maximum allowed number of bytes.";
			break;
		case 429:
			type = "rate_limit_error";
			msg =
			    "This request would exceed your organization's rate limit. Please try again later.";
			break;
		case 529:
			type = "overloaded_error";
			msg = "Overloaded";
			break;
		default:
			type = "api_error";
			msg = "Internal server error";
			break;
		}
		return xasprintf(
		    "{\"type\":\"error\",\"error\":{\"type\":\"%s\","
		    "\"message\":\"%s\"},\"request_id\":\"req_mock\"}",
		    type, msg);
	case M_GEMINI:
		switch (status) {
		case 400:
			return xstrdup(
			    "{\"error\":{\"code\":400,\"message\":"
			    "\"API key not valid. Please pass a valid API "
			    "key.\",\"status\":\"INVALID_ARGUMENT\",\"details\":"
			    "[{\"@type\":\"type.googleapis.com/google.rpc."
			    "ErrorInfo\",\"reason\":\"API_KEY_INVALID\","
			    "\"domain\":\"googleapis.com\",\"metadata\":{"
			    "\"service\":\"generativelanguage.googleapis.com\""
			    "}}]}}");
		case 401:
			type = "UNAUTHENTICATED";
			msg = "Request had invalid authentication credentials.";
			break;
		case 403:
			type = "PERMISSION_DENIED";
			msg = "Method doesn't allow unregistered callers.";
			break;
		case 404:
			type = "NOT_FOUND";
			msg =
			    "models/unknown is not found for API version v1beta, or is not supported for generateContent.";
			break;
		case 429:
			type = "RESOURCE_EXHAUSTED";
			msg = "Resource has been exhausted (e.g. check quota).";
			break;
		case 503:
			type = "UNAVAILABLE";
			msg =
			    "The model is overloaded. Please try again later.";
			break;
		default:
			type = "INTERNAL";
			msg = "An internal error has occurred.";
			break;
		}
		return xasprintf("{\"error\":{\"code\":%d,\"message\":\"%s\","
		                 "\"status\":\"%s\"}}",
		    status, msg, type);
	case M_OLLAMA:
		if (status == 404)
			return xasprintf("{\"error\":\"model \\\"%s\\\" not "
			                 "found, try pulling it first\"}",
			    r->model);
		return xasprintf("{\"error\":\"%s\"}",
		    status == 503
		        ? "server busy, please try again.  maximum pending requests "
		          "exceeded"
		        : "an error was encountered while running the "
		          "model");
	default:
		type = "invalid_request_error";
		switch (status) {
		case 401:
			msg =
			    "Incorrect API key provided: sk-mock***. You can find your API key at https://platform.openai.com/account/api-keys.";
			code = "\"invalid_api_key\"";
			break;
		case 403:
			msg = "Country, region, or territory not supported";
			code = "\"unsupported_country_region_territory\"";
			break;
		case 404:
			msg =
			    "The model does not exist or you do not have access to it.";
			code = "\"model_not_found\"";
			break;
		case 429:
			type = "tokens";
			msg =
			    "Rate limit reached for requests. Please try again later.";
			code = "\"rate_limit_exceeded\"";
			break;
		case 503:
			type = "server_error";
			msg =
			    "The engine is currently overloaded, please try again later";
			break;
		default:
			if (status >= 500) {
				type = "server_error";
				msg =
				    "The server had an error while processing your request";
			} else {
				msg = "Invalid request";
			}
			break;
		}
		return xasprintf(
		    "{\"error\":{\"message\":\"%s\",\"type\":\"%s\","
		    "\"param\":null,\"code\":%s}}",
		    msg, type, code);
	}
}

static void
respond_error(struct mock_out *o, const struct mock_req *r, int status,
    double retry_after, const char *retry_after_header,
    const char *error_message)
{
	char *body, *m;
	struct buf extra;

	if (error_message != NULL) {
		m = error_message_json(r, error_message);
		body = xasprintf("{\"error\":{\"message\":%s,\"type\":"
		                 "\"invalid_request_error\",\"code\":%d}}",
		    m, status);
		free(m);
	} else
		body = error_body(r, status);

	buf_init(&extra, 4096);
	if (retry_after_header != NULL) {
		if (buf_printf(
		        &extra, "retry-after: %s\r\n", retry_after_header) != 0)
			goto out;
	} else if (retry_after > 0) {
		if (buf_printf(&extra, "retry-after: %d\r\n",
		        (int)ceil(retry_after)) != 0)
			goto out;
		if (retry_after != floor(retry_after) &&
		    buf_printf(&extra, "retry-after-ms: %d\r\n",
		        (int)(retry_after * 1000)) != 0)
			goto out;
	}
	if (status == 429 && r->api == M_OPENAI &&
	    buf_addstr(&extra, "x-ratelimit-limit-requests: 5000\r\n"
	                       "x-ratelimit-remaining-requests: 0\r\n"
	                       "x-ratelimit-reset-requests: 12ms\r\n") != 0)
		goto out;
	if (status == 429 && r->api == M_ANTHROPIC &&
	    buf_addstr(&extra,
	        "anthropic-ratelimit-requests-limit: 1000\r\n"
	        "anthropic-ratelimit-requests-remaining: 0\r\n"
	        "anthropic-ratelimit-requests-reset: 2025-08-21T12:40:59Z\r\n") !=
	        0)
		goto out;
	out_head(
	    o, status, "application/json", (long)strlen(body), buf_str(&extra));
	out_write(o, body, strlen(body));
out:
	buf_release(&extra);
	free(body);
}

static void
respond_fixture(struct mock_out *o, const struct mock_req *r, const char *path,
    const char *ctype)
{
	struct buf file;
	char *data, *cause = NULL;
	size_t len, i = 0;
	bool first = true;

	buf_init(&file, MOCK_MAX_BODY);
	if (fs_read_file(path, &file, &cause) != MC_OK) {
		fprintf(stderr, "mock_provider: %s\n", cause);
		free(cause);
		respond_error(o, r, 500, 0, NULL, NULL);
		return;
	}
	len = file.len;
	data = buf_detach(&file, &len);
	/* A whole JSON answer comes with its length, as servers send one
	 * (so a connection that drops before the end is seen to). */
	out_head(o, 200, ctype ? ctype : content_type(r->api, true),
	    ctype != NULL && strncmp(ctype, "application/json", 16) == 0
	        ? (long)len
	        : -1,
	    NULL);
	/* One event per write, so drip_ms applies between events. */
	while (i < len && !o->dead) {
		char *sep = NULL;
		size_t j, n;

		for (j = i; j + 1 < len; j++) {
			if (data[j] == '\n' && data[j + 1] == '\n') {
				sep = data + j + 2;
				break;
			}
			if (j + 3 < len &&
			    memcmp(data + j, "\r\n\r\n", 4) == 0) {
				sep = data + j + 4;
				break;
			}
		}
		n = sep ? (size_t)(sep - (data + i)) : len - i;
		out_event(o, data + i, n, &first);
		i += n;
	}
	free(data);
}

static void
respond(struct mock_out *o, struct mock_req *r)
{
	struct mock_rule *rule = NULL;
	struct mock_plan pl;
	char *dflt = NULL, *cut = NULL;
	bool fault = true;
	size_t i;

	pthread_mutex_lock(&mock_lock);
	for (i = 0; i < nrules; i++) {
		struct mock_rule *x = &rules[i];

		if (x->model && strcmp(x->model, r->model) != 0)
			continue;
		if (x->api && strcmp(x->api, mock_api_names[r->api]) != 0)
			continue;
		if (x->prompt_contains &&
		    (r->prompt == NULL ||
		        strstr(r->prompt, x->prompt_contains) == NULL))
			continue;
		rule = x;
		break;
	}
	if (rule != NULL) {
		rule->hits++;
		if (rule->fail_times > 0 && rule->hits > rule->fail_times)
			fault = false;
	}
	pthread_mutex_unlock(&mock_lock);

	memset(&pl, 0, sizeof pl);
	pl.usage = true;
	if (rule != NULL) {
		o->chunk_bytes = rule->chunk_bytes;
		o->drip_ms = rule->drip_ms;
		o->linger_ms = rule->linger_ms;
		sleep_ms(rule->delay_ms);
		pl.reply = rule->reply;
		pl.fixture = rule->fixture;
		pl.usage = !rule->no_usage;
		pl.comments = rule->comments;
		pl.error_message = rule->error_message;
		if (fault) {
			pl.status = rule->status;
			pl.retry_after = rule->retry_after;
			pl.malformed = rule->malformed;
			pl.midstream_error = rule->midstream_error;
			o->disconnect_after = rule->disconnect_after;
		}
	}
	if (r->api == M_NONE || (r->json == NULL && r->api != M_NONE)) {
		const char *b =
		    r->api == M_NONE
		        ? "{\"error\":\"mock_provider: no API at this path\"}"
		        : "{\"error\":\"mock_provider: the body is not JSON\"}";

		out_head(o, r->api == M_NONE ? 404 : 400, "application/json",
		    (long)strlen(b), NULL);
		out_write(o, b, strlen(b));
		return;
	}
	if (pl.status != 0 && pl.status != 200) {
		respond_error(o, r, pl.status, pl.retry_after,
		    rule != NULL ? rule->retry_after_header : NULL,
		    rule != NULL ? rule->error_message : NULL);
		return;
	}
	if (pl.fixture != NULL) {
		respond_fixture(
		    o, r, pl.fixture, rule != NULL ? rule->content_type : NULL);
		return;
	}
	if (pl.reply == NULL) {
		const char *p = r->prompt ? r->prompt : "";
		size_t n = strlen(p);

		if (n > 40) {
			n = 40;
			while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
				n--;
		}
		dflt = xasprintf("mock reply to: %.*s", (int)n, p);
		pl.reply = dflt;
	}
	if (r->max_out > 0 && count_tokens(pl.reply) > (size_t)r->max_out) {
		size_t len = strlen(pl.reply), at = 0;
		int k;

		for (k = 0; k < r->max_out && at < len; k++)
			at += next_token(pl.reply + at, len - at);
		cut = xstrndup(pl.reply, at);
		pl.reply = cut;
	}
	if (!r->stream) {
		char *s = whole_reply(r, &pl);

		out_head(o, 200, "application/json", (long)strlen(s), NULL);
		out_write(o, s, strlen(s));
		free(s);
	} else {
		bool first = true;

		out_head(o, 200, content_type(r->api, true), -1, NULL);
		stream_tokens(o, r, &pl, &first);
	}
	free(dflt);
	free(cut);
}

static void *
serve(void *arg)
{
	int fd = (int)(intptr_t)arg, one = 1, n;
	struct mock_req r;
	struct mock_out o;

	memset(&r, 0, sizeof r);
	buf_init(&r.head, MOCK_MAX_HEAD);
	memset(&o, 0, sizeof o);
	o.fd = fd;
	o.disconnect_after = -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (req_read(fd, &r) == 0) {
		req_classify(&r);
		pthread_mutex_lock(&mock_lock);
		n = ++request_count;
		pthread_mutex_unlock(&mock_lock);
		req_log(&r, n);
		respond(&o, &r);
		if (!o.dead)
			sleep_ms(o.linger_ms);
	}
	shutdown(fd, SHUT_WR);
	close(fd);
	buf_release(&r.head);
	free(r.body);
	free(r.prompt);
	cJSON_Delete(r.json);
	return NULL;
}

static char *
rule_string(const cJSON *o, const char *key)
{
	const char *s = json_get_string(o, key);

	return s ? xstrdup(s) : NULL;
}

static int
load_script(const char *path)
{
	struct buf text;
	char *cause = NULL;
	size_t i = 0;
	cJSON *root = NULL, *o;

	buf_init(&text, MOCK_MAX_BODY);
	if (fs_read_file(path, &text, &cause) != MC_OK ||
	    json_parse(buf_str(&text), text.len, MOCK_MAX_BODY, true, path,
	        &root, &cause) != MC_OK) {
		fprintf(stderr, "mock_provider: %s\n", cause);
		free(cause);
		buf_release(&text);
		return -1;
	}
	buf_release(&text);
	if (!cJSON_IsArray(root)) {
		fprintf(stderr,
		    "mock_provider: %s: want a JSON array of "
		    "rules\n",
		    path);
		cJSON_Delete(root);
		return -1;
	}
	nrules = (size_t)cJSON_GetArraySize(root);
	rules = xcalloc(nrules ? nrules : 1, sizeof *rules);
	cJSON_ArrayForEach(o, root) {
		struct mock_rule *x = &rules[i++];

		x->model = rule_string(o, "model");
		x->prompt_contains = rule_string(o, "prompt_contains");
		x->api = rule_string(o, "api");
		x->reply = rule_string(o, "reply");
		x->fixture = rule_string(o, "fixture");
		x->retry_after_header = rule_string(o, "retry_after_header");
		x->error_message = rule_string(o, "error_message");
		x->content_type = rule_string(o, "content_type");
		x->status = (int)json_get_number(o, "status", 0);
		x->retry_after = json_get_number(o, "retry_after", 0);
		x->fail_times = (int)json_get_number(o, "fail_times", 0);
		x->delay_ms = (int)json_get_number(o, "delay_ms", 0);
		x->drip_ms = (int)json_get_number(o, "drip_ms", 0);
		x->chunk_bytes = (int)json_get_number(o, "chunk_bytes", 0);
		x->disconnect_after =
		    (long)json_get_number(o, "disconnect_after_bytes", -1);
		x->linger_ms = (int)json_get_number(o, "linger_ms", 0);
		x->malformed = json_get_bool(o, "malformed", false);
		x->midstream_error = json_get_bool(o, "midstream_error", false);
		x->no_usage = !json_get_bool(o, "usage", true);
		x->comments = json_get_bool(o, "comments", false);
	}
	cJSON_Delete(root);
	return 0;
}

static void *
watch_stdin(void *arg)
{
	char b[256];

	(void)arg;
	while (read(STDIN_FILENO, b, sizeof b) > 0 || errno == EINTR)
		errno = 0;
	_exit(0);
	return NULL;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mock_provider [--script FILE] [--log FILE] "
	                "[--stdin-eof]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t salen = sizeof sa;
	pthread_t th;
	pthread_attr_t attr;
	bool stdin_eof = false;
	int lfd, i, one = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--script") == 0 && i + 1 < argc) {
			if (load_script(argv[++i]) != 0)
				return 1;
		} else if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) {
			log_fd = open(argv[++i],
			    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
			if (log_fd < 0) {
				perror(argv[i]);
				return 1;
			}
		} else if (strcmp(argv[i], "--stdin-eof") == 0) {
			stdin_eof = true;
		} else {
			usage();
		}
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen) != 0) {
		perror("mock_provider: bind");
		return 1;
	}
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (stdin_eof)
		pthread_create(&th, &attr, watch_stdin, NULL);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			perror("mock_provider: accept");
			return 1;
		}
		if (pthread_create(&th, &attr, serve, (void *)(intptr_t)fd) !=
		    0) {
			close(fd);
			continue;
		}
	}
}
