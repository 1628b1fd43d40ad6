#!/usr/bin/env bash
# 04-netns-spec: --netns accepts a namespace NAME, its /run/netns/NAME path
# and the PID of a process inside it; all three must report the same
# namespace (occupancy.count equal to that namespace's conntrack -C, which
# differs from the caller's). A name or PID that does not exist gives exit 3
# (UNKNOWN) and a one-line error naming it.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

FLOWS=7

lab_netns CLI cli
lab_netns SRV srv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.4.1/24
lab_addr "$SRV" v1 10.213.4.2/24
lab_ct_enable "$SRV"
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 ||
	die "cannot raise nf_conntrack_udp_timeout in $SRV"
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.4.2 9999 "$FLOWS" 30000 "$FLOWS" >/dev/null ||
	die "udp_send failed"
wait_for "$FLOWS UNREPLIED entries in $SRV" ct_has "$SRV" UNREPLIED "$FLOWS"

# A process inside the namespace: `ip netns exec` execs sleep in place, so
# $! is that process once it has entered the namespace.
lab_bg "$SRV" sleeper sleep 600
sleeper=${LAB_PID_OF[sleeper]}
want_ino=$(netns_inode "/run/netns/$SRV")
pid_in_ns()
{
	[[ "$(netns_inode "/proc/$sleeper/ns/net")" == "$want_ino" ]]
}
wait_for "pid $sleeper to enter $SRV" pid_in_ns

expected=$(in_ns "$SRV" conntrack -C)
assert_eq "conntrack -C in $SRV (lab sanity)" "$FLOWS" "$expected"

for spec in "$SRV" "/run/netns/$SRV" "$sleeper"; do
	run_check --netns "$spec" --format json
	require_json --netns "$spec" --format json
	assert_eq "--netns $spec: occupancy.count vs conntrack -C" "$expected" \
		"$(check_jq .occupancy.count)"
	assert_eq "--netns $spec: walk.entries vs conntrack -C" "$expected" \
		"$(check_jq .walk.entries)"
	assert_eq "--netns $spec: netns.is_init" false "$(check_jq .netns.is_init)"
	# Only the lab namespace has these flows: proof the right one was read.
	assert_eq "--netns $spec: top_dports udp/9999" "$FLOWS" \
		"$(check_jq '[.walk.top_dports[] | select(.proto == "udp" and .port == 9999) | .count] | first // "absent"')"
	assert_eq "--netns $spec: JSON exit_code vs exit status" "$CHECK_RC" \
		"$(check_jq .exit_code)"
done

# Names and PIDs that do not exist.
bad_name="$LAB_ID-no-such-ns"
bad_pid=2147483646
for spec in "$bad_name" "/run/netns/$bad_name" "$bad_pid"; do
	for fmt in text json; do
		run_check --netns "$spec" --format "$fmt"
		assert_eq "--netns $spec --format $fmt: exit status" 3 "$CHECK_RC"
		err=$(cat "$LAB_TMP/check.err")
		first=$(head -n 1 "$LAB_TMP/check.err")
		if [[ "$first" == *"$spec"* ]]; then
			echo "ok: --netns $spec --format $fmt: error names it: $first"
		else
			fail "--netns $spec --format $fmt: expected a first stderr line naming '$spec', actual: $err"
		fi
		lines=$(wc -l <"$LAB_TMP/check.err")
		if ((lines <= 2)); then
			echo "ok: --netns $spec --format $fmt: $lines stderr line(s)"
		else
			fail "--netns $spec --format $fmt: expected a one-line error (plus at most a hint), actual $lines lines: $err"
		fi
	done
done

lab_finish
