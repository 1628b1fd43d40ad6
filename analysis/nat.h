/* nat.h: source NAT port saturation from one streaming table walk.
 * The reply tuple (server ip, server port, NAT ip, NAT port, proto, zone) is
 * unique, so for a key (zone, proto, NAT address = reply destination,
 * destination = reply source, destination port = reply source port) at most
 * "size of the port range" entries exist at once; the count per key is
 * exact. Pure (libc only): no I/O, no clock; memory is fixed at
 * nat_agg_new() apart from the key array, which grows up to max_keys. */
#ifndef CTADVISOR_NAT_H
#define CTADVISOR_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nat_rules.h"
#include "../rules/rules.h"

/* One conntrack entry as the NAT view needs it (nl_ct_decode_nat()). */
struct nat_entry {
	uint8_t family, proto;
	uint16_t zone;
	uint32_t status;      /* IPS_* bits */
	int tcp_state;        /* enum tcp_conntrack, -1 when not TCP */
	uint8_t client[16];   /* original source, network order */
	uint8_t nat_addr[16]; /* reply destination */
	uint8_t dst[16];      /* reply source: the server */
	bool has_ports;       /* ports (or the ICMP id) were present */
	uint16_t dport;       /* reply source port; 0 for ICMP */
	uint16_t nat_port;    /* reply destination port, or the ICMP id */
};

#define NAT_DEFAULT_MAX_KEYS 65536
#define NAT_REPORT_ROWS      64 /* --top at most */
#define NAT_TOP_CLIENTS      4
#define NAT_ADDRS_MAX        256 /* NAT addresses remembered (seeded + learnt) */

struct nat_client {
	uint8_t addr[16];
	uint64_t count;     /* upper bound when error > 0 */
	uint64_t error;     /* the sketch's overestimate bound */
	uint64_t elsewhere; /* flows to the same destination via other NAT addresses */
};

struct nat_row {
	uint16_t zone;
	uint8_t family, proto;
	uint8_t nat_addr[16], dst[16];
	uint16_t dport;
	uint64_t in_use;         /* ports in use in the range below */
	uint64_t reclaimable;    /* of in_use, TCP TIME_WAIT and later: the kernel reuses them */
	uint64_t entries;        /* all entries of the key (every port class) */
	uint64_t snat_entries;   /* of which source-NATed (the rest are local flows) */
	uint64_t established;    /* TCP ESTABLISHED */
	uint64_t time_wait;      /* TCP TIME_WAIT and later: evictable by a new SYN on >= 6.5 */
	struct nat_capacity cap; /* cap.rule borrowed from the nat_rules given */
	uint32_t capacity;       /* cap.port_hi - cap.port_lo + 1 */
	/* 100 x (in_use - reclaimable) / capacity; 0 when is_rule_mismatch */
	double saturation_pct;
	/* more ports in use than the matched rule's range holds: these flows
	 * went through another rule (one whose matches could not be read) */
	bool is_rule_mismatch;
	uint32_t nat_addrs_configured; /* addresses the rule maps to; 0 unknown (no rule) */
	size_t n_nat_addrs; /* NAT addresses seen toward this destination (this one included) */
	struct nat_client clients[NAT_TOP_CLIENTS];
	size_t n_clients;
};

/* Counter slots sampled over an interval, in enum nat_ctr order. */
enum nat_ctr { NAT_CTR_FOUND, NAT_CTR_INSERT_FAILED, NAT_CTR_DROP, NAT_CTRS };

struct nat_report {
	/* from the walk */
	uint64_t entries;                     /* entries walked */
	uint64_t snat_entries;                /* with IPS_SRC_NAT */
	uint64_t counted;                     /* entries counted under a key */
	uint64_t keys;                        /* distinct keys */
	uint64_t overflow;                    /* entries not counted: the key table was full */
	bool is_interrupted;                  /* set by the collector */
	uint64_t lost, bad;                   /* set by the collector */
	int err;                              /* positive errno if the dump failed part-way */
	struct nat_row rows[NAT_REPORT_ROWS]; /* worst first */
	size_t n_rows;
	/* from the counters (set by the collector) */
	bool has_counters;
	uint64_t interval_ms;
	uint64_t total[NAT_CTRS]; /* summed over CPUs at the end of the interval */
	uint64_t delta[NAT_CTRS]; /* over the interval */
};

struct nat_agg;

/* max_keys distinct keys at most (0: NAT_DEFAULT_MAX_KEYS). NULL: ENOMEM. */
struct nat_agg *nat_agg_new(size_t max_keys);
/* Declare a NAT address (a local address, an snat rule's address): entries
 * without source NAT that use it count too, since they hold tuples. Learnt
 * addresses of source-NATed entries are added on the way. -ENOSPC full. */
int nat_agg_add_addr(struct nat_agg *agg, uint8_t family, const uint8_t *addr);
void nat_agg_add(struct nat_agg *agg, const struct nat_entry *e);
/* Whether an entry can count, from its original tuple alone, so that a walk
 * decodes the NAT view only for those: source-NATed, or (no source NAT, so
 * the reply destination is the original source) from a NAT address already
 * known. An entry refused here would add nothing but the walk totals. */
bool nat_agg_wants(const struct nat_agg *agg, uint32_t status, uint8_t family,
		   const uint8_t *orig_src);
/* The top_n (<= NAT_REPORT_ROWS) most saturated keys that hold at least one
 * source-NATed entry, with capacities from rules (NULL: kernel defaults),
 * and the walk totals. The collector's fields of out are left as they are. */
void nat_agg_result(const struct nat_agg *agg, const struct nat_rules *rules, size_t top_n,
		    struct nat_report *out);
/* Forget every entry added; the NAT addresses stay. */
void nat_agg_reset(struct nat_agg *agg);
void nat_agg_free(struct nat_agg *agg); /* NULL: no-op */

/* Saturation status for exit codes: worst row against the thresholds. */
enum rules_sev nat_severity(const struct nat_report *r, double warn_pct, double crit_pct);

/* The "nat-port-saturation" finding for check: *fired is true, and *out
 * filled, when the worst key reaches warn_pct. */
void nat_finding(const struct nat_report *r, double warn_pct, double crit_pct,
		 struct rules_finding *out, bool *fired);

/* Per-second rate of a counter over the interval; 0 without counters. */
double nat_rate(const struct nat_report *r, enum nat_ctr c);

/* "tcp", "udp", ... as conntrack -L names it; "other" when unnamed. */
const char *nat_proto_name(uint8_t proto);

#endif
