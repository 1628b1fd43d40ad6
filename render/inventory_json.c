/* inventory_json.c: the namespace inventory as one JSON object (schema 1):
 * host figures, totals, and every namespace, highest count first. Unknown
 * figures are null. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>

#include <jansson.h>

#include "escape.h"
#include "jsonw.h"
#include "inventory_render.h"

static json_t *jnum_or_null(const struct inv_ns *ns, enum inv_key key)
{
	uint64_t v;

	return inventory_value(ns, key, &v) == 0 ? jw_u64(v) : json_null();
}

static json_t *jstr_or_null(const char *s)
{
	return s[0] != '\0' ? jw_str(s) : json_null();
}

static json_t *jratio(double v)
{
	return v < 0 || !isfinite(v) ? json_null() : json_real(v);
}

static const char *const pin_names[] = {
    [INV_PIN_NONE] = NULL,
    [INV_PIN_NETNS] = "netns",
    [INV_PIN_DOCKER] = "docker",
    [INV_PIN_MOUNT] = "mount",
};

static json_t *j_owner(const struct inv_ns *ns)
{
	const struct inv_owner *o = &ns->owner;
	json_t *comms = json_array();

	for (unsigned i = 0; comms != NULL && i < ns->n_comm; i++)
		if (json_array_append_new(comms, jw_str(ns->comm[i])) < 0) {
			json_decref(comms);
			comms = NULL;
		}
	return jw_obj("pod",
		      ns->has_pod ? jw_obj("namespace", jstr_or_null(o->pod_namespace), "name",
					   jstr_or_null(o->pod_name), "uid", jw_str(o->pod_uid),
					   "qos", jstr_or_null(o->qos), JW_END)
				  : json_null(),
		      "container",
		      ns->has_container ? jw_obj("runtime", jstr_or_null(o->runtime), "id",
						 jw_str(o->container_id), JW_END)
					: json_null(),
		      "processes", json_integer(ns->n_procs), "pid",
		      ns->pid > 0 ? json_integer(ns->pid) : json_null(), "comm", comms, JW_END);
}

static json_t *j_counters(const struct inv_ns *ns)
{
	if (!ns->fig.has_stats)
		return json_null();
	return jw_obj("drop", jnum_or_null(ns, INV_KEY_DROP), "early_drop",
		      jnum_or_null(ns, INV_KEY_EARLY_DROP), "insert_failed",
		      jnum_or_null(ns, INV_KEY_INSERT_FAILED), "invalid",
		      jnum_or_null(ns, INV_KEY_INVALID), JW_END);
}

static json_t *j_overrides(const struct inv_figures *f)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < f->n_ov; i++) {
		json_t *v = jw_obj("value", jw_str(f->ov[i].value), "baseline",
				   jstr_or_null(f->ov[i].baseline), JW_END);

		if (v == NULL || json_object_set_new(o, f->ov[i].knob, v) < 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

static json_t *j_error(const struct inv_figures *f)
{
	char buf[RENDER_ERRNO_BUF];

	if (f->err == 0)
		return json_null();
	return jw_obj("what", json_string(f->err_what), "errno",
		      json_string(render_errno_name(f->err, buf, sizeof(buf))), JW_END);
}

static json_t *j_ns(const struct inv_ns *ns, const struct inv_host *host)
{
	const struct inv_figures *f = &ns->fig;
	const char *pin = pin_names[ns->pin];

	return jw_obj(
	    "inode", jw_u64(ns->ino), "dev", jw_u64(ns->dev), "path", jw_str(ns->path), "name",
	    jstr_or_null(ns->name), "pinned", pin ? json_string(pin) : json_null(),
	    "pinned_without_process", json_boolean(inventory_no_process(ns)), "possible_leak",
	    json_boolean(inventory_is_possible_leak(ns)), "is_init", json_boolean(f->is_init),
	    "owner", j_owner(ns), "count", jnum_or_null(ns, INV_KEY_COUNT), "fill_ratio",
	    f->has_count && host->max > 0 ? json_real((double)f->count / (double)host->max)
					  : json_null(),
	    "live_entries", jnum_or_null(ns, INV_KEY_LIVE), "walk_interrupted",
	    json_boolean(f->walk_interrupted), "counters", j_counters(ns), "overrides",
	    j_overrides(f), "overrides_not_listed", json_integer((json_int_t)f->n_ov_more), "error",
	    j_error(f), JW_END);
}

static json_t *j_totals(const struct inv_totals *t)
{
	return jw_obj("namespaces", json_integer((json_int_t)t->n_ns), "unreadable",
		      json_integer((json_int_t)t->n_failed), "pinned_without_process",
		      json_integer((json_int_t)t->n_no_process), "possible_leaks",
		      json_integer((json_int_t)t->n_leaks), "entries", jw_u64(t->entries),
		      "live_entries", t->has_live ? jw_u64(t->live) : json_null(), "hash_load",
		      jratio(t->hash_load), "memory_bytes",
		      t->mem_bytes > 0 ? jw_u64(t->mem_bytes) : json_null(), "memory_ram_ratio",
		      jratio(t->mem_ram_ratio), JW_END);
}

static json_t *j_host(const struct inv_host *h)
{
	return jw_obj("baseline_is_init", json_boolean(h->is_init), "max",
		      h->max >= 0 ? json_integer(h->max) : json_null(), "buckets",
		      h->buckets >= 0 ? json_integer(h->buckets) : json_null(), "slab_obj_bytes",
		      h->slab_obj_bytes ? jw_u64(h->slab_obj_bytes) : json_null(), "ram_bytes",
		      h->ram_bytes ? jw_u64(h->ram_bytes) : json_null(), JW_END);
}

int inventory_render_json(FILE *out, const struct inventory *inv, const struct inv_host *host)
{
	/* every namespace: the report is of none in particular */
	struct jw_head head = {
	    .schema = 1, .command = "inventory", .version = CTADVISOR_VERSION, .netns = NULL};
	json_t *arr = json_array(), *root;
	struct inv_totals t;

	for (size_t i = 0; arr != NULL && i < inv->n; i++)
		if (json_array_append_new(arr, j_ns(&inv->ns[i], host)) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	inventory_totals(inv, host, &t);
	head.exit_code = (int)t.exit_code;
	root = jw_report(&head, "host", j_host(host), "totals", j_totals(&t), "namespaces", arr,
			 JW_END);
	return jw_dump(out, root);
}
