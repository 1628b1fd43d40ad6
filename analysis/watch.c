/* watch.c: fold samples into the watch state. */
#include <stdio.h>
#include <string.h>

#include "watch.h"

void watch_state_init(struct watch_state *st, const char *netns, uint64_t interval_ms,
		      bool has_events)
{
	memset(st, 0, sizeof(*st));
	st->stride = 1;
	st->interval_ms = interval_ms;
	st->has_events = has_events;
	for (int c = 0; c < NL_FC_CLASSES; c++)
		st->timeout_s[c] = -1;
	if (netns != NULL)
		snprintf(st->netns, sizeof(st->netns), "%s", netns);
}

static void spark_add(struct watch_state *st, uint64_t count)
{
	if (count > st->pending_peak)
		st->pending_peak = count;
	if (++st->pending < st->stride)
		return;
	if (st->n_spark == WATCH_SPARK_POINTS) {
		for (size_t i = 0; i < WATCH_SPARK_POINTS / 2; i++) {
			uint64_t a = st->spark[2 * i], b = st->spark[2 * i + 1];

			st->spark[i] = a > b ? a : b;
		}
		st->n_spark = WATCH_SPARK_POINTS / 2;
		st->stride *= 2;
	}
	st->spark[st->n_spark++] = st->pending_peak;
	st->pending = 0;
	st->pending_peak = 0;
}

static uint64_t all_new(const struct nl_events_stats *ev)
{
	uint64_t n = 0;

	for (int c = 0; c < NL_EV_CLASSES; c++)
		n += ev->new_events[c];
	return n;
}

void watch_state_add(struct watch_state *st, const struct rates_sample *prev,
		     const struct rates_sample *cur, const struct nl_events_stats *ev)
{
	rates_summary_add(&st->sum, prev, cur);
	spark_add(st, cur->count);
	if (ev == NULL)
		return;
	st->events = *ev;
	st->new_per_s =
	    prev ? rates_per_second(all_new(ev) - st->prev_new, cur->t_ms - prev->t_ms) : 0;
	st->prev_new = all_new(ev);
}

double watch_new_per_s(const struct watch_state *st, enum nl_events_class c)
{
	return rates_per_second(st->events.new_events[c], st->sum.last_ms - st->sum.first_ms);
}

double watch_mean_lifetime_s(const struct watch_state *st, enum nl_events_class c)
{
	if (st->events.lifetimes[c] == 0)
		return -1;
	return st->events.lifetime_sum_s[c] / (double)st->events.lifetimes[c];
}

uint64_t watch_class_flows(const struct watch_state *st, enum nl_events_fclass c)
{
	uint64_t n = 0;

	for (int e = 0; e < NL_END_KINDS; e++)
		n += st->events.flows[c][e].n;
	return n;
}

double watch_class_per_s(const struct watch_state *st, enum nl_events_fclass c)
{
	return rates_per_second(watch_class_flows(st, c), st->sum.last_ms - st->sum.first_ms);
}

double watch_class_life_s(const struct watch_state *st, enum nl_events_fclass c,
			  enum nl_events_end end)
{
	uint64_t n = 0;
	double sum = 0;

	for (int e = 0; e < NL_END_KINDS; e++) {
		if (end != NL_END_KINDS && (int)end != e)
			continue;
		n += st->events.flows[c][e].n;
		sum += st->events.flows[c][e].sum_s;
	}
	return n ? sum / (double)n : -1;
}

bool watch_class_is_lower_bound(const struct watch_state *st, enum nl_events_fclass c)
{
	return st->events.flows[c][NL_END_OPEN].n > 0;
}
