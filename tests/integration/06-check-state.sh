#!/usr/bin/env bash
# 06-check-state: the life of check's state file (issue 16, "judge the
# change since the last run"). The state is kept per network namespace,
# keyed by the namespace's inode (and cookie) and the boot id; each check
# below is compared with conntrack -S of the lab namespace, whose invalid
# counter the test moves with crafted SYN+FIN segments (and the RSTs they
# draw: conntrack -S is the count asserted; invalid-high is a
# counter finding with delta and since_boot).
#  1. A recreated namespace (same name, new namespace) starts fresh: window
#     "first" (a new inode) or "reset" (the inode reused, another cookie),
#     its lower counters judged on their totals, never a wrapped delta.
#  2. A fake reboot (another boot id under CTADVISOR_ROOT, the rest of the
#     tree a copy of the namespace's own sysctls) starts fresh, "the host
#     rebooted"; the same boot id again gives a window; the real one after
#     the fake one starts fresh again.
#  3. 10 rounds of two concurrent checks leave one valid state file (JSON,
#     this namespace's inode, no temporary file), none says it could not
#     keep it, and the next run has a window, no "corrupt" note.
#  4. An unwritable state directory degrades: as an unprivileged user with
#     CAP_NET_ADMIN (what the nagios user would be) and as root on a
#     read-only mount, check judges since boot, says why (window
#     "not_kept", the directory and the error), writes nothing, exit not 3.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

STATE="$CTADVISOR_STATE_DIR/check"

lab_udp_pair 10.206.1
ino=$(netns_inode "/run/netns/$LAB")

# invalid N: N segments conntrack in LAB finds invalid (SYN and FIN).
invalid()
{
	in_ns "$CLI" "$TOOLS/raw_tcp" send 10.206.1.1 10.206.1.2 40000 5000 SYN,FIN "$1" >/dev/null ||
		die "raw_tcp failed"
}

# check_window WHAT STATE [window]: the last check's window state, and the
# invalid-high finding's since_boot and delta against conntrack -S: the
# change since the last check with "window", else null (no window).
LAST_INVALID=0
check_window()
{
	local what=$1 now delta=null
	now=$(truth_stat "$LAB" invalid)
	[[ -z "${3:-}" ]] || delta=$((now - LAST_INVALID))
	LAST_INVALID=$now
	require_json
	assert_eq "$what: window state" "$2" "$(check_jq .window.state)"
	assert_eq "$what: invalid-high delta" "$delta" \
		"$(check_jq '.findings[] | select(.id == "invalid-high") | .delta')"
	assert_eq "$what: invalid-high since_boot vs conntrack -S" "$now" \
		"$(check_jq '.findings[] | select(.id == "invalid-high") | .since_boot')"
}

# --- 1. a recreated namespace ---
old_ino=$ino
invalid 30
run_check --netns "$LAB" --format json
check_window "old namespace, first run" first
assert_eq "old namespace: its state file" 1 "$(find "$STATE" -name "netns-$old_ino.json" | wc -l)"
ip netns del "$LAB" || die "cannot delete $LAB"
lab_udp_join 10.206.1
ino=$(netns_inode "/run/netns/$LAB")
invalid 5
echo "old namespace inode $old_ino, new $ino"
run_check --netns "$LAB" --format json
if ((ino == old_ino)); then
	check_window "recreated namespace (inode reused)" reset
	assert_eq "recreated namespace: the note" 1 \
		"$(check_jq .window.note | grep -c 'namespace was recreated')"
else
	check_window "recreated namespace (new inode)" first
fi
assert_eq "recreated namespace: invalid-high is at most a warning" 0 \
	"$(check_jq '[.findings[] | select(.id == "invalid-high" and .severity == "critical")] | length')"
sleep 1 # the window is counted in whole seconds
invalid 2
run_check --netns "$LAB" --format json
check_window "recreated namespace, next run" ok window

# --- 2. a fake reboot: another boot id under CTADVISOR_ROOT ---
TREE="$LAB_TMP/root"
mkdir -p "$TREE/proc/sys/kernel/random" "$TREE/proc/sys/net/netfilter"
in_ns "$LAB" bash -c 'cd /proc/sys/net/netfilter && find . -type d -exec mkdir -p "$1/{}" \; &&
	find . -type f -perm -0400 | while read -r f; do cat "$f" >"$1/$f"; done' _ \
	"$TREE/proc/sys/net/netfilter" || die "cannot copy the sysctls of $LAB"
fake_boot()
{
	printf '%08x-0000-4000-8000-%012x\n' "$RANDOM$RANDOM" "$1" >"$TREE/proc/sys/kernel/random/boot_id"
}
fake_boot 1
CTADVISOR_ROOT=$TREE run_check --netns "$LAB" --format json
check_window "fake reboot" reset
assert_eq "fake reboot: the note" 1 "$(check_jq .window.note | grep -c 'the host rebooted')"
sleep 1
invalid 3
CTADVISOR_ROOT=$TREE run_check --netns "$LAB" --format json
check_window "same fake boot id again" ok window
state_boot=$(jq -r .boot_id "$STATE/netns-$ino.json")
assert_eq "the state file keeps the fake boot id" "$(cat "$TREE/proc/sys/kernel/random/boot_id")" "$state_boot"
run_check --netns "$LAB" --format json
check_window "the real boot id after the fake one" reset
sleep 1

# --- 3. concurrent checks ---
rounds=10
for ((r = 0; r < rounds; r++)); do
	pids=()
	for side in a b; do
		"$CTADVISOR" check --netns "$LAB" --format json </dev/null >"$LAB_TMP/pair$r$side.out" \
			2>"$LAB_TMP/pair$r$side.err" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do
		rc=0
		wait "$pid" || rc=$?
		((rc <= 2)) || fail "concurrent check, round $r: exit $rc"
	done
done
bad=0
for f in "$LAB_TMP"/pair*.out; do
	jq -e '.schema == 1' "$f" >/dev/null 2>&1 || bad=$((bad + 1))
done
assert_eq "concurrent checks: reports that are not schema-1 JSON" 0 "$bad"
assert_eq "concurrent checks: stderr lines (cannot keep the state, sanitizer...)" 0 \
	"$(cat "$LAB_TMP"/pair*.err | wc -l)"
assert_eq "concurrent checks: files in the state directory" "netns-$ino.json" \
	"$(find "$STATE" -mindepth 1 -newer "$LAB_TMP/pair0a.out" -printf '%f\n' | sort | xargs)"
assert_eq "concurrent checks: no temporary file left" 0 "$(find "$STATE" -name '.*' | wc -l)"
assert_eq "concurrent checks: the state file is this namespace's check state" \
	"check-state $ino $(cat /proc/sys/kernel/random/boot_id)" \
	"$(jq -r '"\(.kind) \(.netns_inode) \(.boot_id)"' "$STATE/netns-$ino.json")"
sleep 1
invalid 4
run_check --netns "$LAB" --format json
check_window "after the concurrent checks" ok window
assert_eq "after the concurrent checks: no corrupt note" 0 "$(check_jq .window.note | { grep -c corrupt || true; })"

# --- 4. an unwritable state directory ---
# Readable (not writable) by nobody: LAB_TMP itself is not.
RO=$(mktemp -d "/tmp/$LAB_ID-ro.XXXXXX")
lab_on_exit "rm -rf '$RO'"
chmod 755 "$RO"
mkdir -m 755 "$RO/state"
# shellcheck disable=SC2054 # the commas are setpriv's
NAGIOS=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,+net_admin
	--ambient-caps=-all,+net_admin)
degraded()
{
	local what=$1 dir=$2 err=$3 fmt
	shift 3
	for fmt in json text; do
		RC=0
		CTADVISOR_STATE_DIR=$dir timeout -k 10 120 "$@" "$CTADVISOR" check --format "$fmt" \
			</dev/null >"$LAB_TMP/ro.$fmt" 2>"$LAB_TMP/ro.$fmt.err" || RC=$?
		cat "$LAB_TMP/ro.$fmt" "$LAB_TMP/ro.$fmt.err"
		if ((RC < 3)); then echo "ok: $what, $fmt: exit $RC"; else fail "$what, $fmt: exit $RC"; fi
	done
	jq -e '.schema == 1' "$LAB_TMP/ro.json" >/dev/null || die "$what: no JSON report"
	assert_eq "$what: window state" not_kept "$(jq -r .window.state "$LAB_TMP/ro.json")"
	assert_eq "$what: the note names the directory and the error" 1 \
		"$(jq -r .window.note "$LAB_TMP/ro.json" | grep -cF "no state kept in $dir/check ($err)")"
	assert_eq "$what: counters from the kernel (CAP_NET_ADMIN)" "$(truth_stat "$LAB" invalid)" \
		"$(jq -r .counters.total.invalid "$LAB_TMP/ro.json")"
	assert_eq "$what: invalid-high judged since boot (no window)" "null $(truth_stat "$LAB" invalid)" \
		"$(jq -r '.findings[] | select(.id == "invalid-high") | "\(.window_seconds) \(.since_boot)"' "$LAB_TMP/ro.json")"
	assert_eq "$what: the text says why" 1 \
		"$(tr -s ' \n' ' ' <"$LAB_TMP/ro.text" | grep -cF "no state kept in $dir/check")"
	assert_eq "$what: nothing written" "" "$(find "$dir" -mindepth 1 -printf '%P ')"
}
degraded "as nobody with CAP_NET_ADMIN" "$RO/state" "Permission denied" \
	ip netns exec "$LAB" "${NAGIOS[@]}"
mkdir -p "$RO/rofs"
mount --bind "$RO/rofs" "$RO/rofs" || die "cannot bind-mount $RO/rofs"
lab_on_exit "umount '$RO/rofs'"
mount -o remount,bind,ro "$RO/rofs" || die "cannot make $RO/rofs read-only"
degraded "as root on a read-only mount" "$RO/rofs" "Read-only file system" ip netns exec "$LAB"

lab_finish
