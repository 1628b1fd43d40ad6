/* nl_events.c: ctnetlink NEW/UPDATE/DESTROY events, counted and matched by
 * id; lifetimes by the class each flow reached. */
#include <arpa/inet.h>
#include <endian.h>
#include <netinet/in.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "nl_events.h"
#include "nl_ct_decode.h"
#include "nl_sock.h"

#define EV_BUF_SIZE ((size_t)256 * 1024)
#define EV_RCVBUF   (8 * 1024 * 1024)
#define ID_SLOTS    (1u << 18) /* flows whose NEW we remember, for lifetimes */

struct id_slot {
	uint32_t id;
	uint8_t used;
	uint8_t cls;    /* enum nl_events_class */
	uint8_t fclass; /* enum nl_events_fclass, as of the last event */
	uint8_t est;    /* seen established (TCP) or assured (UDP) */
	uint64_t start_ms;
};

struct nl_events {
	struct nl_sock sock; /* fd -1: fed by nl_events_feed() only */
	char *buf;
	struct id_slot *ids;
	uint32_t n_ids;
	uint64_t now_ms;
	struct nl_events_stats st;
};

int nl_events_decode(const struct nlmsghdr *nlh, struct nl_events_msg *out)
{
	struct nl_events_msg m;
	struct ct_entry c;
	int rc = nl_ct_entry_decode(nlh, &c);

	if (rc < 0)
		return rc;
	memset(&m, 0, sizeof(m));
	/* IPCTNL_MSG_CT_NEW also carries updates; a new entry has CREATE|EXCL. */
	m.is_new = !c.is_destroy && c.is_create;
	m.is_update = !c.is_destroy && !c.is_create;
	m.id = c.id;
	m.has_id = c.has_id;
	m.proto = c.orig.proto;
	m.start_ns = c.start_ns;
	m.stop_ns = c.stop_ns;
	m.has_tstamp = m.start_ns != 0 && m.stop_ns >= m.start_ns;
	m.status = c.status;
	m.has_status = c.has_status;
	m.has_tcp_state = c.tcp_state >= 0;
	m.tcp_state = m.has_tcp_state ? (uint8_t)c.tcp_state : 0;
	*out = m;
	return 0;
}

static bool is_assured(const struct nl_events_msg *m)
{
	return m->has_status && (m->status & IPS_ASSURED);
}

enum nl_events_fclass nl_events_classify(const struct nl_events_msg *m, bool was_established)
{
	switch (nl_events_class_of(m->proto)) {
	case NL_EV_TCP:
		/* The kernel sets ASSURED on entering ESTABLISHED; FIN_WAIT ..
		 * TIME_WAIT follow it. CLOSE may follow a RST at any stage. */
		if (was_established || is_assured(m) ||
		    (m->has_tcp_state && m->tcp_state >= TCP_CONNTRACK_ESTABLISHED &&
		     m->tcp_state <= TCP_CONNTRACK_TIME_WAIT))
			return NL_FC_TCP_ESTABLISHED;
		return NL_FC_TCP_OTHER;
	case NL_EV_UDP:
		return was_established || is_assured(m) ? NL_FC_UDP_STREAM : NL_FC_UDP;
	case NL_EV_ICMP:
		return NL_FC_ICMP;
	default:
		return NL_FC_OTHER;
	}
}

enum nl_events_end nl_events_end_of(const struct nl_events_msg *m, enum nl_events_fclass c)
{
	switch (c) {
	case NL_FC_TCP_ESTABLISHED:
		return m->has_tcp_state && m->tcp_state == TCP_CONNTRACK_ESTABLISHED
			   ? NL_END_TIMEOUT
			   : NL_END_CLOSED;
	case NL_FC_TCP_OTHER:
		return m->has_tcp_state && (m->tcp_state == TCP_CONNTRACK_SYN_SENT ||
					    m->tcp_state == TCP_CONNTRACK_SYN_SENT2)
			   ? NL_END_TIMEOUT
			   : NL_END_CLOSED;
	default:
		return NL_END_TIMEOUT; /* UDP, ICMP and others only time out */
	}
}

static struct id_slot *id_find(struct nl_events *ev, uint32_t id, bool for_insert)
{
	uint32_t h = (id * 2654435761u) & (ID_SLOTS - 1);

	for (uint32_t i = 0; i < 32; i++) {
		struct id_slot *s = &ev->ids[(h + i) & (ID_SLOTS - 1)];

		if (for_insert ? !s->used : (s->used && s->id == id))
			return s;
	}
	return NULL;
}

static void on_new(struct nl_events *ev, const struct nl_events_msg *m, enum nl_events_class c)
{
	struct id_slot *s = m->has_id ? id_find(ev, m->id, true) : NULL;
	enum nl_events_fclass fc = nl_events_classify(m, false);

	ev->st.new_events[c]++;
	if (s == NULL) {
		ev->st.untracked++;
		return;
	}
	*s = (struct id_slot){.id = m->id,
			      .used = 1,
			      .cls = (uint8_t)c,
			      .fclass = (uint8_t)fc,
			      .est = fc == NL_FC_TCP_ESTABLISHED || fc == NL_FC_UDP_STREAM,
			      .start_ms = ev->now_ms};
	ev->n_ids++;
}

/* A state change of a flow we track: its class so far. */
static void on_update(struct nl_events *ev, const struct nl_events_msg *m)
{
	struct id_slot *s = m->has_id ? id_find(ev, m->id, false) : NULL;
	enum nl_events_fclass fc;

	if (s == NULL)
		return;
	fc = nl_events_classify(m, s->est);
	s->fclass = (uint8_t)fc;
	s->est = fc == NL_FC_TCP_ESTABLISHED || fc == NL_FC_UDP_STREAM;
}

static void on_destroy(struct nl_events *ev, const struct nl_events_msg *m, enum nl_events_class c)
{
	struct id_slot *s = m->has_id ? id_find(ev, m->id, false) : NULL;
	double life = -1;

	ev->st.destroy_events[c]++;
	if (m->has_tstamp)
		life = (double)(m->stop_ns - m->start_ns) / 1e9;
	else if (s != NULL)
		life = ev->now_ms > s->start_ms ? (double)(ev->now_ms - s->start_ms) / 1000.0 : 0;
	if (life >= 0) {
		ev->st.lifetimes[c]++;
		ev->st.lifetime_sum_s[c] += life;
	}
	if (s != NULL) {
		enum nl_events_fclass fc = nl_events_classify(m, s->est);
		struct nl_events_life *l = &ev->st.flows[fc][nl_events_end_of(m, fc)];

		l->n++;
		l->sum_s += life;
		s->used = 0;
		ev->n_ids--;
	}
}

void nl_events_census(struct nl_events *ev, uint64_t now_ms)
{
	for (int c = 0; c < NL_FC_CLASSES; c++)
		ev->st.flows[c][NL_END_OPEN] = (struct nl_events_life){0};
	for (uint32_t i = 0; i < ID_SLOTS && ev->n_ids > 0; i++) {
		const struct id_slot *s = &ev->ids[i];
		struct nl_events_life *l;

		if (!s->used)
			continue;
		l = &ev->st.flows[s->fclass < NL_FC_CLASSES ? s->fclass : NL_FC_OTHER][NL_END_OPEN];
		l->n++;
		l->sum_s += now_ms > s->start_ms ? (double)(now_ms - s->start_ms) / 1000.0 : 0;
	}
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_events *ev = data;
	struct nl_events_msg m;
	int rc = nl_events_decode(nlh, &m);

	if (rc == -EBADMSG)
		ev->st.bad_messages++;
	if (rc < 0)
		return MNL_CB_OK;
	if (m.is_new)
		on_new(ev, &m, nl_events_class_of(m.proto));
	else if (m.is_update)
		on_update(ev, &m);
	else
		on_destroy(ev, &m, nl_events_class_of(m.proto));
	return MNL_CB_OK;
}

struct nl_events *nl_events_new(int *err)
{
	struct nl_events *ev = calloc(1, sizeof(*ev));

	if (ev != NULL)
		ev->sock.fd = -1;
	if (ev == NULL || (ev->buf = malloc(EV_BUF_SIZE)) == NULL ||
	    (ev->ids = calloc(ID_SLOTS, sizeof(*ev->ids))) == NULL) {
		*err = -ENOMEM;
		nl_events_close(ev);
		return NULL;
	}
	return ev;
}

/* Whether buf is whole messages only: mnl_cb_run() stops quietly at a
 * message cut short, which would hide a truncated recording. */
static bool is_msg_sequence(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int left = len > INT_MAX ? INT_MAX : (int)len;

	while (mnl_nlmsg_ok(nlh, left))
		nlh = mnl_nlmsg_next(nlh, &left);
	return left <= 0 && len <= INT_MAX;
}

/* One datagram's events; a datagram that is not whole messages (or a
 * kernel error reply) counts as one bad message. 0 or -EBADMSG. */
static int run_datagram(struct nl_events *ev, const void *buf, size_t len)
{
	if (mnl_cb_run(buf, len, 0, 0, event_cb, ev) >= 0 && is_msg_sequence(buf, len))
		return 0;
	ev->st.bad_messages++;
	return -EBADMSG;
}

int nl_events_feed(struct nl_events *ev, const void *buf, size_t len, uint64_t now_ms)
{
	ev->now_ms = now_ms;
	return run_datagram(ev, buf, len);
}

struct nl_events *nl_events_open(int *err)
{
	/* Drain speed matters most, but a large buffer absorbs bursts. */
	const struct nl_sock_opts o = {.bus = NETLINK_NETFILTER,
				       .groups = NF_NETLINK_CONNTRACK_NEW |
						 NF_NETLINK_CONNTRACK_UPDATE |
						 NF_NETLINK_CONNTRACK_DESTROY,
				       .rcvbuf = EV_RCVBUF};
	struct nl_events *ev = nl_events_new(err);
	int rc;

	if (ev == NULL)
		return NULL;
	rc = nl_sock_open(&ev->sock, &o);
	if (rc < 0) {
		*err = rc;
		nl_events_close(ev);
		return NULL;
	}
	return ev;
}

int nl_events_fd(const struct nl_events *ev)
{
	return ev->sock.fd;
}

int nl_events_drain(struct nl_events *ev, uint64_t now_ms)
{
	ssize_t n;

	ev->now_ms = now_ms;
	if (ev->sock.fd < 0)
		return -ENOTCONN;
	for (;;) {
		n = nl_sock_recv(ev->sock.fd, ev->buf, EV_BUF_SIZE, 0);
		if (n == -ENOBUFS) {
			ev->st.enobufs++;
			continue;
		}
		if (n < 0)
			return n == -EAGAIN ? 0 : (int)n;
		run_datagram(ev, ev->buf, (size_t)n);
	}
}

const struct nl_events_stats *nl_events_get_stats(const struct nl_events *ev)
{
	return &ev->st;
}

void nl_events_close(struct nl_events *ev)
{
	if (ev == NULL)
		return;
	nl_sock_close(&ev->sock);
	free(ev->buf);
	free(ev->ids);
	free(ev);
}
