# vault_crash.sh - `mixchat keys passwd` killed with SIGKILL at random
# points (after SQLite's crash tests): every time, the vault must still open
# with the old passphrase or the new one, with its keys intact.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"

MIXCHAT_VAULT_KDF=min; export MIXCHAT_VAULT_KDF
H="$T/home"
ROUNDS=${VAULT_CRASH_ROUNDS:-40}
mc() { setsid -w "$MC" --home "$H" "$@"; }
now_us() { echo $(($(date +%s%N) / 1000)); }
rand() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }
# opens PASSPHRASE: whether it unlocks the vault (keys list exit 0).
opens() {
	printf '%s\n' "$1" | mc keys list --passphrase-fd 0 >"$T/out" 2>"$T/err"
}

printf 'p0\nsk-crash-openai-123\n' | mc keys add openai --passphrase-fd 0 >/dev/null ||
	fail "setup: add"
printf 'p0\nsk-crash-gemini-456\n' | mc keys add gemini --passphrase-fd 0 >/dev/null ||
	fail "setup: add"

# How long one passwd takes, to spread the kills over its whole run.
# Timed the way the loop runs it, less the time sleep itself needs.
printf 'p0\np1\n' >"$T/pw"
t0=$(now_us)
"$MC" --home "$H" keys passwd --passphrase-fd 3 3<"$T/pw" </dev/null >/dev/null 2>&1 &
wait $! || fail "setup: passwd"
dur=$(($(now_us) - t0))
t0=$(now_us)
sleep 0.000001
dur=$((dur - ($(now_us) - t0)))
[ "$dur" -lt 1000 ] && dur=1000
cur=p1
n=1
old_won=0
new_won=0
r=0
while [ $r -lt "$ROUNDS" ]; do
	next="p$((n + 1))"
	delay=$(($(rand) * dur / 65536))
	printf '%s\n%s\n' "$cur" "$next" >"$T/pw"
	"$MC" --home "$H" keys passwd --passphrase-fd 3 3<"$T/pw" \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%06d' "$delay")"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	if opens "$next"; then
		cur=$next; n=$((n + 1)); new_won=$((new_won + 1))
	elif opens "$cur"; then
		old_won=$((old_won + 1))
	else
		fail "round $r (killed after ${delay} us): opens with neither $cur nor $next"
		sed 's/^/  | /' "$T/err"
		break
	fi
	if ! grep -q "^gemini	" "$T/out" || ! grep -q "^openai	" "$T/out"; then
		fail "round $r: keys lost"; break
	fi
	r=$((r + 1))
done
echo "passwd ~${dur} us; $ROUNDS kills: old passphrase kept $old_won times, new $new_won times; $(ls "$H" | grep -c "vault.tmp") temp files left by kills mid-write"
[ $r -eq "$ROUNDS" ] && ok "every killed passwd left an openable vault"
# Leftover temporary files do not disturb the next run.
if opens "$cur"; then ok "vault opens at the end"; else fail "vault does not open at the end"; fi
printf '%s\nsk-after\n' "$cur" | mc keys add anthropic --passphrase-fd 0 >/dev/null &&
	ok "adding works after the crashes" || fail "add after crashes"

finish
