/* Unit tests: findings from a watch summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

/* A 600 s watch with count c0 -> c1 and max; counters all zero. */
static void base(struct rates_summary *s, uint64_t c0, uint64_t c1, uint64_t max)
{
	struct rates_sample a = {.t_ms = 0, .count = c0, .max = max};
	struct rates_sample b = {.t_ms = 600000, .count = c1, .max = max};

	memset(s, 0, sizeof(*s));
	rates_summary_add(s, NULL, &a);
	rates_summary_add(s, &a, &b);
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
	    {SNAP_STAT_EARLY_DROP, 5, 10, 10, 100000, "table-full-now", RULES_SEV_CRITICAL},
	    {SNAP_STAT_CHAINTOOLONG, 1, 10, 10, 100000, "chain-too-long-now", RULES_SEV_CRITICAL},
	    {SNAP_STAT_INSERT_FAILED, 2, 10, 10, 100000, "insert-failed-now", RULES_SEV_WARNING},
	    {SNAP_STAT_INVALID, 5999, 10, 10, 100000, "invalid-now", RULES_SEV_INFO},
	    {SNAP_STAT_INVALID, 6000, 10, 10, 100000, "invalid-now", RULES_SEV_WARNING},
	    /* +1000 in 10 min = 6000/h: full (100000) in (100000-2000)/6000 h = 16.3 h */
	    {0, 0, 1000, 2000, 100000, "growth-to-full", RULES_SEV_WARNING},
	    /* +60000 in 10 min: (100000-60000)/360000 h < 1 h; peak fill 60 % < 75 % */
	    {0, 0, 0, 60000, 100000, "growth-to-full", RULES_SEV_CRITICAL},
	    {0, 0, 75000, 75000, 100000, "peak-fill", RULES_SEV_WARNING},
	    {0, 0, 90000, 90000, 100000, "peak-fill", RULES_SEV_CRITICAL},
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
	    cmocka_unit_test(test_no_growth_to_full_when_flat_or_far),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
