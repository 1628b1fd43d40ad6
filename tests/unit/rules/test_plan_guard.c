/* test_plan_guard.c: a plan never shrinks without evidence. Below the
 * current settings it keeps them, unless the demand is a watch summary of a
 * day or more, the table was not full, and --allow-shrink; even then not
 * below the kernel's default for the RAM. A count of 0 sizes nothing, one
 * knob never goes down while the other goes up, and without current
 * settings the sizing stands as it is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../../rules/plan.h"

#define GIB  (1024ull * 1024 * 1024)
#define DAYS (24.0 * 3600)

/* A 23.5 GiB host with max = buckets = cur (the kernel default there is
 * 262144), planning from the current count. */
static struct plan_input host(int64_t cur, uint64_t count)
{
	struct plan_input in;

	plan_input_init(&in);
	in.ram_bytes = 235 * GIB / 10;
	in.cpus = 2;
	in.src = PLAN_DEMAND_CURRENT;
	in.base_entries = count;
	in.cur_max = cur;
	in.cur_buckets = cur;
	in.cur_count = (int64_t)count;
	return in;
}

static struct plan_result run(const struct plan_input *in)
{
	static struct plan_result r;

	assert_int_equal(plan_compute(in, &r, NULL), 0);
	return r;
}

static void test_idle_host(void **state)
{
	struct plan_input in = host(262144, 0);
	struct plan_result r = run(&in);

	(void)state;
	assert_int_equal(r.change, PLAN_CHANGE_NO_DEMAND);
	assert_int_equal(r.rec.max, 262144);
	assert_int_equal(r.rec.buckets, 262144);
	assert_int_equal(r.sized.max, 1024);
	assert_non_null(strstr(r.kept_why, "no demand"));
}

/* 5786 entries against 262144: sized 8192, kept, "97 % headroom". */
static void test_holds(void **state)
{
	struct plan_input in = host(262144, 5786);
	struct plan_result r = run(&in);

	(void)state;
	assert_int_equal(r.change, PLAN_CHANGE_NONE);
	assert_int_equal(r.rec.max, 262144);
	assert_int_equal(r.sized.max, 8192);
	assert_true(r.headroom_now_pct > 97.7 && r.headroom_now_pct < 97.8);
	assert_non_null(strstr(r.kept_why, "not a watch summary"));
	in.allow_shrink = true; /* not enough: the count is no summary */
	r = run(&in);
	assert_int_equal(r.rec.max, 262144);
}

static void test_summary_rules(void **state)
{
	struct plan_input in = host(1048576, 5786);
	struct plan_result r;

	(void)state;
	in.src = PLAN_DEMAND_PEAK;
	in.window_s = 60;
	in.allow_shrink = true;
	r = run(&in);
	assert_int_equal(r.rec.max, 1048576);
	assert_non_null(strstr(r.kept_why, "less than a day"));
	in.window_s = 2 * DAYS;
	in.allow_shrink = false;
	r = run(&in);
	assert_int_equal(r.rec.max, 1048576);
	assert_non_null(strstr(r.kept_why, "--allow-shrink"));
	in.allow_shrink = true;
	in.is_capped = true;
	r = run(&in);
	assert_int_equal(r.rec.max, 1048576);
	assert_non_null(strstr(r.kept_why, "lower bound"));
	/* everything allowed: down, but to the kernel default, not to 8192 */
	in.is_capped = false;
	r = run(&in);
	assert_int_equal(r.change, PLAN_CHANGE_SHRINK);
	assert_int_equal(r.rec.max, 262144);
	assert_int_equal(r.rec.buckets, 262144);
	assert_non_null(strstr(r.kept_why, "kernel's default"));
	/* at the default already: nothing to do */
	in.cur_max = in.cur_buckets = 262144;
	r = run(&in);
	assert_int_equal(r.change, PLAN_CHANGE_NONE);
}

static void test_raise(void **state)
{
	struct plan_input in = host(262144, 500000);
	struct plan_result r;

	(void)state;
	r = run(&in);
	assert_int_equal(r.change, PLAN_CHANGE_RAISE);
	assert_int_equal(r.rec.max, 638976);
	assert_null(r.kept_why);
	/* load 4: max up, buckets would go down: buckets kept */
	in.load = 4;
	r = run(&in);
	assert_int_equal(r.change, PLAN_CHANGE_RAISE);
	assert_int_equal(r.rec.max, 638976);
	assert_int_equal(r.rec.buckets, 262144);
	assert_true(r.sized.buckets < 262144);
	assert_non_null(strstr(r.kept_why, "other goes up"));
	assert_true(r.chain_at_full > 4.8 && r.chain_at_full < 4.9); /* of what is applied */
}

static void test_no_current(void **state)
{
	struct plan_input in = host(-1, 5786);
	struct plan_result r = run(&in);

	(void)state;
	assert_int_equal(r.change, PLAN_CHANGE_UNKNOWN);
	assert_int_equal(r.rec.max, 8192);
	assert_true(r.headroom_now_pct < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idle_host),     cmocka_unit_test(test_holds),
	    cmocka_unit_test(test_summary_rules), cmocka_unit_test(test_raise),
	    cmocka_unit_test(test_no_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
