/* plan_args.c: `ctadvisor plan`'s options, each checked as it is read
 * (growth, target, headroom, load, budget, the what-if timeouts); errors
 * are one usage line naming the option. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "plan_args.h"
#include "size.h"
#include "../nl/nl_events.h"

const char plan_usage[] =
    "Usage: ctadvisor plan [OPTIONS]\n"
    "\n"
    "Recommends nf_conntrack_max and nf_conntrack_buckets and shows the working:\n"
    "demand (peak of a saved watch, or the current count; at least the busiest\n"
    "network namespace's count: the knobs are global) x growth, or a target;\n"
    "max = demand / (1 - headroom) rounded up to a tidy value; buckets = max / load\n"
    "(or all namespaces' entries, when more) rounded as the kernel rounds; kernel\n"
    "memory at max against RAM and a budget;\n"
    "the kernel's default and kube-proxy's formula side by side (a running\n"
    "kube-proxy's own --conntrack-max-per-core/--conntrack-min or --config\n"
    "values, the 1.36+ cap at 1048576 and the older rule, and a warning when it\n"
    "would overwrite the recommendation at its next start); and who else\n"
    "writes these knobs on this host. Reading the count needs root.\n"
    "\n"
    "A plan never lowers the current settings without evidence: below them it\n"
    "keeps them (and says why) unless the demand is a watch summary of 24 hours\n"
    "or more and --allow-shrink is given, and even then not below the kernel's\n"
    "default for this RAM. A count of 0 sizes nothing.\n"
    "\n"
    "Options:\n"
    "  -g, --growth X        expected growth factor of the demand (default 1; e.g. 5)\n"
    "  -t, --target N        plan for N entries instead (not with --growth)\n"
    "      --headroom P      percent left free at that demand (default 20)\n"
    "      --load L          entries per bucket at max, 1..64 (default 1, the\n"
    "                        kernel's ratio; kube-proxy uses 4)\n"
    "      --mem-budget SIZE kernel memory the table may use: 512M, 2G, 1.5GiB, bytes\n"
    "      --from FILE       a summary saved by 'ctadvisor watch --save FILE'; its\n"
    "                        peak is the demand, its event figures feed Little's law\n"
    "      --set KNOB=SEC    what-if for the timeout of one flow class:\n"
    "                        tcp_timeout_established (TCP that reached\n"
    "                        ESTABLISHED), tcp_timeout_syn_sent (TCP that never\n"
    "                        did), udp_timeout (UDP not assured), udp_timeout_stream\n"
    "                        (assured UDP), icmp_timeout, generic_timeout; needs\n"
    "                        --from a 'watch --events' summary. Flows that timed\n"
    "                        out live (lifetime - old + new), the others are capped\n"
    "                        at the new timeout\n"
    "      --allow-shrink    recommend lower settings when a --from summary of 24 h\n"
    "                        or more shows they hold its peak with the headroom\n"
    "  -n, --netns NS        read the current count in network namespace NS\n"
    "  -f, --format FMT      text (default) or json\n"
    "  -s, --save FILE       write the plan (JSON) for\n"
    "                        'ctadvisor apply --from-plan FILE'\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 plan made, 3 bad input or facts that could not be read.\n"
    "Example: ctadvisor plan --from w.json --growth 5 --mem-budget 1G\n";

enum { OPT_HEADROOM = 256, OPT_LOAD, OPT_BUDGET, OPT_FROM, OPT_SET, OPT_SHRINK };

static const struct option plan_options[] = {
    {"growth", required_argument, NULL, 'g'},
    {"target", required_argument, NULL, 't'},
    {"headroom", required_argument, NULL, OPT_HEADROOM},
    {"load", required_argument, NULL, OPT_LOAD},
    {"mem-budget", required_argument, NULL, OPT_BUDGET},
    {"from", required_argument, NULL, OPT_FROM},
    {"set", required_argument, NULL, OPT_SET},
    {"allow-shrink", no_argument, NULL, OPT_SHRINK},
    {"netns", required_argument, NULL, 'n'},
    {"format", required_argument, NULL, 'f'},
    {"save", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A usage error: one line naming the option, then the hint. */
static int bad(const char *opt, const char *val, const char *why)
{
	cmd_usage_error("plan", "invalid value for %s: '%s': %s", opt, val, why);
	return -1;
}

/* Strict: digits, an optional fraction, an optional trailing 'x'. */
static int parse_growth(const char *s, double *out)
{
	char *end;
	double v;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	v = strtod(s, &end);
	if (*end == 'x' || *end == 'X')
		end++;
	if (*end != '\0' || !isfinite(v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_set(const char *val, struct plan_args *a)
{
	const char *eq = strchr(val, '=');
	char name[80];
	uint64_t secs;
	size_t n = eq ? (size_t)(eq - val) : 0;

	if (eq == NULL || n == 0 || n >= 60)
		return bad("--set", val, "expected KNOB=SECONDS");
	if (strncmp(val, "net.netfilter.", 14) == 0)
		snprintf(name, sizeof(name), "%.*s", (int)n, val);
	else if (strncmp(val, "nf_conntrack_", 13) == 0)
		snprintf(name, sizeof(name), "net.netfilter.%.*s", (int)n, val);
	else
		snprintf(name, sizeof(name), "net.netfilter.nf_conntrack_%.*s", (int)n, val);
	if (a->n_sets >= PLAN_MAX_SETS)
		return bad("--set", val, "at most 8 what-if changes");
	for (int c = 0; c < NL_FC_CLASSES; c++) {
		if (strcmp(name, nl_events_fclass_knob(c)) != 0)
			continue;
		if (cli_parse_u64(eq + 1, &secs) < 0 || secs == 0 || secs > 2147483647)
			return bad("--set", val, "the timeout must be 1..2147483647 seconds");
		snprintf(a->set_names[a->n_sets], sizeof(a->set_names[0]), "%s", name);
		a->sets[a->n_sets].knob = a->set_names[a->n_sets];
		a->sets[a->n_sets++].timeout_s = (double)secs;
		return 0;
	}
	return bad("--set", val,
		   "only these timeouts can be projected: tcp_timeout_established, "
		   "tcp_timeout_syn_sent, udp_timeout, udp_timeout_stream, icmp_timeout, "
		   "generic_timeout");
}

static int apply_number_option(int opt, const char *val, struct plan_args *a)
{
	switch (opt) {
	case 'g':
		a->has_growth = true;
		if (parse_growth(val, &a->growth) < 0 || a->growth <= 0)
			return bad("--growth", val, "expected a factor > 0 (e.g. 5 or 1.5)");
		return 0;
	case 't':
		a->has_target = true;
		if (cli_parse_u64(val, &a->target) < 0 || a->target == 0)
			return bad("--target", val, "expected a number of entries >= 1");
		return 0;
	case OPT_HEADROOM:
		a->has_headroom = true;
		if (cli_parse_pct(val, &a->headroom_pct) < 0 || a->headroom_pct >= 100)
			return bad("--headroom", val, "expected a percentage >= 0 and < 100");
		return 0;
	case OPT_LOAD:
		if (cli_parse_u64(val, &a->load) < 0 || a->load == 0 || a->load > PLAN_LOAD_MAX)
			return bad("--load", val, "expected 1..64 entries per bucket");
		return 0;
	case OPT_BUDGET:
		if (cli_parse_size(val, &a->budget) < 0 || a->budget == 0)
			return bad("--mem-budget", val,
				   "expected a size > 0 such as 512M, 2G, 1.5GiB");
		return 0;
	}
	return 1; /* not a number option */
}

static int apply_option(int opt, const char *val, struct plan_args *a)
{
	int rc = apply_number_option(opt, val, a);

	if (rc <= 0)
		return rc;
	switch (opt) {
	case OPT_SHRINK:
		a->allow_shrink = true;
		return 0;
	case OPT_FROM:
		a->from = val;
		return val[0] ? 0 : bad("--from", val, "expected a file name");
	case OPT_SET:
		return parse_set(val, a);
	case 'n':
		a->netns = val;
		return val[0] ? 0 : bad("--netns", val, "expected a name, path or PID");
	case 'f':
		if (cli_parse_format(val, &a->format) < 0 || a->format == CLI_FORMAT_PROMETHEUS)
			return bad("--format", val, "expected text or json");
		return 0;
	case 's':
		a->save = val;
		return val[0] ? 0 : bad("--save", val, "expected a file name");
	}
	return bad("?", val, "unknown option");
}

static const char *plan_option(int opt, const char *val, void *args)
{
	return apply_option(opt, val, args) < 0 ? CMD_OPTION_REPORTED : NULL;
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
int plan_parse_args(int argc, char **argv, struct plan_args *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->growth = 1.0;
	a->load = PLAN_DEFAULT_LOAD;
	a->format = CLI_FORMAT_TEXT;
	rc = cmd_parse_options("plan", argc, argv, "+g:t:n:f:s:h", plan_options, plan_option, a);
	if (rc != 0)
		return rc;
	if (optind < argc) {
		cmd_usage_error("plan", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (a->has_growth && a->has_target) {
		cmd_usage_error("plan", "--growth and --target exclude each other: a target is "
					"the demand itself");
		return -1;
	}
	return 0;
}
