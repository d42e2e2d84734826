/*
 * bench_net.c - how fast the net layer is: the stream decoders' throughput
 * (MB/s, each API, on recorded and generated streams), and the per-token
 * overhead of the whole path (libcurl, loopback HTTP, SSE decoding, JSON,
 * callbacks) against tests/mock_provider streaming a long reply.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/net.h"
#include "net/stream.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/timeutil.h"

static size_t text_total;

static void
count_text(void *ud, const char *text, size_t len)
{
	(void)ud;
	(void)text;
	text_total += len;
}

/* Decode `in` repeated until ~64 MB went through, in 1500-byte pieces. */
static void
bench_decoder(
    const char *name, enum provider_api api, const char *in, size_t len)
{
	size_t total = 0, want = 64u << 20, i;
	uint64_t t0 = time_mono_us(), dt;

	while (total < want) {
		struct stream st;

		stream_init(&st, api, count_text, NULL);
		for (i = 0; i < len; i += 1500)
			if (stream_feed(&st, in + i,
			        len - i < 1500 ? len - i : 1500) != MC_OK)
				break;
		if (stream_finish(&st) != MC_OK || !st.done) {
			printf("%s: the stream did not decode\n", name);
			exit(1);
		}
		stream_release(&st);
		total += len;
	}
	dt = time_mono_us() - t0;
	printf("decoder %-22s %8.1f MB/s  (%zu bytes a stream)\n", name,
	    (double)total / (double)dt, len);
}

/* A long generated stream of n tokens for api. */
static char *
make_stream(enum provider_api api, int n, size_t *len)
{
	struct buf b;
	int i;

	buf_init(&b, 1u << 28);
	for (i = 0; i < n; i++) {
		int rc;

		switch (api) {
		case API_OPENAI:
			rc = buf_printf(&b,
			    "data: {\"id\":\"chatcmpl-x\","
			    "\"object\":\"chat.completion.chunk\",\"created\":"
			    "1727346168,\"model\":\"gpt-4o-2024-08-06\","
			    "\"choices\":[{\"index\":0,\"delta\":{\"content\":"
			    "\" tok%d\"},\"logprobs\":null,\"finish_reason\":"
			    "null}]}\n\n",
			    i);
			break;
		case API_ANTHROPIC:
			rc = buf_printf(&b,
			    "event: content_block_delta\ndata: "
			    "{\"type\":\"content_block_delta\",\"index\":0,"
			    "\"delta\":{\"type\":\"text_delta\",\"text\":"
			    "\" tok%d\"}}\n\n",
			    i);
			break;
		case API_GEMINI:
			rc = buf_printf(&b,
			    "data: {\"candidates\":[{\"content\""
			    ":{\"parts\":[{\"text\":\" tok%d\"}],\"role\":"
			    "\"model\"},\"index\":0}],\"usageMetadata\":{"
			    "\"promptTokenCount\":7,\"candidatesTokenCount\":"
			    "%d}}\r\n\r\n",
			    i, i);
			break;
		default:
			rc = buf_printf(&b,
			    "{\"model\":\"llama3.2\","
			    "\"created_at\":\"2025-07-07T20:22:19.19314Z\","
			    "\"message\":{\"role\":\"assistant\",\"content\":"
			    "\" tok%d\"},\"done\":false}\n",
			    i);
			break;
		}
		if (rc != 0)
			exit(1);
	}
	switch (api) {
	case API_OPENAI:
		(void)!buf_addstr(&b, "data: [DONE]\n\n");
		break;
	case API_ANTHROPIC:
		(void)!buf_addstr(&b, "event: message_stop\ndata: {\"type\":"
		                      "\"message_stop\"}\n\n");
		break;
	case API_GEMINI:
		(void)!buf_addstr(&b,
		    "data: {\"candidates\":[{\"content\":{"
		    "\"parts\":[{\"text\":\".\"}]},\"finishReason\":\"STOP\"}]}"
		    "\r\n\r\n");
		break;
	default:
		(void)!buf_addstr(&b, "{\"done\":true,\"eval_count\":1}\n");
		break;
	}
	return buf_detach(&b, len);
}

static void
on_done(void *ud, const struct net_result *res)
{
	*(struct net_result *)ud = *res;
	((struct net_result *)ud)->message = NULL;
}

/* The full path: a reply of ntok tokens from the mock, per API. */
static void
bench_full_path(const char *mock, enum provider_api api, int ntok)
{
	static const struct net_callbacks cb = { count_text, on_done };
	char base[128], script[256], prompt[32], line[32] = "";
	char *cause = NULL, *reply;
	int in[2], out[2], port, i;
	pid_t pid;
	ssize_t n;
	struct net *net;
	struct net_transfer *t;
	struct net_result res;
	struct net_message msg = { "user", prompt };
	struct net_request req;
	struct provider pv;
	struct model m;
	char name[] = "bench", id[] = "bench-model", pname[] = "bench";
	uint64_t t0, dt;

	/* The reply: ntok tokens of 4 bytes each. */
	reply = malloc((size_t)ntok * 4 + 1);
	for (i = 0; i < ntok * 4; i++)
		reply[i] = (char)('a' + i % 26);
	reply[ntok * 4] = '\0';
	snprintf(script, sizeof script, "/tmp/bench_net_script.%d.json",
	    (int)getpid());
	{
		struct buf s;

		buf_init(&s, 1u << 24);
		if (buf_printf(&s, "[{\"reply\":\"%s\"}]", reply) != 0 ||
		    fs_write_atomic(script, s.data, s.len, 0600, &cause) != 0)
			exit(1);
		buf_release(&s);
	}
	if (pipe(in) != 0 || pipe(out) != 0)
		exit(1);
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(mock, mock, "--script", script, "--stdin-eof",
		    (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	n = read(out[0], line, sizeof line - 1);
	port = n > 0 ? atoi(line) : 0;
	if (port <= 0) {
		printf("full path: the mock did not start\n");
		exit(1);
	}
	snprintf(base, sizeof base,
	    api == API_GEMINI   ? "http://127.0.0.1:%d/v1beta"
	    : api == API_OPENAI ? "http://127.0.0.1:%d/v1"
	                        : "http://127.0.0.1:%d",
	    port);
	memset(&pv, 0, sizeof pv);
	pv.name = name;
	pv.api = api;
	pv.base_url = base;
	pv.auth_none = true;
	memset(&m, 0, sizeof m);
	m.id = id;
	m.provider = pname;
	m.price_cached_in = -1;
	memset(&req, 0, sizeof req);
	req.provider = &pv;
	req.model = &m;
	req.messages = &msg;
	req.nmessages = 1;
	snprintf(prompt, sizeof prompt, "bench");
	if (net_new(&net) != 0)
		exit(1);
	text_total = 0;
	t0 = time_mono_us();
	if (net_start(net, &req, &cb, &res, &t, &cause) != 0 ||
	    net_run_until_done(net, 120000) != 0) {
		printf("full path: %s\n", cause ? cause : "failed");
		exit(1);
	}
	dt = time_mono_us() - t0;
	printf("full path %-9s %6d tokens in %7.1f ms: %5.2f us a token "
	       "(err %d, %zu bytes of text)\n",
	    api == API_OPENAI      ? "openai"
	    : api == API_ANTHROPIC ? "anthropic"
	    : api == API_GEMINI    ? "gemini"
	                           : "ollama",
	    ntok, (double)dt / 1000.0, (double)dt / ntok, res.err, text_total);
	net_free(net);
	close(in[1]);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(out[0]);
	unlink(script);
	free(reply);
}

int
main(void)
{
	const char *shared = getenv("MIXCHAT_SHARED");
	const char *builddir = getenv("MIXCHAT_BIN");
	char path[1024], mock[1024];
	struct buf b;
	char *cause = NULL, *s;
	size_t len;
	int api;

	if (shared == NULL)
		shared = "../shared";
	snprintf(path, sizeof path,
	    "%s/fixtures/providers/openai_stream_sample.sse", shared);
	buf_init(&b, 1 << 20);
	if (fs_read_file(path, &b, &cause) == MC_OK) {
		bench_decoder("openai (recorded)", API_OPENAI, b.data, b.len);
		buf_release(&b);
	} else {
		printf("%s: skipped\n", cause);
		free(cause);
	}
	snprintf(path, sizeof path,
	    "%s/fixtures/providers/anthropic_stream_recorded.sse", shared);
	buf_init(&b, 1 << 20);
	if (fs_read_file(path, &b, &cause) == MC_OK) {
		bench_decoder(
		    "anthropic (recorded)", API_ANTHROPIC, b.data, b.len);
		buf_release(&b);
	} else {
		free(cause);
	}
	for (api = API_OPENAI; api <= API_OLLAMA; api++) {
		static const char *const names[] = { "openai (10k tokens)",
			"anthropic (10k tokens)", "gemini (10k tokens)",
			"ollama (10k tokens)" };

		s = make_stream((enum provider_api)api, 10000, &len);
		bench_decoder(names[api], (enum provider_api)api, s, len);
		free(s);
	}
	/* The mock sits beside this program's build: bench/../tests. */
	if (builddir != NULL) {
		const char *slash = strrchr(builddir, '/');

		snprintf(mock, sizeof mock, "%.*s/tests/mock_provider",
		    slash ? (int)(slash - builddir) : 1,
		    slash ? builddir : ".");
	} else {
		snprintf(mock, sizeof mock, "tests/mock_provider");
	}
	if (access(mock, X_OK) != 0) {
		printf(
		    "full path: %s not built (make check builds it)\n", mock);
		return 0;
	}
	for (api = API_OPENAI; api <= API_OLLAMA; api++)
		bench_full_path(mock, (enum provider_api)api, 20000);
	return 0;
}
