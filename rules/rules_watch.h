/* rules_watch.h: findings from what happened during a watch (rates), not
 * from counters since boot. Pure, like rules.h, and into the same report. */
#ifndef CTADVISOR_RULES_WATCH_H
#define CTADVISOR_RULES_WATCH_H

#include <stdbool.h>

#include "rates.h"
#include "rules.h"

/* Thresholds beyond struct rules_opts' fill_*: */
#define RULES_WATCH_INVALID_WARN_PER_S 10.0 /* invalid packets per second */
#define RULES_WATCH_FULL_WARN_HOURS    24.0 /* projected time to full */
#define RULES_WATCH_FULL_CRIT_HOURS    1.0
/* A shorter watch sees a burst, not a trend: no projection from it. */
#define RULES_WATCH_GROWTH_MIN_S 300.0

/* Whether the watch is long enough for a time-to-full projection. */
bool rules_watch_can_project(const struct rates_summary *sum);

/* Evaluate the watch rules over a finished summary; the report is reset. */
void rules_evaluate_watch(const struct rates_summary *sum, const struct rules_opts *opts,
			  struct rules_report *rep);

#endif
