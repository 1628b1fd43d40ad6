/* test_render_escape.c: the escaping every renderer uses (text, Prometheus
 * labels, UTF-8 strings), errno and status names. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../collect/check_netns.h"
#include "../../../render/escape.h"
#include "../../../analysis/nat_check.h"
#include "../../../render/render.h"
#include "../../../render/render_plugin.h"
#include "../common/golden.h"
#include "render_cases.h"

/* ---- escape helpers ---- */

/* NOLINTBEGIN(misc-misleading-bidirectional): deliberate */
static void test_escape_table(void **state)
{
	static const struct {
		enum render_esc mode;
		const char *in, *want;
	} t[] = {
	    {RENDER_ESC_TEXT, "lab1", "lab1"},
	    {RENDER_ESC_TEXT, "", ""},
	    {RENDER_ESC_TEXT, "a\x1b[2Jb", "a\\x1b[2Jb"},
	    {RENDER_ESC_TEXT, "a\nb\tc\rd", "a\\nb\\tc\\rd"},
	    {RENDER_ESC_TEXT, "back\\slash \"q\"", "back\\\\slash \"q\""},
	    {RENDER_ESC_TEXT, "del\x7f", "del\\x7f"},
	    {RENDER_ESC_TEXT, "c1\xc2\x9b", "c1\\xc2\\x9b"},
	    {RENDER_ESC_TEXT, "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},
	    {RENDER_ESC_TEXT, "rlo\xe2\x80\xae", "rlo\\u202e"},
	    {RENDER_ESC_TEXT, "bad\xff\xfe", "bad\\xff\\xfe"},
	    {RENDER_ESC_TEXT, "overlong\xc0\xaf", "overlong\\xc0\\xaf"},
	    {RENDER_ESC_TEXT, "surrogate\xed\xa0\x80", "surrogate\\xed\\xa0\\x80"},
	    {RENDER_ESC_TEXT, "cut\xe2\x82", "cut\\xe2\\x82"},
	    {RENDER_ESC_TEXT, "emoji\xf0\x9f\x98\x80", "emoji\xf0\x9f\x98\x80"},
	    {RENDER_ESC_PROM, "a\"b\\c\nd", "a\\\"b\\\\c\\nd"},
	    {RENDER_ESC_PROM, "t\tx\x1b", "t\\\\x09x\\\\x1b"},
	    {RENDER_ESC_PROM, "\xff\xe2\x80\xae", "\\\\xff\\\\u202e"},
	    {RENDER_ESC_UTF8, "a\x1b\n\"\\\xc3\xa9", "a\x1b\n\"\\\xc3\xa9"},
	    {RENDER_ESC_UTF8, "x\xffy", "x\\xffy"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[128];
		size_t n = render_escape(buf, sizeof(buf), t[i].in, t[i].mode);

		if (strcmp(buf, t[i].want) != 0 || n != strlen(t[i].want))
			fail_msg("case %zu: got \"%s\" (%zu), want \"%s\"", i, buf, n, t[i].want);
	}
}
/* NOLINTEND(misc-misleading-bidirectional) */

/* Truncation keeps whole escapes and reports the full length. */
static void test_escape_truncation(void **state)
{
	static const struct {
		size_t size;
		const char *want;
	} t[] = {
	    {0, NULL}, {1, ""}, {2, "a"}, {5, "a"}, {6, "a\\x1b"}, {7, "a\\x1bb"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[8] = "zzzzzzz";
		size_t n = render_escape(buf, t[i].size,
					 "a\x1b"
					 "b",
					 RENDER_ESC_TEXT);

		if (n != 6)
			fail_msg("case %zu: length %zu, want 6", i, n);
		if (t[i].want == NULL ? strcmp(buf, "zzzzzzz") != 0 : strcmp(buf, t[i].want) != 0)
			fail_msg("case %zu: got \"%s\"", i, buf);
	}
}

static void test_errno_names(void **state)
{
	static const struct {
		int err;
		const char *want;
	} t[] = {
	    {EPERM, "EPERM"},
	    {-EACCES, "EACCES"},
	    {ENOENT, "ENOENT"},
	    {EINTR, "EINTR"},
	    {ENOBUFS, "ENOBUFS"},
	    {-EIO, "EIO"},
	    {EINVAL, "EINVAL"},
	    {EOPNOTSUPP, "EOPNOTSUPP"},
	    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
	    {ENOMEM, "ENOMEM"},
	    {4095, "E4095"},
	    {-4095, "E4095"},
	    {0, "E0"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[RENDER_ERRNO_BUF];
		const char *got = render_errno_name(t[i].err, buf, sizeof(buf));

		if (strcmp(got, t[i].want) != 0)
			fail_msg("case %zu: %d is %s, want %s", i, t[i].err, got, t[i].want);
	}
}

static void test_status_names(void **state)
{
	static const struct {
		enum rules_sev worst;
		bool is_unknown;
		const char *want;
	} t[] = {
	    {RULES_SEV_OK, false, "OK"},           {RULES_SEV_INFO, false, "OK"},
	    {RULES_SEV_WARNING, false, "WARNING"}, {RULES_SEV_CRITICAL, false, "CRITICAL"},
	    {RULES_SEV_CRITICAL, true, "UNKNOWN"}, {RULES_SEV_OK, true, "UNKNOWN"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct rules_report rep;

		report_init(&rep);
		rep.worst = t[i].worst;
		rep.is_unknown = t[i].is_unknown;
		if (strcmp(render_status_name(&rep), t[i].want) != 0)
			fail_msg("case %zu: %s, want %s", i, render_status_name(&rep), t[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_table),
	    cmocka_unit_test(test_escape_truncation),
	    cmocka_unit_test(test_errno_names),
	    cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
