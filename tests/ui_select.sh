# ui_select.sh - the reply the keys and the commands act on, against the
# mock provider: a reply picked with Alt-Up and then scrolled out of sight
# is not the one Alt-1..5 rate (the reply in sight is); /why and /copy act
# on the reply the keys act on, not on the newest.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

ui_start_mock
H=$T/home
write_config "$H"

# A conversation of 60 messages: 30 questions, 30 replies.
i=1
while [ $i -le 30 ]; do
	q=$(printf 'question q%02d' "$i")
	"$MC" --home "$H" ask --session long "$q" >/dev/null 2>&1 ||
		fail "ask --session long $q"
	i=$((i + 1))
done

mkdir -p "$T/uhome"
ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "/sessions long"
ui_expect "mock reply to: question q30" "the conversation is resumed"

# 1. Alt-Up picks the reply above the latest; three pages up it is far
# below the pane: Alt-2 rates a reply on screen, not the one picked.
ui_keys M-Up
ui_expect "reply 29/30" "Alt-Up picks reply 29"
ui_keys PPage; sleep 0.2; ui_keys PPage; sleep 0.2; ui_keys PPage
ui_expect "-MORE\([0-9]+\)-" "scrolled up"
sleep 0.3
ui_screen >"$T/before"
ui_keys M-2
ui_expect "rated 2/5" "Alt-2 rates"
"$MC" --home "$H" export long --format json >"$T/long.json" 2>"$T/err" ||
	fail "export long"
rated=$(jq -r '[.messages[] | select(.role == "assistant")] |
	map(select(.rating == 2)) | .[0].text' "$T/long.json")
case "$rated" in
"mock reply to: question q"[0-9][0-9]) ;;
*) fail "no reply rated 2 in the export: $rated" ;;
esac
if grep -q -F "$rated" "$T/before"; then
	ok "the rated reply ($rated) was on screen"
else
	fail "Alt-2 rated '$rated', which was not on screen"
	sed 's/^/  | /' "$T/before"
fi
case "$rated" in
*q29 | *q30) fail "Alt-2 rated the reply picked before scrolling: $rated" ;;
esac

# reply_id N: the id of the conversation's Nth reply.
reply_id() {
	"$MC" --home "$H" export long --format json 2>/dev/null |
		jq -r --argjson n "$1" \
		'[.messages[] | select(.role == "assistant")][$n - 1].id'
}
# in_sight: N of the status bar's "reply N/30" (the reply the keys act on).
in_sight() {
	ui_screen | sed -n 's/.* reply \([0-9]*\)\/30 .*/\1/p' | tail -1
}

# 2. /why and /copy act on that reply too (the one in sight), not on the
# newest.  Esc (no reply selected) and Alt-PgDn (back at the end) first.
ui_keys Escape; sleep 0.3; ui_keys Escape; sleep 0.3; ui_keys M-NPage
ui_expect_not "-MORE" "back at the end"
ui_keys PPage; sleep 0.2; ui_keys PPage; sleep 0.2; ui_keys PPage
ui_expect "-MORE\([0-9]+\)-" "scrolled up, nothing selected"
sleep 0.3
k=$(in_sight)
[ -n "$k" ] && [ "$k" -lt 29 ] && ok "reply $k/30 is in sight" ||
	fail "no reply in sight, far from the end: '$k'"
id=$(reply_id "${k:-1}")
newest=$(reply_id 30)
send "/why"
ui_expect "Why [a-z]+ answered reply $id \\(" "/why explains reply $id, the one in sight"
ui_expect_not "answered reply $newest " "/why does not explain the newest"
ui_keys PPage; sleep 0.2; ui_keys PPage; sleep 0.2; ui_keys PPage
ui_expect "-MORE\([0-9]+\)-" "scrolled up again"
sleep 0.3
k=$(in_sight)
id=$(reply_id "${k:-1}")
[ "$id" != "$newest" ] || fail "the newest reply is in sight"
send "/copy"
ui_expect "reply $id copied" "/copy copies reply $id, the one in sight, as Alt-C"
ui_expect "-MORE\([0-9]+\)- +reply $k/30" "/copy leaves the chat where it was"

# 3. Esc with nothing to cancel, dismiss or deselect goes back to the end
# (with a reply scrolled out of sight no longer selected, it did nothing).
ui_keys Escape; sleep 0.3; ui_keys Escape
ui_expect_not "-MORE" "Esc goes back to the end"

# 4. /search lists a message's id; /sessions ID opens its conversation
# there, the message selected (it opened at the end: in a long
# conversation the hit was to be hunted for by PgUp).
send "/new"
send "/search question q05"
ui_expect "match.* for 'question q05'" "/search finds it"
ui_expect "/sessions ID opens one there" "and says how to open it there"
id5=$(ui_screen | sed -n 's/^ *\([0-9][0-9]*\.[0-9][0-9]*\) .*question q05.*/\1/p' | head -1)
[ -n "$id5" ] && ok "the hit's id: $id5" || fail "no id beside the hit"
send "/sessions $id5"
ui_expect "you question q05" "/sessions ID resumes at the message: it is on screen"
ui_expect "-MORE\([0-9]+\)- +reply 5/30" "selected, far from the end"
ui_expect "reply 5/30 · [0-9]+\.[0-9]+ " "the status bar names its id too, as the rating notice does"
ui_keys M-2
"$MC" --home "$H" export long --format json >"$T/long.json" 2>"$T/err"
[ "$(jq -r '[.messages[] | select(.role == "assistant")][4].rating' "$T/long.json")" = 2 ] &&
	ok "Alt-2 rates that reply" || fail "Alt-2 after /sessions $id5: $(jq -c '[.messages[] | select(.rating > 0) | .text]' "$T/long.json")"
ui_keys M-NPage
send "/sessions ${id5%%.*}.999"
ui_expect "it has no message ${id5%%.*}.999" "an id not in it is said"

finish
