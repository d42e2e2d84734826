# cli_basics.sh - --version, --help, usage errors, the chat without a tty.
. "${MIXCHAT_SRCDIR:-.}/tests/lib.sh"

expect_exit 0 "--version" -- "$MC" --version
expect_grep "$T/out" "^mixchat [0-9]" "--version prints the version"

expect_exit 0 "--help" -- "$MC" --help
for cmd in ask route rate ratings keys train eval stats export; do
	expect_grep "$T/out" "^  $cmd" "--help lists $cmd"
done
# --help says where this mixchat keeps its files (here, with --home), and
# creates nothing.
expect_exit 0 "--home DIR --help" -- "$MC" --home "$T/h" --help
expect_grep "$T/out" "^Here: the config is $T/h/config.json;$" "--help names the config file in use"
expect_grep "$T/out" "key vault are in $T/h\.$" "and the data folder"
[ -e "$T/h" ] && fail "--help created $T/h" || ok "and creates nothing"
HOME=$T/u XDG_CONFIG_HOME= XDG_DATA_HOME=$T/xdg MIXCHAT_HOME= expect_exit 0 "--help with XDG_DATA_HOME" -- "$MC" --help
expect_grep "$T/out" "^Here: the config is $T/u/.config/mixchat/config.json;$" "the config under HOME"
expect_grep "$T/out" "key vault are in $T/xdg/mixchat\.$" "the data under XDG_DATA_HOME"
# chat --help: the chat's own usage (it was a usage error pointing at
# itself); another word after chat is one, pointing at mixchat --help.
expect_exit 0 "chat --help" -- "$MC" chat --help
expect_grep "$T/out" "^Usage: mixchat \[chat\] \[-s|--session N|NAME|last|new\]" "its usage"
expect_exit 2 "chat --bogus" -- "$MC" chat --bogus
expect_grep "$T/err" "Try 'mixchat --help'" "points at mixchat --help"
# Every command answers --help with its usage, on stdout, exit 0; what a
# command's --help lists, the global --help lists too.
for cmd in ask route rate ratings keys train eval stats export; do
	expect_exit 0 "$cmd --help" -- "$MC" --home "$T/help" $cmd --help
	expect_grep "$T/out" "^Usage: mixchat $cmd" "$cmd --help prints its usage"
done
# A command's --help explains each option of its usage, one line each.
for c in "ask --model" "ask --budget" "ask --session" "ask --json" "route --budget" "route --explain" "route --json" "stats --json" "export --format" "ratings import" "ratings export" \
	"keys add" "keys list" "keys remove" "keys passwd" "keys --names-only" "keys --passphrase-fd" \
	"train --data" "train --split" "train --source" "train --no-tags" "train --no-exemplars" "train --no-trees" "train --out" "train --format" \
	"eval --data" "eval --ref" "eval --source" "eval --online" "eval --lambda" "eval --validate" "eval --json"; do
	"$MC" --home "$T/help" ${c%% *} --help >"$T/out" 2>&1
	grep -q -e "^  .*${c#* } .*[a-z]" "$T/out" && ok "${c%% *} --help explains ${c#* }" ||
		fail "${c%% *} --help does not explain ${c#* }: $(cat "$T/out")"
done
# Each says what its exit status means.
for cmd in ask route train eval keys rate ratings stats export; do
	"$MC" --home "$T/help" $cmd --help >"$T/out" 2>&1
	grep -q "Exit status: 0" "$T/out" && ok "$cmd --help gives its exit status" ||
		fail "$cmd --help lacks its exit status: $(cat "$T/out")"
done
# ... as the README and the code have them.
"$MC" rate --help >"$T/out"
expect_grep "$T/out" "1 no such reply" "rate --help: 1 for no such reply"
expect_grep "$T/out" "a reply that never came" "rate --help: 2 for a refused reply"
"$MC" ratings --help >"$T/out"
expect_grep "$T/out" "^2 usage, or a bad line of FILE (named FILE:LINE: FIELD" "ratings --help: 2 for a bad line"
"$MC" export --help >"$T/out"
expect_grep "$T/out" "1 no conversation yet, SESSION names none" "export --help: 1 when there is no conversation"
# A usage error points to the command's own --help.
"$MC" ask --bogus x 2>"$T/err" </dev/null
expect_grep "$T/err" "^Try 'mixchat ask --help' for more information.$" "a usage error names the command's --help"
"$MC" --help >"$T/global"
for opt in --source --no-tags --out --format --lambda --validate --names-only; do
	grep -q -e "$opt" "$T/global" && ok "--help shows $opt" || fail "--help lacks $opt"
done

expect_exit 2 "unknown command" -- "$MC" frobnicate
expect_grep "$T/err" "'frobnicate' is not a command\.$" "unknown command named"
expect_exit 2 "a command misspelt" -- "$MC" --home "$T/h" stat
expect_grep "$T/err" "'stat' is not a command; did you mean 'stats'?" "did you mean the command"
expect_exit 2 "help misspelt" -- "$MC" --home "$T/h" hlep
expect_grep "$T/err" "'hlep' is not a command; did you mean 'help'?" "did you mean help"
expect_exit 2 "unknown option" -- "$MC" --frob
expect_grep "$T/err" "--frob" "unknown option named"
expect_exit 2 "--home without a value" -- "$MC" --home
expect_grep "$T/err" "^mixchat: --home needs a value$" "a missing value names the long option"
expect_exit 2 "--version with a value" -- "$MC" --version=3
expect_grep "$T/err" "^mixchat: --version takes no value$" "a value where none is taken is said so"
expect_exit 2 "unknown short option" -- "$MC" -x
expect_grep "$T/err" "^mixchat: -x: unknown option$" "an unknown short option named as typed"
# A command's option without its value is said so, not "unknown".
for c in "ask --model" "ask --session" "route --frob" "eval --data" "train --split"; do
	expect_exit 2 "$c" -- "$MC" $c
done
"$MC" ask --model 2>"$T/err" </dev/null
expect_grep "$T/err" "^mixchat ask: option '--model' needs a value$" "ask --model: the value is missing"
"$MC" route --frob 2>"$T/err" </dev/null
expect_grep "$T/err" "^mixchat route: unknown option '--frob'$" "route --frob: unknown"
expect_exit 2 "route --budget=1" -- "$MC" route --budget=1 x
expect_grep "$T/err" "^mixchat route: option '--budget' takes no value$" "a switch given a value is said so, not 'unknown'"
# Every command answers -h and --help, wherever it stands.
for c in "ask -h" "eval -h" "route -h" "train -h" "rate last --help" "ratings export --help" "keys list -h" "stats -h" "export -h"; do
	expect_exit 0 "$c" -- "$MC" $c
	expect_grep "$T/out" "^Usage: mixchat ${c%% *} " "$c prints its usage"
done

# A bad config names the file, the line and the field, and exits non-zero.
mkdir -p "$T/home"
printf '{\n  "router": {\n    "mode": "warp"\n  }\n}\n' >"$T/home/config.json"
expect_exit 1 "bad config" -- "$MC" --home "$T/home"
expect_grep "$T/err" "config.json:3: router.mode" "config error names line and field"
rm "$T/home/config.json"
# So do a field given twice, and plain http:// to another computer: at
# load, for every command, not at the first request.
printf '{\n  "max_output_tokens": 100,\n  "max_output_tokens": 200\n}\n' >"$T/home/config.json"
expect_exit 1 "a field given twice" -- "$MC" --home "$T/home" route hello
expect_grep "$T/err" "config.json:3: max_output_tokens: given twice (line 2 and line 3)$" "a field given twice names both lines"
printf '{ "providers": {\n  "mock": { "api": "openai",\n    "base_url": "http://10.0.0.1:8080/v1", "auth": "none" } } }\n' >"$T/home/config.json"
for c in "route hello" stats; do
	expect_exit 1 "$c: plain http:// to another computer" -- "$MC" --home "$T/home" $c
	expect_grep "$T/err" "config.json:3: providers.mock.base_url: plain http:// is only for this computer (127.0.0.1, ::1, localhost): use https://$" "${c%% *}: plain http:// refused at load, with file and line"
done
rm "$T/home/config.json"

# No providers, no terminal: explain how to add one and exit cleanly.
expect_exit 0 "chat without a terminal" -- "$MC" --home "$T/home"
expect_grep "$T/out" "mixchat --home $T/home keys add" "says how to add a provider, for this --home"
MIXCHAT_HOME="$T/home" expect_exit 0 "MIXCHAT_HOME" -- "$MC"
# ... and creates nothing: no folder, no database.
expect_exit 0 "chat without a terminal on a fresh home" -- "$MC" --home "$T/fresh"
[ ! -e "$T/fresh" ] && ok "it created nothing" || fail "it created: $(find "$T/fresh")"
# A model that could answer, and still no terminal: a usage error naming
# what to use instead, and nothing written either.
mkdir -p "$T/local"
printf '{ "providers": { "l": { "api": "openai", "base_url": "http://127.0.0.1:9/v1", "auth": "none" } },\n  "models": [ { "id": "m", "provider": "l", "price": [0, 0] } ] }\n' >"$T/local/config.json"
expect_exit 2 "chat without a terminal, a model set up" -- "$MC" --home "$T/local"
expect_grep "$T/err" "the chat needs a terminal; use .mixchat --home $T/local ask. in scripts" "says to use ask"
[ "$(ls "$T/local")" = "config.json" ] && ok "and wrote nothing" || fail "it wrote: $(ls "$T/local")"

# Advice to run a command names the --home it was given (typed as printed
# it would add the key to another folder), quoted for the shell.
HS="$T/my home"
expect_exit 0 "keys list on a home with a space" -- "$MC" --home "$HS" keys list
expect_grep "$T/err" "add one with 'mixchat --home '$HS' keys add PROVIDER'" "keys list: the advice names --home, quoted"
# No model set up is a runtime failure (1), not a usage error (2).
expect_exit 1 "ask with nothing set up" -- "$MC" --home "$T/fresh2" ask hello
expect_grep "$T/err" "mixchat --home $T/fresh2 keys add PROVIDER" "ask: the advice names --home"
expect_exit 1 "ask --json with nothing set up" -- "$MC" --home "$T/fresh2" ask --json hello
expect_grep "$T/out" '"error":"no model is set up: ' "ask --json: the error in the object"
# A model config.json names, whose provider's key is missing: that key.
mkdir -p "$T/named"
printf '{ "providers": { "anthropic": { "base_url": "http://127.0.0.1:9" } },\n  "models": [ { "id": "claude-sonnet-4-5" } ] }\n' >"$T/named/config.json"
expect_exit 1 "ask with a named model's key missing" -- "$MC" --home "$T/named" ask hello
expect_grep "$T/err" "no model is set up: the models $T/named/config.json names need a key for anthropic: run .mixchat --home $T/named keys add anthropic." "names the provider whose key to add"
cp "$T/named/config.json" "$T/named/my.json" && rm "$T/named/config.json"
expect_exit 1 "the same with --config" -- "$MC" --home "$T/named" --config "$T/named/my.json" ask hello
expect_grep "$T/err" "the models $T/named/my.json names need a key for anthropic" "names the config file given"
mkdir -p "$T/cfgs" && echo '{}' >"$T/cfgs/empty.json"
expect_exit 1 "ask with --config too" -- "$MC" --home "$T/fresh2" --config "$T/cfgs/empty.json" ask hello
expect_grep "$T/err" "mixchat --home $T/fresh2 --config $T/cfgs/empty.json keys add" "and --config"

# keys passwd on a descriptor that holds only the current passphrase: the
# missing new one is said as such (a usage error), not "write one line"
# (one was written) with the vault's exit 3; nothing is changed.
HK=$T/keys
printf 'pw1\n' >"$T/pw1"
printf 'sk-test-CLIBASICS-0123456789' | MIXCHAT_VAULT_KDF=min setsid -w "$MC" --home "$HK" keys add openai \
	--passphrase-fd 3 3<"$T/pw1" >/dev/null 2>&1 || fail "keys add for the passwd test"
printf 'pw1\n' | MIXCHAT_VAULT_KDF=min setsid -w "$MC" --home "$HK" keys passwd --passphrase-fd 0 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] && ok "passwd with one line: exit 2" || fail "passwd with one line: exit $rc, want 2"
expect_grep "$T/err" "^mixchat: passwd reads two lines from descriptor 0: the current passphrase, then the new one (the new one is missing)$" \
	"passwd says the new passphrase is missing"
expect_no_grep "$T/err" "write one line" "not 'write one line'"
MIXCHAT_VAULT_KDF=min setsid -w "$MC" --home "$HK" keys list --passphrase-fd 3 3<"$T/pw1" >"$T/out" 2>"$T/err" </dev/null &&
	ok "the current passphrase still opens the vault" || fail "after a passwd with one line: $(cat "$T/err")"

finish
