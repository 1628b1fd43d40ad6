/* nl_nflog.c: NFLOG group capture: libnetfilter_log binds and configures
 * the group, the messages are read and decoded here with libmnl. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "nl_nflog.h"

#define NFLOG_BUF_SIZE  (256 * 1024) /* a 64 KiB packet plus attributes, several */
#define NFLOG_RCVBUF    (16 * 1024 * 1024)
#define NFLOG_COPY_MAX  0xffff
#define NFLOG_DRAIN_MAX 4096 /* recv calls per drain: a flood cannot starve the caller */
#define MSG_PACKET      ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)

struct nl_nflog {
	struct nflog_handle *h;
	struct nflog_g_handle *gh;
	char *buf;
	struct nl_nflog_seq seq;
	struct nl_nflog_stats st;
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

	if (gap >= 0x80000000u)
		return 0; /* from the past: nothing lost, keep expecting next */
	s->next = seq + 1;
	return gap;
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

/* SO_RCVBUFFORCE as root (what nfnl_rcvbufsiz() does), else SO_RCVBUF
 * capped by rmem_max: a small buffer loses more, but losses stay counted. */
static int nflog_rcvbuf(int fd, int size)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == 0)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) == 0)
		return 0;
	return -errno;
}

/* Group configuration: whole packets, numbered, flushed as they come. */
static int nflog_configure(struct nl_nflog *nf)
{
	if (nflog_set_mode(nf->gh, NFULNL_COPY_PACKET, NFLOG_COPY_MAX) < 0)
		return neg_errno(EIO);
	if (nflog_set_flags(nf->gh, NFULNL_CFG_F_SEQ) < 0)
		return neg_errno(EIO);
	if (nflog_set_qthresh(nf->gh, 1) < 0)
		return neg_errno(EIO);
	return nflog_rcvbuf(nflog_fd(nf->h), NFLOG_RCVBUF);
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

static const char *ifname(uint32_t idx, char *buf)
{
	if (idx == 0 || if_indextoname(idx, buf) == NULL)
		return NULL;
	return buf;
}

static void handle_msg(struct nl_nflog *nf, const struct nlmsghdr *nlh, nl_nflog_fn fn, void *arg)
{
	struct nl_nflog_msg m;
	char in[IF_NAMESIZE], out[IF_NAMESIZE];
	int rc = nl_nflog_decode(nlh, &m);

	if (rc == -ENOENT)
		return; /* NLMSG_DONE, acks */
	if (rc < 0) {
		nf->st.bad_messages++;
		return;
	}
	nf->st.packets++;
	if (m.has_seq)
		nf->st.lost += nl_nflog_seq_gap(&nf->seq, m.seq);
	fn(&m, ifname(m.indev, in), ifname(m.outdev, out), arg);
}

int nl_nflog_drain(struct nl_nflog *nf, nl_nflog_fn fn, void *arg)
{
	int fd = nflog_fd(nf->h);

	for (int i = 0; i < NFLOG_DRAIN_MAX; i++) {
		ssize_t n = recv(fd, nf->buf, NFLOG_BUF_SIZE, MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)nf->buf;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				nf->st.enobufs++;
				continue;
			}
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
		}
		for (len = (int)n; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			handle_msg(nf, nlh, fn, arg);
	}
	return 0;
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
