#!/usr/bin/env bash
# Quick start on Debian 12: install what is missing, build, then either run
# the health check on this host or run the whole test suite.
#   sudo ./scripts/quickstart.sh check [CHECK OPTIONS]
#   sudo ./scripts/quickstart.sh test
#   sudo ./scripts/quickstart.sh bench   (make bench: tests/bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(gcc make pkg-config libmnl-dev libnetfilter-conntrack-dev libnetfilter-log-dev
	libjansson-dev zlib1g-dev)
test_pkgs=(git libcmocka-dev conntrack nftables iproute2 procps jq valgrind clang-format kmod
	util-linux man-db groff-base systemd prometheus icinga2-bin nagios4-core time clang
	libclang-rt-14-dev clang-tidy cppcheck strace build-essential debhelper dpkg-dev fakeroot
	lintian chromium python3)

usage() {
	echo "usage: $0 check [ctadvisor check options] | test | bench" >&2
	exit 3
}

install_missing() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "quickstart: installing ${missing[*]}" >&2
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	"${sudo[@]}" apt-get update -q >&2
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
}

[ $# -ge 1 ] || usage
mode=$1
shift
case "$mode" in
check)
	install_missing "${build_pkgs[@]}"
	make -s -j"$(nproc)" build/ctadvisor >&2
	exec ./build/ctadvisor check "$@"
	;;
test)
	install_missing "${build_pkgs[@]}" "${test_pkgs[@]}"
	exec make -s test
	;;
bench)
	install_missing "${build_pkgs[@]}" "${test_pkgs[@]}"
	exec make -s bench
	;;
*) usage ;;
esac
