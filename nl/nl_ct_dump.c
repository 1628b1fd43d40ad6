/* nl_ct_dump.c: one streaming ctnetlink dump of the conntrack table, each
 * entry message handed to a callback, none stored (nl_ct.h), and the retry
 * of a dump the kernel flagged interrupted that check's walk
 * (collect_walk.c) and `nat` (cmd_nat.c) share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "nl_ct.h"
#include "nl_sock.h"

/* The kernel caps a dump datagram near 32 KiB; 64 KiB leaves room to spare.
 * 4 MiB of socket buffer lets the kernel run ahead of our parsing. */
#define DUMP_BUF_SIZE     ((size_t)64 * 1024)
#define DUMP_RCVBUF_BYTES (4 * 1024 * 1024)

struct dump_run {
	struct nl_sock sock;
	unsigned seq;
	char *buf;
	nl_ct_dump_cb cb;
	void *data;
	struct nl_ct_dump_stats st;
};

static int dump_start(struct dump_run *r)
{
	/* The receive buffer lets the kernel run ahead of our parsing. */
	const struct nl_sock_opts o = {.bus = NETLINK_NETFILTER, .rcvbuf = DUMP_RCVBUF_BYTES};
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int rc;

	r->buf = malloc(DUMP_BUF_SIZE);
	if (r->buf == NULL)
		return -ENOMEM;
	rc = nl_sock_open(&r->sock, &o);
	if (rc < 0)
		return rc;
	r->seq = (unsigned)time(NULL);
	nlh = mnl_nlmsg_put_header(r->buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = r->seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC; /* both families, every zone */
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nl_sock_send(r->sock.fd, nlh, nlh->nlmsg_len);
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
		ssize_t n = nl_sock_recv(r->sock.fd, r->buf, DUMP_BUF_SIZE, NL_SOCK_TIMEOUT_MS);
		int ret;

		if (n == -ENOBUFS) {
			r->st.n_lost++;
			continue;
		}
		if (n == -EINTR)
			continue;
		if (n < 0)
			return (int)n;
		dump_note_intr(r, (size_t)n);
		ret = mnl_cb_run(r->buf, (size_t)n, r->seq, r->sock.portid, dump_msg, r);
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
	r.sock.fd = -1;
	r.cb = cb;
	r.data = data;
	rc = dump_start(&r);
	if (rc == 0)
		rc = dump_loop(&r);
	nl_sock_close(&r.sock);
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
