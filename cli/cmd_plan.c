/* cmd_plan.c: `ctadvisor plan`: size nf_conntrack_max and the hash table
 * from observed demand (a saved watch summary, or the current count) or an
 * explicit target, show the working, compare with the kernel's and
 * kube-proxy's choices, project timeout changes with Little's law, and name
 * who else writes these knobs. The arithmetic is rules/plan.c; this file
 * parses options, gathers the host facts and hands both to the renderer. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "cmd.h"
#include "outfile.h"
#include "../collect/collect.h"
#include "../collect/netns.h"
#include "../nl/nl_events.h"
#include "../collect/owners_scan.h"
#include "../render/render_plan.h"
#include "size.h"

#define MAX_SETS  8
#define N_CLASSES NL_FC_CLASSES

static const char plan_usage[] =
    "Usage: ctadvisor plan [OPTIONS]\n"
    "\n"
    "Recommends nf_conntrack_max and nf_conntrack_buckets and shows the working:\n"
    "demand (peak of a saved watch, or the current count) x growth, or a target;\n"
    "max = demand / (1 - headroom) rounded up to a tidy value; buckets = max / load\n"
    "rounded as the kernel rounds; kernel memory at max against RAM and a budget;\n"
    "the kernel's default and kube-proxy's formula side by side; and who else\n"
    "writes these knobs on this host. Reading the count needs root.\n"
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
    "  -n, --netns NS        read the current count in network namespace NS\n"
    "  -f, --format FMT      text (default) or json\n"
    "  -s, --save FILE       write the plan (JSON) for\n"
    "                        'ctadvisor apply --from-plan FILE'\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 plan made, 3 bad input or facts that could not be read.\n"
    "Example: ctadvisor plan --from w.json --growth 5 --mem-budget 1G\n";

enum { OPT_HEADROOM = 256, OPT_LOAD, OPT_BUDGET, OPT_FROM, OPT_SET };

static const struct option plan_options[] = {
    {"growth", required_argument, NULL, 'g'},
    {"target", required_argument, NULL, 't'},
    {"headroom", required_argument, NULL, OPT_HEADROOM},
    {"load", required_argument, NULL, OPT_LOAD},
    {"mem-budget", required_argument, NULL, OPT_BUDGET},
    {"from", required_argument, NULL, OPT_FROM},
    {"set", required_argument, NULL, OPT_SET},
    {"netns", required_argument, NULL, 'n'},
    {"format", required_argument, NULL, 'f'},
    {"save", required_argument, NULL, 's'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

struct plan_args {
	bool has_growth, has_target, has_headroom;
	double growth, headroom_pct;
	uint64_t target, load, budget;
	const char *from, *netns, *save;
	enum cli_format format;
	struct plan_timeout sets[MAX_SETS];
	char set_names[MAX_SETS][80];
	size_t n_sets;
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
	if (a->n_sets >= MAX_SETS)
		return bad("--set", val, "at most 8 what-if changes");
	for (int c = 0; c < N_CLASSES; c++) {
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

/* 0 to run, 1 for --help, -1 after a usage error was printed. */
static int parse_plan_args(int argc, char **argv, struct plan_args *a)
{
	int opt;

	memset(a, 0, sizeof(*a));
	a->growth = 1.0;
	a->load = PLAN_DEFAULT_LOAD;
	a->format = CLI_FORMAT_TEXT;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+g:t:n:f:s:h", plan_options, NULL)) != -1) {
		if (opt == 'h')
			return 1;
		if (opt == '?' || opt == ':') {
			cmd_usage_error("plan", "unknown option or missing value: '%s'",
					argv[optind - 1]);
			return -1;
		}
		if (apply_option(opt, optarg, a) < 0)
			return -1;
	}
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

/* What plan takes from a saved watch summary. */
struct class_figures {
	uint64_t flows, timed_out;
	double new_per_s;
	double lifetime_s;      /* all flows, open ones with their age so far */
	double idle_lifetime_s; /* flows that timed out */
	double timeout_s;       /* during the watch; 0 unknown */
	bool is_lower_bound;
};

struct watch_figures {
	uint64_t peak;
	bool has_events;
	bool is_old; /* events without per-class lifetimes (schema 1) */
	struct class_figures cls[N_CLASSES];
	uint64_t enobufs, untracked;
};

static bool get_count(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* A number >= 0, or (when null_ok) null, which gives -1. */
static bool get_real(json_t *o, const char *key, bool null_ok, double *out)
{
	json_t *v = json_object_get(o, key);

	if (null_ok && json_is_null(v)) {
		*out = -1;
		return true;
	}
	if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < 0)
		return false;
	*out = json_number_value(v);
	return true;
}

/* {"n": N, "mean_lifetime_s": S or null} */
static bool get_life(json_t *k, const char *key, uint64_t *n, double *mean)
{
	json_t *o = json_object_get(k, key);

	return json_is_object(o) && get_count(o, "n", n) &&
	       get_real(o, "mean_lifetime_s", true, mean) && (*n == 0) == (*mean < 0);
}

static int read_class(json_t *k, struct class_figures *f)
{
	uint64_t n[NL_END_KINDS];
	double mean[NL_END_KINDS], timeout;
	json_t *lb = json_object_get(k, "lower_bound");

	if (!json_is_object(k) || !get_count(k, "flows", &f->flows) ||
	    !get_real(k, "new_per_s", false, &f->new_per_s) ||
	    !get_real(k, "mean_lifetime_s", true, &f->lifetime_s) ||
	    !get_real(k, "timeout_s", true, &timeout) || !json_is_boolean(lb))
		return -EINVAL;
	for (int e = 0; e < NL_END_KINDS; e++)
		if (!get_life(k, nl_events_end_name(e), &n[e], &mean[e]))
			return -EINVAL;
	if (n[0] + n[1] + n[2] != f->flows || (f->flows == 0) != (f->lifetime_s < 0))
		return -EINVAL;
	f->timed_out = n[NL_END_TIMEOUT];
	f->idle_lifetime_s = mean[NL_END_TIMEOUT] < 0 ? 0 : mean[NL_END_TIMEOUT];
	f->timeout_s = timeout < 0 ? 0 : timeout;
	f->is_lower_bound = json_is_true(lb);
	return 0;
}

static int read_events(json_t *ev, struct watch_figures *w)
{
	json_t *cls = json_object_get(ev, "classes");

	if (!json_is_object(ev))
		return -EINVAL;
	get_count(ev, "enobufs", &w->enobufs);
	get_count(ev, "untracked", &w->untracked);
	if (cls == NULL) {
		w->is_old = true; /* written before lifetimes were kept by class */
		return 0;
	}
	if (!json_is_object(cls))
		return -EINVAL;
	for (int c = 0; c < N_CLASSES; c++) {
		json_t *k = json_object_get(cls, nl_events_fclass_name(c));

		if (k != NULL && read_class(k, &w->cls[c]) < 0)
			return -EINVAL;
	}
	w->has_events = true;
	return 0;
}

static int load_summary(const char *path, struct watch_figures *w)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr), *peak, *ev;
	int rc = -EINVAL;

	memset(w, 0, sizeof(*w));
	if (root == NULL) {
		if (jerr.line > 0)
			cmd_usage_error("plan", "invalid value for --from: '%s': line %d: %s", path,
					jerr.line, jerr.text);
		else
			cmd_usage_error("plan", "invalid value for --from: '%s': %s", path,
					jerr.text);
		return -1;
	}
	peak = json_object_get(root, "peak_count");
	ev = json_object_get(root, "events");
	if (json_is_integer(peak) && json_integer_value(peak) >= 0 &&
	    json_integer_value(peak) <= 2147483647) {
		w->peak = (uint64_t)json_integer_value(peak);
		rc = ev == NULL || json_is_null(ev) ? 0 : read_events(ev, w);
	}
	json_decref(root);
	if (rc < 0)
		cmd_usage_error("plan",
				"invalid value for --from: '%s': not a summary written by "
				"'ctadvisor watch --save' (peak_count or events unreadable)",
				path);
	return rc < 0 ? -1 : 0;
}

/* Host facts through the same collectors as check. */
static int collect_facts(const struct plan_args *a, struct ct_snapshot *snap)
{
	struct netns_switch sw = {.orig_fd = -1};
	struct sysctl_ctx ctx;
	int rc;

	sysctl_ctx_init(&ctx, NULL);
	if (a->netns != NULL && (rc = netns_enter(a->netns, &sw)) < 0) {
		fprintf(stderr, "ctadvisor plan: cannot enter network namespace '%s': %s\n",
			a->netns, strerror(-rc));
		return -1;
	}
	snap->is_init_netns = netns_is_init(&ctx);
	collect_host(snap, &ctx, "/proc");
	collect_sysctl(snap, &ctx);
	collect_count(snap, &ctx);
	netns_leave(&sw);
	return 0;
}

/* Extensions any entry would carry (events=2 only with a listener, which
 * cannot be known ahead, so it does not count). */
static const char *ext_reason(const struct snap_settings *set)
{
	if (set->acct > 0)
		return "nf_conntrack_acct";
	if (set->timestamp > 0)
		return "nf_conntrack_timestamp";
	if (set->events == 1)
		return "nf_conntrack_events=1";
	return NULL;
}

static int build_input(const struct plan_args *a, const struct ct_snapshot *snap,
		       const struct watch_figures *w, struct plan_input *in)
{
	long page = sysconf(_SC_PAGESIZE);

	plan_input_init(in);
	if (a->has_target) {
		in->src = PLAN_DEMAND_TARGET;
		in->target_entries = a->target;
	} else if (a->from != NULL) {
		in->src = PLAN_DEMAND_PEAK;
		in->base_entries = w->peak;
	} else if (snap->has_count) {
		in->src = PLAN_DEMAND_CURRENT;
		in->base_entries = snap->count;
	} else {
		fputs("ctadvisor plan: cannot read the current conntrack count (run as root), "
		      "so there is no demand to plan from: give --from FILE or --target N\n",
		      stderr);
		return -1;
	}
	in->growth = a->growth;
	if (a->has_headroom)
		in->headroom = a->headroom_pct / 100;
	in->load = (unsigned)a->load;
	in->ram_bytes = snap->ram_bytes;
	in->cpus = snap->ncpus;
	in->is_64bit = sizeof(long) >= 8;
	if (snap->has_slab)
		in->slab_bytes = snap->slab_obj_bytes;
	in->has_ext = ext_reason(&snap->set) != NULL;
	if (page > 0)
		in->page_bytes = (uint64_t)page;
	in->budget_bytes = a->budget;
	in->cur_max = snap->set.max;
	in->cur_buckets = snap->set.buckets;
	in->cur_count = snap->has_count ? (int64_t)snap->count : -1;
	return 0;
}

/* The option a plan_error field came from, NULL for a host fact. */
static const char *option_of(const char *field)
{
	static const struct {
		const char *field, *opt;
	} map[] = {
	    {"growth", "--growth"}, {"target_entries", "--target"},   {"headroom", "--headroom"},
	    {"load", "--load"},     {"budget_bytes", "--mem-budget"}, {"max", "--growth/--target"},
	    {"buckets", "--load"}};

	for (size_t i = 0; field != NULL && i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(field, map[i].field) == 0)
			return map[i].opt;
	return NULL;
}

static void report_plan_error(const struct plan_error *e)
{
	const char *opt = option_of(e->field);

	if (opt != NULL)
		cmd_usage_error("plan", "%s: %s", opt, e->reason);
	else
		fprintf(stderr, "ctadvisor plan: host fact %s %s (could it be read? run as root)\n",
			e->field ? e->field : "?", e->reason ? e->reason : "is invalid");
}

struct whatif_run {
	struct plan_class cls[N_CLASSES];
	size_t n;
	struct plan_whatif w;
	char note[768];
};

static void note_add(struct whatif_run *r, const char *text)
{
	size_t used = strlen(r->note);

	snprintf(r->note + used, sizeof(r->note) - used, "%s%s", used ? " " : "", text);
}

/* Each class the watch saw, mapped to its own timeout knob. */
static void build_classes(const struct watch_figures *wf, struct whatif_run *r)
{
	char text[200];
	bool no_timeout = false;

	for (int c = 0; c < N_CLASSES; c++) {
		const struct class_figures *f = &wf->cls[c];

		if (f->flows == 0)
			continue;
		no_timeout |= f->timed_out > 0 && f->timeout_s == 0;
		r->cls[r->n++] = (struct plan_class){
		    .name = nl_events_fclass_name(c),
		    .timeout_knob = nl_events_fclass_knob(c),
		    .new_per_s = f->new_per_s,
		    .lifetime_s = f->lifetime_s,
		    .timeout_s = f->timeout_s,
		    .idle_share = (double)f->timed_out / (double)f->flows,
		    .idle_lifetime_s = fmin(f->idle_lifetime_s, f->lifetime_s * (double)f->flows /
								    (double)f->timed_out),
		    .is_lower_bound = f->is_lower_bound};
		if (f->timed_out == 0)
			r->cls[r->n - 1].idle_lifetime_s = 0;
	}
	if (no_timeout)
		note_add(r, "The summary does not say what a timeout was during the watch, so "
			    "those flows are capped at the new value instead.");
	if (wf->enobufs > 0 || wf->untracked > 0) {
		snprintf(text, sizeof(text),
			 "The watch lost events %llu times (ENOBUFS) and did not track %llu new "
			 "flows: rates are underestimated.",
			 (unsigned long long)wf->enobufs, (unsigned long long)wf->untracked);
		note_add(r, text);
	}
}

/* 0 with r->w filled, 1 when there is nothing to project (note says why),
 * -1 on an error already printed. */
static int run_whatif(const struct plan_args *a, const struct ct_snapshot *snap,
		      const struct watch_figures *wf, struct whatif_run *r)
{
	struct plan_error err = {0};

	(void)snap;
	memset(r, 0, sizeof(*r));
	if (wf->is_old) {
		note_add(r, "The summary was saved by an older ctadvisor, without lifetimes by "
			    "flow class, so Little's law is not applied: save a new one with "
			    "'ctadvisor watch --events --save FILE'.");
		return 1;
	}
	if (!wf->has_events) {
		if (a->n_sets > 0)
			note_add(r, "--set needs event figures: give --from a summary saved by "
				    "'ctadvisor watch --events --save FILE'.");
		return 1;
	}
	build_classes(wf, r);
	if (plan_whatif(r->cls, r->n, a->sets, a->n_sets, &r->w, &err) < 0) {
		cmd_usage_error("plan", "%s: %s %s (class %zu)", a->from ? a->from : "--from",
				err.field ? err.field : "?", err.reason ? err.reason : "",
				err.index);
		return -1;
	}
	return 0;
}

static int render_saved(FILE *out, const void *plan)
{
	return render_plan_saved(out, plan);
}

static int output(const struct plan_args *a, const struct render_plan *p)
{
	int rc = a->format == CLI_FORMAT_JSON ? render_plan_json(stdout, p)
					      : render_plan_text(stdout, p);

	if (rc < 0) {
		fprintf(stderr, "ctadvisor plan: writing the report failed: %s\n", strerror(-rc));
		return CT_EXIT_UNKNOWN;
	}
	if (a->save != NULL && (rc = outfile_write(a->save, render_saved, p)) < 0) {
		fprintf(stderr, "ctadvisor plan: cannot save the plan to %s: %s\n", a->save,
			strerror(-rc));
		return CT_EXIT_UNKNOWN;
	}
	return 0;
}

/* Everything after the facts are in: compute, project, scan, render. */
static int make_plan(const struct plan_args *a, const struct ct_snapshot *snap,
		     const struct watch_figures *wf)
{
	static struct plan_result res;
	static struct whatif_run wr;
	static struct owners_report owners;
	struct plan_error err = {0};
	struct plan_input in;
	struct render_plan p;
	int wrc;

	if (build_input(a, snap, wf, &in) < 0)
		return CT_EXIT_UNKNOWN;
	if (plan_compute(&in, &res, &err) < 0) {
		report_plan_error(&err);
		return CT_EXIT_UNKNOWN;
	}
	wrc = run_whatif(a, snap, wf, &wr);
	if (wrc < 0)
		return CT_EXIT_UNKNOWN;
	owners_init(&owners);
	if (owners_scan_all("/", "/proc", &owners) < 0) {
		fputs("ctadvisor plan: out of memory scanning for other writers\n", stderr);
		return CT_EXIT_UNKNOWN;
	}
	p = (struct render_plan){.in = &in,
				 .res = &res,
				 .from_file = a->from,
				 .netns = a->netns,
				 .is_slab_measured = snap->has_slab,
				 .ext_reason = ext_reason(&snap->set),
				 .owners = &owners,
				 .classes = wrc == 0 ? wr.cls : NULL,
				 .whatif = wrc == 0 ? &wr.w : NULL,
				 .changes = a->sets,
				 .n_changes = a->n_sets,
				 .whatif_note = wr.note[0] ? wr.note : NULL};
	return output(a, &p);
}

int cmd_plan(int argc, char **argv)
{
	struct watch_figures wf = {0};
	struct ct_snapshot snap;
	struct plan_args a;
	int rc = parse_plan_args(argc, argv, &a);

	if (rc != 0) {
		if (rc > 0)
			fputs(plan_usage, stdout);
		return rc > 0 ? 0 : CT_EXIT_UNKNOWN;
	}
	if (a.from != NULL && load_summary(a.from, &wf) < 0)
		return CT_EXIT_UNKNOWN;
	snap_init(&snap);
	rc = collect_facts(&a, &snap) < 0 ? CT_EXIT_UNKNOWN : make_plan(&a, &snap, &wf);
	snap_free(&snap);
	return rc;
}
