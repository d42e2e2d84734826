# ui_notices.sh - the notice line uses the width it has: a long notice
# wraps to two or three rows when the pane can spare them, and is cut only
# when it truly does not fit, with a mark that /notices has the rest.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

# A model the provider does not have, with a long name: its 404 notice is
# about 240 columns ("mock has no model NAME: the router asks it only when
# no other model fits ("enabled": false in config.json takes it out)").
ghost=ghost-$(awk 'BEGIN { for (i = 0; i < 12; i++) printf "longname%d-", i }')end
cat >"$T/script.json" <<EOF2
[ {"model": "$ghost", "status": 404} ]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"
sed -i 's/^  "models": \[$/  "models": [\n    { "id": "'"$ghost"'", "provider": "mock", "price": [0, 0], "prior": "gpt-4-1106-preview" },/' "$H/config.json"

# notice_rows: the notice line's rows (" ! " and the rows under it),
# joined with their indent cut, into $T/notice.
notice_rows() {
	ui_screen >"$T/screen"
	awk '/^ ! / { on = 1; sub(/^ ! /, ""); printf "%s", $0; next }
	     on && /^   [^ ]/ { sub(/^   /, ""); printf "%s", $0; next }
	     on { exit }' "$T/screen" >"$T/notice"
	grep -c -e '^ ! ' -e '^   [^ ]' "$T/screen" >/dev/null
}

ui_start -- --home "$H"
ui_expect "F1 keys" "chat screen"
send "first question"
ui_expect "mock answered HTTP 404 for model" "the long-named model was asked and failed"
ui_expect "^ ! mock has no model ghost-" "its notice on the notice line"

# 1. 100 columns: three rows hold it, whole, with no cut mark.
ui_expect "^   .*config.json takes it out\)$" "at 100 columns the notice's end is on screen"
notice_rows
if tr -d ' ' <"$T/notice" | grep -q "^mockhasnomodel$ghost:theroutera.*takesitout)$"; then
	ok "the rows hold the whole notice"
else fail "the notice rows: $(cat "$T/notice")"; sed 's/^/  | /' "$T/screen"; fi
ui_expect_not "/notices\)" "no mark when nothing was cut"
[ "$(grep -c -e '^ ! ' -e '^   [^ ]' "$T/screen")" -le 3 ] && ok "three rows at most" ||
	{ fail "notice rows"; sed 's/^/  | /' "$T/screen"; }

# 2. Wide: fewer rows, the whole notice still.
TM resize-window -t 0 -x 250 -y 30
ui_expect "^ ! mock has no model ghost-.*config.json takes it out\)$" "at 250 columns it is one row"

# 3. 60 columns: three rows do not hold it: cut, and the mark says
# /notices has the rest.
TM resize-window -t 0 -x 60 -y 30
ui_expect "^   .*… *\(rest: /notices\)$" "at 60 columns it is cut, with a mark that /notices has the rest"
ui_expect_not "takes it out\)$" "and its end is not on the notice line"
screen_rows=$(grep -c -e '^ ! ' -e '^   [^ ]' "$T/screen")
[ "$screen_rows" -eq 3 ] && ok "three rows before it is cut" ||
	{ fail "cut notice: $screen_rows rows"; sed 's/^/  | /' "$T/screen"; }
[ "$(LC_ALL=C.UTF-8 wc -L <"$T/screen")" -le 60 ] && ok "nothing wider than the window" ||
	fail "too wide: $(LC_ALL=C.UTF-8 wc -L <"$T/screen")"

# 4. A short pane: one row, cut and marked.
TM resize-window -t 0 -x 100 -y 9
ui_expect "^ ! mock has no model ghost-.*… *\(rest: /notices\)$" "a short pane: one row, cut and marked"
TM resize-window -t 0 -x 100 -y 30

# 5. /notices has all of it.
send "/notices"
ui_expect "┌─ Notices" "/notices opens"
ui_expect "takes it out\)" "/notices shows the notice's end"
ui_keys Escape
ui_expect_not "^ ! " "the notice line is dismissed"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "quit" || fail "quit status"
finish
