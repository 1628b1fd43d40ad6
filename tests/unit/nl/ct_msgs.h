/* ct_msgs.h: ctnetlink conntrack entry messages built by hand for the nl/
 * decoder tests (ct_msgs.c), laid out the way the kernel lays out a dump
 * entry (ctnetlink_fill_info). Each builder writes into buf[BUF_SIZE]
 * (zeroed by the caller) and returns the message. Include after
 * <cmocka.h>. */
#ifndef CTADVISOR_TEST_CT_MSGS_H
#define CTADVISOR_TEST_CT_MSGS_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define IPS_SEEN_REPLY_BIT (1u << 1)
#define IPS_ASSURED_BIT    (1u << 2)
#define BUF_SIZE           4096

/* An empty message of type msg (IPCTNL_MSG_CT_*) for family. */
struct nlmsghdr *put_header(char *buf, uint8_t family, uint8_t msg);

/* IPv4 TCP ESTABLISHED, assured, with counters and a start timestamp. */
struct nlmsghdr *build_v4_tcp(char *buf);
/* IPv6 UDP unreplied in zone 5 with a mark; no counters, no protoinfo. */
struct nlmsghdr *build_v6_udp(char *buf);
/* A future kernel's attributes, top level and inside the tuple. */
struct nlmsghdr *build_unknown_attr(char *buf);

/* The full shape used by the malformed-message tests: every field the
 * decoder reads, 64-bit counters one way and 32-bit ones the other. Each
 * read attribute goes through put_field(), which can give one of them a
 * wrong payload size; with_unknown adds attribute types from a future
 * kernel before and after the known ones at every nesting level. */
enum field {
	F_NONE,
	F_V4_SRC,
	F_V6_SRC,
	F_PROTO_NUM,
	F_DST_PORT,
	F_STATUS,
	F_MARK,
	F_ZONE,
	F_TIMEOUT,
	F_TCP_STATE,
	F_PACKETS,
	F_BYTES,
	F_PACKETS32,
	F_BYTES32,
	F_TSTAMP_START,
};

struct shape {
	enum field bad; /* the attribute given bad_len bytes */
	uint16_t bad_len;
	bool with_unknown;
};

/* The full shape for family; build_full_v4 and the _unknown ones are it
 * clean, and with unknown types at every level. */
struct nlmsghdr *build_full(char *buf, uint8_t family, const struct shape *sh);
struct nlmsghdr *build_full_v4(char *buf);
struct nlmsghdr *build_full_v4_unknown(char *buf);
struct nlmsghdr *build_full_v6_unknown(char *buf);
/* build_v6_udp plus attributes the walk does not read (security context,
 * helper, labels). */
struct nlmsghdr *build_unread_attrs(char *buf);

#endif
