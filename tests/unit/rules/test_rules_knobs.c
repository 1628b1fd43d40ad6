/* test_rules_knobs.c: the knob rules (extensions, unreplied flows, memory,
 * TCP knobs, log_invalid), a partial snapshot, ordering, exit codes, shell
 * quoting and --netns commands, over hand-built snapshots. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules_fixture.h"

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
	/* early_drop beside drop is table-full's evidence, not a finding. */
	static const char *const want[] = {
	    "table-full",   "chain-too-long", "hash-load",
	    "invalid-high", "acct-off",       "timestamp-off",
	};
	struct rules_opts o;
	struct ct_snapshot s;

	(void)state;
	rules_opts_default(&o);
	o.judge_since_boot = true;
	base_snap(&s);
	s.set.acct = 0;
	s.set.timestamp = 0;
	s.set.buckets = 16384; /* chains of 32 at a full table */
	s.ram_bytes = UINT64_C(1) << 40;
	s.total.v[SNAP_STAT_INVALID] = 5;
	s.total.v[SNAP_STAT_DROP] = 1;
	s.total.v[SNAP_STAT_EARLY_DROP] = 1;
	s.total.v[SNAP_STAT_CHAINTOOLONG] = 1;
	eval(&s, &o);
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
	    {1000, 0, true, RULES_SEV_WARNING, 1}, {1000, 1, true, RULES_SEV_WARNING, 1},
	    {0, 0, false, RULES_SEV_OK, 3},        {1000, 1, false, RULES_SEV_WARNING, 3},
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
		struct rules_opts since_boot;
		struct ct_snapshot s;

		rules_opts_default(&since_boot);
		since_boot.judge_since_boot = true;
		base_snap(&s);
		s.is_init_netns = false;
		snprintf(s.netns, sizeof(s.netns), "%s", c->netns);
		s.set.acct = 0;
		s.total.v[SNAP_STAT_INVALID] = 5;
		s.total.v[SNAP_STAT_DROP] = 1;
		eval(&s, &since_boot);
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
				APPLY "nf_conntrack_max=327680 --set "
				      "net.netfilter.nf_conntrack_buckets=327680") == 0);
		CHECK(i, strcmp(f->equivalent,
				SYSCTL "nf_conntrack_max=327680 "
				       "net.netfilter.nf_conntrack_buckets=327680") == 0);
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
	    cmocka_unit_test(test_ext_off),     cmocka_unit_test(test_unreplied),
	    cmocka_unit_test(test_memory),      cmocka_unit_test(test_tcp_knobs),
	    cmocka_unit_test(test_log_invalid), cmocka_unit_test(test_walk_and_partial),
	    cmocka_unit_test(test_ordering),    cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_shell_quote), cmocka_unit_test(test_commands_netns),
	    cmocka_unit_test(test_fill_side),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
