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

#include "../analysis/invalid_verdict.h"
#include "../analysis/inventory.h"
#include "../logparse/logparse.h"

struct render_invalid_meta {
	int status;                  /* invalid_verdict(): enum ct_exit, OK..CRITICAL */
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
	uint64_t kernel_error_delta;   /* live: conntrack -S error increase; UINT64_MAX unknown */
	/* live: what the ruleset does with ct state invalid; DROPS names the
	 * rule in ruleset_rule (untrusted: from nft/iptables-save) */
	enum invalid_ruleset ruleset;
	const char *ruleset_rule;
	/* live: kernel_invalid_delta - packets - lost - bad when positive, else 0;
	 * UINT64_MAX unknown. Invalid packets no NFLOG message told us about:
	 * lost after the last one received (no sequence gap shows them) or
	 * counted by the kernel without a log call. A lower bound. Reports of
	 * reasons counted in error (invalid_reports_in_error) are not in it. */
	uint64_t nflog_not_reported;
	/* logparse: this host's namespaces (inventory_scan), to name the ones
	 * of "table full in netns N" by inode; NULL when not looked up */
	const struct inventory *inv;
};

/* JSON (schema 2), keys in this order: schema, tool, report ("invalid"), mode
 * ("logparse"|"watch"), status, exit_code, source, netns,
 * counts_are_lower_bounds, live (null for logparse, else duration_s,
 * nflog_listening, nflog_packets, nflog_lost, enobufs, nflog_bad_messages,
 * kernel_invalid_delta|null, kernel_error_delta|null,
 * nflog_not_reported|null), ruleset (drops_invalid true|false|null, rule
 * string|null), input
 * (lines, events, unrelated, not_understood, kinds{ct_invalid..continuation,
 * owner, notice}, truncated_lines, masked_lines, not_understood_lines[]),
 * invalid (total, marked_invalid, accepted, helper_dropped, in_error,
 * first_seen, last_seen, reasons[] with id, proto, protocol, verdict
 * "marked_invalid"|"accepted", counted_in ("invalid"|"error"), count,
 * meaning, causes,
 * advice; protocols[], tcp_flags[], directions{original,reply,unknown},
 * interfaces[] {name,in,out}, interfaces_other, top_sources[] {addr,count,
 * error}, top_dports[] {proto,protocol,port,count,error}, truncated,
 * bad_header), table_full {count, first, last, by_netns[] {netns|null, count,
 * found_here true|false|null (not looked up), name|null, owner|null},
 * other_netns}, other {expectation_table_full,
 * rate_limit{lines,suppressed}, boot{buckets,max}|null, vmalloc_fallback,
 * log_rules{count, prefixes[] {prefix,count}, prefixes_other}, notices,
 * owners[] {owner, knob, value|null, lines}}. A time is null
 * or {boot_sec, boot_usec, wall "MM-DD hh:mm:ss.uuuuuu", year, epoch_sec,
 * is_utc}, members null when the log line did not carry them. Counts in top
 * lists may overestimate by at most "error". */
/* Schema 2 (from 1): invalid.dropped became invalid.marked_invalid and a
 * reason's verdict "dropped" became "marked_invalid" (conntrack marks, the
 * ruleset drops); ruleset, live.kernel_error_delta, invalid.helper_dropped,
 * invalid.in_error and reasons[].counted_in are new. Still schema 2, keys
 * added only: input.kinds.owner and .notice, input.truncated_lines,
 * .masked_lines, .not_understood_lines, table_full.by_netns[].found_here,
 * .name, .owner, other.notices, other.owners. */
/* 0, or -EIO when writing failed (render_invalid_json also when out of
 * memory; nothing is written then). color: ANSI colour for the status. */
int render_invalid_text(FILE *out, const struct logparse_agg_result *res,
			const struct render_invalid_meta *meta, bool color);
int render_invalid_json(FILE *out, const struct logparse_agg_result *res,
			const struct render_invalid_meta *meta);

/* Shared by the text and JSON halves. */
extern const char *const render_invalid_status_names[3];
const char *render_invalid_proto(unsigned proto, char *buf, size_t size);
const char *render_invalid_addr(const struct logparse_top *t, char *buf, size_t size);
/* The namespace of meta->inv whose inode is ino; NULL (none, or no inv). */
const struct inv_ns *render_invalid_netns(const struct render_invalid_meta *m, uint32_t ino);
/* Its owner as inventory names it (pod, container, processes) into buf;
 * "" when it has none but its pin name. Returns buf. */
const char *render_invalid_netns_owner(const struct inv_ns *ns, char *buf, size_t size);
/* "nf_conntrack_max" for "net.netfilter.nf_conntrack_max": the text's knob. */
const char *render_invalid_knob(const char *knob);

#endif
