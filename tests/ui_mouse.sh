# ui_mouse.sh - the mouse and Ctrl-Z, as a user meets them: /mouse gives the
# wheel and clicks to mixchat (the terminal's own selection otherwise), a
# wheel notch scrolls three lines, a click selects the reply under it so
# that Alt-4 rates that one, "mouse": true in config.json starts with it on
# and a bad value is named; Ctrl-Z in an interactive shell stops mixchat,
# `fg` brings the screen back and the chat goes on.
#
# The wheel and clicks are sent as the bytes an xterm sends in SGR mouse
# mode (ESC [ < button ; column ; row M), which is what curses asks tmux's
# xterm-256color for.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"
wheel_up() { ui_type "$(printf '\033[<64;20;10M')"; }
wheel_down() { ui_type "$(printf '\033[<65;20;10M')"; }
# click ROW: a left press and release on screen row ROW (1-based), apart
# as a hand makes them.
click() {
	ui_type "$(printf '\033[<0;20;%dM' "$1")"
	sleep 0.1
	ui_type "$(printf '\033[<0;20;%dm' "$1")"
	sleep 0.1
}

# 1. Mouse off (the default): the wheel's bytes do nothing to the view.
# The idle wake-up is stretched to a minute: a key that curses holds
# after a click (the button's release is no key) must be read at once, not
# at the next wake-up (Alt-4 right after a click once took a second).
ui_start MIXCHAT_TEST_IDLE_MS=60000 -- --home "$H"
ui_expect "type a message" "the chat is up"
for i in 1 2 3 4 5 6 7 8 9; do
	send "question number $i"
	ui_expect "mock reply to: question number $i" "reply $i"
done
send "/mouse"
ui_expect "mouse on: the wheel scrolls, a click selects a reply" "/mouse turns it on"
wheel_up
ui_expect "-MORE\(3\)-" "a wheel notch up scrolls three lines"
wheel_up
ui_expect "-MORE\(6\)-" "another notch, three more"
wheel_down
ui_expect "-MORE\(3\)-" "a notch down comes back three"
wheel_down
ui_expect_not "-MORE" "back at the end"

# 2. A click selects the reply under it; Alt-4 then rates that one.
ui_screen >"$T/s"
row=$(grep -n "mock reply to: question number 7$" "$T/s" | cut -d: -f1)
if [ -n "$row" ]; then
	click "$row"
	ui_type "x"
	ui_expect "^› x *$" "a key typed right after a click is read at once"
	ui_keys BSpace
	ui_keys M-4
	ui_expect "^ +▌? *(cheap|mid|expensive) · .* · ★★★★☆ 4/5$" "Alt-4 after a click rates a reply"
	ui_screen >"$T/s"
	rated=$(grep -n "★★★★☆ 4/5" "$T/s" | cut -d: -f1)
	# The footer of the clicked reply is the line after its text.
	[ "$rated" = "$((row + 1))" ] && ok "the clicked reply is the one rated" ||
		{ fail "clicked row $row, rated row $rated"; sed 's/^/  | /' "$T/s"; }
	"$MC" --home "$H" ratings export >"$T/r.jsonl" 2>/dev/null
	grep -q '"score":4' "$T/r.jsonl" && grep -q 'question number 7' "$T/r.jsonl" &&
		ok "the rating is stored for question 7" ||
		fail "ratings: $(cat "$T/r.jsonl")"
else
	fail "question 7's reply is not on screen"; sed 's/^/  | /' "$T/s"
fi
send "/mouse off"
ui_expect "mouse off: the terminal selects text as usual" "/mouse off"
wheel_up
ui_expect_not "-MORE" "with the mouse off the wheel does not scroll"
ui_keys C-u
send "/mouse sideways"
ui_expect "/mouse: 'sideways'\? use /mouse on or /mouse off" "/mouse with a bad word"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 3. "mouse": true in config.json: on from the start; a bad value named.
sed -i 's/"budget":/"mouse": true,\n  "budget":/' "$H/config.json"
ui_start -- --home "$H"
ui_expect "type a message" "started with \"mouse\": true"
# Up recalls what was asked in the chat before this one (not its
# /commands, which are not messages).
ui_keys Up
ui_expect "^› question number 9 *$" "Up recalls the last message of the last chat"
ui_keys C-u
# Each reply waited for: a message sent while one arrives is refused (a
# slow build, ASan, may take longer than typing).
for i in 1 2 3 4 5 6 7 8 9; do
	send "again $i"
	ui_expect "mock reply to: again $i\$" "reply $i"
done
ui_expect "mock reply to: again 9" "nine more replies"
wheel_up
ui_expect "-MORE\(3\)-" "the wheel scrolls from the start"
# Started by tmux itself, not from a shell with job control: Ctrl-Z has
# nothing to return to, and says so (it did nothing, silently).
ui_keys C-z
ui_expect "not suspended: no shell with job control started mixchat" "Ctrl-Z without job control says why it does nothing"
send "after ctrl-z"
ui_expect "mock reply to: after ctrl-z" "and the chat goes on"
ui_keys C-d
ui_exit_status >/dev/null
sed -i 's/"mouse": true/"mouse": "yes"/' "$H/config.json"
expect_exit 1 "\"mouse\": \"yes\" is refused" -- "$MC" --home "$H" route hello
expect_grep "$T/err" "mouse.*expected true or false" "the error names the field"
sed -i '/"mouse"/d' "$H/config.json"

# 4. Ctrl-Z in an interactive shell stops mixchat; fg brings it back.
if command -v bash >/dev/null 2>&1; then
	TM kill-server >/dev/null 2>&1
	SOCK="$SOCK_BASE-shell"
	TM new-session -d -x 100 -y 30 \
	    "env -i PATH=\"$PATH\" HOME=\"$T\" TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 PS1='shell\$ ' bash --norc --noprofile -i"
	ui_expect '^shell\$' "an interactive shell"
	ui_type "'$MC' --home '$H'"; ui_keys Enter
	ui_expect "type a message" "mixchat from the shell"
	send "before the stop"
	ui_expect "mock reply to: before the stop" "a reply before Ctrl-Z"
	ui_keys C-z
	ui_expect "Stopped +.*mixchat" "Ctrl-Z stops it: the shell says so"
	ui_type "fg"; ui_keys Enter
	ui_expect "mock reply to: before the stop" "fg: the conversation is back on the screen"
	send "after the stop"
	ui_expect "mock reply to: after the stop" "and the chat goes on"
	ui_keys C-d
	ui_expect '^shell\$ *$' "quit back to the shell"
else
	echo "SKIP part 4: no bash for an interactive shell with job control"
fi
finish
