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
#include "jsonw.h"
#include "render.h"

#define JSON_SCHEMA 1

/* The snapshot's and report's "-1 unknown" convention. */
static json_t *ji64_or_null(int64_t v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *jreal_or_null(double v)
{
	return v < 0 || !isfinite(v) ? json_null() : json_real(v);
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
			v = jw_obj("value", json_null(), "writable", json_boolean(k->is_writable),
				   "error", jerrno_or_null(k->err), JW_END);
		else
			v = jw_obj("value", jw_str(k->value), "writable",
				   json_boolean(k->is_writable), JW_END);
		jw_set(&o, name, v);
	}
	return o;
}

static json_t *build_occupancy(const struct ct_snapshot *snap, const struct rules_report *rep)
{
	bool has_limit = snap->has_max && snap->max > 0;

	if (!snap->has_count)
		return json_null();
	return jw_obj("count", jw_u64(snap->count), "max",
		      snap->has_max ? jw_u64(snap->max) : json_null(), "fill_pct",
		      has_limit ? jreal_or_null(rep->d.fill_pct) : json_null(), "buckets",
		      ji64_or_null(snap->set.buckets), "load_now", jreal_or_null(rep->d.load_now),
		      "load_at_max", jreal_or_null(rep->d.load_at_max), "source",
		      jsrc(snap->count_src), JW_END);
}

/* Only the counters the kernel reported, in attribute order. */
static json_t *add_stats(json_t *o, const struct snap_cpu_stats *st)
{
	for (unsigned s = 0; o != NULL && s < SNAP_STAT_SLOTS; s++) {
		const char *name = snap_stat_name(s);

		if (name != NULL && (st->present & (UINT32_C(1) << s)))
			jw_set(&o, name, jw_u64(st->v[s]));
	}
	return o;
}

static json_t *build_per_cpu(const struct ct_snapshot *snap)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < snap->n_cpus; i++) {
		const struct snap_cpu_stats *st = &snap->cpus[i];

		jw_append(&arr, add_stats(jw_obj("cpu", json_integer(st->cpu), JW_END), st));
	}
	return arr;
}

static json_t *build_counters(const struct ct_snapshot *snap)
{
	if (!snap->has_stats)
		return json_null();
	return jw_obj("source", jsrc(snap->stats_src), "total",
		      add_stats(json_object(), &snap->total), "per_cpu", build_per_cpu(snap),
		      JW_END);
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
		jw_set(&o, name, jw_u64(w->by_proto[p]));
	}
	return o;
}

static json_t *build_tcp_states(const struct snap_walk *w)
{
	json_t *o = json_object();

	for (unsigned s = 0; o != NULL && s <= SNAP_TCP_STATES; s++)
		if (w->tcp_state[s] != 0)
			jw_set(&o, snap_tcp_state_name(s), jw_u64(w->tcp_state[s]));
	return o;
}

static json_t *build_values(const struct snap_value_count *vc, size_t n)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < n && i < SNAP_ZONES; i++) {
		char key[16];

		snprintf(key, sizeof(key), "%" PRIu32, vc[i].value);
		jw_set(&o, key, jw_u64(vc[i].count));
	}
	return o;
}

/* { "with": n, "without": entries - n } */
static json_t *jwith(uint64_t with, uint64_t entries)
{
	return jw_obj("with", jw_u64(with), "without", jw_u64(entries > with ? entries - with : 0),
		      JW_END);
}

static json_t *build_timeouts(const struct snap_walk *w)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < SNAP_TIMEOUT_BINS; i++) {
		uint32_t le = snap_timeout_bin_le[i];

		jw_append(&arr,
			  jw_obj("le_seconds", le == UINT32_MAX ? json_null() : json_integer(le),
				 "count", jw_u64(w->timeout_bins[i]), JW_END));
	}
	return arr;
}

static json_t *build_top_src(const struct snap_walk *w)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < w->n_top_src && i < SNAP_TOP_N; i++) {
		const struct snap_top_item *t = &w->top_src[i];

		jw_append(&arr, jw_obj("addr", jw_str(t->key), "count", jw_u64(t->count), "error",
				       jw_u64(t->error), JW_END));
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
	return jw_obj("proto", jw_str(proto), "port", port, "count", jw_u64(t->count), "error",
		      jw_u64(t->error), JW_END);
}

static json_t *build_top_dport(const struct snap_walk *w)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < w->n_top_dport && i < SNAP_TOP_N; i++)
		jw_append(&arr, jdport(&w->top_dport[i]));
	return arr;
}

static json_t *build_walk(const struct ct_snapshot *snap)
{
	const struct snap_walk *w = &snap->walk;
	bool has_acct = w->with_acct > 0;

	if (!snap->has_walk)
		return json_null();
	return jw_obj("entries", jw_u64(w->entries), "families",
		      jw_obj("ipv4", jw_u64(w->ipv4), "ipv6", jw_u64(w->ipv6), "other",
			     jw_u64(w->other_family), JW_END),
		      "protocols", build_protocols(w), "tcp_states", build_tcp_states(w),
		      "unreplied", jw_u64(w->unreplied), "assured", jw_u64(w->assured), "nat",
		      jw_obj("none", jw_u64(w->nat_none), "src", jw_u64(w->nat_src), "dst",
			     jw_u64(w->nat_dst), "both", jw_u64(w->nat_both), JW_END),
		      "zones", build_values(w->zones, w->n_zones), "zones_other",
		      jw_u64(w->zones_other), "marks", build_values(w->marks, w->n_marks),
		      "marks_other", jw_u64(w->marks_other), "marked", jw_u64(w->marked), "acct",
		      jwith(w->with_acct, w->entries), "timestamp",
		      jwith(w->with_tstamp, w->entries), "packets",
		      has_acct ? jw_u64(w->packets) : json_null(), "bytes",
		      has_acct ? jw_u64(w->bytes) : json_null(), "timeouts", build_timeouts(w),
		      "top_sources", build_top_src(w), "top_dports", build_top_dport(w),
		      "interrupted", json_boolean(w->is_interrupted), "attempts",
		      w->attempts > 0 ? json_integer(w->attempts) : json_null(), "lost",
		      jw_u64(w->lost), "error", jerrno_or_null(w->err), JW_END);
}

static json_t *build_memory(const struct ct_snapshot *snap, const struct rules_report *rep)
{
	return jw_obj(
	    "slab_object_bytes", snap->has_slab ? jw_u64(snap->slab_obj_bytes) : json_null(),
	    "ext_bytes", ji64_or_null(rep->d.ext_bytes), "buckets_bytes",
	    ji64_or_null(rep->d.buckets_bytes), "now_bytes", ji64_or_null(rep->d.mem_now_bytes),
	    "at_max_bytes", ji64_or_null(rep->d.mem_at_max_bytes), "at_max_with_ext_bytes",
	    ji64_or_null(rep->d.mem_at_max_ext_bytes), "ram_bytes",
	    snap->ram_bytes > 0 ? jw_u64(snap->ram_bytes) : json_null(), JW_END);
}

static json_t *build_nat(const struct ct_snapshot *snap)
{
	const struct snap_nat_worst *n = &snap->nat;
	json_t *worst = json_null();

	if (!n->has_nat)
		return json_null();
	if (n->has_row)
		worst = jw_obj(
		    "zone", json_integer(n->zone), "proto", jw_str(n->proto), "nat_addr",
		    jw_str(n->nat_addr), "dst", jw_str(n->dst), "dport", json_integer(n->dport),
		    "in_use", jw_u64(n->in_use), "capacity", json_integer(n->capacity), "range",
		    jw_obj("lo", json_integer(n->port_lo), "hi", json_integer(n->port_hi), JW_END),
		    "saturation_pct", json_real(n->saturation_pct), JW_END);
	return jw_obj("snat_entries", jw_u64(n->snat_entries), "keys", jw_u64(n->keys), "warn_pct",
		      json_real(n->warn_pct), "crit_pct", json_real(n->crit_pct), "worst", worst,
		      JW_END);
}

static const char *const alert_names[] = {"ok", "warning", "critical"};

static json_t *build_netns(const struct snap_netns *ns)
{
	return jw_obj(
	    "name", jw_str(ns->name), "inode", jw_u64(ns->inode), "owner", jw_str(ns->owner), "pod",
	    ns->pod[0] ? jw_str(ns->pod) : json_null(), "pod_namespace",
	    ns->pod[0] ? jw_str(ns->pod_namespace) : json_null(), "target",
	    ns->target[0] ? jw_str(ns->target) : json_null(), "error", jerrno_or_null(ns->err),
	    "count", ns->has_count ? jw_u64(ns->count) : json_null(), "fill_pct",
	    jreal_or_null(ns->fill_pct), "drop", ns->has_stats ? jw_u64(ns->drop) : json_null(),
	    "early_drop", ns->has_stats ? jw_u64(ns->early_drop) : json_null(), "insert_failed",
	    ns->has_stats ? jw_u64(ns->insert_failed) : json_null(), "alert",
	    json_string(alert_names[ns->alert >= 2   ? 2
				    : ns->alert == 1 ? 1
						     : 0]),
	    "drop_alert",
	    json_string(alert_names[ns->drop_alert >= 2   ? 2
				    : ns->drop_alert == 1 ? 1
							  : 0]),
	    JW_END);
}

/* The inode of list[i], null for -1. */
static json_t *jworst(const struct snap_all_netns *all, int i)
{
	return i < 0 || (size_t)i >= all->n_list ? json_null() : jw_u64(all->list[i].inode);
}

static json_t *build_all_netns(const struct ct_snapshot *snap)
{
	const struct snap_all_netns *all = &snap->all_ns;
	json_t *arr;

	if (!all->has_all)
		return json_null();
	arr = json_array();
	for (size_t i = 0; arr != NULL && i < all->n_list && i < SNAP_NETNS_LIST; i++)
		jw_append(&arr, build_netns(&all->list[i]));
	return jw_obj("found", json_integer((json_int_t)all->n_found), "unreadable",
		      json_integer((json_int_t)all->n_failed), "alerting",
		      json_integer((json_int_t)all->n_alerting), "worst",
		      jw_obj("fill", jworst(all, all->worst_fill), "drop",
			     jworst(all, all->worst_drop), "early_drop",
			     jworst(all, all->worst_early_drop), "insert_failed",
			     jworst(all, all->worst_insert_failed), JW_END),
		      "namespaces", arr, JW_END);
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
			jw_set(&ev, f->ev[i].name, jevidence(f->ev[i].value));
	for (size_t i = 0; cmds != NULL && i < f->n_commands && i < RULES_COMMANDS; i++)
		jw_append(&cmds, jw_str(f->commands[i]));
	json_t *o = jw_obj("id", jw_str(f->id != NULL ? f->id : ""), "severity",
			   json_string(rules_sev_name(f->sev)), "summary", jw_str(f->summary),
			   "evidence", ev, "commands", cmds, "equivalent",
			   f->equivalent[0] != '\0' ? jw_str(f->equivalent) : json_null(), JW_END);

	/* A counter finding: its change over the window since the last run
	 * (null without one) and its total. */
	if (o != NULL && f->is_counter) {
		jw_set(&o, "window_seconds", f->has_window ? jw_u64(f->window_s) : json_null());
		jw_set(&o, "delta", f->has_window ? jw_u64(f->delta) : json_null());
		jw_set(&o, "since_boot", jw_u64(f->since_boot));
	}
	return o;
}

static json_t *build_findings(const struct rules_report *rep)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < rep->n_findings && i < RULES_FINDINGS; i++)
		jw_append(&arr, build_finding(&rep->findings[i]));
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

		jw_append(&arr, jw_obj("what", jw_str(p->what), "error", jerrno_or_null(p->err),
				       "detail", jw_str(p->detail), JW_END));
	}
	return arr;
}

/* The window counter findings judge ("window_seconds" of each is the same). */
static json_t *build_window(const struct ct_snapshot *snap)
{
	const struct snap_prev *p = &snap->prev;
	char text[1024];

	rules_window_text(snap, text, sizeof(text));
	return jw_obj("state", json_string(rules_window_state_name(p->state)), "seconds",
		      p->state == SNAP_PREV_OK ? jw_u64(p->window_s) : json_null(), "note",
		      p->state != SNAP_PREV_OK && p->note[0] ? jw_str(p->note) : json_null(),
		      "text", jw_str(text), JW_END);
}

static json_t *build_root(const struct ct_snapshot *snap, const struct rules_report *rep,
			  const struct render_opts *opts)
{
	const struct jw_head head = {.schema = JSON_SCHEMA,
				     .command = "check",
				     .version = opts->version,
				     .exit_code = rules_exit_code(rep),
				     .netns = snap->netns,
				     .is_init = snap->is_init_netns};

	return jw_report(&head, "settings", build_settings(snap), "occupancy",
			 build_occupancy(snap, rep), "counters", build_counters(snap), "window",
			 snap->has_stats ? build_window(snap) : json_null(), "walk",
			 build_walk(snap), "memory", build_memory(snap, rep), "nat",
			 build_nat(snap), "all_netns", build_all_netns(snap), "findings",
			 build_findings(rep), "problems", build_problems(snap), JW_END);
}

int render_json(FILE *out, const struct ct_snapshot *snap, const struct rules_report *rep,
		const struct render_opts *opts)
{
	/* Out of memory: nothing has been written, and the caller can only
	 * report that the output could not be produced. */
	return jw_dump(out, build_root(snap, rep, opts));
}
