/* netns_summary.c: what check --all-netns reports of the other namespaces:
 * each one's fill judged by check's -w/-c ranges, the worst by fill and by
 * drop, early_drop and insert_failed, and the findings they give. Pure. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netns_summary.h"

#define N_EXTRA 3 /* the worst by drop, early_drop and insert_failed */

static bool is_self(const struct inv_ns *ns, const struct check_netns_self *self)
{
	return self != NULL && self->is_known && ns->dev == self->dev && ns->ino == self->ino;
}

static int alert_of(double fill, const struct range *warn, const struct range *crit)
{
	if (fill < 0)
		return 0;
	return range_alerts(crit, fill) ? 2 : range_alerts(warn, fill) ? 1 : 0;
}

static void ns_fill(const struct inv_ns *ns, uint64_t max, const struct range *warn,
		    const struct range *crit, struct snap_netns *o)
{
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%.95s", ns->name);
	o->inode = ns->ino;
	inventory_owner_text(ns, o->owner, sizeof(o->owner));
	if (ns->has_pod) {
		snprintf(o->pod, sizeof(o->pod), "%.95s", ns->owner.pod_name);
		snprintf(o->pod_namespace, sizeof(o->pod_namespace), "%s", ns->owner.pod_namespace);
	}
	/* What check --netns takes: a pin name, a PID, or a path. */
	if (ns->pin == INV_PIN_NETNS && ns->name[0] != '\0')
		snprintf(o->target, sizeof(o->target), "%.95s", ns->name);
	else if (ns->pid > 0)
		snprintf(o->target, sizeof(o->target), "%d", ns->pid);
	else if (strlen(ns->path) < sizeof(o->target))
		snprintf(o->target, sizeof(o->target), "%.95s", ns->path);
	o->err = ns->fig.err;
	o->fill_pct = -1;
	o->has_count = inventory_value(ns, INV_KEY_COUNT, &o->count) == 0;
	if (o->has_count && max > 0)
		o->fill_pct = 100.0 * (double)o->count / (double)max;
	o->alert = alert_of(o->fill_pct, warn, crit);
	o->has_stats = ns->fig.has_stats;
	if (inventory_value(ns, INV_KEY_DROP, &o->drop) < 0)
		o->drop = 0;
	if (inventory_value(ns, INV_KEY_EARLY_DROP, &o->early_drop) < 0)
		o->early_drop = 0;
	if (inventory_value(ns, INV_KEY_INSERT_FAILED, &o->insert_failed) < 0)
		o->insert_failed = 0;
}

/* The index of the highest non-zero value of key, self left out; -1. */
static long worst_of(const struct inventory *inv, const struct check_netns_self *self,
		     enum inv_key key)
{
	uint64_t best = 0, v;
	long at = -1;

	for (size_t i = 0; i < inv->n; i++)
		if (!is_self(&inv->ns[i], self) && inventory_value(&inv->ns[i], key, &v) == 0 &&
		    v > best) {
			best = v;
			at = (long)i;
		}
	return at;
}

/* Highest count first (a count before none), then name, then inode. */
static int list_cmp(const void *a, const void *b)
{
	const struct snap_netns *x = a, *y = b;
	int c;

	if (x->has_count != y->has_count)
		return x->has_count ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

static int list_find(const struct snap_all_netns *all, const struct inventory *inv, long i)
{
	for (size_t k = 0; i >= 0 && k < all->n_list; k++)
		if (all->list[k].inode == inv->ns[i].ino)
			return (int)k;
	return -1;
}

/* The most severe alert by fill, the highest count among equals; else the
 * highest count; -1 when no count was read. */
static int worst_fill(const struct snap_all_netns *all)
{
	int at = -1;

	for (size_t k = 0; k < all->n_list; k++) {
		const struct snap_netns *ns = &all->list[k];

		if (ns->has_count && (at < 0 || ns->alert > all->list[at].alert))
			at = (int)k;
	}
	return at;
}

static bool is_extra(const long extra[N_EXTRA], size_t i)
{
	for (size_t k = 0; k < N_EXTRA; k++)
		if (extra[k] == (long)i)
			return true;
	return false;
}

static void list_add(struct snap_all_netns *out, const struct inv_ns *ns, uint64_t max,
		     const struct range *warn, const struct range *crit)
{
	if (out->n_list < SNAP_NETNS_LIST)
		ns_fill(ns, max, warn, crit, &out->list[out->n_list++]);
}

/* Packets a full table refused: drop less the NAT clashes, which the
 * kernel counts in insert_failed as well. */
static uint64_t full_drops(const struct snap_netns *ns)
{
	return ns->drop - (ns->insert_failed < ns->drop ? ns->insert_failed : ns->drop);
}

/* The namespace the netns-table-full finding names gets that finding's
 * severity in the list too, so the list never says OK beside it. Totals
 * only (no window is kept for the other namespaces): a warning, critical
 * when its table is full now. */
static void mark_drops(struct snap_all_netns *all, uint64_t max)
{
	int at = all->worst_drop >= 0 && full_drops(&all->list[all->worst_drop]) > 0
		     ? all->worst_drop
		     : all->worst_early_drop;
	struct snap_netns *ns;

	if (at < 0)
		return;
	ns = &all->list[at];
	if (full_drops(ns) == 0 && ns->early_drop == 0)
		return;
	ns->drop_alert = full_drops(ns) > 0 && ns->has_count && max > 0 && ns->count >= max ? 2 : 1;
	all->has_full = true;
	all->worst_full = at;
}

void check_netns_summarise(const struct inventory *inv, const struct check_netns_self *self,
			   uint64_t max, const struct range *warn, const struct range *crit,
			   struct snap_all_netns *out)
{
	const long extra[N_EXTRA] = {worst_of(inv, self, INV_KEY_DROP),
				     worst_of(inv, self, INV_KEY_EARLY_DROP),
				     worst_of(inv, self, INV_KEY_INSERT_FAILED)};
	struct snap_netns tmp;

	memset(out, 0, sizeof(*out));
	out->has_all = true;
	for (size_t k = 0; k < N_EXTRA; k++)
		if (extra[k] >= 0 && list_find(out, inv, extra[k]) < 0)
			list_add(out, &inv->ns[extra[k]], max, warn, crit);
	for (size_t i = 0; i < inv->n; i++) {
		if (is_self(&inv->ns[i], self))
			continue;
		ns_fill(&inv->ns[i], max, warn, crit, &tmp);
		out->n_found++;
		out->n_failed += tmp.err != 0;
		out->n_alerting += tmp.alert > 0;
		if (!is_extra(extra, i))
			list_add(out, &inv->ns[i], max, warn, crit);
	}
	qsort(out->list, out->n_list, sizeof(out->list[0]), list_cmp);
	out->worst_fill = worst_fill(out);
	out->worst_drop = list_find(out, inv, extra[0]);
	out->worst_early_drop = list_find(out, inv, extra[1]);
	out->worst_insert_failed = list_find(out, inv, extra[2]);
	mark_drops(out, max);
}

/* "blue (pod ns/name)": the name, else the inode, and the owner. */
static void ns_label(const struct snap_netns *ns, char *buf, size_t size)
{
	if (ns->name[0] != '\0')
		snprintf(buf, size, "%.95s (%.159s)", ns->name, ns->owner);
	else
		snprintf(buf, size, "inode %" PRIu64 " (%.159s)", ns->inode, ns->owner);
}

static void ev_add(struct rules_finding *f, const char *name, double v, const char *unit)
{
	if (f->n_ev < RULES_EVIDENCE)
		f->ev[f->n_ev++] = (struct rules_evidence){.name = name, .value = v, .unit = unit};
}

static void cmd_add(struct rules_finding *f, const char *prefix, const char *target)
{
	if (target[0] != '\0' && f->n_commands < RULES_COMMANDS)
		snprintf(f->commands[f->n_commands++], sizeof(f->commands[0]), "%s%s", prefix,
			 target);
}

static void finding_fill(const struct snap_all_netns *all, uint64_t max, struct rules_finding *f)
{
	const struct snap_netns *ns = &all->list[all->worst_fill];
	char label[300];

	memset(f, 0, sizeof(*f));
	ns_label(ns, label, sizeof(label));
	f->id = "netns-table-fill";
	f->sev = ns->alert >= 2 ? RULES_SEV_CRITICAL : RULES_SEV_WARNING;
	snprintf(
	    f->summary, sizeof(f->summary),
	    "%zu of %zu other network namespaces alert by fill; the worst, %.100s, holds %" PRIu64
	    " of %" PRIu64 " entries (%.2f%%). Each namespace may fill the one global "
	    "nf_conntrack_max on its own, and all share one hash table",
	    all->n_alerting, all->n_found, label, ns->count, max, ns->fill_pct);
	ev_add(f, "count", (double)ns->count, "entries");
	ev_add(f, "max", (double)max, "entries");
	ev_add(f, "fill", ns->fill_pct, "%");
	ev_add(f, "namespaces_alerting", (double)all->n_alerting, "");
	cmd_add(f, "ctadvisor check --netns ", ns->target);
	if (f->n_commands < RULES_COMMANDS)
		snprintf(f->commands[f->n_commands++], sizeof(f->commands[0]),
			 "ctadvisor inventory --top 20");
}

static void finding_full(const struct snap_all_netns *all, struct rules_finding *f)
{
	const struct snap_netns *ns = &all->list[all->worst_full];
	char label[300];

	memset(f, 0, sizeof(*f));
	ns_label(ns, label, sizeof(label));
	f->id = "netns-table-full";
	f->sev = ns->drop_alert >= 2 ? RULES_SEV_CRITICAL : RULES_SEV_WARNING;
	snprintf(f->summary, sizeof(f->summary),
		 "Namespace %.60s had a full table since it was created: %" PRIu64
		 " packets dropped (NAT clashes left out), %" PRIu64 " entries evicted "
		 "early; to tell when, check it with --netns",
		 label, full_drops(ns), ns->early_drop);
	f->is_counter = true;
	f->since_boot = full_drops(ns);
	f->delta = f->since_boot;
	ev_add(f, "drop", (double)ns->drop, "packets");
	ev_add(f, "insert_failed", (double)ns->insert_failed, "");
	ev_add(f, "early_drop", (double)ns->early_drop, "entries");
	if (ns->has_count)
		ev_add(f, "count", (double)ns->count, "entries");
	cmd_add(f, "ctadvisor check --netns ", ns->target);
}

void check_netns_findings(const struct snap_all_netns *all, uint64_t max, struct rules_finding f[2],
			  size_t *n)
{
	*n = 0;
	if (!all->has_all)
		return;
	if (all->worst_fill >= 0 && all->list[all->worst_fill].alert > 0)
		finding_fill(all, max, &f[(*n)++]);
	if (all->has_full)
		finding_full(all, &f[(*n)++]);
}
