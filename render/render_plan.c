/* render_plan.c: the plan report. Text shows the working the way a person
 * would check it by hand; JSON carries the same figures, and its
 * "recommendation" object (knob -> value string) is what apply consumes. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "escape.h"
#include "jsonw.h"
#include "render_plan.h"
#include "render_plan_kube.h"
#include "textwrap.h"

#define ESC_LEN 512

/* ---- text ---- */

/* "64.0 MiB" style, exact bytes kept in JSON. */
static const char *human_bytes(char *buf, size_t len, uint64_t b)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " B", b);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

static double pct_of(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* The global knobs hold every namespace: max the busiest, the hash all. */
static void text_host_demand(FILE *out, const struct render_plan *p)
{
	const struct inventory_demand *h = p->host;
	char esc[ESC_LEN];

	if (h == NULL || h->n_ns == 0 || p->in->src == PLAN_DEMAND_TARGET)
		return;
	render_escape(esc, sizeof(esc), h->busiest_name, RENDER_ESC_TEXT);
	fprintf(out, "  busiest namespace    %" PRIu64 " entries (%s)\n", h->busiest, esc);
	fprintf(out,
		"  all namespaces       %" PRIu64 " entries in %zu (max must hold the busiest, "
		"the\n                       buckets all of them)\n",
		h->sum, h->n_ns);
}

static void text_demand(FILE *out, const struct render_plan *p)
{
	const struct plan_input *in = p->in;
	char esc[ESC_LEN];

	fputs("Demand\n", out);
	if (in->src == PLAN_DEMAND_TARGET) {
		fprintf(out, "  explicit target      %" PRIu64 " entries\n", in->target_entries);
	} else if (in->src == PLAN_DEMAND_PEAK) {
		render_escape(esc, sizeof(esc), p->from_file ? p->from_file : "", RENDER_ESC_TEXT);
		fprintf(out, "  peak from watch      %" PRIu64 " entries (%s)\n", in->base_entries,
			esc);
	} else {
		fprintf(out, "  current count        %" PRId64 " entries%s\n", in->cur_count,
			p->host != NULL ? " (this namespace)" : "");
	}
	text_host_demand(out, p);
	if (in->src != PLAN_DEMAND_TARGET)
		fprintf(out, "  growth               x%g (of %" PRIu64 " entries)\n", in->growth,
			in->base_entries);
	fprintf(out, "  headroom             %g %% (plan for %g %% full at that demand)\n",
		in->headroom * 100, 100 - in->headroom * 100);
	fprintf(out, "  load                 %u entr%s per bucket at max\n", in->load,
		in->load == 1 ? "y" : "ies");
}

static void text_steps(FILE *out, const struct plan_result *r)
{
	fputs("\nWorking\n", out);
	for (size_t i = 0; i < r->n_steps; i++)
		fprintf(out, "  %-16s %s\n  %-16s   = %s\n", r->steps[i].name, r->steps[i].formula,
			"", r->steps[i].working);
}

static const char *const change_names[] = {"unknown", "raise", "none", "shrink", "no-demand"};

/* What the recommendation does to the current settings, and why a sizing
 * below them was kept (plan_guard). */
static void text_change(FILE *out, const struct plan_result *r)
{
	switch (r->change) {
	case PLAN_CHANGE_NONE:
		fprintf(out,
			"  no change: %" PRIu64 " holds a demand of %" PRIu64 " with %.0f %% "
			"headroom\n",
			r->current.max, r->demand, r->headroom_now_pct);
		break;
	case PLAN_CHANGE_NO_DEMAND:
		fputs("  no change: no demand measured\n", out);
		break;
	case PLAN_CHANGE_SHRINK:
		fputs("  a shrink, from a watch summary of the busy hours (--allow-shrink)\n", out);
		break;
	default:
		break;
	}
	if (r->kept_why != NULL) {
		struct tw w = {.out = out};
		char buf[512];

		snprintf(buf, sizeof(buf), "(the demand alone gives %" PRIu64 " / %" PRIu64 ": %s)",
			 r->sized.max, r->sized.buckets, r->kept_why);
		tw_startf(&w, 3, "  ");
		tw_words(&w, buf);
		tw_end(&w);
	}
}

static void text_recommendation(FILE *out, const struct render_plan *p)
{
	const struct plan_result *r = p->res;

	fputs("\nRecommendation\n", out);
	fprintf(out, "  %-36s %" PRIu64, RENDER_PLAN_KNOB_MAX, r->rec.max);
	if (r->has_current)
		fprintf(out, "   (now %" PRIu64 ")", r->current.max);
	fprintf(out, "\n  %-36s %" PRIu64, RENDER_PLAN_KNOB_BUCKETS, r->rec.buckets);
	if (r->has_current)
		fprintf(out, "   (now %" PRIu64 ")", r->current.buckets);
	fprintf(out, "\n  chains at full: %.3g entries per bucket (each entry is hashed twice)\n",
		r->chain_at_full);
	text_change(out, r);
	render_plan_kube_text(out, p);
}

static void text_memory(FILE *out, const struct render_plan *p)
{
	const struct plan_input *in = p->in;
	const struct plan_result *r = p->res;
	char a[32], b[32];

	fprintf(out,
		"\nKernel memory at max (%" PRIu64 " B per entry%s, extensions +%" PRIu64
		" B, 8 B per bucket)\n",
		in->slab_bytes, p->is_slab_measured ? ", measured slab size" : ", ASSUMED",
		in->ext_bytes);
	fprintf(out, "  without extensions   %s (%.3f %% of RAM %s)%s\n",
		human_bytes(a, sizeof(a), r->rec.mem_bytes),
		pct_of(r->rec.mem_bytes, in->ram_bytes), human_bytes(b, sizeof(b), in->ram_bytes),
		in->has_ext ? "" : "   <- this host");
	fprintf(out, "  with extensions      %s (%.3f %% of RAM)%s%s%s\n",
		human_bytes(a, sizeof(a), r->rec.mem_ext_bytes),
		pct_of(r->rec.mem_ext_bytes, in->ram_bytes), in->has_ext ? "   <- this host: " : "",
		in->has_ext && p->ext_reason ? p->ext_reason : "", in->has_ext ? " is on" : "");
	if (!r->has_budget)
		return;
	fprintf(out, "  budget               %s: %s\n", human_bytes(a, sizeof(a), in->budget_bytes),
		r->is_over_budget ? "the plan is OVER budget" : "the plan fits");
	if (r->fit.max > 0)
		fprintf(out, "  within budget        max %" PRIu64 ", buckets %" PRIu64 " (%s)\n",
			r->fit.max, r->fit.buckets,
			human_bytes(a, sizeof(a),
				    in->has_ext ? r->fit.mem_ext_bytes : r->fit.mem_bytes));
	else
		fputs("  within budget        no table of at least 1024 entries fits\n", out);
}

static void text_sizing(FILE *out, const char *label, const struct plan_sizing *s)
{
	char a[32], b[32];

	fprintf(out, "  %-28s %10" PRIu64 " %10" PRIu64 " %12s %12s\n", label, s->max, s->buckets,
		human_bytes(a, sizeof(a), s->mem_bytes),
		human_bytes(b, sizeof(b), s->mem_ext_bytes));
}

static void text_compare(FILE *out, const struct render_plan *p)
{
	const struct plan_result *r = p->res;
	char label[64], ram[32];

	fprintf(out, "\nCompared with\n  %-28s %10s %10s %12s %12s\n", "", "max", "buckets",
		"memory", "with ext");
	if (r->has_current)
		text_sizing(out, "current settings", &r->current);
	text_sizing(out, "this plan", &r->rec);
	snprintf(label, sizeof(label), "kernel default (RAM %s)",
		 human_bytes(ram, sizeof(ram), p->in->ram_bytes));
	text_sizing(out, label, &r->kern_def);
	render_plan_kube_rows(out, p, text_sizing);
}

#define MODEL_TEXT                                                                                 \
	"a flow that timed out lives (lifetime - old timeout + new timeout); every other "         \
	"flow (closed, or still open) is capped at the new timeout, as if idle: an upper "         \
	"bound on a lower timeout's effect"

static void text_little(FILE *out, const struct render_plan *p)
{
	const struct plan_whatif *w = p->whatif;
	bool any_lower = false;

	fputs("\nLittle's law (entries = new flows/s x mean lifetime, from watch events)\n", out);
	fprintf(out, "  %-16s %9s %12s %9s %9s", "class", "new/s", "lifetime s", "timed out",
		"entries");
	if (p->n_changes > 0)
		fprintf(out, " %14s %13s", "lifetime after", "entries after");
	fputc('\n', out);
	for (size_t i = 0; i < w->n; i++) {
		const struct plan_class *c = &p->classes[i];
		char life[32];

		any_lower |= c->is_lower_bound;
		snprintf(life, sizeof(life), "%s%.1f", c->is_lower_bound ? ">=" : "",
			 c->lifetime_s);
		fprintf(out, "  %-16s %9.3f %12s %7.0f %% %9.0f", c->name, c->new_per_s, life,
			c->idle_share * 100, w->before[i]);
		if (p->n_changes > 0)
			fprintf(out, " %14.1f %13.0f%s", w->lifetime_after_s[i], w->after[i],
				w->is_changed[i] ? "  (changed)" : "");
		fputc('\n', out);
	}
	fprintf(out, "  total: %.0f entries", w->before_total);
	if (p->in->src == PLAN_DEMAND_PEAK)
		fprintf(out, " (observed peak %" PRIu64 ")", p->in->base_entries);
	fputc('\n', out);
	if (any_lower)
		fputs("  \">=\": a lower bound (open flows count with their age at the end)\n",
		      out);
	for (size_t j = 0; j < p->n_changes; j++)
		fprintf(out, "  what if %s = %g\n", p->changes[j].knob, p->changes[j].timeout_s);
	if (p->n_changes == 0)
		return;
	fprintf(out, "  -> %.0f entries instead of %.0f (%zu class%s changed)\n", w->after_total,
		w->before_total, w->n_changed, w->n_changed == 1 ? "" : "es");
	fputs("  model: a flow that timed out lives (lifetime - old timeout + new timeout);\n"
	      "         every other flow (closed, or still open) is capped at the new\n"
	      "         timeout, as if idle: an upper bound on a lower timeout's effect\n",
	      out);
}

/* What each daemon is known to write, so the reader knows what to expect. */
static const char *daemon_note(const char *name)
{
	if (strcmp(name, "kube-proxy") == 0)
		return "sets nf_conntrack_max = max(max-per-core x CPUs, min) and hashsize >= "
		       "max/4 when it starts, unless --conntrack-max-per-core=0";
	if (strcmp(name, "tuned") == 0)
		return "applies its active profile's [sysctl] and [net] nf_conntrack_hashsize";
	return "Calico: 'calicoctl node run' sets nf_conntrack_max=1000000";
}

static void text_owner(FILE *out, const struct owners_item *it)
{
	char src[ESC_LEN], key[ESC_LEN], val[ESC_LEN];

	render_escape(src, sizeof(src), it->source, RENDER_ESC_TEXT);
	render_escape(key, sizeof(key), it->key, RENDER_ESC_TEXT);
	render_escape(val, sizeof(val), it->value, RENDER_ESC_TEXT);
	if (it->kind == OWNERS_PROCESS) {
		fprintf(out, "  %-10s %s %s%s%s: %s\n", owners_kind_name(it->kind), src, key,
			val[0] ? " " : "", val, daemon_note(it->key));
		return;
	}
	fprintf(out, "  %-10s %s:%u  %s = %s%s\n", owners_kind_name(it->kind), src, it->line, key,
		val,
		it->is_shadowed ? (it->kind == OWNERS_TUNED ? "  (profile not active)"
							    : "  (masked by a same-named file)")
				: "");
}

static void text_owners(FILE *out, const struct owners_report *o)
{
	fputs("\nOther writers of these knobs on this host\n", out);
	if (o == NULL) {
		fputs("  not checked\n", out);
		return;
	}
	if (o->n == 0)
		fputs("  none found (sysctl.d, sysctl.conf, modprobe.d, kernel command line, tuned "
		      "profiles, kube-proxy/tuned/Calico processes)\n",
		      out);
	for (size_t i = 0; i < o->n; i++)
		text_owner(out, &o->items[i]);
	if (o->n_dropped)
		fprintf(out, "  ... and %zu more\n", o->n_dropped);
}

int render_plan_text(FILE *out, const struct render_plan *p)
{
	char esc[ESC_LEN];

	fputs("ctadvisor plan: nf_conntrack_max and buckets", out);
	if (p->netns != NULL && p->netns[0] != '\0') {
		render_escape(esc, sizeof(esc), p->netns, RENDER_ESC_TEXT);
		fprintf(out, " (demand from network namespace %s)", esc);
	}
	fputs("\n\n", out);
	text_demand(out, p);
	text_steps(out, p->res);
	text_recommendation(out, p);
	text_memory(out, p);
	text_compare(out, p);
	if (p->whatif != NULL)
		text_little(out, p);
	if (p->whatif_note != NULL)
		fprintf(out, "\nNote: %s\n", p->whatif_note);
	text_owners(out, p->owners);
	return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}

/* ---- JSON ---- */

static json_t *j_sizing(const struct plan_sizing *s)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "max", jw_u64(s->max), "buckets",
			 jw_u64(s->buckets), "mem_bytes", jw_u64(s->mem_bytes), "mem_ext_bytes",
			 jw_u64(s->mem_ext_bytes));
}

static json_t *j_recommendation(const struct plan_result *r)
{
	char max[24], buckets[24];

	snprintf(max, sizeof(max), "%" PRIu64, r->rec.max);
	snprintf(buckets, sizeof(buckets), "%" PRIu64, r->rec.buckets);
	return json_pack("{s:s, s:s}", RENDER_PLAN_KNOB_MAX, max, RENDER_PLAN_KNOB_BUCKETS,
			 buckets);
}

static json_t *j_demand(const struct render_plan *p)
{
	static const char *const src[] = {"peak", "current", "target"};
	const struct plan_input *in = p->in;
	bool is_target = in->src == PLAN_DEMAND_TARGET;

	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "source", src[in->src], "from",
			 jw_str(p->from_file), "base_entries",
			 is_target ? json_null() : jw_u64(in->base_entries), "growth",
			 is_target ? json_null() : json_real(in->growth), "target",
			 is_target ? jw_u64(in->target_entries) : json_null(), "entries",
			 jw_u64(p->res->demand), "busiest_netns",
			 p->host != NULL
			     ? json_pack("{s:o, s:o}", "name", jw_str(p->host->busiest_name),
					 "entries", jw_u64(p->host->busiest))
			     : json_null(),
			 "all_netns_entries", p->host != NULL ? jw_u64(p->host->sum) : json_null());
}

static json_t *j_inputs(const struct render_plan *p)
{
	const struct plan_input *in = p->in;

	return json_pack("{s:f, s:i, s:o, s:i, s:o, s:b, s:o, s:b, s:o, s:o, s:o}", "headroom",
			 in->headroom, "load", (int)in->load, "ram_bytes", jw_u64(in->ram_bytes),
			 "cpus", (int)in->cpus, "slab_bytes", jw_u64(in->slab_bytes),
			 "slab_measured", p->is_slab_measured, "ext_bytes", jw_u64(in->ext_bytes),
			 "extensions_on", in->has_ext, "page_bytes", jw_u64(in->page_bytes),
			 "budget_bytes", in->budget_bytes ? jw_u64(in->budget_bytes) : json_null(),
			 "current_count",
			 in->cur_count >= 0 ? jw_u64((uint64_t)in->cur_count) : json_null());
}

static json_t *j_steps(const struct plan_result *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->n_steps; i++) {
		const struct plan_step *s = &r->steps[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:f, s:s}", "name", s->name,
						   "formula", s->formula, "working", s->working,
						   "value", s->value, "unit", s->unit));
	}
	return a;
}

static json_t *j_memory(const struct render_plan *p)
{
	const struct plan_result *r = p->res;

	return json_pack(
	    "{s:o, s:o, s:o, s:f, s:o, s:o}", "mem_bytes", jw_u64(r->rec.mem_bytes),
	    "mem_ext_bytes", jw_u64(r->rec.mem_ext_bytes), "used_bytes", jw_u64(r->mem_used_bytes),
	    "used_pct_ram", r->mem_used_pct_ram, "over_budget",
	    r->has_budget ? json_boolean(r->is_over_budget) : json_null(), "budget_fit",
	    r->has_budget && r->fit.max > 0 ? j_sizing(&r->fit) : json_null());
}

static json_t *j_compare(const struct plan_result *r)
{
	return json_pack("{s:o, s:o, s:o}", "current",
			 r->has_current ? j_sizing(&r->current) : json_null(), "kernel_default",
			 j_sizing(&r->kern_def), "kube_proxy", j_sizing(&r->kube));
}

static json_t *j_class(const struct render_plan *p, size_t i)
{
	const struct plan_class *c = &p->classes[i];
	const struct plan_whatif *w = p->whatif;

	return json_pack(
	    "{s:s, s:o, s:f, s:f, s:b, s:o, s:f, s:f, s:f, s:f, s:f, s:b}", "class", c->name,
	    "timeout_knob", jw_str(c->timeout_knob), "new_per_s", c->new_per_s, "lifetime_s",
	    c->lifetime_s, "lower_bound", c->is_lower_bound, "timeout_s",
	    c->timeout_s > 0 ? json_real(c->timeout_s) : json_null(), "idle_share", c->idle_share,
	    "idle_lifetime_s", c->idle_lifetime_s, "entries", w->before[i], "lifetime_after_s",
	    w->lifetime_after_s[i], "entries_after", w->after[i], "changed", w->is_changed[i]);
}

static json_t *j_little(const struct render_plan *p)
{
	const struct plan_whatif *w = p->whatif;
	json_t *cls = json_array(), *chg = json_array();

	for (size_t i = 0; i < w->n; i++)
		json_array_append_new(cls, j_class(p, i));
	for (size_t j = 0; j < p->n_changes; j++)
		json_array_append_new(chg, json_pack("{s:s, s:f}", "knob", p->changes[j].knob,
						     "timeout_s", p->changes[j].timeout_s));
	return json_pack("{s:o, s:o, s:f, s:f, s:o, s:s}", "classes", cls, "changes", chg,
			 "entries", w->before_total, "entries_after", w->after_total,
			 "entries_after_ceil", jw_u64(w->after_entries), "model", MODEL_TEXT);
}

static json_t *j_owners(const struct owners_report *o)
{
	json_t *a = json_array();

	for (size_t i = 0; o != NULL && i < o->n; i++) {
		const struct owners_item *it = &o->items[i];

		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}", "kind",
						   owners_kind_name(it->kind), "source",
						   jw_str(it->source), "line",
						   it->line ? json_integer(it->line) : json_null(),
						   "key", jw_str(it->key), "value",
						   jw_str(it->value), "shadowed", it->is_shadowed));
	}
	return a;
}

static json_t *plan_object(const struct render_plan *p)
{
	const struct plan_result *r = p->res;

	return json_pack(
	    "{s:s, s:i, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:f, s:o, s:o, s:o, "
	    "s:o, s:o, s:o, s:o}",
	    "type", "plan", "schema", 1, "netns", jw_str(p->netns ? p->netns : ""),
	    "recommendation", j_recommendation(r), "change", change_names[r->change], "kept_why",
	    jw_str(r->kept_why), "sized",
	    json_pack("{s:o, s:o}", "max", jw_u64(r->sized.max), "buckets",
		      jw_u64(r->sized.buckets)),
	    "headroom_now_pct",
	    r->headroom_now_pct >= 0 ? json_real(r->headroom_now_pct) : json_null(), "demand",
	    j_demand(p), "inputs", j_inputs(p), "max_raw", jw_u64(r->max_raw), "steps", j_steps(r),
	    "chain_at_full", r->chain_at_full, "memory", j_memory(p), "compare", j_compare(r),
	    "little", p->whatif ? j_little(p) : json_null(), "note", jw_str(p->whatif_note),
	    "owners", j_owners(p->owners), "owners_dropped",
	    jw_u64(p->owners ? p->owners->n_dropped : 0), "kube_proxy", render_plan_kube_json(p));
}

int render_plan_json(FILE *out, const struct render_plan *p)
{
	json_t *o = plan_object(p);
	int rc;

	if (o == NULL)
		return -ENOMEM;
	rc = json_dumpf(o, out, JSON_INDENT(2));
	json_decref(o);
	fputc('\n', out);
	return rc == 0 && fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}

int render_plan_saved(FILE *out, const struct render_plan *p)
{
	json_t *o = plan_object(p);
	int rc;

	if (o == NULL)
		return -ENOMEM;
	rc = json_dumpf(o, out, JSON_INDENT(2));
	json_decref(o);
	return rc == 0 && fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
