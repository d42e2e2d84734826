# ui_more.sh - the chat screen's commands and failures against the mock
# provider: Alt-R re-ask and /why on it, /model pinning, provider errors
# (429 with Retry-After, 401) as error lines with the screen still usable,
# /sessions after `mixchat ask --session`, /new, ratings and footers of a
# resumed conversation, /search newest first, /export on disk, the budget
# warning at 80 % and a refused message, and a damaged record reported on
# the notice line without garbling the screen.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

# 360 words of 5 bytes: about 450 tokens, $0.00009 on "cheap".
long=$(awk 'BEGIN { for (i = 0; i < 360; i++) printf "word " }')
cat >"$T/script.json" <<EOF2
[
  {"model": "flaky", "status": 500},
  {"model": "sleepy", "reply": "too late", "delay_ms": 2500},
  {"model": "lockedbig", "status": 401},
  {"model": "lockedsmall", "status": 401},
  {"model": "ghost", "status": 404},
  {"prompt_contains": "ratelimit", "status": 429, "retry_after": 120, "fail_times": 1},
  {"prompt_contains": "shortwait", "status": 429, "retry_after": 3, "fail_times": 1},
  {"prompt_contains": "solo401", "status": 401},
  {"prompt_contains": "badkey", "status": 401, "fail_times": 1},
  {"prompt_contains": "longanswer", "reply": "$long"},
  {"prompt_contains": "emptyreply", "reply": ""},
  {"prompt_contains": "slowask", "reply": "the ask answers slowly", "drip_ms": 150},
  {"prompt_contains": "slowchat", "reply": "the chat answers more slowly still", "drip_ms": 300},
  {"prompt_contains": "cutshort", "reply": "first half then the second half of it", "disconnect_after_bytes": 700, "fail_times": 1}
]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"

# fits_width FILE COLS: no line of FILE is wider than COLS display columns
# (wc -L counts display columns: CJK and emoji take two).
fits_width() {
	[ "$(LC_ALL=C.UTF-8 wc -L <"$1")" -le "$2" ]
}
# screen_intact WHAT: title on top, status bar, input at the bottom, and
# nothing wider than the window.
screen_intact() {
	ui_screen >"$T/s"
	if head -1 "$T/s" | grep -q "^ mixchat · " &&
	    grep -q "F1 keys · /help *$" "$T/s" &&
	    tail -1 "$T/s" | grep -q "^›" && fits_width "$T/s" "${UI_COLS:-100}"
	then ok "$1: screen intact"; else
		fail "$1: screen garbled"; sed 's/^/  | /' "$T/s"; fi
}

# Two conversations from the command line, one rated.
"$MC" --home "$H" ask --session alpha "alpha first question" >/dev/null 2>&1 ||
	fail "ask --session alpha"
"$MC" --home "$H" rate last 4 >/dev/null 2>&1 || fail "rate last 4"
sleep 1 # the sessions list is ordered by the minute-precise update time too
"$MC" --home "$H" ask --session beta "beta first question" >/dev/null 2>&1 ||
	fail "ask --session beta"

mkdir -p "$T/uhome"
ui_start HOME="$T/uhome" -- --home "$H"
ui_expect "F1 keys" "chat screen"

# 1. Alt-R: the same prompt again, answered by another model; /why on it.
send "hello re-ask"
ui_expect "^ +(cheap|mid|expensive) · \\\$" "first reply and its footer"
m1=$(sed -n 's/^ *\(cheap\|mid\|expensive\) · .*/\1/p' "$T/screen" | tail -1)
ui_keys M-r
ui_expect "^ +(cheap|mid|expensive) \(re-ask\) · \\\$" "Alt-R: a second reply marked re-ask"
m2=$(sed -n 's/^ *\(cheap\|mid\|expensive\) (re-ask) · .*/\1/p' "$T/screen" | tail -1)
[ -n "$m2" ] && [ "$m2" != "$m1" ] && ok "re-ask answered by $m2, not $m1" ||
	fail "re-ask model '$m2' after '$m1'"
[ "$(grep -c '^ you hello re-ask$' "$T/screen")" -eq 1 ] &&
	[ "$(grep -c '^ *asked again: hello re-ask$' "$T/screen")" -eq 1 ] &&
	ok "the message drawn once, the re-ask marked on one row" || fail "re-ask prompt: $(grep -n 'hello re-ask' "$T/screen")"
ui_expect " \[$m2\] " "status bar names the re-ask's model"
# The next-best model is asked the message as it was first asked: not
# again after it, with the first model's answer.
[ "$(tail -n 1 "$MOCK_LOG" | grep -o 'hello re-ask' | wc -l)" -eq 1 ] &&
	ok "the re-ask's request holds the message once" ||
	fail "re-ask context: $(tail -n 1 "$MOCK_LOG")"
send "/why"
ui_expect "Why $m2 answered reply [0-9]+\.3, asked again" "/why on the re-ask names its reply id"
ui_expect "^ +model +quality +cost +latency +± +score$" "/why header"
ui_expect "^ +▶ $m2 +[01]\.[0-9]{3} +\\\$[0-9.]+ " "/why marks the winner"
# The uncertainty column lines up under its "±" (printf pads bytes; "±"
# is two): the header's "±" ends where the winner's value ends.
ui_screen | sed 's/±/~/g; s/▶/>/g' >"$T/why"
hdr=$(awk '/ model +quality +cost +latency +~ +score$/ { print index($0, "~"); exit }' "$T/why")
val=$(awk -v m="$m2" '$1 == ">" && $2 == m { u = $(NF - 1); print index($0, " " u " ") + length(u); exit }' "$T/why")
[ -n "$hdr" ] && [ "$hdr" = "$val" ] && ok "/why: the ± column lines up" ||
	fail "/why: '±' at column $hdr, the value ends at $val"
ui_expect "^ +$m1 +not a candidate: already answered this message$" \
	"/why: the first model is out because it answered"
screen_intact "after /why"
# /models: a model whose replies were too short to time its speed shows
# "-" (not measured; the router assumes 60 tok/s), not 0 nor the default
# as if measured; its first token was timed.
send "/models"
ui_expect "^ +$m1 +mock +\\\$[0-9.]+ +\\\$[0-9.]+ +[01]\.[0-9]{2}±[01]\.[0-9]{2} +[0-9]+ +[0-9.]+ m?s +-$" "/models: $m1's speed is not measured yet: -"
ui_expect "PROVIDER, one of openai,( |$)" "/models names the providers that need a key"
ui_expect "(one of openai, |^ +)anthropic, gemini, " "one after the other (a narrow pane breaks the list between them)"
# Asked again until every model has answered: then the user is told so
# (not that the budget ran out).
ui_keys M-r
n=0; while [ "$(ui_screen | grep -c '(re-ask) · ')" -lt 2 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
# The footer is drawn before the transfer has ended (a slow ASan build
# on a busy machine can show "a reply is still arriving"): press again,
# as a user would, until the chat answers the re-ask itself.
n=0
while ! ui_screen | grep -q "every model has been asked this message already" && [ $n -lt 20 ]; do
	ui_keys M-r; sleep 0.3; n=$((n + 1))
done
ui_expect "every model has been asked this message already" "a re-ask with no model left says so"
[ "$(ui_screen | grep -c '^ *asked again: hello re-ask$')" -eq 2 ] &&
	ok "a refused re-ask leaves no phantom message" ||
	fail "refused re-ask: $(ui_screen | grep -c '^ *asked again: hello re-ask$') re-asks on screen"
ui_expect_not "budget" "and does not blame the budget"
# The first reply selected and asked again, refused twice: its soft
# lesson was learned once (when the re-ask was made), not per press.
ui_keys M-Up M-Up
ui_keys M-r
sleep 0.3
ui_keys M-r
sleep 0.3
[ "$("$MC" --home "$H" ratings export 2>/dev/null | grep -c '"source":"reask",.*"prompt":"hello re-ask"')" -eq 1 ] &&
	ok "refused re-asks teach nothing more" ||
	fail "soft lessons: $("$MC" --home "$H" ratings export 2>/dev/null | grep -c '"source":"reask"')"
ui_keys M-NPage
# The re-ask's soft lesson is a rating tied to no reply: it exports with
# its prompt, and imports elsewhere as a re-ask again.
"$MC" --home "$H" ratings export >"$T/reask.jsonl" 2>"$T/err"
if grep -q '"reply_id":null,"model":"'"$m1"'","score":2,"source":"reask",.*"prompt":"hello re-ask"' "$T/reask.jsonl"; then
	ok "the re-ask's lesson exports with its prompt"
else fail "re-ask export: $(cat "$T/reask.jsonl")"; fi
mkdir -p "$T/other" && cp "$H/config.json" "$T/other/"
if "$MC" --home "$T/other" ratings import "$T/reask.jsonl" 2>"$T/err" &&
	"$MC" --home "$T/other" ratings export | grep -q '"source":"reask"'; then
	ok "imported elsewhere, it is a re-ask again"
else fail "re-ask import: $(cat "$T/err")"; fi

# A reply cut off by a dropped connection and then asked again: what came
# is not the model's answer, so the re-ask teaches no soft lesson.
send "cutshort answer"
ui_expect "connection closed before the reply finished" "the cut reply fails"
ui_keys M-r
ui_expect "^ +(cheap|mid|expensive) \(re-ask\) · .* tok/s$" "asked again after the cut"
if "$MC" --home "$H" ratings export 2>/dev/null | grep -q '"source":"reask",.*"prompt":"cutshort answer"'; then
	fail "a cut reply taught a soft lesson: $("$MC" --home "$H" ratings export | grep cutshort)"
else ok "a cut reply asked again teaches nothing"; fi

# A reply asked again and then rated by the user: the rating replaces the
# re-ask's soft lesson (both were learned: a 5/5 after the re-ask moved
# the model as a 5 and a 2 together).
send "softened later"
ui_expect "mock reply to: softened later" "a reply to re-ask"
ui_keys M-r
n=0; until [ "$(ui_screen | grep -c "mock reply to: softened later")" -ge 2 ] || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
ui_expect "asked again: softened later" "asked again"
"$MC" --home "$H" ratings export 2>/dev/null | grep -q '"source":"reask",.*"prompt":"softened later"' &&
	ok "the re-ask taught its soft lesson" || fail "no soft lesson for the re-ask"
# Alt-Up until the first reply (mid's, above the re-ask) is picked.
n=0
until ui_screen | grep -A1 "^ ▌   mock reply to: softened later" | grep -q "▌   mid · " || [ $n -ge 8 ]; do
	ui_keys M-Up; sleep 0.2; n=$((n + 1))
done
ui_keys M-5
ui_expect "reply [0-9.]+ rated 5/5" "the first reply rated after the re-ask"
"$MC" --home "$H" ratings export >"$T/softened.jsonl" 2>/dev/null
if grep -q '"source":"reask",.*"prompt":"softened later"' "$T/softened.jsonl"; then
	fail "the soft lesson stayed beside the user's rating: $(grep 'softened later' "$T/softened.jsonl")"
else ok "the user's rating replaced the soft lesson"; fi
[ "$(grep -c '"score":5,"source":"keystroke",.*"prompt":"softened later"' "$T/softened.jsonl")" -eq 1 ] &&
	ok "and is kept once" || fail "the user's rating: $(grep 'softened later' "$T/softened.jsonl")"
ui_keys M-NPage
# The same from the shell: `mixchat rate ID` of a reply asked again.
send "softened by rate"
ui_expect "mock reply to: softened by rate" "another reply to re-ask"
ui_keys M-r
n=0; until [ "$(ui_screen | grep -c "mock reply to: softened by rate")" -ge 2 ] || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
ui_expect "asked again: softened by rate" "asked again"
first=$("$MC" --home "$H" export --format json 2>/dev/null |
	jq -r '[.messages[] | select(.role == "assistant" and .text == "mock reply to: softened by rate")][0].id')
"$MC" --home "$H" ratings export 2>/dev/null | grep -q '"source":"reask",.*"prompt":"softened by rate"' &&
	ok "its soft lesson is there" || fail "no soft lesson for 'softened by rate'"
expect_exit 0 "mixchat rate of the first reply ($first)" -- "$MC" --home "$H" rate "$first" 4
"$MC" --home "$H" ratings export >"$T/softened2.jsonl" 2>/dev/null
if grep -q '"source":"reask",.*"prompt":"softened by rate"' "$T/softened2.jsonl"; then
	fail "mixchat rate left the soft lesson: $(grep 'softened by rate' "$T/softened2.jsonl")"
else ok "mixchat rate replaced the soft lesson too"; fi

# 4. /model NAME pins, /model auto unpins, an unknown name is one line.
send "/model cheap"
ui_expect "^ mixchat · .* · pinned: cheap " "title says the model is pinned"
ui_expect " PINNED cheap " "status bar says so"
send "pinned question"
ui_expect "^ +cheap \(pinned\) · \\\$.* tok/s$" "the reply's footer: cheap, pinned"
ui_expect_not "\[cheap\] +PINNED cheap" "the status bar names the pinned model once"
ui_keys M-5
ui_expect "^ +cheap \(pinned\) · .* · ★★★★★ 5/5$" "Alt-5 on the pinned reply"
# Rated again elsewhere (`mixchat rate`, another chat): the chat takes
# the stored score, so Alt-5 sets 5/5 again instead of "already rated".
"$MC" --home "$H" rate last 2 >/dev/null 2>&1
ui_keys M-5
ui_expect_not "already rated 5/5" "Alt-5 after a rate elsewhere is not refused"
[ "$("$MC" --home "$H" export --format json | jq '[.messages[] | select(.role == "assistant")][-1].rating')" = 5 ] &&
	ok "and the stored rating is 5 again" || fail "stored rating after Alt-5: $("$MC" --home "$H" export --format json | jq -c '[.messages[] | select(.role == "assistant")][-1] | {rating}')"
# An empty reply the model finished can be rated (not an outage).
send "emptyreply here"
ui_expect "^ +cheap \(pinned\) · .*an empty reply$" "an empty reply's footer"
ui_keys M-2
ui_expect "^ +cheap \(pinned\) · .*an empty reply · .* 2/5$" "Alt-2 rates the empty reply"
send "/model nosuch"
ui_expect "^ -!- /model: no model named 'nosuch'; use one of: cheap, mid, expensive \(/models lists them all\)$" \
	"/model with an unknown name: one clear line, pointing to /models"
send "/model expens"
ui_expect "^ -!- /model: no model named 'expens'; use one of: expensive, cheap, mid \(/models lists them all\)$" \
	"the models close to the name come first"
send "/model auto"
ui_expect "the router chooses the model again" "/model auto"
ui_expect_not "pinned: cheap|PINNED" "title and status no longer pinned"

# 6. Provider errors: an error line under the message, the screen stays
# usable, the next message works.
send "ratelimit me"
ui_expect "^ +✗ rate limited by mock \(HTTP 429\): retry after 120 s" "429 as an error line"
ui_expect "^ ! .* is rate-limited for 120 s" "notice line: the model waits 120 s"
# Narrower than the notice: it takes two rows, its end in view.
TM resize-window -t 0 -x 60 -y 30
ui_expect "^ ! .* is rate-limited for 120 s" "a long notice at 60 columns"
ui_expect "^   .*another model until then *$" "its end on a second row"
TM resize-window -t 0 -x "${UI_COLS:-100}" -y "${UI_ROWS:-30}"
sleep 0.3
ui_expect "^ +(cheap|mid|expensive) · no reply \([0-9.]+ m?s\)$" "failed reply: footer without speed"
screen_intact "after a 429"
send "after the rate limit"
ui_expect "mock reply to: after the rate limit" "the next message works"
send "/models"
ui_expect "out of routing now: (cheap|mid|expensive) \\(rate-limited\\)" "/models lists the model waiting out its Retry-After"
# A short Retry-After is waited out: the status bar says so and counts
# down; the footer keeps the wait apart from the first token.
send "/model mid"
send "shortwait please"
ui_expect " retrying in [1-3] s \(HTTP 429\) " "the status bar says it waits to retry, and why"
ui_expect "^ +mid \(pinned\) · .* \(first token [0-9.]+ m?s, after [0-9.]+ s of retries\) · " "the reply's footer: the wait apart from the first token" 8
send "/model auto"
ui_expect_not "^ ! " "sending dismissed the notice line"
send "badkey please"
ui_expect "✗ mock refused the request \(HTTP 401\)" "401 as an error line"
# Every model is behind the one provider that refused: all are out, so
# the next message (or M-r) tries them all again, and that is said.
ui_expect "mock refused the request and no model is left in routing: the next message tries them all again" "a 401 says how to go on, naming the provider (not the one model asked)"
ui_keys M-c
ui_expect "^ ! nothing to copy" "a notice"
ui_keys M-r
ui_expect_not "^ ! nothing to copy" "the re-ask takes the notice line down, as sending does"
ui_expect "^ +(cheap|mid|expensive) \(re-ask\) · \\\$.* tok/s$" "M-r under the failure: another model answers"
# A reply that never came is no lesson: neither the re-ask nor a rating.
if "$MC" --home "$H" ratings export 2>/dev/null | grep -q '"prompt":"badkey please"'; then
	fail "a re-ask after a failure taught a soft negative"
else ok "a re-ask after a failure teaches nothing"; fi
ui_keys M-Up
ui_keys M-1
ui_expect "sent no reply to rate" "Alt-1 on a failed reply is refused"
send "after the bad key"
ui_expect "mock reply to: after the bad key" "and the next one works too"
screen_intact "after a 401"

# 3. /search newest first, /export on disk.
send "/search hello"
ui_expect "matches for 'hello' \\(newest first; /sessions ID opens one there\\):" "/search"
ids=$(awk '/matches for .hello./ { on = 1; next } on && /^ +[0-9]+\.[0-9]+  / { print $1; next } on { exit }' "$T/screen")
sorted=$(printf '%s\n' $ids | sort -t. -k1,1nr -k2,2nr)
[ -n "$ids" ] && [ "$(printf '%s\n' $ids)" = "$sorted" ] && ok "hits newest first ($(echo $ids))" ||
	fail "search order: $(echo $ids)"
[ "$(printf '%s\n' $ids | wc -l)" -ge 3 ] && ok "prompt and both replies found" || fail "hits: $(echo $ids)"
send "/export $T/chat.md"
ui_expect "conversation written to $T/chat.md" "/export says where"
if [ -s "$T/chat.md" ]; then
	expect_grep "$T/chat.md" "^# " "export: a Markdown title"
	expect_grep "$T/chat.md" "hello re-ask" "export: the prompt"
	expect_grep "$T/chat.md" "^## mid.* · .* (first token [0-9.]* m\?s, after [0-9.]* s of retries)" "export: the retry wait kept apart, as the chat showed it"
	expect_grep "$T/chat.md" "mock reply to: after the bad key" "export: a reply"
	expect_grep "$T/chat.md" "^## cheap (pinned) · " "export: the footer, pinned as the chat marks it"
	expect_grep "$T/chat.md" "rate limited by mock" "export: the error"
else fail "/export wrote nothing"; fi
[ "$(stat -c %a "$T/chat.md" 2>/dev/null)" = 600 ] && ok "/export: mode 0600, like the rest of the data" ||
	fail "/export mode $(stat -c %a "$T/chat.md")"
expect_grep "$T/chat.md" "^## [a-z]* (re-ask) · " "export: a re-ask is marked"
expect_grep "$T/chat.md" "^## You · [0-9][0-9]:[0-9][0-9]:[0-9][0-9]$" "export: the same layout as mixchat export"
# A file already there is not replaced by a slip: refused, the command
# kept in the input; /export! replaces it, keeping its mode.
chmod 640 "$T/chat.md"
cp "$T/chat.md" "$T/chat.before"
echo "my own notes" >>"$T/chat.md"
send "/export $T/chat.md"
ui_expect "/export: $T/chat.md is already there: /export! replaces it" "/export over a file is refused"
ui_expect "^› /export $T/chat.md *$" "the refused /export stays in the input"
grep -q "my own notes" "$T/chat.md" && ok "the file is untouched" || fail "the file was replaced"
ui_keys C-u
send "/export! $T/chat.md"
ui_expect "conversation written to $T/chat.md \(it replaced the file there\)" "/export! replaces it and says so"
# Through a link, to the file it names.
echo "old notes" >"$T/notes.md"
ln -s "$T/notes.md" "$T/link.md"
send "/export! $T/link.md"
ui_expect "conversation written to $T/notes.md" "/export! through a link names the file written"
[ -L "$T/link.md" ] && grep -q "hello re-ask" "$T/notes.md" && ok "the link stays, its file holds the conversation" ||
	fail "the link was replaced or its file not written"
# A link to a file that is not there: refused, the link left as it was.
ln -s "$T/nowhere/notes.md" "$T/dangling.md"
send "/export $T/dangling.md"
ui_expect "dangling.md is a symbolic link to a file that is not there" "a dangling link is refused, and named"
[ -L "$T/dangling.md" ] && ok "the link is still a link" || fail "the dangling link was replaced by a file"
ui_keys C-u
grep -q "my own notes" "$T/chat.md" && fail "/export! did not replace the file" || ok "replaced"
[ "$(stat -c %a "$T/chat.md" 2>/dev/null)" = 640 ] && ok "/export!: the file keeps its mode" ||
	fail "/export! mode $(stat -c %a "$T/chat.md")"
send "/export ~/tilde.md"
ui_expect "conversation written to $T/uhome/tilde.md" "/export ~/FILE is in the home folder"
[ -s "$T/uhome/tilde.md" ] && ok "~/ expanded" || fail "no $T/uhome/tilde.md"
# A folder, as cp takes one: the export goes in it, under its usual name;
# one there already is not replaced by a slip.
mkdir "$T/expdir"
send "/export $T/expdir"
ui_expect "conversation written to $T/expdir/mixchat-[0-9]+\.md" "/export DIR writes mixchat-N.md in the folder"
[ -d "$T/expdir" ] && ls "$T/expdir"/mixchat-*.md >/dev/null 2>&1 && grep -q "hello re-ask" "$T/expdir"/mixchat-*.md &&
	ok "the folder holds the conversation" || fail "no export in the folder"
send "/export $T/expdir/"
ui_expect "/export: $T/expdir/mixchat-[0-9]+\.md is already there: /export! replaces it" "a second /export DIR/ is refused, naming the file"
ui_keys C-u
send "/export! $T/expdir"
ui_expect "conversation written to $T/expdir/mixchat-[0-9]+\.md \(it replaced the file" "/export! DIR replaces the file in it"
ui_expect_not "Is a directory" "no 'Is a directory'"
send "/export /nonexistent-dir/x.md"
ui_expect "^ -!- /export: /nonexistent-dir/x.md: " "/export to a bad path: an error note naming the file"
screen_intact "after /export"

# 2. /new, /sessions (last used first), /sessions N resumes with footers and
# ratings.
send "/new"
ui_expect "a new conversation" "/new"
ui_expect "^ mixchat · new conversation · " "title of the new conversation"
send "/sessions"
ui_expect "Conversations \(last used first" "/sessions lists"
ui_screen >"$T/s"
n_hello=$(grep -n "  hello re-ask$" "$T/s" | head -1 | cut -d: -f1)
n_beta=$(grep -n "  beta$" "$T/s" | head -1 | cut -d: -f1)
n_alpha=$(grep -n "  alpha$" "$T/s" | head -1 | cut -d: -f1)
if [ -n "$n_hello" ] && [ -n "$n_beta" ] && [ -n "$n_alpha" ] &&
    [ "$n_hello" -lt "$n_beta" ] && [ "$n_beta" -lt "$n_alpha" ]; then
	ok "sessions newest first: hello re-ask, beta, alpha"
else fail "sessions order"; sed 's/^/  | /' "$T/s"; fi
alpha=$(sed -n 's/^ *\([0-9][0-9]*\)  .*  alpha$/\1/p' "$T/s" | head -1)
"$MC" --home "$H" export "$alpha" >"$T/a.md" 2>"$T/err"
expect_grep "$T/a.md" "^alpha first question$" "the number /sessions shows is the one mixchat export takes"
send "/sessions $alpha"
ui_expect "^ mixchat · alpha · " "/sessions N: title of the resumed one"
ui_expect "^ you alpha first question$" "its earlier message"
ui_expect "mock reply to: alpha first question" "its reply"
ui_expect "^ +(cheap|mid|expensive) · \\\$[0-9.]+ · .* tok.* · ★★★★☆ 4/5$" "its footer and the rating from mixchat rate"
ui_keys Up
ui_expect "^› alpha first question$" "Up recalls the resumed conversation's message"
ui_keys C-u
# Used again, alpha goes to the top: the list is by last use, the date it
# shows.
send "alpha once more"
ui_expect "mock reply to: alpha once more" "a message in the resumed conversation"
send "/sessions"
ui_expect "Conversations \(last used first" "/sessions again"
first=$(sed -n '/Conversations (last used first/{n;p;}' "$T/screen" | sed 's/ *$//')
case "$first" in
*"  alpha") ok "the conversation used last is listed first" ;;
*) fail "first listed: '$first'"; sed 's/^/  | /' "$T/screen" ;;
esac
hello=$(sed -n 's/^ *\([0-9][0-9]*\)  .*  hello re-ask$/\1/p' "$T/screen" | head -1)
# A re-ask is priced with the context it is sent (the conversation before
# its message), not with the answer it asks again: each model the first
# reply did not come from is predicted at the same cost both times.
"$MC" --home "$H" export "$hello" --format json >"$T/hello.json" 2>/dev/null
if jq -e '[.messages[] | select(.role == "assistant" and .decision.candidates != null)] as $r
	| ($r | map(select(.decision.reask | not)) | first) as $o
	| ($r | map(select(.decision.reask)) | first) as $q
	| [$o.decision.candidates[] | select(.model != $o.model) | . as $c
	   | ($q.decision.candidates[] | select(.model == $c.model) | .cost_usd) - $c.cost_usd
	   | fabs < 1e-12] | length > 0 and all' "$T/hello.json" >/dev/null; then
	ok "a re-ask's predicted costs leave the re-asked answer out of the context"
else fail "re-ask costs: $(jq -c '[.messages[] | select(.role == "assistant") | {model, reask: .decision.reask, c: [.decision.candidates[]? | [.model, .cost_usd]]}]' "$T/hello.json")"; fi
send "/sessions $hello"
ui_expect "^ mixchat · hello re-ask · " "back to the chat's conversation"
ui_keys PPage
ui_expect "^ +cheap \(pinned\) · .* · ★★★★★ 5/5$" "the Alt-5 rating and the pinned mark survived (a page up)"
ui_keys M-NPage
# After a restart (a resume) /why still has the router's table.
send "/why"
ui_expect "Why (cheap|mid|expensive) answered reply [0-9]+\.[0-9]+ \(highest score wins\)" "/why on a resumed reply"
ui_expect_not "kept no table" "the stored table is used"
# Re-ask an older message (four replies up): the request carries the
# turns before it only, and after a resume the new reply is still under
# that message, not under the last one.
ui_keys M-Up M-Up M-Up M-Up
ui_expect " reply [0-9]+/[0-9]+ " "an older reply selected"
ui_keys M-r
ui_expect "^ +asked again: after the rate limit$" "the re-ask of an older message names it"
n=0; while ! tail -n 1 "$MOCK_LOG" | grep -q 'after the rate limit' && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
if tail -n 1 "$MOCK_LOG" | grep -q 'after the bad key'; then
	fail "the re-ask of an older message sent later turns: $(tail -n 1 "$MOCK_LOG")"
else ok "no later turns in an older message's re-ask"; fi
[ "$(tail -n 1 "$MOCK_LOG" | grep -o 'after the rate limit' | wc -l)" -eq 1 ] &&
	ok "the older message once" || fail "older re-ask context: $(tail -n 1 "$MOCK_LOG")"
ui_expect "^ +(cheap|mid|expensive) \(re-ask\) · \\\$" "its reply"
send "/new"
send "/sessions"
ui_expect "Conversations \(last used first" "/sessions once more"
hello=$(sed -n 's/^ *\([0-9][0-9]*\)  .*  hello re-ask$/\1/p' "$T/screen" | head -1)
send "/sessions $hello"
ui_expect "^ mixchat · hello re-ask · " "resumed after the older re-ask"
ui_screen >"$T/s"
last_you=$(grep -E '^ you |^ +asked again: ' "$T/s" | tail -1 | sed 's/^ *//')
[ "$last_you" = "asked again: after the rate limit" ] && ok "resumed: the re-ask names the message it answers" ||
	fail "resumed re-ask under '$last_you'"
"$MC" --home "$H" export >"$T/h.md" 2>"$T/err"
expect_grep "$T/h.md" "^> asked again: after the rate limit$" "mixchat export says which message a late re-ask answers"
# Rated after the resume, it is learned (and exported) with that message.
ui_keys M-3
ui_expect "★★★☆☆ 3/5$" "Alt-3 on the resumed re-ask"
"$MC" --home "$H" ratings export >"$T/r.jsonl" 2>"$T/err"
expect_grep "$T/r.jsonl" '"score":3,"source":"keystroke",.*"prompt":"after the rate limit"' "its rating carries the message it answers"
# After the resume, asked again once more: the first reply's soft lesson
# was taught before the restart, and is not taught a second time.
ui_keys M-Up M-Up M-Up M-Up M-Up
ui_keys M-r
n=0; while [ "$(grep -c '"prompt":"after the rate limit"' "$MOCK_LOG" 2>/dev/null)" -lt 1 ] && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
sleep 0.5
[ "$("$MC" --home "$H" ratings export 2>/dev/null | grep -c '"source":"reask",.*"prompt":"after the rate limit"')" -eq 1 ] &&
	ok "a soft lesson taught before a restart is not taught again" ||
	fail "soft lessons for it: $("$MC" --home "$H" ratings export 2>/dev/null | grep -c '"source":"reask",.*"prompt":"after the rate limit"')"
ui_keys M-NPage
send "/sessions 99"
ui_expect "/sessions: no conversation 99 \(/sessions lists them\)" "/sessions with a number that is none"
screen_intact "after resuming"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# 8. A damaged record: reported on the notice line, the screen intact.
# (A string's 4-byte length prefix made too long: the record no longer
# decodes.)
"$MC" --home "$H" ask --session damaged "damaged-marker-0123" >/dev/null 2>&1
if command -v perl >/dev/null 2>&1; then
	perl -0777 -pi -e 's/\x13\x00\x00\x00damaged-marker-0123/\x7f\x00\x00\x00damaged-marker-0123/g' "$H/db/data.mdb"
	ui_start -- --home "$H"
	ui_expect "F1 keys" "screen with a damaged record"
	send "/sessions"
	ui_expect "Conversations" "/sessions with a damaged record"
	dmg=$(sed -n 's/^ *\([0-9][0-9]*\)  .*  damaged$/\1/p' "$T/screen" | head -1)
	send "/sessions $dmg"
	ui_expect "^ ! .*messages record [0-9]+\.1 is damaged; skipped" "the damage on the notice line"
	ui_expect "mock reply to: damaged-marker" "the rest of that conversation is shown"
	screen_intact "with a damaged record"
	send "/notices"
	ui_expect "┌─ Notices" "/notices shows them in a popup"
	ui_keys Escape
	ui_expect_not "^ ! " "the notice line is dismissed"
	ui_keys C-d
	ui_exit_status >/dev/null
else
	echo "(perl missing: damaged-record screen not checked)"
fi

# 7. Budget: the warning at 80 % and a message nothing fits.
H2=$T/home2
write_config "$H2" 0.0001
ui_start -- --home "$H2"
ui_expect "\\\$0 / \\\$0.0001 today" "a tiny daily budget in the status bar"
send "/model cheap"
send "longanswer please"
ui_expect "^ +cheap \(pinned\) · .* [0-9]+ tok" "the long reply"
ui_expect " ! \\\$0\.0000[89][0-9]* / \\\$0\.0001 today \([89][0-9] %\) " "status bar: the spend marked at 80 %"
ui_screen -e >"$T/esc"
# default.theme's status-warn: black on yellow.
grep -q -E '\[[0-9;]*43m[^[]* ! \$0' "$T/esc" && ok "in the warning colour" ||
	fail "warning colour missing: $(grep -o '.\{30\} ! \$0' "$T/esc")"
ui_expect "^ ! [89][0-9] % of today's budget is spent \(\\\$0\.0000[89][0-9]* of \\\$0\.0001\)" "the notice line says why, with the share"
send "/model auto"
send "one more question"
ui_expect "^ +✗ nothing fits what is left of today's budget" "a refused message says nothing fits, under it"
ui_expect "would cost about \\\$0\.[0-9]+ \(~[0-9]+ tokens in, ~[0-9]+ out\)" "and what the cheapest would cost"
# What is left ($0.00001) would not pay for a new conversation either:
# /new is not offered (tests/app_ask.sh has the case where it would fit).
ui_expect_not "starts a cheaper one" "/new is not offered: a new conversation would not fit either"
# The error's wrapped rows hang under its text, two columns after the ✗.
x=$(ui_screen | grep "✗ nothing fits" | sed 's/✗.*//' | wc -c)
y=$(ui_screen | grep -A1 "✗ nothing fits" | tail -n 1 | sed 's/[^ ].*//' | wc -c)
[ "$y" -eq $((x + 2)) ] && ok "the error's second row hangs under its text" ||
	fail "the error's second row starts at $y, the ✗ at $x"
ui_expect_not "not sent:" "said once, not again in a note"
send "/why"
ui_expect "/why: no model was asked for \"one more question\"; the router's table:" "/why names the refused message by its words"
ui_keys Up Up
ui_expect "^› one more question$" "Up brings the refused message back"
screen_intact "budget"
ui_keys C-u C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"

# A long first message: the title gives way, the mode, the pinned model
# and the count stay.  A blank message is not sent.
H6=$T/home6
write_config "$H6"
ui_start -- --home "$H6"
ui_expect "F1 keys" "a fresh chat"
send "/model cheap"
send "Please review the following long design document about our distributed cache invalidation strategy and tell me what you think of it"
ui_expect "^ +cheap \(pinned\) · " "the long message answered"
ui_expect "^ Please review the following .*… · pinned: cheap +2 messages *$" "a long name keeps 60 columns: the program's name and the mode give way, the pin and the count stay"
n_req=$(wc -l <"$MOCK_LOG")
ui_type "   "
ui_keys Enter
ui_keys C-j C-j Enter
sleep 0.5
[ "$(wc -l <"$MOCK_LOG")" = "$n_req" ] && ok "blank messages are not sent" || fail "a blank message was sent"
ui_expect "^ Please review .* 2 messages *$" "and not counted"
# Ctrl-D with a draft: as in a shell it deletes under the cursor, and at
# the end it says how to quit; on an empty line it quits.
ui_type "draft kept"
ui_keys Home C-d
ui_expect "^› raft kept$" "Ctrl-D in a draft deletes the character under the cursor"
ui_keys End C-d
ui_expect "your message is not sent yet: Ctrl-D quits on an empty line" "at its end it says so, and does not quit"
ui_expect "^› raft kept$" "the draft is kept"
ui_keys C-u
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "Ctrl-D on an empty line quits" || fail "Ctrl-D did not quit"

# More conversations than the pane has rows: /sessions shows them in the
# popup, the newest at its top.
# (Named: `ask`'s one-off conversations are folded into one line.)
for i in $(seq 1 25); do "$MC" --home "$H" ask --session "filler conversation $i" "filler conversation $i" >/dev/null 2>&1; done
# /models at 80 columns: each row still fits on one line.
UI_COLS=80 ui_start -- --home "$H"
ui_expect "F1 keys" "an 80-column chat"
send "/models"
ui_expect "^ +$m1 +mock +\\\$[0-9.]+ +\\\$[0-9.]+ +[01]\.[0-9]{2}±[01]\.[0-9]{2} +[0-9]+ +[0-9.]+ m?s +(-|[0-9]+)$" "/models: a row on one line at 80 columns"
# A key refused (401) by the provider every model shares: asking the next
# model would be refused the same, so it is not suggested.
send "solo401 shared"
ui_expect "✗ mock refused the request \(HTTP 401\)" "a refused key"
ui_expect_not "asks the next-best model" "no other model behind the same refused key is suggested"
send "/sessions"
ui_expect "┌─ /sessions ─" "a long /sessions list opens in the popup"
ui_expect "filler conversation 25 +│" "the newest conversation is in view"
ui_expect "Enter opens · Esc closes ─┘" "the popup says an entry can be opened"
# A list to pick from: the cursor starts on the last used (this one),
# Down moves it, Enter resumes the conversation under it.
# Reverse video: a 7 of its own in the SGR ("[7m", "[1;7m"), not "[97m".
rev="$(printf '\033')\\[([0-9]*;)*7m"
TM capture-pane -p -e -t 0 | grep "solo401 shared" | grep -Eq "$rev" &&
	ok "the cursor is on the last used conversation (reverse video)" ||
	fail "no cursor on the last used conversation"
# At the end of the list, then narrowed (entries wrap to two rows): the
# cursor stays in sight, so Enter never opens one not on screen.
ui_keys End
TM resize-window -t 0 -x 44 -y 20
sleep 0.4
TM capture-pane -p -e -t 0 | grep -Eq "$rev" && ok "narrowed, the cursor is still in sight" ||
	{ fail "narrowed, the cursor is off screen"; ui_screen | sed 's/^/  | /'; }
TM resize-window -t 0 -x 100 -y 30
sleep 0.3
ui_keys Home
ui_keys Down Down
sleep 0.2
TM capture-pane -p -e -t 0 | grep "filler conversation 24" | grep -Eq "$rev" &&
	ok "Down moves the cursor down the list" || fail "Down did not move the cursor"
ui_keys Enter
ui_expect "resumed: filler conversation 24" "Enter resumes the conversation under the cursor"
ui_expect "mock reply to: filler conversation 24" "its messages are shown"
ui_expect_not "┌─ /sessions" "and the popup is closed"
# Opened narrow (the message count gives way to the title), then
# widened: laid out again.
TM resize-window -t 0 -x 50 -y 30
sleep 0.3
send "/sessions"
ui_expect "┌─ /sessions ─" "the popup at 50 columns"
ui_expect_not "[0-9] msgs  filler" "the message count gives way at 50 columns"
# q closes it (Esc followed at once by a key would read as Alt-key).
ui_keys q
ui_expect_not "┌─ /sessions" "q closes the popup"
# At 50 columns the tables keep a row to a line: columns give way.
send "/models"
ui_expect "^ +$m1 +\\\$[0-9.]+ +\\\$[0-9.]+ +[01]\.[0-9]{2}±[01]\.[0-9]{2} +[0-9]+$" "/models: a row on one line at 50 columns"
send "/why"
ui_expect "^ +▶ [a-z]+ +[01]\.[0-9]{3} +\\\$[0-9.]+ +-?[0-9]+\.[0-9]{3}$" "/why: a row on one line at 50 columns"
send "/sessions"
ui_expect "┌─ /sessions ─" "the popup again"
TM resize-window -t 0 -x 100 -y 30
ui_expect "[0-9] msgs  filler conversation 25 +│" "widened, the popup shows every column"
ui_keys Escape
ui_keys C-d
ui_exit_status >/dev/null

# One model only: a failed reply does not suggest asking another.
H8=$T/home8
mkdir -p "$H8"
cat >"$H8/config.json" <<EOF2
{
  "providers": { "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" } },
  "models": [ { "id": "solo", "provider": "mock", "price": [0.2, 0.2] } ]
}
EOF2
ui_start -- --home "$H8"
ui_expect "F1 keys" "a one-model chat"
send "solo401 alone"
ui_expect "✗ mock refused the request \(HTTP 401\)" "the failure"
ui_expect_not "asks the next-best model" "no next-best model is suggested when there is none"
# Keys on a reply with no text say so on the notice line (seen even
# scrolled up), naming the reply.
ui_keys M-c
ui_expect "^ ! nothing to copy: [0-9]+\.[0-9]+ has no text" "Alt-C on a failed reply: on the notice line"
# A match far into a long message is on its row: the snippet starts
# before it (it was cut off the row's end).
send "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega quokka at the end of it"
ui_expect "mock reply to: alpha beta" "a long message with its word at the end"
TM resize-window -t 0 -x 60 -y "${UI_ROWS:-30}"
sleep 0.3
send "/search quokka"
ui_expect "match(es)? for 'quokka'" "/search quokka at 60 columns"
ui_screen | grep "you: " | grep -q "quokka" && ok "the match is on the row" ||
	{ fail "the match is cut off its row"; ui_screen | grep "you: "; }
TM resize-window -t 0 -x "${UI_COLS:-100}" -y "${UI_ROWS:-30}"
sleep 0.3
# A match in a long message is cut to its row, not wrapped onto another.
send "zebra one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen"
ui_expect "mock reply to: zebra one" "a long message"
send "/search zebra"
ui_expect "2 matches for 'zebra'" "/search zebra"
grep -A1 "you:   zebra one two" "$T/screen" >"$T/hit"
if grep -q "…$" "$T/hit" && [ "$(sed -n 2p "$T/hit" | tr -d ' ')" = "" ]; then
	ok "a long match on one row, cut with …"
else fail "the long match is not cut to its row"; sed 's/^/  | /' "$T/screen"; fi
ui_keys C-d
ui_exit_status >/dev/null

# Scrolled up, the reply keys act on the reply in sight (the lowest whose
# footer shows), marked and named on the status bar, never on the latest
# one off screen below; back at the end, on the latest again.
HV=$T/home_view
write_config "$HV"
ui_start -- --home "$HV"
ui_expect "F1 keys" "screen for the reply in view"
msgs=0
for w in first second third; do
	send "longanswer $w"
	msgs=$((msgs + 2))
	ui_expect " $msgs messages *$" "the $w long reply" 10
done
ui_keys PPage; sleep 0.2; ui_keys PPage
ui_expect "-MORE\([0-9]+\)-  reply [12]/3 " "scrolled up: the status bar names the reply in view"
ui_keys M-3
ui_expect " reply [0-9]+\.[0-9]+ rated 3/5 " "Alt-3 rates it"
seen=$(grep -o " reply [0-9]*\.[0-9]* rated 3/5 " "$T/screen" | grep -o "[0-9]*\.[0-9]*")
grep -q "· ★★★☆☆ 3/5" "$T/screen" && ok "its footer, on screen, shows the rating" ||
	{ fail "the rated reply is not the one in sight"; sed 's/^/  | /' "$T/screen"; }
ui_keys M-NPage
ui_expect_not "-MORE" "back at the end"
ui_keys M-4
ui_expect " reply [0-9]+\.[0-9]+ rated 4/5 " "at the end, Alt-4 rates"
latest=$(grep -o " reply [0-9]*\.[0-9]* rated 4/5 " "$T/screen" | grep -o "[0-9]*\.[0-9]*")
[ -n "$seen" ] && [ -n "$latest" ] && [ "$seen" != "$latest" ] &&
	ok "scrolled up it rated $seen, at the end the latest, $latest" ||
	fail "scrolled up rated '$seen', at the end '$latest'"
"$MC" --home "$HV" ratings export 2>/dev/null | grep -c '"score":[34]' | grep -q "^2$" &&
	ok "two ratings stored, one a reply" || fail "ratings: $("$MC" --home "$HV" ratings export 2>&1)"
ui_keys PPage; sleep 0.2; ui_keys PPage
ui_expect "-MORE\([0-9]+\)-  reply [12]/3 " "scrolled up again"
# Alt-Down and Alt-Up start from it, as from a selection.
k=$(grep -o "reply [12]/3" "$T/screen" | head -n 1 | grep -o "[12]/" | tr -d /)
ui_keys M-Down
ui_expect "reply $((k + 1))/3 " "Alt-Down selects the reply below the one in view"
ui_keys M-Up
ui_expect "reply $k/3 " "Alt-Up comes back to it"
ui_keys C-d
ui_exit_status >/dev/null

# dead_asked_twice DESCRIPTION: the dead server's model was asked for both
# messages on screen (tried again, not refused).
dead_asked_twice() {
	n=0
	until [ "$(ui_screen | grep -c "could not reach dead")" -ge 2 ] || [ $n -ge 50 ]; do
		sleep 0.1; n=$((n + 1))
	done
	[ $n -lt 50 ] && ok "$1" || { fail "$1: not asked again"; ui_screen | sed 's/^/  | /'; }
}

# A model whose server does not answer (a local server not started) sits
# out for a minute: the next message goes to another model, and /why says
# why; with nothing else left it is tried again, not refused.
HD=$T/home_down
mkdir -p "$HD"
cat >"$HD/config.json" <<EOF2
{
  "providers": {
    "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" },
    "dead": { "api": "openai", "base_url": "http://127.0.0.1:9/v1", "auth": "none" }
  },
  "models": [
    { "id": "cheap", "provider": "mock", "price": [0.2, 0.2], "prior": "mistralai/mistral-7b-chat" },
    { "id": "localbig", "provider": "dead", "price": [0, 0], "prior": "gpt-4-1106-preview" }
  ]
}
EOF2
ui_start -- --home "$HD"
ui_expect "F1 keys" "screen with a dead server"
send "first try"
ui_expect "could not reach dead" "the dead server's model was asked first"
ui_expect "dead could not be reached: for a minute the router asks its models only when no other model fits" "said on the notice line"
send "second try"
ui_expect "mock reply to: second try" "the next message goes to the live model"
send "/why"
ui_expect "localbig +not a candidate: its server did not answer just now" "/why says why"
ui_keys C-d
ui_exit_status >/dev/null
# One `ask` is not told the model sits out: the next `ask` starts afresh.
"$MC" --home "$HD" ask "an ask to the dead" >/dev/null 2>"$T/err"
grep -q "could not reach dead" "$T/err" && ok "ask: the dead model was asked" || fail "ask: $(cat "$T/err")"
grep -q "for a minute" "$T/err" && fail "ask made a promise about later messages: $(cat "$T/err")" || ok "ask makes no promise about later messages"
# The budget rules out the live model: the one sitting out is asked
# again rather than nothing sent.
HDB=$T/home_down_budget
mkdir -p "$HDB"
sed 's/^  \]$/  ],\n  "budget": { "daily_usd": 0.0000001 }/' "$HD/config.json" >"$HDB/config.json"
ui_start -- --home "$HDB"
ui_expect "F1 keys" "screen with a dead free model and a live one over budget"
send "first free"
ui_expect "could not reach dead" "the free model was asked"
send "second free"
dead_asked_twice "with the rest over budget, it is tried again"
ui_keys C-d
ui_exit_status >/dev/null
# A model that fails with a 5xx (after net's retries) sits out alone.
sed -i 's/"id": "localbig", "provider": "dead"/"id": "flaky", "provider": "mock"/' "$HD/config.json"
ui_start -- --home "$HD"
ui_expect "F1 keys" "screen with a failing model"
send "boom one"
ui_expect "flaky failed: for a minute the router asks it only when no other model fits" "a 5xx: the model sits out" 10
send "after boom"
ui_expect "mock reply to: after boom" "the next message goes to another model"
# Another model of its provider answering does not bring it back: its
# server answers; the model itself failed.
send "boom later"
ui_expect "mock reply to: boom later" "and the one after: it still sits out"
ui_keys C-d
ui_exit_status >/dev/null
sed -i 's/"id": "flaky", "provider": "mock"/"id": "localbig", "provider": "dead"/' "$HD/config.json"
sed -i '/"id": "cheap"/d' "$HD/config.json"
ui_start -- --home "$HD"
ui_expect "F1 keys" "screen with only the dead server"
send "only one"
ui_expect "could not reach dead" "asked"
ui_expect_not "for a minute the router" "nothing else to pass over to: no promise"
send "only one again"
dead_asked_twice "alone, the model is tried again (the server may be up now)"
ui_keys C-d
ui_exit_status >/dev/null
# Two models behind the one dead server: when it fails, the other is out
# with it, so no "Alt-R asks the next-best model".
sed -i 's/^\(    { "id": "localbig", "provider": "dead", .*\)$/\1,\n    { "id": "localsmall", "provider": "dead", "price": [0, 0], "prior": "mistralai\/mistral-7b-chat" }/' "$HD/config.json"
grep -q localsmall "$HD/config.json" || fail "the config did not take the second dead model: $(cat "$HD/config.json")"
ui_start -- --home "$HD"
ui_expect "F1 keys" "screen with two models behind the dead server"
send "both dead"
ui_expect "could not reach dead" "asked"
ui_expect_not "asks the next-best model" "no re-ask offered: every other model is behind the same dead server"
ui_keys C-d
ui_exit_status >/dev/null
# A server that takes the request and then sends nothing for its
# provider's timeout_s: the model sits out alone (a local server loading
# one model answers for the others), said as what happened.
HZ=$T/home_sleepy
mkdir -p "$HZ"
cat >"$HZ/config.json" <<EOF2
{
  "providers": {
    "slow": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none", "timeout_s": 1 }
  },
  "models": [
    { "id": "sleepy", "provider": "slow", "price": [0, 0], "prior": "gpt-4-1106-preview" },
    { "id": "awake", "provider": "slow", "price": [0.2, 0.2], "prior": "mistralai/mistral-7b-chat" }
  ]
}
EOF2
ui_start -- --home "$HZ"
ui_expect "F1 keys" "screen with a model that does not answer"
send "wake up"
ui_expect "slow did not answer within 1 s" "the provider's timeout_s ends the wait"
ui_expect "sleepy did not answer: for a minute the router asks it only when no other model fits" "said as what happened, for the model"
ui_expect_not "could not be reached" "not taken for a server that cannot be reached"
send "next one"
ui_expect "mock reply to: next one" "the next message is answered"
ui_expect "awake · " "by the other model of the same provider"
send "/why"
ui_expect "sleepy +not a candidate: it did not answer just now" "/why says why"
ui_keys C-d
ui_exit_status >/dev/null
# A refused key (401) takes every model of its provider out, for the
# session (it does not mend itself): the next message goes to another
# provider's model, not to the refused one's other model.
HK=$T/home_key
mkdir -p "$HK"
cat >"$HK/config.json" <<EOF2
{
  "providers": {
    "mock": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" },
    "guarded": { "api": "openai", "base_url": "http://127.0.0.1:$PORT/v1", "auth": "none" }
  },
  "models": [
    { "id": "cheap", "provider": "mock", "price": [0.2, 0.2], "prior": "mistralai/mistral-7b-chat" },
    { "id": "lockedbig", "provider": "guarded", "price": [0, 0], "prior": "gpt-4-1106-preview" },
    { "id": "lockedsmall", "provider": "guarded", "price": [0, 0], "prior": "claude-v2" }
  ]
}
EOF2
ui_start -- --home "$HK"
ui_expect "F1 keys" "screen with a provider that refuses access"
send "first key"
ui_expect "guarded refused the request \(HTTP 401\)" "the refused model was asked first"
ui_expect "guarded refused access: the router asks its models only when no other model fits" "said on the notice line"
send "second key"
ui_expect "mock reply to: second key" "the next message goes to the other provider"
ui_expect_not "lockedsmall ·" "not to the refused provider's other model"
send "/why"
ui_expect "lockedsmall +not a candidate: its server refused access \(HTTP 401\)" "/why says why (a server that takes no key: no key refused)"
send "/models"
ui_expect "out of routing now: guarded's 2 models \\(access refused\\) *$" "/models says which models are out, and why: a refused access once for its provider's models"
ui_expect_not "lockedbig \\(access refused\\)" "not one item a model"
send "third key"
ui_expect "mock reply to: third key" "and the one after: still out (not a minute's pause)"
# Pinning a model out of routing is allowed, and said.
send "/model lockedsmall"
ui_expect "lockedsmall is out of routing \\(access refused\\): pinned, it is asked anyway" "pinning a refused model says so"
send "/model auto"
ui_keys C-d
ui_exit_status >/dev/null
# The refusal is kept: a chat started again knows it, and says so.
ui_start -- --home "$HK"
ui_expect "out of routing, as refused to an earlier mixchat in the last day: guarded's models" "a new chat says the kept refusal at once"
send "after restart"
ui_expect "mock reply to: after restart" "its first message goes to the other provider"
ui_expect_not "locked[a-z]* ·" "not to a refused model"
send "/models"
ui_expect "out of routing now: guarded's 2 models \\(access refused\\) *$" "/models lists them, by provider"
ui_keys C-d
ui_exit_status >/dev/null
# A model the provider does not have (404) sits out alone.
sed -i 's/"id": "lockedbig", "provider": "guarded"/"id": "ghost", "provider": "mock"/; /lockedsmall/d' "$HK/config.json"
sed -i 's/"prior": "gpt-4-1106-preview" },$/"prior": "gpt-4-1106-preview" }/' "$HK/config.json"
ui_start -- --home "$HK"
ui_expect "F1 keys" "screen with a model the provider does not have"
send "first ghost"
ui_expect "mock answered HTTP 404 for model ghost" "the missing model was asked first"
ui_expect "mock has no model ghost: the router asks it only when no other model fits" "said on the notice line"
ui_expect 'config.json takes it out\)' "with the way to turn it off (\"enabled\": false)"
send "second ghost"
ui_expect "mock reply to: second ghost" "the next message goes to another model"
send "/why"
ui_expect "ghost +not a candidate: its provider has no such model \(HTTP 404\)" "/why says why"
send "/models"
ui_expect "out of routing now: ghost \(" "/models names a model out for another reason alone"
# The last model left fails too: said, and the next message tries them all.
send "solo401 last one"
ui_expect "mock refused the request and no model is left in routing: the next message tries them all again" "the last model out is said"
ui_keys C-d
ui_exit_status >/dev/null

# "mode": "budget" in config.json starts in budget mode, and F2 turns it
# off: routing is then balanced, not budget still.
HB=$T/home_budget_cfg
write_config "$HB"
sed -i 's/"budget": {/"router": { "mode": "budget" },\n  "budget": {/' "$HB/config.json"
ui_start -- --home "$HB"
ui_expect " BUDGET " "configured budget mode: on at start"
ui_keys F2
send "an ester question"
ui_expect "^ mixchat · an ester question · balanced " "F2 off: routing is balanced"
ui_expect_not " BUDGET " "and the status bar says so"
# /budget's advice is config.json as it is written (a top-level "mode"
# is refused at start).
ui_type "/budget"; ui_keys Enter
ui_expect '{"mode": "budget"} in config.json' "/budget names the setting as config.json has it"
ui_expect 'session; "router":' "under \"router\""
ui_keys C-d
ui_exit_status >/dev/null
# The /sessions popup counts conversations (its heading is none): 30 in a
# home of 30.
HS=$T/home_sessions
write_config "$HS"
for i in $(seq 1 30); do "$MC" --home "$HS" ask "count me $i" >/dev/null 2>&1; done
ui_start -- --home "$HS"
ui_expect "F1 keys" "a chat with 30 conversations"
send "/sessions all" # ask's one-off conversations, listed too
ui_expect " 1-[0-9]+ of 30 · " "the popup counts 30 conversations"
ui_keys End
ui_expect " [0-9]+-30 of 30 · " "and ends at the 30th"
ui_type "q"
ui_keys C-d
ui_exit_status >/dev/null
# Another mixchat writes into the open conversation (`ask --session`):
# the chat's next message shows those messages and sends them as context.
HC=$T/home_catch
write_config "$HC"
ui_start -- --home "$HC"
ui_expect "F1 keys" "a chat for a shared conversation"
send "first from the chat"
ui_expect "mock reply to: first from the chat" "its first reply"
spend_before=$(ui_screen | grep -o '\$[0-9.]* / \$2.00 today')
"$MC" --home "$HC" ask --session 1 "meanwhile from ask" >/dev/null 2>&1 || fail "ask --session 1 failed"
# The ask spent from the same budget: the status bar follows, no key
# pressed.
n=0; while [ "$(ui_screen | grep -o '\$[0-9.]* / \$2.00 today')" = "$spend_before" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
[ $n -lt 50 ] && ok "the status bar shows what another mixchat spent, unasked" ||
	fail "the spend on the status bar stayed at $spend_before"
send "then the chat again"
ui_expect "2 messages from another mixchat came into this conversation; yours follows them" "the chat says the conversation grew"
ui_expect "mock reply to: meanwhile from ask" "and shows what came"
ui_expect "mock reply to: then the chat again" "its own message is answered"
tail -n 1 "$MOCK_LOG" | grep -q "first from the chat.*meanwhile from ask.*then the chat again" &&
	ok "the other mixchat's turns are context" || fail "context without the other's turns: $(tail -n 1 "$MOCK_LOG" | sed 's/.*body//')"
# Interleaved: the ask's message and reply land between the chat's
# message and its reply, so the chat's own reply is the conversation's
# last; still taken in, and counted right.
"$MC" --home "$HC" ask --session 1 "slowask in between" >/dev/null 2>&1 &
askpid=$!
n=0; while ! grep -q "slowask in between" "$MOCK_LOG" && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
send "slowchat meanwhile"
ui_expect "1 message from another mixchat came into this conversation; yours follows it" "the ask's message, stored before the chat's, is taken in first"
wait $askpid
n=0; until ui_screen | grep -A1 "the chat answers more slowly still" | grep -q "tok/s" || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
send "and after both"
ui_expect "^ +the ask answers slowly$" "the ask's reply, landed before the chat's, is taken in too"
ui_expect "mock reply to: and after both" "and the message answered"
tail -n 1 "$MOCK_LOG" | grep -q "slowask in between.*the ask answers slowly.*slowchat meanwhile.*and after both" &&
	ok "with the ask's turn in the context, in order" || fail "interleaved context: $(tail -n 1 "$MOCK_LOG" | sed 's/.*body//')"
# Alt-R while a reply arrives is refused on the notice line; once the
# reply has ended, that notice is past and goes (it stayed, saying a
# reply was arriving when none was).
send "slowchat again please"
ui_expect "^ +the chat answers" "a slow reply arrives"
ui_keys M-r
ui_expect "could not ask again: a reply is still arriving" "Alt-R meanwhile is refused on the notice line"
send "/export $T/during.md"
ui_expect "during.md \(without the reply still arriving:" "/export meanwhile says the reply is not in it"
ui_keys M-3
ui_expect "rating not saved: that reply has not finished yet" "a rating meanwhile is refused on the notice line"
ui_type "sent too soon"
ui_keys Enter
ui_expect "not sent: a reply is still arriving" "a message meanwhile is refused on the notice line"
n=0; until [ "$(ui_screen | grep -A1 "the chat answers more slowly still" | grep -c "tok/s")" -ge 2 ] || [ $n -ge 100 ]; do sleep 0.1; n=$((n + 1)); done
ui_expect_not "could not ask again|has not finished yet|not sent: a reply" "the notices go when the reply has ended"
ui_expect "^› sent too soon *$" "the message refused meanwhile waits in the input"
ui_keys C-u
ui_keys C-d
ui_exit_status >/dev/null
finish
