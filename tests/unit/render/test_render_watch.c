/* Unit tests: the watch renderers (render_watch.c) into memory streams: the
 * live line (count, fill, per-second rates, 32-bit counter wrap), the JSON
 * lines (one object per sample, the summary last), the text summary (peak,
 * mean, growth, the projection branches, the expired-entries note, the
 * sparkline, events by class) and the saved summary. States are built
 * with watch_state_add() as cmd_watch.c does; every expected figure is
 * worked out by hand in the comments. */
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

/* The live line's columns, in its order, and one counter it does not show. */
static const unsigned live_slots[] = {
    SNAP_STAT_DROP,  SNAP_STAT_EARLY_DROP,    SNAP_STAT_INSERT_FAILED,  SNAP_STAT_INVALID,
    SNAP_STAT_ERROR, SNAP_STAT_CLASH_RESOLVE, SNAP_STAT_SEARCH_RESTART, SNAP_STAT_CHAINTOOLONG};
#define N_LIVE_SLOTS (sizeof(live_slots) / sizeof(live_slots[0]))

/* Two samples 2 s apart, 2 CPUs. Deltas s0 -> s1: invalid cpu0
 * 0xfffffff0 -> 0x10 (wraps: +32) and cpu1 100 -> 108 (+8): 40, 20.0/s;
 * drop 7 -> 11: 4, 2.0/s; insert_failed cpu1 0xffffffff -> 1 (wraps: +2),
 * 1.0/s; error 5 -> 8: 3, 1.5/s; chaintoolong 0 -> 1: 0.5/s; found
 * 1000 -> 3000 (not a live column): 1000.0/s; the rest 0. */
/* What the command would pass: its options, and the renderer's. */
struct fx_args {
	const char *netns;
	uint64_t interval_ms;
	bool events;
	struct rules_opts opts;
	struct render_watch_opts ro;
};

/* The sparkline's alphabet for the next fx_init(): blocks or ASCII. */
static bool spark_utf8;

struct fx {
	struct fx_args a;
	struct watch_state st;
	struct rules_report rep;
	struct snap_cpu_stats c0[2], c1[2];
	struct rates_sample s0, s1;
	struct nl_events_stats e0, e1;
};

static void cpus_init(struct snap_cpu_stats *c)
{
	for (unsigned i = 0; i < 2; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].cpu = i;
		c[i].present = 1u << SNAP_STAT_FOUND;
		for (size_t k = 0; k < N_LIVE_SLOTS; k++)
			c[i].present |= 1u << live_slots[k];
	}
}

static void fx_init(struct fx *f, bool is_json, bool events)
{
	memset(f, 0, sizeof(*f));
	f->a.interval_ms = 2000;
	f->a.ro.is_json = is_json;
	f->a.ro.is_utf8 = spark_utf8;
	f->a.events = events;
	rules_opts_default(&f->a.opts);
	watch_state_init(&f->st, f->a.netns, f->a.interval_ms, f->a.events);
	cpus_init(f->c0);
	cpus_init(f->c1);
	f->c0[0].v[SNAP_STAT_INVALID] = 0xfffffff0u;
	f->c1[0].v[SNAP_STAT_INVALID] = 0x10;
	f->c0[1].v[SNAP_STAT_INVALID] = 100;
	f->c1[1].v[SNAP_STAT_INVALID] = 108;
	f->c0[0].v[SNAP_STAT_DROP] = 7;
	f->c1[0].v[SNAP_STAT_DROP] = 11;
	f->c0[1].v[SNAP_STAT_INSERT_FAILED] = 0xffffffffu;
	f->c1[1].v[SNAP_STAT_INSERT_FAILED] = 1;
	f->c0[1].v[SNAP_STAT_ERROR] = 5;
	f->c1[1].v[SNAP_STAT_ERROR] = 8;
	f->c1[0].v[SNAP_STAT_CHAINTOOLONG] = 1;
	f->c0[0].v[SNAP_STAT_FOUND] = 1000;
	f->c1[0].v[SNAP_STAT_FOUND] = 3000;
	f->s0 = (struct rates_sample){
	    .t_ms = 10000, .count = 2500, .max = 10000, .cpus = f->c0, .n_cpus = 2};
	f->s1 = (struct rates_sample){
	    .t_ms = 12000, .count = 2600, .max = 10000, .cpus = f->c1, .n_cpus = 2};
	/* 30 NEW events between the samples: 15.0/s. */
	f->e1.new_events[NL_EV_TCP] = 20;
	f->e1.new_events[NL_EV_UDP] = 10;
}

static void fx_add(struct fx *f, const struct rates_sample *prev, const struct rates_sample *cur,
		   const struct nl_events_stats *ev)
{
	watch_state_add(&f->st, prev, cur, f->a.events ? ev : NULL);
}

struct cap {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

static char *cap_close(struct cap *c)
{
	assert_int_equal(fclose(c->f), 0);
	return c->buf;
}

static void assert_has(const char *text, const char *needle)
{
	if (strstr(text, needle) == NULL)
		fail_msg("missing \"%s\" in:\n%s", needle, text);
}

static void assert_lacks(const char *text, const char *needle)
{
	if (strstr(text, needle) != NULL)
		fail_msg("unexpected \"%s\" in:\n%s", needle, text);
}

/* A sample line: HH:MM:SS, then the rest exactly. */
static void assert_sample_line(const char *line, const char *rest)
{
	for (int i = 0; i < 8; i++) {
		if (i == 2 || i == 5)
			assert_int_equal(line[i], ':');
		else if (line[i] < '0' || line[i] > '9')
			fail_msg("no clock at the start of: %s", line);
	}
	assert_string_equal(line + 8, rest);
}

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

static json_t *parse_line(const char **p)
{
	const char *nl = strchr(*p, '\n');
	json_error_t err;
	json_t *o;

	assert_non_null(nl);
	o = json_loadb(*p, (size_t)(nl - *p), 0, &err);
	if (o == NULL)
		fail_msg("not JSON (%s): %.*s", err.text, (int)(nl - *p), *p);
	*p = nl + 1;
	return o;
}

static double real_at(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("%s: not a number", key);
	return json_number_value(v);
}

static json_int_t int_at(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s: not an integer", key);
	return json_integer_value(v);
}

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

/* ---- the text summary ---- */

/* Samples at 0, step, 2 step seconds with counts c[0..2], max 10000, no
 * counters. */
static void three_samples(struct fx *f, uint64_t step_s, const uint64_t c[3])
{
	struct rates_sample s[3];

	for (int i = 0; i < 3; i++) {
		s[i] = (struct rates_sample){
		    .t_ms = (uint64_t)i * step_s * 1000, .count = c[i], .max = 10000};
		fx_add(f, i ? &s[i - 1] : NULL, &s[i], NULL);
	}
	rules_evaluate_watch(&f->st.sum, &f->a.opts, &f->rep);
}

static char *summary_text(struct fx *f)
{
	struct cap c;

	assert_int_equal(render_watch_summary(cap_open(&c), &f->st, &f->rep, &f->a.ro), 0);
	return cap_close(&c);
}

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

/* ---- events in the summary ---- */

/* A 600 s watch with events: NEW tcp 120 (0.2/s), udp 60 (0.1/s); lifetimes
 * tcp 2 summing 30 s (15.0 s), udp none. Classes: tcp_established 30 timed
 * out (3000 s), 20 closed (200 s), 10 open (1000 s so far): 60 flows,
 * 0.10/s, mean 4200 / 60 = 70.0 s, a lower bound; udp 6 timed out (180 s):
 * 0.01/s, 30.0 s. */
static void events_fx(struct fx *f, bool is_json)
{
	const uint64_t c[3] = {1000, 1000, 1000};
	struct nl_events_stats *e = &f->st.events;

	fx_init(f, is_json, true);
	three_samples(f, 300, c);
	memset(e, 0, sizeof(*e));
	e->new_events[NL_EV_TCP] = 120;
	e->new_events[NL_EV_UDP] = 60;
	e->destroy_events[NL_EV_TCP] = 50;
	e->lifetimes[NL_EV_TCP] = 2;
	e->lifetime_sum_s[NL_EV_TCP] = 30;
	e->flows[NL_FC_TCP_ESTABLISHED][NL_END_TIMEOUT] = (struct nl_events_life){30, 3000};
	e->flows[NL_FC_TCP_ESTABLISHED][NL_END_CLOSED] = (struct nl_events_life){20, 200};
	e->flows[NL_FC_TCP_ESTABLISHED][NL_END_OPEN] = (struct nl_events_life){10, 1000};
	e->flows[NL_FC_UDP][NL_END_TIMEOUT] = (struct nl_events_life){6, 180};
	e->untracked = 4;
	f->st.timeout_s[NL_FC_TCP_ESTABLISHED] = 432000;
}

static void test_summary_events_text(void **state)
{
	struct fx f;
	char *out;

	(void)state;
	events_fx(&f, false);
	out = summary_text(&f);
	assert_has(out, "\n  new flows/s  tcp 0.2 udp 0.1 icmp 0.0 other 0.0\n");
	assert_has(out, "\n  mean life    tcp 15.0s udp - icmp - other -\n");
	assert_has(out, "\n  event loss   0 ENOBUFS, 4 flows untracked\n");
	assert_has(out, "\n               tcp_established      0.10        30      20      10"
			"      >=70.0s\n");
	assert_has(out, "\n               udp                  0.01         6       0       0"
			"        30.0s\n");
	assert_lacks(out, "tcp_other"); /* no flows: no row */
	assert_has(out, "\n  lower bound  \">=\": flows still open");
	free(out);
	/* Lost events make the rates lower bounds; no open flow, no note. */
	f.st.events.enobufs = 3;
	f.st.events.flows[NL_FC_TCP_ESTABLISHED][NL_END_OPEN] = (struct nl_events_life){0, 0};
	out = summary_text(&f);
	assert_has(out, "\n  event loss   3 ENOBUFS, 4 flows untracked (rates are lower bounds)\n");
	assert_has(out, "\n               events were lost: the kernel sent them faster than "
			"ctadvisor\n");
	assert_has(out,
		   "to see every flow, watch\n               again when the CPU is less busy\n");
	/* 50 flows, 3200 s: 64.0 s, exact. */
	assert_has(out, "\n               tcp_established      0.08        30      20       0"
			"        64.0s\n");
	assert_lacks(out, "lower bound  ");
	free(out);
	/* Undecodable events are shown, not dropped quietly. */
	f.st.events.bad_messages = 2;
	out = summary_text(&f);
	assert_has(out, "\n  event loss   3 ENOBUFS, 4 flows untracked, 2 not decodable (rates are "
			"lower bounds)\n");
	free(out);
}

static void test_summary_events_json(void **state)
{
	struct fx f;
	char *out;
	const char *p;
	json_t *s, *ev, *cl, *te, *udp;

	(void)state;
	events_fx(&f, true);
	out = summary_text(&f);
	p = out;
	s = parse_line(&p);
	ev = json_object_get(s, "events");
	assert_true(json_is_object(ev));
	assert_int_equal(int_at(json_object_get(ev, "new"), "tcp"), 120);
	assert_int_equal(int_at(json_object_get(ev, "destroy"), "tcp"), 50);
	assert_true(real_at(json_object_get(ev, "new_per_s"), "udp") == 0.1);
	assert_true(real_at(json_object_get(ev, "mean_lifetime_s"), "tcp") == 15.0);
	assert_true(json_is_null(json_object_get(json_object_get(ev, "mean_lifetime_s"), "udp")));
	assert_int_equal(int_at(ev, "untracked"), 4);
	assert_int_equal(int_at(ev, "enobufs"), 0);
	assert_int_equal(int_at(ev, "bad_messages"), 0);
	cl = json_object_get(ev, "classes");
	assert_int_equal(json_object_size(cl), 6);
	te = json_object_get(cl, "tcp_established");
	assert_string_equal(json_string_value(json_object_get(te, "knob")),
			    "net.netfilter.nf_conntrack_tcp_timeout_established");
	assert_int_equal(int_at(te, "timeout_s"), 432000);
	assert_int_equal(int_at(te, "flows"), 60);
	assert_true(real_at(te, "new_per_s") == 0.1);
	assert_int_equal(int_at(json_object_get(te, "timed_out"), "n"), 30);
	assert_true(real_at(json_object_get(te, "timed_out"), "mean_lifetime_s") == 100.0);
	assert_true(real_at(json_object_get(te, "closed"), "mean_lifetime_s") == 10.0);
	assert_int_equal(int_at(json_object_get(te, "open"), "n"), 10);
	assert_true(real_at(te, "mean_lifetime_s") == 70.0);
	assert_true(json_is_true(json_object_get(te, "lower_bound")));
	udp = json_object_get(cl, "udp");
	assert_true(json_is_null(json_object_get(udp, "timeout_s")));
	assert_true(json_is_null(json_object_get(json_object_get(udp, "open"), "mean_lifetime_s")));
	assert_true(real_at(udp, "mean_lifetime_s") == 30.0);
	assert_true(json_is_false(json_object_get(udp, "lower_bound")));
	assert_true(json_is_null(json_object_get(json_object_get(cl, "icmp"), "mean_lifetime_s")));
	/* Flat counts: not growing, so no time to full even after 600 s. */
	assert_true(json_is_null(json_object_get(s, "hours_to_full")));
	json_decref(s);
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
	    cmocka_unit_test(test_live_text),
	    cmocka_unit_test(test_live_text_events),
	    cmocka_unit_test(test_live_text_no_max),
	    cmocka_unit_test(test_json_lines),
	    cmocka_unit_test(test_json_sample_events),
	    cmocka_unit_test(test_summary_projection),
	    cmocka_unit_test(test_summary_short_watch),
	    cmocka_unit_test(test_summary_not_growing),
	    cmocka_unit_test(test_summary_counters),
	    cmocka_unit_test(test_sparkline),
	    cmocka_unit_test(test_summary_events_text),
	    cmocka_unit_test(test_summary_events_json),
	    cmocka_unit_test(test_summary_json_projection),
	    cmocka_unit_test(test_summary_write_error),
	    cmocka_unit_test(test_save),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
