/* render_invalid.h: the invalid-packet report of `logparse` (log files) and
 * `watch --invalid` (NFLOG), as text or JSON. Like the check renderers they
 * traverse the aggregate and format it; they compute nothing beyond sums.
 * Strings from logs and packets (LOG prefixes, interface names, file names)
 * are untrusted and escaped: control characters in text, invalid UTF-8 in
 * JSON (whose library escapes control characters itself). */
#ifndef CTADVISOR_RENDER_INVALID_H
#define CTADVISOR_RENDER_INVALID_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../logparse/logparse.h"

struct render_invalid_meta {
	bool is_live;                /* watch --invalid (NFLOG) vs logparse (files) */
	const char *source;          /* "nflog" or the file names joined, untrusted */
	const char *netns;           /* "" for the caller's own */
	double duration_s;           /* live: how long it listened; logparse: 0 */
	uint64_t nflog_packets;      /* live: packets received */
	uint64_t nflog_lost;         /* live: lost per sequence numbers + ENOBUFS, exact */
	uint64_t enobufs;            /* live: ENOBUFS errors */
	uint64_t nflog_bad_messages; /* live: messages that could not be decoded */
	/* live: NFLOG group 0 held by another socket (--force): nothing was
	 * received, only kernel_invalid_delta tells what happened */
	bool is_counts_only;
	uint64_t kernel_invalid_delta; /* live: conntrack -S invalid increase; UINT64_MAX unknown */
	/* live: kernel_invalid_delta - packets - lost - bad when positive, else 0;
	 * UINT64_MAX unknown. Invalid packets no NFLOG message told us about:
	 * dropped after the last one received (no sequence gap shows them) or
	 * counted by the kernel without a log call. A lower bound. */
	uint64_t nflog_not_reported;
};

/* Monitoring status of an aggregate: 2 CRITICAL when the conntrack table was
 * full (new connections dropped), 1 WARNING when packets were dropped as
 * invalid or the expectation table was full, else 0 OK. Both renderers show
 * it; commands may return it as their exit status. */
int render_invalid_exit_code(const struct logparse_agg_result *res);
/* The status of a report: render_invalid_exit_code(), and for a live run
 * that could only count (is_counts_only) at least 1 WARNING when the
 * kernel's invalid counter grew. What both renderers show. */
int render_invalid_status(const struct logparse_agg_result *res,
			  const struct render_invalid_meta *meta);

/* JSON (schema 1), keys in this order: schema, tool, report ("invalid"), mode
 * ("logparse"|"watch"), status, exit_code, source, netns,
 * counts_are_lower_bounds, live (null for logparse, else duration_s,
 * nflog_listening, nflog_packets, nflog_lost, enobufs, nflog_bad_messages,
 * kernel_invalid_delta|null,
 * nflog_not_reported|null), input
 * (lines, events, unrelated, not_understood, kinds{ct_invalid..continuation}),
 * invalid (total, dropped, accepted, first_seen, last_seen, reasons[] with id,
 * proto, protocol, verdict "dropped"|"accepted", count, meaning, causes,
 * advice; protocols[], tcp_flags[], directions{original,reply,unknown},
 * interfaces[] {name,in,out}, interfaces_other, top_sources[] {addr,count,
 * error}, top_dports[] {proto,protocol,port,count,error}, truncated,
 * bad_header), table_full {count, first, last}, other {expectation_table_full,
 * rate_limit{lines,suppressed}, boot{buckets,max}|null, vmalloc_fallback,
 * log_rules{count, prefixes[] {prefix,count}, prefixes_other}}. A time is null
 * or {boot_sec, boot_usec, wall "MM-DD hh:mm:ss.uuuuuu", year, epoch_sec,
 * is_utc}, members null when the log line did not carry them. Counts in top
 * lists may overestimate by at most "error". */
/* 0, or -EIO when writing failed (render_invalid_json also when out of
 * memory; nothing is written then). color: ANSI colour for the status. */
int render_invalid_text(FILE *out, const struct logparse_agg_result *res,
			const struct render_invalid_meta *meta, bool color);
int render_invalid_json(FILE *out, const struct logparse_agg_result *res,
			const struct render_invalid_meta *meta);

#endif
