# ui_learning.sh - what the chat learns and says as a daily user rates:
# ratings another mixchat stores while a chat is open (`mixchat rate`
# from a script, an import, a second chat) reach that chat's next
# decision, as they reach `mixchat route` (it routed by the states it
# read at its start); a rating of a model that is no candidate now says
# it was kept, not learned (the status bar said "rated 4/5").
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

ui_start_mock
H=$T/home
write_config "$H" 5
# cheap has a stored state already (a state that changes keeps its size).
id=$("$MC" --home "$H" ask --model cheap --json "Tell me about lakes in Chile" | jq -r .reply_id)
expect_exit 0 "rate $id 4 before the chat" -- "$MC" --home "$H" rate "$id" 4
ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "hello"
ui_expect "mock reply to: hello" "a first reply: the chat has routed"

# Five replies of cheap's rated 1/5 from the shell while the chat is open.
q="Tell me about volcanoes in Iceland"
"$MC" --home "$H" route --json "$q" >"$T/before.json" 2>/dev/null || fail "route before"
for c in Italy Japan Chile Hawaii Peru; do
	id=$("$MC" --home "$H" ask --model cheap --json "Tell me about volcanoes in $c" | jq -r .reply_id)
	expect_exit 0 "rate $id 1 from the shell" -- "$MC" --home "$H" rate "$id" 1
done
"$MC" --home "$H" route --json "$q" >"$T/after.json" 2>/dev/null || fail "route after"
row() { jq -r --arg m "$2" '.candidates[] | select(.model == $m) | "\(.quality * 1000 | round) \(.uncertainty * 1000 | round)"' "$1"; }
[ "$(row "$T/before.json" cheap)" != "$(row "$T/after.json" cheap)" ] &&
	ok "the ratings moved cheap's prediction for route ($(row "$T/before.json" cheap) -> $(row "$T/after.json" cheap))" ||
	fail "the ratings did not move route's cheap: $(row "$T/after.json" cheap)"
send "$q"
ui_expect "mock reply to: $q" "the chat answers the same question"
send "/why"
ui_expect "^ +(▶ )?cheap +[0-9]" "/why lists cheap"
read -r qa ua <<EOF2
$(row "$T/after.json" cheap)
EOF2
ui_screen | awk '$1 == "cheap" || ($1 == "▶" && $2 == "cheap")' | tail -n 1 >"$T/why_cheap"
# /why prints quality and ± to three places.
awk -v q="$qa" -v u="$ua" '{ o = $1 == "▶"; if (sprintf("%.0f", $(2 + o) * 1000) == q && sprintf("%.0f", $(6 + o) * 1000) == u) ok = 1 }
	END { exit !ok }' "$T/why_cheap" &&
	ok "the open chat decided with what the shell's ratings taught (as route does)" ||
	fail "the chat's cheap: $(cat "$T/why_cheap"); route's: $qa $ua (thousandths)"
send "/quit"
ui_exit_status >/dev/null

# A reply of a model no longer configured, rated in the chat: kept, and
# said so, as `mixchat rate` says it.
H2=$T/home2
write_config "$H2" 5
"$MC" --home "$H2" ask --model cheap "a reply to keep" >/dev/null 2>&1 || fail "ask cheap"
cat >"$H2/config.json" <<EOF2
{
  "providers": { "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" } },
  "models": [
    { "id": "mid", "provider": "mock", "price": [1, 2], "prior": "gpt-3.5-turbo-1106" }
  ]
}
EOF2
ui_start -- --home "$H2" -s 1
ui_expect "mock reply to: a reply to keep" "the old conversation"
ui_keys M-4
ui_expect "rated 4/5: kept; cheap is not a candidate now" "the rating says it was kept, not learned"
"$MC" --home "$H2" stats --json >"$T/stats.json" 2>/dev/null
[ "$(jq '.models.cheap.learned.ratings_pending' "$T/stats.json")" = 1 ] && ok "and it waits to be learned" ||
	fail "stats: $(jq -c .models.cheap "$T/stats.json")"
send "/quit"
ui_exit_status >/dev/null
finish
