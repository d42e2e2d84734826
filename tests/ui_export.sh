# ui_export.sh - /export without a file name writes mixchat-N.md in the
# folder mixchat started in, and replaces only an earlier export of the
# same conversation: another home's conversation N (two homes started in
# one folder), or a file the user happens to call so, is kept, and the
# export takes the next free name.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
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
ui_start -- --home "$H2"
ui_expect "F1 keys" "a second home"
send "other home words"
ui_expect "mock reply to: other home words" "its reply"
send "/export"
ui_expect "conversation written to $T/wd/mixchat-1-3\.md$" "its /export does not replace the first home's"
grep -q "more words" mixchat-1-2.md && ok "the first home's export is kept" || fail "mixchat-1-2.md replaced"
ui_keys C-d
ui_exit_status >/dev/null
cd / || true
finish
