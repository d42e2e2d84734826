# ui_width.sh - the reading width: on a wide terminal a reply's prose
# wraps at "reading_width" columns (100 by default), left where the
# labels are, while a ``` block and a table still take the whole pane;
# 0 turns it off, and a narrower pane wraps at its own width as before.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

# A paragraph of 600 columns, a line of code of 160 and a table of about
# 150 columns.
para=$(awk 'BEGIN { for (i = 0; i < 100; i++) printf "words%02d ", i }')
code=$(awk 'BEGIN { printf "x = [";
	for (i = 0; i < 30; i++) printf "%d, ", 1000 + i; printf "0]" }')
cell=$(awk 'BEGIN { for (i = 0; i < 6; i++) printf "column-text-%d ", i }')
cat >"$T/script.json" <<EOF2
[ {"prompt_contains": "wide", "reply": "$para\n\n\`\`\`\n$code\n\`\`\`\n\n| first | second |\n|---|---|\n| $cell | $cell |\n\nthe end"} ]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"

# widest FILE: the most display columns of a line of FILE.
widest() { LC_ALL=C.UTF-8 wc -L <"$1"; }
# rows_of PATTERN: the rows of the screen ($T/s) that match.
check_layout() { # COLS CAP (0: none) WHAT
	ui_screen >"$T/s"
	# the paragraph's rows: those with words in them
	grep "words[0-9]" "$T/s" >"$T/p"
	w=$(widest "$T/p")
	if [ "$2" -gt 0 ]; then
		[ "$w" -le $((5 + $2)) ] && [ "$w" -gt $((5 + $2 - 12)) ] &&
			ok "$3: prose wraps at $2 columns ($w with the gutter)" ||
			{ fail "$3: prose $w columns wide"; sed 's/^/  | /' "$T/p"; }
	else
		[ "$w" -gt 150 ] && ok "$3: prose takes the pane ($w)" ||
			{ fail "$3: prose only $w wide"; sed 's/^/  | /' "$T/p"; }
	fi
	# all of the paragraph is there, in order
	[ "$(tr -s ' \n' '  ' <"$T/p" | grep -o 'words[0-9]*' | tr '\n' ' ')" = "$para" ] &&
		ok "$3: every word of it" || fail "$3: words lost: $(cat "$T/p")"
	grep -q "^     x = \[1000, .*1029, 0\]$" "$T/s" &&
		ok "$3: the line of code on one row" ||
		{ fail "$3: the code line"; sed 's/^/  | /' "$T/s"; }
	grep -q "^     first  *│ second *$" "$T/s" &&
		grep -q "^     column-text-0 .*│ column-text-0 .*column-text-5 *$" "$T/s" &&
		ok "$3: the table in columns" ||
		{ fail "$3: the table"; sed 's/^/  | /' "$T/s"; }
	[ "$(widest "$T/s")" -le "$1" ] && ok "$3: nothing wider than the window" ||
		fail "$3: wider than $1"
}

# 1. 250 columns, the default: prose at 100, code and table across.
UI_COLS=250 UI_ROWS=40 ui_start -- --home "$H"
ui_expect "F1 keys" "a 250-column chat"
send "wide please"
ui_expect "the end" "the reply"
check_layout 250 100 "250 columns"
# A note is prose too.
ui_expect "^ -!- mixchat [0-9.]+: type a message" "the welcome note"
[ "$(grep -A3 -- '-!- mixchat' "$T/s" | LC_ALL=C.UTF-8 wc -L)" -le 105 ] &&
	ok "a note wraps at the reading width" || fail "the welcome note is wider"
# 2. narrowed to 80: everything at the pane's width, as before.
TM resize-window -t 0 -x 80 -y 40
sleep 0.4
ui_screen >"$T/s"
grep "words[0-9]" "$T/s" >"$T/p"
[ "$(widest "$T/p")" -le 80 ] && [ "$(widest "$T/p")" -gt 66 ] &&
	ok "80 columns: prose at the pane's width" || fail "80 columns: $(widest "$T/p")"
ui_keys C-d
ui_exit_status >/dev/null

# 3. "reading_width": 0 turns it off; 60 narrows it.
sed -i 's/^  "budget":/  "reading_width": 0,\n  "budget":/' "$H/config.json"
UI_COLS=250 UI_ROWS=40 ui_start -- --home "$H"
ui_expect "F1 keys" "reading_width 0"
send "wide again"
ui_expect "the end" "the reply"
check_layout 250 0 "reading_width 0"
ui_keys C-d
ui_exit_status >/dev/null
sed -i 's/"reading_width": 0/"reading_width": 60/' "$H/config.json"
UI_COLS=250 UI_ROWS=40 ui_start -- --home "$H"
ui_expect "F1 keys" "reading_width 60"
send "wide once more"
ui_expect "the end" "the reply"
check_layout 250 60 "reading_width 60"
ui_keys C-d
ui_exit_status >/dev/null
# 4. Not a number of columns: said, as any bad setting.
sed -i 's/"reading_width": 60/"reading_width": "wide"/' "$H/config.json"
expect_exit 1 "reading_width must be a number" -- "$MC" --home "$H" ask hello
expect_grep "$T/err" "reading_width: expected a whole number" "the error names the setting"
finish
