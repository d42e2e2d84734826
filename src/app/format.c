/*
 * format.c - numbers for people (see format.h).
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/format.h"
#include "util/glyph.h"
#include "util/json.h"
#include "util/utf8.h"

void
format_usd(double usd, char *out, size_t n)
{
	/* Nothing to count (a negative, or NaN from a provider's absurd
	 * figures) is $0; an amount below what 15 decimals show too. */
	if (!(usd >= 1e-15))
		usd = 0;
	if (usd == 0)
		snprintf(out, n, "$0");
	else if (!isfinite(usd))
		snprintf(out, n, "$inf");
	else if (usd >= 1)
		snprintf(out, n, "$%.2f", usd);
	else if (usd >= 0.01)
		snprintf(out, n, "$%.4f", usd);
	else if (usd >= 0.000001)
		snprintf(out, n, "$%.6f", usd);
	else {
		/* Two figures, never "$1e-07": a budget of a tenth of a
		 * microdollar reads $0.0000001. */
		int decimals = (int)ceil(-log10(usd)) + 1;

		snprintf(out, n, "$%.*f", decimals > 15 ? 15 : decimals, usd);
	}
	/* $0.000420 -> $0.00042, $0.2000 -> $0.20: trailing zeros go, but
	 * two decimals stay. */
	if (strchr(out, '.') != NULL && strchr(out, 'e') == NULL && usd < 1) {
		size_t len = strlen(out);
		size_t keep = (size_t)(strchr(out, '.') - out) + 3;

		while (len > keep && out[len - 1] == '0')
			out[--len] = '\0';
	}
}

void
format_usd_under(double usd, double limit, char *out, size_t n)
{
	char lim[32];
	double scale;
	int decimals;
	size_t len, keep;

	format_usd(usd, out, n);
	format_usd(limit, lim, sizeof lim);
	if (!(usd > 0 && usd < limit) || strcmp(out, lim) != 0 ||
	    usd < 0.000001)
		return;
	/* Cut, not rounded, at the decimals format_usd gives an amount of
	 * this size (not the limit's, whose zeros it trimmed: $0.01 would
	 * cut $0.0099999 to $0.00): under the limit, it reads under it. */
	decimals = usd >= 1 ? 2 : usd >= 0.01 ? 4 : 6;
	scale = pow(10, decimals);
	snprintf(out, n, "$%.*f", decimals, floor(usd * scale) / scale);
	len = strlen(out);
	keep = (size_t)(strchr(out, '.') - out) + 3;
	while (usd < 1 && len > keep && out[len - 1] == '0')
		out[--len] = '\0';
}

void
format_ms(double ms, char *out, size_t n)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000)
		snprintf(out, n, "%.0f ms", ms);
	else if (ms < 60000)
		snprintf(out, n, "%.1f s", ms / 1000);
	else
		snprintf(out, n, "%d min %d s", (int)(ms / 60000),
		    (int)(ms / 1000) % 60);
}

int
format_no_reply(const struct glyphs *g, const char *model, double latency_ms,
    char *out, size_t n)
{
	char total[32];

	format_ms(latency_ms, total, sizeof total);
	return snprintf(out, n, "%s%sno reply (%s)", model, g->sep, total);
}

void
format_url_public(const char *url, char *out, size_t n)
{
	const char *host = strstr(url, "://"), *auth_end, *end, *at = NULL, *p;

	host = host != NULL ? host + 3 : url;
	/* user:pass@ can only be in the authority (up to the first '/',
	 * '?' or '#'); a password may hold '@' itself, so the last one. */
	auth_end = host + strcspn(host, "/?#");
	for (p = host; p < auth_end; p++)
		if (*p == '@')
			at = p;
	end = host + strcspn(host, "?#");
	if (at != NULL)
		host = at + 1;
	snprintf(out, n, "%.*s%.*s",
	    (int)(strstr(url, "://") != NULL ? strstr(url, "://") + 3 - url
	                                     : 0),
	    url, (int)(end - host), host);
}

void
format_footer(
    const struct glyphs *g, const struct app_exchange *ex, char *out, size_t n)
{
	char cost[32], total[32], first[96], wait[32], speed[48];
	double secs, rate;

	out[0] = '\0';
	if (ex->model == NULL)
		return;
	if (ex->state == REPLY_PENDING || ex->state == REPLY_STREAMING) {
		snprintf(out, n, "%s%s%s", ex->model, g->sep, g->ellipsis);
		return;
	}
	if ((ex->state == REPLY_ERROR || ex->state == REPLY_CANCELLED) &&
	    ex->reply_len == 0 && ex->tokens_out <= 0) {
		/* Nothing came back: no speed or token count to report. */
		format_no_reply(g, ex->model, ex->latency_ms, out, n);
		return;
	}
	if (ex->latency_ms <= 0 && ex->tokens_out <= 0) {
		/* Kept from a draft after mixchat ended mid-reply: nothing
		 * was timed, counted or billed; zeros would be made up. */
		snprintf(
		    out, n, "%s%s%s", ex->model, g->sep, FORMAT_UNMEASURED);
		return;
	}
	format_ms(ex->latency_ms, total, sizeof total);
	format_usd(ex->cost_usd, cost, sizeof cost);
	if (ex->state == REPLY_DONE && ex->reply_len == 0 &&
	    ex->tokens_out <= 0) {
		/* Billed, but nothing to read or time. */
		snprintf(out, n, "%s%s%s%s%s%san empty reply", ex->model,
		    g->sep, cost, g->sep, total, g->sep);
		return;
	}
	format_ms(ex->ttft_ms, first, sizeof first);
	/* Waiting out a 429 or a 5xx is said apart: it is not the model's
	 * first token. */
	if (ex->wait_ms >= 1) {
		format_ms(ex->wait_ms, wait, sizeof wait);
		snprintf(first + strlen(first), sizeof first - strlen(first),
		    ", after %s of retries", wait);
	}
	/* The speed of the answer, not of the waits before it. */
	secs = (ex->latency_ms - (ex->wait_ms > 0 ? ex->wait_ms : 0)) / 1000.0;
	rate = secs > 0 ? ex->tokens_out / secs : 0.0;
	/* A slow trickle keeps a decimal ("0.2 tok/s", not "0 tok/s"); a
	 * rate that is 0 even so is left out. */
	if (rate >= 0.95)
		snprintf(speed, sizeof speed, "%s%.0f tok/s", g->sep, rate);
	else if (rate >= 0.05)
		snprintf(speed, sizeof speed, "%s%.1f tok/s", g->sep, rate);
	else
		speed[0] = '\0';
	snprintf(out, n, "%s%s%s%s%s (first token %s)%s%s%d tok%s", ex->model,
	    g->sep, cost, g->sep, total, first, g->sep,
	    ex->tokens_estimated ? "~" : "", ex->tokens_out, speed);
}

cJSON *
format_decision_json(const struct app_exchange *ex)
{
	cJSON *d = cJSON_CreateObject(), *list, *c;
	size_t i;

	if (ex->model != NULL)
		cJSON_AddStringToObject(d, "model", ex->model);
	else
		cJSON_AddNullToObject(d, "model");
	cJSON_AddBoolToObject(d, "pinned", ex->pinned);
	list = cJSON_AddArrayToObject(d, "candidates");
	for (i = 0; i < ex->ncandidates; i++) {
		const struct app_candidate *a = &ex->candidates[i];

		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "model", a->model);
		cJSON_AddNumberToObject(c, "quality", a->quality);
		cJSON_AddNumberToObject(c, "cost_usd", a->cost_usd);
		cJSON_AddNumberToObject(c, "latency_ms", a->latency_ms);
		cJSON_AddNumberToObject(c, "uncertainty", a->uncertainty);
		cJSON_AddNumberToObject(c, "score", a->score);
		if (a->excluded != NULL)
			cJSON_AddStringToObject(c, "excluded", a->excluded);
		else
			cJSON_AddNullToObject(c, "excluded");
		cJSON_AddBoolToObject(c, "winner", (int)i == ex->winner);
		cJSON_AddItemToArray(list, c);
	}
	return d;
}

/* ------------------------------------------------------------------ */
/* A stored conversation in Markdown (format_conversation_md). */

static void
fmt_time(char *buf, size_t size, int64_t ms, bool clock_only)
{

	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    (clock_only ? strftime(buf, size, "%H:%M:%S", &tm)
	                : strftime(buf, size, "%Y-%m-%d %H:%M", &tm)) == 0)
		snprintf(buf, size, "?");
}

/* reply_footer: "model · $cost · 1.3 s (first token 310 ms) · N tok", or
 * "model · no reply (8 ms)" when nothing came back, or "not sent · TIME"
 * for a message refused before any model was asked; the model marked
 * "(pinned)" or "(re-ask)" as the chat's footer marks it. */
static void
reply_footer(const struct store_message *m, bool reask, bool pinned, char *buf,
    size_t size)
{
	char id[STORE_REPLY_ID_MAX], total[32], first[96], wait[32],
	    who[STORE_MODEL_MAX + 16];
	bool none = m->error != NULL &&
	            (m->text == NULL || m->text[0] == '\0') &&
	            m->tokens_out <= 0;
	bool unmeasured = m->latency_ms <= 0 && m->tokens_out <= 0;
	int len;

	if (m->model == NULL && none) {
		/* Refused before it was sent (the chat keeps it so): no model
		 * was asked, nothing spent or timed, no reply to rate. */
		fmt_time(total, sizeof total, m->created_ms, true);
		snprintf(buf, size, "not sent · %s", total);
		return;
	}
	store_reply_id_format(m->session, m->seq, id, sizeof id);
	snprintf(who, sizeof who, "%s%s", m->model ? m->model : "?",
	    pinned  ? " (pinned)"
	    : reask ? " (re-ask)"
	            : "");
	if (none)
		len = format_no_reply(
		    &glyph_unicode, who, m->latency_ms, buf, size);
	else if (unmeasured)
		len = snprintf(buf, size, "%s · %s", who, FORMAT_UNMEASURED);
	else {
		/* The chat's figure: the same cost reads the same. */
		char cost[32];

		format_usd(m->cost_usd, cost, sizeof cost);
		len = snprintf(buf, size, "%s · %s", who, cost);
	}
	/* The chat's units: "14 ms", "1.3 s". */
	format_ms(m->latency_ms, total, sizeof total);
	format_ms(m->ttft_ms, first, sizeof first);
	/* As the chat's footer says it. */
	if (m->wait_ms >= 1) {
		format_ms(m->wait_ms, wait, sizeof wait);
		snprintf(first + strlen(first), sizeof first - strlen(first),
		    ", after %s of retries", wait);
	}
	if (!none && m->latency_ms > 0 && len > 0 && (size_t)len < size)
		len += snprintf(buf + len, size - (size_t)len,
		    " · %s (first token %s)", total, first);
	if (m->tokens_out > 0 && len > 0 && (size_t)len < size)
		len += snprintf(buf + len, size - (size_t)len, " · %s%d tok",
		    m->tokens_estimated ? "~" : "", m->tokens_out);
	if (len > 0 && (size_t)len < size)
		len +=
		    snprintf(buf + len, size - (size_t)len, " · reply %s", id);
	if (m->rating > 0 && len > 0 && (size_t)len < size)
		snprintf(
		    buf + len, size - (size_t)len, " · rated %d/5", m->rating);
}

void
format_reply_link_tree(const cJSON *d, uint32_t *reply_to, int *reask)
{
	double v;

	*reply_to = 0;
	*reask = -1;
	if (d == NULL)
		return;
	v = json_get_number(d, "reply_to", 0);
	if (!(v >= 1 && v <= UINT32_MAX))
		v = json_get_number(d, "reask_of", 0); /* an early form */
	if (v >= 1 && v <= UINT32_MAX)
		*reply_to = (uint32_t)v;
	if (cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(d, "reask")))
		*reask = json_get_bool(d, "reask", false);
	else if (cJSON_GetObjectItemCaseSensitive(d, "reask_of") != NULL)
		*reask = 1;
}

int
format_reply_link(
    const char *decision_json, uint32_t *reply_to, int *reask, bool *pinned)
{
	cJSON *d = NULL;
	char *cause = NULL;

	if (pinned != NULL)
		*pinned = false;
	if (decision_json == NULL ||
	    json_parse(decision_json, strlen(decision_json), JSON_MAX_DEFAULT,
	        false, "decision", &d, &cause) != MC_OK) {
		free(cause);
		format_reply_link_tree(NULL, reply_to, reask);
		return MC_ERR_NOTFOUND;
	}
	format_reply_link_tree(d, reply_to, reask);
	if (pinned != NULL)
		*pinned = json_get_bool(d, "pinned", false);
	cJSON_Delete(d);
	return MC_OK;
}

const char *
format_exclusion(const struct app_exchange *ex, const char *reason)
{
	if (strcmp(reason, "skipped") == 0 && ex->reask)
		return "already answered this message";
	if (strcmp(reason, "unreachable") == 0)
		return "its server did not answer just now";
	if (strcmp(reason, "failed") == 0)
		return "it failed just now (a server error)";
	if (strcmp(reason, "no answer") == 0)
		return "it did not answer just now";
	if (strcmp(reason, "key refused") == 0)
		return "its provider refused the key";
	if (strcmp(reason, "access refused") == 0)
		return "its server refused access (HTTP 401)";
	if (strcmp(reason, "no access") == 0)
		return "its provider refused it to this key (HTTP 403)";
	if (strcmp(reason, "no such model") == 0)
		return "its provider has no such model (HTTP 404)";
	return reason;
}

#define TABLE_MODEL_COLS 40

/* s in exactly cols display columns: padded, or cut with the ellipsis. */
static int
table_cell(struct buf *b, const char *s, size_t cols)
{
	size_t n = strlen(s), used = 0, fit,
	       ew = utf8_width(glyph->ellipsis, strlen(glyph->ellipsis));

	if (utf8_width(s, n) <= cols) {
		fit = utf8_fit(s, n, cols, &used);
		return buf_printf(
		    b, "%.*s%*s", (int)fit, s, (int)(cols - used), "");
	}
	fit = utf8_fit(s, n, cols > ew ? cols - ew : 0, &used);
	return buf_printf(b, "%.*s%s%*s", (int)fit, s, glyph->ellipsis,
	    (int)(cols > used + ew ? cols - used - ew : 0), "");
}

/* s right-aligned in cols display columns ("±" is two bytes, one
 * column). */
static int
table_right(struct buf *b, const char *s, size_t cols)
{
	size_t w = utf8_width(s, strlen(s));

	return buf_printf(b, "%*s%s", (int)(cols > w ? cols - w : 0), "", s);
}

int
format_decision_table(
    const struct app_exchange *ex, size_t width, struct buf *b)
{
	const struct app_candidate *c;
	char cost[32], lat[32], num[32];
	size_t i, w, mw = 5;
	bool show_lat, show_pm;
	int rc;

	for (i = 0; i < ex->ncandidates; i++) {
		w = utf8_width(
		    ex->candidates[i].model, strlen(ex->candidates[i].model));
		if (w > mw)
			mw = w;
	}
	if (mw > TABLE_MODEL_COLS)
		mw = TABLE_MODEL_COLS;
	/* A row: 4 + model + 27, + 10 with the latency, + 7 with the ±. */
	show_lat = mw + 41 <= width;
	show_pm = mw + 48 <= width;
	rc = buf_printf(b, "    ");
	if (rc == MC_OK)
		rc = table_cell(b, "model", mw);
	if (rc == MC_OK)
		rc = buf_printf(b, " %7s %10s", "quality", "cost");
	if (rc == MC_OK && show_lat)
		rc = buf_printf(b, " %9s", "latency");
	if (rc == MC_OK && show_pm)
		rc = buf_printf(b, " ");
	if (rc == MC_OK && show_pm)
		rc = table_right(b, glyph->pm, 6);
	if (rc == MC_OK)
		rc = buf_printf(b, " %7s\n", "score");
	for (i = 0; i < ex->ncandidates && rc == MC_OK; i++) {
		c = &ex->candidates[i];
		rc = buf_printf(b, "  %s ",
		    (int)i == ex->winner && c->excluded == NULL ? glyph->winner
		                                                : " ");
		if (rc == MC_OK)
			rc = table_cell(b, c->model, mw);
		if (rc == MC_OK && c->excluded != NULL) {
			rc = buf_printf(b, "  not a candidate: %s\n",
			    format_exclusion(ex, c->excluded));
			continue;
		}
		format_usd(c->cost_usd, cost, sizeof cost);
		format_ms(c->latency_ms, lat, sizeof lat);
		if (rc == MC_OK)
			rc = buf_printf(b, " %7.3f %10s", c->quality, cost);
		if (rc == MC_OK && show_lat)
			rc = buf_printf(b, " %9s", lat);
		if (rc == MC_OK && show_pm) {
			snprintf(num, sizeof num, "%.3f", c->uncertainty);
			rc = buf_printf(b, " %6s", num);
		}
		if (rc == MC_OK)
			rc = buf_printf(b, " %7.3f\n", c->score);
	}
	return rc;
}

/* Whether s[0..len) is nothing but blanks (spaces, tabs, line ends). */
static bool
md_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (strchr(" \t\r\n", s[i]) == NULL)
			return false;
	return true;
}

/*
 * The level of a setext underline ("===" 1, "---" 2: at most three spaces
 * before, nothing but spaces after) at line[0..len), or 0.
 */
static int
md_setext_level(const char *line, size_t len)
{
	size_t p = 0, k;

	while (p < len && p < 4 && line[p] == ' ')
		p++;
	if (p > 3 || p == len || (line[p] != '=' && line[p] != '-'))
		return 0;
	for (k = p; k < len && line[k] == line[p]; k++)
		;
	if (!md_blank(line + k, len - k))
		return 0;
	return line[p] == '=' ? 1 : 2;
}

/*
 * Whether line[0..len) is a line of a paragraph, which an underline below
 * it makes a heading: not blank, not indented code, not a list item, a
 * quote, a heading or a fence.
 */
static bool
md_paragraph_line(const char *line, size_t len)
{
	size_t p = 0;

	while (p < len && p < 4 && line[p] == ' ')
		p++;
	if (p > 3 || md_blank(line + p, len - p))
		return false;
	if (strchr("#>`~|", line[p]) != NULL)
		return false;
	if (strchr("-*+", line[p]) != NULL && p + 1 < len &&
	    (line[p + 1] == ' ' || line[p + 1] == '\t'))
		return false;
	while (p < len && line[p] >= '0' && line[p] <= '9')
		p++;
	return !(p + 1 < len && (line[p] == '.' || line[p] == ')') &&
	         line[p - 1] >= '0' && line[p - 1] <= '9' &&
	         (line[p + 1] == ' ' || line[p + 1] == '\t'));
}

/*
 * A message's text into b, its ATX headings ("# x" .. "###### x", at most
 * three spaces before) two levels down, at most "######": each message is
 * under a "## " heading, and a reply's own "## Section" must not read as
 * the next message.  A setext heading (a line underlined with "===" or
 * "---") becomes the ATX heading two levels below its own ("### x",
 * "#### x").  Lines in fenced code (``` or ~~~, closed by a fence of the
 * same mark at least as long) are left as they are; a fence the message
 * leaves open is closed at its end.
 */
static int
md_body(struct buf *b, const char *text)
{
	const char *line = text, *end;
	size_t fence = 0, len, p, h, k;
	char mark = '\0';
	int rc = MC_OK;

	for (; rc == MC_OK && *line != '\0'; line = end) {
		end = line + strcspn(line, "\n");
		if (*end == '\n')
			end++;
		len = (size_t)(end - line);
		for (p = 0; p < len && p < 4 && line[p] == ' '; p++)
			;
		if (p <= 3 && p < len && (line[p] == '`' || line[p] == '~')) {
			for (k = p; k < len && line[k] == line[p]; k++)
				;
			if (k - p >= 3 && fence == 0 &&
			    (line[p] == '~' ||
			        memchr(line + k, '`', len - k) == NULL)) {
				/* An opening fence ("```c"). */
				fence = k - p;
				mark = line[p];
			} else if (fence != 0 && line[p] == mark &&
			           k - p >= fence &&
			           md_blank(line + k, len - k))
				fence = 0;
			rc = buf_add(b, line, len);
			continue;
		}
		/* A line underlined: one heading, the underline gone. */
		if (fence == 0 && *end != '\0' &&
		    md_paragraph_line(line, len)) {
			const char *next_end = end + strcspn(end, "\n");
			int level =
			    md_setext_level(end, (size_t)(next_end - end));

			if (level > 0) {
				size_t tlen = len;

				while (tlen > p && strchr(" \t\r\n",
				                       line[tlen - 1]) != NULL)
					tlen--;
				rc = buf_printf(b, "%s %.*s\n",
				    level == 1 ? "###" : "####",
				    (int)(tlen - p), line + p);
				end =
				    *next_end == '\n' ? next_end + 1 : next_end;
				continue;
			}
		}
		for (h = 0; p + h < len && line[p + h] == '#'; h++)
			;
		if (fence == 0 && p <= 3 && h >= 1 && h <= 6 &&
		    (p + h == len || line[p + h] == ' ' ||
		        line[p + h] == '\t' || line[p + h] == '\r' ||
		        line[p + h] == '\n')) {
			rc = buf_add(b, line, p);
			if (rc == MC_OK)
				rc = buf_add(b, "##", h + 2 > 6 ? 6 - h : 2);
			if (rc == MC_OK)
				rc = buf_add(b, line + p, len - p);
		} else
			rc = buf_add(b, line, len);
	}
	/* A fence still open (a reply cut off inside code, half a snippet
	 * pasted) is closed here: the messages after it would read as code,
	 * and the file could no longer be split into its messages. */
	if (rc == MC_OK && fence != 0) {
		if (b->len > 0 && b->data[b->len - 1] != '\n')
			rc = buf_add(b, "\n", 1);
		while (rc == MC_OK && fence-- > 0)
			rc = buf_add(b, &mark, 1);
	}
	return rc;
}

int
format_conversation_md(const struct store_session *ss,
    const struct store_message *list, size_t n, struct buf *b)
{
	char when[64], footer[512];
	size_t i;
	int rc;

	rc = buf_printf(
	    b, "# %s\n\n", ss->title ? ss->title : "Untitled conversation");
	fmt_time(when, sizeof when, ss->created_ms, false);
	if (rc == MC_OK)
		rc = buf_printf(b,
		    "Session %" PRIu64 "%s%s · started %s · %lu message%s\n",
		    ss->id, ss->name ? " · " : "", ss->name ? ss->name : "",
		    when, (unsigned long)n, n == 1 ? "" : "s");
	for (i = 0; i < n && rc == MC_OK; i++) {
		const struct store_message *m = &list[i];

		fmt_time(when, sizeof when, m->created_ms, true);
		if (m->role == STORE_ROLE_ASSISTANT) {
			const struct store_message *of = NULL;
			uint32_t reply_to;
			int reask;
			bool pinned;
			size_t k, last_user = n;

			(void)format_reply_link(
			    m->decision_json, &reply_to, &reask, &pinned);
			for (k = 0; k < i; k++)
				if (list[k].role == STORE_ROLE_USER) {
					last_user = k;
					if (list[k].seq == reply_to)
						of = &list[k];
				}
			/* A second reply to a message is a re-ask (older
			 * records say so by their place only). */
			if (reask < 0)
				reask = i > 0 && list[i - 1].role ==
				                     STORE_ROLE_ASSISTANT;
			reply_footer(m, reask, pinned, footer, sizeof footer);
			rc = buf_printf(b, "\n## %s\n\n", footer);
			/* It answers an earlier message than the last one (a
			 * late re-ask, or two mixchats in one conversation):
			 * say which. */
			if (rc == MC_OK && of != NULL && of != &list[last_user])
				rc = buf_printf(b, "> %s: %.*s\n\n",
				    reask ? "asked again" : "in reply to",
				    (int)strcspn(of->text, "\n"), of->text);
		} else
			rc = buf_printf(b, "\n## %s · %s\n\n",
			    m->role == STORE_ROLE_USER ? "You" : "System",
			    when);
		/* A reply with no text is its error line alone. */
		if (rc == MC_OK && m->error != NULL && m->text[0] == '\0')
			rc = buf_printf(b, "> error: %s\n", m->error);
		else {
			if (rc == MC_OK)
				rc = md_body(b, m->text);
			if (rc == MC_OK)
				rc = buf_add(b, "\n", 1);
			if (rc == MC_OK && m->error != NULL)
				rc = buf_printf(b, "\n> error: %s\n", m->error);
		}
	}
	return rc;
}

const char *
format_think_block(
    const char *text, size_t n, size_t *len, size_t *skip, bool *closed)
{
	static const char open[] = "<think>", close[] = "</think>";
	size_t i = 0, start, end, after;

	*len = 0;
	*skip = 0;
	*closed = false;
	while (i < n && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' ||
	                    text[i] == '\t'))
		i++;
	if (n - i < sizeof open - 1 ||
	    memcmp(text + i, open, sizeof open - 1) != 0)
		return NULL;
	start = i + sizeof open - 1;
	for (end = start; end + sizeof close - 1 <= n; end++)
		if (memcmp(text + end, close, sizeof close - 1) == 0)
			break;
	if (end + sizeof close - 1 > n) {
		end = n;
		after = n;
	} else {
		after = end + sizeof close - 1;
		*closed = true;
	}
	while (after < n && (text[after] == '\n' || text[after] == '\r' ||
	                        text[after] == ' ' || text[after] == '\t'))
		after++;
	while (start < end && (text[start] == '\n' || text[start] == '\r' ||
	                          text[start] == ' '))
		start++;
	while (end > start && (text[end - 1] == '\n' || text[end - 1] == '\r' ||
	                          text[end - 1] == ' '))
		end--;
	*len = end - start;
	*skip = after;
	return text + start;
}

/* The role as the JSON export names it. */
static const char *
message_role_name(int role)
{
	switch (role) {
	case STORE_ROLE_USER:
		return "user";
	case STORE_ROLE_ASSISTANT:
		return "assistant";
	default:
		return "system";
	}
}

int
format_conversation_json(const struct store_session *ss,
    const struct store_message *list, size_t n, struct buf *b)
{
	cJSON *root = cJSON_CreateObject(), *sj, *arr, *o, *dec;
	char id[STORE_REPLY_ID_MAX], *text, *cause = NULL;
	size_t i;
	int rc;

	sj = cJSON_AddObjectToObject(root, "session");
	cJSON_AddNumberToObject(sj, "id", (double)ss->id);
	if (ss->name)
		cJSON_AddStringToObject(sj, "name", ss->name);
	else
		cJSON_AddNullToObject(sj, "name");
	if (ss->title)
		cJSON_AddStringToObject(sj, "title", ss->title);
	else
		cJSON_AddNullToObject(sj, "title");
	cJSON_AddNumberToObject(sj, "created_ms", (double)ss->created_ms);
	cJSON_AddNumberToObject(sj, "updated_ms", (double)ss->updated_ms);
	arr = cJSON_AddArrayToObject(root, "messages");
	for (i = 0; i < n; i++) {
		const struct store_message *m = &list[i];

		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		store_reply_id_format(m->session, m->seq, id, sizeof id);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddNumberToObject(o, "seq", m->seq);
		cJSON_AddStringToObject(o, "role", message_role_name(m->role));
		cJSON_AddStringToObject(o, "text", m->text);
		cJSON_AddNumberToObject(o, "created_ms", (double)m->created_ms);
		if (m->role != STORE_ROLE_ASSISTANT)
			continue;
		if (m->model)
			cJSON_AddStringToObject(o, "model", m->model);
		else
			cJSON_AddNullToObject(o, "model");
		cJSON_AddNumberToObject(o, "cost_usd", m->cost_usd);
		/* Not measured (no text came, or kept from a draft after
		 * mixchat ended): null, not a made-up 0. */
		if (m->ttft_ms > 0 || (m->latency_ms > 0 && m->text != NULL &&
		                          m->text[0] != '\0'))
			cJSON_AddNumberToObject(o, "ttft_ms", m->ttft_ms);
		else
			cJSON_AddNullToObject(o, "ttft_ms");
		if (m->latency_ms > 0)
			cJSON_AddNumberToObject(o, "latency_ms", m->latency_ms);
		else
			cJSON_AddNullToObject(o, "latency_ms");
		cJSON_AddNumberToObject(o, "wait_ms", m->wait_ms);
		cJSON_AddNumberToObject(o, "tokens_in", m->tokens_in);
		cJSON_AddNumberToObject(o, "tokens_out", m->tokens_out);
		cJSON_AddBoolToObject(
		    o, "tokens_estimated", m->tokens_estimated);
		if (m->rating > 0)
			cJSON_AddNumberToObject(o, "rating", m->rating);
		else
			cJSON_AddNullToObject(o, "rating");
		if (m->error)
			cJSON_AddStringToObject(o, "error", m->error);
		dec = NULL;
		if (m->decision_json != NULL &&
		    json_parse(m->decision_json, strlen(m->decision_json),
		        JSON_MAX_DEFAULT, false, "decision", &dec,
		        &cause) == MC_OK)
			cJSON_AddItemToObject(o, "decision", dec);
		free(cause);
		cause = NULL;
	}
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (text == NULL)
		return MC_ERR_LIMIT;
	rc = buf_addstr(b, text);
	if (rc == MC_OK)
		rc = buf_addch(b, '\n');
	free(text);
	return rc;
}
