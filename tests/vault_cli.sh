# vault_cli.sh - `mixchat keys` as a user runs it: add, list, remove,
# passwd, wrong passphrase, damage, permissions, and where a key must never
# appear.  The cheap KDF (MIXCHAT_VAULT_KDF=min) keeps it fast; every
# command runs in its own session (setsid) so none can reach a terminal.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"

MIXCHAT_VAULT_KDF=min; export MIXCHAT_VAULT_KDF
H="$T/home"
V="$H/vault"
KEY=sk-proj-VAULTCLITEST-0123456789abcdef
KEY2=sk-ant-VAULTCLITEST-fedcba9876543210
mc() { setsid -w "$MC" --home "$H" "$@"; }
# run_pw CODE DESCRIPTION PASSPHRASE STDIN ARGS...: passphrase on fd 3.
run_pw() {
	want=$1; what=$2; pw=$3; input=$4; shift 4
	printf '%s\n' "$pw" >"$T/pw"
	printf '%s' "$input" | mc "$@" --passphrase-fd 3 3<"$T/pw" \
		>"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$what: exit $got, want $want"; sed 's/^/  | /' "$T/err"
	else ok "$what"; fi
}

# First key: creates the folder (0700) and the vault (0600).
run_pw 0 "add the first key" "pw one" "$KEY
" keys add openai
expect_grep "$T/out" "stored the key for openai (fingerprint [0-9a-f]\{8\})" \
	"add reports a fingerprint"
[ "$(stat -c %a "$V")" = 600 ] && ok "vault is 0600" || fail "vault mode $(stat -c %a "$V")"
[ "$(stat -c %a "$H")" = 700 ] && ok "folder is 0700" || fail "folder mode $(stat -c %a "$H")"
run_pw 0 "add a second key" "pw one" "$KEY2" keys add anthropic

# list: names and fingerprints, never a key.
run_pw 0 "list" "pw one" "" keys list
expect_grep "$T/out" "^anthropic	[0-9a-f]\{8\}$" "list shows anthropic's fingerprint"
expect_grep "$T/out" "^openai	[0-9a-f]\{8\}$" "list shows openai's fingerprint"
if grep -q VAULTCLITEST "$T/out" "$T/err"; then fail "list printed a key"; else ok "list prints no key"; fi
expect_exit 0 "list --names-only, no passphrase" -- mc keys list --names-only
expect_grep "$T/out" "^openai$" "names without the passphrase"
expect_exit 0 "list with no passphrase source" -- mc keys list
expect_grep "$T/err" "fingerprints left out" "says why there are no fingerprints"

# The key is in no file under the home (vault, LMDB, anything), not even
# as the base64 of a prefix.
if grep -r -q -F -e VAULTCLITEST "$H"; then fail "a key is in a file under the home"
else ok "no plaintext key in any file under the home"; fi

# Wrong passphrase: exit 3, "wrong passphrase", the file byte-identical.
cp "$V" "$T/before"
run_pw 3 "wrong passphrase" "pw two" "" keys list
expect_grep "$T/err" "wrong passphrase" "says wrong passphrase"
run_pw 3 "wrong passphrase on add" "nope" "sk-other" keys add gemini
expect_grep "$T/err" "wrong passphrase for the vault .*; nothing was changed$" "a wrong passphrase on add says nothing was changed"
cmp -s "$V" "$T/before" && ok "vault unchanged after wrong passphrases" || fail "vault changed"
printf '' >"$T/empty"
mc keys list --passphrase-fd 3 3<"$T/empty" >"$T/out" 2>"$T/err"
[ $? -eq 3 ] && ok "empty descriptor exits 3" || fail "empty descriptor"

# Keys never from argv; bad arguments are usage errors.
expect_exit 2 "key on the command line refused" -- mc keys add openai sk-argv
expect_grep "$T/err" "never taken from the command line" "explains why"
expect_exit 2 "unknown provider" -- mc keys add nosuchprovider
expect_grep "$T/err" "those that take a key: openai, anthropic" "an unknown provider: the known ones are listed"
expect_exit 2 "a provider misspelt" -- mc keys add anthropc
expect_grep "$T/err" "'anthropc' is not a provider in .* or the built-in catalog; did you mean 'anthropic'?" "did you mean the provider"
# A provider that needs no key: where that is said (the catalog, on a home
# with no config.json; config.json when it sets "auth" itself).
HN=$T/home_nokey
mkdir -p "$HN"
expect_exit 2 "keys add for a keyless catalog provider" -- setsid -w "$MC" --home "$HN" keys add ollama
expect_grep "$T/err" "provider 'ollama' needs no key (\"auth\": \"none\" in the built-in catalog" "says the catalog sets it"
expect_no_grep "$T/err" "\"none\" in $HN/config.json" "not a config.json that is not there"
printf '{ "providers": { "loc": { "api": "openai", "base_url": "http://127.0.0.1:9/v1", "auth": "none" } } }\n' >"$HN/config.json"
expect_exit 2 "keys add for a provider config.json says needs no key" -- setsid -w "$MC" --home "$HN" keys add loc
expect_grep "$T/err" "provider 'loc' has \"auth\": \"none\" in $HN/config.json" "names config.json when it sets it"
# A key typed where the provider goes is refused without being echoed.
expect_exit 2 "a key in the provider's place" -- mc keys add sk-proj-WRONGPLACE-0123456789
expect_grep "$T/err" "looks like an API key" "says it looks like a key"
if grep -q WRONGPLACE "$T/err" "$T/out"; then fail "the mistyped key was echoed"; else ok "the mistyped key is not echoed"; fi
expect_exit 2 "a key in the provider's place, on remove" -- mc keys remove sk-proj-WRONGPLACE-0123456789
expect_grep "$T/err" "looks like an API key" "remove says it looks like a key"
if grep -q WRONGPLACE "$T/err" "$T/out"; then fail "remove echoed the mistyped key"; else ok "remove does not echo it"; fi
# A provider of one's own with a long name is a provider, not a key.
HL=$T/homelong
mkdir -p "$HL"
printf '{ "providers": { "company-internal-gateway-eu": { "api": "openai", "base_url": "https://gw.example/v1" } } }\n' >"$HL/config.json"
printf 'pw\nsk-long-provider-key\n' | setsid -w "$MC" --home "$HL" keys add company-internal-gateway-eu --passphrase-fd 0 >"$T/out" 2>"$T/err" &&
	ok "a long provider name is taken" || fail "long provider name refused: $(cat "$T/err")"
# Blanks pasted around a key are dropped: the same fingerprint as the key.
run_pw 0 "a key with blanks around it" "pw one" "  $KEY	 
" keys add groq
grep -o "fingerprint [0-9a-f]*" "$T/out" >"$T/fp_blank"
run_pw 0 "the same key without them" "pw one" "$KEY
" keys add deepseek
grep -o "fingerprint [0-9a-f]*" "$T/out" >"$T/fp_clean"
[ -s "$T/fp_clean" ] && cmp -s "$T/fp_blank" "$T/fp_clean" && ok "blanks around a pasted key are dropped" ||
	fail "fingerprints differ: $(cat "$T/fp_blank") vs $(cat "$T/fp_clean")"
# An empty key is said as it came: a blank line piped, or nothing at all.
run_pw 2 "an empty key piped" "pw one" "
" keys add mistral
expect_grep "$T/err" "the key piped on standard input is empty" "says the piped key is empty"
expect_no_grep "$T/err" "type it when asked" "not as if nothing was piped"
run_pw 2 "nothing piped" "pw one" "" keys add mistral
expect_grep "$T/err" "standard input was empty" "says standard input was empty"
expect_exit 2 "unknown subcommand" -- mc keys frob
expect_exit 2 "bad descriptor" -- mc keys list --passphrase-fd x
expect_exit 1 "remove an absent key" -- mc keys remove gemini
expect_grep "$T/err" "no key for gemini" "names the absent key"

# passwd: two lines on the descriptor, old then new.
run_pw 0 "passwd" "pw one
pw two" "" keys passwd
run_pw 3 "old passphrase no longer opens" "pw one" "" keys list
run_pw 0 "new passphrase opens" "pw two" "" keys list
expect_grep "$T/out" "^openai	" "keys survive passwd"
run_pw 0 "remove" "pw two" "" keys remove anthropic
expect_exit 0 "list after remove" -- mc keys list --names-only
if grep -q anthropic "$T/out"; then fail "removed key still listed"; else ok "removed key gone"; fi
# A vault whose last key is removed: `keys list` says it holds none
# (it printed nothing at all), on stderr, so stdout stays a list.
HE=$T/home_emptied
mkdir -m 700 "$HE" && cp "$V" "$HE/vault"
printf 'pw two\n' >"$T/pw"
for k in $(setsid -w "$MC" --home "$HE" keys list --names-only 2>/dev/null); do
	setsid -w "$MC" --home "$HE" keys remove "$k" --passphrase-fd 3 3<"$T/pw" >/dev/null 2>&1 || fail "remove $k"
done
setsid -w "$MC" --home "$HE" keys list --passphrase-fd 3 3<"$T/pw" >"$T/out" 2>"$T/err"
[ $? = 0 ] && [ ! -s "$T/out" ] && grep -qF "holds no keys: add one with 'mixchat --home $HE keys add PROVIDER'" "$T/err" &&
	ok "an emptied vault: keys list says it holds no keys" ||
	fail "an emptied vault: out '$(cat "$T/out")' err '$(cat "$T/err")'"

# passphrase_command from config.json.
printf '{ "vault": { "passphrase_command": "echo pw two" } }\n' >"$H/config.json"
expect_exit 0 "passphrase_command unlocks" -- mc keys list
expect_grep "$T/out" "^openai	[0-9a-f]\{8\}$" "fingerprint via passphrase_command"
printf '{ "vault": { "passphrase_command": "echo not the one" } }\n' >"$H/config.json"
expect_exit 3 "a wrong passphrase from passphrase_command exits 3" -- mc keys list
expect_grep "$T/err" "wrong passphrase for the vault .*printed by vault.passphrase_command in $H/config.json" "names vault.passphrase_command as its source"
printf '{ "vault": { "passphrase_command": "exit 7" } }\n' >"$H/config.json"
expect_exit 3 "failing passphrase_command exits 3" -- mc keys list
expect_grep "$T/err" "exit 7" "names the command's failure"
expect_grep "$T/err" "(it is set in $H/config.json; without it the passphrase is asked on the terminal)" "and where it is set, and the way without it"
rm "$H/config.json"
# The command never makes a new passphrase (README): the first keys add
# asks for one, here with no terminal to ask on, and creates nothing.
HN=$T/home_newvault
mkdir -p "$HN"
printf '{ "vault": { "passphrase_command": "echo from the command" } }\n' >"$HN/config.json"
printf 'sk-proj-NEWVAULT-0123456789abcdef\n' | setsid -w "$MC" --home "$HN" keys add openai >"$T/out" 2>"$T/err"
rc=$?
[ $rc -ne 0 ] && ok "a first keys add with passphrase_command and no terminal fails (exit $rc)" ||
	fail "a first keys add took its new passphrase from the command"
[ ! -e "$HN/vault" ] && ok "and creates no vault" || fail "a vault was created: $(ls -la "$HN")"
expect_grep "$T/err" "no terminal to type the new passphrase on: run it in a terminal, or give it with --passphrase-fd N" "says how to give the new passphrase"

# Damage: one flipped byte, a truncation: reported, exit 1, never rewritten.
cp "$V" "$T/good"
size=$(stat -c %s "$V")
for off in 0 9 30 60 80 $((size - 40)) $((size - 1)); do
	cp "$T/good" "$V"
	# Flip every bit of the byte (writing a constant would change nothing
	# when the random salt or nonce already holds it: 1 run in 256).
	b=$(od -An -tu1 -j "$off" -N1 "$V" | tr -d ' ')
	printf "\\$(printf %o $((b ^ 255)))" |
		dd of="$V" bs=1 seek="$off" conv=notrunc 2>/dev/null
	cmp -s "$V" "$T/good" && fail "byte $off was not changed"
	cp "$V" "$T/bad"
	run_pw 1 "byte $off flipped is detected" "pw two" "sk-x" keys add gemini
	cmp -s "$V" "$T/bad" || fail "damaged vault was rewritten (byte $off)"
done
expect_grep "$T/err" "damaged" "says damaged"
head -c 100 "$T/good" >"$V"
run_pw 1 "truncated vault is detected" "pw two" "" keys list
expect_grep "$T/err" "$V" "names the vault file"
# What needs no key still works beside a damaged vault, said once.
expect_exit 0 "route beside a damaged vault" -- mc route "what is a vault"
expect_grep "$T/err" "no key from it is used" "the damage is said, and what it means"
[ "$(grep -c "no key from it is used" "$T/err")" = 1 ] && ok "said once" || fail "said $(grep -c "no key from it is used" "$T/err") times"
# A keyed model asked for by name is refused with the vault named as the
# reason, not sent to `keys add` (which would refuse the damaged vault).
expect_exit 2 "ask --model beside a damaged vault" -- mc ask --model gpt-4o-mini hello
expect_grep "$T/err" "key vault cannot be used" "says the vault is why"
grep -q "keys add" "$T/err" && fail "sends the user to keys add" || ok "no keys add advice"
head -c 100 "$T/good" | cmp -s - "$V" && ok "the damaged vault is left as it was" || fail "the damaged vault changed"
cp "$T/good" "$V"

# Permissions and owner.
chmod 644 "$V"
run_pw 1 "0644 vault refused" "pw two" "" keys list
expect_grep "$T/err" "chmod 600" "says how to fix the mode"
# ask and the chat without a terminal (every model here needs a key) say
# the vault is why nothing can answer, and never send the user to `keys
# add`, which would refuse the vault too.
expect_exit 1 "ask beside a 0644 vault" -- mc ask "hello"
expect_grep "$T/err" "chmod 600" "ask says how to fix the mode"
expect_grep "$T/err" "vault, which cannot be used (said above)" "ask says the vault is why nothing answers (said above it, on stderr)"
expect_no_grep "$T/err" "keys add\|no model is set up" "ask gives no advice that cannot work"
expect_exit 1 "the chat without a terminal beside a 0644 vault" -- mc
expect_grep "$T/err" "chmod 600" "the chat says how to fix the mode"
expect_no_grep "$T/out" "keys add" "the chat gives no advice that cannot work"
chmod 600 "$V"
if [ "$(id -u)" -eq 0 ]; then
	chown 12345 "$V"
	run_pw 1 "vault of another user refused" "pw two" "" keys list
	expect_grep "$T/err" "uid 12345" "names the owner"
	chown 0 "$V"
else
	echo "skip: not root, cannot give the vault to another user"
fi

# argv, environment and core limit of a running `keys add`, held open on a
# passphrase descriptor that is not written yet.
rm -f "$T/fifo"; mkfifo "$T/fifo"
printf '%s\n' "$KEY" >"$T/keyfile"
"$MC" --home "$H" keys add openai --passphrase-fd 3 <"$T/keyfile" 3<>"$T/fifo" \
	>"$T/out" 2>"$T/err" &
pid=$!
i=0
while [ $i -lt 50 ] && ! grep -q keys "/proc/$pid/cmdline" 2>/dev/null; do
	sleep 0.1; i=$((i + 1)); done
sleep 0.2
if tr '\0' '\n' <"/proc/$pid/cmdline" | grep -q VAULTCLITEST; then
	fail "key in argv"; else ok "no key in /proc/PID/cmdline"; fi
if [ -r "/proc/$pid/environ" ]; then
	if tr '\0' '\n' <"/proc/$pid/environ" | grep -q VAULTCLITEST; then
		fail "key in environ"; else ok "no key in /proc/PID/environ"; fi
else
	echo "skip: /proc/$pid/environ is not readable (process not dumpable)"
fi
if grep -q "^Max core file size *0 *0 " "/proc/$pid/limits"; then
	ok "core dumps disabled"; else fail "core dumps allowed"; fi
printf 'pw two\n' >"$T/fifo"
wait $pid
[ $? -eq 0 ] && ok "held add finishes" || { fail "held add failed"; cat "$T/err"; }
if grep -r -q -F -e VAULTCLITEST "$H"; then fail "a key is in a file under the home"
else ok "still no plaintext key under the home"; fi

# --passphrase-fd 0 run in a terminal: the passphrase is typed there, so
# it is asked for there with echo off, as at the usual prompt (it used to
# be echoed on the screen).
if command -v tmux >/dev/null 2>&1; then
	. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
	ui_start -- --home "$H" keys list --passphrase-fd 0
	ui_expect "[Pp]assphrase for" "--passphrase-fd 0 on a terminal asks for the passphrase"
	ui_type "pw two"
	ui_keys Enter
	ui_expect "openai" "and lists the keys"
	ui_screen >"$T/screen"
	if grep -q "pw two" "$T/screen"; then fail "the passphrase was echoed: $(cat "$T/screen")"
	else ok "the passphrase typed on descriptor 0 was not echoed"; fi
	[ "$(ui_exit_status)" = 0 ] && ok "and exits 0" || fail "exit $(ui_exit_status)"
	# A new passphrase typed there is asked twice, as at the usual prompt:
	# read blind once, a slip would lock the vault for good.
	ui_start -- --home "$H" keys passwd --passphrase-fd 0
	ui_expect "[Pp]assphrase" "passwd on a terminal asks for the passphrase"
	ui_type "pw two"; ui_keys Enter
	ui_expect "[Nn]ew passphrase" "then for the new one"
	ui_type "pw three"; ui_keys Enter
	ui_expect "Again, to confirm" "and asks for it again"
	ui_type "pw thre"; ui_keys Enter
	ui_expect "the two passphrases differ: nothing was changed" "two different ones change nothing"
	[ "$(ui_exit_status)" != 0 ] && ok "and it fails" || fail "passwd with a slip exited 0"
	printf 'pw two\n' >"$T/pw2"
	"$MC" --home "$H" keys list --passphrase-fd 3 3<"$T/pw2" >/dev/null 2>&1 &&
		ok "the old passphrase still opens the vault" || fail "the vault changed after a mismatch"
else
	echo "skip: tmux is not installed (--passphrase-fd on a terminal)"
fi

finish
