/* check_state.h: check's memory between runs. Where the state is kept
 * (--state-dir DIR, else $CTADVISOR_STATE_DIR/check, else
 * /var/lib/ctadvisor/check), read into snap->prev before the verdict and
 * this run's written after it, atomically, so that concurrent checks leave
 * one whole file. A directory this user cannot write (a monitoring user
 * without --state-dir) means no state: counters are judged since boot, and
 * the report says why. */
#ifndef CTADVISOR_CHECK_STATE_H
#define CTADVISOR_CHECK_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "../collect/state.h"
#include "../rules/rules.h"

struct check_state_opts {
	const char *dir; /* --state-dir; NULL: the default */
	bool no_state;   /* --no-state: read and write nothing */
};

struct check_state {
	bool is_kept; /* this run's state is to be written */
	char dir[512];
	char name[64];
	struct state_id id;
	uint64_t now_s;
};

/* In the namespace checked, after its counters are read: where the state
 * is, and the last run folded into snap->prev. Without a writable
 * directory, opts->judge_since_boot is set and snap->prev.note says why. */
void check_state_load(struct check_state *cs, const struct check_state_opts *o,
		      const char *proc_root, struct ct_snapshot *snap, struct rules_opts *opts);

/* Keep this run's figures for the next; a failure is said on stderr and
 * changes nothing else (the report stands). */
void check_state_save(const struct check_state *cs, const struct ct_snapshot *snap);

/* When a check last read the table, for --output's Prometheus report: now
 * when this one did (is_unknown false), else what the previous report at
 * output said (0: none, or no --output). So a failed run's UNKNOWN report
 * still tells how stale the last good one is. */
uint64_t check_last_success(bool is_unknown, const char *output);

#endif
