/*
 * bench_router.c - the router's speed and size: the decision for 13
 * models on a 2,000-character prompt (features included), median and p99
 * in microseconds; the size of the learned state for 13 models; and (when
 * $MIXCHAT_SHARED and $MIXCHAT_BIN are set) the states `mixchat train`
 * writes with their exemplars, a decision under one, and the time of
 * `mixchat eval` over the whole RouterBench subset.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "router/memory.h"
#include "router/online.h"
#include "router/router.h"
#include "util/buf.h"
#include "util/timeutil.h"

/*
 * The memory of rated prompts as the app uses it: the rebuild at start-up
 * from 1,000 kept ratings spread over the 13 models (every rating is
 * forecast before it is learned), and the decision corrected by the full
 * memory (router_online_decide) on short chat prompts.
 */
static void
bench_memory(const struct router *r, const struct router_context *ctx)
{
	static const char *topics[] = { "chemistry", "poetry", "python",
		"history", "algebra", "cooking", "law", "music" };
	static const char *asks[] = { "explain", "what is", "how do I use",
		"give an example of", "summarise", "compare" };
	enum { RATINGS = 1000, DECISIONS = 500 };
	struct router_memory *m = router_memory_new();
	struct router_features *f = malloc(sizeof *f);
	struct router_decision d;
	char text[200], id[32];
	double t0, rebuild, *t = malloc(DECISIONS * sizeof *t);
	size_t i;

	if (f == NULL || t == NULL)
		exit(1);
	t0 = time_mono_usf();
	for (i = 0; i < RATINGS; i++) {
		snprintf(text, sizeof text, "%s %s number %zu in %s, please",
		    asks[i % 6], topics[i / 6 % 8], i, topics[i % 8]);
		snprintf(id, sizeof id, "model-%zu", i % 13);
		router_features_compute(r, text, strlen(text), f);
		router_memory_add(
		    m, f, id, (double)(i * 7 % 5) / 4.0, 0.6, 1.0);
	}
	rebuild = time_mono_usf() - t0;
	for (i = 0; i < DECISIONS; i++) {
		snprintf(text, sizeof text, "%s %s, case %zu", asks[i % 6],
		    topics[i % 8], i * 31);
		t0 = time_mono_usf();
		if (router_online_decide(r, m, text, strlen(text), ctx, &d) !=
		    MC_OK)
			exit(1);
		t[i] = time_mono_usf() - t0;
		router_decision_release(&d);
	}
	time_sort(t, DECISIONS);
	printf("memory: rebuild from %d ratings over 13 models %.1f ms; "
	       "route with it: median %.1f us, p99 %.1f us\n",
	    RATINGS, rebuild / 1e3, t[DECISIONS / 2], t[DECISIONS * 99 / 100]);
	router_memory_free(m);
	/* The worst case: one model rated past the memory's cap (a user of
	 * one model for months), where every rating replaces the oldest and
	 * refactors.  A start replays each model's last 2 x ROUTER_MEMORY_MAX
	 * ratings at most (app_rebuild_memory): what `mixchat ask`, `route`
	 * and the chat pay at most (`rate` and `ratings` build no memory). */
	m = router_memory_new();
	t0 = time_mono_usf();
	for (i = 0; i < 2 * ROUTER_MEMORY_MAX; i++) {
		snprintf(text, sizeof text, "%s %s number %zu in %s, please",
		    asks[i % 6], topics[i / 6 % 8], i, topics[i % 8]);
		router_features_compute(r, text, strlen(text), f);
		router_memory_add(
		    m, f, "model-0", (double)(i * 7 % 5) / 4.0, 0.6, 1.0);
	}
	rebuild = time_mono_usf() - t0;
	printf("memory: rebuild from one model's last %d ratings (the most "
	       "a start replays; %d kept) %.1f ms, %.2f ms a rating\n",
	    2 * ROUTER_MEMORY_MAX, ROUTER_MEMORY_MAX, rebuild / 1e3,
	    rebuild / 1e3 / (2 * ROUTER_MEMORY_MAX));
	free(t);
	free(f);
	router_memory_free(m);
}

/* Time N decisions on prompt; print them under label. */
static int
time_decisions(
    const struct router *r, const char *prompt, size_t len, const char *label)
{
	enum { N = 2000 };
	struct router_context ctx;
	struct router_decision d;
	double *t = malloc(N * sizeof *t), t0;
	size_t i;

	router_context_init(&ctx, MODE_BALANCED);
	for (i = 0; i < N; i++) {
		t0 = time_mono_usf();
		if (router_decide(r, prompt, len, &ctx, &d) != MC_OK)
			return 1;
		t[i] = time_mono_usf() - t0;
		router_decision_release(&d);
	}
	time_sort(t, N);
	printf("route: %s, %zu-char prompt: median %.1f us, p99 %.1f us\n",
	    label, len, t[N / 2], t[N * 99 / 100]);
	free(t);
	return 0;
}

/*
 * The state `mixchat train` writes, exemplars included, for the RouterBench
 * subset (11 models) and the RouteLLM data (2 models, MMLU and GSM8K), and
 * the decision on the 2,000-character prompt under the RouterBench state
 * with its 11 models and two more as candidates (13).
 */
static int
bench_trained(
    const char *shared, const char *bin, const char *prompt, size_t len)
{
	static const char *const data[] = { "prompts.jsonl.gz",
		"routellm_mmlu_gsm8k.jsonl.gz" };
	char cmd[4096], path[64];
	struct router *r;
	struct buf b;
	size_t i, k;
	FILE *fp;
	char *cause = NULL;

	for (k = 0; k < 2; k++) {
		snprintf(path, sizeof path, "/tmp/bench_router.%d.%zu.state",
		    (int)getpid(), k);
		snprintf(cmd, sizeof cmd,
		    "gzip -dc '%s/data/routing/%s' | '%s' train --data - "
		    "--out '%s' >/dev/null 2>&1",
		    shared, data[k], bin, path);
		if (system(cmd) != 0 || (fp = fopen(path, "rb")) == NULL)
			return 1;
		buf_init(&b, 256u << 20);
		while ((i = fread(cmd, 1, sizeof cmd, fp)) > 0)
			if (buf_add(&b, cmd, i) != MC_OK)
				return 1;
		fclose(fp);
		remove(path);
		printf("state: `mixchat train` on %s: %zu bytes (%.2f MB; "
		       "target <= 2 MB)\n",
		    data[k], b.len, (double)b.len / (1 << 20));
		if (k == 1) {
			buf_release(&b);
			break;
		}
		r = router_new();
		if (router_state_load(r, b.data, b.len, &cause) != MC_OK)
			return 1;
		buf_release(&b);
		{
			static const char *const ids[] = {
				"WizardLM/WizardLM-13B-V1.2",
				"claude-instant-v1", "claude-v1", "claude-v2",
				"gpt-3.5-turbo-1106", "gpt-4-1106-preview",
				"meta/code-llama-instruct-34b-chat",
				"meta/llama-2-70b-chat",
				"mistralai/mistral-7b-chat",
				"mistralai/mixtral-8x7b-chat",
				"zero-one-ai/Yi-34B-Chat", "new-a", "new-b"
			};

			for (i = 0; i < 13; i++)
				if (router_add_model(r, ids[i], 1 + (double)i,
				        2 + (double)i,
				        i < 11 ? ids[i] : NULL) != MC_OK)
					return 1;
		}
		if (time_decisions(r, prompt, len,
		        "13 models under that state (exemplars searched)") != 0)
			return 1;
		router_free(r);
	}
	return 0;
}

int
main(void)
{
	static const char *priors[] = { "gpt-4-1106-preview", "claude-v2",
		"claude-v1", "claude-instant-v1", "gpt-3.5-turbo-1106",
		"mistralai/mixtral-8x7b-chat", "mistralai/mistral-7b-chat",
		"WizardLM/WizardLM-13B-V1.2", "zero-one-ai/Yi-34B-Chat",
		"meta/llama-2-70b-chat", "meta/code-llama-instruct-34b-chat",
		NULL, NULL };
	static const char *words[] = { "the", "quick", "brown", "fox", "jumps",
		"over", "lazy", "dog", "which", "planet", "is", "largest",
		"answer", "42", "python", "function", "returns", "list", "of",
		"numbers" };
	struct router *r = router_new();
	struct router_context ctx;
	struct buf state;
	char prompt[2001], id[32];
	size_t len = 0, i;
	const char *shared = getenv("MIXCHAT_SHARED");
	const char *bin = getenv("MIXCHAT_BIN");

	for (i = 0; len < 2000; i++) {
		const char *w = words[(i * 7 + i / 3) % 20];
		size_t n = strlen(w);

		if (len + n + 1 > 2000)
			break;
		memcpy(prompt + len, w, n);
		len += n;
		prompt[len++] = i % 17 == 16 ? '\n' : ' ';
	}
	while (len < 2000)
		prompt[len++] = '.';
	prompt[len] = '\0';

	for (i = 0; i < 13; i++) {
		snprintf(id, sizeof id, "model-%zu", i);
		if (router_add_model(r, id, 0.2 + (double)i,
		        1.0 + 2.0 * (double)i, priors[i]) != MC_OK)
			return 1;
	}
	router_context_init(&ctx, MODE_BALANCED);
	if (time_decisions(
	        r, prompt, len, "13 models (target <= 50 us median)") != 0)
		return 1;

	buf_init(&state, 64u << 20);
	if (router_state_save(r, &state) != MC_OK)
		return 1;
	printf("state: 13 models, %zu tags: %zu bytes (%.2f MB; target <= 2 "
	       "MB)\n",
	    router_ntags(r), state.len, (double)state.len / (1 << 20));
	buf_release(&state);
	bench_memory(r, &ctx);
	router_free(r);

	if (shared != NULL && bin != NULL &&
	    bench_trained(shared, bin, prompt, len) != 0)
		return 1;
	if (shared != NULL && bin != NULL) {
		char cmd[4096];

		snprintf(cmd, sizeof cmd,
		    "gzip -dc '%s/data/routing/prompts.jsonl.gz' > "
		    "/tmp/bench_router.$$.jsonl && t0=$(date +%%s%%N) && "
		    "'%s' eval --data /tmp/bench_router.$$.jsonl > /dev/null "
		    "&& t1=$(date +%%s%%N) && echo \"eval: RouterBench subset "
		    "(3164 prompts, fit + test sweep): $(( (t1 - t0) / "
		    "1000000 )) ms (target < 2000 ms)\"; rm -f "
		    "/tmp/bench_router.$$.jsonl",
		    shared, bin);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
