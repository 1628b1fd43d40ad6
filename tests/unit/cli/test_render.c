/* test_render.c: the check renderers against golden files, plus the checks a
 * golden file cannot make: JSON that parses back to the same values,
 * exposition lines that follow the format, no raw control characters in
 * text, write errors reported.
 * UPDATE_GOLDEN=1 rewrites tests/golden/check-*; review the diff. The golden
 * directory is under $CTADVISOR_SRCDIR, or the current directory. */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <jansson.h>

#include "../../../collect/check_netns.h"
#include "../../../render/escape.h"
#include "../../../analysis/nat_check.h"
#include "../../../render/render.h"
#include "../../../render/render_plugin.h"
#include "../common/golden.h"

typedef int (*render_fn)(FILE *, const struct ct_snapshot *, const struct rules_report *,
			 const struct render_opts *);

static const struct render_opts plain = {.color = false, .version = "0.0.0-test"};
static const struct render_plugin_opts plugin_defaults = {"75", "90", RENDER_PLUGIN_MAX_BYTES};

/* What `ctadvisor check` prints in text format: the plugin line, then the
 * report; the golden files hold this. */
static int render_check_text(FILE *out, const struct ct_snapshot *snap,
			     const struct rules_report *rep, const struct render_opts *opts)
{
	return render_plugin_text(out, snap, rep, opts, &plugin_defaults);
}

/* ---- fixtures: snapshots and reports built by hand ---- */

struct knob_def {
	const char *name, *value;
	int err;
	bool is_writable;
};

static void add_knobs(struct ct_snapshot *s, const struct knob_def *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct snap_knob kn = {.err = k[i].err, .is_writable = k[i].is_writable};

		snprintf(kn.name, sizeof(kn.name), "%s", k[i].name);
		snprintf(kn.value, sizeof(kn.value), "%s", k[i].value);
		assert_int_equal(snap_add_knob(s, &kn), 0);
	}
}

/* The counters conntrack -S shows on current kernels. */
static const unsigned modern_slots[] = {
    SNAP_STAT_FOUND,         SNAP_STAT_INVALID,      SNAP_STAT_INSERT, SNAP_STAT_INSERT_FAILED,
    SNAP_STAT_DROP,          SNAP_STAT_EARLY_DROP,   SNAP_STAT_ERROR,  SNAP_STAT_SEARCH_RESTART,
    SNAP_STAT_CLASH_RESOLVE, SNAP_STAT_CHAINTOOLONG,
};

/* n CPUs; counter slot s on CPU c is base[s] * (c + 1). */
static void add_cpus(struct ct_snapshot *s, size_t n, const uint64_t base[SNAP_STAT_SLOTS])
{
	s->cpus = calloc(n, sizeof(*s->cpus));
	assert_non_null(s->cpus);
	s->n_cpus = n;
	for (size_t c = 0; c < n; c++) {
		s->cpus[c].cpu = (unsigned)c;
		for (size_t i = 0; i < sizeof(modern_slots) / sizeof(modern_slots[0]); i++) {
			unsigned slot = modern_slots[i];

			s->cpus[c].present |= UINT32_C(1) << slot;
			s->cpus[c].v[slot] = base[slot] * (c + 1);
		}
	}
	s->has_stats = true;
	s->stats_src = SNAP_SRC_NETLINK;
	snap_sum_cpus(s);
}

static void top(struct snap_top_item *t, const char *key, uint64_t count, uint64_t error)
{
	snprintf(t->key, sizeof(t->key), "%s", key);
	t->count = count;
	t->error = error;
}

static struct rules_finding *add_finding(struct rules_report *r, const char *id, enum rules_sev sev,
					 const char *summary)
{
	struct rules_finding *f = &r->findings[r->n_findings++];

	memset(f, 0, sizeof(*f));
	f->id = id;
	f->sev = sev;
	snprintf(f->summary, sizeof(f->summary), "%s", summary);
	return f;
}

static void add_ev(struct rules_finding *f, const char *name, double v, const char *unit)
{
	f->ev[f->n_ev++] = (struct rules_evidence){.name = name, .value = v, .unit = unit};
}

static void add_cmd(struct rules_finding *f, const char *cmd)
{
	snprintf(f->commands[f->n_commands++], sizeof(f->commands[0]), "%s", cmd);
}

static void report_init(struct rules_report *r)
{
	memset(r, 0, sizeof(*r));
	r->d = (struct rules_derived){-1, -1, -1, -1, -1, -1, -1, -1, 0};
}

static const struct knob_def healthy_knobs[] = {
    {"net.netfilter.nf_conntrack_acct", "0", 0, true},
    {"net.netfilter.nf_conntrack_buckets", "262144", 0, true},
    {"net.netfilter.nf_conntrack_checksum", "1", 0, true},
    {"net.netfilter.nf_conntrack_count", "14", 0, false},
    {"net.netfilter.nf_conntrack_max", "262144", 0, true},
    {"net.netfilter.nf_conntrack_tcp_timeout_established", "432000", 0, true},
    {"net.netfilter.nf_conntrack_timestamp", "0", 0, true},
    {"net.netfilter.nf_conntrack_udp_timeout", "30", 0, true},
    {"net.netfilter.nf_log.2", "NONE", 0, true},
    {"module.nf_conntrack.hashsize", "262144", 0, true},
};

static void healthy_walk(struct snap_walk *w)
{
	w->attempts = 1;
	w->entries = 14;
	w->ipv4 = 14;
	w->by_proto[6] = 10;
	w->by_proto[17] = 4;
	w->tcp_state[3] = 10;
	w->unreplied = 4;
	w->assured = 10;
	w->nat_none = 10;
	w->nat_src = 4;
	w->zones[0] = (struct snap_value_count){0, 14};
	w->n_zones = 1;
	w->marks[0] = (struct snap_value_count){0, 14};
	w->n_marks = 1;
	w->timeout_bins[1] = 4;
	w->timeout_bins[5] = 10;
	top(&w->top_src[0], "10.1.0.1", 10, 0);
	top(&w->top_src[1], "10.1.0.2", 4, 0);
	w->n_top_src = 2;
	top(&w->top_dport[0], "tcp/5001", 10, 0);
	top(&w->top_dport[1], "udp/53", 4, 0);
	w->n_top_dport = 2;
}

static void case_healthy(struct ct_snapshot *s, struct rules_report *r)
{
	uint64_t base[SNAP_STAT_SLOTS] = {[SNAP_STAT_FOUND] = 7, [SNAP_STAT_INVALID] = 1};
	struct rules_finding *f;

	s->is_init_netns = true;
	s->has_cap_net_admin = true;
	s->ram_bytes = 25000000000;
	s->ncpus = 4;
	add_knobs(s, healthy_knobs, sizeof(healthy_knobs) / sizeof(healthy_knobs[0]));
	s->set.max = s->set.buckets = s->set.hashsize = 262144;
	s->set.acct = s->set.timestamp = 0;
	s->has_count = s->has_max = true;
	s->count = 14;
	s->max = 262144;
	s->count_src = SNAP_SRC_NETLINK;
	add_cpus(s, 4, base);
	s->has_walk = true;
	healthy_walk(&s->walk);
	s->has_slab = true;
	s->slab_obj_bytes = 256;

	report_init(r);
	r->worst = RULES_SEV_INFO;
	r->d =
	    (struct rules_derived){0.005340576171875, 0.0001068115234375, 2.0,       128, 2097152,
				   2100736,           69206016,           102760448, 14};
	f = add_finding(r, "acct-off", RULES_SEV_INFO,
			"Flow accounting is off, so the table walk cannot show packets and bytes "
			"per flow; turning it on costs 128 bytes per entry.");
	add_ev(f, "ext_bytes", 128, "bytes");
	add_cmd(f, "ctadvisor apply --set net.netfilter.nf_conntrack_acct=1");
	snprintf(f->equivalent, sizeof(f->equivalent),
		 "sysctl -w net.netfilter.nf_conntrack_acct=1");
}

static const struct knob_def critical_knobs[] = {
    {"net.netfilter.nf_conntrack_acct", "1", 0, true},
    {"net.netfilter.nf_conntrack_buckets", "262144", 0, false},
    {"net.netfilter.nf_conntrack_max", "262144", 0, false},
    {"net.netfilter.nf_conntrack_udp_timeout", "30", 0, true},
    {"module.nf_conntrack.hashsize", "262144", 0, false},
};

static void critical_walk(struct snap_walk *w)
{
	w->entries = 261950;
	w->ipv4 = 261000;
	w->ipv6 = 950;
	w->by_proto[6] = 1950;
	w->by_proto[17] = 259990;
	w->by_proto[1] = 8;
	w->by_proto[253] = 2; /* no name: "proto-253" */
	w->tcp_state[1] = 700;
	w->tcp_state[3] = 1000;
	w->tcp_state[7] = 249;
	w->tcp_state[SNAP_TCP_STATES] = 1; /* a state newer than our table */
	w->unreplied = 259000;
	w->assured = 2000;
	w->nat_none = 1950;
	w->nat_src = 260000;
	for (size_t i = 0; i < 3; i++)
		w->zones[i] = (struct snap_value_count){(uint32_t)i * 10, 87000 - i};
	w->n_zones = 3;
	w->zones_other = 953;
	w->marks[0] = (struct snap_value_count){0, 261000};
	w->marks[1] = (struct snap_value_count){4096, 950};
	w->n_marks = 2;
	w->marked = 950;
	w->with_acct = 261950;
	w->packets = 5238000;
	w->bytes = 2147483648ULL;
	w->timeout_bins[0] = 200000;
	w->timeout_bins[1] = 60000;
	w->timeout_bins[6] = 1950;
	top(&w->top_src[0], "192.0.2.10", 250000, 0);
	top(&w->top_src[1], "2001:db8:ffff:ffff:ffff:ffff:ffff:1", 950, 12);
	w->n_top_src = 2;
	top(&w->top_dport[0], "udp/53", 259000, 3);
	w->n_top_dport = 1;
	w->is_interrupted = true;
	w->attempts = 3; /* interrupted each time: the walk gave up retrying */
	w->lost = 12;
}

static void critical_findings(struct rules_report *r)
{
	struct rules_finding *f;

	f = add_finding(r, "table-full", RULES_SEV_CRITICAL,
			"5 packets were dropped and 10 entries evicted early because the table was "
			"full: new connections are failing.");
	add_ev(f, "count", 262000, "entries");
	add_ev(f, "max", 262144, "entries");
	add_ev(f, "drop", 5, "packets");
	add_ev(f, "early_drop", 10, "entries");
	add_cmd(f, "ctadvisor apply --set net.netfilter.nf_conntrack_max=524288 --set "
		   "net.netfilter.nf_conntrack_buckets=524288");
	add_cmd(f, "ctadvisor plan --growth 2");
	snprintf(f->equivalent, sizeof(f->equivalent),
		 "sysctl -w net.netfilter.nf_conntrack_max=524288 "
		 "net.netfilter.nf_conntrack_buckets=524288");
	f = add_finding(r, "unreplied-high", RULES_SEV_WARNING,
			"98.87% of the walked entries never saw a reply (UDP to unanswered "
			"destinations, scans, or asymmetric routing); they hold slots until "
			"they time out.");
	add_ev(f, "unreplied", 259000, "entries");
	add_ev(f, "entries", 261950, "entries");
	add_ev(f, "unreplied_pct", 98.873830883756, "%");
	add_cmd(f, "ctadvisor apply --netns lab1 --set net.netfilter.nf_conntrack_udp_timeout=10");
	snprintf(f->equivalent, sizeof(f->equivalent),
		 "ip netns exec lab1 sysctl -w net.netfilter.nf_conntrack_udp_timeout=10");
	f = add_finding(r, "memory-at-max", RULES_SEV_WARNING,
			"A full table would take 98.0 MiB of kernel memory.");
	add_ev(f, "mem_at_max_bytes", 102760448, "bytes");
	add_ev(f, "mem_pct_ram", 0.5, "%");
	add_finding(r, "walk-interrupted", RULES_SEV_INFO,
		    "The table changed during the dump and 12 messages were lost.");
}

/* A saturated NAT key and two other namespaces, as check --all-netns
 * fills them. */
static void critical_nat_netns(struct ct_snapshot *s)
{
	struct snap_all_netns *all = &s->all_ns;

	s->nat = (struct snap_nat_worst){.has_nat = true,
					 .warn_pct = 70,
					 .crit_pct = 90,
					 .snat_entries = 9500,
					 .keys = 3,
					 .has_row = true,
					 .proto = "tcp",
					 .nat_addr = "198.51.100.1",
					 .dst = "192.0.2.7",
					 .dport = 443,
					 .in_use = 9000,
					 .capacity = 10000,
					 .port_lo = 30000,
					 .port_hi = 39999,
					 .saturation_pct = 90};
	all->has_all = true;
	all->n_found = 2;
	all->n_failed = 1;
	all->n_alerting = 1;
	all->n_list = 2;
	all->list[0] = (struct snap_netns){.name = "",
					   .inode = 4026532999,
					   .owner = "pod shop/cart-7d9",
					   .pod = "cart-7d9",
					   .pod_namespace = "shop",
					   .target = "4242",
					   .has_count = true,
					   .count = 240000,
					   .fill_pct = 91.552734375,
					   .has_stats = true,
					   .drop = 12,
					   .alert = 2};
	all->list[1] = (struct snap_netns){.name = "blue",
					   .inode = 4026532001,
					   .owner = "netns blue",
					   .target = "blue",
					   .err = EPERM,
					   .fill_pct = -1};
	all->worst_fill = 0;
	all->worst_drop = 0;
	all->worst_early_drop = -1;
	all->worst_insert_failed = -1;
}

static void case_critical(struct ct_snapshot *s, struct rules_report *r)
{
	uint64_t base[SNAP_STAT_SLOTS] = {[SNAP_STAT_FOUND] = 1234567,
					  [SNAP_STAT_INSERT] = 0,
					  [SNAP_STAT_DROP] = 0,
					  [SNAP_STAT_CLASH_RESOLVE] = 3};

	snprintf(s->netns, sizeof(s->netns), "lab1");
	s->ram_bytes = 20ULL << 30;
	s->ncpus = 16;
	add_knobs(s, critical_knobs, sizeof(critical_knobs) / sizeof(critical_knobs[0]));
	s->set.max = s->set.buckets = s->set.hashsize = 262144;
	s->set.acct = 1;
	s->has_count = s->has_max = true;
	s->count = 262000;
	s->max = 262144;
	s->count_src = SNAP_SRC_NETLINK;
	add_cpus(s, 16, base);
	s->cpus[3].v[SNAP_STAT_DROP] = 5;
	s->cpus[5].v[SNAP_STAT_EARLY_DROP] = 10;
	snap_sum_cpus(s);
	s->has_walk = true;
	critical_walk(&s->walk);
	s->has_slab = true;
	s->slab_obj_bytes = 256;
	/* A window of five minutes since the previous run. */
	s->prev.state = SNAP_PREV_OK;
	s->prev.window_s = 300;

	report_init(r);
	r->worst = RULES_SEV_CRITICAL;
	r->d = (struct rules_derived){99.945068359375, 1.9989013671875, 2.0,       128,   2097152,
				      102705152,       102760448,       102760448, 261950};
	critical_findings(r);
	critical_nat_netns(s);
}

static const struct knob_def partial_knobs[] = {
    {"net.netfilter.nf_conntrack_count", "", EACCES, false},
    {"net.netfilter.nf_conntrack_max", "262144", 0, false},
    {"module.nf_conntrack.hashsize", "", ENOENT, false},
};

static void case_partial(struct ct_snapshot *s, struct rules_report *r)
{
	snprintf(s->netns, sizeof(s->netns), "lab2");
	add_knobs(s, partial_knobs, sizeof(partial_knobs) / sizeof(partial_knobs[0]));
	s->set.max = 262144;
	s->has_max = true;
	s->max = 262144;
	snap_add_problem(s, "count", EPERM,
			 "ctnetlink refused GET_STATS and %s was unreadable: run as root or with "
			 "CAP_NET_ADMIN in this network namespace",
			 "/proc/sys/net/netfilter/nf_conntrack_count");
	snap_add_problem(s, "counters", EPERM,
			 "per-CPU counters need CAP_NET_ADMIN (ctnetlink) or a readable "
			 "/proc/net/stat/nf_conntrack");
	snap_add_problem(s, "walk", EPERM, "the table dump needs CAP_NET_ADMIN");
	snap_add_problem(s, "slab", ENOENT,
			 "no /sys/kernel/slab/nf_conntrack and /proc/slabinfo unreadable: memory "
			 "figures are unknown");

	report_init(r);
	r->is_unknown = true;
	r->worst = RULES_SEV_INFO;
	r->d.ext_bytes = 128;
	add_finding(r, "partial-data", RULES_SEV_INFO,
		    "4 parts of the snapshot could not be read; the findings below cover only "
		    "what was.");
}

/* ESC sequences, a newline, quotes, a backslash, a tab, an invalid byte, a
 * C1 CSI (U+009B) and a right-to-left override. The bidi character is the
 * point of this case, hence the NOLINT. */
/* NOLINTBEGIN(misc-misleading-bidirectional) */
#define HOSTILE "evil\x1b[31mred\x1b[0m\n\"q\"\\b\tt\xff\xc2\x9b\xe2\x80\xae!"
/* What JSON can carry of it: everything but the invalid byte. */
#define HOSTILE_JSON "evil\x1b[31mred\x1b[0m\n\"q\"\\b\tt\\xff\xc2\x9b\xe2\x80\xae!"

static void case_hostile(struct ct_snapshot *s, struct rules_report *r)
{
	static const struct knob_def knobs[] = {
	    {"net.netfilter.nf_conntrack_helper", "\x1b]0;pwned\x07", 0, true},
	    {"net.netfilter.nf_conntrack_max", "100", 0, false},
	};
	struct rules_finding *f;
	char q[256];

	snprintf(s->netns, sizeof(s->netns), "%s", HOSTILE);
	add_knobs(s, knobs, 2);
	s->set.max = 100;
	s->has_count = s->has_max = true;
	s->count = 80;
	s->max = 100;
	s->count_src = SNAP_SRC_PROC;
	snap_add_problem(s, "netns\x1b[2J", ENOENT, "cannot open /run/netns/%s", HOSTILE);

	report_init(r);
	r->worst = RULES_SEV_WARNING;
	r->d.fill_pct = 80;
	f = add_finding(r, "table-fill", RULES_SEV_WARNING,
			"The table of netns " HOSTILE " is 80.00% full.");
	add_ev(f, "fill_pct", 80, "%");
	add_cmd(f, "ctadvisor apply --set net.netfilter.nf_conntrack_max=65536");
	snprintf(f->equivalent, sizeof(f->equivalent),
		 "sysctl -w net.netfilter.nf_conntrack_max=65536");
	/* A per-namespace knob names the namespace, quoted as the rules quote it. */
	f = add_finding(r, "acct-off", RULES_SEV_INFO, "Accounting is off in " HOSTILE ".");
	rules_shell_quote(q, sizeof(q), HOSTILE);
	snprintf(f->commands[f->n_commands++], sizeof(f->commands[0]),
		 "ctadvisor apply --netns %s --set net.netfilter.nf_conntrack_acct=1", q);
	snprintf(f->equivalent, sizeof(f->equivalent),
		 "ip netns exec %s sysctl -w net.netfilter.nf_conntrack_acct=1", q);
	s->nat = (struct snap_nat_worst){.has_nat = true, .warn_pct = 70, .crit_pct = 90};
	s->all_ns = (struct snap_all_netns){.has_all = true,
					    .n_found = 1,
					    .n_list = 1,
					    .worst_fill = 0,
					    .worst_drop = -1,
					    .worst_early_drop = -1,
					    .worst_insert_failed = -1};
	snprintf(s->all_ns.list[0].name, sizeof(s->all_ns.list[0].name), "%s", HOSTILE);
	snprintf(s->all_ns.list[0].owner, sizeof(s->all_ns.list[0].owner), "procs: %s", HOSTILE);
	snprintf(s->all_ns.list[0].pod, sizeof(s->all_ns.list[0].pod), "%s", HOSTILE);
	s->all_ns.list[0].has_count = true;
	s->all_ns.list[0].count = 3;
	s->all_ns.list[0].fill_pct = 3;
}

/* NOLINTEND(misc-misleading-bidirectional) */

struct render_case {
	const char *name;
	void (*build)(struct ct_snapshot *, struct rules_report *);
	const char *status;
	int exit_code;
};

static const struct render_case cases[] = {
    {"healthy", case_healthy, "OK", 0},
    {"critical", case_critical, "CRITICAL", 2},
    {"partial", case_partial, "UNKNOWN", 3},
    {"hostile", case_hostile, "WARNING", 1},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

static const struct {
	const char *ext;
	render_fn fn;
} formats[] = {
    {"txt", render_check_text},
    {"json", render_json},
    {"prom", render_prom},
};
#define N_FORMATS (sizeof(formats) / sizeof(formats[0]))

/* ---- helpers ---- */

struct rendered {
	char *buf;
	size_t len;
};

static void render_case(size_t ci, render_fn fn, const struct render_opts *opts,
			struct rendered *out)
{
	struct ct_snapshot snap;
	struct rules_report rep;
	FILE *f;

	snap_init(&snap);
	cases[ci].build(&snap, &rep);
	f = open_memstream(&out->buf, &out->len);
	assert_non_null(f);
	if (fn(f, &snap, &rep, opts) != 0)
		fail_msg("case %zu (%s): renderer failed", ci, cases[ci].name);
	assert_int_equal(fclose(f), 0);
	snap_free(&snap);
}

/* ---- golden files ---- */

static void test_golden(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		for (size_t fi = 0; fi < N_FORMATS; fi++) {
			struct rendered r = {0};
			char name[256];

			render_case(ci, formats[fi].fn, &plain, &r);
			snprintf(name, sizeof(name), "check-%s.%s", cases[ci].name,
				 formats[fi].ext);
			golden_check(name, r.buf, r.len);
			free(r.buf);
		}
	}
}

/* ---- JSON: parses back, keys in the documented order, values intact ---- */

#define N_JSON_KEYS 16
static const char *const json_keys[N_JSON_KEYS] = {
    "schema",   "tool",   "version", "status", "exit_code", "netns",     "settings", "occupancy",
    "counters", "window", "walk",    "memory", "nat",       "all_netns", "findings", "problems",
};

static json_t *render_json_case(size_t ci)
{
	struct rendered r = {0};
	json_error_t err;
	json_t *root;

	render_case(ci, render_json, &plain, &r);
	root = json_loadb(r.buf, r.len, JSON_REJECT_DUPLICATES, &err);
	free(r.buf);
	if (root == NULL) /* jansson accepts NULL everywhere, should this return */
		fail_msg("case %zu: invalid JSON at line %d: %s", ci, err.line, err.text);
	return root;
}

static void test_json_top_level(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		json_t *root = render_json_case(ci);
		const char *key, *status = NULL;
		json_t *v;
		size_t k = 0;
		int schema = 0, code = -1;

		json_object_foreach(root, key, v)
		{
			if (k >= N_JSON_KEYS || strcmp(key, json_keys[k]) != 0)
				fail_msg("case %zu: key %zu is \"%s\"", ci, k, key);
			k++;
		}
		assert_int_equal(k, N_JSON_KEYS);
		if (json_unpack(root, "{s:i, s:s, s:i}", "schema", &schema, "status", &status,
				"exit_code", &code) != 0)
			fail_msg("case %zu: schema/status/exit_code missing", ci);
		assert_int_equal(schema, 1);
		if (strcmp(status, cases[ci].status) != 0 || code != cases[ci].exit_code)
			fail_msg("case %zu: status %s exit %d, want %s %d", ci, status, code,
				 cases[ci].status, cases[ci].exit_code);
		json_decref(root);
	}
}

static void test_json_partial_nulls(void **state)
{
	json_t *root = render_json_case(2);
	json_t *knob =
	    json_object_get(json_object_get(root, "settings"), "net.netfilter.nf_conntrack_count");

	(void)state;
	assert_true(json_is_null(json_object_get(root, "occupancy")));
	assert_true(json_is_null(json_object_get(root, "counters")));
	assert_true(json_is_null(json_object_get(root, "walk")));
	assert_true(json_is_null(json_object_get(json_object_get(root, "memory"), "now_bytes")));
	assert_true(json_is_null(json_object_get(knob, "value")));
	assert_string_equal(json_string_value(json_object_get(knob, "error")), "EACCES");
	assert_int_equal(json_array_size(json_object_get(root, "problems")), 4);
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(root, "problems"), 0), "error")),
			    "EPERM");
	json_decref(root);
}

static void test_json_critical_values(void **state)
{
	json_t *root = render_json_case(1);
	json_t *walk = json_object_get(root, "walk");
	json_t *f0 = json_array_get(json_object_get(root, "findings"), 0);
	json_t *ev = json_object_get(f0, "evidence");
	json_t *dport = json_array_get(json_object_get(walk, "top_dports"), 0);
	json_t *total = json_object_get(json_object_get(root, "counters"), "total");

	(void)state;
	assert_true(json_is_integer(json_object_get(ev, "drop")));
	assert_int_equal(json_integer_value(json_object_get(ev, "drop")), 5);
	assert_string_equal(json_string_value(json_object_get(f0, "severity")), "critical");
	assert_int_equal(json_array_size(json_object_get(f0, "commands")), 2);
	assert_string_equal(json_string_value(json_object_get(f0, "equivalent")),
			    "sysctl -w net.netfilter.nf_conntrack_max=524288 "
			    "net.netfilter.nf_conntrack_buckets=524288");
	assert_int_equal(json_integer_value(json_object_get(walk, "attempts")), 3);
	assert_string_equal(json_string_value(json_object_get(dport, "proto")), "udp");
	assert_int_equal(json_integer_value(json_object_get(dport, "port")), 53);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(walk, "protocols"), "proto-253")),
	    2);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(walk, "tcp_states"), "UNKNOWN")), 1);
	/* 16 CPUs: found = 1234567 x (1 + ... + 16) */
	assert_int_equal(json_integer_value(json_object_get(total, "found")), 1234567 * 136);
	assert_int_equal(json_object_size(total), 10);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(root, "counters"), "per_cpu")), 16);
	assert_true(json_is_true(json_object_get(walk, "interrupted")));
	json_decref(root);
}

/* NOLINTBEGIN(misc-misleading-bidirectional): deliberate */
/* Control characters survive as JSON escapes; only the invalid byte is lost.
 * The output itself is printable ASCII. */
static void test_json_hostile(void **state)
{
	json_t *root = render_json_case(3);
	struct rendered r = {0};

	render_case(3, render_json, &plain, &r);
	for (size_t i = 0; i < r.len; i++)
		if (r.buf[i] != '\n' && (r.buf[i] < 0x20 || r.buf[i] >= 0x7f))
			fail_msg("byte %zu is 0x%02x", i, (unsigned char)r.buf[i]);
	free(r.buf);
	json_t *p0 = json_array_get(json_object_get(root, "problems"), 0);
	json_t *knob =
	    json_object_get(json_object_get(root, "settings"), "net.netfilter.nf_conntrack_helper");

	(void)state;
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(root, "netns"), "name")),
	    HOSTILE_JSON);
	assert_string_equal(json_string_value(json_object_get(p0, "detail")),
			    "cannot open /run/netns/" HOSTILE_JSON);
	assert_string_equal(json_string_value(json_object_get(p0, "what")), "netns\x1b[2J");
	assert_string_equal(json_string_value(json_object_get(knob, "value")), "\x1b]0;pwned\x07");
	json_decref(root);
}
/* NOLINTEND(misc-misleading-bidirectional) */

/* uint64 counters above 2^63 - 1 are clamped, not wrapped negative. */
static void test_json_u64_clamp(void **state)
{
	struct ct_snapshot snap;
	struct rules_report rep;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *root, *occ;

	(void)state;
	assert_non_null(f);
	snap_init(&snap);
	case_healthy(&snap, &rep);
	snap.count = UINT64_MAX;
	snap.total.v[SNAP_STAT_FOUND] = (uint64_t)INT64_MAX + 1;
	assert_int_equal(render_json(f, &snap, &rep, &plain), 0);
	fclose(f);
	root = json_loadb(buf, len, 0, NULL);
	assert_non_null(root);
	occ = json_object_get(root, "occupancy");
	assert_int_equal(json_integer_value(json_object_get(occ, "count")), INT64_MAX);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_object_get(root, "counters"), "total"), "found")),
			 INT64_MAX);
	json_decref(root);
	free(buf);
	snap_free(&snap);
}

/* ---- Prometheus: every line follows the text format 0.0.4 ---- */

static bool is_name_char(char c, bool is_first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!is_first && c >= '0' && c <= '9');
}

/* A quoted label value: only \\ \" \n escapes, no raw control bytes. */
static const char *prom_value(const char *p, size_t ci, size_t line)
{
	if (*p++ != '"')
		fail_msg("case %zu line %zu: label value not quoted", ci, line);
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20 || *p == '\0')
			fail_msg("case %zu line %zu: raw control byte in a label", ci, line);
		if (*p == '\\' && (p[1] == '\\' || p[1] == '"' || p[1] == 'n'))
			p++;
		else if (*p == '\\')
			fail_msg("case %zu line %zu: bad escape \\%c", ci, line, p[1]);
	}
	return p + 1;
}

/* name{netns="..",l="v"} number; returns the metric name's length. */
static size_t prom_sample_line(const char *s, size_t ci, size_t line)
{
	const char *p = s;
	char *end;

	while (is_name_char(*p, p == s))
		p++;
	if (strncmp(p, "{netns=", 7) != 0)
		fail_msg("case %zu line %zu: no netns label first: %s", ci, line, s);
	for (p++; *p != '}';) {
		const char *l = p;

		while (is_name_char(*p, p == l) && *p != ':')
			p++;
		if (p == l || *p++ != '=')
			fail_msg("case %zu line %zu: bad label name", ci, line);
		p = prom_value(p, ci, line);
		if (*p == ',')
			p++;
		else if (*p != '}')
			fail_msg("case %zu line %zu: bad label list", ci, line);
	}
	if (p[1] != ' ')
		fail_msg("case %zu line %zu: no blank before the value", ci, line);
	strtod(p + 2, &end);
	if (end == p + 2 || *end != '\0')
		fail_msg("case %zu line %zu: bad value \"%s\"", ci, line, p + 2);
	return (size_t)(strchr(s, '{') - s);
}

/* Each family once, HELP then TYPE, then its samples and nothing else. */
static void prom_check(const char *buf, size_t ci)
{
	char *copy = strdup(buf), *save = NULL, family[128] = "", help[128] = "";
	char seen[48][128];
	size_t line = 0, n_seen = 0;

	assert_non_null(copy);
	for (char *s = strtok_r(copy, "\n", &save); s != NULL; s = strtok_r(NULL, "\n", &save)) {
		line++;
		if (strncmp(s, "# HELP ", 7) == 0) {
			sscanf(s + 7, "%127s", help);
			for (size_t i = 0; i < n_seen; i++)
				if (strcmp(seen[i], help) == 0)
					fail_msg("case %zu line %zu: family %s repeated", ci, line,
						 help);
			assert_in_range(n_seen, 0, 47);
			snprintf(seen[n_seen++], sizeof(seen[0]), "%s", help);
		} else if (strncmp(s, "# TYPE ", 7) == 0) {
			char type[16] = "";

			sscanf(s + 7, "%127s %15s", family, type);
			if (strcmp(family, help) != 0 ||
			    (strcmp(type, "gauge") != 0 && strcmp(type, "counter") != 0))
				fail_msg("case %zu line %zu: TYPE without HELP or bad type", ci,
					 line);
		} else {
			size_t n = prom_sample_line(s, ci, line);

			if (n != strlen(family) || strncmp(s, family, n) != 0)
				fail_msg("case %zu line %zu: sample outside its family", ci, line);
		}
	}
	free(copy);
}

static void test_prom_format(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct rendered r = {0};
		const char *st;
		int code = -1;

		render_case(ci, render_prom, &plain, &r);
		prom_check(r.buf, ci);
		st = strstr(r.buf, "\nctadvisor_check_status{");
		if (st != NULL)
			code = (int)strtol(strchr(st, '}') + 1, NULL, 10);
		if (code != cases[ci].exit_code)
			fail_msg("case %zu: check_status %d, want %d", ci, code,
				 cases[ci].exit_code);
		free(r.buf);
	}
}

/* The hostile name decodes to printable text only. */
static void test_prom_hostile_label(void **state)
{
	struct rendered r = {0};
	const char *p;

	(void)state;
	render_case(3, render_prom, &plain, &r);
	p = strstr(r.buf, "netns=\"");
	assert_non_null(p);
	assert_non_null(strstr(p, "netns=\"evil\\\\x1b[31mred\\\\x1b[0m\\n\\\"q\\\"\\\\b\\\\x09t"
				  "\\\\xff\\\\xc2\\\\x9b\\\\u202e!\""));
	assert_null(memchr(r.buf, 0x1b, r.len));
	free(r.buf);
}

/* ---- text: safe for a terminal, 80 columns, colour only on request ---- */

static size_t line_cols(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++)
		cols += ((unsigned char)s[i] & 0xc0) != 0x80;
	return cols;
}

static void test_text_layout(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct rendered r = {0};
		char head[64];
		size_t line = 1;

		render_case(ci, render_text, &plain, &r);
		snprintf(head, sizeof(head), "ctadvisor check: %s (", cases[ci].status);
		if (strncmp(r.buf, head, strlen(head)) != 0)
			fail_msg("case %zu: header is not \"%s\"", ci, head);
		for (const char *s = r.buf, *nl; (nl = strchr(s, '\n')) != NULL;
		     s = nl + 1, line++) {
			for (const char *c = s; c < nl; c++)
				if ((unsigned char)*c < 0x20 || *c == 0x7f)
					fail_msg("case %zu line %zu: raw control byte", ci, line);
			/* The hostile name and commands (kept whole, with their
			 * plain equivalent) may be long. */
			if (ci != 3 && strstr(s, "$ ") != s + 9 && strstr(s, "(or, ") != s + 11 &&
			    line_cols(s, (size_t)(nl - s)) > 80)
				fail_msg("case %zu line %zu: wider than 80 columns", ci, line);
		}
		assert_int_equal(r.buf[r.len - 1], '\n');
		free(r.buf);
	}
}

/* Commands one per line after "$ ", then the plain equivalent; a hostile
 * namespace in either is escaped, never raw. */
static void test_text_commands(void **state)
{
	struct rendered r = {0};

	(void)state;
	render_case(1, render_text, &plain, &r);
	assert_non_null(strstr(
	    r.buf, "\n         $ ctadvisor apply --set net.netfilter.nf_conntrack_max=524288 --set "
		   "net.netfilter.nf_conntrack_buckets=524288\n"
		   "           (or, without undo or read-back: sysctl -w "
		   "net.netfilter.nf_conntrack_max=524288 "
		   "net.netfilter.nf_conntrack_buckets=524288)\n"
		   "         $ ctadvisor plan --growth 2\n"));
	free(r.buf);
	render_case(3, render_text, &plain, &r);
	assert_non_null(strstr(r.buf, "$ ctadvisor apply --netns 'evil\\x1b[31mred\\x1b[0m\\n"));
	assert_non_null(strstr(r.buf, "(or, without undo or read-back: ip netns exec "
				      "'evil\\x1b[31mred"));
	assert_null(memchr(r.buf, 0x1b, r.len));
	free(r.buf);
}

static void test_text_color(void **state)
{
	const struct render_opts color = {.color = true, .version = "x"};
	struct rendered r = {0};

	(void)state;
	render_case(1, render_text, &color, &r);
	assert_non_null(strstr(r.buf, "ctadvisor check: \033[1;31mCRITICAL\033[0m"));
	assert_non_null(strstr(r.buf, "  \033[1;31m[CRIT]\033[0m table-full\n"));
	assert_non_null(strstr(r.buf, "  \033[1;33m[WARN]\033[0m unreplied-high\n"));
	free(r.buf);
	render_case(1, render_text, &plain, &r);
	assert_null(memchr(r.buf, 0x1b, r.len));
	free(r.buf);
}

/* ---- the sections the watch summary reuses ---- */

/* Exactly the Findings section of the full report, for every case. */
static void test_findings_sections(void **state)
{
	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct ct_snapshot snap;
		struct rules_report rep;
		struct rendered full = {0}, part = {0};
		FILE *f;
		json_t *root, *arr;
		const char *start;
		char *want, *got;

		snap_init(&snap);
		cases[ci].build(&snap, &rep);
		render_case(ci, render_text, &plain, &full);
		f = open_memstream(&part.buf, &part.len);
		assert_non_null(f);
		render_text_findings(f, &rep, false);
		assert_int_equal(fclose(f), 0);
		start = strstr(full.buf, "\nFindings\n");
		if (start == NULL || strncmp(start, part.buf, part.len) != 0 ||
		    strncmp(start + part.len, "\nCounters", 9) != 0)
			fail_msg("case %zu: text findings differ from the report's", ci);
		root = render_json_case(ci);
		/* Compared as text: the report's reals went through 12 digits. */
		arr = render_json_findings(&rep);
		want = json_dumps(json_object_get(root, "findings"), JSON_REAL_PRECISION(12));
		got = json_dumps(arr, JSON_REAL_PRECISION(12));
		assert_non_null(want);
		assert_non_null(got);
		if (strcmp(want, got) != 0)
			fail_msg("case %zu: JSON findings differ from the report's", ci);
		free(want);
		free(got);
		json_decref(arr);
		json_decref(root);
		free(full.buf);
		free(part.buf);
		snap_free(&snap);
	}
}

/* ---- escape helpers ---- */

/* NOLINTBEGIN(misc-misleading-bidirectional): deliberate */
static void test_escape_table(void **state)
{
	static const struct {
		enum render_esc mode;
		const char *in, *want;
	} t[] = {
	    {RENDER_ESC_TEXT, "lab1", "lab1"},
	    {RENDER_ESC_TEXT, "", ""},
	    {RENDER_ESC_TEXT, "a\x1b[2Jb", "a\\x1b[2Jb"},
	    {RENDER_ESC_TEXT, "a\nb\tc\rd", "a\\nb\\tc\\rd"},
	    {RENDER_ESC_TEXT, "back\\slash \"q\"", "back\\\\slash \"q\""},
	    {RENDER_ESC_TEXT, "del\x7f", "del\\x7f"},
	    {RENDER_ESC_TEXT, "c1\xc2\x9b", "c1\\xc2\\x9b"},
	    {RENDER_ESC_TEXT, "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},
	    {RENDER_ESC_TEXT, "rlo\xe2\x80\xae", "rlo\\u202e"},
	    {RENDER_ESC_TEXT, "bad\xff\xfe", "bad\\xff\\xfe"},
	    {RENDER_ESC_TEXT, "overlong\xc0\xaf", "overlong\\xc0\\xaf"},
	    {RENDER_ESC_TEXT, "surrogate\xed\xa0\x80", "surrogate\\xed\\xa0\\x80"},
	    {RENDER_ESC_TEXT, "cut\xe2\x82", "cut\\xe2\\x82"},
	    {RENDER_ESC_TEXT, "emoji\xf0\x9f\x98\x80", "emoji\xf0\x9f\x98\x80"},
	    {RENDER_ESC_PROM, "a\"b\\c\nd", "a\\\"b\\\\c\\nd"},
	    {RENDER_ESC_PROM, "t\tx\x1b", "t\\\\x09x\\\\x1b"},
	    {RENDER_ESC_PROM, "\xff\xe2\x80\xae", "\\\\xff\\\\u202e"},
	    {RENDER_ESC_UTF8, "a\x1b\n\"\\\xc3\xa9", "a\x1b\n\"\\\xc3\xa9"},
	    {RENDER_ESC_UTF8, "x\xffy", "x\\xffy"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[128];
		size_t n = render_escape(buf, sizeof(buf), t[i].in, t[i].mode);

		if (strcmp(buf, t[i].want) != 0 || n != strlen(t[i].want))
			fail_msg("case %zu: got \"%s\" (%zu), want \"%s\"", i, buf, n, t[i].want);
	}
}
/* NOLINTEND(misc-misleading-bidirectional) */

/* Truncation keeps whole escapes and reports the full length. */
static void test_escape_truncation(void **state)
{
	static const struct {
		size_t size;
		const char *want;
	} t[] = {
	    {0, NULL}, {1, ""}, {2, "a"}, {5, "a"}, {6, "a\\x1b"}, {7, "a\\x1bb"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[8] = "zzzzzzz";
		size_t n = render_escape(buf, t[i].size,
					 "a\x1b"
					 "b",
					 RENDER_ESC_TEXT);

		if (n != 6)
			fail_msg("case %zu: length %zu, want 6", i, n);
		if (t[i].want == NULL ? strcmp(buf, "zzzzzzz") != 0 : strcmp(buf, t[i].want) != 0)
			fail_msg("case %zu: got \"%s\"", i, buf);
	}
}

static void test_errno_names(void **state)
{
	static const struct {
		int err;
		const char *want;
	} t[] = {
	    {EPERM, "EPERM"},
	    {-EACCES, "EACCES"},
	    {ENOENT, "ENOENT"},
	    {EINTR, "EINTR"},
	    {ENOBUFS, "ENOBUFS"},
	    {-EIO, "EIO"},
	    {EINVAL, "EINVAL"},
	    {EOPNOTSUPP, "EOPNOTSUPP"},
	    {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
	    {ENOMEM, "ENOMEM"},
	    {4095, "E4095"},
	    {-4095, "E4095"},
	    {0, "E0"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char buf[RENDER_ERRNO_BUF];
		const char *got = render_errno_name(t[i].err, buf, sizeof(buf));

		if (strcmp(got, t[i].want) != 0)
			fail_msg("case %zu: %d is %s, want %s", i, t[i].err, got, t[i].want);
	}
}

static void test_status_names(void **state)
{
	static const struct {
		enum rules_sev worst;
		bool is_unknown;
		const char *want;
	} t[] = {
	    {RULES_SEV_OK, false, "OK"},           {RULES_SEV_INFO, false, "OK"},
	    {RULES_SEV_WARNING, false, "WARNING"}, {RULES_SEV_CRITICAL, false, "CRITICAL"},
	    {RULES_SEV_CRITICAL, true, "UNKNOWN"}, {RULES_SEV_OK, true, "UNKNOWN"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct rules_report rep;

		report_init(&rep);
		rep.worst = t[i].worst;
		rep.is_unknown = t[i].is_unknown;
		if (strcmp(render_status_name(&rep), t[i].want) != 0)
			fail_msg("case %zu: %s, want %s", i, render_status_name(&rep), t[i].want);
	}
}

/* ---- write errors ---- */

static void test_write_errors(void **state)
{
	static const char *const targets[][2] = {{"/dev/full", "w"}, {"/dev/null", "r"}};

	(void)state;
	for (size_t ti = 0; ti < 2; ti++) {
		for (size_t fi = 0; fi < N_FORMATS; fi++) {
			FILE *f = fopen(targets[ti][0], targets[ti][1]);
			struct ct_snapshot snap;
			struct rules_report rep;
			int rc;

			if (f == NULL)
				skip();
			snap_init(&snap);
			case_critical(&snap, &rep);
			rc = formats[fi].fn(f, &snap, &rep, &plain);
			fclose(f);
			snap_free(&snap);
			if (rc != -EIO)
				fail_msg("target %zu format %s: %d, want -EIO", ti, formats[fi].ext,
					 rc);
		}
	}
}

/* ---- the monitoring-plugin line ---- */

/* One perfdata item: 'label'=value[UOM][;warn[;crit[;min[;max]]]], label
 * without ' or =, value a C-locale number, UOM one of the guideline's. */
static bool perf_item_ok(const char *s, size_t n)
{
	static const char *const uoms[] = {"", "%", "c", "B", "s", "ms", "us", "KB", "MB", "TB"};
	const char *end = s + n, *q, *v;
	size_t fields = 0;

	if (n < 4 || s[0] != '\'' || (q = memchr(s + 1, '\'', n - 1)) == NULL || q == s + 1 ||
	    q + 1 >= end || q[1] != '=' || memchr(s + 1, '=', (size_t)(q - s - 1)) != NULL)
		return false;
	v = q + 2;
	if (v < end && *v == '-')
		v++;
	if (v >= end || *v < '0' || *v > '9')
		return false;
	while (v < end && ((*v >= '0' && *v <= '9') || *v == '.'))
		v++;
	for (size_t u = 0;; u++) {
		size_t ul;

		if (u == sizeof(uoms) / sizeof(uoms[0]))
			return false;
		ul = strlen(uoms[u]);
		if ((size_t)(end - v) >= ul && strncmp(v, uoms[u], ul) == 0 &&
		    (v + ul == end || v[ul] == ';')) {
			v += ul;
			break;
		}
	}
	for (; v < end; v++)
		fields += *v == ';';
	return fields <= 4;
}

/* The first line of each case: status word, one '|', well-formed perfdata. */
static void test_plugin_line(void **state)
{
	static const struct {
		const char *head;
		const char *must[4];
	} want[] = {
	    {"CONNTRACK OK - ", {"'entries'=", "'max'=", "no warnings"}},
	    {"CONNTRACK CRITICAL - netns lab1: 262000 of 262144 entries (99.95% full); critical: "
	     "table-full; warning: unreplied-high, memory-at-max | ",
	     {"'fill'=99.9451%;75;90;0;100", "'entries'=262000;;;0;262144", "'drop'=5c",
	      "'early_drop'=10c"}},
	    {"CONNTRACK UNKNOWN - ", {"cannot read the conntrack table size", "'max'="}},
	    {"CONNTRACK WARNING - netns evil\\x1b[31mred", {"'fill'=80%;75;90;0;100", "80 of 100"}},
	};

	(void)state;
	for (size_t ci = 0; ci < N_CASES; ci++) {
		struct rendered r = {0};
		const char *nl, *bar, *item;

		render_case(ci, render_check_text, &plain, &r);
		nl = strchr(r.buf, '\n');
		assert_non_null(nl);
		if (strncmp(r.buf, want[ci].head, strlen(want[ci].head)) != 0)
			fail_msg("case %zu: first line \"%.*s\"", ci, (int)(nl - r.buf), r.buf);
		for (size_t m = 0; m < 4 && want[ci].must[m] != NULL; m++)
			if (memmem(r.buf, (size_t)(nl - r.buf), want[ci].must[m],
				   strlen(want[ci].must[m])) == NULL)
				fail_msg("case %zu: no \"%s\" on the first line", ci,
					 want[ci].must[m]);
		bar = memchr(r.buf, '|', r.len);
		if (bar == NULL || bar > nl ||
		    memchr(bar + 1, '|', r.len - (size_t)(bar + 1 - r.buf)))
			fail_msg("case %zu: want exactly one '|', on the first line", ci);
		for (item = bar + 2; item < nl;) {
			const char *sp = memchr(item, ' ', (size_t)(nl - item));
			size_t n = (size_t)((sp != NULL ? sp : nl) - item);

			if (!perf_item_ok(item, n))
				fail_msg("case %zu: bad perfdata item \"%.*s\"", ci, (int)n, item);
			item += n + 1;
		}
		for (const char *c = r.buf; c < nl; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				fail_msg("case %zu: raw control byte on the first line", ci);
		if (strncmp(nl + 1, "ctadvisor check: ", 17) != 0)
			fail_msg("case %zu: the report does not follow the plugin line", ci);
		free(r.buf);
	}
}

/* Thresholds as given, none at all, and '|' from outside kept off perfdata. */
static void test_plugin_thresholds_and_pipes(void **state)
{
	struct render_plugin_opts po = {"@10:20", NULL, 0};
	struct ct_snapshot snap;
	struct rules_report rep;
	char *buf = NULL;
	size_t len = 0, bars = 0;
	FILE *f;

	(void)state;
	snap_init(&snap);
	case_hostile(&snap, &rep);
	snprintf(snap.netns, sizeof(snap.netns), "a|b");
	snprintf(rep.findings[0].summary, sizeof(rep.findings[0].summary), "x | y");
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(render_plugin_text(f, &snap, &rep, &plain, &po), 0);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(buf, "CONNTRACK WARNING - netns a\\x7cb: 80 of 100 entries"));
	assert_non_null(strstr(buf, "'fill'=80%;@10:20;;0;100 "));
	assert_non_null(strstr(buf, "x \\x7c y"));
	for (size_t i = 0; i < len; i++)
		bars += buf[i] == '|';
	assert_int_equal(bars, 1);
	free(buf);
	snap_free(&snap);
}

/* A report that would pass 8 KiB is cut at a line, with a note; without a
 * cap it is whole. */
static void test_plugin_cap(void **state)
{
	static const size_t caps[] = {RENDER_PLUGIN_MAX_BYTES, 0, 2000, 10};

	(void)state;
	for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
		struct render_plugin_opts po = {"75", "90", caps[k]};
		struct ct_snapshot snap;
		struct rules_report rep;
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		snap_init(&snap);
		case_critical(&snap, &rep);
		while (rep.n_findings < RULES_FINDINGS) {
			struct rules_finding *fd =
			    add_finding(&rep, "filler", RULES_SEV_INFO,
					"A long sentence that fills a line. "
					"A long sentence that fills a line. "
					"A long sentence that fills a line.");
			add_cmd(fd, "echo one command that is also rather long, to fill it");
		}
		f = open_memstream(&buf, &len);
		assert_non_null(f);
		assert_int_equal(render_plugin_text(f, &snap, &rep, &plain, &po), 0);
		assert_int_equal(fclose(f), 0);
		if (caps[k] == 0 && (len <= RENDER_PLUGIN_MAX_BYTES || strstr(buf, "report cut")))
			fail_msg("case %zu: uncapped output is %zu bytes", k, len);
		if (caps[k] >= 2000 && (len > caps[k] || strstr(buf, "\n(report cut here") == NULL))
			fail_msg("case %zu: capped at %zu, got %zu bytes", k, caps[k], len);
		if (strncmp(buf, "CONNTRACK CRITICAL - ", 21) != 0 || buf[len - 1] != '\n')
			fail_msg("case %zu: plugin line or final newline lost", k);
		free(buf);
		snap_free(&snap);
	}
}

/* ---- check --all-netns: the list and the findings from an inventory ---- */

static void inv_ns_set(struct inv_ns *ns, const char *name, uint64_t ino, bool has_count,
		       uint64_t count, uint64_t drop)
{
	memset(ns, 0, sizeof(*ns));
	snprintf(ns->name, sizeof(ns->name), "%s", name);
	ns->pin = name[0] != '\0' ? INV_PIN_NETNS : INV_PIN_NONE;
	ns->pid = name[0] != '\0' ? 0 : 77;
	ns->dev = 4;
	ns->ino = ino;
	ns->fig.has_count = has_count;
	ns->fig.count = count;
	ns->fig.has_stats = has_count;
	ns->fig.total.present = (UINT32_C(1) << SNAP_STAT_DROP) |
				(UINT32_C(1) << SNAP_STAT_EARLY_DROP) |
				(UINT32_C(1) << SNAP_STAT_INSERT_FAILED);
	ns->fig.total.v[SNAP_STAT_DROP] = drop;
	if (!has_count)
		ns->fig.err = EPERM;
}

static void test_netns_summary_findings(void **state)
{
	static const struct {
		const char *warn, *crit;
		size_t n_alerting;
		int busy_alert;
		const char *ids; /* the findings, "id:sev " each */
	} ncases[] = {
	    {"75", "90", 0, 0, "netns-table-full:2 "},
	    {"40", "90", 1, 1, "netns-table-fill:2 netns-table-full:2 "},
	    {"0.001", "45", 2, 2, "netns-table-fill:3 netns-table-full:2 "},
	};
	struct inv_ns ns[5];
	struct inventory inv = {.ns = ns, .n = 5, .cap = 5};
	const struct check_netns_self self = {.is_known = true, .dev = 4, .ino = 100};

	(void)state;
	/* Sorted as inventory_sort() leaves it: the highest count first. */
	inv_ns_set(&ns[0], "self", 100, true, 900, 0);
	inv_ns_set(&ns[1], "busy", 101, true, 500, 0);
	inv_ns_set(&ns[2], "", 102, true, 40, 7);
	inv_ns_set(&ns[3], "quiet", 103, true, 0, 0);
	inv_ns_set(&ns[4], "gone", 104, false, 0, 0);
	for (size_t ci = 0; ci < sizeof(ncases) / sizeof(ncases[0]); ci++) {
		struct range warn, crit;
		struct snap_all_netns all;
		struct rules_finding f[2];
		char ids[128] = "";
		size_t n = 9;

		assert_int_equal(range_parse(ncases[ci].warn, &warn), 0);
		assert_int_equal(range_parse(ncases[ci].crit, &crit), 0);
		check_netns_summarise(&inv, &self, 1000, &warn, &crit, &all);
		if (!all.has_all || all.n_found != 4 || all.n_failed != 1 || all.n_list != 4 ||
		    all.n_alerting != ncases[ci].n_alerting)
			fail_msg("case %zu: found %zu failed %zu listed %zu alerting %zu", ci,
				 all.n_found, all.n_failed, all.n_list, all.n_alerting);
		if (strcmp(all.list[0].name, "busy") != 0 || all.list[0].fill_pct != 50.0 ||
		    all.list[0].alert != ncases[ci].busy_alert || all.list[1].inode != 102 ||
		    strcmp(all.list[1].target, "77") != 0 ||
		    strcmp(all.list[0].target, "busy") != 0 || all.list[3].err != EPERM ||
		    all.list[3].fill_pct != -1)
			fail_msg("case %zu: list %s %g alert %d, %" PRIu64 " '%s'", ci,
				 all.list[0].name, all.list[0].fill_pct, all.list[0].alert,
				 all.list[1].inode, all.list[1].target);
		if (all.worst_fill != 0 || all.worst_drop != 1 || all.worst_early_drop != -1 ||
		    all.worst_insert_failed != -1)
			fail_msg("case %zu: worst %d %d %d %d", ci, all.worst_fill, all.worst_drop,
				 all.worst_early_drop, all.worst_insert_failed);
		check_netns_findings(&all, 1000, f, &n);
		for (size_t i = 0; i < n && i < 2; i++)
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s:%d ", f[i].id,
				 (int)f[i].sev);
		if (strcmp(ids, ncases[ci].ids) != 0)
			fail_msg("case %zu: findings '%s', want '%s'", ci, ids, ncases[ci].ids);
		if (strstr(f[n - 1].summary, "inode 102") == NULL ||
		    strcmp(f[n - 1].commands[0], "ctadvisor check --netns 77") != 0)
			fail_msg("case %zu: full finding '%s' '%s'", ci, f[n - 1].summary,
				 f[n - 1].commands[0]);
		if (n == 2 &&
		    (strstr(f[0].summary, "busy (netns busy), holds 500 of 1000") == NULL ||
		     strcmp(f[0].commands[0], "ctadvisor check --netns busy") != 0))
			fail_msg("case %zu: fill finding '%s'", ci, f[0].summary);
	}
}

/* More namespaces than the list holds: the ones that dropped stay in. */
static void test_netns_list_keeps_worst(void **state)
{
	enum { N = SNAP_NETNS_LIST + 10 };
	struct inv_ns *ns = calloc(N, sizeof(*ns));
	struct inventory inv = {.ns = ns, .n = N, .cap = N};
	struct range warn, crit;
	struct snap_all_netns all;
	char name[16];

	(void)state;
	assert_non_null(ns);
	for (size_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "n%03zu", i);
		inv_ns_set(&ns[i], name, 1000 + i, true, N - i, i == N - 1 ? 3 : 0);
	}
	ns[N - 2].fig.total.v[SNAP_STAT_INSERT_FAILED] = 9;
	assert_int_equal(range_parse("75", &warn), 0);
	assert_int_equal(range_parse("90", &crit), 0);
	check_netns_summarise(&inv, NULL, 0, &warn, &crit, &all);
	assert_int_equal(all.n_found, N);
	assert_int_equal(all.n_list, SNAP_NETNS_LIST);
	assert_int_equal(all.list[0].inode, 1000);
	assert_true(all.worst_drop >= 0 && all.list[all.worst_drop].inode == 1000 + N - 1);
	assert_true(all.worst_insert_failed >= 0 &&
		    all.list[all.worst_insert_failed].inode == 1000 + N - 2);
	assert_int_equal(all.list[all.worst_drop].fill_pct, -1); /* no max given */
	free(ns);
}

static void test_nat_summarise(void **state)
{
	static struct nat_report rep;
	struct snap_nat_worst w;

	(void)state;
	memset(&rep, 0, sizeof(rep));
	rep.snat_entries = 12;
	rep.keys = 2;
	nat_check_summarise(&rep, &w);
	assert_true(w.has_nat && !w.has_row && w.snat_entries == 12 && w.keys == 2);
	rep.n_rows = 1;
	rep.rows[0] = (struct nat_row){.zone = 3,
				       .family = AF_INET,
				       .proto = 17,
				       .dport = 53,
				       .in_use = 9,
				       .capacity = 10,
				       .saturation_pct = 90};
	memcpy(rep.rows[0].nat_addr, "\xc6\x33\x64\x01", 4);
	memcpy(rep.rows[0].dst, "\xc0\x00\x02\x07", 4);
	rep.rows[0].cap.port_lo = 40000;
	rep.rows[0].cap.port_hi = 40009;
	nat_check_summarise(&rep, &w);
	assert_true(w.has_row && w.zone == 3 && w.dport == 53 && w.in_use == 9 &&
		    w.capacity == 10 && w.port_lo == 40000 && w.port_hi == 40009 &&
		    w.saturation_pct == 90);
	assert_string_equal(w.proto, "udp");
	assert_string_equal(w.nat_addr, "198.51.100.1");
	assert_string_equal(w.dst, "192.0.2.7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_golden),
	    cmocka_unit_test(test_json_top_level),
	    cmocka_unit_test(test_json_partial_nulls),
	    cmocka_unit_test(test_json_critical_values),
	    cmocka_unit_test(test_json_hostile),
	    cmocka_unit_test(test_json_u64_clamp),
	    cmocka_unit_test(test_prom_format),
	    cmocka_unit_test(test_prom_hostile_label),
	    cmocka_unit_test(test_text_layout),
	    cmocka_unit_test(test_text_commands),
	    cmocka_unit_test(test_text_color),
	    cmocka_unit_test(test_plugin_line),
	    cmocka_unit_test(test_plugin_thresholds_and_pipes),
	    cmocka_unit_test(test_plugin_cap),
	    cmocka_unit_test(test_findings_sections),
	    cmocka_unit_test(test_escape_table),
	    cmocka_unit_test(test_escape_truncation),
	    cmocka_unit_test(test_errno_names),
	    cmocka_unit_test(test_status_names),
	    cmocka_unit_test(test_write_errors),
	    cmocka_unit_test(test_netns_summary_findings),
	    cmocka_unit_test(test_netns_list_keeps_worst),
	    cmocka_unit_test(test_nat_summarise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
