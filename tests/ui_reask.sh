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

# A re-ask's soft lesson belongs to the reply it re-asked, not to every
# reply of that model to the same words ("continue please" is asked in
# many conversations): another reply's re-ask still teaches, and rating
# another reply leaves it.
H2=$T/home2
write_config "$H2" 50
lessons() { "$MC" --home "$H2" ratings export 2>/dev/null | grep -c "\"source\":\"reask\",.*\"prompt\":\"$1\""; }
for s in one two three; do
	"$MC" --home "$H2" ask --session $s --model cheap "continue please" >/dev/null 2>&1 || fail "ask in $s"
done
reask_in() {
	ui_start -- --home "$H2" -s "$1"
	ui_expect "F1 keys" "chat in $1"
	ui_keys M-r
	ui_expect "^ +(mid|expensive) \(re-ask\) · " "Alt-R in $1 is answered"
	ui_keys C-d
	[ "$(ui_exit_status)" = 0 ] || fail "chat in $1 did not end"
}
reask_in one
reask_in two
[ "$(lessons "continue please")" -eq 2 ] && ok "a reply's re-ask teaches although another with its words did" ||
	fail "re-ask lessons after two conversations: $(lessons "continue please")"
expect_exit 0 "rate the third conversation's reply" -- "$MC" --home "$H2" rate 3.2 5
[ "$(lessons "continue please")" -eq 2 ] && ok "rating another reply with the same words leaves both lessons" ||
	fail "lessons after rating 3.2: $(lessons "continue please")"
expect_exit 0 "rate the second conversation's reply" -- "$MC" --home "$H2" rate 2.2 4
[ "$(lessons "continue please")" -eq 1 ] && ok "rating the re-asked reply replaces its lesson alone" ||
	fail "lessons after rating 2.2: $(lessons "continue please")"
# The reply a lesson names is this home's: a rating imported from another
# machine whose reply there had the same id, model and words is no
# duplicate of it (it was skipped as one).
now=$(( $(date +%s) * 1000 - 60000 ))
printf '{"reply_id":"1.2","model":"cheap","score":5,"source":"keystroke","time_ms":%s,"prompt":"continue please"}\n' "$now" >"$T/other.jsonl"
expect_exit 0 "import a rating of reply 1.2 elsewhere" -- "$MC" --home "$H2" ratings import "$T/other.jsonl"
expect_grep "$T/err" "^imported 1 rating(s)$" "imported, not taken for this home's lesson"

# Two chats on one conversation re-ask the same reply: one lesson, and
# the user's rating of the reply replaces it.
"$MC" --home "$H2" ask --session dup --model cheap "the largest ocean" >/dev/null 2>&1 || fail "ask in dup"
ui_start -- --home "$H2" -s dup
TM new-session -d -s other -x 100 -y 30 \
    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 '$MC' --home '$H2' -s dup; sleep 60"
ui_expect "F1 keys" "first chat on dup"
n=0; until TM capture-pane -p -t other | grep -q "F1 keys" || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
ui_keys M-r
ui_expect "^ +(mid|expensive) \(re-ask\) · " "the first chat's re-ask is answered"
# The second chat opened before it: it asks cheap's reply again by its
# number (what it shows of the conversation may not have the re-ask yet).
TM send-keys -t other -l "/reask 1"
TM send-keys -t other Enter
n=0; until TM capture-pane -p -t other | grep -q -E "^ +(mid|expensive) \(re-ask\) · " || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
[ $n -lt 50 ] || fail "the second chat's re-ask: $(TM capture-pane -p -t other)"
TM capture-pane -p -t other >"$T/other.screen"
[ "$(lessons "the largest ocean")" -eq 1 ] && ok "one lesson for a reply re-asked in two chats" ||
	{ fail "lessons for a reply re-asked twice: $(lessons "the largest ocean")"; sed 's/^/  | /' "$T/other.screen"; }
expect_exit 0 "rate the re-asked reply" -- "$MC" --home "$H2" rate 4.2 4
[ "$(lessons "the largest ocean")" -eq 0 ] && ok "and its rating replaces it" ||
	fail "lessons after rating 4.2: $(lessons "the largest ocean")"
finish
