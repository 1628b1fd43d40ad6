/* nl_nflog.c: NFLOG group capture: libnetfilter_log binds and configures
 * the group, the messages are read and decoded here with libmnl. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "nl_nflog.h"
#include "nl_sock.h"

#define NFLOG_BUF_SIZE  ((size_t)256 * 1024) /* a 64 KiB packet plus attributes, several */
#define NFLOG_RCVBUF    (16 * 1024 * 1024)
#define NFLOG_COPY_MAX  0xffff
#define NFLOG_DRAIN_MAX 4096 /* recv calls per drain: a flood cannot starve the caller */
/* Batching: the kernel sends a datagram per NFLOG_QTHRESH messages, when
 * NFLOG_NLBUFSIZ is full, or NFLOG_FLUSH_CS centiseconds after the first
 * one, so a busy link costs one recv per batch and a quiet one still
 * reports within 10 ms. Each message keeps its own sequence number, so
 * losses stay exact: a dropped batch is a gap like a dropped message. */
#define NFLOG_QTHRESH  64
#define NFLOG_FLUSH_CS 1
#define NFLOG_NLBUFSIZ (64 * 1024) /* kernel range: 4 KiB .. 128 KiB */
#define NFLOG_IF_CACHE 16
#define MSG_PACKET     ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)

/* ifindex -> name, filled on a miss. if_indextoname() is socket + ioctl +
 * close: three syscalls, twice a packet, were most of the capture's cost.
 * Names are kept for the run: an interface renamed meanwhile keeps its old
 * name in the report (acceptable for a watch of minutes). An index that did
 * not resolve (interface gone) is cached as unnamed too. */
struct nflog_ifname {
	uint32_t idx; /* 0: free slot */
	bool has_name;
	char name[IF_NAMESIZE];
};

struct nl_nflog {
	struct nflog_handle *h;
	struct nflog_g_handle *gh;
	char *buf;
	struct nl_nflog_seq seq;
	struct nl_nflog_stats st;
	struct nflog_ifname ifc[NFLOG_IF_CACHE];
	unsigned ifc_next; /* round-robin victim when full */
};

struct attr_tb {
	const struct nlattr *a[NFULA_MAX + 1];
	bool is_bad;
};

static int attr_cb(const struct nlattr *attr, void *data)
{
	struct attr_tb *tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NFULA_MAX) < 0)
		return MNL_CB_OK; /* newer kernel: skip what we do not know */
	switch (type) {
	case NFULA_IFINDEX_INDEV:
	case NFULA_IFINDEX_OUTDEV:
	case NFULA_SEQ:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) {
			tb->is_bad = true;
			return MNL_CB_ERROR;
		}
		break;
	default:
		break;
	}
	tb->a[type] = attr;
	return MNL_CB_OK;
}

static uint32_t attr_be32(const struct nlattr *a)
{
	return a != NULL ? ntohl(mnl_attr_get_u32(a)) : 0;
}

int nl_nflog_decode(const struct nlmsghdr *nlh, struct nl_nflog_msg *out)
{
	struct attr_tb tb;
	struct nl_nflog_msg m;
	const struct nfgenmsg *nfg;

	if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_type != MSG_PACKET)
		return nlh->nlmsg_len < sizeof(*nlh) ? -EBADMSG : -ENOENT;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)))
		return -EBADMSG;
	memset(&tb, 0, sizeof(tb));
	if (mnl_attr_parse(nlh, sizeof(*nfg), attr_cb, &tb) < 0 || tb.is_bad)
		return -EBADMSG;
	nfg = mnl_nlmsg_get_payload(nlh);
	memset(&m, 0, sizeof(m));
	m.family = nfg->nfgen_family;
	if (tb.a[NFULA_PREFIX] != NULL) {
		m.prefix = mnl_attr_get_payload(tb.a[NFULA_PREFIX]);
		m.prefix_len = mnl_attr_get_payload_len(tb.a[NFULA_PREFIX]);
		while (m.prefix_len > 0 && m.prefix[m.prefix_len - 1] == '\0')
			m.prefix_len--;
	}
	if (tb.a[NFULA_PAYLOAD] != NULL) {
		m.payload = mnl_attr_get_payload(tb.a[NFULA_PAYLOAD]);
		m.payload_len = mnl_attr_get_payload_len(tb.a[NFULA_PAYLOAD]);
	}
	m.indev = attr_be32(tb.a[NFULA_IFINDEX_INDEV]);
	m.outdev = attr_be32(tb.a[NFULA_IFINDEX_OUTDEV]);
	m.has_seq = tb.a[NFULA_SEQ] != NULL;
	m.seq = attr_be32(tb.a[NFULA_SEQ]);
	*out = m;
	return 0;
}

uint32_t nl_nflog_seq_gap(struct nl_nflog_seq *s, uint32_t seq)
{
	uint32_t gap = seq - s->next; /* modulo 2^32: the counter wraps */
	uint32_t received;

	if (gap >= 0x80000000u)
		return 0; /* from the past: nothing lost, keep expecting next */
	s->next = seq + 1;
	received = s->unnumbered < gap ? s->unnumbered : gap;
	s->unnumbered = 0;
	return gap - received;
}

/* The NFULA_SEQ of a packet message nl_nflog_decode() rejected: attributes
 * are walked (bounds-checked) up to the first that does not fit, the others
 * skipped whatever their length. 0 and *seq, or -ENOENT. */
static int decode_seq_only(const struct nlmsghdr *nlh, uint32_t *seq)
{
	const struct nlattr *attr;

	if (nlh->nlmsg_type != MSG_PACKET ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)))
		return -ENOENT;
	mnl_attr_for_each (attr, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(attr) == NFULA_SEQ &&
		    mnl_attr_get_payload_len(attr) == sizeof(uint32_t)) {
			*seq = ntohl(mnl_attr_get_u32(attr));
			return 0;
		}
	}
	return -ENOENT;
}

int nl_nflog_account(struct nl_nflog_seq *s, struct nl_nflog_stats *st, const struct nlmsghdr *nlh,
		     struct nl_nflog_msg *m)
{
	uint32_t seq;
	int rc = nl_nflog_decode(nlh, m);

	if (rc == -ENOENT)
		return rc;
	if (rc == 0) {
		if (m->has_seq)
			st->lost += nl_nflog_seq_gap(s, m->seq);
		st->packets++;
		return 0;
	}
	st->bad_messages++;
	if (decode_seq_only(nlh, &seq) == 0)
		st->lost += nl_nflog_seq_gap(s, seq);
	else
		s->unnumbered++;
	return -EBADMSG;
}

int nl_nflog_event(const struct nl_nflog_msg *m, const char *in, const char *out,
		   struct logparse_event *ev)
{
	static const uint8_t empty;
	struct logparse_event e;
	int rc;

	if (m->prefix == NULL || m->prefix_len == 0)
		return -ENODATA;
	rc = logparse_nflog(m->prefix, m->prefix_len, m->payload ? m->payload : &empty,
			    m->payload_len, m->family, &e);
	if (rc < 0)
		return rc;
	if (in != NULL)
		snprintf(e.pkt.in, sizeof(e.pkt.in), "%s", in);
	if (out != NULL)
		snprintf(e.pkt.out, sizeof(e.pkt.out), "%s", out);
	*ev = e;
	return 0;
}

static int neg_errno(int fallback)
{
	return errno > 0 ? -errno : -fallback;
}

/* Group configuration: whole packets, numbered, batched (NFLOG_QTHRESH). */
static int nflog_configure(struct nl_nflog *nf)
{
	if (nflog_set_mode(nf->gh, NFULNL_COPY_PACKET, NFLOG_COPY_MAX) < 0)
		return neg_errno(EIO);
	if (nflog_set_flags(nf->gh, NFULNL_CFG_F_SEQ) < 0)
		return neg_errno(EIO);
	if (nflog_set_qthresh(nf->gh, NFLOG_QTHRESH) < 0)
		return neg_errno(EIO);
	if (nflog_set_timeout(nf->gh, NFLOG_FLUSH_CS) < 0)
		return neg_errno(EIO);
	if (nflog_set_nlbufsiz(nf->gh, NFLOG_NLBUFSIZ) < 0)
		return neg_errno(EIO);
	/* The socket is the library's (nl_sock.h): our receive buffer on it. */
	return nl_sock_set_rcvbuf(nflog_fd(nf->h), NFLOG_RCVBUF);
}

struct nl_nflog *nl_nflog_open(uint16_t group, int *err)
{
	struct nl_nflog *nf = calloc(1, sizeof(*nf));
	int rc = -ENOMEM;

	if (nf == NULL || (nf->buf = malloc(NFLOG_BUF_SIZE)) == NULL)
		goto err;
	errno = 0;
	nf->h = nflog_open();
	if (nf->h == NULL) {
		rc = neg_errno(EIO);
		goto err;
	}
	errno = 0;
	nf->gh = nflog_bind_group(nf->h, group);
	if (nf->gh == NULL) {
		rc = neg_errno(EIO);
		goto err;
	}
	rc = nflog_configure(nf);
	if (rc < 0)
		goto err;
	return nf;
err:
	nl_nflog_close(nf);
	*err = rc;
	return NULL;
}

int nl_nflog_fd(const struct nl_nflog *nf)
{
	return nflog_fd(nf->h);
}

const struct nl_nflog_stats *nl_nflog_get_stats(const struct nl_nflog *nf)
{
	return &nf->st;
}

static const char *ifname(struct nl_nflog *nf, uint32_t idx)
{
	struct nflog_ifname *e;

	if (idx == 0)
		return NULL;
	for (size_t i = 0; i < NFLOG_IF_CACHE; i++) {
		e = &nf->ifc[i];
		if (e->idx == idx)
			return e->has_name ? e->name : NULL;
	}
	e = &nf->ifc[nf->ifc_next];
	nf->ifc_next = (nf->ifc_next + 1) % NFLOG_IF_CACHE;
	e->idx = idx;
	e->has_name = if_indextoname(idx, e->name) != NULL;
	return e->has_name ? e->name : NULL;
}

static void handle_msg(struct nl_nflog *nf, const struct nlmsghdr *nlh, nl_nflog_fn fn, void *arg)
{
	struct nl_nflog_msg m;
	const char *in, *out;

	if (nl_nflog_account(&nf->seq, &nf->st, nlh, &m) < 0)
		return; /* NLMSG_DONE, acks; undecodable ones are counted */
	in = ifname(nf, m.indev);
	out = ifname(nf, m.outdev);
	fn(&m, in, out, arg);
}

/* Up to NFLOG_DRAIN_MAX datagrams: 0 the socket is empty, 1 stopped at the
 * cap with more maybe pending, -errno of recv. */
static int drain_some(struct nl_nflog *nf, nl_nflog_fn fn, void *arg)
{
	int fd = nflog_fd(nf->h);

	for (int i = 0; i < NFLOG_DRAIN_MAX; i++) {
		ssize_t n = nl_sock_recv(fd, nf->buf, NFLOG_BUF_SIZE, 0);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nf->buf;
		int len;

		if (n == -EINTR)
			continue;
		if (n == -ENOBUFS) {
			nf->st.enobufs++;
			continue;
		}
		if (n < 0)
			return n == -EAGAIN ? 0 : (int)n;
		for (len = (int)n; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			handle_msg(nf, nlh, fn, arg);
	}
	return 1;
}

int nl_nflog_drain(struct nl_nflog *nf, nl_nflog_fn fn, void *arg)
{
	int rc = drain_some(nf, fn, arg);

	return rc < 0 ? rc : 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int nl_nflog_drain_all(struct nl_nflog *nf, nl_nflog_fn fn, void *arg, unsigned quiet_ms,
		       unsigned max_ms)
{
	int fd = nflog_fd(nf->h);
	uint64_t deadline = mono_ms() + max_ms;

	for (;;) {
		int rc = drain_some(nf, fn, arg);
		uint64_t now = mono_ms();

		if (rc < 0)
			return rc;
		if (now >= deadline)
			return -ETIMEDOUT;
		if (rc == 1)
			continue; /* more already queued */
		rc = nl_sock_wait(fd, (int)(deadline - now < quiet_ms ? deadline - now : quiet_ms));
		if (rc == 0)
			return 0; /* quiet for quiet_ms: nothing still queued or batched */
		if (rc < 0 && rc != -EINTR)
			return rc;
	}
}

void nl_nflog_close(struct nl_nflog *nf)
{
	if (nf == NULL)
		return;
	if (nf->gh != NULL)
		nflog_unbind_group(nf->gh);
	if (nf->h != NULL)
		nflog_close(nf->h);
	free(nf->buf);
	free(nf);
}
