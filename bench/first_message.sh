#!/bin/sh
# first_message.sh - how long the chat's first message waits before its
# request leaves, for a user with many ratings: the router's memory of
# rated prompts is rebuilt from them once (the last 512 of each model),
# and the chat does it as soon as its first screen is up, not when the
# first message is sent.  Prints the median of RUNS starts, in ms, from
# Enter to the request reaching the mock provider (a loopback server).
#
#   MIXCHAT_BIN=./mixchat MIXCHAT_BUILDDIR=. sh bench/first_message.sh
# Needs tmux.  RUNS (default 5) and RATINGS (default 1200) may be set.
set -u
command -v tmux >/dev/null || { echo "first_message: no tmux, not run"; exit 0; }
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/lib.sh"
RUNS=${RUNS:-5}
RATINGS=${RATINGS:-1200}
start_mock
H=$T/home
write_config "$H"
# Ratings of made-up prompts, two models, as `ratings export` writes them.
awk -v n="$RATINGS" 'BEGIN {
	split("chemistry physics poem code rust python history music art " \
	    "math proof integral sort graph tree river cloud", w, " ")
	srand(1)
	for (i = 0; i < n; i++) {
		p = ""
		for (k = 0; k < 12; k++) p = p w[1 + int(rand() * 17)] " "
		printf "{\"reply_id\":\"b%d\",\"model\":\"%s\",\"score\":%d,", \
		    i, i % 3 ? "mid" : "cheap", 1 + int(rand() * 5)
		printf "\"source\":\"cli\",\"time_ms\":%d,\"prompt\":\"%s%d\"}\n", \
		    1700000000000 + i, p, i
	}
}' >"$T/ratings.jsonl"
"$MC" --home "$H" ratings import "$T/ratings.jsonl" >/dev/null 2>&1 ||
	{ echo "first_message: ratings import failed"; exit 1; }
sock=bench$$
: >"$T/ms"
r=0
while [ $r -lt "$RUNS" ]; do
	tmux -L $sock -f /dev/null new-session -d -x 100 -y 30 "$MC --home '$H'"
	sleep 3 # the first screen, and what follows it
	before=$(wc -c <"$MOCK_LOG")
	tmux -L $sock send-keys "a question about chemistry $r" Enter
	t0=$(date +%s%N)
	i=0
	while [ "$(wc -c <"$MOCK_LOG")" = "$before" ] && [ $i -lt 2000 ]; do
		sleep 0.002; i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 )) >>"$T/ms"
	tmux -L $sock kill-server 2>/dev/null
	# The next server only once this one has gone.
	while tmux -L $sock has-session 2>/dev/null; do sleep 0.1; done
	sleep 0.5
	r=$((r + 1))
done
echo "first message with $RATINGS ratings, Enter to request: median $(sort -n "$T/ms" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') ms over $RUNS starts ($(sort -n "$T/ms" | tr '\n' ' ')ms)"
