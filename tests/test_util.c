/*
 * test_util.c - buffers, UTF-8 widths, JSON helpers, atomic files.
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>
#include <wctype.h>

#include "test.h"
#include "util/base64.h"
#include "util/buf.h"
#include "util/crc32.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/self.h"
#include "util/suggest.h"
#include "util/terms.h"
#include "util/timeutil.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

TEST(suggest_names_the_nearest_word)
{
	static const char *const words[] = { "budget", "router", NULL,
		"models" };

	CHECK(suggest_distance("kitten", "sitting") == 3);
	CHECK(suggest_distance("", "abc") == 3);
	CHECK(suggest_distance("same", "same") == 0);
	CHECK_STR(suggest_nearest("budjet", words, 4, 2), "budget");
	CHECK_STR(suggest_nearest("model", words, 4, 2), "models");
	CHECK(suggest_nearest("colour", words, 4, 2) == NULL);
	CHECK(suggest_nearest("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", words, 4,
	          40) == NULL);
}

TEST(suggest_names_the_name_meant)
{
	static const char *const words[] = { "gpt-4.1-mini", "gpt-4.1",
		"gpt-4-1106-preview", NULL, "mistralai/mixtral-8x7b-chat",
		"gpt-3.5-turbo-1106" };

	CHECK_STR(suggest_name("gpt-4.1-mnii", words, 6), "gpt-4.1-mini");
	CHECK_STR(suggest_name("gpt-4-1106", words, 6), "gpt-4-1106-preview");
	/* Any case: "GPT-4.1-Mini" is gpt-4.1-mini (/theme Light). */
	CHECK_STR(
	    suggest_name_nocase("GPT-4.1-Mnii", words, 6), "gpt-4.1-mini");
	CHECK_STR(suggest_name("mixtral-8x7b-chat", words, 6),
	    "mistralai/mixtral-8x7b-chat");
	CHECK(suggest_name("claude", words, 6) == NULL);
	CHECK(suggest_name("gpt", words, 6) == NULL); /* begins several */
	/* One of a name's parts: "dark" is solarized-dark, "mini" the only
	 * name with that part; "1106" is a part of two. */
	{
		static const char *const themes[] = { "default", "light",
			"solarized-dark", "mono" };
		static const char *const budget[] = { "daily_usd" };

		CHECK_STR(suggest_name("dark", themes, 4), "solarized-dark");
		CHECK_STR(suggest_name("daily", budget, 1), "daily_usd");
		CHECK_STR(suggest_name("usd", budget, 1), "daily_usd");
		CHECK_STR(suggest_name("mini", words, 6), "gpt-4.1-mini");
		CHECK(suggest_name("1106", words, 6) == NULL);
	}
}

TEST(suggest_lists_the_words_a_prefix_begins)
{
	static const char *const words[] = { "new", "sessions", NULL, "search",
		"models", "model" };
	const char *out[2];

	CHECK(suggest_prefixed("ses", words, 6, out, 2) == 1);
	CHECK_STR(out[0], "sessions");
	CHECK(suggest_prefixed("se", words, 6, out, 2) == 2);
	CHECK_STR(out[0], "sessions");
	CHECK_STR(out[1], "search");
	CHECK(suggest_prefixed("s", words, 6, out, 1) == 2);
	CHECK_STR(out[0], "sessions");
	/* Not the word itself, nor what is no prefix. */
	CHECK(suggest_prefixed("model", words, 6, out, 2) == 1);
	CHECK_STR(out[0], "models");
	CHECK(suggest_prefixed("x", words, 6, out, 2) == 0);
	CHECK(suggest_prefixed("", words, 6, out, 2) == 0);
}

TEST(buf_grows_until_its_limit)
{
	struct buf b;
	int i;

	buf_init(&b, 10);
	CHECK(buf_addstr(&b, "hello") == MC_OK);
	CHECK(buf_printf(&b, "%d", 12345) == MC_OK);
	CHECK_STR(buf_str(&b), "hello12345");
	CHECK(b.len == 10);
	/* One more byte is past the limit: fails and releases. */
	CHECK(buf_addch(&b, 'x') == MC_ERR_LIMIT);
	CHECK(b.len == 0 && b.data == NULL);
	buf_init(&b, 1 << 20);
	for (i = 0; i < 1000; i++)
		CHECK(buf_add(&b, "abcdefgh", 8) == MC_OK);
	CHECK(b.len == 8000);
	buf_consume(&b, 7996);
	CHECK_STR(buf_str(&b), "efgh");
	buf_release(&b);
}

TEST(utf8_widths)
{
	/* ASCII, CJK (2 each), emoji (2), combining accent (0). */
	CHECK(utf8_width("abc", 3) == 3);
	CHECK(utf8_width("\xe4\xb8\xad\xe6\x96\x87", 6) == 4); /* 中文 */
	CHECK(utf8_width("\xf0\x9f\x98\x80", 4) == 2);         /* 😀 */
	CHECK(utf8_width("e\xcc\x81", 3) == 1);                /* é */
	CHECK(utf8_width("\xea\xb0\x80", 3) == 2);             /* 가 */
	CHECK(utf8_cpwidth(0x1f680) == 2);                     /* rocket */
	CHECK(utf8_cpwidth('\t') == 0);
	/* A skin tone: two columns, as the C library counts it. */
	CHECK(utf8_cpwidth(0x1f3fd) == 2);
}

TEST(utf8_decode_rejects_bad_sequences)
{
	uint32_t cp;

	CHECK(utf8_decode("\xc0\x80", 2, &cp) == 1 && cp == UTF8_REPLACEMENT);
	CHECK(
	    utf8_decode("\xed\xa0\x80", 3, &cp) == 1 && cp == UTF8_REPLACEMENT);
	CHECK(utf8_decode("\xe4\xb8", 2, &cp) == 1 && cp == UTF8_REPLACEMENT);
	CHECK(utf8_decode("\xe4\xb8\xad", 3, &cp) == 3 && cp == 0x4e2d);
	CHECK(utf8_valid("ok \xe4\xb8\xad", 6));
	CHECK(!utf8_valid("\xff", 1));
	CHECK(utf8_valid("\xef\xbf\xbd", 3));
	/* Repaired: each bad byte one U+FFFD, counted; a U+FFFD that was
	 * there is kept and not counted. */
	{
		size_t n, bad;
		char *r = utf8_repair("a\xff\xfe"
		                      "b\xef\xbf\xbd",
		    7, &n, &bad);

		CHECK_STR(r, "a\xef\xbf\xbd\xef\xbf\xbd"
		             "b\xef\xbf\xbd");
		CHECK(n == strlen(r) && bad == 2);
		CHECK(utf8_valid(r, n));
		free(r);
	}
}

TEST(utf8_fit_never_splits_a_wide_char)
{
	const char *s = "a\xe4\xb8\xad\xe6\x96\x87"; /* a中文: widths 1,2,2 */
	size_t used;

	CHECK(utf8_fit(s, 7, 2, &used) == 1 && used == 1);
	CHECK(utf8_fit(s, 7, 3, &used) == 4 && used == 3);
	CHECK(utf8_fit(s, 7, 10, &used) == 7 && used == 5);
}

TEST(json_errors_name_line_and_column)
{
	const char *text = "{\n  // comment\n  \"a\": 1,\n  \"b\": [1, 2,,]\n}";
	cJSON *root = NULL;
	char *cause = NULL;

	CHECK(json_parse(text, strlen(text), 1024, true, "x.json", &root,
	          &cause) == MC_ERR_PARSE);
	CHECK(cause != NULL && strncmp(cause, "x.json:4:", 9) == 0);
	free(cause);
	cause = NULL;
	/* The usual slips of a file typed by hand are named. */
	{
		static const struct {
			const char *text, *said;
		} slips[] = {
			{ "{\n \"a\": 1,\n}",
			    "x.json:2:8: invalid JSON: a comma "
			    "before '}' (JSON allows none "
			    "after the last item)" },
			/* A comma after the last item is named at the
			 * comma, whatever stands between it and the
			 * bracket, at any depth. */
			{ "{\n \"r\": {\n  \"m\": 1,\n  \"l\": 15000,\n },\n"
			  " \"t\": 1\n}",
			    "x.json:4:13: invalid JSON: a comma "
			    "before '}' (JSON allows none "
			    "after the last item)" },
			{ "{\n \"a\": 1,\n \"b\": 2,\n\n}\n",
			    "x.json:3:8: invalid JSON: a comma "
			    "before '}' (JSON allows none "
			    "after the last item)" },
			{ "{ \"budget\": { \"daily_usd\": 2.0, } }",
			    "x.json:1:31: invalid JSON: a comma "
			    "before '}' (JSON allows none "
			    "after the last item)" },
			{ "{\"a\": [1, 2,\n\t\n ], \"b\": \",}\"}",
			    "x.json:1:12: invalid JSON: a comma "
			    "before ']' (JSON allows none "
			    "after the last item)" },
			{ "{\"a\": 1\n \"b\": 2}",
			    "x.json:2:2: invalid JSON: a "
			    "comma missing before '\"'" },
			{ "{\"a\":\"b",
			    "x.json:1:7: invalid JSON: a string "
			    "that is not closed (a '\"' missing?)" },
			{ "[1,,2]", "x.json:1:4: invalid JSON: two commas in "
			            "a row" },
			{ "{\"a\" 1}", "x.json:1:6: invalid JSON: a ':' or ',' "
			               "missing before '1'" },
			{ "{'a': 1}", "x.json:1:3: invalid JSON: a string in "
			              "single quotes (JSON takes '\"')" },
			{ "{\"a\": [1,\n", "x.json:1:10: invalid JSON: it ends "
			                   "before the value does (a '}', ']' "
			                   "or '\"' missing?)" },
			/* Cut short: named at the end, not at the last
			 * token read ('n', the inner '}'), which is right. */
			{ "{\"id\": \"a\", \"subject\": nu",
			    "x.json:1:26: invalid JSON: it ends before the "
			    "value does (a '}', ']' or '\"' missing?)" },
			{ "{\"q\": {\"a\": 0.5, \"b\": 1}",
			    "x.json:1:25: invalid JSON: it ends before the "
			    "value does (a '}', ']' or '\"' missing?)" },
			{ "{\"a\": 1,\n\n", "x.json:1:9: invalid JSON: it ends "
			                    "before the value does (a '}', ']' "
			                    "or '\"' missing?)" },
			{ "[{\"a\": -", "x.json:1:9: invalid JSON: it ends "
			                "before the value does (a '}', ']' "
			                "or '\"' missing?)" },
			{ "{\"a\": \"x\", \"b\": \"say \\\"hi",
			    "x.json:1:18: invalid JSON: a string "
			    "that is not closed (a '\"' missing?)" },
			/* ... but a slip before the end is named as before. */
			{ "{\"a\": nul, \"b\": 1",
			    "x.json:1:7: invalid JSON: unexpected "
			    "'n' (a string needs '\"'; the words "
			    "JSON knows are true, false and null)" },
			{ "{\"a\": [1 2",
			    "x.json:1:10: invalid JSON: unexpected "
			    "'2'" },
			{ "{\"a\": yes}",
			    "x.json:1:7: invalid JSON: unexpected "
			    "'y' (a string needs '\"'; the words "
			    "JSON knows are true, false and null)" },
		};
		size_t k;

		/* Comments between the comma and the bracket. */
		text = "{\n \"a\": 1, // one\n /* two\n */\n}";
		CHECK(json_parse(text, strlen(text), 1024, true, "x.json",
		          &root, &cause) == MC_ERR_PARSE);
		CHECK_STR(cause, "x.json:2:8: invalid JSON: a comma before "
		                 "'}' (JSON allows none after the last item)");
		free(cause);
		cause = NULL;
		/* Columns count characters, not UTF-8's bytes. */
		text =
		    "{\"s\": \"caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x99\x82\", \"t\": yes}";
		CHECK(json_parse(text, strlen(text), 1024, true, "x.json",
		          &root, &cause) == MC_ERR_PARSE);
		CHECK(
		    cause != NULL &&
		    strncmp(cause, "x.json:1:24: invalid JSON: unexpected 'y'",
		        40) == 0);
		if (cause != NULL && strncmp(cause, "x.json:1:24:", 12) != 0)
			printf("  got: %s\n", cause);
		free(cause);
		cause = NULL;
		/* ... in a comment too (comments are blanked byte for byte:
		 * the column is counted in the text as written). */
		text = "{ /* caf\xc3\xa9 */ \"m\": 5, }";
		CHECK(json_parse(text, strlen(text), 1024, true, "x.json",
		          &root, &cause) == MC_ERR_PARSE);
		CHECK(cause != NULL && strncmp(cause, "x.json:1:20:", 12) == 0);
		if (cause != NULL && strncmp(cause, "x.json:1:20:", 12) != 0)
			printf("  got: %s\n", cause);
		free(cause);
		cause = NULL;
		/* An unclosed comment is named where it opens. */
		text = "{\n \"a\": 1, /* one\n \"b\": 2\n}";
		CHECK(json_parse(text, strlen(text), 1024, true, "x.json",
		          &root, &cause) == MC_ERR_PARSE);
		CHECK_STR(cause,
		    "x.json:2:10: a /* comment is not closed (a */ "
		    "missing?)");
		free(cause);
		cause = NULL;
		/* An earlier slip is named first. */
		text = "{\"a\": yes, \"b\": 1,}";
		CHECK(json_parse(text, strlen(text), 1024, true, "x.json",
		          &root, &cause) == MC_ERR_PARSE);
		CHECK(cause != NULL &&
		      strncmp(cause, "x.json:1:7: invalid JSON: unexpected 'y'",
		          40) == 0);
		free(cause);
		cause = NULL;
		for (k = 0; k < sizeof slips / sizeof slips[0]; k++) {
			CHECK(json_parse(slips[k].text, strlen(slips[k].text),
			          1024, false, "x.json", &root,
			          &cause) == MC_ERR_PARSE);
			CHECK_STR(cause, slips[k].said);
			free(cause);
			cause = NULL;
		}
	}
	CHECK(json_parse(text, strlen(text), 8, true, "x.json", &root,
	          &cause) == MC_ERR_LIMIT);
	free(cause);
	cause = NULL;
	text = "{ /* c */ \"s\": \"// not a comment\" }";
	CHECK(json_parse(text, strlen(text), 1024, true, "y", &root, &cause) ==
	      MC_OK);
	CHECK_STR(json_get_string(root, "s"), "// not a comment");
	cJSON_Delete(root);
}

TEST(json_locate_finds_fields)
{
	const char *text =
	    "{\n\"models\": [\n {\"id\": \"a\"},\n {\"id\": \"b\",\n"
	    "  \"price\": [1]}\n],\n\"router\": {\"mode\": 3}\n}\n";

	CHECK(json_locate(text, strlen(text), "models[1].price") == 5);
	CHECK(json_locate(text, strlen(text), "models[0].id") == 3);
	CHECK(json_locate(text, strlen(text), "router.mode") == 7);
	CHECK(json_locate(text, strlen(text), "nothing") == 0);
	text = "{\"a\": {\"k\": 1,\n \"j\": 2,\n \"k\": 3}}";
	CHECK(json_locate_nth(text, strlen(text), "a.k", 0) == 1);
	CHECK(json_locate_nth(text, strlen(text), "a.k", 1) == 3);
	CHECK(json_locate_nth(text, strlen(text), "a.k", 2) == 0);
}

TEST(atomic_write_replaces_whole_file)
{
	char *path = xasprintf("%s/f", test_tmpdir());
	char *cause = NULL;
	struct buf b;
	struct stat st;

	CHECK(fs_write_atomic(path, "one", 3, 0600, &cause) == MC_OK);
	CHECK(fs_write_atomic(path, "second", 6, 0600, &cause) == MC_OK);
	buf_init(&b, 100);
	CHECK(fs_read_file(path, &b, &cause) == MC_OK);
	CHECK_STR(buf_str(&b), "second");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	buf_release(&b);
	buf_init(&b, 3);
	CHECK(fs_read_file(path, &b, &cause) == MC_ERR_LIMIT);
	CHECK(cause != NULL && strstr(cause, path) != NULL);
	free(cause);
	free(path);
}

TEST(mkdir_p_and_monotonic_time)
{
	char *path = xasprintf("%s/a/b/c", test_tmpdir());
	char *cause = NULL;
	uint64_t t0 = time_mono_us();

	CHECK(fs_mkdir_p(path, 0700, &cause) == MC_OK);
	CHECK(fs_exists(path));
	CHECK(fs_mkdir_p(path, 0700, &cause) == MC_OK);
	CHECK(time_mono_us() >= t0);
	CHECK(time_day(0) >= 19691231 && time_day(0) <= 19700101);
	{
		double u0 = time_mono_usf(), u1 = time_mono_usf();
		double v[5] = { 3.5, -1, 2, 2, 0.25 };

		CHECK(u1 >= u0 && u0 > 0);
		CHECK(fabs(u0 - (double)time_mono_us()) < 1e6);
		time_sort(v, 5);
		CHECK(v[0] == -1 && v[1] == 0.25 && v[2] == 2 && v[3] == 2 &&
		      v[4] == 3.5);
	}
	free(path);
}

TEST(wait_text_rounds_up_in_words)
{
	char b[48];

	time_wait_text(200, b, sizeof b);
	CHECK_STR(b, "1 s"); /* not "0 s" */
	time_wait_text(120000, b, sizeof b);
	CHECK_STR(b, "120 s");
	time_wait_text(120001, b, sizeof b);
	CHECK_STR(b, "3 min");
	time_wait_text(90 * 60000, b, sizeof b);
	CHECK_STR(b, "90 min");
	/* A day from now ends at the time it is now: tomorrow's. */
	time_wait_text((int64_t)24 * 3600 * 1000, b, sizeof b);
	CHECK(strncmp(b, "24 h (until tomorrow ", 21) == 0 && strlen(b) == 27 &&
	      b[23] == ':' && b[26] == ')');
}

/* The end of a long wait, in local time, names its day when it is not
 * today's. */
TEST(wait_text_names_another_day)
{
	const int64_t h = (int64_t)3600 * 1000;
	/* Sun 29 Nov 2026 22:23:00 UTC, 10:00, 13:00; Thu 31 Dec 22:00. */
	const int64_t night = (int64_t)1795990980 * 1000;
	const int64_t morning = (int64_t)1795946400 * 1000;
	const int64_t noon = (int64_t)1795957200 * 1000;
	const int64_t newyear = (int64_t)1798754400 * 1000;
	char *tz = getenv("TZ") ? xstrdup(getenv("TZ")) : NULL;
	char b[48];

	setenv("TZ", "UTC0", 1);
	tzset();
	time_wait_text_at(morning, 3 * h, b, sizeof b);
	CHECK_STR(b, "3 h (until 13:00)");
	time_wait_text_at(night, 24 * h, b, sizeof b);
	CHECK_STR(b, "24 h (until tomorrow 22:23)");
	time_wait_text_at(night, 2 * h, b, sizeof b);
	CHECK_STR(b, "2 h (until tomorrow 00:23)");
	time_wait_text_at(night, 72 * h, b, sizeof b);
	CHECK_STR(b, "72 h (until Wed 2 Dec 22:23)");
	time_wait_text_at(newyear, 3 * h, b, sizeof b);
	CHECK_STR(b, "3 h (until tomorrow 01:00)");
	/* Ten hours east of UTC, 13:00 UTC is 23:00: two hours on is the
	 * next local day. */
	setenv("TZ", "XYZ-10", 1);
	tzset();
	time_wait_text_at(noon, 2 * h, b, sizeof b);
	CHECK_STR(b, "2 h (until tomorrow 01:00)");
	time_wait_text_at(morning, 3 * h, b, sizeof b);
	CHECK_STR(b, "3 h (until 23:00)");
	if (tz != NULL)
		setenv("TZ", tz, 1);
	else
		unsetenv("TZ");
	tzset();
	free(tz);
}

TEST(growarray_doubles_and_keeps_contents)
{
	int *a = NULL;
	size_t cap = 0, i;

	for (i = 0; i < 1000; i++) {
		a = xgrowarray(a, &cap, i + 1, sizeof *a);
		a[i] = (int)i;
	}
	CHECK(cap == 1024);
	for (i = 0; i < 1000; i++)
		if (a[i] != (int)i)
			break;
	CHECK(i == 1000);
	/* Room already there: same array, same capacity. */
	CHECK(xgrowarray(a, &cap, 10, sizeof *a) == a && cap == 1024);
	a = xgrowarray(a, &cap, 5000, sizeof *a);
	CHECK(cap == 8192);
	free(a);
}

TEST(terms_words_and_phrases)
{
	const char *p = "  one \"two three\"\tfour \"\" \"open end", *t;
	size_t len;

	t = terms_next(&p, &len);
	CHECK(t != NULL && len == 3 && strncmp(t, "one", 3) == 0);
	t = terms_next(&p, &len);
	CHECK(t != NULL && len == 9 && strncmp(t, "two three", 9) == 0);
	t = terms_next(&p, &len);
	CHECK(t != NULL && len == 4 && strncmp(t, "four", 4) == 0);
	t = terms_next(&p, &len); /* "" */
	CHECK(t != NULL && len == 0);
	t = terms_next(&p, &len);
	CHECK(t != NULL && len == 8 && strcmp(t, "open end") == 0);
	CHECK(terms_next(&p, &len) == NULL);
}

/* t folded with terms_fold, as a new string. */
static char *
folded(const char *t)
{
	char *s = xstrdup(t);

	terms_fold(s, strlen(s));
	return s;
}

/* Where the term w (as typed) is in h, case ignored: its offset, or -1. */
static long
found_at(const char *h, const char *w)
{
	char *fw = folded(w);
	const char *at = terms_find(h, strlen(h), fw, strlen(fw));

	free(fw);
	return at != NULL ? (long)(at - h) : -1;
}

TEST(terms_fold_case_beyond_ascii)
{
	static const uint32_t pairs[][2] = {
		{ 'Q', 'q' },
		{ 'q', 'q' },
		{ '@', '@' },
		{ '[', '[' },
		{ 0xc9, 0xe9 },     /* É é */
		{ 0xdc, 0xfc },     /* Ü ü */
		{ 0xd7, 0xd7 },     /* × */
		{ 0xdf, 0xdf },     /* ß: its fold is "ss" */
		{ 0xb5, 0x3bc },    /* µ μ */
		{ 0x178, 0xff },    /* Ÿ ÿ */
		{ 0x141, 0x142 },   /* Ł ł */
		{ 0x150, 0x151 },   /* Ő ő */
		{ 0x17d, 0x17e },   /* Ž ž */
		{ 0x130, 0x130 },   /* İ: its fold is i + a dot, longer */
		{ 0x131, 0x131 },   /* ı */
		{ 0x17f, 0x17f },   /* ſ: its fold is 's', shorter */
		{ 0x218, 0x219 },   /* Ș ș */
		{ 0x391, 0x3b1 },   /* Α α */
		{ 0x3a3, 0x3c3 },   /* Σ σ */
		{ 0x3c2, 0x3c3 },   /* final ς is σ */
		{ 0x386, 0x3ac },   /* Ά ά */
		{ 0x38f, 0x3ce },   /* Ώ ώ */
		{ 0x3a2, 0x3a2 },   /* no letter */
		{ 0x401, 0x451 },   /* Ё ё */
		{ 0x41c, 0x43c },   /* М м */
		{ 0x42f, 0x44f },   /* Я я */
		{ 0x490, 0x491 },   /* Ґ ґ */
		{ 0x4c0, 0x4cf },   /* Ӏ ӏ */
		{ 0x4c1, 0x4c2 },   /* Ӂ ӂ */
		{ 0x531, 0x561 },   /* Ա ա */
		{ 0x1ea0, 0x1ea1 }, /* Ạ ạ */
		{ 0x1e9e, 0x1e9e }, /* ẞ: its fold is ß, shorter */
		{ 0x20ac, 0x20ac }, /* € */
		{ 0x4e2d, 0x4e2d }, /* 中 */
		{ 0x1f600, 0x1f600 },
	};
	size_t i;
	uint32_t c;
	char a[4], b[4];
	bool same_length = true, settled = true;

	for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		if (terms_fold_cp(pairs[i][0]) != pairs[i][1])
			printf("  U+%04X folds to U+%04X\n",
			    (unsigned)pairs[i][0],
			    (unsigned)terms_fold_cp(pairs[i][0]));
		CHECK(terms_fold_cp(pairs[i][0]) == pairs[i][1]);
	}
	/* Every fold keeps the UTF-8 length and is folded already. */
	for (c = 0; c < 0x20000; c++) {
		uint32_t f = terms_fold_cp(c);

		if (c >= 0xd800 && c <= 0xdfff)
			continue;
		same_length =
		    same_length && utf8_encode(c, a) == utf8_encode(f, b);
		settled = settled && terms_fold_cp(f) == f;
	}
	CHECK(same_length);
	CHECK(settled);
}

/*
 * The table against the C library's: in a UTF-8 locale, each letter towlower
 * lowers to one as long folds to it, and each the table folds is a case of
 * the same letter (ς, µ: towupper takes both to one).  The store never asks
 * the locale; the test does, to check the table.
 */
TEST(terms_fold_agrees_with_towlower)
{
	uint32_t c;
	size_t lowered = 0, missed = 0, wrong = 0;
	char a[4], b[4];

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL &&
	    setlocale(LC_CTYPE, "en_US.UTF-8") == NULL) {
		printf("  (no UTF-8 locale: the table is not compared)\n");
		return;
	}
	for (c = 0x80; c < 0x1f00; c++) {
		uint32_t lo = (uint32_t)towlower((wint_t)c),
		         f = terms_fold_cp(c);

		if ((c > 0x58f && c < 0x1e00) || c == 0x130)
			continue;
		if (lo != c && utf8_encode(c, a) == utf8_encode(lo, b)) {
			lowered++;
			if (f != lo) {
				printf("  U+%04X: towlower U+%04X, "
				       "folded U+%04X\n",
				    (unsigned)c, (unsigned)lo, (unsigned)f);
				missed++;
			}
		} else if (f != c &&
		           towupper((wint_t)c) != towupper((wint_t)f)) {
			printf("  U+%04X folded to U+%04X\n", (unsigned)c,
			    (unsigned)f);
			wrong++;
		}
	}
	setlocale(LC_CTYPE, "C");
	CHECK(lowered > 500);
	CHECK(missed == 0);
	CHECK(wrong == 0);
}

TEST(terms_find_ignores_case)
{
	char *s = folded("ÜBER Straße ΑΘΗΝΑΣ МОСКВА Ǆ");
	char out[4];

	CHECK_STR(s, "über straße αθηνασ москва ǆ");
	free(s);
	CHECK(found_at("Das ist ÜBER alles", "über") == 8);
	CHECK(found_at("das ist über alles", "ÜbEr") == 8);
	CHECK(found_at("ΑΘΗΝΑ", "αθηνα") == 0);
	CHECK(found_at("στην Αθήνα", "ΑΘΉΝΑ") == 9);
	CHECK(found_at("Παρίσι και ΑΘΗΝΑΣ", "αθηνας") > 0);
	CHECK(found_at("в Москва!", "москва") == 3);
	CHECK(found_at("ЁЛКА", "ёлка") == 0);
	CHECK(found_at("Ærø and ÅLAND", "åland") == 10);
	CHECK(found_at("plain ascii", "ASCII") == 6);
	CHECK(found_at("über", "uber") == -1);
	CHECK(found_at("strasse", "straße") == -1);
	CHECK(found_at("ab", "abc") == -1);
	/* Bytes that are no character: matched as themselves, never read
	 * past the end. */
	CHECK(found_at("x\xff\xfeY", "\xff\xfey") == 1);
	CHECK(found_at("ab\xc3", "\xc3\x89") == -1);
	CHECK(terms_fold_at("\xc3", 1, out) == 1 && out[0] == '\xc3');
	CHECK(terms_fold_at("\xc3\x89", 2, out) == 2 &&
	      memcmp(out, "\xc3\xa9", 2) == 0);
	CHECK(!terms_match("abc", 3, "", 0));
}

TEST(self_cmd_names_the_folders_quoted)
{
	CHECK_STR(self_cmd(), "mixchat");
	self_set("/tmp/x", NULL);
	CHECK_STR(self_cmd(), "mixchat --home /tmp/x");
	self_set("/tmp/my home", "it's.json");
	CHECK_STR(self_cmd(),
	    "mixchat --home '/tmp/my home' --config 'it'\\''s.json'");
	self_set(NULL, "$HOME/c.json");
	CHECK_STR(self_cmd(), "mixchat --config '$HOME/c.json'");
	self_set(NULL, NULL);
	CHECK_STR(self_cmd(), "mixchat");
}

TEST(crc32_check_value)
{
	CHECK(crc32_ieee("123456789", 9) == 0xcbf43926u);
	CHECK(crc32_ieee("", 0) == 0);
}

TEST(base64_matches_rfc4648)
{
	/* RFC 4648, section 10. */
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba",
		"foobar" };
	static const char *const want[] = { "", "Zg==", "Zm8=", "Zm9v",
		"Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char out[16];
	size_t i;

	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		CHECK(base64_len(strlen(in[i])) == strlen(want[i]));
		base64_encode(in[i], strlen(in[i]), out);
		CHECK_STR(out, want[i]);
	}
	/* Every byte value, the high ones included. */
	{
		const unsigned char hi[] = { 0xff, 0xfe, 0x00 };

		base64_encode(hi, 3, out);
		CHECK_STR(out, "//4A");
	}
}

int
main(void)
{
	RUN(crc32_check_value);
	RUN(growarray_doubles_and_keeps_contents);
	RUN(suggest_names_the_nearest_word);
	RUN(suggest_names_the_name_meant);
	RUN(suggest_lists_the_words_a_prefix_begins);
	RUN(buf_grows_until_its_limit);
	RUN(utf8_widths);
	RUN(utf8_decode_rejects_bad_sequences);
	RUN(utf8_fit_never_splits_a_wide_char);
	RUN(json_errors_name_line_and_column);
	RUN(json_locate_finds_fields);
	RUN(atomic_write_replaces_whole_file);
	RUN(mkdir_p_and_monotonic_time);
	RUN(base64_matches_rfc4648);
	RUN(wait_text_rounds_up_in_words);
	RUN(wait_text_names_another_day);
	RUN(self_cmd_names_the_folders_quoted);
	RUN(terms_words_and_phrases);
	RUN(terms_fold_case_beyond_ascii);
	RUN(terms_fold_agrees_with_towlower);
	RUN(terms_find_ignores_case);
	return test_done();
}
