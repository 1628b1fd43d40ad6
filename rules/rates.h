/* rates.h: per-second rates of the conntrack counters between samples, and
 * the summary of a watch (peak, mean, growth, time to full). Pure: time is a
 * field of each sample, never read from a clock. The kernel's per-CPU
 * counters are 32-bit and wrap, so deltas are taken per CPU modulo 2^32. */
#ifndef CTADVISOR_RATES_H
#define CTADVISOR_RATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct rates_sample {
	uint64_t t_ms; /* monotonic milliseconds */
	uint64_t count;
	uint64_t max;
	const struct snap_cpu_stats *cpus; /* borrowed for the call */
	size_t n_cpus;
};

/* Counter increase of one slot between two samples, summed over the CPUs
 * present in both (matched by cpu id), each wrapped modulo 2^32. */
uint64_t rates_delta(const struct rates_sample *prev, const struct rates_sample *cur,
		     unsigned slot);

/* Increase per second; 0 when no time passed. */
double rates_per_second(uint64_t delta, uint64_t dt_ms);

/* The running summary of a watch. */
struct rates_summary {
	size_t samples;
	uint64_t first_ms, last_ms;
	uint64_t first_count, last_count;
	uint64_t peak_count, max;
	double sum_count;
	/* Least-squares sums over (t seconds since first, count). */
	double st, stt, sc, stc;
	uint64_t delta[SNAP_STAT_SLOTS];        /* counter increase over the whole run */
	uint32_t present;                       /* slots ever reported */
	uint64_t peak_rate_ms[SNAP_STAT_SLOTS]; /* unused slot stays 0 */
	double peak_rate[SNAP_STAT_SLOTS];      /* highest per-second rate between samples */
};

/* prev may be NULL for the first sample. */
void rates_summary_add(struct rates_summary *sum, const struct rates_sample *prev,
		       const struct rates_sample *cur);

/* Mean count; growth in entries per hour (least-squares slope, 0 with fewer
 * than two samples); hours until count reaches max at that growth (-1 when
 * not growing, max unknown or unlimited). */
double rates_mean_count(const struct rates_summary *sum);
double rates_growth_per_hour(const struct rates_summary *sum);
double rates_hours_to_full(const struct rates_summary *sum);

#endif
