# ui_input.sh - the input line as a daily user meets it, against the mock
# provider: a message recalled with Up and edited keeps the edit while Up
# and Down walk the history (and the draft typed before comes back at the
# bottom) until something is sent; a mistyped /command names the commands
# it may be; a tab takes the chat pane's 4 columns in the input too; a
# wrapped row starts at a word; /models with no provider set up says what
# to do.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"

ui_start -- --home "$H"
ui_expect "type a message" "the chat is up"
for i in 4 5; do
	send "cjk q$i"
	ui_expect "mock reply to: cjk q$i" "reply $i"
done

# 1. An edited message of the history is kept while walking it.
ui_type "half a draft"
ui_keys Up Up
ui_expect "^› cjk q4$" "Up twice recalls the older message"
ui_type " plus my edit"
ui_expect "^› cjk q4 plus my edit$" "the recalled message edited"
ui_keys Down
ui_expect "^› cjk q5$" "Down: the next message"
ui_keys Up
ui_expect "^› cjk q4 plus my edit$" "Up again: the edit is still there"
ui_keys Down Down
ui_expect "^› half a draft$" "at the bottom, the draft typed before the first Up"
ui_keys C-u Up Up
ui_expect "^› cjk q4 plus my edit$" "the edit is kept until something is sent"
ui_keys Enter
ui_expect "mock reply to: cjk q4 plus my edit" "the edited message sent"
ui_keys Up
ui_expect "^› cjk q4 plus my edit$" "Up: what was sent"
ui_keys Up
ui_expect "^› cjk q5$" "the message before it"
ui_keys Up
ui_expect "^› cjk q4$" "sent: the edited message of the history is as it was sent again"
ui_keys Down Down Down C-u
# Several lines: edited, Up and Down go through its lines, then on
# through the history, the edit kept.
ui_type "alpha"; ui_keys M-Enter; ui_type "beta"; ui_keys Enter
ui_expect "mock reply to: alpha" "a message of two lines"
ui_keys Up
ui_expect "^  beta$" "Up recalls it"
ui_type "X"; ui_keys Up; ui_type "Y"
ui_expect "^› alphaY$" "edited on its first line"
ui_expect "^  betaX$" "and on its last"
ui_keys Down Down
ui_expect "^› *$" "Down from the last line: the empty input"
ui_keys Up
ui_expect "^› alphaY$" "Up: the edit kept (first line)"
ui_expect "^  betaX$" "Up: the edit kept (last line)"
ui_keys Up
ui_expect "^› cjk q4 plus my edit$" "Up once more, from the edited message: the one before it"
ui_keys Down
ui_expect "^› alphaY$" "Down: back to the edited message"
ui_keys Down
ui_expect "^› *$" "Down: the bottom"

# 2. A mistyped /command: a unique beginning names its command, an
# ambiguous one each it may be; "/why?" is /why.
send "/ses"
ui_expect "unknown command /ses: did you mean /sessions\?" "/ses: /sessions"
send "/se"
ui_expect "unknown command /se: did you mean /sessions, /search or /select\?" "/se: every command it begins"
send "/mo"
ui_expect "unknown command /mo: did you mean /model, /models or /mouse\?" "/mo: the three"
send "/exp"
ui_expect "unknown command /exp: did you mean /export\?" "/exp: /export (its ! variant is no other command)"
send "/whyy"
ui_expect "unknown command /whyy: did you mean /why\?" "a typo still gets the nearest name"
send "/why?"
ui_expect "Why (cheap|mid|expensive) answered reply" "/why? is /why"
ui_expect_not "unknown command /why\?" "/why? is not unknown"
send "/budget."
ui_expect "spent today: .* budget mode off" "/budget. is /budget"

# 3. A pasted tab is as wide in the input as in the chat pane (4 columns),
# the cursor where it shows; the text keeps its tab.
printf 'tab\there' >"$T/paste"
TM load-buffer "$T/paste"
TM paste-buffer -p -t 0
ui_expect "^› tab    here$" "a tab in the input: 4 columns"
ui_keys Left Left Left Left
sleep 0.3
x=$(TM display-message -p -t 0 '#{cursor_x}')
[ "$x" = 9 ] && ok "the cursor on the character after the tab is where it shows" ||
	fail "the cursor at column $x, the 'h' after the tab at 9"
ui_keys Enter
ui_expect "^ you tab    here$" "in the chat pane: 4 columns too"
ui_expect "mock reply to: tab    here" "the reply"
expect_grep "$MOCK_LOG" 'tab\\\\there' "the tab itself is sent"
# A Tab typed (not pasted) types one too.
ui_type "col1"; ui_keys Tab; ui_type "col2"
ui_expect "^› col1    col2$" "a typed Tab: a tab in the input"
ui_keys Enter
ui_expect "mock reply to: col1    col2" "sent"
expect_grep "$MOCK_LOG" 'col1\\\\tcol2' "with its tab"
# After a /command's start, Tab completes it, as a shell does: one that
# fits whole, with a blank; several listed; a model after /model too.
ui_type "/ses"; ui_keys Tab; ui_type "1"
ui_expect "^› /sessions 1$" "Tab completes /ses to /sessions, and a blank"
ui_keys C-u
ui_type "/se"; ui_keys Tab
ui_expect "/sessions, /search, /select" "several that fit are listed"
ui_expect "^› /se$" "and the input keeps what they share"
ui_keys C-u
ui_type "/model ex"; ui_keys Tab; ui_type "!"
ui_expect "^› /model expensive !$" "Tab completes a model's id after /model"
ui_keys C-u
# And the word other commands take: a theme, on or off, a conversation.
ui_type "/theme sol"; ui_keys Tab; ui_type "!"
ui_expect "^› /theme solarized-dark !$" "Tab completes a theme's name"
ui_keys C-u
ui_type "/mouse o"; ui_keys Tab
ui_expect "on, off" "/mouse: on and off listed"
ui_type "f"; ui_keys Tab; ui_type "!"
ui_expect "^› /mouse off !$" "and completed"
ui_keys C-u
ui_type "/sessions al"; ui_keys Tab; ui_type "!"
ui_expect "^› /sessions all !$" "/sessions all completed"
ui_keys C-u

# 4. At 40 columns (38 for the text), a word that ends on the last column:
# the next row starts at the next word, not at the space between.
TM resize-window -t 0 -x 40 -y 30
sleep 0.3
ui_type "aaaa bbbb cccc dddd eeee ffff gggg hhh enough ok"
ui_expect "^› aaaa bbbb cccc dddd eeee ffff gggg hhh$" "the first row, full to its edge"
ui_expect "^  enough ok$" "the row wrapped starts at the word"
ui_keys C-u
TM resize-window -t 0 -x "${UI_COLS:-100}" -y "${UI_ROWS:-30}"
ui_keys C-d

# 5. With no provider set up, /models says how to add one, not a table's
# header over no row.  (A new tmux server: at the end of the script.)
mkdir -p "$T/bare"
ui_start -- --home "$T/bare"
ui_expect "No provider is set up yet" "no provider: the first screen says so"
send "/models"
ui_expect "/models: no provider is set up yet, so no model can answer" "/models says no model can answer"
ui_expect "and run +mixchat --home [^ ]+ keys add" "and how to add one"
ui_expect "openai\|anthropic\|gemini" "with the catalog's providers"
ui_expect_not "model +provider +\\\$/M in" "no table header"
ui_keys C-d
ui_exit_status >/dev/null
# A model config.json names whose provider has no key: that key, by name.
mkdir -p "$T/named"
printf '{ "providers": { "anthropic": { "base_url": "http://127.0.0.1:9" } },\n  "models": [ { "id": "claude-sonnet-4-5" } ] }\n' >"$T/named/config.json"
ui_start -- --home "$T/named"
ui_expect "names need a key for anthropic, and the" "the first screen names the key to add"
ui_expect "^ +mixchat --home [^ ]+ keys add anthropic$" "and the command"
ui_expect_not "keys add openai" "not another provider's"
ui_keys C-d
ui_exit_status >/dev/null

# Up after a restart: the newest message first, wherever it was typed
# (the history went by conversation number: a message typed into an old
# conversation resumed came back after the newer conversations' ones).
HU=$T/home_up
write_config "$HU"
# Typed in a chat: what `ask` sent is not recalled (ui_sessions.sh).
ui_start -- --home "$HU"
ui_expect "type a message" "a first chat"
send "old one"
ui_expect "mock reply to: old one" "its first conversation"
send "/new"
send "newer two"
ui_expect "mock reply to: newer two" "and a second"
ui_keys C-d
ui_exit_status >/dev/null
ui_start -- --home "$HU"
ui_expect "type a message" "a chat on two conversations"
send "/sessions 1"
ui_expect "mock reply to: old one" "the older conversation resumed"
send "typed last, in conversation 1"
ui_expect "mock reply to: typed last, in conversation 1" "answered there"
ui_keys C-d
ui_exit_status >/dev/null
ui_start -- --home "$HU"
ui_expect "type a message" "started again"
ui_keys Up
ui_expect "^› typed last, in conversation 1 *$" "Up: the message typed last"
ui_keys Up
ui_expect "^› newer two *$" "Up again: the one before it"
ui_keys Up
ui_expect "^› old one *$" "and the oldest"
ui_keys C-d
finish
