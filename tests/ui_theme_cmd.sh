# ui_theme_cmd.sh - /theme NAME lasts for the session and says so (and
# which config.json field keeps it); a restart is back to the config's
# theme.  A theme name with a typo or in capitals (/theme Light) names the
# theme meant, and so does a misspelt colour, element or attribute in a
# theme file.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

# Wide: each message on one row.
UI_COLS=250
ui_start_mock
H=$T/home
write_config "$H"
sed 's/^{$/{ "reading_width": 0,/' "$H/config.json" >"$T/c" && mv "$T/c" "$H/config.json"

ui_start TERM=screen-256color -- --home "$H"
ui_expect "F1 keys" "up"
send "/theme light"
ui_expect 'theme: light for this session; set "theme": "light" in config.json to' \
    "/theme light: for this session, and the config field that keeps it"
send "/theme Light"
ui_expect "no theme named 'Light'" "/theme Light: no such theme"
ui_expect "still light. Did you mean /theme light\?" "/theme Light: did you mean light"
send "/theme solarised-dark"
ui_expect "Did you mean /theme solarized-dark\?" "/theme solarised-dark: did you mean solarized-dark"
send "/theme nothinglike"
ui_expect "no theme named 'nothinglike'" "/theme nothinglike: no such theme"
ui_expect_not "nothinglike.*Did you mean" "/theme nothinglike: no guess"
send "/theme default"
ui_expect "theme: default$" "/theme default (the config's): no hint"
ui_expect_not "theme: default for this" "/theme default: not 'for this session'"
send "/theme light"
ui_expect "theme: light for this session" "light again"
ui_keys C-d
ui_exit_status >/dev/null

# A restart: the config's theme, default.
ui_start TERM=screen-256color -- --home "$H"
ui_expect "F1 keys" "up again"
send "/theme"
ui_expect "theme: default  \(built in" "after a restart: the config's theme (default)"
ui_keys C-d
ui_exit_status >/dev/null

# A theme file with misspelt words: each named with the word meant.
mkdir -p "$H/themes"
printf 'reply bleu default\nfooter Bright-Black default\nfootr red default\nnote red default blod\nstatus pink black\n' \
    >"$H/themes/mine.theme"
ui_start TERM=screen-256color -- --home "$H"
ui_expect "F1 keys" "up with a theme of one's own"
send "/theme mine"
ui_expect "mine.theme:1: reply: unknown colour 'bleu': did you mean 'blue'\?" \
    "a colour 'bleu': did you mean 'blue'"
ui_expect "mine.theme:2: footer: unknown colour 'Bright-Black': did you mean 'bright-black'\?" \
    "a colour in capitals: did you mean it in small letters"
ui_expect "mine.theme:3: unknown element 'footr': did you mean 'footer'\?" \
    "an element 'footr': did you mean 'footer'"
ui_expect "mine.theme:4: note: unknown attribute 'blod': did you mean 'bold'\?" \
    "an attribute 'blod': did you mean 'bold'"
ui_expect "mine.theme:5: status: unknown colour 'pink' \(a name" \
    "a colour like none: no guess"
ui_keys C-d
ui_exit_status >/dev/null
finish
