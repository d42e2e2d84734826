/*
 * ui.h - the chat screen's state, shared by chat.c (the event loop and key
 * dispatch), command.c (slash commands) and screen.c (curses).  Private to
 * src/ui.
 */
#ifndef MIXCHAT_UI_UI_H
#define MIXCHAT_UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "app/app.h"
#include "config/config.h"
#include "ui/editor.h"
#include "ui/keymap.h"
#include "ui/theme.h"
#include "ui/view.h"
#include "util/buf.h"

/* A paste of more lines than this asks before it lands in the input. */
#define UI_PASTE_ASK_LINES 5
/* The input grows up to this many rows, then scrolls. */
#define UI_INPUT_MAX_ROWS 8
/* The gutter left of the chat text: " you ". */
#define UI_GUTTER 5
/* Notices kept for /notices (the oldest are dropped). */
#define UI_NOTICES_MAX 50
/* A wait this long, or a stream silent this long, is said in seconds. */
#define UI_QUIET_MS 5000

/*
 * A popup over the chat pane (F1, /help, /notices): the text is not added
 * to the conversation; Esc, q or Enter close it, the arrows scroll it.
 */
struct ui;

struct ui_overlay {
	bool open;
	char *title;
	char *text;
	size_t scroll; /* the first row shown */
	size_t rows;   /* rows of text at the last draw */
	size_t height; /* rows shown at the last draw */
	/* Remakes the text for the window's new width (a list whose
	 * titles are cut to it), or NULL: the text wraps by itself. */
	int (*regen)(struct ui *ui, struct buf *b);
	/* A list to pick from (/sessions), or NULL for text only: Up and
	 * Down move the cursor over the lines pickable says are entries
	 * (one screen row each), and Enter hands the line to pick. */
	void (*pick)(struct ui *ui, const char *line, size_t len);
	bool (*pickable)(const char *line, size_t len);
	size_t cursor; /* the line under the cursor */
	bool follow;   /* it moved: scroll it into sight at the next draw */
	size_t shown_lines; /* lines of text the last draw showed */
};
/* ui_overlay_line: line i of the popup's text (len bytes, no newline), or
 * NULL past its end. */
const char *ui_overlay_line(const struct ui_overlay *o, size_t i, size_t *len);

struct ui {
	const struct config *cfg;
	struct app *app;
	struct view view;
	struct editor ed;
	struct keymap km;
	enum keymap_mode mode;
	/* vi's d or c typed, waiting for its motion (ACT_NONE: none). */
	enum action vi_op;
	struct theme theme;
	bool no_colour; /* NO_COLOR or a terminal without colours */

	int rows, cols;
	int chat_top;  /* its first screen row */
	int chat_rows; /* rows of the chat pane at the last draw */
	bool mouse;    /* the wheel and clicks are ours (/mouse) */
	bool bare;     /* Alt-L: no bars, no gutter */
	long selected; /* exchange index, or -1 for the latest */
	/* Scrolled up with none selected: the reply at the bottom of the
	 * chat pane (the keys act on it), else -1.  Set by each draw. */
	long in_view;
	size_t scroll; /* lines scrolled up from the bottom */
	/* The exchange a /command acts on (/why, /copy): the one the reply
	 * keys would act on when it was entered, before the chat scrolls
	 * down to show the command's answer; -1 when there is none. */
	long command_reply;
	size_t last_total;
	bool quit;
	/* The message set aside that /quit said would be lost (a /quit
	 * with it set aside again means it; another one is said again). */
	char *quit_set_aside_said;
	bool keep_command; /* a /command refused for now stays in the input */
	/* Why a /command cannot run yet (a reply is arriving), set by
	 * ui_command_wait: the notice line says it is kept, and it is kept
	 * selected (command_kept).  NULL: no such refusal. */
	char *keep_why;
	/* The input holds a /command kept until it can run: drawn as
	 * selected, so that Enter runs it, typed text replaces it (no
	 * "/sessions 10/new"), a deleting key takes it all and a motion
	 * starts editing it. */
	bool command_kept;
	char *kept_notice; /* the notice that says so (cleaned), or NULL */
	/* The keys the hints name, as the key map binds them ("F1",
	 * "Ctrl-D"); "" when unbound (the hint then leaves the key out). */
	char help_key[32], quit_key[32], cancel_key[32];
	/* Today's spend as the status bar last drew it: another mixchat's
	 * spending redraws it (ui_loop looks once a second). */
	double shown_spend;
	/* The message being written when vi's ':' started a /command: back
	 * in the input once the command has run or is given up. */
	char *set_aside;
	size_t set_aside_cursor;
	bool dirty;       /* redraw before the next wait */
	bool full_redraw; /* Ctrl-L: repaint every cell */
	unsigned spinner;
	/* The reply in flight as the status bar last saw it (its index + 1,
	 * 0 for none; its state, its length, whether a retry was waited
	 * out) and since when it has stayed so: a long wait, or a stream
	 * gone silent, is said with its seconds. */
	size_t quiet_at;
	int quiet_state;
	size_t quiet_len;
	bool quiet_retry;
	uint64_t quiet_since_ms;
	/* While app_rate runs (rate_selected): the exchange it rates
	 * (index + 1, 0 for none), the score given, and the rating it had
	 * as app_rate read it from the store (on_changed sees it). */
	size_t rating_at;
	int rating_score, rating_old;

	bool pasting; /* between the paste brackets */
	/* A terminal that does not bracket pastes (GNU screen before 5,
	 * the Linux console): an Enter with more keys right behind it is a
	 * pasted line's end, a new line, not a send. */
	bool paste_guess;     /* such a terminal */
	bool enter_in_burst;  /* the Enter being handled had keys behind */
	uint64_t burst_until; /* a paste guessed: its Enters until then */
	bool burst_swallow;   /* that Enter is the paste's last: dropped */
	bool paste_dropped;   /* ... of a paste too long: the rest is ignored */
	bool paste_cr;        /* the last pasted key was a CR (Enter) */
	struct buf paste;     /* what is being pasted */
	char *paste_ask;      /* a long paste waiting for y/n */
	size_t paste_lines;   /* its line count */
	/* A question on the input line waiting for y/n (/delete's), or
	 * NULL: the next key answers it (command_confirm): y or Y yes, any
	 * other no.  confirm_what: what it is about (a conversation's
	 * number). */
	char *confirm;
	char *confirm_what;
	/* /sessions all: the list shows the conversations `mixchat ask`
	 * made on its own too (folded into one line otherwise). */
	bool sessions_all;
	/* The /search that /search more goes on with: its words (NULL:
	 * none), the last hit its last page showed, and whether that page
	 * was the end of the list. */
	char *search_words;
	struct app_search_at search_at;
	bool search_done;

	struct ui_overlay overlay;
	/*
	 * The app's notices (budget at 80 %, a damaged record, a model
	 * rate-limited), cleaned to one line each, oldest first; the latest
	 * shows on the notice line above the status bar until the next
	 * message is sent or Esc dismisses it.
	 */
	char *notices[UI_NOTICES_MAX];
	size_t nnotices;
	size_t notices_unseen; /* arrived since the line was dismissed */
	/* Which notices say something waits for the reply still arriving
	 * ("a reply is still arriving", "has not finished yet"): they go
	 * when nothing is in flight any more. */
	bool notice_busy[UI_NOTICES_MAX];
	/* When each was given: /notices says it before the notice. */
	time_t notice_time[UI_NOTICES_MAX];
	/* A confirmation on the status bar until the next key ("reply 4.2
	 * rated 4/5"): said where the eye is, without moving the text. */
	char *flash;
	/* The first line in view when the width changed while scrolled up
	 * (its block, its first byte): kept in view after the new layout. */
	bool anchored;
	size_t anchor_block, anchor_off;
};

/* ui_note: add a note (a message from mixchat) to the chat pane. */
void ui_note(struct ui *ui, const char *fmt, ...) MC_PRINTF(2, 3);
/* ui_note_error: the same, in the error style. */
void ui_note_error(struct ui *ui, const char *fmt, ...) MC_PRINTF(2, 3);
/* ui_note_marked: a note (not a format) whose VIEW_MARK_ON .. VIEW_MARK_OFF
 * spans are drawn highlighted (ui/view.h): what /search matched. */
void ui_note_marked(struct ui *ui, const char *text);
/* ui_note_alt: the note just added, as text with the other set's marks
 * (ascii: the ASCII set's), for a /glyphs switch (view_note_alt). */
void ui_note_alt(struct ui *ui, const char *text, bool ascii);
/* ui_sync: lay out what changed in the app's conversation. */
void ui_sync(struct ui *ui);
/* ui_reset_view: forget the laid-out conversation (session switched). */
void ui_reset_view(struct ui *ui);
/* ui_overlay_open: show text (copied) in a popup titled title. */
void ui_overlay_open(struct ui *ui, const char *title, const char *text);
/* ui_overlay_close: close the popup (nothing happens when none is open). */
void ui_overlay_close(struct ui *ui);
/* ui_complete: Tab after a /command's start or "/model ": completed
 * (command.c); false when the input is not one to complete. */
bool ui_complete(struct ui *ui);
/* ui_notice: a one-line notice (control characters are dropped). */
void ui_notice(struct ui *ui, const char *message);
/*
 * ui_copy_selected: put the selected reply (else the last), as the model
 * wrote it, on the clipboard through the terminal (OSC 52: most terminals,
 * and tmux with set-clipboard on); at most UI_COPY_MAX bytes.
 */
#define UI_COPY_MAX (96 * 1024)
void ui_copy_selected(struct ui *ui);
/* ui_copy_reply: the same for exchange index (-1: none). */
void ui_copy_reply(struct ui *ui, long index);
/* ui_notice_busy: ui_notice for what waits for the reply in flight: it
 * goes (from the notice line and /notices) once that reply has ended. */
void ui_notice_busy(struct ui *ui, const char *message);
/* ui_notices_dismiss: take the notice line down. */
void ui_notices_dismiss(struct ui *ui);
/* ui_set_theme: load and apply theme name; false (and a note) on error. */
bool ui_set_theme(struct ui *ui, const char *name);
/* ui_set_mouse: take the mouse or give it back; false if it cannot. */
bool ui_set_mouse(struct ui *ui, bool on);
/*
 * ui_selected: the exchange the reply keys act on: the one selected
 * (Alt-Up/Down, a click), else, scrolled up, the reply at the bottom of
 * the chat pane, else the latest; -1 when there is none.
 */
long ui_selected(const struct ui *ui);
/* ui_select: select exchange index and scroll it into the chat pane. */
void ui_select(struct ui *ui, long index);
/*
 * ui_rate: rate exchange index (-1: there is none) score 1..5, said on
 * the status bar (Alt-1..5 and /rate).  ui_rate_selected: the reply the
 * keys act on (ui_selected; at the end, the newest answered).
 * ui_reask: ask exchange index again with the next-best model (Alt-R,
 * /reask).
 */
void ui_rate(struct ui *ui, long index, int score);
void ui_rate_selected(struct ui *ui, int score);
void ui_reask(struct ui *ui, long index);
/*
 * ui_selection_follow: a reply selected (Alt-Up/Down, a click) that
 * scrolling took out of the chat pane is selected no more, so that the
 * reply keys act on the reply in sight, never on one off screen.  Called
 * before each key acts and by each draw.
 */
void ui_selection_follow(struct ui *ui);
/* ui_reply_in_view: the exchange whose reply is lowest in the chat pane
 * scrolled up as it is (-1 at the bottom, or with none in sight). */
long ui_reply_in_view(struct ui *ui);
/*
 * ui_hint_key: the key the map km binds to action, for a hint, into out
 * (n >= 32): insert mode's, else normal mode's, with "C-d" written
 * "Ctrl-D" and "M-c" "Alt-C" as people say them; "" when none is bound.
 */
void ui_hint_key(
    const struct keymap *km, enum action action, char *out, size_t n);
/* ui_chat_width: the columns of the chat pane (code and tables take all). */
size_t ui_chat_width(const struct ui *ui);
/* ui_text_width: the columns its prose and notes wrap to: the reading
 * width ("reading_width") when the pane is wider. */
size_t ui_text_width(const struct ui *ui);

/* ui_command_wait: the /command being run cannot run yet (why: "a reply
 * is still arriving ..."): it stays in the input, selected, and the
 * notice line says so until the reply ends. */
void ui_command_wait(struct ui *ui, const char *why);
/* ui_command_keep: after a /command line ran: when it asked to be kept
 * (keep_command) and the input is empty, line goes back there. */
void ui_command_keep(struct ui *ui, const char *line);
/* command_run: run a /command line (command.c). */
void command_run(struct ui *ui, const char *line);
/*
 * command_find_session: the conversation `mixchat --session which` starts
 * in: its number (or name; "last": the one used last, as /sessions lists
 * it first) into id (size bytes), "" for none yet with "last".
 * MC_ERR_NOTFOUND with *cause (caller frees) naming the name it likely
 * meant.
 */
int command_find_session(struct ui *ui, const char *which, char *id,
    size_t size, char **cause) MC_WUR;
/* command_confirm: the answer to ui->confirm (yes: y was pressed); the
 * question is gone after it. */
void command_confirm(struct ui *ui, bool yes);

/* screen.c: everything curses. */
int screen_start(struct ui *ui, char **cause) MC_WUR;
void screen_stop(void);
void screen_resize(struct ui *ui);
/* screen_size: take the size curses has now. */
void screen_size(struct ui *ui);
void screen_apply_theme(struct ui *ui);
void screen_draw(struct ui *ui);
/*
 * screen_mouse: report the wheel and left clicks as keys (KEYC_WHEEL_UP,
 * KEYC_WHEEL_DOWN, KEYC_CLICK) or stop; false when the terminal cannot.
 * While on, the terminal's own selection needs Shift held.
 */
bool screen_mouse(bool on);
/* screen_last_click: the cell of the last KEYC_CLICK. */
void screen_last_click(int *row, int *col);
/*
 * screen_suspend: leave the screen and stop the process group as Ctrl-Z
 * in a shell does; on SIGCONT come back and lay out again.  False when it
 * was not stopped: no shell with job control started it (a terminal's
 * `-e mixchat`, a tmux window of its own), so there is none to return to.
 */
bool screen_suspend(struct ui *ui);
/* screen_run_editor: leave the screen, run editor (a shell's words) on
 * path, wait for it, come back; its exit status (-1: not run). */
int screen_run_editor(struct ui *ui, const char *editor, const char *path);
/* screen_read_key: the next key, or KEYC_NONE when none is waiting. */
uint32_t screen_read_key(void);
/* screen_bell: ring the terminal's bell (its visible bell where it has
 * no sound; tmux marks the window). */
void screen_bell(void);
int screen_colours(void);
/* screen_clipboard: ask the terminal to put n bytes of s on the clipboard
 * (OSC 52; a terminal that does not know it ignores it), and inside tmux
 * give them to tmux too: whether tmux took them. */
bool screen_clipboard(const char *s, size_t n);

#endif
