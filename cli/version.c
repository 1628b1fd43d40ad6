/* version.c: --version with the kernel features ctadvisor relies on. Each
 * probe reads a file or asks ctnetlink once, in the caller's namespace, and
 * reports what it found; nothing is loaded or changed. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "apply_persist.h"
#include "../collect/fileio.h"
#include "../nl/nl_stats.h"
#include "version.h"
#include "../sysctl/sysctl.h"

static void feature(FILE *out, const char *name, bool is_on, const char *detail)
{
	fprintf(out, "  %-20s %s%s%s\n", name, is_on ? "yes" : "no", detail[0] ? ", " : "", detail);
}

static void probe_module(FILE *out, const struct sysctl_ctx *ctx)
{
	bool is_loaded = access("/proc/sys/net/netfilter/nf_conntrack_max", F_OK) == 0;
	bool is_module = apply_ct_is_module();
	char detail[128];

	if (!is_loaded) {
		feature(out, "nf_conntrack", false, "not loaded (modprobe nf_conntrack)");
		return;
	}
	snprintf(detail, sizeof(detail), "%s; hashsize %s", is_module ? "module" : "built in",
		 sysctl_is_writable(ctx, "module.nf_conntrack.hashsize") ? "writable here"
									 : "read-only here");
	feature(out, "nf_conntrack", true, detail);
}

/* /proc/net/netfilter/nf_log lists the loggers each family may use; a
 * built-in nfnetlink_log has no /sys/module entry. */
static bool nflog_available(void)
{
	char *text = NULL;
	size_t len;
	bool found;

	if (access("/sys/module/nfnetlink_log", F_OK) == 0)
		return true;
	if (fileio_read_all("/proc/net/netfilter/nf_log", &text, &len) < 0)
		return false;
	found = strstr(text, "nfnetlink_log") != NULL;
	free(text);
	return found;
}

/* The counters GET_STATS_CPU returns here: their names, up to the newest. */
static void probe_stats(FILE *out)
{
	struct snap_cpu_stats *cpus = NULL;
	size_t n = 0;
	char detail[256] = "";
	int rc = nl_stats_query_cpus(&cpus, &n);

	if (rc < 0) {
		snprintf(detail, sizeof(detail), "%s%s", strerror(-rc),
			 rc == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		feature(out, "ctnetlink counters", false, detail);
		return;
	}
	for (unsigned s = 0; n > 0 && s < SNAP_STAT_SLOTS; s++) {
		const char *name = snap_stat_name(s);
		size_t len = strlen(detail);

		if (name != NULL && (cpus[0].present & (UINT32_C(1) << s)))
			snprintf(detail + len, sizeof(detail) - len, "%s%s", len ? " " : "", name);
	}
	free(cpus);
	feature(out, "ctnetlink counters", n > 0, detail);
}

static void probe_knob(FILE *out, const struct sysctl_ctx *ctx, const char *label, const char *knob)
{
	char value[64], detail[128];
	int rc = sysctl_read(ctx, knob, value, sizeof(value));

	if (rc < 0)
		snprintf(detail, sizeof(detail), "%s: %s", knob, strerror(-rc));
	else
		snprintf(detail, sizeof(detail), "%s = %s", knob, value);
	feature(out, label, rc >= 0, detail);
}

void version_print(FILE *out)
{
	struct sysctl_ctx ctx;
	struct utsname u;

	fprintf(out, "ctadvisor %s\n", CTADVISOR_VERSION);
	if (uname(&u) == 0)
		fprintf(out, "kernel: %s %s %s\n", u.sysname, u.release, u.machine);
	fputs("features detected in this network namespace:\n", out);
	sysctl_ctx_init(&ctx, NULL);
	probe_module(out, &ctx);
	probe_stats(out);
	probe_knob(out, &ctx, "acct sysctl", "net.netfilter.nf_conntrack_acct");
	probe_knob(out, &ctx, "timestamp sysctl", "net.netfilter.nf_conntrack_timestamp");
	probe_knob(out, &ctx, "events sysctl", "net.netfilter.nf_conntrack_events");
	probe_knob(out, &ctx, "log_invalid sysctl", "net.netfilter.nf_conntrack_log_invalid");
	probe_knob(out, &ctx, "nf_log ipv4 backend", "net.netfilter.nf_log.2");
	feature(out, "nfnetlink_log", nflog_available(), "the NFLOG source of watch --invalid");
	feature(out, "network namespaces", access("/proc/self/ns/net", F_OK) == 0, "--netns");
}
