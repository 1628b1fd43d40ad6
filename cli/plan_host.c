/* plan_host.c: a snapshot's host facts into a plan's input. */
#include <string.h>
#include <unistd.h>

#include "plan_host.h"

const char *plan_host_ext_reason(const struct snap_settings *set)
{
	if (set->acct > 0)
		return "nf_conntrack_acct";
	if (set->timestamp > 0)
		return "nf_conntrack_timestamp";
	if (set->events == 1)
		return "nf_conntrack_events=1";
	return NULL;
}

void plan_host_input(const struct ct_snapshot *snap, struct plan_input *in)
{
	long page = sysconf(_SC_PAGESIZE);

	in->ram_bytes = snap->ram_bytes;
	in->cpus = snap->ncpus;
	in->is_64bit = sizeof(long) >= 8;
	if (snap->has_slab)
		in->slab_bytes = snap->slab_obj_bytes;
	in->has_ext = plan_host_ext_reason(&snap->set) != NULL;
	if (page > 0)
		in->page_bytes = (uint64_t)page;
	in->cur_max = snap->set.max;
	in->cur_buckets = snap->set.buckets;
	in->cur_count = snap->has_count ? (int64_t)snap->count : -1;
}

const struct owners_item *plan_host_kube(const struct owners_report *o, struct plan_input *in)
{
	static const enum plan_kube_src src[] = {PLAN_KUBE_FLAGS, PLAN_KUBE_CONFIG,
						 PLAN_KUBE_UNREAD};

	for (size_t i = 0; o != NULL && i < o->n; i++) {
		const struct owners_item *it = &o->items[i];

		if (it->kind != OWNERS_PROCESS || strcmp(it->key, "kube-proxy") != 0)
			continue;
		in->kube.src = src[it->kube.from];
		in->kube.per_core = it->kube.max_per_core;
		in->kube.min = it->kube.min;
		return it;
	}
	return NULL;
}
