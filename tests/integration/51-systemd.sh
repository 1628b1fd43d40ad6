#!/usr/bin/env bash
# 51-systemd: the shipped textfile-collector units, as `make install` writes
# them, pass `systemd-analyze verify` (with the installed man page found
# through MANPATH and ExecStart pointed at the binary under test), carry
# the hardening the README promises, and their ExecStart, run by hand
# against a lab namespace, replaces the .prom file atomically: one complete
# file, mode 0644, no temp file left behind. The same for the continuous
# metrics service (ctadvisor-watch.service): verify, its hardening, an
# exposure of `systemd-analyze security` no worse than the README's figure,
# and its ExecStart (at a short interval) rewriting the file by rename until
# SIGTERM, as systemd stops it, ends it with status 0; the system calls it
# makes (strace) all pass its SystemCallFilter=.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
source "$(dirname "$0")/lib.sh"

command -v systemd-analyze >/dev/null || die "systemd-analyze missing (Debian package systemd)"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
DEST="$LAB_TMP/dest"
make -s -C "$SRC" BUILD="$(dirname "$CTADVISOR")" DESTDIR="$DEST" PREFIX=/usr install \
	>"$LAB_TMP/install.log" 2>&1 || die "make install failed: $(cat "$LAB_TMP/install.log")"
UNITS="$LAB_TMP/units"
mkdir -p "$UNITS"
sed "s|/usr/sbin/ctadvisor|$CTADVISOR|" "$DEST/usr/lib/systemd/system/ctadvisor-textfile.service" \
	>"$UNITS/ctadvisor-textfile.service"
cp "$DEST/usr/lib/systemd/system/ctadvisor-textfile.timer" "$UNITS/"
sed "s|/usr/sbin/ctadvisor|$CTADVISOR|" "$DEST/usr/lib/systemd/system/ctadvisor-watch.service" \
	>"$UNITS/ctadvisor-watch.service"

rc=0
MANPATH="$DEST/usr/share/man:" systemd-analyze verify "$UNITS/ctadvisor-textfile.service" \
	"$UNITS/ctadvisor-textfile.timer" "$UNITS/ctadvisor-watch.service" >"$LAB_TMP/verify.out" 2>&1 || rc=$?
assert_eq "systemd-analyze verify exit status" 0 "$rc"
assert_eq "systemd-analyze verify messages" "" "$(cat "$LAB_TMP/verify.out")"

svc="$UNITS/ctadvisor-textfile.service"
for line in 'Type=oneshot' 'ProtectSystem=strict' 'StateDirectory=ctadvisor' 'CapabilityBoundingSet=CAP_NET_ADMIN' \
	'AmbientCapabilities=CAP_NET_ADMIN' 'NoNewPrivileges=yes' \
	'ReadWritePaths=/var/lib/prometheus/node-exporter' 'SuccessExitStatus=1 2' \
	'RestrictAddressFamilies=AF_NETLINK AF_UNIX' 'ProtectHome=yes' 'PrivateTmp=yes'; do
	assert_eq "service has '$line'" 1 "$(grep -cxF "$line" "$svc")"
done
assert_eq "timer runs every minute" 1 "$(grep -cx 'OnCalendar=minutely' "$UNITS/ctadvisor-textfile.timer")"
exec_line=$(sed -n 's/^ExecStart=//p' "$svc")
assert_eq "ExecStart" "$CTADVISOR check --format prometheus --output /var/lib/prometheus/node-exporter/ctadvisor.prom" \
	"$exec_line"

# The ExecStart as the timer runs it, into a stand-in collector directory,
# twice: the second run replaces the first file.
lab_netns NS sd
lab_ct_enable "$NS"
TF="$LAB_TMP/textfile"
mkdir -p "$TF"
read -r -a argv <<<"${exec_line/\/var\/lib\/prometheus\/node-exporter/$TF}"
argv=("${argv[0]}" "${argv[1]}" --netns "$NS" "${argv[@]:2}")
for run in 1 2; do
	rc=0
	"${argv[@]}" >"$LAB_TMP/run.out" 2>&1 || rc=$?
	assert_eq "run $run: exit status" 0 "$rc"
	assert_eq "run $run: nothing on stdout/stderr" "" "$(cat "$LAB_TMP/run.out")"
	assert_eq "run $run: files in the collector directory" "ctadvisor.prom" "$(ls -A "$TF")"
	assert_eq "run $run: mode" 644 "$(stat -c %a "$TF/ctadvisor.prom")"
	assert_eq "run $run: ends with the build_info sample" 1 \
		"$(tail -n1 "$TF/ctadvisor.prom" | grep -c '^ctadvisor_build_info{netns="'"$NS"'",version=')"
	[[ $run == 1 ]] && ino1=$(stat -c %i "$TF/ctadvisor.prom")
done
if [[ "$(stat -c %i "$TF/ctadvisor.prom")" != "$ino1" ]]; then
	echo "ok: the second run replaced the file (new inode: rename, not rewrite)"
else
	fail "the second run rewrote the file in place (same inode $ino1)"
fi
# The continuous-metrics service: its hardening and exposure.
wsvc="$UNITS/ctadvisor-watch.service"
for line in 'Type=exec' 'KillSignal=SIGTERM' 'ProtectSystem=strict' 'CapabilityBoundingSet=CAP_NET_ADMIN' \
	'AmbientCapabilities=CAP_NET_ADMIN' 'NoNewPrivileges=yes' 'ProtectKernelTunables=yes' \
	'ReadWritePaths=/var/lib/prometheus/node-exporter' 'SuccessExitStatus=1 2' \
	'RestrictAddressFamilies=AF_NETLINK AF_UNIX' 'ProtectHome=yes' 'PrivateTmp=yes' \
	'SystemCallFilter=@system-service' 'IPAddressDeny=any'; do
	assert_eq "watch service has '$line'" 1 "$(grep -cxF "$line" "$wsvc")"
done
systemd-analyze security --offline=yes "$wsvc" >"$LAB_TMP/security.out" 2>&1 ||
	die "systemd-analyze security --offline=yes failed: $(tail -n 5 "$LAB_TMP/security.out")"
exposure=$(sed -n 's/.*Overall exposure level for ctadvisor-watch.service: \([0-9.]*\) .*/\1/p' "$LAB_TMP/security.out")
readme=$(sed -n 's/.*ctadvisor-watch.service`: \([0-9.]*\) OK.*/\1/p' "$SRC/README.md" | head -n1)
assert_eq "watch service exposure vs the README's figure" "$readme" "$exposure"
if awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }'; then
	echo "ok: watch service exposure $exposure <= 2.0"
else
	fail "watch service exposure '$exposure', expected <= 2.0: $(grep -E '^✗' "$LAB_TMP/security.out")"
fi
wexec=$(sed -n 's/^ExecStart=//p' "$wsvc")
assert_eq "watch service ExecStart" \
	"$CTADVISOR watch --interval 15s --format prometheus --output /var/lib/prometheus/node-exporter/ctadvisor_watch.prom" \
	"$wexec"
# Its ExecStart, into a stand-in collector directory, at 200 ms instead of
# 15 s: the file appears, is replaced by rename (a new inode), and SIGTERM
# ends the watch with status 0, nothing said, no temp file left.
WTF="$LAB_TMP/textfile-watch"
mkdir -p "$WTF"
wexec=${wexec/\/var\/lib\/prometheus\/node-exporter/$WTF}
read -r -a wargv <<<"${wexec/--interval 15s/--interval 200ms}"
wargv=("${wargv[0]}" "${wargv[1]}" --netns "$NS" "${wargv[@]:2}")
"${wargv[@]}" >"$LAB_TMP/watch.out" 2>&1 &
wpid=$!
LAB_PIDS+=("$wpid")
wait_for "the watch service's first file" test -s "$WTF/ctadvisor_watch.prom"
wino=$(stat -c %i "$WTF/ctadvisor_watch.prom")
inode_changed() { [[ "$(stat -c %i "$WTF/ctadvisor_watch.prom" 2>/dev/null)" != "$wino" ]]; }
wait_for "the watch service's file replaced (new inode)" inode_changed
kill -TERM "$wpid"
rc=0
wait "$wpid" || rc=$?
assert_eq "watch service: exit status after SIGTERM" 0 "$rc"
assert_eq "watch service: nothing on stdout/stderr" "" "$(cat "$LAB_TMP/watch.out")"
assert_eq "watch service: files in the collector directory" "ctadvisor_watch.prom" "$(ls -A "$WTF")"
assert_eq "watch service: mode" 644 "$(stat -c %a "$WTF/ctadvisor_watch.prom")"
assert_eq "watch service: ends with the last-write sample" 1 \
	"$(tail -n1 "$WTF/ctadvisor_watch.prom" | grep -c '^ctadvisor_watch_last_write_timestamp_seconds{netns="'"$NS"'",mode="rates"} [0-9]*$')"
# Its system calls, as strace sees them over a few samples, all pass the
# unit's SystemCallFilter= (systemd is not PID 1 in the lab, so the filter
# cannot be tried for real): each in @system-service, none in @privileged
# or @resources.
expand_group()
{
	systemd-analyze syscall-filter "$1" | awk 'NR > 1 && $1 !~ /^#/ { print $1 }' |
		while read -r x; do
			case $x in
			@*) expand_group "$x" ;;
			*) echo "$x" ;;
			esac
		done
}
# The filter is for the binary the unit runs: in the ASan+UBSan pass, the
# plain build beside it (the sanitizer runtime makes calls of its own, and
# LeakSanitizer cannot work under ptrace).
traced=$CTADVISOR
if [[ -n "${ASAN_OPTIONS:-}" && -x "${CTADVISOR/\/build-asan\//\/build\/}" ]]; then
	traced=${CTADVISOR/\/build-asan\//\/build\/}
fi
echo "system calls of $traced"
strace -f -qq -c -o "$LAB_TMP/strace.txt" "$traced" watch --netns "$NS" --interval 200ms \
	--duration 1s --format prometheus --output "$WTF/strace.prom" >"$LAB_TMP/run.out" 2>&1 ||
	fail "watch under strace exited $?: $(cat "$LAB_TMP/run.out")"
awk 'NR > 2 && $NF != "total" && $1 !~ /^-/ { print $NF }' "$LAB_TMP/strace.txt" | sort -u >"$LAB_TMP/used"
assert_ge "system calls the watch made (strace)" 10 "$(wc -l <"$LAB_TMP/used")"
expand_group @system-service | sort -u >"$LAB_TMP/allowed"
expand_group @privileged | sort -u >"$LAB_TMP/denied"
expand_group @resources | sort -u >>"$LAB_TMP/denied"
assert_eq "watch system calls outside @system-service" "" "$(comm -23 "$LAB_TMP/used" "$LAB_TMP/allowed" | xargs)"
assert_eq "watch system calls in @privileged or @resources" "" \
	"$(sort -u "$LAB_TMP/denied" | comm -12 "$LAB_TMP/used" - | xargs)"
rm -f "$WTF/strace.prom"
# Its first write failing (no such directory) stops it at once: UNKNOWN, why.
rc=0
"$CTADVISOR" watch --netns "$NS" --interval 200ms --format prometheus \
	--output "$LAB_TMP/missing/dir/w.prom" >"$LAB_TMP/run.out" 2>&1 || rc=$?
assert_eq "watch, unwritable --output: exit status" 3 "$rc"
assert_eq "watch, unwritable --output: says why" 1 "$(grep -c 'cannot write .*missing/dir/w.prom' "$LAB_TMP/run.out")"

# An unwritable target is UNKNOWN with the reason, and leaves nothing.
rc=0
"$CTADVISOR" check --netns "$NS" --format prometheus --output "$LAB_TMP/missing/dir/x.prom" \
	>"$LAB_TMP/run.out" 2>&1 || rc=$?
assert_eq "unwritable --output: exit status" 3 "$rc"
assert_eq "unwritable --output: says why" 1 "$(grep -c 'cannot write .*missing/dir/x.prom' "$LAB_TMP/run.out")"

lab_finish
