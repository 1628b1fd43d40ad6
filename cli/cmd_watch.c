/* cmd_watch.c: sample occupancy and counters over time and report rates.
 * Each sample is two ctnetlink requests (GET_STATS, GET_STATS_CPU): O(1)
 * whatever the table size, never a walk. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "cmd_watch.h"
#include "outfile.h"
#include "../collect/netns.h"
#include "../nl/nl_events.h"
#include "../nl/nl_sock.h"
#include "../nl/nl_stats.h"
#include "../render/render_watch.h"
#include "watch_invalid.h"
#include "watch_prom.h"
#include "../rules/rules_watch.h"
#include "../sysctl/sysctl.h"

static const char watch_usage[] =
    "Usage: ctadvisor watch [OPTIONS]\n"
    "       ctadvisor watch --invalid [--proto P] [--force] [OPTIONS]\n"
    "\n"
    "Samples the conntrack count and the kernel's per-CPU counters every interval\n"
    "and prints a line of per-second rates; at the end (duration or Ctrl-C) a\n"
    "summary: peak and mean occupancy, growth per hour, projected time to full\n"
    "(from a watch of 5 minutes or more: a shorter one sees a burst, not a trend),\n"
    "a sparkline, and findings about what happened during the watch. Each sample\n"
    "is two ctnetlink requests, never a table walk. Needs root (CAP_NET_ADMIN).\n"
    "\n"
    "Options:\n"
    "  -n, --netns NS        watch network namespace NS (name, path, or PID)\n"
    "  -i, --interval D      time between samples (default 1s); D is a number with\n"
    "                        a unit ms, s, m or h (seconds when none)\n"
    "  -d, --duration D      stop after D, at least one interval (default: until\n"
    "                        Ctrl-C)\n"
    "  -e, --events          also count ctnetlink NEW/UPDATE/DESTROY events: new\n"
    "                        flows per second and mean flow lifetime by protocol\n"
    "                        and by the state a flow reached (TCP established or\n"
    "                        not, UDP stream or not); flows still open at the end\n"
    "                        count with their age so far (lower bounds). Cost:\n"
    "                        with nf_conntrack_events=2 (default) a listener makes\n"
    "                        the kernel attach the event extension (>= 128 B) to\n"
    "                        every entry created while ctadvisor listens\n"
    "  -f, --format FMT      text (default), json (one object per line: samples,\n"
    "                        then the summary) or prometheus (metrics for\n"
    "                        node_exporter's textfile collector after every\n"
    "                        sample: conntrack -S totals summed over CPUs as\n"
    "                        counters that never go backwards while the watch\n"
    "                        runs, count, limit and peak, start and last-write\n"
    "                        times; no summary). Without --output, one complete\n"
    "                        exposition per interval on stdout, each followed by\n"
    "                        an empty line (to look at, or to pipe)\n"
    "  -o, --output FILE     with --format prometheus: replace FILE atomically\n"
    "                        every interval (temp file in its directory, then\n"
    "                        rename), e.g. in node_exporter's\n"
    "                        --collector.textfile.directory as NAME.prom\n"
    "  -s, --save FILE       also write the summary (JSON) to FILE, for\n"
    "                        'ctadvisor plan --from FILE'\n"
    "      --fill-warn PCT   peak occupancy above which it warns (default 75), as\n"
    "                        check's -w PCT\n"
    "      --fill-crit PCT   peak occupancy above which it is critical (default\n"
    "                        90), as check's -c PCT\n"
    "  -h, --help            show this help\n"
    "\n"
    "Invalid packets (--events, --save and --fill-* do not apply):\n"
    "      --invalid         classify, live, the packets conntrack finds invalid\n"
    "                        (NFLOG group 0); changes nf_conntrack_log_invalid and\n"
    "                        nf_log.2/.10 for the run (undo record first; restored\n"
    "                        at the end, on Ctrl-C/TERM/HUP; after a crash:\n"
    "                        'ctadvisor undo')\n"
    "      --proto P         the protocol to report: tcp, udp, udplite, icmp,\n"
    "                        icmpv6, sctp, dccp (kernels before 6.17), or all\n"
    "                        (the default)\n"
    "      --force           run anyway. NFLOG group 0 held by another process\n"
    "                        (e.g. ulogd): the kernel gives a group to one socket,\n"
    "                        so only conntrack's invalid counter is counted and\n"
    "                        nothing is changed; an open undo record of an earlier\n"
    "                        run here: the current values are taken as originals\n"
    "\n"
    "Exit status: as 'check', from the watch findings: 0 OK, 1 WARNING,\n"
    "2 CRITICAL, 3 UNKNOWN (also for bad options). With --invalid: 0 nothing\n"
    "dropped (packets marked invalid where no rule drops ct state invalid are\n"
    "not), 1 packets marked invalid and dropped by a rule (or the ruleset could\n"
    "not be read, or a conntrack helper dropped them), 2 table full, 3 error or\n"
    "refused.\n"
    "Examples: ctadvisor watch --interval 1s --duration 5m --events\n"
    "          ctadvisor watch --interval 15s --format prometheus \\\n"
    "            --output /var/lib/prometheus/node-exporter/ctadvisor_watch.prom\n"
    "          ctadvisor watch --invalid --duration 60s\n";

enum { OPT_FILL_WARN = 256, OPT_FILL_CRIT, OPT_INVALID, OPT_PROTO, OPT_FORCE };

static const struct option watch_options[] = {
    {"netns", required_argument, NULL, 'n'},
    {"interval", required_argument, NULL, 'i'},
    {"duration", required_argument, NULL, 'd'},
    {"events", no_argument, NULL, 'e'},
    {"format", required_argument, NULL, 'f'},
    {"save", required_argument, NULL, 's'},
    {"output", required_argument, NULL, 'o'},
    {"invalid", no_argument, NULL, OPT_INVALID},
    {"proto", required_argument, NULL, OPT_PROTO},
    {"force", no_argument, NULL, OPT_FORCE},
    {"fill-warn", required_argument, NULL, OPT_FILL_WARN},
    {"fill-crit", required_argument, NULL, OPT_FILL_CRIT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *apply_option(int opt, const char *val, void *args)
{
	struct watch_args *a = args;

	switch (opt) {
	case 'n':
		a->netns = val;
		return val[0] ? NULL : "--netns";
	case 'i':
		return cli_parse_duration_ms(val, &a->interval_ms) ? "--interval" : NULL;
	case 'd':
		return cli_parse_duration_ms(val, &a->duration_ms) ? "--duration" : NULL;
	case 'e':
		a->events = true;
		return NULL;
	case 'f':
		return cli_parse_format(val, &a->format) ? "--format" : NULL;
	case 'o':
		a->output = val;
		return val[0] ? NULL : "--output";
	case 's':
		a->save = val;
		return val[0] ? NULL : "--save";
	case OPT_INVALID:
		a->invalid = true;
		return NULL;
	case OPT_PROTO:
		return cli_parse_log_proto(val, &a->log_proto) ? "--proto" : NULL;
	case OPT_FORCE:
		a->force = true;
		return NULL;
	case OPT_FILL_WARN:
		a->fill_set = true;
		return cli_parse_pct(val, &a->opts.fill_warn_pct) ? "--fill-warn" : NULL;
	case OPT_FILL_CRIT:
		a->fill_set = true;
		return cli_parse_pct(val, &a->opts.fill_crit_pct) ? "--fill-crit" : NULL;
	default:
		return "?";
	}
}

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int parse_watch_args(int argc, char **argv, struct watch_args *a)
{
	int rc;

	memset(a, 0, sizeof(*a));
	a->interval_ms = 1000;
	a->format = CLI_FORMAT_TEXT;
	a->log_proto = 255;
	rules_opts_default(&a->opts);
	rc = cmd_parse_options("watch", argc, argv, "+n:i:d:ef:s:o:h", watch_options, apply_option,
			       a);
	if (rc != 0)
		return rc;
	if (optind < argc) {
		cmd_usage_error("watch", "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!a->invalid && (a->force || a->log_proto != 255)) {
		cmd_usage_error("watch", "--proto and --force only go with --invalid");
		return -1;
	}
	if (a->invalid && (a->events || a->save != NULL || a->fill_set)) {
		cmd_usage_error("watch", "--events, --save and --fill-* do not go with --invalid");
		return -1;
	}
	if (a->output != NULL && a->format != CLI_FORMAT_PROMETHEUS) {
		cmd_usage_error("watch", "--output goes with --format prometheus (the summary: "
					 "--save FILE)");
		return -1;
	}
	if (a->duration_ms != 0 && a->duration_ms < a->interval_ms) {
		cmd_usage_error("watch", "--duration is shorter than --interval");
		return -1;
	}
	return 0;
}

/* One sample; cpus is malloc'd into the sample. */
static int take_sample(struct rates_sample *s, struct snap_cpu_stats **cpus)
{
	struct nl_stats_global g;
	size_t n = 0;
	int rc = nl_stats_query_global(&g);

	if (rc == 0)
		rc = nl_stats_query_cpus(cpus, &n);
	if (rc < 0)
		return rc;
	*s = (struct rates_sample){
	    .t_ms = now_ms(), .count = g.count, .max = g.max, .cpus = *cpus, .n_cpus = n};
	return 0;
}

/* Sleep until deadline, draining events meanwhile; false when stopped. */
static bool wait_until(uint64_t deadline, struct nl_events *ev)
{
	struct pollfd pfd = {.fd = ev ? nl_events_fd(ev) : -1, .events = POLLIN};

	while (!stop_requested) {
		uint64_t t = now_ms();

		if (t >= deadline)
			return true;
		if (poll(ev ? &pfd : NULL, ev ? 1 : 0, (int)(deadline - t)) > 0 && ev)
			nl_events_drain(ev, now_ms());
	}
	return false;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

struct watch_run {
	struct watch_state st;
	struct snap_cpu_stats *prev_cpus;
	struct rates_sample prev;
	bool has_prev;
	struct render_watch_opts ro;
	struct watch_prom prom; /* --format prometheus */
	bool is_write_failed;   /* its first write failed (said already) */
};

static int sample_loop(const struct watch_args *a, struct watch_run *r, struct nl_events *ev)
{
	uint64_t start = now_ms(), next = start;
	int rc = 0;

	while (!stop_requested) {
		struct snap_cpu_stats *cpus = NULL;
		struct rates_sample cur;

		rc = take_sample(&cur, &cpus);
		if (rc < 0)
			break;
		if (ev != NULL)
			nl_events_drain(ev, cur.t_ms);
		watch_state_add(&r->st, r->has_prev ? &r->prev : NULL, &cur,
				ev ? nl_events_get_stats(ev) : NULL);
		if (a->format == CLI_FORMAT_PROMETHEUS)
			rc = watch_prom_sample(&r->prom, &r->st, r->has_prev ? &r->prev : NULL,
					       &cur);
		else
			render_watch_sample(stdout, &r->st, r->has_prev ? &r->prev : NULL, &cur,
					    &r->ro);
		fflush(stdout);
		free(r->prev_cpus);
		r->prev_cpus = cpus;
		r->prev = cur;
		r->has_prev = true;
		if (rc < 0) {
			r->is_write_failed = true;
			return rc;
		}
		next += a->interval_ms;
		if (a->duration_ms && next - start > a->duration_ms)
			break;
		if (!wait_until(next, ev))
			break;
	}
	return rc;
}

static int report_failure(int rc, const struct watch_run *r)
{
	if (r->is_write_failed)
		return -1;
	fprintf(stderr, "ctadvisor watch: reading the conntrack statistics failed: %s%s\n",
		strerror(-rc), nl_sock_hint(rc));
	return r->st.sum.samples > 0 ? 0 : -1;
}

/* The timeout of each flow class in this namespace, for plan's what-if. */
static void read_timeouts(struct watch_state *st)
{
	struct sysctl_ctx ctx;

	sysctl_ctx_init(&ctx, NULL);
	for (int c = 0; c < NL_FC_CLASSES; c++) {
		int64_t v;

		if (sysctl_read_i64(&ctx, nl_events_fclass_knob(c), &v) == 0)
			st->timeout_s[c] = v;
	}
}

struct saved_summary {
	const struct watch_state *st;
	const struct rules_report *rep;
};

static int render_saved(FILE *out, const void *ctx)
{
	const struct saved_summary *s = ctx;

	return render_watch_saved(out, s->st, s->rep);
}

/* --save: the summary for plan --from, written atomically. */
static int save_summary(const char *path, const struct watch_state *st,
			const struct rules_report *rep)
{
	struct saved_summary s = {.st = st, .rep = rep};
	int rc = outfile_write(path, render_saved, &s);

	if (rc < 0)
		fprintf(stderr, "ctadvisor watch: cannot save the summary to %s: %s\n", path,
			strerror(-rc));
	return rc;
}

static int run_watch(const struct watch_args *a)
{
	static struct rules_report rep;
	struct watch_run r;
	struct nl_events *ev = NULL;
	int err = 0, rc;

	memset(&r, 0, sizeof(r));
	r.ro.is_json = a->format == CLI_FORMAT_JSON;
	r.ro.is_utf8 = cmd_utf8_terminal();
	watch_state_init(&r.st, a->netns, a->interval_ms, a->events);
	watch_prom_init(&r.prom, a);
	if (a->events)
		read_timeouts(&r.st);
	if (a->events && (ev = nl_events_open(&err)) == NULL) {
		fprintf(stderr, "ctadvisor watch: cannot subscribe to conntrack events: %s%s\n",
			strerror(-err), nl_sock_hint(err));
		return CT_EXIT_UNKNOWN;
	}
	install_signals();
	rc = sample_loop(a, &r, ev);
	if (rc < 0 && report_failure(rc, &r) < 0) {
		nl_events_close(ev);
		free(r.prev_cpus);
		return CT_EXIT_UNKNOWN;
	}
	if (ev != NULL) {
		uint64_t t = now_ms();

		nl_events_drain(ev, t);
		nl_events_census(ev, t);
		r.st.events = *nl_events_get_stats(ev);
	}
	rules_evaluate_watch(&r.st.sum, &a->opts, &rep);
	rc = a->format == CLI_FORMAT_PROMETHEUS ? 0
						: render_watch_summary(stdout, &r.st, &rep, &r.ro);
	if (rc == 0 && a->save != NULL)
		rc = save_summary(a->save, &r.st, &rep);
	nl_events_close(ev);
	free(r.prev_cpus);
	return rc < 0 ? CT_EXIT_UNKNOWN : rules_exit_code(&rep);
}

int cmd_watch(int argc, char **argv)
{
	struct netns_switch sw = {.orig_fd = -1};
	struct watch_args a;
	int rc = parse_watch_args(argc, argv, &a);

	if (rc != 0) {
		if (rc > 0)
			fputs(watch_usage, stdout);
		return rc > 0 ? 0 : CT_EXIT_UNKNOWN;
	}
	if (cmd_netns_enter("watch", a.netns, &sw) < 0)
		return CT_EXIT_UNKNOWN;
	watch_prom_mark_start();
	rc = a.invalid ? watch_invalid_run(&a) : run_watch(&a);
	netns_leave(&sw);
	return rc;
}
