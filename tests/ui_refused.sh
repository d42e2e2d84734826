# ui_refused.sh - a message refused before it was sent (nothing fits the
# daily budget; a pinned model over it) is kept in the conversation like
# any message: Up brings it back after a restart, `mixchat export` has it
# with its error line, the title bar counts it as export does, it is never
# sent (not even as context of a later message), no call is counted, a
# rating key on it is refused, and Alt-R asks it once the budget allows:
# its first answer, not a re-ask (a re-ask of that answer is one).
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

# 360 words of 5 bytes: about 450 tokens, $0.00009 on "cheap".
long=$(awk 'BEGIN { for (i = 0; i < 360; i++) printf "word " }')
cat >"$T/script.json" <<EOF2
[
  {"prompt_contains": "longanswer", "reply": "$long"}
]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H" 0.0001

# 1. Spend 80 % of a tiny budget; then one message nothing fits, one for a
# pinned model over what is left.
ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "/model cheap"
send "longanswer please"
ui_expect "^ +cheap \(pinned\) · .* [0-9]+ tok" "the long reply"
send "/model auto"
send "refusedmarker nothing fits"
ui_expect "^ +✗ nothing fits what is left of today's budget" "refused: nothing fits"
send "/model expensive"
send "pinnedmarker too dear"
ui_expect "^ +✗ expensive would cost about .*more than is left of today's budget" "refused: the pinned model is over the budget"
ui_expect_not "from another mixchat" "its own stored refusal is not taken for another mixchat's message"
ui_expect_not "no reply \(" "no footer for what was not sent"
ui_expect_not "asks the next-best model" "no next-best hint: no model was asked"
ui_expect "^ mixchat · longanswer please .* 6 messages *$" "the title bar counts both refused messages and their error records"
# A rating key with nothing picked rates the newest answer, not the
# refused messages below it (which have none); picked, a refused message
# cannot be rated.
ui_keys M-3
ui_expect "reply [0-9]+\.[0-9]+ rated 3/5" "a rating key after refused messages rates the newest answer"
ui_expect "^ +cheap \(pinned\) · .* 3/5" "the long reply shows the rating"
ui_keys M-Up
ui_keys M-4
ui_expect "rating not saved: that message was not sent: no model answered it" "a refused message picked cannot be rated"
send "/model auto"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 2. What the store has.
"$MC" --home "$H" export 1 >"$T/conv.md" 2>"$T/err" || fail "export: $(cat "$T/err")"
expect_grep "$T/conv.md" "^refusedmarker nothing fits$" "export has the refused message"
expect_grep "$T/conv.md" "^> error: nothing fits what is left of today's budget" "and its refusal line"
expect_grep "$T/conv.md" "^pinnedmarker too dear$" "export has the pinned refused message"
expect_grep "$T/conv.md" "^> error: expensive would cost about" "and its refusal line"
expect_grep "$T/conv.md" "^## not sent · [0-9:]*$" "the record says it was not sent"
expect_no_grep "$T/conv.md" "^## ? " "no unknown model"
expect_grep "$T/conv.md" " · 6 messages$" "export counts 6 messages, as the title bar did"
"$MC" --home "$H" export --format json 1 >"$T/conv.json" || fail "export --format json"
if jq -e '[.messages[] | select(.role == "assistant" and .model == null)] as $r
    | ($r | length) == 2
    and ($r[0].error | startswith("nothing fits what is left"))
    and ($r[1].error | startswith("expensive would cost about"))
    and ($r | all(.cost_usd == 0 and .tokens_in == 0 and .tokens_out == 0 and .latency_ms == null and .rating == null))
    and ($r[0].decision.candidates | length) > 0
    and ([.messages[] | select(.role == "user") | .text] | index("refusedmarker nothing fits")) != null
    and (.messages | length) == 6' "$T/conv.json" >/dev/null
then ok "JSON export: the refusals with model null, the error, nothing spent, the router's table"
else fail "JSON export: $(jq -c '.messages[] | {role, text: .text[0:20], model, error, cost_usd}' "$T/conv.json")"; fi
rid=$(jq -r '[.messages[] | select(.role == "assistant" and .model == null)][0].id' "$T/conv.json")
expect_exit 2 "mixchat rate on a refused message is refused" -- "$MC" --home "$H" rate "$rid" 5
expect_grep "$T/err" "was not sent: no model answered it" "and says why"
grep -c . "$MOCK_LOG" >"$T/nreq"
[ "$(cat "$T/nreq")" = 1 ] && ok "one request only: the refused messages were not sent" ||
	fail "requests: $(cat "$T/nreq")"
[ "$("$MC" --home "$H" stats --json | jq '.calls')" = 1 ] && ok "stats counts one call" ||
	fail "stats calls: $("$MC" --home "$H" stats --json | jq -c '.calls')"
"$MC" --home "$H" ratings export >"$T/ratings.jsonl" 2>/dev/null
expect_no_grep "$T/ratings.jsonl" "\"$rid\"" "ratings export has no refused message"

# 3. A new chat: Up brings the refused messages back.
ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen again"
ui_keys Up
ui_expect "^› pinnedmarker too dear *$" "Up after a restart: the last refused message"
ui_keys Up
ui_expect "^› refusedmarker nothing fits *$" "Up again: the one before"
ui_keys C-u
send "/search refusedmarker"
ui_expect "refusedmarker nothing fits" "/search finds the refused message"
ui_keys Escape
sleep 0.3
ui_keys C-d
ui_exit_status >/dev/null

# 4. A raised budget: the conversation resumed shows the refusals as they
# were, goes on without them as context, and Alt-R asks the last one.
sed 's/"daily_usd": 0.0001/"daily_usd": 2.0/' "$H/config.json" >"$H/c" && mv "$H/c" "$H/config.json"
ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen with a raised budget"
send "/sessions 1"
ui_expect "^ +✗ expensive would cost about" "resumed: the refusal line"
ui_expect "^ mixchat · longanswer please .* 6 messages *$" "resumed: the same count"
ui_expect_not "no reply \(|^ +\? " "resumed: no footer for what was not sent"
ui_expect_not "asks the next-best model" "resumed: no next-best hint"
send "later question"
ui_expect "mock reply to: later question" "a later message is answered"
ui_expect "^ mixchat · longanswer please .* 8 messages *$" "8 messages"
ui_expect_not "from another mixchat" "nor after a restart"
tail -1 "$MOCK_LOG" >"$T/last"
expect_grep "$T/last" "longanswer please" "the answered conversation is its context"
expect_no_grep "$MOCK_LOG" "refusedmarker" "the refused message never went to a model"
expect_no_grep "$MOCK_LOG" "pinnedmarker" "nor the pinned one"
# The refused pinned message selected (Up from the last reply) and asked.
ui_keys M-Up
sleep 0.3
ui_keys M-r
ui_expect "mock reply to: pinnedmarker too dear" "Alt-R asks a refused message once the budget allows"
ui_expect "^ mixchat · longanswer please .* 9 messages *$" "9 messages"
# No model was asked it before: its first answer is no re-ask.
ui_expect "^ *in reply to: pinnedmarker too dear$" "the answer names its message on one row"
ui_expect_not "asked again: pinnedmarker|\(re-ask\)" "the first answer of a refused message is not marked a re-ask"
# The next message's context is in the order the messages were written:
# the refused one, answered late, before the one that followed it.
send "order check"
ui_expect "mock reply to: order check" "the next message is answered"
tail -1 "$MOCK_LOG" >"$T/last"
p1=$(grep -ob "pinnedmarker too dear" "$T/last" | head -1 | cut -d: -f1)
p2=$(grep -ob "later question" "$T/last" | head -1 | cut -d: -f1)
[ -n "$p1" ] && [ -n "$p2" ] && [ "$p1" -lt "$p2" ] &&
	ok "context in the order written: the late-answered message before the later one" ||
	fail "context order: pinnedmarker at '$p1', later question at '$p2'"
ui_keys C-d
ui_exit_status >/dev/null
"$MC" --home "$H" export --format json 1 >"$T/conv2.json"
if jq -e '(.messages | length) == 11
    and ([.messages[] | select(.role == "user" and .text == "pinnedmarker too dear")][0].seq) as $u
    | .messages[-3].decision.reply_to == $u and .messages[-3].decision.reask == false
      and .messages[-3].model != null' "$T/conv2.json" >/dev/null
then ok "the answer is tied to the stored message (reply_to), stored as no re-ask"
else fail "re-ask link: $(jq -c '.messages[] | {seq, role, model, d: .decision.reply_to, r: .decision.reask}' "$T/conv2.json")"; fi
[ "$("$MC" --home "$H" stats --json | jq '.calls')" = 4 ] && ok "stats: four calls, none for a refusal" ||
	fail "stats calls: $("$MC" --home "$H" stats --json | jq -c '.calls')"
ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen, last time"
send "/sessions 1"
ui_expect "mock reply to: pinnedmarker too dear" "resumed after the re-ask"
ui_expect "^ mixchat · longanswer please .* 11 messages *$" "resumed: 11 messages, as stored"
ui_expect "^ +✗ expensive would cost about" "the refusal line is still there"
ui_expect "^ *in reply to: pinnedmarker too dear$" "resumed: the late answer names its message"
ui_expect_not "asked again: pinnedmarker|\(re-ask\)" "resumed: and is no re-ask"
"$MC" --home "$H" export 1 >"$T/conv3.md"
expect_grep "$T/conv3.md" "^> in reply to: pinnedmarker too dear$" "export: the late answer is in reply to its message"
expect_no_grep "$T/conv3.md" "asked again\|(re-ask)" "export: no re-ask"
# That answer asked again is a re-ask (its model's answer taught as one).
ui_keys M-Up
sleep 0.3
ui_keys M-r
ui_expect "^ *asked again: pinnedmarker too dear$" "a real re-ask of it says asked again"
ui_expect "^ +[a-z]+ \(re-ask\) · " "and is marked (re-ask)"
ui_expect "^ mixchat · longanswer please .* 12 messages *$" "12 messages: a re-ask is one more reply"
ui_keys C-d
ui_exit_status >/dev/null
"$MC" --home "$H" ratings export >"$T/ratings2.jsonl" 2>/dev/null
expect_grep "$T/ratings2.jsonl" '"source":"reask",.*"prompt":"pinnedmarker too dear"' "the re-ask taught its soft lesson to the first answer's model"

# 4. Enough left for a new conversation, not for this one (its long reply
# is sent again as context): the chat offers /new, and /new is answered.
HN=$T/home_new
write_config "$HN" 0.00014
ui_start -- --home "$HN"
ui_expect "F1 keys" "chat screen, a budget for one long reply and a bit"
send "/model cheap"
send "longanswer please"
ui_expect "^ +cheap \(pinned\) · .* [0-9]+ tok" "the long reply"
send "/model auto"
send "and now?"
ui_expect "the conversation so far included:" "nothing fits, the conversation so far included"
ui_expect "/new starts a cheaper one that fits" "and /new is offered"
send "/new"
send "hi"
ui_expect "mock reply to: hi" "a new conversation is answered"
ui_keys C-d
ui_exit_status >/dev/null
finish
