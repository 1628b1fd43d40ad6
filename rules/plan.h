/* plan.h: capacity-planning arithmetic for `ctadvisor plan`: how large to make
 * nf_conntrack_max and nf_conntrack_buckets, what that costs in kernel memory,
 * what the kernel and kube-proxy would pick, and Little's-law what-ifs.
 * Pure: libc and libm only, no I/O, no globals, no clock, no allocation.
 * Every figure is recorded as a named step so the renderer can show its
 * working. Results are written only on success; on failure the optional
 * struct plan_error names the input that was wrong.
 *
 * The model, stated once (see DESIGN.md "Sizing model"):
 *  demand   = base x growth (growth used to 6 decimals), or target
 *  max_raw  = ceil(demand / (1 - headroom))            (headroom to 6 decimals)
 *  max      = tidy(max_raw): at least 1024, rounded up to a multiple of
 *             1024 up to 131072 (128 Ki), of 16384 up to 1048576 (1 Mi),
 *             of 65536 above; every tidy value is a multiple of 1024.
 *             max must stay <= INT_MAX: the sysctl is a C int.
 *  buckets  = ceil(max / load) rounded up to a multiple of page/8, as the
 *             kernel's nf_ct_alloc_hashtable() does (512 on 4 KiB pages);
 *             at most INT_MAX/8 = 268435455 (the kernel refuses more).
 *  memory   = max x slab + buckets x 8, and max x (slab + ext) + buckets x 8
 *             with extensions; "used" is whichever matches has_ext. */
#ifndef CTADVISOR_PLAN_H
#define CTADVISOR_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PLAN_DEFAULT_HEADROOM   0.2  /* plan for 80 % full at the expected demand */
#define PLAN_DEFAULT_LOAD       1u   /* kernel ratio: buckets = max, chains ~2 at full */
#define PLAN_KUBE_LOAD          4u   /* kube-proxy: buckets >= max / 4 */
#define PLAN_DEFAULT_SLAB_BYTES 256u /* fallback only: read slab_size at run time */
#define PLAN_DEFAULT_EXT_BYTES  128u /* NF_CT_EXT_PREALLOC */
#define PLAN_DEFAULT_PAGE_BYTES 4096u
#define PLAN_GROWTH_MAX         1e6
#define PLAN_LOAD_MAX           64u
#define PLAN_OBJ_BYTES_MAX      65536u
#define PLAN_MAX_LIMIT          2147483647u /* INT_MAX: nf_conntrack_max is an int */
#define PLAN_BUCKETS_LIMIT      268435455u  /* INT_MAX / 8: nf_ct_alloc_hashtable() */
#define PLAN_MIN_MAX            1024u

/* Where demand comes from. */
enum plan_demand_src {
	PLAN_DEMAND_PEAK = 0, /* base_entries = peak seen by watch */
	PLAN_DEMAND_CURRENT,  /* base_entries = nf_conntrack_count now */
	PLAN_DEMAND_TARGET,   /* target_entries, growth ignored */
};

#define PLAN_KUBE_PER_CORE 32768u   /* kube-proxy's --conntrack-max-per-core default */
#define PLAN_KUBE_MIN      131072u  /* its --conntrack-min default */
#define PLAN_KUBE_CAP      1048576u /* since 1.36: the most maxPerCore x CPUs gives */

/* Where the kube-proxy figures come from. */
enum plan_kube_src {
	PLAN_KUBE_DEFAULTS = 0, /* no kube-proxy running: its defaults, for comparison */
	PLAN_KUBE_FLAGS,        /* a running kube-proxy's command line (defaults where absent) */
	PLAN_KUBE_CONFIG,       /* its --config file's conntrack block */
	PLAN_KUBE_UNREAD,       /* it runs with a --config file that could not be read */
};

struct plan_kube_cfg {
	enum plan_kube_src src;
	int64_t per_core; /* -1: not given, PLAN_KUBE_PER_CORE */
	int64_t min;      /* -1: not given, PLAN_KUBE_MIN */
};

struct plan_input {
	enum plan_demand_src src;
	uint64_t base_entries;   /* PEAK/CURRENT; 0 allowed (gives the 1024 floor) */
	double growth;           /* PEAK/CURRENT: finite, 0 < growth <= PLAN_GROWTH_MAX */
	uint64_t target_entries; /* TARGET: >= 1 */
	double headroom;         /* 0 <= headroom < 1 */
	unsigned load;           /* entries per bucket at max, 1..PLAN_LOAD_MAX */
	uint64_t ram_bytes;      /* MemTotal (the kernel's totalram_pages), > 0 */
	unsigned cpus;           /* for kube-proxy's formula, > 0 */
	bool is_64bit;           /* BITS_PER_LONG >= 64, for the kernel default */
	uint64_t slab_bytes;     /* nf_conntrack slab_size, 1..PLAN_OBJ_BYTES_MAX */
	uint64_t ext_bytes;      /* extension area per entry, 0..PLAN_OBJ_BYTES_MAX */
	bool has_ext;            /* acct/timestamp/labels/events extensions are on */
	uint64_t page_bytes;     /* power of two, 512..1 MiB */
	uint64_t budget_bytes;   /* 0: no budget */
	int64_t cur_max;         /* current settings, -1 unknown */
	int64_t cur_buckets;
	int64_t cur_count;
	/* The guard (plan_guard.c): a plan never shrinks without evidence. */
	bool allow_shrink; /* --allow-shrink */
	double window_s;   /* PEAK: how long the watch summary covers; 0 unknown */
	bool is_capped;    /* the count is at max: the demand is a lower bound */
	/* Entries of every namespace together (0 unknown): they share the one
	 * hash table, so buckets are sized for them x growth too. */
	uint64_t total_entries;
	struct plan_kube_cfg kube; /* the running kube-proxy's values, if any */
};

/* A shrink needs a watch summary that covers at least a day's busy hours. */
#define PLAN_SHRINK_MIN_WINDOW_S (24.0 * 3600)

/* What the recommendation does to the current settings. */
enum plan_change {
	PLAN_CHANGE_UNKNOWN = 0, /* current settings unknown: the sizing as it is */
	PLAN_CHANGE_RAISE,       /* one knob or both go up, neither down */
	PLAN_CHANGE_NONE,        /* the current settings hold the demand (or may not shrink) */
	PLAN_CHANGE_SHRINK,      /* allowed: --allow-shrink, a summary of a day or more */
	PLAN_CHANGE_NO_DEMAND,   /* nothing measured (count 0): nothing to size from */
};

/* Which input was wrong and why; field is the plan_input member name (or
 * "max"/"buckets" for a result out of the kernel's range, or a plan_class /
 * plan_timeout member for plan_whatif(), with index set). Static strings. */
struct plan_error {
	const char *field;
	const char *reason;
	size_t index;
};

/* One step of the working: value is exact for integers below 2^53. */
#define PLAN_WORKING_LEN 112
struct plan_step {
	const char *name;               /* stable id, e.g. "max_raw" */
	const char *formula;            /* symbolic, e.g. "ceil(demand / (1 - headroom))" */
	char working[PLAN_WORKING_LEN]; /* the same with numbers filled in */
	double value;
	const char *unit; /* "entries", "buckets", "bytes", "%", "x" */
};

/* A sizing and its kernel memory (with and without extensions). */
struct plan_sizing {
	uint64_t max;
	uint64_t buckets;
	uint64_t mem_bytes;
	uint64_t mem_ext_bytes;
};

/* What a running kube-proxy does to the recommendation at its next start. */
enum plan_kube_effect {
	PLAN_KUBE_NOT_RUNNING = 0,
	PLAN_KUBE_LEAVES,  /* maxPerCore 0: it leaves max and hashsize alone */
	PLAN_KUBE_AGREES,  /* it writes the recommended max */
	PLAN_KUBE_RAISES,  /* it writes a larger max (every release) */
	PLAN_KUBE_LOWERS,  /* it writes a smaller max (releases before PR 142035) */
	PLAN_KUBE_UNKNOWN, /* its --config file could not be read */
};

#define PLAN_MAX_STEPS 24
struct plan_result {
	uint64_t demand;
	uint64_t max_raw;
	struct plan_sizing rec;   /* the recommendation: what apply writes (guarded) */
	struct plan_sizing sized; /* what the demand alone gives, before the guard */
	enum plan_change change;
	/* PLAN_CHANGE_NONE / NO_DEMAND: why the current settings are kept, or
	 * RAISE with a knob kept from going down; static text, NULL when not */
	const char *kept_why;
	double headroom_now_pct; /* 100 x (1 - demand / current max); -1 unknown */
	uint64_t mem_used_bytes; /* rec memory matching has_ext */
	double mem_used_pct_ram;
	double chain_at_full; /* 2 x max / buckets: each entry hashes twice */
	bool has_budget;
	bool is_over_budget;         /* mem_used_bytes > budget_bytes */
	struct plan_sizing fit;      /* largest tidy max within budget; max 0: none */
	struct plan_sizing kern_def; /* kernel default for this RAM (5.15+) */
	struct plan_sizing kube;     /* kube-proxy's formula, 1.36+ rule; max 0: leaves it */
	struct plan_sizing kube_old; /* the same before 1.36 (no cap) */
	uint64_t kube_per_core;      /* the values used (its own, or its defaults) */
	uint64_t kube_min;
	enum plan_kube_effect kube_effect;
	bool has_current;
	struct plan_sizing current; /* cur_max/cur_buckets when both known */
	size_t n_steps;
	struct plan_step steps[PLAN_MAX_STEPS];
};

/* Defaults: PEAK, growth 1, headroom 0.2, load 1, 64-bit, slab 256, ext 128,
 * page 4096, no budget, current unknown. ram_bytes and cpus stay 0 and must
 * be set. */
void plan_input_init(struct plan_input *in);

/* 0 and *out filled; -EINVAL a bad input (including a budget_bytes below the
 * memory cur_count entries and cur_buckets already use), -ERANGE a result
 * beyond what the kernel accepts (field "max" or "buckets") or growth out of
 * range. An over-budget plan is not an error: is_over_budget and fit say so. */
int plan_compute(const struct plan_input *in, struct plan_result *out, struct plan_error *err);

/* The guard, run by plan_compute() on the sizing (plan_guard.c): never
 * below the current settings unless the demand comes from a summary of at
 * least PLAN_SHRINK_MIN_WINDOW_S, not capped, and allow_shrink; even then
 * never below the kernel's default for this RAM; a knob never goes down
 * while the other goes up; a count of 0 sizes nothing. Sets rec, sized,
 * change, kept_why, headroom_now_pct. */
void plan_guard(const struct plan_input *in, struct plan_result *r);

/* tidy(x) as above, for x <= 2^62. */
uint64_t plan_tidy_max(uint64_t x);

/* buckets rounded up as nf_ct_alloc_hashtable() does; page a power of two. */
uint64_t plan_kernel_round_buckets(uint64_t buckets, uint64_t page_bytes);

/* The 5.15+ boot default: buckets = RAM/131072, 262144 if 64-bit and RAM >
 * 4 GiB, 65536 if RAM > 1 GiB, at least 1024, kernel-rounded; max = buckets.
 * Fills max and buckets only. */
void plan_kernel_default(uint64_t ram_bytes, uint64_t page_bytes, bool is_64bit,
			 struct plan_sizing *out);

/* kube-proxy (pkg/proxy/conntrack/sysctls.go): with maxPerCore > 0 it sets
 * max = max(maxPerCore x cpus, min), where since Kubernetes 1.36 (PR 137002)
 * a maxPerCore x cpus above 1048576 gives 1048576 (has_cap; older releases
 * have no cap: 2097152 on 64 CPUs), and raises hashsize to max/4 only when
 * the current one (cur_buckets, -1 unknown) is smaller. maxPerCore 0 leaves
 * both alone: max 0, buckets cur_buckets (0 unknown). Fills max and
 * buckets only. */
void plan_kube_proxy(unsigned cpus, uint64_t per_core, uint64_t min, bool has_cap,
		     int64_t cur_buckets, uint64_t page_bytes, struct plan_sizing *out);

/* A kube-proxy value as given (-1: not given) or its default. */
uint64_t plan_kube_value(int64_t v, uint64_t dflt);

/* What a running kube-proxy (in->kube) writing kube_max (0: nothing) at
 * its next start does to a recommended rec_max. */
enum plan_kube_effect plan_kube_effect_of(const struct plan_input *in, uint64_t kube_max,
					  uint64_t rec_max);

/* Little's law. A class is one protocol/state; its entries in steady state
 * are new flows per second x mean lifetime in the table. A change to the
 * timeout a class's timeout_knob names (the smallest, if several) moves its
 * lifetime, in two parts:
 *  - flows that ended by that timeout (idle_share of them, mean lifetime
 *    idle_lifetime_s) lived active + old timeout, so they live
 *      idle_lifetime_s - timeout_s + new            (raising lengthens them)
 *    when timeout_s (the old value) is known and idle_lifetime_s >= it,
 *    else min(idle_lifetime_s, new);
 *  - every other flow (closed, or still open at the end of the watch) is
 *    capped: min(rest lifetime, new), as if idle all along: an upper bound
 *    on the effect of a lower timeout, and a raised one never lengthens it.
 * The mean of each part stands for its flows ("~"); a class with
 * idle_share 0 is simply capped. is_lower_bound only travels to the
 * report: lifetimes that include open flows' ages are lower bounds. */
#define PLAN_MAX_CLASSES 32
struct plan_class {
	const char *name;         /* borrowed, e.g. "tcp_established" */
	const char *timeout_knob; /* sysctl that ends this class's idle flows, or NULL */
	double new_per_s;         /* finite, >= 0 */
	double lifetime_s;        /* finite, >= 0: mean over all its flows */
	double timeout_s;         /* the knob's value when observed; 0 unknown */
	double idle_share;        /* 0..1: share of flows that ended by the timeout */
	double idle_lifetime_s;   /* their mean; idle_share x it <= lifetime_s */
	bool is_lower_bound;
};

struct plan_timeout {
	const char *knob; /* e.g. "net.netfilter.nf_conntrack_tcp_timeout_established" */
	double timeout_s; /* finite, > 0; several for one knob: the smallest wins */
};

struct plan_whatif {
	size_t n;
	double before[PLAN_MAX_CLASSES]; /* entries per class */
	double after[PLAN_MAX_CLASSES];
	double lifetime_after_s[PLAN_MAX_CLASSES];
	bool is_changed[PLAN_MAX_CLASSES];
	double before_total;
	double after_total;
	uint64_t after_entries; /* ceil(after_total): usable as a plan target */
	size_t n_changed;
};

/* 0 and *entries = new_per_s x lifetime_s; -EINVAL if either is negative,
 * NaN or infinite. */
int plan_little(double new_per_s, double lifetime_s, double *entries);

/* 0 and *out filled; -EINVAL a bad class or change (err->index says which),
 * -ERANGE more than PLAN_MAX_CLASSES classes or a total beyond 2^53. */
int plan_whatif(const struct plan_class *cls, size_t n, const struct plan_timeout *chg,
		size_t n_chg, struct plan_whatif *out, struct plan_error *err);

#endif
