/* cmd_plan.c: `ctadvisor plan`: size nf_conntrack_max and the hash table
 * from observed demand (a saved watch summary, or the current count) or an
 * explicit target, show the working, compare with the kernel's and
 * kube-proxy's choices, project timeout changes with Little's law, and name
 * who else writes these knobs. The arithmetic is rules/plan.c, the options
 * are read in plan_args.c; this file reads a saved watch summary, gathers
 * the host facts and hands them to the renderer. */
#include <errno.h>
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
#include "plan_args.h"
#include "plan_host.h"
#include "../collect/collect.h"
#include "../collect/netns.h"
#include "../nl/nl_events.h"
#include "../collect/inventory_scan.h"
#include "../collect/owners_scan.h"
#include "../render/render_plan.h"

#define N_CLASSES NL_FC_CLASSES

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
	double duration_s; /* what the summary covers; 0 unknown */
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
		if (json_is_number(json_object_get(root, "duration_s")))
			w->duration_s = json_number_value(json_object_get(root, "duration_s"));
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

	sysctl_ctx_init(&ctx, NULL);
	if (cmd_netns_enter("plan", a->netns, &sw) < 0)
		return -1;
	snap->is_init_netns = netns_is_init(&ctx);
	collect_host(snap, &ctx, "/proc");
	collect_sysctl(snap, &ctx);
	collect_count(snap, &ctx);
	netns_leave(&sw);
	return 0;
}

static int build_input(const struct plan_args *a, const struct ct_snapshot *snap,
		       const struct watch_figures *w, const struct inventory_demand *host,
		       struct plan_input *in)
{
	plan_input_init(in);
	if (a->has_target) {
		in->src = PLAN_DEMAND_TARGET;
		in->target_entries = a->target;
	} else if (a->from != NULL) {
		in->src = PLAN_DEMAND_PEAK;
		in->base_entries = w->peak > host->busiest ? w->peak : host->busiest;
	} else if (snap->has_count) {
		in->src = PLAN_DEMAND_CURRENT;
		in->base_entries = snap->count > host->busiest ? snap->count : host->busiest;
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
	plan_host_input(snap, in);
	in->budget_bytes = a->budget;
	in->allow_shrink = a->allow_shrink;
	in->window_s = a->from != NULL && w->duration_s > 0 ? w->duration_s : 0;
	in->is_capped =
	    snap->set.max > 0 && ((snap->has_count && (int64_t)snap->count >= snap->set.max) ||
				  (int64_t)host->busiest >= snap->set.max);
	in->total_entries = host->sum;
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

/* Every namespace's count: the sizing knobs are global. Only a failure to
 * come back to our own namespace stops the plan. */
static int read_host_demand(struct inventory_demand *host)
{
	struct sysctl_ctx ctx;
	int rc;

	sysctl_ctx_init(&ctx, NULL);
	rc = inventory_demand(&ctx, host);
	if (rc == -ENOMEM) {
		memset(host, 0, sizeof(*host));
		return 0;
	}
	if (rc < 0)
		fprintf(stderr,
			"ctadvisor plan: cannot return to the original network namespace: %s\n",
			strerror(-rc));
	return rc;
}

/* Everything after the facts are in: compute, project, scan, render. */
static int make_plan(const struct plan_args *a, const struct ct_snapshot *snap,
		     const struct watch_figures *wf)
{
	static struct plan_result res;
	static struct whatif_run wr;
	static struct owners_report owners;
	static struct inventory_demand host;
	struct plan_error err = {0};
	struct plan_input in;
	const struct owners_item *kube;
	struct render_plan p;
	int wrc;

	/* an explicit --target needs no measured demand */
	if (!a->has_target && read_host_demand(&host) < 0)
		return CT_EXIT_UNKNOWN;
	if (build_input(a, snap, wf, &host, &in) < 0)
		return CT_EXIT_UNKNOWN;
	owners_init(&owners);
	if (owners_scan_all("/", "/proc", &owners) < 0) {
		fputs("ctadvisor plan: out of memory scanning for other writers\n", stderr);
		return CT_EXIT_UNKNOWN;
	}
	kube = plan_host_kube(&owners, &in);
	if (plan_compute(&in, &res, &err) < 0) {
		report_plan_error(&err);
		return CT_EXIT_UNKNOWN;
	}
	wrc = run_whatif(a, snap, wf, &wr);
	if (wrc < 0)
		return CT_EXIT_UNKNOWN;
	p = (struct render_plan){.in = &in,
				 .res = &res,
				 .from_file = a->from,
				 .netns = a->netns,
				 .is_slab_measured = snap->has_slab,
				 .ext_reason = plan_host_ext_reason(&snap->set),
				 .owners = &owners,
				 .kube_proxy = kube,
				 .host = host.n_ns > 0 ? &host : NULL,
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
	int rc = plan_parse_args(argc, argv, &a);

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
