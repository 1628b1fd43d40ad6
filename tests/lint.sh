#!/usr/bin/env bash
# Mechanical checks of the house rules: the pure layers include no netfilter
# library, kernel header or upper layer; every C file is clang-format clean
# (git lists the files; no git, no clang-format or no file listed is a failure).
set -u
cd "$(dirname "$0")/.." || exit 1
fail=0
bad=$(grep -nE '#include[[:space:]]*[<"](libmnl|libnetfilter|linux/|jansson|.*advisor/|.*sysctl/)' \
	rules/*.[ch] logparse/*.[ch] 2>/dev/null)
if [ -n "$bad" ]; then
	echo "lint: a pure layer (rules/, logparse/) includes a forbidden header:"
	echo "$bad"
	fail=1
fi
bad=$(grep -nE '\b(printf|fprintf|puts|fputs|exit|getenv)\(' rules/*.c logparse/*.c 2>/dev/null)
if [ -n "$bad" ]; then
	echo "lint: a pure layer prints, exits or reads the environment:"
	echo "$bad"
	fail=1
fi
# The format check needs git (the file list) and clang-format; without either
# it would check nothing, so a missing one fails the lint.
missing=""
command -v git >/dev/null 2>&1 || missing="$missing git"
command -v clang-format >/dev/null 2>&1 || missing="$missing clang-format"
if [ -n "$missing" ]; then
	echo "lint: FAIL: missing$missing, so no file can be format-checked" \
		"(install:$missing; scripts/quickstart.sh test does)"
	fail=1
elif ! files=$(git ls-files '*.c' '*.h' && git ls-files --others --exclude-standard '*.c' '*.h'); then
	echo "lint: FAIL: git ls-files failed in $(pwd): run the lint from a git checkout of ctadvisor"
	fail=1
else
	checked=0
	for f in $files; do
		[ -f "$f" ] || continue
		checked=$((checked + 1))
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || {
			echo "lint: not clang-format clean: $f (run: make format)"
			fail=1
		}
	done
	if [ "$checked" -eq 0 ]; then
		echo "lint: FAIL: git lists no .c/.h file in $(pwd), so nothing was format-checked:" \
			"run the lint from a git checkout of ctadvisor"
		fail=1
	else
		echo "lint: $checked C files format-checked"
	fi
fi
if [ $fail -eq 0 ]; then echo "lint: 1 passed, 0 failed"; else echo "lint: 0 passed, 1 failed"; fi
exit $fail
