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

/* Counts kept for the trend: every sample until full, then every second
 * one, and so on, so a watch of days keeps evenly spread points. */
#define RATES_TREND_POINTS 240
struct rates_point {
	uint64_t t_ms, count;
};

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
	struct rates_point trend[RATES_TREND_POINTS];
	size_t n_trend, trend_stride; /* trend holds every trend_stride-th sample */
};

/* prev may be NULL for the first sample. */
void rates_summary_add(struct rates_summary *sum, const struct rates_sample *prev,
		       const struct rates_sample *cur);

/* Mean count; growth in entries per hour (least-squares slope over the
 * whole watch, 0 with fewer than two samples); hours until count reaches
 * max at the trend's growth (rates_trend_per_hour; -1 when there is no
 * steady growth, max unknown or unlimited). */
double rates_mean_count(const struct rates_summary *sum);
double rates_growth_per_hour(const struct rates_summary *sum);
double rates_hours_to_full(const struct rates_summary *sum);
/* The growth of a steady trend, entries per hour: the least-squares slope
 * of the later half of the watch when both halves grow and agree within a
 * factor of RATES_TREND_AGREE; 0 otherwise: a step then flat, a burst that
 * went back, a swing. A projection to full takes this, never a step. */
#define RATES_TREND_AGREE 4.0
double rates_trend_per_hour(const struct rates_summary *sum);

#endif
