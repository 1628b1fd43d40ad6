/* test_render_text.c: the check report's text: safe for a terminal, 80
 * columns, colour only on request; the sections the watch summary reuses;
 * write errors reported by every format. */
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

/* ---- text: safe for a terminal, 80 columns, colour only on request ---- */

static size_t line_cols(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++)
		cols += ((unsigned char)s[i] & 0xc0) != 0x80;
	return cols;
}

static void test_text_layout(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct rendered r = {0};
		char head[64];
		size_t line = 1;

		render_case(ci, render_text, &plain, &r);
		snprintf(head, sizeof(head), "ctadvisor check: %s (", cases[ci].status);
		if (strncmp(r.buf, head, strlen(head)) != 0)
			fail_msg("case %zu: header is not \"%s\"", ci, head);
		for (const char *s = r.buf, *nl; (nl = strchr(s, '\n')) != NULL;
		     s = nl + 1, line++) {
			for (const char *c = s; c < nl; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					fail_msg("case %zu line %zu: raw control byte", ci, line);
			/* The hostile name and commands (kept whole, with their
			 * plain equivalent) may be long. */
			if (ci != 3 && strstr(s, "$ ") != s + 9 && strstr(s, "(or, ") != s + 11 &&
			    line_cols(s, (size_t)(nl - s)) > 80)
				fail_msg("case %zu line %zu: wider than 80 columns", ci, line);
		}
		assert_int_equal(r.buf[r.len - 1], '\n');
		free(r.buf);
	}
}

/* Commands one per line after "$ ", then the plain equivalent; a hostile
 * namespace in either is escaped, never raw. */
static void test_text_commands(void **state)
{
	struct rendered r = {0};

	(void)state;
	render_case(1, render_text, &plain, &r);
	assert_non_null(strstr(
	    r.buf, "\n         $ ctadvisor apply --set net.netfilter.nf_conntrack_max=524288 --set "
		   "net.netfilter.nf_conntrack_buckets=524288\n"
		   "           (or, without undo or read-back: sysctl -w "
		   "net.netfilter.nf_conntrack_max=524288 "
		   "net.netfilter.nf_conntrack_buckets=524288)\n"
		   "         $ ctadvisor plan --growth 2\n"));
	free(r.buf);
	render_case(3, render_text, &plain, &r);
	assert_non_null(strstr(r.buf, "$ ctadvisor apply --netns 'evil\\x1b[31mred\\x1b[0m\\n"));
	assert_non_null(strstr(r.buf, "(or, without undo or read-back: ip netns exec "
				      "'evil\\x1b[31mred"));
	assert_null(memchr(r.buf, 0x1b, r.len));
	free(r.buf);
}

static void test_text_color(void **state)
{
	const struct render_opts color = {.color = true, .version = "x"};
	struct rendered r = {0};

	(void)state;
	render_case(1, render_text, &color, &r);
	assert_non_null(strstr(r.buf, "ctadvisor check: \033[1;31mCRITICAL\033[0m"));
	assert_non_null(strstr(r.buf, "  \033[1;31m[CRIT]\033[0m table-full\n"));
	assert_non_null(strstr(r.buf, "  \033[1;33m[WARN]\033[0m unreplied-high\n"));
	free(r.buf);
	render_case(1, render_text, &plain, &r);
	assert_null(memchr(r.buf, 0x1b, r.len));
	free(r.buf);
}

/* ---- the sections the watch summary reuses ---- */

/* Exactly the Findings section of the full report, for every case. */
static void test_findings_sections(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct ct_snapshot snap;
		struct rules_report rep;
		struct rendered full = {0}, part = {0};
		FILE *f;
		json_t *root, *arr;
		const char *start;
		char *want, *got;

		snap_init(&snap);
		cases[ci].build(&snap, &rep);
		render_case(ci, render_text, &plain, &full);
		f = open_memstream(&part.buf, &part.len);
		assert_non_null(f);
		render_text_findings(f, &rep, false);
		assert_int_equal(fclose(f), 0);
		start = strstr(full.buf, "\nFindings\n");
		if (start == NULL || strncmp(start, part.buf, part.len) != 0 ||
		    strncmp(start + part.len, "\nCounters", 9) != 0)
			fail_msg("case %zu: text findings differ from the report's", ci);
		root = render_json_case(ci);
		/* Compared as text: the report's reals went through 12 digits. */
		arr = render_json_findings(&rep);
		want = json_dumps(json_object_get(root, "findings"), JSON_REAL_PRECISION(12));
		got = json_dumps(arr, JSON_REAL_PRECISION(12));
		assert_non_null(want);
		assert_non_null(got);
		if (strcmp(want, got) != 0)
			fail_msg("case %zu: JSON findings differ from the report's", ci);
		free(want);
		free(got);
		json_decref(arr);
		json_decref(root);
		free(full.buf);
		free(part.buf);
		snap_free(&snap);
	}
}

/* ---- write errors ---- */

static void test_write_errors(void **state)
{
	static const char *const targets[][2] = {{"/dev/full", "w"}, {"/dev/null", "r"}};

	(void)state;
	for (size_t ti = 0; ti < 2; ti++) {
		for (size_t fi = 0; fi < N_FORMATS; fi++) {
			FILE *f = fopen(targets[ti][0], targets[ti][1]);
			struct ct_snapshot snap;
			struct rules_report rep;
			int rc;

			if (f == NULL)
				skip();
			snap_init(&snap);
			case_critical(&snap, &rep);
			rc = formats[fi].fn(f, &snap, &rep, &plain);
			fclose(f);
			snap_free(&snap);
			if (rc != -EIO)
				fail_msg("target %zu format %s: %d, want -EIO", ti, formats[fi].ext,
					 rc);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_layout),  cmocka_unit_test(test_text_commands),
	    cmocka_unit_test(test_text_color),   cmocka_unit_test(test_findings_sections),
	    cmocka_unit_test(test_write_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
