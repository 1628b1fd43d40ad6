#!/usr/bin/env bash
# Mechanical checks of the house rules: includes point only down the layer
# table; only nl/ includes netlink headers; the pure layers print nothing;
# only cli/ exits or reads the environment; every C file (product and tests/)
# is under 600 lines and clang-format clean (git lists the files; no git, no
# clang-format or no file listed is a failure).
set -u
cd "$(dirname "$0")/.." || exit 1
fail=0
# The layer table (DESIGN.md): each folder and the folders it may include.
# An include may only point down; a pure layer includes no library of the
# kernel's. LINT_ROOT (tests) points the check at another tree.
LAYER_TABLE="
cli:render collect nl analysis rules logparse sysctl
render:analysis rules logparse
collect:nl analysis rules sysctl
nl:analysis rules logparse
analysis:rules logparse
rules:
logparse:
sysctl:
"
# Headers only nl/ may include: netlink libraries and netfilter kernel headers.
NL_ONLY='(libmnl|libnetfilter|linux/netfilter)'
# Headers a pure layer (rules/, logparse/) may not include at all.
PURE_BAN='(libmnl|libnetfilter|linux/|jansson)'
tree=${LINT_ROOT:-.}
# Every C file stays under MAX_LINES lines (STYLE.md): split a larger one by
# responsibility, one header per module.
MAX_LINES=600
# No file is excepted; LINT_SIZE_EXCEPTIONS (tests/lint-selftest.sh) adds
# one to show that an exception works, and the lint notes an excepted file
# that is no longer over.
SIZE_EXCEPTIONS="
${LINT_SIZE_EXCEPTIONS:-}
"
check_layers() {
	local line layer allowed f inc target
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		layer=${line%%:*}
		allowed=" $layer ${line#*:} "
		for f in "$tree/$layer"/*.[ch]; do
			[ -f "$f" ] || continue
			while IFS= read -r inc; do
				# "../X/name.h" names folder X; a bare "name.h" is the folder itself.
				target=$(printf '%s' "$inc" | sed -nE 's|^\.\./([a-z]+)/.*|\1|p')
				[ -n "$target" ] || continue
				case "$allowed" in
				*" $target "*) ;;
				*)
					echo "lint: upward or sideways include: ${f#"$tree"/} includes \"$inc\"" \
						"($layer/ may include: ${line#*:})"
					fail=1
					;;
				esac
			done < <(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]+)".*/\1/p' "$f")
			if [ "$layer" != nl ] && grep -qE "#include[[:space:]]*<$NL_ONLY" "$f"; then
				echo "lint: only nl/ includes netlink and netfilter headers:" \
					"$(grep -nE "#include[[:space:]]*<$NL_ONLY" "$f" | head -1) in ${f#"$tree"/}"
				fail=1
			fi
		done
	done <<<"$LAYER_TABLE"
	if [ -d "$tree/advisor" ]; then
		echo "lint: advisor/ is gone: put its files in the layer folders"
		fail=1
	fi
}
check_layers
# check_sizes: the files named on stdin (relative to $tree), each under
# MAX_LINES lines unless listed in SIZE_EXCEPTIONS.
check_sizes() {
	local f n
	while IFS= read -r f; do
		[ -f "$tree/$f" ] || continue
		n=$(wc -l <"$tree/$f")
		if grep -qxF -- "$f" <<<"$SIZE_EXCEPTIONS"; then
			[ "$n" -lt "$MAX_LINES" ] &&
				echo "lint: note: $f has $n lines now: take it out of SIZE_EXCEPTIONS in tests/lint.sh"
			continue
		fi
		if [ "$n" -ge "$MAX_LINES" ]; then
			echo "lint: $f has $n lines; files stay under $MAX_LINES: split it by" \
				"responsibility into modules of their own (one header each)"
			fail=1
		fi
	done
}
bad=$(grep -nE "#include[[:space:]]*<$PURE_BAN" "$tree"/rules/*.[ch] "$tree"/logparse/*.[ch] 2>/dev/null)
if [ -n "$bad" ]; then
	echo "lint: a pure layer (rules/, logparse/) includes a forbidden header:"
	echo "$bad"
	fail=1
fi
bad=$(grep -nE '\b(printf|fprintf|puts|fputs|exit|getenv)\(' "$tree"/rules/*.c "$tree"/logparse/*.c \
	"$tree"/analysis/*.c 2>/dev/null)
if [ -n "$bad" ]; then
	echo "lint: a pure layer prints, exits or reads the environment:"
	echo "$bad"
	fail=1
fi
# (comment lines, " * ...", are not code)
bad=$(grep -nE '\b(exit|getenv|secure_getenv)\(|printf\(stderr|, stderr\)' "$tree"/render/*.c \
	"$tree"/collect/*.c "$tree"/nl/*.c 2>/dev/null | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')
if [ -n "$bad" ]; then
	echo "lint: only cli/ exits, reads the environment or writes to stderr:"
	echo "$bad"
	fail=1
fi
if [ -n "${LINT_ROOT:-}" ]; then
	# A lint of another tree (tests/lint-selftest.sh) checks the layers and
	# the sizes of all its C files (it is no git checkout).
	check_sizes < <(cd "$tree" && find . -name '*.[ch]' -type f | sed 's|^\./||' | sort)
	if [ $fail -eq 0 ]; then echo "lint: 1 passed, 0 failed"; else echo "lint: 0 passed, 1 failed"; fi
	exit $fail
fi
# The format check needs git (the file list) and clang-format; without either
# it would check nothing, so a missing one fails the lint.
missing=""
command -v git >/dev/null 2>&1 || missing="$missing git"
command -v clang-format >/dev/null 2>&1 || missing="$missing clang-format"
if [ -n "$missing" ]; then
	echo "lint: FAIL: missing$missing, so no file can be format-checked" \
		"(install:$missing; scripts/quickstart.sh test does)"
	fail=1
elif ! files=$(git ls-files '*.c' '*.h' && git ls-files --others --exclude-standard '*.c' '*.h'); then
	echo "lint: FAIL: git ls-files failed in $(pwd): run the lint from a git checkout of ctadvisor"
	fail=1
else
	checked=0
	for f in $files; do
		[ -f "$f" ] || continue
		checked=$((checked + 1))
		clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || {
			echo "lint: not clang-format clean: $f (run: make format)"
			fail=1
		}
	done
	check_sizes <<<"$files"
	if [ "$checked" -eq 0 ]; then
		echo "lint: FAIL: git lists no .c/.h file in $(pwd), so nothing was format-checked:" \
			"run the lint from a git checkout of ctadvisor"
		fail=1
	else
		echo "lint: $checked C files format-checked"
	fi
fi
if [ $fail -eq 0 ]; then echo "lint: 1 passed, 0 failed"; else echo "lint: 0 passed, 1 failed"; fi
exit $fail
