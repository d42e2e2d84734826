# net_secrets.sh - a key leaves only in its header, to the provider itself:
# plain http:// (to this computer) never goes through a proxy from the
# environment, while https:// still does (a CONNECT tunnel); what a
# provider says back in an error (the key reflected, terminal escape
# sequences) and credentials in base_url reach neither the data folder,
# nor the --log file, nor the terminal; the --log file is 0600 and never
# a symlink.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"

MIXCHAT_VAULT_KDF=min; export MIXCHAT_VAULT_KDF
unset no_proxy NO_PROXY http_proxy HTTPS_PROXY https_proxy ALL_PROXY all_proxy
KEY=sk-proj-NETSECRETSTEST-7c7c7c7c7c7c7c7c
cat >"$T/script.json" <<'EOF2'
[
  {"prompt_contains": "reflectme", "status": 400,
   "error_message": "Invalid API key provided: {auth} \u001b]0;PWNED-TITLE\u0007\u001b[31mred\u001b[0m \u009b2J done"},
  {"prompt_contains": "midstream", "midstream_error": true,
   "reply": "one two three four five six seven eight",
   "error_message": "bad key {auth}\u001b[2J"},
  {"prompt_contains": "notfound", "status": 404}
]
EOF2
start_mock "$T/script.json"

# home H: openai at the mock, with a key.
H=$T/home
mkdir -p "$H"
write_home() {
	cat >"$H/config.json" <<EOF2
{
  "providers": { "openai": { "base_url": "$1" } },
  "models": [ { "id": "gpt-4.1-mini", "enabled": true } ],
  "vault": { "passphrase_command": "cat '$T/pw'" }
}
EOF2
}
write_home "http://127.0.0.1:$PORT/v1"
printf 'correct horse\n' >"$T/pw"
printf 'correct horse\n%s\n' "$KEY" | setsid -w "$MC" --home "$H" keys add openai --passphrase-fd 0 >"$T/out" 2>"$T/err" &&
	ok "keys add openai" || { fail "keys add openai"; cat "$T/err"; }

# 1. A proxy in the environment: the mock itself is the proxy here (a
# proxied request comes as "POST http://host:port/path").  Plain http://
# to loopback goes straight to the server.
: >"$MOCK_LOG"
expect_exit 0 "ask over http:// with http_proxy and ALL_PROXY set" -- env http_proxy="http://127.0.0.1:$PORT" ALL_PROXY="http://127.0.0.1:$PORT" setsid -w "$MC" --home "$H" ask "via proxy"
expect_grep "$MOCK_LOG" '"path":"/v1/chat/completions"' "the request came straight, in origin form"
expect_no_grep "$MOCK_LOG" '"path":"http://' "no request came through the proxy"

# https:// to a remote provider still honours the proxy (a corporate
# proxy): the proxy gets a CONNECT and nothing else (the mock answers it
# 404, so the ask fails; the name is never resolved here).
write_home "https://api.mixchat-test.invalid/v1"
: >"$MOCK_LOG"
expect_exit 1 "ask over https:// with https_proxy set" -- env https_proxy="http://127.0.0.1:$PORT" setsid -w "$MC" --home "$H" ask "via proxy"
expect_grep "$MOCK_LOG" '"method":"CONNECT"' "the https request went to the proxy as a CONNECT"
expect_grep "$MOCK_LOG" 'api.mixchat-test.invalid:443' "for the provider's host"
expect_no_grep "$MOCK_LOG" "$KEY" "the proxy never saw the key"

# 2. What a provider says back.  It echoes the Authorization header in a
# 400 and in an in-stream error, with terminal escape sequences (OSC
# title, CSI colour, a C1 CSI): the key is masked and the controls are
# dropped everywhere the words go.
write_home "http://127.0.0.1:$PORT/v1"
ESC=$(printf '\033')
C1=$(printf '\302\233')
no_secret() { # FILE... : no key and none of the sequences sent
	for f in "$@"; do
		if grep -r -a -q --exclude=config.json -e "$KEY" -e "$ESC]0;" \
			-e "$ESC\[31m" -e "$ESC\[2J" -e "$C1" "$f"; then
			fail "a key or a terminal control in $f"
			grep -r -a -o -e ".\{0,30\}$KEY" -e ".\{0,20\}$ESC[]\[].\{0,10\}" "$f" | cat -v | head -5
		else ok "no key, no terminal control in $f"; fi
	done
}
expect_exit 1 "ask: the provider answers 400 echoing the key" -- setsid -w "$MC" --home "$H" --log "$T/debug.log" ask "reflectme"
expect_grep "$T/err" "Invalid API key provided: Bearer \[key\]" "the echoed key is shown as [key]"
expect_grep "$T/err" "PWNED-TITLE" "the rest of the provider's words are kept"
no_secret "$T/err" "$T/debug.log" "$H"
expect_exit 1 "ask: an in-stream error echoing the key" -- setsid -w "$MC" --home "$H" --log "$T/debug.log" ask "midstream"
expect_grep "$T/err" "bad key Bearer \[key\]" "the echoed key is shown as [key] (in-stream)"
no_secret "$T/err" "$T/debug.log" "$H"

# Credentials and a query in base_url are never shown, logged or stored:
# a 404 names the URL, an unreachable server too.
for url in "http://gwuser:GWPASSMARKER@127.0.0.1:$PORT/v1" "http://gwuser:GWPASSMARKER@127.0.0.1:1/v1?sig=QUERYMARKER"; do
	write_home "$url"
	expect_exit 1 "ask with credentials in base_url ($url)" -- setsid -w "$MC" --home "$H" --log "$T/debug.log" ask "notfound"
	expect_grep "$T/err" "at http://127.0.0.1:[0-9]*/" "the error names the URL without its credentials"
	for f in "$T/err" "$T/debug.log" "$H"; do
		if grep -r -a -q --exclude=config.json -e GWPASSMARKER -e gwuser -e QUERYMARKER "$f"; then
			fail "base_url credentials in $f"
			grep -r -a -o ".\{0,40\}GWPASSMARKER.\{0,40\}" "$f" | head -3
		else ok "no base_url credentials in $f"; fi
	done
done

# 3. The --log file is the user's alone: an existing one left 0644 is
# narrowed to 0600, and a symlink where it goes is refused (mixchat would
# append wherever it points).
touch "$T/old.log"; chmod 644 "$T/old.log"
expect_exit 0 "--log to an existing 0644 file" -- setsid -w "$MC" --home "$H" --log "$T/old.log" keys list --names-only
[ "$(stat -c %a "$T/old.log")" = 600 ] && ok "the log file is 0600 now" ||
	fail "the log file is $(stat -c %a "$T/old.log")"
ln -s "$T/elsewhere.log" "$T/link.log"
expect_exit 2 "--log to a symlink is refused" -- setsid -w "$MC" --home "$H" --log "$T/link.log" keys list --names-only
expect_grep "$T/err" "cannot open the log file" "and says so"
[ ! -e "$T/elsewhere.log" ] && ok "nothing written where the symlink points" ||
	fail "the log followed the symlink"

finish
