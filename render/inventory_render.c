/* inventory_render.c: the namespace inventory as text and Prometheus
 * exposition (JSON is in inventory_json.c). They format; inventory_totals()
 * computes. Names, process names and cgroup-derived ids come from outside
 * and are escaped. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "inventory_render.h"

static void human_bytes(uint64_t v, char *buf, size_t size)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double d = (double)v;
	unsigned u = 0;

	while (d >= 1024 && u < 4) {
		d /= 1024;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", d, unit[u]);
}

static void text_summary(FILE *out, const struct inv_totals *t, const struct inv_host *host)
{
	char mem[32], ram[32];

	fprintf(out,
		"Network namespaces: %zu; pinned without a process: %zu (normal for ip netns "
		"routers); possible leaks (no process, no conntrack entries): %zu",
		t->n_ns, t->n_no_process, t->n_leaks);
	if (t->n_failed)
		fprintf(out, "; unreadable: %zu", t->n_failed);
	fprintf(out, "\nConntrack entries in all namespaces: %" PRIu64, t->entries);
	if (t->has_live)
		fprintf(out, " (live, from the table walks: %" PRIu64 ")", t->live);
	if (host->buckets > 0)
		fprintf(out,
			"\nHash table: %" PRId64 " buckets shared by all namespaces, "
			"load %.4f (2 x entries / buckets)",
			host->buckets, t->hash_load);
	if (host->slab_obj_bytes > 0) {
		human_bytes(t->mem_bytes, mem, sizeof(mem));
		human_bytes(host->ram_bytes, ram, sizeof(ram));
		fprintf(out, "\nMemory: at least %s (%" PRIu64 " B per entry", mem,
			host->slab_obj_bytes);
		if (t->mem_ram_ratio >= 0)
			fprintf(out, ") of %s RAM (%.3f%%)", ram, 100 * t->mem_ram_ratio);
		else
			fputc(')', out);
	}
	if (host->max > 0)
		fprintf(out, "\nnf_conntrack_max %" PRId64 " applies to each namespace's own count",
			host->max);
	fprintf(out, "\nOverrides are against the %s namespace.\n\n",
		host->is_init ? "initial" : "caller's");
}

static void text_num(FILE *out, const struct inv_ns *ns, enum inv_key key, int width)
{
	uint64_t v;

	if (inventory_value(ns, key, &v) == 0)
		fprintf(out, " %*" PRIu64, width, v);
	else
		fprintf(out, " %*s", width, "-");
}

static void text_notes(FILE *out, const struct inv_ns *ns)
{
	const struct inv_figures *f = &ns->fig;
	char esc[256], ebuf[RENDER_ERRNO_BUF];

	if (inventory_is_possible_leak(ns))
		fputs("  [pinned, no process, no entries: possible leak]", out);
	else if (inventory_no_process(ns))
		fputs("  [pinned, no process]", out);
	if (f->is_init)
		fputs("  [initial namespace]", out);
	if (f->walk_interrupted)
		fputs("  [walk interrupted]", out);
	if (f->err != 0)
		fprintf(out, "  [%s failed: %s]", f->err_what,
			render_errno_name(f->err, ebuf, sizeof(ebuf)));
	if (f->n_ov > 0)
		fputs("\n       overrides:", out);
	for (size_t i = 0; i < f->n_ov; i++) {
		const char *k = f->ov[i].knob;

		if (strncmp(k, "net.netfilter.", 14) == 0)
			k += 14;
		render_escape(esc, sizeof(esc), f->ov[i].value, RENDER_ESC_TEXT);
		fprintf(out, " %s=%s", k, esc);
		render_escape(esc, sizeof(esc), f->ov[i].baseline, RENDER_ESC_TEXT);
		fprintf(out, " (%s)%s", esc[0] ? esc : "absent", i + 1 < f->n_ov ? "," : "");
	}
	if (f->n_ov_more > 0)
		fprintf(out, " and %zu more", f->n_ov_more);
}

static void text_row(FILE *out, const struct inv_ns *ns, const struct inv_host *host, bool has_walk)
{
	char name[INV_NAME_LEN], owner[512], esc[1024];

	if (ns->name[0] != '\0')
		render_escape(name, sizeof(name), ns->name, RENDER_ESC_TEXT);
	else
		snprintf(name, sizeof(name), "ino:%" PRIu64, ns->ino);
	/* The NETNS column already names a pinned namespace. */
	if (ns->has_pod || ns->has_container || ns->n_comm > 0)
		inventory_owner_text(ns, owner, sizeof(owner));
	else
		snprintf(owner, sizeof(owner), "-");
	render_escape(esc, sizeof(esc), owner, RENDER_ESC_TEXT);
	text_num(out, ns, INV_KEY_COUNT, 9);
	if (ns->fig.has_count && host->max > 0)
		fprintf(out, " %5.1f%%", 100.0 * (double)ns->fig.count / (double)host->max);
	else
		fprintf(out, " %6s", "-");
	if (has_walk)
		text_num(out, ns, INV_KEY_LIVE, 9);
	text_num(out, ns, INV_KEY_DROP, 8);
	text_num(out, ns, INV_KEY_EARLY_DROP, 10);
	text_num(out, ns, INV_KEY_INSERT_FAILED, 13);
	text_num(out, ns, INV_KEY_INVALID, 8);
	fprintf(out, "  %-24s %s", name, esc);
	text_notes(out, ns);
	fputc('\n', out);
}

int inventory_render_text(FILE *out, const struct inventory *inv, const struct inv_host *host,
			  size_t top, bool has_walk)
{
	struct inv_totals t;
	size_t n = top > 0 && top < inv->n ? top : inv->n;

	inventory_totals(inv, host, &t);
	text_summary(out, &t, host);
	fprintf(out, " %9s %6s%s %8s %10s %13s %8s  %-24s %s\n", "ENTRIES", "%MAX",
		has_walk ? "      LIVE" : "", "DROP", "EARLY_DROP", "INSERT_FAILED", "INVALID",
		"NETNS", "OWNER");
	for (size_t i = 0; i < n; i++)
		text_row(out, &inv->ns[i], host, has_walk);
	if (n < inv->n)
		fprintf(out, "(%zu more namespaces not shown: --top N, or --format json for all)\n",
			inv->n - n);
	return ferror(out) ? -EIO : 0;
}

#define PROM_LABELS_LEN 2600

/* Prometheus: one family after the other, each with HELP and TYPE. */
static void prom_head(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_labels(const struct inv_ns *ns, char *buf, size_t size)
{
	char name[1024], pod[1024], pns[256];

	render_escape(name, sizeof(name), ns->name, RENDER_ESC_PROM);
	render_escape(pod, sizeof(pod), ns->has_pod ? ns->owner.pod_name : "", RENDER_ESC_PROM);
	render_escape(pns, sizeof(pns), ns->has_pod ? ns->owner.pod_namespace : "",
		      RENDER_ESC_PROM);
	snprintf(buf, size, "netns=\"%s\",inode=\"%" PRIu64 "\",pod=\"%s\",namespace=\"%s\"", name,
		 ns->ino, pod, pns);
}

/* One counter family per kernel counter, as check writes them (summing
 * drop and invalid would mean nothing). */
static const struct {
	enum inv_key key;
	const char *name, *help;
} prom_stats[] = {
    {INV_KEY_DROP, "ctadvisor_netns_conntrack_stat_drop_total",
     "Packets the namespace dropped because its table was full, summed over CPUs."},
    {INV_KEY_EARLY_DROP, "ctadvisor_netns_conntrack_stat_early_drop_total",
     "Entries the namespace evicted early to make room, summed over CPUs."},
    {INV_KEY_INSERT_FAILED, "ctadvisor_netns_conntrack_stat_insert_failed_total",
     "Entries the namespace could not insert (clashes, no NAT port), summed over CPUs."},
    {INV_KEY_INVALID, "ctadvisor_netns_conntrack_stat_invalid_total",
     "Packets the namespace's conntrack could not track, summed over CPUs."},
};

static void prom_gauge_rows(FILE *out, const struct inventory *inv, const char *name,
			    enum inv_key key)
{
	char labels[PROM_LABELS_LEN];
	uint64_t v;

	for (size_t i = 0; i < inv->n; i++) {
		if (inventory_value(&inv->ns[i], key, &v) < 0)
			continue;
		prom_labels(&inv->ns[i], labels, sizeof(labels));
		fprintf(out, "%s{%s} %" PRIu64 "\n", name, labels, v);
	}
}

/* A family is written only when it has a sample. */
static bool prom_has_key(const struct inventory *inv, enum inv_key key)
{
	uint64_t v;

	for (size_t i = 0; i < inv->n; i++)
		if (inventory_value(&inv->ns[i], key, &v) == 0)
			return true;
	return false;
}

static void prom_flags(FILE *out, const struct inventory *inv)
{
	char labels[PROM_LABELS_LEN];

	if (inv->n == 0)
		return;
	prom_head(out, "ctadvisor_netns_pinned_without_process", "gauge",
		  "1 when the namespace is pinned (bind mount) but no process is in it.");
	for (size_t i = 0; i < inv->n; i++) {
		prom_labels(&inv->ns[i], labels, sizeof(labels));
		fprintf(out, "ctadvisor_netns_pinned_without_process{%s} %d\n", labels,
			inventory_no_process(&inv->ns[i]));
	}
	prom_head(out, "ctadvisor_netns_up", "gauge",
		  "1 when every figure of the namespace could be read.");
	for (size_t i = 0; i < inv->n; i++) {
		prom_labels(&inv->ns[i], labels, sizeof(labels));
		fprintf(out, "ctadvisor_netns_up{%s} %d\n", labels, inv->ns[i].fig.err == 0);
	}
	prom_head(out, "ctadvisor_netns_sysctl_overrides", "gauge",
		  "Conntrack knobs whose value differs from the initial namespace's.");
	for (size_t i = 0; i < inv->n; i++) {
		prom_labels(&inv->ns[i], labels, sizeof(labels));
		fprintf(out, "ctadvisor_netns_sysctl_overrides{%s} %zu\n", labels,
			inv->ns[i].fig.n_ov + inv->ns[i].fig.n_ov_more);
	}
}

static void prom_totals(FILE *out, const struct inventory *inv, const struct inv_host *host)
{
	struct inv_totals t;

	inventory_totals(inv, host, &t);
	prom_head(out, "ctadvisor_netns_found", "gauge",
		  "Network namespaces ctadvisor inventory found.");
	fprintf(out, "ctadvisor_netns_found %zu\n", t.n_ns);
	prom_head(out, "ctadvisor_conntrack_entries_all_netns", "gauge",
		  "Conntrack entries summed over every network namespace.");
	fprintf(out, "ctadvisor_conntrack_entries_all_netns %" PRIu64 "\n", t.entries);
	if (t.hash_load >= 0) {
		prom_head(out, "ctadvisor_conntrack_hash_load", "gauge",
			  "Average hash chain length: 2 x entries of all namespaces / buckets.");
		fprintf(out, "ctadvisor_conntrack_hash_load %.12g\n", t.hash_load);
	}
	if (t.mem_bytes > 0) {
		prom_head(out, "ctadvisor_conntrack_all_netns_memory_bytes", "gauge",
			  "Kernel memory of the entries of all namespaces (at least).");
		fprintf(out, "ctadvisor_conntrack_all_netns_memory_bytes %" PRIu64 "\n",
			t.mem_bytes);
	}
	if (host->max > 0) {
		/* Not check's ctadvisor_conntrack_entries_limit{netns}: one family
		 * must keep one HELP and one label set across textfile files. */
		prom_head(out, "ctadvisor_netns_conntrack_entries_limit", "gauge",
			  "nf_conntrack_max: the one global limit each namespace's own count "
			  "is compared with.");
		fprintf(out, "ctadvisor_netns_conntrack_entries_limit %" PRId64 "\n", host->max);
	}
}

int inventory_render_prom(FILE *out, const struct inventory *inv, const struct inv_host *host)
{
	prom_totals(out, inv, host);
	if (prom_has_key(inv, INV_KEY_COUNT)) {
		prom_head(out, "ctadvisor_netns_conntrack_entries", "gauge",
			  "Conntrack entries of the namespace, as the kernel counts them.");
		prom_gauge_rows(out, inv, "ctadvisor_netns_conntrack_entries", INV_KEY_COUNT);
	}
	if (prom_has_key(inv, INV_KEY_LIVE)) {
		prom_head(out, "ctadvisor_netns_conntrack_live_entries", "gauge",
			  "Live conntrack entries of the namespace seen by a table walk.");
		prom_gauge_rows(out, inv, "ctadvisor_netns_conntrack_live_entries", INV_KEY_LIVE);
	}
	for (size_t k = 0; k < sizeof(prom_stats) / sizeof(prom_stats[0]); k++)
		if (prom_has_key(inv, prom_stats[k].key)) {
			prom_head(out, prom_stats[k].name, "counter", prom_stats[k].help);
			prom_gauge_rows(out, inv, prom_stats[k].name, prom_stats[k].key);
		}
	prom_flags(out, inv);
	return ferror(out) ? -EIO : 0;
}
