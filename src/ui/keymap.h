/*
 * keymap.h - keys, the actions they trigger, and key-map files (no curses).
 *
 * A key is a Unicode code point or one of the KEYC_* names below, with
 * KEYC_META (Alt) and KEYC_CTRL bits.  The terminal layer (screen.c)
 * turns what curses reads into these, so the map, its file format and its
 * tests do not depend on curses.
 *
 * A key-map file (keys/default.keys documents the format) has one binding
 * per line, in a mode section:
 *
 *	# comment
 *	mode insert		(the default section; also: mode normal)
 *	Enter	send
 *	M-4	rate 4
 *	F2	budget
 *	C-x	none		(unbinds)
 *
 * Key names follow tmux: C-x, M-x, F1..F12, Up, Down, Left, Right, Home,
 * End, PgUp, PgDn, IC, DC, BSpace, Enter, Tab, BTab, Esc, Space, with
 * C- and M- prefixes combinable (M-Up, C-M-x).
 */
#ifndef MIXCHAT_UI_KEYMAP_H
#define MIXCHAT_UI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

#define KEYC_META 0x01000000u
#define KEYC_CTRL 0x02000000u
#define KEYC_MASK 0x00ffffffu

enum keyc {
	KEYC_NONE = 0,
	KEYC_BASE = 0x110000, /* above every code point */
	KEYC_F1,
	KEYC_F2,
	KEYC_F3,
	KEYC_F4,
	KEYC_F5,
	KEYC_F6,
	KEYC_F7,
	KEYC_F8,
	KEYC_F9,
	KEYC_F10,
	KEYC_F11,
	KEYC_F12,
	KEYC_UP,
	KEYC_DOWN,
	KEYC_LEFT,
	KEYC_RIGHT,
	KEYC_HOME,
	KEYC_END,
	KEYC_PPAGE,
	KEYC_NPAGE,
	KEYC_IC,
	KEYC_DC,
	KEYC_BSPACE,
	KEYC_ENTER,
	KEYC_TAB,
	KEYC_BTAB,
	KEYC_ESCAPE,
	KEYC_WHEEL_UP, /* the mouse wheel, when the mouse is on */
	KEYC_WHEEL_DOWN,
	/* Not bindable: the terminal layer's own events. */
	KEYC_PASTE_START,
	KEYC_PASTE_END,
	KEYC_RESIZE,
	KEYC_CLICK, /* a left click: screen_last_click() says where */
};

enum action {
	ACT_NONE,
	ACT_SEND,
	ACT_NEWLINE,
	ACT_HISTORY_PREV,
	ACT_HISTORY_NEXT,
	ACT_SCROLL_UP,        /* a page */
	ACT_SCROLL_DOWN,      /* a page */
	ACT_SCROLL_LINE_UP,   /* arg lines (1 when not given) */
	ACT_SCROLL_LINE_DOWN, /* arg lines (1 when not given) */
	ACT_SCROLL_TOP,
	ACT_SCROLL_BOTTOM,
	ACT_RATE, /* arg 1..5 */
	ACT_SELECT_PREV,
	ACT_SELECT_NEXT,
	ACT_BUDGET,
	ACT_REASK,
	ACT_CANCEL,
	ACT_REDRAW,
	ACT_QUIT,
	ACT_BARE,
	ACT_COPY, /* the selected reply to the clipboard (OSC 52) */
	ACT_HELP_KEYS,
	ACT_SUSPEND, /* stop mixchat (a shell's fg brings it back) */
	ACT_CURSOR_LEFT,
	ACT_CURSOR_RIGHT,
	ACT_CURSOR_HOME,
	ACT_CURSOR_END,
	ACT_MESSAGE_START, /* the whole message's start (M-<) */
	ACT_MESSAGE_END,   /* and end (M->) */
	ACT_WORD_LEFT,
	ACT_WORD_RIGHT,
	ACT_WORD_NEXT,    /* vi's w */
	ACT_WORD_PREV,    /* vi's b */
	ACT_WORD_END,     /* vi's e */
	ACT_BIGWORD_NEXT, /* vi's W */
	ACT_BIGWORD_PREV, /* vi's B */
	ACT_BIGWORD_END,  /* vi's E */
	ACT_DELETE_BACK,
	ACT_DELETE_FORWARD,
	ACT_DELETE_WORD_BACK,
	ACT_KILL_WORD, /* to the end of the word (M-d) */
	ACT_KILL_LINE,
	ACT_KILL_TO_START, /* twice in a row: the whole message */
	ACT_KILL_MESSAGE,
	ACT_YANK,       /* the kill buffer at the cursor (C-y; vi's P) */
	ACT_YANK_AFTER, /* vi's p */
	ACT_UNDO,
	ACT_TRANSPOSE,
	ACT_VI_DELETE,      /* vi's d: the next key is its motion */
	ACT_VI_CHANGE,      /* vi's c */
	ACT_CHANGE_TO_END,  /* vi's C */
	ACT_EDIT_EXTERNAL,  /* the message in $VISUAL / $EDITOR (M-e) */
	ACT_HISTORY_SEARCH, /* C-r: search the messages sent, newest first */
	ACT_INSERT_MODE,    /* vi: leave normal mode */
	ACT_APPEND,         /* vi: cursor right, then insert mode */
	ACT_APPEND_END,     /* vi: end of line, then insert mode */
	ACT_INSERT_START,   /* vi: start of line, then insert mode */
	ACT_NORMAL_MODE,    /* vi: enter normal mode */
	ACT_COMMAND,        /* start the input line with "/" (insert mode) */
	ACT_DISMISS,        /* as cancel, but never the reply in flight */
	ACT__COUNT,
};

enum keymap_mode {
	KEYMAP_INSERT, /* typing inserts text (the only mode of default.keys) */
	KEYMAP_NORMAL, /* vi's normal mode: unbound printable keys are ignored */
	KEYMAP_NMODES,
};

struct binding {
	uint32_t key;
	enum action action;
	int arg;
};

struct keymap {
	char *name; /* "default", "vi", or the file's name */
	struct binding *bindings[KEYMAP_NMODES];
	size_t nbindings[KEYMAP_NMODES];
	size_t cap[KEYMAP_NMODES];
	bool has_normal; /* the map defines a normal mode */
};

/* keymap_binds: whether some key of km, in any mode, does action. */
bool keymap_binds(const struct keymap *km, enum action action);
/* keymap_init / keymap_release: an empty map; free its bindings. */
void keymap_init(struct keymap *km, const char *name);
void keymap_release(struct keymap *km);

/*
 * keymap_parse: add the bindings in text (len bytes) to km.  name is the
 * file's name for messages.  Bad lines are left out and the others read:
 * it then returns MC_ERR_PARSE with *cause "NAME:LINE: what is wrong", a
 * line for each (the first 10; then "and N more"); the caller decides
 * whether to use the map.  A key the text binds twice, to different
 * actions, is a warning: the later line wins, MC_OK is returned and
 * *cause has "NAME:LINE: C-d was bound to quit on line 2" among its lines.
 * The caller frees *cause whenever it is set.
 */
int keymap_parse(struct keymap *km, const char *text, size_t len,
    const char *name, char **cause) MC_WUR;
/* keymap_bind: bind key to action (ACT_NONE unbinds) in mode. */
void keymap_bind(struct keymap *km, enum keymap_mode mode, uint32_t key,
    enum action action, int arg);
/* keymap_lookup: the binding of key in mode, or NULL. */
const struct binding *keymap_lookup(
    const struct keymap *km, enum keymap_mode mode, uint32_t key);

/*
 * keymap_key_for: the name of the first key bound to action in mode into
 * out (size >= 32); false when no key is.
 */
bool keymap_key_for(const struct keymap *km, enum keymap_mode mode,
    enum action action, char *out, size_t n);
/* keymap_key_name: "M-Up", "C-d", "x" into out (size >= 32). */
void keymap_key_name(uint32_t key, char *out, size_t n);
/* keymap_key_label: the key as the README and the hints say it ("Alt-R",
 * "Ctrl-D", "Alt-PgUp", "F2"), for the keys popup; keys files write it
 * as keymap_key_name does. */
void keymap_key_label(uint32_t key, char *out, size_t n);
/* keymap_key_from_name: the key named s, or KEYC_NONE. */
uint32_t keymap_key_from_name(const char *s);
/* keymap_action_name: "send", "rate", ...; never NULL. */
const char *keymap_action_name(enum action action);
/* keymap_action_help: a few words saying what the action does. */
const char *keymap_action_help(enum action action);
/* keymap_action_from_name: the action named s, or -1. */
int keymap_action_from_name(const char *s);

/*
 * keymap_describe: the bindings as a text table for F1 ("KEYS  what it
 * does" lines, each action once with all its keys; the chat's keys, then
 * those that edit the message; normal mode after insert mode).  Caller
 * frees.
 */
char *keymap_describe(const struct keymap *km);

#endif
