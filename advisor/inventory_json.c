/* inventory_json.c: the namespace inventory as one JSON object (schema 1):
 * host figures, totals, and every namespace, highest count first. Unknown
 * figures are null. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>

#include <jansson.h>

#include "escape.h"
#include "inventory.h"

#define JEND ((const char *)NULL)

/* (key, value) pairs up to JEND; every value is consumed, also on failure;
 * NULL when a value is NULL or on allocation failure. */
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

static json_t *ju64(uint64_t v)
{
	return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

static json_t *jnum_or_null(const struct inv_ns *ns, enum inv_key key)
{
	uint64_t v;

	return inventory_value(ns, key, &v) == 0 ? ju64(v) : json_null();
}

/* json_string() refuses invalid UTF-8, which names and comm may hold. */
static json_t *jstr(const char *s)
{
	json_t *v = json_string(s);
	char buf[2048];

	if (v != NULL)
		return v;
	render_escape(buf, sizeof(buf), s, RENDER_ESC_UTF8);
	return json_string(buf);
}

static json_t *jstr_or_null(const char *s)
{
	return s[0] != '\0' ? jstr(s) : json_null();
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
		if (json_array_append_new(comms, jstr(ns->comm[i])) < 0) {
			json_decref(comms);
			comms = NULL;
		}
	return jobj("pod",
		    ns->has_pod ? jobj("namespace", jstr_or_null(o->pod_namespace), "name",
				       jstr_or_null(o->pod_name), "uid", jstr(o->pod_uid), "qos",
				       jstr_or_null(o->qos), JEND)
				: json_null(),
		    "container",
		    ns->has_container ? jobj("runtime", jstr_or_null(o->runtime), "id",
					     jstr(o->container_id), JEND)
				      : json_null(),
		    "processes", json_integer(ns->n_procs), "pid",
		    ns->pid > 0 ? json_integer(ns->pid) : json_null(), "comm", comms, JEND);
}

static json_t *j_counters(const struct inv_ns *ns)
{
	if (!ns->fig.has_stats)
		return json_null();
	return jobj("drop", jnum_or_null(ns, INV_KEY_DROP), "early_drop",
		    jnum_or_null(ns, INV_KEY_EARLY_DROP), "insert_failed",
		    jnum_or_null(ns, INV_KEY_INSERT_FAILED), "invalid",
		    jnum_or_null(ns, INV_KEY_INVALID), JEND);
}

static json_t *j_overrides(const struct inv_figures *f)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < f->n_ov; i++) {
		json_t *v = jobj("value", jstr(f->ov[i].value), "baseline",
				 jstr_or_null(f->ov[i].baseline), JEND);

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
	return jobj("what", json_string(f->err_what), "errno",
		    json_string(render_errno_name(f->err, buf, sizeof(buf))), JEND);
}

static json_t *j_ns(const struct inv_ns *ns, const struct inv_host *host)
{
	const struct inv_figures *f = &ns->fig;
	const char *pin = pin_names[ns->pin];

	return jobj("inode", ju64(ns->ino), "dev", ju64(ns->dev), "path", jstr(ns->path), "name",
		    jstr_or_null(ns->name), "pinned", pin ? json_string(pin) : json_null(),
		    "pinned_without_process", json_boolean(inventory_is_leak(ns)), "is_init",
		    json_boolean(f->is_init), "owner", j_owner(ns), "count",
		    jnum_or_null(ns, INV_KEY_COUNT), "fill_ratio",
		    f->has_count && host->max > 0 ? json_real((double)f->count / (double)host->max)
						  : json_null(),
		    "live_entries", jnum_or_null(ns, INV_KEY_LIVE), "walk_interrupted",
		    json_boolean(f->walk_interrupted), "counters", j_counters(ns), "overrides",
		    j_overrides(f), "overrides_not_listed", json_integer((json_int_t)f->n_ov_more),
		    "error", j_error(f), JEND);
}

static json_t *j_totals(const struct inventory *inv, const struct inv_host *host)
{
	struct inv_totals t;

	inventory_totals(inv, host, &t);
	return jobj("namespaces", json_integer((json_int_t)t.n_ns), "unreadable",
		    json_integer((json_int_t)t.n_failed), "pinned_without_process",
		    json_integer((json_int_t)t.n_leaks), "entries", ju64(t.entries), "live_entries",
		    t.has_live ? ju64(t.live) : json_null(), "hash_load", jratio(t.hash_load),
		    "memory_bytes", t.mem_bytes > 0 ? ju64(t.mem_bytes) : json_null(),
		    "memory_ram_ratio", jratio(t.mem_ram_ratio), JEND);
}

static json_t *j_host(const struct inv_host *h)
{
	return jobj("baseline_is_init", json_boolean(h->is_init), "max",
		    h->max >= 0 ? json_integer(h->max) : json_null(), "buckets",
		    h->buckets >= 0 ? json_integer(h->buckets) : json_null(), "slab_obj_bytes",
		    h->slab_obj_bytes ? ju64(h->slab_obj_bytes) : json_null(), "ram_bytes",
		    h->ram_bytes ? ju64(h->ram_bytes) : json_null(), JEND);
}

int inventory_render_json(FILE *out, const struct inventory *inv, const struct inv_host *host)
{
	json_t *arr = json_array(), *root;
	int rc = 0;

	for (size_t i = 0; arr != NULL && i < inv->n; i++)
		if (json_array_append_new(arr, j_ns(&inv->ns[i], host)) < 0) {
			json_decref(arr);
			arr = NULL;
		}
	root = jobj("schema", json_integer(1), "version", json_string(CTADVISOR_VERSION), "host",
		    j_host(host), "totals", j_totals(inv, host), "namespaces", arr, JEND);
	if (root == NULL)
		return -ENOMEM;
	if (json_dumpf(root, out, JSON_INDENT(2)) < 0 || fputc('\n', out) == EOF)
		rc = -EIO;
	json_decref(root);
	return rc;
}
