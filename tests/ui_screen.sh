# ui_screen.sh - the chat screen without a provider: what it says, F1, /help,
# unknown commands, editing the input, F2, bare mode, paste, resize, themes
# and key maps that fail to load, Ctrl-D and /quit.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
H="$T/home"
mkdir -p "$H"

ui_start -- --home "$H"
ui_expect "^ mixchat · " "title bar"
ui_expect "mixchat --home $H keys add" "no provider: says how to add one, for this --home"
ui_expect "^         $H/config.json$" "the file to write, on a line of its own under its step"
# Narrow, a step's wrapped words stay under the step, not at the margin.
TM resize-window -t 0 -x 60 -y 30
ui_expect "^         [^ ].* keys add openai$" "a wrapped step keeps its indent"
TM resize-window -t 0 -x "${UI_COLS:-100}" -y "${UI_ROWS:-30}"
ui_expect "F1 keys" "status bar"
ui_expect_not "\[-\]" "no model named before the first reply"
ui_expect "^› *$" "empty input line"

# F1: the bindings in a popup, scrolled with the arrows, closed with Esc.
ui_keys F1
ui_expect "┌─ Keys ─" "F1 opens the keys popup"
ui_expect "│ +Alt-4 +rate the selected reply 4/5 +│" "F1 shows Alt-4 inside the frame"
ui_expect "Esc or q closes ─┘" "the popup says how to close it"
ui_keys End
ui_expect "│ +Ctrl-R +search the messages you sent, newest first.* +│" "End scrolls the popup to its last row"
ui_type "x"
ui_expect_not "^› *x" "keys do not reach the input while the popup is open"
ui_keys Escape
ui_expect_not "┌─ Keys|rate the selected reply" "Esc closes the popup and leaves nothing in the chat"
ui_keys F1
ui_expect "┌─ Keys ─" "F1 again"
ui_type "q"
ui_expect_not "┌─ Keys" "q closes it"

ui_type "/help"; ui_keys Enter
ui_expect "┌─ Commands ─" "/help opens a popup"
ui_expect "│ +/sessions \[N\] +list conversations" "/help lists the commands"
ui_keys Escape
ui_expect_not "/sessions \[N\]" "Esc closes /help"
# Narrow, a description that wraps goes on under itself, not under the
# command.
TM resize-window -t 0 -x 60 -y 30
sleep 0.3
ui_type "/help"; ui_keys Enter
ui_expect "^ *│   /model NAME       always ask NAME;" "/help at 60 columns"
ui_expect "^ *│                     the router choose +│" "a wrapped description hangs under itself"
ui_type "q"
# At 45 columns too (the hang was kept to half the popup's width, and the
# descriptions wrapped to the first column, among the names).
TM resize-window -t 0 -x 45 -y 30
sleep 0.3
ui_type "/help"; ui_keys Enter
ui_expect "^ *│   /why              the router's table +│" "/help at 45 columns"
ui_expect "^ *│                     for the selected +│" "at 45 columns a wrapped description still hangs under itself"
ui_type "q"
TM resize-window -t 0 -x "${UI_COLS:-100}" -y "${UI_ROWS:-30}"
sleep 0.3
ui_type "/frobnicate"; ui_keys Enter
ui_expect "unknown command /frobnicate: type /help" "unknown command hint"

ui_type "hello wrld"; ui_keys Left Left Left; ui_type "o"
ui_expect "^› hello world$" "typing and moving the cursor"
ui_keys End C-w C-w; ui_type "日本語 ok"
ui_expect "^› 日本語 ok$" "delete words, type CJK"
ui_keys C-u
ui_expect "^›$" "kill to the start"

ui_keys F2
ui_expect " BUDGET " "F2 turns budget mode on"
ui_keys F2
ui_expect_not " BUDGET " "F2 turns it off"
ui_type "/budget on"; ui_keys Enter
ui_expect "budget mode on" "/budget on"
ui_expect " BUDGET " "/budget on shows BUDGET"
ui_type "/budget off"; ui_keys Enter

ui_keys M-l
ui_expect_not "^ mixchat · " "Alt-L: bare mode drops the bars"
ui_keys M-l
ui_expect "^ mixchat · " "Alt-L again: the bars are back"

# A long paste asks first; a short one lands in the input.
printf 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n' >"$T/paste"
TM load-buffer "$T/paste"
TM paste-buffer -p -t 0
ui_expect "paste 7 lines\? \(y/n\)" "long paste asks"
ui_keys y
ui_expect "seven$" "paste accepted into the input"
ui_keys C-u C-h C-u C-h C-u C-h C-u C-h C-u C-h C-u C-h C-u
ui_expect "^›$" "input emptied"
# CR LF line breaks (text from Windows, a web page) paste as one each.
printf 'crlf one\r\ncrlf two\r\ncrlf three' >"$T/paste"
TM load-buffer "$T/paste"
TM paste-buffer -p -r -t 0
ui_expect "^  crlf three$" "a CR LF paste lands"
ui_screen >"$T/s"
grep -A1 "^› crlf one$" "$T/s" | grep -q "^  crlf two$" && ok "CR LF is one line break" ||
	{ fail "CR LF doubled the line breaks"; sed 's/^/  | /' "$T/s"; }
ui_keys C-u C-h C-u C-h C-u
ui_expect "^›$" "input emptied again"
# A paste over the limit is dropped whole: its rest is not taken as
# typed keys (its newlines would send its lines, a /command would run).
awk 'BEGIN { s = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; for (i = 0; i < 11000; i++) printf "%s", s; printf "\n/budget on\nTAIL OF THE PASTE\n" }' >"$T/paste"
TM load-buffer "$T/paste"
TM paste-buffer -p -t 0
ui_expect "the paste is too long for one message" "a paste over the limit is refused" 20
# A key typed after it is read after all of it: once it shows, the paste
# has been handled whole (no sleep to guess at).
ui_type "zzmark"
ui_expect "^› zzmark$" "the input holds only what was typed after the paste" 20
ui_expect_not "TAIL OF THE PASTE|BUDGET" "and nothing of the paste is typed or run"
ui_keys C-u
ui_expect "^›$" "the input emptied"

# Resize: the bars follow the window, nothing is left behind (with the
# popup open: it is laid out again).
ui_keys F1
TM resize-window -t 0 -x 60 -y 18
ui_expect "F1 keys · /help *$" "status bar after shrinking"
ui_screen >"$T/small"
rows=$(wc -l <"$T/small")
width=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$T/small")
[ "$rows" -le 18 ] && ok "18 rows after resize" || fail "rows after resize: $rows"
head -1 "$T/small" | grep -q "^ mixchat · " && ok "title on top after resize" || fail "title after resize"
tail -1 "$T/small" | grep -q "^›" && ok "input at the bottom after resize" || fail "input after resize"
TM resize-window -t 0 -x 120 -y 40
ui_expect "F1 keys · /help *$" "status bar after growing"
ui_screen >"$T/big"
head -1 "$T/big" | grep -q "^ mixchat · " && ok "title after growing" || fail "title after growing"
[ "$(grep -c 'F1 keys · /help' "$T/big")" -eq 1 ] && ok "one status bar" || fail "status bar twice after resize"

ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "Ctrl-D quits with 0" || fail "Ctrl-D exit status: $(cat "$T/exit" 2>/dev/null)"

# /quit, and a theme and a key map that do not load.
mkdir -p "$H/themes" "$H/keys"
printf 'title white blue\nstatus pink black\n' >"$H/themes/broken.theme"
printf 'F2 budget\nM-9 rate 9\n' >"$H/keys/broken.keys"
printf '{ "theme": "broken", "keys": "broken" }\n' >"$H/config.json"
ui_start -- --home "$H"
ui_expect "themes/broken.theme:2: status: unknown colour 'pink'" "bad theme named with file:line"
ui_expect "keys/broken.keys:2: rate" "bad key map named with file:line"
ui_keys F2
ui_expect " BUDGET " "default keys in use after a bad key map"
ui_type "/theme light"; ui_keys Enter
ui_expect "theme: light" "/theme switches"
ui_type "/theme nosuch"; ui_keys Enter
ui_expect "no theme named 'nosuch'" "/theme with an unknown name is named"
ui_expect "; still light$" "and the theme in use is kept"
ui_type "/whyy"; ui_keys Enter
ui_expect "unknown command /whyy: did you mean /why\?" "a command typo gets the nearest name"
ui_type "/quit now please"; ui_keys Enter
ui_expect "/quit takes nothing after it" "/quit with words after it does not quit"
ui_type "/quit"; ui_keys Enter
[ "$(ui_exit_status)" = 0 ] && ok "/quit exits with 0" || fail "/quit exit status"
rm "$H/config.json"

# A map with only the keys to change (no send, no quit) would lock the
# user in: refused, said, and the default keys work.
printf 'M-x budget\n' >"$H/keys/mine.keys"
printf '{ "keys": "mine" }\n' >"$H/config.json"
ui_start -- --home "$H"
ui_expect "keys/mine.keys: no key sends the message \(send\)" "a map without send is named"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "the default keys work (Ctrl-D quits)" || fail "locked in by a partial key map"
rm "$H/config.json"

# A map that moves the help key and quit: the hints name the keys it binds.
sed -e 's/^F1 /F3 /' -e 's/^C-d /C-q /' "${MIXCHAT_SRCDIR:-.}/keys/default.keys" >"$H/keys/moved.keys"
printf '{ "keys": "moved" }\n' >"$H/config.json"
ui_start -- --home "$H"
ui_expect "F3 keys · /help" "the status bar names the map's help key"
ui_expect "F3 lists the keys, /help the commands" "so does the welcome"
ui_expect "Ctrl-Q quits" "and its quit key"
ui_expect_not "F1 " "F1, bound to nothing, is named nowhere"
ui_type "/help"; ui_keys Enter
ui_expect "/help +this list;  F3 lists the keys" "/help names it too"
ui_type "q"
ui_keys C-q
rm "$H/config.json"

# NO_COLOR: attributes only, no colour escapes.
ui_start NO_COLOR=1 -- --home "$H"
ui_expect "F1 keys" "NO_COLOR screen"
ui_screen -e >"$T/esc"
if grep -q -E '\[(3[0-7]|4[0-7]|9[0-7]|38;5;[0-9]+|48;5;[0-9]+)m' "$T/esc"; then
	fail "NO_COLOR: colours drawn"; else ok "NO_COLOR: no colours"; fi
ui_keys C-d

# vi keys: Esc to normal mode, then j/k and i.
printf '{ "keys": "vi" }\n' >"$H/config.json"
ui_start -- --home "$H"
ui_expect " INSERT " "vi map starts in insert mode"
ui_keys Escape
ui_expect " NORMAL " "Esc: normal mode"
ui_type "x"
ui_expect "^›$" "normal mode: x does not type"
ui_keys i; ui_type "abc"
ui_expect "^› abc$" "i: insert again"
# ':' starts a /command and sets the message being written aside; it is
# back once the command has run, or when the command is given up.
ui_type " my careful draft"
ui_keys Escape
ui_expect " NORMAL " "Esc again"
ui_type ":"
ui_expect "^› /$" "':' starts a /command"
ui_type "budget"; ui_keys Enter
ui_expect "budget mode off" "the command ran"
ui_expect "^› abc my careful draft$" "and the message is back"
ui_keys Escape
ui_expect " NORMAL " "normal mode"
ui_type ":"
ui_expect "^› /$" "':' again"
ui_keys Escape
ui_expect "^› abc my careful draft$" "given up: the message is back"
# ':' then Backspace: the input looks empty, yet Ctrl-D there brings the
# message back rather than quit and lose it.  (Given up with Esc above:
# in normal mode already; a second Esc would make ':' an Alt-:.)
ui_expect " NORMAL " "normal mode once more"
ui_type ":"
ui_expect "^› /$" "':' once more"
ui_keys BSpace
ui_expect "^›$" "the '/' deleted"
ui_keys C-d
ui_expect "^› abc my careful draft$" "Ctrl-D brings the set-aside message back, not quit"
ui_keys C-d
finish
