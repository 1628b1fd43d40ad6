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

#include "../../rules/rules.h"

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

struct full_case {
	uint64_t drop, early;
	bool has_drop_bit;
	uint64_t max;
	bool is_init;
	enum rules_sev sev;
	const char *cmd_max;     /* NULL: no max command expected */
	const char *cmd_buckets; /* NULL: none */
};

static void test_table_full(void **state)
{
	static const struct full_case cases[] = {
	    {0, 0, true, 262144, true, RULES_SEV_OK, NULL, NULL},
	    {1, 0, true, 262144, true, RULES_SEV_CRITICAL,
	     "sysctl -w net.netfilter.nf_conntrack_max=524288",
	     "sysctl -w net.netfilter.nf_conntrack_buckets=524288"},
	    {0, 1, true, 262144, true, RULES_SEV_CRITICAL,
	     "sysctl -w net.netfilter.nf_conntrack_max=524288",
	     "sysctl -w net.netfilter.nf_conntrack_buckets=524288"},
	    {5, 0, false, 262144, true, RULES_SEV_OK, NULL, NULL},
	    {5, 7, true, 100000, true, RULES_SEV_CRITICAL,
	     "sysctl -w net.netfilter.nf_conntrack_max=262144", NULL},
	    {5, 7, true, 262144, false, RULES_SEV_CRITICAL,
	     "sysctl -w net.netfilter.nf_conntrack_max=524288",
	     "sysctl -w net.netfilter.nf_conntrack_buckets=524288"},
	    {5, 0, true, 0, true, RULES_SEV_CRITICAL, NULL, NULL},
	    {5, 0, true, 2000000000, true, RULES_SEV_CRITICAL,
	     "sysctl -w net.netfilter.nf_conntrack_max=2147418112",
	     "sysctl -w net.netfilter.nf_conntrack_buckets=2147418112"},
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
		CHECK(i, c->cmd_max == NULL || has_cmd(f, c->cmd_max));
		CHECK(i, c->cmd_max != NULL || strstr(f->commands[0], "nf_conntrack_max") == NULL);
		CHECK(i, c->cmd_buckets == NULL || has_cmd(f, c->cmd_buckets));
		for (size_t k = 0; c->cmd_buckets == NULL && k < f->n_commands; k++)
			CHECK(i, strstr(f->commands[k], "nf_conntrack_buckets") == NULL);
		CHECK(i, has_cmd(f, "ctadvisor plan --growth 2"));
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
	const char *cmd; /* NULL: no command */
};

static void test_chain_too_long(void **state)
{
	static const struct chain_case cases[] = {
	    {0, 262144, 262144, RULES_SEV_OK, NULL},
	    {1, 262144, 262144, RULES_SEV_CRITICAL,
	     "sysctl -w net.netfilter.nf_conntrack_buckets=524288"},
	    {9, 1000, 262144, RULES_SEV_CRITICAL,
	     "sysctl -w net.netfilter.nf_conntrack_buckets=262144"},
	    {9, 1000, 100, RULES_SEV_CRITICAL, "sysctl -w net.netfilter.nf_conntrack_buckets=2048"},
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
		CHECK(i, c->cmd == NULL ? f->n_commands == 0 : has_cmd(f, c->cmd));
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
	    {262145, 262144, 0, RULES_SEV_WARNING, 2.0000076,
	     "sysctl -w net.netfilter.nf_conntrack_buckets=262656"},
	    {262144, 65536, 0, RULES_SEV_WARNING, 8.0,
	     "sysctl -w net.netfilter.nf_conntrack_buckets=262144"},
	    {131072, 65536, 4.0, RULES_SEV_OK, 0, NULL},
	    {131073, 65536, 4.0, RULES_SEV_WARNING, 4.0000305,
	     "sysctl -w net.netfilter.nf_conntrack_buckets=131584"},
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
		CHECK(i, f->n_commands == 1 && has_cmd(f, c->cmd));
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
			CHECK(i,
			      has_cmd(f, k == 0
					     ? "sysctl -w net.netfilter.nf_conntrack_acct=1"
					     : "sysctl -w net.netfilter.nf_conntrack_timestamp=1"));
		}
	}
}

struct unrepl_case {
	bool has_walk;
	uint64_t entries, unreplied;
	enum rules_sev sev;
};

static void test_unreplied(void **state)
{
	static const struct unrepl_case cases[] = {
	    {true, 1000, 500, RULES_SEV_WARNING}, {true, 1000, 499, RULES_SEV_OK},
	    {true, 999, 999, RULES_SEV_OK},       {true, 0, 0, RULES_SEV_OK},
	    {false, 5000, 5000, RULES_SEV_OK},    {true, 4000, 4000, RULES_SEV_WARNING},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct unrepl_case *c = &cases[i];
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.count = 5000;
		s.has_walk = c->has_walk;
		s.walk.entries = c->entries;
		s.walk.unreplied = c->unreplied;
		eval(&s, NULL);
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
};

static void test_memory(void **state)
{
	static const struct mem_case cases[] = {
	    {MEM_AT_MAX * 20, true, RULES_SEV_WARNING}, /* exactly 5 % */
	    {MEM_AT_MAX * 20 + 1, true, RULES_SEV_OK},
	    {MEM_AT_MAX * 4, true, RULES_SEV_CRITICAL}, /* exactly 25 % */
	    {MEM_AT_MAX * 4 + 1, true, RULES_SEV_WARNING},
	    {0, true, RULES_SEV_OK},
	    {MEM_AT_MAX, false, RULES_SEV_OK},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct mem_case *c = &cases[i];
		const struct rules_finding *f;
		struct ct_snapshot s;

		base_snap(&s);
		s.ram_bytes = c->ram;
		s.has_slab = c->has_slab;
		eval(&s, NULL);
		f = expect(i, "memory-at-max", c->sev);
		if (f == NULL)
			continue;
		CHECK(i, ev_is(f, "mem_at_max_bytes", (double)MEM_AT_MAX));
		CHECK(i, ev_is(f, "ram_bytes", (double)c->ram));
		CHECK(i, ev_is(f, "mem_pct_ram", 100.0 * (double)MEM_AT_MAX / (double)c->ram));
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
		CHECK(i, f == NULL ||
			     has_cmd(f, "sysctl -w net.netfilter.nf_conntrack_tcp_be_liberal=0"));
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
		CHECK(i, has_cmd(f, "sysctl -w net.netfilter.nf_conntrack_log_invalid=0"));
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
