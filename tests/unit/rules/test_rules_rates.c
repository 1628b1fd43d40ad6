/* Unit tests: counter deltas across 32-bit wrap, rates, watch summary. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../rules/rates.h"

static struct snap_cpu_stats cpu(unsigned id, unsigned slot, uint64_t v)
{
	struct snap_cpu_stats c;

	memset(&c, 0, sizeof(c));
	c.cpu = id;
	c.present = 1u << slot;
	c.v[slot] = v;
	return c;
}

static void test_delta_table(void **state)
{
	static const struct {
		uint64_t prev, cur, want;
	} cases[] = {
	    {0, 0, 0},           {10, 25, 15}, {0xfffffff0u, 0x10u, 0x20u}, /* wrapped once */
	    {0xffffffffu, 0, 1}, {5, 5, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct snap_cpu_stats p = cpu(0, SNAP_STAT_DROP, cases[i].prev);
		struct snap_cpu_stats c = cpu(0, SNAP_STAT_DROP, cases[i].cur);
		struct rates_sample sp = {.t_ms = 0, .cpus = &p, .n_cpus = 1};
		struct rates_sample sc = {.t_ms = 1000, .cpus = &c, .n_cpus = 1};
		uint64_t d = rates_delta(&sp, &sc, SNAP_STAT_DROP);

		if (d != cases[i].want)
			fail_msg("case %zu: delta %llu, want %llu", i, (unsigned long long)d,
				 (unsigned long long)cases[i].want);
	}
}

static void test_delta_matches_cpu_ids(void **state)
{
	/* CPU 3 appears only in the second sample (hotplug): not counted. */
	struct snap_cpu_stats p[2] = {cpu(0, SNAP_STAT_INVALID, 1), cpu(2, SNAP_STAT_INVALID, 10)};
	struct snap_cpu_stats c[3] = {cpu(2, SNAP_STAT_INVALID, 14), cpu(0, SNAP_STAT_INVALID, 3),
				      cpu(3, SNAP_STAT_INVALID, 100)};
	struct rates_sample sp = {.t_ms = 0, .cpus = p, .n_cpus = 2};
	struct rates_sample sc = {.t_ms = 500, .cpus = c, .n_cpus = 3};

	(void)state;
	assert_int_equal(rates_delta(&sp, &sc, SNAP_STAT_INVALID), 6);
	assert_int_equal(rates_delta(&sp, &sc, SNAP_STAT_DROP), 0); /* never reported */
	assert_true(fabs(rates_per_second(6, 500) - 12.0) < 1e-9);
	assert_true(rates_per_second(6, 0) == 0);
}

static void test_summary(void **state)
{
	/* count grows 100 per second from 1000: 360000 per hour; max 10000. */
	struct rates_summary sum = {0};
	struct snap_cpu_stats cpus[5];
	struct rates_sample s[5];

	(void)state;
	for (int i = 0; i < 5; i++) {
		cpus[i] = cpu(0, SNAP_STAT_DROP, 0xfffffffeu + (uint64_t)i * 2);
		cpus[i].v[SNAP_STAT_DROP] &= 0xffffffffu;
		s[i] = (struct rates_sample){.t_ms = 5000 + (uint64_t)i * 1000,
					     .count = 1000 + (uint64_t)i * 100,
					     .max = 10000,
					     .cpus = &cpus[i],
					     .n_cpus = 1};
		rates_summary_add(&sum, i ? &s[i - 1] : NULL, &s[i]);
	}
	assert_int_equal(sum.samples, 5);
	assert_int_equal(sum.peak_count, 1400);
	assert_true(fabs(rates_mean_count(&sum) - 1200) < 1e-9);
	assert_true(fabs(rates_growth_per_hour(&sum) - 360000) < 1e-6);
	/* (10000 - 1400) / 360000 hours */
	assert_true(fabs(rates_hours_to_full(&sum) - 8600.0 / 360000) < 1e-9);
	assert_int_equal(sum.delta[SNAP_STAT_DROP], 8);
	assert_true(fabs(sum.peak_rate[SNAP_STAT_DROP] - 2.0) < 1e-9);
}

static void test_summary_flat_and_single(void **state)
{
	struct rates_summary sum = {0};
	struct rates_sample s1 = {.t_ms = 0, .count = 50, .max = 0};
	struct rates_sample s2 = {.t_ms = 1000, .count = 40, .max = 0};

	(void)state;
	rates_summary_add(&sum, NULL, &s1);
	assert_true(rates_growth_per_hour(&sum) == 0);
	assert_true(rates_hours_to_full(&sum) == -1);
	rates_summary_add(&sum, &s1, &s2);
	assert_true(rates_growth_per_hour(&sum) < 0);
	assert_true(rates_hours_to_full(&sum) == -1); /* shrinking, and unlimited */
	assert_int_equal(sum.peak_count, 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delta_table),
	    cmocka_unit_test(test_delta_matches_cpu_ids),
	    cmocka_unit_test(test_summary),
	    cmocka_unit_test(test_summary_flat_and_single),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
