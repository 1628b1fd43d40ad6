/* Aggregator: each fixture under tests/fixtures/logparse (one per log format,
 * same kernel messages) gives exactly the aggregate in its .expected file;
 * plus the sketch's error bounds and the bounded tables. Run from the repo root. */
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

#define FIXDIR "tests/fixtures/logparse/"

static const char *const fixtures[] = {
    "dmesg",
    "dmesg-T",
    "journal-short",
    "journal-short-iso",
    "journal-short-precise",
    "syslog-rfc3164",
    "syslog-rfc3164-nohost",
    "syslog-rfc5424",
    "syslog-iso",
    "openwrt-logread",
};

static const char *const kind_names[] = {
    "",     "ct_invalid", "table_full",   "expect_full", "log_rule", "ratelimit",
    "boot", "vmalloc",    "continuation", "owner",       "notice",
};

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void put(char **p, size_t *left, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*p, *left, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < *left);
	*p += n;
	*left -= (size_t)n;
}

static void put_ts(char **p, size_t *left, const char *key, const struct logparse_time *t)
{
	put(p, left, "%s", key);
	if (t->flags & LOGPARSE_TS_MONO)
		put(p, left, " mono=%lld.%06u", (long long)t->mono_sec, t->mono_usec);
	if (t->flags & LOGPARSE_TS_WALL)
		put(p, left, " wall=%02u-%02u %02u:%02u:%02u.%06u", t->mon, t->mday, t->hour,
		    t->min, t->sec, t->wall_usec);
	if (t->flags & LOGPARSE_TS_YEAR)
		put(p, left, " epoch=%lld", (long long)t->epoch_sec);
	if (t->flags & LOGPARSE_TS_UTC)
		put(p, left, " utc");
	put(p, left, "\n");
}

static void dump_tops(char **p, size_t *left, const struct logparse_agg_result *r)
{
	char addr[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < r->n_top_src; i++) {
		const struct logparse_top *t = &r->top_src[i];

		inet_ntop(t->family, t->addr, addr, sizeof(addr));
		put(p, left, "src %s %llu error %llu\n", addr, (unsigned long long)t->count,
		    (unsigned long long)t->error);
	}
	for (size_t i = 0; i < r->n_top_dport; i++) {
		const struct logparse_top *t = &r->top_dport[i];

		put(p, left, "dport %u/%u %llu error %llu\n", t->proto, t->port,
		    (unsigned long long)t->count, (unsigned long long)t->error);
	}
}

static void dump_counts(char **p, size_t *left, const struct logparse_agg_result *r)
{
	char flags[32];

	for (size_t i = 0; i < r->n_reasons; i++)
		put(p, left, "reason %s %s %llu\n", r->reasons[i].reason->id,
		    r->reasons[i].verdict == LOGPARSE_VERDICT_ACCEPTED ? "accepted"
								       : "marked_invalid",
		    (unsigned long long)r->reasons[i].count);
	for (unsigned i = 0; i < 256; i++) {
		if (r->by_proto[i])
			put(p, left, "proto %u %llu\n", i, (unsigned long long)r->by_proto[i]);
	}
	for (unsigned i = 0; i < 256; i++) {
		if (r->by_tcp_flags[i])
			put(p, left, "flags %s %llu\n",
			    logparse_tcp_flags_str((uint8_t)i, flags, sizeof(flags)),
			    (unsigned long long)r->by_tcp_flags[i]);
	}
	put(p, left, "dir 0 %llu\ndir 1 %llu\ndir unknown %llu\n", (unsigned long long)r->by_dir[0],
	    (unsigned long long)r->by_dir[1], (unsigned long long)r->by_dir[2]);
	for (size_t i = 0; i < r->n_ifaces; i++)
		put(p, left, "iface %s in %llu out %llu\n", r->ifaces[i].name,
		    (unsigned long long)r->ifaces[i].count,
		    (unsigned long long)r->ifaces[i].count_out);
	for (size_t i = 0; i < r->n_log_prefixes; i++)
		put(p, left, "prefix %s %llu\n", r->log_prefixes[i].name,
		    (unsigned long long)r->log_prefixes[i].count);
}

static void dump(struct logparse_agg *agg, char *out, size_t size)
{
	struct logparse_agg_result r;
	char *p = out;
	size_t left = size;

	logparse_agg_result(agg, &r);
	put(&p, &left, "lines %llu\nunrelated %llu\nnot_understood %llu\nevents %llu\n",
	    (unsigned long long)r.lines, (unsigned long long)r.unrelated,
	    (unsigned long long)r.not_understood, (unsigned long long)r.events);
	put(&p, &left, "truncated %llu\n", (unsigned long long)r.truncated);
	for (int k = LOGPARSE_KIND_CT_INVALID; k <= LOGPARSE_KIND_MAX; k++)
		put(&p, &left, "kind %s %llu\n", kind_names[k], (unsigned long long)r.by_kind[k]);
	put(&p, &left, "marked_invalid %llu\naccepted %llu\n", (unsigned long long)r.marked_invalid,
	    (unsigned long long)r.accepted);
	dump_counts(&p, &left, &r);
	dump_tops(&p, &left, &r);
	put(&p, &left, "suppressed %llu lower_bound %s\n", (unsigned long long)r.suppressed,
	    r.counts_lower_bound ? "yes" : "no");
	put(&p, &left, "boot buckets %llu max %llu\n", (unsigned long long)r.boot_buckets,
	    (unsigned long long)r.boot_max);
	put(&p, &left, "table_full %llu\n", (unsigned long long)r.table_full);
	put_ts(&p, &left, "table_full_first", &r.table_full_first);
	put_ts(&p, &left, "table_full_last", &r.table_full_last);
	put_ts(&p, &left, "first", &r.first_seen);
	put_ts(&p, &left, "last", &r.last_seen);
}

static void feed(struct logparse_agg *agg, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		(void)logparse_agg_add_line(agg, p, n);
		p += n + (nl != NULL);
	}
}

static void test_fixtures(void **state)
{
	static char got[16384];
	char path[256];

	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		struct logparse_agg *agg = logparse_agg_new(10);
		size_t llen, elen;
		char *log, *exp;

		assert_non_null(agg);
		snprintf(path, sizeof(path), FIXDIR "%s.log", fixtures[i]);
		log = read_file(path, &llen);
		snprintf(path, sizeof(path), FIXDIR "%s.expected", fixtures[i]);
		exp = read_file(path, &elen);
		feed(agg, log, llen);
		dump(agg, got, sizeof(got));
		if (strcmp(got, exp) != 0)
			fail_msg("fixture %zu %s: aggregate differs.\n--- got\n%s--- expected\n%s",
				 i, fixtures[i], got, exp);
		free(log);
		free(exp);
		logparse_agg_free(agg);
	}
}

/* More distinct sources than slots: each reported count is an upper bound
 * within its error, and the heavy hitter is found exactly. */
static void test_sketch_bounds(void **state)
{
	struct logparse_agg *agg = logparse_agg_new(2); /* 8 slots */
	struct logparse_agg_result r;
	char line[256];
	uint64_t total = 0;

	(void)state;
	assert_non_null(agg);
	for (int i = 0; i < 300; i++) {
		int src = (i % 3 == 0) ? 1 : 10 + i % 50; /* 10.0.0.1 is 1/3 of traffic */
		int n = snprintf(line, sizeof(line),
				 "nf_ct_proto_17: bad checksum IN=eth0 OUT= SRC=10.0.0.%d "
				 "DST=10.0.1.1 LEN=30 PROTO=UDP SPT=1 DPT=%d LEN=10",
				 src, 1000 + i % 20);

		assert_int_equal(logparse_agg_add_line(agg, line, (size_t)n), 0);
		total++;
	}
	logparse_agg_result(agg, &r);
	assert_int_equal(r.n_top_src, 2);
	assert_int_equal(r.top_src[0].addr[3], 1);
	assert_true(r.top_src[0].count - r.top_src[0].error <= 100);
	assert_true(r.top_src[0].count >= 100);
	for (size_t i = 0; i < r.n_top_src; i++)
		assert_true(r.top_src[i].error <= total / 8);
	assert_int_equal(r.n_top_dport, 2);
	assert_true(r.top_dport[0].error <= total / 8);
	assert_int_equal(r.reasons[0].count, 300);
	logparse_agg_free(agg);
}

static void test_tables_overflow_and_rc(void **state)
{
	struct logparse_agg *agg = logparse_agg_new(0);
	struct logparse_agg_result r;
	char line[256];

	(void)state;
	assert_non_null(agg);
	for (int i = 0; i < 40; i++) {
		int n = snprintf(line, sizeof(line),
				 "RULE%d: IN=veth%d OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 PROTO=47",
				 i, i);

		assert_int_equal(logparse_agg_add_line(agg, line, (size_t)n), 0);
		n = snprintf(
		    line, sizeof(line),
		    "nf_ct_proto_6: invalid new IN=veth%d OUT= SRC=10.0.0.1 DST=10.0.0.2 "
		    "LEN=20 PROTO=TCP SPT=1 DPT=2 SEQ=0 ACK=0 WINDOW=0 RES=0x00 RST URGP=0",
		    i);
		assert_int_equal(logparse_agg_add_line(agg, line, (size_t)n), 0);
	}
	logparse_agg_add_rc(agg, -ENOENT);
	logparse_agg_add_rc(agg, -EINVAL);
	logparse_agg_result(agg, &r);
	assert_int_equal(r.n_log_prefixes, 32);
	assert_int_equal(r.log_prefixes_other, 8);
	assert_int_equal(r.n_ifaces, 32);
	assert_int_equal(r.ifaces_other, 8);
	assert_int_equal(r.n_top_src, 1);
	assert_int_equal(r.top_src[0].count, 40);
	assert_int_equal(r.by_tcp_flags[LOGPARSE_TCP_RST], 40);
	assert_int_equal(r.unrelated, 1);
	assert_int_equal(r.not_understood, 1);
	assert_int_equal(r.lines, 80);
	assert_false(r.counts_lower_bound);
	logparse_agg_free(agg);
	logparse_agg_free(NULL);
}

static void test_table_full_by_netns(void **state)
{
	struct logparse_agg *agg = logparse_agg_new(0);
	struct logparse_agg_result r;
	char line[128];
	int n;

	(void)state;
	assert_non_null(agg);
	/* 3 in the initial netns, 5 in netns 1000, 1 each in 1001..1020. */
	for (int i = 0; i < 3; i++) {
		n = snprintf(line, sizeof(line), "nf_conntrack: table full, dropping packet");
		assert_int_equal(logparse_agg_add_line(agg, line, (size_t)n), 0);
	}
	for (int i = 0; i < 5; i++) {
		n = snprintf(line, sizeof(line),
			     "nf_conntrack: table full in netns 1000, dropping packet");
		assert_int_equal(logparse_agg_add_line(agg, line, (size_t)n), 0);
	}
	for (int i = 1; i <= 20; i++) {
		n = snprintf(line, sizeof(line),
			     "nf_conntrack: table full in netns %d, dropping packet", 1000 + i);
		assert_int_equal(logparse_agg_add_line(agg, line, (size_t)n), 0);
	}
	logparse_agg_result(agg, &r);
	assert_int_equal(r.table_full, 28);
	assert_int_equal(r.n_table_full_netns, LOGPARSE_NETNS_MAX);
	assert_true(r.table_full_netns[0].has_netns);
	assert_int_equal(r.table_full_netns[0].netns, 1000);
	assert_int_equal(r.table_full_netns[0].count, 5);
	assert_false(r.table_full_netns[1].has_netns);
	assert_int_equal(r.table_full_netns[1].count, 3);
	assert_int_equal(r.table_full_netns[2].netns, 1001);
	/* 2 rows taken by 1000 and the initial: 14 of the 20 listed, 6 beyond. */
	assert_int_equal(r.table_full_netns_other, 6);
	logparse_agg_free(agg);
}

/* ---- the same packets as NFLOG messages and as log lines ---- */

/* IPv4 20 + SCTP 12 + a DATA chunk header with length 0 + 12 bytes:
 * 203.0.113.77:5000 -> 192.0.2.1:5001, TOS 0x02, DF, TTL 64, LEN 48. */
static const uint8_t v4_sctp[48] = {
    0x45, 0x02, 0x00, 0x30, 0x00, 0x00, 0x40, 0x00, 0x40, 132,  0x00, 0x00,
    203,  0,    113,  77,   192,  0,    2,    1,    0x13, 0x88, 0x13, 0x89,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
};

/* IPv4 20 + TCP 20: 198.51.100.23:51517 -> 192.0.2.1:443, SYN FIN, TTL 49. */
static const uint8_t v4_tcp[40] = {
    0x45, 0x00, 0x00, 0x28, 0xd4, 0x31, 0x00, 0x00, 49,   6,    0x00, 0x00, 198,  51,
    100,  23,   192,  0,    2,    1,    0xc9, 0x3d, 0x01, 0xbb, 0xbb, 0x40, 0xe1, 0x4d,
    0x00, 0x00, 0x00, 0x00, 0x50, 0x03, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* IPv6 40 + UDP 8: [2001:db8::5]:5353 -> [2001:db8::1]:53, hop limit 64. */
static const uint8_t v6_udp[48] = {
    0x60, 0x00, 0x00, 0x00, 0x00, 0x08, 17, 64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
    0,    0,    0,    0,    0,    0,    0,  5,  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
    0,    0,    0,    0,    0,    0,    0,  1,  0x14, 0xe9, 0x00, 0x35, 0, 8, 0, 0,
};

static const struct {
	const char *prefix; /* NFULA_PREFIX, as the kernel formats it */
	const uint8_t *pkt;
	size_t len;
	uint8_t family;
	const char *in;
} nflog_pkts[] = {
    {"nf_ct_proto_132: do_basic_checks failed. chunk num 1, type 0, len 0 flag 1\n ", v4_sctp,
     sizeof(v4_sctp), AF_INET, "eth0"},
    {"nf_ct_proto_6: invalid tcp flag combination ", v4_tcp, sizeof(v4_tcp), AF_INET, "eth0"},
    {"nf_ct_proto_17: bad checksum ", v6_udp, sizeof(v6_udp), AF_INET6, "veth1"},
};

/* The same three packets as nf_log_syslog prints them (dmesg): the SCTP
 * message's newline splits its report into a line and a continuation. */
static const char *const syslog_lines[] = {
    "[  126.000123] nf_ct_proto_132: do_basic_checks failed. chunk num 1, type 0, len 0 flag 1",
    "[  126.000123]  IN=eth0 OUT= MAC=52:54:00:aa:bb:cc:52:54:00:11:22:33:08:00 SRC=203.0.113.77 "
    "DST=192.0.2.1 LEN=48 TOS=0x02 PREC=0x00 TTL=64 ID=0 DF PROTO=SCTP SPT=5000 DPT=5001 ",
    "[  127.000001] nf_ct_proto_6: invalid tcp flag combination IN=eth0 OUT= "
    "MAC=52:54:00:aa:bb:cc:52:54:00:11:22:33:08:00 SRC=198.51.100.23 DST=192.0.2.1 LEN=40 "
    "TOS=0x00 PREC=0x00 TTL=49 ID=54321 PROTO=TCP SPT=51517 DPT=443 SEQ=3141592653 ACK=0 "
    "WINDOW=1024 RES=0x00 SYN FIN URGP=0 ",
    "[  128.000001] nf_ct_proto_17: bad checksum IN=veth1 OUT= "
    "MAC=52:54:00:aa:bb:cc:52:54:00:11:22:33:86:dd SRC=2001:0db8:0000:0000:0000:0000:0000:0005 "
    "DST=2001:0db8:0000:0000:0000:0000:0000:0001 LEN=48 TC=0 HOPLIMIT=64 FLOWLBL=0 PROTO=UDP "
    "SPT=5353 DPT=53 LEN=8 ",
};

/* The per-packet figures of both aggregates, printed the same way. */
static void dump_packets(struct logparse_agg *agg, char *out, size_t size)
{
	struct logparse_agg_result r;
	char *p = out;
	size_t left = size;

	logparse_agg_result(agg, &r);
	put(&p, &left, "marked_invalid %llu\naccepted %llu\ntruncated %llu\nbad_header %llu\n",
	    (unsigned long long)r.marked_invalid, (unsigned long long)r.accepted,
	    (unsigned long long)r.truncated, (unsigned long long)r.bad_header);
	dump_counts(&p, &left, &r);
	dump_tops(&p, &left, &r);
}

static void test_nflog_and_syslog_agree(void **state)
{
	struct logparse_agg *live = logparse_agg_new(10), *offline = logparse_agg_new(10);
	struct logparse_agg_result r;
	static char a[4096], b[4096];

	(void)state;
	assert_non_null(live);
	assert_non_null(offline);
	for (size_t i = 0; i < sizeof(nflog_pkts) / sizeof(nflog_pkts[0]); i++) {
		struct logparse_event ev;

		assert_int_equal(logparse_nflog(nflog_pkts[i].prefix,
						strlen(nflog_pkts[i].prefix) + 1, nflog_pkts[i].pkt,
						nflog_pkts[i].len, nflog_pkts[i].family, &ev),
				 0);
		assert_false(ev.pkt.is_truncated);
		/* nl_nflog names the interface from NFULA_IFINDEX_INDEV */
		snprintf(ev.pkt.in, sizeof(ev.pkt.in), "%s", nflog_pkts[i].in);
		logparse_agg_add(live, &ev);
	}
	for (size_t i = 0; i < sizeof(syslog_lines) / sizeof(syslog_lines[0]); i++)
		assert_int_equal(
		    logparse_agg_add_line(offline, syslog_lines[i], strlen(syslog_lines[i])), 0);
	dump_packets(live, a, sizeof(a));
	dump_packets(offline, b, sizeof(b));
	if (strcmp(a, b) != 0)
		fail_msg("NFLOG and syslog aggregates differ.\n--- nflog\n%s--- syslog\n%s", a, b);
	/* and they hold what was sent, not two equal empty lists */
	logparse_agg_result(offline, &r);
	assert_int_equal(r.marked_invalid, 3);
	assert_int_equal(r.by_proto[132], 1);
	assert_int_equal(r.n_top_src, 3);
	assert_int_equal(r.n_top_dport, 3);
	assert_int_equal(r.n_ifaces, 2);
	assert_int_equal(r.ifaces[0].count, 2); /* eth0: the SCTP report has it too */
	assert_int_equal(r.by_kind[LOGPARSE_KIND_CONTINUATION], 1);
	assert_int_equal(r.continuations_joined, 1);
	assert_int_equal(r.events, 4);
	assert_int_equal(r.lines, 4);
	/* the SCTP report keeps its own time, the first line's */
	assert_int_equal(r.first_seen.mono_sec, 126);
	logparse_agg_free(live);
	logparse_agg_free(offline);
}

/* Only the very next line completes a report; an input's end, an event
 * added directly and the result aggregate a report still waiting. */
static void test_continuation_order(void **state)
{
	static const char sctp[] = "nf_ct_proto_132: do_basic_checks failed. chunk num 1, type 0, "
				   "len 0 flag 1";
	static const char cont[] = " IN=eth1 OUT= SRC=192.0.2.9 DST=192.0.2.1 LEN=48 TOS=0x00 "
				   "PREC=0x00 TTL=64 ID=0 PROTO=SCTP SPT=1 DPT=2 ";
	static const char other[] = "usb 1-1: new high-speed USB device number 2 using xhci_hcd";
	struct logparse_agg *agg = logparse_agg_new(10);
	struct logparse_agg_result r;
	struct logparse_event ev;

	(void)state;
	assert_non_null(agg);
	/* 1: an unrelated line between: the continuation stays alone */
	assert_int_equal(logparse_agg_add_line(agg, sctp, sizeof(sctp) - 1), 0);
	assert_int_equal(logparse_agg_add_line(agg, other, sizeof(other) - 1), -ENOENT);
	assert_int_equal(logparse_agg_add_line(agg, cont, sizeof(cont) - 1), 0);
	/* 2: a flush at the end of an input: the next input's first line is its own */
	assert_int_equal(logparse_agg_add_line(agg, sctp, sizeof(sctp) - 1), 0);
	logparse_agg_flush(agg);
	assert_int_equal(logparse_agg_add_line(agg, cont, sizeof(cont) - 1), 0);
	/* 3: an event added directly comes after the waiting report */
	assert_int_equal(logparse_agg_add_line(agg, sctp, sizeof(sctp) - 1), 0);
	assert_int_equal(
	    logparse_nflog("nf_ct_proto_6: invalid new ", 27, v4_tcp, sizeof(v4_tcp), AF_INET, &ev),
	    0);
	logparse_agg_add(agg, &ev);
	/* 4: joined */
	assert_int_equal(logparse_agg_add_line(agg, sctp, sizeof(sctp) - 1), 0);
	assert_int_equal(logparse_agg_add_line(agg, cont, sizeof(cont) - 1), 0);
	/* 5: the last line of all waits for a continuation that never comes */
	assert_int_equal(logparse_agg_add_line(agg, sctp, sizeof(sctp) - 1), 0);
	logparse_agg_result(agg, &r);
	assert_int_equal(r.by_proto[132], 5);
	assert_int_equal(r.by_proto[6], 1);
	assert_int_equal(r.marked_invalid, 6);
	assert_int_equal(r.by_kind[LOGPARSE_KIND_CONTINUATION], 3);
	assert_int_equal(r.continuations_joined, 1);
	assert_int_equal(r.n_ifaces, 1); /* eth1 of the joined one only */
	assert_int_equal(r.ifaces[0].count, 1);
	assert_int_equal(r.n_top_src, 2); /* 198.51.100.23 (TCP), 192.0.2.9 (joined) */
	assert_int_equal(r.lines, 9);
	assert_int_equal(r.unrelated, 1);
	assert_int_equal(r.events, 9); /* 8 lines understood, 1 added */
	/* result() flushed: asking again changes nothing */
	logparse_agg_result(agg, &r);
	assert_int_equal(r.marked_invalid, 6);
	logparse_agg_free(agg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fixtures),
	    cmocka_unit_test(test_sketch_bounds),
	    cmocka_unit_test(test_tables_overflow_and_rc),
	    cmocka_unit_test(test_table_full_by_netns),
	    cmocka_unit_test(test_nflog_and_syslog_agree),
	    cmocka_unit_test(test_continuation_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
