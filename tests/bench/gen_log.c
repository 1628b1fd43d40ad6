/* gen_log: write a realistic kernel log of about BYTES bytes to stdout.
 *
 *   gen_log BYTES [SEED]
 *
 * A /var/log/kern.log as rsyslog writes it (RFC 3164 with hostname and the
 * kernel's own [mono] stamp), one line shape per message taken from
 * tests/fixtures/logparse/ (which are written from the kernel's format
 * strings), with addresses, ports and stamps varied. The mix, by lines:
 * 10 % conntrack invalid-packet reports in all three wording generations
 * (nf_ct_tcp:, nf_ct_proto_6: with and without numbers, accepted
 * "ignored" reports, UDP/ICMP/ICMPv6/SCTP/DCCP; SCTP reports span two
 * lines, counted as two), 0.2 % table-full lines (three wordings), 0.1 % rate-limit lines,
 * 5 % LOG-target lines of user rules, the rest unrelated kernel lines.
 * Deterministic for a SEED (default 1). Prints the line counts per class to
 * stderr. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAC "52:54:00:aa:bb:cc:52:54:00:11:22:33:08:00"

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: fast and good enough for log variety */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

enum cls { C_INVALID, C_FULL, C_RATELIMIT, C_LOG, C_OTHER, C_N };

struct counts {
	unsigned long lines[C_N];
	unsigned long long bytes;
};

static const char *const tcp_reasons[] = {
    "nf_ct_proto_6: invalid tcp flag combination",
    "nf_ct_proto_6: SEQ is over upper bound 65242 (over the window of the receiver)",
    "nf_ct_proto_6: SEQ is under the lower bound (already ACKed data retransmitted)",
    "nf_ct_proto_6: packet (index 3) in dir 0 invalid, state SYN_SENT",
    "nf_ct_proto_6: packet (index 0) in dir 0 ignored, state ESTABLISHED",
    "nf_ct_tcp: invalid TCP flag combination",
    "nf_ct_proto_6: invalid packet ignored in state ESTABLISHED",
    "nf_ct_proto_6: ACK is over upper bound 3306176 (ACKed data not seen yet)",
    "nf_ct_proto_6: invalid rst",
};

static const char *const others[] = {
    "e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx",
    "usb 1-1: new high-speed USB device number 2 using xhci_hcd",
    "audit: type=1400 audit(1795529670.123:42): apparmor=\"DENIED\" operation=\"open\" "
    "profile=\"/usr/sbin/ntpd\" name=\"/etc/ssl/openssl.cnf\" pid=812 comm=\"ntpd\"",
    "EXT4-fs (sda1): mounted filesystem 3f1c2d4e-8a9b-4c1d-9e2f-0a1b2c3d4e5f r/w with "
    "ordered data mode. Quota mode: none.",
    "TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.",
    "br0: port 2(veth3a1b2c) entered forwarding state",
    "IPv6: ADDRCONF(NETDEV_CHANGE): eth1: link becomes ready",
    "perf: interrupt took too long (2503 > 2500), lowering kernel.perf_event_max_sample_rate to "
    "79750",
    "systemd-journald[312]: Data hash table of /var/log/journal/system.journal has a fill level "
    "at 75.0 (8535 of 11377 items), suggesting rotation.",
    "docker0: port 1(veth7c1d9e2) entered blocking state",
    "nvme nvme0: 8/0/0 default/read/poll queues",
};

static void ip4(char *b, size_t n, unsigned net)
{
	snprintf(b, n, "%u.%u.%u.%u", net, rnd() % 256, rnd() % 256, 1 + rnd() % 254);
}

static int invalid_line(char *b, size_t n, uint32_t k)
{
	char src[32];

	ip4(src, sizeof(src), 198 + k % 6);
	switch (k % 16) {
	case 0:
		return snprintf(b, n,
				"nf_ct_proto_17: bad checksum IN=eth0 OUT= MAC=" MAC " SRC=%s "
				"DST=192.0.2.1 LEN=76 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=UDP "
				"SPT=%u DPT=123 LEN=56 ",
				src, 1024 + rnd() % 60000);
	case 1:
		return snprintf(b, n,
				"nf_ct_proto_1: outer daddr 192.0.2.1 != inner 192.0.2.99 IN=eth0 "
				"OUT= MAC=" MAC " SRC=%s DST=192.0.2.1 LEN=56 TOS=0x00 PREC=0xC0 "
				"TTL=63 ID=4242 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.99 "
				"DST=198.51.100.1 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP "
				"SPT=53 DPT=33434 LEN=8 ] ",
				src);
	case 2:
		return snprintf(
		    b, n,
		    "nf_ct_proto_58: ICMPv6 checksum failed IN=eth0 OUT= MAC=52:54:00:"
		    "aa:bb:cc:52:54:00:11:22:33:86:dd SRC=2001:0db8:0000:0000:0000:0000:"
		    "0000:%04x DST=2001:0db8:0000:0000:0000:0000:0000:0001 LEN=104 TC=0 "
		    "HOPLIMIT=64 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=1 SEQ=1 ",
		    rnd() % 65536);
	case 3:
		return snprintf(b, n,
				"nf_ct_proto_33: nf_ct_dccp: bad checksum  IN=eth0 OUT= MAC=" MAC
				" SRC=%s DST=192.0.2.1 LEN=52 TOS=0x00 PREC=0x00 TTL=64 ID=7 DF "
				"PROTO=DCCP SPT=5000 DPT=5001 ",
				src);
	case 4:
		return snprintf(
		    b, n,
		    "nf_ct_proto_132: do_basic_checks failed. chunk num 1, type 0, len 0 "
		    "flag 1\n IN=eth0 OUT= MAC=" MAC " SRC=%s DST=192.0.2.1 LEN=48 "
		    "TOS=0x02 PREC=0x00 TTL=64 ID=0 DF PROTO=SCTP SPT=5000 DPT=5001 ",
		    src);
	default:
		return snprintf(b, n,
				"%s IN=eth0 OUT= MAC=" MAC " SRC=%s DST=192.0.2.1 LEN=40 TOS=0x00 "
				"PREC=0x00 TTL=49 ID=%u PROTO=TCP SPT=%u DPT=%u SEQ=%u ACK=0 "
				"WINDOW=1024 RES=0x00 %s URGP=0 ",
				tcp_reasons[k % (sizeof(tcp_reasons) / sizeof(tcp_reasons[0]))],
				src, rnd() % 65536, 1024 + rnd() % 60000,
				(unsigned[]){22, 80, 443, 8080, 25}[rnd() % 5], rnd(),
				k & 1 ? "SYN FIN URGP=0 FIN" : "RST");
	}
}

static int class_line(char *b, size_t n, enum cls c, uint32_t k)
{
	char src[32];

	switch (c) {
	case C_INVALID:
		return invalid_line(b, n, k);
	case C_FULL:
		return snprintf(
		    b, n, "%s",
		    (const char *[]){"nf_conntrack: nf_conntrack: table full, dropping "
				     "packet",
				     "nf_conntrack: table full, dropping packet.",
				     "nf_conntrack: table full in netns 4026532288, dropping "
				     "packet"}[k % 3]);
	case C_RATELIMIT:
		return snprintf(b, n, "%s: %u callbacks suppressed",
				k & 1 ? "net_ratelimit" : "__ratelimit", 1 + k % 40);
	case C_LOG:
		ip4(src, sizeof(src), 203);
		return snprintf(
		    b, n,
		    "%s IN=eth0 OUT= MAC=" MAC " SRC=%s DST=192.0.2.1 LEN=60 TOS=0x00 "
		    "PREC=0x00 TTL=52 ID=%u DF PROTO=TCP SPT=%u DPT=%u WINDOW=64240 "
		    "RES=0x00 SYN URGP=0 ",
		    (const char *[]){"[UFW BLOCK]", "DROP-INVALID:", "fw-in-drop: "}[k % 3], src,
		    rnd() % 65536, 1024 + rnd() % 60000, 1 + rnd() % 1024);
	default:
		return snprintf(b, n, "%s", others[k % (sizeof(others) / sizeof(others[0]))]);
	}
}

/* Per 10,000 lines: 1000 invalid, 20 table full, 10 rate limit, 500 LOG. */
static enum cls pick(uint32_t r)
{
	r %= 10000;
	if (r < 1000)
		return C_INVALID;
	if (r < 1020)
		return C_FULL;
	if (r < 1030)
		return C_RATELIMIT;
	if (r < 1530)
		return C_LOG;
	return C_OTHER;
}

static int prefix(FILE *out, unsigned long s, uint32_t us)
{
	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

	return fprintf(out, "%s %2lu %02lu:%02lu:%02lu gw1 kernel: [%6lu.%06u] ",
		       mon[(s / 2592000) % 12], 1 + (s / 86400) % 28, (s / 3600) % 24,
		       (s / 60) % 60, s % 60, 100 + s, us);
}

/* One message; an embedded newline (SCTP reports) makes the syslog daemon
 * write a second line with its own prefix, as in the fixtures. */
static void emit(FILE *out, struct counts *ct, unsigned long i, enum cls c)
{
	char body[1024], *nl;
	unsigned long s = i / 40; /* 40 lines a second */
	uint32_t k = rnd();
	int len = class_line(body, sizeof(body), c, k);

	nl = strchr(body, '\n');
	if (nl != NULL) {
		*nl = '\0';
		ct->bytes += (unsigned long long)prefix(out, s, k % 1000000);
		fputs(body, out);
		fputc('\n', out);
		ct->lines[c]++;
		len -= (int)(nl + 1 - body);
		memmove(body, nl + 1, (size_t)len + 1);
	}
	ct->bytes += (unsigned long long)(prefix(out, s, k % 1000000) + len + 1);
	fputs(body, out);
	fputc('\n', out);
	ct->lines[c]++;
}

int main(int argc, char **argv)
{
	struct counts ct = {0};
	unsigned long long want;
	unsigned long i;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gen_log BYTES [SEED]\n");
		return 1;
	}
	want = strtoull(argv[1], &end, 10);
	if (*end != '\0' || want == 0) {
		fprintf(stderr, "gen_log: BYTES must be a positive number\n");
		return 1;
	}
	rng_state = argc == 3 ? strtoull(argv[2], NULL, 10) | 1 : 1;
	static char obuf[1 << 20];
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	for (i = 0; ct.bytes < want; i++)
		emit(stdout, &ct, i, pick(rnd()));
	i = ct.lines[C_INVALID] + ct.lines[C_FULL] + ct.lines[C_RATELIMIT] + ct.lines[C_LOG] +
	    ct.lines[C_OTHER];
	if (fflush(stdout) != 0) {
		fprintf(stderr, "gen_log: write: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr,
		"lines %lu invalid %lu table_full %lu ratelimit %lu log_target %lu other %lu\n", i,
		ct.lines[C_INVALID], ct.lines[C_FULL], ct.lines[C_RATELIMIT], ct.lines[C_LOG],
		ct.lines[C_OTHER]);
	return 0;
}
