# ui_daily2.sh - what a daily user meets in the chat, from a second review:
# a slow provider's wait and a stream gone silent say their seconds and
# that Esc cancels; a reply that never came is not "cut short"; a slow
# trickle's speed is not "0 tok/s"; rating again after `mixchat rate`
# changed the score says the stored score it corrects; Alt-C while the
# reply arrives says it copied what came so far; /why on a reply
# cancelled before any text says the model was asked, not that it
# answered.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

cat >"$T/script.json" <<'EOF2'
[
  {"prompt_contains": "slowstart", "reply": "late", "delay_ms": 7000},
  {"prompt_contains": "silence", "reply": "abcdEFGH", "drip_ms": 6500},
  {"prompt_contains": "trickle", "reply": "abcdefgh", "drip_ms": 1500},
  {"prompt_contains": "stall", "reply": "never seen", "drip_ms": 10000}
]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"

ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"

# 1. A provider slow to answer: the seconds, and the way out.
send "slowstart please"
ui_expect "waiting [5-9] s · Esc cancels" "a long wait says how long, and that Esc cancels" 8
ui_keys Escape
ui_expect "cancelled" "Esc cancels the wait"
sleep 1 # not taken for Alt and the next key typed
# /why on it: the model was asked; it did not answer.
send "/why"
ui_expect "Why (cheap|mid|expensive) was asked for reply [0-9]+\.[0-9]+ \(highest score wins\):" "/why on a reply cancelled before any text: was asked"
ui_expect_not "Why (cheap|mid|expensive) answered" "not: answered"

# 2. A stream gone silent: the seconds since the last word.  Alt-C
# meanwhile copies what came so far, and says so.
send "silence please"
ui_expect "abcd" "the first word" 10
ui_expect "no word for [5-9] s · Esc cancels" "a silent stream says for how long, and that Esc cancels" 8
ui_keys M-c
ui_expect "copied the reply so far \(4 bytes; it is still arriving\)" "Alt-C on a reply arriving: what came so far"
ui_expect_not "reply \? copied" "not: reply ? copied"
ui_keys Escape
ui_expect "cancelled" "Esc cancels the stream"
sleep 1 # not taken for Alt and the next key typed

# 3. A trickle: 2 tokens in seconds is a fraction of a token a second.
send "trickle please"
ui_expect "^ +(cheap|mid|expensive) · .* · 2 tok · 0\.[1-9] tok/s" "a slow reply's speed keeps a decimal" 20
ui_expect_not " 0 tok/s" "not: 0 tok/s"

# 4. Rated here, changed by `mixchat rate`, rated here again: the score
# corrected is the stored one.
ui_keys M-3
ui_expect "reply [0-9]+\.[0-9]+ rated 3/5" "Alt-3 rates the newest reply"
"$MC" --home "$H" rate last 5 >/dev/null 2>&1 || fail "rate last 5"
ui_keys M-3
ui_expect "reply [0-9]+\.[0-9]+: 3/5, was 5/5" "rated again: the score another mixchat stored is the one corrected"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 5. A provider that starts its reply and then sends no text for its
# timeout_s: the reply never came (nothing was cut short).
H2=$T/home2
mkdir -p "$H2"
cat >"$H2/config.json" <<EOF2
{
  "providers": {
    "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none", "timeout_s": 2 }
  },
  "models": [
    { "id": "mid", "provider": "mock", "price": [1, 2], "prior": "gpt-3.5-turbo-1106" }
  ]
}
EOF2
ui_start -- --home "$H2"
ui_expect "F1 keys" "chat screen, a provider with timeout_s 2"
send "stall please"
ui_expect "mock sent nothing for 2 s: the reply never came" "no text at all: the reply never came" 10
ui_expect_not "cut short" "not: cut short"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
finish
