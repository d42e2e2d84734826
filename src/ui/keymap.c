/*
 * keymap.c - key names, actions and the key-map file parser (see
 * keymap.h).  Owns the text format of keys/NAME.keys.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/keymap.h"
#include "util/buf.h"
#include "util/utf8.h"
#include "util/xmalloc.h"

#define KEYMAP_MAX_BINDINGS 1024
#define KEYMAP_MAX_REPORTED 10 /* problem lines named; the rest counted */

static const struct {
	const char *name;
	uint32_t key;
} key_names[] = {
	{ "F1", KEYC_F1 },
	{ "F2", KEYC_F2 },
	{ "F3", KEYC_F3 },
	{ "F4", KEYC_F4 },
	{ "F5", KEYC_F5 },
	{ "F6", KEYC_F6 },
	{ "F7", KEYC_F7 },
	{ "F8", KEYC_F8 },
	{ "F9", KEYC_F9 },
	{ "F10", KEYC_F10 },
	{ "F11", KEYC_F11 },
	{ "F12", KEYC_F12 },
	{ "Up", KEYC_UP },
	{ "Down", KEYC_DOWN },
	{ "Left", KEYC_LEFT },
	{ "Right", KEYC_RIGHT },
	{ "Home", KEYC_HOME },
	{ "End", KEYC_END },
	{ "PgUp", KEYC_PPAGE },
	{ "PPage", KEYC_PPAGE },
	{ "PgDn", KEYC_NPAGE },
	{ "NPage", KEYC_NPAGE },
	{ "IC", KEYC_IC },
	{ "DC", KEYC_DC },
	{ "BSpace", KEYC_BSPACE },
	{ "Enter", KEYC_ENTER },
	{ "Tab", KEYC_TAB },
	{ "BTab", KEYC_BTAB },
	{ "Esc", KEYC_ESCAPE },
	{ "Escape", KEYC_ESCAPE },
	{ "Space", ' ' },
	{ "WheelUp", KEYC_WHEEL_UP },
	{ "WheelDown", KEYC_WHEEL_DOWN },
};

static const struct {
	const char *name;
	const char *help;
} actions[ACT__COUNT] = {
	[ACT_NONE] = { "none", "nothing (unbinds the key)" },
	[ACT_SEND] = { "send", "send the message (or run the /command)" },
	[ACT_NEWLINE] = { "newline", "start a new line in the message" },
	[ACT_HISTORY_PREV] = { "history-prev", "previous message you sent" },
	[ACT_HISTORY_NEXT] = { "history-next", "next message you sent" },
	[ACT_SCROLL_UP] = { "scroll-up", "scroll up a page" },
	[ACT_SCROLL_DOWN] = { "scroll-down", "scroll down a page" },
	[ACT_SCROLL_LINE_UP] = { "scroll-line-up", "scroll up a line" },
	[ACT_SCROLL_LINE_DOWN] = { "scroll-line-down", "scroll down a line" },
	[ACT_SCROLL_TOP] = { "scroll-top", "go to the start" },
	[ACT_SCROLL_BOTTOM] = { "scroll-bottom",
	    "go to the end (latest reply)" },
	[ACT_RATE] = { "rate", "rate the selected reply N of 5" },
	[ACT_SELECT_PREV] = { "select-prev", "select the reply above" },
	[ACT_SELECT_NEXT] = { "select-next", "select the reply below" },
	[ACT_BUDGET] = { "budget", "budget mode on/off" },
	[ACT_REASK] = { "reask", "ask again with the next-best model" },
	[ACT_CANCEL] = { "cancel", "cancel the reply in flight" },
	[ACT_REDRAW] = { "redraw", "redraw the screen" },
	[ACT_QUIT] = { "quit",
	    "quit mixchat on an empty line (else delete the character "
	    "under the cursor)" },
	[ACT_BARE] = { "bare", "bare mode: no bars, for copying text" },
	[ACT_COPY] = { "copy",
	    "copy the selected reply (its Markdown) to the clipboard" },
	[ACT_HELP_KEYS] = { "help-keys", "list the key bindings" },
	[ACT_SUSPEND] = { "suspend",
	    "suspend mixchat (the shell's fg brings it back)" },
	[ACT_CURSOR_LEFT] = { "cursor-left", "cursor left" },
	[ACT_CURSOR_RIGHT] = { "cursor-right", "cursor right" },
	[ACT_CURSOR_HOME] = { "cursor-home", "start of the line" },
	[ACT_CURSOR_END] = { "cursor-end", "end of the line" },
	[ACT_MESSAGE_START] = { "message-start",
	    "start of the message (all its lines)" },
	[ACT_MESSAGE_END] = { "message-end",
	    "end of the message (all its lines)" },
	[ACT_WORD_LEFT] = { "word-left", "word left" },
	[ACT_WORD_RIGHT] = { "word-right", "word right" },
	[ACT_WORD_NEXT] = { "word-next", "start of the next word (vi's w)" },
	[ACT_WORD_PREV] = { "word-prev",
	    "start of this or the word before (vi's b)" },
	[ACT_WORD_END] = { "word-end",
	    "end of this or the next word (vi's e)" },
	[ACT_BIGWORD_NEXT] = { "bigword-next",
	    "start of the next word between blanks (vi's W)" },
	[ACT_BIGWORD_PREV] = { "bigword-prev",
	    "start of this or the word before, between blanks (vi's B)" },
	[ACT_BIGWORD_END] = { "bigword-end",
	    "end of this or the next word between blanks (vi's E)" },
	[ACT_DELETE_BACK] = { "delete-back", "delete the character before" },
	[ACT_DELETE_FORWARD] = { "delete-forward",
	    "delete the character under the cursor" },
	[ACT_DELETE_WORD_BACK] = { "delete-word-back",
	    "delete the word before" },
	[ACT_KILL_WORD] = { "kill-word", "delete to the end of the word" },
	[ACT_KILL_LINE] = { "kill-line", "delete to the end of the line" },
	[ACT_KILL_TO_START] = { "kill-to-start",
	    "delete to the start of the line; twice: the whole message" },
	[ACT_KILL_MESSAGE] = { "kill-message",
	    "delete the whole message (yank brings it back)" },
	[ACT_YANK] = { "yank", "put back the text deleted last" },
	[ACT_YANK_AFTER] = { "yank-after",
	    "put back the text deleted last, after the cursor (vi's p)" },
	[ACT_UNDO] = { "undo", "undo the last edit" },
	[ACT_TRANSPOSE] = { "transpose",
	    "swap the character before the cursor with the one under it" },
	[ACT_VI_DELETE] = { "vi-delete",
	    "delete to where the next key moves (vi's d: dw, d$, dd...)" },
	[ACT_VI_CHANGE] = { "vi-change",
	    "as vi-delete, then insert mode (vi's c: cw, c$, cc...)" },
	[ACT_CHANGE_TO_END] = { "change-to-end",
	    "delete to the end of the line, then insert mode (vi's C)" },
	[ACT_EDIT_EXTERNAL] = { "edit-external",
	    "write the message in your editor ($VISUAL or $EDITOR); saved, "
	    "it comes back here" },
	[ACT_HISTORY_SEARCH] = { "history-search",
	    "search the messages you sent, newest first (type; again: "
	    "older)" },
	[ACT_INSERT_MODE] = { "insert-mode", "insert mode (vi)" },
	[ACT_APPEND] = { "append", "insert after the cursor (vi)" },
	[ACT_APPEND_END] = { "append-end", "insert at the end (vi)" },
	[ACT_INSERT_START] = { "insert-start",
	    "insert at the start of the line (vi)" },
	[ACT_NORMAL_MODE] = { "normal-mode", "normal mode (vi)" },
	[ACT_DISMISS] = { "dismiss",
	    "take down the notices, let go of the selected reply" },
	[ACT_COMMAND] = { "command", "type a /command, the message set aside" },
};

void
keymap_init(struct keymap *km, const char *name)
{
	memset(km, 0, sizeof *km);
	km->name = xstrdup(name != NULL ? name : "");
}

void
keymap_release(struct keymap *km)
{
	int m;

	for (m = 0; m < KEYMAP_NMODES; m++)
		free(km->bindings[m]);
	free(km->name);
	memset(km, 0, sizeof *km);
}

void
keymap_bind(struct keymap *km, enum keymap_mode mode, uint32_t key,
    enum action action, int arg)
{
	struct binding *b = km->bindings[mode];
	size_t i, n = km->nbindings[mode];

	for (i = 0; i < n; i++) {
		if (b[i].key == key) {
			b[i].action = action;
			b[i].arg = arg;
			return;
		}
	}
	if (action == ACT_NONE)
		return;
	if (n == km->cap[mode]) {
		km->cap[mode] = km->cap[mode] ? km->cap[mode] * 2 : 32;
		km->bindings[mode] = b =
		    xreallocarray(b, km->cap[mode], sizeof *b);
	}
	b[n].key = key;
	b[n].action = action;
	b[n].arg = arg;
	km->nbindings[mode] = n + 1;
	if (mode == KEYMAP_NORMAL)
		km->has_normal = true;
}

const struct binding *
keymap_lookup(const struct keymap *km, enum keymap_mode mode, uint32_t key)
{
	size_t i;

	for (i = 0; i < km->nbindings[mode]; i++)
		if (km->bindings[mode][i].key == key &&
		    km->bindings[mode][i].action != ACT_NONE)
			return &km->bindings[mode][i];
	return NULL;
}

bool
keymap_key_for(const struct keymap *km, enum keymap_mode mode,
    enum action action, char *out, size_t n)
{
	size_t i;

	for (i = 0; i < km->nbindings[mode]; i++)
		if (km->bindings[mode][i].action == action) {
			keymap_key_name(km->bindings[mode][i].key, out, n);
			return true;
		}
	return false;
}

void
keymap_key_name(uint32_t key, char *out, size_t n)
{
	uint32_t base = key & KEYC_MASK;
	char enc[5];
	size_t i, len;

	snprintf(out, n, "%s%s", (key & KEYC_CTRL) ? "C-" : "",
	    (key & KEYC_META) ? "M-" : "");
	len = strlen(out);
	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (key_names[i].key == base) {
			snprintf(out + len, n - len, "%s", key_names[i].name);
			return;
		}
	}
	if (base > 0x20 && base < KEYC_BASE && base != ' ' && base != 0x7f) {
		enc[utf8_encode(base, enc)] = '\0';
		snprintf(out + len, n - len, "%s", enc);
	} else
		snprintf(out + len, n - len, "0x%x", (unsigned)base);
}

/* Keys as they are printed on the keyboard (and in the README), where a
 * keys file's name is tmux's shorthand. */
static const struct {
	uint32_t key;
	const char *label;
} key_labels[] = {
	{ KEYC_BSPACE, "Backspace" },
	{ KEYC_DC, "Delete" },
	{ KEYC_IC, "Insert" },
	{ KEYC_BTAB, "Shift-Tab" },
};

void
keymap_key_label(uint32_t key, char *out, size_t n)
{
	uint32_t base = key & KEYC_MASK;
	char name[48];
	const char *p = name;
	size_t i;

	keymap_key_name(key & ~(KEYC_CTRL | KEYC_META), name, sizeof name);
	/* A lone letter under a modifier is said as printed on the key. */
	if ((key & (KEYC_CTRL | KEYC_META)) != 0 && base >= 'a' &&
	    base <= 'z' && name[1] == '\0')
		name[0] = (char)(name[0] - 'a' + 'A');
	for (i = 0; i < sizeof key_labels / sizeof key_labels[0]; i++)
		if (key_labels[i].key == base)
			p = key_labels[i].label;
	snprintf(out, n, "%s%s%s", (key & KEYC_CTRL) ? "Ctrl-" : "",
	    (key & KEYC_META) ? "Alt-" : "", p);
}

uint32_t
keymap_key_from_name(const char *s)
{
	uint32_t mods = 0, cp;
	size_t i, len, l;

	for (;;) {
		if ((s[0] == 'C' || s[0] == 'c') && s[1] == '-' &&
		    s[2] != '\0') {
			mods |= KEYC_CTRL;
			s += 2;
		} else if ((s[0] == 'M' || s[0] == 'm') && s[1] == '-' &&
		           s[2] != '\0') {
			mods |= KEYC_META;
			s += 2;
		} else
			break;
	}
	for (i = 0; i < sizeof key_names / sizeof key_names[0]; i++)
		if (strcasecmp(s, key_names[i].name) == 0)
			return key_names[i].key | mods;
	len = strlen(s);
	if (len == 0)
		return KEYC_NONE;
	l = utf8_decode(s, len, &cp);
	if (l != len || cp == UTF8_REPLACEMENT || cp <= 0x20 || cp == 0x7f)
		return KEYC_NONE;
	/* C-x is kept as lower-case x with the Ctrl bit. */
	if ((mods & KEYC_CTRL) && cp >= 'A' && cp <= 'Z')
		cp = cp - 'A' + 'a';
	/* Terminals send C-/ as C-_ (0x1f): the same key. */
	if ((mods & KEYC_CTRL) && cp == '/')
		cp = '_';
	return cp | mods;
}

const char *
keymap_action_name(enum action action)
{
	if ((int)action < 0 || action >= ACT__COUNT)
		return "none";
	return actions[action].name;
}

const char *
keymap_action_help(enum action action)
{
	if ((int)action < 0 || action >= ACT__COUNT)
		return "";
	return actions[action].help;
}

int
keymap_action_from_name(const char *s)
{
	int i;

	for (i = 0; i < ACT__COUNT; i++)
		if (strcmp(s, actions[i].name) == 0)
			return i;
	return -1;
}

/* Split a line into at most max words; returns how many. */
static int
split_words(char *line, char **words, int max)
{
	int n = 0;
	char *p = line;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if (n == max)
			return max + 1;
		words[n++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

bool
keymap_binds(const struct keymap *km, enum action action)
{
	size_t m, i;

	for (m = 0; m < KEYMAP_NMODES; m++)
		for (i = 0; i < km->nbindings[m]; i++)
			if (km->bindings[m][i].action == action)
				return true;
	return false;
}

/* One more bad line for *cause (problems_add), the first KEYMAP_MAX_REPORTED named. */
#define bad_line(cause, nbad, ...) \
	problems_add(cause, nbad, KEYMAP_MAX_REPORTED, __VA_ARGS__)
#define bad_lines_end(cause, nbad) \
	problems_end(cause, nbad, KEYMAP_MAX_REPORTED)

/* Where this file bound a key, to name the line a later one overrides. */
struct bound_at {
	enum keymap_mode mode;
	uint32_t key;
	enum action action;
	int arg;
	size_t line;
};

int
keymap_parse(struct keymap *km, const char *text, size_t len, const char *name,
    char **cause)
{
	enum keymap_mode mode = KEYMAP_INSERT;
	size_t pos = 0, end, lineno = 0, total = 0, m, nbad = 0, nwarn = 0;
	size_t nseen = 0, seencap = 0, i;
	struct bound_at *seen = NULL;
	char *line = NULL, *words[4], *endp, keyname[48], was[64];
	const char *nl;
	uint32_t key;
	int n, act, arg, rc = MC_OK;
	long v;

	*cause = NULL;
	for (m = 0; m < KEYMAP_NMODES; m++)
		total += km->nbindings[m];
	while (pos < len) {
		nl = memchr(text + pos, '\n', len - pos);
		end = nl != NULL ? (size_t)(nl - text) : len;
		lineno++;
		if (memchr(text + pos, '\0', end - pos) != NULL) {
			bad_line(cause, &nbad,
			    "%s:%zu: a NUL byte (is it a text file?)", name,
			    lineno);
			pos = end + 1;
			continue;
		}
		free(line);
		line = xstrndup(text + pos, end - pos);
		pos = end + 1;
		if (line[0] != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		n = split_words(line, words, 3);
		if (n == 0)
			continue;
		/* A bad line is named and left out; the others count. */
		if (n == 2 && strcmp(words[0], "mode") == 0) {
			if (strcmp(words[1], "insert") == 0)
				mode = KEYMAP_INSERT;
			else if (strcmp(words[1], "normal") == 0)
				mode = KEYMAP_NORMAL;
			else {
				bad_line(cause, &nbad,
				    "%s:%zu: unknown mode '%s' (insert or "
				    "normal)",
				    name, lineno, words[1]);
				continue;
			}
			continue;
		}
		if (n < 2 || n > 3) {
			bad_line(cause, &nbad,
			    "%s:%zu: expected 'KEY ACTION [ARG]'", name,
			    lineno);
			continue;
		}
		key = keymap_key_from_name(words[0]);
		if (key == KEYC_NONE) {
			bad_line(cause, &nbad,
			    "%s:%zu: unknown key '%s' (see the names at the "
			    "top of keys/default.keys)",
			    name, lineno, words[0]);
			continue;
		}
		act = keymap_action_from_name(words[1]);
		if (act < 0) {
			bad_line(cause, &nbad, "%s:%zu: unknown action '%s'",
			    name, lineno, words[1]);
			continue;
		}
		arg = 0;
		if (act == ACT_RATE) {
			if (n != 3) {
				bad_line(cause, &nbad,
				    "%s:%zu: 'rate' needs a score 1..5", name,
				    lineno);
				continue;
			}
			v = strtol(words[2], &endp, 10);
			if (*endp != '\0' || v < 1 || v > 5) {
				bad_line(cause, &nbad,
				    "%s:%zu: rate: score '%s' is not 1..5",
				    name, lineno, words[2]);
				continue;
			}
			arg = (int)v;
		} else if ((act == ACT_SCROLL_LINE_UP ||
		               act == ACT_SCROLL_LINE_DOWN) &&
		           n == 3) {
			v = strtol(words[2], &endp, 10);
			if (*endp != '\0' || v < 1 || v > 100) {
				bad_line(cause, &nbad,
				    "%s:%zu: %s: '%s' is not a number of "
				    "lines 1..100",
				    name, lineno, words[1], words[2]);
				continue;
			}
			arg = v == 1 ? 0 : (int)v;
		} else if (n == 3) {
			bad_line(cause, &nbad, "%s:%zu: '%s' takes no argument",
			    name, lineno, words[1]);
			continue;
		}
		if (++total > KEYMAP_MAX_BINDINGS) {
			bad_line(cause, &nbad, "%s:%zu: more than %d bindings",
			    name, lineno, KEYMAP_MAX_BINDINGS);
			rc = MC_ERR_LIMIT;
			goto out;
		}
		/* A key this file bound already, to something else: the
		 * later line wins, and the earlier one is named (a warning;
		 * "none" unbinds on purpose). */
		for (i = 0; i < nseen; i++)
			if (seen[i].mode == mode && seen[i].key == key)
				break;
		if (i < nseen && act != ACT_NONE &&
		    seen[i].action != ACT_NONE &&
		    (seen[i].action != (enum action)act ||
		        seen[i].arg != arg)) {
			keymap_key_name(key, keyname, sizeof keyname);
			if (seen[i].arg != 0)
				snprintf(was, sizeof was, "%s %d",
				    keymap_action_name(seen[i].action),
				    seen[i].arg);
			else
				snprintf(was, sizeof was, "%s",
				    keymap_action_name(seen[i].action));
			bad_line(cause, &nbad,
			    "%s:%zu: %s was bound to %s on line %zu", name,
			    lineno, keyname, was, seen[i].line);
			nwarn++;
		}
		if (i == nseen) {
			seen =
			    xgrowarray(seen, &seencap, nseen + 1, sizeof *seen);
			nseen++;
		}
		seen[i].mode = mode;
		seen[i].key = key;
		seen[i].action = (enum action)act;
		seen[i].arg = arg;
		seen[i].line = lineno;
		keymap_bind(km, mode, key, (enum action)act, arg);
	}
	if (nbad > nwarn)
		rc = MC_ERR_PARSE;
out:
	bad_lines_end(cause, nbad);
	free(seen);
	free(line);
	return rc;
}

/* Whether action edits the message (listed after the chat's keys). */
static bool
describe_editing(enum action action)
{
	return action == ACT_NEWLINE || action == ACT_HISTORY_PREV ||
	       action == ACT_HISTORY_NEXT ||
	       (action >= ACT_CURSOR_LEFT && action <= ACT_HISTORY_SEARCH);
}

/*
 * One section of a mode: each action once, with every key bound to it
 * ("C-a, Home  start of the line"), in the order the file binds them.
 */
/*
 * The keys of the binding i of mode, joined ("Esc, C-c"), into keys;
 * false when it is not listed (unbound, in the other section, or its
 * action and argument listed with an earlier binding's).
 */
static bool
describe_keys(const struct keymap *km, enum keymap_mode mode, size_t i,
    bool editing, char *keys, size_t keyssz)
{
	const struct binding *bd = &km->bindings[mode][i], *other;
	char name[48];
	size_t j, used = 0;

	if (bd->action == ACT_NONE || describe_editing(bd->action) != editing)
		return false;
	for (j = 0; j < i; j++) {
		other = &km->bindings[mode][j];
		if (other->action == bd->action && other->arg == bd->arg)
			return false;
	}
	keys[0] = '\0';
	for (j = i; j < km->nbindings[mode]; j++) {
		other = &km->bindings[mode][j];
		if (other->action != bd->action || other->arg != bd->arg)
			continue;
		keymap_key_label(other->key, name, sizeof name);
		if (used + strlen(name) + 3 >= keyssz)
			break;
		used += (size_t)snprintf(keys + used, keyssz - used, "%s%s",
		    used > 0 ? ", " : "", name);
	}
	return true;
}

#define DESCRIBE_KEYW_MAX 12

/* The widest keys of mode's listed bindings. */
static int
describe_width(const struct keymap *km, enum keymap_mode mode)
{
	char keys[160];
	size_t i, w, max = 0;

	for (i = 0; i < km->nbindings[mode]; i++) {
		if (!describe_keys(km, mode, i, false, keys, sizeof keys) &&
		    !describe_keys(km, mode, i, true, keys, sizeof keys))
			continue;
		w = utf8_width(keys, strlen(keys));
		if (w > max)
			max = w;
	}
	return (int)max;
}

/* The keys' column is keyw wide: the widest keys listed, so a narrow
 * popup gives the descriptions the rest. */
static int
describe_section(const struct keymap *km, enum keymap_mode mode, bool editing,
    int keyw, struct buf *b)
{
	const struct binding *bd;
	char keys[160], desc[160];
	size_t i;
	int rc = MC_OK;

	for (i = 0; i < km->nbindings[mode] && rc == MC_OK; i++) {
		bd = &km->bindings[mode][i];
		if (!describe_keys(km, mode, i, editing, keys, sizeof keys))
			continue;
		if (bd->action == ACT_RATE)
			snprintf(desc, sizeof desc,
			    "rate the selected reply %d/5", bd->arg);
		else if ((bd->action == ACT_SCROLL_LINE_UP ||
		             bd->action == ACT_SCROLL_LINE_DOWN) &&
		         bd->arg > 1)
			snprintf(desc, sizeof desc, "scroll %s %d lines",
			    bd->action == ACT_SCROLL_LINE_UP ? "up" : "down",
			    bd->arg);
		else
			snprintf(desc, sizeof desc, "%s",
			    keymap_action_help(bd->action));
		/* Keys wider than the column ("Alt-Enter, Ctrl-J") take a
		 * row of their own: the column stays narrow for the rest. */
		if ((int)utf8_width(keys, strlen(keys)) > keyw)
			rc = buf_printf(
			    b, "  %s\n  %*s %s\n", keys, keyw, "", desc);
		else
			rc = buf_printf(b, "  %-*s %s\n", keyw, keys, desc);
	}
	return rc;
}

static int
describe_mode(
    const struct keymap *km, enum keymap_mode mode, int keyw, struct buf *b)
{
	int rc;

	rc = describe_section(km, mode, false, keyw, b);
	if (rc == MC_OK)
		rc = buf_printf(b, "Editing the message:\n");
	if (rc == MC_OK)
		rc = describe_section(km, mode, true, keyw, b);
	return rc;
}

char *
keymap_describe(const struct keymap *km)
{
	struct buf b;
	char *s;
	int rc, keyw;

	keyw = describe_width(km, KEYMAP_INSERT);
	if (km->has_normal && describe_width(km, KEYMAP_NORMAL) > keyw)
		keyw = describe_width(km, KEYMAP_NORMAL);
	/* At most "Home, Ctrl-A": a longer list of keys takes its own row. */
	if (keyw > DESCRIBE_KEYW_MAX)
		keyw = DESCRIBE_KEYW_MAX;
	buf_init(&b, 1 << 20);
	rc = buf_printf(&b, "Chat (%s map%s):\n", km->name,
	    km->has_normal ? ", insert mode" : "");
	if (rc == MC_OK)
		rc = describe_mode(km, KEYMAP_INSERT, keyw, &b);
	if (rc == MC_OK && km->has_normal) {
		rc = buf_printf(&b, "normal mode:\n");
		if (rc == MC_OK)
			rc = describe_mode(km, KEYMAP_NORMAL, keyw, &b);
	}
	if (rc == MC_OK)
		rc =
		    buf_printf(&b, "Type /help for the commands.\n"
		                   "A keys file writes Alt-R as M-r and Ctrl-D "
		                   "as C-d, Backspace as BSpace.");
	if (rc != MC_OK)
		return xstrdup("(too many bindings to list)");
	s = buf_detach(&b, NULL);
	return s;
}
