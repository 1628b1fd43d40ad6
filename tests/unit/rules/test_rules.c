/* test_rules.c: the capacity rules (table full and fill, chains, hash load,
 * insert failures) and invalid packets at and around their thresholds, and
 * the derived figures, over hand-built snapshots. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules_fixture.h"

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
	assert_true(o.load_warn == 16.0);
	assert_false(o.judge_since_boot);
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

struct full_case {
	uint64_t drop, early;
	bool has_drop_bit;
	uint64_t max;
	bool is_init;
	const char *netns; /* the namespace checked by name; NULL: none */
	const char *id;    /* table-full, or early-drop when nothing was dropped */
	enum rules_sev sev;
	const char *cmd;   /* the apply command first; NULL: none expected */
	const char *equiv; /* its sysctl form */
};

/* --since-boot: the totals judged as if they had just happened. The raise
 * is plan's: the demand (max, since the table reached it; the count is 77)
 * over 0.8, tidy: 262144 / 0.8 = 327680 (a multiple of 16384); 100000 /
 * 0.8 = 125000 -> 125952 (1024s), buckets 262144 already enough;
 * 2000000000 / 0.8 is past INT_MAX: the largest multiple of 65536 below. */
static void test_table_full(void **state)
{
	static const struct full_case cases[] = {
	    {0, 0, true, 262144, true, NULL, "table-full", RULES_SEV_OK, NULL, NULL},
	    {1, 0, true, 262144, true, NULL, "table-full", RULES_SEV_CRITICAL,
	     APPLY "nf_conntrack_max=327680 --set net.netfilter.nf_conntrack_buckets=327680",
	     SYSCTL "nf_conntrack_max=327680 net.netfilter.nf_conntrack_buckets=327680"},
	    /* Early drop alone refuses nothing: a warning about churn. */
	    {0, 1, true, 262144, true, NULL, "early-drop", RULES_SEV_WARNING, NULL, NULL},
	    {5, 0, false, 262144, true, NULL, "table-full", RULES_SEV_OK, NULL, NULL},
	    {5, 7, true, 100000, true, NULL, "table-full", RULES_SEV_CRITICAL,
	     APPLY "nf_conntrack_max=125952", SYSCTL "nf_conntrack_max=125952"},
	    /* max and buckets are global: set from the host, never with --netns. */
	    {5, 7, true, 262144, false, "lab1", "table-full", RULES_SEV_CRITICAL,
	     APPLY "nf_conntrack_max=327680 --set net.netfilter.nf_conntrack_buckets=327680",
	     SYSCTL "nf_conntrack_max=327680 net.netfilter.nf_conntrack_buckets=327680"},
	    {5, 0, true, 0, true, NULL, "table-full", RULES_SEV_CRITICAL, NULL, NULL},
	    {5, 0, true, 2000000000, true, NULL, "table-full", RULES_SEV_CRITICAL,
	     APPLY
	     "nf_conntrack_max=2147418112 --set net.netfilter.nf_conntrack_buckets=2147418112",
	     SYSCTL "nf_conntrack_max=2147418112 net.netfilter.nf_conntrack_buckets=2147418112"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct full_case *c = &cases[i];
		const struct rules_finding *f;
		struct rules_opts o;
		struct ct_snapshot s;
		bool is_full = strcmp(c->id, "table-full") == 0;

		rules_opts_default(&o);
		o.judge_since_boot = true;
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
		eval(&s, &o);
		f = expect(i, c->id, c->sev);
		if (f == NULL)
			continue;
		CHECK(i, f->is_counter && !f->has_window);
		CHECK(i, is_full ? ev_is(f, "drop", (double)c->drop)
				 : ev_is(f, "early_drop", (double)c->early));
		CHECK(i, ev_is(f, "count", 77) && ev_is(f, "max", (double)c->max));
		if (c->cmd != NULL) {
			CHECK(i, strcmp(f->commands[0], c->cmd) == 0);
			CHECK(i, strcmp(f->equivalent, c->equiv) == 0);
			CHECK(i, f->n_commands == 2);
		} else if (is_full) {
			CHECK(i, f->n_commands == 1 && f->equivalent[0] == '\0');
		}
		CHECK(i, strcmp(f->commands[f->n_commands - 1], "ctadvisor plan") == 0);
		CHECK(i, (strstr(f->summary, "host namespace") != NULL) == !c->is_init);
		CHECK(i, rep.worst == c->sev && rules_exit_code(&rep) == (is_full ? 2 : 1));
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
		struct rules_opts since_boot;
		struct ct_snapshot s;

		rules_opts_default(&since_boot);
		since_boot.judge_since_boot = true;
		base_snap(&s);
		s.set.buckets = c->buckets;
		s.max = c->max;
		s.total.v[SNAP_STAT_CHAINTOOLONG] = c->chaintoolong;
		eval(&s, &since_boot);
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
	    /* The default 16: chains of 2, 4 (kube-proxy's max = 2 x buckets) and 8
	     * at a full table are far from the kernel's limit; 18 is near it. */
	    {262145, 262144, 0, RULES_SEV_OK, 0, NULL},
	    {524288, 262144, 0, RULES_SEV_OK, 0, NULL},
	    {262144, 65536, 0, RULES_SEV_OK, 0, NULL},
	    {589824, 65536, 0, RULES_SEV_WARNING, 18.0, "nf_conntrack_buckets=589824"},
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
		/* No window (no earlier run): at most a warning; 4 dropped, 2 of them
		 * NAT clashes (insert_failed), 2 by a full table. */
		CHECK(i, rules_exit_code(&rep) == (c->drop > 0 || c->failed > 0 ? 1 : 0));
		CHECK(i, c->drop <= c->failed || find("table-full") != NULL);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
