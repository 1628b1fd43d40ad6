/* cmd_report.c: `ctadvisor report`: what check collects (with the walk and
 * the NAT view, and every other namespace), the plan arithmetic, and when
 * given a saved watch summary and kernel logs, as one self-contained HTML
 * page written atomically. The collectors, the verdict, the plan and the
 * log reader are the other commands' own; this file only strings them
 * together and says what was not available. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "log_input.h"
#include "outfile.h"
#include "plan_host.h"
#include "root.h"
#include "watch_summary.h"
#include "../analysis/check_verdict.h"
#include "../collect/check_netns.h"
#include "../collect/collect.h"
#include "../collect/nat_collect.h"
#include "../collect/netns.h"
#include "../render/render_html.h"

#define MAX_LOGS 16
#define LOG_TOP  10
/* check's defaults for the NAT view (--nat-warn, --nat-crit) */
#define NAT_WARN_PCT 70
#define NAT_CRIT_PCT 90

static const char report_usage[] =
    "Usage: ctadvisor report -o FILE.html [OPTIONS]\n"
    "\n"
    "Writes one self-contained HTML page (no script, no network fetch, readable\n"
    "printed and in a dark theme) to attach to a capacity change: the table fill\n"
    "against the thresholds, the findings with their evidence and commands as\n"
    "'check' prints them, the recommended nf_conntrack_max and buckets with the\n"
    "memory and hash chains at a full table (current, recommended, kernel default,\n"
    "kube-proxy), the table walk's top sources and ports, NAT port saturation,\n"
    "entries per network namespace with owners, the settings; and, when given, the\n"
    "watch summary's count, projection and rates and the kernel logs' invalid\n"
    "reasons and TCP flags. Each chart has its numbers in a table beside it. What\n"
    "was not available is said at the top. Needs root (CAP_NET_ADMIN) for the\n"
    "counters and the walk.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE     the page to write (atomically: temp file and rename)\n"
    "  -n, --netns NS        report on network namespace NS: a name under\n"
    "                        /run/netns, a path to a namespace file, or a PID\n"
    "      --from FILE       a summary saved by 'ctadvisor watch --save FILE': the\n"
    "                        count over the watch, the projection to full, the rates;\n"
    "                        its peak is the plan's demand\n"
    "      --log FILE        kernel log lines (dmesg, journalctl -k, syslog, .gz, '-'\n"
    "                        for stdin), as 'ctadvisor logparse' reads them; repeat\n"
    "                        for more files (at most 16)\n"
    "      --no-walk         skip the table walk (no top sources, ports or NAT)\n"
    "  -w, --fill-warn PCT   the fill that warns, marked on the gauge (default 75)\n"
    "  -c, --fill-crit PCT   the fill that is critical (default 90)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 the page was written (whatever the findings), 3 it was not\n"
    "(bad option, unreadable --from or --log, write failure).\n"
    "Example: ctadvisor report --netns blue --from w.json --log /var/log/kern.log \\\n"
    "           -o conntrack.html\n";

enum { OPT_FROM = 256, OPT_LOG, OPT_NO_WALK };

static const struct option report_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"netns", required_argument, NULL, 'n'},
    {"from", required_argument, NULL, OPT_FROM},
    {"log", required_argument, NULL, OPT_LOG},
    {"no-walk", no_argument, NULL, OPT_NO_WALK},
    {"fill-warn", required_argument, NULL, 'w'},
    {"fill-crit", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct report_args {
	const char *output, *netns, *from;
	const char *logs[MAX_LOGS];
	size_t n_logs;
	bool do_walk;
	struct range warn, crit;
};

static const char *apply_option(int opt, const char *val, void *args)
{
	struct report_args *a = args;

	switch (opt) {
	case 'o':
		a->output = val;
		return val[0] ? NULL : "--output";
	case 'n':
		a->netns = val;
		return val[0] ? NULL : "--netns";
	case OPT_FROM:
		a->from = val;
		return val[0] ? NULL : "--from";
	case OPT_LOG:
		if (a->n_logs >= MAX_LOGS || !val[0])
			return "--log (a file, at most 16 of them)";
		a->logs[a->n_logs++] = val;
		return NULL;
	case OPT_NO_WALK:
		a->do_walk = false;
		return NULL;
	case 'w':
		return cli_parse_pct(val, &a->warn.end) ? "--fill-warn" : NULL;
	case 'c':
		return cli_parse_pct(val, &a->crit.end) ? "--fill-crit" : NULL;
	default:
		return "?";
	}
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int parse_report_args(int argc, char **argv, struct report_args *a)
{
	int rc;

	*a = (struct report_args){.do_walk = true, .warn = {.end = 75}, .crit = {.end = 90}};
	rc = cmd_parse_options("report", argc, argv, "+o:n:w:c:h", report_options, apply_option, a);
	if (rc != 0)
		return rc;
	if (optind < argc) {
		cmd_usage_error("report", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (a->output == NULL) {
		cmd_usage_error("report",
				"-o FILE.html is required: the page is written to a file");
		return -1;
	}
	if (a->warn.end > a->crit.end) {
		cmd_usage_error("report", "--fill-warn (%g) is above --fill-crit (%g)", a->warn.end,
				a->crit.end);
		return -1;
	}
	return 0;
}

/* Everything the report shows, kept for the render callback. */
struct report_run {
	struct report_args a;
	struct ct_snapshot snap;
	struct rules_report rep;
	struct nat_check nat;
	struct watch_summary ws;
	struct logparse_agg *agg;
	struct logparse_agg_result lres;
	struct render_html_logs logs;
	char log_source[1024];
	struct plan_result plan_res;
	struct render_html_plan plan;
	struct render_html_page page;
	char host[128], kernel[256], generated[64], plan_why[256];
};

static void say_missing(struct report_run *r, const char *what)
{
	if (r->page.n_missing < RENDER_HTML_MISSING)
		r->page.missing[r->page.n_missing++] = what;
}

/* The logs through logparse's reader and aggregator. 0 or -1 (printed). */
static int read_logs(struct report_run *r)
{
	size_t used = 0;

	if (r->a.n_logs == 0)
		return 0;
	r->agg = logparse_agg_new(LOG_TOP);
	if (r->agg == NULL) {
		fputs("ctadvisor report: out of memory\n", stderr);
		return -1;
	}
	for (size_t i = 0; i < r->a.n_logs; i++) {
		if (log_input_read("report", r->a.logs[i], r->agg) < 0)
			return -1;
		logparse_agg_flush(r->agg); /* a held report ends with its file */
		used += (size_t)snprintf(r->log_source + used, sizeof(r->log_source) - used, "%s%s",
					 i ? ", " : "", r->a.logs[i]);
		if (used >= sizeof(r->log_source))
			used = sizeof(r->log_source) - 1;
	}
	logparse_agg_result(r->agg, &r->lres);
	r->logs = (struct render_html_logs){.source = r->log_source, .res = &r->lres};
	r->page.logs = &r->logs;
	return 0;
}

/* Inside the namespace: what check reads there. */
static void collect_inside(struct report_run *r, const struct sysctl_ctx *ctx, const char *proc)
{
	struct ct_snapshot *snap = &r->snap;

	snap->is_init_netns = netns_is_init(ctx);
	collect_host(snap, ctx, proc);
	collect_sysctl(snap, ctx);
	collect_count(snap, ctx);
	collect_stats(snap, proc);
	if (r->a.do_walk)
		nat_check_walk(snap, &r->nat, NAT_WARN_PCT, NAT_CRIT_PCT);
}

/* 0, or -1 when the namespace could not be entered (printed). */
static int collect(struct report_run *r)
{
	struct check_netns_self self = {0};
	struct netns_switch sw = {.orig_fd = -1};
	struct sysctl_ctx ctx;
	char proc[SYSCTL_PATH_LEN];
	int rc = sysctl_ctx_init(&ctx, root_dir());

	if (rc == 0)
		rc = root_proc(proc, sizeof(proc));
	if (rc < 0) {
		fprintf(stderr, "ctadvisor report: %s is unusable: %s\n", ROOT_ENV, strerror(-rc));
		return -1;
	}
	check_netns_self(&self);
	if (cmd_netns_enter("report", r->a.netns, &sw) < 0)
		return -1;
	collect_inside(r, &ctx, proc);
	netns_leave(&sw);
	rc = check_netns_collect(&self, r->snap.has_max ? r->snap.max : 0, &r->a.warn, &r->a.crit,
				 &r->snap.all_ns);
	if (rc == -ENOTRECOVERABLE) {
		fputs("ctadvisor report: cannot return to the original network namespace: stopped, "
		      "since no report would be true\n",
		      stderr);
		return -1;
	}
	if (rc < 0)
		say_missing(r, "the other network namespaces: finding them failed");
	return 0;
}

static void sizing(struct render_html_plan *pl, const char *label, const struct plan_sizing *s,
		   bool has_ext)
{
	struct render_html_sizing *row = &pl->rows[pl->n_rows++];

	*row = (struct render_html_sizing){
	    .label = label,
	    .max = s->max,
	    .buckets = s->buckets,
	    .mem_bytes = has_ext ? s->mem_ext_bytes : s->mem_bytes,
	    .chain = s->buckets ? 2.0 * (double)s->max / (double)s->buckets : 0};
}

/* plan's arithmetic on the demand the report has: the watch's peak, else
 * the current count. */
static void make_plan(struct report_run *r)
{
	struct plan_error err = {0};
	struct plan_input in;

	plan_input_init(&in);
	plan_host_input(&r->snap, &in);
	in.src = r->page.watch ? PLAN_DEMAND_PEAK : PLAN_DEMAND_CURRENT;
	in.base_entries = r->page.watch ? r->page.watch->peak : r->snap.count;
	if (r->page.watch == NULL && !r->snap.has_count) {
		say_missing(r, "the plan: the current count could not be read (run as root, or "
			       "give --from a watch summary)");
		return;
	}
	if (plan_compute(&in, &r->plan_res, &err) < 0) {
		snprintf(r->plan_why, sizeof(r->plan_why), "the plan: %s %s",
			 err.field ? err.field : "a host fact", err.reason ? err.reason : "");
		say_missing(r, r->plan_why);
		return;
	}
	r->plan = (struct render_html_plan){.res = &r->plan_res,
					    .demand_src = r->page.watch ? "the watch's peak"
									: "the current count"};
	if (r->plan_res.has_current)
		sizing(&r->plan, "current", &r->plan_res.current, in.has_ext);
	sizing(&r->plan, "recommended", &r->plan_res.rec, in.has_ext);
	sizing(&r->plan, "kernel default", &r->plan_res.kern_def, in.has_ext);
	sizing(&r->plan, "kube-proxy", &r->plan_res.kube, in.has_ext);
	r->page.plan = &r->plan;
}

static void header_facts(struct report_run *r)
{
	struct utsname u;
	time_t now = time(NULL);
	struct tm tm;

	if (uname(&u) == 0) {
		snprintf(r->host, sizeof(r->host), "%s", u.nodename);
		snprintf(r->kernel, sizeof(r->kernel), "%s %s %s", u.sysname, u.release, u.machine);
	}
	if (gmtime_r(&now, &tm) != NULL)
		strftime(r->generated, sizeof(r->generated), "%Y-%m-%d %H:%M:%S UTC", &tm);
	r->page.host = r->host;
	r->page.kernel = r->kernel;
	r->page.generated = r->generated;
	r->page.version = CTADVISOR_VERSION;
	r->page.netns = r->a.netns;
}

/* What the header says was not asked for or not read. */
static void note_missing(struct report_run *r)
{
	if (r->a.from == NULL)
		say_missing(r, "no watch summary: the count over time, the projection and the "
			       "rates need 'ctadvisor watch --save FILE', then report --from FILE");
	if (r->a.n_logs == 0)
		say_missing(r, "no kernel log: invalid reasons and TCP flags need --log FILE "
			       "(e.g. /var/log/kern.log, or '-' with journalctl -k)");
	if (!r->a.do_walk)
		say_missing(r, "no table walk (--no-walk): no top sources, ports or NAT view");
	else if (!r->nat.has_rep)
		say_missing(r, "no NAT view: the table walk did not run (see below)");
}

static int render_page(FILE *out, const void *ctx)
{
	return render_html(out, &((const struct report_run *)ctx)->page);
}

static int run(struct report_run *r)
{
	struct rules_opts opts;
	int rc;

	if (r->a.from != NULL && watch_summary_load("report", r->a.from, &r->ws) < 0)
		return CT_EXIT_UNKNOWN;
	if (r->a.from != NULL)
		r->page.watch = &r->ws.w;
	if (read_logs(r) < 0 || collect(r) < 0)
		return CT_EXIT_UNKNOWN;
	rules_opts_default(&opts);
	check_verdict(&r->snap, &r->a.warn, &r->a.crit, &opts, r->a.do_walk ? &r->nat : NULL,
		      NAT_WARN_PCT, NAT_CRIT_PCT, &r->rep);
	header_facts(r);
	note_missing(r);
	make_plan(r);
	r->page.snap = &r->snap;
	r->page.rep = &r->rep;
	r->page.fill_warn_pct = r->a.warn.end;
	r->page.fill_crit_pct = r->a.crit.end;
	r->page.nat = r->a.do_walk && r->nat.has_rep ? &r->nat.rep : NULL;
	rc = outfile_write(r->a.output, render_page, r);
	if (rc < 0) {
		fprintf(stderr, "ctadvisor report: cannot write %s: %s\n", r->a.output,
			strerror(-rc));
		return CT_EXIT_UNKNOWN;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	static struct report_run r; /* large: the NAT view and the report */
	int rc;

	memset(&r, 0, sizeof(r));
	rc = parse_report_args(argc, argv, &r.a);
	if (rc != 0) {
		if (rc > 0)
			fputs(report_usage, stdout);
		return rc > 0 ? 0 : CT_EXIT_UNKNOWN;
	}
	snap_init(&r.snap);
	if (r.a.netns != NULL)
		snprintf(r.snap.netns, sizeof(r.snap.netns), "%s", r.a.netns);
	rc = run(&r);
	snap_free(&r.snap);
	logparse_agg_free(r.agg);
	return rc;
}
