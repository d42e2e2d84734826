# ui_sessions.sh - conversations a daily user manages, against the mock
# provider: /sessions folds the conversations `mixchat ask` made on its own
# into one line (/sessions all lists them), the chat's Up leaves out what
# `ask` sent, /rename names this conversation (export and /sessions find
# it by the name), /delete asks y/n and deletes a conversation, whose
# rating `ratings export` still has with its prompt.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

cat >"$T/script.json" <<'EOF2'
[ { "prompt_contains": "slowly", "drip_ms": 150,
    "reply": "one two three four five six seven eight nine ten eleven twelve" } ]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"

# A conversation of the chat's own, from an earlier chat.
mkdir -p "$T/uhome"
ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "typed in the chat"
ui_expect "mock reply to: typed in the chat" "the chat's own conversation"
ui_keys M-4
ui_expect "rated 4/5" "its reply rated"
send "/quit"
[ "$(ui_exit_status)" = 0 ] && ok "the first chat ends" || fail "the first chat"

# Then a script: three one-off asks and a named conversation.
for i in 1 2 3; do
	"$MC" --home "$H" ask "scripted fast $i" >/dev/null 2>&1 ||
		fail "ask scripted fast $i"
done
"$MC" --home "$H" ask --session notes "scripted named" >/dev/null 2>&1 ||
	fail "ask --session notes"

# 1. Up recalls what was typed in the chat, not what `ask` sent (named or
# not).
ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen again"
ui_keys Up
ui_expect "› typed in the chat" "Up recalls the chat's own message"
ui_keys Up
ui_expect_not "› scripted" "no prompt of ask's in the history"
ui_keys C-u

# 2. /sessions: the named one and the chat's are rows, the three one-off
# asks one line; /sessions all lists them.
send "/sessions"
ui_expect "3 one-question conversations from .mixchat ask.: /sessions all lists them" \
	"the one-off asks are folded into one line"
ui_expect "typed in the chat" "the chat's conversation is listed"
ui_expect "notes" "the named conversation is listed"
ui_expect_not "scripted fast" "no one-off ask is listed"
send "/sessions all"
ui_expect "scripted fast 3" "/sessions all lists the one-off asks"
ui_expect "scripted fast 1" "all of them"
ui_screen >"$T/s"
[ "$(grep -c "one-question conversations" "$T/s")" = 1 ] &&
	ok "and folds nothing" || fail "/sessions all folded some"

# 3. /rename: this conversation (not saved yet: named with its first
# message), and one resumed.
send "/rename"
ui_expect "/rename NAME: the name" "/rename without a name says what it takes"
send "/rename 42"
ui_expect "may not be a number" "a number is no name"
send "/rename notes"
ui_expect "called 'notes' already" "another conversation's name is refused"
send "/rename todays work"
ui_expect "called todays work now" "/rename before the first message"
send "first of todays work"
ui_expect "mock reply to: first of todays work" "its first message"
"$MC" --home "$H" export "todays work" >"$T/work.md" 2>"$T/err" &&
	ok "export finds it by the name" || fail "export 'todays work'"
expect_grep "$T/work.md" "first of todays work" "the export is that conversation"
send "/sessions 1"
ui_expect "resumed: typed in the chat" "the first conversation resumed"
send "/rename parser bug"
ui_expect "called parser bug now" "a resumed conversation renamed"
ui_expect " mixchat · parser bug" "the title bar has the new name"
"$MC" --home "$H" export "parser bug" >"$T/pb.md" 2>"$T/err" &&
	ok "export finds the renamed one" || fail "export 'parser bug'"
expect_grep "$T/pb.md" "typed in the chat" "the renamed conversation's export"
send "/new"
send "/sessions parser bug"
ui_expect "resumed: parser bug" "/sessions NAME resumes it"

# 4. /delete: asked first; any key but y keeps it.
send "/delete"
ui_expect "delete conversation 1, \"parser bug\" \\(2 messages\\)\\? y deletes it" \
	"/delete asks first, naming the conversation"
ui_keys n
ui_expect "conversation 1 is kept" "n keeps it"
"$MC" --home "$H" export 1 >/dev/null 2>&1 && ok "still there" ||
	fail "n deleted conversation 1"
send "/delete 99"
ui_expect "no conversation 99" "an unknown number"
# last: the conversation used last (written into last, not the one
# opened), as -s last and `sessions rm last` take it.
send "/delete last"
ui_expect "delete conversation [0-9]+, \"todays work\"" "/delete last names the one used last"
ui_keys n
ui_expect "conversation [0-9]+ is kept" "and n keeps it"
send "/delete"
ui_expect "y deletes it" "asked again"
ui_keys y
ui_expect "deleted conversation 1 \\(2 messages; what its ratings taught" \
	"y deletes this conversation"
ui_expect " mixchat · new conversation" "the chat is a new conversation"
"$MC" --home "$H" export 1 >/dev/null 2>"$T/err" &&
	fail "conversation 1 is still exported" || ok "conversation 1 is gone"
"$MC" --home "$H" export "parser bug" >/dev/null 2>&1 &&
	fail "its name still finds it" || ok "so is its name"
send "/sessions"
ui_expect "Conversations" "the list again"
ui_expect_not "parser bug" "without it"
# Another conversation by its number, from this one.
nid=$("$MC" --home "$H" export "todays work" --format json 2>/dev/null | jq -r .session.id)
send "/delete $nid"
ui_expect "delete conversation $nid, \"todays work\" \\(2 messages\\)" "/delete N names N"
ui_keys Y
ui_expect "deleted conversation $nid \\(2 messages" "Y deletes it too"

# 5. The deleted conversation's rating is still in ratings export, with
# the prompt it rated.
"$MC" --home "$H" ratings export >"$T/ratings.jsonl" 2>"$T/err" ||
	fail "ratings export"
got=$(jq -r 'select(.score == 4) | .prompt' "$T/ratings.jsonl")
[ "$got" = "typed in the chat" ] &&
	ok "its rating is exported with its prompt" ||
	fail "the rating of the deleted conversation: prompt '$got'"

# 6. A new conversation does not take a deleted one's number.
send "after the deletes"
ui_expect "mock reply to: after the deletes" "a message after the deletes"
last=$("$MC" --home "$H" export --format json 2>/dev/null | jq -r .session.id)
[ "$last" -gt "$nid" ] && ok "the new conversation is number $last" ||
	fail "a deleted number given again: $last (deleted $nid)"

send "/quit"
[ "$(ui_exit_status)" = 0 ] && ok "exit 0" || fail "exit status"

# 7. mixchat --session N|NAME|last starts the chat in that conversation,
# as /sessions N would, after the start-up notices.
"$MC" --home "$H" ask --session "daily log" "daily log entry one" >/dev/null 2>&1 ||
	fail "ask --session 'daily log'"
ui_start HOME="$T/uhome" -- --home "$H" --session "'daily log'"
ui_expect "resumed: daily log" "--session NAME resumes it"
ui_expect "mock reply to: daily log entry one" "with its messages"
ui_expect " mixchat · daily log" "the title bar names it"
ui_expect "type a message and press Enter" "after the start-up notice"
ui_keys Up
ui_expect "› daily log entry one" "Up walks its messages, as after /sessions N"
ui_keys C-u
send "daily log entry two"
ui_expect "mock reply to: daily log entry two" "a message goes into it"
send "/quit"
ui_exit_status >/dev/null
"$MC" --home "$H" export "daily log" >"$T/daily.md" 2>/dev/null
expect_grep "$T/daily.md" "daily log entry two" "the message is in that conversation"
# last: the one used last, not the script's one-off ask after it.
"$MC" --home "$H" ask "a scripted one-off after it" >/dev/null 2>&1 ||
	fail "a one-off ask"
ui_start HOME="$T/uhome" -- --home "$H" -s last
ui_expect "resumed: daily log" "-s last: the conversation used last"
# "last" and "new" are words of -s, no names: /rename refuses them.
send "/rename last"
ui_expect "may not be called 'last'" "/rename last is refused"
send "/rename new"
ui_expect "may not be called 'new'" "/rename new is refused"
# /sessions last: the same one as -s last (not a conversation named so).
send "/new"
ui_expect "a new conversation" "/new"
send "/sessions last"
ui_expect "resumed: daily log" "/sessions last: the conversation used last"
send "/quit"
ui_exit_status >/dev/null
ui_start HOME="$T/uhome" -- --home "$H" chat --session "$last"
ui_expect "resumed: after the deletes" "chat --session N: by its number"
send "/quit"
ui_exit_status >/dev/null
# A slip: said in the shell, exit 2, with the name it likely meant.
ui_start HOME="$T/uhome" -- --home "$H" --session "'daily lgo'"
[ "$(ui_exit_status)" = 2 ] && ok "an unknown conversation: exit 2" ||
	fail "an unknown conversation: exit $(cat "$T/exit")"
ui_expect "mixchat: --session: no conversation has the number or name 'daily lgo'; did you mean 'daily log'\\?" \
	"and did you mean"
ui_start HOME="$T/uhome" -- --home "$H" --session 999
[ "$(ui_exit_status)" = 2 ] && ok "an unknown number: exit 2" ||
	fail "an unknown number: exit $(cat "$T/exit")"
ui_expect "no conversation has the number or name '999' \(mixchat sessions" "an unknown number: no guess at a name"
# A conversation's title is no name: typed whole, its number is given.
ui_start HOME="$T/uhome" -- --home "$H" --session "'after the deletes'"
[ "$(ui_exit_status)" = 2 ] && ok "a title for a name: exit 2" || fail "a title for a name: exit $(cat "$T/exit")"
ui_expect "no conversation is named 'after the deletes'; conversation [0-9]+ begins so: give its" \
	"a title typed whole: its number, not itself as a guess"
# 8. Deleted from the shell while a chat has it open: the next message is
# not sent, and the chat says why and what to do.
ui_start HOME="$T/uhome" -- --home "$H" -s "'daily log'"
ui_expect "resumed: daily log" "a chat on 'daily log'"
"$MC" --home "$H" sessions rm "daily log" >/dev/null 2>&1 ||
	fail "sessions rm 'daily log'"
send "into a deleted conversation"
ui_expect "was deleted \\(by another mixchat\\), so the message was not" \
	"a message into a deleted conversation is not sent, and says why"
grep -q "into a deleted conversation" "$MOCK_LOG" &&
	fail "it was sent all the same" || ok "nothing was asked"
# A reply still on screen rated after that: the rating keeps its prompt,
# so an export of it can be imported elsewhere.
ui_keys M-3
ui_expect "rated 3/5" "a reply of the deleted conversation is rated"
"$MC" --home "$H" ratings export >"$T/rated.jsonl" 2>/dev/null ||
	fail "ratings export"
[ "$(jq -r 'select(.score == 3) | .prompt' "$T/rated.jsonl")" = "daily log entry two" ] &&
	ok "that rating is exported with its prompt" ||
	fail "ratings export: $(cat "$T/rated.jsonl")"
expect_exit 0 "and imported into another home" -- \
	"$MC" --home "$T/other" ratings import "$T/rated.jsonl"
send "/quit"
ui_exit_status >/dev/null

# A reply whose conversation another mixchat deleted while it came is
# not kept: rating it says so (it said the reply had not finished).
ui_start -- --home "$H" -s new
ui_expect "F1 keys" "a new conversation"
send "answer slowly please"
ui_expect "one two" "a slow reply arriving"
"$MC" --home "$H" sessions rm last >/dev/null 2>&1 || fail "sessions rm last"
ui_expect "could not be saved: conversation [0-9]+ was deleted" "the reply says it was not kept" 10
ui_keys M-4
ui_expect "could not be saved \(its error line says why\), so it cannot be" "rating it says it cannot be rated"
ui_expect_not "has not finished yet" "not that it has not finished"
send "/quit"
ui_exit_status >/dev/null

expect_exit 2 "--session before another command" -- \
	"$MC" --home "$H" --session 3 ask "hello"
expect_grep "$T/err" "put it after the command: mixchat --home $H ask --session 3" \
	"says where it goes"
finish
