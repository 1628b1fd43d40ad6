#!/usr/bin/env bash
# 82-faults-netlink: the table walk under churn, and event losses under a
# flood (issue 7, Faults: netlink).
#
# Walk: BASE UDP flows (one datagram each, udp_timeout raised so none
# expires) fill the server namespace; a background churner keeps adding a
# batch of CHURN more flows and deleting exactly that batch (conntrack -D),
# so the table holds between BASE and BASE + CHURN entries all along. While
# it runs, `check --format json` walks the table RUNS times. Each walk's
# entry count must lie in [BASE, BASE + CHURN] (never negative, never
# wrapped), conntrack -C before and after in the same band, walk.interrupted
# a boolean, walk.attempts (dumps run; an interrupted dump is retried) in
# 1..3, and a walk is never reported as exact (no walk-interrupted finding,
# no "approximate" in the text) when it was interrupted: an interrupted walk
# used all 3 attempts and has the finding; one without the finding was
# neither interrupted nor lost messages nor failed. The text report of the
# same kind of walk says "approximate" exactly when it was interrupted.
#
# Events: with the churner stopped, `watch --events` (the receive buffer as
# it is) counts a burst of FLOOD new flows. events.enobufs must be reported
# (>= 0) and losses never hidden: new.udp <= FLOOD, and when new.udp <
# FLOOD, enobufs > 0.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

BASE=100000
CHURN=5000
RUNS=5
FLOOD=50000
NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
CLI_IP=$NET.1
SRV_IP=$NET.2
PORT_BASE=7000  # BASE flows: ports 7000.. (60000 source ports each)
PORT_CHURN=9000 # the churned batch
PORT_FLOOD=9500 # the event burst

lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" c0 "$SRV" s0
lab_addr "$CLI" c0 "$CLI_IP/24"
lab_addr "$SRV" s0 "$SRV_IP/24"
lab_ct_enable "$SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $SRV"
# Unanswered datagrams must not make ICMP errors the table would not need.
in_ns "$SRV" sysctl -qw net.ipv4.icmp_ratelimit=1000000 || true
max=$(sysctl -n net.netfilter.nf_conntrack_max)
((max >= BASE + CHURN + FLOOD + 10000)) ||
	die "nf_conntrack_max ($max) is too small for this lab ($((BASE + CHURN + FLOOD)) entries)"

ct_count()
{
	in_ns "$SRV" conntrack -C
}

in_ns "$CLI" "$TOOLS/udp_send" flows "$SRV_IP" "$PORT_BASE" "$BASE" 2000 60000 >/dev/null ||
	die "udp_send (base flows) failed"
test_count_ge() { (($(ct_count) >= $1)); }
wait_for "$BASE entries in $SRV" test_count_ge "$BASE"
assert_eq "lab sanity: the table holds exactly the base flows" "$BASE" "$(ct_count)"

# The churner: add the batch, delete the batch, forever (killed at exit).
cat >"$LAB_TMP/churn.sh" <<EOF
set -u
n=0
while :; do
	ip netns exec "$CLI" "$TOOLS/udp_send" flows "$SRV_IP" "$PORT_CHURN" "$CHURN" 2000 "$CHURN" >/dev/null || exit 1
	conntrack -D -p udp --orig-port-dst "$PORT_CHURN" >/dev/null 2>&1
	n=\$((n + 1))
	echo "round \$n"
done
EOF
lab_bg "$SRV" churn bash "$LAB_TMP/churn.sh"
wait_line churn "round 2"

export ASAN_OPTIONS UBSAN_OPTIONS
interrupted_seen=0
retried_seen=0
for ((run = 1; run <= RUNS; run++)); do
	before=$(ct_count)
	run_check --netns "$SRV" --format json --no-nat
	after=$(ct_count)
	require_json
	entries=$(check_jq '.walk.entries')
	intr=$(check_jq '.walk.interrupted | type')
	echo "run $run: conntrack -C $before -> $after, walk.entries $entries, interrupted $(check_jq '.walk.interrupted')"
	for v in "$before" "$after" "$entries"; do
		if [[ "$v" =~ ^[0-9]+$ ]] && ((v >= BASE && v <= BASE + CHURN)); then
			echo "ok: run $run: $v in [$BASE, $((BASE + CHURN))]"
		else
			fail "run $run: $v outside [$BASE, $((BASE + CHURN))] (conntrack -C $before -> $after, walk $entries)"
		fi
	done
	assert_eq "run $run: walk.interrupted is a boolean" boolean "$intr"
	attempts=$(check_jq '.walk.attempts')
	echo "run $run: walk.attempts $attempts"
	if [[ "$attempts" =~ ^[0-9]+$ ]] && ((attempts >= 1 && attempts <= 3)); then
		echo "ok: run $run: walk.attempts $attempts in [1, 3]"
	else
		fail "run $run: walk.attempts '$attempts' is not in [1, 3]"
	fi
	((attempts > 1)) 2>/dev/null && retried_seen=$((retried_seen + 1))
	finding=$(check_jq '[.findings[] | select(.id == "walk-interrupted")] | length')
	if [[ $(check_jq '.walk.interrupted') == true ]]; then
		interrupted_seen=$((interrupted_seen + 1))
		assert_eq "run $run: an interrupted walk has its finding" 1 "$finding"
		assert_eq "run $run: an interrupted walk was tried 3 times" 3 "$attempts"
		assert_eq "run $run: an interrupted walk's finding says approximate" 1 \
			"$(check_jq '[.findings[] | select(.id == "walk-interrupted") |
				select(.summary | test("approximate"))] | length')"
	elif [[ "$finding" == 0 ]]; then
		# Reported exact: then nothing may have gone wrong with the dump kept.
		assert_eq "run $run: a walk without the finding lost nothing" 0 \
			"$(check_jq '.walk.lost')"
		assert_eq "run $run: a walk without the finding had no error" null \
			"$(check_jq '.walk.error')"
	fi
	assert_eq "run $run: walk.lost is a count" number "$(check_jq '.walk.lost | type')"
	kill -0 "${LAB_PID_OF[churn]}" 2>/dev/null || die "the churner died: $(cat "$LAB_TMP/churn.out")"
done
echo "note: $interrupted_seen of $RUNS walks were interrupted (NLM_F_DUMP_INTR) by the churn in all 3 attempts, $retried_seen needed more than one"
# The text report of a walk under the same churn: "approximate" exactly when
# the table changed in every attempt, and then the attempts are named.
RC=0
"$CTADVISOR" check --netns "$SRV" --no-nat >"$LAB_TMP/text.out" 2>"$LAB_TMP/text.err" || RC=$?
((RC <= 3)) || fail "check (text) exit $RC: $(head -c 1000 "$LAB_TMP/text.err")"
if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/text.err"; then
	fail "check (text): sanitizer report"
fi
grep -q '^Table walk' "$LAB_TMP/text.out" || fail "check (text): no Table walk section"
if grep -q 'the table changed during each of 3 dumps: figures are approximate' "$LAB_TMP/text.out"; then
	echo "ok: text: the interrupted walk says approximate, after 3 dumps"
elif grep -q 'approximate' "$LAB_TMP/text.out"; then
	grep 'approximate' "$LAB_TMP/text.out"
	# Only the walk-interrupted finding (lost messages) may say it otherwise.
	grep -q 'netlink messages were lost' "$LAB_TMP/text.out" ||
		fail "text: 'approximate' without an interrupted walk or lost messages"
else
	echo "ok: text: the walk was not interrupted in every attempt and says no 'approximate'"
fi
rounds=$(grep -c '^round' "$LAB_TMP/churn.out" || true)
# The churner's bash may leave a running child (conntrack -I) behind it.
pkill -P "${LAB_PID_OF[churn]}" 2>/dev/null || true
kill "${LAB_PID_OF[churn]}" 2>/dev/null || true
wait "${LAB_PID_OF[churn]}" 2>/dev/null || true
echo "note: the churner made $rounds rounds of $CHURN adds and deletes"
assert_ge "churn rounds while walking (the walks did meet a changing table)" 3 "$rounds"
# Delete the churned batch until none is left (a child killed late may have
# added some after a first delete); a table that never settles fails the lab.
churn_cleared()
{
	in_ns "$SRV" conntrack -D -p udp --orig-port-dst "$PORT_CHURN" >/dev/null 2>&1 || true
	[[ "$(ct_count)" == "$BASE" ]]
}
wait_for "the churned entries to be gone" churn_cleared
assert_eq "after the churn: the base flows remain" "$BASE" "$(ct_count)"

# Events: a burst of FLOOD new flows.
timeout -k 5 120 "$CTADVISOR" watch --events --netns "$SRV" --duration 6s --format json \
	>"$LAB_TMP/events.json" 2>"$LAB_TMP/events.err" &
wpid=$!
LAB_PIDS+=("$wpid")
sleep 1.5 # subscribed well before the burst (watch samples from the start)
in_ns "$CLI" "$TOOLS/udp_send" flows "$SRV_IP" "$PORT_FLOOD" "$FLOOD" 2000 60000 >/dev/null ||
	die "udp_send (flood) failed"
created=$(($(ct_count) - BASE))
rc=0
wait "$wpid" || rc=$?
((rc <= 2)) || fail "watch --events exit $rc: $(head -c 1000 "$LAB_TMP/events.err")"
if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/events.err"; then
	fail "watch --events: sanitizer report"
fi
assert_eq "flood: every flow made an entry" "$FLOOD" "$created"
jq -e -s '.[-1].events | type == "object"' "$LAB_TMP/events.json" >/dev/null ||
	die "watch --events printed no summary with events: $(tail -c 500 "$LAB_TMP/events.json")"
enobufs=$(jq -s '.[-1].events.enobufs' "$LAB_TMP/events.json")
new_udp=$(jq -s '.[-1].events.new.udp' "$LAB_TMP/events.json")
echo "events: new.udp $new_udp of $FLOOD flows, enobufs $enobufs"
assert_ge "events.enobufs reported" 0 "$enobufs"
assert_ge "events.new.udp" 0 "$new_udp"
if ((new_udp > FLOOD)); then
	fail "events.new.udp $new_udp is more than the $FLOOD flows created"
elif ((new_udp < FLOOD && enobufs == 0)); then
	fail "events lost without a trace: new.udp $new_udp < $FLOOD flows and enobufs 0"
else
	echo "ok: new.udp $new_udp <= $FLOOD, and any shortfall has enobufs ($enobufs) > 0"
fi

lab_finish
