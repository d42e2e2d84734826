# ui_lib.sh - helpers for the chat-screen scenarios: the real binary in a
# detached tmux server (its own socket), driven with send-keys and read with
# capture-pane.  Source after lib.sh.  Skips (77) when tmux is missing.
if ! command -v tmux >/dev/null 2>&1; then
	echo "SKIP: tmux is not installed (the screen tests drive mixchat in tmux)"
	exit 77
fi
SOCK_BASE="mixchat-ui-$$-$(date +%s)"
SOCK="$SOCK_BASE-0"
nstart=0
TM() { tmux -u -L "$SOCK" -f /dev/null "$@"; }
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT

# ui_start [ENV=VALUE ...] -- ARGS...: mixchat ARGS in a 100x30 window; its
# exit status lands in $T/exit.
ui_start() {
	envs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	[ $# -gt 0 ] && shift
	rm -f "$T/exit"
	# A fresh server (and socket) for each run: no race with the last.
	TM kill-server >/dev/null 2>&1
	nstart=$((nstart + 1)); SOCK="$SOCK_BASE-$nstart"
	TM new-session -d -x "${UI_COLS:-100}" -y "${UI_ROWS:-30}" \
	    "env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $envs '$MC' $* ; echo \$? >'$T/exit'; sleep 60"
	TM set-option -g remain-on-exit on >/dev/null 2>&1
}
ui_screen() { TM capture-pane -p -t 0 "$@"; }
ui_keys() { TM send-keys -t 0 "$@"; }
ui_type() { TM send-keys -t 0 -l "$1"; }
# ui_start_mock [SCRIPT]: start_mock, and on exit stop the mock and tmux
# both (start_mock's own trap would leave the tmux server).
ui_start_mock() {
	start_mock "$@"
	trap 'exec 9>&-; kill $MOCK_PID 2>/dev/null; tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT
}
# send TEXT: type TEXT into the input and press Enter.
send() { ui_type "$1"; ui_keys Enter; }
# ui_wait PATTERN [SECONDS]: wait until the screen shows PATTERN (grep -E).
ui_wait() {
	n=0; limit=$(( ${2:-5} * 10 ))
	while [ $n -lt $limit ]; do
		ui_screen >"$T/screen" 2>/dev/null
		grep -q -E -e "$1" "$T/screen" && return 0
		sleep 0.1; n=$((n + 1))
	done
	return 1
}
# ui_expect PATTERN DESCRIPTION [SECONDS]
ui_expect() {
	if ui_wait "$1" "${3:-5}"; then ok "$2"; else
		fail "$2: the screen never showed '$1'"; sed 's/^/  | /' "$T/screen"; fi
}
# ui_expect_not PATTERN DESCRIPTION: after a short settle.
ui_expect_not() {
	sleep 0.3; ui_screen >"$T/screen"
	if grep -q -E -e "$1" "$T/screen"; then
		fail "$2: the screen shows '$1'"; sed 's/^/  | /' "$T/screen"
	else ok "$2"; fi
}
# ui_exit_status: wait for mixchat to end; prints its exit status.
ui_exit_status() {
	n=0
	while [ ! -s "$T/exit" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	cat "$T/exit" 2>/dev/null || echo none
}
