/* test_range.c: the monitoring-plugins range grammar, table-driven: what
 * parses (and to what), what is rejected and why, which values alert, and
 * the canonical text for perfdata. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../advisor/range.h"

#define INF INFINITY

static void test_parse_ok(void **state)
{
	static const struct {
		const char *in;
		double start, end;
		bool is_inside;
		const char *canon;
	} t[] = {
	    {"10", 0, 10, false, "10"},
	    {"10:", 10, INF, false, "10:"},
	    {"~:10", -INF, 10, false, "~:10"},
	    {"10:20", 10, 20, false, "10:20"},
	    {"@10:20", 10, 20, true, "@10:20"},
	    {"@10", 0, 10, true, "@10"},
	    {"0", 0, 0, false, "0"},
	    {"0:", 0, INF, false, "0:"},
	    {"~:", -INF, INF, false, "~:"},
	    {"-5:-1", -5, -1, false, "-5:-1"},
	    {"-5:", -5, INF, false, "-5:"},
	    {"12.5", 0, 12.5, false, "12.5"},
	    {"0.25:99.75", 0.25, 99.75, false, "0.25:99.75"},
	    {"7:7", 7, 7, false, "7:7"},
	    {"@~:0", -INF, 0, true, "@~:0"},
	    {"007", 0, 7, false, "7"},
	    {"999999999999999", 0, 999999999999999.0, false, "999999999999999"},
	    {"0.0000001", 0, 0.0000001, false, "0.0000001"},
	    {"12.3:99.99", 12.3, 99.99, false, "12.3:99.99"},
	    {"0.00000000000001", 0, 1e-14, false, "0.00000000000001"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct range r;
		char buf[64];
		int rc = range_parse(t[i].in, &r);

		if (rc != 0)
			fail_msg("case %zu (\"%s\"): rc %d", i, t[i].in, rc);
		if (r.start != t[i].start || r.end != t[i].end || r.is_inside != t[i].is_inside)
			fail_msg("case %zu (\"%s\"): got %g:%g inside=%d", i, t[i].in, r.start,
				 r.end, r.is_inside);
		range_format(&r, buf, sizeof(buf));
		if (strcmp(buf, t[i].canon) != 0)
			fail_msg("case %zu (\"%s\"): canonical \"%s\", want \"%s\"", i, t[i].in,
				 buf, t[i].canon);
	}
}

static void test_parse_bad(void **state)
{
	static const struct {
		const char *in;
		int rc;
	} t[] = {
	    {"", -EINVAL},         {"@", -EINVAL},
	    {":", -EINVAL},        {":10", -EINVAL},
	    {"10:20:30", -EINVAL}, {"~", -EINVAL},
	    {"10:~", -EINVAL},     {"~10", -EINVAL},
	    {"@@10", -EINVAL},     {" 10", -EINVAL},
	    {"10 ", -EINVAL},      {"+10", -EINVAL},
	    {"1e3", -EINVAL},      {"0x10", -EINVAL},
	    {"inf", -EINVAL},      {"nan", -EINVAL},
	    {"10.", -EINVAL},      {".5", -EINVAL},
	    {"1.2.3", -EINVAL},    {"10%", -EINVAL},
	    {"1,5", -EINVAL},      {"--1", -EINVAL},
	    {"-", -EINVAL},        {"10:-", -EINVAL},
	    {"20:10", -ERANGE},    {"-1", -ERANGE},
	    {"@5:1", -ERANGE},     {"1000000000000000", -EINVAL},
	    {"10@", -EINVAL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct range r = {.start = 42, .end = 43, .is_inside = true};
		int rc = range_parse(t[i].in, &r);

		if (rc != t[i].rc)
			fail_msg("case %zu (\"%s\"): rc %d, want %d", i, t[i].in, rc, t[i].rc);
		if (r.start != 42 || r.end != 43 || !r.is_inside)
			fail_msg("case %zu (\"%s\"): *out written on failure", i, t[i].in);
	}
	assert_int_equal(range_parse(NULL, &(struct range){0}), -EINVAL);
}

/* The guideline's own examples, at and around every boundary. */
static void test_alerts(void **state)
{
	static const struct {
		const char *range;
		double x;
		bool is_alert;
	} t[] = {
	    {"10", -0.5, true},      {"10", 0, false},         {"10", 5, false},
	    {"10", 10, false},       {"10", 10.01, true},      {"10:", 9.99, true},
	    {"10:", 10, false},      {"10:", 1e300, false},    {"~:10", -1e300, false},
	    {"~:10", 10, false},     {"~:10", 11, true},       {"10:20", 9, true},
	    {"10:20", 10, false},    {"10:20", 20, false},     {"10:20", 21, true},
	    {"@10:20", 9.99, false}, {"@10:20", 10, true},     {"@10:20", 15, true},
	    {"@10:20", 20, true},    {"@10:20", 20.01, false}, {"~:", -1e300, false},
	    {"~:", 1e300, false},    {"75", 82, true},         {"90", 82, false},
	    {"75", NAN, false},      {"@10:20", NAN, false},   {"10", INF, true},
	    {"10:", INF, false},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct range r;

		if (range_parse(t[i].range, &r) != 0)
			fail_msg("case %zu: \"%s\" did not parse", i, t[i].range);
		if (range_alerts(&r, t[i].x) != t[i].is_alert)
			fail_msg("case %zu: \"%s\" with x=%g: alert %d, want %d", i, t[i].range,
				 t[i].x, !t[i].is_alert, t[i].is_alert);
	}
}

/* Canonical text parses back to the same range. */
static void test_roundtrip(void **state)
{
	static const char *const t[] = {"10",     "10:", "~:10",      "10:20",
					"@10:20", "@~:", "-3.25:4.5", "0.001"};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct range a, b;
		char buf[64];

		assert_int_equal(range_parse(t[i], &a), 0);
		range_format(&a, buf, sizeof(buf));
		if (range_parse(buf, &b) != 0 || a.start != b.start || a.end != b.end ||
		    a.is_inside != b.is_inside)
			fail_msg("case %zu: \"%s\" -> \"%s\" does not round-trip", i, t[i], buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok),
	    cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_alerts),
	    cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
