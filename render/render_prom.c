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
#include "promw.h"
#include "render.h"

PW_FAMILY(fam_entries, "ctadvisor_conntrack_entries", "gauge",
	  "Entries in the conntrack table, as the kernel counts them.");
PW_FAMILY(fam_limit, "ctadvisor_conntrack_entries_limit", "gauge",
	  "Maximum entries in the conntrack table (nf_conntrack_max).");
PW_FAMILY(fam_fill, "ctadvisor_conntrack_fill_ratio", "gauge",
	  "Conntrack entries divided by the limit (0 to 1).");
PW_FAMILY(fam_buckets, "ctadvisor_conntrack_buckets", "gauge",
	  "Buckets of the conntrack hash table (nf_conntrack_buckets).");
PW_FAMILY(fam_walk, "ctadvisor_conntrack_walk_entries", "gauge",
	  "Live conntrack entries seen by the table walk, by protocol.");
PW_FAMILY(fam_tcp, "ctadvisor_conntrack_walk_tcp_entries", "gauge",
	  "Live TCP conntrack entries seen by the table walk, by state.");
PW_FAMILY(fam_nat, "ctadvisor_conntrack_walk_nat_entries", "gauge",
	  "Live conntrack entries seen by the table walk, by NAT kind.");
PW_FAMILY(fam_unreplied, "ctadvisor_conntrack_walk_unreplied_entries", "gauge",
	  "Live conntrack entries that have seen no reply.");
PW_FAMILY(fam_assured, "ctadvisor_conntrack_walk_assured_entries", "gauge",
	  "Live conntrack entries marked assured.");
PW_FAMILY(fam_memory, "ctadvisor_conntrack_memory_bytes", "gauge",
	  "Kernel memory the conntrack table takes now (entries and buckets).");
PW_FAMILY(fam_memory_limit, "ctadvisor_conntrack_memory_limit_bytes", "gauge",
	  "Kernel memory the conntrack table would take full, extensions as now.");
PW_FAMILY(fam_memory_limit_ext, "ctadvisor_conntrack_memory_limit_with_extensions_bytes", "gauge",
	  "Kernel memory the conntrack table would take full with the accounting and "
	  "timestamp extensions on.");
PW_FAMILY(fam_nat_worst, "ctadvisor_nat_worst_saturation_ratio", "gauge",
	  "The highest source NAT port saturation of any destination (0 to 1).");
PW_FAMILY(fam_nat_in_use, "ctadvisor_nat_worst_ports_in_use", "gauge",
	  "Source NAT ports in use toward the most saturated destination.");
PW_FAMILY(fam_nat_capacity, "ctadvisor_nat_worst_port_capacity", "gauge",
	  "Source NAT ports the rules allow toward the most saturated destination.");
PW_FAMILY(fam_ons_found, "ctadvisor_other_netns_found", "gauge",
	  "Other network namespaces check --all-netns found.");
PW_FAMILY(fam_ons_entries, "ctadvisor_other_netns_conntrack_entries", "gauge",
	  "Entries in another namespace's conntrack table (check --all-netns).");
PW_FAMILY(fam_ons_fill, "ctadvisor_other_netns_conntrack_fill_ratio", "gauge",
	  "Another namespace's entries divided by the global limit (0 to 1).");
PW_FAMILY(fam_ons_drop, "ctadvisor_other_netns_conntrack_stat_drop_total", "counter",
	  "Packets another namespace dropped because its table was full.");
PW_FAMILY(fam_ons_early, "ctadvisor_other_netns_conntrack_stat_early_drop_total", "counter",
	  "Entries another namespace evicted early to make room.");
PW_FAMILY(fam_ons_insert_failed, "ctadvisor_other_netns_conntrack_stat_insert_failed_total",
	  "counter", "Entries another namespace could not insert (clashes).");
PW_FAMILY(fam_ons_alert, "ctadvisor_other_netns_alert", "gauge",
	  "Another namespace's fill against -w/-c: 0 none, 1 warning, 2 critical.");
PW_FAMILY(fam_window, "ctadvisor_check_window_seconds", "gauge",
	  "Seconds since the previous run, over which counter findings are judged (absent: "
	  "no window, totals judged).");
PW_FAMILY(fam_last_success, RENDER_PROM_LAST_SUCCESS, "gauge",
	  "Unix time of the last check that read the table; after a failed one (status 3), the "
	  "time of the one before.");
PW_FAMILY(fam_status, "ctadvisor_check_status", "gauge",
	  "Check status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
PW_FAMILY(fam_finding, "ctadvisor_finding", "gauge", "1 for each finding of the check.");
PW_FAMILY(fam_build, "ctadvisor_build_info", "gauge",
	  "Always 1; the version of ctadvisor that wrote this.");

static void prom_occupancy(struct pw *p, const struct ct_snapshot *snap,
			   const struct rules_report *rep)
{
	if (snap->has_count)
		pw_u64(p, &fam_entries, "", snap->count);
	if (snap->has_max)
		pw_u64(p, &fam_limit, "", snap->max);
	if (snap->has_count && snap->has_max && snap->max > 0 && rep->d.fill_pct >= 0)
		pw_f64(p, &fam_fill, "", rep->d.fill_pct / 100.0);
	if (snap->set.buckets >= 0)
		pw_u64(p, &fam_buckets, "", (uint64_t)snap->set.buckets);
}

/* ctadvisor_conntrack_stat_<name>_total, one sample per CPU that has it. */
static void prom_stat(struct pw *p, const struct ct_snapshot *snap, unsigned s)
{
	const char *name = snap_stat_name(s);
	char fname[96], help[256], labels[32];
	struct pw_family f = {fname, "counter", help};

	if (name == NULL)
		return;
	snprintf(fname, sizeof(fname), "ctadvisor_conntrack_stat_%s_total", name);
	if (pw_stat_help(s) != NULL)
		snprintf(help, sizeof(help), "%s Per CPU; conntrack -S: %s.", pw_stat_help(s),
			 name);
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
		pw_u64(p, &f, labels, st->v[s]);
	}
}

static void prom_stats(struct pw *p, const struct ct_snapshot *snap)
{
	if (!snap->has_stats)
		return;
	for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++)
		prom_stat(p, snap, s);
}

/* Protocols only when present (there are 256); the TCP states always, so
 * that a state's series does not come and go; NAT kinds always. */
static void prom_walk(struct pw *p, const struct snap_walk *w)
{
	char labels[PW_LABEL_LEN], proto[16];

	for (unsigned i = 0; i < 256; i++) {
		const char *name = snap_proto_name(i);

		if (w->by_proto[i] == 0)
			continue;
		if (name == NULL) {
			snprintf(proto, sizeof(proto), "proto-%u", i);
			name = proto;
		}
		pw_u64(p, &fam_walk, pw_label(labels, sizeof(labels), "proto", name),
		       w->by_proto[i]);
	}
	for (unsigned s = 0; s <= SNAP_TCP_STATES; s++)
		if (s < SNAP_TCP_STATES || w->tcp_state[s] != 0)
			pw_u64(p, &fam_tcp,
			       pw_label(labels, sizeof(labels), "state", snap_tcp_state_name(s)),
			       w->tcp_state[s]);
	pw_u64(p, &fam_nat, "kind=\"none\"", w->nat_none);
	pw_u64(p, &fam_nat, "kind=\"src\"", w->nat_src);
	pw_u64(p, &fam_nat, "kind=\"dst\"", w->nat_dst);
	pw_u64(p, &fam_nat, "kind=\"both\"", w->nat_both);
	pw_u64(p, &fam_unreplied, "", w->unreplied);
	pw_u64(p, &fam_assured, "", w->assured);
}

static void prom_memory(struct pw *p, const struct rules_report *rep)
{
	if (rep->d.mem_now_bytes >= 0)
		pw_u64(p, &fam_memory, "", (uint64_t)rep->d.mem_now_bytes);
	if (rep->d.mem_at_max_bytes >= 0)
		pw_u64(p, &fam_memory_limit, "", (uint64_t)rep->d.mem_at_max_bytes);
	if (rep->d.mem_at_max_ext_bytes >= 0)
		pw_u64(p, &fam_memory_limit_ext, "", (uint64_t)rep->d.mem_at_max_ext_bytes);
}

static void prom_nat(struct pw *p, const struct snap_nat_worst *n)
{
	pw_f64(p, &fam_nat_worst, "", n->has_row ? n->saturation_pct / 100.0 : 0.0);
	if (!n->has_row)
		return;
	pw_u64(p, &fam_nat_in_use, "", n->in_use);
	pw_u64(p, &fam_nat_capacity, "", n->capacity);
}

/* A sample whose netns label is the namespace it describes, not the one
 * checked: netns (its name), inode, pod, namespace, as inventory writes. */
static void prom_other(struct pw *p, const struct pw_family *f, const struct snap_netns *ns,
		       const char *value)
{
	char name[PW_VALUE_LEN], pod[PW_VALUE_LEN], pns[PW_VALUE_LEN];

	pw_header(p, f);
	render_escape(name, sizeof(name), ns->name, RENDER_ESC_PROM);
	render_escape(pod, sizeof(pod), ns->pod, RENDER_ESC_PROM);
	render_escape(pns, sizeof(pns), ns->pod_namespace, RENDER_ESC_PROM);
	fprintf(p->out, "%s{netns=\"%s\",inode=\"%" PRIu64 "\",pod=\"%s\",namespace=\"%s\"} %s\n",
		f->name, name, ns->inode, pod, pns, value);
}

enum ons_fig { ONS_ENTRIES, ONS_FILL, ONS_DROP, ONS_EARLY, ONS_INSERT_FAILED, ONS_ALERT };

/* One family over every listed namespace that has the figure. */
static void prom_other_family(struct pw *p, const struct snap_all_netns *all,
			      const struct pw_family *f, enum ons_fig fig)
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

static void prom_all_netns(struct pw *p, const struct snap_all_netns *all)
{
	pw_u64(p, &fam_ons_found, "", all->n_found);
	prom_other_family(p, all, &fam_ons_entries, ONS_ENTRIES);
	prom_other_family(p, all, &fam_ons_fill, ONS_FILL);
	prom_other_family(p, all, &fam_ons_drop, ONS_DROP);
	prom_other_family(p, all, &fam_ons_early, ONS_EARLY);
	prom_other_family(p, all, &fam_ons_insert_failed, ONS_INSERT_FAILED);
	prom_other_family(p, all, &fam_ons_alert, ONS_ALERT);
}

static void prom_findings(struct pw *p, const struct rules_report *rep)
{
	pw_u64(p, &fam_status, "", (uint64_t)rules_exit_code(rep));
	for (size_t i = 0; i < rep->n_findings && i < RULES_FINDINGS; i++) {
		const struct rules_finding *f = &rep->findings[i];
		char id[PW_LABEL_LEN], sev[PW_LABEL_LEN], labels[2 * PW_LABEL_LEN + 2];

		pw_label(id, sizeof(id), "id", f->id != NULL ? f->id : "");
		pw_label(sev, sizeof(sev), "severity", rules_sev_name(f->sev));
		snprintf(labels, sizeof(labels), "%s,%s", id, sev);
		pw_u64(p, &fam_finding, labels, 1);
	}
}

int render_prom(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts)
{
	struct pw p;
	char version[PW_LABEL_LEN];

	pw_init(&p, out, snap->netns);
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
		pw_u64(&p, &fam_window, "", snap->prev.window_s);
	if (opts->last_success_s != 0)
		pw_u64(&p, &fam_last_success, "", opts->last_success_s);
	prom_findings(&p, rep);
	pw_u64(&p, &fam_build,
	       pw_label(version, sizeof(version), "version",
			opts->version != NULL ? opts->version : ""),
	       1);
	return pw_finish(&p);
}
