# ui_glyphs.sh - the ASCII marks, as a user on a Linux console or a CJK
# terminal meets them (and /glyphs, which switches them in a running chat): with "glyphs": "ascii" (or, by default, when
# LC_ALL / LC_CTYPE / LANG do not say UTF-8) every mark mixchat draws
# itself - title and status separators, the prompt, a reply's footer and
# stars, an error line, a quote's bar, a list bullet, a table's rules, the
# popup frame - is plain ASCII, and the layout holds; the replies' own
# text is left alone; a bad value is named.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"

cat >"$T/script.json" <<'EOF2'
[
  {"prompt_contains": "markdown", "reply": "Intro:\n\n> quoted line\n\n- first item\n- second item\n\n| col | val |\n|---|---|\n| a | 1 |\n"},
  {"prompt_contains": "unicode", "reply": "caf\u00e9 \u00b7 na\u00efve \u2192 ok"},
  {"prompt_contains": "broken", "status": 500},
  {"prompt_contains": "haystack", "reply": "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty the needle is here twenty-one twenty-two twenty-three twenty-four twenty-five twenty-six twenty-seven twenty-eight twenty-nine thirty thirty-one thirty-two thirty-three"}
]
EOF2
ui_start_mock "$T/script.json"
H=$T/home
write_config "$H"
# all_ascii WHAT: no byte of the screen is outside ASCII.
all_ascii() {
	ui_screen >"$T/screen"
	if LC_ALL=C grep -q -P '[^\x00-\x7f]' "$T/screen"; then
		fail "$1: the screen has non-ASCII marks"
		LC_ALL=C grep -n -P '[^\x00-\x7f]' "$T/screen" | sed 's/^/  | /'
	else ok "$1"; fi
}

# 1. "glyphs": "ascii" in a UTF-8 locale.
sed -i 's/^{$/{\n  "glyphs": "ascii",/' "$H/config.json"
ui_start -- --home "$H"
ui_expect "F1 keys \| /help" "status bar: ASCII separator"
ui_expect "^> *$" "the prompt is >"
send "show me markdown"
ui_expect "^ +\| quoted line" "a quote's bar is |"
ui_expect "^ +\* first item" "a list bullet is *"
ui_expect "^ +col \| val" "a table's column rule is |"
ui_expect "^ +----\+----" "a table's header rule is -+-"
ui_keys M-4
ui_expect "tok/s \| \*\*\*\*- 4/5" "the footer: | between fields, ****- for 4/5"
ui_expect "^ mixchat \| show me markdown \| balanced" "title bar"
send "this is broken"
ui_expect "^ +! mock returned HTTP 500" "an error line starts with !"
all_ascii "the whole screen is ASCII"
ui_keys F1
ui_expect "\+- Keys -+\+" "the popup's frame is +, - and |"
ui_expect "Up/Down PgUp PgDn \| Esc or q closes -+\+" "the popup says how to scroll, in ASCII"
all_ascii "the popup is ASCII"
ui_type "q"
# /search marks the text it leaves out of a snippet in the set's own way.
send "a haystack please"
ui_expect "twenty-nine thirty" "a long reply"
send "/search needle"
ui_expect "reply: +\.\.\. ?[a-z -]*the needle is here[a-z -]*\.\.\.$" "/search: a cut snippet's ends are ..."
all_ascii "the search results are ASCII"
# A draft taller than the input: rows above and below what is shown are
# marked (< and v; a 20-line paste looked 8 lines long).
seq 1 20 | sed 's/^/row /' >"$T/paste20"
TM load-buffer "$T/paste20"
TM paste-buffer -p -t 0
ui_expect "paste 20 lines\? \(y/n\)" "a 20-line paste is asked about"
ui_type "y"
ui_expect "^  row 20$" "pasted, the cursor at its end: nothing below"
ui_keys Up Up Up Up Up Up Up Up Up Up
ui_expect "^< row [0-9]+$" "rows above are marked <"
ui_expect "^v +row [0-9]+$" "rows below are marked v"
ui_keys C-u
i=0; while [ $i -lt 20 ]; do ui_keys BSpace C-u; i=$((i + 1)); done
ui_expect "^> *$" "the draft emptied"
# A reply's own characters are not touched.
send "unicode please"
ui_expect "café · naïve → ok" "a reply keeps its Unicode"
# A file is Markdown, not a screen: /export and `mixchat export` keep the
# Unicode marks.
send "/export $T/conv.md"
ui_expect "conversation written to .*conv.md" "/export writes the file"
ui_keys C-d
[ "$(ui_exit_status)" = 0 ] && ok "Ctrl-D quits" || fail "exit status $(ui_exit_status)"
expect_grep "$T/conv.md" "· \$0\.[0-9]* · .* tok" "/export: the footers keep their ·"
if grep -q " | \$0\.\| | no reply" "$T/conv.md"; then
	fail "/export wrote the ASCII marks: $(grep -n ' | ' "$T/conv.md" | head -3)"
else ok "/export: no ASCII separators"; fi
expect_exit 0 "mixchat export in ASCII mode" -- env LC_ALL=C "$MC" --home "$H" export
expect_grep "$T/out" "· no reply (" "export: a failed reply's footer keeps its ·"

# 2. The default, "auto": ASCII when the environment does not say UTF-8,
# Unicode when it does.
sed -i '/"glyphs"/d' "$H/config.json"
# `mixchat stats` on a terminal, "glyphs" left to "auto": its uncertainty
# column follows the locale.
expect_exit 0 "stats in a C locale" -- env LC_ALL=C "$MC" --home "$H" stats
expect_grep "$T/out" "^mid .* +-0\.[0-9][0-9]$" "stats: +- before the uncertainty in ASCII"
expect_exit 0 "stats in a UTF-8 locale" -- env LC_ALL=C.UTF-8 "$MC" --home "$H" stats
expect_grep "$T/out" "^mid .* ±0\.[0-9][0-9]$" "stats: ± before the uncertainty in Unicode"
ui_start LC_ALL= LC_CTYPE= LANG=C -- --home "$H"
ui_expect "F1 keys \| /help" "LANG=C: ASCII marks by default"
all_ascii "LANG=C: nothing but ASCII on the screen"
ui_keys C-d
ui_start -- --home "$H"
ui_expect "F1 keys · /help" "a UTF-8 locale: the Unicode marks"
ui_expect "^› *$" "a UTF-8 locale: the prompt is ›"
# /glyphs switches while the chat runs, replies already on screen too.
send "show me markdown again"
ui_expect "^ +• first item" "Unicode bullets"
send "/glyphs ascii"
ui_expect "marks in ASCII for this session" "/glyphs ascii says so"
ui_expect "^ +\* first item" "/glyphs ascii: the reply on screen is laid out again"
ui_expect "tok/s$" "its footer"
ui_expect "^ +[a-z]+ \| [$]0\.[0-9]+ \| " "/glyphs ascii: its footer's separators"
ui_expect "F1 keys \| /help" "/glyphs ascii: the status bar"
send "/glyphs"
ui_expect "marks in Unicode for this session" "/glyphs alone switches back"
ui_expect "^ +• first item" "Unicode again"
send "/glyphs fancy"
ui_expect "/glyphs: 'fancy'\? use /glyphs ascii or /glyphs unicode" "/glyphs names a bad word"
ui_keys C-d

# 3. A bad value is named, and nothing starts.
sed -i 's/^{$/{\n  "glyphs": "fancy",/' "$H/config.json"
expect_exit 1 "\"glyphs\": \"fancy\" is refused" -- "$MC" --home "$H" route hello
expect_grep "$T/err" 'glyphs.*expected "auto", "unicode" or "ascii"' "the error names the field and the choices"
sed -i '/"glyphs"/d' "$H/config.json"

# 4. A popup over double-width text: its edges never cut a character in
# two.  Two lines one column apart, so that one edge or the other falls
# inside a character; with the popup open every row has both borders, and
# when it closes the text is whole again (curses once kept the cut
# character and the border both: a border went missing, and a character
# stayed blank after the popup closed).
ui_start -- --home "$H"
ui_expect "F1 keys" "the chat again"
W="日本のテキストと絵文字がきちんと表示されるかどうかを確かめるための長い行です"
send "$W"
ui_expect "mock reply to: 日本" "a line of double-width text"
send "a$W"
ui_expect "mock reply to: a日本" "the same, one column over"
ui_screen >"$T/before"
ui_keys F1
ui_expect "┌─ Keys" "the key list is open"
ui_screen >"$T/open"
rows=$(sed -n '/┌─ Keys/,/┘/p' "$T/open" | wc -l)
bad=$(sed -n '/┌─ Keys/,/┘/p' "$T/open" | grep -v -c '[│┌└].*[│┐┘]')
[ "$rows" -gt 10 ] && [ "$bad" = 0 ] && ok "every row of the popup has both its borders ($rows rows)" ||
	{ fail "$bad of $rows popup rows lack a border"; sed -n "/┌─ Keys/,/┘/p" "$T/open" | grep -v "[│┌└].*[│┐┘]" | sed "s/^/  | /"; }
ui_keys Escape
sleep 0.4
ui_screen >"$T/after"
if cmp -s "$T/before" "$T/after"; then ok "closing it leaves the text whole"; else
	fail "the screen after the popup closed differs"; diff "$T/before" "$T/after" | sed 's/^/  | /'; fi
ui_keys C-d
finish
