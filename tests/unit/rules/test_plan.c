/* test_plan.c: plan arithmetic against hand-computed tables: demand, headroom,
 * tidy rounding at and around each band edge, kernel bucket rounding, memory,
 * budgets, the kernel and kube-proxy defaults, range and input errors (the
 * what-ifs are in test_plan_whatif.c). Every expected figure was worked out by hand (see
 * the comment on each row) rather than by calling the code under test. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "plan_fixture.h"

static void test_defaults(void **state)
{
	struct plan_input in;

	(void)state;
	memset(&in, 0xa5, sizeof(in));
	plan_input_init(&in);
	assert_int_equal(in.src, PLAN_DEMAND_PEAK);
	assert_true(in.growth == 1.0);
	assert_true(in.headroom == 0.2);
	assert_int_equal(in.load, 1);
	assert_true(in.is_64bit);
	assert_int_equal(in.slab_bytes, 256);
	assert_int_equal(in.ext_bytes, 128);
	assert_int_equal(in.page_bytes, 4096);
	assert_int_equal(in.budget_bytes, 0);
	assert_int_equal(in.ram_bytes, 0);
	assert_int_equal(in.cpus, 0);
	assert_true(in.cur_max == -1 && in.cur_buckets == -1 && in.cur_count == -1);
}

static void test_tidy(void **state)
{
	static const struct {
		uint64_t x, want;
	} t[] = {
	    {0, 1024},
	    {1, 1024},
	    {1024, 1024},
	    {1025, 2048},
	    {2048, 2048},
	    {100000, 100352}, /* 98 x 1024 */
	    {131071, 131072},
	    {131072, 131072},
	    {131073, 147456}, /* 9 x 16384 */
	    {200000, 212992}, /* 13 x 16384 */
	    {1048575, 1048576},
	    {1048576, 1048576},
	    {1048577, 1114112}, /* 17 x 65536 */
	    {1638400, 1638400}, /* 25 x 65536 */
	    {1638401, 1703936},
	    {2147418112, 2147418112}, /* 32767 x 65536 */
	    {2147418113, 2147483648},
	    {UINT64_C(1) << 40, UINT64_C(1) << 40},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		uint64_t got = plan_tidy_max(t[i].x);

		if (got != t[i].want)
			fail_msg("case %zu: tidy(%llu) = %llu, want %llu", i,
				 (unsigned long long)t[i].x, (unsigned long long)got,
				 (unsigned long long)t[i].want);
	}
}

/* plan_compute over hand-worked sizings: slab 256, ext 128, 4 KiB pages. */
static const struct {
	enum plan_demand_src src;
	uint64_t base, target;
	double growth, headroom;
	unsigned load;
	uint64_t page;
	uint64_t demand, max_raw, max, buckets, mem, mem_ext;
} compute_tab[] = {
    /* 0: target 1 -> ceil(1/0.8) = 2 -> floor 1024; 1024 x 264 = 270336 */
    {PLAN_DEMAND_TARGET, 0, 1, 1, 0.2, 1, 4096, 1, 2, 1024, 1024, 270336, 401408},
    /* 1: 5x the 262144 default: 1310720 / 0.8 = 1638400 = 25 x 65536 */
    {PLAN_DEMAND_PEAK, 262144, 0, 5, 0.2, 1, 4096, 1310720, 1638400, 1638400, 1638400, 432537600,
     642252800},
    /* 2: headroom 0 at the 128 Ki edge: stays */
    {PLAN_DEMAND_TARGET, 0, 131072, 1, 0, 1, 4096, 131072, 131072, 131072, 131072, 34603008,
     51380224},
    /* 3: one above: next 16384 step, 147456 */
    {PLAN_DEMAND_TARGET, 0, 131073, 1, 0, 1, 4096, 131073, 131073, 147456, 147456, 38928384,
     57802752},
    /* 4: 1 Mi edge stays, 1 Mi + 1 -> 17 x 65536 */
    {PLAN_DEMAND_TARGET, 0, 1048576, 1, 0, 1, 4096, 1048576, 1048576, 1048576, 1048576, 276824064,
     411041792},
    {PLAN_DEMAND_TARGET, 0, 1048577, 1, 0, 1, 4096, 1048577, 1048577, 1114112, 1114112, 294125568,
     436731904},
    /* 6: 1025 -> 2048 */
    {PLAN_DEMAND_TARGET, 0, 1025, 1, 0, 1, 4096, 1025, 1025, 2048, 2048, 540672, 802816},
    /* 7: headroom 0.99: ceil(1000 / 0.01) = 100000 -> 98 x 1024 */
    {PLAN_DEMAND_TARGET, 0, 1000, 1, 0.99, 1, 4096, 1000, 100000, 100352, 100352, 26492928,
     39337984},
    /* 8: 1.1 x 100 is 110, not 111 (growth in millionths) */
    {PLAN_DEMAND_PEAK, 100, 0, 1.1, 0, 1, 4096, 110, 110, 1024, 1024, 270336, 401408},
    /* 9: 100000 x 1.5 / 0.75 = 200000 -> 13 x 16384 */
    {PLAN_DEMAND_CURRENT, 100000, 0, 1.5, 0.25, 1, 4096, 150000, 200000, 212992, 212992, 56229888,
     83492864},
    /* 10: kube-proxy load 4: 262144 / 4 */
    {PLAN_DEMAND_TARGET, 0, 262144, 1, 0, 4, 4096, 262144, 262144, 262144, 65536, 67633152,
     101187584},
    /* 11: load 3: ceil(100352 / 3) = 33451 -> 66 x 512 = 33792 */
    {PLAN_DEMAND_TARGET, 0, 100000, 1, 0, 3, 4096, 100000, 100000, 100352, 33792, 25960448,
     38805504},
    /* 12: 64 KiB pages round buckets to 8192 */
    {PLAN_DEMAND_TARGET, 0, 1, 1, 0, 1, 65536, 1, 1, 1024, 8192, 327680, 458752},
    /* 13: growth below 1 shrinks: ceil(300000 x 0.5 / 0.8) = 187500 -> 12 x 16384 */
    {PLAN_DEMAND_PEAK, 300000, 0, 0.5, 0.2, 1, 4096, 150000, 187500, 196608, 196608, 51904512,
     77070336},
    /* 14: idle host: 0 x growth -> floor */
    {PLAN_DEMAND_CURRENT, 0, 0, 3, 0.2, 1, 4096, 0, 0, 1024, 1024, 270336, 401408},
    /* 15: largest max the sysctl takes, with load 8: 268427264 buckets */
    {PLAN_DEMAND_TARGET, 0, 2147418112, 1, 0, 8, 4096, 2147418112, 2147418112, 2147418112,
     268427264, UINT64_C(551886454784), UINT64_C(826755973120)},
    /* 16: growth 1.000001 on 1e6: exactly one more entry; 62 x 16384 */
    {PLAN_DEMAND_PEAK, 1000000, 0, 1.000001, 0, 1, 4096, 1000001, 1000001, 1015808, 1015808,
     268173312, 398196736},
};

static void test_compute_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(compute_tab); i++) {
		struct plan_input in;
		struct plan_error err = {0};
		int rc;

		base_input(&in);
		in.src = compute_tab[i].src;
		in.base_entries = compute_tab[i].base;
		in.target_entries = compute_tab[i].target;
		in.growth = compute_tab[i].growth;
		in.headroom = compute_tab[i].headroom;
		in.load = compute_tab[i].load;
		in.page_bytes = compute_tab[i].page;
		rc = plan_compute(&in, &res, &err);
		if (rc != 0)
			fail_msg("case %zu: rc %d field %s: %s", i, rc, err.field, err.reason);
		CHECK(i, res.demand == compute_tab[i].demand);
		CHECK(i, res.max_raw == compute_tab[i].max_raw);
		CHECK(i, res.rec.max == compute_tab[i].max);
		CHECK(i, res.rec.buckets == compute_tab[i].buckets);
		CHECK(i, res.rec.mem_bytes == compute_tab[i].mem);
		CHECK(i, res.rec.mem_ext_bytes == compute_tab[i].mem_ext);
		CHECK(i, res.mem_used_bytes == compute_tab[i].mem); /* has_ext off */
		CHECK(i, res.rec.max % 1024 == 0);
		CHECK(i, res.rec.buckets % (compute_tab[i].page / 8) == 0);
		CHECK(i, fabs(res.chain_at_full - 2.0 * (double)compute_tab[i].max /
						      (double)compute_tab[i].buckets) < 1e-12);
		CHECK(i, !res.has_budget && !res.is_over_budget);
	}
}

/* The working is recorded in order, with values that match the results. */
static void test_steps(void **state)
{
	static const char *const names[] = {
	    "demand", "max_raw", "max",         "buckets_raw",    "buckets",    "chain_at_full",
	    "mem",    "mem_ext", "mem_pct_ram", "kernel_default", "kube_proxy",
	};
	struct plan_input in;
	const struct plan_step *s;

	(void)state;
	base_input(&in);
	in.base_entries = 262144;
	in.growth = 5;
	assert_int_equal(plan_compute(&in, &res, NULL), 0);
	assert_int_equal(res.n_steps, ARRAY_SIZE(names));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		CHECK(i, strcmp(res.steps[i].name, names[i]) == 0 && res.steps[i].formula != NULL &&
			     res.steps[i].unit != NULL && res.steps[i].working[0] != '\0');
	s = find_step(&res, "demand");
	assert_non_null(s);
	assert_string_equal(s->formula, "peak x growth");
	assert_string_equal(s->working, "peak 262144 x 5 = 1310720");
	assert_true(s->value == 1310720.0);
	s = find_step(&res, "max_raw");
	assert_string_equal(s->working, "ceil(1310720 / (1 - 0.2)) = 1638400");
	s = find_step(&res, "buckets");
	assert_string_equal(s->working, "roundup(1638400, 512) = 1638400");
	assert_true(s->value == 1638400.0);
	s = find_step(&res, "mem");
	assert_true(s->value == 432537600.0);
	s = find_step(&res, "mem_pct_ram");
	assert_true(fabs(s->value - 100.0 * 432537600.0 / 25e9) < 1e-9);
	assert_true(fabs(res.mem_used_pct_ram - 1.7301504) < 1e-9);
}

/* Extensions on: the used figure and the budget both count them. */
static void test_budget(void **state)
{
	static const struct {
		bool has_ext;
		uint64_t budget;
		bool over;
		uint64_t fit_max, fit_buckets;
	} t[] = {
	    /* 0: 1638400 x 264 = 432537600 > 4e8; m x 256 + roundup(m, 512) x 8 <= 4e8
	     * gives m <= 1515140, down to 23 x 65536 (1507328 x 264 = 397934592). */
	    {false, 400000000, true, 1507328, 1507328},
	    /* 1: 1 GiB with ext: 642252800 fits; fit 41 x 65536 (x 392 = 1053294592) */
	    {true, GIB, false, 2686976, 2686976},
	    /* 2: exactly the plan's memory: fits, not over */
	    {false, 432537600, false, 1638400, 1638400},
	    /* 3: one byte short: over, and fit drops to 24 x 65536 */
	    {false, 432537599, true, 1572864, 1572864},
	    /* 4: the 1024 floor costs 270336: one byte less fits nothing */
	    {false, 270336, true, 1024, 1024},
	    {false, 270335, true, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_input in;

		base_input(&in);
		in.base_entries = 262144;
		in.growth = 5;
		in.has_ext = t[i].has_ext;
		in.budget_bytes = t[i].budget;
		CHECK(i, plan_compute(&in, &res, NULL) == 0);
		CHECK(i, res.has_budget);
		CHECK(i, res.mem_used_bytes == (t[i].has_ext ? 642252800u : 432537600u));
		CHECK(i, res.is_over_budget == t[i].over);
		CHECK(i, res.fit.max == t[i].fit_max);
		CHECK(i, res.fit.buckets == t[i].fit_buckets);
		if (t[i].fit_max > 0) {
			uint64_t used = t[i].has_ext ? res.fit.mem_ext_bytes : res.fit.mem_bytes;

			CHECK(i, used <= t[i].budget);
			CHECK(i, find_step(&res, "budget_fit_max") != NULL);
		}
	}
}

/* A budget below what the current entries already occupy is an input error;
 * cur_count 1000 x 256 + 262144 x 8 = 2353152 bytes. */
static void test_budget_below_current(void **state)
{
	struct plan_input in;
	struct plan_error err = {0};

	(void)state;
	base_input(&in);
	in.base_entries = 1000;
	in.cur_count = 1000;
	in.cur_buckets = 262144;
	in.cur_max = 262144;
	in.budget_bytes = 2353151;
	assert_int_equal(plan_compute(&in, &res, &err), -EINVAL);
	assert_string_equal(err.field, "budget_bytes");
	in.budget_bytes = 2353152;
	assert_int_equal(plan_compute(&in, &res, &err), 0);
	assert_true(res.has_current);
	assert_int_equal(res.current.max, 262144);
	assert_int_equal(res.current.mem_bytes, 262144 * 264);
}

static void test_kernel_default(void **state)
{
	static const struct {
		uint64_t ram, page;
		bool is_64bit;
		uint64_t buckets;
	} t[] = {
	    {UINT64_C(25000000000), 4096, true, 262144},
	    {4 * GIB, 4096, true, 65536},         /* not > 4 GiB */
	    {4 * GIB + 4096, 4096, true, 262144}, /* one page more */
	    {4 * GIB + 4095, 4096, true, 65536},  /* a partial page does not count */
	    {2 * GIB, 4096, true, 65536},
	    {GIB + 4096, 4096, true, 65536},
	    {GIB, 4096, true, 8192}, /* RAM / 131072 */
	    {512 * MIB, 4096, true, 4096},
	    {300 * MIB, 4096, true, 2560}, /* 2400 -> 5 x 512 */
	    {200 * MIB, 4096, true, 2048}, /* 1600 -> 4 x 512 */
	    {100 * MIB, 4096, true, 1024}, /* 800 -> minimum 1024 */
	    {8 * GIB, 4096, false, 65536}, /* 32-bit never gets 262144 */
	    {25 * GIB, 65536, true, 262144},
	    {100 * MIB, 65536, true, 8192}, /* 1024 rounded to 64 KiB / 8 */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_sizing s;

		plan_kernel_default(t[i].ram, t[i].page, t[i].is_64bit, &s);
		if (s.buckets != t[i].buckets || s.max != t[i].buckets)
			fail_msg("case %zu: buckets %llu max %llu, want %llu", i,
				 (unsigned long long)s.buckets, (unsigned long long)s.max,
				 (unsigned long long)t[i].buckets);
	}
}

static void test_kube_proxy(void **state)
{
	static const struct {
		unsigned cpus;
		uint64_t per_core, min;
		bool has_cap;
		int64_t cur_buckets;
		uint64_t max, buckets;
	} t[] = {
	    {1, 32768, 131072, true, -1, 131072, 32768}, /* floor */
	    {4, 32768, 131072, true, -1, 131072, 32768}, /* 4 x 32768 = the floor exactly */
	    {5, 32768, 131072, true, -1, 163840, 40960},
	    {7, 32768, 131072, true, -1, 229376, 57344},
	    {32, 32768, 131072, true, -1, 1048576, 262144},     /* the cap exactly */
	    {96, 32768, 131072, true, -1, 1048576, 262144},     /* capped, not 3145728 */
	    {96, 32768, 131072, false, -1, 3145728, 786432},    /* before 1.36: no cap */
	    {64, 32768, 131072, false, -1, 2097152, 524288},    /* the 64 CPUs */
	    {3, 32768, 131072, true, 262144, 131072, 262144},   /* never shrinks hashsize */
	    {32, 32768, 131072, true, 262144, 1048576, 262144}, /* = max/4: left alone */
	    {32, 32768, 131072, true, 100000, 1048576, 262144}, /* smaller: raised */
	    {2, 1048576, 131072, true, -1, 1048576, 262144},    /* 1048576 per core: not 131072 */
	    {2, 1048576, 131072, false, -1, 2097152, 524288},
	    {8, 65535, 655350, true, -1, 655350, 163840}, /* min above per-core x CPUs */
	    /* the cap is checked before min: 1.36+ gives 1048576 below a min of 2000000 */
	    {64, 32768, 2000000, true, -1, 1048576, 262144},
	    {64, 32768, 2000000, false, -1, 2097152, 524288},
	    {8, 0, 131072, true, 65536, 0, 65536}, /* 0: leaves max and the size alone */
	    {8, 0, 131072, true, -1, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_sizing s;

		plan_kube_proxy(t[i].cpus, t[i].per_core, t[i].min, t[i].has_cap, t[i].cur_buckets,
				4096, &s);
		CHECK(i, s.max == t[i].max);
		CHECK(i, s.buckets == t[i].buckets);
	}
}

/* A running kube-proxy's own values decide what it writes, and so what it
 * does to the recommendation at its next start. */
static void test_kube_effect(void **state)
{
	static const struct {
		enum plan_kube_src src;
		int64_t per_core, min;
		uint64_t kube_max, old_max;
		enum plan_kube_effect effect;
	} t[] = {
	    /* 16 CPUs, target 200000 -> recommended max 262144 */
	    {PLAN_KUBE_DEFAULTS, -1, -1, 524288, 524288, PLAN_KUBE_NOT_RUNNING},
	    {PLAN_KUBE_FLAGS, -1, -1, 524288, 524288, PLAN_KUBE_RAISES},
	    {PLAN_KUBE_FLAGS, 0, -1, 0, 0, PLAN_KUBE_LEAVES},
	    {PLAN_KUBE_CONFIG, 0, 500000, 0, 0, PLAN_KUBE_LEAVES},
	    {PLAN_KUBE_FLAGS, 1048576, -1, 1048576, 16777216, PLAN_KUBE_RAISES},
	    {PLAN_KUBE_FLAGS, 8192, -1, 131072, 131072, PLAN_KUBE_LOWERS},
	    {PLAN_KUBE_CONFIG, 16384, 0, 262144, 262144, PLAN_KUBE_AGREES},
	    {PLAN_KUBE_FLAGS, 1, 262144, 262144, 262144, PLAN_KUBE_AGREES},
	    {PLAN_KUBE_UNREAD, -1, -1, 524288, 524288, PLAN_KUBE_UNKNOWN},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_input in;

		base_input(&in);
		in.cpus = 16;
		set_target(&in, 200000, 0.2);
		in.kube = (struct plan_kube_cfg){t[i].src, t[i].per_core, t[i].min};
		assert_int_equal(plan_compute(&in, &res, NULL), 0);
		CHECK(i, res.rec.max == 262144);
		CHECK(i, res.kube.max == t[i].kube_max);
		CHECK(i, res.kube_old.max == t[i].old_max);
		CHECK(i, res.kube_effect == t[i].effect);
		CHECK(i,
		      res.kube_per_core == (t[i].per_core < 0 ? 32768 : (uint64_t)t[i].per_core));
	}
}

/* The side-by-side figures in plan_compute use the same formulas and the
 * input's slab size for their memory. */
static void test_compare_in_plan(void **state)
{
	struct plan_input in;

	(void)state;
	base_input(&in);
	in.cpus = 16;
	in.slab_bytes = 320;
	in.base_entries = 5000;
	assert_int_equal(plan_compute(&in, &res, NULL), 0);
	assert_int_equal(res.kern_def.max, 262144);
	assert_int_equal(res.kern_def.mem_bytes, 262144 * (320 + 8));
	assert_int_equal(res.kern_def.mem_ext_bytes, 262144 * (320 + 128 + 8));
	assert_int_equal(res.kube.max, 524288);
	assert_int_equal(res.kube.buckets, 131072);
	assert_int_equal(res.kube.mem_bytes, 524288 * 320 + 131072 * 8);
	assert_false(res.has_current);
}

/* Results beyond what the kernel takes are -ERANGE, without wrapping. */
static void test_range(void **state)
{
	static const struct {
		enum plan_demand_src src;
		uint64_t base, target;
		double growth, headroom;
		unsigned load;
		const char *field;
	} t[] = {
	    {PLAN_DEMAND_TARGET, 0, UINT64_C(1) << 40, 1, 0.2, 1, "max"},
	    {PLAN_DEMAND_TARGET, 0, UINT64_MAX, 1, 0, 1, "max"},
	    {PLAN_DEMAND_TARGET, 0, 2147483647, 1, 0, 8, "max"}, /* tidy -> 2^31 */
	    {PLAN_DEMAND_TARGET, 0, 2147418113, 1, 0, 8, "max"},
	    {PLAN_DEMAND_TARGET, 0, 30000000, 1, 0.99, 1, "max"}, /* 3e9 */
	    {PLAN_DEMAND_PEAK, UINT64_C(1) << 40, 0, 1, 0, 1, "max"},
	    {PLAN_DEMAND_PEAK, UINT64_MAX, 0, 1e6, 0, 1, "max"}, /* product wraps */
	    {PLAN_DEMAND_PEAK, UINT64_C(1) << 62, 0, 1e6, 0, 1, "max"},
	    {PLAN_DEMAND_PEAK, 3000, 0, 1e6, 0, 1, "max"}, /* 3e9 */
	    {PLAN_DEMAND_TARGET, 0, 2147418112, 1, 0, 1, "buckets"},
	    {PLAN_DEMAND_TARGET, 0, 268500000, 1, 0, 1, "buckets"}, /* > 268435455 */
	    {PLAN_DEMAND_PEAK, 1000, 0, 2e6, 0, 1, "growth"},
	    {PLAN_DEMAND_PEAK, 1000, 0, 1e-9, 0, 1, "growth"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_input in;
		struct plan_error err = {0};

		base_input(&in);
		in.src = t[i].src;
		in.base_entries = t[i].base;
		in.target_entries = t[i].target;
		in.growth = t[i].growth;
		in.headroom = t[i].headroom;
		in.load = t[i].load;
		res.demand = 12345;
		CHECK(i, plan_compute(&in, &res, &err) == -ERANGE);
		CHECK(i, err.field != NULL && strcmp(err.field, t[i].field) == 0);
		CHECK(i, err.reason != NULL && err.reason[0] != '\0');
		CHECK(i, res.demand == 12345); /* out untouched on failure */
	}
}

/* Set the named input to a bad value: d for doubles, v for integers. */
static void poke(struct plan_input *in, const char *f, double d, int64_t v)
{
	if (strcmp(f, "growth") == 0)
		in->growth = d;
	else if (strcmp(f, "headroom") == 0)
		in->headroom = d;
	else if (strcmp(f, "target_entries") == 0)
		set_target(in, (uint64_t)v, 0.2);
	else if (strcmp(f, "load") == 0)
		in->load = (unsigned)v;
	else if (strcmp(f, "ram_bytes") == 0)
		in->ram_bytes = (uint64_t)v;
	else if (strcmp(f, "cpus") == 0)
		in->cpus = (unsigned)v;
	else if (strcmp(f, "slab_bytes") == 0)
		in->slab_bytes = (uint64_t)v;
	else if (strcmp(f, "ext_bytes") == 0)
		in->ext_bytes = (uint64_t)v;
	else if (strcmp(f, "page_bytes") == 0)
		in->page_bytes = (uint64_t)v;
	else if (strcmp(f, "cur_max") == 0)
		in->cur_max = v;
	else if (strcmp(f, "cur_buckets") == 0)
		in->cur_buckets = v;
	else if (strcmp(f, "cur_count") == 0)
		in->cur_count = v;
	else if (strcmp(f, "src") == 0)
		in->src = (enum plan_demand_src)v;
	else
		fail_msg("unknown field %s", f);
}

/* Each bad input is rejected with -EINVAL naming that input. */
static void test_invalid_inputs(void **state)
{
	static const struct {
		const char *field;
		double d;
		int64_t v;
	} t[] = {
	    {"growth", 0, 0},
	    {"growth", -1, 0},
	    {"growth", NAN, 0},
	    {"growth", INFINITY, 0},
	    {"growth", -INFINITY, 0},
	    {"target_entries", 0, 0},
	    {"headroom", -0.1, 0},
	    {"headroom", 1.0, 0},
	    {"headroom", 1.5, 0},
	    {"headroom", 0.9999999, 0}, /* rounds to 1 in millionths */
	    {"headroom", NAN, 0},
	    {"headroom", INFINITY, 0},
	    {"load", 0, 0},
	    {"load", 0, 65},
	    {"ram_bytes", 0, 0},
	    {"cpus", 0, 0},
	    {"slab_bytes", 0, 0},
	    {"slab_bytes", 0, 70000},
	    {"ext_bytes", 0, 70000},
	    {"page_bytes", 0, 0},
	    {"page_bytes", 0, 3000},
	    {"page_bytes", 0, 256},
	    {"page_bytes", 0, 1 << 21},
	    {"cur_max", 0, -2},
	    {"cur_max", 0, INT64_C(1) << 31},
	    {"cur_buckets", 0, INT64_MAX},
	    {"cur_count", 0, -5},
	    {"src", 0, 7},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		struct plan_input in;
		struct plan_error err = {0};

		base_input(&in);
		in.base_entries = 1000;
		poke(&in, t[i].field, t[i].d, t[i].v);
		res.demand = 777;
		CHECK(i, plan_compute(&in, &res, &err) == -EINVAL);
		if (err.field == NULL || strcmp(err.field, t[i].field) != 0)
			fail_msg("case %zu: field %s, want %s", i, err.field ? err.field : "(null)",
				 t[i].field);
		CHECK(i, err.reason != NULL && err.reason[0] != '\0');
		CHECK(i, res.demand == 777);
		CHECK(i, plan_compute(&in, &res, NULL) == -EINVAL); /* err is optional */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),       cmocka_unit_test(test_tidy),
	    cmocka_unit_test(test_compute_table),  cmocka_unit_test(test_steps),
	    cmocka_unit_test(test_budget),         cmocka_unit_test(test_budget_below_current),
	    cmocka_unit_test(test_kernel_default), cmocka_unit_test(test_kube_proxy),
	    cmocka_unit_test(test_kube_effect),    cmocka_unit_test(test_compare_in_plan),
	    cmocka_unit_test(test_range),          cmocka_unit_test(test_invalid_inputs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
