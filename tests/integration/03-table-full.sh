#!/usr/bin/env bash
# 03-table-full: overflow a lab namespace's conntrack table and check that
# `ctadvisor check` judges the drops over the window since its last run:
#  1. while the table is full (first run, no state): exit 2 CRITICAL with a
#     "table-full" finding whose evidence equals conntrack -S, and a raise
#     from plan's arithmetic (the count over 0.8, tidy), never a doubling;
#  2. max raised back and the table emptied: exit 0, the drops are history
#     ("N since the namespace was created, none in the last ...", delta 0),
#     the raise is said and not recommended again;
#  3. a second overflow: CRITICAL again, delta = the new drops exactly;
#  4. --since-boot judges the totals as before; --no-state keeps nothing.
# While full, check --all-netns from the other lab namespace raises a
# critical netns-table-full naming the full one, with conntrack -S's drop.
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

want_raise()
{ # plan's arithmetic: ceil(demand / 0.8), up to a multiple of 1024 (to 131072)
	local want=$((($1 * 10 + 7) / 8))
	echo $(((want + 1023) / 1024 * 1024))
}

# flood N: lower the max, send N UDP flows, check while full, restore.
flood_and_check()
{
	sysctl -qw "$MAX_KNOB=$low_max" || die "cannot lower $MAX_KNOB (not the initial namespace?)"
	flood_rc=0
	in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.3.2 "$1" "$flows" 20000 1000 >/dev/null ||
		flood_rc=$?
	full_count=$(in_ns "$LAB" conntrack -C)
	run_check --netns "$CLI" --all-netns --no-state --format json
	cp "$LAB_TMP/check.out" "$LAB_TMP/all-netns.json"
	all_rc=$CHECK_RC
	run_check --netns "$LAB" --format json
	sysctl -qw "$MAX_KNOB=$orig_max" || die "cannot restore $MAX_KNOB=$orig_max"
	assert_eq "$MAX_KNOB restored after the flood" "$orig_max" "$(sysctl -n "$MAX_KNOB")"
	((flood_rc == 0)) || die "udp_send flood failed (status $flood_rc)"
}

tf() { check_jq ".findings[] | select(.id == \"table-full\") | $1"; }

# --- 1. the first run, while the table is full ---
flood_and_check 40000
require_json --netns "$LAB" --format json
drop=$(truth_stat "$LAB" drop)
early_drop=$(truth_stat "$LAB" early_drop)
insert_failed=$(truth_stat "$LAB" insert_failed)
echo "after the flood: count $full_count (max $low_max), drop $drop, early_drop $early_drop"
assert_ge "conntrack -S drop (lab sanity: the table overflowed)" 1 "$drop"
assert_eq "exit status, first run, table full now" 2 "$CHECK_RC"
assert_eq "JSON status" CRITICAL "$(check_jq .status)"
assert_eq "JSON exit_code" 2 "$(check_jq .exit_code)"
assert_eq "counters.total.drop vs conntrack -S" "$drop" "$(check_jq .counters.total.drop)"
assert_eq "counters.total.early_drop vs conntrack -S" "$early_drop" \
	"$(check_jq .counters.total.early_drop)"
assert_eq "findings with id table-full" 1 \
	"$(check_jq '[.findings[] | select(.id == "table-full")] | length')"
assert_eq "table-full severity" critical "$(tf .severity)"
assert_eq "table-full evidence.drop vs conntrack -S" "$drop" "$(tf .evidence.drop)"
assert_eq "table-full evidence.full_table_drops (drop - insert_failed)" \
	"$((drop - insert_failed))" "$(tf .evidence.full_table_drops)"
assert_eq "table-full: no window on a first run" null "$(tf .window_seconds)"
assert_eq "table-full since_boot" "$((drop - insert_failed))" "$(tf .since_boot)"
assert_eq "the first run says it cannot tell when" 1 \
	"$(tf .summary | grep -c 'this is the first run ctadvisor remembers here')"
# The raise is plan's (the count at max is a lower bound of the demand), run
# from the host. By now the max is back at its original value, above that
# raise, so as printed plus --dry-run, apply refuses it (it would shrink the
# table: exit 3, --allow-shrink named) and writes nothing.
want_max=$(want_raise "$full_count")
cmd=$(tf '.commands[0]')
assert_eq "table-full command" "ctadvisor apply --set $MAX_KNOB=$want_max" "$cmd"
rc=0
eval "\"\$CTADVISOR\" ${cmd#ctadvisor } --dry-run" </dev/null >"$LAB_TMP/apply.out" \
	2>"$LAB_TMP/apply.err" || rc=$?
if ((want_max < $(sysctl -n "$MAX_KNOB"))); then
	assert_eq "'$cmd --dry-run' below the restored max: refused (exit 3)" 3 "$rc"
	assert_eq "'$cmd --dry-run': names --allow-shrink" 1 "$(count 'add --allow-shrink' "$LAB_TMP/apply.err")"
else
	assert_eq "'$cmd --dry-run': exit status (stderr: $(head -c 300 "$LAB_TMP/apply.err"))" 0 "$rc"
fi
assert_eq "$MAX_KNOB after the dry run" "$orig_max" "$(sysctl -n "$MAX_KNOB")"
# The same table seen from another namespace with --all-netns: its totals
# only (no window), critical because it is full now.
nf() { jq -r ".findings[] | select(.id == \"netns-table-full\") | $1" "$LAB_TMP/all-netns.json"; }
assert_eq "--all-netns from $CLI: exit status while $LAB is full" 2 "$all_rc"
assert_eq "netns-table-full severity while full" critical "$(nf .severity)"
assert_eq "netns-table-full names $LAB" 1 "$(nf .summary | grep -c "Namespace $LAB ")"
assert_eq "netns-table-full evidence.drop vs conntrack -S" "$drop" "$(nf .evidence.drop)"
assert_eq "netns-table-full command" "ctadvisor check --netns $LAB" "$(nf '.commands[0]')"
state_files=$(find "$CTADVISOR_STATE_DIR/check" -name 'netns-*.json' | wc -l)
assert_eq "one state file kept for the namespace" 1 "$state_files"

# --- 2. max raised, table emptied: history only ---
in_ns "$LAB" conntrack -F >/dev/null 2>&1 || die "cannot flush the lab table"
sleep 1
run_check --netns "$LAB" --format json
assert_eq "exit status, no new drops" 0 "$CHECK_RC"
assert_eq "JSON status, no new drops" OK "$(check_jq .status)"
assert_eq "table-full severity, no new drops" info "$(tf .severity)"
assert_eq "table-full delta, no new drops" 0 "$(tf .delta)"
assert_ge "table-full window_seconds" 1 "$(tf .window_seconds)"
assert_eq "the drops are history" 1 \
	"$(tf .summary | grep -c "$((drop - insert_failed)) since the namespace was created, none in the last")"
assert_eq "the raise is said" 1 "$(tf .summary | grep -c "raised since, from $low_max to $orig_max")"
assert_eq "no raise recommended again" 0 "$(tf '.commands | length')"

# --- 3. new drops: critical on the delta ---
flood_and_check 41000
drop2=$(truth_stat "$LAB" drop)
insert_failed2=$(truth_stat "$LAB" insert_failed)
new=$(((drop2 - insert_failed2) - (drop - insert_failed)))
assert_ge "lab sanity: the second flood dropped" 1 "$new"
assert_eq "exit status, new drops" 2 "$CHECK_RC"
assert_eq "table-full delta = the new drops" "$new" "$(tf .delta)"
assert_eq "table-full since_boot = all drops" "$((drop2 - insert_failed2))" "$(tf .since_boot)"
assert_eq "the text says the window" 1 "$(tf .summary | grep -cE "^Packets of new flows were dropped because the table was full: $new in the last [0-9]+ s")"

# --- 4. --since-boot and --no-state ---
in_ns "$LAB" conntrack -F >/dev/null 2>&1 || die "cannot flush the lab table"
run_check --netns "$LAB" --format json --since-boot
assert_eq "--since-boot: the totals judged as before" 2 "$CHECK_RC"
before=$(stat -c %Y "$(find "$CTADVISOR_STATE_DIR/check" -name 'netns-*.json')")
sleep 1
run_check --netns "$LAB" --format json --no-state
assert_eq "--no-state: totals, at most a warning (not full now)" 1 "$CHECK_RC"
assert_eq "--no-state writes nothing" "$before" \
	"$(stat -c %Y "$(find "$CTADVISOR_STATE_DIR/check" -name 'netns-*.json')")"

lab_finish
