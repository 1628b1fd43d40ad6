#!/usr/bin/env bash
# Mechanical checks of the house rules: the pure layers include no netfilter
# library, kernel header or upper layer; every C file is clang-format clean.
set -u
cd "$(dirname "$0")/.."
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
files=$(git ls-files '*.c' '*.h'; git ls-files --others --exclude-standard '*.c' '*.h')
for f in $files; do
	[ -f "$f" ] || continue
	clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || {
		echo "lint: not clang-format clean: $f (run: make format)"
		fail=1
	}
done
if [ $fail -eq 0 ]; then echo "lint: 1 passed, 0 failed"; else echo "lint: 0 passed, 1 failed"; fi
exit $fail
