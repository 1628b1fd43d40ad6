/* collect_sysctl.c: every conntrack knob, and the ones rules use, parsed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collect.h"

struct knob_walk {
	struct ct_snapshot *snap;
	const struct sysctl_ctx *ctx;
};

static const struct {
	const char *name;
	size_t offset;
} parsed[] = {
#define SET(knob, field)                                                                           \
	{                                                                                          \
		"net.netfilter.nf_conntrack_" knob, offsetof(struct snap_settings, field)          \
	}
    SET("max", max),
    SET("buckets", buckets),
    SET("expect_max", expect_max),
    SET("acct", acct),
    SET("timestamp", timestamp),
    SET("events", events),
    SET("checksum", checksum),
    SET("log_invalid", log_invalid),
    SET("tcp_loose", tcp_loose),
    SET("tcp_be_liberal", tcp_be_liberal),
    SET("tcp_timeout_established", tcp_timeout_established),
    SET("udp_timeout", udp_timeout),
    SET("udp_timeout_stream", udp_timeout_stream),
#undef SET
    {"module.nf_conntrack.hashsize", offsetof(struct snap_settings, hashsize)},
};

static void parse_setting(struct snap_settings *set, const struct snap_knob *k)
{
	int64_t v;

	if (strcmp(k->name, "net.netfilter.nf_log.2") == 0)
		snprintf(set->nf_log_ipv4, sizeof(set->nf_log_ipv4), "%s", k->value);
	if (strcmp(k->name, "net.netfilter.nf_log.10") == 0)
		snprintf(set->nf_log_ipv6, sizeof(set->nf_log_ipv6), "%s", k->value);
	for (size_t i = 0; i < sizeof(parsed) / sizeof(parsed[0]); i++) {
		if (strcmp(k->name, parsed[i].name) != 0)
			continue;
		if (sysctl_parse_i64(k->value, strlen(k->value), &v) == 0)
			*(int64_t *)((char *)set + parsed[i].offset) = v;
	}
}

static int add_knob(const char *name, void *arg)
{
	struct knob_walk *w = arg;
	struct snap_knob k;
	int rc;

	memset(&k, 0, sizeof(k));
	snprintf(k.name, sizeof(k.name), "%s", name);
	rc = sysctl_read(w->ctx, name, k.value, sizeof(k.value));
	k.err = rc < 0 ? -rc : 0;
	if (rc < 0)
		k.value[0] = '\0';
	k.is_writable = sysctl_is_writable(w->ctx, name);
	if (sysctl_is_global(name) && !w->snap->is_init_netns)
		k.is_writable = false; /* the kernel refuses it from here */
	rc = snap_add_knob(w->snap, &k);
	if (rc < 0)
		return rc;
	if (k.err == 0)
		parse_setting(&w->snap->set, &k);
	return 0;
}

int collect_sysctl(struct ct_snapshot *snap, const struct sysctl_ctx *ctx)
{
	struct knob_walk w = {.snap = snap, .ctx = ctx};
	int rc = sysctl_foreach_conntrack(ctx, add_knob, &w);

	if (rc == -ENOENT) {
		snap_add_problem(snap, "sysctl", rc,
				 "%s/net/netfilter is missing: nf_conntrack is not loaded here "
				 "(modprobe nf_conntrack)",
				 ctx->proc_sys);
	} else if (rc < 0) {
		snap_add_problem(snap, "sysctl", rc, "reading the conntrack sysctls failed: %s",
				 strerror(-rc));
	}
	return rc;
}
