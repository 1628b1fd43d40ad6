#!/usr/bin/env bash
# 04-netns-spec: --netns accepts a namespace NAME, its /run/netns/NAME path
# and the PID of a process inside it; all three must report the same
# namespace (occupancy.count equal to that namespace's conntrack -C, which
# differs from the caller's). A name or PID that does not exist gives exit 3
# (UNKNOWN), a one-line error naming it, and the UNKNOWN report in every
# format on stdout (the plugin line, the JSON envelope, status 3); with
# --output the file turns UNKNOWN and keeps the last success time.
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
	for fmt in text json prometheus; do
		run_check --netns "$spec" --format "$fmt"
		assert_eq "--netns $spec --format $fmt: exit status" 3 "$CHECK_RC"
		case $fmt in
		text)
			assert_eq "--netns $spec text: the plugin line" 1 \
				"$(head -n 1 "$LAB_TMP/check.out" | grep -cF "CONNTRACK UNKNOWN - netns $spec: ")" ;;
		json)
			require_json --netns "$spec" --format json
			assert_eq "--netns $spec json: status, exit_code, problem" "UNKNOWN 3 netns true" \
				"$(check_jq --arg s "$spec" '"\(.status) \(.exit_code) \(.problems[0].what) \(.problems[0].detail | contains($s))"')" ;;
		prometheus)
			assert_eq "--netns $spec prometheus: status sample" 1 \
				"$(grep -cE '^ctadvisor_check_status\{netns="[^"]*"\} 3$' "$LAB_TMP/check.out")" ;;
		esac
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

# --output: a good run writes the last-success time; a failed one replaces
# the file with status 3 and keeps that time, so the textfile collector
# never serves a stale OK.
prom="$LAB_TMP/textfile/ctadvisor.prom"
mkdir -p "$LAB_TMP/textfile"
last() { sed -nE 's/^ctadvisor_check_last_success_timestamp_seconds\{[^}]*\} ([0-9]+)$/\1/p' "$prom"; }
before=$(date +%s)
run_check --netns "$SRV" --format prometheus --output "$prom"
assert_eq "--output, good run: status sample" 1 "$(grep -cE '^ctadvisor_check_status\{[^}]*\} [012]$' "$prom")"
good=$(last)
assert_ge "--output, good run: last success is now" "$before" "${good:-0}"
sleep 1
run_check --netns "$bad_name" --format prometheus --output "$prom"
assert_eq "--output, failed run: exit status" 3 "$CHECK_RC"
assert_eq "--output, failed run: the file says UNKNOWN" 1 "$(grep -cE '^ctadvisor_check_status\{[^}]*\} 3$' "$prom")"
assert_eq "--output, failed run: the last success kept" "$good" "$(last)"
assert_eq "--output: no temporary file left" "ctadvisor.prom" "$(ls -A "$LAB_TMP/textfile")"

lab_finish
