/* ct_capture: record a conntrack table dump as the bytes ctnetlink sent,
 * for unit tests that decode real entries (tests/fixtures/nat/README.md).
 *
 *   ct_capture OUTFILE [NETNS]
 *
 * One dump (IPCTNL_MSG_CT_GET, NLM_F_DUMP, both families) in NETNS (a name
 * under /run/netns or a path; default: the caller's namespace). Every entry
 * message is written to OUTFILE as received: nlmsghdr, nfgenmsg and
 * attributes, nlmsg_len bytes padded to NLMSG_ALIGN, one after the other,
 * so a reader walks the file with mnl_nlmsg_ok()/mnl_nlmsg_next(). The
 * NLMSG_DONE message is not written. Prints "captured N entries (B bytes)"
 * and exits 0; exits 1 with the reason on any error, also when the dump was
 * interrupted (NLM_F_DUMP_INTR) or lost messages (ENOBUFS): a fixture must
 * be a consistent table. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define BUF_SIZE    (64 * 1024)
#define RCVBUF_SIZE (4 * 1024 * 1024)

static char buf[BUF_SIZE];

struct capture {
	FILE *out;
	unsigned long entries, bytes;
	int interrupted;
};

_Noreturn static void die(const char *what, int err)
{
	fprintf(stderr, "ct_capture: %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	exit(1);
}

static void enter_netns(const char *ns)
{
	char path[512];
	int fd;

	if (strchr(ns, '/') != NULL)
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
		die(path, errno);
	close(fd);
}

static int write_cb(const struct nlmsghdr *nlh, void *data)
{
	static const char pad[NLMSG_ALIGNTO];
	struct capture *c = data;
	size_t len = nlh->nlmsg_len, padded = NLMSG_ALIGN(len);

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		c->interrupted = 1;
	if (fwrite(nlh, 1, len, c->out) != len ||
	    fwrite(pad, 1, padded - len, c->out) != padded - len)
		return MNL_CB_ERROR;
	c->entries++;
	c->bytes += padded;
	return MNL_CB_OK;
}

static struct mnl_socket *start_dump(unsigned *seq)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int size = RCVBUF_SIZE;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket", errno);
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	*seq = (unsigned)time(NULL);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = *seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("send dump request", errno);
	return nl;
}

int main(int argc, char **argv)
{
	struct capture c = {0};
	struct mnl_socket *nl;
	unsigned seq;

	if (argc < 2 || argc > 3)
		die("usage: ct_capture OUTFILE [NETNS]", EINVAL);
	if (argc == 3)
		enter_netns(argv[2]);
	c.out = fopen(argv[1], "wb");
	if (c.out == NULL)
		die(argv[1], errno);
	nl = start_dump(&seq);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int ret;

		if (n < 0)
			die(errno == ENOBUFS ? "messages lost (ENOBUFS): run it again" : "recv",
			    errno);
		ret = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), write_cb, &c);
		if (ret == MNL_CB_STOP)
			break;
		if (ret < 0)
			die("dump", errno);
	}
	mnl_socket_close(nl);
	if (fclose(c.out) != 0)
		die(argv[1], errno);
	if (c.interrupted)
		die("the table changed during the dump (NLM_F_DUMP_INTR): run it again", 0);
	printf("captured %lu entries (%lu bytes)\n", c.entries, c.bytes);
	return 0;
}
