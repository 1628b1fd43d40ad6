#!/usr/bin/env bash
# 52-promtool: `promtool check metrics` (Prometheus' own linter: exposition
# syntax, naming conventions, _total on counters, HELP on every family)
# accepts real `check --format prometheus` output from a lab namespace with
# TCP and UDP flows, both from stdout and from the --output file; and the
# samples say what the kernel says. The client masquerades its TCP into
# ports 40000-40009, so `nat --netns CLI` and `check --netns CLI` have a NAT
# key: their output and `inventory`'s pass promtool too, with samples equal
# to the kernel's. Then the files as node_exporter's textfile collector
# would merge them (check of both namespaces, nat, inventory, watch): one
# family keeps one HELP, one TYPE and one set of label names in every file,
# and no series appears twice.
# `watch --format prometheus --output` in the server namespace: the file
# passes promtool, no counter goes backwards between two rewrites while K
# SYN+FIN segments arrive (invalid grows by exactly K: the listener's
# stack drops SYN+FIN without an answer), and after SIGTERM its
# last file equals conntrack -C and every conntrack -S counter there.
# Last, the shipped rules: `promtool check rules` and `promtool test rules`
# (tests/fixtures/prometheus/ctadvisor.rules.test.yml: the drop alert fires
# on drops in its window, not on a total since boot nor across a restart).
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
source "$(dirname "$0")/lib.sh"

command -v promtool >/dev/null || die "promtool missing (Debian package prometheus)"
N=5
M=7
lab_netns CLI pcli
lab_netns SRV psrv
lab_veth "$CLI" v0 "$SRV" v1
lab_addr "$CLI" v0 10.213.52.1/24
lab_addr "$SRV" v1 10.213.52.2/24
lab_ct_enable "$SRV"
in_ns "$CLI" nft -f - <<-EOF_NFT || die "cannot load the NAT table in $CLI"
	table ip pnat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "v0" meta l4proto tcp masquerade to :40000-40009
		}
	}
EOF_NFT
in_ns "$SRV" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 || die "cannot raise udp timeout"
lab_bg "$SRV" tcpsrv "$TOOLS/tcp_hold" server 10.213.52.2 5001
wait_line tcpsrv listening
lab_bg "$CLI" tcpcli "$TOOLS/tcp_hold" client 10.213.52.2 5001 "$N"
wait_line tcpcli ready
in_ns "$CLI" "$TOOLS/udp_send" flows 10.213.52.2 9999 "$M" 30000 "$M" >/dev/null || die "udp_send failed"
wait_for "$N ESTABLISHED entries" ct_has "$SRV" ESTABLISHED "$N"
wait_for "$M UNREPLIED entries" ct_has "$SRV" UNREPLIED "$M"

run_check --netns "$SRV" --format prometheus
cp "$LAB_TMP/check.out" "$LAB_TMP/stdout.prom"
rc=0
promtool check metrics <"$LAB_TMP/stdout.prom" >"$LAB_TMP/promtool.out" 2>&1 || rc=$?
assert_eq "promtool check metrics (stdout) exit status" 0 "$rc"
assert_eq "promtool check metrics (stdout) complaints" "" "$(cat "$LAB_TMP/promtool.out")"

run_check --netns "$SRV" --format prometheus --output "$LAB_TMP/out.prom"
assert_eq "--output: nothing on stdout" "" "$(cat "$LAB_TMP/check.out")"
rc=0
promtool check metrics <"$LAB_TMP/out.prom" >"$LAB_TMP/promtool.out" 2>&1 || rc=$?
assert_eq "promtool check metrics (--output file) exit status" 0 "$rc"
assert_eq "promtool check metrics (--output file) complaints" "" "$(cat "$LAB_TMP/promtool.out")"

# Counters are *_total counters, one family per kernel counter.
assert_eq "counter families without _total" "" \
	"$(awk '$1 == "#" && $2 == "TYPE" && $4 == "counter" && $3 !~ /_total$/ { print $3 }' "$LAB_TMP/out.prom")"
assert_ge "ctadvisor_conntrack_stat_*_total families" 5 \
	"$(grep -c '^# TYPE ctadvisor_conntrack_stat_[a-z0-9_]*_total counter$' "$LAB_TMP/out.prom")"
assert_eq "metrics without the ctadvisor_ prefix" "" \
	"$(grep -v '^#' "$LAB_TMP/out.prom" | grep -v '^ctadvisor_' || true)"
sample() { awk -v n="$1" '$1 ~ "^"n"\\{" { print $2 }' "$LAB_TMP/out.prom"; }
assert_eq "ctadvisor_conntrack_entries vs conntrack -C" "$(in_ns "$SRV" conntrack -C)" \
	"$(sample ctadvisor_conntrack_entries)"
assert_eq "ctadvisor_conntrack_walk_unreplied_entries" "$M" \
	"$(sample ctadvisor_conntrack_walk_unreplied_entries)"
assert_eq "insert counter summed vs conntrack -S" "$(truth_stat "$SRV" insert)" \
	"$(awk '/^ctadvisor_conntrack_stat_insert_total\{/ { s += $2 } END { print s + 0 }' "$LAB_TMP/out.prom")"

# promtool_clean NAME FILE: promtool check metrics accepts FILE, silently.
promtool_clean()
{
	local rc=0
	promtool check metrics <"$2" >"$LAB_TMP/promtool.out" 2>&1 || rc=$?
	assert_eq "promtool check metrics ($1) exit status" 0 "$rc"
	assert_eq "promtool check metrics ($1) complaints" "" "$(cat "$LAB_TMP/promtool.out")"
}

# nat in the client: one key, N of the masquerade's 10 ports.
rc=0
"$CTADVISOR" nat --netns "$CLI" --format prometheus --interval 200ms >"$LAB_TMP/nat.prom" \
	2>"$LAB_TMP/nat.err" || rc=$?
assert_eq "nat --format prometheus exit status ($N of 10 ports: OK)" 0 "$rc"
promtool_clean nat "$LAB_TMP/nat.prom"
nat_sample() { awk -v n="$1" 'index($1, n "{") == 1 && $1 ~ /dst="10\.213\.52\.2",dport="5001"/ { print $2 }' "$LAB_TMP/nat.prom"; }
assert_eq "conntrack -L in $CLI: SNAT entries to 10.213.52.2:5001 (lab sanity)" "$N" \
	"$(in_ns "$CLI" conntrack -L -p tcp --reply-src 10.213.52.2 --reply-port-src 5001 2>/dev/null | grep -c 'dport=4000[0-9] ')"
assert_eq "ctadvisor_nat_ports_in_use vs conntrack -L" "$N" "$(nat_sample ctadvisor_nat_ports_in_use)"
assert_eq "ctadvisor_nat_port_capacity" 10 "$(nat_sample ctadvisor_nat_port_capacity)"
assert_eq "ctadvisor_nat_port_saturation_ratio" 0.5 "$(nat_sample ctadvisor_nat_port_saturation_ratio)"
assert_eq "nat rate families (one per counter)" \
	"ctadvisor_nat_drop_per_second ctadvisor_nat_found_per_second ctadvisor_nat_insert_failed_per_second" \
	"$(awk '$1 == "#" && $2 == "TYPE" && $3 ~ /_per_second$/ { print $3 }' "$LAB_TMP/nat.prom" | sort | xargs)"

run_check --netns "$CLI" --format prometheus
cp "$LAB_TMP/check.out" "$LAB_TMP/check-cli.prom"
promtool_clean "check --netns CLI, with the NAT view" "$LAB_TMP/check-cli.prom"
assert_eq "check --netns CLI: ctadvisor_nat_worst_ports_in_use" "$N" \
	"$(awk '/^ctadvisor_nat_worst_ports_in_use\{/ { print $2 }' "$LAB_TMP/check-cli.prom")"

# inventory: every namespace of the host; exit 1 only when one could not be read.
rc=0
"$CTADVISOR" inventory --format prometheus >"$LAB_TMP/inv.prom" 2>"$LAB_TMP/inv.err" || rc=$?
((rc <= 1)) || fail "inventory --format prometheus exited $rc: $(head -c 1000 "$LAB_TMP/inv.err")"
promtool_clean inventory "$LAB_TMP/inv.prom"
assert_eq "inventory: ctadvisor_netns_conntrack_entries of $SRV vs conntrack -C" \
	"$(in_ns "$SRV" conntrack -C)" \
	"$(awk -v ns="$SRV" 'index($1, "ctadvisor_netns_conntrack_entries{netns=\"" ns "\",") == 1 { print $2 }' "$LAB_TMP/inv.prom")"
assert_eq "inventory: stat families (one per counter, _total)" \
	"ctadvisor_netns_conntrack_stat_drop_total ctadvisor_netns_conntrack_stat_early_drop_total ctadvisor_netns_conntrack_stat_insert_failed_total ctadvisor_netns_conntrack_stat_invalid_total" \
	"$(awk '$1 == "#" && $2 == "TYPE" && $3 ~ /_stat_/ && $4 == "counter" { print $3 }' "$LAB_TMP/inv.prom" | sort | xargs)"

# As the textfile collector merges files: for each family the HELP, the
# TYPE and the label names must agree across files, and a series (name and
# label values) must come from one file only. Prints one line per conflict.
textfile_conflicts()
{
	awk '
	function labels(s, names, key,   rest, m) {
		# s: the text between { and }; names: sorted label names
		n = 0
		rest = s
		while (match(rest, /[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"/)) {
			m = substr(rest, RSTART, RLENGTH)
			names[++n] = substr(m, 1, index(m, "=") - 1)
			rest = substr(rest, RSTART + RLENGTH)
		}
		for (i = 2; i <= n; i++)	# insertion sort: a handful of labels
			for (j = i; j > 1 && names[j - 1] > names[j]; j--) {
				t = names[j]; names[j] = names[j - 1]; names[j - 1] = t
			}
		key = ""
		for (i = 1; i <= n; i++)
			key = key (i > 1 ? "," : "") names[i]
		return key
	}
	FNR == 1 { file = FILENAME }
	$1 == "#" && ($2 == "HELP" || $2 == "TYPE") {
		text = $0
		sub(/^# (HELP|TYPE) [^ ]+ ?/, "", text)
		k = $2 SUBSEP $3
		if (k in first && first[k] != text)
			print "family " $3 ": " $2 " \"" first[k] "\" (" firstf[k] ") vs \"" text "\" (" file ")"
		else if (!(k in first)) { first[k] = text; firstf[k] = file }
		next
	}
	/^#/ || NF == 0 { next }
	{
		series = $1
		name = series; lab = ""
		if ((b = index(series, "{")) > 0) {
			name = substr(series, 1, b - 1)
			lab = substr(series, b + 1, length(series) - b - 1)
		}
		delete ln
		key = labels(lab, ln)
		if (name in dims && dims[name] != key)
			print "family " name ": labels {" dims[name] "} (" dimsf[name] ") vs {" key "} (" file ")"
		else if (!(name in dims)) { dims[name] = key; dimsf[name] = file }
		if (series in seen && seenf[series] != file)
			print "series " series " in " seenf[series] " and " file
		seen[series] = 1; seenf[series] = file
	}' "$@"
}
# watch --format prometheus --output, in the server namespace.
K=4
WF="$LAB_TMP/wtf/ctadvisor_watch.prom"
mkdir -p "$LAB_TMP/wtf"
"$CTADVISOR" watch --netns "$SRV" --interval 200ms --format prometheus --output "$WF" \
	>"$LAB_TMP/watch.out" 2>&1 &
wpid=$!
LAB_PIDS+=("$wpid")
wait_for "the watch's first file" test -s "$WF"
# rewritten: wait until the file is a new one (another inode) than $1's
rewritten() { [[ "$(stat -c %i "$WF" 2>/dev/null)" != "$1" ]]; }
next_file()
{
	local ino
	ino=$(stat -c %i "$WF")
	wait_for "the watch's file rewritten" rewritten "$ino"
}
next_file
cp "$WF" "$LAB_TMP/watch1.prom"
inv0=$(truth_stat "$SRV" invalid)
in_ns "$CLI" "$TOOLS/raw_tcp" send 10.213.52.1 10.213.52.2 41000 5001 SYN,FIN "$K" >/dev/null ||
	die "raw_tcp SYN,FIN failed"
assert_eq "conntrack -S invalid in $SRV grew by $K (lab sanity)" "$K" $(($(truth_stat "$SRV" invalid) - inv0))
# Two rewrites after the segments: the second's sample was taken after them.
next_file
next_file
cp "$WF" "$LAB_TMP/watch2.prom"
kill -TERM "$wpid"
rc=0
wait "$wpid" || rc=$?
assert_eq "watch after SIGTERM: exit status" 0 "$rc"
assert_eq "watch: nothing on stdout/stderr" "" "$(cat "$LAB_TMP/watch.out")"
assert_eq "watch: files in its directory (no temp file left)" "ctadvisor_watch.prom" "$(ls -A "$LAB_TMP/wtf")"
promtool_clean "watch --output, first rewrite" "$LAB_TMP/watch1.prom"
promtool_clean "watch --output, last file" "$WF"
# wvalue FILE NAME: the sample of NAME (its one series) in FILE.
wvalue() { awk -v n="$2" 'index($1, n "{") == 1 { print $2 }' "$1"; }
back=""
while read -r name; do
	v1=$(wvalue "$LAB_TMP/watch1.prom" "$name")
	v2=$(wvalue "$LAB_TMP/watch2.prom" "$name")
	[[ -n $v2 ]] && ((v2 >= v1)) || back+=" $name($v1->$v2)"
done < <(awk '$1 == "#" && $2 == "TYPE" && $4 == "counter" { print $3 }' "$LAB_TMP/watch1.prom")
assert_eq "watch counters that went backwards between two rewrites" "" "${back# }"
assert_ge "watch counter families" 8 \
	"$(grep -c '^# TYPE ctadvisor_watch_conntrack_stat_[a-z0-9_]*_total counter$' "$WF")"
assert_eq "watch: invalid grew by the $K SYN+FIN segments" "$K" \
	$(($(wvalue "$LAB_TMP/watch2.prom" ctadvisor_watch_conntrack_stat_invalid_total) -
		$(wvalue "$LAB_TMP/watch1.prom" ctadvisor_watch_conntrack_stat_invalid_total)))
assert_eq "watch: ctadvisor_watch_conntrack_entries vs conntrack -C" "$(in_ns "$SRV" conntrack -C)" \
	"$(wvalue "$WF" ctadvisor_watch_conntrack_entries)"
assert_eq "watch: entries_limit vs nf_conntrack_max" "$(in_ns "$SRV" sysctl -n net.netfilter.nf_conntrack_max)" \
	"$(wvalue "$WF" ctadvisor_watch_conntrack_entries_limit)"
mismatch=""
while read -r key val; do
	k=${key#stat.}
	got=$(wvalue "$WF" "ctadvisor_watch_conntrack_stat_${k}_total")
	[[ "$got" == "$val" ]] || mismatch+=" $k(conntrack -S $val, watch ${got:-absent})"
done < <(truth_stats "$SRV")
assert_eq "watch counters vs conntrack -S (summed over CPUs)" "" "${mismatch# }"
assert_eq "watch: every sample carries netns=\"$SRV\"" "" \
	"$(grep -v '^#' "$WF" | grep -vF "{netns=\"$SRV\"" || true)"
assert_eq "watch: start time earlier than or at the last write" 1 \
	"$(awk '/^ctadvisor_watch_start_time_seconds/ { s = $2 } /^ctadvisor_watch_last_write/ { w = $2 }
		END { print (s > 1e9 && s <= w) ? 1 : 0 }' "$WF")"

for f in stdout.prom check-cli.prom nat.prom inv.prom; do
	cp "$LAB_TMP/$f" "$LAB_TMP/textfile-$f"
done
cp "$WF" "$LAB_TMP/textfile-watch.prom"
assert_eq "textfile merge of check (2 namespaces), nat, inventory, watch: conflicts" "" \
	"$(cd "$LAB_TMP" && textfile_conflicts textfile-stdout.prom textfile-check-cli.prom textfile-nat.prom textfile-inv.prom textfile-watch.prom)"
# The checker itself finds what it must: a second HELP, other label names, a
# series twice.
printf '%s\n' '# HELP ctadvisor_conntrack_entries_limit other text' \
	'# TYPE ctadvisor_conntrack_entries_limit gauge' 'ctadvisor_conntrack_entries_limit 5' \
	"ctadvisor_check_status{netns=\"$SRV\"} 0" >"$LAB_TMP/textfile-bad.prom"
assert_eq "textfile merge checker: conflicts it finds in a bad file" 3 \
	"$(cd "$LAB_TMP" && textfile_conflicts textfile-stdout.prom textfile-bad.prom | wc -l)"

# The shipped rules: syntax and names, then their behaviour on series.
SRC=$(cd "$(dirname "$0")/../.." && pwd)
rc=0
promtool check rules "$SRC/contrib/prometheus/ctadvisor.rules.yml" >"$LAB_TMP/rules.out" 2>&1 || rc=$?
assert_eq "promtool check rules exit status" 0 "$rc"
assert_eq "promtool check rules result" "SUCCESS: 16 rules found" \
	"$(sed -n 's/^ *\(SUCCESS.*\)/\1/p' "$LAB_TMP/rules.out")"
rc=0
promtool test rules "$SRC/tests/fixtures/prometheus/ctadvisor.rules.test.yml" >"$LAB_TMP/rtest.out" 2>&1 || rc=$?
assert_eq "promtool test rules exit status" 0 "$rc"
assert_eq "promtool test rules failures" "" "$(grep -A20 FAILED "$LAB_TMP/rtest.out" || true)"
# Every metric the rules use is one ctadvisor writes (a renamed metric
# would leave an alert that never fires).
used=$(grep -vE '^ *#' "$SRC/contrib/prometheus/ctadvisor.rules.yml" | grep -oE 'ctadvisor_[a-z_]+[a-z]' | sort -u)
known=$(cat "$WF" "$SRC"/tests/golden/invalid-*.prom | awk '$1 == "#" && $2 == "TYPE" { print $3 }' | sort -u)
assert_eq "metrics the rules use that ctadvisor does not write" "" "$(comm -23 <(echo "$used") <(echo "$known"))"

lab_finish
