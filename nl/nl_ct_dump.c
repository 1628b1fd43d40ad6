/* nl_ct_dump.c: one streaming ctnetlink dump of the conntrack table, each
 * entry message handed to a callback, none stored (nl_ct.h), and the retry
 * of a dump the kernel flagged interrupted that check's walk
 * (collect_walk.c) and `nat` (cmd_nat.c) share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "nl_ct.h"

/* The kernel caps a dump datagram near 32 KiB; 64 KiB leaves room to spare.
 * 4 MiB of socket buffer lets the kernel run ahead of our parsing. */
#define DUMP_BUF_SIZE     ((size_t)64 * 1024)
#define DUMP_RCVBUF_BYTES (4 * 1024 * 1024)
#define DUMP_TIMEOUT_S    5

struct dump_run {
	struct mnl_socket *nl;
	unsigned portid, seq;
	char *buf;
	nl_ct_dump_cb cb;
	void *data;
	struct nl_ct_dump_stats st;
};

static int dump_start(struct dump_run *r)
{
	struct timeval tv = {.tv_sec = DUMP_TIMEOUT_S};
	int size = DUMP_RCVBUF_BYTES, fd;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	r->buf = malloc(DUMP_BUF_SIZE);
	if (r->buf == NULL)
		return -ENOMEM;
	r->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (r->nl == NULL || mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	fd = mnl_socket_get_fd(r->nl);
	/* More than rmem_max when we may (root), else what the sysctl allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* A kernel that stops answering must not hang a monitoring check. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r->portid = mnl_socket_get_portid(r->nl);
	r->seq = (unsigned)time(NULL);
	nlh = mnl_nlmsg_put_header(r->buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = r->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC; /* both families, every zone */
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static int dump_msg(const struct nlmsghdr *nlh, void *data)
{
	struct dump_run *r = data;

	r->st.n_msgs++;
	if (r->cb(nlh, r->data) < 0)
		r->st.n_bad++;
	return MNL_CB_OK;
}

/* mnl_cb_run() stops at a message flagged NLM_F_DUMP_INTR (EINTR) and drops
 * the rest of the datagram; we note the flag and clear it in our copy, so
 * the dump is drained to NLMSG_DONE and reported as interrupted. */
static void dump_note_intr(struct dump_run *r, size_t len)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)r->buf;
	int left = (int)len;

	while (mnl_nlmsg_ok(nlh, left)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			r->st.is_interrupted = true;
			nlh->nlmsg_flags &= (uint16_t)~NLM_F_DUMP_INTR;
		}
		nlh = mnl_nlmsg_next(nlh, &left);
	}
}

/* Receive until NLMSG_DONE; ENOBUFS loses messages, not the dump. */
static int dump_loop(struct dump_run *r)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(r->nl, r->buf, DUMP_BUF_SIZE);
		int ret;

		if (n < 0) {
			if (errno == ENOBUFS) {
				r->st.n_lost++;
				continue;
			}
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		dump_note_intr(r, (size_t)n);
		ret = mnl_cb_run(r->buf, (size_t)n, r->seq, r->portid, dump_msg, r);
		if (ret == MNL_CB_STOP)
			return 0;
		if (ret < 0)
			return -errno;
	}
}

int nl_ct_dump(nl_ct_dump_cb cb, void *data, struct nl_ct_dump_stats *st)
{
	struct dump_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.cb = cb;
	r.data = data;
	rc = dump_start(&r);
	if (rc == 0)
		rc = dump_loop(&r);
	if (r.nl != NULL)
		mnl_socket_close(r.nl);
	free(r.buf);
	r.st.attempts = 1;
	*st = r.st;
	return rc;
}

int nl_ct_dump_stable(nl_ct_dump_cb cb, nl_ct_dump_reset_cb reset, void *data,
		      struct nl_ct_dump_stats *st)
{
	unsigned attempt = 0;
	int rc;

	do {
		if (attempt > 0)
			reset(data);
		rc = nl_ct_dump(cb, data, st);
		attempt++;
	} while (rc == 0 && st->is_interrupted && attempt < NL_CT_DUMP_ATTEMPTS);
	st->attempts = attempt;
	return rc;
}
