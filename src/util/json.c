/*
 * json.c - size-capped JSON parsing with comments and located errors.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/xmalloc.h"

/* json_strip_comments(), setting *open to where an unterminated block
 * comment begins. */
static int
strip_comments(char *t, size_t len, size_t *open)
{
	size_t i = 0;
	int in_str = 0;

	while (i < len) {
		if (in_str) {
			if (t[i] == '\\' && i + 1 < len)
				i += 2;
			else {
				if (t[i] == '"')
					in_str = 0;
				i++;
			}
			continue;
		}
		if (t[i] == '"') {
			in_str = 1;
			i++;
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '/') {
			while (i < len && t[i] != '\n')
				t[i++] = ' ';
		} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
			*open = i;
			t[i++] = ' ';
			t[i++] = ' ';
			for (;;) {
				if (i >= len)
					return MC_ERR_PARSE;
				if (t[i] == '*' && i + 1 < len &&
				    t[i + 1] == '/') {
					t[i++] = ' ';
					t[i++] = ' ';
					break;
				}
				if (t[i] != '\n')
					t[i] = ' ';
				i++;
			}
		} else
			i++;
	}
	return MC_OK;
}

int
json_strip_comments(char *t, size_t len)
{
	size_t open;

	return strip_comments(t, len, &open);
}

static void
json_position(const char *text, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80)
			(*col)++; /* characters, not UTF-8's bytes */
	}
}

/* Whether name ends in ":<digits>" (a caller that named the line). */
static bool
named_with_line(const char *name)
{
	const char *c = strrchr(name, ':');

	return c != NULL && c[1] != '\0' &&
	       c[1 + strspn(c + 1, "0123456789")] == '\0';
}

/*
 * What went wrong at off, in words, for the usual slips of a file typed
 * by hand: a comma after the last item, a comma left out, a value cut
 * short; else the character found there.  Writes into out.
 */
static void
json_what(const char *s, size_t len, size_t off, char *out, size_t n)
{
	size_t p = off, q;
	char c, before = 0, next;
	bool opens;

	while (p > 0) {
		before = s[p - 1];
		if (!isspace((unsigned char)before))
			break;
		p--;
		before = 0;
	}
	while (off < len && isspace((unsigned char)s[off]))
		off++;
	c = off < len ? s[off] : '\0';
	for (q = off + 1; q < len && isspace((unsigned char)s[q]); q++)
		;
	next = q < len ? s[q] : '\0';
	/* before, a quote that opens a string (after ':', ',', '[', '{'
	 * or nothing), not one that closes it (`{"a" 1}`: a colon left
	 * out). */
	opens = false;
	if (before == '"') {
		size_t b = p - 1;

		while (b > 0 && isspace((unsigned char)s[b - 1]))
			b--;
		opens = b == 0 || strchr(":,[{", s[b - 1]) != NULL;
	}
	if ((c == '"' || opens) &&
	    memchr(s + off + (c == '"'), '"', len - off - (c == '"')) == NULL)
		snprintf(out, n,
		    "a string that is not closed (a '\"' "
		    "missing?)");
	else if (c == ',' && (next == '}' || next == ']'))
		snprintf(out, n,
		    "a comma before '%c' (JSON allows none after "
		    "the last item)",
		    next);
	else if (c == ',' && before == ',')
		snprintf(out, n, "two commas in a row");
	else if (before == '"' && strchr(":,}]", c) == NULL)
		snprintf(out, n, "a ':' or ',' missing before '%c'", c);
	else if (c == '\'' || before == '\'')
		snprintf(out, n, "a string in single quotes (JSON takes '\"')");
	else if (c == '\0')
		snprintf(out, n,
		    "it ends before the value does (a '}', ']' "
		    "or '\"' missing?)");
	else if (before == ',' && (c == '}' || c == ']'))
		snprintf(out, n,
		    "a comma before '%c' (JSON allows none after "
		    "the last item)",
		    c);
	else if (c == '"' && before != 0 && strchr("}]\"0123456789el", before))
		snprintf(out, n, "a comma missing before '\"'");
	else if (isalpha((unsigned char)c))
		snprintf(out, n,
		    "unexpected '%c' (a string needs '\"'; the words "
		    "JSON knows are true, false and null)",
		    c);
	else if (isprint((unsigned char)c))
		snprintf(out, n, "unexpected '%c'", c);
	else
		snprintf(out, n, "unexpected byte 0x%02x", (unsigned char)c);
}

/*
 * The first comma in s, at or before limit, that only white space (and
 * comments, already blanked) separates from a '}' or ']': where cJSON stops
 * on one is often past it (at the bracket, at a later comma, at the end),
 * so a comma after the last item is looked for by itself.  Returns its
 * offset and sets *close, or returns len when there is none.
 */
static size_t
json_trailing_comma(const char *s, size_t len, size_t limit, char *close)
{
	size_t i, q;
	bool in_str = false;

	for (i = 0; i < len && i <= limit; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = false;
			continue;
		}
		if (s[i] == '"')
			in_str = true;
		if (s[i] != ',')
			continue;
		for (q = i + 1; q < len && isspace((unsigned char)s[q]); q++)
			;
		if (q < len && (s[q] == '}' || s[q] == ']')) {
			*close = s[q];
			return i;
		}
	}
	return len;
}

/*
 * A number as cJSON reads one (strtod()'s decimal form, from '-' or a
 * digit) at s[i]: returns how many bytes it takes (0: none), or sets *cut
 * when the text ends where the number could still go on.
 */
static size_t
cut_number(const char *s, size_t len, size_t i, bool *cut)
{
	size_t start = i, end, digits = 0;

	if (s[i] == '-')
		i++;
	for (; i < len && isdigit((unsigned char)s[i]); i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && isdigit((unsigned char)s[i]); i++)
			digits++;
	if (i == len) {
		*cut = true;
		return i - start;
	}
	if (digits == 0)
		return 0;
	end = i;
	if (s[i] == 'e' || s[i] == 'E') {
		if (++i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (digits = 0; i < len && isdigit((unsigned char)s[i]); i++)
			digits++;
		if (i == len)
			*cut = true;
		if (digits > 0)
			end = i;
	}
	return end - start;
}

/* The value of four hex digits at s, or -1. */
static long
hex4(const char *s)
{
	long v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		if (!isxdigit((unsigned char)s[k]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)s[k])
		                     ? s[k] - '0'
		                     : tolower((unsigned char)s[k]) - 'a' + 10);
	}
	return v;
}

/*
 * A string as cJSON reads one, from its '"' at s[i]: returns the offset
 * past its closing quote, 0 when an escape in it is one cJSON refuses, or
 * SIZE_MAX when the text ends inside it (in a \u's four digits or a
 * surrogate pair too).
 */
static size_t
cut_string(const char *s, size_t len, size_t i)
{
	size_t k;
	long u;

	for (i++; i < len && s[i] != '"'; i++) {
		if (s[i] != '\\')
			continue;
		if (++i == len)
			return SIZE_MAX;
		if (strchr("bfnrt\"\\/", s[i]) != NULL && s[i] != '\0')
			continue;
		if (s[i] != 'u')
			return 0;
		for (k = 1; k < 5 && i + k < len; k++)
			if (!isxdigit((unsigned char)s[i + k]))
				return 0;
		if (k < 5)
			return SIZE_MAX;
		if ((u = hex4(s + i + 1)) < 0 || (u >= 0xdc00 && u <= 0xdfff))
			return 0;
		i += 4;
		if (u < 0xd800 || u > 0xdbff)
			continue;
		/* A high surrogate: a low one (\uDC00 to \uDFFF) follows. */
		for (k = 0; k < 6 && i + 1 + k < len; k++)
			if (!strchr(k == 0   ? "\\"
			            : k == 1 ? "u"
			            : k == 2 ? "dD"
			            : k == 3 ? "cdefCDEF"
			                     : "0123456789abcdefABCDEF",
			        s[i + 1 + k]) ||
			    s[i + 1 + k] == '\0')
				return 0;
		if (k < 6)
			return SIZE_MAX;
		i += 6;
	}
	return i == len ? SIZE_MAX : i + 1;
}

/*
 * Whether s (comments blanked) stops partway through a JSON value with
 * nothing wrong before its end: a line cut short.  cJSON names the last
 * token it read there ("nu", the last '}'), which is not what is wrong, so
 * this is decided by a reading of its own.  Sets *str to the offset of the
 * '"' of a string the text ends in, else to len.
 */
static bool
json_cut_short(const char *s, size_t len, size_t *str)
{
	enum { VALUE, VALUE_OR_END, KEY_OR_END, KEY, COLON, NEXT, DONE } want;
	char open[CJSON_NESTING_LIMIT];
	size_t depth = 0, i = 0, n;
	bool cut = false;

	*str = len;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3; /* a byte order mark, which cJSON skips */
	for (want = VALUE;; i++) {
		while (i < len && (unsigned char)s[i] <= ' ')
			i++; /* cJSON's white space */
		if (i == len)
			return want != DONE;
		if (want == DONE)
			return false;
		if (want == COLON) {
			if (s[i] != ':')
				return false;
			want = VALUE;
			continue;
		}
		if (want == NEXT || want == KEY_OR_END ||
		    want == VALUE_OR_END) {
			if (s[i] == '}' || s[i] == ']') {
				if (s[i] !=
				    (open[depth - 1] == '{' ? '}' : ']'))
					return false;
				depth--;
				want = depth == 0 ? DONE : NEXT;
				continue;
			}
			if (want == NEXT) {
				if (s[i] != ',')
					return false;
				want = open[depth - 1] == '{' ? KEY : VALUE;
				continue;
			}
		}
		if (want == KEY || want == KEY_OR_END) {
			if (s[i] != '"')
				return false;
			if ((n = cut_string(s, len, i)) == 0)
				return false;
			if (n == SIZE_MAX) {
				*str = i;
				return true;
			}
			i = n - 1;
			want = COLON;
			continue;
		}
		/* A value. */
		if (s[i] == '{' || s[i] == '[') {
			if (depth == sizeof open)
				return false; /* too deep for cJSON */
			open[depth++] = s[i];
			want = s[i] == '{' ? KEY_OR_END : VALUE_OR_END;
			continue;
		}
		if (s[i] == '"') {
			if ((n = cut_string(s, len, i)) == 0)
				return false;
			if (n == SIZE_MAX) {
				*str = i;
				return true;
			}
			i = n - 1;
		} else if (s[i] == '-' || isdigit((unsigned char)s[i])) {
			n = cut_number(s, len, i, &cut);
			if (cut)
				return true;
			if (n == 0)
				return false;
			i += n - 1;
		} else {
			static const char *const words[] = { "true", "false",
				"null" };
			size_t k, w;

			for (k = 0; k < 3; k++)
				if (s[i] == words[k][0])
					break;
			if (k == 3)
				return false;
			w = strlen(words[k]);
			n = len - i < w ? len - i : w;
			if (memcmp(s + i, words[k], n) != 0)
				return false;
			if (n < w)
				return true;
			i += w - 1;
		}
		want = depth == 0 ? DONE : NEXT;
	}
}

int
json_parse(const char *text, size_t len, size_t max, bool comments,
    const char *name, cJSON **out, char **cause)
{
	char *copy, what[96];
	const char *end = NULL;
	cJSON *root;
	size_t open;
	int line, col;

	*out = NULL;
	if (len > max) {
		*cause = xasprintf(
		    "%s: too large (%zu bytes, limit %zu)", name, len, max);
		return MC_ERR_LIMIT;
	}
	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (memchr(copy, '\0', len) != NULL) {
		free(copy);
		*cause = xasprintf("%s: contains a NUL byte", name);
		return MC_ERR_PARSE;
	}
	if (comments && strip_comments(copy, len, &open) != MC_OK) {
		/* Where it opens: the text is blanked from there on. */
		json_position(text, open, &line, &col);
		free(copy);
		if (memchr(text, '\n', len) == NULL && named_with_line(name))
			*cause = xasprintf("%s: a /* comment at column %d is "
			                   "not closed (a */ missing?)",
			    name, col);
		else
			*cause = xasprintf("%s:%d:%d: a /* comment is not "
			                   "closed (a */ missing?)",
			    name, line, col);
		return MC_ERR_PARSE;
	}
	root = cJSON_ParseWithLengthOpts(copy, len, &end, 0);
	if (root == NULL) {
		size_t off =
		    end != NULL && end >= copy ? (size_t)(end - copy) : 0;
		size_t comma, str;
		char close = 0;

		if (off > len)
			off = len;
		comma = json_trailing_comma(copy, len, off, &close);
		if (json_cut_short(copy, len, &str)) {
			/* Named at its end (or in the string it ends in),
			 * not at the last token, which is right. */
			if (str < len) {
				off = str + 1;
				snprintf(what, sizeof what,
				    "a string that is not closed (a '\"' "
				    "missing?)");
			} else {
				for (off = len;
				     off > 0 &&
				     isspace((unsigned char)copy[off - 1]);
				     off--)
					;
				snprintf(what, sizeof what,
				    "it ends before the value does (a '}', "
				    "']' or '\"' missing?)");
			}
		} else if (comma < len) {
			off = comma;
			snprintf(what, sizeof what,
			    "a comma before '%c' (JSON allows none after "
			    "the last item)",
			    close);
		} else
			json_what(copy, len, off, what, sizeof what);
		json_position(text, off, &line, &col);
		/* A one-line document already named with its line ("FILE:12",
		 * a JSONL line) gets its column only. */
		if (memchr(copy, '\n', len) == NULL && named_with_line(name))
			*cause = xasprintf("%s: invalid JSON at column %d: %s",
			    name, col, what);
		else
			*cause = xasprintf("%s:%d:%d: invalid JSON: %s", name,
			    line, col, what);
		free(copy);
		return MC_ERR_PARSE;
	}
	/* Only white space may follow the value. */
	if (end != NULL) {
		while (*end != '\0' && isspace((unsigned char)*end))
			end++;
		if (*end != '\0') {
			json_position(text, (size_t)(end - copy), &line, &col);
			if (memchr(copy, '\n', len) == NULL &&
			    named_with_line(name))
				*cause =
				    xasprintf("%s: unexpected text after "
				              "the JSON value at column %d",
				        name, col);
			else
				*cause = xasprintf("%s:%d:%d: unexpected text "
				                   "after the JSON value",
				    name, line, col);
			cJSON_Delete(root);
			free(copy);
			return MC_ERR_PARSE;
		}
	}
	free(copy);
	*out = root;
	return MC_OK;
}

/*
 * A small scanner over (comment-stripped) JSON that follows a path.  It only
 * needs to be right for text cJSON accepted.
 */
struct scan {
	const char *t;
	size_t len, i;
	int line;
};

static void
scan_ws(struct scan *s)
{
	while (s->i < s->len && isspace((unsigned char)s->t[s->i])) {
		if (s->t[s->i] == '\n')
			s->line++;
		s->i++;
	}
}

/* Skip a string starting at '"'; copy up to n-1 bytes of it into out. */
static void
scan_string(struct scan *s, char *out, size_t n)
{
	size_t o = 0;

	s->i++;
	while (s->i < s->len && s->t[s->i] != '"') {
		if (s->t[s->i] == '\\' && s->i + 1 < s->len)
			s->i++;
		if (out != NULL && o + 1 < n)
			out[o++] = s->t[s->i];
		s->i++;
	}
	s->i++;
	if (out != NULL)
		out[o] = '\0';
}

static void
scan_value(struct scan *s)
{
	int depth = 0;

	scan_ws(s);
	do {
		if (s->i >= s->len)
			return;
		switch (s->t[s->i]) {
		case '"':
			scan_string(s, NULL, 0);
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			depth--;
			break;
		case '\n':
			s->line++;
			break;
		case ',':
			if (depth == 0)
				return;
			break;
		}
		s->i++;
	} while (depth > 0 || (s->i < s->len && !strchr(",}]", s->t[s->i])));
}

int
json_locate(const char *text, size_t len, const char *path)
{
	return json_locate_nth(text, len, path, 0);
}

int
json_locate_nth(const char *text, size_t len, const char *path, int nth)
{
	struct scan s;
	char *copy, key[256], want[256];
	const char *p = path;
	size_t n;
	long idx;
	int line = 0;

	copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (json_strip_comments(copy, len) != MC_OK)
		goto out;
	s.t = copy;
	s.len = len;
	s.i = 0;
	s.line = 1;
	for (;;) {
		scan_ws(&s);
		if (*p == '\0') {
			line = s.line;
			break;
		}
		if (*p == '.')
			p++;
		if (*p == '[') {
			char *end;

			idx = strtol(p + 1, &end, 10);
			if (*end != ']' || s.i >= s.len || copy[s.i] != '[')
				break;
			p = end + 1;
			s.i++;
			while (idx-- > 0) {
				scan_value(&s);
				scan_ws(&s);
				if (s.i >= s.len || copy[s.i] != ',')
					goto out;
				s.i++;
			}
			continue;
		}
		n = strcspn(p, ".[");
		if (n >= sizeof want || s.i >= s.len || copy[s.i] != '{')
			break;
		memcpy(want, p, n);
		want[n] = '\0';
		p += n;
		s.i++;
		for (;;) {
			scan_ws(&s);
			if (s.i >= s.len || copy[s.i] != '"')
				goto out;
			scan_string(&s, key, sizeof key);
			scan_ws(&s);
			if (s.i >= s.len || copy[s.i] != ':')
				goto out;
			s.i++;
			/* The last key may be there more than once. */
			if (strcmp(key, want) == 0 &&
			    (*p != '\0' || nth-- == 0))
				break;
			scan_value(&s);
			scan_ws(&s);
			if (s.i >= s.len || copy[s.i] != ',')
				goto out;
			s.i++;
		}
	}
out:
	free(copy);
	return line;
}

const char *
json_get_string(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

double
json_get_number(const cJSON *obj, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

bool
json_get_bool(const cJSON *obj, const char *key, bool dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v);
	return dflt;
}
