/* test_nat.c: the NAT aggregation: counting per destination and NAT
 * address, port classes, pinning and order, bounds, and the finding. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../nat_fixture.h"

static void test_counting(void **state)
{
	struct nat_agg *agg = nat_agg_new(0);
	static struct nat_report rep;
	struct nat_rules rules;
	const struct nat_row *a, *b;
	struct nat_entry e;
	uint8_t local[16];

	(void)state;
	assert_non_null(agg);
	masq_rules(&rules);
	/* 7 established + 2 time_wait SNAT flows to A, 4 to B */
	add_n(agg, mk("10.1.0.1", "192.0.2.1", "198.51.100.1", 443, 40000, SRC_NAT, 0), 7, TCP_EST);
	add_n(agg, mk("10.1.0.2", "192.0.2.1", "198.51.100.1", 443, 40007, SRC_NAT, 0), 2, TCP_TW);
	add_n(agg, mk("10.1.0.1", "192.0.2.1", "198.51.100.2", 80, 40000, SRC_NAT, 0), 4, 1);
	/* a local flow from the NAT address to A: occupies a tuple */
	e = mk("192.0.2.1", "192.0.2.1", "198.51.100.1", 443, 40009, 0, TCP_EST);
	nat_agg_add(agg, &e);
	/* a non-NAT flow whose address is not a NAT address: not counted */
	e = mk("10.9.9.9", "10.9.9.9", "198.51.100.1", 443, 50000, 0, TCP_EST);
	nat_agg_add(agg, &e);
	/* a declared (local) address with only local flows: counted, not reported */
	ip4(local, "203.0.113.5");
	assert_int_equal(nat_agg_add_addr(agg, AF_INET, local), 0);
	e = mk("203.0.113.5", "203.0.113.5", "198.51.100.1", 22, 50000, 0, TCP_EST);
	nat_agg_add(agg, &e);
	/* entries without ports / other families / other protocols: skipped */
	e.has_ports = false;
	nat_agg_add(agg, &e);
	e = mk("10.1.0.1", "192.0.2.1", "198.51.100.1", 443, 1, SRC_NAT, 0);
	e.proto = IPPROTO_GRE;
	nat_agg_add(agg, &e);

	nat_agg_result(agg, &rules, 10, &rep);
	assert_int_equal(rep.entries, 18);
	assert_int_equal(rep.snat_entries, 14);
	assert_int_equal(rep.counted, 15);
	assert_int_equal(rep.keys, 3);
	assert_int_equal(rep.overflow, 0);
	assert_int_equal(rep.n_rows, 2);
	a = &rep.rows[0];
	b = &rep.rows[1];
	assert_ptr_equal(a, row_of(&rep, "198.51.100.1", 443, "192.0.2.1"));
	assert_ptr_equal(b, row_of(&rep, "198.51.100.2", 80, "192.0.2.1"));
	assert_int_equal(a->in_use, 10);
	assert_int_equal(a->entries, 10);
	assert_int_equal(a->snat_entries, 9);
	assert_int_equal(a->established, 8);
	assert_int_equal(a->time_wait, 2);
	assert_int_equal(a->capacity, 10);
	/* the 2 in TIME_WAIT are taken back by new connections */
	assert_int_equal(a->reclaimable, 2);
	assert_true(a->saturation_pct == 80.0);
	assert_false(a->is_rule_mismatch);
	assert_int_equal(a->cap.src, NAT_CAP_RULE);
	assert_ptr_equal(a->cap.rule, &rules.rule[0]);
	assert_int_equal(b->in_use, 4);
	assert_int_equal(b->established, 0);
	assert_true(b->saturation_pct == 40.0);
	/* clients of A, most flows first; the NAT address itself is one */
	assert_int_equal(a->n_clients, 3);
	assert_int_equal(a->clients[0].count, 7);
	assert_int_equal(a->clients[1].count, 2);
	assert_int_equal(a->clients[2].count, 1);
	assert_int_equal(a->n_nat_addrs, 1);
	nat_agg_free(agg);
	nat_agg_free(NULL);
}

/* Without a rule, each port class has its own range; the key's row is its
 * most saturated class. */
static void test_default_classes(void **state)
{
	static const struct {
		uint16_t first_port; /* entries get first_port+1 .. first_port+n */
		int n;
		uint64_t in_use;
		uint32_t capacity;
	} cases[] = {
	    {40000, 100, 100, 64512},
	    {0, 100, 100, 511},
	    {600, 100, 100, 424},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nat_agg *agg = nat_agg_new(16);
		static struct nat_report rep;

		assert_non_null(agg);
		/* a little of the high class besides */
		add_n(agg, mk("10.1.0.1", "192.0.2.1", "198.51.100.1", 443, 50000, SRC_NAT, 0), 3,
		      TCP_EST);
		add_n(agg,
		      mk("10.1.0.1", "192.0.2.1", "198.51.100.1", 443, cases[i].first_port, SRC_NAT,
			 0),
		      cases[i].n, TCP_EST);
		nat_agg_result(agg, NULL, 10, &rep);
		if (rep.n_rows != 1 || rep.rows[0].capacity != cases[i].capacity ||
		    rep.rows[0].in_use != cases[i].in_use + (cases[i].first_port >= 1024 ? 3 : 0) ||
		    rep.rows[0].entries != (uint64_t)cases[i].n + 3 ||
		    rep.rows[0].cap.src != NAT_CAP_DEFAULT)
			fail_msg("case %zu: rows %zu capacity %u in_use %llu", i, rep.n_rows,
				 rep.rows[0].capacity, (unsigned long long)rep.rows[0].in_use);
		nat_agg_free(agg);
	}
}

/* Two NAT addresses toward one destination: each client is on one, and
 * the row says how many addresses serve the destination. */
static void test_pinning_and_order(void **state)
{
	struct nat_agg *agg = nat_agg_new(0);
	static struct nat_report rep;
	const struct nat_row *r1, *r2;

	(void)state;
	add_n(agg, mk("10.1.0.1", "192.0.2.1", "198.51.100.1", 443, 20000, SRC_NAT, 0), 5, TCP_EST);
	add_n(agg, mk("10.1.0.2", "192.0.2.2", "198.51.100.1", 443, 20000, SRC_NAT, 0), 5, TCP_EST);
	add_n(agg, mk("10.1.0.3", "192.0.2.2", "198.51.100.1", 443, 20100, SRC_NAT, 0), 1, TCP_EST);
	/* a client seen on both addresses (not what the kernel does) */
	add_n(agg, mk("10.1.0.1", "192.0.2.2", "198.51.100.1", 443, 20200, SRC_NAT, 0), 2, TCP_EST);
	nat_agg_result(agg, NULL, 10, &rep);
	assert_int_equal(rep.n_rows, 2);
	r1 = row_of(&rep, "198.51.100.1", 443, "192.0.2.1");
	r2 = row_of(&rep, "198.51.100.1", 443, "192.0.2.2");
	assert_non_null(r1);
	assert_non_null(r2);
	assert_ptr_equal(r2, &rep.rows[0]); /* 8 in use before 5 */
	assert_int_equal(r1->n_nat_addrs, 2);
	assert_int_equal(r2->n_nat_addrs, 2);
	assert_int_equal(r1->n_clients, 1);
	assert_int_equal(r1->clients[0].count, 5);
	assert_int_equal(r1->clients[0].elsewhere, 2);
	assert_int_equal(r2->clients[0].count, 5);
	assert_int_equal(r2->clients[0].elsewhere, 0);
	/* --top 1 keeps the worst */
	nat_agg_result(agg, NULL, 1, &rep);
	assert_int_equal(rep.n_rows, 1);
	assert_int_equal(rep.rows[0].in_use, 8);
	nat_agg_free(agg);
}

/* More keys than the cap: the rest are counted as overflow, never lost
 * silently; and more clients than sketch slots keep error bounds. */
static void test_bounds(void **state)
{
	struct nat_agg *agg = nat_agg_new(8);
	static struct nat_report rep;
	struct nat_entry e;
	uint64_t sum = 0;

	(void)state;
	for (int i = 0; i < 20; i++) {
		e = mk("10.1.0.1", "192.0.2.1", "198.51.100.1", (uint16_t)(1000 + i), 30000,
		       SRC_NAT, TCP_EST);
		nat_agg_add(agg, &e);
	}
	for (int i = 0; i < 10; i++) {
		char c[32];

		snprintf(c, sizeof(c), "10.2.0.%d", i + 1);
		add_n(agg, mk(c, "192.0.2.1", "198.51.100.1", 1000, 31000 + 10 * i, SRC_NAT, 0),
		      i + 1, TCP_EST);
	}
	nat_agg_result(agg, NULL, 64, &rep);
	assert_int_equal(rep.keys, 8);
	assert_int_equal(rep.overflow, 12);
	assert_int_equal(rep.counted, 8 + 55);
	assert_int_equal(rep.n_rows, 8);
	assert_int_equal(rep.rows[0].dport, 1000);
	assert_int_equal(rep.rows[0].in_use, 56);
	assert_int_equal(rep.rows[0].n_clients, NAT_TOP_CLIENTS);
	for (size_t i = 0; i < rep.rows[0].n_clients; i++) {
		const struct nat_client *c = &rep.rows[0].clients[i];

		sum += c->count;
		assert_true(c->count >= c->error);
	}
	assert_int_equal(sum, 56); /* space-saving keeps the total */
	/* each kept client's bounds hold its true count: 10.2.0.k sent k */
	for (size_t i = 0; i < rep.rows[0].n_clients; i++) {
		const struct nat_client *c = &rep.rows[0].clients[i];
		uint64_t truth = c->addr[1] == 1 ? 1 : c->addr[3];

		if (c->count - c->error > truth || c->count < truth)
			fail_msg("client %zu: %llu-%llu vs %llu", i, (unsigned long long)c->count,
				 (unsigned long long)c->error, (unsigned long long)truth);
	}
	nat_agg_free(agg);
}

/* 30 TCP flows through a NAT whose only readable rule gives 10 ports: they
 * went through a rule ctadvisor cannot read, so the row says so and never
 * claims 300 %; the status stays OK. */
static void test_rule_mismatch(void **state)
{
	struct nat_agg *agg = nat_agg_new(0);
	static struct nat_report rep;
	struct nat_rules rules;
	const struct nat_row *a;

	(void)state;
	assert_non_null(agg);
	masq_rules(&rules); /* 40000-40009 */
	add_n(agg, mk("10.1.0.1", "192.0.2.1", "198.51.100.1", 443, 40000, SRC_NAT, 0), 30,
	      TCP_EST);
	nat_agg_result(agg, &rules, 10, &rep);
	a = row_of(&rep, "198.51.100.1", 443, "192.0.2.1");
	assert_non_null(a);
	assert_int_equal(a->in_use, 30);
	assert_int_equal(a->capacity, 10);
	assert_true(a->is_rule_mismatch);
	assert_true(a->saturation_pct == 0.0);
	assert_int_equal(nat_severity(&rep, 70, 90), RULES_SEV_OK);
	nat_agg_free(agg);
}

static void test_finding(void **state)
{
	static const struct {
		int in_use;
		bool fired;
		enum rules_sev sev;
	} cases[] = {{6, false, RULES_SEV_OK},
		     {7, true, RULES_SEV_WARNING},
		     {8, true, RULES_SEV_WARNING},
		     {9, true, RULES_SEV_CRITICAL},
		     {10, true, RULES_SEV_CRITICAL}};
	struct nat_rules rules;

	(void)state;
	masq_rules(&rules);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nat_agg *agg = nat_agg_new(0);
		static struct nat_report rep;
		struct rules_finding f;
		bool fired = !cases[i].fired;

		memset(&rep, 0, sizeof(rep));
		memset(&f, 0, sizeof(f));
		add_n(agg, mk("10.1.0.1", "192.0.2.1", "198.51.100.1", 443, 40000, SRC_NAT, 0),
		      cases[i].in_use, TCP_EST);
		nat_agg_result(agg, &rules, 10, &rep);
		rep.has_counters = true;
		rep.interval_ms = 2000;
		rep.delta[NAT_CTR_INSERT_FAILED] = 8;
		nat_finding(&rep, 70, 90, &f, &fired);
		if (fired != cases[i].fired || nat_severity(&rep, 70, 90) != cases[i].sev)
			fail_msg("case %zu: fired %d sev %d", i, fired, nat_severity(&rep, 70, 90));
		if (fired &&
		    (strcmp(f.id, "nat-port-saturation") != 0 || f.sev != cases[i].sev ||
		     strstr(f.summary, "192.0.2.1") == NULL ||
		     strstr(f.summary, "198.51.100.1 tcp/443") == NULL ||
		     strstr(f.summary, "40000-40009") == NULL || f.n_ev != 8 ||
		     f.ev[0].value != cases[i].in_use * 10.0 ||
		     strcmp(f.ev[5].name, "insert_failed_per_s") != 0 || f.ev[5].value != 4.0 ||
		     f.n_commands != 1 ||
		     strstr(f.commands[0], "--reply-src 198.51.100.1") == NULL ||
		     strcmp(f.ev[7].name, "alerting_destinations") != 0 || f.ev[7].value != 1.0 ||
		     strstr(f.summary, "more destination") != NULL))
			fail_msg("case %zu: finding '%s' ev %zu cmd '%s'", i, f.summary, f.n_ev,
				 f.commands[0]);
		nat_agg_free(agg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counting),          cmocka_unit_test(test_default_classes),
	    cmocka_unit_test(test_pinning_and_order), cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_finding),           cmocka_unit_test(test_rule_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
