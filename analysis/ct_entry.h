/* ct_entry.h: one conntrack entry as ctnetlink sends it (a dump entry or a
 * NEW/UPDATE/DESTROY event), decoded once by nl/nl_ct_decode.c into plain
 * fields, for every consumer: the walk, the NAT view, flush and the event
 * counter each take from it what they need. No kernel header: addresses
 * are raw network-order bytes, status bits and TCP states are the values
 * of ct_abi.h. Every has_ flag says the attribute was in the message; a
 * field without it is 0 (tcp_state -1). */
#ifndef CTADVISOR_CT_ENTRY_H
#define CTADVISOR_CT_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One direction's tuple (CTA_TUPLE_ORIG or CTA_TUPLE_REPLY). Addresses are
 * those of the message's own family (4 bytes for AF_INET, the rest 0). */
struct ct_tuple {
	uint8_t src[16], dst[16]; /* network order */
	uint16_t sport, dport;    /* host order */
	uint16_t icmp_id;         /* CTA_PROTO_ICMP_ID or CTA_PROTO_ICMPV6_ID */
	uint8_t proto;            /* L4 protocol number */
	bool has_src, has_dst, has_proto, has_sport, has_dport, has_icmp_id;
};

struct ct_entry {
	uint8_t family;  /* nfgen_family: AF_INET, AF_INET6 */
	bool is_destroy; /* IPCTNL_MSG_CT_DELETE (an event), else IPCTNL_MSG_CT_NEW */
	bool is_create;  /* NLM_F_CREATE: a NEW event of a new entry */
	bool has_orig, has_reply;
	struct ct_tuple orig, reply;
	/* The original tuple attribute as sent, header included (flush deletes
	 * by it); borrowed from the message, NULL without one. */
	const void *orig_raw;
	uint16_t orig_raw_len;
	bool has_status, has_mark, has_zone, has_timeout, has_id;
	uint32_t status; /* IPS_* bits (CT_IPS_*) */
	uint32_t mark;
	uint16_t zone;      /* absent for the default zone 0 */
	uint32_t timeout_s; /* remaining */
	uint32_t id;
	int tcp_state; /* CTA_PROTOINFO_TCP_STATE (enum ct_tcp_state), -1 absent */
	/* Accounting: has_counters a CTA_COUNTERS_ORIG/REPLY nest was sent,
	 * has_acct a packet or byte count was in one; both directions summed
	 * (the 32-bit counters of kernels before 2.6.28 too). */
	bool has_counters, has_acct;
	uint64_t packets, bytes;
	/* Timestamping: has_tstamp a CTA_TIMESTAMP nest was sent; start (and,
	 * in a DESTROY event, stop) in ns since boot. */
	bool has_tstamp, has_start, has_stop;
	uint64_t start_ns, stop_ns;
};

#endif
