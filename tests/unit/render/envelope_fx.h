/* envelope_fx.h: what the report golden tests (nat, inventory) check of a
 * JSON document besides its bytes: it parses back, and it opens with the
 * one envelope (jsonw.h jw_report) in its order. And the golden of such a
 * document with the build's version written as check's goldens have it
 * ("0.0.0-test"), so a version bump does not rewrite every golden file.
 * Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_ENVELOPE_FX_H
#define CTADVISOR_TEST_ENVELOPE_FX_H

#include <stddef.h>

#include <jansson.h>

/* Parse doc, failing the test with jansson's message when it is not JSON;
 * json_decref the result. */
json_t *envelope_parse(const char *doc);

/* Parse doc (failing the test with jansson's message when it is not JSON)
 * and check its first keys: schema, tool "ctadvisor", command, version
 * CTADVISOR_VERSION, status (exit_code's name), exit_code, netns. The
 * parsed document, for the caller's own checks (json_decref it). */
json_t *envelope_check(const char *doc, const char *command, int schema, int exit_code);

/* golden_check() of doc[len] with its one "version": CTADVISOR_VERSION
 * written "version": "0.0.0-test". */
void envelope_golden(const char *name, const char *doc, size_t len);

/* A name from outside with everything an escaper must handle: a terminal
 * escape, quotes, a backslash, a newline, a tab, markup, invalid UTF-8 (a
 * stray 0xff, a lead byte without its continuation), a C1 control (NEL),
 * a bidi override (RLO), and a valid non-ASCII letter that stays. 44 bytes:
 * it fits every name field of the reports. */
#define HOSTILE "a\x1b[31m\"q\"\\b\nc\t<script>x</script>\xff\xc3\x28\xc2\x85\xe2\x80\xae\xc3\xa9!"

/* Fail unless text is safe to print to a terminal: valid UTF-8 with no C0
 * control but \n, no DEL, no C1 control, no bidi or line-separator
 * character. */
void assert_terminal_safe(const char *text);

#endif
