/* logparse.h: classify the kernel's invalid-packet reports (conntrack's
 * nf_ct_proto_N lines, helper drops, table full, LOG-target lines), from log
 * text or from an NFLOG prefix + packet, and aggregate them.
 * Pure: no I/O, no globals but const tables, no clock. Inputs are (ptr, len),
 * need not be NUL-terminated and are never retained: text the event needs is
 * copied (truncated) into it. Only logparse_agg_new() allocates. Records
 * that need a JSON parser (journalctl -o json, Docker json-file) are decoded
 * by the caller and given to logparse_record(). */
#ifndef CTADVISOR_LOGPARSE_H
#define CTADVISOR_LOGPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum logparse_verdict {
	LOGPARSE_VERDICT_NONE = 0,
	LOGPARSE_VERDICT_DROPPED_INVALID, /* ct state INVALID (or helper NF_DROP) */
	LOGPARSE_VERDICT_ACCEPTED,        /* logged, but the packet went on */
};

/* One catalog entry; static, valid for the program's life. */
struct logparse_reason {
	const char *id;                /* stable kebab-case, e.g. "tcp-invalid-flags" */
	uint8_t proto;                 /* IP protocol number, 0 for helper-drop/unknown */
	enum logparse_verdict verdict; /* on current kernels (see event) */
	const char *meaning;
	const char *causes;
	const char *advice;
};

size_t logparse_catalog_count(void);
/* Entry i (0 <= i < count), NULL past the end. */
const struct logparse_reason *logparse_catalog_at(size_t i);
/* NULL when no entry has that id (len bytes, not NUL-terminated). */
const struct logparse_reason *logparse_catalog_find(const char *id, size_t len);

enum logparse_kind {
	LOGPARSE_KIND_CT_INVALID = 1, /* nf_ct_* report, incl. helper drops */
	LOGPARSE_KIND_TABLE_FULL,
	LOGPARSE_KIND_EXPECT_FULL,
	LOGPARSE_KIND_LOG_RULE,     /* LOG target of a user rule; text = prefix */
	LOGPARSE_KIND_RATELIMIT,    /* "<name>: N callbacks suppressed" */
	LOGPARSE_KIND_BOOT,         /* nf_conntrack version ... (N buckets, M max) */
	LOGPARSE_KIND_VMALLOC,      /* nf_conntrack: falling back to vmalloc */
	LOGPARSE_KIND_CONTINUATION, /* " IN=..." rest of a line split by \n */
	LOGPARSE_KIND_OWNER,        /* a tool setting a conntrack knob: owner, knob, value */
	LOGPARSE_KIND_NOTICE,       /* another conntrack message of the kernel; text */
};
#define LOGPARSE_KIND_MAX LOGPARSE_KIND_NOTICE

/* The wrapper a line came in, as recognised. */
enum logparse_format {
	LOGPARSE_FMT_BARE = 0,     /* the message alone (journalctl -o cat, dmesg -r less) */
	LOGPARSE_FMT_DMESG,        /* "[ 1234.567890] " */
	LOGPARSE_FMT_DMESG_T,      /* "[Tue Nov 24 14:14:32 2026] " */
	LOGPARSE_FMT_KERNEL_TAG,   /* "kernel: " with nothing before it */
	LOGPARSE_FMT_SYSLOG,       /* "Nov 24 14:14:32 host kernel: " (journalctl short) */
	LOGPARSE_FMT_ISO,          /* "2026-11-24T14:14:32+00:00 host kernel: " */
	LOGPARSE_FMT_RFC5424,      /* "<4>1 2026-...Z host kernel - - - " */
	LOGPARSE_FMT_LOGREAD,      /* OpenWrt "Tue Nov 24 14:14:32 2026 kern.warn kernel: " */
	LOGPARSE_FMT_MONOTONIC,    /* journalctl -o short-monotonic "[ 1234.5] host kernel: " */
	LOGPARSE_FMT_UNIX,         /* journalctl -o short-unix "1795529672.123456 host kernel: " */
	LOGPARSE_FMT_CRI,          /* "2026-11-24T14:14:32.1Z stdout F " (containerd, CRI-O) */
	LOGPARSE_FMT_JOURNAL_JSON, /* journalctl -o json: decoded by the caller */
	LOGPARSE_FMT_DOCKER_JSON,  /* Docker json-file {"log": ...}: decoded by the caller */
	LOGPARSE_FMT_COUNT
};
/* "dmesg", "syslog", "journal-json", ...: stable names; "?" out of range. */
const char *logparse_format_name(enum logparse_format f);
/* "ct_invalid", ..., "notice"; "unrelated" for 0. */
const char *logparse_kind_name(enum logparse_kind k);

/* Timestamp as written; flags say which members hold. */
#define LOGPARSE_TS_MONO 0x1 /* mono_*: seconds since boot (dmesg) */
#define LOGPARSE_TS_WALL 0x2 /* mon, mday, hour, min, sec */
#define LOGPARSE_TS_YEAR 0x4 /* year and epoch_sec */
#define LOGPARSE_TS_UTC  0x8 /* offset known: epoch_sec is real UTC, else local as UTC */
#define LOGPARSE_TS_TEXT 40
struct logparse_time {
	uint32_t flags;
	int64_t mono_sec;
	uint32_t mono_usec;
	int64_t epoch_sec;
	uint32_t wall_usec;
	uint16_t year;
	uint8_t mon, mday, hour, min, sec; /* mon 1..12 */
	char text[LOGPARSE_TS_TEXT];       /* wall-clock stamp as written */
};

/* Numbers parsed out of a conntrack message; has = LOGPARSE_ARG_* bits. */
#define LOGPARSE_ARG_BOUND   0x0001 /* SEQ/ACK bound (u32 sequence number) */
#define LOGPARSE_ARG_BYTES   0x0002 /* "%u bytes more than expected" */
#define LOGPARSE_ARG_INDEX   0x0004 /* 0 SYN 1 SYN/ACK 2 FIN 3 ACK 4 RST 5 none */
#define LOGPARSE_ARG_DIR     0x0008 /* 0 original, 1 reply */
#define LOGPARSE_ARG_STATE   0x0010
#define LOGPARSE_ARG_RINDEX  0x0020 /* lower timeout: index answered */
#define LOGPARSE_ARG_TIMEOUT 0x0040 /* jiffies */
#define LOGPARSE_ARG_CHUNK   0x0080 /* chunk_num/type/len/flag */
#define LOGPARSE_ARG_VTAG    0x0100 /* vtag, vtag_expected */
#define LOGPARSE_ARG_OLDST   0x0200 /* SCTP old_state and chunk_type */
#define LOGPARSE_ARG_ADDRS   0x0400 /* outer/inner daddr, addr_family */
struct logparse_args {
	uint32_t has;
	uint32_t bound, bytes, timeout_jiffies, vtag, vtag_expected;
	int32_t index, dir, resp_index, old_state;
	int32_t chunk_num, chunk_type, chunk_len, chunk_flag;
	char state[16];
	uint8_t addr_family; /* AF_INET or AF_INET6 */
	uint8_t outer[16], inner[16];
};

/* TCP flags, wire bits; the kernel logs them CWR ECE URG ACK PSH RST SYN FIN. */
#define LOGPARSE_TCP_FIN 0x01
#define LOGPARSE_TCP_SYN 0x02
#define LOGPARSE_TCP_RST 0x04
#define LOGPARSE_TCP_PSH 0x08
#define LOGPARSE_TCP_ACK 0x10
#define LOGPARSE_TCP_URG 0x20
#define LOGPARSE_TCP_ECE 0x40
#define LOGPARSE_TCP_CWR 0x80

/* Packet fields (LOG text or decoded NFLOG payload); has = LOGPARSE_PKT_*. */
#define LOGPARSE_PKT_ADDRS 0x01 /* family, src, dst */
#define LOGPARSE_PKT_PROTO 0x02
#define LOGPARSE_PKT_PORTS 0x04
#define LOGPARSE_PKT_TCP   0x08 /* tcp_flags, seq, ack, window, res */
#define LOGPARSE_PKT_ICMP  0x10 /* icmp_type, icmp_code */
#define LOGPARSE_PKT_IP    0x20 /* len, tos/tc, ttl/hoplimit, id, flowlbl */
#define LOGPARSE_IFNAME    16
struct logparse_pkt {
	uint32_t has;
	uint8_t family; /* AF_INET, AF_INET6, 0 unknown */
	uint8_t src[16], dst[16];
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t tcp_flags, tcp_res, icmp_type, icmp_code;
	uint32_t seq, ack;
	uint16_t window, len, ip_id;
	uint8_t tos, ttl;
	uint32_t flowlbl;
	bool is_df, is_truncated, is_bad_header;
	bool is_masked; /* an address or value written masked (xxx.xxx, XXXX:, ...) */
	char in[LOGPARSE_IFNAME], out[LOGPARSE_IFNAME]; /* "" when none */
};

#define LOGPARSE_TEXT_MAX 128
struct logparse_event {
	enum logparse_kind kind;
	const struct logparse_reason *reason; /* CT_INVALID only, never NULL then */
	enum logparse_verdict verdict;        /* CT_INVALID: per kernel wording */
	uint8_t proto_num;                    /* from nf_ct_proto_N / nf_ct_tcp */
	struct logparse_args args;
	struct logparse_pkt pkt;
	struct logparse_time ts;
	char text[LOGPARSE_TEXT_MAX]; /* message, LOG prefix, helper msg, ratelimit name */
	char helper[16];              /* helper-drop: helper name */
	uint32_t netns;               /* TABLE_FULL with has_netns */
	bool has_netns;
	uint64_t count;                /* RATELIMIT: callbacks suppressed */
	uint64_t buckets, max_entries; /* BOOT */
	/* CT_INVALID from a log line that ended before any "IN=": the message
	 * held a newline (SCTP's do_basic_checks), the packet fields follow on
	 * the next line, a CONTINUATION. */
	bool awaits_fields;
	enum logparse_format format;
	/* the line was cut (mid-reason, mid-field, a CRI partial record): what
	 * is there is counted */
	bool truncated;
	/* OWNER: who ("kube-proxy"), which knob (sysctl name as written), value */
	char owner[24];
	char knob[64];
	uint64_t value;
	bool has_value;
};

/* One kernel log line (any supported wrapper). 0 and *ev filled; -ENOENT an
 * unrelated line; -EINVAL looks like ours but is malformed. ev untouched on error. */
int logparse_line(const char *line, size_t len, struct logparse_event *ev);

/* Where a record decoded by the caller came from: the journal's MESSAGE with
 * its _TRANSPORT / SYSLOG_IDENTIFIER, or a container log's line. */
struct logparse_origin {
	enum logparse_format format; /* LOGPARSE_FMT_JOURNAL_JSON or _DOCKER_JSON */
	bool is_kernel;              /* journal: _TRANSPORT=kernel (or identifier kernel) */
	const char *ident;           /* SYSLOG_IDENTIFIER or NULL; NUL-terminated */
	int64_t realtime_usec;       /* __REALTIME_TIMESTAMP / "time"; < 0 unknown */
	bool partial;                /* the record holds part of a line */
};
/* A message of a decoded record: for the journal, the kernel's message
 * itself (no wrapper); for a container log, a line in any format
 * logparse_line() reads. Return codes as logparse_line(). */
int logparse_record(const char *msg, size_t len, const struct logparse_origin *o,
		    struct logparse_event *ev);

/* NFLOG prefix + L3 payload of family (AF_INET/AF_INET6). 0 and *ev filled
 * (a short payload sets pkt.is_truncated); -EINVAL bad arguments or malformed
 * conntrack prefix. pkt.in/out stay empty: the caller fills them from ifindex. */
int logparse_nflog(const char *prefix, size_t prefix_len, const uint8_t *payload,
		   size_t payload_len, uint8_t family, struct logparse_event *ev);

/* "SYN FIN" in kernel order, "none" for 0; returns buf. size >= 32 fits all. */
const char *logparse_tcp_flags_str(uint8_t flags, char *buf, size_t size);

/* Aggregator: fixed memory sized at _new(); NULL means ENOMEM. */
struct logparse_agg;
struct logparse_agg *logparse_agg_new(unsigned top_k);
void logparse_agg_free(struct logparse_agg *agg);
void logparse_agg_add(struct logparse_agg *agg, const struct logparse_event *ev);
/* Count a logparse_line()/logparse_nflog() failure: -ENOENT unrelated, else not understood. */
void logparse_agg_add_rc(struct logparse_agg *agg, int rc);
/* logparse_line() + add or add_rc; returns its rc. A conntrack report whose
 * line awaits its fields is held until the next line: a CONTINUATION there
 * gives it its packet fields (interfaces, addresses, ports) and the report is
 * aggregated once, with them, before the continuation is counted (as a line
 * of kind CONTINUATION, nothing else); any other line, logparse_agg_add(),
 * logparse_agg_flush() or logparse_agg_result() aggregates it as it is. */
int logparse_agg_add_line(struct logparse_agg *agg, const char *line, size_t len);
/* logparse_record() + add or add_rc, as logparse_agg_add_line(). */
int logparse_agg_add_record(struct logparse_agg *agg, const char *msg, size_t len,
			    const struct logparse_origin *o);
/* Aggregate a report held by logparse_agg_add_line(), if any: at the end of
 * one input, so that the next input's first line does not complete it. */
void logparse_agg_flush(struct logparse_agg *agg);

struct logparse_reason_count {
	const struct logparse_reason *reason;
	enum logparse_verdict verdict;
	uint64_t count;
};
struct logparse_key_count {
	char name[LOGPARSE_TEXT_MAX]; /* interface or LOG prefix */
	uint64_t count, count_out;    /* interfaces: as IN=, as OUT= */
};
struct logparse_top {
	uint8_t family, proto; /* sources: family + addr; ports: proto + port */
	uint8_t addr[16];
	uint16_t port;
	uint64_t count, error; /* true count in [count - error, count] */
};
/* Table-full events of one network namespace: the kernel names non-initial
 * ones by inode ("table full in netns N"); has_netns false is the initial. */
struct logparse_netns_count {
	bool has_netns;
	uint32_t netns;
	uint64_t count;
};
#define LOGPARSE_NETNS_MAX           16
#define LOGPARSE_NOT_UNDERSTOOD_KEPT 5
struct logparse_owner_count {
	char owner[24], knob[64];
	uint64_t value; /* the last one seen */
	bool has_value;
	uint64_t count;
};
#define LOGPARSE_OWNERS_MAX 16
/* Read-only view; arrays point into agg, valid until the next add or free.
 * Lists are sorted by count descending, then by key. */
struct logparse_agg_result {
	uint64_t events, lines, unrelated, not_understood, truncated, bad_header;
	uint64_t by_kind[LOGPARSE_KIND_MAX + 1]; /* events, lines of each kind */
	uint64_t lines_truncated, masked;        /* events from cut lines, with masked values */
	uint64_t continuations_joined;     /* of by_kind[CONTINUATION]: merged into their report */
	uint64_t marked_invalid, accepted; /* CT_INVALID events by verdict */
	const struct logparse_reason_count *reasons;
	size_t n_reasons;
	uint64_t by_proto[256];     /* CT_INVALID events (per-packet figures: these only) */
	uint64_t by_tcp_flags[256]; /* TCP events with flags known */
	uint64_t by_dir[3];         /* dir 0, dir 1, unknown */
	const struct logparse_key_count *ifaces, *log_prefixes;
	size_t n_ifaces, n_log_prefixes;
	uint64_t ifaces_other, log_prefixes_other; /* table overflow */
	const struct logparse_top *top_src, *top_dport;
	size_t n_top_src, n_top_dport;
	bool has_first;
	struct logparse_time first_seen, last_seen; /* CT_INVALID, by arrival */
	uint64_t table_full;
	struct logparse_time table_full_first, table_full_last;
	const struct logparse_netns_count *table_full_netns; /* by count, then netns */
	size_t n_table_full_netns;
	uint64_t table_full_netns_other; /* beyond LOGPARSE_NETNS_MAX namespaces */
	uint64_t suppressed;             /* sum of callbacks suppressed */
	bool counts_lower_bound;         /* suppressed > 0 */
	uint64_t boot_buckets, boot_max;
	/* the first lines not understood, as read (the renderer escapes them) */
	const char (*not_understood_lines)[LOGPARSE_TEXT_MAX];
	size_t n_not_understood_lines;
	/* OWNER lines: who set which knob, the last value each set */
	const struct logparse_owner_count *owners;
	size_t n_owners;
};
/* Flushes (logparse_agg_flush), sorts internal tables; fills *res (pointers
 * into agg). */
void logparse_agg_result(struct logparse_agg *agg, struct logparse_agg_result *res);

#endif
