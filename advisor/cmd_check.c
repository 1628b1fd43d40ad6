/* cmd_check.c: the one-shot health check. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "collect.h"
#include "netns.h"
#include "render.h"
#include "../rules/rules.h"

#define EXIT_UNKNOWN 3

struct check_args {
	const char *netns;
	enum cli_format format;
	enum cli_color color;
	bool do_walk;
	struct rules_opts opts;
};

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
    "                          a path to a namespace file, or the PID of a process in it\n"
    "  -f, --format FMT        text (default), json, or prometheus\n"
    "      --no-walk           skip the table walk (counters and settings only)\n"
    "      --fill-warn PCT     occupancy warning threshold (default 75)\n"
    "      --fill-crit PCT     occupancy critical threshold (default 90)\n"
    "      --unreplied-warn PCT  share of unreplied flows that warns (default 50)\n"
    "      --invalid-warn N    invalid packets since boot that warn (default 1000)\n"
    "      --color WHEN        auto (default), always, never; NO_COLOR disables auto\n"
    "  -h, --help              show this help\n"
    "\n"
    "Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (also for bad options).\n"
    "Example: ctadvisor check --netns blue --format json\n";

enum {
	OPT_NO_WALK = 256,
	OPT_FILL_WARN,
	OPT_FILL_CRIT,
	OPT_UNREPLIED_WARN,
	OPT_INVALID_WARN,
	OPT_COLOR,
};

static const struct option check_options[] = {
    {"netns", required_argument, NULL, 'n'},
    {"format", required_argument, NULL, 'f'},
    {"no-walk", no_argument, NULL, OPT_NO_WALK},
    {"fill-warn", required_argument, NULL, OPT_FILL_WARN},
    {"fill-crit", required_argument, NULL, OPT_FILL_CRIT},
    {"unreplied-warn", required_argument, NULL, OPT_UNREPLIED_WARN},
    {"invalid-warn", required_argument, NULL, OPT_INVALID_WARN},
    {"color", required_argument, NULL, OPT_COLOR},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* 0, or the name of the option whose value was bad. */
static const char *apply_option(int opt, const char *val, struct check_args *a)
{
	switch (opt) {
	case 'n':
		a->netns = val;
		return val[0] ? NULL : "--netns";
	case 'f':
		return cli_parse_format(val, &a->format) ? "--format" : NULL;
	case OPT_NO_WALK:
		a->do_walk = false;
		return NULL;
	case OPT_FILL_WARN:
		return cli_parse_pct(val, &a->opts.fill_warn_pct) ? "--fill-warn" : NULL;
	case OPT_FILL_CRIT:
		return cli_parse_pct(val, &a->opts.fill_crit_pct) ? "--fill-crit" : NULL;
	case OPT_UNREPLIED_WARN:
		return cli_parse_pct(val, &a->opts.unreplied_warn_pct) ? "--unreplied-warn" : NULL;
	case OPT_INVALID_WARN:
		return cli_parse_u64(val, &a->opts.invalid_warn) ? "--invalid-warn" : NULL;
	case OPT_COLOR:
		return cli_parse_color(val, &a->color) ? "--color" : NULL;
	default:
		return "?";
	}
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int parse_check_args(int argc, char **argv, struct check_args *a)
{
	const char *bad;
	int opt;

	a->format = CLI_FORMAT_TEXT;
	a->color = CLI_COLOR_AUTO;
	a->do_walk = true;
	rules_opts_default(&a->opts);
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+n:f:h", check_options, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == '?' || opt == ':') {
			cmd_usage_error("check", "unknown option or missing value: '%s'",
					argv[optind - 1]);
			return -1;
		}
		bad = apply_option(opt, optarg, a);
		if (bad != NULL) {
			cmd_usage_error("check", "invalid value for %s: '%s'", bad, optarg);
			return -1;
		}
	}
	if (optind < argc) {
		cmd_usage_error("check", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (a->opts.fill_warn_pct > a->opts.fill_crit_pct) {
		cmd_usage_error("check", "--fill-warn (%g) is above --fill-crit (%g)",
				a->opts.fill_warn_pct, a->opts.fill_crit_pct);
		return -1;
	}
	return 0;
}

static bool want_color(enum cli_color c)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (c != CLI_COLOR_AUTO)
		return c == CLI_COLOR_ALWAYS;
	if (no_color != NULL && no_color[0] != '\0')
		return false;
	if (term == NULL || strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

static void collect_all(struct ct_snapshot *snap, const struct check_args *a)
{
	struct sysctl_ctx ctx;

	sysctl_ctx_init(&ctx, NULL);
	snap->is_init_netns = netns_is_init(&ctx);
	collect_host(snap, &ctx, "/proc");
	collect_sysctl(snap, &ctx);
	collect_count(snap, &ctx);
	collect_stats(snap, "/proc");
	if (a->do_walk)
		collect_walk(snap);
}

static int render(const struct ct_snapshot *snap, const struct rules_report *rep,
		  const struct check_args *a)
{
	struct render_opts ro = {.color = want_color(a->color), .version = CTADVISOR_VERSION};

	switch (a->format) {
	case CLI_FORMAT_JSON:
		return render_json(stdout, snap, rep, &ro);
	case CLI_FORMAT_PROMETHEUS:
		return render_prom(stdout, snap, rep, &ro);
	default:
		return render_text(stdout, snap, rep, &ro);
	}
}

static int enter_netns(const struct check_args *a, struct netns_switch *sw)
{
	int rc;

	sw->orig_fd = -1;
	if (a->netns == NULL)
		return 0;
	rc = netns_enter(a->netns, sw);
	if (rc == -ENOENT)
		fprintf(stderr,
			"ctadvisor check: no network namespace '%s' (see 'ip netns list', or give "
			"a path or a PID)\n",
			a->netns);
	else if (rc < 0)
		fprintf(stderr, "ctadvisor check: cannot enter network namespace '%s': %s%s\n",
			a->netns, strerror(-rc),
			rc == -EPERM ? " (run as root: setns needs CAP_SYS_ADMIN)" : "");
	return rc;
}

int cmd_check(int argc, char **argv)
{
	static struct rules_report rep;
	struct netns_switch sw;
	struct ct_snapshot snap;
	struct check_args a;
	int rc = parse_check_args(argc, argv, &a);

	if (rc != 0) {
		if (rc > 0)
			fputs(check_usage, stdout);
		return rc > 0 ? 0 : EXIT_UNKNOWN;
	}
	if (enter_netns(&a, &sw) < 0)
		return EXIT_UNKNOWN;
	snap_init(&snap);
	if (a.netns != NULL)
		snprintf(snap.netns, sizeof(snap.netns), "%s", a.netns);
	collect_all(&snap, &a);
	netns_leave(&sw);
	rules_evaluate(&snap, &a.opts, &rep);
	rc = render(&snap, &rep, &a);
	snap_free(&snap);
	if (rc < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "ctadvisor check: writing the report failed: %s\n",
			strerror(errno));
		return EXIT_UNKNOWN;
	}
	return rules_exit_code(&rep);
}
