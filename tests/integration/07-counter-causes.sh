#!/usr/bin/env bash
# 07-counter-causes: NAT-clash drops are not called a full table (issue 16,
# "drop is not always a full table"). client -- router -- server; the router
# masquerades TCP into ports 40000-40009. HELD connections take the 10
# ports, then FAILED more connects find none: the kernel counts each of
# their SYNs in both drop and insert_failed, at a table nearly empty. The
# ground truth (conntrack -S over the run) must show drop = insert_failed >
# 0 and a count far below max; then
#  - `check --netns RTR` (its second run: a window) gives no table-full
#    finding and recommends no nf_conntrack_max; its insert-failed finding
#    carries the delta = conntrack -S's and points at `ctadvisor nat`;
#  - `watch --netns RTR`, running across the connects, gives no
#    table-full-now finding, never says flows are refused, and its
#    insert-failed-now finding and counter deltas equal conntrack -S's.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

HELD=10  # the range's size
FAILED=4 # connects that find no port
DPORT=5001

lab_nat_router 10.207 40000-40009
DST=$SRV_IP

lab_nat_hold "$DPORT" "$HELD"

# The first check keeps the state the second one's window starts from.
run_check --netns "$RTR" --format json
require_json
assert_eq "first check: conntrack -S drop (lab sanity: none yet)" 0 "$(truth_stat "$RTR" drop)"
sleep 1 # the window is counted in whole seconds
declare -A before=() after=()
for c in drop insert_failed early_drop; do
	before[$c]=$(truth_stat "$RTR" "$c")
done
lab_watch clash "$RTR" --interval 200ms

pids=()
for ((i = 0; i < FAILED; i++)); do
	{
		if in_ns "$CLI" timeout 20 bash -c "exec 3<>/dev/tcp/$DST/$DPORT" 2>/dev/null; then
			echo connected
		else
			echo failed
		fi
	} >"$LAB_TMP/connect.$i" &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done
watch_catch_up clash
watch_end clash INT
for c in drop insert_failed early_drop; do
	after[$c]=$(truth_stat "$RTR" "$c")
done
drop=$((after[drop] - before[drop]))
ins=$((after[insert_failed] - before[insert_failed]))
count=$(in_ns "$RTR" conntrack -C)
max=$(in_ns "$RTR" sysctl -n net.netfilter.nf_conntrack_max)

# The lab: only NAT clashes, at a table nearly empty.
assert_eq "connects that found no port (lab sanity)" "$FAILED failed" \
	"$(cat "$LAB_TMP"/connect.* | sort | uniq -c | awk '{ print $1, $2 }' | xargs)"
assert_ge "conntrack -S insert_failed delta (lab sanity: >= 2 SYNs a connect)" $((2 * FAILED)) "$ins"
assert_eq "conntrack -S drop delta = insert_failed delta (lab sanity: NAT clashes only)" "$ins" "$drop"
assert_eq "conntrack -S early_drop delta (lab sanity)" 0 \
	"$((after[early_drop] - before[early_drop]))"
((count * 100 < max)) || die "the table is not nearly empty: $count of $max"
echo "ok: the table holds $count of $max entries"

# check: insert-failed on the window, pointing at nat; no table-full.
run_check --netns "$RTR" --format json
require_json
echo "check findings: $(check_jq '[.findings[] | "\(.id)/\(.severity)"] | join(" ")')"
fnd() { check_jq ".findings[] | select(.id == \"$1\") | $2"; }
assert_eq "check: table-full findings" 0 "$(check_jq '[.findings[] | select(.id == "table-full")] | length')"
assert_eq "check: window state" ok "$(check_jq .window.state)"
assert_eq "check: insert-failed severity" warning "$(fnd insert-failed .severity)"
assert_eq "check: insert-failed delta vs conntrack -S" "$ins" "$(fnd insert-failed .delta)"
assert_eq "check: insert-failed since_boot vs conntrack -S" "${after[insert_failed]}" \
	"$(fnd insert-failed .since_boot)"
assert_eq "check: insert-failed points at ctadvisor nat" 1 \
	"$(fnd insert-failed '[.commands[] | select(startswith("ctadvisor nat"))] | length')"
assert_eq "check: no command raises nf_conntrack_max" 0 \
	"$(check_jq '[.findings[].commands[]? | select(contains("nf_conntrack_max"))] | length')"
assert_eq "check: counters.total.drop vs conntrack -S" "${after[drop]}" "$(check_jq .counters.total.drop)"
# The exhausted range itself is nat's finding, critical on its own.
assert_eq "check: nat-port-saturation severity" critical "$(fnd nat-port-saturation .severity)"
assert_eq "check: exit status (the saturated range)" 2 "$CHECK_RC"
run_check --netns "$RTR" --format text
assert_eq "check text: no table-full" 0 "$(count table-full "$LAB_TMP/check.out")"
assert_eq "check text: no 'table was full'" 0 "$(count 'table was full' "$LAB_TMP/check.out")"

# watch: the clashes are insert-failed-now, nothing refused for a full table.
echo "watch findings: $(wj clash '[.findings[] | "\(.id)/\(.severity)"] | join(" ")')"
wfnd() { wj clash ".findings[] | select(.id == \"$1\") | $2"; }
assert_eq "watch: counters.drop.delta vs conntrack -S" "$drop" "$(wj clash .counters.drop.delta)"
assert_eq "watch: counters.insert_failed.delta vs conntrack -S" "$ins" \
	"$(wj clash .counters.insert_failed.delta)"
assert_eq "watch: table-full-now findings" 0 \
	"$(wj clash '[.findings[] | select(.id == "table-full-now")] | length')"
assert_eq "watch: findings that say flows are refused" 0 \
	"$(wj clash '[.findings[] | select(.summary | test("refused|table (was|is) full"))] | length')"
assert_eq "watch: insert-failed-now severity" warning "$(wfnd insert-failed-now .severity)"
assert_eq "watch: insert-failed-now evidence vs conntrack -S" "$ins" \
	"$(wfnd insert-failed-now .evidence.insert_failed)"
assert_eq "watch: insert-failed-now names ctadvisor nat" 1 \
	"$(wfnd insert-failed-now .summary | grep -c "'ctadvisor nat'")"
assert_eq "watch: status" warning "$(wj clash .status)"
assert_eq "watch: exit status" 1 "$WATCH_RC"

lab_finish
