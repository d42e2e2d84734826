# ui_theme_bg.sh - a theme's own background (the `background` element):
# light.theme is light on a dark terminal too.  Every cell of the screen
# (blank rows of the chat, the rest of a reply's line, the input line, a
# popup's margin) carries the theme's background, not the terminal's; a
# live /theme switch leaves no cell of the old one; 8- and 16-colour
# terminals get the nearest colours; bad background lines are named.
#
# The cells are read with `capture-pane -e -N` under TERM=screen-256color
# (tmux's own default TERM is screen): without back-colour-erase curses
# writes every blank cell, so capture-pane has its colour.  (On an xterm
# curses clears with the colour set instead, which capture-pane does not
# keep.)
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"

# bg_rows [fg]: each screen row as runs of background colours, "ROW: BGxN
# ..." (BG: d for the terminal's default, else 0..255), in $T/bg; with fg,
# the foreground colours of the characters that are not blank, in $T/fg.
bg_rows() {
	sleep 0.3
	TM capture-pane -p -e -N -t 0 | LC_ALL=C awk -v what="${1:-bg}" '
	BEGIN { bg = fg = "d"; row = 0 }
	{
		line = $0; n = length(line); i = 1; out = ""; cur = ""; cnt = 0
		while (i <= n) {
			c = substr(line, i, 1)
			if (c == "\033" && substr(line, i + 1, 1) == "[") {
				j = i + 2
				while (j <= n && substr(line, j, 1) !~ /[@-~]/) j++
				if (substr(line, j, 1) == "m") {
					np = split(substr(line, i + 2, j - i - 2), p, ";")
					if (np == 0) { np = 1; p[1] = "0" }
					for (k = 1; k <= np; k++) {
						v = p[k] + 0
						if (p[k] == "" || v == 0) bg = fg = "d"
						else if (v == 49) bg = "d"
						else if (v == 39) fg = "d"
						else if (v == 38 && p[k + 1] == 5) { fg = p[k + 2] + 0; k += 2 }
						else if (v == 38) k += 4
						else if (v >= 30 && v <= 37) fg = v - 30
						else if (v >= 90 && v <= 97) fg = v - 82
						else if (v == 48 && p[k + 1] == 5) { bg = p[k + 2] + 0; k += 2 }
						else if (v >= 40 && v <= 47) bg = v - 40
						else if (v >= 100 && v <= 107) bg = v - 92
					}
				}
				i = j + 1
				continue
			}
			i++
			if (c >= "\200" && c < "\300") continue # UTF-8 continuation
			if (what == "fg" && c == " ") continue
			col = what == "fg" ? fg : bg
			if (col "" == cur "") cnt++
			else { if (cnt > 0) out = out " " cur "x" cnt; cur = col; cnt = 1 }
		}
		if (cnt > 0) out = out " " cur "x" cnt
		print row ":" out
		row++
	}' >"$T/${1:-bg}"
}
# bg_row ROW RUNS DESCRIPTION [fg]: row ROW is exactly RUNS ("231x100", a
# grep -E pattern).
bg_row() {
	if grep -q -x -E "$1: ?$2" "$T/${4:-bg}"; then ok "$3"; else
		fail "$3: row $1 is '$(grep "^$1:" "$T/${4:-bg}")', want '$2'"; fi
}
# bg_none BG DESCRIPTION: no cell of the screen has background BG.
bg_none() {
	if grep -q " $1x" "$T/bg"; then
		fail "$3"; grep " $1x" "$T/bg" | sed 's/^/  | /' | head -8
	else ok "$2"; fi
}
# bg_full DESCRIPTION: every row is 100 cells (all drawn, none left out).
bg_full() {
	bad=$(awk '{ s = 0; for (i = 2; i <= NF; i++) { split($i, r, "x"); s += r[2] }
	    if (s != 100) print $1 s }' "$T/bg")
	[ -z "$bad" ] && ok "$1" || fail "$1: rows (row:cells) $bad"
}
# row_of PATTERN: the screen row (0-based) showing PATTERN.
row_of() { ui_screen | grep -n -E -e "$1" | head -n 1 | awk -F: '{ print $1 - 1 }'; }

# 1. The default theme, then /theme light on the same screen.
ui_start TERM=screen-256color -- --home "$H"
ui_expect "F1 keys" "up, in the default theme"
send "hello there"
ui_expect "mock reply to: hello there" "a reply"
ui_expect " tok" "its footer"
bg_rows
# (curses clears it with the terminal's colours: no cell written)
bg_row 12 "(dx100)?" "default theme: a blank row is the terminal's own"
send "/theme light"
ui_expect "theme: light" "/theme light"
bg_rows
bg_full "light: every cell of every row drawn"
bg_none d "light: no cell left with the terminal's background" \
    "light: cells with the terminal's background"
bg_row 0 "25x100" "light: the title bar"
bg_row 12 "231x100" "light: a blank row of the chat is the theme's white"
bg_row 29 "231x100" "light: the input line too"
bg_row 28 "252x100" "light: the status bar its grey"
r=$(row_of "mock reply to: hello there")
bg_row "$r" "231x100" "light: a reply's line, gutter, text and the rest of it"
r=$(row_of " you hello there")
bg_row "$r" "231x100" "light: the you label and the message"
bg_rows fg
bg_row "$r" "25x3 235x10" "light: you in blue, the message dark grey" fg
r=$(row_of "mock reply to: hello there")
bg_row "$r" "235x22" "light: the reply's text is its dark grey" fg

# A popup and its margin.
ui_keys F1
ui_expect "┌─ Keys ─" "the keys popup"
bg_rows
bg_none d "light popup: no cell with the terminal's background" \
    "light popup: cells with the terminal's background"
r=$(row_of "┌─ Keys ─")
bg_row "$((r + 1))" "231x100" "light popup: a row across it, margins and frame"
ui_keys Escape
ui_expect_not "┌─ Keys" "closed"

# Back to the default theme: nothing of the light one left.
send "/theme default"
ui_expect "theme: default" "/theme default"
bg_rows
bg_none 231 "default again: no stripe of the light background left" \
    "default again: light background left in"
bg_row 12 "(dx100)?" "default again: a blank row is the terminal's"

# solarized-dark: its base03 under everything.
send "/theme solarized-dark"
ui_expect "theme: solarized-dark" "/theme solarized-dark"
bg_rows
bg_none d "solarized-dark: no cell with the terminal's background" \
    "solarized-dark: cells with the terminal's background"
bg_row 12 "234x100" "solarized-dark: a blank row is base03"
bg_row 29 "234x100" "solarized-dark: the input line too"
ui_keys C-d
ui_exit_status >/dev/null

# 2. Fewer colours: light from the config at start, on 8 colours (tmux's
# TERM=screen) and on 16.
sed 's/^{$/{ "theme": "light",/' "$H/config.json" >"$T/c" && mv "$T/c" "$H/config.json"
ui_start TERM=screen -- --home "$H"
ui_expect "F1 keys" "up, light on 8 colours"
bg_rows
bg_full "8 colours: every row drawn"
bg_none d "8 colours: no cell with the terminal's background" \
    "8 colours: cells with the terminal's background"
bg_row 12 "7x100" "8 colours: a blank row is white"
bg_row 0 "4x100" "8 colours: the title bar is blue"
TM capture-pane -p -e -t 0 | grep "mixchat 0.1" | grep -q -E '\[(0;)?30m' &&
	ok "8 colours: text is black" ||
	fail "8 colours: text colour: $(TM capture-pane -p -e -t 0 | grep 'mixchat 0.1' | cat -v)"
ui_keys C-d
ui_exit_status >/dev/null
ui_start TERM=screen-16color -- --home "$H"
ui_expect "F1 keys" "up, light on 16 colours"
bg_rows
bg_none d "16 colours: no cell with the terminal's background" \
    "16 colours: cells with the terminal's background"
bg_row 12 "15x100" "16 colours: a blank row is bright white"
ui_keys C-d
ui_exit_status >/dev/null

# 3. A theme of your own: its background line is in use, and every bad
# line is named (a background with attributes, with an unknown colour).
mkdir -p "$H/themes"
printf 'background colour18 colour230\nbogus red blue\nbackground red blue bold\nbackground nosuch blue\nreply default default\n' \
    >"$H/themes/mine.theme"
sed 's/"theme": "light"/"theme": "mine"/' "$H/config.json" >"$T/c" && mv "$T/c" "$H/config.json"
ui_start TERM=screen-256color -- --home "$H"
ui_expect "themes/mine.theme:2: unknown element 'bogus'" "mine: a bad line named"
ui_expect "themes/mine.theme:3: background: colours only \(no attributes\)" \
    "mine: a background with an attribute named"
ui_expect "themes/mine.theme:4: background: unknown colour 'nosuch'" \
    "mine: a background with an unknown colour named"
ui_expect "rest of the theme is in use" "mine: the good lines in use"
bg_rows
bg_row 12 "230x100" "mine: a blank row is its background"
bg_row 29 "230x100" "mine: the input line (default) is its background"
ui_keys C-d
ui_exit_status >/dev/null
finish
