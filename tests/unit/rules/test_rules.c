/* test_rules.c: each rule at and around its thresholds, the derived figures,
 * ordering, worst severity and exit codes, over hand-built snapshots. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../../rules/rules.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Fail with the case index and what was expected. */
#define CHECK(i, cond)                                                                             \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg("case %zu: %s", (size_t)(i), #cond);                              \
	} while (0)

static struct rules_report rep; /* large: keep it off the stack */

/* A healthy host: nothing should fire. Counters all present and zero. */
static void base_snap(struct ct_snapshot *s)
{
	snap_init(s);
	s->is_init_netns = true;
	s->ram_bytes = UINT64_C(25000000000);
	s->has_count = true;
	s->count = 100;
	s->has_max = true;
	s->max = 262144;
	s->set.max = 262144;
	s->set.buckets = 262144;
	s->set.acct = 1;
	s->set.timestamp = 1;
	s->set.events = 2;
	s->set.log_invalid = 0;
	s->set.tcp_loose = 1;
	s->set.tcp_be_liberal = 0;
	s->has_stats = true;
	for (unsigned i = SNAP_STAT_SEARCHED; i <= SNAP_STAT_CHAINTOOLONG; i++)
		s->total.present |= UINT32_C(1) << i;
	s->has_slab = true;
	s->slab_obj_bytes = 256;
}

static void eval(const struct ct_snapshot *s, const struct rules_opts *o)
{
	struct rules_opts def;

	if (o == NULL) {
		rules_opts_default(&def);
		o = &def;
	}
	rules_evaluate(s, o, &rep);
}

static const struct rules_finding *find(const char *id)
{
	for (size_t i = 0; i < rep.n_findings; i++)
		if (strcmp(rep.findings[i].id, id) == 0)
			return &rep.findings[i];
	return NULL;
}

static bool ev_get(const struct rules_finding *f, const char *name, double *v)
{
	for (size_t i = 0; i < f->n_ev; i++) {
		if (strcmp(f->ev[i].name, name) == 0) {
			*v = f->ev[i].value;
			return true;
		}
	}
	return false;
}

static bool ev_is(const struct rules_finding *f, const char *name, double want)
{
	double v;

	return ev_get(f, name, &v) && fabs(v - want) < 1e-6;
}

static bool has_cmd(const struct rules_finding *f, const char *cmd)
{
	for (size_t i = 0; i < f->n_commands; i++)
		if (strcmp(f->commands[i], cmd) == 0)
			return true;
	return false;
}

/* id present with sev, or absent when sev is OK. */
static const struct rules_finding *expect(size_t i, const char *id, enum rules_sev sev)
{
	const struct rules_finding *f = find(id);

	if (sev == RULES_SEV_OK) {
		if (f != NULL)
			fail_msg("case %zu: %s fired (%s) but should not", i, id,
				 rules_sev_name(f->sev));
		return NULL;
	}
	if (f == NULL)
		fail_msg("case %zu: %s did not fire", i, id);
	if (f->sev != sev)
		fail_msg("case %zu: %s is %s, want %s", i, id, rules_sev_name(f->sev),
			 rules_sev_name(sev));
	CHECK(i, f->summary[0] != '\0' && strchr(f->summary, '\n') == NULL);
	return f;
}

static void test_defaults_and_names(void **state)
{
	struct rules_opts o;

	(void)state;
	memset(&o, 0xff, sizeof(o));
	rules_opts_default(&o);
	assert_true(o.fill_warn_pct == 75.0 && o.fill_crit_pct == 90.0);
	assert_true(o.unreplied_warn_pct == 50.0);
	assert_int_equal(o.unreplied_min, 1000);
	assert_int_equal(o.invalid_warn, 1000);
	assert_true(o.mem_warn_pct_ram == 5.0 && o.mem_crit_pct_ram == 25.0);
	assert_true(o.load_warn == 2.0);
	assert_int_equal(o.fill_side, RULES_FILL_ABOVE);
	assert_string_equal(o.fill_range, "");
	assert_string_equal(rules_sev_name(RULES_SEV_OK), "ok");
	assert_string_equal(rules_sev_name(RULES_SEV_INFO), "info");
	assert_string_equal(rules_sev_name(RULES_SEV_WARNING), "warning");
	assert_string_equal(rules_sev_name(RULES_SEV_CRITICAL), "critical");
}

static void test_healthy(void **state)
{
	struct ct_snapshot s;

	(void)state;
	base_snap(&s);
	eval(&s, NULL);
	if (rep.n_findings != 0)
		fail_msg("unexpected finding %s", rep.findings[0].id);
	assert_int_equal(rep.worst, RULES_SEV_OK);
	assert_false(rep.is_unknown);
	assert_int_equal(rules_exit_code(&rep), 0);
	/* NULL options mean the defaults. */
	rules_evaluate(&s, NULL, &rep);
	assert_int_equal(rep.n_findings, 0);
}

static void test_derived(void **state)
{
	struct ct_snapshot s;
	struct rules_derived *d = &rep.d;

	(void)state;
	base_snap(&s);
	s.count = 131072;
	s.set.buckets = 65536;
	s.has_walk = true;
	s.walk.entries = 1234;
	eval(&s, NULL);
	assert_true(fabs(d->fill_pct - 50.0) < 1e-9);
	assert_true(fabs(d->load_now - 4.0) < 1e-9);
	assert_true(fabs(d->load_at_max - 8.0) < 1e-9);
	assert_int_equal(d->ext_bytes, 128);
	assert_int_equal(d->buckets_bytes, 65536 * 8);
	/* acct on: slab + 128 per entry. */
	assert_int_equal(d->mem_now_bytes, 131072 * 384 + 65536 * 8);
	assert_int_equal(d->mem_at_max_bytes, 262144 * 384 + 65536 * 8);
	assert_int_equal(d->mem_at_max_ext_bytes, 262144 * 384 + 65536 * 8);
	assert_int_equal(d->live_entries, 1234);

	/* No extension on: the slab object only, ext_bytes still the cost figure. */
	s.set.acct = 0;
	s.set.timestamp = 0;
	s.set.events = 2;
	eval(&s, NULL);
	assert_int_equal(d->ext_bytes, 128);
	assert_int_equal(d->mem_now_bytes, 131072 * 256 + 65536 * 8);
	assert_int_equal(d->mem_at_max_bytes, 262144 * 256 + 65536 * 8);
	assert_int_equal(d->mem_at_max_ext_bytes, 262144 * 384 + 65536 * 8);
	s.set.events = 1; /* events=1 always attaches the ecache extension */
	eval(&s, NULL);
	assert_int_equal(d->mem_at_max_bytes, 262144 * 384 + 65536 * 8);
}

static void test_derived_unknown(void **state)
{
	struct ct_snapshot s;
	struct rules_derived *d = &rep.d;

	(void)state;
	base_snap(&s);
	s.max = 0; /* unlimited */
	s.set.buckets = 0;
	s.has_slab = false;
	eval(&s, NULL);
	assert_true(d->fill_pct == -1 && d->load_now == -1 && d->load_at_max == -1);
	assert_int_equal(d->buckets_bytes, 0);
	assert_int_equal(d->mem_now_bytes, -1);
	assert_int_equal(d->mem_at_max_bytes, -1);
	assert_int_equal(d->mem_at_max_ext_bytes, -1);
	assert_int_equal(d->live_entries, 0);

	snap_init(&s); /* nothing known at all */
	eval(&s, NULL);
	assert_true(d->fill_pct == -1 && d->load_now == -1 && d->load_at_max == -1);
	assert_int_equal(d->buckets_bytes, -1);
	assert_int_equal(d->mem_now_bytes, -1);
	assert_true(rep.is_unknown);
	assert_int_equal(rules_exit_code(&rep), 3);

	/* max from settings when the netlink figure is missing; huge max saturates. */
	base_snap(&s);
	s.has_max = false;
	s.set.max = 1000;
	eval(&s, NULL);
	assert_true(fabs(d->fill_pct - 10.0) < 1e-9);
	s.has_max = true;
	s.max = UINT64_MAX;
	eval(&s, NULL);
	assert_int_equal(d->mem_at_max_bytes, INT64_MAX);
}

#define APPLY  "ctadvisor apply --set net.netfilter."
#define SYSCTL "sysctl -w net.netfilter."

struct full_case {
	uint64_t drop, early;
	bool has_drop_bit;
	uint64_t max;
	bool is_init;
	const char *netns; /* the namespace checked by name; NULL: none */
	enum rules_sev sev;
	const char *cmd;   /* the apply command first; NULL: none expected */
	const char *equiv; /* its sysctl form */
};

static void test_table_full(void **state)
{
	static const struct full_case cases[] = {
	    {0, 0, true, 262144, true, NULL, RULES_SEV_OK, NULL, NULL},
	    {1, 0, true, 262144, true, NULL, RULES_SEV_CRITICAL,
	     APPLY "nf_conntrack_max=524288 --set net.netfilter.nf_conntrack_buckets=524288",
	     SYSCTL "nf_conntrack_max=524288 net.netfilter.nf_conntrack_buckets=524288"},
	    {0, 1, true, 262144, true, NULL, RULES_SEV_CRITICAL,
	     APPLY "nf_conntrack_max=524288 --set net.netfilter.nf_conntrack_buckets=524288",
	     SYSCTL "nf_conntrack_max=524288 net.netfilter.nf_conntrack_buckets=524288"},
	    {5, 0, false, 262144, true, NULL, RULES_SEV_OK, NULL, NULL},
	    {5, 7, true, 100000, true, NULL, RULES_SEV_CRITICAL, APPLY "nf_conntrack_max=262144",
	     SYSCTL "nf_conntrack_max=262144"},
	    /* max and buckets are global: set from the host, never with --netns. */
	    {5, 7, true, 262144, false, "lab1", RULES_SEV_CRITICAL,
	     APPLY "nf_conntrack_max=524288 --set net.netfilter.nf_conntrack_buckets=524288",
	     SYSCTL "nf_conntrack_max=524288 net.netfilter.nf_conntrack_buckets=524288"},
	    {5, 0, true, 0, true, NULL, RULES_SEV_CRITICAL, NULL, NULL},
	    {5, 0, true, 2000000000, true, NULL, RULES_SEV_CRITICAL,
	     APPLY
	     "nf_conntrack_max=2147418112 --set net.netfilter.nf_conntrack_buckets=2147418112",
	     SYSCTL "nf_conntrack_max=2147418112 net.netfilter.nf_conntrack_buckets=2147418112"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct full_case *c = &cases[i];
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.count = 77;
		s.max = c->max;
		s.is_init_netns = c->is_init;
		if (c->netns != NULL)
			snprintf(s.netns, sizeof(s.netns), "%s", c->netns);
		s.total.v[SNAP_STAT_DROP] = c->drop;
		s.total.v[SNAP_STAT_EARLY_DROP] = c->early;
		if (!c->has_drop_bit)
			s.total.present &= ~(UINT32_C(1) << SNAP_STAT_DROP);
		eval(&s, NULL);
		f = expect(i, "table-full", c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "drop", (double)c->drop));
		CHECK(i, ev_is(f, "early_drop", (double)c->early));
		CHECK(i, ev_is(f, "count", 77) && ev_is(f, "max", (double)c->max));
		if (c->cmd != NULL) {
			CHECK(i, strcmp(f->commands[0], c->cmd) == 0);
			CHECK(i, strcmp(f->equivalent, c->equiv) == 0);
			CHECK(i, f->n_commands == 2);
		} else {
			CHECK(i, f->n_commands == 1 && f->equivalent[0] == '\0');
		}
		CHECK(i, strcmp(f->commands[f->n_commands - 1], "ctadvisor plan --growth 2") == 0);
		CHECK(i, (strstr(f->summary, "host namespace") != NULL) == !c->is_init);
		CHECK(i, rep.worst == RULES_SEV_CRITICAL && rules_exit_code(&rep) == 2);
	}
}

struct fill_case {
	uint64_t count, max;
	bool has_walk;
	uint64_t live;
	double warn, crit; /* 0: defaults */
	enum rules_sev sev;
	bool has_live_ev;
};

static void test_table_fill(void **state)
{
	static const struct fill_case cases[] = {
	    {74, 100, false, 0, 0, 0, RULES_SEV_OK, false},
	    {75, 100, false, 0, 0, 0, RULES_SEV_WARNING, false},
	    {8999, 10000, false, 0, 0, 0, RULES_SEV_WARNING, false},
	    {90, 100, false, 0, 0, 0, RULES_SEV_CRITICAL, false},
	    {150, 100, false, 0, 0, 0, RULES_SEV_CRITICAL, false},
	    {1000, 0, false, 0, 0, 0, RULES_SEV_OK, false},
	    {90, 100, true, 50, 0, 0, RULES_SEV_CRITICAL, true},
	    {90, 100, true, 68, 0, 0, RULES_SEV_CRITICAL, false},
	    {76, 100, true, 56, 0, 0, RULES_SEV_WARNING, true},
	    {50, 100, true, 10, 0, 0, RULES_SEV_OK, false},
	    {50, 100, false, 0, 50, 60, RULES_SEV_WARNING, false},
	    {60, 100, false, 0, 50, 60, RULES_SEV_CRITICAL, false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct fill_case *c = &cases[i];
		const struct rules_finding *f;
		struct rules_opts o;
		struct ct_snapshot s;

		rules_opts_default(&o);
		if (c->warn > 0) {
			o.fill_warn_pct = c->warn;
			o.fill_crit_pct = c->crit;
		}
		base_snap(&s);
		s.count = c->count;
		s.max = c->max;
		s.has_walk = c->has_walk;
		s.walk.entries = c->live;
		eval(&s, &o);
		f = expect(i, "table-fill", c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "count", (double)c->count) && ev_is(f, "max", (double)c->max));
		CHECK(i, ev_is(f, "fill_pct", 100.0 * (double)c->count / (double)c->max));
		CHECK(i, ev_is(f, "live_entries", (double)c->live) == c->has_live_ev);
		CHECK(i, (strstr(f->summary, "not yet reaped") != NULL) == c->has_live_ev);
		CHECK(i, rep.worst == c->sev);
		CHECK(i, rules_exit_code(&rep) == (c->sev == RULES_SEV_CRITICAL ? 2 : 1));
	}
}

struct chain_case {
	uint64_t chaintoolong;
	int64_t buckets;
	uint64_t max;
	enum rules_sev sev;
	const char *knob; /* KNOB=VALUE of the apply command; NULL: no command */
};

/* The finding's only command is `ctadvisor apply --set net.netfilter.KV`,
 * and its equivalent `sysctl -w net.netfilter.KV`. */
static bool is_apply_only(const struct rules_finding *f, const char *kv)
{
	char cmd[RULES_CMD_LEN], equiv[RULES_CMD_LEN];

	snprintf(cmd, sizeof(cmd), APPLY "%s", kv);
	snprintf(equiv, sizeof(equiv), SYSCTL "%s", kv);
	return f->n_commands == 1 && strcmp(f->commands[0], cmd) == 0 &&
	       strcmp(f->equivalent, equiv) == 0;
}

static void test_chain_too_long(void **state)
{
	static const struct chain_case cases[] = {
	    {0, 262144, 262144, RULES_SEV_OK, NULL},
	    {1, 262144, 262144, RULES_SEV_CRITICAL, "nf_conntrack_buckets=524288"},
	    {9, 1000, 262144, RULES_SEV_CRITICAL, "nf_conntrack_buckets=262144"},
	    {9, 1000, 100, RULES_SEV_CRITICAL, "nf_conntrack_buckets=2048"},
	    {9, -1, 262144, RULES_SEV_CRITICAL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct chain_case *c = &cases[i];
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.set.buckets = c->buckets;
		s.max = c->max;
		s.total.v[SNAP_STAT_CHAINTOOLONG] = c->chaintoolong;
		eval(&s, NULL);
		f = expect(i, "chain-too-long", c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "chaintoolong", (double)c->chaintoolong));
		CHECK(i, c->buckets < 0 || ev_is(f, "buckets", (double)c->buckets));
		CHECK(i, c->knob == NULL ? f->n_commands == 0 && f->equivalent[0] == '\0'
					 : is_apply_only(f, c->knob));
		CHECK(i, rules_exit_code(&rep) == 2);
	}
}

struct load_case {
	uint64_t max;
	int64_t buckets;
	double load_warn; /* 0: default */
	enum rules_sev sev;
	double load;
	const char *cmd;
};

static void test_hash_load(void **state)
{
	static const struct load_case cases[] = {
	    {262144, 262144, 0, RULES_SEV_OK, 0, NULL},
	    {262145, 262144, 0, RULES_SEV_WARNING, 2.0000076, "nf_conntrack_buckets=262656"},
	    {262144, 65536, 0, RULES_SEV_WARNING, 8.0, "nf_conntrack_buckets=262144"},
	    {131072, 65536, 4.0, RULES_SEV_OK, 0, NULL},
	    {131073, 65536, 4.0, RULES_SEV_WARNING, 4.0000305, "nf_conntrack_buckets=131584"},
	    {262144, 65536, 8.0, RULES_SEV_OK, 0, NULL},
	    {262144, 65536, 7.99, RULES_SEV_WARNING, 8.0, "nf_conntrack_buckets=262144"},
	    /* Below the kernel's 2: enough buckets for that load (2 x max / 1.5). */
	    {262144, 262144, 1.5, RULES_SEV_WARNING, 2.0, "nf_conntrack_buckets=349696"},
	    {1000, 1024, 0.5, RULES_SEV_WARNING, 1000.0 / 512, "nf_conntrack_buckets=4096"},
	    {262144, -1, 0, RULES_SEV_OK, 0, NULL},
	    {262144, 0, 0, RULES_SEV_OK, 0, NULL},
	    {0, 1024, 0, RULES_SEV_OK, 0, NULL},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct load_case *c = &cases[i];
		const struct rules_finding *f;
		struct rules_opts o;
		struct ct_snapshot s;
		double v;

		rules_opts_default(&o);
		if (c->load_warn > 0)
			o.load_warn = c->load_warn;
		base_snap(&s);
		s.max = c->max;
		s.set.buckets = c->buckets;
		s.ram_bytes = UINT64_C(1) << 40; /* keep memory-at-max quiet */
		eval(&s, &o);
		f = expect(i, "hash-load", c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_get(f, "load_at_max", &v) && fabs(v - c->load) < 1e-6);
		CHECK(i, ev_is(f, "max", (double)c->max));
		CHECK(i, ev_is(f, "buckets", (double)c->buckets));
		CHECK(i, is_apply_only(f, c->cmd));
		CHECK(i, rep.worst == RULES_SEV_WARNING && rules_exit_code(&rep) == 1);
	}
}

struct insert_case {
	uint64_t failed, clash, drop;
	const char *id;
	enum rules_sev sev;
	const char *absent;
};

static void test_insert_failed(void **state)
{
	static const struct insert_case cases[] = {
	    {0, 0, 0, "insert-failed", RULES_SEV_OK, "clash-resolved"},
	    {1, 0, 0, "insert-failed", RULES_SEV_WARNING, "clash-resolved"},
	    {0, 3, 0, "clash-resolved", RULES_SEV_INFO, "insert-failed"},
	    {2, 3, 4, "insert-failed", RULES_SEV_WARNING, "clash-resolved"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct insert_case *c = &cases[i];
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.total.v[SNAP_STAT_INSERT_FAILED] = c->failed;
		s.total.v[SNAP_STAT_CLASH_RESOLVE] = c->clash;
		s.total.v[SNAP_STAT_DROP] = c->drop;
		eval(&s, NULL);
		expect(i, c->absent, RULES_SEV_OK);
		f = expect(i, c->id, c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "clash_resolve", (double)c->clash));
		if (c->failed > 0) {
			CHECK(i, ev_is(f, "insert_failed", (double)c->failed));
			CHECK(i, ev_is(f, "drop", (double)c->drop));
		}
		CHECK(i, rules_exit_code(&rep) == (c->drop > 0 ? 2 : c->failed > 0 ? 1 : 0));
	}
}

struct invalid_case {
	uint64_t invalid, warn; /* warn 0: default */
	enum rules_sev sev;
};

static void test_invalid(void **state)
{
	static const struct invalid_case cases[] = {
	    {0, 0, RULES_SEV_OK},         {1, 0, RULES_SEV_INFO},  {999, 0, RULES_SEV_INFO},
	    {1000, 0, RULES_SEV_WARNING}, {9, 10, RULES_SEV_INFO}, {10, 10, RULES_SEV_WARNING},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct invalid_case *c = &cases[i];
		const struct rules_finding *f;
		struct rules_opts o;
		struct ct_snapshot s;

		rules_opts_default(&o);
		if (c->warn > 0)
			o.invalid_warn = c->warn;
		base_snap(&s);
		s.total.v[SNAP_STAT_INVALID] = c->invalid;
		eval(&s, &o);
		f = expect(i, "invalid-high", c->sev);
		CHECK(i, rules_exit_code(&rep) == (c->sev == RULES_SEV_WARNING ? 1 : 0));
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "invalid", (double)c->invalid));
		CHECK(i, has_cmd(f, "ctadvisor watch --invalid --duration 60s"));
	}
}

struct ext_case {
	int64_t acct, ts, events;
	bool acct_off, ts_off;
	double extra; /* extra bytes per entry for the off one(s) */
};

static void test_ext_off(void **state)
{
	static const struct ext_case cases[] = {
	    {1, 1, 2, false, false, 0}, {0, 0, 2, true, true, 128}, {0, 1, 2, true, false, 0},
	    {1, 0, 2, false, true, 0},  {0, 0, 1, true, true, 0},   {-1, -1, -1, false, false, 0},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct ext_case *c = &cases[i];
		const struct rules_finding *fs[2];
		struct ct_snapshot s;

		base_snap(&s);
		s.set.acct = c->acct;
		s.set.timestamp = c->ts;
		s.set.events = c->events;
		eval(&s, NULL);
		fs[0] = expect(i, "acct-off", c->acct_off ? RULES_SEV_INFO : RULES_SEV_OK);
		fs[1] = expect(i, "timestamp-off", c->ts_off ? RULES_SEV_INFO : RULES_SEV_OK);
		CHECK(i, rep.worst == (c->acct_off || c->ts_off ? RULES_SEV_INFO : RULES_SEV_OK));
		CHECK(i, rules_exit_code(&rep) == 0);
		for (size_t k = 0; k < 2; k++) {
			const struct rules_finding *f = fs[k];

			if (f == NULL)
				continue;
			CHECK(i, ev_is(f, "ext_bytes", 128));
			CHECK(i, ev_is(f, "extra_bytes_per_entry", c->extra));
			CHECK(i, ev_is(f, "extra_bytes_at_max", c->extra * 262144));
			CHECK(i, (strstr(f->summary, "nothing extra") != NULL) == (c->extra == 0));
			CHECK(i, is_apply_only(f, k == 0 ? "nf_conntrack_acct=1"
							 : "nf_conntrack_timestamp=1"));
		}
	}
}

struct unrepl_case {
	bool has_walk;
	uint64_t entries, unreplied;
	enum rules_sev sev;
	bool has_min;      /* opts below, else the defaults (50 %, 1000 entries) */
	uint64_t min;      /* unreplied_min */
	double share_warn; /* unreplied_warn_pct */
};

static void test_unreplied(void **state)
{
	static const struct unrepl_case cases[] = {
	    {true, 1000, 500, RULES_SEV_WARNING, false, 0, 0},
	    {true, 1000, 499, RULES_SEV_OK, false, 0, 0},
	    {true, 999, 999, RULES_SEV_OK, false, 0, 0},
	    {true, 0, 0, RULES_SEV_OK, false, 0, 0},
	    {false, 5000, 5000, RULES_SEV_OK, false, 0, 0},
	    {true, 4000, 4000, RULES_SEV_WARNING, false, 0, 0},
	    /* --unreplied-min: the smallest walk judged, at and around it. */
	    {true, 10, 10, RULES_SEV_WARNING, true, 10, 50},
	    {true, 9, 9, RULES_SEV_OK, true, 10, 50},
	    {true, 1, 1, RULES_SEV_WARNING, true, 0, 50},
	    {true, 0, 0, RULES_SEV_OK, true, 0, 50},
	    {true, 5000, 5000, RULES_SEV_OK, true, 5001, 50},
	    {true, 100, 80, RULES_SEV_WARNING, true, 100, 80},
	    {true, 100, 79, RULES_SEV_OK, true, 100, 80},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct unrepl_case *c = &cases[i];
		const struct rules_finding *f;
		struct rules_opts o;
		struct ct_snapshot s;

		rules_opts_default(&o);
		if (c->has_min) {
			o.unreplied_min = c->min;
			o.unreplied_warn_pct = c->share_warn;
		}
		base_snap(&s);
		s.count = 5000;
		s.has_walk = c->has_walk;
		s.walk.entries = c->entries;
		s.walk.unreplied = c->unreplied;
		eval(&s, &o);
		f = expect(i, "unreplied-high", c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "unreplied", (double)c->unreplied));
		CHECK(i, ev_is(f, "entries", (double)c->entries));
		CHECK(i,
		      ev_is(f, "unreplied_pct", 100.0 * (double)c->unreplied / (double)c->entries));
		CHECK(i, rules_exit_code(&rep) == 1);
	}
}

/* Default table with acct on: 262144 x (256 + 128) + 262144 x 8 bytes. */
#define MEM_AT_MAX UINT64_C(102760448)

struct mem_case {
	uint64_t ram;
	bool has_slab;
	enum rules_sev sev;
	double warn, crit; /* --mem-warn, --mem-crit; 0: the defaults (5, 25) */
};

static void test_memory(void **state)
{
	static const struct mem_case cases[] = {
	    {MEM_AT_MAX * 20, true, RULES_SEV_WARNING, 0, 0}, /* exactly 5 % */
	    {MEM_AT_MAX * 20 + 1, true, RULES_SEV_OK, 0, 0},
	    {MEM_AT_MAX * 4, true, RULES_SEV_CRITICAL, 0, 0}, /* exactly 25 % */
	    {MEM_AT_MAX * 4 + 1, true, RULES_SEV_WARNING, 0, 0},
	    {0, true, RULES_SEV_OK, 0, 0},
	    {MEM_AT_MAX, false, RULES_SEV_OK, 0, 0},
	    {MEM_AT_MAX * 100, true, RULES_SEV_WARNING, 1, 2}, /* exactly 1 % */
	    {MEM_AT_MAX * 100 + 1, true, RULES_SEV_OK, 1, 2},
	    {MEM_AT_MAX * 50, true, RULES_SEV_CRITICAL, 1, 2},  /* exactly 2 % */
	    {MEM_AT_MAX * 20, true, RULES_SEV_OK, 10, 50},      /* 5 %, under 10 */
	    {MEM_AT_MAX * 2, true, RULES_SEV_CRITICAL, 10, 50}, /* exactly 50 % */
	    {MEM_AT_MAX * 4, true, RULES_SEV_WARNING, 10, 50},  /* 25 % */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct mem_case *c = &cases[i];
		const struct rules_finding *f;
		struct rules_opts o;
		struct ct_snapshot s;

		rules_opts_default(&o);
		if (c->warn > 0) {
			o.mem_warn_pct_ram = c->warn;
			o.mem_crit_pct_ram = c->crit;
		}
		base_snap(&s);
		s.ram_bytes = c->ram;
		s.has_slab = c->has_slab;
		eval(&s, &o);
		f = expect(i, "memory-at-max", c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "mem_at_max_bytes", (double)MEM_AT_MAX));
		CHECK(i, ev_is(f, "ram_bytes", (double)c->ram));
		CHECK(i, ev_is(f, "mem_pct_ram", 100.0 * (double)MEM_AT_MAX / (double)c->ram));
		CHECK(i, f->n_commands == 1 && has_cmd(f, "ctadvisor plan"));
		CHECK(i, rules_exit_code(&rep) == (c->sev == RULES_SEV_CRITICAL ? 2 : 1));
	}
}

static void test_tcp_knobs(void **state)
{
	static const struct {
		int64_t liberal, loose;
		enum rules_sev lib_sev, loose_sev;
	} cases[] = {
	    {0, 1, RULES_SEV_OK, RULES_SEV_OK},
	    {1, 1, RULES_SEV_INFO, RULES_SEV_OK},
	    {0, 0, RULES_SEV_OK, RULES_SEV_INFO},
	    {-1, -1, RULES_SEV_OK, RULES_SEV_OK},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.set.tcp_be_liberal = cases[i].liberal;
		s.set.tcp_loose = cases[i].loose;
		eval(&s, NULL);
		f = expect(i, "tcp-be-liberal", cases[i].lib_sev);
		CHECK(i, f == NULL || is_apply_only(f, "nf_conntrack_tcp_be_liberal=0"));
		expect(i, "tcp-loose-off", cases[i].loose_sev);
		CHECK(i, rules_exit_code(&rep) == 0);
	}
}

struct log_case {
	int64_t log_invalid;
	const char *v4, *v6;
	uint64_t invalid;
	bool is_init;
	enum rules_sev sev;
};

static void test_log_invalid(void **state)
{
	static const struct log_case cases[] = {
	    {0, "nf_log_ipv4", "nf_log_ipv6", 5000, true, RULES_SEV_OK},
	    {255, "nfnetlink_log", "NONE", 5000, true, RULES_SEV_OK},
	    {255, "", "", 5000, true, RULES_SEV_OK},
	    {255, "nf_log_ipv4", "", 0, true, RULES_SEV_INFO},
	    {6, "NONE", "nf_log_ipv6", 999, true, RULES_SEV_INFO},
	    {255, "NONE", "nf_log_ipv6", 1000, true, RULES_SEV_WARNING},
	    {255, "nf_log_ipv4", "nf_log_ipv6", 1000, false, RULES_SEV_INFO},
	    {-1, "nf_log_ipv4", "nf_log_ipv6", 1000, true, RULES_SEV_OK},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct log_case *c = &cases[i];
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.is_init_netns = c->is_init;
		s.set.log_invalid = c->log_invalid;
		snprintf(s.set.nf_log_ipv4, sizeof(s.set.nf_log_ipv4), "%s", c->v4);
		snprintf(s.set.nf_log_ipv6, sizeof(s.set.nf_log_ipv6), "%s", c->v6);
		s.total.v[SNAP_STAT_INVALID] = c->invalid;
		eval(&s, NULL);
		f = expect(i, "log-invalid-flood", c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "log_invalid", (double)c->log_invalid));
		CHECK(i, ev_is(f, "invalid", (double)c->invalid));
		CHECK(i, strcmp(f->commands[0], APPLY "nf_conntrack_log_invalid=0") == 0);
		CHECK(i, strcmp(f->equivalent, SYSCTL "nf_conntrack_log_invalid=0") == 0);
		CHECK(i, has_cmd(f, "ctadvisor watch --invalid"
				    " --duration 60s"));
	}
}

static void test_walk_and_partial(void **state)
{
	static const struct {
		bool has_walk, is_interrupted;
		uint64_t lost;
		int err;
		size_t n_problems;
		enum rules_sev walk_sev, partial_sev;
	} cases[] = {
	    {true, false, 0, 0, 0, RULES_SEV_OK, RULES_SEV_OK},
	    {true, true, 0, 0, 0, RULES_SEV_INFO, RULES_SEV_OK},
	    {true, false, 3, 0, 1, RULES_SEV_INFO, RULES_SEV_INFO},
	    {true, false, 0, 105, 2, RULES_SEV_WARNING, RULES_SEV_INFO},
	    {false, true, 3, 105, 0, RULES_SEV_OK, RULES_SEV_OK},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.has_walk = cases[i].has_walk;
		s.walk.entries = 100;
		s.walk.is_interrupted = cases[i].is_interrupted;
		s.walk.lost = cases[i].lost;
		s.walk.err = cases[i].err;
		for (size_t k = 0; k < cases[i].n_problems; k++)
			snap_add_problem(&s, "sysctl", 13, "knob %zu", k);
		eval(&s, NULL);
		f = expect(i, "walk-interrupted", cases[i].walk_sev);
		CHECK(i, f == NULL || ev_is(f, "lost", (double)cases[i].lost));
		f = expect(i, "partial-data", cases[i].partial_sev);
		CHECK(i, f == NULL || ev_is(f, "problems", (double)cases[i].n_problems));
	}
}

/* Severity first, then rule order; worst and exit code follow. */
static void test_ordering(void **state)
{
	static const char *const want[] = {
	    "table-full",   "chain-too-long", "hash-load",
	    "invalid-high", "acct-off",       "timestamp-off",
	};
	struct ct_snapshot s;

	(void)state;
	base_snap(&s);
	s.set.acct = 0;
	s.set.timestamp = 0;
	s.set.buckets = 65536;
	s.ram_bytes = UINT64_C(1) << 40;
	s.total.v[SNAP_STAT_INVALID] = 5;
	s.total.v[SNAP_STAT_EARLY_DROP] = 1;
	s.total.v[SNAP_STAT_CHAINTOOLONG] = 1;
	eval(&s, NULL);
	assert_int_equal(rep.n_findings, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (strcmp(rep.findings[i].id, want[i]) != 0)
			fail_msg("position %zu: %s, want %s", i, rep.findings[i].id, want[i]);
	for (size_t i = 1; i < rep.n_findings; i++)
		CHECK(i, rep.findings[i - 1].sev >= rep.findings[i].sev);
	assert_int_equal(rep.worst, RULES_SEV_CRITICAL);
	assert_int_equal(rules_exit_code(&rep), 2);
}

static void test_exit_codes(void **state)
{
	static const struct {
		uint64_t invalid, early;
		bool has_count;
		enum rules_sev worst;
		int code;
	} cases[] = {
	    {0, 0, true, RULES_SEV_OK, 0},         {1, 0, true, RULES_SEV_INFO, 0},
	    {1000, 0, true, RULES_SEV_WARNING, 1}, {1000, 1, true, RULES_SEV_CRITICAL, 2},
	    {0, 0, false, RULES_SEV_OK, 3},        {1000, 1, false, RULES_SEV_CRITICAL, 3},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ct_snapshot s;

		base_snap(&s);
		s.has_count = cases[i].has_count;
		s.total.v[SNAP_STAT_INVALID] = cases[i].invalid;
		s.total.v[SNAP_STAT_EARLY_DROP] = cases[i].early;
		eval(&s, NULL);
		CHECK(i, rep.worst == cases[i].worst);
		CHECK(i, rep.is_unknown == !cases[i].has_count);
		CHECK(i, rules_exit_code(&rep) == cases[i].code);
	}
}

static void test_shell_quote(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
	    {"blue", "blue"},
	    {"/run/netns/lab-1_x.y", "/run/netns/lab-1_x.y"},
	    {"net.netfilter.nf_conntrack_max=524288", "net.netfilter.nf_conntrack_max=524288"},
	    {"", "''"},
	    {"a b", "'a b'"},
	    {"it's", "'it'\\''s'"},
	    {"'", "''\\'''"},
	    {"$(rm -rf /)", "'$(rm -rf /)'"},
	    {"`id`;x|y&z", "'`id`;x|y&z'"},
	    {"~root", "'~root'"},
	    {"a*b?[c]", "'a*b?[c]'"},
	    {"line\nbreak\t\x1b[31m", "'line\nbreak\t\x1b[31m'"},
	    {"\"dq\"\\", "'\"dq\"\\'"},
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		size_t n = rules_shell_quote(buf, sizeof(buf), t[i].in);

		if (strcmp(buf, t[i].out) != 0 || n != strlen(t[i].out))
			fail_msg("case %zu: \"%s\" -> \"%s\" (%zu), want \"%s\"", i, t[i].in, buf,
				 n, t[i].out);
	}
	/* Too small: the needed length, and a terminated prefix. */
	assert_int_equal(rules_shell_quote(buf, 4, "a b c"), 7);
	assert_string_equal(buf, "'a ");
	assert_int_equal(rules_shell_quote(NULL, 0, "it's"), 9);
}

struct ns_case {
	const char *netns; /* the namespace checked, as the user named it */
	const char *apply; /* acct-off's command, NULL: none */
	const char *equiv; /* its sysctl form, "" none */
	const char *watch; /* invalid-high's command, NULL: none */
};

/* A per-namespace knob goes to the namespace checked, quoted; a global one
 * (max) never does; a name that may have been cut gets no command at all. */
static void test_commands_netns(void **state)
{
	static char long_name[128], quotes[100];
	static const struct ns_case cases[] = {
	    {"", APPLY "nf_conntrack_acct=1", SYSCTL "nf_conntrack_acct=1",
	     "ctadvisor watch --invalid --duration 60s"},
	    {"blue", "ctadvisor apply --netns blue --set net.netfilter.nf_conntrack_acct=1",
	     "ip netns exec blue " SYSCTL "nf_conntrack_acct=1",
	     "ctadvisor watch --invalid --duration 60s --netns blue"},
	    {"4242", "ctadvisor apply --netns 4242 --set net.netfilter.nf_conntrack_acct=1",
	     "nsenter -t 4242 -n " SYSCTL "nf_conntrack_acct=1",
	     "ctadvisor watch --invalid --duration 60s --netns 4242"},
	    {"/proc/7/ns/net",
	     "ctadvisor apply --netns /proc/7/ns/net --set net.netfilter.nf_conntrack_acct=1",
	     "nsenter --net=/proc/7/ns/net " SYSCTL "nf_conntrack_acct=1",
	     "ctadvisor watch --invalid --duration 60s --netns /proc/7/ns/net"},
	    {"/run/my ns",
	     "ctadvisor apply --netns '/run/my ns' --set net.netfilter.nf_conntrack_acct=1",
	     "nsenter '--net=/run/my ns' " SYSCTL "nf_conntrack_acct=1",
	     "ctadvisor watch --invalid --duration 60s --netns '/run/my ns'"},
	    {"x'; reboot #",
	     "ctadvisor apply --netns 'x'\\''; reboot #' --set net.netfilter.nf_conntrack_acct=1",
	     "ip netns exec 'x'\\''; reboot #' " SYSCTL "nf_conntrack_acct=1",
	     "ctadvisor watch --invalid --duration 60s --netns 'x'\\''; reboot #'"},
	    {long_name, NULL, "", NULL},
	    /* Quoted, 99 quotes need 4 bytes each: too long, so left out whole. */
	    {quotes, NULL, "", NULL},
	};

	(void)state;
	memset(long_name, 'n', sizeof(long_name) - 1);
	memset(quotes, '\'', sizeof(quotes) - 1);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct ns_case *c = &cases[i];
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.is_init_netns = false;
		snprintf(s.netns, sizeof(s.netns), "%s", c->netns);
		s.set.acct = 0;
		s.total.v[SNAP_STAT_INVALID] = 5;
		s.total.v[SNAP_STAT_DROP] = 1;
		eval(&s, NULL);
		f = expect(i, "acct-off", RULES_SEV_INFO);
		if (c->apply == NULL)
			CHECK(i, f->n_commands == 0);
		else
			CHECK(i, f->n_commands == 1 && strcmp(f->commands[0], c->apply) == 0);
		CHECK(i, strcmp(f->equivalent, c->equiv) == 0);
		f = expect(i, "invalid-high", RULES_SEV_INFO);
		if (c->watch == NULL)
			CHECK(i, f->n_commands == 0);
		else
			CHECK(i, f->n_commands == 1 && strcmp(f->commands[0], c->watch) == 0);
		f = expect(i, "table-full", RULES_SEV_CRITICAL);
		CHECK(i, strcmp(f->commands[0],
				APPLY "nf_conntrack_max=524288 --set "
				      "net.netfilter.nf_conntrack_buckets=524288") == 0);
		CHECK(i, strcmp(f->equivalent,
				SYSCTL "nf_conntrack_max=524288 "
				       "net.netfilter.nf_conntrack_buckets=524288") == 0);
		for (size_t k = 0; k < rep.n_findings; k++)
			for (size_t j = 0; j < rep.findings[k].n_commands; j++)
				CHECK(i, strlen(rep.findings[k].commands[j]) < RULES_CMD_LEN - 1);
	}
}

struct side_case {
	enum rules_fill_side side;
	const char *range;
	uint64_t count;
	bool is_crit;
	const char *phrase; /* in the summary */
	bool raises_max;    /* an apply of nf_conntrack_max */
};

/* The finding says which side of the range the fill is on, and only a fill
 * above it recommends a larger table. */
static void test_fill_side(void **state)
{
	static const struct side_case cases[] = {
	    {RULES_FILL_ABOVE, "", 80000, false, "is 30.5% full (80000 of", true},
	    {RULES_FILL_ABOVE, "75", 210000, false, ", above the warning range '75'", true},
	    {RULES_FILL_ABOVE, "~:90", 250000, true, ", above the critical range '~:90'", true},
	    {RULES_FILL_BELOW, "10:", 0, false,
	     "only 0.00% full (0 of 262144 entries), below "
	     "the warning range '10:'",
	     false},
	    {RULES_FILL_BELOW, "10:20", 100, true, "below the critical range '10:20'", false},
	    {RULES_FILL_INSIDE, "@10:20", 40000, false, "inside the warning range '@10:20'", false},
	    {RULES_FILL_INSIDE, "@0:5", 0, true, "inside the critical range '@0:5'", false},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct side_case *c = &cases[i];
		const struct rules_finding *f;
		struct rules_opts o;
		struct ct_snapshot s;
		bool has_max = false;

		rules_opts_default(&o);
		o.fill_side = c->side;
		snprintf(o.fill_range, sizeof(o.fill_range), "%s", c->range);
		if (c->is_crit)
			o.fill_crit_pct = 0;
		else
			o.fill_warn_pct = 0;
		base_snap(&s);
		s.count = c->count;
		eval(&s, &o);
		f = expect(i, "table-fill", c->is_crit ? RULES_SEV_CRITICAL : RULES_SEV_WARNING);
		if (strstr(f->summary, c->phrase) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, f->summary, c->phrase);
		for (size_t k = 0; k < f->n_commands; k++)
			has_max = has_max || strstr(f->commands[k], "nf_conntrack_max") != NULL;
		CHECK(i, has_max == c->raises_max);
		CHECK(i, (strstr(f->equivalent, "nf_conntrack_max") != NULL) == c->raises_max);
		CHECK(i, c->raises_max ||
			     (f->n_commands == 1 &&
			      strcmp(f->commands[0], "ctadvisor watch --duration 60s") == 0));
		CHECK(i, ev_is(f, "fill_pct", 100.0 * (double)c->count / 262144));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_and_names),
	    cmocka_unit_test(test_healthy),
	    cmocka_unit_test(test_derived),
	    cmocka_unit_test(test_derived_unknown),
	    cmocka_unit_test(test_table_full),
	    cmocka_unit_test(test_table_fill),
	    cmocka_unit_test(test_chain_too_long),
	    cmocka_unit_test(test_hash_load),
	    cmocka_unit_test(test_insert_failed),
	    cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_ext_off),
	    cmocka_unit_test(test_unreplied),
	    cmocka_unit_test(test_memory),
	    cmocka_unit_test(test_tcp_knobs),
	    cmocka_unit_test(test_log_invalid),
	    cmocka_unit_test(test_walk_and_partial),
	    cmocka_unit_test(test_ordering),
	    cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_shell_quote),
	    cmocka_unit_test(test_commands_netns),
	    cmocka_unit_test(test_fill_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
