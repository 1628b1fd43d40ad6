#!/usr/bin/env bash
# 32-nat-flush: the seed's case. client -- router -- server; the router
# source-NATs UDP to address A. A long-lived UDP flow to port 4789 (VXLAN)
# keeps its entry, so after the rule is changed to address B its packets
# still leave as A. `ctadvisor flush --netns ROUTER -p udp --dport 4789`
# deletes that entry (and no other: a UDP flow to another port stays, still
# NATed to A), and the next packet of the same flow leaves as B, as
# conntrack -L in the router shows.
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

lab_finish
