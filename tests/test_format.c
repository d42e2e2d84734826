/*
 * test_format.c - how a reply's numbers are written (app/format.c).
 */
#include "config.h"

#include <math.h>

#include <stdint.h>
#include <string.h>

#include "app/format.h"
#include "cli/output.h"
#include "test.h"
#include "util/buf.h"

TEST(usd)
{
	char b[32];

	format_usd(0.00042, b, sizeof b);
	CHECK_STR(b, "$0.00042");
	format_usd(0.2, b, sizeof b);
	CHECK_STR(b, "$0.20");
	format_usd(0.0123, b, sizeof b);
	CHECK_STR(b, "$0.0123");
	format_usd(1.5, b, sizeof b);
	CHECK_STR(b, "$1.50");
	format_usd(0, b, sizeof b);
	CHECK_STR(b, "$0");
	format_usd(-3, b, sizeof b);
	CHECK_STR(b, "$0");
	/* Below a microdollar: fixed, two figures, no exponent. */
	format_usd(1e-7, b, sizeof b);
	CHECK_STR(b, "$0.0000001");
	format_usd(1.5e-9, b, sizeof b);
	CHECK_STR(b, "$0.0000000015");
	format_usd(3e-8, b, sizeof b);
	CHECK_STR(b, "$0.00000003");
	format_usd(NAN, b, sizeof b);
	CHECK_STR(b, "$0");
	format_usd(INFINITY, b, sizeof b);
	CHECK_STR(b, "$inf");
	format_usd(1e-17, b, sizeof b);
	CHECK_STR(b, "$0");
}

/* Under the limit it never reads as the limit (the notice said "99 %
 * of today's budget is spent ($0.0211 of $0.0211)"). */
TEST(usd_under_limit)
{
	char b[32];

	format_usd_under(0.02109, 0.0211, b, sizeof b);
	CHECK_STR(b, "$0.021");
	/* Cut at the amount's own decimals, not the limit's trimmed ones. */
	format_usd_under(0.0099999, 0.01, b, sizeof b);
	CHECK_STR(b, "$0.009999");
	format_usd_under(0.019999, 0.02, b, sizeof b);
	CHECK_STR(b, "$0.0199");
	format_usd_under(0.000999999, 0.001, b, sizeof b);
	CHECK_STR(b, "$0.000999");
	format_usd_under(1.999, 2.0, b, sizeof b);
	CHECK_STR(b, "$1.99");
	format_usd_under(0.5, 2.0, b, sizeof b);
	CHECK_STR(b, "$0.50");
	format_usd_under(2.0, 2.0, b, sizeof b);
	CHECK_STR(b, "$2.00");
	format_usd_under(2.5, 2.0, b, sizeof b);
	CHECK_STR(b, "$2.50");
}

TEST(durations)
{
	char b[32];

	format_ms(310, b, sizeof b);
	CHECK_STR(b, "310 ms");
	format_ms(1300, b, sizeof b);
	CHECK_STR(b, "1.3 s");
	format_ms(125000, b, sizeof b);
	CHECK_STR(b, "2 min 5 s");
}

TEST(footer)
{
	struct app_exchange ex;
	char model[] = "gpt-4.1-mini", b[256];

	memset(&ex, 0, sizeof ex);
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	CHECK_STR(b, "");
	ex.model = model;
	ex.state = REPLY_STREAMING;
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	CHECK_STR(b, "gpt-4.1-mini · …");
	ex.state = REPLY_DONE;
	ex.cost_usd = 0.00042;
	ex.latency_ms = 1300;
	ex.ttft_ms = 310;
	ex.tokens_out = 212;
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	/* DESIGN.md's example line. */
	CHECK_STR(b, "gpt-4.1-mini · $0.00042 · 1.3 s (first token 310 ms) · "
	             "212 tok · 163 tok/s");
	/* After 10 s waiting out a 429: said apart from the first token,
	 * and not counted in the speed (the same 163 tok/s). */
	ex.latency_ms = 11300;
	ex.wait_ms = 10000;
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	CHECK_STR(b, "gpt-4.1-mini · $0.00042 · 11.3 s (first token 310 ms, "
	             "after 10.0 s of retries) · 212 tok · 163 tok/s");
	ex.latency_ms = 1300;
	ex.wait_ms = 0;
	ex.tokens_estimated = true;
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	CHECK(strstr(b, "~212 tok") != NULL);
	/* Kept from a draft after mixchat ended: nothing measured, and
	 * no zeros made up for it. */
	{
		struct app_exchange d = ex;

		d.state = REPLY_ERROR;
		d.reply_len = 12;
		d.latency_ms = d.ttft_ms = d.cost_usd = 0;
		d.tokens_out = 0;
		format_footer(&glyph_unicode, &d, b, sizeof b);
		CHECK_STR(b, "gpt-4.1-mini · not timed, counted or billed");
	}
	/* Failed after some text: the footer still reports it. */
	ex.state = REPLY_ERROR;
	ex.reply_len = 40;
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	CHECK(strstr(b, "~212 tok") != NULL);
	/* Failed before any text (connection refused, a 401): no speed, no
	 * first token that never came - the chat and `ask` both say so. */
	ex.reply_len = 0;
	ex.tokens_out = 0;
	ex.latency_ms = 8;
	ex.ttft_ms = 0;
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	CHECK_STR(b, "gpt-4.1-mini · no reply (8 ms)");
	/* Cancelled before any text: the same. */
	ex.state = REPLY_CANCELLED;
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	CHECK_STR(b, "gpt-4.1-mini · no reply (8 ms)");
	/* Done, but nothing in it (a content filter, a reasoning model that
	 * spent its tokens thinking): said, with its cost, no speed. */
	ex.state = REPLY_DONE;
	ex.cost_usd = 0.00001;
	format_footer(&glyph_unicode, &ex, b, sizeof b);
	CHECK_STR(b, "gpt-4.1-mini · $0.00001 · 8 ms · an empty reply");
}

TEST(url_public)
{
	char b[256];

	format_url_public("https://api.openai.com/v1", b, sizeof b);
	CHECK_STR(b, "https://api.openai.com/v1");
	format_url_public(
	    "https://me:s3cret@gw.example/v1?key=abc#x", b, sizeof b);
	CHECK_STR(b, "https://gw.example/v1");
	format_url_public("http://a@b:c@127.0.0.1:8080/v1", b, sizeof b);
	CHECK_STR(b, "http://127.0.0.1:8080/v1");
	format_url_public("localhost:11434/api?token=t", b, sizeof b);
	CHECK_STR(b, "localhost:11434/api");
	/* '@' in a password, and in a path (not a user). */
	format_url_public("https://u:p@ss@gw.example/v1?tok=a@b", b, sizeof b);
	CHECK_STR(b, "https://gw.example/v1");
	format_url_public("https://gw.example/@team/v1", b, sizeof b);
	CHECK_STR(b, "https://gw.example/@team/v1");
}

/* A conversation as Markdown: its count in words (1 message, 2
 * messages), and a reply with no text as its heading and error line, one
 * blank line apart. */
TEST(conversation_md)
{
	struct store_session ss;
	struct store_message m[2];
	struct buf b;

	memset(&ss, 0, sizeof ss);
	memset(m, 0, sizeof m);
	ss.id = 4;
	ss.title = (char *)(uintptr_t) "hello";
	m[0].session = m[1].session = 4;
	m[0].seq = 1;
	m[0].role = STORE_ROLE_USER;
	m[0].text = (char *)(uintptr_t) "hello";
	m[1].seq = 2;
	m[1].role = STORE_ROLE_ASSISTANT;
	m[1].text = (char *)(uintptr_t) "";
	m[1].model = (char *)(uintptr_t) "cheap";
	m[1].latency_ms = 8;
	m[1].error = (char *)(uintptr_t) "refused (HTTP 401)";
	buf_init(&b, 1 << 16);
	CHECK(format_conversation_md(&ss, m, 1, &b) == MC_OK);
	CHECK(strstr(buf_str(&b), " · 1 message\n") != NULL);
	buf_reset(&b);
	CHECK(format_conversation_md(&ss, m, 2, &b) == MC_OK);
	CHECK(strstr(buf_str(&b), " · 2 messages\n") != NULL);
	CHECK(strstr(buf_str(&b), "## cheap · no reply (8 ms) · reply 4.2\n\n"
	                          "> error: refused (HTTP 401)\n") != NULL);
	buf_release(&b);
}

/* A message refused before it was sent, as the chat keeps it: a reply
 * record with no model, nothing spent or timed, and the error line.  Its
 * heading says it was not sent (not "?", not "no reply (0 ms)", no reply
 * id to rate). */
TEST(conversation_md_not_sent)
{
	struct store_session ss;
	struct store_message m[2];
	struct buf b;
	const char *s;

	memset(&ss, 0, sizeof ss);
	memset(m, 0, sizeof m);
	ss.id = 7;
	ss.title = (char *)(uintptr_t) "too dear";
	m[0].session = m[1].session = 7;
	m[0].seq = 1;
	m[0].role = STORE_ROLE_USER;
	m[0].text = (char *)(uintptr_t) "too dear";
	m[1].seq = 2;
	m[1].role = STORE_ROLE_ASSISTANT;
	m[1].text = (char *)(uintptr_t) "";
	m[1].error = (char *)(uintptr_t) "nothing fits what is left of "
	                                 "today's budget";
	m[1].decision_json =
	    (char *)(uintptr_t) "{\"model\":null,\"pinned\":false,"
	                        "\"candidates\":[],\"reply_to\":1,"
	                        "\"reask\":false}";
	buf_init(&b, 1 << 16);
	CHECK(format_conversation_md(&ss, m, 2, &b) == MC_OK);
	s = buf_str(&b);
	CHECK(strstr(s, " · 2 messages\n") != NULL);
	CHECK(strstr(s, "\n## You · ") != NULL);
	CHECK(strstr(s, "\n## not sent · ") != NULL);
	CHECK(strstr(s, "\n\n> error: nothing fits what is left of today's "
	                "budget\n") != NULL);
	CHECK(strstr(s, "?") == NULL);
	CHECK(strstr(s, "no reply") == NULL);
	CHECK(strstr(s, "reply 7.2") == NULL);
	CHECK(strstr(s, "$") == NULL);
	/* Not a re-ask, and it answers the message right before it. */
	CHECK(strstr(s, "asked again") == NULL);
	CHECK(strstr(s, "in reply to") == NULL);
	buf_release(&b);
}

/* Headings in a message are two levels below the messages' own "## ",
 * at most "######"; a fenced block's lines are its own. */
TEST(conversation_md_headings)
{
	struct store_session ss;
	struct store_message m[2];
	struct buf b;
	const char *s;

	memset(&ss, 0, sizeof ss);
	memset(m, 0, sizeof m);
	ss.id = 3;
	ss.title = (char *)(uintptr_t) "sections";
	m[0].session = m[1].session = 3;
	m[0].seq = 1;
	m[0].role = STORE_ROLE_USER;
	m[0].text = (char *)(uintptr_t) "## my own heading";
	m[1].seq = 2;
	m[1].role = STORE_ROLE_ASSISTANT;
	m[1].model = (char *)(uintptr_t) "cheap";
	m[1].text = (char *)(uintptr_t) "# Title\n"
	                                "## Section one\n"
	                                "   ### three spaces\n"
	                                "#### four\n"
	                                "##### five\n"
	                                "###### six\n"
	                                "####### not a heading\n"
	                                "#hashtag\n"
	                                "    ## indented code\n"
	                                "```sh\n"
	                                "## not a heading\n"
	                                "~~~\n"
	                                "# still code\n"
	                                "```\n"
	                                "~~~~\n"
	                                "# tilde code\n"
	                                "```\n"
	                                "~~~~\n"
	                                "#\n"
	                                "## after";
	buf_init(&b, 1 << 16);
	CHECK(format_conversation_md(&ss, m, 2, &b) == MC_OK);
	s = buf_str(&b);
	CHECK(strncmp(s, "# sections\n", 11) == 0);
	CHECK(strstr(s, "\n## You · ") != NULL);
	CHECK(strstr(s, "\n#### my own heading\n") != NULL);
	CHECK(strstr(s, "\n## cheap · ") != NULL);
	CHECK(strstr(s, "\n### Title\n"
	                "#### Section one\n"
	                "   ##### three spaces\n"
	                "###### four\n"
	                "###### five\n"
	                "###### six\n"
	                "####### not a heading\n"
	                "#hashtag\n"
	                "    ## indented code\n"
	                "```sh\n"
	                "## not a heading\n"
	                "~~~\n"
	                "# still code\n"
	                "```\n"
	                "~~~~\n"
	                "# tilde code\n"
	                "```\n"
	                "~~~~\n"
	                "###\n"
	                "#### after\n") != NULL);
	buf_release(&b);
}

/* A message that ends inside a code fence (a reply cut off, half a
 * snippet pasted) has it closed: the next message is no code. */
TEST(conversation_md_open_fence)
{
	struct store_session ss;
	struct store_message m[3];
	struct buf b;
	const char *s;

	memset(&ss, 0, sizeof ss);
	memset(m, 0, sizeof m);
	ss.id = 5;
	ss.title = (char *)(uintptr_t) "fence";
	m[0].session = m[1].session = m[2].session = 5;
	m[0].seq = 1;
	m[0].role = STORE_ROLE_ASSISTANT;
	m[0].model = (char *)(uintptr_t) "cheap";
	m[0].text = (char *)(uintptr_t) "Here:\n\n````python\nfor i in x:\n"
	                                "    print(i)";
	m[1].seq = 2;
	m[1].role = STORE_ROLE_USER;
	m[1].text = (char *)(uintptr_t) "~~~\nint main(\n";
	m[2].seq = 3;
	m[2].role = STORE_ROLE_USER;
	m[2].text = (char *)(uintptr_t) "# and then";
	buf_init(&b, 1 << 16);
	CHECK(format_conversation_md(&ss, m, 3, &b) == MC_OK);
	s = buf_str(&b);
	CHECK(strstr(s, "    print(i)\n````\n\n## You · ") != NULL);
	CHECK(strstr(s, "~~~\nint main(\n~~~\n\n## You · ") != NULL);
	CHECK(strstr(s, "\n### and then\n") != NULL);
	buf_release(&b);
}

/* Setext headings (a line underlined with === or ---) go two levels down
 * too; a --- after a blank line, a list item or in code stays a rule. */
TEST(conversation_md_setext)
{
	struct store_session ss;
	struct store_message m;
	struct buf b;
	const char *s;

	memset(&ss, 0, sizeof ss);
	memset(&m, 0, sizeof m);
	ss.id = 4;
	ss.title = (char *)(uintptr_t) "setext";
	m.session = 4;
	m.seq = 2;
	m.role = STORE_ROLE_ASSISTANT;
	m.model = (char *)(uintptr_t) "cheap";
	m.text = (char *)(uintptr_t) "Big title\n"
	                             "=========\n"
	                             "Some text.\n"
	                             "\n"
	                             "Part two  \n"
	                             "  ---\n"
	                             "\n"
	                             "---\n"
	                             "- item\n"
	                             "---\n"
	                             "```\n"
	                             "code\n"
	                             "---\n"
	                             "```\n"
	                             "  # after a fence, a line led by spaces\n"
	                             "last\n"
	                             "---";
	buf_init(&b, 1 << 16);
	CHECK(format_conversation_md(&ss, &m, 1, &b) == MC_OK);
	s = buf_str(&b);
	CHECK(strstr(s, "\n### Big title\n"
	                "Some text.\n"
	                "\n"
	                "#### Part two\n"
	                "\n"
	                "---\n"
	                "- item\n"
	                "---\n"
	                "```\n"
	                "code\n"
	                "---\n"
	                "```\n"
	                "  ### after a fence, a line led by spaces\n"
	                "#### last\n") != NULL);
	buf_release(&b);
}

/* A reply on its way to a terminal (`ask`, `export`): escape sequences,
 * CR, BEL, C1 and bidi overrides left out, a character cut between two
 * writes put back together; to a pipe, the bytes as they came. */
TEST(tty_text_leaves_out_what_a_terminal_obeys)
{
	struct tty_text t = { .on = true };
	const char *r = "before\x1b[2J\x1b]52;c;aGFja2Vk\x07 after\rOVER\n"
	                "tab\there \xc2\x9b"
	                "31m \xe2\x80\xae"
	                "evil\x7f caf\xc3\xa9";
	char out[256];
	size_t n, i;

	n = tty_text_clean(&t, r, strlen(r), out);
	out[n] = '\0';
	CHECK_STR(out, "before[2J]52;c;aGFja2Vk afterOVER\ntab\there 31m "
	               "evil caf\xc3\xa9");
	/* The same text one byte a write: the same bytes out. */
	t.nheld = 0;
	for (i = 0, n = 0; r[i] != '\0'; i++)
		n += tty_text_clean(&t, r + i, 1, out + n);
	out[n] = '\0';
	CHECK_STR(out, "before[2J]52;c;aGFja2Vk afterOVER\ntab\there 31m "
	               "evil caf\xc3\xa9");
	/* Not a terminal: as it came. */
	t.on = false;
	n = tty_text_clean(&t, r, strlen(r), out);
	CHECK(n == strlen(r) && memcmp(out, r, n) == 0);
}

int
main(void)
{
	RUN(usd);
	RUN(usd_under_limit);
	RUN(durations);
	RUN(footer);
	RUN(url_public);
	RUN(conversation_md);
	RUN(conversation_md_not_sent);
	RUN(conversation_md_headings);
	RUN(conversation_md_setext);
	RUN(conversation_md_open_fence);
	RUN(tty_text_leaves_out_what_a_terminal_obeys);
	return test_done();
}
