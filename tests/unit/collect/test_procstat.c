/* Unit tests: /proc/net/stat/nf_conntrack parsing by header name. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../collect/procstat.h"

/* 6.18's header (double spaces kept) and two rows. */
static const char v618[] =
    "entries  clashres found new invalid ignore delete chainlength insert insert_failed drop "
    "early_drop icmp_error  expect_new expect_create expect_delete search_restart\n"
    "0000002a  00000001 00000002 00000000 0000000a 00000000 00000000 00000003 00000000 "
    "00000004 00000005 00001eb2 00000005  00000000 00000000 00000000 00000006\n"
    "0000002a  00000000 00000000 00000000 ffffffff 00000000 00000000 00000000 00000000 "
    "00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000\n";

/* A pre-5.10 header: column 2 was "searched", column 8 "delete_list". */
static const char v54[] = "entries  searched found new invalid ignore delete delete_list insert "
			  "insert_failed drop early_drop icmp_error  expect_new expect_create "
			  "expect_delete search_restart\n"
			  "00000010  00000009 00000001 00000000 00000002 00000003 00000000 "
			  "00000000 00000000 00000000 00000000 00000000 00000000  00000000 "
			  "00000000 00000000 00000000\n";

static void test_current_kernel(void **state)
{
	struct snap_cpu_stats *cpus = NULL;
	uint64_t entries = 0;
	size_t n = 0;

	(void)state;
	assert_int_equal(procstat_parse(v618, strlen(v618), &cpus, &n, &entries), 0);
	assert_int_equal(n, 2);
	assert_int_equal(entries, 42);
	assert_int_equal(cpus[0].v[SNAP_STAT_CLASH_RESOLVE], 1);
	assert_int_equal(cpus[0].v[SNAP_STAT_FOUND], 2);
	assert_int_equal(cpus[0].v[SNAP_STAT_INVALID], 10);
	assert_int_equal(cpus[0].v[SNAP_STAT_CHAINTOOLONG], 3);
	assert_int_equal(cpus[0].v[SNAP_STAT_INSERT_FAILED], 4);
	assert_int_equal(cpus[0].v[SNAP_STAT_DROP], 5);
	assert_int_equal(cpus[0].v[SNAP_STAT_EARLY_DROP], 7858);
	assert_int_equal(cpus[0].v[SNAP_STAT_ERROR], 5);
	assert_int_equal(cpus[0].v[SNAP_STAT_SEARCH_RESTART], 6);
	assert_int_equal(cpus[1].v[SNAP_STAT_INVALID], 0xffffffffu);
	assert_int_equal(cpus[1].cpu, 1);
	assert_true(cpus[0].present & (1u << SNAP_STAT_CLASH_RESOLVE));
	assert_false(cpus[0].present & (1u << SNAP_STAT_SEARCHED));
	free(cpus);
}

static void test_old_kernel(void **state)
{
	struct snap_cpu_stats *cpus = NULL;
	uint64_t entries = 0;
	size_t n = 0;

	(void)state;
	assert_int_equal(procstat_parse(v54, strlen(v54), &cpus, &n, &entries), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cpus[0].v[SNAP_STAT_SEARCHED], 9);
	assert_int_equal(cpus[0].v[SNAP_STAT_IGNORE], 3);
	assert_false(cpus[0].present & (1u << SNAP_STAT_CLASH_RESOLVE));
	free(cpus);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "\n",
	    "entries found\n",                     /* no rows */
	    "entries found\n00000001\n",           /* short row */
	    "entries found\n00000001 0000000g\n",  /* not hex */
	    "entries found\n00000001 123456789\n", /* more than 32 bits */
	    "entries found\n1 2 3\n",              /* long row */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct snap_cpu_stats *cpus = (void *)0x1;
		uint64_t entries = 77;
		size_t n = 5;
		int rc = procstat_parse(bad[i], strlen(bad[i]), &cpus, &n, &entries);

		if (rc != -EINVAL || n != 5 || entries != 77)
			fail_msg("case %zu: rc %d n %zu", i, rc, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_current_kernel),
	    cmocka_unit_test(test_old_kernel),
	    cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
