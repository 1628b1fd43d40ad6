/* rules.h: the health rules. Pure: a snapshot and options in, derived figures
 * and findings out. No I/O, no globals, no clock, no allocation: the report is
 * a fixed-size struct the caller owns. */
#ifndef CTADVISOR_RULES_H
#define CTADVISOR_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* The exit status of every command, the monitoring-plugin codes: decided
 * here (rules_exit_code) or, for a run that could not be made, UNKNOWN. */
enum ct_exit {
	CT_EXIT_OK = 0,
	CT_EXIT_WARNING = 1,
	CT_EXIT_CRITICAL = 2,
	CT_EXIT_UNKNOWN = 3,
	/* apply, undo and flush: the same numbers, named for a change: 1 it
	 * was refused (nothing changed), 2 it failed part-way (what was
	 * written is restored or said), 3 a usage error */
	CT_EXIT_REFUSED = 1,
	CT_EXIT_FAILED = 2,
	CT_EXIT_USAGE = 3,
};

enum rules_sev {
	RULES_SEV_OK = 0,
	RULES_SEV_INFO,
	RULES_SEV_WARNING,
	RULES_SEV_CRITICAL,
};

/* Which side of the fill range a table-fill finding is on; the commands
 * follow it (only ABOVE raises nf_conntrack_max). */
enum rules_fill_side {
	RULES_FILL_ABOVE = 0, /* fuller than the range allows (or a threshold crossed) */
	RULES_FILL_BELOW,     /* emptier than the range expects */
	RULES_FILL_INSIDE,    /* inside an '@' range */
};

#define RULES_RANGE_TEXT 48

/* Thresholds; rules_opts_default() documents the defaults. */
struct rules_opts {
	double fill_warn_pct;      /* 75 */
	double fill_crit_pct;      /* 90 */
	double unreplied_warn_pct; /* 50: share of walked entries never answered */
	uint64_t unreplied_min;    /* 1000: below this many entries, no unreplied finding */
	uint64_t invalid_warn;     /* 1000: invalid counter (since boot, summed) */
	double mem_warn_pct_ram;   /* 5: kernel memory at max as % of RAM */
	double mem_crit_pct_ram;   /* 25 */
	double load_warn;          /* 16: average chain length at max (see rule_hash_load) */
	/* true: judge counters on their totals since boot, as if every run
	 * were the first one seen and it saw them happen (--since-boot). */
	bool judge_since_boot;
	/* How a firing table-fill finding reads: check sets both from the -w/-c
	 * range that alerted. Default ABOVE and "" (plain thresholds). */
	enum rules_fill_side fill_side;
	char fill_range[RULES_RANGE_TEXT]; /* that range's text, e.g. "10:" or "@10:20" */
};

#define RULES_EVIDENCE 8
#define RULES_COMMANDS 4
#define RULES_FINDINGS 32
#define RULES_CMD_LEN  384

struct rules_evidence {
	const char *name; /* static string, e.g. "drop" */
	double value;
	const char *unit; /* "", "%", "bytes", "entries" ... static */
};

struct rules_finding {
	const char *id; /* stable kebab-case, static */
	enum rules_sev sev;
	char summary[320]; /* one sentence: what and why */
	struct rules_evidence ev[RULES_EVIDENCE];
	size_t n_ev;
	/* Exact commands to run, in order. A setting is changed through one
	 * `ctadvisor apply --set KNOB=VALUE ...` (undo record, read-back), the
	 * first command; a command too long to hold whole is left out. */
	char commands[RULES_COMMANDS][RULES_CMD_LEN];
	size_t n_commands;
	/* The plain sysctl form of that apply command (no undo, no read-back),
	 * in the namespace it applies to; "" when the finding changes nothing. */
	char equivalent[RULES_CMD_LEN];
	/* A finding on a kernel counter: its change over the window since the
	 * last run (has_window) and its total since boot (or since the
	 * namespace was created). */
	bool is_counter;
	bool has_window;
	uint64_t window_s;
	uint64_t delta;
	uint64_t since_boot;
};

/* Figures derived from the snapshot that renderers show. -1 when unknown. */
struct rules_derived {
	double fill_pct;              /* count / max */
	double load_now;              /* 2 x count / buckets: average chain length now */
	double load_at_max;           /* 2 x max / buckets */
	int64_t ext_bytes;            /* per entry when any extension is on: 128 */
	int64_t buckets_bytes;        /* buckets x 8 */
	int64_t mem_now_bytes;        /* count x (slab + ext if on) + buckets */
	int64_t mem_at_max_bytes;     /* max x slab + buckets, extensions as now */
	int64_t mem_at_max_ext_bytes; /* max x (slab + ext) + buckets */
	uint64_t live_entries;        /* from the walk when walked */
};

struct rules_report {
	enum rules_sev worst;
	bool is_unknown; /* occupancy could not be read at all */
	struct rules_derived d;
	struct rules_finding findings[RULES_FINDINGS];
	size_t n_findings;
};

void rules_opts_default(struct rules_opts *opts);
/* Evaluate every rule; always succeeds. Findings are ordered by severity,
 * most severe first, then by rule order. */
void rules_evaluate(const struct ct_snapshot *snap, const struct rules_opts *opts,
		    struct rules_report *rep);
/* "ok", "info", "warning", "critical". */
const char *rules_sev_name(enum rules_sev sev);
/* Monitoring-plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
int rules_exit_code(const struct rules_report *rep);
/* "5 min", "90 s", "3 h", "2 days". */
void rules_duration_text(uint64_t s, char *buf, size_t len);
/* The window counter findings judge, for every report: "ok", "first",
 * "reset", "ignored", "not_kept" (JSON), and in words ("the last 5 min
 * (since the previous run)", or none and why). */
const char *rules_window_state_name(enum snap_prev_state st);
void rules_window_text(const struct ct_snapshot *snap, char *buf, size_t len);
/* Add a finding the rules did not make (the NAT view's, the other
 * namespaces'), keeping the order rules_evaluate() gives (most severe
 * first, then as added) and the worst severity. When the list is full, a
 * finding more severe than the last replaces it. */
void rules_report_add(struct rules_report *rep, const struct rules_finding *f);
/* S as one word of a POSIX shell: as is when it holds only characters no
 * shell treats specially ([A-Za-z0-9@%+=:,./_-], not empty), else in single
 * quotes with each ' as '\''. The length it needs (as snprintf); BUF holds
 * it whole only when that is below SIZE. */
size_t rules_shell_quote(char *buf, size_t size, const char *s);

#endif
