/* test_flush.c: the flush filter (option parsing and the whole-filter
 * check, table-driven), matching against entries, and flush_decode() on
 * dump messages built by hand the way ctnetlink lays them out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../../../analysis/ruleset.h"
#include "../../../nl/flush_nl.h"

#define BUF_SIZE 4096

/* One option, then finish: the return codes of both. */
struct parse_case {
	const char *name, *value;
	int set_rc, finish_rc;
};

static const struct parse_case parse_cases[] = {
    {"family", "ipv4", 0, 0},
    {"family", "inet6", 0, 0},
    {"family", "ipx", -EINVAL, -ENODATA},
    {"proto", "tcp", 0, 0},
    {"proto", "UDP", 0, 0},
    {"proto", "47", 0, 0},
    {"proto", "256", -ERANGE, -ENODATA},
    {"proto", "bogus", -EINVAL, -ENODATA},
    {"proto", "", -EINVAL, -ENODATA},
    {"src", "10.0.0.1", 0, 0},
    {"src", "10.0.0.0/8", 0, 0},
    {"src", "10.0.0.0/33", -ERANGE, -ENODATA},
    {"src", "10.0.0.0/", -EINVAL, -ENODATA},
    {"dst", "2001:db8::/32", 0, 0},
    {"dst", "2001:db8::/129", -ERANGE, -ENODATA},
    {"dst", "not-an-address", -EINVAL, -ENODATA},
    {"dst", "/24", -EINVAL, -ENODATA},
    {"sport", "0", 0, 0},
    {"sport", "65535", 0, 0},
    {"dport", "65536", -ERANGE, -ENODATA},
    {"dport", "-1", -EINVAL, -ENODATA},
    {"dport", "80x", -EINVAL, -ENODATA},
    {"state", "ESTABLISHED", 0, 0},
    {"state", "time_wait", 0, 0},
    {"state", "LISTEN", 0, 0},
    {"state", "OPEN", -EINVAL, -ENODATA},
    {"mark", "7", 0, 0},
    {"mark", "0x10/0xf0", 0, 0},
    {"mark", "4294967296", -ERANGE, -ENODATA},
    {"mark", "1/", -EINVAL, -ENODATA},
    {"zone", "65535", 0, 0},
    {"zone", "65536", -ERANGE, -ENODATA},
    {"unreplied", NULL, 0, 0},
    {"assured", NULL, 0, 0},
    {"src-nat", NULL, 0, 0},
    {"dst-nat", NULL, 0, 0},
    {"no-acct", NULL, 0, 0},
    {"no-tstamp", NULL, 0, 0},
    {"all", NULL, 0, 0},
    {"unreplied", "x", -EINVAL, -ENODATA},
    {"zone", NULL, -EINVAL, -ENODATA},
    {"flush-everything", "1", -ENOENT, -ENODATA},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		struct flush_filter f;
		int rc;

		flush_filter_init(&f);
		rc = flush_filter_set(&f, c->name, c->value);
		if (rc != c->set_rc)
			fail_msg("case %zu (--%s %s): set returned %d, expected %d", i, c->name,
				 c->value ? c->value : "", rc, c->set_rc);
		rc = flush_filter_finish(&f);
		if (rc != c->finish_rc)
			fail_msg("case %zu (--%s %s): finish returned %d, expected %d", i, c->name,
				 c->value ? c->value : "", rc, c->finish_rc);
	}
}

/* Several options, then finish. */
struct combo_case {
	const char *opts[4][2];
	int finish_rc;
};

static const struct combo_case combo_cases[] = {
    {{{"proto", "udp"}, {"dport", "4789"}}, 0},
    {{{"proto", "icmp"}, {"dport", "80"}}, -EINVAL}, /* no ports in ICMP */
    {{{"proto", "udp"}, {"state", "ESTABLISHED"}}, -EINVAL},
    {{{"family", "ipv6"}, {"src", "10.0.0.1"}}, -EINVAL},
    {{{"src", "10.0.0.1"}, {"dst", "::1"}}, -EINVAL},
    {{{"all", NULL}, {"proto", "tcp"}}, -EINVAL},
    {{{"family", "ipv4"}, {"src", "10.0.0.0/8"}, {"dst", "10.1.0.0/16"}}, 0},
    {{{"dport", "53"}}, 0}, /* any protocol with ports */
};

static void test_combos(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(combo_cases) / sizeof(combo_cases[0]); i++) {
		const struct combo_case *c = &combo_cases[i];
		struct flush_filter f;
		int rc;

		flush_filter_init(&f);
		for (size_t j = 0; j < 4 && c->opts[j][0] != NULL; j++)
			if (flush_filter_set(&f, c->opts[j][0], c->opts[j][1]) != 0)
				fail_msg("case %zu: option %zu --%s rejected", i, j, c->opts[j][0]);
		rc = flush_filter_finish(&f);
		if (rc != c->finish_rc)
			fail_msg("case %zu: finish returned %d, expected %d", i, rc, c->finish_rc);
	}
}

static void test_twice_and_state_implies_tcp(void **state)
{
	struct flush_filter f;

	(void)state;
	flush_filter_init(&f);
	assert_int_equal(flush_filter_set(&f, "dport", "1"), 0);
	assert_int_equal(flush_filter_set(&f, "dport", "2"), -EEXIST);
	assert_int_equal(flush_filter_set(&f, "no-acct", NULL), 0);
	assert_int_equal(flush_filter_set(&f, "no-acct", NULL), -EEXIST);
	assert_int_equal(f.dport, 1);

	flush_filter_init(&f);
	assert_int_equal(flush_filter_set(&f, "state", "TIME_WAIT"), 0);
	assert_int_equal(flush_filter_finish(&f), 0);
	assert_true(f.has_proto);
	assert_int_equal(f.proto, IPPROTO_TCP);
	assert_int_equal(f.tcp_state, TCP_CONNTRACK_TIME_WAIT);

	flush_filter_init(&f);
	assert_true(flush_filter_is_empty(&f));
	assert_int_equal(flush_filter_finish(&f), -ENODATA);
	assert_int_equal(flush_filter_set(&f, "all", NULL), 0);
	assert_true(flush_filter_is_empty(&f));
	assert_int_equal(flush_filter_finish(&f), 0);
}

static struct flush_entry entry(uint8_t proto, const char *src, const char *dst, uint16_t sport,
				uint16_t dport)
{
	struct flush_entry e;

	memset(&e, 0, sizeof(e));
	e.family = strchr(src, ':') ? AF_INET6 : AF_INET;
	e.proto = proto;
	inet_pton(e.family, src, e.src);
	inet_pton(e.family, dst, e.dst);
	e.has_ports = proto == IPPROTO_TCP || proto == IPPROTO_UDP;
	e.sport = sport;
	e.dport = dport;
	e.tcp_state = proto == IPPROTO_TCP ? TCP_CONNTRACK_ESTABLISHED : -1;
	e.status = IPS_SEEN_REPLY | IPS_ASSURED;
	e.has_acct = true;
	e.has_tstamp = true;
	return e;
}

struct match_case {
	const char *opts[3][2];
	bool expect[6]; /* against the entries of test_match_table */
};

static const struct match_case match_cases[] = {
    /* e0 tcp est, e1 udp 4789 unreplied no-acct snat, e2 udp 53 v6 dnat,
     * e3 icmp, e4 tcp time_wait mark 0x12 zone 3, e5 udp 4789 from 10.1.2.3 */
    {{{"proto", "udp"}}, {false, true, true, false, false, true}},
    {{{"proto", "udp"}, {"dport", "4789"}}, {false, true, false, false, false, true}},
    {{{"dport", "4789"}}, {false, true, false, false, false, true}},
    {{{"src", "10.0.0.0/8"}}, {true, true, false, true, true, true}},
    {{{"src", "10.1.2.0/23"}}, {false, false, false, false, false, true}},
    {{{"src", "10.1.3.255/23"}}, {false, false, false, false, false, true}},
    {{{"src", "10.1.2.3/32"}, {"dport", "4789"}}, {false, false, false, false, false, true}},
    {{{"dst", "2001:db8::/32"}}, {false, false, true, false, false, false}},
    {{{"family", "ipv6"}}, {false, false, true, false, false, false}},
    {{{"family", "ipv4"}}, {true, true, false, true, true, true}},
    {{{"state", "ESTABLISHED"}}, {true, false, false, false, false, false}},
    {{{"unreplied", NULL}}, {false, true, false, false, false, false}},
    {{{"assured", NULL}}, {true, false, true, true, true, true}},
    {{{"no-acct", NULL}}, {false, true, false, false, false, false}},
    {{{"no-tstamp", NULL}}, {false, false, false, false, true, false}},
    {{{"src-nat", NULL}}, {false, true, false, false, false, false}},
    {{{"dst-nat", NULL}}, {false, false, true, false, false, false}},
    {{{"mark", "0x12"}}, {false, false, false, false, true, false}},
    {{{"mark", "0x10/0xf0"}}, {false, false, false, false, true, false}},
    {{{"mark", "0"}}, {true, true, true, true, false, true}},
    {{{"zone", "3"}}, {false, false, false, false, true, false}},
    {{{"zone", "0"}}, {true, true, true, true, false, true}},
    {{{"sport", "1000"}}, {true, false, false, false, false, false}},
    {{{"all", NULL}}, {true, true, true, true, true, true}},
};

static void make_entries(struct flush_entry *e)
{
	e[0] = entry(IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 1000, 80);
	e[1] = entry(IPPROTO_UDP, "10.0.0.1", "10.0.0.9", 40000, 4789);
	e[1].status = IPS_SRC_NAT;
	e[1].has_acct = false;
	e[2] = entry(IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 5353, 53);
	e[2].status |= IPS_DST_NAT;
	e[3] = entry(IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 0, 0);
	e[4] = entry(IPPROTO_TCP, "10.0.0.5", "10.0.0.2", 1001, 80);
	e[4].tcp_state = TCP_CONNTRACK_TIME_WAIT;
	e[4].mark = 0x12;
	e[4].zone = 3;
	e[4].has_tstamp = false;
	e[5] = entry(IPPROTO_UDP, "10.1.2.3", "10.0.0.9", 40001, 4789);
}

static void test_match_table(void **state)
{
	struct flush_entry e[6];

	(void)state;
	make_entries(e);
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		struct flush_filter f;

		flush_filter_init(&f);
		for (size_t j = 0; j < 3 && c->opts[j][0] != NULL; j++)
			if (flush_filter_set(&f, c->opts[j][0], c->opts[j][1]) != 0)
				fail_msg("case %zu: option --%s rejected", i, c->opts[j][0]);
		if (flush_filter_finish(&f) != 0)
			fail_msg("case %zu: filter rejected", i);
		for (size_t k = 0; k < 6; k++)
			if (flush_filter_match(&f, &e[k]) != c->expect[k])
				fail_msg("case %zu (--%s): entry %zu matched %d, expected %d", i,
					 c->opts[0][0], k, !c->expect[k], c->expect[k]);
	}
}

static void test_established(void **state)
{
	struct flush_entry e[6];

	(void)state;
	make_entries(e);
	assert_true(flush_entry_is_established_tcp(&e[0]));
	assert_false(flush_entry_is_established_tcp(&e[1]));
	assert_false(flush_entry_is_established_tcp(&e[4]));
}

/* NATed TCP past the handshake: source or destination NAT; not UDP, not
 * TIME_WAIT, not an un-NATed connection. */
static void test_nat_tcp(void **state)
{
	struct flush_entry e[6];

	(void)state;
	make_entries(e);
	e[0].status &= ~(IPS_SRC_NAT | IPS_DST_NAT);
	assert_true(flush_entry_is_established_tcp(&e[0]));
	assert_false(flush_entry_is_nat_tcp(&e[0]));
	e[0].status |= IPS_SRC_NAT;
	assert_true(flush_entry_is_nat_tcp(&e[0]));
	e[0].status = IPS_DST_NAT;
	assert_true(flush_entry_is_nat_tcp(&e[0]));
	e[0].tcp_state = TCP_CONNTRACK_TIME_WAIT;
	assert_false(flush_entry_is_nat_tcp(&e[0]));
	e[1].status |= IPS_SRC_NAT; /* not TCP */
	assert_false(flush_entry_is_nat_tcp(&e[1]));
}

/* Every TCP state: those past the handshake break when deleted with
 * tcp_loose=0, the others do not; a UDP entry never does. */
static void test_established_states(void **state)
{
	static const struct {
		int st;
		bool breaks;
	} cases[] = {
	    {TCP_CONNTRACK_NONE, false},    {TCP_CONNTRACK_SYN_SENT, false},
	    {TCP_CONNTRACK_SYN_RECV, true}, {TCP_CONNTRACK_ESTABLISHED, true},
	    {TCP_CONNTRACK_FIN_WAIT, true}, {TCP_CONNTRACK_CLOSE_WAIT, true},
	    {TCP_CONNTRACK_LAST_ACK, true}, {TCP_CONNTRACK_TIME_WAIT, false},
	    {TCP_CONNTRACK_CLOSE, false},   {TCP_CONNTRACK_SYN_SENT2, false},
	};
	struct flush_entry e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&e, 0, sizeof(e));
		e.proto = IPPROTO_TCP;
		e.tcp_state = cases[i].st;
		if (flush_entry_is_established_tcp(&e) != cases[i].breaks)
			fail_msg("TCP state %d: breaks %d, expected %d", cases[i].st,
				 !cases[i].breaks, cases[i].breaks);
		e.proto = IPPROTO_UDP;
		assert_false(flush_entry_is_established_tcp(&e));
	}
}

/* ---- rules that drop ct state invalid ---- */

#define NFT_HEAD                                                                                   \
	"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"json_schema_version\": 1}}, "   \
	"{\"table\": {\"family\": \"inet\", \"name\": \"f\", \"handle\": 1}}"
#define NFT_RULE(h, expr)                                                                          \
	", {\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"i\", \"handle\": " #h  \
	", \"expr\": [" expr "]}}"
#define CT_STATE(op, right)                                                                        \
	"{\"match\": {\"op\": \"" op                                                               \
	"\", \"left\": {\"ct\": {\"key\": \"state\"}}, \"right\": " right "}}"

static void test_ruleset_nft(void **state)
{
	/* As nft 1.0.6 lists them (nft -j list ruleset). */
	static const struct {
		const char *json;
		int rc;
		const char *where;
	} cases[] = {
	    {NFT_HEAD "]}", 0, ""},
	    {NFT_HEAD NFT_RULE(2, CT_STATE("in", "\"invalid\"") ", {\"drop\": null}") "]}", 1,
	     "nft inet f i handle 2"},
	    {NFT_HEAD NFT_RULE(
		 3,
		 CT_STATE(
		     "==",
		     "{\"set\": [\"invalid\", \"new\"]}") ", "
							  "{\"counter\": {\"packets\": 0, \"bytes\": 0}}, "
							  "{\"reject\": null}") "]}",
	     1, "nft inet f i handle 3"},
	    {NFT_HEAD NFT_RULE(4, "{\"vmap\": {\"key\": {\"ct\": {\"key\": \"state\"}}, \"data\": "
				  "{\"set\": [[\"established\", {\"accept\": null}], "
				  "[\"invalid\", {\"drop\": null}]]}}}") "]}",
	     1, "nft inet f i handle 4"},
	    /* accepted, negated, or another state: no */
	    {NFT_HEAD NFT_RULE(
		 5, CT_STATE("in", "[\"established\", \"related\"]") ", "
								     "{\"accept\": null}")
		 NFT_RULE(6, CT_STATE("!=", "\"invalid\"") ", {\"drop\": null}")
		     NFT_RULE(7, CT_STATE("in", "\"invalid\"") ", {\"accept\": null}") NFT_RULE(
			 8, "{\"vmap\": {\"key\": {\"ct\": {\"key\": \"state\"}}, \"data\": "
			    "{\"set\": [[\"invalid\", {\"accept\": null}]]}}}") "]}",
	     0, ""},
	    /* the first that drops is named */
	    {NFT_HEAD NFT_RULE(5, CT_STATE("in", "\"established\"") ", {\"accept\": null}")
		 NFT_RULE(9, CT_STATE("in", "\"invalid\"") ", {\"drop\": null}") "]}",
	     1, "nft inet f i handle 9"},
	    {"not json", -EINVAL, ""},
	    {"{\"other\": []}", -EINVAL, ""},
	};
	char where[FLUSH_WHERE_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		where[0] = '\0';
		rc = flush_ruleset_nft_drops_invalid(cases[i].json, strlen(cases[i].json), where,
						     sizeof(where));
		if (rc != cases[i].rc || strcmp(where, cases[i].where) != 0)
			fail_msg("case %zu: rc %d where '%s', expected %d '%s'", i, rc, where,
				 cases[i].rc, cases[i].where);
	}
}

static void test_ruleset_iptables(void **state)
{
	static const struct {
		const char *text;
		int rc;
		const char *where;
	} cases[] = {
	    {"*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate "
	     "RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -m conntrack --ctstate INVALID -j DROP\n"
	     "COMMIT\n",
	     1, "iptables-save line 4"},
	    {"*filter\n-A FORWARD -m state --state NEW,INVALID -j REJECT --reject-with "
	     "icmp-port-unreachable\nCOMMIT\n",
	     1, "iptables-save line 2"},
	    {"*filter\n-A INPUT -m conntrack ! --ctstate INVALID -j DROP\n"
	     "-A INPUT -m conntrack --ctstate INVALID -j ACCEPT\n"
	     "-A INPUT -m conntrack --ctstate INVALIDATED -j DROP\n"
	     "# -A INPUT -m conntrack --ctstate INVALID -j DROP\nCOMMIT\n",
	     0, ""},
	    {"", 0, ""},
	};
	char where[FLUSH_WHERE_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		where[0] = '\0';
		rc = flush_ruleset_ipt_drops_invalid(cases[i].text, strlen(cases[i].text),
						     "iptables-save", where, sizeof(where));
		if (rc != cases[i].rc || strcmp(where, cases[i].where) != 0)
			fail_msg("case %zu: rc %d where '%s', expected %d '%s'", i, rc, where,
				 cases[i].rc, cases[i].where);
	}
}

/* ---- decode ---- */

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, const char *src, const char *dst,
		      uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *n;
	uint32_t a;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(AF_INET, src, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, a);
	inet_pton(AF_INET, dst, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, a);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static struct nlmsghdr *build(char *buf, bool with_acct, bool tcp)
{
	/* Attribute padding is compared byte for byte below: define it. */
	memset(buf, 0, BUF_SIZE);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nlattr *n, *m;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	put_tuple(nlh, CTA_TUPLE_ORIG, "10.0.0.1", "10.0.0.2", tcp ? IPPROTO_TCP : IPPROTO_UDP,
		  40000, 4789);
	put_tuple(nlh, CTA_TUPLE_REPLY, "10.0.0.2", "192.0.2.7", tcp ? IPPROTO_TCP : IPPROTO_UDP,
		  4789, 61000);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_SRC_NAT | IPS_SEEN_REPLY));
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0x42));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(0xdeadbeef));
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(7));
	if (tcp) {
		n = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
		m = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
		mnl_attr_nest_end(nlh, m);
		mnl_attr_nest_end(nlh, n);
	}
	if (with_acct) {
		n = mnl_attr_nest_start(nlh, CTA_COUNTERS_ORIG);
		mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, 0);
		mnl_attr_nest_end(nlh, n);
	}
	return nlh;
}

static void test_decode(void **state)
{
	char buf[BUF_SIZE], line[FLUSH_LINE_LEN];
	struct flush_entry e;
	struct nlmsghdr *nlh;
	uint8_t want[4];

	(void)state;
	nlh = build(buf, false, false);
	assert_int_equal(flush_decode(nlh, &e), 0);
	assert_int_equal(e.family, AF_INET);
	assert_int_equal(e.proto, IPPROTO_UDP);
	inet_pton(AF_INET, "10.0.0.2", want);
	assert_memory_equal(e.dst, want, 4);
	inet_pton(AF_INET, "192.0.2.7", want);
	assert_memory_equal(e.rdst, want, 4);
	assert_int_equal(e.sport, 40000);
	assert_int_equal(e.dport, 4789);
	assert_int_equal(e.rdport, 61000);
	assert_true(e.has_ports);
	assert_int_equal(e.tcp_state, -1);
	assert_int_equal(e.mark, 0x42);
	assert_int_equal(e.zone, 7);
	assert_true(e.has_id);
	assert_int_equal(e.id, 0xdeadbeef);
	assert_false(e.has_acct);
	assert_int_equal(e.status, IPS_SRC_NAT | IPS_SEEN_REPLY);
	/* The raw tuple is the first attribute, byte for byte. */
	assert_true(e.tuple_len > 0);
	assert_memory_equal(e.tuple, (char *)mnl_nlmsg_get_payload(nlh) + sizeof(struct nfgenmsg),
			    e.tuple_len);
	flush_entry_format(&e, line, sizeof(line));
	assert_non_null(strstr(line, "udp src=10.0.0.1 dst=10.0.0.2 sport=40000 dport=4789"));
	assert_non_null(strstr(line, "[no acct]"));

	nlh = build(buf, true, true);
	assert_int_equal(flush_decode(nlh, &e), 0);
	assert_true(e.has_acct);
	assert_int_equal(e.tcp_state, TCP_CONNTRACK_ESTABLISHED);
	assert_true(flush_entry_is_established_tcp(&e));
}

static void test_decode_rejects(void **state)
{
	char buf[BUF_SIZE];
	struct flush_entry e;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	(void)state;
	memset(&e, 0x5a, sizeof(e));
	/* No original tuple. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	mnl_attr_put_u32(nlh, CTA_STATUS, 0);
	assert_int_equal(flush_decode(nlh, &e), -EBADMSG);
	/* Wrong message type. */
	nlh = build(buf, false, false);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE;
	assert_int_equal(flush_decode(nlh, &e), -EBADMSG);
	/* A status of the wrong size. */
	nlh = build(buf, false, false);
	mnl_attr_put_u16(nlh, CTA_STATUS, 1);
	assert_int_equal(flush_decode(nlh, &e), -EBADMSG);
	/* Shorter than its headers. */
	nlh = build(buf, false, false);
	nlh->nlmsg_len = NLMSG_HDRLEN + 1;
	assert_int_equal(flush_decode(nlh, &e), -EBADMSG);
	/* Nothing written on failure. */
	assert_int_equal(e.family, 0x5a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_table),
	    cmocka_unit_test(test_combos),
	    cmocka_unit_test(test_twice_and_state_implies_tcp),
	    cmocka_unit_test(test_match_table),
	    cmocka_unit_test(test_established),
	    cmocka_unit_test(test_nat_tcp),
	    cmocka_unit_test(test_established_states),
	    cmocka_unit_test(test_ruleset_nft),
	    cmocka_unit_test(test_ruleset_iptables),
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_decode_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
