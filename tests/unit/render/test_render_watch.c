/* Unit tests: the watch renderers (render_watch.c) into memory streams: the
 * live line (count, fill, per-second rates, 32-bit counter wrap) and the
 * JSON lines (one object per sample, the summary last). The summary is
 * test_render_watch_summary.c and test_render_watch_events.c; the states
 * are watch_fx.c's. */
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

/* ---- the live line ---- */

static void test_live_text(void **state)
{
	struct fx f;
	struct cap c;
	char *out, *nl;

	(void)state;
	fx_init(&f, false, false);
	fx_add(&f, NULL, &f.s0, NULL);
	render_watch_sample(cap_open(&c), &f.st, NULL, &f.s0, &f.a.ro);
	out = cap_close(&c);
	/* "%-8s %9s %6s", the eight columns " %6s", then the unit. */
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_memory_equal(out,
			    "time         count  fill%   drop  edrop  ifail  inval    err  clash"
			    "   srst  chain  (per second)\n",
			    (size_t)(nl - out) + 1);
	/* 2500 of 10000 = 25.00 %; no rate before a second sample. */
	assert_sample_line(nl + 1, "      2500  25.00      -      -      -      -      -      -"
				   "      -      -\n");
	free(out);

	fx_add(&f, &f.s0, &f.s1, NULL);
	render_watch_sample(cap_open(&c), &f.st, &f.s0, &f.s1, &f.a.ro);
	out = cap_close(&c);
	/* No header again; 26.00 %; drop 2.0, edrop 0, ifail 1.0 (wrapped),
	 * inval 20.0 (wrapped), err 1.5, clash 0, srst 0, chain 0.5. */
	assert_sample_line(out, "      2600  26.00    2.0    0.0    1.0   20.0    1.5    0.0"
				"    0.0    0.5\n");
	free(out);
}

/* With --events the new/s column: 30 NEW events in 2 s. */
static void test_live_text_events(void **state)
{
	struct fx f;
	struct cap c;
	char *out, *nl;

	(void)state;
	fx_init(&f, false, true);
	fx_add(&f, NULL, &f.s0, &f.e0);
	render_watch_sample(cap_open(&c), &f.st, NULL, &f.s0, &f.a.ro);
	out = cap_close(&c);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_memory_equal(out, "time         count  fill%  new/s   drop", 39);
	assert_sample_line(nl + 1, "      2500  25.00    0.0      -      -      -      -      -"
				   "      -      -      -\n");
	free(out);
	fx_add(&f, &f.s0, &f.s1, &f.e1);
	render_watch_sample(cap_open(&c), &f.st, &f.s0, &f.s1, &f.a.ro);
	out = cap_close(&c);
	assert_sample_line(out, "      2600  26.00   15.0    2.0    0.0    1.0   20.0    1.5"
				"    0.0    0.0    0.5\n");
	free(out);
}

/* max 0 (no limit, or not reported): no fill figure, not "-1.00". */
static void test_live_text_no_max(void **state)
{
	struct fx f;
	struct cap c;
	char *out, *nl;

	(void)state;
	fx_init(&f, false, false);
	f.s0.max = 0;
	fx_add(&f, NULL, &f.s0, NULL);
	render_watch_sample(cap_open(&c), &f.st, NULL, &f.s0, &f.a.ro);
	out = cap_close(&c);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_sample_line(nl + 1, "      2500      -      -      -      -      -      -      -"
				   "      -      -\n");
	free(out);
	out = NULL;
	rules_evaluate_watch(&f.st.sum, &f.a.opts, &f.rep);
	assert_int_equal(render_watch_summary(cap_open(&c), &f.st, &f.rep, &f.a.ro), 0);
	out = cap_close(&c);
	assert_has(out, "\n  peak        2500 entries (no limit reported)\n");
	assert_lacks(out, "-1.00");
	free(out);
}

/* ---- JSON lines ---- */

static void check_json_samples(json_t *a, json_t *b)
{
	json_t *r;

	assert_string_equal(json_string_value(json_object_get(a, "type")), "sample");
	assert_int_equal(int_at(a, "t_ms"), 0);
	assert_int_equal(int_at(a, "count"), 2500);
	assert_int_equal(int_at(a, "max"), 10000);
	assert_true(real_at(a, "fill_pct") == 25.0);
	assert_true(json_is_null(json_object_get(a, "rates_per_s")));
	assert_null(json_object_get(a, "new_per_s")); /* no --events */
	assert_int_equal(json_object_size(a), 6);

	assert_string_equal(json_string_value(json_object_get(b, "type")), "sample");
	assert_int_equal(int_at(b, "t_ms"), 2000);
	assert_int_equal(int_at(b, "count"), 2600);
	assert_true(real_at(b, "fill_pct") == 26.0);
	r = json_object_get(b, "rates_per_s");
	assert_true(json_is_object(r));
	/* The counters reported: the eight live ones and found. */
	assert_int_equal(json_object_size(r), 9);
	assert_true(real_at(r, "invalid") == 20.0);
	assert_true(real_at(r, "drop") == 2.0);
	assert_true(real_at(r, "insert_failed") == 1.0);
	assert_true(real_at(r, "error") == 1.5);
	assert_true(real_at(r, "chaintoolong") == 0.5);
	assert_true(real_at(r, "found") == 1000.0);
	assert_true(real_at(r, "early_drop") == 0.0);
	assert_true(real_at(r, "clash_resolve") == 0.0);
	assert_true(real_at(r, "search_restart") == 0.0);
}

/* Summary of the two samples: 2 s, mean 2550, +100 entries but no rate
 * and no projection from 2 s; drop rose: critical. */
static void check_json_summary(json_t *s)
{
	json_t *inv, *drop, *f;

	assert_string_equal(json_string_value(json_object_get(s, "type")), "summary");
	assert_int_equal(int_at(s, "schema"), 2);
	assert_string_equal(json_string_value(json_object_get(s, "netns")), "blue");
	assert_string_equal(json_string_value(json_object_get(s, "status")), "critical");
	assert_int_equal(int_at(s, "samples"), 2);
	assert_int_equal(int_at(s, "interval_ms"), 2000);
	assert_true(real_at(s, "duration_s") == 2.0);
	assert_int_equal(int_at(s, "max"), 10000);
	assert_int_equal(int_at(s, "peak_count"), 2600);
	assert_true(real_at(s, "mean_count") == 2550.0);
	assert_int_equal(int_at(s, "last_count"), 2600);
	assert_true(json_is_null(json_object_get(s, "growth_per_hour")));
	assert_int_equal(int_at(s, "net_change"), 100);
	assert_true(json_is_null(json_object_get(s, "hours_to_full")));
	assert_true(json_is_true(json_object_get(s, "count_includes_expired")));
	assert_true(json_is_null(json_object_get(s, "events")));
	inv = json_object_get(json_object_get(s, "counters"), "invalid");
	assert_int_equal(int_at(inv, "delta"), 40);
	assert_true(real_at(inv, "peak_per_s") == 20.0);
	drop = json_object_get(json_object_get(s, "counters"), "drop");
	assert_int_equal(int_at(drop, "delta"), 4);
	assert_int_equal(json_object_size(json_object_get(s, "counters")), 9);
	f = json_object_get(s, "findings");
	assert_true(json_is_array(f));
	assert_true(json_array_size(f) >= 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(f, 0), "id")),
			    "table-full-now");
}

static void test_json_lines(void **state)
{
	struct fx f;
	struct cap c;
	FILE *out;
	const char *p;
	char *text;
	json_t *a, *b, *s;

	(void)state;
	fx_init(&f, true, false);
	f.a.netns = "blue";
	watch_state_init(&f.st, f.a.netns, f.a.interval_ms, f.a.events);
	out = cap_open(&c);
	fx_add(&f, NULL, &f.s0, NULL);
	render_watch_sample(out, &f.st, NULL, &f.s0, &f.a.ro);
	fx_add(&f, &f.s0, &f.s1, NULL);
	render_watch_sample(out, &f.st, &f.s0, &f.s1, &f.a.ro);
	rules_evaluate_watch(&f.st.sum, &f.a.opts, &f.rep);
	assert_int_equal(render_watch_summary(out, &f.st, &f.rep, &f.a.ro), 0);
	text = cap_close(&c);
	p = text;
	a = parse_line(&p);
	b = parse_line(&p);
	s = parse_line(&p);
	assert_string_equal(p, ""); /* three lines, nothing after */
	check_json_samples(a, b);
	check_json_summary(s);
	json_decref(a);
	json_decref(b);
	json_decref(s);
	free(text);
}

/* With --events, a sample has new_per_s: 30 NEW in 2 s. */
static void test_json_sample_events(void **state)
{
	struct fx f;
	struct cap c;
	const char *p;
	char *text;
	json_t *a, *b;

	(void)state;
	fx_init(&f, true, true);
	fx_add(&f, NULL, &f.s0, &f.e0);
	render_watch_sample(cap_open(&c), &f.st, NULL, &f.s0, &f.a.ro);
	fx_add(&f, &f.s0, &f.s1, &f.e1);
	render_watch_sample(c.f, &f.st, &f.s0, &f.s1, &f.a.ro);
	text = cap_close(&c);
	p = text;
	a = parse_line(&p);
	b = parse_line(&p);
	assert_true(real_at(a, "new_per_s") == 0.0);
	assert_true(real_at(b, "new_per_s") == 15.0);
	json_decref(a);
	json_decref(b);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_live_text),          cmocka_unit_test(test_live_text_events),
	    cmocka_unit_test(test_live_text_no_max),   cmocka_unit_test(test_json_lines),
	    cmocka_unit_test(test_json_sample_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
