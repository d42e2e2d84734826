# ui_search.sh - /search ignores case beyond ASCII, and the snippet
# highlights what the store matched.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"
"$MC" --home "$H" ask --session intl "Поездка в Москва, ÜBER alles, ΑΘΗΝΑ" >/dev/null 2>&1 ||
	fail "ask intl"
long=$(awk 'BEGIN { for (i = 0; i < 14; i++) printf "слово%d ", i }')
"$MC" --home "$H" ask --session intl "$long и наконец ЛОНДОН в конце" >/dev/null 2>&1 ||
	fail "ask long"

ESC=$(printf '\033')
mkdir -p "$T/uhome"
ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen"

# 1. Another case beyond ASCII: Cyrillic, Latin-1, Greek; each word
# highlighted where it stands, in its own case.
send "/search москва über αθηνα"
ui_expect "1 match for 'москва über αθηνα'" "lower case finds the capitals"
TM capture-pane -p -e -t 0 >"$T/e"
row=$(grep "Поездка" "$T/e" | grep -v "^ *you" | tail -n 1)
echo "$row" | grep -q "${ESC}\[[0-9;]*mМосква${ESC}" &&
	echo "$row" | grep -q "${ESC}\[[0-9;]*mÜBER${ESC}" &&
	echo "$row" | grep -q -E "${ESC}\[[0-9;]*mΑΘΗΝΑ(${ESC}|$)" &&
	ok "Москва, ÜBER and ΑΘΗΝΑ highlighted" || fail "highlight: $(echo "$row" | cat -v)"
# 2. A match far into a long message: the row is moved to show it.
send "/search лондон"
ui_expect "1 match for 'лондон'" "лондон finds ЛОНДОН"
TM capture-pane -p -e -t 0 >"$T/e"
grep -q "${ESC}\[[0-9;]*mЛОНДОН${ESC}" "$T/e" &&
	ok "the row shows ЛОНДОН, highlighted" ||
	fail "long row: $(grep 'слово' "$T/e" | tail -n 2 | cat -v)"

ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
finish
