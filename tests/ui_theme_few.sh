# ui_theme_few.sh - every built-in theme is readable on 8, 16 and 256
# colours, as a user sees it: tmux's default TERM=screen (8 colours, what
# tmux sets on Debian 12), screen-16color and screen-256color, reading the
# colours of every character on the screen.  After the reduction no text
# is drawn in its background's colour (solarized-dark's base0 on base03
# both become black on 8 colours), none is black on the terminal's own
# background (which may be black: the default theme's bright-black footer
# was black + bold, readable only where bold shows bright), the footer is
# fainter than the reply text (dim where the terminal has no grey), and a
# status bar that melts into the background is reversed.
#
# Cells are read with `capture-pane -e`: runs of characters of one style
# as FG/BG plus B (bold) and D (dim); d is the terminal's default colour.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

ui_start_mock
H=$T/home
write_config "$H"

# cells: the screen as "ROW: STYLE«text» ..." in $T/cells, a run for each
# stretch of characters of one style (blank runs left out).
cells() {
	sleep 0.3
	TM capture-pane -p -e -t 0 | LC_ALL=C awk '
	function flush() {
		t = run; sub(/^ +/, "", t); sub(/ +$/, "", t)
		if (t != "") out = out " " style "«" t "»"
		run = ""
	}
	BEGIN { fg = bg = "d"; b = d = ""; row = 0 }
	{
		line = $0; n = length(line); i = 1; out = ""; run = ""
		style = fg "/" bg b d
		while (i <= n) {
			c = substr(line, i, 1)
			if (c == "\033" && substr(line, i + 1, 1) == "[") {
				j = i + 2
				while (j <= n && substr(line, j, 1) !~ /[@-~]/) j++
				np = split(substr(line, i + 2, j - i - 2), p, ";")
				if (np == 0) { np = 1; p[1] = "0" }
				for (k = 1; k <= np; k++) {
					v = p[k] + 0
					if (p[k] == "" || v == 0) { fg = bg = "d"; b = d = "" }
					else if (v == 1) b = "B"
					else if (v == 2) d = "D"
					else if (v == 22) b = d = ""
					else if (v == 39) fg = "d"
					else if (v == 49) bg = "d"
					else if (v == 38 && p[k + 1] == 5) { fg = p[k + 2] + 0; k += 2 }
					else if (v == 48 && p[k + 1] == 5) { bg = p[k + 2] + 0; k += 2 }
					else if (v >= 30 && v <= 37) fg = v - 30
					else if (v >= 90 && v <= 97) fg = v - 82
					else if (v >= 40 && v <= 47) bg = v - 40
					else if (v >= 100 && v <= 107) bg = v - 92
				}
				i = j + 1
				if (fg "/" bg b d != style) { flush(); style = fg "/" bg b d }
				continue
			}
			run = run c
			i++
		}
		flush()
		print row ":" out
		row++
	}' >"$T/cells"
}
# style_of TEXT: the style of the run holding TEXT (the first).
style_of() {
	grep -o -E "[0-9d]+/[0-9d]+[BD]*«[^»]*$1" "$T/cells" | head -n 1 |
	    sed 's/«.*//'
}
# expect_style TEXT STYLE DESCRIPTION: TEXT is drawn as STYLE (grep -E).
expect_style() {
	s=$(style_of "$1")
	if printf '%s\n' "$s" | grep -q -x -E "$2"; then ok "$3 ($s)"; else
		fail "$3: '$1' is drawn '$s', want '$2'"; sed 's/^/  | /' "$T/cells"; fi
}
# all_readable DESCRIPTION [MAXCOLOUR]: no run of text whose foreground is
# its background, none black on the terminal's own background, and no
# colour above MAXCOLOUR (the terminal's).
all_readable() {
	bad=$(grep -o -E "[0-9d]+/[0-9d]+[BD]*«[^»]*»" "$T/cells" |
	    awk -F'[/«]' -v max="${2:-255}" '{ f = $1; b = $2; sub(/[BD]+$/, "", b)
		if ((f == b && f != "d") || (f == "0" && b == "d") ||
		    (f != "d" && f + 0 > max) || (b != "d" && b + 0 > max)) print }')
	if [ -z "$bad" ]; then ok "$1"; else
		fail "$1: unreadable runs:"; printf '%s\n' "$bad" | sed 's/^/  | /' | head -10; fi
}
# row_style ROW STYLE DESCRIPTION: every run of row ROW is STYLE.
row_style() {
	other=$(grep "^$1:" "$T/cells" | grep -o -E "[0-9d]+/[0-9d]+[BD]*«" |
	    sed 's/«//' | grep -v -x -E "$2")
	if [ -z "$other" ]; then ok "$3"; else
		fail "$3: row $1 has $(echo $other)"; grep "^$1:" "$T/cells" | sed 's/^/  | /'; fi
}

# One terminal: a reply, its footer, a note, in each built-in theme.
# theme THEME: switch to it and read the cells.
theme() {
	send "/theme $1"
	ui_expect "theme: $1" "/theme $1"
	cells
}

# 1. TERM=screen: 8 colours.
ui_start TERM=screen -- --home "$H"
ui_expect "F1 keys" "up on 8 colours (TERM=screen)"
send "hello there"
ui_expect " tok" "a reply and its footer"
cells
all_readable "8, default: every run of text readable" 7
expect_style "mock reply to" "d/d" "8, default: the reply in the terminal's colours"
expect_style "mid · " "d/dD" "8, default: the footer (bright-black) the terminal's text, dim, not black+bold"
expect_style "you hello" "d/dB" "8, default: the you label (blue: too dark on black) the text colour, bold"
expect_style "mixchat 0.1" "6/d" "8, default: a note cyan"
theme solarized-dark
all_readable "8, solarized-dark: every run of text readable" 7
expect_style "mock reply to" "7/0" "8, solarized-dark: the reply white on black, not black on black"
expect_style "mid · " "7/0D" "8, solarized-dark: the footer dim (fainter than the reply)"
expect_style "theme: solarized" "[1-7]/0" "8, solarized-dark: a note readable"
row_style 28 "0/7B?" "8, solarized-dark: the status bar reversed, black on white"
theme light
all_readable "8, light: every run of text readable" 7
expect_style "mock reply to" "0/7" "8, light: the reply black on white"
expect_style "theme: light" "4/7" "8, light: a note blue on white, not cyan"
expect_style "mid · " "0/7D" "8, light: the footer dim, not bold"
row_style 28 "[1-7]/0B?" "8, light: the status bar reversed, on black"
theme mono
all_readable "8, mono: every run of text readable" 7
ui_keys C-d
ui_exit_status >/dev/null

# 2. TERM=screen-16color.
ui_start TERM=screen-16color -- --home "$H"
ui_expect "F1 keys" "up on 16 colours"
send "hello there"
ui_expect " tok" "a reply and its footer"
cells
all_readable "16, default: every run of text readable" 15
expect_style "mid · " "8/d" "16, default: the footer bright-black"
theme solarized-dark
all_readable "16, solarized-dark: every run of text readable" 15
expect_style "mock reply to" "8/0" "16, solarized-dark: the reply grey on black"
expect_style "mid · " "8/0D" "16, solarized-dark: the footer as grey, dim"
row_style 28 "[0-9]+/8B?" "16, solarized-dark: the status bar reversed, on grey"
theme light
all_readable "16, light: every run of text readable" 15
expect_style "mock reply to" "0/15" "16, light: the reply black on white"
expect_style "theme: light" "(8|[0-5])/15" "16, light: a note readable on white, not cyan"
theme mono
all_readable "16, mono: every run of text readable" 15
ui_keys C-d
ui_exit_status >/dev/null

# 3. TERM=screen-256color: the themes as written.  solarized-dark's
# footer (colour242) is dimmer than the reply (colour244), its notes a
# readable violet.
ui_start TERM=screen-256color -- --home "$H"
ui_expect "F1 keys" "up on 256 colours"
send "hello there"
ui_expect " tok" "a reply and its footer"
cells
all_readable "256, default: every run of text readable"
expect_style "mid · " "8/d" "256, default: the footer bright-black"
theme solarized-dark
all_readable "256, solarized-dark: every run of text readable"
expect_style "mock reply to" "244/234" "256, solarized-dark: the reply base0"
expect_style "mid · " "242/234" "256, solarized-dark: the footer dimmer than the reply"
expect_style "theme: solarized" "104/234" "256, solarized-dark: a note a light violet"
theme light
all_readable "256, light: every run of text readable"
expect_style "mock reply to" "235/231" "256, light: the reply as written"
ui_keys C-d
ui_exit_status >/dev/null
finish
