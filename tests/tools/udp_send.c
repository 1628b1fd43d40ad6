/* udp_send: create a known number of UDP conntrack flows for the namespace
 * lab tests.
 *
 *   udp_send flows ADDR DPORT COUNT SPORT SPAN
 *       send one datagram per flow and expect no answer. Flow i goes from
 *       source port SPORT + i % SPAN to destination port DPORT + i / SPAN,
 *       so every flow has its own tuple (set SPAN >= COUNT for "one source
 *       port per flow"); prints "sent COUNT".
 *   udp_send request ADDR DPORT COUNT SPORT
 *       like flows with SPAN = COUNT, but wait for each answer (from an
 *       echo server) so the flows are replied; prints "replied COUNT".
 *   udp_send echo ADDR PORT
 *       answer every datagram with itself; prints "listening", runs until
 *       killed.
 *
 * Addresses must be numeric: a lab test never reaches anything it did not
 * configure. Exit status 1 on any socket error or missing answer. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

_Noreturn static void die(const char *what, int err)
{
	fprintf(stderr, "udp_send: %s: %s\n", what, strerror(err));
	exit(1);
}

static long parse_num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "udp_send: '%s' is not a number in %ld..%ld\n", s, lo, hi);
		exit(2);
	}
	return v;
}

static void resolve(const char *addr, long port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char serv[16];
	int rc;

	snprintf(serv, sizeof(serv), "%ld", port);
	rc = getaddrinfo(addr, serv, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "udp_send: %s: %s\n", addr, gai_strerror(rc));
		exit(1);
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
}

static void set_port(struct sockaddr_storage *ss, long port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
}

/* A socket bound to the wildcard address of the family at port sport. */
static int bound_socket(int family, long sport)
{
	struct sockaddr_storage local = {.ss_family = (sa_family_t)family};
	socklen_t len =
	    family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	int one = 1;
	int fd = socket(family, SOCK_DGRAM, 0);

	if (fd < 0)
		die("socket", errno);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("SO_REUSEADDR", errno);
	set_port(&local, sport);
	if (bind(fd, (struct sockaddr *)&local, len) < 0)
		die("bind", errno);
	return fd;
}

/* Wait up to 5 s for the echo; a lost answer fails the lab loudly. */
static void await_reply(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char buf[64];
	int rc = poll(&pfd, 1, 5000);

	if (rc < 0)
		die("poll", errno);
	if (rc == 0) {
		fprintf(stderr, "udp_send: no answer from the echo server\n");
		exit(1);
	}
	if (recv(fd, buf, sizeof(buf), 0) < 0)
		die("recv", errno);
}

/* One socket per source port, reused for every destination port it sends
 * to: flow i = s + j * span goes from sport + s to dport + j. */
static int send_flows(const char *addr, long dport, long count, long sport, long span,
		      bool want_reply)
{
	static const char payload[] = "ctadvisor-lab";
	struct sockaddr_storage dst;
	socklen_t dlen;

	resolve(addr, dport, &dst, &dlen);
	for (long s = 0; s < span && s < count; s++) {
		int fd = bound_socket(dst.ss_family, sport + s);

		for (long i = s; i < count; i += span) {
			set_port(&dst, dport + i / span);
			if (sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&dst, dlen) <
			    0)
				die("sendto", errno);
			if (want_reply)
				await_reply(fd);
		}
		close(fd);
	}
	printf("%s %ld\n", want_reply ? "replied" : "sent", count);
	return 0;
}

_Noreturn static void run_echo(const char *addr, long port)
{
	struct sockaddr_storage me, peer;
	socklen_t len, plen;
	char buf[2048];
	int fd;

	resolve(addr, port, &me, &len);
	fd = socket(me.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket", errno);
	if (bind(fd, (struct sockaddr *)&me, len) < 0)
		die("bind", errno);
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		ssize_t n;

		plen = sizeof(peer);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &plen);
		if (n < 0 && errno != EINTR)
			die("recvfrom", errno);
		if (n >= 0 && sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen) < 0)
			die("sendto", errno);
	}
}

int main(int argc, char **argv)
{
	long count, sport, span;

	if (argc == 7 && strcmp(argv[1], "flows") == 0) {
		count = parse_num(argv[4], 1, 10000000);
		sport = parse_num(argv[5], 1, 65535);
		span = parse_num(argv[6], 1, 65536 - sport);
		if (parse_num(argv[3], 1, 65535) + (count - 1) / span > 65535) {
			fprintf(stderr, "udp_send: COUNT / SPAN runs past port 65535\n");
			return 2;
		}
		return send_flows(argv[2], parse_num(argv[3], 1, 65535), count, sport, span, false);
	}
	if (argc == 6 && strcmp(argv[1], "request") == 0) {
		sport = parse_num(argv[5], 1, 65535);
		count = parse_num(argv[4], 1, 65536 - sport);
		return send_flows(argv[2], parse_num(argv[3], 1, 65535), count, sport, count, true);
	}
	if (argc == 4 && strcmp(argv[1], "echo") == 0)
		run_echo(argv[2], parse_num(argv[3], 1, 65535));
	fprintf(stderr, "usage: udp_send flows ADDR DPORT COUNT SPORT SPAN\n"
			"       udp_send request ADDR DPORT COUNT SPORT\n"
			"       udp_send echo ADDR PORT\n");
	return 2;
}
