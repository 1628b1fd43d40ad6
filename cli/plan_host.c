/* plan_host.c: a snapshot's host facts into a plan's input. */
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
