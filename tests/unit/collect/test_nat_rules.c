/* test_nat_rules.c: NAT port ranges from nft -j JSON and iptables-save
 * fixtures (tests/fixtures/nat), the kernel's default ranges by source-port
 * class, and which rule gives a NAT address its capacity. Run from the repo
 * root (run-unit.sh does). */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../../collect/fileio.h"
#include "../../../analysis/nat_rules.h"

#define FIXDIR "tests/fixtures/nat/"

/* One expected rule: addresses as text ("" none), ports 0-0 when none. */
struct want_rule {
	enum nat_rule_kind kind;
	uint8_t family, l4proto;
	const char *addr_lo, *addr_hi;
	int port_lo, port_hi; /* -1: no ports */
	uint32_t flags;
	const char *where;
};

static void parse_fixture(const char *name, int is_json, uint8_t family, struct nat_rules *r)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(fileio_read_all(name, &text, &len), 0);
	if (is_json)
		assert_int_equal(nat_rules_parse_nft_json(text, len, r), 0);
	else
		assert_int_equal(nat_rules_parse_iptables(text, len, family, r), 0);
	free(text);
}

static void check_rules(const struct nat_rules *r, const struct want_rule *w, size_t n)
{
	assert_int_equal(r->n, n);
	for (size_t i = 0; i < n; i++) {
		const struct nat_rule *g = &r->rule[i];
		char lo[INET6_ADDRSTRLEN] = "", hi[INET6_ADDRSTRLEN] = "";

		if (g->has_addr) {
			inet_ntop(g->family, g->addr_lo, lo, sizeof(lo));
			inet_ntop(g->family, g->addr_hi, hi, sizeof(hi));
		}
		if (g->kind != w[i].kind || g->family != w[i].family ||
		    g->l4proto != w[i].l4proto || strcmp(lo, w[i].addr_lo) != 0 ||
		    strcmp(hi, w[i].addr_hi) != 0 ||
		    (w[i].port_lo < 0 ? g->has_ports
				      : (!g->has_ports || g->port_lo != w[i].port_lo ||
					 g->port_hi != w[i].port_hi)) ||
		    g->flags != w[i].flags || strcmp(g->where, w[i].where) != 0)
			fail_msg("rule %zu: kind %d family %u proto %u addr %s-%s ports %d:%u-%u "
				 "flags %u where '%s'",
				 i, g->kind, g->family, g->l4proto, lo, hi, g->has_ports,
				 g->port_lo, g->port_hi, g->flags, g->where);
	}
}

static void test_nft_mixed(void **state)
{
	static const struct want_rule want[] = {
	    {NAT_RULE_MASQUERADE, AF_INET, 6, "", "", 40000, 40009, 0, "nft ip t post handle 2"},
	    {NAT_RULE_SNAT, AF_INET, 6, "10.0.0.1", "10.0.0.2", 1000, 2000,
	     NAT_RULE_F_RANDOM_FULLY | NAT_RULE_F_PERSISTENT, "nft ip t post handle 3"},
	    {NAT_RULE_SNAT, AF_INET, 0, "10.0.0.9", "10.0.0.9", -1, -1, 0,
	     "nft ip t post handle 4"},
	    {NAT_RULE_MASQUERADE, AF_INET, 0, "", "", -1, -1, NAT_RULE_F_RANDOM,
	     "nft ip t post handle 5"},
	    {NAT_RULE_SNAT, AF_INET, 6, "10.0.0.1", "10.0.0.1", 5000, 5000, 0,
	     "nft ip t post handle 6"},
	    {NAT_RULE_SNAT, AF_INET, 17, "10.0.0.0", "10.0.0.3", -1, -1, 0,
	     "nft ip t post handle 7"},
	    {NAT_RULE_SNAT, AF_INET6, 6, "fd00::1", "fd00::1", 100, 200, 0,
	     "nft inet t6 post handle 2"},
	    {NAT_RULE_SNAT, AF_INET, 0, "10.0.0.1", "10.0.0.1", -1, -1, 0,
	     "nft inet t6 post handle 3"},
	};
	struct nat_rules r = {0};

	(void)state;
	parse_fixture(FIXDIR "nft-mixed.json", 1, 0, &r);
	check_rules(&r, want, sizeof(want) / sizeof(want[0]));
}

static void test_nft_broken(void **state)
{
	static const struct want_rule want[] = {
	    {NAT_RULE_SNAT, AF_INET, 0, "", "", -1, -1, 0, "nft ip t c handle 9"},
	    {NAT_RULE_MASQUERADE, AF_INET, 0, "", "", -1, -1, 0, "nft ip t c handle 9"},
	};
	struct nat_rules r = {0};
	static const char *const bad[] = {"", "{", "[]", "{\"nftables\": 3}", "null"};

	(void)state;
	parse_fixture(FIXDIR "nft-broken.json", 1, 0, &r);
	check_rules(&r, want, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (nat_rules_parse_nft_json(bad[i], strlen(bad[i]), &r) != -EINVAL || r.n != 2)
			fail_msg("bad input %zu accepted", i);
}

static void test_iptables(void **state)
{
	static const struct want_rule want[] = {
	    {NAT_RULE_MASQUERADE, AF_INET, 6, "", "", 40000, 40009, 0, "iptables-save line 10"},
	    {NAT_RULE_SNAT, AF_INET, 17, "1.2.3.4", "1.2.3.5", 1000, 2000,
	     NAT_RULE_F_RANDOM_FULLY | NAT_RULE_F_PERSISTENT, "iptables-save line 11"},
	    {NAT_RULE_SNAT, AF_INET, 0, "5.6.7.8", "5.6.7.8", -1, -1, 0, "iptables-save line 12"},
	    {NAT_RULE_MASQUERADE, AF_INET, 0, "", "", -1, -1, NAT_RULE_F_RANDOM,
	     "iptables-save line 13"},
	    {NAT_RULE_SNAT, AF_INET, 6, "9.9.9.9", "9.9.9.9", 3000, 3000, 0,
	     "iptables-save line 14"},
	    {NAT_RULE_SNAT, AF_INET6, 6, "fd00::1", "fd00::2", 100, 200, 0,
	     "ip6tables-save line 3"},
	    {NAT_RULE_SNAT, AF_INET6, 0, "fd00::9", "fd00::9", -1, -1, 0, "ip6tables-save line 4"},
	    {NAT_RULE_MASQUERADE, AF_INET6, 17, "", "", 5000, 5000, 0, "ip6tables-save line 5"},
	};
	struct nat_rules r = {0};

	(void)state;
	parse_fixture(FIXDIR "iptables-save.txt", 0, AF_INET, &r);
	parse_fixture(FIXDIR "ip6tables-save.txt", 0, AF_INET6, &r);
	check_rules(&r, want, sizeof(want) / sizeof(want[0]));
}

/* The kernel's nf_nat_l4proto_unique_tuple() classes, at every edge. */
static void test_default_ranges(void **state)
{
	static const struct {
		uint8_t proto;
		uint16_t port, lo, hi;
	} cases[] = {
	    {6, 0, 1, 511},         {6, 1, 1, 511},           {6, 511, 1, 511},
	    {6, 512, 600, 1023},    {6, 599, 600, 1023},      {6, 1023, 600, 1023},
	    {6, 1024, 1024, 65535}, {17, 65535, 1024, 65535}, {1, 5, 0, 65535},
	    {58, 40000, 0, 65535},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t lo = 7, hi = 7;

		nat_rules_default_range(cases[i].proto, cases[i].port, &lo, &hi);
		if (lo != cases[i].lo || hi != cases[i].hi)
			fail_msg("case %zu: %u-%u", i, lo, hi);
	}
}

static void test_capacity(void **state)
{
	static const struct {
		uint8_t family, proto;
		const char *addr;
		uint16_t port;
		enum nat_cap_src src;
		uint16_t lo, hi;
		size_t candidates;
		int rule; /* index, -1 none */
	} cases[] = {
	    /* snat address range wins over masquerade */
	    {AF_INET, 6, "10.0.0.2", 40000, NAT_CAP_RULE, 1000, 2000, 1, 1},
	    /* any tcp address: masquerade 40000-40009 (smaller) vs masquerade random */
	    {AF_INET, 6, "192.0.2.1", 40000, NAT_CAP_RULE, 40000, 40009, 2, 0},
	    /* udp: only the bare masquerade applies: default range of the class */
	    {AF_INET, 17, "192.0.2.1", 700, NAT_CAP_RULE_NONE, 600, 1023, 1, 3},
	    /* the /30 prefix rule for udp */
	    {AF_INET, 17, "10.0.0.3", 2000, NAT_CAP_RULE_NONE, 1024, 65535, 1, 5},
	    /* 10.0.0.1 tcp: snat 1000-2000, 5000, and the inet rule: smallest wins */
	    {AF_INET, 6, "10.0.0.1", 5000, NAT_CAP_RULE, 5000, 5000, 3, 4},
	    /* IPv6 */
	    {AF_INET6, 6, "fd00::1", 150, NAT_CAP_RULE, 100, 200, 1, 6},
	    {AF_INET6, 17, "fd00::5", 150, NAT_CAP_DEFAULT, 1, 511, 0, -1},
	};
	struct nat_rules r = {0};

	(void)state;
	parse_fixture(FIXDIR "nft-mixed.json", 1, 0, &r);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t addr[16] = {0};
		struct nat_capacity c;

		assert_int_equal(inet_pton(cases[i].family, cases[i].addr, addr), 1);
		nat_rules_capacity(&r,
				   &(struct nat_rules_key){.family = cases[i].family,
							   .l4proto = cases[i].proto,
							   .nat_addr = addr},
				   cases[i].port, &c);
		if (c.src != cases[i].src || c.port_lo != cases[i].lo || c.port_hi != cases[i].hi ||
		    c.n_candidates != cases[i].candidates ||
		    (cases[i].rule < 0 ? c.rule != NULL : c.rule != &r.rule[cases[i].rule]))
			fail_msg("case %zu: src %d %u-%u candidates %zu rule %td", i, c.src,
				 c.port_lo, c.port_hi, c.n_candidates,
				 c.rule ? c.rule - r.rule : -1);
	}
	nat_rules_capacity(NULL,
			   &(struct nat_rules_key){.family = AF_INET,
						   .l4proto = 6,
						   .nat_addr = (const uint8_t[16]){10}},
			   30000, &(struct nat_capacity){0});
}

/* The matches a real ruleset puts before the statement: "ip protocol" (not
 * only "meta l4proto"), ip saddr/daddr, oifname; the same from
 * iptables-save's -p/-s/-d/-o. A TCP key never gets the UDP rule's 10
 * ports; the snat rule applies only to its clients and destination. */
static void check_matches(const struct nat_rules *r)
{
	uint8_t nat[16] = {0}, snat[16] = {0}, dst[16] = {0}, other[16] = {0};
	uint8_t cli[16] = {0}, cli2[16] = {0};
	struct nat_rules_key k = {.family = AF_INET, .l4proto = 6, .nat_addr = nat, .dst = other};
	struct nat_capacity c;

	assert_int_equal(r->n, 3);
	assert_true(r->rule[0].has_oif);
	assert_int_equal(r->rule[0].l4proto, 6);
	assert_int_equal(r->rule[1].l4proto, 17);
	assert_true(r->rule[2].saddr.is_set && r->rule[2].daddr.is_set);
	assert_int_equal(nat_rule_addr_count(&r->rule[2]), 2);
	assert_int_equal(nat_rule_addr_count(&r->rule[0]), 1);
	inet_pton(AF_INET, "203.0.113.1", nat);
	inet_pton(AF_INET, "10.9.0.12", snat);
	inet_pton(AF_INET, "192.0.2.7", dst);
	inet_pton(AF_INET, "192.0.2.8", other);
	inet_pton(AF_INET, "10.1.2.3", cli);
	inet_pton(AF_INET, "10.2.0.1", cli2);
	nat_rules_capacity(r, &k, 40000, &c);
	assert_int_equal(c.port_lo, 10000);
	assert_int_equal(c.port_hi, 10999);
	assert_int_equal(c.n_candidates, 1);
	k.l4proto = 17;
	nat_rules_capacity(r, &k, 40000, &c);
	assert_int_equal(c.port_hi, 10009);
	/* the snat rule: its address, its clients, its destination */
	k = (struct nat_rules_key){
	    .family = AF_INET, .l4proto = 6, .nat_addr = snat, .dst = dst, .client = cli};
	nat_rules_capacity(r, &k, 40000, &c);
	assert_ptr_equal(c.rule, &r->rule[2]);
	assert_int_equal(c.port_lo, 2000);
	k.dst = other; /* another destination: not that rule */
	nat_rules_capacity(r, &k, 40000, &c);
	assert_ptr_equal(c.rule, &r->rule[0]);
	k.dst = dst;
	k.client = cli2; /* another client: not that rule */
	nat_rules_capacity(r, &k, 40000, &c);
	assert_ptr_equal(c.rule, &r->rule[0]);
	k.client = NULL; /* no client known: the address decides */
	nat_rules_capacity(r, &k, 40000, &c);
	assert_ptr_equal(c.rule, &r->rule[2]);
}

static void test_matches(void **state)
{
	struct nat_rules r = {0};

	(void)state;
	parse_fixture(FIXDIR "nft-matches.json", 1, 0, &r);
	check_matches(&r);
	memset(&r, 0, sizeof(r));
	parse_fixture(FIXDIR "iptables-matches.txt", 0, AF_INET, &r);
	check_matches(&r);
}

static void test_overflow(void **state)
{
	char line[128];
	char *text = malloc(80 * (NAT_RULES_MAX + 10) + 16);
	size_t len = 0;
	struct nat_rules r = {0};

	(void)state;
	assert_non_null(text);
	len += (size_t)sprintf(text, "*nat\n");
	for (int i = 0; i < NAT_RULES_MAX + 10; i++) {
		snprintf(line, sizeof(line), "-A POSTROUTING -j MASQUERADE --to-ports %d\n",
			 1000 + i);
		memcpy(text + len, line, strlen(line));
		len += strlen(line);
	}
	/* no trailing NUL: the parser must stop at len */
	assert_int_equal(nat_rules_parse_iptables(text, len, AF_INET, &r), 0);
	assert_int_equal(r.n, NAT_RULES_MAX);
	assert_int_equal(r.n_dropped, 10);
	assert_int_equal(r.rule[NAT_RULES_MAX - 1].port_lo, 1000 + NAT_RULES_MAX - 1);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nft_mixed), cmocka_unit_test(test_nft_broken),
	    cmocka_unit_test(test_iptables),  cmocka_unit_test(test_default_ranges),
	    cmocka_unit_test(test_capacity),  cmocka_unit_test(test_overflow),
	    cmocka_unit_test(test_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
