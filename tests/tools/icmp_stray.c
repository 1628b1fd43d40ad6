/* icmp_stray: send ICMP "port unreachable" errors that quote a UDP packet
 * conntrack never saw, so the receiving namespace's conntrack counts them
 * (its error/invalid statistics move) without creating any entry. It gives
 * the lab tests non-zero `conntrack -S` counters to compare against.
 *
 *   icmp_stray DST INNER_DST COUNT [INNER_SRC SPORT DPORT]
 *
 * DST receives the errors; the quoted packet claims DST sent UDP to
 * INNER_DST. With INNER_SRC SPORT DPORT every error quotes that one packet,
 * INNER_SRC:SPORT -> INNER_DST:DPORT: a flow the receiver really has, sent
 * from another of its addresses than DST, gives the kernel's "outer daddr
 * != inner" (logged, counted in error). IPv4 only, numeric addresses only,
 * needs CAP_NET_RAW. Prints "sent COUNT". */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

_Noreturn static void die(const char *what, int err)
{
	fprintf(stderr, "icmp_stray: %s: %s\n", what, strerror(err));
	exit(1);
}

/* RFC 1071 Internet checksum. */
static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

struct stray {
	struct icmphdr icmp;
	struct iphdr ip;
	struct udphdr udp;
};

/* The quoted packet; port 0: vary the source port per error. */
struct quoted {
	struct in_addr src, dst;
	uint16_t sport, dport;
};

static void build(struct stray *s, const struct quoted *q, int i)
{
	memset(s, 0, sizeof(*s));
	s->ip.version = 4;
	s->ip.ihl = 5;
	s->ip.tot_len = htons(sizeof(s->ip) + sizeof(s->udp));
	s->ip.ttl = 64;
	s->ip.protocol = IPPROTO_UDP;
	s->ip.saddr = q->src.s_addr;
	s->ip.daddr = q->dst.s_addr;
	s->ip.check = csum(&s->ip, sizeof(s->ip));
	/* Ports no lab flow uses; varied so each error quotes its own flow. */
	s->udp.source = htons(q->sport ? q->sport : (uint16_t)(50000 + i % 10000));
	s->udp.dest = htons(q->sport ? q->dport : 4);
	s->udp.len = htons(sizeof(s->udp));
	s->icmp.type = ICMP_DEST_UNREACH;
	s->icmp.code = ICMP_PORT_UNREACH;
	s->icmp.checksum = csum(s, sizeof(*s));
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct quoted q = {0};
	struct stray s;
	char *end;
	long count;
	int fd;

	if (argc != 4 && argc != 7) {
		fprintf(stderr, "usage: icmp_stray DST INNER_DST COUNT [INNER_SRC SPORT DPORT]\n");
		return 2;
	}
	count = strtol(argv[3], &end, 10);
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &q.dst) != 1 || *argv[3] == '\0' || *end != '\0' ||
	    count < 1 || count > 1000000) {
		fprintf(stderr, "icmp_stray: bad address or count\n");
		return 2;
	}
	q.src = to.sin_addr;
	if (argc == 7) {
		long sport = strtol(argv[5], &end, 10), dport;

		if (*end != '\0' || inet_pton(AF_INET, argv[4], &q.src) != 1)
			sport = 0;
		dport = strtol(argv[6], &end, 10);
		if (sport < 1 || sport > 65535 || *end != '\0' || dport < 1 || dport > 65535) {
			fprintf(stderr, "icmp_stray: bad INNER_SRC, SPORT or DPORT\n");
			return 2;
		}
		q.sport = (uint16_t)sport;
		q.dport = (uint16_t)dport;
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	if (fd < 0)
		die("raw socket", errno);
	for (long i = 0; i < count; i++) {
		build(&s, &q, (int)i);
		if (sendto(fd, &s, sizeof(s), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			die("sendto", errno);
	}
	close(fd);
	printf("sent %ld\n", count);
	return 0;
}
