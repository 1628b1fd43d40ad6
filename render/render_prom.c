/* render_prom.c: the check report in the Prometheus text exposition format
 * 0.0.4, for node_exporter's textfile collector (doc/check-output.md). A
 * family is written only when it has a sample, its samples together, each
 * family with # HELP and # TYPE. Every sample carries a netns label so that
 * one file per namespace can sit in the same textfile directory. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"
#include "render.h"

struct prom_family {
	const char *name;
	const char *type;
	const char *help;
};

#define FAMILY(var, n, t, h) static const struct prom_family var = {n, t, h}

FAMILY(fam_entries, "ctadvisor_conntrack_entries", "gauge",
       "Entries in the conntrack table, as the kernel counts them.");
FAMILY(fam_limit, "ctadvisor_conntrack_entries_limit", "gauge",
       "Maximum entries in the conntrack table (nf_conntrack_max).");
FAMILY(fam_fill, "ctadvisor_conntrack_fill_ratio", "gauge",
       "Conntrack entries divided by the limit (0 to 1).");
FAMILY(fam_buckets, "ctadvisor_conntrack_buckets", "gauge",
       "Buckets of the conntrack hash table (nf_conntrack_buckets).");
FAMILY(fam_walk, "ctadvisor_conntrack_walk_entries", "gauge",
       "Live conntrack entries seen by the table walk, by protocol.");
FAMILY(fam_tcp, "ctadvisor_conntrack_walk_tcp_entries", "gauge",
       "Live TCP conntrack entries seen by the table walk, by state.");
FAMILY(fam_nat, "ctadvisor_conntrack_walk_nat_entries", "gauge",
       "Live conntrack entries seen by the table walk, by NAT kind.");
FAMILY(fam_unreplied, "ctadvisor_conntrack_walk_unreplied_entries", "gauge",
       "Live conntrack entries that have seen no reply.");
FAMILY(fam_assured, "ctadvisor_conntrack_walk_assured_entries", "gauge",
       "Live conntrack entries marked assured.");
FAMILY(fam_memory, "ctadvisor_conntrack_memory_bytes", "gauge",
       "Kernel memory the conntrack table takes now (entries and buckets).");
FAMILY(fam_memory_limit, "ctadvisor_conntrack_memory_limit_bytes", "gauge",
       "Kernel memory the conntrack table would take full, extensions as now.");
FAMILY(fam_memory_limit_ext, "ctadvisor_conntrack_memory_limit_with_extensions_bytes", "gauge",
       "Kernel memory the conntrack table would take full with the accounting and "
       "timestamp extensions on.");
FAMILY(fam_nat_worst, "ctadvisor_nat_worst_saturation_ratio", "gauge",
       "The highest source NAT port saturation of any destination (0 to 1).");
FAMILY(fam_nat_in_use, "ctadvisor_nat_worst_ports_in_use", "gauge",
       "Source NAT ports in use toward the most saturated destination.");
FAMILY(fam_nat_capacity, "ctadvisor_nat_worst_port_capacity", "gauge",
       "Source NAT ports the rules allow toward the most saturated destination.");
FAMILY(fam_ons_found, "ctadvisor_other_netns_found", "gauge",
       "Other network namespaces check --all-netns found.");
FAMILY(fam_ons_entries, "ctadvisor_other_netns_conntrack_entries", "gauge",
       "Entries in another namespace's conntrack table (check --all-netns).");
FAMILY(fam_ons_fill, "ctadvisor_other_netns_conntrack_fill_ratio", "gauge",
       "Another namespace's entries divided by the global limit (0 to 1).");
FAMILY(fam_ons_drop, "ctadvisor_other_netns_conntrack_stat_drop_total", "counter",
       "Packets another namespace dropped because its table was full.");
FAMILY(fam_ons_early, "ctadvisor_other_netns_conntrack_stat_early_drop_total", "counter",
       "Entries another namespace evicted early to make room.");
FAMILY(fam_ons_insert_failed, "ctadvisor_other_netns_conntrack_stat_insert_failed_total", "counter",
       "Entries another namespace could not insert (clashes).");
FAMILY(fam_ons_alert, "ctadvisor_other_netns_alert", "gauge",
       "Another namespace's fill against -w/-c: 0 none, 1 warning, 2 critical.");
FAMILY(fam_window, "ctadvisor_check_window_seconds", "gauge",
       "Seconds since the previous run, over which counter findings are judged (absent: "
       "no window, totals judged).");
FAMILY(fam_last_success, RENDER_PROM_LAST_SUCCESS, "gauge",
       "Unix time of the last check that read the table; after a failed one (status 3), the "
       "time of the one before.");
FAMILY(fam_status, "ctadvisor_check_status", "gauge",
       "Check status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
FAMILY(fam_finding, "ctadvisor_finding", "gauge", "1 for each finding of the check.");
FAMILY(fam_build, "ctadvisor_build_info", "gauge",
       "Always 1; the version of ctadvisor that wrote this.");

/* One counter family per conntrack -S counter (summing drop and found
 * would mean nothing), in slot order. Slots without a line here are the
 * unknownN counters of newer kernels. */
static const char *const stat_help[SNAP_STAT_SLOTS] = {
    [SNAP_STAT_SEARCHED] = "Hash table lookups (kernels before 4.10).",
    [SNAP_STAT_FOUND] = "Lookups that found an existing entry.",
    [SNAP_STAT_NEW] = "Entries created (kernels before 4.10).",
    [SNAP_STAT_INVALID] = "Packets conntrack could not track: malformed, out of window, or "
			  "not matching any state.",
    [SNAP_STAT_IGNORE] = "Packets that already had an entry or were marked untracked.",
    [SNAP_STAT_DELETE] = "Entries deleted (kernels before 4.10).",
    [SNAP_STAT_DELETE_LIST] = "Entries removed from the unconfirmed list (kernels before 4.10).",
    [SNAP_STAT_INSERT] = "Entries inserted into the table.",
    [SNAP_STAT_INSERT_FAILED] = "Entries that could not be inserted, mostly a clash with an "
				"existing entry (parallel UDP, NAT port reuse); the packet is "
				"dropped.",
    [SNAP_STAT_DROP] = "Packets dropped because the table was full and no entry could be "
		       "evicted.",
    [SNAP_STAT_EARLY_DROP] = "Entries evicted early to make room in a full table.",
    [SNAP_STAT_ERROR] = "Packets that caused a tracking error, such as ICMP errors for an "
			"unknown flow.",
    [SNAP_STAT_SEARCH_RESTART] = "Lookups restarted because the chain changed under them.",
    [SNAP_STAT_CLASH_RESOLVE] = "Insert clashes resolved by reusing the existing entry.",
    [SNAP_STAT_CHAINTOOLONG] = "Packets dropped because a hash chain grew too long.",
};

struct prom {
	FILE *out;
	char cur[96];     /* name of the family whose header was written last */
	char netns[1024]; /* escaped label value */
};

/* labels: "" or further escaped label pairs, e.g. cpu="0",stat="found". */
static void prom_sample(struct prom *p, const struct prom_family *f, const char *labels,
			const char *value)
{
	if (strcmp(p->cur, f->name) != 0) {
		fprintf(p->out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
		snprintf(p->cur, sizeof(p->cur), "%s", f->name);
	}
	fprintf(p->out, "%s{netns=\"%s\"%s%s} %s\n", f->name, p->netns, labels[0] ? "," : "",
		labels, value);
}

static void prom_u64(struct prom *p, const struct prom_family *f, const char *labels, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	prom_sample(p, f, labels, buf);
}

/* The same precision as the JSON renderer. */
static void prom_f64(struct prom *p, const struct prom_family *f, const char *labels, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.12g", v);
	prom_sample(p, f, labels, buf);
}

/* One label pair with an escaped value, written into buf. A long value is
 * cut at a whole escape, so the quoting stays intact. */
#define PROM_VALUE_LEN 256
#define PROM_LABEL_LEN (PROM_VALUE_LEN + 32)
static const char *prom_label(char *buf, size_t size, const char *name, const char *value)
{
	char esc[PROM_VALUE_LEN];

	render_escape(esc, sizeof(esc), value, RENDER_ESC_PROM);
	snprintf(buf, size, "%s=\"%s\"", name, esc);
	return buf;
}

static void prom_occupancy(struct prom *p, const struct ct_snapshot *snap,
			   const struct rules_report *rep)
{
	if (snap->has_count)
		prom_u64(p, &fam_entries, "", snap->count);
	if (snap->has_max)
		prom_u64(p, &fam_limit, "", snap->max);
	if (snap->has_count && snap->has_max && snap->max > 0 && rep->d.fill_pct >= 0)
		prom_f64(p, &fam_fill, "", rep->d.fill_pct / 100.0);
	if (snap->set.buckets >= 0)
		prom_u64(p, &fam_buckets, "", (uint64_t)snap->set.buckets);
}

/* ctadvisor_conntrack_stat_<name>_total, one sample per CPU that has it. */
static void prom_stat(struct prom *p, const struct ct_snapshot *snap, unsigned s)
{
	const char *name = snap_stat_name(s);
	char fname[96], help[256], labels[32];
	struct prom_family f = {fname, "counter", help};

	if (name == NULL)
		return;
	snprintf(fname, sizeof(fname), "ctadvisor_conntrack_stat_%s_total", name);
	if (stat_help[s] != NULL)
		snprintf(help, sizeof(help), "%s Per CPU; conntrack -S: %s.", stat_help[s], name);
	else
		snprintf(help, sizeof(help),
			 "A counter of a newer kernel, by its attribute number. Per CPU; "
			 "conntrack -S: %s.",
			 name);
	for (size_t i = 0; i < snap->n_cpus; i++) {
		const struct snap_cpu_stats *st = &snap->cpus[i];

		if (!(st->present & (UINT32_C(1) << s)))
			continue;
		snprintf(labels, sizeof(labels), "cpu=\"%u\"", st->cpu);
		prom_u64(p, &f, labels, st->v[s]);
	}
}

static void prom_stats(struct prom *p, const struct ct_snapshot *snap)
{
	if (!snap->has_stats)
		return;
	for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++)
		prom_stat(p, snap, s);
}

/* Protocols only when present (there are 256); the TCP states always, so
 * that a state's series does not come and go; NAT kinds always. */
static void prom_walk(struct prom *p, const struct snap_walk *w)
{
	char labels[PROM_LABEL_LEN], proto[16];

	for (unsigned i = 0; i < 256; i++) {
		const char *name = snap_proto_name(i);

		if (w->by_proto[i] == 0)
			continue;
		if (name == NULL) {
			snprintf(proto, sizeof(proto), "proto-%u", i);
			name = proto;
		}
		prom_u64(p, &fam_walk, prom_label(labels, sizeof(labels), "proto", name),
			 w->by_proto[i]);
	}
	for (unsigned s = 0; s <= SNAP_TCP_STATES; s++)
		if (s < SNAP_TCP_STATES || w->tcp_state[s] != 0)
			prom_u64(
			    p, &fam_tcp,
			    prom_label(labels, sizeof(labels), "state", snap_tcp_state_name(s)),
			    w->tcp_state[s]);
	prom_u64(p, &fam_nat, "kind=\"none\"", w->nat_none);
	prom_u64(p, &fam_nat, "kind=\"src\"", w->nat_src);
	prom_u64(p, &fam_nat, "kind=\"dst\"", w->nat_dst);
	prom_u64(p, &fam_nat, "kind=\"both\"", w->nat_both);
	prom_u64(p, &fam_unreplied, "", w->unreplied);
	prom_u64(p, &fam_assured, "", w->assured);
}

static void prom_memory(struct prom *p, const struct rules_report *rep)
{
	if (rep->d.mem_now_bytes >= 0)
		prom_u64(p, &fam_memory, "", (uint64_t)rep->d.mem_now_bytes);
	if (rep->d.mem_at_max_bytes >= 0)
		prom_u64(p, &fam_memory_limit, "", (uint64_t)rep->d.mem_at_max_bytes);
	if (rep->d.mem_at_max_ext_bytes >= 0)
		prom_u64(p, &fam_memory_limit_ext, "", (uint64_t)rep->d.mem_at_max_ext_bytes);
}

static void prom_nat(struct prom *p, const struct snap_nat_worst *n)
{
	prom_f64(p, &fam_nat_worst, "", n->has_row ? n->saturation_pct / 100.0 : 0.0);
	if (!n->has_row)
		return;
	prom_u64(p, &fam_nat_in_use, "", n->in_use);
	prom_u64(p, &fam_nat_capacity, "", n->capacity);
}

/* A sample whose netns label is the namespace it describes, not the one
 * checked: netns (its name), inode, pod, namespace, as inventory writes. */
static void prom_other(struct prom *p, const struct prom_family *f, const struct snap_netns *ns,
		       const char *value)
{
	char name[PROM_VALUE_LEN], pod[PROM_VALUE_LEN], pns[PROM_VALUE_LEN];

	if (strcmp(p->cur, f->name) != 0) {
		fprintf(p->out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
		snprintf(p->cur, sizeof(p->cur), "%s", f->name);
	}
	render_escape(name, sizeof(name), ns->name, RENDER_ESC_PROM);
	render_escape(pod, sizeof(pod), ns->pod, RENDER_ESC_PROM);
	render_escape(pns, sizeof(pns), ns->pod_namespace, RENDER_ESC_PROM);
	fprintf(p->out, "%s{netns=\"%s\",inode=\"%" PRIu64 "\",pod=\"%s\",namespace=\"%s\"} %s\n",
		f->name, name, ns->inode, pod, pns, value);
}

enum ons_fig { ONS_ENTRIES, ONS_FILL, ONS_DROP, ONS_EARLY, ONS_INSERT_FAILED, ONS_ALERT };

/* One family over every listed namespace that has the figure. */
static void prom_other_family(struct prom *p, const struct snap_all_netns *all,
			      const struct prom_family *f, enum ons_fig fig)
{
	for (size_t i = 0; i < all->n_list && i < SNAP_NETNS_LIST; i++) {
		const struct snap_netns *ns = &all->list[i];
		bool is_stat = fig == ONS_DROP || fig == ONS_EARLY || fig == ONS_INSERT_FAILED;
		char buf[32];

		if ((fig == ONS_ENTRIES && !ns->has_count) ||
		    (fig == ONS_FILL && ns->fill_pct < 0) || (is_stat && !ns->has_stats))
			continue;
		if (fig == ONS_FILL)
			snprintf(buf, sizeof(buf), "%.12g", ns->fill_pct / 100.0);
		else
			snprintf(buf, sizeof(buf), "%" PRIu64,
				 fig == ONS_ENTRIES ? ns->count
				 : fig == ONS_DROP  ? ns->drop
				 : fig == ONS_EARLY ? ns->early_drop
				 : is_stat          ? ns->insert_failed
						    : (uint64_t)ns->alert);
		prom_other(p, f, ns, buf);
	}
}

static void prom_all_netns(struct prom *p, const struct snap_all_netns *all)
{
	prom_u64(p, &fam_ons_found, "", all->n_found);
	prom_other_family(p, all, &fam_ons_entries, ONS_ENTRIES);
	prom_other_family(p, all, &fam_ons_fill, ONS_FILL);
	prom_other_family(p, all, &fam_ons_drop, ONS_DROP);
	prom_other_family(p, all, &fam_ons_early, ONS_EARLY);
	prom_other_family(p, all, &fam_ons_insert_failed, ONS_INSERT_FAILED);
	prom_other_family(p, all, &fam_ons_alert, ONS_ALERT);
}

static void prom_findings(struct prom *p, const struct rules_report *rep)
{
	prom_u64(p, &fam_status, "", (uint64_t)rules_exit_code(rep));
	for (size_t i = 0; i < rep->n_findings && i < RULES_FINDINGS; i++) {
		const struct rules_finding *f = &rep->findings[i];
		char id[PROM_LABEL_LEN], sev[PROM_LABEL_LEN], labels[2 * PROM_LABEL_LEN + 2];

		prom_label(id, sizeof(id), "id", f->id != NULL ? f->id : "");
		prom_label(sev, sizeof(sev), "severity", rules_sev_name(f->sev));
		snprintf(labels, sizeof(labels), "%s,%s", id, sev);
		prom_u64(p, &fam_finding, labels, 1);
	}
}

int render_prom(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts)
{
	struct prom p = {.out = out};
	char version[PROM_LABEL_LEN];

	render_escape(p.netns, sizeof(p.netns), snap->netns, RENDER_ESC_PROM);
	prom_occupancy(&p, snap, rep);
	prom_stats(&p, snap);
	if (snap->has_walk)
		prom_walk(&p, &snap->walk);
	if (snap->nat.has_nat)
		prom_nat(&p, &snap->nat);
	if (snap->all_ns.has_all)
		prom_all_netns(&p, &snap->all_ns);
	prom_memory(&p, rep);
	if (snap->prev.state == SNAP_PREV_OK)
		prom_u64(&p, &fam_window, "", snap->prev.window_s);
	if (opts->last_success_s != 0)
		prom_u64(&p, &fam_last_success, "", opts->last_success_s);
	prom_findings(&p, rep);
	prom_u64(&p, &fam_build,
		 prom_label(version, sizeof(version), "version",
			    opts->version != NULL ? opts->version : ""),
		 1);
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}
