#!/usr/bin/env bash
# shellcheck disable=SC2016 # awk and jq programs are single-quoted on purpose
# tests/bench/soak.sh: does ctadvisor stay flat when it runs for days? Two
# long watches in a lab pair under steady invalid traffic, their resident
# memory (VmRSS, VmHWM from /proc/PID/status) sampled every minute:
#
#  - `watch --netns SRV --interval 1s --format prometheus --output FILE`:
#    a rewrite of FILE every second (render into memory, rename);
#  - `watch --invalid --netns SRV --interval 60s --format json`: every
#    invalid packet classified over NFLOG (blast: RATE segments per second
#    without flags, "invalid tcp flag combination").
#
# At the end (SIGTERM to both, as systemd stops a service) it checks what a
# long run must leave: both exit 0 or 1 (findings, not failures), the
# metrics file still passes `promtool check metrics` (when installed), the
# invalid watch counted every segment the kernel counted (its final JSON
# against conntrack -S), nf_conntrack_log_invalid and nf_log.2 back to
# their values before, its undo record closed. Then a table, minute by
# minute, to stdout and to SOAK_OUT.
#
# Not run by CI or `make bench` (it takes SOAK_MINUTES): run it by hand,
# as root, from the repository root after `make`:
#   sudo tests/bench/soak.sh                  # 30 minutes, 1000 pps
#   sudo SOAK_MINUTES=120 SOAK_RATE=5000 tests/bench/soak.sh
# Knobs: SOAK_MINUTES (30), SOAK_RATE (1000 segments/s), SOAK_SAMPLE_S (60),
# SOAK_OUT (tests/bench/SOAK.md), CTADVISOR, CC. Exit 0 when the run
# finished and every end check held, 1 when a check failed, 2 when it could
# not run. Only the namespaces it creates carry traffic; it deletes them
# and kills its helpers on every exit path.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
MINUTES=${SOAK_MINUTES:-30}
RATE=${SOAK_RATE:-1000}
SAMPLE_S=${SOAK_SAMPLE_S:-60}
OUT=${SOAK_OUT:-$ROOT/tests/bench/SOAK.md}
CTADVISOR=${CTADVISOR:-$ROOT/build/ctadvisor}
BIN=$ROOT/build/bench
ID="ctsoak-$$"
TMP=$(mktemp -d "/tmp/$ID.XXXXXX")
NETNS=()
PIDS=()
FAILS=0
export CTADVISOR_STATE_DIR="$TMP/state"

say() { printf '%s\n' "$*" >&2; }
cannot_run()
{
	say "soak: cannot run: $*"
	exit 2
}
check()
{
	if [[ "$2" == "$3" ]]; then
		say "ok: $1 = $3"
	else
		say "FAIL: $1: expected '$2', got '$3'"
		FAILS=$((FAILS + 1))
	fi
}

cleanup()
{
	local rc=$? pid ns
	set +e
	trap - ERR
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ "$(id -u)" == 0 ]] || cannot_run "needs root (namespaces, ctnetlink, NFLOG, raw sockets)"
for t in ip conntrack nft jq awk; do
	command -v "$t" >/dev/null || cannot_run "$t is missing (apt-get install conntrack nftables jq)"
done
[[ -x "$CTADVISOR" ]] || cannot_run "$CTADVISOR is not built (make)"
[[ "$MINUTES" =~ ^[1-9][0-9]*$ && "$RATE" =~ ^[1-9][0-9]*$ && "$SAMPLE_S" =~ ^[1-9][0-9]*$ ]] ||
	cannot_run "SOAK_MINUTES, SOAK_RATE and SOAK_SAMPLE_S must be positive integers"
mkdir -p "$BIN"
# shellcheck disable=SC2046 # pkg-config prints word lists
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$BIN/blast" tests/bench/blast.c ||
	cannot_run "cannot build tests/bench/blast.c"

# The lab: CLI -> SRV over veth, IPv6 off (MLD would count as invalid
# without a log line), SRV counting and dropping invalid packets.
NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
for short in cli srv; do
	ip netns add "$ID-$short" || cannot_run "cannot create namespace $ID-$short"
	NETNS+=("$ID-$short")
	ip -n "$ID-$short" link set lo up
	ip netns exec "$ID-$short" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
done
CLI=$ID-cli SRV=$ID-srv
ip -n "$CLI" link add c0 type veth peer name s0 netns "$SRV" || cannot_run "cannot create the veth pair"
ip -n "$CLI" link set c0 up
ip -n "$SRV" link set s0 up
ip -n "$CLI" addr add "$NET.1/24" dev c0
ip -n "$SRV" addr add "$NET.2/24" dev s0
ip netns exec "$SRV" nft -f - <<-EOF || cannot_run "cannot load the nft table"
	table inet soak {
		chain cin { type filter hook input priority 0; ct state invalid counter drop; }
	}
EOF
ip netns exec "$CLI" ping -c 1 -W 2 "$NET.2" >/dev/null || cannot_run "lab ping failed"

in_srv() { ip netns exec "$SRV" "$@"; }
invalid_stat()
{
	in_srv conntrack -S | awk '{ for (i = 1; i <= NF; i++)
		if ($i ~ /^invalid=/) { split($i, a, "="); s += a[2] } } END { print s + 0 }'
}
log_before=$(in_srv sysctl -n net.netfilter.nf_conntrack_log_invalid)
logger_before=$(in_srv sysctl -n net.netfilter.nf_log.2)

PROM="$TMP/textfile/ctadvisor_watch.prom"
mkdir -p "$TMP/textfile"
"$CTADVISOR" watch --netns "$SRV" --interval 1s --format prometheus --output "$PROM" \
	>"$TMP/rates.out" 2>"$TMP/rates.err" &
RATES_PID=$!
PIDS+=("$RATES_PID")
"$CTADVISOR" watch --invalid --netns "$SRV" --interval 60s --format json >"$TMP/invalid.json" \
	2>"$TMP/invalid.err" &
INV_PID=$!
PIDS+=("$INV_PID")
for ((i = 0; i < 100; i++)); do
	[[ "$(in_srv sysctl -n net.netfilter.nf_conntrack_log_invalid)" == 255 && -s $PROM ]] && break
	kill -0 "$INV_PID" 2>/dev/null || cannot_run "watch --invalid ended: $(cat "$TMP/invalid.err")"
	sleep 0.1
done
inv_before=$(invalid_stat)
ip netns exec "$CLI" "$BIN/blast" "$NET.1" "$NET.2" "$RATE" "$((MINUTES * 60 + SAMPLE_S))" \
	>"$TMP/blast.out" 2>&1 &
BLAST_PID=$!
PIDS+=("$BLAST_PID")

# status_kib PID FIELD: a /proc/PID/status field in KiB ("-" when gone).
status_kib() { awk -v f="$2:" '$1 == f { print $2; found = 1 } END { if (!found) print "-" }' "/proc/$1/status" 2>/dev/null || echo -; }
printf '| minute | watch --format prometheus RSS KiB | its peak KiB | watch --invalid RSS KiB | its peak KiB | invalid packets (conntrack -S) |\n' >"$TMP/table"
printf '| --- | --- | --- | --- | --- | --- |\n' >>"$TMP/table"
START_TS=$(date -u '+%Y-%m-%d %H:%M UTC')
GIT_REV=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
samples=$((MINUTES * 60 / SAMPLE_S))
for ((k = 0; k <= samples; k++)); do
	((k == 0)) || sleep "$SAMPLE_S"
	kill -0 "$RATES_PID" 2>/dev/null || { say "soak: the rates watch ended early: $(cat "$TMP/rates.err")"; FAILS=$((FAILS + 1)); break; }
	kill -0 "$INV_PID" 2>/dev/null || { say "soak: watch --invalid ended early: $(cat "$TMP/invalid.err")"; FAILS=$((FAILS + 1)); break; }
	printf '| %s | %s | %s | %s | %s | %s |\n' "$(awk -v k="$k" -v s="$SAMPLE_S" 'BEGIN { printf "%.1f", k * s / 60 }')" \
		"$(status_kib "$RATES_PID" VmRSS)" "$(status_kib "$RATES_PID" VmHWM)" \
		"$(status_kib "$INV_PID" VmRSS)" "$(status_kib "$INV_PID" VmHWM)" \
		$(($(invalid_stat) - inv_before)) | tee -a "$TMP/table" >&2
done

# The end, as systemd stops a service: traffic stops, then SIGTERM.
kill "$BLAST_PID" 2>/dev/null || true
wait "$BLAST_PID" 2>/dev/null || true
sleep 1
inv_after=$(invalid_stat)
kill -TERM "$RATES_PID" "$INV_PID" 2>/dev/null || true
rc_rates=0 rc_inv=0
wait "$RATES_PID" || rc_rates=$?
wait "$INV_PID" || rc_inv=$?
PIDS=()
((rc_rates <= 1)) && rr=ok || rr="exit $rc_rates"
((rc_inv <= 1)) && ri=ok || ri="exit $rc_inv"
check "rates watch after SIGTERM" ok "$rr"
check "watch --invalid after SIGTERM" ok "$ri"
check "rates watch stderr" "" "$(cat "$TMP/rates.err")"
if command -v promtool >/dev/null; then
	check "promtool check metrics on the last file" "" "$(promtool check metrics <"$PROM" 2>&1)"
fi
counted=$(jq -s -r '.[-1].live | .nflog_packets + .nflog_lost' "$TMP/invalid.json" 2>/dev/null || echo "?")
check "watch --invalid: packets received + lost vs conntrack -S invalid delta" "$((inv_after - inv_before))" "$counted"
check "nf_conntrack_log_invalid restored" "$log_before" "$(in_srv sysctl -n net.netfilter.nf_conntrack_log_invalid)"
check "nf_log.2 restored" "$logger_before" "$(in_srv sysctl -n net.netfilter.nf_log.2)"
check "undo records left open (undo --list)" "no undo records" \
	"$("$CTADVISOR" undo --list 2>&1 | head -n1 | cut -d' ' -f1-3)"

{
	echo "# Soak: ctadvisor's memory over a long run (tests/bench/soak.sh)"
	echo
	echo "Written by \`tests/bench/soak.sh\` (run by hand, not by CI). Started $START_TS on"
	echo "$(uname -r), $(nproc) CPUs; $("$CTADVISOR" --version | head -n1)"
	echo "(git $GIT_REV at the start)."
	echo "$MINUTES minute(s) of steady invalid traffic, $RATE TCP segments per second without flags"
	echo "(\`blast\`), from one lab namespace to another; both watches in the receiving one; VmRSS and"
	echo "VmHWM (peak) from /proc/PID/status every $SAMPLE_S s."
	echo
	cat "$TMP/table"
	echo
	echo "End (SIGTERM to both): rates watch $rr, watch --invalid $ri; invalid packets the kernel"
	echo "counted $((inv_after - inv_before)), watch --invalid received + lost $counted;"
	echo "nf_conntrack_log_invalid and nf_log.2 now '$(in_srv sysctl -n net.netfilter.nf_conntrack_log_invalid)' and"
	echo "'$(in_srv sysctl -n net.netfilter.nf_log.2)' (before: '$log_before', '$logger_before'); end checks failed: $FAILS."
} >"$TMP/report"
cp "$TMP/report" "$OUT"
cat "$OUT"
((FAILS == 0))
