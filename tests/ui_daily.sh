# ui_daily.sh - what a daily user meets in the chat, from a review:
# /models with the vault kept locked says the keys there wait for it, not
# `keys add` again (and names every provider that takes a key).  /why on
# a reply still arriving says so, with no made-up number for its id.  A
# reasoning reply scrolled into view is marked on its footer, not on its
# "thinking:" lines (which are no footer).  A /command refused while a
# reply arrives is kept in the input, selected: the notice line says so,
# typing replaces it (no "/sessions 10/new"), Enter runs it once the reply
# is done.  Pinning a rate-limited model says how long it stays so and
# what a message sent meanwhile meets, in place of the notice that the
# router avoids it.  /glyphs switches the tables already on screen too.
# A title cut in /sessions ends "about…", not "about …".
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

MIXCHAT_VAULT_KDF=min; export MIXCHAT_VAULT_KDF
cat >"$T/script.json" <<'EOF2'
[
  {"prompt_contains": "ratelimit", "status": 429, "retry_after": 150},
  {"prompt_contains": "think", "reply": "<think>Let me consider this carefully.</think>The answer is 42."},
  {"prompt_contains": "slow", "reply": "This is a slow reply that takes a while to stream.", "drip_ms": 300}
]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"
# The rest: no vault.
H2=$T/home2
write_config "$H2"

# 1. /models with openai's key in a vault kept locked (Enter alone at the
# passphrase prompt): openai's models wait for the vault; `keys add openai`
# would only replace a key that is fine.
printf 'pass1\nsk-proj-DAILYUSER-1a1a1a1a\n' | setsid -w "$MC" --home "$H" keys add openai --passphrase-fd 0 >"$T/out" 2>"$T/err" ||
	fail "keys add openai: $(cat "$T/err")"
ui_start MIXCHAT_VAULT_KDF=min -- --home "$H"
ui_expect "vault passphrase \(Enter alone: local models only\)" "the passphrase prompt"
ui_keys Enter
ui_expect "F1 keys" "chat screen, the vault locked"
send "/models"
ui_expect "more models wait for openai's key in the vault, which stays locked" "/models: openai's models wait for the locked vault"
ui_expect "type the passphrase to use them\)" "and says how to open it"
ui_expect "PROVIDER, one of anthropic," "the others need a key, openai not among them"
ui_expect_not "one of openai" "not: add openai's key again"
ui_expect "or openrouter, whose" "openrouter is named, as keys add names it"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 3. /why while the reply streams: it is answering, not "answered reply 1
# (not stored)" (which reads like data lost); once done, the reply's id.
ui_start -- --home "$H2"
ui_expect "F1 keys" "chat screen"
send "slow reply for /why"
ui_expect "streaming" "the slow reply streams"
send "/why"
ui_expect "Why (cheap|mid|expensive) is answering this message \(highest score wins; the reply is still arriving\):" "/why on a reply still arriving says so"
ui_expect_not "not stored" "not: not stored"
ui_expect "^ +(cheap|mid|expensive) · .*[0-9]+ tok" "the reply done" 60
send "/why"
ui_expect "Why (cheap|mid|expensive) answered reply [0-9]+\.[0-9]+ \(highest score wins\):" "/why once it is done names its id"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 8. Scrolled up, the reply in view is marked (▌) on its footer only: the
# thinking lines above the answer are not its footer.
UI_ROWS=14 ui_start -- --home "$H2"
ui_expect "F1 keys" "chat screen, 14 rows"
send "think about it"
ui_expect "^ +(cheap|mid|expensive) · .*[0-9]+ tok" "the reasoning reply"
send "one more message"
ui_expect "mock reply to: one more message" "one more reply"
ui_keys PPage
ui_expect "^ ▌ +(cheap|mid|expensive) · .*[0-9]+ tok" "scrolled up: the reply's footer is marked"
ui_expect "^ +thinking:" "its thinking lines are in view"
ui_expect_not "^ ▌ +(thinking:|Let me consider)" "the thinking lines are not marked as its footer"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 9. /sessions 10 and /new while a reply streams: each kept in the input
# (said once on the notice line), the next command typed replaces it.
ui_start -- --home "$H2"
ui_expect "F1 keys" "chat screen"
send "slow reply to keep commands"
ui_expect "streaming" "the slow reply streams"
send "/sessions 10"
ui_expect "/sessions 10 is kept in the input: a reply is still arriving" "/sessions N refused for now: the notice says it is kept"
ui_expect "^› /sessions 10 *$" "and it is in the input"
ui_type "/new"
ui_expect "^› /new *$" "a command typed over it replaces it, not glued to it"
ui_keys Enter
ui_expect "/new is kept in the input: a reply is still arriving" "/new refused for now: kept"
ui_expect_not "/sessions 10 is kept|\\+1 more" "the replaced command's notice is gone"
ui_keys Enter
ui_expect_not "\\+1 more" "Enter again: the notice is not repeated"
ui_expect_not " -!- /new" "and no note in the conversation"
ui_expect "^ +(cheap|mid|expensive) · .*[0-9]+ tok" "the reply done" 60
ui_expect "^› /new *$" "the kept /new is still in the input"
ui_keys Enter
ui_expect "a new conversation" "Enter runs it once the reply is done"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 11. A 429 for the model the router chose, then /model pins it.
ui_start -- --home "$H2"
ui_expect "F1 keys" "chat screen"
send "ratelimit now"
ui_expect "is rate-limited for 3 min: the router will use another model until then" "the 429's notice"
lm=$(sed -n 's/^ ! \([a-z]*\) is rate-limited for 3 min.*/\1/p' "$T/screen" | head -n 1)
send "/model $lm"
ui_expect "every message now goes to $lm" "pinned"
ui_expect "^ ! $lm is rate-limited for [0-9]+ min more: pinned, a message is sent to it all the same" "pinning it says it is still rate-limited and a message goes to it anyway"
ui_expect_not "the router will use another model until then" "the notice line no longer says the router avoids it"
ui_expect_not "\\+1 more" "nor counts the stale notice as unread"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 12a. /why and /models on screen, then /glyphs ascii: their marks switch
# with the replies' (▶ to >, ± to +-), and back.
ui_start -- --home "$H2"
ui_expect "F1 keys" "chat screen"
send "hello glyphs"
ui_expect "mock reply to: hello glyphs" "a reply"
send "/why"
ui_expect "^ +▶ (cheap|mid|expensive) " "/why's winner marked ▶"
send "/models"
ui_expect "^ +cheap +mock .*[0-9]±[0-9]" "/models' quality ± its uncertainty"
send "/glyphs ascii"
ui_expect "marks in ASCII for this session" "ASCII marks"
ui_expect "^ +> (cheap|mid|expensive) " "the /why table on screen marks its winner > now"
ui_expect "^ +cheap +mock .*[0-9]\+-[0-9]" "the /models table on screen has +- now"
ui_expect_not "▶|±" "no Unicode mark left on screen"
send "/glyphs unicode"
ui_expect "^ +▶ (cheap|mid|expensive) " "back: ▶"
ui_expect "^ +cheap +mock .*[0-9]±[0-9]" "back: ±"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 12b. At 71 columns /sessions cuts this title right after "about ": the
# mark follows the word, with no space before it.
H3=$T/home3
write_config "$H3"
UI_COLS=71 ui_start -- --home "$H3"
ui_expect "F1 keys" "chat screen, 71 columns"
send "quick question number 9 about something long enough to be cut"
ui_expect "mock reply to: quick question" "a reply"
send "/sessions"
ui_expect "quick question number 9 about… *$" "the cut title ends 'about…'"
ui_expect_not "about …" "no space before the mark"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

finish
