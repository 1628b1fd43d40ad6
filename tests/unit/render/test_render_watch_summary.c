/* Unit tests: the watch summary (render_watch.c) into memory streams:
 * peak, mean, growth, the projection branches, the expired-entries note,
 * the counters, the sparkline, a write error and the saved summary. States
 * are watch_fx.c's; every expected figure is worked out by hand in the
 * comments. */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../render/render_watch.h"
#include "../../../rules/rules_watch.h"
#include "watch_fx.h"

/* ---- the text summary ---- */

/* 600 s, 1000 -> 2000 -> 3000: slope 1000 per 300 s = +12000/hour; from
 * 3000 to 10000 takes 7000 / 12000 = 0.58 hours (critical, under 1 h). */
static void test_summary_projection(void **state)
{
	const uint64_t c[3] = {1000, 2000, 3000};
	struct fx f;
	char *out;

	(void)state;
	fx_init(&f, false, false);
	f.a.netns = "blue";
	watch_state_init(&f.st, f.a.netns, f.a.interval_ms, f.a.events);
	three_samples(&f, 300, c);
	out = summary_text(&f);
	assert_has(out, "\nWatch summary: critical (3 samples over 600 s, netns blue)\n");
	assert_has(out, "\n  peak        3000 entries (30.00% of 10000)\n");
	assert_has(out, "\n  mean        2000.0 entries, last 3000\n");
	assert_has(out, "\n  note        peak/fill count expired entries the GC has not "
			"reaped yet\n");
	assert_has(out, "\n  growth      +12000 entries/hour, steady; full in 0.6 hours at that "
			"rate\n");
	assert_has(out, "\n  counter         during watch      peak /s\n");
	assert_has(out, "\nFindings\n");
	assert_has(out, "growth-to-full");
	assert_lacks(out, "no projection");
	assert_lacks(out, "new flows/s"); /* no --events */
	free(out);
}

/* The same growth over 2 x 100 s: under 5 minutes, no projection. */
static void test_summary_short_watch(void **state)
{
	const uint64_t c[3] = {1000, 1100, 1200};
	struct fx f;
	char *out;

	(void)state;
	fx_init(&f, false, false);
	three_samples(&f, 100, c);
	out = summary_text(&f);
	/* No rate at all under the minimum window, only the net change. */
	assert_has(out, "\nWatch summary: ok (3 samples over 200 s)\n");
	assert_has(out, "\n  growth      net +200; no rate or projection from a watch under 5 "
			"minutes (a burst, not a trend): watch longer\n");
	assert_lacks(out, "entries/hour");
	assert_lacks(out, "full in");
	assert_has(out, "\nFindings\n  none\n");
	free(out);
}

/* Shrinking: -12000/hour, not growing toward the limit. */
static void test_summary_not_growing(void **state)
{
	const uint64_t c[3] = {3000, 2000, 1000};
	struct fx f;
	char *out;

	(void)state;
	fx_init(&f, false, false);
	three_samples(&f, 300, c);
	out = summary_text(&f);
	assert_has(out, "\n  peak        3000 entries (30.00% of 10000)\n");
	assert_has(out, "\n  mean        2000.0 entries, last 1000\n");
	assert_has(out, "\n  growth      net -2000; no steady growth toward the limit (the halves "
			"of the watch do not agree): no projection\n");
	assert_lacks(out, "full in");
	free(out);
}

/* The counters of the two-sample watch, "  %-15s %12llu %12.1f". */
static void test_summary_counters(void **state)
{
	struct fx f;
	char *out;

	(void)state;
	fx_init(&f, false, false);
	fx_add(&f, NULL, &f.s0, NULL);
	fx_add(&f, &f.s0, &f.s1, NULL);
	rules_evaluate_watch(&f.st.sum, &f.a.opts, &f.rep);
	out = summary_text(&f);
	assert_has(out, "\n  found                   2000       1000.0\n");
	assert_has(out, "\n  invalid                   40         20.0\n");
	assert_has(out, "\n  insert_failed              2          1.0\n");
	assert_has(out, "\n  drop                       4          2.0\n");
	assert_has(out, "\n  early_drop                 0          0.0\n");
	assert_has(out, "\n  chaintoolong               1          0.5\n");
	assert_lacks(out, "\n  searched "); /* never reported */
	assert_has(out, "table-full-now");
	free(out);
}

/* A long growing watch as JSON: hours_to_full is the projection. */
static void test_summary_json_projection(void **state)
{
	const uint64_t c[3] = {1000, 2000, 3000};
	struct fx f;
	char *out;
	const char *p;
	json_t *s;
	double h;

	(void)state;
	fx_init(&f, true, false);
	three_samples(&f, 300, c);
	out = summary_text(&f);
	p = out;
	s = parse_line(&p);
	h = real_at(s, "hours_to_full");
	assert_true(h > 0.5833 && h < 0.5834); /* 7000 / 12000 */
	assert_string_equal(json_string_value(json_object_get(s, "status")), "critical");
	json_decref(s);
	free(out);
}

/* ---- the sparkline ---- */

/* Eight samples 100, 200, ..., 800, one a second: each its own point. */
static char *spark_of(const uint64_t *counts, size_t n)
{
	struct rates_sample s[16];
	struct fx f;
	char *out, *line, *end;

	assert_true(n <= 16);
	fx_init(&f, false, false);
	for (size_t i = 0; i < n; i++) {
		s[i] = (struct rates_sample){.t_ms = i * 1000, .count = counts[i], .max = 10000};
		fx_add(&f, i ? &s[i - 1] : NULL, &s[i], NULL);
	}
	rules_evaluate_watch(&f.st.sum, &f.a.opts, &f.rep);
	out = summary_text(&f);
	line = strstr(out, "\n  occupancy   ");
	assert_non_null(line);
	line += strlen("\n  occupancy   ");
	end = strchr(line, '\n');
	assert_non_null(end);
	*end = '\0';
	memmove(out, line, strlen(line) + 1);
	return out;
}

static void test_sparkline(void **state)
{
	const uint64_t ramp[8] = {100, 200, 300, 400, 500, 600, 700, 800};
	const uint64_t flat[3] = {500, 500, 500};
	const uint64_t dip[5] = {900, 100, 900, 500, 900};
	char *s;

	(void)state;
	/* UTF-8 terminal: (v - lo) / (hi - lo) * 7, rounded: blocks 1..8. */
	spark_utf8 = true;
	s = spark_of(ramp, 8);
	assert_string_equal(s, "\u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588  (100..800)");
	free(s);
	s = spark_of(flat, 3);
	assert_string_equal(s, "\u2581\u2581\u2581  (500..500)");
	free(s);
	/* 900 100 900 500 900: 1, 0, 1, 0.5 -> 3.5 + 0.5 = 4 (the fifth block), 1. */
	s = spark_of(dip, 5);
	assert_string_equal(s, "\u2588\u2581\u2588\u2585\u2588  (100..900)");
	free(s);
	/* ASCII "_.-=*#": i / 7 * 5 + 0.5, truncated: 0 1 1 2 3 4 4 5. */
	spark_utf8 = false;
	s = spark_of(ramp, 8);
	assert_string_equal(s, "_..-=**#  (100..800)");
	free(s);
	s = spark_of(dip, 5);
	assert_string_equal(s, "#_#=#  (100..900)"); /* 0.5 * 5 + 0.5 = 3: '=' */
	free(s);
	s = spark_of(flat, 3);
	assert_string_equal(s, "___  (500..500)");
	free(s);
	spark_utf8 = false;
}

/* ---- errors and the saved file ---- */

static void test_summary_write_error(void **state)
{
	struct fx f;
	FILE *full = fopen("/dev/full", "w");

	(void)state;
	assert_non_null(full);
	fx_init(&f, false, false);
	fx_add(&f, NULL, &f.s0, NULL);
	rules_evaluate_watch(&f.st.sum, &f.a.opts, &f.rep);
	assert_int_equal(render_watch_summary(full, &f.st, &f.rep, &f.a.ro), -EIO);
	fclose(full);
}

/* The saved form is the JSON summary line's object, indented (cli/outfile
 * writes it to the file). */
static void test_save(void **state)
{
	struct fx f;
	struct cap c;
	json_error_t err;
	json_t *saved, *line;
	const char *p;
	char *out, *text;

	(void)state;
	events_fx(&f, true);
	out = summary_text(&f);
	p = out;
	line = parse_line(&p);
	assert_int_equal(render_watch_saved(cap_open(&c), &f.st, &f.rep), 0);
	text = cap_close(&c);
	assert_non_null(strstr(text, "\n  \"")); /* indented */
	saved = json_loads(text, 0, &err);
	assert_non_null(saved);
	assert_true(json_equal(saved, line));
	json_decref(saved);
	json_decref(line);
	free(text);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_summary_projection),
	    cmocka_unit_test(test_summary_short_watch),
	    cmocka_unit_test(test_summary_not_growing),
	    cmocka_unit_test(test_summary_counters),
	    cmocka_unit_test(test_sparkline),
	    cmocka_unit_test(test_summary_json_projection),
	    cmocka_unit_test(test_summary_write_error),
	    cmocka_unit_test(test_save),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
