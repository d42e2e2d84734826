# ui_vi.sh - the vi key map as a vi user meets it, against the mock
# provider: a message sent from normal mode leaves the next one in insert
# mode (as bash's and zsh's vi modes do after accept-line), so what is
# typed next is text, never commands; w, b, e, $ and x move and delete as
# in vi.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

cat >"$T/script.json" <<'EOF2'
[ { "prompt_contains": "slowly", "drip_ms": 150,
    "reply": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty" } ]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"
sed -i 's/^{$/{ "keys": "vi",/' "$H/config.json"

ui_start -- --home "$H"
ui_expect " INSERT " "the vi map starts in insert mode"

# 1. Sent from normal mode: the next message is typed in insert mode.
ui_type "normal send test"
ui_keys Escape
ui_expect " NORMAL " "Esc: normal mode"
ui_keys Enter
ui_expect "mock reply to: normal send test" "Enter in normal mode sends"
ui_expect " INSERT " "after sending, insert mode again"
ui_type "great answer"
ui_expect "^› great answer$" "what is typed next is text, not commands"
ui_keys C-u
# 2. Motions as in vi: w to the start of the next word, b back to the
# start of one, e to a word's end, $ onto the last character (so $x
# deletes it), x at the end of the line.
ui_type "one two three"
ui_keys Escape
ui_expect " NORMAL " "normal mode (a key right after Esc would be an Alt key)"
ui_type "0wx"
ui_expect "^› one wo three$" "w: the start of the next word"
ui_type "bx"
ui_expect "^› ne wo three$" "b: the start of a word"
ui_type "ex"
ui_expect "^› n wo three$" "e: the end of a word"
ui_type "\$x"
ui_expect "^› n wo thre$" "\$x: the last character deleted"
ui_type "x"
ui_expect "^› n wo thr$" "x at the end: the new last character"
ui_type "A"
ui_keys C-u
# W, B, E: words between blanks (a path is one word); I inserts at the
# start of the line.
ui_type "see a/b.c now"
ui_keys Escape
ui_expect " NORMAL " "normal mode again"
ui_type "0Wx"
ui_expect "^› see /b.c now$" "W: the start of the next word between blanks"
ui_type "Ex"
ui_expect "^› see /b. now$" "E: the end of a word between blanks"
ui_type "Bx"
ui_expect "^› see b. now$" "B: back to the start of a word between blanks"
ui_type "Iso "
ui_expect "^› so see b. now$" "I: insert at the start of the line"
ui_expect " INSERT " "I leaves insert mode on"
ui_keys C-u
# A bare digit in normal mode rates the reply (keys/vi.keys): said on the
# status bar, so a vi count typed by habit ("3x") is seen at once.
ui_keys Escape
ui_type "3"
ui_expect "rated 3/5" "a digit in normal mode rates, and the status bar says so"

# 1b. Esc and ':' at once (read as Alt-:, as a fast hand in tmux sends
# them): Esc, then ':', as vim takes them.
ui_keys Escape
ui_type "ddi"
ui_expect "^› *$" "an empty input, in insert mode"
ui_type "vi draft"
ui_keys Escape :
ui_expect "^› /$" "Esc : at once: a command line"
ui_expect "message set aside" "the draft set aside"
ui_keys C-c
ui_expect "^› vi draft$" "and back"
ui_keys Escape
ui_type "dd"

# 2. Esc twice by habit while a reply arrives does not stop it (normal
# mode's Esc dismisses; C-c cancels).
ui_type "i"
send "answer slowly please"
ui_expect "one two" "a slow reply arrives"
ui_keys Escape
sleep 0.1
ui_keys Escape
ui_expect " NORMAL " "normal mode"
ui_expect "twenty" "Esc in normal mode left the reply alone: it ended" 10
ui_expect_not "cancelled" "nothing was cancelled"
ui_type "i"
send "answer slowly again"
ui_expect "one two" "another slow reply"
ui_keys C-c
ui_expect "cancelled" "C-c cancels it"

finish
