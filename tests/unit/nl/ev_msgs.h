/* ev_msgs.h: ctnetlink conntrack events built by hand for the nl/ event
 * tests (ev_msgs.c), the way the kernel's ctnetlink_conntrack_event() sends
 * them: NEW with NLM_F_CREATE|NLM_F_EXCL, an update as NEW with no flags,
 * DELETE with CTA_TIMESTAMP start and stop. Include after <cmocka.h>. */
#ifndef CTADVISOR_TEST_EV_MSGS_H
#define CTADVISOR_TEST_EV_MSGS_H

#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>

#include "../../../nl/nl_events.h"

#define NO_TCP_STATE (-1)
#define ST_ASSURED   (IPS_CONFIRMED | IPS_SEEN_REPLY | IPS_ASSURED) /* 0xe */
#define ST_UNREPLIED IPS_CONFIRMED                                  /* 0x8 */

/* One event as the kernel would send it. */
struct ev {
	uint8_t type;      /* IPCTNL_MSG_CT_NEW or IPCTNL_MSG_CT_DELETE */
	uint16_t flags;    /* NLM_F_CREATE|NLM_F_EXCL for a new entry */
	uint8_t proto;     /* IPPROTO_* */
	uint32_t id;       /* 0: no CTA_ID */
	uint32_t status;   /* IPS_* */
	int tcp_state;     /* TCP_CONNTRACK_*, or NO_TCP_STATE */
	uint64_t start_ns; /* 0: no CTA_TIMESTAMP */
	uint64_t stop_ns;  /* 0: start only (a NEW or an update) */
	int ts_pad;        /* put CTA_TIMESTAMP_PAD first, as 32-bit arches do */
};

/* e as a message in buf (at least 1024 bytes, aligned for netlink), in the
 * attribute order of ctnetlink_conntrack_event(). */
struct nlmsghdr *put_event(void *buf, const struct ev *e);

/* A new entry (unreplied), an update and a destroy of entry id. */
struct ev ev_new(uint8_t proto, uint32_t id, int tcp_state);
struct ev ev_update(uint8_t proto, uint32_t id, uint32_t status, int tcp_state);
struct ev ev_destroy(uint8_t proto, uint32_t id, uint32_t status, int tcp_state);

/* Feed one event at now_ms; it must be taken. */
void feed(struct nl_events *ev, const struct ev *e, uint64_t now_ms);

/* cmocka setup and teardown: *state is an nl_events (nl_events_new()). */
int ev_setup(void **state);
int ev_teardown(void **state);

#endif
