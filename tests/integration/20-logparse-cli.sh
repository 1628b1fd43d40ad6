#!/usr/bin/env bash
# 20-logparse-cli: `ctadvisor logparse` on the log fixtures, as the built
# binary runs for a user: every fixture read plain, gzip-compressed, from
# stdin (plain and compressed) and with CRLF line ends gives, in its JSON
# report, exactly the aggregate in the fixture's .expected file (the same
# numbers tests/unit/test_logparse_agg.c checks in-process). Also: exit
# status 0/1/2 by what was found, several files add up, --top, text at 80
# columns without raw control characters from hostile lines (a 1 MiB line,
# invalid UTF-8, CRLF, a line cut at the end of the file), colour only when
# asked, and the failures: a missing file, a directory, a corrupt gzip file
# and bad options all exit 3 with a one-line error naming the culprit and
# print no report. Needs no namespace.
# shellcheck source-path=SCRIPTDIR source=lib.sh disable=SC2016
source "$(dirname "$0")/lib.sh"

FIX="$(cd "$(dirname "$0")/../fixtures/logparse" && pwd)"

# The JSON report turned into the .expected format of the fixtures.
to_expected='
def pad6: (1000000 + . | tostring)[1:];
def ts($k; $t): $k + (if $t == null then "" else
	(if $t.boot_sec != null then " mono=\($t.boot_sec).\($t.boot_usec | pad6)" else "" end) +
	(if $t.wall != null then " wall=\($t.wall)" else "" end) +
	(if $t.epoch_sec != null then " epoch=\($t.epoch_sec)" else "" end) +
	(if $t.is_utc then " utc" else "" end) end);
.input as $in | .invalid as $inv | .other as $o |
"lines \($in.lines)", "unrelated \($in.unrelated)", "not_understood \($in.not_understood)",
"events \($in.events)", "truncated \($inv.truncated)",
($in.kinds | to_entries[] | "kind \(.key) \(.value)"),
"marked_invalid \($inv.marked_invalid)", "accepted \($inv.accepted)",
($inv.reasons[] | "reason \(.id) \(.verdict) \(.count)"),
($inv.protocols[] | "proto \(.proto) \(.count)"),
($inv.tcp_flags[] | "flags \(.flags) \(.count)"),
"dir 0 \($inv.directions.original)", "dir 1 \($inv.directions.reply)",
"dir unknown \($inv.directions.unknown)",
($inv.interfaces[] | "iface \(.name) in \(.in) out \(.out)"),
($o.log_rules.prefixes[] | "prefix \(.prefix) \(.count)"),
($inv.top_sources[] | "src \(.addr) \(.count) error \(.error)"),
($inv.top_dports[] | "dport \(.proto)/\(.port) \(.count) error \(.error)"),
"suppressed \($o.rate_limit.suppressed) lower_bound \(if .counts_are_lower_bounds then "yes" else "no" end)",
"boot buckets \($o.boot.buckets // 0) max \($o.boot.max // 0)",
"table_full \(.table_full.count)",
ts("table_full_first"; .table_full.first), ts("table_full_last"; .table_full.last),
ts("first"; $inv.first_seen), ts("last"; $inv.last_seen)
'

OUT="$LAB_TMP/out"
ERR="$LAB_TMP/err"
RC=0

# run ARGS...: ctadvisor logparse with stdin from $STDIN (default /dev/null);
# sets RC and leaves stdout in $OUT, stderr in $ERR.
run()
{
	RC=0
	"$CTADVISOR" logparse "$@" <"${STDIN:-/dev/null}" >"$OUT" 2>"$ERR" || RC=$?
}

# assert_grep WHAT GREP-ARGS...: the last argument (a file) matches.
assert_grep()
{
	local what=$1
	shift
	if grep -q "$@"; then
		echo "ok: $what"
	else
		fail "$what: no match for '${*: -2:1}' in: $(head -c 500 "${*: -1}")"
	fi
}

# check_expected WHAT FIXTURE: $OUT (JSON) against FIXTURE.expected.
check_expected()
{
	local what=$1 name=$2 got="$LAB_TMP/got"
	if ! jq -r "$to_expected" "$OUT" >"$got" 2>"$LAB_TMP/jq.err"; then
		fail "$what: output is not the JSON report: $(head -c 300 "$OUT") $(cat "$LAB_TMP/jq.err")"
		return
	fi
	if diff -u "$FIX/$name.expected" "$got" >"$LAB_TMP/diff"; then
		echo "ok: $what equals $name.expected ($(wc -l <"$got") figures)"
	else
		fail "$what differs from $name.expected: $(head -n 30 "$LAB_TMP/diff")"
	fi
	assert_eq "$what exit status (table full in every fixture: CRITICAL)" 2 "$RC"
	assert_eq "$what JSON exit_code" 2 "$(jq .exit_code "$OUT")"
	assert_eq "$what stderr" "" "$(cat "$ERR")"
}

n_fixtures=0
for log in "$FIX"/*.log; do
	name=$(basename "$log" .log)
	n_fixtures=$((n_fixtures + 1))
	gzip -c "$log" >"$LAB_TMP/$name.log.gz"
	sed 's/$/\r/' "$log" >"$LAB_TMP/$name-crlf.log"

	run --format json "$log"
	check_expected "$name (file)" "$name"
	assert_eq "$name source" "$log" "$(jq -r .source "$OUT")"
	run --format json "$LAB_TMP/$name.log.gz"
	check_expected "$name (gzip file)" "$name"
	STDIN=$log run --format json
	check_expected "$name (stdin)" "$name"
	assert_eq "$name stdin source" stdin "$(jq -r .source "$OUT")"
	STDIN="$LAB_TMP/$name.log.gz" run -f json -
	check_expected "$name (gzip on stdin, '-')" "$name"
	run --format=json "$LAB_TMP/$name-crlf.log"
	check_expected "$name (CRLF line ends)" "$name"

	run "$log"
	assert_eq "$name text exit status" 2 "$RC"
	assert_grep "$name text status line" -e '^ctadvisor logparse: CRITICAL$' "$OUT"
	# A path is one word: it is never broken, so the source line is the one
	# line allowed past column 79 (CI's checkout path is longer than ours).
	assert_eq "$name text source line" "  source         $log" "$(grep '^  source ' "$OUT")"
	assert_eq "$name text lines over 79 columns" 0 \
		"$(grep -v '^  source ' "$OUT" | awk 'length > 79' | wc -l)"
	assert_eq "$name text escape characters" 0 "$(grep -c $'\x1b' "$OUT" || true)"
done
assert_ge "fixtures read" 10 "$n_fixtures"

# Several files add up; the source names them all.
run --format json "$FIX/dmesg.log" "$LAB_TMP/syslog-iso.log.gz"
assert_eq "two files: exit status" 2 "$RC"
assert_eq "two files: lines" 62 "$(jq .input.lines "$OUT")"
assert_eq "two files: marked invalid" 26 "$(jq .invalid.marked_invalid "$OUT")"
assert_eq "two files: table full" 6 "$(jq .table_full.count "$OUT")"
assert_eq "two files: source" "$FIX/dmesg.log, $LAB_TMP/syslog-iso.log.gz" "$(jq -r .source "$OUT")"

# --top bounds the lists.
run --format json --top 2 "$FIX/dmesg.log"
assert_eq "--top 2: sources listed" 2 "$(jq '.invalid.top_sources | length' "$OUT")"
assert_eq "--top 2: ports listed" 2 "$(jq '.invalid.top_dports | length' "$OUT")"
assert_eq "--top 2: first source" "203.0.113.5 5" \
	"$(jq -r '.invalid.top_sources[0] | "\(.addr) \(.count)"' "$OUT")"

# Exit status by what was found: nothing, invalid drops only, accepted only.
: >"$LAB_TMP/empty.log"
run --format json "$LAB_TMP/empty.log"
assert_eq "empty file: exit status (OK)" 0 "$RC"
assert_eq "empty file: status" OK "$(jq -r .status "$OUT")"
assert_eq "empty file: lines" 0 "$(jq .input.lines "$OUT")"
sed -n 2p "$FIX/dmesg.log" >"$LAB_TMP/one-drop.log"
run "$LAB_TMP/one-drop.log"
assert_eq "one invalid drop: exit status (WARNING)" 1 "$RC"
assert_grep "one invalid drop: reason shown" -e 'tcp-invalid-flags' "$OUT"
sed -n 7p "$FIX/dmesg.log" >"$LAB_TMP/accepted.log"
run --format json "$LAB_TMP/accepted.log"
assert_eq "accepted only: exit status (OK: nothing dropped)" 0 "$RC"
assert_eq "accepted only: accepted" 1 "$(jq .invalid.accepted "$OUT")"

# Hostile input: control characters in a LOG prefix, a NUL inside a line, a
# line longer than any buffer. Text shows them escaped, JSON stays valid.
{
	printf '[  1.000000] \033[2J\033]0;pwned\007EVIL: IN=eth0 OUT= SRC=192.0.2.7 DST=192.0.2.1 LEN=40 TOS=0x00 PREC=0x00 TTL=49 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=1024 RES=0x00 SYN URGP=0\n'
	printf 'unrelated\000with a NUL\n'
	head -c 300000 /dev/zero | tr '\0' 'x'
	printf '\n'
	sed -n 2p "$FIX/dmesg.log"
} >"$LAB_TMP/hostile.log"
run --color always "$LAB_TMP/hostile.log"
assert_eq "hostile: exit status" 1 "$RC"
assert_eq "hostile: raw BEL/ESC-] in text" 0 "$(grep -c $'\x07\|\x1b\]' "$OUT" || true)"
run --format json "$LAB_TMP/hostile.log"
assert_eq "hostile: JSON parses, lines" 4 "$(jq .input.lines "$OUT")"
assert_eq "hostile: JSON marked invalid" 1 "$(jq .invalid.marked_invalid "$OUT")"

# More hostile input: a line of exactly 1 MiB between valid lines, LOG lines
# whose prefixes hold invalid UTF-8 (\xff\xfe, a lone \xc3) and a valid "é"
# the 127-byte prefix limit would cut in two, a CRLF line among LF ones, and
# at the end of the file a conntrack line cut mid-field, without a newline.
# The valid lines count exactly, the 1 MiB line is unrelated, the cut line
# counts as the drop it reports (its reason is whole) without a source;
# JSON and text are valid UTF-8, bad bytes escaped, no raw control bytes.
pad126=$(printf 'P%.0s' {1..126})
{
	sed -n 2p "$FIX/dmesg.log"
	printf '[  1.000000] '
	head -c $((1048576 - 13)) /dev/zero | tr '\0' 'y'
	printf '\n'
	sed -n 3p "$FIX/dmesg.log"
	printf '[  2.000000] EV\xff\xfeIL\xc3: IN=eth0 OUT= SRC=192.0.2.7 DST=192.0.2.1 LEN=40 TOS=0x00 PREC=0x00 TTL=49 ID=1 PROTO=TCP SPT=1 DPT=2 WINDOW=1024 RES=0x00 SYN URGP=0\n'
	printf '[  2.500000] %s\xc3\xa9: IN=eth0 OUT= SRC=192.0.2.8 DST=192.0.2.1 LEN=40 PROTO=TCP SPT=1 DPT=2 SYN URGP=0\n' "$pad126"
	printf '%s\r\n' "$(sed -n 8p "$FIX/dmesg.log")"
	printf '[  3.000000] nf_ct_proto_6: invalid tcp flag combination IN=eth0 OUT= SRC=192.0.2.'
} >"$LAB_TMP/hostile2.log"
assert_eq "hostile 2: the long line (lab sanity)" 1048576 \
	"$(awk 'length > 1000 { print length }' "$LAB_TMP/hostile2.log")"
assert_eq "hostile 2: no newline at the end (lab sanity)" 1 "$(tail -c 1 "$LAB_TMP/hostile2.log" | grep -c '\.')"
run --format json "$LAB_TMP/hostile2.log"
assert_eq "hostile 2: exit status (WARNING: marked invalid, the ruleset unknown)" 1 "$RC"
assert_eq "hostile 2: stderr" "" "$(cat "$ERR")"
if jq -e . "$OUT" >/dev/null 2>&1; then
	echo "ok: hostile 2: JSON parses"
else
	fail "hostile 2: JSON does not parse: $(head -c 500 "$OUT")"
fi
assert_eq "hostile 2: lines, events, unrelated, not understood" "7 6 1 0" \
	"$(jq -r '.input | "\(.lines) \(.events) \(.unrelated) \(.not_understood)"' "$OUT")"
assert_eq "hostile 2: conntrack reports, LOG lines" "4 2" \
	"$(jq -r '.input.kinds | "\(.ct_invalid) \(.log_rule)"' "$OUT")"
assert_eq "hostile 2: dropped, accepted, truncated" "4 0 0" \
	"$(jq -r '.invalid | "\(.marked_invalid) \(.accepted) \(.truncated)"' "$OUT")"
assert_eq "hostile 2: reasons" "tcp-invalid-flags 4" \
	"$(jq -r '[.invalid.reasons[] | "\(.id) \(.count)"] | join(", ")' "$OUT")"
assert_eq "hostile 2: sources (the CRLF line's included, the cut one not)" \
	"203.0.113.5 2, 203.0.113.9 1" \
	"$(jq -r '[.invalid.top_sources[] | "\(.addr) \(.count)"] | join(", ")' "$OUT")"
if iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null 2>&1; then
	echo "ok: hostile 2: JSON is valid UTF-8"
else
	fail "hostile 2: JSON is not valid UTF-8"
fi
prefixes=$(jq -r '.other.log_rules.prefixes[] | "\(.prefix) \(.count)"' "$OUT") ||
	fail "hostile 2: jq -r of the prefixes failed"
if iconv -f UTF-8 -t UTF-8 <<<"$prefixes" >/dev/null 2>&1; then
	echo "ok: hostile 2: the prefixes are valid UTF-8"
else
	fail "hostile 2: the prefixes are not valid UTF-8"
fi
assert_eq "hostile 2: the invalid bytes escaped" 1 \
	"$(grep -cxF 'EV\xff\xfeIL\xc3: 1' <<<"$prefixes" || true)"
assert_eq "hostile 2: the long prefix cut before its 'é', not inside it" 1 \
	"$(grep -cx "$pad126 1" <<<"$prefixes" || true)"
run --color never "$LAB_TMP/hostile2.log"
assert_eq "hostile 2: text exit status" 1 "$RC"
if iconv -f UTF-8 -t UTF-8 "$OUT" >/dev/null 2>&1; then
	echo "ok: hostile 2: text is valid UTF-8"
else
	fail "hostile 2: text is not valid UTF-8"
fi
assert_eq "hostile 2: raw ESC, BEL or CR in text" 0 "$(grep -c $'\x1b\\|\x07\\|\r' "$OUT" || true)"
assert_grep "hostile 2: text shows the escaped prefix" -F -e '"EV\xff\xfeIL\xc3:"' "$OUT"
assert_grep "hostile 2: text line counts" -e '^  lines  *7 read: 6 understood, 1 unrelated, 0 not understood$' "$OUT"
# Even the 126-byte prefix (one word, longer than a line) is cut to fit:
# display columns (wc -L in a UTF-8 locale), the é is one.
widest=$(grep -v -e '^  source ' "$OUT" | LC_ALL=C.UTF-8 wc -L)
assert_eq "hostile 2: widest text line (but the source) within 79 columns" true \
	"$( ((widest <= 79)) && echo true || echo "false ($widest)")"
assert_ge "hostile 2: the long prefix goes on over lines" 2 \
	"$(grep -c -e "${pad126:0:10}" "$OUT" || true)"

# Colour only when asked.
run --color always "$LAB_TMP/one-drop.log"
assert_ge "--color always: escape sequences" 1 "$(grep -c $'\x1b\\[' "$OUT" || true)"
run --color never "$LAB_TMP/one-drop.log"
assert_eq "--color never: escape sequences" 0 "$(grep -c $'\x1b' "$OUT" || true)"

# err_case WHAT PATTERN ARGS...: exit 3, no report, one stderr line matching PATTERN.
err_case()
{
	local what=$1 pattern=$2
	shift 2
	run "$@"
	assert_eq "$what: exit status" 3 "$RC"
	assert_eq "$what: report on stdout" 0 "$(wc -c <"$OUT")"
	if grep -qE -- "$pattern" "$ERR"; then
		echo "ok: $what: error names it: $(head -n 1 "$ERR")"
	else
		fail "$what: expected stderr matching '$pattern', actual: $(cat "$ERR")"
	fi
}

head -c 200 "$LAB_TMP/dmesg.log.gz" >"$LAB_TMP/cut.log.gz"
err_case "missing file" "^ctadvisor logparse: cannot read '$LAB_TMP/nosuch.log': .*ENOENT" \
	"$FIX/dmesg.log" "$LAB_TMP/nosuch.log"
assert_eq "missing file: one line" 1 "$(wc -l <"$ERR")"
err_case "directory" "cannot read '$FIX': .*EISDIR" "$FIX"
assert_eq "directory: one line" 1 "$(wc -l <"$ERR")"
err_case "truncated gzip" "cannot read '$LAB_TMP/cut.log.gz': .*EBADMSG" "$LAB_TMP/cut.log.gz"
err_case "unknown option" "unknown option.*--bogus" --bogus
err_case "bad format" "invalid value for --format: 'prometheus'" --format prometheus
err_case "bad --top" "invalid value for --top: '0'" --top 0
err_case "missing option value" "missing value" --top

run --help
assert_eq "--help: exit status" 0 "$RC"
for word in Usage: gzip "journalctl -k" "dmesg -T" "RFC 5424" logread "Exit status" \
	"--format" "--top" "--color"; do
	assert_grep "--help mentions $word" -F -e "$word" "$OUT"
done

lab_finish
