/* test_state.c: the state between check runs: written and read back, the
 * window and the per-CPU changes (32-bit wrap), and every way a state is
 * not usable: missing, unreadable, corrupt, foreign, a reboot, a recreated
 * namespace, a clock that moved back. Never a negative or wrapped delta. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../collect/state.h"

static const struct state_id id = {.boot_id = "3054af2c-83f9-4d01-8e81-efbf53993c50",
				   .ino = 4026532238,
				   .has_cookie = true,
				   .cookie = 1696};

/* Two CPUs with drop D0/D1 and invalid I0/I1; max MAX. */
static void snap_with(struct ct_snapshot *s, uint64_t d0, uint64_t d1, uint64_t i0, uint64_t i1,
		      uint64_t max)
{
	snap_free(s);
	snap_init(s);
	s->cpus = calloc(2, sizeof(*s->cpus));
	assert_non_null(s->cpus);
	s->n_cpus = 2;
	for (unsigned c = 0; c < 2; c++) {
		s->cpus[c].cpu = c;
		s->cpus[c].present = (UINT32_C(1) << SNAP_STAT_DROP) |
				     (UINT32_C(1) << SNAP_STAT_INVALID) |
				     (UINT32_C(1) << SNAP_STAT_EARLY_DROP);
	}
	s->cpus[0].v[SNAP_STAT_DROP] = d0;
	s->cpus[1].v[SNAP_STAT_DROP] = d1;
	s->cpus[0].v[SNAP_STAT_INVALID] = i0;
	s->cpus[1].v[SNAP_STAT_INVALID] = i1;
	s->has_stats = true;
	snap_sum_cpus(s);
	s->has_max = true;
	s->max = max;
}

static void fold(const char *text, int err, const struct state_id *who, uint64_t now,
		 struct ct_snapshot *s)
{
	state_fold(text, text ? strlen(text) : 0, err, who, now, s);
}

static void test_round_trip_and_window(void **state)
{
	struct ct_snapshot s;
	char *text;

	(void)state;
	snap_init(&s);
	snap_with(&s, 600, 63, 10, 0, 500);
	text = state_format(&id, 1000, &s);
	assert_non_null(text);
	/* 300 s later: 12 more drops, 5 more invalid; max raised. */
	snap_with(&s, 610, 65, 15, 0, 262144);
	fold(text, 0, &id, 1300, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_OK);
	assert_int_equal(s.prev.window_s, 300);
	assert_true(s.prev.present & (UINT32_C(1) << SNAP_STAT_DROP));
	assert_int_equal(s.prev.delta[SNAP_STAT_DROP], 12);
	assert_int_equal(s.prev.delta[SNAP_STAT_INVALID], 5);
	assert_int_equal(s.prev.delta[SNAP_STAT_EARLY_DROP], 0);
	assert_true(s.prev.has_max);
	assert_int_equal(s.prev.max, 500);
	free(text);
	/* The next state remembers the max at which drops last grew (262144
	 * now: they grew in this window), and a quiet window carries it. */
	text = state_format(&id, 1300, &s);
	snap_with(&s, 610, 65, 15, 0, 262144);
	fold(text, 0, &id, 1600, &s);
	assert_int_equal(s.prev.max_at_drop, 262144);
	assert_int_equal(s.prev.delta[SNAP_STAT_DROP], 0);
	free(text);
	snap_free(&s);
}

/* A per-CPU counter is 32-bit in the kernel: 0xfffffff0 -> 0x10 is +32. */
static void test_wrap(void **state)
{
	struct ct_snapshot s;
	char *text;

	(void)state;
	snap_init(&s);
	snap_with(&s, 0xfffffff0u, 7, 0, 0, 1024);
	text = state_format(&id, 10, &s);
	snap_with(&s, 0x10, 9, 0, 0, 1024);
	fold(text, 0, &id, 20, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_OK);
	assert_int_equal(s.prev.delta[SNAP_STAT_DROP], 32 + 2);
	free(text);
	snap_free(&s);
}

static void test_not_usable(void **state)
{
	struct state_id rebooted = id, recreated = id;
	struct ct_snapshot s;
	char *good;

	(void)state;
	snprintf(rebooted.boot_id, sizeof(rebooted.boot_id), "%s",
		 "0000aaaa-83f9-4d01-8e81-efbf53993c50");
	recreated.cookie = 1697;
	snap_init(&s);
	snap_with(&s, 5, 5, 0, 0, 1024);
	good = state_format(&id, 100, &s);
	assert_non_null(good);

	fold(NULL, ENOENT, &id, 200, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_FIRST);
	fold(NULL, EACCES, &id, 200, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_IGNORED);
	assert_non_null(strstr(s.prev.note, "Permission denied"));
	fold("{\"schema\": 1, \"tool\": \"ctadv", 0, &id, 200, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_IGNORED);
	assert_non_null(strstr(s.prev.note, "corrupt"));
	fold("[1, 2, 3]", 0, &id, 200, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_IGNORED);
	fold("{\"schema\": 1, \"tool\": \"other\", \"kind\": \"check-state\"}", 0, &id, 200, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_IGNORED);
	assert_non_null(strstr(s.prev.note, "foreign"));
	fold("{\"schema\": 2, \"tool\": \"ctadvisor\", \"kind\": \"check-state\"}", 0, &id, 200,
	     &s);
	assert_int_equal(s.prev.state, SNAP_PREV_IGNORED);
	fold(good, 0, &rebooted, 200, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_RESET);
	assert_non_null(strstr(s.prev.note, "rebooted"));
	fold(good, 0, &recreated, 200, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_RESET);
	assert_non_null(strstr(s.prev.note, "recreated"));
	fold(good, 0, &id, 50, &s); /* the clock moved back */
	assert_int_equal(s.prev.state, SNAP_PREV_IGNORED);
	assert_non_null(strstr(s.prev.note, "future"));
	/* Counters missing from the state. */
	fold("{\"schema\": 1, \"tool\": \"ctadvisor\", \"kind\": \"check-state\", \"boot_id\": "
	     "\"3054af2c-83f9-4d01-8e81-efbf53993c50\", \"netns_inode\": 4026532238, "
	     "\"time\": 1}",
	     0, &id, 200, &s);
	assert_int_equal(s.prev.state, SNAP_PREV_IGNORED);
	/* No stale window leaks from an earlier fold. */
	assert_int_equal(s.prev.window_s, 0);
	assert_int_equal(s.prev.present, 0);
	free(good);
	snap_free(&s);
}

static void test_file_name(void **state)
{
	char buf[64], tiny[8];

	(void)state;
	assert_int_equal(state_file_name(&id, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "netns-4026532238.json");
	assert_int_equal(state_file_name(&id, tiny, sizeof(tiny)), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_and_window),
	    cmocka_unit_test(test_wrap),
	    cmocka_unit_test(test_not_usable),
	    cmocka_unit_test(test_file_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
