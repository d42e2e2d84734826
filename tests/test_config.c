/*
 * test_config.c - defaults, merging config.json, errors that name the file,
 * line and field, folders, and the built-in prices against prices.csv.
 */
#include "config.h"

#include "config/catalog.h"
#include "config/config.h"
#include "net/request.h"
#include "test.h"
#include "util/glyph.h"
#include "util/xmalloc.h"

static int
load(struct config *cfg, const char *text, char **cause)
{
	*cause = NULL;
	config_init(cfg);
	return config_load_text(cfg, text, strlen(text), "config.json", cause);
}

TEST(defaults_have_providers_and_models)
{
	struct config cfg;
	struct model *m;

	config_init(&cfg);
	CHECK(config_find_provider(&cfg, "openai") != NULL);
	CHECK(config_find_provider(&cfg, "anthropic")->api == API_ANTHROPIC);
	CHECK(config_find_provider(&cfg, "ollama")->auth_none);
	m = config_find_model(&cfg, "gpt-4.1-mini");
	CHECK(m != NULL && m->price_in == 0.4 && m->price_out == 1.6);
	CHECK(m != NULL && m->prior != NULL);
	CHECK(cfg.mode == MODE_BALANCED);
	CHECK(cfg.latency_tolerance_ms == 15000);
	CHECK(!cfg.mouse); /* the terminal keeps the mouse by default */
	CHECK(cfg.glyphs == GLYPHS_AUTO);
	config_release(&cfg);
}

TEST(user_config_overrides_and_extends)
{
	struct config cfg;
	char *cause;
	const char *text =
	    "{\n"
	    "  // a comment\n"
	    "  \"providers\": {\n"
	    "    \"local\": { \"api\": \"openai\", \"base_url\": "
	    "\"http://127.0.0.1:8080/v1/\", \"auth\": \"none\",\n"
	    "      \"timeout_s\": 300 }\n"
	    "  },\n"
	    "  \"models\": [\n"
	    "    { \"id\": \"gpt-4.1-mini\", \"price\": [0.5, 2] },\n"
	    "    { \"id\": \"qwen\", \"provider\": \"local\", \"price\": [0, 0] },\n"
	    "    { \"id\": \"my-own-model\", \"provider\": \"local\" }\n"
	    "  ],\n"
	    "  \"router\": { \"mode\": \"quality\", \"latency_tolerance_ms\": 900 },\n"
	    "  \"budget\": { \"daily_usd\": 0.5 },\n"
	    "  \"vault\": { \"passphrase_command\": \"pass show mixchat\" },\n"
	    "  \"theme\": \"mono\", \"mouse\": true, \"glyphs\": \"ascii\"\n"
	    "}\n";

	CHECK(load(&cfg, text, &cause) == MC_OK);
	CHECK(cause == NULL);
	CHECK_STR(config_find_provider(&cfg, "local")->base_url,
	    "http://127.0.0.1:8080/v1");
	CHECK(config_find_provider(&cfg, "local")->auth_none);
	CHECK(config_find_provider(&cfg, "local")->timeout_s == 300);
	CHECK(config_find_provider(&cfg, "openai")->timeout_s == 0);
	CHECK(config_find_model(&cfg, "gpt-4.1-mini")->price_in == 0.5);
	CHECK_STR(config_find_model(&cfg, "gpt-4.1-mini")->provider, "openai");
	CHECK_STR(config_find_model(&cfg, "qwen")->provider, "local");
	CHECK(config_find_model(&cfg, "qwen")->user);
	/* A model of a provider without a key need not be priced: free. */
	CHECK(config_find_model(&cfg, "my-own-model")->price_out == 0);
	CHECK(config_find_model(&cfg, "qwen")->prior_line == 0);
	CHECK(cfg.mode == MODE_QUALITY);
	CHECK(cfg.latency_tolerance_ms == 900);
	CHECK(cfg.daily_budget_usd == 0.5);
	CHECK_STR(cfg.passphrase_command, "pass show mixchat");
	CHECK_STR(cfg.theme, "mono");
	CHECK(cfg.mouse);
	CHECK(cfg.glyphs == GLYPHS_ASCII);
	config_release(&cfg);
}

/* Each bad config must fail with a message naming file:line: field. */
TEST(errors_name_file_line_and_field)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "{\n\"models\": [\n {\"id\": \"x\", \"provider\": \"openai\",\n"
		  "  \"price\": [1]}\n]}",
		    "config.json:4: models[0].price: expected [input, output]" },
		{ "{\n\"router\": {\n \"mode\": \"fast\"\n}}",
		    "config.json:3: router.mode: expected" },
		{ "{\n\"budget\": {\"daily_usd\": -1}}",
		    "config.json:2: budget.daily_usd: expected a number" },
		{ "{\n\n\"colour\": 1}",
		    "config.json:3: colour: unknown field" },
		{ "{\n\"budjet\": {\"daily_usd\": 1}}",
		    "config.json:2: budjet: unknown field (did you mean "
		    "\"budget\"?)" },
		{ "{\"budget\": {\"daily\": 2}}",
		    "config.json:1: budget.daily: unknown field (did you mean "
		    "\"daily_usd\"?)" },
		{ "{\"router\": {\"mdoe\": \"budget\"}}",
		    "config.json:1: router.mdoe: unknown field (did you mean "
		    "\"mode\"?)" },
		{ "{\"models\": [{\"id\": \"m\", \"provider\": \"nope\"}]}",
		    "config.json:1: models[0].provider: no provider named" },
		{ "{\"providers\": {\"p\": {\"api\": \"soap\", \"base_url\": "
		  "\"http://x\"}}}",
		    "config.json:1: providers.p.api: unknown API" },
		{ "{\n\"theme\": 3\n}", "config.json:2: theme: expected" },
		{ "{\n\"mouse\": 1\n}",
		    "config.json:2: mouse: expected true or false" },
		{ "{\n\"glyphs\": \"\"\n}",
		    "config.json:2: glyphs: expected \"auto\", \"unicode\" or "
		    "\"ascii\"" },
		{ "{\n\"glyphs\": true\n}",
		    "config.json:2: glyphs: expected \"auto\"" },
		{ "{\"models\": [{\"id\": \"gpt-4.1\",\n \"enabled\": \"no\"}]}",
		    "config.json:2: models[0].enabled: expected true or false" },
		{ "{\n\"a\": 1,,\n}", "config.json:2:" },
		{ "{\"models\": [{\"id\": \"m\", \"provider\": \"openai\", "
		  "\"price\": [1, 1]},\n"
		  " {\"id\": \"m\", \"provider\": \"openai\"}]}",
		    "config.json:2: models[1].id: \"m\" is already models[0]" },
		{ "[1]", "config.json:1: expected a JSON object" },
		/* A count is a whole number, not cut short quietly. */
		{ "{\n\"max_output_tokens\": 100.5\n}",
		    "config.json:2: max_output_tokens: expected a whole number "
		    "from 1 to " },
		{ "{\"providers\": {\"openai\": {\"timeout_s\": 2.5}}}",
		    "config.json:1: providers.openai.timeout_s: expected a whole "
		    "number from 1 to 3600" },
		/* Ranges print plainly, not as 1e+06. */
		{ "{\"budget\": {\"daily_usd\": -1}}",
		    "config.json:1: budget.daily_usd: expected a number from 0 "
		    "to 1000000" },
		{ "{\"router\": {\"latency_tolerance_ms\": 0}}",
		    "config.json:1: router.latency_tolerance_ms: expected a "
		    "number from 1 to 3600000" },
		/* reading_width: 0 (off) or at least 20, as the README
		 * says; 10 is not quietly read as 20. */
		{ "{\n\"reading_width\": 10\n}",
		    "config.json:2: reading_width: expected a whole number "
		    "from 20 to 10000, or 0 (the pane's width)" },
		{ "{\"reading_width\": -1}",
		    "config.json:1: reading_width: expected a whole number "
		    "from 20 to 10000, or 0 (the pane's width)" },
		{ "{\"reading_width\": 20.5}",
		    "config.json:1: reading_width: expected a whole number " },
		{ "{\"reading_width\": \"wide\"}",
		    "config.json:1: reading_width: expected a whole number " },
		{ "{\"max_output_tokens\": 0}",
		    "config.json:1: max_output_tokens: expected a whole number "
		    "from 1 to 1000000" },
		/* A name close to a known one says which was meant. */
		{ "{\"models\":[{\"id\":\"gpt-4.1-mnii\",\"price\":[1,2]}]}",
		    "config.json:1: models[0]: a new model needs \"provider\" "
		    "(did you mean \"gpt-4.1-mini\"?)" },
		{ "{\"providers\": {\"opneai\": {\"timeout_s\": 9}}}",
		    "config.json:1: providers.opneai: a new provider needs "
		    "\"api\" (openai, anthropic, gemini or ollama) (did you "
		    "mean \"openai\"?)" },
		{ "{\"models\": [{\"id\": \"m\",\n \"provider\": \"opnai\"}]}",
		    "config.json:2: models[0].provider: no provider named "
		    "\"opnai\" (did you mean \"openai\"? else add it under "
		    "\"providers\")" },
		/* A model the catalog does not price, of a provider that
		 * bills (takes a key): its price is needed, or the router
		 * and the budget would take it for free. */
		{ "{\"models\": [{\"id\": \"anthropic/claude-sonnet-4.5\",\n"
		  " \"provider\": \"openrouter\"}]}",
		    "config.json:1: models[0]: \"anthropic/claude-sonnet-4.5\" "
		    "is not in the catalog, so it needs \"price\": [input, "
		    "output], USD per 1M tokens (openrouter bills for it; [0, "
		    "0] if it is free)" },
		{ "{\"models\": [{\"id\": \"m\", \"provider\": \"zzz\"}]}",
		    "config.json:1: models[0].provider: no provider named "
		    "\"zzz\" (add it under \"providers\")" },
		/* Plain http:// to another computer is refused at load, by
		 * net's rule, not at the first request. */
		{ "{\"providers\": {\"mock\": {\"api\": \"openai\",\n"
		  " \"base_url\": \"http://10.0.0.1:8080/v1\"}}}",
		    "config.json:2: providers.mock.base_url: plain http:// is "
		    "only for this computer (127.0.0.1, ::1, localhost): use "
		    "https://" },
		{ "{\"providers\": {\"openai\": {\"base_url\": "
		  "\"http://127.0.0.1.evil.example/v1\"}}}",
		    "config.json:1: providers.openai.base_url: plain http://" },
		{ "{\"providers\": {\"openai\": {\"base_url\": "
		  "\"http://localhost@10.0.0.1/v1\"}}}",
		    "config.json:1: providers.openai.base_url: plain http://" },
		/* A key given twice is an error, not the first quietly
		 * winning. */
		{ "{\n\"max_output_tokens\": 100,\n\"max_output_tokens\": 200\n}",
		    "config.json:3: max_output_tokens: given twice (line 2 and "
		    "line 3)" },
		{ "{\"theme\": \"light\", \"theme\": \"nope\"}",
		    "config.json:1: theme: given twice (both on line 1)" },
		{ "{\"providers\": {\"openai\": {\"timeout_s\": 5,\n"
		  " \"timeout_s\": 9}}}",
		    "config.json:2: providers.openai.timeout_s: given twice "
		    "(line 1 and line 2)" },
		{ "{\"models\": [{\"id\": \"gpt-4.1\"},\n {\"id\": \"gpt-4o\",\n"
		  "  \"price\": [1, 2], \"enabled\": true,\n  \"price\": [3, 4]}]}",
		    "config.json:4: models[1].price: given twice (line 3 and "
		    "line 4)" },
		{ "{\"b\": 1, \"a\": 1,\n \"b\": 2, \"a\": 2}",
		    "config.json:2: b: given twice (line 1 and line 2)" },
		{ "{\"providers\": {\"openai\":\n {\"timeout_s\": 0}}}",
		    "config.json:2: providers.openai.timeout_s: expected a whole "
		    "number from 1" },
	};
	struct config cfg;
	char *cause;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		CHECK(load(&cfg, cases[i].text, &cause) == MC_ERR_PARSE);
		CHECK(cause != NULL && strncmp(cause, cases[i].want,
		                           strlen(cases[i].want)) == 0);
		if (cause != NULL &&
		    strncmp(cause, cases[i].want, strlen(cases[i].want)) != 0)
			printf("  got: %s\n  want: %s\n", cause, cases[i].want);
		free(cause);
		config_release(&cfg);
	}
}

TEST(prior_keeps_its_line)
{
	struct config cfg;
	char *cause;

	CHECK(load(&cfg,
	          "{\"models\": [\n {\"id\": \"gpt-4o\",\n"
	          "  \"prior\": \"gpt-4-1106\"}]}",
	          &cause) == MC_OK);
	CHECK(config_find_model(&cfg, "gpt-4o")->prior_line == 3);
	CHECK(config_find_model(&cfg, "gpt-4.1")->prior_line == 0);
	free(cause);
	config_release(&cfg);
}

TEST(plain_http_only_to_this_computer)
{
	static const char *const loopback[] = { "http://127.0.0.1:8080/v1",
		"http://localhost:11434", "http://[::1]:8080/v1",
		"http://127.0.0.5/x", "https://10.0.0.1/v1" };
	struct config cfg;
	char *cause, *text;
	size_t i;

	for (i = 0; i < sizeof loopback / sizeof loopback[0]; i++) {
		text = xasprintf("{\"providers\": {\"p\": {\"api\": "
		                 "\"openai\", \"base_url\": \"%s\"}}}",
		    loopback[i]);
		CHECK(load(&cfg, text, &cause) == MC_OK);
		if (cause != NULL)
			printf("  %s: %s\n", loopback[i], cause);
		free(cause);
		free(text);
		config_release(&cfg);
	}
	CHECK(config_host_is_loopback("LOCALHOST"));
	CHECK(!config_host_is_loopback("127.0.0.1.example"));
	CHECK(!config_host_is_loopback("10.0.0.1"));
}

/*
 * Loopback is an address in 127/8, ::1 or localhost, never a name that
 * starts like one: "127.0.0.1.5" is no IPv4 address, so libcurl asks DNS
 * (and its search domains) for it, and plain http:// with the key would go
 * wherever that points.  config.json refuses it, naming the rule, and
 * so does net, naming the host.
 */
TEST(loopback_is_an_address_not_a_prefix)
{
	static const char *const yes[] = { "127.0.0.1", "127.1.2.3",
		"127.255.255.255", "localhost", "::1", "[::1]",
		"[0:0:0:0:0:0:0:1]" };
	static const char *const no[] = { "127.0.0.1.5", "127.0.0.1.",
		"127.0.0.256", "127.0.0", "127..0.1", "127.0.0.1x", "128.0.0.1",
		"127.0.0.1.example", "[::2]", "::", "", "localhost.evil",
		"[127.0.0.1]" };
	struct config cfg;
	char *cause, *text;
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		CHECK(config_host_is_loopback(yes[i]));
		if (!config_host_is_loopback(yes[i]))
			printf("  %s is loopback\n", yes[i]);
	}
	for (i = 0; i < sizeof no / sizeof no[0]; i++) {
		CHECK(!config_host_is_loopback(no[i]));
		if (config_host_is_loopback(no[i]))
			printf("  %s is not loopback\n", no[i]);
	}
	text = xasprintf("{\"providers\": {\"p\": {\"api\": \"openai\", "
	                 "\"base_url\": \"http://127.0.0.1.5:8080/v1\"}}}");
	cause = NULL;
	CHECK(load(&cfg, text, &cause) != MC_OK);
	CHECK(cause != NULL &&
	      strstr(cause, "plain http:// is only for this computer"));
	free(cause);
	free(text);
	config_release(&cfg);
	cause = NULL;
	CHECK(request_check_url("http://127.0.0.1.5:8080/v1/chat/completions",
	          "p", &cause) == MC_ERR_USAGE);
	CHECK(cause != NULL && strstr(cause, "not to 127.0.0.1.5"));
	free(cause);
}

/*
 * config.json's early check of base_url never refuses a URL net would
 * send to (net checks every request with libcurl's parse), and refuses
 * the malformed ones net refuses, naming the line, not at the first
 * request.
 */
TEST(base_url_check_agrees_with_net)
{
	static const char *const urls[] = { "http://127.0.0.1:8080/v1",
		"http://[0:0:0:0:0:0:0:1]/", "http://[::1%25lo]/",
		"http://0x7f000001/", "http://2130706433/",
		"http://%31%32%37.0.0.1/", "http://user:pw@127.0.0.1/",
		"http://127.0.0.1:99999/", "http://127.0.0.1:abc/",
		"http://127.0.0.1:8080:9/", "http://[::1]evil/",
		"http://a@evil.com@127.0.0.1/", "http://user:p@ss@127.0.0.1/",
		"http://10.0.0.1/v1", "http://example.com/", "http://[::2]/",
		"http://127.0.0.1.evil.example/", "http://localhost@10.0.0.1/",
		"https://example.com/v1", "http://localhost/",
		"http://cafe.be/v1", "http://dead.beef:80",
		"http://localhost:00000080/", "http://[::1]:0000080/",
		"http://0177.0.0.1/", "http://127.0.0.1.5:8080/v1",
		"http://0x7f.0.0.1.5/" };
	static const char *const malformed[] = { "http://127.0.0.1:99999/",
		"http://127.0.0.1:abc/", "http://127.0.0.1:8080:9/",
		"http://[::1]evil/", "http://a@evil.com@127.0.0.1/",
		"http://user:p@ss@127.0.0.1/", "http://cafe.be/v1",
		"http://dead.beef:80" };
	struct config cfg;
	char *cause, *text;
	size_t i;
	int cfg_ok, net_ok;

	for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		text = xasprintf("{\"providers\": {\"p\": {\"api\": "
		                 "\"openai\", \"base_url\": \"%s\"}}}",
		    urls[i]);
		cfg_ok = load(&cfg, text, &cause) == MC_OK;
		free(cause);
		free(text);
		config_release(&cfg);
		cause = NULL;
		net_ok = request_check_url(urls[i], "p", &cause) == MC_OK;
		free(cause);
		CHECK(cfg_ok || !net_ok);
		if (!cfg_ok && net_ok)
			printf(
			    "  config refuses %s, net sends to it\n", urls[i]);
	}
	for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
		text = xasprintf("{\"providers\": {\"p\": {\"api\": "
		                 "\"openai\", \"base_url\": \"%s\"}}}",
		    malformed[i]);
		CHECK(load(&cfg, text, &cause) != MC_OK);
		free(cause);
		free(text);
		config_release(&cfg);
	}
}

TEST(folders_from_home_and_xdg)
{
	struct config cfg;
	char *cause = NULL;

	config_init(&cfg);
	CHECK(config_set_paths(&cfg, "/tmp/h", NULL, &cause) == MC_OK);
	CHECK_STR(cfg.config_file, "/tmp/h/config.json");
	CHECK_STR(cfg.data_dir, "/tmp/h");
	setenv("XDG_CONFIG_HOME", "/x/conf", 1);
	setenv("XDG_DATA_HOME", "/x/data", 1);
	unsetenv("MIXCHAT_HOME");
	CHECK(config_set_paths(&cfg, NULL, NULL, &cause) == MC_OK);
	CHECK_STR(cfg.config_file, "/x/conf/mixchat/config.json");
	CHECK_STR(cfg.data_dir, "/x/data/mixchat");
	setenv("MIXCHAT_HOME", "/m", 1);
	CHECK(config_set_paths(&cfg, NULL, "/etc/c.json", &cause) == MC_OK);
	CHECK_STR(cfg.data_dir, "/m");
	CHECK_STR(cfg.config_file, "/etc/c.json");
	config_release(&cfg);
}

TEST(missing_config_is_fine_unless_named)
{
	struct config cfg;
	char *cause = NULL;
	char *dir = xasprintf("%s/none", test_tmpdir());

	config_init(&cfg);
	CHECK(config_set_paths(&cfg, dir, NULL, &cause) == MC_OK);
	CHECK(config_load(&cfg, false, &cause) == MC_OK);
	CHECK(!cfg.config_found);
	CHECK(config_load(&cfg, true, &cause) == MC_ERR_NOTFOUND);
	CHECK(cause != NULL && strstr(cause, "config.json") != NULL);
	free(cause);
	config_release(&cfg);
	free(dir);
	/* An empty file (`touch config.json`) sets nothing, as no file. */
	CHECK(load(&cfg, "", &cause) == MC_OK && cause == NULL);
	config_release(&cfg);
	CHECK(load(&cfg, " \n\n", &cause) == MC_OK && cause == NULL);
	config_release(&cfg);
}

/* Every built-in model's price must be the one in the dated price table. */
TEST(catalog_prices_match_prices_csv)
{
	FILE *f = fopen(test_shared("fixtures/providers/prices.csv"), "r");
	char line[1024];
	size_t i, found = 0;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		char *fields[6], *p = line;
		int n;

		for (n = 0; n < 6; n++)
			fields[n] = strsep(&p, ",");
		if (fields[5] == NULL)
			continue;
		for (i = 0; i < catalog_nmodels; i++) {
			if (strcmp(catalog_models[i].id, fields[1]) != 0)
				continue;
			found++;
			CHECK_NEAR(
			    catalog_models[i].price_in, atof(fields[2]), 1e-9);
			CHECK_NEAR(
			    catalog_models[i].price_out, atof(fields[3]), 1e-9);
		}
	}
	fclose(f);
	CHECK(found == catalog_nmodels);
}

int
main(void)
{
	RUN(defaults_have_providers_and_models);
	RUN(user_config_overrides_and_extends);
	RUN(errors_name_file_line_and_field);
	RUN(prior_keeps_its_line);
	RUN(plain_http_only_to_this_computer);
	RUN(loopback_is_an_address_not_a_prefix);
	RUN(base_url_check_agrees_with_net);
	RUN(folders_from_home_and_xdg);
	RUN(missing_config_is_fine_unless_named);
	RUN(catalog_prices_match_prices_csv);
	return test_done();
}
