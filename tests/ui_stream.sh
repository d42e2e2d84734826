# ui_stream.sh - the chat screen against the mock provider: a streamed reply
# and its footer, Alt-4 rating (and the rating in the store), F2 sending the
# next reply to the cheaper model, resize mid-stream, 1,000 lines of
# scrollback, a CJK/emoji reply wrapped by display width, Esc cancelling.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

cat >"$T/script.json" <<'EOF2'
[
  {"prompt_contains": "slow", "reply": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty", "drip_ms": 150},
  {"prompt_contains": "thumbs", "reply": "Thumbs: \ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd\ud83d\udc4d\ud83c\udffd end-of-thumbs marker.\nNext line after thumbs."},
  {"prompt_contains": "wide", "reply": "日本語のテキストと絵文字😀😀😀がきちんと折り返されることを確かめるための長い行です。日本語のテキストと絵文字😀😀😀がきちんと折り返されることを確かめるための長い行です。"},
  {"prompt_contains": "code", "reply": "Here:\n```c\nint x = 1;\n    return some_function(argument_one, argument_two, argument_three, argument_four, argument_five, zzzz_end);\n```\nDone."},
  {"prompt_contains": "markdown", "reply": "## Answer\nThe capital is **Paris**, see `man 3 qsort`.\n- first item\n\n| city | people |\n|---|--:|\n| Paris | 2.1M |\n| Lyon | 0.5M |\n\n> a quoted line long enough to wrap onto a second screen line of the hundred columns there are\n\nSee [the docs](https://x.org/d).\n"}
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

ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen with the mock provider"
ui_expect_not "mixchat keys add" "providers set up: no how-to"

# A streamed reply and its footer.
ui_type "hello there"; ui_keys Enter
ui_expect "mock reply to: hello there" "the reply streams in"
ui_expect "(cheap|mid|expensive) · \\\$[0-9.]+ · .* \(first token .*\) · [0-9]+ tok · [0-9]+ tok/s" "footer under the reply"
ui_expect " \[(cheap|mid|expensive)\] " "status bar names the model"
first_model=$(sed -n 's/^ *\(cheap\|mid\|expensive\) · .*/\1/p' "$T/screen" | tail -1)

# Rate with Alt-4: the footer shows it, the status bar confirms it (the
# footer may be off screen) and the store has it.
ui_keys M-4
ui_expect "★★★★☆ 4/5" "Alt-4 shows the rating"
ui_expect " reply [0-9]+\.[0-9]+ rated 4/5 " "the status bar confirms it"
# The same again teaches nothing; another score corrects it: one rating
# a reply, in the store, the export and the stats.
ui_keys M-4
ui_expect " reply [0-9]+\.[0-9]+ is already rated 4/5 " "Alt-4 again: already rated"
ui_keys M-2
ui_expect "★★☆☆☆ 2/5" "Alt-2 corrects it"
ui_expect " reply [0-9]+\.[0-9]+: 2/5, was 4/5 " "and says what it was"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
"$MC" --home "$H" ratings export >"$T/ratings.jsonl" 2>"$T/err"
expect_grep "$T/ratings.jsonl" '"score":2' "the corrected rating is in the store"
[ "$(wc -l <"$T/ratings.jsonl")" = 1 ] && ok "one rating for the reply" ||
	fail "ratings after a correction: $(cat "$T/ratings.jsonl")"
"$MC" --home "$H" stats --json >"$T/stats.json" 2>/dev/null
[ "$(jq .ratings "$T/stats.json")" = 1 ] && [ "$(jq .mean_rating "$T/stats.json")" = 2 ] &&
	ok "stats counts it once, at its last score" || fail "stats: $(jq -c '{ratings, mean_rating}' "$T/stats.json")"

# Budget mode: the next reply goes to the cheapest model.
ui_start -- --home "$H"
ui_expect "F1 keys" "screen again"
ui_keys F2
ui_expect " BUDGET " "F2: budget mode"
ui_type "a question in budget mode"; ui_keys Enter
ui_expect "mock reply to: a question in budget mode" "reply in budget mode"
# (models by price: cheap < mid < expensive)
rank() { case $1 in cheap) echo 1;; mid) echo 2;; *) echo 3;; esac; }
ui_expect "^ +(cheap|mid|expensive) · " "budget mode reply footer"
budget_model=$(sed -n 's/^ *\(cheap\|mid\|expensive\) · .*/\1/p' "$T/screen" | tail -1)
if [ "$(rank "$budget_model")" -le "$(rank "$first_model")" ] && [ "$budget_model" != expensive ]; then
	ok "budget mode: $budget_model, no dearer than $first_model"
else
	fail "budget mode chose $budget_model after $first_model"
fi

# Resize while a reply streams: no garbage, the reply completes.
ui_type "slow please"; ui_keys Enter
ui_expect "one two three" "slow reply started"
TM resize-window -t 0 -x 50 -y 20
sleep 0.3
TM resize-window -t 0 -x 130 -y 35
sleep 0.2
TM resize-window -t 0 -x 70 -y 25
ui_expect "twenty" "slow reply complete after resizes" 10
ui_expect "· 33 tok" "its footer after resizes" 10
ui_screen >"$T/s"
head -1 "$T/s" | grep -q "^ mixchat · " && ok "title in place" || fail "title after resizes"
tail -1 "$T/s" | grep -q "^›" && ok "input in place" || fail "input after resizes"
fits_width "$T/s" 70 && ok "nothing wider than the window" || fail "a line wider than 70 columns"

# A CJK/emoji reply wraps by display width (no line wider than the pane,
# no character cut in half).
ui_type "wide text"; ui_keys Enter
ui_expect "確かめるための" "CJK reply shown"
ui_screen >"$T/s"
fits_width "$T/s" 70 && ok "CJK/emoji lines fit 70 columns" || fail "CJK/emoji wrapping"
# An emoji with a skin tone is as wide as curses and the terminal count
# it (2 + 2 columns): the line wraps before the edge, not past it onto
# the next row.
ui_type "thumbs up"; ui_keys Enter
ui_expect "^ +Next line after thumbs\.$" "the line after the emoji is whole"
ui_expect "end-of-thumbs marker\.$" "and the emoji line's end is not overwritten"
ui_screen >"$T/s"
fits_width "$T/s" 70 && ok "skin-tone emoji lines fit 70 columns" || fail "skin-tone emoji wrapping: $(grep -n 'humbs' "$T/s")"

# Esc cancels the reply in flight and keeps its text.
ui_type "slow again"; ui_keys Enter
# "one two" of this reply, not of the first slow one still on screen.
n=0
until ui_screen | awk '/ you slow again$/ { mine = 1; next } mine && /one two/ { found = 1 } END { exit !found }'; do
	n=$((n + 1)); [ $n -lt 50 ] || break; sleep 0.1
done
[ $n -lt 50 ] && ok "second slow reply started" || { fail "second slow reply never started"; ui_screen | sed 's/^/  | /'; }
# /new does not cut it off unseen (as /sessions N does not).
ui_type "/new"; ui_keys Enter
ui_expect "/new is kept in the input: a reply is still arriving" "/new waits for the reply in flight, kept in the input (said on the notice line)"
ui_expect "^› /new *$" "the refused /new stays in the input, to run with one Enter later"
ui_keys Escape
ui_expect "cancelled" "Esc cancels"
ui_expect "^ +Alt-R asks the next-best model$" "a cancelled reply says how to ask another model, as a failed one does"
ui_expect_not "nineteen twenty\$" "cancelled reply stops growing"
ui_keys C-u

# Code blocks are set apart.
ui_type "code please"; ui_keys Enter
ui_expect "int x = 1;" "code block shown"
# A code line longer than the screen goes on after a "↪ " at the code
# block's indent (the column of "int x"), not at its own indent: it does
# not read as a line of code of its own.
ui_expect "^ +return some_function" "a long code line"
ui_screen | grep "zzzz_end);" >"$T/wrapped"
if grep -q "return" "$T/wrapped"; then fail "the long code line did not wrap: $(cat "$T/wrapped")"
elif grep -q "↪ " "$T/wrapped" && [ "$(sed 's/↪.*//' "$T/wrapped" | wc -c)" -eq "$(ui_screen | grep "int x = 1;" | sed 's/[^ ].*//' | wc -c)" ]; then
	ok "its wrapped part goes on after a mark at the block's indent"
else fail "its wrapped part is not marked at the block's indent: $(cat "$T/wrapped")"; fi
# The cancelled reply was read as far as it came: the next message goes
# with it as context, as the screen shows the conversation.
grep "code please" "$MOCK_LOG" | tail -n 1 | grep -q "slow again.*assistant.*one two.*code please" &&
	ok "the cancelled part is context for the next message" ||
	fail "the cancelled part was not sent: $(grep "code please" "$MOCK_LOG" | tail -n 1 | sed "s/.*body//")"

# A reply's Markdown is drawn: markers gone, the text styled (bold,
# underlined heading) - read from the screen with its attributes.
ui_type "markdown please"; ui_keys Enter
ui_expect "The capital is Paris, see man 3 qsort\.$" "inline markers are not shown"
ui_expect "^ +• first item$" "list item drawn with a bullet"
ui_expect "^ +Answer$" "heading drawn without its hashes"
ui_expect "^ +city  │ people$" "a table's header in columns"
ui_expect "^ +Lyon  │   0.5M$" "its rows aligned (the second column to the right)"
ui_expect "^ +▎ a quoted line" "a quote behind its bar"
ui_expect "^ +▎ [a-z ]+ columns there are$" "its wrapped line keeps the bar"
ui_expect "^ +See the docs \(https://x.org/d\)\.$" "a link: its text, then the url"
TM capture-pane -p -e -t 0 >"$T/ansi2"
if grep "See" "$T/ansi2" | grep -q "$(printf '\033')\[4m[^ ]*the docs"; then ok "the link's text is underlined"
else fail "the link is not underlined"; grep "See" "$T/ansi2" | od -c | head; fi

# Alt-C copies the reply as the model wrote it (Markdown and all) through
# OSC 52, and inside tmux to tmux too: with tmux's default set-clipboard
# (external), which drops what a program sends by OSC 52, tmux still has
# it as a paste buffer.
TM set-option -g set-clipboard external
TM delete-buffer >/dev/null 2>&1
ui_keys M-c
ui_expect " reply [0-9]+\.[0-9]+ copied \([0-9]+ bytes\), and to tmux " "Alt-C says on the status bar which reply was copied, and that tmux has it"
n=0; while ! TM show-buffer >"$T/clip" 2>/dev/null && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
if grep -q "The capital is \*\*Paris\*\*, see \`man 3 qsort\`." "$T/clip" &&
	grep -q "^| Lyon | 0.5M |$" "$T/clip"; then ok "the clipboard holds the reply's Markdown"
else fail "clipboard: $(head -c 300 "$T/clip")"; fi
TM capture-pane -p -e -t 0 >"$T/ansi"
if grep -q "$(printf '\033')\[1m[^ ]*Paris" "$T/ansi"; then ok "Paris is drawn bold"
else fail "Paris is not bold"; grep Paris "$T/ansi" | od -c | head; fi
if grep "Answer" "$T/ansi" | grep -q "$(printf '\033')\[4m\|$(printf '\033')\[[0-9;]*4[;m]"; then ok "the heading is underlined"
else fail "the heading is not underlined"; grep Answer "$T/ansi" | od -c | head; fi

# 1,000 lines of scrollback: PgUp reaches the top, -MORE(n)- shows.
awk 'BEGIN { for (i = 1; i <= 1000; i++) printf "line %d\\n", i }' >"$T/long"
printf '[{"prompt_contains": "thousand", "reply": "%s"}]\n' "$(cat "$T/long")" >"$T/script2.json"
ui_keys C-d
ui_exit_status >/dev/null
# The terminal closes while a reply streams (SIGHUP): what came of the
# reply is kept, as Esc keeps it, and its cost is booked.
HH=$T/home_hangup
write_config "$HH"
ui_start -- --home "$HH"
ui_expect "F1 keys" "screen for the hang-up"
ui_type "slow goodbye"; ui_keys Enter
ui_expect "one two three" "the reply is streaming"
TM kill-server >/dev/null 2>&1
n=0
while [ $n -lt 50 ]; do
	"$MC" --home "$HH" export >"$T/hup.md" 2>/dev/null
	grep -q "one two three" "$T/hup.md" && break
	sleep 0.1; n=$((n + 1))
done
grep -q "one two three" "$T/hup.md" && ok "a hang-up keeps the part of the reply that came" ||
	fail "the reply streaming at the hang-up is lost: $(cat "$T/hup.md")"
grep -q "error: cancelled" "$T/hup.md" && ok "and marks it stopped" || fail "not marked stopped: $(cat "$T/hup.md")"
"$MC" --home "$HH" stats >"$T/hup.stats" 2>&1
grep -q "^Calls: 1 " "$T/hup.stats" && ok "its cost is booked" || fail "not booked: $(head -3 "$T/hup.stats")"
exec 9>&-; kill $MOCK_PID 2>/dev/null
ui_start_mock "$T/script2.json"
write_config "$H"
ui_start -- --home "$H"
ui_expect "F1 keys" "screen for scrollback"
ui_type "a thousand lines"; ui_keys Enter
ui_expect "^ +line 1000$" "1,000-line reply" 10
i=0; while [ $i -lt 60 ]; do ui_keys PPage; i=$((i + 1)); done
ui_expect "^ +line 1$" "PgUp reaches the first line"
ui_expect "-MORE\([0-9]+\)-" "-MORE(n)- when scrolled up"
# At 40 columns the status bar keeps the spend and -MORE(n)- (the model
# is in the footers).
TM resize-window -t 0 -x 40 -y 30
ui_expect "^ +\\\$[0-9.]+ / \\\$[0-9.]+ +-MORE\([0-9]+\)- *$" "a narrow status bar keeps -MORE(n)-"
ui_expect "^ a thousand lines +2 messages *$" "a narrow title gives the conversation's name the room (the mode gives way, the count keeps its word)"
# Narrower, a part that does not fit is left out, not cut: at 20 columns
# the spend and its limit without -MORE(n)-, at 14 the spend alone, never
# "$0.0001 /" without its limit.
TM resize-window -t 0 -x 20 -y 30
ui_expect "^ +\\\$[0-9.]+ / \\\$[0-9.]+ *$" "20 columns: the spend and its limit, whole"
TM resize-window -t 0 -x 14 -y 30
ui_expect "^ +\\\$[0-9.]+ *$" "14 columns: the spend alone"
ui_expect_not "/ *$" "no part cut in the middle"
TM resize-window -t 0 -x "${UI_COLS:-100}" -y "${UI_ROWS:-30}"
sleep 0.3
ui_keys M-NPage
ui_expect "^ +line 1000$" "back to the end"
ui_expect_not "-MORE\(" "-MORE gone at the end"
ui_keys C-d
ui_exit_status >/dev/null

# Resized while scrolled up, the line read stays at the top: long lines
# wrap anew at each width, and the place is kept.
awk 'BEGIN { for (i = 1; i <= 300; i++) printf "row %d of a reply whose lines are long enough to wrap when the window is narrow\\n", i }' >"$T/long"
printf '[{"prompt_contains": "wrapping", "reply": "%s"}]\n' "$(cat "$T/long")" >"$T/script3.json"
exec 9>&-; kill $MOCK_PID 2>/dev/null
ui_start_mock "$T/script3.json"
write_config "$H"
# About 5,000 tokens: more than the 4,096 a request asks for by default
# (the mock cuts a reply there, as a provider does).
sed -i 's/^{$/{\n  "max_output_tokens": 8192,/' "$H/config.json"
ui_start -- --home "$H"
ui_expect "F1 keys" "screen for the resize"
ui_type "long wrapping lines"; ui_keys Enter
ui_expect "^ +row 300 of a reply" "a long reply" 10
i=0; while [ $i -lt 5 ]; do ui_keys PPage; i=$((i + 1)); done
top_row() { ui_screen | sed -n 2p | grep -o "row [0-9]*"; }
more() { ui_screen | grep -o -- "-MORE([0-9]*)-"; }
before=$(top_row)
more_before=$(more)
TM resize-window -t 0 -x 60 -y 30
sleep 0.4
narrow=$(top_row)
TM resize-window -t 0 -x 100 -y 30
sleep 0.4
back=$(top_row)
[ -n "$before" ] && [ "$narrow" = "$before" ] && [ "$back" = "$before" ] &&
	ok "the line read stays at the top through resizes ($before)" ||
	fail "resized while scrolled up: '$before', then '$narrow' at 60 columns, then '$back'"
# The same place at the same width: the same count of lines below it (the
# status bar was once drawn before the place was found again).
more_back=$(more)
[ -n "$more_before" ] && [ "$more_back" = "$more_before" ] &&
	ok "and -MORE(n)- counts the lines below it ($more_back)" ||
	fail "-MORE after the resizes: '$more_before' before, '$more_back' after"
ui_keys C-d
finish
