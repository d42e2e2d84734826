# ui_editkeys.sh - the input line for readline and vi fingers, through the
# real binary in tmux against the mock provider: C-w and C-y (kills in a
# row make one piece), C-_ undoes, C-b C-f C-t, M-< M->, C-u C-u on a
# pasted draft of 30 lines empties the input and C-y brings it back, C-r
# searches the messages sent (Enter takes one into the input, unsent; Esc
# puts the draft back), M-/ sets a draft aside for a /command, M-e writes
# the message in $VISUAL; then the vi
# map's dw, u, cw, dd, p, D, C and $.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

cat >"$T/script.json" <<'EOF2'
[ { "prompt_contains": "slowly", "drip_ms": 150,
    "reply": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty" } ]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"

ui_start -- --home "$H"
ui_expect "type a message" "the chat is up"

# 1. Kills and yank: C-w twice is one piece, C-y puts it back whole.
ui_type "one two three"
ui_keys C-w C-w
ui_expect "^› one *$" "C-w C-w: two words killed"
ui_keys C-y
ui_expect "^› one two three$" "C-y: both back, in their order"
# C-_ (C-/ sends the same): the yank undone, then the kills.
ui_keys C-_
ui_expect "^› one *$" "C-_: the yank undone"
ui_keys C-_
ui_expect "^› one two *$" "C-_ again: the second kill undone"
ui_keys C-_
ui_expect "^› one two three$" "C-_ again: the first kill undone"
ui_keys C-_
ui_expect "^› one two *$" "C-_ more: what was typed, a word a step"

# 2. C-b, C-f, C-t, M-d, M-< and M->.
ui_keys C-u
ui_type "abcd"
ui_keys C-b C-b C-t
ui_expect "^› acbd$" "C-b twice then C-t: the characters swap"
ui_keys C-a C-f C-f C-f
ui_type "X"
ui_expect "^› acbXd$" "C-a then C-f: a character at a time"
ui_keys C-a M-d
ui_expect "^› *$" "M-d: the word after the cursor killed"
ui_type "top"; ui_keys M-Enter; ui_type "middle"; ui_keys M-Enter
ui_type "bottom"
ui_keys 'M-<'
ui_type ">"
ui_expect "^› >top$" "M-<: the start of the whole message"
ui_keys 'M->'
ui_type "<"
ui_expect "^  bottom<$" "M->: its end"

# 3. A pasted draft of 30 lines: C-u C-u empties the input, C-y brings
# it back whole.
ui_keys C-u C-u
ui_expect_not "top|middle|bottom" "C-u C-u: a message of three lines gone"
i=1; : >"$T/paste"
while [ $i -le 30 ]; do echo "pasted line $i" >>"$T/paste"; i=$((i + 1)); done
printf 'the last line' >>"$T/paste"
TM load-buffer "$T/paste"
TM paste-buffer -p -t 0
ui_expect "paste 31 lines\\? \\(y/n\\)" "the long paste asks"
ui_keys y
ui_expect "the last line$" "the paste is in the input"
ui_keys Up Up
ui_keys C-u C-u
ui_expect "^› *$" "C-u C-u: 31 lines gone, from the middle of them"
ui_expect_not "pasted line" "none of them is left"
ui_keys C-y
ui_expect "the last line$" "C-y: the draft back"
ui_keys Enter
ui_expect "mock reply to: pasted line 1" "the draft yanked back is sent whole"
ui_expect "the last line" "its last line too"

# 4. C-r: the newest message holding the words; C-r again: an older one;
# Enter takes it into the input, not sent; Esc puts the draft back.
send "alpha question"
ui_expect "mock reply to: alpha question" "reply to alpha"
send "beta question"
ui_expect "mock reply to: beta question" "reply to beta"
ui_type "my draft"
ui_keys C-r
ui_expect "search: " "C-r: the search is said on the status bar"
ui_type "quest"
ui_expect "^› beta question$" "the newest message with the words"
ui_expect "search: quest" "the words on the status bar"
ui_keys C-r
ui_expect "^› alpha question$" "C-r again: the one before"
ui_keys Escape
ui_expect "^› my draft$" "Esc: the draft as it was"
ui_expect_not "search: " "and the search is over"
ui_keys C-r
ui_type "alp"
ui_keys Enter
ui_expect "^› alpha question$" "Enter: the message found, in the input"
ui_expect_not "search: " "the search over"
n=$(ui_screen | grep -c "mock reply to: alpha question")
[ "$n" -eq 1 ] && ok "Enter after C-r does not send" ||
	fail "Enter after C-r sent the message ($n replies)"
ui_keys C-_
ui_expect "^› my draft$" "C-_: the draft back"
ui_keys C-r
ui_type "zzz"
ui_expect "search: zzz \\(not found\\)" "words found in no message are said so"
ui_keys C-g
ui_expect "^› my draft$" "C-g gives up the search too"
ui_keys C-u

# 4a. M-/: a /command while a message of two lines is being written; the
# message is set aside (the status bar says so) and back once it has run;
# Esc gives a command up and brings it back too.
ui_type "first line of a draft"
ui_keys M-Enter
ui_type "second line"
ui_keys M-/
ui_expect "^› /$" "M-/: the input is a command"
ui_expect "message set aside · Esc brings it back" "the status bar says where the draft is"
ui_type "model cheap"
ui_keys Enter
ui_expect "PINNED cheap" "the command ran"
ui_expect "^› first line of a draft$" "the draft is back"
ui_expect "^  second line$" "all of it"
ui_expect_not "message set aside" "and the status bar no longer says it is aside"
ui_keys M-/
ui_type "mod"
ui_keys Escape
ui_expect "^› first line of a draft$" "Esc: the command given up, the draft back"
grep -q "first line of a draft" "$MOCK_LOG" 2>/dev/null &&
	fail "the draft was sent" || ok "nothing was sent"
ui_keys C-M-u
send "/model auto"
# A draft that starts with '/' but is a message (// or several lines) is
# set aside too, not wiped.
ui_type "//usr/local is where my draft goes"
ui_keys M-Enter
ui_type "and its second line"
ui_keys M-/
ui_expect "^› /$" "M-/ on a // message: a command line"
ui_keys Escape
ui_expect "^› //usr/local is where my draft goes$" "Esc: the // message back"
ui_expect "^  and its second line$" "both lines"
# /quit with a message set aside says so and keeps the chat; again, quits
# (tested at the end).
ui_keys M-/
ui_type "quit"
ui_keys Enter
ui_expect "the message you set aside is back in the input, unsent" "/quit first says a message is set aside"
ui_expect "^› //usr/local is where my draft goes$" "and it is back"
ui_keys C-M-u
# Another message set aside later is said again (it was said once a run).
ui_type "another draft"
ui_keys M-/
ui_type "quit"
ui_keys Enter
ui_expect "^› another draft$" "/quit with another message set aside: said again, it is back"
ui_keys C-M-u
# Something else typed in the command's place: Esc leaves it be, and the
# status bar says when the message comes back.
ui_type "hint draft"
ui_keys M-/
ui_keys BSpace
ui_type "other text"
ui_expect "message set aside · back when this is sent or cleared" "the status bar: back when this is sent or cleared"
ui_expect_not "Esc brings it back" "not that Esc brings it back"
ui_keys C-M-u
ui_expect "message set aside · Esc brings it back" "cleared: Esc brings it back"
ui_keys Escape
ui_expect "^› hint draft$" "and it does"
ui_keys C-M-u
# With a reply arriving, Esc gives the command up (the draft back) and
# leaves the reply alone.
send "answer slowly please"
ui_expect "one two" "a reply arriving"
ui_type "draft while it streams"
ui_keys M-/
ui_type "mod"
ui_keys Escape
ui_expect "^› draft while it streams$" "Esc brings the draft back"
ui_expect "twenty" "and the reply arrives whole" 10
ui_expect_not "cancelled" "it was not cancelled"
ui_keys C-M-u

# 4b. M-e: the message in $VISUAL (a script standing for the user's
# editor: it keeps what it was given and writes two lines); an editor
# that fails leaves the draft as it was.
cat >"$T/ed.sh" <<'EOF2'
#!/bin/sh
cp "$1" "$1.seen.$$" && mv "$1.seen.$$" "$(dirname "$0")/seen"
echo "$1" >"$(dirname "$0")/seen.path"
grep -q "please fail" "$1" && exit 3
grep -q "please grow" "$1" && { head -c 1100000 /dev/zero | tr '\\0' x >>"$1"; exit 0; }
grep -q "please save" "$1" && { echo "saved words" >"$1"; exit 1; }
grep -q "please wait" "$1" && { sleep 10; exit 0; }
printf 'line one, edited\nline two\n\n' >"$1"
EOF2
chmod +x "$T/ed.sh"
mkdir "$T/tmp"
ui_start VISUAL="$T/ed.sh" TMPDIR="$T/tmp" -- --home "$H"
ui_expect "type a message" "the chat, with VISUAL set"
ui_type "my first words"
ui_keys M-e
ui_expect "^› line one, edited$" "M-e: the editor's text is the message"
ui_expect "^  line two$" "all of it, its last newlines left out"
grep -qx "my first words" "$T/seen" && ok "the editor was given the draft" || fail "the editor saw: $(cat "$T/seen")"
grep -q "^$T/tmp/mixchat-message-.*\.md$" "$T/seen.path" && ok "the draft's file was in TMPDIR" || fail "the file was $(cat "$T/seen.path")"
[ -z "$(ls "$T/tmp")" ] && ok "no file left behind (in TMPDIR)" || fail "left in TMPDIR: $(ls "$T/tmp")"
ui_keys C-M-u
ui_type "please fail"
ui_keys M-e
ui_expect "the editor \(.*ed.sh\) failed: the message is as it was" "an editor that fails is said"
ui_expect "^› please fail$" "and the draft is kept"
ui_keys C-u
# What the editor saved is the user's: too big to be a message, or saved
# by an editor that then failed, it is kept in its file, and said where.
ui_type "please grow"
ui_keys M-e
ui_expect "larger than 1048576 bytes; your text is kept there" "a text too big for a message is said"
ui_expect "^› please grow$" "the draft as it was"
n=$(ls "$T/tmp" | wc -l)
[ "$n" = 1 ] && [ "$(wc -c <"$T/tmp"/mixchat-message-*)" -gt 1000000 ] &&
	ok "and the editor's file is kept" || fail "files in TMPDIR: $(ls -l "$T/tmp")"
rm -f "$T/tmp"/*
ui_keys C-u
ui_type "please save"
ui_keys M-e
ui_expect "failed: the message is as it was; what it saved is kept" \
	"an editor that saved and failed: its text is kept"
ui_keys C-u
send "/notices"
ui_expect "$T/tmp/mixchat-message-" "/notices says where"
ui_keys q
grep -qx "saved words" "$T/tmp"/mixchat-message-* && ok "that file has what it saved" ||
	fail "files in TMPDIR: $(ls -l "$T/tmp")"
rm -f "$T/tmp"/*
ui_keys C-u
# Ctrl-C and Ctrl-\ while the editor runs are the editor's: it stops,
# the chat goes on with the draft (Ctrl-C quit it, Ctrl-\ killed it).
for k in C-c 'C-\'; do
	ui_type "please wait"
	ui_keys M-e
	sleep 0.5
	ui_keys "$k"
	ui_expect "the editor \(.*ed.sh\) failed: the message is as it was" "$k in the editor stops the editor"
	ui_expect "^› please wait$" "$k: the chat goes on, the draft kept"
	ui_keys C-u
done

# 5. The vi map: operators, p, u, and $ onto the last character.
sed -i 's/^{$/{ "keys": "vi",/' "$H/config.json"
ui_start -- --home "$H"
ui_expect " INSERT " "the vi map"
ui_type "one two three"
ui_keys Escape
ui_expect " NORMAL " "normal mode"
ui_type "0dw"
ui_expect "^› two three$" "dw: the word and its blank"
ui_type "u"
ui_expect "^› one two three$" "u: undone"
ui_type "wcw"
ui_expect " INSERT " "cw: insert mode"
ui_type "2"
ui_keys Escape
ui_expect " NORMAL " "Esc (a key right after it would be an Alt key)"
ui_expect "^› one 2 three$" "cw: the word changed, its blank kept"
ui_type "\$"
x=$(TM display -p -t 0 '#{cursor_x}')
[ "$x" = "12" ] && ok "\$: the cursor on the last character" ||
	fail "\$: the cursor at column $x, not on the last character (12)"
ui_type "0D"
ui_expect "^› *$" "D: to the end of the line"
ui_type "p"
ui_expect "^› one 2 three$" "p: what D deleted, put back"
ui_type "0D"
ui_expect "^› *$" "D again: the line empty"
ui_type "A"
ui_type "first"; ui_keys M-Enter; ui_type "second"
ui_keys Escape
ui_expect " NORMAL " "normal mode again"
ui_type "dd"
ui_expect_not "second" "dd: the line gone"
ui_expect "^› first$" "the other line stays"
ui_type "p"
ui_expect "^  second$" "p: the line put below"
ui_type "0C"
ui_type "new"
ui_keys Escape
ui_expect " NORMAL " "Esc after C"
ui_expect "^  new$" "C: the line changed"
ui_type "0x"
ui_expect "^  ew$" "x still deletes a character"
ui_type "5"
ui_expect "nothing to rate yet" "a digit still rates (no reply here), not a count"

finish
