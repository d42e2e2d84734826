# ui_reask.sh - Alt-R when the models that have not answered are all
# rate-limited: the refusal says that some answered already, and when the
# first of the others is free again (it said "every model ... is
# rate-limited just now (1): try again in a moment" of a 3-minute wait).
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

cat >"$T/script.json" <<EOF2
[
  {"model": "mid", "prompt_contains": "limit me", "status": 429, "retry_after": 150},
  {"model": "expensive", "prompt_contains": "limit me", "status": 429, "retry_after": 150}
]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"
# mid and expensive rate-limited for 150 s, kept for the next mixchat.
"$MC" --home "$H" ask --model mid "limit me" >/dev/null 2>&1
"$MC" --home "$H" ask --model expensive "limit me" >/dev/null 2>&1

ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "what now"
ui_expect "^ +cheap · \\\$" "the one model free answers"
ui_keys M-r
ui_expect "1 model answered this message already and the others are rate-limited:" \
	"Alt-R: who answered already"
ui_expect "first is free again in (2|3) min" "and when the next is free"
ui_expect_not "try again in a moment" "no 'in a moment' for minutes"
finish
