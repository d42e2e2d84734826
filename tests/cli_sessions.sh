# cli_sessions.sh - `mixchat sessions` against the mock provider: the list
# (last used first, ask's one-off conversations left out unless --all),
# --json for scripts, `sessions rename` and `sessions rm`, whose deleted
# conversation's rating `ratings export` still has with its prompt.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

cat >"$T/script.json" <<'EOF2'
[ { "prompt_contains": "slowly", "drip_ms": 60,
    "reply": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen" } ]
EOF2
start_mock "$T/script.json"
H=$T/home
write_config "$H"

expect_exit 0 "nothing stored yet: an empty list" -- "$MC" --home "$H" sessions
[ -s "$T/out" ] && fail "a list with nothing stored: $(cat "$T/out")" ||
	ok "and it prints nothing"
[ -e "$H/data/db" ] && fail "listing created a database" || ok "and creates none"
expect_grep "$T/err" "^mixchat: there is no conversation yet: start one with .mixchat --home $H. or .mixchat --home $H ask.$" \
	"but says on stderr there is none yet"
expect_exit 0 "sessions --json, nothing stored" -- "$MC" --home "$H" sessions --json
[ "$(cat "$T/out")" = "[]" ] && ok "--json: an empty array" || fail "--json, nothing stored: $(cat "$T/out")"
expect_exit 1 "rm of a conversation that is not there" -- \
	"$MC" --home "$H" sessions rm 3
expect_grep "$T/err" "no conversation has the number or name '3'" "says which"

"$MC" --home "$H" ask --session work "first work question" >/dev/null 2>&1 ||
	fail "ask --session work"
"$MC" --home "$H" rate last 2 >/dev/null 2>&1 || fail "rate last 2"
for i in 1 2 3; do
	"$MC" --home "$H" ask "scripted fast $i" >/dev/null 2>&1 ||
		fail "ask scripted fast $i"
done
"$MC" --home "$H" ask --session 1 "second work question" >/dev/null 2>&1 ||
	fail "ask --session 1"

# 1. The list: the named conversation, and one line on stderr for the
# three one-off asks.
expect_exit 0 "sessions" -- "$MC" --home "$H" sessions
[ "$(wc -l <"$T/out")" -eq 1 ] && ok "one conversation listed" ||
	fail "listed: $(cat "$T/out")"
expect_grep "$T/out" "^1  [0-9-]* [0-9:]*     4 msgs  work$" \
	"number, last used, messages and title"
expect_grep "$T/err" "and 3 one-question conversations from .mixchat ask. not listed: --all lists them" \
	"the one-off asks said apart, on stderr"
expect_exit 0 "sessions --all" -- "$MC" --home "$H" sessions --all
[ "$(wc -l <"$T/out")" -eq 4 ] && ok "--all lists four" ||
	fail "--all listed: $(cat "$T/out")"
head -1 "$T/out" | grep -q "  work$" && ok "the last used first" ||
	fail "not the last used first: $(head -1 "$T/out")"
expect_grep "$T/out" "^4  .*  scripted fast 3$" "a one-off ask listed with --all"
expect_exit 0 "sessions --json" -- "$MC" --home "$H" sessions --json
[ "$(jq length "$T/out")" = 1 ] && ok "--json lists what the list lists" ||
	fail "--json: $(cat "$T/out")"
[ "$(jq -r '.[0] | "\(.id) \(.name) \(.title) \(.messages) \(.from_ask)"' "$T/out")" = \
	"1 work work 4 false" ] && ok "--json: id, name, title, messages" ||
	fail "--json: $(cat "$T/out")"
jq -e '.[0].updated_ms >= .[0].created_ms and .[0].created_ms > 0' "$T/out" \
	>/dev/null && ok "--json: the times" || fail "--json times"
expect_exit 0 "sessions --all --json" -- "$MC" --home "$H" sessions --json --all
[ "$(jq '[.[] | select(.from_ask)] | length' "$T/out")" = 3 ] &&
	ok "--all --json marks the one-off asks" || fail "--all --json: $(cat "$T/out")"

# 2. rename: a one-off ask named is listed from then on.
expect_exit 0 "sessions rename" -- "$MC" --home "$H" sessions rename 3 "keep this one"
expect_grep "$T/out" "conversation 3 is called 'keep this one' now" "rename says so"
expect_exit 0 "export by the new name" -- "$MC" --home "$H" export "keep this one"
expect_grep "$T/out" "scripted fast 2" "it is that conversation"
expect_exit 0 "export NAME -f json (the short option after it too)" -- \
	"$MC" --home "$H" export "keep this one" -f json
expect_grep "$T/out" '"session"' "JSON"
expect_exit 0 "sessions after rename" -- "$MC" --home "$H" sessions
expect_grep "$T/out" "^3  .*  keep this one$" "a named one-off is listed"
expect_grep "$T/err" "and 2 one-question" "two left folded"
expect_exit 2 "rename to a number" -- "$MC" --home "$H" sessions rename 3 17
expect_grep "$T/err" "may not be a number" "says why"
# Names that other words take: a message's id (/sessions 2.5 opens
# conversation 2 there), all (/sessions all lists them all).
expect_exit 2 "rename to a message's id" -- "$MC" --home "$H" sessions rename 3 2.5
expect_grep "$T/err" "may not look like a message's id" "says why"
expect_exit 2 "rename to all" -- "$MC" --home "$H" sessions rename 3 all
expect_grep "$T/err" "may not be called 'all'" "says why"
expect_exit 2 "ask --session all" -- "$MC" --home "$H" ask --session all "hi"
expect_grep "$T/err" "may not be called 'all'" "ask refuses the same names"
expect_exit 2 "ask --session 2.5" -- "$MC" --home "$H" ask --session 2.5 "hi"
expect_exit 0 "a name with a dot in it is fine" -- "$MC" --home "$H" sessions rename 3 v2.5-notes
expect_exit 0 "back" -- "$MC" --home "$H" sessions rename 3 "keep this one"
expect_exit 1 "rename to another's name" -- "$MC" --home "$H" sessions rename 3 work
expect_grep "$T/err" "conversation 1 is called 'work' already" "says whose"
expect_exit 2 "rename without a name" -- "$MC" --home "$H" sessions rename 3

# 3. rm: gone (by its name too), its rating kept with its prompt.
expect_exit 0 "sessions rm work" -- "$MC" --home "$H" sessions rm work
expect_grep "$T/out" "deleted conversation 1, \"work\" (4 messages; its ratings stay)" \
	"rm says what it deleted"
expect_exit 1 "export of the deleted conversation" -- "$MC" --home "$H" export 1
expect_exit 0 "ratings export" -- "$MC" --home "$H" ratings export
[ "$(jq -r 'select(.score == 2) | .prompt' "$T/out")" = "first work question" ] &&
	ok "the deleted conversation's rating keeps its prompt" ||
	fail "ratings export: $(cat "$T/out")"
expect_exit 0 "sessions --all after rm" -- "$MC" --home "$H" sessions --all
expect_no_grep "$T/out" "work" "the deleted conversation is not listed"
[ "$(wc -l <"$T/out")" -eq 3 ] && ok "the others are" || fail "after rm: $(cat "$T/out")"
expect_exit 2 "rm with --json" -- "$MC" --home "$H" sessions rm 2 --json
expect_exit 2 "an unknown verb" -- "$MC" --home "$H" sessions remove 2

# 4. "last" is the conversation used last, as the chat's -s last takes
# it (not a one-off ask), for ask --session, export, sessions rm|rename;
# "last" and "new" are no names.
HL=$T/home_last
write_config "$HL"
n=$(wc -l <"$MOCK_LOG")
expect_exit 1 "ask --session last with nothing to go on with" -- \
	"$MC" --home "$HL" ask --session last "into nothing"
expect_grep "$T/err" "there is no conversation to go on with yet" "says so"
[ "$(wc -l <"$MOCK_LOG")" = "$n" ] && ok "nothing was asked" || fail "the provider was asked"
# rm and rename of "last" with nothing stored yet: said, not a crash.
expect_exit 1 "sessions rm last with nothing stored" -- "$MC" --home "$HL" sessions rm last
expect_grep "$T/err" "no conversation was used last yet" "rm last: says there is none"
expect_exit 1 "sessions rename last with nothing stored" -- "$MC" --home "$HL" sessions rename last x
expect_grep "$T/err" "no conversation was used last yet" "rename last: says there is none"
expect_exit 2 "ask --session new" -- "$MC" --home "$HL" ask --session new "a new one"
expect_grep "$T/err" "'new' is no name for a conversation" "says why"
"$MC" --home "$HL" ask --session topic "topic question" >/dev/null 2>&1 || fail "ask --session topic"
"$MC" --home "$HL" ask "a one-off after it" >/dev/null 2>&1 || fail "a one-off ask"
expect_exit 0 "export last" -- "$MC" --home "$HL" export last
expect_grep "$T/out" "topic question" "export last: the conversation used last"
expect_no_grep "$T/out" "one-off after it" "not the one-off ask after it"
expect_exit 0 "ask --session last" -- "$MC" --home "$HL" ask --session last "topic follow-up"
"$MC" --home "$HL" export topic >"$T/topic.md" 2>&1
expect_grep "$T/topic.md" "topic follow-up" "ask --session last goes on with it"
"$MC" --home "$HL" sessions --all --json >"$T/out" 2>/dev/null
[ "$(jq '[.[] | select(.name == "last")] | length' "$T/out")" = 0 ] &&
	ok "and makes no conversation called 'last'" || fail "sessions: $(cat "$T/out")"
expect_exit 0 "sessions rename last" -- "$MC" --home "$HL" sessions rename last subject
expect_grep "$T/out" "conversation 1 is called 'subject' now" "renames the one used last"
for w in last new; do
	expect_exit 2 "sessions rename to '$w'" -- "$MC" --home "$HL" sessions rename 1 $w
	expect_grep "$T/err" "may not be called '$w'" "says why"
done
# --session before a command: said where it goes, for each.
expect_exit 2 "--session before ask" -- "$MC" --home "$HL" --session last ask hi
expect_grep "$T/err" "put it after the command: mixchat --home $HL ask --session last$" "ask: after it"
expect_exit 2 "--session before export" -- "$MC" --home "$HL" -s "my topic" export
expect_grep "$T/err" "export takes the conversation as its argument: mixchat --home $HL export 'my topic'$" \
	"export: as its argument"
for c in stats sessions route; do
	expect_exit 2 "--session before $c" -- "$MC" --home "$HL" --session 1 $c
	expect_grep "$T/err" "goes without a command (mixchat --home $HL --session 1 opens the chat in that conversation); $c has no --session" \
		"$c: the chat's option, without a command"
	expect_no_grep "$T/err" "put it after" "$c: no --session to put it after"
done

# 5. Deleted while a reply streams into it: the reply is not kept, but
# what it cost is booked (and its hold let go), and ask says so, exit 1.
spent() { "$MC" --home "$H" stats --json | jq '.spend_usd.today'; }
"$MC" --home "$H" ask --session doomed "first doomed question" >/dev/null 2>&1 ||
	fail "ask --session doomed"
before=$(spent)
"$MC" --home "$H" ask --model expensive --session doomed "answer slowly please" \
	>"$T/slow.out" 2>"$T/slow.err" &
slow=$!
n=0
until grep -q "one" "$T/slow.out" 2>/dev/null || [ $n -ge 50 ]; do
	sleep 0.1; n=$((n + 1))
done
"$MC" --home "$H" sessions rm doomed >/dev/null 2>&1 || fail "sessions rm doomed"
wait "$slow"
st=$?
[ "$st" = 1 ] && ok "ask exits 1: its reply was not kept" || fail "ask exited $st"
expect_grep "$T/slow.err" "could not be saved: conversation [0-9]* was deleted while the reply came (its cost is counted)" \
	"and says why"
after=$(spent)
awk -v a="$before" -v b="$after" 'BEGIN { exit !(b > a) }' &&
	ok "its cost is booked (\$$before -> \$$after)" || fail "spend \$$before -> \$$after"
expect_exit 0 "the next ask" -- "$MC" --home "$H" --log "$T/log" ask "after the delete"
# 5. A conversation an older mixchat let be named "last": rm and rename
# (which ask nothing) do not guess between it and the one used last.
HELPER=${MIXCHAT_BUILDDIR:-.}/tests/store_helper
named=$("$HELPER" --named "$H/db" last) || fail "store_helper --named"
"$MC" --home "$H" ask --session work2 "used after it" >/dev/null 2>&1 || fail "ask --session work2"
expect_exit 2 "sessions rm last, with one named last" -- "$MC" --home "$H" sessions rm last
expect_grep "$T/err" "a conversation is named 'last' (number $named), and last is also the one used last (number [0-9]*): give the number" \
	"says which two it could be"
expect_exit 0 "both still there" -- "$MC" --home "$H" sessions
expect_grep "$T/out" "work2" "the one used last is kept"
expect_exit 0 "rm by its number" -- "$MC" --home "$H" sessions rm "$named"
finish
