/* test_nat.c: the NAT view. Key building and counting on hand-built
 * entries (which entries count, TCP state split, port classes, capacity,
 * order, clients and pinning, the key cap), the finding for check,
 * nl_ct_decode_nat() on messages built with libmnl, and the whole path
 * (decode, aggregate, capacity from the ruleset, finding, Prometheus) on a
 * table dump recorded in the 60-nat lab (tests/fixtures/nat/README.md). */
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
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../../../collect/fileio.h"
#include "../../../analysis/nat.h"
#include "../../../nl/nl_ct.h"
#include "../../../render/render_nat.h"

#define SRC_NAT (1u << 4)
#define TCP_EST 3
#define TCP_TW  7

static void ip4(uint8_t *out, const char *s)
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static struct nat_entry mk(const char *client, const char *nat, const char *dst, uint16_t dport,
			   uint16_t nat_port, uint32_t status, int tcp_state)
{
	struct nat_entry e = {.family = AF_INET,
			      .proto = IPPROTO_TCP,
			      .status = status,
			      .tcp_state = tcp_state,
			      .has_ports = true,
			      .dport = dport,
			      .nat_port = nat_port};

	ip4(e.client, client);
	ip4(e.nat_addr, nat);
	ip4(e.dst, dst);
	return e;
}

static void add_n(struct nat_agg *agg, struct nat_entry e, int n, int tcp_state)
{
	for (int i = 0; i < n; i++) {
		e.nat_port = (uint16_t)(e.nat_port + 1);
		e.tcp_state = tcp_state;
		nat_agg_add(agg, &e);
	}
}

static const struct nat_row *row_of(const struct nat_report *r, const char *dst, uint16_t dport,
				    const char *nat)
{
	uint8_t d[16], n[16];

	ip4(d, dst);
	ip4(n, nat);
	for (size_t i = 0; i < r->n_rows; i++)
		if (memcmp(r->rows[i].dst, d, 16) == 0 && r->rows[i].dport == dport &&
		    memcmp(r->rows[i].nat_addr, n, 16) == 0)
			return &r->rows[i];
	return NULL;
}

/* A 10-port masquerade range, as in the integration lab. */
static void masq_rules(struct nat_rules *rules)
{
	memset(rules, 0, sizeof(*rules));
	rules->n = 1;
	rules->rule[0] = (struct nat_rule){.kind = NAT_RULE_MASQUERADE,
					   .family = AF_INET,
					   .has_ports = true,
					   .port_lo = 40000,
					   .port_hi = 40009};
}

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
	assert_true(a->saturation_pct == 100.0);
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

/* ---- nl_ct_decode_nat ---- */

struct tuple_spec {
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport; /* sport is the ICMP id for ICMP */
};

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, const struct tuple_spec *t)
{
	struct nlattr *tup = mnl_attr_nest_start(nlh, type), *n;
	uint32_t a;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(AF_INET, t->src, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, a);
	inet_pton(AF_INET, t->dst, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, a);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, t->proto);
	if (t->proto == IPPROTO_ICMP) {
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(t->sport));
	} else {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(t->sport));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(t->dport));
	}
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, tup);
}

static struct nlmsghdr *msg_start(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg->nfgen_family = AF_INET;
	return nlh;
}

static bool entry_equal(const struct nat_entry *a, const struct nat_entry *b)
{
	return a->family == b->family && a->proto == b->proto && a->zone == b->zone &&
	       a->status == b->status && a->tcp_state == b->tcp_state &&
	       memcmp(a->client, b->client, 16) == 0 && memcmp(a->nat_addr, b->nat_addr, 16) == 0 &&
	       memcmp(a->dst, b->dst, 16) == 0 && a->has_ports == b->has_ports &&
	       a->dport == b->dport && a->nat_port == b->nat_port;
}

static void test_decode(void **state)
{
	static const struct tuple_spec orig = {"10.1.0.1", "198.51.100.1", 6, 51000, 443};
	static const struct tuple_spec reply = {"198.51.100.1", "192.0.2.1", 6, 443, 40003};
	char buf[1024] __attribute__((aligned(4))) = {0};
	struct nlmsghdr *nlh = msg_start(buf);
	struct nlattr *pi, *tcp;
	struct nat_entry e, want;

	(void)state;
	put_tuple(nlh, CTA_TUPLE_ORIG, &orig);
	put_tuple(nlh, CTA_TUPLE_REPLY, &reply);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(SRC_NAT | 0xa));
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(7));
	pi = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, TCP_TW);
	mnl_attr_nest_end(nlh, tcp);
	mnl_attr_nest_end(nlh, pi);
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(5)); /* not read, skipped */
	assert_int_equal(nl_ct_decode_nat(nlh, &e), 0);
	want = mk("10.1.0.1", "192.0.2.1", "198.51.100.1", 443, 40003, SRC_NAT | 0xa, TCP_TW);
	want.zone = 7;
	assert_true(entry_equal(&e, &want));

	/* a known attribute of the wrong size; then no reply tuple */
	nlh = msg_start(buf);
	put_tuple(nlh, CTA_TUPLE_ORIG, &orig);
	put_tuple(nlh, CTA_TUPLE_REPLY, &reply);
	mnl_attr_put_u8(nlh, CTA_ZONE, 7);
	e.zone = 99;
	assert_int_equal(nl_ct_decode_nat(nlh, &e), -EBADMSG);
	assert_int_equal(e.zone, 99); /* untouched on failure */
	nlh = msg_start(buf);
	put_tuple(nlh, CTA_TUPLE_ORIG, &orig);
	assert_int_equal(nl_ct_decode_nat(nlh, &e), -EBADMSG);
	/* truncated: the message says it ends inside its last attribute */
	nlh = msg_start(buf);
	put_tuple(nlh, CTA_TUPLE_ORIG, &orig);
	put_tuple(nlh, CTA_TUPLE_REPLY, &reply);
	nlh->nlmsg_len -= 6;
	assert_int_equal(nl_ct_decode_nat(nlh, &e), -EBADMSG);
}

static void test_decode_icmp(void **state)
{
	static const struct tuple_spec orig = {"10.1.0.1", "198.51.100.1", 1, 77, 0};
	static const struct tuple_spec reply = {"198.51.100.1", "192.0.2.1", 1, 1234, 0};
	char buf[1024] __attribute__((aligned(4))) = {0};
	struct nlmsghdr *nlh = msg_start(buf);
	struct nat_entry e;

	(void)state;
	put_tuple(nlh, CTA_TUPLE_ORIG, &orig);
	put_tuple(nlh, CTA_TUPLE_REPLY, &reply);
	assert_int_equal(nl_ct_decode_nat(nlh, &e), 0);
	assert_true(e.has_ports);
	assert_int_equal(e.proto, IPPROTO_ICMP);
	assert_int_equal(e.dport, 0);
	assert_int_equal(e.nat_port, 1234);
	assert_int_equal(e.tcp_state, -1);
	assert_int_equal(e.zone, 0);
}

/* ---- the recorded 60-nat lab ---- */

#define LAB_DUMP    "tests/fixtures/nat/lab60-dump.bin"
#define LAB_RULESET "tests/fixtures/nat/lab60-ruleset.json"
#define LAB_HELD    10 /* connections held to each saturated destination */
#define LAB_PINNED  5  /* through the two-address SNAT rule */

struct lab_entries {
	size_t n, bad, nat_port_out_of_range;
};

/* Every message of the recording through nl_ct_decode_nat() into agg. */
static struct lab_entries lab_feed(struct nat_agg *agg)
{
	struct lab_entries le = {0};
	char *bytes = NULL;
	size_t len = 0;
	int left;

	assert_int_equal(fileio_read_all(LAB_DUMP, &bytes, &len), 0);
	assert_true(len > 0 && len < 1u << 20);
	left = (int)len;
	for (const struct nlmsghdr *nlh = (const struct nlmsghdr *)(const void *)bytes;
	     mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nat_entry e;

		le.n++;
		if (nl_ct_decode_nat(nlh, &e) != 0) {
			le.bad++;
			continue;
		}
		/* the masquerade range, or the SNAT rule's */
		if (!((e.nat_port >= 40000 && e.nat_port <= 40009) ||
		      (e.nat_port >= 20000 && e.nat_port <= 20099)))
			le.nat_port_out_of_range++;
		nat_agg_add(agg, &e);
	}
	assert_int_equal(left, 0); /* the file is whole messages, nothing trailing */
	free(bytes);
	return le;
}

static void lab_rules(struct nat_rules *rules)
{
	char *text = NULL;
	size_t len = 0;

	memset(rules, 0, sizeof(*rules));
	assert_int_equal(fileio_read_all(LAB_RULESET, &text, &len), 0);
	assert_int_equal(nat_rules_parse_nft_json(text, len, rules), 0);
	free(text);
	assert_int_equal(rules->n, 2);
}

static void lab_saturated(const struct nat_report *rep, const char *dst, uint16_t dport)
{
	const struct nat_row *r = row_of(rep, dst, dport, "10.213.2.254");
	uint8_t client[16];

	if (r == NULL)
		fail_msg("no row for %s:%u via 10.213.2.254", dst, dport);
	ip4(client, "10.213.1.1");
	assert_int_equal(r->proto, IPPROTO_TCP);
	assert_int_equal(r->zone, 0);
	assert_int_equal(r->in_use, LAB_HELD);
	assert_int_equal(r->entries, LAB_HELD);
	assert_int_equal(r->snat_entries, LAB_HELD);
	assert_int_equal(r->capacity, LAB_HELD);
	assert_true(r->saturation_pct == 100.0);
	assert_int_equal(r->cap.src, NAT_CAP_RULE);
	assert_int_equal(r->cap.port_lo, 40000);
	assert_int_equal(r->cap.port_hi, 40009);
	assert_int_equal(r->established, LAB_HELD);
	assert_int_equal(r->time_wait, 0);
	assert_int_equal(r->n_nat_addrs, 1);
	assert_int_equal(r->n_clients, 1);
	assert_memory_equal(r->clients[0].addr, client, 16);
	assert_int_equal(r->clients[0].count, LAB_HELD);
	assert_int_equal(r->clients[0].error, 0);
	assert_int_equal(r->clients[0].elsewhere, 0);
}

static char *lab_prom(const struct nat_report *rep, const struct nat_rules *rules,
		      const struct rules_report *findings)
{
	struct render_nat_in in = {
	    .netns = "lab", .rep = rep, .rules = rules, .rules_src = "file", .findings = findings};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(render_nat_prom(f, &in), 0);
	fclose(f);
	return buf;
}

static void test_recorded_lab(void **state)
{
	struct nat_agg *agg = nat_agg_new(0);
	static struct nat_report rep;
	static struct rules_report findings;
	struct nat_rules rules;
	const struct nat_row *p = NULL;
	struct lab_entries le;
	struct rules_finding f;
	uint8_t a250[16], a251[16];
	bool fired = false;
	char *s;

	(void)state;
	assert_non_null(agg);
	lab_rules(&rules);
	le = lab_feed(agg);
	assert_int_equal(le.n, 2 * LAB_HELD + LAB_PINNED);
	assert_int_equal(le.bad, 0);
	assert_int_equal(le.nat_port_out_of_range, 0);
	memset(&rep, 0, sizeof(rep));
	nat_agg_result(agg, &rules, 10, &rep);
	assert_int_equal(rep.entries, 2 * LAB_HELD + LAB_PINNED);
	assert_int_equal(rep.snat_entries, 2 * LAB_HELD + LAB_PINNED);
	assert_int_equal(rep.counted, 2 * LAB_HELD + LAB_PINNED);
	assert_int_equal(rep.keys, 3);
	assert_int_equal(rep.n_rows, 3);
	/* the two saturated destinations first, in either order */
	assert_true(rep.rows[0].saturation_pct == 100.0 && rep.rows[1].saturation_pct == 100.0);
	lab_saturated(&rep, "10.213.2.2", 5001);
	lab_saturated(&rep, "10.213.2.3", 5002);

	/* the two-address SNAT rule: one key, the client pinned to one address */
	ip4(a250, "10.213.2.250");
	ip4(a251, "10.213.2.251");
	p = &rep.rows[2];
	assert_true(memcmp(p->nat_addr, a250, 16) == 0 || memcmp(p->nat_addr, a251, 16) == 0);
	assert_int_equal(p->dport, 6001);
	assert_int_equal(p->in_use, LAB_PINNED);
	assert_int_equal(p->capacity, 100);
	assert_int_equal(p->cap.port_lo, 20000);
	assert_int_equal(p->cap.port_hi, 20099);
	assert_true(p->saturation_pct == 100.0 * LAB_PINNED / 100);
	assert_int_equal(p->n_nat_addrs, 1);
	assert_int_equal(p->n_clients, 1);
	assert_int_equal(p->clients[0].count, LAB_PINNED);
	assert_memory_equal(p->clients[0].addr, rep.rows[0].clients[0].addr, 16);

	/* the finding names the worst and counts the other saturated one */
	nat_finding(&rep, 70, 90, &f, &fired);
	assert_true(fired);
	assert_int_equal(f.sev, RULES_SEV_CRITICAL);
	assert_non_null(strstr(f.summary, "uses 10 of 10 ports (40000-40009) toward 10.213.2."));
	assert_non_null(strstr(f.summary, "(100%; 1 more destination alerts)"));
	assert_non_null(strstr(f.summary, "shorten TIME_WAIT"));
	assert_string_equal(f.ev[f.n_ev - 1].name, "alerting_destinations");
	assert_true(f.ev[f.n_ev - 1].value == 2.0);

	/* Prometheus: per-destination samples, one rate family per counter */
	memset(&findings, 0, sizeof(findings));
	findings.findings[0] = f;
	findings.n_findings = 1;
	findings.worst = f.sev;
	rep.has_counters = true;
	rep.interval_ms = 4000;
	rep.delta[NAT_CTR_INSERT_FAILED] = 8;
	rep.delta[NAT_CTR_DROP] = 8;
	rep.delta[NAT_CTR_FOUND] = 2;
	s = lab_prom(&rep, &rules, &findings);
	assert_non_null(
	    strstr(s, "\nctadvisor_nat_ports_in_use{netns=\"lab\",zone=\"0\",proto=\"tcp\","
		      "nat_addr=\"10.213.2.254\",dst=\"10.213.2.2\",dport=\"5001\"} 10\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_port_saturation_ratio{netns=\"lab\",zone=\"0\","
				  "proto=\"tcp\",nat_addr=\"10.213.2.254\",dst=\"10.213.2.3\","
				  "dport=\"5002\"} 1\n"));
	assert_non_null(
	    strstr(s, "\nctadvisor_nat_port_capacity{netns=\"lab\",zone=\"0\",proto=\"tcp\","
		      "nat_addr=\"10.213.2.254\",dst=\"10.213.2.2\",dport=\"5001\"} 10\n"));
	assert_non_null(strstr(s, "\n# TYPE ctadvisor_nat_insert_failed_per_second gauge\n"
				  "ctadvisor_nat_insert_failed_per_second{netns=\"lab\"} 2\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_found_per_second{netns=\"lab\"} 0.5\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_sample_interval_seconds{netns=\"lab\"} 4\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_source_nat_entries{netns=\"lab\"} 25\n"));
	assert_non_null(strstr(s, "\nctadvisor_nat_status{netns=\"lab\"} 2\n"));
	assert_null(strstr(s, "counter_rate"));
	assert_null(strstr(s, "ctadvisor_nat_worst_")); /* check's families */
	free(s);
	nat_agg_free(agg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counting),          cmocka_unit_test(test_default_classes),
	    cmocka_unit_test(test_pinning_and_order), cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_finding),           cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_decode_icmp),       cmocka_unit_test(test_recorded_lab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
