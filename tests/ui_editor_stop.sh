# ui_editor_stop.sh - Ctrl-Z inside the external editor (Alt-E) stops the
# whole job, the chat with it, as a shell user expects; after `fg` the
# editor has the terminal until it exits, and only then does the chat draw
# again (curses' own SIGTSTP handler used to redraw the chat over the
# editor on SIGCONT).  An interactive bash in tmux is the shell with job
# control; a script stands for the editor: it stops its job (as vim's
# Ctrl-Z does), then, continued, takes two seconds and saves.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"
. "${MIXCHAT_SRCDIR:-.}/tests/ui_lib.sh"
command -v bash >/dev/null 2>&1 || { echo "SKIP: bash is not installed"; exit 77; }

cat >"$T/ed.sh" <<'EOF2'
#!/bin/sh
kill -TSTP 0
sleep 2
echo "from the stopped editor" >"$1"
EOF2
chmod +x "$T/ed.sh"
mkdir -p "$T/home"
TM new-session -d -x 100 -y 30 \
    "env -i PATH=/usr/bin:/bin HOME='$T' TERM=xterm-256color LANG=C.UTF-8 PS1='SHELL\$ ' bash --norc --noprofile -i"
ui_expect "SHELL\\$" "an interactive shell"
ui_type "EDITOR='$T/ed.sh' MIXCHAT_HOME='$T/home' '$MC'"
ui_keys Enter
ui_expect "F1 keys" "the chat, started from it"
ui_type "my draft"
ui_keys M-e
ui_expect "Stopped" "the editor's Ctrl-Z stops the job: the shell says so"
ui_type "fg"
ui_keys Enter
sleep 0.8
ui_screen >"$T/screen"
if grep -q "F1 keys" "$T/screen"; then
	fail "after fg the chat drew over the running editor"
	sed 's/^/  | /' "$T/screen"
else
	ok "after fg the editor keeps the terminal"
fi
ui_expect "^› from the stopped editor$" "once it ends, the chat has what it saved" 6
ui_keys C-u
ui_type "/quit"
ui_keys Enter
ui_expect "SHELL\\$ *$" "and the chat ends to the shell"
finish
