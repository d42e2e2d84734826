/*
 * format.h - how a reply's numbers are written for people, the same in the
 * chat screen and on the command line.
 */
#ifndef MIXCHAT_FORMAT_H
#define MIXCHAT_FORMAT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "app/app.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/glyph.h"

/* A reply's figures when none were measured (kept from a draft after
 * mixchat ended mid-reply). */
#define FORMAT_UNMEASURED "not timed, counted or billed"

/* format_usd: "$0.00042", "$0.0123", "$1.50" into out (size n). */
void format_usd(double usd, char *out, size_t n);
/* format_usd for an amount under limit that would print as the limit does
 * ($0.0211 of $0.0211): cut, not rounded, instead ($0.021). */
void format_usd_under(double usd, double limit, char *out, size_t n);
/* format_ms: "310 ms", "1.3 s", "2 min 5 s". */
void format_ms(double ms, char *out, size_t n);
/*
 * format_think_block: a reasoning model's leading "<think>...</think>"
 * in text (n bytes, white space before it allowed): its inside (*len
 * bytes, trimmed) and in *skip where the answer starts (after the block
 * and the blank lines after it).  NULL when text does not start with one;
 * an unclosed block (*closed false: still streaming, or text that merely
 * starts so) is all thought: *skip = n.
 */
const char *format_think_block(
    const char *text, size_t n, size_t *len, size_t *skip, bool *closed);
/* format_no_reply: "gpt-4.1-mini · no reply (8 ms)" into out (size n), with
 * the separator of the marks g (util/glyph.h): the footer of a reply that
 * failed before any text came (the chat, `ask` and `export` all say it
 * so).  Returns snprintf's count. */
int format_no_reply(const struct glyphs *g, const char *model,
    double latency_ms, char *out, size_t n);
/* format_url_public: url without what may be a secret in it (user:pass@,
 * the query and the fragment), for the debug log. */
void format_url_public(const char *url, char *out, size_t n);
/*
 * format_footer: the line under a reply:
 *   gpt-4.1-mini · $0.00042 · 1.3 s (first token 310 ms) · 212 tok · 160 tok/s
 * "~212 tok" when the count is estimated; "gpt-4.1-mini · no reply (8 ms)"
 * when the reply failed before any text came.  Empty while nothing is known.
 * The marks are g's: `glyph` on a terminal, `&glyph_unicode` in a file.
 */
void format_footer(
    const struct glyphs *g, const struct app_exchange *ex, char *out, size_t n);

/*
 * format_decision_json: the router's table for a reply as JSON: model (null
 * when nothing fits), pinned, candidates [{model, quality, cost_usd,
 * latency_ms, uncertainty, score, excluded (a reason, or null), winner}].  The caller frees it with cJSON_Delete().
 */
cJSON *format_decision_json(const struct app_exchange *ex);

/*
 * format_decision_table: the router's table of ex's candidates, as /why
 * and `mixchat route` print it, appended to b: a header row, then one row
 * per candidate (quality, cost, latency, uncertainty, score; the winner
 * marked with glyph->winner, a model ruled out said in words).  Rows keep
 * within width columns when they can: the uncertainty, then the latency,
 * give way.  The model column is as wide as the longest id, to 40 (longer
 * ones cut with the ellipsis).
 */
int format_decision_table(
    const struct app_exchange *ex, size_t width, struct buf *b) MC_WUR;
/* format_exclusion: why a candidate was not one (its excluded reason), in
 * the user's words. */
const char *format_exclusion(const struct app_exchange *ex, const char *reason);

/*
 * format_reply_link: from a stored reply's decision JSON (NULL allowed),
 * the seq of the user message it answers (*reply_to, 0 when it does not
 * say: older records), whether it is a re-ask (*reask: 1, 0, or -1 when
 * it does not say) and, when pinned is not NULL, whether a pinned model
 * answered (/model NAME).  MC_ERR_NOTFOUND when there is no decision.
 */
int format_reply_link(
    const char *decision_json, uint32_t *reply_to, int *reask, bool *pinned);
/* format_reply_link_tree: the same from a decision already parsed (NULL:
 * none). */
void format_reply_link_tree(const cJSON *d, uint32_t *reply_to, int *reask);

/*
 * format_conversation_md: a stored conversation as Markdown, appended to
 * b: its title, a line with its number, name, start and message count,
 * then each message under a heading (`You · 14:02:11`, or the reply's
 * footer with its reply id and rating; a re-ask is marked, and one asked
 * after later turns says which message it answers).  Headings in a
 * message's text (outside fenced code) are two levels down, at most
 * "######", so none reads as a message's.  What `mixchat export` prints
 * and the chat's /export writes.  MC_ERR_LIMIT when b is full.
 */
int format_conversation_md(const struct store_session *ss,
    const struct store_message *list, size_t n, struct buf *b) MC_WUR;
/*
 * format_conversation_json: the same conversation as one JSON object
 * (its session, then each message with its id, role and text and, for a
 * reply, its model, cost, timings, tokens, rating, error and the router's
 * decision), ending in a newline, appended to b: what `mixchat export
 * --format json` prints and the chat's /export writes to a .json file.
 * MC_ERR_LIMIT when b is full.
 */
int format_conversation_json(const struct store_session *ss,
    const struct store_message *list, size_t n, struct buf *b) MC_WUR;

#endif
