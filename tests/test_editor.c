/*
 * test_editor.c - the input line's readline and vi editing: the kill
 * buffer (kills in a row add up, yank puts them back), undo (a word typed
 * is one step; a long paste is never copied per step), C-t, the whole
 * message's start and end and its kill (C-u C-u), C-r's search of the
 * history, and vi's operators (dw, cw, dd, D, p, P).  Each key is
 * editor_key, then what it does, as the chat calls them.
 */
#include "config.h"

#include "test.h"
#include "ui/editor.h"
#include "util/xmalloc.h"

/* Type s a character at a time, each its own key. */
static void
type(struct editor *e, const char *s)
{
	for (; *s != '\0'; s++) {
		editor_key(e);
		CHECK(editor_type(e, s, 1));
	}
}

TEST(kills_fill_the_kill_buffer_and_yank_puts_it_back)
{
	struct editor e;

	editor_init(&e);
	type(&e, "one two three");
	/* C-w C-w: the two words, in their order, yanked back whole. */
	editor_key(&e);
	editor_delete_word_back(&e);
	editor_key(&e);
	editor_delete_word_back(&e);
	CHECK_STR(e.text, "one ");
	CHECK_STR(e.kill, "two three");
	editor_key(&e);
	CHECK(editor_yank(&e));
	CHECK_STR(e.text, "one two three");
	CHECK(e.cursor == e.len);
	/* A key between two kills: the second starts the buffer afresh. */
	editor_key(&e);
	editor_home(&e);
	editor_key(&e);
	editor_kill_word(&e); /* M-d */
	CHECK_STR(e.text, " two three");
	CHECK_STR(e.kill, "one");
	editor_key(&e);
	editor_kill_word(&e); /* M-d M-d: added after */
	CHECK_STR(e.text, " three");
	CHECK_STR(e.kill, "one two");
	editor_key(&e);
	editor_kill_line(&e); /* and C-k */
	CHECK_STR(e.text, "");
	CHECK_STR(e.kill, "one two three");
	editor_key(&e);
	editor_yank(&e);
	editor_key(&e);
	editor_yank(&e);
	CHECK_STR(e.text, "one two threeone two three");
	/* C-u: the text before the cursor, in the buffer. */
	editor_set(&e, "abc def");
	e.cursor = 4;
	editor_key(&e);
	editor_kill_to_start(&e);
	CHECK_STR(e.text, "def");
	CHECK_STR(e.kill, "abc ");
	/* Nothing killed (C-k at the end): the buffer is kept. */
	editor_key(&e);
	editor_message_end(&e);
	editor_key(&e);
	editor_kill_line(&e);
	CHECK_STR(e.kill, "abc ");
	/* Sending keeps the buffer: C-y in the next message. */
	free(editor_take(&e));
	editor_key(&e);
	CHECK(editor_yank(&e));
	CHECK_STR(e.text, "abc ");
	editor_release(&e);
}

TEST(a_second_kill_to_start_kills_the_whole_message)
{
	struct editor e;
	const char *draft = "first line\nsecond line\nthird";

	editor_init(&e);
	editor_set(&e, draft);
	/* The cursor in the middle of the second line. */
	e.cursor = strlen("first line\nsecond");
	editor_key(&e);
	editor_kill_to_start(&e);
	CHECK_STR(e.text, "first line\n line\nthird");
	editor_key(&e);
	editor_kill_to_start(&e);
	CHECK_STR(e.text, "");
	CHECK_STR(e.kill, draft);
	editor_key(&e);
	CHECK(editor_yank(&e));
	CHECK_STR(e.text, draft);
	/* C-u at the start of a line kills nothing: the C-u after it takes
	 * the message alone, not with what an earlier kill left. */
	editor_key(&e);
	editor_set(&e, "old");
	editor_key(&e);
	editor_delete_word_back(&e);
	type(&e, "ab\ncd");
	editor_key(&e);
	editor_home(&e);
	editor_key(&e);
	editor_kill_to_start(&e);
	CHECK_STR(e.kill, "old");
	editor_key(&e);
	editor_kill_to_start(&e);
	CHECK_STR(e.kill, "ab\ncd");
	/* Nor a kill after one that killed nothing (C-k at the end, then
	 * C-w). */
	type(&e, "x y");
	editor_key(&e);
	editor_kill_line(&e);
	editor_key(&e);
	editor_delete_word_back(&e);
	CHECK_STR(e.kill, "y");
	editor_key(&e);
	editor_set(&e, draft);
	/* kill-message (C-M-u) alone: all of it, from anywhere. */
	editor_key(&e);
	e.cursor = 3;
	editor_key(&e);
	editor_kill_message(&e);
	CHECK_STR(e.text, "");
	CHECK_STR(e.kill, draft);
	CHECK(e.cursor == 0);
	/* One undo brings it back. */
	editor_key(&e);
	CHECK(editor_undo(&e));
	CHECK_STR(e.text, draft);
	editor_release(&e);
}

TEST(undo_takes_back_a_word_typed_or_an_edit)
{
	struct editor e;

	editor_init(&e);
	CHECK(!editor_undo(&e));
	type(&e, "hello big world");
	editor_key(&e);
	CHECK(editor_undo(&e));
	CHECK_STR(e.text, "hello big ");
	editor_key(&e);
	CHECK(editor_undo(&e));
	CHECK_STR(e.text, "hello ");
	/* A kill and a yank are steps of their own. */
	type(&e, "there");
	editor_key(&e);
	editor_delete_word_back(&e);
	CHECK_STR(e.text, "hello ");
	editor_key(&e);
	editor_undo(&e);
	CHECK_STR(e.text, "hello there");
	CHECK(e.cursor == e.len);
	editor_key(&e);
	editor_home(&e);
	editor_key(&e);
	editor_yank(&e);
	CHECK_STR(e.text, "therehello there");
	editor_key(&e);
	editor_undo(&e);
	CHECK_STR(e.text, "hello there");
	CHECK(e.cursor == 0);
	/* Typing after a move is a new step. */
	type(&e, ">");
	editor_key(&e);
	editor_message_end(&e);
	type(&e, "!");
	editor_key(&e);
	editor_undo(&e);
	CHECK_STR(e.text, ">hello there");
	editor_key(&e);
	editor_undo(&e);
	CHECK_STR(e.text, "hello there");
	while (editor_undo(&e))
		;
	CHECK_STR(e.text, "");
	editor_release(&e);
}

TEST(undo_keeps_no_copy_of_a_long_paste_per_step)
{
	struct editor e;
	char *paste = xmalloc(300 * 40 + 1);
	size_t i;

	for (i = 0; i < 300; i++)
		memcpy(paste + i * 40,
		    "a line of a long paste, 40 bytes long.\n", 40);
	paste[300 * 40] = '\0';
	editor_init(&e);
	editor_key(&e);
	CHECK(editor_insert(&e, paste, strlen(paste)));
	/* 300 keys typed after it: the steps hold the typing, not the
	 * paste (a copy of the text per step would be 3.6 MB). */
	for (i = 0; i < 300; i++) {
		editor_key(&e);
		editor_type(&e, i % 2 ? " " : "x", 1);
	}
	CHECK(e.undobytes == 0);
	CHECK(e.nundo <= EDITOR_UNDO);
	/* Killing it keeps it once, for undo. */
	editor_key(&e);
	editor_kill_message(&e);
	CHECK(e.undobytes == e.killlen);
	editor_key(&e);
	CHECK(editor_undo(&e));
	CHECK(e.len == strlen(paste) + 300);
	/* The steps are bounded. */
	for (i = 0; i < 3 * EDITOR_UNDO; i++) {
		editor_key(&e);
		editor_message_end(&e);
		editor_delete_back(&e);
	}
	CHECK(e.nundo == EDITOR_UNDO);
	free(paste);
	editor_release(&e);
}

TEST(transpose_and_whole_message_motions)
{
	struct editor e;

	editor_init(&e);
	editor_set(&e, "abcd");
	e.cursor = 2;
	editor_transpose(&e); /* before and under the cursor */
	CHECK_STR(e.text, "acbd");
	CHECK(e.cursor == 3);
	editor_message_end(&e);
	editor_transpose(&e); /* at the end: the two before it */
	CHECK_STR(e.text, "acdb");
	CHECK(e.cursor == 4);
	editor_message_start(&e);
	editor_transpose(&e); /* at the start: nothing */
	CHECK_STR(e.text, "acdb");
	/* Whole characters, never across lines. */
	editor_set(&e, "x\xc3\xa9\ny");
	e.cursor = 3; /* the end of the first line */
	editor_transpose(&e);
	CHECK_STR(e.text, "\xc3\xa9x\ny");
	e.cursor = 4; /* the start of the second */
	editor_transpose(&e);
	CHECK_STR(e.text, "\xc3\xa9x\ny");
	editor_undo(&e);
	CHECK_STR(e.text, "x\xc3\xa9\ny");
	/* M-< and M->: the message's ends, whatever its lines. */
	editor_set(&e, "one\ntwo\nthree");
	e.cursor = 5;
	editor_message_start(&e);
	CHECK(e.cursor == 0);
	editor_message_end(&e);
	CHECK(e.cursor == e.len);
	editor_release(&e);
}

TEST(history_search_finds_accepts_and_cancels)
{
	struct editor e;

	editor_init(&e);
	editor_remember(&e, "how do I sort a list in python");
	editor_remember(&e, "what is a monad");
	editor_remember(&e, "sort numbers in C");
	editor_set(&e, "my draft");
	e.cursor = 2;
	editor_key(&e);
	CHECK(editor_undo(&e) == false); /* editor_set: no steps */
	editor_search_begin(&e);
	CHECK(editor_search_type(&e, "s", 1));
	CHECK(editor_search_type(&e, "o", 1));
	CHECK_STR(e.text, "sort numbers in C");
	CHECK(e.cursor == 0);
	CHECK(editor_search_older(&e));
	CHECK_STR(e.text, "how do I sort a list in python");
	CHECK(e.cursor == 9);
	/* No older one: the last found stays, marked. */
	CHECK(!editor_search_older(&e));
	CHECK(e.search_failed);
	CHECK_STR(e.text, "how do I sort a list in python");
	/* Cancelled: the draft as it was, the cursor where it was. */
	editor_search_end(&e, false);
	CHECK(!e.searching);
	CHECK_STR(e.text, "my draft");
	CHECK(e.cursor == 2);
	/* Words that match nothing, then taken back. */
	editor_search_begin(&e);
	CHECK(editor_search_type(&e, "m", 1));
	CHECK_STR(e.text, "sort numbers in C");
	CHECK(editor_search_type(&e, "o", 1));
	CHECK_STR(e.text, "what is a monad");
	CHECK(!editor_search_type(&e, "z", 1));
	CHECK(e.search_failed);
	CHECK_STR(e.text, "what is a monad");
	editor_search_back(&e);
	CHECK(!e.search_failed);
	CHECK_STR(e.text, "what is a monad");
	editor_search_back(&e);
	CHECK_STR(e.text, "sort numbers in C");
	editor_search_back(&e);
	CHECK_STR(e.text, "my draft");
	CHECK(editor_search_type(&e, "mona", 4));
	/* Accepted: in the input to edit, not sent; undo brings the draft
	 * back. */
	editor_search_end(&e, true);
	CHECK(!e.searching);
	CHECK_STR(e.text, "what is a monad");
	CHECK(e.nhistory == 3);
	editor_key(&e);
	CHECK(editor_undo(&e));
	CHECK_STR(e.text, "my draft");
	CHECK(e.cursor == 2);
	/* A new text (a /command kept, the history walked) ends it. */
	editor_search_begin(&e);
	CHECK(editor_search_type(&e, "sort", 4));
	editor_set(&e, "/new");
	CHECK(!e.searching);
	CHECK_STR(e.text, "/new");
	/* An empty history: nothing found, nothing broken. */
	editor_release(&e);
	editor_init(&e);
	editor_search_begin(&e);
	CHECK(!editor_search_type(&e, "x", 1));
	CHECK(!editor_search_older(&e));
	editor_search_end(&e, true);
	CHECK_STR(e.text, "");
	editor_release(&e);
}

/* vi: the cursor on "at" in s, then operator m. */
static void
vi(struct editor *e, const char *s, size_t at, enum editor_motion m,
    bool change)
{
	editor_set(e, s);
	e->cursor = at;
	editor_key(e);
	editor_vi_cut(e, m, false, change);
	if (!change)
		editor_onto_char(e);
}

TEST(vi_operators_cut_into_the_kill_buffer)
{
	struct editor e;

	editor_init(&e);
	vi(&e, "one two three", 4, EDITOR_MOTION_WORD_NEXT, false); /* dw */
	CHECK_STR(e.text, "one three");
	CHECK_STR(e.kill, "two ");
	CHECK(e.cursor == 4);
	vi(&e, "one two three", 4, EDITOR_MOTION_WORD_NEXT, true); /* cw */
	CHECK_STR(e.text, "one  three");
	CHECK_STR(e.kill, "two");
	CHECK(e.cursor == 4);
	vi(&e, "one two", 4, EDITOR_MOTION_WORD_NEXT, false); /* last word */
	CHECK_STR(e.text, "one ");
	CHECK(e.cursor == 3);
	vi(&e, "one two\nnext", 4, EDITOR_MOTION_WORD_NEXT, false);
	CHECK_STR(e.text, "one \nnext"); /* never the next line */
	vi(&e, "one two three", 6, EDITOR_MOTION_WORD_PREV, false); /* db */
	CHECK_STR(e.text, "one o three");
	CHECK_STR(e.kill, "tw");
	vi(&e, "one two three", 4, EDITOR_MOTION_WORD_END, false); /* de */
	CHECK_STR(e.text, "one  three");
	vi(&e, "one two three", 4, EDITOR_MOTION_LINE_END, false); /* d$ */
	CHECK_STR(e.text, "one ");
	CHECK(e.cursor == 3); /* on the last character, as vi */
	vi(&e, "one two three", 4, EDITOR_MOTION_LINE_START, false); /* d0 */
	CHECK_STR(e.text, "two three");
	CHECK(e.cursor == 0);
	/* dd: the line; p puts it below, P above. */
	vi(&e, "a\nbb\nc", 3, EDITOR_MOTION_LINE, false);
	CHECK_STR(e.text, "a\nc");
	CHECK_STR(e.kill, "bb");
	CHECK(e.cursor == 2);
	editor_key(&e);
	CHECK(editor_put(&e, true));
	CHECK_STR(e.text, "a\nc\nbb");
	CHECK(e.cursor == 4);
	editor_message_start(&e);
	editor_key(&e);
	CHECK(editor_put(&e, false));
	CHECK_STR(e.text, "bb\na\nc\nbb");
	CHECK(e.cursor == 0);
	/* dd on the last line, and on the only one. */
	vi(&e, "a\nbb", 3, EDITOR_MOTION_LINE, false);
	CHECK_STR(e.text, "a");
	CHECK(e.cursor == 0);
	vi(&e, "only", 1, EDITOR_MOTION_LINE, false);
	CHECK_STR(e.text, "");
	editor_key(&e);
	CHECK(editor_put(&e, true)); /* into the empty message: the text */
	CHECK_STR(e.text, "only");
	/* cc: the line emptied, kept. */
	vi(&e, "a\nbb\nc", 3, EDITOR_MOTION_LINE, true);
	CHECK_STR(e.text, "a\n\nc");
	CHECK(e.cursor == 2);
	/* x then p: two characters swapped (vi's xp). */
	vi(&e, "ab", 0, EDITOR_MOTION_RIGHT, false);
	CHECK_STR(e.text, "b");
	editor_key(&e);
	CHECK(editor_put(&e, true));
	CHECK_STR(e.text, "ba");
	CHECK(e.cursor == 1);
	/* P: before the cursor, the cursor on the last character put. */
	editor_set(&e, "xy");
	e.cursor = 1;
	e.kill_lines = false;
	free(e.kill);
	e.kill = xstrdup("AB");
	e.killlen = 2;
	editor_key(&e);
	CHECK(editor_put(&e, false));
	CHECK_STR(e.text, "xABy");
	CHECK(e.cursor == 2);
	/* Operators replace the buffer: dw dw keeps the last word only. */
	vi(&e, "one two three", 0, EDITOR_MOTION_WORD_NEXT, false);
	editor_key(&e);
	editor_vi_cut(&e, EDITOR_MOTION_WORD_NEXT, false, false);
	CHECK_STR(e.kill, "two ");
	/* A motion that covers nothing: no change, no undo step. */
	vi(&e, "", 0, EDITOR_MOTION_WORD_NEXT, false);
	CHECK(!editor_undo(&e));
	editor_release(&e);
}

int
main(void)
{
	RUN(kills_fill_the_kill_buffer_and_yank_puts_it_back);
	RUN(a_second_kill_to_start_kills_the_whole_message);
	RUN(undo_takes_back_a_word_typed_or_an_edit);
	RUN(undo_keeps_no_copy_of_a_long_paste_per_step);
	RUN(transpose_and_whole_message_motions);
	RUN(history_search_finds_accepts_and_cancels);
	RUN(vi_operators_cut_into_the_kill_buffer);
	return test_done();
}
