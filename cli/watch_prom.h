/* watch_prom.h: watch --format prometheus: after every sample the metrics
 * replace --output FILE atomically (outfile_write: the textfile collector
 * sees the old file or the new one), or, without --output, are printed to
 * stdout as one complete exposition per interval followed by an empty line.
 * The first write failing stops the watch (a wrong path shows at once);
 * later failures (disk full) are reported once and retried every interval,
 * so a long-running service recovers by itself. */
#ifndef CTADVISOR_WATCH_PROM_H
#define CTADVISOR_WATCH_PROM_H

#include <stdbool.h>
#include <stdint.h>

#include "cmd_watch.h"
#include "../analysis/watch.h"
#include "../analysis/watch_totals.h"
#include "../render/render_invalid.h"

struct watch_prom {
	const char *path;  /* --output, NULL: stdout */
	const char *netns; /* --netns, NULL: this namespace */
	struct watch_totals tot;
	uint64_t writes;
	bool is_failing; /* the last write failed (reported once) */
};

/* Note the process start (the start-time gauge); call once, first. */
void watch_prom_mark_start(void);

void watch_prom_init(struct watch_prom *wp, const struct watch_args *a);
/* After each sample (prev NULL for the first). 0, or the negative errno of
 * a first write that failed (reported on stderr): stop then. */
int watch_prom_sample(struct watch_prom *wp, const struct watch_state *st,
		      const struct rates_sample *prev, const struct rates_sample *cur);
/* watch --invalid: the aggregate so far, written as watch_prom_sample()
 * writes (to a->output or stdout), with the same error policy. */
int watch_prom_invalid(const struct watch_args *a, const struct logparse_agg_result *res,
		       const struct render_invalid_meta *meta);

#endif
