#!/usr/bin/env bash
# 52-promtool: `promtool check metrics` (Prometheus' own linter: exposition
# syntax, naming conventions, _total on counters, HELP on every family)
# accepts real `check --format prometheus` output from a lab namespace with
# TCP and UDP flows, both from stdout and from the --output file; and the
# samples say what the kernel says.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
source "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || die "promtool missing (Debian package prometheus)"
N=5
M=7
lab_netns CLI pcli
lab_netns SRV psrv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.52.1/24
lab_addr "$SRV" v1 10.213.52.2/24
lab_ct_enable "$SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 || die "cannot raise udp timeout"
lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.52.2 5001
wait_line tcpsrv listening
lab_bg "$CLI" tcpcli "$TOOLS/tcp_hold" client 10.213.52.2 5001 "$N"
wait_line tcpcli ready
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.52.2 9999 "$M" 30000 "$M" >/dev/null || die "udp_send failed"
wait_for "$N ESTABLISHED entries" ct_has "$SRV" ESTABLISHED "$N"
wait_for "$M UNREPLIED entries" ct_has "$SRV" UNREPLIED "$M"

run_check --netns "$SRV" --format prometheus
cp "$LAB_TMP/check.out" "$LAB_TMP/stdout.prom"
rc=0
promtool check metrics <"$LAB_TMP/stdout.prom" >"$LAB_TMP/promtool.out" 2>&1 || rc=$?
assert_eq "promtool check metrics (stdout) exit status" 0 "$rc"
assert_eq "promtool check metrics (stdout) complaints" "" "$(cat "$LAB_TMP/promtool.out")"

run_check --netns "$SRV" --format prometheus --output "$LAB_TMP/out.prom"
assert_eq "--output: nothing on stdout" "" "$(cat "$LAB_TMP/check.out")"
rc=0
promtool check metrics <"$LAB_TMP/out.prom" >"$LAB_TMP/promtool.out" 2>&1 || rc=$?
assert_eq "promtool check metrics (--output file) exit status" 0 "$rc"
assert_eq "promtool check metrics (--output file) complaints" "" "$(cat "$LAB_TMP/promtool.out")"

# Counters are *_total counters, one family per kernel counter.
assert_eq "counter families without _total" "" \
	"$(awk '$1 == "#" && $2 == "TYPE" && $4 == "counter" && $3 !~ /_total$/ { print $3 }' "$LAB_TMP/out.prom")"
assert_ge "ctadvisor_conntrack_stat_*_total families" 5 \
	"$(grep -c '^# TYPE ctadvisor_conntrack_stat_[a-z0-9_]*_total counter$' "$LAB_TMP/out.prom")"
assert_eq "metrics without the ctadvisor_ prefix" "" \
	"$(grep -v '^#' "$LAB_TMP/out.prom" | grep -v '^ctadvisor_' || true)"
sample() { awk -v n="$1" '$1 ~ "^"n"\\{" { print $2 }' "$LAB_TMP/out.prom"; }
assert_eq "ctadvisor_conntrack_entries vs conntrack -C" "$(in_ns "$SRV" conntrack -C)" \
	"$(sample ctadvisor_conntrack_entries)"
assert_eq "ctadvisor_conntrack_walk_unreplied_entries" "$M" \
	"$(sample ctadvisor_conntrack_walk_unreplied_entries)"
assert_eq "insert counter summed vs conntrack -S" "$(truth_stat "$SRV" insert)" \
	"$(awk '/^ctadvisor_conntrack_stat_insert_total\{/ { s += $2 } END { print s + 0 }' "$LAB_TMP/out.prom")"

lab_finish
