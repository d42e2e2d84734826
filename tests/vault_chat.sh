# vault_chat.sh - a key from the vault reaches the provider, end to end:
# `keys add`, then `ask` (passphrase from vault.passphrase_command) and the
# chat screen (passphrase typed at the prompt, echo off) both send it in
# the one header the API wants, and it appears nowhere else: not in the
# request body, not in the data folder.  A wrong passphrase exits 3.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"

MIXCHAT_VAULT_KDF=min; export MIXCHAT_VAULT_KDF
KEY=sk-proj-CHATVAULTTEST-5a5a5a5a5a5a5a5a
start_mock
H=$T/home
mkdir -p "$H"
cat >"$H/config.json" <<EOF2
{
  "providers": {
    "openai": { "base_url": "http://127.0.0.1:$PORT/v1" },
    "anthropic": { "base_url": "http://127.0.0.1:$PORT" }
  },
  "models": [
    { "id": "gpt-4.1-mini", "enabled": true },
    { "id": "claude-haiku-4-5", "enabled": true }
  ],
  "vault": { "passphrase_command": "cat '$T/pw'" }
}
EOF2
printf 'correct horse\n' >"$T/pw"
printf 'correct horse\n%s\n' "$KEY" | setsid -w "$MC" --home "$H" keys add openai --passphrase-fd 0 >"$T/out" 2>"$T/err" &&
	ok "keys add openai" || { fail "keys add openai"; cat "$T/err"; }

# ask: the passphrase comes from the command; only openai has a key, so
# only openai's models are candidates.
expect_exit 0 "ask with a key from the vault" -- setsid -w "$MC" --home "$H" ask --json "hello vault"
expect_grep "$T/out" '"model":"gpt-4.1-mini"' "routed to the provider with a key"
grep -q "\"authorization\":\"Bearer $KEY\"" "$MOCK_LOG" && ok "key sent as Bearer" ||
	fail "no Bearer header with the key in the mock's log"
n=$(grep -o "$KEY" "$MOCK_LOG" | wc -l)
[ "$n" -eq 1 ] && ok "the key appears once in the request (the header)" ||
	fail "the key appears $n times in the request"
if grep -r -a -q "$KEY" "$H"; then fail "the key is in the data folder in plaintext"; else
	ok "no plaintext key in the data folder"; fi

printf 'wrong\n' >"$T/pw"
expect_exit 3 "wrong passphrase from the command" -- setsid -w "$MC" --home "$H" ask "hi"
expect_grep "$T/err" "wrong passphrase" "says wrong passphrase"

# The chat screen asks on the terminal, echo off, before curses starts.
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
sed -i '/passphrase_command/d; s/"vault": {[^}]*}//' "$H/config.json"
sed -i 's/  ],$/  ]/' "$H/config.json"
: >"$MOCK_LOG"
ui_start -- --home "$H"
ui_expect "vault passphrase" "the chat asks for the passphrase"
ui_type "correct horse"
ui_keys Enter
ui_expect "type a message" "the chat opens after the passphrase"
ui_screen >"$T/screen"
if grep -q "correct horse" "$T/screen"; then fail "the passphrase was echoed"; else ok "no echo"; fi
ui_type "hello from the screen"
ui_keys Enter
ui_expect "mock reply to: hello from the screen" "reply in the chat"
grep -q "\"authorization\":\"Bearer $KEY\"" "$MOCK_LOG" && ok "the chat sent the key as Bearer" ||
	fail "the chat did not send the key"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "Ctrl-D quits" || fail "Ctrl-D did not quit cleanly"

finish
