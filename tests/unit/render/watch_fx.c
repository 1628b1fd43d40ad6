/* watch_fx.c: the watch renderer tests' fixture (watch_fx.h). */
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

/* The live line's columns, in its order, and one counter it does not show. */
static const unsigned live_slots[] = {
    SNAP_STAT_DROP,  SNAP_STAT_EARLY_DROP,    SNAP_STAT_INSERT_FAILED,  SNAP_STAT_INVALID,
    SNAP_STAT_ERROR, SNAP_STAT_CLASH_RESOLVE, SNAP_STAT_SEARCH_RESTART, SNAP_STAT_CHAINTOOLONG};
#define N_LIVE_SLOTS (sizeof(live_slots) / sizeof(live_slots[0]))

/* The sparkline's alphabet for the next fx_init(): blocks or ASCII. */
bool spark_utf8;

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

void fx_init(struct fx *f, bool is_json, bool events)
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

void fx_add(struct fx *f, const struct rates_sample *prev, const struct rates_sample *cur,
	    const struct nl_events_stats *ev)
{
	watch_state_add(&f->st, prev, cur, f->a.events ? ev : NULL);
}

FILE *cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	assert_non_null(c->f);
	return c->f;
}

char *cap_close(struct cap *c)
{
	assert_int_equal(fclose(c->f), 0);
	return c->buf;
}

void assert_has(const char *text, const char *needle)
{
	if (strstr(text, needle) == NULL)
		fail_msg("missing \"%s\" in:\n%s", needle, text);
}

void assert_lacks(const char *text, const char *needle)
{
	if (strstr(text, needle) != NULL)
		fail_msg("unexpected \"%s\" in:\n%s", needle, text);
}

/* A sample line: HH:MM:SS, then the rest exactly. */
void assert_sample_line(const char *line, const char *rest)
{
	for (int i = 0; i < 8; i++) {
		if (i == 2 || i == 5)
			assert_int_equal(line[i], ':');
		else if (line[i] < '0' || line[i] > '9')
			fail_msg("no clock at the start of: %s", line);
	}
	assert_string_equal(line + 8, rest);
}

json_t *parse_line(const char **p)
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

double real_at(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_number(v))
		fail_msg("%s: not a number", key);
	return json_number_value(v);
}

json_int_t int_at(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s: not an integer", key);
	return json_integer_value(v);
}

/* Samples at 0, step, 2 step seconds with counts c[0..2], max 10000, no
 * counters. */
void three_samples(struct fx *f, uint64_t step_s, const uint64_t c[3])
{
	struct rates_sample s[3];

	for (int i = 0; i < 3; i++) {
		s[i] = (struct rates_sample){
		    .t_ms = (uint64_t)i * step_s * 1000, .count = c[i], .max = 10000};
		fx_add(f, i ? &s[i - 1] : NULL, &s[i], NULL);
	}
	rules_evaluate_watch(&f->st.sum, &f->a.opts, &f->rep);
}

char *summary_text(struct fx *f)
{
	struct cap c;

	assert_int_equal(render_watch_summary(cap_open(&c), &f->st, &f->rep, &f->a.ro), 0);
	return cap_close(&c);
}

/* A 600 s watch with events: NEW tcp 120 (0.2/s), udp 60 (0.1/s); lifetimes
 * tcp 2 summing 30 s (15.0 s), udp none. Classes: tcp_established 30 timed
 * out (3000 s), 20 closed (200 s), 10 open (1000 s so far): 60 flows,
 * 0.10/s, mean 4200 / 60 = 70.0 s, a lower bound; udp 6 timed out (180 s):
 * 0.01/s, 30.0 s. */
void events_fx(struct fx *f, bool is_json)
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
