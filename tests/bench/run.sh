#!/usr/bin/env bash
# shellcheck disable=SC2016 # awk programs are single-quoted on purpose
# tests/bench/run.sh (make bench): ctadvisor against the tools our users
# would otherwise run, on the same input, in one run, as ratios (targets:
# "Performance targets" in DESIGN.md). Writes tests/bench/RESULTS.md and
# prints it.
#
#  1. Table walk: for each N, a namespace filled with N entries (ct_fill),
#     then interleaved rounds of: ctadvisor check --format json (full walk),
#     ctadvisor report (the HTML page: check's walk, the plan, the page),
#     ctadvisor check --no-walk (its fixed cost), the bare libmnl dump that
#     only counts messages (dump_count, the floor), conntrack -L, conntrack
#     -C. Wall, CPU (user+sys) and peak RSS from /usr/bin/time.
#  2. logparse on a generated ~1 GiB kern.log (gen_log) against wc -l (the
#     floor) and an awk one-liner counting by reason.
#  3. NFLOG: invalid TCP segments (blast) at increasing rates between two
#     lab namespaces while `ctadvisor watch --invalid` runs there; its counted
#     and lost packets against packets sent and the kernel's invalid delta.
#
# The bench never fails the suite: it reports, and exits 0 unless it could
# not run at all (not root, a tool missing, a lab that cannot be built).
# Every global setting it raises (nf_conntrack_max, nf_conntrack_buckets)
# is restored by the EXIT trap, which then verifies it. Only namespaces it
# created carry traffic; they are deleted at exit.
#
# Knobs (environment): BENCH_SIZES ("1000 100000 1000000"), BENCH_RUNS (5),
# BENCH_BUCKETS (1: also run the largest N with buckets = N),
# BENCH_LOG_MB (1024), BENCH_RATES ("10000 25000 50000 100000 150000 200000"),
# BENCH_SECONDS (5), BENCH_BLASTERS (2: parallel senders), BENCH_OUT (tests/bench/RESULTS.md), CTADVISOR, CC.
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SIZES=${BENCH_SIZES:-"1000 100000 1000000"}
RUNS=${BENCH_RUNS:-5}
BUCKETS_RUN=${BENCH_BUCKETS:-1}
LOG_MB=${BENCH_LOG_MB:-1024}
RATES=${BENCH_RATES:-"10000 25000 50000 100000 150000 200000"}
SECONDS_PER_RATE=${BENCH_SECONDS:-5}
BLASTERS=${BENCH_BLASTERS:-2}
OUT=${BENCH_OUT:-$ROOT/tests/bench/RESULTS.md}
CTADVISOR=${CTADVISOR:-$ROOT/build/ctadvisor}
BIN=$ROOT/build/bench
TIME=/usr/bin/time
PROC_MAX=/proc/sys/net/netfilter/nf_conntrack_max
PROC_BUCKETS=/proc/sys/net/netfilter/nf_conntrack_buckets
ID="ctbench-$$"
TMP=$(mktemp -d "/tmp/$ID.XXXXXX")
NETNS=()
PIDS=()
ORIG_MAX=""
ORIG_BUCKETS=""
export CTADVISOR_STATE_DIR="$TMP/state"

say() { printf '%s\n' "$*" >&2; }

cannot_run()
{
	say "bench: cannot run: $*"
	exit 2
}

# Restore what we raised, then check it really is back; kill our helpers,
# delete our namespaces. Runs on every exit path.
cleanup()
{
	local rc=$? pid ns
	set +e
	trap - ERR
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
	for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
	restore_globals || rc=1
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

restore_globals()
{
	local ok=0
	if [[ -n "$ORIG_BUCKETS" ]]; then
		echo "$ORIG_BUCKETS" >"$PROC_BUCKETS" 2>/dev/null
		if [[ "$(cat "$PROC_BUCKETS")" != "$ORIG_BUCKETS" ]]; then
			say "bench: ERROR: nf_conntrack_buckets is $(cat "$PROC_BUCKETS"), not restored to $ORIG_BUCKETS"
			ok=1
		fi
	fi
	if [[ -n "$ORIG_MAX" ]]; then
		echo "$ORIG_MAX" >"$PROC_MAX" 2>/dev/null
		if [[ "$(cat "$PROC_MAX")" != "$ORIG_MAX" ]]; then
			say "bench: ERROR: nf_conntrack_max is $(cat "$PROC_MAX"), not restored to $ORIG_MAX"
			ok=1
		fi
	fi
	return "$ok"
}

preflight()
{
	local t
	[[ "$(id -u)" == 0 ]] || cannot_run "needs root (namespaces, ctnetlink, raw sockets)"
	for t in ip conntrack nft jq awk wc "$TIME"; do
		command -v "$t" >/dev/null || cannot_run "$t is missing (apt-get install time conntrack nftables jq)"
	done
	[[ -x "$CTADVISOR" ]] || cannot_run "$CTADVISOR is not built (make)"
	modprobe nf_conntrack 2>/dev/null || true
	[[ -r "$PROC_MAX" ]] || cannot_run "nf_conntrack is not loaded"
	ORIG_MAX=$(cat "$PROC_MAX")
	ORIG_BUCKETS=$(cat "$PROC_BUCKETS")
}

# The bench helpers, with the project's own flags (Makefile: CFLAGS_ALL).
build_tools()
{
	local cc=${CC:-cc} t flags
	flags="-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2
		-Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Wwrite-strings
		-Wpointer-arith -Wcast-qual -Wvla -Wundef"
	mkdir -p "$BIN"
	for t in ct_fill dump_count gen_log blast; do
		# shellcheck disable=SC2086 # flags is a word list
		# shellcheck disable=SC2046 # pkg-config prints word lists
		$cc $flags $(pkg-config --cflags libmnl) -o "$BIN/$t" "tests/bench/$t.c" \
			$(pkg-config --libs libmnl) || cannot_run "cannot build tests/bench/$t.c"
	done
}

# new_netns VAR SHORT: create namespace $ID-SHORT, its name into VAR.
new_netns()
{
	local _nsname="$ID-$2"
	ip netns add "$_nsname" || cannot_run "cannot create namespace $_nsname"
	NETNS+=("$_nsname")
	ip -n "$_nsname" link set lo up
	printf -v "$1" '%s' "$_nsname"
}

del_netns()
{
	local ns=$1 i
	ip netns del "$ns"
	for i in "${!NETNS[@]}"; do
		[[ "${NETNS[i]}" == "$ns" ]] && unset 'NETNS[i]'
	done
	NETNS=("${NETNS[@]}")
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# timed LABEL FILE CMD...: run CMD once, stdout and stderr discarded; append
# "LABEL wall cpu rss_kib" to FILE. Wall from EPOCHREALTIME (microseconds:
# time's %e has 10 ms steps), CPU (user+sys) and peak RSS from
# /usr/bin/time. A non-zero exit (check's WARNING/CRITICAL) is an answer,
# not an error: time's last line holds the figures either way.
timed()
{
	local label=$1 file=$2 tf="$TMP/time.out" t0 t1
	shift 2
	t0=$EPOCHREALTIME
	"$TIME" -o "$tf" -f '%e %U %S %M' "$@" >"$TMP/last.out" 2>/dev/null || true
	t1=$EPOCHREALTIME
	# A run whose output says it did not see the whole table is set apart.
	if [[ -n "${EXPECT:-}" ]] && ! grep -qE "$EXPECT" "$TMP/last.out"; then
		label="${label}_bad"
	fi
	tail -n 1 "$tf" | awk -v l="$label" -v t0="$t0" -v t1="$t1" \
		'NF == 4 { printf "%s %.4f %.2f %s\n", l, t1 - t0, $2 + $3, $4 }' >>"$file"
}

# stats FILE LABEL FIELD: "median min max" of FIELD (2 wall, 3 cpu, 4 rss).
stats()
{
	awk -v l="$2" -v f="$3" '$1 == l { print $f }' "$1" | sort -g |
		awk '{ v[NR] = $1 } END {
			if (NR == 0) { print "- - -"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			print m, v[1], v[NR] }'
}

med() { stats "$1" "$2" "$3" | cut -d' ' -f1; }

ratio()
{
	awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a != "-") printf "%.2f", a / b; else printf "-" }'
}

# ---------------------------------------------------------------- walk

walk_round()
{
	local ns=$1 file=$2 n=$3
	EXPECT="\"entries\": $n," timed check "$file" "$CTADVISOR" check --netns "$ns" --format json
	EXPECT="\"count\": $n," timed check_nowalk "$file" "$CTADVISOR" check --netns "$ns" \
		--format json --no-walk
	# report: check's collection plus the plan and the page (aggregates
	# only, so its size must not grow with the table).
	# The page goes to a file; cat it (40 KiB, noise) so EXPECT sees it.
	EXPECT="id=\"walk-entries\">$n<" timed report "$file" sh -c \
		'"$0" report --netns "$1" -o "$2" && cat "$2"' "$CTADVISOR" "$ns" "$TMP/report.html"
	[[ "$file" == /dev/null ]] || stat -c "%s" "$TMP/report.html" >>"$file.size"
	EXPECT="^entries $n lost 0" timed dump "$file" "$BIN/dump_count" "$ns"
	EXPECT="" timed conntrack_L "$file" ip netns exec "$ns" conntrack -L
	EXPECT="^$n\$" timed conntrack_C "$file" ip netns exec "$ns" conntrack -C
}

fill_ns()
{
	local ns=$1 n=$2 got
	ip netns exec "$ns" "$BIN/ct_fill" "$n" >"$TMP/fill.out" 2>&1 ||
		cannot_run "ct_fill $n failed: $(cat "$TMP/fill.out")"
	got=$(ip netns exec "$ns" conntrack -C)
	[[ "$got" == "$n" ]] || cannot_run "ct_fill $n: the table holds $got entries"
}

# walk_size N BUCKETS TAG: one table size, RUNS interleaved rounds.
walk_size()
{
	local n=$1 buckets=$2 tag=$3 ns file="$TMP/walk-$3.txt" r t0 t1 l0
	if ((n + n / 8 > ORIG_MAX)); then
		echo $((n + n / 8)) >"$PROC_MAX"
	fi
	if [[ "$buckets" != "$ORIG_BUCKETS" ]]; then
		echo "$buckets" >"$PROC_BUCKETS" || cannot_run "cannot set nf_conntrack_buckets"
	fi
	new_netns ns "w$n"
	t0=$(date +%s.%N)
	fill_ns "$ns" "$n"
	t1=$(date +%s.%N)
	echo "$tag fill_seconds $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')" >>"$TMP/fill.txt"
	l0=$(load1)
	say "bench: walk N=$n buckets=$buckets: $RUNS interleaved rounds (load $l0)"
	walk_round "$ns" /dev/null "$n" # warm-up, not counted
	: >"$file"
	for ((r = 1; r <= RUNS; r++)); do
		walk_round "$ns" "$file" "$n"
	done
	echo "$tag load $l0 $(load1)" >>"$TMP/load.txt"
	del_netns "$ns"
	restore_globals || cannot_run "a global setting could not be restored"
	echo "$tag $n $buckets" >>"$TMP/walk-index.txt"
}

walk_all()
{
	local n largest=0
	: >"$TMP/walk-index.txt"
	for n in $SIZES; do
		walk_size "$n" "$ORIG_BUCKETS" "n$n"
		if ((n > largest)); then
			largest=$n
		fi
	done
	if [[ "$BUCKETS_RUN" == 1 ]] && ((largest > ORIG_BUCKETS)); then
		walk_size "$largest" "$largest" "n${largest}b"
	fi
}

# ---------------------------------------------------------------- logparse

AWK_BY_REASON='/ nf_ct_[a-z0-9_]+: / { s = $0; sub(/.* nf_ct_[a-z0-9_]+: /, "", s); sub(/ IN=.*/, "", s); c[s]++ } END { for (k in c) print c[k], k }'

logparse_round()
{
	local log=$1 file=$2
	timed wc_l "$file" wc -l "$log"
	timed logparse "$file" "$CTADVISOR" logparse --format json "$log"
	timed awk_reason "$file" awk "$AWK_BY_REASON" "$log"
}

logparse_bench()
{
	local log="$TMP/kern.log" r
	say "bench: generating a ${LOG_MB} MiB kernel log"
	"$BIN/gen_log" $((LOG_MB * 1024 * 1024)) 1 >"$log" 2>"$TMP/gen.txt" ||
		cannot_run "gen_log failed"
	stat -c %s "$log" >"$TMP/log-bytes.txt"
	"$CTADVISOR" logparse --format json "$log" >"$TMP/logparse.json" 2>/dev/null || true
	logparse_round "$log" /dev/null # warm-up: the file is in the page cache
	: >"$TMP/logparse.txt"
	say "bench: logparse: $RUNS interleaved rounds (load $(load1))"
	for ((r = 1; r <= RUNS; r++)); do
		logparse_round "$log" "$TMP/logparse.txt"
	done
	logparse_profile "$log"
	rm -f "$log"
}

# Instructions executed by a command (callgrind; deterministic, unlike time).
callgrind_ir()
{
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : *//p'
}

# Where logparse's time goes, for the explanation of the gap to wc -l: the
# instructions per line and per byte of the lines its prefilter rejects and
# of the lines it parses, on a 16 MiB slice of the same log, against wc -l.
LP_PARSED='IN=|nf_ct_|_conntrack|helper |callbacks suppressed$'
logparse_profile()
{
	local log=$1 c f
	: >"$TMP/lp-prof.txt"
	if ! command -v valgrind >/dev/null; then
		say "bench: valgrind missing: no instruction profile (apt-get install valgrind)"
		return 0
	fi
	say "bench: logparse: instruction profile (callgrind, 16 MiB slice)"
	head -c $((16 << 20)) "$log" | sed '$d' >"$TMP/lp-all.log"
	grep -E "$LP_PARSED" "$TMP/lp-all.log" >"$TMP/lp-parsed.log" || true
	grep -vE "$LP_PARSED" "$TMP/lp-all.log" >"$TMP/lp-rejected.log" || true
	echo "empty 0 0 $(callgrind_ir "$CTADVISOR" logparse --format json /dev/null) $(callgrind_ir wc -l /dev/null)" \
		>>"$TMP/lp-prof.txt"
	for c in all parsed rejected; do
		f=$TMP/lp-$c.log
		echo "$c $(wc -l <"$f") $(stat -c %s "$f") $(callgrind_ir "$CTADVISOR" logparse --format json "$f") $(callgrind_ir wc -l "$f")" \
			>>"$TMP/lp-prof.txt"
	done
	rm -f "$TMP"/lp-*.log
}

# ---------------------------------------------------------------- NFLOG

NF_CLI=""
NF_SRV=""
NF_NET="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"

nflog_lab()
{
	local ns
	new_netns NF_CLI cli
	new_netns NF_SRV srv
	# IPv6 off: link-up MLD reports would be counted invalid without a log line.
	for ns in "$NF_CLI" "$NF_SRV"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n "$NF_CLI" link add c0 type veth peer name s0 netns "$NF_SRV" ||
		cannot_run "cannot create the veth pair"
	ip -n "$NF_CLI" link set c0 up
	ip -n "$NF_SRV" link set s0 up
	ip -n "$NF_CLI" addr add "$NF_NET.1/24" dev c0
	ip -n "$NF_SRV" addr add "$NF_NET.2/24" dev s0
	ip netns exec "$NF_SRV" nft -f - <<-EOF || cannot_run "cannot load the nft table"
		table inet bench {
			chain cin { type filter hook input priority 0; ct state invalid counter drop; }
		}
	EOF
	# Resolve the neighbour first: no segment waits in the ARP queue.
	ip netns exec "$NF_CLI" ping -c 1 -W 2 "$NF_NET.2" >/dev/null || cannot_run "lab ping failed"
}

invalid_stat()
{
	ip netns exec "$NF_SRV" conntrack -S | awk '{ for (i = 1; i <= NF; i++)
		if ($i ~ /^invalid=/) { split($i, a, "="); s += a[2] } } END { print s + 0 }'
}

# blasts RATE SECONDS: BLASTERS senders in parallel, RATE/BLASTERS each (one
# sender cannot reach 100,000 pps here: veth delivers on the sender's CPU,
# so it also runs the receiving namespace's conntrack, nft and NFLOG). Prints
# their sum as blast does: "sent N failed F seconds S rate R" (S the
# slowest's, R = N / S).
blasts()
{
	local rate=$1 secs=$2 k pids=()
	for ((k = 0; k < BLASTERS; k++)); do
		ip netns exec "$NF_CLI" "$BIN/blast" "$NF_NET.1" "$NF_NET.2" "$((rate / BLASTERS))" "$secs" \
			>"$TMP/blast.$k" &
		pids+=($!)
	done
	for k in "${pids[@]}"; do
		wait "$k" || cannot_run "blast failed"
	done
	cat "$TMP"/blast.[0-9]* | awk '{ n += $2; f += $4; if ($6 > s) s = $6 }
		END { printf "sent %d failed %d seconds %.3f rate %.0f\n", n, f, s, (s > 0 ? n / s : 0) }'
	rm -f "$TMP"/blast.[0-9]*
}

# The kernel's invalid counter once it has stopped moving (the last
# segments are through conntrack).
settled_invalid_stat()
{
	local a b i
	b=$(invalid_stat)
	for ((i = 0; i < 50; i++)); do
		sleep 0.2
		a=$b
		b=$(invalid_stat)
		[[ "$a" == "$b" ]] && break
	done
	echo "$b"
}

# nflog_rate RATE: one watch over the whole send (stopped with SIGINT once
# the senders are done and the counter has settled, whatever rate they
# reached: its final drain reads what is queued), then a result line.
nflog_rate()
{
	local rate=$1 before after wpid rc=0 i sent
	before=$(invalid_stat)
	"$CTADVISOR" watch --invalid --netns "$NF_SRV" --duration "$((SECONDS_PER_RATE * 20 + 60))s" \
		--format json >"$TMP/watch.json" 2>"$TMP/watch.err" &
	wpid=$!
	PIDS+=("$wpid")
	for ((i = 0; i < 100; i++)); do
		[[ "$(ip netns exec "$NF_SRV" sysctl -n net.netfilter.nf_conntrack_log_invalid)" == 255 ]] && break
		kill -0 "$wpid" 2>/dev/null || break
		sleep 0.1
	done
	sent=$(blasts "$rate" "$SECONDS_PER_RATE")
	after=$(settled_invalid_stat)
	kill -INT "$wpid" 2>/dev/null || true
	wait "$wpid" || rc=$?
	jq -s -r --arg rate "$rate" --arg sent "$sent" --arg delta "$((after - before))" --arg rc "$rc" '
		.[-1].live as $l | ($sent | split(" ")) as $s |
		"\($rate) \($s[1]) \($s[3]) \($s[5]) \($s[7]) \($l.nflog_packets) \($l.nflog_lost) \($l.enobufs) \($delta) \($l.kernel_invalid_delta) \($rc)"' \
		"$TMP/watch.json" >>"$TMP/nflog.txt" 2>/dev/null ||
		echo "$rate - - - - - - - $((after - before)) - $rc" >>"$TMP/nflog.txt"
}

nflog_bench()
{
	local rate
	nflog_lab
	: >"$TMP/nflog.txt"
	for rate in $RATES; do
		say "bench: NFLOG at $rate packets/s for ${SECONDS_PER_RATE}s (load $(load1))"
		nflog_rate "$rate"
	done
	del_netns "$NF_CLI"
	del_netns "$NF_SRV"
}

. "$ROOT/tests/bench/report.sh"

preflight
build_tools
echo "load $(load1)" >"$TMP/load-start.txt"
walk_all
logparse_bench
nflog_bench
say "bench: inventory over ${BENCH_NETNS:-300} namespaces (tests/bench/inventory.sh)"
BENCH_RUNS=$RUNS CTADVISOR=$CTADVISOR bash "$ROOT/tests/bench/inventory.sh" >"$TMP/inventory.md" ||
	echo "tests/bench/inventory.sh could not run (exit $?): see its messages above." >"$TMP/inventory.md"
echo "load $(load1)" >"$TMP/load-end.txt"
restore_globals || cannot_run "a global setting could not be restored"
write_report >"$OUT"
cat "$OUT"
