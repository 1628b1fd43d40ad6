/* watch_summary.c: reading a saved watch summary (JSON, schema 1 or 2). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd.h"
#include "watch_summary.h"

static bool js_count(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* A finite number; null gives *has false. */
static bool js_real(json_t *o, const char *key, bool *has, double *out)
{
	json_t *v = json_object_get(o, key);

	*has = false;
	if (json_is_null(v))
		return true;
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return false;
	*out = json_number_value(v);
	*has = true;
	return true;
}

/* The sum of an object of counts per event class, -1 when absent. */
static double class_sum(json_t *ev, const char *key)
{
	json_t *o = json_object_get(ev, key), *v;
	const char *k;
	double sum = 0;

	if (!json_is_object(o))
		return -1;
	json_object_foreach(o, k, v)
	{
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			sum += (double)json_integer_value(v);
	}
	return sum;
}

static void add_rate(struct render_html_watch *w, const char *name, double total,
		     const double *peak)
{
	struct render_html_rate *r;

	if (total < 0 || w->n_rates >= RENDER_HTML_RATES)
		return;
	r = &w->rates[w->n_rates++];
	*r = (struct render_html_rate){.name = name,
				       .per_s = w->duration_s > 0 ? total / w->duration_s : 0};
	if (peak != NULL) {
		r->has_peak = true;
		r->peak_per_s = *peak;
	}
}

/* new and destroy from the events (watch --events), the counters after. */
static void read_rates(json_t *root, struct render_html_watch *w)
{
	static const char *const ctrs[] = {"invalid", "drop", "early_drop", "insert_failed"};
	json_t *ev = json_object_get(root, "events");
	json_t *cs = json_object_get(root, "counters");

	if (json_is_object(ev)) {
		add_rate(w, "new", class_sum(ev, "new"), NULL);
		add_rate(w, "destroy", class_sum(ev, "destroy"), NULL);
	}
	for (size_t i = 0; i < sizeof(ctrs) / sizeof(ctrs[0]); i++) {
		json_t *c = json_object_get(cs, ctrs[i]);
		uint64_t delta;
		double peak;
		bool has;

		if (json_is_object(c) && js_count(c, "delta", &delta) &&
		    js_real(c, "peak_per_s", &has, &peak) && has)
			add_rate(w, ctrs[i], (double)delta, &peak);
	}
}

static bool read_figures(json_t *root, struct watch_summary *s)
{
	struct render_html_watch *w = &s->w;
	json_t *ns = json_object_get(root, "netns"), *nc = json_object_get(root, "net_change");
	bool has;

	if (!js_count(root, "samples", &w->samples) || !js_count(root, "max", &w->max) ||
	    !js_count(root, "peak_count", &w->peak) || !js_count(root, "last_count", &w->last) ||
	    !js_real(root, "duration_s", &has, &w->duration_s) || !has ||
	    !js_real(root, "mean_count", &has, &w->mean) || !has || !json_is_integer(nc) ||
	    !js_real(root, "growth_per_hour", &w->has_growth, &w->growth_per_hour) ||
	    !js_real(root, "hours_to_full", &w->has_hours_to_full, &w->hours_to_full))
		return false;
	if (json_integer_value(nc) > (json_int_t)w->last)
		return false;
	w->first = (uint64_t)((json_int_t)w->last - json_integer_value(nc));
	snprintf(s->netns, sizeof(s->netns), "%s", json_is_string(ns) ? json_string_value(ns) : "");
	w->netns = s->netns;
	read_rates(root, w);
	return true;
}

int watch_summary_load(const char *cmd, const char *path, struct watch_summary *s)
{
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	bool ok;

	memset(s, 0, sizeof(*s));
	s->w.source = path;
	if (root == NULL) {
		cmd_usage_error(cmd, "invalid value for --from: '%s': %s%s", path, jerr.text,
				jerr.line > 0 ? " (not JSON)" : "");
		return -1;
	}
	ok = json_is_object(root) && read_figures(root, s);
	json_decref(root);
	if (!ok)
		cmd_usage_error(cmd,
				"invalid value for --from: '%s': not a summary written by "
				"'ctadvisor watch --save FILE' (samples, peak_count, net_change or "
				"duration_s unreadable)",
				path);
	return ok ? 0 : -1;
}
