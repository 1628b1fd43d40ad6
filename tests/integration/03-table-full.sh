#!/usr/bin/env bash
# 03-table-full: overflow a lab namespace's conntrack table and check that
# `ctadvisor check` exits 2 (CRITICAL) with a "table-full" finding whose
# evidence equals conntrack -S (drop, early_drop summed over CPUs).
#
# nf_conntrack_max is read-only outside the initial namespace, yet every
# namespace's count is compared against it, so the test lowers the GLOBAL
# value for as short a time as it can: to the largest count of any network
# namespace on the machine plus a margin, only while the UDP flood runs.
# The original value is saved first and restored on every path (EXIT trap)
# and the test checks it was restored.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

MARGIN=500   # headroom left to every other namespace while the max is low
EXTRA=300    # flows beyond the lowered max, so the lab table must overflow
MAX_KNOB=net.netfilter.nf_conntrack_max

# Largest conntrack count over every network namespace in use here (those
# of running processes and those pinned under /run/netns).
peak_ct_count()
{
	local p ino c peak=0
	local -A seen=()
	for p in /proc/[0-9]*/ns/net /run/netns/*; do
		ino=$(stat -L -c %i "$p" 2>/dev/null) || continue
		[[ -z "${seen[$ino]:-}" ]] || continue
		seen[$ino]=1
		c=$(nsenter --net="$p" cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null) ||
			continue
		((c > peak)) && peak=$c
	done
	echo "$peak"
}

lab_netns CLI cli
lab_netns LAB lab
lab_veth "$CLI" v0 "$LAB" v1
lab_addr "$CLI" v0 10.213.3.1/24
lab_addr "$LAB" v1 10.213.3.2/24
lab_ct_enable "$LAB"
in_ns "$LAB" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $LAB"

assert_eq "drop before the flood (fresh namespace)" 0 "$(truth_stat "$LAB" drop)"
assert_eq "early_drop before the flood (fresh namespace)" 0 "$(truth_stat "$LAB" early_drop)"

orig_max=$(sysctl -n "$MAX_KNOB") || die "cannot read $MAX_KNOB"
[[ "$orig_max" =~ ^[0-9]+$ ]] || die "unexpected $MAX_KNOB value '$orig_max'"
lab_on_exit "sysctl -qw $MAX_KNOB=$orig_max"
peak=$(peak_ct_count)
low_max=$((peak + MARGIN))
flows=$((low_max + EXTRA))
((orig_max == 0 || low_max < orig_max)) ||
	die "cannot lower $MAX_KNOB=$orig_max below the busiest namespace's count $peak + $MARGIN"
echo "original $MAX_KNOB=$orig_max, busiest namespace count $peak, lowering to $low_max," \
	"sending $flows UDP flows"

# The low window: lower, flood, restore.
sysctl -qw "$MAX_KNOB=$low_max" || die "cannot lower $MAX_KNOB (not the initial namespace?)"
flood_rc=0
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.3.2 40000 "$flows" 20000 1000 >/dev/null ||
	flood_rc=$?
sysctl -qw "$MAX_KNOB=$orig_max" || die "cannot restore $MAX_KNOB=$orig_max"
assert_eq "$MAX_KNOB restored after the flood" "$orig_max" "$(sysctl -n "$MAX_KNOB")"
((flood_rc == 0)) || die "udp_send flood failed (status $flood_rc)"

drop=$(truth_stat "$LAB" drop)
early_drop=$(truth_stat "$LAB" early_drop)
count=$(in_ns "$LAB" conntrack -C)
echo "after the flood: count $count, drop $drop, early_drop $early_drop"
assert_ge "conntrack -S drop + early_drop (lab sanity: the table overflowed)" 1 \
	"$((drop + early_drop))"

run_check --netns "$LAB" --format json
require_json --netns "$LAB" --format json
assert_eq "drop unchanged while ctadvisor ran" "$drop" "$(truth_stat "$LAB" drop)"
assert_eq "early_drop unchanged while ctadvisor ran" "$early_drop" "$(truth_stat "$LAB" early_drop)"

assert_eq "exit status" 2 "$CHECK_RC"
assert_eq "JSON status" CRITICAL "$(check_jq .status)"
assert_eq "JSON exit_code" 2 "$(check_jq .exit_code)"
assert_eq "counters.total.drop vs conntrack -S" "$drop" "$(check_jq .counters.total.drop)"
assert_eq "counters.total.early_drop vs conntrack -S" "$early_drop" \
	"$(check_jq .counters.total.early_drop)"
assert_eq "findings with id table-full" 1 \
	"$(check_jq '[.findings[] | select(.id == "table-full")] | length')"
assert_eq "table-full severity" critical \
	"$(check_jq '.findings[] | select(.id == "table-full") | .severity')"
# Evidence names drop and/or early_drop; each one present must equal the
# kernel's sum, and those that are non-zero in the kernel must be present.
ev_drop=$(check_jq '.findings[] | select(.id == "table-full") | .evidence.drop // "absent"')
ev_early=$(check_jq '.findings[] | select(.id == "table-full") | .evidence.early_drop // "absent"')
if [[ "$ev_drop" == absent && "$ev_early" == absent ]]; then
	fail "table-full evidence: expected drop and/or early_drop, actual $(check_jq -c '.findings[] | select(.id == "table-full") | .evidence')"
fi
if [[ "$ev_drop" != absent ]] || ((drop > 0)); then
	assert_eq "table-full evidence.drop vs conntrack -S" "$drop" "$ev_drop"
fi
if [[ "$ev_early" != absent ]] || ((early_drop > 0)); then
	assert_eq "table-full evidence.early_drop vs conntrack -S" "$early_drop" "$ev_early"
fi

# The recommendation is one apply command, run from the host (the max is
# global), doubling the max in steps of 65536 (and the buckets to match when
# fewer); run as printed plus --dry-run, apply takes it and writes nothing.
buckets=$(sysctl -n net.netfilter.nf_conntrack_buckets) || die "cannot read nf_conntrack_buckets"
want_max=$(((2 * orig_max + 65535) / 65536 * 65536))
((want_max <= 2147418112)) || want_max=2147418112
want="ctadvisor apply --set $MAX_KNOB=$want_max"
if ((buckets < want_max)); then
	want+=" --set net.netfilter.nf_conntrack_buckets=$(((want_max + 511) / 512 * 512))"
fi
cmd=$(check_jq '.findings[] | select(.id == "table-full") | .commands[0]')
assert_eq "table-full command" "$want" "$cmd"
rc=0
eval "\"\$CTADVISOR\" ${cmd#ctadvisor } --dry-run" </dev/null >"$LAB_TMP/apply.out" \
	2>"$LAB_TMP/apply.err" || rc=$?
assert_eq "'$cmd --dry-run': exit status (stderr: $(head -c 300 "$LAB_TMP/apply.err"))" 0 "$rc"
assert_eq "'$cmd --dry-run' shows $MAX_KNOB $orig_max -> $want_max" 1 \
	"$(grep -cE "^  $MAX_KNOB +$orig_max -> $want_max  " "$LAB_TMP/apply.out")"
assert_eq "$MAX_KNOB after the dry run" "$orig_max" "$(sysctl -n "$MAX_KNOB")"

lab_finish
