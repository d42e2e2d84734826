#!/bin/sh
# assemble.sh - README.md is made from these fragments, one per subsystem
# (each kept beside the knowledge of whoever owns that subsystem).  Edit a
# fragment, then run: sh docs/readme/assemble.sh
# docs/EVALUATION.md (what the router was measured to do) and
# docs/ARCHITECTURE.md stand beside it, not in it: router.md points to the
# first.  All three are in Makefile.am's EXTRA_DIST.
cd "$(dirname "$0")" || exit 1
for f in ../EVALUATION.md ../ARCHITECTURE.md; do
	[ -f "$f" ] || {
		echo "assemble.sh: docs/${f#../} is missing: the README points to it" >&2
		exit 1
	}
done
for f in 00-intro.md ui.md 20-commands.md 30-config.md 40-learning.md \
	router.md vault.md store.md net.md 90-files.md; do
	cat "$f"
	echo
done | sed '$d' >../../README.md
