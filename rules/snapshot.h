/* snapshot.h: everything the collectors learnt about one network namespace's
 * connection tracking, as plain data. Collectors (collect/) fill it; rules/ and
 * the renderers only read it. A field is meaningful only when its has_* flag
 * is set; what could not be read is listed in problems[] with the reason.
 * Pure: libc headers only. snap_free() releases the two heap arrays. */
#ifndef CTADVISOR_SNAPSHOT_H
#define CTADVISOR_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per-CPU counter slots, indexed by the kernel's CTA_STATS_* attribute type
 * (1 searched ... 15 chaintoolong); types above 15 are counters from newer
 * kernels, kept under conntrack -S's names unknown1.. rather than dropped. */
#define SNAP_STAT_SLOTS 32

enum snap_stat {
	SNAP_STAT_SEARCHED = 1,
	SNAP_STAT_FOUND = 2,
	SNAP_STAT_NEW = 3,
	SNAP_STAT_INVALID = 4,
	SNAP_STAT_IGNORE = 5,
	SNAP_STAT_DELETE = 6,
	SNAP_STAT_DELETE_LIST = 7,
	SNAP_STAT_INSERT = 8,
	SNAP_STAT_INSERT_FAILED = 9,
	SNAP_STAT_DROP = 10,
	SNAP_STAT_EARLY_DROP = 11,
	SNAP_STAT_ERROR = 12,
	SNAP_STAT_SEARCH_RESTART = 13,
	SNAP_STAT_CLASH_RESOLVE = 14,
	SNAP_STAT_CHAINTOOLONG = 15,
};

/* Where a figure came from. */
enum snap_src {
	SNAP_SRC_NONE = 0,
	SNAP_SRC_NETLINK,
	SNAP_SRC_PROC,
};

struct snap_cpu_stats {
	unsigned cpu;
	uint32_t present; /* bit i set: slot i was reported */
	uint64_t v[SNAP_STAT_SLOTS];
};

/* One sysctl or module parameter as read, e.g. name
 * "net.netfilter.nf_conntrack_max". err is 0 or a positive errno. */
#define SNAP_KNOB_NAME_LEN  80
#define SNAP_KNOB_VALUE_LEN 64
struct snap_knob {
	char name[SNAP_KNOB_NAME_LEN];
	char value[SNAP_KNOB_VALUE_LEN];
	int err;
	bool is_writable;
};

/* The settings rules use, parsed; -1 when unknown. */
struct snap_settings {
	int64_t max;
	int64_t buckets;
	int64_t hashsize;
	int64_t expect_max;
	int64_t acct;
	int64_t timestamp;
	int64_t events;
	int64_t checksum;
	int64_t log_invalid;
	int64_t tcp_loose;
	int64_t tcp_be_liberal;
	int64_t tcp_timeout_established;
	int64_t udp_timeout;
	int64_t udp_timeout_stream;
	char nf_log_ipv4[SNAP_KNOB_VALUE_LEN]; /* "" unknown, "NONE" unbound */
	char nf_log_ipv6[SNAP_KNOB_VALUE_LEN];
};

/* Names in the order of the kernel's enum tcp_conntrack. */
#define SNAP_TCP_STATES   10
#define SNAP_TOP_N        10
#define SNAP_ZONES        16 /* distinct zones / marks listed; the rest are summed */
#define SNAP_TIMEOUT_BINS 7

struct snap_top_item {
	char key[48];   /* address text, or "tcp/443" for ports */
	uint64_t count; /* upper bound when error > 0 */
	uint64_t error; /* the sketch's overestimate bound */
};

struct snap_value_count {
	uint32_t value;
	uint64_t count;
};

struct snap_walk {
	uint64_t entries;
	uint64_t ipv4, ipv6, other_family;
	uint64_t by_proto[256];
	uint64_t tcp_state[SNAP_TCP_STATES + 1]; /* last slot: unknown state */
	uint64_t unreplied, assured;
	uint64_t nat_none, nat_src, nat_dst, nat_both;
	struct snap_value_count zones[SNAP_ZONES];
	size_t n_zones;
	uint64_t zones_other; /* entries in zones beyond the listed ones */
	struct snap_value_count marks[SNAP_ZONES];
	size_t n_marks;
	uint64_t marks_other;
	uint64_t marked; /* entries with mark != 0 */
	uint64_t with_acct, with_tstamp;
	uint64_t packets, bytes; /* both directions, from entries with acct */
	/* Remaining timeout: bin i counts timeouts <= snap_timeout_bin_le[i]
	 * seconds (and above the previous bin); the last bin is unbounded. */
	uint64_t timeout_bins[SNAP_TIMEOUT_BINS];
	struct snap_top_item top_src[SNAP_TOP_N];
	size_t n_top_src;
	struct snap_top_item top_dport[SNAP_TOP_N];
	size_t n_top_dport;
	bool is_interrupted; /* NLM_F_DUMP_INTR: the table changed mid-dump */
	unsigned attempts;   /* dumps run (a dump flagged interrupted is retried); 0: unknown */
	uint64_t lost;       /* messages lost (ENOBUFS), when known */
	int err;             /* positive errno if the dump failed part-way */
};

/* check's NAT view: the most saturated source NAT key of the walk (zone,
 * protocol, NAT address, destination, destination port), judged against
 * the thresholds given. Filled by the CLI from the NAT aggregate. */
struct snap_nat_worst {
	bool has_nat;    /* the walk carried the NAT view: the fields below mean something */
	double warn_pct; /* thresholds judged against, for perfdata */
	double crit_pct;
	uint64_t snat_entries; /* source-NATed entries walked */
	uint64_t keys;         /* keys counted (source-NATed or from a NAT address) */
	bool has_row;          /* a key with source-NATed entries exists: worst below */
	uint16_t zone;
	char proto[12];    /* "tcp" */
	char nat_addr[48]; /* address text */
	char dst[48];
	uint16_t dport;
	uint64_t in_use;
	uint32_t capacity;
	uint16_t port_lo, port_hi;
	double saturation_pct;
};

/* check --all-netns: one other network namespace as the inventory saw it.
 * Strings come from outside (pin names, pod names): renderers escape them. */
#define SNAP_NETNS_LIST 64
struct snap_netns {
	char name[96]; /* the pin's file name, "" when only a process holds it */
	uint64_t inode;
	char owner[160]; /* "pod NS/NAME", "container ...", "procs: ...", "netns NAME", "-" */
	char pod[96], pod_namespace[64];
	char target[96]; /* what check --netns takes for it: the name, else a PID; "" none */
	int err;         /* positive errno when it could not be read */
	bool has_count;
	uint64_t count;
	double fill_pct; /* count / max; -1 unknown */
	bool has_stats;
	uint64_t drop, early_drop, insert_failed;
	int alert;      /* its fill against -w/-c: 0 none, 1 warning, 2 critical */
	int drop_alert; /* the netns-table-full finding names it: 1 warning, 2 critical */
};

struct snap_all_netns {
	bool has_all;      /* --all-netns ran: the fields below mean something */
	size_t n_found;    /* namespaces found besides the checked one */
	size_t n_failed;   /* of which could not be read */
	size_t n_alerting; /* of which alert by fill */
	struct snap_netns list[SNAP_NETNS_LIST]; /* highest count first; the worst by
						  * drop, early_drop and insert_failed
						  * are always kept */
	size_t n_list;
	int worst_fill; /* index into list, -1 none (no count read) */
	int worst_drop; /* highest drop, -1 none; likewise below */
	int worst_early_drop;
	int worst_insert_failed;
	bool has_full; /* netns-table-full names list[worst_full] (drop_alert set) */
	int worst_full;
};

/* The last run's figures of this namespace (collect/state.h reads them), so
 * that counter findings judge the change since then rather than totals
 * since boot. */
enum snap_prev_state {
	SNAP_PREV_NOT_KEPT = 0, /* --no-state, --since-boot, or no state directory */
	SNAP_PREV_FIRST,        /* no earlier run of this namespace in this boot */
	SNAP_PREV_RESET,        /* a reboot, a recreated namespace or lower counters */
	SNAP_PREV_IGNORED,      /* unreadable, corrupt or foreign state: see note */
	SNAP_PREV_OK,           /* the fields below are the last run's */
};

struct snap_prev {
	enum snap_prev_state state;
	char note[768];                  /* why there is no window (not OK), for the report */
	uint64_t window_s;               /* seconds since the last run */
	uint32_t present;                /* slots whose change since the last run is known */
	uint64_t delta[SNAP_STAT_SLOTS]; /* per CPU, modulo 2^32 as the kernel wraps */
	bool has_max;
	uint64_t max;
	/* nf_conntrack_max when drop or early_drop last grew (0: never seen
	 * growing), so a limit raised since can be said and not raised again. */
	uint64_t max_at_drop;
};

#define SNAP_PROBLEMS 16
struct snap_problem {
	char what[32];    /* "counters", "walk", "sysctl", ... */
	int err;          /* positive errno */
	char detail[200]; /* what was not read, and what to do */
};

struct ct_snapshot {
	char netns[128];
	bool is_init_netns;
	bool has_cap_net_admin;
	uint64_t ram_bytes;
	unsigned ncpus;

	struct snap_knob *knobs;
	size_t n_knobs;
	struct snap_settings set;

	bool has_count;
	uint64_t count;
	bool has_max;
	uint64_t max;
	enum snap_src count_src;

	bool has_stats;
	enum snap_src stats_src;
	struct snap_cpu_stats *cpus;
	size_t n_cpus;
	struct snap_cpu_stats total; /* sum over CPUs; cpu field unused */

	bool has_walk;
	struct snap_walk walk;

	bool has_slab;
	uint64_t slab_obj_bytes; /* one nf_conn as allocated */

	struct snap_nat_worst nat;    /* check: NAT port saturation (zeroed: none) */
	struct snap_all_netns all_ns; /* check --all-netns (zeroed: not asked) */
	struct snap_prev prev;        /* check: the last run (zeroed: not kept) */

	struct snap_problem problems[SNAP_PROBLEMS];
	size_t n_problems;
};

extern const uint32_t snap_timeout_bin_le[SNAP_TIMEOUT_BINS]; /* last: UINT32_MAX */

/* Reset to "nothing known": settings -1, arrays empty. */
void snap_init(struct ct_snapshot *snap);
/* Free knobs and cpus; the struct itself is the caller's. NULL: no-op. */
void snap_free(struct ct_snapshot *snap);

/* conntrack -S name of a counter slot ("found", "unknown1"), NULL if none. */
const char *snap_stat_name(unsigned slot);
/* conntrack -L name of a TCP state index ("ESTABLISHED"); "UNKNOWN" past the end. */
const char *snap_tcp_state_name(unsigned state);
/* Short lower-case protocol name ("tcp"), NULL when the number has none. */
const char *snap_proto_name(unsigned proto);

/* Append a problem (truncated to fit); silently ignored when the list is full. */
void snap_add_problem(struct ct_snapshot *snap, const char *what, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Append a knob; -ENOMEM on allocation failure. */
int snap_add_knob(struct ct_snapshot *snap, const struct snap_knob *knob);
/* Find a knob by full name, NULL if absent. */
const struct snap_knob *snap_knob_find(const struct ct_snapshot *snap, const char *name);
/* Sum cpus[] into total. */
void snap_sum_cpus(struct ct_snapshot *snap);

#endif
