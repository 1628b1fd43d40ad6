# shellcheck shell=bash disable=SC2016 # jq and awk programs are single-quoted on purpose
# lib.sh: shared helpers for the namespace lab tests. A test sources this
# file, builds its lab with lab_netns / lab_veth / lab_addr / lab_ct_enable,
# sends traffic with the tools in $TOOLS, compares `ctadvisor check` with
# the kernel's own view (conntrack -L/-S/-C, sysctl -n) and ends with
# lab_finish. Whatever happens, the EXIT trap restores every saved setting,
# kills the helpers it started and deletes the namespaces it created.
#
# Rules the helpers enforce: namespaces get random names (ctad-PID-RANDOM-x)
# so concurrent runs and leftovers never collide; traffic only uses addresses
# the test configured inside its own namespaces; a lab that cannot be built
# fails (exit 1) rather than skips.

set -Eeuo pipefail

: "${CTADVISOR:?set CTADVISOR to the ctadvisor binary (make check-integration does)}"
: "${TOOLS:?set TOOLS to the build/tools directory (make check-integration does)}"

# Sanitizer findings must not pass for an exit status 1 (WARNING) or 2.
export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}"

LAB_ID="ctad-$$-$RANDOM"
LAB_NETNS=()
LAB_PIDS=()
LAB_RESTORE=()
LAB_FAILS=0
LAB_TMP=$(mktemp -d "/tmp/$LAB_ID.XXXXXX")
# Undo records and check's state between runs stay inside the test, so that
# one test's runs (or an earlier suite's) never give another a window.
export CTADVISOR_STATE_DIR="$LAB_TMP/state"

lab_cleanup()
{
	local rc=$? i pid ns
	set +e
	trap - ERR
	# Settings first: a lowered global nf_conntrack_max must not outlive us.
	for ((i = ${#LAB_RESTORE[@]} - 1; i >= 0; i--)); do
		eval "${LAB_RESTORE[i]}" || {
			echo "FAIL: could not restore: ${LAB_RESTORE[i]}" >&2
			rc=1
		}
	done
	for pid in "${LAB_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${LAB_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ns in "${LAB_NETNS[@]}"; do
		ip netns del "$ns" || rc=1
	done
	rm -rf "$LAB_TMP"
	exit "$rc"
}
trap lab_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'echo "error: \"$BASH_COMMAND\" failed (status $?) at ${BASH_SOURCE[0]##*/}:$LINENO" >&2' ERR

# An assertion failed: note it and carry on so every mismatch is shown.
fail()
{
	echo "FAIL: $*" >&2
	LAB_FAILS=$((LAB_FAILS + 1))
}

# The lab itself could not be built or driven: stop now.
die()
{
	echo "FAIL (lab): $*" >&2
	exit 1
}

assert_eq()
{
	local what=$1 expected=$2 actual=$3
	if [[ "$expected" == "$actual" ]]; then
		echo "ok: $what = $actual"
	else
		fail "$what: expected $expected, actual $actual"
	fi
}

# assert_ge WHAT MIN ACTUAL (integers)
assert_ge()
{
	local what=$1 min=$2 actual=$3
	if [[ "$actual" =~ ^[0-9]+$ ]] && ((actual >= min)); then
		echo "ok: $what = $actual (>= $min)"
	else
		fail "$what: expected >= $min, actual $actual"
	fi
}

lab_finish()
{
	if ((LAB_FAILS > 0)); then
		echo "$LAB_FAILS assertion(s) failed" >&2
		exit 1
	fi
	echo "all assertions passed"
	exit 0
}

# Run a command after the test, success or not (e.g. restore a sysctl).
lab_on_exit()
{
	LAB_RESTORE+=("$1")
}

# lab_netns VAR SHORT: create namespace $LAB_ID-SHORT, store its name in VAR.
lab_netns()
{
	local var=$1 ns="$LAB_ID-$2"
	ip netns add "$ns" || die "cannot create network namespace $ns"
	# A namespace deleted and made again (same name) is deleted once.
	[[ " ${LAB_NETNS[*]} " == *" $ns "* ]] || LAB_NETNS+=("$ns")
	ip -n "$ns" link set lo up || die "cannot bring up lo in $ns"
	# No router solicitations or DAD: the lab stays quiet and addresses are
	# usable at once.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 ||
		die "cannot set IPv6 sysctls in $ns"
	printf -v "$var" '%s' "$ns"
}

# lab_veth NS1 IF1 NS2 IF2: a veth pair between two lab namespaces, both up.
# The pair is created inside NS1 so no name is ever used in the caller's
# namespace.
lab_veth()
{
	ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" ||
		die "cannot create veth $1/$2 <-> $3/$4"
	ip -n "$1" link set "$2" up || die "cannot bring up $1/$2"
	ip -n "$3" link set "$4" up || die "cannot bring up $3/$4"
}

# run_ctad NAME ARGS...: run `ctadvisor ARGS` with no stdin under a hang
# guard; stdout in $LAB_TMP/NAME.out, stderr in NAME.err, exit status in RC
# (a sanitizer report fails the test); both are echoed for the log.
RC=0
run_ctad()
{
	local name=$1
	shift
	RC=0
	timeout -k 10 300 "$CTADVISOR" "$@" </dev/null >"$LAB_TMP/$name.out" 2>"$LAB_TMP/$name.err" || RC=$?
	if grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/$name.err"; then
		fail "ctadvisor $*: sanitizer report: $(head -c 2000 "$LAB_TMP/$name.err")"
	fi
	echo "--- ctadvisor $* (exit $RC)"
	cat "$LAB_TMP/$name.out" "$LAB_TMP/$name.err"
}

# count PATTERN FILE: the lines of FILE that match grep PATTERN (0 when none).
count()
{
	grep -c -- "$1" "$2" || true
}

# lab_invalid_pair: the lab of the watch --invalid tests. Namespaces CLI and
# SRV (their names in $CLI and $SRV) joined by veth c0/s0, addresses $CLI_IP
# and $SRV_IP of a random 10.x.y.0/24, IPv6 off in both (MLD would count as
# invalid without a log line), and in SRV a table "inet lab" whose input
# chain counts and drops invalid packets, so its TCP stack never answers them.
lab_invalid_pair()
{
	local ns net="10.$((RANDOM % 200 + 20)).$((RANDOM % 250))"
	CLI_IP=$net.1
	SRV_IP=$net.2
	lab_netns CLI cli
	lab_netns SRV srv
	for ns in "$CLI" "$SRV"; do
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || die "cannot disable IPv6 in $ns"
	done
	lab_veth "$CLI" c0 "$SRV" s0
	lab_addr "$CLI" c0 "$CLI_IP/24"
	lab_addr "$SRV" s0 "$SRV_IP/24"
	in_ns "$SRV" nft -f - <<-EOF || die "cannot load the nft table in $SRV"
		table inet lab {
			chain cin { type filter hook input priority 0; ct state invalid counter drop; }
		}
	EOF
}

# The settings watch --invalid changes for its run.
KNOBS=(net.netfilter.nf_conntrack_log_invalid net.netfilter.nf_log.2 net.netfilter.nf_log.10)

# knob_values: those settings in SRV, on one line.
knob_values()
{
	in_ns "$SRV" sysctl -n "${KNOBS[@]}" | paste -sd " "
}

# wait_bound PID ERRFILE: wait (bounded) until the watch --invalid of PID has
# switched log_invalid on in SRV (group 0 is bound before any knob is
# written); fail at once, with ERRFILE, if it died.
wait_bound()
{
	local i
	for ((i = 0; i < 300; i++)); do
		[[ "$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_log_invalid)" == 255 ]] && return 0
		kill -0 "$1" 2>/dev/null || die "watch --invalid exited before binding: $(cat "$2")"
		sleep 0.1
	done
	die "watch --invalid never switched log_invalid on: $(cat "$2")"
}

# run_nat OUT ARGS...: `ctadvisor nat --netns $RTR ARGS` into $LAB_TMP/OUT
# (its exit status in NAT_RC); fails the lab when it printed no nat JSON.
NAT_RC=0
run_nat()
{
	local out=$1
	shift
	NAT_RC=0
	timeout -k 10 600 "$CTADVISOR" nat --netns "$RTR" "$@" >"$LAB_TMP/$out" \
		2>"$LAB_TMP/$out.err" || NAT_RC=$?
	grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/$out.err" &&
		fail "ctadvisor nat $*: sanitizer report: $(head -c 2000 "$LAB_TMP/$out.err")"
	jq -e '.schema == 2 and .command == "nat"' "$LAB_TMP/$out" >/dev/null ||
		die "ctadvisor nat $* printed no nat JSON (exit $NAT_RC): $(head -c 500 "$LAB_TMP/$out") $(head -c 500 "$LAB_TMP/$out.err")"
}

# lab_addr NS IF ADDR/PLEN...
lab_addr()
{
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		if [[ "$a" == *:* ]]; then
			ip -n "$ns" addr add "$a" dev "$dev" nodad
		else
			ip -n "$ns" addr add "$a" dev "$dev"
		fi || die "cannot add $a to $ns/$dev"
	done
}

# Conntrack stays inactive in a namespace until a rule needs it: a table
# with `ct state` rules on input, output and forward switches it on for
# IPv4 and IPv6.
lab_ct_enable()
{
	in_ns "$1" nft -f - <<-EOF || die "cannot load the conntrack nft table in $1"
		table inet lab {
			chain cin { type filter hook input priority 0; ct state invalid counter; }
			chain cout { type filter hook output priority 0; ct state invalid counter; }
			chain cfwd { type filter hook forward priority 0; ct state invalid counter; }
		}
	EOF
}

# lab_bg NS LOG CMD...: start CMD inside NS in the background, output to
# $LAB_TMP/LOG.out; killed at exit.
declare -A LAB_PID_OF=()
lab_bg()
{
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$LAB_TMP/$log.out" 2>&1 &
	LAB_PIDS+=($!)
	LAB_PID_OF[$log]=$!
}

# wait_for DESC CMD...: poll CMD (bounded: 300 tries, 0.1 s apart) until it
# succeeds; a condition that never holds fails the lab.
wait_for()
{
	local desc=$1 i
	shift
	for ((i = 0; i < 300; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	die "gave up waiting for: $desc"
}

# wait_line LOG WORD: wait (bounded) for the background helper LOG to print
# a line starting with WORD; fail at once, with its output, if it died.
wait_line()
{
	local log=$1 word=$2 i
	for ((i = 0; i < 300; i++)); do
		grep -q "^$word" "$LAB_TMP/$log.out" && return 0
		kill -0 "${LAB_PID_OF[$log]}" 2>/dev/null ||
			die "helper $log exited before printing '$word': $(cat "$LAB_TMP/$log.out")"
		sleep 0.1
	done
	die "helper $log never printed '$word': $(cat "$LAB_TMP/$log.out")"
}

# in_ns NS CMD...: run CMD inside the lab namespace NS.
in_ns()
{
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# run_check ARGS...: run `ctadvisor check ARGS`; stdout in $LAB_TMP/check.out,
# stderr in $LAB_TMP/check.err, exit status in CHECK_RC. Statuses 0-3 are
# answers, not errors, so this never trips set -e.
CHECK_RC=0
run_check()
{
	CHECK_RC=0
	# A hang guard only, far above any lab run; not a performance check.
	timeout -k 10 600 "$CTADVISOR" check "$@" >"$LAB_TMP/check.out" 2>"$LAB_TMP/check.err" || CHECK_RC=$?
	if ((CHECK_RC > 3)); then
		fail "ctadvisor check $* exited $CHECK_RC (expected 0..3): $(head -c 2000 "$LAB_TMP/check.err")"
	elif grep -qE 'Sanitizer|runtime error:' "$LAB_TMP/check.err"; then
		fail "ctadvisor check $*: sanitizer report: $(head -c 2000 "$LAB_TMP/check.err")"
	fi
}

# The last check printed one well-formed JSON object of schema 1.
require_json()
{
	jq -e -s 'length == 1 and .[0].schema == 1' "$LAB_TMP/check.out" >/dev/null && return 0
	echo "FAIL: ctadvisor check $* printed no schema-1 JSON (exit $CHECK_RC): stdout: $(head -c 500 "$LAB_TMP/check.out") stderr: $(head -c 500 "$LAB_TMP/check.err")" >&2
	exit 1
}

# jq over the last check's JSON output; a parse error fails the lab.
check_jq()
{
	jq -r "$@" "$LAB_TMP/check.out" || die "ctadvisor JSON output unreadable by jq $*: $(head -c 500 "$LAB_TMP/check.out")"
}

# Ground truth: conntrack -S of NS summed over CPUs, "stat.NAME VALUE" lines.
truth_stats()
{
	in_ns "$1" conntrack -S | awk '
		{ for (i = 1; i <= NF; i++) {
			n = index($i, "="); if (n == 0) continue
			k = substr($i, 1, n - 1); if (k == "cpu") continue
			s[k] += substr($i, n + 1) } }
		END { for (k in s) printf "stat.%s %d\n", k, s[k] }' | sort
}

# conntrack -S of NS per CPU: "cpu.N.NAME VALUE" lines.
truth_stats_cpu()
{
	in_ns "$1" conntrack -S | awk '
		{ cpu = ""
		  for (i = 1; i <= NF; i++) {
			n = index($i, "="); if (n == 0) continue
			k = substr($i, 1, n - 1); v = substr($i, n + 1)
			if (k == "cpu") cpu = v + 0
			else printf "cpu.%s.%s %d\n", cpu, k, v } }' | sort
}

# One counter of conntrack -S in NS, summed over CPUs.
truth_stat()
{
	truth_stats "$1" | awk -v k="stat.$2" '$1 == k { print $2; f = 1 } END { if (!f) print "absent" }'
}

# Ground truth from conntrack -L -o extended in NS, as "KEY VALUE" lines:
# entries (checked against conntrack's own summary line), family.ipv4/ipv6/other,
# proto.NAME, state.NAME (TCP), unreplied, assured.
truth_list()
{
	local ns=$1 err="$LAB_TMP/ctlist.err" shown lines
	in_ns "$ns" conntrack -L -o extended 2>"$err" >"$LAB_TMP/ctlist.out"
	shown=$(sed -n 's/.*: \([0-9][0-9]*\) flow entries have been shown.*/\1/p' "$err")
	lines=$(wc -l <"$LAB_TMP/ctlist.out")
	[[ "$shown" == "$lines" ]] ||
		die "conntrack -L in $ns printed $lines entries but said '$(cat "$err")'"
	awk '
		{ n++; fam[$1]++; proto[$3]++
		  if ($3 == "tcp") state[$6]++
		  if ($0 ~ /\[UNREPLIED\]/) unr++
		  if ($0 ~ /\[ASSURED\]/) ass++ }
		END {
			printf "entries %d\n", n
			printf "family.ipv4 %d\nfamily.ipv6 %d\n", fam["ipv4"], fam["ipv6"]
			printf "family.other %d\n", n - fam["ipv4"] - fam["ipv6"]
			for (p in proto) printf "proto.%s %d\n", p, proto[p]
			for (s in state) printf "state.%s %d\n", s, state[s]
			printf "unreplied %d\nassured %d\n", unr, ass }' "$LAB_TMP/ctlist.out" | sort
}

# The same keys from the last check's JSON: "count" from occupancy, the walk,
# counters summed ("stat.NAME") and per CPU ("cpu.N.NAME").
json_facts()
{
	check_jq '
		"count \(.occupancy.count)",
		"entries \(.walk.entries)",
		((.walk.families // {}) | to_entries[] | "family.\(.key) \(.value)"),
		((.walk.protocols // {}) | to_entries[] | "proto.\(.key) \(.value)"),
		((.walk.tcp_states // {}) | to_entries[] | "state.\(.key) \(.value)"),
		"unreplied \(.walk.unreplied)",
		"assured \(.walk.assured)",
		((.counters.total // {}) | to_entries[] | "stat.\(.key) \(.value)"),
		((.counters.per_cpu // [])[] | .cpu as $c | to_entries[]
			| select(.key != "cpu") | "cpu.\($c).\(.key) \(.value)")' | sort
}

# compare_facts WHAT EXPECTED_FILE ACTUAL_FILE: every key of the expected
# file must have the same value in the actual file, and the actual file must
# have no key the expected one lacks. Prints one line per key.
compare_facts()
{
	local what=$1 out
	out=$(awk '
		NR == FNR { e[$1] = $2; next }
		{ a[$1] = $2 }
		END {
			for (k in e) {
				v = (k in a) ? a[k] : "(absent)"
				if (v == e[k]) print "ok", k, v
				else print "BAD", k, "expected " e[k] ", actual " v }
			for (k in a) if (!(k in e))
				print "BAD", k, "expected (absent), actual " a[k] }' "$2" "$3" | sort -k2)
	while read -r tag key rest; do
		[[ -n "$tag" ]] || continue
		if [[ "$tag" == ok ]]; then
			echo "ok: $what $key = $rest"
		else
			fail "$what $key: $rest"
		fi
	done <<<"$out"
}

# Ground truth of every nf_conntrack_* knob in NS: "KNOB VALUE" and
# "KNOB.writable true|false" lines, knob in sysctl's dotted form.
truth_settings()
{
	in_ns "$1" bash -c '
		for f in /proc/sys/net/netfilter/nf_conntrack_*; do
			k=net.netfilter.${f##*/}
			printf "%s %s\n" "$k" "$(sysctl -n "$k")"
			if [ -w "$f" ]; then w=true; else w=false; fi
			printf "%s.writable %s\n" "$k" "$w"
		done' | sort
}

json_settings()
{
	check_jq '.settings // {} | to_entries[]
		| select(.key | startswith("net.netfilter.nf_conntrack_"))
		| "\(.key) \(.value.value)", "\(.key).writable \(.value.writable)"' | sort
}

# Wait until conntrack -L in NS shows at least N entries matching REGEX.
ct_has()
{
	local n
	n=$(in_ns "$1" conntrack -L 2>/dev/null | grep -cE "$2" || true)
	((n >= $3))
}

# snapshot_check NS FILE ARGS...: run check ARGS with the ground truth
# (conntrack -L, -S summed and per CPU, -C of NS) taken just before and just after; retry
# until both agree, so the comparison is against a table that held still.
# The truth goes to FILE.
snapshot_check()
{
	local ns=$1 file=$2 try
	shift 2
	for ((try = 1; try <= 5; try++)); do
		{ truth_list "$ns"; truth_stats "$ns"; truth_stats_cpu "$ns"; echo "count $(in_ns "$ns" conntrack -C)"; } |
			sort >"$file.before"
		run_check "$@"
		require_json "$@"
		{ truth_list "$ns"; truth_stats "$ns"; truth_stats_cpu "$ns"; echo "count $(in_ns "$ns" conntrack -C)"; } |
			sort >"$file.after"
		if cmp -s "$file.before" "$file.after"; then
			mv "$file.after" "$file"
			return 0
		fi
		echo "note: the table changed while ctadvisor ran (try $try):" >&2
		diff "$file.before" "$file.after" >&2 || true
	done
	die "conntrack ground truth in $ns never held still across a check run"
}

# Named netns path helpers.
netns_inode()
{
	stat -L -c %i "$1"
}

# shellcheck source=lib_labs.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib_labs.sh"
