#!/bin/sh
# build.sh - set up, build, and run mixchat or its tests on Debian.
#
#   sh build.sh run [ARGS]   install what is missing, build, start mixchat
#   sh build.sh test         install what is missing (with the test tools),
#                            build, run the whole suite twice (plain, and
#                            under ASan+UBSan), check the release tarball
#                            (make distcheck); last line: N passed, N failed
#   sh build.sh build        install what is missing and build only
#
# Needs root (or sudo) only when a Debian package has to be installed.
# Builds go to build/ and build-asan/ beside this script.
set -eu

here=$(pwd)
top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

build_pkgs="gcc make autoconf automake pkg-config xz-utils ca-certificates \
libncurses-dev libcurl4-openssl-dev libsodium-dev libcjson-dev liblmdb-dev"
test_pkgs="tmux clang lmdb-utils libclang-rt-14-dev ncurses-term jq"

say() { printf '%s\n' "build.sh: $*" >&2; }

install_missing() {
	missing=""
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >&2
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >&2
}

configure_tree() { # configure_tree DIR [CONFIGURE ARGS]
	dir=$1; shift
	if [ ! -x configure ] || [ configure.ac -nt configure ] ||
		[ Makefile.am -nt Makefile.in ]; then
		say "autoreconf"
		autoreconf -fi >&2
	fi
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/Makefile" ] ||
		[ "$(cat "$dir/.args" 2>/dev/null)" != "$*" ]; then
		say "configure $dir $*"
		(cd "$dir" && "$top/configure" -q "$@" >&2)
		printf '%s' "$*" >"$dir/.args"
	fi
	say "make -C $dir"
	make -s -C "$dir" -j"$jobs" >&2
}

# count LOGFILE: add the automake summary of a test run to the totals.
passed=0
failed=0
count() {
	p=$(sed -n 's/^# PASS: *//p' "$1" | head -n 1)
	f=$(sed -n 's/^# FAIL: *//p' "$1" | head -n 1)
	e=$(sed -n 's/^# ERROR: *//p' "$1" | head -n 1)
	x=$(sed -n 's/^# XPASS: *//p' "$1" | head -n 1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${e:-0} + ${x:-0}))
}

run_suite() { # run_suite DIR NAME
	say "make check in $1 ($2)"
	if ! make -s -C "$1" -j"$jobs" check >"$1/check.out" 2>&1; then
		grep -E '^(FAIL|ERROR|XPASS):' "$1/check.out" >&2 || true
		for log in $(grep -lE '^(FAIL|ERROR)' $(find "$1" -name '*.log' \
			! -name test-suite.log) 2>/dev/null); do
			say "---- $log"; tail -n 40 "$log" >&2
		done
	fi
	if [ -f "$1/test-suite.log" ]; then
		count "$1/test-suite.log"
		sed -n 's/^# \(TOTAL\|PASS\|SKIP\|FAIL\|ERROR\):/  \1:/p' \
			"$1/test-suite.log" | head -n 5 | tr '\n' ' ' >&2
		printf '(%s)\n' "$2" >&2
	else
		failed=$((failed + 1))
		say "$2: the suite did not run"
	fi
}

mode=${1:-run}
[ $# -gt 0 ] && shift
case "$mode" in
run)
	install_missing $build_pkgs
	configure_tree build
	# From where it was typed: relative paths in ARGS (--config, an
	# import's FILE) and /export's default folder are the caller's.
	cd "$here" || exit 1
	exec "$top/build/mixchat" "$@"
	;;
build)
	install_missing $build_pkgs
	configure_tree build
	;;
test)
	install_missing $build_pkgs $test_pkgs
	configure_tree build --enable-werror
	run_suite build "plain build"
	configure_tree build-asan --enable-werror --enable-asan
	run_suite build-asan "ASan+UBSan build"
	say "make distcheck"
	# With the jobs the suites had: its build and check run in
	# sub-makes, which take them from the job server.
	if make -s -C build -j"$jobs" distcheck >build/distcheck.out 2>&1; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		tail -n 30 build/distcheck.out >&2
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	;;
*)
	say "usage: sh build.sh run [ARGS] | test | build"
	exit 2
	;;
esac
