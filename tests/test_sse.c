/*
 * test_sse.c - the SSE and NDJSON decoders and each API's stream decoder,
 * on the recorded fixtures of shared/fixtures/providers/ and on streams in
 * the shape of shared/reference/providers.md, fed whole, split at every
 * byte boundary and one byte at a time: the text, the usage and the end
 * must come out the same every way.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "net/sse.h"
#include "net/stream.h"
#include "test.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/utf8.h"

/* ---- raw SSE -------------------------------------------------------- */

struct events {
	struct buf log; /* "name|data\n" per event */
	int n;
};

static int
log_event(void *ud, const char *name, const char *data, size_t len)
{
	struct events *e = ud;

	e->n++;
	if (buf_printf(&e->log, "%s|", name) != 0 ||
	    buf_add(&e->log, data, len) != 0 || buf_addch(&e->log, '\n') != 0)
		return MC_ERR_LIMIT;
	return MC_OK;
}

static char *
sse_decode(const char *in, size_t len, size_t piece, int *nevents)
{
	struct sse s;
	struct events e;
	size_t i;
	char *out;

	buf_init(&e.log, 1 << 20);
	e.n = 0;
	sse_init(&s, 1 << 16, log_event, &e);
	for (i = 0; i < len; i += piece)
		if (sse_feed(&s, in + i, len - i < piece ? len - i : piece) !=
		    MC_OK)
			break;
	if (sse_finish(&s) != MC_OK)
		e.n = -1;
	sse_release(&s);
	*nevents = e.n;
	out = buf_detach(&e.log, NULL);
	return out ? out : strdup("");
}

TEST(sse_rules)
{
	const char *in = ": OPENROUTER PROCESSING\n\n"
	                 "data: a\r\n"
	                 "data:b\r"
	                 "\r"
	                 "event: ping\n"
	                 "id: 7\n"
	                 "retry: 10\n"
	                 "data: {\"x\":1}\n"
	                 "\n"
	                 "event: lonely\n\n"
	                 "data:  two spaces\n\n";
	size_t piece;

	for (piece = 1; piece <= strlen(in); piece++) {
		int n;
		char *got = sse_decode(in, strlen(in), piece, &n);

		CHECK(n == 3);
		CHECK_STR(got, "|a\nb\nping|{\"x\":1}\n| two spaces\n");
		free(got);
	}
}

TEST(sse_limit)
{
	struct sse s;
	struct events e;
	char big[300];

	memset(big, 'x', sizeof big);
	buf_init(&e.log, 1 << 20);
	e.n = 0;
	sse_init(&s, 100, log_event, &e);
	CHECK(sse_feed(&s, "data: ", 6) == MC_OK);
	CHECK(sse_feed(&s, big, sizeof big) == MC_ERR_LIMIT);
	CHECK(sse_feed(&s, "\n\n", 2) == MC_ERR_LIMIT); /* sticky */
	CHECK(e.n == 0);
	sse_release(&s);
	buf_release(&e.log);
}

TEST(sse_finish_without_blank_line)
{
	int n;
	char *got = sse_decode("event: x\ndata: last", 19, 4, &n);

	CHECK(n == 1);
	CHECK_STR(got, "x|last\n");
	free(got);
}

static int
log_line(void *ud, const char *line, size_t len)
{
	struct events *e = ud;

	e->n++;
	if (buf_add(&e->log, line, len) != 0 || buf_addch(&e->log, '|') != 0)
		return MC_ERR_LIMIT;
	return MC_OK;
}

TEST(ndjson_lines)
{
	const char *in = "{\"a\":1}\n\n  \r\n{\"b\":2}\r\n{\"c\":3}";
	size_t piece, i, len = strlen(in);

	for (piece = 1; piece <= len; piece++) {
		struct ndjson d;
		struct events e;

		buf_init(&e.log, 4096);
		e.n = 0;
		ndjson_init(&d, 4096, log_line, &e);
		for (i = 0; i < len; i += piece)
			CHECK(ndjson_feed(&d, in + i,
			          len - i < piece ? len - i : piece) == MC_OK);
		CHECK(ndjson_finish(&d) == MC_OK);
		CHECK(e.n == 3);
		CHECK_STR(buf_str(&e.log), "{\"a\":1}|{\"b\":2}|{\"c\":3}|");
		ndjson_release(&d);
		buf_release(&e.log);
	}
}

/* ---- the API decoders ----------------------------------------------- */

struct outcome {
	struct buf text;
	bool bad_utf8;
	int err;
	bool done;
	struct stream_usage usage;
};

static void
collect(void *ud, const char *text, size_t len)
{
	struct outcome *o = ud;

	if (len == 0 || !utf8_valid(text, len))
		o->bad_utf8 = true;
	if (buf_add(&o->text, text, len) != 0)
		o->bad_utf8 = true;
}

/* Decode in pieces: cut at `cut` (0: none), then pieces of `piece` bytes. */
static void
decode(enum provider_api api, const char *in, size_t len, size_t cut,
    size_t piece, struct outcome *o)
{
	struct stream st;
	size_t i = 0;

	buf_init(&o->text, 1 << 20);
	o->bad_utf8 = false;
	stream_init(&st, api, collect, o);
	if (cut > 0)
		i = stream_feed(&st, in, cut) == MC_OK ? cut : len;
	for (; i < len; i += piece)
		if (stream_feed(&st, in + i,
		        len - i < piece ? len - i : piece) != MC_OK)
			break;
	o->err = stream_finish(&st);
	o->done = st.done;
	o->usage = st.usage;
	stream_release(&st);
}

static bool
same(const struct outcome *a, const struct outcome *b)
{
	return strcmp(buf_str(&a->text), buf_str(&b->text)) == 0 &&
	       a->err == b->err && a->done == b->done &&
	       a->usage.in == b->usage.in && a->usage.out == b->usage.out &&
	       a->usage.have_in == b->usage.have_in &&
	       a->usage.have_out == b->usage.have_out &&
	       a->usage.cached_in == b->usage.cached_in && !b->bad_utf8;
}

/* Whole, at every cut, and one byte at a time: all equal to `want`. */
static void
check_every_split(enum provider_api api, const char *in, size_t len,
    const char *want_text, long in_tok, long out_tok)
{
	struct outcome whole, o;
	size_t cut;
	int bad = 0;

	decode(api, in, len, 0, len ? len : 1, &whole);
	CHECK(whole.err == MC_OK);
	CHECK(whole.done);
	CHECK_STR(buf_str(&whole.text), want_text);
	CHECK(whole.usage.in == in_tok);
	CHECK(whole.usage.out == out_tok);
	for (cut = 1; cut < len; cut++) {
		decode(api, in, len, cut, len, &o);
		if (!same(&whole, &o))
			bad++;
		buf_release(&o.text);
	}
	decode(api, in, len, 0, 1, &o);
	CHECK(same(&whole, &o));
	buf_release(&o.text);
	CHECK(bad == 0);
	buf_release(&whole.text);
}

static char *
read_fixture(const char *name, size_t *len)
{
	struct buf b;
	char *cause = NULL, rel[256];

	snprintf(rel, sizeof rel, "fixtures/providers/%s", name);
	buf_init(&b, 1 << 20);
	if (fs_read_file(test_shared(rel), &b, &cause) != MC_OK) {
		printf("%s\n", cause);
		exit(99);
	}
	return buf_detach(&b, len);
}

TEST(openai_fixture)
{
	size_t len;
	char *in = read_fixture("openai_stream_sample.sse", &len);

	check_every_split(API_OPENAI, in, len,
	    "I'm unable to provide real-time weather updates. To get the "
	    "current weather in San Francisco, I recommend checking a reliable "
	    "weather website or a weather app.",
	    14, 30);
	free(in);
}

TEST(anthropic_fixtures)
{
	size_t len;
	char *in = read_fixture("anthropic_stream_recorded.sse", &len);

	check_every_split(API_ANTHROPIC, in, len, "[12345,67890]", 135, 10);
	free(in);
	in = read_fixture("anthropic_stream_fixture.sse", &len);
	check_every_split(API_ANTHROPIC, in, len, "Hello there!", 11, 6);
	free(in);
}

/* Gemini: CRLF frames, cumulative usage, a trailing partial frame. */
static const char gemini_stream[] =
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Wo\xc3\xa9"
    "f\"}],\"role\":\"model\"},\"index\":0}],\"usageMetadata\":{"
    "\"promptTokenCount\":7,\"candidatesTokenCount\":1}}\r\n\r\n"
    "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hmm\","
    "\"thought\":true},{\"text\":\" \xe4\xb8\x96.\"}],\"role\":\"model\"},"
    "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{"
    "\"promptTokenCount\":7,\"candidatesTokenCount\":2,"
    "\"thoughtsTokenCount\":20,\"totalTokenCount\":29},\"modelVersion\":"
    "\"gemini-2.5-flash\",\"responseId\":\"x\"}\r\n\r\n"
    "data: {\"usageMetadata\":{\"promptTokenCount\":7}}\r\n\r\n";

TEST(gemini_crlf)
{
	check_every_split(API_GEMINI, gemini_stream, sizeof gemini_stream - 1,
	    "Wo\xc3\xa9"
	    "f \xe4\xb8\x96.",
	    7, 22);
}

static const char ollama_stream[] =
    "{\"model\":\"llama3.2\",\"created_at\":\"2023-08-04T08:52:19.385406455"
    "-07:00\",\"message\":{\"role\":\"assistant\",\"content\":\"The\","
    "\"images\":null},\"done\":false}\n"
    "{\"model\":\"llama3.2\",\"message\":{\"role\":\"assistant\","
    "\"content\":\" sky\"},\"done\":false}\n"
    "{\"model\":\"llama3.2\",\"created_at\":\"2025-07-07T20:22:19.19314Z\","
    "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done_reason\":"
    "\"stop\",\"done\":true,\"total_duration\":182242375,\"load_duration\":"
    "41295167,\"prompt_eval_count\":169,\"prompt_eval_duration\":24573166,"
    "\"eval_count\":15,\"eval_duration\":115959084}\n";

TEST(ollama_ndjson)
{
	check_every_split(API_OLLAMA, ollama_stream, sizeof ollama_stream - 1,
	    "The sky", 169, 15);
}

/* OpenAI-compatible quirks: comments, Groq x_groq.usage, OpenRouter cost. */
TEST(openai_compatible_quirks)
{
	static const char groq[] =
	    ": keep-alive\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},"
	    "\"finish_reason\":null}],\"usage\":null}\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":"
	    "\"stop\"}],\"x_groq\":{\"id\":\"req_1\",\"usage\":{"
	    "\"queue_time\":0.06,\"prompt_tokens\":18,\"completion_tokens\":"
	    "439,\"total_tokens\":457}}}\n\n"
	    "data: [DONE]\n\n";
	static const char openrouter[] =
	    ": OPENROUTER PROCESSING\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}],"
	    "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,"
	    "\"cost\":0.00042,\"prompt_tokens_details\":{\"cached_tokens\":2}}}"
	    "\n\ndata: [DONE]\n\n";
	struct outcome o;

	check_every_split(API_OPENAI, groq, sizeof groq - 1, "hi", 18, 439);
	decode(API_OPENAI, openrouter, sizeof openrouter - 1, 0, 7, &o);
	CHECK(o.done && o.err == MC_OK);
	CHECK(o.usage.have_cost);
	CHECK_NEAR(o.usage.cost, 0.00042, 1e-12);
	CHECK(o.usage.cached_in == 2);
	buf_release(&o.text);
}

/* In-stream errors and bad JSON stop the decoder; the text is kept. */
TEST(stream_errors)
{
	static const struct {
		enum provider_api api;
		const char *in;
		int err;
		const char *text;
	} cases[] = {
		{ API_OPENAI,
		    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":"
		    "\"a\"}}]}\n\ndata: {\"id\":\"x\",\"error\":{\"code\":"
		    "\"server_error\",\"message\":\"Provider disconnected\"},"
		    "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},"
		    "\"finish_reason\":\"error\"}]}\n\n",
		    MC_ERR_PROVIDER, "a" },
		{ API_OPENAI,
		    "data: {\"object\":\"error\",\"message\":\"vllm\"}"
		    "\n\n",
		    MC_ERR_PROVIDER, "" },
		{ API_OPENAI,
		    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":"
		    "\"a\"}}]}\n\ndata: {\"choices\":[\n\ndata: {\"choices\":"
		    "[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n",
		    MC_ERR_PARSE, "a" },
		{ API_ANTHROPIC,
		    "event: content_block_delta\ndata: {\"type\":"
		    "\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
		    "\"text_delta\",\"text\":\"x\"}}\n\nevent: error\ndata: "
		    "{\"type\": \"error\", \"error\": {\"type\": "
		    "\"overloaded_error\", \"message\": \"Overloaded\"}}\n\n",
		    MC_ERR_PROVIDER, "x" },
		{ API_GEMINI,
		    "data: {\"error\":{\"code\":503,\"message\":\"The "
		    "model is overloaded.\",\"status\":\"UNAVAILABLE\""
		    "}}\r\n\r\n",
		    MC_ERR_PROVIDER, "" },
		{ API_OLLAMA,
		    "{\"message\":{\"content\":\"q\"},\"done\":false}\n{\"error\":"
		    "\"an error was encountered while running the model\"}\n",
		    MC_ERR_PROVIDER, "q" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct outcome o;

		decode(
		    cases[i].api, cases[i].in, strlen(cases[i].in), 0, 3, &o);
		CHECK(o.err == cases[i].err);
		CHECK(!o.done);
		CHECK_STR(buf_str(&o.text), cases[i].text);
		buf_release(&o.text);
	}
}

/* A cut-off stream has no end marker, whatever the API. */
TEST(truncated_streams)
{
	size_t len;
	char *in = read_fixture("openai_stream_sample.sse", &len);
	struct outcome o;

	decode(API_OPENAI, in, len / 2, 0, 5, &o);
	CHECK(o.err == MC_OK);
	CHECK(!o.done);
	CHECK(!o.usage.have_out);
	CHECK(o.text.len > 0);
	buf_release(&o.text);
	free(in);
	/* Gemini without a finishReason frame. */
	decode(API_GEMINI, gemini_stream, 200, 0, 9, &o);
	CHECK(!o.done);
	buf_release(&o.text);
}

/* Invalid UTF-8 inside a JSON string comes out as U+FFFD, never raw. */
TEST(invalid_utf8_replaced)
{
	static const char in[] = "{\"message\":{\"content\":\"a\xff"
	                         "b\"},"
	                         "\"done\":true}\n";
	struct outcome o;

	decode(API_OLLAMA, in, sizeof in - 1, 0, 100, &o);
	CHECK(!o.bad_utf8);
	CHECK_STR(buf_str(&o.text), "a\xef\xbf\xbd"
	                            "b");
	buf_release(&o.text);
}

int
main(void)
{
	RUN(sse_rules);
	RUN(sse_limit);
	RUN(sse_finish_without_blank_line);
	RUN(ndjson_lines);
	RUN(openai_fixture);
	RUN(anthropic_fixtures);
	RUN(gemini_crlf);
	RUN(ollama_ndjson);
	RUN(openai_compatible_quirks);
	RUN(stream_errors);
	RUN(truncated_streams);
	RUN(invalid_utf8_replaced);
	return test_done();
}
