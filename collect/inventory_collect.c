/* inventory_collect.c: read every namespace's conntrack figures from one
 * process. A netlink socket keeps the namespace it was opened in and
 * /proc/sys/net follows the thread's namespace at open(), so setns() in,
 * query, read knobs, on to the next namespace, and back once at the end:
 * no fork, no `ip netns exec` (reference/kernel-conntrack.md §9: about 20
 * us per namespace for GET_STATS alone).
 *
 * The knobs cost most: three syscalls each, and every lookup under
 * /proc/sys in a namespace walks a dcache hash chain holding the same
 * name for every other namespace (proc_sys_compare), so only the knobs
 * the report compares are read. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "collect.h"
#include "inventory_scan.h"
#include "netns.h"
#include "../nl/nl_stats.h"

struct inv_knob {
	char name[SNAP_KNOB_NAME_LEN];
	char value[SNAP_KNOB_VALUE_LEN];
};

struct knob_set {
	struct inv_knob *k;
	size_t n, cap;
};

#define NF_PREFIX "net.netfilter."

/* Knobs that say nothing about how the namespace was set up: its count,
 * the global ones (read-only here, the same everywhere) and init-only ones. */
static bool is_comparable(const char *name)
{
	return strcmp(name, "net.netfilter.nf_conntrack_count") != 0 && !sysctl_is_global(name) &&
	       strcmp(name, "net.netfilter.nf_log_all_netns") != 0 &&
	       strncmp(name, "module.", 7) != 0;
}

/* The knobs overrides are reported for (issue 10): timeouts, how invalid
 * packets are treated, and the extensions that make entries bigger. Each
 * knob costs three syscalls in every namespace, most of the inventory's
 * time, so the rest of net.netfilter is left out. */
static bool is_reported(const char *name)
{
	static const char *const knobs[] = {"log_invalid", "tcp_loose", "acct", "timestamp"};
	const char *k = NF_PREFIX "nf_conntrack_";

	if (strncmp(name, k, strlen(k)) != 0)
		return false;
	k = name + strlen(k);
	if (strstr(k, "timeout") != NULL)
		return true;
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (strcmp(k, knobs[i]) == 0)
			return true;
	return false;
}

static int base_add(const char *name, void *arg)
{
	struct knob_set *s = arg;
	struct inv_knob *grown;

	if (!is_comparable(name) || !is_reported(name))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;

		grown = reallocarray(s->k, cap, sizeof(*grown));
		if (grown == NULL)
			return -ENOMEM;
		s->k = grown;
		s->cap = cap;
	}
	snprintf(s->k[s->n].name, sizeof(s->k[0].name), "%s", name);
	s->k[s->n].value[0] = '\0';
	s->n++;
	return 0;
}

/* The baseline: the knobs of the namespace the caller is in. */
static int base_read(const struct sysctl_ctx *ctx, struct knob_set *s)
{
	int rc = sysctl_foreach_conntrack(ctx, base_add, s);

	if (rc == -ENOENT)
		return 0; /* no conntrack here: every knob elsewhere is "differing" */
	if (rc < 0)
		return rc;
	/* An unreadable knob keeps its empty value. */
	for (size_t i = 0; i < s->n; i++)
		(void)sysctl_read(ctx, s->k[i].name, s->k[i].value, sizeof(s->k[i].value));
	return 0;
}

static bool is_ext_on(const char *name, const char *value)
{
	return (strcmp(name, "net.netfilter.nf_conntrack_acct") == 0 ||
		strcmp(name, "net.netfilter.nf_conntrack_timestamp") == 0) &&
	       strcmp(value, "0") != 0;
}

/* Read one knob relative to net/netfilter opened inside the namespace:
 * one path component to look up instead of five, which is most of the
 * cost when hundreds of namespaces are read. */
static int read_rel(int dfd, const char *name, char *buf, size_t size)
{
	char rel[SNAP_KNOB_NAME_LEN];
	ssize_t n;
	int fd;

	snprintf(rel, sizeof(rel), "%s", name + strlen(NF_PREFIX));
	for (char *p = rel; *p; p++)
		if (*p == '.')
			*p = '/'; /* nf_log.2 */
	fd = openat(dfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		n--;
	buf[n] = '\0';
	return 0;
}

static void add_override(struct inv_figures *fig, const char *name, const char *value,
			 const char *base)
{
	struct inv_override *ov;

	if (fig->n_ov == INV_OVERRIDES) {
		fig->n_ov_more++;
		return;
	}
	ov = &fig->ov[fig->n_ov++];
	snprintf(ov->knob, sizeof(ov->knob), "%s", name);
	snprintf(ov->value, sizeof(ov->value), "%s", value);
	snprintf(ov->baseline, sizeof(ov->baseline), "%s", base);
}

/* The baseline's knobs as this namespace has them (every per-namespace
 * knob exists in the initial namespace, so its list is complete there). */
static void compare_knobs(struct inv_figures *fig, const struct sysctl_ctx *ctx,
			  const struct knob_set *base)
{
	char dir[SYSCTL_PATH_LEN + 16], value[SNAP_KNOB_VALUE_LEN];
	int dfd;

	snprintf(dir, sizeof(dir), "%s/net/netfilter", ctx->proc_sys);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	for (size_t i = 0; i < base->n; i++) {
		const struct inv_knob *k = &base->k[i];

		if (read_rel(dfd, k->name, value, sizeof(value)) < 0)
			continue;
		if (is_ext_on(k->name, value))
			fig->has_ext = true;
		if (strcmp(k->value, value) != 0)
			add_override(fig, k->name, value, k->value);
	}
	close(dfd);
}

static void fig_fail(struct inv_figures *fig, const char *what, int rc)
{
	if (fig->err == 0) {
		fig->err = -rc;
		fig->err_what = what;
	}
}

static void sum_cpus(struct inv_figures *fig, const struct snap_cpu_stats *cpus, size_t n)
{
	memset(&fig->total, 0, sizeof(fig->total));
	for (size_t i = 0; i < n; i++) {
		fig->total.present |= cpus[i].present;
		for (unsigned s = 0; s < SNAP_STAT_SLOTS; s++)
			fig->total.v[s] += cpus[i].v[s];
	}
	fig->has_stats = true;
}

/* Both queries on one socket: a socket costs syscalls of its own. */
static void read_stats(struct inv_figures *fig)
{
	struct nl_stats_session s = {.fd = -1};
	struct nl_stats_global g;
	struct snap_cpu_stats *cpus = NULL;
	size_t n = 0;
	int rc = nl_stats_open(&s);

	if (rc < 0) {
		fig_fail(fig, "stats", rc);
		return;
	}
	rc = nl_stats_get_global(&s, &g);
	if (rc == 0) {
		fig->has_count = true;
		fig->count = g.count;
	} else {
		fig_fail(fig, "stats", rc);
	}
	rc = nl_stats_get_cpus(&s, &cpus, &n);
	nl_stats_close(&s);
	if (rc < 0) {
		fig_fail(fig, "stats_cpu", rc);
		return;
	}
	sum_cpus(fig, cpus, n);
	free(cpus);
}

static void read_walk(struct inv_figures *fig, struct ct_snapshot *snap)
{
	snap_init(snap);
	if (collect_walk(snap) == 0 && snap->has_walk) {
		fig->has_walk = true;
		fig->live = snap->walk.entries;
		fig->walk_interrupted = snap->walk.is_interrupted;
	} else {
		fig_fail(fig, "walk", snap->n_problems ? -snap->problems[0].err : -EIO);
	}
	snap_free(snap);
}

/* Everything read while inside the namespace. */
struct collect_run {
	const struct sysctl_ctx *ctx;
	struct knob_set base;
	struct ct_snapshot *walk_snap; /* NULL: no walk */
	int orig_fd;
	struct stat orig_st;
	bool is_caller_init;
};

/* Everything read while inside the namespace. Only the initial namespace
 * is init: when the caller is in it, identity answers without a lookup. */
static void read_inside(struct inv_ns *ns, const struct collect_run *r)
{
	if (r->is_caller_init)
		ns->fig.is_init = ns->dev == r->orig_st.st_dev && ns->ino == r->orig_st.st_ino;
	else
		ns->fig.is_init = netns_is_init(r->ctx);
	read_stats(&ns->fig);
	compare_knobs(&ns->fig, r->ctx, &r->base);
	if (r->walk_snap != NULL)
		read_walk(&ns->fig, r->walk_snap);
}

/* A pin unmounted since the scan (ip netns del) leaves a plain file. */
static bool is_unmounted(int fd)
{
	struct statfs sfs;

	return fstatfs(fd, &sfs) == 0 && sfs.f_type != NSFS_MAGIC;
}

/* From the previous namespace straight to the next one: the caller's is
 * restored once, at the end. Errors are the namespace's; one that vanished
 * since the scan is "gone". true when the thread moved. */
static bool visit(struct inv_ns *ns, const struct collect_run *r)
{
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);

	memset(&ns->fig, 0, sizeof(ns->fig));
	if (fd < 0) {
		fig_fail(&ns->fig, errno == ENOENT ? "gone" : "open", -errno);
		return false;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fig_fail(&ns->fig, is_unmounted(fd) ? "gone" : "setns", -errno);
		close(fd);
		return false;
	}
	close(fd);
	read_inside(ns, r);
	return true;
}

/* Namespaces whose process exited or whose pin was removed since the scan
 * are gone (or held elsewhere, and found again next run): not errors. */
static void drop_gone(struct inventory *inv)
{
	size_t w = 0;

	for (size_t i = 0; i < inv->n; i++) {
		const char *what = inv->ns[i].fig.err_what;

		if (what == NULL || strcmp(what, "gone") != 0)
			inv->ns[w++] = inv->ns[i];
	}
	inv->n = w;
}

static int run_start(struct collect_run *r, const struct sysctl_ctx *ctx, bool do_walk)
{
	memset(r, 0, sizeof(*r));
	r->ctx = ctx;
	r->orig_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (r->orig_fd < 0 || fstat(r->orig_fd, &r->orig_st) < 0)
		return -errno;
	r->is_caller_init = netns_is_init(ctx);
	if (do_walk) {
		r->walk_snap = malloc(sizeof(*r->walk_snap));
		if (r->walk_snap == NULL)
			return -ENOMEM;
	}
	return base_read(ctx, &r->base);
}

int inventory_collect(struct inventory *inv, const struct sysctl_ctx *ctx, bool do_walk)
{
	struct collect_run r;
	bool is_away = false;
	int rc = run_start(&r, ctx, do_walk);

	for (size_t i = 0; rc == 0 && i < inv->n; i++)
		is_away |= visit(&inv->ns[i], &r);
	if (is_away && setns(r.orig_fd, CLONE_NEWNET) < 0)
		rc = -errno;
	if (rc == 0)
		drop_gone(inv);
	free(r.walk_snap);
	free(r.base.k);
	if (r.orig_fd >= 0)
		close(r.orig_fd);
	return rc;
}
