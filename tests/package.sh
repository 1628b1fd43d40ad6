#!/usr/bin/env bash
# The Debian package, as an admin meets it (root, Debian 12): build it with
# `dpkg-buildpackage -us -uc -b` in a copy of the checkout's files under a
# temp dir (nothing lands in the checkout), lintian with no error and no
# warning, one version everywhere (Makefile VERSION, debian/changelog, the
# package, `ctadvisor --version`, the man page), `dpkg -i`, then the
# installed tool: `/usr/sbin/ctadvisor check` (a monitoring-plugin status
# and its report), `man ctadvisor`, the bash completion, no unit enabled;
# then `dpkg --purge` and every path the package owned is gone (directories
# other packages own too stay). Last line: "N passed, N failed".
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
PASS=0 FAILS=0

ok() { echo "ok: $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
finish() { echo "package: $PASS passed, $FAILS failed"; [ "$FAILS" -eq 0 ]; exit $?; }
# die: the test cannot go on (no package to install, or nothing installed).
die() { fail "$*"; finish; }
check_eq() { if [[ "$2" == "$3" ]]; then ok "$1 = $3"; else fail "$1: expected '$2', got '$3'"; fi; }

[ "$(id -u)" -eq 0 ] || die "dpkg -i and --purge need root: run sudo tests/package.sh"
for t in dpkg-buildpackage dh lintian fakeroot man; do
	command -v "$t" >/dev/null || die "$t not found: install the packages scripts/quickstart.sh lists (quickstart.sh test)"
done
# pkg_present: dpkg knows ctadvisor in any state but none (installed,
# half-installed, config files left).
pkg_present() { dpkg-query -W -f='${Status}' ctadvisor 2>/dev/null | grep -qv not-installed; }
if pkg_present; then
	die "ctadvisor is already installed: this test would replace and purge it; dpkg --purge ctadvisor first"
fi

TMP=$(mktemp -d /tmp/ctadvisor-package.XXXXXX)
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	# A failure between install and purge must not leave the package behind.
	if pkg_present; then
		dpkg --purge ctadvisor >/dev/null 2>&1 || echo "package: dpkg --purge ctadvisor failed: purge it by hand" >&2
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

# The checkout's files (tracked and new, not ignored: no build/), as they are.
mkdir "$TMP/ctadvisor"
before=$(cd "$SRC" && git status --porcelain --ignored)
(cd "$SRC" && git ls-files -z -c -o --exclude-standard | xargs -0 -r cp --parents -a -t "$TMP/ctadvisor") ||
	die "copying the tree to $TMP failed"
VERSION=$(make -s --no-print-directory -C "$SRC" version)
check_eq "debian/changelog version vs Makefile VERSION" "$VERSION" \
	"$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)"

ARCH=$(dpkg --print-architecture)
DEB="$TMP/ctadvisor_${VERSION}_${ARCH}.deb"
(cd "$TMP/ctadvisor" && dpkg-buildpackage -us -uc -b -j2) >"$TMP/build.log" 2>&1 ||
	die "dpkg-buildpackage exited $?: $(tail -n 30 "$TMP/build.log")"
[ -f "$DEB" ] || die "no $(basename "$DEB") after the build: $(ls "$TMP")"
ok "dpkg-buildpackage built $(basename "$DEB")"
check_eq "checkout's status after the build (no artefacts)" "$before" "$(cd "$SRC" && git status --porcelain --ignored)"

lintian --fail-on error,warning "$TMP"/ctadvisor_"${VERSION}"_"${ARCH}".changes >"$TMP/lintian.out" 2>&1
lrc=$?
check_eq "lintian errors and warnings" "" "$(grep -E '^[EW]: ' "$TMP/lintian.out")"
check_eq "lintian exit status" 0 "$lrc"
check_eq "package version" "$VERSION" "$(dpkg-deb -f "$DEB" Version)"
deps=$(dpkg-deb -f "$DEB" Depends)
if [[ $deps == *libnetfilter-conntrack3* && $deps == *libjansson4* ]]; then
	ok "Depends from shlibs: $deps"
else
	fail "Depends lacks the shared libraries: $deps"
fi

dpkg -i "$DEB" >"$TMP/install.log" 2>&1 || die "dpkg -i exited $?: $(cat "$TMP/install.log")"
ok "dpkg -i $(basename "$DEB")"
dpkg -L ctadvisor | sort >"$TMP/owned"

check_eq "ctadvisor --version, first line" "ctadvisor $VERSION" "$(/usr/sbin/ctadvisor --version | head -n1)"
/usr/sbin/ctadvisor check >"$TMP/check.out" 2>&1
crc=$?
cat "$TMP/check.out"
if ((crc <= 3)) && grep -qE '^CONNTRACK (OK|WARNING|CRITICAL|UNKNOWN)' "$TMP/check.out"; then
	ok "/usr/sbin/ctadvisor check: exit $crc with its report"
else
	fail "/usr/sbin/ctadvisor check: exit $crc, expected 0-3 and a CONNTRACK status line"
fi

MANWIDTH=80 man --warnings ctadvisor >"$TMP/man.out" 2>"$TMP/man.err" || fail "man ctadvisor exited $?"
check_eq "man ctadvisor warnings" "" "$(cat "$TMP/man.err")"
check_eq "man ctadvisor NAME line" 1 "$(grep -cE '^ *ctadvisor +- health check' "$TMP/man.out")"
check_eq "man page footer version" 1 "$(tail -n 3 "$TMP/man.out" | grep -c "ctadvisor $VERSION")"

check_eq "complete -p ctadvisor" "complete -F _ctadvisor ctadvisor" \
	"$(bash --norc --noprofile -c 'source /usr/share/bash-completion/completions/ctadvisor && complete -p ctadvisor')"
check_eq "completion of 'ctadvisor ch'" check \
	"$(bash --norc --noprofile -c 'source /usr/share/bash-completion/completions/ctadvisor
		COMP_WORDS=(ctadvisor ch); COMP_CWORD=1; _ctadvisor; printf "%s\n" "${COMPREPLY[@]}"')"

# Installed, not enabled: no unit link anywhere under /etc/systemd.
check_eq "ctadvisor units enabled" "" "$(find /etc/systemd -name 'ctadvisor*' 2>/dev/null)"
for u in ctadvisor-textfile.service ctadvisor-textfile.timer ctadvisor-watch.service; do
	grep -qx "/lib/systemd/system/$u" "$TMP/owned" || fail "package does not ship /lib/systemd/system/$u"
done
for f in /usr/share/ctadvisor/icinga2/ctadvisor.conf /usr/share/ctadvisor/nagios/ctadvisor.cfg \
	/lib/systemd/system/ctadvisor-watch.service; do
	if grep -q /usr/sbin/ctadvisor "$f"; then ok "$f names /usr/sbin/ctadvisor"; else fail "$f does not name /usr/sbin/ctadvisor"; fi
done

if command -v promtool >/dev/null; then
	promtool check rules /usr/share/ctadvisor/prometheus/ctadvisor.rules.yml >"$TMP/rules.out" 2>&1 &&
		ok "promtool check rules /usr/share/ctadvisor/prometheus/ctadvisor.rules.yml" ||
		fail "promtool check rules on the installed rules: $(cat "$TMP/rules.out")"
else
	fail "promtool missing (Debian package prometheus, in quickstart.sh's test packages)"
fi

dpkg --purge ctadvisor >"$TMP/purge.log" 2>&1 || fail "dpkg --purge exited $?: $(cat "$TMP/purge.log")"
check_eq "package status after purge" "" "$(dpkg-query -W -f='${Status}' ctadvisor 2>/dev/null)"
left=""
while read -r p; do
	[[ $p == /. ]] && continue
	[[ -e $p || -L $p ]] || continue
	# A directory another package also owns (/usr/sbin, /lib/systemd/system) stays.
	# /lib is merged /usr's symlink, owned by base-files.
	[[ -d $p ]] && dpkg-query -S "$p" >/dev/null 2>&1 && continue
	left+=" $p"
done <"$TMP/owned"
check_eq "paths of the package left after purge" "" "${left# }"
check_eq "dpkg's records left" "" "$(ls /var/lib/dpkg/info/ctadvisor.* 2>/dev/null)"
check_eq "systemd state left" "" "$(find /var/lib/systemd -name '*ctadvisor*' 2>/dev/null)"
finish
