/* test_range.c: the monitoring-plugins range grammar, table-driven: what
 * parses (and to what), what is rejected and why, which values alert and on
 * which side, the canonical text for perfdata; and check's verdict from its
 * -w/-c ranges (check_fill_evaluate) at every boundary. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analysis/check_verdict.h"
#include "../../../analysis/range.h"

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

/* range_side: which side of the range makes the value alert. */
static void test_side(void **state)
{
	static const struct {
		const char *range;
		double x;
		enum range_side side;
	} t[] = {
	    {"75", 75, RANGE_SIDE_NONE},        {"75", 75.01, RANGE_SIDE_ABOVE},
	    {"75", -1, RANGE_SIDE_BELOW},       {"75:", 74.99, RANGE_SIDE_BELOW},
	    {"75:", 75, RANGE_SIDE_NONE},       {"~:75", -1e300, RANGE_SIDE_NONE},
	    {"~:75", 76, RANGE_SIDE_ABOVE},     {"10:20", 9, RANGE_SIDE_BELOW},
	    {"10:20", 21, RANGE_SIDE_ABOVE},    {"@10:20", 10, RANGE_SIDE_INSIDE},
	    {"@10:20", 20.01, RANGE_SIDE_NONE}, {"75", NAN, RANGE_SIDE_NONE},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct range r;

		assert_int_equal(range_parse(t[i].range, &r), 0);
		if (range_side(&r, t[i].x) != t[i].side)
			fail_msg("case %zu: \"%s\" x=%g: side %d, want %d", i, t[i].range, t[i].x,
				 range_side(&r, t[i].x), t[i].side);
	}
}

static void test_parse_number(void **state)
{
	double v = 7;

	(void)state;
	assert_int_equal(range_parse_number("2", &v), 0);
	assert_true(v == 2);
	assert_int_equal(range_parse_number("1.25", &v), 0);
	assert_true(v == 1.25);
	assert_int_equal(range_parse_number("-3", &v), 0);
	assert_true(v == -3);
	v = 7;
	assert_int_equal(range_parse_number("", &v), -EINVAL);
	assert_int_equal(range_parse_number("1x", &v), -EINVAL);
	assert_int_equal(range_parse_number("1e2", &v), -EINVAL);
	assert_int_equal(range_parse_number("99999999999999999999999", &v), -EINVAL);
	assert_int_equal(range_parse_number(NULL, &v), -EINVAL);
	assert_true(v == 7);
}

static struct rules_report rep; /* large: off the stack */

struct verdict_case {
	const char *warn, *crit; /* as given to -w and -c */
	uint64_t count;          /* of VERDICT_MAX entries */
	enum rules_sev sev;      /* table-fill's severity; OK: no finding */
	const char *side;        /* "above", "below", "inside" */
};

#define VERDICT_MAX 10000 /* count / 100 is the fill in percent, exactly */

static const struct verdict_case verdicts[] = {
    /* 75 is 0..75: 75 % itself is OK, above it warns; 90 likewise. */
    {"75", "90", 0, RULES_SEV_OK, NULL},
    {"75", "90", 7499, RULES_SEV_OK, NULL},
    {"75", "90", 7500, RULES_SEV_OK, NULL},
    {"75", "90", 7501, RULES_SEV_WARNING, "above"},
    {"75", "90", 9000, RULES_SEV_WARNING, "above"},
    {"75", "90", 9001, RULES_SEV_CRITICAL, "above"},
    {"75", "90", 10000, RULES_SEV_CRITICAL, "above"},
    /* 75: warns below 75. */
    {"75:", "90", 0, RULES_SEV_WARNING, "below"},
    {"75:", "90", 7499, RULES_SEV_WARNING, "below"},
    {"75:", "90", 7500, RULES_SEV_OK, NULL},
    {"75:", "90", 9000, RULES_SEV_OK, NULL},
    {"75:", "90", 9001, RULES_SEV_CRITICAL, "above"},
    /* ~:75 warns above 75, never below. */
    {"~:75", "90", 0, RULES_SEV_OK, NULL},
    {"~:75", "90", 7500, RULES_SEV_OK, NULL},
    {"~:75", "90", 7501, RULES_SEV_WARNING, "above"},
    {"~:75", "90", 9000, RULES_SEV_WARNING, "above"},
    /* 10:20 warns outside 10..20, bounds included in the range. */
    {"10:20", "90", 999, RULES_SEV_WARNING, "below"},
    {"10:20", "90", 1000, RULES_SEV_OK, NULL},
    {"10:20", "90", 2000, RULES_SEV_OK, NULL},
    {"10:20", "90", 2001, RULES_SEV_WARNING, "above"},
    {"10:20", "90", 7500, RULES_SEV_WARNING, "above"},
    {"10:20", "90", 9001, RULES_SEV_CRITICAL, "above"},
    /* @10:20 warns inside 10..20, bounds included. */
    {"@10:20", "90", 999, RULES_SEV_OK, NULL},
    {"@10:20", "90", 1000, RULES_SEV_WARNING, "inside"},
    {"@10:20", "90", 1500, RULES_SEV_WARNING, "inside"},
    {"@10:20", "90", 2000, RULES_SEV_WARNING, "inside"},
    {"@10:20", "90", 2001, RULES_SEV_OK, NULL},
    {"@10:20", "90", 9001, RULES_SEV_CRITICAL, "above"},
    /* The same forms as -c, which is judged first. */
    {"75", "~:90", 9000, RULES_SEV_WARNING, "above"},
    {"75", "~:90", 9001, RULES_SEV_CRITICAL, "above"},
    {"20:", "10:", 999, RULES_SEV_CRITICAL, "below"},
    {"20:", "10:", 1999, RULES_SEV_WARNING, "below"},
    {"20:", "10:", 2000, RULES_SEV_OK, NULL},
    {"75", "@75:90", 7499, RULES_SEV_OK, NULL},
    {"75", "@75:90", 7500, RULES_SEV_CRITICAL, "inside"},
    {"75", "@75:90", 9000, RULES_SEV_CRITICAL, "inside"},
    {"75", "@75:90", 9001, RULES_SEV_WARNING, "above"},
    {"75", "10:20", 999, RULES_SEV_CRITICAL, "below"},
    {"75", "10:20", 7500, RULES_SEV_CRITICAL, "above"},
};

static const struct rules_finding *find_fill(void)
{
	for (size_t i = 0; i < rep.n_findings; i++)
		if (strcmp(rep.findings[i].id, "table-fill") == 0)
			return &rep.findings[i];
	return NULL;
}

static void verdict_snap(struct ct_snapshot *s, uint64_t count)
{
	snap_init(s);
	s->is_init_netns = true;
	s->has_count = s->has_max = true;
	s->count = count;
	s->max = s->set.max = s->set.buckets = VERDICT_MAX;
	s->set.acct = s->set.timestamp = 1;
}

/* One case: the report's table-fill finding (or none), the exit code, the
 * side the text names, and commands that match it. */
static void verdict_check(size_t i, const struct verdict_case *c)
{
	const struct rules_finding *f = find_fill();
	char phrase[96];
	bool raises = false;

	if (rules_exit_code(&rep) != (int)(c->sev == RULES_SEV_OK ? 0 : c->sev - 1))
		fail_msg("case %zu (-w %s -c %s, fill %g%%): exit %d", i, c->warn, c->crit,
			 (double)c->count / 100, rules_exit_code(&rep));
	if (c->sev == RULES_SEV_OK) {
		if (f != NULL)
			fail_msg("case %zu: table-fill fired: %s", i, f->summary);
		return;
	}
	if (f == NULL || f->sev != c->sev)
		fail_msg("case %zu (-w %s -c %s, fill %g%%): table-fill %s, want %s", i, c->warn,
			 c->crit, (double)c->count / 100, f ? rules_sev_name(f->sev) : "absent",
			 rules_sev_name(c->sev));
	snprintf(phrase, sizeof(phrase), "%s the %s range '%s'", c->side, rules_sev_name(c->sev),
		 c->sev == RULES_SEV_CRITICAL ? c->crit : c->warn);
	if (strstr(f->summary, phrase) == NULL)
		fail_msg("case %zu: \"%s\" lacks \"%s\"", i, f->summary, phrase);
	for (size_t k = 0; k < f->n_commands; k++)
		raises = raises || strstr(f->commands[k], "nf_conntrack_max=") != NULL;
	if (raises != (strcmp(c->side, "above") == 0))
		fail_msg("case %zu: side %s but raises max: %d (%s)", i, c->side, raises,
			 f->n_commands ? f->commands[0] : "no command");
}

/* check's verdict: -w/-c ranges at and around their boundaries. */
static void test_check_verdict(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++) {
		const struct verdict_case *c = &verdicts[i];
		struct range w, cr;
		struct rules_opts o;
		struct ct_snapshot s;

		assert_int_equal(range_parse(c->warn, &w), 0);
		assert_int_equal(range_parse(c->crit, &cr), 0);
		rules_opts_default(&o);
		verdict_snap(&s, c->count);
		check_fill_evaluate(&s, &w, &cr, &o, &rep);
		verdict_check(i, c);
		snap_free(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_ok),      cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_alerts),        cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_side),          cmocka_unit_test(test_parse_number),
	    cmocka_unit_test(test_check_verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
