/* promw.c: the Prometheus text exposition writer (see promw.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "escape.h"
#include "promw.h"
#include "../rules/snapshot.h"

void pw_init(struct pw *p, FILE *out, const char *netns)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->has_netns = netns != NULL;
	if (netns != NULL)
		render_escape(p->netns, sizeof(p->netns), netns, RENDER_ESC_PROM);
}

void pw_header(struct pw *p, const struct pw_family *f)
{
	if (strcmp(p->cur, f->name) == 0)
		return;
	fprintf(p->out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, f->type);
	snprintf(p->cur, sizeof(p->cur), "%s", f->name);
}

void pw_sample(struct pw *p, const struct pw_family *f, const char *labels, const char *value)
{
	pw_header(p, f);
	if (p->has_netns)
		fprintf(p->out, "%s{netns=\"%s\"%s%s} %s\n", f->name, p->netns,
			labels[0] ? "," : "", labels, value);
	else if (labels[0])
		fprintf(p->out, "%s{%s} %s\n", f->name, labels, value);
	else
		fprintf(p->out, "%s %s\n", f->name, value);
}

void pw_u64(struct pw *p, const struct pw_family *f, const char *labels, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	pw_sample(p, f, labels, buf);
}

void pw_f64(struct pw *p, const struct pw_family *f, const char *labels, double v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.12g", v);
	pw_sample(p, f, labels, buf);
}

const char *pw_label(char *buf, size_t size, const char *name, const char *value)
{
	char esc[PW_VALUE_LEN];

	render_escape(esc, sizeof(esc), value, RENDER_ESC_PROM);
	snprintf(buf, size, "%s=\"%s\"", name, esc);
	return buf;
}

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

const char *pw_stat_help(unsigned slot)
{
	return slot < SNAP_STAT_SLOTS ? stat_help[slot] : NULL;
}

PW_FAMILY(fam_start, PW_START_TIME, "gauge",
	  "Unix time this ctadvisor watch started; a change means the process restarted "
	  "and its counters began again.");
PW_FAMILY(fam_write, PW_LAST_WRITE, "gauge",
	  "Unix time this ctadvisor watch last wrote these metrics; an old value means the "
	  "writer stopped or hangs.");

void pw_watch_times(struct pw *p, const char *mode, uint64_t start_s, uint64_t write_s)
{
	char labels[PW_LABEL_LEN];

	pw_label(labels, sizeof(labels), "mode", mode);
	pw_u64(p, &fam_start, labels, start_s);
	pw_u64(p, &fam_write, labels, write_s);
}

int pw_finish(struct pw *p)
{
	if (fflush(p->out) != 0 || ferror(p->out))
		return -EIO;
	return 0;
}
