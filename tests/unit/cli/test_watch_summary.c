/* test_watch_summary.c: report --from reads a summary as watch --save
 * writes it: the occupancy figures, null projections, the mean rates from
 * the counters' deltas and the events; anything else is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../cli/watch_summary.h"

static const char summary[] =
    "{\"type\": \"summary\", \"schema\": 2, \"netns\": \"blue\", \"samples\": 11,"
    " \"interval_ms\": 1000, \"duration_s\": 10.0, \"max\": 262144, \"peak_count\": 5200,"
    " \"mean_count\": 5100.5, \"last_count\": 5000, \"growth_per_hour\": 36000.0,"
    " \"net_change\": 1000, \"hours_to_full\": 7.14, \"count_includes_expired\": true,"
    " \"counters\": {\"invalid\": {\"delta\": 50, \"peak_per_s\": 12.0},"
    " \"drop\": {\"delta\": 0, \"peak_per_s\": 0.0}},"
    " \"events\": {\"new\": {\"tcp\": 300, \"udp\": 200}, \"destroy\": {\"tcp\": 100}},"
    " \"findings\": []}";

static char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_watch_summary.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_load(void **state)
{
	struct watch_summary s;
	char *path = write_tmp(summary);

	(void)state;
	assert_int_equal(watch_summary_load("report", path, &s), 0);
	unlink(path);
	assert_string_equal(s.w.netns, "blue");
	assert_int_equal(s.w.samples, 11);
	assert_int_equal(s.w.first, 4000);
	assert_int_equal(s.w.peak, 5200);
	assert_int_equal(s.w.last, 5000);
	assert_int_equal(s.w.max, 262144);
	assert_true(s.w.has_hours_to_full);
	assert_true(s.w.has_growth);
	assert_int_equal(s.w.n_rates, 4);
	assert_string_equal(s.w.rates[0].name, "new");
	assert_true(s.w.rates[0].per_s == 50.0);
	assert_string_equal(s.w.rates[1].name, "destroy");
	assert_true(s.w.rates[1].per_s == 10.0);
	assert_string_equal(s.w.rates[2].name, "invalid");
	assert_true(s.w.rates[2].per_s == 5.0);
	assert_true(s.w.rates[2].has_peak && s.w.rates[2].peak_per_s == 12.0);
	assert_string_equal(s.w.rates[3].name, "drop");
}

/* A watch too short to project: growth and hours_to_full are null. */
static void test_nulls(void **state)
{
	struct watch_summary s;
	char text[sizeof(summary) + 16], *p;
	char *path;

	(void)state;
	snprintf(text, sizeof(text), "%s", summary);
	p = strstr(text, "36000.0");
	memcpy(p, "null   ", 7);
	p = strstr(text, "7.14");
	memcpy(p, "null", 4);
	path = write_tmp(text);
	assert_int_equal(watch_summary_load("report", path, &s), 0);
	unlink(path);
	assert_false(s.w.has_growth);
	assert_false(s.w.has_hours_to_full);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
	    "not json", "[]", "{\"peak_count\": 5}",
	    /* a net change above the last count */
	    "{\"samples\": 1, \"max\": 1, \"peak_count\": 1, \"last_count\": 1, \"duration_s\": 1,"
	    " \"mean_count\": 1, \"net_change\": 2, \"growth_per_hour\": null,"
	    " \"hours_to_full\": null}"};
	struct watch_summary s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = write_tmp(bad[i]);

		assert_int_equal(watch_summary_load("report", path, &s), -1);
		unlink(path);
	}
	assert_int_equal(watch_summary_load("report", "/nonexistent/w.json", &s), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load),
	    cmocka_unit_test(test_nulls),
	    cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
