# store_cli.sh - `mixchat stats` and `mixchat export` on an empty data
# folder and on a known history written by tests/store_helper.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
HELPER=${MIXCHAT_BUILDDIR:-.}/tests/store_helper
if ! command -v jq >/dev/null 2>&1; then
	echo "SKIP: jq is not installed (needed to check the JSON)"; exit 77
fi
H="$T/home"

# Empty: zeros, and export says there is nothing yet.
expect_exit 0 "stats on an empty store" -- "$MC" --home "$H" stats
expect_grep "$T/out" 'Spend: \$0 today, \$0 this month, \$0 in all' "empty stats shows zero spend"
expect_exit 0 "stats --json on an empty store" -- "$MC" --home "$H" stats --json
[ "$(jq -c '[.calls, .spend_usd.total, .ratings, (.models|length), .days]' "$T/out")" = "[0,0,0,0,[]]" ] \
	&& ok "empty stats --json is zeros" || fail "empty stats --json: $(cat "$T/out")"
expect_exit 1 "export with no conversation" -- "$MC" --home "$H" export
expect_grep "$T/err" "no conversation yet" "export says there is none"

# A known history.
rm -rf "$H/db"
"$HELPER" "$H/db" || fail "store_helper"
expect_exit 0 "stats --json" -- "$MC" --home "$H" stats --json
j() { jq -c "$1" "$T/out"; }
[ "$(j .calls)" = 3 ] && ok "calls" || fail "calls: $(j .calls)"
[ "$(j '.spend_usd | [.today, .month, .total] | map(. * 1000 | round)')" = "[21,21,1521]" ] \
	&& ok "spend today/month/total" || fail "spend: $(j .spend_usd)"
[ "$(j .ratings)" = 1 ] && ok "ratings" || fail "ratings: $(j .ratings)"
[ "$(j '.models["m-cheap"] | [.calls, .ratings, .mean_rating, .learned.ratings_absorbed, .learned.state_bytes]')" = "[1,1,4,1,10]" ] \
	&& ok "m-cheap: calls, ratings, learned" || fail "m-cheap: $(j '.models["m-cheap"]')"
[ "$(j '.models["m-big"] | [.calls, .ttft_ms, .ratings, .mean_rating, (.spend_usd.total * 100 | round)]')" = "[2,250,0,null,152]" ] \
	&& ok "m-big: calls, ttft, spend" || fail "m-big: $(j '.models["m-big"]')"
# Spend per day and model, newest first (DESIGN: "spend per day and
# model"): today's two models and 2001-01-01's.
[ "$(j '.days')" = "[{\"day\":\"$(date +%Y-%m-%d)\",\"spend_usd\":0.021,\"by_model\":{\"m-big\":0.02,\"m-cheap\":0.001}},{\"day\":\"2001-01-01\",\"spend_usd\":1.5,\"by_model\":{\"m-big\":1.5}}]" ] &&
	ok "stats --json: spend per day and model" || fail "stats --json days: $(j .days)"
expect_exit 0 "stats" -- "$MC" --home "$H" stats
expect_grep "$T/out" '^m-cheap  .* 1  4.00$' "stats table row"
expect_grep "$T/out" "^Spend per day (newest first):$" "stats: spend per day"
grep -A2 "^Spend per day" "$T/out" | tail -n 2 >"$T/days"
printf '%s       $0.021  m-big $0.02, m-cheap $0.001\n2001-01-01        $1.50  m-big $1.50\n' "$(date +%Y-%m-%d)" |
	cmp -s - "$T/days" && ok "stats: a line a day, its total and its models" || fail "stats days: $(cat "$T/days")"
expect_grep "$T/out" '^m-cheap   *1  not a candidate now (state 10 B kept)$' "stats: what was learned, kept for a model not configured now"
# The learned table is the chat's router: a model the chat would not ask
# (disabled here) is no candidate; enabled, it has predictions.
cat >"$H/config.json" <<'EOF2'
{
  "providers": { "local": { "api": "openai", "base_url": "http://127.0.0.1:9/v1", "auth": "none" } },
  "models": [ { "id": "m-cheap", "provider": "local", "price": [0.2, 0.2], "enabled": false } ]
}
EOF2
expect_exit 0 "stats, m-cheap disabled" -- "$MC" --home "$H" stats
expect_grep "$T/out" '^m-cheap   *1  not a candidate now (state 10 B kept)$' "stats: a disabled model is no candidate"
sed -i 's/"enabled": false/"enabled": true/' "$H/config.json"
expect_exit 0 "stats, m-cheap enabled" -- "$MC" --home "$H" stats
expect_grep "$T/out" '^m-cheap   *1  0\.[0-9][0-9] -> 0\.[0-9][0-9] ' "stats: an enabled model has its predictions"
rm -f "$H/config.json"
expect_grep "$T/out" 'Ratings: 1 (mean 4.00)' "stats ratings line"

# export: default the latest, by number, by name, as JSON.
expect_exit 0 "export (latest)" -- "$MC" --home "$H" export
expect_grep "$T/out" '^# Second question$' "title from the first line"
expect_grep "$T/out" '^## m-big · \$0.02 · 2.0 s (first token 250 ms) · 300 tok · reply 2.2' "reply footer"
expect_grep "$T/out" '^> error: connection reset' "error kept"
expect_exit 0 "export by name, md" -- "$MC" --home "$H" export first --format md
expect_grep "$T/out" '^## You · ' "user heading"
expect_grep "$T/out" 'rated 4/5' "rating shown"
expect_exit 0 "export 1 --format json" -- "$MC" --home "$H" export --format json 1
[ "$(j '[.session.name, (.messages|length), .messages[1].model, .messages[1].rating, .messages[1].decision.chosen, .messages[1].id]')" = '["first",2,"m-cheap",4,"m-cheap","1.2"]' ] \
	&& ok "export json" || fail "export json: $(cat "$T/out")"
expect_exit 1 "export of an unknown session" -- "$MC" --home "$H" export nope
expect_grep "$T/err" "'nope'" "unknown session named"
expect_exit 2 "export --format xml" -- "$MC" --home "$H" export --format xml
expect_exit 2 "stats with an argument" -- "$MC" --home "$H" stats extra

# A re-ask is learned from but is not a rating: it is counted apart and
# stays out of the mean.
printf '{"model":"m-cheap","score":2,"source":"reask","prompt":"again"}\n' >"$T/reask.jsonl"
expect_exit 0 "ratings import of a re-ask" -- "$MC" --home "$H" ratings import "$T/reask.jsonl"
expect_exit 0 "stats --json after a re-ask" -- "$MC" --home "$H" stats --json
# (m-cheap is no candidate here: the re-ask waits to be learned.)
[ "$(j '[.ratings, .mean_rating, (.models["m-cheap"] | .ratings, .mean_rating, .reasks, .learned.ratings_absorbed, .learned.ratings_pending)]')" = "[1,4,1,4,1,1,1]" ] \
	&& ok "stats: a re-ask is no rating, and waits to be absorbed" || fail "stats after a re-ask: $(j '[.ratings, .mean_rating, .models["m-cheap"]]')"

# More days than the table shows: the last seven, newest first, a day's
# models the most spent on first (three, then how many more); a day of
# free calls only spent nothing.  --json has every day.
HD=$T/home_days
"$HELPER" --days "$HD/db" || fail "store_helper --days"
expect_exit 0 "stats, ten days" -- "$MC" --home "$HD" stats
sed -n '/^Spend per day/,/^$/p' "$T/out" >"$T/days"
cat >"$T/days.want" <<'EOF2'
Spend per day (newest first):
2001-01-09       $0.596  m-b $0.50, m-a $0.09, m-c $0.003 and 2 more
2001-01-08        $0.08  m-a $0.08
2001-01-07        $0.07  m-a $0.07
2001-01-06        $0.06  m-a $0.06
2001-01-05        $0.05  m-a $0.05
2001-01-04        $0.04  m-a $0.04
2001-01-03        $0.03  m-a $0.03
... and 2 earlier days (stats --json lists them all)

EOF2
cmp -s "$T/days" "$T/days.want" && ok "stats: the last seven days with spend" ||
	fail "stats days: $(diff "$T/days.want" "$T/days")"
expect_exit 0 "stats --json, ten days" -- "$MC" --home "$HD" stats --json
[ "$(j '[.days[].day] | join(" ")')" = '"2001-01-09 2001-01-08 2001-01-07 2001-01-06 2001-01-05 2001-01-04 2001-01-03 2001-01-02 2001-01-01"' ] &&
	ok "stats --json: every day with spend, newest first" || fail "stats --json days: $(j '[.days[].day]')"
[ "$(j '.days[0] | [.spend_usd, (.by_model | keys)]')" = '[0.596,["m-a","m-b","m-c","m-d","m-e"]]' ] &&
	ok "stats --json: a day's models, all of them" || fail "stats --json day: $(j '.days[0]')"
[ "$(j '.spend_usd.total')" = 0.956 ] && ok "the total is the days' sum" || fail "total: $(j .spend_usd)"

# A data file cut short (a full disk, a bad copy) is refused by name, not
# read past its end (which faults), and left as it was.
mkdir -p "$T/cut"
cp -r "$H/db" "$T/cut/db"
truncate -s 12288 "$T/cut/db/data.mdb"
expect_exit 1 "stats on a truncated data file" -- "$MC" --home "$T/cut" stats
expect_grep "$T/err" "data.mdb is cut short (12288 bytes; its pages need [0-9]*)" "the truncated file is named"
[ "$(stat -c %s "$T/cut/db/data.mdb")" = 12288 ] && ok "and left as it was" || fail "the truncated file was changed"
expect_exit 1 "export on a truncated data file" -- "$MC" --home "$T/cut" export

# On a fresh home the commands that only read answer from nothing, and
# create nothing.
F=$T/fresh
expect_exit 0 "stats on a fresh home" -- "$MC" --home "$F" stats
expect_grep "$T/out" "No model has been used or rated yet" "stats: nothing yet"
expect_exit 0 "stats --json on a fresh home" -- "$MC" --home "$F" stats --json
expect_grep "$T/out" '"calls":' "stats --json: an object"
expect_exit 1 "export on a fresh home" -- "$MC" --home "$F" export
expect_grep "$T/err" "there is no conversation yet" "export: no conversation yet"
expect_exit 0 "ratings export on a fresh home" -- "$MC" --home "$F" ratings export
expect_grep "$T/err" "exported 0 rating(s)" "ratings export: none"
expect_exit 1 "rate last on a fresh home" -- "$MC" --home "$F" rate last 4
expect_grep "$T/err" "there is no reply to rate yet" "rate: no reply yet"
expect_exit 1 "rate an id on a fresh home" -- "$MC" --home "$F" rate 3.2 4
expect_grep "$T/err" "no reply 3.2" "rate: that reply is not there"
expect_exit 2 "rate a bad id on a fresh home" -- "$MC" --home "$F" rate x.y 4
expect_grep "$T/err" "'x.y' is not a reply id" "rate: a bad id is named"
[ ! -e "$F" ] && ok "nothing was created in the fresh home" || fail "created: $(find "$F" | head -5)"
# The config folder is the user's: a command that stores something makes
# the data folder only.
mkdir -p "$T/xdg"
expect_exit 0 "route with XDG folders" -- env -u MIXCHAT_HOME HOME="$T/xdg" XDG_CONFIG_HOME="$T/xdg/c" XDG_DATA_HOME="$T/xdg/d" "$MC" route "hello"
[ ! -e "$T/xdg/c/mixchat" ] && ok "route makes no config folder" || fail "route made $T/xdg/c/mixchat"
# route stores nothing: no data folder either.
[ ! -e "$T/xdg/d/mixchat" ] && ok "nor a data folder (it stores nothing)" || fail "route made $(find "$T/xdg/d" | head -3)"
: >"$T/empty.jsonl"
expect_exit 0 "ratings import with XDG folders" -- env -u MIXCHAT_HOME HOME="$T/xdg" XDG_CONFIG_HOME="$T/xdg/c" XDG_DATA_HOME="$T/xdg/d" "$MC" ratings import "$T/empty.jsonl"
[ ! -e "$T/xdg/c/mixchat" ] && ok "ratings import makes no config folder" || fail "ratings import made $T/xdg/c/mixchat"
[ -d "$T/xdg/d/mixchat" ] && ok "and keeps its data in the data folder" || fail "no data folder $T/xdg/d/mixchat"
# A large import goes to the store a lot of ratings at a time (512 a
# transaction): what it stores is what smaller imports of the same lines,
# down to one line a run, store, to the byte (store_helper --dump: every
# model's state, every rating with its pending and superseded marks).
# The lines: three models and one nothing knows (kept pending), re-asks,
# corrections (a later score of one reply, by its id where made), a
# correction older than its rating (skipped), repeated lines (skipped).
PORT=9
awk 'BEGIN {
	split("cheap mid expensive gone-model", m, " ")
	for (i = 1; i <= 1300; i++) {
		line = sprintf("{\"reply_id\":\"7.%d\",\"model\":\"%s\",\"score\":%d,\"source\":\"cli\",\"time_ms\":%d000,\"prompt\":\"topic %d question %d\"}",
		    2 * i, m[i % 4 + 1], (i * 7) % 5 + 1, 1700000000 + i, i % 13, i)
		print line
		if (i % 97 == 0) print line
		if (i % 31 == 0)
			printf "{\"reply_id\":null,\"model\":\"%s\",\"score\":2,\"source\":\"reask\",\"time_ms\":%d001,\"prompt\":\"topic %d question %d\"}\n",
			    m[i % 3 + 1], 1700000000 + i, i % 13, i
		if (i % 50 == 0)
			printf "{\"reply_id\":\"7.%d\",\"model\":\"%s\",\"score\":%d,\"source\":\"cli\",\"time_ms\":%d500,\"prompt\":\"topic %d question %d\"}\n",
			    2 * (i - 3), m[(i - 3) % 4 + 1], (i * 3) % 5 + 1, 1700000000 + i, (i - 3) % 13, i - 3
		if (i % 200 == 0)
			printf "{\"reply_id\":\"7.%d\",\"model\":\"%s\",\"score\":1,\"source\":\"cli\",\"time_ms\":%d000,\"prompt\":\"topic %d question %d\"}\n",
			    2 * (i - 3), m[(i - 3) % 4 + 1], 1700000000 + i - 3, (i - 3) % 13, i - 3
	}
}' >"$T/many.jsonl"
nlines=$(wc -l <"$T/many.jsonl")
HB=$T/home_batch
HS=$T/home_split
write_config "$HB"
write_config "$HS"
expect_exit 0 "a large import ($nlines lines)" -- "$MC" --home "$HB" ratings import "$T/many.jsonl"
expect_grep "$T/err" "^imported 1367 rating(s); skipped 19 already here; 338 of them for a model config.json and the catalog do not name (gone-model)" "it counts what it imported and skipped"
[ "$(wc -l <"$T/err")" -eq 1 ] && ! grep -q "importing ratings" "$T/err" &&
	ok "no progress line when standard error is not a terminal" || fail "standard error: $(cat "$T/err")"
mkdir "$T/parts"
head -n 12 "$T/many.jsonl" | split -l 1 - "$T/parts/a"
tail -n +13 "$T/many.jsonl" | split -l 290 - "$T/parts/b"
for part in "$T"/parts/*; do
	"$MC" --home "$HS" ratings import "$part" 2>>"$T/split.err" || fail "import of $part: $(cat "$T/split.err")"
done
"$HELPER" --dump "$HB/db" >"$T/dump_batch"
"$HELPER" --dump "$HS/db" >"$T/dump_split"
[ "$(grep -c '^state ' "$T/dump_batch")" -eq 3 ] && [ "$(grep -c '^rating ' "$T/dump_batch")" -eq 1367 ] &&
	ok "three models learned, every rating kept" || fail "dump: $(head -5 "$T/dump_batch")"
[ "$(grep -c '^rating [0-9]* gone-model [0-9] [0-9] 1 ' "$T/dump_batch")" -eq 338 ] &&
	grep -q '^rating [0-9]* [a-z]* [0-9] [0-9] 0 1 ' "$T/dump_batch" &&
	ok "a model nothing knows is kept pending; a corrected rating is superseded" || fail "dump: $(grep -m3 'gone-model' "$T/dump_batch")"
cmp -s "$T/dump_batch" "$T/dump_split" && ok "one import stores what many smaller ones store, to the byte" ||
	fail "batched and split imports differ: $(diff "$T/dump_batch" "$T/dump_split" | head -5)"
"$MC" --home "$HB" route --json "topic 3 question about acids" >"$T/route_batch" 2>&1
"$MC" --home "$HS" route --json "topic 3 question about acids" >"$T/route_split" 2>&1
cmp -s "$T/route_batch" "$T/route_split" && ok "and routes the same" || fail "routes differ: $(diff "$T/route_batch" "$T/route_split" | head -4)"
# Imported again: every line is here already.
expect_exit 0 "the large import again" -- "$MC" --home "$HB" ratings import "$T/many.jsonl"
expect_grep "$T/err" "^imported 0 rating(s); skipped $nlines already here$" "nothing imported twice"
# A bad last line, after more than a lot of good ones: nothing imported.
HX=$T/home_badlast
write_config "$HX"
{ cat "$T/many.jsonl"; printf '{"model":"cheap","score":6,"prompt":"x"}\n'; } >"$T/badlast.jsonl"
expect_exit 2 "a bad line after $nlines good ones" -- "$MC" --home "$HX" ratings import "$T/badlast.jsonl"
expect_grep "$T/err" "badlast.jsonl:$((nlines + 1)): score: expected a whole number 1 to 5 (nothing was imported" "named, and nothing imported"
"$HELPER" --dump "$HX/db" >"$T/dump_bad"
[ ! -s "$T/dump_bad" ] && ok "no rating and no state stored" || fail "stored: $(head -3 "$T/dump_bad")"
# A field no rating has: a slip for a field that is missing is named in
# the error; one beside a whole rating is ignored, with a warning (a newer
# mixchat may write more), and the rating imported.
printf '{"model":"cheap","scroe":4,"prompt":"x"}\n' >"$T/typo.jsonl"
expect_exit 2 "a misspelt score" -- "$MC" --home "$HX" ratings import "$T/typo.jsonl"
expect_grep "$T/err" "typo.jsonl:1: score: expected a whole number 1 to 5 (the line has \"scroe\": a typo?)" "the slip named"
printf '%s\n' '{"model":"cheap","score":4,"prompt":"odd 1","time":1790000000000}' \
	'{"model":"cheap","score":2,"prompt":"odd 2","note":"by hand"}' \
	'{"model":"cheap","score":5,"prompt":"odd 3"}' >"$T/odd.jsonl"
expect_exit 0 "fields no rating has" -- "$MC" --home "$HX" ratings import "$T/odd.jsonl"
expect_grep "$T/err" "^mixchat ratings: .*odd.jsonl:1: \"time\" is not a field of a rating (time_ms, a typo?): ignored; 1 more line(s) with such a field$" "warned once, with the line and the likely field"
expect_grep "$T/err" "^imported 3 rating(s)" "and every rating imported"
"$MC" --home "$HB" ratings export >"$T/exported.jsonl" 2>/dev/null || fail "export of $HB"
HW=$T/home_export
write_config "$HW"
expect_exit 0 "an export imported" -- "$MC" --home "$HW" ratings import "$T/exported.jsonl"
if grep -q "not a field" "$T/err"; then fail "warned for an export's own fields: $(cat "$T/err")"; else ok "an export's own fields warn of nothing"; fi
# On a terminal, the import says how far it is, in place.
if command -v script >/dev/null 2>&1; then
	HY=$T/home_tty
	write_config "$HY"
	script -qec "'$MC' --home '$HY' ratings import '$T/many.jsonl'" /dev/null >"$T/tty.out" 2>&1
	tr '\r' '\n' <"$T/tty.out" >"$T/tty.lines"
	expect_grep "$T/tty.lines" "^importing ratings: 519 of 1,386$" "progress on a terminal"
	expect_grep "$T/tty.lines" "^importing ratings: 1,386 of 1,386$" "to the end"
	expect_grep "$T/tty.lines" "^ *$" "the progress wiped"
	expect_grep "$T/tty.lines" "^imported 1367 rating(s)" "then the count"
	# A lot is also cut at 4 MiB of prompts and features: long prompts
	# held the write lock for seconds (12 of 500 KB: a lot of 9, then 3).
	awk 'BEGIN { p = "x"; while (length(p) < 500000) p = p p; p = substr(p, 1, 500000)
		for (i = 1; i <= 12; i++) printf "{\"model\":\"cheap\",\"score\":3,\"source\":\"cli\",\"time_ms\":%d,\"prompt\":\"%d %s\"}\n", 1790000000000 + i, i, p }' >"$T/big.jsonl"
	HZ=$T/home_big
	write_config "$HZ"
	script -qec "'$MC' --home '$HZ' ratings import '$T/big.jsonl'" /dev/null >"$T/tty.out" 2>&1
	tr '\r' '\n' <"$T/tty.out" >"$T/tty.lines"
	expect_grep "$T/tty.lines" "^importing ratings: 9 of 12$" "a lot of long prompts is cut at 4 MiB"
	expect_grep "$T/tty.lines" "^imported 12 rating(s)" "and all are imported"
else echo "SKIP: the progress line needs script(1) for a terminal"; fi

# Sums of costs are said to the nano-dollar, not with a double's noise
# (1,000 bookings of $0.0001234567).
HN=$T/home_noise
mkdir -p "$HN"
"$HELPER" --spend "$HN/db" || fail "store_helper --spend"
"$MC" --home "$HN" stats --json >"$T/out" 2>"$T/err"
expect_grep "$T/out" '"total":	0.1234567$' "stats --json: the day's spend is 0.1234567"
expect_no_grep "$T/out" '0\.12345669\|0\.12345670' "with no double's noise"

# A data folder this user may not search is no empty history: `stats`,
# `export` and `route` say it cannot be opened (they showed "Ratings: 0").
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	HP=$T/pub
	mkdir -p "$HP" && cp -r "$HB/." "$HP/" && chmod 755 "$T" "$HP" && chmod 644 "$HP/config.json" && chmod 700 "$HP/db"
	for cmd in stats export "route hello"; do
		setpriv --reuid=65534 --regid=65534 --clear-groups "$MC" --home "$HP" $cmd >"$T/out" 2>"$T/err"
		rc=$?
		if [ $rc -ne 0 ] && grep -q "cannot open the database: Permission denied" "$T/err"; then
			ok "$cmd on a data folder it may not search says so (exit $rc)"
		else fail "$cmd on an unsearchable data folder: exit $rc: $(cat "$T/out" "$T/err")"; fi
	done
	chmod 700 "$T"
else echo "SKIP: the unsearchable data folder needs root and setpriv to act as another user"; fi

# A data folder that is read-only to this user (a backup, a read-only
# mount): what only reads (sessions, export, stats) reads it; what would
# write says why it cannot, and nothing in it changes.
HR=$T/ro
mkdir -p "$HR/db" && cp "$H/db/"*.mdb "$HR/db/" && PORT=9 write_config "$HR" &&
	chmod 755 "$T" "$HR" "$HR/db" && chmod 644 "$HR/db/"* "$HR/config.json"
as_other=
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null 2>&1 && as_other="setpriv --reuid=65534 --regid=65534 --clear-groups"
else chmod a-w "$HR/db" "$HR/db/"* "$HR/config.json" "$HR"; as_other=env; fi
if [ -n "$as_other" ]; then
	sum_before=$(cat "$HR/db/data.mdb" | cksum)
	expect_exit 0 "sessions in a read-only data folder" -- $as_other "$MC" --home "$HR" sessions
	expect_grep "$T/out" '^2  .*  3 msgs  ' "sessions lists a read-only folder's conversations"
	expect_grep "$T/err" "without LMDB's lock file (read-only to you)" "reading without the lock is said"
	expect_exit 0 "export in a read-only data folder" -- $as_other "$MC" --home "$HR" export 1 --format json
	[ "$(j '[.session.name, (.messages|length), .messages[1].rating]')" = '["first",2,4]' ] \
		&& ok "export of a read-only folder is whole" || fail "read-only export: $(cat "$T/out")"
	expect_exit 0 "stats in a read-only data folder" -- $as_other "$MC" --home "$HR" stats
	expect_grep "$T/out" 'Ratings: 1 (mean 4.00)' "stats reads a read-only folder"
	expect_exit 1 "sessions rm in a read-only data folder" -- $as_other "$MC" --home "$HR" sessions rm 1
	expect_grep "$T/err" 'Permission denied (the folder is read-only to you: `mixchat sessions`, `export` and `stats` can still read it)' "rm says the folder is read-only and what still reads it"
	expect_exit 1 "ask in a read-only data folder" -- $as_other "$MC" --home "$HR" ask hi
	expect_grep "$T/err" 'the folder is read-only to you' "ask says the folder is read-only"
	[ "$(cat "$HR/db/data.mdb" | cksum)" = "$sum_before" ] && ok "the read-only folder's data is unchanged" \
		|| fail "the read-only folder's data.mdb changed"
	chmod -R u+w "$HR"
else echo "SKIP: a read-only data folder as root needs setpriv to act as another user"; fi
chmod 700 "$T"

finish
