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
# anything. Known gaps, reported on issue 7 and left out until fixed:
# apply --sysctl-dir/--modprobe-dir "" and --from-plan "" (not usage
# errors), undo --netns "" (accepted), apply --netns "" (an environment
# error without the hint), and a command name or option value holding an
# ESC byte, echoed raw in the error line (main.c, cmd_usage_error()).
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

assert_eq "nothing was created in the scratch directory" "" "$(ls -A "$SCRATCH")"
lab_finish
