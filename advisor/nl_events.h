/* nl_events.h: count ctnetlink NEW and DESTROY events to measure new flows
 * per second and flow lifetimes. Lossy by design: the reliable mode would
 * make the kernel keep entries alive for us, so every ENOBUFS is counted
 * instead. With nf_conntrack_events=2 (auto) a listener makes the kernel
 * attach the event extension (>= 128 B) to entries created meanwhile. */
#ifndef CTADVISOR_NL_EVENTS_H
#define CTADVISOR_NL_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/netlink.h>

enum nl_events_class {
	NL_EV_TCP,
	NL_EV_UDP,
	NL_EV_ICMP,
	NL_EV_OTHER,
	NL_EV_CLASSES,
};

struct nl_events_stats {
	uint64_t new_events[NL_EV_CLASSES];
	uint64_t destroy_events[NL_EV_CLASSES];
	uint64_t lifetimes[NL_EV_CLASSES]; /* destroys whose start we know */
	double lifetime_sum_s[NL_EV_CLASSES];
	uint64_t enobufs;      /* times the kernel dropped events for us */
	uint64_t untracked;    /* NEW events not remembered (table full) */
	uint64_t bad_messages; /* events we could not decode */
};

/* The fields of one event message; -EBADMSG when malformed, -ENOENT when
 * not a NEW or DESTROY event. */
struct nl_events_msg {
	bool is_new;
	uint32_t id;
	bool has_id;
	uint8_t proto;
	bool has_tstamp;
	uint64_t start_ns, stop_ns;
};
int nl_events_decode(const struct nlmsghdr *nlh, struct nl_events_msg *out);

const char *nl_events_class_name(enum nl_events_class c);

struct nl_events;
/* Subscribe in the current network namespace. NULL with *err set. */
struct nl_events *nl_events_open(int *err);
int nl_events_fd(const struct nl_events *ev);
/* Read everything pending without blocking; now_ms stamps NEW events. */
int nl_events_drain(struct nl_events *ev, uint64_t now_ms);
const struct nl_events_stats *nl_events_get_stats(const struct nl_events *ev);
void nl_events_close(struct nl_events *ev); /* NULL: no-op */

#endif
