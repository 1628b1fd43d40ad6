/* render_watch_prom.h: a running watch as Prometheus text exposition 0.0.4,
 * for node_exporter's textfile collector (watch --format prometheus): the
 * conntrack -S counters as monotonic totals (ctadvisor_watch_conntrack_stat_
 * <name>_total, summed over CPUs), occupancy gauges, and the start-time and
 * last-write gauges (promw.h). Only formats. */
#ifndef CTADVISOR_RENDER_WATCH_PROM_H
#define CTADVISOR_RENDER_WATCH_PROM_H

#include <stdint.h>
#include <stdio.h>

#include "../analysis/watch.h"
#include "../analysis/watch_totals.h"

struct render_watch_prom {
	const char *netns;              /* --netns as given; NULL or "": no netns label */
	uint64_t start_s;               /* Unix time the process started */
	uint64_t write_s;               /* Unix time of this write */
	const struct rates_sample *cur; /* the last sample: count and max */
	const struct watch_state *st;   /* peak count, samples */
	const struct watch_totals *tot;
};

/* 0, or -EIO when writing failed. */
int render_watch_prom(FILE *out, const struct render_watch_prom *m);

#endif
