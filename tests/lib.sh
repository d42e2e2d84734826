# lib.sh - helpers for the shell scenarios.  Source it; it sets:
#   $MC     the mixchat binary
#   $T      a fresh temporary folder (removed on exit)
# and gives fail(), expect_exit(), expect_grep().
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
finish() {
	echo "$failures failure(s)"
	[ "$failures" -eq 0 ]
	exit $?
}
