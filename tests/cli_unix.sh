# cli_unix.sh - the shell commands as Unix tools: Ctrl-C (or SIGTERM) on
# `ask` ends it by that signal once what came is kept (a loop of asks
# stops); a write to standard output that fails is said and is exit 1; a
# reader that goes away ends a command quietly, by SIGPIPE.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"

cat >"$T/script.json" <<EOF2
[
  {"prompt_contains": "slowdrip", "reply": "one two three four five six", "drip_ms": 400},
  {"prompt_contains": "manylines", "reply": "one\\ntwo\\nthree\\nfour\\nfive", "drip_ms": 300}
]
EOF2
start_mock "$T/script.json"
H=$T/home
write_config "$H"
export LC_ALL=C.UTF-8
MIXCHAT_VAULT_KDF=min; export MIXCHAT_VAULT_KDF

# wait_for FILE PATTERN: until FILE holds PATTERN (10 s at most).
wait_for() {
	n=0
	while ! grep -q "$2" "$1" 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
}

# --- Ctrl-C and SIGTERM on ask: what came is kept, then death by it.
for sig in INT TERM; do
	"$MC" --home "$H" ask --session sig$sig --model mid "slowdrip $sig" >"$T/sig.out" 2>"$T/sig.err" &
	pid=$!
	wait_for "$T/sig.out" one
	kill -$sig $pid
	wait $pid
	rc=$?
	want=$((128 + $(kill -l $sig)))
	[ $rc = $want ] && ok "SIG$sig ends ask by SIG$sig ($rc)" || fail "SIG$sig: ask exit $rc, want $want"
	expect_grep "$T/sig.err" "mixchat: cancelled" "SIG$sig: said cancelled"
	expect_grep "$T/sig.err" "^mid · " "SIG$sig: and the footer"
	"$MC" --home "$H" export sig$sig >"$T/sig.md" 2>&1
	expect_grep "$T/sig.md" "^one" "SIG$sig: what came is kept"
done
# A loop of asks, Ctrl-C'd (SIGINT to its process group, as the terminal
# sends it): bash stops the loop, as it does for curl; only one prompt
# was sent.  Needs a shell whose SIGINT is not ignored.
ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status 2>/dev/null)
if command -v bash >/dev/null && command -v setsid >/dev/null && [ -n "$ign" ] &&
	[ $((0x$ign & 2)) = 0 ]; then
	before=$(grep -c slowdrip "$MOCK_LOG")
	cat >"$T/loop.sh" <<EOF2
echo \$\$ >"$T/loop.pid"
for i in 1 2 3; do "$MC" --home "$H" ask --model mid "slowdrip loop \$i"; done
EOF2
	rm -f "$T/loop.pid" "$T/loop.out"
	# The loop in the foreground: one started with & ignores SIGINT.
	( wait_for "$T/loop.out" one; kill -INT -$(cat "$T/loop.pid") ) &
	kpid=$!
	setsid -w bash "$T/loop.sh" >"$T/loop.out" 2>"$T/loop.err"
	rc=$?
	wait $kpid
	after=$(grep -c slowdrip "$MOCK_LOG")
	[ $((after - before)) = 1 ] && ok "Ctrl-C stops a loop of asks: one prompt sent" ||
		fail "Ctrl-C on a loop of asks: $((after - before)) prompts sent"
	[ $rc = 130 ] && ok "the loop's shell ends by SIGINT" || fail "the loop's shell: exit $rc"
else
	echo "note: SIGINT is ignored here; the loop of asks is not tested"
fi

# --- A failed write to standard output: said, exit 1.
"$MC" --home "$H" ask --session kept "slowdrip for the lists" >/dev/null 2>&1
printf 'pw\n' >"$T/pw"
printf 'sk-test-0123456789' | setsid -w "$MC" --home "$H" keys add openai --passphrase-fd 3 3<"$T/pw" >/dev/null 2>&1 ||
	fail "keys add"
for c in "stats" "stats --json" "sessions" "sessions --json" "route hi" "route --json hi" \
	"keys list --names-only" "--help" "--version" "help" "ask --help" "export --help"; do
	set -- $c
	case $1 in -*|help) cmd=mixchat ;; *) cmd="mixchat $1" ;; esac
	expect_exit 1 "$c to a full disk: exit 1" -- sh -c '"$@" >/dev/full' sh "$MC" --home "$H" "$@"
	expect_grep "$T/err" "^$cmd: writing to standard output failed: No space left on device$" "$c: the failure said"
done
# Those that said it their own way keep their message.
expect_exit 1 "export to a full disk" -- sh -c '"$@" >/dev/full' sh "$MC" --home "$H" export kept
expect_grep "$T/err" "^mixchat: cannot write the conversation$" "export: its own message"
[ "$(wc -l <"$T/err")" = 1 ] && ok "export: said once" || fail "export: $(cat "$T/err")"
expect_exit 1 "ask to a full disk" -- sh -c '"$@" >/dev/full' sh "$MC" --home "$H" ask --model mid "to a full disk"
expect_grep "$T/err" "writing the reply to standard output failed (No space left on device)" "ask: its own message"
expect_no_grep "$T/err" "^mixchat ask: writing" "ask: said once"

"$MC" --home "$H" rate last 4 >/dev/null 2>&1 || fail "rate last"
# --- A reader that went away: quiet, by SIGPIPE.  The reader is gone
# before the command writes (true ends at once; the command waits).
for c in "stats" "stats --json" "sessions" "sessions --json" "route hi" "--help" "export kept" "ratings export"; do
	{ sleep 0.3; "$MC" --home "$H" $c 2>"$T/pipe.err"; echo $? >"$T/pipe.rc"; } | true
	[ "$(cat "$T/pipe.rc")" = 141 ] && ok "$c | (closed): SIGPIPE" || fail "$c | (closed): exit $(cat "$T/pipe.rc")"
	expect_no_grep "$T/pipe.err" "writ" "$c | (closed): nothing said of it"
done
# ... also when SIGPIPE was ignored by whoever started it (the write
# fails with EPIPE then): quiet all the same.
for c in "stats" "sessions --json" "--version"; do
	{ sleep 0.3; (trap '' PIPE; exec "$MC" --home "$H" $c 2>"$T/pipe.err"); echo $? >"$T/pipe.rc"; } | true
	[ "$(cat "$T/pipe.rc")" = 141 ] && ok "$c, SIGPIPE ignored, | (closed): ends by SIGPIPE" ||
		fail "$c, SIGPIPE ignored, | (closed): exit $(cat "$T/pipe.rc")"
	[ ! -s "$T/pipe.err" ] && ok "$c, SIGPIPE ignored: quiet" || fail "$c, SIGPIPE ignored: $(cat "$T/pipe.err")"
done
# `ask | head -1`: the reply so far kept, nothing said, SIGPIPE.
{ "$MC" --home "$H" ask --session headed --model mid "manylines to head" 2>"$T/head.err"; echo $? >"$T/head.rc"; } | head -1 >"$T/head.out"
[ "$(cat "$T/head.rc")" = 141 ] && ok "ask | head -1: SIGPIPE" || fail "ask | head -1: exit $(cat "$T/head.rc")"
[ ! -s "$T/head.err" ] && ok "ask | head -1: quiet" || fail "ask | head -1 said: $(cat "$T/head.err")"
"$MC" --home "$H" export headed >"$T/head.md" 2>&1
expect_grep "$T/head.md" "^one" "ask | head -1: what came is kept"

# --- ask that fails before it sends creates nothing: not the home, not
# its db/ (as route, stats, export create nothing).
created() { find "$1" -mindepth 1 ! -name config.json 2>/dev/null | head -3; }
expect_exit 2 "ask with a typo'd --home and --model" -- "$MC" --home "$T/typo" ask --model x hi
[ ! -e "$T/typo" ] && ok "the typo'd home is not created" || fail "created: $(find "$T/typo")"
expect_exit 1 "ask with no model set up" -- "$MC" --home "$T/bare" ask hi
expect_grep "$T/err" "no model is set up" "says so"
[ ! -e "$T/bare" ] && ok "and creates no home" || fail "created: $(find "$T/bare")"
HF=$T/home_fresh
write_config "$HF"
expect_exit 2 "ask --model x in a home with a config" -- "$MC" --home "$HF" ask --model x hi
expect_exit 2 "ask --session 77" -- "$MC" --home "$HF" ask --session 77 hi
expect_exit 2 "ask --session new" -- "$MC" --home "$HF" ask --session new hi
expect_exit 1 "ask --session last" -- "$MC" --home "$HF" ask --session last hi
expect_exit 2 "an empty prompt" -- "$MC" --home "$HF" ask ""
[ -z "$(created "$HF")" ] && ok "none of them created anything beside config.json" ||
	fail "created: $(created "$HF")"
# The first ask that is sent makes the store, and the next ones find it.
expect_exit 0 "the first ask sent" -- "$MC" --home "$HF" ask --session first --model mid "hello there"
[ -e "$HF/db/data.mdb" ] && ok "it made the store" || fail "no store after an ask: $(find "$HF")"
[ "$(stat -c %a "$HF/db")" = 700 ] && ok "its folder 0700" || fail "db/ mode $(stat -c %a "$HF/db")"
expect_exit 0 "a second ask in it" -- "$MC" --home "$HF" ask --session first --model mid "again"
"$MC" --home "$HF" export first >"$T/first.md" 2>&1
expect_grep "$T/first.md" "hello there" "the first exchange was stored"
expect_grep "$T/first.md" "again" "and the second"

finish
