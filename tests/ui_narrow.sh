# ui_narrow.sh - the bars at narrow widths: the title bar gives up its
# least useful parts (the program's name, the routing mode, "pinned: ",
# the count's word) before it cuts the conversation's title; a
# reply's footer wraps between its fields with the separator at the end
# of the line broken, never at the start of the next.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"
sed -i 's/^  "models": \[$/  "models": [\n    { "id": "gpt-4.1-nano", "provider": "mock", "price": [0.1, 0.4], "prior": "mistralai\/mistral-7b-chat" },/' "$H/config.json"

ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "/model gpt-4.1-nano"
send "hello world from a narrow pane"
ui_expect "^ +gpt-4.1-nano \(pinned\) · " "a reply from the pinned model"
ui_expect "^ mixchat · hello world from a narrow pane · balanced · pinned: gpt-4.1-nano +2 messages *$" \
	"100 columns: the whole title bar"

# 60 columns: the program's name, the mode and "pinned: " go first; the
# conversation's name stays whole (it is cut last, see ui_titlebar.sh).
TM resize-window -t 0 -x 60 -y 30
ui_expect "^ hello world from a narrow pane · gpt-4.1-nano +2 messages *$" \
	"60 columns: no 'mixchat ·', no mode, no 'pinned: ', the whole name, the count"
ui_expect_not "^ mixchat · h" "not the program's name beside a cut name"
# 50 columns: then the count's word; the name still whole.
TM resize-window -t 0 -x 50 -y 30
ui_expect "^ hello world from a narrow pane · gpt-4.1-nano +2 *$" \
	"50 columns: the count's word gone before the name is cut"
ui_expect "^ +gpt-4.1-nano \(pinned\) · \\\$[0-9.]+ ·$" "50 columns: the footer's broken line ends with the separator"
ui_expect "^ +[0-9.]+ m?s \(first token [0-9.]+ m?s\) · " "the next line starts with the next field"
ui_expect_not "^ +· " "no footer line starts with the separator"
# A reply selected, pinned and in budget mode at 45 columns: the status
# bar names the reply a rating key will hit; PINNED gives up the model's
# name for it (the title bar has it).
TM resize-window -t 0 -x 45 -y 30
send "a second message"
ui_expect "mock reply to: a second message" "a second reply"
ui_keys F2 M-Up
ui_expect "^ PINNED  BUDGET .* reply 1/2" "45 columns: the selected reply is named"
ui_keys Escape
sleep 0.2
ui_keys F2
ui_expect_not " BUDGET " "budget mode off again"
TM resize-window -t 0 -x 40 -y 30
# Where the separator does not fit after the field, it is dropped.
ui_expect "^ +gpt-4.1-nano \(pinned\) · \\\$[0-9.]+( ·)?$" "40 columns: broken again between fields"
ui_expect_not "^ +· " "and still no line starts with one"
# The keys popup at 30 columns: a description's next rows stand in from
# the keys' column, not at its edge among the key names.
TM resize-window -t 0 -x 30 -y 30
ui_keys F1
ui_expect "^ │   Enter +send the +│" "F1 at 30 columns"
ui_expect "^ │     message \\(or run the +│" "a description's next row is indented"
ui_keys Escape
TM resize-window -t 0 -x 100 -y 30
ui_expect "^ mixchat · hello world from a narrow pane · balanced" "widened: all of it again"
ui_expect "^ +gpt-4.1-nano \(pinned\) · \\\$[0-9.]+ · [0-9.]+ m?s \(first token" "and the footer on one line"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
finish
