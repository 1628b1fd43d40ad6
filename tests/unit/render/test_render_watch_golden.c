/* test_render_watch_golden.c: `ctadvisor watch` as text and JSON
 * (render_watch.c) against golden files (tests/golden/watch-*; UPDATE_GOLDEN=1
 * rewrites them, review the diff): what stdout holds over a whole watch
 * (the live lines, then the summary) and what --save writes. The text's
 * clock is the wall clock, so each live line's HH:MM:SS is checked and then
 * written as "HH:MM:SS". Besides the bytes: every JSON line parses back, the
 * saved document too, and a hostile namespace name comes out escaped (in
 * JSON too: ASCII only, so a bidi override cannot reorder a terminal). The
 * watch JSON has no report envelope yet (jsonw.h jw_report): the goldens
 * record what it writes today. Run from the repository root or set
 * CTADVISOR_SRCDIR. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../render/render_watch.h"
#include "../../../rules/rules_watch.h"
#include "../common/golden.h"
#include "envelope_fx.h"
#include "watch_fx.h"

#define N_SAMPLES 7
#define N_CPUS    2

/* The live line's counters and found, which only JSON shows. */
static const unsigned slots[] = {
    SNAP_STAT_FOUND,         SNAP_STAT_DROP,           SNAP_STAT_EARLY_DROP,
    SNAP_STAT_INSERT_FAILED, SNAP_STAT_INVALID,        SNAP_STAT_ERROR,
    SNAP_STAT_CLASH_RESOLVE, SNAP_STAT_SEARCH_RESTART, SNAP_STAT_CHAINTOOLONG};

/* A whole watch, as cmd_watch runs it. */
struct run {
	struct watch_state st;
	struct rules_report rep;
	struct snap_cpu_stats cpus[N_SAMPLES][N_CPUS];
	struct rates_sample s[N_SAMPLES];
	struct nl_events_stats ev[N_SAMPLES];
	size_t n;
	bool events;
};

/* A 6-minute watch, one sample a minute, of a table growing steadily by
 * 250 entries a minute (+15000/hour) from 20000 toward 65536: full in
 * (65536 - 21500) / 15000 = 2.9 hours. Counters on 2 CPUs: drop +3 a
 * minute on cpu0, insert_failed i^2 on cpu1 (the peak rate is the last
 * minute's, 11 / 60 s), invalid +12 on cpu0, found +1000 on cpu0 (JSON
 * only). With events: 120 TCP and 30 UDP NEW a minute (2.5/s). */
static void growth(struct run *r, const char *netns, bool events)
{
	memset(r, 0, sizeof(*r));
	r->n = N_SAMPLES;
	r->events = events;
	watch_state_init(&r->st, netns, 60000, events);
	for (size_t i = 0; i < r->n; i++) {
		for (unsigned c = 0; c < N_CPUS; c++) {
			r->cpus[i][c].cpu = c;
			for (size_t k = 0; k < sizeof(slots) / sizeof(slots[0]); k++)
				r->cpus[i][c].present |= 1u << slots[k];
		}
		r->cpus[i][0].v[SNAP_STAT_DROP] = 3 * i;
		r->cpus[i][1].v[SNAP_STAT_INSERT_FAILED] = i * i;
		r->cpus[i][0].v[SNAP_STAT_INVALID] = 100 + 12 * i;
		r->cpus[i][0].v[SNAP_STAT_FOUND] = 1000 * i;
		r->s[i] = (struct rates_sample){.t_ms = 5000 + 60000 * i,
						.count = 20000 + 250 * i,
						.max = 65536,
						.cpus = r->cpus[i],
						.n_cpus = N_CPUS};
		r->ev[i].new_events[NL_EV_TCP] = 120 * i;
		r->ev[i].new_events[NL_EV_UDP] = 30 * i;
	}
}

/* What the census at the end adds to the events: TCP flows that ended
 * (timed out, closed) or are still open, UDP ones that timed out, and the
 * governing timeouts read at the start. */
static void census(struct run *r)
{
	struct nl_events_stats *e = &r->st.events;

	*e = r->ev[r->n - 1];
	e->destroy_events[NL_EV_TCP] = 500;
	e->destroy_events[NL_EV_UDP] = 170;
	e->lifetimes[NL_EV_TCP] = 480;
	e->lifetime_sum_s[NL_EV_TCP] = 480 * 12.5;
	e->lifetimes[NL_EV_UDP] = 170;
	e->lifetime_sum_s[NL_EV_UDP] = 170 * 31.0;
	e->flows[NL_FC_TCP_ESTABLISHED][NL_END_CLOSED] = (struct nl_events_life){450, 4500};
	e->flows[NL_FC_TCP_ESTABLISHED][NL_END_TIMEOUT] = (struct nl_events_life){30, 1500};
	e->flows[NL_FC_TCP_ESTABLISHED][NL_END_OPEN] = (struct nl_events_life){240, 24000};
	e->flows[NL_FC_UDP][NL_END_TIMEOUT] = (struct nl_events_life){170, 5270};
	e->untracked = 3;
	r->st.timeout_s[NL_FC_TCP_ESTABLISHED] = 432000;
	r->st.timeout_s[NL_FC_UDP] = 30;
}

/* HH:MM:SS at the start of every live line (those after the header),
 * written "HH:MM:SS" so the golden file holds no wall clock. */
static void mask_clocks(char *text)
{
	char *line = strchr(text, '\n');

	assert_non_null(line);
	for (line++; *line != '\0'; line = strchr(line, '\n') + 1) {
		for (int i = 0; i < 8; i++)
			if ((i == 2 || i == 5) ? line[i] != ':' : line[i] < '0' || line[i] > '9')
				fail_msg("no clock at the start of: %.60s", line);
		memcpy(line, "HH:MM:SS", 8);
	}
}

/* stdout over the watch: the live lines, then the summary. */
static char *watch_stdout(struct run *r, const struct render_watch_opts *ro, size_t *len)
{
	struct rules_opts opts;
	struct cap samples, sum;
	char *live, *tail, *all;

	cap_open(&samples);
	for (size_t i = 0; i < r->n; i++) {
		watch_state_add(&r->st, i ? &r->s[i - 1] : NULL, &r->s[i],
				r->events ? &r->ev[i] : NULL);
		render_watch_sample(samples.f, &r->st, i ? &r->s[i - 1] : NULL, &r->s[i], ro);
	}
	live = cap_close(&samples);
	if (!ro->is_json)
		mask_clocks(live);
	if (r->events)
		census(r);
	rules_opts_default(&opts);
	rules_evaluate_watch(&r->st.sum, &opts, &r->rep);
	assert_int_equal(render_watch_summary(cap_open(&sum), &r->st, &r->rep, ro), 0);
	tail = cap_close(&sum);
	*len = samples.len + sum.len;
	all = malloc(*len + 1);
	assert_non_null(all);
	memcpy(all, live, samples.len);
	memcpy(all + samples.len, tail, sum.len + 1);
	free(live);
	free(tail);
	return all;
}

static char *watch_saved(const struct run *r, size_t *len)
{
	struct cap c;
	char *s;

	assert_int_equal(render_watch_saved(cap_open(&c), &r->st, &r->rep), 0);
	s = cap_close(&c);
	*len = c.len;
	return s;
}

/* Two samples 2 s apart (too short for a growth figure) from a kernel that
 * reports no limit (max 0). */
static void two(struct run *r, const char *netns, bool events)
{
	growth(r, netns, events);
	watch_state_init(&r->st, netns, 2000, events);
	r->n = 2;
	r->s[1].t_ms = r->s[0].t_ms + 2000;
	r->s[0].max = r->s[1].max = 0;
}

/* The watch of growth() whose events were lost: 2 ENOBUFS and one message
 * that could not be decoded. */
static void lossy(struct run *r, const char *netns, bool events)
{
	growth(r, netns, events);
	r->ev[r->n - 1].enobufs = 2;
	r->ev[r->n - 1].bad_messages = 1;
}

static const struct {
	const char *name;
	void (*build)(struct run *r, const char *netns, bool events);
	const char *netns;
	bool events, is_utf8;
} cases[] = {
    {"growth", growth, NULL, false, false},
    {"growth-events", growth, "edge-1", true, true},
    {"short", two, NULL, false, true},
    {"hostile", lossy, HOSTILE, true, false},
};

static void test_golden(void **state)
{
	static struct run r;
	char name[64];
	size_t len;
	char *s;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int json = 0; json < 2; json++) {
			struct render_watch_opts ro = {.is_json = json,
						       .is_utf8 = cases[i].is_utf8};

			cases[i].build(&r, cases[i].netns, cases[i].events);
			s = watch_stdout(&r, &ro, &len);
			snprintf(name, sizeof(name), "watch-%s.%s", cases[i].name,
				 json ? "jsonl" : "txt");
			golden_check(name, s, len);
			free(s);
		}
		s = watch_saved(&r, &len);
		snprintf(name, sizeof(name), "watch-%s-saved.json", cases[i].name);
		golden_check(name, s, len);
		free(s);
	}
}

/* Every line of the JSON stdout is an object: N samples, then the summary;
 * the saved file is the summary again, whole. */
static void test_json_parses(void **state)
{
	static struct run r;
	const struct render_watch_opts ro = {.is_json = true};
	json_t *o, *saved;
	const char *p;
	size_t len;
	char *s;

	(void)state;
	growth(&r, "edge-1", true);
	s = watch_stdout(&r, &ro, &len);
	p = s;
	for (size_t i = 0; i < r.n; i++) {
		o = parse_line(&p);
		assert_string_equal(json_string_value(json_object_get(o, "type")), "sample");
		assert_int_equal(int_at(o, "t_ms"), 60000 * (json_int_t)i);
		assert_int_equal(int_at(o, "count"), 20000 + 250 * (json_int_t)i);
		json_decref(o);
	}
	o = parse_line(&p);
	assert_string_equal(p, "");
	assert_string_equal(json_string_value(json_object_get(o, "type")), "summary");
	assert_string_equal(json_string_value(json_object_get(o, "netns")), "edge-1");
	assert_int_equal(int_at(o, "samples"), N_SAMPLES);
	assert_true(fabs(real_at(o, "growth_per_hour") - 15000.0) < 1e-6);
	free(s);

	s = watch_saved(&r, &len);
	saved = envelope_parse(s);
	assert_true(json_equal(o, saved));
	json_decref(saved);
	json_decref(o);
	free(s);
}

static void test_hostile_escaped(void **state)
{
	static struct run r;
	struct render_watch_opts ro = {.is_json = false};
	json_t *o;
	const char *p;
	size_t len;
	char *s;

	(void)state;
	lossy(&r, HOSTILE, true);
	s = watch_stdout(&r, &ro, &len);
	assert_terminal_safe(s);
	assert_has(s, ", netns a\\x1b[31m\"q\"\\\\b\\nc\\t<script>x</script>\\xff\\xc3(\\xc2\\x85"
		      "\\u202e\xc3\xa9!)\n");
	free(s);

	ro.is_json = true;
	lossy(&r, HOSTILE, true);
	s = watch_stdout(&r, &ro, &len);
	p = s;
	for (size_t i = 0; i < r.n; i++)
		json_decref(parse_line(&p));
	o = parse_line(&p);
	/* kept whole; only the invalid bytes become the text \xNN */
	assert_string_equal(
	    json_string_value(json_object_get(o, "netns")),
	    "a\x1b[31m\"q\"\\b\nc\t<script>x</script>\\xff\\xc3(\xc2\x85\xe2\x80\xae\xc3\xa9!");
	json_decref(o);
	/* \uXXXX for the C1 control and the bidi override: safe to cat */
	assert_terminal_safe(s);
	free(s);
	s = watch_saved(&r, &len);
	assert_terminal_safe(s);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_json_parses),
	    cmocka_unit_test(test_hostile_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
