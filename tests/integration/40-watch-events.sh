#!/usr/bin/env bash
# 40-watch-events: `ctadvisor watch --netns SRV --events` while a client in
# a second lab namespace opens exactly K TCP connections to SRV and holds
# them. Nothing else runs in SRV, so the summary must count exactly K NEW
# TCP events (and no other NEW event), lose none, and its peak_count must
# equal the highest `conntrack -C` seen in SRV while it ran (the held flows
# keep the count still). Timing-free: the watch is stopped with SIGINT only
# after it has printed a sample that includes the K flows.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

K=40
TCP_PORT=5040

lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.40.1/24
lab_addr "$SRV" v1 10.213.40.2/24
lab_ct_enable "$SRV"

assert_eq "conntrack -C in $SRV before the test (lab sanity)" 0 "$(in_ns "$SRV" conntrack -C)"
lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.40.2 "$TCP_PORT"
wait_line tcpsrv listening

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
assert_eq "summary events.new.tcp" "$K" "$(sj .events.new.tcp)"
assert_eq "summary events.new (all classes)" "$K" "$(sj '[.events.new[]] | add')"
assert_eq "summary events.enobufs" 0 "$(sj .events.enobufs)"
assert_eq "summary events.destroy.tcp (flows still held)" 0 "$(sj .events.destroy.tcp)"
assert_eq "summary peak_count vs highest conntrack -C" "$highest" "$(sj .peak_count)"
assert_eq "summary last_count vs conntrack -C now" "$(in_ns "$SRV" conntrack -C)" "$(sj .last_count)"
assert_eq "summary max vs sysctl nf_conntrack_max" \
	"$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_max)" "$(sj .max)"
# --save wrote the same summary, for plan --from.
assert_eq "saved summary equals the printed one" true \
	"$(jq --argjson s "$summary" '. == $s' "$LAB_TMP/summary.json")"

lab_finish
