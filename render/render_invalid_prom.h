/* render_invalid_prom.h: a running watch --invalid as Prometheus text
 * exposition 0.0.4, for node_exporter's textfile collector: invalid packets
 * by reason, protocol and verdict as counters, the NFLOG received, lost and
 * undecodable counters, whether the run can only count, and the start-time
 * and last-write gauges (promw.h). Label values are bounded: reasons are the
 * catalog's ids, protocols its fixed names, verdicts two words; no address,
 * port, interface or prefix from a packet ever becomes a label. Only formats. */
#ifndef CTADVISOR_RENDER_INVALID_PROM_H
#define CTADVISOR_RENDER_INVALID_PROM_H

#include <stdint.h>
#include <stdio.h>

#include "render_invalid.h"

struct render_invalid_prom_times {
	uint64_t start_s; /* Unix time the process started */
	uint64_t write_s; /* Unix time of this write */
};

/* Every catalog reason is written, 0 until seen, with the verdict the
 * catalog gives it (so increase() sees the first packet), plus a sample for
 * the other verdict once one was counted. The totals of res and meta grow
 * for the life of the aggregate, so the counters never go backwards while
 * the process lives. meta->netns "" (own namespace): no netns label.
 * 0, or -EIO when writing failed. */
int render_invalid_prom(FILE *out, const struct logparse_agg_result *res,
			const struct render_invalid_meta *meta,
			const struct render_invalid_prom_times *t);

#endif
