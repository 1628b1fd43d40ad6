/* cmd_nat.c: `ctadvisor nat`, source NAT port saturation per destination.
 * One streaming table dump (nl_ct_dump_stable, started over when the
 * kernel flags it interrupted; nl_ct_decode_nat into nat_agg), the port
 * ranges of the ruleset (nft -j, iptables-save, run in the target
 * namespace, or --ruleset FILE), and the found / insert_failed / drop
 * counters sampled over --interval; then text, JSON or Prometheus. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "../analysis/nat.h"
#include "../collect/nat_collect.h"
#include "../collect/netns.h"
#include "../nl/nl_ct.h"
#include "../nl/nl_stats.h"
#include "../render/render_nat.h"
#include "../rules/rates.h"

#define NAT_DEF_TOP 10
#define NAT_FATAL   (-ECANCELED) /* nat_gather() failed and said why */

struct nat_args {
	const char *netns, *ruleset;
	enum cli_format format;
	uint64_t top, interval_ms;
	double warn_pct, crit_pct;
};

/* Everything one run learnt, for the renderers. */
struct nat_run {
	struct nat_report rep;
	struct nat_rules rules;
	const char *rules_src; /* "nft", "nft+iptables-save", "file", "none" */
	int dump_err;          /* negative errno when the dump delivered nothing */
	int ctr_err;           /* negative errno when the counters could not be read */
	struct rules_report findings;
};

static const char nat_usage[] =
    "Usage: ctadvisor nat [OPTIONS]\n"
    "\n"
    "Source NAT port saturation: for each (zone, protocol, NAT address, destination\n"
    "address, destination port), the ports in use against the port range the NAT\n"
    "rules give, worst first, with the clients behind it; and the found,\n"
    "insert_failed and drop counters per second. Needs root (CAP_NET_ADMIN).\n"
    "\n"
    "Options:\n"
    "  -n, --netns NS       a name under /run/netns, a path, or a PID\n"
    "      --top N          destinations to show (default 10, at most 64)\n"
    "  -i, --interval D     sample the counters over D (default 1s)\n"
    "  -f, --format FMT     text (default), json, or prometheus\n"
    "      --warn PCT       saturation that warns (default 70)\n"
    "      --crit PCT       saturation that is critical (default 90)\n"
    "      --ruleset FILE   read the NAT rules from FILE (nft -j JSON or\n"
    "                       iptables-save text) instead of running nft/iptables-save\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for bad options).\n";

enum { OPT_TOP = 256, OPT_WARN, OPT_CRIT, OPT_RULESET };

static const struct option nat_options[] = {
    {"netns", required_argument, NULL, 'n'},
    {"top", required_argument, NULL, OPT_TOP},
    {"interval", required_argument, NULL, 'i'},
    {"format", required_argument, NULL, 'f'},
    {"warn", required_argument, NULL, OPT_WARN},
    {"crit", required_argument, NULL, OPT_CRIT},
    {"ruleset", required_argument, NULL, OPT_RULESET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *nat_option(int opt, const char *val, void *args)
{
	struct nat_args *a = args;

	switch (opt) {
	case 'n':
		a->netns = val;
		return val[0] ? NULL : "--netns";
	case OPT_TOP:
		return cli_parse_u64(val, &a->top) || a->top == 0 || a->top > NAT_REPORT_ROWS
			   ? "--top"
			   : NULL;
	case 'i':
		return cli_parse_duration_ms(val, &a->interval_ms) ? "--interval" : NULL;
	case 'f':
		return cli_parse_format(val, &a->format) ? "--format" : NULL;
	case OPT_WARN:
		return cli_parse_pct(val, &a->warn_pct) ? "--warn" : NULL;
	case OPT_CRIT:
		return cli_parse_pct(val, &a->crit_pct) ? "--crit" : NULL;
	case OPT_RULESET:
		a->ruleset = val;
		return val[0] ? NULL : "--ruleset";
	default:
		return "?";
	}
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int nat_parse_args(int argc, char **argv, struct nat_args *a)
{
	int rc;

	*a = (struct nat_args){.format = CLI_FORMAT_TEXT,
			       .top = NAT_DEF_TOP,
			       .interval_ms = 1000,
			       .warn_pct = 70,
			       .crit_pct = 90};
	rc = cmd_parse_options("nat", argc, argv, "+n:i:f:h", nat_options, nat_option, a);
	if (rc != 0)
		return rc;
	if (optind < argc) {
		cmd_usage_error("nat", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (a->warn_pct > a->crit_pct) {
		cmd_usage_error("nat", "--warn (%g) is above --crit (%g)", a->warn_pct,
				a->crit_pct);
		return -1;
	}
	return 0;
}

/* ---- collecting ---- */

static int dump_one(const struct nlmsghdr *nlh, void *data)
{
	struct nat_entry e;
	int rc = nl_ct_decode_nat(nlh, &e);

	if (rc == 0)
		nat_agg_add(data, &e);
	return rc;
}

/* A dump flagged interrupted is started over (nl_ct_dump_stable, as check's
 * walk): the aggregate forgets its entries, keeps the seeded NAT addresses. */
static void dump_reset(void *data)
{
	nat_agg_reset(data);
}

static const unsigned nat_slots[NAT_CTRS] = {SNAP_STAT_FOUND, SNAP_STAT_INSERT_FAILED,
					     SNAP_STAT_DROP};

/* The per-CPU counters now; *cpus (borrowed by *s) is the caller's to free. */
static int counters_take(struct rates_sample *s, struct snap_cpu_stats **cpus)
{
	size_t n = 0;
	int rc = nl_stats_query_cpus(cpus, &n);

	if (rc < 0)
		return rc;
	*s = (struct rates_sample){.cpus = *cpus, .n_cpus = n};
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(uint64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
			      .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Counters, dump, counters again at least interval_ms after the first.
 * Deltas are taken per CPU modulo 2^32 (rates_delta), so a wrapped kernel
 * counter still gives the right increase. */
static void collect_nat(const struct nat_args *a, struct nat_agg *agg, struct nat_run *run)
{
	struct rates_sample before = {0}, after = {0};
	struct snap_cpu_stats *cpus0 = NULL, *cpus1 = NULL;
	struct nl_ct_dump_stats st;
	uint64_t t0, elapsed;
	int rc;

	run->ctr_err = counters_take(&before, &cpus0);
	t0 = now_ms();
	rc = nl_ct_dump_stable(dump_one, dump_reset, agg, &st);
	run->rep.is_interrupted = st.is_interrupted;
	run->rep.lost = st.n_lost;
	run->rep.bad = st.n_bad;
	run->rep.err = -rc;
	run->dump_err = rc < 0 && st.n_msgs == 0 ? rc : 0;
	if (run->ctr_err == 0) {
		elapsed = now_ms() - t0;
		if (elapsed < a->interval_ms)
			sleep_ms(a->interval_ms - elapsed);
		run->ctr_err = counters_take(&after, &cpus1);
	}
	if (run->ctr_err == 0) {
		run->rep.has_counters = true;
		run->rep.interval_ms = now_ms() - t0;
		for (size_t c = 0; c < NAT_CTRS; c++) {
			run->rep.total[c] = 0;
			for (size_t i = 0; i < after.n_cpus; i++)
				run->rep.total[c] += after.cpus[i].v[nat_slots[c]];
			run->rep.delta[c] = rates_delta(&before, &after, nat_slots[c]);
		}
	}
	free(cpus0);
	free(cpus1);
}

/* ---- the command ---- */

static int nat_enter(const struct nat_args *a, struct netns_switch *sw)
{
	return cmd_netns_enter("nat", a->netns, sw);
}

/* Gather everything inside the target namespace; 0 or -errno (reported). */
static int nat_gather(const struct nat_args *a, struct nat_run *run)
{
	struct netns_switch sw;
	struct nat_agg *agg;
	int rc;

	if (nat_enter(a, &sw) < 0)
		return NAT_FATAL;
	agg = nat_agg_new(0);
	rc = agg == NULL ? -ENOMEM : nat_collect_rules(a->ruleset, &run->rules, &run->rules_src);
	if (rc == 0) {
		nat_collect_seed(agg, &run->rules, true);
		collect_nat(a, agg, run);
		nat_agg_result(agg, &run->rules, (size_t)a->top, &run->rep);
	}
	netns_leave(&sw);
	nat_agg_free(agg);
	if (rc < 0)
		fprintf(stderr, "ctadvisor nat: %s: %s\n",
			a->ruleset != NULL ? a->ruleset : "collecting", strerror(-rc));
	else if (run->dump_err < 0)
		fprintf(stderr, "ctadvisor nat: the table dump failed: %s%s\n",
			strerror(-run->dump_err),
			run->dump_err == -EPERM ? " (run as root: it needs CAP_NET_ADMIN)" : "");
	return rc < 0 ? NAT_FATAL : run->dump_err;
}

int cmd_nat(int argc, char **argv)
{
	static struct nat_run run;
	struct render_nat_in in;
	struct rules_finding f;
	struct nat_args a;
	bool fired = false;
	int rc = nat_parse_args(argc, argv, &a);

	if (rc != 0) {
		if (rc > 0)
			fputs(nat_usage, stdout);
		return rc > 0 ? 0 : CT_EXIT_UNKNOWN;
	}
	memset(&run, 0, sizeof(run));
	rc = nat_gather(&a, &run);
	run.findings.is_unknown = rc < 0;
	nat_finding(&run.rep, a.warn_pct, a.crit_pct, &f, &fired);
	if (fired) {
		run.findings.findings[run.findings.n_findings++] = f;
		run.findings.worst = f.sev;
	}
	if (rc == NAT_FATAL)
		return CT_EXIT_UNKNOWN; /* said on stderr; nothing to report */
	in = (struct render_nat_in){.netns = a.netns,
				    .rep = &run.rep,
				    .rules = &run.rules,
				    .rules_src = run.rules_src,
				    .ctr_err = run.ctr_err,
				    .findings = &run.findings};
	rc = a.format == CLI_FORMAT_JSON         ? render_nat_json(stdout, &in)
	     : a.format == CLI_FORMAT_PROMETHEUS ? render_nat_prom(stdout, &in)
						 : render_nat_text(stdout, &in);
	if (rc < 0) {
		fprintf(stderr, "ctadvisor nat: writing the report failed\n");
		return CT_EXIT_UNKNOWN;
	}
	return rules_exit_code(&run.findings);
}
