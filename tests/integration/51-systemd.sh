#!/usr/bin/env bash
# 51-systemd: the shipped textfile-collector units, as `make install` writes
# them, pass `systemd-analyze verify` (with the installed man page found
# through MANPATH and ExecStart pointed at the binary under test), carry
# the hardening the README promises, and their ExecStart, run by hand
# against a lab namespace, replaces the .prom file atomically: one complete
# file, mode 0644, no temp file left behind.
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

rc=0
MANPATH="$DEST/usr/share/man:" systemd-analyze verify "$UNITS/ctadvisor-textfile.service" \
	"$UNITS/ctadvisor-textfile.timer" >"$LAB_TMP/verify.out" 2>&1 || rc=$?
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
# An unwritable target is UNKNOWN with the reason, and leaves nothing.
rc=0
"$CTADVISOR" check --netns "$NS" --format prometheus --output "$LAB_TMP/missing/dir/x.prom" \
	>"$LAB_TMP/run.out" 2>&1 || rc=$?
assert_eq "unwritable --output: exit status" 3 "$rc"
assert_eq "unwritable --output: says why" 1 "$(grep -c 'cannot write .*missing/dir/x.prom' "$LAB_TMP/run.out")"

lab_finish
