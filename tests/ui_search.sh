# ui_search.sh - /search in a long history: the header says how many
# match in all, /search more goes on with the next 20 (older) until the
# oldest, said so, and stays where it was when the history changes between
# pages; Tab completes its "more".  Case is ignored beyond ASCII, and the
# snippet highlights what the store matched.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"
# 12 questions in three conversations: with the mock's replies (which say
# the question again), 24 messages hold "zanzibar".
i=1
while [ $i -le 12 ]; do
	"$MC" --home "$H" ask --session "s$((i % 3))" "$(printf 'zanzibar note n%02d' "$i")" \
		>/dev/null 2>&1 || fail "ask $i"
	i=$((i + 1))
done
"$MC" --home "$H" ask --session intl "Поездка в Москва, ÜBER alles, ΑΘΗΝΑ" >/dev/null 2>&1 ||
	fail "ask intl"
long=$(awk 'BEGIN { for (i = 0; i < 14; i++) printf "слово%d ", i }')
"$MC" --home "$H" ask --session intl "$long и наконец ЛОНДОН в конце" >/dev/null 2>&1 ||
	fail "ask long"

ESC=$(printf '\033')
mkdir -p "$T/uhome"
ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen"

# 1. /search more with no search to go on with says how to start one.
send "/search more"
ui_expect "/search more: no search to go on with" "/search more alone"

# 2. The newest 20 of 24, the count said; n01 and n02 (matches 21-24)
# are not among them.
send "/search zanzibar"
ui_expect "the newest 20 of 24 matches for 'zanzibar' \(/search more shows the next 4" "the header counts every match"
ui_screen >"$T/p1"
grep -q "note n03" "$T/p1" && ! grep -q "note n0[12]" "$T/p1" &&
	ok "the first page ends at n03" || fail "first page: $(grep zanzibar "$T/p1")"
# Tab completes /search's "more" while there is more.
ui_type "/search m"; ui_keys Tab; ui_type "X"
ui_expect "^› /search more X$" "Tab completes /search more"
ui_keys C-u

# 3. The history changes between pages: a new message and its reply
# count in the total, but the next page goes on after the last shown.
send "zanzibar written later"
ui_expect "mock reply to: zanzibar written later" "a new match"
send "/search more"
ui_expect "matches 23-26 of 26 for 'zanzibar', the oldest: that is all" "the next page: the 21st on, said to be the end"
ui_screen >"$T/p2"
[ "$(sed -n '/matches 23-26 of 26/,$p' "$T/p2" | grep -c 'note n0[12]')" -eq 4 ] &&
	! sed -n '/matches 23-26 of 26/,$p' "$T/p2" | grep -q "written later\|note n03" &&
	ok "it shows n01 and n02 and nothing shown before" ||
	fail "second page: $(sed -n '/matches 23-26/,$p' "$T/p2")"
send "/search more"
ui_expect "/search more: the last page for 'zanzibar' ended at the oldest match" "past the end, it says so"
# At the end, Tab has no "more" to complete: it types a tab.
ui_type "/search m"; ui_keys Tab; ui_type "X"
ui_expect "^› /search m    X$" "no more: Tab types a tab"
ui_keys C-u

# 4. Another case beyond ASCII: Cyrillic, Latin-1, Greek; each word
# highlighted where it stands, in its own case.
send "/search москва über αθηνα"
ui_expect "1 match for 'москва über αθηνα'" "lower case finds the capitals"
TM capture-pane -p -e -t 0 >"$T/e"
row=$(grep "Поездка" "$T/e" | grep -v "^ *you" | tail -n 1)
echo "$row" | grep -q "${ESC}\[[0-9;]*mМосква${ESC}" &&
	echo "$row" | grep -q "${ESC}\[[0-9;]*mÜBER${ESC}" &&
	echo "$row" | grep -q -E "${ESC}\[[0-9;]*mΑΘΗΝΑ(${ESC}|$)" &&
	ok "Москва, ÜBER and ΑΘΗΝΑ highlighted" || fail "highlight: $(echo "$row" | cat -v)"
# 5. A match far into a long message: the row is moved to show it.
send "/search лондон"
ui_expect "1 match for 'лондон'" "лондон finds ЛОНДОН"
TM capture-pane -p -e -t 0 >"$T/e"
grep -q "${ESC}\[[0-9;]*mЛОНДОН${ESC}" "$T/e" &&
	ok "the row shows ЛОНДОН, highlighted" ||
	fail "long row: $(grep 'слово' "$T/e" | tail -n 2 | cat -v)"
# A new search replaced the one /search more went on with.
send "/search more"
ui_expect "the last page for 'лондон' ended at the oldest" "/search more goes on with the newest search"

ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
finish
