# ui_select.sh - the reply the keys and the commands act on, against the
# mock provider: a reply picked with Alt-Up and then scrolled out of sight
# is not the one Alt-1..5 rate (the reply in sight is).
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

finish
