/* test_watch_totals.c: watch --format prometheus's counters (watch_totals.c):
 * the first sample gives conntrack -S's sums, later ones add each CPU's
 * increase modulo 2^32, so a total never goes backwards across the
 * kernel's 32-bit wraps; slots appear when first reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../analysis/watch_totals.h"

#define BIT(s) (UINT32_C(1) << (s))

static struct rates_sample sample(struct snap_cpu_stats *c, size_t n, uint64_t t_ms)
{
	return (struct rates_sample){.t_ms = t_ms, .cpus = c, .n_cpus = n};
}

/* Two CPUs: drop 7 + 5 = 12 at first; cpu0 invalid 0xfffffff0 -> 0x10 wraps
 * (+32), cpu1 100 -> 108 (+8). */
static void test_first_then_deltas(void **state)
{
	struct snap_cpu_stats a[2] = {
	    {.cpu = 0, .present = BIT(SNAP_STAT_DROP) | BIT(SNAP_STAT_INVALID)},
	    {.cpu = 1, .present = BIT(SNAP_STAT_DROP) | BIT(SNAP_STAT_INVALID)}};
	struct snap_cpu_stats b[2];
	struct watch_totals t = {0};
	struct rates_sample s0, s1;

	(void)state;
	a[0].v[SNAP_STAT_DROP] = 7, a[1].v[SNAP_STAT_DROP] = 5;
	a[0].v[SNAP_STAT_INVALID] = 0xfffffff0u, a[1].v[SNAP_STAT_INVALID] = 100;
	memcpy(b, a, sizeof(a));
	b[0].v[SNAP_STAT_INVALID] = 0x10, b[1].v[SNAP_STAT_INVALID] = 108;
	b[1].v[SNAP_STAT_DROP] = 9;
	s0 = sample(a, 2, 0), s1 = sample(b, 2, 1000);
	watch_totals_add(&t, NULL, &s0);
	assert_int_equal(t.v[SNAP_STAT_DROP], 12);
	assert_int_equal(t.v[SNAP_STAT_INVALID], 0xfffffff0ull + 100);
	assert_int_equal(t.present, BIT(SNAP_STAT_DROP) | BIT(SNAP_STAT_INVALID));
	watch_totals_add(&t, &s0, &s1);
	assert_int_equal(t.v[SNAP_STAT_DROP], 16);
	assert_int_equal(t.v[SNAP_STAT_INVALID], 0xfffffff0ull + 100 + 40);
	assert_int_equal(t.samples, 2);
}

/* A thousand samples, each CPU's counter stepping by a large, varying
 * amount modulo 2^32 (many wraps): the total never decreases and ends at
 * the start's sum plus every step. */
static void test_never_backwards(void **state)
{
	struct snap_cpu_stats c[2][2];
	struct watch_totals t = {0};
	uint64_t want, last = 0, steps = 0;
	uint32_t v[2] = {4000000000u, 17};

	(void)state;
	want = (uint64_t)v[0] + v[1];
	for (unsigned i = 0; i < 1000; i++) {
		struct snap_cpu_stats *cur = c[i % 2], *prev = c[(i + 1) % 2];
		struct rates_sample sc, sp;

		for (unsigned k = 0; k < 2; k++) {
			uint32_t step = i == 0 ? 0 : (uint32_t)(i * 2654435761u) % 0x7fffffffu;

			v[k] += step;
			steps += step;
			cur[k] = (struct snap_cpu_stats){.cpu = k, .present = BIT(SNAP_STAT_FOUND)};
			cur[k].v[SNAP_STAT_FOUND] = v[k];
		}
		sc = sample(cur, 2, i), sp = sample(prev, 2, i - 1);
		watch_totals_add(&t, i == 0 ? NULL : &sp, &sc);
		if (t.v[SNAP_STAT_FOUND] < last)
			fail_msg("sample %u: total went from %llu to %llu", i,
				 (unsigned long long)last,
				 (unsigned long long)t.v[SNAP_STAT_FOUND]);
		last = t.v[SNAP_STAT_FOUND];
	}
	assert_int_equal(t.v[SNAP_STAT_FOUND], want + steps);
}

/* A slot first reported later starts from its sum then, not from zero. */
static void test_slot_appears(void **state)
{
	struct snap_cpu_stats a = {.cpu = 0, .present = BIT(SNAP_STAT_DROP)};
	struct snap_cpu_stats b = {.cpu = 0,
				   .present = BIT(SNAP_STAT_DROP) | BIT(SNAP_STAT_CHAINTOOLONG)};
	struct watch_totals t = {0};
	struct rates_sample s0 = sample(&a, 1, 0), s1 = sample(&b, 1, 1);

	(void)state;
	b.v[SNAP_STAT_CHAINTOOLONG] = 3;
	watch_totals_add(&t, NULL, &s0);
	assert_false(t.present & BIT(SNAP_STAT_CHAINTOOLONG));
	watch_totals_add(&t, &s0, &s1);
	assert_true(t.present & BIT(SNAP_STAT_CHAINTOOLONG));
	assert_int_equal(t.v[SNAP_STAT_CHAINTOOLONG], 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_then_deltas),
	    cmocka_unit_test(test_never_backwards),
	    cmocka_unit_test(test_slot_appears),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
