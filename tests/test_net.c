/*
 * test_net.c - the net layer against tests/mock_provider on loopback: each
 * API's exact request (path, headers, body; the key in its header and
 * nowhere else), the replies and their numbers, recorded streams replayed
 * one byte per write, and every fault of the issue (401, 404, 429 with
 * Retry-After, 500, 529, slow drip, disconnect, malformed JSON, in-stream
 * errors, missing usage, cancel).  Backoffs are set to milliseconds.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/net.h"
#include "net/request.h"
#include "test.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"
#include "vault/secmem.h"

#define KEY "sk-test-SECRET-0123456789"
/* A writable copy of a string literal (the config structs hold char *). */
#define W(s) ((char[]){ s })

static pid_t mock_pid = -1;
static int mock_stdin = -1;
static int mock_port;
static char log_path[512];
static char base_openai[128], base_root[128], base_gemini[128];

static void
stop_mock(void)
{
	if (mock_pid > 0) {
		close(mock_stdin);
		kill(mock_pid, SIGTERM);
		waitpid(mock_pid, NULL, 0);
		mock_pid = -1;
	}
}

static void
start_mock(const char *script)
{
	const char *dir = getenv("MIXCHAT_BUILDDIR");
	char bin[512], script_path[512], line[32];
	int in[2], out[2];
	ssize_t n;
	size_t got = 0;
	char *cause = NULL;

	snprintf(bin, sizeof bin, "%s/tests/mock_provider", dir ? dir : ".");
	if (access(bin, X_OK) != 0)
		test_skip("tests/mock_provider is not built");
	snprintf(
	    script_path, sizeof script_path, "%s/script.json", test_tmpdir());
	snprintf(log_path, sizeof log_path, "%s/mock.log", test_tmpdir());
	if (fs_write_atomic(
	        script_path, script, strlen(script), 0600, &cause) != MC_OK) {
		printf("%s\n", cause);
		exit(99);
	}
	if (pipe(in) != 0 || pipe(out) != 0)
		exit(99);
	mock_pid = fork();
	if (mock_pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(bin, bin, "--script", script_path, "--log", log_path,
		    "--stdin-eof", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	mock_stdin = in[1];
	while (got < sizeof line - 1 &&
	       (n = read(out[0], line + got, sizeof line - 1 - got)) > 0) {
		got += (size_t)n;
		if (memchr(line, '\n', got) != NULL)
			break;
	}
	close(out[0]);
	line[got] = '\0';
	mock_port = atoi(line);
	if (mock_port <= 0) {
		printf("mock_provider did not start\n");
		exit(99);
	}
	snprintf(base_openai, sizeof base_openai, "http://127.0.0.1:%d/v1",
	    mock_port);
	snprintf(base_root, sizeof base_root, "http://127.0.0.1:%d", mock_port);
	snprintf(base_gemini, sizeof base_gemini, "http://127.0.0.1:%d/v1beta",
	    mock_port);
	atexit(stop_mock);
}

/* ---- one reply ------------------------------------------------------ */

struct reply {
	struct buf text;
	struct net_result res;
	char *message;
	int done;
	struct net_transfer *t;
	bool cancel_in_text;   /* net_cancel from inside on_text */
	const char *cancel_at; /* ... once the text has this */
	int texts;
};

static void
on_text(void *ud, const char *text, size_t len)
{
	struct reply *r = ud;

	r->texts++;
	if (buf_add(&r->text, text, len) != 0)
		abort();
	if (r->cancel_in_text ||
	    (r->cancel_at != NULL && strstr(buf_str(&r->text), r->cancel_at)))
		net_cancel(r->t);
}

static void
on_done(void *ud, const struct net_result *res)
{
	struct reply *r = ud;

	r->done++;
	r->res = *res;
	r->message = res->message ? xstrdup(res->message) : NULL;
	r->res.message = r->message;
}

static const struct net_callbacks callbacks = { on_text, on_done };

static struct provider pv_openai = {
	.name = W("openai"), .api = API_OPENAI, .base_url = base_openai
};
static struct provider pv_anthropic = {
	.name = W("anthropic"), .api = API_ANTHROPIC, .base_url = base_root
};
static struct provider pv_gemini = {
	.name = W("gemini"), .api = API_GEMINI, .base_url = base_gemini
};
static struct provider pv_ollama = { .name = W("ollama"),
	.api = API_OLLAMA,
	.base_url = base_root,
	.auth_none = true };
static struct provider pv_local = { .name = W("local"),
	.api = API_OPENAI,
	.base_url = base_openai,
	.auth_none = true };

static struct model m_gpt4o = { .id = W("gpt-4o"),
	.provider = W("openai"),
	.price_in = 2.5,
	.price_out = 10,
	.price_cached_in = 1.25,
	.enabled = true };
static struct model m_gpt5 = { .id = W("gpt-5-mini"),
	.provider = W("openai"),
	.price_in = 0.25,
	.price_out = 2,
	.price_cached_in = 0.025,
	.enabled = true };
static struct model m_claude = { .id = W("claude-sonnet-4-5"),
	.provider = W("anthropic"),
	.price_in = 3,
	.price_out = 15,
	.price_cached_in = 0.3,
	.enabled = true };
static struct model m_gemini = { .id = W("gemini-2.5-flash"),
	.provider = W("gemini"),
	.price_in = 0.3,
	.price_out = 2.5,
	.price_cached_in = 0.03,
	.enabled = true };
static struct model m_llama = { .id = W("llama3.2"),
	.provider = W("ollama"),
	.price_in = 0,
	.price_out = 0,
	.price_cached_in = -1,
	.enabled = true };

static struct secret *key;
static struct net *net;

static void
reply_release(struct reply *r)
{
	buf_release(&r->text);
	free(r->message);
}

/* Ask `prompt` of model at provider; run to the end. */
static void
ask(const struct provider *pv, const struct model *m, const char *prompt,
    const char *system, int max_tokens, struct reply *r)
{
	struct net_message msgs[1] = { { "user", prompt } };
	struct net_request req;
	char *cause = NULL;
	int rc;

	memset(r, 0, sizeof *r);
	buf_init(&r->text, 1 << 20);
	memset(&req, 0, sizeof req);
	req.provider = pv;
	req.model = m;
	req.messages = msgs;
	req.nmessages = 1;
	req.system = system;
	req.max_tokens = max_tokens;
	req.key = pv->auth_none ? NULL : key;
	rc = net_start(net, &req, &callbacks, r, &r->t, &cause);
	CHECK(rc == MC_OK);
	if (rc != MC_OK) {
		printf("net_start: %s\n", cause);
		free(cause);
		return;
	}
	CHECK(net_run_until_done(net, 20000) == MC_OK);
	CHECK(r->done == 1);
}

/* The last line of the mock's log, parsed. */
static cJSON *
last_request(void)
{
	struct buf b;
	char *cause = NULL, *last;
	cJSON *root = NULL;

	buf_init(&b, 1 << 24);
	if (fs_read_file(log_path, &b, &cause) != MC_OK) {
		printf("%s\n", cause);
		free(cause);
		return NULL;
	}
	while (b.len > 0 && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	last = strrchr(b.data, '\n');
	last = last ? last + 1 : b.data;
	if (json_parse(last, strlen(last), 1 << 24, false, "log", &root,
	        &cause) != MC_OK) {
		printf("%s\n", cause);
		free(cause);
	}
	buf_release(&b);
	return root;
}

static int
count_in_log(const char *needle)
{
	struct buf b;
	char *cause = NULL;
	const char *p;
	int n = 0;

	buf_init(&b, 1 << 24);
	if (fs_read_file(log_path, &b, &cause) != MC_OK) {
		free(cause);
		return -1;
	}
	for (p = buf_str(&b); (p = strstr(p, needle)) != NULL; p++)
		n++;
	buf_release(&b);
	return n;
}

static int
log_lines(void)
{
	return count_in_log("\"method\":");
}

static const char *
header(const cJSON *req, const char *name)
{
	return json_get_string(cJSON_GetObjectItem(req, "headers"), name);
}

/* ---- requests ------------------------------------------------------- */

TEST(openai_request_and_reply)
{
	struct reply r;
	cJSON *req;
	int before = count_in_log(KEY);

	ask(&pv_openai, &m_gpt4o, "hello there", "be terse", 100, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "mock reply to: hello there");
	/* Mock usage: 3 + (ceil(8/4)+3) + (ceil(11/4)+3) = 14 in; 7 out. */
	CHECK(r.res.tokens_in == 14);
	CHECK(r.res.tokens_out == 7);
	/* One attempt: no wait to retry, not a few microseconds of it. */
	CHECK(r.res.attempts == 1 && r.res.wait_ms == 0);
	CHECK(!r.res.tokens_estimated);
	CHECK_NEAR(r.res.cost_usd, (14 * 2.5 + 7 * 10) / 1e6, 1e-12);
	CHECK(r.res.http_status == 200);
	CHECK(r.res.ttft_ms > 0);
	CHECK(r.res.latency_ms >= r.res.ttft_ms);
	CHECK(r.res.attempts == 1);
	CHECK(!r.res.truncated);
	CHECK(r.message == NULL);
	req = last_request();
	CHECK(req != NULL);
	CHECK_STR(json_get_string(req, "path"), "/v1/chat/completions");
	CHECK_STR(header(req, "authorization"), "Bearer " KEY);
	CHECK_STR(header(req, "content-type"), "application/json");
	CHECK(header(req, "x-api-key") == NULL);
	CHECK(header(req, "expect") == NULL);
	CHECK_STR(json_get_string(req, "body"),
	    "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\","
	    "\"content\":\"be terse\"},{\"role\":\"user\",\"content\":"
	    "\"hello there\"}],\"stream\":true,\"stream_options\":{"
	    "\"include_usage\":true},\"max_tokens\":100}");
	/* The key went into exactly one place: this request's header. */
	CHECK(count_in_log(KEY) == before + 1);
	cJSON_Delete(req);
	reply_release(&r);
}

TEST(max_completion_tokens_for_gpt5)
{
	struct reply r;
	cJSON *req;

	ask(&pv_openai, &m_gpt5, "hi", NULL, 256, &r);
	CHECK(r.res.err == MC_OK);
	req = last_request();
	CHECK_STR(json_get_string(req, "body"),
	    "{\"model\":\"gpt-5-mini\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"hi\"}],\"stream\":true,\"stream_options\":{"
	    "\"include_usage\":true},\"max_completion_tokens\":256}");
	cJSON_Delete(req);
	reply_release(&r);
	CHECK(request_wants_max_completion_tokens("o3-mini"));
	CHECK(request_wants_max_completion_tokens("openai/gpt-5.4"));
	CHECK(!request_wants_max_completion_tokens("gpt-4.1-mini"));
	CHECK(!request_wants_max_completion_tokens("ollama-model"));
}

TEST(anthropic_request_and_reply)
{
	struct reply r;
	cJSON *req;

	ask(&pv_anthropic, &m_claude, "hello there", "be terse", 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "mock reply to: hello there");
	CHECK(r.res.tokens_in == 14);
	CHECK(r.res.tokens_out == 7);
	CHECK(!r.res.tokens_estimated);
	CHECK_NEAR(r.res.cost_usd, (14 * 3.0 + 7 * 15) / 1e6, 1e-12);
	req = last_request();
	CHECK_STR(json_get_string(req, "path"), "/v1/messages");
	CHECK_STR(header(req, "x-api-key"), KEY);
	CHECK_STR(header(req, "anthropic-version"), "2023-06-01");
	CHECK(header(req, "authorization") == NULL);
	CHECK_STR(json_get_string(req, "body"),
	    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":4096,\"system\":"
	    "\"be terse\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"hello there\"}],\"stream\":true}");
	cJSON_Delete(req);
	reply_release(&r);
}

TEST(gemini_request_and_reply)
{
	struct reply r;
	cJSON *req;

	ask(&pv_gemini, &m_gemini, "hello there", "be terse", 64, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "mock reply to: hello there");
	CHECK(r.res.tokens_in == 14);
	CHECK(r.res.tokens_out == 7);
	req = last_request();
	CHECK_STR(json_get_string(req, "path"),
	    "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
	CHECK_STR(header(req, "x-goog-api-key"), KEY);
	CHECK(header(req, "authorization") == NULL);
	CHECK_STR(json_get_string(req, "body"),
	    "{\"systemInstruction\":{\"parts\":[{\"text\":\"be terse\"}]},"
	    "\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hello "
	    "there\"}]}],\"generationConfig\":{\"maxOutputTokens\":64}}");
	cJSON_Delete(req);
	reply_release(&r);
	/* A model id is one path segment, whatever it holds. */
	{
		struct model odd = m_gemini;

		odd.id = W("gem?x#y/z");
		ask(&pv_gemini, &odd, "odd name", NULL, 0, &r);
		req = last_request();
		CHECK_STR(json_get_string(req, "path"),
		    "/v1beta/models/gem%3Fx%23y%2Fz:streamGenerateContent"
		    "?alt=sse");
		cJSON_Delete(req);
		reply_release(&r);
	}
}

TEST(ollama_request_and_reply_without_key)
{
	struct reply r;
	cJSON *req;

	ask(&pv_ollama, &m_llama, "hello there", NULL, 32, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "mock reply to: hello there");
	CHECK(r.res.tokens_in == 9);
	CHECK(r.res.tokens_out == 7);
	CHECK(r.res.cost_usd == 0);
	req = last_request();
	CHECK_STR(json_get_string(req, "path"), "/api/chat");
	CHECK(header(req, "authorization") == NULL);
	CHECK_STR(json_get_string(req, "body"),
	    "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\","
	    "\"content\":\"hello there\"}],\"stream\":true,\"options\":{"
	    "\"num_predict\":32}}");
	cJSON_Delete(req);
	reply_release(&r);
	/* auth none on an openai-compatible local server: no header. */
	ask(&pv_local, &m_gpt4o, "hi", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	req = last_request();
	CHECK(header(req, "authorization") == NULL);
	cJSON_Delete(req);
	reply_release(&r);
}

TEST(refused_urls_and_missing_key)
{
	struct provider remote = { .name = W("evil"),
		.api = API_OPENAI,
		.base_url = W("http://example.com/v1") };
	struct provider ftp = { .name = W("odd"),
		.api = API_OPENAI,
		.base_url = W("ftp://127.0.0.1/v1") };
	struct net_message msgs[1] = { { "user", "hi" } };
	struct net_request req;
	struct net_transfer *t = NULL;
	char *cause = NULL;

	memset(&req, 0, sizeof req);
	req.provider = &remote;
	req.model = &m_gpt4o;
	req.messages = msgs;
	req.nmessages = 1;
	req.key = key;
	CHECK(
	    net_start(net, &req, &callbacks, NULL, &t, &cause) == MC_ERR_USAGE);
	CHECK(cause != NULL && strstr(cause, "https://") != NULL);
	CHECK(cause != NULL && strstr(cause, "evil") != NULL);
	free(cause);
	cause = NULL;
	req.provider = &ftp;
	CHECK(
	    net_start(net, &req, &callbacks, NULL, &t, &cause) == MC_ERR_USAGE);
	free(cause);
	cause = NULL;
	req.provider = &pv_openai;
	req.key = NULL;
	CHECK(net_start(net, &req, &callbacks, NULL, &t, &cause) ==
	      MC_ERR_LOCKED);
	CHECK(cause != NULL && strstr(cause, "mixchat keys add openai"));
	free(cause);
	CHECK(t == NULL);
	CHECK(net_running(net) == 0);
	CHECK(request_check_url("http://127.0.0.5:1/x", "p", &cause) == MC_OK);
	CHECK(request_check_url("http://localhost:1/x", "p", &cause) == MC_OK);
	CHECK(request_check_url("http://[::1]:1/x", "p", &cause) == MC_OK);
	CHECK(request_check_url("https://api.openai.com/v1", "p", &cause) ==
	      MC_OK);
	CHECK(request_check_url("http://127.0.0.1.evil.com/", "p", &cause) ==
	      MC_ERR_USAGE);
	free(cause);
}

/*
 * After a request, the key's header line is nowhere in the heap: curl
 * builds the request in buffers of its own, and net has it zero them when
 * it frees them.  Fresh blocks of many sizes (which malloc hands back
 * from what was freed, or from the top of the heap, as they were) are
 * searched for the key.
 */
TEST(no_key_left_in_curl_memory)
{
	static const char k[] = "sk-HEAPWIPETEST-3e3e3e3e3e3e3e3e";
	struct secret *saved = key;
	struct reply r;
	enum { NBLOCKS = 4096 };
	unsigned char **blocks = xcalloc(NBLOCKS, sizeof *blocks);
	size_t i, n, size, found = 0;

	key = secret_from(k, sizeof k - 1);
	secret_lock(key);
	ask(&pv_openai, &m_gpt4o, "heap", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	reply_release(&r);
	secret_free(key);
	key = saved;
	for (i = 0; i < NBLOCKS; i++) {
		size = (size_t)16 << (i % 13); /* 16 B to 64 KiB */
		blocks[i] = malloc(size);
		if (blocks[i] == NULL)
			continue;
		__asm__ __volatile__("" : : "r"(blocks[i]) : "memory");
		for (n = 0; n + 13 <= size; n++)
			if (memcmp(blocks[i] + n, "HEAPWIPETEST-", 13) == 0)
				found++;
	}
	CHECK(found == 0);
	if (found != 0)
		printf(
		    "  the key found %zu times in fresh heap blocks\n", found);
	for (i = 0; i < NBLOCKS; i++)
		free(blocks[i]);
	free(blocks);
}

/* What a provider says is shown, logged and stored without terminal
 * controls and without the key; a URL without credentials or query. */
TEST(provider_text_cleaned)
{
	static const char k[] = "sk-test-123";
	char *s;

	s = request_clean_text(
	    "a\033]0;T\007b\033[31mc\tx\ny\x7f", 20, NULL, 0);
	CHECK_STR(s, "a]0;Tb[31mc x y");
	free(s);
	/* C1 CSI (U+009B), a stray byte, valid UTF-8 kept. */
	s = request_clean_text("\xc2\x9b"
	                       "2J\xff\xc3\xa9",
	    7, NULL, 0);
	CHECK_STR(s, "2J?\xc3\xa9");
	free(s);
	s = request_clean_text(
	    "bad sk-test-123 and sk-test-123!", 32, k, strlen(k));
	CHECK_STR(s, "bad [key] and [key]!");
	free(s);
	/* A control inside the echoed key does not save it. */
	s = request_clean_text("sk-test\033-123", 12, k, strlen(k));
	CHECK_STR(s, "[key]");
	free(s);
	s = request_public_url("http://u:pw@127.0.0.1:8/v1/x?key=K#f");
	CHECK_STR(s, "http://127.0.0.1:8/v1/x");
	free(s);
	s = request_public_url("http://a@b@[::1]/p?q");
	CHECK_STR(s, "http://[::1]/p");
	free(s);
	s = request_public_url("https://api.openai.com/v1");
	CHECK_STR(s, "https://api.openai.com/v1");
	free(s);
	s = request_public_url("no url at all?x");
	CHECK_STR(s, "no url at all");
	free(s);
}

/* ---- recorded streams, one byte per write ---------------------------- */

TEST(fixtures_byte_by_byte)
{
	struct reply r;

	ask(&pv_openai, &m_gpt4o, "fixture openai", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text),
	    "I'm unable to provide real-time weather updates. To get the "
	    "current weather in San Francisco, I recommend checking a reliable "
	    "weather website or a weather app.");
	CHECK(r.res.tokens_in == 14);
	CHECK(r.res.tokens_out == 30);
	CHECK(r.texts > 10);
	reply_release(&r);
	ask(&pv_anthropic, &m_claude, "fixture anthropic", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "[12345,67890]");
	CHECK(r.res.tokens_in == 135);
	CHECK(r.res.tokens_out == 10);
	CHECK_NEAR(r.res.cost_usd, (135 * 3.0 + 10 * 15) / 1e6, 1e-12);
	reply_release(&r);
}

TEST(utf8_split_in_one_byte_writes)
{
	static const char *const names[] = { "openai", "anthropic", "gemini",
		"ollama" };
	const struct provider *pvs[] = { &pv_openai, &pv_anthropic, &pv_gemini,
		&pv_ollama };
	const struct model *ms[] = { &m_gpt4o, &m_claude, &m_gemini, &m_llama };
	int i;

	for (i = 0; i < 4; i++) {
		struct reply r;

		ask(pvs[i], ms[i], "bytewise", NULL, 0, &r);
		CHECK(r.res.err == MC_OK);
		CHECK_STR(buf_str(&r.text),
		    "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xe4\xb8\x96\xe7"
		    "\x95\x8c");
		if (r.res.err != MC_OK)
			printf("  %s: %s\n", names[i], r.message);
		reply_release(&r);
	}
}

/* ---- faults --------------------------------------------------------- */

TEST(key_rejected)
{
	struct reply r;

	ask(&pv_openai, &m_gpt4o, "badkey", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER);
	CHECK(r.res.http_status == 401);
	CHECK(r.res.key_rejected); /* the app takes the provider out */
	CHECK_STR(r.message, "key rejected by openai (HTTP 401): run "
	                     "`mixchat keys add openai`");
	CHECK(r.res.attempts == 1);
	CHECK(r.text.len == 0);
	reply_release(&r);
	/* Gemini says it with 400 API_KEY_INVALID. */
	ask(&pv_gemini, &m_gemini, "badkey", NULL, 0, &r);
	CHECK(r.res.http_status == 400);
	CHECK(r.res.key_rejected);
	CHECK_STR(r.message, "key rejected by gemini (HTTP 400): run "
	                     "`mixchat keys add gemini`");
	reply_release(&r);
}

TEST(unknown_model)
{
	struct reply r;

	ask(&pv_anthropic, &m_claude, "nomodel", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER);
	CHECK(r.res.http_status == 404);
	CHECK(!r.res.key_rejected);
	CHECK(r.message != NULL &&
	      strncmp(r.message,
	          "anthropic answered HTTP 404 for model claude-sonnet-4-5 at "
	          "http://127.0.0.1:",
	          76) == 0);
	CHECK(r.message != NULL &&
	      strstr(r.message, "/v1/messages: the model id or anthropic's "
	                        "base_url in config.json is wrong, or the "
	                        "key may not use that model") != NULL);
	CHECK(r.message != NULL && strstr(r.message, "ends before") == NULL);
	reply_release(&r);
	ask(&pv_ollama, &m_llama, "nomodel", NULL, 0, &r);
	CHECK(r.message != NULL &&
	      strstr(r.message, "not found, try pulling it first") != NULL);
	/* Ollama takes no key: no word of one; the way out is a pull. */
	CHECK(r.message != NULL && strstr(r.message, "key") == NULL);
	CHECK(r.message != NULL &&
	      strstr(r.message, "or the model is not pulled yet (`ollama pull "
	                        "llama") != NULL);
	reply_release(&r);
	/* The usual slip: an Anthropic base_url ending in /v1, to which
	 * mixchat adds /v1/messages.  Said. */
	{
		char base[160];
		struct provider v1 = pv_anthropic;

		snprintf(base, sizeof base, "%s/v1", base_root);
		v1.base_url = base;
		ask(&v1, &m_claude, "hello", NULL, 0, &r);
		CHECK(r.res.http_status == 404);
		CHECK(r.message != NULL &&
		      strstr(r.message, "/v1/v1/messages") != NULL &&
		      strstr(r.message,
		          "for this API the base_url ends "
		          "before /v1: mixchat adds the path") != NULL);
		reply_release(&r);
	}
}

TEST(rate_limit_too_long_to_wait)
{
	struct reply r;
	int before = log_lines();

	ask(&pv_openai, &m_gpt4o, "ratelimit long", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_AGAIN);
	CHECK(r.res.http_status == 429);
	CHECK(r.res.retry_after_ms == 30000);
	CHECK(r.res.attempts == 1);
	CHECK(log_lines() == before + 1);
	CHECK(
	    r.message != NULL && strncmp(r.message,
	                             "rate limited by openai (HTTP 429): retry "
	                             "after 30 s",
	                             50) == 0);
	reply_release(&r);
	/* A Retry-After past any number's range is long, not none. */
	before = log_lines();
	ask(&pv_openai, &m_gpt4o, "ratelimit huge", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_AGAIN);
	CHECK(r.res.attempts == 1);
	CHECK(log_lines() == before + 1);
	CHECK(r.res.retry_after_ms == (int64_t)24 * 3600 * 1000);
	CHECK(r.message != NULL &&
	      strstr(r.message, "retry after 24 h (until ") != NULL);
	reply_release(&r);
	/* A date: the wait until it, said in minutes. */
	ask(&pv_openai, &m_gpt4o, "ratelimit date", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_AGAIN);
	CHECK(r.res.retry_after_ms > 89 * 60000 &&
	      r.res.retry_after_ms <= 90 * 60000);
	CHECK(r.message != NULL &&
	      strstr(r.message, "retry after 90 min") != NULL);
	reply_release(&r);
	/* A date far ahead is a day at most too (it was 73 years). */
	ask(&pv_openai, &m_gpt4o, "ratelimit far date", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_AGAIN);
	CHECK(r.res.retry_after_ms == (int64_t)24 * 3600 * 1000);
	reply_release(&r);
}

TEST(retries_before_the_stream)
{
	struct reply r;
	int before = log_lines();

	/* 429 with Retry-After 0.3 s, once: waited for, then the reply.  The
	 * wait is the service's, not the model's: the first token is timed
	 * from the attempt that answered. */
	ask(&pv_openai, &m_gpt4o, "ratelimit short", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK(r.res.attempts == 2);
	CHECK(r.res.wait_ms >= 300);
	CHECK(r.res.latency_ms >= r.res.wait_ms);
	CHECK(r.res.ttft_ms <= r.res.latency_ms - r.res.wait_ms + 0.001);
	CHECK_STR(buf_str(&r.text), "mock reply to: ratelimit short");
	reply_release(&r);
	/* 500 twice then fine: two retries with backoff. */
	ask(&pv_gemini, &m_gemini, "flaky", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK(r.res.attempts == 3);
	reply_release(&r);
	/* Anthropic 529 once. */
	ask(&pv_anthropic, &m_claude, "overloaded", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK(r.res.attempts == 2);
	reply_release(&r);
	CHECK(log_lines() == before + 2 + 3 + 2);
	/* 500 every time: 1 + 2 retries, then the error. */
	ask(&pv_openai, &m_gpt4o, "broken server", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER);
	CHECK(r.res.attempts == 3);
	CHECK(r.res.http_status == 500);
	CHECK(r.message != NULL &&
	      strstr(r.message, "openai returned HTTP 500 for model gpt-4o at "
	                        "http://127.0.0.1:") != NULL);
	CHECK(
	    r.message != NULL &&
	    strstr(r.message, ": its server failed; try again later") != NULL);
	reply_release(&r);
	/* 400 is not retried. */
	before = log_lines();
	ask(&pv_openai, &m_gpt4o, "bad request", NULL, 0, &r);
	/* Its own words say why (a conversation too long...): those, not
	 * the config, are what to read. */
	CHECK(r.message != NULL &&
	      strstr(r.message, "it did not take the request (openai said: ") !=
	          NULL);
	CHECK(r.message != NULL && strstr(r.message, "base_url") == NULL);
	CHECK(r.res.attempts == 1);
	CHECK(log_lines() == before + 1);
	reply_release(&r);
	/* 402: the account's credit. */
	ask(&pv_openai, &m_gpt4o, "no credit", NULL, 0, &r);
	CHECK(r.res.http_status == 402);
	CHECK(r.message != NULL &&
	      strstr(r.message,
	          "openai refused the request for lack of credit (HTTP 402): "
	          "the account's balance needs topping up") == r.message);
	reply_release(&r);
}

TEST(slow_drip_and_comments)
{
	struct reply r;

	ask(&pv_openai, &m_gpt4o, "slow drip", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "one two three four");
	CHECK(r.texts >= 4);
	CHECK(r.res.latency_ms > r.res.ttft_ms);
	CHECK(r.res.tokens_per_s > 0);
	reply_release(&r);
}

TEST(disconnect_mid_stream)
{
	static const char *const prompts[] = { "cut openai", "cut anthropic",
		"cut gemini", "cut ollama" };
	const struct provider *pvs[] = { &pv_openai, &pv_anthropic, &pv_gemini,
		&pv_ollama };
	const struct model *ms[] = { &m_gpt4o, &m_claude, &m_gemini, &m_llama };
	int i;

	for (i = 0; i < 4; i++) {
		struct reply r;

		ask(pvs[i], ms[i], prompts[i], NULL, 0, &r);
		CHECK(r.res.err == MC_ERR_NETWORK);
		CHECK(r.res.truncated);
		CHECK(r.message != NULL &&
		      strstr(r.message, "connection closed before the reply "
		                        "finished") != NULL);
		/* What arrived is kept: a prefix of the whole reply. */
		CHECK(r.text.len > 0);
		CHECK(strncmp("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
		          buf_str(&r.text), r.text.len) == 0);
		/* No usage came: estimated (gemini's is cumulative). */
		if (pvs[i]->api == API_OPENAI || pvs[i]->api == API_OLLAMA)
			CHECK(r.res.tokens_estimated);
		reply_release(&r);
	}
}

/* A 200 that is not a reply stream says what came instead, not "cut
 * short" or "closed before the reply finished". */
TEST(answers_that_are_not_streams)
{
	struct reply r;

	ask(&pv_openai, &m_gpt4o, "html page", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER);
	CHECK(r.message != NULL &&
	      strstr(r.message, "openai answered with an HTML page "
	                        "(text/html), not a reply stream") != NULL &&
	      strstr(r.message, "base_url in config.json") != NULL &&
	      strstr(r.message, "closed before") == NULL);
	CHECK(buf_str(&r.text)[0] == '\0');
	reply_release(&r);
	/* Ollama reads NDJSON: the page is no parse error either. */
	ask(&pv_ollama, &m_llama, "html page", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER);
	CHECK(r.message != NULL &&
	      strstr(r.message, "ollama answered with an HTML page") != NULL);
	reply_release(&r);
	/* A whole JSON answer (a server that ignored "stream": true) is
	 * read whole, in each API's non-streamed shape, in any pieces. */
	ask(&pv_openai, &m_gpt4o, "whole json", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "non-streamed answer");
	CHECK(r.res.tokens_in == 5 && r.res.tokens_out == 3 &&
	      !r.res.tokens_estimated && !r.res.truncated);
	/* All at once: no speed to learn from (it would be any number). */
	CHECK(r.res.tokens_per_s == 0);
	reply_release(&r);
	ask(&pv_anthropic, &m_claude, "whole json", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "Green tea, twice.");
	CHECK(r.res.tokens_in == 249 && r.res.tokens_out == 26);
	reply_release(&r);
	ask(&pv_gemini, &m_gemini, "whole json", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "Rome");
	CHECK(r.res.tokens_in == 14 && r.res.tokens_out == 21);
	reply_release(&r);
	/* streamGenerateContent without alt=sse: an array of frames. */
	ask(&pv_gemini, &m_gemini, "json array", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK_STR(buf_str(&r.text), "Hello there");
	CHECK(r.res.tokens_in == 3 && r.res.tokens_out == 7);
	reply_release(&r);
	/* An error answered whole, with a 200: the provider's words. */
	ask(&pv_openai, &m_gpt4o, "json error", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER && !r.res.truncated);
	CHECK(r.message != NULL &&
	      strcmp(r.message, "openai: The model is overloaded") == 0);
	reply_release(&r);
	/* JSON that is no answer: named, with what is wrong. */
	ask(&pv_openai, &m_gpt4o, "broken json", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER);
	CHECK(r.message != NULL &&
	      strstr(r.message, "openai answered without streaming "
	                        "(application/json), and not with a reply "
	                        "mixchat can read: malformed") != NULL);
	reply_release(&r);
	/* A stream labelled JSON still reads as a stream, as it comes (its
	 * text in many pieces, not once at the end). */
	ask(&pv_openai, &m_gpt4o, "json-labelled stream", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK(strncmp(buf_str(&r.text), "I'm unable", 10) == 0);
	CHECK(r.texts > 10);
	/* Its first words came long before its end (some 40 pieces, 20 ms
	 * apart), not all at the end. */
	CHECK(r.res.ttft_ms < r.res.latency_ms / 2);
	reply_release(&r);
	/* JSON that is no answer of the API (a health check): no empty
	 * reply, but what is wrong with it. */
	ask(&pv_openai, &m_gpt4o, "health json", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER);
	CHECK(r.message != NULL &&
	      strstr(r.message, "not with a reply mixchat can read: no "
	                        "\"choices\" in it") != NULL);
	reply_release(&r);
	/* A whole answer the connection cut: the connection's failure. */
	ask(&pv_openai, &m_gpt4o, "dropped json", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_NETWORK);
	CHECK(r.message != NULL && strstr(r.message, "config.json") == NULL);
	reply_release(&r);
	/* Anything else is named as it came, the key masked. */
	ask(&pv_openai, &m_gpt4o, "odd type", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_PROVIDER);
	CHECK(r.message != NULL &&
	      strstr(r.message, "openai answered with text/[key], not a "
	                        "reply stream") != NULL &&
	      strstr(r.message, "SECRET") == NULL);
	reply_release(&r);
	/* A stream under another label still reads as one. */
	ask(&pv_openai, &m_gpt4o, "mislabelled stream", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK(strncmp(buf_str(&r.text), "I'm unable", 10) == 0);
	reply_release(&r);
}

TEST(malformed_and_midstream_errors)
{
	const struct provider *pvs[] = { &pv_openai, &pv_anthropic, &pv_gemini,
		&pv_ollama };
	const struct model *ms[] = { &m_gpt4o, &m_claude, &m_gemini, &m_llama };
	static const char *const said[] = {
		"The server had an error while processing your request",
		"Overloaded", "The model is overloaded",
		"an error was encountered while running the model"
	};
	int i;

	for (i = 0; i < 4; i++) {
		struct reply r;

		ask(pvs[i], ms[i], "malformed", NULL, 0, &r);
		CHECK(r.res.err == MC_ERR_PARSE);
		CHECK(r.res.truncated);
		CHECK(r.text.len > 0);
		CHECK(r.message != NULL &&
		      strstr(r.message, "malformed") != NULL);
		reply_release(&r);
		ask(pvs[i], ms[i], "midstream", NULL, 0, &r);
		CHECK(r.res.err == MC_ERR_PROVIDER);
		CHECK(r.res.truncated);
		CHECK(r.res.http_status == 200);
		CHECK(r.text.len > 0);
		CHECK(r.message != NULL && strstr(r.message, said[i]) != NULL);
		/* The provider's sentence and ours, no ".:" between. */
		CHECK(r.message != NULL && strstr(r.message, ".:") == NULL);
		CHECK(r.message != NULL &&
		      (strstr(r.message, ": the reply was cut short") != NULL ||
		          strstr(r.message, ". The reply was cut short.") !=
		              NULL));
		reply_release(&r);
	}
}

TEST(missing_usage_is_estimated)
{
	struct reply r;

	ask(&pv_openai, &m_gpt4o, "nousage please", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK(r.res.tokens_estimated);
	/* "0123456789abcdef" is 16 bytes: 4 tokens out. */
	CHECK_STR(buf_str(&r.text), "0123456789abcdef");
	CHECK(r.res.tokens_out == 4);
	/* 3 + (ceil(14/4) + 3) */
	CHECK(r.res.tokens_in == 10);
	CHECK_NEAR(r.res.cost_usd, (10 * 2.5 + 4 * 10) / 1e6, 1e-12);
	reply_release(&r);
}

TEST(idle_guard_and_unreachable)
{
	struct provider closed = { .name = W("closed"),
		.api = API_OPENAI,
		.base_url = W("http://127.0.0.1:1/v1"),
		.auth_none = true };
	struct reply r;

	/* Nothing for longer than the idle guard after the headers: ended. */
	net_set_timeouts(net, 2000, 1);
	ask(&pv_openai, &m_gpt4o, "stall", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_NETWORK);
	CHECK(r.res.truncated);
	CHECK(r.res.http_status == 200);
	CHECK(r.message != NULL &&
	      strstr(r.message, "openai sent nothing for 1 s") != NULL);
	CHECK(r.res.connected);
	reply_release(&r);
	/* Nothing at all after the request: no status, but the server took
	 * the connection (the app benches the model, not the server). */
	ask(&pv_openai, &m_gpt4o, "silent server", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_NETWORK);
	CHECK(r.res.http_status == 0);
	CHECK(r.res.connected);
	CHECK(r.message != NULL &&
	      strstr(r.message, "openai did not answer within 1 s") != NULL);
	reply_release(&r);
	net_set_timeouts(net, 10000, 60);
	/* Nobody listening: a network error naming the provider and URL. */
	ask(&closed, &m_gpt4o, "hi", NULL, 0, &r);
	CHECK(r.res.err == MC_ERR_NETWORK);
	CHECK(!r.res.truncated);
	CHECK(!r.res.connected);
	CHECK(r.message != NULL && strncmp(r.message,
	                               "could not reach closed at "
	                               "http://127.0.0.1:1/v1/chat/completions",
	                               63) == 0);
	CHECK(r.message != NULL &&
	      strstr(r.message, "(is its server running, at the port its "
	                        "base_url in config.json says?)") != NULL);
	reply_release(&r);
}

/*
 * Start `prompt` to gpt-4o at the OpenAI mock, a reply that cancels
 * itself from on_text at its first text (cancel_in_text) or once its text
 * has cancel_at; run until `until` (texts or done) or 10 s.
 */
static void
start_reply(struct reply *r, const char *prompt, bool cancel_in_text,
    const char *cancel_at, bool until_done)
{
	struct net_message msgs[1] = { { "user", prompt } };
	struct net_request req;
	char *cause = NULL;
	uint64_t t0;

	memset(r, 0, sizeof *r);
	buf_init(&r->text, 4096);
	r->cancel_in_text = cancel_in_text;
	r->cancel_at = cancel_at;
	memset(&req, 0, sizeof req);
	req.provider = &pv_openai;
	req.model = &m_gpt4o;
	req.messages = msgs;
	req.nmessages = 1;
	req.key = key;
	CHECK(net_start(net, &req, &callbacks, r, &r->t, &cause) == MC_OK);
	t0 = time_mono_ms();
	while ((until_done ? r->done == 0 : r->texts == 0) &&
	       time_mono_ms() - t0 < 10000) {
		CHECK(net_wait(net, NULL, 0, 100) == MC_OK);
		net_perform(net);
	}
}

TEST(cancel_at_once)
{
	struct reply r;

	start_reply(&r, "very slow", false, NULL, false);
	CHECK(r.texts > 0);
	CHECK(r.done == 0);
	/* From outside a callback: on_done before net_cancel returns. */
	net_cancel(r.t);
	CHECK(r.done == 1);
	CHECK(r.res.err == MC_ERR_CANCELLED);
	CHECK(net_running(net) == 0);
	CHECK(r.text.len > 0);
	reply_release(&r);

	/* From inside on_text: done within the same net_perform. */
	start_reply(&r, "very slow", true, NULL, true);
	CHECK(r.done == 1);
	CHECK(r.texts == 1);
	CHECK(r.res.err == MC_ERR_CANCELLED);
	CHECK(net_running(net) == 0);
	reply_release(&r);
}

/*
 * The last event of a body that ends without its blank line comes out
 * only when the body ends; a cancel from on_text then (the app's, past
 * its reply limit) waits for on_text to return, as from inside curl: one
 * on_done, no use of the freed transfer (ASan).
 */
TEST(cancel_from_the_last_event)
{
	struct reply r;

	start_reply(&r, "unterminated", false, "STOP", true);
	/* Anything left over would finish (again) here. */
	net_perform(net);
	CHECK(r.done == 1);
	CHECK(r.res.err == MC_ERR_CANCELLED);
	CHECK_STR(buf_str(&r.text), "abc STOP");
	CHECK(net_running(net) == 0);
	reply_release(&r);
}

/*
 * A server that keeps the body open after the reply's end marker: the
 * reply is whole, and ends well a moment later, not cut short by the idle
 * guard; a Gemini frame that cannot be read after its finishReason takes
 * nothing away either.
 */
TEST(after_the_end_marker)
{
	struct reply r;

	net_set_timeouts(net, 10000, 5);
	ask(&pv_openai, &m_gpt4o, "lingering", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK(!r.res.truncated);
	CHECK_STR(buf_str(&r.text), "whole reply");
	reply_release(&r);
	net_set_timeouts(net, 10000, 60);
	ask(&pv_gemini, &m_gemini, "gemini trailer", NULL, 0, &r);
	CHECK(r.res.err == MC_OK);
	CHECK(!r.res.truncated);
	CHECK_STR(buf_str(&r.text), "Hello there");
	CHECK(r.res.tokens_out == 7);
	reply_release(&r);
}

TEST(concurrent_transfers_and_extra_fds)
{
	struct net_message m1[1] = { { "user", "first" } };
	struct net_message m2[1] = { { "user", "second" } };
	struct net_request req;
	struct reply a, b;
	struct pollfd pfd;
	char *cause = NULL;
	int p[2];

	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	buf_init(&a.text, 4096);
	buf_init(&b.text, 4096);
	memset(&req, 0, sizeof req);
	req.provider = &pv_anthropic;
	req.model = &m_claude;
	req.messages = m1;
	req.nmessages = 1;
	req.key = key;
	CHECK(net_start(net, &req, &callbacks, &a, &a.t, &cause) == MC_OK);
	req.provider = &pv_ollama;
	req.model = &m_llama;
	req.messages = m2;
	req.key = NULL;
	CHECK(net_start(net, &req, &callbacks, &b, &b.t, &cause) == MC_OK);
	CHECK(net_running(net) == 2);
	/* A ready extra fd wakes net_wait and is reported. */
	CHECK(pipe(p) == 0);
	CHECK(write(p[1], "x", 1) == 1);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	CHECK(net_wait(net, &pfd, 1, 5000) == MC_OK);
	CHECK(pfd.revents & POLLIN);
	close(p[0]);
	close(p[1]);
	CHECK(net_run_until_done(net, 20000) == MC_OK);
	CHECK(a.done == 1 && b.done == 1);
	CHECK_STR(buf_str(&a.text), "mock reply to: first");
	CHECK_STR(buf_str(&b.text), "mock reply to: second");
	reply_release(&a);
	reply_release(&b);
}

static const char script[] =
    "[\n"
    " {\"prompt_contains\": \"fixture openai\", \"chunk_bytes\": 1,\n"
    "  \"fixture\": \"@SHARED@/fixtures/providers/openai_stream_sample.sse\"},\n"
    " {\"prompt_contains\": \"fixture anthropic\", \"chunk_bytes\": 1,\n"
    "  \"fixture\": \"@SHARED@/fixtures/providers/anthropic_stream_recorded.sse\"},\n"
    " {\"prompt_contains\": \"bytewise\", \"chunk_bytes\": 1,\n"
    "  \"reply\": \"h\\u00e9llo w\\u00f6rld \\u2713 \\u4e16\\u754c\"},\n"
    " {\"prompt_contains\": \"badkey\", \"api\": \"gemini\", \"status\": 400},\n"
    " {\"prompt_contains\": \"badkey\", \"status\": 401},\n"
    " {\"prompt_contains\": \"nomodel\", \"status\": 404},\n"
    " {\"prompt_contains\": \"ratelimit huge\", \"status\": 429,\n"
    "  \"retry_after_header\": \"1e300\"},\n"
    " {\"prompt_contains\": \"ratelimit far date\", \"status\": 429,\n"
    "  \"retry_after_header\": \"Wed, 21 Oct 2099 07:28:00 GMT\"},\n"
    " {\"prompt_contains\": \"ratelimit date\", \"status\": 429,\n"
    "  \"retry_after_header\": \"@DATE90@\"},\n"
    " {\"prompt_contains\": \"ratelimit long\", \"status\": 429, \"retry_after\": 30},\n"
    " {\"prompt_contains\": \"ratelimit short\", \"status\": 429, \"retry_after\": 0.3,\n"
    "  \"fail_times\": 1},\n"
    " {\"prompt_contains\": \"flaky\", \"status\": 500, \"fail_times\": 2},\n"
    " {\"prompt_contains\": \"overloaded\", \"status\": 529, \"fail_times\": 1},\n"
    " {\"prompt_contains\": \"broken server\", \"status\": 500},\n"
    " {\"prompt_contains\": \"bad request\", \"status\": 400},\n"
    " {\"prompt_contains\": \"no credit\", \"status\": 402},\n"
    " {\"prompt_contains\": \"slow drip\", \"reply\": \"one two three four\",\n"
    "  \"drip_ms\": 5, \"comments\": true},\n"
    " {\"prompt_contains\": \"silent server\", \"reply\": \"late\",\n"
    "  \"delay_ms\": 2500},\n"
    " {\"prompt_contains\": \"stall\", \"reply\": \"aaaabbbb\",\n"
    "  \"drip_ms\": 2500},\n"
    " {\"prompt_contains\": \"very slow\", \"reply\": \"aaaabbbbccccddddeeee\",\n"
    "  \"drip_ms\": 300},\n"
    " {\"prompt_contains\": \"cut\",\n"
    "  \"reply\": \"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ\",\n"
    "  \"disconnect_after_bytes\": 700, \"chunk_bytes\": 64},\n"
    " {\"prompt_contains\": \"malformed\", \"malformed\": true,\n"
    "  \"reply\": \"abcdefghijklmnop\"},\n"
    " {\"prompt_contains\": \"midstream\", \"midstream_error\": true,\n"
    "  \"reply\": \"abcdefghijklmnop\"},\n"
    " {\"prompt_contains\": \"html page\", \"content_type\":\n"
    "  \"text/html; charset=utf-8\", \"fixture\": \"@TMP@/page.html\"},\n"
    " {\"prompt_contains\": \"whole json\", \"model\": \"gpt-4o\",\n"
    "  \"content_type\": \"application/json\", \"chunk_bytes\": 3,\n"
    "  \"fixture\": \"@TMP@/whole.json\"},\n"
    " {\"prompt_contains\": \"whole json\", \"model\": \"claude-sonnet-4-5\",\n"
    "  \"content_type\": \"application/json\",\n"
    "  \"fixture\": \"@TMP@/whole_anthropic.json\"},\n"
    " {\"prompt_contains\": \"whole json\", \"model\": \"gemini-2.5-flash\",\n"
    "  \"content_type\": \"application/json; charset=UTF-8\",\n"
    "  \"fixture\": \"@TMP@/whole_gemini.json\"},\n"
    " {\"prompt_contains\": \"json array\", \"content_type\":\n"
    "  \"application/json\", \"chunk_bytes\": 1,\n"
    "  \"fixture\": \"@TMP@/gemini_array.json\"},\n"
    " {\"prompt_contains\": \"json error\", \"content_type\":\n"
    "  \"application/json\", \"fixture\": \"@TMP@/json_error.json\"},\n"
    " {\"prompt_contains\": \"broken json\", \"content_type\":\n"
    "  \"application/json\", \"fixture\": \"@TMP@/cut.json\"},\n"
    " {\"prompt_contains\": \"health json\", \"content_type\":\n"
    "  \"application/json\", \"fixture\": \"@TMP@/health.json\"},\n"
    " {\"prompt_contains\": \"dropped json\", \"content_type\":\n"
    "  \"application/json\", \"disconnect_after_bytes\": 40,\n"
    "  \"fixture\": \"@TMP@/whole_anthropic.json\"},\n"
    " {\"prompt_contains\": \"json-labelled stream\", \"content_type\":\n"
    "  \"application/json\", \"chunk_bytes\": 200, \"drip_ms\": 20,\n"
    "  \"fixture\": \"@SHARED@/fixtures/providers/openai_stream_sample.sse\"},\n"
    " {\"prompt_contains\": \"odd type\", \"content_type\":\n"
    "  \"text/" KEY "\", \"fixture\": \"@TMP@/page.html\"},\n"
    " {\"prompt_contains\": \"mislabelled stream\", \"content_type\":\n"
    "  \"text/plain\",\n"
    "  \"fixture\": \"@SHARED@/fixtures/providers/openai_stream_sample.sse\"},\n"
    " {\"prompt_contains\": \"unterminated\", \"chunk_bytes\": 7,\n"
    "  \"fixture\": \"@TMP@/unterminated.sse\"},\n"
    " {\"prompt_contains\": \"gemini trailer\", \"chunk_bytes\": 5,\n"
    "  \"fixture\": \"@TMP@/gemini_trailer.sse\"},\n"
    " {\"prompt_contains\": \"lingering\", \"reply\": \"whole reply\",\n"
    "  \"linger_ms\": 8000},\n"
    " {\"prompt_contains\": \"nousage\", \"usage\": false,\n"
    "  \"reply\": \"0123456789abcdef\"}\n"
    "]\n";

/* Bodies made for the tests above (the mock replays them byte for
 * byte): an OpenAI stream whose last event has no blank line after it
 * and no [DONE]; a Gemini stream with a frame it cannot read after its
 * finishReason. */
static void
write_fixtures(void)
{
	static const char unterminated[] =
	    "data: {\"choices\":[{\"index\":0,\"delta\":"
	    "{\"content\":\"abc\"}}]}\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":"
	    "{\"content\":\" STOP\"}}]}\n";
	static const char gemini[] =
	    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
	    "\"Hello\"}],\"role\": \"model\"}}]}\r\n\r\n"
	    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
	    "\" there\"}],\"role\": \"model\"},\"finishReason\": \"STOP\"}],"
	    "\"usageMetadata\": {\"promptTokenCount\": 3,"
	    "\"candidatesTokenCount\": 7}}\r\n\r\n"
	    "data: {\"usageMetadata\": {\"promptTok\r\n\r\n";
	static const char page[] =
	    "<!doctype html><html><head><title>Open WebUI</title></head>"
	    "<body>app</body></html>";
	static const char whole[] =
	    "{\"object\":\"chat.completion\",\"choices\":[{\"message\":"
	    "{\"role\":\"assistant\",\"content\":\"non-streamed answer\"},"
	    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,"
	    "\"completion_tokens\":3}}";
	/* The recorded non-streamed shapes of shared/reference/providers.md
	 * (anthropic's text shortened). */
	static const char whole_anthropic[] =
	    "{\"model\":\"claude-sonnet-4-5-20250929\",\"id\":\"msg_01Mko\","
	    "\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":"
	    "\"text\",\"text\":\"Green tea, twice.\"}],\"stop_reason\":"
	    "\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":249,"
	    "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
	    "\"output_tokens\":26,\"service_tier\":\"standard\"}}\n";
	static const char whole_gemini[] =
	    "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Rome\"}],"
	    "\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],"
	    "\"usageMetadata\":{\"promptTokenCount\":14,"
	    "\"candidatesTokenCount\":1,\"totalTokenCount\":35,"
	    "\"thoughtsTokenCount\":20}}";
	static const char gemini_array[] =
	    "[{\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
	    "\"Hello\"}],\"role\": \"model\"}}]}\r\n,\r\n"
	    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
	    "\" there\"}],\"role\": \"model\"},\"finishReason\": \"STOP\"}],"
	    "\"usageMetadata\": {\"promptTokenCount\": 3,"
	    "\"candidatesTokenCount\": 7}}]";
	static const char json_error[] =
	    "{\"error\":{\"message\":\"The model is overloaded\","
	    "\"type\":\"server_error\"}}";
	static const char cut[] =
	    "{\"object\":\"chat.completion\",\"choices\":[{\"message\":";
	static const struct {
		const char *name, *body;
	} files[] = {
		{ "whole_anthropic.json", whole_anthropic },
		{ "whole_gemini.json", whole_gemini },
		{ "gemini_array.json", gemini_array },
		{ "json_error.json", json_error },
		{ "cut.json", cut },
		{ "health.json", "{\"status\":\"ok\",\"data\":[1,2,3]}" },
	};
	char path[600], *cause = NULL;
	size_t i;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(
		    path, sizeof path, "%s/%s", test_tmpdir(), files[i].name);
		if (fs_write_atomic(path, files[i].body, strlen(files[i].body),
		        0600, &cause) != MC_OK)
			exit(99);
	}
	snprintf(path, sizeof path, "%s/unterminated.sse", test_tmpdir());
	if (fs_write_atomic(path, unterminated, strlen(unterminated), 0600,
	        &cause) != MC_OK)
		exit(99);
	snprintf(path, sizeof path, "%s/page.html", test_tmpdir());
	if (fs_write_atomic(path, page, strlen(page), 0600, &cause) != MC_OK)
		exit(99);
	snprintf(path, sizeof path, "%s/whole.json", test_tmpdir());
	if (fs_write_atomic(path, whole, strlen(whole), 0600, &cause) != MC_OK)
		exit(99);
	snprintf(path, sizeof path, "%s/gemini_trailer.sse", test_tmpdir());
	if (fs_write_atomic(path, gemini, strlen(gemini), 0600, &cause) !=
	    MC_OK)
		exit(99);
}

int
main(void)
{
	const char *shared = getenv("MIXCHAT_SHARED");
	struct buf s;
	const char *p, *at;

	if (shared == NULL)
		shared = "../shared";
	(void)test_shared("fixtures/providers/openai_stream_sample.sse");
	buf_init(&s, 1 << 16);
	for (p = script; (at = strpbrk(p, "@")) != NULL; p = at + 1) {
		if (buf_add(&s, p, (size_t)(at - p)) != 0)
			return 99;
		if (strncmp(at, "@SHARED@", 8) == 0) {
			if (buf_addstr(&s, shared) != 0)
				return 99;
			at += 7;
		} else if (strncmp(at, "@TMP@", 5) == 0) {
			if (buf_addstr(&s, test_tmpdir()) != 0)
				return 99;
			at += 4;
		} else if (strncmp(at, "@DATE90@", 8) == 0) {
			/* An HTTP date 90 minutes from now. */
			char date[64];
			time_t when = time(NULL) + 90 * 60;
			struct tm tm;

			strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT",
			    gmtime_r(&when, &tm));
			if (buf_addstr(&s, date) != 0)
				return 99;
			at += 7;
		} else if (buf_add(&s, "@", 1) != 0) {
			return 99;
		}
	}
	if (buf_addstr(&s, p) != 0)
		return 99;
	if (secmem_init() != MC_OK)
		test_skip("libsodium did not initialise");
	write_fixtures();
	start_mock(buf_str(&s));
	buf_release(&s);
	key = secret_from(KEY, strlen(KEY));
	secret_lock(key);
	if (net_new(&net) != MC_OK)
		return 99;
	net_set_retry(net, 2, 5, 50, 2000);
	RUN(openai_request_and_reply);
	RUN(max_completion_tokens_for_gpt5);
	RUN(anthropic_request_and_reply);
	RUN(gemini_request_and_reply);
	RUN(ollama_request_and_reply_without_key);
	RUN(refused_urls_and_missing_key);
	RUN(provider_text_cleaned);
	RUN(no_key_left_in_curl_memory);
	RUN(fixtures_byte_by_byte);
	RUN(utf8_split_in_one_byte_writes);
	RUN(key_rejected);
	RUN(unknown_model);
	RUN(rate_limit_too_long_to_wait);
	RUN(retries_before_the_stream);
	RUN(slow_drip_and_comments);
	RUN(disconnect_mid_stream);
	RUN(answers_that_are_not_streams);
	RUN(malformed_and_midstream_errors);
	RUN(missing_usage_is_estimated);
	RUN(idle_guard_and_unreachable);
	RUN(cancel_at_once);
	RUN(cancel_from_the_last_event);
	RUN(after_the_end_marker);
	RUN(concurrent_transfers_and_extra_fds);
	net_free(net);
	secret_free(key);
	stop_mock();
	return test_done();
}
