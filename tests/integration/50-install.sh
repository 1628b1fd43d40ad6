#!/usr/bin/env bash
# 50-install: `make install` into a DESTDIR tree puts every file where the
# Makefile documents it, with the units and command definitions naming the
# installed binary; the installed binary runs (--version with the kernel
# features, a check of a lab namespace); the man page renders without
# warnings; the bash completion, sourced in bash, completes commands,
# options and --netns names; `make uninstall` removes every file again.
# Then the same with BINDIR and MANDIR overridden.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
source "$(dirname "$0")/lib.sh"

SRC=$(cd "$(dirname "$0")/../.." && pwd)
DEST="$LAB_TMP/dest"
BUILD_DIR=$(dirname "$CTADVISOR")

make -s -C "$SRC" BUILD="$BUILD_DIR" DESTDIR="$DEST" PREFIX=/usr install >"$LAB_TMP/install.log" 2>&1 ||
	die "make install failed: $(cat "$LAB_TMP/install.log")"

want=(usr/sbin/ctadvisor usr/share/man/man8/ctadvisor.8
	usr/share/bash-completion/completions/ctadvisor
	usr/lib/systemd/system/ctadvisor-textfile.service usr/lib/systemd/system/ctadvisor-textfile.timer
	usr/lib/systemd/system/ctadvisor-watch.service
	usr/share/ctadvisor/icinga2/ctadvisor.conf usr/share/ctadvisor/nagios/ctadvisor.cfg
	usr/share/ctadvisor/prometheus/ctadvisor.rules.yml
	usr/share/doc/ctadvisor/check-output.md usr/share/doc/ctadvisor/NEWS.md)
assert_eq "installed files" "$(printf '%s\n' "${want[@]}" | sort)" \
	"$(cd "$DEST" && find . -type f | sed 's|^\./||' | sort)"
assert_eq "binary mode" 755 "$(stat -c %a "$DEST/usr/sbin/ctadvisor")"
assert_eq "man page mode" 644 "$(stat -c %a "$DEST/usr/share/man/man8/ctadvisor.8")"
for f in usr/lib/systemd/system/ctadvisor-textfile.service usr/lib/systemd/system/ctadvisor-watch.service \
	usr/share/ctadvisor/icinga2/ctadvisor.conf usr/share/ctadvisor/nagios/ctadvisor.cfg; do
	grep -q '/usr/sbin/ctadvisor' "$DEST/$f" || fail "$f: no /usr/sbin/ctadvisor in the installed copy"
	if grep -q /usr/local/sbin/ctadvisor "$DEST/$f"; then
		fail "$f: still names /usr/local/sbin/ctadvisor"
	fi
done

# The installed binary.
BIN="$DEST/usr/sbin/ctadvisor"
"$BIN" --version >"$LAB_TMP/version.out" 2>&1 || fail "installed ctadvisor --version exited $?"
if grep -qE '^ctadvisor [0-9]+\.[0-9]+\.[0-9]+' "$LAB_TMP/version.out" &&
	grep -q "^kernel: Linux $(uname -r)" "$LAB_TMP/version.out" &&
	grep -qE '^  nf_conntrack +yes' "$LAB_TMP/version.out"; then
	echo "ok: --version names the version, the kernel and nf_conntrack"
else
	fail "--version: expected version, kernel and features, got: $(cat "$LAB_TMP/version.out")"
fi
lab_netns NS inst
lab_ct_enable "$NS"
CTADVISOR=$BIN run_check --netns "$NS" --format json
require_json
assert_eq "installed binary: check exit status" 0 "$CHECK_RC"
assert_eq "installed binary: occupancy count vs conntrack -C" "$(in_ns "$NS" conntrack -C)" \
	"$(check_jq .occupancy.count)"

# The man page: renders, without a warning, from the installed tree.
MANWIDTH=80 man --warnings -l "$DEST/usr/share/man/man8/ctadvisor.8" >"$LAB_TMP/man.out" \
	2>"$LAB_TMP/man.err" || fail "man -l exited $?"
assert_eq "man --warnings messages" "" "$(cat "$LAB_TMP/man.err")"
assert_eq "man page NAME line" 1 "$(grep -cE '^ *ctadvisor +- health check' "$LAB_TMP/man.out")"
# Every command of `ctadvisor --help`, and no other, in this list; each has a
# section in the man page that names every long option of its --help.
COMMANDS=(check watch logparse plan apply undo flush nat inventory report)
assert_eq "commands of ctadvisor --help" "$(printf '%s\n' "${COMMANDS[@]}" | sort)" \
	"$("$BIN" --help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' | sort)"
# help_opts CMD: the long options CMD's --help defines (at the start of an
# option line, or after ', ' or '; ' there), not those it cites of others.
help_opts()
{
	"$BIN" "$1" --help | grep -E '^ {1,8}-' | grep -oE -- '(^ *|, |; +)--[a-z][a-z-]*' |
		grep -oE -- '--[a-z-]+' | sort -u
}
for cmd in "${COMMANDS[@]}"; do
	# The section: from its heading (3 spaces, the command) to the next heading.
	awk -v c="$cmd" '/^   [^ ]/ { on = ($1 == c) } /^[^ ]/ { on = 0 } on' "$LAB_TMP/man.out" \
		>"$LAB_TMP/man.$cmd"
	[[ -s $LAB_TMP/man.$cmd ]] || fail "man page: no section for '$cmd'"
	missing=""
	for opt in $(help_opts "$cmd"); do
		grep -qE -- "$opt([^a-z-]|\$)" "$LAB_TMP/man.$cmd" || missing+=" $opt"
	done
	assert_eq "man page '$cmd' section: options of --help it lacks" "" "${missing# }"
done
assert_eq "man by MANPATH" 0 "$(MANPATH="$DEST/usr/share/man" MANWIDTH=80 man ctadvisor >/dev/null 2>&1; echo $?)"
groff -man -ww -z "$DEST/usr/share/man/man8/ctadvisor.8" 2>"$LAB_TMP/groff.err" || fail "groff exited $?"
assert_eq "groff -ww warnings" "" "$(cat "$LAB_TMP/groff.err")"

# Completion: source it in a fresh bash and drive the function as readline
# would, through COMP_WORDS and COMP_CWORD.
complete_words()
{
	bash --norc --noprofile -c '
		source "$1" || exit 9
		shift
		complete -p ctadvisor >/dev/null || exit 8
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_ctadvisor
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$DEST/usr/share/bash-completion/completions/ctadvisor" "$@"
}
assert_eq "complete -p ctadvisor" "complete -F _ctadvisor ctadvisor" \
	"$(bash --norc --noprofile -c 'source "$1"; complete -p ctadvisor' _ \
		"$DEST/usr/share/bash-completion/completions/ctadvisor")"
assert_eq "completion of 'ctadvisor ch'" "check" "$(complete_words ctadvisor ch)"
assert_eq "completion of 'ctadvisor '" "$(printf '%s\n' --help --version "${COMMANDS[@]}" | sort)" \
	"$(complete_words ctadvisor '')"
assert_eq "completion of 'ctadvisor na'" "nat" "$(complete_words ctadvisor na)"
assert_eq "completion of 'ctadvisor inv'" "inventory" "$(complete_words ctadvisor inv)"
for cmd in "${COMMANDS[@]}"; do
	assert_eq "completion of 'ctadvisor $cmd --' vs its --help" "$(help_opts "$cmd")" \
		"$(complete_words ctadvisor "$cmd" --)"
done
assert_eq "completion of 'ctadvisor check --fo'" "--format" "$(complete_words ctadvisor check --fo)"
assert_eq "completion of 'ctadvisor check --format p'" "prometheus" \
	"$(complete_words ctadvisor check --format p)"
assert_eq "completion of 'ctadvisor check --netns <lab prefix>'" "$NS" \
	"$(complete_words ctadvisor check --netns "${NS%-inst}-in")"
assert_eq "completion of 'ctadvisor watch --in'" "--interval
--invalid" "$(complete_words ctadvisor watch --in)"
assert_eq "completion of 'ctadvisor watch --inv'" "--invalid" "$(complete_words ctadvisor watch --inv)"
# --format values per command: prometheus only where the command has it.
assert_eq "completion of 'ctadvisor nat --format '" "json
prometheus
text" "$(complete_words ctadvisor nat --format '')"
assert_eq "completion of 'ctadvisor watch -f '" "json
prometheus
text" "$(complete_words ctadvisor watch -f '')"
assert_eq "completion of 'ctadvisor logparse --format '" "json
text" "$(complete_words ctadvisor logparse --format '')"
assert_eq "completion of 'ctadvisor flush -f '" "ipv4
ipv6" "$(complete_words ctadvisor flush -f '')"
assert_eq "completion of 'ctadvisor nat --netns <lab prefix>'" "$NS" \
	"$(complete_words ctadvisor nat --netns "${NS%-inst}-in")"

make -s -C "$SRC" BUILD="$BUILD_DIR" DESTDIR="$DEST" PREFIX=/usr uninstall >"$LAB_TMP/uninstall.log" 2>&1 ||
	fail "make uninstall failed: $(cat "$LAB_TMP/uninstall.log")"
assert_eq "files left after uninstall" "" "$(find "$DEST" -type f)"

# BINDIR and MANDIR overridden: the binary and the man page go there, the rest
# stays under PREFIX, and the units and command definitions name the binary
# at its overridden path.
DEST2="$LAB_TMP/dest2"
OBIN=/opt/ctad-test/bin
OMAN=/opt/ctad-test/man
make -s -C "$SRC" BUILD="$BUILD_DIR" DESTDIR="$DEST2" PREFIX=/usr BINDIR="$OBIN" MANDIR="$OMAN" install \
	>"$LAB_TMP/install2.log" 2>&1 || die "make install BINDIR= MANDIR= failed: $(cat "$LAB_TMP/install2.log")"
want2=("${OBIN#/}/ctadvisor" "${OMAN#/}/man8/ctadvisor.8"
	usr/share/bash-completion/completions/ctadvisor
	usr/lib/systemd/system/ctadvisor-textfile.service usr/lib/systemd/system/ctadvisor-textfile.timer
	usr/lib/systemd/system/ctadvisor-watch.service
	usr/share/ctadvisor/icinga2/ctadvisor.conf usr/share/ctadvisor/nagios/ctadvisor.cfg
	usr/share/ctadvisor/prometheus/ctadvisor.rules.yml
	usr/share/doc/ctadvisor/check-output.md usr/share/doc/ctadvisor/NEWS.md)
assert_eq "installed files (BINDIR=$OBIN MANDIR=$OMAN)" "$(printf '%s\n' "${want2[@]}" | sort)" \
	"$(cd "$DEST2" && find . -type f | sed 's|^\./||' | sort)"
assert_eq "BINDIR binary mode" 755 "$(stat -c %a "$DEST2$OBIN/ctadvisor")"
assert_eq "MANDIR man page mode" 644 "$(stat -c %a "$DEST2$OMAN/man8/ctadvisor.8")"
assert_eq "BINDIR binary is the one built" "$(sha256sum <"$CTADVISOR")" "$(sha256sum <"$DEST2$OBIN/ctadvisor")"
assert_eq "service ExecStart names BINDIR" \
	"ExecStart=$OBIN/ctadvisor check --format prometheus --output /var/lib/prometheus/node-exporter/ctadvisor.prom" \
	"$(grep '^ExecStart=' "$DEST2/usr/lib/systemd/system/ctadvisor-textfile.service")"
assert_eq "watch service ExecStart names BINDIR" \
	"ExecStart=$OBIN/ctadvisor watch --interval 15s --format prometheus --output /var/lib/prometheus/node-exporter/ctadvisor_watch.prom" \
	"$(grep '^ExecStart=' "$DEST2/usr/lib/systemd/system/ctadvisor-watch.service")"
assert_eq "icinga2 CheckCommand names BINDIR" "vars.ctadvisor_binary = \"$OBIN/ctadvisor\"" \
	"$(grep -oE 'vars\.ctadvisor_binary = "[^"]*"' "$DEST2/usr/share/ctadvisor/icinga2/ctadvisor.conf")"
assert_eq "nagios command lines naming BINDIR" 2 \
	"$(grep -cE "^ +command_line +$OBIN/ctadvisor check " "$DEST2/usr/share/ctadvisor/nagios/ctadvisor.cfg")"
for f in usr/lib/systemd/system/ctadvisor-textfile.service usr/lib/systemd/system/ctadvisor-watch.service \
	usr/share/ctadvisor/icinga2/ctadvisor.conf usr/share/ctadvisor/nagios/ctadvisor.cfg; do
	if grep -qE '/usr(/local)?/sbin/ctadvisor' "$DEST2/$f"; then
		fail "$f: names $(grep -oE '/usr(/local)?/sbin/ctadvisor' "$DEST2/$f" | head -n1), not $OBIN/ctadvisor"
	fi
done
"$DEST2$OBIN/ctadvisor" --version >"$LAB_TMP/version2.out" 2>&1 || fail "ctadvisor in BINDIR: --version exited $?"
assert_eq "ctadvisor in BINDIR: --version first line" "$(head -n1 "$LAB_TMP/version.out")" \
	"$(head -n1 "$LAB_TMP/version2.out")"
assert_eq "man page found in MANDIR by MANPATH" 0 \
	"$(MANPATH="$DEST2$OMAN" MANWIDTH=80 man --warnings ctadvisor >/dev/null 2>"$LAB_TMP/man2.err"; echo $?)"
assert_eq "man page in MANDIR: warnings" "" "$(cat "$LAB_TMP/man2.err")"
make -s -C "$SRC" BUILD="$BUILD_DIR" DESTDIR="$DEST2" PREFIX=/usr BINDIR="$OBIN" MANDIR="$OMAN" uninstall \
	>"$LAB_TMP/uninstall2.log" 2>&1 || fail "make uninstall BINDIR= MANDIR= failed: $(cat "$LAB_TMP/uninstall2.log")"
assert_eq "files left after uninstall (BINDIR=$OBIN MANDIR=$OMAN)" "" "$(find "$DEST2" -type f)"

lab_finish
