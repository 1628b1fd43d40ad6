/* Unit tests: findings from a watch summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

#include <cmocka.h>

#include "../../../rules/rules_watch.h"

static const struct rules_finding *find(const struct rules_report *rep, const char *id)
{
	for (size_t i = 0; i < rep->n_findings; i++)
		if (strcmp(rep->findings[i].id, id) == 0)
			return &rep->findings[i];
	return NULL;
}

/* A 600 s watch, a sample a minute, count steady from c0 to c1; counters
 * all zero. */
static void base(struct rates_summary *s, uint64_t c0, uint64_t c1, uint64_t max)
{
	struct rates_sample prev = {0};

	memset(s, 0, sizeof(*s));
	for (uint64_t i = 0; i <= 10; i++) {
		struct rates_sample cur = {.t_ms = i * 60000,
					   .count = c0 + (c1 > c0 ? (c1 - c0) * i / 10 : 0),
					   .max = max};

		rates_summary_add(s, i ? &prev : NULL, &cur);
		prev = cur;
	}
}

static void test_quiet(void **state)
{
	struct rules_report rep;
	struct rules_opts o;
	struct rates_summary s;

	(void)state;
	rules_opts_default(&o);
	base(&s, 1000, 1000, 262144);
	rules_evaluate_watch(&s, &o, &rep);
	assert_int_equal(rep.n_findings, 0);
	assert_int_equal(rules_exit_code(&rep), 0);
	memset(&s, 0, sizeof(s));
	rules_evaluate_watch(&s, &o, &rep);
	assert_int_equal(rules_exit_code(&rep), 3); /* no sample at all */
}

static void test_table(void **state)
{
	static const struct {
		unsigned slot;
		uint64_t delta;
		uint64_t c0, c1, max;
		const char *id;
		enum rules_sev sev;
	} cases[] = {
	    {SNAP_STAT_DROP, 1, 10, 10, 100000, "table-full-now", RULES_SEV_CRITICAL},
	    {SNAP_STAT_EARLY_DROP, 5, 10, 10, 100000, "early-drop-now", RULES_SEV_WARNING},
	    {SNAP_STAT_CHAINTOOLONG, 1, 10, 10, 100000, "chain-too-long-now", RULES_SEV_CRITICAL},
	    {SNAP_STAT_INSERT_FAILED, 2, 10, 10, 100000, "insert-failed-now", RULES_SEV_WARNING},
	    {SNAP_STAT_INVALID, 5999, 10, 10, 100000, "invalid-now", RULES_SEV_INFO},
	    {SNAP_STAT_INVALID, 6000, 10, 10, 100000, "invalid-now", RULES_SEV_WARNING},
	    /* +1000 in 10 min = 6000/h: full (100000) in (100000-2000)/6000 h = 16.3 h */
	    {0, 0, 1000, 2000, 100000, "growth-to-full", RULES_SEV_WARNING},
	    /* +60000 in 10 min: (100000-60000)/360000 h < 1 h; peak fill 60 % < 75 % */
	    {0, 0, 0, 60000, 100000, "growth-to-full", RULES_SEV_CRITICAL},
	    /* above -w/-c, as check: 75.001 % warns, 90.001 % is critical */
	    {0, 0, 75001, 75001, 100000, "peak-fill", RULES_SEV_WARNING},
	    {0, 0, 90000, 90000, 100000, "peak-fill", RULES_SEV_WARNING},
	    {0, 0, 90001, 90001, 100000, "peak-fill", RULES_SEV_CRITICAL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rules_report rep;
		struct rules_opts o;
		struct rates_summary s;
		const struct rules_finding *f;

		rules_opts_default(&o);
		base(&s, cases[i].c0, cases[i].c1, cases[i].max);
		if (cases[i].slot)
			s.delta[cases[i].slot] = cases[i].delta;
		rules_evaluate_watch(&s, &o, &rep);
		f = find(&rep, cases[i].id);
		if (f == NULL || f->sev != cases[i].sev)
			fail_msg("case %zu: %s missing or severity %d", i, cases[i].id,
				 f ? (int)f->sev : -1);
		if (rep.worst < cases[i].sev)
			fail_msg("case %zu: worst %d", i, (int)rep.worst);
	}
}

/* What the kernel counted decides the words: NAT clashes (drop and
 * insert_failed alike) are not a full table, evictions alone refuse
 * nothing, and 75 % exactly does not warn at -w 75. */
static void test_true_causes(void **state)
{
	struct rules_report rep;
	struct rules_opts o;
	struct rates_summary s;

	(void)state;
	rules_opts_default(&o);
	base(&s, 10, 10, 100000);
	s.delta[SNAP_STAT_DROP] = 4;
	s.delta[SNAP_STAT_INSERT_FAILED] = 4;
	rules_evaluate_watch(&s, &o, &rep);
	assert_null(find(&rep, "table-full-now"));
	assert_non_null(find(&rep, "insert-failed-now"));
	assert_non_null(strstr(find(&rep, "insert-failed-now")->summary, "ctadvisor nat"));
	assert_int_equal(rules_exit_code(&rep), 1);
	s.delta[SNAP_STAT_DROP] = 7; /* 3 more than the clashes: the table's */
	rules_evaluate_watch(&s, &o, &rep);
	assert_non_null(find(&rep, "table-full-now"));
	assert_true(find(&rep, "table-full-now")->ev[0].value == 3);
	base(&s, 2048, 2048, 2048);
	s.delta[SNAP_STAT_EARLY_DROP] = 3846;
	rules_evaluate_watch(&s, &o, &rep);
	assert_null(find(&rep, "table-full-now"));
	assert_non_null(strstr(find(&rep, "early-drop-now")->summary, "nothing dropped"));
	base(&s, 75000, 75000, 100000);
	rules_evaluate_watch(&s, &o, &rep);
	assert_null(find(&rep, "peak-fill"));
}

/* A step then flat, or a burst that went back: no projection, whatever
 * the least-squares line over the whole watch says. */
static void test_no_projection_without_a_trend(void **state)
{
	struct rules_report rep;
	struct rules_opts o;
	struct rates_summary s;
	struct rates_sample prev = {0};

	(void)state;
	rules_opts_default(&o);
	memset(&s, 0, sizeof(s));
	for (uint64_t i = 0; i < 56; i++) { /* 0 -> 20000 in one sample, then flat */
		struct rates_sample cur = {
		    .t_ms = i * 5500, .count = i == 0 ? 0 : 20000, .max = 262144};

		rates_summary_add(&s, i ? &prev : NULL, &cur);
		prev = cur;
	}
	assert_true(rates_growth_per_hour(&s) > 0);
	assert_true(rates_trend_per_hour(&s) == 0);
	assert_true(rates_hours_to_full(&s) == -1);
	rules_evaluate_watch(&s, &o, &rep);
	assert_null(find(&rep, "growth-to-full"));
	/* a steady climb over the same time does project */
	base(&s, 0, 60000, 100000);
	assert_true(rates_trend_per_hour(&s) > 0);
	rules_evaluate_watch(&s, &o, &rep);
	assert_non_null(find(&rep, "growth-to-full"));
}

/* Days of samples: the trend keeps at most RATES_TREND_POINTS, evenly spread. */
static void test_trend_points_bounded(void **state)
{
	struct rates_summary s;
	struct rates_sample prev = {0};

	(void)state;
	memset(&s, 0, sizeof(s));
	for (uint64_t i = 0; i < 100000; i++) {
		struct rates_sample cur = {.t_ms = i * 1000, .count = 1000 + i, .max = 10000000};

		rates_summary_add(&s, i ? &prev : NULL, &cur);
		prev = cur;
	}
	assert_true(s.n_trend <= RATES_TREND_POINTS && s.n_trend >= RATES_TREND_POINTS / 2);
	for (size_t i = 1; i < s.n_trend; i++)
		assert_int_equal(s.trend[i].t_ms - s.trend[i - 1].t_ms, s.trend_stride * 1000);
	assert_true(fabs(rates_trend_per_hour(&s) - 3600.0) < 1e-6);
}

static void test_no_growth_to_full_when_flat_or_far(void **state)
{
	struct rules_report rep;
	struct rules_opts o;
	struct rates_summary s;

	(void)state;
	rules_opts_default(&o);
	base(&s, 1000, 1100, 262144); /* 600/h: full in 435 h */
	rules_evaluate_watch(&s, &o, &rep);
	assert_null(find(&rep, "growth-to-full"));
	base(&s, 1000, 2000, 0); /* unlimited */
	rules_evaluate_watch(&s, &o, &rep);
	assert_null(find(&rep, "growth-to-full"));
	/* A burst in a 60 s watch projects full in minutes: not a trend. */
	{
		struct rates_sample a = {.t_ms = 0, .count = 0, .max = 100000};
		struct rates_sample b = {.t_ms = 60000, .count = 60000, .max = 100000};

		memset(&s, 0, sizeof(s));
		rates_summary_add(&s, NULL, &a);
		rates_summary_add(&s, &a, &b);
		rules_evaluate_watch(&s, &o, &rep);
		assert_null(find(&rep, "growth-to-full"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quiet),
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_true_causes),
	    cmocka_unit_test(test_no_projection_without_a_trend),
	    cmocka_unit_test(test_trend_points_bounded),
	    cmocka_unit_test(test_no_growth_to_full_when_flat_or_far),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
