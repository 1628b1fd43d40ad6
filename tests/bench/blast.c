/* blast: send invalid TCP segments (no flag set: conntrack reports "invalid
 * tcp flag combination") at a fixed rate, for the NFLOG capture bench.
 *
 *   blast SRC DST RATE SECONDS
 *
 * IPv4 numeric addresses only, so the bench can only reach the lab it built.
 * A raw IPPROTO_TCP socket (the kernel adds the IP header), batches of
 * BATCH segments per sendmmsg(), paced against CLOCK_MONOTONIC so the mean
 * rate holds even when a batch is late. Each segment has its own source
 * port and sequence number. Prints "sent N failed F seconds S rate R"
 * (failed: segments the kernel refused, e.g. ENOBUFS) and exits 0, or 1 with
 * the reason. Needs CAP_NET_RAW. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define SEG   20

struct lab {
	struct sockaddr_in src, dst;
	int fd;
	uint8_t seg[BATCH][SEG];
	struct iovec iov[BATCH];
	struct mmsghdr msg[BATCH];
};

_Noreturn static void die(const char *what, int err)
{
	fprintf(stderr, "blast: %s%s%s\n", what, err ? ": " : "", err ? strerror(err) : "");
	exit(1);
}

static double num(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || v <= 0)
		die(what, EINVAL);
	return v;
}

static uint32_t sum16(const uint8_t *b, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	return sum;
}

/* Segment i: source port and sequence from i, no flags, valid checksum. */
static void build(struct lab *l, uint8_t *s, uint64_t i)
{
	uint16_t sport = (uint16_t)(20000 + i % 40000), dport = 8080;
	uint32_t seq = (uint32_t)i * 7919u, sum = 0;

	memset(s, 0, SEG);
	s[0] = (uint8_t)(sport >> 8), s[1] = (uint8_t)sport;
	s[2] = (uint8_t)(dport >> 8), s[3] = (uint8_t)dport;
	s[4] = (uint8_t)(seq >> 24), s[5] = (uint8_t)(seq >> 16);
	s[6] = (uint8_t)(seq >> 8), s[7] = (uint8_t)seq;
	s[12] = 5 << 4; /* data offset; flags byte 13 stays 0 */
	s[14] = 0x04;   /* window 1024 */
	sum = sum16((const uint8_t *)&l->src.sin_addr, 4, sum);
	sum = sum16((const uint8_t *)&l->dst.sin_addr, 4, sum);
	sum += IPPROTO_TCP + SEG;
	sum = sum16(s, SEG, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	s[16] = (uint8_t)(sum >> 8), s[17] = (uint8_t)sum;
}

static void open_lab(struct lab *l, const char *src, const char *dst)
{
	memset(l, 0, sizeof(*l));
	l->src.sin_family = l->dst.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &l->src.sin_addr) != 1 ||
	    inet_pton(AF_INET, dst, &l->dst.sin_addr) != 1)
		die("SRC and DST must be numeric IPv4 addresses", EINVAL);
	l->fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
	if (l->fd < 0)
		die("raw socket (needs CAP_NET_RAW)", errno);
	if (bind(l->fd, (struct sockaddr *)&l->src, sizeof(l->src)) < 0)
		die("bind SRC", errno);
	for (int i = 0; i < BATCH; i++) {
		l->iov[i].iov_base = l->seg[i];
		l->iov[i].iov_len = SEG;
		l->msg[i].msg_hdr.msg_name = &l->dst;
		l->msg[i].msg_hdr.msg_namelen = sizeof(l->dst);
		l->msg[i].msg_hdr.msg_iov = &l->iov[i];
		l->msg[i].msg_hdr.msg_iovlen = 1;
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_until(double t)
{
	struct timespec ts = {.tv_sec = (time_t)t,
			      .tv_nsec = (long)((t - (double)(time_t)t) * 1e9)};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Send what is left of one batch; a refused segment is counted, not retried. */
static void send_batch(struct lab *l, int n, uint64_t *sent, uint64_t *failed)
{
	int off = 0;

	while (off < n) {
		int r = sendmmsg(l->fd, l->msg + off, (unsigned)(n - off), 0);

		if (r < 0) {
			if (errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
				die("sendmmsg", errno);
			(*failed)++;
			off++;
			continue;
		}
		*sent += (uint64_t)r;
		off += r;
	}
}

int main(int argc, char **argv)
{
	struct lab l;
	uint64_t total, i = 0, sent = 0, failed = 0;
	double rate, secs, t0, t;

	if (argc != 5)
		die("usage: blast SRC DST RATE SECONDS", EINVAL);
	rate = num(argv[3], "RATE must be a positive number");
	secs = num(argv[4], "SECONDS must be a positive number");
	open_lab(&l, argv[1], argv[2]);
	total = (uint64_t)(rate * secs);
	t0 = now();
	while (i < total) {
		int n = total - i < BATCH ? (int)(total - i) : BATCH;

		for (int k = 0; k < n; k++)
			build(&l, l.seg[k], i + (uint64_t)k);
		sleep_until(t0 + (double)i / rate);
		send_batch(&l, n, &sent, &failed);
		i += (uint64_t)n;
	}
	t = now() - t0;
	printf("sent %llu failed %llu seconds %.3f rate %.0f\n", (unsigned long long)sent,
	       (unsigned long long)failed, t, (double)sent / t);
	close(l.fd);
	return 0;
}
