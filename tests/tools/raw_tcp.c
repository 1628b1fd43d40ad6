/* raw_tcp: send crafted TCP segments for the invalid-packet lab tests.
 *
 *   raw_tcp send SRC DST SPORT DPORT FLAGS [COUNT [SEQ [ACK]]]
 *       COUNT segments (default 1) with the given flags from SRC:SPORT to
 *       DST:DPORT. FLAGS is "none" or names joined by ',' or '+': FIN SYN
 *       RST PSH ACK URG ECE CWR (e.g. SYN,FIN or FIN+PSH+URG). SEQ and ACK
 *       default to 1000 and 0. No connection is needed: conntrack judges the
 *       flags (or a RST without a flow) before anything else.
 *   raw_tcp oow SRC DST DPORT COUNT
 *       open a real connection from SRC to DST:DPORT (a listener must be
 *       there), read its sequence numbers in TCP_REPAIR mode, then send COUNT
 *       ACK segments on that flow whose SEQ lies 1 GiB past what the receiver
 *       allows: conntrack reports "SEQ is over upper bound" for each. The
 *       connection is then closed normally.
 *
 * Addresses are numeric only (IPv4 or IPv6), so a lab can never reach
 * anything it did not configure. Prints "sent N" and exits 0; any failure
 * exits 1 with the reason. Needs CAP_NET_RAW (and CAP_NET_ADMIN for oow). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define OOW_OFFSET 0x40000000u /* beyond any receive window (max 1 GiB - 64 KiB) */

struct endpoint {
	struct sockaddr_storage ss;
	socklen_t len;
	int family;
};

_Noreturn static void die(const char *what, int err)
{
	fprintf(stderr, "raw_tcp: %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	exit(1);
}

static unsigned long num(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v > max)
		die(what, EINVAL);
	return v;
}

static void endpoint(const char *addr, uint16_t port, struct endpoint *e)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&e->ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&e->ss;

	memset(e, 0, sizeof(*e));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		e->len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		e->len = sizeof(*a6);
	} else {
		die("not a numeric IPv4 or IPv6 address", EINVAL);
	}
	e->family = e->ss.ss_family;
}

static uint8_t parse_flags(const char *s)
{
	static const char *const names[8] = {"FIN", "SYN", "RST", "PSH",
					     "ACK", "URG", "ECE", "CWR"};
	char buf[128], *tok, *save = NULL;
	uint8_t f = 0;

	if (strcasecmp(s, "none") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",+", &save); tok; tok = strtok_r(NULL, ",+", &save)) {
		int i;

		for (i = 0; i < 8 && strcasecmp(tok, names[i]) != 0; i++)
			;
		if (i == 8)
			die("unknown TCP flag (FIN SYN RST PSH ACK URG ECE CWR or none)", EINVAL);
		f |= (uint8_t)(1u << i);
	}
	return f;
}

static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	return sum;
}

/* TCP checksum over the pseudo-header of either family. */
static uint16_t tcp_csum(const struct endpoint *src, const struct endpoint *dst, const uint8_t *seg,
			 size_t len)
{
	uint32_t sum = 0;

	if (src->family == AF_INET) {
		sum = sum16(&((const struct sockaddr_in *)&src->ss)->sin_addr, 4, sum);
		sum = sum16(&((const struct sockaddr_in *)&dst->ss)->sin_addr, 4, sum);
	} else {
		sum = sum16(&((const struct sockaddr_in6 *)&src->ss)->sin6_addr, 16, sum);
		sum = sum16(&((const struct sockaddr_in6 *)&dst->ss)->sin6_addr, 16, sum);
	}
	sum += IPPROTO_TCP + (uint32_t)len;
	sum = sum16(seg, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t port_of(const struct endpoint *e)
{
	return e->family == AF_INET ? ((const struct sockaddr_in *)&e->ss)->sin_port
				    : ((const struct sockaddr_in6 *)&e->ss)->sin6_port;
}

/* Send count segments; the kernel adds the IP header from the bound source. */
static void send_segments(const struct endpoint *src, const struct endpoint *dst, uint8_t flags,
			  uint32_t seq, uint32_t ack, unsigned long count)
{
	struct endpoint bsrc = *src, bdst = *dst;
	uint8_t seg[20];
	uint16_t sp = port_of(src), dp = port_of(dst), csum;
	int fd = socket(src->family, SOCK_RAW, IPPROTO_TCP);

	if (fd < 0)
		die("raw socket (needs CAP_NET_RAW)", errno);
	/* Port 0 in both addresses: a raw socket's "port" is the protocol (IPv6
	 * refuses a destination whose port is not 0 or IPPROTO_TCP: EINVAL). */
	if (bsrc.family == AF_INET) {
		((struct sockaddr_in *)&bsrc.ss)->sin_port = 0;
		((struct sockaddr_in *)&bdst.ss)->sin_port = 0;
	} else {
		((struct sockaddr_in6 *)&bsrc.ss)->sin6_port = 0;
		((struct sockaddr_in6 *)&bdst.ss)->sin6_port = 0;
	}
	if (bind(fd, (struct sockaddr *)&bsrc.ss, bsrc.len) < 0)
		die("bind to the source address", errno);
	memset(seg, 0, sizeof(seg));
	memcpy(seg, &sp, 2);
	memcpy(seg + 2, &dp, 2);
	seg[4] = (uint8_t)(seq >> 24), seg[5] = (uint8_t)(seq >> 16);
	seg[6] = (uint8_t)(seq >> 8), seg[7] = (uint8_t)seq;
	seg[8] = (uint8_t)(ack >> 24), seg[9] = (uint8_t)(ack >> 16);
	seg[10] = (uint8_t)(ack >> 8), seg[11] = (uint8_t)ack;
	seg[12] = 5 << 4; /* data offset: 20 bytes, no options */
	seg[13] = flags;
	seg[14] = 0x10; /* window 4096 */
	csum = htons(tcp_csum(src, dst, seg, sizeof(seg)));
	memcpy(seg + 16, &csum, 2);
	for (unsigned long i = 0; i < count; i++)
		if (sendto(fd, seg, sizeof(seg), 0, (const struct sockaddr *)&bdst.ss, bdst.len) !=
		    (ssize_t)sizeof(seg))
			die("sendto", errno);
	close(fd);
}

static uint32_t queue_seq(int fd, int queue)
{
	uint32_t seq;
	socklen_t len = sizeof(seq);

	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR_QUEUE, &queue, sizeof(queue)) < 0)
		die("TCP_REPAIR_QUEUE", errno);
	if (getsockopt(fd, IPPROTO_TCP, TCP_QUEUE_SEQ, &seq, &len) < 0)
		die("TCP_QUEUE_SEQ", errno);
	return seq;
}

/* A live connection, then segments far beyond the receiver's window. */
static void run_oow(struct endpoint *src, const struct endpoint *dst, unsigned long count)
{
	int on = 1, off = TCP_REPAIR_OFF_NO_WP;
	int fd = socket(src->family, SOCK_STREAM, 0);
	uint32_t snd, rcv;

	if (fd < 0)
		die("socket", errno);
	if (bind(fd, (struct sockaddr *)&src->ss, src->len) < 0)
		die("bind to the source address", errno);
	if (connect(fd, (const struct sockaddr *)&dst->ss, dst->len) < 0)
		die("connect", errno);
	if (getsockname(fd, (struct sockaddr *)&src->ss, &src->len) < 0)
		die("getsockname", errno);
	/* Repair mode only to read the numbers; leaving it sends nothing. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof(on)) < 0)
		die("TCP_REPAIR (needs CAP_NET_ADMIN)", errno);
	snd = queue_seq(fd, TCP_SEND_QUEUE);
	rcv = queue_seq(fd, TCP_RECV_QUEUE);
	if (setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &off, sizeof(off)) < 0)
		die("leaving TCP_REPAIR", errno);
	send_segments(src, dst, 0x10 /* ACK */, snd + OOW_OFFSET, rcv, count);
	close(fd);
}

int main(int argc, char **argv)
{
	struct endpoint src, dst;
	unsigned long count = 1;

	if (argc >= 7 && argc <= 10 && strcmp(argv[1], "send") == 0) {
		uint32_t seq = argc > 8 ? (uint32_t)num(argv[8], UINT32_MAX, "SEQ") : 1000;
		uint32_t ack = argc > 9 ? (uint32_t)num(argv[9], UINT32_MAX, "ACK") : 0;

		if (argc > 7)
			count = num(argv[7], 1000000, "COUNT");
		endpoint(argv[2], (uint16_t)num(argv[4], 65535, "SPORT"), &src);
		endpoint(argv[3], (uint16_t)num(argv[5], 65535, "DPORT"), &dst);
		if (src.family != dst.family)
			die("SRC and DST are of different families", EINVAL);
		send_segments(&src, &dst, parse_flags(argv[6]), seq, ack, count);
	} else if (argc == 6 && strcmp(argv[1], "oow") == 0) {
		endpoint(argv[2], 0, &src);
		endpoint(argv[3], (uint16_t)num(argv[4], 65535, "DPORT"), &dst);
		if (src.family != dst.family)
			die("SRC and DST are of different families", EINVAL);
		count = num(argv[5], 1000000, "COUNT");
		run_oow(&src, &dst, count);
	} else {
		fputs("usage: raw_tcp send SRC DST SPORT DPORT FLAGS [COUNT [SEQ [ACK]]]\n"
		      "       raw_tcp oow SRC DST DPORT COUNT\n",
		      stderr);
		return 1;
	}
	printf("sent %lu\n", count);
	return 0;
}
