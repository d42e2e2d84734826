# ui_rows.sh - tables the chat printed (/why, /models, /search) keep
# their rows when the terminal is made narrower: each row cut with "…" at
# the pane's edge, not wrapped as prose (a row broke into pieces under
# each other, "$0.20" and "0.47±0.57" on lines of their own).
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"
UI_COLS=110 ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "hello there"
ui_expect "^ +[a-z]+ · \\\$" "a reply"
send "/why"
ui_expect "^ +model +quality +cost +latency" "/why's table"
send "/models"
ui_expect "^ -!- model +provider" "/models' table"
send "/search hello"
ui_expect "matches for 'hello'" "/search's list"
TM resize-window -t 0 -x 50 -y 40
sleep 0.5
ui_screen >"$T/narrow"
for m in cheap mid expensive; do
	[ "$(grep -c -E "^ +(▶ )?$m +([0-9$]|mock)" "$T/narrow")" -ge 2 ] &&
		ok "$m: a row in /why and in /models" ||
		fail "$m's rows: $(grep -n "$m" "$T/narrow")"
done
grep -q -E "^ +cheap +mock +\\\$0\\.20 +\\\$0\\.20 +0\\.[0-9]…$" "$T/narrow" &&
	ok "a /models row is cut with … at the edge" || fail "no cut /models row"
grep -q -E "^ +(\\\$[0-9.]+ +)?[01]\\.[0-9]{2}(±|\\+-)[01]\\.[0-9]{2}" "$T/narrow" &&
	fail "a /models row wrapped: $(cat "$T/narrow")" || ok "no /models row wrapped onto a line of its own"
grep -q -E "^ +[0-9]+\\.[0-9]+ +hello there +reply: .*…$" "$T/narrow" &&
	ok "a /search row is cut too" || fail "no cut /search row: $(grep -n 'hello' "$T/narrow")"
fits_width() { [ "$(LC_ALL=C.UTF-8 wc -L <"$1")" -le "$2" ]; }
fits_width "$T/narrow" 50 && ok "nothing wider than the pane" || fail "wider than 50 columns"
# Prose in the same note still wraps: the key line under /models.
grep -q "whose models you" "$T/narrow" && ok "the note's prose wraps as before" ||
	fail "prose of /models: $(grep -n 'PROVIDER' "$T/narrow")"
# Narrow, the picked reply is still named on the status bar: its place
# alone when "reply N/M · ID" does not fit.
TM resize-window -t 0 -x 46 -y 40
send "second question"
ui_expect "mock reply to: second" "a second reply"
ui_keys M-Up
ui_expect " reply 1/2 " "at 46 columns the status bar still names the picked reply"
# At its narrowest /models drops the input price and gives its room to
# the ids (they were cut to 6 columns with 14 free).
TM resize-window -t 0 -x 36 -y 40
sleep 0.5 # laid out for the new width before the command runs
send "/models"
ui_expect "^ +expensive +\\\$30\.00" "/models at 36 columns: ids whole"
# Tables take the whole pane, prose the reading width.
ui_keys C-d
ui_exit_status >/dev/null
sed -i 's/"budget":/"reading_width": 40, "budget":/' "$H/config.json"
UI_COLS=120 ui_start -- --home "$H"
ui_expect "F1 keys" "the chat again, reading width 40"
send "/models"
ui_expect "^ -!- model +provider +\\\$/M in +\\\$/M out +quality +rtgs +1st tok +tok/s$" "/models lays out for the pane, not the reading width"
finish
