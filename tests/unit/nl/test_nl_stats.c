/* Unit tests: ctnetlink statistics decoding on recorded and built bytes.
 * The recorded replies of tests/fixtures/netlink/ (see its README) are
 * checked against conntrack -C and -S of the same moment. Fixtures are
 * found under $CTADVISOR_SRCDIR or ".". */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fixture.h"
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../../../nl/nl_stats.h"

/* Recorded from Linux 6.18 (python raw netlink socket, GET_STATS then the
 * GET_STATS_CPU dump on a 2-CPU VM). */
static const char rec_global[] =
    "24000000050102002a000000f31700000000000008000100000000000800020000040000";
static const char rec_cpu1[] =
    "64000000040102002a000000f317000000000001080002000000000008000400000000000800"
    "080000000000080009000000000008000a000000000008000b000000000008000c0000000000"
    "08000d000000000008000e000000000008000f0000000000";

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static struct nlmsghdr *put_stats_msg(uint8_t *buf, uint8_t msg, uint16_t res_id)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->res_id = htons(res_id);
	return nlh;
}

static void test_recorded_global(void **state)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	struct nl_stats_global g;

	(void)state;
	unhex(rec_global, buf, sizeof(buf));
	assert_int_equal(nl_stats_decode_global((struct nlmsghdr *)buf, &g), 0);
	assert_int_equal(g.count, 0);
	assert_true(g.has_max);
	assert_int_equal(g.max, 262144);
}

static void test_recorded_cpu(void **state)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	struct snap_cpu_stats c;
	const unsigned expected[] = {2, 4, 8, 9, 10, 11, 12, 13, 14, 15};
	uint32_t mask = 0;

	(void)state;
	unhex(rec_cpu1, buf, sizeof(buf));
	assert_int_equal(nl_stats_decode_cpu((struct nlmsghdr *)buf, &c), 0);
	assert_int_equal(c.cpu, 1);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		mask |= 1u << expected[i];
	assert_int_equal(c.present, mask);
}

static void test_cpu_values_and_unknown(void **state)
{
	uint8_t buf[512] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = put_stats_msg(buf, IPCTNL_MSG_CT_GET_STATS_CPU, 7);
	struct snap_cpu_stats c;

	(void)state;
	mnl_attr_put_u32(nlh, CTA_STATS_INVALID, htonl(137));
	mnl_attr_put_u32(nlh, CTA_STATS_DROP, htonl(0xffffffffu));
	mnl_attr_put_u32(nlh, 16, htonl(5)); /* a counter from a newer kernel */
	mnl_attr_put_u64(nlh, 40, 1);        /* beyond the slots: skipped */
	assert_int_equal(nl_stats_decode_cpu(nlh, &c), 0);
	assert_int_equal(c.cpu, 7);
	assert_int_equal(c.v[SNAP_STAT_INVALID], 137);
	assert_int_equal(c.v[SNAP_STAT_DROP], 0xffffffffu);
	assert_int_equal(c.v[16], 5);
	assert_string_equal(snap_stat_name(16), "unknown1");
	assert_int_equal(c.present, (1u << 4) | (1u << 10) | (1u << 16));
}

static void test_bad_messages(void **state)
{
	uint8_t buf[512] __attribute__((aligned(4)));
	struct snap_cpu_stats c = {.cpu = 99};
	struct nl_stats_global g;
	struct nlmsghdr *nlh;

	(void)state;
	/* A known counter with a 2-byte payload. */
	nlh = put_stats_msg(buf, IPCTNL_MSG_CT_GET_STATS_CPU, 0);
	mnl_attr_put_u16(nlh, CTA_STATS_FOUND, 1);
	assert_int_equal(nl_stats_decode_cpu(nlh, &c), -EBADMSG);
	assert_int_equal(c.cpu, 99); /* untouched on error */
	/* The wrong message type. */
	nlh = put_stats_msg(buf, IPCTNL_MSG_CT_GET_STATS, 0);
	assert_int_equal(nl_stats_decode_cpu(nlh, &c), -EBADMSG);
	/* A global reply without the entry count. */
	mnl_attr_put_u32(nlh, CTA_STATS_GLOBAL_MAX_ENTRIES, htonl(10));
	assert_int_equal(nl_stats_decode_global(nlh, &g), -ENODATA);
	/* Older kernels: count without max. */
	nlh = put_stats_msg(buf, IPCTNL_MSG_CT_GET_STATS, 0);
	mnl_attr_put_u32(nlh, CTA_STATS_GLOBAL_ENTRIES, htonl(12));
	assert_int_equal(nl_stats_decode_global(nlh, &g), 0);
	assert_int_equal(g.count, 12);
	assert_false(g.has_max);
	/* Too short to hold the nfgenmsg. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS;
	assert_int_equal(nl_stats_decode_global(nlh, &g), -EBADMSG);
}

/* ---- the recorded fixtures ---- */

/* GET_STATS reply (one message, no NLMSG_DONE): conntrack -C said 11; the
 * max is the host's nf_conntrack_max then. */
static void test_fixture_global(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	size_t len = read_fixture("stats.bin", buf, sizeof(buf));
	const struct nlmsghdr *nlh = (const void *)buf;
	struct nl_stats_global g;

	(void)state;
	assert_true(mnl_nlmsg_ok(nlh, (int)len));
	assert_int_equal(NLMSG_ALIGN(nlh->nlmsg_len), len);
	assert_int_equal(nl_stats_decode_global(nlh, &g), 0);
	assert_int_equal(g.count, 11);
	assert_true(g.has_max);
	assert_int_equal(g.max, 262144);
}

/* The CPU messages of the recorded GET_STATS_CPU dump, in order, into c[]. */
static size_t fixture_cpus(uint8_t *buf, size_t cap, struct snap_cpu_stats *c, size_t max,
			   const struct nlmsghdr **msgs)
{
	size_t len = read_fixture("stats-cpu.bin", buf, cap), n = 0;
	const struct nlmsghdr *nlh = (const void *)buf;
	int left = (int)len;
	unsigned done = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_type == NLMSG_DONE) {
			done++;
			continue;
		}
		assert_true(n < max);
		msgs[n] = nlh;
		assert_int_equal(nl_stats_decode_cpu(nlh, &c[n]), 0);
		n++;
	}
	assert_int_equal(left, 0);
	assert_int_equal(done, 1);
	return n;
}

/* conntrack -S at capture time: every counter 0 on both CPUs but error=2
 * on cpu=1; the same ten counters reported for each. */
static void test_fixture_cpus(void **state)
{
	uint8_t buf[2048] __attribute__((aligned(4)));
	const unsigned reported[] = {SNAP_STAT_FOUND,         SNAP_STAT_INVALID,
				     SNAP_STAT_INSERT,        SNAP_STAT_INSERT_FAILED,
				     SNAP_STAT_DROP,          SNAP_STAT_EARLY_DROP,
				     SNAP_STAT_ERROR,         SNAP_STAT_SEARCH_RESTART,
				     SNAP_STAT_CLASH_RESOLVE, SNAP_STAT_CHAINTOOLONG};
	struct snap_cpu_stats c[4];
	const struct nlmsghdr *msgs[4];
	uint32_t mask = 0;
	size_t n = fixture_cpus(buf, sizeof(buf), c, 4, msgs);

	(void)state;
	assert_int_equal(n, 2); /* nproc */
	for (size_t i = 0; i < sizeof(reported) / sizeof(reported[0]); i++)
		mask |= 1u << reported[i];
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		assert_int_equal(c[cpu].cpu, cpu);
		assert_int_equal(c[cpu].present, mask);
		for (unsigned slot = 0; slot < SNAP_STAT_SLOTS; slot++)
			assert_int_equal(c[cpu].v[slot],
					 cpu == 1 && slot == SNAP_STAT_ERROR ? 2 : 0);
	}
	assert_string_equal(snap_stat_name(SNAP_STAT_ERROR), "error");
}

/* A recorded CPU message with an attribute type no kernel sends yet (20)
 * appended: kept in its slot, named unknown5, the recorded ones unchanged. */
static void test_fixture_cpu_unknown(void **state)
{
	uint8_t buf[2048] __attribute__((aligned(4)));
	uint8_t copy[512] __attribute__((aligned(4)));
	struct snap_cpu_stats c[4], got;
	const struct nlmsghdr *msgs[4];
	struct nlmsghdr *nlh;
	size_t n = fixture_cpus(buf, sizeof(buf), c, 4, msgs);

	(void)state;
	assert_int_equal(n, 2);
	assert_true(msgs[1]->nlmsg_len + 8 <= sizeof(copy));
	memcpy(copy, msgs[1], msgs[1]->nlmsg_len);
	nlh = (struct nlmsghdr *)copy;
	mnl_attr_put_u32(nlh, 20, htonl(77));
	assert_int_equal(nlh->nlmsg_len, msgs[1]->nlmsg_len + 8);
	assert_int_equal(nl_stats_decode_cpu(nlh, &got), 0);
	assert_int_equal(got.cpu, 1);
	assert_int_equal(got.v[20], 77);
	assert_int_equal(got.present, c[1].present | (1u << 20));
	assert_string_equal(snap_stat_name(20), "unknown5");
	for (unsigned slot = 0; slot < SNAP_STAT_SLOTS; slot++)
		if (slot != 20)
			assert_int_equal(got.v[slot], c[1].v[slot]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_recorded_global),        cmocka_unit_test(test_recorded_cpu),
	    cmocka_unit_test(test_cpu_values_and_unknown), cmocka_unit_test(test_bad_messages),
	    cmocka_unit_test(test_fixture_global),         cmocka_unit_test(test_fixture_cpus),
	    cmocka_unit_test(test_fixture_cpu_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
