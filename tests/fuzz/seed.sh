#!/usr/bin/env bash
# Regenerate the committed seed corpora (tests/fuzz/corpus/<target>/) from
# the unit tests' own inputs and tests/fixtures/: each unit test is rebuilt
# with its parser renamed to a recording wrapper (seed_shim.c), run, and the
# recorded inputs are minimised with libFuzzer's -merge=1 into the corpus.
# Run tests/fuzz/run.sh once first (it builds the harnesses). Review the diff.
set -u
cd "$(dirname "$0")/../.." || exit 1
OUT=${FUZZ_BUILD:-build-fuzz}
RAW=$OUT/seed-raw
CC=${SEED_CC:-cc}
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O0 -DCTADVISOR_VERSION=\"seed\" $(pkg-config --cflags libmnl jansson)"
rm -rf "$RAW"
mkdir -p "$RAW"

# record GROUP TEST "DEFINES" "SOURCES" "LIBS": run tests/unit/LAYER/TEST recording
# (linked, as make check links it, with the shared helpers of tests/unit/common/).
record() {
	local group=$1 test=$2 defs=$3 srcs=$4 libs=$5 d src
	mkdir -p "$RAW/$group"
	src=$(ls tests/unit/*/"$test.c") || return 1
	# shellcheck disable=SC2086
	$CC $CFLAGS $defs -c -o "$OUT/seed-$test.o" "$src" || return 1
	# shellcheck disable=SC2086
	$CC $CFLAGS -DSEED_"$(echo "$group" | tr '[:lower:]' '[:upper:]')" -o "$OUT/seed-$test" "$OUT/seed-$test.o" \
		tests/fuzz/seed_shim.c tests/unit/common/*.c $srcs $libs -lcmocka -lm || return 1
	d=$(mktemp -d)
	(SEED_OUT=$PWD/$RAW/$group "$OUT/seed-$test" >/dev/null 2>&1)
	rm -rf "$d"
}

LP=$(ls logparse/*.c)
CLI="cli/cli.c cli/size.c analysis/range.c"
record logparse_line test_logparse_line "-Dlogparse_line=seed_logparse_line" "$LP" ""
record logparse_nflog test_logparse_nflog "-Dlogparse_nflog=seed_logparse_nflog" "$LP" ""
for t in test_nl_ct test_nl_ct_bad; do
	record nl_ct "$t" "-Dnl_ct_decode=seed_nl_ct_decode -Dnl_ct_decode_nat=seed_nl_ct_decode_nat" \
		"tests/unit/nl/ct_msgs.c nl/nl_ct.c nl/nl_ct_decode.c analysis/walk_agg.c rules/snapshot.c" -lmnl
done
NAT_SRCS="$(ls nl/nl_ct.c nl/nl_ct_decode.c analysis/nat*.c analysis/walk_agg.c collect/fileio.c render/render_nat.c \
	render/escape.c render/jsonw.c rules/*.c)"
for t in test_nat_decode test_nat_lab; do
	record nl_ct "$t" "-Dnl_ct_decode=seed_nl_ct_decode -Dnl_ct_decode_nat=seed_nl_ct_decode_nat" \
		"$NAT_SRCS" "-lmnl -ljansson"
done
record nl_stats test_nl_stats \
	"-Dnl_stats_decode_global=seed_nl_stats_decode_global -Dnl_stats_decode_cpu=seed_nl_stats_decode_cpu" \
	"nl/nl_stats.c rules/snapshot.c" -lmnl
record procstat test_procstat "-Dprocstat_parse=seed_procstat_parse" collect/procstat.c ""
record sysctl test_sysctl "-Dsysctl_parse_i64=seed_sysctl_parse_i64" \
	"tests/unit/sysctl/sysctl_tree.c sysctl/sysctl.c sysctl/sysctl_write.c" ""
record cli test_cli "$(for f in pct u64 format duration_ms log_proto color; do
	printf -- '-Dcli_parse_%s=seed_cli_parse_%s ' $f $f; done)" "$CLI" ""
record cli test_size "-Dcli_parse_size=seed_cli_parse_size" "$CLI" ""
record cli test_range "-Drange_parse=seed_range_parse" "$CLI" ""
record nl_nflog test_nl_nflog "-Dnl_nflog_decode=seed_nl_nflog_decode" \
	"nl/nl_nflog.c $LP" "-lmnl -lnetfilter_log"
record flush test_flush "-Dflush_decode=seed_flush_decode" \
	"nl/flush_decode.c nl/nl_ct_decode.c analysis/flush.c analysis/ruleset.c" "-lmnl -ljansson"
record undo test_undo "-Dundo_load=seed_undo_load" \
	"tests/unit/sysctl/sysctl_tree.c $(ls sysctl/*.c)" -ljansson

# Fixture lines for the line parser; runs of 12 lines (top-K byte first) for the aggregator.
mkdir -p "$RAW/logparse_agg"
for f in tests/fixtures/logparse/*.log; do
	n=0
	while IFS= read -r line || [ -n "$line" ]; do
		n=$((n + 1))
		printf '%s' "$line" >"$RAW/logparse_line/fixture-$(basename "$f" .log)-$n"
	done <"$f"
	split -l 12 -d "$f" "$RAW/logparse_agg/$(basename "$f" .log)-"
	for p in "$RAW/logparse_agg/$(basename "$f" .log)"-*; do
		{ printf '\003'; cat "$p"; } >"$p.k" && rm -f "$p"
	done
done

# Events: the recorded dump messages as NEW and as DESTROY (with timestamps);
# NFLOG messages around the recorded prefixes and packets (seed_nl.c).
mkdir -p "$RAW/nl_events"
$CC $CFLAGS -o "$OUT/seed_nl" tests/fuzz/seed_nl.c -lmnl &&
	"$OUT/seed_nl" events "$RAW/nl_events" "$RAW"/nl_ct/* &&
	"$OUT/seed_nl" nflog "$RAW/nl_nflog" "$RAW"/logparse_nflog/*
# The flush decoder reads the same dump messages as nl_ct.
cp "$RAW"/nl_ct/* "$RAW/flush/"

# Seeds stay small (the unit tests' 1 MiB lines are beyond -max_len anyway).
find "$RAW" -type f -size +4k -delete

# Minimise each into its committed corpus (kept files add coverage).
merge() {
	local t=$1 raw=$2
	[ -x "$OUT/fuzz_$t" ] || { echo "seed: build $OUT/fuzz_$t first (tests/fuzz/run.sh)"; return 1; }
	# Merge into a fresh directory, then swap: a running fuzzer never sees it half-made.
	rm -rf "$OUT/seed-new-$t"
	mkdir -p "$OUT/seed-new-$t"
	"$OUT/fuzz_$t" -merge=1 "$OUT/seed-new-$t" "$raw" >"$OUT/seed-merge-$t.log" 2>&1 || return 1
	rm -rf "tests/fuzz/corpus/$t"
	mv "$OUT/seed-new-$t" "tests/fuzz/corpus/$t"
	echo "seed: $t: $(ls "$raw" | wc -l) recorded, $(ls "tests/fuzz/corpus/$t" | wc -l) kept"
}
merge logparse_line "$RAW/logparse_line"
merge logparse_nflog "$RAW/logparse_nflog"
merge logparse_agg "$RAW/logparse_agg"
merge nl_ct "$RAW/nl_ct"
merge nl_stats_global "$RAW/nl_stats"
merge nl_stats_cpu "$RAW/nl_stats"
merge procstat "$RAW/procstat"
merge sysctl_parse "$RAW/sysctl"
merge cli "$RAW/cli"
merge undo "$RAW/undo"
merge nl_nflog "$RAW/nl_nflog"
merge nl_events "$RAW/nl_events"
merge flush "$RAW/flush"
