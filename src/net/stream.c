/*
 * stream.c - decoding each API's streamed reply (see stream.h).  The field
 * names and their quirks are those of shared/reference/providers.md.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "net/stream.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

static void
stream_fail(struct stream *st, int err, const char *msg)
{
	if (st->err != MC_OK)
		return;
	st->err = err;
	free(st->message);
	st->message = xstrdup(msg ? msg : "unknown error");
}

/* Hand a piece of text over as valid UTF-8 (bad bytes become U+FFFD). */
static void
emit_text(struct stream *st, const char *s, size_t len)
{
	if (len == 0)
		return;
	st->text_bytes += len;
	if (utf8_valid(s, len)) {
		st->on_text(st->ud, s, len);
	} else {
		size_t n;
		char *fixed = utf8_repair(s, len, &n, NULL);

		st->on_text(st->ud, fixed, n);
		free(fixed);
	}
}

static void
emit_string(struct stream *st, const cJSON *v)
{
	if (cJSON_IsString(v) && v->valuestring != NULL)
		emit_text(st, v->valuestring, strlen(v->valuestring));
}

static bool
get_long(const cJSON *obj, const char *key, long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e12)
		return false;
	*out = (long)v->valuedouble;
	return true;
}

/* The message of an error object in any of the providers' shapes. */
static const char *
error_message(const cJSON *err)
{
	const char *m;

	if (cJSON_IsString(err))
		return err->valuestring;
	if ((m = json_get_string(err, "message")) != NULL)
		return m;
	if ((m = json_get_string(err, "type")) != NULL)
		return m;
	return "error in the stream";
}

static int
parse_event_json(struct stream *st, const char *data, size_t len, cJSON **out)
{
	char *cause = NULL;
	int rc;

	rc = json_parse(
	    data, len, STREAM_MAX_EVENT, false, "stream", out, &cause);
	if (rc != MC_OK) {
		char *msg =
		    xasprintf("malformed reply from the provider (%s)", cause);

		stream_fail(
		    st, rc == MC_ERR_LIMIT ? MC_ERR_LIMIT : MC_ERR_PARSE, msg);
		free(msg);
		free(cause);
		return st->err;
	}
	return MC_OK;
}

/* ---- openai and compatibles ----------------------------------------- */

static void
openai_usage(struct stream *st, const cJSON *u)
{
	const cJSON *d;
	long v;

	if (!cJSON_IsObject(u))
		return;
	if (get_long(u, "prompt_tokens", &st->usage.in))
		st->usage.have_in = true;
	if (get_long(u, "completion_tokens", &st->usage.out))
		st->usage.have_out = true;
	d = cJSON_GetObjectItemCaseSensitive(u, "prompt_tokens_details");
	if (get_long(d, "cached_tokens", &v))
		st->usage.cached_in = v;
	/* DeepSeek names its cache hits differently. */
	if (get_long(u, "prompt_cache_hit_tokens", &v))
		st->usage.cached_in = v;
	d = cJSON_GetObjectItemCaseSensitive(u, "cost");
	if (cJSON_IsNumber(d) && d->valuedouble >= 0) {
		st->usage.cost = d->valuedouble;
		st->usage.have_cost = true;
	}
}

/* A chunk (its text in choices[].delta) or a whole answer (in
 * choices[].message): the text, usage, or the error it holds. */
static void
openai_object(struct stream *st, const cJSON *root, const char *holder)
{
	const cJSON *choices, *c, *err;

	err = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (err != NULL && !cJSON_IsNull(err) && !cJSON_IsFalse(err)) {
		stream_fail(st, MC_ERR_PROVIDER, error_message(err));
		return;
	}
	/* vLLM: {"object":"error","message":...} */
	if (json_get_string(root, "object") != NULL &&
	    strcmp(json_get_string(root, "object"), "error") == 0) {
		stream_fail(st, MC_ERR_PROVIDER, error_message(root));
		return;
	}
	choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
	cJSON_ArrayForEach(c, choices) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, holder);

		if (json_get_number(c, "index", 0) != 0)
			continue;
		emit_string(st, cJSON_GetObjectItemCaseSensitive(d, "content"));
	}
	openai_usage(st, cJSON_GetObjectItemCaseSensitive(root, "usage"));
	/* Groq: usage in x_groq on the finish chunk. */
	openai_usage(
	    st, cJSON_GetObjectItemCaseSensitive(
	            cJSON_GetObjectItemCaseSensitive(root, "x_groq"), "usage"));
}

static int
openai_event(struct stream *st, const char *data, size_t len)
{
	cJSON *root = NULL;
	int rc;

	if (strncmp(data, "[DONE]", 6) == 0) {
		st->done = true;
		return MC_OK;
	}
	if ((rc = parse_event_json(st, data, len, &root)) != MC_OK)
		return rc;
	openai_object(st, root, "delta");
	cJSON_Delete(root);
	return st->err;
}

/* ---- anthropic ------------------------------------------------------ */

static void
anthropic_usage(struct stream *st, const cJSON *u)
{
	if (!cJSON_IsObject(u))
		return;
	/* Cumulative: replace, never add. */
	if (get_long(u, "input_tokens", &st->usage.in))
		st->usage.have_in = true;
	(void)get_long(u, "cache_read_input_tokens", &st->usage.cache_read);
	(void)get_long(
	    u, "cache_creation_input_tokens", &st->usage.cache_write);
	if (get_long(u, "output_tokens", &st->usage.out))
		st->usage.have_out = true;
}

static int
anthropic_event(
    struct stream *st, const char *name, const char *data, size_t len)
{
	cJSON *root = NULL;
	const char *type;
	int rc;

	if (strcmp(name, "ping") == 0)
		return MC_OK;
	if ((rc = parse_event_json(st, data, len, &root)) != MC_OK)
		return rc;
	type = json_get_string(root, "type");
	if (type == NULL)
		type = name;
	if (strcmp(type, "error") == 0 || strcmp(name, "error") == 0) {
		stream_fail(st, MC_ERR_PROVIDER,
		    error_message(
		        cJSON_GetObjectItemCaseSensitive(root, "error")));
	} else if (strcmp(type, "message_start") == 0) {
		anthropic_usage(
		    st, cJSON_GetObjectItemCaseSensitive(
		            cJSON_GetObjectItemCaseSensitive(root, "message"),
		            "usage"));
		/* message_start's output_tokens is a placeholder (1). */
		st->usage.have_out = false;
		st->usage.out = 0;
	} else if (strcmp(type, "content_block_delta") == 0) {
		const cJSON *d =
		    cJSON_GetObjectItemCaseSensitive(root, "delta");
		const char *dt = json_get_string(d, "type");

		if (dt != NULL && strcmp(dt, "text_delta") == 0)
			emit_string(
			    st, cJSON_GetObjectItemCaseSensitive(d, "text"));
	} else if (strcmp(type, "message_delta") == 0) {
		anthropic_usage(
		    st, cJSON_GetObjectItemCaseSensitive(root, "usage"));
	} else if (strcmp(type, "message_stop") == 0) {
		st->done = true;
	}
	cJSON_Delete(root);
	return st->err;
}

/* ---- gemini --------------------------------------------------------- */

static void gemini_object(struct stream *st, const cJSON *root);

static int
gemini_event(struct stream *st, const char *data, size_t len)
{
	cJSON *root = NULL;
	int rc;

	if ((rc = parse_event_json(st, data, len, &root)) != MC_OK)
		return rc;
	gemini_object(st, root);
	cJSON_Delete(root);
	return st->err;
}

/* A frame (a whole GenerateContentResponse): its text, its end, its
 * usage, or the error it holds. */
static void
gemini_object(struct stream *st, const cJSON *root)
{
	const cJSON *err, *cand, *c, *parts, *p, *um;
	long v, thoughts = 0;

	if ((err = cJSON_GetObjectItemCaseSensitive(root, "error")) != NULL) {
		stream_fail(st, MC_ERR_PROVIDER, error_message(err));
		return;
	}
	cand = cJSON_GetObjectItemCaseSensitive(root, "candidates");
	c = cJSON_GetArrayItem(cand, 0);
	parts = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(c, "content"), "parts");
	cJSON_ArrayForEach(p, parts) {
		if (json_get_bool(p, "thought", false))
			continue;
		emit_string(st, cJSON_GetObjectItemCaseSensitive(p, "text"));
	}
	if (json_get_string(c, "finishReason") != NULL)
		st->done = true;
	/* Cumulative, and a trailing frame may carry only some fields. */
	um = cJSON_GetObjectItemCaseSensitive(root, "usageMetadata");
	if (get_long(um, "promptTokenCount", &st->usage.in))
		st->usage.have_in = true;
	(void)get_long(um, "cachedContentTokenCount", &st->usage.cached_in);
	if (get_long(um, "candidatesTokenCount", &v)) {
		(void)get_long(um, "thoughtsTokenCount", &thoughts);
		st->usage.out = v + thoughts;
		st->usage.have_out = true;
	}
}

/* ---- ollama --------------------------------------------------------- */

static int
ollama_line(void *ud, const char *line, size_t len)
{
	struct stream *st = ud;
	cJSON *root = NULL;
	const cJSON *err;
	int rc;

	if (st->done || st->err != MC_OK)
		return st->err;
	st->events++;
	if ((rc = parse_event_json(st, line, len, &root)) != MC_OK)
		return rc;
	if ((err = cJSON_GetObjectItemCaseSensitive(root, "error")) != NULL) {
		stream_fail(st, MC_ERR_PROVIDER, error_message(err));
		goto out;
	}
	emit_string(st,
	    cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(root, "message"), "content"));
	if (json_get_bool(root, "done", false)) {
		if (get_long(root, "prompt_eval_count", &st->usage.in))
			st->usage.have_in = true;
		if (get_long(root, "eval_count", &st->usage.out))
			st->usage.have_out = true;
		st->done = true;
	}
out:
	cJSON_Delete(root);
	return st->err;
}

/* ---- a whole JSON answer ------------------------------------------- */

/* Anthropic's non-streamed Message: its text blocks, stop and usage. */
static void
anthropic_message(struct stream *st, const cJSON *root)
{
	const char *type = json_get_string(root, "type");
	const cJSON *b;

	if (type != NULL && strcmp(type, "error") == 0) {
		stream_fail(st, MC_ERR_PROVIDER,
		    error_message(
		        cJSON_GetObjectItemCaseSensitive(root, "error")));
		return;
	}
	cJSON_ArrayForEach(
	    b, cJSON_GetObjectItemCaseSensitive(root, "content")) {
		const char *bt = json_get_string(b, "type");

		if (bt != NULL && strcmp(bt, "text") == 0)
			emit_string(
			    st, cJSON_GetObjectItemCaseSensitive(b, "text"));
	}
	anthropic_usage(st, cJSON_GetObjectItemCaseSensitive(root, "usage"));
}

/* Whether a Gemini frame has a GenerateContentResponse's parts. */
static bool
gemini_shaped(const cJSON *o)
{
	return cJSON_GetObjectItemCaseSensitive(o, "candidates") != NULL ||
	       cJSON_GetObjectItemCaseSensitive(o, "usageMetadata") != NULL;
}

/*
 * The body kept whole, decoded as the API's non-streamed answer.  What
 * the answer holds is all of it: it is done unless it says error.
 */
static void
whole_decode(struct stream *st)
{
	const char *p = st->body.data != NULL ? st->body.data : "";
	const char *what = "a reply";
	size_t n = st->body.len;
	cJSON *root = NULL;
	const cJSON *f;
	bool shape = false;

	if (parse_event_json(st, p, n, &root) != MC_OK)
		return;
	st->events++;
	switch (st->api) {
	case API_ANTHROPIC:
		anthropic_message(st, root);
		shape = cJSON_IsArray(
		    cJSON_GetObjectItemCaseSensitive(root, "content"));
		what = "\"content\"";
		break;
	case API_GEMINI:
		/* Without alt=sse, streamGenerateContent answers with a JSON
		 * array of the frames it would have streamed. */
		if (cJSON_IsArray(root)) {
			cJSON_ArrayForEach(f, root) {
				if (st->err != MC_OK)
					break;
				gemini_object(st, f);
				shape = shape || gemini_shaped(f);
			}
		} else {
			gemini_object(st, root);
			shape = gemini_shaped(root);
		}
		what = "\"candidates\"";
		break;
	case API_OPENAI:
	case API_OLLAMA:
		openai_object(st, root, "message");
		shape = cJSON_IsArray(
		    cJSON_GetObjectItemCaseSensitive(root, "choices"));
		what = "\"choices\"";
		break;
	}
	cJSON_Delete(root);
	/* JSON that is no answer of this API (a health check, another
	 * API's shape) is not an empty reply. */
	if (st->err == MC_OK && !shape) {
		char *msg =
		    xasprintf("no %s in it: not this API's answer", what);

		stream_fail(st, MC_ERR_PARSE, msg);
		free(msg);
	}
	if (st->err == MC_OK)
		st->done = true;
}

static int
sse_event(void *ud, const char *name, const char *data, size_t len)
{
	struct stream *st = ud;

	/* Gemini may send a usage-only frame after its finishReason. */
	if ((st->done && st->api != API_GEMINI) || st->err != MC_OK)
		return st->err;
	st->events++;
	if (st->done) {
		/* The reply is whole: a frame after it that cannot be read
		 * (or says error) adds nothing, and takes nothing away. */
		(void)gemini_event(st, data, len);
		if (st->err != MC_OK) {
			st->err = MC_OK;
			free(st->message);
			st->message = NULL;
		}
		return MC_OK;
	}
	switch (st->api) {
	case API_ANTHROPIC:
		return anthropic_event(st, name, data, len);
	case API_GEMINI:
		return gemini_event(st, data, len);
	case API_OPENAI:
	case API_OLLAMA:
		break;
	}
	return openai_event(st, data, len);
}

void
stream_init(
    struct stream *st, enum provider_api api, stream_text_fn on_text, void *ud)
{
	memset(st, 0, sizeof *st);
	st->api = api;
	st->on_text = on_text;
	st->ud = ud;
	if (api == API_OLLAMA)
		ndjson_init(&st->nd, STREAM_MAX_EVENT, ollama_line, st);
	else
		sse_init(&st->sse, STREAM_MAX_EVENT, sse_event, st);
}

void
stream_whole(struct stream *st)
{
	if (st->api == API_OLLAMA)
		return; /* its stream is JSON lines already */
	st->whole = true;
	buf_init(&st->body, STREAM_MAX_EVENT);
}

void
stream_release(struct stream *st)
{
	if (st->whole || st->body.data != NULL)
		buf_release(&st->body);
	if (st->api == API_OLLAMA)
		ndjson_release(&st->nd);
	else
		sse_release(&st->sse);
	free(st->message);
	st->message = NULL;
}

int
stream_feed(struct stream *st, const char *p, size_t n)
{
	int rc;

	if (st->err != MC_OK || (st->done && st->api != API_GEMINI))
		return st->err;
	if (st->whole) {
		const char *b;
		size_t skip;

		if (buf_add(&st->body, p, n) != MC_OK) {
			stream_fail(st, MC_ERR_LIMIT,
			    "the provider sent an answer too large to accept");
			return st->err;
		}
		/* Its first byte that is not blank says what it is: a JSON
		 * answer is kept whole; events (a stream its server labels
		 * JSON) are read as they come, from what was kept. */
		b = st->body.data;
		skip = strspn(b, " \t\r\n");
		if (skip == st->body.len || b[skip] == '{' || b[skip] == '[')
			return st->err;
		st->whole = false;
		p = b;
		n = st->body.len;
		rc = st->api == API_OLLAMA ? ndjson_feed(&st->nd, p, n)
		                           : sse_feed(&st->sse, p, n);
		buf_release(&st->body);
		goto fed;
	}
	if (st->api == API_OLLAMA)
		rc = ndjson_feed(&st->nd, p, n);
	else
		rc = sse_feed(&st->sse, p, n);
fed:
	if (rc != MC_OK && st->err == MC_OK)
		stream_fail(st, rc,
		    rc == MC_ERR_LIMIT
		        ? "the provider sent an event too large to accept"
		        : "the stream could not be decoded");
	return st->err;
}

int
stream_finish(struct stream *st)
{
	int rc;

	if (st->err != MC_OK || (st->done && st->api != API_GEMINI))
		return st->err;
	if (st->whole) {
		whole_decode(st);
		return st->err;
	}
	if (st->api == API_OLLAMA)
		rc = ndjson_finish(&st->nd);
	else
		rc = sse_finish(&st->sse);
	/*
	 * A last event cut off by the end of the body is a truncated reply
	 * (the caller sees no end marker), not a malformed one.
	 */
	if (rc == MC_ERR_PARSE || st->err == MC_ERR_PARSE) {
		st->err = MC_OK;
		free(st->message);
		st->message = NULL;
	} else if (rc != MC_OK && st->err == MC_OK) {
		stream_fail(st, rc, "the stream could not be decoded");
	}
	return st->err;
}
