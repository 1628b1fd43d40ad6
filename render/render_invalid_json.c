/* render_invalid_json.c: the invalid-packet report (logparse, watch
 * --invalid) as one JSON object, walking the aggregate in the text's order;
 * jansson escapes what came from logs and packets (invalid UTF-8 through
 * jw_str). */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>

#include "jsonw.h"
#include "render_invalid.h"

#define JSON_SCHEMA 2

/* Indexed by enum logparse_kind. */

static json_t *jrender_invalid_proto(unsigned proto)
{
	char pbuf[16];

	return json_string(render_invalid_proto(proto, pbuf, sizeof(pbuf)));
}

static json_t *jts(const struct logparse_time *t)
{
	char wall[40];
	uint32_t f = t->flags;

	if (f == 0)
		return json_null();
	snprintf(wall, sizeof(wall), "%02u-%02u %02u:%02u:%02u.%06u", t->mon, t->mday, t->hour,
		 t->min, t->sec, t->wall_usec);
	return jw_obj("boot_sec", (f & LOGPARSE_TS_MONO) ? json_integer(t->mono_sec) : json_null(),
		      "boot_usec",
		      (f & LOGPARSE_TS_MONO) ? json_integer(t->mono_usec) : json_null(), "wall",
		      (f & LOGPARSE_TS_WALL) ? json_string(wall) : json_null(), "year",
		      (f & LOGPARSE_TS_YEAR) ? json_integer(t->year) : json_null(), "epoch_sec",
		      (f & LOGPARSE_TS_YEAR) ? json_integer(t->epoch_sec) : json_null(), "is_utc",
		      json_boolean(f & LOGPARSE_TS_UTC), JW_END);
}

static json_t *jreason(const struct logparse_reason_count *rc)
{
	const struct logparse_reason *rs = rc->reason;
	bool is_acc = rc->verdict == LOGPARSE_VERDICT_ACCEPTED;

	return jw_obj(
	    "id", json_string(rs->id), "proto", rs->proto ? json_integer(rs->proto) : json_null(),
	    "protocol", rs->proto ? jrender_invalid_proto(rs->proto) : json_null(), "verdict",
	    json_string(is_acc ? "accepted" : "marked_invalid"), "counted_in",
	    json_string(rs->proto == IPPROTO_ICMP || rs->proto == IPPROTO_ICMPV6 ? "error"
										 : "invalid"),
	    "count", jw_u64(rc->count), "meaning", jw_str(rs->meaning), "causes",
	    jw_str(rs->causes), "advice", jw_str(rs->advice), JW_END);
}

static json_t *jreasons(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < r->n_reasons; i++)
		jw_append(&arr, jreason(&r->reasons[i]));
	return arr;
}

static json_t *jprotocols(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();

	for (unsigned p = 0; arr != NULL && p < 256; p++)
		if (r->by_proto[p] != 0)
			jw_append(&arr,
				  jw_obj("proto", json_integer(p), "name", jrender_invalid_proto(p),
					 "count", jw_u64(r->by_proto[p]), JW_END));
	return arr;
}

static json_t *jflags(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();
	char fbuf[32];

	for (unsigned f = 0; arr != NULL && f < 256; f++)
		if (r->by_tcp_flags[f] != 0)
			jw_append(&arr, jw_obj("flags",
					       json_string(logparse_tcp_flags_str((uint8_t)f, fbuf,
										  sizeof(fbuf))),
					       "bits", json_integer(f), "count",
					       jw_u64(r->by_tcp_flags[f]), JW_END));
	return arr;
}

static json_t *jifaces(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < r->n_ifaces; i++)
		jw_append(&arr, jw_obj("name", jw_str(r->ifaces[i].name), "in",
				       jw_u64(r->ifaces[i].count), "out",
				       jw_u64(r->ifaces[i].count_out), JW_END));
	return arr;
}

static json_t *jtop_src(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();
	char addr[INET6_ADDRSTRLEN];

	for (size_t i = 0; arr != NULL && i < r->n_top_src; i++) {
		const struct logparse_top *t = &r->top_src[i];

		jw_append(&arr,
			  jw_obj("addr", json_string(render_invalid_addr(t, addr, sizeof(addr))),
				 "count", jw_u64(t->count), "error", jw_u64(t->error), JW_END));
	}
	return arr;
}

static json_t *jtop_dport(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < r->n_top_dport; i++) {
		const struct logparse_top *t = &r->top_dport[i];

		jw_append(&arr,
			  jw_obj("proto", json_integer(t->proto), "protocol",
				 jrender_invalid_proto(t->proto), "port", json_integer(t->port),
				 "count", jw_u64(t->count), "error", jw_u64(t->error), JW_END));
	}
	return arr;
}

static json_t *jinvalid(const struct logparse_agg_result *r)
{
	bool has = r->has_first;

	return jw_obj("total", jw_u64(r->marked_invalid + r->accepted), "marked_invalid",
		      jw_u64(r->marked_invalid), "accepted", jw_u64(r->accepted), "helper_dropped",
		      jw_u64(invalid_reports_helper_dropped(r)), "in_error",
		      jw_u64(invalid_reports_in_error(r)), "first_seen",
		      has ? jts(&r->first_seen) : json_null(), "last_seen",
		      has ? jts(&r->last_seen) : json_null(), "reasons", jreasons(r), "protocols",
		      jprotocols(r), "tcp_flags", jflags(r), "directions",
		      jw_obj("original", jw_u64(r->by_dir[0]), "reply", jw_u64(r->by_dir[1]),
			     "unknown", jw_u64(r->by_dir[2]), JW_END),
		      "interfaces", jifaces(r), "interfaces_other", jw_u64(r->ifaces_other),
		      "top_sources", jtop_src(r), "top_dports", jtop_dport(r), "truncated",
		      jw_u64(r->truncated), "bad_header", jw_u64(r->bad_header), JW_END);
}

static json_t *jkinds(const struct logparse_agg_result *r)
{
	json_t *o = json_object();

	for (unsigned k = LOGPARSE_KIND_CT_INVALID; o != NULL && k <= LOGPARSE_KIND_MAX; k++) {
		json_t *v = jw_u64(r->by_kind[k]);

		if (v == NULL || json_object_set_new(o, logparse_kind_name(k), v) != 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

/* The first lines not understood, as read: jw_str escapes invalid UTF-8. */
static json_t *jnot_understood(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < r->n_not_understood_lines; i++)
		jw_append(&arr, jw_str(r->not_understood_lines[i]));
	return arr;
}

/* [{"owner": "kube-proxy", "knob": sysctl name, "value": last|null, "lines"}] */
static json_t *jowners(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < r->n_owners; i++) {
		const struct logparse_owner_count *o = &r->owners[i];

		jw_append(&arr, jw_obj("owner", jw_str(o->owner), "knob", jw_str(o->knob), "value",
				       o->has_value ? jw_u64(o->value) : json_null(), "lines",
				       jw_u64(o->count), JW_END));
	}
	return arr;
}

static json_t *jlog_rules(const struct logparse_agg_result *r)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < r->n_log_prefixes; i++)
		jw_append(&arr, jw_obj("prefix", jw_str(r->log_prefixes[i].name), "count",
				       jw_u64(r->log_prefixes[i].count), JW_END));
	return jw_obj("count", jw_u64(r->by_kind[LOGPARSE_KIND_LOG_RULE]), "prefixes", arr,
		      "prefixes_other", jw_u64(r->log_prefixes_other), JW_END);
}

static json_t *jlive(const struct render_invalid_meta *m)
{
	if (!m->is_live)
		return json_null();
	return jw_obj(
	    "duration_s", json_real(m->duration_s), "nflog_listening",
	    json_boolean(!m->is_counts_only), "nflog_packets", jw_u64(m->nflog_packets),
	    "nflog_lost", jw_u64(m->nflog_lost), "enobufs", jw_u64(m->enobufs),
	    "nflog_bad_messages", jw_u64(m->nflog_bad_messages), "kernel_invalid_delta",
	    m->kernel_invalid_delta == UINT64_MAX ? json_null() : jw_u64(m->kernel_invalid_delta),
	    "kernel_error_delta",
	    m->kernel_error_delta == UINT64_MAX ? json_null() : jw_u64(m->kernel_error_delta),
	    "nflog_not_reported",
	    m->nflog_not_reported == UINT64_MAX ? json_null() : jw_u64(m->nflog_not_reported),
	    JW_END);
}

static json_t *jother(const struct logparse_agg_result *r)
{
	bool has_boot = r->by_kind[LOGPARSE_KIND_BOOT] > 0;

	return jw_obj("expectation_table_full", jw_u64(r->by_kind[LOGPARSE_KIND_EXPECT_FULL]),
		      "rate_limit",
		      jw_obj("lines", jw_u64(r->by_kind[LOGPARSE_KIND_RATELIMIT]), "suppressed",
			     jw_u64(r->suppressed), JW_END),
		      "boot",
		      has_boot ? jw_obj("buckets", jw_u64(r->boot_buckets), "max",
					jw_u64(r->boot_max), JW_END)
			       : json_null(),
		      "vmalloc_fallback", jw_u64(r->by_kind[LOGPARSE_KIND_VMALLOC]), "log_rules",
		      jlog_rules(r), "notices", jw_u64(r->by_kind[LOGPARSE_KIND_NOTICE]), "owners",
		      jowners(r), JW_END);
}

/* {"netns": inode or null for the initial namespace, "count": N,
 * "found_here": null when not looked up, "name", "owner": null unknown} */
static json_t *jnetns_row(const struct logparse_netns_count *c, const struct render_invalid_meta *m)
{
	const struct inv_ns *ns = c->has_netns ? render_invalid_netns(m, c->netns) : NULL;
	bool is_known = m->inv != NULL && c->has_netns;
	char owner[512] = "";

	if (ns != NULL)
		render_invalid_netns_owner(ns, owner, sizeof(owner));
	return jw_obj("netns", c->has_netns ? json_integer(c->netns) : json_null(), "count",
		      jw_u64(c->count), "found_here",
		      is_known ? json_boolean(ns != NULL) : json_null(), "name",
		      ns != NULL && ns->name[0] ? jw_str(ns->name) : json_null(), "owner",
		      owner[0] ? jw_str(owner) : json_null(), JW_END);
}

static json_t *jnetns(const struct logparse_agg_result *r, const struct render_invalid_meta *m)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < r->n_table_full_netns; i++)
		jw_append(&a, jnetns_row(&r->table_full_netns[i], m));
	return a;
}

/* {"drops_invalid": true|false|null (not read), "rule": the rule|null} */
static json_t *jruleset(const struct render_invalid_meta *m)
{
	bool is_known = m->is_live && m->ruleset != INVALID_RULESET_UNKNOWN;
	bool is_drops = m->ruleset == INVALID_RULESET_DROPS;

	return jw_obj("drops_invalid", is_known ? json_boolean(is_drops) : json_null(), "rule",
		      is_known && is_drops && m->ruleset_rule != NULL ? jw_str(m->ruleset_rule)
								      : json_null(),
		      JW_END);
}

static json_t *jroot(const struct logparse_agg_result *r, const struct render_invalid_meta *m)
{
	int code = m->status >= 0 && m->status <= 2 ? m->status : 2;

	return jw_obj(
	    "schema", json_integer(JSON_SCHEMA), "tool", json_string("ctadvisor"), "report",
	    json_string("invalid"), "mode", json_string(m->is_live ? "watch" : "logparse"),
	    "status", json_string(render_invalid_status_names[code]), "exit_code",
	    json_integer(code), "source", jw_str(m->source != NULL ? m->source : ""), "netns",
	    jw_str(m->netns != NULL ? m->netns : ""), "counts_are_lower_bounds",
	    json_boolean(r->counts_lower_bound), "live", jlive(m), "ruleset", jruleset(m), "input",
	    jw_obj("lines", jw_u64(r->lines), "events", jw_u64(r->events), "unrelated",
		   jw_u64(r->unrelated), "not_understood", jw_u64(r->not_understood), "kinds",
		   jkinds(r), "truncated_lines", jw_u64(r->lines_truncated), "masked_lines",
		   jw_u64(r->masked), "not_understood_lines", jnot_understood(r), JW_END),
	    "invalid", jinvalid(r), "table_full",
	    jw_obj("count", jw_u64(r->table_full), "first",
		   r->table_full ? jts(&r->table_full_first) : json_null(), "last",
		   r->table_full ? jts(&r->table_full_last) : json_null(), "by_netns", jnetns(r, m),
		   "other_netns", jw_u64(r->table_full_netns_other), JW_END),
	    "other", jother(r), JW_END);
}

int render_invalid_json(FILE *out, const struct logparse_agg_result *res,
			const struct render_invalid_meta *meta)
{
	return jw_dump(out, jroot(res, meta));
}
