#!/usr/bin/env bash
# 43-plan-guard: plan and apply never shrink the table without evidence.
# A lab namespace LAB holds N unreplied UDP flows (an hour's timeout); the
# host's own namespace may hold none. Against the real kernel:
#  1. `plan` in the host takes its demand from the busiest namespace (at
#     least LAB's count, as conntrack -C there says), not the host's own
#     count, and shows every namespace's sum; its sizing is far below the
#     current 262144 and the recommendation keeps the current values
#     ("no change": change none or no-demand, kept_why given). --save then
#     apply --from-plan --dry-run finds nothing to do.
#  2. `plan --from` a real 2 s watch summary with --allow-shrink still
#     keeps them: the summary covers less than a day.
#  3. `apply --set nf_conntrack_max=1024` is refused before writing (exit
#     3, nothing changed) and names --allow-shrink; with --allow-shrink it
#     is still refused, below the busiest namespace's count with headroom.
# nf_conntrack_max is only read (and checked unchanged), never written.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

N=1500
MAX_KNOB=net.netfilter.nf_conntrack_max
export CTADVISOR_STATE_DIR="$LAB_TMP/state"

lab_udp_pair 10.209.43
in_ns "$CLI" "$TOOLS/udp_send" flows 10.209.43.2 5300 "$N" 20000 "$N" >/dev/null ||
	die "udp_send failed"
wait_for "$N UDP entries in $LAB" ct_has "$LAB" udp "$N"
lab_count=$(in_ns "$LAB" conntrack -C)
max_before=$(sysctl -n "$MAX_KNOB")
buckets_before=$(sysctl -n net.netfilter.nf_conntrack_buckets)

pj()
{
	jq -r "$2" "$LAB_TMP/$1" || die "plan output $1 unreadable by jq $2"
}

# ---- 1. the busiest namespace, and no shrink ----
"$CTADVISOR" plan -f json --save "$LAB_TMP/p.json" >"$LAB_TMP/plan.json" 2>"$LAB_TMP/plan.err" ||
	die "plan failed: $(cat "$LAB_TMP/plan.err")"
busiest=$(pj plan.json .demand.busiest_netns.entries)
assert_ge "plan: busiest namespace >= LAB's conntrack -C ($lab_count)" "$lab_count" "$busiest"
assert_eq "plan: demand from the busiest namespace" "$busiest" "$(pj plan.json .demand.base_entries)"
assert_ge "plan: all namespaces >= the busiest" "$busiest" "$(pj plan.json .demand.all_netns_entries)"
assert_eq "plan: sized below the current max" true \
	"$(pj plan.json ".sized.max < $max_before")"
assert_eq "plan: recommendation keeps the current values" "$max_before $buckets_before" \
	"$(pj plan.json '.recommendation | "\(.["net.netfilter.nf_conntrack_max"]) \(.["net.netfilter.nf_conntrack_buckets"])"')"
assert_eq "plan: no change, with the reason" "none true" \
	"$(pj plan.json '"\(.change) \(.kept_why | test("not a watch summary"))"')"
"$CTADVISOR" plan >"$LAB_TMP/plan.txt" 2>&1 || die "plan (text) failed: $(cat "$LAB_TMP/plan.txt")"
grep -q "no change: $max_before holds a demand of [0-9]* with [0-9]* % headroom" "$LAB_TMP/plan.txt" &&
	echo "ok: text says no change" || fail "text does not say no change: $(cat "$LAB_TMP/plan.txt")"
grep -q "busiest namespace    $busiest entries" "$LAB_TMP/plan.txt" &&
	echo "ok: text shows the busiest namespace" || fail "no busiest namespace line: $(cat "$LAB_TMP/plan.txt")"
run_ctad fromplan apply --from-plan "$LAB_TMP/p.json" --dry-run --yes
assert_eq "apply --from-plan: exit" 0 "$RC"
assert_eq "apply --from-plan: nothing to do" 1 \
	"$(count '^nothing to do: every knob already has the wanted value' "$LAB_TMP/fromplan.out")"

# ---- 2. a short summary does not allow a shrink ----
"$CTADVISOR" watch --netns "$LAB" --duration 2s --save "$LAB_TMP/w.json" >/dev/null 2>&1 ||
	die "watch --save failed"
"$CTADVISOR" plan -f json --from "$LAB_TMP/w.json" --allow-shrink >"$LAB_TMP/plan2.json" \
	2>"$LAB_TMP/plan2.err" || die "plan --from failed: $(cat "$LAB_TMP/plan2.err")"
assert_eq "plan --from a 2 s summary --allow-shrink: kept" "$max_before none true" \
	"$(pj plan2.json '"\(.recommendation["net.netfilter.nf_conntrack_max"]) \(.change) \(.kept_why | test("less than a day"))"')"

# ---- 3. apply refuses a shrink ----
run_ctad shrink apply --set nf_conntrack_max=1024 --yes
assert_eq "apply a lower max: exit 3 (refused, nothing written)" 3 "$RC"
assert_eq "apply a lower max: names the override" 1 \
	"$(count "would go down ($max_before -> 1024).*--allow-shrink" "$LAB_TMP/shrink.err")"
assert_eq "apply a lower max: unchanged" "$max_before" "$(sysctl -n "$MAX_KNOB")"
run_ctad shrink2 apply --set nf_conntrack_max=1024 --allow-shrink --yes
assert_eq "apply --allow-shrink below the busiest: exit 3" 3 "$RC"
assert_eq "apply --allow-shrink below the busiest: says why" 1 \
	"$(count "is below the busiest network namespace's count" "$LAB_TMP/shrink2.err")"
assert_eq "apply --allow-shrink below the busiest: unchanged" "$max_before" "$(sysctl -n "$MAX_KNOB")"
assert_eq "no undo record written" "" \
	"$(find "$CTADVISOR_STATE_DIR" -name '*.json' -path '*undo*' 2>/dev/null)"

lab_finish
