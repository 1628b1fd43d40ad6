/* cmd_check.c: the one-shot health check. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../collect/check_netns.h"
#include "cli.h"
#include "check_state.h"
#include "cmd.h"
#include "outfile.h"
#include "cmd_check.h"
#include "../collect/collect.h"
#include "../analysis/check_verdict.h"
#include "../collect/nat_collect.h"
#include "../collect/netns.h"
#include "../analysis/range.h"
#include "../render/render.h"
#include "../render/render_plugin.h"
#include "root.h"
#include "../rules/rules.h"

#define LOAD_WARN_MAX 100 /* an average chain; the kernel drops at 50-79 */

static const char check_usage[] =
    "Usage: ctadvisor check [OPTIONS]\n"
    "\n"
    "One-shot health check of connection tracking: settings, occupancy, per-CPU\n"
    "counters, a streaming walk of the table, and findings with the commands that\n"
    "fix them. Needs root (CAP_NET_ADMIN) for counters and the walk; without it,\n"
    "it reports what /proc allows and says what it could not read.\n"
    "\n"
    "Options:\n"
    "  -n, --netns NS          check network namespace NS: a name under /run/netns,\n"
    "                          a path to a namespace file, or a process's PID\n"
    "  -f, --format FMT        text (default), json, or prometheus\n"
    "  -w, --warning RANGE     table fill (%) that warns, a monitoring-plugins range;\n"
    "                          it alerts when the fill is OUTSIDE the range, bounds\n"
    "                          included in the range: 75 (the default) is 0..75, so\n"
    "                          it warns above 75 % and 75 % itself is OK; 10: warns\n"
    "                          below 10, ~:10 above 10, 10:20 below 10 or above 20,\n"
    "                          @10:20 inside 10..20\n"
    "  -c, --critical RANGE    table fill (%) that is critical, the same grammar;\n"
    "                          checked first (default 90: above 90 %)\n"
    "      --fill-warn PCT     the same as -w PCT; --fill-crit PCT: as -c PCT\n"
    "  -o, --output FILE       write the report to FILE atomically (temp file and\n"
    "                          rename), e.g. into node_exporter's textfile directory\n"
    "      --no-walk           skip the table walk (counters and settings only)\n"
    "      --nat-warn PCT      source NAT port saturation that warns (default 70)\n"
    "      --nat-crit PCT      ... that is critical (default 90)\n"
    "      --no-nat            no NAT port saturation (nor nft/iptables-save runs)\n"
    "      --all-netns         also read every other network namespace (counts and\n"
    "                          counters): their fill is judged by -w/-c too, and\n"
    "                          the worst one, with its owner, joins the verdict\n"
    "      --unreplied-warn PCT  share of unreplied flows that warns (default 50)\n"
    "      --unreplied-min N   walked flows below which that share is not judged\n"
    "                          (default 1000)\n"
    "      --invalid-warn N    invalid packets since the last run that warn (default\n"
    "                          1000)\n"
    "      --load-warn N       average hash chain at a full table (2 x max / buckets)\n"
    "                          above which it warns, 0 < N <= 100 (default 16: the\n"
    "                          longest chain is then near the 50 at which the\n"
    "                          kernel drops; its own ratio is 2)\n"
    "      --mem-warn PCT      kernel memory of a full table, in % of RAM, that warns\n"
    "                          (default 5)\n"
    "      --mem-crit PCT      ... that is critical (default 25)\n"
    "      --state-dir DIR     keep what this run saw in DIR, so that the next run\n"
    "                          judges the counters' change since this one (default\n"
    "                          $CTADVISOR_STATE_DIR/check, else /var/lib/ctadvisor/\n"
    "                          check); a monitoring user gives one it can write\n"
    "      --no-state          read and write no state: counters judged on their\n"
    "                          totals, at most a warning unless the condition holds\n"
    "                          now\n"
    "      --since-boot        judge counters on their totals since boot, as if\n"
    "                          they had just happened (the state is still kept)\n"
    "      --color WHEN        auto (default), always, never; NO_COLOR turns auto\n"
    "                          off, and --color always wins over it\n"
    "  -h, --help              show this help\n"
    "\n"
    "Environment: NO_COLOR, TERM=dumb (see --color); CTADVISOR_ROOT=DIR reads\n"
    "DIR/proc and DIR/sys instead of /proc and /sys (a crafted tree, for tests;\n"
    "netlink still asks the kernel).\n"
    "\n"
    "The text format is a monitoring plugin's: the first line is\n"
    "'CONNTRACK <STATE> - <summary> | <perfdata>', the report follows.\n"
    "Counters only grow until reboot, so drop, early_drop, insert_failed,\n"
    "chaintoolong and invalid are judged on their change since the last run (the\n"
    "window, from the state); totals since boot stay in the evidence.\n"
    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for bad options).\n"
    "Examples: ctadvisor check --netns blue --format json\n"
    "          ctadvisor check -w 80 -c 95\n";

enum {
	OPT_NO_WALK = 256,
	OPT_FILL_WARN,
	OPT_FILL_CRIT,
	OPT_UNREPLIED_WARN,
	OPT_INVALID_WARN,
	OPT_COLOR,
	OPT_NAT_WARN,
	OPT_NAT_CRIT,
	OPT_NO_NAT,
	OPT_ALL_NETNS,
	OPT_UNREPLIED_MIN,
	OPT_LOAD_WARN,
	OPT_MEM_WARN,
	OPT_MEM_CRIT,
	OPT_STATE_DIR,
	OPT_NO_STATE,
	OPT_SINCE_BOOT,
};

static const struct option check_options[] = {
    {"netns", required_argument, NULL, 'n'},
    {"format", required_argument, NULL, 'f'},
    {"warning", required_argument, NULL, 'w'},
    {"critical", required_argument, NULL, 'c'},
    {"output", required_argument, NULL, 'o'},
    {"no-walk", no_argument, NULL, OPT_NO_WALK},
    {"fill-warn", required_argument, NULL, OPT_FILL_WARN},
    {"fill-crit", required_argument, NULL, OPT_FILL_CRIT},
    {"unreplied-warn", required_argument, NULL, OPT_UNREPLIED_WARN},
    {"unreplied-min", required_argument, NULL, OPT_UNREPLIED_MIN},
    {"invalid-warn", required_argument, NULL, OPT_INVALID_WARN},
    {"load-warn", required_argument, NULL, OPT_LOAD_WARN},
    {"mem-warn", required_argument, NULL, OPT_MEM_WARN},
    {"mem-crit", required_argument, NULL, OPT_MEM_CRIT},
    {"color", required_argument, NULL, OPT_COLOR},
    {"nat-warn", required_argument, NULL, OPT_NAT_WARN},
    {"nat-crit", required_argument, NULL, OPT_NAT_CRIT},
    {"no-nat", no_argument, NULL, OPT_NO_NAT},
    {"all-netns", no_argument, NULL, OPT_ALL_NETNS},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"no-state", no_argument, NULL, OPT_NO_STATE},
    {"since-boot", no_argument, NULL, OPT_SINCE_BOOT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A range (-w/-c), or a plain percentage as the simple upper threshold
 * 0..PCT (--fill-warn/--fill-crit). 0 or -EINVAL/-ERANGE. */
static int parse_threshold(const char *val, bool is_pct, struct check_threshold *t)
{
	struct range r = {.start = 0};
	int rc = is_pct ? cli_parse_pct(val, &r.end) : range_parse(val, &r);

	if (rc < 0)
		return rc;
	t->r = r;
	range_format(&r, t->text, sizeof(t->text));
	return 0;
}

/* An average chain length: more than 0, at most LOAD_WARN_MAX. NULL, or
 * what the error names. */
static const char *parse_load(const char *val, double *out)
{
	double v;

	if (range_parse_number(val, &v) < 0 || !(v > 0) || v > LOAD_WARN_MAX)
		return "--load-warn (a number above 0, at most 100)";
	*out = v;
	return NULL;
}

/* The thresholds: 0, or the name of the option whose value was bad. */
static const char *apply_limit(int opt, const char *val, struct check_args *a)
{
	switch (opt) {
	case 'w':
		return parse_threshold(val, false, &a->warn) ? "--warning" : NULL;
	case 'c':
		return parse_threshold(val, false, &a->crit) ? "--critical" : NULL;
	case OPT_FILL_WARN:
		return parse_threshold(val, true, &a->warn) ? "--fill-warn" : NULL;
	case OPT_FILL_CRIT:
		return parse_threshold(val, true, &a->crit) ? "--fill-crit" : NULL;
	case OPT_UNREPLIED_WARN:
		return cli_parse_pct(val, &a->opts.unreplied_warn_pct) ? "--unreplied-warn" : NULL;
	case OPT_UNREPLIED_MIN:
		return cli_parse_u64(val, &a->opts.unreplied_min)
			   ? "--unreplied-min (a count of flows, 0 or more)"
			   : NULL;
	case OPT_INVALID_WARN:
		return cli_parse_u64(val, &a->opts.invalid_warn) ? "--invalid-warn" : NULL;
	case OPT_LOAD_WARN:
		return parse_load(val, &a->opts.load_warn);
	case OPT_MEM_WARN:
		return cli_parse_pct(val, &a->opts.mem_warn_pct_ram)
			   ? "--mem-warn (a percentage of RAM, 0 to 100)"
			   : NULL;
	case OPT_MEM_CRIT:
		return cli_parse_pct(val, &a->opts.mem_crit_pct_ram)
			   ? "--mem-crit (a percentage of RAM, 0 to 100)"
			   : NULL;
	case OPT_NAT_WARN:
		return cli_parse_pct(val, &a->nat_warn_pct) ? "--nat-warn" : NULL;
	case OPT_NAT_CRIT:
		return cli_parse_pct(val, &a->nat_crit_pct) ? "--nat-crit" : NULL;
	default:
		return "?";
	}
}

/* 0, or the name of the option whose value was bad. */
static const char *apply_option(int opt, const char *val, void *args)
{
	struct check_args *a = args;

	switch (opt) {
	case 'n':
		a->netns = val;
		return val[0] ? NULL : "--netns";
	case 'f':
		return cli_parse_format(val, &a->format) ? "--format" : NULL;
	case 'o':
		a->output = val;
		return val[0] ? NULL : "--output";
	case OPT_NO_WALK:
		a->do_walk = false;
		return NULL;
	case OPT_COLOR:
		return cli_parse_color(val, &a->color) ? "--color" : NULL;
	case OPT_NO_NAT:
		a->do_nat = false;
		return NULL;
	case OPT_ALL_NETNS:
		a->all_netns = true;
		return NULL;
	case OPT_STATE_DIR:
		a->state.dir = val;
		return val[0] ? NULL : "--state-dir";
	case OPT_NO_STATE:
		a->state.no_state = true;
		return NULL;
	case OPT_SINCE_BOOT:
		a->opts.judge_since_boot = true;
		return NULL;
	default:
		return apply_limit(opt, val, a);
	}
}

static bool is_upper(const struct range *r)
{
	return r->start == 0 && !r->is_inside && isfinite(r->end);
}

/* Two simple upper thresholds must not cross; other ranges are the
 * caller's business, as with the monitoring plugins. 0, or -1 (printed). */
static int check_threshold_order(const struct check_args *a)
{
	if (is_upper(&a->warn.r) && is_upper(&a->crit.r) && a->warn.r.end > a->crit.r.end) {
		cmd_usage_error("check",
				"the warning threshold (%s) is above the critical one (%s)",
				a->warn.text, a->crit.text);
		return -1;
	}
	if (a->nat_warn_pct > a->nat_crit_pct) {
		cmd_usage_error("check", "--nat-warn (%g) is above --nat-crit (%g)",
				a->nat_warn_pct, a->nat_crit_pct);
		return -1;
	}
	if (a->opts.mem_warn_pct_ram > a->opts.mem_crit_pct_ram) {
		cmd_usage_error("check", "--mem-warn (%g) is above --mem-crit (%g)",
				a->opts.mem_warn_pct_ram, a->opts.mem_crit_pct_ram);
		return -1;
	}
	return 0;
}

int check_parse_args(int argc, char **argv, struct check_args *a)
{
	int rc;

	a->format = CLI_FORMAT_TEXT;
	a->color = CLI_COLOR_AUTO;
	a->do_walk = true;
	a->do_nat = true;
	a->all_netns = false;
	a->nat_warn_pct = 70;
	a->nat_crit_pct = 90;
	a->netns = a->output = NULL;
	a->state.dir = NULL;
	a->state.no_state = false;
	parse_threshold("75", false, &a->warn);
	parse_threshold("90", false, &a->crit);
	rules_opts_default(&a->opts);
	rc = cmd_parse_options("check", argc, argv, "+n:f:w:c:o:h", check_options, apply_option, a);
	if (rc != 0)
		return rc;
	if (optind < argc) {
		cmd_usage_error("check", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return check_threshold_order(a);
}

/* check's NAT view: large, and one per run. */
static struct nat_check check_nat;

/* The roots to read: /proc and /sys, or a crafted tree under
 * CTADVISOR_ROOT. 0, or a negative errno with why filled in. */
static int check_roots(struct sysctl_ctx *ctx, char *proc, size_t len, char *why, size_t why_len)
{
	int rc = sysctl_ctx_init(ctx, root_dir());

	if (rc == 0)
		rc = root_proc(proc, len);
	if (rc < 0)
		snprintf(why, why_len, "%s is unusable: %s", ROOT_ENV, strerror(-rc));
	return rc;
}

/* Everything read inside the namespace to check; self is its identity, to
 * leave it out of --all-netns. */
static void collect_all(struct ct_snapshot *snap, const struct check_args *a,
			const struct sysctl_ctx *ctx, const char *proc,
			struct check_netns_self *self)
{
	if (a->all_netns)
		check_netns_self(self);

	snap->is_init_netns = netns_is_init(ctx);
	collect_host(snap, ctx, proc);
	collect_sysctl(snap, ctx);
	collect_count(snap, ctx);
	collect_stats(snap, proc);
	if (a->do_walk && a->do_nat)
		nat_check_walk(snap, &check_nat, a->nat_warn_pct, a->nat_crit_pct);
	else if (a->do_walk)
		collect_walk(snap);
}

/* From the caller's namespace: every other one, for --all-netns. */
static void collect_others(struct ct_snapshot *snap, const struct check_args *a,
			   const struct check_netns_self *self)
{
	int rc;

	if (!a->all_netns)
		return;
	rc = check_netns_collect(self, snap->has_max ? snap->max : 0, &a->warn.r, &a->crit.r,
				 &snap->all_ns);
	if (rc == -ENOTRECOVERABLE) {
		fprintf(stderr, "ctadvisor check: cannot return to the original network namespace: "
				"stopped, since no report would be true\n");
		exit(CT_EXIT_UNKNOWN);
	}
	if (rc < 0)
		snap_add_problem(snap, "all-netns", -rc,
				 "finding the network namespaces failed: %s", strerror(-rc));
}

static int render(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		  const struct check_args *a)
{
	struct render_opts ro = {.color = a->output == NULL && cmd_want_color(a->color),
				 .version = CTADVISOR_VERSION,
				 .last_success_s = a->last_success_s};
	struct render_plugin_opts po = {.fill_warn = a->warn.text,
					.fill_crit = a->crit.text,
					.max_bytes = RENDER_PLUGIN_MAX_BYTES};

	switch (a->format) {
	case CLI_FORMAT_JSON:
		return render_json(out, snap, rep, &ro);
	case CLI_FORMAT_PROMETHEUS:
		return render_prom(out, snap, rep, &ro);
	default:
		return render_plugin_text(out, snap, rep, &ro, &po);
	}
}

struct check_render {
	const struct ct_snapshot *snap;
	const struct rules_report *rep;
	const struct check_args *a;
};

static int render_ctx(FILE *out, const void *ctx)
{
	const struct check_render *r = ctx;

	return render(out, r->snap, r->rep, r->a);
}

/* --output: replaced in one rename, so the textfile collector sees the
 * previous report or this one, never half. */
static int render_to_file(const struct ct_snapshot *snap, const struct rules_report *rep,
			  const struct check_args *a)
{
	struct check_render r = {.snap = snap, .rep = rep, .a = a};
	int rc = outfile_write(a->output, render_ctx, &r);

	if (rc < 0)
		fprintf(stderr, "ctadvisor check: cannot write %s: %s\n", a->output, strerror(-rc));
	return rc;
}

/* 0, or a negative errno with why filled in. */
static int enter_netns(const struct check_args *a, struct netns_switch *sw, char *why,
		       size_t why_len)
{
	int rc;

	sw->orig_fd = -1;
	if (a->netns == NULL)
		return 0;
	rc = netns_enter(a->netns, sw);
	if (rc < 0)
		cmd_netns_error(a->netns, -rc, why, why_len);
	return rc;
}

/* Nothing could be read: the report still comes, in the format asked,
 * UNKNOWN with why, so that a JSON reader gets a document and the textfile
 * collector status 3 rather than the last run's OK. */
static int check_unknown(struct ct_snapshot *snap, struct rules_report *rep, struct check_args *a,
			 int err, const char *why)
{
	int rc;

	fprintf(stderr, "ctadvisor check: %s\n", why);
	snap_add_problem(snap, "netns", err, "%s", why);
	check_verdict(snap, &a->warn.r, &a->crit.r, &a->opts, NULL, a->nat_warn_pct,
		      a->nat_crit_pct, rep);
	a->last_success_s = check_last_success(true, a->output);
	rc = a->output != NULL ? render_to_file(snap, rep, a) : render(stdout, snap, rep, a);
	if (rc == 0 && a->output == NULL)
		fflush(stdout);
	snap_free(snap);
	return CT_EXIT_UNKNOWN;
}

int cmd_check(int argc, char **argv)
{
	static struct rules_report rep;
	static struct check_state state;
	struct check_netns_self self = {0};
	struct netns_switch sw;
	struct ct_snapshot snap;
	struct check_args a;
	struct sysctl_ctx ctx;
	char proc[SYSCTL_PATH_LEN], why[512];
	int rc = check_parse_args(argc, argv, &a);

	if (rc != 0) {
		if (rc > 0)
			fputs(check_usage, stdout);
		return rc > 0 ? 0 : CT_EXIT_UNKNOWN;
	}
	snap_init(&snap);
	if (a.netns != NULL)
		snprintf(snap.netns, sizeof(snap.netns), "%s", a.netns);
	rc = check_roots(&ctx, proc, sizeof(proc), why, sizeof(why));
	if (rc == 0)
		rc = enter_netns(&a, &sw, why, sizeof(why));
	if (rc < 0)
		return check_unknown(&snap, &rep, &a, -rc, why);
	collect_all(&snap, &a, &ctx, proc, &self);
	check_state_load(&state, &a.state, proc, &snap, &a.opts);
	netns_leave(&sw);
	collect_others(&snap, &a, &self);
	check_verdict(&snap, &a.warn.r, &a.crit.r, &a.opts,
		      a.do_walk && a.do_nat ? &check_nat : NULL, a.nat_warn_pct, a.nat_crit_pct,
		      &rep);
	a.last_success_s = check_last_success(rep.is_unknown, a.output);
	rc = a.output != NULL ? render_to_file(&snap, &rep, &a) : render(stdout, &snap, &rep, &a);
	check_state_save(&state, &snap);
	snap_free(&snap);
	if (a.output != NULL && rc < 0)
		return CT_EXIT_UNKNOWN;
	if (rc < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "ctadvisor check: writing the report failed: %s\n",
			strerror(errno));
		return CT_EXIT_UNKNOWN;
	}
	return rules_exit_code(&rep);
}
