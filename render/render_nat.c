/* render_nat.c: the `ctadvisor nat` report as text, JSON (schema 1,
 * "command": "nat") or Prometheus exposition. Formats only: everything is
 * computed before. Strings from outside (netns, rule locations, which hold
 * table and chain names) are escaped for each format. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "escape.h"
#include "jsonw.h"
#include "render.h"
#include "render_nat.h"

static const char *const ctr_name[NAT_CTRS] = {"found", "insert_failed", "drop"};

static const char *addr_text(uint8_t family, const uint8_t *addr, char *buf)
{
	if (inet_ntop(family, addr, buf, INET6_ADDRSTRLEN) == NULL)
		snprintf(buf, INET6_ADDRSTRLEN, "?");
	return buf;
}

/* "40000-40009 (nft ip t post handle 4)", "1024-65535 (kernel default)". */
static void range_text(const struct nat_row *r, char *buf, size_t size)
{
	char where[2 * NAT_RULE_WHERE];

	if (r->cap.rule == NULL) {
		snprintf(buf, size, "%u-%u (kernel default)", r->cap.port_lo, r->cap.port_hi);
		return;
	}
	render_escape(where, sizeof(where), r->cap.rule->where, RENDER_ESC_TEXT);
	snprintf(buf, size, "%u-%u (%s%s%s)", r->cap.port_lo, r->cap.port_hi,
		 r->cap.src == NAT_CAP_RULE_NONE ? "kernel default; " : "", where,
		 r->cap.n_candidates > 1 ? "; smallest of several rules" : "");
}

static void text_row(FILE *out, const struct nat_row *r)
{
	char nat[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], cl[INET6_ADDRSTRLEN], range[300];

	range_text(r, range, sizeof(range));
	fprintf(out, "  %6.1f%%  %llu/%u  %s %s -> %s%s%s:%u  zone %u\n", r->saturation_pct,
		(unsigned long long)r->in_use, r->capacity, nat_proto_name(r->proto),
		addr_text(r->family, r->nat_addr, nat), r->family == AF_INET6 ? "[" : "",
		addr_text(r->family, r->dst, dst), r->family == AF_INET6 ? "]" : "", r->dport,
		r->zone);
	fprintf(out, "           range %s\n", range);
	if (r->is_rule_mismatch)
		fprintf(out,
			"           more ports in use than this rule's range: these flows went "
			"through another rule (one whose matches ctadvisor cannot read); "
			"saturation unknown\n");
	if (r->proto == IPPROTO_TCP)
		fprintf(out, "           established %llu, time_wait and later %llu\n",
			(unsigned long long)r->established, (unsigned long long)r->time_wait);
	if (r->reclaimable > 0)
		fprintf(out,
			"           %llu of the ports are held by TIME_WAIT entries, which the "
			"kernel reuses for new connections: not counted as saturation\n",
			(unsigned long long)r->reclaimable);
	if (r->nat_addrs_configured > 1)
		fprintf(out,
			"           NAT addresses toward this destination: %zu used of %u the rule "
			"maps to (a client/destination pair always maps to one address)\n",
			r->n_nat_addrs, r->nat_addrs_configured);
	else
		fprintf(out, "           NAT addresses toward this destination: %zu\n",
			r->n_nat_addrs);
	for (size_t i = 0; i < r->n_clients; i++)
		fprintf(out, "           client %s: %s%llu flows, pinned to %s%s\n",
			addr_text(r->family, r->clients[i].addr, cl),
			r->clients[i].error ? "<= " : "", (unsigned long long)r->clients[i].count,
			nat, r->clients[i].elsewhere ? " (also seen on other NAT addresses)" : "");
}

static void text_header(FILE *out, const struct render_nat_in *in)
{
	const struct nat_report *r = in->rep;
	char ns[512];

	render_escape(ns, sizeof(ns), in->netns != NULL ? in->netns : "", RENDER_ESC_TEXT);
	fprintf(out, "ctadvisor nat: %s (%s)\n", render_status_name(in->findings),
		in->netns != NULL ? ns : "current netns");
	fprintf(out, "\nWalk: %llu entries, %llu source-NATed; %llu counted under %llu keys",
		(unsigned long long)r->entries, (unsigned long long)r->snat_entries,
		(unsigned long long)r->counted, (unsigned long long)r->keys);
	if (r->overflow)
		fprintf(out, ", %llu not counted (key table full)",
			(unsigned long long)r->overflow);
	if (r->is_interrupted || r->lost || r->bad)
		fprintf(out, "; interrupted %s, %llu lost, %llu undecodable",
			r->is_interrupted ? "yes" : "no", (unsigned long long)r->lost,
			(unsigned long long)r->bad);
	fprintf(out, "\nRules: %zu NAT rules (%s)\n", in->rules->n, in->rules_src);
	if (!r->has_counters) {
		fprintf(out, "Counters: not read (%s)\n", strerror(-in->ctr_err));
		return;
	}
	fprintf(out, "Counters over %.1f s:", (double)r->interval_ms / 1000.0);
	for (size_t c = 0; c < NAT_CTRS; c++)
		fprintf(out, "%s %s %.1f/s (+%llu)", c ? "," : "", ctr_name[c],
			nat_rate(r, (enum nat_ctr)c), (unsigned long long)r->delta[c]);
	fputc('\n', out);
}

int render_nat_text(FILE *out, const struct render_nat_in *in)
{
	text_header(out, in);
	fputs("\nDestinations, worst first (saturation, ports in use/range)\n", out);
	if (in->rep->n_rows == 0)
		fputs("  none: no source-NATed entries\n", out);
	for (size_t i = 0; i < in->rep->n_rows; i++)
		text_row(out, &in->rep->rows[i]);
	render_text_findings(out, in->findings, false);
	return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}

/* A string from outside (rule locations, netns) made valid UTF-8. */
static json_t *jsafe(const char *s)
{
	char buf[512];

	render_escape(buf, sizeof(buf), s, RENDER_ESC_UTF8);
	return json_string(buf);
}

static json_t *json_clients(const struct nat_row *r)
{
	json_t *arr = json_array();
	char a[INET6_ADDRSTRLEN], n[INET6_ADDRSTRLEN];

	for (size_t i = 0; arr != NULL && i < r->n_clients; i++) {
		const struct nat_client *c = &r->clients[i];

		if (json_array_append_new(arr, json_pack("{s:s, s:o, s:o, s:s, s:o}", "addr",
							 addr_text(r->family, c->addr, a), "count",
							 jw_u64(c->count), "error",
							 jw_u64(c->error), "nat_addr",
							 addr_text(r->family, r->nat_addr, n),
							 "elsewhere", jw_u64(c->elsewhere))) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *json_range(const struct nat_row *r)
{
	static const char *const src[] = {"kernel-default", "rule", "rule-default"};

	return json_pack("{s:i, s:i, s:s, s:o, s:o}", "lo", r->cap.port_lo, "hi", r->cap.port_hi,
			 "source", src[r->cap.src], "rule",
			 r->cap.rule ? jsafe(r->cap.rule->where) : json_null(), "candidates",
			 jw_u64(r->cap.n_candidates));
}

static json_t *json_row(const struct nat_row *r)
{
	char nat[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	return json_pack(
	    "{s:i, s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:i, s:f, s:b, s:o, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o}",
	    "zone", r->zone, "family", r->family == AF_INET6 ? "ipv6" : "ipv4", "proto",
	    nat_proto_name(r->proto), "nat_addr", addr_text(r->family, r->nat_addr, nat), "dst",
	    addr_text(r->family, r->dst, dst), "dport", r->dport, "in_use", jw_u64(r->in_use),
	    "reclaimable", jw_u64(r->reclaimable), "capacity", (int)r->capacity, "saturation_pct",
	    r->saturation_pct, "rule_mismatch", r->is_rule_mismatch, "entries", jw_u64(r->entries),
	    "snat_entries", jw_u64(r->snat_entries), "established", jw_u64(r->established),
	    "time_wait", jw_u64(r->time_wait), "nat_addrs", jw_u64(r->n_nat_addrs),
	    "nat_addrs_configured",
	    r->nat_addrs_configured ? jw_u64(r->nat_addrs_configured) : json_null(), "range",
	    json_range(r), "clients", json_clients(r));
}

static json_t *json_rules(const struct render_nat_in *in)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < in->rules->n; i++) {
		const struct nat_rule *r = &in->rules->rule[i];
		json_t *o = json_pack(
		    "{s:s, s:o, s:o, s:o}", "kind", nat_rule_kind_name(r->kind), "ports",
		    r->has_ports ? json_pack("[i, i]", r->port_lo, r->port_hi) : json_null(),
		    "random_fully", json_boolean(r->flags & NAT_RULE_F_RANDOM_FULLY), "where",
		    jsafe(r->where));

		if (json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return json_pack("{s:s, s:o}", "source", in->rules_src, "rules", arr);
}

static json_t *json_counters(const struct nat_report *r)
{
	json_t *o;

	if (!r->has_counters)
		return json_null();
	o = json_pack("{s:I}", "interval_ms", (json_int_t)r->interval_ms);
	for (size_t c = 0; o != NULL && c < NAT_CTRS; c++) {
		json_t *v = json_pack("{s:o, s:o, s:f}", "total", jw_u64(r->total[c]), "delta",
				      jw_u64(r->delta[c]), "per_s", nat_rate(r, (enum nat_ctr)c));

		if (json_object_set_new(o, ctr_name[c], v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *json_walk(const struct nat_report *r)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o}", "entries", jw_u64(r->entries),
			 "snat_entries", jw_u64(r->snat_entries), "counted", jw_u64(r->counted),
			 "keys", jw_u64(r->keys), "overflow", jw_u64(r->overflow), "interrupted",
			 r->is_interrupted, "lost", jw_u64(r->lost), "bad", jw_u64(r->bad));
}

int render_nat_json(FILE *out, const struct render_nat_in *in)
{
	/* schema 2: netns is the envelope's {"name", "is_init"} (was a string) */
	const struct jw_head head = {.schema = 2,
				     .command = "nat",
				     .version = CTADVISOR_VERSION,
				     .exit_code = rules_exit_code(in->findings),
				     .netns = in->netns != NULL ? in->netns : "",
				     .is_init = -1};
	json_t *rows = json_array(), *root;

	for (size_t i = 0; rows != NULL && i < in->rep->n_rows; i++)
		if (json_array_append_new(rows, json_row(&in->rep->rows[i])) < 0) {
			json_decref(rows);
			rows = NULL;
		}
	root = jw_report(&head, "walk", json_walk(in->rep), "ruleset", json_rules(in), "counters",
			 json_counters(in->rep), "destinations", rows, "findings",
			 render_json_findings(in->findings), JW_END);
	return jw_dump(out, root);
}

/* Prometheus (doc/check-output.md, "ctadvisor nat"): per destination
 * gauges for the rows shown, one rate family per counter, the status. The
 * worst saturation is check's family (ctadvisor_nat_worst_*): written here
 * too, it would be a duplicate series when both files share a textfile
 * directory; the worst is max() over ctadvisor_nat_port_saturation_ratio. */
static void prom_family(FILE *out, const char *name, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void prom_rows(FILE *out, const char *ns, const struct nat_report *r, int which)
{
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct nat_row *w = &r->rows[i];
		char nat[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
		double v = which == 0   ? w->saturation_pct / 100.0
			   : which == 1 ? (double)w->in_use
					: (double)w->capacity;

		fprintf(out,
			"%s{netns=\"%s\",zone=\"%u\",proto=\"%s\",nat_addr=\"%s\",dst=\"%s\","
			"dport=\"%u\"} %.6g\n",
			which == 0   ? "ctadvisor_nat_port_saturation_ratio"
			: which == 1 ? "ctadvisor_nat_ports_in_use"
				     : "ctadvisor_nat_port_capacity",
			ns, w->zone, nat_proto_name(w->proto),
			addr_text(w->family, w->nat_addr, nat), addr_text(w->family, w->dst, dst),
			w->dport, v);
	}
}

/* One gauge family per counter: a rate of found and a rate of drop are two
 * meanings (summing them means nothing), and the name says the unit. */
static const char *const ctr_help[NAT_CTRS] = {
    "Lookups that found an existing entry per second over the sampling interval "
    "(NAT port probes colliding: the early warning).",
    "Entries that could not be inserted per second over the sampling interval "
    "(a connection that found no NAT port).",
    "Packets dropped per second over the sampling interval."};

static void prom_rates(FILE *out, const char *ns, const struct nat_report *r)
{
	char name[64];

	prom_family(out, "ctadvisor_nat_sample_interval_seconds",
		    "Length of the interval the counter rates are taken over.");
	fprintf(out, "ctadvisor_nat_sample_interval_seconds{netns=\"%s\"} %.6g\n", ns,
		(double)r->interval_ms / 1000.0);
	for (size_t c = 0; c < NAT_CTRS; c++) {
		snprintf(name, sizeof(name), "ctadvisor_nat_%s_per_second", ctr_name[c]);
		prom_family(out, name, ctr_help[c]);
		fprintf(out, "%s{netns=\"%s\"} %.6g\n", name, ns, nat_rate(r, (enum nat_ctr)c));
	}
}

int render_nat_prom(FILE *out, const struct render_nat_in *in)
{
	const struct nat_report *r = in->rep;
	char ns[1024];

	render_escape(ns, sizeof(ns), in->netns != NULL ? in->netns : "", RENDER_ESC_PROM);
	if (r->n_rows > 0) {
		prom_family(out, "ctadvisor_nat_port_saturation_ratio",
			    "Source NAT ports in use toward one destination divided by the "
			    "range (0 to 1).");
		prom_rows(out, ns, r, 0);
		prom_family(out, "ctadvisor_nat_ports_in_use",
			    "Source NAT ports in use toward one destination.");
		prom_rows(out, ns, r, 1);
		prom_family(out, "ctadvisor_nat_port_capacity",
			    "Source NAT ports the rules allow toward one destination.");
		prom_rows(out, ns, r, 2);
	}
	prom_family(out, "ctadvisor_nat_source_nat_entries",
		    "Source-NATed conntrack entries the table walk saw.");
	fprintf(out, "ctadvisor_nat_source_nat_entries{netns=\"%s\"} %llu\n", ns,
		(unsigned long long)r->snat_entries);
	if (r->has_counters)
		prom_rates(out, ns, r);
	prom_family(out, "ctadvisor_nat_status", "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	fprintf(out, "ctadvisor_nat_status{netns=\"%s\"} %d\n", ns, rules_exit_code(in->findings));
	return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}
