/* nl_stats.c: ctnetlink GET_STATS / GET_STATS_CPU over libmnl. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "nl_stats.h"
#include "nl_sock.h"

/* MNL_SOCKET_BUFFER_SIZE is a sysconf() call (a VLA); the kernel sends at most
 * 32 KiB per datagram here. */
#define NL_BUF_SIZE   32768
#define MSG_STATS     ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS)
#define MSG_STATS_CPU ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS_CPU)

static bool has_payload(const struct nlmsghdr *nlh, uint16_t type)
{
	return nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nfgenmsg) && nlh->nlmsg_type == type;
}

/* Walk u32 attributes: slot-indexed values and a present mask. Attributes
 * with a type we keep must be 4 bytes; others are skipped unread. */
static int decode_u32_attrs(const struct nlmsghdr *nlh, unsigned nslots, uint64_t *v,
			    uint32_t *present)
{
	const struct nlattr *attr;

	mnl_attr_for_each (attr, nlh, sizeof(struct nfgenmsg)) {
		uint16_t type = mnl_attr_get_type(attr);

		if (type == 0 || type >= nslots)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return -EBADMSG;
		v[type] = ntohl(mnl_attr_get_u32(attr));
		*present |= 1u << type;
	}
	return 0;
}

int nl_stats_decode_global(const struct nlmsghdr *nlh, struct nl_stats_global *out)
{
	uint64_t v[CTA_STATS_GLOBAL_MAX + 1] = {0};
	uint32_t present = 0;
	int rc;

	if (!has_payload(nlh, MSG_STATS))
		return -EBADMSG;
	rc = decode_u32_attrs(nlh, CTA_STATS_GLOBAL_MAX + 1, v, &present);
	if (rc < 0)
		return rc;
	if (!(present & (1u << CTA_STATS_GLOBAL_ENTRIES)))
		return -ENODATA;
	out->count = v[CTA_STATS_GLOBAL_ENTRIES];
	out->has_max = present & (1u << CTA_STATS_GLOBAL_MAX_ENTRIES);
	out->max = out->has_max ? v[CTA_STATS_GLOBAL_MAX_ENTRIES] : 0;
	return 0;
}

int nl_stats_decode_cpu(const struct nlmsghdr *nlh, struct snap_cpu_stats *out)
{
	struct snap_cpu_stats tmp;
	const struct nfgenmsg *nfg;
	int rc;

	if (!has_payload(nlh, MSG_STATS_CPU))
		return -EBADMSG;
	memset(&tmp, 0, sizeof(tmp));
	nfg = mnl_nlmsg_get_payload(nlh);
	tmp.cpu = ntohs(nfg->res_id);
	rc = decode_u32_attrs(nlh, SNAP_STAT_SLOTS, tmp.v, &tmp.present);
	if (rc < 0)
		return rc;
	*out = tmp;
	return 0;
}

/* Open a socket in the current netns; replies are checked by sequence
 * number (portid 0 tells mnl_cb_run not to check the port). */
int nl_stats_open(struct nl_stats_session *s)
{
	struct nl_sock sock;
	int rc = nl_sock_open(&sock, &(const struct nl_sock_opts){.bus = NETLINK_NETFILTER});

	if (rc < 0)
		return rc;
	s->fd = sock.fd;
	s->seq = (unsigned)time(NULL);
	return 0;
}

void nl_stats_close(struct nl_stats_session *s)
{
	struct nl_sock sock = {.fd = s->fd};

	nl_sock_close(&sock);
	s->fd = -1;
}

static int session_send(struct nl_stats_session *s, uint8_t msg, uint16_t flags)
{
	char buf[MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg))];
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++s->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nl_sock_send(s->fd, nlh, nlh->nlmsg_len);
}

struct global_ctx {
	struct nl_stats_global *out;
	int rc;
	bool seen;
};

static int global_cb(const struct nlmsghdr *nlh, void *data)
{
	struct global_ctx *g = data;

	g->rc = nl_stats_decode_global(nlh, g->out);
	g->seen = true;
	return g->rc < 0 ? MNL_CB_ERROR : MNL_CB_STOP;
}

int nl_stats_get_global(struct nl_stats_session *s, struct nl_stats_global *out)
{
	char buf[NL_BUF_SIZE];
	struct nl_stats_global res = {0};
	struct global_ctx g = {.out = &res};
	ssize_t n;
	int rc = session_send(s, IPCTNL_MSG_CT_GET_STATS, 0);

	/* The reply is a single message without NLMSG_DONE: stop after it. */
	while (rc == 0 && !g.seen) {
		/* The kernel answers inside sendto(): the wait is for one that does not. */
		n = nl_sock_recv(s->fd, buf, sizeof(buf), NL_SOCK_TIMEOUT_MS);
		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (mnl_cb_run(buf, (size_t)n, s->seq, 0, global_cb, &g) < 0)
			rc = g.rc < 0 ? g.rc : -errno;
	}
	if (rc == 0)
		*out = res;
	return rc;
}

int nl_stats_query_global(struct nl_stats_global *out)
{
	struct nl_stats_session s = {.fd = -1};
	int rc = nl_stats_open(&s);

	if (rc < 0)
		return rc;
	rc = nl_stats_get_global(&s, out);
	nl_stats_close(&s);
	return rc;
}

struct cpus_ctx {
	struct snap_cpu_stats *cpus;
	size_t n;
	int rc;
};

static int cpu_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cpus_ctx *c = data;
	struct snap_cpu_stats one;
	struct snap_cpu_stats *grown;

	c->rc = nl_stats_decode_cpu(nlh, &one);
	if (c->rc < 0)
		return MNL_CB_ERROR;
	grown = realloc(c->cpus, (c->n + 1) * sizeof(*grown));
	if (grown == NULL) {
		c->rc = -ENOMEM;
		return MNL_CB_ERROR;
	}
	c->cpus = grown;
	c->cpus[c->n++] = one;
	return MNL_CB_OK;
}

int nl_stats_get_cpus(struct nl_stats_session *s, struct snap_cpu_stats **cpus, size_t *n)
{
	char buf[NL_BUF_SIZE];
	struct cpus_ctx c = {0};
	ssize_t got;
	int cb = MNL_CB_OK;
	int rc = session_send(s, IPCTNL_MSG_CT_GET_STATS_CPU, NLM_F_DUMP);

	while (rc == 0 && cb > MNL_CB_STOP) {
		got = nl_sock_recv(s->fd, buf, sizeof(buf), NL_SOCK_TIMEOUT_MS);
		if (got < 0) {
			rc = (int)got;
			break;
		}
		cb = mnl_cb_run(buf, (size_t)got, s->seq, 0, cpu_cb, &c);
		if (cb < 0)
			rc = c.rc < 0 ? c.rc : -errno;
	}
	if (rc < 0) {
		free(c.cpus);
		return rc;
	}
	*cpus = c.cpus;
	*n = c.n;
	return 0;
}

int nl_stats_query_cpus(struct snap_cpu_stats **cpus, size_t *n)
{
	struct nl_stats_session s = {.fd = -1};
	int rc = nl_stats_open(&s);

	if (rc < 0)
		return rc;
	rc = nl_stats_get_cpus(&s, cpus, n);
	nl_stats_close(&s);
	return rc;
}
