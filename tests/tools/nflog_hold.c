/* nflog_hold: hold an NFLOG group, as a logging daemon (ulogd) does, for the
 * namespace lab tests of `watch --invalid` with the group taken.
 *
 *   nflog_hold GROUP [pf]
 *
 * Binds GROUP with libnetfilter_log in the current network namespace; with
 * "pf" it first binds nfnetlink_log as the IPv4 and IPv6 logger
 * (nflog_bind_pf, what ulogd's NFLOG input does with bind=1), which sets
 * net.netfilter.nf_log.2 and .10 to nfnetlink_log and leaves them so. Then
 * prints "holding GROUP port PORTID" (flushed: the test polls its log) and
 * reads and discards the group's messages until killed. Exits 1 with the
 * reason on any failure, e.g. the group already held (EPERM). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libnetfilter_log/libnetfilter_log.h>

_Noreturn static void die(const char *what)
{
	fprintf(stderr, "nflog_hold: %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	struct nflog_handle *h;
	struct nflog_g_handle *gh;
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);
	char buf[65536], *end;
	unsigned long group;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "pf") != 0)) {
		fputs("usage: nflog_hold GROUP [pf]\n", stderr);
		return 1;
	}
	errno = 0;
	group = strtoul(argv[1], &end, 10);
	if (errno != 0 || end == argv[1] || *end != '\0' || group > 65535) {
		fputs("nflog_hold: GROUP is a number 0..65535\n", stderr);
		return 1;
	}
	h = nflog_open();
	if (h == NULL)
		die("nflog_open");
	if (argc == 3) {
		/* as ulogd: unbind whatever logger is there, then bind ours */
		if (nflog_unbind_pf(h, AF_INET) < 0 || nflog_bind_pf(h, AF_INET) < 0 ||
		    nflog_unbind_pf(h, AF_INET6) < 0 || nflog_bind_pf(h, AF_INET6) < 0)
			die("nflog_bind_pf (needs CAP_NET_ADMIN)");
	}
	gh = nflog_bind_group(h, (uint16_t)group);
	if (gh == NULL)
		die("nflog_bind_group (EPERM: held by another socket)");
	if (nflog_set_mode(gh, NFULNL_COPY_PACKET, 0xffff) < 0)
		die("nflog_set_mode");
	if (getsockname(nflog_fd(h), (struct sockaddr *)&sa, &len) < 0)
		die("getsockname");
	printf("holding %lu port %u\n", group, sa.nl_pid);
	fflush(stdout);
	for (;;) {
		ssize_t n = recv(nflog_fd(h), buf, sizeof(buf), 0);

		if (n < 0 && errno != EINTR && errno != ENOBUFS)
			die("recv");
	}
}
