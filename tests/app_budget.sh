# app_budget.sh - the daily budget is a hard limit: a reply longer than
# predicted is stopped where it would pass what is left (the request's
# output limit is what is left, after its input, at the model's output
# price), and the user is told; with room to spare, or no budget, the
# request asks for max_output_tokens as usual.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

# 6,000 words: far more than a prediction of a few hundred tokens.
essay=$(awk 'BEGIN { for (i = 0; i < 6000; i++) printf "word " }')
cat >"$T/script.json" <<EOF2
[
  {"prompt_contains": "slow essay", "reply": "$essay", "delay_ms": 1500},
  {"prompt_contains": "essay", "reply": "$essay"}
]
EOF2
start_mock "$T/script.json"
# dear_config HOME BUDGET: one model at \$10 per 1M tokens in and out.
dear_config() {
	mkdir -p "$1"
	cat >"$1/config.json" <<EOF2
{
  "providers": { "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" } },
  "models": [ { "id": "p", "provider": "mock", "price": [10, 10], "prior": "gpt-4-1106-preview" } ],
  "budget": { "daily_usd": $2 }
}
EOF2
}
# last_max_tokens: the output limit of the mock's last request.
last_max_tokens() {
	tail -n 1 "$MOCK_LOG" | jq -r '.body | fromjson | .max_tokens'
}

# cost_of PROMPT: what route predicts model p would cost.
cost_of() {
	"$MC" --home "$H" route --json "$1" 2>/dev/null | jq '.candidates[] | select(.model == "p") | .cost_usd'
}

H=$T/home
dear_config "$H" 0.01
before=$(cost_of "write an essay")
expect_exit 0 "a reply longer than predicted, on a budget of \$0.01" -- "$MC" --home "$H" ask "write an essay"
cap=$(last_max_tokens)
[ "$cap" -gt 100 ] && [ "$cap" -lt 1000 ] && ok "the request asks for no more than what is left pays for ($cap tokens, not 4096)" ||
	fail "max_tokens of the request: $cap"
expect_grep "$T/err" "^mixchat: stopped at $cap tokens: what was left of today's budget (\$0\.01) pays for no more" "the user is told why it stopped"
# On the reply itself, kept with it: an export says it too.
"$MC" --home "$H" export --format json >"$T/capped.json" 2>/dev/null || fail "export"
jq -r '.messages[-1].error' "$T/capped.json" | grep -q "^stopped at $cap tokens" &&
	ok "the reply's record says where and why it stopped" || fail "export: $(jq -c '.messages[-1]' "$T/capped.json" | cut -c1-300)"
[ "$(jq -r '.messages[-1].decision.budget_capped' "$T/capped.json")" = true ] &&
	ok "and that the cap stopped it (a reply read back ends well, as it did live)" ||
	fail "decision: $(jq -c '.messages[-1].decision' "$T/capped.json" | cut -c1-300)"
"$MC" --home "$H" export >"$T/capped.md" 2>/dev/null || fail "export (Markdown)"
expect_grep "$T/capped.md" "stopped at $cap tokens" "and the Markdown export"
spent=$("$MC" --home "$H" stats --json | jq '.spend_usd.today')
awk -v s="$spent" 'BEGIN { exit !(s > 0.009 && s <= 0.01) }' &&
	ok "today's spend stays within the budget (\$$spent of \$0.01)" || fail "spent \$$spent of \$0.01"
# What the cap cut says nothing of how long p writes: not learned (the
# next prediction would be of a cheaper p than it is).
after=$(cost_of "write an essay")
[ -n "$before" ] && [ "$before" = "$after" ] && ok "a capped reply's length is not learned (\$$before before and after)" ||
	fail "p's predicted cost moved from \$$before to \$$after after a capped reply"
expect_exit 1 "the next message does not fit" -- "$MC" --home "$H" ask "write an essay again"
expect_grep "$T/err" "nothing fits what is left of today's budget" "and is refused"
# Spend past the budget (lowered today below what was spent): a model
# that costs nothing, a local one, still answers, chosen or routed.
jq '.budget.daily_usd = 0.005 | .models += [{"id": "local", "provider": "mock", "price": [0, 0]}]' \
	"$H/config.json" >"$T/c.json" && mv "$T/c.json" "$H/config.json"
expect_exit 0 "over the budget, a free model asked by name" -- "$MC" --home "$H" ask --model local "hello there"
expect_no_grep "$T/err" "more than is left" "is not refused"
expect_exit 0 "over the budget, a free model routed to" -- "$MC" --home "$H" ask "hello again"
expect_grep "$T/err" "^local" "the router's choice answers"
expect_exit 1 "a model that costs still does not fit" -- "$MC" --home "$H" ask --model p "hello there"

# Four asks at once on a budget that pays for one capped reply: each holds
# what it may spend, so together they stay within the budget (each took
# all of what was left, and they spent 2.9 times it).
H4=$T/home_four
dear_config "$H4" 0.01
pids=""
for i in 1 2 3 4; do
	"$MC" --home "$H4" ask "slow essay $i" >"$T/four.$i.out" 2>"$T/four.$i.err" &
	pids="$pids $!"
done
# Those four, not the mock (a job of this shell too).
for p in $pids; do wait "$p"; done
spent=$("$MC" --home "$H4" stats --json | jq '.spend_usd.today')
awk -v s="$spent" 'BEGIN { exit !(s > 0 && s <= 0.01) }' &&
	ok "four at once spend no more than the budget (\$$spent of \$0.01)" || fail "four at once spent \$$spent of \$0.01"
grep -l "other mixchats are waiting for" "$T"/four.*.err >/dev/null &&
	ok "those that found it held are told" || fail "none was told: $(cat "$T"/four.*.err | head -8)"

# A long conversation with room to spare: no cap.  (The cap's estimate of
# the input, dearer than the prediction's, cut a reply to 1 token with
# most of the budget left once 40 messages went with it.)
H5=$T/home_long
dear_config "$H5" 5
sed -i 's/^{$/{ "max_output_tokens": 100,/' "$H5/config.json"
for i in $(seq 1 22); do
	"$MC" --home "$H5" ask --session long "question number $i of a long talk" >/dev/null 2>&1 ||
		fail "ask $i in a long conversation"
done
expect_exit 0 "an essay in it" -- "$MC" --home "$H5" ask --session long "write an essay"
[ "$(last_max_tokens)" = 100 ] && ok "asks for max_output_tokens (100), with \$5 left" ||
	fail "max_tokens: $(last_max_tokens) with \$5 left"
expect_no_grep "$T/err" "stopped at" "and is not stopped"

# Room to spare: the usual limit, and nothing said.
H2=$T/home_rich
dear_config "$H2" 100
expect_exit 0 "the same on a budget of \$100" -- "$MC" --home "$H2" ask "write an essay"
[ "$(last_max_tokens)" = 4096 ] && ok "max_output_tokens (4096) asked for" || fail "max_tokens: $(last_max_tokens)"
expect_no_grep "$T/err" "stopped at" "no word of a cap"
# No budget at all: the same.
H3=$T/home_free
dear_config "$H3" 0
expect_exit 0 "the same with no daily budget" -- "$MC" --home "$H3" ask "write an essay"
[ "$(last_max_tokens)" = 4096 ] && ok "max_output_tokens asked for" || fail "max_tokens: $(last_max_tokens)"
finish
