#!/usr/bin/env bash
# 08-early-drop: early drop alone refuses nothing (issue 16, "early_drop
# alone refuses nothing"). With nf_conntrack_max = nf_conntrack_buckets = B
# (small) a client sends 3 x B unreplied UDP flows into a lab namespace:
# once its table holds B, the kernel evicts an unreplied entry for each new
# flow (early_drop) and drops nothing, since every one of the 8 buckets it
# scans holds an entry of this namespace. Ground truth: conntrack -S shows
# early_drop > 0 and drop = 0 over the flood, and an nft counter on the lab
# namespace's input sees every datagram sent. Then
#  - `watch --netns LAB` across the flood gives an early-drop-now warning
#    whose figure is conntrack -S's, no table-full-now finding, and no
#    finding saying flows are refused;
#  - `check --netns LAB` while the table is full has no table-full finding
#    but the early-drop one; after the knobs are back (table far from its
#    limit), check on the window since its last run is a WARNING whose
#    early-drop delta equals conntrack -S's, with no table-full finding.
#
# Both knobs are global (initial namespace only) and every namespace's
# count is held against the max, so B is the largest count of any
# namespace plus a margin (rounded up by the kernel's hash sizing); both
# are saved first and restored on every path (lab_set_global), the low
# values held only while the flood runs. The buckets come down first so the
# max is never far above them.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

MARGIN=500 # headroom left to every other namespace while the max is low
MAX_KNOB=net.netfilter.nf_conntrack_max
BUCKETS_KNOB=net.netfilter.nf_conntrack_buckets
PORT=9000

lab_udp_pair 10.208.1
# What reaches the lab's input hook: conntrack (prerouting) let it in.
in_ns "$LAB" nft -f - <<-EOF || die "cannot load the counter table in $LAB"
	table inet rx {
		counter udp_in { }
		chain in { type filter hook input priority 10; udp dport $PORT counter name udp_in; }
	}
EOF
received()
{
	in_ns "$LAB" nft list counter inet rx udp_in | awk '$1 == "packets" { print $2 }'
}

# The first check keeps the state the later window starts from.
run_check --netns "$LAB" --format json
require_json
assert_eq "first check: window state" first "$(check_jq .window.state)"
declare -A before=() after=()
for c in drop early_drop insert_failed; do
	before[$c]=$(truth_stat "$LAB" "$c")
done

peak=$(peak_ct_count)
lab_set_global "$BUCKETS_KNOB" $((peak + MARGIN))
low=$LAB_GLOBAL_NOW
((low < ${LAB_ORIG[$BUCKETS_KNOB]})) ||
	die "cannot lower $BUCKETS_KNOB=${LAB_ORIG[$BUCKETS_KNOB]} below the busiest count $peak + $MARGIN"
orig_max=$(sysctl -n "$MAX_KNOB") || die "cannot read $MAX_KNOB"
((orig_max == 0 || low < orig_max)) || die "cannot lower $MAX_KNOB=$orig_max to $low"
lab_set_global "$MAX_KNOB" "$low"
flows=$((3 * low))
echo "busiest namespace count $peak: $MAX_KNOB = $BUCKETS_KNOB = $low, sending $flows UDP flows"

lab_watch churn "$LAB" --interval 200ms
sent=$(in_ns "$CLI" "$TOOLS/udp_send" flows 10.208.1.2 "$PORT" "$flows" 20000 "$flows") ||
	die "udp_send failed: $sent"
watch_catch_up churn
watch_end churn INT
full_count=$(in_ns "$LAB" conntrack -C)
run_check --netns "$LAB" --format json --no-state
cp "$LAB_TMP/check.out" "$LAB_TMP/full.json"
lab_restore_global "$MAX_KNOB"
lab_restore_global "$BUCKETS_KNOB"
for c in drop early_drop insert_failed; do
	after[$c]=$(truth_stat "$LAB" "$c")
done
early=$((after[early_drop] - before[early_drop]))

# The lab: evictions, no drop, every datagram in.
assert_eq "udp_send (lab sanity)" "sent $flows" "$sent"
assert_eq "conntrack -S drop delta (lab sanity: nothing refused)" 0 \
	"$((after[drop] - before[drop]))"
assert_ge "conntrack -S early_drop delta (lab sanity: the table churned)" 1 "$early"
assert_eq "datagrams the lab's input counted (lab sanity: all admitted)" "$flows" "$(received)"
# Each eviction took one flow out (the kernel kills every unassured entry
# of a chain it scans, so the count may end below the limit).
assert_eq "entries after the flood = flows - early_drop (lab sanity)" $((flows - early)) "$full_count"
((full_count <= low)) || fail "the table holds $full_count entries, above its limit $low"

# watch: churn, a warning; nothing refused.
echo "watch findings: $(wj churn '[.findings[] | "\(.id)/\(.severity)"] | join(" ")')"
wfnd() { wj churn ".findings[] | select(.id == \"$1\") | $2"; }
assert_eq "watch: counters.early_drop.delta vs conntrack -S" "$early" "$(wj churn .counters.early_drop.delta)"
assert_eq "watch: counters.drop.delta vs conntrack -S" 0 "$(wj churn .counters.drop.delta)"
assert_eq "watch: early-drop-now severity" warning "$(wfnd early-drop-now .severity)"
assert_eq "watch: early-drop-now evidence vs conntrack -S" "$early" "$(wfnd early-drop-now .evidence.early_drop)"
assert_eq "watch: early-drop-now says nothing dropped" 1 \
	"$(wfnd early-drop-now .summary | grep -c 'nothing dropped')"
assert_eq "watch: table-full-now findings" 0 \
	"$(wj churn '[.findings[] | select(.id == "table-full-now")] | length')"
assert_eq "watch: findings that say flows are refused" 0 \
	"$(wj churn '[.findings[] | select(.summary | test("refused"))] | length')"
# The table was at 100 %: peak-fill may be critical, nothing else is.
assert_eq "watch: critical findings other than peak-fill" 0 \
	"$(wj churn '[.findings[] | select(.severity == "critical" and .id != "peak-fill")] | length')"

# check while full: the fill is critical now, but nothing was refused.
jf() { jq -r "$1" "$LAB_TMP/full.json"; }
echo "check (full) findings: $(jf '[.findings[] | "\(.id)/\(.severity)"] | join(" ")')"
assert_eq "check while full: occupancy.count vs conntrack -C" "$full_count" "$(jf .occupancy.count)"
assert_eq "check while full: table-full findings" 0 "$(jf '[.findings[] | select(.id == "table-full")] | length')"
assert_eq "check while full: early-drop findings" 1 "$(jf '[.findings[] | select(.id == "early-drop")] | length')"

# check on the window, the knobs back: a churn warning.
run_check --netns "$LAB" --format json
require_json
echo "check findings: $(check_jq '[.findings[] | "\(.id)/\(.severity)"] | join(" ")')"
fnd() { check_jq ".findings[] | select(.id == \"$1\") | $2"; }
assert_eq "check: window state" ok "$(check_jq .window.state)"
assert_eq "check: table-full findings" 0 "$(check_jq '[.findings[] | select(.id == "table-full")] | length')"
assert_eq "check: early-drop severity" warning "$(fnd early-drop .severity)"
assert_eq "check: early-drop delta vs conntrack -S" "$early" "$(fnd early-drop .delta)"
assert_eq "check: early-drop says no packet was dropped" 1 \
	"$(fnd early-drop .summary | grep -c 'without dropping a packet')"
assert_eq "check: status" WARNING "$(check_jq .status)"
assert_eq "check: exit status" 1 "$CHECK_RC"

lab_finish
