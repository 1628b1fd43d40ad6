#!/usr/bin/env bash
# 62-nat-rules: `ctadvisor nat` on a ruleset shaped like real ones.
# client -- router -- server; the router's rules:
#   ip daddr $S_ADDR tcp dport 7100 snat to .250-.251:30000-30099
#   oifname "v2" ip protocol tcp masquerade to :10000-10999
#   oifname "v2" ip protocol tcp ip daddr $T_ADDR masquerade to :20000-20009
#   ip protocol udp masquerade to :10000-10009
#  1. 30 TCP connections to M (the first masquerade rule): 30 of 1000 ports
#     (3 %), never the UDP rule's 10 ports (300 %); check exits 0 without a
#     nat finding.
#  2. 10 connections to T (its own 10-port rule, by ip daddr), closed by
#     the client: 10 entries in TIME_WAIT hold the 10 ports, which the
#     kernel takes back for new connections, so saturation is 0 % and
#     nothing alerts; the TIME_WAIT count is shown apart.
#  3. 3 connections to S through the two-address snat rule: 1 NAT address
#     used of the 2 the rule maps to (the pair client/destination is pinned
#     to one address), as conntrack -L shows.
# Every figure is compared with conntrack -L in the router.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

M_ADDR=10.213.62.2 M_PORT=7000
T_ADDR=10.213.62.3 T_PORT=7001
S_ADDR=10.213.62.3 S_PORT=7100
N_M=30 N_T=10 N_S=3

lab_netns CLI cli
lab_netns RTR rtr
lab_netns SRV srv
lab_veth "$CLI" v0 "$RTR" v1
lab_veth "$RTR" v2 "$SRV" v3
lab_addr "$CLI" v0 10.213.61.1/24
lab_addr "$RTR" v1 10.213.61.254/24
lab_addr "$RTR" v2 10.213.62.254/24 10.213.62.250/24 10.213.62.251/24
lab_addr "$SRV" v3 "$M_ADDR/24" "$T_ADDR/24"
ip -n "$CLI" route add default via 10.213.61.254 || die "cannot route $CLI"
ip -n "$SRV" route add default via 10.213.62.254 || die "cannot route $SRV"
in_ns "$RTR" sysctl -qw net.ipv4.ip_forward=1 || die "cannot enable forwarding in $RTR"
in_ns "$RTR" nft -f - <<-EOF_NFT || die "cannot load the NAT table in $RTR"
	table ip labnat {
		chain post {
			type nat hook postrouting priority srcnat;
			ip daddr $S_ADDR tcp dport $S_PORT snat to 10.213.62.250-10.213.62.251:30000-30099
			oifname "v2" ip protocol tcp ip daddr $T_ADDR masquerade to :20000-20009
			oifname "v2" ip protocol tcp masquerade to :10000-10999
			ip protocol udp masquerade to :10000-10009
		}
	}
EOF_NFT
lab_ct_enable "$RTR"

for dest in "$M_ADDR $M_PORT" "$T_ADDR $T_PORT" "$S_ADDR $S_PORT"; do
	read -r addr port <<<"$dest"
	lab_bg "$SRV" "srv$port" "$TOOLS/tcp_hold" server "$addr" "$port"
	wait_line "srv$port" listening
done
lab_bg "$CLI" cliM "$TOOLS/tcp_hold" client "$M_ADDR" "$M_PORT" "$N_M"
lab_bg "$CLI" cliT "$TOOLS/tcp_hold" client "$T_ADDR" "$T_PORT" "$N_T"
lab_bg "$CLI" cliS "$TOOLS/tcp_hold" client "$S_ADDR" "$S_PORT" "$N_S"
for c in cliM cliT cliS; do
	wait_line "$c" ready
done
wait_for "$((N_M + N_T + N_S)) ESTABLISHED entries in $RTR" ct_has "$RTR" ESTABLISHED \
	$((N_M + N_T + N_S))

# The connections to T end: the client closes, then the server (tcp_hold
# never closes on its own), and the router's entries go to TIME_WAIT.
kill "${LAB_PID_OF[cliT]}"
wait_for "FIN from the client to $T_ADDR:$T_PORT" ct_has "$RTR" \
	"(FIN_WAIT|CLOSE_WAIT).*dst=$T_ADDR sport=[0-9]+ dport=$T_PORT" "$N_T"
kill "${LAB_PID_OF[srv$T_PORT]}"
wait_for "$N_T TIME_WAIT entries to $T_ADDR:$T_PORT in $RTR" ct_has "$RTR" \
	"TIME_WAIT.*dst=$T_ADDR sport=[0-9]+ dport=$T_PORT" "$N_T"

# row ADDR PORT JQ: a field of the destination row of nat.json.
row()
{
	jq -r --arg a "$1" --argjson p "$2" \
		"[.destinations[] | select(.dst == \$a and .dport == \$p)] | if length == 1 then .[0] | $3 else \"rows: \\(length)\" end" \
		"$LAB_TMP/nat.json"
}

run_nat nat.json --format json
assert_eq "nat exit status (nothing saturated)" 0 "$NAT_RC"

# 1. the TCP rule, not the UDP one
assert_eq "M: ports in use = conntrack -L" "$N_M" \
	"$(in_ns "$RTR" conntrack -L -p tcp --dst "$M_ADDR" --dport "$M_PORT" 2>/dev/null | grep -c ESTABLISHED)"
assert_eq "M: in use, capacity, range, mismatch" "$N_M 1000 10000-10999 false" \
	"$(row "$M_ADDR" "$M_PORT" '"\(.in_use) \(.capacity) \(.range.lo)-\(.range.hi) \(.rule_mismatch)"')"
assert_eq "M: saturation 3 %" 3 "$(row "$M_ADDR" "$M_PORT" '.saturation_pct')"

# 2. TIME_WAIT holds ports the kernel takes back
assert_eq "T: entries in TIME_WAIT (conntrack -L)" "$N_T" \
	"$(in_ns "$RTR" conntrack -L -p tcp --dst "$T_ADDR" --dport "$T_PORT" 2>/dev/null | grep -c TIME_WAIT)"
assert_eq "T: in use, reclaimable, capacity, time_wait" "$N_T $N_T 10 $N_T" \
	"$(row "$T_ADDR" "$T_PORT" '"\(.in_use) \(.reclaimable) \(.capacity) \(.time_wait)"')"
assert_eq "T: saturation (TIME_WAIT is reclaimable)" 0 "$(row "$T_ADDR" "$T_PORT" '.saturation_pct')"

# 3. two configured addresses, one used by the pinned pair
used=$(in_ns "$RTR" conntrack -L -p tcp --dst "$S_ADDR" --dport "$S_PORT" 2>/dev/null |
	grep -oE 'dst=10\.213\.62\.25[01]' | sort -u | wc -l)
assert_eq "S: NAT addresses used (conntrack -L)" 1 "$used"
assert_eq "S: used of configured" "1 2" \
	"$(row "$S_ADDR" "$S_PORT" '"\(.nat_addrs) \(.nat_addrs_configured)"')"

"$CTADVISOR" nat --netns "$RTR" --format text >"$LAB_TMP/nat.txt" 2>&1 ||
	fail "nat --format text exited $?: $(cat "$LAB_TMP/nat.txt")"
grep -q "NAT addresses toward this destination: 1 used of 2 the rule maps to" "$LAB_TMP/nat.txt" &&
	echo "ok: text says 1 used of 2" || fail "text does not say 1 used of 2: $(cat "$LAB_TMP/nat.txt")"
grep -qE ' 300(\.0)?%' "$LAB_TMP/nat.txt" && fail "text shows 300: $(cat "$LAB_TMP/nat.txt")"

run_check --netns "$RTR" -f json
assert_eq "check exit status" 0 "$CHECK_RC"
assert_eq "check: no nat finding" 0 \
	"$(check_jq '[.findings[] | select(.id == "nat-port-saturation")] | length')"

lab_finish
