/* rules_int.h: what the rules (rules.c) and their command builders
 * (rules_cmd.c) share; no other folder includes it. */
#ifndef CTADVISOR_RULES_INT_H
#define CTADVISOR_RULES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

struct rules_ctx {
	const struct ct_snapshot *snap;
	const struct rules_opts *opts;
	struct rules_report *rep;
	int64_t max;     /* -1 unknown, 0 unlimited */
	int64_t buckets; /* -1 unknown */
	bool is_ext_on;  /* some extension (acct, timestamp, events=1) is on */
};

/* A knob to set: the name after "net.netfilter." and its value. */
struct rules_knob {
	const char *name;
	uint64_t value;
};

/* Add `ctadvisor apply [--netns NS] --set net.netfilter.K=V ...` as a
 * command and its plain sysctl form as the finding's equivalent. A global
 * knob (max, buckets) is set from the host namespace, so no --netns; the
 * others go to the namespace checked. Nothing when it does not fit. */
void rules_cmd_apply(const struct rules_ctx *c, struct rules_finding *f, bool is_global,
		     const struct rules_knob *knobs, size_t n);
/* Add CMD (a ctadvisor command line) as is, with --netns NS appended when
 * IN_NS and a namespace was checked by name. Nothing when it does not fit. */
void rules_cmd_tool(const struct rules_ctx *c, struct rules_finding *f, const char *cmd,
		    bool in_ns);
/* A bucket count for ENTRIES: rounded up to the kernel's step, within the
 * int the kernel keeps it in. */
uint64_t rules_buckets_for(uint64_t entries);
/* Raise a bounded table to fit DEMAND entries by plan's arithmetic (demand
 * over 1 - plan's default headroom, tidy rounding; more than max when the
 * demand is a lower bound at a full table): apply max (and buckets when
 * fewer than the new max), then `ctadvisor plan` for the whole working. */
void rules_cmd_raise_max(const struct rules_ctx *c, struct rules_finding *f, uint64_t demand);

/* Shared by the rules files (rules.c, rules_counters.c). */
/* Append a finding with its one-sentence summary; NULL when the list is full. */
struct rules_finding *rules_finding_add(struct rules_ctx *c, const char *id, enum rules_sev sev,
					const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void rules_ev_add(struct rules_finding *f, const char *name, double value, const char *unit);
/* Whether the kernel reported a counter slot; its summed value or 0. */
bool rules_stat_has(const struct ct_snapshot *snap, unsigned slot);
uint64_t rules_stat_or0(const struct ct_snapshot *snap, unsigned slot);
/* part / whole in %, -1 when whole is 0. */
double rules_pct(double part, double whole);
/* "" in the host namespace, else the note that max and buckets are global. */
const char *rules_host_note(const struct rules_ctx *c);
/* count and max as evidence, when known. */
void rules_ev_count_max(const struct rules_ctx *c, struct rules_finding *f);

/* The rules over the kernel's counters (rules_counters.c), each judged over
 * the window since the last run when the snapshot has one. */
void rules_counter_findings(struct rules_ctx *c);

#endif
