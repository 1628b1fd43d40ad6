/* test_nl_nflog_account.c: the counters of an NFLOG group fed message by
 * message (nl_nflog_account): a message that cannot be decoded is counted
 * as bad and its sequence number consumed first, so it never shows up as
 * lost as well; only numbers no message was received for are lost. */
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

enum msg_kind {
	GOOD,         /* prefix, seq, payload */
	BAD_IFINDEX,  /* NFULA_IFINDEX_INDEV of 8 bytes before a readable seq */
	BAD_SEQ,      /* NFULA_SEQ of 2 bytes: the number cannot be read */
	SHORT,        /* cut inside the nfgenmsg header */
	NOT_A_PACKET, /* NLMSG_DONE */
};

static char buf[4096];

static const struct nlmsghdr *msg(enum msg_kind kind, uint32_t seq)
{
	static const char prefix[] = "nf_ct_proto_6: invalid tcp flag combination ";
	static const uint8_t zeros[8];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = kind == NOT_A_PACKET ? NLMSG_DONE : PKT_TYPE;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	mnl_attr_put_strz(nlh, NFULA_PREFIX, prefix);
	if (kind == BAD_IFINDEX)
		mnl_attr_put(nlh, NFULA_IFINDEX_INDEV, sizeof(zeros), zeros);
	if (kind == BAD_SEQ)
		mnl_attr_put(nlh, NFULA_SEQ, 2, zeros);
	else
		mnl_attr_put_u32(nlh, NFULA_SEQ, htonl(seq));
	mnl_attr_put(nlh, NFULA_PAYLOAD, 4, zeros);
	if (kind == SHORT)
		nlh->nlmsg_len = sizeof(*nlh) + 2;
	return nlh;
}

static void test_bad_messages_are_not_lost(void **state)
{
	/* Each row: a message, its seq, then what the counters hold after it. */
	static const struct {
		enum msg_kind kind;
		uint32_t seq;
		int rc;
		uint64_t packets, lost, bad;
	} steps[] = {
	    {GOOD, 0, 0, 1, 0, 0},
	    {BAD_IFINDEX, 1, -EBADMSG, 1, 0, 1}, /* its seq is read and consumed */
	    {GOOD, 2, 0, 2, 0, 1},               /* in order: nothing lost */
	    {BAD_SEQ, 3, -EBADMSG, 2, 0, 2},     /* number unreadable */
	    {GOOD, 4, 0, 3, 0, 2},               /* 3 was received: not lost */
	    {SHORT, 5, -EBADMSG, 3, 0, 3},
	    {NOT_A_PACKET, 0, -ENOENT, 3, 0, 3},  /* counts nothing */
	    {GOOD, 8, 0, 4, 2, 3},                /* 5 received (short), 6 and 7 lost */
	    {BAD_IFINDEX, 12, -EBADMSG, 4, 5, 4}, /* 9, 10, 11 lost */
	    {GOOD, 13, 0, 5, 5, 4},
	};
	struct nl_nflog_seq s = {0};
	struct nl_nflog_stats st;

	(void)state;
	memset(&st, 0, sizeof(st));
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct nl_nflog_msg m;
		int rc = nl_nflog_account(&s, &st, msg(steps[i].kind, steps[i].seq), &m);

		if (rc != steps[i].rc || st.packets != steps[i].packets ||
		    st.lost != steps[i].lost || st.bad_messages != steps[i].bad)
			fail_msg("step %zu (seq %u): rc %d packets %llu lost %llu bad %llu; "
				 "expected %d %llu %llu %llu",
				 i, steps[i].seq, rc, (unsigned long long)st.packets,
				 (unsigned long long)st.lost, (unsigned long long)st.bad_messages,
				 steps[i].rc, (unsigned long long)steps[i].packets,
				 (unsigned long long)steps[i].lost,
				 (unsigned long long)steps[i].bad);
		if (rc == 0 && (!m.has_seq || m.seq != steps[i].seq))
			fail_msg("step %zu: decoded seq %u", i, m.seq);
	}
	assert_int_equal(st.enobufs, 0);
}

/* Unreadable numbers only shrink the gap they fall in, never below 0, and
 * are forgotten after it. */
static void test_unnumbered_in_gap(void **state)
{
	struct nl_nflog_seq s = {0};

	(void)state;
	assert_int_equal(nl_nflog_seq_gap(&s, 0), 0);
	s.unnumbered = 2;
	assert_int_equal(nl_nflog_seq_gap(&s, 5), 2); /* 1..4: 2 received, 2 lost */
	assert_int_equal(s.unnumbered, 0);
	s.unnumbered = 3;
	assert_int_equal(nl_nflog_seq_gap(&s, 7), 0); /* gap 1 < 3: none lost */
	assert_int_equal(nl_nflog_seq_gap(&s, 9), 1); /* the extra 2 forgotten */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_messages_are_not_lost),
	    cmocka_unit_test(test_unnumbered_in_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
