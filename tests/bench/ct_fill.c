/* ct_fill: create N conntrack entries in the current network namespace, fast.
 *
 *   ct_fill N
 *
 * Run it inside a bench namespace (ip netns exec NS ct_fill N). Entries are
 * IPCTNL_MSG_CT_NEW requests packed many to a sendmsg (the kernel's
 * netlink_rcv_skb() walks every message of a datagram), without NLM_F_ACK:
 * the kernel still answers a failed request with an NLMSG_ERROR, which we
 * drain after each batch and count. A realistic mix for the walk to
 * classify: 3 in 4 TCP ESTABLISHED (assured), 1 in 4 UDP unreplied, all with
 * a one-hour timeout so the table holds still for the bench. Addresses are
 * in 10.200.0.0/16 -> 10.201.0.0/16, never configured anywhere: the entries
 * are only table contents. Prints "created N" (N = requests the kernel did
 * not refuse) and exits 0, or 1 with the reason. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#define BATCH_BYTES (1024 * 1024) /* one sendmsg; SO_SNDBUF is raised to fit */
#define MSG_ROOM    256           /* a CT_NEW here is ~170 bytes */
#define RCVBUF      (8 * 1024 * 1024)
#define TIMEOUT_S   3600

struct filler {
	struct mnl_socket *nl;
	char *batch;
	char rx[64 * 1024];
	unsigned long failed;
	int first_err;
};

_Noreturn static void die(const char *what, int err)
{
	fprintf(stderr, "ct_fill: %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	exit(1);
}

static void put_tuple(struct nlmsghdr *nlh, int type, uint32_t src, uint32_t dst, uint8_t proto,
		      uint16_t sport, uint16_t dport)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *n;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, htonl(src));
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, htonl(dst));
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

/* Entry i: a unique original tuple (source address and port from i). */
static void put_entry(char *at, unsigned long i, unsigned seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct nfgenmsg *nfg;
	uint32_t src = 0x0ac80000u + (uint32_t)(i / 50000), dst = 0x0ac90001u + (uint32_t)(i % 7);
	uint16_t sport = (uint16_t)(10000 + i % 50000), dport = (uint16_t)(i % 4 ? 443 : 53);
	uint8_t proto = i % 4 ? IPPROTO_TCP : IPPROTO_UDP;
	uint32_t status = IPS_CONFIRMED;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	put_tuple(nlh, CTA_TUPLE_ORIG, src, dst, proto, sport, dport);
	put_tuple(nlh, CTA_TUPLE_REPLY, dst, src, proto, dport, sport);
	if (proto == IPPROTO_TCP) {
		struct nlattr *pi = mnl_attr_nest_start(nlh, CTA_PROTOINFO), *tcp;

		tcp = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
		mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
		mnl_attr_nest_end(nlh, tcp);
		mnl_attr_nest_end(nlh, pi);
		status |= IPS_SEEN_REPLY | IPS_ASSURED;
	}
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(status));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(TIMEOUT_S));
}

static int count_error(const struct nlmsghdr *nlh, void *data)
{
	struct filler *f = data;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == NLMSG_ERROR && e->error != 0) {
		if (f->failed++ == 0)
			f->first_err = -e->error;
	}
	return MNL_CB_OK;
}

/* Errors of the batches sent so far; non-blocking, so none waiting is fine. */
static void drain_errors(struct filler *f)
{
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(f->nl), f->rx, sizeof(f->rx), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == ENOBUFS)
				die("error reports lost (receive buffer overrun)", errno);
			die("recv", errno);
		}
		mnl_cb_run2(f->rx, (size_t)n, 0, 0, count_error, f, NULL, 0);
	}
}

static void send_batch(struct filler *f, size_t len)
{
	if (mnl_socket_sendto(f->nl, f->batch, len) < 0)
		die("sendmsg of a batch", errno);
	drain_errors(f);
}

static void open_filler(struct filler *f)
{
	int fd, size = RCVBUF, snd = BATCH_BYTES + 65536;

	f->batch = malloc(BATCH_BYTES);
	f->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (f->batch == NULL || f->nl == NULL || mnl_socket_bind(f->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket", errno);
	fd = mnl_socket_get_fd(f->nl);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		die("SO_RCVBUFFORCE/SO_SNDBUFFORCE (needs CAP_NET_ADMIN)", errno);
}

int main(int argc, char **argv)
{
	struct filler f = {0};
	unsigned long n, i;
	size_t used = 0;
	char *end;

	if (argc != 2)
		die("usage: ct_fill N", EINVAL);
	errno = 0;
	n = strtoul(argv[1], &end, 10);
	if (errno != 0 || end == argv[1] || *end != '\0' || n > 50000ul * 65000ul)
		die("N must be a number", EINVAL);
	open_filler(&f);
	for (i = 0; i < n; i++) {
		if (used + MSG_ROOM > BATCH_BYTES) {
			send_batch(&f, used);
			used = 0;
		}
		put_entry(f.batch + used, i, (unsigned)i);
		used += ((struct nlmsghdr *)(f.batch + used))->nlmsg_len;
	}
	if (used > 0)
		send_batch(&f, used);
	drain_errors(&f);
	if (f.failed > 0)
		fprintf(stderr, "ct_fill: %lu of %lu requests refused, first: %s\n", f.failed, n,
			strerror(f.first_err));
	printf("created %lu\n", n - f.failed);
	mnl_socket_close(f.nl);
	free(f.batch);
	return f.failed > 0 ? 1 : 0;
}
