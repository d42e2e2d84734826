# lib.sh - helpers for the shell scenarios.  Source it; it sets:
#   $MC     the mixchat binary
#   $T      a fresh temporary folder (removed on exit)
# and gives fail(), expect_exit(), expect_grep(), expect_no_grep().
set -u
MC=${MIXCHAT_BIN:-./mixchat}
SHARED=${MIXCHAT_SHARED:-../shared}
T=$(mktemp -d "${TMPDIR:-/tmp}/mixchat-sh.XXXXXX")
trap 'rm -rf "$T"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }
# expect_exit CODE DESCRIPTION -- COMMAND...: run it, output in $T/out, $T/err.
expect_exit() {
	want=$1; what=$2; shift 3
	"$@" >"$T/out" 2>"$T/err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$what: exit $got, want $want"; sed 's/^/  | /' "$T/err" | head -20
	else ok "$what"; fi
}
# expect_grep FILE PATTERN DESCRIPTION
expect_grep() {
	if grep -q -e "$2" "$1"; then ok "$3"; else
		fail "$3: no '$2' in $1"; sed 's/^/  | /' "$1" | head -20; fi
}
# expect_no_grep FILE PATTERN DESCRIPTION
expect_no_grep() {
	if grep -q -e "$2" "$1"; then fail "$3: '$2' in $1"
		sed 's/^/  | /' "$1" | head -20; else ok "$3"; fi
}
finish() {
	echo "$failures failure(s)"
	[ "$failures" -eq 0 ]
	exit $?
}

# start_mock [SCRIPT]: start tests/mock_provider (loopback, random port);
# sets $PORT and $MOCK_LOG.  It ends when this shell exits (its stdin is a
# fifo this shell holds open).
start_mock() {
	mock_bin=${MIXCHAT_BUILDDIR:-.}/tests/mock_provider
	[ -x "$mock_bin" ] || { echo "SKIP: $mock_bin is not built"; exit 77; }
	MOCK_LOG=$T/mock.log
	rm -f "$T/mock.in" "$T/mock.port"
	mkfifo "$T/mock.in"
	if [ -n "${1:-}" ]; then
		"$mock_bin" --stdin-eof --script "$1" --log "$MOCK_LOG" \
			<"$T/mock.in" >"$T/mock.port" 2>"$T/mock.err" &
	else
		"$mock_bin" --stdin-eof --log "$MOCK_LOG" \
			<"$T/mock.in" >"$T/mock.port" 2>"$T/mock.err" &
	fi
	MOCK_PID=$!
	exec 9>"$T/mock.in"
	i=0
	while [ ! -s "$T/mock.port" ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	PORT=$(head -n 1 "$T/mock.port")
	[ -n "$PORT" ] || { echo "FAIL: the mock did not start"; cat "$T/mock.err"; exit 1; }
	trap 'exec 9>&-; kill $MOCK_PID 2>/dev/null; rm -rf "$T"' EXIT
}

# write_config HOME: a config.json with three models behind the mock:
# cheap, mid and expensive (a local OpenAI-compatible provider, no key).
write_config() {
	mkdir -p "$1"
	cat >"$1/config.json" <<EOF2
{
  "providers": {
    "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" }
  },
  "models": [
    { "id": "cheap", "provider": "mock", "price": [0.2, 0.2], "prior": "mistralai/mistral-7b-chat" },
    { "id": "mid", "provider": "mock", "price": [1, 2], "prior": "gpt-3.5-turbo-1106" },
    { "id": "expensive", "provider": "mock", "price": [10, 30], "prior": "gpt-4-1106-preview" }
  ],
  "budget": { "daily_usd": ${2:-2.0} }
}
EOF2
}
