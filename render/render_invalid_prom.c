/* render_invalid_prom.c: watch --invalid --format prometheus (see
 * render_invalid_prom.h). */
#include <stdbool.h>
#include <stdio.h>

#include "promw.h"
#include "render_invalid_prom.h"
#include "../rules/snapshot.h"

PW_FAMILY(
    fam_packets, "ctadvisor_invalid_packets_total", "counter",
    "Packets conntrack found invalid, by the kernel's reason (ctadvisor's catalog id), "
    "protocol and verdict (marked_invalid: ct state invalid, dropped only by a rule; accepted: logged, tracked), "
    "as NFLOG reported them.");
PW_FAMILY(fam_received, "ctadvisor_invalid_nflog_received_total", "counter",
	  "NFLOG messages received on group 0 (one per invalid packet logged).");
PW_FAMILY(fam_lost, "ctadvisor_invalid_nflog_lost_total", "counter",
	  "NFLOG messages lost between the kernel and ctadvisor (sequence gaps and socket "
	  "overruns), exact; those packets are in no reason.");
PW_FAMILY(fam_enobufs, "ctadvisor_invalid_nflog_enobufs_total", "counter",
	  "Times the NFLOG socket overran (ENOBUFS); the lost counter says how many messages.");
PW_FAMILY(fam_bad, "ctadvisor_invalid_nflog_bad_messages_total", "counter",
	  "NFLOG messages that could not be decoded.");
PW_FAMILY(fam_counts_only, "ctadvisor_invalid_counts_only", "gauge",
	  "1 when NFLOG group 0 is held by another process (watch --invalid --force): no "
	  "reasons are counted; 0 when ctadvisor listens.");

/* The reason's protocol by the fixed names (snapshot.h); "any" for reasons
 * of no one protocol (helper drops, unknown). */
static const char *reason_proto(const struct logparse_reason *r)
{
	const char *name = r->proto ? snap_proto_name(r->proto) : "any";

	return name != NULL ? name : "other";
}

static const char *verdict_name(enum logparse_verdict v)
{
	return v == LOGPARSE_VERDICT_ACCEPTED ? "accepted" : "marked_invalid";
}

/* The count of (reason, verdict) in res, 0 when not seen; a verdict the
 * * wording did not give counts as marked invalid, as the other renderers show it. */
static uint64_t reason_count(const struct logparse_agg_result *res, const struct logparse_reason *r,
			     enum logparse_verdict v)
{
	bool is_acc = v == LOGPARSE_VERDICT_ACCEPTED;
	uint64_t n = 0;

	for (size_t i = 0; i < res->n_reasons; i++)
		if (res->reasons[i].reason == r &&
		    (res->reasons[i].verdict == LOGPARSE_VERDICT_ACCEPTED) == is_acc)
			n += res->reasons[i].count;
	return n;
}

static void reason_sample(struct pw *p, const struct logparse_reason *r, enum logparse_verdict v,
			  uint64_t n)
{
	char reason[PW_LABEL_LEN], proto[PW_LABEL_LEN], labels[3 * PW_LABEL_LEN];

	pw_label(reason, sizeof(reason), "reason", r->id);
	pw_label(proto, sizeof(proto), "proto", reason_proto(r));
	snprintf(labels, sizeof(labels), "%s,%s,verdict=\"%s\"", reason, proto, verdict_name(v));
	pw_u64(p, &fam_packets, labels, n);
}

static void reasons(struct pw *p, const struct logparse_agg_result *res)
{
	for (size_t i = 0; i < logparse_catalog_count(); i++) {
		const struct logparse_reason *r = logparse_catalog_at(i);
		enum logparse_verdict other = r->verdict == LOGPARSE_VERDICT_ACCEPTED
						  ? LOGPARSE_VERDICT_DROPPED_INVALID
						  : LOGPARSE_VERDICT_ACCEPTED;
		uint64_t n_other = reason_count(res, r, other);

		reason_sample(p, r, r->verdict, reason_count(res, r, r->verdict));
		if (n_other > 0)
			reason_sample(p, r, other, n_other);
	}
}

int render_invalid_prom(FILE *out, const struct logparse_agg_result *res,
			const struct render_invalid_meta *meta,
			const struct render_invalid_prom_times *t)
{
	struct pw p;

	pw_init(&p, out, meta->netns != NULL && meta->netns[0] ? meta->netns : NULL);
	reasons(&p, res);
	pw_u64(&p, &fam_received, "", meta->nflog_packets);
	pw_u64(&p, &fam_lost, "", meta->nflog_lost);
	pw_u64(&p, &fam_enobufs, "", meta->enobufs);
	pw_u64(&p, &fam_bad, "", meta->nflog_bad_messages);
	pw_u64(&p, &fam_counts_only, "", meta->is_counts_only ? 1 : 0);
	pw_watch_times(&p, "invalid", t->start_s, t->write_s);
	return pw_finish(&p);
}
