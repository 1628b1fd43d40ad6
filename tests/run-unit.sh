#!/usr/bin/env bash
# Run cmocka unit test binaries (from the repo root, for fixtures and goldens).
# VALGRIND=1 runs each under valgrind with leak checking. The last line is
# "N passed, N failed", counting individual tests.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0 bad_bins=()
for bin in "$@"; do
	log=$(mktemp)
	if [ "${VALGRIND:-0}" = 1 ]; then
		valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect \
			--errors-for-leak-kinds=definite,indirect "$bin" >"$log" 2>&1
	else
		"$bin" >"$log" 2>&1
	fi
	rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n1)
	rm -f "$log"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ]; then
		bad_bins+=("$bin (exit $rc)")
		[ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
	fi
done
for b in "${bad_bins[@]+"${bad_bins[@]}"}"; do echo "FAILED: $b"; done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#bad_bins[@]} -eq 0 ]
