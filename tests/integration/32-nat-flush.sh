#!/usr/bin/env bash
# 32-nat-flush: the seed's case. client -- router -- server; the router
# source-NATs UDP to address A. A long-lived UDP flow to port 4789 (VXLAN)
# keeps its entry, so after the rule is changed to address B its packets
# still leave as A. `ctadvisor flush --netns ROUTER -p udp --dport 4789`
# deletes that entry (and no other: a UDP flow to another port stays, still
# NATed to A), and the next packet of the same flow leaves as B, as
# conntrack -L in the router shows.
# Then TCP: 6 connections masqueraded by the router (to port 8080) and 3
# not NATed (to 8081), all ESTABLISHED. `flush -p tcp` deletes the 3 and
# leaves the 6 alone, saying how many and why (a deleted NATed connection
# is picked up with a new binding its peer does not know); --force --dry-run
# says it would take them too.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

A=10.213.33.100
B=10.213.33.101
SPORT=40789
export CTADVISOR_STATE_DIR="$LAB_TMP/state"

# The NAT address of the router's UDP entries to port DPORT: the reply
# tuple's destination, one per line, sorted.
nat_addr()
{
	in_ns "$RTR" conntrack -L -p udp --dport "$1" 2>/dev/null |
		awk '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^dst=/) { n++; if (n == 2) print substr($i, 5) } }' | sort
}

# send DPORT: one datagram of the flow from SPORT to the server's DPORT.
send()
{
	in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.33.2 "$1" 1 "$SPORT" 1 >/dev/null ||
		die "udp_send to port $1 failed"
}

snat_to()
{
	in_ns "$RTR" nft -f - <<-EOF || die "cannot load the SNAT rule in $RTR"
		flush chain ip labnat post
		table ip labnat {
			chain post {
				oifname "v2" meta l4proto udp snat to $1
			}
		}
	EOF
}

lab_netns CLI cli
lab_netns RTR rtr
lab_netns SRV srv
lab_veth "$CLI" v0 "$RTR" v1
lab_veth "$RTR" v2 "$SRV" v3
lab_addr "$CLI" v0 10.213.32.1/24
lab_addr "$RTR" v1 10.213.32.254/24
lab_addr "$RTR" v2 10.213.33.254/24 "$A/24" "$B/24"
lab_addr "$SRV" v3 10.213.33.2/24
ip -n "$CLI" route add default via 10.213.32.254 || die "cannot route $CLI"
in_ns "$RTR" sysctl -qw net.ipv4.ip_forward=1 net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot set forwarding / udp timeout in $RTR"
in_ns "$RTR" nft -f - <<-'EOF' || die "cannot load the NAT table in $RTR"
	table ip labnat {
		chain post {
			type nat hook postrouting priority srcnat;
		}
	}
EOF
snat_to "$A"
lab_ct_enable "$RTR"

send 4789
send 5353
wait_for "2 UDP entries in $RTR" ct_has "$RTR" udp 2
assert_eq "flow to 4789 leaves as A" "$A" "$(nat_addr 4789)"
assert_eq "flow to 5353 leaves as A" "$A" "$(nat_addr 5353)"

snat_to "$B"
send 4789
assert_eq "after the rule change the flow still leaves as A (the entry keeps its mapping)" \
	"$A" "$(nat_addr 4789)"

run_ctad flush flush --netns "$RTR" -p udp --dport 4789 --yes
assert_eq "flush exit" 0 "$RC"
assert_eq "flush deleted the one flow" 1 "$(count '^deleted 1 flows; 0 vanished' "$LAB_TMP/flush.out")"
assert_eq "flush showed it as source-NATed to A" 1 \
	"$(count "dport=4789 .* dst=$A sport=4789" "$LAB_TMP/flush.out")"
assert_eq "no entry to 4789 after the flush" "" "$(nat_addr 4789)"
assert_eq "the flow to 5353 is untouched (still A)" "$A" "$(nat_addr 5353)"

send 4789
assert_eq "the next packet to 4789 leaves as B" "$B" "$(nat_addr 4789)"

# ---- NATed TCP connections are left alone ----
# The un-NATed connections need the way back to the client.
ip -n "$SRV" route add 10.213.32.0/24 via 10.213.33.254 || die "cannot route $SRV back"
in_ns "$RTR" nft add rule ip labnat post oifname "v2" tcp dport 8080 masquerade ||
	die "cannot add the masquerade rule in $RTR"
for port in 8080 8081; do
	lab_bg "$SRV" "srv$port" "$TOOLS/tcp_hold" server 10.213.33.2 "$port"
	wait_line "srv$port" listening
done
lab_bg "$CLI" cli8080 "$TOOLS/tcp_hold" client 10.213.33.2 8080 6
lab_bg "$CLI" cli8081 "$TOOLS/tcp_hold" client 10.213.33.2 8081 3
wait_line cli8080 ready
wait_line cli8081 ready
wait_for "9 ESTABLISHED TCP entries in $RTR" ct_has "$RTR" "ESTABLISHED.*dport=808[01]" 9
assert_eq "the 6 to 8080 are source-NATed (reply to the router's address)" 6 \
	"$(in_ns "$RTR" conntrack -L -p tcp --dport 8080 --src-nat 2>/dev/null | grep -c ESTABLISHED)"

run_ctad flush-tcp-force flush --netns "$RTR" -p tcp --force --dry-run
assert_eq "flush --force --dry-run exit" 0 "$RC"
assert_eq "--force would take the NATed ones too" 1 \
	"$(count '^note: 6 of the matching flows are NATed TCP connections.*--force given: deleting them too' "$LAB_TMP/flush-tcp-force.out")"

run_ctad flush-tcp flush --netns "$RTR" -p tcp --yes
assert_eq "flush -p tcp exit" 0 "$RC"
assert_eq "9 TCP flows match" 1 "$(count '^9 of [0-9]* flows match the filter' "$LAB_TMP/flush-tcp.out")"
assert_eq "says why the NATed ones stay" 1 \
	"$(count '^note: 6 of the matching flows are NATed TCP connections past the handshake.*new NAT binding.*They are left alone; add --force' "$LAB_TMP/flush-tcp.out")"
assert_eq "deleted the 3 un-NATed" 1 "$(count '^deleted 3 flows' "$LAB_TMP/flush-tcp.out")"
assert_eq "left the 6 NATed alone" 1 "$(count '^left 6 NATed TCP connections alone' "$LAB_TMP/flush-tcp.out")"
assert_eq "the 6 NATed entries are still there" 6 \
	"$(in_ns "$RTR" conntrack -L -p tcp --dport 8080 2>/dev/null | grep -c ESTABLISHED)"
assert_eq "the 3 un-NATed entries are gone" 0 \
	"$(in_ns "$RTR" conntrack -L -p tcp --dport 8081 2>/dev/null | grep -c ESTABLISHED)"

lab_finish
