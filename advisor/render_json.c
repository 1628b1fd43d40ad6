/* render_json.c: the check report as one JSON object, schema 1 of
 * doc/check-output.md. Builds a jansson tree, then dumps it in one go, so a
 * failure while building writes nothing. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "render.h"

#define JSON_SCHEMA 1
/* Twelve significant digits: enough for any figure we show, few enough to
 * hide binary noise (0.1 + 0.2 prints as 0.3), so golden files stay
 * readable. ASCII only: strings from outside (a netns name with a C1 control
 * or a bidi override) come out as \uXXXX, so the output is safe to cat. */
#define JSON_FLAGS                                                                                 \
	(JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12) | JSON_ENSURE_ASCII)

/* A typed sentinel: a bare NULL may be a plain 0 where a pointer is read. */
#define JEND ((const char *)NULL)

/* An object of (key, value) pairs up to a JEND key, in that order. Every
 * value is consumed, also on failure, so callers can build values inline;
 * NULL when a value is NULL (its allocation failed) or on allocation failure. */
__attribute__((sentinel)) static json_t *jobj(const char *key, ...)
{
	json_t *o = json_object();
	bool is_ok = o != NULL;
	va_list ap;

	va_start(ap, key);
	for (; key != NULL; key = va_arg(ap, const char *)) {
		json_t *v = va_arg(ap, json_t *);

		if (v == NULL)
			is_ok = false;
		else if (is_ok)
			is_ok = json_object_set_new(o, key, v) == 0;
		else
			json_decref(v);
	}
	va_end(ap);
	if (!is_ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Append v to *arr (consumed); on failure *arr is released and set to
 * NULL, which ends the caller's loop and fails its parent. */
static void jappend(json_t **arr, json_t *v)
{
	if (v != NULL && json_array_append_new(*arr, v) == 0)
		return;
	json_decref(*arr);
	*arr = NULL;
}

/* Likewise for objects whose keys are known only at run time. */
static void jset(json_t **obj, const char *key, json_t *v)
{
	if (v != NULL && json_object_set_new(*obj, key, v) == 0)
		return;
	json_decref(*obj);
	*obj = NULL;
}

_Static_assert(sizeof(json_int_t) == sizeof(int64_t), "json_int_t is not 64-bit");

/* Kernel counters are uint64_t; jansson's integers are signed 64-bit. */
static json_t *ju64(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* The snapshot's and report's "-1 unknown" convention. */
static json_t *ji64_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *jreal_or_null(double v)
{
	return v < 0 || !isfinite(v) ? json_null() : json_real(v);
}

/* json_string() refuses invalid UTF-8, which a netns name may hold. */
static json_t *jstr(const char *s)
{
	json_t *v = json_string(s);
	char buf[2048]; /* 4 x the longest string, a summary */

	if (v != NULL)
		return v;
	render_escape(buf, sizeof(buf), s, RENDER_ESC_UTF8);
	return json_string(buf);
}

static json_t *jerrno_or_null(int err)
{
	char buf[RENDER_ERRNO_BUF];

	return err == 0 ? json_null() : json_string(render_errno_name(err, buf, sizeof(buf)));
}

static json_t *jsrc(enum snap_src src)
{
	switch (src) {
	case SNAP_SRC_NETLINK:
		return json_string("netlink");
	case SNAP_SRC_PROC:
		return json_string("proc");
	default:
		return json_null();
	}
}

static json_t *build_settings(const struct ct_snapshot *snap)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < snap->n_knobs; i++) {
		const struct snap_knob *k = &snap->knobs[i];
		char name[4 * SNAP_KNOB_NAME_LEN];
		json_t *v;

		render_escape(name, sizeof(name), k->name, RENDER_ESC_UTF8);
		if (k->err != 0)
			v = jobj("value", json_null(), "writable", json_boolean(k->is_writable),
				 "error", jerrno_or_null(k->err), JEND);
		else
			v = jobj("value", jstr(k->value), "writable", json_boolean(k->is_writable),
				 JEND);
		jset(&o, name, v);
	}
	return o;
}

static json_t *build_occupancy(const struct ct_snapshot *snap, const struct rules_report *rep)
{
	bool has_limit = snap->has_max && snap->max > 0;

	if (!snap->has_count)
		return json_null();
	return jobj("count", ju64(snap->count), "max",
		    snap->has_max ? ju64(snap->max) : json_null(), "fill_pct",
		    has_limit ? jreal_or_null(rep->d.fill_pct) : json_null(), "buckets",
		    ji64_or_null(snap->set.buckets), "load_now", jreal_or_null(rep->d.load_now),
		    "load_at_max", jreal_or_null(rep->d.load_at_max), "source",
		    jsrc(snap->count_src), JEND);
}

/* Only the counters the kernel reported, in attribute order. */
static json_t *add_stats(json_t *o, const struct snap_cpu_stats *st)
{
	for (unsigned s = 0; o != NULL && s < SNAP_STAT_SLOTS; s++) {
		const char *name = snap_stat_name(s);

		if (name != NULL && (st->present & (UINT32_C(1) << s)))
			jset(&o, name, ju64(st->v[s]));
	}
	return o;
}

static json_t *build_per_cpu(const struct ct_snapshot *snap)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < snap->n_cpus; i++) {
		const struct snap_cpu_stats *st = &snap->cpus[i];

		jappend(&arr, add_stats(jobj("cpu", json_integer(st->cpu), JEND), st));
	}
	return arr;
}

static json_t *build_counters(const struct ct_snapshot *snap)
{
	if (!snap->has_stats)
		return json_null();
	return jobj("source", jsrc(snap->stats_src), "total",
		    add_stats(json_object(), &snap->total), "per_cpu", build_per_cpu(snap), JEND);
}

/* { "<name>": count } for the non-zero protocols, "proto-N" when unnamed. */
static json_t *build_protocols(const struct snap_walk *w)
{
	json_t *o = json_object();

	for (unsigned p = 0; o != NULL && p < 256; p++) {
		const char *name = snap_proto_name(p);
		char buf[16];

		if (w->by_proto[p] == 0)
			continue;
		if (name == NULL) {
			snprintf(buf, sizeof(buf), "proto-%u", p);
			name = buf;
		}
		jset(&o, name, ju64(w->by_proto[p]));
	}
	return o;
}

static json_t *build_tcp_states(const struct snap_walk *w)
{
	json_t *o = json_object();

	for (unsigned s = 0; o != NULL && s <= SNAP_TCP_STATES; s++)
		if (w->tcp_state[s] != 0)
			jset(&o, snap_tcp_state_name(s), ju64(w->tcp_state[s]));
	return o;
}

static json_t *build_values(const struct snap_value_count *vc, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < n && i < SNAP_ZONES; i++) {
		char key[16];

		snprintf(key, sizeof(key), "%" PRIu32, vc[i].value);
		jset(&o, key, ju64(vc[i].count));
	}
	return o;
}

/* { "with": n, "without": entries - n } */
static json_t *jwith(uint64_t with, uint64_t entries)
{
	return jobj("with", ju64(with), "without", ju64(entries > with ? entries - with : 0), JEND);
}

static json_t *build_timeouts(const struct snap_walk *w)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < SNAP_TIMEOUT_BINS; i++) {
		uint32_t le = snap_timeout_bin_le[i];

		jappend(&arr, jobj("le_seconds", le == UINT32_MAX ? json_null() : json_integer(le),
				   "count", ju64(w->timeout_bins[i]), JEND));
	}
	return arr;
}

static json_t *build_top_src(const struct snap_walk *w)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < w->n_top_src && i < SNAP_TOP_N; i++) {
		const struct snap_top_item *t = &w->top_src[i];

		jappend(&arr, jobj("addr", jstr(t->key), "count", ju64(t->count), "error",
				   ju64(t->error), JEND));
	}
	return arr;
}

/* Keys are "tcp/443"; a key without a port keeps its text as the proto. */
static json_t *jdport(const struct snap_top_item *t)
{
	char proto[sizeof(t->key)];
	const char *slash = strchr(t->key, '/');
	json_t *port = json_null();

	snprintf(proto, sizeof(proto), "%s", t->key);
	if (slash != NULL) {
		char *end;
		unsigned long v = strtoul(slash + 1, &end, 10);

		if (end != slash + 1 && *end == '\0' && v <= 65535) {
			proto[slash - t->key] = '\0';
			port = json_integer((json_int_t)v);
		}
	}
	return jobj("proto", jstr(proto), "port", port, "count", ju64(t->count), "error",
		    ju64(t->error), JEND);
}

static json_t *build_top_dport(const struct snap_walk *w)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < w->n_top_dport && i < SNAP_TOP_N; i++)
		jappend(&arr, jdport(&w->top_dport[i]));
	return arr;
}

static json_t *build_walk(const struct ct_snapshot *snap)
{
	const struct snap_walk *w = &snap->walk;
	bool has_acct = w->with_acct > 0;

	if (!snap->has_walk)
		return json_null();
	return jobj("entries", ju64(w->entries), "families",
		    jobj("ipv4", ju64(w->ipv4), "ipv6", ju64(w->ipv6), "other",
			 ju64(w->other_family), JEND),
		    "protocols", build_protocols(w), "tcp_states", build_tcp_states(w), "unreplied",
		    ju64(w->unreplied), "assured", ju64(w->assured), "nat",
		    jobj("none", ju64(w->nat_none), "src", ju64(w->nat_src), "dst",
			 ju64(w->nat_dst), "both", ju64(w->nat_both), JEND),
		    "zones", build_values(w->zones, w->n_zones), "zones_other",
		    ju64(w->zones_other), "marks", build_values(w->marks, w->n_marks),
		    "marks_other", ju64(w->marks_other), "marked", ju64(w->marked), "acct",
		    jwith(w->with_acct, w->entries), "timestamp", jwith(w->with_tstamp, w->entries),
		    "packets", has_acct ? ju64(w->packets) : json_null(), "bytes",
		    has_acct ? ju64(w->bytes) : json_null(), "timeouts", build_timeouts(w),
		    "top_sources", build_top_src(w), "top_dports", build_top_dport(w),
		    "interrupted", json_boolean(w->is_interrupted), "lost", ju64(w->lost), "error",
		    jerrno_or_null(w->err), JEND);
}

static json_t *build_memory(const struct ct_snapshot *snap, const struct rules_report *rep)
{
	return jobj("slab_object_bytes", snap->has_slab ? ju64(snap->slab_obj_bytes) : json_null(),
		    "ext_bytes", ji64_or_null(rep->d.ext_bytes), "buckets_bytes",
		    ji64_or_null(rep->d.buckets_bytes), "now_bytes",
		    ji64_or_null(rep->d.mem_now_bytes), "at_max_bytes",
		    ji64_or_null(rep->d.mem_at_max_bytes), "at_max_with_ext_bytes",
		    ji64_or_null(rep->d.mem_at_max_ext_bytes), "ram_bytes",
		    snap->ram_bytes > 0 ? ju64(snap->ram_bytes) : json_null(), JEND);
}

static json_t *build_nat(const struct ct_snapshot *snap)
{
	const struct snap_nat_worst *n = &snap->nat;
	json_t *worst = json_null();

	if (!n->has_nat)
		return json_null();
	if (n->has_row)
		worst =
		    jobj("zone", json_integer(n->zone), "proto", jstr(n->proto), "nat_addr",
			 jstr(n->nat_addr), "dst", jstr(n->dst), "dport", json_integer(n->dport),
			 "in_use", ju64(n->in_use), "capacity", json_integer(n->capacity), "range",
			 jobj("lo", json_integer(n->port_lo), "hi", json_integer(n->port_hi), JEND),
			 "saturation_pct", json_real(n->saturation_pct), JEND);
	return jobj("snat_entries", ju64(n->snat_entries), "keys", ju64(n->keys), "warn_pct",
		    json_real(n->warn_pct), "crit_pct", json_real(n->crit_pct), "worst", worst,
		    JEND);
}

static const char *const alert_names[] = {"ok", "warning", "critical"};

static json_t *build_netns(const struct snap_netns *ns)
{
	return jobj("name", jstr(ns->name), "inode", ju64(ns->inode), "owner", jstr(ns->owner),
		    "pod", ns->pod[0] ? jstr(ns->pod) : json_null(), "pod_namespace",
		    ns->pod[0] ? jstr(ns->pod_namespace) : json_null(), "target",
		    ns->target[0] ? jstr(ns->target) : json_null(), "error",
		    jerrno_or_null(ns->err), "count", ns->has_count ? ju64(ns->count) : json_null(),
		    "fill_pct", jreal_or_null(ns->fill_pct), "drop",
		    ns->has_stats ? ju64(ns->drop) : json_null(), "early_drop",
		    ns->has_stats ? ju64(ns->early_drop) : json_null(), "insert_failed",
		    ns->has_stats ? ju64(ns->insert_failed) : json_null(), "alert",
		    json_string(alert_names[ns->alert >= 2   ? 2
					    : ns->alert == 1 ? 1
							     : 0]),
		    JEND);
}

/* The inode of list[i], null for -1. */
static json_t *jworst(const struct snap_all_netns *all, int i)
{
	return i < 0 || (size_t)i >= all->n_list ? json_null() : ju64(all->list[i].inode);
}

static json_t *build_all_netns(const struct ct_snapshot *snap)
{
	const struct snap_all_netns *all = &snap->all_ns;
	json_t *arr;

	if (!all->has_all)
		return json_null();
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < all->n_list && i < SNAP_NETNS_LIST; i++)
		jappend(&arr, build_netns(&all->list[i]));
	return jobj("found", json_integer((json_int_t)all->n_found), "unreadable",
		    json_integer((json_int_t)all->n_failed), "alerting",
		    json_integer((json_int_t)all->n_alerting), "worst",
		    jobj("fill", jworst(all, all->worst_fill), "drop", jworst(all, all->worst_drop),
			 "early_drop", jworst(all, all->worst_early_drop), "insert_failed",
			 jworst(all, all->worst_insert_failed), JEND),
		    "namespaces", arr, JEND);
}

/* Evidence values are doubles; whole numbers print as integers ("drop": 5). */
static json_t *jevidence(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53: exact in a double */
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *build_finding(const struct rules_finding *f)
{
	json_t *ev = json_object(), *cmds = json_array();

	for (size_t i = 0; ev != NULL && i < f->n_ev && i < RULES_EVIDENCE; i++)
		if (f->ev[i].name != NULL)
			jset(&ev, f->ev[i].name, jevidence(f->ev[i].value));
	for (size_t i = 0; cmds != NULL && i < f->n_commands && i < RULES_COMMANDS; i++)
		jappend(&cmds, jstr(f->commands[i]));
	return jobj("id", jstr(f->id != NULL ? f->id : ""), "severity",
		    json_string(rules_sev_name(f->sev)), "summary", jstr(f->summary), "evidence",
		    ev, "commands", cmds, JEND);
}

static json_t *build_findings(const struct rules_report *rep)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < rep->n_findings && i < RULES_FINDINGS; i++)
		jappend(&arr, build_finding(&rep->findings[i]));
	return arr;
}

json_t *render_json_findings(const struct rules_report *rep)
{
	return build_findings(rep);
}

static json_t *build_problems(const struct ct_snapshot *snap)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < snap->n_problems && i < SNAP_PROBLEMS; i++) {
		const struct snap_problem *p = &snap->problems[i];

		jappend(&arr, jobj("what", jstr(p->what), "error", jerrno_or_null(p->err), "detail",
				   jstr(p->detail), JEND));
	}
	return arr;
}

static json_t *build_root(const struct ct_snapshot *snap, const struct rules_report *rep,
			  const struct render_opts *opts)
{
	return jobj(
	    "schema", json_integer(JSON_SCHEMA), "tool", json_string("ctadvisor"), "version",
	    opts->version != NULL ? jstr(opts->version) : json_null(), "status",
	    json_string(render_status_name(rep)), "exit_code", json_integer(rules_exit_code(rep)),
	    "netns",
	    jobj("name", jstr(snap->netns), "is_init", json_boolean(snap->is_init_netns), JEND),
	    "settings", build_settings(snap), "occupancy", build_occupancy(snap, rep), "counters",
	    build_counters(snap), "walk", build_walk(snap), "memory", build_memory(snap, rep),
	    "nat", build_nat(snap), "all_netns", build_all_netns(snap), "findings",
	    build_findings(rep), "problems", build_problems(snap), JEND);
}

int render_json(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts)
{
	json_t *root = build_root(snap, rep, opts);
	int rc = 0;

	/* Out of memory: nothing has been written, and the caller can only
	 * report that the output could not be produced. */
	if (root == NULL)
		return -EIO;
	if (json_dumpf(root, out, JSON_FLAGS) != 0 || fputc('\n', out) == EOF)
		rc = -EIO;
	json_decref(root);
	if (fflush(out) != 0 || ferror(out))
		rc = -EIO;
	return rc;
}
