/* test_nat_decode.c: nl_ct_decode_nat, the NAT view of one dump message. */
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
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../nat_fixture.h"
#include "../../../nl/nl_ct.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode),
	    cmocka_unit_test(test_decode_icmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
