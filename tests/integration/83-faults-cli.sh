#!/usr/bin/env bash
# 83-faults-cli: every option of every command that takes a value, given
# an empty, negative, huge or malformed one (issue 7, Faults: CLI). Each
# must be a usage error: exit 3, nothing on stdout, and on stderr exactly
# two lines: "ctadvisor CMD: ..." naming the option, then "Try 'ctadvisor
# CMD --help'.". Also an unknown option, a missing value, an unexpected
# argument and a bad command name. The table comes from each command's
# --help; the values by kind:
#   num   counts, ports, sizes     "" -1 99999999999999999999999 1x% abc
#   pct   percentages              "" -1 101 99999999999999999999999 1x% nan
#   range -w/-c (plugin ranges)    "" abc 1x% ~:x
#   dur   durations                "" -1 99999999999999999999999s 1x nan
#   enum  formats, colors, ...     "" -1 99999999999999999999999 1x% JSONX
#   str   names, paths             ""  (any other text is a valid name)
#   set   KNOB=VALUE               "" -1 1x% =5 and a bad value
# Everything runs in a lab namespace, in a scratch directory, with stdin
# from /dev/null and no --yes: a value wrongly accepted cannot change
# anything. Then the values that are well-formed but unusable (environment
# errors, exit 3 with one line on stderr): apply --from-plan a missing file,
# a directory, a corrupt file; --sysctl-dir a missing directory and
# --modprobe-dir one (initial namespace, the knob at its current value, so
# nothing changes); --netns a namespace that does not exist, for apply and
# undo; undo a record that does not exist, with an undo record present that
# must survive. An ESC byte in a command name or an option value is shown
# escaped (\x1b), never raw.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016,SC2317
source "$(dirname "$0")/lib.sh"

export CTADVISOR_STATE_DIR="$LAB_TMP/state"
SCRATCH="$LAB_TMP/scratch"
mkdir -p "$SCRATCH"
lab_netns NS ns
lab_ct_enable "$NS"

HUGE=99999999999999999999999
declare -A VALUES=(
	[num]=$'\n-1\n'"$HUGE"$'\n1x%\nabc'
	[pct]=$'\n-1\n101\n'"$HUGE"$'\n1x%\nnan'
	[range]=$'\nabc\n1x%\n~:x'
	[dur]=$'\n-1\n'"$HUGE"$'s\n1x\nnan'
	[enum]=$'\n-1\n'"$HUGE"$'\n1x%\nJSONX'
	[str]=''
	[set]=$'\n-1\n1x%\n=5\nnf_conntrack_max=abc'
	[planset]=$'\n-1\n1x%\n=5\ntcp_timeout_established=abc'
)

# COMMAND PREFIX (words, then the option)|OPTION|KIND. The prefix makes the
# rest of the command line valid, so the option is the only fault.
TABLE=(
	'check|--netns|str' 'check|--format|enum' 'check|--warning|range' 'check|-w|range'
	'check|--critical|range' 'check|-c|range' 'check|--fill-warn|pct' 'check|--fill-crit|pct'
	'check|--output|str' 'check|--nat-warn|pct' 'check|--nat-crit|pct'
	'check|--unreplied-warn|pct' 'check|--invalid-warn|num' 'check|--color|enum'
	'check|--unreplied-min|num' 'check|--load-warn|num' 'check|--mem-warn|pct'
	'check|--mem-crit|pct'
	'watch --duration 1s|--netns|str' 'watch --duration 1s|--interval|dur'
	'watch --duration 1s|-i|dur' 'watch|--duration|dur' 'watch|-d|dur'
	'watch --duration 1s|--format|enum' 'watch --duration 1s|--save|str'
	'watch --duration 1s|--fill-warn|pct' 'watch --duration 1s|--fill-crit|pct'
	'watch --invalid --duration 1s|--proto|enum'
	'logparse /dev/null|--format|enum' 'logparse /dev/null|--top|num'
	'logparse /dev/null|-t|num' 'logparse /dev/null|--color|enum'
	'plan|--growth|num' 'plan|-g|num' 'plan|--target|num' 'plan|-t|num' 'plan|--headroom|pct'
	'plan|--load|num' 'plan|--mem-budget|num' 'plan|--from|str' 'plan|--set|planset'
	'plan|--netns|str' 'plan|--format|enum' 'plan|--save|str'
	'apply --enable-acct|--set|set' 'apply --enable-acct|-s|set'
	'flush --dry-run|--family|enum' 'flush --dry-run|--proto|enum' 'flush --dry-run|--src|enum'
	'flush --dry-run|--dst|enum' 'flush --dry-run|--sport|num' 'flush --dry-run|--dport|num'
	'flush --dry-run|--state|enum' 'flush --dry-run|--mark|num' 'flush --dry-run|--zone|num'
	'flush --dry-run --all|--netns|str'
	'nat --interval 1s|--netns|str' 'nat --interval 1s|--top|num' 'nat|--interval|dur'
	'nat --interval 1s|--format|enum' 'nat --interval 1s|--warn|pct' 'nat --interval 1s|--crit|pct'
	'nat --interval 1s|--ruleset|str'
	'inventory|--format|enum' 'inventory|--top|num'
)

CASE=0
# expect_usage CMD DESC ARGS...: ctadvisor ARGS must be a usage error of CMD
# whose first line contains DESC (fixed string).
expect_usage()
{
	local cmd=$1 desc=$2 rc=0 what n1 l1 l2
	shift 2
	CASE=$((CASE + 1))
	what="case $CASE: ctadvisor $(printf '%q ' "$@")"
	(cd "$SCRATCH" && timeout -k 5 20 ip netns exec "$NS" "$CTADVISOR" "$@") </dev/null \
		>"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	n1=$(wc -l <"$LAB_TMP/err")
	l1=$(sed -n 1p "$LAB_TMP/err")
	l2=$(sed -n 2p "$LAB_TMP/err")
	if ((rc != 3)); then
		fail "$what: exit $rc, expected 3; stderr: $(head -c 300 "$LAB_TMP/err")"
	elif [[ -s "$LAB_TMP/out" ]]; then
		fail "$what: printed on stdout: $(head -c 300 "$LAB_TMP/out")"
	elif ((n1 != 2)); then
		fail "$what: $n1 stderr lines, expected 2: $(head -c 600 "$LAB_TMP/err")"
	elif [[ "$l1" != "ctadvisor $cmd: "* || "$l1" != *"$desc"* ]]; then
		fail "$what: first line '$l1' is not 'ctadvisor $cmd: ...' naming $desc"
	elif [[ "$l2" != "Try 'ctadvisor $cmd --help'." ]]; then
		fail "$what: second line '$l2' is not the --help hint"
	elif LC_ALL=C grep -q '[[:cntrl:]]' "$LAB_TMP/err"; then
		fail "$what: a raw control character on stderr: $(cat -v "$LAB_TMP/err")"
	else
		echo "ok: $what -> $l1"
	fi
}

for row in "${TABLE[@]}"; do
	IFS='|' read -r prefix opt kind <<<"$row"
	read -ra pre <<<"$prefix"
	cmd=${pre[0]}
	# The message names the long form; -w/-c and the like are looked up.
	case "$opt" in
	-w) name=--warning ;; -c) name=--critical ;; -i) name=--interval ;; -d) name=--duration ;;
	-t) [[ "$cmd" == plan ]] && name=--target || name=--top ;;
	-g) name=--growth ;; -s) name=--set ;; *) name=$opt ;;
	esac
	while IFS= read -r v; do
		if [[ "$cmd" == apply ]]; then
			# apply names the knob or --set, with the value.
			expect_usage "$cmd" "$([[ "$v" == *=* ]] && echo "${v#*=}" || echo "--set")" \
				"${pre[@]}" "$opt" "$v"
		else
			expect_usage "$cmd" "$name" "${pre[@]}" "$opt" "$v"
		fi
	done <<<"${VALUES[$kind]}"
done

# Options with no value, unknown ones, stray arguments, bad commands.
for cmd in check watch logparse plan apply undo flush nat inventory; do
	expect_usage "$cmd" "--no-such-option" "$cmd" --no-such-option
done
expect_usage check "--format" check --format
expect_usage watch "--duration" watch --duration
expect_usage check "stray" check stray
# Values of the right kind but out of range, and thresholds that cross.
expect_usage check "--load-warn (a number above 0, at most 100): '0'" check --load-warn 0
expect_usage check "--load-warn (a number above 0, at most 100): '100.5'" check --load-warn 100.5
expect_usage check "--mem-warn (30) is above --mem-crit (25)" check --mem-warn 30
expect_usage check "--mem-warn (9) is above --mem-crit (8)" check --mem-crit 8 --mem-warn 9
expect_usage inventory "stray" inventory stray

for bad in bogus "" "-x" "$HUGE"; do
	CASE=$((CASE + 1))
	rc=0
	(cd "$SCRATCH" && "$CTADVISOR" "$bad") </dev/null >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	assert_eq "case $CASE: bad command $(printf '%q' "$bad"): exit" 3 "$rc"
	assert_eq "case $CASE: bad command $(printf '%q' "$bad"): nothing on stdout" 0 "$(wc -c <"$LAB_TMP/out")"
done
CASE=$((CASE + 1))
rc=0
"$CTADVISOR" </dev/null >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
assert_eq "case $CASE: no command: exit" 3 "$rc"

# --- ESC in a command name and in option values: one usage error, escaped.
expect_usage check 'js\x1b[31mon' check --format $'js\e[31mon'
expect_usage apply "'1\x1b]0;x\x07'" apply --set $'nf_conntrack_max=1\e]0;x\a'
CASE=$((CASE + 1))
rc=0
(cd "$SCRATCH" && "$CTADVISOR" $'ch\e[2Jeck') </dev/null >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
assert_eq "case $CASE: command name with ESC: exit" 3 "$rc"
assert_eq "case $CASE: command name with ESC: named escaped" 1 \
	"$(grep -cF "unknown command 'ch\x1b[2Jeck'" "$LAB_TMP/err" || true)"
assert_eq "case $CASE: command name with ESC: no raw ESC on stderr" 0 \
	"$(tr -cd '\033' <"$LAB_TMP/err" | wc -c)"

# --- Unusable files and namespaces: environment errors. expect_env CMD ERE
# ARGS...: exit 3, exactly one line on stderr, "ctadvisor CMD: " matching
# ERE (extended regexp), no raw control character; stdout may show the plan.
expect_env()
{
	local cmd=$1 re=$2 rc=0 what n1 l1
	shift 2
	CASE=$((CASE + 1))
	what="case $CASE: ctadvisor $(printf '%q ' "$@")"
	(cd "$SCRATCH" && timeout -k 5 20 "$CTADVISOR" "$@") </dev/null \
		>"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
	n1=$(wc -l <"$LAB_TMP/err")
	l1=$(sed -n 1p "$LAB_TMP/err")
	if ((rc != 3)); then
		fail "$what: exit $rc, expected 3; stderr: $(head -c 300 "$LAB_TMP/err")"
	elif ((n1 != 1)); then
		fail "$what: $n1 stderr lines, expected 1: $(head -c 600 "$LAB_TMP/err")"
	elif [[ "$l1" != "ctadvisor $cmd: "* ]] || ! grep -qE -- "$re" "$LAB_TMP/err"; then
		fail "$what: '$l1' is not 'ctadvisor $cmd: ' matching /$re/"
	elif LC_ALL=C grep -q '[[:cntrl:]]' "$LAB_TMP/err"; then
		fail "$what: a raw control character on stderr: $(cat -v "$LAB_TMP/err")"
	else
		echo "ok: $what -> $l1"
	fi
}
records()
{
	{ find "$CTADVISOR_STATE_DIR/undo" -name 'undo-*.json' 2>/dev/null || true; } | wc -l
}
in_ns "$NS" sysctl -qw net.netfilter.nf_conntrack_acct=0 || die "cannot reset acct in $NS"
mkdir -p "$LAB_TMP/plandir"
printf '{"recommendation": {"net.netfilter.nf_conntrack_acct": "1"' >"$LAB_TMP/truncated.json"
printf 'not json at all\n' >"$LAB_TMP/garbage.json"
printf '{"recommendation": ["net.netfilter.nf_conntrack_acct"]}\n' >"$LAB_TMP/wrongtype.json"
for plan in "$LAB_TMP/missing.json" "$LAB_TMP/plandir" "$LAB_TMP/truncated.json" \
	"$LAB_TMP/garbage.json" "$LAB_TMP/wrongtype.json"; do
	expect_env apply "$(basename "$plan")" apply --netns "$NS" --from-plan "$plan" --yes
done
expect_env apply "No such file or directory" apply --netns "$NS" --from-plan "$LAB_TMP/missing.json" --yes
assert_eq "apply --from-plan faults: acct unchanged" 0 "$(in_ns "$NS" sysctl -n net.netfilter.nf_conntrack_acct)"
assert_eq "apply --from-plan faults: no undo record" 0 "$(records)"
expect_env apply "cannot enter network namespace 'ctad-no-such-ns-$$'" \
	apply --netns "ctad-no-such-ns-$$" --enable-acct --yes

# --persist writes the host's boot configuration, so these run in the
# initial namespace, with a knob set to the value it has: no running value
# changes, and nothing may appear in the real /etc directories.
[[ -e /proc/sys/net/netfilter/nf_log_all_netns ]] ||
	die "not in the initial network namespace (no nf_log_all_netns)"
KNOB=net.netfilter.nf_conntrack_generic_timeout
orig=$(sysctl -n "$KNOB") || die "cannot read $KNOB"
lab_on_exit "[[ \$(sysctl -n $KNOB) == $orig ]]"
etc_files()
{
	find /etc/sysctl.d /etc/modprobe.d -mindepth 1 -printf '%p\n' 2>/dev/null | sort | tr '\n' ' '
}
etc_before=$(etc_files)
mkdir -p "$LAB_TMP/sysctl.d" "$LAB_TMP/modprobe.d"
CASE=$((CASE + 1))
rc=0
"$CTADVISOR" apply --set "$KNOB=$orig" --persist --sysctl-dir "$LAB_TMP/none/sysctl.d" \
	--modprobe-dir "$LAB_TMP/modprobe.d" --yes </dev/null >"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
cat "$LAB_TMP/out" "$LAB_TMP/err"
assert_eq "case $CASE: --sysctl-dir missing: exit (documented 3)" 3 "$rc"
assert_eq "case $CASE: --sysctl-dir missing: names the file and the cause" 1 \
	"$(grep -cF "cannot write $LAB_TMP/none/sysctl.d/90-ctadvisor.conf: No such file or directory" "$LAB_TMP/err" || true)"
assert_eq "case $CASE: --sysctl-dir missing: not created" 0 "$(find "$LAB_TMP" -path '*/none*' | wc -l)"
# nf_conntrack built in (no /sys/module/nf_conntrack/initstate): the hash
# size goes to sysctl.d and the modprobe directory is never used; as a
# module, a missing one is the same error as a missing sysctl.d.
CASE=$((CASE + 1))
rc=0
buckets=$(sysctl -n net.netfilter.nf_conntrack_buckets)
"$CTADVISOR" apply --set "module.nf_conntrack.hashsize=$buckets" --persist \
	--sysctl-dir "$LAB_TMP/sysctl.d" --modprobe-dir "$LAB_TMP/none/modprobe.d" --yes </dev/null \
	>"$LAB_TMP/out" 2>"$LAB_TMP/err" || rc=$?
cat "$LAB_TMP/out" "$LAB_TMP/err"
if [[ -e /sys/module/nf_conntrack/initstate ]]; then
	assert_eq "case $CASE: --modprobe-dir missing (module): exit" 3 "$rc"
	assert_eq "case $CASE: --modprobe-dir missing (module): names the cause" 1 \
		"$(grep -c "$LAB_TMP/none/modprobe.d.*No such file or directory" "$LAB_TMP/err" || true)"
else
	assert_eq "case $CASE: --modprobe-dir missing (built in): exit" 0 "$rc"
	assert_eq "case $CASE: --modprobe-dir missing (built in): buckets persisted in sysctl.d" 1 \
		"$(grep -c "^net.netfilter.nf_conntrack_buckets = $buckets$" "$LAB_TMP/sysctl.d/90-ctadvisor.conf")"
fi
assert_eq "case $CASE: --modprobe-dir missing: not created" 0 "$(find "$LAB_TMP" -path '*/none*' | wc -l)"
assert_eq "--persist faults: $KNOB unchanged" "$orig" "$(sysctl -n "$KNOB")"
assert_eq "--persist faults: buckets unchanged" "$buckets" "$(sysctl -n net.netfilter.nf_conntrack_buckets)"
assert_eq "--persist faults: nothing new in /etc/sysctl.d, /etc/modprobe.d" "$etc_before" \
	"$(etc_files)"
rm -f "$CTADVISOR_STATE_DIR"/undo/undo-*.json

# undo: one real record (acct in the lab namespace), then faults around it.
RC=0
"$CTADVISOR" apply --netns "$NS" --enable-acct --yes </dev/null >"$LAB_TMP/out" 2>&1 || RC=$?
assert_eq "undo faults: a record to protect was made (apply exit)" 0 "$RC"
assert_eq "undo faults: one record" 1 "$(records)"
expect_env undo "cannot enter network namespace 'ctad-no-such-ns-$$'" \
	undo --netns "ctad-no-such-ns-$$" --yes
expect_env undo "undo/no-such-record.json is unusable: .*No such file or directory; nothing was changed" \
	undo --yes no-such-record.json
expect_env undo "$LAB_TMP/garbage.json is unusable: .*nothing was changed" undo --yes "$LAB_TMP/garbage.json"
# options after the operand, as the usage line shows them
expect_env undo "undo/no-such-record.json is unusable: .*No such file or directory; nothing was changed" \
	undo no-such-record.json --yes
expect_env undo "$LAB_TMP/plandir is unusable" undo --yes "$LAB_TMP/plandir"
expect_usage undo "--netns" undo --netns "" --yes
assert_eq "undo faults: acct still as applied" 1 "$(in_ns "$NS" sysctl -n net.netfilter.nf_conntrack_acct)"
assert_eq "undo faults: the record survives" 1 "$(records)"
RC=0
"$CTADVISOR" undo --netns "$NS" --yes </dev/null >"$LAB_TMP/out" 2>&1 || RC=$?
assert_eq "undo faults: then the real undo: exit" 0 "$RC"
assert_eq "undo faults: then the real undo: acct restored" 0 "$(in_ns "$NS" sysctl -n net.netfilter.nf_conntrack_acct)"

assert_eq "nothing was created in the scratch directory" "" "$(ls -A "$SCRATCH")"
lab_finish
