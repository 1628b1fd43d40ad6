/* nl_events.h: count ctnetlink NEW, UPDATE and DESTROY events to measure new
 * flows per second and flow lifetimes by class. Lossy by design: the
 * reliable mode would make the kernel keep entries alive for us, so every
 * ENOBUFS is counted instead. With nf_conntrack_events=2 (auto) a listener
 * makes the kernel attach the event extension (>= 128 B) to entries created
 * meanwhile.
 *
 * A flow's class is the state it reached: TCP that reached ESTABLISHED
 * (IPS_ASSURED, or a state after ESTABLISHED) or not; UDP assured (a stream:
 * replies, and alive > 2 s) or not; ICMP/ICMPv6; anything else. Each class
 * has one idle timeout (nl_events_fclass_knob()). A flow whose NEW was seen
 * ends in one of three ways: timed out in the state that timeout governs
 * (TCP destroyed in ESTABLISHED or SYN_SENT; every UDP/ICMP/other flow),
 * closed (TCP after FIN/RST), or still open when the watch ends: then its
 * age so far is a censored lifetime, a lower bound. UPDATE events move an
 * open flow between classes (SYN_SENT -> ESTABLISHED, UDP -> stream). */
#ifndef CTADVISOR_NL_EVENTS_H
#define CTADVISOR_NL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "../analysis/events.h"

/* The fields of one event message, through nl_ct_entry_decode() (so an
 * event is held to the dump entry's rules); -EBADMSG when malformed, -ENOENT when
 * not a NEW, UPDATE or DESTROY event. */
struct nl_events_msg {
	bool is_new;    /* IPCTNL_MSG_CT_NEW with NLM_F_CREATE */
	bool is_update; /* IPCTNL_MSG_CT_NEW without it */
	uint32_t id;
	bool has_id;
	uint8_t proto;
	bool has_tstamp;
	uint64_t start_ns, stop_ns;
	bool has_status;
	uint32_t status; /* IPS_* bits (CTA_STATUS) */
	bool has_tcp_state;
	uint8_t tcp_state; /* TCP_CONNTRACK_* (CTA_PROTOINFO_TCP_STATE) */
};
int nl_events_decode(const struct nlmsghdr *nlh, struct nl_events_msg *out);

/* The class a message shows a flow in; was_established: the flow was seen
 * established before (it stays in that class). */
enum nl_events_fclass nl_events_classify(const struct nl_events_msg *m, bool was_established);
/* How a DESTROY of a flow of class c ended it. */
enum nl_events_end nl_events_end_of(const struct nl_events_msg *m, enum nl_events_fclass c);

struct nl_events;
/* Subscribe in the current network namespace. NULL with *err set. */
struct nl_events *nl_events_open(int *err);
/* The same state without a socket, for nl_events_feed() (tests). */
struct nl_events *nl_events_new(int *err);
int nl_events_fd(const struct nl_events *ev);
/* Read everything pending without blocking; now_ms stamps NEW events. */
int nl_events_drain(struct nl_events *ev, uint64_t now_ms);
/* Process a buffer of netlink messages as if received at now_ms.
 * 0, or -EBADMSG when the buffer is not a sequence of messages. */
int nl_events_feed(struct nl_events *ev, const void *buf, size_t len, uint64_t now_ms);
/* Count the flows still open, with their age at now_ms, into
 * flows[][NL_END_OPEN] (replacing an earlier census). */
void nl_events_census(struct nl_events *ev, uint64_t now_ms);
const struct nl_events_stats *nl_events_get_stats(const struct nl_events *ev);
void nl_events_close(struct nl_events *ev); /* NULL: no-op */

#endif
