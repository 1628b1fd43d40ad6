#!/usr/bin/env bash
# Static analysis of the product code (cli/ render/ collect/ nl/ analysis/ rules/ sysctl/ logparse/;
# tests/ are not checked): clang-tidy with the repo's .clang-tidy, one step
# per file, then cppcheck, one step per directory. The compiler flags are
# passed directly after "--" (no compile_commands.json, so no bear run).
#   tests/static.sh                     everything
#   tests/static.sh cli/cli.c ...   clang-tidy on those files only
# STATIC_JOBS sets clang-tidy's parallelism (default: CPU count).
# The last line is "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1

DIRS="cli render collect nl analysis rules sysctl logparse"
DEFS="-D_GNU_SOURCE -DCTADVISOR_VERSION=\"static\""
# shellcheck disable=SC2086
PKG_CFLAGS=$(pkg-config --cflags libmnl libnetfilter_conntrack libnetfilter_log jansson 2>/dev/null)
JOBS=${STATIC_JOBS:-$(nproc)}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
passed=0 failed=0 failed_names=()

if [ $# -gt 0 ]; then
	files="$*"
else
	files=$(ls $(for d in $DIRS; do echo "$d/*.c"; done) 2>/dev/null)
fi

# One clang-tidy per file, in parallel; each writes OUT/<n>.log and .rc.
tidy_one() {
	local f=$1 log
	log=$OUT/$(echo "$f" | tr / _)
	# shellcheck disable=SC2086
	clang-tidy --quiet "$f" -- -std=c11 $DEFS $PKG_CFLAGS >"$log.log" 2>&1
	echo $? >"$log.rc"
}
export -f tidy_one
export OUT DEFS PKG_CFLAGS
# shellcheck disable=SC2086
printf '%s\n' $files | xargs -P "$JOBS" -I{} bash -c 'tidy_one "$1"' _ {}

for f in $files; do
	log=$OUT/$(echo "$f" | tr / _)
	if [ "$(cat "$log.rc" 2>/dev/null)" = 0 ]; then
		passed=$((passed + 1))
	else
		grep -vE '^[0-9]+ warnings? (and [0-9]+ errors? )?generated|^Suppressed [0-9]+ warnings|^Use -header-filter|^[0-9]+ warnings? treated as errors|^Error while processing' \
			"$log.log"
		failed=$((failed + 1))
		failed_names+=("clang-tidy $f")
	fi
done

# cppcheck per directory. variableScope is off: the house style (kernel,
# style(9)) declares locals at the top of the function on purpose.
if [ $# -eq 0 ]; then
	for d in $DIRS; do
		# shellcheck disable=SC2086
		if cppcheck --quiet --enable=warning,style,performance,portability --inline-suppr \
			--suppress=missingIncludeSystem --suppress=variableScope \
			--suppressions-list=tests/static-suppressions.txt --error-exitcode=1 \
			--std=c11 $DEFS -D__linux__ -D__x86_64__ -I"$d" "$d" >"$OUT/cppcheck.log" 2>&1; then
			passed=$((passed + 1))
		else
			cat "$OUT/cppcheck.log"
			failed=$((failed + 1))
			failed_names+=("cppcheck $d/")
		fi
	done
fi
for n in "${failed_names[@]+"${failed_names[@]}"}"; do echo "FAILED: $n"; done
echo "static: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
