#!/usr/bin/env bash
# The whole suite, as CI runs it (root, real kernel): lint, unit tests,
# integration tests, the same two again built with ASan+UBSan, the unit
# tests under valgrind, clang-tidy and cppcheck, the Debian package (built,
# linted, installed, run, purged: tests/package.sh), and every fuzz target for
# FUZZ_SECONDS (60). Each step's "N passed, N failed" line is added up into
# the last line.
set -u
cd "$(dirname "$0")/.." || exit 1
jobs=$(nproc)
total_pass=0 total_fail=0 failed_steps=()

step() {
	local name=$1
	shift
	echo "=== $name"
	local log
	log=$(mktemp)
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '([0-9]+) passed, ([0-9]+) failed' "$log" | tail -n1)
	rm -f "$log"
	local p f
	p=$(echo "$line" | sed -nE 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\2/p')
	f=$(echo "$line" | sed -nE 's/^(.*[^0-9])?([0-9]+) passed, ([0-9]+) failed.*/\3/p')
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	[ "$rc" -eq 0 ] || failed_steps+=("$name")
}

build() {
	make -s -j"$jobs" "$@" && echo "build: 1 passed, 0 failed"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "run-all: the integration tests need root (namespaces, netlink): run with sudo" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

step lint tests/lint.sh
step lint-selftest tests/lint-selftest.sh
step build build all
step unit make -s -j"$jobs" check
step integration make -s check-integration
step asan-build build asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
step asan-unit make -s check BUILD=build-asan SAN=1 OPT=-O1
step asan-integration make -s check-integration BUILD=build-asan SAN=1 OPT=-O1
unset ASAN_OPTIONS UBSAN_OPTIONS
step valgrind make -s valgrind
step static make -s static
step package tests/package.sh
step fuzz make -s fuzz

for s in "${failed_steps[@]+"${failed_steps[@]}"}"; do echo "FAILED STEP: $s"; done
echo "$total_pass passed, $total_fail failed"
[ ${#failed_steps[@]} -eq 0 ]
