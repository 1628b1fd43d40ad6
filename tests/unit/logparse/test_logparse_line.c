/* logparse_line(): wrappers and timestamps of each log format, LOG-target
 * fields, the non-report kernel lines we read, and hostile input (cut at every
 * byte into exact-size heap buffers, so ASan/valgrind catch any over-read). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "../../../logparse/logparse.h"

#define MSG "nf_ct_proto_6: invalid new IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=40 PROTO=TCP"
#define E0  1795529640LL /* 2026-11-24T14:14:00Z */

struct ts_case {
	const char *line;
	int rc;
	uint32_t flags;
	long long mono_sec;
	unsigned mono_usec;
	long long epoch;
	unsigned wall_usec;
};

static const struct ts_case ts_cases[] = {
    {"[ 1234.567890] " MSG, 0, LOGPARSE_TS_MONO, 1234, 567890, 0, 0},
    {"<4>[    5.000001] " MSG, 0, LOGPARSE_TS_MONO, 5, 1, 0, 0},
    {"[12.123456789] " MSG, 0, LOGPARSE_TS_MONO, 12, 123456, 0, 0},
    {"[Tue Nov 24 14:14:32 2026] " MSG, 0, LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR, 0, 0, E0 + 32, 0},
    {"[Sun Nov  1 14:14:00 2026] " MSG, 0, LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR, 0, 0,
     E0 - 23 * 86400, 0},
    {"Nov 24 14:14:32 host kernel: " MSG, 0, LOGPARSE_TS_WALL, 0, 0, 0, 0},
    {"Nov  4 14:14:32 kernel: " MSG, 0, LOGPARSE_TS_WALL, 0, 0, 0, 0},
    {"<4>Nov 24 14:14:32 kernel: " MSG, 0, LOGPARSE_TS_WALL, 0, 0, 0, 0},
    {"Nov 24 14:14:32.000042 host kernel: " MSG, 0, LOGPARSE_TS_WALL, 0, 0, 0, 42},
    {"Nov 24 14:14:32 host kernel: [ 77.5] " MSG, 0, LOGPARSE_TS_WALL | LOGPARSE_TS_MONO, 77,
     500000, 0, 0},
    {"2026-11-24T14:14:32+0000 host kernel: " MSG, 0,
     LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR | LOGPARSE_TS_UTC, 0, 0, E0 + 32, 0},
    {"2026-11-24T14:14:32.5-02:30 host kernel: " MSG, 0,
     LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR | LOGPARSE_TS_UTC, 0, 0, E0 + 32 + 9000, 500000},
    {"2026-11-24T14:14:32 host kernel: " MSG, 0, LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR, 0, 0, E0 + 32,
     0},
    {"<4>1 2026-11-24T14:14:32.123456Z host kernel - - - " MSG, 0,
     LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR | LOGPARSE_TS_UTC, 0, 0, E0 + 32, 123456},
    {"<4>1 2026-11-24T14:14:32Z host kernel - - [meta sequenceId=\"7\" x=\"a\\]b\"] \xEF\xBB\xBF" MSG,
     0, LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR | LOGPARSE_TS_UTC, 0, 0, E0 + 32, 0},
    {"Tue Nov 24 14:14:32 2026 kern.notice kernel: [  123.400000] " MSG, 0,
     LOGPARSE_TS_WALL | LOGPARSE_TS_YEAR | LOGPARSE_TS_MONO, 123, 400000, E0 + 32, 0},
    {MSG, 0, 0, 0, 0, 0, 0},
    /* not the kernel */
    {"Nov 24 14:14:32 host sshd[1]: " MSG, -ENOENT, 0, 0, 0, 0, 0},
    {"<30>1 2026-11-24T14:14:32Z host sshd 812 - - " MSG, -ENOENT, 0, 0, 0, 0, 0},
    {"Tue Nov 24 14:14:32 2026 daemon.info dnsmasq[1]: " MSG, -ENOENT, 0, 0, 0, 0, 0},
};

static void test_wrappers_and_timestamps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ts_cases) / sizeof(ts_cases[0]); i++) {
		const struct ts_case *c = &ts_cases[i];
		struct logparse_event ev;
		int rc = logparse_line(c->line, strlen(c->line), &ev);

		if (rc != c->rc)
			fail_msg("case %zu: rc %d, want %d", i, rc, c->rc);
		if (rc)
			continue;
		if (ev.kind != LOGPARSE_KIND_CT_INVALID || strcmp(ev.reason->id, "tcp-invalid-new"))
			fail_msg("case %zu: not classified", i);
		if (ev.ts.flags != c->flags ||
		    ((c->flags & LOGPARSE_TS_MONO) &&
		     (ev.ts.mono_sec != c->mono_sec || ev.ts.mono_usec != c->mono_usec)) ||
		    ((c->flags & LOGPARSE_TS_YEAR) && ev.ts.epoch_sec != c->epoch) ||
		    ((c->flags & LOGPARSE_TS_WALL) && ev.ts.wall_usec != c->wall_usec))
			fail_msg("case %zu: flags %#x mono %lld.%u epoch %lld usec %u", i,
				 ev.ts.flags, (long long)ev.ts.mono_sec, ev.ts.mono_usec,
				 (long long)ev.ts.epoch_sec, ev.ts.wall_usec);
		if ((c->flags & LOGPARSE_TS_WALL) && (ev.ts.mon != 11 || ev.ts.hour != 14))
			fail_msg("case %zu: wall clock %u %u", i, ev.ts.mon, ev.ts.hour);
	}
}

struct kind_case {
	const char *body;
	int rc;
	enum logparse_kind kind;
	uint64_t num; /* netns, count or buckets */
};

static const struct kind_case kind_cases[] = {
    {"nf_conntrack: table full, dropping packet", 0, LOGPARSE_KIND_TABLE_FULL, 0},
    {"nf_conntrack: nf_conntrack: table full, dropping packet", 0, LOGPARSE_KIND_TABLE_FULL, 0},
    {"nf_conntrack: table full, dropping packet.", 0, LOGPARSE_KIND_TABLE_FULL, 0},
    {"nf_conntrack: nf_conntrack: table full, dropping packet.", 0, LOGPARSE_KIND_TABLE_FULL, 0},
    {"ip_conntrack: table full, dropping packet.", 0, LOGPARSE_KIND_TABLE_FULL, 0},
    {"nf_conntrack: table full in netns 4026532288, dropping packet", 0, LOGPARSE_KIND_TABLE_FULL,
     4026532288u},
    {"nf_conntrack: table full in netns x, dropping packet", -EINVAL, 0, 0},
    {"nf_conntrack: table full, dropping packets now", -EINVAL, 0, 0},
    {"nf_conntrack: expectation table full", 0, LOGPARSE_KIND_EXPECT_FULL, 0},
    {"nf_conntrack: falling back to vmalloc.", 0, LOGPARSE_KIND_VMALLOC, 0},
    {"nf_conntrack version 0.5.0 (16384 buckets, 65536 max)", 0, LOGPARSE_KIND_BOOT, 16384},
    {"nf_conntrack version 0.5.0 (lots of buckets)", -EINVAL, 0, 0},
    /* other conntrack messages of the kernel are notices, never unrelated */
    {"nf_conntrack: default automatic helper assignment has been turned off", 0,
     LOGPARSE_KIND_NOTICE, 0},
    {"net_ratelimit: 42 callbacks suppressed", 0, LOGPARSE_KIND_RATELIMIT, 42},
    {"__ratelimit: 3 callbacks suppressed", 0, LOGPARSE_KIND_RATELIMIT, 3},
    {"net_ratelimit: many callbacks suppressed", -EINVAL, 0, 0},
    {" IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 PROTO=132", 0, LOGPARSE_KIND_CONTINUATION, 0},
    {"nf_ct_irc: failed to register helpers", 0, LOGPARSE_KIND_NOTICE, 0},
    {"helper ftp registered", -ENOENT, 0, 0},
    {"Linux version 6.18.44 (gcc) #1 SMP", -ENOENT, 0, 0},
    {"", -ENOENT, 0, 0},
};

static uint64_t kind_num(const struct logparse_event *ev)
{
	switch (ev->kind) {
	case LOGPARSE_KIND_TABLE_FULL:
		return ev->has_netns ? ev->netns : 0;
	case LOGPARSE_KIND_RATELIMIT:
		return ev->count;
	case LOGPARSE_KIND_BOOT:
		return ev->buckets;
	default:
		return 0;
	}
}

static void test_kernel_lines(void **state)
{
	char line[256];

	(void)state;
	for (size_t i = 0; i < sizeof(kind_cases) / sizeof(kind_cases[0]); i++) {
		const struct kind_case *c = &kind_cases[i];
		struct logparse_event ev;
		int n = snprintf(line, sizeof(line), "[  9.000000] %s\r\n", c->body);
		int rc = logparse_line(line, (size_t)n, &ev);

		if (rc != c->rc || (rc == 0 && (ev.kind != c->kind || kind_num(&ev) != c->num)))
			fail_msg("case %zu '%s': rc %d kind %d num %llu", i, c->body, rc,
				 rc ? 0 : ev.kind, rc ? 0ULL : (unsigned long long)kind_num(&ev));
	}
}

static void test_log_fields_ipv4(void **state)
{
	static const char l[] =
	    "[ 1.0] DROP \"bad\" IN=br0 OUT=eth1 PHYSIN=veth1 MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 "
	    "SRC=192.0.2.10 DST=198.51.100.20 LEN=1500 TOS=0x10 PREC=0x00 TTL=63 ID=999 DF "
	    "PROTO=TCP SPT=12345 DPT=8443 SEQ=4294967295 ACK=17 WINDOW=65535 RES=0x03 "
	    "CWR ECE URG ACK PSH RST SYN FIN URGP=1 OPT (020405B40402080A) UID=0 GID=0 MARK=0x1";
	struct logparse_event ev;
	uint8_t a[4];

	(void)state;
	assert_int_equal(logparse_line(l, sizeof(l) - 1, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_LOG_RULE);
	assert_string_equal(ev.text, "DROP \"bad\"");
	assert_string_equal(ev.pkt.in, "br0");
	assert_string_equal(ev.pkt.out, "eth1");
	assert_int_equal(ev.pkt.family, AF_INET);
	inet_pton(AF_INET, "198.51.100.20", a);
	assert_memory_equal(ev.pkt.dst, a, 4);
	assert_int_equal(ev.pkt.len, 1500);
	assert_int_equal(ev.pkt.tos, 0x10);
	assert_int_equal(ev.pkt.ttl, 63);
	assert_int_equal(ev.pkt.ip_id, 999);
	assert_true(ev.pkt.is_df);
	assert_int_equal(ev.pkt.proto, 6);
	assert_int_equal(ev.pkt.sport, 12345);
	assert_int_equal(ev.pkt.dport, 8443);
	assert_int_equal(ev.pkt.seq, 4294967295u);
	assert_int_equal(ev.pkt.ack, 17);
	assert_int_equal(ev.pkt.window, 65535);
	assert_int_equal(ev.pkt.tcp_res, 3);
	assert_int_equal(ev.pkt.tcp_flags, 0xff);
	assert_int_equal(ev.pkt.has, LOGPARSE_PKT_ADDRS | LOGPARSE_PKT_PROTO | LOGPARSE_PKT_PORTS |
					 LOGPARSE_PKT_TCP | LOGPARSE_PKT_IP);
}

/* --log-prefix "DROP:" (no trailing blank): the kernel glues IN= to it. */
static void test_log_prefix_glued(void **state)
{
	static const char glued[] =
	    "[ 1.0] DROP:IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 "
	    "SRC=192.0.2.10 DST=198.51.100.20 LEN=40 TOS=0x00 PREC=0x00 TTL=63 ID=1 "
	    "PROTO=TCP SPT=1 DPT=22 WINDOW=0 RES=0x00 SYN URGP=0";
	static const char glued_out[] = "Nov 24 14:14:30 router kernel: FW-OUT:IN= OUT=eth1 "
					"SRC=192.0.2.1 DST=192.0.2.2 LEN=40 PROTO=UDP SPT=1 DPT=53";
	static const char *const not_ours[] = {
	    /* the end of PHYSIN= is no IN= token, glued or not */
	    "[ 1.0] xPHYSIN=veth1 OUT=eth1 SRC=192.0.2.10 DST=198.51.100.20 LEN=40",
	    "[ 1.0] DROP:PHYSIN=veth1 OUT= SRC=192.0.2.10 DST=198.51.100.20 LEN=40",
	    /* glued: the value must be an interface name (at most 15 bytes) */
	    "[ 1.0] DROP:IN=sixteen-bytes-ab OUT= SRC=192.0.2.10 DST=198.51.100.20",
	    "[ 1.0] DROP:IN=eth0 PHYSOUT= SRC=192.0.2.10 DST=198.51.100.20 LEN=40",
	};
	static const char blank_long[] =
	    "[ 1.0] DROP: IN=sixteen-bytes-ab OUT= SRC=192.0.2.10 DST=198.51.100.20 LEN=40";
	const size_t big = 1u << 20;
	char *buf = malloc(big);
	struct logparse_event ev;

	(void)state;
	assert_int_equal(logparse_line(glued, sizeof(glued) - 1, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_LOG_RULE);
	assert_string_equal(ev.text, "DROP:");
	assert_string_equal(ev.pkt.in, "eth0");
	assert_string_equal(ev.pkt.out, "");
	assert_int_equal(ev.pkt.dport, 22);
	assert_int_equal(ev.pkt.tcp_flags, LOGPARSE_TCP_SYN);
	assert_int_equal(logparse_line(glued_out, sizeof(glued_out) - 1, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_LOG_RULE);
	assert_string_equal(ev.text, "FW-OUT:");
	assert_string_equal(ev.pkt.out, "eth1");
	assert_int_equal(ev.pkt.proto, 17);
	for (size_t i = 0; i < sizeof(not_ours) / sizeof(not_ours[0]); i++) {
		if (logparse_line(not_ours[i], strlen(not_ours[i]), &ev) != -ENOENT)
			fail_msg("case %zu '%s' is not a LOG line", i, not_ours[i]);
	}
	assert_int_equal(logparse_line(blank_long, sizeof(blank_long) - 1, &ev), 0);
	assert_string_equal(ev.text, "DROP:");
	/* glued tokens without a blank: one pass, not one per token */
	assert_non_null(buf);
	for (size_t i = 0; i + 3 <= big; i += 3)
		memcpy(buf + i, "IN=", 3);
	assert_int_equal(logparse_line(buf, big - big % 3, &ev), -ENOENT);
	free(buf);
}

static void test_log_fields_ipv6_icmp(void **state)
{
	static const char v6[] =
	    "nf_ct_proto_58: ICMPv6 checksum failed IN=eth0 OUT= "
	    "SRC=2001:0db8:0000:0000:0000:0000:0000:0005 DST=2001:0db8:0000:0000:0000:0000:0000:0001 "
	    "LEN=104 TC=184 HOPLIMIT=255 FLOWLBL=1048575 PROTO=ICMPv6 TYPE=1 CODE=4 "
	    "[SRC=2001:0db8:0000:0000:0000:0000:0000:0001 DST=2001:0db8:0000:0000:0000:0000:0000:0009 "
	    "LEN=56 TC=0 HOPLIMIT=63 FLOWLBL=0 PROTO=UDP SPT=33434 DPT=33435 LEN=16 ] ";
	static const char v4[] =
	    "nf_ct_proto_1: invalid icmp type IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=28 TOS=0x00 "
	    "PREC=0x00 TTL=64 ID=5 PROTO=ICMP TYPE=3 CODE=1 [SRC=10.0.0.2 DST=10.9.9.9 LEN=40 "
	    "TOS=0x00 PREC=0x00 TTL=1 ID=77 PROTO=TCP SPT=1 DPT=2 SEQ=0 ACK=0 WINDOW=0 RES=0x00 SYN "
	    "URGP=0 [nested] ] MTU=1400";
	struct logparse_event ev;
	uint8_t a[16];

	(void)state;
	assert_int_equal(logparse_line(v6, sizeof(v6) - 1, &ev), 0);
	assert_int_equal(ev.pkt.family, AF_INET6);
	inet_pton(AF_INET6, "2001:db8::5", a);
	assert_memory_equal(ev.pkt.src, a, 16);
	assert_int_equal(ev.pkt.tos, 184);
	assert_int_equal(ev.pkt.ttl, 255);
	assert_int_equal(ev.pkt.flowlbl, 1048575);
	assert_int_equal(ev.pkt.proto, 58);
	assert_int_equal(ev.pkt.icmp_type, 1);
	assert_int_equal(ev.pkt.icmp_code, 4);
	assert_false(ev.pkt.has & LOGPARSE_PKT_PORTS); /* the quoted UDP header is not ours */
	assert_int_equal(logparse_line(v4, sizeof(v4) - 1, &ev), 0);
	assert_int_equal(ev.pkt.ip_id, 5);
	assert_int_equal(ev.pkt.ttl, 64);
	assert_int_equal(ev.pkt.icmp_type, 3);
	assert_false(ev.pkt.has & (LOGPARSE_PKT_PORTS | LOGPARSE_PKT_TCP));
	inet_pton(AF_INET, "10.0.0.2", a);
	assert_memory_equal(ev.pkt.dst, a, 4);
}

static void test_log_fields_malformed(void **state)
{
	static const char *const bad[] = {
	    "X: IN=eth0 OUT= SRC=10.0.0.999 DST=10.0.0.2 LEN=20",
	    "X: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 PROTO=TCP SPT=70000 DPT=1",
	    "X: IN=eth0 OUT= SRC=10.0.0.1 DST= LEN=20",
	    "X: IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=-1",
	    "nf_ct_proto_6: invalid new IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 PROTO=TCP WINDOW=x",
	    "X: IN=eth0 OUT= SRC=1.1.1.1 DST=1.1.1.1 PROTO=NOSUCH",
	};
	struct logparse_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (logparse_line(bad[i], strlen(bad[i]), &ev) != -EINVAL)
			fail_msg("case %zu '%s' not -EINVAL", i, bad[i]);
	}
}

static void test_tcp_flags_str(void **state)
{
	char buf[32], small[8];

	(void)state;
	assert_string_equal(logparse_tcp_flags_str(0xff, buf, sizeof(buf)),
			    "CWR ECE URG ACK PSH RST SYN FIN");
	assert_string_equal(logparse_tcp_flags_str(0, buf, sizeof(buf)), "none");
	assert_string_equal(logparse_tcp_flags_str(0x29, buf, sizeof(buf)), "URG PSH FIN");
	assert_string_equal(logparse_tcp_flags_str(0x12, buf, sizeof(buf)), "ACK SYN");
	assert_string_equal(logparse_tcp_flags_str(0xff, small, sizeof(small)), "CWR ECE");
}

/* Every prefix of each sample, in an exact-size heap buffer. */
static void test_cut_at_every_byte(void **state)
{
	static const char *const samples[] = {
	    "<4>1 2026-11-24T14:14:32.123456+01:00 host kernel - - [a b=\"c\"] " MSG " SPT=1 DPT=2",
	    "Tue Nov 24 14:14:32 2026 kern.warn kernel: [  123.4] nf_conntrack: table full in "
	    "netns 12, dropping packet.",
	    "[Tue Nov 24 14:14:32 2026] nf_ct_proto_132: do_basic_checks failed. chunk num 1, type "
	    "0, len 0 flag 1\\x0a  IN=eth0 OUT=",
	    "Nov 24 14:14:32.1 host kernel: nf_ct_proto_1: outer daddr 1.2.3.4 != inner 1.2.3.5 "
	    "IN=a OUT=b SRC=::1 DST=::2 PROTO=ICMP TYPE=3 [SRC=1.1.1.1 [x] ] OPT (01",
	    "2026-11-24T14:14:32+0100 h kernel: [ 1.2] nf_conntrack version 0.5.0 (1 buckets, 2 max)",
	    "[ 12.5] net_ratelimit: 17 callbacks suppressed",
	};

	(void)state;
	for (size_t s = 0; s < sizeof(samples) / sizeof(samples[0]); s++) {
		size_t len = strlen(samples[s]);

		for (size_t cut = 0; cut <= len; cut++) {
			char *buf = malloc(cut ? cut : 1);
			struct logparse_event ev;
			int rc;

			assert_non_null(buf);
			memcpy(buf, samples[s], cut);
			rc = logparse_line(buf, cut, &ev);
			if (rc != 0 && rc != -ENOENT && rc != -EINVAL)
				fail_msg("sample %zu cut %zu: rc %d", s, cut, rc);
			if (cut == len && rc != 0)
				fail_msg("sample %zu whole: rc %d", s, rc);
			free(buf);
		}
	}
}

static void test_hostile_lines(void **state)
{
	const size_t big = 1u << 20;
	char *buf = malloc(big);
	struct logparse_event ev;
	static const char nul[] =
	    "[ 1.0] nf_ct_proto_6: invalid new\0 IN=eth0 OUT= SRC=1.2.3.4 DST=1.2.3.5";
	static const char esc[] =
	    "[ 1.0] \x1b[31m\xff\xfe\xc3(\x01 IN=eth0 OUT= SRC=1.2.3.4 DST=1.2.3.5 LEN=20";
	static const char prefix[] = "[ 1.0] nf_ct_proto_6: ";

	(void)state;
	assert_non_null(buf);
	memset(buf, 'A', big);
	assert_int_equal(logparse_line(buf, big, &ev), -ENOENT);
	memset(buf, '[', big);
	assert_int_equal(logparse_line(buf, big, &ev), -ENOENT);
	memset(buf, ' ', big);
	assert_int_equal(logparse_line(buf, big, &ev), -ENOENT);
	memset(buf, '9', big); /* number overflow in a dmesg stamp */
	buf[0] = '[';
	assert_int_equal(logparse_line(buf, big, &ev), -ENOENT);
	memset(buf, 'x', big); /* a huge unknown message: kept, truncated */
	memcpy(buf, prefix, sizeof(prefix) - 1);
	assert_int_equal(logparse_line(buf, big, &ev), 0);
	assert_string_equal(ev.reason->id, "unknown");
	assert_int_equal(strlen(ev.text), LOGPARSE_TEXT_MAX - 1);
	for (size_t i = 0; i + 4 < big; i += 4) /* many IN= tokens, none followed by OUT= */
		memcpy(buf + i, "IN= ", 4);
	assert_int_equal(logparse_line(buf, big - big % 4, &ev), -ENOENT);
	memset(buf, 0, big);
	assert_int_equal(logparse_line(buf, big, &ev), -ENOENT);
	free(buf);
	/* a NUL ends nothing: the message before IN= holds a NUL, so it is unknown */
	assert_int_equal(logparse_line(nul, sizeof(nul) - 1, &ev), 0);
	assert_string_equal(ev.reason->id, "unknown");
	assert_int_equal(logparse_line(esc, sizeof(esc) - 1, &ev), 0);
	assert_int_equal(ev.kind, LOGPARSE_KIND_LOG_RULE);
	assert_memory_equal(ev.text, "\x1b[31m\xff\xfe\xc3(\x01", 11);
	assert_int_equal(logparse_line(NULL, 0, &ev), -ENOENT);
	assert_int_equal(logparse_line(NULL, 5, &ev), -EINVAL);
	assert_int_equal(logparse_line("x", 1, NULL), -EINVAL);
}

/* A prefix cut to LOGPARSE_TEXT_MAX - 1 bytes keeps whole UTF-8 characters:
 * a valid "\xc3\xa9" is never left as a lone "\xc3"; invalid bytes are cut
 * where they fall. */
static void test_prefix_cut_utf8(void **state)
{
	static const char fields[] = ": IN=eth0 OUT= SRC=1.2.3.4 DST=1.2.3.5 LEN=20";
	char line[512], want[LOGPARSE_TEXT_MAX];
	struct logparse_event ev;
	static const struct {
		size_t pad;
		const char *tail;
		size_t kept; /* bytes of the prefix kept */
	} cases[] = {
	    {126, "\xc3\xa9", 126},     /* the cut would split the 2-byte character */
	    {125, "\xc3\xa9", 127},     /* it fits exactly */
	    {125, "\xe2\x82\xac", 125}, /* 3-byte character, cut after its 2nd byte */
	    {124, "\xf0\x9f\x98\x80", 124},
	    {126, "\x80\x80", 127}, /* continuation bytes without a lead: cut as is */
	    {126, "\xff\xfe", 127},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(
		    line, sizeof(line), "[ 1.0] %.*s%s%s", (int)cases[i].pad,
		    "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP"
		    "PPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPPP",
		    cases[i].tail, fields);

		memcpy(want, line + 7, cases[i].kept);
		want[cases[i].kept] = '\0';
		assert_int_equal(logparse_line(line, (size_t)n, &ev), 0);
		assert_int_equal(ev.kind, LOGPARSE_KIND_LOG_RULE);
		assert_int_equal(strlen(ev.text), cases[i].kept);
		assert_string_equal(ev.text, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_wrappers_and_timestamps),
	    cmocka_unit_test(test_kernel_lines),
	    cmocka_unit_test(test_log_fields_ipv4),
	    cmocka_unit_test(test_log_prefix_glued),
	    cmocka_unit_test(test_log_fields_ipv6_icmp),
	    cmocka_unit_test(test_log_fields_malformed),
	    cmocka_unit_test(test_tcp_flags_str),
	    cmocka_unit_test(test_cut_at_every_byte),
	    cmocka_unit_test(test_hostile_lines),
	    cmocka_unit_test(test_prefix_cut_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
