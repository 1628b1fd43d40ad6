/* inventory_totals.c: order, pick, sum and name the collected figures. Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

#define INV_EXT_BYTES 128 /* at least, per entry with extensions (§4) */

static int cmp_ns(const void *a, const void *b)
{
	const struct inv_ns *x = a, *y = b;
	int c;

	if (x->fig.has_count != y->fig.has_count)
		return x->fig.has_count ? -1 : 1;
	if (x->fig.count != y->fig.count)
		return x->fig.count > y->fig.count ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c != 0)
		return c;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

void inventory_sort(struct inventory *inv)
{
	if (inv->n > 1)
		qsort(inv->ns, inv->n, sizeof(inv->ns[0]), cmp_ns);
}

static int stat_value(const struct inv_figures *fig, unsigned slot, uint64_t *v)
{
	if (!fig->has_stats || !(fig->total.present & (1u << slot)))
		return -ENODATA;
	*v = fig->total.v[slot];
	return 0;
}

int inventory_value(const struct inv_ns *ns, enum inv_key key, uint64_t *v)
{
	const struct inv_figures *fig = &ns->fig;

	switch (key) {
	case INV_KEY_COUNT:
		if (!fig->has_count)
			return -ENODATA;
		*v = fig->count;
		return 0;
	case INV_KEY_LIVE:
		if (!fig->has_walk)
			return -ENODATA;
		*v = fig->live;
		return 0;
	case INV_KEY_DROP:
		return stat_value(fig, SNAP_STAT_DROP, v);
	case INV_KEY_EARLY_DROP:
		return stat_value(fig, SNAP_STAT_EARLY_DROP, v);
	case INV_KEY_INSERT_FAILED:
		return stat_value(fig, SNAP_STAT_INSERT_FAILED, v);
	case INV_KEY_INVALID:
		return stat_value(fig, SNAP_STAT_INVALID, v);
	}
	return -ENODATA;
}

int inventory_worst(const struct inventory *inv, enum inv_key key, size_t *idx)
{
	uint64_t best = 0, v;
	size_t at = 0;
	bool found = false;

	for (size_t i = 0; i < inv->n; i++) {
		if (inventory_value(&inv->ns[i], key, &v) < 0 || (found && v <= best))
			continue;
		best = v;
		at = i;
		found = true;
	}
	if (!found)
		return -ENOENT;
	*idx = at;
	return 0;
}

void inventory_totals(const struct inventory *inv, const struct inv_host *host,
		      struct inv_totals *out)
{
	struct inv_totals t = {
	    .n_ns = inv->n, .has_live = true, .hash_load = -1, .mem_ram_ratio = -1};

	for (size_t i = 0; i < inv->n; i++) {
		const struct inv_ns *ns = &inv->ns[i];

		t.n_failed += ns->fig.err != 0;
		t.n_no_process += inventory_no_process(ns);
		t.n_leaks += inventory_is_possible_leak(ns);
		if (ns->fig.has_count) {
			t.entries += ns->fig.count;
			t.mem_bytes += ns->fig.count * (host->slab_obj_bytes +
							(ns->fig.has_ext ? INV_EXT_BYTES : 0));
		}
		if (ns->fig.has_walk)
			t.live += ns->fig.live;
		else
			t.has_live = false;
	}
	if (inv->n == 0)
		t.has_live = false;
	if (host->buckets > 0)
		t.hash_load = 2.0 * (double)t.entries / (double)host->buckets;
	if (host->slab_obj_bytes == 0)
		t.mem_bytes = 0;
	else if (host->ram_bytes > 0)
		t.mem_ram_ratio = (double)t.mem_bytes / (double)host->ram_bytes;
	t.exit_code = t.n_failed > 0 ? CT_EXIT_WARNING : CT_EXIT_OK;
	*out = t;
}

void inventory_free(struct inventory *inv)
{
	if (inv == NULL)
		return;
	free(inv->ns);
	inv->ns = NULL;
	inv->n = inv->cap = 0;
}

static void demand_name(const struct inv_ns *ns, char *buf, size_t size)
{
	if (ns->fig.is_init)
		snprintf(buf, size, "initial");
	else if (ns->name[0] != '\0')
		snprintf(buf, size, "%s", ns->name);
	else
		snprintf(buf, size, "pid %d", ns->pid);
}

void inventory_fold_demand(const struct inventory *inv, struct inventory_demand *d)
{
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < inv->n; i++) {
		const struct inv_ns *ns = &inv->ns[i];

		if (!ns->fig.has_count)
			continue;
		d->n_ns++;
		d->sum += ns->fig.count;
		if (d->n_ns == 1 || ns->fig.count > d->busiest) {
			d->busiest = ns->fig.count;
			demand_name(ns, d->busiest_name, sizeof(d->busiest_name));
		}
	}
}

bool inventory_no_process(const struct inv_ns *ns)
{
	return ns->pin != INV_PIN_NONE && ns->n_procs == 0;
}

bool inventory_is_possible_leak(const struct inv_ns *ns)
{
	return inventory_no_process(ns) && ns->fig.has_count && ns->fig.count == 0;
}

static void comm_list(const struct inv_ns *ns, char *buf, size_t size)
{
	size_t used = (size_t)snprintf(buf, size, "procs:");

	for (unsigned i = 0; i < ns->n_comm && used < size; i++)
		used +=
		    (size_t)snprintf(buf + used, size - used, "%s %s", i ? "," : "", ns->comm[i]);
	if (ns->n_procs > ns->n_comm && used < size)
		snprintf(buf + used, size - used, " (%u processes)", ns->n_procs);
}

void inventory_owner_text(const struct inv_ns *ns, char *buf, size_t size)
{
	const struct inv_owner *o = &ns->owner;

	if (ns->has_pod && o->pod_name[0] != '\0')
		snprintf(buf, size, "pod %s/%s", o->pod_namespace, o->pod_name);
	else if (ns->has_pod)
		snprintf(buf, size, "pod uid %s", o->pod_uid);
	else if (ns->has_container)
		snprintf(buf, size, "container %s%s%.12s", o->runtime, o->runtime[0] ? ":" : "",
			 o->container_id);
	else if (ns->n_comm > 0)
		comm_list(ns, buf, size);
	else if (ns->name[0] != '\0')
		snprintf(buf, size, "netns %s", ns->name);
	else
		snprintf(buf, size, "-");
}
