/* nl_capture: record ctnetlink replies as raw bytes, for the decoder tests'
 * fixtures (tests/fixtures/netlink/, see its README and capture.sh).
 *
 *   nl_capture dump FILE        IPCTNL_MSG_CT_GET dump of the conntrack table
 *   nl_capture stats FILE       IPCTNL_MSG_CT_GET_STATS (one reply, no DONE)
 *   nl_capture stats-cpu FILE   IPCTNL_MSG_CT_GET_STATS_CPU dump
 *
 * Runs in the caller's network namespace (ip netns exec NS nl_capture ...).
 * FILE gets every message the kernel sent, byte for byte as received,
 * datagram after datagram (a datagram is whole netlink messages, so the file
 * is one stream of them), up to and including NLMSG_DONE for the dumps.
 * Prints "captured N messages, B bytes" and exits 0, or 1 with the reason. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define BUF_SIZE (64 * 1024)

static int fail(const char *what)
{
	fprintf(stderr, "nl_capture: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Messages in one datagram; *done when it holds NLMSG_DONE or an error. */
static unsigned count_msgs(const char *buf, size_t len, int *done)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	int left = (int)len;
	unsigned n = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		n++;
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			*done = 1;
	}
	return n;
}

int main(int argc, char **argv)
{
	static char buf[BUF_SIZE];
	struct timeval tv = {.tv_sec = 5};
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned type, msgs = 0;
	size_t bytes = 0;
	int is_dump, done = 0;
	FILE *out;

	if (argc != 3) {
		fprintf(stderr, "usage: nl_capture dump|stats|stats-cpu FILE\n");
		return 1;
	}
	if (strcmp(argv[1], "dump") == 0)
		type = IPCTNL_MSG_CT_GET, is_dump = 1;
	else if (strcmp(argv[1], "stats") == 0)
		type = IPCTNL_MSG_CT_GET_STATS, is_dump = 0;
	else if (strcmp(argv[1], "stats-cpu") == 0)
		type = IPCTNL_MSG_CT_GET_STATS_CPU, is_dump = 1;
	else {
		fprintf(stderr, "nl_capture: unknown request '%s'\n", argv[1]);
		return 1;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (nl == NULL || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return fail("netlink socket");
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | (is_dump ? NLM_F_DUMP : 0);
	nlh->nlmsg_seq = (unsigned)time(NULL);
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return fail("send");
	out = fopen(argv[2], "wb");
	if (out == NULL)
		return fail(argv[2]);
	/* GET_STATS answers with one message and no NLMSG_DONE. */
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return fail("receive");
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return fail(argv[2]);
		msgs += count_msgs(buf, (size_t)n, &done);
		bytes += (size_t)n;
		if (!is_dump)
			done = 1;
	}
	if (fclose(out) != 0)
		return fail(argv[2]);
	mnl_socket_close(nl);
	printf("captured %u messages, %zu bytes\n", msgs, bytes);
	return 0;
}
