# ui_paste_guess.sh - a paste on a terminal that does not bracket pastes
# (GNU screen before 5.0: STY set, not inside tmux; the Linux console)
# arrives as typed keys, Enter at each line's end.  Sent line by line it
# would be one paid message a line; mixchat takes an Enter with keys right
# behind it (and the paste's last Enter) as a new line in the message,
# which the user then sends.  An Enter typed alone still sends, and in
# tmux (which brackets pastes) nothing of this applies.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"

# As in GNU screen: STY set, TMUX not.
ui_start STY=1234.pts-0.host TMUX= -- --home "$H"
ui_expect "F1 keys" "the chat, as in GNU screen"
# A paste: three lines and a trailing newline, in one write.
TM send-keys -t 0 -l "$(printf 'first pasted line\rsecond pasted line\rthird pasted line\r')"
ui_expect "^› first pasted line$" "the paste is in the input"
ui_expect "^  third pasted line$" "all of its lines"
x=$(TM display -p -t 0 '#{cursor_x}')
[ "$x" = "19" ] && ok "the cursor at the end of the last line (its newline dropped)" ||
	fail "the cursor at column $x, not 19"
sleep 0.5
grep -q "pasted line" "$MOCK_LOG" 2>/dev/null &&
	fail "a pasted line was sent" || ok "nothing was sent line by line"
# Then Enter, typed alone: the message goes, whole.
sleep 0.3
ui_keys Enter
ui_expect "mock reply to: first pasted line" "Enter sends it"
n=$(grep -c '"method":"POST"' "$MOCK_LOG")
[ "$n" = 1 ] && ok "as one message" || fail "$n requests for one paste"
grep -q 'first pasted line\\\\nsecond pasted line\\\\nthird pasted line' "$MOCK_LOG" &&
	ok "with its three lines" || fail "the message sent: $(tail -c 400 "$MOCK_LOG")"
# A message typed and sent as usual.
send "typed alone"
ui_expect "mock reply to: typed alone" "an Enter typed alone sends"
ui_keys C-d
ui_exit_status >/dev/null

# In tmux (TMUX set: pastes come bracketed) an Enter in a burst sends, as
# before: the guess is for terminals that need it.
: >"$MOCK_LOG"
ui_start STY=1234.pts-0.host -- --home "$H"
ui_expect "F1 keys" "the chat in tmux"
TM send-keys -t 0 -l "$(printf 'one burst\r')"
ui_expect "mock reply to: one burst" "in tmux an Enter sends"
ui_keys C-d
ui_exit_status >/dev/null
finish
