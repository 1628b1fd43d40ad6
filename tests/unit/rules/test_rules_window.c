/* test_rules_window.c: counter findings judged over the window since the
 * last run (snap->prev): the change, not the totals since boot; a first
 * run, reset counters, a missing slot and unusable state judged on totals
 * at most as a warning; a limit raised since the drops; NAT clashes and
 * early drops told apart from a full table. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules_fixture.h"

/* The last run 300 s ago saw the counters DROP, EARLY, INS and max MAX:
 * the changes since, as collect/state.c computes them (here without wrap). */
static void with_prev(struct ct_snapshot *s, uint64_t drop, uint64_t early, uint64_t ins,
		      uint64_t max)
{
	const unsigned slots[] = {SNAP_STAT_DROP, SNAP_STAT_EARLY_DROP, SNAP_STAT_INSERT_FAILED,
				  SNAP_STAT_INVALID};
	const uint64_t was[] = {drop, early, ins, 0};

	s->prev.state = SNAP_PREV_OK;
	s->prev.window_s = 300;
	s->prev.present = s->total.present;
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		s->prev.delta[slots[i]] = s->total.v[slots[i]] - was[i];
	s->prev.has_max = true;
	s->prev.max = max;
}

static bool has_command(const struct rules_finding *f, const char *prefix)
{
	for (size_t i = 0; i < f->n_commands; i++)
		if (strncmp(f->commands[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* The lab's scenario: the table filled at max 500 (663 dropped), max was
 * raised to 262144, the flows expired. */
static void test_drops_then_raised(void **state)
{
	const struct rules_finding *f;
	struct ct_snapshot s;

	(void)state;
	base_snap(&s);
	s.count = 0;
	s.total.v[SNAP_STAT_DROP] = 663;
	s.total.v[SNAP_STAT_EARLY_DROP] = 21;
	/* First run: the totals, but when cannot be told: a warning at most. */
	s.prev.state = SNAP_PREV_FIRST;
	eval(&s, NULL);
	f = expect(0, "table-full", RULES_SEV_WARNING);
	assert_true(f->is_counter && !f->has_window);
	assert_int_equal(f->since_boot, 663);
	assert_non_null(strstr(f->summary, "663 since boot (this is the first run"));
	assert_false(has_command(f, "ctadvisor apply"));
	assert_true(has_command(f, "ctadvisor watch"));
	assert_int_equal(rules_exit_code(&rep), 1);
	/* Second run, nothing new: history only, OK. */
	with_prev(&s, 663, 21, 0, 262144);
	s.prev.max_at_drop = 500;
	eval(&s, NULL);
	f = expect(1, "table-full", RULES_SEV_INFO);
	assert_true(f->has_window);
	assert_int_equal(f->window_s, 300);
	assert_int_equal(f->delta, 0);
	assert_non_null(strstr(f->summary, "663 since boot, none in the last 5 min"));
	assert_non_null(strstr(f->summary, "raised since, from 500 to 262144"));
	assert_int_equal(f->n_commands, 0);
	assert_int_equal(rules_exit_code(&rep), 0);
	/* New drops: critical on the delta, the total beside it. */
	s.total.v[SNAP_STAT_DROP] = 675;
	with_prev(&s, 663, 21, 0, 262144);
	eval(&s, NULL);
	f = expect(2, "table-full", RULES_SEV_CRITICAL);
	assert_int_equal(f->delta, 12);
	assert_non_null(strstr(f->summary, "12 in the last 5 min (675 since boot)"));
	assert_true(has_command(f, "ctadvisor apply --set net.netfilter.nf_conntrack_max=327680"));
	assert_int_equal(rules_exit_code(&rep), 2);
	/* --since-boot: today's judgment on the totals. */
	s.total.v[SNAP_STAT_DROP] = 663;
	with_prev(&s, 663, 21, 0, 262144);
	{
		struct rules_opts o;

		rules_opts_default(&o);
		o.judge_since_boot = true;
		eval(&s, &o);
	}
	f = expect(3, "table-full", RULES_SEV_CRITICAL);
	assert_false(f->has_window);
}

/* Untimed: the table full now is critical even on a first run. */
static void test_first_run_full_now(void **state)
{
	const struct rules_finding *f;
	struct ct_snapshot s;

	(void)state;
	base_snap(&s);
	s.count = s.max;
	s.total.v[SNAP_STAT_DROP] = 9;
	s.prev.state = SNAP_PREV_FIRST;
	eval(&s, NULL);
	f = expect(0, "table-full", RULES_SEV_CRITICAL);
	/* demand at least the count: 262144 / 0.8 = 327680 */
	assert_true(has_command(f, "ctadvisor apply --set net.netfilter.nf_conntrack_max=327680"));
}

/* Lower counters (a reboot or a recreated namespace the state missed), a
 * slot the last run lacked, and unusable state: no window, never a
 * negative or wrapped delta. */
static void test_no_window(void **state)
{
	static const struct {
		enum snap_prev_state st;
		uint64_t prev_drop;
		bool drop_in_prev;
		const char *phrase;
	} cases[] = {
	    {SNAP_PREV_OK, 0, false, NULL}, /* the last run had no drop counter */
	    {SNAP_PREV_RESET, 0, true, "the counters started again"},
	    {SNAP_PREV_IGNORED, 0, true, "the last run's state could not be used"},
	    {SNAP_PREV_NOT_KEPT, 0, true, "no state is kept between runs"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.total.v[SNAP_STAT_DROP] = 663;
		with_prev(&s, cases[i].prev_drop, 0, 0, 262144);
		s.prev.state = cases[i].st;
		if (!cases[i].drop_in_prev)
			s.prev.present &= ~(UINT32_C(1) << SNAP_STAT_DROP);
		eval(&s, NULL);
		f = expect(i, "table-full", RULES_SEV_WARNING);
		CHECK(i, !f->has_window && f->delta == 663 && f->since_boot == 663);
		CHECK(i, cases[i].phrase == NULL || strstr(f->summary, cases[i].phrase) != NULL);
	}
}

/* 14 connects through a 10-port masquerade range: drop 4 = insert_failed 4
 * at a nearly empty table: NAT clashes, not a full table. */
static void test_nat_clash_is_not_full(void **state)
{
	const struct rules_finding *f;
	struct ct_snapshot s;

	(void)state;
	base_snap(&s);
	s.count = 10;
	s.total.v[SNAP_STAT_DROP] = 4;
	s.total.v[SNAP_STAT_INSERT_FAILED] = 4;
	with_prev(&s, 0, 0, 0, 262144);
	eval(&s, NULL);
	expect(0, "table-full", RULES_SEV_OK);
	f = expect(0, "insert-failed", RULES_SEV_WARNING);
	assert_int_equal(f->delta, 4);
	assert_true(has_command(f, "ctadvisor nat"));
	assert_non_null(strstr(f->summary, "NAT source-port clash"));
	/* One more drop than clashes: that one is the table's. */
	s.total.v[SNAP_STAT_DROP] = 5;
	with_prev(&s, 0, 0, 0, 262144);
	eval(&s, NULL);
	f = expect(1, "table-full", RULES_SEV_CRITICAL);
	assert_true(ev_is(f, "full_table_drops", 1));
}

/* max = buckets = 2048, 6000 unreplied UDP flows: early_drop +3846, drop 0,
 * every datagram delivered: churn, a warning, not a refusal. */
static void test_early_drop_alone(void **state)
{
	const struct rules_finding *f;
	struct ct_snapshot s;

	(void)state;
	base_snap(&s);
	s.count = s.max = 2048;
	s.set.buckets = 2048;
	s.total.v[SNAP_STAT_EARLY_DROP] = 3846;
	with_prev(&s, 0, 0, 0, 2048);
	eval(&s, NULL);
	expect(0, "table-full", RULES_SEV_OK);
	f = expect(0, "early-drop", RULES_SEV_WARNING);
	assert_int_equal(f->delta, 3846);
	assert_non_null(strstr(f->summary, "without dropping a packet"));
	assert_false(has_command(f, "ctadvisor apply"));
	/* In a namespace: since it was created. */
	s.is_init_netns = false;
	eval(&s, NULL);
	f = expect(1, "early-drop", RULES_SEV_WARNING);
	assert_non_null(strstr(f->summary, "since the namespace was created"));
}

/* invalid is judged on the change too: 5000 since boot, 10 in the window. */
static void test_invalid_window(void **state)
{
	const struct rules_finding *f;
	struct ct_snapshot s;

	(void)state;
	base_snap(&s);
	s.total.v[SNAP_STAT_INVALID] = 5000;
	with_prev(&s, 0, 0, 0, 262144);
	s.prev.delta[SNAP_STAT_INVALID] = 10;
	eval(&s, NULL);
	f = expect(0, "invalid-high", RULES_SEV_INFO);
	assert_int_equal(f->delta, 10);
	s.prev.delta[SNAP_STAT_INVALID] = 5000;
	eval(&s, NULL);
	f = expect(1, "invalid-high", RULES_SEV_WARNING);
	assert_int_equal(f->delta, 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_drops_then_raised), cmocka_unit_test(test_first_run_full_now),
	    cmocka_unit_test(test_no_window),         cmocka_unit_test(test_nat_clash_is_not_full),
	    cmocka_unit_test(test_early_drop_alone),  cmocka_unit_test(test_invalid_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
