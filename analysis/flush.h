/* flush.h: which conntrack entries a flush deletes: the filter (parsed from
 * conntrack -D-like options, matched against one decoded entry) and the
 * entry as the decoder (nl/flush_nl.h) gives it. Pure: nothing here talks
 * to the kernel or prints. Errors are negative errno; out-parameters are
 * written only on success. */
#ifndef CTADVISOR_FLUSH_H
#define CTADVISOR_FLUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FLUSH_TUPLE_MAX 192 /* the CTA_TUPLE_ORIG attribute as dumped */
#define FLUSH_EXAMPLES  5
#define FLUSH_BATCH     32768 /* matches collected per dump before deleting */
#define FLUSH_LINE_LEN  320

struct flush_prefix {
	bool is_set;
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint8_t plen;
};

/* What an entry must have to match; every set field must hold (AND). */
struct flush_filter {
	uint8_t family; /* 0: any */
	bool has_proto;
	uint8_t proto;
	struct flush_prefix src, dst; /* original direction */
	int32_t sport, dport;         /* original direction; -1: any */
	int tcp_state;                /* enum tcp_conntrack; -1: any */
	bool is_unreplied, is_assured, is_src_nat, is_dst_nat;
	bool no_acct, no_tstamp; /* entries lacking the extension */
	bool has_mark;
	uint32_t mark, mark_mask;
	bool has_zone;
	uint16_t zone;
	bool is_all; /* explicit: an empty filter matches everything */
};

/* One dump entry, as much as filtering, showing and deleting need. */
struct flush_entry {
	uint8_t family, proto;
	uint8_t src[16], dst[16];   /* original direction */
	uint8_t rsrc[16], rdst[16]; /* reply direction */
	bool has_ports;
	uint16_t sport, dport, rsport, rdport; /* host order */
	int tcp_state;                         /* -1 when not TCP */
	uint32_t status;                       /* IPS_* */
	uint32_t mark;                         /* 0 when absent */
	uint16_t zone;
	bool has_acct, has_tstamp, has_id;
	uint32_t id;
	uint32_t timeout_s;
	uint16_t tuple_len;
	uint8_t tuple[FLUSH_TUPLE_MAX];
};

/* Empty filter: matches nothing until a criterion or is_all is set. */
void flush_filter_init(struct flush_filter *f);
/* Apply one option by its long name without dashes: "family", "proto",
 * "src", "dst", "sport", "dport", "state", "mark", "zone" take a value;
 * "unreplied", "assured", "src-nat", "dst-nat", "no-acct", "no-tstamp",
 * "all" take NULL. -EINVAL malformed value, -ERANGE out of range, -ENOENT
 * unknown name, -EEXIST the option was already given. */
int flush_filter_set(struct flush_filter *f, const char *name, const char *value);
/* Check the whole filter: -ENODATA nothing set and not is_all; -EINVAL
 * contradictions (family vs an address, ports or state for a protocol
 * without them, --all with a criterion). A --state implies TCP. */
int flush_filter_finish(struct flush_filter *f);
bool flush_filter_is_empty(const struct flush_filter *f);
bool flush_filter_match(const struct flush_filter *f, const struct flush_entry *e);

/* A TCP entry the kernel cannot pick up again when nf_conntrack_tcp_loose=0
 * once deleted: every state past the client's SYN that still carries
 * packets (SYN_RECV, ESTABLISHED, FIN_WAIT, CLOSE_WAIT, LAST_ACK); with
 * loose=0 only a SYN creates an entry, so the next packet of such a flow is
 * INVALID. SYN_SENT (the SYN is retransmitted), TIME_WAIT and CLOSE are
 * not. The name is kept from when it meant ESTABLISHED only. */
bool flush_entry_is_established_tcp(const struct flush_entry *e);

/* Such a TCP flow (flush_entry_is_established_tcp) whose addresses or ports
 * are translated (IPS_SRC_NAT or IPS_DST_NAT, masquerade included). Deleted,
 * it breaks whatever nf_conntrack_tcp_loose says: its next packet is picked
 * up as a new flow and gets a new NAT binding (another source port, maybe
 * another address), so the peer sees an unknown 4-tuple. */
bool flush_entry_is_nat_tcp(const struct flush_entry *e);

/* Whether entries of this IP protocol have ports (TCP, UDP, UDP-Lite,
 * SCTP, DCCP). */
bool flush_proto_has_ports(uint8_t proto);
/* A conntrack -L-like line (without a newline). */
void flush_entry_format(const struct flush_entry *e, char *buf, size_t len);

#endif
