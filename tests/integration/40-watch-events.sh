#!/usr/bin/env bash
# 40-watch-events: `ctadvisor watch --netns SRV --events` while a client in
# a second lab namespace first opens K1 TCP connections and closes them,
# sends M unreplied UDP datagrams (one flow each), waits until all of those
# are gone from SRV's table, then opens exactly K TCP connections to SRV and
# holds them. Nothing else runs in SRV, so the summary must count exactly
# K1 + K NEW TCP and M NEW UDP events (and no other NEW event), lose none,
# sort the flows into classes by the state they reached (K1 + K reached
# ESTABLISHED: K1 closed, K still open; M UDP never assured, all timed out),
# and its peak_count must equal the highest `conntrack -C` seen in SRV while
# it ran (the held flows keep the count still, and K > K1 + M). Timing-free:
# only counts are asserted; the watch is stopped with SIGINT only after it
# has printed a sample that includes the K flows.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

K=40
K1=10
M=20
TCP_PORT=5040
TCP_PORT_CLOSED=5140
UDP_PORT=5240

lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.40.1/24
lab_addr "$SRV" v1 10.213.40.2/24
lab_ct_enable "$SRV"
# Short timeouts in SRV (its own, per namespace) so that the closed TCP and
# the UDP flows leave the table soon; the held flows stay ESTABLISHED.
for knob in tcp_timeout_close_wait tcp_timeout_last_ack tcp_timeout_time_wait udp_timeout; do
	in_ns "$SRV" sysctl -qw "net.netfilter.nf_conntrack_$knob=1" || die "cannot set $knob in $SRV"
done

assert_eq "conntrack -C in $SRV before the test (lab sanity)" 0 "$(in_ns "$SRV" conntrack -C)"
lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.40.2 "$TCP_PORT"
wait_line tcpsrv listening
lab_bg "$SRV" tcpsrv1 "$TOOLS/tcp_hold" server 10.213.40.2 "$TCP_PORT_CLOSED"
wait_line tcpsrv1 listening

# The watch runs in our namespace and enters SRV itself (--netns).
timeout -k 10 600 "$CTADVISOR" watch --netns "$SRV" --events --interval 200ms --duration 600s \
	--format json --save "$LAB_TMP/summary.json" >"$LAB_TMP/watch.out" 2>"$LAB_TMP/watch.err" &
LAB_PIDS+=($!)
LAB_PID_OF[watch]=$!
wait_line watch '{"type":"sample"'

# conntrack -C polled throughout; the highest value is the ground truth.
highest=0
poll_count()
{
	local c
	c=$(in_ns "$SRV" conntrack -C) || die "conntrack -C in $SRV failed"
	((c > highest)) && highest=$c
	return 0
}
poll_count
# K1 TCP flows that reach ESTABLISHED and are closed: the client exits (FIN),
# then the server (FIN back), so each entry ends after TIME_WAIT (or
# CLOSE_WAIT/LAST_ACK) has timed out.
lab_bg "$CLI" tcpcli1 "$TOOLS/tcp_hold" client 10.213.40.2 "$TCP_PORT_CLOSED" "$K1"
wait_line tcpcli1 ready
established1()
{
	poll_count
	ct_has "$SRV" "ESTABLISHED.*dport=$TCP_PORT_CLOSED " "$K1"
}
wait_for "$K1 ESTABLISHED entries to port $TCP_PORT_CLOSED in $SRV" established1
kill "${LAB_PID_OF[tcpcli1]}"
wait "${LAB_PID_OF[tcpcli1]}" 2>/dev/null || true
no_established1()
{
	poll_count
	! ct_has "$SRV" "ESTABLISHED.*dport=$TCP_PORT_CLOSED " 1
}
wait_for "the $K1 flows to port $TCP_PORT_CLOSED leaving ESTABLISHED" no_established1
kill "${LAB_PID_OF[tcpsrv1]}"
wait "${LAB_PID_OF[tcpsrv1]}" 2>/dev/null || true
# M unreplied UDP flows (nothing listens: SRV answers with ICMP errors,
# which are related to the flow, not new flows).
sent=$(in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.40.2 "$UDP_PORT" "$M" 20000 "$M") ||
	die "udp_send failed: $sent"
assert_eq "udp_send (lab sanity)" "sent $M" "$sent"
# A dump evicts expired entries, and each eviction sends its DESTROY event.
table_empty()
{
	in_ns "$SRV" conntrack -L >/dev/null 2>&1
	poll_count
	(($(in_ns "$SRV" conntrack -C) == 0))
}
wait_for "the closed TCP and the UDP flows gone from $SRV" table_empty
lab_bg "$CLI" tcpcli "$TOOLS/tcp_hold" client 10.213.40.2 "$TCP_PORT" "$K"
wait_line tcpcli ready
established()
{
	poll_count
	ct_has "$SRV" "ESTABLISHED.*dport=$TCP_PORT " "$K"
}
wait_for "$K ESTABLISHED entries in $SRV" established
# A sample taken after the flows exist: the watch has seen them.
watch_saw_all()
{
	poll_count
	jq -e -s --argjson k "$K" 'map(select(.type == "sample" and .count >= $k)) | length > 0' \
		"$LAB_TMP/watch.out"
}
wait_for "a watch sample with count >= $K" watch_saw_all
poll_count
kill -INT "${LAB_PID_OF[watch]}"
rc=0
wait "${LAB_PID_OF[watch]}" || rc=$?
((rc <= 2)) || die "watch exited $rc: $(head -c 2000 "$LAB_TMP/watch.err")"
grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/watch.err" &&
	fail "watch: sanitizer report: $(head -c 2000 "$LAB_TMP/watch.err")"
poll_count

summary=$(jq -c -s 'map(select(.type == "summary")) | last' "$LAB_TMP/watch.out") ||
	die "watch output is not JSON lines: $(head -c 500 "$LAB_TMP/watch.out")"
[[ "$summary" != null ]] || die "watch printed no summary: $(tail -c 500 "$LAB_TMP/watch.out")"
sj()
{
	jq -r "$1" <<<"$summary"
}

assert_eq "highest conntrack -C in $SRV (lab sanity: only our flows)" "$K" "$highest"
assert_eq "summary events.new.tcp (closed + held)" $((K1 + K)) "$(sj .events.new.tcp)"
assert_eq "summary events.new.udp" "$M" "$(sj .events.new.udp)"
assert_eq "summary events.new (all classes)" $((K1 + K + M)) "$(sj '[.events.new[]] | add')"
assert_eq "summary events.enobufs" 0 "$(sj .events.enobufs)"
assert_eq "summary events.untracked" 0 "$(sj .events.untracked)"
assert_eq "summary events.destroy.tcp (the closed ones; held flows still open)" "$K1" \
	"$(sj .events.destroy.tcp)"
assert_eq "summary events.destroy.udp" "$M" "$(sj .events.destroy.udp)"
# By the state reached, and how each flow ended.
cls()
{
	sj ".events.classes.$1"
}
assert_eq "class tcp_established: flows" $((K1 + K)) "$(cls tcp_established.flows)"
assert_eq "class tcp_established: closed" "$K1" "$(cls tcp_established.closed.n)"
assert_eq "class tcp_established: still open (censored)" "$K" "$(cls tcp_established.open.n)"
assert_eq "class tcp_established: timed out in ESTABLISHED" 0 "$(cls tcp_established.timed_out.n)"
assert_eq "class tcp_established: a lower bound (open flows)" true "$(cls tcp_established.lower_bound)"
assert_eq "class udp (not assured): flows" "$M" "$(cls udp.flows)"
assert_eq "class udp: timed out" "$M" "$(cls udp.timed_out.n)"
assert_eq "class udp: open" 0 "$(cls udp.open.n)"
assert_eq "class udp: its timeout as set in $SRV" 1 "$(cls udp.timeout_s)"
assert_eq "class udp: knob" net.netfilter.nf_conntrack_udp_timeout "$(cls udp.knob)"
for c in tcp_other udp_stream icmp other; do
	assert_eq "class $c: flows" 0 "$(cls "$c.flows")"
done
assert_eq "summary schema" 2 "$(sj .schema)"
assert_eq "summary peak_count vs highest conntrack -C" "$highest" "$(sj .peak_count)"
assert_eq "summary last_count vs conntrack -C now" "$(in_ns "$SRV" conntrack -C)" "$(sj .last_count)"
assert_eq "summary max vs sysctl nf_conntrack_max" \
	"$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_max)" "$(sj .max)"
# --save wrote the same summary, for plan --from.
assert_eq "saved summary equals the printed one" true \
	"$(jq --argjson s "$summary" '. == $s' "$LAB_TMP/summary.json")"

lab_finish
