/* snapshot.c: lifecycle and name tables of the plain snapshot data. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snapshot.h"

const uint32_t snap_timeout_bin_le[SNAP_TIMEOUT_BINS] = {
    10, 60, 300, 3600, 86400, 432000, UINT32_MAX,
};

/* conntrack -S's names for CTA_STATS_* 1..15, then unknown1.. as it does. */
static const char *const stat_names[SNAP_STAT_SLOTS] = {
    [SNAP_STAT_SEARCHED] = "searched",
    [SNAP_STAT_FOUND] = "found",
    [SNAP_STAT_NEW] = "new",
    [SNAP_STAT_INVALID] = "invalid",
    [SNAP_STAT_IGNORE] = "ignore",
    [SNAP_STAT_DELETE] = "delete",
    [SNAP_STAT_DELETE_LIST] = "delete_list",
    [SNAP_STAT_INSERT] = "insert",
    [SNAP_STAT_INSERT_FAILED] = "insert_failed",
    [SNAP_STAT_DROP] = "drop",
    [SNAP_STAT_EARLY_DROP] = "early_drop",
    [SNAP_STAT_ERROR] = "error",
    [SNAP_STAT_SEARCH_RESTART] = "search_restart",
    [SNAP_STAT_CLASH_RESOLVE] = "clash_resolve",
    [SNAP_STAT_CHAINTOOLONG] = "chaintoolong",
    "unknown1",
    "unknown2",
    "unknown3",
    "unknown4",
    "unknown5",
    "unknown6",
    "unknown7",
    "unknown8",
    "unknown9",
    "unknown10",
    "unknown11",
    "unknown12",
    "unknown13",
    "unknown14",
    "unknown15",
    "unknown16",
};

static const char *const tcp_state_names[SNAP_TCP_STATES] = {
    "NONE",       "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
    "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2",
};

void snap_init(struct ct_snapshot *snap)
{
	memset(snap, 0, sizeof(*snap));
	int64_t *num[] = {
	    &snap->set.max,
	    &snap->set.buckets,
	    &snap->set.hashsize,
	    &snap->set.expect_max,
	    &snap->set.acct,
	    &snap->set.timestamp,
	    &snap->set.events,
	    &snap->set.checksum,
	    &snap->set.log_invalid,
	    &snap->set.tcp_loose,
	    &snap->set.tcp_be_liberal,
	    &snap->set.tcp_timeout_established,
	    &snap->set.udp_timeout,
	    &snap->set.udp_timeout_stream,
	};
	for (size_t i = 0; i < sizeof(num) / sizeof(num[0]); i++)
		*num[i] = -1;
}

void snap_free(struct ct_snapshot *snap)
{
	if (snap == NULL)
		return;
	free(snap->knobs);
	free(snap->cpus);
	snap->knobs = NULL;
	snap->cpus = NULL;
	snap->n_knobs = 0;
	snap->n_cpus = 0;
}

const char *snap_stat_name(unsigned slot)
{
	if (slot >= SNAP_STAT_SLOTS)
		return NULL;
	return stat_names[slot];
}

const char *snap_tcp_state_name(unsigned state)
{
	if (state >= SNAP_TCP_STATES)
		return "UNKNOWN";
	return tcp_state_names[state];
}

const char *snap_proto_name(unsigned proto)
{
	switch (proto) {
	case 1:
		return "icmp";
	case 2:
		return "igmp";
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 33:
		return "dccp";
	case 47:
		return "gre";
	case 58:
		return "icmpv6";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	default:
		return NULL;
	}
}

void snap_add_problem(struct ct_snapshot *snap, const char *what, int err, const char *fmt, ...)
{
	if (snap->n_problems >= SNAP_PROBLEMS)
		return;
	struct snap_problem *p = &snap->problems[snap->n_problems++];
	va_list ap;

	snprintf(p->what, sizeof(p->what), "%s", what);
	p->err = err < 0 ? -err : err;
	va_start(ap, fmt);
	vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
	va_end(ap);
}

int snap_add_knob(struct ct_snapshot *snap, const struct snap_knob *knob)
{
	struct snap_knob *grown = realloc(snap->knobs, (snap->n_knobs + 1) * sizeof(*grown));

	if (grown == NULL)
		return -ENOMEM;
	snap->knobs = grown;
	snap->knobs[snap->n_knobs++] = *knob;
	return 0;
}

const struct snap_knob *snap_knob_find(const struct ct_snapshot *snap, const char *name)
{
	for (size_t i = 0; i < snap->n_knobs; i++)
		if (strcmp(snap->knobs[i].name, name) == 0)
			return &snap->knobs[i];
	return NULL;
}

void snap_sum_cpus(struct ct_snapshot *snap)
{
	memset(&snap->total, 0, sizeof(snap->total));
	for (size_t i = 0; i < snap->n_cpus; i++) {
		snap->total.present |= snap->cpus[i].present;
		for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++)
			snap->total.v[s] += snap->cpus[i].v[s];
	}
}
