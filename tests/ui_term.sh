# ui_term.sh - terminals that say less than xterm: under TERM=screen-256color
# (GNU screen's, and many a .tmux.conf's) terminfo names no Alt- or
# Ctrl-arrow, yet tmux and screen send xterm's sequences for them: Alt-Up
# selects a reply and nothing of a sequence is typed into the message; a
# sequence no key has (Shift-F1) and a pasted colour code leave nothing
# behind; TERM=dumb, which cannot move its cursor, is refused with words.
# And, while a reply taller than the pane is read: Alt-Down with no reply
# below goes to the end, not up to that reply's start.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

tall=$(awk 'BEGIN { for (i = 1; i <= 60; i++) printf "tall line %d\\n", i }')
big=$(awk 'BEGIN { for (i = 0; i < 20000; i++) printf "word " }')
cat >"$T/script.json" <<EOF2
[
  {"prompt_contains": "tall", "reply": "$tall"},
  {"prompt_contains": "big", "reply": "$big"}
]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"

ui_start TERM=screen-256color -- --home "$H"
ui_expect "F1 keys" "the chat under TERM=screen-256color"
send "first question"
ui_expect "mock reply to: first question" "a reply"
send "second question"
ui_expect "mock reply to: second question" "another"
ui_keys M-Up
ui_expect "reply 1/2" "Alt-Up selects the reply above"
# On a half-width pane the selection keeps its place on the status bar
# (the last reply's model gives way to it, not the other way round).
TM resize-window -t 0 -x 64 -y 30
sleep 0.5
ui_expect "reply 1/2 · [0-9]+\.[0-9]+ " "64 columns: the status bar still names the selected reply"
ui_expect_not "\[(cheap|mid|expensive)\]" "the model gives way"
TM resize-window -t 0 -x 100 -y 30
sleep 0.5
ui_keys M-Down
ui_expect "reply 2/2" "Alt-Down the one below"
ui_type "ab cd"
ui_keys C-Left S-F1 M-PPage C-Up
ui_type "X"
ui_expect "^› ab Xcd$" "Ctrl-Left moves a word; Shift-F1, Alt-PgUp, Ctrl-Up type nothing"
ui_keys C-u C-k
# The last reply taller than the pane, scrolled up into it: Alt-Down has
# no reply below to go to, and goes to the end.
send "tall please"
ui_expect "^ +tall line 60$" "a reply taller than the pane"
ui_keys PPage
ui_expect "-MORE\([0-9]+\)-" "scrolled up into it"
ui_keys M-Down
ui_expect "^ +tall line 60$" "Alt-Down with nothing below: at the end again"
ui_expect_not "-MORE\(|^ you tall please" "not scrolled up to the reply's start"
# A paste holding colour codes and keys: the sequences go whole.
printf 'log \033[31mred\033[0m text\nnext \033[1;2Pline' >"$T/paste"
TM load-buffer "$T/paste"
TM paste-buffer -p -t 0
ui_expect "^› log red text$" "a pasted colour code leaves nothing behind"
ui_expect "^  next line$" "nor a key's sequence"
ui_keys C-d
ui_exit_status >/dev/null

# Copying a 100 KB reply inside a tmux whose client exits at once (an old
# tmux without load-buffer -w, a server gone): the pipe's reader is gone,
# and the chat goes on (it died of SIGPIPE).
mkdir "$T/fakebin"
printf '#!/bin/sh\nexit 1\n' >"$T/fakebin/tmux"
chmod +x "$T/fakebin/tmux"
ui_start PATH="$T/fakebin:$PATH" -- --home "$H"
ui_expect "F1 keys" "a chat whose tmux command fails"
send "big reply"
ui_expect " · [0-9]+ tok" "a long reply, finished" 15
ui_keys M-c
ui_expect "copied" "Alt-C says what it copied"
send "still there"
ui_expect "mock reply to: still there" "the chat goes on after the copy"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "and quits as usual" || fail "exit status $(ui_exit_status)"

# TERM=dumb: refused, with what works instead.
ui_start TERM=dumb -- --home "$H"
ui_wait "cannot show the chat" 5
ui_screen -J >"$T/screen"
expect_grep "$T/screen" "this terminal (TERM=dumb) cannot show the chat: it cannot move its cursor; .mixchat.* ask. works anywhere" "TERM=dumb is refused, and ask offered"
[ "$(ui_exit_status)" = 1 ] && ok "exit 1" || fail "exit status $(ui_exit_status)"
finish
