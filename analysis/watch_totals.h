/* watch_totals.h: conntrack -S counters as monotonic totals for a long
 * watch (watch --format prometheus). The kernel's per-CPU counters are
 * 32 bits and wrap (a CPU's "found" wraps in about 70 minutes at a million
 * lookups a second), so the first sample gives the totals (the sum over
 * CPUs, what conntrack -S shows) and every later one adds its increase per
 * CPU modulo 2^32 (rates_delta). The totals never go backwards while the
 * watch runs. A counter that restarts from zero cannot be told from a wrap;
 * it cannot happen while the watch runs, since the watch holds its network
 * namespace, which lives on (and keeps its counters) even when its name is
 * deleted and made again; a new namespace needs a new watch. Pure. */
#ifndef CTADVISOR_WATCH_TOTALS_H
#define CTADVISOR_WATCH_TOTALS_H

#include <stdint.h>

#include "../rules/rates.h"

struct watch_totals {
	uint32_t present;            /* slots ever reported */
	uint64_t v[SNAP_STAT_SLOTS]; /* totals so far */
	uint64_t samples;
};

/* Fold a sample in; prev NULL for the first (totals = sums of cur), else
 * the sample before cur. Zero t before the first call. */
void watch_totals_add(struct watch_totals *t, const struct rates_sample *prev,
		      const struct rates_sample *cur);

#endif
