# ui_export.sh - /export without a file name writes mixchat-N.md in the
# folder mixchat started in, and replaces only an earlier export of the
# same conversation: another home's conversation N (two homes started in
# one folder), or a file the user happens to call so, is kept, and the
# export takes the next free name.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

# A reply longer than a pipe holds (64 KiB), for a reader that reads not.
long=$(awk 'BEGIN { for (i = 0; i < 9000; i++) printf "longword "; }')
cat >"$T/script.json" <<EOF2
[ { "prompt_contains": "a long one", "reply": "$long" } ]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"
mkdir "$T/wd"
cd "$T/wd" || exit 99
printf '# my own notes\n\nkept by hand\n' >mixchat-1.md

ui_start -- --home "$H"
ui_expect "F1 keys" "the chat, started in a folder with a mixchat-1.md of the user's"
send "hello export"
ui_expect "mock reply to: hello export" "a reply"
send "/export"
ui_expect "conversation written to $T/wd/mixchat-1-2\.md$" "/export takes the next free name"
grep -q "kept by hand" mixchat-1.md && ok "the user's file is kept" || fail "mixchat-1.md was replaced"
grep -q "hello export" mixchat-1-2.md && ok "the export holds the conversation" || fail "mixchat-1-2.md: $(head -3 mixchat-1-2.md)"
send "more words"
ui_expect "mock reply to: more words" "another reply"
send "/export"
ui_expect "conversation written to $T/wd/mixchat-1-2\.md \(it replaced the file there\)" "/export again replaces its own earlier export"
grep -q "more words" mixchat-1-2.md && ok "with the new reply" || fail "not replaced"
ui_keys C-d
ui_exit_status >/dev/null

# Another home's conversation 1, started in the same folder.
H2=$T/home2
write_config "$H2"
sed -i 's/^{$/{ "max_output_tokens": 30000,/' "$H2/config.json"
ui_start -- --home "$H2"
ui_expect "F1 keys" "a second home"
send "other home words"
ui_expect "mock reply to: other home words" "its reply"
send "/export"
ui_expect "conversation written to $T/wd/mixchat-1-3\.md$" "its /export does not replace the first home's"
grep -q "more words" mixchat-1-2.md && ok "the first home's export is kept" || fail "mixchat-1-2.md replaced"
# A named pipe is written into, for its reader; it stays a pipe.  With no
# reader the export says so (and the chat does not hang on it); a device
# is refused, even with !.
mkfifo "$T/pipe"
send "/export $T/pipe"
ui_expect "is a pipe that no program reads now" "a pipe with no reader: said"
cat "$T/pipe" >"$T/piped.md" &
reader=$!
sleep 0.2
send "/export $T/pipe"
ui_expect "conversation written to $T/pipe \(a pipe\)" "/export into a pipe"
# (A reader that never gets a writer is stopped, not waited for.)
n=0
while kill -0 "$reader" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
kill "$reader" 2>/dev/null
grep -q "other home words" "$T/piped.md" && ok "its reader got the conversation" || fail "read from the pipe: $(cat "$T/piped.md")"
[ -p "$T/pipe" ] && ok "and it is still a pipe" || fail "the pipe was replaced: $(ls -l "$T/pipe")"
# A reader that takes nothing does not freeze the chat: given up after
# three seconds, said.
send "a long one please"
ui_expect " [0-9]{5} tok · " "a reply longer than a pipe holds, whole" 15
mkfifo "$T/pipe2"
sleep 20 <"$T/pipe2" &
idle=$!
sleep 0.2
send "/export $T/pipe2"
ui_expect "took nothing for 3 s: stopped after" "a reader that reads not: given up, said" 8
kill "$idle" 2>/dev/null
# Nor one that takes a little now and then (4 KiB each 2 s): given up
# after 8 s in all (it held the chat for as long as it kept reading).
send "a long one please"
n=0; until [ "$(ui_screen | grep -c ' [0-9]\{5\} tok · ')" -ge 2 ] || [ $n -ge 150 ]; do sleep 0.1; n=$((n + 1)); done
mkfifo "$T/pipe3"
( while dd bs=4096 count=1 status=none >>"$T/slow.md"; do sleep 2; done ) <"$T/pipe3" &
slow=$!
sleep 0.2
send "/export $T/pipe3"
ui_expect "took too long \(8 s, the chat" "a reader that reads slowly: given up, said" 14
ui_expect "stopped after [0-9]+ of 1[0-9]{5} bytes" "and how much it took"
kill "$slow" 2>/dev/null
# (A device of the test's own: were it replaced, nothing else is hurt.)
if mknod "$T/null" c 1 3 2>/dev/null; then
	send "/export! $T/null"
	ui_expect "$T/null is not a file \\(a device or a socket\\)" "a device is refused"
	[ -c "$T/null" ] && ok "and left alone" || fail "$T/null is no longer a device"
else
	echo "SKIP: a device file cannot be made here (mknod needs root): not checked that /export refuses one"
fi
ui_keys C-d
ui_exit_status >/dev/null
cd / || true
finish
