# ui_titlebar.sh - the title bar gives way in one fixed order as the
# window narrows: first "mixchat · ", then the mode, then "pinned: ",
# then the count's word, then the pinned model is cut with "…"; the
# conversation's name is cut last and never vanishes, and no bar starts
# with a separator.  Narrower never shows a part a wider one dropped.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"
sed -i 's/^  "models": \[$/  "models": [\n    { "id": "expensive-model-with-a-long-name", "provider": "mock", "price": [10, 30], "prior": "gpt-4-1106-preview" },/' "$H/config.json"

NAME="please explain how the tides work in detail"
# title_at COLS: the title bar's first line at COLS columns.
title_at() {
	TM resize-window -t 0 -x "$1" -y 15
	sleep 0.4
	ui_screen | head -1 | sed 's/ *$//'
}
# check_widths PIN: from 140 down to 16 columns, every part a width
# shows was shown at every wider one, the name is there, no leading sep.
check_widths() {
	prev_parts="mixchat mode label word"
	bad=""
	for c in 140 120 100 90 80 70 60 50 45 40 35 30 25 20 16; do
		line=$(title_at "$c")
		echo "$c: $line" >>"$T/widths"
		parts=""
		case "$line" in " mixchat · "*) parts="$parts mixchat" ;; esac
		case "$line" in *" · balanced"*) parts="$parts mode" ;; esac
		case "$line" in *"pinned: "*) parts="$parts label" ;; esac
		case "$line" in *" messages") parts="$parts word" ;; esac
		for p in $parts; do
			case " $prev_parts " in *" $p "*) ;; *) bad="$bad $c:$p" ;; esac
		done
		prev_parts="$parts"
		case "$line" in " · "* | "  · "*) bad="$bad $c:leading-sep" ;; esac
		case "$line" in " p"* | " mixchat · p"*) ;; *) bad="$bad $c:no-name" ;; esac
	done
	[ -z "$bad" ] && ok "$1: monotone, the name always there, never a leading ·" ||
		{ fail "$1: $bad"; sed 's/^/  | /' "$T/widths"; }
	rm -f "$T/widths"
}

UI_ROWS=15 ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "/model expensive-model-with-a-long-name"
send "$NAME"
ui_expect "^ +expensive-model-with-a-long-name \(pinned\) · " "a reply from the long pinned model"

line=$(title_at 40)
case "$line" in " please"*) ok "40 columns: the name is there" ;;
*) fail "40 columns: no name: '$line'" ;; esac
case "$line" in *" · expensi"*"…"*) ok "40 columns: the pinned model is cut with …" ;;
*) fail "40 columns: the pin not cut: '$line'" ;; esac
line=$(title_at 100)
case "$line" in *"$NAME"*) ok "100 columns: the name whole before the mode and label" ;;
*) fail "100 columns: the name cut: '$line'" ;; esac
check_widths "a long pinned model"

send "/model cheap"
sleep 0.3
TM resize-window -t 0 -x 120 -y 15
ui_expect "^ mixchat · please" "/model cheap at 120 columns: the program's name"
check_widths "a short pinned model"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
finish
