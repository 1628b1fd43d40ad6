#!/usr/bin/env bash
# log_invalid_cost.sh: what continuous nf_conntrack_log_invalid costs under a
# flood of invalid packets. Two lab namespaces joined by a veth; blast sends
# invalid TCP segments (no flag set) at 10k, 50k and 100k packets/s for
# SECONDS each, three ways:
#   off     nf_conntrack_log_invalid=0 (the packets are only counted)
#   watch   `ctadvisor watch --invalid` running: log_invalid=255, every
#           report over NFLOG to ctadvisor
# and for each: the sender's CPU (user + system, GNU time: veth delivers on
# the sending CPU, so its system time holds the receiving namespace's
# conntrack, nft and logger too), the busy CPU of the whole machine and its softirq part
# (/proc/stat, 100 % = one CPU; veth delivers on the sender's CPU, so the
# sender, conntrack, nft and the logger are all in it), and ctadvisor's own
# CPU (its utime + stime from /proc/PID/stat). Prints a Markdown table, to be kept in
# tests/bench/LOG_INVALID.md. Root; not run by CI (a benchmark reports, it
# asserts nothing). Usage: sudo tests/bench/log_invalid_cost.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1

SECS=${1:-10}
CTADVISOR=${CTADVISOR:-build/ctadvisor}
BIN=$(mktemp -d)
ID="ctbench-$$"
NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
HZ=$(getconf CLK_TCK)
CLI="$ID-cli" SRV="$ID-srv"

cleanup()
{
	ip netns del "$CLI" 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	rm -rf "$BIN"
}
trap cleanup EXIT

die()
{
	echo "log_invalid_cost: $*" >&2
	exit 1
}

[[ -x "$CTADVISOR" ]] || die "build ctadvisor first (make), or set CTADVISOR"
# shellcheck disable=SC2046 # pkg-config prints word lists
cc -std=c11 -D_GNU_SOURCE -O2 -o "$BIN/blast" tests/bench/blast.c || die "cannot build blast"
{ ip netns add "$CLI" && ip netns add "$SRV"; } || die "cannot create the namespaces"
for ns in "$CLI" "$SRV"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$CLI" link add c0 type veth peer name s0 netns "$SRV" || die "cannot create the veth pair"
ip -n "$CLI" link set c0 up
ip -n "$SRV" link set s0 up
ip -n "$CLI" addr add "$NET.1/24" dev c0
ip -n "$SRV" addr add "$NET.2/24" dev s0
ip netns exec "$SRV" nft -f - <<-EOF || die "cannot load the nft table"
	table inet bench {
		chain cin { type filter hook input priority 0; ct state invalid counter drop; }
	}
EOF
ip netns exec "$CLI" ping -c 1 -W 2 "$NET.2" >/dev/null || die "lab ping failed"

# Softirq jiffies, and busy (all but idle and iowait) jiffies, of all CPUs.
softirq()
{
	awk '$1 == "cpu" { print $8 }' /proc/stat
}

busy()
{
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

proc_cpu()
{
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# run MODE RATE: one blast; prints "sent softirq_pct ctadvisor_pct received".
run()
{
	local mode=$1 rate=$2 s0 s1 b0 b1 su ss w="" c0=0 c1=0 sent pkts="-"
	if [[ "$mode" == watch ]]; then
		"$CTADVISOR" watch --invalid --netns "$SRV" --format json >"$BIN/w.json" 2>"$BIN/w.err" &
		w=$!
		for _ in $(seq 50); do
			[[ "$(ip netns exec "$SRV" sysctl -n net.netfilter.nf_conntrack_log_invalid)" == 255 ]] && break
			sleep 0.1
		done
		c0=$(proc_cpu "$w")
	fi
	s0=$(softirq)
	b0=$(busy)
	sent=$(ip netns exec "$CLI" /usr/bin/time -f '%U %S' -o "$BIN/time" "$BIN/blast" "$NET.1" "$NET.2" \
		"$rate" "$SECS" | awk '{ print $2 }')
	read -r su ss <"$BIN/time"
	s1=$(softirq)
	b1=$(busy)
	if [[ -n "$w" ]]; then
		c1=$(proc_cpu "$w")
		kill -INT "$w"
		wait "$w"
		pkts=$(jq -s -r '.[-1].live.nflog_packets' "$BIN/w.json" 2>/dev/null || echo "?")
	fi
	awk -v s="$sent" -v a="$s0" -v b="$s1" -v c="$c0" -v d="$c1" -v e="$b0" -v f="$b1" \
		-v hz="$HZ" -v t="$SECS" -v p="$pkts" -v su="$su" -v ss="$ss" \
		'BEGIN { printf "%s %.1f %.1f %.1f %.1f %s\n", s, 100 * (su + ss) / t,
		100 * (f - e) / hz / t, 100 * (b - a) / hz / t, 100 * (d - c) / hz / t, p }'
}

echo "| invalid packets/s | log_invalid | sent | sender + packet path CPU % | busy CPU % (/proc/stat) | of it softirq % | ctadvisor CPU % | reports received |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for rate in 10000 50000 100000; do
	for mode in off watch; do
		read -r sent path cpu sirq cta pkts < <(run "$mode" "$rate")
		label=$([[ "$mode" == off ]] && echo "0 (off)" || echo "255, watch --invalid (NFLOG)")
		[[ "$mode" == off ]] && cta="-"
		echo "| $rate | $label | $sent | $path | $cpu | $sirq | $cta | $pkts |"
	done
done
echo
echo "kernel $(uname -r), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), ${SECS} s per row"
