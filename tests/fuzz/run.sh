#!/usr/bin/env bash
# Build and run the libFuzzer harnesses (tests/fuzz/fuzz_<target>.c).
# Each harness is compiled together with only the sources it tests into
# build-fuzz/fuzz_<target>; then every input under regressions/<target>/ is
# replayed, and the target is fuzzed for FUZZ_SECONDS (default 60) from the
# committed seeds in corpus/<target>/ (new inputs go to build-fuzz/corpus/,
# the committed corpus is only read). A crash input is written to
# regressions/<target>/ so it is replayed on every later run.
#   FUZZ_SECONDS=600 tests/fuzz/run.sh            all targets, 10 minutes each
#   FUZZ_TARGETS="nl_ct cli" tests/fuzz/run.sh    a subset
#   FUZZ_SECONDS=0 tests/fuzz/run.sh              build and replay only
# The last line is "N passed, N failed" (one per target).
set -u
cd "$(dirname "$0")/../.." || exit 1

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
OUT=${FUZZ_BUILD:-build-fuzz}
CC=${FUZZ_CC:-clang}
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
-fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-function"
PKG_CFLAGS=$(pkg-config --cflags libmnl jansson libnetfilter_log 2>/dev/null)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

LOGPARSE_SRCS=$(ls logparse/*.c)

# target -> sources linked in, libraries, -max_len
target_srcs() {
	case $1 in
	logparse_line | logparse_nflog) echo "$LOGPARSE_SRCS" ;;
	logparse_agg) echo cli/logparse_json.c "$LOGPARSE_SRCS" ;;
	nl_ct) echo nl/nl_ct.c nl/nl_ct_decode.c ;;
	nl_stats_global | nl_stats_cpu) echo nl/nl_stats.c nl/nl_sock.c ;;
	procstat) echo collect/procstat.c ;;
	sysctl_parse) echo sysctl/sysctl.c ;;
	undo) echo sysctl/*.c ;; # the undo module and the sysctl code it writes with
	cli) echo cli/cli.c cli/size.c analysis/range.c ;;
	nl_nflog) echo nl/nl_nflog.c nl/nl_sock.c "$LOGPARSE_SRCS" ;;
	nl_events) echo nl/nl_events.c nl/nl_ct_decode.c nl/nl_sock.c analysis/events.c ;;
	flush) echo nl/flush_decode.c nl/nl_ct_decode.c analysis/flush.c ;;
	esac
}
target_libs() {
	case $1 in
	nl_ct | nl_stats_global | nl_stats_cpu | nl_events) echo -lmnl ;;
	flush) echo -lmnl ;;
	nl_nflog) echo -lmnl -lnetfilter_log ;;
	undo | logparse_agg) echo -ljansson ;;
	cli) echo -lm ;;
	esac
}
target_max_len() {
	case $1 in
	logparse_agg) echo 16384 ;;
	cli | sysctl_parse) echo 256 ;;
	*) echo 4096 ;;
	esac
}

ALL_TARGETS=$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}
passed=0 failed=0 failed_names=()
mkdir -p "$OUT"

fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
	failed_names+=("$1")
}

build() {
	local t=$1
	# shellcheck disable=SC2046,SC2086
	$CC $CFLAGS $PKG_CFLAGS -o "$OUT/fuzz_$t" "tests/fuzz/fuzz_$t.c" $(target_srcs "$t") \
		$(target_libs "$t") >"$OUT/fuzz_$t.build.log" 2>&1
}

# Run every committed crash input once; each must now pass.
replay() {
	local t=$1 dir=tests/fuzz/regressions/$1 files
	files=$(find "$dir" -type f ! -name '.*' ! -name '*.txt' 2>/dev/null | sort)
	[ -z "$files" ] && return 0
	# shellcheck disable=SC2086
	"$OUT/fuzz_$t" -runs=1 $files >"$OUT/fuzz_$t.replay.log" 2>&1
}

fuzz() {
	local t=$1 work=$OUT/corpus/$1 log=$OUT/fuzz_$1.log rc
	mkdir -p "$work" "tests/fuzz/regressions/$t" "tests/fuzz/corpus/$t"
	"$OUT/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -max_len="$(target_max_len "$t")" \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="tests/fuzz/regressions/$t/" \
		"$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	local runs cov ft corp
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
	corp=$(grep -oE 'corp: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
	printf '%-16s %ss: %s execs, cov %s, ft %s, corpus %s\n' "$t" "$FUZZ_SECONDS" \
		"${runs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
	return $rc
}

for t in $TARGETS; do
	if [ ! -f "tests/fuzz/fuzz_$t.c" ]; then
		fail "$t" "no tests/fuzz/fuzz_$t.c"
		continue
	fi
	if ! build "$t"; then
		cat "$OUT/fuzz_$t.build.log"
		fail "$t" "build failed"
		continue
	fi
	if ! replay "$t"; then
		tail -n 40 "$OUT/fuzz_$t.replay.log"
		fail "$t" "a regression input crashes (tests/fuzz/regressions/$t/)"
		continue
	fi
	if [ "$FUZZ_SECONDS" -gt 0 ] && ! fuzz "$t"; then
		if grep -q 'Test unit written to' "$OUT/fuzz_$t.log"; then
			grep -A40 -m1 -E '^==[0-9]+==ERROR|runtime error|invariant failed|deadly signal' \
				"$OUT/fuzz_$t.log"
			grep -E 'Test unit written to' "$OUT/fuzz_$t.log"
			fail "$t" "fuzzing found a crash (input saved under tests/fuzz/regressions/$t/)"
		else
			tail -n 20 "$OUT/fuzz_$t.log"
			fail "$t" "libFuzzer failed without a crash input (log: $OUT/fuzz_$t.log)"
		fi
		continue
	fi
	passed=$((passed + 1))
done
for n in "${failed_names[@]+"${failed_names[@]}"}"; do echo "FAILED: $n"; done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
