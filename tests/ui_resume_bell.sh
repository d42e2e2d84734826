# ui_resume_bell.sh - two config.json settings a daily user reaches for:
# "resume": true starts the chat in the conversation used last (-s new
# starts a new one all the same), and "bell_after_s": N rings the terminal
# bell when a reply that took N seconds or more ends, for a user who went
# to another window meanwhile (not for a quick reply, not for one stopped
# with Esc).  The bell is read from what the chat writes to its terminal
# (tmux pipe-pane), as a terminal gets it.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

cat >"$T/script.json" <<'EOF'
[ { "prompt_contains": "slow", "delay_ms": 1600, "reply": "a slow answer" },
  { "prompt_contains": "stopped", "delay_ms": 3000, "reply": "never seen" } ]
EOF
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"
# The same config with the two settings (config.json stays without).
sed 's/^{$/{ "resume": true, "bell_after_s": 1,/' "$H/config.json" \
	>"$T/settings.json"
grep -q '"bell_after_s": 1' "$T/settings.json" || fail "settings.json made"

# bells: how many BEL bytes the chat wrote to its terminal so far.
bells() { tr -cd '\007' <"$T/tty" | wc -c | tr -d ' '; }

ui_start -- --home "$H" --config "$T/settings.json"
ui_expect "F1 keys" "chat screen"
TM pipe-pane -o -t 0 "cat >>'$T/tty'"
send "a quick question"
ui_expect "mock reply to: a quick question" "a quick reply"
sleep 0.3
[ "$(bells)" = 0 ] && ok "a quick reply rings no bell" ||
	fail "a quick reply rang the bell ($(bells))"
send "a slow question"
ui_expect "a slow answer" "a slow reply" 8
sleep 0.3
[ "$(bells)" = 1 ] && ok "a reply that took over bell_after_s rings the bell" ||
	fail "after a slow reply: $(bells) bells, not 1"
send "stopped before it came"
sleep 1.3
ui_keys Escape
ui_expect "cancelled|stopped" "Esc stops the slow one" 5
sleep 0.5
[ "$(bells)" = 1 ] && ok "a reply stopped with Esc rings no bell" ||
	fail "a stopped reply rang the bell ($(bells) bells)"
send "/rename bell test"
ui_expect "bell test" "named"
send "/quit"
ui_exit_status >/dev/null

# "resume": true: the next chat goes on with that conversation.
ui_start -- --home "$H" --config "$T/settings.json"
ui_expect "resumed: bell test" "\"resume\": true starts in the last conversation"
ui_expect "a slow answer" "with its replies"
send "/quit"
ui_exit_status >/dev/null
# -s new: a new one whatever the config says.
ui_start -- --home "$H" --config "$T/settings.json" -s new
ui_expect "F1 keys" "-s new starts"
ui_expect_not "resumed|a slow answer" "-s new is a new conversation"
send "/quit"
ui_exit_status >/dev/null
# Without the setting the chat starts a new one, as before.
ui_start -- --home "$H"
ui_expect "F1 keys" "without resume"
ui_expect_not "resumed|a slow answer" "no \"resume\": a new conversation"
send "/quit"
ui_exit_status >/dev/null
# A first start with resume set and nothing to resume: no remark.
ui_start -- --home "$T/empty" --config "$T/settings.json"
ui_expect "F1 keys" "resume with no conversation yet"
ui_expect_not "no earlier conversation" "says nothing of it"
send "/quit"
ui_exit_status >/dev/null

# Bad values are config errors that name the field.
sed 's/^{$/{ "bell_after_s": -2,/' "$H/config.json" >"$T/bad.json"
expect_exit 1 "a negative bell_after_s" -- \
	"$MC" --home "$H" --config "$T/bad.json" stats
expect_grep "$T/err" "bell_after_s" "the error names bell_after_s"
sed 's/^{$/{ "resume": "yes",/' "$H/config.json" >"$T/bad.json"
expect_exit 1 "resume that is not true or false" -- \
	"$MC" --home "$H" --config "$T/bad.json" stats
expect_grep "$T/err" "resume" "the error names resume"
finish
