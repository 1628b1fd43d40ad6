/* watch.h: the state of a running watch: the rates summary, a bounded
 * occupancy series for the sparkline, and the event counts. */
#ifndef CTADVISOR_WATCH_H
#define CTADVISOR_WATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "events.h"
#include "../rules/rates.h"
#include "../rules/rules.h"

#define WATCH_SPARK_POINTS 64

struct watch_state {
	struct rates_summary sum;
	/* Occupancy series: each point is the peak of `stride` samples; when
	 * full, neighbours merge and the stride doubles, so memory is fixed. */
	uint64_t spark[WATCH_SPARK_POINTS];
	size_t n_spark;
	uint64_t stride, pending, pending_peak;
	bool has_events;
	struct nl_events_stats events; /* totals so far */
	uint64_t prev_new;             /* all classes, at the previous sample */
	double new_per_s;              /* between the last two samples */
	char netns[128];
	uint64_t interval_ms;
	/* Each flow class's timeout during the watch (seconds), -1 unknown. */
	int64_t timeout_s[NL_FC_CLASSES];
};

/* netns: the namespace watched (NULL: this one); has_events: --events. */
void watch_state_init(struct watch_state *st, const char *netns, uint64_t interval_ms,
		      bool has_events);
/* Fold one sample in; ev may be NULL (no --events). */
void watch_state_add(struct watch_state *st, const struct rates_sample *prev,
		     const struct rates_sample *cur, const struct nl_events_stats *ev);
/* New events per second of a class over the whole watch. */
double watch_new_per_s(const struct watch_state *st, enum nl_events_class c);
/* Mean lifetime of a class's flows whose start was seen; -1 when none. */
double watch_mean_lifetime_s(const struct watch_state *st, enum nl_events_class c);

/* Per flow class (the state reached), over flows whose NEW was seen: */
uint64_t watch_class_flows(const struct watch_state *st, enum nl_events_fclass c);
/* those flows per second of watch */
double watch_class_per_s(const struct watch_state *st, enum nl_events_fclass c);
/* mean lifetime of the flows of one end kind, or of all (end ==
 * NL_END_KINDS); open flows count with their age so far; -1 when none */
double watch_class_life_s(const struct watch_state *st, enum nl_events_fclass c,
			  enum nl_events_end end);
/* Whether open (censored) flows make a class's mean a lower bound. */
bool watch_class_is_lower_bound(const struct watch_state *st, enum nl_events_fclass c);

#endif
