# ui_files.sh - the user's own theme and key-map files: every bad line is
# named at once (not one per restart), the good lines are in use, the
# start-up problems are in /notices too, a key bound twice names the line
# it overrides, and /theme lists the user's themes beside the built-in
# ones.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

H=$T/home
mkdir -p "$H/themes" "$H/keys"
printf 'title white blue\nstatus pink black\nfooter red\nbogus red blue\ninput red default blink\n' \
    >"$H/themes/mine.theme"
cp "$MIXCHAT_SRCDIR/keys/default.keys" "$H/keys/mine.keys"
printf 'F13 budget\nF3 frobnicate\nF4 budget\n' >>"$H/keys/mine.keys"
nk=$(wc -l <"$H/keys/mine.keys")
printf '{ "theme": "mine", "keys": "mine" }\n' >"$H/config.json"

ui_start -- --home "$H"
ui_expect "themes/mine.theme:2: status: unknown colour 'pink'" "theme: the first bad line"
ui_expect "themes/mine.theme:3: expected" "theme: the second, at the same start"
ui_expect "themes/mine.theme:4: unknown element 'bogus'" "theme: the third"
ui_expect "themes/mine.theme:5: input: unknown attribute 'blink'" "theme: the fourth"
ui_expect "rest of the theme is in use" "theme: the good lines in use"
ui_expect "keys/mine.keys:$((nk - 2)): unknown key 'F13'" "keys: the first bad line"
ui_expect "keys/mine.keys:$((nk - 1)): unknown action 'frobnicate'" "keys: the second"
ui_expect "rest of the key map is in use" "keys: the good lines in use"
ui_keys F4
ui_expect " BUDGET " "a good line after the bad ones is in effect"
ui_type "/notices"; ui_keys Enter
ui_expect "Notices" "/notices opens"
ui_expect "theme: .*mine.theme:5: input: unknown attribute" "/notices: the theme's bad lines"
ui_expect "keys: .*mine.keys:$((nk - 2)): unknown key 'F13'" "/notices: the key map's bad lines"
ui_keys Escape
ui_expect_not "Notices \(oldest" "closed (a key right after Esc would be an Alt key)"
ui_type "/theme"; ui_keys Enter
ui_expect "built in: .*; yours: mine;" "/theme lists the user's own themes"
ui_keys C-d
ui_exit_status >/dev/null

# C-d bound twice: the line that took quit away is named.
printf 'Enter send\nC-d quit\nF2 budget\nC-d redraw\n' >"$H/keys/mine.keys"
ui_start -- --home "$H"
ui_expect "mine.keys:4: C-d was bound to quit on line 2" "a key bound twice names the line before"
ui_expect "no key quits \(quit\)" "and why the map is not used"
ui_keys C-d
finish
