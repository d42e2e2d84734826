# ui_popup.sh - a popup stands clear of the chat: a blank column each
# side of its frame and a blank row above and below when the pane has
# them, and the frame centred.  The keys popup (F1): its key column as
# wide as the longest keys, and where the view is in one form at every
# width ("1-10 of 68 · Esc closes" when the keys that move do not fit).
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"

# margins COLS [ROWS]: the popup on screen, read in ASCII; prints what
# is wrong with its margins (nothing when they are right).  With ROWS,
# the rows above and below must be blank too.
margins() {
	ui_screen | LC_ALL=C.UTF-8 sed 's/[│┌┐└┘]/|/g; s/[^ -~]/?/g' |
	    awk -v cols="$1" -v rows="${2:-0}" '
	{ line[NR] = sprintf("%-" cols "s", $0) }
	END {
		for (r = 2; r <= NR && top == 0; r++) {
			x = index(line[r], "|?")
			if (x > 0) top = r
		}
		if (top == 0) { print "no popup"; exit }
		right = x
		for (c = x + 1; c <= cols; c++)
			if (substr(line[top], c, 1) == "|") right = c
		for (r = top; r <= NR && substr(line[r], x, 1) == "|"; r++)
			bottom = r
		for (r = top; r <= bottom; r++) {
			if (x > 1 && substr(line[r], x - 1, 1) != " ")
				print "row " r ": text left of the frame"
			if (right < cols && substr(line[r], right + 1, 1) != " ")
				print "row " r ": text right of the frame"
		}
		if (x - 1 < 1) print "no column left of the frame"
		if (cols - right < 1) print "no column right of the frame"
		d = (x - 1) - (cols - right)
		if (d != 0)
			print "not centred: " x - 1 " left, " cols - right " right"
		if (rows) {
			w = right - x + 3
			if (substr(line[top - 1], x - 1, w) !~ /^ *$/)
				print "text on the row above"
			if (substr(line[bottom + 1], x - 1, w) !~ /^ *$/)
				print "text on the row below"
		}
	}'
}
check() {
	out=$(margins "$@")
	if [ -z "$out" ]; then ok "$MSG"; else
		fail "$MSG: $out"; ui_screen | sed 's/^/  | /'; fi
}

UI_COLS=60 UI_ROWS=45 ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"
words="expensive"; i=0
while [ $i -lt 6 ]; do words="$words $words"; i=$((i + 1)); done
send "$words"
ui_expect "^ +[a-z]+ · " "a reply"
send "$words"
sleep 0.5
send "$words"
sleep 1
ui_keys F1
ui_expect "Keys" "F1: the keys popup"
MSG="60 columns: a blank column each side of the keys popup, centred" check 60
ui_expect "─ 1-[0-9]+ of [0-9]+ · ↑↓ PgUp PgDn · Esc or q closes ─" "60 columns: where the view is, the keys, what closes it"
ui_keys Escape; sleep 0.3
# Taller: at 60 columns /help's rows no longer fit 45 (/rate, /reask,
# /select, /rename, /delete).
TM resize-window -t 0 -x 60 -y 56
sleep 0.5
send "/help"
ui_expect "─ Commands " "/help: a popup shorter than the pane"
MSG="60 columns: a short popup has blank rows above and below too" check 60 rows
ui_keys Escape; sleep 0.3
TM resize-window -t 0 -x 40 -y 15
sleep 0.5
ui_keys F1
ui_expect "Keys" "F1 at 40 columns"
MSG="40 columns: the keys popup keeps its margins" check 40
# The keys' column as wide as the longest keys, not 18: a description
# keeps its row.
ui_expect "│   PgUp +scroll up a page +│" "40 columns: the key column leaves a description its row"
# The same words as wider, less the keys that move.
ui_expect "─ 1-[0-9]+ of [0-9]+ · Esc closes ─" "40 columns: where the view is in the same form"
ui_keys Escape; sleep 0.3
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
finish
