#!/bin/sh
# start_memory.sh - what a start costs a user with many ratings: the
# router's memory of rated prompts is replayed from the ratings at the
# first decision (each model's last 512), and `stats` reads them all for
# its means.  For each count in COUNTS (default "2000 15600") ratings of
# made-up prompts over the three models of tests/lib.sh (and some of a
# model no longer set up, kept pending; corrections; re-ask lessons) are
# imported into a fresh home, then `route --json` and `stats --json` run
# RUNS times (default 3); prints the median wall time and the largest
# max RSS of each (/usr/bin/time).  With KEEP=DIR the outputs of the last
# run are left there (route-N.json, stats-N.json), to compare two builds.
#
#   MIXCHAT_BIN=./mixchat sh bench/start_memory.sh
set -u
[ -x /usr/bin/time ] || { echo "start_memory: no /usr/bin/time, not run"; exit 0; }
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/lib.sh"
COUNTS=${COUNTS:-2000 15600}
RUNS=${RUNS:-3}
KEEP=${KEEP:-}
PORT=9 # route and stats make no request
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for n in $COUNTS; do
	H=$T/home$n
	write_config "$H"
	# Made-up prompts, not in time order (the replay sorts them); every
	# 50th corrects an earlier one (same reply_id, model and prompt),
	# every 97th is a re-ask's soft lesson, every 61st is of a model that
	# is no candidate (kept pending).
	awk -v n="$n" 'BEGIN {
		split("chemistry physics poem code rust python history music " \
		    "art math proof integral sort graph tree river cloud", w, " ")
		split("cheap mid expensive", m, " ")
		srand(1)
		for (i = 0; i < n; i++) {
			j = i
			if (i % 50 == 49) j = i - 40
			srand(1000 + j)
			p = ""
			for (k = 0; k < 12; k++) p = p w[1 + int(rand() * 17)] " "
			mod = i % 61 == 60 ? "gone" : m[1 + j % 3]
			srand(5000 + i)
			src = i % 97 == 96 ? "reask" : "cli"
			id = src == "reask" ? "null" : "\"b" j "\""
			t = 1700000000000 + 1000 * i + (i % 7 == 3 ? -2500 : 0)
			printf "{\"reply_id\":%s,\"model\":\"%s\",\"score\":%d,", \
			    id, mod, 1 + int(rand() * 5)
			printf "\"source\":\"%s\",\"time_ms\":%d,\"prompt\":\"%s%d\"}\n", \
			    src, t, p, j
		}
	}' >"$T/ratings$n.jsonl"
	"$MC" --home "$H" ratings import "$T/ratings$n.jsonl" >"$T/import" 2>&1 ||
		{ echo "start_memory: ratings import failed"; cat "$T/import"; exit 1; }
	for what in route stats; do
		: >"$T/wall"
		: >"$T/rss"
		r=0
		while [ $r -lt "$RUNS" ]; do
			if [ $what = route ]; then
				set -- route --json "a question about chemistry and rust"
			else
				set -- stats --json
			fi
			/usr/bin/time -f "%e %M" -o "$T/time" \
			    "$MC" --home "$H" "$@" >"$T/$what.json" 2>"$T/err" ||
				{ echo "start_memory: $what failed"; cat "$T/err"; exit 1; }
			awk '{print $1}' "$T/time" >>"$T/wall"
			awk '{print $2}' "$T/time" >>"$T/rss"
			r=$((r + 1))
		done
		[ -n "$KEEP" ] && mkdir -p "$KEEP" && cp "$T/$what.json" "$KEEP/$what-$n.json"
		echo "$what with $n ratings: $(median <"$T/wall") s (median of $RUNS), max RSS $(sort -n "$T/rss" | tail -n 1 | awk '{printf "%.1f", $1 / 1024}') MB"
	done
done
