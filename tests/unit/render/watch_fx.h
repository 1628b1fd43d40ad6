/* watch_fx.h: the watch renderer tests' fixture (watch_fx.c): a watch
 * state built with watch_state_add() as cmd_watch.c does, from two samples
 * 2 s apart on 2 CPUs (or three, or the events case), output captured in
 * memory, and lookups in what was rendered. Every expected figure is
 * worked out by hand in the comments. Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_WATCH_FX_H
#define CTADVISOR_TEST_WATCH_FX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "../../../render/render_watch.h"
#include "../../../rules/rules_watch.h"

/* What the command would pass: its options, and the renderer's. */
struct fx_args {
	const char *netns;
	uint64_t interval_ms;
	bool events;
	struct rules_opts opts;
	struct render_watch_opts ro;
};

/* The sparkline's alphabet for the next fx_init(): blocks or ASCII. */
extern bool spark_utf8;

struct fx {
	struct fx_args a;
	struct watch_state st;
	struct rules_report rep;
	struct snap_cpu_stats c0[2], c1[2];
	struct rates_sample s0, s1;
	struct nl_events_stats e0, e1;
};

/* Two samples 2 s apart, 2 CPUs. Deltas s0 -> s1: invalid cpu0
 * 0xfffffff0 -> 0x10 (wraps: +32) and cpu1 100 -> 108 (+8): 40, 20.0/s;
 * drop 7 -> 11: 4, 2.0/s; insert_failed cpu1 0xffffffff -> 1 (wraps: +2),
 * 1.0/s; error 5 -> 8: 3, 1.5/s; chaintoolong 0 -> 1: 0.5/s; found
 * 1000 -> 3000 (not a live column): 1000.0/s; the rest 0. With events, 30
 * NEW events between them (e0 -> e1): 15.0/s. Nothing is added yet. */
void fx_init(struct fx *f, bool is_json, bool events);
/* One sample into the state (prev NULL for the first), as cmd_watch.c. */
void fx_add(struct fx *f, const struct rates_sample *prev, const struct rates_sample *cur,
	    const struct nl_events_stats *ev);

/* Output captured in memory: cap_open()'s stream, cap_close()'s text (the
 * caller frees it). */
struct cap {
	char *buf;
	size_t len;
	FILE *f;
};
FILE *cap_open(struct cap *c);
char *cap_close(struct cap *c);

/* Fail unless text holds (lacks) needle, showing the text. */
void assert_has(const char *text, const char *needle);
void assert_lacks(const char *text, const char *needle);
/* A sample line: HH:MM:SS, then the rest exactly. */
void assert_sample_line(const char *line, const char *rest);

/* The JSON object on the line at *p (which moves to the next line), and a
 * member that must be a number or an integer. */
json_t *parse_line(const char **p);
double real_at(const json_t *o, const char *key);
json_int_t int_at(const json_t *o, const char *key);

/* Samples at 0, step, 2 step seconds with counts c[0..2], max 10000, no
 * counters; the findings evaluated. */
void three_samples(struct fx *f, uint64_t step_s, const uint64_t c[3]);
/* The summary as rendered (the caller frees it). */
char *summary_text(struct fx *f);

/* A 600 s watch with events: NEW tcp 120 (0.2/s), udp 60 (0.1/s); lifetimes
 * tcp 2 summing 30 s (15.0 s), udp none. Classes: tcp_established 30 timed
 * out (3000 s), 20 closed (200 s), 10 open (1000 s so far): 60 flows,
 * 0.10/s, mean 4200 / 60 = 70.0 s, a lower bound; udp 6 timed out (180 s):
 * 0.01/s, 30.0 s. */
void events_fx(struct fx *f, bool is_json);

#endif
