/* test_nl_ct_bad.c: nl_ct_decode() on every way of breaking a ctnetlink
 * entry message (ct_msgs.c): wrong types, wrong sizes, overrunning nests,
 * trailing bytes, cuts at every length and flips of every byte: -EBADMSG
 * with the entry untouched (only a cut or flip that leaves a valid message
 * decodes), and nothing read past the message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <endian.h>
#include <errno.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "../../../nl/nl_ct.h"
#include "../../../analysis/walk_agg.h"
#include "ct_msgs.h"

/* Decode and insist on -EBADMSG with *e untouched. */
static void expect_bad(const struct nlmsghdr *nlh, size_t i, const char *name)
{
	struct walk_entry e, before;
	int rc;

	memset(&e, 0x5a, sizeof(e));
	before = e;
	rc = nl_ct_decode(nlh, &e);
	if (rc != -EBADMSG)
		fail_msg("case %zu (%s): rc %d, want -EBADMSG", i, name, rc);
	if (memcmp(&e, &before, sizeof(e)) != 0)
		fail_msg("case %zu (%s): out-param written on failure", i, name);
}

static struct nlmsghdr *build_stats_type(char *buf)
{
	return put_header(buf, AF_UNSPEC, IPCTNL_MSG_CT_GET_STATS);
}

static struct nlmsghdr *build_no_tuple(char *buf)
{
	struct nlmsghdr *nlh = put_header(buf, AF_INET, IPCTNL_MSG_CT_NEW);

	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(2));
	return nlh;
}

static struct nlmsghdr *build_short(char *buf)
{
	struct nlmsghdr *nlh = put_header(buf, AF_INET, IPCTNL_MSG_CT_NEW);

	nlh->nlmsg_len = NLMSG_HDRLEN + 2; /* cuts into the nfgenmsg */
	return nlh;
}

/* The IP nest inside the original tuple claims 8 bytes more than its
 * parent holds: it runs into the next top-level attribute. */
static struct nlmsghdr *build_nest_overrun(char *buf)
{
	struct nlmsghdr *nlh = build_full_v4(buf);
	struct nlattr *orig = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg));
	struct nlattr *ip = mnl_attr_get_payload(orig);

	assert_int_equal(mnl_attr_get_type(ip), CTA_TUPLE_IP);
	ip->nla_len = (uint16_t)(ip->nla_len + 8);
	return nlh;
}

/* The tuple's proto nest ends with 2 bytes that are not an attribute. */
static struct nlmsghdr *build_nest_trailing(char *buf)
{
	struct nlmsghdr *nlh = put_header(buf, AF_INET, IPCTNL_MSG_CT_NEW);
	struct nlattr *outer = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	struct nlattr *pr = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);

	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, 17);
	mnl_attr_nest_end(nlh, pr);
	pr->nla_len = (uint16_t)(pr->nla_len + 2);
	nlh->nlmsg_len += 4;
	mnl_attr_nest_end(nlh, outer);
	return nlh;
}

/* Two bytes after the last attribute. */
static struct nlmsghdr *build_msg_trailing(char *buf)
{
	struct nlmsghdr *nlh = build_full_v4(buf);

	nlh->nlmsg_len += 2;
	return nlh;
}

/* A nest length below the attribute header size. */
static struct nlmsghdr *build_tiny_nest(char *buf)
{
	struct nlmsghdr *nlh = build_full_v4(buf);
	struct nlattr *orig = mnl_nlmsg_get_payload_offset(nlh, sizeof(struct nfgenmsg));

	orig->nla_len = 2;
	return nlh;
}

static void test_decode_errors(void **state)
{
	static const struct {
		const char *name;
		struct nlmsghdr *(*build)(char *buf);
	} cases[] = {
	    {"not a conntrack entry message", build_stats_type},
	    {"no original tuple", build_no_tuple},
	    {"shorter than nfgenmsg", build_short},
	    {"nested attribute overruns its parent", build_nest_overrun},
	    {"nest ends in bytes that are not an attribute", build_nest_trailing},
	    {"message ends in bytes that are not an attribute", build_msg_trailing},
	    {"attribute length below its header", build_tiny_nest},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[BUF_SIZE] = {0};

		expect_bad(cases[i].build(buf), i, cases[i].name);
	}
}

/* Every field read, given no payload, one byte short and one byte long. */
static void test_wrong_sizes(void **state)
{
	static const struct {
		enum field f;
		uint16_t len;
		uint8_t family;
	} fields[] = {
	    {F_V4_SRC, 4, AF_INET},    {F_V6_SRC, 16, AF_INET6}, {F_V6_SRC, 16, AF_INET},
	    {F_PROTO_NUM, 1, AF_INET}, {F_DST_PORT, 2, AF_INET}, {F_STATUS, 4, AF_INET},
	    {F_MARK, 4, AF_INET},      {F_ZONE, 2, AF_INET},     {F_TIMEOUT, 4, AF_INET},
	    {F_TCP_STATE, 1, AF_INET}, {F_PACKETS, 8, AF_INET},  {F_BYTES, 8, AF_INET},
	    {F_PACKETS32, 4, AF_INET}, {F_BYTES32, 4, AF_INET},  {F_TSTAMP_START, 8, AF_INET},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const uint16_t lens[] = {0, (uint16_t)(fields[i].len - 1), fields[i].len + 1u};

		for (size_t j = 0; j < 3; j++) {
			struct shape sh = {.bad = fields[i].f, .bad_len = lens[j]};
			char buf[BUF_SIZE] = {0};
			char name[48];

			if (lens[j] == 0 && j == 1)
				continue; /* same as j == 0 for 1-byte fields */
			snprintf(name, sizeof(name), "field %d, %u bytes", fields[i].f, lens[j]);
			expect_bad(build_full(buf, fields[i].family, &sh), i * 3 + j, name);
		}
	}
}

/* Whether a cut at len leaves a valid message: it ends a top-level
 * attribute from the original tuple on, with all, some or none of that
 * attribute's padding. */
static bool cut_is_whole(const struct nlmsghdr *nlh, uint32_t len)
{
	const uint32_t first = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	const uint8_t *p = (const uint8_t *)nlh;
	bool after_orig = false;

	for (uint32_t off = first; off + NLA_HDRLEN <= nlh->nlmsg_len;) {
		const struct nlattr *a = (const struct nlattr *)(p + off);

		after_orig |= mnl_attr_get_type(a) == CTA_TUPLE_ORIG;
		if (after_orig && len >= off + a->nla_len && len <= off + NLA_ALIGN(a->nla_len))
			return true;
		off += NLA_ALIGN(a->nla_len);
	}
	return false;
}

/* The message cut at every length, each copy in a heap block of exactly
 * that size so that ASan or valgrind sees any read past nlmsg_len. */
static void cut_everywhere(const struct nlmsghdr *full, size_t i)
{
	for (uint32_t len = NLMSG_HDRLEN; len <= full->nlmsg_len; len++) {
		struct nlmsghdr *cut = malloc(len);
		struct walk_entry e, before;
		int rc;

		assert_non_null(cut);
		memcpy(cut, full, len);
		cut->nlmsg_len = len;
		memset(&e, 0x5a, sizeof(e));
		before = e;
		rc = nl_ct_decode(cut, &e);
		if (rc != 0 && rc != -EBADMSG)
			fail_msg("case %zu, len %u: rc %d", i, len, rc);
		if (rc != 0 && memcmp(&e, &before, sizeof(e)) != 0)
			fail_msg("case %zu, len %u: out-param written on failure", i, len);
		if ((rc == 0) != cut_is_whole(full, len))
			fail_msg("case %zu, len %u: rc %d", i, len, rc);
		free(cut);
	}
}

static void test_cut_everywhere(void **state)
{
	struct nlmsghdr *(*const builds[])(char *) = {build_v4_tcp, build_v6_udp,
						      build_full_v4_unknown, build_full_v6_unknown};

	(void)state;
	for (size_t i = 0; i < sizeof(builds) / sizeof(builds[0]); i++) {
		char buf[BUF_SIZE] = {0};

		cut_everywhere(builds[i](buf), i);
	}
}

/* Every byte of a full message flipped a few ways: whatever it becomes, the
 * decoder answers 0 or -EBADMSG and reads nothing past the message. */
static void test_flip_every_byte(void **state)
{
	static const uint8_t flips[] = {0x01, 0x04, 0x80, 0xff};
	char buf[BUF_SIZE] = {0};
	struct nlmsghdr *full = build_full_v4_unknown(buf);
	const uint32_t len = full->nlmsg_len;

	(void)state;
	for (uint32_t off = 4; off < len; off++) { /* the length itself stays */
		for (size_t k = 0; k < sizeof(flips); k++) {
			uint8_t *copy = malloc(len);
			struct walk_entry e;
			int rc;

			assert_non_null(copy);
			memcpy(copy, full, len);
			copy[off] ^= flips[k];
			rc = nl_ct_decode((struct nlmsghdr *)copy, &e);
			if (rc != 0 && rc != -EBADMSG)
				fail_msg("offset %u flip %#x: rc %d", off, flips[k], rc);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_errors),
	    cmocka_unit_test(test_wrong_sizes),
	    cmocka_unit_test(test_cut_everywhere),
	    cmocka_unit_test(test_flip_every_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
