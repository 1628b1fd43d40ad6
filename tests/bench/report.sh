# shellcheck shell=bash disable=SC2016 # awk programs are single-quoted on purpose
# report.sh: RESULTS.md from the figures run.sh collected in $TMP. Sourced
# by run.sh; write_report prints Markdown on stdout.

# cell FILE LABEL FIELD SCALE: "median (min–max)", values divided by SCALE.
cell()
{
	stats "$1" "$2" "$3" | awk -v s="$4" '$1 == "-" { print "-"; exit }
		{ d = s >= 1024 ? 1 : 3; printf "%.*f (%.*f–%.*f)", d, $1 / s, d, $2 / s, d, $3 / s }'
}

# spread FILE LABEL: (max - min) / median of the wall time, in percent.
spread()
{
	stats "$1" "$2" 2 | awk '$1 > 0 { printf "%.0f", ($3 - $2) / $1 * 100; exit } { print "-" }'
}

verdict()
{
	awk -v v="$1" -v lim="$2" 'BEGIN { if (v == "-") print "not measured";
		else if (v + 0 <= lim + 0) print "met"; else print "**missed**" }'
}

report_header()
{
	local model mem
	model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	cat <<-EOF
		# Benchmarks (tests/bench, \`make bench\`)

		Written by \`tests/bench/run.sh\`; targets from "Performance targets" in DESIGN.md.

		| | |
		| --- | --- |
		| date | $(date -u '+%Y-%m-%d %H:%M UTC') |
		| machine | $model, $(nproc) CPUs, $mem |
		| kernel | $(uname -r) |
		| ctadvisor | $("$CTADVISOR" --version 2>/dev/null | head -n 1) (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')) |
		| peers | $(conntrack --version 2>&1 | head -n 1), libmnl $(pkg-config --modversion libmnl), awk = $(basename "$(readlink -f "$(command -v awk)")") |
		| conntrack | nf_conntrack_max $ORIG_MAX, nf_conntrack_buckets $ORIG_BUCKETS (raised for a run when needed, restored and verified) |
		| rounds | $RUNS interleaved rounds per measurement after one warm-up round; median (min–max) |
		| load | 1-min load average $(cut -d' ' -f2 "$TMP/load-start.txt") at start, $(cut -d' ' -f2 "$TMP/load-end.txt") at end (other test suites share the machine) |

	EOF
}

walk_table()
{
	local tag=$1 n=$2 b=$3 f="$TMP/walk-$1.txt" l
	echo "### N = $n entries, $b buckets (mean chain $(awk -v n="$n" -v b="$b" 'BEGIN { printf "%.2f", 2 * n / b }'): each entry is hashed twice, original and reply), fill $(awk -v t="$tag" '$1 == t { print $3 }' "$TMP/fill.txt") s, load $(awk -v t="$tag" '$1 == t { print $3 " → " $4 }' "$TMP/load.txt")"
	echo
	echo "| command | wall s | CPU s (user+sys) | peak RSS MiB | wall spread |"
	echo "| --- | --- | --- | --- | --- |"
	for l in check check_nowalk report dump conntrack_L conntrack_C; do
		printf '| %s | %s | %s | %s | %s %% |\n' "$(walk_label "$l")" "$(cell "$f" "$l" 2 1)" \
			"$(cell "$f" "$l" 3 1)" "$(cell "$f" "$l" 4 1024)" "$(spread "$f" "$l")"
	done
	grep -q '_bad ' "$f" &&
		echo "Runs set apart (output did not show all $n entries): $(awk '$1 ~ /_bad$/ { printf "%s %.3f s; ", $1, $2 }' "$f")"
	echo
}

walk_label()
{
	case $1 in
	check) echo '`ctadvisor check --format json` (full walk)' ;;
	check_nowalk) echo '`ctadvisor check --no-walk` (fixed cost)' ;;
	report) echo '`ctadvisor report -o FILE.html` (walk, plan, page)' ;;
	dump) echo 'bare libmnl dump, count only (floor)' ;;
	conntrack_L) echo '`conntrack -L > /dev/null`' ;;
	conntrack_C) echo '`conntrack -C`' ;;
	esac
}

# Ratios of medians; "walk only" subtracts check --no-walk from check.
walk_ratios()
{
	local tag n b f c d l nw cc dc lc
	echo "### Ratios (medians) and targets"
	echo
	echo "| N | buckets | check / floor (wall) | check / floor (CPU) | walk only / floor (wall) | check / conntrack -L (wall) | check / conntrack -L (CPU) | walk ≤ 1.25× floor | faster than -L |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	while read -r tag n b; do
		f="$TMP/walk-$tag.txt"
		c=$(med "$f" check 2) d=$(med "$f" dump 2) l=$(med "$f" conntrack_L 2)
		nw=$(med "$f" check_nowalk 2)
		cc=$(med "$f" check 3) dc=$(med "$f" dump 3) lc=$(med "$f" conntrack_L 3)
		# The targets are set for 1,000,000 entries; below, check's fixed
		# cost (settings, counters: the --no-walk row) outweighs the walk.
		local v1="n/a (below 1M)" v2="n/a (below 1M)"
		if ((n >= 1000000)); then
			v1=$(verdict "$(ratio "$c" "$d")" 1.25) v2=$(verdict "$(ratio "$c" "$l")" 0.9999)
		fi
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$b" "$(ratio "$c" "$d")" \
			"$(ratio "$cc" "$dc")" "$(ratio "$(awk -v a="$c" -v b="$nw" 'BEGIN { print a - b }')" "$d")" \
			"$(ratio "$c" "$l")" "$(ratio "$cc" "$lc")" "$v1" "$v2"
	done <"$TMP/walk-index.txt"
	echo
	echo "The targets (DESIGN.md) are for a walk of 1,000,000 entries; the smaller tables show how the"
	echo "fixed cost of check (the --no-walk row: every setting, the counters) weighs when the walk is short."
	echo
}

# report against check on the same table, and the page's size by table size.
report_ratios()
{
	local tag n b f
	echo "### report against check"
	echo
	echo "| N | report / check (wall) | report / check (CPU) | page bytes (median) |"
	echo "| --- | --- | --- | --- |"
	while read -r tag n b; do
		f="$TMP/walk-$tag.txt"
		printf '| %s | %s | %s | %s |\n' "$n" "$(ratio "$(med "$f" report 2)" "$(med "$f" check 2)")" \
			"$(ratio "$(med "$f" report 3)" "$(med "$f" check 3)")" \
			"$(sort -n "$f.size" 2>/dev/null | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }')"
	done <"$TMP/walk-index.txt"
	echo
}

walk_rss()
{
	local first last r0 r1 d
	first=$(head -n 1 "$TMP/walk-index.txt" | cut -d' ' -f1)
	last=$(grep -v 'b ' "$TMP/walk-index.txt" | tail -n 1 | cut -d' ' -f1)
	r0=$(med "$TMP/walk-$first.txt" check 4)
	r1=$(med "$TMP/walk-$last.txt" check 4)
	d=$(awk -v a="$r0" -v b="$r1" 'BEGIN { printf "%.2f", (b - a) / 1024 }')
	echo "Peak RSS of \`ctadvisor check\`: $(awk -v a="$r0" 'BEGIN { printf "%.2f", a / 1024 }') MiB at ${first#n} entries, $(awk -v a="$r1" 'BEGIN { printf "%.2f", a / 1024 }') MiB at ${last#n}: difference $d MiB (target ≤ 2 MiB: $(verdict "$(awk -v d="$d" 'BEGIN { print (d < 0 ? -d : d) }')" 2))."
	echo
}

logparse_section()
{
	local f="$TMP/logparse.txt" w p a l
	w=$(med "$f" wc_l 2) p=$(med "$f" logparse 2) a=$(med "$f" awk_reason 2)
	echo "## logparse"
	echo
	echo "Input: $(awk '{ printf "%.0f MiB", $1 / 1048576 }' "$TMP/log-bytes.txt") generated by gen_log (kern.log, RFC 3164 + [mono] stamps): $(sed 's/ /: /; s/ \([a-z_]*\) / \1 /g' "$TMP/gen.txt")."
	echo "ctadvisor's report on it: $(jq -c '{input, invalid_total: .invalid.total, table_full: .table_full.count}' "$TMP/logparse.json" 2>/dev/null || echo 'unreadable')."
	echo
	echo "| command | wall s | CPU s (user+sys) | peak RSS MiB | wall spread |"
	echo "| --- | --- | --- | --- | --- |"
	for l in wc_l logparse awk_reason; do
		printf '| %s | %s | %s | %s | %s %% |\n' "$(lp_label "$l")" "$(cell "$f" "$l" 2 1)" \
			"$(cell "$f" "$l" 3 1)" "$(cell "$f" "$l" 4 1024)" "$(spread "$f" "$l")"
	done
	echo
	echo "logparse / wc -l = $(ratio "$p" "$w")× (target ≤ 3×: $(verdict "$(ratio "$p" "$w")" 3)); logparse / awk by reason = $(ratio "$p" "$a")×."
	echo
	lp_profile_section "$p" "$w"
}

# The instruction profile (run.sh: logparse_profile) and what it says about
# the gap: $1 logparse's median wall s, $2 wc -l's.
lp_profile_section()
{
	local f="$TMP/lp-prof.txt"
	[[ -s "$f" ]] || return 0
	echo "### Where logparse's time goes (callgrind instruction counts, 16 MiB slice of the same log)"
	echo
	echo "\"parsed\": the lines its prefilter passes (they hold \`IN=\`, \`nf_ct_\`, \`_conntrack\`, \`helper \` or end in"
	echo "\"callbacks suppressed\"): wrapper and timestamp, every key=value field, the reason, the aggregates."
	echo "\"rejected\": the other lines, turned away by a vector scan of byte pairs. The fixed cost (start-up,"
	echo "report) is the empty input's, subtracted before dividing."
	echo
	echo "| input | lines | bytes | ctadvisor instructions | per line | per byte | \`wc -l\` per byte |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	awk 'NR == 1 { e = $4; ew = $5; next }
		{ n = $4 - e; printf "| %s | %d | %d | %d | %.0f | %.2f | %.3f |\n", $1, $2, $3, $4,
			($2 ? n / $2 : 0), ($3 ? n / $3 : 0), ($3 ? ($5 - ew) / $3 : 0) }' "$f"
	echo
	awk -v lp="$1" -v wc="$2" -f "$ROOT/tests/bench/lp_gap.awk" "$f"
	echo
}

lp_label()
{
	case $1 in
	wc_l) echo '`wc -l` (floor)' ;;
	logparse) echo '`ctadvisor logparse --format json`' ;;
	awk_reason) echo '`awk` one-liner counting by reason' ;;
	esac
}

nflog_section()
{
	echo "## NFLOG capture (\`watch --invalid\`)"
	echo
	echo "blast sends TCP segments without flags (conntrack: invalid flag combination, dropped by the"
	echo "lab's \`ct state invalid drop\`) from one lab namespace to another, ${SECONDS_PER_RATE} s per rate, while"
	echo "\`ctadvisor watch --invalid --netns SRV --format json\` runs there. \"kernel delta\" is"
	echo "\`conntrack -S\` invalid after − before (the truth); \"hidden\" = kernel delta − counted − reported"
	echo "lost: losses ctadvisor did not report."
	echo
	echo "| target pps | achieved pps | sent | send failures | counted by ctadvisor | lost (reported) | ENOBUFS | kernel delta | ctadvisor's kernel delta | hidden | exit |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	awk '{ h = ($6 == "-" || $9 == "-") ? "-" : $9 - $6 - $7
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			$1, $5, $2, $3, $6, $7, $8, $9, $10, h, $11 }' "$TMP/nflog.txt"
	echo
	awk '$1 == 100000 { lost = $9 - $6; hid = $9 - $6 - $7
		reached = ($5 != "-" && $5 >= 95000)
		printf "Asked 100,000 pps, the senders reached %s pps%s: %d of %d invalid packets not received (target 0: %s); %d of those not reported as lost (target 0: %s).\n",
			$5, reached ? "" : " (**the target rate was not reached on this machine**: veth delivers on the sending CPU, which also runs the receiving namespace'"'"'s conntrack, nft and NFLOG)",
			lost, $9, lost == 0 ? (reached ? "met" : "met at the rate reached") : "**missed**", hid, hid == 0 ? "met" : "**missed**" }' "$TMP/nflog.txt"
	awk '$5 != "-" && $9 == $6 && $5 > best { best = $5 } END {
		if (best) printf "Highest rate reached with every packet received: %.0f pps.\n", best }' "$TMP/nflog.txt"
	awk '{ h = $9 - $6 - $7; if (h != 0) bad++ } END {
		printf "Losses counted exactly at every rate: %s.\n", bad ? "**missed** (" bad " of " NR " rates)" : "met" }' "$TMP/nflog.txt"
	echo
}

write_report()
{
	local tag n b
	report_header
	echo "## Table walk"
	echo
	while read -r tag n b; do
		walk_table "$tag" "$n" "$b"
	done <"$TMP/walk-index.txt"
	walk_ratios
	report_ratios
	walk_rss
	logparse_section
	nflog_section
	cat "$TMP/inventory.md"
}
