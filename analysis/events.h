/* events.h: the vocabulary of conntrack events, apart from their netlink
 * decoder (nl/nl_events.h): flow classes by protocol and by the state a flow
 * reached, how a flow ended, and the counts a watch folds, so that the watch
 * fold and its renderers need no netlink. */
#ifndef CTADVISOR_EVENTS_H
#define CTADVISOR_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* By protocol: NEW/DESTROY counts and arrival rates. */
enum nl_events_class {
	NL_EV_TCP,
	NL_EV_UDP,
	NL_EV_ICMP,
	NL_EV_OTHER,
	NL_EV_CLASSES,
};

/* By the state a flow reached: lifetimes. */
enum nl_events_fclass {
	NL_FC_TCP_ESTABLISHED, /* reached ESTABLISHED */
	NL_FC_TCP_OTHER,       /* never established (SYN only, refused) */
	NL_FC_UDP,             /* not assured: unreplied, or replies within 2 s */
	NL_FC_UDP_STREAM,      /* assured */
	NL_FC_ICMP,
	NL_FC_OTHER,
	NL_FC_CLASSES,
};

enum nl_events_end {
	NL_END_TIMEOUT, /* destroyed in the state its class's timeout governs */
	NL_END_CLOSED,  /* TCP destroyed after FIN or RST (TIME_WAIT, CLOSE, ...) */
	NL_END_OPEN,    /* still in the table at the end: age so far (lower bound) */
	NL_END_KINDS,
};

struct nl_events_life {
	uint64_t n;
	double sum_s;
};

struct nl_events_stats {
	uint64_t new_events[NL_EV_CLASSES];
	uint64_t destroy_events[NL_EV_CLASSES];
	uint64_t lifetimes[NL_EV_CLASSES]; /* destroys whose start we know */
	double lifetime_sum_s[NL_EV_CLASSES];
	/* Flows whose NEW was seen, by the class they reached and how they
	 * ended; NL_END_OPEN is filled by nl_events_census(). */
	struct nl_events_life flows[NL_FC_CLASSES][NL_END_KINDS];
	uint64_t enobufs;      /* times the kernel dropped events for us */
	uint64_t untracked;    /* NEW events not remembered (table full) */
	uint64_t bad_messages; /* events we could not decode, datagrams cut short */
};

const char *nl_events_class_name(enum nl_events_class c);
enum nl_events_class nl_events_class_of(uint8_t proto);
/* Stable names ("tcp_established", ...), the timeout that governs the
 * class ("net.netfilter.nf_conntrack_tcp_timeout_established", ...), and
 * the end kinds ("timed_out", "closed", "open"). */
const char *nl_events_fclass_name(enum nl_events_fclass c);
const char *nl_events_fclass_knob(enum nl_events_fclass c);
const char *nl_events_end_name(enum nl_events_end e);

#endif
