/* nl_ct.h: one ctnetlink conntrack message (a table dump entry) to the
 * walk_entry the aggregation needs, or to the nat_entry of the NAT view.
 * Both are views of the one decoder's ct_entry (nl_ct_decode.h), so they
 * accept and refuse the same messages' attributes alike; they need no
 * socket, so tests and fuzzers feed them bytes. nl_ct_dump() is the I/O
 * shell: one streaming dump of the table in the caller's network
 * namespace. */
#ifndef CTADVISOR_NL_CT_H
#define CTADVISOR_NL_CT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "../analysis/nat.h"
#include "../analysis/walk_agg.h"

/* Decode one IPCTNL_MSG_CT_NEW message of nlh->nlmsg_len bytes (the caller
 * guarantees that many are readable, as mnl_cb_run() does) into *e, through
 * nl_ct_entry_decode(): attribute types not known there are skipped at
 * every level, every attribute read is checked for its exact size, and no
 * byte past nlmsg_len is read.
 * -EBADMSG: not a conntrack entry message, shorter than its headers, an
 * attribute that overruns its message or nest, trailing bytes that are not
 * an attribute, a known attribute of the wrong size, or no original tuple.
 * *e is written only on success. */
int nl_ct_decode(const struct nlmsghdr *nlh, struct walk_entry *e);

/* As nl_ct_decode(), for the NAT view: both tuples, status, zone and TCP
 * state. -EBADMSG as above, and also without a reply tuple or without the
 * addresses of the message's family in it. *e is written only on success. */
int nl_ct_decode_nat(const struct nlmsghdr *nlh, struct nat_entry *e);

/* Called for each entry message of a dump; a negative return counts the
 * message as undecodable (n_bad) and the dump goes on. */
typedef int (*nl_ct_dump_cb)(const struct nlmsghdr *nlh, void *data);

struct nl_ct_dump_stats {
	uint64_t n_msgs;     /* entry messages received */
	uint64_t n_bad;      /* of which cb refused */
	uint64_t n_lost;     /* ENOBUFS: receive-buffer overruns, messages lost */
	bool is_interrupted; /* NLM_F_DUMP_INTR: the table changed during the dump */
	unsigned attempts;   /* dumps run: 1 for nl_ct_dump(), 1.. for nl_ct_dump_stable() */
};

/* Dump the conntrack table (both families, every zone), calling cb for
 * each entry, until NLMSG_DONE. Nothing is stored. *st is always written
 * (a failed dump may have delivered entries first). -EPERM without
 * CAP_NET_ADMIN, -ETIMEDOUT when the kernel stops answering (5 s),
 * -ENOMEM, -errno from the socket. */
int nl_ct_dump(nl_ct_dump_cb cb, void *data, struct nl_ct_dump_stats *st);

/* Dumps tried by nl_ct_dump_stable() while the kernel says the table moved. */
#define NL_CT_DUMP_ATTEMPTS 3

/* Called before a dump is started over: forget what the last one fed. */
typedef void (*nl_ct_dump_reset_cb)(void *data);

/* nl_ct_dump(), started over (reset(data) first) while a dump completes but
 * the kernel flagged it NLM_F_DUMP_INTR (it may have missed entries or
 * counted some twice), at most NL_CT_DUMP_ATTEMPTS dumps in all. *st is the
 * last dump's, with attempts = the dumps run; is_interrupted still set means
 * every attempt was interrupted. Returns as nl_ct_dump(). */
int nl_ct_dump_stable(nl_ct_dump_cb cb, nl_ct_dump_reset_cb reset, void *data,
		      struct nl_ct_dump_stats *st);

#endif
