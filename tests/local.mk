# Shell scenarios (tmux's regress/ style): the real binary, as a user runs it.
TESTS += tests/cli_basics.sh tests/app_ask.sh tests/app_budget.sh tests/learning.sh \
	tests/vault_chat.sh
EXTRA_DIST += tests/lib.sh tests/cli_basics.sh tests/app_ask.sh tests/app_budget.sh tests/learning.sh \
	tests/vault_chat.sh
# cli_unix.sh: signals, failed writes, closed pipes, --session before a command.
TESTS += tests/cli_unix.sh
EXTRA_DIST += tests/cli_unix.sh
# cli_sessions.sh: `mixchat sessions` (list, --all, --json, rm, rename).
TESTS += tests/cli_sessions.sh
EXTRA_DIST += tests/cli_sessions.sh
