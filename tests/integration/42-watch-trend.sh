#!/usr/bin/env bash
# 42-watch-trend: a table that steps once and then stays flat has no trend,
# so `ctadvisor watch` projects no time to full (issue 16, "time to full
# from a trend, not a step"). A watch of a lab namespace runs for just over
# the 5-minute minimum below which watch shows no growth at all
# (RULES_WATCH_GROWTH_MIN_S; there is no shorter test knob). After its first
# sample (count 0) a client sends STEP unreplied UDP flows, which a long UDP
# timeout keeps in the table; nothing else enters it. The summary must
# match the kernel (first count 0, peak, last and net change = conntrack
# -C = STEP) and yet give growth_per_hour 0 (the halves of the watch do not
# agree: a least-squares slope over the whole watch would say about 2000
# entries/hour), hours_to_full null, no growth-to-full finding, no finding
# that says when the table fills, and exit 0.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

STEP=2000
INTERVAL=5s
DURATION=310s # the projection needs 300 s between the first and last sample

# No IPv6 (MLD, router solicitations): only the flows sent enter the table.
lab_udp_pair 10.213.42
assert_eq "conntrack -C in $LAB before the watch (lab sanity)" 0 "$(in_ns "$LAB" conntrack -C)"

lab_watch trend "$LAB" --interval "$INTERVAL" --duration "$DURATION"
sent=$(in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.42.2 9000 "$STEP" 20000 "$STEP") ||
	die "udp_send failed: $sent"
assert_eq "udp_send (lab sanity)" "sent $STEP" "$sent"
wait_for "$STEP UNREPLIED entries in $LAB" ct_has "$LAB" UNREPLIED "$STEP"
watch_end trend
count_now=$(in_ns "$LAB" conntrack -C)

# The watch saw what the kernel holds: one step, then flat.
assert_eq "conntrack -C at the end (lab sanity: flat after the step)" "$STEP" "$count_now"
first=$(jq -s -r 'map(select(.type == "sample")) | first | .count' "$LAB_TMP/trend.out")
assert_eq "first sample's count (before the step)" 0 "$first"
secs=$(wj trend '.duration_s | floor')
((secs >= 300)) || die "the watch lasted $secs s, under the 300 s a projection needs"
echo "ok: the watch lasted $secs s, long enough for a projection"
assert_eq "summary last_count vs conntrack -C" "$count_now" "$(wj trend .last_count)"
assert_eq "summary peak_count vs conntrack -C" "$count_now" "$(wj trend .peak_count)"
assert_eq "summary net_change" "$STEP" "$(wj trend .net_change)"
assert_eq "summary max vs nf_conntrack_max" "$(in_ns "$LAB" sysctl -n net.netfilter.nf_conntrack_max)" \
	"$(wj trend .max)"

# No trend, no projection.
assert_eq "summary growth_per_hour (no steady trend)" 0 "$(wj trend .growth_per_hour)"
assert_eq "summary hours_to_full" null "$(wj trend .hours_to_full)"
assert_eq "growth-to-full findings" 0 "$(wj trend '[.findings[] | select(.id == "growth-to-full")] | length')"
assert_eq "findings that say when the table fills" 0 \
	"$(wj trend '[.findings[] | select(.summary | test("full in|reaches its limit"))] | length')"
assert_eq "summary status" ok "$(wj trend .status)"
assert_eq "watch exit status" 0 "$WATCH_RC"

lab_finish
