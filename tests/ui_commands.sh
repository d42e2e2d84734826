# ui_commands.sh - /commands against the mock provider: /help names the
# keys of the key map in force, not the default map's; a paste of several
# lines that starts with / is a message, not a command; /export FILE.json
# writes the JSON export, /export FILE.md Markdown.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq is not installed"; exit 77; }

ui_start_mock
H=$T/home
write_config "$H"
mkdir -p "$T/uhome"

# 1. A key map that moves budget (F2 to F5), copy (M-c to M-y) and quit
# (C-d to C-x): /help names the keys it binds.
mkdir -p "$H/keys"
sed -e 's/^F2  *budget$/F5 budget/' -e 's/^M-c  *copy$/M-y copy/' \
    -e 's/^C-d  *quit$/C-x quit/' \
    "${MIXCHAT_SRCDIR:-.}/keys/default.keys" >"$H/keys/moved.keys"
grep -q '^F5 budget$' "$H/keys/moved.keys" && grep -q '^M-y copy$' "$H/keys/moved.keys" &&
	grep -q '^C-x quit$' "$H/keys/moved.keys" || fail "the moved key map"
jq '. + {"keys": "moved"}' "$H/config.json" >"$T/c" && mv "$T/c" "$H/config.json"
ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "/help"
ui_expect "┌─ Commands ─" "/help opens"
ui_expect "budget mode \(F5\)" "/help: budget mode is F5 in this map"
ui_expect "clipboard \(Alt-Y\)" "/help: copy is Alt-Y in this map"
ui_expect "leave \(Ctrl-X does too\)" "/help: Ctrl-X quits in this map"
ui_expect_not "\(F2\)|\(Alt-C\)|Ctrl-D" "/help names no key of the default map"
ui_keys Escape
ui_expect_not "┌─ Commands ─" "Esc closes /help"
ui_keys C-x
[ "$(ui_exit_status)" = 0 ] && ok "Ctrl-X quits" || fail "Ctrl-X did not quit"

# The default map: the keys it binds.
jq 'del(.keys)' "$H/config.json" >"$T/c" && mv "$T/c" "$H/config.json"
ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen, default keys"
send "/help"
ui_expect "budget mode \(F2\)" "/help: F2 in the default map"
ui_expect "clipboard \(Alt-C\)" "/help: Alt-C in the default map"
ui_expect "leave \(Ctrl-D does too\)" "/help: Ctrl-D in the default map"
ui_keys Escape
ui_expect_not "┌─ Commands ─" "Esc closes /help again"

# 2. A command is one line: a stack trace pasted (its first line a path)
# is sent whole as a message, its first '/' kept.
printf '/home/user/app.py:12: TypeError: bad operand\n  File "app.py", line 12\n    x = a + b\n' >"$T/paste"
TM load-buffer "$T/paste"
TM paste-buffer -p -t 0
ui_expect "^  +x = a \+ b" "the paste is in the input"
ui_keys Enter
ui_expect "mock reply to: /home/user/app.py:12: TypeError" "a pasted trace starting with / is sent as a message"
ui_expect_not "unknown command" "and not run as a command"
if grep -q -F 'line 12' "$MOCK_LOG" && grep -q -F 'x = a + b' "$MOCK_LOG" &&
    grep -q -F '"content\":\"/home/user/app.py:12: TypeError: bad operand' "$MOCK_LOG"; then
	ok "the model got every line"
else fail "the message sent: $(tail -c 600 "$MOCK_LOG")"; fi
# One line (and white space after it) is still a command.
ui_type "/budget"; ui_keys M-Enter; ui_keys Enter
ui_expect "today" "/budget with a new line after it is still /budget"

# 3. /export chooses the format by the file's name: .json is what
# `mixchat export --format json` writes, anything else Markdown.
send "a plain question"
ui_expect "mock reply to: a plain question" "a plain question answered"
send "/export $T/conv.json"
ui_expect "conversation written to $T/conv.json" "/export FILE.json"
"$MC" --home "$H" export --format json >"$T/cli.json" 2>"$T/err" ||
	fail "mixchat export --format json"
if jq -e '.messages[-1].text == "mock reply to: a plain question"' "$T/conv.json" >/dev/null 2>&1 &&
    cmp -s "$T/conv.json" "$T/cli.json"; then
	ok "/export FILE.json writes the JSON export, byte for byte"
else
	fail "/export FILE.json is not the JSON export"; head -5 "$T/conv.json" | sed 's/^/  | /'
fi
send "/export $T/conv.md"
ui_expect "conversation written to $T/conv.md" "/export FILE.md"
"$MC" --home "$H" export >"$T/cli.md" 2>"$T/err" || fail "mixchat export"
cmp -s "$T/conv.md" "$T/cli.md" && ok "/export FILE.md writes Markdown" ||
	fail "/export FILE.md is not the Markdown export"

# 4. /search with nothing to look for: '""' (an empty phrase) and a quote
# left open are no words, as /search alone is: the same help, not "bad
# usage".
send "/search"
ui_expect "/search: what for\? /search WORDS" "/search alone asks what for"
send '/search ""'
n=0
until [ "$(ui_screen | grep -c "/search: what for? /search WORDS")" -ge 2 ] || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
[ $n -lt 50 ] && ok "/search \"\" asks what for too" ||
	{ fail "/search \"\": $(ui_screen | tail -5)"; }
send '/search "'
n=0
until [ "$(ui_screen | grep -c "/search: what for? /search WORDS")" -ge 3 ] || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
[ $n -lt 50 ] && ok "/search with a quote left open asks what for" ||
	{ fail "/search \": $(ui_screen | tail -5)"; }
ui_expect_not "bad usage" "no 'bad usage'"

finish
