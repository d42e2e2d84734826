# ui_lists.sh - the chat's lists at any width: /search draws what it
# matched highlighted; /sessions and /models keep a row to a line at 40,
# 60 and 200 columns (long names cut with a mark, the least useful
# columns giving way); /notices says when each notice came and hangs a
# long one's rows under its text.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

# A model the provider does not have, with a long name: its 404 notice is
# long, and it is the longest id /models lists.
ghost=ghost-$(awk 'BEGIN { for (i = 0; i < 12; i++) printf "longname%d-", i }')end
cat >"$T/script.json" <<EOF2
[ {"model": "$ghost", "status": 404} ]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"
"$MC" --home "$H" ask --session alpha "alpha: please Highlight this word" >/dev/null 2>&1 ||
	fail "ask alpha"
"$MC" --home "$H" ask "a conversation with a rather long title that has to be cut at narrow widths" >/dev/null 2>&1 ||
	fail "ask long title"
sed -i 's/^  "models": \[$/  "models": [\n    { "id": "'"$ghost"'", "provider": "mock", "price": [0, 0], "prior": "gpt-4-1106-preview" },/' "$H/config.json"

ESC=$(printf '\033')
# fits_width FILE COLS: no line of FILE is wider than COLS display columns.
fits_width() { [ "$(LC_ALL=C.UTF-8 wc -L <"$1")" -le "$2" ]; }

mkdir -p "$T/uhome"
UI_COLS=100 ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen"

# 1. /search: the word matched is drawn in another style than the rest
# of its row (an SGR change just before it and just after), whatever its
# case; the heading's words are not.
send "/search highlight"
ui_expect "match(es)? for 'highlight'" "/search finds the message"
TM capture-pane -p -e -t 0 >"$T/e"
if grep "please" "$T/e" | grep -q "${ESC}\[[0-9;]*mHighlight${ESC}"; then
	ok "the match is highlighted in its snippet"
else fail "no highlight: $(grep please "$T/e" | cat -v)"; fi
grep "for 'highlight'" "$T/e" | grep -q "${ESC}\[[0-9;]*mhighlight${ESC}" &&
	fail "the heading's word is highlighted too" || ok "the heading is plain"
# the marks take no column: the row reads as before
ui_expect "alpha +you: +alpha: please Highlight this word$" "the snippet reads whole"
send "/search HIGH"
ui_expect "match(es)? for 'HIGH'" "/search HIGH"
TM capture-pane -p -e -t 0 | grep "you: .*please" | tail -1 | grep -q "${ESC}\[[0-9;]*mHigh${ESC}" &&
	ok "the match whatever its case, only what matched" || fail "HIGH is not highlighted as High"

# 2. /notices: a short notice (Alt-R with nothing to ask again) and the
# ghost's long one (asked first, it fails with 404).
ui_keys M-r
ui_expect "^ ! nothing to ask again" "a first notice"
send "first question"
ui_expect "mock answered HTTP 404 for model" "the long-named model failed"
TM resize-window -t 0 -x 60 -y 30
send "/notices"
ui_expect "┌─ Notices" "/notices opens"
ui_screen >"$T/n"
if grep -q "^ *│ [0-2][0-9]:[0-5][0-9]  nothing to ask again" "$T/n" &&
    grep -q "^ *│ [0-2][0-9]:[0-5][0-9]  mock has no model" "$T/n"; then
	ok "each notice after the time it came"
else fail "no times in /notices"; sed 's/^/  | /' "$T/n"; fi
# The rows after a long notice's first hang under its text (7 columns
# in, after "HH:MM  "): none starts at the time's column.
cont=$(awk '/│ [0-2][0-9]:[0-5][0-9]  mock has no model/ { on = 1; next }
	on && /└/ { exit } on' "$T/n")
if [ -n "$cont" ] && ! printf '%s\n' "$cont" | grep -qv "^ *│        [^ ]"; then
	ok "a long notice's rows hang under its text"
else fail "continuation rows"; sed 's/^/  | /' "$T/n"; fi
ui_keys q
ui_expect_not "┌─ Notices" "q closes it"

# 3. /sessions and /models at 40, 60 and 200 columns.
for cols in 40 60 200; do
	TM resize-window -t 0 -x $cols -y 40
	sleep 0.3
	send "/sessions all" # the long title is a one-off `ask`'s
	ui_expect "Conversations \(last used first" "/sessions at $cols columns"
	ui_screen >"$T/s"
	# each conversation on one row: its number, then (on that row) its title
	if grep -q "^ *[0-9][0-9]*  .*alpha$" "$T/s" &&
	    grep -q "^ *[0-9][0-9]*  .*a conversation with a" "$T/s" &&
	    grep -q "^ *[0-9][0-9]*  .*first question$" "$T/s"; then
		ok "$cols columns: a conversation a row"
	else fail "$cols columns: /sessions rows"; sed 's/^/  | /' "$T/s"; fi
	fits_width "$T/s" $cols && ok "$cols columns: nothing wider" ||
		fail "$cols columns: wider than the window"
	case $cols in
	40) ui_expect "  a conversation with a rat[a-z]*…$" "40 columns: the long title cut with a mark"
	    ui_expect_not "msgs  " "40 columns: the message count gave way" ;;
	60) ui_expect "  [0-9]+  20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} +[0-9]+ msgs  alpha$" "60 columns: every column"
	    ui_expect " msgs  a conversation with…$" "60 columns: the long title cut with a mark" ;;
	200) ui_expect "  [0-9]+  20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} +[0-9]+ msgs  alpha$" "200 columns: every column"
	     ui_expect "  a conversation with a rather long title that has to be cut" "200 columns: the title whole" ;;
	esac
	send "/models"
	ui_expect "^ -!- model +" "/models at $cols columns"
	ui_screen >"$T/m"
	fits_width "$T/m" $cols && ok "$cols columns: /models no wider" ||
		fail "$cols columns: /models wider than the window"
	case $cols in
	40) ui_expect "^ -!- model +\\\$/M out +quality$" "40 columns: the header's columns"
	    ui_expect "^ +cheap +\\\$[0-9.]+ +[01]\.[0-9]{2}$" "40 columns: a row on one line"
	    ui_expect "^ +ghost-lo[a-z0-9-]*… +\\\$0 +[01]\.[0-9]{2}$" "40 columns: the long id cut with a mark" ;;
	60) ui_expect "^ +cheap +mock +\\\$[0-9.]+ +\\\$[0-9.]+ +[01]\.[0-9]{2}±[01]\.[0-9]{2} +[0-9]+$" "60 columns: a row on one line" ;;
	200) ui_expect "^ +ghost-longname0-longname1-longname2-lon… mock " "200 columns: the id column at most 40 wide"
	     ui_expect "^ +cheap +mock +\\\$[0-9.]+ +\\\$[0-9.]+ +[01]\.[0-9]{2}±[01]\.[0-9]{2} +[0-9]+ +(-|[0-9.]+ m?s) +(-|[0-9]+)$" "200 columns: every column" ;;
	esac
	# the providers that need a key are broken between, not inside
	ui_expect "deepseek" "$cols columns: no provider's name broken"
done
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
finish
