/* render_cases.c: the check-report cases the cli/ renderer tests share
 * (render_cases.h). */
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
#include "render_cases.h"

const struct render_opts plain = {.color = false, .version = "0.0.0-test"};
static const struct render_plugin_opts plugin_defaults = {"75", "90", RENDER_PLUGIN_MAX_BYTES};

/* What `ctadvisor check` prints in text format: the plugin line, then the
 * report; the golden files hold this. */
int render_check_text(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		      const struct render_opts *opts)
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

struct rules_finding *add_finding(struct rules_report *r, const char *id, enum rules_sev sev,
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

void add_cmd(struct rules_finding *f, const char *cmd)
{
	snprintf(f->commands[f->n_commands++], sizeof(f->commands[0]), "%s", cmd);
}

void report_init(struct rules_report *r)
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

void case_healthy(struct ct_snapshot *s, struct rules_report *r)
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

void case_critical(struct ct_snapshot *s, struct rules_report *r)
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

void case_partial(struct ct_snapshot *s, struct rules_report *r)
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

/* HOSTILE (render_cases.h): ESC sequences, a newline, quotes, a backslash,
 * a tab, an invalid byte, a C1 CSI (U+009B) and a right-to-left override.
 * The bidi character is the point of this case, hence the NOLINT. */
/* NOLINTBEGIN(misc-misleading-bidirectional) */

void case_hostile(struct ct_snapshot *s, struct rules_report *r)
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

const struct render_case cases[N_CASES] = {
    {"healthy", case_healthy, "OK", 0},
    {"critical", case_critical, "CRITICAL", 2},
    {"partial", case_partial, "UNKNOWN", 3},
    {"hostile", case_hostile, "WARNING", 1},
};

const struct render_format formats[N_FORMATS] = {
    {"txt", render_check_text},
    {"json", render_json},
    {"prom", render_prom},
};

/* ---- helpers ---- */

void render_case(size_t ci, render_fn fn, const struct render_opts *opts, struct rendered *out)
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

json_t *render_json_case(size_t ci)
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
