#!/usr/bin/env bash
# run.sh: run every namespace lab test (tests/integration/[0-9]*.sh) against
# the real kernel, print PASS/FAIL per test, end with "N passed, N failed"
# and exit non-zero if any failed. Needs root, CTADVISOR and TOOLS (set by
# `make check-integration`). A test's output is shown only when it fails,
# or always with VERBOSE=1.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${CTADVISOR:?set CTADVISOR to the ctadvisor binary}"
: "${TOOLS:?set TOOLS to the build/tools directory}"
export CTADVISOR TOOLS

# Commands the labs need, with the Debian package that provides each. A
# missing one fails every test (a lab that cannot be built is a failure).
missing=""
for need in ip:iproute2 nft:nftables conntrack:conntrack jq:jq nsenter:util-linux \
	timeout:coreutils sysctl:procps awk:mawk strace:strace setpriv:util-linux; do
	command -v "${need%%:*}" >/dev/null 2>&1 || missing+=" ${need%%:*} (Debian package ${need#*:})"
done

# Labs change knobs of the initial namespace (nf_conntrack_max, buckets), so
# two runs at once (two checkouts) would break each other: one at a time.
exec 9>"${CTAD_INTEGRATION_LOCK:-/run/lock/ctadvisor-integration.lock}"
flock 9

# INTEGRATION_TESTS="01-counts 31-flush" runs only those.
tests=()
for t in "$here"/[0-9]*.sh; do
	name=$(basename "$t" .sh)
	if [[ -n "${INTEGRATION_TESTS:-}" && " $INTEGRATION_TESTS " != *" $name "* ]]; then
		continue
	fi
	tests+=("$t")
done
if [[ ${#tests[@]} -eq 0 ]]; then
	echo "no integration test matches INTEGRATION_TESTS='${INTEGRATION_TESTS:-}'"
	echo "0 passed, 1 failed"
	exit 1
fi

passed=0
failed=0
log=$(mktemp /tmp/ctad-integration.XXXXXX)
recap=$(mktemp /tmp/ctad-integration-recap.XXXXXX)
trap 'rm -f "$log" "$recap"' EXIT

for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	if [[ -n "$missing" ]]; then
		echo "missing commands:$missing" >"$log"
		rc=1
	elif [[ $(id -u) -ne 0 ]]; then
		echo "root is required to build network namespace labs" >"$log"
		rc=1
	elif [[ ! -x "$CTADVISOR" ]]; then
		echo "no executable ctadvisor at $CTADVISOR" >"$log"
		rc=1
	else
		bash "$t" >"$log" 2>&1
		rc=$?
	fi
	if ((rc == 0)); then
		passed=$((passed + 1))
		echo "PASS $name"
		[[ "${VERBOSE:-0}" == 1 ]] && sed 's/^/    /' "$log"
	else
		failed=$((failed + 1))
		echo "FAIL $name (exit $rc)"
		sed 's/^/    /' "$log"
		# The failed assertions again at the end, where a truncated CI log
		# still shows them.
		{
			echo "FAIL $name (exit $rc):"
			grep -E '^(FAIL|error)\b' "$log" | head -n 20 | sed 's/^/    /'
		} >>"$recap"
	fi
done
if [[ -s "$recap" ]]; then
	echo "--- failed tests and their failed assertions"
	cat "$recap"
fi
echo "$passed passed, $failed failed"
((failed == 0))
