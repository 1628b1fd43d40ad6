/* flush_nl.h: the kernel side of flush: the decoder of one ctnetlink dump
 * message into a flush_entry (the raw original tuple kept for the delete
 * request), a counting scan, and the delete in bounded batches. Nothing
 * here prints. Errors are negative errno. */
#ifndef CTADVISOR_FLUSH_NL_H
#define CTADVISOR_FLUSH_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netlink.h>

#include "../analysis/flush.h"

/* Decode one IPCTNL_MSG_CT_NEW message. -EBADMSG not one, or no original
 * tuple; -EOVERFLOW the tuple exceeds FLUSH_TUPLE_MAX. */
int flush_decode(const struct nlmsghdr *nlh, struct flush_entry *e);
struct flush_scan {
	uint64_t entries, matched, established_tcp, bad;
	uint64_t nat_tcp;    /* of established_tcp: NATed (flush_entry_is_nat_tcp) */
	bool is_interrupted; /* the dump restarted: counts may be off by a few */
	size_t n_examples;
	char examples[FLUSH_EXAMPLES][FLUSH_LINE_LEN];
};

/* Walk the table of the current network namespace and count the matches.
 * -EPERM not CAP_NET_ADMIN, -EPROTONOSUPPORT no ctnetlink, -ETIMEDOUT. */
int flush_scan_table(const struct flush_filter *f, struct flush_scan *out);

struct flush_result {
	uint64_t deleted;    /* the kernel deleted it on our request */
	uint64_t vanished;   /* gone (ENOENT) before the request arrived */
	uint64_t failed;     /* another error; first_err tells which */
	uint64_t spared;     /* matches left alone: established TCP at delete time */
	uint64_t spared_nat; /* matches left alone: NATed TCP (FLUSH_SPARE_NAT_TCP) */
	int first_err;
	unsigned rounds;
};

/* Which matches the delete pass leaves alone, as it sees them then. */
enum flush_spare {
	FLUSH_SPARE_NONE = 0,
	FLUSH_SPARE_ESTABLISHED = 1 << 0, /* flush_entry_is_established_tcp(): in spared */
	FLUSH_SPARE_NAT_TCP = 1 << 1,     /* flush_entry_is_nat_tcp(): in spared_nat */
};

/* Delete every match: dump, collect up to FLUSH_BATCH, delete them by tuple
 * and id (an entry recreated with the same tuple is not touched), repeat
 * while a dump filled its batch, at most max_rounds times. spare (enum
 * flush_spare bits) leaves matches alone, counted as the last round saw
 * them. 0 and *out filled (failed may be non-zero); -errno when a dump
 * failed. */
int flush_delete_matches(const struct flush_filter *f, unsigned max_rounds, unsigned spare,
			 struct flush_result *out);

#endif
