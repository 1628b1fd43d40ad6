/* render_watch_prom.c: watch --format prometheus (see render_watch_prom.h).
 * Every family is ctadvisor_watch_*, so a watch's file and check's file
 * (ctadvisor_conntrack_*, per CPU and judged per run) may sit in the same
 * textfile directory without a series in both. */
#include <stdio.h>

#include "promw.h"
#include "render_watch_prom.h"

PW_FAMILY(fam_entries, "ctadvisor_watch_conntrack_entries", "gauge",
	  "Entries in the conntrack table at the last sample.");
PW_FAMILY(fam_limit, "ctadvisor_watch_conntrack_entries_limit", "gauge",
	  "Maximum entries in the conntrack table (nf_conntrack_max) at the last sample.");
PW_FAMILY(fam_peak, "ctadvisor_watch_conntrack_entries_peak", "gauge",
	  "The highest entry count sampled since this watch started (samples between "
	  "scrapes included).");
PW_FAMILY(fam_samples, "ctadvisor_watch_samples_total", "counter",
	  "Samples of the conntrack statistics this watch took.");

/* ctadvisor_watch_conntrack_stat_<name>_total: the CPUs' sum, monotonic. */
static void stat_family(struct pw *p, const struct watch_totals *tot, unsigned s)
{
	const char *name = snap_stat_name(s), *help = pw_stat_help(s);
	char fname[96], fhelp[320];
	struct pw_family f = {fname, "counter", fhelp};

	if (name == NULL || !(tot->present & (UINT32_C(1) << s)))
		return;
	snprintf(fname, sizeof(fname), "ctadvisor_watch_conntrack_stat_%s_total", name);
	snprintf(fhelp, sizeof(fhelp),
		 "%s Sum over CPUs (conntrack -S: %s), kept monotonic across the kernel's 32-bit "
		 "wraps while the watch runs.",
		 help != NULL ? help : "A counter of a newer kernel, by its attribute number.",
		 name);
	pw_u64(p, &f, "", tot->v[s]);
}

int render_watch_prom(FILE *out, const struct render_watch_prom *m)
{
	const char *netns = m->netns != NULL && m->netns[0] ? m->netns : NULL;
	struct pw p;

	pw_init(&p, out, netns);
	pw_u64(&p, &fam_entries, "", m->cur->count);
	if (m->cur->max > 0)
		pw_u64(&p, &fam_limit, "", m->cur->max);
	pw_u64(&p, &fam_peak, "", m->st->sum.peak_count);
	for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++)
		stat_family(&p, m->tot, s);
	pw_u64(&p, &fam_samples, "", m->tot->samples);
	pw_watch_times(&p, "rates", m->start_s, m->write_s);
	return pw_finish(&p);
}
