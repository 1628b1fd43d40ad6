/* walk_agg.h: streaming aggregation of conntrack entries into a snap_walk.
 * Pure (libc only) so it is unit-tested without a kernel. Memory is fixed at
 * walk_agg_new(): the top sources and destination ports are kept in
 * space-saving sketches, so 10 or 10 million entries cost the same. */
#ifndef CTADVISOR_WALK_AGG_H
#define CTADVISOR_WALK_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../rules/snapshot.h"

/* The fields of one entry the aggregation needs, decoded by the collector. */
struct walk_entry {
	uint8_t family;  /* AF_INET, AF_INET6, other */
	uint8_t proto;   /* L4 protocol number */
	uint8_t src[16]; /* original-direction source address, network order */
	bool has_ports;
	uint16_t dport;  /* original-direction destination port, host order */
	int tcp_state;   /* enum tcp_conntrack, -1 when not TCP / absent */
	uint32_t status; /* IPS_* bits */
	bool has_mark;
	uint32_t mark;
	uint16_t zone;
	bool has_timeout;
	uint32_t timeout_s; /* remaining */
	bool has_acct;
	uint64_t packets, bytes; /* both directions */
	bool has_tstamp;
};

struct walk_agg;

/* sketch_capacity counters per top-K sketch (>= SNAP_TOP_N; 0 picks 256).
 * NULL: ENOMEM. */
struct walk_agg *walk_agg_new(size_t sketch_capacity);
void walk_agg_add(struct walk_agg *agg, const struct walk_entry *e);
/* Fill every aggregate field of out; is_interrupted, lost and err are left
 * as they are (the collector owns them). */
void walk_agg_result(const struct walk_agg *agg, struct snap_walk *out);
/* Forget every entry added (for a dump that has to start over). */
void walk_agg_reset(struct walk_agg *agg);
void walk_agg_free(struct walk_agg *agg); /* NULL: no-op */

#endif
