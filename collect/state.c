/* state.c: the last check run's figures of a namespace, read and written
 * as JSON (see state.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "fileio.h"
#include "state.h"
#include "../rules/rates.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

#define STATE_KIND    "check-state"
#define STATE_MAX_CPU 4096

static int read_boot_id(const char *proc_root, char *buf, size_t len)
{
	char path[512], *text = NULL;
	size_t n = 0;
	int rc;

	if (snprintf(path, sizeof(path), "%s/sys/kernel/random/boot_id", proc_root) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	rc = fileio_read_all(path, &text, &n);
	if (rc < 0)
		return rc;
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	rc = n > 0 && n < len ? 0 : -EINVAL;
	if (rc == 0)
		memcpy(buf, text, n + 1);
	free(text);
	return rc;
}

int state_id_read(const char *proc_root, struct state_id *id)
{
	struct stat st;
	socklen_t len = sizeof(id->cookie);
	int fd, rc;

	memset(id, 0, sizeof(*id));
	rc = read_boot_id(proc_root, id->boot_id, sizeof(id->boot_id));
	if (rc < 0)
		return rc;
	/* The namespace is the thread's own, whatever proc_root a test gives. */
	if (stat("/proc/thread-self/ns/net", &st) < 0)
		return -errno;
	id->ino = (uint64_t)st.st_ino;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		id->has_cookie =
		    getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &id->cookie, &len) == 0;
		close(fd);
	}
	return 0;
}

int state_file_name(const struct state_id *id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "netns-%" PRIu64 ".json", id->ino);

	return n >= 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

static void prev_note(struct snap_prev *p, enum snap_prev_state st, const char *note)
{
	p->state = st;
	snprintf(p->note, sizeof(p->note), "%s", note);
}

static bool get_u64(const json_t *o, const char *key, uint64_t *out)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* The per-CPU counters of the state: [[cpu, slot1, ..., slotN], ...]. */
static int load_cpus(const json_t *arr, uint32_t present, struct snap_cpu_stats **out, size_t *n)
{
	size_t i, count = json_array_size(arr);
	struct snap_cpu_stats *c;

	if (!json_is_array(arr) || count == 0 || count > STATE_MAX_CPU)
		return -EINVAL;
	c = calloc(count, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const json_t *row = json_array_get(arr, i);

		if (!json_is_array(row) || json_array_size(row) != SNAP_STAT_SLOTS)
			break;
		c[i].cpu = (unsigned)json_integer_value(json_array_get(row, 0));
		c[i].present = present;
		for (unsigned s = 1; s < SNAP_STAT_SLOTS; s++)
			c[i].v[s] = (uint64_t)json_integer_value(json_array_get(row, s));
	}
	if (i < count) {
		free(c);
		return -EINVAL;
	}
	*out = c;
	*n = count;
	return 0;
}

/* Whether the state is ours and of this namespace in this boot; else the
 * note says what it is. */
static bool is_same_namespace(const json_t *o, const struct state_id *id, struct snap_prev *p)
{
	uint64_t schema = 0, ino = 0, cookie = 0;
	const char *tool = json_string_value(json_object_get(o, "tool"));
	const char *kind = json_string_value(json_object_get(o, "kind"));
	const char *boot = json_string_value(json_object_get(o, "boot_id"));

	if (!get_u64(o, "schema", &schema) || tool == NULL || strcmp(tool, "ctadvisor") != 0 ||
	    kind == NULL || strcmp(kind, STATE_KIND) != 0 || schema != STATE_SCHEMA) {
		prev_note(p, SNAP_PREV_IGNORED,
			  "the state file is not a ctadvisor check state of this version "
			  "(foreign or newer): it is replaced by this run's");
		return false;
	}
	if (boot == NULL || strcmp(boot, id->boot_id) != 0) {
		prev_note(p, SNAP_PREV_RESET, "the host rebooted since the last run");
		return false;
	}
	if (!get_u64(o, "netns_inode", &ino) || ino != id->ino ||
	    (id->has_cookie && get_u64(o, "netns_cookie", &cookie) && cookie != id->cookie)) {
		prev_note(p, SNAP_PREV_RESET,
			  "the network namespace was recreated since the last run");
		return false;
	}
	return true;
}

/* The changes per slot since the last run, from its per-CPU counters. */
static void fold_counters(const struct snap_cpu_stats *old, size_t n_old, uint32_t present,
			  struct ct_snapshot *snap)
{
	struct rates_sample a = {.cpus = old, .n_cpus = n_old};
	struct rates_sample b = {.cpus = snap->cpus, .n_cpus = snap->n_cpus};
	struct snap_prev *p = &snap->prev;

	p->present = present & snap->total.present;
	for (unsigned s = 1; s < SNAP_STAT_SLOTS; s++)
		if (p->present & (UINT32_C(1) << s))
			p->delta[s] = rates_delta(&a, &b, s);
}

static void fold_object(const json_t *o, const struct state_id *id, uint64_t now_s,
			struct ct_snapshot *snap)
{
	struct snap_prev *p = &snap->prev;
	struct snap_cpu_stats *cpus = NULL;
	uint64_t t = 0, present = 0;
	size_t n = 0;

	if (!is_same_namespace(o, id, p))
		return;
	if (!get_u64(o, "time", &t) || !get_u64(o, "present", &present) ||
	    load_cpus(json_object_get(o, "cpus"), (uint32_t)present, &cpus, &n) < 0) {
		prev_note(p, SNAP_PREV_IGNORED,
			  "the state file lacks the last run's time or counters (corrupt): it is "
			  "replaced by this run's");
		return;
	}
	if (t > now_s) {
		prev_note(p, SNAP_PREV_IGNORED,
			  "the last run's time is in the future (the clock moved back): no "
			  "window can be told");
		free(cpus);
		return;
	}
	if (!snap->has_stats || snap->cpus == NULL) {
		prev_note(p, SNAP_PREV_IGNORED, "this run could not read the counters");
		free(cpus);
		return;
	}
	p->state = SNAP_PREV_OK;
	p->window_s = now_s - t;
	p->has_max = get_u64(o, "max", &p->max);
	get_u64(o, "max_at_drop", &p->max_at_drop);
	fold_counters(cpus, n, (uint32_t)present, snap);
	free(cpus);
}

void state_fold(const char *text, size_t len, int err, const struct state_id *id, uint64_t now_s,
		struct ct_snapshot *snap)
{
	struct snap_prev *p = &snap->prev;
	json_error_t jerr;
	json_t *o;

	memset(p, 0, sizeof(*p));
	if (text == NULL) {
		if (err == ENOENT)
			prev_note(p, SNAP_PREV_FIRST, "no earlier run of this namespace");
		else {
			p->state = SNAP_PREV_IGNORED;
			snprintf(p->note, sizeof(p->note), "the state file could not be read: %s",
				 strerror(err));
		}
		return;
	}
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		prev_note(p, SNAP_PREV_IGNORED,
			  "the state file is not valid JSON (corrupt): it is replaced by this "
			  "run's");
		json_decref(o);
		return;
	}
	fold_object(o, id, now_s, snap);
	json_decref(o);
}

static json_t *cpus_array(const struct ct_snapshot *snap)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < snap->n_cpus; i++) {
		json_t *row = json_array();

		json_array_append_new(row, json_integer(snap->cpus[i].cpu));
		for (unsigned s = 1; s < SNAP_STAT_SLOTS; s++)
			json_array_append_new(row, json_integer((json_int_t)snap->cpus[i].v[s]));
		if (json_array_append_new(arr, row) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static uint64_t max_at_drop(const struct ct_snapshot *snap)
{
	const struct snap_prev *p = &snap->prev;
	uint32_t drops = (UINT32_C(1) << SNAP_STAT_DROP) | (UINT32_C(1) << SNAP_STAT_EARLY_DROP);

	if (p->state != SNAP_PREV_OK)
		return 0;
	if ((p->present & drops) && (p->delta[SNAP_STAT_DROP] || p->delta[SNAP_STAT_EARLY_DROP]))
		return snap->has_max ? snap->max : 0;
	return p->max_at_drop;
}

char *state_format(const struct state_id *id, uint64_t now_s, const struct ct_snapshot *snap)
{
	json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:I, s:o, s:I, s:o, s:I, s:I}", "schema",
			      STATE_SCHEMA, "tool", "ctadvisor", "kind", STATE_KIND, "boot_id",
			      id->boot_id, "netns_inode", (json_int_t)id->ino, "netns_cookie",
			      id->has_cookie ? json_integer((json_int_t)id->cookie) : json_null(),
			      "time", (json_int_t)now_s, "max",
			      snap->has_max ? json_integer((json_int_t)snap->max) : json_null(),
			      "max_at_drop", (json_int_t)max_at_drop(snap), "present",
			      (json_int_t)(snap->has_stats ? snap->total.present : 0));
	json_t *cpus = snap->has_stats ? cpus_array(snap) : json_array();
	char *text = NULL;

	if (o != NULL && cpus != NULL && json_object_set_new(o, "cpus", cpus) == 0)
		text = json_dumps(o, JSON_COMPACT);
	else
		json_decref(cpus);
	json_decref(o);
	return text;
}
