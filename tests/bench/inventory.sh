#!/usr/bin/env bash
# tests/bench/inventory.sh: what `ctadvisor inventory` costs on a node with
# 300 network namespaces, against the shell loop an operator would write.
#
#   sudo flock /tmp/ctad-lab.lock tests/bench/inventory.sh
#
# Creates BENCH_NETNS (300) namespaces, inserts entries into every tenth
# (30 of them; namespace 10*j gets 1 + (7*j mod 23) UDP entries through
# ctnetlink, as tests/integration/70-inventory.sh does), checks that
# inventory's counts equal `conntrack -C` in each, then times, in
# BENCH_RUNS (5) interleaved rounds:
#   - ctadvisor inventory --format json   (one process, setns + GET_STATS)
#   - ctadvisor inventory --walk          (adds a table walk per namespace)
#   - for ns in ...; do ip netns exec $ns conntrack -C; done
# and prints a markdown table of the medians (wall clock), per namespace,
# and the head of the text output. Every namespace it created is deleted
# on every path (EXIT, INT, TERM), and the deletion is verified. It changes
# no global setting and sends no traffic. Exit 0 after a report, 1 when the
# lab or a count is wrong, 2 when it cannot run (not root, a tool missing).
#
# Knobs (environment): BENCH_NETNS (300), BENCH_RUNS (5), CTADVISOR
# (build/ctadvisor), BENCH_HEAD (30: lines of the text output shown).
set -Eeuo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
N=${BENCH_NETNS:-300}
RUNS=${BENCH_RUNS:-5}
HEAD=${BENCH_HEAD:-30}
CTADVISOR=${CTADVISOR:-$ROOT/build/ctadvisor}
ID="ctinvb-$$-$RANDOM"
TMP=$(mktemp -d "/tmp/$ID.XXXXXX")
NAMES=()
export CTADVISOR_STATE_DIR="$TMP/state"

say() { printf '%s\n' "$*" >&2; }

cleanup()
{
	local rc=$? ns left
	set +e
	trap - ERR
	for ns in "${NAMES[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	left=$(ip netns list 2>/dev/null | grep -c "^$ID-" || true)
	if ((left > 0)); then
		say "inventory bench: $left namespaces named $ID-* are left: delete them with ip netns del"
		rc=1
	fi
	rm -rf "$TMP"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cannot_run()
{
	say "inventory bench: cannot run: $*"
	exit 2
}

((EUID == 0)) || cannot_run "needs root (network namespaces, ctnetlink): run it with sudo"
for tool in ip conntrack jq "$CTADVISOR"; do
	command -v "$tool" >/dev/null || cannot_run "$tool missing (build ctadvisor with make, install conntrack and jq)"
done

now_ns() { date +%s%N; }

median()
{
	sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

declare -A WANT=()
t0=$(now_ns)
for ((i = 0; i < N; i++)); do
	ns="$ID-i$i"
	ip netns add "$ns" || cannot_run "ip netns add $ns failed ($i of $N)"
	NAMES+=("$ns")
	WANT[$ns]=0
done
for ((i = 0; i < N; i += 10)); do
	ns=${NAMES[i]}
	n=$((1 + (7 * (i / 10)) % 23))
	# shellcheck disable=SC2016 # expanded by the inner bash
	ip netns exec "$ns" bash -c '
		for ((p = 0; p < $1; p++)); do
			conntrack -I -p udp -s 10.70.0.1 -d 10.70.0.2 --sport $((20000 + p)) \
				--dport 53 -t 3600 2>/dev/null || exit 1
		done' _ "$n" || { say "conntrack -I failed in $ns"; exit 1; }
	WANT[$ns]=$n
done
t1=$(now_ns)
say "inventory bench: $N namespaces, $(((N + 9) / 10)) with entries, built in $(((t1 - t0) / 1000000)) ms"

# The counts are right before anything is timed.
"$CTADVISOR" inventory --format json >"$TMP/inv.json" 2>"$TMP/inv.err" || (($? == 1)) ||
	{ say "ctadvisor inventory failed: $(head -c 500 "$TMP/inv.err")"; exit 1; }
bad=0
while read -r name count; do
	if [[ "$count" != "${WANT[$name]}" ]]; then
		say "inventory bench: $name: inventory says $count, $(ip netns exec "$name" conntrack -C) in the kernel"
		bad=$((bad + 1))
	fi
done < <(jq -r --arg p "$ID-i" '.namespaces[] | select((.name // "") | startswith($p)) | "\(.name) \(.count)"' "$TMP/inv.json")
seen=$(jq --arg p "$ID-i" '[.namespaces[] | select((.name // "") | startswith($p))] | length' "$TMP/inv.json")
((seen == N && bad == 0)) || { say "inventory bench: $seen of $N listed, $bad wrong: not timing"; exit 1; }
host_ns=$(jq '.totals.namespaces' "$TMP/inv.json")

loop_count()
{
	local ns
	for ns in "${NAMES[@]}"; do
		ip netns exec "$ns" conntrack -C
	done >/dev/null
}

: >"$TMP/inv.ms"
: >"$TMP/walk.ms"
: >"$TMP/loop.ms"
for ((r = 0; r < RUNS; r++)); do
	t0=$(now_ns)
	"$CTADVISOR" inventory --format json >/dev/null 2>&1 || true
	t1=$(now_ns)
	"$CTADVISOR" inventory --walk --format json >/dev/null 2>&1 || true
	t2=$(now_ns)
	loop_count
	t3=$(now_ns)
	echo $(((t1 - t0) / 1000)) >>"$TMP/inv.ms"
	echo $(((t2 - t1) / 1000)) >>"$TMP/walk.ms"
	echo $(((t3 - t2) / 1000)) >>"$TMP/loop.ms"
done

row()
{
	local what=$1 file=$2 n=$3 us
	us=$(median <"$file")
	printf '| %s | %s | %.1f | %s |\n' "$what" "$(awk -v u="$us" 'BEGIN { printf "%.1f", u / 1000 }')" \
		"$(awk -v u="$us" -v n="$n" 'BEGIN { print u / n }')" \
		"$(sort -n "$file" | awk '{ printf "%s%.1f", (NR > 1 ? " " : ""), $1 / 1000 }')"
}

echo "## ctadvisor inventory: $N namespaces created ($(((N + 9) / 10)) with entries), $host_ns on the host"
echo
echo "$(uname -r), $(nproc) CPUs; medians of $RUNS interleaved runs, wall clock."
echo
echo "| what | median ms | µs per namespace | runs (ms, sorted) |"
echo "| --- | ---: | ---: | --- |"
row "ctadvisor inventory (all $host_ns namespaces)" "$TMP/inv.ms" "$host_ns"
row "ctadvisor inventory --walk (all $host_ns)" "$TMP/walk.ms" "$host_ns"
row "ip netns exec NS conntrack -C, loop over the $N created" "$TMP/loop.ms" "$N"
echo
inv=$(median <"$TMP/inv.ms")
loop=$(median <"$TMP/loop.ms")
awk -v a="$loop" -v b="$inv" 'BEGIN { if (b > 0) printf "The shell loop takes %.0fx the time of one inventory run.\n", a / b }'
echo "A ctnetlink dump scans the whole hash table, which all namespaces share"
echo "($(cat /proc/sys/net/netfilter/nf_conntrack_buckets) buckets here), even in an empty namespace: --walk pays that once per namespace."
echo
echo "\`ctadvisor inventory\`, first $HEAD lines:"
echo
echo '```'
"$CTADVISOR" inventory 2>&1 | head -n "$HEAD" || true
echo '```'
