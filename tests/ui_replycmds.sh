# ui_replycmds.sh - the commands for what only Alt keys did, against the
# mock provider (where Alt does not arrive as Esc + key: macOS Option, a
# slow Esc): /rate SCORE [REPLY] rates as Alt-SCORE does (the newest, or
# reply N as the status bar counts them, or an id), /select N picks reply N
# as Alt-Up/Down do and scrolls to it (Alt-5 then rates that one), /reask
# asks the next-best model as Alt-R does; all three in /help.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

ui_start_mock
H=$T/home
write_config "$H"
# A conversation taller than the pane: reply 1 is far off screen.
"$MC" --home "$H" ask --session long "question one" >/dev/null 2>&1 ||
	fail "ask question one"
i=2
while [ $i -le 12 ]; do
	"$MC" --home "$H" ask --session long "question $i" >/dev/null 2>&1 ||
		fail "ask question $i"
	i=$((i + 1))
done

# rating REPLY_NUMBER: the rating export gives reply N of "long" (0: none).
rating() {
	"$MC" --home "$H" export long --format json 2>/dev/null |
		jq -r --argjson n "$1" \
		'[.messages[] | select(.role == "assistant")][$n - 1].rating // 0'
}
reply_id() {
	"$MC" --home "$H" export long --format json 2>/dev/null |
		jq -r --argjson n "$1" \
		'[.messages[] | select(.role == "assistant")][$n - 1].id'
}

mkdir -p "$T/uhome"
ui_start HOME="$T/uhome" -- --home "$H" --session long
ui_expect "resumed: long" "the conversation resumed"
ui_expect "mock reply to: question 12" "its newest reply in sight"

# 1. /help lists them, with the keys they stand for.
send "/help"
ui_expect "/rate SCORE \[N\] +rate the selected reply \(or reply N\) 1\.\.5 \(Alt-1\.\.5\)" \
	"/help lists /rate, with its keys"
ui_expect "/reask \[N\] +ask the next-best model again \(Alt-R\)" \
	"/help lists /reask, with its key"
ui_expect "/select N +pick reply N and scroll to it \(Alt-Up/Down\)" \
	"/help lists /select, with its keys"
ui_keys q

# 2. /rate SCORE: the newest answer, as Alt-4 would; said on the status
# bar as the key says it.
id12=$(reply_id 12)
send "/rate 4"
ui_expect "reply $id12 rated 4/5" "/rate 4 rates the newest reply"
[ "$(rating 12)" = 4 ] && ok "stored on reply 12" || fail "reply 12: $(rating 12)"
send "/rate 2"
ui_expect "reply $id12: 2/5, was 4/5" "again: a correction, as the key says it"

# 3. /rate SCORE N and /rate SCORE ID.
id1=$(reply_id 1)
send "/rate 5 1"
ui_expect "reply $id1 rated 5/5" "/rate 5 1 rates reply 1"
[ "$(rating 1)" = 5 ] && ok "stored on reply 1" || fail "reply 1: $(rating 1)"
id3=$(reply_id 3)
send "/rate 3 $id3"
ui_expect "reply $id3 rated 3/5" "/rate 3 ID rates that reply"
[ "$(rating 3)" = 3 ] && ok "stored on reply 3" || fail "reply 3: $(rating 3)"
send "/rate 9"
ui_expect "/rate SCORE \[REPLY\]: a score 1 \(useless\) to 5" "a score out of range is refused"
send "/rate 4 40"
ui_expect "'40' is no reply here: a number 1 to 12" "a number past the last"
send "/rate 4 99.1"
ui_expect "reply 99.1 is not in this conversation" "an id of another conversation"
[ "$(rating 12)" = 2 ] && ok "and nothing else was rated" || fail "reply 12: $(rating 12)"

# 4. /select N: reply 2 picked and in sight (the status bar says so), and
# Alt-5 then rates it, as after Alt-Up.
send "/select 2"
ui_expect " reply 2/12 " "/select 2: the status bar names reply 2"
ui_expect "mock reply to: question 2$" "reply 2 is in sight"
ui_expect "-MORE\([0-9]+\)-" "scrolled up to it"
ui_keys M-5
ui_expect "reply $(reply_id 2) rated 5/5" "Alt-5 rates the reply /select picked"
[ "$(rating 2)" = 5 ] && ok "stored on reply 2" || fail "reply 2: $(rating 2)"
# /rate with no reply: the one picked, as the key.
send "/rate 1"
ui_expect "reply $(reply_id 2): 1/5, was 5/5" "/rate rates the picked reply, as Alt-1"
send "/select"
ui_expect "/select N: the reply to pick" "/select alone says what it takes"

# 5. /reask: what Alt-R does, on the picked reply's message.
before=$(wc -l <"$MOCK_LOG")
send "/reask"
ui_expect "^ *asked again: question 2$" "/reask asks reply 2's message again"
ui_expect "^ +(cheap|mid|expensive) \(re-ask\) · \\\$" "answered, marked re-ask"
[ "$(wc -l <"$MOCK_LOG")" -gt "$before" ] && ok "the provider was asked" ||
	fail "no request for /reask"
tail -n 1 "$MOCK_LOG" | grep -q "question 2" && ok "with question 2" ||
	fail "the re-ask asked: $(tail -n 1 "$MOCK_LOG")"
send "/reask 99"
ui_expect "'99' is no reply here" "/reask of a reply not there"

send "/quit"
[ "$(ui_exit_status)" = 0 ] && ok "exit 0" || fail "exit status"
finish
