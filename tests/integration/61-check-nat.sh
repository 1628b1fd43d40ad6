#!/usr/bin/env bash
# 61-check-nat: check's nat-port-saturation finding, from the same table walk
# as the rest of check. client -- router -- server; the router masquerades
# TCP into ports 40000-40009 (10 ports). 8 connections are held to one
# destination: 80 % of the range. `ctadvisor check --netns RTR` must report
# the worst key equal to conntrack -L grouped by reply tuple (8 of 10), the
# walk must still count every entry (conntrack -C), and the verdict must
# follow the thresholds: warning by default (>= 70 %), OK with
# --nat-warn 85, critical with --nat-crit 80; --no-nat drops the view. The
# perfdata and the Prometheus output carry the worst saturation.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

HELD=8
RANGE=10
DPORT=5001

lab_nat_router 10.214 40000-40009
DST=$SRV_IP

lab_nat_hold "$DPORT" "$HELD"

# Ground truth: conntrack -L grouped by reply tuple, "DST:DPORT/NATADDR COUNT".
truth_keys()
{
	in_ns "$1" conntrack -L -p tcp 2>/dev/null | awk '
		{ n = 0; delete r
		  for (i = 1; i <= NF; i++) if ($i ~ /^(src|dst|sport|dport)=/) {
			split($i, kv, "="); if (kv[1] == "src") n++
			if (n == 2) r[kv[1]] = kv[2] }
		  c[r["src"] ":" r["sport"] "/" r["dst"]]++ }
		END { for (k in c) print k, c[k] }' | sort
}
truth=$(truth_keys "$RTR")
echo "kernel: $truth"
assert_eq "conntrack -L keys (lab sanity)" "$DST:$DPORT/10.214.2.254 $HELD" "$truth"

# Default thresholds: 80 % warns.
run_check --netns "$RTR" --format json
require_json
assert_eq "worst key vs conntrack -L" "$DST:$DPORT/10.214.2.254 $HELD" \
	"$(check_jq '.nat.worst | "\(.dst):\(.dport)/\(.nat_addr) \(.in_use)"')"
assert_eq "capacity, range, saturation" "$RANGE 40000-40009 80" \
	"$(check_jq '.nat.worst | "\(.capacity) \(.range.lo)-\(.range.hi) \(.saturation_pct)"')"
assert_eq "source-NATed entries vs conntrack -L" "$(in_ns "$RTR" conntrack -L -n 2>/dev/null | grep -c .)" \
	"$(check_jq '.nat.snat_entries')"
assert_eq "walk entries vs conntrack -C (one walk for both views)" "$(in_ns "$RTR" conntrack -C)" \
	"$(check_jq '.walk.entries')"
assert_eq "thresholds" "70 90" "$(check_jq '"\(.nat.warn_pct) \(.nat.crit_pct)"')"
assert_eq "finding" "nat-port-saturation warning" \
	"$(check_jq '.findings[] | select(.id == "nat-port-saturation") | "\(.id) \(.severity)"')"
assert_eq "finding names the destination" 1 \
	"$(check_jq --arg d "$DST tcp/$DPORT" '[.findings[] | select(.id == "nat-port-saturation")
		| .summary | contains($d) and contains("Widen the port range")
		  and (contains("random-fully") | not)] | map(select(.)) | length')"
assert_eq "finding evidence in_use/capacity" "$HELD/$RANGE" \
	"$(check_jq '.findings[] | select(.id == "nat-port-saturation") | "\(.evidence.ports_in_use)/\(.evidence.port_capacity)"')"
worst_other=$(check_jq '[.findings[] | select(.id != "nat-port-saturation") | .severity]
	| map(select(. == "warning" or . == "critical")) | length')
assert_eq "no other warning in the lab router (lab sanity)" 0 "$worst_other"
assert_eq "exit status (warning)" 1 "$CHECK_RC"

# Thresholds move the verdict.
run_check --netns "$RTR" --format json --nat-warn 85
require_json
assert_eq "--nat-warn 85: no finding" 0 \
	"$(check_jq '[.findings[] | select(.id == "nat-port-saturation")] | length')"
assert_eq "--nat-warn 85: exit status" 0 "$CHECK_RC"
run_check --netns "$RTR" --format json --nat-crit 80
require_json
assert_eq "--nat-crit 80: severity" critical \
	"$(check_jq '.findings[0] | select(.id == "nat-port-saturation") | .severity')"
assert_eq "--nat-crit 80: exit status" 2 "$CHECK_RC"
run_check --netns "$RTR" --nat-warn 95 --nat-crit 90
assert_eq "--nat-warn above --nat-crit: usage error" 3 "$CHECK_RC"
run_check --netns "$RTR" --format json --no-nat
require_json
assert_eq "--no-nat: no view, no finding, OK" "null 0 0" \
	"$(check_jq '"\(.nat) \([.findings[] | select(.id == "nat-port-saturation")] | length) \(.exit_code)"')"

# Perfdata and Prometheus carry the worst saturation.
run_check --netns "$RTR"
assert_eq "text exit status" 1 "$CHECK_RC"
grep -q "^CONNTRACK WARNING - .*warning: nat-port-saturation" "$LAB_TMP/check.out" ||
	fail "plugin line names no nat-port-saturation: $(head -1 "$LAB_TMP/check.out")"
assert_eq "perfdata nat_saturation" "'nat_saturation'=80%;70;90;0;100" \
	"$(head -1 "$LAB_TMP/check.out" | grep -o "'nat_saturation'=[^ ]*")"
grep -qE "^  worst +tcp 10\.214\.2\.254 -> $DST:$DPORT\$" "$LAB_TMP/check.out" ||
	fail "text shows no worst key: $(grep -A3 'NAT ports' "$LAB_TMP/check.out")"
grep -qE "^  ports +$HELD of $RANGE in use \(40000-40009\): 80\.0% " "$LAB_TMP/check.out" ||
	fail "text shows no port count: $(grep -A3 'NAT ports' "$LAB_TMP/check.out")"
run_check --netns "$RTR" --format prometheus
assert_eq "prometheus worst saturation" 0.8 \
	"$(awk '/^ctadvisor_nat_worst_saturation_ratio\{/ { print $2 }' "$LAB_TMP/check.out")"
assert_eq "prometheus ports in use / capacity" "$HELD $RANGE" \
	"$(awk '/^ctadvisor_nat_worst_ports_in_use\{/ { u = $2 } /^ctadvisor_nat_worst_port_capacity\{/ { c = $2 } END { print u, c }' "$LAB_TMP/check.out")"
assert_eq "prometheus status" 1 \
	"$(awk '/^ctadvisor_check_status\{/ { print $2 }' "$LAB_TMP/check.out")"

lab_finish
