#!/usr/bin/env bash
# 86-faults-enobufs: a forced netlink receive-buffer overrun (ENOBUFS) is
# counted and reported, never hidden (issue 7, Faults: netlink).
#
# Events: `watch --events --netns SRV` (JSON, then text) is stopped
# (SIGSTOP) once subscribed, FLOWS UDP flows are created in SRV (its 8 MiB
# receive buffer, doubled by the kernel, holds about 13000 NEW events), then
# it is continued. The summary must report events.enobufs > 0 and count
# fewer NEW events than flows, never more; the text says that events were
# lost and what to do.
#
# Invalid packets: `watch --invalid --netns SRV` is stopped once it listens,
# BURST SYN+FIN segments (invalid flags, dropped by an nft counter rule)
# arrive (its 16 MiB buffer holds about 40000 NFLOG reports), it is
# continued and empties its socket queue (/proc/net/netlink Rmem 0). Losses
# at the end of a burst leave no sequence gap until a later report shows
# one: with TAIL more segments (JSON run) received + lost equals the
# segments sent, the kernel's invalid counter delta, the nft counter and the
# kernel's drop count of the socket, exactly; without them (text run) the
# report counts them as not reported by NFLOG (kernel delta - received -
# lost), with the same totals. Every knob the watch touched is restored and
# its undo records closed. Only counts are asserted.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
FLOWS=40000
BURST=200000
TAIL=50
NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
CLI_IP=$NET.1
SRV_IP=$NET.2
UDP_PORT=7600
TCP_PORT=8086

lab_netns CLI cli
lab_netns SRV srv
# Invalid packets are dropped (and counted) before the TCP stack could
# answer them; ICMPv6 (neighbour discovery) is not tracked, so the kernel's
# invalid counter counts our segments only.
in_ns "$SRV" nft -f - <<-EOF || die "cannot load the nft table in $SRV"
	table inet lab {
		chain raw_pre { type filter hook prerouting priority raw; meta l4proto ipv6-icmp notrack; }
		chain raw_out { type filter hook output priority raw; meta l4proto ipv6-icmp notrack; }
		chain cin { type filter hook input priority 0; ct state invalid counter drop; }
		chain cout { type filter hook output priority 0; ct state invalid counter; }
	}
EOF
lab_veth "$CLI" c0 "$SRV" s0
lab_addr "$CLI" c0 "$CLI_IP/24"
lab_addr "$SRV" s0 "$SRV_IP/24"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $SRV"
in_ns "$SRV" sysctl -qw net.ipv4.icmp_ratelimit=1000000 || true
max=$(sysctl -n net.netfilter.nf_conntrack_max)
((max >= FLOWS + 10000)) || die "nf_conntrack_max ($max) is too small for $FLOWS flows"

ct_count()
{
	in_ns "$SRV" conntrack -C
}

# The ctadvisor process under `timeout` (SIGSTOP must reach it, not timeout).
child_of()
{
	local c
	c=$(ps -o pid= --ppid "$1" | tr -d ' ')
	[[ "$c" =~ ^[0-9]+$ ]] || return 1
	echo "$c"
}

# start_watch OUT ARGS...: `ctadvisor watch ARGS` in the background under a
# hang guard, stdout in OUT, stderr in OUT.err; the guard's PID in TPID,
# ctadvisor's own (which SIGSTOP must reach) in WPID.
start_watch()
{
	local out=$1
	shift
	timeout -k 10 300 "$CTADVISOR" watch "$@" >"$out" 2>"$out.err" &
	TPID=$!
	LAB_PIDS+=("$TPID")
	wait_for "the ctadvisor process under timeout" child_of "$TPID"
	WPID=$(child_of "$TPID")
}

sanitizer_check()
{
	if grep -qE 'Sanitizer|runtime error:' "$1"; then
		fail "$2: sanitizer report: $(head -c 2000 "$1")"
	fi
}

# ---- Events -----------------------------------------------------------
run_events()
{
	local fmt=$1 out=$2 tpid wpid rc=0
	assert_eq "lab sanity: $SRV's table is empty ($fmt)" 0 "$(ct_count)"
	start_watch "$out" --events --netns "$SRV" --interval 200ms --duration 2s --format "$fmt"
	tpid=$TPID wpid=$WPID
	# The first sample is printed after the subscription.
	wait_for "a first sample of watch --events ($fmt)" grep -qE '^\{"type":"sample"|^[0-9]{2}:[0-9]{2}:[0-9]{2} ' "$out"
	kill -STOP "$wpid"
	sent=$(in_ns "$CLI" "$TOOLS/udp_send" flows "$SRV_IP" "$UDP_PORT" "$FLOWS" 2000 "$FLOWS") ||
		die "udp_send failed: $sent"
	assert_eq "udp_send ($fmt)" "sent $FLOWS" "$sent"
	created=$(ct_count)
	kill -CONT "$wpid"
	wait "$tpid" || rc=$?
	sanitizer_check "$out.err" "watch --events ($fmt)"
	EV_RC=$rc
	EV_CREATED=$created
	# Empty the table for the next run (no DESTROY may reach a later watch).
	in_ns "$SRV" conntrack -F >/dev/null 2>&1 || die "conntrack -F in $SRV failed"
}

run_events json "$LAB_TMP/events.json"
assert_eq "flows created in $SRV (conntrack -C)" "$FLOWS" "$EV_CREATED"
# Status from the watch findings: occupancy stays low, so OK.
assert_eq "watch --events exit status (json)" 0 "$EV_RC"
summary=$(jq -c -s 'map(select(.type == "summary")) | last' "$LAB_TMP/events.json") ||
	die "watch --events output is not JSON lines: $(head -c 500 "$LAB_TMP/events.json")"
[[ "$summary" != null ]] || die "watch --events printed no summary: $(tail -c 500 "$LAB_TMP/events.json")"
enobufs=$(jq -r .events.enobufs <<<"$summary")
new_udp=$(jq -r .events.new.udp <<<"$summary")
new_all=$(jq -r '[.events.new[]] | add' <<<"$summary")
echo "events: $FLOWS flows created, new.udp $new_udp, enobufs $enobufs"
assert_ge "events.enobufs (the buffer overran)" 1 "$enobufs"
assert_ge "events.new.udp" 1 "$new_udp"
if ((new_udp < FLOWS)); then
	echo "ok: new.udp $new_udp < $FLOWS flows: the loss shows in the count"
else
	fail "new.udp $new_udp is not below the $FLOWS flows created, with enobufs $enobufs"
fi
assert_eq "events.new (all classes) = new.udp: nothing else was created" "$new_udp" "$new_all"

run_events text "$LAB_TMP/events.txt"
assert_eq "flows created in $SRV (conntrack -C, text run)" "$FLOWS" "$EV_CREATED"
assert_eq "watch --events exit status (text)" 0 "$EV_RC"
loss=$(grep -E '^ +event loss ' "$LAB_TMP/events.txt" || true)
echo "text: $loss"
n=$(sed -nE 's/^ +event loss +([0-9]+) ENOBUFS.*/\1/p' <<<"$loss")
assert_ge "text: ENOBUFS count on the event loss line" 1 "${n:-none}"
grep -q 'rates are lower bounds' <<<"$loss" ||
	fail "text: the event loss line does not say the rates are lower bounds: $loss"
if grep -A4 'event loss' "$LAB_TMP/events.txt" | tr -s ' \n' ' ' | grep -qE 'events were lost: .* watch again'; then
	echo "ok: text: says that events were lost and what to do"
else
	fail "text: no line says that events were lost and what to do: $(grep -A4 'event loss' "$LAB_TMP/events.txt")"
fi

# ---- Invalid packets ---------------------------------------------------
nft_drops()
{
	in_ns "$SRV" nft -j list chain inet lab cin |
		jq '[.nftables[] | .rule? // empty | .expr[] | .counter? // empty | .packets] | add'
}
log_invalid_on()
{
	[[ "$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_log_invalid)" == 255 ]]
}
# Bytes queued on SRV's NETLINK_NETFILTER sockets (the watch's NFLOG socket
# among them), and the messages the kernel dropped for them (/proc/net/netlink).
nl_queued()
{
	in_ns "$SRV" awk '$2 == 12 { q += $5 } END { print q + 0 }' /proc/net/netlink
}
nl_drops()
{
	in_ns "$SRV" awk '$2 == 12 { d += $9 } END { print d + 0 }' /proc/net/netlink
}
queue_empty()
{
	(($(nl_queued) == 0))
}
# Live lines: JSON objects, or text lines "  1.2s  packets N (+M)  lost L ...".
samples()
{
	if [[ $INV_FMT == json ]]; then
		jq -s 'map(select(.type == "sample")) | length' "$INV_OUT"
	else
		grep -cE '^ *[0-9]+\.[0-9]s  packets ' "$INV_OUT" || true
	fi
}
# FIELD (packets or lost) of the last live line.
last_sample()
{
	if [[ $INV_FMT == json ]]; then
		jq -r -s --arg f "$1" 'map(select(.type == "sample")) | last | .[$f]' "$INV_OUT"
	else
		grep -E '^ *[0-9]+\.[0-9]s  packets ' "$INV_OUT" | tail -n 1 |
			sed -nE "s/.* $1 ([0-9]+).*/\1/p"
	fi
}
samples_ge()
{
	(($(samples) >= $1))
}
has_packets()
{
	jq -e -s --argjson n "$1" 'map(select(.type == "sample")) | last | .packets >= $n' "$INV_OUT"
}

# run_invalid NAME FORMAT TAIL: watch --invalid, stopped while BURST SYN+FIN
# segments arrive, continued; once its queue is empty, TAIL more segments
# (none: stop it there). Leaves the report in $LAB_TMP/NAME.report.json
# (json; text: $LAB_TMP/NAME.out) and
# sets INV_RC, INV_SENT (segments sent), INV_KERNEL (conntrack -S invalid
# delta), INV_NFT (the drop rule's counter delta), INV_P1 / INV_L1 (packets
# received and lost per the live sample after the burst), INV_DROPS (the
# kernel's drop count of the socket).
run_invalid()
{
	local name=$1 tail=$3 tpid wpid inv0 nft0 n sent
	INV_FMT=$2
	INV_OUT="$LAB_TMP/$name.out"
	inv0=$(truth_stat "$SRV" invalid)
	nft0=$(nft_drops)
	start_watch "$INV_OUT" --invalid --netns "$SRV" --interval 200ms --duration 600s \
		--format "$INV_FMT"
	tpid=$TPID wpid=$WPID
	# Group 0 is bound before any knob is written.
	wait_for "watch --invalid switching nf_conntrack_log_invalid on" log_invalid_on
	kill -STOP "$wpid"
	sent=$(in_ns "$CLI" "$TOOLS/raw_tcp" send "$CLI_IP" "$SRV_IP" 40000 "$TCP_PORT" SYN,FIN "$BURST") ||
		die "raw_tcp (burst) failed: $sent"
	assert_eq "$name: raw_tcp burst" "sent $BURST" "$sent"
	assert_eq "$name: kernel invalid delta of the burst (lab sanity)" "$BURST" \
		$(($(truth_stat "$SRV" invalid) - inv0))
	assert_ge "$name: bytes queued for the stopped watch" 1 "$(nl_queued)"
	kill -CONT "$wpid"
	wait_for "$name: watch --invalid to empty its socket queue" queue_empty
	INV_DROPS=$(nl_drops)
	# A sample printed after the queue was seen empty counts all it read.
	n=$(samples)
	wait_for "$name: a sample after the queue emptied" samples_ge $((n + 1))
	INV_P1=$(last_sample packets)
	INV_L1=$(last_sample lost)
	INV_SENT=$BURST
	if ((tail > 0)); then
		sent=$(in_ns "$CLI" "$TOOLS/raw_tcp" send "$CLI_IP" "$SRV_IP" 40001 "$TCP_PORT" SYN,FIN "$tail") ||
			die "raw_tcp (tail) failed: $sent"
		assert_eq "$name: raw_tcp tail" "sent $tail" "$sent"
		INV_SENT=$((BURST + tail))
		wait_for "$name: watch --invalid to receive the tail" has_packets $((INV_P1 + tail))
	fi
	kill -INT "$tpid"
	INV_RC=0
	wait "$tpid" || INV_RC=$?
	sanitizer_check "$INV_OUT.err" "watch --invalid ($name)"
	INV_KERNEL=$(($(truth_stat "$SRV" invalid) - inv0))
	INV_NFT=$(($(nft_drops) - nft0))
	[[ $INV_FMT == text ]] && return 0
	jq -s '.[-1]' "$INV_OUT" >"$LAB_TMP/$name.report.json" ||
		die "watch --invalid output is not JSON: $(head -c 500 "$INV_OUT")"
}
rj()
{
	jq -r "$2" "$LAB_TMP/$1.report.json"
}

orig=$(knob_values)

# 1. With a tail: the gap shows, the losses are exact.
run_invalid tail json "$TAIL"
packets=$(rj tail .live.nflog_packets)
lost=$(rj tail .live.nflog_lost)
echo "invalid (tail): sent $INV_SENT, received $packets, lost $lost, enobufs $(rj tail .live.enobufs)," \
	"kernel delta $INV_KERNEL, nft drops $INV_NFT, socket drops $INV_DROPS;" \
	"after the burst: received $INV_P1, lost $INV_L1"
assert_eq "tail: watch --invalid exit status (marked invalid, a rule drops them)" 1 "$INV_RC"
assert_eq "tail: kernel invalid delta (conntrack -S) = segments sent" "$INV_SENT" "$INV_KERNEL"
assert_eq "tail: nft drop counter = segments sent" "$INV_SENT" "$INV_NFT"
assert_eq "tail: report: kernel invalid delta" "$INV_KERNEL" "$(rj tail .live.kernel_invalid_delta)"
assert_ge "tail: report: enobufs (the buffer overran)" 1 "$(rj tail .live.enobufs)"
assert_ge "tail: report: nflog_lost" 1 "$lost"
assert_eq "tail: received + lost = segments sent" "$INV_SENT" $((packets + lost))
assert_eq "tail: lost = the kernel's drops for the socket" "$INV_DROPS" "$lost"
assert_eq "tail: received = burst received + tail" $((INV_P1 + TAIL)) "$packets"
assert_eq "tail: report: total = received" "$packets" "$(rj tail .invalid.total)"
assert_eq "tail: report: nothing left unreported" 0 "$(rj tail .live.nflog_not_reported)"
assert_eq "tail: before the tail no gap showed yet (lost so far)" 0 "$INV_L1"
assert_eq "settings after the watch (tail)" "$orig" "$(knob_values)"

# 2. Without a tail, text: no gap shows; the kernel's counter reveals the
# losses, and the report says so.
run_invalid notail text 0
words=$(tr -s ' \n' ' ' <"$INV_OUT")
received=$(sed -nE 's/.* nflog ([0-9]+) packets received, ([0-9]+) lost \(([0-9]+) ENOBUFS errors\).*/\1 \2 \3/p' <<<"$words")
hidden=$(sed -nE 's/.* note ([0-9]+) invalid packets counted by the kernel were not reported by NFLOG.*/\1/p' <<<"$words")
kernel=$(sed -nE 's/.* conntrack -S invalid grew by ([0-9]+), error by [0-9]+ while listening.*/\1/p' <<<"$words")
read -r packets lost ienobufs <<<"${received:-x x x}"
echo "invalid (no tail, text): sent $INV_SENT, received $packets, lost $lost, not reported ${hidden:-?}," \
	"enobufs $ienobufs, kernel delta $INV_KERNEL, socket drops $INV_DROPS"
assert_eq "notail: watch --invalid exit status" 1 "$INV_RC"
assert_eq "notail: kernel invalid delta = segments sent" "$INV_SENT" "$INV_KERNEL"
assert_eq "notail: nft drop counter = segments sent" "$INV_SENT" "$INV_NFT"
assert_eq "notail: text: kernel invalid delta" "$INV_KERNEL" "${kernel:-none}"
assert_ge "notail: text: ENOBUFS errors" 1 "$ienobufs"
assert_eq "notail: text: received = the live count after the burst" "$INV_P1" "$packets"
assert_ge "notail: text: not reported by NFLOG" 1 "${hidden:-none}"
if [[ "$packets$lost$hidden" =~ ^[0-9]+$ ]]; then
	assert_eq "notail: received + lost + not reported = segments sent" "$INV_SENT" \
		$((packets + lost + hidden))
else
	fail "notail: text report unreadable: $(tail -c 1500 "$INV_OUT")"
fi
assert_eq "notail: not reported = the kernel's drops for the socket" "$INV_DROPS" "${hidden:-none}"
assert_eq "settings after the watches" "$orig" "$(knob_values)"
assert_eq "undo records left open" "" "$(find "$CTADVISOR_STATE_DIR/undo" -name '*.json' -printf '%f\n')"
assert_eq "undo records closed" 2 "$(find "$CTADVISOR_STATE_DIR/undo" -name '*.done' | wc -l)"

lab_finish
