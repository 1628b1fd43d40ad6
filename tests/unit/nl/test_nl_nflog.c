/* test_nl_nflog.c: NFLOG packet messages built byte by byte (as the kernel
 * lays them out) through nl_nflog_decode(), the sequence-gap arithmetic and
 * the classification of a decoded message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "../../../nl/nl_nflog.h"

#define PKT_TYPE ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)

static char buf[4096];

/* A message header + nfgenmsg; attributes are added by the caller. */
static struct nlmsghdr *msg_start(uint16_t type, uint8_t family)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(0);
	return nlh;
}

/* IPv4 + TCP header, no options; flags as on the wire. */
static size_t ipv4_tcp(uint8_t *p, uint8_t flags)
{
	memset(p, 0, 40);
	p[0] = 0x45;
	p[3] = 40;
	p[8] = 64;
	p[9] = 6;
	memcpy(p + 12, (const uint8_t[]){10, 0, 0, 1}, 4);
	memcpy(p + 16, (const uint8_t[]){10, 0, 0, 2}, 4);
	p[20] = 0x9c, p[21] = 0x40; /* sport 40000 */
	p[23] = 80;
	p[32] = 5 << 4;
	p[33] = flags;
	return 40;
}

static const char ct_prefix[] = "nf_ct_proto_6: invalid tcp flag combination ";

static void test_decode_packet(void **state)
{
	struct nlmsghdr *nlh = msg_start(PKT_TYPE, AF_INET);
	struct nl_nflog_msg m;
	uint8_t pkt[40];
	size_t n = ipv4_tcp(pkt, 0x03);

	(void)state;
	mnl_attr_put_strz(nlh, NFULA_PREFIX, ct_prefix);
	mnl_attr_put_u32(nlh, NFULA_IFINDEX_INDEV, htonl(7));
	mnl_attr_put_u32(nlh, NFULA_SEQ, htonl(41));
	mnl_attr_put(nlh, 60, 3, "new"); /* unknown to us: skipped */
	mnl_attr_put(nlh, NFULA_PAYLOAD, n, pkt);
	assert_int_equal(nl_nflog_decode(nlh, &m), 0);
	assert_int_equal(m.family, AF_INET);
	/* The kernel's NUL is not part of the prefix; its trailing space is. */
	assert_int_equal(m.prefix_len, strlen(ct_prefix));
	assert_memory_equal(m.prefix, ct_prefix, m.prefix_len);
	assert_int_equal(m.payload_len, n);
	assert_memory_equal(m.payload, pkt, n);
	assert_int_equal(m.indev, 7);
	assert_int_equal(m.outdev, 0);
	assert_true(m.has_seq);
	assert_int_equal(m.seq, 41);
}

static void test_decode_minimal(void **state)
{
	struct nlmsghdr *nlh = msg_start(PKT_TYPE, AF_INET6);
	struct nl_nflog_msg m;

	(void)state;
	mnl_attr_put_u32(nlh, NFULA_IFINDEX_OUTDEV, htonl(3));
	assert_int_equal(nl_nflog_decode(nlh, &m), 0);
	assert_int_equal(m.family, AF_INET6);
	assert_null(m.prefix);
	assert_null(m.payload);
	assert_false(m.has_seq);
	assert_int_equal(m.outdev, 3);
}

/* Messages that are not packets, or are broken, leave out untouched. */
static void test_decode_rejects(void **state)
{
	static const struct {
		uint16_t type;
		int attr;          /* -1 none */
		uint16_t attr_len; /* payload bytes of that attribute */
		uint32_t cut;      /* > 0: nlmsg_len forced to this */
		int rc;
	} cases[] = {
	    {NLMSG_DONE, -1, 0, 0, -ENOENT},
	    {(NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG, -1, 0, 0, -ENOENT},
	    {(NFNL_SUBSYS_CTNETLINK << 8) | NFULNL_MSG_PACKET, -1, 0, 0, -ENOENT},
	    {PKT_TYPE, NFULA_SEQ, 2, 0, -EBADMSG},
	    {PKT_TYPE, NFULA_IFINDEX_INDEV, 8, 0, -EBADMSG},
	    {PKT_TYPE, -1, 0, sizeof(struct nlmsghdr) + 2, -EBADMSG},
	    {PKT_TYPE, -1, 0, 8, -EBADMSG},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct nlmsghdr *nlh = msg_start(cases[i].type, AF_INET);
		struct nl_nflog_msg m;
		static const uint8_t zeros[8];
		int rc;

		if (cases[i].attr >= 0)
			mnl_attr_put(nlh, (uint16_t)cases[i].attr, cases[i].attr_len, zeros);
		if (cases[i].cut)
			nlh->nlmsg_len = cases[i].cut;
		memset(&m, 0xa5, sizeof(m));
		rc = nl_nflog_decode(nlh, &m);
		if (rc != cases[i].rc)
			fail_msg("case %zu: rc %d, expected %d", i, rc, cases[i].rc);
		if (((const uint8_t *)&m)[0] != 0xa5)
			fail_msg("case %zu: out written on error", i);
	}
}

static void test_seq_gap(void **state)
{
	/* Each row: the seq received and the loss it reveals, in order. */
	static const struct {
		uint32_t seq, gap;
	} steps[] = {
	    {0, 0},    {1, 0},           {2, 0}, {5, 2}, /* 3 and 4 lost */
	    {5, 0},                                      /* a repeat: nothing */
	    {3, 0},                                      /* from the past: nothing, next stays 6 */
	    {6, 0},    {0xfffffffeu, 0},                 /* far behind by modulo: from the past */
	    {100, 93}, {101, 0},
	};
	struct nl_nflog_seq s = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint32_t gap = nl_nflog_seq_gap(&s, steps[i].seq);

		if (gap != steps[i].gap)
			fail_msg("step %zu (seq %u): gap %u, expected %u", i, steps[i].seq, gap,
				 steps[i].gap);
	}
	/* Wrap-around: 0xffffffff then 0 is in order, then 2 loses one. */
	s.next = 0xffffffffu;
	assert_int_equal(nl_nflog_seq_gap(&s, 0xffffffffu), 0);
	assert_int_equal(nl_nflog_seq_gap(&s, 0), 0);
	assert_int_equal(nl_nflog_seq_gap(&s, 2), 1);
	/* First message of a fresh group after losses. */
	s.next = 0;
	assert_int_equal(nl_nflog_seq_gap(&s, 3), 3);
}

static void test_event(void **state)
{
	struct nl_nflog_msg m = {.family = AF_INET};
	struct logparse_event ev;
	uint8_t pkt[40];

	(void)state;
	m.payload_len = ipv4_tcp(pkt, 0x03);
	m.payload = pkt;
	m.prefix = ct_prefix;
	m.prefix_len = strlen(ct_prefix);
	assert_int_equal(nl_nflog_event(&m, "veth0", NULL, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_CT_INVALID);
	assert_string_equal(ev.reason->id, "tcp-invalid-flags");
	assert_int_equal(ev.pkt.tcp_flags, 0x03);
	assert_int_equal(ev.pkt.sport, 40000);
	assert_int_equal(ev.pkt.dport, 80);
	assert_string_equal(ev.pkt.in, "veth0");
	assert_string_equal(ev.pkt.out, "");

	/* A name longer than an interface name is cut, never overflows. */
	assert_int_equal(nl_nflog_event(&m, NULL, "a-name-longer-than-ifnamsiz", &ev), 0);
	assert_int_equal(strlen(ev.pkt.out), LOGPARSE_IFNAME - 1);

	/* No prefix: nothing to classify. */
	m.prefix = NULL;
	m.prefix_len = 0;
	assert_int_equal(nl_nflog_event(&m, NULL, NULL, &ev), -ENODATA);

	/* A truncated payload still classifies and says so. */
	m.prefix = ct_prefix;
	m.prefix_len = strlen(ct_prefix);
	m.payload_len = 30;
	assert_int_equal(nl_nflog_event(&m, NULL, NULL, &ev), 0);
	assert_true(ev.pkt.is_truncated);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_packet),  cmocka_unit_test(test_decode_minimal),
	    cmocka_unit_test(test_decode_rejects), cmocka_unit_test(test_seq_gap),
	    cmocka_unit_test(test_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
